"""Charts of funnels, furthest stage, time between stages, transitions, paths and detours.

Each function takes the frame its compute function in :mod:`jmtools.analyses.funnels` returns and
gives back an ``alt.Chart`` (never displayed here). Steps keep journey order; every mark
carries its n in the tooltip, and estimates show their 95% interval.
"""

from __future__ import annotations

from jmtools.analyses.disclosure import MIN_GROUP, protecting_rows
from jmtools.analyses.funnels.paths import busiest_steps, largest_detours
from jmtools.analyses.funnels.timing import duration_words
from jmtools.charts._frames import require_columns
from jmtools.charts.fit import fit_to_output
from jmtools.charts.theme import PALETTE, SEQUENTIAL, use_theme
from jmtools.core.errors import DataError, ParameterError, Problem, whole_number
from jmtools.core.vocabulary import NOBODY, NO_PERSONA

__all__ = ["funnel_chart", "conversion_chart", "furthest_stage_chart", "time_between_chart",
           "transitions_chart", "paths_chart", "detours_chart", "open_end", "OPEN_TIP"]

#: Tooltip title of the customers still open at the step before at the data's end (D221).
OPEN_TIP = "still open before it (may still reach it)"

def _group(frame, by):
    """(frame with a string group column, group column name or None). Customers without a
    persona are named as the analysis named them (``frame.attrs["nobody"]``, set from
    ``Evidence.nobody``: no persona, not in the customer table, or both), else "(no persona)"."""
    if by is None:
        return frame, None
    if by not in frame.columns:
        raise ParameterError("by", by, expected=[c for c in frame.columns])
    out = frame.copy()
    nobody = frame.attrs.get("nobody", NO_PERSONA) if by == "persona" else NO_PERSONA
    out[by] = out[by].astype(object).where(out[by].notna(), nobody).astype(str)
    return out, by


def _color(frame, group):
    """Colour by group in the frame's order (personas in file order), the group without a
    persona last, in grey."""
    import altair as alt

    order = list(dict.fromkeys(frame[group]))
    nobody = [g for g in order if g in NOBODY]
    order = [g for g in order if g not in NOBODY] + nobody
    colours = [PALETTE[i % len(PALETTE)] for i in range(len(order))]
    for i in range(len(order) - len(nobody), len(order)):
        colours[i] = "#999999"
    return (alt.Color(f"{group}:N", title=group, sort=order,
                      scale=alt.Scale(domain=order, range=colours)),
            alt.YOffset(f"{group}:N", sort=order))


def open_end(base, *, x: str, tooltip=None, **mark):
    """The pale end of a funnel's bars (D221): from ``x`` (what the bar counts) to ``open_to``, where
    the customers still open at the step before at the data's end would take it; drawn only for
    rows whose ``open_to`` is set. The report's funnel chart and notebook 02's draw it alike.

    Examples
    --------
    >>> import altair as alt, pandas as pd
    >>> base = alt.Chart(pd.DataFrame({"n": [10, 4], "open_to": [None, 6]}))
    >>> open_end(base, x="n:Q").to_dict()["mark"]
    {'type': 'bar', 'opacity': 0.35}
    """
    return base.transform_filter("isValid(datum.open_to)").mark_bar(opacity=0.35, **mark).encode(
        x=x, x2="open_to:Q", **({} if tooltip is None else {"tooltip": tooltip}))


def _steps(frame, col="step"):
    return list(dict.fromkeys(frame.sort_values("step_index")[col])) if "step_index" in frame else \
        list(dict.fromkeys(frame[col]))


