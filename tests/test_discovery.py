"""jmtools.analyses.discovery: a journey proposed from the event log alone.

The stage-order criterion (checked on every sample world present in data/): take each event
name of the world's own journey that an unconditional touchpoint matches (no ``after:``,
``occurrence`` any or first) and that discovery places, at its first occurrence; call
``orig`` its stage index in the world's journey and ``disc`` its discovered stage index.

1. **No inversion**, on every world: ``orig(a) < orig(b)`` implies ``disc(a) <= disc(b)``.
2. **Stage by stage**: the median ``disc`` of each original stage strictly increases along
   the original stages on ecommerce and b2b (each original stage gets a stage of its own), and
   never decreases on grocery (whose broadcasts are proposed as first-stage entry points).
3. **Kendall tau-b** between ``orig`` and ``disc`` of at least 0.9 (ecommerce, b2b), 0.8 (grocery).
"""

from __future__ import annotations

import math
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jmtools.analyses.discovery import TABLE_COLUMNS, DiscoveredJourney, discover_journey
from jmtools.core.errors import DataError, ParameterError
from jmtools.core.patterns import compile_pattern
from jmtools.evidence import prepare
from jmtools.journey import Journey
from jmtools.sources import load_customers, load_events

ROOT = Path(__file__).resolve().parents[1]
T0 = pd.Timestamp("2024-03-04 09:00:00")

#: world → (medians strictly increase, smallest Kendall tau-b)
CRITERIA = {"ecommerce": (True, 0.9), "b2b": (True, 0.9), "grocery": (False, 0.8)}


def _world(name: str) -> Path:
    folder = ROOT / "data" / name
    if not (folder / "events.parquet").exists():
        pytest.skip(f"sample world {name} not in data/")
    return folder


@pytest.fixture(scope="module")
def discovered():
    cache: dict[str, tuple[Journey, DiscoveredJourney]] = {}

    def get(name: str):
        if name not in cache:
            folder = _world(name)
            cache[name] = (Journey.load(folder / "journey.yaml"),
                           discover_journey(load_events(folder / "events.parquet"),
                                            customers=load_customers(folder / "customers.csv"),
                                            source=f"data/{name}/events.parquet"))
        return cache[name]
    return get


def _original_stage(journey: Journey, event: str) -> int | None:
    for tp in journey.touchpoints:
        if tp.after is None and tp.occurrence in ("any", "first", 1) and any(
                compile_pattern(p).fullmatch(event) for p in tp.events):
            return journey.stage_names.index(tp.stage)
    return None


def _kendall_tau_b(x, y) -> float:
    x, y = np.asarray(x, float), np.asarray(y, float)
    dx = np.sign(x[:, None] - x[None, :])
    dy = np.sign(y[:, None] - y[None, :])
    upper = np.triu_indices(len(x), 1)
    s, tx, ty = (dx * dy)[upper].sum(), (dx != 0)[upper].sum(), (dy != 0)[upper].sum()
    return float(s / math.sqrt(tx * ty))


def stage_order(journey: Journey, found: DiscoveredJourney) -> pd.DataFrame:
    """event, orig, disc for the events both journeys place (first occurrences)."""
    t = found.table[found.table["placed"] & (found.table["occurrence"] != "repeat")]
    t = t.assign(orig=[_original_stage(journey, e) for e in t["event"]]).dropna(subset=["orig"])
    return pd.DataFrame({"event": t["event"], "orig": t["orig"].astype(int),
                         "disc": t["stage_index"].astype(int)})


@pytest.mark.parametrize("world", list(CRITERIA))
def test_reproduces_the_stage_order_of_the_sample_worlds(world, discovered):
    journey, found = discovered(world)
    order = stage_order(journey, found)
    assert len(order) >= 15
    inversions = [(a.event, b.event) for a in order.itertuples() for b in order.itertuples()
                  if a.orig < b.orig and a.disc > b.disc]
    assert inversions == []
    medians = order.groupby("orig")["disc"].median()
    strict, tau_min = CRITERIA[world]
    steps = np.diff(medians.to_numpy())
    assert (steps > 0).all() if strict else (steps >= 0).all(), medians.to_dict()
    assert _kendall_tau_b(order["orig"], order["disc"]) >= tau_min
    assert 3 <= len(found.journey.stages) <= 7


