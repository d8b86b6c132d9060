"""Prepare once, report many: the persona-independent results (valence evidence, signals, themes)
kept beside the evidence — read back exactly, missed when any table or the journey changes."""

from __future__ import annotations

import warnings

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
