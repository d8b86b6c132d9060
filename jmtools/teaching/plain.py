"""Numbers the teaching track shows, in plain words: whole customers, rounded shares, short tables.

The analyses return what they compute (a change as a dict of floats, customers split between two
pain points as fractions); a learner should read "23.4 %" and "456 customers", not
``0.23397435897435898`` and ``456.37``. The notebooks call these functions::

    from jmtools.teaching import change_table, pain_points_table

    display(change_table(change_at(periods, "Decision", group=me)))
    display(pain_points_table(run.pain_points.table))
"""

from __future__ import annotations

import math

import pandas as pd

from jmtools.report.present import md

__all__ = ["change_table", "pain_points_table", "shared_place_note", "show_change", "show_pain_points",
           "whole_table", "show_whole"]

#: The columns of the pain-point table notebook 05 shows.
PAIN_COLUMNS = ["rank", "pain_point_id", "title", "stage", "touchpoint", "source", "score", "customers_affected"]


def _percent(v) -> str:
    return "–" if v is None or v != v else f"{v:.1%}".replace("%", " %")


def _points(v) -> str:
    return "–" if v is None or v != v else f"{100 * v:+.1f} points".replace("-", "−")


def change_table(change: dict) -> pd.DataFrame:
    """A change from :func:`~jmtools.teaching.change_at` as a small table: one row per period and
    one for the difference, shares as percentages with one decimal, the verdict in words.

    Parameters
    ----------
    change : dict
        From :func:`jmtools.teaching.change_at`.

    Returns
    -------
    pandas.DataFrame
        Indexed by "before", "after" and "after − before", with columns ``at the step before``
        and ``reached {step}`` (customers), ``conversion`` and ``95% interval`` (text; the
        difference in percentage points). ``attrs["verdict"]`` is the sentence that reads it.

    Examples
    --------
    >>> c = {"step": "Buy", "before": {"n_prev": 100, "n": 40, "conversion": 0.4, "ci_low": 0.3094,
    ...      "ci_high": 0.4980}, "after": {"n_prev": 100, "n": 60, "conversion": 0.6, "ci_low": 0.5020,
    ...      "ci_high": 0.6906}, "difference": 0.2, "ci_low": 0.0611, "ci_high": 0.3284, "verdict": "better"}
    >>> t = change_table(c)
    >>> t.loc["before"].tolist()
    [100, 40, '40.0 %', '30.9 % to 49.8 %']
    >>> t.loc["after − before", ["conversion", "95% interval"]].tolist()
    ['+20.0 points', '+6.1 to +32.8 points']
    >>> t.attrs["verdict"]
    'Better: the 95% interval of the difference is above 0.'
    """
    step = change["step"]
    rows = {period: {"at the step before": int(change[period]["n_prev"]), f"reached {step}": int(change[period]["n"]),
                     "conversion": _percent(change[period]["conversion"]),
                     "95% interval": f"{_percent(change[period]['ci_low'])} to {_percent(change[period]['ci_high'])}"}
            for period in ("before", "after")}
    low, high = change["ci_low"], change["ci_high"]
    rows["after − before"] = {"at the step before": "", f"reached {step}": "",
                              "conversion": _points(change["difference"]),
                              "95% interval": f"{_points(low).removesuffix(' points')} to {_points(high)}"}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.attrs["verdict"] = {
        "better": "Better: the 95% interval of the difference is above 0.",
        "worse": "Worse: the 95% interval of the difference is below 0.",
    }.get(change["verdict"], "No evidence of a change: the 95% interval of the difference includes 0."
          if not (math.isnan(low) or math.isnan(high)) else "Not compared: a period has no customers at this step.")
    return table


