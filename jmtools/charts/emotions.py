"""Charts of the emotional journey: the emotion curve and the sentiment trend.

Both take the frames of :mod:`jmtools.analyses.emotions` and return Altair charts
(never displayed here). The emotion axis always spans
:data:`jmtools.core.metrics.EMOTION_DOMAIN`, stages follow journey order, and every
point says in its tooltip how many pieces of evidence it rests on.
"""

from __future__ import annotations

import textwrap
from typing import Sequence

import numpy as np
import pandas as pd

from jmtools.analyses.emotions import from_behaviour
from jmtools.charts._frames import require_columns
from jmtools.charts.theme import ALL_CUSTOMERS_COLOR, PALETTE, PERSONA_PALETTE, use_theme
from jmtools.core.errors import DataError, ParameterError, Problem
from jmtools.core.metrics import EMOTION_DOMAIN
from jmtools.core.vocabulary import ALL_TITLE

__all__ = ["emotion_curve_chart", "assumed_curve_chart", "emotion_curve_panels", "sentiment_trend_chart"]

_ALL = "all"
_ALL_LABEL = ALL_TITLE
_Y_LABELS = ("datum.value == 2 ? '+2 very positive' : datum.value == 1 ? '+1' : "
             "datum.value == 0 ? '0 neutral' : datum.value == -1 ? '−1' : "
             "datum.value == -2 ? '−2 very negative' : ''")
#: A curve measured from behaviour only is friction, 0 at best (D194); above 0 only an assumption.
_FRICTION_LABELS = ("datum.value == 2 ? '+2 assumed' : datum.value == 1 ? '+1' : datum.value == 0 ? "
                    "'0 no friction' : datum.value == -1 ? '−1' : datum.value == -2 ? '−2 most friction' : ''")


def _y(title="Emotion (−2 to +2)", friction: bool = False, assumed: bool = True):
    """The emotion axis; with ``friction`` and no assumed line drawn (the trend), only 0 to −2."""
    import altair as alt

    top = EMOTION_DOMAIN[1] if assumed or not friction else 0.25
    return alt.Scale(domain=[EMOTION_DOMAIN[0], top], nice=False, clamp=True), alt.Axis(
        title="Friction from behaviour (0 to −2)" if friction else title,
        values=[v for v in (-2, -1, 0, 1, 2) if v <= top], labelExpr=_FRICTION_LABELS if friction else _Y_LABELS,
        grid=True)


def _friction(curve: pd.DataFrame) -> bool:
    """Every measured point of the curve is from behaviour only: friction, never a feeling."""
    seen = curve["n"].fillna(0) > 0
    return bool(seen.any()) and bool(from_behaviour(curve)[seen].all())


def _wrapped_labels(stages: Sequence[str], width: int) -> str | None:
    """A Vega label expression that breaks long stage names over lines to fit ``width``."""
    import json
    import textwrap

    chars = max(8, int(width / max(len(stages), 1) / 6.5))
    lines = {s: textwrap.wrap(s, chars, break_long_words=False) or [s] for s in stages}
    if all(len(v) == 1 for v in lines.values()):
        return None
    return f"{json.dumps(lines, ensure_ascii=False)}[datum.label] || datum.label"


def _stage_axis(stages: Sequence[str], width: int):
    """The stage axis: long names wrapped, and turned aslant on one line when the drawn width (a
    report draws charts at its page's width, down to a phone's) leaves each stage less room than
    its longest word (wrapped names turned aslant ran into their neighbours)."""
    import altair as alt

    wrap = _wrapped_labels(stages, width)
    longest = max((len(w) for s in stages for w in str(s).split()), default=1) * 6.5
    narrow = f"width / {max(len(stages), 1)} < {longest:.0f}"
    return alt.Axis(labelAngle=alt.ExprRef(expr=f"{narrow} ? -40 : 0"),
                    labelAlign=alt.ExprRef(expr=f"{narrow} ? 'right' : 'center'"),
                    labelLimit=200, **({"labelExpr": f"{narrow} ? datum.label : ({wrap})"} if wrap else {}))


