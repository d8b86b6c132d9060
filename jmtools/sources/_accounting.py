"""What a load did with every row: read = used + rejected (+ rows that hold no data), with
reasons, lines and examples."""

from __future__ import annotations

from dataclasses import dataclass, field

from jmtools.core.engine import to_pandas
from jmtools.core.errors import DataError, Problem, format_lines
from jmtools.sources._local_days import DATED

__all__ = ["Accounting", "LoadedTable", "DeferredTable", "REASON_COLUMNS"]

#: Columns of :attr:`Accounting.reasons`.
REASON_COLUMNS = ["reason", "column", "n", "lines", "examples", "fix"]


@dataclass
class Accounting:
    """The accounting of one load.

    Attributes
    ----------
    source : str
        File name or a description of the input (``"pandas DataFrame"``).
    kind : str
        Canonical table kind (``events``, ``customers``, …).
    rows_read, rows_used, rows_rejected : int
        ``rows_read == rows_used + rows_rejected + rows_skipped`` always holds.
    reasons : pandas.DataFrame
        One row per reason: ``reason``, ``column``, ``n``, ``lines`` (first 1-based file lines,
        empty for inputs without lines), ``examples`` (offending values), ``fix``.
    notes : list of str
        What the load changed on the way (renamed columns, time-zone conversion…).
    rows_in_file : int or None
        The file's rows where they are not the rows read (a survey export with one column per
        question: each answer is a row read); None where every row read is a row of the file.
    rows_skipped : int
        Rows read that hold no data (D213): a survey's non-answers ("Don't know"), a
        spreadsheet's blank rows and totals row. Neither used nor rejected: nothing to fix.
    skipped : pandas.DataFrame
        Those rows by reason ("no answer", "blank row", "totals row"), as :attr:`reasons`.
    """

    source: str
    kind: str
    rows_read: int
    rows_used: int
    rows_rejected: int
    reasons: object = None
    notes: list[str] = field(default_factory=list)
    rows_in_file: int | None = None
    rows_skipped: int = 0
    skipped: object = None

    def __post_init__(self):
        import pandas as pd

        if self.reasons is None:
            self.reasons = pd.DataFrame(columns=REASON_COLUMNS)
        if self.skipped is None:
            self.skipped = pd.DataFrame(columns=REASON_COLUMNS)
        if self.rows_read != self.rows_used + self.rows_rejected + self.rows_skipped:
            raise AssertionError(f"accounting does not add up for {self.source}: {self.rows_read} != "
                                 f"{self.rows_used} + {self.rows_rejected} + {self.rows_skipped}")

    @property
    def rows_of_file(self) -> int:
        """The file's rows: :attr:`rows_in_file` where set, else the rows read."""
        return self.rows_read if self.rows_in_file is None else self.rows_in_file

    @property
    def ok(self) -> bool:
        """True when no row was rejected."""
        return self.rows_rejected == 0

    def problems(self) -> list[Problem]:
        """The rejections as located :class:`~jmtools.core.errors.Problem` objects."""
        out = []
        for r in self.reasons.itertuples(index=False):
            lines = tuple(int(x) for x in (r.lines or ()))
            examples = ", ".join(repr(e) for e in list(r.examples or ())[:3])
            msg = f"{r.n} row{'s' if r.n != 1 else ''} rejected: {r.reason}"
            if examples:
                msg += f" (e.g. {examples})"
            out.append(Problem(msg, fix=r.fix or "", source=self.source, column=_text(r.column),
                               lines=lines, line=lines[0] if lines else None))
        return out

    def raise_if_rejected(self) -> None:
        """Raise :class:`~jmtools.core.errors.DataError` listing every reason, if any row was rejected."""
        if self.rows_rejected:
            raise DataError(self.problems(), source=self.source)

    def to_frame(self):
        """One-row summary: source, kind, rows_read, rows_used, rows_rejected, share_rejected."""
        import pandas as pd

        share = self.rows_rejected / self.rows_read if self.rows_read else 0.0
        return pd.DataFrame([{"kind": self.kind, "source": self.source, "rows_read": self.rows_read,
                              "rows_used": self.rows_used, "rows_rejected": self.rows_rejected,
                              "share_rejected": share}])

    def __str__(self) -> str:
        head = (f"{self.source} ({self.kind}): {self.rows_read:,} rows read = "
                f"{self.rows_used:,} used + {self.rows_rejected:,} rejected"
                + (f" + {self.rows_skipped:,} no data ({self.skipped_words()})" if self.rows_skipped else ""))
        parts = [head] + [f"  - {n}" for n in self.notes]
        for r in self.reasons.itertuples(index=False):
            column = _text(r.column)
            where = f" [column '{column}'" if column else " ["
            if r.lines is not None and len(r.lines):
                where += ("; " if column else "") + "lines " + format_lines(list(r.lines))
            where += "]"
            ex = ", ".join(repr(e) for e in list(r.examples or ())[:3])
            parts.append(f"  - {r.n:,} × {r.reason}{where if where != ' []' else ''}"
                         + (f" e.g. {ex}" if ex else ""))
            if r.fix:
                parts.append(f"    Fix: {r.fix}")
        return "\n".join(parts)

    def skipped_words(self) -> str:
        """The rows that hold no data, by reason with their count and examples; "" when none.

        Examples
        --------
        >>> import pandas as pd
        >>> a = Accounting("s.csv", "surveys", 5, 2, 0, rows_skipped=3, skipped=pd.DataFrame(
        ...     [("no answer", "score", 3, [4, 7], ["Don't know", "N/A"], "")], columns=REASON_COLUMNS))
        >>> print(a.skipped_words())
        no answer: 3 (“Don't know”, “N/A”; lines 4, 7 …)
        """
        said = []
        for r in self.skipped.itertuples(index=False):
            examples = ", ".join(dict.fromkeys(f"“{e}”" for e in list(r.examples or ()) if e))
            lines = format_lines([int(x) for x in r.lines]) if r.lines is not None and len(r.lines) else ""
            lines += " …" if lines and int(r.n) > len(r.lines) else ""
            where = "; ".join(x for x in (examples, f"lines {lines}" if lines else "") if x)
            said.append(f"{r.reason}: {int(r.n):,}" + (f" ({where})" if where else ""))
        return "; ".join(said)

    def _repr_html_(self) -> str:
        import html

        return f"<pre>{html.escape(str(self))}</pre>"


