"""Prepare once, report many: the evidence cache of jmtools.pipeline (hit, misses, damage)."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import pandas as pd
import pytest

from jmtools import pipeline
from jmtools.analyses.funnels import funnel, time_between_stages, transitions
from jmtools.pipeline._cache import CACHE_ENV, EvidenceCacheWarning


@pytest.fixture()
def world(ecommerce_copy):
    """A copy of the e-commerce sample world that a test may change (conftest)."""
    return ecommerce_copy


def _answers(evidence):
    return (funnel(evidence), time_between_stages(evidence), transitions(evidence),
            funnel(evidence, by="persona"), evidence.mapping, evidence.persona_sizes, evidence.coverage,
            evidence.unmatched, evidence.to_pandas())


def _same(a, b):
    for x, y in zip(_answers(a), _answers(b)):
        pd.testing.assert_frame_equal(x, y, check_dtype=False)
    assert (a.n_events, a.n_customers, a.stages, a.touchpoints, a.personas) == \
        (b.n_events, b.n_customers, b.stages, b.touchpoints, b.personas)


def test_a_second_run_on_unchanged_data_reads_the_cache(world, tmp_path):
    cache = tmp_path / "cache"
    first, status1 = pipeline.prepare_evidence(world, cache_dir=cache)
    second, status2 = pipeline.prepare_evidence(world, cache_dir=cache)
    assert (status1, status2) == ("miss", "hit")
    assert len([p for p in cache.iterdir() if not p.name.startswith((".", "tables-"))]) == 1  # and the small tables
    _same(first, second)
    _same(pipeline.prepare_evidence(world)[0], second)        # as computed without any cache


def test_a_changed_event_file_misses(world, tmp_path):
    cache = tmp_path / "cache"
    pipeline.prepare_evidence(world, cache_dir=cache)
    events = pd.read_parquet(world / "events.parquet")
    events.iloc[:-1].to_parquet(world / "events.parquet", index=False)
    changed, status = pipeline.prepare_evidence(world, cache_dir=cache)
    assert status == "miss"
    assert changed.n_events == len(events) - 1
    assert pipeline.prepare_evidence(world, cache_dir=cache)[1] == "hit"


def test_a_changed_journey_mapping_misses_but_a_new_title_does_not(world, tmp_path):
    cache = tmp_path / "cache"
    pipeline.prepare_evidence(world, cache_dir=cache)
    text = (world / "journey.yaml").read_text()
    renamed = text.replace("name: Running shoes online", "name: Running shoes on the web", 1)
    assert renamed != text
    (world / "journey.yaml").write_text(renamed)
    assert pipeline.prepare_evidence(world, cache_dir=cache)[1] == "hit"
    moved = renamed.replace("events: [reviews_view]", "events: [reviews_view, compare_view]", 1)
    assert moved != renamed
    (world / "journey.yaml").write_text(moved)
    evidence, status = pipeline.prepare_evidence(world, cache_dir=cache)
    assert status == "miss"
    assert evidence.mapping.set_index("event").loc["compare_view", "touchpoint"] == "Reviews"


def test_a_damaged_cache_entry_is_recomputed_with_a_warning(world, tmp_path):
    cache = tmp_path / "cache"
    good, _ = pipeline.prepare_evidence(world, cache_dir=cache)
    entry = next(p for p in cache.iterdir() if not p.name.startswith((".", "tables-")))
    (entry / "core.duckdb").write_bytes(b"not a database at all")
    with pytest.warns(EvidenceCacheWarning, match="cannot be read"):
        again, status = pipeline.prepare_evidence(world, cache_dir=cache)
    assert status == "miss"
    _same(good, again)
    with warnings.catch_warnings():
        warnings.simplefilter("error", EvidenceCacheWarning)
        assert pipeline.prepare_evidence(world, cache_dir=cache)[1] == "hit"


def test_a_truncated_database_file_is_found_when_the_entry_is_read(world, tmp_path):
    """The table is attached only when a question needs it; a cut-short file is caught before."""
    cache = tmp_path / "cache"
    good, _ = pipeline.prepare_evidence(world, cache_dir=cache)
    entry = next(p for p in cache.iterdir() if not p.name.startswith((".", "tables-", "answers-")))
    data = (entry / "core.duckdb").read_bytes()
    (entry / "core.duckdb").write_bytes(data[: len(data) // 2])
    with pytest.warns(EvidenceCacheWarning, match=r"core.duckdb is not the database written \("):
        again, status = pipeline.prepare_evidence(world, cache_dir=cache)
    assert status == "miss"
    _same(good, again)


def test_a_read_entry_is_attached_on_first_use_even_if_pruned_meanwhile(world, tmp_path):
    """Read from the cache, the evidence opens its table on the first question that needs it;
    another worker may have pruned the entry by then (the file is held open since the read)."""
    import shutil

    from jmtools.evidence import _disk

    cache = tmp_path / "cache"
    computed, _ = pipeline.prepare_evidence(world, cache_dir=cache)
    cached, status = pipeline.prepare_evidence(world, cache_dir=cache)
    assert status == "hit"
    assert cached.__dict__["_events"] is _disk._UNOPENED and cached.__dict__["_core"] is _disk._UNOPENED
    assert cached.columns == computed.columns                  # known without attaching
    assert cached.__dict__["_events"] is _disk._UNOPENED
    entry = next(p for p in cache.iterdir() if not p.name.startswith((".", "tables-", "answers-")))
    shutil.rmtree(entry)
    steps = ["Consideration", "Post-purchase"]
    pd.testing.assert_frame_equal(funnel(cached, steps=steps, by="persona"),
                                  funnel(computed, steps=steps, by="persona"))
    assert cached.narrow is cached.core and cached.columns == list(cached.events.columns)
    _same(computed, cached)


def test_prepare_world_reads_the_folder_named_by_the_environment(world, tmp_path, monkeypatch):
    cache = tmp_path / "env-cache"
    monkeypatch.setenv(CACHE_ENV, str(cache))
    assert pipeline.prepare_evidence(world)[1] == "miss"
    run = pipeline.run(world, persona="all")
    assert run.funnel["n"].tolist() == funnel(pipeline.prepare_evidence(world)[0])["n"].tolist()
    monkeypatch.delenv(CACHE_ENV)
    assert pipeline.prepare_evidence(world)[1] == "off"


def test_a_hit_does_not_read_the_event_file_and_keeps_its_accounting(world, tmp_path):
    events = pd.read_parquet(world / "events.parquet")
    bad = events.iloc[:3].assign(customer_id=None)             # three rows the load rejects
    pd.concat([events, bad], ignore_index=True).to_parquet(world / "events.parquet", index=False)
    cache = tmp_path / "cache"
    first = pipeline.prepare_world(world, cache_dir=cache)
    second = pipeline.prepare_world(world, cache_dir=cache)
    loaded, deferred = first.world.tables["events"], second.world.tables["events"]
    assert loaded.loaded and not deferred.loaded
    a, b = loaded.accounting, deferred.accounting
    assert (b.rows_read, b.rows_used, b.rows_rejected) == (len(events) + 3, len(events), 3)
    assert (a.source, a.rows_read, a.rows_used, a.rows_rejected, a.notes) == \
        (b.source, b.rows_read, b.rows_used, b.rows_rejected, b.notes)
    pd.testing.assert_frame_equal(a.reasons.astype(str), b.reasons.astype(str))
    assert b.reasons["n"].tolist() == [3] and list(b.reasons["lines"].iloc[0]) == [
        len(events) + 1, len(events) + 2, len(events) + 3]
    pd.testing.assert_frame_equal(first.world.accounting, second.world.accounting)
    assert not deferred.loaded
    _same(first.evidence, second.evidence)
    assert not deferred.loaded                                  # every answer came from the cache


def test_the_left_out_event_columns_are_read_back_when_asked(world, tmp_path):
    cache = tmp_path / "cache"
    computed = pipeline.prepare_evidence(world)[0]
    pipeline.prepare_evidence(world, cache_dir=cache)
    cached, status = pipeline.prepare_evidence(world, cache_dir=cache)
    assert status == "hit"
    for evidence in (computed, cached):
        assert evidence.event_columns == ["session_id", "channel", "value"]
        assert not set(evidence.event_columns) & set(evidence.core.columns)
    oracle = pd.read_parquet(world / "events.parquet")           # the file itself, in file order
    full = computed.with_event_columns().to_pandas()
    assert len(full) == len(oracle)
    back = cached.with_event_columns("channel", "value").to_pandas()
    pd.testing.assert_frame_equal(back, full.drop(columns="session_id"), check_dtype=False)
    by_row = computed.with_event_columns().events.order_by("_row").to_pandas()
    pd.testing.assert_frame_equal(by_row[["customer_id", "event", "session_id", "channel", "value"]]
                                  .reset_index(drop=True),
                                  oracle[["customer_id", "event", "session_id", "channel", "value"]],
                                  check_dtype=False)
    with pytest.raises(Exception, match="columns"):
        cached.with_event_columns("chanel")


def test_results_of_other_code_with_the_same_version_are_not_read(world, tmp_path, monkeypatch):
    """A checkout or editable install keeps its version number while its code changes: a report had
    read complaint themes computed by another branch's calibration (same version 0.1.0)."""
    from jmtools.pipeline import _cache, _shared_cache
    from jmtools.sources import load_world

    code = tmp_path / "code"
    (code / "sub").mkdir(parents=True)
    (code / "a.py").write_text("x = 1\n")
    (code / "sub" / "b.py").write_text("y = 2\n")
    before = _cache.code_digest.__wrapped__(code)
    (code / "sub" / "b.py").write_text("y = 3\n")
    assert _cache.code_digest.__wrapped__(code) != before
    w = load_world(world)
    keys = (_cache.evidence_key(w, w.journey), _shared_cache.shared_key(w, w.journey, "", {"n_themes": 10}))
    for module in (_cache, _shared_cache):
        monkeypatch.setattr(module, "code_digest", lambda: "other code")
    other = (_cache.evidence_key(w, w.journey), _shared_cache.shared_key(w, w.journey, "", {"n_themes": 10}))
    assert None not in keys and keys[0] != other[0] and keys[1] != other[1]


