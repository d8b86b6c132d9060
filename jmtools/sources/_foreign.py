"""Validate a table that lives in another engine (Spark, a warehouse) without moving it.

The same rules as for files, written as Ibis expressions so that they run where the data
is; only the counts of rejected rows and a few examples come back. Such tables have no
file lines and no input order, so rejections are reported with examples only.
"""

from __future__ import annotations

import datetime

from jmtools.core.engine import backend_of, to_pandas
from jmtools.sources._accounting import REASON_COLUMNS, Accounting, LoadedTable
from jmtools.sources._duckdb import TIME_FIX, _date_part
from jmtools.sources._local_days import DATED
from jmtools.sources._names import resolve_columns
from jmtools.sources._spec import NEGATIVE_AMOUNT, WITHOUT_CUSTOMER, TableSpec
from jmtools.sources._stitch import (ANONYMOUS, NEVER, STITCH_COUNTS, never_check, resolve_stitch, stitch_words,
                                     without_customer_words)
from jmtools.sources._survey_scales import off_scale_fix, other_scale_words, other_scales_ibis

__all__ = ["load_ibis"]


def _typed(v, kind: str, *, time_format, spark: bool = False):
    """(typed expression, missing condition, unparseable condition or None).

    Only text is parsed, so only text can be unparseable; typed columns are cast. On Spark a
    ``time_format`` is read as DuckDB reads it (D125, D185): a value it does not fit is no time
    (Spark's ``to_timestamp`` stops the whole query in ANSI mode), and the format's date part
    reads a date alone.
    """
    import ibis

    text = v.cast("string").strip().nullif("") if v.type().is_string() else v
    missing = text.isnull()
    if kind == "id":
        return v.cast("string").strip().nullif(""), missing, None
    if kind == "str":
        return v.cast("string"), missing, None
    if kind in ("float", "int"):
        typ = "float64" if kind == "float" else "int64"
        if not v.type().is_string():
            return v.cast(typ), missing, None
        e = text.try_cast(typ)
        return e, missing, text.notnull() & e.isnull()
    if v.type().is_timestamp() or v.type().is_date():
        return v.cast(ibis.dtype("timestamp")), missing, None
    if time_format and spark:
        day = _date_part(time_format)
        e = _spark_time(text, time_format)
        e = ibis.coalesce(e, _spark_time(text, day)) if day else e
    else:
        e = text.as_timestamp(time_format) if time_format else text.try_cast("timestamp")
    return e, missing, text.notnull() & e.isnull()


def _spark_time(text, time_format: str):
    """Spark's ``try_to_timestamp`` of ``text`` with the strptime ``time_format``, in the pattern
    Ibis writes for ``as_timestamp`` on Spark: NULL where it does not fit."""
    import ibis
    from ibis.backends.sql.dialects import PySpark
    from sqlglot import exp

    pattern = PySpark().generator().format_time(
        exp.StrToTime(this=exp.column("t"), format=exp.Literal.string(time_format)))
    return _try_to_timestamp()(text, ibis.literal(pattern.strip("'")))


def _try_to_timestamp():
    """Spark's own ``try_to_timestamp`` as an Ibis function."""
    import ibis

    @ibis.udf.scalar.builtin(name="try_to_timestamp")
    def parse(value: str, pattern: str) -> datetime.datetime:
        """Spark SQL's try_to_timestamp."""
    return parse


