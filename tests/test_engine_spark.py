"""The same analyses on PySpark (local[2]) and on DuckDB give identical numbers.

Skips with a reason when Java or pyspark is missing. One Spark session per module; the
data is the first customers of the e-commerce sample world (its events are strictly ordered
per customer, so no tie-breaking rule can differ between the engines).
"""

from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import pandas as pd
import pytest

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "ecommerce"

pytestmark = pytest.mark.spark

if importlib.util.find_spec("pyspark") is None:
    pytest.skip("pyspark is not installed (pip install pyspark) — Spark engine tests skipped",
                allow_module_level=True)
if shutil.which("java") is None:
    pytest.skip("no Java runtime on PATH (PySpark needs Java 17) — Spark engine tests skipped",
                allow_module_level=True)
if not (DATA / "events.parquet").exists():
    pytest.skip("sample world data/ecommerce not generated", allow_module_level=True)


#: Customers of the sample world used here: small, so that Spark's per-query overhead stays low.
CUSTOMERS = 200


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    session = (SparkSession.builder.master("local[2]").appName("jmtools-tests")
               .config("spark.sql.shuffle.partitions", "2")
               .config("spark.ui.enabled", "false")
               .config("spark.sql.session.timeZone", "UTC")
               .config("spark.driver.memory", "1g")
               .config("spark.sql.execution.arrow.pyspark.enabled", "true")
               .getOrCreate())
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


@pytest.fixture(scope="module")
def frames():
    customers = pd.read_csv(DATA / "customers.csv").sort_values("customer_id").head(CUSTOMERS)
    keep = set(customers["customer_id"])
    events = pd.read_parquet(DATA / "events.parquet")
    surveys = pd.read_csv(DATA / "surveys.csv")
    return (events[events.customer_id.isin(keep)].reset_index(drop=True), customers,
            surveys[surveys.customer_id.isin(keep)].reset_index(drop=True))


@pytest.fixture(scope="module")
def both(spark, frames):
    from jmtools.evidence import prepare
    from jmtools.journey import Journey
    from jmtools.sources import load_customers, load_events, load_surveys

    journey = Journey.load(DATA / "journey.yaml")
    events, customers, surveys = frames
    duck = prepare(load_events(events), journey, customers=load_customers(customers))
    sp_events = load_events(spark.createDataFrame(events))
    sp_customers = load_customers(spark.createDataFrame(customers))
    sp = prepare(sp_events, journey, customers=sp_customers)
    sv = (load_surveys(surveys), load_surveys(spark.createDataFrame(surveys)))
    return duck, sp, sv, (sp_events, sp_customers)


def same(a: pd.DataFrame, b: pd.DataFrame):
    a = a.reset_index(drop=True)
    b = b.reset_index(drop=True)
    pd.testing.assert_frame_equal(a, b, check_dtype=False, check_exact=False, rtol=1e-12)


def test_spark_tables_really_run_on_spark(both):
    from jmtools.core.engine import backend_of

    duck, sp, _, (ev, cu) = both
    assert backend_of(sp.events).name == "pyspark" and backend_of(duck.events).name == "duckdb"
    assert ev.accounting.rows_used == duck.n_events and ev.accounting.rows_rejected == 0
    assert sp.n_events == duck.n_events and sp.n_customers == duck.n_customers
    same(sp.unmatched, duck.unmatched)
    same(sp.coverage, duck.coverage)


def test_funnels_identical(both):
    from jmtools.analyses.funnels import funnel, furthest_stage, time_between_stages

    duck, sp, _, _ = both
    same(funnel(sp, by="persona"), funnel(duck, by="persona"))
    steps = ["product_view", "cart_add", "checkout_start", "checkout_payment", "order_placed"]
    same(funnel(sp, steps=steps, level="event"), funnel(duck, steps=steps, level="event"))
    same(furthest_stage(sp), furthest_stage(duck))
    same(time_between_stages(sp, by="persona"), time_between_stages(duck, by="persona"))