def test_ecommerce_order_is_proposed_as_first_and_repeat(discovered):
    _, found = discovered("ecommerce")
    raw = pd.read_parquet(ROOT / "data" / "ecommerce" / "events.parquet")
    orders = raw[raw["event"] == "order_placed"].groupby("customer_id").size()
    rows = found.table[found.table["event"] == "order_placed"].set_index("occurrence")
    assert set(rows.index) == {"first", "repeat"}
    assert rows.loc["repeat", "stage_index"] > rows.loc["first", "stage_index"]
    assert rows.loc["first", "n_customers"] == len(orders)
    assert rows.loc["repeat", "n_customers"] == (orders >= 2).sum()
    assert rows.loc["repeat", "n_events"] == (orders - 1).sum()
    tps = {tp.name: tp for tp in found.journey.touchpoints if tp.events == ["order_placed"]}
    assert sorted(tp.occurrence for tp in tps.values()) == ["first", "repeat"]


def test_grocery_mailings_are_company_initiated_and_the_reminder_follows_progress(discovered):
    _, found = discovered("grocery")
    t = found.table[found.table["placed"]].drop_duplicates("event").set_index("event")
    company = set(t.index[t["initiated_by"] == "company"])
    assert company == {"newsletter_sent", "push_sent", "reminder_email_sent"}
    assert t.loc["newsletter_sent", "stage_index"] == 1 and "broadcast" in t.loc["newsletter_sent", "note"]
    assert t.loc["newsletter_click", "stage_index"] == 1        # answers the newsletter
    assert t.loc["reminder_email_sent", "stage_index"] > t.loc["order_placed", "stage_index"]
    assert t.loc["delivered", "date_only"]
    assert set(found.table.loc[found.table["occurrence"] == "repeat", "event"]) >= {"order_placed"}


@pytest.mark.parametrize("world", ["ecommerce", "b2b"])
def test_the_proposal_validates_round_trips_and_every_element_is_measured(world, discovered):
    _, found = discovered(world)
    j = found.journey
    assert j.check() == []
    again = Journey.from_yaml(j.to_yaml())
    assert again == j and again.to_yaml() == j.to_yaml()
    assert all(tp.evidence == "measured" and "customers" in tp.description for tp in j.touchpoints)
    for stage in j.stages:
        assert stage.actions and all(a.evidence == "measured" for a in stage.actions)
        assert "customers" in stage.description and "Median position" in stage.description
    assert list(found.table.columns) == TABLE_COLUMNS
    assert found.stage_counts["chosen"].sum() == 1


@pytest.mark.parametrize("world", ["ecommerce", "b2b"])
def test_the_evidence_step_counts_each_touchpoint_what_discovery_measured(world, discovered):
    """First and repeat touchpoints receive exactly the first and the later events."""
    _, found = discovered(world)
    evidence = prepare(pd.read_parquet(ROOT / "data" / world / "events.parquet"), found.journey)
    got = evidence.mapping.dropna(subset=["touchpoint"]).groupby(["event", "touchpoint"])[
        "n_events"].sum().astype(int).sort_index()
    placed = found.table[found.table["placed"]]
    want = placed.set_index(["event", "touchpoint"])["n_events"].astype(int).sort_index()
    pd.testing.assert_series_equal(got, want, check_names=False)
    assert evidence.empty.empty


