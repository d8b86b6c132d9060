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
from permit_world import permit_events

JOURNEY = """name: Permits
stages:
  - name: Apply
  - name: Upload
  - name: Decision
touchpoints:
  - {name: Portal, stage: Apply, channel: digital, events: [apply]}
  - {name: Documents, stage: Upload, channel: digital, events: [upload]}
  - {name: Letter, stage: Decision, channel: physical, events: [decide]}
"""


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    ev = permit_events(seed=3, n=1500)
    root = tmp_path_factory.mktemp("permits")
    ev.to_csv(root / "events.csv", index=False)
    (root / "journey.yaml").write_text(JOURNEY, encoding="utf-8")
    return root, ev


def _shown(findings, monkeypatch) -> str:
    parts = []
    monkeypatch.setattr(funnel_notes.kit, "display", lambda *objs: parts.extend(getattr(o, "data", str(o))
                                                                                for o in objs))
    funnel_notes.show_still_open(findings)
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
