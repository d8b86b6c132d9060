"""Identity stitching (D244): a product-analytics export's anonymous rows take the customer id
their device carries on its identified rows.

Amplitude, Segment, Mixpanel and app exports write the customer's id only after sign-up; before
it (install, onboarding) a row carries a device or anonymous id alone. With ``stitch:
device_id`` a row without a customer id takes the customer id of the first customer seen on
the same device (earliest identified row, ties by input order) — every anonymous row of that
device, before and after sign-up, as Amplitude and Segment merge a device into the first user
who signs in on it. A device seen with two or more customers is counted and said. Rows of a
device never identified are rejected with one counted reason, ``anonymous, never signed up``
(or, with ``keep_anonymous``, kept as a visitor of their own, ``anonymous:<device>``).
"""

from __future__ import annotations

from jmtools.core.errors import DataError, ParameterError, Problem, suggest
from jmtools.sources._names import normalise_name
from jmtools.sources._spec import WITHOUT_CUSTOMER
from jmtools.sources._values import lit, missing_to_null, q

__all__ = ["NEVER", "device_sql", "never_check", "stitched", "check_options", "ANONYMOUS", "DEVICE_NAMES", "resolve_stitch", "device_column", "stitch_fix",
           "stitched_inner", "stitch_notes", "stitch_words", "STITCH_COUNTS", "without_customer_note",
           "without_customer_words", "WITHOUT_CUSTOMER_WORDS", "CARRIED"]

#: The reason of a row whose device never carried a customer id.
NEVER = "anonymous, never signed up"
#: The prefix of a kept visitor's id (``keep_anonymous``).
ANONYMOUS = "anonymous:"
#: Column names (normalised) that hold an anonymous or device id in common exports.
DEVICE_NAMES = ("device_id", "anonymous_id", "anon_id", "anonymousid", "deviceid", "amplitude_id",
                "distinct_id_before_identity", "device")
_DEV, _WHO, _N, _STITCHED = "_st_dev", "_st_who", "_st_n", "_st_stitched"


def resolve_stitch(stitch, names: list[str], label: str) -> str:
    """The input column ``stitch`` names: as written, else the one whose normalised name is the
    same (``Device ID`` for ``device_id``); a located error with the closest name otherwise.

    Examples
    --------
    >>> resolve_stitch("device_id", ["user_id", "Device ID"], "events.csv")
    'Device ID'
    >>> resolve_stitch("devce_id", ["user_id", "device_id"], "events.csv")
    Traceback (most recent call last):
    ...
    jmtools.core.errors.DataError: events.csv: the stitch column 'devce_id' is not a column of events.csv [column 'devce_id'; path 'stitch']
      Fix: did you mean 'device_id'? stitch names the column that holds the anonymous (device) id, e.g. stitch: device_id
    """
    if not isinstance(stitch, str) or not stitch.strip():
        raise DataError([Problem(f"stitch must name a column, got {stitch!r}", source=label, path="stitch",
                                 fix="e.g. stitch: device_id")])
    if stitch in names:
        return stitch
    same = [n for n in names if normalise_name(n) == normalise_name(stitch)]
    if same:
        return same[0]
    near = suggest(stitch, names) or suggest(normalise_name(stitch), [normalise_name(n) for n in names])
    near = next((n for n in names if normalise_name(n) == near), near) if near else None
    raise DataError([Problem(f"the stitch column {stitch!r} is not a column of {label}", source=label,
                             column=stitch, path="stitch",
                             fix=(f"did you mean {near!r}? " if near else f"columns are {', '.join(names[:12])}; ")
                             + "stitch names the column that holds the anonymous (device) id, e.g. "
                               "stitch: device_id")])


def device_column(names: list[str]) -> str | None:
    """The first column named like an anonymous or device id (:data:`DEVICE_NAMES`), or None.

    Examples
    --------
    >>> device_column(["user_id", "Device ID", "event"]), device_column(["user_id"])
    ('Device ID', None)
    """
    return next((n for n in names if normalise_name(n) in DEVICE_NAMES), None)


def stitch_fix(canonical: str, device: str) -> str:
    """The fix of a missing customer id when the input has a device column ``device``.

    Examples
    --------
    >>> print(stitch_fix("customer_id", "device_id"))
    every row needs a value in customer_id; rows before sign-up carry device_id only: write `stitch: device_id` under the table in loading.yaml (or stitch="device_id" to the loader) to give them the customer id their device carries after sign-up (docs/bring-your-own-data.md, Amplitude and Segment)
    """
    return (f"every row needs a value in {canonical}; rows before sign-up carry {device} only: write "
            f"`stitch: {device}` under the table in loading.yaml (or stitch={device!r} to the loader) to give "
            "them the customer id their device carries after sign-up (docs/bring-your-own-data.md, "
            "Amplitude and Segment)").replace("'", '"')


