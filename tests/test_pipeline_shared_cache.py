"""Prepare once, report many: the persona-independent results (valence evidence, signals, themes)
kept beside the evidence — read back exactly, missed when any table or the journey changes."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from jmtools import pipeline
from jmtools.pipeline import _shared_cache
from jmtools.pipeline._cache import EvidenceCacheWarning


@pytest.fixture()
def world(ecommerce_copy):
    """A copy of the e-commerce sample world that a test may change (conftest)."""
    return ecommerce_copy


def _entries(cache):
    return sorted(p.name for p in cache.iterdir() if p.name.startswith(_shared_cache._PREFIX))


def _assert_same(a, b):
    """Exactly the same persona-independent results (values, types, attrs)."""
    for x, y in ((a.emotion_evidence, b.emotion_evidence), (a.signals, b.signals)):
        pd.testing.assert_frame_equal(x, y, check_exact=True)
        assert repr(x.attrs) == repr(y.attrs)
    for part in ("summary", "documents", "counts", "quotes"):
        pd.testing.assert_frame_equal(getattr(a.themes, part), getattr(b.themes, part), check_exact=True)
    assert list(a.themes.accounting) == list(b.themes.accounting)
    assert repr(a.themes.accounting) == repr(b.themes.accounting)


def test_a_second_preparation_reads_the_results_instead_of_computing_them(world, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    first = pipeline.prepare_world(world, cache_dir=cache)
    assert len(_entries(cache)) == 1
    calls = []
    real = pipeline._chain.painpoints.collect_signals
    monkeypatch.setattr(pipeline._chain.painpoints, "collect_signals",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    second = pipeline.prepare_world(world, cache_dir=cache)
    assert calls == []                                   # read, not computed
    _assert_same(first, second)
    _assert_same(pipeline.prepare_world(world), second)  # as computed without any cache
    assert len(calls) == 1
    a = pipeline.run(first, persona="Budget Ben")
    b = pipeline.run(second, persona="Budget Ben")
    pd.testing.assert_frame_equal(a.pain_points.table, b.pain_points.table, check_exact=True)
    pd.testing.assert_frame_equal(a.themes_focus.summary, b.themes_focus.summary, check_exact=True)


def test_every_personas_curve_and_kpis_are_read_and_serve_any_min_n(world, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    pipeline.prepare_world(world, cache_dir=cache)
    calls = []
    for module, name in ((pipeline._chain.emotions, "emotion_curve"), (pipeline._chain.kpis, "stage_kpis")):
        real = getattr(module, name)
        monkeypatch.setattr(module, name, lambda *a, _real=real, **k: calls.append(1) or _real(*a, **k))
    warm = pipeline.prepare_world(world, cache_dir=cache)
    assert calls == []                                   # read, not computed
    monkeypatch.undo()
    cold = pipeline.prepare_world(world)                 # no cache
    for persona in ("all", "Budget Ben"):
        for min_n in (1, 30, 500):
            a, b = pipeline.run(warm, persona=persona, min_n=min_n), pipeline.run(cold, persona=persona, min_n=min_n)
            for x, y in ((a.curve, b.curve), (a.kpis, b.kpis)):
                pd.testing.assert_frame_equal(x, y, check_exact=True)
                assert repr(x.attrs) == repr(y.attrs)
            # min_n only flags: the points are the curve computed directly at that min_n
            direct = pipeline._chain.emotions.emotion_curve(cold.emotion_evidence, journey=cold.world.journey,
                                                            min_n=min_n)
            shown = a.curve[~a.curve["suppressed"]]
            expected = direct.merge(shown[["persona", "stage"]], on=["persona", "stage"])
            assert len(expected) == len(shown) > 0
            assert a.curve.attrs["min_n"] == min_n
            for column in ("low_evidence", "valence", "n", "ci_low", "ci_high"):
                np.testing.assert_array_equal(shown[column].to_numpy(), expected[column].to_numpy())
            assert (shown["low_evidence"] == (shown["n"] < min_n)).all()


def test_a_changed_feedback_file_journey_or_option_misses(world, tmp_path):
    cache = tmp_path / "cache"
    pipeline.prepare_world(world, cache_dir=cache)
    feedback = pd.read_csv(world / "feedback.csv")
    feedback.iloc[:-5].to_csv(world / "feedback.csv", index=False)      # not an event or customer file
    fewer = pipeline.prepare_world(world, cache_dir=cache)
    assert len(_entries(cache)) == 2
    assert fewer.themes.accounting["rows_in"] == len(feedback) - 5
    pipeline.prepare_world(world, cache_dir=cache, n_themes=6)
    assert len(_entries(cache)) == 3
    text = (world / "journey.yaml").read_text()
    (world / "journey.yaml").write_text(text.replace("name: Running shoes online",
                                                     "name: Running shoes on the web", 1))
    pipeline.prepare_world(world, cache_dir=cache)                     # the whole journey counts
    assert len(_entries(cache)) == 4


def test_results_that_do_not_read_back_exactly_are_not_kept(world, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    real = pipeline._chain.painpoints.collect_signals

    def with_tuples(*a, **k):       # a tuple comes back from JSON as a list: not exact
        s = real(*a, **k)
        return s.assign(extra=[(1, 2)] * len(s))

    monkeypatch.setattr(pipeline._chain.painpoints, "collect_signals", with_tuples)
    prepared = pipeline.prepare_world(world, cache_dir=cache)
    assert _entries(cache) == [] and prepared.signals["extra"].iloc[0] == (1, 2)


def test_a_damaged_entry_is_recomputed_with_a_warning(world, tmp_path):
    cache = tmp_path / "cache"
    good = pipeline.prepare_world(world, cache_dir=cache)
    entry = cache / _entries(cache)[0]
    (entry / "signals.parquet").write_bytes(b"not parquet at all")
    with pytest.warns(EvidenceCacheWarning, match="cannot be read"):
        again = pipeline.prepare_world(world, cache_dir=cache)
    _assert_same(good, again)
    with warnings.catch_warnings():
        warnings.simplefilter("error", EvidenceCacheWarning)
        _assert_same(good, pipeline.prepare_world(world, cache_dir=cache))


# ------------------------------------------------------- a world shaped unlike the samples
REPAIR_JOURNEY = """\
jmtools: 1
name: Home repairs
personas:
  - name: Landlord Lea
    rule: "properties >= 3"
  - name: Tenant Tom
    rest: true
