"""jmtools/evidence/_days.py: an event log whose times are dates only.

Within a day a customer's events are taken in journey order (stage, touchpoint, event name),
never in the file's row order: the same file sorted differently gives the same funnel,
transitions, paths and times. The customers whose order that assumes (two or more stages on
one day) are counted exactly, against plain pandas; journey order is the most favourable
order, checked against a plain-Python funnel over every shuffled day.
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jmtools.analyses.funnels import (duration_words, funnel, furthest_stage, loops, time_between_stages,
                                      top_paths, transitions)
from jmtools.charts.funnels import time_between_chart
from jmtools.evidence import DatesOnly, fit_problems, prepare
from jmtools.report.steps import record_slowest_step, show_dates_only
from jmtools.sources import load_events

STAGES = ["Browse", "Cart", "Pay"]
JOURNEY = {"stages": STAGES, "touchpoints": [
    {"name": "Site", "stage": "Browse", "events": ["view", "search"]},
    {"name": "Basket", "stage": "Cart", "events": ["cart"]},
    {"name": "Checkout", "stage": "Pay", "events": ["pay"]},
    {"name": "Receipt", "stage": "Pay", "events": ["mail_receipt"]}]}


def planted() -> pd.DataFrame:
    """Five customers with known answers; rows of one day deliberately against journey order.

    a: pay, cart, view on one day → Browse, Cart, Pay (two or more stages on one day)
    b: view on day 1; pay, cart on day 2 → all three (day 2 has two stages)
    c: view, view on day 1; cart on day 3 → Browse, Cart (one stage per day)
    d: cart on day 1, view on day 2 → Browse only (cart is before view)
    e: ping (no touchpoint), view on day 1 → Browse (ping does not count as a stage)
    """
    rows = [("a", "2024-03-01", "pay"), ("a", "2024-03-01", "cart"), ("a", "2024-03-01", "view"),
            ("b", "2024-03-01", "view"), ("b", "2024-03-02", "pay"), ("b", "2024-03-02", "cart"),
            ("c", "2024-03-01", "view"), ("c", "2024-03-01", "view"), ("c", "2024-03-03", "cart"),
            ("d", "2024-03-01", "cart"), ("d", "2024-03-02", "view"),
            ("e", "2024-03-01", "ping"), ("e", "2024-03-01", "view")]
    return pd.DataFrame(rows, columns=["customer_id", "timestamp", "event"])


def dated_folder(folder):
    """A data folder with :func:`planted` as ``events.csv`` (date strings) and its journey file;
    returns the journey file's path (for the validate and report tests)."""
    folder.mkdir(parents=True, exist_ok=True)
    planted().to_csv(folder / "events.csv", index=False)
    journey = folder / "journey.yaml"
    journey.write_text("""jmtools: 1
name: Dated shop
stages: [{name: Browse}, {name: Cart}, {name: Pay}]
touchpoints:
  - {name: Site, stage: Browse, channel: digital, events: [view, search]}
  - {name: Basket, stage: Cart, channel: digital, events: [cart]}
  - {name: Checkout, stage: Pay, channel: digital, events: [pay]}
""", encoding="utf-8")
    return journey


def dated_world(world: str, dest):
    """A copy of the sample world ``data/<world>`` whose events are date strings (``events.csv``,
    every time of day cut off), the other files as they are; returns ``dest``."""
    import shutil
    from pathlib import Path

    source, dest = Path(__file__).resolve().parents[1] / "data" / world, Path(dest)
    dest.mkdir(parents=True, exist_ok=True)
    for path in source.iterdir():
        if path.is_file() and not path.name.startswith("events."):
            shutil.copy(path, dest / path.name)
    events = pd.read_parquet(source / "events.parquet")
    events.assign(timestamp=events["timestamp"].dt.strftime("%Y-%m-%d")).to_csv(dest / "events.csv",
                                                                                 index=False)
    return dest


def test_planted_truths_of_a_log_read_from_date_strings():
    e = prepare(load_events(planted()), JOURNEY)
    assert e.dates_only == DatesOnly(n_ambiguous=2, n_customers=5, n_ambiguous_touchpoints=2)
    assert e.date_only.empty                              # no timed kinds to sort after
    seq = e.to_pandas().groupby("customer_id")["event"].apply(list).to_dict()
    assert seq["a"] == ["view", "cart", "pay"] and seq["b"] == ["view", "cart", "pay"]
    assert seq["e"] == ["view", "ping"]                   # no touchpoint: last in its day
    assert funnel(e)["n"].tolist() == [5, 3, 2]
    assert furthest_stage(e).set_index("step")["n"].to_dict() == {"(none)": 0, "Browse": 2, "Cart": 1,
                                                                  "Pay": 2}
    tb = time_between_stages(e)
    assert tb["whole_days"].all()
    assert tb["median_s"].tolist() == [86400.0, 0.0]      # Cart: a 0, b 1, c 2 days; Pay: a, b 0
    assert [duration_words(s, whole_days=True) for s in tb["median_s"]] == ["1 day", "same day"]


def test_the_sentence_says_n_and_the_assumption_in_validate_report_and_notebooks():
    e = prepare(load_events(planted()), JOURNEY)
    said = ("Event times are dates only: 2 of 5 customers (40%) have two or more stages on one day. "
            "Within a day, events are taken in journey order")
    fit = fit_problems(e)
    row = fit[fit["kind"] == "dates only"].iloc[0]
    assert row["severity"] == "note" and row["message"].startswith(said)
    got = {}
    assert show_dates_only(e, record=lambda name, value, **kw: got.update({name: (value, kw["n"])})) \
        .startswith(said)
    assert got == {"dates_only_customers": (2, 5), "dates_only_touchpoint_customers": (2, 5)}


def test_time_between_steps_of_dates_claims_no_time_of_day(monkeypatch):
    from jmtools.report import steps

    tb = time_between_stages(prepare(load_events(planted()), JOURNEY))
    spec = time_between_chart(tb).to_dict()
    rows = next(iter(spec["datasets"].values()))
    assert [r["median_text"] for r in rows] == ["1 day", "same day"]
    assert "0 = same day" in spec["layer"][0]["encoding"]["x"]["title"]
    assert "hours" not in str(spec) and "0.0" not in str([r["median_text"] for r in rows])
    got = {}
    monkeypatch.setattr(steps, "record", lambda name, value, **kw: got.update({name: value}))
    record_slowest_step(tb)
    assert got == {"slowest_step": "Browse → Cart", "slowest_step_median_days": "1 day"}


