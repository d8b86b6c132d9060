"""The behaviour-only emotion curve on a utility's journey (D160, D161): monthly bills the company sends,
an optional stage and an exit stage after the last stage customers stay at.

An outside tester's world: customers who keep paying their bills were "abandoning" at Pay (−0.93)
once an optional Payment difficulty and an exit Leave stage followed, the company's bills counted
as the customers' own steps, and the headline's lowest moment was one customer's value.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from inprocess import run_cells
from jmtools import pipeline
from jmtools.analyses import emotions
from jmtools.report.headline import headline_items
from table_subsets import shown_text

NB00 = Path(__file__).resolve().parents[1] / "notebooks" / "00_journey_report.ipynb"

JOURNEY = """\
jmtools: 1
name: Utility
stages:
  - name: Sign up
  - name: Meter install
  - name: Monthly bill
  - name: Pay
  - name: Payment difficulty
    optional: true
  - name: Leave
    exit: true
touchpoints:
  - {name: Sign-up form, stage: Sign up, channel: digital, events: [signup]}
  - {name: Engineer visit, stage: Meter install, channel: physical, events: [meter_installed]}
  - {name: Bill, stage: Monthly bill, channel: physical, events: [bill_issued], initiated_by: company}
  - {name: Payment, stage: Pay, channel: digital, events: [payment]}
  - {name: Payment plan, stage: Payment difficulty, channel: interpersonal, events: [payment_plan]}
  - {name: Closing, stage: Leave, channel: digital, events: [account_closed]}
