"""Step observations of a comparison: a contact the company started does not reach a stage (D119).

Customers mailed weeks before they first came, customers only mailed, and reminders sent mid-journey,
against a plain-Python strict funnel over each customer's own events.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jmtools.analyses.compare import split_by_date, step_observations
from jmtools.analyses.funnels import customer_reach
from jmtools.evidence import prepare

JOURNEY = {"stages": ["Aware", "Browse", "Buy"], "touchpoints": [
    {"name": "Mail", "stage": "Aware", "events": ["mail"], "initiated_by": "company"},
    {"name": "Ad", "stage": "Aware", "events": ["ad_click"]},
    {"name": "Reminder", "stage": "Browse", "events": ["reminder"], "initiated_by": "company"},
    {"name": "Site", "stage": "Browse", "events": ["view"]},
    {"name": "Checkout", "stage": "Buy", "events": ["pay"]}]}
STAGE = {"mail": "Aware", "ad_click": "Aware", "reminder": "Browse", "view": "Browse", "pay": "Buy"}
COMPANY = {"mail", "reminder"}
DATE = pd.Timestamp("2024-06-01")


def _world(seed=0, n=400, only_mailed=60):
    """Customers who come between March and September; half were mailed 1–90 days before they came
    (a third of those before 2024-06-01 while coming after it), some get a reminder before their
    visit; ``only_mailed`` were mailed and never came."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        t = pd.Timestamp("2024-03-01") + pd.Timedelta(minutes=int(rng.integers(0, 60 * 24 * 200)))
        if rng.random() < 0.5:
            rows.append((f"c{i}", "mail", t - pd.Timedelta(hours=int(rng.integers(24, 24 * 90)))))
        if rng.random() < 0.85:                          # else they come straight to the site
            rows.append((f"c{i}", "ad_click", t))
        if rng.random() < 0.3:
            rows.append((f"c{i}", "reminder", t + pd.Timedelta(minutes=1)))
        if rng.random() < 0.7:
            seen = t + pd.Timedelta(minutes=int(rng.integers(2, 600)))
            rows.append((f"c{i}", "view", seen))
            if rng.random() < 0.5:
                rows.append((f"c{i}", "pay", seen + pd.Timedelta(minutes=int(rng.integers(1, 300)))))
    for i in range(only_mailed):
        rows.append((f"m{i}", "mail", pd.Timestamp("2024-04-01") + pd.Timedelta(hours=i)))
    return pd.DataFrame(rows, columns=["customer_id", "event", "timestamp"])


def _own_reach(events: pd.DataFrame, steps, *, contacts: bool = False) -> dict:
    """Plain Python: per customer, when they reached each stage of the strict funnel by their own
    events (a mail or reminder reaches nothing; with ``contacts``, by every event)."""
    own = events if contacts else events[~events["event"].isin(COMPANY)]
    own = own.sort_values(["customer_id", "timestamp"], kind="stable")
    reached = {}
    for cid, rows in own.groupby("customer_id", sort=False):
        times, k = [], 0
        for event, t in zip(rows["event"], rows["timestamp"]):
            if k < len(steps) and STAGE[event] == steps[k]:
                times.append(t)
                k += 1
        reached[cid] = times
    return reached


def _oracle(events: pd.DataFrame, steps=("Aware", "Browse", "Buy")) -> pd.DataFrame:
    rows = []
    for cid, times in _own_reach(events, list(steps)).items():
        for k in range(1, len(steps)):
            if len(times) >= k:
                went = len(times) > k
                rows.append(("conversion", cid, steps[k - 1], steps[k], times[k - 1], float(went)))
                if went:
                    rows.append(("time", cid, steps[k - 1], steps[k], times[k - 1],
                                 (times[k] - times[k - 1]).total_seconds() / 3600))
    out = pd.DataFrame(rows, columns=["measure", "customer_id", "from_step", "step", "timestamp", "value"])
    return out.sort_values(["measure", "from_step", "customer_id"]).reset_index(drop=True)


def _ours(evidence) -> pd.DataFrame:
    """Every customer, as the oracle counts them: the follow-up window (D190) is tested elsewhere."""
    obs = step_observations(evidence, follow_up=False)
    obs = obs[["measure", "customer_id", "from_step", "step", "timestamp", "value"]]
    return obs.sort_values(["measure", "from_step", "customer_id"]).reset_index(drop=True)


def test_a_step_is_reached_by_the_customers_own_events_as_plain_python_counts():
    events = _world()
    ours, expected = _ours(prepare(events, JOURNEY)), _oracle(events)
    pd.testing.assert_frame_equal(ours, expected, check_dtype=False)
    assert not ours["customer_id"].str.startswith("m").any()          # only mailed: never came
    came = events.loc[events["event"] == "ad_click", "customer_id"].nunique()
    assert (ours.query("measure == 'conversion' and from_step == 'Aware'")["customer_id"].nunique() == came)


