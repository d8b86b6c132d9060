"""jmtools.report.runner: declared parameters only, failures that name notebook, In [n] and output."""

from __future__ import annotations

import pickle
from pathlib import Path

import nbformat
import pytest

from jmtools.core.errors import ParameterError, ReportError
from jmtools.report.record import RECORD_MIMETYPE
from jmtools.report.runner import (Parameter, check_parameters, parse_value, read_parameters,
                                   run_notebook)

pytestmark = pytest.mark.slow
HERE = Path(__file__).parent / "notebooks"
FEEDBACK = HERE / "chart_records_feedback.ipynb"
FAILS = HERE / "fails_when_divisor_zero.ipynb"


def _nb(*cells):
    nb = nbformat.v4.new_notebook(cells=list(cells))
    nb.metadata.kernelspec = {"name": "python3", "display_name": "Python 3", "language": "python"}
    return nb


def _params(source):
    return nbformat.v4.new_code_cell(source, metadata={"tags": ["parameters"]})


def test_read_parameters_types_defaults_help_in_cell_order():
    params = read_parameters(FEEDBACK)
    assert list(params) == ["persona", "min_score", "data_file", "label"]
    p = params["persona"]
    assert (p.annotation, p.default, p.line) == ("str", "all", 1)
    assert p.help == 'which persona to show ("all" for everyone)'
    assert params["min_score"].default == -2 and params["min_score"].base_type == "int"
    assert params["label"].optional and params["label"].base_type == "str"
    assert not params["persona"].optional


@pytest.mark.parametrize("cells, message", [
    ([nbformat.v4.new_code_cell("x = 1")], "no cell is tagged 'parameters'"),
    ([_params("a: int = 1  # a"), _params("b: int = 2  # b")], "2 cells are tagged"),
    ([_params("a = 1  # not annotated")], "is not an annotated assignment"),
    ([_params("a: int = len('x')  # computed")], "not a literal"),
    ([_params("a: int = (  # broken")], "not valid Python"),
])
def test_bad_parameter_cells_are_refused_with_a_fix(cells, message):
    with pytest.raises(ReportError, match="Fix:") as caught:
        read_parameters(_nb(*cells))
    assert message in str(caught.value)


def test_unknown_parameter_lists_the_declared_ones_and_the_closest():
    declared = read_parameters(FEEDBACK)
    with pytest.raises(ParameterError) as caught:
        check_parameters(declared, {"persnoa": "Ben"}, notebook="feedback.ipynb")
    text = str(caught.value)
    assert "did you mean 'persona'?" in text
    for name in declared:
        assert f"{name}: " in text  # every declared parameter is listed with its type
    assert "which persona to show" in text  # and its help


@pytest.mark.parametrize("name, value", [("min_score", "3"), ("min_score", True),
                                         ("persona", 3), ("label", 1.5)])
def test_values_of_the_wrong_type_are_refused(name, value):
    with pytest.raises(ParameterError, match=f"{name} must be (a|an) "):
        check_parameters(read_parameters(FEEDBACK), {name: value})


def test_none_only_where_declared_optional():
    declared = read_parameters(FEEDBACK)
    assert check_parameters(declared, {"label": None}) == {"label": None}
    with pytest.raises(ParameterError):
        check_parameters(declared, {"persona": None})


@pytest.mark.parametrize("annotation, text, expected", [
    ("int", "-3", -3), ("float", "0.5", 0.5), ("bool", "no", False), ("str", "007", "007"),
    ("list[str]", "[a, b c]", ["a", "b c"]), ("dict", "{a: 1}", {"a": 1}),
    ("int | None", "none", None), ("str | None", "none", "none"),
])
def test_parse_value_uses_the_declared_type(annotation, text, expected):
    assert parse_value(Parameter("x", annotation, None), text) == expected


def test_parse_value_reports_bad_text():
    with pytest.raises(ParameterError, match="min_score must be a whole number — got .lots."):
        parse_value(Parameter("min_score", "int", -2), "lots")


UNIONS = ["int | str", "Union[int, str]", "typing.Union[str, int]", "'int | str'"]


