"""jmtools.report.batch: parallel runs, isolated failures, atomic files, index, sidecars, history."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pandas as pd
import pytest

from jmtools.core.errors import ParameterError
from jmtools.report.batch import Job, load_batch_config, load_history, persona_jobs, run_batch
from jmtools.sample_worlds import load_truths

pytestmark = pytest.mark.slow
HERE = Path(__file__).parent / "notebooks"
FEEDBACK = str(HERE / "chart_records_feedback.ipynb")
FAILS = str(HERE / "fails_when_divisor_zero.ipynb")
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def batch_runs(notebook_runs):
    """jobs Ben, "broken one" (fails) and Maya through run_batch(workers=2) into a folder, then
    Maya again (workers=1) into a copy of that folder (tests/notebook_runs.py)."""
    folder, first, second = notebook_runs.get("feedback_batch")
    return first, folder / "batch", second, folder / "again"


@pytest.fixture(scope="module")
def batch(batch_runs):
    first, out, _, _ = batch_runs
    return first, out


def test_one_failure_does_not_stop_the_others(batch):
    result, out = batch
    assert [r.name for r in result.results] == ["Ben", "broken one", "Maya"]  # job order kept
    assert [r.status for r in result.results] == ["ok", "failed", "ok"]
    [failed] = result.failed
    assert failed.error_type == "ZeroDivisionError" and "In [3]" in failed.error
    assert (out / failed.executed_notebook).exists()  # the partial notebook is kept
    summary = result.summary()
    assert "2 of 3 reports" in summary and "FAILED broken one" in summary
    assert "ZeroDivisionError" in summary and str(out / "notebooks" / "broken-one.ipynb") in summary


def test_files_per_report_and_no_temporary_leftovers(batch):
    _, out = batch
    names = sorted(p.name for p in out.iterdir())
    assert names == ["ben.html", "ben.json", "ben.static.html", "broken-one.json", "history.jsonl",
                     "index.html", "maya.html", "maya.json", "maya.static.html", "notebooks"]
    assert not [p for p in out.rglob(".*")]


def test_sidecar_holds_the_key_figures(batch):
    _, out = batch
    data = json.loads((out / "maya.json").read_text())
    df = pd.read_csv(HERE / "data" / "feedback.csv")
    maya = df[df.persona == "Maya"]
    assert data["status"] == "ok" and data["parameters"] == {"persona": "Maya"}
    assert data["figures"]["n_feedback"]["value"] == len(maya)
    assert data["figures"]["mean_score"]["value"] == pytest.approx(maya.score.mean(), abs=1e-6)
    assert data["sources"][0]["rows"] == len(df) and len(data["sources"][0]["sha256"]) == 64
    assert data["versions"]["papermill"]
    failed = json.loads((out / "broken-one.json").read_text())
    assert failed["status"] == "failed" and "ZeroDivisionError" in failed["error"]


def test_index_links_reports_with_headline_figures(batch):
    _, out = batch
    index = (out / "index.html").read_text()
    for target in ("ben.html", "ben.static.html", "maya.html", "maya.json",
                   "notebooks/broken-one.ipynb"):
        assert f'href="{target}"' in index and (out / target).exists()
    assert "2 of 3 reports were produced. Failed: broken one." in index
    assert re.search(r"Feedback items: <b>3 \(n=3\)</b>", index)  # Maya's headline figure
    assert "default-src 'none'" in index
    nonce = re.search(r"script-src 'nonce-([^']+)'", index).group(1)  # only the sort script runs
    assert re.findall(r"<script[^>]*>", index) == [f'<script nonce="{nonce}">']


def test_second_run_shows_trends_and_history_grows(batch_runs):
    first, _, again, out = batch_runs  # again: Maya run once more into (a copy of) the same folder
    assert again.results[0].figures == first.results[2].figures  # same input, same numbers
    index = (out / "index.html").read_text()
    assert "unchanged" in index
    history = load_history(out)
    assert list(history.columns) == ["run_id", "report", "figure", "value", "n"]
    maya = history[(history.report == "Maya") & (history.figure == "n_feedback")]
    assert len(maya) == 2 and maya.value.nunique() == 1
    assert set(history.report) == {"Ben", "Maya"}  # failed runs add no figures


def test_unknown_parameter_in_any_job_refuses_the_whole_batch(tmp_path):
    jobs = [Job("ok", FEEDBACK, {"persona": "Ben"}), Job("typo", FEEDBACK, {"persnoa": "Ben"})]
    with pytest.raises(ParameterError, match="did you mean 'persona'"):
        run_batch(jobs, tmp_path / "out", progress=False)
    assert not (tmp_path / "out" / "ok.html").exists()


def test_names_that_collide_on_disk_get_distinct_short_file_names():
    from jmtools.report.batch import _check_jobs

    long = "A persona whose name goes on and on " * 8
    jobs = [Job("Budget Ben", FEEDBACK, {}), Job("budget-ben", FEEDBACK, {}), Job("all", FEEDBACK, {}),
            Job("All", FEEDBACK, {}), Job(long, FEEDBACK, {}), Job("Зоя", FEEDBACK, {})]
    _check_jobs(jobs)
    stems = [j.stem for j in jobs]
    assert stems[:4] == ["budget-ben", "budget-ben-2", "all", "all-2"]
    assert len(set(stems)) == len(stems) and all(len(x) <= 60 for x in stems)
    assert stems[5].startswith("report-") and jobs[4].name == long     # the name itself is kept


def test_persona_jobs_one_per_persona_plus_everyone():
    from jmtools.journey import Journey

    journey = ROOT / "data" / "ecommerce" / "journey.yaml"
    if not journey.exists():
        pytest.skip("sample data not generated")
    jobs = persona_jobs(journey, notebook=FEEDBACK, parameters={"min_score": 0})
    names = Journey.load(journey).persona_names
    assert [j.parameters["persona"] for j in jobs] == ["all", *names]
    assert all(j.parameters["min_score"] == 0 for j in jobs)


def test_batch_config_file(tmp_path):
    (tmp_path / "batch.yaml").write_text(
        f"notebook: {FEEDBACK}\nout: weekly\nworkers: 2\nparameters: {{min_score: -1}}\n"
        "reports:\n  - name: Ben\n    parameters: {persona: Ben}\n  - name: everyone\n")
    cfg = load_batch_config(tmp_path / "batch.yaml")
    assert [(j.name, j.parameters) for j in cfg["jobs"]] == [
        ("Ben", {"min_score": -1, "persona": "Ben"}), ("everyone", {"min_score": -1})]
    assert cfg["out"] == str(tmp_path / "weekly") and cfg["workers"] == 2
    (tmp_path / "bad.yaml").write_text("notebook: x.ipynb\nreport: []\n")
    with pytest.raises(ParameterError, match="did you mean 'reports'"):
        load_batch_config(tmp_path / "bad.yaml")


# --- the `jmtools batch` and `jmtools demo` commands ------------------------------------------

def test_cli_batch_from_config_exits_1_when_a_report_fails(tmp_path, capsys):
    from jmtools.cli.main import main

    (tmp_path / "batch.yaml").write_text(
        f"notebook: {FEEDBACK}\nout: out\nworkers: 1\nreports:\n"
        "  - name: Maya\n    parameters: {persona: Maya}\n")
    assert main(["batch", "--config", str(tmp_path / "batch.yaml"), "--no-progress",
                 "--no-static"]) == 0
    assert "1 of 1 reports" in capsys.readouterr().out
    assert (tmp_path / "out" / "maya.html").exists()
    assert not (tmp_path / "out" / "maya.static.html").exists()
    (tmp_path / "broken.yaml").write_text(f"notebook: {FAILS}\nout: out2\nreports:\n"
                                          "  - name: broken\n")
    assert main(["batch", "--config", str(tmp_path / "broken.yaml"), "--no-progress"]) == 1
    assert "FAILED broken" in capsys.readouterr().out


def test_cli_batch_without_reports_is_a_usage_error(capsys):
    from jmtools.cli.main import main

    assert main(["batch", FEEDBACK]) == 2
    assert "--journey" in capsys.readouterr().err


def test_demo_plans_every_persona_and_everyone_of_every_world(tmp_path, monkeypatch, capsys):
    """The demo's wiring, without running 9 notebooks (the notebook tests run the report)."""
    from jmtools.cli import main as cli
    from jmtools.journey import Journey
    from jmtools.report import batch as batch_mod
    from jmtools.sample_worlds import WORLDS

    if not all((ROOT / "data" / w / "journey.yaml").exists() for w in WORLDS):
        pytest.skip("sample data not generated")
    seen = {}

    def fake_run_batch(jobs, out, **kw):
        seen["jobs"], seen["out"] = list(jobs), out
        results = [batch_mod.JobResult(name=j.name, stem=j.stem, status="ok", html=f"{j.stem}.html",
                                       sidecar=f"{j.stem}.json", parameters=j.parameters)
                   for j in seen["jobs"]]
        index = batch_mod.write_index(results, out, run_id="2026-01-01T00:00:00+00:00")
        return batch_mod.BatchResult(results, str(out), str(index), "", "x", 0.0)

    monkeypatch.setattr(batch_mod, "run_batch", fake_run_batch)
    assert cli.main(["demo", "--out", str(tmp_path / "reports"), "--no-progress"]) == 0
    expected = []
    for world in WORLDS:
        names = Journey.load(ROOT / "data" / world / "journey.yaml").persona_names
        expected += [(str(ROOT / "data" / world), p) for p in ["all", *names]]
    got = [(j.parameters["data_dir"], j.parameters["persona"]) for j in seen["jobs"]]
    assert got == expected
    assert all(j.notebook == str(ROOT / "notebooks" / "00_journey_report.ipynb")
               for j in seen["jobs"])
    out = capsys.readouterr().out
    assert f"Open the reports: {(tmp_path / 'reports' / 'index.html').resolve().as_uri()}" in out