def load_ibis(table, spec: TableSpec, *, columns=None, time_format=None, scales=None,
              source_name: str | None = None, optional=True, stitch=None, keep_anonymous=False) -> LoadedTable:
    """Validate an Ibis table on a non-DuckDB backend; see :func:`jmtools.sources.load_events`."""
    import ibis
    import pandas as pd

    label, spark = source_name or f"{backend_of(table).name} table", backend_of(table).name == "pyspark"
    mapping, notes = resolve_columns(list(table.columns), spec, columns, label, optional)
    device = resolve_stitch(stitch, list(table.columns), label) if stitch else None
    if device:       # the anonymous rows take their device's first customer, in the engine (D244)
        table = _stitched(table, mapping, device, time_format=time_format, spark=spark, keep_anonymous=keep_anonymous)
    exprs, checks = {}, []
    for col in spec.columns:
        if col.name not in mapping:
            continue
        e, missing, bad = _typed(table[mapping[col.name]], col.kind, time_format=time_format, spark=spark)
        exprs[col.name] = e
        raw = table[mapping[col.name]].cast("string")
        if col.required and not (spec.kind in WITHOUT_CUSTOMER and col.name == "customer_id"):  # D244
            checks.append((missing, f"missing {col.name}", col.name, raw, f"every row needs a value in {col.name}"))
        if bad is not None:
            checks.append((bad, f"unparseable {col.name}", col.name, raw,
                           TIME_FIX if col.kind == "timestamp" else f"{col.name} must be a number"))
    if spec.kind == "surveys":
        metric = exprs["metric"].strip().lower()
        exprs["metric"] = metric
        score = exprs["score"]
        checks.append((~metric.isin(list(scales)), "unknown metric", "metric", metric,
                       f"metric must be one of {', '.join(scales)}"))
        for m, seen in other_scales_ibis(table, metric, score, scales).items():   # rejected whole, as in DuckDB (D186)
            reason, fix = other_scale_words(m, seen, scales[m])
            checks.append(((metric == m) & score.notnull(), reason, "score", score.cast("string"), fix))
        for m, s in scales.items():
            checks.append(((metric == m) & score.notnull() & ((score < s.low) | (score > s.high)),
                           f"{m} score outside {s.low}–{s.high}", "score", score.cast("string"), off_scale_fix(m)))
    if device and not keep_anonymous and spec.kind not in WITHOUT_CUSTOMER:    # counted, first (D244)
        checks.insert(0, (table._st_stitched & table._st_n.isnull(), NEVER, "customer_id", table._st_dev,
                          never_check(device)[4]))
    if spec.kind == "orders" and "amount" in exprs:
        checks.append((exprs["amount"] < 0, *NEGATIVE_AMOUNT[:1], "amount", exprs["amount"].cast("string"),
                       NEGATIVE_AMOUNT[1]))
    for c, s in mapping.items():
        if spec.column(c) is None:
            exprs[c] = table[s]
    reason = ibis.cases(*[(cond, r) for cond, r, *_ in checks], else_=ibis.null("string")) \
        if checks else ibis.null("string")
    column = ibis.cases(*[(cond, c) for cond, _, c, *_ in checks], else_=ibis.null("string")) \
        if checks else ibis.null("string")
    bad = ibis.cases(*[(cond, v) for cond, _, _, v, _ in checks], else_=ibis.null("string")) \
        if checks else ibis.null("string")
    dated = _dated(table[mapping["timestamp"]], exprs["timestamp"], time_format if not spark else None,
                   time_format if spark else None) \
        if spec.kind == "events" and "timestamp" in exprs and DATED not in exprs else None
    carried = {c: table[c] for c in ("_st_dev", "_st_stitched", "_st_n")} if device else {}
    staged = table.select(**exprs, _reason=reason, _column=column, _bad=bad,
                          **({DATED: dated} if dated is not None else {}), **carried)
    if spec.unique in staged.columns:
        key = staged[spec.unique]
        group = [key, *(staged[c] for c in spec.unique_per if c in staged.columns)]
        dup = (ibis.row_number().over(group_by=group, order_by=key) > 0) & staged._reason.isnull() \
            & key.notnull()
        first = ibis.row_number().over(group_by=group, order_by=key) == 0
        staged = staged.mutate(_reason=ibis.ifelse(dup & ~first, f"duplicate {spec.unique}", staged._reason),
                               _column=ibis.ifelse(dup & ~first, spec.unique, staged._column))
        notes.append("the engine has no input order: which of two duplicate ids is kept is arbitrary")
    counted = {"n_dated": staged[DATED].ifelse(1, 0).sum()} if dated is not None else {}
    summary = to_pandas(staged.group_by(reason=staged._reason, column=staged._column).agg(
        n=staged.count(), examples=staged._bad.collect(), **counted))
    fixes = {r: f for _, r, _, _, f in checks}
    records, used, rejected, n_dated = [], 0, 0, 0
    for r in summary.sort_values("n", ascending=False).itertuples(index=False):
        if r.reason is None or pd.isna(r.reason):
            used += int(r.n)
            n_dated += int(getattr(r, "n_dated", 0) or 0)
            continue
        rejected += int(r.n)
        examples = sorted(str(x) for x in (r.examples if r.examples is not None else []))[:5]
        records.append((r.reason, r.column, int(r.n), [], examples,
                        fixes.get(r.reason, "ids must be unique; one row per id is kept")))
    reasons = pd.DataFrame(records, columns=REASON_COLUMNS)
    if device:
        notes.extend(stitch_words(device, _stitch_counts(staged), keep_anonymous))
    if spec.kind in WITHOUT_CUSTOMER and "customer_id" in exprs:     # store reviews, kept (D244)
        nobody = int(to_pandas(staged.filter(staged._reason.isnull() & staged.customer_id.isnull())
                               .aggregate(n=lambda t: t.count()))["n"].iloc[0])
        notes.extend(without_customer_words(nobody, used, label))
    accounting = Accounting(label, spec.kind, used + rejected, used, rejected, reasons, notes)
    kept = staged.filter(staged._reason.isnull()).drop("_reason", "_column", "_bad", *carried)
    if dated is not None and not n_dated:          # the column only when some row is a date alone (D140)
        kept = kept.drop(DATED)
    return LoadedTable(spec.kind, kept, accounting)