def test_shares_and_stage_reach_equal_a_pandas_oracle(discovered):
    _, found = discovered("ecommerce")
    raw = pd.read_parquet(ROOT / "data" / "ecommerce" / "events.parquet")
    n_all = raw["customer_id"].nunique()
    assert found.table.attrs["n_customers"] == n_all
    per_event = raw.groupby("event")["customer_id"].nunique()
    t = found.table[found.table["occurrence"] != "repeat"].set_index("event")
    assert (t["n_customers"].astype(int) == per_event.reindex(t.index)).all()
    assert np.allclose(t["share"], per_event.reindex(t.index) / n_all)
    stage_of = {e: s for e, s, o in zip(found.table["event"], found.table["stage_index"],
                                         found.table["occurrence"]) if o in ("any", "first")}
    first_stage = raw[raw["event"].isin(stage_of)].assign(s=lambda d: d["event"].map(stage_of))
    reach = first_stage.groupby("s")["customer_id"].nunique()
    got = found.table.dropna(subset=["stage_index"]).groupby("stage_index")["stage_customers"].first()
    for s in reach.index:
        if s in got.index and (found.table.loc[found.table["stage_index"] == s, "occurrence"]
                               != "repeat").all():
            assert got[s] == reach[s]


# ------------------------------------------------------------------- planted truths
def _log(rows) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=["customer_id", "timestamp", "event"])


def _shop(n=40, repeaters=20, *, mailing=False, delivered_date_only=False):
    rng = np.random.default_rng(3)
    rows = []
    for i in range(n):
        c, t = f"c{i:03d}", T0 + pd.Timedelta(hours=int(rng.integers(0, 500)))
        visits = [(0, "ad_click"), (2, "product_view"), (4, "product_view"), (6, "cart_add"),
                  (8, "order_placed")]
        if i % 5 != 4:
            visits.append((60 * 24 * 2, "delivered"))
        if i < repeaters:
            visits += [(60 * 24 * 30, "product_view"), (60 * 24 * 30 + 5, "order_placed")]
        for minutes, e in visits:
            when = t + pd.Timedelta(minutes=minutes)
            if e == "delivered" and delivered_date_only:
                when = when.normalize()
            rows.append((c, when, e))
    if mailing:
        for week in range(4):
            sent = T0 + pd.Timedelta(days=7 * week, hours=1)
            for i in range(n):
                rows.append((f"c{i:03d}", sent, "newsletter_sent"))
                if i % 3 == 0:
                    rows.append((f"c{i:03d}", sent + pd.Timedelta(minutes=30 + i), "newsletter_click"))
    return _log(rows)


def test_a_repeated_event_becomes_a_first_and_a_repeat_touchpoint_in_a_later_stage():
    found = discover_journey(_shop())
    t = found.table.set_index(["event", "occurrence"])
    first, repeat = t.loc[("order_placed", "first")], t.loc[("order_placed", "repeat")]
    assert repeat["stage_index"] > first["stage_index"]
    assert first["n_customers"] == 40 and repeat["n_customers"] == 20
    assert repeat["n_events"] == 20
    assert first["repeat_share"] == pytest.approx(0.5)
    assert first["median_repeat_gap_h"] == pytest.approx(30 * 24 - 8 / 60 + 5 / 60, abs=0.1)
    assert ("product_view", "any") in t.index       # repeated within minutes: no clear gap
    tps = [tp for tp in found.journey.touchpoints if tp.events == ["order_placed"]]
    assert [tp.occurrence for tp in tps] == ["first", "repeat"]
    assert "repeated: 20 customers (50.0%" in tps[0].description


def test_a_repeat_in_the_same_stage_stays_one_touchpoint():
    found = discover_journey(_shop(), repeat_gap="60D")          # no gap is clear enough
    assert set(found.table["occurrence"]) == {"any"}


