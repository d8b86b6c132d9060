"""The known-id set is keyed once per run, not once per text (issue 19: a 1M-event world's
report spent 23 CPU-s re-keying 80,000 customer ids for each of 3,629 quotes)."""

import pandas as pd

from jmtools.analyses import _account_ids
from jmtools.analyses.privacy import mask_quotes


def test_a_keyed_set_is_not_keyed_again():
    keyed = _account_ids.id_set([f"C{i:07d}" for i in range(1000)] + ["12"])
    assert _account_ids.id_set(keyed) is keyed
    assert keyed == frozenset(f"c{i:07d}" for i in range(1000))      # case folded, "12" too plain


def test_masking_many_quotes_keys_each_id_once(monkeypatch):
    calls = []
    real = _account_ids._id_key
    monkeypatch.setattr(_account_ids, "_id_key", lambda v: calls.append(v) or real(v))
    _account_ids._keyed.cache_clear()
    ids = frozenset(f"ACC-{i:05d}" for i in range(500))
    quotes = pd.Series([f"re ACC-{i:05d}: charged twice ({i})" for i in range(300)])
    masked = mask_quotes(quotes, ids=ids)
    assert masked.str.startswith("re [customer id]:").all()
    assert len(calls) == len(ids)          # each id keyed once, whatever the number of quotes
