"""What a report may disclose about customers: pseudonymised ids and no small groups.

Reports travel. Two rules keep a reader from pointing at one customer:

- **customer ids are pseudonymised** (:func:`pseudonymise`): a keyed hash (HMAC-SHA-256)
  replaces each id by ``C-`` and ten hexadecimal characters. The same id gives the same
  pseudonym within one report (one key); without the key nobody can go back from the
  pseudonym to the id. Pass the same ``key`` to link pseudonyms across reports, or leave it
  out to get a new random key per Python process;
- **small groups are suppressed** (:func:`suppress_small_groups`): a row of a table that
  counts fewer than ``min_n`` customers (default :data:`MIN_GROUP` = 5) keeps its label but
  loses its numbers and quotes, and the table says how many rows were hidden and why
  (:func:`suppression_note`). A grid (theme × stage, theme × persona) is suppressed cell
  by cell (:func:`suppress_small_cells`), so that its row and column totals do not give a
  hidden cell away either.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Sequence

import numpy as np
import pandas as pd

from jmtools.core.errors import ParameterError

__all__ = ["MIN_GROUP", "count_words", "pseudonymise", "suppress_small_groups", "suppression_note",
           "suppress_small_cells", "cells_note", "hide_small_counts", "customers_behind", "protecting_rows"]

#: Groups smaller than this are suppressed in reports.
MIN_GROUP = 5


def count_words(n, min_group: int = MIN_GROUP) -> str:
    """A count of customers as a report says it: 1 to ``min_group − 1`` as "fewer than 5", else
    the number with thousands separators (0 is said as 0: nobody is no group to protect).

    Examples
    --------
    >>> count_words(3), count_words(0), count_words(1234)
    ('fewer than 5', '0', '1,234')
    """
    n = int(n)
    return f"fewer than {min_group}" if 0 < n < min_group else f"{n:,}"

#: The columns that name a funnel's group, in key order: a funnel by persona, by persona and period (D81).
FUNNEL_GROUPS = ("persona", "period")

_PROCESS_KEY = secrets.token_bytes(32)


def _key_bytes(key) -> bytes:
    if key is None:
        return _PROCESS_KEY
    if isinstance(key, bytes) and key:
        return key
    if isinstance(key, str) and key:
        return key.encode("utf-8")
    raise ParameterError("key", key, expected="a non-empty str or bytes, or None",
                         fix="pass a secret kept with the report's settings, or None for a random one")


def pseudonymise(ids, *, key: str | bytes | None = None, prefix: str = "C-", length: int = 10):
    """Replace customer ids by keyed pseudonyms (HMAC-SHA-256, hexadecimal).

    Parameters
    ----------
    ids : pandas.Series, sequence or scalar
        Customer ids (any type; compared as text). Missing values stay missing.
    key : str or bytes, optional
        The secret. The same key gives the same pseudonym for the same id; default: a random
        key made once per Python process (pseudonyms cannot be linked across runs).
    prefix : str, default "C-"
    length : int, default 10
        Hexadecimal characters kept (10 → about 10¹² values, collisions negligible).

    Returns
    -------
    pandas.Series, list or str
        The same shape as ``ids`` (a Series keeps its index and name).

    Examples
    --------
    >>> pseudonymise(["C0001", "C0002", "C0001"], key="report-2026")
    ['C-7547e74dc2', 'C-e3fdfca934', 'C-7547e74dc2']
    >>> pseudonymise("C0001", key="report-2026")
    'C-7547e74dc2'
    """
    if not isinstance(length, (int, np.integer)) or not 4 <= length <= 64:
        raise ParameterError("length", length, expected="a whole number from 4 to 64")
    secret = _key_bytes(key)

    def one(value):
        if value is None or (not isinstance(value, str) and pd.isna(value)):
            return value
        digest = hmac.new(secret, str(value).encode("utf-8"), hashlib.sha256).hexdigest()
        return f"{prefix}{digest[:length]}"

    if isinstance(ids, pd.Series):
        return ids.map(one)
    if isinstance(ids, (str, bytes)) or np.isscalar(ids):
        return one(ids)
    return [one(v) for v in ids]


def suppress_small_groups(table: pd.DataFrame, *, n_col: str = "n", min_n: int = MIN_GROUP,
                          columns: Sequence[str] | None = None) -> pd.DataFrame:
    """Hide the numbers and quotes of rows that count fewer than ``min_n`` customers.

    Parameters
    ----------
    table : pandas.DataFrame
        A table with one row per group and a count of customers (``n_col``); not modified.
    n_col : str, default "n"
        The column counting the group's customers.
    min_n : int, default :data:`MIN_GROUP` (5)
        Rows with ``n < min_n`` are suppressed; 0 or 1 suppresses nothing.
    columns : sequence of str, optional
        Columns to blank in suppressed rows; default every numeric column, ``n_col`` and
        every column whose name contains ``quote``. Text label columns are kept.

    Returns
    -------
    pandas.DataFrame
        A copy with those cells missing in suppressed rows, plus ``suppressed`` (bool).
        ``attrs["suppressed"]`` counts the rows hidden and ``attrs["note"]`` says so in a
        sentence (empty when nothing was hidden).

    Examples
    --------
    >>> t = pd.DataFrame({"persona": ["Ben", "Maya"], "n": [120, 3], "mean_valence": [0.4, -1.2]})
    >>> out = suppress_small_groups(t)
    >>> out
      persona      n  mean_valence  suppressed
    0     Ben  120.0           0.4       False
    1    Maya    NaN           NaN        True
    >>> out.attrs["note"]
    '1 group with fewer than 5 customers is listed without its numbers.'
    """
    if n_col not in table.columns:
        raise ParameterError("n_col", n_col, expected="a column of the table counting customers",
                             fix=f"columns are: {', '.join(map(str, table.columns))}")
    if not isinstance(min_n, (int, np.integer)) or isinstance(min_n, bool) or min_n < 0:
        raise ParameterError("min_n", min_n, expected="a whole number ≥ 0",
                             fix=f"use the default {MIN_GROUP}, or 0 to show every group")
    if columns is None:
        columns = [c for c in table.columns
                   if c == n_col or "quote" in str(c) or (pd.api.types.is_numeric_dtype(table[c])
                                                          and not pd.api.types.is_bool_dtype(table[c]))]
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ParameterError("columns", missing[0], expected="columns of the table",
                             fix=f"columns are: {', '.join(map(str, table.columns))}")
    small = pd.to_numeric(table[n_col], errors="coerce").fillna(0) < min_n
    out = table.copy()
    for c in columns:
        if pd.api.types.is_numeric_dtype(out[c]) and not pd.api.types.is_bool_dtype(out[c]):
            out[c] = out[c].astype(float).mask(small)
        else:
            out[c] = out[c].astype(object).mask(small, None)
    out["suppressed"] = small.to_numpy()
    out.attrs["suppressed"] = int(small.sum())
    out.attrs["note"] = suppression_note(int(small.sum()), min_n)
    return out


def suppression_note(n_rows: int, min_n: int = MIN_GROUP) -> str:
    """The sentence a report shows under a table with suppressed rows ("" when none): the rows
    keep their labels, their numbers are hidden.

    Examples
    --------
    >>> suppression_note(3)
    '3 groups with fewer than 5 customers are listed without their numbers.'
    >>> suppression_note(0)
    ''
    """
    if n_rows <= 0:
        return ""
    one = n_rows == 1      # the rows stay, with their labels: only their numbers go
    return (f"{n_rows} group{'' if one else 's'} with fewer than {min_n} customers "
            f"{'is' if one else 'are'} listed without {'its' if one else 'their'} numbers.")


def suppress_small_cells(cells: pd.DataFrame, *, row_col: str, column_col: str, n_col: str = "n",
                         customers_col: str = "n_customers", min_n: int = MIN_GROUP,
                         column_totals: Sequence[str] = (), first=None,
                         shared_customers: bool = False) -> pd.DataFrame:
    """Hide the cells of a grid written by 1 to ``min_n − 1`` customers, and what would reveal them.

    A cell with customers but fewer than ``min_n`` loses its numbers (primary suppression).
    A row's total stays on show elsewhere (a theme's size), so a row with hidden cells also
    hides its smallest other non-empty cells until its hidden cells together count at least
    ``min_n`` customers (complementary suppression): the total minus the cells shown then
    gives away no group smaller than ``min_n``. In a column holding a hidden
    cell, the ``column_totals`` (e.g. ``n_value`` and ``share``) are blanked for every cell.
    Empty cells (0 customers) describe nobody and stay 0.

    Parameters
    ----------
    cells : pandas.DataFrame
        One row per cell (long format), not modified.
    row_col, column_col : str
        The columns naming a cell's row and column.
    n_col : str, default "n"
        The count shown in the cell (texts, answers…).
    customers_col : str, default "n_customers"
        Distinct customers in the cell. Where it is missing (data without customer ids),
        ``n_col`` is used: fewer rows than ``min_n`` means fewer customers too.
    min_n : int, default :data:`MIN_GROUP` (5)
    column_totals : sequence of str
        Columns carrying the column's total (or a share of it), blanked in columns with a
        hidden cell.
    first : sequence of bool, optional
        One per cell: chosen first to protect a smaller one (before the smallest others), e.g.
        the "(no persona)" size, whose count the caller then hides wherever else it is shown.
    shared_customers : bool, default False
        True when one customer can be in several cells of a row (a theme's texts at several
        stages): the hidden cells' customers cannot be summed then (one customer counted twice).
        The largest hidden cell is a lower bound of their distinct customers, so a row's
        smallest other cell of ``min_n`` customers or more is hidden beside its small ones.

    Returns
    -------
    pandas.DataFrame
        A copy with ``n_col`` and ``customers_col`` missing in hidden cells, ``suppressed``
        (bool) and ``suppressed_why`` (``"fewer customers"``, ``"reveals another"`` or "").
        ``attrs``: ``suppressed`` (cells hidden), ``min_n`` and ``note`` (:func:`cells_note`).

    Examples
    --------
    >>> grid = pd.DataFrame({"theme": [1, 1, 1, 2, 2, 2], "stage": ["A", "B", "C"] * 2,
    ...                      "n": [12, 3, 7, 9, 0, 6], "n_customers": [11, 2, 6, 9, 0, 5]})
    >>> out = suppress_small_cells(grid, row_col="theme", column_col="stage")
    >>> out[["theme", "stage", "n", "suppressed_why"]]
       theme stage     n   suppressed_why
    0      1     A  12.0
    1      1     B   NaN  fewer customers
    2      1     C   NaN  reveals another
    3      2     A   9.0
    4      2     B   0.0
    5      2     C   6.0
    >>> out.attrs["note"]
    '2 cells are hidden (grey): 1 written by fewer than 5 customers, 1 more so that totals do not reveal it.'
    """
    for role, col in (("row_col", row_col), ("column_col", column_col), ("n_col", n_col)):
        if col not in cells.columns:
            raise ParameterError(role, col, expected="a column of the cells table",
                                 fix=f"columns are: {', '.join(map(str, cells.columns))}")
    if not isinstance(min_n, (int, np.integer)) or isinstance(min_n, bool) or min_n < 0:
        raise ParameterError("min_n", min_n, expected="a whole number ≥ 0",
                             fix=f"use the default {MIN_GROUP}, or 0 to show every cell")
    n = pd.to_numeric(cells[n_col], errors="coerce").fillna(0).to_numpy(dtype=float)
    who = (pd.to_numeric(cells[customers_col], errors="coerce").to_numpy(dtype=float)
           if customers_col in cells.columns else np.full(len(cells), np.nan))
    who = np.where(np.isnan(who), n, who)                  # no ids: fewer rows, fewer customers
    small = (who > 0) & (who < min_n)
    ahead = np.zeros(len(cells), bool) if first is None else np.asarray(first, dtype=bool).reshape(-1)
    if len(ahead) != len(cells):
        raise ParameterError("first", f"{len(ahead)} values", expected=f"one per cell ({len(cells)})",
                             fix="pass a boolean per row of the cells table, or None")
    extra = _complements(cells[row_col].to_numpy(), n, who, small, min_n, ahead,
                         np.max if shared_customers else np.sum)
    hidden = small | extra
    out = cells.copy()
    for col in (n_col, customers_col):
        if col in out.columns:
            out[col] = out[col].astype(float).mask(hidden)
    in_hidden_column = cells[column_col].isin(set(cells.loc[hidden, column_col])).to_numpy()
    for col in column_totals:
        out[col] = out[col].astype(float).mask(in_hidden_column)
    out["suppressed"] = hidden
    out["suppressed_why"] = np.where(small, "fewer customers", np.where(extra, "reveals another", ""))
    out.attrs.update(suppressed=int(hidden.sum()), min_n=min_n,
                     note=cells_note(int(small.sum()), int(extra.sum()), min_n))
    return out


def _complements(rows: np.ndarray, n: np.ndarray, who: np.ndarray, small: np.ndarray,
                 min_n: int, ahead: np.ndarray, together=np.sum) -> np.ndarray:
    """Per row with hidden cells: the smallest other non-empty cells, hidden too until the
    hidden cells together count at least ``min_n`` customers (the row total minus the cells
    shown gives away only their sum). ``together`` bounds the customers of several cells from
    below (``np.sum`` for cells of different customers, ``np.max`` for cells that may share
    them). Cells ``ahead`` come first."""
    extra = np.zeros(len(rows), dtype=bool)
    for row in pd.unique(rows):
        here = np.flatnonzero(rows == row)
        if not small[here].any():
            continue
        others = sorted((i for i in here if not small[i] and n[i] > 0), key=lambda i: (not ahead[i], n[i], i))
        while others and together(who[here][small[here] | extra[here]]) < min_n:
            extra[others.pop(0)] = True
    return extra


def cells_note(n_small: int, n_more: int = 0, min_n: int = MIN_GROUP) -> str:
    """The sentence under a grid with hidden cells ("" when none).

    Examples
    --------
    >>> cells_note(3)
    '3 cells are hidden (grey): written by fewer than 5 customers.'
    >>> cells_note(1, 1, 10)
    '2 cells are hidden (grey): 1 written by fewer than 10 customers, 1 more so that totals do not reveal it.'
    """
    total = n_small + n_more
    if total <= 0:
        return ""
    head = f"{total} cell{'s are' if total != 1 else ' is'} hidden (grey): "
    if not n_more:
        return head + f"written by fewer than {min_n} customers."
    return head + (f"{n_small} written by fewer than {min_n} customers, {n_more} more so that "
                   f"totals do not reveal {'it' if n_small == 1 else 'them'}.")


def hide_small_counts(counts, min_n: int = MIN_GROUP) -> tuple[pd.Series, int]:
    """Counts of customers with those from 1 to ``min_n − 1`` made missing; and how many.

    Examples
    --------
    >>> hide_small_counts(pd.Series([120.0, 3.0, 0.0, None]))
    (0    120.0
    1      NaN
    2      0.0
    3      NaN
    dtype: float64, 1)
    """
    n = pd.to_numeric(pd.Series(counts), errors="coerce").astype(float)
    small = (n > 0) & (n < min_n)
    return n.mask(small), int(small.sum())


def customers_behind(frame: pd.DataFrame, customers_col: str = "n_customers",
                     n_col: str = "n") -> np.ndarray:
    """The distinct customers behind each row, which is what the rule counts.

    ``customers_col`` where the frame has it and the value is known; else ``n_col`` (data
    without customer ids: fewer rows than 5 means fewer customers too); a frame with
    neither sets no limit (``inf``).

    Examples
    --------
    >>> t = pd.DataFrame({"n": [6, 4, 9], "n_customers": [2, None, 9]})   # 6 answers, 2 customers
    >>> customers_behind(t).tolist()
    [2.0, 4.0, 9.0]
    """
    if n_col not in frame.columns and customers_col not in frame.columns:
        return np.full(len(frame), np.inf)
    n = (pd.to_numeric(frame[n_col], errors="coerce").to_numpy(dtype=float) if n_col in frame.columns
         else np.full(len(frame), np.inf))
    who = (pd.to_numeric(frame[customers_col], errors="coerce").to_numpy(dtype=float)
           if customers_col in frame.columns else np.full(len(frame), np.nan))
    return np.where(np.isnan(who), n, who)


def protecting_rows(funnel: pd.DataFrame) -> np.ndarray:
    """Which rows of a disclosed funnel are hidden to protect a smaller group, not because 1 to 4
    customers reached them (``attrs["protecting"]`` of :func:`~jmtools.pipeline.disclosed_steps`:
    step indexes, or keys of the group's :data:`FUNNEL_GROUPS` and step index for a funnel by
    persona, or by persona and period).

    Examples
    --------
    >>> f = pd.DataFrame({"persona": ["A", "A", "B", "B"], "step_index": [1, 2, 1, 2]})
    >>> f.attrs["protecting"] = [("B", 2)]
    >>> protecting_rows(f).tolist()
    [False, False, False, True]
    >>> g = f.assign(persona="B", period=["before", "before", "after", "after"])
    >>> g.attrs["protecting"] = [("B", "after", 2)]
    >>> protecting_rows(g).tolist()
    [False, False, False, True]
    """
    keys = funnel.attrs.get("protecting", ())
    if not len(keys) or "step_index" not in funnel:
        return np.zeros(len(funnel), bool)
    if isinstance(keys[0], (tuple, list)):
        groups = [c for c in FUNNEL_GROUPS if c in funnel][:len(keys[0]) - 1]
        if len(groups) == len(keys[0]) - 1:
            wanted = {(*map(str, k[:-1]), int(k[-1])) for k in keys}
            rows = zip(*(funnel[c].astype(object) for c in groups), funnel["step_index"])
            return np.array([(*map(str, r[:-1]), int(r[-1])) in wanted for r in rows], dtype=bool)
    return funnel["step_index"].isin([k for k in keys if not isinstance(k, (tuple, list))]).to_numpy()