"""


def _world(folder: Path) -> pd.DataFrame:
    """60 customers sign up; 40 get a meter; every one gets three bills and pays each; 3 agree a
    payment plan, 4 leave; 10 more sign up and get a bill but never pay (they abandon)."""
    folder.mkdir()
    (folder / "journey.yaml").write_text(JOURNEY)
    rows = []
    for c in range(70):
        cid, t = f"h{c:03d}", pd.Timestamp("2026-01-05 09:00") + pd.Timedelta(hours=c)
        rows.append((cid, "signup", t))
        if c < 40:
            rows.append((cid, "meter_installed", t + pd.Timedelta(days=10)))
        for m in range(1 if c >= 60 else 3):
            bill = t + pd.Timedelta(days=30 * (m + 1))
            rows.append((cid, "bill_issued", bill))
            if c < 60:
                rows.append((cid, "payment", bill + pd.Timedelta(days=5)))
        if c < 3:
            rows.append((cid, "payment_plan", t + pd.Timedelta(days=100)))
        if 10 <= c < 14:
            rows.append((cid, "account_closed", t + pd.Timedelta(days=120)))
    events = pd.DataFrame(rows, columns=["customer_id", "event", "timestamp"])
    events.to_csv(folder / "events.csv", index=False)
    return events


@pytest.fixture(scope="module")
def utility(tmp_path_factory):
    folder = tmp_path_factory.mktemp("utility") / "world"
    events = _world(folder)
    return pipeline.run(folder, persona="all"), events


def test_customers_who_stay_at_the_last_funnel_stage_have_not_abandoned(utility):
    f, events = utility
    ev = f.emotion_evidence
    behaviour = ev[ev["source"] == "behaviour"]
    per_stage = behaviour.groupby("stage", observed=True)["valence"].agg(["mean", "size"])
    # plain pandas: a customer abandons at their furthest funnel stage unless it is Pay (the last
    # stage of the default funnel: optional and exit stages are not funnel stages)
    own = events[events["event"] != "bill_issued"]
    funnel = {"signup": 0, "meter_installed": 1, "payment": 3}
    furthest = own[own["event"].isin(funnel)].assign(k=lambda d: d["event"].map(funnel)) \
        .groupby("customer_id")["k"].max()
    assert (furthest == 3).sum() == 60 and (furthest < 3).sum() == 10
    assert per_stage.loc["Pay", "size"] == 60 and per_stage.loc["Pay", "mean"] == 0.0
    assert per_stage.loc["Sign up", "size"] == 70
    assert per_stage.loc["Sign up", "mean"] == pytest.approx(-10 / 70)      # the 10 who never paid
    # the bills are the company's: no behaviour point stands on them; nor on optional or exit stages
    assert not {"Monthly bill", "Payment difficulty", "Leave"} & set(per_stage.index)


def test_the_lowest_moment_is_never_a_point_of_fewer_than_five_and_says_friction(utility):
    f, _ = utility
    low = f.lowest_emotion
    assert low is not None and low["stage"] == "Sign up" and low["n"] >= 5
    item = next(i for i in headline_items(f) if i["key"] == "lowest")
    assert item["text"].startswith("Sign up: the most friction in what customers did — −0.14")
    assert "felt" not in item["text"]
    assert "measured from behaviour only" in item["text"]


def test_a_point_of_one_customer_is_not_the_lowest_moment(utility):
    f, _ = utility
    curve = f.curve.copy()
    tiny = curve.iloc[[0]].assign(stage="Payment difficulty", valence=-2.0, n=1, low_evidence=True)
    f2 = pipeline.Findings.__new__(pipeline.Findings)
    f2.__dict__.update(f.__dict__)
    f2.__dict__["curve"] = pd.concat([curve, tiny], ignore_index=True)
    assert f2.lowest_emotion["stage"] != "Payment difficulty"


def test_a_stage_some_customers_skip_is_said_beside_the_funnel_and_in_the_headline(utility, tmp_path):
    """20 of the 30 customers lost between Sign up and Meter install pay all the same (the other
    10 never pay): the report says the stage may be one customers skip, with the fix."""
    f, events = utility
    skipped = f.skipped
    assert skipped[["step", "before", "n_lost", "n_skipped", "later"]].values.tolist() == \
        [["Meter install", "Sign up", 30, 20, "Pay"]]
    # plain pandas (D222): what those lost at Meter install did later, per touchpoint
    by = events.groupby("event")["customer_id"].agg(set)
    lost = by["signup"] - by["meter_installed"]
    did = {tp: len(lost & by[e]) for tp, e in [("Payment", "payment"), ("Payment plan", "payment_plan"),
                                               ("Closing", "account_closed")] if lost & by[e]}
    assert did == {"Payment": 20}
    assert skipped["later_touchpoints"].iloc[0] == [("Payment", 20)]
    loss = next(i for i in headline_items(f) if i["key"] == "loss")
    assert ("20 of them have a later step of their own all the same (most of them Pay — Payment: 20 customers): "
            "Meter install may be a stage customers skip, unless what they did there is no step forward") in loss["text"]
    folder = tmp_path / "world"
    _world(folder)
    text = shown_text(run_cells(NB00, {"data_dir": str(folder)}).displayed)
    assert ("**Meter install may be a stage customers skip**: 20 of the 30 customers the funnel loses between "
            "Sign up and Meter install (66.7%) have a later step of their own all the same (most of them Pay — "
            "Payment: 20 customers)") in text
    assert "mark it `optional: true`" in text and "they are lost indeed" in text


def _feelings_section(f, monkeypatch) -> str:
    from jmtools.report import sections

    parts = []
    monkeypatch.setattr(sections.kit, "display", lambda *objs: parts.extend(objs))
    sections.feelings(f)
    return shown_text(parts)


def test_the_curve_table_says_why_a_stage_has_no_value_not_0_customers(utility, monkeypatch):
    """A permit office's curve table read "Resubmit – – – 0" at a stage the funnel counted 828 at:
    optional, exit and company-only stages are not judged from behaviour, and the table now says so
    where it said 0 customers (D200). Here 3 agree a payment plan (optional), 4 leave (exit) and all
    70 get a bill (only the company acts) — counted with pandas."""
    import re

    f, events = utility
    text = _feelings_section(f, monkeypatch)
    reached = events.groupby("event")["customer_id"].nunique()
    assert (reached["payment_plan"], reached["account_closed"], reached["bill_issued"]) == (3, 4, 70)
    row = (r'<td data-label="stage">([^<]+)</td>(?:<td[^>]*>[^<]*</td>){3}'
           r'<td[^>]*data-label="customers">([^<]*)</td>')
    cells = dict(re.findall(row, text))
    assert cells["Payment difficulty"] == "not judged (optional stage)"
    assert cells["Leave"] == "not judged (exit stage)"
    assert cells["Monthly bill"] == "not judged (only the company acts)"
    assert cells["Sign up"] == "70" and cells["Pay"] == "60"       # the judged stages keep their counts
    assert "**No friction value at Monthly bill, Payment difficulty and Leave**" in text
    assert "optional stage is one many never need" in text and "only the company acts" in text


def test_a_behaviour_only_report_introduces_its_curve_as_friction(utility, monkeypatch):
    """Notebook 00's fixed introduction said "survey scores and feedback text on one scale from −2
    (very negative) to +2 (very positive)" in every report, behaviour-only too; it is now the
    section's own first paragraph and, without a feeling measured, speaks of friction (D200)."""
    f, _ = utility
    text = _feelings_section(f, monkeypatch)
    assert text.startswith("## Where customers meet friction along the way\n\n"   # its heading, printed (D210)
                           "Nothing here measured how customers feel at a stage: the curve is friction")
    assert "very negative" not in text and "very positive" not in text
    import json

    cells = json.loads(NB00.read_text(encoding="utf-8"))["cells"]
    static = "".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    assert "very negative" not in static and "one scale from" not in static


