"""Opportunities: the frame a journey's opportunities become, one added in a notebook, and
the ranked backlog written back into the journey file.

An *opportunity* is something the business could change; it relieves one or more pain points
and has an owner, a status and a target date. The public names are re-exported by
:mod:`jmtools.analyses.priorities`.
"""

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from jmtools.core.errors import ParameterError
from jmtools.journey import Journey, Opportunity

__all__ = ["OPPORTUNITY_COLUMNS", "STATUSES", "opportunities_frame", "add_opportunity",
           "write_back"]

#: Columns every opportunities frame has, before its score columns.
OPPORTUNITY_COLUMNS = ["id", "title", "pain_points", "owner", "status", "target_date", "source"]

#: Opportunity statuses (same as the journey file).
STATUSES = ("idea", "planned", "in progress", "done", "dropped")


def opportunities_frame(journey) -> pd.DataFrame:
    """Opportunities of a journey as a frame, one row per opportunity, scores as columns.

    Parameters
    ----------
    journey : jmtools.journey.Journey or list of dict
        A loaded journey, or opportunity dicts shaped like the journey file.

    Returns
    -------
    pandas.DataFrame
        ``id, title, pain_points`` (list of pain point ids), ``owner, status,
        target_date`` (datetime.date or None), ``source`` ("journey file"), then one
        float column per score key found (``impact``, ``effort``, ``reach``…).

    Examples
    --------
    >>> opps = opportunities_frame([{"id": "show-fees", "title": "Show fees early",
    ...                              "pain_points": ["hidden-fees"],
    ...                              "scores": {"impact": 3, "effort": 2}}])
    >>> opps[["id", "status", "impact", "effort"]]
              id status  impact  effort
    0  show-fees   idea     3.0     2.0
    """
    items = journey.opportunities if hasattr(journey, "opportunities") else journey
    rows = []
    for item in items:
        d = item.model_dump() if hasattr(item, "model_dump") else dict(item)
        rows.append(_row(d, source="journey file"))
    return _frame(rows)


def _row(d: Mapping[str, Any], *, source: str) -> dict:
    scores = dict(d.get("scores") or {})
    clash = sorted(set(scores) & set(OPPORTUNITY_COLUMNS))
    if clash:
        raise ParameterError("scores", clash, expected="score names other than "
                             + ", ".join(OPPORTUNITY_COLUMNS),
                             fix=f"rename the score {clash[0]!r}")
    status = d.get("status") or "idea"
    if status not in STATUSES:
        raise ParameterError("status", status, expected=list(STATUSES))
    row = {"id": d["id"], "title": d.get("title", d["id"]),
           "pain_points": list(d.get("pain_points") or []), "owner": d.get("owner"),
           "status": status, "target_date": _date(d.get("target_date")), "source": source}
    row.update({k: float(v) for k, v in scores.items()})
    return row


def _date(value) -> dt.date | None:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise ParameterError("target_date", value, expected="a date written YYYY-MM-DD") from None


def _frame(rows: list[dict]) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=None if rows else OPPORTUNITY_COLUMNS)
    for col in OPPORTUNITY_COLUMNS:
        if col not in frame:
            frame[col] = pd.Series([None] * len(frame), dtype=object)
    score_cols = [c for c in frame.columns if c not in OPPORTUNITY_COLUMNS]
    frame = frame[OPPORTUNITY_COLUMNS + score_cols]
    for col in ("pain_points", "target_date", "owner"):
        frame[col] = frame[col].astype(object)
    return frame.reset_index(drop=True)


