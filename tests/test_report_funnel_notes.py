"""Below the report's funnel: the customers who may still go on at the data's end (D190).

A seeded export cut off mid-process (a decision 20–120 days after the upload for 85%), written as
a data folder; the note's count is plain pandas' count of uploads within the follow-up window
(99% of upload → decision times) before the latest event that have no decision.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jmtools import pipeline
from jmtools.report import funnel_notes
from permit_world import STAGES_YAML as JOURNEY
from permit_world import own_cutoffs, permit_events, permit_folder


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    ev = permit_events(seed=3, n=1500)
    root = tmp_path_factory.mktemp("permits")
    ev.to_csv(root / "events.csv", index=False)
    (root / "journey.yaml").write_text(JOURNEY, encoding="utf-8")
    return root, ev


def _shown(findings, monkeypatch, show=funnel_notes.show_still_open) -> str:
    """What ``show`` (a note of :mod:`jmtools.report.funnel_notes`) displays for ``findings``."""
    parts = []
    monkeypatch.setattr(funnel_notes.kit, "display", lambda *objs: parts.extend(getattr(o, "data", str(o))
                                                                                for o in objs))
    show(findings)
    return "\n".join(parts)


def test_the_note_counts_the_open_cases_as_plain_pandas(folder, monkeypatch):
    root, ev = folder
    text = _shown(pipeline.run(root), monkeypatch)
    wide = ev.pivot_table(index="customer_id", columns="event", values="timestamp", aggfunc="min")
    window = np.quantile(((wide["decide"] - wide["upload"]).dt.total_seconds() / 3600).dropna(), 0.99)
    since = ev["timestamp"].max() - pd.Timedelta(hours=window)
    waiting = int(((wide["upload"] > since) & wide["decide"].isna()).sum())
    assert waiting > 100
    assert f"**May still go on**: {waiting:,} customers reached **Upload** after {since:%d %b %Y}" in text
    assert "counts them as lost" in text


def test_no_note_without_open_cases(folder, monkeypatch, tmp_path):
    _, ev = folder
    decided = ev.loc[ev["event"] == "decide", "customer_id"]
    ev[ev["customer_id"].isin(decided)].to_csv(tmp_path / "events.csv", index=False)
    (tmp_path / "journey.yaml").write_text(JOURNEY, encoding="utf-8")
    assert _shown(pipeline.run(tmp_path), monkeypatch) == ""


# ------------------------------------------------ a persona's funnel counts its own open cases (D199)
def _open_counts(ev, members=None, customers=None):
    """Plain pandas: the follow-up window of Upload → Decision over all customers (each persona's own
    with ``customers``, D261), and how many of ``members`` (default everyone) reached Upload after its
    start without a decision; the cut-off of the first member."""
    wide = ev.pivot_table(index="customer_id", columns="event", values="timestamp", aggfunc="min")
    kind = (customers.set_index("customer_id")["kind"].reindex(wide.index) if customers is not None
            else pd.Series(None, index=wide.index, dtype=object))
    since = own_cutoffs(wide["upload"], wide["decide"], kind, ev["timestamp"].max())
    open_ = (wide["upload"] > since) & wide["decide"].isna()
    if members is not None:
        open_, since = open_[open_.index.isin(members)], since[since.index.isin(members)]
    return int(open_.sum()), since.iloc[0]


@pytest.fixture(scope="module")
def persona_folder(tmp_path_factory):
    ev = permit_events(seed=3, n=1500)
    root = tmp_path_factory.mktemp("permit-personas")
    return root, ev, permit_folder(root, ev)


def test_a_personas_funnel_says_its_own_customers_who_may_still_go_on(persona_folder, monkeypatch):
    """Before D199 a persona's funnel had no such note, though its drop-off counts them as lost."""
    root, ev, customers = persona_folder
    firms = customers.loc[customers["kind"] == "firm", "customer_id"]
    everyone, _ = _open_counts(ev, customers=customers)
    mine, since = _open_counts(ev, firms, customers)          # firms wait their own time (D261)
    assert 20 < mine < everyone
    text = _shown(pipeline.run(root, persona="Firm"), monkeypatch)
    assert f"**May still go on**: {mine:,} customers reached **Upload** after {since:%d %b %Y}" in text
    assert f"{everyone:,} customers" not in text
    text = _shown(pipeline.run(root), monkeypatch)
    assert f"**May still go on**: {everyone:,} customers reached **Upload** too recently to judge" in text
    _, private = _open_counts(ev, customers.loc[customers["kind"] == "private", "customer_id"], customers)
    assert since != private                                   # so all customers' note gives each persona's
    assert f"Firm: after {since:%d %b %Y} (within " in text and f"Private: after {private:%d %b %Y} (within " in text