def _label(persona: str) -> str:
    return _ALL_LABEL if persona == _ALL else str(persona)


def _colour_scale(present: list[str], shown: list[str] | None = None):
    """Colours of the ``shown`` curves, fixed by each persona's place among all ``present``:
    "All customers" dark grey, personas the theme's palette in order."""
    import altair as alt

    others = iter(PERSONA_PALETTE * 3)
    colours = {p: ALL_CUSTOMERS_COLOR if p == _ALL else next(others) for p in present}
    shown = present if shown is None else shown
    return alt.Scale(domain=[_label(p) for p in shown], range=[colours[p] for p in shown])


def _curve_data(curve, assumed, personas, measured="measured from evidence"):
    stages = [str(s) for s in curve["stage"].cat.categories]
    pts = curve[curve["persona"].isin(personas)].copy()
    pts["who"] = pts["persona"].map(_label)
    pts["stage"] = pts["stage"].astype(str)
    pts["curve"] = measured
    pts["ci_text"] = [f"{lo:+.2f} to {hi:+.2f}" if pd.notna(lo) else "—"
                      for lo, hi in zip(pts["ci_low"], pts["ci_high"])]
    pts["enough"] = pts["low_evidence"].map({True: "no — fewer than min_n", False: "yes"})
    lines = [pts[["who", "stage", "valence", "curve"]]]
    if assumed is not None:
        a = assumed[assumed["persona"].isin(personas)].dropna(subset=["valence"]).copy()
        a = a.assign(who=a["persona"].map(_label), stage=a["stage"].astype(str),
                     curve="assumed in the workshop")
        lines.append(a[["who", "stage", "valence", "curve"]])
    return stages, pts, pd.concat(lines, ignore_index=True)


def _moment_data(moments, personas, height, pts, stages, width):
    m = moments[moments["persona"].isin(personas)].copy()
    m["who"] = m["persona"].map(_label)
    m["stage"] = m["stage"].astype(str)
    agg = _rings(m)
    agg["below"] = agg["kind"].str.contains("lowest|drop")
    drawn, dots = pts[pts["n"] > 0], {}
    for stage, v in zip(drawn["stage"], drawn["valence"]):   # the dots at each stage
        dots.setdefault(stage, []).append(v)
    agg["shown"] = _first_of_shared(agg, height)
    agg["label_y"] = float("nan")
    agg.loc[agg["shown"], "label_y"] = _label_positions(agg[agg["shown"]], height, dots, stages, width)
    return agg


def _first_of_shared(agg: pd.DataFrame, height: int) -> list[bool]:
    """Which rings print their label: not a second curve's ring at the same stage with the same
    moments, close enough to share the first one's ring ("lowest · sharpest drop · end" was printed
    twice, once per curve, at 1280 px; D235). Its tooltip still names it."""
    near = 24 / (height / (EMOTION_DOMAIN[1] - EMOTION_DOMAIN[0]))      # a ring's radius, in emotion units
    kept: dict = {}
    shown = []
    for stage, kind, v in zip(agg["stage"], agg["kind"], agg["valence"]):
        first = kept.setdefault((stage, kind), [])
        shown.append(not any(abs(v - other) < near for other in first))
        first.append(v)
    return shown


def _rings(m: pd.DataFrame) -> pd.DataFrame:
    """One ring per curve point: the moments there, their kinds and explanations joined."""
    rings: dict = {}
    for who, stage, v, kind, text in zip(m["who"], m["stage"], m["valence"], m["kind"],
                                         m["explanation"]):
        ring = rings.setdefault((who, stage), [who, stage, float("nan"), [], []])
        ring[2] = v if pd.isna(ring[2]) else ring[2]          # the first valence given
        ring[3].append(kind)
        ring[4].append(text)
    return pd.DataFrame([(w, s, v, " · ".join(k), " ".join(e)) for w, s, v, k, e in rings.values()],
                        columns=["who", "stage", "valence", "kind", "explanation"])


