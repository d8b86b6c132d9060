"""A segment's waits beside everyone outside it (jmtools.analyses.painpoints.segment, D217).

An outside tester's hospital world planted one slow segment (Dermatology GP referrals waited about 95
days for a first appointment, 32 elsewhere); the segment's report said nothing of it: its slow-step
comparisons were between the personas inside the segment only. Here a planted world: the customers of
clinic "Derm" referred by a GP wait a median of 90 days from booking to their first appointment, the
others 30; the segment's report names that step, with the numbers plain pandas gives, and a segment
drawn at random (nothing planted) stays silent.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jmtools import pipeline
from jmtools.analyses.painpoints import OUTSIDE, compare_signals, slow_step_signal

from segment_cases import SEGMENT, clinic_world as _world, pandas_geomean as _pandas_geomean

@pytest.fixture(params=["no cache", "cache"])
def cached(request, tmp_path, monkeypatch):
    """Without the run's caches, and with them (the outside signal stored, then read back)."""
    if request.param == "cache":
        monkeypatch.setenv("JMTOOLS_EVIDENCE_CACHE", str(tmp_path / "cache"))
    return request.param


def _outside_rows(found):
    ev = found.pain_points.evidence
    return ev[ev["versus"] == OUTSIDE].set_index("stage")


def test_a_planted_slow_segment_step_is_a_pain_point_with_the_numbers_pandas_gives(tmp_path, cached):
    folder = _world(tmp_path / "clinic", slow=True)
    for _ in range(2):                                    # the second run reads the caches, when on
        found = pipeline.run(folder, segment=SEGMENT)
        rows = _outside_rows(found)
        assert set(rows.index) == {"Referral", "Booking"}   # the wait counted at the stage waited in
        booking = rows.loc["Booking"]
        inside, n_in = _pandas_geomean(folder, inside=True)
        outside, n_out = _pandas_geomean(folder, inside=False)
        assert (booking["n"], booking["baseline_n"]) == (n_in, n_out)
        assert booking["value"] == pytest.approx(inside, rel=1e-6)
        assert booking["baseline"] == pytest.approx(outside, rel=1e-6)
        assert booking["flagged"] and booking["counts"] and booking["persona"] == "all"
        assert not rows.loc["Referral", "flagged"]         # referral → booking drawn alike: silent
        top = found.pain_points.table.iloc[0]
        assert top["stage"] == "Booking" and "slow step" in top["signals"]
        ratio = inside / outside
        assert f"vs {outside / 24:,.1f} days customers outside the segment (n={n_out:,}): {ratio:.1f} times as long" \
            in top["evidence"]
        assert "(95% interval " in top["evidence"]


def test_a_segment_with_nothing_planted_stays_silent(tmp_path, cached):
    folder = _world(tmp_path / "clinic", slow=False)
    for segment in (SEGMENT, 'lottery == "win"'):
        found = pipeline.run(folder, segment=segment)
        rows = _outside_rows(found)
        assert len(rows) == 2 and not rows["flagged"].any()
        assert not found.pain_points.table["evidence"].str.contains(OUTSIDE).any()


def test_a_persona_report_inside_the_segment_keeps_its_own_comparisons(tmp_path):
    """The segment beside the rest is the segment's report's (persona "all"): a persona's report
    inside it still compares the persona with the segment's other personas, and nothing more."""
    folder = _world(tmp_path / "clinic", slow=True)
    prepared = pipeline.prepare_world(folder, segment=SEGMENT)
    found = pipeline.run(prepared, persona="Older")
    assert not found.pain_points.table["evidence"].str.contains(OUTSIDE).any()
    plain = pipeline.run(folder, segment=SEGMENT, persona="Older")
    pd.testing.assert_frame_equal(found.pain_points.table, plain.pain_points.table)
    assert not (plain.pain_points.table["stage"] == "Booking").any()   # same waits for every persona there


def test_without_a_segment_nothing_is_compared_with_an_outside(tmp_path):
    found = pipeline.run(_world(tmp_path / "clinic", slow=True))
    assert not (found.pain_points.evidence["versus"] == OUTSIDE).any()


def _times(n, mean, sd, persona=None):
    frame = pd.DataFrame({"from_step": ["Booking"], "step": ["Visit"], "n": [n], "median_h": [1.0],
                          "p90_h": [2.0], "mean_log_h": [mean], "sd_log": [sd]})
    return frame if persona is None else frame.assign(persona=persona)


def test_only_the_segments_all_row_is_compared_with_the_outside():
    inside = slow_step_signal(pd.concat([_times(40, 7.5, 0.3, "A"), _times(40, 7.5, 0.3, "B")]))
    out = slow_step_signal(_times(400, 6.4, 0.3), persona_col=None)
    c = compare_signals(inside, outside=out)
    rows = c[c["versus"] == OUTSIDE]
    assert rows["persona"].tolist() == ["all"] and bool(rows["flagged"].iloc[0])
    assert rows["baseline"].iloc[0] == pytest.approx(np.exp(6.4)) and rows["baseline_n"].iloc[0] == 400
    # the segment's 80 pooled: sd 0.3·√(78/79); d = 1.1 / pooled sd; Welch's z = 1.1 / se
    sa = 0.3 * np.sqrt(78 / 79)
    assert rows["effect"].iloc[0] == pytest.approx(1.1 / np.sqrt((79 * sa**2 + 399 * 0.09) / 478))
    assert rows["z"].iloc[0] == pytest.approx(1.1 / np.sqrt(sa**2 / 80 + 0.09 / 400))
    # the outside is nobody's persona: the other-persona comparisons are the segment's alone
    personas = c[c["versus"] == "other personas"]
    assert set(personas["persona"]) == {"A", "B"} and (personas["baseline_n"] == 40).all()
    assert c.equals(compare_signals(inside, outside=out)) and len(compare_signals(inside)) == len(c) - 1
