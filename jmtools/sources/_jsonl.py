"""JSON lines (and a JSON array of objects) read into a table of text columns, line by line.

Analytics tools export events as JSON lines, one object per line (Mixpanel's raw export,
Segment, Amplitude); review tools export feedback so too. Each line is one row; nested
objects are flattened to dotted column names (``properties.time``), so that ``columns=``,
``loading.yaml`` and the column matching name them like any CSV column. Every value becomes
text (a JSON number as written: ``1709999999``, ``12.5``), and then goes through the checks a
CSV value goes through: times, ids and numbers are read and rejected alike.

The file is read in blocks (never whole into Python), split at line breaks, and each line is
parsed by DuckDB. A line that is not one JSON object — not JSON, cut short, an array or a
number, invalid UTF-8, longer than :data:`MAX_LINE_BYTES`, or holding a plain value where
most lines hold an object — is one rejected row with its file line and reason; blank lines
are no rows. DuckDB's own ``read_json`` is not used for lines: with ``ignore_errors`` it drops
bad lines without saying which, without it one bad line stops the file, and it numbers no
line. A JSON array written on one line (``json.dump`` of a list) is read with ``read_json``,
its rows numbered by their position in the array.
"""

from __future__ import annotations

import codecs
import gzip
import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from jmtools.core.errors import DataError, ParameterError, Problem
from jmtools.sources._read import ROW, Opened, open_source
from jmtools.sources._read import _check_path as check_path
from jmtools.sources._values import lit, q

__all__ = ["JSON_SUFFIXES", "MAX_LINE_BYTES", "MAX_DEPTH", "MAX_COLUMNS", "is_json_file", "json_shape",
           "open_json", "open_input", "nested_leaf", "nested_leaves", "JsonOpened"]

#: File endings read as JSON (a ``.json`` file only when it holds JSON lines or an array: :func:`json_shape`).
JSON_SUFFIXES = (".jsonl", ".ndjson", ".json", ".jsonl.gz", ".ndjson.gz", ".json.gz")
#: A longer line is a rejected row (its bytes are skipped, never held).
MAX_LINE_BYTES = 16 << 20
#: Levels of objects flattened (``properties.a.b.c.d``); an object deeper down is one text value.
MAX_DEPTH = 5
#: Columns kept at most (the keys seen first); the others are left out with a note.
MAX_COLUMNS = 500
_BLOCK = 1 << 25
_TYPES = {"ARRAY": "a JSON array", "VARCHAR": "a JSON string", "BOOLEAN": "true or false",
          "NULL": "null", "UBIGINT": "a JSON number", "BIGINT": "a JSON number", "DOUBLE": "a JSON number"}
_FIX_ODD = "give the key one kind of value on every line (or remove these lines)"
_FIX_ENCODING = ("these lines are not in the encoding passed: pass the file's encoding (JSON lines are "
                 "usually UTF-8: encoding=None), or correct these lines")
_FIX_LINE = ("each line must be one JSON object ({\"event\": …, \"properties\": {…}}): export the file "
             "again, or remove these lines")
_FIXES = {"the last line is cut short": "the file ends inside its last line (an interrupted export or "
                                        "copy): export it again",
          "invalid UTF-8 bytes": "JSON lines are UTF-8: save the file as UTF-8, or pass encoding= "
                                 "with the file's encoding",
          "line longer than 16 MB": "a line this long is no event: remove it, or export without it"}


def is_json_file(path) -> bool:
    """Whether ``path`` ends like a JSON file (:data:`JSON_SUFFIXES`, any case).

    Examples
    --------
    >>> is_json_file("events.JSONL"), is_json_file("events.csv")
    (True, False)
    """
    return str(path).lower().endswith(JSON_SUFFIXES)


def _opener(path: Path):
    return gzip.open(path, "rb") if path.name.lower().endswith(".gz") else open(path, "rb")