# ------------------------------------------------------------------ random logs, plain oracles
def random_days(seed, n_customers=60) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    names = ["view", "search", "cart", "pay", "mail_receipt", "ping"]
    rows = []
    for c in range(n_customers):
        day = pd.Timestamp("2024-03-01") + pd.Timedelta(days=int(rng.integers(0, 5)))
        for _ in range(int(rng.integers(1, 10))):
            day += pd.Timedelta(days=int(rng.choice([0, 0, 0, 1, 3])))
            rows.append((f"c{c:03d}", day, str(rng.choice(names))))
    return pd.DataFrame(rows, columns=["customer_id", "timestamp", "event"])


def oracle_stage(events: pd.DataFrame) -> tuple[pd.Series, pd.Series]:
    """Stage index and touchpoint index (file order) of each event: the first full pattern match."""
    stage, tp = [], []
    for name in events["event"]:
        hit = next((i for i, t in enumerate(JOURNEY["touchpoints"])
                    if any(re.fullmatch(p, name) for p in t["events"])), None)
        tp.append(np.nan if hit is None else hit)
        stage.append(np.nan if hit is None else STAGES.index(JOURNEY["touchpoints"][hit]["stage"]) + 1)
    return pd.Series(stage, index=events.index), pd.Series(tp, index=events.index)


def oracle_ambiguous(events: pd.DataFrame) -> int:
    stage, _ = oracle_stage(events)
    per_day = events.assign(stage=stage).dropna(subset=["stage"]).groupby(
        ["customer_id", events["timestamp"].dt.normalize()])["stage"].nunique()
    return int(per_day[per_day >= 2].reset_index()["customer_id"].nunique())


def oracle_funnel(ordered: pd.DataFrame) -> list[int]:
    """Strict funnel over rows already in each customer's order: greedy, step after step."""
    reach = [0] * len(STAGES)
    for _, rows in ordered.groupby("customer_id", sort=False):
        k = 0
        for s in rows["stage"]:
            if k < len(STAGES) and s == k + 1:
                reach[k] += 1
                k += 1
    return reach


def journey_ordered(events: pd.DataFrame) -> pd.DataFrame:
    stage, tp = oracle_stage(events)
    out = events.assign(stage=stage, _s=stage.fillna(99), _t=tp.fillna(99))
    return out.sort_values(["customer_id", "timestamp", "_s", "_t", "event"], kind="stable")


def oracle_ambiguous_touchpoints(events: pd.DataFrame) -> int:
    _, tp = oracle_stage(events)
    per_day = events.assign(tp=tp).dropna(subset=["tp"]).groupby(
        ["customer_id", events["timestamp"].dt.normalize()])["tp"].nunique()
    return int(per_day[per_day >= 2].reset_index()["customer_id"].nunique())


@pytest.mark.parametrize("seed", range(6))
def test_ambiguous_customers_are_counted_like_plain_pandas(seed):
    ev = random_days(seed)
    e = prepare(load_events(ev), JOURNEY)
    assert e.dates_only.n_ambiguous == oracle_ambiguous(ev)
    assert e.dates_only.n_ambiguous_touchpoints == oracle_ambiguous_touchpoints(ev)
    assert e.dates_only.n_ambiguous <= e.dates_only.n_ambiguous_touchpoints
    assert e.dates_only.n_customers == ev["customer_id"].nunique()


def test_two_touchpoints_of_one_stage_on_one_day_are_counted_for_touchpoint_answers():
    """Checkout and Receipt are both of Pay: the stage funnel cannot depend on their order, the
    touchpoint transitions can, so such a customer counts for touchpoints, not for stages."""
    ev = pd.DataFrame({"customer_id": ["f", "f", "f", "g", "g"],
                       "event": ["mail_receipt", "pay", "view", "view", "search"],
                       "timestamp": ["2024-03-02", "2024-03-02", "2024-03-01", "2024-03-01",
                                     "2024-03-01"]})
    for frame in (ev, ev.iloc[::-1]):
        e = prepare(load_events(frame), JOURNEY)
        assert e.dates_only == DatesOnly(n_ambiguous=0, n_customers=2, n_ambiguous_touchpoints=1)
        moves = transitions(e, level="touchpoint")
        assert ["Checkout", "Receipt", 1] in moves[["from_step", "to_step", "n"]].values.tolist()
        said = e.dates_only.sentence()
        assert said.startswith("Event times are dates only: none of the 2 customers has two stages "
                               "on one day") and "1 (50%) have two or more touchpoints" in said and "detours" in said


def test_a_detour_within_one_day_is_not_seen_and_the_pain_points_say_so():
    """h goes from the basket back to the site on one day (a detour in time); with dates only,
    journey order puts the site first: no detour, and where pain points are read the report
    says loops and detours are found between days, with the touchpoint count; nothing recorded."""
    from jmtools.analyses.funnels import detours

    ev = pd.DataFrame({"customer_id": ["h", "h", "h", "k"], "event": ["cart", "view", "pay", "view"],
                       "timestamp": ["2024-03-01", "2024-03-01", "2024-03-02", "2024-03-01"]})
    e = prepare(load_events(ev), JOURNEY)
    assert detours(e, level="touchpoint").empty
    timed = ev.assign(timestamp=["2024-03-01 09:00", "2024-03-01 10:00", "2024-03-02", "2024-03-01"])
    assert detours(prepare(load_events(timed), JOURNEY), level="touchpoint")["n_customers"].tolist() == [1]
    got = {}
    said = show_dates_only(e, record=lambda name, value, **kw: got.update({name: value}), about="loops")
    assert said == e.dates_only.loops_sentence() and got == {}
    assert said.startswith("Event times are dates only: loops and detours are found between days")
    assert "1 of 2 customers (50%), those with two or more touchpoints on one day" in said
    quiet = prepare(load_events(ev[ev["customer_id"] == "k"]), JOURNEY)
    assert show_dates_only(quiet, record=lambda *a, **k: None, about="loops") is None