stages:
  - name: Request
  - name: Visit
  - name: Invoice
touchpoints:
  - {name: Call, stage: Request, channel: interpersonal, events: [call]}
  - {name: Reminder, stage: Request, channel: digital, events: [reminder], initiated_by: company}
  - {name: First visit, stage: Visit, channel: physical, events: [visit], occurrence: first}
  - {name: Return visit, stage: Visit, channel: physical, events: [visit], occurrence: repeat}
  - {name: Invoice, stage: Invoice, channel: digital, events: [invoice_sent, paid]}
"""
_COMPLAINTS = ["the technician came late again", "the invoice was wrong and far too high",
               "nobody called back about the leak", "the repair did not hold and the tap drips",
               "I waited all day at home and nobody came", "the boiler broke again after the visit"]
_PRAISE = ["a friendly technician fixed it quickly", "a clear invoice with a fair price",
           "they called back within the hour", "the heating works perfectly now",
           "the plumber cleaned up after the job"]
_OPENERS = ["Honestly,", "Last week", "This time", "As usual", "Sadly", "Good news:", "Well,", ""]
_ENDINGS = ["", " Please sort this out.", " Thanks.", " Not what I expected.", " Would book again.",
            " My neighbour had the same.", " The bathroom is fine now.", " Kitchen sink, second floor."]


def repair_world(folder):
    """Repairs that repeat: customers go Request → Visit → Invoice and round again (a stage
    reached again, a touchpoint by occurrence), invoices recorded by date only (midnight)
    while calls and visits carry times, surveys and rated feedback at every stage."""
    import numpy as np

    rng = np.random.default_rng(7)
    folder.mkdir()
    (folder / "journey.yaml").write_text(REPAIR_JOURNEY)
    events, surveys, feedback, customers = [], [], [], []
    for c in range(300):
        cid = f"H{c:04d}"
        landlord = c % 3 == 0
        customers.append((cid, int(rng.integers(3, 9)) if landlord else 1))
        t = pd.Timestamp("2026-03-02 08:00") + pd.Timedelta(hours=int(rng.integers(0, 400)))
        for _ in range(int(rng.integers(1, 4))):                    # one to three rounds
            if rng.random() < 0.3:
                events.append((cid, t - pd.Timedelta(hours=5), "reminder"))
            events.append((cid, t, "call"))
            if rng.random() < 0.2:                                  # drops off after the call
                break
            t = t + pd.Timedelta(hours=int(rng.integers(2, 72)))
            for _ in range(int(rng.integers(1, 3))):                # a return visit sometimes
                events.append((cid, t, "visit"))
                surveys.append((cid, t + pd.Timedelta(hours=1), "Visit", "csat",
                                int(rng.integers(1, 6) if not landlord else rng.integers(3, 6))))
                t = t + pd.Timedelta(hours=int(rng.integers(1, 30)))
            events.append((cid, t.normalize(), "invoice_sent"))     # a date, no time
            if rng.random() < 0.7:
                events.append((cid, t + pd.Timedelta(days=int(rng.integers(0, 9))), "paid"))
            bad = rng.random() < (0.3 if landlord else 0.6)
            text = (f"{rng.choice(_OPENERS)} {rng.choice(_COMPLAINTS if bad else _PRAISE)}."
                    f"{rng.choice(_ENDINGS)}").strip()
            feedback.append((f"F{len(feedback):05d}", cid, t + pd.Timedelta(days=1), text,
                             str(rng.choice(["Visit", "Invoice", "Request"])),
                             int(rng.integers(1, 3) if bad else rng.integers(4, 6))))
            t = t + pd.Timedelta(days=int(rng.integers(10, 60)))
    pd.DataFrame(events, columns=["customer_id", "timestamp", "event"]).to_csv(folder / "events.csv", index=False)
    pd.DataFrame(customers, columns=["customer_id", "properties"]).to_csv(folder / "customers.csv", index=False)
    pd.DataFrame(surveys, columns=["customer_id", "timestamp", "stage", "metric", "score"]).to_csv(
        folder / "surveys.csv", index=False)
    pd.DataFrame(feedback, columns=["feedback_id", "customer_id", "timestamp", "text", "stage", "rating"]).to_csv(
        folder / "feedback.csv", index=False)
    return folder


def test_a_world_with_repeated_stages_and_dated_events_reads_back_what_is_computed_without_cache(
        tmp_path, monkeypatch):
    from jmtools.analyses.funnels import funnel, time_between_stages, transitions
    from jmtools.sources import DeferredTable

    world = repair_world(tmp_path / "repairs")
    cache = tmp_path / "cache"
    first = pipeline.prepare_world(world, cache_dir=cache)
    assert first.evidence.date_only["event"].tolist() == ["invoice_sent"]           # the shape asked for
    assert {"First visit", "Return visit"} <= set(first.evidence.mapping["touchpoint"].dropna())
    assert len(_entries(cache)) == 1                                                # kept: exact
    calls = []
    real = pipeline._chain.painpoints.collect_signals
    monkeypatch.setattr(pipeline._chain.painpoints, "collect_signals",
                        lambda *a, **k: calls.append(1) or real(*a, **k))
    cached = pipeline.prepare_world(world, cache_dir=cache)
    assert calls == [] and not cached.world.tables["events"].loaded                # all read back
    monkeypatch.undo()
    alone = pipeline.prepare_world(world)                    # the independent computation
    assert not isinstance(alone.world.tables["events"], DeferredTable)                # read and validated
    _assert_same(alone, cached)
    for question in (funnel, time_between_stages, transitions):
        pd.testing.assert_frame_equal(question(alone.evidence), question(cached.evidence), check_exact=True)
    pd.testing.assert_frame_equal(alone.evidence.to_pandas(), cached.evidence.to_pandas(), check_exact=True)
    for persona in ("Landlord Lea", "Tenant Tom", "all"):
        a, b = pipeline.run(alone, persona=persona), pipeline.run(cached, persona=persona)
        pd.testing.assert_frame_equal(a.pain_points.table, b.pain_points.table, check_exact=True)
        pd.testing.assert_frame_equal(a.curve, b.curve, check_exact=True)
        pd.testing.assert_frame_equal(a.funnel, b.funnel, check_exact=True)
        pd.testing.assert_frame_equal(a.accounting, b.accounting, check_exact=True)
    # the comparison can fail: a cached signal changed on disk is told apart from the computed one
    entry = cache / _entries(cache)[0]
    signals = pd.read_parquet(entry / "signals.parquet")
    numeric = signals.select_dtypes("number").columns[0]
    signals.loc[0, numeric] = signals.loc[0, numeric] + 1
    signals.to_parquet(entry / "signals.parquet")
    with pytest.raises(AssertionError):
        _assert_same(alone, pipeline.prepare_world(world, cache_dir=cache))