def funnel_chart(frame, *, by: str | None = None, title: str = "Funnel: customers reaching each step"):
    """Bars of customers reaching each step, in journey order.

    Without ``by`` the bars show n, labelled with n and the conversion from the previous
    step; with ``by`` (e.g. ``"persona"``) grouped bars show the share of each group's
    entrants (step 1) who reach the step, so groups of different size compare. Without ``by``, a
    frame with ``open`` and ``open_to`` (customers still open at the step before at the data's end,
    :func:`jmtools.report.funnel_notes.open_funnel_chart`) has a pale end to those bars
    (:func:`open_end`) and "+n open" in their label, as the report's funnel chart (D221, D224).

    Parameters
    ----------
    frame : pandas.DataFrame
        Output of :func:`jmtools.analyses.funnels.funnel`.
    by : str, optional
        The group column used in ``funnel(by=...)``.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"step_index": [1, 2], "step": ["Browse", "Buy"], "n": [10, 4],
    ...                   "conversion": [1.0, 0.4], "ci_low": [0.72, 0.17], "ci_high": [1.0, 0.69],
    ...                   "rate_from_start": [1.0, 0.4], "n_prev": [10, 10], "drop_off": [0, 6]})
    >>> funnel_chart(f).to_dict()["layer"][0]["encoding"]["y"]["sort"]
    ['Browse', 'Buy']
    """
    import altair as alt

    use_theme()
    require_columns(frame, ["step_index", "step", "n", "conversion", "rate_from_start"],
                    "funnel", "pass the output of jmtools.analyses.funnels.funnel()")
    data, group = _group(frame, by)
    steps = _steps(data)
    protecting = protecting_rows(frame)        # hidden beside the funnel for all customers: not 1–4
    hidden = ["hidden (it would reveal a smaller group)" if p else f"fewer than {MIN_GROUP} (not shown)"
              for p in protecting]
    # customers still open at the data's end (``open``, ``open_to``: report.funnel_notes.open_funnel_chart, D221)
    opened = group is None and "open_to" in data and data["open_to"].notna().any()
    more = [f"; +{int(o):,} open" if o == o and o else "" for o in data["open"]] if opened else [""] * len(data)
    data = data.assign(label=[why if n != n else  # a step of 1–4: no numbers
                              f"{int(n):,}" + ("" if i == 1 or c != c else f"  ({c:.0%}{m})")
                              for n, c, i, why, m in zip(data["n"], data["conversion"], data["step_index"], hidden,
                                                         more)],
                       label_x=data["n"].fillna(0))
    tips = [alt.Tooltip("step:N", title="step"), alt.Tooltip("n:Q", title="customers", format=","),
            alt.Tooltip("n_prev:Q", title="at previous step", format=","),
            alt.Tooltip("conversion:Q", title="conversion from previous", format=".1%"),
            alt.Tooltip("ci_low:Q", title="95% CI low", format=".1%"),
            alt.Tooltip("ci_high:Q", title="95% CI high", format=".1%"),
            alt.Tooltip("rate_from_start:Q", title="share of step 1", format=".1%")]
    if opened:     # the conversion of those who had time to go on, as the report's (D221)
        tips[2:4] = [alt.Tooltip("n_prev:Q", title="at previous step, with time to go on", format=","),
                     alt.Tooltip("conversion:Q", title="conversion of those with time to go on", format=".1%")]
        tips.append(alt.Tooltip("open:Q", title=OPEN_TIP, format=","))
    y = alt.Y("step:N", sort=steps, title=None, axis=alt.Axis(labelLimit=220))
    if group is None:
        # a long bar holds its label at its end (outside, it ran off a phone's narrow chart); a short
        # one has it beside (after a pale end: white on it was hard to read)
        inside = data["label_x"] >= 0.6 * data["label_x"].max()
        if opened:
            data = data.assign(label_x=data["label_x"].where(inside, data["open_to"].fillna(data["label_x"])))
        base = alt.Chart(data).encode(y=y)
        # a tick every 80 px or more: "1,000" and "1,100" ran into each other at a notebook's width
        ticks = alt.Axis(tickCount=alt.ExprRef("ceil(width / 80)"), labelSeparation=6)
        bars = base.mark_bar().encode(x=alt.X("n:Q", title="customers reaching the step (% of the one before)",
                                              axis=ticks), tooltip=tips)
        if opened:
            bars += open_end(base, x="n:Q", tooltip=tips)
        text = [base.transform_filter(alt.FieldOneOfPredicate(field="step", oneOf=data.loc[keep, "step"].tolist()))
                .mark_text(align="right" if side else "left", dx=-4 if side else 4,
                           color="white" if side else "#1f2430")
                .encode(x="label_x:Q", text="label:N")
                for side, keep in ((True, inside), (False, ~inside))]
        return fit_to_output(alt.layer(bars, *text).properties(title=title, height=alt.Step(34)))
    tips.insert(0, alt.Tooltip(f"{group}:N", title=group))
    color, offset = _color(data, group)
    return fit_to_output(alt.Chart(data).mark_bar().encode(
        y=y, yOffset=offset,
        x=alt.X("rate_from_start:Q", title="share of the group's step-1 customers", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])),
        color=color, tooltip=tips,
    ).properties(title=title, height=alt.Step(12)))


