"""jmtools.pipeline._answers_cache: a second run on unchanged data reads the funnel answers the
first kept beside the evidence, and gets the same frames as a run without cache."""

from __future__ import annotations

import os
import subprocess
import sys

import pandas as pd
import pytest

from jmtools.pipeline import _answers_cache
from jmtools.pipeline._cache import CACHE_ENV

#: A run in a fresh interpreter (as in a report's kernel); with "no-query" the funnel chain's
#: queries raise, so only kept answers can be read. The funnels and the time between stages
#: are pickled to argv[3].
_RUN = """
import pickle, sys
from jmtools import pipeline
from jmtools.analyses import funnels
from jmtools.analyses.funnels import _common, steps
if sys.argv[2] == "no-query":
    def refuse(*a, **k):
        raise RuntimeError("queried")
    steps._reach = refuse
    _common._table = refuse
f = pipeline.run(sys.argv[1], persona="Budget Ben")
between = funnels.time_between_stages(f.evidence, by="persona")
pickle.dump((f.funnel, f.funnel_all, between), open(sys.argv[3], "wb"))
"""


def _run(world, mode, out, cache):
    env = {k: v for k, v in os.environ.items() if k != CACHE_ENV}
    if cache is not None:
        env[CACHE_ENV] = str(cache)
    done = subprocess.run([sys.executable, "-c", _RUN, str(world), mode, str(out)], env=env,
                          capture_output=True, text=True)
    return done.returncode, done.stderr, (pd.read_pickle(out) if done.returncode == 0 else None)


def test_a_second_run_queries_no_funnel_and_equals_a_run_without_cache(ecommerce_copy, tmp_path):
    cache = tmp_path / "cache"
    code, err, first = _run(ecommerce_copy, "query", tmp_path / "a.pkl", cache)
    assert code == 0, err
    assert len(list(cache.glob(f"{_answers_cache.PREFIX}*/*/answer.parquet"))) >= 3
    code, err, again = _run(ecommerce_copy, "no-query", tmp_path / "b.pkl", cache)
    assert code == 0, err
    code, err, plain = _run(ecommerce_copy, "query", tmp_path / "c.pkl", None)
    assert code == 0, err
    for a, b, c in zip(first, again, plain):
        pd.testing.assert_frame_equal(b, c, check_exact=True)
        pd.testing.assert_frame_equal(a, c, check_exact=True)
        assert repr(b.attrs) == repr(c.attrs)
    assert _run(ecommerce_copy, "no-query", tmp_path / "d.pkl", None)[0] == 1   # no cache: queried


def test_changed_evidence_reads_other_answers(ecommerce_copy, tmp_path):
    cache = tmp_path / "cache"
    assert _run(ecommerce_copy, "query", tmp_path / "a.pkl", cache)[0] == 0
    events = ecommerce_copy / "events.parquet"
    pd.read_parquet(events).iloc[:-1].to_parquet(events)          # one event less: other evidence
    code, err, _ = _run(ecommerce_copy, "no-query", tmp_path / "b.pkl", cache)
    assert code == 1 and "queried" in err                          # the old answers are not read


def test_an_answer_that_does_not_read_back_exactly_is_not_kept(tmp_path):
    kept = _answers_cache.KeptAnswers(tmp_path / "answers-x")
    mixed = pd.DataFrame({"step": ["a", 1], "n": [1, 2]})       # Parquet cannot hold it as given
    shifted = pd.DataFrame({"n": [1, 2]}, index=[3, 4])          # an index Parquet would not keep
    kept[("chain", ("a",), "stage", ())] = mixed
    kept[("groups", ("persona",))] = shifted
    kept[("other",)] = shifted                                   # not a funnel answer: process only
    again = _answers_cache.KeptAnswers(tmp_path / "answers-x")
    assert not any(k in again for k in (("chain", ("a",), "stage", ()), ("groups", ("persona",)), ("other",)))
    assert kept[("groups", ("persona",))] is shifted
    with pytest.raises(KeyError):
        again[("groups", ("persona",))]


def test_an_evidence_keeps_every_answer_however_many_a_batch_asks_for(tmp_path):
    """The answers of one evidence are not pruned to the cache's eight entries per kind: a batch's
    personas ask for a chain, contact counts and touchpoint counts each, and a pruned answer was
    computed again by every later report (the evidence table attached again)."""
    from jmtools.pipeline._cache import MAX_ENTRIES

    kept = _answers_cache.KeptAnswers(tmp_path / "answers-x")
    keys = [("chain", (f"step{i}",), "stage", ("persona",)) for i in range(3 * MAX_ENTRIES)]
    for i, key in enumerate(keys):
        kept[key] = pd.DataFrame({"step_index": [1], "n": [i]})
    again = _answers_cache.KeptAnswers(tmp_path / "answers-x")      # another process
    assert [int(again[k]["n"].iloc[0]) for k in keys] == list(range(len(keys)))
