"""The ``discover`` command of the ``jmtools`` command line.

``jmtools discover EVENTS -o journey.yaml`` proposes a journey file from an event log alone
(:func:`jmtools.analyses.discovery.discover_journey`) and prints what it proposed. EVENTS is
an event file (CSV, Parquet, Excel), a data folder with ``events.*`` (its ``customers.*``
is used too unless ``--customers`` is given; its ``loading.yaml`` is read as a report reads
it) or a bundled sample world (``sample:b2b``). A ``--customers`` file is read as the
``loading.yaml`` beside it says.
The handler returns the exit code: 0 ok, 1 bad input, 2 bad usage.
"""

from __future__ import annotations

import sys
from pathlib import Path

from jmtools.cli._help import ParagraphFormatter
from jmtools.analyses.discovery import discover_journey
from jmtools.cli._budget import add_time_limit
from jmtools.core.errors import DataError, ParameterError, Problem
from jmtools.core.resources import resolve_data_dir
from jmtools.core.vocabulary import counted
from jmtools.sources import load_customers, load_events, table_files
from jmtools.sources.actors import actor_option, suggest_actor, with_actors
from jmtools.sources.cases import check_case_column, journeys_of, keyed_by_case
from jmtools.sources._loading_file import read_loading_file, renamed_values
from jmtools.sources._spec import SPECS

__all__ = ["add_discover", "run_discover", "summary"]



def add_discover(sub) -> None:
    """Register ``jmtools discover`` on the sub-parsers of :func:`jmtools.cli.main.build_parser`."""
    p = sub.add_parser(
        "discover", help="propose a journey file from an event log",
        description="Propose a journey file from an event log alone: event names grouped into "
                    "touchpoints and ordered stages, repeated events as first/repeat "
                    "touchpoints, company sends marked (by the log's initiated_by column, else by "
                    "their timing), every element measured (the numbers "
                    "are in its description). Rename and edit it in a workshop.",
        epilog="examples:\n  jmtools discover events.csv -o journey.yaml\n"
               "  jmtools discover data/ --stages 5 -o journey.yaml\n"
               "  jmtools discover events.parquet --customers customers.csv -o journey.yaml",
        formatter_class=ParagraphFormatter)
    p.add_argument("events", metavar="EVENTS",
                   help="event log (customer_id, timestamp, event): a file, a data folder "
                        "holding events.csv/.parquet, or sample:ecommerce / sample:b2b")
    p.add_argument("--customers", metavar="FILE",
                   help="customer table (customer_id): shares are then of every known customer; "
                        "read as the loading.yaml beside it says")
    p.add_argument("--stages", type=int, metavar="N",
                   help="number of stages (default: chosen from the data, 3 to 7)")
    p.add_argument("--min-share", type=float, default=0.01, metavar="SHARE",
                   help="leave out event names done by fewer customers than this share "
                        "(default 0.01)")
    p.add_argument("--name", help="name of the journey (default: from the log's file name)")
    p.add_argument("-o", "--output", metavar="YAML",
                   help="journey file to write (default: print the YAML)")
    p.add_argument("--force", action="store_true", help="overwrite an existing output file")
    add_time_limit(p)
    p.set_defaults(handler=run_discover)


def run_discover(args) -> int:
    """Handler of ``jmtools discover``: returns the exit code (0 ok, 1 bad input, 2 bad usage)."""
    try:
        _check_numbers(args)
        out = _output(args)
        events, customers, source, case = _inputs(args)
        if events.accounting.rows_rejected:
            print(events.accounting, file=sys.stderr)
        if case is not None:                          # each (customer, case) is a journey (D238, D253)
            print(_per_case_note(events, *case), file=sys.stderr)
            customers = None                          # a customer table counts customers, not cases
        found = discover_journey(events if case is None else keyed_by_case(events.table, case[0]),
                                 customers=customers, n_stages=args.stages, min_share=args.min_share,
                                 name=args.name, source=source)
    except ParameterError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2
    text = found.journey.to_yaml()
    if out is None:
        sys.stdout.write(text)
    else:
        tmp = out.with_name(f".{out.name}.tmp")
        tmp.write_text(text, encoding="utf-8")
        tmp.replace(out)
    actors = actor_option(events)                     # an account's journey, its users acting (D256)
    unit = case[1] if case is not None else actors[2] if actors else "customer"
    print(summary(found, out, unit=unit),
          file=sys.stderr if out is None else sys.stdout)
    return 0


def _per_case_note(events, column: str, name: str) -> str:
    """What discover counts when loading.yaml names a case column: each case, as the reports do."""
    journeys, no_case = journeys_of(events.table, column)
    left = f"; {counted(no_case, 'event')} without a {column} belong to no {name} and are left out" if no_case else ""
    return (f"counted per {name} (loading.yaml: events, case: {column}), as the reports count: "
            f"{counted(len(journeys), name)} of {counted(journeys['customer'].nunique(), 'customer')}{left}; "
            "the customer table is not read")


def _check_numbers(args) -> None:
    if args.stages is not None and not 1 <= args.stages <= 30:
        raise ParameterError("--stages", args.stages, expected="a whole number from 1 to 30",
                             fix="pass e.g. --stages 5, or leave it out to let the data choose")
    if not 0 < args.min_share <= 1:
        raise ParameterError("--min-share", args.min_share, expected="a share above 0 and at most 1",
                             fix="pass e.g. --min-share 0.01 (event names done by 1% of customers)")


