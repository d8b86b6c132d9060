"""Prepare once, report many — the small tables (customers, surveys, feedback, orders, tickets)
with the accounting of their load, kept beside the evidence: read back exactly, without reading a
table file, and loaded again when a file or how it is loaded changes."""

from __future__ import annotations

import os
import pickle
import subprocess
import sys
import warnings

import pandas as pd
import pytest

from jmtools import pipeline
from jmtools.pipeline import _tables_cache
from jmtools.pipeline._cache import CACHE_ENV, EvidenceCacheWarning
from jmtools.sources import SPECS, load_world


@pytest.fixture()
def world(ecommerce_copy):
    """The e-commerce sample world with rows each small table's load rejects (a duplicate
    customer, a CSAT of 9, a feedback text without id) and survey answers "Don't know" (no
    data, D213): the accounting has reasons and rows with no data to keep."""
    folder = ecommerce_copy
    for name, bad in (("customers.csv", lambda t: t.iloc[:1]),
                      ("surveys.csv", lambda t: t[t["metric"].str.lower() == "csat"].iloc[:3].assign(
                          score=["9", "9", "Don't know"])),
                      ("feedback.csv", lambda t: t.iloc[:1].assign(feedback_id=None))):
        table = pd.read_csv(folder / name)
        pd.concat([table, bad(table)], ignore_index=True).to_csv(folder / name, index=False)
    return folder


def _entries(cache):
    return sorted(p.name for p in cache.iterdir() if p.name.startswith(_tables_cache._PREFIX))


#: One preparation in a fresh interpreter (as in a report's kernel): the frames the run uses,
#: each table's accounting, and which table files were read, pickled to argv[2].
_PREPARE = """
import pickle, sys
from jmtools import pipeline
p = pipeline.prepare_world(sys.argv[1])
accounting = {k: (vars(t.accounting).copy(), t.accounting.reasons) for k, t in p.world.tables.items()}
read = sorted(k for k, t in p.world.tables.items() if getattr(t, "loaded", True))
pickle.dump((p.tables, accounting, read, p.world.accounting_table()), open(sys.argv[2], "wb"))
"""


def _prepare(world, out, cache):
    env = {k: v for k, v in os.environ.items() if k != CACHE_ENV}
    if cache is not None:
        env[CACHE_ENV] = str(cache)
    subprocess.run([sys.executable, "-c", _PREPARE, str(world), str(out)], env=env, check=True)
    return pickle.loads(out.read_bytes())


def _assert_same(a, b):
    """The same frames, accounting (reasons exactly) and accounting table."""
    (tables_a, acc_a, _, shown_a), (tables_b, acc_b, _, shown_b) = a, b
    assert list(tables_a) == list(tables_b) and list(acc_a) == list(acc_b)
    for kind in tables_a:
        pd.testing.assert_frame_equal(tables_a[kind], tables_b[kind], check_exact=True)
        assert repr(tables_a[kind].attrs) == repr(tables_b[kind].attrs)
    for kind in acc_a:
        (fields_a, reasons_a), (fields_b, reasons_b) = acc_a[kind], acc_b[kind]
        pd.testing.assert_frame_equal(reasons_a, reasons_b, check_exact=True)
        frames = [k for k, v in fields_a.items() if isinstance(v, pd.DataFrame)]   # reasons, skipped
        for k in frames:
            pd.testing.assert_frame_equal(fields_a[k], fields_b[k], check_exact=True)
        assert {k: v for k, v in fields_a.items() if k not in frames} == \
            {k: v for k, v in fields_b.items() if k not in frames}
    pd.testing.assert_frame_equal(shown_a, shown_b, check_exact=True)


def test_a_second_run_reads_no_table_file_and_equals_a_run_without_cache(world, tmp_path):
    cache = tmp_path / "cache"
    cold = _prepare(world, tmp_path / "cold.pkl", cache)
    assert len(_entries(cache)) == 1
    warm = _prepare(world, tmp_path / "warm.pkl", cache)
    alone = _prepare(world, tmp_path / "none.pkl", None)
    assert cold[2] == sorted(SPECS) and alone[2] == sorted(SPECS)   # every file read
    assert warm[2] == []                                            # none read: all from the cache
    assert warm[1]["surveys"][0]["rows_rejected"] == 2 and warm[1]["customers"][0]["rows_rejected"] == 1
    assert warm[1]["surveys"][0]["rows_skipped"] == 1                # "Don't know": no data, kept by the cache
    _assert_same(warm, alone)
    _assert_same(cold, alone)


def test_a_changed_table_file_is_loaded_again(world, tmp_path):
    cache = tmp_path / "cache"
    before = _prepare(world, tmp_path / "before.pkl", cache)
    surveys = pd.read_csv(world / "surveys.csv")
    surveys.iloc[30:].to_csv(world / "surveys.csv", index=False)
    changed = _prepare(world, tmp_path / "changed.pkl", cache)
    assert "surveys" in changed[2] and len(_entries(cache)) == 2
    assert len(changed[0]["surveys"]) == len(before[0]["surveys"]) - 30
    _assert_same(changed, _prepare(world, tmp_path / "none.pkl", None))
    customers = (world / "customers.csv").read_text(encoding="utf-8")
    (world / "customers.csv").write_text(customers.replace(",North,", ",South,", 3), encoding="utf-8")
    again = _prepare(world, tmp_path / "again.pkl", cache)
    assert again[2] == sorted(SPECS) and len(_entries(cache)) == 3
    _assert_same(again, _prepare(world, tmp_path / "none2.pkl", None))
    with pytest.raises(AssertionError):
        _assert_same(again, changed)


