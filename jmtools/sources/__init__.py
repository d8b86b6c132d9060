"""Load the data of a journey: events, customers, surveys, feedback, orders, tickets.

One way in for every source: a CSV, Parquet, Excel or JSON lines file (or a folder of Parquet files),
a pandas or polars DataFrame, a PyArrow table, an Ibis table or a Spark DataFrame.
Validation happens once, here: missing or misnamed columns raise a
:class:`~jmtools.core.errors.DataError` that names the closest existing column; bad rows
(unparseable values, missing ids, scores off their scale, duplicate ids, malformed CSV
lines) are rejected and counted with their file lines and examples. Every loader returns
a :class:`LoadedTable` whose :attr:`~LoadedTable.accounting` satisfies
``rows_read == rows_used + rows_rejected + rows_skipped`` (rows that hold no data: a survey's
"Don't know", a blank or totals row; D213).

Files are read by DuckDB directly (never through pandas) into the default in-process
connection (:func:`jmtools.core.engine.default_connection`); tables that live in Spark or a
warehouse are validated there with the same rules and stay there.

Timestamps become naive UTC: values with an offset (``2024-03-01T14:05:00+02:00``) are
converted; values without one are taken as UTC, or as local time in ``tz`` when given.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

from jmtools.core.engine import as_table, backend_of, default_connection
from jmtools.core.errors import DataError, ParameterError, Problem
from jmtools.core.metrics import SCALES, Scale
from jmtools.core.resources import resolve_data_dir
from jmtools.journey import Journey
from jmtools.sources._accounting import Accounting, DeferredTable, LoadedTable
from jmtools.sources.actors import with_actors
from jmtools.sources.cases import check_case_column
from jmtools.sources._amounts import AMOUNT_UNITS, HINT as CENTS_HINT, THOUSANDS_HINT, amount_divisor
from jmtools.sources._values import THUMBS_HINT
from jmtools.sources._numbers import DECIMALS
from jmtools.sources._constants import validate_constants
from jmtools.sources._duckdb import load_duckdb
from jmtools.sources._event_columns import with_named_columns
from jmtools.sources._excel import header_hint
from jmtools.sources._foreign import load_ibis
from jmtools.sources._ids import IdOverlap, id_overlap
from jmtools.sources._jsonl import json_shape
from jmtools.sources._loading_file import LOADING_FILE, in_loading_file, read_loading_file, renamed_values
from jmtools.sources._names import normalise_name
from jmtools.sources._missing import TABLE_CONTENTS, archive_tables, missing_table, unread_fix
from jmtools.sources._parts import (chosen, empty_table_folders, load_in_parts, load_listed, not_read_note,
                                    source_paths, table_folder, table_parts)
from jmtools.sources._spec import SPECS, Column, TableSpec
from jmtools.sources._stitch import check_options
from jmtools.sources._survey_scales import (asked_scales, conversion_note, converted_scores, ease_hint,
                                            reverse_note, reversed_metrics, turned_scores)

__all__ = [
    "load_events",
    "table_files",
    "table_parts", "source_paths", "TABLE_SUFFIXES",
    "journey_path",
    "load_customers",
    "load_surveys",
    "load_feedback",
    "load_orders",
    "load_tickets",
    "load_table",
    "load_world",
    "World",
    "LoadedTable",
    "DeferredTable",
    "Accounting",
    "SPECS",
    "Column",
    "TableSpec",
    "TABLE_CONTENTS",
    "missing_table",
    "unread_fix",
    "LOADING_FILE",
    "AMOUNT_UNITS",
    "CENTS_HINT",
    "THOUSANDS_HINT",
    "THUMBS_HINT",
    "DECIMALS",
    "IdOverlap",
    "id_overlap",
]

_ON_ERROR = ("reject", "raise")


def load_table(src, kind: str, *, columns: dict | None = None, time_format: str | None = None,
               tz: str | None = None, encoding: str | None = None, sheet=None, scales=None,
               on_error: str = "reject", source_name: str | None = None,
               read_options: dict | None = None, optional=True, metrics: dict | None = None,
               constants: dict | None = None, amount_unit: str | None = None,
               decimal: str | None = None, asked_on: dict | None = None,
               reverse: list | None = None, non_answers: list | None = None, stitch: str | None = None,
               keep_anonymous: bool = False) -> LoadedTable:
    """Load one canonical table of any ``kind``; the ``load_*`` functions call this.

    Parameters
    ----------
    src : path, DataFrame, pyarrow.Table, ibis.Table or pyspark DataFrame
        The input. Paths ending in ``.csv``/``.tsv``/``.txt``/``.gz`` are read as CSV
        (delimiter detected), ``.parquet``/``.pq`` as Parquet, a table's folder or a list of paths
        as one table's parts (D259), ``.xlsx`` as Excel, ``.jsonl``/``.ndjson``/``.json`` as JSON
        lines or a JSON array of objects (dotted nested keys; :mod:`jmtools.sources._jsonl`).
        A pandas frame may be in any layout (sliced, reversed, filtered, re-indexed; numpy,
        nullable, Arrow or categorical columns): its rows are taken in the order shown, its
        named index levels as columns (a column of the same name wins), an unnamed index not.
    kind : {"events", "customers", "surveys", "feedback", "orders", "tickets"}
        Which canonical table (see ``docs/contracts.md``).
    columns : dict, optional
        ``{canonical_name: name_in_the_input}`` for exports named differently, e.g.
        ``{"customer_id": "User ID", "timestamp": "Event Time"}``. Without it, names are
        matched exactly, then case- and space-insensitively (``"Customer ID"``).
    time_format : str, optional
        strptime format of text timestamps (``"%d/%m/%Y %H:%M"``), or ``"unix"`` /
        ``"unix_ms"`` / ``"unix_us"`` for epoch seconds / milliseconds / microseconds (GA4).
        Default: ISO 8601, and times as spreadsheets write them when the column shows the order.
    tz : str, optional
        IANA zone of timestamps that carry no offset (``"Europe/Berlin"``); default UTC.
    encoding : str, optional
        Text encoding of a CSV file (default UTF-8; any Python codec name works).
    sheet : str or int, optional
        Excel sheet (default the first).
    scales : dict, optional
        Surveys only: ``{metric: (low, high)}`` or :class:`jmtools.core.metrics.Scale`, added to
        (or replacing) the default CSAT 1–5, NPS 0–10, CES 1–7.
    on_error : {"reject", "raise"}, default "reject"
        ``"reject"`` drops bad rows and counts them; ``"raise"`` raises a
        :class:`~jmtools.core.errors.DataError` listing every reason with lines and examples.
    source_name : str, optional
        Name used in messages (default: the file name).
    read_options : dict, optional
        Extra options for DuckDB's ``read_csv`` (``{"delim": ";"}``, ``{"skip": 2}``); not
        ``header`` or ``names``: the loader reads the header line itself, and a name written
        twice (``Labels, Labels``) is read as ``Labels``, ``Labels.1``, as pandas reads it. A
        repeated name the table needs (or one named in ``columns``) is an error that says how
        to pick a copy: ``columns={"text": "Comment.1"}`` (``Comment.0`` is the first copy).
    metrics : dict, optional
        Surveys only, for an export with one column per question (Qualtrics, Typeform, an
        NPS tool's ``Score``): ``{metric: column}``, e.g. ``{"nps": "Q1", "csat": "Q2"}``;
        each answer becomes a row with that ``metric`` and its ``score``, blank answers none.
    constants : dict, optional
        One value for every row of a column the input lacks, e.g. ``{"touchpoint":
        "checkout_page"}`` for a survey export about one page, ``{"metric": "nps"}`` for an NPS
        tool's scores. Read, checked and counted like a column of the file. A column the
        input has, an id column, a name that is no column of ``kind`` or a value that is not
        text or a number is refused.
    amount_unit : {"units", "cents", "thousandths"}, optional
        Orders only: the unit ``amount`` is written in. ``"cents"`` divides the amounts by 100
        (Stripe writes ``6109`` for 61.09 EUR), ``"thousandths"`` by 1,000 (KWD, BHD). Without
        it amounts are read as written, and a note suggests ``cents`` when every amount is a
        whole number of 100 or more written without decimals beside a currency column.
    decimal : {",", "."}, optional
        The decimal separator of the numbers (``amount``, ``score``, ``rating``, ``value``)
        written as text; the other mark, spaces and apostrophes then separate thousands. Give
        ``","`` for German or French amounts written without decimals (``1.200`` is twelve
        hundred, not 1.2). Without it, the separator is taken from the values where they show
        it (``12,50``), and a number such as ``1.200`` is read as written.
    asked_on : dict, optional
        Surveys only: ``{metric: [low, high]}``, the scale a kit metric was asked on when it is
        not the kit's (``{"csat": [1, 10]}``). Answers are checked on that scale and converted
        linearly to the kit's (CSAT 1–5, CES 1–7), so every figure, chart and report reads them
        there; a note says how (the share of 4–5 is then the share of answers 8–10). Without it,
        a metric whose answers clearly lie on another scale is rejected whole, with that scale.
    reverse : list, optional
        Surveys only: metrics asked the other way round, ``["ces"]`` for a "How easy was it?
        (1–7)" where 7 is the easiest (the kit's CES: 7 is the most effort). Their answers are
        turned round, ``low + high − score`` on the scale asked, before ``asked_on`` converts
        them; a note says so. Undeclared, a CES question about ease only gets a note (D195).
    non_answers : list of str, optional
        Surveys only: more answers that mean no answer (``["Unsure (99)", "99"]``), besides
        "Don't know", "N/A", "Prefer not to say", "Weiß nicht", "Ne sais pas"…
        (:data:`jmtools.sources._not_data.NON_ANSWERS`). Such a score is counted as no answer,
        neither used nor rejected (``accounting.rows_skipped``, D213).
    stitch : str, optional
        The anonymous (device) id column of an app export: a row without a customer id takes the
        first customer its device carries; devices never identified are one counted rejection (D244).
    keep_anonymous : bool, default False
        With ``stitch``: keep those devices as visitors of their own, ``anonymous:<device id>``.
    optional : bool or list of str, default True
        Which columns beyond the required ones to keep: all (True), none (False; the leanest
        table for large event logs), or the listed canonical/attribute names.

    Returns
    -------
    LoadedTable
        ``.table`` (Ibis), ``.to_pandas()``, ``.accounting``.

    Examples
    --------
    >>> import pandas as pd
    >>> raw = pd.DataFrame({"User": ["u1", "u2", None],
    ...                     "When": ["2024-03-01 10:00", "2024-03-01T12:00:00+02:00", "2024-03-02"],
    ...                     "event": ["view", "cart", "view"]})
    >>> ev = load_table(raw, "events", columns={"customer_id": "User", "timestamp": "When"})
    >>> ev.to_pandas()
      customer_id           timestamp event
    0          u1 2024-03-01 10:00:00  view
    1          u2 2024-03-01 10:00:00  cart
    >>> print(ev.accounting)
    DataFrame (events): 3 rows read = 2 used + 1 rejected
      - row numbers are 1-based positions in the input (it has no file lines)
      - 1 × missing customer_id [column 'customer_id'; lines 3] e.g. None
        Fix: every row needs a value in customer_id
    """
    if kind not in SPECS:
        raise ParameterError("kind", kind, expected=list(SPECS))
    if on_error not in _ON_ERROR:
        raise ParameterError("on_error", on_error, expected=list(_ON_ERROR))
    if columns is not None and not isinstance(columns, dict):
        raise ParameterError("columns", columns, expected="a dict {canonical_name: input_column}")
    spec = SPECS[kind]
    if asked_on is not None and kind != "surveys":
        raise ParameterError("asked_on", asked_on, expected="None: asked_on= is the scale survey answers were asked on")
    if reverse is not None and kind != "surveys":
        raise ParameterError("reverse", reverse, expected="None: reverse= turns survey answers round")
    if non_answers is not None and (kind != "surveys" or not isinstance(non_answers, (list, tuple))):
        raise ParameterError("non_answers", non_answers, expected="a list of the answers that mean no answer "
                             "(surveys), e.g. ['Unsure (99)']")
    asked, turned = asked_scales(asked_on), reversed_metrics(reverse)
    scale_map = {**_scales(scales), **asked} if kind == "surveys" else None
    if not isinstance(optional, (bool, list, tuple)):
        raise ParameterError("optional", optional, expected="True, False or a list of column names")
    if metrics is not None and kind != "surveys":
        raise ParameterError("metrics", metrics, expected="None: metrics= turns survey questions into rows")
    if amount_unit is not None and kind != "orders":
        raise ParameterError("amount_unit", amount_unit, expected="None: amount_unit= is the unit of "
                             "orders' amount", fix="pass it to load_orders (orders: in loading.yaml)")
    amount_divisor(amount_unit)
    if decimal is not None and decimal not in DECIMALS:
        raise ParameterError("decimal", decimal, expected=list(DECIMALS),
                             fix="',' when 1.200 means twelve hundred and 12,50 twelve and a half; '.' for 1,200.50")
    if constants is not None:
        validate_constants(constants, spec)
    check_options(kind, stitch, keep_anonymous)
    if constants and optional is not True:      # a constant is a column asked for
        optional = [*(optional or ()), *constants]
    def one(src, source_name=source_name, partition=None):
        try:
            return _dispatch(src, spec, partition=partition, columns=columns, time_format=time_format, tz=tz, encoding=encoding,
                             sheet=sheet, scales=scale_map, source_name=source_name, optional=optional,
                             read_options=read_options, metrics=metrics, constants=constants,
                             amount_unit=amount_unit, decimal=decimal, non_answers=non_answers,
                             stitch=stitch, keep_anonymous=keep_anonymous)
        except DataError as err:        # an Excel header lower than the row read: say which row (D191)
            hinted = header_hint(err, src, sheet, kind, normalise_name)
            if hinted is err:
                raise
            raise hinted from None

    parts = table_parts(src)        # a folder of parts read one by one, or several paths: one table (D259, D264)
    loaded = one(src) if parts is None else load_in_parts(src, parts, one, kind, source_name)
    if turned:    # asked the other way round: turned before any conversion (D195)
        loaded = LoadedTable(loaded.kind, turned_scores(loaded.table, turned, asked), loaded.accounting)
        loaded.accounting.notes.extend(reverse_note(m, asked.get(m, SCALES[m])) for m in turned)
    if asked:     # checked on the scale asked, read on the kit's (D175)
        loaded = LoadedTable(loaded.kind, converted_scores(loaded.table, asked), loaded.accounting)
        loaded.accounting.notes.extend(conversion_note(m, s) for m, s in asked.items())
    hint = ease_hint(metrics, turned) if kind == "surveys" else None
    if hint:
        loaded.accounting.notes.append(hint)
    if on_error == "raise":
        loaded.accounting.raise_if_rejected()
    return loaded


#: Options done in DuckDB, and what to do instead for a table that lives in another engine.
_IN_THE_ENGINE = {"tz": "convert timestamps to UTC in the engine before loading",
                  "metrics": "unpivot the answers in the engine first",
                  "constants": "add the column in the engine first (e.g. withColumn(name, lit(value)))",
                  "amount_unit": "divide the amounts in the engine first",
                  "decimal": "cast the numbers in the engine first",
                  "non_answers": "set the scores of non-answers to NULL in the engine first"}


def _dispatch(src, spec, **kw):
    import ibis.expr.types as ir

    if hasattr(src, "sparkSession") and hasattr(src, "createOrReplaceTempView"):
        src = as_table(src, name=spec.kind)
    if isinstance(src, ir.Table):
        con = backend_of(src)
        if con.name != "duckdb":
            for name, fix in _IN_THE_ENGINE.items():
                if kw.get(name):
                    raise ParameterError(name, kw[name], expected="None for tables in another engine",
                                         fix=fix)
            return load_ibis(src, spec, columns=kw["columns"], time_format=kw["time_format"],
                             scales=kw["scales"], source_name=kw["source_name"], optional=kw["optional"],
                             stitch=kw["stitch"], keep_anonymous=kw["keep_anonymous"])
        view = con.create_view(f"jm_{spec.kind}_input_{id(src)}", src, overwrite=True)
        return load_duckdb(view.get_name(), spec, con=con, _is_view=True, **kw)
    return load_duckdb(src, spec, con=default_connection(), **kw)


def _scales(scales) -> dict:
    out = dict(SCALES)
    for name, s in (scales or {}).items():
        if isinstance(s, Scale):
            out[name.lower()] = s
        elif isinstance(s, (tuple, list)) and len(s) == 2 and all(isinstance(x, (int, float)) for x in s):
            out[name.lower()] = Scale(name.lower(), s[0], s[1], SCALES.get(name.lower(), Scale(
                name, 0, 1)).higher_is_better)
        else:
            raise ParameterError(f"scales[{name!r}]", s, expected="a (low, high) tuple or a Scale")
    return out


def load_events(src, *, columns=None, time_format=None, tz=None, **options) -> LoadedTable:
    """Load events (``customer_id``, ``timestamp``, ``event``; optional ``session_id``, ``channel``, ``value``).

    The kept table also has ``_row``, the input order that breaks timestamp ties.
    Options are those of :func:`load_table`.

    Examples
    --------
    >>> import pandas as pd
    >>> ev = load_events(pd.DataFrame({"customer_id": ["a", "a"], "timestamp": ["2024-01-01", "bad"],
    ...                                "event": ["view", "buy"]}))
    >>> ev.accounting.rows_used, ev.accounting.rows_rejected
    (1, 1)
    """
    return load_table(src, "events", columns=columns, time_format=time_format, tz=tz, **options)


def load_customers(src, *, columns=None, **options) -> LoadedTable:
    """Load customers (``customer_id`` unique, plus any attributes; types of text columns are inferred).

    Examples
    --------
    >>> import pandas as pd
    >>> cu = load_customers(pd.DataFrame({"customer_id": ["a", "a", "b"], "age": [30, 31, 40]}))
    >>> cu.accounting.reasons[["reason", "n"]]
                    reason  n
    0  duplicate customer_id  1
    """
    return load_table(src, "customers", columns=columns, **options)


def load_surveys(src, *, columns=None, scales=None, time_format=None, tz=None, **options) -> LoadedTable:
    """Load survey answers (``customer_id``, ``timestamp``, ``metric``, ``score``; ``touchpoint``/``stage``).

    ``metric`` is lower-cased; answers to unknown metrics or off their scale are rejected.

    Examples
    --------
    >>> import pandas as pd
    >>> sv = load_surveys(pd.DataFrame({"customer_id": ["a", "b"], "timestamp": ["2024-01-01"] * 2,
    ...                                 "metric": ["CSAT", "csat"], "score": [5, 7]}))
    >>> list(sv.accounting.reasons["reason"])
    ['csat score outside 1–5']
    """
    return load_table(src, "surveys", columns=columns, scales=scales, time_format=time_format, tz=tz,
                      **options)


def load_feedback(src, *, columns=None, time_format=None, tz=None, **options) -> LoadedTable:
    """Load feedback texts (``feedback_id`` unique, ``customer_id``, ``timestamp``, ``text``)."""
    return load_table(src, "feedback", columns=columns, time_format=time_format, tz=tz, **options)


def load_orders(src, *, columns=None, time_format=None, tz=None, **options) -> LoadedTable:
    """Load orders (``order_id`` unique, ``customer_id``, ``timestamp``, ``amount``)."""
    return load_table(src, "orders", columns=columns, time_format=time_format, tz=tz, **options)


def load_tickets(src, *, columns=None, time_format=None, tz=None, **options) -> LoadedTable:
    """Load support tickets (``ticket_id`` unique, ``customer_id``, ``timestamp``; ``closed_timestamp``…)."""
    return load_table(src, "tickets", columns=columns, time_format=time_format, tz=tz, **options)


@dataclass
class World:
    """The loaded tables of one data folder, with the journey and each table's accounting.

    Attributes
    ----------
    folder : pathlib.Path
    journey : jmtools.journey.Journey or None
    tables : dict of str to LoadedTable
        The kinds found in the folder (``events``, ``customers``, …).
    """

    folder: Path
    journey: object = None
    tables: dict = field(default_factory=dict)
    #: Files named for a table in a format no loader reads (``events.json``): said, not skipped silently.
    unread: list = field(default_factory=list)

    def __getattr__(self, kind):
        if kind in SPECS:
            return self.__dict__.get("tables", {}).get(kind)
        raise AttributeError(kind)

    @property
    def accounting(self):
        """One row per loaded table: kind, source, rows_read, rows_used, rows_rejected, share_rejected."""
        import pandas as pd

        frames = [t.accounting.to_frame() for t in self.tables.values()]
        return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(
            columns=["kind", "source", "rows_read", "rows_used", "rows_rejected", "share_rejected"])

    def accounting_table(self):
        """One row per loaded table for readers: table, file, read, used, rejected, why rejected.

        ``why rejected`` joins each reason with its count (``"unparseable timestamp (37)"``);
        ``–`` when no row was rejected. When a table has rows that hold no data (a survey's
        "Don't know", a blank or totals row; D213), ``no data`` says them, read = used +
        rejected + no data.

        Examples
        --------
        >>> load_world("sample:b2b").accounting_table().columns.tolist()
        ['table', 'file', 'read', 'used', 'rejected', 'why rejected']
        """
        import pandas as pd

        table = pd.DataFrame([
            {"table": kind, "file": loaded.source, "read": loaded.accounting.rows_read,
             "used": loaded.accounting.rows_used, "rejected": loaded.accounting.rows_rejected,
             "why rejected": "; ".join(f"{r.reason} ({r.n:,})"
                                       for r in loaded.accounting.reasons.itertuples()) or "–",
             "no data": loaded.accounting.skipped_words() or "–"}
            for kind, loaded in self.tables.items()],
            columns=["table", "file", "read", "used", "rejected", "why rejected", "no data"])
        return table if (table["no data"] != "–").any() else table.drop(columns="no data")

    def __repr__(self) -> str:
        kinds = ", ".join(f"{k} ({len(t):,})" for k, t in self.tables.items())
        return f"<World {self.folder.name}: {kinds}>"


#: File endings a table of a data folder may have (any case): ``events.csv``, ``Events.CSV``…
TABLE_SUFFIXES = (".parquet", ".pq", ".csv", ".csv.gz", ".tsv", ".txt", ".xlsx", ".xlsm", ".xls",
                  ".jsonl", ".ndjson", ".jsonl.gz", ".ndjson.gz", ".json", ".json.gz")


def table_files(folder, kind: str) -> list[Path]:
    """The files of ``folder`` that hold the table ``kind``, the one used first: named
    ``<kind><suffix>`` in any case (:data:`TABLE_SUFFIXES`), newest first (a fresh
    ``events.csv`` beside last month's ``events.parquet`` is the one meant); Excel's lock
    files (``~$events.xlsx``) and hidden files are not tables, nor is a ``.json`` file that
    holds neither JSON lines nor an array (:func:`_unread` names it).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> for name in ("Events.CSV", "~$events.xlsx", "orders.txt"):
    ...     _ = (d / name).write_text("x")
    >>> [p.name for p in table_files(d, "events")], [p.name for p in table_files(d, "orders")]
    (['Events.CSV'], ['orders.txt'])
    """
    folder = Path(folder)
    try:
        names = os.listdir(folder)
    except OSError:
        return []
    wanted = {f"{kind}{s}" for s in TABLE_SUFFIXES}
    found = [folder / n for n in names if not (folder / n).is_dir() and n.lower() in wanted
             and not _unreadable_json(folder / n)]
    found += [folder / n for n in names if (folder / n).is_dir() and table_folder(folder / n, kind)]
    return sorted(found, key=lambda p: (-p.stat().st_mtime, p.name))


def load_world(folder, journey=None, *, options: dict | None = None, defer=()) -> World:
    """Load every canonical table found in ``folder`` (``events.csv``, ``customers.parquet``…).

    Parameters
    ----------
    folder : str or path
        A folder with files named after the table kinds (any case; :func:`table_files`);
        when a kind has several files the newest is read and a note names the others.
        ``"sample:ecommerce"`` or ``"sample:b2b"`` name a bundled sample world (see
        :func:`jmtools.core.resources.resolve_data_dir`); a relative path starts from the
        current working directory.
    journey : path or Journey, optional
        The journey file; default ``journey.yaml`` in the folder, if there is one.
    options : dict, optional
        ``{kind: {loader options}}``, e.g. ``{"events": {"tz": "Europe/Berlin"}}``. The
        folder's ``loading.yaml``, when there is one, gives the same per table (so that a
        report, which takes no loader options, reads the files alike); ``options`` wins.
    defer : tuple of str, optional
        Kinds read only when first used (a :class:`DeferredTable`), e.g. ``("events",)`` for a
        run whose prepared evidence may come from a cache; their file errors are raised then.

    Returns
    -------
    World

    Raises
    ------
    jmtools.core.errors.ParameterError
        ``folder`` is not an existing folder nor a bundled sample world.

    Examples
    --------
    >>> world = load_world("sample:b2b")
    >>> world.folder.name, "events" in world.tables
    ('b2b', True)
    """
    folder = resolve_data_dir(folder)
    from_file = read_loading_file(folder, SPECS)
    options = {k: {**from_file.get(k, {}), **(options or {}).get(k, {})}
               for k in set(from_file) | set(options or {})}
    for kind in defer:
        if kind not in SPECS:
            raise ParameterError("defer", kind, expected=list(SPECS))
    tables = {}
    for kind in SPECS:
        files = table_files(folder, kind)
        how = dict(options.get(kind, {}))
        if not files and not how.get("parts"):
            continue
        path, others, name = chosen(folder, files, how.get("parts"))     # parts: one table (D259)
        if kind in defer:
            tables[kind] = DeferredTable(kind, how.get("source_name") or name, how,
                                         lambda path=path, kind=kind, how=how, others=others:
                                         _loaded(path, kind, how, others, from_file.get(kind)))
        else:
            tables[kind] = _loaded(path, kind, how, others, from_file.get(kind))
    unread = _unread(folder)
    if not tables:
        raise DataError([Problem(f"{name} {unread_fix(name, folder=folder)}", source=str(folder))
                         for name in unread] or [Problem(
            f"no table files in {str(folder)!r}: nothing a report could use", source=str(folder),
            fix="add at least one table named by its kind — events.csv (customer_id, timestamp, "
                "event), surveys.csv, feedback.csv, customers.csv, orders.csv or tickets.csv (or "
                ".parquet / .xlsx / .jsonl); docs/data.md says what each one fills")])
    return World(folder, _journey(folder, journey), tables, unread)


def _unread(folder: Path) -> list[str]:
    """Files named for a table kind with an ending no loader reads (``events.json``), and folders
    named for a table holding no part file (``events/`` empty, or of PDFs)."""
    try:
        names = sorted(os.listdir(folder))
    except OSError:
        return []
    return empty_table_folders(folder, names) + [n for n in names if not n.startswith((".", "~$")) and (folder / n).is_file() and "." in n and (
        (n.split(".")[0].lower() in SPECS
         and (not n.lower().endswith(TABLE_SUFFIXES) or _unreadable_json(folder / n)))
        or (n.lower().endswith(".zip") and archive_tables(folder / n)))]


def _unreadable_json(path: Path) -> bool:
    """A ``.json`` file holding neither JSON lines nor an array (one object over many lines)."""
    return path.name.lower().endswith((".json", ".json.gz")) and json_shape(path) is None


def _loaded(path: Path, kind: str, how: dict, others=(), from_file=None) -> LoadedTable:
    try:
        if how.get("parts"):
            loaded = load_listed(path.parent, kind, with_named_columns(how), load_table, drop=_AFTER_LOAD)
        else:     # the case and actor columns kept under optional (D264)
            loaded = load_table(path, kind, **{k: v for k, v in with_named_columns(how).items() if k not in _AFTER_LOAD})
        check_case_column(loaded, how.get("case"), path)
        with_actors(loaded, how, path)            # D256
    except DataError as err:
        if not any(from_file and k in from_file and from_file[k] is how.get(k) for k in _LOCATED):
            raise
        raise in_loading_file(err, path, kind, _LOCATED) from None
    loaded.options = how
    renamed = renamed_values(loaded, how["values"]) if how.get("values") else None   # D192
    loaded.accounting.notes.extend([renamed] if renamed else [])
    loaded.accounting.notes[:0] = [f"read with {', '.join(from_file)} from {LOADING_FILE}"] if from_file else []
    if others:
        loaded.accounting.notes.append(not_read_note(kind, path, others, bool(how.get("parts"))))
    return loaded


_LOCATED = ("constants", "read_options", "sheet", "case", "stitch", "actor")  # said at their line of loading.yaml
_AFTER_LOAD = ("values", "case", "case_name", "parts", "actor", "actor_name")  # applied to the loaded table



def journey_path(folder: str | Path) -> Path | None:
    """The journey file inside a data folder (``journey.yaml``, else ``journey.yml``), or None.

    Examples
    --------
    >>> import tempfile
    >>> journey_path(tempfile.mkdtemp()) is None
    True
    """
    folder = Path(folder)
    return next((p for p in (folder / "journey.yaml", folder / "journey.yml") if p.exists()), None)


def _journey(folder: Path, journey):
    if journey is None:
        journey = journey_path(folder)
        if journey is None:
            return None
    if isinstance(journey, (str, Path)):
        return Journey.load(journey)
    return journey