def _text(value) -> str | None:
    """A reason's column: text, or None (a malformed line has none; pandas may hold NaN)."""
    return value if isinstance(value, str) and value else None


@dataclass
class LoadedTable:
    """A validated canonical table and the accounting of its load.

    Attributes
    ----------
    kind : str
        ``events``, ``customers``, ``surveys``, ``feedback``, ``orders`` or ``tickets``.
    table : ibis.Table
        The rows used, canonical columns first (events also keep ``_row``, the input row
        order used to break timestamp ties, and ``_dated`` when some of their times were
        written as a date alone: true on those rows, D140). Runs on DuckDB unless the input
        lived elsewhere.
    accounting : Accounting
        Rows read, used, rejected, with reasons.
    options : dict or None
        The loader options it was loaded with (``{"tz": …}``), when loaded from a folder by
        :func:`jmtools.sources.load_world`; None when unknown.
    """

    kind: str
    table: object
    accounting: Accounting
    options: dict | None = None

    @property
    def source(self) -> str:
        return self.accounting.source

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(self.table.columns)

    def to_pandas(self):
        """The table as a pandas DataFrame (without the internal ``_row`` and ``_dated`` columns)."""
        t = self.table
        if "_row" in t.columns:
            t = t.order_by("_row").drop("_row")
        return to_pandas(t.drop(DATED) if DATED in t.columns else t)

    def __len__(self) -> int:
        return self.accounting.rows_used

    def __repr__(self) -> str:
        a = self.accounting
        return (f"<LoadedTable {self.kind} from {a.source}: {a.rows_used:,} rows used, "
                f"{a.rows_rejected:,} rejected; columns {', '.join(c for c in self.columns if c not in ('_row', DATED))}>")


class DeferredTable(LoadedTable):
    """A table file that is read and validated the first time its rows or accounting are used.

    :func:`jmtools.sources.load_world` gives the event log this way when asked
    (``defer=("events",)``): a report whose prepared evidence is cached never needs the rows,
    only what the load counted, which the cache keeps (:meth:`know`). ``source``, ``kind``
    and ``options`` are known without reading; ``table`` and ``accounting`` read the file
    once (errors are raised then, as an eager load raises them).

    Examples
    --------
    >>> from jmtools.sources import load_world
    >>> ev = load_world("sample:b2b", defer=("events",)).tables["events"]
    >>> ev.loaded, ev.source
    (False, 'events.parquet')
    >>> ev.accounting.rows_used > 0, ev.loaded
    (True, True)
    """

    def __init__(self, kind: str, source: str, options: dict, load):
        self.kind, self.options, self._source, self._load = kind, dict(options), source, load
        self._done: LoadedTable | None = None
        self._known: Accounting | None = None
        self._frame = None

    @property
    def loaded(self) -> bool:
        """True once the file has been read."""
        return self._done is not None

    def _read(self) -> LoadedTable:
        if self._done is None:
            self._done = self._load()
        return self._done

    @property
    def table(self):
        return self._read().table

    @property
    def accounting(self) -> Accounting:
        if self._done is None and self._known is not None:
            return self._known
        return self._read().accounting

    @property
    def source(self) -> str:
        return self._source

    def to_pandas(self):
        """The rows as pandas: a copy of the frame given by :meth:`know` (read or not since),
        else read."""
        if self._frame is not None:
            return self._frame.copy()
        return super().to_pandas()

    def know(self, accounting: Accounting, frame=None) -> None:
        """Take ``accounting`` (of an earlier load of the same file, kept by a cache) as this
        table's, so that reading it is not needed to report it; with ``frame`` (what
        :meth:`to_pandas` gave then), the rows as pandas too. ``table`` still reads the file."""
        if accounting.source != self._source or accounting.kind != self.kind:
            raise ValueError(f"accounting of {accounting.source} ({accounting.kind}) given for "
                             f"{self._source} ({self.kind})")
        self._known, self._frame = accounting, frame