def test_a_bulk_sent_event_is_company_initiated_and_an_entry_point():
    found = discover_journey(_shop(mailing=True))
    t = found.table.drop_duplicates("event").set_index("event")
    assert t.loc["newsletter_sent", "initiated_by"] == "company"
    assert t.loc["newsletter_sent", "bulk_share"] == 1.0
    assert "bulk send" in t.loc["newsletter_sent", "note"]
    assert t.loc["newsletter_sent", "stage_index"] == 1
    assert t.loc["newsletter_click", "initiated_by"] == "customer"
    assert (t.drop(index="newsletter_sent")["initiated_by"] == "customer").all()
    tp = next(tp for tp in found.journey.touchpoints if tp.events == ["newsletter_sent"])
    assert tp.initiated_by == "company"


def test_a_scheduled_send_at_one_time_of_day_is_company_initiated():
    rows = [(f"c{i}", T0 + pd.Timedelta(hours=h), e) for i in range(30)
            for h, e in [(i * 5, "visit"), (i * 5 + 1, "buy")]]
    rows += [(f"c{i}", (T0 + pd.Timedelta(days=i + 1)).replace(hour=8, minute=0), "reminder")
             for i in range(30)]                                  # one a day, always 08:00:00
    t = discover_journey(_log(rows)).table.set_index("event")
    assert t.loc["reminder", "same_time_share"] == 1.0 and t.loc["reminder", "bulk_share"] == 0
    assert t.loc["reminder", "initiated_by"] == "company"
    assert t.loc["visit", "initiated_by"] == "customer"


def test_a_date_only_event_sorts_after_the_timed_events_of_its_day_and_is_not_a_bulk_send():
    found = discover_journey(_shop(delivered_date_only=True))
    t = found.table.drop_duplicates("event").set_index("event")
    assert t.loc["delivered", "date_only"] and not t.loc["order_placed", "date_only"]
    assert t.loc["delivered", "initiated_by"] == "customer"
    assert t.loc["delivered", "precedence"] > t.loc["order_placed", "precedence"]


def test_customers_without_events_count_in_every_share():
    log = _shop()
    customers = pd.DataFrame({"customer_id": [f"c{i:03d}" for i in range(45)] + ["zz"]})
    found = discover_journey(log, customers=customers)
    counts = found.table.attrs["customers"]
    assert counts == {"with_events": 40, "in_table": 46, "without_events": 6, "not_in_table": 0,
                      "all": 46}
    ad = found.table.set_index("event").loc["ad_click"]
    assert ad["share"] == pytest.approx(40 / 46)
    assert "6 without any event" in found.journey.description


def test_works_on_an_ibis_table_and_leaves_the_input_unchanged():
    import ibis

    log = _shop()
    before = log.copy()
    from_pandas = discover_journey(log)
    from_ibis = discover_journey(ibis.memtable(log))
    pd.testing.assert_frame_equal(log, before)
    pd.testing.assert_frame_equal(from_pandas.table, from_ibis.table)
    assert from_pandas.journey == from_ibis.journey


def test_n_stages_is_honoured():
    for n in (1, 2, 4):
        assert len(discover_journey(_shop(), n_stages=n).journey.stages) == n


# ----------------------------------------------------------------------- hostile logs
def test_one_customer_one_event_is_a_small_journey():
    found = discover_journey(_log([("a", T0, "view")]))
    assert found.journey.stage_names == ["Stage 1: View"]
    assert found.journey.check() == []


@pytest.mark.parametrize("rows, words", [
    ([], "no usable row"),
    ([("a", T0, None), ("b", T0, None)], "2 without a customer, a time or an event name"),
    ([("a", T0, "   ")], "1 without a customer"),
])
def test_an_empty_or_nameless_log_is_a_located_error(rows, words):
    log = _log(rows).astype({"customer_id": "string", "event": "string"})
    log["timestamp"] = pd.to_datetime(log["timestamp"])
    with pytest.raises(DataError, match=words) as err:
        discover_journey(log)
    assert "Fix:" in str(err.value)


def test_rows_without_a_name_are_counted_not_dropped_silently():
    found = discover_journey(_log([("a", T0, "view"), ("a", T0, None), (None, T0, "view")]))
    assert found.table.attrs["n_rows"] == 3 and found.table.attrs["n_unusable"] == 2
    assert "2 rows without a customer, a time or an event name" in found.journey.description