@pytest.mark.parametrize("seed", range(3))
def test_every_customer_another_day_order_changes_is_counted(seed):
    """Plain pandas: for 20 random orders within each day, the customers whose stage sequence
    (or touchpoint sequence) differs from journey order are all among those counted."""
    ev = random_days(seed)
    days = prepare(load_events(ev), JOURNEY).dates_only
    stage, tp = oracle_stage(ev)
    base = journey_ordered(ev).assign(tp=tp)
    counted = {}
    for col, frame in (("stage", base), ("tp", base)):
        per_day = frame.dropna(subset=[col]).groupby(["customer_id", "timestamp"])[col].nunique()
        counted[col] = set(per_day[per_day >= 2].reset_index()["customer_id"])
    assert (len(counted["stage"]), len(counted["tp"])) == (days.n_ambiguous, days.n_ambiguous_touchpoints)

    def sequences(frame, col):
        return frame.dropna(subset=[col]).groupby("customer_id")[col].apply(tuple)

    rng = np.random.default_rng(seed)
    moved = {"stage": set(), "tp": set()}
    for _ in range(20):
        other = base.assign(_r=rng.random(len(base))).sort_values(["customer_id", "timestamp", "_r"])
        for col in moved:
            a, b = sequences(base, col), sequences(other, col)
            moved[col] |= set(a.index[a != b.loc[a.index]])
    assert moved["stage"] <= counted["stage"] and moved["tp"] <= counted["tp"]
    assert moved["tp"] - counted["stage"]                 # one stage, two touchpoints: it happens


@pytest.mark.parametrize("seed", range(4))
def test_the_funnel_is_journey_order_and_no_order_of_a_day_gives_more(seed):
    ev = random_days(seed)
    got = funnel(prepare(load_events(ev), JOURNEY))["n"].tolist()
    assert got == oracle_funnel(journey_ordered(ev))
    rng = np.random.default_rng(seed)
    for _ in range(20):                                   # any other order within each day
        shuffled = ev.assign(stage=oracle_stage(ev)[0], _r=rng.random(len(ev)))
        other = oracle_funnel(shuffled.sort_values(["customer_id", "timestamp", "_r"]))
        assert all(o <= g for o, g in zip(other, got)), (other, got)


def _answers(ev):
    e = prepare(load_events(ev), JOURNEY)
    return {"events": e.to_pandas()[["customer_id", "timestamp", "event", "stage", "position",
                                     "next_event", "time_to_next_s"]],
            "funnel": funnel(e), "furthest": furthest_stage(e), "times": time_between_stages(e),
            "moves": transitions(e, level="touchpoint", collapse_repeats=True),
            "events_moves": transitions(e), "paths": top_paths(e, level="stage", max_steps=4, top=20),
            "dates_only": e.dates_only}


@pytest.mark.parametrize("seed", range(3))
def test_any_row_order_of_the_same_file_gives_the_same_numbers(seed):
    ev = random_days(seed)
    want = _answers(ev)
    for k in range(3):
        got = _answers(ev.sample(frac=1, random_state=seed * 10 + k).reset_index(drop=True))
        for name, frame in want.items():
            if isinstance(frame, pd.DataFrame):
                pd.testing.assert_frame_equal(got[name], frame, obj=name)
            else:
                assert got[name] == frame


def test_date_only_kinds_in_a_timed_log_sort_after_timed_events_in_journey_order():
    """D15's mixed case stays: date-only kinds at the end of their day, and now several such
    kinds of one day in journey order whatever the row order; the log is not 'dates only'."""
    ev = pd.DataFrame({"customer_id": ["a"] * 4 + ["b"] * 3 + ["c"] * 3,
                       "event": ["mail_receipt", "pay", "view", "cart", "mail_receipt", "view", "pay",
                                 "mail_receipt", "pay", "view"],
                       "timestamp": pd.to_datetime(["2024-03-01", "2024-03-01", "2024-03-01 09:00",
                                                    "2024-03-01 10:00", "2024-03-02", "2024-03-02 08:00",
                                                    "2024-03-02",
                                                    "2024-03-04", "2024-03-04", "2024-03-04 12:00"],
                                                   format="ISO8601")})
    for frame in (ev, ev.iloc[::-1].copy().reset_index(drop=True)):
        e = prepare(load_events(frame), JOURNEY)
        assert e.dates_only is None
        assert sorted(e.date_only["event"]) == ["mail_receipt", "pay"]
        seq = e.to_pandas().groupby("customer_id")["event"].apply(list).to_dict()
        assert seq == {"a": ["view", "cart", "pay", "mail_receipt"], "b": ["view", "pay", "mail_receipt"],
                       "c": ["view", "pay", "mail_receipt"]}
        assert not (fit_problems(e)["kind"] == "dates only").any()
        assert not time_between_stages(e)["whole_days"].any()


def test_a_mostly_dated_log_with_a_few_timed_rows_is_decided_per_event_kind():
    ev = random_days(7)
    ev.loc[ev.index[ev["event"] == "ping"][:2], "timestamp"] += pd.Timedelta(hours=15)
    e = prepare(load_events(ev), JOURNEY)
    assert e.dates_only is None                          # not every event is at midnight
    assert "ping" not in set(e.date_only["event"])       # ping has times: sorted by them
    assert {"view", "cart", "pay"} <= set(e.date_only["event"])
    want = funnel(e)
    again = prepare(load_events(ev.sample(frac=1, random_state=1).reset_index(drop=True)), JOURNEY)
    pd.testing.assert_frame_equal(funnel(again), want)
    assert want["n"].tolist() == funnel(prepare(load_events(ev.assign(
        timestamp=ev["timestamp"].dt.normalize())), JOURNEY))["n"].tolist()


def test_a_timed_log_is_left_as_it_was():
    ev = random_days(2)
    ev["timestamp"] += pd.to_timedelta(np.arange(len(ev)) % 7 + 1, unit="h")
    e = prepare(load_events(ev), JOURNEY)
    assert e.dates_only is None and e.date_only.empty
    assert not time_between_stages(e)["whole_days"].any()
    assert show_dates_only(e, record=lambda *a, **k: None) is None
    assert not (fit_problems(e)["kind"] == "dates only").any()


def test_the_time_chart_of_dates_has_whole_day_ticks_and_points():
    tb = time_between_stages(prepare(load_events(random_days(1)), JOURNEY))
    spec = time_between_chart(tb).to_dict()
    x = spec["layer"][0]["encoding"]["x"]
    assert x["axis"] == {"format": "d", "tickMinStep": 1}
    rows = next(iter(spec["datasets"].values()))
    assert all(float(r[c]).is_integer() for r in rows for c in ("median", "p90"))
    timed = time_between_chart(tb.assign(whole_days=False)).to_dict()["layer"][0]["encoding"]["x"]
    assert "axis" not in timed


