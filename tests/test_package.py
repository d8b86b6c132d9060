"""Project-wide contracts: public surface, light import, notebook habits, the README's commands."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
import subprocess
import sys
from pathlib import Path

import pytest

import jmtools

ROOT = Path(__file__).resolve().parents[1]
MODULES = sorted(m.name for m in pkgutil.walk_packages(jmtools.__path__, "jmtools.")
                 if not m.name.split(".")[-1].startswith("_"))


def test_fixed_project_shape():
    for name in ("notebooks", "jmtools", "templates", "data", "tests", "environment.yml",
                 "README.md", ".ci/run", "benchmarks"):
        assert (ROOT / name).exists(), name


def test_readme_two_commands_and_ci_runs_the_test_command():
    readme = (ROOT / "README.md").read_text()
    assert "make demo" in readme and "make test" in readme
    ci = [line.strip() for line in (ROOT / ".ci" / "run").read_text().splitlines()]
    assert "make test" in ci


@pytest.mark.parametrize("name", MODULES)
def test_module_declares_its_public_surface(name):
    module = importlib.import_module(name)
    assert hasattr(module, "__all__"), f"{name} has no __all__"
    for public in module.__all__:
        assert hasattr(module, public), f"{name}.__all__ names {public!r}, which does not exist"
        obj = getattr(module, public)
        if inspect.isfunction(obj) or inspect.isclass(obj):
            assert inspect.getdoc(obj), f"{name}.{public} has no docstring"


ALL_MODULES = ["jmtools"] + sorted(m.name for m in pkgutil.walk_packages(jmtools.__path__, "jmtools."))
#: Modules whose ``__all__`` disagrees with what they define (reported, to be fixed by their owners).
ALL_MISMATCH = {
    "jmtools": "__all__ lists '__version__' (a leading underscore)",
    "jmtools.sample_worlds.b2b": "public functions simulate, reduce, truths, readme are not in __all__",
    "jmtools.sample_worlds.ecommerce": "public functions simulate, reduce, truths, readme are not in __all__",
}


@pytest.mark.parametrize("name", [
    pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=ALL_MISMATCH[n])) if n in ALL_MISMATCH
    else n for n in ALL_MODULES])
def test_all_lists_exactly_the_public_names_defined_here(name):
    """Both directions: every name in ``__all__`` exists and is public, and every public
    function or class defined in the module (not imported into it) is in ``__all__``.
    Private modules without an ``__all__`` are skipped (their package's ``__all__`` counts)."""
    module = importlib.import_module(name)
    if not hasattr(module, "__all__"):
        assert name.split(".")[-1].startswith("_"), f"{name} has no __all__"
        pytest.skip(f"private module {name} declares no __all__")
    listed = list(module.__all__)
    assert len(listed) == len(set(listed)), f"{name}.__all__ repeats a name"
    assert not [n for n in listed if n.startswith("_")], f"{name}.__all__ lists private names"
    assert not [n for n in listed if not hasattr(module, n)], f"{name}.__all__ lists missing names"
    defined = [n for n, obj in vars(module).items()
               if not n.startswith("_") and (inspect.isfunction(obj) or inspect.isclass(obj))
               and getattr(obj, "__module__", None) == name]
    assert not [n for n in defined if n not in listed], f"{name} defines public names not in __all__"


def test_import_jmtools_is_light():
    code = ("import sys, jmtools, jmtools.journey, jmtools.core.errors, jmtools.cli.main; "
            "heavy = [m for m in ('altair', 'papermill', 'sklearn', 'vl_convert', 'pyspark', "
            "'vaderSentiment', 'ibis', 'duckdb', 'nbconvert') if m in sys.modules]; print(heavy)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


#: What each entry point of a report may not load when it starts (a structural guard on import
#: cost, not a timing): the report notebook's imports leave the model libraries to the analyses
#: that fit a model; the command line's parent process of ``jmtools report`` runs papermill and
#: exports HTML, so it loads no data library, no other command and neither the pipeline nor the
#: batch; ``import jmtools.cli.main`` loads no command at all.
COMMAND_MODULES = ("jmtools.cli.report", "jmtools.cli.batch", "jmtools.cli.validate",
                   "jmtools.cli.project", "jmtools.cli.map", "jmtools.cli.discover",
                   "jmtools.cli.teaching", "jmtools.cli.diff")
LIGHT_STARTS = {
    "report-notebook-imports": (
        "from jmtools import pipeline; from jmtools.report import iterate, sections",
        ("sklearn", "scipy", "vaderSentiment", "pyspark", "vl_convert", "papermill", "nbconvert",
         "ipywidgets", "jmtools.widgets", "jmtools.teaching")),
    "report-command-parent": (
        "from jmtools.cli.main import build_parser; build_parser('report'); "
        "import jmtools.report.html, jmtools.report.runner, jmtools.report.pdf",
        ("pandas", "sklearn", "scipy", "altair", "ibis", "duckdb", "pyarrow", "IPython",
         "ipywidgets", "jmtools.pipeline", "jmtools.report.batch", "jmtools.evidence",
         "jmtools.journey", *(m for m in COMMAND_MODULES if m != "jmtools.cli.report"))),
    "cli-main": ("import jmtools.cli.main", COMMAND_MODULES),
}


@pytest.mark.parametrize("start", sorted(LIGHT_STARTS))
def test_each_entry_point_starts_without_what_it_does_not_use(start):
    code, banned = LIGHT_STARTS[start]
    probe = f"import sys; {code}; print([m for m in {banned!r} if m in sys.modules])"
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]", f"{start} imports {out.stdout.strip()}"


def test_the_guard_sees_a_module_that_is_imported():
    """The probe above can fail: a start that does import a banned module is reported."""
    code = "import sys; import jmtools.cli.main; build = jmtools.cli.main.build_parser; build(); "
    out = subprocess.run([sys.executable, "-c", code + f"print([m for m in {COMMAND_MODULES!r} "
                          "if m in sys.modules])"], capture_output=True, text=True, check=True)
    assert "jmtools.cli.report" in out.stdout and "jmtools.cli.map" in out.stdout


def test_altair_after_jmtools_skips_only_jsonschema_s_iri_grammars():
    """D22: jsonschema (imported by Altair) does not build rfc3987_syntax's grammars; charts
    still validate, the "uri" format is still checked, and rfc3987_syntax stays importable."""
    pytest.importorskip("rfc3987_syntax")
    code = (
        "import sys, jmtools, importlib; import altair as alt, jsonschema, pandas as pd\n"
        "assert 'rfc3987_syntax' not in sys.modules\n"
        "importlib.reload(jmtools)\n"
        "assert sum(type(f).__name__ == '_NoIriGrammarsForJsonschema' for f in sys.meta_path) == 1\n"
        "checker = jsonschema.Draft7Validator.FORMAT_CHECKER\n"
        "assert 'iri' not in checker.checkers and 'uri' in checker.checkers\n"
        "alt.Chart(pd.DataFrame({'a': [1]})).mark_bar().encode(x='a').to_dict(validate=True)\n"
        "try:\n"
        "    alt.Chart(pd.DataFrame({'a': [1]})).mark_bar(size='big').to_dict(validate=True)\n"
        "    raise SystemExit('an invalid chart validated')\n"
        "except alt.utils.schemapi.SchemaValidationError:\n"
        "    pass\n"
        "import rfc3987_syntax\n"
        "print(rfc3987_syntax.is_valid_syntax('iri', 'http://example.org/ä'))\n")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "True"


NOTEBOOKS = sorted(p for p in (ROOT / "notebooks").rglob("*.ipynb")
                   if ".ipynb_checkpoints" not in p.parts)


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: str(p.relative_to(ROOT)))
def test_notebooks_are_clean_templates(path):
    nb = json.loads(path.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code"]
    assert not any(c.get("outputs") for c in code), "stored outputs: clear them before committing"
    assert not any(c.get("execution_count") for c in code), "stored execution counts"
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    if "teaching" not in path.parts:
        assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
        lines = [line for line in "".join(tagged[0]["source"]).splitlines()
                 if line.strip() and not line.lstrip().startswith("#")]
        for line in lines:
            assert ":" in line.split("=")[0] and "#" in line, \
                f"parameters are annotated and explained: {line!r}"


def test_nbconvert_finds_the_report_exporter():
    from nbconvert.exporters import get_exporter

    exporter = get_exporter("jmtools_report")
    assert exporter.__name__ == "ReportHTMLExporter"


def test_in_a_kernel_the_kits_warnings_are_one_line_notes_and_others_unchanged():
    """A notebook showed "…/jmtools/pipeline/_chain.py:413: UserWarning: left off …" and the line of
    source below it; in a kernel (ipykernel loaded) the kit's warnings read "note: …"."""
    import subprocess
    import sys

    code = ("import sys, types, warnings; sys.modules['ipykernel'] = types.ModuleType('ipykernel'); "
            "import jmtools; warnings.simplefilter('always'); "
            "warnings.warn_explicit('feedback: 54 rows dropped', UserWarning, '/x/jmtools/analyses/valence.py', 171); "
            "warnings.warn_explicit('other library', UserWarning, '/x/other/mod.py', 3)")
    err = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stderr
    assert "note: feedback: 54 rows dropped\n" in err and "valence.py" not in err
    assert "/x/other/mod.py:3: UserWarning: other library" in err
    plain = subprocess.run([sys.executable, "-c", code.replace("sys.modules['ipykernel'] = types.ModuleType('ipykernel'); ", "")],
                           capture_output=True, text=True, check=True).stderr
    assert "valence.py:171: UserWarning: feedback: 54 rows dropped" in plain    # a script is left as Python does it