CLAIMS = """\
jmtools: 1
name: Claims
stages:
  - name: Report
  - name: Documents
  - name: Offer
  - name: Decision
  - name: Payment
  - name: Closure
touchpoints:
  - {name: Claim form, stage: Report, channel: digital, events: [claim_reported]}
  - {name: Document request, stage: Documents, channel: digital, events: [documents_requested], initiated_by: company}
  - {name: Upload, stage: Documents, channel: digital, events: [documents_uploaded]}
  - {name: Offer letter, stage: Offer, channel: digital, events: [offer_sent], initiated_by: company}
  - {name: Answer, stage: Decision, channel: digital, events: [offer_accepted]}
  - {name: Payout, stage: Payment, channel: digital, events: [payment_issued], initiated_by: company}
  - {name: Closing letter, stage: Closure, channel: digital, events: [claim_closed], initiated_by: company}
"""
#: Where each planted group's journey stops (the event it stops after) and how many it has.
STOPS = {"claim_reported": 0, "documents_requested": 20, "documents_uploaded": 10, "offer_sent": 10,
         "offer_accepted": 15, "payment_issued": 5, "claim_closed": 140}


def _claims(folder: Path) -> pd.DataFrame:
    """200 claims: the insurer requests documents, sends the offer, pays and closes (Offer, Payment
    and Closure are company-only, so Decision is every customer's last own stage). 140 go the whole
    way, 5 are paid and not closed yet; the planted leavers: 20 never upload, 10 get no offer after
    their upload, 10 never answer the offer, 15 answer and nothing follows."""
    folder.mkdir()
    (folder / "journey.yaml").write_text(CLAIMS)
    order = list(STOPS)
    rows, c = [], 0
    for stop, n in STOPS.items():
        for _ in range(n):
            t = pd.Timestamp("2026-01-05 09:00") + pd.Timedelta(hours=7 * c)
            rows += [(f"k{c:03d}", e, t + pd.Timedelta(days=3 * i)) for i, e in enumerate(order[:order.index(stop) + 1])]
            c += 1
    events = pd.DataFrame(rows, columns=["customer_id", "event", "timestamp"]).sample(frac=1, random_state=231)
    events.to_csv(folder / "events.csv", index=False)
    return events


def test_a_customer_the_company_carries_on_after_their_last_own_step_has_not_abandoned(tmp_path):
    """D231: an insurer's claims world read every customer as abandoning at their decision
    ("Lowest moment: Entscheidung −1.00 (95% CI −1.00 to −1.00)") because payment and closure are
    the company's. Only the planted leavers are −1, at their last own stage (counted with pandas);
    the paid-not-closed ones and those the insurer closed are not."""
    events = _claims(tmp_path / "world")
    f = pipeline.run(tmp_path / "world", persona="all")
    b = f.emotion_evidence[f.emotion_evidence["source"] == "behaviour"]
    got = b[b["valence"] < 0].groupby("stage", observed=True)["customer_id"].nunique().to_dict()
    # plain pandas: each customer's last event and last own event; the planted stops say who left
    last = events.sort_values("timestamp").groupby("customer_id")["event"].last()
    own = {"claim_reported": "Report", "documents_uploaded": "Documents", "offer_accepted": "Decision"}
    mine = events[events["event"].isin(own)].sort_values("timestamp").groupby("customer_id")["event"].last()
    left = mine[last.isin(["documents_requested", "documents_uploaded", "offer_sent", "offer_accepted"])]
    assert left.map(own).value_counts().to_dict() == got == {"Report": 20, "Documents": 20, "Decision": 15}
    per = b.groupby("stage", observed=True)["valence"].agg(["mean", "size"])
    assert per.loc["Decision", "size"] == 160 and per.loc["Decision", "mean"] == pytest.approx(-15 / 160)
    assert per["mean"].min() > -0.2                                 # before: Decision −1.00 for all 160
    item = next(i for i in headline_items(f) if i["key"] == "lowest")
    assert item["text"].startswith("Documents: the most friction in what customers did — −0.11")


# ------------------------------------------------------------------ claims still open at the export (D242)
@pytest.fixture(scope="module")
def open_claims(tmp_path_factory):
    """The seeded claims world of tests/claims_world.py (cut mid-process) and its report for all."""
    from claims_world import write_claims_world

    folder = tmp_path_factory.mktemp("claims") / "world"
    events, truth = write_claims_world(folder)
    return events, truth, pipeline.run(folder, persona="all")