CONDITIONAL = {"stages": ["Browse", "Buy", "Get", "Restock"], "touchpoints": [
    {"name": "Browse again", "stage": "Restock", "events": ["view"], "after": "Get"},
    {"name": "Site", "stage": "Browse", "events": ["view"]},
    {"name": "First order", "stage": "Buy", "events": ["order"], "occurrence": "first"},
    {"name": "Repeat order", "stage": "Restock", "events": ["order"], "occurrence": "repeat"},
    {"name": "Delivery", "stage": "Get", "events": ["delivered"]}]}


def test_a_name_that_may_count_for_a_later_stage_is_placed_at_its_earliest():
    """view may count for Restock (after Get), listed first: on the day of the first order it is
    still placed at Browse, before the order, as the timed log has it."""
    ev = pd.DataFrame({"customer_id": ["x"] * 5,
                       "event": ["order", "view", "delivered", "order", "view"],
                       "timestamp": ["2024-03-01", "2024-03-01", "2024-03-03", "2024-03-05",
                                     "2024-03-05"]})
    e = prepare(load_events(ev), CONDITIONAL)
    df = e.to_pandas()
    assert df["event"].tolist() == ["view", "order", "delivered", "view", "order"]
    assert df["touchpoint"].tolist() == ["Site", "First order", "Delivery", "Browse again",
                                         "Repeat order"]
    assert funnel(e)["n"].tolist() == [1, 1, 1, 1]
    assert e.dates_only == DatesOnly(n_ambiguous=1, n_customers=1, n_ambiguous_touchpoints=1)


@pytest.mark.parametrize("seed", range(2))
def test_row_order_does_not_matter_with_touchpoint_conditions(seed):
    rng = np.random.default_rng(seed)
    ev = random_days(seed).assign(event=lambda d: rng.choice(["view", "order", "delivered", "ping"],
                                                              len(d)))
    answers = []
    for k in range(3):
        frame = ev if k == 0 else ev.sample(frac=1, random_state=k).reset_index(drop=True)
        e = prepare(load_events(frame), CONDITIONAL)
        answers.append((e.to_pandas()[["customer_id", "event", "touchpoint", "position"]],
                        funnel(e), transitions(e, level="touchpoint"), e.dates_only))
    for got in answers[1:]:
        for a, b in zip(got, answers[0]):
            if isinstance(a, pd.DataFrame):
                pd.testing.assert_frame_equal(a, b)
            else:
                assert a == b


# ------------------------------------------------------------------ the teaching track
def test_the_lesson_says_dates_only_with_n_and_nothing_for_a_timed_log(tmp_path):
    from jmtools.journey import Journey
    from jmtools.teaching import Lesson

    folder = dated_world("b2b", tmp_path / "b2b")
    said = Lesson(str(folder)).show_dates_only()
    days = prepare(load_events(folder / "events.csv"), Journey.load(folder / "journey.yaml")).dates_only
    assert said == days.sentence() and days.n_customers == 600 and 0 < days.n_ambiguous < 600
    assert Lesson("sample:b2b").show_dates_only() is None


@pytest.mark.slow
def test_the_track_says_dates_only_where_it_shows_a_funnel(notebook_runs):
    """Notebook 4 of the teaching track on a dates-only copy of the e-commerce world: the
    sentence of notebook 02 with D45's count, once, in the cell of the first funnel, and no
    error (the solutions' answers are written for the timed world: exercise 4.2 asks about
    another pair of touchpoints here)."""
    import json

    out, result = notebook_runs.get("teach_04_dated")
    cells = json.loads((out / "teach_04_dated.ipynb").read_text(encoding="utf-8"))["cells"]
    shown = [(i, "".join(o["data"]["text/markdown"])) for i, c in enumerate(cells)
             for o in c.get("outputs", []) if "text/markdown" in o.get("data", {})]
    said = [(i, text) for i, text in shown if "Event times are dates only" in text]
    assert len(said) == 1, shown
    i, text = said[0]
    assert "stage_funnel" in "".join(cells[i]["source"])             # the lesson's funnel of mapped stages
    assert ("**Event times are dates only:** 3,466 of 4,000 customers (87%) have two or more stages "
            "on one day,") in text and text.count("dates only") == 1
    errors = [o for c in cells for o in c.get("outputs", []) if o["output_type"] == "error"]
    assert not errors


# ------------------------------------------------------------------ few date-only events in a timed log
def few_dated() -> pd.DataFrame:
    """A timed log (view, search) with three kinds of only 1–2 events, all at midnight (pay, cart,
    mail_receipt): too few to be moved to the end of their day (D15), so they stay at midnight,
    where rows of one customer and one day are deliberately against journey order.

    a: view 10:00 on day 1; pay, cart at day 2's midnight → view, cart, pay
    b: view 09:00 on day 4; mail_receipt, pay at day 5's midnight → view, pay, mail_receipt
    c: cart and search at day 6's midnight (search is a timed kind: first), search 11:00, view
       on day 7 → search, cart, search, view
    """
    rows = [("a", "2024-03-02", "pay"), ("a", "2024-03-02", "cart"), ("a", "2024-03-01 10:00", "view"),
            ("b", "2024-03-05", "mail_receipt"), ("b", "2024-03-04 09:00", "view"), ("b", "2024-03-05", "pay"),
            ("c", "2024-03-06", "cart"), ("c", "2024-03-06 00:00", "search"), ("c", "2024-03-06 11:00", "search"),
            ("c", "2024-03-07 08:00", "view")]
    ev = pd.DataFrame(rows, columns=["customer_id", "timestamp", "event"])
    return ev.assign(timestamp=pd.to_datetime(ev["timestamp"], format="ISO8601"))


def test_ties_at_midnight_of_kinds_too_few_to_move_follow_journey_order_not_rows():
    want = {"a": ["view", "cart", "pay"], "b": ["view", "pay", "mail_receipt"],
            "c": ["search", "cart", "search", "view"]}
    rng = np.random.default_rng(0)
    frames = [few_dated(), few_dated().iloc[::-1]] + [few_dated().iloc[rng.permutation(10)] for _ in range(8)]
    first = None
    for frame in frames:
        e = prepare(load_events(frame), JOURNEY)
        assert e.dates_only is None and e.date_only.empty      # a timed log; no kind of 3 or more moved
        got = e.to_pandas()
        assert got.groupby("customer_id")["event"].apply(list).to_dict() == want
        assert funnel(e)["n"].tolist() == [3, 2, 1]
        answers = (got[["customer_id", "timestamp", "event", "position", "next_event", "time_to_next_s"]],
                   transitions(e, level="touchpoint"), time_between_stages(e))
        for a, b in zip(answers, first or answers):
            pd.testing.assert_frame_equal(a, b)
        first = first or answers