def test_where_customers_reach_a_stage_off_the_funnel_identical(both):
    """D216: customers with an event at a stage placed against the funnel before it; Consideration
    taken after Decision leaves many before it and some never counted at Decision."""
    from jmtools.analyses.funnels import off_funnel_reach

    duck, sp, _, _ = both
    steps = ["Awareness", "Decision"]
    got = off_funnel_reach(sp, steps=steps, stage="Consideration", by="persona")
    same(got, off_funnel_reach(duck, steps=steps, stage="Consideration", by="persona"))
    same(off_funnel_reach(sp, steps=steps, stage="Consideration"), off_funnel_reach(duck, steps=steps,
                                                                                    stage="Consideration"))
    assert got["n_before"].sum() > 0 and got["n_after"].sum() > 0


def test_skipped_steps_and_the_dropoff_of_who_stops_identical(both):
    """D169: the drop-off reads skipped_steps; the steps out of journey order make customers skip
    Decision on their way to Consideration, so the skippers are many on both engines."""
    from jmtools.analyses.funnels import funnel, skipped_steps
    from jmtools.analyses.painpoints import dropoff_signal

    duck, sp, _, _ = both
    steps = ["Awareness", "Decision", "Consideration", "Post-purchase"]
    skips = skipped_steps(sp, steps=steps, by="persona")
    same(skips, skipped_steps(duck, steps=steps, by="persona"))
    assert skips["n_skipped"].sum() > 0
    same(dropoff_signal(funnel(sp, steps=steps, by="persona"), skips=skips),
         dropoff_signal(funnel(duck, steps=steps, by="persona"), skips=skipped_steps(duck, steps=steps, by="persona")))


def test_who_is_still_open_at_each_step_identical(both):
    """D209: the drop-off leaves out who reached a step too recently, counted on the funnel's reach; the
    cut-offs here (three months before the last event) leave out many, some skippers among them."""
    from jmtools.analyses.funnels import open_lost

    duck, sp, _, _ = both
    end = pd.Timestamp(duck.events["timestamp"].max().execute())
    steps = ["Awareness", "Decision", "Consideration", "Post-purchase"]
    since = {s: end - pd.Timedelta(days=90) for s in steps[1:]}
    got = open_lost(sp, since=since, steps=steps, by="persona")
    same(got, open_lost(duck, since=since, steps=steps, by="persona"))
    assert got["n_recent"].sum() > got["n_open"].sum() > got["n_open_skipped"].sum() > 0


def test_where_the_lost_were_last_seen_identical(both):
    """D203: each lost customer's last event, on the stored narrow table of either engine."""
    from jmtools.analyses.funnels import last_seen

    duck, sp, _, _ = both
    got = last_seen(sp, by="persona")
    same(got, last_seen(duck, by="persona"))
    assert got["n"].sum() > 0


@pytest.mark.parametrize("dates", [False, True])
def test_what_came_before_leaving_identical(spark, dates):
    """D211: the share who left among those who met each touchpoint before leaving, per persona, on the
    stored narrow table of either engine; in a log of dates only, only earlier days count on both."""
    from churn_world import churn_events, customers_of, journey_dict

    from jmtools.analyses.funnels import before_leaving
    from jmtools.evidence import prepare
    from jmtools.sources import load_customers, load_events

    ev = churn_events(7, n=300, dates=dates)
    customers = customers_of(ev)
    duck = prepare(load_events(ev), journey_dict(), customers=load_customers(customers))
    sp = prepare(load_events(spark.createDataFrame(ev)), journey_dict(),
                 customers=load_customers(spark.createDataFrame(customers)))
    assert (sp.dates_only is None) == (not dates)
    for by in (None, "persona"):
        got = before_leaving(sp, by=by)
        same(got, before_leaving(duck, by=by))
        assert got["left_met"].sum() > 0 and got["shown"].any()


def test_transitions_paths_loops_identical(both):
    from jmtools.analyses.funnels import detours, loops, top_paths, transitions

    duck, sp, _, _ = both
    same(transitions(sp), transitions(duck))
    same(transitions(sp, level="touchpoint", collapse_repeats=True),
         transitions(duck, level="touchpoint", collapse_repeats=True))
    same(top_paths(sp, max_steps=4), top_paths(duck, max_steps=4))
    same(loops(sp, by="persona"), loops(duck, by="persona"))
    same(detours(sp), detours(duck))


