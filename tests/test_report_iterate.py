"""The step-7 report sections: what they show and record, on small inputs, without a kernel."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jmtools.journey import Journey
from jmtools.report import iterate

TEMPLATE = Path(__file__).resolve().parents[1] / "templates" / "journeys" / "b2b_service.yaml"


@pytest.fixture
def shown(monkeypatch):
    out = {"displayed": [], "records": {}}
    monkeypatch.setattr(iterate, "_display", lambda *objs: out["displayed"].extend(objs))
    monkeypatch.setattr(iterate, "record", lambda name, value, **kw: out["records"].__setitem__(name, value))
    return out


def _text(objs) -> str:
    return "\n".join(getattr(o, "data", "") if isinstance(getattr(o, "data", ""), str) else "" for o in objs)


def test_what_changed_lists_renames_in_words(shown):
    old = Journey.load(TEMPLATE)
    new = Journey.from_yaml(TEMPLATE.read_text().replace("Qualification", "Discovery call"))
    changes = iterate.what_changed(old, new, old_label="v1")
    assert shown["records"]["map_changes"] == len(changes) == 1
    text = _text(shown["displayed"])
    assert "What changed in the map since v1" in text and "renamed to &#x27;Discovery call&#x27;" in text


def test_what_changed_says_when_nothing_did(shown):
    j = Journey.load(TEMPLATE)
    assert iterate.what_changed(j, j) == []
    assert "The map is the same as last time." in _text(shown["displayed"])


def test_kpi_trends_flags_the_shifted_series_and_draws_it_first(shown):
    rng = np.random.default_rng(0)
    runs = [f"r{i:02d}" for i in range(14)]
    history = pd.concat([
        pd.DataFrame({"run_id": runs, "report": "all", "figure": "funnel_2",
                      "value": np.r_[0.5 + 0.01 * rng.standard_normal(8), 0.6 + 0.01 * rng.standard_normal(6)]}),
        pd.DataFrame({"run_id": runs, "report": "all", "figure": "nps_Decision",
                      "value": 20 + rng.integers(-2, 3, 14)})])
    iterate.kpi_trends(history, baseline=8, charts=1)
    assert shown["records"]["kpi_signals"] >= 1
    charts = [o for o in shown["displayed"] if hasattr(o, "to_dict")]
    assert len(charts) == 1 and charts[0].to_dict()["title"].startswith("funnel_2 · all")


def test_kpi_trends_with_too_few_runs(shown):
    iterate.kpi_trends(pd.DataFrame({"run_id": ["a", "b"], "report": "all", "figure": "x", "value": [1, 2]}))
    assert "Not enough runs yet: 2 recorded, and a control chart needs 9" in _text(shown["displayed"])


def test_opportunity_outcomes_without_change_dates_says_how(shown):
    iterate.opportunity_outcomes(Journey.load(TEMPLATE))
    assert "No opportunity carries a `change_date` yet" in _text(shown["displayed"])


def _history(folder: Path, runs: list[dict]) -> None:
    import json

    (folder / "history.jsonl").write_text("".join(json.dumps(r) + "\n" for r in runs))


def _findings(journey):
    from types import SimpleNamespace

    from jmtools.pipeline import Focus

    return SimpleNamespace(journey=journey, focus=Focus(persona="Budget Ben", label="Budget Ben"))


def test_since_last_time_compares_with_the_map_of_the_last_run_of_the_same_focus(shown, tmp_path):
    old = Journey.load(TEMPLATE)
    (tmp_path / "maps").mkdir()
    (tmp_path / "maps" / "old.yaml").write_text(TEMPLATE.read_text())
    (tmp_path / "maps" / "other.yaml").write_text(TEMPLATE.read_text().replace("Onboarding", "Setup"))
    figures = {"funnel_2": {"value": 0.5, "n": 100}}
    _history(tmp_path, [
        {"run_id": "2026-11-01T09:00:00", "report": "Budget Ben", "parameters": {"persona": "Budget Ben"},
         "map": "maps/old.yaml", "figures": figures},
        {"run_id": "2026-11-08T09:00:00", "report": "all", "parameters": {},            # another focus
         "map": "maps/other.yaml", "figures": figures}])
    new = Journey.from_yaml(TEMPLATE.read_text().replace("Qualification", "Discovery call"))
    out = iterate.since_last_time(_findings(new), history_dir=str(tmp_path))
    assert out["runs"] == 1 and out["map_before"].endswith("old.yaml") and len(out["changes"]) == 1
    text = _text(shown["displayed"])
    assert "### What changed in the map since the last run (2026-11-01)" in text
    assert "renamed to &#x27;Discovery call&#x27;" in text and "Onboarding" not in text
    assert "Not enough runs yet" in text                       # one earlier run: no control limits
    assert shown["records"]["earlier_runs"] == 1
    assert old != new
    shown["displayed"].clear()                                 # an explicit map is named as itself
    iterate.since_last_time(_findings(new), history_dir=str(tmp_path), map_before=str(TEMPLATE))
    assert "What changed in the map since b2b\\_service.yaml" in _text(shown["displayed"])


def test_since_last_time_never_compares_with_another_worlds_run_of_the_same_focus(shown, tmp_path):
    """jmtools demo writes several worlds' reports into one folder: each world's "all customers"
    (and any persona of the same name) must find its own world's last run, not the latest."""
    ours = TEMPLATE.read_text()
    name = Journey.load(TEMPLATE).name
    assert name and f"name: {name}" in ours
    theirs = ours.replace(f"name: {name}", "name: Another world").replace("Onboarding", "Setup")
    (tmp_path / "maps").mkdir()
    (tmp_path / "maps" / "ours.yaml").write_text(ours)
    (tmp_path / "maps" / "theirs.yaml").write_text(theirs)
    figures = {"funnel_2": {"value": 0.5, "n": 100}}
    ben = {"persona": "Budget Ben"}
    _history(tmp_path, [
        {"run_id": "2026-11-01T09:00:00", "report": "ours", "parameters": ben, "map": "maps/ours.yaml",
         "figures": figures},
        {"run_id": "2026-11-01T09:05:00", "report": "theirs", "parameters": ben, "map": "maps/theirs.yaml",
         "figures": figures},                                   # later, same focus, another journey
        {"run_id": "2026-11-01T09:06:00", "report": "unknown", "parameters": ben, "map": None,
         "figures": figures}])            # no kept map, and the folder holds another journey: left out
    out = iterate.since_last_time(_findings(Journey.load(TEMPLATE)), history_dir=str(tmp_path))
    assert out["runs"] == 1 and out["map_before"].endswith("ours.yaml") and out["changes"] == []
    assert "Setup" not in _text(shown["displayed"])
    from jmtools.report.batch import earlier_runs

    everything = earlier_runs(tmp_path, _findings(None).focus)
    assert [r["report"] for r in everything] == ["ours", "theirs", "unknown"]