#: The plot width a moment's label is placed for: a report draws a chart at its page's width,
#: down to a phone's (about this much plot); labels clear of each other there are clear wider too.
_NARROW_PLOT_PX = 280


def _label_positions(agg: pd.DataFrame, height: int, dots: dict, stages: Sequence[str],
                     width: int) -> list[float]:
    """Label heights in emotion units: clear of rings, dots and each other, also of the labels at
    nearby stages that the text would run into at a phone's width ("sharpest drop" at one stage
    and "lowest" at the next were printed over each other)."""
    unit_px = height / (EMOTION_DOMAIN[1] - EMOTION_DOMAIN[0])
    gap, clear = 13 / unit_px, 24 / unit_px          # one text line; a ring's radius
    step_px = min(width, _NARROW_PLOT_PX) / max(len(stages), 1)
    where = {str(s): i for i, s in enumerate(stages)}
    y, placed = pd.Series(0.0, index=agg.index), []   # placed: (below, x px, half width px, y)
    order = sorted(agg.index, key=lambda i: (bool(agg.at[i, "below"]), agg.at[i, "valence"]
                                             * (-1 if agg.at[i, "below"] else 1)))
    for i in order:                                   # from the curve outwards, each side
        below, v, stage = bool(agg.at[i, "below"]), agg.at[i, "valence"], agg.at[i, "stage"]
        x, half = where.get(stage, 0) * step_px, len(str(agg.at[i, "kind"])) * 3.3
        side = -1 if below else 1
        pos = v + side * clear
        for _ in range(2 * len(agg) + 2):             # until nothing is in the way
            moved = pos
            for b, other_x, other_half, other_y in placed:
                if b == below and abs(x - other_x) < half + other_half + 4 and abs(moved - other_y) < gap:
                    moved = other_y + side * gap
            for d in dots.get(stage, []):             # step past dots the label would cover
                if abs(moved - d) < clear * 0.75:
                    moved = d + side * clear * 0.75
            if moved == pos:
                break
            pos = moved
        placed.append((below, x, half, pos))
        y[i] = pos
    return y.tolist()