def conversion_chart(frame, *, by: str | None = None,
                     title: str = "Conversion from the previous step, with 95% intervals"):
    """Conversion from each step to the next as points with their Wilson interval, per group.

    The chart that shows where one persona drops off: steps on the y axis in journey
    order, conversion on x, a horizontal rule for the interval. A frame with ``open`` (customers
    still open at the step before at the data's end, left out of ``n_prev`` and the conversion:
    :func:`jmtools.report.funnel_notes.open_conversion_chart`) says them apart: "+n open" beside
    the interval and in the tooltip (D225).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"persona": ["A", "A", "B", "B"], "step_index": [1, 2, 1, 2],
    ...                   "step": ["Browse", "Buy"] * 2, "n": [10, 4, 8, 7], "n_prev": [10, 10, 8, 8],
    ...                   "conversion": [1, .4, 1, .875], "ci_low": [.7, .17, .6, .5],
    ...                   "ci_high": [1, .69, 1, .98]})
    >>> conversion_chart(f, by="persona").to_dict()["layer"][0]["mark"]["type"]
    'rule'
    """
    import altair as alt

    use_theme()
    require_columns(frame, ["step_index", "step", "n", "n_prev", "conversion", "ci_low", "ci_high"],
                    "funnel", "pass the output of jmtools.analyses.funnels.funnel()")
    data, group = _group(frame[frame["step_index"] > 1], by)
    if len(data) == 0:
        raise DataError([Problem("nothing to draw — a funnel with one step has no conversion",
                                 fix="pass at least two steps to funnel()")])
    steps = _steps(data)
    data = data.assign(transition=[f"→ {s}" for s in data["step"]])
    opened = "open" in data and data["open"].notna().any()   # customers still open left out (D225)
    if opened:   # "+n open" after the interval, or before it where the interval reaches past 80%
        data = data.assign(open_text=[f"+{int(o):,} open" if o == o and o else None for o in data["open"]],
                           open_after=data["ci_high"].fillna(1) <= 0.8)
    enc = dict(y=alt.Y("transition:N", sort=[f"→ {s}" for s in steps], title=None,
                       axis=alt.Axis(labelLimit=220)))
    if group:
        enc["color"], enc["yOffset"] = _color(data, group)
    tips = [alt.Tooltip("step:N"), alt.Tooltip("n:Q", title="reached", format=","),
            alt.Tooltip("n_prev:Q", title="at previous step", format=","),
            alt.Tooltip("conversion:Q", format=".1%"),
            alt.Tooltip("ci_low:Q", title="95% CI low", format=".1%"),
            alt.Tooltip("ci_high:Q", title="95% CI high", format=".1%")]
    if opened:
        tips[2:4] = [alt.Tooltip("n_prev:Q", title="at previous step, with time to go on", format=","),
                     alt.Tooltip("conversion:Q", title="conversion of those with time to go on", format=".1%")]
        tips.append(alt.Tooltip("open:Q", title=OPEN_TIP, format=","))
    if group:
        tips.insert(0, alt.Tooltip(f"{group}:N"))
    base = alt.Chart(data).encode(**enc)
    rule = base.mark_rule(strokeWidth=2).encode(
        x=alt.X("ci_low:Q", title="conversion from the previous step", axis=alt.Axis(format="%"),
                scale=alt.Scale(domain=[0, 1])), x2="ci_high:Q", tooltip=tips)
    point = base.mark_point(filled=True, size=60).encode(x="conversion:Q", tooltip=tips)
    layers = [rule, point]
    if opened:
        layers += [base.transform_filter(f"isValid(datum.open_text) && {'' if after else '!'}datum.open_after")
                   .mark_text(align="left" if after else "right", dx=6 if after else -6, fontSize=11)
                   .encode(x="ci_high:Q" if after else "ci_low:Q", text="open_text:N", tooltip=tips,
                           color=alt.value("#5b6372"))   # grey: a pale persona colour was hard to read
                   for after in (True, False)]
    return fit_to_output(alt.layer(*layers).properties(title=title, height=alt.Step(14 if group else 28)))


