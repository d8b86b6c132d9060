"""The counts behind a discovered journey, computed where the event log lives (Ibis / SQL).

Every function here runs one grouped query and brings back a small pandas frame: per event
name, per (event, occurrence class) "node", per pair of nodes, per transition. Nothing the
size of the log comes back to Python.

A *node* is an event name with an occurrence class: ``cls = 1`` is the customer's first
occurrence (and, for events not split, every occurrence), ``cls = 2`` the second and later
occurrences of an event proposed as repeated.
"""

from __future__ import annotations

import math
import re

import pandas as pd

from jmtools.core.engine import as_table, backend_of, small_table, to_pandas, unique_name
from jmtools.core.errors import DataError, Problem, suggest
from jmtools.sources._local_days import DATED


REQUIRED = ("customer_id", "timestamp", "event")

#: Seconds in one step of each timestamp resolution.
_UNIT_S = {"day": 86400, "hour": 3600, "minute": 60, "second": 1}


def event_log(events, *, source: str):
    """The usable rows of ``events`` (customer_id, timestamp, event, _row?, _dated?) and the rows left out.

    Returns ``(table, n_rows, n_unusable)``; rows without a customer, a time or an event name
    (blank names count as missing) are left out and counted, never silently.
    """
    import ibis

    t = as_table(events, name="events")
    for col in REQUIRED:
        if col not in t.columns:
            near = suggest(col, t.columns)
            raise DataError([Problem(
                f"the event log has no column '{col}' — its columns are "
                f"{', '.join(map(repr, t.columns)) or 'none'}", source=source, column=col,
                fix=(f"did you mean '{near}'? " if near else "")
                + "load the log with jmtools.sources.load_events(path, columns={"
                f"'{col}': 'the name in your file'}})")])
    kind = t.timestamp.type()
    if kind.is_date():
        t = t.mutate(timestamp=t.timestamp.cast("timestamp"))
    elif not kind.is_timestamp():
        raise DataError([Problem(
            f"the event log's 'timestamp' must hold dates and times — got {kind}", source=source,
            column="timestamp", fix="load the log with jmtools.sources.load_events(), which parses "
                                    "text and epoch times (time_format=…)")])
    cols = [c for c in ("_row", DATED, "initiated_by") if c in t.columns]  # D140 dated rows; D193
    name = t.event.cast("string").strip()
    t = t.mutate(customer_id=t.customer_id.cast("string"),
                 event=ibis.ifelse(name == "", ibis.null("string"), t.event.cast("string")))
    ok = t.customer_id.notnull() & t.timestamp.notnull() & t.event.notnull()
    counts = to_pandas(t.aggregate(n=t.count(), bad=(~ok).cast("int64").sum()))
    usable = t.filter(ok).select("customer_id", "timestamp", "event", *cols)
    n_rows = int(counts["n"].iloc[0])
    return usable, n_rows, int(counts["bad"].fillna(0).iloc[0])


#: Words an ``initiated_by`` value uses for the company or for the customer (D204): a value is
#: read as one side when each of its words (a plural too) is that side's or a filler word.
COMPANY_WORDS = frozenset(
    "company bank office business staff agent advisor adviser system insurer provider seller "
    "merchant vendor supplier retailer store shop brand firm lender employee team operator "
    "support admin csm rep representative automated automatic auto outbound internal".split())
CUSTOMER_WORDS = frozenset(
    "customer client user applicant member patient guest buyer consumer subscriber shopper "
    "visitor citizen tenant policyholder borrower student passenger inbound".split())
_FILLER = frozenset("initiated initiator by the side led driven started".split())


def initiator(value) -> str | None:
    """``company`` or ``customer`` for a value of a log's ``initiated_by`` column, else None.

    Examples
    --------
    >>> [initiator(v) for v in ["BANK", " Customer ", "customer-initiated", "Advisers", "PARTNER", ""]]
    ['company', 'customer', 'customer', 'company', None, None]
    """
    words = [w for w in re.findall(r"[a-z]+", str(value).lower()) if w not in _FILLER]
    for side, known in (("company", COMPANY_WORDS), ("customer", CUSTOMER_WORDS)):
        if words and all(w in known or (w.endswith("s") and w[:-1] in known) for w in words):
            return side
    return None


