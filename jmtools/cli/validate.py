"""The ``validate`` command of the ``jmtools`` command line.

``jmtools validate FILE…`` checks journey files and shared persona library files; with
``--schema`` also against the published JSON Schema, and with ``--data FOLDER`` against a data
folder (persona rules against the customer table, touchpoints against the event log). The
handler returns the exit code: 0 when every file is valid, 1 otherwise.
"""

from __future__ import annotations

import sys
from pathlib import Path

from jmtools.cli._budget import add_time_limit
from jmtools.core.errors import JourneyError, ParameterError
from jmtools.core.resources import resolve_data_dir
from jmtools.core.vocabulary import counted
from jmtools.core.yamlbounds import MAX_YAML_BYTES
from jmtools.evidence import fit_problems, prepare
from jmtools.journey import Journey, load_persona_library, schema_problems
from jmtools.personas import check_personas
from jmtools.sources import id_overlap, load_world, missing_table
from jmtools.sources.cases import case_option, journeys_of

__all__ = ["add_validate"]


def add_validate(sub) -> None:
    """Register ``jmtools validate``."""
    p = sub.add_parser("validate", help="check journey and persona library files",
                       description="Validate journey files (and shared persona library files). "
                                   "Exit code 0 only when every file is valid.")
    p.add_argument("files", nargs="+", metavar="FILE", help="journey YAML files")
    p.add_argument("--schema", action="store_true",
                   help="also check each file against the published JSON Schema")
    p.add_argument("--data", metavar="FOLDER",
                   help="also check the file against this data folder (or sample:ecommerce / "
                        "sample:b2b): every persona rule against the customer table (unknown "
                        "attributes, wrong types, rules that select nobody) and the touchpoints "
                        "against the event log (event names several touchpoints claim, "
                        "touchpoints and stages that receive no event, unmatched names, "
                        "date-only event kinds)")
    add_time_limit(p)
    p.set_defaults(handler=_validate)


def _validate(args) -> int:

    failed = 0
    for name in args.files:
        try:
            if _is_library(Path(name)):
                lib = load_persona_library(name)
                print(f"ok  {name}: persona library, {len(lib.personas)} personas")
                continue
            j = Journey.load(name)
            if args.schema:
                problems = schema_problems(name)
                if problems:
                    raise JourneyError(problems, source=name)
            for warning in j.warnings():  # valid, but probably not what was meant
                print(f"warning  {warning}", file=sys.stderr)
            cards = j.personas_resolved()
            warned = 0
            if args.data:
                fits, warned = _data_fit(name, j, args.data)
                if not fits:
                    failed += 1
                    continue
            print(f"ok  {name}: {len(j.stages)} stages, {len(j.touchpoints)} touchpoints, "
                  f"{len(cards)} personas, {len(j.pain_points)} pain points, "
                  f"{len(j.opportunities)} opportunities"
                  + (f" — {warned} warning{'s' if warned != 1 else ''} about the data (the lines "
                     'that begin with "warning")' if warned else ""))     # on stderr: above or below (D195)
        except (JourneyError, ParameterError) as err:
            failed += 1
            print(f"INVALID  {err}", file=sys.stderr)
    if failed:
        print(f"{failed} of {len(args.files)} files are invalid", file=sys.stderr)
    return 1 if failed else 0


