"""Charts of step 7: what changed between two groups, and KPIs over report runs.

:func:`comparison_chart` draws a comparison table (:func:`jmtools.analyses.compare.compare`)
as differences with their 95% intervals, one panel per measure (each in its own units),
coloured by verdict. :func:`kpi_control_chart` draws one KPI series of
:func:`jmtools.analyses.history.control_chart`: the points, the centre line and the limits
from the baseline window (shaded), and the points that break a runs rule.
"""

from __future__ import annotations

from jmtools.analyses.compare import VERDICTS
from jmtools.charts._frames import require_columns
from jmtools.charts.labels import LABEL_PX, wrapped_labels
from jmtools.charts.theme import PALETTE, use_theme
from jmtools.core.errors import DataError, ParameterError, Problem
from jmtools.core.vocabulary import ALL

__all__ = ["VERDICT_COLORS", "comparison_chart", "kpi_control_chart"]

#: Colour of each verdict: green improved, vermilion worse, orange could be chance, greys.
VERDICT_COLORS = dict(zip(VERDICTS, [PALETTE[2], PALETTE[5], PALETTE[1], "#8c8c8c", "#c8c8c8"]))
_UNITS = {"conversion": ("difference (points)", 100.0), "time": ("difference of medians (h)", 1.0),
          "csat": ("difference of means (CSAT)", 1.0), "nps": ("difference (NPS points)", 1.0),
          "ces": ("difference of means (CES; lower is easier)", 1.0),
          "emotion": ("difference of means (−2..+2)", 1.0)}


def comparison_chart(table, *, persona: str = ALL, measures=None, too_few: bool = False,
                     title: str = "What changed, with 95% intervals"):
    """Differences between the two groups, with 95% intervals, one panel per measure.

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`jmtools.analyses.compare.compare`.
    persona : str, default "all"
        Whose rows to draw.
    measures : list of str, optional
        Which measures (default: those in the table).
    too_few : bool, default False
        Also draw rows with too few customers to compare (their wide intervals squash the
        other rows; the table lists them).

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"measure": ["conversion"], "persona": ["all"], "label": ["conversion A → B"],
    ...                   "n_a": [300], "n_b": [310], "value_a": [0.3], "value_b": [0.4], "diff": [0.1],
    ...                   "ci_low": [0.03], "ci_high": [0.17], "q_value": [0.01],
    ...                   "verdict": ["improved, likely real"], "text": ["improved"]})
    >>> comparison_chart(t).to_dict()["vconcat"][0]["layer"][1]["mark"]["type"]
    'point'
    """
    import altair as alt

    use_theme()
    require_columns(table, ["measure", "persona", "label", "n_a", "n_b", "diff", "ci_low", "ci_high",
                            "verdict", "text"], "comparison", "pass jmtools.analyses.compare.compare(...)")
    personas = list(dict.fromkeys(table["persona"]))
    if persona not in personas:
        raise ParameterError("persona", persona, expected=personas)
    rows = table[(table["persona"] == persona) & (too_few | (table["verdict"] != "too few"))]
    wanted = list(dict.fromkeys(rows["measure"])) if measures is None else list(measures)
    unknown = [m for m in wanted if m not in set(rows["measure"])]
    if unknown:
        raise ParameterError("measures", unknown[0], expected=list(dict.fromkeys(rows["measure"])))
    panels = []
    for measure in wanted:
        data = rows[rows["measure"] == measure]
        title_x, scale = _UNITS.get(measure, ("difference", 1.0))
        data = data.assign(shown=data["diff"] * scale, low=data["ci_low"] * scale,
                           high=data["ci_high"] * scale)
        panels.append(_panel(alt, data, title_x))
    if not panels:
        raise DataError([Problem(f"no rows for {persona!r}", fix="choose another persona")])
    return alt.vconcat(*panels).resolve_scale(color="shared").properties(title=title)