def test_a_mailing_before_the_date_puts_no_customer_in_the_before_group():
    """The fault: each customer was dated at the mailing, so those mailed before 2024-06-01 who came
    after it were compared as *before*, with the weeks since the mailing as their time to Browse."""
    events = _world()
    evidence = prepare(events, JOURNEY)
    mailed_early = set(events.loc[(events["event"] == "mail") & (events["timestamp"] < DATE), "customer_id"])
    came_after = set(events[(events["event"] == "ad_click")].groupby("customer_id")["timestamp"].min()
                     .loc[lambda s: s >= DATE].index)
    moved = mailed_early & came_after
    assert len(moved) >= 30                                            # the planted customers
    split = split_by_date(step_observations(evidence), DATE)
    aware = split.query("measure == 'conversion' and from_step == 'Aware'").set_index("customer_id")
    assert (aware.loc[sorted(moved), "group"] == "after").all()
    funnel_dated = customer_reach(evidence).query("step_index == 1").set_index("customer_id")["timestamp"]
    assert (funnel_dated.loc[sorted(moved)] < DATE).all()              # as the funnel counts: at the mail
    slow = split.query("measure == 'time' and from_step == 'Aware' and group == 'before'")["value"]
    assert slow.max() < 11                                             # no weeks-long "time to Browse"


def test_a_reminder_does_not_reach_the_next_stage():
    events = _world()
    ours = _ours(prepare(events, JOURNEY))
    reminded_only = set(events.loc[events["event"] == "reminder", "customer_id"]) - \
        set(events.loc[events["event"] == "view", "customer_id"])
    assert reminded_only
    went = ours.query("measure == 'conversion' and from_step == 'Aware'").set_index("customer_id")["value"]
    assert (went.reindex(sorted(reminded_only)).dropna() == 0).all()


def test_a_step_that_names_the_contact_still_starts_there():
    """"Received → acted": a funnel that names the company's touchpoint counts from the mailing (D14)."""
    events = _world()
    obs = step_observations(prepare(events, JOURNEY), steps=["Mail", "Site"], level="touchpoint",
                            follow_up=False)   # every mailed customer, however recent (D190)
    conv = obs[obs["measure"] == "conversion"]
    mailed = events[events["event"] == "mail"].groupby("customer_id")["timestamp"].min()
    assert set(conv["customer_id"]) == set(mailed.index)
    assert (conv.set_index("customer_id")["timestamp"] == mailed.reindex(conv["customer_id"]).to_numpy()).all()


def test_without_company_contacts_the_funnels_customers_are_counted():
    events = _world()
    events = events[~events["event"].isin(COMPANY)]
    evidence = prepare(events, JOURNEY)
    reach = customer_reach(evidence)
    aware = step_observations(evidence).query("measure == 'conversion' and from_step == 'Aware'")
    assert sorted(aware["customer_id"]) == sorted(reach.loc[reach["step_index"] == 1, "customer_id"])
    pd.testing.assert_frame_equal(_ours(evidence), _oracle(events), check_dtype=False)


@pytest.mark.parametrize("seed", [1, 2])
def test_other_worlds_match_plain_python_by_persona_too(seed):
    events = _world(seed=seed)
    customers = pd.DataFrame({"customer_id": events["customer_id"].unique()})
    customers["age"] = np.where(customers.index % 2 == 0, 25, 50)
    journey = {**JOURNEY, "personas": [{"name": "Young", "rule": "age < 30"}, {"name": "Older", "rule": "age >= 30"}]}
    evidence = prepare(events, journey, customers=customers)
    pd.testing.assert_frame_equal(_ours(evidence), _oracle(events), check_dtype=False)
    obs = step_observations(evidence)
    assert set(obs["persona"].dropna()) == {"Young", "Older"}


def _all_reach(events: pd.DataFrame, steps) -> dict:
    """Plain Python: per customer, the stages of the strict funnel reached by any event (as the
    funnel counts: a mail or reminder reaches its stage)."""
    rows = events.sort_values(["customer_id", "timestamp"], kind="stable")
    reached = {}
    for cid, part in rows.groupby("customer_id", sort=False):
        k = 0
        for event in part["event"]:
            if k < len(steps) and STAGE[event] == steps[k]:
                k += 1
        reached[cid] = k
    return reached


def test_the_funnels_count_beside_the_customers_own_steps_as_plain_python_counts():
    """D130: per step, the customers the funnel counts, those whose own events reach it, and the
    difference said beside a comparison."""
    from jmtools.analyses.compare import company_only_reach

    events = _world(seed=3)
    steps = ["Aware", "Browse", "Buy"]
    got = company_only_reach(prepare(events, JOURNEY))
    every = _all_reach(events, steps)
    own = {c: len(t) for c, t in _own_reach(events, steps).items()}
    n_funnel = [sum(k >= i for k in every.values()) for i in (1, 2, 3)]
    n_own = [sum(k >= i for k in own.values()) for i in (1, 2, 3)]
    assert got["from_step"].tolist() == steps
    assert got["n_funnel"].tolist() == n_funnel and got["n_own"].tolist() == n_own
    assert got["n_funnel_only"].tolist() == [a - b for a, b in zip(n_funnel, n_own)]
    assert got["n_funnel_only"].iloc[0] >= 60                       # the planted only-mailed customers
    same = company_only_reach(prepare(events[~events["event"].isin(COMPANY)], JOURNEY))
    assert same["n_funnel_only"].eq(0).all()                        # without contacts, no difference


