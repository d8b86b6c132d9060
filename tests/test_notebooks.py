"""All eight notebooks of notebooks/ together: one parameters cell each, every parameter says
its valid values, shared parameters have one default (the pipeline's), data_dir defaults to a
bundled sample world that resolves from any working directory, the files stay output-free, and
each step notebook runs on folders holding only some tables (in-process, tests/inprocess.py).
(Each notebook's own run is tested in tests/test_notebook_0x.py; tests/notebook_runs.py runs
every notebook once from the repository root with its default data folder.)"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from jmtools import pipeline
from jmtools.core.resources import resolve_data_dir
from jmtools.report.runner import read_parameters

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("[0-9][0-9]_*.ipynb"))

#: Parameters that appear in several notebooks → the one default they all use.
SHARED = {"data_dir": "sample:ecommerce", "journey_file": "", "persona": "all", "personas_file": "",
          "min_n": pipeline.MIN_N, "seed": pipeline.SEED, "n_themes": pipeline.N_THEMES,
          "min_effect": pipeline.MIN_EFFECT}


def test_the_eight_notebooks_are_found():
    assert [p.name[:2] for p in NOTEBOOKS] == ["00", "01", "02", "03", "04", "05", "06", "07"]


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_one_parameters_cell_output_free_python3(notebook):
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    tagged = [c for c in nb["cells"] if "parameters" in c.get("metadata", {}).get("tags", [])]
    assert len(tagged) == 1
    assert nb["metadata"]["kernelspec"]["name"] == "python3"
    assert not any(c.get("outputs") or c.get("execution_count") for c in nb["cells"]
                   if c["cell_type"] == "code")
    assert notebook.read_text(encoding="utf-8").endswith("}\n")


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_shared_parameters_have_one_default(notebook):
    declared = read_parameters(notebook)
    for name, param in declared.items():
        if name in SHARED:
            assert param.default == SHARED[name], (notebook.name, name, param.default)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_every_parameter_lists_its_valid_values(notebook):
    for name, param in read_parameters(notebook).items():
        assert param.help, (notebook.name, name)
        if param.base_type in ("int", "float"):
            assert any(w in param.help for w in ("or more", " to ", "integer", ":")), (name, param.help)
        if param.base_type == "bool":
            assert "True" in param.help or "False" in param.help, (name, param.help)
    persona = read_parameters(notebook)["persona"].help
    assert '"all"' in persona and "Budget Ben" in persona      # the default world's personas, named


def test_data_dir_defaults_resolve_from_any_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for notebook in NOTEBOOKS:
        default = read_parameters(notebook)["data_dir"].default
        assert (resolve_data_dir(default) / "journey.yaml").is_file(), notebook.name


def test_the_persona_comment_names_the_default_worlds_personas():
    from jmtools.journey import Journey

    names = Journey.load(resolve_data_dir(SHARED["data_dir"]) / "journey.yaml").persona_names
    help_text = read_parameters(NOTEBOOKS[0])["persona"].help
    assert all(f'"{n}"' in help_text for n in names)


@pytest.mark.parametrize("notebook", NOTEBOOKS, ids=lambda p: p.stem)
def test_plain_papermill_reads_the_same_parameters(notebook):
    import papermill as pm

    assert list(pm.inspect_notebook(str(notebook))) == list(read_parameters(notebook))


#: (notebook, table subset, the missing table whose note it must show): each step notebook on the
#: subsets that take its branches (tests/table_subsets.py). Notebook 00 is tests/test_report_sections.py.
ANY_TABLES = [("01_personas", "events", "customers"), ("01_personas", "customers+orders", "events"),
              ("02_data_integration", "events", "surveys"), ("02_data_integration", "surveys", "events"),
              ("03_emotion_curves", "customers+orders", "surveys"), ("03_emotion_curves", "feedback", "customers"),
              ("04_pain_points", "events", "feedback"), ("04_pain_points", "feedback", "customers"),
              ("05_prioritisation", "events", "orders"), ("05_prioritisation", "customers+orders", "events"),
              ("06_workshop", "surveys", "events")]


@pytest.mark.parametrize("notebook, subset, absent", ANY_TABLES, ids=lambda x: x if "_" not in x else x[:2])
def test_step_notebooks_run_on_any_subset_of_tables(table_subset, notebook, subset, absent):
    import re

    from inprocess import run_cells
    from table_subsets import MISSING, shown_text

    run = run_cells(ROOT / "notebooks" / f"{notebook}.ipynb", {"data_dir": str(table_subset(subset))})
    text = shown_text(run.displayed)
    if notebook == "05_prioritisation" and absent == "events":  # 05 reads the pain points, not events
        absent = None
    if notebook == "06_workshop":  # widgets: the sections inside them say it (tests/test_widgets_focus.py)
        absent = None
    assert absent is None or MISSING[absent] in text, text[:1500]
    assert not re.findall(r"\b(nan|NaT|<NA>)\b", text)


def test_step_numbers_agree_with_the_method():
    """A notebook titled "Step N · …" names the method's step N as the teaching track does, and
    the README's notebook table gives each notebook the same step."""
    import re

    from jmtools.teaching import STEPS

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    rows = dict(re.findall(r"^\| `(\d\d_[a-z_]+)` \| ([^|]+) \|", readme, flags=re.M))
    titled = 0
    for path in NOTEBOOKS:
        title = "".join(json.loads(path.read_text(encoding="utf-8"))["cells"][0]["source"]).splitlines()[0]
        step = re.match(r"# Step (\d) · (.+)", title)
        if step:
            titled += 1
            number, rest = int(step.group(1)), step.group(2)
            assert rest.lower().startswith(STEPS[number][1].lower()), (path.name, STEPS[number])
            assert rows[path.stem].split()[0] == str(number), (path.stem, rows[path.stem])
    assert titled >= 5
    for number, (stem, _) in STEPS.items():
        assert (ROOT / "notebooks" / "teaching" / f"{stem}.ipynb").exists() and stem[:2] == f"{number:02d}"


