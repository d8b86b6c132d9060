"""What every section of the end-to-end report uses: showing an object, and saying which
table is missing (:mod:`jmtools.report.sections`, :mod:`jmtools.report.problem_sections`).

The sections show everything through :func:`display`, so a test reads what a section shows by
replacing that one function.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from jmtools.core.errors import ParameterError
from jmtools.render.notebook import kept_output
from jmtools.report.present import md
from jmtools.report.wording import listed
from jmtools.sources import TABLE_CONTENTS, missing_table

if TYPE_CHECKING:
    from jmtools.pipeline import Findings


def display(*objs) -> None:
    """Show ``objs`` in the notebook (IPython's ``display``); a chart whose compiled spec the
    kernel keeps is shown from it, not validated again (:func:`jmtools.render.notebook.kept_output`)."""
    from IPython.display import display as show

    for obj in objs:
        kept = kept_output(obj)
        if kept is None:
            show(obj)
        else:
            show(kept, raw=True)


def has(f: Findings, kind: str) -> bool:
    """Whether the data folder holds the table ``kind``."""
    return kind in f.world.tables


def missing(f: Findings, kind: str, fills: str, **options) -> bool:
    """Say which file would fill a section whose table is not in the folder; True when missing."""
    if has(f, kind):
        return False
    display(md("> {text}", text=missing_table(kind, fills=fills, **options)))
    return True


def table_list(kinds, last: str = "or") -> str:
    """The tables ``kinds`` in words ("events, surveys or feedback")."""
    return listed([TABLE_CONTENTS[k] for k in kinds], last)


def check_top_n(top_n) -> None:
    """The sections that list the top pain points, themes and opportunities refuse to list none."""
    if isinstance(top_n, bool) or not isinstance(top_n, int) or top_n < 1:
        raise ParameterError("top_n", top_n, expected="a whole number ≥ 1",
                             fix="pass e.g. 5 (the default): -p top_n 5")