def test_since_last_time_on_a_first_run_says_so_and_an_explicit_map_wins(shown, tmp_path):
    j = Journey.load(TEMPLATE)
    out = iterate.since_last_time(_findings(j), history_dir=str(tmp_path))
    assert out == {"runs": 0, "map_before": "", "changes": []}
    assert "This is the first run of this report recorded in its folder" in _text(shown["displayed"])
    shown["displayed"].clear()
    out = iterate.since_last_time(_findings(j), map_before=str(TEMPLATE))
    assert out["map_before"] == str(TEMPLATE) and out["changes"] == []
    assert "The map is the same as b2b\\_service.yaml." in _text(shown["displayed"])


def test_since_last_time_skips_torn_or_foreign_history_lines(shown, tmp_path):
    (tmp_path / "history.jsonl").write_text('{"run_id": "x", "report": "a", "parameters": {"persona": "Budget Ben"}'
                                            '\n[1, 2]\n{"run_id": "y", "parameters": "all"}\n')
    out = iterate.since_last_time(_findings(Journey.load(TEMPLATE)), history_dir=str(tmp_path))
    assert out["runs"] == 0


def test_since_last_time_draws_control_charts_named_as_readers_know_the_figure(shown, tmp_path):
    import altair as alt

    values = [0.50, 0.51, 0.49, 0.50, 0.52, 0.50, 0.49, 0.51, 0.50, 0.65]       # a shift in the last run
    _history(tmp_path, [{"run_id": f"2026-10-{i + 1:02d}T09:00:00", "report": "Budget Ben",
                         "parameters": {"persona": "Budget Ben"}, "map": None,
                         "figures": {"funnel_2": {"value": v, "n": 400, "label": "Reached Consideration"}}}
                        for i, v in enumerate(values)])
    out = iterate.since_last_time(_findings(Journey.load(TEMPLATE)), history_dir=str(tmp_path), baseline=8)
    assert out["runs"] == 10
    charts = [o for o in shown["displayed"] if isinstance(o, alt.TopLevelMixin)]
    assert len(charts) == 1 and charts[0].to_dict()["title"].startswith("Reached Consideration · Budget Ben")
    assert shown["records"]["kpi_signals"] == 1
    assert "Reached Consideration" in "".join(str(getattr(o, "data", "")) for o in shown["displayed"])


