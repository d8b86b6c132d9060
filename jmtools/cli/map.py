"""The ``map`` command of the ``jmtools`` command line.

``jmtools map JOURNEY -o OUT`` draws the journey-map canvas
(:func:`jmtools.charts.journeymap.journey_map`) or, with ``--empathy``, the empathy map
(:func:`jmtools.charts.empathy.empathy_map`) of one persona, and writes it with
:func:`jmtools.render.offline.save_chart` (the suffix of OUT picks the format); ``--data``
adds the measured evidence (:func:`jmtools.pipeline.map_evidence`), where no group of fewer
than 5 customers is drawn (a note says what was left out). With an ``.xlsx`` OUT it
writes the map as a workbook to edit in a workshop, and ``--import`` reads an edited
workbook back into the journey file. The handler returns the exit code: 0 ok, 1 bad input,
2 bad usage.
"""

from __future__ import annotations

import sys
from pathlib import Path

from jmtools.cli._help import ParagraphFormatter
from jmtools.cli._budget import add_time_limit
from jmtools.analyses.disclosure import MIN_GROUP
from jmtools.analyses.empathy import feedback_quotes
from jmtools.analyses.mapcells import MAP_LANES
from jmtools.charts.empathy import empathy_map
from jmtools.charts.journeymap import journey_map
from jmtools.core.errors import ParameterError
from jmtools.journey import Journey
from jmtools.journey.workbook import write_workbook
from jmtools.journey.workbook_read import read_workbook
from jmtools.personas import assign_personas
from jmtools.pipeline import map_disclosure_note, map_evidence
from jmtools.render.offline import format_of, save_chart
from jmtools.sources import load_world

__all__ = ["add_map_command", "run_map_command"]


def add_map_command(sub) -> None:
    """Register ``jmtools map`` on the sub-parsers of :func:`jmtools.cli.main.build_parser`."""
    p = sub.add_parser(
        "map", help="draw the journey map (PNG, SVG, PDF, HTML) or export/import its workbook",
        description="Draw the journey-map canvas of JOURNEY into OUT; the suffix of OUT picks "
                    "the format: .png .svg .pdf .html (interactive, offline) or .xlsx (an Excel "
                    "workbook to edit in a workshop). With --import, read an edited workbook "
                    "back into the journey file OUT and list what changed.",
        epilog="examples:\n  jmtools map journey.yaml -o map.png --persona 'Budget Ben'\n"
               "  jmtools map journey.yaml -o map.html --data data/ --lanes goal,actions,emotion\n"
               "  jmtools map journey.yaml -o map.xlsx\n"
               "  jmtools map --import map.xlsx -o journey.yaml",
        formatter_class=ParagraphFormatter)
    p.add_argument("journey", nargs="?", metavar="JOURNEY", help="journey YAML file")
    p.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="output file (.png .svg .pdf .html .xlsx; with --import: .yaml)")
    p.add_argument("--persona", action="append", metavar="NAME",
                   help="draw the map for this persona; repeat to compare personas on one map "
                        "(default: every persona)")
    p.add_argument("--lanes", metavar="LANE,LANE",
                   help="lanes to draw, in this order (default: every lane with content); "
                        "choose from " + ", ".join(_lane_names()))
    p.add_argument("--data", metavar="FOLDER",
                   help="data folder (events, customers, surveys, feedback…): adds the measured "
                        "emotion curve and stage KPIs with n and 95%% intervals")
    p.add_argument("--empathy", action="store_true",
                   help="draw the empathy map (says, thinks, does, feels) of one --persona "
                        "instead; with --data, 'says' quotes the newest feedback (masked)")
    p.add_argument("--stage", metavar="NAME", help="with --empathy: one stage (default: all)")
    p.add_argument("--scale", type=float, default=2.0, help="PNG pixel density (default 2)")
    p.add_argument("--import", dest="workbook", metavar="WORKBOOK",
                   help="read an edited workbook (.xlsx) back into the journey file OUT")
    add_time_limit(p)
    p.add_argument("--dry-run", action="store_true",
                   help="with --import: report the changes without writing OUT")
    p.set_defaults(handler=run_map_command)


def _lane_names() -> list[str]:
    return list(MAP_LANES)


