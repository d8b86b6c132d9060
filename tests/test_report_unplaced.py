"""Notebook 02's survey scores per step (``jmtools.report.unplaced.show_survey_scores``)."""

from __future__ import annotations

import IPython.display
import pandas as pd

from jmtools.journey.model import load_journey
from jmtools.report.unplaced import show_survey_scores

JOURNEY = """\
jmtools: 1
name: Mortgage
stages:
  - {name: Offer, emotion: 0}
  - {name: Completion, emotion: 1}
touchpoints:
  - {name: Offer letter, stage: Offer, channel: physical, events: [offer_issued]}
  - {name: Keys, stage: Completion, channel: interpersonal, events: [completed]}
"""


def test_the_table_counts_each_questions_answers_not_one_n_for_the_step(tmp_path, monkeypatch):
    """A mortgage test: "n (answers)" said 452 at Offer, where 452 responses gave 1,331 answers and
    CSAT rested on 427. Each question's answers are now a column of their own (D205). Oracle: plain
    pandas on the answers."""
    (tmp_path / "journey.yaml").write_text(JOURNEY, encoding="utf-8")
    rows = []
    for i in range(30):                              # 30 responses at Offer, 12 at Completion
        stage = "Offer" if i < 30 - 12 else "Completion"
        rows += [(f"c{i}", stage, "nps", i % 11)]
        if i % 3:
            rows += [(f"c{i}", stage, "csat", 1 + i % 5)]
        if i % 4:
            rows += [(f"c{i}", stage, "ces", 1 + i % 7)]
    answers = pd.DataFrame(rows, columns=["customer_id", "stage", "metric", "score"])
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda x, **kw: shown.append(x))  # raw=True: a kept chart
    show_survey_scores(answers, load_journey(tmp_path / "journey.yaml"))
    table = next(x for x in shown if isinstance(x, pd.DataFrame))
    truth = answers.groupby(["stage", "metric"]).size().unstack()      # answers per step and question
    assert "n (answers)" not in table.columns
    for metric in ("csat", "nps", "ces"):
        assert table[f"{metric} answers"].to_dict() == truth[metric].to_dict()
    assert truth.loc["Offer"].tolist() != [truth.loc["Offer"].max()] * 3     # planted: the counts differ


def test_answers_not_tied_to_a_step_are_counted_per_question(monkeypatch):
    """Notebook 02's "not tied to a step" sentence said "30 survey answers", the largest n of any
    question (the NPS), where CSAT rested on 20 and CES on 22 — D205's fault, left in this sentence.
    It now counts each question's own answers (D210); a survey of one question keeps its sentence.
    Oracle: plain pandas on the answers."""
    rows = []
    for i in range(30):                                   # 30 responses, naming no stage
        rows += [(f"c{i}", "nps", i % 11)]
        if i % 3:
            rows += [(f"c{i}", "csat", 1 + i % 5)]
        if i % 4:
            rows += [(f"c{i}", "ces", 1 + i % 7)]
    answers = pd.DataFrame(rows, columns=["customer_id", "metric", "score"]).assign(survey_id=lambda d: d["customer_id"])
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda x, **kw: shown.append(x))  # raw=True: a kept chart
    show_survey_scores(answers, load_journey_text())
    text = "\n".join(str(getattr(x, "data", "")) for x in shown)
    truth = answers.groupby("metric", sort=False).size()
    assert truth.to_dict() == {"nps": 30, "csat": 20, "ces": 22}
    assert (f"Survey answers from all customers name no stage or touchpoint (a relationship survey, such as an "
            f"NPS tool's): {truth['csat']} CSAT answers, {truth['nps']} NPS answers and {truth['ces']} CES "
            "answers (each question's own") in text                   # in the order of the table below
    assert "30 survey answers" not in text
    shown.clear()
    show_survey_scores(answers[answers["metric"] == "nps"], load_journey_text())
    text = "\n".join(str(getattr(x, "data", "")) for x in shown)
    assert "30 survey answers from all customers name no stage or touchpoint" in text


def load_journey_text():
    from jmtools.journey import Journey

    return Journey.from_yaml(JOURNEY)


def test_each_score_per_step_is_shown_with_its_95_percent_interval(tmp_path, monkeypatch):
    """Notebook 02 on the hospital world (D226): the table showed "csat_top2box 0.54" at Booking with
    no interval, though the section promises n and a 95% interval for each, and "NaN" at the steps
    nobody was asked about. Each KPI now has its interval beside it, a share in %, a missing value
    "–". Oracle: the share of 4–5 answers and its Wilson interval in plain arithmetic."""
    import math

    (tmp_path / "journey.yaml").write_text(JOURNEY, encoding="utf-8")
    scores = [1, 2, 3, 4, 5, 4, 5, 2, 4, 3] * 4                     # 40 CSAT answers at Offer; none at Keys
    answers = pd.DataFrame({"customer_id": [f"c{i}" for i in range(40)], "stage": "Offer", "metric": "csat",
                            "score": scores})
    shown = []
    monkeypatch.setattr(IPython.display, "display", lambda x, **kw: shown.append(x))
    show_survey_scores(answers, load_journey(tmp_path / "journey.yaml"))
    table = next(x for x in shown if isinstance(x, pd.DataFrame))
    k, n, z = sum(s >= 4 for s in scores), len(scores), 1.959964
    centre, half = (k + z * z / 2) / (n + z * z), z * math.sqrt(k * (n - k) / n + z * z / 4) / (n + z * z)
    assert table.loc["Offer", "csat_top2box"] == f"{k / n:.1%}"
    assert table.loc["Offer", "csat_top2box 95% CI"] == f"{centre - half:.1%}–{centre + half:.1%}"
    assert table.loc["Offer", "csat_mean"] == f"{sum(scores) / n:.2f}"
    low, high = table.loc["Offer", "csat_mean 95% CI"].split("–")
    assert float(low) < sum(scores) / n < float(high)
    assert table.loc["Offer", "csat answers"] == n
    assert table.loc["Completion", "csat_mean"] == table.loc["Completion", "csat_top2box 95% CI"] == "–"
    assert "nan" not in table.astype(str).to_string().lower()