def test_ten_thousand_event_names_give_a_located_error_or_a_bounded_journey():
    many = _log([(f"c{i}", T0 + pd.Timedelta(seconds=i), f"e{i}") for i in range(10_000)])
    with pytest.raises(DataError, match="no event name is done by at least 100 customers") as err:
        discover_journey(many)
    assert "min_share" in err.value.problems[0].fix
    one = _log([("c", T0 + pd.Timedelta(seconds=i), f"e{i}") for i in range(10_000)])
    started = time.perf_counter()
    found = discover_journey(one, max_events=40)
    assert time.perf_counter() - started < 60
    assert len(found.journey.touchpoints) <= 40 and len(found.journey.stages) <= 7
    assert (~found.table["placed"]).sum() == 10_000 - 40
    assert found.table["note"].str.contains("max_events").sum() == 10_000 - 40


WEIRD = ["key: value", "- item", "&anchor", "*alias", "!tag", "#comment", "{x}", "[y]",
         "<script>alert(1)</script>", "a&b<c>", 'quo"te', "it's", "%pct", "@at", "|pipe", ">gt",
         "yes", "null", "~", "1e3", "ümlaut 名前", "tab\there", "new\nline", "\x1b[2Jesc",
         "a.b*c+(d)?", "back\\slash", "=cmd()", "\u2028sep", "x" * 1500]


def test_names_with_yaml_html_regex_and_control_characters_survive():
    rows = [(f"c{c}", T0 + pd.Timedelta(minutes=k * 60 + c), e)
            for c in range(12) for k, e in enumerate(WEIRD)]
    found = discover_journey(_log(rows))
    j = found.journey
    assert j.check() == [] and Journey.from_yaml(j.to_yaml()) == j
    placed = found.table[found.table["placed"]]
    assert set(placed["event"]) == set(WEIRD) - {"x" * 1500}      # too long for a pattern
    assert "longer than an events: pattern" in found.table.set_index("event").loc["x" * 1500, "note"]
    mapping = prepare(_log(rows), j).mapping
    got = dict(zip(mapping["event"], mapping["touchpoint"]))
    assert all(got[e] == tp for e, tp in zip(placed["event"], placed["touchpoint"]))
    assert "\x1b" not in j.to_yaml() and "\\x1b" in j.to_yaml()


def test_missing_columns_and_untimed_logs_are_located_errors():
    with pytest.raises(DataError, match="no column 'customer_id'") as err:
        discover_journey(pd.DataFrame({"customer": ["a"], "timestamp": [T0], "event": ["x"]}))
    assert "did you mean 'customer'" in str(err.value)
    with pytest.raises(DataError, match="must hold dates and times"):
        discover_journey(pd.DataFrame({"customer_id": ["a"], "timestamp": ["2024-01-01"],
                                       "event": ["x"]}))


@pytest.mark.parametrize("option", [
    {"n_stages": 0}, {"n_stages": 2.5}, {"min_stages": 5, "max_stages": 3}, {"min_share": 0},
    {"min_share": 1.5}, {"max_events": 0}, {"repeat_gap": "soon"}, {"repeat_gap": "-1D"},
    {"bulk_min": 1}, {"company_share": True}, {"n_stages": 9},
])
def test_bad_options_are_parameter_errors(option):
    with pytest.raises(ParameterError) as err:
        discover_journey(_log([("a", T0, "view"), ("a", T0 + pd.Timedelta(hours=1), "buy")]),
                         **option)
    assert next(iter(option)) in str(err.value)


