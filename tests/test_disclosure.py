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
    assert out.attrs["note"] == "2 groups with fewer than 5 customers are listed without their numbers."
    pd.testing.assert_frame_equal(t, before)
    assert suppress_small_groups(t, min_n=1).attrs["note"] == ""
    assert MIN_GROUP == 5
    assert suppression_note(1, 10) == "1 group with fewer than 10 customers is listed without its numbers."
    with pytest.raises(ParameterError, match="n_col"):
        suppress_small_groups(t, n_col="count")
    with pytest.raises(ParameterError):
        suppress_small_groups(t, min_n=-1)


# ------------------------------------------------------------------- grids: cell by cell
def _grid(rng, n_rows=6, n_cols=5):
    """A long theme × stage grid of texts with who wrote them, planted small cells."""
    rows = []
    for t in range(1, n_rows + 1):
        for s in range(n_cols):
            who = int(rng.choice([0, 1, 2, 3, 4, 5, 8, 20]))
            rows.append({"theme": t, "stage": f"S{s}", "n_customers": who, "n": who + int(rng.integers(0, 3)) * (who > 0)})
    return pd.DataFrame(rows)


def test_small_cells_hidden_and_no_row_total_gives_them_away():
    from jmtools.analyses.disclosure import suppress_small_cells

    rng = np.random.default_rng(7)
    for _ in range(40):
        grid = _grid(rng)
        grid["n_value"] = grid.groupby("stage")["n"].transform("sum")
        before = grid.copy()
        out = suppress_small_cells(grid, row_col="theme", column_col="stage", column_totals=["n_value"])
        pd.testing.assert_frame_equal(grid, before)                       # input unchanged
        small = (grid["n_customers"] > 0) & (grid["n_customers"] < 5)
        assert (out.loc[small, "suppressed_why"] == "fewer customers").all()
        assert out.loc[out["suppressed"], "n"].isna().all() and out.loc[out["suppressed"], "n_customers"].isna().all()
        shown = out[~out["suppressed"]]
        assert (shown["n"] == grid.loc[shown.index, "n"]).all()           # what is shown is true
        assert not ((shown["n_customers"] > 0) & (shown["n_customers"] < 5)).any()
        # oracle: per row, the row total minus the cells shown is the sum of the hidden
        # cells; it must never describe fewer than 5 customers (unless nothing else could hide)
        for theme, row in grid.groupby("theme"):
            hid = out.loc[row.index, "suppressed"]
            if hid.any():
                visible_nonzero = row.loc[~hid, "n"].gt(0).any()
                assert row.loc[hid, "n_customers"].sum() >= 5 or not visible_nonzero, row
        # a column holding a hidden cell shows no total
        hidden_cols = set(grid.loc[out["suppressed"], "stage"])
        assert out.loc[grid["stage"].isin(hidden_cols), "n_value"].isna().all()
        assert (out.loc[~grid["stage"].isin(hidden_cols), "n_value"] == grid.loc[~grid["stage"].isin(hidden_cols), "n_value"]).all()
        assert out.attrs["suppressed"] == int(out["suppressed"].sum())


def test_empty_cells_stay_zero_and_notes_count_cells():
    from jmtools.analyses.disclosure import cells_note, suppress_small_cells

    grid = pd.DataFrame({"theme": [1, 1, 1, 1, 2, 2], "stage": ["A", "B", "C", "D", "A", "B"],
                         "n": [0, 30, 2, 10, 7, 8], "n_customers": [0, 25, 2, 9, 6, 8]})
    out = suppress_small_cells(grid, row_col="theme", column_col="stage")
    assert out["n"].tolist()[:2] == [0, 30] and out["n"].tolist()[4:] == [7, 8]   # 0 is nobody: shown
    assert out["suppressed_why"].tolist() == ["", "", "fewer customers", "reveals another", "", ""]
    assert out.attrs["note"] == cells_note(1, 1) == ("2 cells are hidden (grey): 1 written by fewer than 5 "
                                                     "customers, 1 more so that totals do not reveal it.")
    assert cells_note(3) == "3 cells are hidden (grey): written by fewer than 5 customers."
    assert suppress_small_cells(grid, row_col="theme", column_col="stage", min_n=0).attrs["note"] == ""