def test_a_personas_dates_only_counts_are_of_its_own_customers():
    """A persona report's funnel is of its customers, so is the bound the sentence gives; without
    a customer table whose customers they are cannot be known, and the sentence says the counts
    are the whole log's."""
    events = pd.concat([random_days(s).assign(customer_id=lambda t, s=s: f"s{s}-" + t["customer_id"].astype(str))
                        for s in (1, 2)], ignore_index=True)
    ids = sorted(events["customer_id"].unique())
    customers = pd.DataFrame({"customer_id": ids, "age": [20 + 7 * (i % 7) for i in range(len(ids))]})
    journey = {**JOURNEY, "personas": {"Young": "age < 35", "Older": "age >= 35"}}
    e = prepare(load_events(events), journey, customers=customers)
    young = set(customers.loc[customers["age"] < 35, "customer_id"])
    mine = events[events["customer_id"].isin(young)]
    got = e.dates_only_for("Young")
    assert (got.n_ambiguous, got.n_ambiguous_touchpoints, got.n_customers) == \
        (oracle_ambiguous(mine), oracle_ambiguous_touchpoints(mine), mine["customer_id"].nunique())
    assert got.n_customers < e.dates_only.n_customers and got.n_ambiguous > 0
    seen = {}
    said = show_dates_only(e, persona="Young", record=lambda name, value, **kw: seen.update({name: (value, kw["n"])}))
    assert said.startswith(f"Event times are dates only: {got.n_ambiguous:,} of Young's {got.n_customers:,} "
                           "customers (")
    assert seen["dates_only_customers"] == (got.n_ambiguous, got.n_customers)
    assert show_dates_only(e, record=lambda *a, **k: None) == e.dates_only.sentence()   # all customers
    plain = prepare(load_events(events), journey)                                      # no customer table
    said = show_dates_only(plain, persona="Young", about="loops")
    assert said.startswith("Event times are dates only: Young's customers are not known without a customer "
                           "table, so these counts are of the whole log: loops and detours")
    assert f"{plain.dates_only.n_ambiguous_touchpoints:,} of {plain.dates_only.n_customers:,} customers" in said


REMIND = {"stages": ["Buy", "Remind", "Rebuy"], "touchpoints": [
    {"name": "First order", "stage": "Buy", "events": ["order"], "occurrence": "first"},
    {"name": "Reminder", "stage": "Remind", "events": ["reminder_sent"], "initiated_by": "company"},
    {"name": "Reminder link", "stage": "Remind", "events": ["reminder_click"]},
    {"name": "Repeat order", "stage": "Rebuy", "events": ["order"], "occurrence": "repeat"}]}


@pytest.mark.parametrize("rows", [slice(None), slice(None, None, -1)])
def test_a_company_contact_opens_its_day(rows):
    """A reminder the company sends and the repeat order it prompts, on one day: the order's
    earliest stage (Buy: its first occurrence) is before the reminder's, so journey order by stage
    alone put the order first and the customer never reached Rebuy after Remind. The timed log,
    and now the dates, say 1 of 1."""
    timed = pd.DataFrame([("x", "2024-03-01 10:00", "order"), ("x", "2024-03-05 08:00", "reminder_sent"),
                          ("x", "2024-03-05 08:30", "reminder_click"), ("x", "2024-03-05 12:00", "order")],
                         columns=["customer_id", "timestamp", "event"])
    dated = timed.assign(timestamp=timed["timestamp"].str[:10]).iloc[rows]
    want = funnel(prepare(load_events(timed), REMIND))["n"].tolist()
    e = prepare(load_events(dated), REMIND)
    assert e.dates_only is not None and want == [1, 1, 1]
    assert funnel(e)["n"].tolist() == want
    # the customer's own click still follows the order (keyed at its earliest stage, Buy): only
    # the company's contact moves
    assert e.to_pandas()["event"].tolist() == ["order", "reminder_sent", "order", "reminder_click"]
    steps = ["Reminder", "Repeat order"]
    assert funnel(e, steps=steps, level="touchpoint")["n"].tolist() == [1, 1]


def test_the_grocery_worlds_dates_give_its_timed_reminder_funnel(grocery_world, tmp_path):
    """Grocery with dates only: the funnel Restock reminder → Repeat order was 839 where the timed
    log gives 855 (reminders sorted after the same-day order they prompted); stage funnel as timed."""
    from jmtools.sources import load_world

    world = load_world(dated_world("grocery", tmp_path / "grocery"))
    dated = prepare(world.tables["events"], world.journey, customers=world.tables["customers"])
    timed = grocery_world.evidence
    steps = ["Restock reminder", "Repeat order"]
    assert dated.dates_only is not None and timed.dates_only is None
    assert funnel(dated)["n"].tolist() == funnel(timed)["n"].tolist()
    assert funnel(dated, steps=steps, level="touchpoint")["n"].tolist() == \
        funnel(timed, steps=steps, level="touchpoint")["n"].tolist() == [1800, 855]


DELIVERY = {"stages": ["Aware", "Buy", "Deliver"], "touchpoints": [
    {"name": "Newsletter", "stage": "Aware", "events": ["click"]},
    {"name": "Checkout", "stage": "Buy", "events": ["order"]},
    {"name": "Door", "stage": "Deliver", "events": ["delivered"]},
    {"name": "Tracking", "stage": "Deliver", "events": ["track", "rated"]}]}


