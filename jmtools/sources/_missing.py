"""What a missing table would add: one plain sentence per canonical table.

A report, the map and the notebooks run on whatever tables a data folder holds; where a
section has no table to rest on, it says so with :func:`missing_table` — which file to add,
with which columns, and what it would show. ``docs/data.md`` lists which table each section
uses.
"""

from __future__ import annotations

from jmtools.core.errors import ParameterError
from jmtools.sources._spec import SPECS

__all__ = ["TABLE_CONTENTS", "missing_table", "unread_fix"]

#: How a reader names what each canonical table holds.
TABLE_CONTENTS = {"events": "events", "customers": "customer table", "surveys": "survey scores",
                  "feedback": "feedback texts", "orders": "orders", "tickets": "support tickets"}

#: The columns that make each table useful, as a reader would type them (the required ones,
#: plus the touchpoint or stage that ties an answer, a text or a ticket to the journey).
_COLUMNS = {
    "events": "customer_id, timestamp, event",
    "customers": "customer_id and the attributes the persona rules read",
    "surveys": "customer_id, timestamp, touchpoint or stage, metric, score",
    "feedback": "feedback_id, customer_id, timestamp, text, touchpoint or stage",
    "orders": "order_id, customer_id, timestamp, amount",
    "tickets": "ticket_id, customer_id, timestamp, touchpoint or stage",
}


def missing_table(kind: str, *, fills: str = "", columns: str | None = None) -> str:
    """The sentence a section shows when the data folder has no ``kind`` table.

    Parameters
    ----------
    kind : {"events", "customers", "surveys", "feedback", "orders", "tickets"}
        The canonical table that is missing.
    fills : str, optional
        What the table would show, starting with "to" (``"to see CSAT, CES and NPS per stage"``).
    columns : str, optional
        The columns to name instead of the default (e.g. the attributes a journey's persona
        rules read).

    Returns
    -------
    str
        ``No <what> in this folder — add <kind>.csv with columns … (see docs/data.md).``

    Examples
    --------
    >>> print(missing_table("surveys"))
    No survey scores in this folder — add surveys.csv with columns customer_id, timestamp, touchpoint or stage, metric, score (see docs/data.md).
    >>> print(missing_table("customers", fills="to see the personas",
    ...                     columns="customer_id, age, region"))
    No customer table in this folder — add customers.csv with columns customer_id, age, region to see the personas (see docs/data.md).
    """
    if kind not in SPECS:
        raise ParameterError("kind", kind, expected=list(SPECS))
    what = f" {fills}" if fills else ""
    return (f"No {TABLE_CONTENTS[kind]} in this folder — add {kind}.csv with columns "
            f"{columns or _COLUMNS[kind]}{what} (see docs/data.md).")


def unread_fix(name: str) -> str:
    """What to do with a file named for a table in a form no loader reads (``World.unread``).

    Examples
    --------
    >>> unread_fix("events.jsonl.zip")
    'is a zip archive, which is not read: unzip it into the folder (the events.jsonl inside is read as it is).'
    >>> unread_fix("orders.numbers")
    'is named for a table but is not read: save it as CSV, Parquet, Excel (.xlsx) or JSON lines (.jsonl, one object per line) under the same name.'
    """
    stem, dot, suffix = name.rpartition(".")
    if dot and suffix.lower() in ("zip", "7z", "rar", "tar", "tgz", "bz2", "xz", "zst"):
        inside = f"the {stem} inside" if "." in stem else "the file inside"
        return (f"is a {suffix.lower()} archive, which is not read: unzip it into the folder ({inside} is read "
                "as it is)." if suffix.lower() == "zip" else f"is a {suffix.lower()} archive, which is not read: "
                f"unpack it into the folder ({inside} is read as it is; .gz is read as it comes).")
    return ("is named for a table but is not read: save it as CSV, Parquet, Excel (.xlsx) or JSON lines "
            "(.jsonl, one object per line) under the same name.")