def test_loops_in_rounds_identical(spark, frames):
    """Orders that end a round (``occurrence: first`` / ``repeat``): revisits in the next round are
    no loop, on Spark as on DuckDB (a running sum over each customer's steps)."""
    from jmtools.analyses.funnels import loops
    from jmtools.evidence import prepare
    from jmtools.journey import Journey
    from jmtools.sources import load_customers, load_events

    from journey_samples import unmark_repeat_orders

    journey = Journey.load(DATA / "journey.yaml")       # first and repeat orders (D172)
    unmarked = Journey.from_yaml(unmark_repeat_orders(journey.path.read_text(encoding="utf-8"))[1])
    events, customers, _ = frames
    duck = prepare(load_events(events), journey, customers=load_customers(customers))
    sp = prepare(load_events(spark.createDataFrame(events)), journey,
                 customers=load_customers(spark.createDataFrame(customers)))
    for level in ("touchpoint", "stage", "event"):
        same(loops(sp, level=level, by="persona"), loops(duck, level=level, by="persona"))
    plain = loops(prepare(load_events(events), unmarked)).set_index("step")
    assert (loops(duck).set_index("step")["n"] <= plain["n"].reindex(loops(duck)["step"])).all()
    assert loops(duck)["n"].sum() < plain["n"].sum()                 # the repeat rounds looped


def test_repeat_visits_identical(both):
    """Times per customer at a touchpoint that repeats (D219): whole-number sums, the same bits on Spark."""
    from jmtools.analyses.funnels import repeat_visits

    duck, sp, _, _ = both
    got = repeat_visits(sp, by="persona")
    assert got["n_again"].sum() > 0                        # the sample's repeat orders
    pd.testing.assert_frame_equal(got, repeat_visits(duck, by="persona"), check_exact=True)
    pd.testing.assert_frame_equal(repeat_visits(sp), repeat_visits(duck), check_exact=True)


def test_detours_in_rounds_and_own_steps_identical(spark, frames):
    """Orders that end a round, first and repeat (a move back into one is no detour, D120), and a
    touchpoint marked ``initiated_by: company`` (a comparison's stages are reached by the
    customer's own events, D119): Spark as DuckDB."""
    from jmtools.analyses.compare import step_observations
    from jmtools.analyses.funnels import customer_reach, detours
    from jmtools.evidence import prepare
    from jmtools.journey import Journey
    from jmtools.sources import load_customers, load_events

    text = (DATA / "journey.yaml").read_text(encoding="utf-8")      # first and repeat orders (D172)
    mail = "{name: Newsletter, stage: Awareness, channel: digital, events: [newsletter_click], owner: CRM team}"
    assert mail in text and "occurrence: repeat" in text
    journey = Journey.from_yaml(text.replace(mail, mail.replace("owner:", "initiated_by: company, owner:")))
    events, customers, _ = frames
    duck = prepare(load_events(events), journey, customers=load_customers(customers))
    sp = prepare(load_events(spark.createDataFrame(events)), journey,
                 customers=load_customers(spark.createDataFrame(customers)))
    for level in ("touchpoint", "stage"):
        same(detours(sp, level=level, by="persona"), detours(duck, level=level, by="persona"))
    same(customer_reach(sp), customer_reach(duck))
    same(step_observations(sp), step_observations(duck))


def test_survey_kpis_identical(both):
    from jmtools.analyses.kpis import survey_kpis

    duck, sp, (sv_duck, sv_spark), _ = both
    same(survey_kpis(sv_spark, evidence=sp, by="persona"), survey_kpis(sv_duck, evidence=duck, by="persona"))


def test_spark_load_rejects_bad_rows_with_reasons(spark):
    from jmtools.sources import load_surveys

    df = spark.createDataFrame(pd.DataFrame({
        "customer_id": ["a", None, "c"], "timestamp": pd.to_datetime(["2024-01-01"] * 3),
        "metric": ["csat", "csat", "csat"], "score": [5.0, 4.0, 9.0]}))
    sv = load_surveys(df)
    reasons = dict(zip(sv.accounting.reasons["reason"], sv.accounting.reasons["n"]))
    assert reasons == {"missing customer_id": 1, "csat score outside 1–5": 1}
    assert sv.accounting.rows_used == 1 and len(sv.to_pandas()) == 1


