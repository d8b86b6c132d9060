"""How often customers come back to a touchpoint that repeats (D219).

An outside tester's hospital planted more follow-up attendances for its oldest patients (4–6
against 2–4); the journey marks follow-ups ``occurrence: repeat``, so each one starts a new round
(D110) and notebook 02's loops table was empty, and no figure anywhere said how often patients came
back. :func:`jmtools.analyses.funnels.repeat_visits` counts it per customer, the pipeline compares
each persona with the others as pain points are compared, and notebook 02 and the report say it.
Checked against plain pandas on a planted world, and on the e-commerce sample's planted repeat buyers.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from inprocess import run_cells
from jmtools import pipeline
from jmtools.analyses.funnels import repeat_families, repeat_visits
from jmtools.evidence import prepare
from jmtools.journey import Journey
from jmtools.report.repeat_notes import repeat_sentences, show_loops_and_repeats
from jmtools.sources import load_world
from table_subsets import shown_text
from test_pipeline_optional_before import JOURNEY as OPTIONAL_JOURNEY

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

#: The hospital's personas (tests/test_pipeline_optional_before.py), stages without the missed appointment.
JOURNEY = OPTIONAL_JOURNEY.split("stages:")[0] + """\
stages:
  - name: Referral
  - name: First appointment
  - name: Follow-up
touchpoints:
  - {name: Letter, stage: Referral, channel: physical, events: [referred], initiated_by: company}
  - {name: First visit, stage: First appointment, channel: interpersonal, events: [attended], occurrence: first}
  - {name: Follow-up booked, stage: Follow-up, channel: physical, events: [follow_up_booked], initiated_by: company}
  - {name: Follow-up visit, stage: Follow-up, channel: interpersonal, events: [attended], occurrence: repeat,
     after: First appointment}
"""


def _world(folder: Path, *, seed: int = 51, older_more: bool = True, n: int = 450, bands=("16-24", "75+", "40-59"),
           marked: bool = True) -> pd.DataFrame:
    """``n`` patients; most attend a first appointment, then follow-ups: the 75+ 4–6 of them when
    ``older_more``, everyone else 2–4; a tenth never attend. Returns the events with each patient's band."""
    rng = np.random.default_rng(seed)
    folder.mkdir()
    (folder / "journey.yaml").write_text(JOURNEY if marked else JOURNEY.replace("occurrence: first", "")
                                         .replace("occurrence: repeat,", ""))
    rows, people = [], []
    for c in range(n):
        cid, band = f"p{c:03d}", bands[c % len(bands)]
        people.append((cid, band))
        t = pd.Timestamp("2026-01-05 09:00") + pd.Timedelta(hours=7 * c)
        rows.append((cid, "referred", t))
        if rng.random() < 0.1:
            continue                                              # never attended
        t += pd.Timedelta(days=30)
        rows.append((cid, "attended", t))
        k = int(rng.integers(4, 7)) if band == "75+" and older_more else int(rng.integers(2, 5))
        for _ in range(k):
            rows.append((cid, "follow_up_booked", t + pd.Timedelta(days=1)))
            t += pd.Timedelta(days=int(rng.integers(20, 40)))
            rows.append((cid, "attended", t))
    pd.DataFrame(people, columns=["customer_id", "age_band"]).to_csv(folder / "customers.csv", index=False)
    events = pd.DataFrame(rows, columns=["customer_id", "event", "timestamp"])
    events.to_csv(folder / "events.csv", index=False)
    persona = {"16-24": "Young", "75+": "Older"}
    return events.merge(pd.DataFrame(people, columns=["customer_id", "age_band"]), on="customer_id").assign(
        persona=lambda f: f["age_band"].map(persona).fillna("Everyone else"))


def _truth(events: pd.DataFrame) -> pd.DataFrame:
    """Plain pandas: per persona (and "all") the patients who attended, how many more than once, their
    attendances, and the mean and sample standard deviation of attendances per patient."""
    per = events[events["event"] == "attended"].groupby(["persona", "customer_id"]).size().rename("c").reset_index()
    rows = [per.assign(persona="all"), per]
    both = pd.concat(rows)
    out = both.groupby("persona")["c"].agg(n="count", visits="sum", mean="mean", sd="std")
    out["n_again"] = both[both["c"] >= 2].groupby("persona").size()
    return out


def _evidence(folder: Path):
    world = load_world(folder)
    return prepare(world.events, world.journey, customers=world.customers)


def test_times_per_customer_equal_plain_pandas(tmp_path):
    events = _world(tmp_path / "h")
    truth = _truth(events)
    ev = _evidence(tmp_path / "h")
    assert repeat_families(ev) == [("Follow-up visit", ("First visit", "Follow-up visit"))]
    got = pd.concat([repeat_visits(ev).assign(persona="all"), repeat_visits(ev, by="persona")]).set_index("persona")
    for col in ("n", "visits", "n_again"):
        assert got[col].to_dict() == truth[col].astype(int).to_dict(), col
    for col in ("mean", "sd"):
        np.testing.assert_allclose(got[col].loc[truth.index], truth[col], rtol=1e-12)
    half = 1.959963984540054 * truth["sd"] / np.sqrt(truth["n"])
    np.testing.assert_allclose(got["ci_high"].loc[truth.index], truth["mean"] + half, rtol=1e-12)
    assert got.loc["Older", "mean"] > 5.5 > 4.5 > got.loc["Young", "mean"]       # 1 + the planted 4–6 against 2–4