def emotion_curve_chart(curve: pd.DataFrame, *, assumed: pd.DataFrame | None = None,
                        moments: pd.DataFrame | None = None,
                        personas: Sequence[str] | None = None, title: str | None = None,
                        subtitle: Sequence[str] | None = None, labels: bool | None = None,
                        legend: Sequence[str] | None = None, width: int = 500,
                        height: int = 320):
    """The emotion curve: stages in journey order, −2..+2, interval band, n, assumed curve.

    Parameters
    ----------
    curve : pandas.DataFrame
        Stage-level output of :func:`jmtools.analyses.emotions.emotion_curve`.
    assumed : pandas.DataFrame, optional
        :func:`jmtools.analyses.valence.assumed_valence`; drawn dashed in the persona's colour.
    moments : pandas.DataFrame, optional
        :func:`jmtools.analyses.emotions.moments_of_truth`; marked with a ring and a label,
        explained in the tooltip.
    personas : sequence of str, optional
        Which curves to draw (``"all"`` is every customer); default every persona in ``curve``.
    title : str, optional
    subtitle : sequence of str, optional
        Lines under the title; default: how to read the chart.
    labels : bool, optional
        Print the kind of each moment of truth next to its ring; default only when
        at most two curves are drawn (with more, the rings and tooltips stay).
    legend : sequence of str, optional
        Personas listed in the colour legend; default those drawn. Charts shown
        together (e.g. in a concat) need the same list so their colours agree.
    width, height : int
        Size in pixels of the plot; with its axes, legends and subtitle (lines of at most
        :data:`SUBTITLE_CHARS`) the chart fits a JupyterLab output area beside the file browser.

    Returns
    -------
    altair.LayerChart
        Layers: zero line, 95% band, lines (solid measured, dashed assumed), points
        (area ∝ n, hollow when evidence is thin), "no evidence" marks, moments.

    Examples
    --------
    >>> curve = pd.DataFrame({"persona": "all", "stage": pd.Categorical(["A", "B"],
    ...     categories=["A", "B"], ordered=True), "valence": [1.0, -1.0], "n": [40, 3],
    ...     "n_customers": [38, 3], "ci_low": [0.7, -1.8], "ci_high": [1.3, 0.2],
    ...     "low_evidence": [False, True], "evidence": "reported", "sources": "feedback"})
    >>> spec = emotion_curve_chart(curve).to_dict()
    >>> spec["layer"][1]["encoding"]["y"]["scale"]["domain"]
    [-2.0, 2.0]
    """
    import altair as alt


    use_theme()
    present, personas = _checked_curve(curve, personas)
    friction = _friction(curve)
    measured = "measured from behaviour" if friction else "measured from evidence"
    stages, pts, lines = _curve_data(curve, assumed, personas, measured)
    listed = personas if legend is None else list(legend)
    colour = alt.Color("who:N", scale=_colour_scale(present, listed), legend=alt.Legend(
        title="Curve for", symbolType="stroke", symbolStrokeWidth=3, symbolOpacity=1))
    x = alt.X("stage:N", sort=stages, title="Stage (journey order)", axis=_stage_axis(stages, width))
    yscale, yaxis = _y(friction=friction)
    y = alt.Y("valence:Q", scale=yscale, axis=yaxis)
    unit = _unit_name(curve)
    zero = alt.Chart(pd.DataFrame({"valence": [0.0]})).mark_rule(
        color="#999999", strokeWidth=1).encode(y=y)
    band = alt.Chart(pts).mark_area(opacity=0.14, interpolate="monotone").encode(
        x=x, y=alt.Y("ci_low:Q", scale=yscale, axis=yaxis), y2=alt.Y2("ci_high:Q"), color=colour)
    line = alt.Chart(lines).mark_line(interpolate="monotone", strokeWidth=2.2).encode(
        x=x, y=y, color=colour, detail=alt.Detail("curve:N"),
        strokeDash=alt.StrokeDash("curve:N", title="Line", scale=alt.Scale(
            domain=[measured, "assumed in the workshop"], range=[[1, 0], [6, 4]])))
    why = np.where(pts["n"] == 0, "no evidence", "")
    if "suppressed" in pts:                          # fewer than 5 customers (jmtools.pipeline)
        why = np.where(pts["suppressed"].fillna(False).astype(bool), "hidden", why)
    empty = pts.assign(label=why)[why != ""].drop_duplicates("stage")
    upright = f"width / {max(len(stages), 1)} < 66"       # "no evidence" wider than a stage
    nothing = alt.Chart(empty.assign(y=EMOTION_DOMAIN[0] + 0.1)).mark_text(
        color="#777777", fontStyle="italic", fontSize=11,
        angle=alt.ExprRef(expr=f"{upright} ? 270 : 0"), align=alt.ExprRef(expr=f"{upright} ? 'left' : 'center'"),
        baseline=alt.ExprRef(expr=f"{upright} ? 'middle' : 'bottom'")).encode(
        x=x, y=alt.Y("y:Q", scale=yscale, axis=yaxis), text=alt.Text("label:N"))
    layers = [zero, band, line, _point_layer(pts, x, y, colour, present, listed, unit), nothing]
    if moments is not None and len(moments):
        show = labels if labels is not None else len(personas) <= 2
        m = _moment_data(moments, personas, height, pts, stages, width)
        layers += _moment_layers(m, x, y, colour, show, friction)
    return alt.layer(*layers).properties(
        width=width, height=height,
        title=alt.Title(title or ("Friction from behaviour vs the feeling assumed in the workshop" if friction else
                                  "Emotion curve: measured from evidence vs assumed in the workshop"),
                        subtitle=_wrapped(_subtitle(curve, unit) if subtitle is None else subtitle),
                        anchor="start")
    ).resolve_scale(color="shared")