def furthest_stage_chart(frame, *, by: str | None = None, title: str = "How far customers get"):
    """Share of customers whose furthest step is each step (with "(none)" first).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"step_index": [0, 1], "step": ["(none)", "Browse"], "n": [2, 3],
    ...                   "n_customers": [5, 5], "share": [.4, .6], "ci_low": [.1, .2], "ci_high": [.8, .9]})
    >>> furthest_stage_chart(f).to_dict()["layer"][0]["mark"]["type"]
    'bar'
    """
    import altair as alt

    use_theme()
    require_columns(frame, ["step_index", "step", "n", "n_customers", "share", "ci_low", "ci_high"],
                    "furthest_stage", "pass the output of jmtools.analyses.funnels.furthest_stage()")
    data, group = _group(frame, by)
    steps = _steps(data)
    tips = [alt.Tooltip("step:N", title="furthest step"), alt.Tooltip("n:Q", title="customers", format=","),
            alt.Tooltip("share:Q", format=".1%"), alt.Tooltip("ci_low:Q", title="95% CI low", format=".1%"),
            alt.Tooltip("ci_high:Q", title="95% CI high", format=".1%"),
            alt.Tooltip("n_customers:Q", title="of customers", format=",")]
    enc = dict(y=alt.Y("step:N", sort=steps, title="furthest step reached", axis=alt.Axis(labelLimit=220)))
    if group:
        enc["color"], enc["yOffset"] = _color(data, group)
        tips.insert(0, alt.Tooltip(f"{group}:N"))
    base = alt.Chart(data).encode(**enc)
    bars = base.mark_bar().encode(x=alt.X("share:Q", title="share of customers", axis=alt.Axis(format="%")),
                                  tooltip=tips)
    err = base.mark_rule().encode(x="ci_low:Q", x2="ci_high:Q", tooltip=tips, color=alt.value("#333333"))
    return fit_to_output((bars + err).properties(title=title, height=alt.Step(12 if group else 26)))


def time_between_chart(frame, *, by: str | None = None, unit: str | None = None,
                       title: str = "Time between steps: median and 90th percentile"):
    """Median (point) and 90th percentile (end of the line) of the time from each step to the next.

    Parameters
    ----------
    frame : pandas.DataFrame
        Output of :func:`jmtools.analyses.funnels.time_between_stages`.
    unit : {"minutes", "hours", "days"}, optional
        Default: days when the longest 90th percentile exceeds 3 days, else hours, else minutes;
        always days when the frame's ``whole_days`` says the log has dates only (the tooltips
        then say "same day", "2 days": whole days, no more precise than the data).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"step_index": [2], "from_step": ["Browse"], "step": ["Buy"], "n": [5],
    ...                   "median_s": [7200.0], "p90_s": [36000.0], "mean_s": [9000.0]})
    >>> time_between_chart(f).to_dict()["layer"][0]["encoding"]["x"]["title"]
    'time (hours): point = median, line to the 90th percentile'
    >>> same_day = f.assign(median_s=0.0, p90_s=172800.0, whole_days=True)
    >>> time_between_chart(same_day).to_dict()["datasets"].popitem()[1][0]["median_text"]
    'same day'
    """
    import altair as alt

    use_theme()
    require_columns(frame, ["step_index", "from_step", "step", "n", "median_s", "p90_s"],
                    "time_between_stages", "pass the output of jmtools.analyses.funnels.time_between_stages()")
    data, group = _group(frame, by)
    longest = data["p90_s"].max()
    days = "whole_days" in data.columns and bool(len(data)) and bool(data["whole_days"].all())
    units = {"minutes": 60, "hours": 3600, "days": 86400}
    if unit is None:
        unit = "days" if days or longest > 3 * 86400 else "hours" if longest > 2 * 3600 else "minutes"
    if unit not in units:
        raise ParameterError("unit", unit, expected=list(units))
    days = days and unit == "days"
    data = data.assign(median=data["median_s"] / units[unit], p90=data["p90_s"] / units[unit],
                       move=[f"{a} → {b}" for a, b in zip(data["from_step"], data["step"])])
    moves = list(dict.fromkeys(data.sort_values("step_index")["move"]))
    tips = [alt.Tooltip("move:N", title="from → to"), alt.Tooltip("n:Q", title="customers", format=",")]
    if days:                                      # whole days: no tick or point between two dates
        data["median"], data["p90"] = data["median"].round(), data["p90"].round()
        data["median_text"] = [duration_words(v, whole_days=True) for v in data["median_s"]]
        data["p90_text"] = [duration_words(v, whole_days=True) for v in data["p90_s"]]
        tips += [alt.Tooltip("median_text:N", title="median (dates only: whole days)"),
                 alt.Tooltip("p90_text:N", title="90th percentile (whole days)")]
    else:
        tips += [alt.Tooltip("median:Q", title=f"median ({unit})", format=".1f"),
                 alt.Tooltip("p90:Q", title=f"90th percentile ({unit})", format=".1f")]
    axis = ("days between the dates (dates only: 0 = same day): point = median, line to the 90th "
            "percentile") if days else f"time ({unit}): point = median, line to the 90th percentile"
    enc = dict(y=alt.Y("move:N", sort=moves, title=None, axis=alt.Axis(labelLimit=260)))
    if group:
        enc["color"], enc["yOffset"] = _color(data, group)
        tips.insert(0, alt.Tooltip(f"{group}:N"))
    base = alt.Chart(data).encode(**enc)
    line = base.mark_rule(strokeWidth=2, opacity=0.7).encode(
        x=alt.X("median:Q", title=axis, **({"axis": alt.Axis(tickMinStep=1, format="d")} if days else {})),
        x2="p90:Q", tooltip=tips)
    ends = base.mark_tick(thickness=2, size=10).encode(x="p90:Q", tooltip=tips)
    points = base.mark_point(filled=True, size=60, opacity=1).encode(x="median:Q", tooltip=tips)
    return fit_to_output((line + ends + points).properties(title=title, height=alt.Step(14 if group else 28)))