def marked_company(t) -> tuple[pd.DataFrame, dict]:
    """Per event name, how the log's own ``initiated_by`` column marks its rows (D193, D204).

    Returns ``(marks, unknown)``: ``marks`` has columns ``event``, ``n_marked`` (rows whose
    value :func:`initiator` reads as the company or the customer), ``n_company`` and
    ``company_values`` (the values read as the company, as written, most rows first: the log's
    own words, D210); ``unknown`` maps each value read as neither (as written, spaces trimmed)
    to its rows. Both are empty when the log has no such column.
    """
    empty = pd.DataFrame(columns=["event", "n_marked", "n_company", "company_values"])
    if "initiated_by" not in t.columns:
        return empty, {}
    who = t.initiated_by.cast("string").strip()
    said = t.mutate(_who=who).filter(lambda x: x._who.notnull() & (x._who != ""))
    res = to_pandas(said.group_by(["event", "_who"]).agg(n=said.count()))
    if res.empty:
        return empty, {}
    res = _numbers(res, ["n"])
    side = res["_who"].map({v: initiator(v) for v in res["_who"].unique()})
    unknown = res[side.isna()].groupby("_who")["n"].sum().sort_values(ascending=False)
    marks = (res.assign(n_marked=res["n"].where(side.notna(), 0),
                        n_company=res["n"].where(side == "company", 0))
             .groupby("event", as_index=False)[["n_marked", "n_company"]].sum())
    theirs = res[side == "company"].sort_values(["n", "_who"], ascending=[False, True]).groupby("event")["_who"]
    marks["company_values"] = marks["event"].map(theirs.agg(list)).apply(lambda v: v if isinstance(v, list) else [])
    return marks, {str(k): int(v) for k, v in unknown.items()}


def event_summary(t) -> pd.DataFrame:
    """Per event name: customers, events, first/last time and the timestamp resolution.

    Columns ``event``, ``n_customers``, ``n_events``, ``first_ts``, ``last_ts``,
    ``resolution`` (day, hour, minute, second: the coarsest unit every time sits on) and
    ``date_only`` (every time is midnight: the log records a date, not a time).
    """
    ts = t.timestamp
    res = to_pandas(t.group_by("event").agg(
        n_customers=t.customer_id.nunique(), n_events=t.count(),
        first_ts=ts.min(), last_ts=ts.max(),
        n_day=(ts == ts.truncate("D")).cast("int64").sum(),
        n_hour=(ts == ts.truncate("h")).cast("int64").sum(),
        n_minute=(ts == ts.truncate("m")).cast("int64").sum()))
    res = _numbers(res, ["n_customers", "n_events", "n_day", "n_hour", "n_minute"])
    res["resolution"] = "second"
    for unit in ("minute", "hour", "day"):
        res.loc[res[f"n_{unit}"] == res["n_events"], "resolution"] = unit
    res["date_only"] = res["resolution"] == "day"
    return res.drop(columns=["n_day", "n_hour", "n_minute"])


def customer_counts(t, customers) -> dict:
    """Customers with events, and (with a customer table) those without events / not in it."""
    n_with = int(to_pandas(t.customer_id.nunique()))
    out = {"with_events": n_with, "in_table": None, "without_events": 0, "not_in_table": 0}
    if customers is None:
        out["all"] = n_with
        return out
    c = as_table(customers, name="customers")
    if "customer_id" not in c.columns:
        near = suggest("customer_id", c.columns)
        raise DataError([Problem("the customer table has no column 'customer_id'",
                                 source="customers", column="customer_id",
                                 fix=f"did you mean '{near}'? " if near else
                                 "load it with jmtools.sources.load_customers(path, columns=…)")])
    ids = c.select(customer_id=c.customer_id.cast("string")).filter(
        lambda x: x.customer_id.notnull()).distinct()
    seen = t.select("customer_id").distinct()
    both = int(to_pandas(ids.join(seen, "customer_id").count()))
    n_table = int(to_pandas(ids.count()))
    out.update(in_table=n_table, without_events=n_table - both, not_in_table=n_with - both)
    out["all"] = n_with + n_table - both
    return out