def json_shape(path) -> str | None:
    """What a JSON file holds, from its first lines: ``"lines"`` (one object per line),
    ``"array"`` (one top-level array), or None (neither, e.g. one object written over many
    lines; such a file is named as unread, not read).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> d = pathlib.Path(tempfile.mkdtemp())
    >>> _ = (d / "a.json").write_text('{"event": "view", "properties": {"time": 1}}\\n{"event": "buy"}\\n')
    >>> _ = (d / "b.json").write_text('[{"event": "view"}]')
    >>> _ = (d / "c.json").write_text('{\\n  "events": []\\n}\\n')
    >>> json_shape(d / "a.json"), json_shape(d / "b.json"), json_shape(d / "c.json")
    ('lines', 'array', None)
    """
    path = Path(path)
    plain_json = path.name.lower().endswith((".json", ".json.gz"))
    try:
        with _opener(path) as handle:
            first = handle.readline(1 << 20)
            for _ in range(100):               # blank lines above the first object
                if first.strip(b"\xef\xbb\xbf \t\r\n") or not first:
                    break
                first = handle.readline(1 << 20)
    except (OSError, EOFError):
        return None
    text = first.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"["):
        return "array"
    if text.startswith(b"{") and len(first) >= (1 << 20):
        return "lines"                 # a very long first line: the reader tells line by line
    try:
        if isinstance(json.loads(text), dict):
            return "lines"
    except RecursionError:              # nested deeper than Python's parser goes: DuckDB's does
        return "lines" if text.startswith(b"{") else None
    except ValueError:
        pass
    return None if plain_json else "lines"     # .jsonl: read, and every bad line is said


def nested_leaf(name: str) -> str | None:
    """The last key of a flattened name (``properties.distinct_id`` → ``distinct_id``), or None
    for a name without a dot: column matching reads the leaf of a nested name like a name.

    Examples
    --------
    >>> nested_leaf("properties.distinct_id"), nested_leaf("event")
    ('distinct_id', None)
    """
    return name.rsplit(".", 1)[1] if "." in name.strip(".") else None


@dataclass
class JsonOpened(Opened):
    """:class:`~jmtools.sources._read.Opened` for a JSON file, with a fix per kind of bad line."""

    fixes: dict = field(default_factory=dict)


class _FileLines:
    """Rows are numbered by their file line already (or their position in the array)."""

    def simple(self) -> bool:
        return False

    def locate(self, rows, malformed):
        return {r: r for r in rows}, {m: m for m in malformed}


# ---------------------------------------------------------------- reading lines

def _utf8_blocks(handle, encoding: str | None, seen: dict):
    """The file's bytes in blocks, as UTF-8 (a UTF-16 file, or one in ``encoding``, decoded);
    ``seen["encoding"]`` is the encoding read, once the first block is."""
    first = handle.read(_BLOCK)
    if encoding is None and first[:2] in (b"\xff\xfe", b"\xfe\xff"):
        encoding = "utf-16"
    seen["encoding"] = encoding
    if encoding is None or codecs.lookup(encoding).name == "utf-8":
        block = first
        while block:
            yield block
            block = handle.read(_BLOCK)
        return
    # a byte the encoding cannot read becomes 0xFF, never valid UTF-8: its line is rejected with
    # the others' reasons (_bad_bytes), the rest of the file is read
    decoder = codecs.getincrementaldecoder(encoding)(errors=_MARK_BAD)
    block = first
    while block:
        yield decoder.decode(block).encode("utf-8", "surrogateescape")
        block = handle.read(_BLOCK)
    yield decoder.decode(b"", final=True).encode("utf-8", "surrogateescape")


def _mark_bad(err: UnicodeDecodeError):
    """Decoding error handler: each unreadable byte as the escaped byte 0xFF (see _utf8_blocks)."""
    return "\udcff" * (err.end - err.start), err.end


_MARK_BAD = "jmtools-mark-bad"
codecs.register_error(_MARK_BAD, _mark_bad)


def _bad_bytes(encoding: str | None) -> str:
    """The reason a JSON line with bytes its encoding cannot read is rejected for.

    Examples
    --------
    >>> _bad_bytes(None), _bad_bytes("cp1252")
    ('invalid UTF-8 bytes', 'bytes that cannot be read as cp1252')
    """
    if encoding is None or codecs.lookup(encoding).name == "utf-8":
        return "invalid UTF-8 bytes"
    return f"bytes that cannot be read as {encoding}"