def _checked_curve(curve: pd.DataFrame, personas) -> tuple[list, list]:
    """Refuse what the chart cannot draw; return (personas in the curve, personas to draw)."""
    if "touchpoint" in curve.columns:
        raise ParameterError("curve", "a touchpoint-level curve",
                             expected="a stage-level curve (emotion_curve(..., by='stage'))")
    require_columns(curve, ["persona", "stage", "valence", "n", "ci_low", "ci_high", "low_evidence"],
                    "curve", "pass the output of jmtools.analyses.emotions.emotion_curve(..., by='stage')")
    if not isinstance(curve["stage"].dtype, pd.CategoricalDtype):
        raise DataError([Problem("curve 'stage' must be an ordered categorical (journey order)",
                                 fix="pass the output of jmtools.analyses.emotions.emotion_curve",
                                 source="curve", column="stage")])
    present = list(dict.fromkeys(curve["persona"]))
    personas = present if personas is None else list(personas)
    for p in personas:
        if p not in present:
            raise ParameterError("personas", p, expected=present)
    return present, personas


def _unit_name(curve: pd.DataFrame) -> str:
    return {"customer": "customers", "evidence": "pieces of evidence"}.get(
        curve.attrs.get("unit"), "observations")


def _subtitle(curve: pd.DataFrame, unit: str) -> list[str]:
    min_n = curve.attrs.get("min_n")
    thin = f"n below {min_n}" if min_n else "too little evidence"
    stat = curve.attrs.get("statistic", "mean").capitalize()
    return [f"{stat} friction per stage from behaviour only (0 none seen … −2 most; no feeling is measured)."
            if _friction(curve) else f"{stat} emotion per stage from surveys, feedback text and behaviour "
            "(−2 very negative … +2 very positive).",
            f"Shaded band: 95% interval. Dot area: n ({unit}); hollow dot: {thin}.",
            "Dashed: the workshop's assumption. Red rings: moments of truth (why: in the tooltip and the moments table)."]


#: Characters per subtitle line: about 640 px of 12 px text, no wider than the chart with its legend.
SUBTITLE_CHARS = 110


def _wrapped(lines: Sequence[str], chars: int = SUBTITLE_CHARS) -> list[str]:
    """Subtitle lines broken between words at ``chars``: a line wider than the chart widened it
    past a notebook's output area, and was cut there.

    Examples
    --------
    >>> _wrapped(["Shaded band: 95% interval. Dot area: n (customers).", "Red rings."], chars=27)
    ['Shaded band: 95% interval.', 'Dot area: n (customers).', 'Red rings.']
    """
    return [part for line in lines for part in (textwrap.wrap(line, chars, break_on_hyphens=False) or [line])]


def _point_layer(pts, x, y, colour, present, shown, unit):
    import altair as alt

    tooltip = [alt.Tooltip("who:N", title="Curve for"), alt.Tooltip("stage:N", title="Stage"),
               alt.Tooltip("valence:Q", title="Emotion", format="+.2f"),
               alt.Tooltip("ci_text:N", title="95% interval"),
               alt.Tooltip("n:Q", title=f"n ({unit})"),
               alt.Tooltip("n_customers:Q", title="Customers"),
               alt.Tooltip("n_evidence:Q", title="Pieces of evidence"),
               alt.Tooltip("enough:N", title="Enough evidence?"),
               alt.Tooltip("evidence:N", title="Evidence label"),
               alt.Tooltip("sources:N", title="Sources")]
    tooltip = [t for t in tooltip if t.shorthand.split(":")[0] in pts.columns]
    return alt.Chart(pts).transform_filter("datum.n > 0").mark_point(filled=True, opacity=1).encode(
        x=x, y=y, tooltip=tooltip, color=colour,
        stroke=alt.Stroke("who:N", scale=_colour_scale(present, shown), legend=None),
        size=alt.Size("n:Q", title=f"n ({unit})", scale=alt.Scale(range=[60, 420], zero=True)),
        fillOpacity=alt.condition("datum.low_evidence", alt.value(0.0), alt.value(1.0)),
        shape=alt.ShapeValue("circle"), strokeWidth=alt.StrokeWidthValue(2))


