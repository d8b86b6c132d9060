"""The files a report read, recorded for its sidecar: a table's one file, or each file of a table
in parts (a table's folder, ``parts:`` in loading.yaml; D259, D265)."""

from __future__ import annotations

import os

from jmtools.report.record import record_source
from jmtools.sources._parts import files_read

__all__ = ["record_table"]


def record_table(folder: str | os.PathLike, loaded, role: str) -> None:
    """Record each file of the data folder ``folder`` that the table ``loaded`` was read from: its
    one file with the table's rows, or each part file without them, since the rows are of no one
    part (D265).

    Examples
    --------
    >>> from jmtools.sources import load_world
    >>> world = load_world("sample:b2b")
    >>> record_table(world.folder, world.tables["events"], "events")
    """
    files = files_read(folder, loaded)
    for path in files:
        record_source(path, rows=loaded.accounting.rows_of_file if len(files) == 1 else None, role=role,
                      root=folder)  # D195