def transitions_chart(frame, *, top: int = 15, title: str = "Where customers go next"):
    """Heat map of transitions: rows = from, columns = to, colour = share of the row, text = n.

    Only the ``top`` steps with most transitions are drawn (in the frame's order, which is
    journey order for stages and touchpoints).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"from_step": ["a", "a"], "to_step": ["b", "a"], "n": [3, 1], "n_customers": [2, 1],
    ...                   "n_from": [4, 4], "share": [.75, .25], "ci_low": [.3, .05], "ci_high": [.95, .7]})
    >>> transitions_chart(f).to_dict()["layer"][0]["mark"]["type"]
    'rect'
    """
    whole_number("top", top, fix="pass e.g. 15")
    import altair as alt

    use_theme()
    require_columns(frame, ["from_step", "to_step", "n", "n_from", "share"],
                    "transitions", "pass the output of jmtools.analyses.funnels.transitions()")
    if "persona" in frame.columns:
        raise ParameterError("frame", "transitions split by persona",
                             expected="transitions of one group (filter the frame first)")
    order = busiest_steps(frame, top)
    data = frame[frame["from_step"].isin(order) & frame["to_step"].isin(order)]
    tips = [alt.Tooltip("from_step:N", title="from"), alt.Tooltip("to_step:N", title="to"),
            alt.Tooltip("n:Q", title="transitions", format=","),
            alt.Tooltip("n_customers:Q", title="customers", format=","),
            alt.Tooltip("share:Q", title="share of moves out of 'from'", format=".1%")]
    base = alt.Chart(data).encode(
        y=alt.Y("from_step:N", sort=order, title="from", axis=alt.Axis(labelLimit=200)),
        x=alt.X("to_step:N", sort=order, title="to", axis=alt.Axis(labelAngle=-40, labelLimit=200)))
    rect = base.mark_rect().encode(
        color=alt.Color("share:Q", title="share of row", scale=alt.Scale(scheme=SEQUENTIAL, domain=[0, 1]),
                        legend=alt.Legend(format="%")), tooltip=tips)
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text("n:Q", format=","),
        color=alt.condition("datum.share > 0.5", alt.value("white"), alt.value("#333333")))
    side = max(16, min(34, 520 // max(len(order), 1)))
    return (rect + text).properties(title=title, width=alt.Step(side), height=alt.Step(side))


def paths_chart(frame, *, title: str = "Most common paths"):
    """Horizontal bars of the most common paths (share of customers, with 95% intervals).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"rank": [1], "path": ["Site → Checkout"], "n_steps": [2], "n": [2],
    ...                   "n_customers": [3], "share": [.67], "ci_low": [.2], "ci_high": [.94]})
    >>> paths_chart(f).to_dict()["layer"][0]["encoding"]["y"]["sort"]
    ['Site → Checkout']
    """
    import altair as alt

    use_theme()
    require_columns(frame, ["rank", "path", "n", "n_customers", "share", "ci_low", "ci_high"],
                    "top_paths", "pass the output of jmtools.analyses.funnels.top_paths()")
    if "persona" in frame.columns and frame["persona"].nunique(dropna=False) > 1:
        raise ParameterError("frame", "paths of several personas",
                             expected="paths of one group (filter the frame first)")
    order = list(frame.sort_values("rank")["path"])
    tips = [alt.Tooltip("path:N"), alt.Tooltip("n:Q", title="customers", format=","),
            alt.Tooltip("share:Q", format=".1%"), alt.Tooltip("ci_low:Q", title="95% CI low", format=".1%"),
            alt.Tooltip("ci_high:Q", title="95% CI high", format=".1%")]
    # a path's label takes at most half the output it is drawn in (D226: at 500 px its 420 px left no
    # plot); 420 px where no output is measured (the report, a static drawing)
    limit = alt.ExprRef("containerSize()[0] > 0 ? clamp(containerSize()[0] / 2 - 20, 140, 420) : 420")
    base = alt.Chart(frame).encode(y=alt.Y("path:N", sort=order, title=None, axis=alt.Axis(labelLimit=limit)))
    bars = base.mark_bar().encode(x=alt.X("share:Q", title="share of customers", axis=alt.Axis(format="%")),
                                  tooltip=tips)
    err = base.mark_rule().encode(x="ci_low:Q", x2="ci_high:Q", tooltip=tips, color=alt.value("#333333"))
    return fit_to_output((bars + err).properties(title=title, height=alt.Step(24)))


def detours_chart(frame, *, by: str | None = None, top: int = 10,
                  title: str = "Detours: moves back against journey order"):
    """Share of the customers at a step who go back to an earlier one, for the largest detours.

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"from_step": ["Checkout"], "to_step": ["Site"], "n": [3], "n_customers": [2],
    ...                   "n_at_from": [5], "share": [.4], "ci_low": [.1], "ci_high": [.8]})
    >>> detours_chart(f).to_dict()["layer"][0]["mark"]["type"]
    'bar'
    >>> "n_back_from" in str(detours_chart(f.assign(n_back_from=[4])).to_dict())   # only what is drawn
    False
    """
    whole_number("top", top, fix="pass e.g. 10")
    import altair as alt

    use_theme()
    require_columns(frame, ["from_step", "to_step", "n", "n_customers", "n_at_from", "share"],
                    "detours", "pass the output of jmtools.analyses.funnels.detours()")
    data, group = _group(frame, by)
    data = data.assign(move=[f"{a} → {b}" for a, b in zip(data["from_step"], data["to_step"])])
    moves = largest_detours(data, top)
    keep = [*([group] if group else []), "move", "n", "n_customers", "n_at_from", "share", "ci_low", "ci_high"]
    data = data.loc[data["move"].isin(moves), [c for c in dict.fromkeys(keep) if c in data]]  # drawn only
    tips = [alt.Tooltip("move:N", title="detour"), alt.Tooltip("n_customers:Q", title="customers", format=","),
            alt.Tooltip("n_at_from:Q", title="customers at 'from'", format=","),
            alt.Tooltip("share:Q", format=".1%"), alt.Tooltip("n:Q", title="moves", format=",")]
    enc = dict(y=alt.Y("move:N", sort=moves, title=None, axis=alt.Axis(labelLimit=300)))
    if group:
        enc["color"], enc["yOffset"] = _color(data, group)
        tips.insert(0, alt.Tooltip(f"{group}:N"))
    base = alt.Chart(data).encode(**enc)
    bars = base.mark_bar().encode(
        x=alt.X("share:Q", title="share of the customers at the 'from' step", axis=alt.Axis(format="%")),
        tooltip=tips)
    err = base.mark_rule().encode(x="ci_low:Q", x2="ci_high:Q", tooltip=tips, color=alt.value("#333333"))
    return fit_to_output((bars + err).properties(title=title, height=alt.Step(12 if group else 24)))