#: A report's run in a fresh interpreter (as in a kernel): the code cells of the report notebook
#: (argv[3]) for the persona argv[4], its result frames pickled to argv[2], and which of the model libraries
#: (scikit-learn, SciPy) and the query engine (Ibis, DuckDB) it imported printed.
_REPORT_RUN = """
import json, pickle, sys
import pandas
cells = [c for c in json.load(open(sys.argv[3], encoding="utf-8"))["cells"] if c["cell_type"] == "code"]
space = {}
for cell in cells:
    exec("".join(cell["source"]), space)
    if "parameters" in cell["metadata"].get("tags", []):
        space.update(data_dir=sys.argv[1], persona=sys.argv[4])
f = space["f"]
frames = (f.funnel, f.curve, f.kpis, f.signals, f.emotion_evidence, f.pain_points.table,
          f.themes_focus and f.themes_focus.summary, f.backlog, f.contact_only, pandas.DataFrame(f.optional))
pickle.dump(frames, open(sys.argv[2], "wb"))
print(sorted(m for m in ("sklearn", "scipy", "ibis", "duckdb") if m in sys.modules))
"""


def _report_run(world, out, cache, persona="Budget Ben"):
    import os
    import subprocess
    import sys

    env = {k: v for k, v in os.environ.items() if k != CACHE_ENV}
    if cache is not None:
        env[CACHE_ENV] = str(cache)
    notebook = Path(__file__).resolve().parents[1] / "notebooks" / "00_journey_report.ipynb"
    done = subprocess.run([sys.executable, "-c", _REPORT_RUN, str(world), str(out), str(notebook), persona],
                          env=env, capture_output=True, text=True, check=True, cwd=out.parent)
    return done.stdout.strip().splitlines()[-1]