def add_opportunity(opportunities: pd.DataFrame, *, id: str, title: str,
                    pain_points: Sequence[str] = (), owner: str | None = None,
                    status: str = "idea", target_date=None, **scores: float) -> pd.DataFrame:
    """Return a copy of ``opportunities`` with one more opportunity (added in the notebook).

    Parameters
    ----------
    opportunities : pandas.DataFrame
        From :func:`opportunities_frame`.
    id, title : str
        A unique slug and a short title.
    pain_points : list of str
        Ids of the pain points it relieves.
    owner, status, target_date
        Who, where it stands (one of :data:`STATUSES`) and by when (``YYYY-MM-DD``).
    **scores : float
        Scoring inputs, e.g. ``impact=2, effort=1, reach=800, confidence=0.8, ease=6``.

    Returns
    -------
    pandas.DataFrame
        The input rows and the new one (``source`` = "notebook").

    Examples
    --------
    >>> opps = opportunities_frame([])
    >>> opps = add_opportunity(opps, id="size-chart", title="Add a size chart",
    ...                        pain_points=["no-size-chart"], owner="PDP team",
    ...                        target_date="2027-01-31", impact=2, effort=1)
    >>> opps[["id", "owner", "source", "impact"]]
               id     owner    source  impact
    0  size-chart  PDP team  notebook     2.0
    """
    if id in set(opportunities["id"]):
        raise ParameterError("id", id, expected="an id not used by another opportunity",
                             fix="choose another id, or edit the existing row")
    new = _row({"id": id, "title": title, "pain_points": pain_points, "owner": owner,
                "status": status, "target_date": target_date, "scores": scores},
               source="notebook")
    rows = opportunities.to_dict("records") + [new]
    return _frame(rows)


#: Score columns written back into the journey file's ``scores`` by default.
_WRITE_BACK = ("rice", "ice", "value_at_stake", "customers_affected", "lift_needed", "rank")


def write_back(backlog: pd.DataFrame, journey, *, path: str | Path | None = None,
               scores: Iterable[str] = _WRITE_BACK):
    """Write the backlog into the journey file: new opportunities, owners, statuses, scores.

    The journey is loaded (when a path is given), updated through
    :class:`jmtools.journey.Journey` and saved, so comments and key order in the file
    survive. Opportunities added in the notebook are appended; existing ones get their
    owner, status, target date and linked pain points from the backlog, and the score
    columns named in ``scores`` are merged into their ``scores`` mapping.

    Parameters
    ----------
    backlog : pandas.DataFrame
        From :func:`~jmtools.analyses.priorities.prioritise` (or any opportunities frame).
    journey : jmtools.journey.Journey or path
        The journey to update. A Journey object is not modified; a copy is saved.
    path : path, optional
        Where to save; default the journey's own file.
    scores : iterable of str
        Computed columns to store in each opportunity's ``scores``.

    Returns
    -------
    jmtools.journey.Journey
        The saved journey.
    """
    j = Journey.load(journey) if isinstance(journey, (str, Path)) else journey.model_copy(deep=True)
    keep = [c for c in scores if c in backlog.columns]
    rows = {row["id"]: row for row in backlog.to_dict("records")}
    updated = []
    for old in j.opportunities:  # file order is kept, so the diff stays small
        row = rows.pop(old.id, None)
        updated.append(old if row is None else _merged(old.model_dump(exclude_unset=True),
                                                       row, keep, inputs=old.scores))
    added = [_merged({}, row, keep, inputs=_INPUTS) for row in rows.values()]
    j.opportunities = [Opportunity.model_validate(o) if isinstance(o, dict) else o
                       for o in updated + added]
    j.save(path)
    return j


def _merged(base: dict, row: dict, keep: list[str], *, inputs) -> dict:
    scores = dict(base.get("scores") or {})
    scores.update({k: float(row[k]) for k in inputs if k in row and _is_number(row[k])})
    scores.update({c: float(row[c]) for c in keep if _is_number(row[c])})
    base = {**base, "id": row["id"], "title": row["title"],
            "pain_points": list(row["pain_points"] or []), "status": row["status"],
            "scores": scores}
    for key in ("owner", "target_date"):
        value = row.get(key)
        if value is not None and not (isinstance(value, float) and math.isnan(value)):
            base[key] = value
    return base


#: Score inputs of an opportunity added in a notebook that are stored with it.
_INPUTS = ("impact", "effort", "reach", "confidence", "ease", "lift")


def _is_number(value) -> bool:
    return isinstance(value, (int, float, np.integer, np.floating)) and not isinstance(value, bool) \
        and math.isfinite(float(value))