def _data_fit(name: str, journey: Journey, folder: str) -> tuple[bool, int]:
    """Check ``journey`` against the tables in ``folder``: persona rules against the customer
    table, touchpoints against the event log. Returns (no errors, number of warnings)."""
    world = load_world(resolve_data_dir(folder), None)
    if "customers" not in world.tables and "events" not in world.tables:
        raise ParameterError("--data", folder, expected="a data folder with an event log or a "
                             "customer table", fix="add events.csv (customer_id, timestamp, event) "
                             "or customers.csv (customer_id and the attributes the rules name)")
    ok, warned = True, 0
    if "customers" in world.tables and journey.personas:
        found = check_personas(world.tables["customers"].to_pandas(), journey, errors="report")
        bad = found[found["severity"] == "error"]
        shown = (found["severity"] == "warning") & (found["check"] != "precedence")  # said above
        for row in found[shown].itertuples():
            warned += 1
            print(f"warning  {name}: persona {row.persona!r}: {row.message}", file=sys.stderr)
        for row in bad.itertuples():
            print(f"INVALID  {name}: persona {row.persona!r}: {row.message}\n  Fix: {row.fix}",
                  file=sys.stderr)
        ok = bad.empty
    elif journey.personas:  # the journey may be right; its rules just cannot be checked here
        print(f"note  {name}: persona rules not checked against {folder}: "
              + missing_table("customers", fills="to check them"),
              file=sys.stderr)
    if "customers" in world.tables:   # ids written two ways (D145), in every table keyed by customer (D157)
        ok, warned = _ids_meet(name, world, ok, warned)
    if "events" in world.tables:
        for row in fit_problems(prepare(world.tables["events"], journey)).itertuples():
            warned += row.severity == "warning"
            fix = f"\n  Fix: {row.fix}" if row.fix and row.severity == "warning" else ""
            print(f"{row.severity}  {name}: {row.message}{fix}", file=sys.stderr)
        _per_case(name, world)
    else:
        print(f"note  {name}: no event log in {folder}: touchpoints not checked", file=sys.stderr)
    return ok, warned


def _per_case(name: str, world) -> None:
    """With a case column (D238), say per what the checks above count and per what the reports do (D253)."""
    case = case_option(world)
    if case is None:
        return
    journeys, no_case = journeys_of(world.tables["events"].table, case[0])
    left = f"; {counted(no_case, 'event')} without a {case[0]} belong to no {case[1]}" if no_case else ""
    print(f"note  {name}: the checks above read the events per customer; the reports count each {case[1]} "
          f"as a journey (loading.yaml: events, case: {case[0]}): "
          f"{counted(len(journeys), case[1])} of {counted(journeys['customer'].nunique(), 'customer')}{left}",
          file=sys.stderr)


#: Tables keyed by customer that validate checks against the customer table, as a sentence names them.
_KEYED = {"events": "events", "surveys": "survey answers", "feedback": "feedback", "tickets": "tickets"}


def _ids_meet(name: str, world, ok: bool, warned: int) -> tuple[bool, int]:
    """Say, for the events and every survey, feedback or ticket table, how many of its customers
    the customer table holds when some are missing: for the events INVALID when few meet (no
    persona can be told for most customers), else a warning; for the others a warning (their
    answers and texts are counted without a persona)."""
    ids = lambda kind: world.tables[kind].table.select("customer_id").distinct().to_pandas()["customer_id"]  # noqa: E731
    known = ids("customers")
    for kind, of in _KEYED.items():
        if kind not in world.tables or "customer_id" not in world.tables[kind].columns:
            continue
        found = id_overlap(ids(kind), known, of=of)
        if found.matched == found.n:
            continue
        bad = kind == "events" and found.few
        print(f"{'INVALID' if bad else 'warning'}  {name}: {found.sentence()}\n  Fix: {found.fix}", file=sys.stderr)
        ok, warned = ok and not bad, warned + (not bad)
    return ok, warned


def _is_library(path: Path) -> bool:
    """A persona library has personas and no stages at its top level."""
    if not path.is_file():  # a folder or a device (/dev/zero): let the loader say so
        return False
    try:
        with open(path, "rb") as handle:
            text = handle.read(MAX_YAML_BYTES + 1).decode("utf-8")
        head = [line.split(":")[0] for line in text.splitlines()
                if line and not line[0].isspace() and not line.startswith("#")]
    except (OSError, UnicodeDecodeError):
        return False
    return "personas" in head and "stages" not in head