@pytest.mark.parametrize("annotation", UNIONS)
@pytest.mark.parametrize("value", [12, "auto", 0, ""])
def test_a_value_of_any_member_of_a_union_is_accepted(annotation, value):
    declared = {"n_themes": Parameter("n_themes", annotation, "auto", "1 or more, or \"auto\"", 5)}
    assert check_parameters(declared, {"n_themes": value}) == {"n_themes": value}


@pytest.mark.parametrize("annotation", UNIONS)
@pytest.mark.parametrize("value", [1.5, True, None, [3], {"k": 3}])
def test_a_value_of_no_member_is_refused_naming_notebook_parameter_and_fix(annotation, value):
    declared = {"n_themes": Parameter("n_themes", annotation, "auto", "1 or more, or \"auto\"", 5)}
    with pytest.raises(ParameterError) as caught:
        check_parameters(declared, {"n_themes": value}, notebook="04_pain_points.ipynb")
    text = str(caught.value)
    assert text.startswith("n_themes must be ") and f"got {value!r}" in text
    assert "04_pain_points.ipynb declares, in its parameters cell line 5" in text
    assert "one of the types int | str" in text or "one of the types str | int" in text


@pytest.mark.parametrize("annotation", ["Optional[int]", "int | None", "None | int", "typing.Optional[int]",
                                        "Union[int, None]"])
def test_optional_takes_none_and_its_type_only(annotation):
    declared = {"top": Parameter("top", annotation, 3, "1 or more", 2)}
    assert check_parameters(declared, {"top": None}) == {"top": None}
    assert check_parameters(declared, {"top": 7}) == {"top": 7}
    with pytest.raises(ParameterError, match="top must be an int or None — got '7'"):
        check_parameters(declared, {"top": "7"})
    assert parse_value(declared["top"], "none") is None and parse_value(declared["top"], "7") == 7


def test_a_quoted_union_in_a_parameters_cell_is_read_like_papermill_reads_it(tmp_path):
    import papermill as pm

    nb = _nb(_params('n_themes: "Union[int, str]" = 10  # 1 or more, or "auto"\n'
                     'label: "Optional[str]" = None  # a label'))
    declared = read_parameters(nb)
    assert declared["n_themes"].annotation == "Union[int, str]" and declared["n_themes"].types == ("int", "str")
    assert declared["label"].types == ("str", "None")
    path = tmp_path / "quoted_union.ipynb"
    nbformat.write(nb, path)
    assert {k: v["inferred_type_name"] for k, v in pm.inspect_notebook(str(path)).items()} == {
        "n_themes": "Union[int, str]", "label": "Optional[str]"}


def test_members_of_annotations():
    assert Parameter("x", "Optional[list[str]]", None).types == ("list", "None")
    assert Parameter("x", "Union[int, float, None]", 1).types == ("int", "float", "None")
    assert Parameter("x", "int | str", 1).base_type == "int"
    assert Parameter("x", "Optional[str]", None).base_type == "str"
    assert Parameter("x", "List[int] | Dict[str, int]", []).types == ("list", "dict")


@pytest.mark.parametrize("annotation, text, expected", [
    ("int | str", "12", 12), ("int | str", "auto", "auto"), ("str | int", "12", 12),
    ("Union[int, str]", "-3", -3), ("float | str", "0.5", 0.5), ("int | bool", "1", 1),
    ("int | bool", "yes", True), ("list[str] | str", "[a, b]", ["a", "b"]),
    ("list[str] | str", "plain", "plain"), ("int | str | None", "none", "none"),
    ("Optional[int]", "", None),
])
def test_parse_value_tries_each_member(annotation, text, expected):
    assert parse_value(Parameter("x", annotation, None), text) == expected


def test_parse_value_refuses_text_no_member_reads():
    with pytest.raises(ParameterError) as caught:
        parse_value(Parameter("top", "int | float", 3, "1 or more"), "many")
    assert "top must be one of the types int | float — got 'many'" in str(caught.value)
    assert "declares, in its parameters cell line 0, top: int | float = 3" in str(caught.value)


@pytest.fixture(scope="module")
def maya_run(feedback_maya_run):
    """FEEDBACK run once for persona Maya (shared with the browser tests, see conftest.py)."""
    return feedback_maya_run