def pain_points_table(pains: pd.DataFrame) -> pd.DataFrame:
    """The ranked pain points as notebook 05 shows them: scores to two decimals and customers as
    whole numbers; ``attrs["note"]`` says where a count is an estimated share
    (:func:`shared_place_note`).

    Parameters
    ----------
    pains : pandas.DataFrame
        ``pipeline.run(...).pain_points.table``.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`PAIN_COLUMNS` that exist; ``customers_affected`` whole numbers
        ("–" where no data measured the pain point).

    Examples
    --------
    >>> p = pd.DataFrame({"pain_point_id": ["fees", "pay", "slow"], "stage": ["Decision"] * 2 + ["Post"],
    ...                   "touchpoint": ["Checkout"] * 2 + [None], "score": [3.2718, 3.2718, 0.1],
    ...                   "source": ["journey file + detected"] * 2 + ["journey file"],
    ...                   "customers_affected": [456.37, 110.63, None]})
    >>> t = pain_points_table(p)
    >>> t["customers_affected"].tolist(), t["score"].tolist()
    ([456, 111, '–'], [3.27, 3.27, 0.1])
    """
    table = pains[[c for c in PAIN_COLUMNS if c in pains]].copy()
    if "score" in table:
        table["score"] = table["score"].astype(float).round(2)
    if "customers_affected" in table:          # none measured (a pain point only the journey file names): "–"
        table["customers_affected"] = [int(round(v)) if v == v else "–"
                                       for v in table["customers_affected"].astype(float)]
    table.attrs["note"] = shared_place_note(pains)
    return table


def shared_place_note(pains: pd.DataFrame) -> str:
    """Why some pain points' customers are not whole: pain points the journey file names for one
    stage and touchpoint, both confirmed by the data, share that place's customers by their
    complaint themes (so value at stake counts no one twice). "" when none do.

    Examples
    --------
    >>> p = pd.DataFrame({"pain_point_id": ["fees", "pay"], "stage": ["Decision"] * 2,
    ...                   "touchpoint": ["Checkout"] * 2, "source": ["journey file + detected"] * 2,
    ...                   "customers_affected": [456.37, 110.63]})
    >>> print(shared_place_note(p))
    fees and pay share one place, Decision · Checkout: the 567 customers there are split between them by what their complaints are about (80 % and 20 %), so 456 and 111 are estimated shares, rounded to whole customers.
    """
    need = {"pain_point_id", "stage", "touchpoint", "source", "customers_affected"}
    if not need <= set(pains.columns):
        return ""
    confirmed = pains[(pains["source"] == "journey file + detected") & pains["customers_affected"].notna()]
    notes = []
    for (stage, touchpoint), rows in confirmed.groupby(["stage", "touchpoint"], sort=False):
        if len(rows) < 2:
            continue
        total = float(rows["customers_affected"].sum())
        ids = _and(rows["pain_point_id"].astype(str))
        shares = _and(f"{v / total:.0%}".replace("%", " %") for v in rows["customers_affected"])
        counts = _and(f"{v:,.0f}" for v in rows["customers_affected"])
        notes.append(f"{ids} share one place, {stage} · {touchpoint}: the {total:,.0f} customers there are split "
                     f"between them by what their complaints are about ({shares}), so {counts} are estimated "
                     "shares, rounded to whole customers.")
    return " ".join(notes)


def _cell_text(v):
    """A cell as a learner reads it: a dict as "key: value; …", a list as "a, b"; others as they are."""
    if isinstance(v, dict):
        return "; ".join(f"{k}: {_cell_text(x)}" for k, x in v.items())
    if isinstance(v, (list, tuple, set)):
        return ", ".join(str(_cell_text(x)) for x in v)
    if isinstance(v, float) and v == v and not v.is_integer():
        return f"{v:.4g}"
    return v


def whole_table(frame: pd.DataFrame) -> pd.DataFrame:
    """A table to read whole: dicts and lists in its cells written out as text
    ("Budget Ben: 0.6; Marathon Maya: 1.0"), so that nothing is cut or shown as Python.

    Examples
    --------
    >>> d = pd.DataFrame({"field": ["emotion"], "old": [{"Ben": 0.0, "Maya": 1.0, "Nina": 0.25}]})
    >>> whole_table(d)["old"].tolist()
    ['Ben: 0.0; Maya: 1.0; Nina: 0.25']
    """
    return frame.apply(lambda col: col.map(_cell_text) if col.dtype == object else col)


