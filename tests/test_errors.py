"""jmtools.core.errors in a notebook: a kit error reads as its message and the line of the
user's code, not as a traceback through the kit's modules; other errors keep theirs."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture()
def shell():
    from IPython.core.interactiveshell import InteractiveShell

    yield InteractiveShell.instance(colors="NoColor")
    InteractiveShell.clear_instance()


def test_a_kit_error_in_ipython_is_its_message_and_the_users_line(shell, capsys):
    shell.run_cell("from jmtools.teaching import Lesson\nx = 1\nLesson('sample:ecommerce', step=9)")
    out = capsys.readouterr().out
    assert "ParameterError: step must be one of '0', '1'" in out
    assert "(raised at your cell, line 3: Lesson('sample:ecommerce', step=9))" in out \
        or "line 3: Lesson('sample:ecommerce', step=9))" in out, out
    assert "Traceback" not in out and "lesson.py" not in out, out


def test_the_users_line_is_quoted_without_its_comment(shell, capsys):
    shell.run_cell("from jmtools.teaching import Lesson\nLesson('sample:ecommerce', step=9)  # step # nine")
    out = capsys.readouterr().out
    assert "line 2: Lesson('sample:ecommerce', step=9))" in out and "nine" not in out, out


def test_other_errors_keep_their_traceback(shell, capsys):
    shell.run_cell("def f():\n    return 1 / 0\nf()")
    out = capsys.readouterr().out
    assert "ZeroDivisionError" in out and "Traceback" in out


def test_a_teaching_step_without_its_tables_shows_the_message_only_in_the_notebook(tmp_path):
    """Run by papermill in a real kernel: the saved error output is the message and the cell line."""
    import papermill as pm
    from table_subsets import make_subset

    folder = make_subset("events", tmp_path / "events")
    out = tmp_path / "out.ipynb"
    nb = ROOT / "notebooks" / "teaching" / "01_personas.ipynb"
    with pytest.raises(pm.PapermillExecutionError):
        pm.execute_notebook(str(nb), str(out), parameters={"data_dir": str(folder)}, kernel_name="python3",
                            cwd=str(nb.parent), progress_bar=False)
    errors = [o for c in json.loads(out.read_text(encoding="utf-8"))["cells"] for o in c.get("outputs", [])
              if o.get("output_type") == "error"]
    text = re.sub(r"\x1b\[[0-9;]*m", "", "\n".join(errors[0]["traceback"]))
    assert errors[0]["ename"] == "ParameterError"
    assert text.startswith("ParameterError: data_dir must be a data folder with rows of customers"), text
    assert "raised at your cell, line 3: lesson = Lesson(data_dir, persona=persona, step=1)" in text, text
    assert "lesson.py" not in text and "Traceback" not in text


def test_a_missing_chromium_is_not_fixed_with_pip(monkeypatch):
    """D247 (F8): without /usr/bin/chromium the PDF said "install it with `apt-get install chromium`"
    and then "Fix: pip install "jmtools[pdf]"", which cannot install a browser. One fix, the right one."""
    import pytest

    from jmtools.core.errors import MissingDependencyError
    from jmtools.report import pdf

    monkeypatch.setattr(pdf, "CHROMIUM", "/nowhere/chromium")
    with pytest.raises(MissingDependencyError) as got:
        pdf._playwright()
    said = str(got.value)
    assert "pip install" not in said and said.count("Fix:") == 1
    assert "needs the program 'chromium'" in said and "/nowhere/chromium" in said
    assert "Fix: install Chromium with your system's package manager (`apt-get install chromium`)" in said
    assert "pip install" in str(MissingDependencyError("vl-convert-python", "draw charts"))    # a package: pip
