"""A catalogue of hostile and broken inputs, each with the exact outcome it must produce.

Issue 16, item 5: one table, case → outcome, across every way data and settings come in —
the six loaders (CSV, Parquet, Excel and pandas inputs), the journey file, the workshop
workbook, persona rules and custom formulas, funnel steps and report parameters, batch
configs and the command line (run in-process). Each row is

    id · input path · the input · the outcome

and the outcome is exactly one of

- ``Raises``: a located error of that class whose message holds the given words and a Fix
  (and, where given, the line);
- ``Rejected``: the load succeeds and counts the bad rows, with this reason, this many rows
  and these file lines (rows read = used + rejected);
- ``Accepted``: the input is used, with the note or warning given (if any) and the property
  given (if any);
- ``Exits``: the command returns this exit code and says the words (and a Fix).

Every input is tiny and every case runs in well under a few seconds (a case that runs longer
than :data:`BUDGET_S` fails as a hang). Cases the existing tests already cover are not
repeated here (tests/test_sources.py, test_journey_yamlio.py, test_expressions.py,
test_bounded_input.py, test_spreadsheet_safety.py, test_report_batch.py, test_cli*.py …).

Print the catalogue as a markdown table::

    python tests/test_hostile_catalogue.py --markdown
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import pytest

#: Seconds a case may take before it counts as a hang.
BUDGET_S = 30


# ============================================================================ outcomes
@dataclass(frozen=True)
class Raises:
    """A located error: exact class, words in the message, a Fix, optionally the line."""

    error: str
    words: tuple[str, ...]
    line: int | None = None

    def describe(self) -> str:
        at = f" at line {self.line}" if self.line else ""
        return f"`{self.error}`{at}: “{' … '.join(self.words)}” + Fix"

    def check(self, value, exc) -> None:
        assert exc is not None, f"expected {self.error}, got a result: {value!r}"[:500]
        assert type(exc).__name__ == self.error, f"{type(exc).__name__}: {exc}"
        text = str(exc)
        for word in self.words:
            assert word in text, f"{word!r} not in: {text}"
        assert "Fix:" in text and text.split("Fix:", 1)[1].strip(), f"no fix in: {text}"
        if self.line is not None:
            assert exc.problems[0].line == self.line, exc.problems[0]


@dataclass(frozen=True)
class Rejected:
    """Counted rejections: (reason, rows, file lines) each; rows read = used + rejected."""

    reasons: tuple[tuple[str, int, tuple[int, ...]], ...]
    used: int | None = None

    def describe(self) -> str:
        parts = [f"“{r}” ×{n}, line{'s' if len(ls) > 1 else ''} {', '.join(map(str, ls))}"
                 for r, n, ls in self.reasons]
        return "counted rejection: " + "; ".join(parts) + (f" ({self.used} used)"
                                                            if self.used is not None else "")

    def check(self, value, exc) -> None:
        assert exc is None, f"expected rejections, got {type(exc).__name__}: {exc}"
        a = value.accounting
        assert a.rows_read == a.rows_used + a.rows_rejected + a.rows_skipped
        found = {r.reason: r for r in a.reasons.itertuples(index=False)}
        assert set(found) == {r for r, _, _ in self.reasons}, str(a)
        for reason, n, lines in self.reasons:
            assert found[reason].n == n and tuple(found[reason].lines) == lines, str(a)
            assert found[reason].fix, str(a)
        if self.used is not None:
            assert a.rows_used == self.used, str(a)


@dataclass(frozen=True)
class Accepted:
    """Used as given: optionally with a note (accounting notes, import warnings) and a property."""

    what: str = ""
    note: str = ""
    holds: Callable[[Any], bool] | None = field(default=None, compare=False)

    def describe(self) -> str:
        note = f", note “{self.note}”" if self.note else ""
        return f"accepted{note}" + (f": {self.what}" if self.what else "")

    def check(self, value, exc) -> None:
        assert exc is None, f"expected acceptance, got {type(exc).__name__}: {exc}"
        accounting = getattr(value, "accounting", None)
        if accounting is not None and hasattr(accounting, "rows_read"):
            assert accounting.rows_read == accounting.rows_used + accounting.rows_rejected + accounting.rows_skipped
            assert accounting.rows_rejected == 0, str(accounting)
        if self.note:
            said = " ".join(getattr(accounting, "notes", []) or getattr(value, "warnings", []))
            assert self.note in said, said
        if self.holds is not None:
            assert self.holds(value), value


@dataclass(frozen=True)
class Exits:
    """A command's exit code, and the words (and a Fix) it prints."""

    code: int
    words: tuple[str, ...]
    fix: bool = True

    def describe(self) -> str:
        return f"exit {self.code}: “{' … '.join(self.words)}”" + (" + Fix" if self.fix else "")

    def check(self, value, exc) -> None:
        assert exc is None, f"{type(exc).__name__}: {exc}"
        code, said = value
        assert code == self.code, f"exit {code}: {said}"
        for word in self.words:
            assert word in said, f"{word!r} not in: {said}"
        assert "Traceback" not in said
        if self.fix:
            assert "Fix" in said, said


@dataclass(frozen=True)
class Case:
    id: str
    path: str
    what: str
    run: Callable[[Path], Any]
    expect: Raises | Rejected | Accepted | Exits
    xfail: str = ""


# ============================================================================ inputs
EV = "customer_id,timestamp,event\n"
TINY_JOURNEY = """\
name: Tiny
stages:
  - name: Browse
  - name: Buy
personas:
  - name: Young
    rule: "age < 30"
  - name: Old
    rule: "age >= 30"
touchpoints:
  - {name: Site, stage: Browse, channel: digital, events: [view]}
  - {name: Checkout, stage: Buy, channel: digital, events: [buy]}
pain_points:
  - {id: slow, title: Checkout is slow, stage: Buy, severity: 3}
opportunities:
  - {id: fast, title: Faster checkout, pain_points: [slow], scores: {impact: 3, effort: 2}}
"""
J1 = '{"customer_id": "a", "timestamp": "2024-01-01", "event": "view"}\n'
TINY_EVENTS = (EV + "a,2024-01-01T10:00:00,view\na,2024-01-01T10:05:00,buy\n"
               "b,2024-01-01T11:00:00,view\nc,2024-01-02T09:00:00,view\nc,2024-01-02T09:10:00,buy\n")
TINY_CUSTOMERS = "customer_id,age,region\na,25,north\nb,40,south\nc,35,north\n"
B = "name: x\nstages:\n  - name: A\n  - name: B\n"
TP = "touchpoints:\n  - {name: T, stage: %s, channel: digital, events: [e], %s}\n"


def _file(tmp: Path, name: str, content) -> Path:
    path = tmp / name
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def _load(kind: str, name: str, content, **options):
    from jmtools.sources import load_table

    return lambda tmp: load_table(_file(tmp, name, content), kind, **options)


def _frame(kind: str, make: Callable[[], Any], **options):
    from jmtools.sources import load_table

    return lambda tmp: load_table(make(), kind, **options)


def _parquet(kind: str, columns: Callable[[], dict], name: str = "t.parquet"):
    def run(tmp):
        import pyarrow as pa
        import pyarrow.parquet as pq

        from jmtools.sources import load_table

        pq.write_table(pa.table(columns()), tmp / name)
        return load_table(tmp / name, kind)
    return run


def _xlsx(kind: str, rows: list):
    def run(tmp):
        from openpyxl import Workbook

        from jmtools.sources import load_table

        wb = Workbook()
        for row in rows:
            wb.active.append(row)
        wb.save(tmp / "t.xlsx")
        return load_table(tmp / "t.xlsx", kind)
    return run


def _parts(**files):
    """An ``events/`` folder of part files (text, bytes, or a list of rows for an .xlsx), loaded."""
    def run(tmp):
        from openpyxl import Workbook

        from jmtools.sources import load_events

        for name, content in files.items():
            name = name.replace("__", ".")
            if isinstance(content, list):
                wb = Workbook()
                for row in content:
                    wb.active.append(row)
                (tmp / "events").mkdir(exist_ok=True)
                wb.save(tmp / "events" / name)
            else:
                _file(tmp, f"events/{name}", content)
        return load_events(tmp / "events")
    return run


def _journey(text):
    from jmtools.journey import Journey

    return lambda tmp: Journey.load(_file(tmp, "journey.yaml", text))


def _world(tmp: Path, journey: str = TINY_JOURNEY) -> Path:
    folder = tmp / "world"
    for name, text in (("journey.yaml", journey), ("events.csv", TINY_EVENTS),
                       ("customers.csv", TINY_CUSTOMERS)):
        _file(folder, name, text)
    return folder


def _run(journey: str = TINY_JOURNEY, **options):
    def run(tmp):
        from jmtools import pipeline

        return pipeline.run(_world(tmp, journey), **options)
    return run


def _paths(**options):
    def run(tmp):
        from jmtools.analyses.funnels import top_paths
        from jmtools.evidence import prepare
        from jmtools.sources import load_world

        world = load_world(_world(tmp))
        return top_paths(prepare(world.tables["events"], world.journey), **options)
    return run