def test_a_persona_that_comes_back_more_is_said_and_the_others_are_not(tmp_path):
    events = _world(tmp_path / "h")
    truth = _truth(events)
    table = pipeline.repeat_visits_compared(_evidence(tmp_path / "h"))
    assert table.set_index("persona")["higher"].to_dict() == {"all": False, "Young": False, "Older": True,
                                                              "Everyone else": False}
    others = truth.loc[["Young", "Everyone else"]]
    base = (others["visits"].sum()) / others["n"].sum()
    older = table[table["persona"] == "Older"].iloc[0]
    assert older["baseline"] == pytest.approx(base, rel=1e-12) and older["baseline_n"] == others["n"].sum()
    (text,) = repeat_sentences(table)
    assert (f"Older {truth.loc['Older', 'mean']:.2f} times (95% CI {older['ci_low']:.2f}–{older['ci_high']:.2f}, "
            f"n={truth.loc['Older', 'n']:,}) against {base:.2f} for the other personas "
            f"(n={others['n'].sum():,})") in text
    assert f"the {truth.loc['all', 'n']:,} customers who had *First visit + Follow-up visit*" in text
    assert repeat_sentences(table, persona="Young") == [] and len(repeat_sentences(table, persona="Older")) == 1


def test_no_difference_planted_nothing_is_said(tmp_path):
    _world(tmp_path / "h", older_more=False)
    table = pipeline.repeat_visits_compared(_evidence(tmp_path / "h"))
    assert len(table) == 4 and not table["higher"].any() and repeat_sentences(table) == []


def test_a_persona_of_fewer_than_5_with_visits_is_hidden_and_never_said(tmp_path):
    """Three patients of 75+: their row has no numbers, and the other personas' rows beside all
    customers' would give them back, so some other row goes too; nothing is said of them."""
    _world(tmp_path / "h", bands=("16-24", "40-59") * 60 + ("75+",), n=363)
    table = pipeline.repeat_visits_compared(_evidence(tmp_path / "h")).set_index("persona")
    assert table.loc["Older", "suppressed"] and pd.isna(table.loc["Older", "mean"])
    assert not table.loc["Older", "higher"] and table["suppressed"].sum() >= 2
    assert table.attrs["hidden"] == ["Follow-up visit"] and not table.loc["all", "suppressed"]


def test_a_journey_without_repeats_has_no_figure(tmp_path):
    _world(tmp_path / "h", marked=False)
    ev = _evidence(tmp_path / "h")
    assert repeat_families(ev) == [] and repeat_visits(ev, by="persona").empty
    assert pipeline.repeat_visits_compared(ev).empty


def test_the_sample_worlds_planted_repeat_buyers_are_said_alone(tmp_path):
    """E-commerce: Marathon Maya orders again most often (55% against 2–16%, the answer key); the
    other personas order again less than the rest and stay unsaid."""
    from jmtools.sample_worlds import load_truths

    planted = load_truths("ecommerce")["repeat_purchase"]
    world = load_world("sample:ecommerce")
    table = pipeline.repeat_visits_compared(prepare(world.events, world.journey, customers=world.customers))
    assert table.loc[table["higher"], "persona"].tolist() == [planted["persona_highest"]] == ["Marathon Maya"]
    every = table[table["persona"] == "all"].iloc[0]
    assert (every["n"], every["n_again"]) == (planted["n_first"], planted["n_repeat"])   # nobody a third time
    assert every["visits"] == planted["n_first"] + planted["n_repeat"]


def test_notebook_02_says_why_loops_are_empty_and_shows_the_figure(tmp_path):
    events = _world(tmp_path / "h")
    truth = _truth(events)
    run = run_cells(NOTEBOOKS / "02_data_integration.ipynb", {"data_dir": str(tmp_path / "h")})
    text = shown_text(run.displayed)
    assert "**No loops**: nobody came back to a touchpoint after leaving it, within a round. Coming back to " \
           "*Follow-up visit* (`occurrence: repeat`) starts a new round" in text
    table = next(d for d in run.displayed if isinstance(d, pd.DataFrame) and "times each (mean)" in d.columns)
    assert table.set_index("persona")["customers"].to_dict() == truth["n"].astype(int).to_dict()
    assert "**Coming back to Follow-up visit**" in text and "Older " in text


@pytest.mark.parametrize("persona", ["all", "Older", "Young"])
def test_the_report_says_it_below_the_funnel(tmp_path, persona):
    events = _world(tmp_path / "h")
    truth = _truth(events)
    text = shown_text(run_cells(NOTEBOOKS / "00_journey_report.ipynb",
                                {"data_dir": str(tmp_path / "h"), "persona": persona}).displayed)
    older = f"{truth.loc['Older', 'mean']:.2f} times"
    said = {"all": f"Older {older}", "Older": f"Older who had *First visit + Follow-up visit* had it {older}"}
    assert ("**Coming back to Follow-up visit**" in text) == (persona != "Young")
    assert persona == "Young" or said[persona] in text


def test_a_loops_table_with_rows_is_shown_as_it_is():
    shown = []
    loops = pd.DataFrame({"step": ["Site"], "n": [12]})
    show_loops_and_repeats(loops, None, show=shown.append)
    assert shown == [loops]
