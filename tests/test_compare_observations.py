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
    assert (funnel_dated.loc[sorted(moved)] >= DATE).all()             # the funnel too: at their own arrival (D243)
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


def _contact_only_oracle(events: pd.DataFrame, steps) -> tuple[list, list]:
    """Plain Python, per stage of the strict funnel over the customers' own events: the customers
    counted there, and those counted at the step before (anyone at the first) who got a mail or a
    reminder at the stage after it but whom the funnel does not count there (D243)."""
    counted, only = [0] * len(steps), [0] * len(steps)
    rows = events.sort_values(["customer_id", "timestamp"], kind="stable")
    for _, part in rows.groupby("customer_id", sort=False):
        names, at = list(part["event"]), []
        for i, e in enumerate(names):
            if len(at) < len(steps) and e not in COMPANY and STAGE[e] == steps[len(at)]:
                at.append(i)
        for k in range(len(at)):
            counted[k] += 1
        k = len(at)                              # the first step not reached
        if k < len(steps):
            since = at[k - 1] if k else -1
            if any(e in COMPANY and STAGE[e] == steps[k] and i > since for i, e in enumerate(names)):
                only[k] += 1
    return counted, only


@pytest.mark.parametrize("seed", [3, 4])
def test_a_contact_at_a_stage_where_customers_act_is_counted_beside_the_funnel_not_in_it(seed):
    """D243: an outside tester's app put a weekly push in First session, and the funnel read 99.6%
    from Trial where 83.8% had a session. The funnel counts own steps there; the customers whom only
    the contact met are counted beside it (``n_contact_only``), as plain Python counts both."""
    from jmtools.analyses.compare import company_only_reach
    from jmtools.analyses.funnels import funnel

    events = _world(seed=seed)
    steps = ["Aware", "Browse", "Buy"]
    evidence = prepare(events, JOURNEY)
    got = company_only_reach(evidence)
    counted, only = _contact_only_oracle(events, steps)
    assert got["from_step"].tolist() == steps
    assert got["n_funnel"].tolist() == counted == funnel(evidence)["n"].tolist()
    assert got["n_contact_only"].tolist() == only
    assert only[0] >= 60 and only[1] > 0 and only[2] == 0          # Buy has no contact
    same = company_only_reach(prepare(events[~events["event"].isin(COMPANY)], JOURNEY))
    assert same["n_contact_only"].eq(0).all() and same["n_funnel"].tolist() == counted


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
    the customer's own still does not (D119), in the funnel too (D243). Counted as plain Python counts."""
    from jmtools.analyses.compare import company_only_reach
    from jmtools.analyses.funnels import funnel

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
    reach = customer_reach(evidence).groupby("step_index").size().tolist()
    assert reach == expected and expected[3] > 50
    assert funnel(evidence)["n"].tolist() == expected              # D243: the funnel counts so too, Bill reached
    mix = company_only_reach(evidence)
    assert mix["n_funnel"].tolist() == expected and mix.loc[2:, "n_contact_only"].eq(0).all()
    obs = step_observations(evidence)
    assert obs.query("measure == 'conversion' and from_step == 'Bill'")["value"].sum() == expected[3]