def _funnel(**options):
    def run(tmp):
        from jmtools.analyses.funnels import funnel
        from jmtools.evidence import prepare
        from jmtools.sources import load_world

        world = load_world(_world(tmp))
        return funnel(prepare(world.tables["events"], world.journey), **options)
    return run


def _rule(rule: str):
    def run(tmp):
        import pandas as pd

        from jmtools.personas import persona_filter

        people = pd.DataFrame({"customer_id": ["a", "b", "c"], "age": [25, 40, None],
                               "region": ["north", "south", None],
                               "signup": pd.to_datetime(["2024-01-01", "2024-02-01", None])})
        return list(persona_filter(people, rule)["customer_id"])
    return run


def _formula(formula: str):
    def run(tmp):
        import pandas as pd

        from jmtools.analyses.priorities import custom_score

        opps = pd.DataFrame({"id": ["a", "b"], "title": ["x", "y"], "impact": [3, 1],
                             "effort": [2, 0], "when": pd.to_datetime(["2024-01-01"] * 2)})
        return custom_score(opps, formula)["custom"].tolist()
    return run


def _workbook(mutate: Callable):
    def run(tmp):
        from openpyxl import load_workbook

        from jmtools.journey import Journey
        from jmtools.journey.workbook import write_workbook
        from jmtools.journey.workbook_read import read_workbook

        path = tmp / "map.xlsx"
        write_workbook(Journey.load(_file(tmp, "journey.yaml", TINY_JOURNEY)), path)
        wb = load_workbook(path)
        mutate(wb)
        wb.save(path)
        return read_workbook(path)
    return run


def _cell(sheet: str, coordinate: str, value):
    return lambda wb: wb[sheet].__setitem__(coordinate, value)


def _score_cell(value):
    def mutate(wb):
        ws = wb["Opportunities"]
        column = next(c.column for c in ws[1] if c.value == "score: impact")
        ws.cell(2, column).value = value
    return mutate


def _batch(text: str):
    def run(tmp):
        from jmtools.report.batch import load_batch_config

        _file(tmp, "r.ipynb", "{}")
        return load_batch_config(_file(tmp, "batch.yaml", text))
    return run


def _cli(*argv: str, files: dict | None = None):
    """Run ``jmtools ARGV`` in-process ({tmp} and {world} are replaced); (exit code, output)."""
    def run(tmp):
        from jmtools.cli.main import main

        for name, content in (files or {}).items():
            _file(tmp, name, content)
        world = _world(tmp) if any("{world}" in a for a in argv) else None
        args = [a.format(tmp=tmp, world=world) for a in argv]
        out = io.StringIO()
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(out):
            try:
                code = main(args)
            except SystemExit as stop:   # argparse refuses a value
                code = stop.code
        return code, out.getvalue()
    return run


NOTEBOOK = str(Path(__file__).resolve().parents[1] / "notebooks" / "00_journey_report.ipynb")


def _pd(make):
    """A pandas frame built when the case runs (pandas is imported then)."""
    def build():
        import numpy as np
        import pandas as pd

        return make(pd, np)
    return build


def _has(column: str, values: list):
    return lambda loaded: loaded.to_pandas()[column].tolist() == values