def device_sql(source: str, src_type: str) -> str:
    """SQL of the device id of a row as trimmed text, NULL for a blank or placeholder."""
    text = q(source) if src_type.upper() == "VARCHAR" else f"CAST({q(source)} AS VARCHAR)"
    return f"{missing_to_null(text)} AS {q(_DEV)}"


def stitched_inner(inner: str, keep_anonymous: bool = False) -> str:
    """SQL: the rows of ``inner`` (the loader's typed SELECT, with the device as ``_st_dev``), a
    missing ``customer_id`` filled from the device's first identified customer; ``_st_n`` the
    customers seen on the device, ``_st_stitched`` whether the row was filled."""
    cid, raw = q("customer_id"), q("_t_customer_id")
    anon = f", {lit(ANONYMOUS)} || b.{q(_DEV)}" if keep_anonymous else ""
    return (f"WITH b AS ({inner}), d AS (SELECT {q(_DEV)}, "
            f"first({cid} ORDER BY {q('timestamp')} NULLS LAST, _row) AS {q(_WHO)}, "
            f"count(DISTINCT {cid}) AS {q(_N)} FROM b WHERE {cid} IS NOT NULL AND {q(_DEV)} IS NOT NULL "
            f"GROUP BY {q(_DEV)}) "
            f"SELECT b.* REPLACE (COALESCE(b.{cid}, d.{q(_WHO)}{anon}) AS {cid}, "
            f"COALESCE(CAST(b.{raw} AS VARCHAR), d.{q(_WHO)}{anon}) AS {raw}), "   # ids of any type
            f"(b.{raw} IS NULL AND b.{q(_DEV)} IS NOT NULL) AS {q(_STITCHED)}, d.{q(_N)} "
            f"FROM b LEFT JOIN d ON b.{q(_DEV)} = d.{q(_DEV)}")


def never_check(device: str) -> tuple[str, str, str, str, str]:
    """The check (condition, reason, column, raw value, fix) of a row whose device never carried
    a customer id."""
    return (f"{q('_t_customer_id')} IS NULL AND {q(_DEV)} IS NOT NULL", NEVER, "customer_id", q(_DEV),
            f"these devices ({device}) never carried a customer id on any row: people who never signed "
            "up (counted here, not an error of the file). To keep them as visitors of their own, write "
            "`keep_anonymous: true` beside `stitch` in loading.yaml")


CARRIED = (_DEV, _STITCHED, _N)


def stitched(rules, inner: str, kind: str, mapping: dict, types: dict, device, keep_anonymous) -> str:
    """``inner`` with rows without a customer id given their device's customer (``device``, D244),
    the rows of a device never identified rejected (unless ``keep_anonymous``); without
    ``device``, the fix of a missing id names the option when the input has a device column.
    Feedback keeps a row with no customer (a store review: about the product, D244)."""
    at = next((i for i, c in enumerate(rules.checks) if c[1] == "missing customer_id"), None)
    if at is None:
        return inner
    if kind in WITHOUT_CUSTOMER:
        del rules.checks[at]
    elif not device:
        found = device_column([n for n in types if n != mapping["customer_id"]])
        if found:
            rules.checks[at] = (*rules.checks[at][:4], stitch_fix("customer_id", found))
    else:        # a row with neither id: nothing can name its customer
        rules.checks[at] = (*rules.checks[at][:4], f"every row needs a value in customer_id or in {device}")
        if not keep_anonymous:
            rules.checks.insert(at, never_check(device))
    if not device:
        return inner
    rules.carried = CARRIED
    return stitched_inner(inner, keep_anonymous)


def check_options(kind: str, stitch, keep_anonymous) -> None:
    """Refuse ``stitch`` for customers and ``keep_anonymous`` without ``stitch``."""
    if stitch is not None and kind == "customers":
        raise ParameterError("stitch", stitch, expected="None: stitch fills a missing customer_id of events, "
                             "surveys, feedback, orders or tickets")
    if keep_anonymous and not stitch:
        raise ParameterError("keep_anonymous", keep_anonymous, expected="False without stitch",
                             fix="name the device column too: stitch='device_id'")


def stitch_notes(raw, table: str, device: str, kept: str, never_code: int | None, keep_anonymous: bool) -> list[str]:
    """The load note of a stitched table (:func:`stitch_words`), counted in the staged DuckDB
    ``table``; ``kept`` is SQL of a kept row, ``never_code`` the code of the never-identified check."""
    st, n, dev = q(_STITCHED), q(_N), q(_DEV)
    never = f"_rc = {never_code}" if never_code is not None else "FALSE"
    counts = raw.execute(
        f"SELECT count(*) FILTER (WHERE {st} AND {n} IS NOT NULL AND {kept}), "
        f"count(DISTINCT {dev}) FILTER (WHERE {st} AND {n} IS NOT NULL AND {kept}), "
        f"count(*) FILTER (WHERE {st} AND {n} > 1 AND {kept}), "
        f"count(DISTINCT {dev}) FILTER (WHERE {n} > 1), "
        f"count(DISTINCT {dev}) FILTER (WHERE {st} AND {n} IS NULL AND {kept}), "
        f"count(*) FILTER (WHERE {st} AND {n} IS NULL AND {kept}), "
        f"count(*) FILTER (WHERE {never}), count(DISTINCT {dev}) FILTER (WHERE {never}) "
        f"FROM {q(table)}").fetchone()
    return stitch_words(device, dict(zip(STITCH_COUNTS, (int(c or 0) for c in counts))), keep_anonymous)


