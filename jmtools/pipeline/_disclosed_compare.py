"""A before/after comparison table (:class:`~jmtools.pipeline.Comparison`) through the disclosure rule.

:func:`~jmtools.analyses.compare.compare` gives one row per measure, persona and step with both
groups' customers (``n_a``, ``n_b``), values, difference and verdict. Shown as it is, a row of
1–4 customers on a side describes them, a persona of 1–4 customers is compared, the persona whose
size is hidden to protect it (:func:`~jmtools.pipeline.size_protectors`) has its counts (a
funnel's first step, in a folder, is its size), and the row for all customers minus the persona
rows shown gives back what was hidden. :func:`disclosed_comparison` hides those numbers.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jmtools.analyses.disclosure import MIN_GROUP, _complements
from jmtools.core.vocabulary import ALL
from jmtools.pipeline._disclosed import _blank, _few_counts, disclosed_shares
from jmtools.pipeline._disclosed_personas import size_protectors

__all__ = ["disclosed_comparison", "COMPARED_NUMBERS"]

#: The columns of a comparison row that read its customers (besides ``n_a`` and ``n_b``).
COMPARED_NUMBERS = ("value_a", "value_b", "diff", "ci_low", "ci_high", "effect_size", "p_value", "q_value",
                    "min_change", "power", "n_needed", "detectable")


def disclosed_comparison(table: pd.DataFrame, sizes=(), *, min_group: int = MIN_GROUP) -> pd.DataFrame:
    """The comparison table without a group of 1 to ``min_group − 1`` customers, read off or by subtraction.

    - a side of 1–4 customers loses its ``n``, and the row its values, difference, interval,
      test and power (:data:`COMPARED_NUMBERS`); its verdict becomes "too few";
    - a conversion whose customers going on are 1–4 on a side loses the same numbers (its
      ``n`` stays): the funnel rule (:func:`~jmtools.pipeline.disclosed_steps`);
    - every row of a persona of 1–4 customers, or of the group whose size the persona sizes
      hide to protect it (``sizes``; :func:`~jmtools.pipeline.size_protectors`), loses all
      its numbers, ``n`` included; a small persona's verdict becomes "too few";
    - the row for all customers is the total of the persona rows and of the customers in no
      persona: per measure and step, and per side, once a persona's count is hidden the
      customers in no persona count as hidden, then the smallest other persona rows go too,
      until the hidden counts hold ``min_group`` customers or more in two groups or more;
    - a row hides both its counts or neither: the two sides add up to a count shown elsewhere
      (a persona's report shows its customers at a step over both periods), and each count hidden
      that way is hidden beside the row for all customers too, until nothing changes.

    The text of a hidden row says why, without numbers.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`~jmtools.analyses.compare.compare` (``Comparison.table``).
    sizes : pandas.DataFrame or sequence of them
        The persona sizes shown for the data compared (``Evidence.persona_sizes``,
        :func:`~jmtools.personas.persona_sizes`; one folder's or both), raw or disclosed.
    min_group : int, default 5

    Returns
    -------
    pandas.DataFrame
        A copy with the hidden numbers missing, ``suppressed`` (bool: the row's numbers are
        hidden), ``attrs["hidden_rows"]`` and ``attrs["note"]`` ("" when nothing is hidden).

    Examples
    --------
    >>> t = pd.DataFrame({"measure": "csat", "persona": ["all", "Ben", "Lou"], "from_step": None,
    ...                   "step": "Buy", "label": "CSAT at Buy", "n_a": [43, 40, 3], "n_b": [52, 50, 2],
    ...                   "value_a": [3.9, 4.0, 2.0], "value_b": [4.2, 4.3, 1.0], "diff": [0.3, 0.3, -1.0],
    ...                   "verdict": ["no detectable change"] * 2 + ["too few"], "text": ["…"] * 3})
    >>> out = disclosed_comparison(t)
    >>> out[["persona", "n_a", "value_b", "suppressed"]].values.tolist()  # 43 − 40 would give Lou's 3
    [['all', 43.0, 4.2, False], ['Ben', nan, nan, True], ['Lou', nan, nan, True]]
    >>> print(out.attrs["note"])  # doctest: +NORMALIZE_WHITESPACE
    2 comparisons are shown without their numbers: 1 with fewer than 5 customers in a group (or
    going on), 1 more so that the row for all customers does not reveal them.
    """
    persona = table["persona"].astype(str).to_numpy()
    small, guard = _hidden_personas(sizes, min_group)
    tiny, protects = np.isin(persona, list(small)), np.isin(persona, list(guard - small))
    whole = tiny | protects
    key = np.array(["\x1f".join(map(str, k))
                    for k in zip(table["measure"], table["from_step"], table["step"])], dtype=object)
    converts = (table["measure"] == "conversion").to_numpy()
    n, went_on, few, few_k = {}, {}, {}, {}
    for side in ("a", "b"):
        n[side] = pd.to_numeric(table[f"n_{side}"], errors="coerce").fillna(0).to_numpy(float)
        went_on[side] = np.where(converts, np.round(np.nan_to_num(table[f"value_{side}"].to_numpy(float))
                                                    * n[side]), 0)
        few[side], few_k[side] = _few_counts(n[side], min_group), _few_counts(went_on[side], min_group)
    few_side, few_on = few["a"] | few["b"], few_k["a"] | few_k["b"]
    hide_n, extra = _paired(key, persona, n, whole | few_side, min_group)
    for side in ("a", "b"):
        extra |= _beside_total(key, persona, went_on[side], (whole & (went_on[side] > 0)) | few_k[side],
                               min_group)
    extra &= ~few_side
    hidden = whole | few_side | few_on | extra
    out = table.copy()
    _blank(out, ("n_a", "n_b"), hide_n)
    _blank(out, COMPARED_NUMBERS, hidden)
    out["verdict"] = out["verdict"].mask(few_side | tiny, "too few")
    out["text"] = _texts(out, tiny, protects, few_side, few_on, hidden, min_group)
    out["suppressed"] = hidden
    own = few_side | tiny | (few_on & ~protects)
    counts = (int(own.sum()), int((protects & ~few_side).sum()), int((hidden & ~own & ~protects).sum()))
    out.attrs = {**table.attrs, "hidden_rows": int(hidden.sum()), "note": _note(*counts, min_group)}
    return out


def _hidden_personas(sizes, min_group: int) -> tuple[set, set]:
    """The personas of 1–4 customers in any of ``sizes``, and every group whose size is hidden there."""
    sizes = [sizes] if isinstance(sizes, pd.DataFrame) else list(sizes or ())
    shown = [s if "suppressed" in s else disclosed_shares(s, "n" if "n" in s else "n_customers", numbers=(),
                                                         min_group=min_group)
             for s in sizes if s is not None]
    small = {str(p) for s in shown for p in s["persona"].iloc[list(s.attrs.get("few_rows", ()))]}
    return small, small | size_protectors(shown, min_group=min_group)


def _paired(key, persona, n: dict, hidden: np.ndarray, min_group: int) -> tuple[np.ndarray, np.ndarray]:
    """The rows whose two counts (``n["a"]``, ``n["b"]``) are hidden, from the rows ``hidden`` at
    first, and the rows hidden on the way (:func:`_beside_total`, per side).

    The two sides of a row add up to a count shown elsewhere (a persona's report shows its
    customers at a step over both periods), so a row hides both its counts or neither; and per
    side, the row for all customers beside the persona rows hides more (the customers in no
    persona first). Each side's new cells hide their row's other count, until nothing changes."""
    hide = hidden.copy()
    while True:
        before = hide.copy()
        for side in ("a", "b"):       # one side at a time: the other sees the rows already hidden
            hide |= _beside_total(key, persona, n[side], hide, min_group)
        if (hide == before).all():
            return hide, hide & ~hidden


def _beside_total(key, persona, counts, hidden, min_group: int) -> np.ndarray:
    """Persona rows hidden so that the row for all customers, minus the persona rows shown, gives
    back no hidden count: per ``key`` whose total is shown, the customers in no persona (the total
    minus every persona row) first, then the smallest persona rows, until the hidden counts hold
    ``min_group`` or more in two groups or more."""
    mine = persona != ALL
    totals = pd.Series(counts[~mine], index=key[~mine])
    totals = totals[~_few_counts(totals.to_numpy(), min_group) & ~totals.index.duplicated()]
    rows = np.flatnonzero(mine & np.isin(key, totals.index))
    if not len(rows) or not hidden[rows].any():
        return np.zeros(len(key), bool)
    cells = pd.DataFrame({"key": key[rows], "n": counts[rows], "hidden": hidden[rows], "row": rows})
    rest = (totals - cells.groupby("key")["n"].sum()).clip(lower=0).reindex(pd.unique(cells["key"]))
    nobody = pd.DataFrame({"key": rest.index, "n": rest.to_numpy(), "hidden": False, "row": -1})
    cells = pd.concat([cells, nobody], ignore_index=True)
    n = cells["n"].to_numpy(float)
    more = _complements(cells["key"].to_numpy(), n, n, cells["hidden"].to_numpy(bool) & (n > 0), min_group,
                        (cells["row"] < 0).to_numpy(), _in_two_groups)
    out = np.zeros(len(key), bool)
    out[cells.loc[more & (cells["row"] >= 0).to_numpy(), "row"].to_numpy(int)] = True
    return out


def _in_two_groups(counts: np.ndarray) -> float:
    """The customers of the hidden cells counted toward ``min_group``, or 0 while they are one group
    (one hidden cell beside its total is read back exactly, whatever its size)."""
    return float(np.sum(counts)) if np.count_nonzero(counts) >= 2 else 0.0


def _texts(out, tiny, protects, few_side, few_on, hidden, min_group: int) -> list[str]:
    """A hidden row's text: its verdict and measure, and why its numbers are not shown."""
    words = []
    for i, r in enumerate(out.itertuples(index=False)):
        lead = f"{'too few to compare' if r.verdict == 'too few' else r.verdict}: {r.label} — not shown"
        if not hidden[i]:
            words.append(r.text)
        elif tiny[i]:
            words.append(f"{lead}: {r.persona} has fewer than {min_group} customers")
        elif few_side[i]:
            words.append(f"{lead}: fewer than {min_group} customers in a group, so that no one of them "
                         "can be picked out")
        elif protects[i]:
            words.append(f"{lead}: {r.persona}'s size would give back the size of a persona of fewer than "
                         f"{min_group} customers")
        elif few_on[i]:
            words.append(f"{lead}: fewer than {min_group} customers went on in a group")
        else:
            words.append(f"{lead}, so that the row for all customers does not reveal a group of fewer than "
                         f"{min_group}")
    return words


def _note(few: int, protect: int, more: int, min_group: int) -> str:
    parts = [f"{few} with fewer than {min_group} customers in a group (or going on)"] if few else []
    if protect:
        parts.append(f"{protect} of a persona whose size would give back a smaller persona's")
    if more:
        parts.append(f"{more} more so that the row for all customers does not reveal them")
    k = few + protect + more
    if not k:
        return ""
    return (f"{k} comparison{'s are' if k != 1 else ' is'} shown without {'their' if k != 1 else 'its'} "
            f"numbers: {', '.join(parts)}.")