def test_did_it_work_prints_whole_counts_and_hidden_ones_in_words(shown):
    """A count column holding a hidden cell is float: 21 customers printed as "21.00". Now counts are
    whole numbers and a hidden count says "not shown"."""
    from jmtools.pipeline import Comparison

    rows = [{"measure": "csat", "persona": p, "from_step": None, "step": "Buy", "label": "CSAT at Buy",
             "n_a": a, "n_b": b, "value_a": 3.0, "value_b": 3.4, "diff": 0.4, "ci_low": 0.1, "ci_high": 0.7, "verdict": "no detectable change",
             "text": "no detectable change", "group_a": "before", "group_b": "after"}
            for p, a, b in (("all", 121, 1400), ("Ben", 21, 700), ("Maya", 97, 697), ("Lou", 3, 3))]
    table = pd.DataFrame(rows)
    compared = Comparison(table, table, {"kind": "periods", "date": "2026-06-01"}, None)
    iterate.did_it_work(compared, persona="Maya")
    cells = _text(shown["displayed"])
    assert ">97<" in cells and ">697<" in cells
    assert not re.search(r">\d[\d,]*\.\d+<", cells), cells            # no "97.00"
    shown["displayed"].clear()
    iterate.did_it_work(compared, persona="Ben")       # beside Lou's 3: 121 − 97 − 21 = 3
    assert ">21<" not in _text(shown["displayed"]) and ">not shown<" in _text(shown["displayed"])


def test_did_it_work_heads_its_part_at_the_level_asked(shown):
    """In notebook 07 the part sits inside "1 · Compare the two groups": a sub-heading there."""
    from jmtools.pipeline import Comparison

    table = pd.DataFrame([{"measure": "csat", "persona": "all", "from_step": None, "step": "Buy",
                           "label": "CSAT at Buy", "n_a": 40, "n_b": 50, "value_a": 3.0, "value_b": 3.4,
                           "diff": 0.4, "ci_low": 0.1, "ci_high": 0.7, "verdict": "no detectable change",
                           "text": "no detectable change", "group_a": "before", "group_b": "after"}])
    iterate.did_it_work(Comparison(table, table, {"kind": "periods", "date": "2026-06-01"}, None), level="###")
    heads = [line for line in _text(shown["displayed"]).splitlines() if line.startswith("#")]
    assert heads == ["### Did it work? before and after 2026-06-01"], heads


def test_did_it_work_says_whom_a_company_contact_met_without_a_step_of_their_own(shown):
    """D130 → D243: on grocery the restock reminder goes to everyone due. The comparison and the
    report's funnel both count the 1,134 customers who took a step of their own at Restock; the
    666 reminded without one are said beside it, a count of 1–4 in words."""
    from jmtools.pipeline import Comparison, compare_periods

    c = compare_periods("sample:grocery", "2026-03-10", measures=["conversion"], personas=False)
    assert c.funnel_only[["from_step", "n_funnel", "n_contact_only"]].values.tolist() == [["Restock", 1134, 666]]
    restock = c.observations.query("measure == 'conversion' and from_step == 'Restock'")
    assert restock["customer_id"].nunique() <= 1134                 # the follow-up window may leave some out
    iterate.did_it_work(c)
    said = _text(shown["displayed"])
    assert "Counted by the customers' own steps at Restock" in said and "666 more got a contact" in said
    assert "1,800" not in said
    shown["displayed"].clear()
    few = Comparison(c.table, c.observations, c.split, c.journey,
                     funnel_only=pd.DataFrame({"from_step": ["Restock"], "n_funnel": [1134], "n_contact_only": [4]}))
    iterate.did_it_work(few)
    assert "fewer than 5 more got a contact" in _text(shown["displayed"])
    plain = compare_periods("sample:ecommerce", "2026-06-01", measures=["conversion"], personas=False)
    assert plain.funnel_only is None or plain.funnel_only.empty
    assert "Counted by their own steps" not in plain.summary()


def test_did_it_work_says_why_there_is_nothing_to_compare(shown, tmp_path):
    """D182: every customer at one step: the heading, then the sentence; no empty table, no error."""
    from tiny_worlds import tiny_world

    from jmtools.pipeline import compare_periods

    c = compare_periods(tiny_world("one_event", tmp_path / "tiny"), "2026-06-01", min_n=30)
    iterate.did_it_work(c, level="###")
    said = _text(shown["displayed"])
    assert said.splitlines()[0] == "### Did it work? before and after 2026-06-01"
    assert c.nothing_compared() in said and "comparisons (every measure" not in said
    assert shown["records"]["comparisons"] == 0 and shown["records"]["likely_real"] == 0