def test_the_key_follows_loader_options_and_needs_every_table_deferred(world):
    plain = load_world(world, defer=tuple(SPECS))
    other = load_world(world, defer=tuple(SPECS), options={"surveys": {"scales": {"csat": (1, 10)}}})
    assert _tables_cache.tables_key(plain) != _tables_cache.tables_key(other)
    assert _tables_cache.tables_key(load_world(world, defer=("events",))) is None
    assert _tables_cache.cached_tables(None, plain) == "off"


def test_tables_that_do_not_read_back_exactly_are_not_kept(world, tmp_path, monkeypatch):
    cache = tmp_path / "cache"
    monkeypatch.setattr(_tables_cache, "same", lambda a, b: False)
    assert _tables_cache.cached_tables(cache, load_world(world, defer=tuple(SPECS))) == "miss"
    assert _entries(cache) == []


def test_a_damaged_entry_is_loaded_again_with_a_warning(world, tmp_path):
    cache = tmp_path / "cache"
    first = pipeline.prepare_world(world, cache_dir=cache)
    (cache / _entries(cache)[0] / "surveys.parquet").write_bytes(b"not parquet at all")
    with pytest.warns(EvidenceCacheWarning, match="cached tables .* cannot be read"):
        again = pipeline.prepare_world(world, cache_dir=cache)
    with warnings.catch_warnings():
        warnings.simplefilter("error", EvidenceCacheWarning)
        third = pipeline.prepare_world(world, cache_dir=cache)
    assert not third.world.tables["surveys"].loaded
    for p in (again, third):
        for kind, frame in first.tables.items():
            pd.testing.assert_frame_equal(frame, p.tables[kind], check_exact=True)


def test_a_cache_folder_that_cannot_be_written_is_said_and_the_run_goes_on(world, tmp_path):
    """A file where the cache folder should be (as a read-only folder or a full disk would): the
    run prepared its tables, evidence and results uncached, and each cache says it once. It
    raised FileExistsError from the tables cache and stopped the report."""
    blocked = tmp_path / "cache"
    blocked.write_text("not a folder")
    with pytest.warns(EvidenceCacheWarning, match="cache folder cannot be written") as seen:
        prepared = pipeline.prepare_world(world, cache_dir=blocked)
    said = [str(w.message) for w in seen if issubclass(w.category, EvidenceCacheWarning)]
    assert said and all("this run is not cached" in text for text in said), said
    plain = pipeline.prepare_world(world)
    for kind, frame in plain.tables.items():
        pd.testing.assert_frame_equal(frame, prepared.tables[kind], check_exact=True)


def test_a_full_disk_is_said_not_dropped_silently(world, tmp_path, monkeypatch):
    """Writing a table's Parquet fails (no space left): nothing half-written stays, a warning says
    the run is not cached, and the tables are those loaded."""
    import errno

    def full(frame, path):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(_tables_cache, "put_frame", full)
    cache = tmp_path / "cache"
    w = load_world(world, defer=tuple(SPECS))
    with pytest.warns(EvidenceCacheWarning, match="No space left on device"):
        assert _tables_cache.cached_tables(cache, w) == "miss"
    assert list(cache.iterdir()) == [] and w.tables["surveys"].loaded


def test_a_second_worker_writing_the_same_entry_keeps_the_first_quietly(world, tmp_path):
    """Two workers of a batch miss at once and both write: the later rename fails, its copy is
    removed, no warning (nothing is lost), and the entry is whole."""
    cache = tmp_path / "cache"
    first, second = (load_world(world, defer=tuple(SPECS)) for _ in range(2))
    loaded = {k: (first.tables[k].to_pandas(), first.tables[k].accounting) for k in _tables_cache._kinds(first)}
    entry = cache / f"{_tables_cache._PREFIX}{_tables_cache.tables_key(first)}"
    _tables_cache._write(entry, loaded)
    with warnings.catch_warnings():
        warnings.simplefilter("error", EvidenceCacheWarning)
        _tables_cache._write(entry, loaded)                        # the slower worker
        assert _tables_cache.cached_tables(cache, second) == "hit"
    assert [p.name for p in cache.iterdir()] == [entry.name]


def test_a_miss_converts_each_table_once_and_hands_out_copies(world, tmp_path, monkeypatch):
    """The frames a miss keeps are the run's own: no table is converted to pandas again, and
    each use gets its own copy (a change to one is not seen by the next)."""
    from jmtools.sources._accounting import LoadedTable

    converted, convert = [], LoadedTable.to_pandas
    monkeypatch.setattr(LoadedTable, "to_pandas", lambda self: converted.append(self.kind) or convert(self))
    w = load_world(world, defer=tuple(SPECS))
    assert _tables_cache.cached_tables(tmp_path / "cache", w) == "miss"
    p = pipeline.prepare_world(w, cache_dir=tmp_path / "cache")
    assert sorted(converted) == sorted(k for k in SPECS if k != "events")
    first = w.tables["customers"].to_pandas()
    first.loc[0, "region"] = "changed"
    pd.testing.assert_frame_equal(w.tables["customers"].to_pandas(), p.tables["customers"], check_exact=True)