def _moment_layers(m: pd.DataFrame, x, y, colour, labels: bool, friction: bool = False) -> list:
    import altair as alt

    base = alt.Chart(m).encode(x=x, y=y, tooltip=[
        alt.Tooltip("kind:N", title="Moment of truth"), alt.Tooltip("who:N", title="Curve for"),
        alt.Tooltip("explanation:N", title="Why")])
    rings = base.mark_point(shape="circle", size=700, filled=False, strokeWidth=1.5,
                            color="#b2182b", strokeDash=[3, 2])
    if not labels:
        return [rings]
    yscale, yaxis = _y(friction=friction)                  # the curve's own axis
    text = base.transform_filter("datum.shown").mark_text(fontSize=11, fontWeight="bold", baseline="middle").encode(
        y=alt.Y("label_y:Q", scale=yscale, axis=yaxis), text=alt.Text("kind:N"), color=colour)
    return [rings, text]


def assumed_curve_chart(assumed: pd.DataFrame, *, personas: Sequence[str] | None = None,
                        title: str | None = None, width: int = 560, height: int = 320):
    """The workshop's assumed emotion curve alone, for data with no evidence of emotion.

    Drawn dashed with square points and labelled *assumed* throughout, so it is never read
    as measured: the chart for a data folder without surveys, feedback or events.

    Parameters
    ----------
    assumed : pandas.DataFrame
        :func:`jmtools.analyses.valence.assumed_valence` (``persona``, ``stage`` as an ordered
        categorical, ``valence``).
    personas : sequence of str, optional
        Which curves to draw (``"all"``: the stage's number); default every persona in ``assumed``.
    title : str, optional
    width, height : int
        Size in pixels.

    Returns
    -------
    altair.LayerChart

    Examples
    --------
    >>> assumed = pd.DataFrame({"persona": "all", "valence": [1.0, -1.0],
    ...     "stage": pd.Categorical(["A", "B"], categories=["A", "B"], ordered=True)})
    >>> spec = assumed_curve_chart(assumed).to_dict()
    >>> spec["title"]["text"]
    'Emotion curve assumed in the workshop (not measured: no evidence in the data)'
    """
    import altair as alt

    use_theme()
    require_columns(assumed, ["persona", "stage", "valence"], "assumed",
                    "pass the output of jmtools.analyses.valence.assumed_valence(journey)")
    present = list(dict.fromkeys(assumed["persona"]))
    personas = present if personas is None else [p for p in personas if p in present]
    stages = [str(s) for s in (assumed["stage"].cat.categories
                               if isinstance(assumed["stage"].dtype, pd.CategoricalDtype)
                               else dict.fromkeys(assumed["stage"]))]
    data = assumed[assumed["persona"].isin(personas)].dropna(subset=["valence"])
    data = data.assign(who=data["persona"].map(_label), stage=data["stage"].astype(str),
                       curve="assumed in the workshop")
    x = alt.X("stage:N", sort=stages, scale=alt.Scale(domain=stages), title="Stage (journey order)",
              axis=_stage_axis(stages, width))
    yscale, yaxis = _y()
    colour = alt.Color("who:N", scale=_colour_scale(present, personas),
                       legend=alt.Legend(title="Assumed curve for", symbolType="stroke"))
    base = alt.Chart(data).encode(x=x, y=alt.Y("valence:Q", scale=yscale, axis=yaxis), color=colour,
                                  tooltip=[alt.Tooltip("who:N", title="Curve for"), "stage:N",
                                           alt.Tooltip("valence:Q", title="Assumed emotion",
                                                       format="+.1f"), alt.Tooltip("curve:N")])
    zero = alt.Chart(pd.DataFrame({"valence": [0.0]})).mark_rule(color="#999999").encode(
        y=alt.Y("valence:Q", scale=yscale, axis=yaxis))
    return alt.layer(zero, base.mark_line(strokeDash=[6, 4], strokeWidth=2.2, interpolate="monotone"),
                     base.mark_point(shape="square", filled=True, size=60)).properties(
        width=width, height=height, title=alt.Title(
            title or "Emotion curve assumed in the workshop (not measured: no evidence in the data)",
            subtitle=["Dashed: the emotion the team assumed at each stage (journey file, −2..+2).",
                      "Surveys, feedback or events in the data folder would add the measured curve."],
            anchor="start"))


