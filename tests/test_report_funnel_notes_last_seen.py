"""Below the report's biggest loss: where the customers lost there were last seen (D203).

The permit log of tests/test_funnels_lost.py written as a data folder with two personas; the note's
counts are plain pandas' (each lost customer's last event), for all customers and for a persona.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jmtools import pipeline
from jmtools.report import funnel_notes
from test_funnels_lost import _events, _plain, _with_newsletter
from test_report_funnel_notes import _shown as shown

JOURNEY = """name: Permits
personas:
  - {name: Firms, rule: "kind == 'company'"}
  - {name: Private, rule: "kind == 'private'"}
stages:
  - name: Apply
  - name: Upload
  - name: Inspection
  - name: Decision
touchpoints:
  - {name: Form, stage: Apply, channel: digital, events: [apply]}
  - {name: Upload, stage: Upload, channel: digital, events: [upload]}
  - {name: Request for documents, stage: Upload, channel: interpersonal, events: [docs_requested], initiated_by: company}
  - {name: Visit, stage: Inspection, channel: physical, events: [inspect]}
  - {name: Letter, stage: Decision, channel: physical, events: [decide]}
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    ev = _events(7)
    root = tmp_path_factory.mktemp("permits")
    ev.to_csv(root / "events.csv", index=False)
    ids = sorted(ev["customer_id"].unique())
    customers = pd.DataFrame({"customer_id": ids, "kind": np.where(np.arange(len(ids)) % 3 == 0, "company",
                                                                    "private")})
    customers.to_csv(root / "customers.csv", index=False)
    (root / "journey.yaml").write_text(JOURNEY, encoding="utf-8")
    return root, ev, customers


def _shown(findings, monkeypatch) -> str:
    return shown(findings, monkeypatch, funnel_notes.show_last_seen)


@pytest.mark.parametrize("persona", ["all", "Firms"])
def test_the_note_says_where_the_lost_were_last_seen_as_plain_pandas(folder, monkeypatch, persona):
    root, ev, customers = folder
    f = pipeline.run(root, persona=persona)
    assert f.biggest_loss["from"] == "Upload" and f.biggest_loss["to"] == "Inspection"
    mine = ev if persona == "all" else ev[ev["customer_id"].isin(customers.loc[customers["kind"] == "company",
                                                                             "customer_id"])]
    want = _plain(mine)
    want = want[want["step"] == "Inspection"].sort_values("n", ascending=False)
    lost = int(want["n"].sum())
    assert lost == f.biggest_loss["drop_off"]
    top, sent = want.iloc[0], int(want["n_then"].sum())
    text = _shown(f, monkeypatch)
    assert f"**Where the {lost:,} customers lost between Upload and Inspection were last seen acting**" in text
    assert f"{top['n']:,} ({top['n'] / lost:.1%}) at *Upload* (Upload)" in text and top["touchpoint"] == "Upload"
    assert (f"After it, the company contacted {sent:,} of them ({sent / lost:.1%}) with no step of theirs since, "
            f"first most often with *Request for documents* (Upload) ({int(want['then_contacts'].sum()):,} contacts "
            "in all).") in text
    assert "look at what it asks of customers" in text        # the request followed the step: the hint stays


def test_a_broadcast_that_goes_on_after_the_last_step_gets_no_hint(tmp_path, monkeypatch):
    """The B2B tester's M2 (D258): a monthly mail, placed with the first stage's entry points, followed
    nearly every lost customer's last step; the note named it where they were last seen and sent the
    analyst to "what it asks of customers". It is said as what followed, without the hint."""
    ev = _with_newsletter(_events(7))
    ev.to_csv(tmp_path / "events.csv", index=False)
    (tmp_path / "journey.yaml").write_text(JOURNEY.replace("stages:", "stages:", 1).replace(
        "  - {name: Upload, stage: Upload", "  - {name: Newsletter, stage: Apply, channel: digital, events: "
        "[newsletter], initiated_by: company}\n  - {name: Upload, stage: Upload"), encoding="utf-8")
    ev = ev[ev["event"] != "docs_requested"]                   # no request: only the broadcast follows
    ev.to_csv(tmp_path / "events.csv", index=False)
    f = pipeline.run(tmp_path)
    want = _plain(ev)
    want = want[want["step"] == f.biggest_loss["to"]].sort_values("n", ascending=False)
    lost, sent = int(want["n"].sum()), int(want["n_then"].sum())
    text = _shown(f, monkeypatch)
    assert sent > lost / 2 and f"the company contacted {sent:,} of them" in text
    assert "first most often with *Newsletter* (Apply)" in text and f"({int(want['then_contacts'].sum()):,} contacts" in text
    assert f"at *{want.iloc[0]['touchpoint']}*" in text and "at *Newsletter*" not in text
    assert "look at what it asks of customers" not in text


def test_no_note_for_a_funnel_of_the_users_own_steps(folder, monkeypatch):
    root, _, _ = folder
    f = pipeline.run(root, funnel_steps=["Form", "Visit"])
    assert _shown(f, monkeypatch) == ""