def sequences(t, placed: list[str], date_only: list[str]):
    """The placed events of each customer in order: position, occurrence number, next event.

    Date-only events (a date, no time) sort at the end of their day, after the timed events
    of that day they usually follow, and so do the rows of a timed event written as a date
    alone (``_dated``, D140, D185): ``dated`` marks those. Ties keep the input order (``_row``)
    when the log has it, else event-name order.
    """
    import ibis

    s = t.filter(t.event.isin(placed))
    kind = s.event.isin(date_only) if date_only else ibis.literal(False)
    dated = s[DATED].fill_null(False) & ~kind if DATED in s.columns else ibis.literal(False)
    s = s.mutate(dated=dated)
    day_only = kind | s.dated
    end_of_day = s.timestamp.truncate("D") + ibis.interval(days=1) - ibis.interval(microseconds=1)
    s = s.mutate(sort_ts=ibis.ifelse(day_only, end_of_day, s.timestamp),
                 day=s.timestamp.truncate("D"), date_only=day_only)
    tie = "_row" if "_row" in s.columns else "event"
    by_customer = ibis.window(group_by="customer_id", order_by=[s.sort_ts, s[tie]])
    by_event = ibis.window(group_by=["customer_id", "event"], order_by=[s.sort_ts, s[tie]])
    whole = ibis.window(group_by="customer_id")
    s = s.mutate(pos=ibis.row_number().over(by_customer), n=s.count().over(whole),
                 k=ibis.row_number().over(by_event), start=s.sort_ts.min().over(whole))
    return s.mutate(nxt=s.event.lead().over(by_customer), nxt_k=s.k.lead().over(by_customer),
                    nxt_ts=s.sort_ts.lead().over(by_customer))


def keep(table, *, name: str):
    """Store ``table`` once on DuckDB (later queries read it); other engines keep the expression."""
    con = backend_of(table)
    if getattr(con, "name", None) != "duckdb":
        return table, None
    view = unique_name(name)
    return con.create_table(view, table, temp=True), (con, view)


def drop_kept(handle) -> None:
    """Drop a table stored by :func:`keep` (no-op for other engines)."""
    if handle is not None:
        con, view = handle
        con.drop_table(view, force=True)


def _isin(column, names: list[str]):
    """``column.isin(names)``, or a constant False for no names (an empty IN is not SQL)."""
    import ibis

    return column.isin(names) if names else ibis.literal(False)


def _cls(s, event, k, repeated: list[str]):
    import ibis

    return ibis.ifelse((k > 0) & _isin(event, repeated), 2, 1)


def node_stats(s, repeated: list[str]) -> pd.DataFrame:
    """Per node: customers, median normalised position and hours from the customer's start.

    Measured at the customer's first occurrence of the node (the second occurrence for
    ``cls = 2``): ``position`` is 0 for a customer's first event and 1 for the last
    (customers with one event count as 0).
    """
    import ibis

    f = s.filter((s.k == 0) | ((s.k == 1) & _isin(s.event, repeated)))
    f = f.mutate(cls=ibis.ifelse(f.k == 0, 1, 2),
                 rel=ibis.ifelse(f.n > 1, f.pos.cast("float64") / (f.n - 1).cast("float64"), 0.0),
                 hours=(f.sort_ts.epoch_seconds() - f.start.epoch_seconds()).cast("float64") / 3600)
    res = to_pandas(f.group_by(["event", "cls"]).agg(
        n_customers=f.customer_id.nunique(), median_position=f.rel.median(),
        median_from_start_h=f.hours.median()))
    return _numbers(res, ["cls", "n_customers"], ["median_position", "median_from_start_h"])


