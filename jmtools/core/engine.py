"""Where the computation runs: an in-process DuckDB by default, or the user's own engine.

Every analysis in jmtools is an Ibis expression. Data arrives as a file, a pandas or
polars DataFrame, a PyArrow table, an Ibis table on any backend, or a Spark DataFrame;
:func:`as_table` turns each into an Ibis table without copying more than needed, and the
expression then runs where the data lives (DuckDB in this process, Spark, a warehouse).
Only small aggregates come back to pandas (:func:`to_pandas`).

The default DuckDB connection is created on first use, with its session time zone set
to UTC so that time-zone aware values convert the same way on every machine.
"""

from __future__ import annotations

import itertools
import threading
from typing import Any

from jmtools.core.errors import ParameterError

__all__ = [
    "default_connection",
    "set_default_connection",
    "as_table",
    "backend_of",
    "is_duckdb",
    "to_pandas",
    "materialize",
    "unique_name",
    "small_table",
    "kept_answer",
]

_LOCK = threading.Lock()
_DEFAULT: Any = None
_SPARK_BACKENDS: dict[int, Any] = {}
_COUNTER = itertools.count(1)


def default_connection():
    """Return the shared in-process DuckDB connection (an Ibis backend), creating it once.

    Returns
    -------
    ibis.backends.duckdb.Backend
        Session time zone ``UTC``; tables loaded by :mod:`jmtools.sources` live here. The
        environment variable ``JMTOOLS_DUCKDB_MEMORY_LIMIT`` (e.g. ``1GB``) caps DuckDB's memory;
        beyond it DuckDB spills to a temporary directory instead of failing.

    Examples
    --------
    >>> con = default_connection()
    >>> con.name
    'duckdb'
    >>> default_connection() is con
    True
    """
    global _DEFAULT
    with _LOCK:
        if _DEFAULT is None:
            import os
            import tempfile

            import ibis

            limit = os.environ.get("JMTOOLS_DUCKDB_MEMORY_LIMIT")
            # spill to the system's temporary folder, never into the user's working folder
            spill = os.path.join(tempfile.gettempdir(), f"jmtools-duckdb-{os.getpid()}")
            config = {"temp_directory": spill, **({"memory_limit": limit} if limit else {})}
            con = ibis.duckdb.connect(**config)
            con.raw_sql("SET TimeZone = 'UTC'")
            con.raw_sql("SET enable_progress_bar = false")
            _DEFAULT = con
        return _DEFAULT


def set_default_connection(con) -> None:
    """Use ``con`` (an Ibis DuckDB backend) as the default connection from now on.

    Use it to give DuckDB a database file or a memory limit, e.g.
    ``set_default_connection(ibis.duckdb.connect("work.duckdb", memory_limit="1GB"))``.
    Passing ``None`` resets to a fresh in-memory connection on next use.
    """
    global _DEFAULT
    if con is not None and getattr(con, "name", None) != "duckdb":
        raise ParameterError("con", getattr(con, "name", type(con).__name__),
                             expected="an Ibis DuckDB backend (ibis.duckdb.connect())")
    with _LOCK:
        if con is not None:
            con.raw_sql("SET TimeZone = 'UTC'")
            con.raw_sql("SET enable_progress_bar = false")
        _DEFAULT = con


def unique_name(prefix: str) -> str:
    """Return a fresh table name such as ``jm_events_3`` (unique in this process).

    Examples
    --------
    >>> unique_name("events").startswith("jm_events_")
    True
    """
    return f"jm_{prefix}_{next(_COUNTER)}"


def _is_spark_dataframe(obj) -> bool:
    return hasattr(obj, "sparkSession") and hasattr(obj, "createOrReplaceTempView")


def _spark_backend(session):
    import ibis

    key = id(session)
    if key not in _SPARK_BACKENDS:
        _SPARK_BACKENDS[key] = ibis.pyspark.connect(session)
    return _SPARK_BACKENDS[key]