#: How a long text of :func:`show_whole` wraps: between words, in a column 14–28em wide, left-aligned.
WRAP_STYLE = "white-space:normal;min-width:14em;max-width:28em;text-align:left;vertical-align:top"
#: A short text (a name, a word: :data:`SHORT` characters at most) stays on one line.
SHORT_STYLE = "white-space:nowrap;text-align:left;vertical-align:top"
SHORT = 24


def show_whole(frame: pd.DataFrame) -> None:
    """Display a table with every cell whole: long texts (a check's message and fix, a changed
    value per persona) wrap inside their column instead of ending in "...".

    In the HTML a column of long texts wraps (:data:`WRAP_STYLE`), one of short texts stays on one
    line (:data:`SHORT_STYLE`) and numbers stay as pandas aligns them; the plain text (papermill, a
    terminal) shows every cell whole too. Dicts and lists read as text (:func:`whole_table`).

    Examples
    --------
    >>> f = pd.DataFrame({"message": ["fewer than 5 customers are also selected by 'Marathon Maya'"],
    ...                   "fix": ["tighten one rule if the personas should not share customers"]})
    >>> import contextlib, io
    >>> out = io.StringIO()
    >>> with contextlib.redirect_stdout(out):               # a notebook shows the HTML table
    ...     show_whole(f)
    >>> "also selected by 'Marathon Maya'" in out.getvalue(), "..." in out.getvalue()
    (True, False)
    """
    from IPython.display import display

    table = whole_table(frame)
    with pd.option_context("display.max_colwidth", None, "display.width", None,
                           "display.max_columns", None):
        text, page = table.to_string(), table.to_html()
    styles = {}                                                # numbers keep pandas' own place
    for k, c in enumerate(table.columns):
        if not (pd.api.types.is_numeric_dtype(table[c]) or pd.api.types.is_datetime64_any_dtype(table[c])):
            longest = table[c].astype(str).str.len().max() if len(table) else 0
            styles[k] = WRAP_STYLE if longest > SHORT else SHORT_STYLE

    def wrap(row: str, tag: str, skip: int) -> str:          # skip: the index's cells before the columns'
        first, *cells = row.split(f"<{tag}>")
        return first + "".join((f'<{tag} style="{styles[k - skip]}">' if k - skip in styles else f"<{tag}>")
                               + cell for k, cell in enumerate(cells))

    head, body = page.split("<tbody>", 1)
    display({"text/plain": text, "text/html": wrap(head, "th", table.index.nlevels) + "<tbody>"
             + "<tr>".join(wrap(r, "td", 0) for r in body.split("<tr>"))}, raw=True)


def _and(items) -> str:
    items = list(items)
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} and {items[-1]}"


def show_change(change: dict) -> pd.DataFrame:
    """Display :func:`change_table` and its verdict as a sentence under it; return the table.

    Examples
    --------
    >>> c = {"step": "Buy", "before": {"n_prev": 10, "n": 4, "conversion": 0.4, "ci_low": 0.17, "ci_high": 0.69},
    ...      "after": {"n_prev": 10, "n": 6, "conversion": 0.6, "ci_low": 0.31, "ci_high": 0.83},
    ...      "difference": 0.2, "ci_low": -0.2, "ci_high": 0.53, "verdict": "no evidence"}
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()):       # a notebook shows the table and sentence
    ...     table = show_change(c)
    >>> table.shape, table.attrs["verdict"]
    ((3, 4), 'No evidence of a change: the 95% interval of the difference includes 0.')
    """
    from IPython.display import display

    table = change_table(change)
    display(table)
    display(md("{verdict}", verdict=table.attrs["verdict"]))
    return table


def show_pain_points(pains: pd.DataFrame) -> pd.DataFrame:
    """Display :func:`pain_points_table` and, under it, why some customers are estimated shares;
    return the table.

    Examples
    --------
    >>> p = pd.DataFrame({"pain_point_id": ["slow"], "score": [0.1], "customers_affected": [12.0]})
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     table = show_pain_points(p)
    >>> table["customers_affected"].tolist()
    [12]
    """
    from IPython.display import display

    table = pain_points_table(pains)
    display(table)
    if table.attrs["note"]:
        display(md("{note}", note=table.attrs["note"]))
    return table