def test_a_csat_on_another_scale_is_rejected_whole_on_spark_as_in_duckdb(spark):
    """A 1–10 CSAT in Spark kept the per-row check: its answers 6–10 were rejected one by one and
    the 1–5 tail scored as a CSAT (D186). Spark now rejects the metric whole, with DuckDB's reason,
    count and fix, and keeps the same rows; with asked_on, both convert it alike."""
    from jmtools.sources import load_surveys
    from tests.test_sources_survey_scales import _answers

    sv = _answers().assign(timestamp=pd.Timestamp("2026-03-02 10:00"))
    duck, sp = load_surveys(sv), load_surveys(spark.createDataFrame(sv))
    cols = ["reason", "column", "n", "fix"]
    same(sp.accounting.reasons[cols], duck.accounting.reasons[cols])
    assert duck.accounting.reasons["reason"].str.contains("lie on 1–10").all()
    key = ["customer_id", "metric", "score"]
    same(sp.to_pandas()[key].sort_values(key), duck.to_pandas()[key].sort_values(key))
    asked = {"csat": [1, 10]}
    same(load_surveys(spark.createDataFrame(sv), asked_on=asked).to_pandas()[key].sort_values(key),
         load_surveys(sv, asked_on=asked).to_pandas()[key].sort_values(key))


def test_complaints_at_an_exit_stage_are_counted_the_same_on_spark(spark):
    """The customers seen at an exit stage (an event or a complaint there), the complaint signal
    there and the complaints left out are the same on Spark (D186)."""
    from painpoints_cases import exit_world

    from jmtools.analyses import painpoints as pp
    from jmtools.evidence import prepare
    from jmtools.sources import load_events

    events, tickets, journey = exit_world()
    duck = pp.collect_signals(prepare(load_events(events), journey), tickets=tickets)
    sp = pp.collect_signals(prepare(load_events(spark.createDataFrame(events)), journey), tickets=tickets)
    key = ["signal", "stage", "touchpoint", "persona"]
    rows = [s[s["signal"] == "complaints"].sort_values(key)[key + ["count", "n"]] for s in (sp, duck)]
    same(rows[0].fillna("-"), rows[1].fillna("-"))
    assert sp.attrs == duck.attrs and duck.attrs["off_funnel"]["Port out"]["seen"] == 60


def test_touchpoint_conditions_and_date_only_events_identical(spark):
    """first / n-th / repeat / after and date-only kinds are decided the same on Spark."""
    from jmtools.analyses.funnels import funnel
    from jmtools.core.engine import to_pandas
    from jmtools.evidence import prepare
    from jmtools.sources import load_events
    from tests.test_evidence_rules import JOURNEY, random_log

    ev = random_log(3, ties=False)     # Spark tables carry no input row order to break ties
    duck = prepare(load_events(ev), JOURNEY)
    sp = prepare(load_events(spark.createDataFrame(ev)), JOURNEY)
    cols = ["customer_id", "event", "touchpoint", "stage", "position"]
    a = to_pandas(duck.events).sort_values(["customer_id", "position"])[cols]
    b = to_pandas(sp.events).sort_values(["customer_id", "position"])[cols]
    same(a.fillna("-"), b.fillna("-"))
    same(funnel(sp), funnel(duck))
    same(sp.mapping, duck.mapping)
    same(sp.date_only, duck.date_only)


def test_a_log_of_dates_only_is_ordered_and_counted_the_same_on_spark(spark):
    """Journey order within a day and the customers with two or more stages on one day."""
    from jmtools.analyses.funnels import funnel, time_between_stages, transitions
    from jmtools.evidence import prepare
    from jmtools.sources import load_events
    from tests.test_evidence_days import JOURNEY, random_days

    ev = random_days(4)
    duck = prepare(load_events(ev), JOURNEY)
    sp = prepare(load_events(spark.createDataFrame(ev)), JOURNEY)
    assert sp.dates_only == duck.dates_only and duck.dates_only.n_ambiguous > 0
    cols = ["customer_id", "event", "stage", "position"]
    same(sp.to_pandas()[cols].fillna("-"), duck.to_pandas()[cols].fillna("-"))
    same(funnel(sp), funnel(duck))
    same(time_between_stages(sp), time_between_stages(duck))
    same(transitions(sp, level="touchpoint"), transitions(duck, level="touchpoint"))