def test_rows_written_as_dates_sort_after_their_days_timed_events_and_are_no_bulk_send(tmp_path):
    """D185: discovery dropped the loader's ``_dated`` (D140): every other sign-up written with its
    date alone sorted at 00:00, before that day's landing view, and the 15 a day sharing that
    00:00 made sign-up a company "bulk send". Those rows are now placed as a date-only event's:
    after the day's timed events (the top next step of a landing view is what a plain-pandas
    sort by that rule gives: sign-up for every customer) and share no time with anyone."""
    rng = np.random.default_rng(11)
    rows = []
    for i in range(60):
        view = T0.normalize() + pd.Timedelta(days=i % 2, minutes=int(rng.integers(8 * 60, 20 * 60)))
        signup = view + pd.Timedelta(minutes=int(rng.integers(5, 60)))
        written = signup.strftime("%Y-%m-%d") if i % 2 else signup.strftime("%Y-%m-%d %H:%M:%S")
        rows += [(f"c{i:02d}", view.strftime("%Y-%m-%d %H:%M:%S"), "landing_view"), (f"c{i:02d}", written, "sign_up"),
                 (f"c{i:02d}", (view + pd.Timedelta(days=1, hours=2)).strftime("%Y-%m-%d %H:%M:%S"), "pay")]
    _log(rows).to_csv(tmp_path / "events.csv", index=False)
    loaded = load_events(tmp_path / "events.csv")
    t = discover_journey(loaded).table.drop_duplicates("event").set_index("event")
    d = _log(rows).assign(_row=range(len(rows)))
    dated = d["timestamp"].str.len() == 10
    at = pd.to_datetime(d["timestamp"], format="ISO8601")
    d["key"] = at.where(~dated, at + pd.Timedelta(days=1) - pd.Timedelta(microseconds=1))
    d = d.sort_values(["customer_id", "key", "_row"])
    d["next"] = d.groupby("customer_id")["event"].shift(-1)
    after_view = d.loc[d["event"] == "landing_view", "next"].value_counts(normalize=True)
    assert int(dated.sum()) == 30
    assert (t.loc["landing_view", "top_next"], t.loc["landing_view", "top_next_share"]) == (
        after_view.index[0], after_view.iloc[0]) == ("sign_up", 1.0)
    assert t.loc["sign_up", "precedence"] > t.loc["landing_view", "precedence"]
    assert t.loc["sign_up", "bulk_share"] == 0 and t.loc["sign_up", "initiated_by"] == "customer"


def test_a_log_of_visits_and_carts_alone_is_proposed_without_error(tmp_path):
    """D182. Planted: 30 customers who visit, half of them then add to cart; no event comes before a
    visit. Before, the entry-point check divided an empty text column and raised a TypeError. Both
    events are proposed, visit first, with the customers counted in plain pandas."""
    from tiny_worlds import tiny_world

    from jmtools.sources import load_world

    world = load_world(tiny_world("two_events", tmp_path / "tiny"))
    proposal = discover_journey(world.events, customers=world.customers)
    table = proposal.table.set_index("event")
    raw = pd.read_csv(tmp_path / "tiny" / "events.csv")
    assert table.loc["visit", "n_customers"] == raw.loc[raw["event"] == "visit", "customer_id"].nunique() == 30
    assert table.loc["add_to_cart", "n_customers"] == 15
    assert table.loc["visit", "stage_index"] <= table.loc["add_to_cart", "stage_index"]


# ------------------------------------------------ the log says who started an event (D193)
#: Planted company contacts: (event, hours after sign-up, which customers). Each goes out at the
#: customer's own time (no shared second, no one time of day), so only the log's column tells.
_CONTACTS = [("onboarding_email_sent", 1, lambda i: True),
             ("csm_call", 24 * 12, lambda i: True),
             ("dunning_notice_sent", 24 * 31, lambda i: i % 4 == 0)]


