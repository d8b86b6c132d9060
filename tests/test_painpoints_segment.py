"""A segment's waits beside everyone outside it (jmtools.analyses.painpoints.segment, D217).

An outside tester's hospital world planted one slow segment (Dermatology GP referrals waited about 95
days for a first appointment, 32 elsewhere); the segment's report said nothing of it: its slow-step
comparisons were between the personas inside the segment only. Here a planted world: the customers of
clinic "Derm" referred by a GP wait a median of 90 days from booking to their first appointment, the
others 30; the segment's report names that step, with the numbers plain pandas gives, and a segment
drawn at random (nothing planted) stays silent. D228: a segment that loses more customers at a step, or
feels worse there, than the customers outside it is a pain point too, by the same rule, with n and an
interval; one that loses and feels alike stays silent, on the planted world and on the e-commerce sample.
"""

from __future__ import annotations

import shutil

import numpy as np
import pandas as pd
import pytest

from jmtools import pipeline
from jmtools.analyses.painpoints import OUTSIDE, compare_signals, slow_step_signal
from jmtools.core.resources import resolve_data_dir

from segment_cases import (SEGMENT, clinic_world as _world, pandas_csat, pandas_geomean as _pandas_geomean,
                           pandas_lost)

@pytest.fixture(params=["no cache", "cache"])
def cached(request, tmp_path, monkeypatch):
    """Without the run's caches, and with them (the outside signal stored, then read back)."""
    if request.param == "cache":
        monkeypatch.setenv("JMTOOLS_EVIDENCE_CACHE", str(tmp_path / "cache"))
    return request.param


def _outside_rows(found, signal="slow step"):
    ev = found.pain_points.evidence
    return ev[(ev["versus"] == OUTSIDE) & (ev["signal"] == signal)].set_index("stage")


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
        everything = found.pain_points.evidence
        assert not everything.loc[everything["versus"] == OUTSIDE, "flagged"].any()


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


def _z_rates(c1, n1, c2, n2):
    """The two-proportion z of a drop-off comparison, pooled, by hand."""
    p = (c1 + c2) / (n1 + n2)
    return (c1 / n1 - c2 / n2) / np.sqrt(p * (1 - p) * (1 / n1 + 1 / n2))


def test_a_planted_segment_drop_off_is_a_pain_point_with_n_and_an_interval(tmp_path, cached):
    """30% of the segment's patients never come after booking, 5% of everyone else's (D228)."""
    folder = _world(tmp_path / "clinic", slow=False, drop=0.25)
    truth = pandas_lost(folder)
    for _ in range(2):                                    # the second run reads the caches, when on
        prepared = pipeline.prepare_world(folder, segment=SEGMENT)
        found = pipeline.run(prepared)
        mine, rest = (s[(s["signal"] == "drop-off") & (s["stage"] == "Booking") & (s["persona"] == "all")].iloc[0]
                      for s in (found.pain_points.signals, prepared.outside))
        assert (mine["n_all"], mine["count_all"]) == truth[True]       # reached Booking, never came
        assert (rest["n_all"], rest["count_all"]) == truth[False]
        row = _outside_rows(found, "drop-off").loc["Booking"]
        assert row["flagged"] and row["counts"] and row["persona"] == "all"
        assert (row["n"], row["baseline_n"]) == (mine["n"], rest["n"])
        assert row["value"] == pytest.approx(mine["count"] / mine["n"])
        assert row["baseline"] == pytest.approx(rest["count"] / rest["n"])
        assert abs(row["value"] - 0.30) < 0.08 and abs(row["baseline"] - 0.05) < 0.03      # the planted rates
        z = _z_rates(mine["count"], mine["n"], rest["count"], rest["n"])
        assert row["z"] == pytest.approx(z)
        diff = row["value"] - row["baseline"]
        low, high = diff - 1.96 * diff / z, diff + 1.96 * diff / z
        top = found.pain_points.table.iloc[0]
        assert top["stage"] == "Booking" and "drop-off" in top["signals"]
        assert (f"vs {row['baseline']:.0%} customers outside the segment (n={int(rest['n']):,}): "
                f"{diff * 100:.1f} points more (95% interval {low * 100:.1f}–{high * 100:.1f})") in top["evidence"]
        assert not _outside_rows(found, "drop-off").drop(index="Booking")["flagged"].any()


def test_a_segment_losing_customers_as_everyone_else_does_stays_silent(tmp_path):
    folder = _world(tmp_path / "clinic", slow=False, drop=0.0)
    for segment in (SEGMENT, 'lottery == "win"'):
        rows = _outside_rows(pipeline.run(folder, segment=segment), "drop-off")
        assert len(rows) and (rows["value"] > 0).any() and not rows["flagged"].any()


@pytest.mark.parametrize("feel", [True, False])
def test_a_segment_feeling_worse_is_a_pain_point_and_one_feeling_alike_is_not(tmp_path, feel):
    """The segment's CSAT at the visit drawn low (mostly 1–3) or as everyone else's (D228)."""
    folder = _world(tmp_path / "clinic", slow=False, feel=feel)
    truth = pandas_csat(folder)
    found = pipeline.run(folder, segment=SEGMENT)
    ev = found.pain_points.evidence
    rows = ev[(ev["versus"] == OUTSIDE) & (ev["signal"] == "negative valence")]
    assert set(zip(rows["stage"], rows["touchpoint"])) == {("Visit", None), ("Visit", "Attended")}
    for row in rows.itertuples():
        assert (row.n, row.baseline_n) == (truth[True][1], truth[False][1])
        assert row.value == pytest.approx(truth[True][0]) and row.baseline == pytest.approx(truth[False][0])
        assert row.flagged == feel
    pains = found.pain_points.table
    said = pains["evidence"].str.contains(OUTSIDE)
    assert said.any() == feel
    if feel:
        diff = truth[False][0] - truth[True][0]
        assert set(pains.loc[said, "stage"]) == {"Visit"}         # the stage, and its one touchpoint
        for text in pains.loc[said, "evidence"]:
            assert f"vs {truth[False][0]:+.2f} customers outside the segment (n={truth[False][1]:,} answers): " \
                   f"{diff:.2f} lower (95% interval " in text


@pytest.mark.parametrize("seed", [0, 1])
def test_a_random_segment_of_the_ecommerce_sample_says_nothing_new(tmp_path, seed):
    """A coin drawn apart from everything (30% heads): no comparison with the customers outside it
    is flagged (D228 checked ten seeds; two here)."""
    folder = tmp_path / "eco"
    shutil.copytree(resolve_data_dir("sample:ecommerce"), folder)
    customers = pd.read_csv(folder / "customers.csv")
    coin = np.random.default_rng(seed).choice(["heads", "tails"], len(customers), p=[0.3, 0.7])
    customers.assign(coin=coin).to_csv(folder / "customers.csv", index=False)
    ev = pipeline.run(folder, segment='coin == "heads"').pain_points.evidence
    rows = ev[ev["versus"] == OUTSIDE]
    assert {"slow step", "drop-off", "negative valence"} <= set(rows["signal"])
    assert not rows["flagged"].any()