def test_a_date_only_event_follows_its_anchor_the_same_on_spark(spark):
    """D127: a date-only event right after its anchor, before other events of the anchor's second,
    on a log whose timed events of several stages share seconds. Neither table carries an input
    row order, so ties go by event name on both engines, as plain pandas sorts them."""
    import numpy as np

    from jmtools.evidence import prepare
    from tests.test_evidence_days import DELIVERY, earliest_stage, oracle_placed, seconds_apart

    ev = seconds_apart(1)
    duck, sp = prepare(ev, DELIVERY), prepare(spark.createDataFrame(ev), DELIVERY)
    cols = ["customer_id", "event", "timestamp", "position"]
    a = duck.to_pandas().sort_values(["customer_id", "position"])[cols].reset_index(drop=True)
    b = sp.to_pandas().sort_values(["customer_id", "position"])[cols].reset_index(drop=True)
    same(a, b)
    code = {n: i for i, n in enumerate(sorted(ev["event"].unique()))}
    want = oracle_placed(ev.assign(_row=ev["event"].map(code).astype(np.int64)), earliest_stage(DELIVERY),
                         ["delivered"])
    assert a["event"].tolist() == want["event"].tolist()


def test_rows_written_as_dates_are_marked_and_placed_the_same_on_spark(spark):
    """D140: a Spark table whose text times write some carts with the date alone marks those rows
    when loaded (and only then has the column), and the evidence places them as DuckDB does."""
    from jmtools.analyses.funnels import funnel
    from jmtools.evidence import prepare
    from jmtools.sources import load_events
    from tests.test_evidence_days import JOURNEY, signups

    ev, _ = signups(n_customers=90)
    duck_log, sp_log = load_events(ev), load_events(spark.createDataFrame(ev))
    assert "_dated" in sp_log.table.columns
    duck, sp = prepare(duck_log, JOURNEY), prepare(sp_log, JOURNEY)
    cols = ["customer_id", "event", "timestamp", "position"]
    same(sp.to_pandas()[cols], duck.to_pandas()[cols])
    same(funnel(sp), funnel(duck))
    same(sp.date_only, duck.date_only)
    assert duck.date_only["n_dated"].tolist() == [13]
    timed = ev.assign(timestamp=ev["timestamp"].where(ev["timestamp"].str.len() > 10, ev["timestamp"] + " 09:00:00"))
    assert "_dated" not in load_events(spark.createDataFrame(timed)).table.columns


def test_a_stage_met_after_a_later_one_is_noted_the_same_on_spark(spark):
    """The fit's order note (a window over each customer's first own event per stage; the company's
    letter left out): Spark as DuckDB."""
    from jmtools.evidence import fit_problems, prepare
    from jmtools.sources import load_events

    journey = {"stages": ["Join", "Install", "Pay"], "touchpoints": [
        {"name": "Sign-up", "stage": "Join", "events": ["signup"]},
        {"name": "Meter fitted", "stage": "Install", "events": ["installed"]},
        {"name": "Visit letter", "stage": "Install", "events": ["letter"], "initiated_by": "company"},
        {"name": "Payment", "stage": "Pay", "events": ["pay"]}]}
    rows = []
    for c in range(40):    # 30 fitted after their first payment, 10 before it
        steps = ["letter", "signup"] + (["pay", "installed", "pay"] if c < 30 else ["installed", "pay"])
        rows += [(f"c{c:02d}", s, pd.Timestamp("2026-03-01") + pd.Timedelta(hours=c + 24 * k))
                 for k, s in enumerate(steps)]
    events = pd.DataFrame(rows, columns=["customer_id", "event", "timestamp"])
    duck = fit_problems(prepare(load_events(events), journey))
    sp = fit_problems(prepare(load_events(spark.createDataFrame(events)), journey))
    got = duck[duck["kind"] == "order?"]
    assert list(got["subject"]) == ["Install"] and got.iloc[0]["message"].startswith("30 of the 40 customers")
    same(sp[sp["kind"] == "order?"], got)


