"""Reading an input into a DuckDB view: files (CSV, Parquet, Excel) and in-memory frames.

Every view gets the column :data:`ROW`, the 1-based position of the row in the input (a name
no export uses, so a column of the input called ``_row`` stays the input's own). What cannot
be read at all — a missing or empty file, a folder without Parquet files, a damaged Parquet
file, a frame without columns or with types DuckDB cannot hold — is one located
:class:`~jmtools.core.errors.DataError` with a fix. A header that names a column twice is read
with the copies kept apart (``Labels``, ``Labels.1``; :mod:`jmtools.sources._headers`).
"""

from __future__ import annotations

import codecs
import dataclasses
import gzip
import os
import re
import shutil
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from jmtools.core.errors import DataError, ParameterError, Problem, suggest
from jmtools.sources._excel import read_excel_sheet
from jmtools.sources._headers import unique_names
from jmtools.sources._lines import CsvLines
from jmtools.sources._part_files import folder_parts, partition_types

__all__ = ["ROW", "Opened", "open_source", "parquet_error", "FILE_KINDS", "NATIVE_ENCODINGS"]

#: The input-position column every view gets (see the module docstring).
ROW = "__jm_row"
#: Encodings DuckDB reads natively; others are transcoded through Python's codecs (Latin-1
#: too: DuckDB's refuses the bytes 0x80–0x9F, which Latin-1 reads as every other byte).
NATIVE_ENCODINGS = {"utf-8": "utf-8", "utf8": "utf-8", "utf-16": "utf-16", "utf16": "utf-16"}
FILE_KINDS = {".csv": "csv", ".tsv": "csv", ".txt": "csv", ".gz": "csv", ".parquet": "parquet",
              ".pq": "parquet", ".xlsx": "excel", ".xlsm": "excel", ".xls": "excel"}
_UTF16_BOMS = (b"\xff\xfe", b"\xfe\xff")


def _q(name: str) -> str:
    return '"' + str(name).replace('"', '""') + '"'


