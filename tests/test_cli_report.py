"""jmtools.cli.report: the ``-f`` parameters file of ``jmtools report`` (and ``jmtools batch``).

A file that is not a YAML mapping of names to values is invalid input: a located error and
exit code 1. A path that cannot be read is a wrong command line: exit code 2. No notebook runs
there; one kernel run (tests/notebook_runs.py, "subsets_cli") builds the journey report from
behaviour data alone.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from jmtools.cli import batch as cli_batch
from jmtools.cli import report as cli_report
from jmtools.cli.main import build_parser, main

NOTEBOOK = str(Path(__file__).parent / "notebooks" / "chart_records_feedback.ipynb")


@pytest.fixture
def no_run(monkeypatch):
    """Record what would run instead of starting a kernel."""
    runs = []

    def fake_run(notebook, output, *, parameters, timeout):
        runs.append(parameters)
        raise AssertionError("the notebook must not run")

    monkeypatch.setattr(cli_report, "run_notebook", fake_run)
    return runs


def _report(tmp_path, text: str | bytes, *extra: str) -> int:
    path = tmp_path / "params.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return main(["report", NOTEBOOK, "-f", str(path), "-o", str(tmp_path / "r.html"), *extra])


@pytest.mark.parametrize("text, line, message", [
    ("- persona\n- Ben\n", 1, "must be a mapping of parameter names to values — got a list"),
    ("# values\n\n42\n", 3, "must be a mapping of parameter names to values — got 42"),
    ("persona=Ben\n", 1, "must be a mapping of parameter names to values — got 'persona=Ben'"),
    ("persona: Ben\n1: x\n", 2, "parameter names must be text — got 1"),
    ("persona: [Ben\n", 2, "must be valid YAML — got a syntax error"),
    ("persona: Ben\npersona: Maya\n", 2, "must be valid YAML — got a duplicate key"),
])
def test_a_file_that_is_not_a_mapping_of_names_exits_1_naming_file_and_line(
        tmp_path, capsys, no_run, text, line, message):
    assert _report(tmp_path, text) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {tmp_path / 'params.yaml'}:{line}: ")
    assert message in err and "\n  Fix: " in err
    assert "Traceback" not in err and not no_run


def test_several_names_that_are_not_text_are_listed_with_their_lines(tmp_path, capsys, no_run):
    assert _report(tmp_path, "2: x\nnull: y\npersona: Ben\ntrue: z\n") == 1
    err = capsys.readouterr().err
    assert "parameter names must be text — got 2, None, True [lines 1, 2, 4]" in err
    assert "--list-parameters" in err


def test_a_file_that_is_not_utf8_exits_1(tmp_path, capsys, no_run):
    assert _report(tmp_path, b"persona: \xff\n") == 1
    err = capsys.readouterr().err
    assert "must be UTF-8 text — got byte 0xff at offset 9" in err and "Fix: save" in err


def test_a_path_that_cannot_be_read_is_a_wrong_command_line(tmp_path, capsys, no_run):
    missing = tmp_path / "nowhere.yaml"
    assert main(["report", NOTEBOOK, "-f", str(missing)]) == 2
    err = capsys.readouterr().err
    assert f"--parameters-file must be a readable YAML file — got '{missing}'" in err
    assert "No such file or directory" in err and not no_run
    assert main(["report", NOTEBOOK, "-f", str(tmp_path)]) == 2   # a folder


def test_unknown_names_and_wrong_types_in_the_file_still_exit_2(tmp_path, capsys, no_run):
    assert _report(tmp_path, "persnoa: Ben\n") == 2
    assert "did you mean 'persona'?" in capsys.readouterr().err
    assert _report(tmp_path, "min_score: low\n") == 2
    assert "min_score must be a whole number — got 'low'" in capsys.readouterr().err
    assert not no_run


@pytest.mark.parametrize("text", ["", "# nothing set here\n"])
def test_an_empty_file_sets_nothing(text, tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text(text, encoding="utf-8")
    args = build_parser().parse_args(["report", NOTEBOOK, "-f", str(path)])
    assert cli_report._parameters(NOTEBOOK, args) == {}


def test_file_values_are_typed_as_written_and_p_overrides_them(tmp_path):
    path = tmp_path / "params.yaml"
    path.write_text("persona: Ben\nmin_score: 1\nlabel: null\n", encoding="utf-8")
    args = build_parser().parse_args(["report", NOTEBOOK, "-f", str(path), "-p", "persona", "Maya"])
    assert cli_report._parameters(NOTEBOOK, args) == {"persona": "Maya", "min_score": 1,
                                                      "label": None}


def test_batch_reads_the_file_the_same_way(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(cli_batch.batch, "run_batch",
                        lambda *a, **k: pytest.fail("no report may run"))
    path = tmp_path / "params.yaml"
    path.write_text("- persona\n", encoding="utf-8")
    journey = Path(__file__).parents[1] / "data" / "ecommerce" / "journey.yaml"
    assert main(["batch", NOTEBOOK, "--journey", str(journey), "-f", str(path)]) == 1
    assert "got a list" in capsys.readouterr().err


def test_a_sample_world_name_passes_through_unchanged(tmp_path, monkeypatch):
    from jmtools.cli.report import _absolute_paths

    (tmp_path / "exports").mkdir()
    monkeypatch.chdir(tmp_path)
    got = _absolute_paths({"data_dir": "sample:b2b", "journey_file": "", "persona": "all"})
    assert got == {"data_dir": "sample:b2b", "journey_file": "", "persona": "all"}
    assert _absolute_paths({"data_dir": "exports"})["data_dir"] == str(tmp_path / "exports")


def test_a_relative_path_found_nowhere_is_taken_from_the_current_folder(tmp_path, monkeypatch):
    """A typo (``data/ecomerce``) reaches the kernel as the path the user meant, so its message
    names that path and its neighbour; a path found from the notebook's folder is kept."""
    from jmtools.cli.report import _absolute_paths

    (tmp_path / "data" / "ecommerce").mkdir(parents=True)
    (tmp_path / "notebooks").mkdir()
    monkeypatch.chdir(tmp_path)
    nb_dir = str(tmp_path / "notebooks")
    got = _absolute_paths({"data_dir": "data/ecomerce", "journey_file": "../data/ecommerce",
                           "history_dir": "sample:b2b"}, notebook_dir=nb_dir)
    assert got == {"data_dir": str(tmp_path / "data" / "ecomerce"),
                   "journey_file": "../data/ecommerce", "history_dir": "sample:b2b"}


