"""funnels.last_seen: where the customers a funnel loses were last seen (D203).

A permit office's log: applicants apply, upload documents; the office asks for documents again
(a contact the office starts) for some, and a planted share of those never answer; the rest are
inspected and decided. An outside tester found the loss placed at the upload while three in four
of the lost were last seen right after the office's request, said nowhere.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jmtools.analyses.funnels import funnel, last_seen
from jmtools.evidence import prepare

STAGES = ["Apply", "Upload", "Inspection", "Decision"]
JOURNEY = {"stages": STAGES, "touchpoints": [
    {"name": "Form", "stage": "Apply", "events": ["apply"]},
    {"name": "Upload", "stage": "Upload", "events": ["upload"]},
    {"name": "Request for documents", "stage": "Upload", "events": ["docs_requested"], "initiated_by": "company"},
    {"name": "Visit", "stage": "Inspection", "events": ["inspect"]},
    {"name": "Letter", "stage": "Decision", "events": ["decide"]}]}


def _events(seed: int, n: int = 600) -> pd.DataFrame:
    """Each applicant: apply, upload; 40% are asked for documents (half of them never answer and
    stop there); of those who answer or are not asked, 90% are inspected and 95% of those decided.
    Some leave a portal event no touchpoint maps ("portal_login") as their last."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n):
        t = pd.Timestamp("2026-01-01") + pd.Timedelta(hours=int(rng.integers(0, 900)))
        rows += [(f"a{c:03d}", "apply", t), (f"a{c:03d}", "upload", t + pd.Timedelta(days=2))]
        t += pd.Timedelta(days=2)
        if rng.random() < 0.4:
            for _ in range(int(rng.integers(1, 3))):                   # asked once or twice
                t += pd.Timedelta(days=5)
                rows.append((f"a{c:03d}", "docs_requested", t))
            if rng.random() < 0.5:
                continue                                               # never answers: planted
            t += pd.Timedelta(days=3)
            rows.append((f"a{c:03d}", "upload", t))
        if rng.random() < 0.9:
            rows.append((f"a{c:03d}", "inspect", t + pd.Timedelta(days=10)))
            if rng.random() < 0.95:
                rows.append((f"a{c:03d}", "decide", t + pd.Timedelta(days=20)))
        elif rng.random() < 0.5:
            rows.append((f"a{c:03d}", "portal_login", t + pd.Timedelta(days=4)))
    return pd.DataFrame(rows, columns=["customer_id", "event", "timestamp"])


NEWSLETTER = {**JOURNEY, "touchpoints": [*JOURNEY["touchpoints"], {"name": "Newsletter", "stage": "Apply", "events":
                                                                   ["newsletter"], "initiated_by": "company"}]}


def _with_newsletter(events: pd.DataFrame) -> pd.DataFrame:
    """A monthly newsletter to every applicant from the month after they applied to the log's end:
    a broadcast that keeps going after they stop (the B2B tester's usage report, D258)."""
    first = events.groupby("customer_id")["timestamp"].min()
    end = events["timestamp"].max()
    rows = [(c, "newsletter", t) for c, t0 in first.items()
            for t in pd.date_range(t0.normalize() + pd.offsets.MonthBegin(1), end, freq="MS")]
    sent = pd.DataFrame(rows, columns=["customer_id", "event", "timestamp"])
    return pd.concat([events, sent], ignore_index=True)


def _plain(events: pd.DataFrame) -> pd.DataFrame:
    """Plain pandas: the furthest stage in the strict order (each stage's first own event after the
    previous one), and each lost customer's last own event by time then input row (an unmapped event
    is theirs), the company's contacts after it, how many and the first."""
    where = {"apply": 0, "upload": 1, "inspect": 2, "decide": 3}
    name = {"apply": "Form", "upload": "Upload", "docs_requested": "Request for documents", "inspect": "Visit",
            "decide": "Letter", "newsletter": "Newsletter"}
    company = {"docs_requested", "newsletter"}
    rows = []
    for cid, e in events.sort_values(["customer_id", "timestamp"], kind="stable").groupby("customer_id"):
        at, evs = 0, e["event"].tolist()
        for v in evs:
            if at < len(STAGES) and where.get(v) == at:
                at += 1
        if at < len(STAGES):
            own = max(i for i, v in enumerate(evs) if v not in company)
            after = [v for v in evs[own + 1:] if v in company]
            rows.append((at + 1, STAGES[at], name.get(evs[own]), len(after) > 0, len(after),
                         name[after[0]] if after else None))
    lost = pd.DataFrame(rows, columns=["step_index", "step", "touchpoint", "then", "after", "first"])
    lost["touchpoint"] = lost["touchpoint"].astype("str")
    return lost.groupby(["step_index", "step", "touchpoint"], dropna=False).agg(
        n=("then", "size"), n_then=("then", "sum"), then_contacts=("after", "sum"),
        then_touchpoint=("first", lambda s: s.value_counts().idxmax() if s.notna().any() else None)).reset_index()