def emotion_curve_panels(curve: pd.DataFrame, *, assumed: pd.DataFrame | None = None,
                         moments: pd.DataFrame | None = None,
                         personas: Sequence[str] | None = None, columns: int = 2,
                         width: int = 330, height: int = 210, title: str | None = None):
    """One small emotion curve per persona, each beside the all-customers curve.

    With several personas one chart gets crowded; these panels share the axes and
    colours of :func:`emotion_curve_chart` and label the persona's moments of truth.

    Parameters
    ----------
    curve, assumed, moments
        As for :func:`emotion_curve_chart`.
    personas : sequence of str, optional
        One panel each; default every persona of the curve except ``"all"``.
    columns : int, default 2
        Panels per row.
    width, height : int
        Size of each panel in pixels.
    title : str, optional

    Returns
    -------
    altair.ConcatChart

    Examples
    --------
    >>> curve = pd.DataFrame({"persona": ["all", "all", "Ben", "Ben"],
    ...     "stage": pd.Categorical(["A", "B"] * 2, categories=["A", "B"], ordered=True),
    ...     "valence": [0.5, 0.2, 1.0, -1.0], "n": [40, 40, 20, 20],
    ...     "ci_low": [0.3, 0.0, 0.6, -1.4], "ci_high": [0.7, 0.4, 1.4, -0.6],
    ...     "low_evidence": False, "n_customers": [40, 40, 20, 20], "n_evidence": [50, 50, 25, 25],
    ...     "evidence": "reported", "sources": "feedback"})
    >>> len(emotion_curve_panels(curve).to_dict()["concat"])
    1
    """
    import altair as alt

    present = list(dict.fromkeys(curve["persona"]))
    personas = [p for p in present if p != _ALL] if personas is None else list(personas)
    if not personas:
        raise ParameterError("personas", personas, expected=[p for p in present if p != _ALL])
    panels = [emotion_curve_chart(curve, assumed=assumed,
                                  moments=None if moments is None else
                                  moments[moments["persona"] == p],
                                  personas=[_ALL, p] if _ALL in present else [p], title=p,
                                  subtitle=[], labels=True, legend=present, width=width,
                                  height=height)
              for p in personas]
    unit_name = _unit_name(curve)
    return alt.concat(*panels, columns=columns).properties(title=alt.Title(
        title or "Emotion curve per persona, beside all customers (grey)",
        subtitle=[("Friction from behaviour: 0 none seen … −2 most (no feeling is measured)."
                   if _friction(curve) else "−2 very negative … +2 very positive.") + " Band: 95% interval; dot area: n "
                  f"({unit_name}); hollow: thin evidence; dashed: the workshop's assumption; "
                  "rings: moments of truth."], anchor="start"))