def _assert_same_frames(a, b):
    import pickle

    for x, y in zip(pickle.loads(a.read_bytes()), pickle.loads(b.read_bytes()), strict=True):
        if x is None or y is None:                 # no themes without feedback, no company contacts
            assert x is None and y is None
            continue
        pd.testing.assert_frame_equal(x, y, check_exact=True)
        assert repr(x.attrs) == repr(y.attrs)


_FITTED = "['duckdb', 'ibis', 'scipy', 'sklearn']"


def test_a_second_report_on_unchanged_data_fits_nothing_and_a_change_refits(world, tmp_path):
    """What ``jmtools report`` gives its kernel: a second report reads every persona-independent
    result (no model library imported, and no query engine: its evidence table is never
    attached), equal to a run without any cache; a changed feedback file or journey is computed
    again, equal to a run without cache on the changed data."""
    cache = tmp_path / "cache"
    assert _report_run(world, tmp_path / "cold.pkl", cache) == _FITTED
    assert _report_run(world, tmp_path / "warm.pkl", cache) == "[]"
    _report_run(world, tmp_path / "none.pkl", None)
    _assert_same_frames(tmp_path / "warm.pkl", tmp_path / "none.pkl")

    feedback = world / "feedback.csv"
    lines = feedback.read_text(encoding="utf-8").splitlines(keepends=True)
    feedback.write_text("".join(lines[:-40]), encoding="utf-8")         # 40 texts fewer
    assert _report_run(world, tmp_path / "changed.pkl", cache) == _FITTED
    _report_run(world, tmp_path / "changed-none.pkl", None)
    _assert_same_frames(tmp_path / "changed.pkl", tmp_path / "changed-none.pkl")
    with pytest.raises(AssertionError):
        _assert_same_frames(tmp_path / "changed.pkl", tmp_path / "none.pkl")

    journey = world / "journey.yaml"
    text = journey.read_text(encoding="utf-8")
    journey.write_text(text.replace('rule: "age < 30 and price', 'rule: "age < 35 and price'), encoding="utf-8")
    assert _report_run(world, tmp_path / "journey.pkl", cache) == _FITTED
    _report_run(world, tmp_path / "journey-none.pkl", None)
    _assert_same_frames(tmp_path / "journey.pkl", tmp_path / "journey-none.pkl")
    with pytest.raises(AssertionError):
        _assert_same_frames(tmp_path / "journey.pkl", tmp_path / "changed.pkl")