def _stitched(table, mapping: dict, device: str, *, time_format, spark: bool, keep_anonymous: bool):
    """``table`` with its customer column filled from the first customer its device carries
    (earliest identified row; the engine has no input order, so a tie is arbitrary) and the
    columns ``_st_dev``, ``_st_stitched``, ``_st_n`` (customers seen on the device) — the rule
    the DuckDB loader writes in SQL (:func:`jmtools.sources._stitch.stitched_inner`)."""
    import ibis

    source = mapping["customer_id"]
    cid = _typed(table[source], "id", time_format=None)[0]
    dev = table[device].cast("string").strip().nullif("")
    when = (_typed(table[mapping["timestamp"]], "timestamp", time_format=time_format, spark=spark)[0]
            if "timestamp" in mapping else ibis.literal(0))
    base = table.mutate(_st_cid=cid, _st_dev=dev, _st_when=when)
    known = base.filter(base._st_cid.notnull() & base._st_dev.notnull())
    firsts = known.group_by(_st_key=known._st_dev).aggregate(
        _st_who=known._st_cid.argmin(known._st_when), _st_n=known._st_cid.nunique())
    joined = base.left_join(firsts, base._st_dev == firsts._st_key)
    fill = [joined._st_who] + ([ibis.literal(ANONYMOUS) + joined._st_dev] if keep_anonymous else [])
    return joined.mutate(**{source: ibis.coalesce(joined._st_cid, *fill)},
                         _st_stitched=joined._st_cid.isnull() & joined._st_dev.notnull())


def _stitch_counts(staged) -> dict:
    """The counts :func:`jmtools.sources._stitch.stitch_words` says, in one query."""
    kept, st, n, dev = staged._reason.isnull(), staged._st_stitched, staged._st_n, staged._st_dev
    never = staged._reason == NEVER
    row = to_pandas(staged.aggregate(
        rows=(st & n.notnull() & kept).cast("int64").sum(), devices=dev.nunique(where=st & n.notnull() & kept),
        shared_rows=(st & (n > 1) & kept).cast("int64").sum(), shared=dev.nunique(where=n > 1),
        visitors=dev.nunique(where=st & n.isnull() & kept), visitor_rows=(st & n.isnull() & kept).cast("int64").sum(),
        never=never.cast("int64").sum(), never_devices=dev.nunique(where=never)))
    return {k: int(row[k].iloc[0] or 0) for k in STITCH_COUNTS}


def _dated(v, typed, time_format, spark_format=None):
    """The rows whose time, written as text without a time of day, is a date alone (D140): on
    Spark with a ``time_format`` (``spark_format``), those its date part read (D185); None when
    no value can be (a typed column, or another engine's ``time_format``: strict, no date alone)."""
    if not v.type().is_string() or time_format or (spark_format and not _date_part(spark_format)):
        return None
    text = v.cast("string").strip().nullif("")
    alone = _spark_time(text, spark_format).isnull() if spark_format else ~v.re_search("[0-9]:[0-9]")
    return ((typed == typed.truncate("D")) & alone).fill_null(False)
