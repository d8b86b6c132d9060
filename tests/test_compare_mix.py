"""Who was counted at a step: customers a contact the company started brought there, per group,
against a plain-pandas count; a mass mailing in one period is said, not taken for a change.

Since D119 a comparison's step observations count a stage reached by the customer's own events
only, so a mailing brings nobody to a stage there; :func:`reach_mix` is checked here on observations
that count the mail at its stage as :func:`jmtools.analyses.funnels.funnel` does (the journey
without its ``initiated_by`` mark), against the contacts of the marked journey."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from jmtools.analyses.compare import (company_contacts, mix_changes, reach_mix, split_by_date,
                                      stack_groups, step_observations)
from jmtools.evidence import prepare

JOURNEY = {"stages": ["Aware", "Browse", "Buy"], "touchpoints": [
    {"name": "Mail", "stage": "Aware", "events": ["mail"], "initiated_by": "company"},
    {"name": "Ad", "stage": "Aware", "events": ["ad_click"]},
    {"name": "Site", "stage": "Browse", "events": ["view"]},
    {"name": "Checkout", "stage": "Buy", "events": ["pay"]}]}
#: The same journey with the mail not marked: observations counted as the funnel counts them.
UNMARKED = {**JOURNEY, "touchpoints": [{k: v for k, v in tp.items() if k != "initiated_by"}
                                       for tp in JOURNEY["touchpoints"]]}


def _funnel_observations(events: pd.DataFrame) -> pd.DataFrame:
    """Step observations in which the mail reaches Aware (as the funnel counts)."""
    return step_observations(prepare(events, UNMARKED))


def _world(seed=0, n=400, mailed=300, mail_day="2024-06-15"):
    """``n`` customers who find the shop by an ad (before and after 2024-06-01; 60% go on to the
    site) and ``mailed`` prospects mailed on ``mail_day`` (10% go on)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        t = pd.Timestamp("2024-03-01") + pd.Timedelta(hours=int(rng.integers(0, 24 * 180)))
        rows.append((f"c{i}", "ad_click", t))
        if rng.random() < 0.6:
            rows.append((f"c{i}", "view", t + pd.Timedelta(minutes=5)))
    for i in range(mailed):
        t = pd.Timestamp(mail_day) + pd.Timedelta(seconds=i)
        rows.append((f"p{i}", "mail", t))
        if rng.random() < 0.1:
            rows.append((f"p{i}", "view", t + pd.Timedelta(hours=3)))
    return pd.DataFrame(rows, columns=["customer_id", "event", "timestamp"])


def _oracle(events: pd.DataFrame, date: str) -> pd.DataFrame:
    """Plain pandas: each customer's first Aware event, its group by the date, and whether it was a mail."""
    aware = events[events["event"].isin(["mail", "ad_click"])].sort_values(["customer_id", "timestamp"])
    first = aware.groupby("customer_id").head(1)
    group = np.where(first["timestamp"] < pd.Timestamp(date), "before", "after")
    return (first.assign(group=group, company=first["event"] == "mail")
            .groupby("group")["company"].agg(["size", "sum"]))


def test_the_share_brought_by_the_company_matches_plain_pandas():
    events = _world()
    evidence = prepare(events, JOURNEY)
    split = split_by_date(_funnel_observations(events), "2024-06-01")
    mix = reach_mix(split, company_contacts(evidence))
    aware = mix[mix["from_step"] == "Aware"].set_index("group")
    expected = _oracle(events, "2024-06-01")
    assert list(aware.index) == ["before", "after"]                  # the baseline first
    for g in ("before", "after"):
        assert (aware.loc[g, "n"], aware.loc[g, "n_company"]) == tuple(expected.loc[g])
    assert aware.loc["before", "n_company"] == 0 and aware.loc["after", "n_company"] == 300
    assert (mix.loc[mix["from_step"] == "Browse", "n_company"] == 0).all()   # mails are at Aware only
    changes = mix_changes(mix)
    assert changes["from_step"].tolist() == ["Aware"]
    assert changes["points"].iloc[0] == pytest.approx(aware.loc["after", "share"])


def test_no_mailing_no_change_and_no_company_touchpoint_no_mix():
    events = _world(mailed=0)
    evidence = prepare(events, JOURNEY)
    split = split_by_date(step_observations(evidence), "2024-06-01")
    assert mix_changes(reach_mix(split, company_contacts(evidence))).empty
    plain = {**JOURNEY, "touchpoints": JOURNEY["touchpoints"][1:]}
    assert company_contacts(prepare(events, plain)) is None
    assert reach_mix(split, None).empty and mix_changes(reach_mix(split, None)).empty