def _line_batches(blocks, long_lines: list, end: dict):
    """Arrow tables (``n``: file line, ``b``: the line's bytes with its line break) of the
    lines in ``blocks``; lines longer than :data:`MAX_LINE_BYTES` go to ``long_lines`` as
    (line, first bytes) and are skipped. ``end`` gets the last line and whether it ended."""
    import numpy as np
    import pyarrow as pa

    carry, line, skipping, first = b"", 1, False, True
    for block in blocks:
        if first:
            block, first = (block[3:] if block.startswith(b"\xef\xbb\xbf") else block), False
        if skipping:                     # inside a line too long to keep
            cut = block.find(b"\n")
            if cut < 0:
                continue
            block, skipping, line = block[cut + 1:], False, line + 1
        data = carry + block if carry else block
        ends = np.flatnonzero(np.frombuffer(data, np.uint8) == 10)
        if not len(ends):
            carry = data
            if len(carry) > MAX_LINE_BYTES:
                long_lines.append((line, carry[:60].decode("utf-8", "replace")))
                carry, skipping = b"", True
            continue
        starts = np.concatenate(([0], ends[:-1] + 1))
        sizes = ends + 1 - starts
        for i in np.flatnonzero(sizes > MAX_LINE_BYTES):
            long_lines.append((line + int(i), data[starts[i]:starts[i] + 60].decode("utf-8", "replace")))
        keep = sizes <= MAX_LINE_BYTES
        offsets = np.concatenate(([0], ends + 1)).astype(np.int64)
        values = pa.LargeBinaryArray.from_buffers(pa.large_binary(), len(ends),
                                                  [None, pa.py_buffer(offsets), pa.py_buffer(data)])
        numbers = np.arange(line, line + len(ends), dtype=np.int64)
        table = pa.table({"n": numbers, "b": values})
        yield table if keep.all() else table.filter(pa.array(keep))
        line += len(ends)
        carry = data[int(ends[-1]) + 1:]
    end["ended"] = not carry and not skipping
    if carry:
        if len(carry) > MAX_LINE_BYTES:
            long_lines.append((line, carry[:60].decode("utf-8", "replace")))
        else:
            yield pa.table({"n": pa.array([line], pa.int64()), "b": pa.array([carry], pa.large_binary())})
    end["last"] = line if (carry or skipping) else line - 1


_LINE_END = r"'(\\x0D)?\\x0A$'"


def _escaped(blob: str) -> str:
    """SQL: the bytes ``blob`` as text, bytes that are not UTF-8 written ``\\xFF``."""
    return f"replace(regexp_replace(CAST({blob} AS VARCHAR), {_LINE_END}, ''), '\\x22', '\"')"


def _why(doc: str, bad: str = "invalid UTF-8 bytes") -> str:
    """SQL: why the line ``doc`` is no row (NULL: an object; '' a blank line; ``bad``: bytes that
    are no text). Valid JSON that starts with ``{`` is an object: ``json_type`` parses only the
    others (a third of the cost)."""
    kinds = " ".join(f"WHEN {lit(k)} THEN {lit(v + ', not an object')}" for k, v in _TYPES.items())
    return (f"CASE WHEN {doc} IS NULL THEN {lit(bad)} WHEN json_valid({doc}) THEN CASE WHEN "
            f"starts_with({doc}, '{{') THEN NULL ELSE CASE json_type({doc}) {kinds} ELSE NULL END END "
            f"WHEN trim({doc}, ' ' || chr(9) || chr(10) || chr(13)) = '' THEN '' ELSE 'not JSON' END")


def _read_lines(raw, path: Path, docs: str, encoding: str | None, in_array: bool) -> tuple[list, dict]:
    """The lines of ``path`` into the table ``docs`` (n, doc, why); returns the too-long lines
    and where the file ends."""
    decoded = "try(decode(b))"
    if in_array:                       # [{…},  {…},  {…}] written one element per line
        decoded = f"regexp_replace(regexp_replace({decoded}, '^\\s*\\[', ''), '[\\s,\\]]+$', '')"
    raw.execute(f"CREATE OR REPLACE TEMP TABLE {q(docs)} (n BIGINT, doc VARCHAR, why VARCHAR)")
    long_lines, end = [], {}
    try:
        if encoding is not None:
            codecs.lookup(encoding)
    except LookupError:
        raise ParameterError("encoding", encoding, expected=["utf-8", "utf-16", "latin-1", "cp1252"],
                             fix="pass a Python codec name, e.g. encoding='utf-8'") from None
    batch = docs + "_batch"
    try:
        with _opener(path) as handle:
            seen = {}
            for table in _line_batches(_utf8_blocks(handle, encoding, seen), long_lines, end):
                raw.register(batch, table)
                try:
                    raw.execute(f"INSERT INTO {q(docs)} SELECT n, CASE WHEN d IS NULL THEN {_escaped('b')} ELSE d END, {_why('d', _bad_bytes(seen['encoding']))} "
                                f"FROM (SELECT n, b, {decoded} AS d FROM {q(batch)})")
                finally:
                    raw.unregister(batch)
    except (OSError, EOFError) as exc:        # a damaged .gz file
        raise DataError([Problem(f"the file cannot be read — {exc}", source=path.name,
                                 fix="export the file again")]) from None
    raw.execute(f"DELETE FROM {q(docs)} WHERE why = ''")     # blank lines are no rows
    return long_lines, end


