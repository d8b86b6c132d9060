"""What a missing table would add: one plain sentence per canonical table.

A report, the map and the notebooks run on whatever tables a data folder holds; where a
section has no table to rest on, it says so with :func:`missing_table` — which file to add,
with which columns, and what it would show. ``docs/data.md`` lists which table each section
uses.
"""

from __future__ import annotations

from pathlib import Path

from jmtools.core.errors import ParameterError
from jmtools.sources._spec import SPECS

__all__ = ["TABLE_CONTENTS", "missing_table", "unread_fix", "archive_tables"]

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


def unread_fix(name: str, *, folder=None, read_from: str | None = None) -> str:
    """What to do with a file named for a table in a form no loader reads (``World.unread``), or
    a zip archive holding such files.

    Parameters
    ----------
    name : str
        The file's name.
    folder : path, optional
        Where it is: a zip archive's table files are then named.
    read_from : str, optional
        The file the same table is read from, when there is one (unzipping would replace it).

    Examples
    --------
    >>> unread_fix("events.jsonl.zip")
    'is a zip archive, which is not read: unzip it into the folder (the events.jsonl inside is read as it is).'
    >>> unread_fix("orders.csv.zip", read_from="orders.csv")
    'is a zip archive, which is not read: the orders table is read from orders.csv.'
    >>> unread_fix("orders.numbers")[:60]
    'is named for a table but is not read: save it as CSV, Parque'
    """
    if name.endswith("/"):          # a table's folder without part files (D259)
        return ("is a folder named for a table but holds no Parquet, CSV, JSON-lines or Excel part file: put the table's part "
                "files in it (key=value subfolders are read as partitions), or remove it.")
    stem, dot, suffix = name.rpartition(".")
    kind = name.split(".")[0].lower()
    if dot and suffix.lower() in ("zip", "7z", "rar", "tar", "tgz", "bz2", "xz", "zst"):
        what = "zip" if suffix.lower() == "zip" else suffix.lower()
        if read_from:
            return f"is a {what} archive, which is not read: the {kind} table is read from {read_from}."
        tables = archive_tables(Path(folder) / name) if folder is not None else []
        inside = (f"the {', '.join(tables)} inside" if tables else f"the {stem} inside" if "." in stem
                  else "the file inside")
        verb = "unzip" if what == "zip" else "unpack"
        tail = "" if what == "zip" else "; .gz is read as it comes"
        are = "are read as they are" if len(tables) > 1 else "is read as it is"
        return f"is a {what} archive, which is not read: {verb} it into the folder ({inside} {are}{tail})."
    return ("is named for a table but is not read: save it as CSV, Parquet, Excel (.xlsx) or JSON lines "
            "(.jsonl, one object per line) under the same name.")


def archive_tables(path) -> list[str]:
    """The files of the zip archive ``path`` named for a table (``orders.csv`` in ``export.zip``),
    read from its list of contents only (nothing is unpacked); [] when it is not a readable zip.

    Examples
    --------
    >>> archive_tables("no-such.zip")
    []
    """
    import zipfile

    try:
        with zipfile.ZipFile(path) as archive:
            names = archive.namelist()[:10_000]
    except (OSError, zipfile.BadZipFile, ValueError):
        return []
    found = [n.rsplit("/", 1)[-1] for n in names if not n.endswith("/")]
    return [n for n in dict.fromkeys(found) if n.split(".")[0].lower() in SPECS and "." in n][:12]