def test_a_date_only_event_joins_its_stages_timed_events_of_that_day():
    """Parcel delivered on a day known only by its date, tracked in the morning, rated in the
    afternoon, a newsletter clicked in the evening: at the end of the day (D15) the delivery came
    after the click, a second visit to Deliver (a stage loop the customer never made). It now
    follows its stage's last timed event of that day; without one, the end of the day as before."""
    rows = [("x", "2024-03-01 10:00", "order"), ("x", "2024-03-02 08:00", "track"),
            ("x", "2024-03-02 00:00", "delivered"), ("x", "2024-03-02 16:00", "rated"),
            ("x", "2024-03-02 18:00", "click"),
            ("y", "2024-03-01 10:00", "order"), ("y", "2024-03-02 00:00", "delivered"),
            ("y", "2024-03-02 18:00", "click"),
            ("z", "2024-03-01 10:00", "order"), ("z", "2024-03-02 07:00", "track"),
            ("z", "2024-03-02 00:00", "delivered"), ("z", "2024-03-02 08:00", "click"),
            ("z", "2024-03-02 12:00", "track"), ("z", "2024-03-03 00:00", "delivered")]
    ev = pd.DataFrame(rows, columns=["customer_id", "timestamp", "event"])
    ev = ev.assign(timestamp=pd.to_datetime(ev["timestamp"]))
    for frame in (ev, ev.iloc[::-1]):
        e = prepare(load_events(frame), DELIVERY)
        assert set(e.date_only["event"]) == {"delivered"}
        got = e.to_pandas()
        assert got.groupby("customer_id")["event"].apply(list).to_dict() == {
            "x": ["order", "track", "rated", "delivered", "click"],
            "y": ["order", "click", "delivered"],                    # no Deliver event that day
            "z": ["order", "track", "click", "track", "delivered", "delivered"]}
        assert loops(e, level="stage").set_index("step")["n"].to_dict() == {"Aware": 0, "Buy": 0, "Deliver": 1}
        x = got[got["customer_id"] == "x"].set_index("event")["time_to_next_s"]
        assert np.isnan(x["rated"]) and x["delivered"] == 18 * 3600  # times are not changed


def oracle_placed(d: pd.DataFrame, earliest: dict, dated) -> pd.DataFrame:
    """Plain pandas: ``d`` (customer_id, timestamp, event, _row) sorted by D122 and D127. A
    date-only event (names ``dated``; one kind) goes right after its anchor — the last, by time
    then row, of the customer's timed events that day at its earliest stage (``earliest``) —
    before any other event of the anchor's second; without an anchor, at the start of its day when
    every timed event of that day is at a later stage (D140), else at 23:59:59 of its day, after
    every event of that second; ties of date-only events by row. ``dated`` may also be a
    boolean Series: the rows written as a date alone (D140)."""
    d = d.assign(_st=d["event"].map(earliest), _day=d["timestamp"].dt.normalize())
    is_dated = dated.reindex(d.index) if isinstance(dated, pd.Series) else d["event"].isin(dated)
    timed = d[~is_dated & d["_st"].notna()].sort_values(["timestamp", "_row"])
    last = (timed.groupby(["customer_id", "_day", "_st"]).tail(1)
            [["customer_id", "_day", "_st", "timestamp", "_row"]]
            .rename(columns={"timestamp": "_at", "_row": "_after"}))
    looked = d[is_dated & d["_st"].notna()].reset_index().merge(last, on=["customer_id", "_day", "_st"],
                                                                 how="left")
    anchor = looked.set_index("index")[["_at", "_after"]].reindex(d.index)
    anchored = is_dated & anchor["_at"].notna()
    lowest = timed.groupby(["customer_id", "_day"])["_st"].min().rename("_lo")
    lo = d[["customer_id", "_day"]].merge(lowest, left_on=["customer_id", "_day"], right_index=True,
                                          how="left")["_lo"].to_numpy()
    first = is_dated & ~anchored & d["_st"].notna() & (lo > d["_st"])       # the day's timed events all later
    end = d["_day"] + pd.Timedelta(seconds=86399)
    d["_key"] = d["timestamp"].where(~is_dated | first, anchor["_at"].where(anchored, end))
    d["_k2"] = d["_row"].astype(float).where(~is_dated, anchor["_after"].where(anchored, np.inf)
                                             .where(~first, -1.0))
    return d.assign(_tie=is_dated.astype(int)).sort_values(["customer_id", "_key", "_k2", "_tie", "_row"])


def earliest_stage(journey: dict) -> dict:
    order = [s["name"] if isinstance(s, dict) else s for s in journey["stages"]]
    earliest = {}
    for tp in journey["touchpoints"]:
        for name in tp["events"]:
            earliest[name] = min(earliest.get(name, 99), order.index(tp["stage"]))
    return earliest


def test_date_only_events_are_placed_as_plain_pandas_places_them_on_grocery(grocery_world):
    """Grocery's ``delivered`` (dates only) beside tracking views and ratings (timed, same stage)
    and mailings of other stages: every customer's order equals a plain-pandas sort by the rule —
    right after the last timed event of that day at the event's earliest stage, else at 23:59:59;
    ties timed first, then the file's row order."""
    import yaml

    data = Path(__file__).resolve().parents[1] / "data" / "grocery"
    raw = pd.read_parquet(data / "events.parquet")
    journey = yaml.safe_load((data / "journey.yaml").read_text(encoding="utf-8"))
    d = raw.assign(_row=np.arange(len(raw)))
    dated = d["event"].eq("delivered")
    assert (d.loc[dated, "timestamp"] == d.loc[dated, "timestamp"].dt.normalize()).all()
    want = oracle_placed(d, earliest_stage(journey), ["delivered"])
    got = grocery_world.evidence.to_pandas().sort_values(["customer_id", "position"])
    assert len(got) == len(want)
    moved = int((dated & want.sort_index()["_key"].ne(d["timestamp"] + pd.Timedelta(seconds=86399))).sum())
    assert moved > 1000                                                  # rated or tracked that day
    assert got["event"].tolist() == want["event"].tolist()
    assert got["timestamp"].tolist() == want["timestamp"].tolist()


def test_a_date_only_event_follows_its_anchor_not_every_event_of_its_second():
    """D122 put a date-only event after every event of its anchor's second: a newsletter clicked in
    the same second as the tracking view (a row after it) came before the delivery, a Deliver →
    Aware → Deliver loop the data does not show. It now comes right after its anchor (D127); a
    click a row before the anchor stays before both."""
    rows = [("x", "2024-03-01 10:00:00", "order"), ("x", "2024-03-02 09:00:00", "track"),
            ("x", "2024-03-02 09:00:00", "click"), ("x", "2024-03-02 00:00:00", "delivered"),
            ("y", "2024-03-01 10:00:00", "order"), ("y", "2024-03-02 09:00:00", "click"),
            ("y", "2024-03-02 09:00:00", "track"), ("y", "2024-03-02 00:00:00", "delivered"),
            ("z", "2024-03-01 10:00:00", "order"), ("z", "2024-03-02 09:00:00", "track"),
            ("z", "2024-03-02 09:00:00", "rated"), ("z", "2024-03-02 09:00:00", "click"),
            ("z", "2024-03-02 00:00:00", "delivered"),
            ("w", "2024-03-02 09:00:00", "click"), ("w", "2024-03-03 00:00:00", "delivered")]
    ev = pd.DataFrame(rows, columns=["customer_id", "timestamp", "event"])
    ev = ev.assign(timestamp=pd.to_datetime(ev["timestamp"]))
    e = prepare(load_events(ev), DELIVERY)
    got = e.to_pandas().groupby("customer_id")["event"].apply(list).to_dict()
    assert got == {"x": ["order", "track", "delivered", "click"],
                   "y": ["order", "click", "track", "delivered"],
                   "z": ["order", "track", "rated", "delivered", "click"],
                   "w": ["click", "delivered"]}                        # no anchor: the day's end
    assert loops(e, level="stage").set_index("step")["n"].to_dict() == {"Aware": 0, "Buy": 0, "Deliver": 0}
    want = oracle_placed(ev.assign(_row=np.arange(len(ev))), earliest_stage(DELIVERY), ["delivered"])
    assert e.to_pandas().sort_values(["customer_id", "position"])["event"].tolist() == want["event"].tolist()