def test_run_records_figures_sources_and_metadata(maya_run):
    out = Path(maya_run.output_path)
    assert out.exists() and not list(out.parent.glob(".*partial*"))
    figures = maya_run.records["figures"]
    # oracle: the fixture's CSV read with the csv module
    import csv
    rows = list(csv.DictReader(open(HERE / "data" / "feedback.csv", newline="")))
    maya = [int(r["score"]) for r in rows if r["persona"] == "Maya"]
    assert figures["n_feedback"]["value"] == len(maya) == figures["n_feedback"]["n"]
    assert figures["mean_score"]["value"] == pytest.approx(sum(maya) / len(maya), abs=1e-6)
    assert figures["persona"]["value"] == "Maya"
    [source] = maya_run.records["sources"]
    assert source["rows"] == len(rows) and source["path"] == "data/feedback.csv"
    meta = nbformat.read(out, as_version=4).metadata["jmtools"]
    assert [k for k, _ in meta["parameters"]] == ["persona", "min_score", "data_file", "label"]
    assert dict(meta["parameters"])["persona"] == "Maya" and meta["injected"] == ["persona"]
    assert meta["kernel_name"] == "python3" and meta["versions"]["pandas"]


def test_same_input_gives_the_same_records(maya_run, notebook_runs):
    _, again = notebook_runs.get("feedback_maya_again")  # FEEDBACK, persona Maya, a second time
    assert again.records == maya_run.records


def test_unknown_parameter_runs_nothing(tmp_path):
    out = tmp_path / "x.ipynb"
    with pytest.raises(ParameterError, match="did you mean 'persona'"):
        run_notebook(FEEDBACK, out, parameters={"persona_name": "Ben"})
    assert not out.exists()


@pytest.mark.parametrize("typed", ["00_journey_report", "00_journey_report.ipynb", "00_journey_reprt"])
def test_a_bare_notebook_name_at_the_root_points_into_notebooks(typed, monkeypatch, tmp_path):
    """`jmtools report 00_journey_report` at the project's root said only "check the path"."""
    monkeypatch.chdir(HERE.parents[1])
    with pytest.raises(ParameterError, match="did you mean 'notebooks/00_journey_report.ipynb'"):
        read_parameters(typed)
    monkeypatch.chdir(tmp_path)  # no notebooks/ folder here: nothing to suggest
    with pytest.raises(ParameterError) as err:
        read_parameters(typed)
    assert "did you mean" not in str(err.value)


def test_failed_cell_names_notebook_cell_and_partial_output(tmp_path):
    out = tmp_path / "broken.ipynb"
    with pytest.raises(ReportError) as caught:
        run_notebook(FAILS, out)
    err = caught.value
    assert err.execution_count == 3 and err.ename == "ZeroDivisionError"
    assert err.notebook == str(FAILS) and err.output_path == str(out)
    text = str(err)
    assert "In [3]" in text and str(FAILS) in text and str(out) in text and "Fix:" in text
    assert "y = x / divisor" in text
    # the partial output is the bug report: earlier output kept, error shown, later cell not run
    nb = nbformat.read(out, as_version=4)
    outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs]
    assert any(o.get("text", "").startswith("before the failure") for o in outputs)
    assert any(o.output_type == "error" and o.ename == "ZeroDivisionError" for o in outputs)
    assert not any("never reached" in o.get("text", "") for o in outputs)
    # errors cross process boundaries in batch runs
    back = pickle.loads(pickle.dumps(err))
    assert (back.execution_count, back.output_path, str(back)) == (3, str(out), text)


def test_records_are_invisible_outputs(maya_run):
    nb = nbformat.read(maya_run.output_path, as_version=4)
    record_outputs = [o for c in nb.cells if c.cell_type == "code" for o in c.outputs
                      if RECORD_MIMETYPE in o.get("data", {})]
    assert len(record_outputs) == 4  # 1 source + 3 figures
    assert all(list(o["data"]) == [RECORD_MIMETYPE] for o in record_outputs)  # no text/plain


# --- the `jmtools report` command -------------------------------------------------------------

