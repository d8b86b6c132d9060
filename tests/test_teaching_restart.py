"""jmtools.teaching.restart: a cell run before the cells above says what to do, not a bare NameError.

A teacher's report: after a kernel restart, a worked-example cell gave
``NameError: name 'lesson' is not defined`` and a traceback. The handler is tested here on the
lines it writes and in an IPython shell; tests/test_notebook_teaching.py runs the notebooks' own
cells alone in a fresh kernel.
"""

from __future__ import annotations

import pytest

from jmtools.teaching.restart import explain_name_errors, name_error_lines

CELL = "/tmp/ipykernel_4242/3161855341.py"          # how ipykernel names a cell's code


def _raised(code: str, filename: str = CELL, namespace=None) -> NameError:
    try:
        exec(compile(code, filename, "exec"), dict(namespace or {}))
    except NameError as err:
        return err
    raise AssertionError("no NameError")


def test_a_cell_run_before_the_first_cells_says_to_run_them():
    lines = name_error_lines(_raised("journey = lesson.journey"), {})
    assert lines[0] == "NameError: name 'lesson' is not defined"
    assert lines[-1] == ("The cells above have not run since this notebook was opened or the kernel restarted, "
                         "and this cell needs what they make (`lesson`). Click this cell, choose Run ▸ Run All "
                         "Above Selected Cell, then run this cell again.")
    assert not any("Traceback" in line for line in lines)


def test_a_name_missing_while_the_lesson_exists_may_be_a_skipped_cell_or_a_typo():
    lines = name_error_lines(_raised("print(sizes)"), {"lesson": object()})
    said = lines[-1]
    assert said.startswith("If a cell above makes `sizes`, it has not run since")
    assert "Run ▸ Run All Above Selected Cell" in said
    assert "If you typed `sizes` yourself, check its spelling; text goes in quotes" in said


def test_a_name_error_inside_a_library_keeps_its_traceback():
    assert name_error_lines(_raised("undefined_in_library", "/usr/lib/python3/somewhere.py"), {}) is None


@pytest.fixture
def shell():
    """An IPython shell of its own (not the process's instance); the builtins it adds are taken away."""
    import builtins

    from IPython.core.interactiveshell import InteractiveShell

    before = set(vars(builtins))
    sh = InteractiveShell()
    yield sh
    sh.set_custom_exc((), None)
    for name in set(vars(builtins)) - before:
        delattr(builtins, name)


def test_in_ipython_the_cell_shows_the_sentence_not_a_traceback(shell, capsys):
    assert explain_name_errors(shell) and explain_name_errors(shell)      # twice: still one handler
    shell.run_cell("x = 1\nlesson.check('0.1', x)")
    out = capsys.readouterr().out
    assert "Traceback" not in out and "NameError: name 'lesson' is not defined" in out
    assert "(your cell, line 2: lesson.check('0.1', x))" in out
    assert "Click this cell, choose Run ▸ Run All Above Selected Cell" in out
    shell.run_cell("1 / 0")                                               # other errors: unchanged
    assert "ZeroDivisionError" in capsys.readouterr().out


def test_a_handler_installed_first_is_left_alone(shell, capsys):
    shell.set_custom_exc((KeyError,), lambda *a, **k: ["mine"])
    assert not explain_name_errors(shell)
    assert shell.custom_exceptions == (KeyError,)


def test_in_ipython_a_name_error_inside_a_library_shows_its_traceback(shell, capsys, tmp_path, monkeypatch):
    (tmp_path / "somelib.py").write_text("def broken():\n    return missing_name\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    explain_name_errors(shell)
    shell.run_cell("import somelib\nsomelib.broken()")
    out = capsys.readouterr().out
    assert "Traceback" in out and "somelib.py" in out and "Run All Above" not in out
