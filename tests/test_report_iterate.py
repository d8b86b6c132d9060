"""The step-7 report sections: what they show and record, on small inputs, without a kernel."""

from __future__ import annotations

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
    assert "Not enough runs yet" in _text(shown["displayed"])


def test_opportunity_outcomes_without_change_dates_says_how(shown):
    iterate.opportunity_outcomes(Journey.load(TEMPLATE))
    assert "No opportunity carries a `change_date` yet" in _text(shown["displayed"])