@pytest.mark.slow
def test_one_broken_persona_never_sinks_the_batch(tmp_path):
    """A misspelt rule fails that persona's report alone, located; a rule selecting nobody gets a
    page saying so; every other report is written and names the persona left out."""
    import shutil

    world = tmp_path / "world"
    shutil.copytree(ROOT / "data" / "ecommerce", world)
    journey = world / "journey.yaml"
    text = journey.read_text(encoding="utf-8")
    text = text.replace('rule: "runs_per_week >= 4"', 'rule: "runs_perweek >= 4"')
    text = text.replace('rule: "runs_per_week <= 1 and age >= 30"', 'rule: "age > 500"')
    journey.write_text(text, encoding="utf-8")
    jobs = persona_jobs(journey, notebook=ROOT / "notebooks" / "00_journey_report.ipynb",
                        parameters={"data_dir": str(world)})
    batch = run_batch(jobs, tmp_path / "out", workers=2, static=False, progress=False)
    by_name = {r.name: r for r in batch.results}
    assert [r.name for r in batch.failed] == ["Marathon Maya"], batch.summary()
    maya = by_name["Marathon Maya"]
    assert "runs_perweek" in maya.error and "did you mean 'runs_per_week'" in maya.error
    assert "Traceback" not in batch.summary()
    index = (tmp_path / "out" / "index.html").read_text(encoding="utf-8")
    assert "Marathon Maya" in index and "runs_perweek" in index
    nina = (tmp_path / "out" / by_name["New Runner Nina"].html).read_text(encoding="utf-8")
    assert "No customer belongs to New Runner Nina" in nina
    assert by_name["New Runner Nina"].figures["customers"]["value"] == 0
    ben = (tmp_path / "out" / by_name["Budget Ben"].html).read_text(encoding="utf-8")
    assert "Persona Marathon Maya is left out of this report" in ben


