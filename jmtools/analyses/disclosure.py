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
  (:func:`suppression_note`).
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Sequence

import numpy as np
import pandas as pd

from jmtools.core.errors import ParameterError

__all__ = ["MIN_GROUP", "pseudonymise", "suppress_small_groups", "suppression_note"]

#: Groups smaller than this are suppressed in reports.
MIN_GROUP = 5

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
    '1 group with fewer than 5 customers is not shown.'
    """
    if n_col not in table.columns:
        raise ParameterError("n_col", n_col, expected="a column of the table counting customers",
                             fix=f"columns are: {', '.join(map(str, table.columns))}")
    if not isinstance(min_n, (int, np.integer)) or min_n < 0:
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
    """The sentence a report shows under a table with suppressed rows ("" when none).

    Examples
    --------
    >>> suppression_note(3)
    '3 groups with fewer than 5 customers are not shown.'
    >>> suppression_note(0)
    ''
    """
    if n_rows <= 0:
        return ""
    return (f"{n_rows} group{'s' if n_rows != 1 else ''} with fewer than {min_n} customers "
            f"{'are' if n_rows != 1 else 'is'} not shown.")