def run_map_command(args) -> int:
    """Handler of ``jmtools map``: returns the exit code (0 ok, 1 bad input, 2 bad usage)."""
    try:
        if args.workbook:
            return _import_workbook(args)
        if not args.journey:
            raise ParameterError("JOURNEY", None, expected="a journey file (or --import WORKBOOK)",
                                 fix="jmtools map journey.yaml -o map.png")
        return _draw_map(args)
    except ParameterError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


def _draw_map(args) -> int:
    out = Path(args.output)
    journey = Journey.load(args.journey)
    if out.suffix.lower() == ".xlsx":
        if args.persona or args.lanes or args.data:
            print("note: --persona, --lanes and --data do not apply to the workbook "
                  "(it holds the whole map)")
        write_workbook(journey, out)
        print(f"wrote {out}: the map as a workbook; edit it, then "
              f"jmtools map --import {out} -o {args.journey}")
        return 0
    format_of(out)  # a wrong suffix fails before any work
    if args.empathy:
        return _draw_empathy(args, journey, out)
    if args.stage:
        raise ParameterError("--stage", args.stage, expected="used with --empathy only",
                             fix="add --empathy, or leave out --stage (a map shows every stage)")
    evidence = map_evidence(args.data, journey) if args.data else None
    if map_disclosure_note(evidence):
        print(f"note: {map_disclosure_note(evidence)}")
    _note_personas_without_evidence(evidence, args.persona, args.data)
    persona = args.persona[0] if args.persona and len(args.persona) == 1 else args.persona
    chart = journey_map(journey, evidence=evidence, persona=persona, lanes=args.lanes)
    save_chart(chart, out, scale=args.scale, title=journey.name)
    print(f"wrote {out}")
    return 0


def _note_personas_without_evidence(evidence, personas, folder) -> None:
    """Say so when a persona drawn has no measured evidence (e.g. the folder has no customer
    table): the measured numbers the map shows are then those of all customers."""
    if not evidence or not personas:
        return
    measured = set()
    for frame in evidence.values():       # touchpoints: customers with events, said only from 5 on
        shown = frame["n"] > 0 if "n" in frame.columns else frame["n_customers"] >= MIN_GROUP
        measured |= set(frame.loc[shown, "persona"].astype(str))
    absent = [p for p in personas if p not in measured]
    if absent:
        print(f"note: {folder} holds no measured evidence to show for {', '.join(absent)} (no customer "
              "table, no customer of the persona with data, or fewer than 5 of them): the measured "
              "numbers drawn are those of all customers")


def _draw_empathy(args, journey, out: Path) -> int:
    if args.persona and len(args.persona) > 1:
        raise ParameterError("--persona", args.persona, expected="one persona with --empathy")
    persona = args.persona[0] if args.persona else None
    quotes = None
    if args.data:
        world = load_world(args.data, journey)
        if "feedback" in world.tables:
            personas = None
            if "customers" in world.tables and journey.personas:
                personas = assign_personas(world.tables["customers"].to_pandas(), journey)
            quotes = feedback_quotes(world.tables["feedback"].to_pandas(), personas=personas,
                                     journey=journey)
    chart = empathy_map(journey, persona=persona, stage=args.stage, quotes=quotes)
    save_chart(chart, out, scale=args.scale, title=f"{journey.name} — empathy map")
    print(f"wrote {out}")
    return 0


def _import_workbook(args) -> int:
    out = Path(args.output)
    if out.suffix.lower() not in (".yaml", ".yml"):
        raise ParameterError("-o with --import", str(out), expected="a journey file (.yaml)",
                             fix=f"jmtools map --import {args.workbook} -o journey.yaml")
    if args.journey:
        raise ParameterError("JOURNEY", args.journey, expected="no JOURNEY argument with --import",
                             fix=f"jmtools map --import {args.workbook} -o {args.journey}")
    base = Journey.load(out) if out.exists() else None
    result = read_workbook(args.workbook, base=base, journey_path=out)
    print(result)
    if args.dry_run:
        print(f"dry run: {out} not written")
        return 0
    if base is not None:  # keep the comments and key order of the existing file
        result.journey._doc = base._document()
    result.journey.save(out)
    print(f"wrote {out}")
    return 0