def test_cli_lists_parameters(capsys):
    from jmtools.cli.main import main

    assert main(["report", str(FEEDBACK), "--list-parameters"]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[0] == "persona: str = 'all'  # which persona to show (\"all\" for everyone)"
    assert len(out) == 4


def test_cli_unknown_parameter_exits_2_listing_the_declared_ones(capsys, tmp_path):
    from jmtools.cli.main import main

    assert main(["report", str(FEEDBACK), "-p", "persnoa", "Ben", "-o",
                 str(tmp_path / "r.html")]) == 2
    err = capsys.readouterr().err
    assert "did you mean 'persona'?" in err and "min_score: int = -2" in err
    assert main(["report", str(FEEDBACK), "-p", "min_score", "low"]) == 2
    err = capsys.readouterr().err                    # located: the notebook and its declaration
    assert "min_score must be a whole number — got 'low'" in err
    assert f"Fix: {FEEDBACK} declares, in its parameters cell line" in err
    assert not (tmp_path / "r.html").exists()


def test_cli_failed_cell_exits_1_with_the_partial_output(capsys, tmp_path):
    from jmtools.cli.main import main

    assert main(["report", str(FAILS), "-o", str(tmp_path / "b.html")]) == 1
    err = capsys.readouterr().err
    assert "In [3]" in err and str(tmp_path / "b.ipynb") in err
    assert (tmp_path / "b.ipynb").exists() and not (tmp_path / "b.html").exists()


def test_cli_report_writes_html_static_and_notebook(capsys, tmp_path, monkeypatch):
    from jmtools.cli.main import main

    monkeypatch.chdir(HERE)  # a relative data path typed by the user is taken from here
    assert main(["report", str(FEEDBACK), "-p", "persona", "Ben", "-p", "data_file",
                 "data/feedback.csv", "-o", str(tmp_path / "ben.html"), "--static"]) == 0
    out = capsys.readouterr().out
    assert "report: " in out and "static: " in out
    assert {p.name for p in tmp_path.iterdir()} == {"ben.html", "ben.static.html", "ben.ipynb"}
    meta = nbformat.read(tmp_path / "ben.ipynb", as_version=4).metadata["jmtools"]
    assert dict(meta["parameters"])["data_file"] == str(HERE / "data" / "feedback.csv")


@pytest.mark.parametrize("annotation", ["Union[int, Literal['auto']]", "int | Literal['auto']",
                                        "typing.Union[int, typing.Literal['auto']]", "Union[int, Literal[auto]]"])
def test_a_literal_member_takes_only_its_value(annotation):
    declared = {"n_themes": Parameter("n_themes", annotation, 10, "1 or more, or \"auto\"", 5)}
    assert declared["n_themes"].types == ("int", "'auto'") and declared["n_themes"].base_type == "int"
    for value in (12, "auto"):
        assert check_parameters(declared, {"n_themes": value}) == {"n_themes": value}
    for value in ("atuo", "12", "", True, 1.5, None):
        with pytest.raises(ParameterError) as caught:
            check_parameters(declared, {"n_themes": value}, notebook="04_pain_points.ipynb")
        text = str(caught.value)
        assert "04_pain_points.ipynb" in text and "parameters cell line 5" in text
        assert "Fix: " in text and "an int or 'auto'" in text
    assert parse_value(declared["n_themes"], "auto") == "auto" and parse_value(declared["n_themes"], "7") == 7
    with pytest.raises(ParameterError, match="an int or 'auto'"):
        parse_value(declared["n_themes"], "many")


def test_literal_values_of_other_kinds():
    declared = {"mode": Parameter("mode", 'Literal["fast", "exact", 3]', "fast", "fast, exact or 3", 1)}
    assert declared["mode"].types == ("'fast'", "'exact'", "3")
    assert check_parameters(declared, {"mode": 3}) == {"mode": 3}
    with pytest.raises(ParameterError, match="did you mean 'exact'"):
        check_parameters(declared, {"mode": "exakt"})
    with pytest.raises(ParameterError):
        check_parameters(declared, {"mode": "3"})                     # the text is not the number
    assert parse_value(declared["mode"], "3") == 3 and parse_value(declared["mode"], "exact") == "exact"


def test_a_literal_of_bare_words_is_read_by_plain_papermill_too(tmp_path):
    import papermill as pm

    nb = _nb(_params('n_themes: "Union[int, Literal[auto]]" = 10  # 1 or more, or "auto"'))
    path = tmp_path / "literal.ipynb"
    nbformat.write(nb, path)
    assert read_parameters(nb)["n_themes"].types == ("int", "'auto'")
    assert {k: v["inferred_type_name"] for k, v in pm.inspect_notebook(str(path)).items()} == {
        "n_themes": "Union[int, Literal[auto]]"}


def test_a_lower_bound_in_the_annotation_refuses_smaller_numbers_before_a_cell_runs(tmp_path):
    import papermill as pm

    line = 'n_themes: "Union[Annotated[int, Ge[1]], Literal[auto]]" = 10  # 1 or more, or "auto"'
    nb = _nb(_params('persona: str = "all"  # who\n' + line))
    path = tmp_path / "bounded.ipynb"
    nbformat.write(nb, path)
    declared = read_parameters(nb)
    assert declared["n_themes"].types == ("int ≥ 1", "'auto'") and declared["n_themes"].base_type == "int"
    for ok in (1, 10, "auto"):
        assert check_parameters(declared, {"n_themes": ok}) == {"n_themes": ok}
    for bad in (0, -4, True):
        with pytest.raises(ParameterError) as caught:
            check_parameters(declared, {"n_themes": bad}, notebook="bounded.ipynb")
        text = str(caught.value)
        assert f"got {bad!r}" in text and "a whole number, 1 or more, or 'auto'" in text
        assert "bounded.ipynb declares, in its parameters cell line 2" in text
    assert parse_value(declared["n_themes"], "1") == 1 and parse_value(declared["n_themes"], "auto") == "auto"
    with pytest.raises(ParameterError, match="a whole number, 1 or more, or 'auto'"):
        parse_value(declared["n_themes"], "0")
    # plain papermill still lists the parameter, with the annotation as written
    assert pm.inspect_notebook(str(path))["n_themes"]["inferred_type_name"] == (
        "Union[Annotated[int, Ge[1]], Literal[auto]]")


def test_bounds_on_both_sides_and_on_floats():
    declared = {"k": Parameter("k", "Annotated[int, Ge[2], Le[50]]", 5, "2 to 50", 1),
                "cut": Parameter("cut", "Optional[Annotated[float, Ge[0], Le[1]]]", None, "", 2)}
    assert declared["k"].types == ("int ≥ 2 ≤ 50",) and declared["cut"].types == ("float ≥ 0 ≤ 1", "None")
    assert check_parameters(declared, {"k": 2, "cut": 0.5}) == {"k": 2, "cut": 0.5}
    assert check_parameters(declared, {"cut": None}) == {"cut": None}
    for name, bad in (("k", 1), ("k", 51), ("cut", 1.5), ("cut", -0.1)):
        with pytest.raises(ParameterError, match=f"got {bad!r}"):
            check_parameters(declared, {name: bad})
    assert parse_value(declared["cut"], "none") is None and parse_value(declared["k"], "50") == 50


@pytest.mark.parametrize("text, got", [("0", "0"), ("abc", "'abc'"), ("2.5", "'2.5'")])
def test_a_whole_number_parameter_is_refused_in_whole_number_words(text, got):
    """The runner said "top_n must be of type Annotated[int, Ge[1]]"; every other whole number
    in jmtools reads like ``core.errors.whole_number``: one wording, one mechanism."""
    from jmtools.core.errors import whole_number

    declared = {"top_n": Parameter("top_n", "Annotated[int, Ge[1]]", 5, "how many", 6)}
    with pytest.raises(ParameterError) as caught:
        parse_value(declared["top_n"], text)
    first = str(caught.value).splitlines()[0]
    assert first == f"top_n must be a whole number, 1 or more — got {got}"
    with pytest.raises(ParameterError) as same:
        whole_number("top_n", 0)
    assert str(same.value).splitlines()[0] == "top_n must be a whole number, 1 or more — got 0"
    with pytest.raises(ParameterError, match="got '7'"):       # text from a file is not a number
        check_parameters(declared, {"top_n": "7"})
    assert "Annotated" not in first and str(caught.value).count("Fix:") == 1



def test_a_failed_cell_is_named_by_its_section_and_code_with_one_fix():
    """A jmtools error in a report cell printed two "Fix:" lines (its own and the runner's) and
    named the cell by its first line, often a comment."""
    from types import SimpleNamespace

    from jmtools.report.failure import failed_cell

    cells = [{"cell_type": "markdown", "source": "## Where it hurts\nRanked pain points."},
             {"cell_type": "code", "source": "# the ranked list\nsections.where_it_hurts(f, top_n=top_n)"}]
    err = SimpleNamespace(exec_count=9, cell_index=1, ename="ParameterError", source=cells[1]["source"],
                          evalue="top_n must be a whole number, 1 or more — got 0\n  Fix: pass e.g. 5")
    text = str(failed_cell(err, "00_journey_report.ipynb", "out/r.ipynb", cells))
    assert text.splitlines()[0] == ("00_journey_report.ipynb failed at In [9], section 'Where it hurts', "
                                    "`sections.where_it_hurts(f, top_n=top_n)`: ParameterError: top_n must "
                                    "be a whole number, 1 or more — got 0")
    assert text.count("Fix:") == 1 and "Fix: pass e.g. 5 (the traceback is under In [9]" in text
    plain = SimpleNamespace(exec_count=3, cell_index=0, ename="ZeroDivisionError", source="y = x / d",
                            evalue="division by zero")
    assert str(failed_cell(plain, "nb.ipynb", "p.ipynb", [])).count("Fix:") == 1


def test_a_cell_error_is_raised_even_when_the_partial_output_cannot_be_read(tmp_path, monkeypatch):
    """The partial output was cut short (a full disk): reading it to name the cell raised
    NotJSONError, which replaced the cell's own error. The cell's error is raised, named by its code."""
    from papermill.exceptions import PapermillExecutionError

    from jmtools.report import runner

    def cut_short(src, tmp, params, **kw):
        Path(tmp).write_text('{"cells": [{"cell_type": "code", "sou', encoding="utf-8")
        raise PapermillExecutionError(cell_index=2, exec_count=3, source="# divide\ny = x / divisor",
                                      ename="ZeroDivisionError", evalue="division by zero", traceback=[])

    monkeypatch.setattr(runner, "_execute", cut_short)
    out = tmp_path / "out.ipynb"
    with pytest.raises(ReportError) as caught:
        run_notebook(FAILS, out)
    text = str(caught.value)
    assert text.startswith(f"{FAILS} failed at In [3], `y = x / divisor`: ZeroDivisionError: division by zero")
    assert caught.value.output_path == str(out) and out.exists()


def test_a_full_disk_is_not_called_a_missing_kernel(tmp_path, monkeypatch):
    """Papermill could not write the output (no space left): the Fix said to check the kernel."""
    import errno

    from jmtools.report import runner

    def full(src, tmp, params, **kw):
        raise OSError(errno.ENOSPC, "No space left on device", tmp)

    monkeypatch.setattr(runner, "_execute", full)
    with pytest.raises(ReportError) as caught:
        run_notebook(FAILS, tmp_path / "out.ipynb")
    text = str(caught.value)
    assert "Fix: the disk is full: free space there, or write the report to another folder" in text
    assert "kernel" not in text and caught.value.ename == "OSError"
    monkeypatch.setattr(runner, "_execute", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("no kernel")))
    with pytest.raises(ReportError, match=r"Fix: check that the kernel 'python3' is installed"):
        run_notebook(FAILS, tmp_path / "out.ipynb")


def test_a_failed_cell_without_a_message_or_with_a_long_line_is_still_named_clearly():
    """``raise SystemExit`` / a bare ``assert`` left "AssertionError: " and nothing; a first line
    over 60 characters was cut mid-name without a mark."""
    from types import SimpleNamespace

    from jmtools.report.failure import failed_cell

    long = "sections.where_it_hurts(f, top_n=top_n, min_group=min_group, extra=True)"
    err = SimpleNamespace(exec_count=4, cell_index=0, ename="AssertionError", source=long, evalue="")
    first = str(failed_cell(err, "nb.ipynb", "p.ipynb", [])).splitlines()[0]
    assert first == ("nb.ipynb failed at In [4], `sections.where_it_hurts(f, top_n=top_n, "
                     "min_group=min_group…`: AssertionError: (no message)")
    none = SimpleNamespace(exec_count=1, cell_index=None, ename="SystemExit", source=None, evalue=None)
    assert str(failed_cell(none, "nb.ipynb", "p.ipynb", ())).splitlines()[0] == \
        "nb.ipynb failed at In [1]: SystemExit: (no message)"