def seconds_apart(seed: int, n_customers: int = 80) -> pd.DataFrame:
    """Customers with a delivery day (a date) and timed events on few distinct seconds, so that
    events of several stages share their second in random row order."""
    rng = np.random.default_rng(seed)
    names = np.array(["click", "order", "track", "rated"])
    rows = []
    for c in range(n_customers):
        for _ in range(rng.integers(2, 9)):
            day, sec = rng.integers(1, 3), rng.choice([9 * 3600, 9 * 3600 + 1, 15 * 3600])
            rows.append((f"c{c}", pd.Timestamp(f"2024-03-0{day}") + pd.Timedelta(seconds=int(sec)),
                         str(rng.choice(names))))
        for _ in range(rng.integers(0, 3)):
            rows.append((f"c{c}", pd.Timestamp(f"2024-03-0{rng.integers(1, 4)}"), "delivered"))
    ev = pd.DataFrame(rows, columns=["customer_id", "timestamp", "event"])
    return ev.sample(frac=1, random_state=seed, ignore_index=True)


@pytest.mark.parametrize("seed", range(3))
def test_date_only_events_sort_as_plain_pandas_sorts_them_when_seconds_are_shared(seed):
    """Random logs whose timed events of several stages share seconds: the order equals the
    plain-pandas sort by D122 and D127, whatever the rows' order."""
    ev = seconds_apart(seed)
    e = prepare(load_events(ev), DELIVERY)
    want = oracle_placed(ev.assign(_row=np.arange(len(ev))), earliest_stage(DELIVERY), ["delivered"])
    got = e.to_pandas().sort_values(["customer_id", "position"])
    assert got["event"].tolist() == want["event"].tolist()
    assert got["timestamp"].tolist() == want["timestamp"].tolist()


@pytest.mark.parametrize("tz", ["Europe/Berlin", "America/New_York"])
def test_a_date_only_kind_under_a_time_zone_is_still_date_only_and_placed_by_its_day(tmp_path, tz):
    """With tz= the dates of ``delivered`` were converted like instants (Berlin: 23:00 the day
    before; New York: 05:00), so the kind was no longer date-only and sorted before the day's
    tracking view, rating and order (D126). It now stays its day and is placed as without a zone:
    after its stage's last timed event of that day (times converted to UTC, as plain pandas does)."""
    rows = [("x", "2024-03-01 10:00", "order"), ("x", "2024-03-02 08:00", "track"),
            ("x", "2024-03-02", "delivered"), ("x", "2024-03-02 16:00", "rated"),
            ("x", "2024-03-02 18:00", "click"),
            ("y", "2024-03-01 10:00", "order"), ("y", "2024-03-02", "delivered"),
            ("y", "2024-03-02 18:00", "click"),
            ("z", "2024-07-01 10:00", "order"), ("z", "2024-07-02 07:00", "track"),
            ("z", "2024-07-02", "delivered"), ("z", "2024-07-02 08:00", "click"),
            ("z", "2024-07-02 12:00", "track"), ("z", "2024-07-03", "delivered")]
    raw = pd.DataFrame(rows, columns=["customer_id", "timestamp", "event"])
    path = tmp_path / "events.csv"
    raw.to_csv(path, index=False)
    e = prepare(load_events(path, tz=tz), DELIVERY)
    assert set(e.date_only["event"]) == {"delivered"}
    got = e.to_pandas().sort_values(["customer_id", "position"])
    assert got.groupby("customer_id")["event"].apply(list).to_dict() == {
        "x": ["order", "track", "rated", "delivered", "click"], "y": ["order", "click", "delivered"],
        "z": ["order", "track", "click", "track", "delivered", "delivered"]}
    local = pd.to_datetime(raw["timestamp"], format="mixed")
    dated = raw["event"].eq("delivered")
    utc = local.where(dated, local.dt.tz_localize(tz).dt.tz_convert("UTC").dt.tz_localize(None))
    want = oracle_placed(raw.assign(timestamp=utc, _row=np.arange(len(raw))), earliest_stage(DELIVERY),
                         ["delivered"])
    assert got["timestamp"].tolist() == want["timestamp"].tolist()
    assert got["event"].tolist() == want["event"].tolist()