def test_a_time_format_reads_dates_alone_the_same_on_spark(spark):
    """D185: with ``time_format=`` Spark read no date alone (D125 is DuckDB's): Spark's
    ``to_timestamp`` stopped the whole load at the first value the format did not fit. It now
    reads the format's date part as DuckDB does, marks those rows ``_dated``, and rejects what
    neither reads: the times a plain-pandas parse gives, and the same placement, funnel and counts."""
    from jmtools.analyses.funnels import funnel
    from jmtools.evidence import prepare
    from jmtools.sources import load_events
    from tests.test_evidence_days import JOURNEY, signups

    ev, _ = signups(n_customers=90)
    at = pd.to_datetime(ev["timestamp"], format="ISO8601")
    alone = ev["timestamp"].str.len() <= 10
    ev = ev.assign(timestamp=at.dt.strftime("%d.%m.%Y %H:%M:%S").where(~alone, at.dt.strftime("%d.%m.%Y")))
    ev.loc[len(ev)] = ["c999", "view", "31.02.2024 10:00:00"]          # no such day: rejected by both
    fmt = "%d.%m.%Y %H:%M:%S"
    duck_log, sp_log = load_events(ev, time_format=fmt), load_events(spark.createDataFrame(ev), time_format=fmt)
    want = pd.to_datetime(ev["timestamp"], format=fmt, errors="coerce").fillna(
        pd.to_datetime(ev["timestamp"], format="%d.%m.%Y", errors="coerce"))
    got = sp_log.table.to_pandas().sort_values(["customer_id", "event", "timestamp"]).reset_index(drop=True)
    oracle = ev.assign(timestamp=want, _dated=alone.reindex(ev.index, fill_value=False)).dropna(subset=["timestamp"])
    oracle = oracle.sort_values(["customer_id", "event", "timestamp"]).reset_index(drop=True)
    same(got[["customer_id", "event", "timestamp", "_dated"]], oracle[["customer_id", "event", "timestamp", "_dated"]])
    assert sp_log.accounting.reasons[["reason", "n"]].to_dict("records") == \
        duck_log.accounting.reasons[["reason", "n"]].to_dict("records") == [{"reason": "unparseable timestamp", "n": 1}]
    duck, sp = prepare(duck_log, JOURNEY), prepare(sp_log, JOURNEY)
    cols = ["customer_id", "event", "timestamp", "position"]
    same(sp.to_pandas()[cols], duck.to_pandas()[cols])
    same(funnel(sp), funnel(duck))
    same(sp.date_only, duck.date_only)
    assert duck.date_only["n_dated"].tolist() == [int(alone.sum())] == [13]


def test_journeys_per_case_identical(spark):
    """D238: the journey key (customer · claim) is built in the event log's own plan; a claims world with
    several claims per customer, logins without a claim and answers between claims counts the same."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from case_world import STAGES, claims_world, journey_dict
    from jmtools.analyses.compare import still_open_steps
    from jmtools.analyses.funnels import funnel, time_between_stages
    from jmtools.core.engine import backend_of
    from jmtools.evidence import prepare
    from jmtools.sources import load_customers, load_events, load_surveys
    from jmtools.sources.cases import per_case

    events, customers, surveys = claims_world(n=120)
    events["timestamp"] = pd.to_datetime(events["timestamp"])
    tables = {"customers": load_customers(customers).to_pandas(), "surveys": load_surveys(surveys).to_pandas()}
    done = {}
    for name, ev in (("duck", load_events(events)), ("spark", load_events(spark.createDataFrame(events)))):
        moved, keyed, cases = per_case(tables, ev.table, "claim_no", name="claim")
        people = moved["customers"] if name == "duck" else load_customers(spark.createDataFrame(moved["customers"]))
        done[name] = (prepare(keyed, journey_dict(), customers=people), moved, cases)
    (duck, d_tables, d_cases), (sp, s_tables, s_cases) = done["duck"], done["spark"]
    assert backend_of(sp.events).name == "pyspark"
    assert (sp.n_customers, s_cases.no_case, s_cases.n_customers) == (duck.n_customers, d_cases.no_case,
                                                                       d_cases.n_customers)
    assert sp.n_customers > s_cases.n_customers
    same(funnel(sp, steps=STAGES, by="persona"), funnel(duck, steps=STAGES, by="persona"))
    same(time_between_stages(sp, steps=STAGES), time_between_stages(duck, steps=STAGES))
    same(still_open_steps(sp, steps=STAGES), still_open_steps(duck, steps=STAGES))
    same(s_tables["surveys"], d_tables["surveys"])


def test_a_null_code_reads_no_value_on_spark(spark):
    """D250: Spark (ANSI) calls ``element_at`` of an array literal without nulls never null, so a
    null code (an unmatched event's touchpoint, a last event's next event) read the last value:
    ``page_error`` in the last stage, ``wishlist_add`` after every customer's last event."""
    import ibis

    from jmtools.evidence._store import by_code, decode_events

    spark.createDataFrame(pd.DataFrame({"c": pd.array([1, None, 2], dtype="Int16")}),
                          "c smallint").createOrReplaceTempView("jm_null_codes")
    t = ibis.pyspark.connect(spark).table("jm_null_codes")
    got = decode_events(t.mutate(v=by_code(t.c, {1: 7, 2: 9}, 2, "int8")), ["buy", "view"], name="c").to_pandas()
    assert got["v"].tolist()[::2] == [7, 9] and pd.isna(got["v"][1])
    assert got["name"].tolist()[::2] == ["buy", "view"] and pd.isna(got["name"][1])


