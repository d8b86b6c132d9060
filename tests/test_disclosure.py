"""Pseudonymised customer ids and suppressed small groups."""

import hashlib
import hmac

import numpy as np
import pandas as pd
import pytest

from jmtools.analyses.disclosure import MIN_GROUP, pseudonymise, suppress_small_groups, suppression_note
from jmtools.core.errors import ParameterError


def test_pseudonyms_are_keyed_stable_and_match_hmac():
    ids = pd.Series(["C1", "C2", "C1", None], index=[3, 4, 5, 6], name="customer_id")
    out = pseudonymise(ids, key="k")
    assert out.index.tolist() == [3, 4, 5, 6] and out.name == "customer_id"
    assert out.iloc[0] == out.iloc[2] != out.iloc[1] and pd.isna(out.iloc[3])
    oracle = "C-" + hmac.new(b"k", b"C1", hashlib.sha256).hexdigest()[:10]
    assert out.iloc[0] == oracle
    assert pseudonymise("C1", key="other") != oracle                 # another key, another name
    assert pseudonymise(["C1"])[0] == pseudonymise(["C1"])[0]        # one process key
    assert not any("C1" in p for p in pseudonymise([f"C1{i}" for i in range(50)], key="k"))
    assert ids.iloc[0] == "C1"                                        # input unchanged
    with pytest.raises(ParameterError):
        pseudonymise(["a"], key="")
    with pytest.raises(ParameterError):
        pseudonymise(["a"], length=2)


def test_small_groups_suppressed_with_a_note():
    t = pd.DataFrame({"persona": ["A", "B", "C"], "n": [4, 5, 1], "share": [0.1, 0.5, 0.4],
                      "quotes": [["x"], ["y"], ["z"]]})
    before = t.copy()
    out = suppress_small_groups(t)
    assert out["suppressed"].tolist() == [True, False, True]
    assert out["persona"].tolist() == ["A", "B", "C"]                  # labels stay
    assert out["n"].isna().tolist() == [True, False, True]
    assert out.loc[1, "share"] == 0.5 and np.isnan(out.loc[0, "share"])
    assert out.loc[0, "quotes"] is None and out.loc[1, "quotes"] == ["y"]
    assert out.attrs["suppressed"] == 2
    assert out.attrs["note"] == "2 groups with fewer than 5 customers are not shown."
    pd.testing.assert_frame_equal(t, before)
    assert suppress_small_groups(t, min_n=1).attrs["note"] == ""
    assert MIN_GROUP == 5 and suppression_note(1, 10) == "1 group with fewer than 10 customers is not shown."
    with pytest.raises(ParameterError, match="n_col"):
        suppress_small_groups(t, n_col="count")
    with pytest.raises(ParameterError):
        suppress_small_groups(t, min_n=-1)