# ============================================================================ the catalogue
CASES = [
    # ---------------------------------------------------------------- loaders: CSV
    Case("L01", "events CSV", "UTF-8 byte-order mark before the header",
         _load("events", "e.csv", b"\xef\xbb\xbf" + (EV + "a,2024-01-01,view\n").encode()),
         Accepted("customer_id found", holds=_has("customer_id", ["a"]))),
    Case("L02", "events CSV", "UTF-16 file (byte-order mark), no encoding given",
         _load("events", "e.csv", (EV + "a,2024-01-01,view\n").encode("utf-16")),
         Accepted(note="read as UTF-16", holds=_has("event", ["view"]))),
    Case("L03", "events CSV", "semicolon delimiter",
         _load("events", "e.csv", "customer_id;timestamp;event\na;2024-01-01;view\n"),
         Accepted("delimiter detected", holds=_has("event", ["view"]))),
    Case("L04", "events TSV", "tab-separated .tsv",
         _load("events", "e.tsv", "customer_id\ttimestamp\tevent\na\t2024-01-01\tview\n"),
         Accepted("delimiter detected", holds=_has("event", ["view"]))),
    Case("L05", "events CSV", "pipe delimiter",
         _load("events", "e.csv", "customer_id|timestamp|event\na|2024-01-01|view\nb|2024-01-02|buy\n"),
         Accepted("delimiter detected", holds=_has("event", ["view", "buy"]))),
    Case("L06", "feedback CSV", "a quoted text over three lines, then a bad timestamp",
         _load("feedback", "f.csv", 'feedback_id,customer_id,timestamp,text\n'
               'f1,a,2024-01-01,"line one\nline two\nthree"\nf2,b,bad,x\n'),
         Rejected((("unparseable timestamp", 1, (5,)),), used=1)),
    Case("L07", "feedback CSV", "a multi-line text, then a line with an extra column",
         _load("feedback", "f.csv", 'feedback_id,customer_id,timestamp,text\n'
               'f1,a,2024-01-01,"one\ntwo"\nf2,b,2024-01-01,"x",extra\nf3,c,bad,y\n'),
         Rejected((("malformed line (too many columns)", 1, (4,)), ("unparseable timestamp", 1, (5,))))),
    Case("L08", "events CSV", "blank lines between rows, then a bad timestamp",
         _load("events", "e.csv", EV + "\na,2024-01-01,view\n\n\nb,bad,view\n"),
         Rejected((("unparseable timestamp", 1, (6,)),), used=1)),
    Case("L09", "events CSV", "NUL byte inside an event name",
         _load("events", "e.csv", (EV + "a,2024-01-01,vi\x00ew\nb,2024-01-01,buy\n").encode()),
         Accepted("kept as typed (no row lost)", holds=_has("event", ["vi\x00ew", "buy"]))),
    Case("L10", "events CSV", "header names 'event' twice",
         _load("events", "e.csv", "customer_id,timestamp,event,event\na,2024-01-01,view,buy\n"),
         Raises("DataError", ("the header names 'event' more than once",), line=1)),
    Case("L11", "customers CSV", "'region' and 'Region ' columns",
         _load("customers", "c.csv", "customer_id,region,Region \na,north,south\n"),
         Accepted(note="the header names 'region' at header positions 2 and 3: read as 'region', 'Region.1'",
                  holds=lambda t: t.to_pandas()[["region", "region_1"]].values.tolist() == [["north", "south"]])),
    Case("L51", "tickets CSV", "Jira's repeated Labels and Comment columns, none of them needed",
         _load("tickets", "t.csv", "Issue key,Customer,Created,Labels,Labels,Comment,Comment\n"
                                   "CS-1,c1,2024-01-01,advice,chat,hi,\n",
               columns={"ticket_id": "Issue key", "customer_id": "Customer", "timestamp": "Created"}),
         Accepted(note="read as 'Comment', 'Comment.1'",
                  holds=_has("labels_1", ["chat"]))),
    Case("L52", "tickets CSV", "columns= names a repeated header name",
         _load("tickets", "t.csv", "Issue key,Customer,Created,Comment,Comment\nCS-1,c1,2024-01-01,hi,\n",
               columns={"ticket_id": "Issue key", "customer_id": "Customer", "timestamp": "Created",
                        "text": "Comment"}),
         Raises("DataError", ("'Comment' more than once (header positions 4 and 5)", "columns: {text: Comment.1}"),
                line=1)),
    Case("L53", "events CSV", "read_options header: false with names",
         _load("events", "e.csv", EV + "a,2024-01-01,view\n",
               read_options={"skip": 1, "header": False, "names": ["customer_id", "timestamp", "event"]}),
         Raises("ParameterError", ("read_options", "header, names"))),
    Case("L54", "surveys CSV", "constants for a column the file has",
         _load("surveys", "s.csv", "customer_id,timestamp,metric,score,touchpoint\na,2024-01-01,csat,4,Checkout\n",
               constants={"touchpoint": "Checkout"}),
         Raises("DataError", ("constants gives touchpoint one value, but the input has the column 'touchpoint'",))),
    Case("L55", "surveys CSV", "constants for a column the table does not have",
         _load("surveys", "s.csv", "customer_id,timestamp,metric,score\na,2024-01-01,csat,4\n",
               constants={"stag": "Decision"}),
         Raises("ParameterError", ("constants", "stag: not a column of surveys (did you mean 'stage'?)"))),
    Case("L56", "surveys CSV", "a constant score that is no number",
         _load("surveys", "s.csv", "customer_id,timestamp,metric\na,2024-01-01,csat\n",
               constants={"score": "four"}),
         Rejected((("unparseable score", 1, (2,)),), used=0)),
    Case("L57", "orders CSV", "amount_unit 'dollars'",
         _load("orders", "o.csv", "order_id,customer_id,timestamp,amount\no1,a,2024-01-01,6109\n",
               amount_unit="dollars"),
         Raises("ParameterError", ("amount_unit", "cents"))),
    Case("L58", "orders CSV", "Stripe amounts in cents with a currency column, no amount_unit",
         _load("orders", "o.csv", "order_id,customer_id,timestamp,amount,currency\no1,a,2024-01-01,6109,eur\n"),
         Accepted(note="if the amounts are in cents", holds=_has("amount", [6109.0]))),
    Case("L50", "customers CSV", "'customer_id' and 'Customer ID' columns",
         _load("customers", "c.csv", "customer_id,Customer ID,age\na,b,30\n"),
         Accepted(note="column 'Customer ID' left out", holds=_has("customer_id", ["a"]))),
    Case("L12", "events CSV", "a row with a missing column",
         _load("events", "e.csv", EV + "a,2024-01-01\nb,2024-01-01,view\n"),
         Rejected((("malformed line (missing columns)", 1, (2,)),), used=1)),
    Case("L13", "events CSV", "header only, CRLF line ends",
         _load("events", "e.csv", "customer_id,timestamp,event\r\n"),
         Accepted("0 rows", holds=lambda t: t.accounting.rows_read == 0)),
    Case("L14", "surveys CSV", "score with a decimal comma (\"4,5\")",
         _load("surveys", "s.csv", 'customer_id,timestamp,metric,score\na,2024-01-01,csat,"4,5"\n'),
         Accepted("read as 4.5, with a note (D95)", note="1 value of score read with a decimal comma",
                  holds=_has("score", [4.5]))),
    Case("L15", "surveys CSV", "CES of 0 and 8 (scale 1–7)",
         _load("surveys", "s.csv", "customer_id,timestamp,metric,score\n"
               "a,2024-01-01,ces,0\nb,2024-01-01,ces,8\nc,2024-01-01,ces,7\n"),
         Rejected((("ces score outside 1–7", 2, (2, 3)),), used=1)),
    Case("L16", "surveys CSV", "score written as a percentage (80%)",
         _load("surveys", "s.csv", "customer_id,timestamp,metric,score\na,2024-01-01,csat,80%\n"),
         Rejected((("unparseable score", 1, (2,)),))),
    Case("L17", "surveys CSV", "metric ' CSAT ' with blanks and capitals",
         _load("surveys", "s.csv", "customer_id,timestamp,metric,score\na,2024-01-01, CSAT ,4\n"),
         Accepted("metric read as csat", holds=_has("metric", ["csat"]))),
    Case("L18", "orders CSV", "amounts with a currency ($12.50, 12.50 EUR)",
         _load("orders", "o.csv", "order_id,customer_id,timestamp,amount\n"
               "o1,a,2024-01-01,$12.50\no2,a,2024-01-01,12.50 EUR\n"),
         Rejected((("unparseable amount", 2, (2, 3)),))),
    Case("L19", "orders CSV", "thousands separator (\"1,234.56\")",
         _load("orders", "o.csv", 'order_id,customer_id,timestamp,amount\no1,a,2024-01-01,"1,234.56"\n'),
         Accepted("read as 1234.56, with a note (D95)", note="1 value of amount read with a decimal dot",
                  holds=_has("amount", [1234.56]))),
    Case("L20", "orders CSV", "unquoted European amount 1.234,56 (one column too many)",
         _load("orders", "o.csv", "order_id,customer_id,timestamp,amount\no1,a,2024-01-01,1.234,56\n"),
         Rejected((("malformed line (too many columns)", 1, (2,)),))),
    Case("L21", "orders CSV", "a negative amount (a refund) and 1e300",
         _load("orders", "o.csv", "order_id,customer_id,timestamp,amount\n"
               "o1,a,2024-01-01,-5\no2,b,2024-01-01,1e300\n"),
         Rejected((("negative amount", 1, (2,)),), used=1)),      # a refund is no order (D108)
    Case("L22", "orders CSV", "items 2.5 (a count)",
         _load("orders", "o.csv", "order_id,customer_id,timestamp,amount,items\no1,a,2024-01-01,5,2.5\n"),
         Accepted("the order kept, items blank", note="1 value of items left blank, the row kept: "
                  "items not a whole number (line 2)", holds=lambda t: t.to_pandas()["items"].isna().all())),
    Case("L23", "tickets CSV", "a duplicate ticket id, an empty and a blank id",
         _load("tickets", "t.csv", "ticket_id,customer_id,timestamp\n"
               "t1,a,2024-01-01\nt1,b,2024-01-02\n,c,2024-01-03\n  ,d,2024-01-04\n"),
         Rejected((("missing ticket_id", 2, (4, 5)), ("duplicate ticket_id", 1, (3,))), used=1)),
    Case("L24", "events CSV", "date-only, +05:00 and Z times mixed",
         _load("events", "e.csv", EV + "a,2024-01-01,view\nb,2024-01-01T10:00:00+05:00,buy\n"
               "c,2024-01-01T10:00:00Z,buy\n"),
         Accepted("naive UTC", holds=lambda t: [str(x) for x in t.to_pandas()["timestamp"]] == [
             "2024-01-01 00:00:00", "2024-01-01 05:00:00", "2024-01-01 10:00:00"])),
    Case("L25", "events CSV", "epoch seconds without time_format",
         _load("events", "e.csv", EV + "a,1704067200,view\n"),
         Rejected((("unparseable timestamp", 1, (2,)),))),
    Case("L26", "events CSV", "epoch milliseconds read with time_format='unix'",
         _load("events", "e.csv", EV + "a,1704067200000,view\n", time_format="unix"),
         Rejected((("implausible timestamp (before 1900 or after 2100)", 1, (2,)),))),
    Case("L27", "tickets CSV", "closed_timestamp 'garbage'",
         _load("tickets", "t.csv", "ticket_id,customer_id,timestamp,closed_timestamp\n"
               "t1,a,2024-01-02,2024-01-03\nt2,a,2024-01-02,garbage\n"),
         Accepted("the ticket kept, not closed", note="1 value of closed_timestamp left blank, the row "
                  "kept: unparseable closed_timestamp (line 3)",
                  holds=lambda t: t.to_pandas()["closed_timestamp"].isna().tolist() == [False, True])),
    # ---------------------------------------------------------------- loaders: Parquet
    Case("L28", "events Parquet", "a folder with no .parquet file",
         lambda tmp: _events_from(_file(tmp, "events/readme.txt", "x").parent),
         Raises("DataError", ("the folder holds no .parquet part files", "readme.txt"))),
    Case("L29", "events Parquet", "a folder whose files disagree on columns",
         lambda tmp: _two_parquets(tmp),
         Raises("DataError", ("the part files' columns differ", "'timestamp' is VARCHAR in a.parquet but not in b.parquet"))),
    Case("L30", "events Parquet", "a CSV file named events.parquet",
         _load("events", "events.parquet", EV + "a,2024-01-01,view\n"),
         Raises("DataError", ("the Parquet data cannot be read", "magic bytes"))),
    Case("L31", "surveys Parquet", "score stored as BOOLEAN",
         _parquet("surveys", lambda: {"customer_id": ["a"], "timestamp": ["2024-01-01"],
                                      "metric": ["csat"], "score": [True]}),
         Raises("DataError", ("column 'score' is stored as BOOLEAN; score must be a number",))),
    Case("L32", "events Parquet", "timestamps with a +02:00 zone",
         _parquet("events", lambda: {"customer_id": ["a"], "event": ["view"], "timestamp": __import__(
             "pyarrow").array([dt.datetime(2024, 1, 1, 12, tzinfo=dt.timezone(dt.timedelta(hours=2)))],
                              __import__("pyarrow").timestamp("us", tz="+02:00"))}),
         Accepted("converted to UTC", holds=lambda t: str(t.to_pandas()["timestamp"][0]) == "2024-01-01 10:00:00")),
    Case("L33", "events Parquet", "nanosecond timestamp in 2116",
         _parquet("events", lambda: {"customer_id": ["a", "b"], "event": ["v", "w"], "timestamp":
                                     __import__("pyarrow").array([1_700_000_000 * 10 ** 9, 2 ** 62],  # 0: D137
                                                                 __import__("pyarrow").timestamp("ns"))}),
         Rejected((("implausible timestamp (before 1900 or after 2100)", 1, (2,)),), used=1)),
    Case("L34", "events Parquet", "integer customer ids with a null",
         _parquet("events", lambda: {"customer_id": [1, 2, None], "timestamp": ["2024-01-01"] * 3,
                                     "event": ["v"] * 3}),
         Rejected((("missing customer_id", 1, (3,)),), used=2)),
    Case("L35", "orders Parquet", "amount as decimal(10,2)",
         _parquet("orders", lambda: {"order_id": ["o1"], "customer_id": ["a"], "timestamp": ["2024-01-01"],
                                     "amount": __import__("pyarrow").array([__import__("decimal").Decimal("12.50")],
                                                                           __import__("pyarrow").decimal128(10, 2))}),
         Accepted("12.5", holds=_has("amount", [12.5]))),
    Case("L36", "surveys Parquet", "NaN score in a row naming its metric: no answer (D257)",
         _parquet("surveys", lambda: {"customer_id": ["a", "b"], "timestamp": ["2024-01-01"] * 2,
                                      "metric": ["csat"] * 2, "score": [float("nan"), 4.0]}),
         Accepted("1 used, 1 no answer", holds=lambda t: (t.accounting.rows_used, t.accounting.rows_skipped,
                                                          list(t.accounting.skipped["reason"])) == (1, 1, ["no answer"]))),
    Case("L36b", "surveys Parquet", "infinite score",
         _parquet("surveys", lambda: {"customer_id": ["a", "b"], "timestamp": ["2024-01-01"] * 2,
                                      "metric": ["csat"] * 2, "score": [float("inf"), 4.0]}),
         Rejected((("non-finite score (NaN or infinity)", 1, (1,)),), used=1)),
    Case("L37", "events Parquet", "dictionary-encoded event column",
         _parquet("events", lambda: {"customer_id": ["a"], "timestamp": ["2024-01-01"],
                                     "event": __import__("pyarrow").array(["v"]).dictionary_encode()}),
         Accepted(holds=_has("event", ["v"]))),
    # ---------------------------------------------------------------- loaders: Excel
    Case("L38", "events Excel", "header names 'event' twice",
         _xlsx("events", [["customer_id", "timestamp", "event", "event"], ["a", "2024-01-01", "view", "x"]]),
         Raises("DataError", ("the header names 'event' more than once",), line=1)),
    Case("L59", "customers Excel", "header names 'region' twice",
         _xlsx("customers", [["customer_id", "region", "region"], ["a", "north", "south"]]),
         Accepted(note="read as 'region', 'region.1'", holds=_has("region_1", ["south"]))),
    Case("L39", "customers Excel", "an empty sheet",
         _xlsx("customers", []),
         Raises("DataError", ("the sheet is empty",))),
    Case("L40", "events Excel", "a date cell and a bad time on row 3",
         _xlsx("events", [["customer_id", "timestamp", "event"], ["a", dt.datetime(2024, 1, 1, 9), "view"],
                          ["b", "soon", "view"]]),
         Rejected((("unparseable timestamp", 1, (3,)),), used=1)),
    # ---------------------------------------------------------------- loaders: pandas
    Case("L41", "events DataFrame", "pd.DataFrame() with no columns",
         _frame("events", _pd(lambda pd, np: pd.DataFrame())),
         Raises("DataError", ("the frame has no columns",))),
    Case("L42", "events DataFrame", "a pandas Series",
         _frame("events", _pd(lambda pd, np: pd.Series([1, 2]))),
         Raises("ParameterError", ("src must be", "got 'Series'", "to_frame()"))),
    Case("L43", "events DataFrame", "timestamp as a Period column",
         _frame("events", _pd(lambda pd, np: pd.DataFrame({
             "customer_id": ["a"], "timestamp": pd.period_range("2024-01", periods=1, freq="M"),
             "event": ["v"]}))),
         Rejected((("unparseable timestamp", 1, (1,)),))),     # a Period is text as pandas writes it (D108)
    Case("L44", "events DataFrame", "a column of the input named _row",
         _frame("events", _pd(lambda pd, np: pd.DataFrame({
             "customer_id": ["a", "b"], "timestamp": ["2024-01-01"] * 2, "event": ["v", "w"],
             "_row": [99, 98]}))),
         Accepted("kept as 'row'; input order kept", holds=lambda t: (
             t.to_pandas()["row"].tolist() == [99, 98] and t.to_pandas()["event"].tolist() == ["v", "w"]))),
    Case("L45", "events DataFrame", "MultiIndex column labels",
         _frame("events", _pd(lambda pd, np: pd.DataFrame([["a", "2024-01-01", "v"]], columns=pd.MultiIndex.from_tuples(
             [("customer_id", ""), ("timestamp", ""), ("event", "")])))),
         Accepted("the levels equal in every column dropped (D108)",
                  holds=lambda t: t.to_pandas().columns.tolist() == ["customer_id", "timestamp", "event"])),
    Case("L46", "events DataFrame", "timestamp as a timedelta",
         _frame("events", _pd(lambda pd, np: pd.DataFrame({
             "customer_id": ["a"], "timestamp": pd.to_timedelta([5], unit="s"), "event": ["v"]}))),
         Rejected((("timestamp stored as INTERVAL, not as a time", 1, (1,)),))),
    Case("L47", "events DataFrame", "object columns of mixed types",
         _frame("events", _pd(lambda pd, np: pd.DataFrame({
             "customer_id": ["a", 1, 2.5], "timestamp": ["2024-01-01", dt.datetime(2024, 1, 1), 5],
             "event": ["v", None, 3]}))),
         Rejected((("missing event", 1, (2,)), ("unparseable timestamp", 1, (3,))), used=1)),
    Case("L48", "orders DataFrame", "nullable Int64 amount with <NA>",
         _frame("orders", _pd(lambda pd, np: pd.DataFrame({
             "order_id": ["o1", "o2"], "customer_id": ["a", "a"], "timestamp": ["2024-01-01"] * 2,
             "amount": pd.array([1, None], "Int64")}))),
         Rejected((("missing amount", 1, (2,)),), used=1)),
    Case("L49", "surveys DataFrame", "an infinite NPS score",
         _frame("surveys", _pd(lambda pd, np: pd.DataFrame({
             "customer_id": ["a"], "timestamp": ["2024-01-01"], "metric": ["nps"], "score": [np.inf]}))),
         Rejected((("non-finite score (NaN or infinity)", 1, (1,)),))),
    # ---------------------------------------------------------------- loaders: JSON lines (D-JSONL)
    Case("L60", "events JSONL", "Mixpanel's raw export: nested properties, epoch seconds",
         _load("events", "e.jsonl", '{"event": "view", "properties": {"time": 1709999999, '
               '"distinct_id": "c_101", "$browser": "Chrome"}}\n',
               columns={"customer_id": "properties.distinct_id", "timestamp": "properties.time"},
               time_format="unix"),
         Accepted("nested keys as dotted columns", holds=_has("customer_id", ["c_101"]))),
    Case("L61", "events JSONL", "a line not JSON, an array, a scalar, then a bad time",
         _load("events", "e.jsonl", J1 + "not json\n[1, 2]\n42\n" + J1.replace("2024-01-01", "bad")),
         Rejected((("malformed line (not JSON)", 1, (2,)), ("malformed line (a JSON array, not an object)", 1, (3,)),
                   ("malformed line (a JSON number, not an object)", 1, (4,)),
                   ("unparseable timestamp", 1, (5,))), used=1)),
    Case("L62", "events JSONL", "byte-order mark, blank lines, a last line cut short",
         _load("events", "e.jsonl", ("\ufeff" + J1 + "\n\n" + J1 + '{"customer_id": "a", "tim').encode()),
         Rejected((("malformed line (the last line is cut short)", 1, (5,)),), used=2)),
    Case("L63", "events JSONL", "'customer_id' an object on one line, a string on others",
         _load("events", "e.jsonl", J1 + J1.replace('"a"', '{"id": "a"}') + J1),
         Rejected((("malformed line ('customer_id' holds an object where most lines hold a plain value)", 1,
                    (2,)),), used=2)),
    Case("L64", "events JSONL", "a byte that is not UTF-8",
         _load("events", "e.jsonl", J1.encode() + J1.replace("view", "vi\udcffew").encode("utf-8", "surrogateescape")),
         Rejected((("malformed line (invalid UTF-8 bytes)", 1, (2,)),), used=1)),
    Case("L65", "events JSONL", "a line nested 100,000 objects deep",
         _load("events", "e.jsonl", J1[:-2] + ', "x": ' + '{"a": ' * 100_000 + "1" + "}" * 100_000 + "}\n"),
         Accepted("kept; objects below 5 levels are one text value", holds=_has("event", ["view"]))),
    Case("L66", "events JSONL", "an empty file",
         _load("events", "e.jsonl", b""),
         Raises("DataError", ("the file is empty",))),
    Case("L67", "events JSONL", "no line is a JSON object",
         _load("events", "e.jsonl", "customer_id,timestamp,event\na,2024-01-01,view\n"),
         Raises("DataError", ("no line of the file is a JSON object",), line=1)),
    Case("L68", "events JSON", "one object written over many lines (not JSON lines)",
         _load("events", "e.json", '{\n  "events": []\n}\n'),
         Raises("DataError", ("neither JSON lines", "nor a JSON array"), line=1)),
    Case("L69", "feedback JSON", "a JSON array of objects on one line, one element a number",
         _load("feedback", "f.json", '[{"feedback_id": "f1", "customer_id": "a", "timestamp": "2024-01-01", '
               '"text": "slow"}, 3]'),
         Rejected((("malformed line (a JSON number, not an object)", 1, (2,)),), used=1)),
    Case("L70", "events JSONL", "one key written in two cases ('event' and 'Event')",
         _load("events", "e.jsonl", J1[:-2] + ', "Event": "x"}\n'),
         Accepted(note="key 'Event' read as column 'Event_2'", holds=_has("event", ["view"]))),
    Case("L71", "orders CSV", "whole German amounts with a thousands dot (1.200), no decimal=",
         _load("orders", "o.csv", "order_id;customer_id;timestamp;amount\no1;a;2024-01-01;1.200\no2;a;2024-01-02;61\n"),
         Accepted("read as written, with a note that names decimal", note="if the dot separates thousands",
                  holds=_has("amount", [1.2, 61.0]))),
    Case("L72", "orders CSV", "decimal: ',' on whole German amounts",
         _load("orders", "o.csv", "order_id;customer_id;timestamp;amount\no1;a;2024-01-01;1.200\no2;a;2024-01-02;61\n",
               decimal=","),
         Accepted(note="',' as the decimal separator", holds=_has("amount", [1200.0, 61.0]))),
    # ---------------------------------------------------------------- loaders: a table in parts (D259, D264)
    Case("L73", "events Excel", "a damaged .xlsx (a zip cut short)",
         _load("events", "e.xlsx", b"PK\x03\x04 cut short"),
         Raises("DataError", ("e.xlsx: the workbook cannot be read", "damaged or no Excel file"))),
    Case("L74", "events parts", "a damaged .xlsx part beside a CSV part",
         _parts(p0__csv=EV + "a,2024-01-01,view\n", p1__xlsx=b"PK\x03\x04 cut short"),
         Raises("DataError", ("events/p1.xlsx: the workbook cannot be read",))),
    Case("L75", "events parts", "a JSON-lines part with a line cut short",
         _parts(p0__csv=EV + "a,2024-01-01,view\n", p1__jsonl=J1 + '{"customer_id": "b", "timest\n' + J1),
         Rejected((("malformed line (not JSON) (events/p1.jsonl)", 1, (2,)),), used=3)),
    Case("L76", "events parts", "an Excel part whose event cell is =HYPERLINK(…) (no stored value)",
         _parts(p0__csv=EV + "a,2024-01-01,view\n", p1__xlsx=[
             ["customer_id", "timestamp", "event"], ["b", "2024-01-02", '=HYPERLINK("http://x.example/?"&A2,"view")'],
             ["c", "2024-01-03", "view"]]),
         Rejected((("missing event (events/p1.xlsx)", 1, (2,)),), used=2)),
    Case("L77", "events parts", "a CSV part and a JSON-lines part with different columns",
         _parts(p0__csv=EV + "a,2024-01-01,view\n", p1__jsonl='{"customer_id": "b", "timestamp": "2024-01-02", '
                '"event": "view", "channel": "web"}\n'),
         Raises("DataError", ("column 'channel' is in events/p1.jsonl but not in events/p0.csv",))),
    Case("L78", "events parts", "an Excel part with an empty sheet",
         _parts(p0__csv=EV + "a,2024-01-01,view\n", p1__xlsx=[]),
         Raises("DataError", ("events/p1.xlsx: the sheet is empty",))),
    Case("L79", "events parts", "a CSV part under month=2 whose file has a month column",
         _parts(**{"month=2/p0.csv": "customer_id,timestamp,event,month\na,2024-01-01,view,2\n"}),
         Raises("DataError", ("the partition key 'month' is also a column of events/month=2/p0.csv",))),
    # ---------------------------------------------------------------- journey file
    Case("J01", "journey YAML", "tab used for indentation",
         _journey("name: x\nstages:\n\t- name: A\n"),
         Raises("JourneyError", ("YAML syntax error", "'\\t'"), line=3)),
    Case("J02", "journey YAML", "duplicate key inside a stage",
         _journey("name: x\nstages:\n  - name: A\n    goal: g\n    goal: h\n"),
         Raises("JourneyError", ("YAML duplicate key", '"goal"'), line=5)),
    Case("J03", "journey YAML", "a custom tag (!foo)",
         _journey("name: !foo x\nstages:\n  - name: A\n"),
         Raises("JourneyError", ("YAML tag '!foo' is not allowed",), line=1)),
    Case("J04", "journey YAML", "a !!binary value as the name",
         _journey("name: !!binary aGVsbG8=\nstages:\n  - name: A\n"),
         Raises("JourneyError", ("YAML tag '!!binary' is not allowed",), line=1)),
    Case("J05", "journey YAML", "occurrence: true",
         _journey(B + TP % ("A", "occurrence: true")),
         Raises("JourneyError", ("occurrence must be any, first, repeat or a whole number", "got True"), line=6)),
    Case("J06", "journey YAML", "occurrence: 1.5",
         _journey(B + TP % ("A", "occurrence: 1.5")),
         Raises("JourneyError", ("occurrence must be", "got 1.5"), line=6)),
    Case("J07", "journey YAML", "occurrence: First (capital F)",
         _journey(B + TP % ("A", "occurrence: First")),
         Raises("JourneyError", ("occurrence must be", "got 'First'"), line=6)),
    Case("J08", "journey YAML", "after: a later stage",
         _journey(B + TP % ("A", "after: B")),
         Raises("JourneyError", ("waits for stage 'B', which does not come before its own stage 'A'",), line=6)),
    Case("J09", "journey YAML", "after: an unknown stage",
         _journey(B + TP % ("B", "after: Zed")),
         Raises("JourneyError", ("unknown stage 'Zed'",), line=6)),
    Case("J10", "journey YAML", "after: a list",
         _journey(B + TP % ("B", "after: [A]")),
         Raises("JourneyError", ("expected text", "['A']"), line=6)),
    Case("J11", "journey YAML", "initiated_by: Company",
         _journey(B + TP % ("B", "initiated_by: Company")),
         Raises("JourneyError", ("must be one of 'customer' or 'company'", "did you mean 'company'"), line=6)),
    Case("J12", "journey YAML", "events: a single text, not a list",
         _journey(B + (TP % ("B", "direct: true")).replace("[e]", "e")),
         Raises("JourneyError", ("expected a list", "got 'e'"), line=6)),
    Case("J13", "journey YAML", "events: [404] (a number)",
         _journey(B + (TP % ("B", "direct: true")).replace("[e]", "[404]")),
         Raises("JourneyError", ("expected text", "got 404"), line=6)),
    Case("J14", "journey YAML", "persona named 'all'",
         _journey("name: x\nstages: [{name: A}]\npersonas:\n  - {name: all, rule: 'a > 1'}\n"),
         Raises("JourneyError", ("persona name 'all' is taken", "every customer"), line=4)),
    Case("J15", "journey YAML", "persona named '(no persona)'",
         _journey("name: x\nstages: [{name: A}]\npersonas:\n  - {name: '(no persona)', rule: 'a > 1'}\n"),
         Raises("JourneyError", ("persona name '(no persona)' is taken",), line=4)),
    Case("J16", "journey YAML", "persona with an empty name",
         _journey("name: x\nstages: [{name: A}]\npersonas:\n  - {name: '', rule: 'a > 1'}\n"),
         Raises("JourneyError", ("at least 1 character", "personas[0].name"), line=4)),
    Case("J17", "journey YAML", "a stage named with blanks only",
         _journey("name: x\nstages:\n  - name: '   '\n  - name: B\n"),
         Raises("JourneyError", ("the name is blank", "stages[0].name"), line=3)),
    Case("J18", "journey YAML", "a pain point with 'severty' (typo)",
         _journey(B + "pain_points:\n  - {id: p, title: t, stage: A, severty: 3}\n"),
         Raises("JourneyError", ("unknown key 'severty'", "did you mean 'severity'"), line=6)),
    Case("J19", "journey YAML", "UTF-16 encoded file",
         _journey("name: x\nstages: [{name: A}]\n".encode("utf-16")),
         Raises("JourneyError", ("not UTF-8 text",))),
    Case("J20", "journey YAML", "UTF-8 byte-order mark",
         _journey(b"\xef\xbb\xbfname: x\nstages: [{name: A}]\n"),
         Accepted("read", holds=lambda j: j.stage_names == ["A"])),
    Case("J21", "journey YAML", "a NUL byte",
         _journey(b"name: x\x00\nstages: [{name: A}]\n"),
         Raises("JourneyError", ("YAML error", "#x0000"))),
    Case("J22", "journey YAML", "only a comment",
         _journey("# to be written\n"),
         Raises("JourneyError", ("the file is empty",))),
    Case("J23", "journey YAML", "two YAML documents",
         _journey("name: x\nstages: [{name: A}]\n---\nname: y\n"),
         Raises("JourneyError", ("expected a single document",), line=3)),
    Case("J24", "journey YAML", "jmtools: 2 (an unknown format version)",
         _journey("jmtools: 2\nname: x\nstages: [{name: A}]\n"),
         Raises("JourneyError", ("must be one of 1", "got 2"), line=1)),
    Case("J25", "journey YAML", "opportunity scores .nan and .inf",
         _journey(B + "opportunities:\n  - {id: o, title: t, scores: {impact: .nan, effort: .inf}}\n"),
         Raises("JourneyError", ("expected a finite number — got nan", "expected a finite number — got inf"))),
    Case("J26", "journey YAML", "emotion: true",
         _journey("name: x\nstages:\n  - {name: A, emotion: true}\n"),
         Raises("JourneyError", ("expected a finite number — got True", "stages[0].emotion"), line=3)),
    Case("J27", "journey YAML", "severity: .nan",
         _journey(B + "pain_points:\n  - {id: p, title: t, stage: A, severity: .nan}\n"),
         Raises("JourneyError", ("finite number", "pain_points[0].severity"), line=6)),
    Case("J28", "journey YAML", "target_date: 2026-02-30",
         _journey("name: x\nstages: [{name: A}]\nopportunities:\n  - {id: o, title: t, target_date: 2026-02-30}\n"),
         Raises("JourneyError", ("expected a date (YYYY-MM-DD)", "2026-02-30"), line=4)),
    Case("J29", "journey YAML", "persona ref without '#name'",
         _journey("name: x\nstages: [{name: A}]\npersonas:\n  - ref: lib.yaml\n"),
         Raises("JourneyError", ("ref 'lib.yaml' has the wrong form",), line=4)),
    Case("J30", "journey YAML", "persona ref to a folder",
         _journey("name: x\nstages: [{name: A}]\npersonas:\n  - ref: '.#x'\n"),
         Raises("JourneyError", ("cannot be used: not a file",), line=4)),
    Case("J31", "journey YAML", "emotion for a persona that does not exist",
         _journey("name: x\nstages:\n  - {name: A, emotion: {Nobody: 1}}\n"),
         Raises("JourneyError", ("unknown persona 'Nobody'",), line=3)),
    Case("J32", "journey YAML", "an alias repeating a stage",
         _journey("name: x\nstages:\n  - &s {name: A}\n  - *s\n"),
         Raises("JourneyError", ("duplicate stage name 'A'",))),
    Case("J33", "journey YAML", "rest: 'yes' (text) on the last persona",
         _journey("name: x\nstages: [{name: A}]\npersonas:\n  - {name: P, rule: 'a > 1'}\n"
                  "  - {name: Others, rest: 'yes'}\n"),
         Accepted("Others is everyone else", holds=lambda j: j.personas[-1].rest is True)),
    # ---------------------------------------------------------------- workshop workbook
    Case("W01", "workbook import", "Touchpoints sheet deleted",
         _workbook(lambda wb: wb.remove(wb["Touchpoints"])),
         Accepted("touchpoints reported removed", note="sheet 'Touchpoints' is missing",
                  holds=lambda r: {c["change"] for c in r.changes} == {"removed"})),
    Case("W02", "workbook import", "About sheet deleted",
         _workbook(lambda wb: wb.remove(wb["About"])),
         Raises("JourneyError", ("sheet 'About' is missing",))),
    Case("W03", "workbook import", "Map sheet renamed 'map'",
         _workbook(lambda wb: setattr(wb["Map"], "title", "map")),
         Raises("JourneyError", ("sheet 'Map' is missing (sheets: map",))),
    Case("W04", "workbook import", "Touchpoints header 'name' renamed 'Name'",
         _workbook(_cell("Touchpoints", "A1", "Name")),
         Raises("JourneyError", ("no column 'name' (found 'Name')", "Touchpoints!A1", "rename 'Name' back"))),
    Case("W05", "workbook import", "Touchpoints header 'name' typed twice",
         _workbook(_cell("Touchpoints", "L1", "name")),
         Raises("JourneyError", ("column 'name' appears twice", "Touchpoints!L1"))),
    Case("W06", "workbook import", "Touchpoints 'stage' column deleted",
         _workbook(lambda wb: wb["Touchpoints"].delete_cols(2)),
         Raises("JourneyError", ("the Touchpoints sheet has no column 'stage'",))),
    Case("W07", "workbook import", "TRUE in the emotion row",
         _workbook(_cell("Map", "B5", True)),
         Raises("JourneyError", ("expected a number from -2 to 2 — got TRUE", "Map!B5"))),
    Case("W08", "workbook import", "a date in the emotion row",
         _workbook(_cell("Map", "B5", dt.datetime(2024, 1, 1))),
         Raises("JourneyError", ("got a date", "Map!B5"))),
    Case("W09", "workbook import", "severity TRUE",
         _workbook(_cell("Pain points", "F2", True)),
         Raises("JourneyError", ("expected a whole number", "Pain points!F2"))),
    Case("W10", "workbook import", "score 'nan'",
         _workbook(_score_cell("nan")),
         Raises("JourneyError", ("expected a number — got 'nan'", "Opportunities!L2"))),
    Case("W11", "workbook import", "occurrence 2.5",
         _workbook(_cell("Touchpoints", "H2", 2.5)),
         Raises("JourneyError", ("occurrence must be any, first, repeat", "Touchpoints!H2"))),
    Case("W12", "workbook import", "occurrence typed as the number 2.0",
         _workbook(_cell("Touchpoints", "H2", 2.0)),
         Accepted("read as 2", holds=lambda r: r.journey.touchpoints[0].occurrence == 2)),
    Case("W13", "workbook import", "persona rule written in SQL (age = 3)",
         _workbook(_cell("Personas", "C2", "age = 3")),
         Raises("JourneyError", ("'=' is spelled differently in rules", "Personas!C2", "age == 3"))),
    Case("W14", "workbook import", "persona rule reaching a dunder (age.__class__ == 1)",
         _workbook(_cell("Personas", "C2", "age.__class__ == 1")),
         Raises("JourneyError", ("(Attribute) is not allowed", "Personas!C2"))),
    Case("W15", "workbook import", "the journey's name cleared on the About sheet",
         _workbook(lambda wb: [setattr(wb["About"].cell(c.row, 2), "value", None)
                               for c in wb["About"]["A"] if c.value == "name"]),
         Raises("JourneyError", ("the cell is empty", "About!B1"))),
    Case("W16", "workbook import", "a formula typed into the hidden snapshot",
         _workbook(_cell("_jmtools", "A2", "=1+1")),
         Accepted("journey read; changes not listed", note="the hidden snapshot sheet is damaged")),
    Case("W17", "workbook import", "two personas with the same name",
         _workbook(_cell("Personas", "A3", "Young")),
         Raises("JourneyError", ("duplicate persona name 'Young'", "Personas!A3"))),
    Case("W18", "workbook import", "target date 'soon'",
         _workbook(lambda wb: [setattr(wb["Opportunities"].cell(2, c.column), "value", "soon")
                               for c in wb["Opportunities"][1] if c.value == "target_date"]),
         Raises("JourneyError", ("expected a date (YYYY-MM-DD) — got 'soon'", "Opportunities!F2"))),
    Case("W19", "workbook import", "a formula typed into a persona's rule cell",
         _workbook(_cell("Personas", "C2", "=A1")),
         Raises("JourneyError", ("the cell holds a formula (=A1)", "Personas!C2"))),
    # ---------------------------------------------------------------- persona rules
    Case("R01", "persona rule", "age > '30' (text against a number)",
         _rule("age > '30'"),
         Raises("RuleError", ("compares a number value with a text value", "no quotes"))),
    Case("R02", "persona rule", "signup > 5 (a date against a number)",
         _rule("signup > 5"),
         Raises("RuleError", ("compares a time value with a number value", "ISO date in quotes"))),
    Case("R03", "persona rule", "signup > '2024-01-15' (ISO text against a date)",
         _rule("signup > '2024-01-15'"),
         Accepted("selects b", holds=lambda ids: ids == ["b"])),
    Case("R04", "persona rule", "region in ['north', 3]",
         _rule("region in ['north', 3]"),
         Raises("RuleError", ("compares a text value with 3 (number)",))),
    Case("R05", "persona rule", "region in []",
         _rule("region in []"),
         Raises("RuleError", ("the list after 'in' is empty",))),
    Case("R06", "persona rule", "age is 3",
         _rule("age is 3"),
         Raises("RuleError", ("'is' is only for missing values",))),
    Case("R07", "persona rule", "age == None",
         _rule("age == None"),
         Raises("RuleError", ("comparing with None is never true", "x is None"))),
    Case("R08", "persona rule", "age > −3 (typographic minus)",
         _rule("age > \u22123"),
         Raises("RuleError", ("invalid syntax", "type plain quotes and operators", "age > -3"))),
    Case("R09", "persona rule", "region == ‘north’ (curly quotes)",
         _rule("region == \u2018north\u2019"),
         Raises("RuleError", ("invalid syntax", "region == 'north'"))),
    Case("R10", "persona rule", "(x := 1) > 0 (walrus)",
         _rule("(x := 1) > 0"),
         Raises("RuleError", ("(NamedExpr) is not allowed",))),
    Case("R11", "persona rule", "region == f'{age}' (f-string)",
         _rule("region == f'{age}'"),
         Raises("RuleError", ("(JoinedStr) is not allowed",))),
    Case("R12", "persona rule", "age & 1 == 1 (bitwise and)",
         _rule("age & 1 == 1"),
         Raises("RuleError", ("operator 'BitAnd' is not allowed", "write 'and' instead of '&'"))),
    Case("R13", "persona rule", "'nor' in region (substring test)",
         _rule("'nor' in region"),
         Raises("RuleError", ("'in' needs a list of values",))),
    Case("R14", "persona rule", "a NUL byte after the rule",
         _rule("age > 3\x00"),
         Raises("RuleError", ("cannot contain null bytes",))),
    # ---------------------------------------------------------------- custom formulas
    Case("F01", "custom formula", "1/0 (constants)",
         _formula("1/0"),
         Accepted("inf, as numpy", holds=lambda v: v == [float("inf")] * 2)),
    Case("F02", "custom formula", "title * 2 (a text column)",
         _formula("title * 2"),
         Raises("ParameterError", ("column 'title' holds values that are not numbers",))),
    Case("F03", "custom formula", "when + 1 (a date column)",
         _formula("when + 1"),
         Raises("ParameterError", ("column 'when' holds values that are not numbers",))),
    Case("F04", "custom formula", "max(impact, effort, key=1)",
         _formula("max(impact, effort, key=1)"),
         Raises("ParameterError", ("a named argument in max() (key=…) is not allowed",))),
    Case("F05", "custom formula", "=impact*2 (spreadsheet habit)",
         _formula("=impact*2"),
         Raises("ParameterError", ("valid arithmetic formula", "without the leading '='"))),
    Case("F06", "custom formula", "impact × effort (typographic times)",
         _formula("impact \u00d7 effort"),
         Raises("ParameterError", ("impact * effort",))),
    Case("F07", "custom formula", "max() without arguments",
         _formula("max()"),
         Raises("ParameterError", ("needs at least one argument",))),
    Case("F08", "custom formula", "round(impact, 2, 3)",
         _formula("round(impact, 2, 3)"),
         Raises("ParameterError", ("valid function arguments", "3 were given"))),
    Case("F09", "custom formula", "log(effort) with an effort of 0",
         _formula("log(effort)"),
         Accepted("-inf for that row", holds=lambda v: v[1] == float("-inf"))),
    Case("F10", "custom formula", "pow(impact, 2)",
         _formula("pow(impact, 2)"),
         Raises("ParameterError", ("function 'pow' is not allowed",))),
    # ---------------------------------------------------------------- funnels and report parameters
    Case("P01", "funnel()", "level='Stage'",
         _funnel(level="Stage"),
         Raises("ParameterError", ("level must be one of", "did you mean 'stage'"))),
    Case("P02", "funnel(level='any')", "steps ['Site', 'bye']",
         _funnel(level="any", steps=["Site", "bye"]),
         Raises("ParameterError", ("a stage, touchpoint or event name — got 'bye'", "did you mean 'buy'"))),
    Case("P03", "funnel(level='any')", "'stage:Site' (a touchpoint under the stage prefix)",
         _funnel(level="any", steps=["stage:Site"]),
         Raises("ParameterError", ("a stage name after 'stage:'", "Browse, Buy"))),
    Case("P04", "funnel(level='any')", "61 steps",
         _funnel(level="any", steps=["Browse"] * 61),
         Raises("ParameterError", ("at most 60 steps",))),
    Case("P05", "funnel(level='any')", "a step that is None",
         _funnel(level="any", steps=[None]),
         Raises("ParameterError", ("a stage, touchpoint or event name — got None",))),
    Case("P06", "pipeline.run", "funnel_steps=5",
         _run(funnel_steps=5),
         Raises("ParameterError", ("funnel_steps must be a list of step names",))),
    Case("P07", "pipeline.run", "funnel_steps=' , ,' (only commas)",
         _run(funnel_steps=" , ,"),
         Accepted("the stage funnel", holds=lambda f: f.funnel["step"].tolist() == ["Browse", "Buy"])),
    Case("P08", "pipeline.run", "persona='All'",
         _run(persona="All"),
         Raises("ParameterError", ("persona must be one of 'all', 'Young', 'Old'", "did you mean 'all'"))),
    Case("P09", "pipeline.run", "segment=\"regon == 'north'\"",
         _run(segment="regon == 'north'"),
         Raises("RuleError", ("unknown attribute 'regon'", "did you mean 'region'"))),
    Case("P10", "pipeline.run", "segment='age > 100' (selects nobody)",
         _run(segment="age > 100"),
         Raises("ParameterError", ("a rule that selects at least one customer", "none of the 3 customers"))),
    Case("P11", "pipeline.run", "opportunities scored on impact/effort only, no orders",
         _run(),
         Accepted("backlog in the file's order", holds=lambda f: f.backlog["id"].tolist() == ["fast"])),
    Case("P12", "pipeline.run", "min_effect=nan",
         _run(min_effect=float("nan")),
         Raises("ParameterError", ("min_effect must be a finite number ≥ 0",))),
    Case("P13", "pipeline.run", "n_quotes=-1",
         _run(n_quotes=-1),
         Raises("ParameterError", ("n_quotes must be a whole number ≥ 0",))),
    Case("P14", "pipeline.run", "min_n=True (a bool, not a number)",
         _run(min_n=True),
         Raises("ParameterError", ("min_n must be a whole number, 1 or more — got True",))),
    Case("P15", "pipeline.run", "persona='Young' (1 customer), min_n=1",
         _run(persona="Young", min_n=1),
         Accepted("its funnel's steps kept without numbers, the note names it",
                  holds=lambda f: f.focus_hidden and f.funnel["n"].isna().all() and len(f.funnel) == 2
                  and "Young has fewer than 5 customers" in f.options["disclosure_note"])),
    Case("P16", "top_paths()", "top=0, max_steps=2.5",
         _paths(top=0),
         Raises("ParameterError", ("top must be a whole number, 1 or more — got 0",))),
    # ---------------------------------------------------------------- batch configs
    Case("B01", "batch config", "reports: [a, b] (names, not entries)",
         _batch("notebook: r.ipynb\nreports: [a, b]\n"),
         Raises("DataError", ("each report must be a mapping with a name", "reports[0]"), line=2)),
    Case("B02", "batch config", "a report without a name",
         _batch("notebook: r.ipynb\nreports:\n  - parameters: {persona: A}\n"),
         Raises("DataError", ("each report needs a name",), line=3)),
    Case("B03", "batch config", "reports: a mapping",
         _batch("notebook: r.ipynb\nreports: {name: a}\n"),
         Raises("DataError", ("reports must be a list",), line=2)),
    Case("B04", "batch config", "parameters: [1, 2]",
         _batch("notebook: r.ipynb\nparameters: [1, 2]\nreports:\n  - name: a\n"),
         Raises("DataError", ("parameters must be a mapping",), line=2)),
    Case("B05", "batch config", "notebook: 42",
         _batch("notebook: 42\nreports:\n  - name: a\n"),
         Raises("DataError", ("notebook must be the notebook's path (text) — got 42",), line=1)),
    Case("B06", "batch config", "out: 5",
         _batch("notebook: r.ipynb\nout: 5\nreports:\n  - name: a\n"),
         Raises("DataError", ("out must be a path (text) — got 5",), line=2)),
    Case("B07", "batch config", "workers: two",
         _batch("notebook: r.ipynb\nworkers: two\nreports:\n  - name: a\n"),
         Raises("DataError", ("workers must be a whole number from 1 to 512 — got 'two'",), line=2)),
    Case("B08", "batch config", "workers: 0",
         _batch("notebook: r.ipynb\nworkers: 0\nreports:\n  - name: a\n"),
         Raises("DataError", ("workers must be a whole number from 1 to 512 — got 0",), line=2)),
    Case("B09", "batch config", "static: 'no' (text, read as true before)",
         _batch("notebook: r.ipynb\nstatic: 'no'\nreports:\n  - name: a\n"),
         Raises("DataError", ("static must be true or false",), line=2)),
    Case("B10", "batch config", "a report's 'parameter:' (typo)",
         _batch("notebook: r.ipynb\nreports:\n  - name: a\n    parameter: {persona: A}\n"),
         Raises("ParameterError", ("must be one of 'name', 'parameters', 'title'", "did you mean 'parameters'"))),
    Case("B11", "batch config", "notebook: given twice",
         _batch("notebook: r.ipynb\nnotebook: s.ipynb\nreports:\n  - name: a\n"),
         Raises("DataError", ("duplicate key", "keep one of the two"))),
    Case("B12", "batch config", "tab used for indentation",
         _batch("notebook: r.ipynb\nreports:\n\t- name: a\n"),
         Raises("DataError", ("not valid batch YAML [line 3",))),
    Case("B13", "batch config", "Latin-1 encoded file",
         _batch("notebook: r.ipynb\nreports:\n  - name: Caf\xe9\n".encode("latin-1")),
         Raises("DataError", ("cannot read the batch config", "UTF-8"))),
    Case("B14", "batch config", "parameters with a number as name ({1: x})",
         _batch("notebook: r.ipynb\nreports:\n  - name: a\n    parameters: {1: x}\n"),
         Raises("DataError", ("parameter names must be text — got 1",), line=4)),
    Case("B15", "batch config", "personas_from: a missing journey",
         _batch("notebook: r.ipynb\npersonas_from: none.yaml\n"),
         Raises("JourneyError", ("file not found",))),
    Case("B16", "batch config", "parameters merged with a YAML merge key",
         _batch("notebook: r.ipynb\nreports:\n  - name: a\n    parameters: {<<: {persona: A}}\n"),
         Accepted("persona A", holds=lambda cfg: cfg["jobs"][0].parameters == {"persona": "A"})),
    # ---------------------------------------------------------------- the command line
    Case("C01", "jmtools validate", "--time-limit inf",
         _cli("validate", "{world}/journey.yaml", "--time-limit", "inf"),
         Exits(2, ("--time-limit: must be a number of seconds", "'inf'"), fix=False)),
    Case("C02", "jmtools validate", "--time-limit -1",
         _cli("validate", "{world}/journey.yaml", "--time-limit", "-1"),
         Exits(2, ("--time-limit: must be a number of seconds", "'-1'"), fix=False)),
    Case("C03", "jmtools validate", "--data a folder without tables",
         _cli("validate", "{world}/journey.yaml", "--data", "{tmp}/empty", files={"empty/notes.md": "x"}),
         Exits(1, ("no table files",))),
    Case("C04", "jmtools validate", "--data a file",
         _cli("validate", "{world}/journey.yaml", "--data", "{world}/events.csv"),
         Exits(1, ("this path is a file, not a folder",))),
    Case("C05", "jmtools validate", "a CSV file as the journey",
         _cli("validate", "{world}/events.csv"),
         Exits(1, ("the document must be a mapping of keys", "1 of 1 files are invalid"))),
    Case("C06", "jmtools discover", "an event log with a header only",
         _cli("discover", "{tmp}/e.csv", files={"e.csv": EV}),
         Exits(1, ("the event log has no usable row",))),
    Case("C07", "jmtools discover", "a folder without an event log",
         _cli("discover", "{tmp}/data", files={"data/customers.csv": TINY_CUSTOMERS}),
         Exits(1, ("it is a data folder, not the part files of one table", "customers.csv"))),
    Case("C08", "jmtools map", "-o map.docx",
         _cli("map", "{world}/journey.yaml", "-o", "{tmp}/map.docx"),
         Exits(2, ("output suffix must be one of", "'.docx'"))),
    Case("C09", "jmtools map", "--import a CSV file",
         _cli("map", "--import", "{world}/events.csv", "-o", "{tmp}/j.yaml"),
         Exits(1, ("not an Excel workbook",))),
    Case("C10", "jmtools map", "--lanes goal,feelingz",
         _cli("map", "{world}/journey.yaml", "-o", "{tmp}/m.svg", "--lanes", "goal,feelingz"),
         Exits(2, ("got 'feelingz'", "did you mean 'feelings'"))),
    Case("C11", "jmtools map", "--scale 0",
         _cli("map", "{world}/journey.yaml", "-o", "{tmp}/m.png", "--scale", "0"),
         Exits(2, ("scale must be a number in (0, 10]",))),
    Case("C12", "jmtools report", "a notebook that does not exist",
         _cli("report", "{tmp}/none.ipynb"),
         Exits(2, ("notebook must be an existing notebook file",))),
    Case("C13", "jmtools report", "a CSV file as the notebook",
         _cli("report", "{world}/events.csv"),
         Exits(1, ("not a Jupyter notebook",))),
    Case("C14", "jmtools report", "-f /dev/zero",
         _cli("report", NOTEBOOK, "-f", "/dev/zero"),
         Exits(2, ("--parameters-file must be a readable YAML file", "a folder or a device"))),
    Case("C15", "jmtools report", "-p min_n many",
         _cli("report", NOTEBOOK, "-p", "min_n", "many"),
         Exits(2, ("min_n must be a whole number, 1 or more — got 'many'", "parameters cell line"))),
    Case("C20", "jmtools report", "-p top_n 0 (declared Annotated[int, Ge[1]])",
         _cli("report", NOTEBOOK, "-p", "top_n", "0"),
         Exits(2, ("top_n must be a whole number, 1 or more — got 0", "parameters cell line"))),
    Case("C21", "jmtools batch", "--workers 0",
         _cli("batch", NOTEBOOK, "--journey", "{world}/journey.yaml", "--workers", "0"),
         Exits(2, ("argument --workers: must be a whole number, 1 or more — got '0'",), fix=False)),
    Case("C22", "jmtools report", "--timeout nan",
         _cli("report", NOTEBOOK, "--timeout", "nan"),
         Exits(2, ("argument --timeout: must be a number of seconds, 0 or more (0: no limit) — got 'nan'",),
               fix=False)),
    Case("C16", "jmtools batch", "--config with workers: two",
         _cli("batch", "--config", "{tmp}/b.yaml",
              files={"b.yaml": f"notebook: {NOTEBOOK}\nworkers: two\nreports:\n  - name: a\n"}),
         Exits(1, ("workers must be a whole number",))),
    Case("C18", "jmtools validate", "/dev/null as the journey",
         _cli("validate", "/dev/null"),
         Exits(1, ("not a file (a folder or a device)",))),
    Case("C19", "jmtools report", "-p personna Young (unknown parameter)",
         _cli("report", NOTEBOOK, "-p", "personna", "Young"),
         Exits(2, ("personna", "did you mean 'persona'"))),
    Case("C17", "jmtools new", "a folder that holds a journey already",
         _cli("new", "{world}"),
         Exits(1, ("already exists", "--force"))),
]