@pytest.mark.parametrize("text, expected", [
    ('reports:\n  - name: a\n    parameters: !!python/object/apply:os.system ["echo hi"]\n',
     "not valid batch YAML [line 3, column 17]"),
    ("- a\n- b\n", "a batch config is a mapping of keys, got list"),
    ("notebook: [unclosed\n", "not valid batch YAML"),
])
def test_a_bad_batch_config_is_a_located_error_never_a_traceback(tmp_path, text, expected):
    from jmtools.core.errors import DataError

    path = tmp_path / "batch.yaml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DataError, match=re.escape(expected)):
        load_batch_config(path)
    with pytest.raises(DataError, match="not a file"):
        load_batch_config(tmp_path)


# ------------------------------------------------------------------ whatever tables exist
@pytest.fixture(scope="module")
def subset_batch(notebook_runs):
    """Notebook 00 on folders with only some tables (tests/table_subsets.py), one batch
    (tests/notebook_runs.py, "subsets_batch"): BatchResult, output folder, job → (subset, persona)."""
    folder, result, which = notebook_runs.get("subsets_batch")
    return result, folder / "batch", which


def test_every_report_builds_with_any_subset_of_tables(subset_batch):
    from table_subsets import MISSING, SUBSETS, missing, report_text

    result, out, which = subset_batch
    assert not result.failed, result.summary()
    index = (out / "index.html").read_text(encoding="utf-8")
    for res in result.results:
        subset, persona = which[res.name]
        assert res.name in index
        text = report_text((out / res.html).read_text(encoding="utf-8"))
        for kind in missing(subset):
            assert MISSING[kind] in text, (res.name, kind)
        for kind in set(SUBSETS[subset]) & set(MISSING):
            assert MISSING[kind] not in text, (res.name, kind)
        assert "Traceback" not in text and "Error:" not in text
        assert not re.findall(r"\b(nan|NaN|NaT|None|<NA>)\b", text), (res.name, re.findall(
            r".{60}\b(?:nan|NaN|NaT|None|<NA>)\b.{20}", text)[:3])
        assert res.figures["customers"]["value"] == (0 if persona != "all" else 300 if "events" in SUBSETS[subset]
                                                     else res.figures["customers"]["value"])


