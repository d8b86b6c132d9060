"""jmtools.render._vega_cache: a report's kernel reads the Vega an earlier report compiled for the
same chart, and compiles (and keeps) anything else; live notebooks keep nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from jmtools.core.cachedir import CACHE_ENV
from jmtools.pipeline._cache import EvidenceCacheWarning
from jmtools.render import _vega_cache
from jmtools.render.offline import vega_lite_version

ROOT = Path(__file__).resolve().parents[1]

#: Shows two charts in a fresh interpreter (the compile cache of a process starts empty); with
#: "no-engine" vl-convert's compiler raises, so only kept specs can be shown.
_SHOW = """
import json, sys
import altair as alt, vl_convert
from jmtools.render.notebook import vega_mimebundle
if sys.argv[1] == "no-engine":
    def refuse(*a, **k):
        raise RuntimeError("vl-convert started")
    vl_convert.vegalite_to_vega = refuse
charts = [alt.Chart(alt.Data(values=[{"a": 1, "b": "x"}]), title="One").mark_bar().encode(x="a:Q", y="b:N"),
          alt.Chart(alt.Data(values=[{"a": 2}]), title="Two").mark_point().encode(x="a:Q")]
print(json.dumps([vega_mimebundle(c.to_dict()) for c in charts[:int(sys.argv[2])]]))
"""


def _show(env, mode="compile", n=2):
    out = subprocess.run([sys.executable, "-c", _SHOW, mode, str(n)], env=env, capture_output=True,
                         text=True, cwd=ROOT)
    return out.returncode, out.stdout, out.stderr


def _env(cache=None):
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop(CACHE_ENV, None)
    if cache is not None:
        env[CACHE_ENV] = str(cache)
    return env


def _kept(cache: Path) -> list[Path]:
    return sorted(cache.glob(f"{_vega_cache.PREFIX}*/*.json"))


def test_a_second_kernel_reads_the_compiled_charts_and_shows_the_same(tmp_path):
    cache = tmp_path / "evidence"
    code, first, err = _show(_env(cache))
    assert code == 0, err
    assert len(_kept(cache)) == 2
    code, again, err = _show(_env(cache), "no-engine")           # vl-convert never compiles
    assert code == 0, err
    assert again == first
    code, plain, err = _show(_env())                              # without the cache: the same outputs
    assert code == 0, err
    assert plain == first
    assert json.loads(first)[0]["application/vnd.vega.v5+json"]["$schema"].endswith("vega/v5.json")


def test_no_cache_folder_keeps_nothing_and_compiles(tmp_path):
    code, _, err = _show(_env(), "no-engine")
    assert code == 1 and "vl-convert started" in err              # the engine was asked: nothing kept
    assert not list(tmp_path.iterdir())


def test_a_chart_not_kept_or_a_damaged_file_is_compiled_and_rewritten(tmp_path):
    cache = tmp_path / "evidence"
    code, first, err = _show(_env(cache), n=1)
    assert code == 0, err
    assert _show(_env(cache), "no-engine")[0] == 1               # the second chart is not kept
    code, both, err = _show(_env(cache))
    assert code == 0 and both.startswith(first[:-2]), err
    kept = _kept(cache)
    assert len(kept) == 2
    kept[0].write_text("[1, 2", encoding="utf-8")                 # damaged: not a JSON object
    code, again, err = _show(_env(cache))
    assert code == 0 and again == both, err
    assert json.loads(kept[0].read_text(encoding="utf-8"))["$schema"].endswith("vega/v5.json")


def test_an_entry_keeps_the_specs_written_last(tmp_path, monkeypatch):
    monkeypatch.setattr(_vega_cache, "MAX_SPECS", 3)
    entry = tmp_path / "vega-x"
    for i in range(5):
        _vega_cache.keep_compiled(entry, f'{{"n": {i}}}', f'{{"marks": [{i}]}}')
        os.utime(next(p for p in entry.glob("*.json") if str(i) in p.read_text()), (i, i))
    kept = [_vega_cache.read_compiled(entry, f'{{"n": {i}}}') for i in range(5)]
    assert kept == [None, None, '{"marks": [2]}', '{"marks": [3]}', '{"marks": [4]}']
    assert not list(entry.glob(".*"))                             # no temporary file left


def test_the_key_names_the_compiler_and_the_vega_lite_version(monkeypatch, tmp_path):
    import vl_convert

    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    entry = _vega_cache.compiled_entry("6.4")
    assert entry.parent == tmp_path and entry != _vega_cache.compiled_entry("6.1")
    monkeypatch.setattr(vl_convert, "__version__", "0.0.1")
    assert _vega_cache.compiled_entry("6.4") != entry


def test_an_entry_is_listed_once_then_counted_until_it_passes_the_cap(tmp_path, monkeypatch):
    monkeypatch.setattr(_vega_cache, "MAX_SPECS", 3)
    listed, pruned = [], []
    count, prune = _vega_cache._count, _vega_cache._prune
    monkeypatch.setattr(_vega_cache, "_count", lambda e: listed.append(e) or count(e))
    monkeypatch.setattr(_vega_cache, "_prune", lambda e: pruned.append(e) or prune(e))
    entry = tmp_path / "vega-x"
    entry.mkdir()
    (entry / "old.json").write_text("{}", encoding="utf-8")      # another process wrote it
    os.utime(entry / "old.json", (0, 0))
    for i in range(2):
        _vega_cache.keep_compiled(entry, f'{{"n": {i}}}', "{}")
    assert (len(listed), len(pruned)) == (1, 0)                    # listed once, at the first write
    _vega_cache.keep_compiled(entry, '{"n": 2}', "{}")            # 4 files: past the cap
    assert (len(listed), len(pruned)) == (1, 1)
    assert not (entry / "old.json").exists() and len(list(entry.glob("*.json"))) == 3
    _vega_cache.keep_compiled(entry, '{"n": 3}', "{}")
    assert len(pruned) == 2 and len(list(entry.glob("*.json"))) == 3


def test_a_folder_that_cannot_be_written_is_said_once_and_the_chart_still_compiles(tmp_path):
    blocked = tmp_path / "evidence"
    blocked.write_text("a file where the folder should be", encoding="utf-8")
    entry = blocked / "vega-x"
    with pytest.warns(EvidenceCacheWarning, match="the cache folder cannot be written") as seen:
        _vega_cache.keep_compiled(entry, '{"n": 1}', "{}")
        _vega_cache.keep_compiled(entry, '{"n": 2}', "{}")
    assert len([w for w in seen if issubclass(w.category, EvidenceCacheWarning)]) == 1
    code, out, err = _show(_env(blocked))                          # a kernel on that folder shows its charts
    assert code == 0 and "cannot be written" in err, err
    assert len(json.loads(out)) == 2


def _chart(**kw):
    import altair as alt

    from jmtools.charts.theme import validated_whole

    with validated_whole():                                        # as the report's sections build charts
        return alt.Chart(alt.Data(values=[{"a": 1}]), title="Kept", **kw).mark_bar().encode(x="a:Q")


def test_a_kept_chart_is_shown_from_its_compiled_spec_without_validating_again(tmp_path, monkeypatch):
    import altair as alt

    from jmtools.render.notebook import enable, kept_output

    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    _vega_cache.compiled_entry(vega_lite_version()).mkdir()     # an earlier kernel's entry
    assert enable(force=True)
    try:
        chart = _chart()
        assert kept_output(chart) is None                            # not compiled yet: shown as usual
        shown = chart._repr_mimebundle_()                           # validated, compiled, kept
        assert len(_kept(tmp_path)) == 1

        def refuse(*a, **k):
            raise AssertionError("validated again")
        monkeypatch.setattr(alt.utils.schemapi.SchemaBase, "validate", classmethod(refuse))
        assert kept_output(chart) == shown
        assert kept_output(_chart(width=300)) is None               # another spec is not kept
        monkeypatch.delenv(CACHE_ENV)
        assert kept_output(chart) is None                           # a kernel that keeps nothing
    finally:
        alt.renderers.enable("default")


def test_a_chart_that_fails_validation_is_never_kept_and_still_refused(tmp_path, monkeypatch):
    import altair as alt

    from jmtools.render.notebook import enable, kept_output

    monkeypatch.setenv(CACHE_ENV, str(tmp_path))
    _vega_cache.compiled_entry(vega_lite_version()).mkdir()
    assert enable(force=True)
    try:
        bad = _chart(width="wide")
        for _ in range(2):
            with pytest.raises(alt.utils.schemapi.SchemaValidationError):
                bad.to_dict()
            assert bad._repr_mimebundle_() == {}                   # Altair shows the error, no chart
            assert kept_output(bad) is None and not _kept(tmp_path)
    finally:
        alt.renderers.enable("default")


def test_a_kernel_that_starts_without_the_entry_looks_nothing_up(tmp_path, monkeypatch):
    import altair as alt

    from jmtools.render.notebook import enable, kept_output

    monkeypatch.setenv(CACHE_ENV, str(tmp_path / "fresh"))
    assert enable(force=True)
    try:
        chart = _chart(width=123)
        assert kept_output(chart) is None                           # no entry yet
        chart._repr_mimebundle_()                                   # compiled and kept by this kernel
        assert len(_kept(tmp_path / "fresh")) == 1
        assert kept_output(chart) is None                           # its own: not looked up
    finally:
        alt.renderers.enable("default")