@pytest.fixture(scope="module")
def nobody_world(tmp_path_factory):
    """The e-commerce sample with Marathon Maya's rule matching no customer."""
    import shutil

    folder = tmp_path_factory.mktemp("nobody") / "ecommerce"
    shutil.copytree(ROOT / "data" / "ecommerce", folder)
    path = folder / "journey.yaml"
    text = path.read_text(encoding="utf-8")
    assert 'rule: "runs_per_week >= 4"' in text
    path.write_text(text.replace('rule: "runs_per_week >= 4"', 'rule: "runs_per_week >= 40"'), encoding="utf-8")
    return folder


@pytest.mark.parametrize("name", ["01_personas", "02_data_integration", "03_emotion_curves", "04_pain_points",
                                  "05_prioritisation"])
def test_a_persona_whose_rule_selects_nobody_is_said_before_any_table(nobody_world, name):
    """Notebooks 01-03 on a persona whose rule matches no customer stopped in a chart ("typical is
    empty: nothing to draw", "funnel is empty") or said the persona was not one of the journey's;
    04 and 05 ran and showed empty tables without saying why. They now stop first, naming the
    rule and what to check."""
    from inprocess import run_cells

    from jmtools.core.errors import ParameterError

    with pytest.raises(ParameterError) as err:
        run_cells(ROOT / "notebooks" / f"{name}.ipynb", {"data_dir": str(nobody_world), "persona": "Marathon Maya"})
    said = str(err.value)
    assert "its rule (runs_per_week >= 40) selects none of the 4,000 customers" in said, said
    assert "'Budget Ben'" in said and "'Marathon Maya'" not in said.split("got")[0]
    run = run_cells(ROOT / "notebooks" / f"{name}.ipynb", {"data_dir": str(nobody_world), "persona": "Budget Ben"})
    assert run.displayed


def test_a_personas_file_may_name_personas_the_journey_does_not(tmp_path):
    """A personas file from a CRM names its own segments: notebook 03 draws their curves, and the
    check for a persona without customers reads the file's names, not the journey's."""
    from inprocess import run_cells

    from jmtools.core.errors import ParameterError
    from jmtools.personas import assign_personas
    from jmtools.sources import load_world

    world = load_world("sample:ecommerce")
    crm = assign_personas(world.customers.to_pandas(), world.journey)[["customer_id", "persona"]]
    crm["persona"] = crm["persona"].map({"Budget Ben": "Value seekers"}).fillna("Others")
    path = tmp_path / "crm.csv"
    crm.to_csv(path, index=False)
    run = run_cells(ROOT / "notebooks" / "03_emotion_curves.ipynb", {"personas_file": str(path),
                                                                     "persona": "Value seekers"})
    assert "Value seekers" in set(run.namespace["curve"]["persona"])
    with pytest.raises(ParameterError, match="'Value seekers'"):
        run_cells(ROOT / "notebooks" / "03_emotion_curves.ipynb", {"personas_file": str(path),
                                                                   "persona": "Value seekrs"})