def as_table(data, *, name: str = "data"):
    """Return ``data`` as an Ibis table, on the engine where it lives.

    Parameters
    ----------
    data : ibis.Table, pandas.DataFrame, polars.DataFrame, pyarrow.Table or pyspark DataFrame
        Ibis tables are returned unchanged; Spark DataFrames become a table of an Ibis
        PySpark backend (same session); in-memory frames become Ibis memtables, which run
        on whichever backend they are combined with (DuckDB by default).
        An object with a ``.table`` attribute (what :mod:`jmtools.sources` loaders and
        :func:`jmtools.evidence.prepare` return) gives that table.
    name : str, default "data"
        Used in error messages and as the prefix of temporary view names.

    Returns
    -------
    ibis.Table

    Examples
    --------
    >>> import pandas as pd
    >>> t = as_table(pd.DataFrame({"customer_id": ["a"], "event": ["view"]}))
    >>> t.columns
    ('customer_id', 'event')
    """
    import ibis
    import ibis.expr.types as ir

    if isinstance(data, ir.Table):
        return data
    if hasattr(data, "table") and isinstance(getattr(data, "table"), ir.Table):
        return data.table
    if _is_spark_dataframe(data):
        con = _spark_backend(data.sparkSession)
        view = unique_name(name)
        data.createOrReplaceTempView(view)
        return con.table(view)
    module = type(data).__module__.split(".")[0]
    if module == "polars":
        return ibis.memtable(data.to_arrow())
    if module in ("pandas", "pyarrow"):
        return ibis.memtable(data)
    raise ParameterError(name, type(data).__name__,
                         expected="a pandas/polars DataFrame, a pyarrow Table, an Ibis table "
                                  "or a Spark DataFrame",
                         fix="load files with jmtools.sources.load_*() first")


def backend_of(table):
    """Return the Ibis backend an expression runs on (the default DuckDB for memtables only).

    Examples
    --------
    >>> import ibis
    >>> backend_of(ibis.memtable({"a": [1]})).name
    'duckdb'
    """
    try:
        return table._find_backend(use_default=False)
    except Exception:  # memtables only: they run on the default connection
        return default_connection()


def is_duckdb(table) -> bool:
    """True when ``table`` runs on DuckDB (or is an in-memory table that will).

    Examples
    --------
    >>> import ibis
    >>> is_duckdb(ibis.memtable({"a": [1]}))
    True
    """
    return getattr(backend_of(table), "name", None) == "duckdb"


def to_pandas(expr):
    """Execute ``expr`` on its engine and return a pandas DataFrame (or scalar).

    Examples
    --------
    >>> import ibis
    >>> to_pandas(ibis.memtable({"a": [1, 2]}).a.sum())
    3
    """
    import ibis.expr.types as ir

    con = backend_of(expr)
    if isinstance(expr, ir.Table):
        return con.to_pandas(expr)
    return con.execute(expr)


def small_table(frame, *, like=None, name: str = "lookup"):
    """A small pandas frame (a lookup, a ranking) as an Ibis table on the engine of ``like``.

    In-memory tables are handed to DuckDB directly; other engines get a temporary table,
    because some (Spark) cannot resolve in-memory tables inside cached expressions.

    Examples
    --------
    >>> import pandas as pd
    >>> small_table(pd.DataFrame({"a": [1]})).columns
    ('a',)
    """
    import ibis

    con = backend_of(like) if like is not None else None
    if con is None or con.name == "duckdb":
        return ibis.memtable(frame)
    view = unique_name(name)
    session = getattr(con, "_session", None)
    if con.name == "pyspark" and session is not None:
        session.createDataFrame(frame).createOrReplaceTempView(view)
        return con.table(view)
    return con.create_table(view, frame, temp=True)


def materialize(table, *, name: str = "table"):
    """Compute ``table`` once and keep the result where it runs (a DuckDB table, a cached Spark frame).

    Later questions then read the stored result instead of recomputing the expression.

    Examples
    --------
    >>> import ibis
    >>> t = materialize(ibis.memtable({"a": [3, 1]}).order_by("a"))
    >>> to_pandas(t)["a"].tolist()
    [1, 3]
    """
    con = backend_of(table)
    if con.name == "duckdb":
        return con.create_table(unique_name(name), table)
    return table.cache()


def kept_answer(evidence, key: tuple, compute):
    """A small result computed once per evidence: read from its ``answers`` when there, else
    computed by ``compute()`` and kept there.

    :attr:`Evidence.answers <jmtools.evidence.Evidence.answers>` lives as long as the evidence; a
    cached evidence's keeps the kinds :mod:`jmtools.pipeline._answers_cache` names on disk too,
    so a second report attaches no event table for them (D83). An object without ``answers``
    computes every time. The caller gets a copy: changing it changes nothing kept.

    Parameters
    ----------
    evidence : jmtools.evidence.Evidence or any object
    key : tuple
        The question and its arguments, first the kind (``("contacts", steps, level, by)``).
    compute : callable
        Returns the answer as a pandas DataFrame.

    Returns
    -------
    pandas.DataFrame

    Examples
    --------
    >>> import pandas as pd
    >>> class Ev:
    ...     answers = {}
    >>> calls = []
    >>> ask = lambda: calls.append(1) or pd.DataFrame({"n": [3]})
    >>> kept_answer(Ev, ("n",), ask)["n"].tolist(), kept_answer(Ev, ("n",), ask)["n"].tolist(), len(calls)
    ([3], [3], 1)
    """
    answers = getattr(evidence, "answers", None)
    if answers is not None and key in answers:
        return answers[key].copy()
    got = compute()
    if answers is not None:
        answers[key] = got.copy()
    return got