@pytest.mark.slow
def test_report_with_behaviour_data_only_builds(notebook_runs):
    """`jmtools report` on events and orders alone (no customers, surveys, feedback or tickets):
    exit 0, every section stands, each missing table named with its columns (the issue's case)."""
    from table_subsets import MISSING, report_specs, report_text, title_of

    _, code, html = notebook_runs.get("subsets_cli")
    assert code == 0
    page = html.read_text(encoding="utf-8")
    text = report_text(page)
    for kind in ("customers", "surveys", "feedback"):
        assert MISSING[kind] in text
    assert MISSING["events"] not in text and MISSING["orders"] not in text
    assert "Average order value used" in text and "Traceback" not in text
    assert "Emotion curve from behaviour: all customers" in [title_of(s) for s in report_specs(page)]


@pytest.mark.parametrize("text", ["many", "atuo", "0"])
def test_a_text_other_than_auto_for_n_themes_is_refused_naming_the_notebook(tmp_path, capsys, no_run, text):
    """Notebook 04 declares ``n_themes: "Union[Annotated[int, Ge[1]], Literal[auto]]"``:
    ``-p n_themes <text>`` stops before a kernel starts, naming notebook, parameter, its line
    and what is allowed (0 themes too: it is below the declared bound)."""
    nb04 = str(Path(__file__).resolve().parents[1] / "notebooks" / "04_pain_points.ipynb")
    assert main(["report", nb04, "-p", "n_themes", text, "-o", str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert "n_themes must be a whole number, 1 or more, or 'auto'" in err
    assert f"got {text!r}" in err or f"got {int(text)!r}" in err
    assert "04_pain_points.ipynb declares, in its parameters cell line 5" in err and not no_run
    assert ("did you mean 'auto'?" in err) == (text == "atuo")


def test_the_kernel_is_given_the_evidence_cache_unless_no_cache(tmp_path, monkeypatch):
    """A single report keeps what no persona changes in the batch's cache folder, so a second
    report on unchanged data reads it; ``--no-cache`` neither reads nor writes it."""
    import os

    from jmtools.core.cachedir import CACHE_ENV

    seen = []
    monkeypatch.setattr(cli_report, "run_notebook", lambda *a, **kw: seen.append(os.environ.get(CACHE_ENV))
                        or type("Run", (), {"duration_s": 0.0})())
    monkeypatch.setattr(cli_report, "export_html", lambda *a, **kw: None)
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.setenv("JMTOOLS_CACHE_DIR", str(tmp_path / "jm"))
    out = ["-o", str(tmp_path / "r.html")]
    assert main(["report", NOTEBOOK, *out]) == 0
    assert main(["report", NOTEBOOK, *out, "--no-cache"]) == 0
    monkeypatch.setenv(CACHE_ENV, "mine")                        # a folder the user named: kept, made absolute
    assert main(["report", NOTEBOOK, *out]) == 0
    assert main(["report", NOTEBOOK, *out, "--no-cache"]) == 0
    assert seen == [str(tmp_path / "jm" / "evidence"), None, os.path.abspath("mine"), None]
    assert os.environ[CACHE_ENV] == "mine"                       # the parent's environment is restored


def test_out_may_name_a_folder_and_anything_else_is_refused_before_the_notebook_runs(
        tmp_path, capsys, monkeypatch, no_run):
    """``-o reports/`` or an existing folder writes ``<notebook name>.html`` in it (it used to
    run the whole notebook, write ``reports.ipynb`` beside the folder and end in a traceback);
    ``-o report.pdf`` is a wrong command line, found before any kernel starts."""
    written = []
    monkeypatch.setattr(cli_report, "run_notebook", lambda nb, out, **kw: written.append(Path(out))
                        or type("Run", (), {"duration_s": 0.0})())
    monkeypatch.setattr(cli_report, "export_html", lambda executed, html, **kw: written.append(Path(html)))
    folder = tmp_path / "out"
    folder.mkdir()
    assert main(["report", NOTEBOOK, "-o", str(folder)]) == 0
    assert main(["report", NOTEBOOK, "-o", str(tmp_path / "new") + "/"]) == 0
    assert main(["report", NOTEBOOK, "-o", str(tmp_path / "ben.HTML")]) == 0
    stem = Path(NOTEBOOK).stem
    assert written == [folder / f"{stem}.ipynb", folder / f"{stem}.html",
                       tmp_path / "new" / f"{stem}.ipynb", tmp_path / "new" / f"{stem}.html",
                       tmp_path / "ben.ipynb", tmp_path / "ben.HTML"]
    written.clear()
    assert main(["report", NOTEBOOK, "-o", str(tmp_path / "ben.pdf")]) == 2
    err = capsys.readouterr().err
    assert "ending in .html, or a folder" in err and "ben.html" in err and "Traceback" not in err
    assert written == []


FAILS = Path(__file__).parent / "notebooks" / "fails_when_divisor_zero.ipynb"


def _cli(*argv: str):
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "jmtools.cli.main", *argv],
                          capture_output=True, text=True, timeout=300)