def test_complement_hides_the_smallest_other_cell_until_five_customers():
    from jmtools.analyses.disclosure import suppress_small_cells

    grid = pd.DataFrame({"theme": [1, 1, 1, 1], "stage": list("ABCD"),
                         "n": [1, 2, 9, 40], "n_customers": [1, 1, 9, 40]})
    out = suppress_small_cells(grid, row_col="theme", column_col="stage")
    assert out["suppressed_why"].tolist() == ["fewer customers", "fewer customers", "reveals another", ""]


def test_without_customer_counts_rows_are_counted():
    from jmtools.analyses.disclosure import suppress_small_cells

    grid = pd.DataFrame({"theme": [1, 1], "stage": ["A", "B"], "n": [3, 12]})
    out = suppress_small_cells(grid, row_col="theme", column_col="stage")
    assert out["suppressed"].tolist() == [True, True]                  # 3 texts: fewer customers
    with pytest.raises(ParameterError, match="row_col"):
        suppress_small_cells(grid, row_col="persona", column_col="stage")
    with pytest.raises(ParameterError, match="min_n"):
        suppress_small_cells(grid, row_col="theme", column_col="stage", min_n=True)


def test_hide_small_counts():
    from jmtools.analyses.disclosure import hide_small_counts

    out, n = hide_small_counts([0, 1, 4, 5, None, 761.7])
    assert n == 2 and out.isna().tolist() == [False, True, True, False, True, False]
    assert out[3] == 5 and out[5] == 761.7


def test_customers_behind_counts_customers_where_known():
    from jmtools.analyses.disclosure import customers_behind

    t = pd.DataFrame({"n": [6, 4, 9], "n_customers": [2.0, None, 9.0]})
    assert customers_behind(t).tolist() == [2.0, 4.0, 9.0]          # 6 answers of 2 customers: 2
    assert customers_behind(t.drop(columns="n_customers")).tolist() == [6.0, 4.0, 9.0]
    assert customers_behind(pd.DataFrame({"x": [1]})).tolist() == [float("inf")]


def test_cells_that_may_share_customers_are_protected_by_a_cell_of_five_not_by_a_sum():
    """Row 1: small cells of 3 and 2 customers (maybe the same 3): with ``shared_customers`` the
    smallest other cell of 5+ goes too; summed (cells of different customers) they are enough.
    ``first`` chooses its cell before the smaller ones; a wrong length is a located error."""
    from jmtools.analyses.disclosure import suppress_small_cells

    grid = pd.DataFrame({"theme": [1, 1, 1, 1], "stage": ["A", "B", "C", "D"],
                         "n": [3, 2, 40, 9], "n_customers": [3, 2, 40, 9]})
    summed = suppress_small_cells(grid, row_col="theme", column_col="stage")
    assert summed["suppressed"].tolist() == [True, True, False, False]
    shared = suppress_small_cells(grid, row_col="theme", column_col="stage", shared_customers=True)
    assert shared["suppressed_why"].tolist() == ["fewer customers", "fewer customers", "", "reveals another"]
    one = pd.DataFrame({"theme": [1, 1, 1], "stage": ["A", "B", "C"], "n": [3, 40, 9], "n_customers": [3, 40, 9]})
    ahead = suppress_small_cells(one, row_col="theme", column_col="stage", first=[False, True, False])
    assert ahead["suppressed"].tolist() == [True, True, False]              # 40 first, not the smaller 9
    with pytest.raises(ParameterError, match="first"):
        suppress_small_cells(one, row_col="theme", column_col="stage", first=[True])