def _lit(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


@dataclass
class Opened:
    """An input registered as a view.

    ``lines`` is ``"csv"`` or ``"excel"`` for inputs with file lines (the header is line 1),
    else False; ``structural`` lists DuckDB's malformed CSV lines as (line, kind, text);
    ``csv_lines`` maps records to file lines (CSV only).
    """

    view: str
    label: str
    lines: str | bool = False
    structural: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    csv_lines: CsvLines | None = None
    header_line: int = 1
    #: Header names written more than once (:class:`~jmtools.sources._headers.Repeated`).
    repeated: list = field(default_factory=list)


def open_source(raw, src, *, view: str, encoding: str | None, sheet, read_options: dict,
                is_view: bool = False, dates: bool = True) -> Opened:
    """Register ``src`` (a path, a frame, or the name of a DuckDB view) as the view ``view``
    (``dates``: an Excel text column of days written dd.mm.yyyy read as dates)."""
    if is_view:
        raw.execute(f"CREATE OR REPLACE TEMP VIEW {_q(view)} AS SELECT *, row_number() OVER () "
                    f"AS {ROW} FROM {_q(src)}")
        return Opened(view, "DuckDB table")
    if isinstance(src, (str, os.PathLike)):
        path = Path(src)
        _check_path(path)
        fmt = _file_kind(path)
        if fmt == "csv":
            return _open_csv(raw, path, view, encoding, read_options)
        if fmt == "parquet":
            return _open_parquet(raw, path, view)
        frame, header_line, notes, repeated = read_excel_sheet(path, sheet, read_options, dates)
        return Opened(_register_frame(raw, frame, view, path.name), path.name, "excel", notes=notes,
                      header_line=header_line, repeated=repeated)
    frame = _frame_from(src)
    if frame is None:
        raise ParameterError("src", type(src).__name__,
                             expected="a file path (CSV, Parquet, Excel), a pandas/polars "
                                      "DataFrame, a pyarrow Table or an Ibis/Spark table",
                             fix="pass series.to_frame() for a pandas Series" if
                             type(src).__name__ == "Series" else "")
    return Opened(_register_frame(raw, frame, view, type(src).__name__), type(src).__name__)


def _check_path(path: Path) -> None:
    if path.exists():
        if path.is_file() and path.stat().st_size == 0:
            raise DataError([Problem("the file is empty — 0 bytes", source=path.name,
                                     fix="export the table again, with a header line")])
        if path.is_dir() and not folder_parts(path).parquet:
            found = folder_parts(path)
            inside = found.each[:5] and [p.name for p in found.each[:5]] or found.other[:5]
            raise DataError([Problem(
                "the folder holds no .parquet part files — it has "
                + (", ".join(map(repr, inside)) if inside else "nothing"), source=f"{path.name}/",
                fix="put the table's Parquet (or CSV, JSON-lines, Excel) part files in it, or give the path of a table file "
                    "(events.csv, events.parquet, …)")])
        return
    folder = path.parent if str(path.parent) else Path(".")
    near = suggest(path.name, [p.name for p in folder.iterdir()]) if folder.is_dir() else None
    raise DataError([Problem(f"file not found — {str(path)!r}", source=path.name,
                             fix=f"did you mean {near!r}?" if near else
                             "check the path (relative paths start in the notebook's folder)")])


def _file_kind(path: Path) -> str:
    if path.is_dir():
        return "parquet"
    suffix = path.suffix.lower()
    if suffix not in FILE_KINDS:
        raise ParameterError("src", path.name, expected="a .csv, .tsv, .parquet or .xlsx file",
                             fix="export the table as CSV or Parquet")
    return FILE_KINDS[suffix]


def parquet_error(exc: Exception, path: Path) -> DataError:
    """A DuckDB error reading Parquet, as a located error that keeps DuckDB's diagnosis."""
    first = next((ln.strip() for ln in str(exc).splitlines() if ln.strip()), type(exc).__name__)
    if "schema mismatch" in first or "could not be found in file" in first:
        fix = ("give every file of the folder the same columns (names and types), or load "
               "the files one by one")
    else:
        fix = ("the file is damaged or not Parquet: export it again (a CSV file must end in "
               ".csv)")
    return DataError([Problem(f"the Parquet data cannot be read — {first[:300]}",
                              source=path.name, fix=fix)])


def _open_parquet(raw, path: Path, view: str) -> Opened:
    import duckdb

    if path.is_dir():
        return _open_parquet_folder(raw, path, view)
    try:
        raw.execute(f"CREATE OR REPLACE TEMP VIEW {_q(view)} AS SELECT * FROM "
                    f"read_parquet({_lit(str(path))}, file_row_number = true, hive_partitioning = false)")
        raw.execute(f"CREATE OR REPLACE TEMP VIEW {_q(view + '_n')} AS SELECT * EXCLUDE "
                    f"(file_row_number), file_row_number + 1 AS {ROW} FROM {_q(view)}")
    except duckdb.Error as exc:
        raise parquet_error(exc, path) from None
    return Opened(view + "_n", path.name)


def _open_parquet_folder(raw, path: Path, view: str) -> Opened:
    """The Parquet part files of a table's folder as one view, rows numbered file by file (in
    path order), ``key=value`` folders as columns (DuckDB's hive_partitioning; D259)."""
    import duckdb

    found = folder_parts(path)
    first, label = None, f"{path.name}/"
    for file in found.parquet:            # columns file by file: a mismatch names both files
        try:
            cols = raw.execute(f"DESCRIBE SELECT * FROM read_parquet({_lit(str(file))}, "
                               "hive_partitioning = false)").fetchall()
        except duckdb.Error as exc:
            err = parquet_error(exc, file)
            raise DataError([dataclasses.replace(p, source=f"{path.name}/{file.relative_to(path)}")
                             for p in err.problems]) from None
        cols = {r[0]: r[1] for r in cols}
        clash = [k for k in found.keys if k in cols]
        if clash:
            raise DataError([Problem(f"the partition key {clash[0]!r} is also a column of "
                                     f"{file.relative_to(path)}", source=label, column=clash[0],
                                     fix="rename the key=value folders or the column: one name, one column")])
        if first is None:
            first = (file, cols)
            continue
        differ = next((c for c in list(first[1]) + list(cols) if first[1].get(c) != cols.get(c)), None)
        if differ is not None:
            def said(c, f):
                return f"{c[differ]} in {f.relative_to(path)}" if differ in c else f"not in {f.relative_to(path)}"
            raise DataError([Problem(f"the part files' columns differ: {differ!r} is {said(first[1], first[0])} "
                                     f"but {said(cols, file)}", source=label, column=differ,
                                     fix="give every part file of the folder the same columns (names and types), "
                                         "or list the files as parts of the table in loading.yaml, each with its "
                                         "own columns: (docs/bring-your-own-data.md)")])
    files = "[" + ", ".join(_lit(str(f)) for f in found.parquet) + "]"
    typed = partition_types(found) if found.keys and found.each else {}    # as the other parts' (D264)
    hive_types = (", hive_types = {" + ", ".join(f"{_lit(k)}: {_lit(t)}" for k, t in typed.items()) + "}") if typed else ""
    try:
        raw.execute(f"CREATE OR REPLACE TEMP VIEW {_q(view)} AS SELECT * FROM read_parquet({files}, "
                    f"file_row_number = true, filename = '__jm_file', "
                    f"hive_partitioning = {'true' if found.keys else 'false'}{hive_types})")
        raw.execute(f"CREATE OR REPLACE TEMP VIEW {_q(view + '_n')} AS SELECT * EXCLUDE "
                    f"(file_row_number, __jm_file), row_number() OVER (ORDER BY __jm_file, file_row_number) "
                    f"AS {ROW} FROM {_q(view)}")
    except duckdb.Error as exc:
        raise parquet_error(exc, path) from None
    many = len(found.parquet) != 1
    notes = [f"read as one table from {len(found.parquet)} Parquet file{'s' if many else ''}"
             + (f", partition folders as columns {', '.join(found.keys)}" if found.keys else "")]
    if found.other and not found.each:     # with other parts, the stacked table says it once
        notes.append(found.not_read())
    return Opened(view + "_n", label, notes=notes)


def _utf16(path: Path) -> bool:
    if path.suffix.lower() == ".gz":
        return False
    with open(path, "rb") as handle:
        return handle.read(2) in _UTF16_BOMS


#: ``read_csv`` options that would make the loader's header and line numbers wrong.
HEADER_OPTIONS = ("header", "names", "column_names")
HEADER_FIX = ("leave header and names out: the loader reads the header line itself, keeps repeated "
              "names apart (Labels, Labels.1) and maps yours with columns (e.g. columns: {text: "
              "Comment.1}); skip: N skips lines above the header; a file without a header line "
              "needs one added")


def _open_csv(raw, path: Path, view: str, encoding: str | None, read_options: dict) -> Opened:
    notes = []
    header = [k for k in read_options if str(k).lower() in HEADER_OPTIONS]
    if header:
        raise ParameterError("read_options", {k: read_options[k] for k in header},
                             expected="DuckDB read_csv options other than " + ", ".join(HEADER_OPTIONS),
                             fix=HEADER_FIX)
    if encoding is None and _utf16(path):
        encoding = "utf-16"
        notes.append("read as UTF-16 (the file starts with a UTF-16 byte-order mark)")
    enc = (encoding or "utf-8").lower()
    sep = _excel_sep_line(path, enc)
    if sep is not None and "skip" not in read_options:
        read_options = {**read_options, "skip": 1, **({} if {"delim", "sep"} & set(read_options)
                                                      else {"delim": sep})}
        notes.append(f"line 1 ('sep={sep}', written by Excel) skipped; {sep!r} read as the delimiter")
    try:
        read = _read_through(raw, path, view, enc, read_options)
    except DataError as err:
        if encoding is not None or not err.problems[0].message.startswith("the file is not UTF-8"):
            raise
        # not UTF-8, and no encoding given: a Windows export (cp1252) when every byte reads so
        try:
            read = _read_through(raw, path, view, "cp1252", read_options)
        except DataError:
            raise err from None
        enc = "cp1252"
        notes.append(f"read as Windows-1252 (cp1252): not UTF-8 (line {err.problems[0].line}); "
                     "pass encoding= if it was written in another code page")
    notes.extend(read.notes)
    # record lines are read from the file itself, with Python's codec when DuckDB has none
    skip = int(read_options.get("skip", 0) or 0)
    lines = CsvLines(path, NATIVE_ENCODINGS.get(enc, enc), read.options, read.n_columns,
                     read.n_kept, [s[0] for s in read.structural], skip=skip)
    return Opened(view, path.name, "csv", read.structural, notes, lines, header_line=1 + skip,
                  repeated=read.repeated)


def _excel_sep_line(path: Path, enc: str) -> str | None:
    """The delimiter named by a first line ``sep=;`` (Excel writes it for other programs'
    sake), or None."""
    if enc not in ("utf-8", "utf8"):
        return None
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    try:
        with opener(path, "rb") as handle:
            first = handle.readline(64)
    except OSError:
        return None
    found = re.fullmatch(rb"(?:\xef\xbb\xbf)?sep=(.)\r?\n?", first)
    return found.group(1).decode("latin-1") if found else None


def _read_through(raw, path: Path, view: str, enc: str, read_options: dict):
    """:func:`_read_csv` of ``path`` in ``enc``: directly in an encoding DuckDB reads, else
    through a UTF-8 copy, removed once read."""
    copy = None if enc in NATIVE_ENCODINGS else _transcode(path, enc)
    try:
        return _read_csv(raw, path, copy or path, view, enc if copy is None else "utf-8", read_options)
    finally:
        if copy is not None:            # read into a table: the copy is not needed any more
            shutil.rmtree(copy.parent, ignore_errors=True)


@dataclass
class _CsvRead:
    """What :func:`_read_csv` read: DuckDB's malformed lines (one per line) as (line, kind, text),
    records kept, columns, the dialect options the records were read with, and notes."""

    structural: list
    n_kept: int
    n_columns: int
    options: dict
    notes: list
    repeated: list = field(default_factory=list)


#: DuckDB's kinds of malformed line, in words; a record that spans lines because a quote was
#: not closed is told apart (:func:`_kind`).
_KINDS = {"UNQUOTED VALUE": "a quote inside a quoted value: double it, or remove it"}
_SPANNING = ("a quote not closed on its line: the lines after it were read into it, up to the "
             "next quote")


def _kind(kind: str, text: str) -> str:
    if kind.upper() in ("UNQUOTED VALUE", "TOO MANY COLUMNS") and "\n" in text.strip():
        return _SPANNING
    return _KINDS.get(kind.upper(), kind)


def _read_csv(raw, path: Path, read: Path, view: str, enc: str, read_options: dict) -> _CsvRead:
    """The file ``read`` (``path`` itself, or its UTF-8 copy) into the table ``view``; errors
    name ``path``.

    DuckDB guesses the dialect from a sample. When one value's quoting is broken it can guess
    that the file has no quote character, and then refuses every good line with a quoted
    delimiter; :func:`_requoted` reads such a file again with ``"`` as the quote and keeps the
    read that loses fewer rows.
    """
    reader = (f"read_csv({_lit(str(read))}, all_varchar = true, hive_partitioning = false, "   # the file's columns (D264)
              f"encoding = {_lit(NATIVE_ENCODINGS[enc])}")
    opts = "".join(f", {k} = {_lit(v) if isinstance(v, str) else v}" for k, v in read_options.items())
    structural = _into(raw, view, f"{reader}, header = true", opts, path)
    n_kept = raw.execute(f"SELECT count(*) FROM {_q(view)}").fetchone()[0]
    unicode = [line for line, kind, _ in structural if "UNICODE" in kind.upper() or "ENCODING" in kind.upper()]
    if unicode:
        raise DataError([Problem(f"the file is not {NATIVE_ENCODINGS[enc].upper()} encoded — invalid "
                                 f"byte sequences on {len(unicode)} line{'s' if len(unicode) > 1 else ''}",
                                 source=path.name, lines=tuple(unicode), line=unicode[0],
                                 fix="pass encoding='latin-1' (or 'cp1252', 'utf-16') to the loader")])
    done = _CsvRead(structural, n_kept, 0, dict(read_options), [])
    if structural and not {"quote", "escape", "auto_detect", "columns"} & set(read_options):
        done = _requoted(raw, path, reader, view, opts, done)
    done.repeated = _check_header(raw, view, f"{reader}, header = false{opts}{done.options.get('_sql', '')})")
    done.options.pop("_sql", None)
    done.n_columns = len(raw.execute(f"DESCRIBE {_q(view)}").fetchall()) - 1
    done.structural = [(line, _kind(kind, text), text) for line, kind, text in done.structural]
    return done


def _into(raw, view: str, reader: str, opts: str, path: Path) -> list:
    """``reader`` (a ``read_csv(...`` call left open) into the table ``view``, malformed lines
    stored aside; returns them (line, DuckDB's kind, text), one per line."""
    rejects = view + "_rejects"
    for left in (rejects, rejects + "_scan"):      # an earlier attempt's rejects (another encoding)
        raw.execute(f"DROP TABLE IF EXISTS {_q(left)}")
    sql = (f"CREATE OR REPLACE TEMP TABLE {_q(view)} AS SELECT *, row_number() OVER () AS {ROW} "
           f"FROM {reader}, store_rejects = true, rejects_table = {_lit(rejects)}, "
           f"rejects_scan = {_lit(rejects + '_scan')}{opts})")
    try:
        raw.execute(sql)
    except Exception as exc:  # DuckDB reports encoding and dialect errors here
        raise _csv_error(exc, path) from None
    bad = raw.execute(f"SELECT line, error_type, csv_line FROM {_q(rejects)} ORDER BY line").fetchall()
    return list({int(line): (int(line), str(kind), str(text))    # DuckDB logs a line once per
                 for line, kind, text in reversed(bad)}.values())[::-1]   # extra column: one each


def _requoted(raw, path: Path, reader: str, view: str, opts: str, first: _CsvRead) -> _CsvRead:
    """``first`` read again with ``"`` as the quote when DuckDB guessed none and refused lines
    that hold one; the read that keeps more records (of as many, the one refusing fewer lines)."""
    scan = raw.execute(f"SELECT delimiter, quote, skip_rows FROM {_q(view + '_rejects_scan')} "
                       "LIMIT 1").fetchone()
    if scan is None or scan[1] not in ("(empty)", "") or not any('"' in t for _, _, t in first.structural):
        return first
    delim, skip = scan[0], int(scan[2] or 0)
    names = [r[0] for r in raw.execute(f"DESCRIBE {_q(view)}").fetchall() if r[0] != ROW]
    columns = "{" + ", ".join(f"{_lit(n.strip().strip(chr(34)))}: 'VARCHAR'" for n in names) + "}"
    given = {k for k in ("delim", "sep", "skip") if f", {k} =" in opts}     # the caller's own
    dialect = (", auto_detect = false, quote = '\"', escape = '\"'"
               + ("" if given & {"delim", "sep"} else f", delim = {_lit(delim)}")
               + ("" if "skip" in given else f", skip = {skip}"))
    again = view + "_quoted"
    try:
        structural = _into(raw, again, f"{reader}, header = true, columns = {columns}{dialect}",
                           opts, path)
    except DataError:
        return first
    n_kept = raw.execute(f"SELECT count(*) FROM {_q(again)}").fetchone()[0]
    if (n_kept, -len(structural)) <= (first.n_kept, -len(first.structural)):   # no better
        raw.execute(f"DROP TABLE {_q(again)}")
        return first
    raw.execute(f"DROP TABLE {_q(view)}")
    raw.execute(f"ALTER TABLE {_q(again)} RENAME TO {_q(view)}")
    note = (f"read with \" as the quote character: the reader's guess of the dialect (no quote) "
            f"kept {first.n_kept:,} rows and refused {len(first.structural):,} lines, this read keeps "
            f"{n_kept:,} and refuses {len(structural):,}")
    return _CsvRead(structural, n_kept, 0, {"delim": delim, "quote": '"',
                                            "_sql": f", columns = {columns}{dialect}"}, [note])


def _check_header(raw, view: str, headerless: str) -> list:
    """Header names written more than once: the copies in the table ``view`` are renamed the
    way pandas names them (DuckDB would call the second 'Labels_1', or 'labels_2' for
    'labels '); returns the :class:`~jmtools.sources._headers.Repeated` names."""
    try:
        row = raw.execute(f"SELECT * FROM {headerless} LIMIT 1").fetchone()
    except Exception:  # noqa: BLE001 — the file was read above; a second look is a bonus
        return []
    header = ["" if v is None else str(v) for v in (row or ())]
    names, repeated = unique_names(header)
    have = [r[0] for r in raw.execute(f"DESCRIBE {_q(view)}").fetchall() if r[0] != ROW]
    if not repeated or len(have) != len(names):
        return []
    for r in repeated:
        for p, new in zip(r.positions[1:], r.names[1:]):
            raw.execute(f"ALTER TABLE {_q(view)} RENAME COLUMN {_q(have[p - 1])} TO {_q(new)}")
    return repeated


def _twice(names: list[str]) -> str:
    """The names that occur twice, ignoring case and blanks around them (DuckDB's names are
    case-insensitive: it would rename the second 'Region_1' quietly), as text; '' if none."""
    seen: dict[str, list[str]] = {}
    for name in names:
        seen.setdefault(name.strip().lower(), []).append(name.strip())
    return ", ".join(" and ".join(map(repr, dict.fromkeys(v))) if len(set(v)) > 1 else repr(v[0])
                     for v in seen.values() if len(v) > 1)


def _csv_error(exc: Exception, path: Path) -> DataError:
    text = str(exc)
    line = re.search(r"Line: (\d+)", text)
    lineno = int(line.group(1)) if line else None
    if "unicode" in text.lower() or "utf-8" in text.lower():
        return DataError([Problem("the file is not UTF-8 encoded — invalid byte sequence",
                                  source=path.name, line=lineno,
                                  fix="pass encoding='latin-1' (or 'cp1252', 'utf-16') to the loader")])
    lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
    first = lines[0] if lines else type(exc).__name__
    # DuckDB's own diagnosis follows the first line (before the echoed line and its dialect dump)
    why = next((ln for ln in lines[1:] if not ln.startswith(("Original Line", "Possible Solution"))
                and "=" not in ln), "")
    size = re.search(r"max_line_size=(\d+)", text)
    if size:
        fix = (f"a value is longer than the reader's line limit; pass "
               f"read_options={{'max_line_size': {size.group(1)}}} to the loader, or shorten that value")
    else:
        fix = "check the delimiter and quoting, or pass delim=';' / quote='\"'"
    message = f"the CSV file cannot be read — {first}" + (f" ({why[:300]})" if why else "")
    return DataError([Problem(message, source=path.name, line=lineno, fix=fix)])


def _transcode(path: Path, enc: str) -> Path:
    """A UTF-8 copy of ``path`` read as ``enc``, in a new temporary folder (the caller removes
    it); a byte that ``enc`` cannot read is a located error (the file's line, the byte)."""
    try:
        decoder = codecs.getincrementaldecoder(enc)(errors="strict")
    except LookupError:
        raise ParameterError("encoding", enc, expected=["utf-8", "utf-16", "latin-1", "cp1252"],
                             fix="pass a Python codec name, e.g. encoding='cp1252'") from None
    folder = Path(tempfile.mkdtemp(prefix="jmtools-"))
    out = folder / (path.stem + ".utf8.csv")
    opener = gzip.open if path.suffix.lower() == ".gz" else open
    lines = 1                                           # the line the next block starts on
    try:
        with opener(path, "rb") as fin, open(out, "w", encoding="utf-8", newline="") as fout:
            for block in iter(lambda: fin.read(1 << 20), b""):
                pending = len(decoder.getstate()[0])    # bytes of a character the last block began
                try:
                    fout.write(decoder.decode(block))
                except UnicodeDecodeError as err:
                    at = max(err.start - pending, 0)
                    raise DataError([Problem(
                        f"byte 0x{(block[at:at + 1] or b'?').hex()} cannot be read as {enc}",
                        source=path.name, line=lines + block[:at].count(b"\n"),
                        fix="pass the file's encoding: encoding='utf-8', or 'latin-1', which reads "
                            "every byte")]) from None
                lines += block.count(b"\n")
            fout.write(decoder.decode(b"", final=True))
    except UnicodeDecodeError:                          # the file ends inside a character
        shutil.rmtree(folder, ignore_errors=True)
        raise DataError([Problem(f"the file ends inside a character of {enc}", source=path.name,
                                 line=lines, fix="export the file again, or pass its encoding")]) from None
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    return out


def _frame_from(src):
    module = type(src).__module__.split(".")[0]
    if module == "polars":
        if not hasattr(src, "to_arrow"):         # a LazyFrame: a query plan, not rows
            raise ParameterError("src", type(src).__name__, expected="a polars DataFrame",
                                 fix="call .collect() on the LazyFrame first")
        return src.to_arrow()
    if module == "pyarrow":
        return src
    if module == "pandas" and hasattr(src, "columns"):
        if getattr(src.columns, "nlevels", 1) > 1:          # pd.concat(keys=…) or .agg(): one name each
            src = src.set_axis(_flat_labels(src.columns), axis=1)
        labels = [str(c) for c in src.columns]
        twice = _twice(labels)
        if twice:
            raise DataError([Problem(f"the frame has several columns named {twice}",
                                     source="DataFrame",
                                     fix="rename or drop the duplicates first, e.g. "
                                         "df.loc[:, ~df.columns.duplicated()]")], source="DataFrame")
        frame = _index_as_columns(src, labels)
        frame.columns = [str(c) for c in frame.columns]  # integer or tuple labels become text
        for col in frame.columns:
            if frame[col].dtype == object or str(frame[col].dtype).startswith(("period", "interval")):
                frame[col] = frame[col].astype("string")           # Period, Interval: as pandas writes them
            elif _laid_out_backwards(frame[col]):
                frame[col] = frame[col].copy()
        return frame
    return None


def _flat_labels(columns) -> list[str]:
    """A MultiIndex of column labels as one name each: levels equal in every column dropped
    (``("t", "ticket_id")`` of a concat with keys is ``ticket_id``), the others joined with
    ``_`` (``("amount", "sum")`` of an aggregation is ``amount_sum``)."""
    labels = list(columns)
    varying = [i for i in range(columns.nlevels) if len({c[i] for c in labels}) > 1] or [columns.nlevels - 1]
    return ["_".join(str(c[i]) for i in varying if str(c[i]) != "") or str(c[-1]) for c in labels]


def _index_as_columns(src, labels: list[str]):
    """The frame with its named index levels as columns (``df.set_index("customer_id")``: the
    index is data when it has a name; a column of the same name wins), the rest dropped."""
    names = [n for n in src.index.names if n is not None and str(n) not in labels]
    names = [n for i, n in enumerate(names) if n not in names[:i]]
    frame = src.reset_index(level=names) if names else src
    return frame.reset_index(drop=True).copy(deep=False)


def _laid_out_backwards(column) -> bool:
    """Whether the column may be a view DuckDB cannot scan (``df.iloc[::-1]`` walks the numpy
    buffer backwards): a numpy column that is not contiguous, or a nullable or zoned one (numpy
    buffers under a wrapper); Arrow, text and categorical columns are scanned as they are."""
    import numpy as np
    import pandas as pd

    if isinstance(column.dtype, np.dtype):
        return not column.to_numpy(copy=False).flags.c_contiguous
    return not isinstance(column.dtype, (pd.ArrowDtype, pd.StringDtype, pd.CategoricalDtype))


def _register_frame(raw, frame, view: str, label: str) -> str:
    import duckdb

    if len(getattr(frame, "columns", ())) == 0:
        raise DataError([Problem("the frame has no columns", source=label,
                                 fix="pass the table itself, with its columns (customer_id, …)")])
    try:
        raw.register(view + "_frame", frame)
        raw.execute(f"CREATE OR REPLACE TEMP VIEW {_q(view)} AS SELECT *, row_number() OVER () "
                    f"AS {ROW} FROM {_q(view + '_frame')}")
    except duckdb.Error as exc:
        odd = _unreadable(raw, frame, view + "_probe")
        first = str(exc).splitlines()[0]
        cols = f"; column{'s' if len(odd) > 1 else ''} {', '.join(odd)}" if odd else ""
        raise DataError([Problem(f"the frame cannot be read — {first}{cols}", source=label,
                                 fix="convert those columns to text, numbers or timestamps, or drop "
                                     "them (df[col] = df[col].astype(str); a Period: "
                                     ".dt.to_timestamp())")]) from None
    return view


def _unreadable(raw, frame, probe: str) -> list[str]:
    """The columns DuckDB cannot scan, each tried alone, as ``'name' (dtype)``."""
    import duckdb

    pandas = hasattr(frame, "dtypes")
    out = []
    for col in (frame.columns if pandas else frame.column_names):
        try:
            raw.register(probe, frame[[col]] if pandas else frame.select([col]))
            raw.execute(f"SELECT * FROM {_q(probe)} LIMIT 1").fetchall()
        except duckdb.Error:
            out.append(f"{col!r} ({frame[col].dtype if pandas else frame.schema.field(col).type})")
        finally:
            raw.unregister(probe)
    return out