# ------------------------------------------------------------------ rows of a timed kind written as dates (D140)
def signups(seed: int = 5, n_customers: int = 210) -> tuple[pd.DataFrame, pd.Series]:
    """A timed log whose ``cart`` rows are sometimes written with the date alone, as an export
    does: each customer views (Browse), adds to the cart minutes later; every third one adds a
    second cart later that day (an anchor at Cart), every fourth views again after the cart,
    every other pays a day later. Every seventh customer's first cart is written ``YYYY-MM-DD``.
    Returns the rows as text (``timestamp`` as written) and the true times."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n_customers):
        day = pd.Timestamp("2024-05-01") + pd.Timedelta(days=int(rng.integers(0, 20)))
        seen = day + pd.Timedelta(seconds=int(rng.integers(8 * 3600, 14 * 3600)))
        cart = seen + pd.Timedelta(seconds=int(rng.integers(60, 1800)))
        rows += [(f"c{c:03d}", "view", seen, False), (f"c{c:03d}", "cart", cart, c % 7 == 0)]
        if c % 3 == 0:
            rows.append((f"c{c:03d}", "cart", cart + pd.Timedelta(minutes=40), False))
        if c % 4 == 0:
            rows.append((f"c{c:03d}", "view", cart + pd.Timedelta(hours=2), False))
        if c % 2 == 0:
            rows.append((f"c{c:03d}", "pay", day + pd.Timedelta(days=1, seconds=int(rng.integers(30000, 60000))),
                         False))
    ev = pd.DataFrame(rows, columns=["customer_id", "event", "true", "alone"])
    ev = ev.sample(frac=1, random_state=seed, ignore_index=True)
    written = ev["true"].dt.strftime("%Y-%m-%d %H:%M:%S").where(~ev["alone"], ev["true"].dt.strftime("%Y-%m-%d"))
    return ev.assign(timestamp=written)[["customer_id", "event", "timestamp"]], ev["true"]


def _written(ev: pd.DataFrame, how: str, tmp_path):
    """``ev`` (times as text) as the input ``how``: a CSV file, a frame, a Parquet file of text, or
    a workbook whose dates alone are date cells (Excel date numbers)."""
    if how == "frame":
        return ev
    path = tmp_path / f"events.{ {'csv': 'csv', 'parquet': 'parquet', 'xlsx': 'xlsx'}[how] }"
    if how == "csv":
        ev.to_csv(path, index=False)
    elif how == "parquet":
        ev.to_parquet(path, index=False)
    else:
        serial = (pd.to_datetime(ev["timestamp"], format="ISO8601") - pd.Timestamp("1899-12-30")).dt.days
        cells = ev["timestamp"].astype(object).where(ev["timestamp"].str.len() > 10, serial.astype(object))
        ev.assign(timestamp=cells).to_excel(path, index=False)
    return path


@pytest.mark.parametrize("how", ["csv", "frame", "parquet", "xlsx"])
def test_rows_of_a_timed_kind_written_as_dates_are_placed_after_their_anchor(how, tmp_path):
    """D140: an export wrote some carts with the date alone among carts with times. They read as
    00:00 and sorted before that day's view, so the funnel lost those customers at Cart (and Pay).
    The loader marks them and the evidence step places them as a date-only kind's events: right
    after the customer's last timed event of that day at Cart (the second cart), else at the end
    of the day — the order a plain-pandas sort by that rule gives; the funnel equals the one the
    true times give; the note counts them; their times are not changed."""
    ev, true = signups()
    loaded = load_events(_written(ev, how, tmp_path))
    e = prepare(loaded, JOURNEY)
    alone = ev["timestamp"].str.len() <= 10
    d = ev.assign(timestamp=pd.to_datetime(ev["timestamp"], format="ISO8601"), _row=np.arange(len(ev)))
    want = oracle_placed(d, earliest_stage(JOURNEY), alone)
    got = e.to_pandas().sort_values(["customer_id", "position"])
    assert got["event"].tolist() == want["event"].tolist()
    assert got["timestamp"].tolist() == want["timestamp"].tolist()          # times as written
    truth = ev.assign(timestamp=true, stage=oracle_stage(ev)[0]).sort_values(["customer_id", "timestamp"])
    assert funnel(e)["n"].tolist() == oracle_funnel(truth) == [210, 210, 105]
    assert e.date_only.to_dict("records") == [{"event": "cart", "n_events": 280, "n_dated": 30}]
    note = fit_problems(e).set_index("subject").loc["cart"]
    assert note["n_events"] == 30 and note["message"].startswith("30 of the 280 cart events carry a date alone")
    assert "_dated" not in e.core.columns and "_dated" not in loaded.to_pandas().columns


def test_a_log_that_truly_starts_at_midnight_keeps_its_times(tmp_path):
    """A time written as 00:00:00 is a time, not a date: such carts stay first in their day (before
    the view), while carts written as a date alone move after it; a log written with times only
    gets no extra column, in the loaded table or the prepared one."""
    ev, _ = signups(n_customers=70)
    first = ev.index[ev["event"].eq("cart") & ev["timestamp"].str.len().gt(10)][:20]
    ev.loc[first, "timestamp"] = ev.loc[first, "timestamp"].str[:10] + " 00:00:00"
    ev.to_csv(tmp_path / "events.csv", index=False)
    e = prepare(load_events(tmp_path / "events.csv"), JOURNEY)
    got = e.to_pandas()
    midnight = got["event"].eq("cart") & got["timestamp"].eq(got["timestamp"].dt.normalize())
    at_start = got[midnight].merge(got[got["position"] == 1], on=["customer_id", "position"])
    assert len(got[midnight]) == 30 and len(at_start) == 20          # 20 real midnights first; 10 dates moved
    assert e.date_only["n_dated"].tolist() == [10]
    timed = ev.assign(timestamp=ev["timestamp"].where(ev["timestamp"].str.len() > 10, ev["timestamp"] + " 09:00"))
    timed.to_csv(tmp_path / "timed.csv", index=False)
    loaded = load_events(tmp_path / "timed.csv")
    assert "_dated" not in loaded.table.columns
    assert prepare(loaded, JOURNEY).core.columns == e.core.columns


def test_a_dated_row_whose_day_holds_only_later_stages_opens_its_day(tmp_path):
    """D140: a landing view written with the date alone, on a day whose timed events are all at
    later stages (the cart), went to the end of the day — after the cart, so the funnel lost the
    customer at Cart (an outside tester's world: 12 of 1,215 sign-ups). With no event of its own
    stage that day to follow and only later stages timed, it opens the day (journey order); with
    an earlier stage timed that day it still ends it."""
    ev, true = signups(n_customers=120)
    customer = ev["customer_id"].str[1:].astype(int)
    first_view = ev["event"].eq("view") & ~ev.duplicated(["customer_id", "event"])
    alone = first_view & (customer % 5 == 0) & (customer % 4 != 0)        # no second view that day
    ev["timestamp"] = ev["timestamp"].where(~alone, ev["timestamp"].str[:10])
    carts = ev["event"].eq("cart")                                          # carts timed here
    ev.loc[carts, "timestamp"] = true[carts].dt.strftime("%Y-%m-%d %H:%M:%S")
    ev.to_csv(tmp_path / "events.csv", index=False)
    e = prepare(load_events(tmp_path / "events.csv"), JOURNEY)
    got = e.to_pandas().sort_values(["customer_id", "position"])
    opened = got[got["customer_id"].isin(ev.loc[alone, "customer_id"])].groupby("customer_id")["event"].first()
    assert int(alone.sum()) >= 15 and (opened == "view").all()
    d = ev.assign(timestamp=pd.to_datetime(ev["timestamp"], format="ISO8601"), _row=np.arange(len(ev)))
    want = oracle_placed(d, earliest_stage(JOURNEY), ev["timestamp"].str.len() <= 10)
    assert got["event"].tolist() == want["event"].tolist()
    assert funnel(e)["n"].tolist()[:2] == [120, 120]                        # every view before its cart
