"""jmtools.analyses.discovery._sends: broadcasts, reminders and follow-ups among company sends (D218).

An outside tester's hospital log: an SMS reminder sent at 09:00 two days before each
appointment was read as a broadcast ("reaches customers whatever they have done"), so the
attendances after it were taken for its answers and pulled into the first stage, where they
could not be split into a first and a repeat. Planted truths here: a reminder at a fixed lag
before each visit, a survey at a fixed time after each purchase, and a newsletter to customers
active every day (a true broadcast, which must stay one). Oracles: plain pandas
(``merge_asof`` for the lags, ``nunique`` for the reach).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jmtools.analyses.discovery import STEADY_BAND, STEADY_SHARE, discover_journey
from jmtools.cli.discover import summary

T0 = pd.Timestamp("2025-01-06 00:00")


def _clinic(n=80, seed=7, book_next=False) -> pd.DataFrame:
    """Referral, booking, a 09:00 reminder two days before each visit, 3–5 visits, discharge.

    Everything but the visit is the clinic's (the log's ``initiated_by`` says so); the visit's
    hour varies (09:00–16:45), so the reminder's lag is steady (48–56 h) but not constant.
    """
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        c = f"p{i:03d}"
        day = T0 + pd.Timedelta(days=int(rng.integers(0, 60)))
        at = lambda d: d.normalize() + pd.Timedelta(hours=int(rng.integers(9, 17)),  # noqa: E731
                                                    minutes=int(rng.choice([0, 15, 30, 45])))
        rows += [(c, at(day), "referral", "company"),
                 (c, at(day + pd.Timedelta(days=3)), "booked", "company")]
        visit = day + pd.Timedelta(days=int(rng.integers(20, 40)))
        for k in range(int(rng.integers(3, 6))):
            when = at(visit)
            rows.append((c, when.normalize() - pd.Timedelta(days=2) + pd.Timedelta(hours=9),
                         "reminder", "company"))
            rows.append((c, when, "visit", "customer"))
            if book_next:
                rows.append((c, when + pd.Timedelta(minutes=int(rng.integers(10, 60))), "followup_booked", "company"))
            visit = visit + pd.Timedelta(days=int(rng.integers(20, 40)))
        rows.append((c, at(visit), "discharged", "company"))
    return pd.DataFrame(rows, columns=["customer_id", "timestamp", "event", "initiated_by"])


def _steady(log: pd.DataFrame, send: str, own: list[str], direction: str) -> tuple[float, float, int]:
    """Plain pandas: (median lag in hours, share of the send's rows within the band, rows)."""
    s = log[log["event"] == send].sort_values("timestamp")
    o = log[log["event"].isin(own)].sort_values("timestamp").rename(columns={"timestamp": "t_own"})
    m = pd.merge_asof(s[["customer_id", "timestamp"]], o[["customer_id", "t_own"]], left_on="timestamp",
                      right_on="t_own", by="customer_id", direction=direction, allow_exact_matches=False)
    lag = (m["t_own"] - m["timestamp"]).abs().dt.total_seconds() / 3600
    med = lag.median()
    return med, float(((lag - med).abs() <= STEADY_BAND * med).sum() / len(s)), len(s)


def test_a_reminder_at_a_steady_lag_before_each_visit_is_no_broadcast_and_visits_split():
    log = _clinic()
    found = discover_journey(log)
    t = found.table[found.table["placed"]]
    note = t.loc[t["event"] == "reminder", "note"].iloc[0]
    med, share, n = _steady(log, "reminder", ["visit"], "forward")
    assert share == 1.0 and 48 <= med <= 56
    firsts = log.groupby(["customer_id", "event"])["timestamp"].min().unstack()
    assert (firsts["reminder"] < firsts["visit"]).all()   # no own event before it: only the lag tells
    assert "broadcast that reaches" not in " ".join(t["note"])
    assert (f"a reminder before visit: {100 * share:.1f}% of its {n:,} events came {med / 24:.1f} days "
            f"(median) before the customer's next own event, each within {STEADY_BAND:.0%} of that lag") in note
    assert "answers" not in " ".join(t["note"])                       # visits are no answers
    visits = t[t["event"] == "visit"].set_index("occurrence")
    assert set(visits.index) == {"first", "repeat"}                    # planted: 3–5 visits each
    per = log[log["event"] == "visit"].groupby("customer_id").size()
    assert visits.loc["first", "n_customers"] == len(per)
    assert visits.loc["repeat", "n_events"] == (per - 1).sum()
    assert visits.loc["repeat", "stage_index"] > visits.loc["first", "stage_index"]


def test_a_survey_at_a_fixed_time_after_every_purchase_is_a_follow_up():
    """Every customer buys, so "had bought before it" lifts nothing and the old rule called the
    survey a broadcast; it comes at 18:00 the day after each purchase."""
    rng = np.random.default_rng(11)
    rows = []
    for i in range(60):
        c, day = f"c{i:02d}", T0 + pd.Timedelta(days=int(rng.integers(0, 50)))
        buy = day + pd.Timedelta(hours=int(rng.integers(9, 17)))
        rows += [(c, buy - pd.Timedelta(minutes=20), "view"), (c, buy, "buy"),
                 (c, day + pd.Timedelta(days=1, hours=18), "survey_sent"),
                 (c, day + pd.Timedelta(days=int(rng.integers(4, 9)), hours=10), "review")]
    log = pd.DataFrame(rows, columns=["customer_id", "timestamp", "event"])
    t = discover_journey(log).table.set_index("event")
    assert t.loc["survey_sent", "initiated_by"] == "company"          # one time of day
    med, share, n = _steady(log, "survey_sent", ["view", "buy", "review"], "backward")
    assert share >= STEADY_SHARE
    note = t.loc["survey_sent", "note"]
    assert f"a follow-up after buy: {100 * share:.1f}% of its {n} events came {med:.1f} hours" in note
    assert "broadcast" not in note.replace("no broadcast", "")
    assert t.loc["survey_sent", "stage_index"] >= t.loc["buy", "stage_index"]


def test_a_newsletter_to_customers_active_every_day_stays_a_broadcast():
    """A true broadcast: sent to everyone at once, weekly; customers open the app every day at
    a random hour, so some own event always follows it, but at no steady lag."""
    rng = np.random.default_rng(5)
    rows = []
    for i in range(50):
        c = f"c{i:02d}"
        for d in range(28):
            rows.append((c, T0 + pd.Timedelta(days=d, minutes=int(rng.integers(0, 24 * 60))), "app_open"))
        rows.append((c, T0 + pd.Timedelta(days=int(rng.integers(5, 25)), hours=12), "buy"))
    for week in range(4):
        rows += [(f"c{i:02d}", T0 + pd.Timedelta(days=7 * week + 1, hours=9), "newsletter_sent")
                 for i in range(50)]
    log = pd.DataFrame(rows, columns=["customer_id", "timestamp", "event"])
    _, share, _ = _steady(log, "newsletter_sent", ["app_open", "buy"], "forward")
    assert share < STEADY_SHARE                                     # the oracle agrees: no steady lag
    t = discover_journey(log).table.set_index("event")
    assert "a broadcast that reaches customers whatever they have done" in t.loc["newsletter_sent", "note"]
    assert "reminder before" not in t.loc["newsletter_sent", "note"]
    assert t.loc["newsletter_sent", "stage_index"] == 1


def test_every_stage_says_what_its_reach_counts_and_the_counts_equal_pandas():
    """A stage of the clinic's contacts alone counts who received them, a stage with the
    customer's own events counts those only; both now say so (the hospital's Stage 3 said
    "have at least one event of this stage" beside a Stage 1 that said "of their own")."""
    log = _clinic()
    found = discover_journey(log)
    t = found.table[found.table["placed"]]
    k = log.sort_values("timestamp").groupby(["customer_id", "event"]).cumcount().reindex(log.index)
    occ = np.where(k == 0, "first", "repeat")
    item = {(e, o): s for e, o, s in zip(t["event"], t["occurrence"], t["stage_index"])}
    stage = [item.get((e, o), item.get((e, "any"))) for e, o in zip(log["event"], occ)]
    log = log.assign(stage=stage)
    texts = {i + 1: s.description.splitlines()[0] for i, s in enumerate(found.journey.stages)}
    for s, rows in t.groupby("stage_index"):
        here = log[log["stage"] == s]
        if (rows["initiated_by"] == "company").all():
            want, words = here["customer_id"].nunique(), "received at least one contact of this stage"
        else:
            want = here.loc[here["initiated_by"] == "customer", "customer_id"].nunique()
            words = "have at least one event of this stage of their own"
        assert rows["stage_customers"].iloc[0] == want
        assert f"{want:,} of 80 customers" in texts[int(s)] and words in texts[int(s)]
    said = summary(found, None)
    assert "by the company's contacts" in said and "by their own events" in said
    last = texts[len(texts)]                                         # discharge alone
    assert "received at least one contact" in last and "(100.0%)" in last


def _hospital(n=80, seed=3) -> pd.DataFrame:
    """As :func:`_clinic`, with the clinic booking the next visit straight after each visit: the
    booking's move into the reminder binds the first reminder to the referral's stage (D222)."""
    return _clinic(n, seed, book_next=True)


def test_a_reminder_before_a_later_stage_stays_and_says_why():
    """D222: a reminder before X in X's stage would have the funnel (received → acted) count every
    customer reminded as reaching X, no-shows too (171 patients on the hospital's log). Planted:
    every first reminder comes before the customer's first visit; the cut puts it with the booking."""
    log = _hospital()
    t = discover_journey(log).table
    t = t[t["placed"]].set_index(["event", "occurrence"])
    stage = t["stage_index"]
    assert stage[("reminder", "first")] == stage[("booked", "any")] < stage[("visit", "first")]
    assert stage[("reminder", "repeat")] == stage[("visit", "repeat")]
    # plain pandas: each customer's first reminder, and the own event next after it
    first = log[log["event"] == "reminder"].sort_values("timestamp").groupby("customer_id").head(1)
    visits = log[log["event"] == "visit"].sort_values("timestamp")
    visits = visits.assign(k=visits.groupby("customer_id").cumcount()).rename(columns={"timestamp": "t_own"})
    m = pd.merge_asof(first.sort_values("timestamp"), visits[["customer_id", "t_own", "k"]], left_on="timestamp",
                      right_on="t_own", by="customer_id", direction="forward")
    n = int((m["k"] == 0).sum())
    assert n == len(first) == log["customer_id"].nunique()
    assert (f"kept before the stage of visit (first), the event that {n:,} of its {len(first):,} steady "
            "occurrences come before: a funnel counts a contact as reaching its stage") in t.loc[("reminder", "first"), "note"]
    assert "stage of visit" not in t.loc[("reminder", "repeat"), "note"]          # already there


def test_a_follow_up_goes_to_the_stage_of_the_event_it_follows_unless_alone():
    """D222: a follow-up after Y belongs with Y (its customers had done Y); never empty a stage."""
    from jmtools.analyses.discovery._sends import place_tied

    items = pd.DataFrame({"item": [("buy", "any"), ("survey", "any"), ("review", "any")], "stage_index": [1, 2, 2]})
    lags = pd.DataFrame({"event": ["survey"] * 2, "cls": [1, 2], "side": ["previous"] * 2, "neighbour": ["buy"] * 2,
                         "neighbour_cls": [1, 2], "n": [10, 3], "n_steady": [9, 3]})
    same = lambda e, c: (e, "any")                                                   # noqa: E731
    got = place_tied(items, lags, {"survey": ("note", "previous")}, same)
    assert got == {("survey", "any"): (1, "placed in the stage of buy, the event that 12 of its 12 steady "
                                          "occurrences come after (a follow-up belongs with it)")}
    assert place_tied(items.iloc[:2], lags, {"survey": ("note", "previous")}, same) == {}   # alone in stage 2
    assert place_tied(items, lags, {"survey": ("note", "next")}, same) == {}               # the other side


def _app(n=120, seed=53) -> pd.DataFrame:
    """A subscription app: install, sign-up, trial, a subscription a week later, two monthly
    renewals at the hour of the subscription, and a push at 18:00 every Monday to everyone
    (a broadcast). Quiet weeks between subscription and renewal hold only pushes, so the event
    just before a renewal is a push days earlier."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        c = f"u{i:03d}"
        start = T0 + pd.Timedelta(days=int(rng.integers(0, 30)), hours=int(rng.integers(8, 22)),
                                  minutes=int(rng.integers(0, 60)))
        sub = start + pd.Timedelta(days=7, minutes=int(rng.integers(1, 50)))
        rows += [(c, start, "app_installed"), (c, start + pd.Timedelta(minutes=5), "sign_up"),
                 (c, start + pd.Timedelta(minutes=9), "trial_started"), (c, sub, "subscription_started")]
        rows += [(c, sub + pd.Timedelta(days=30 * k), "subscription_renewed") for k in (1, 2)]
        mondays = pd.date_range(T0, T0 + pd.Timedelta(days=110), freq="7D") + pd.Timedelta(hours=18)
        rows += [(c, m, "push_sent") for m in mondays if start < m < sub + pd.Timedelta(days=61)]
    return pd.DataFrame(rows, columns=["customer_id", "timestamp", "event"])


def test_a_renewal_days_after_a_weekly_push_does_not_answer_it():
    """F2 (D245): "96% of its events come straight after push_sent" pulled the renewal, the
    last step, into the first stage; straight after, it came days later. Oracle: plain pandas
    (the share of renewals whose previous event is a push, and within a day of it)."""
    log = _app()
    s = log.sort_values(["customer_id", "timestamp"])
    prev_ev, prev_ts = s.groupby("customer_id")["event"].shift(), s.groupby("customer_id")["timestamp"].shift()
    ren = s["event"] == "subscription_renewed"
    after_push = (prev_ev[ren] == "push_sent").mean()
    quick = ((prev_ev[ren] == "push_sent") & (s.loc[ren, "timestamp"] - prev_ts[ren] <= pd.Timedelta(hours=24))).mean()
    assert after_push >= 0.8 and quick < 0.8            # planted: straight after, but days later
    found = discover_journey(log)
    t = found.table[found.table["placed"]].drop_duplicates("event").set_index("event")
    assert t.loc["push_sent", "initiated_by"] == "company" and "broadcast" in t.loc["push_sent", "note"]
    assert "answers" not in " ".join(t["note"].fillna(""))
    assert t.loc["subscription_renewed", "stage_index"] > t.loc["trial_started", "stage_index"]
    assert t.loc["subscription_renewed", "stage_index"] == t["stage_index"].max()


def test_a_mail_sent_at_a_steady_lag_after_the_customer_s_step_is_the_company_s():
    """F3 (D245): a trial-ending mail, always 5 days and 0–2 hours after the trial started, one by
    one (no bulk, no one time of day), was proposed as a customer step. Its name says a send and
    its timing follows the customer: the company's, with the reason said. Oracle: plain pandas
    (the lag after the customer's previous own event)."""
    rng = np.random.default_rng(245)
    rows = []
    for i in range(100):
        c = f"u{i:03d}"
        start = T0 + pd.Timedelta(days=int(rng.integers(0, 40)), hours=int(rng.integers(7, 23)),
                                  minutes=int(rng.integers(0, 60)))
        trial = start + pd.Timedelta(minutes=int(rng.integers(3, 30)))
        rows += [(c, start, "sign_up"), (c, trial, "trial_started"),
                 (c, trial + pd.Timedelta(days=5, minutes=int(rng.integers(0, 120))), "email_sent")]
        if rng.random() < 0.6:
            rows.append((c, trial + pd.Timedelta(days=7, hours=int(rng.integers(0, 12))), "subscription_started"))
    log = pd.DataFrame(rows, columns=["customer_id", "timestamp", "event"])
    med, share, n = _steady(log, "email_sent", ["sign_up", "trial_started", "subscription_started"], "backward")
    assert share == 1.0 and 120 <= med <= 122
    t = discover_journey(log).table.set_index("event")
    assert t.loc["email_sent", "initiated_by"] == "company"
    note = t.loc["email_sent", "note"]
    assert (f"its name says a send (email_sent) and 100.0% of its {n} events came 5.0 days (median) "
            "after the customer's first trial_started, each within 25% of that lag") in note
    assert t.loc[["sign_up", "trial_started", "subscription_started"], "initiated_by"].eq("customer").all()
    named = discover_journey(log.replace({"email_sent": "trial_reminder"})).table.set_index("event")
    assert named.loc["trial_reminder", "initiated_by"] == "customer"    # no name, no timing sign: the customer's