def repeat_stats(s, gap_s: float) -> pd.DataFrame:
    """Per event: customers doing it again, those whose second time comes ``gap_s`` or more
    after the first (a clear gap), and the median gap in hours."""
    f = s.filter(s.k <= 1)
    per = f.group_by(["customer_id", "event"]).agg(
        t1=f.timestamp.max(where=f.k == 0), t2=f.timestamp.max(where=f.k == 1))
    gap = (per.t2.epoch_seconds() - per.t1.epoch_seconds()).cast("float64")
    per = per.mutate(gap=gap)
    res = to_pandas(per.group_by("event").agg(
        n_repeat_customers=per.t2.notnull().cast("int64").sum(),
        n_clear_repeat=(per.gap >= gap_s).cast("int64").sum(),
        median_repeat_gap_h=(per.gap / 3600).median()))
    return _numbers(res, ["n_repeat_customers", "n_clear_repeat"], ["median_repeat_gap_h"])


def _numbers(frame: pd.DataFrame, counts: list[str], floats: list[str] = ()) -> pd.DataFrame:
    """Counts as int64 and measures as float64, whatever type the engine returned."""
    for col in counts:
        frame[col] = pd.to_numeric(frame[col]).fillna(0).astype("int64")
    for col in floats:
        frame[col] = pd.to_numeric(frame[col], errors="coerce").astype("float64")
    return frame


def precedence_pairs(s, repeated: list[str]) -> pd.DataFrame:
    """Per ordered pair of nodes (a, b) seen by the same customer: ``n`` customers, ``n_before``
    (a's time is earlier), ``n_tie``. A date-only node is compared by day (same day: a tie)."""
    import ibis

    f = s.filter((s.k == 0) | ((s.k == 1) & _isin(s.event, repeated)))
    f = f.mutate(cls=ibis.ifelse(f.k == 0, 1, 2))
    a = f.select(customer_id=f.customer_id, ev_a=f.event, cls_a=f.cls, t_a=f.sort_ts, d_a=f.day,
                 o_a=f.date_only)
    b = f.select(cid=f.customer_id, ev_b=f.event, cls_b=f.cls, t_b=f.sort_ts, d_b=f.day,
                 o_b=f.date_only)
    j = a.join(b, a.customer_id == b.cid)
    j = j.filter((j.ev_a != j.ev_b) | (j.cls_a != j.cls_b))
    by_day = j.o_a | j.o_b
    before = ibis.ifelse(by_day, j.d_a < j.d_b, j.t_a < j.t_b)
    tie = ibis.ifelse(by_day, j.d_a == j.d_b, j.t_a == j.t_b)
    res = to_pandas(j.group_by(["ev_a", "cls_a", "ev_b", "cls_b"]).agg(
        n=j.count(), n_before=before.cast("int64").sum(), n_tie=tie.cast("int64").sum()))
    return _numbers(res, ["cls_a", "cls_b", "n", "n_before", "n_tie"])


def transition_counts(s, repeated: list[str], *, quick_h: float = 24.0) -> pd.DataFrame:
    """Moves from one node to the customer's next different node: ``n``, ``n_customers`` and
    ``n_quick`` (the moves whose next node comes within ``quick_h`` hours, D245)."""
    m = s.filter(s.nxt.notnull())
    m = m.mutate(cls_a=_cls(m, m.event, m.k, repeated), cls_b=_cls(m, m.nxt, m.nxt_k, repeated))
    m = m.filter((m.event != m.nxt) | (m.cls_a != m.cls_b))
    lag_s = m.nxt_ts.epoch_seconds() - m.sort_ts.epoch_seconds()
    res = to_pandas(m.group_by(["event", "cls_a", "nxt", "cls_b"]).agg(
        n=m.count(), n_customers=m.customer_id.nunique(),
        n_quick=(lag_s <= quick_h * 3600).cast("int64").sum()))
    res = _numbers(res, ["cls_a", "cls_b", "n", "n_customers", "n_quick"])
    return res.rename(columns={"event": "ev_a", "nxt": "ev_b"})