def _decisions_by_pandas(events: pd.DataFrame) -> dict:
    """Plain pandas on the log: each claimant's first acceptance and first payment; the follow-up
    window (99% of the paid within it); the data's end (the latest own event or payment); who
    accepted within the window before it (left out) and who of them is unpaid (still open); among
    the others, who is unpaid (stopped at Entscheidung)."""
    first = events.pivot_table(index="customer_id", columns="event", values="timestamp", aggfunc="min")
    acc, pay = first["settlement_accepted"].dropna(), first["payment_issued"]
    hours = ((pay - acc).dt.total_seconds() / 3600).dropna()
    window = float(np.quantile(hours, 0.99))
    own = events["event"].isin(["claim_reported", "document_uploaded", "settlement_accepted", "payment_issued"])
    end = events.loc[own, "timestamp"].max()
    recent = acc > end - pd.Timedelta(hours=window)
    unpaid = pay.reindex(acc.index).isna()
    return {"window": window, "left_out": int(recent.sum()), "open": int((recent & unpaid).sum()),
            "judged": int((~recent).sum()), "stopped": sorted(acc.index[~recent & unpaid])}


def test_a_claim_still_open_at_the_export_is_not_read_as_stopping_at_the_decision(open_claims):
    """D242: Entscheidung is the claimants' last own stage (the insurer pays and closes). D231 let a
    payment carry the journey on, but a decision not yet paid at the export's end still read as −1:
    on this world 58 "stopped" there against 23 planted leavers (−0.09, n=653). The payment now times
    the decision's follow-up window: the recent decisions are left out, and only planted leavers stay −1."""
    events, truth, f = open_claims
    want = _decisions_by_pandas(events)
    opened = emotions.open_at_end(f.emotion_evidence).set_index("stage")
    got = opened.loc["Entscheidung"]
    assert got["window_hours"] == pytest.approx(want["window"], rel=1e-12)
    assert (got["left_out"], got["open"], got["next_stage"]) == (want["left_out"], want["open"], "Zahlung")
    point = f.curve[(f.curve["persona"] == "all") & (f.curve["stage"] == "Entscheidung")].iloc[0]
    assert point["n"] == want["judged"]
    assert point["valence"] == pytest.approx(-len(want["stopped"]) / want["judged"], rel=1e-12)
    planted = set(truth.loc[truth["stop"] == "Entscheidung", "customer_id"])
    assert set(want["stopped"]) <= planted and len(want["stopped"]) >= 15     # only planted leavers stop there
    b = f.emotion_evidence.drop(index=opened.attrs["rows"])
    b = b[(b["source"] == "behaviour") & (b["stage"] == "Entscheidung") & (b["valence"] < 0)]
    assert sorted(b["customer_id"].drop_duplicates()) == want["stopped"]
    assert f"{want['open']} of the {want['left_out']} customers who reached Entscheidung" in opened.attrs["note"]


def test_the_curve_ends_at_the_journeys_last_stage_and_names_the_company_only_stages(open_claims):
    """The last point of a behaviour curve before stages only the company acts at is the customers'
    last own stage, not the journey's end: no ring labelled "end" there."""
    _, _, f = open_claims
    kinds = f.moments[f.moments["persona"] == "all"].set_index("kind")
    assert "end" not in kinds.index and kinds.loc["last own stage", "stage"] == "Entscheidung"
    text = kinds.loc["last own stage", "explanation"]
    assert text.startswith("Last own stage for all customers: Entscheidung at −0.0")
    assert "The journey ends at Abschluss: only the company acts at Zahlung and Abschluss" in text
    from jmtools.charts.emotions import emotion_curve_chart

    spec = emotion_curve_chart(f.curve, moments=f.moments[f.moments["persona"] == "all"], personas=["all"]).to_dict()
    labels = {r.get("kind") for d in spec.get("datasets", {}).values() for r in d if isinstance(r, dict)}
    assert "last own stage" in labels and not any(str(k).endswith("end") for k in labels if k)


def test_a_journey_that_ends_where_customers_act_keeps_its_end():
    curve = pd.DataFrame({"persona": "all", "stage": pd.Categorical(["A", "B", "C"], categories=list("ABC"),
                                                                    ordered=True),
                          "valence": [0.0, -0.2, -0.1], "n": [40, 40, 40], "ci_low": [0.0, -0.3, -0.2],
                          "ci_high": [0.0, -0.1, 0.0], "low_evidence": False,
                          "sources": ["behaviour (n=40)"] * 3})
    assert emotions.moments_of_truth(curve, company_stages=["B"]).set_index("kind").loc["end", "stage"] == "C"
    cut = curve.iloc[:2]
    assert emotions.moments_of_truth(cut, company_stages=["C"])["kind"].tolist() == ["lowest", "last own stage"]
    assert emotions.moments_of_truth(cut.assign(sources="survey:csat (n=40)"),
                                     company_stages=["C"])["kind"].tolist()[-1] == "end"   # a feeling's end
