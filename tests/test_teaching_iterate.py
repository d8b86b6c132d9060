"""jmtools.teaching.iterate: the before/after comparison of step 7 and the next map version."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pandas as pd
import pytest

from jmtools.analyses import funnels
from jmtools.core.errors import ParameterError
from jmtools.evidence import prepare
from jmtools.journey import Journey, diff_journeys
from jmtools.sources import load_world
from jmtools.teaching import before_after, change_at, difference_interval, middle_date, next_version, still_open_note
from oracles import stage_reach
from permit_world import START, permit_events
from teaching_cases import ECOMMERCE, ids_of, lesson, raw


def test_newcombe_interval_matches_the_published_example():
    # Newcombe (1998), Statistics in Medicine 17:873, method 10: 56/70 − 48/80 = 0.2, 0.0524 to 0.3339
    d, low, high = difference_interval(48, 80, 56, 70)
    assert (round(d, 4), round(low, 4), round(high, 4)) == (0.2, 0.0524, 0.3339)
    assert all(math.isnan(x) for x in difference_interval(1, 0, 1, 5))


def test_before_after_is_the_funnel_of_two_cohorts_by_first_seen():
    ev, split = lesson().evidence, lesson().split
    assert split == middle_date(ev)
    frame = before_after(ev, split)
    assert list(frame["period"].cat.categories) == ["before", "after"]
    e, journey = raw()["events"], Journey.load(ECOMMERCE / "journey.yaml")
    first = e.groupby("customer_id")["timestamp"].transform("min")
    for period, chosen in (("before", first < split), ("after", first >= split)):
        oracle = stage_reach(e[chosen], journey, customers=ids_of("Budget Ben"))
        got = frame[(frame["persona"] == "Budget Ben") & (frame["period"] == period)]
        assert dict(zip(got["step"], got["n"])) == oracle, period
    ben = frame[frame["persona"] == "Budget Ben"]
    assert list(ben["period"].astype(str)) == ["before"] * 4 + ["after"] * 4
    with pytest.raises(ParameterError):
        before_after(ev, "not a date")


def test_change_at_one_step_with_its_interval():
    c = change_at(lesson().periods, "Post-purchase", group="Budget Ben")
    before, after = c["before"], c["after"]
    assert c["difference"] == pytest.approx(after["conversion"] - before["conversion"])
    assert c["ci_low"] < 0 < c["ci_high"] and c["verdict"] == "no evidence"
    with pytest.raises(ParameterError) as err:
        change_at(lesson().periods, "Awareness", group="Budget Ben")    # the first step has no conversion
    assert "Post-purchase" in str(err.value)


def test_next_version_writes_the_measured_emotion_where_the_data_disagrees(tmp_path):
    run = lesson().run
    source = ECOMMERCE / "journey.yaml"
    before = source.read_bytes()
    v2 = next_version(run, tmp_path / "v2.yaml", updated=pd.Timestamp("2027-01-01").date())
    assert source.read_bytes() == before                                # the old version is kept
    changes = pd.DataFrame(diff_journeys(run.journey, Journey.load(v2)))
    stages = set(changes.loc[changes["section"] == "stage", "item"])
    gap = run.gap[(run.gap["persona"] == "Budget Ben") & ~run.gap["low_evidence"]]
    assert stages == set(gap.loc[gap["verdict"] != "agrees", "stage"]) == {"Consideration", "Post-purchase"}
    new = Journey.load(v2)
    assert new.version == "2" and str(new.updated) == "2027-01-01"
    assert new.assumed_emotion("Consideration", "Budget Ben") == pytest.approx(0.6)
    assert new.assumed_emotion("Consideration", "Marathon Maya") == 1          # other personas untouched
    assert "# Journey map template" in v2.read_text(encoding="utf-8")        # comments kept
    with pytest.raises(ParameterError):
        next_version(run, source)
    hidden = run.gap.assign(measured=run.gap["measured"].mask(run.gap["stage"] == "Decision"))
    with pytest.raises(ParameterError, match="Decision") as err:   # a point hidden: a located refusal
        next_version(dataclasses.replace(run, gap=hidden), tmp_path / "v3.yaml", stages=["Decision"])
    assert "Consideration" in str(err.value) and not (tmp_path / "v3.yaml").exists()


def test_a_mailing_does_not_date_a_customers_arrival():
    """Customers mailed in March who first came in July are of the July cohort: a contact the
    company started is not when a customer was first seen (only-mailed customers keep its date).
    Nor does it reach a stage where customers act, the first included (D243): the 5 only mailed in
    August are in the "after" group (45 customers) but in no step of its funnel (Aware 40: those
    with an own visit on or after the split). Before D243 the mailing counted them at Aware (45)."""
    from jmtools.evidence import prepare

    journey = {"stages": ["Aware", "Buy"], "touchpoints": [
        {"name": "Mail", "stage": "Aware", "events": ["mail"], "initiated_by": "company"},
        {"name": "Site", "stage": "Aware", "events": ["visit"]},
        {"name": "Checkout", "stage": "Buy", "events": ["pay"]}]}
    rows = []
    for i in range(40):                       # mailed in March, came in July; half paid
        c = f"m{i:02d}"
        rows += [(c, "mail", "2024-03-01"), (c, "visit", "2024-07-01")] + ([(c, "pay", "2024-07-02")] if i % 2 else [])
    for i in range(30):                       # came in February, unmailed; all paid
        rows += [(f"e{i:02d}", "visit", "2024-02-01"), (f"e{i:02d}", "pay", "2024-02-03")]
    for i in range(5):                        # mailed only, in August
        rows += [(f"o{i}", "mail", "2024-08-01")]
    events = pd.DataFrame(rows, columns=["customer_id", "event", "timestamp"]).assign(
        timestamp=lambda f: pd.to_datetime(f["timestamp"]))
    ev = prepare(events, journey)
    own = events[events["event"] != "mail"].groupby("customer_id")["timestamp"].min()
    first = own.reindex(events["customer_id"].unique()).fillna(events.groupby("customer_id")["timestamp"].min())
    assert middle_date(ev) == first.median().normalize() == pd.Timestamp("2024-07-01")
    frame = before_after(ev, "2024-06-01", by=None)
    reach = {(str(p), s): n for p, s, n in zip(frame["period"], frame["step"], frame["n"])}
    assert reach[("before", "Aware")] == (first < "2024-06-01").sum() == 30
    visited = events.loc[events["event"] == "visit", "customer_id"].unique()
    after = first[first >= "2024-06-01"]
    sizes = {str(p): n for p, n in zip(frame["period"], frame["n_customers"])}
    assert sizes["after"] == len(after) == 45                            # the only-mailed are in the group
    assert reach[("after", "Aware")] == after.index.isin(visited).sum() == 40 and reach[("after", "Buy")] == 20
    assert reach[("before", "Buy")] == 30                    # the March mailing made none of them "before"


SPLITS = {"2026-13-01": "write the day the change went live as YYYY-MM-DD",
          "next week": "write the day the change went live as YYYY-MM-DD",
          "2030-01-01": "2030-01-01 is after the last day a customer was first seen (2026-09-01): no customer "
                        "is in the “after” period",
          "2026-03-02": "is on or before the first day a customer was first seen (2026-03-02): no customer is "
                        "in the “before” period"}


def test_a_split_that_cannot_be_read_or_leaves_a_period_empty_is_refused_first():
    """Step 7's split "2026-13-01" stopped in a chained pandas traceback (DateParseError), and
    "2030-01-01" marked 7.2 right with "After − before = –": the lesson now refuses both where the
    parameter is passed, saying which days the data covers."""
    from jmtools.teaching import Lesson
    from jmtools.teaching.iterate import check_split

    first = raw()["events"].groupby("customer_id")["timestamp"].min()      # no company contacts here
    low, high = first.min().normalize(), first.max().normalize()
    middle = middle_date(lesson().evidence)
    for split, fix in SPLITS.items():
        with pytest.raises(ParameterError) as err:
            check_split(split, lesson().evidence)
        said = str(err.value)
        assert said.startswith(f"split must be a date YYYY-MM-DD from {low + pd.Timedelta(days=1):%Y-%m-%d} "
                               f"to {high:%Y-%m-%d} (the customers were first seen from {low:%Y-%m-%d} to "
                               f"{high:%Y-%m-%d}) — got {split!r}"), said
        assert fix in said and f'split = "" for the middle ({middle:%Y-%m-%d})' in said
    assert check_split(f"{high:%Y-%m-%d}", lesson().evidence) == high
    with pytest.raises(ParameterError, match="no customer is in the “after” period"):
        Lesson("sample:ecommerce", split="2030-01-01", step=7)


def test_7_1_and_7_2_are_not_available_when_the_persona_has_no_one_in_a_period():
    """A persona with nobody in the "after" period: 7.2 was judged right with a difference of "–"."""
    from jmtools.teaching import Lesson

    mine = Lesson("sample:ecommerce", split="2026-06-02")
    p = mine.periods
    mine.__dict__["periods"] = p[~((p["persona"] == mine.persona) & (p["period"] == "after"))]
    for eid in ("7.1", "7.2"):
        fb = mine.check(eid, "no evidence" if eid == "7.2" else 0.5)
        assert fb.code == "not-available" and "(none after 2026-06-02; choose another split)" in fb.message, str(fb)


# ------------------------------------------------------------------ still open at the data's end (D196)
PERMIT = {"stages": ["Apply", "Upload", "Decision"], "touchpoints": [
    {"name": "Portal", "stage": "Apply", "events": ["apply"]},
    {"name": "Documents", "stage": "Upload", "events": ["upload"]},
    {"name": "Letter", "stage": "Decision", "events": ["decide"]}]}
PERMIT_SPLIT = pd.Timestamp("2025-10-01")


def _permit(after_rate=0.85):
    """The permit log of tests/permit_world.py: 85% decided (``after_rate`` of those applying from the split)."""
    change = (PERMIT_SPLIT - START).days / 30.4
    return permit_events(lambda month: after_rate if month >= change else 0.85)


def _wide(ev):
    return ev.pivot_table(index="customer_id", columns="event", values="timestamp", aggfunc="min")


def test_before_after_leaves_out_a_late_cohort_still_open_as_pandas_does():
    ev = _permit()
    wide = _wide(ev)
    end = ev["timestamp"].max()
    went = wide["decide"].notna()
    # plain pandas: the window (99% of those decided), who reached Upload within it before the end
    window = pd.Timedelta(hours=float(np.quantile(
        (wide.loc[went, "decide"] - wide.loc[went, "upload"]).dt.total_seconds() / 3600, 0.99)))
    recent = wide["upload"].notna() & (wide["upload"] > end - window)
    after = wide["apply"] >= PERMIT_SPLIT
    frame = before_after(prepare(ev, PERMIT), PERMIT_SPLIT, by=None)
    opened = pd.DataFrame(frame.attrs["open"]).set_index(["step", "period"])
    got = opened.loc[("Decision", "after")]
    assert (got["left_out"], got["open"]) == ((recent & after).sum(), (recent & after & ~went).sum())
    assert got["left_out"] > 300 and ("Decision", "before") not in opened.index   # nobody early is recent
    assert got["window_hours"] == pytest.approx(window.total_seconds() / 3600)
    row = frame[(frame["step"] == "Decision") & (frame["period"] == "after")].iloc[0]
    kept = wide["upload"].notna() & after & ~recent
    assert (row["n_prev"], row["n"]) == (kept.sum(), (kept & went).sum())
    assert row["conversion"] == pytest.approx(went[kept].mean())
    assert row["drop_off"] == (kept & ~went).sum() and row["rate_from_start"] == pytest.approx(
        (after & went).sum() / after.sum())                                    # the share of everyone, as before
    note = still_open_note(frame)
    assert f"{got['left_out']:,} customers reached Upload after" in note and f"{got['open']:,} of them" in note


def test_no_change_planted_is_no_change_and_a_planted_drop_is_found():
    ev = _permit()
    wide = _wide(ev)
    old = wide[wide["upload"] <= wide["upload"].max() - pd.Timedelta(days=150)]   # plain pandas: time to go on
    after = old["apply"] >= PERMIT_SPLIT
    rate = old["decide"].notna()
    assert abs(rate[after].mean() - rate[~after].mean()) < 0.04
    e = prepare(ev, PERMIT)
    first = e.events.timestamp.min().over(group_by=e.events.customer_id)
    naive = funnels.funnel(e.with_events(e.events.mutate(period=(first < PERMIT_SPLIT).ifelse("before", "after"))),
                           by=["period"])
    assert change_at(naive, "Decision")["verdict"] == "worse"                  # the fault: open counted as lost
    change = change_at(before_after(e, PERMIT_SPLIT, by=None), "Decision")
    assert change["verdict"] == "no evidence", change
    assert abs(change["after"]["conversion"] - rate[after].mean()) < 0.04
    planted = change_at(before_after(prepare(_permit(after_rate=0.6), PERMIT), PERMIT_SPLIT, by=None), "Decision")
    assert planted["verdict"] == "worse" and planted["difference"] == pytest.approx(-0.25, abs=0.06)


@pytest.mark.parametrize("name", ["ecommerce", "b2b"])
def test_the_sample_worlds_have_nobody_still_open(name):
    w = load_world(f"sample:{name}")
    ev = prepare(w.events, w.journey, customers=w.customers)
    frame = before_after(ev, middle_date(ev))
    assert frame.attrs["open"] == [] and still_open_note(frame) == ""
    first = ev.events.timestamp.min().over(group_by=ev.events.customer_id)
    plain = funnels.funnel(ev.with_events(ev.events.mutate(period=(first < middle_date(ev)).ifelse(
        "before", "after"))), by=["persona", "period"])
    assert sorted(zip(frame["n"], frame["n_prev"])) == sorted(zip(plain["n"], plain["n_prev"]))