def test_no_personas_count_when_another_persona_has_fewer_than_five_open(tmp_path, monkeypatch):
    """The report for all customers says its count; a persona's beside it would give back the other
    persona's 1–4 by difference, so no persona says one for that step."""
    ev = permit_events(seed=3, n=1500)
    customers = permit_folder(tmp_path, ev)
    everyone, _ = _open_counts(ev)
    wide = ev.pivot_table(index="customer_id", columns="event", values="timestamp", aggfunc="min")
    uploads = wide.dropna(subset=["upload"]).sort_values("upload")
    firms = list(uploads.index[:300]) + list(uploads[uploads["decide"].isna()].index[-3:])
    customers.assign(kind=np.where(customers["customer_id"].isin(firms), "firm", "private")) \
        .to_csv(tmp_path / "customers.csv", index=False)
    assert _open_counts(ev, firms)[0] == 3
    private = _shown(pipeline.run(tmp_path, persona="Private"), monkeypatch)
    assert "customers reached **Upload**" not in private
    assert "customers reached **Apply**" in private          # where Firm has none open, Private's count is said
    assert f"**May still go on**: {everyone:,} customers" in _shown(pipeline.run(tmp_path), monkeypatch)


# ------------------------------------------------ a stage reached only through the company's record (D207)
_MORTGAGE = """\
jmtools: 1
name: Mortgage
stages:
  - name: Application
  - name: Documents
  - name: Valuation
  - name: Offer
touchpoints:
  - {name: Application submitted, stage: Application, channel: digital, events: [applied]}
  - {name: Document request letter, stage: Documents, channel: physical, events: [doc_letter], initiated_by: company}
  - {name: Document upload, stage: Documents, channel: digital, events: [uploaded]}
  - {name: Valuation completed, stage: Valuation, channel: physical, events: [valued], initiated_by: company}
  - {name: Offer accepted, stage: Offer, channel: digital, events: [accepted]}
"""


def _mortgage(root, n=300, seed=7):
    """Applications; a letter to everyone, an upload from most; the bank's valuation record for
    most of those; an offer accepted by some. Valuation has no customer touchpoint."""
    rng = np.random.default_rng(seed)
    rows = []
    for c in range(n):
        t = pd.Timestamp("2026-02-02") + pd.Timedelta(hours=5 * c)
        rows += [(f"m{c:04d}", "applied", t), (f"m{c:04d}", "doc_letter", t + pd.Timedelta(days=1))]
        if rng.random() < 0.8:
            rows.append((f"m{c:04d}", "uploaded", t + pd.Timedelta(days=4)))
        if rng.random() < 0.7:
            rows.append((f"m{c:04d}", "valued", t + pd.Timedelta(days=15)))
            if rng.random() < 0.6:
                rows.append((f"m{c:04d}", "accepted", t + pd.Timedelta(days=30)))
    ev = pd.DataFrame(rows, columns=["customer_id", "event", "timestamp"])
    ev.to_csv(root / "events.csv", index=False)
    (root / "journey.yaml").write_text(_MORTGAGE, encoding="utf-8")
    return ev


def test_a_stage_reached_only_through_the_company_record_is_said_with_its_n(tmp_path, monkeypatch):
    """The mortgage tester's Valuation: only the bank's record reaches it, so the funnel's step there
    (and the planted drop after it) rests on that record; before D207 nothing said so."""
    ev = _mortgage(tmp_path)
    text = _shown(pipeline.run(tmp_path), monkeypatch, funnel_notes.show_contact_only)
    first = ev.groupby(["customer_id", "event"])["timestamp"].min().unstack()
    # plain pandas: applied, then Documents (the customer's upload: the bank's letter reaches no stage
    # where customers act, D243), then the valuation record, in order
    docs = first["uploaded"]
    valued = int(((docs > first["applied"]) & (first["valued"] > docs)).sum())
    assert 150 < valued < 300
    assert (f"**Valuation is reached only through the company's own record** (Valuation completed): the funnel "
            f"counts {valued:,} customers there by it") in text
    # Documents has a customer touchpoint too: no such sentence for it
    assert "Documents is reached only" not in text and text.count("reached only through") == 1