def _panel(alt, data, title_x: str):
    order = list(dict.fromkeys(data["label"]))
    tips = [alt.Tooltip("label:N", title="measure"), alt.Tooltip("n_a:Q", title="n before", format=","),
            alt.Tooltip("n_b:Q", title="n after", format=","), alt.Tooltip("shown:Q", title="difference",
                                                                            format="+.2f"),
            alt.Tooltip("low:Q", title="95% CI low", format="+.2f"),
            alt.Tooltip("high:Q", title="95% CI high", format="+.2f"), alt.Tooltip("verdict:N")]
    colour = alt.Color("verdict:N", title="verdict", sort=list(VERDICTS),
                       legend=alt.Legend(orient="bottom", columns=2),       # not beside: a phone's width
                       scale=alt.Scale(domain=list(VERDICTS), range=list(VERDICT_COLORS.values())))
    # names over a few short lines (the tooltip keeps them whole): one line each took ~230 px of a
    # phone's 390
    expr, lines = wrapped_labels(order)
    base = alt.Chart(data).encode(y=alt.Y("label:N", sort=order, title=None,
                                          axis=alt.Axis(labelExpr=expr, labelLimit=LABEL_PX)))
    rule = base.mark_rule(strokeWidth=2).encode(x=alt.X("low:Q", title=title_x), x2="high:Q",
                                                color=colour, tooltip=tips)
    point = base.mark_point(filled=True, size=70).encode(x="shown:Q", color=colour, tooltip=tips)
    zero = alt.Chart(data.iloc[:1]).mark_rule(color="#555", strokeDash=[4, 3]).encode(x=alt.datum(0))
    return alt.layer(zero, point, rule).properties(height=alt.Step(22 if lines < 2 else 12 * lines + 8), width=420)


def kpi_control_chart(chart, *, report: str | None = None, figure: str | None = None,
                      title: str | None = None, label: str | None = None):
    """One KPI over report runs: points, centre line, control limits, signals.

    Parameters
    ----------
    chart : pandas.DataFrame
        :func:`jmtools.analyses.history.control_chart`.
    report, figure : str, optional
        The series to draw (needed when the frame holds several).
    title : str, optional
        The chart's title (default: the figure's label, the report and how to read it).
    label : str, optional
        How readers name the figure (e.g. "Reached Decision"); default: its key.

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.analyses.history import control_chart
    >>> h = pd.DataFrame({"run_id": [f"r{i:02d}" for i in range(12)], "report": "all",
    ...                   "figure": "nps", "value": [30, 32, 29, 31, 30, 33, 31, 30, 45, 46, 44, 47]})
    >>> spec = kpi_control_chart(control_chart(h)).to_dict()
    >>> [layer["mark"]["type"] for layer in spec["layer"]]
    ['rect', 'rule', 'rule', 'line', 'point']
    """
    import altair as alt

    use_theme()
    require_columns(chart, ["report", "figure", "run_index", "run_id", "value", "baseline", "centre",
                            "lcl", "ucl", "rules", "signal"], "control chart",
                    "pass jmtools.analyses.history.control_chart(...)")
    data = chart
    for name, value in (("report", report), ("figure", figure)):
        if value is not None:
            known = list(dict.fromkeys(data[name]))
            if value not in known:
                raise ParameterError(name, value, expected=known)
            data = data[data[name] == value]
    series = data[["report", "figure"]].drop_duplicates()
    if len(series) != 1:
        raise ParameterError("figure", figure, expected=[f"{r} · {f}" for r, f in series.values],
                             fix="pass report= and figure= to choose one series")
    rep, fig = series.iloc[0]
    fig = label or fig
    data = data.assign(state=data["signal"].map({True: "signal", False: "in control"}),
                       rules=data["rules"].where(data["rules"] != "", "–"))
    base_runs = data[data["baseline"]]
    window = base_runs.iloc[[0]].assign(end=base_runs["run_index"].iloc[-1])
    x = alt.X("run_index:Q", title="report run", axis=alt.Axis(tickMinStep=1))
    band = alt.Chart(window).mark_rect(color="#e8ecf1", opacity=0.7).encode(x="run_index:Q", x2="end:Q")
    limits = alt.Chart(data.iloc[[0]]).transform_fold(["lcl", "ucl"], as_=["limit", "at"])
    limit_rule = limits.mark_rule(color=PALETTE[5], strokeDash=[5, 4]).encode(y="at:Q")
    centre = alt.Chart(data.iloc[[0]]).mark_rule(color="#555").encode(y="centre:Q")
    tips = [alt.Tooltip("run_id:N", title="run"), alt.Tooltip("value:Q", format=",.3g"),
            alt.Tooltip("n:Q", format=","), alt.Tooltip("rules:N", title="rules broken")]
    line = alt.Chart(data).mark_line(color="#9aa5b1").encode(x=x, y=alt.Y("value:Q", title=fig,
                                                                           scale=alt.Scale(zero=False)))
    points = alt.Chart(data).mark_point(filled=True, size=60).encode(
        x=x, y="value:Q", tooltip=tips,
        color=alt.Color("state:N", title=None, scale=alt.Scale(domain=["in control", "signal"],
                                                               range=[PALETTE[0], PALETTE[5]])))
    return alt.layer(band, limit_rule, centre, line, points).properties(
        title=title or f"{fig} · {rep}: control chart (limits from the shaded baseline runs)", width=480)
