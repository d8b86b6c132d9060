"""jmtools.report.gaps: what a step notebook says in place of a chart it has nothing to draw for (D156)."""

import pandas as pd

from jmtools.report.gaps import no_personas_note, show_sentiment_trend, trend_gap


def _trend(n):
    return pd.DataFrame({"persona": "all", "stage": pd.Categorical(["A"] * len(n), categories=["A"], ordered=True),
                         "period": pd.date_range("2026-01-01", periods=len(n), freq="MS"), "valence": 0.1,
                         "n": n, "ci_low": -0.1, "ci_high": 0.3, "low_evidence": False})


def test_an_empty_trend_is_a_sentence_not_the_charts_error():
    """The chart refuses an empty frame with a developer's fix; the notebook says why instead."""
    shown = []
    assert show_sentiment_trend(_trend([]), persona="Ben", display=shown.append) is None
    assert shown[0].data.startswith("No trend over time for Ben: none of the evidence placed on the journey has")
    assert trend_gap(None).startswith("No trend over time: nothing in this folder measures emotion.")
    stageless = {"surveys": pd.DataFrame({"customer_id": ["a"], "metric": "nps", "score": [9]})}
    assert "names a stage or touchpoint" in trend_gap(None, tables=stageless)
    assert trend_gap(_trend([3, 0])) == ""
    hidden = _trend([0]).assign(n=float("nan"), suppressed=True)        # a small group: drawn, hidden
    assert trend_gap(hidden) == ""
    chart = show_sentiment_trend(_trend([3, 0]), display=shown.append)
    assert chart is shown[-1] and chart.to_dict()["facet"]["field"] == "panel"


def test_no_personas_note_names_the_attributes_and_the_way_on():
    class J:
        persona_names = []

    customers = pd.DataFrame({"customer_id": [1, 2], "fuel": ["gas", "gas"], "age": [30, 40]})
    note = no_personas_note(J(), customers)
    assert "names no personas" in note and "(fuel, age)" in note and "rule: fuel == 'gas'" in note
    assert "section 5 below suggests groups" in note
    J.persona_names = ["Ben"]
    assert no_personas_note(J(), customers) == ""
