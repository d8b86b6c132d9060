"""File lines of CSV records, when a record is not one line.

DuckDB numbers the records of a CSV file (the header is 1), and counts blank lines but not
the line breaks inside quoted values. A feedback export whose texts span several lines would
then be reported at the wrong lines. :class:`CsvLines` maps each record to the line of the
file where it starts: it counts the file's line breaks first (one fast pass), and only when
they differ from the records does it walk the file with :mod:`csv`, up to the last record
asked for.
"""

from __future__ import annotations

import csv
import gzip
from pathlib import Path

#: Delimiters tried, in this order, when the loader was not told one.
_DELIMITERS = (",", ";", "\t", "|")
#: Python codec of each encoding DuckDB reads natively (the BOM of UTF-8 is skipped).
_CODECS = {"utf-8": "utf-8-sig", "utf-16": "utf-16", "latin-1": "latin-1"}


def _open(path: Path, encoding: str):
    codec = _CODECS.get(encoding, encoding)
    if path.suffix.lower() == ".gz":
        return gzip.open(path, "rt", encoding=codec, newline="", errors="replace")
    return open(path, encoding=codec, newline="", errors="replace")


class CsvLines:
    """Where the records of one CSV file start.

    Parameters
    ----------
    path : Path
        The file DuckDB read.
    encoding : str
        ``utf-8``, ``utf-16`` or ``latin-1``.
    read_options : dict
        The loader's DuckDB options (``delim``/``sep``, ``quote``).
    n_columns : int
        Columns DuckDB found.
    n_kept : int
        Records DuckDB kept.
    malformed : list of int
        DuckDB's line numbers of the records it refused.
    """

    def __init__(self, path: Path, encoding: str, read_options: dict, n_columns: int,
                 n_kept: int, malformed: list[int], skip: int = 0):
        self.path, self.encoding, self.n_columns, self.skip = path, encoding, n_columns, skip
        self.malformed = set(malformed)
        self.n_records = n_kept + len(self.malformed)
        self.delimiter = read_options.get("delim") or read_options.get("sep")
        self.quote = read_options.get("quote") or '"'
        self._simple: bool | None = None

    def simple(self) -> bool:
        """True when every record is one line (then DuckDB's numbers are file lines)."""
        if self._simple is None:
            breaks, last = 0, ""
            try:
                with _open(self.path, self.encoding) as handle:
                    for chunk in iter(lambda: handle.read(1 << 20), ""):
                        breaks += chunk.count("\n")
                        last = chunk[-1]
            except (OSError, UnicodeError, EOFError):
                return True  # cannot tell: keep DuckDB's numbers
            lines = breaks + (last not in ("\n", "\r", ""))
            self._simple = lines == 1 + self.skip + self.n_records
        return self._simple

    def locate(self, rows: list[int], malformed: list[int]) -> tuple[dict, dict]:
        """File lines of kept records (``rows``: 1-based among the records DuckDB kept) and of
        malformed ones (``malformed``: DuckDB's line numbers): two dicts, empty when unknown."""
        found_rows, found_bad = {}, {}
        wanted_rows, wanted_bad = set(rows), set(malformed)
        if not wanted_rows and not wanted_bad:
            return found_rows, found_bad
        old = csv.field_size_limit()
        csv.field_size_limit(1 << 30)
        try:
            with _open(self.path, self.encoding) as handle:
                reader = self._reader(handle)
                if reader is None:
                    return {}, {}
                inside, kept, end = 0, 0, self.skip   # line breaks inside records so far, kept records
                for record in reader:
                    start, end = end + 1, self.skip + reader.line_num
                    if not record:            # a blank line: DuckDB skips it, and counts it
                        continue
                    duck_line = start - inside
                    inside += end - start
                    if duck_line == 1 + self.skip:    # the header
                        continue
                    if duck_line in self.malformed:
                        if duck_line in wanted_bad:
                            found_bad[duck_line] = start
                    else:
                        kept += 1
                        if kept in wanted_rows:
                            found_rows[kept] = start
                    if len(found_rows) == len(wanted_rows) and len(found_bad) == len(wanted_bad):
                        break
        except (csv.Error, OSError, UnicodeError, EOFError):
            return {}, {}
        finally:
            csv.field_size_limit(old)
        return found_rows, found_bad

    def _reader(self, handle):
        for _ in range(self.skip):           # Excel's "sep=;" line above the header
            handle.readline()
        header = handle.readline()
        delimiters = [self.delimiter] if self.delimiter else list(_DELIMITERS)
        for delim in delimiters:
            if len(next(csv.reader([header], delimiter=delim, quotechar=self.quote), [])) \
                    == self.n_columns:
                handle.seek(0)
                for _ in range(self.skip):
                    handle.readline()
                return csv.reader(handle, delimiter=delim, quotechar=self.quote)
        return None