@pytest.mark.slow
def test_a_failed_report_prints_only_its_located_error(tmp_path):
    """The kernel writes to the user's terminal too: after a failed cell (four runs: the
    interrupt that printed "KeyboardInterrupt caught in kernel" hit about one run in four)
    and after a cell that ran out of time, only the command's own message is printed."""
    for i in range(4):
        done = _cli("report", str(FAILS), "-o", str(tmp_path / f"failed{i}.html"))
        assert done.returncode == 1 and done.stdout == ""
        assert done.stderr.startswith(f"error: {FAILS} failed at In [3], `y = x / divisor`: "
                                      "ZeroDivisionError: division by zero\n"), done.stderr
        assert done.stderr.count("Fix:") == 1, done.stderr
        assert all(ln.startswith(("error: ", "  ")) for ln in done.stderr.splitlines()), done.stderr
    import nbformat

    params = nbformat.v4.new_code_cell("pause_s: int = 60  # how long the second cell sleeps",
                                       metadata={"tags": ["parameters"]})
    slow = tmp_path / "pause.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=[
        params, nbformat.v4.new_code_cell("import time\ntime.sleep(pause_s)")]), slow)
    done = _cli("report", str(slow), "--timeout", "2", "-o", str(tmp_path / "slow.html"))
    lines = done.stderr.splitlines()
    assert done.returncode == 1 and lines[0] == (
        f"error: {slow} stopped at In [2], `import time`: the cell ran longer than the time "
        "limit of 2 s per cell and was stopped"), lines
    assert "--timeout SECONDS" in done.stderr
    assert all(ln.startswith(("error: ", "  ")) for ln in lines), done.stderr


def _notebook_writing_to_fd2(path, *, then: str = ""):
    import nbformat

    cells = [nbformat.v4.new_code_cell("x: int = 1", metadata={"tags": ["parameters"]}),
             nbformat.v4.new_code_cell("import os\nos.write(2, b'C-level noise of the kernel\\n')")]
    if then:
        cells.append(nbformat.v4.new_code_cell(then))
    nbformat.write(nbformat.v4.new_notebook(cells=cells), path)
    return path


@pytest.mark.slow
def test_the_kernels_own_terminal_output_is_quoted_only_when_the_kernel_died(tmp_path):
    """A kernel writes below Python too (libzmq's assertion at teardown, a C library's warning):
    a report that runs is silent; a kernel that dies has its last words in the error (D74)."""
    fine = _notebook_writing_to_fd2(tmp_path / "fine.ipynb")
    done = _cli("report", str(fine), "-o", str(tmp_path / "fine.html"))
    assert done.returncode == 0 and "noise" not in done.stderr + done.stdout, done.stderr
    dies = _notebook_writing_to_fd2(tmp_path / "dies.ipynb",
                                    then="os.write(2, b'Fatal: the library broke\\n'); os.abort()")
    done = _cli("report", str(dies), "-o", str(tmp_path / "dies.html"))
    assert done.returncode == 1
    error = done.stderr[done.stderr.index("error: "):]
    assert error.startswith(f"error: {dies} could not be run: DeadKernelError"), done.stderr
    assert "  Kernel said: C-level noise of the kernel\n  Kernel said: Fatal: the library broke\n" in error
    assert "out of memory, or a crash inside a library" in error
