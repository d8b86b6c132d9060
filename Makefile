# jmtools: two commands.
#   make demo   set up a local environment (.venv) and build the demo reports from the bundled sample data
#   make test   set up the environment with test tools and run the whole test suite
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)
# JupyterLab settings: no news or update checks, and an extension manager that never asks PyPI
LAB     = $(VENV)/etc/jupyter/jupyter_lab_config.json

.PHONY: demo test setup clean bench

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name python3 >/dev/null
	rm -f $(VENV)/.installed-*
	touch $@

$(LAB): $(STAMP) templates/lab/overrides.json templates/lab/jupyter_lab_config.json
	mkdir -p $(VENV)/share/jupyter/lab/settings $(VENV)/etc/jupyter
	cp templates/lab/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	cp templates/lab/jupyter_lab_config.json $@

setup: $(LAB)

demo: $(LAB)
	$(BIN)/jmtools demo

test: $(LAB)
	$(BIN)/python -m pytest -n auto --maxprocesses 4 --dist loadfile

bench: $(LAB)
	$(BIN)/python benchmarks/run_all.py

clean:
	rm -rf $(VENV) out reports
