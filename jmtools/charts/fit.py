"""Charts a notebook draws no wider than its output (D201).

A chart marked here keeps its width where its notebook output is wider, and narrows (its text
keeping its size) where the output is narrower: a JupyterLab window of 400 px, or a panel beside
another. The mark travels in the chart's ``usermeta``; :func:`jmtools.render.notebook.fitted`
sizes the compiled chart, and the offline report, which sizes charts to its page itself,
ignores it. No side effects on import (the renderer imports this module while Altair loads it).
"""

from __future__ import annotations

__all__ = ["FIT", "fit_to_output"]

#: ``usermeta`` key of a chart drawn no wider than its notebook output.
FIT = "jmtools_fit"


def fit_to_output(chart):
    """``chart`` marked to be drawn, in a notebook, no wider than its output.

    Examples
    --------
    >>> import altair as alt
    >>> chart = alt.Chart(alt.Data(values=[{"a": 1}])).mark_bar().encode(x="a:Q").properties(usermeta={"k": 1})
    >>> fit_to_output(chart).to_dict()["usermeta"]
    {'k': 1, 'jmtools_fit': True}
    """
    meta = chart.usermeta if isinstance(chart.usermeta, dict) else {}
    return chart.properties(usermeta=dict(meta, **{FIT: True}))