@pytest.mark.parametrize("persona", ["all", "Deal Hunter Dev"])
def test_a_second_report_with_optional_stages_company_contacts_and_repeat_rounds_attaches_nothing(
        tmp_path, persona):
    """The grocery world with an optional stage: its report counts the optional stage (D150), the
    customers counted only through a newsletter or a push (D149) and the customers ordering again
    (the repeat-round caveat); a second report reads each of them beside the cached evidence
    (D152), with what a run without cache gives."""
    import shutil

    world = tmp_path / "grocery"
    shutil.copytree(Path(__file__).resolve().parents[1] / "data" / "grocery", world)
    journey = world / "journey.yaml"
    text = journey.read_text(encoding="utf-8")
    assert "  - name: Restock\n" in text
    journey.write_text(text.replace("  - name: Restock\n", "  - name: Restock\n    optional: true\n"),
                       encoding="utf-8")
    cache = tmp_path / "cache"
    assert _report_run(world, tmp_path / "cold.pkl", cache, persona) == "['duckdb', 'ibis']"
    assert _report_run(world, tmp_path / "warm.pkl", cache, persona) == "[]"
    _report_run(world, tmp_path / "none.pkl", None, persona)
    _assert_same_frames(tmp_path / "warm.pkl", tmp_path / "none.pkl")
    kinds = {json.loads((p / "meta.json").read_text())["key"][0]
             for p in next(cache.glob("answers-*")).iterdir() if (p / "meta.json").exists()}
    assert {"contacts", "chain", "groups"} <= kinds
    assert ("reached" in kinds) == (persona == "all") or "customers" in kinds


@pytest.mark.parametrize("persona", ["all", "Firm"])
def test_a_second_report_with_open_cases_attaches_nothing(tmp_path, persona):
    """A permit export cut off mid-process: the funnel's "may still go on" note, a persona's too
    (D199), is read beside the cached evidence by a second report, with what a run without cache gives."""
    from permit_world import permit_events, permit_folder

    world = tmp_path / "permits"
    world.mkdir()
    permit_folder(world, permit_events(seed=3, n=600))
    assert "open" in _warm_report_kinds(world, tmp_path, persona)


@pytest.mark.parametrize("persona", ["all", "Large"])
def test_a_second_report_with_an_exit_stage_attaches_nothing(tmp_path, persona):
    """A subscription log with an exit stage: what came before leaving (D211) is read beside the cached
    evidence by a second report, which imports neither Ibis nor DuckDB, with what a run without cache gives."""
    from churn_world import churn_events, write_folder

    world = tmp_path / "churn"
    world.mkdir()
    write_folder(world, churn_events(seed=5, n=500))
    assert "before_leaving" in _warm_report_kinds(world, tmp_path, persona)