def _saas(n=80):
    """Sign-up → setup → integration → paid, with company contacts marked ``company`` in an
    ``initiated_by`` column that reach more customers than the customer steps beside them."""
    rng = np.random.default_rng(193)
    rows = []
    for i in range(n):
        c, t = f"a{i:03d}", T0 + pd.Timedelta(seconds=int(rng.integers(0, 90 * 86400)))
        own = [(0, "signup"), (2, "setup_done"), (24 * 10, "integration_connected"),
               (24 * 30, "invoice_paid")][:4 if i % 3 else 2]
        steps = [(h, e, "user") for h, e in own]
        steps += [(h, e, "company") for e, h, who in _CONTACTS if who(i)]
        for h, e, by in steps:
            when = t + pd.Timedelta(hours=h, seconds=int(rng.integers(0, 3000)))
            rows.append((c, when, e, by))
    return pd.DataFrame(rows, columns=["customer_id", "timestamp", "event", "initiated_by"])


def test_events_the_log_marks_company_are_proposed_as_company_touchpoints(tmp_path):
    """D193: discovery read who started an event from its timing alone, so an onboarding mail,
    a CSM call and a dunning notice sent one by one were proposed as customer steps although
    the log's ``initiated_by`` column says ``company``; the CSM call, reaching every customer,
    named its stage and counted in its reach. Checked against a plain-pandas count."""
    log = _saas()
    path = tmp_path / "events.csv"
    log.rename(columns={"initiated_by": "Who"}).to_csv(path, index=False)
    loaded = load_events(path, columns={"initiated_by": "Who"})
    found = discover_journey(loaded)
    t = found.table[found.table["placed"]].set_index("event")
    said = (log.assign(company=log["initiated_by"] == "company")
            .groupby("event")["company"].mean())
    want = said.map(lambda s: "company" if s >= 0.5 else "customer")
    assert t["initiated_by"].to_dict() == want.to_dict()
    assert t["n_customers"].astype(int).to_dict() == log.groupby("event")["customer_id"].nunique().to_dict()
    assert "initiated_by column says company for 80 of its 80 marked events" in t.loc["csm_call", "note"]
    company = {tp.name for tp in found.journey.touchpoints if tp.initiated_by == "company"}
    assert {tp.events[0] for tp in found.journey.touchpoints if tp.name in company} == {
        "onboarding_email_sent", "csm_call", "dunning_notice_sent"}
    own = log[log["initiated_by"] != "company"].assign(s=lambda d: d["event"].map(t["stage_index"]))
    for s, rows in t.groupby("stage_index"):
        first = rows.sort_values("precedence").iloc[0]
        if (rows["initiated_by"] == "customer").any():
            assert first["stage_customers"] == own.loc[own["s"] == s, "customer_id"].nunique()
            stage = found.journey.stages[int(s) - 1]
            lead = stage.name.split(": ", 1)[1].split(", ")[0]
            assert lead not in company, stage.name
            assert "(a contact the company started)" not in stage.actions[0].text
    assert t.loc["csm_call", "stage_customers"] < 80          # the call does not reach a stage
    order = t.loc[["signup", "setup_done", "integration_connected", "invoice_paid"]]
    assert order["precedence"].is_monotonic_increasing       # no step pulled in as an "answer"
    assert t.loc["invoice_paid", "stage_index"] > t.loc["setup_done", "stage_index"]
    from jmtools.cli.discover import summary
    assert "company-initiated: csm_call, dunning_notice_sent, onboarding_email_sent" in summary(found, None)


def test_the_log_s_column_decides_over_timing_and_unmarked_events_keep_timing():
    """D193: a customer event the log marks ``customer`` stays the customer's even when sent in
    bulk; events without a mark are read by their timing as before."""
    base = _shop(mailing=True).assign(initiated_by=None)
    base.loc[base["event"] == "newsletter_sent", "initiated_by"] = "customer"
    t = discover_journey(base).table.drop_duplicates("event").set_index("event")
    assert t.loc["newsletter_sent", "initiated_by"] == "customer"
    unmarked = discover_journey(base.assign(initiated_by=" ")).table.drop_duplicates("event")
    assert unmarked.set_index("event").loc["newsletter_sent", "initiated_by"] == "company"