def test_occurrence_conditions_share_the_one_sort_on_spark(spark, frames):
    """D250: first and repeat orders are running counts in the sort that gives positions on Spark
    too (D240 kept a second window there); the stored events equal DuckDB's row for row."""
    import re

    from jmtools.evidence import prepare
    from jmtools.journey import Journey
    from jmtools.sources import load_events

    journey = Journey.load(DATA / "journey.yaml")
    events = frames[0]
    assert "occurrence: repeat" in journey.path.read_text(encoding="utf-8")
    sp = prepare(load_events(spark.createDataFrame(events)), journey, materialize=False)
    sql = " ".join(sp.core._find_backend().compile(sp.core).split())
    assert len(set(re.findall(r"OVER \(\s*(PARTITION BY .*? ORDER BY .*?)\s*(?:ROWS BETWEEN|\))", sql))) == 1
    duck = prepare(load_events(events), journey)
    cols = ["customer_id", "position", "event", "touchpoint", "stage", "next_event", "time_to_next_s"]
    same(sp.to_pandas()[cols].sort_values(["customer_id", "position"]),
         duck.to_pandas()[cols].sort_values(["customer_id", "position"]))


def test_a_broadcast_in_a_stage_where_customers_act_is_counted_the_same_on_spark(spark):
    """D243: a weekly push (the company's) in First session reaches nobody there; a company-only
    Billing stage is reached by the invoice. Funnel, time between stages and the customers the push
    met without a step of their own: Spark as DuckDB, and as a plain-Python walk."""
    from broadcast_world import JOURNEY, STAGES, broadcast_world, plain_reach

    from jmtools.analyses.compare import company_only_reach
    from jmtools.analyses.funnels import funnel, time_between_stages
    from jmtools.evidence import prepare
    from jmtools.sources import load_customers, load_events

    events, customers = broadcast_world(seed=7, n=240)
    duck = prepare(load_events(events), JOURNEY, customers=load_customers(customers))
    sp = prepare(load_events(spark.createDataFrame(events)), JOURNEY,
                 customers=load_customers(spark.createDataFrame(customers)))
    for by in (None, "persona"):
        same(funnel(sp, by=by), funnel(duck, by=by))
        same(time_between_stages(sp, by=by), time_between_stages(duck, by=by))
        same(company_only_reach(sp, by=by), company_only_reach(duck, by=by))
    reach = plain_reach(events)
    assert funnel(sp)["n"].tolist() == [sum(len(t) > k for t in reach.values()) for k in range(len(STAGES))]
    assert company_only_reach(sp)["n_contact_only"].iloc[1] == sum(len(t) == 1 for t in reach.values()) > 0