def timing_stats(s, summary: pd.DataFrame, *, bulk_min: int) -> pd.DataFrame:
    """Per event: ``bulk_share`` and ``same_time_share``, the timing signs of a company send.

    ``bulk_share``: share of the event's occurrences whose exact timestamp is shared by at
    least ``min_group`` customers, where ``min_group`` is the larger of ``bulk_min`` and ten
    times the group size chance alone would give at the event's timestamp resolution (so a
    date-only delivery date shared by many customers is not a bulk send).
    ``same_time_share``: share at the event's most common time of day (a scheduled send),
    for events with times (not date-only) and ``bulk_min`` or more occurrences (NaN otherwise).
    """
    import ibis

    lookup = summary[["event"]].copy()
    span_s = (summary["last_ts"] - summary["first_ts"]).dt.total_seconds()
    units = span_s / summary["resolution"].map(_UNIT_S) + 1
    chance = summary["n_events"] / units
    lookup["min_group"] = [max(bulk_min, math.ceil(10 * c)) for c in chance]
    s = s.filter(~s.dated)          # a row of a timed event written as a date has no time to share
    groups = s.group_by(["event", "timestamp"]).agg(n_cust=s.customer_id.nunique(), n_ev=s.count())
    groups = groups.join(small_table(lookup, like=s, name="bulk"), "event")
    bulk = to_pandas(groups.group_by("event").agg(
        n_bulk=groups.n_ev.sum(where=groups.n_cust >= groups.min_group)))
    tod = s.timestamp.hour() * 3600 + s.timestamp.minute() * 60 + s.timestamp.second()
    per = s.mutate(tod=tod).group_by(["event", "tod"]).agg(n=ibis._.count())
    modal = to_pandas(per.group_by("event").agg(n_modal=per.n.max()))
    out = summary[["event", "n_events", "resolution"]].merge(bulk, on="event", how="left")
    out = out.merge(modal, on="event", how="left")
    out = _numbers(out, ["n_bulk", "n_modal"])
    out["bulk_share"] = out["n_bulk"] / out["n_events"]
    timed = (out["resolution"] != "day") & (out["n_events"] >= bulk_min)
    out["same_time_share"] = (out["n_modal"] / out["n_events"]).where(timed)
    out = out.merge(lookup, on="event", how="left")
    return out[["event", "bulk_share", "same_time_share", "min_group"]]