def _read_array(raw, path: Path, docs: str) -> None:
    """A JSON array (not one element per line) into ``docs``, numbered by position."""
    import duckdb

    try:
        raw.execute(f"CREATE OR REPLACE TEMP TABLE {q(docs)} AS SELECT n, doc, {_why('doc')} AS why FROM "
                    f"(SELECT row_number() OVER () AS n, CAST(json AS VARCHAR) AS doc FROM read_json_objects("
                    f"{lit(str(path))}, format = 'array', maximum_object_size = {MAX_LINE_BYTES}))")
    except duckdb.Error as exc:
        first = str(exc).splitlines()[0].replace("Invalid Input Error: ", "").replace(f'"{path}"', path.name)
        raise DataError([Problem(f"the JSON array cannot be read — {first[:300]}", source=path.name,
                                 fix="the file is not one complete JSON array: export it again, or as "
                                     "JSON lines (one object per line, .jsonl)")]) from None


# ---------------------------------------------------------------- flattening

def _path(keys: tuple) -> str:
    return "$" + "".join("." + '"' + k.replace("\\", "\\\\").replace('"', '\\"') + '"' for k in keys)


def _keys(raw, docs: str, parents: list[tuple]) -> list[tuple]:
    """The keys under each object path of ``parents``, in the order first seen (line, place)."""
    paths = "[" + ", ".join(lit(_path(p)) for p in parents) + "]"
    rows = raw.execute(
        f"SELECT i, k, min(n * 100000 + j) AS first FROM (SELECT n, i, unnest(ks[i]) AS k, "
        f"generate_subscripts(ks[i], 1) AS j FROM (SELECT n, unnest(range(1, {len(parents) + 1})) AS i, "
        f"json_keys(doc, {paths}) AS ks FROM {q(docs)} WHERE why IS NULL)) "
        f"GROUP BY i, k ORDER BY first, i LIMIT {MAX_COLUMNS * 4 + 1}").fetchall()
    return [parents[i - 1] + (k,) for i, k, _ in rows]


def _types(raw, docs: str, paths: list[tuple]) -> list[tuple[int, int]]:
    """Per path: lines where it holds an object, and lines where a plain value or an array."""
    listed = "[" + ", ".join(lit(_path(p)) for p in paths) + "]"
    rows = dict((i, (o, v)) for i, o, v in raw.execute(
        f"SELECT i, count(*) FILTER (WHERE t = 'OBJECT'), count(*) FILTER (WHERE t NOT IN ('OBJECT', 'NULL')) "
        f"FROM (SELECT unnest(range(1, {len(paths) + 1})) AS i, unnest(json_type(doc, {listed})) AS t "
        f"FROM {q(docs)} WHERE why IS NULL) GROUP BY i").fetchall())
    return [rows.get(i + 1, (0, 0)) for i in range(len(paths))]


