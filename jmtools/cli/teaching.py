"""The ``teaching`` command of the ``jmtools`` command line.

``jmtools teaching worksheets -o DIR`` writes the printable worksheets of the teaching track
(:func:`jmtools.teaching.worksheets.write_worksheets`): one page per step, from a sample world
or your own data folder, as PDF (printed by a headless Chromium) or HTML only.
"""

from __future__ import annotations


from jmtools.cli._help import ParagraphFormatter
from jmtools.teaching.worksheets import write_worksheets

__all__ = ["add_teaching"]


def add_teaching(sub) -> None:
    """Register ``jmtools teaching`` on the sub-parsers of :func:`jmtools.cli.main.build_parser`."""
    p = sub.add_parser("teaching", help="the teaching track: printable worksheets",
                       description="Helpers for the teaching track in notebooks/teaching/.")
    actions = p.add_subparsers(title="actions", metavar="ACTION")
    w = actions.add_parser(
        "worksheets", help="write one printable page per step (PDF, or HTML)",
        description="Write the worksheets of the teaching track, one page per step (00 to 07), "
                    "made from DATA for rooms without laptops. The numbers printed are those the "
                    "exercises are checked against.",
        epilog="examples:\n  jmtools teaching worksheets -o worksheets/\n"
               "  jmtools teaching worksheets -o sheets/ --data sample:b2b --persona 'SMB Owner Sam'\n"
               "  jmtools teaching worksheets -o sheets/ --html-only      # print from any browser",
        formatter_class=ParagraphFormatter)
    w.add_argument("-o", "--output", required=True, metavar="DIR", help="folder to write to")
    w.add_argument("--data", default="sample:ecommerce", metavar="FOLDER",
                   help="data folder, or a bundled sample world (default: sample:ecommerce)")
    w.add_argument("--persona", default="", help="the persona followed (default: the journey's first)")
    w.add_argument("--step", type=int, action="append", metavar="N",
                   help="only this step (0-7); repeat for several (default: all)")
    w.add_argument("--html-only", action="store_true",
                   help="write the HTML pages only (no Chromium needed); print them from a browser")
    w.add_argument("--chromium", default=None, metavar="PATH",
                   help="the Chromium or Chrome executable that prints the PDFs (default: chromium)")
    w.set_defaults(handler=_worksheets)
    p.set_defaults(handler=lambda args: (p.print_help(), 2)[1])


def _worksheets(args) -> int:
    written = write_worksheets(args.data, args.output, persona=args.persona, steps=args.step,
                               pdf=not args.html_only, chromium=args.chromium)
    for path in written:
        print(path)
    return 0