def neighbour_lags(s, sends: list[str], own: list[str], *, band: float) -> pd.DataFrame:
    """How each send sits in time against the customer's own events (D218).

    For every occurrence of a send (an event of ``sends``) and each ``side`` — ``next``: the
    customer's first own event (an event of ``own``) after it; ``previous``: the last one
    before it — the lag in hours. Returns one row per send, ``cls`` (1: a customer's first
    occurrence of it, 2: a later one), side, ``neighbour`` (the own event there) and
    ``neighbour_cls`` (its first or a later occurrence): ``n`` occurrences, ``n_steady`` (its
    lag within ``band`` times the median lag of that send and side, whatever the neighbour),
    ``median_h`` (that median), and ``n_sent`` (the send's occurrences, with an own event on
    that side or not).
    """
    import ibis

    cols = ["event", "cls", "side", "neighbour", "neighbour_cls", "n", "n_steady", "median_h", "n_sent"]
    if not sends or not own:
        return pd.DataFrame(columns=cols)
    f = s.filter(_isin(s.event, sends) | _isin(s.event, own))
    f = f.mutate(own_pos=ibis.ifelse(_isin(f.event, own), f.pos, ibis.null("int64")))
    # a send is never an own event, so a window that includes its own row changes nothing
    later = ibis.cumulative_window(group_by="customer_id", order_by=ibis.desc(f.pos))
    earlier = ibis.cumulative_window(group_by="customer_id", order_by=f.pos)
    f = f.mutate(next_pos=f.own_pos.min().over(later), previous_pos=f.own_pos.max().over(earlier))
    sent = f.filter(_isin(f.event, sends))
    o = f.filter(f.own_pos.notnull())
    o = o.select(cid=o.customer_id, o_pos=o.pos, neighbour=o.event, o_ts=o.sort_ts,
                 neighbour_cls=ibis.ifelse(o.k > 0, 2, 1))
    sides = []
    for side in ("next", "previous"):
        j = sent.join(o, (sent.customer_id == o.cid) & (sent[f"{side}_pos"] == o.o_pos))
        lag = (j.o_ts.epoch_seconds() - j.sort_ts.epoch_seconds()).abs().cast("float64") / 3600
        sides.append(j.select(event=j.event, cls=ibis.ifelse(j.k > 0, 2, 1), side=ibis.literal(side),
                              neighbour=j.neighbour, neighbour_cls=j.neighbour_cls, lag_h=lag))
    u = sides[0].union(sides[1])
    med = u.group_by(["event", "side"]).agg(median_h=u.lag_h.median())
    u = u.join(med, ["event", "side"])
    steady = ((u.lag_h - u.median_h).abs() <= band * u.median_h).cast("int64")
    res = to_pandas(u.group_by(["event", "cls", "side", "neighbour", "neighbour_cls", "median_h"]).agg(
        n=u.count(), n_steady=steady.sum()))
    total = to_pandas(sent.group_by("event").agg(n_sent=sent.count()))
    res = _numbers(res, ["cls", "neighbour_cls", "n", "n_steady"], ["median_h"]).merge(_numbers(total, ["n_sent"]),
                                                              on="event", how="left")
    return res[cols]


def anchor_lags(s, sends: list[str], own: list[str], *, band: float) -> pd.DataFrame:
    """How each send sits in time after the customer's first time of each own event (D245).

    For every occurrence of a send (an event of ``sends``) and every own event (of ``own``)
    whose first time came before it, the lag in hours; per send and own event (``neighbour``):
    ``n_sent`` (the send's occurrences), ``median_h`` and ``n_steady`` (lags within ``band``
    times that median). A mail sent five days after each trial start is steady after
    ``trial_started`` whatever the customer did in between.
    """
    cols = ["event", "neighbour", "n_sent", "n_steady", "median_h"]
    if not sends or not own:
        return pd.DataFrame(columns=cols)
    sent = s.filter(_isin(s.event, sends)).select("customer_id", "event", "sort_ts")
    o = s.filter(_isin(s.event, own) & (s.k == 0))
    o = o.select(cid=o.customer_id, neighbour=o.event, o_ts=o.sort_ts)
    j = sent.join(o, (sent.customer_id == o.cid) & (o.o_ts < sent.sort_ts))
    lag = (j.sort_ts.epoch_seconds() - j.o_ts.epoch_seconds()).cast("float64") / 3600
    rows = to_pandas(j.select(event=j.event, neighbour=j.neighbour, lag_h=lag))
    total = _numbers(to_pandas(sent.group_by("event").agg(n_sent=sent.count())), ["n_sent"])
    if rows.empty:
        return pd.DataFrame(columns=cols)
    rows["lag_h"] = pd.to_numeric(rows["lag_h"]).astype("float64")
    rows["median_h"] = rows.groupby(["event", "neighbour"])["lag_h"].transform("median")
    rows["steady"] = (rows["lag_h"] - rows["median_h"]).abs() <= band * rows["median_h"]
    out = rows.groupby(["event", "neighbour"], as_index=False).agg(
        n_steady=("steady", "sum"), median_h=("median_h", "first"))
    out = out.merge(total, on="event", how="left")
    return _numbers(out, ["n_sent", "n_steady"], ["median_h"])[cols]
