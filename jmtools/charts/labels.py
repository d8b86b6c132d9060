"""Long names beside bars, and a value axis that fits its data: shared by the ranked bar charts.

A pain point's title is a sentence ("Returns need a printed label and refunds are slow"). Drawn
on one line it either pushes the bars off a 360 px phone or is cut by the axis's label limit.
:func:`wrapped_labels` breaks each name over a few short lines (a Vega label expression, so the
data keeps the full name for the tooltip); :func:`nice_top` ends the value axis at the next
round number above the longest bar, never at twice it.
"""

from __future__ import annotations

import json
import math
import textwrap
from typing import Iterable

__all__ = ["wrapped_labels", "nice_top", "drawn_apart", "apart_offsets", "APART_PX", "LABEL_CHARS", "LABEL_LINES", "LABEL_PX"]

#: How far apart (px, across and down) :func:`drawn_apart` draws points that share a place.
APART_PX = 13

#: Characters per line of a wrapped name, lines at most, and the axis's label limit in px (11 px
#: text): a name column of about 150 px, so the bars keep most of a 360 px phone's width.
LABEL_CHARS, LABEL_LINES, LABEL_PX = 24, 3, 156


def wrapped_labels(items: Iterable, *, chars: int = LABEL_CHARS, lines: int = LABEL_LINES) -> tuple[str, int]:
    """A Vega label expression drawing each name on at most ``lines`` lines of ``chars``.

    Lines break between words (never inside "post-purchase"); a name longer than ``lines``
    lines ends in " …" on its last line, so the full name must be in the tooltip and table.

    Returns
    -------
    (str, int)
        The ``labelExpr`` and the most lines any name takes (to size the rows).

    Examples
    --------
    >>> expr, n = wrapped_labels(["#3 Customers felt worse, complaints at post-purchase"])
    >>> expr
    '{"#3 Customers felt worse, complaints at post-purchase": ["#3 Customers felt worse,", "complaints at", "post-purchase"]}[datum.label] || datum.label'
    >>> n
    3
    >>> wrapped_labels(["a " * 40], chars=10, lines=2)[0]
    '{"a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a a ": ["a a a a a", "a a a a …"]}[datum.label] || datum.label'
    """
    wrapped = {}
    for item in items:
        text = str(item)
        parts = textwrap.wrap(text, chars, break_on_hyphens=False) or [text]
        if len(parts) > lines:
            parts = parts[:lines - 1] + [textwrap.shorten(" ".join(parts[lines - 1:]), chars,
                                                          placeholder=" …")]
        wrapped[text] = parts
    most = max((len(v) for v in wrapped.values()), default=1)
    return f"{json.dumps(wrapped, ensure_ascii=False)}[datum.label] || datum.label", most


def nice_top(value: float, *, ticks: int = 4) -> float:
    """The end of a value axis from 0: the smallest round step (1, 2, 2.5 or 5 × 10^k) that
    covers ``value`` in at most ``ticks + 1`` steps, times the steps needed; 1 when there is
    nothing to show.

    Examples
    --------
    >>> nice_top(3.27), nice_top(3.0), nice_top(0.98), nice_top(456), nice_top(0)
    (4.0, 3.0, 1.0, 500.0, 1.0)
    """
    if not value > 0 or not math.isfinite(value):
        return 1.0
    power = 10.0 ** math.floor(math.log10(value / (ticks + 1)))
    for step in (m * power * 10 ** k for k in range(3) for m in (1, 2, 2.5, 5)):
        steps = math.ceil(value / step - 1e-9)
        if steps <= ticks + 1:
            return float(round(steps * step, 12))
    return float(value)


def drawn_apart(frame, x: str, y: str, label: str, *, what: str | None = None, px: float = APART_PX):
    """Pixel offsets that draw points sharing one ``(x, y)`` a little apart, and words saying so.

    Points at one place are spread along the diagonal (down and right) in the frame's row order,
    ``px`` apart, centred on the place: scale values stay true (the offset is in screen pixels,
    a mark's ``xOffset``/``yOffset``), so a tooltip still gives each point's own values.

    Returns
    -------
    tuple of (pandas.Series, list of str)
        The offset of each row (0 for a point alone) and, per row, "a little apart from …, which
        has the same {what}" naming the others by ``label`` (or "at its {what}"; ``what``
        defaults to "x and y" by the column names).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"i": [2, 2, 1], "e": [2, 2, 1], "name": ["#1", "#2", "#3"]})
    >>> shift, words = drawn_apart(f, "e", "i", "name", what="impact and effort")
    >>> shift.tolist(), words[0], words[2]
    ([-6.5, 6.5, 0.0], 'a little apart from #2, which has the same impact and effort', 'at its impact and effort')
    """
    import pandas as pd

    keys = list(zip(frame[x], frame[y]))
    at: dict = {}                               # the labels at each place, in row order
    for name, key in zip(frame[label], keys):
        at.setdefault(key, []).append(name)
    seen: dict = {}
    shift = []
    for key in keys:
        seen[key] = seen.get(key, -1) + 1
        shift.append((seen[key] - (len(at[key]) - 1) / 2) * px)
    what, words = what or f"{x} and {y}", []
    for name, key in zip(frame[label], keys):
        others = [str(o) for o in at[key] if o != name]
        words.append(f"a little apart from {', '.join(others)}, which {'has' if len(others) == 1 else 'have'} "
                     f"the same {what}" if others else f"at its {what}")
    return pd.Series(shift, index=frame.index, dtype=float), words


def apart_offsets() -> dict:
    """The mark properties that draw each point at its :func:`drawn_apart` offset, read from the
    data's ``dx`` and ``dy`` columns (pixels).

    Examples
    --------
    >>> apart_offsets()["xOffset"].to_dict()
    {'expr': 'datum.dx'}
    """
    import altair as alt

    return {"xOffset": alt.ExprRef("datum.dx"), "yOffset": alt.ExprRef("datum.dy")}
