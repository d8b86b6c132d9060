"""Chart titles that say whose chart it is: a segment's charts name the segment (D239).

A screenshot of a chart drawn for a segment ("clinic == 'Derm' and source == 'GP'") is read
without the notebook around it, so the segment goes into the title itself, on a line of its own
under the chart's own title, shortened between words when long.
"""

from __future__ import annotations

import functools
import inspect
import types

__all__ = ["SEGMENT_CHARS", "segment_line", "name_segment", "for_segment"]

#: Longest segment rule a title line shows whole; longer ones are cut between words with "…".
SEGMENT_CHARS = 48


def segment_line(segment: str, *, limit: int = SEGMENT_CHARS) -> str:
    """The title line naming ``segment``, cut between words with "…" when longer than ``limit``.

    Parameters
    ----------
    segment : str
        The segment's rule, as the notebook's ``segment`` parameter gives it.
    limit : int, default :data:`SEGMENT_CHARS`
        Longest rule shown whole (spaces run together first).

    Returns
    -------
    str
        ``"Segment: <rule>"``; empty when there is no segment.

    Examples
    --------
    >>> segment_line('clinic == "Derm" and source == "GP"')
    'Segment: clinic == "Derm" and source == "GP"'
    >>> segment_line('age < 30 and region in ["north", "south"] and plan == "premium"')
    'Segment: age < 30 and region in ["north", "south"] and…'
    >>> segment_line("")
    ''
    """
    rule = " ".join(str(segment or "").split())
    if not rule:
        return ""
    if len(rule) > limit:
        cut = rule[: limit - 1].rsplit(" ", 1)[0] if " " in rule[: limit - 1] else rule[: limit - 1]
        rule = cut.rstrip(" ,;") + "…"
    return f"Segment: {rule}"


def name_segment(chart, segment: str):
    """``chart`` (a copy) whose title names ``segment`` on a line of its own under its title.

    Parameters
    ----------
    chart : altair chart
        Any top-level chart (single, layered or concatenated); its title may be text, lines or
        a ``TitleParams`` (kept, with the segment's line added).
    segment : str
        The segment's rule; empty: ``chart`` as it is.

    Returns
    -------
    altair chart

    Examples
    --------
    >>> import altair as alt
    >>> c = alt.Chart(alt.Data(values=[{"a": 1}])).mark_bar().encode(x="a:Q").properties(title="How far")
    >>> name_segment(c, 'clinic == "Derm"').to_dict()["title"]
    {'text': ['How far', 'Segment: clinic == "Derm"']}
    >>> name_segment(c, "") is c
    True
    """
    import altair as alt

    line = segment_line(segment)
    if not line:
        return chart
    title = chart.title
    params = title.to_dict() if isinstance(title, alt.TitleParams) else {}
    text = params.pop("text", title if isinstance(title, (str, list)) else "")
    lines = [*([text] if isinstance(text, str) else text)]
    return chart.properties(title=alt.TitleParams(text=[t for t in lines if t] + [line], **params))


def for_segment(charts, segment: str):
    """Chart functions whose charts name ``segment`` in their title (:func:`name_segment`).

    Parameters
    ----------
    charts : callable or module
        A chart function, or a chart module (each ``*_chart`` function of its ``__all__`` is
        wrapped; its other names, such as parts of a chart, are kept as they are).
    segment : str
        The segment's rule; empty: ``charts`` as they are.

    Returns
    -------
    callable or types.SimpleNamespace
        The function wrapped, or a namespace of the module's names with its functions wrapped.

    Examples
    --------
    >>> from jmtools.charts import funnels
    >>> import pandas as pd
    >>> f = pd.DataFrame({"step": ["Visit", "Buy"], "step_index": [1, 2], "share": [0.5, 0.5],
    ...                   "ci_low": [0.4, 0.4], "ci_high": [0.6, 0.6], "n": [5, 5], "n_customers": [10, 10]})
    >>> for_segment(funnels, "age < 30").furthest_stage_chart(f).to_dict()["title"]["text"]
    ['How far customers get', 'Segment: age < 30']
    """
    if not segment:
        return charts
    if isinstance(charts, types.ModuleType):
        return types.SimpleNamespace(**{n: for_segment(getattr(charts, n), segment)
                                        if inspect.isfunction(getattr(charts, n)) and n.endswith("_chart")
                                        else getattr(charts, n) for n in charts.__all__})

    @functools.wraps(charts)
    def drawn(*args, **kwargs):
        return name_segment(charts(*args, **kwargs), segment)
    return drawn
