"""Behaviour features for suggested personas on a planted subscription app (D254): the company's
sends are not behaviour, counts go per 30 days in the log where customers' time in it differs,
and a survey score on which customers differ beyond answer noise is kept although it is
unrelated to every single other feature.

The world: customers join over 150 days (a quarter have at most ~38 days in the log, a quarter at
least ~113); a weekly push goes to everyone from their first day (``push_sent``, the company's);
"heavy" customers (mostly on plan pro) open a session about 12 times per 30 days, the others 3;
a CSAT group planted on two attributes together (platform A in region X, or B in Y), so that
neither attribute alone tells it: its customers answer 1–3, everyone else 4–5.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jmtools import personas as P

END = pd.Timestamp("2026-06-01")


@pytest.fixture(scope="module")
def app():
    rng = np.random.default_rng(254)
    n = 600
    ids = [f"u{i:04d}" for i in range(n)]
    heavy = rng.random(n) < 0.35
    platform = rng.choice(["A", "B"], n)
    region = rng.choice(["X", "Y"], n)
    unhappy = (platform == "A") == (region == "X")
    start = END - pd.to_timedelta(rng.uniform(5, 150, n), unit="D")
    customers = pd.DataFrame({"customer_id": ids, "platform": platform, "region": region,
                              "plan": np.where(rng.random(n) < np.where(heavy, 0.95, 0.05), "pro", "basic"),
                              "signup_date": start.normalize()})
    rows, answers = [], []
    for cid, t0, h, sad in zip(ids, start, heavy, unhappy):
        days = (END - t0).total_seconds() / 86400
        rows.append((cid, t0, "sign_up"))
        rows += [(cid, t0 + pd.Timedelta(days=7 * w, hours=1), "push_sent") for w in range(int(days // 7))]
        n_sessions = rng.poisson((12 if h else 3) * days / 30)
        times = t0 + pd.to_timedelta(np.sort(rng.uniform(0, days, n_sessions)), unit="D")
        rows += [(cid, t, "session") for t in times]
        for t in times[:6]:                                           # up to 6 rated sessions
            answers.append((cid, t, "csat", float(rng.integers(1, 4) if sad else rng.integers(4, 6))))
    events = pd.DataFrame(rows, columns=["customer_id", "timestamp", "event"])
    surveys = pd.DataFrame(answers, columns=["customer_id", "timestamp", "metric", "score"])
    truth = pd.DataFrame({"customer_id": ids, "persona": np.where(heavy, "heavy", "light")})
    return dict(customers=customers, events=events, surveys=surveys, truth=truth,
                unhappy=pd.Series(unhappy, index=ids))


def test_company_sends_are_left_out_and_counts_go_per_30_days(app):
    f = P.behaviour_features(app["customers"], events=app["events"], surveys=app["surveys"],
                             company_events=["push_.*"])
    assert "event:push_sent" not in f and "event:push_sent_per_30d" not in f
    ev = app["events"]
    assert f.attrs["skipped"]["event:push_sent"].startswith(
        f"started by the company ({(ev.event == 'push_sent').sum():,} events)")
    # plain pandas: sessions × 30 / days from the customer's first own event to the log's last
    own = ev[ev.event != "push_sent"]
    days = ((own.timestamp.max() - own.groupby("customer_id").timestamp.min()).dt.total_seconds()
            / 86400).clip(lower=1)
    sessions = own[own.event == "session"].groupby("customer_id").size().reindex(days.index, fill_value=0)
    pd.testing.assert_series_equal(f["event:session_per_30d"], (sessions * 30 / days).reindex(f.index),
                                   check_names=False)
    q = days.quantile([0.25, 0.75]).round(1).tolist()
    assert list(f.attrs["time_in_log"]) == q and q[0] < P.TENURE_SPREAD * q[1]
    assert f["event:sign_up"].eq(1).all()            # a step done once stays a count, not 30 / days
    assert "signup_date_days" not in f and "tenure, not behaviour" in f.attrs["skipped"]["signup_date"]
    counts = P.behaviour_features(app["customers"], events=app["events"], per_time=False)
    assert counts["event:session"].equals(sessions.reindex(counts.index).astype(float))
    assert "signup_date_days" in counts


def test_a_survey_score_customers_differ_on_is_kept(app):
    from scipy.stats import f_oneway
    f = P.behaviour_features(app["customers"], surveys=app["surveys"])
    test = f.attrs["between"]["csat_mean"]
    sv = app["surveys"]
    several = sv[sv.groupby("customer_id").score.transform("size") >= 2]
    F, p = f_oneway(*[g.to_numpy() for _, g in several.groupby("customer_id").score])
    assert test["F"] == pytest.approx(F, rel=1e-3) and test["p"] == pytest.approx(p, abs=1e-12)
    assert test["customers"] == several.customer_id.nunique()
    # unrelated to every single other feature (the group is planted on two attributes together)
    corr = pd.get_dummies(app["customers"].set_index("customer_id")[["platform", "region", "plan"]]
                          ).astype(float).corrwith(f["csat_mean"]).abs()
    assert corr.max() < P.MIN_CORRELATION
    s = P.suggest_personas(app["customers"], events=app["events"], surveys=app["surveys"],
                           company_events=["push_sent"], k=2, seed=0)
    assert "csat_mean" in s.features_used and "csat_mean" not in s.features_dropped
    assert any(note.startswith("csat_mean is kept") for note in s.notes)
    # what notebook 01 prints as "left out:": each feature once, under its reason, no dict (D260)
    said = s.left_out()
    assert s.features_dropped and "{" not in said and "'" not in said.split(":")[0]
    for feature, why in s.features_dropped.items():
        assert said.count(feature) == 1 and why in said
    assert said.count("; ") == len(set(s.features_dropped.values())) - 1          # one part per reason


def test_noise_answers_are_still_left_out():
    rng = np.random.default_rng(5)
    ids = [f"c{i}" for i in range(2000)]
    plan = rng.choice(["a", "b"], 2000)
    customers = pd.DataFrame({"customer_id": ids, "plan": plan, "age": rng.normal(40, 9, 2000),
                              "spend": np.where(plan == "a", 50, 20) + rng.normal(0, 5, 2000)})
    who = np.repeat(ids, 3)
    surveys = pd.DataFrame({"customer_id": who, "metric": "csat",
                            "score": rng.integers(1, 6, len(who)).astype(float)})
    s = P.suggest_personas(customers, surveys=surveys, k=2, seed=0)
    assert s.features_dropped.get("csat_mean", "").startswith("unrelated to every other feature")
    assert s.notes == []


def test_suggested_groups_follow_behaviour_not_tenure(app):
    """Before D254 the two groups split on tenure: signup date and the weekly push (ARI with the
    planted heavy/light customers about 0); now on the session rate (plan pro)."""
    kw = dict(events=app["events"], surveys=app["surveys"], k=2, seed=0)
    s = P.suggest_personas(app["customers"], company_events=["push_sent"], **kw)
    ari = s.agreement(app["truth"])["ari"].iloc[0]
    assert ari > 0.5
    assert not any("push_sent" in c or c.startswith("signup_date") for c in s.features_used)
    assert "per 30 days in the log" in " ".join(s.summary["description"])
    assert any(note.startswith("Repeated events are counted per 30 days in the log") for note in s.notes)


def test_company_event_patterns_of_a_journey():
    from jmtools.journey import Journey
    j = Journey(name="x", stages=[{"name": "S"}], touchpoints=[
        {"name": "Push", "stage": "S", "channel": "digital", "events": ["push_sent", "in_app_.*"],
         "initiated_by": "company"},
        {"name": "Open", "stage": "S", "channel": "digital", "events": ["app_open"]}])
    assert P.company_event_patterns(j) == ["push_sent", "in_app_.*"]


def test_rows_marked_company_in_the_log_are_left_out(app):
    ev = app["events"].assign(initiated_by=np.where(app["events"].event == "push_sent", "company", "customer"))
    f = P.behaviour_features(app["customers"], events=ev)
    assert "event:push_sent_per_30d" not in f and "event:push_sent" in f.attrs["skipped"]