def _events_from(path: Path):
    from jmtools.sources import load_events

    return load_events(path)


def _two_parquets(tmp: Path):
    import pyarrow as pa
    import pyarrow.parquet as pq

    from jmtools.sources import load_events

    (tmp / "events").mkdir()
    pq.write_table(pa.table({"customer_id": ["a"], "timestamp": ["2024-01-01"], "event": ["v"]}),
                   tmp / "events" / "a.parquet")
    pq.write_table(pa.table({"customer_id": ["b"], "ts": ["2024-01-01"], "event": ["v"]}),
                   tmp / "events" / "b.parquet")
    return load_events(tmp / "events")


# ============================================================================ running them
class CaseTooSlow(BaseException):
    """A case ran longer than :data:`BUDGET_S` (a hang)."""


@contextlib.contextmanager
def _budget(seconds: float):
    def stop(signum, frame):
        raise CaseTooSlow(f"took more than {seconds} s")
    usable = hasattr(signal, "setitimer")
    previous = signal.signal(signal.SIGALRM, stop) if usable else None
    if usable:
        signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        if usable:
            signal.setitimer(signal.ITIMER_REAL, 0)
            signal.signal(signal.SIGALRM, previous)


def _params():
    return [pytest.param(c, id=c.id, marks=pytest.mark.xfail(strict=True, reason=c.xfail))
            if c.xfail else pytest.param(c, id=c.id) for c in CASES]


