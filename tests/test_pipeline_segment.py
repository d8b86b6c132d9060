"""A segment's report on steps its customers never reached (D133); an exit stage (D139).

An outside tester's subscription world: for the customers in Germany on a paid plan nobody
cancelled, and the report read "88.2% reach Cancel" (the share reaching Renew, named after the
journey's last stage) and warned that Cancel "receives no event" although 95 customers cancelled.
"""

from __future__ import annotations

import pandas as pd
import pytest

from jmtools import pipeline
from jmtools.evidence._fit import fit_problems

JOURNEY = """\
jmtools: 1
name: Subscriptions
stages:
  - name: Sign up
  - name: Use
  - name: Renew
  - name: Cancel
touchpoints:
  - {name: Form, stage: Sign up, channel: digital, events: [signed_up]}
  - {name: App, stage: Use, channel: digital, events: [feature_used]}
  - {name: Billing, stage: Renew, channel: digital, events: [renewed]}
  - {name: Account, stage: Cancel, channel: digital, events: [cancelled]}
"""


def _world(folder, *, cancels=True):
    """60 customers: the 20 on the pro plan all sign up, use and renew, and none cancels; of the
    40 on the basic plan, 30 renew and (with ``cancels``) 25 of those cancel."""
    folder.mkdir()
    (folder / "journey.yaml").write_text(JOURNEY)
    events, customers = [], []
    for c in range(60):
        cid, pro = f"u{c:03d}", c < 20
        customers.append((cid, "pro" if pro else "basic"))
        t = pd.Timestamp("2026-01-05 09:00") + pd.Timedelta(hours=c)
        events += [(cid, "signed_up", t), (cid, "feature_used", t + pd.Timedelta(hours=2))]
        if pro or c < 50:
            events.append((cid, "renewed", t + pd.Timedelta(days=30)))
            if cancels and not pro and c < 45:
                events.append((cid, "cancelled", t + pd.Timedelta(days=40)))
    pd.DataFrame(events, columns=["customer_id", "event", "timestamp"]).to_csv(folder / "events.csv", index=False)
    pd.DataFrame(customers, columns=["customer_id", "plan"]).to_csv(folder / "customers.csv", index=False)
    return folder


@pytest.fixture(params=["no cache", "cache"])
def cached(request, tmp_path, monkeypatch):
    """Without the evidence cache, and with it (the evidence stored, then read back)."""
    if request.param == "cache":
        monkeypatch.setenv("JMTOOLS_EVIDENCE_CACHE", str(tmp_path / "cache"))
    return request.param


def test_a_step_the_segment_never_reached_is_a_measured_zero_named_as_it_is(tmp_path, cached):
    folder = _world(tmp_path / "subs")
    f = pipeline.run(folder, segment="plan == 'pro'")
    assert f.funnel["step"].tolist() == ["Sign up", "Use", "Renew", "Cancel"]
    assert f.funnel["n"].tolist() == [20, 20, 20, 0]
    reached = f.reached_last
    assert reached["stage"] == "Cancel" and reached["finished"] == 0 and reached["share"] == 0
    fit = fit_problems(f.evidence)
    assert "Cancel" not in set(fit.loc[fit["kind"].str.startswith("empty"), "subject"])   # no "receives no event"
    again = pipeline.run(folder, segment="plan == 'pro'")                # from the cache, when on
    assert again.funnel["n"].tolist() == [20, 20, 20, 0] and again.reached_last["stage"] == "Cancel"
    everyone = pipeline.run(folder)
    assert everyone.reached_last["stage"] == "Cancel" and everyone.reached_last["finished"] == 25


def test_the_last_stage_named_is_the_funnels_last_step(tmp_path, cached):
    """Nobody in the data cancels: Cancel is left out of the funnel (its 0 would be the journey
    file's, not the customers'), and the figure is named after the step it counts."""
    folder = _world(tmp_path / "subs", cancels=False)
    for segment in ("", "plan == 'pro'"):
        f = pipeline.run(folder, segment=segment)
        assert f.funnel["step"].tolist()[-1] == "Renew"
        assert f.reached_last["stage"] == "Renew"
        fit = fit_problems(f.evidence)
        assert "Cancel" in set(fit.loc[fit["kind"] == "empty stage", "subject"])   # the journey file's 0, said


def test_an_exit_stage_is_counted_as_leaving_not_as_a_step_of_the_funnel(tmp_path):
    """D139: with Cancel marked ``exit: true``, the funnel ends at Renew, the biggest loss is no
    longer "Renew → Cancel" (customers who stayed), and the report says how many left."""
    folder = _world(tmp_path / "subs")
    hint = fit_problems(pipeline.run(folder).evidence)                   # unmarked: a hint to mark it
    assert hint.loc[hint["kind"] == "exit stage?", "subject"].tolist() == ["Cancel"]
    journey = (folder / "journey.yaml").read_text().replace("  - name: Cancel\n", "  - name: Cancel\n    exit: true\n")
    (folder / "journey.yaml").write_text(journey)
    f = pipeline.run(folder)
    assert f.funnel["step"].tolist() == ["Sign up", "Use", "Renew"]
    assert f.reached_last["stage"] == "Renew" and f.reached_last["finished"] == 50
    assert (f.biggest_loss["from"], f.biggest_loss["to"]) == ("Use", "Renew")     # was Renew → Cancel, 50%
    assert [(r["stage"], r["n"], r["of"]) for r in f.left] == [("Cancel", 25, 60)]
    assert "Cancel" not in set(fit_problems(f.evidence)["subject"])     # marked: no hint, no "no event"
    pro = pipeline.run(folder, segment="plan == 'pro'")
    assert [(r["stage"], r["n"], r["of"]) for r in pro.left] == [("Cancel", 0, 20)]   # a measured 0
    drops = f.signals[f.signals["signal"] == "drop-off"]
    assert set(drops["stage"]) == {"Sign up", "Use"}                      # no drop-off at Renew: they stayed
