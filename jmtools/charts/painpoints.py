"""Charts of steps 5 and 6: ranked pain points, feedback themes, the priority matrix.

Each function takes the frames of :mod:`jmtools.analyses.painpoints`, :mod:`jmtools.analyses.themes` or
:mod:`jmtools.analyses.priorities` and returns an Altair chart; nothing is computed or displayed
here beyond formatting lists and dates as text for labels and tooltips.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from jmtools.analyses.priorities import MIN_FOR_QUADRANTS
from jmtools.core.errors import DataError, ParameterError, Problem, whole_number
from jmtools.charts._frames import require_columns
from jmtools.charts.labels import LABEL_PX, apart_offsets, drawn_apart, nice_top, wrapped_labels
from jmtools.charts.fit import fit_to_output
from jmtools.charts.theme import SEQUENTIAL, use_theme

__all__ = ["pain_points_chart", "themes_chart", "priority_matrix_chart", "SOURCE_COLORS",
           "QUADRANT_COLORS", "HIDDEN_COLOR", "EMPTY_COLOR"]

#: Colour per pain point source: measured evidence is saturated, assumptions are grey.
SOURCE_COLORS = {"journey file + detected": "#D55E00", "detected": "#E69F00",
                 "journey file": "#9E9E9E"}

#: Colour per impact–effort quadrant.
QUADRANT_COLORS = {"quick win": "#009E73", "big bet": "#0072B2", "fill-in": "#999999",
                   "money pit": "#D55E00"}

_WHICH = {"negative": "Negative feedback", "positive": "Positive feedback", "all": "Feedback"}


def _text(value, limit: int | None = None) -> str:
    if isinstance(value, (list, tuple)):
        value = "; ".join(map(str, value))
    elif isinstance(value, (dt.date, pd.Timestamp)):
        value = value.isoformat()[:10]
    elif value is None or (isinstance(value, float) and pd.isna(value)):
        value = ""
    value = str(value)
    return value if limit is None or len(value) <= limit else value[: limit - 1] + "…"


def _short(value, limit: int) -> str:
    return _text(value, limit)


def pain_points_chart(table: pd.DataFrame, *, top: int = 12, width: int = 420,
                      title: str = "Pain points, ranked by the strength of their evidence"):
    """Horizontal bars of the ranked pain points, with who is affected and why.

    Parameters
    ----------
    table : pandas.DataFrame
        :attr:`jmtools.analyses.painpoints.PainPoints.table`.
    top : int, default 12
        How many pain points to show (in rank order).
    width : int
        Width of the bar area in pixels.

    Returns
    -------
    altair.LayerChart
        Bars (score; colour = source: measured, detected only, or assumed in the journey
        file) on an axis that ends at the next round number above the longest, the affected
        personas written in a bar longer than half the axis or after a shorter one (cut at
        half the plot's width, so never beyond it), and a tooltip with the full name,
        the evidence numbers, themes and a masked quote. Names are wrapped on at most three
        lines (:func:`jmtools.charts.labels.wrapped_labels`), so the chart fits a 360 px phone.

    Examples
    --------
    >>> t = pd.DataFrame({"rank": [1], "pain_point_id": ["fees"], "title": ["Hidden fees"],
    ...     "stage": ["Decision"], "touchpoint": ["Checkout"], "source": ["detected"],
    ...     "score": [2.5], "signals": [["drop-off"]], "evidence": ["drop-off 60% (n=400)"],
    ...     "personas": [["Ben"]], "recurs": [False], "themes": [[]], "quotes": [["Too dear"]]})
    >>> pain_points_chart(t).to_dict()["layer"][0]["mark"]["type"]
    'bar'
    """
    import altair as alt

    require_columns(table, ["rank", "title", "stage", "source", "score", "personas", "evidence"],
                    "pain points table", "pass jmtools.analyses.painpoints.detect_pain_points(...).table")
    whole_number("top", top, fix="pass e.g. 12")
    use_theme()
    data = table.sort_values("rank").head(top)
    place = [f"{s} / {t}" if _text(t) else str(s) for s, t in zip(data["stage"],
                                                                   data.get("touchpoint", data["stage"]))]
    frame = pd.DataFrame({
        "label": [f"{r}. {_text(t)}" for r, t in zip(data["rank"], data["title"])],
        "score": data["score"].astype(float).to_numpy(),
        "source": data["source"].astype(str).to_numpy(),
        "place": place,
        "personas": [_text(p) or "—" for p in data["personas"]],
        "who": [(_short(", ".join(map(str, p)) if isinstance(p, (list, tuple)) else p, 48)
                 or "no persona stands out") + (" (recurs)" if r else "")
                for p, r in zip(data["personas"], data.get("recurs", [False] * len(data)))],
        "signals": [_text(s) for s in data.get("signals", [[]] * len(data))],
        "evidence": [_short(e, 300) for e in data["evidence"]],
        "themes": [_short(t, 160) for t in data.get("themes", [[]] * len(data))],
        "quote": [_short(q[0], 160) if isinstance(q, (list, tuple)) and q else ""
                  for q in data.get("quotes", [[]] * len(data))],
    })
    order = frame["label"].tolist()
    sources = [s for s in SOURCE_COLORS if s in set(frame["source"])] or list(SOURCE_COLORS)
    names, lines = wrapped_labels(order)
    base = alt.Chart(frame).encode(
        y=alt.Y("label:N", sort=order, title=None, axis=alt.Axis(labelLimit=LABEL_PX, labelExpr=names)))
    tooltip = [alt.Tooltip("label:N", title="Pain point"), alt.Tooltip("place:N", title="Where"),
               alt.Tooltip("score:Q", format=".2f", title="Score"),
               alt.Tooltip("source:N", title="Source"),
               alt.Tooltip("personas:N", title="Personas affected"),
               alt.Tooltip("signals:N", title="Signals"),
               alt.Tooltip("evidence:N", title="Evidence"),
               alt.Tooltip("themes:N", title="Feedback themes"),
               alt.Tooltip("quote:N", title="A customer said")]
    top = nice_top(float(frame["score"].max()))
    frame["inside"] = frame["score"] >= top / 2     # a long bar carries its personas inside
    bars = base.mark_bar(height={"band": 0.7}).encode(
        x=alt.X("score:Q", title=["Score: sum of effect sizes", "of the signals that count"],
                axis=alt.Axis(tickCount=5), scale=alt.Scale(domain=[0, top], nice=False)),
        color=alt.Color("source:N", title="Source",
                        scale=alt.Scale(domain=sources, range=[SOURCE_COLORS[s] for s in sources]),
                        legend=alt.Legend(orient="bottom", direction="horizontal")),
        tooltip=tooltip)
    half = alt.ExprRef(expr="width / 2 - 8")       # either way the words stay inside the plot
    inside = base.transform_filter("datum.inside").mark_text(
        align="left", dx=4, fontSize=11, color="white", limit=half).encode(
        x=alt.datum(0), text="who:N", tooltip=tooltip)
    outside = base.transform_filter("!datum.inside").mark_text(
        align="left", dx=4, fontSize=11, color="#444444", limit=half).encode(
        x="score:Q", text="who:N", tooltip=tooltip)
    return alt.layer(bars, inside, outside).properties(
        width=width, height=max(120, (26 if lines < 3 else 42) * len(frame)),
        title=alt.Title(title, subtitle="Beside each bar: the personas affected, most first; "
                        "(recurs) = two or more personas. Hover for the numbers with n and a quote"))


#: Fill of a heat-map cell or theme hidden because it counts too few customers.
HIDDEN_COLOR = "#d9d9d9"
#: Fill and outline of a heat-map cell with no text (0 customers): white, so that it is
#: told apart from small counts (pale blue) and from hidden cells (grey).
EMPTY_COLOR, EMPTY_STROKE = "white", "#c8c8c8"


def themes_chart(themes, *, counts: pd.DataFrame | None = None, dimension: str = "stage",
                 width: int = 300, title: str | None = None):
    """Theme overview: size of each theme, and where it is (stage, touchpoint or persona).

    Suppression is drawn, not done, here: pass the output of
    :func:`jmtools.report.quotes.disclosed_themes` (or ``jmtools.report.steps.show_themes_chart``,
    which also writes the note), whose themes and cells of too few customers carry
    ``suppressed``. A hidden theme gets no bar, only the word "hidden"; a hidden cell is grey
    with no number (never 0), and its tooltip says why.

    Parameters
    ----------
    themes : jmtools.analyses.themes.Themes or pandas.DataFrame
        The result of :func:`jmtools.analyses.themes.find_themes` (or its ``summary``, then pass
        ``counts``).
    counts : pandas.DataFrame, optional
        ``Themes.counts`` when ``themes`` is a summary frame.
    dimension : {"stage", "touchpoint", "persona"}, default "stage"
        Columns of the heat map.

    Returns
    -------
    altair.HConcatChart
        Left: texts per theme (labelled by its top terms); right: a heat map of the texts
        per theme and ``dimension`` (journey order kept), with the count in each cell,
        hidden cells in grey (:data:`HIDDEN_COLOR`) and empty cells white
        (:data:`EMPTY_COLOR`).

    Examples
    --------
    >>> summary = pd.DataFrame({"theme": [1], "label": ["hidden fees"], "n": [40],
    ...                         "share": [1.0], "top_terms": [["fees"]], "quotes": [["Ugh"]]})
    >>> counts = pd.DataFrame({"theme": [1, 1], "label": ["hidden fees"] * 2,
    ...     "dimension": ["stage"] * 2, "value": ["Decision", "Post"], "n": [38, None],
    ...     "n_value": [38, None], "share": [1.0, None], "suppressed": [False, True],
    ...     "hidden": ["", "fewer than 5 customers"]})
    >>> spec = themes_chart(summary, counts=counts).to_dict()
    >>> [layer["mark"]["type"] for layer in spec["hconcat"][1]["layer"]]
    ['rect', 'rect', 'text']
    """
    import altair as alt

    summary = themes.summary if hasattr(themes, "summary") else themes
    counts = themes.counts if hasattr(themes, "counts") else counts
    if counts is None:
        raise ParameterError("counts", None, expected="the Themes.counts frame",
                             fix="pass the Themes object, or counts=themes.counts")
    if dimension not in ("stage", "touchpoint", "persona"):
        raise ParameterError("dimension", dimension, expected=["stage", "touchpoint", "persona"])
    require_columns(summary, ["theme", "label", "n"], "themes summary", "pass find_themes(...)")
    cells = counts[counts["dimension"] == dimension]
    if cells.empty:
        raise DataError([Problem(f"the themes have no counts by {dimension}",
                                 fix=f"give the feedback a '{dimension}' column, or choose "
                                     "another dimension", source="themes")])
    use_theme()
    if title is None:
        title = ("What customers praise" if getattr(themes, "polarity", "") == "positive"
                 else "What customers complain about")
    names = {t: f"{t}. {_short(label, 44)}" for t, label in zip(summary["theme"], summary["label"])}
    order = [names[t] for t in summary.sort_values("theme")["theme"]]
    bars = _theme_bars(summary, names, order, width)
    heat = _theme_heat(cells, names, order, dimension)
    hidden = bool(_hidden(cells).any() or _hidden(summary).any())
    return alt.hconcat(bars, heat, spacing=6).resolve_scale(color="independent").properties(
        title=alt.Title(title, subtitle=f"{_WHICH.get(getattr(themes, 'polarity', ''), 'Feedback')} "
                        f"grouped by TF-IDF + NMF; texts per "
                        f"{dimension}" + (" (journey order)" if dimension == "stage" else "")
                        + ("; grey: hidden, too few customers" if hidden else "")))


def _hidden(frame: pd.DataFrame) -> pd.Series:
    """Rows suppressed for disclosure (all False when the frame was not suppressed)."""
    if "suppressed" not in frame:
        return pd.Series(False, index=frame.index)
    return frame["suppressed"].fillna(False).astype(bool)


def _theme_bars(summary: pd.DataFrame, names: dict, order: list, width: int):
    """Texts per theme; a hidden theme has no bar, only the word "hidden"."""
    import altair as alt

    left_data = pd.DataFrame({
        "theme": [names[t] for t in summary["theme"]], "n": summary["n"].astype(float).to_numpy(),
        "share": summary.get("share", pd.Series([None] * len(summary))).to_numpy(),
        "terms": [_text(t) for t in summary.get("top_terms", [[]] * len(summary))],
        "quote": [_short(q[0], 160) if isinstance(q, (list, tuple)) and q else ""
                  for q in summary.get("quotes", [[]] * len(summary))],
        "hidden": _hidden(summary).to_numpy()})
    y = alt.Y("theme:N", sort=order, title=None, axis=alt.Axis(labelLimit=300))
    size = dict(width=width * 0.6, height=max(120, 24 * len(order)))
    bars = alt.Chart(left_data[~left_data["hidden"]]).mark_bar().encode(
        y=y, x=alt.X("n:Q", title="Texts in the theme"),
        tooltip=[alt.Tooltip("theme:N", title="Theme"), alt.Tooltip("n:Q", title="Texts"),
                 alt.Tooltip("share:Q", format=".0%", title="Share of all texts, those in no theme too"),
                 alt.Tooltip("terms:N", title="Top terms"),
                 alt.Tooltip("quote:N", title="Most typical quote")])
    words = alt.Chart(left_data[left_data["hidden"]].assign(x=0.0, word="hidden")).mark_text(
        align="left", dx=3, fontSize=11, fontStyle="italic", color="#666666").encode(
        y=y, x="x:Q", text="word:N",
        tooltip=[alt.Tooltip("theme:N", title="Theme"), alt.Tooltip("word:N", title="Numbers")])
    return (bars + words).properties(**size)


def _theme_heat(cells: pd.DataFrame, names: dict, order: list, dimension: str):
    """Texts per theme × ``dimension``; hidden cells grey, without a number."""
    import altair as alt

    heat_data = pd.DataFrame({"theme": cells["theme"].map(names).to_numpy(),
                              "value": cells["value"].astype(str).to_numpy(),
                              "n": cells["n"].astype(float).to_numpy(),
                              "n_value": cells["n_value"].astype(float).to_numpy(),
                              "share": cells["share"].astype(float).to_numpy(),
                              "hidden": _hidden(cells).to_numpy(),
                              "why": (cells["hidden"] if "hidden" in cells else
                                      pd.Series("", index=cells.index)).fillna("").to_numpy()})
    columns = list(dict.fromkeys(heat_data["value"]))
    enc_y = alt.Y("theme:N", sort=order, title=None, axis=None)
    x = alt.X("value:N", sort=columns, title=dimension.capitalize(),
              axis=alt.Axis(labelAngle=-30, labelLimit=220))
    shown, hidden = heat_data[~heat_data["hidden"]], heat_data[heat_data["hidden"]]
    empty = "datum.n == 0"                  # nobody there: white with a faint outline, not palest blue
    rect = alt.Chart(shown).mark_rect().encode(
        x=x, y=enc_y,
        color=alt.condition(empty, alt.value(EMPTY_COLOR),
                            alt.Color("n:Q", title="Texts", scale=alt.Scale(scheme=SEQUENTIAL))),
        stroke=alt.condition(empty, alt.value(EMPTY_STROKE), alt.value("white")),
        tooltip=[alt.Tooltip("theme:N", title="Theme"), alt.Tooltip("value:N", title=dimension),
                 alt.Tooltip("n:Q", title="Texts"),
                 alt.Tooltip("share:Q", format=".0%", title=f"Share of the {dimension}'s themed texts"),
                 alt.Tooltip("n_value:Q", title=f"Themed texts at this {dimension}")])
    grey = alt.Chart(hidden).mark_rect(stroke="white", color=HIDDEN_COLOR).encode(
        x=x, y=enc_y, tooltip=[alt.Tooltip("theme:N", title="Theme"),
                               alt.Tooltip("value:N", title=dimension),
                               alt.Tooltip("why:N", title="Hidden")])
    top = max(int(shown["n"].max()), 1) if shown["n"].notna().any() else 1
    label = alt.Chart(shown[shown["n"] > 0]).mark_text(fontSize=11).encode(
        x=x, y=enc_y, text="n:Q",
        color=alt.condition(f"datum.n > 0.5 * {top}", alt.value("white"), alt.value("#222222")))
    return (rect + grey + label).properties(width=max(160, 70 * len(columns)),
                                            height=max(120, 24 * len(order)))


def priority_matrix_chart(backlog: pd.DataFrame, *, x: str = "effort", y: str = "impact",
                          size: str | None = "value_at_stake", label: str = "id",
                          width: int = 480, height: int = 360,
                          title: str = "Priority matrix: impact against effort"):
    """The impact–effort matrix: labelled quadrants, bubbles sized by value at stake.

    Parameters
    ----------
    backlog : pandas.DataFrame
        From :func:`jmtools.analyses.priorities.prioritise` (needs ``quadrant`` and the thresholds
        from :func:`jmtools.analyses.priorities.impact_effort`).
    x, y : str, default "effort", "impact"
        Columns on the axes.
    size : str or None, default "value_at_stake"
        Column for the bubble area (None: equal bubbles).
    label : str, default "id"
        Column written beside each bubble.

    Returns
    -------
    altair.LayerChart
        Quadrant lines at the thresholds, the four quadrant names in the corners, one bubble
        per opportunity (colour = quadrant) with a tooltip showing owner, status, target
        date, linked pain points and every score.

    Examples
    --------
    >>> from jmtools.analyses.priorities import impact_effort
    >>> b = impact_effort(pd.DataFrame({"id": ["a", "b", "c"], "title": ["A", "B", "C"], "impact": [3, 1, 2],
    ...     "effort": [1, 3, 2], "owner": ["X", "Y", "Z"], "pain_points": [["p"], [], ["q"]],
    ...     "value_at_stake": [100.0, 10.0, 50.0]}))
    >>> [layer["mark"]["type"] for layer in priority_matrix_chart(b).to_dict()["layer"]]
    ['rule', 'rule', 'text', 'text', 'circle', 'text', 'text']

    Fewer than three opportunities are not split at their medians, and a value at stake of 0
    everywhere (no orders) sizes nothing: no quadrant lines or names, equal bubbles.

    >>> one = impact_effort(b.head(1).assign(value_at_stake=0.0))
    >>> spec = priority_matrix_chart(one).to_dict()
    >>> [layer["mark"]["type"] for layer in spec["layer"]], spec["title"]["subtitle"]
    (['circle', 'text', 'text'], 'No quadrants: fewer than 3 opportunities to split at their medians; equal bubbles (no value at stake to size them by)')
    """
    import altair as alt

    need = [x, y, "quadrant", "impact_threshold", "effort_threshold", label]
    if size is not None:
        need.append(size)
    require_columns(backlog, need, "backlog",
                    "pass jmtools.analyses.priorities.prioritise(...) (or impact_effort(...)) output")
    use_theme()
    data = backlog[backlog[x].notna() & backlog[y].notna()].copy()
    if data.empty:
        raise DataError([Problem(f"no opportunity has both '{x}' and '{y}'", source="backlog",
                                 fix="add impact and effort to the opportunities' scores")])
    xt, yt = float(data["effort_threshold"].iloc[0]), float(data["impact_threshold"].iloc[0])
    split = xt == xt and yt == yt and bool(data["quadrant"].notna().any())  # NaN: too few for medians (D156)
    unsized = size if size is not None and not (pd.to_numeric(data[size], errors="coerce").fillna(0) > 0).any() \
        else None
    size = None if unsized else size    # nothing to size by (no orders): equal bubbles, no legend
    frame = pd.DataFrame({
        "x": data[x].astype(float).to_numpy(), "y": data[y].astype(float).to_numpy(),
        "label": data[label].astype(str).to_numpy(),
        "title": [_text(t) for t in data.get("title", data[label])],
        "quadrant": [_text(q) or "none (too few to split)" for q in data["quadrant"]],   # no NaN in the JSON
        "owner": [_text(o) or "—" for o in data.get("owner", [None] * len(data))],
        "status": [_text(s) for s in data.get("status", [None] * len(data))],
        "target_date": [_text(d) or "—" for d in data.get("target_date", [None] * len(data))],
        "pain_points": [_text(p) or "—" for p in data.get("pain_points", [[]] * len(data))],
        "size": (data[size].astype(float).fillna(0).to_numpy() if size else 1.0),
    })
    for col in ("rice", "ice", "value_at_stake", "rank"):
        frame[col] = data[col].to_numpy() if col in data else None
    x_max = max(frame["x"].max(), xt if split else 0) * 1.15 or 1
    y_max = max(frame["y"].max(), yt if split else 0) * 1.15 or 1
    frame["label_y"], frame["side"] = _label_layout(frame, x_max, y_max)
    # bubbles at one point are drawn apart (in pixels, in the backlog's order), each with its label
    shift, frame["drawn"] = drawn_apart(frame, "x", "y", "label", what=f"{y} and {x}")
    frame["dx"] = frame["dy"] = shift.to_numpy()
    xs = alt.Scale(domain=[0, x_max], nice=False)
    ys = alt.Scale(domain=[0, y_max], nice=False)
    vline = alt.Chart(pd.DataFrame({"x": [xt]})).mark_rule(strokeDash=[4, 4], color="#888888") \
        .encode(x=alt.X("x:Q", scale=xs))
    hline = alt.Chart(pd.DataFrame({"y": [yt]})).mark_rule(strokeDash=[4, 4], color="#888888") \
        .encode(y=alt.Y("y:Q", scale=ys))
    corners = pd.DataFrame({
        "x": [x_max * 0.02, x_max * 0.98, x_max * 0.02, x_max * 0.98],
        "y": [y_max * 0.97, y_max * 0.97, y_max * 0.03, y_max * 0.03],
        "text": ["Quick wins", "Big bets", "Fill-ins", "Money pits"],
        "align": ["left", "right", "left", "right"],
        "quadrant": ["quick win", "big bet", "fill-in", "money pit"]})
    corner_colors = alt.Color("quadrant:N", legend=None,
                              scale=alt.Scale(domain=list(QUADRANT_COLORS),
                                              range=list(QUADRANT_COLORS.values())))
    names = [alt.Chart(corners[corners["align"] == side]).mark_text(
        fontSize=13, fontWeight="bold", opacity=0.6, align=side).encode(
        x=alt.X("x:Q", scale=xs), y=alt.Y("y:Q", scale=ys), text="text:N", color=corner_colors)
        for side in ("left", "right")]
    tooltip = [alt.Tooltip("title:N", title="Opportunity"), alt.Tooltip("owner:N", title="Owner"),
               alt.Tooltip("status:N", title="Status"),
               alt.Tooltip("target_date:N", title="Target date"),
               alt.Tooltip("pain_points:N", title="Relieves pain points"),
               alt.Tooltip("quadrant:N", title="Quadrant"),
               alt.Tooltip("x:Q", title=x, format=".3g"), alt.Tooltip("y:Q", title=y, format=".3g"),
               alt.Tooltip("value_at_stake:Q", title="Value at stake", format=",.0f"),
               alt.Tooltip("rice:Q", title="RICE", format=",.0f"),
               alt.Tooltip("ice:Q", title="ICE", format=",.0f"),
               alt.Tooltip("rank:Q", title="Rank")] \
        + ([alt.Tooltip("drawn:N", title="Drawn")] if (frame["dx"] != 0).any() else [])
    offset = apart_offsets()
    size_enc = (alt.Size("size:Q", title=_size_title(size), scale=alt.Scale(range=[60, 1600]),
                         legend=alt.Legend(format=",.0f", orient="bottom", direction="horizontal"))
                if size else alt.value(200))
    bubbles = alt.Chart(frame).mark_circle(opacity=0.75, stroke="white", strokeWidth=1, **offset).encode(
        x=alt.X("x:Q", scale=xs, title=f"{x.capitalize()} (higher = harder)"),
        y=alt.Y("y:Q", scale=ys, title=f"{y.capitalize()} (higher = more benefit)"),
        size=size_enc,
        color=alt.Color("quadrant:N", title="Quadrant",
                        scale=alt.Scale(domain=list(QUADRANT_COLORS),
                                        range=list(QUADRANT_COLORS.values())),
                        legend=alt.Legend(orient="bottom", direction="horizontal"))
        if split else alt.value(QUADRANT_COLORS["big bet"]),
        tooltip=tooltip)
    gap = "sqrt(scale('size', datum.size) / PI) + 3" if size else "11"     # the bubble's radius, and 3 px
    beside = {"right": ("left", alt.ExprRef(gap)), "below": ("center", 0), "left": ("right", alt.ExprRef(f"-({gap})"))}
    labels = [alt.Chart(frame[frame["side"] == side]).mark_text(
        align=beside[side][0], fontSize=11, **offset, dx=beside[side][1]).encode(
        x=alt.X("x:Q", scale=xs), y=alt.Y("label_y:Q", scale=ys), text="label:N", tooltip=tooltip)
        for side in ("right", "below", "left") if side != "left" or (frame["side"] == side).any()]
    subtitle = ((f"Dashed lines: impact ≥ {yt:g} is high, effort ≥ {xt:g} is high; " if split else
                 f"No quadrants: fewer than {MIN_FOR_QUADRANTS} opportunities to split at their medians; ")
                + ("bubble area = value at stake" if size == "value_at_stake" else
                   f"bubble area = {size}" if size else
                   f"equal bubbles (no {_size_title(unsized).lower()} to size them by)" if unsized
                   else "equal bubbles"))
    guides = [vline, hline, *names] if split else []
    return fit_to_output(alt.layer(*guides, bubbles, *labels).properties(
        width=width, height=height, title=alt.Title(title, subtitle=subtitle)))


def _label_layout(frame: pd.DataFrame, x_max: float, y_max: float):
    """Label positions: a label whose bubble has a neighbour close on its right at the same
    height goes below the bubble. Bubbles at the same point are drawn apart, each label moving
    with its own bubble (:func:`jmtools.charts.labels.drawn_apart`): their labels stand beside
    their bubbles, one line each — on the right, or on the left when a neighbour is close on the
    right (below, they stacked under the group and its first bubble read as unlabelled)."""
    import numpy as np

    label_y = frame["y"].to_numpy(dtype=float).copy()
    side = []
    xs, ys = frame["x"].to_numpy(dtype=float), frame["y"].to_numpy(dtype=float)
    shared = frame.duplicated(["x", "y"], keep=False).to_numpy()
    for k in range(len(frame)):
        near = (np.abs(ys - ys[k]) < y_max * 0.05) & (xs > xs[k]) & (xs - xs[k] < x_max * 0.3)
        side.append(("left" if shared[k] else "below") if near.any() else "right")
        if near.any() and not shared[k]:
            label_y[k] -= y_max * 0.08
    return label_y, side


def _size_title(size: str | None) -> str:
    return "Value at stake" if size == "value_at_stake" else str(size)