@pytest.mark.parametrize("case", _params())
def test_case(case: Case, tmp_path):
    value, exc = None, None
    start = time.perf_counter()
    with _budget(BUDGET_S):
        try:
            value = case.run(tmp_path)
        except Exception as err:  # noqa: BLE001 — the outcome under test
            exc = err
    assert time.perf_counter() - start < BUDGET_S
    if exc is not None and not type(exc).__module__.startswith("jmtools"):
        raise AssertionError(f"{case.id}: a traceback from inside a library") from exc
    case.expect.check(value, exc)


def test_the_catalogue_is_large_unique_and_covers_every_input_path():
    ids = [c.id for c in CASES]
    assert len(ids) == len(set(ids)) and len(CASES) >= 60
    prefixes = {c.id[0] for c in CASES}
    assert prefixes == {"L", "J", "W", "R", "F", "P", "B", "C"}
    kinds = {"events", "customers", "surveys", "feedback", "orders", "tickets"}
    assert kinds <= {c.path.split()[0] for c in CASES if c.id.startswith("L")}
    assert {"CSV", "Parquet", "Excel", "DataFrame", "TSV", "JSONL"} <= {c.path.split()[1] for c in CASES
                                                               if c.id.startswith("L")}


def markdown() -> str:
    """The catalogue as a markdown table: id | input path | case | outcome."""
    rows = ["| id | input path | case | outcome |", "|---|---|---|---|"]
    for c in CASES:
        outcome = c.expect.describe() + (f" (xfail: {c.xfail})" if c.xfail else "")
        cells = [c.id, c.path, c.what, outcome]
        rows.append("| " + " | ".join(x.replace("|", "\\|").replace("\n", " ") for x in cells) + " |")
    return "\n".join(rows)


if __name__ == "__main__":
    if "--markdown" in sys.argv[1:]:
        print(markdown())
    else:
        print(f"{len(CASES)} cases; pass --markdown to print them as a table", file=sys.stderr)