def _flatten(raw, docs: str) -> tuple[list[tuple], list[str]]:
    """The leaf paths of the objects in ``docs``, in the order first seen; lines that hold a
    plain value where most lines hold an object are marked rejected. Returns (paths, notes)."""
    leaves, notes, parents, depth, rank = [], [], [()], 0, {(): ()}
    while parents and depth < MAX_DEPTH:
        depth += 1
        found = _keys(raw, docs, parents)
        if len(leaves) + len(found) > MAX_COLUMNS:
            left = len(leaves) + len(found) - MAX_COLUMNS
            notes.append(f"{'more than ' if len(found) > MAX_COLUMNS * 4 else ''}{left:,} keys left out "
                         f"(e.g. {'.'.join(found[-1])!r}): a table keeps the first {MAX_COLUMNS} keys found")
            found = found[:MAX_COLUMNS - len(leaves)]
        parents = []
        rank.update((keys, rank[keys[:-1]] + (i,)) for i, keys in enumerate(found))
        for keys, (objects, plain) in zip(found, _types(raw, docs, found) if found else []):
            if objects and objects >= plain and depth < MAX_DEPTH:
                parents.append(keys)
                if plain:                # {"properties": "oops"} among objects
                    _reject_odd(raw, docs, keys, "NOT IN ('OBJECT', 'NULL')", "a plain value", "an object")
            else:
                leaves.append(keys)
                if objects and plain:    # {"customer_id": {"x": 1}} among plain values
                    _reject_odd(raw, docs, keys, "= 'OBJECT'", "an object", "a plain value")
    return sorted(leaves, key=rank.__getitem__), notes       # each object's keys where it stood


def _reject_odd(raw, docs: str, keys: tuple, odd: str, held: str, usual: str) -> None:
    """Lines where the key ``keys`` holds another kind of value than most lines: rejected."""
    why = f"{'.'.join(keys)!r} holds {held} where most lines hold {usual}"
    raw.execute(f"UPDATE {q(docs)} SET why = {lit(why)} WHERE why IS NULL AND json_type(doc, {lit(_path(keys))}) {odd}")


def _names(leaves: list[tuple]) -> tuple[list[str], list[str]]:
    """Column names of the leaf paths, distinct ignoring case (DuckDB's names are)."""
    taken, names, notes = {ROW.lower()}, [], []
    for keys in leaves:
        name = ".".join(keys) or "(no name)"
        base, i = name, 1
        while name.lower() in taken:
            i += 1
            name = f"{base}_{i}"
        if name != base:
            notes.append(f"key {base!r} read as column {name!r}: another key has the same name but for "
                         "upper/lower case (or the same dotted name)")
        taken.add(name.lower())
        names.append(name)
    return names, notes


# ---------------------------------------------------------------- the view

def open_input(raw, src, *, view: str, encoding: str | None, **options) -> Opened:
    """:func:`open_json` for a JSON file, else :func:`jmtools.sources._read.open_source`.

    Examples
    --------
    >>> import duckdb, pandas as pd
    >>> open_input(duckdb.connect(), pd.DataFrame({"a": [1]}), view="v", encoding=None, sheet=None,
    ...            read_options={}).label
    'DataFrame'
    """
    if isinstance(src, (str, os.PathLike)) and not options.get("is_view") and is_json_file(src):
        return open_json(raw, Path(src), view, encoding)
    return open_source(raw, src, view=view, encoding=encoding, **options)