def test_a_mailing_in_both_periods_alike_is_not_a_change():
    a = _world(seed=1, mailed=150, mail_day="2024-04-15")
    b = _world(seed=1, mailed=150, mail_day="2024-07-15")
    b = b[b["customer_id"].str.startswith("p")].assign(customer_id=lambda f: "q" + f["customer_id"])
    both = pd.concat([a, b], ignore_index=True)
    mix = reach_mix(split_by_date(_funnel_observations(both), "2024-06-01"),
                    company_contacts(prepare(both, JOURNEY)))
    aware = mix[mix["from_step"] == "Aware"].set_index("group")
    assert aware["n_company"].tolist() == [150, 150]
    assert abs(aware["share"].diff().iloc[-1]) < 0.10 and mix_changes(mix).empty


def test_two_folders_read_each_folders_own_contacts():
    """The same customer id in two exports: a mail in the second export counts for the second only."""
    before = _world(seed=2, mailed=0)
    after = _world(seed=3, mailed=200)
    split = stack_groups(_funnel_observations(before), _funnel_observations(after))
    contacts = company_contacts(prepare(after, JOURNEY)).assign(group="after")
    aware = reach_mix(split, contacts).query("from_step == 'Aware'").set_index("group")
    assert aware.loc["before", "n_company"] == 0 and aware.loc["after", "n_company"] == 200


def test_a_mass_mailing_no_longer_changes_who_is_counted():
    """D119: the 300 prospects mailed after the date are at Aware only by the mail, so the
    comparison counts none of them there (nor at Browse, which follows Aware): the customers at Aware
    are those who clicked an ad, as plain pandas counts, and the mix is unchanged."""
    events = _world()
    evidence = prepare(events, JOURNEY)
    split = split_by_date(step_observations(evidence), "2024-06-01")
    ads = events[events["event"] == "ad_click"].groupby("customer_id")["timestamp"].min()
    expected = pd.Series(np.where(ads < pd.Timestamp("2024-06-01"), "before", "after")).value_counts()
    mix = reach_mix(split, company_contacts(evidence)).query("from_step == 'Aware'").set_index("group")
    assert mix["n"].to_dict() == expected.to_dict() and (mix["n_company"] == 0).all()
    assert not split["customer_id"].str.startswith("p").any() and mix_changes(mix.reset_index()).empty


def test_the_threshold_and_the_order():
    mix = pd.DataFrame({"from_step": ["A", "A", "B", "B", "C", "C"], "group": ["x", "y"] * 3,
                        "n": [100] * 6, "n_company": [10, 19, 10, 20, 50, 10],
                        "share": [0.1, 0.19, 0.1, 0.2, 0.5, 0.1]})
    out = mix_changes(mix)
    assert out["from_step"].tolist() == ["C", "B"]             # 9 points is under 10; largest first
    assert out["points"].round(2).tolist() == [-0.4, 0.1]
    assert mix_changes(mix[mix["group"] == "x"]).empty          # one group: nothing to compare


def _newcombe(k1, n1, k2, n2, z=1.959963984540054):
    """The interval written out from the formulas (Wilson, then Newcombe's hybrid score)."""
    def wilson(k, n):
        p = k / n
        centre, half = (p + z * z / (2 * n)), z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
        return (centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)
    (l1, u1), (l2, u2) = wilson(k1, n1), wilson(k2, n2)
    d = k2 / n2 - k1 / n1
    return d - math.sqrt((k2 / n2 - l2) ** 2 + (u1 - k1 / n1) ** 2), d + math.sqrt((u2 - k2 / n2) ** 2 + (k1 / n1 - l1) ** 2)


def test_each_change_carries_its_interval():
    mix = pd.DataFrame({"from_step": ["A", "A", "B", "B"], "group": ["x", "y"] * 2,
                        "n": [40, 60, 7, 9], "n_company": [2, 30, 0, 9], "share": [0.05, 0.5, 0.0, 1.0]})
    out = mix_changes(mix).set_index("from_step")
    for step, (k1, n1, k2, n2) in {"A": (2, 40, 30, 60), "B": (0, 7, 9, 9)}.items():
        low, high = _newcombe(k1, n1, k2, n2)
        assert (out.loc[step, "ci_low"], out.loc[step, "ci_high"]) == (pytest.approx(low), pytest.approx(high))
        assert out.loc[step, "ci_low"] < out.loc[step, "points"] <= out.loc[step, "ci_high"]