def test_a_mailing_at_the_first_stage_and_a_dated_reminder_are_counted_the_same_on_spark(spark):
    """D243's one rule at the first step (only a visit reaches Aware; a customer only the mailing met
    there is in no step, and counted beside the funnel) and its dates-only rule (a stage's step that
    day follows the step before): Spark as DuckDB, both as a plain-pandas count of own steps."""
    from broadcast_world import MAILING_JOURNEY, mailing_world

    from jmtools.analyses.compare import company_only_reach
    from jmtools.analyses.funnels import funnel, time_between_stages
    from jmtools.evidence import prepare
    from jmtools.sources import load_events

    events = mailing_world(3, n=200)
    duck = prepare(load_events(events), MAILING_JOURNEY)
    sp = prepare(load_events(spark.createDataFrame(events)), MAILING_JOURNEY)
    same(funnel(sp), funnel(duck))
    same(time_between_stages(sp), time_between_stages(duck))
    same(company_only_reach(sp), company_only_reach(duck))
    seen = events.groupby("customer_id")["event"].agg(set)
    visited = int(seen.map(lambda e: "view" in e).sum())
    only_mailed = int(seen.map(lambda e: "mail" in e and "view" not in e).sum())
    assert funnel(sp)["n"].iloc[0] == visited < visited + only_mailed
    assert company_only_reach(sp)["n_contact_only"].iloc[0] == only_mailed > 0
    remind = {"stages": ["Buy", "Remind", "Rebuy"], "touchpoints": [
        {"name": "First order", "stage": "Buy", "events": ["order"], "occurrence": "first"},
        {"name": "Reminder", "stage": "Remind", "events": ["reminder_sent"], "initiated_by": "company"},
        {"name": "Reminder link", "stage": "Remind", "events": ["reminder_click"]},
        {"name": "Repeat order", "stage": "Rebuy", "events": ["order"], "occurrence": "repeat"}]}
    dated = pd.DataFrame([("x", "2024-03-01", "order"), ("x", "2024-03-05", "reminder_sent"),
                          ("x", "2024-03-05", "reminder_click"), ("x", "2024-03-05", "order")],
                         columns=["customer_id", "timestamp", "event"])
    d_duck = prepare(load_events(dated), remind)
    d_sp = prepare(load_events(spark.createDataFrame(dated)), remind)
    assert d_sp.dates_only is not None
    same(funnel(d_sp), funnel(d_duck))
    assert funnel(d_sp)["n"].tolist() == [1, 1, 1]


def test_actors_of_an_account_identical(spark):
    """D256: loops, detours and copied rows per (account, user), and answers keyed by user moved to
    their account, count the same on Spark as on DuckDB in a world of accounts with 2–30 users."""
    import sys

    sys.path.insert(0, str(Path(__file__).parent))
    from b2b_world import JOURNEY_YAML, b2b_world
    from jmtools.analyses.funnels import detours, funnel, loops
    from jmtools.core.engine import backend_of
    from jmtools.evidence import fit_problems, prepare
    from jmtools.journey import Journey
    from jmtools.sources import load_customers, load_events, load_surveys
    from jmtools.sources.actors import per_account, with_actors

    events, customers, surveys = b2b_world(n=24)
    events = events.rename(columns={"account_id": "customer_id", "ts": "timestamp", "event_name": "event"})
    customers = customers.rename(columns={"account_id": "customer_id"})
    surveys = surveys.rename(columns={"user_id": "customer_id", "submitted": "timestamp"}).assign(metric="nps")
    journey = Journey.from_yaml(JOURNEY_YAML)
    tables = {"customers": load_customers(customers).to_pandas(), "surveys": load_surveys(surveys).to_pandas()}
    done = {}
    for name, ev in (("duck", load_events(events)), ("spark", load_events(spark.createDataFrame(events)))):
        with_actors(ev, {"actor": "user_id"})
        moved, actors = per_account(tables, ev.table, "user_id", name="user", journey_name="account")
        people = load_customers(customers if name == "duck" else spark.createDataFrame(customers))
        done[name] = (prepare(ev, journey, customers=people), moved, actors, ev)
    (duck, d_tables, d_act, d_ev), (sp, s_tables, s_act, s_ev) = done["duck"], done["spark"]
    assert backend_of(sp.events).name == "pyspark"
    assert d_ev.accounting.notes == s_ev.accounting.notes
    assert (s_act.n_journeys, s_act.n_actors, s_act.no_actor, s_act.answers) == \
        (d_act.n_journeys, d_act.n_actors, d_act.no_actor, d_act.answers)
    same(loops(sp, by="persona"), loops(duck, by="persona"))
    assert int(loops(duck).set_index("step").loc["Invite dialog", "n"]) == 1
    same(detours(sp), detours(duck))
    same(funnel(sp, by="persona"), funnel(duck, by="persona"))
    rep = [f[f["kind"] == "repeated"][["subject", "n_events"]] for f in (fit_problems(sp), fit_problems(duck))]
    same(*rep)
    key = ["customer_id", "timestamp", "score"]
    same(s_tables["surveys"].sort_values(key)[key], d_tables["surveys"].sort_values(key)[key])