def open_json(raw, path: Path, view: str, encoding: str | None = None) -> JsonOpened:
    """Read the JSON lines (or JSON array) file ``path`` into the table ``view``: one text
    column per key, nested keys dotted, :data:`~jmtools.sources._read.ROW` the file line.

    Lines that are no row are in ``structural`` as (line, reason, text), with a fix per reason.

    Examples
    --------
    >>> import duckdb, tempfile, pathlib
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "events.jsonl"
    >>> _ = path.write_text('{"event": "view", "properties": {"time": 1709999999}}\\nnot json\\n')
    >>> raw = duckdb.connect()
    >>> opened = open_json(raw, path, "v")
    >>> raw.execute('SELECT * FROM v').fetchall(), opened.structural
    ([('view', '1709999999', 1)], [(2, 'not JSON', 'not json')])
    """
    path = Path(path)
    if path.is_file() and path.stat().st_size == 0:
        raise DataError([Problem("the file is empty — 0 bytes", source=path.name,
                                 fix="export the table again: one JSON object per line")])
    check_path(path)                  # not found: the closest name
    shape = json_shape(path)
    if shape is None:
        raise DataError([Problem("the file is neither JSON lines (one object per line) nor a JSON array of "
                                 "objects", source=path.name, line=1,
                                 fix="export the table as JSON lines (.jsonl, one object per line) or as CSV")])
    docs, notes = view + "_docs", []
    long_lines, end = [], {}
    if shape == "array" and not _one_per_line(path):
        _read_array(raw, path, docs)
        notes.append("rows are numbered by their place in the JSON array (its objects are not one per line)")
    else:
        long_lines, end = _read_lines(raw, path, docs, encoding, in_array=shape == "array")
    good = raw.execute(f"SELECT count(*) FILTER (WHERE why IS NULL), count(*) FROM {q(docs)}").fetchone()
    if not good[0]:
        first = raw.execute(f"SELECT n, why FROM {q(docs)} ORDER BY n LIMIT 1").fetchone()
        raw.execute(f"DROP TABLE {q(docs)}")
        first = first or (long_lines[0] if long_lines else None)
        bad = good[1] + len(long_lines)
        raise DataError([Problem(f"no line of the file is a JSON object ({bad:,} line{'s' if bad > 1 else ''}, "
                                 "none an object)" if bad else
                                 "the file holds no JSON object (only blank lines)"
                                 + (f"; line {first[0]}: {first[1]}" if first else ""), source=path.name,
                                 line=first[0] if first else None,
                                 fix="export the table as JSON lines (one object per line, "
                                     "{\"customer_id\": …, …}) or as CSV")])
    leaves, flat_notes = _flatten(raw, docs)
    names, name_notes = _names(leaves)
    paths = "[" + ", ".join(lit(_path(k)) for k in leaves) + "]"
    columns = "".join(f"v[{i + 1}] AS {q(n)}, " for i, n in enumerate(names))
    raw.execute(f"CREATE OR REPLACE TEMP TABLE {q(view)} AS SELECT {columns}n AS {ROW} FROM "
                f"(SELECT n, json_extract_string(doc, {paths}) AS v FROM {q(docs)} WHERE why IS NULL)"
                if leaves else
                f"CREATE OR REPLACE TEMP TABLE {q(view)} AS SELECT n AS {ROW} FROM {q(docs)} WHERE why IS NULL")
    structural = _bad_lines(raw, docs, long_lines, end)
    raw.execute(f"DROP TABLE {q(docs)}")
    fixes = {why: _FIXES.get(why, _FIX_ODD if " holds " in why else _FIX_ENCODING if why.startswith("bytes that")
                             else _FIX_LINE) for _, why, _ in structural}
    return JsonOpened(view, path.name, "json", structural, notes + flat_notes + name_notes,
                      _FileLines(), header_line=0, fixes=fixes)


def _bad_lines(raw, docs: str, long_lines: list, end: dict) -> list:
    """(line, reason, text) of every line that is no row, in file order; the text of the first
    five of each reason."""
    rows = raw.execute(
        f"SELECT n, why, CASE WHEN row_number() OVER (PARTITION BY why ORDER BY n) <= 5 THEN left(doc, 120) END "
        f"FROM {q(docs)} WHERE why IS NOT NULL ORDER BY n").fetchall()
    cut = end.get("last") if not end.get("ended", True) else None
    out = [(int(n), "the last line is cut short" if n == cut and why == "not JSON" else why,
            (text or "").rstrip("\r\n")) for n, why, text in rows]
    out += [(n, "line longer than 16 MB", text) for n, text in long_lines]
    return sorted(out)


def _one_per_line(path: Path) -> bool:
    """Whether a JSON array is written one object per line (``[{…},`` / ``{…},`` / ``{…}]``), so
    that its rows can be given their file lines."""
    with _opener(path) as handle:
        lines = [ln.strip() for ln in handle.read(1 << 20).split(b"\n")[:-1]][:3]
    lines = [ln for ln in lines if ln.strip(b"[] \t\r")]
    if len(lines) < 2:
        return False
    try:
        return isinstance(json.loads(lines[0].lstrip(b"\xef\xbb\xbf").lstrip(b"[").rstrip(b",]")), dict)
    except (ValueError, RecursionError):
        return False


def nested_leaves(names: list[str], normalise) -> dict[str, str]:
    """Nested names by their last key, normalised by ``normalise`` (``properties.channel`` read
    as ``channel``), where one name has that last key (used by the loader's column matching).

    Examples
    --------
    >>> nested_leaves(["properties.channel", "a.time", "b.time", "event"], str.lower)
    {'channel': 'properties.channel'}
    """
    found: dict[str, list[str]] = {}
    for n in names:
        if nested_leaf(n):
            found.setdefault(normalise(nested_leaf(n)), []).append(n)
    return {k: v[0] for k, v in found.items() if len(v) == 1}