def sentiment_trend_chart(trend: pd.DataFrame, *, slopes: pd.DataFrame | None = None,
                          columns: int = 3, width: int = 220, height: int = 150,
                          title: str | None = None):
    """Sentiment over time, one small panel per stage (journey order), with 95% bands.

    Parameters
    ----------
    trend : pandas.DataFrame
        Output of :func:`jmtools.analyses.emotions.sentiment_trend`.
    slopes : pandas.DataFrame, optional
        Output of :func:`jmtools.analyses.emotions.trend_slopes`; each panel's title then
        says whether the stage is improving or worsening.
    columns : int, default 3
        Panels per row.
    width, height : int
        Size of each panel in pixels.
    title : str, optional

    Returns
    -------
    altair.FacetChart

    Examples
    --------
    >>> trend = pd.DataFrame({"persona": "all", "stage": pd.Categorical(["A", "A"],
    ...     categories=["A"], ordered=True), "period": pd.to_datetime(["2026-01-01", "2026-02-01"]),
    ...     "valence": [0.2, -0.4], "n": [30, 25], "ci_low": [0.0, -0.7], "ci_high": [0.4, -0.1],
    ...     "low_evidence": [False, False]})
    >>> spec = sentiment_trend_chart(trend).to_dict()
    >>> spec["facet"]["field"], spec["spec"]["layer"][2]["encoding"]["y"]["scale"]["domain"]
    ('panel', [-2.0, 2.0])
    """
    import altair as alt


    use_theme()
    require_columns(trend, ["stage", "period", "valence", "n", "ci_low", "ci_high", "low_evidence"],
                    "trend", "pass the output of jmtools.analyses.emotions.sentiment_trend")
    stages = [str(s) for s in trend["stage"].cat.categories]
    data = trend.assign(stage=trend["stage"].astype(str))
    names = {s: s for s in stages}
    if slopes is not None:
        for r in slopes.itertuples():
            if pd.notna(r.slope_per_month):
                names[str(r.stage)] = f"{r.stage} — {r.direction} ({r.slope_per_month:+.2f}/month)"
            else:
                names[str(r.stage)] = f"{r.stage} — {r.direction}"
    data["panel"] = data["stage"].map(names)
    data["ci_text"] = [f"{lo:+.2f} to {hi:+.2f}" if pd.notna(lo) else "—"
                       for lo, hi in zip(data["ci_low"], data["ci_high"])]
    friction = _friction(trend)       # behaviour only: friction, never a feeling (D194, D200)
    yscale, yaxis = _y("Emotion", friction=friction, assumed=False)  # no assumed line: 0 to −2
    x = alt.X("period:T", title=None, axis=alt.Axis(format="%b %Y", labelAngle=-40,
                                                    tickCount="month"))
    y = alt.Y("valence:Q", scale=yscale, axis=yaxis)
    base = alt.Chart().encode(x=x)
    zero = base.mark_rule(color="#999999").encode(y=alt.datum(0))
    band = base.mark_area(opacity=0.18, color=PALETTE[0]).encode(
        y=alt.Y("ci_low:Q", scale=yscale, axis=yaxis), y2="ci_high:Q")
    line = base.mark_line(color=PALETTE[0]).encode(y=y)
    points = base.transform_filter("datum.n > 0").mark_point(filled=True, color=PALETTE[0], stroke=PALETTE[0], strokeWidth=1.5).encode(
        y=y, size=alt.Size("n:Q", title=f"n ({_unit_name(trend)})",
                           scale=alt.Scale(range=[15, 200])),
        fillOpacity=alt.condition("datum.low_evidence", alt.value(0.0), alt.value(1.0)),
        tooltip=[alt.Tooltip("stage:N", title="Stage"),
                 alt.Tooltip("period:T", title="Month", format="%B %Y"),
                 alt.Tooltip("valence:Q", title="Friction (mean)" if friction else "Emotion (mean)",
                             format="+.2f"),
                 alt.Tooltip("ci_text:N", title="95% interval"), alt.Tooltip("n:Q", title="n")])
    persona = str(trend["persona"].iloc[0]) if "persona" in trend else _ALL
    return alt.layer(zero, band, line, points, data=data).properties(
        width=width, height=height).facet(
        facet=alt.Facet("panel:N", sort=[names[s] for s in stages], title=None,
                        header=alt.Header(labelFontWeight="bold", labelAnchor="start",
                                          labelLimit=width + 60)),
        columns=columns).properties(title=alt.Title(
            title or f"Is each stage getting better or worse? ({_label(persona)})",
            subtitle=[("Mean friction per month from behaviour only (0 none seen … −2 most; no feeling "
                       "is measured)" if friction else "Mean emotion per month (−2 very negative … +2 very "
                       "positive)") + "; band: 95% interval; dot area: n; hollow dot: little evidence; gaps: "
                      "no evidence."],
            anchor="start"))