def test_an_event_left_out_keeps_the_initiator_the_log_gives_it():
    t = discover_journey(_saas(), min_share=0.3).table.set_index("event")
    assert not t.loc["dunning_notice_sent", "placed"]                 # 20 of 80 customers
    assert t.loc["dunning_notice_sent", "initiated_by"] == "company"


def test_a_column_saying_bank_or_customer_marks_the_bank_s_contacts_and_says_unknown_values():
    """D204: a log whose ``initiated_by`` says ``BANK`` / ``CUSTOMER`` (not literally ``company``)
    had every bank letter and call proposed as a customer step, "company-initiated: none", and
    nothing said about the value it did not read. Now common words for either side are read;
    a value read as neither (``PARTNER``) marks nothing and is said with its rows (= pandas)."""
    log = _saas()
    log["initiated_by"] = log["initiated_by"].map({"user": " Customer", "company": "BANK"})
    log.loc[log["event"] == "dunning_notice_sent", "initiated_by"] = "PARTNER"
    found = discover_journey(log)
    t = found.table[found.table["placed"]].set_index("event")
    bank = log.assign(bank=log["initiated_by"] == "BANK").groupby("event")["bank"].mean()
    assert set(t.index[t["initiated_by"] == "company"]) - {"dunning_notice_sent"} == \
        set(bank.index[bank >= 0.5]) == {"onboarding_email_sent", "csm_call"}
    # unmarked, one by one; its name says a send, 31 days after set-up each time: the company's (D245)
    assert t.loc["dunning_notice_sent", "initiated_by"] == "company"
    assert "its name says a send (dunning_notice_sent)" in t.loc["dunning_notice_sent", "note"]
    n_partner = int((log["initiated_by"] == "PARTNER").sum())
    assert found.table.attrs["initiated_by_unknown"] == {"PARTNER": n_partner} and n_partner == 20
    said = f"neither the company nor the customer: 'PARTNER' ({n_partner} rows)"
    assert said in found.journey.description
    assert "values: {initiated_by: {PARTNER: company}}" in found.journey.description
    from jmtools.cli.discover import summary
    text = summary(found, None)
    assert "company-initiated: csm_call, dunning_notice_sent, onboarding_email_sent\n" in text and said in text
    clean = discover_journey(log[log["event"] != "dunning_notice_sent"])
    assert clean.table.attrs["initiated_by_unknown"] == {}
    assert "neither" not in clean.journey.description + summary(clean, None)


def test_the_per_event_note_quotes_the_log_s_own_value_for_the_company():
    """D210: a BANK row's note said "the log's initiated_by column says company for 80 …", a word
    the log never holds. It now quotes the log's value and how it was read ("says BANK (read as the
    company)"), the values of an event with more than one most rows first; a log that says
    ``company`` keeps its word. The counts are plain pandas'."""
    log = _saas()
    log["initiated_by"] = log["initiated_by"].map({"user": "CUSTOMER", "company": "BANK"})
    calls = log.index[log["event"] == "csm_call"]
    log.loc[calls[:10], "initiated_by"] = "Advisor"                       # the call: two words for the bank
    t = discover_journey(log).table.drop_duplicates("event").set_index("event")
    for event in ("onboarding_email_sent", "csm_call"):
        rows = log[log["event"] == event]
        theirs = rows.loc[rows["initiated_by"] != "CUSTOMER", "initiated_by"].value_counts()
        words = " or ".join(theirs.index)
        assert (f"the log's initiated_by column says {words} (read as the company) for {int(theirs.sum())} of its "
                f"{len(rows)} marked events") in t.loc[event, "note"]
    assert "says BANK or Advisor (read as the company) for 80 of its 80" in t.loc["csm_call", "note"]
    assert "says company" not in " ".join(t["note"].dropna())
    plain = discover_journey(_saas()).table.drop_duplicates("event").set_index("event")
    assert "says company for 80 of its 80 marked events" in plain.loc["csm_call", "note"]
