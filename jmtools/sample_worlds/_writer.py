"""Stream simulated chunks to CSV / Parquet files with stable ids, and reduce them to the truths."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from jmtools.core.spreadsheet import csv_frame
from jmtools.sample_worlds._truths import Tally

__all__ = ["World", "ChunkResult", "write_world", "truths_json", "TABLE_COLUMNS", "ALL_TABLES"]

_TS = pa.timestamp("us")

#: Columns and Arrow types of the tables every world writes (customers are per world).
TABLE_COLUMNS: dict[str, list[tuple[str, pa.DataType]]] = {
    "events": [("customer_id", pa.string()), ("timestamp", _TS), ("event", pa.string()),
               ("session_id", pa.string()), ("channel", pa.string()), ("value", pa.float64())],
    "surveys": [("survey_id", pa.string()), ("customer_id", pa.string()), ("timestamp", _TS),
                ("touchpoint", pa.string()), ("stage", pa.string()), ("metric", pa.string()),
                ("score", pa.int64())],
    "feedback": [("feedback_id", pa.string()), ("customer_id", pa.string()), ("timestamp", _TS),
                 ("text", pa.string()), ("touchpoint", pa.string()), ("stage", pa.string()),
                 ("source", pa.string()), ("rating", pa.int64())],
    "orders": [("order_id", pa.string()), ("customer_id", pa.string()), ("timestamp", _TS),
               ("amount", pa.float64()), ("items", pa.int64()), ("status", pa.string()),
               ("currency", pa.string())],
    "tickets": [("ticket_id", pa.string()), ("customer_id", pa.string()), ("timestamp", _TS),
                ("closed_timestamp", _TS), ("topic", pa.string()), ("channel", pa.string()),
                ("touchpoint", pa.string()), ("stage", pa.string()), ("text", pa.string())],
    "customer_personas": [("customer_id", pa.string()), ("persona", pa.string())],
}

#: Generated id columns: (column, prefix, digits).
_IDS = {"surveys": ("survey_id", "S", 8), "feedback": ("feedback_id", "F", 8),
        "orders": ("order_id", "O", 8), "tickets": ("ticket_id", "T", 7)}

#: Every table a world can write, in the order files are opened and listed.
ALL_TABLES = ("customers", "customer_personas", "events", "surveys", "feedback", "orders",
              "tickets")

#: Tables written as CSV in the committed samples (events stay Parquet).
_CSV_IN_SAMPLE = ("customers", "customer_personas", "surveys", "feedback", "orders", "tickets")

#: Gap that starts a new session (seconds).
SESSION_GAP_S = 30 * 60


@dataclass
class ChunkResult:
    """What a world's simulation of one chunk returns.

    ``tables`` maps a table name to column arrays: ``cust`` (position in the chunk) instead of
    ``customer_id``, times as integer seconds since 1970 (−1 for missing), codes for
    ``events.event`` / ``events.channel``. ``stats`` holds the arrays the world reduces to
    its truths (``World.reduce``) before the chunk is dropped. ``customer_rows`` lists the
    positions of the customers written to the customer table (default: every customer); the
    others keep their events and their row of ``customer_personas`` (a planted gap).
    """

    customers: dict[str, np.ndarray]
    tables: dict[str, dict[str, np.ndarray]]
    stats: dict[str, np.ndarray] = field(default_factory=dict)
    customer_rows: np.ndarray | None = None


@dataclass
class World:
    """A sample world: its simulation, truths and README (see ``ecommerce.py``, ``b2b.py``).

    ``tables`` names the tables the world has besides ``customers`` and
    ``customer_personas`` (always written); a table it does not have gets no file at all.
    """

    name: str
    code: int
    template: str
    default_customers: int
    id_prefix: str
    id_width: int
    customer_columns: list[tuple[str, pa.DataType]]
    event_names: list[str]
    channel_names: list[str]
    persona_names: list[str]
    simulate: Callable[[np.random.Generator, int], ChunkResult]
    reduce: Callable[[dict, dict], dict]
    truths: Callable[..., dict]
    readme: Callable[..., str]
    tables: tuple[str, ...] = ("events", "surveys", "feedback", "orders", "tickets")


def write_world(spec: World, out: Path, *, customers: int, seed: int, fmt: str,
                chunk_customers: int) -> dict:
    """Simulate ``customers`` in chunks and stream every table to ``out``; return a summary.

    Files of tables the world does not have (``surveys.csv`` beside a behaviour-only world)
    and twins in the other format are removed: a stale copy would be read as this world's.
    """
    csv_tables = _CSV_IN_SAMPLE if fmt == "sample" else ()
    schemas = dict(TABLE_COLUMNS, customers=spec.customer_columns)
    written = [t for t in ALL_TABLES if t in ("customers", "customer_personas", *spec.tables)]
    outputs = {t: (_CsvOut if t in csv_tables else _ParquetOut)(out, t, schemas[t])
               for t in written}
    for table in ALL_TABLES:
        keep = outputs[table].path.name if table in outputs else None
        for stale in (out / f"{table}.csv", out / f"{table}.parquet"):
            if stale.name != keep:
                stale.unlink(missing_ok=True)
    counters = {t: 0 for t in _IDS}
    tally = Tally()
    chunks = 0
    try:
        for k, start in enumerate(range(0, customers, chunk_customers)):
            n = min(chunk_customers, customers - start)
            rng = np.random.default_rng(np.random.SeedSequence([seed, spec.code, k]))
            result = spec.simulate(rng, n)
            ids = _ids(spec.id_prefix, start, n, spec.id_width)
            tally.add(spec.reduce(result.stats, dict(counters, customers=start)))
            for table, cols in _arrow_tables(spec, result, ids, counters).items():
                outputs[table].write(cols)
            del result
            chunks += 1
    finally:
        for o in outputs.values():
            o.close()
    rows = {t: o.rows for t, o in outputs.items()}
    files = {t: o.path.name for t, o in outputs.items()}
    truths = spec.truths(tally)
    truths["personas"]["truth_file"] = files["customer_personas"]
    truths = {"world": spec.name, "seed": seed, "customers": customers,
              "chunk_customers": chunk_customers,
              "tables": {t: {"file": files[t], "rows": rows[t]} for t in outputs}, **truths}
    return {"world": spec.name, "seed": seed, "customers": customers, "fmt": fmt,
            "chunks": chunks, "rows": rows, "truths": _plain(truths),
            "paths": {t: str(o.path) for t, o in outputs.items()}}


def truths_json(truths: dict) -> str:
    """The text of an answer-key file: the truths as indented JSON, one final newline."""
    return json.dumps(truths, indent=2, ensure_ascii=False) + "\n"


def _ids(prefix: str, start: int, n: int, width: int) -> pa.Array:
    numbers = pc.cast(pa.array(np.arange(start + 1, start + n + 1, dtype=np.int64)), pa.string())
    return pc.binary_join_element_wise(prefix, pc.utf8_lpad(numbers, width, "0"), "")


def _times(seconds: np.ndarray) -> pa.Array:
    seconds = np.asarray(seconds, dtype=np.int64)
    return pa.array(seconds * 1_000_000, type=_TS, mask=seconds < 0)


def _arrow_tables(spec: World, result: ChunkResult, ids: pa.Array, counters: dict) -> dict:
    personas = pa.array(spec.persona_names).take(pa.array(result.stats["persona"]))
    customers = pa.table({"customer_id": ids, **{
        c: pa.array(result.customers[c], type=t) for c, t in spec.customer_columns[1:]}})
    if result.customer_rows is not None:
        customers = customers.take(pa.array(np.asarray(result.customer_rows, dtype=np.int64)))
    tables = {
        "customers": customers,
        "customer_personas": pa.table({"customer_id": ids, "persona": personas}),
        "events": _events_table(spec, result.tables["events"], ids),
    }
    for name, cols in result.tables.items():
        if name not in spec.tables:
            raise KeyError(f"world {spec.name!r} simulated table {name!r}, which it does not "
                           f"declare in World.tables {spec.tables}")
        if name != "events":
            tables[name] = _generic_table(name, cols, ids, counters)
    return tables


def _events_table(spec: World, cols: dict, ids: pa.Array) -> pa.Table:
    cust = np.asarray(cols["cust"], dtype=np.int64)
    time = np.asarray(cols["timestamp"], dtype=np.int64)
    new_customer = np.r_[True, cust[1:] != cust[:-1]] if cust.size else np.empty(0, bool)
    new_session = new_customer | np.r_[True, np.diff(time) > SESSION_GAP_S][:cust.size]
    running = np.cumsum(new_session)
    first = np.maximum.accumulate(np.where(new_customer, running, 0)) if cust.size else running
    session = running - first + 1
    customer_id = ids.take(pa.array(cust))
    session_id = pc.binary_join_element_wise(
        customer_id, pc.utf8_lpad(pc.cast(pa.array(session), pa.string()), 3, "0"), "-S")
    return pa.table({
        "customer_id": customer_id,
        "timestamp": _times(time),
        "event": pa.array(spec.event_names).take(pa.array(cols["event"])),
        "session_id": session_id,
        "channel": pa.array(spec.channel_names).take(pa.array(cols["channel"])),
        "value": pa.array(np.asarray(cols["value"], dtype=float), type=pa.float64(),
                          from_pandas=True),
    })


def _generic_table(name: str, cols: dict, ids: pa.Array, counters: dict) -> pa.Table:
    n = len(cols["cust"])
    out = {}
    for column, typ in TABLE_COLUMNS[name]:
        if name in _IDS and column == _IDS[name][0]:
            _, prefix, width = _IDS[name]
            out[column] = _ids(prefix, counters[name], n, width)
            counters[name] += n
        elif column == "customer_id":
            out[column] = ids.take(pa.array(np.asarray(cols["cust"], dtype=np.int64)))
        elif typ == _TS:
            out[column] = _times(cols[column])
        elif typ == pa.int64():
            values = np.asarray(cols[column], dtype=np.int64)
            out[column] = pa.array(values, type=typ, mask=values < 0)
        elif typ == pa.float64():
            out[column] = pa.array(np.asarray(cols[column], dtype=float), type=typ)
        else:
            out[column] = pa.array(np.asarray(cols[column]).astype(str), type=typ)
    return pa.table(out)


class _ParquetOut:
    def __init__(self, out: Path, table: str, columns):
        self.path = out / f"{table}.parquet"
        self.schema = pa.schema(columns)
        self.rows = 0
        self._writer = None

    def write(self, table: pa.Table) -> None:
        import pyarrow.parquet as pq

        table = table.cast(self.schema)
        if self._writer is None:
            self._writer = pq.ParquetWriter(self.path, self.schema, compression="zstd")
        self._writer.write_table(table, row_group_size=max(table.num_rows, 1))
        self.rows += table.num_rows

    def close(self) -> None:
        import pyarrow.parquet as pq

        if self._writer is None:
            pq.write_table(self.schema.empty_table(), self.path, compression="zstd")
        else:
            self._writer.close()


class _CsvOut:
    def __init__(self, out: Path, table: str, columns):
        self.path = out / f"{table}.csv"
        self.schema = pa.schema(columns)
        self.rows = 0
        self._started = False

    def write(self, table: pa.Table) -> None:
        import pandas as pd

        frame = table.cast(self.schema).to_pandas(
            types_mapper={pa.int64(): pd.Int64Dtype()}.get)
        # no generated text starts like a formula today; csv_frame keeps it so (OWASP)
        csv_frame(frame).to_csv(self.path, mode="a" if self._started else "w",
                                header=not self._started, index=False,
                                date_format="%Y-%m-%d %H:%M:%S", lineterminator="\n")
        self._started = True
        self.rows += table.num_rows

    def close(self) -> None:
        if not self._started:
            self.write(self.schema.empty_table())


def _plain(value):
    """Make numpy scalars JSON-serialisable, rounding floats to 4 decimals."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return None if np.isnan(value) else round(float(value), 4)
    if isinstance(value, np.bool_):
        return bool(value)
    return value
