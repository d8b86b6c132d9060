"""The ``diff`` command: what changed between two versions of a journey map.

``jmtools diff OLD.yaml NEW.yaml`` compares two files; ``jmtools diff FILE --rev A --rev B``
two git revisions of one file (one ``--rev``: that revision against the working copy).
Stages, touchpoints, personas, pain points and opportunities (status and scores included)
are listed as added, removed, renamed, changed or moved — as readable text (default), a
table (``--table``) or CSV (``--csv``). Exit code 0 whether or not something changed; 1 when
a file or revision cannot be read.
"""

from __future__ import annotations

import sys

from jmtools.cli._help import ParagraphFormatter
from jmtools.core.errors import ParameterError
from jmtools.core.spreadsheet import csv_frame
from jmtools.journey import Journey
from jmtools.journey.diff import changes_frame, changes_text, diff_journeys
from jmtools.journey.revisions import journey_at

__all__ = ["add_diff"]


def add_diff(sub) -> None:
    """Register ``jmtools diff`` on the sub-parsers of :func:`jmtools.cli.main.build_parser`."""
    p = sub.add_parser(
        "diff", help="what changed between two versions of a journey map (files or git revisions)",
        description="List added, removed, renamed, changed and moved stages, touchpoints, "
                    "personas, pain points and opportunities (status, scores, outcome) between "
                    "two journey files, or between git revisions of one file.",
        epilog="examples:\n  jmtools diff old/journey.yaml journey.yaml\n"
               "  jmtools diff journey.yaml --rev HEAD~1            (that revision → working copy)\n"
               "  jmtools diff journey.yaml --rev v1 --rev v2 --table",
        formatter_class=ParagraphFormatter)
    p.add_argument("files", nargs="+", metavar="FILE", help="OLD NEW, or one FILE with --rev")
    p.add_argument("--rev", action="append", metavar="REV",
                   help="a git revision of FILE (repeat for the second; one: against the working copy)")
    shown = p.add_mutually_exclusive_group()
    shown.add_argument("--table", action="store_true", help="print a table instead of text")
    shown.add_argument("--csv", action="store_true", help="print CSV (section,item,field,change,old,new)")
    p.set_defaults(handler=_diff)


def _versions(args):
    revs = args.rev or []
    if revs:
        if len(args.files) != 1 or len(revs) > 2:
            raise ParameterError("--rev", revs, expected="one FILE with one or two --rev",
                                 fix="jmtools diff journey.yaml --rev HEAD~1 [--rev HEAD]")
        path = args.files[0]
        old = journey_at(path, revs[0])
        new = journey_at(path, revs[1]) if len(revs) == 2 else Journey.load(path)
        return old, new, f"{path} @ {revs[0]}", f"{path} @ {revs[1]}" if len(revs) == 2 else f"{path} (working copy)"
    if len(args.files) != 2:
        raise ParameterError("FILE", args.files, expected="two journey files (OLD NEW), or one with --rev",
                             fix="jmtools diff old.yaml new.yaml")
    return Journey.load(args.files[0]), Journey.load(args.files[1]), args.files[0], args.files[1]


def _diff(args) -> int:
    old, new, old_name, new_name = _versions(args)
    changes = diff_journeys(old, new)
    if args.csv:
        csv_frame(changes_frame(changes).astype(str)).to_csv(sys.stdout, index=False)
    elif args.table:
        frame = changes_frame(changes)
        print(frame.to_string(index=False) if len(frame) else f"no changes from {old_name} to {new_name}")
    else:
        print(changes_text(changes, old=old_name, new=new_name))
    return 0