def _output(args) -> Path | None:
    if args.output is None:
        return None
    out = Path(args.output)
    if out.suffix.lower() not in (".yaml", ".yml"):
        raise ParameterError("-o", str(out), expected="a journey file ending in .yaml",
                             fix="jmtools discover EVENTS -o journey.yaml")
    if out.exists() and not args.force:
        raise DataError([Problem("the output file already exists", source=str(out),
                                 fix="choose another file name, or pass --force to overwrite it")])
    if not out.parent.is_dir():
        raise DataError([Problem(f"the folder {str(out.parent)!r} does not exist", source=str(out),
                                 fix="create the folder first, or write to an existing one")])
    return out


def _inputs(args):
    """The loaded events, the customers (or None) and the log's name for messages."""
    name = args.events
    customers = args.customers
    path = Path(name)
    how: dict = {}
    if name.startswith("sample:") or (path.is_dir() and _table_file(path, "events")):
        folder = resolve_data_dir(name)
        found = _table_file(folder, "events")
        if found is None:
            raise DataError([Problem(f"no events file in {str(folder)!r}", source=str(folder),
                                     fix="name the log events.csv or events.parquet, or pass "
                                         "the file itself")])
        path, name = found, str(found)
        how = read_loading_file(folder, SPECS)       # the folder's loading.yaml, as a report reads it
        if customers is None:
            customers = _table_file(folder, "customers")
    if args.customers is not None:      # a given file is read as the loading.yaml beside it says (D235)
        beside = read_loading_file(Path(args.customers).resolve().parent, SPECS)
        how["customers"] = beside.get("customers", {})
    options = dict(how.get("events", {}))
    values = options.pop("values", None)
    case, case_name = options.pop("case", None), options.pop("case_name", None)
    actor = {k: options.pop(k) for k in ("actor", "actor_name") if k in options}
    events = load_events(path, **options)
    check_case_column(events, case, path)
    with_actors(events, {**options, **actor, **({"case": case} if case else {})}, path)   # D256
    proposal = suggest_actor(events, {**options, **actor, "case": case})
    if proposal:
        print(f"note: {proposal}", file=sys.stderr)
    renamed = renamed_values(events, values) if values else None    # D192, D204: initiated_by
    if renamed:
        print(renamed, file=sys.stderr)
    table = load_customers(customers, **how.get("customers", {})) if customers is not None else None
    return events, table, name, None if not case else (str(case), str(case_name or "case"))


def _table_file(folder: Path, kind: str) -> Path | None:
    files = table_files(folder, kind)          # as a report finds it: any case, the newest
    return files[0] if files else None


def _safe(text: str) -> str:
    """Text for a terminal: control characters (escape sequences) written as ``\\xNN``."""
    return "".join(c if c.isprintable() else f"\\x{ord(c):02x}" for c in str(text))


#: Said after the company-initiated events of a log without an ``initiated_by`` column (D193).
_BY_TIMING = " (told by timing alone: the log has no initiated_by column)"


def summary(found, out: Path | None, *, unit: str = "customer") -> str:
    """A short account of the proposal: stages, touchpoints, repeats, company sends, left out;
    its counts are of ``unit`` (``"claim"`` when loading.yaml names a case column, D253).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.Timestamp("2024-03-01 09:00")
    >>> log = pd.DataFrame([(c, t + pd.Timedelta(hours=h + i), e) for i, c in enumerate("abc")
    ...                     for h, e in [(0, "view"), (1, "buy"), (30, "delivered")]],
    ...                    columns=["customer_id", "timestamp", "event"])
    >>> print(summary(discover_journey(log), None))
    proposed 3 stages, 3 touchpoints from 3 event names (3 customers)
      1. Stage 1: View — 3 customers (100.0%)
      2. Stage 2: Buy — 3 customers (100.0%)
      3. Stage 3: Delivered — 3 customers (100.0%)
    repeated (first/repeat): none
    company-initiated: none (told by timing alone: the log has no initiated_by column)
    """
    j, t = found.journey, found.table
    placed = t[t["placed"]]
    lines = [f"proposed {counted(len(j.stages), 'stage')}, {counted(len(j.touchpoints), 'touchpoint')} from "
             f"{counted(placed['event'].nunique(), 'event name')} ({counted(t.attrs['n_customers'], unit)})"
             + (f" → {out}" if out else "")]
    by_company = placed["initiated_by"] == "company"
    for i, (_, rows) in enumerate(placed.groupby("stage_index", sort=True), start=1):
        r = rows.iloc[0]
        how = "" if not by_company.any() else (           # what the reach counts (D218)
            " by the company's contacts" if (rows["initiated_by"] == "company").all() else " by their own events")
        lines.append(f"  {i}. {_safe(r.stage)} — {counted(r.stage_customers, unit)} ({100 * r.stage_share:.1f}%){how}")
    reps = placed.loc[placed["occurrence"] == "repeat", "event"].tolist()
    company = sorted(set(placed.loc[placed["initiated_by"] == "company", "event"]))
    lines.append(f"repeated (first/repeat): {_safe(', '.join(reps)) or 'none'}")
    lines.append(f"company-initiated: {_safe(', '.join(company)) or 'none'}"
                 + ("" if t.attrs.get("initiated_by_column") else _BY_TIMING))
    if t.attrs.get("initiated_by_note"):                 # values read as neither side (D204)
        lines.append(_safe(t.attrs["initiated_by_note"]))
    rest = t.loc[~t["placed"], "event"].tolist()
    if rest:
        shown = _safe(", ".join(rest[:5])) + (f" (+{len(rest) - 5} more)" if len(rest) > 5 else "")
        lines.append(f"not placed: {shown} — see the journey description")
    if out is not None:
        lines.append(f"next: jmtools validate {out}   (then rename stages and touchpoints)")
    return "\n".join(lines)
