"""jmtools.core.browser and the JupyterLab settings `make` installs: nothing the tools start asks
a host beyond the machine (D168)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from jmtools.core.browser import OFFLINE_ARGS
from jmtools.report import pdf
from jmtools.teaching import worksheets

ROOT = Path(__file__).resolve().parents[1]


def test_every_host_name_is_unresolvable_but_the_loopback():
    rules = [a for a in OFFLINE_ARGS if a.startswith("--host-resolver-rules=")]
    assert rules == ["--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1"]
    for flag in ("--headless", "--disable-background-networking", "--disable-component-update", "--no-pings",
                 "--dns-prefetch-disable"):
        assert flag in OFFLINE_ARGS


def test_reports_and_worksheets_start_chromium_with_those_flags(tmp_path, monkeypatch):
    assert pdf.CHROMIUM_ARGS is OFFLINE_ARGS
    seen = []

    def run(cmd, **kwargs):
        seen.append(cmd)
        Path(next(a for a in cmd if a.startswith("--print-to-pdf=")).split("=", 1)[1]).write_bytes(b"%PDF")
        return subprocess.CompletedProcess(cmd, 0, "", "")

    monkeypatch.setattr(worksheets.subprocess, "run", run)
    page = tmp_path / "sheet.html"
    page.write_text("<p>x</p>", encoding="utf-8")
    worksheets._print_pdf("/usr/bin/chromium", page, tmp_path / "sheet.pdf")
    assert seen and all(flag in seen[0] for flag in OFFLINE_ARGS)


def test_the_lab_settings_switch_off_news_updates_and_the_pypi_extension_manager():
    """`make setup` copies both files into .venv; JupyterLab then reads them (its log says
    "Extension Manager is 'readonly'"; the pypi manager asked pypi.org when its panel opened)."""
    overrides = json.loads((ROOT / "templates" / "lab" / "overrides.json").read_text(encoding="utf-8"))
    assert overrides["@jupyterlab/apputils-extension:notification"]["checkForUpdates"] is False
    lab = json.loads((ROOT / "templates" / "lab" / "jupyter_lab_config.json").read_text(encoding="utf-8"))
    assert lab == {"LabApp": {"extension_manager": "readonly"}}
    make = (ROOT / "Makefile").read_text(encoding="utf-8")
    assert "cp templates/lab/jupyter_lab_config.json $@" in make and "$(VENV)/etc/jupyter/jupyter_lab_config.json" in make
    installed = Path(sys.prefix) / "etc" / "jupyter" / "jupyter_lab_config.json"
    if installed.exists():                        # in the project's own .venv (make setup / make test)
        assert json.loads(installed.read_text(encoding="utf-8")) == lab