def _contact_only_oracle(events: pd.DataFrame, steps) -> tuple[list, list]:
    """Plain Python, per stage of the strict funnel over every event: the customers counted there
    with no own event at that stage from their time at the step before (any time at the first),
    and those counted there after being such a customer at an earlier step."""
    only, carried = [0] * len(steps), [0] * len(steps)
    reach = _own_reach(events, steps, contacts=True)
    for cid, part in events.groupby("customer_id", sort=False):
        times, first = reach[cid], None
        for i, _ in enumerate(times):
            since = times[i - 1] if i else None
            own = [ts for e, ts in zip(part["event"], part["timestamp"])
                   if STAGE[e] == steps[i] and e not in COMPANY and (since is None or ts >= since)]
            if first is not None and i > first:
                carried[i] += 1
            if not own:
                only[i] += 1
                first = i if first is None else first
    return only, carried


@pytest.mark.parametrize("seed", [3, 4])
def test_a_stage_counts_whom_only_its_contact_brought_apart_from_those_carried_from_before(seed):
    """An outside tester's insurer: 84 of 185 at Claim were said to be brought "only through" the
    claim's status text, though all 185 filed their claim themselves (a welcome pack had stood for
    their onboarding). Per stage: brought by its contact alone, and carried from an earlier one."""
    from jmtools.analyses.compare import company_only_reach

    events = _world(seed=seed)
    steps = ["Aware", "Browse", "Buy"]
    got = company_only_reach(prepare(events, JOURNEY))
    only, carried = _contact_only_oracle(events, steps)
    assert got["n_contact_only"].tolist() == only and got["n_carried"].tolist() == carried
    assert only[0] >= 60 and carried[1] > 0 and only[2] == 0       # Buy has no contact: carried only


BILLED = {"stages": ["Aware", "Browse", "Bill", "Pay"], "touchpoints": [
    *JOURNEY["touchpoints"][:4],
    {"name": "Bill sent", "stage": "Bill", "events": ["bill"], "initiated_by": "company"},
    {"name": "Payment", "stage": "Pay", "events": ["pay"]}]}


def _billed_world(seed=0):
    """The sample world with a bill a day after the visit for 70% of visitors, paid by half of them."""
    events = _world(seed=seed)
    events = events[events["event"] != "pay"]
    rng = np.random.default_rng(seed)
    seen = events[events["event"] == "view"].groupby("customer_id")["timestamp"].min()
    billed = seen[rng.random(len(seen)) < 0.7] + pd.Timedelta(days=1)
    paid = billed[rng.random(len(billed)) < 0.5] + pd.Timedelta(days=3)
    return pd.concat([events, pd.DataFrame({"customer_id": billed.index, "event": "bill", "timestamp": billed.values}),
                      pd.DataFrame({"customer_id": paid.index, "event": "pay", "timestamp": paid.values})],
                     ignore_index=True)


def test_a_stage_only_the_company_starts_is_reached_by_its_contact():
    """An outside tester's utility: Monthly bill's only touchpoint is the bill the company sends,
    so no customer reached it by their own events and notebook 07 said "0 customers reached Pay
    by their own events" though 2,205 households paid. A stage the customer can come to only by
    the company's contact counts that contact as their step; a mailing at a stage with steps of
    the customer's own still does not (D119). Counted as plain Python counts."""
    from jmtools.analyses.compare import company_only_reach

    events = _billed_world()
    steps = ["Aware", "Browse", "Bill", "Pay"]
    stage = {**STAGE, "bill": "Bill", "pay": "Pay"}
    own = events[events["event"].isin(["ad_click", "view", "bill", "pay"])]
    expected = [0] * 4
    for _, rows in own.sort_values(["customer_id", "timestamp"], kind="stable").groupby("customer_id"):
        k = 0
        for event in rows["event"]:
            if k < 4 and stage[event] == steps[k]:
                expected[k] += 1
                k += 1
    evidence = prepare(events, BILLED)
    reach = customer_reach(evidence, own_only=True).groupby("step_index").size().tolist()
    assert reach == expected and expected[3] > 50
    mix = company_only_reach(evidence)
    assert mix["n_own"].tolist() == expected and mix.loc[2:, "n_contact_only"].eq(0).all()
    obs = step_observations(evidence)
    assert obs.query("measure == 'conversion' and from_step == 'Bill'")["value"].sum() == expected[3]