#: What :func:`stitch_words` is told, in this order.
STITCH_COUNTS = ("rows", "devices", "shared_rows", "shared", "visitors", "visitor_rows", "never", "never_devices")


def stitch_words(device: str, c: dict, keep_anonymous: bool) -> list[str]:
    """The notes of a stitch from its counts (:data:`STITCH_COUNTS`): rows stitched, on how many
    devices; devices seen with several customers; visitors kept or rows rejected.

    Examples
    --------
    >>> c = dict(rows=7, devices=3, shared_rows=2, shared=1, visitors=0, visitor_rows=0, never=4, never_devices=2)
    >>> for note in stitch_words("device_id", c, False):
    ...     print(note)
    7 rows without customer_id took the customer id of their device_id (stitch: device_id; 3 devices, every anonymous row of a device before and after sign-up)
    1 device was seen with two or more customers: its 2 anonymous rows were given to the first customer seen on it (earliest identified row), as Amplitude and Segment merge a device into the first user who signs in; its later customers keep only their own rows
    4 rows of 2 devices that never signed up were rejected (anonymous, never signed up); `keep_anonymous: true` keeps them as visitors of their own
    """
    rows, devices, shared = c["rows"], c["devices"], c["shared"]
    notes = [f"{rows:,} row{'s' if rows != 1 else ''} without customer_id took the customer id of "
             f"{'their' if rows != 1 else 'its'} {device} (stitch: {device}; {devices:,} device"
             f"{'s' if devices != 1 else ''}, every anonymous row of a device before and after sign-up)"]
    if shared:
        k = c["shared_rows"]
        notes.append(f"{shared:,} device{'s were' if shared != 1 else ' was'} seen with two or more customers: "
                     f"{'their' if shared != 1 else 'its'} {k:,} anonymous row"
                     f"{'s were' if k != 1 else ' was'} given to the first customer seen on "
                     f"{'each' if shared != 1 else 'it'} (earliest identified row), as Amplitude and Segment "
                     "merge a device into the first user who signs in; its later customers keep only their own rows")
    if keep_anonymous and c["visitors"]:
        v = c["visitors"]
        notes.append(f"{v:,} device{'s' if v != 1 else ''} never signed up ({c['visitor_rows']:,} rows): "
                     f"kept as visitors of their own, customer id {ANONYMOUS}<{device}> (keep_anonymous); "
                     "they are in no customer table, so in no persona")
    if c["never"]:
        n, d = c["never"], c["never_devices"]
        notes.append(f"{n:,} row{'s' if n != 1 else ''} of {d:,} device{'s' if d != 1 else ''} that never "
                     f"signed up {'were' if n != 1 else 'was'} rejected ({NEVER}); `keep_anonymous: true` keeps "
                     "them as visitors of their own")
    return notes


#: How a report says where feedback without a customer counts (D244).
WITHOUT_CUSTOMER_WORDS = ("kept as feedback about the product: in the complaint themes, sentiment and quotes "
                          "of the report for all customers, never in a persona's or segment's figures nor "
                          "on the emotion curve (no customer to attribute them to)")


def without_customer_note(raw, table: str, label: str) -> list[str]:
    """The note (a list of one, or none) on the kept feedback rows that name no customer.

    Examples
    --------
    >>> import duckdb
    >>> con = duckdb.connect()
    >>> _ = con.execute("CREATE TABLE f AS SELECT * FROM (VALUES ('u1'), (NULL), (NULL)) v(customer_id)")
    >>> print(*without_customer_note(con, "f", "feedback.jsonl"))
    2 of 3 rows of feedback.jsonl name no customer (store reviews, say): kept as feedback about the product: in the complaint themes, sentiment and quotes of the report for all customers, never in a persona's or segment's figures nor on the emotion curve (no customer to attribute them to)
    """
    n, total = raw.execute(f"SELECT count(*) FILTER (WHERE customer_id IS NULL), count(*) FROM {q(table)}").fetchone()
    return without_customer_words(int(n), int(total), label)


def without_customer_words(n: int, total: int, label: str) -> list[str]:
    """The note (a list of one, or none) on ``n`` of ``total`` kept feedback rows without a customer."""
    if not n:
        return []
    return [f"{n:,} of {total:,} row{'s' if total != 1 else ''} of {label} name{'s' if n == 1 else ''} no customer "
            f"(store reviews, say): {WITHOUT_CUSTOMER_WORDS}"]