def _same(got: pd.DataFrame, want: pd.DataFrame) -> None:
    cols = ["n", "n_then", "then_contacts", "then_touchpoint"]
    merged = got.merge(want, on=["step_index", "step", "touchpoint"], how="outer", suffixes=("", "_pandas"))
    assert len(merged) == len(want) == len(got)
    for c in cols:
        assert merged[c].tolist() == merged[f"{c}_pandas"].tolist(), c


@pytest.mark.parametrize("seed", [3, 4])
def test_the_last_own_step_of_every_lost_customer_and_the_contacts_after_it_are_plain_pandas(seed):
    events = _events(seed)
    ev = prepare(events, JOURNEY)
    got = last_seen(ev)
    _same(got, _plain(events))
    fun = funnel(ev).set_index("step")["n"]                 # the lost add up to the funnel's loss
    for r in got.drop_duplicates("step").itertuples():
        assert r.n_lost == fun[STAGES[r.step_index - 2]] - fun[r.step]
    top = got[got["step"] == "Inspection"].iloc[0]          # the planted loop: last seen uploading, then asked
    assert top["touchpoint"] == "Upload" and not top["company"] and top["then_touchpoint"] == "Request for documents"
    assert top["n_then"] > top["n_lost"] / 2
    assert got["touchpoint"].isna().any()                   # an event no touchpoint maps, kept as missing
    assert not got["company"].any()                         # every applicant took a step of their own


@pytest.mark.parametrize("seed", [3, 4])
def test_a_broadcast_after_the_last_step_is_what_followed_not_where_they_were_seen(seed):
    """The B2B tester's M2 (D258): a monthly mail that goes on after customers stop was their "last
    seen"; it is now counted after their own last step, with how many they were sent."""
    events = _with_newsletter(_events(seed))
    got = last_seen(prepare(events, NEWSLETTER))
    _same(got, _plain(events))
    assert "Newsletter" not in set(got["touchpoint"])
    top = got[got["step"] == "Inspection"].iloc[0]
    assert top["touchpoint"] == "Upload" and top["then_contacts"] > top["n_then"]      # several mails each


def test_a_customer_asked_twice_after_the_form_is_last_seen_at_the_form_with_two_contacts_after():
    events = pd.DataFrame({"customer_id": ["a", "a", "b", "c", "c", "c"],
                           "event": ["apply", "upload", "docs_requested", "apply", "docs_requested", "docs_requested"],
                           "timestamp": pd.to_datetime(["2026-01-01", "2026-01-02", "2026-01-03", "2026-01-01",
                                                        "2026-01-05", "2026-01-09"])})
    got = last_seen(prepare(events, JOURNEY), steps=["Apply", "Upload"])
    assert got[["touchpoint", "company", "n", "n_then", "then_contacts"]].values.tolist() == [
        ["Form", False, 1, 1, 2]]          # c; b, only asked, has no step of their own: never counted, never lost


def test_per_persona_the_counts_add_up_to_all_customers():
    events = _events(5)
    customers = pd.DataFrame({"customer_id": sorted(events["customer_id"].unique())})
    customers["kind"] = np.where(np.arange(len(customers)) % 3 == 0, "company", "private")
    j = {**JOURNEY, "personas": [{"name": "Firms", "rule": "kind == 'company'"},
                                 {"name": "Private", "rule": "kind == 'private'"}]}
    ev = prepare(events, j, customers=customers)
    both = last_seen(ev, by="persona")
    everyone = last_seen(ev)
    summed = both.groupby(["step", "touchpoint"], dropna=False)["n"].sum()
    assert summed.sort_index().tolist() == everyone.set_index(["step", "touchpoint"])["n"].sort_index().tolist()
    assert set(both["persona"]) == {"Firms", "Private"}


def test_a_funnel_that_loses_nobody_has_no_rows():
    events = pd.DataFrame({"customer_id": ["a", "a"], "event": ["apply", "upload"],
                           "timestamp": pd.to_datetime(["2026-01-01", "2026-01-02"])})
    assert last_seen(prepare(events, JOURNEY), steps=["Apply", "Upload"]).empty