def test_a_curve_nothing_measures_is_drawn_assumed_never_measured(subset_batch):
    from table_subsets import emotion_lane_series, report_specs, report_text, title_of

    result, out, which = subset_batch
    for res in result.results:
        subset, _ = which[res.name]
        page = (out / res.html).read_text(encoding="utf-8")
        specs = report_specs(page)
        curves = [title_of(s) for s in specs if title_of(s).startswith("Emotion curve")]
        [the_map] = [s for s in specs if title_of(s).startswith("Running shoes online")
                     and not s["usermeta"].get("print")]  # the whole map; its print-only parts aside
        if subset == "customers+orders":
            assert curves == ["Emotion curve assumed in the workshop: all customers (no evidence in the data)"]
            assert emotion_lane_series(the_map) == {"assumed"}
            assert "measured from evidence" not in json.dumps(specs)
            assert "Assumed, not measured" in report_text(page)
        elif subset == "events":
            assert curves == ["Emotion curve from behaviour: all customers"]
            assert "Measured from behaviour only" in report_text(page)


def test_a_persona_report_without_a_customer_table_says_why(subset_batch):
    from table_subsets import report_text

    result, out, which = subset_batch
    [ben] = [r for r in result.results if which[r.name] == ("events+orders", "Budget Ben")]
    text = report_text((out / ben.html).read_text(encoding="utf-8"))
    assert "No customer can be tied to Budget Ben" in text
    assert "add customers.csv with columns customer_id, age, price_sensitivity, runs_per_week" in text


@pytest.mark.slow
def test_the_grocery_world_batch_reports_its_repeat_stage_and_mailings(tmp_path):
    """The behaviour-only world end to end: two persona reports of the real report notebook."""
    import json

    from jmtools.journey import Journey

    data = ROOT / "data" / "grocery"
    notebook = ROOT / "notebooks" / "00_journey_report.ipynb"
    jobs = [j for j in persona_jobs(data / "journey.yaml", notebook=notebook,
                                    parameters={"data_dir": str(data)})
            if j.parameters["persona"] in ("all", "Deal Hunter Dev")]
    result = run_batch(jobs, tmp_path / "out", workers=2, static=False, progress=False)
    assert [r.status for r in result.results] == ["ok", "ok"], [r.error for r in result.results]
    stages = Journey.load(data / "journey.yaml").stage_names
    truths = load_truths("grocery")["funnel"]["reach"]
    for r in result.results:
        html = (tmp_path / "out" / r.html).read_text(encoding="utf-8")
        assert all(s in html for s in stages) and "Traceback" not in html
        assert "No survey scores in this folder" in html          # behaviour only, said plainly
        assert "Not in the funnel" not in html                    # every stage receives events
    dev = next(r for r in result.results if r.parameters["persona"] == "Deal Hunter Dev")
    reached = {k: v["value"] for k, v in dev.figures.items() if k.startswith("funnel_")}
    want = truths["Deal Hunter Dev"]
    last = dev.figures["reached_last_stage"]["value"]       # the last stage is recorded once, by the headline
    assert last == pytest.approx(want["Repeat order"] / want["Awareness"])
    assert f"funnel_{len(stages)}" not in reached and f"funnel_{len(stages) - 1}" in reached


@pytest.mark.slow
def test_a_second_batch_says_what_changed_in_the_map_since_the_first(tmp_path):
    """The batch keeps each run's journey file under maps/; the next run's report compares its
    map with it ("Since last time"), and the first run says it is the first."""
    import shutil

    data = tmp_path / "data"
    shutil.copytree(ROOT / "data" / "ecommerce", data)
    notebook = ROOT / "notebooks" / "00_journey_report.ipynb"

    def batch():
        jobs = [j for j in persona_jobs(data / "journey.yaml", notebook=notebook,
                                        parameters={"data_dir": str(data)})
                if j.parameters["persona"] == "Budget Ben"]
        result = run_batch(jobs, tmp_path / "out", workers=1, static=False, progress=False)
        assert [r.status for r in result.results] == ["ok"], [r.error for r in result.results]
        return (tmp_path / "out" / result.results[0].html).read_text(encoding="utf-8")

    first = batch()
    assert "This is the first run of this report recorded in its folder" in first
    journey = data / "journey.yaml"
    journey.write_text(journey.read_text().replace("status: planned", "status: in progress", 1))
    second = batch()
    assert "What changed in the map since the last run" in second
    assert "in progress" in second.rsplit("What changed in the map since the last run", 1)[1][:6000]
    history = [json.loads(line) for line in (tmp_path / "out" / "history.jsonl").read_text().splitlines()]
    assert [h["map"][:5] for h in history] == ["maps/", "maps/"] and history[0]["map"] != history[1]["map"]
    assert "history_dir" not in history[1]["parameters"]           # recorded parameters stay the job's
