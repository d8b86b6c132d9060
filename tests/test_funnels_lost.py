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


def _plain(events: pd.DataFrame) -> pd.DataFrame:
    """Plain pandas: the furthest stage in the strict order (each stage's first event after the
    previous one), and each customer's last event by time then input row."""
    where = {"apply": 0, "upload": 1, "docs_requested": 1, "inspect": 2, "decide": 3}
    name = {"apply": "Form", "upload": "Upload", "docs_requested": "Request for documents", "inspect": "Visit",
            "decide": "Letter"}
    rows = []
    for cid, e in events.sort_values(["customer_id", "timestamp"], kind="stable").groupby("customer_id"):
        at = 0
        for v in e["event"]:
            if at < len(STAGES) and where.get(v) == at:
                at += 1
        if at < len(STAGES):
            rows.append((at + 1, STAGES[at], name.get(e["event"].iloc[-1])))
    lost = pd.DataFrame(rows, columns=["step_index", "step", "touchpoint"]).astype({"touchpoint": "str"})
    return lost.groupby(["step_index", "step", "touchpoint"], dropna=False).size().rename("n").reset_index()


@pytest.mark.parametrize("seed", [3, 4])
def test_the_last_touchpoint_of_every_lost_customer_is_plain_pandas(seed):
    events = _events(seed)
    ev = prepare(events, JOURNEY)
    got = last_seen(ev)
    want = _plain(events)
    merged = got.merge(want, on=["step_index", "step", "touchpoint"], how="outer", suffixes=("", "_pandas"))
    assert merged["n"].tolist() == merged["n_pandas"].tolist() and len(merged) == len(want)
    fun = funnel(ev).set_index("step")["n"]                 # the lost add up to the funnel's loss
    for r in got.drop_duplicates("step").itertuples():
        assert r.n_lost == fun[STAGES[r.step_index - 2]] - fun[r.step]
    top = got[got["step"] == "Inspection"].iloc[0]          # the planted loop: most of the lost end on the request
    assert top["touchpoint"] == "Request for documents" and bool(top["company"]) and top["n"] > top["n_lost"] / 2
    assert got["touchpoint"].isna().any()                   # an event no touchpoint maps, kept as missing
    assert not got.loc[got["touchpoint"] != "Request for documents", "company"].any()


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
