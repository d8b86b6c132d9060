"""The ``teaching`` command of the ``jmtools`` command line.

``jmtools teaching worksheets -o DIR`` writes the printable worksheets of the teaching track
(:func:`jmtools.teaching.worksheets.write_worksheets`): one page per step, from a sample world
or your own data folder, as PDF (printed by a headless Chromium) or HTML only.

The classroom (:mod:`jmtools.teaching.classroom`): ``copy DEST…`` writes one learner's folder
each (the notebooks without the solutions), ``reset NOTEBOOK…`` puts a learner's notebook back,
``collect FOLDER… -o answers.csv`` gathers what each learner's checks said, and ``check`` runs the
solutions on the data and exits 1 when one is not judged right.
"""

from __future__ import annotations


import sys

from jmtools.cli._help import ParagraphFormatter
from jmtools.teaching import EXERCISES
from jmtools.teaching.classroom import check_solutions, collect_answers, copy_track, reset_notebook
from jmtools.teaching.worksheets import write_worksheets

__all__ = ["add_teaching"]


def add_teaching(sub) -> None:
    """Register ``jmtools teaching`` on the sub-parsers of :func:`jmtools.cli.main.build_parser`."""
    p = sub.add_parser("teaching", help="the teaching track: learner copies, answers, worksheets",
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
    _add_classroom(actions)
    p.set_defaults(handler=lambda args: (p.print_help(), 2)[1])


def _add_classroom(actions) -> None:
    """``copy``, ``reset``, ``collect`` and ``check``."""
    c = actions.add_parser(
        "copy", help="write each learner's folder: the notebooks, without the solutions",
        description="Write a learner's copy of the track into each DEST: the eight notebooks, "
                    "output-free, without solutions/ and FACILITATOR.md. Start JupyterLab in that "
                    "folder, not in notebooks/teaching/ (which holds the solutions).",
        epilog="examples:\n  jmtools teaching copy class/ana class/ben class/chloe\n"
               "  jupyter lab class/ana/\n"
               "  jmtools teaching copy teacher/ --with-solutions   # your own copy, with the guide",
        formatter_class=ParagraphFormatter)
    c.add_argument("dest", nargs="+", metavar="DEST", help="a new folder per learner")
    c.add_argument("--with-solutions", action="store_true",
                   help="add solutions/ and FACILITATOR.md (the teacher's copy)")
    c.add_argument("--force", action="store_true",
                   help="write into folders that hold files (their notebooks are replaced: answers lost)")
    c.set_defaults(handler=_copy)
    r = actions.add_parser(
        "reset", help="put a learner's notebook back as it was given out",
        description="Put each NOTEBOOK of a learner's copy back as it was given out. The learner's "
                    "version is kept beside it as NAME.before-reset.ipynb.",
        epilog="example:\n  jmtools teaching reset class/ana/05_patterns_and_pain_points.ipynb",
        formatter_class=ParagraphFormatter)
    r.add_argument("notebook", nargs="+", metavar="NOTEBOOK", help="a notebook in a learner's folder")
    r.set_defaults(handler=_reset)
    g = actions.add_parser(
        "collect", help="gather what each learner's checks said into one CSV",
        description="Read the saved notebooks in each learner's FOLDER (the folder's name is the "
                    "learner's) and write one row per learner and exercise: the answer as typed, "
                    "and what its check said when it last ran (right, not yet and the hint's code, "
                    "not answered, not run). Nothing is run: ask learners to save (Ctrl+S) first.",
        epilog="example:\n  jmtools teaching collect class/* -o answers.csv",
        formatter_class=ParagraphFormatter)
    g.add_argument("folders", nargs="+", metavar="FOLDER", help="a learner's copy")
    g.add_argument("-o", "--output", required=True, metavar="CSV", help="the CSV file to write")
    g.set_defaults(handler=_collect)
    k = actions.add_parser(
        "check", help="run the solutions on the data; exit 1 when one is not right",
        description="Run the solution notebooks on DATA, each in its own kernel, and print what "
                    "each check said, one line per exercise. Exit code 1 when a solution is not "
                    "judged right or a notebook stops; an exercise not available on the data is "
                    "said, not failed. Takes about 10-20 s per notebook.",
        epilog="examples:\n  jmtools teaching check\n"
               "  jmtools teaching check --data sample:b2b --persona 'SMB Owner Sam'\n"
               "  jmtools teaching check --step 5 -o checked/    # keep the executed notebooks",
        formatter_class=ParagraphFormatter)
    k.add_argument("--data", default="sample:ecommerce", metavar="FOLDER",
                   help="data folder, or a bundled sample world (default: sample:ecommerce)")
    k.add_argument("--persona", default="", help="the persona followed (default: the journey's first)")
    k.add_argument("--step", type=int, action="append", metavar="N",
                   help="only this step (0-7); repeat for several (default: all)")
    k.add_argument("-o", "--output", default=None, metavar="DIR",
                   help="keep the executed notebooks there (default: a temporary folder, removed)")
    k.set_defaults(handler=_check)


def _worksheets(args) -> int:
    written = write_worksheets(args.data, args.output, persona=args.persona, steps=args.step,
                               pdf=not args.html_only, chromium=args.chromium)
    for path in written:
        print(path)
    return 0


def _copy(args) -> int:
    copy_track(args.dest, solutions=args.with_solutions, force=args.force)
    for dest in args.dest:
        print(f"{dest}: the track's 8 notebooks{', solutions/ and FACILITATOR.md' if args.with_solutions else ''}"
              f" — start with: jupyter lab {dest}")
    return 0


def _reset(args) -> int:
    for notebook in args.notebook:
        written, kept = reset_notebook(notebook)
        print(f"{written}: as given out" + (f" (the learner's version kept as {kept.name})" if kept else ""))
    return 0


_MARKS = {"right": "✓", "not answered": "…", "not available": "–"}


def _collect(args) -> int:
    answers = collect_answers(args.folders)
    answers.to_csv(args.output, index=False)
    table = answers.pivot_table(index="exercise", columns="status", values="learner", aggfunc="count",
                                fill_value=0, sort=False)
    print(f"{args.output}: {answers['learner'].nunique()} learners × {answers['exercise'].nunique()} exercises")
    print(table.to_string())
    return 0


def _check(args) -> int:
    checked = check_solutions(args.data, persona=args.persona, steps=args.step, output_dir=args.output)
    for row in checked.itertuples():
        line = f"{_MARKS.get(row.status, '✗')} {row.exercise} {EXERCISES[row.exercise].title}: {row.status}"
        print(line if row.status == "right" else f"{line} — {row.feedback}")
    failed = ~checked["status"].isin(["right", "not available"])
    counts = checked["status"].value_counts()
    print(f"{len(checked)} checks: {counts.get('right', 0)} right, {counts.get('not available', 0)} not "
          f"available on this data, {int(failed.sum())} failed",
          file=sys.stderr if failed.any() else sys.stdout)
    return 1 if failed.any() else 0