def _warm_report_kinds(world, tmp_path, persona) -> set:
    """A cold report on ``world`` queries, a second one imports neither Ibis nor DuckDB and gives what a
    run without cache gives; the kinds of the answers kept beside the cached evidence."""
    cache = tmp_path / "cache"
    assert "ibis" in _report_run(world, tmp_path / "cold.pkl", cache, persona)
    assert _report_run(world, tmp_path / "warm.pkl", cache, persona) == "[]"
    _report_run(world, tmp_path / "none.pkl", None, persona)
    _assert_same_frames(tmp_path / "warm.pkl", tmp_path / "none.pkl")
    return {json.loads((p / "meta.json").read_text())["key"][0]
            for p in next(cache.glob("answers-*")).iterdir() if (p / "meta.json").exists()}


#: One run of ``argv[1]`` in a fresh interpreter, as a batch worker or a report's kernel runs it.
_ALL_RUN = """
import sys
from jmtools import pipeline
pipeline.run(sys.argv[1], persona="all")
"""


def _entry_times(cache):
    return {p.name: p.stat().st_mtime_ns for p in cache.iterdir() if not p.name.startswith(".")}


def test_a_folder_serving_three_worlds_keeps_every_worlds_entries(tmp_path):
    """Each world leaves an evidence entry, an ``answers-``, a ``tables-`` and a ``shared-`` entry,
    and a report's kernel a ``vega-`` entry: thirteen with three worlds. Pruned to the eight written
    last together,
    the first world's entries went, and its next run was not warm."""
    import os
    import subprocess
    import sys

    from conftest import DATA, WORLDS

    folders = [DATA / name for name in WORLDS]
    if not all((f / "journey.yaml").exists() for f in folders):
        pytest.skip("sample worlds not generated (jmtools sample-data)")
    cache = tmp_path / "cache"
    env = {**os.environ, CACHE_ENV: str(cache)}

    def run(folder):
        subprocess.run([sys.executable, "-c", _ALL_RUN, str(folder)], env=env, check=True,
                       capture_output=True)

    run(folders[0])
    first = _entry_times(cache)
    assert sorted(n.split("-")[0] for n in first if "-" in n) == ["answers", "shared", "tables"]
    assert len(first) == 4
    (cache / "vega-0123").mkdir()                      # the compiled charts of the first report
    (cache / "vega-0123" / "spec.json").write_text("{}")
    for folder in folders[1:]:
        run(folder)
    kept = _entry_times(cache)
    assert len(kept) == 3 * 4 + 1
    assert all(kept.get(name) == t for name, t in first.items())   # the first world's entries, untouched
    run(folders[0])
    assert _entry_times(cache) == kept                 # warm: every entry read, none written again


def test_rows_written_as_dates_are_placed_the_same_from_the_cache(world, tmp_path):
    """D140: the event file's rows written with the date alone are marked when loaded and placed
    like a date-only kind's events; a cached evidence keeps their count (Evidence.date_only) and
    their order, and the mark is no event column to read back."""
    events = pd.read_parquet(world / "events.parquet")
    text = events["timestamp"].dt.strftime("%Y-%m-%d %H:%M:%S")
    alone = events.index % 50 == 7
    events.assign(timestamp=text.where(~alone, events["timestamp"].dt.strftime("%Y-%m-%d"))).to_csv(
        world / "events.csv", index=False)
    (world / "events.parquet").unlink()
    cache = tmp_path / "cache"
    computed = pipeline.prepare_evidence(world)[0]
    first, status1 = pipeline.prepare_evidence(world, cache_dir=cache)
    second, status2 = pipeline.prepare_evidence(world, cache_dir=cache)
    assert (status1, status2) == ("miss", "hit")
    assert int(computed.date_only["n_dated"].sum()) == int(alone.sum())
    pd.testing.assert_frame_equal(second.date_only, computed.date_only)
    _same(computed, second)
    assert "_dated" not in second.event_columns and "_dated" not in second.core.columns
