"""The journey-map canvas: the whole map as one picture.

Compute and draw stay apart:

- :func:`map_cells` turns a :class:`~jmtools.journey.Journey` (plus optional measured
  evidence) into a tidy *cells* frame — one row per item of a lane in a stage, with its
  evidence label, persona, and for the emotion curve and KPIs the number, n and interval.
- :func:`map_chart` lays that frame out as a grid (stages as columns in journey order, lanes
  as rows in the chosen order) and returns an Altair chart; it never displays anything.
- :func:`journey_map` does both in one call.

Evidence labels are drawn as a badge in front of every item: ● measured, ◆ reported,
○ assumed. The emotion lane shows the workshop's assumed curve (dashed) next to the curve
measured from data (solid, with its 95% interval and n), one colour per persona.
"""

from __future__ import annotations

import math
import textwrap
from typing import Any, Mapping, Sequence

from jmtools.core.errors import DataError, ParameterError, Problem
from jmtools.core.metrics import EMOTION_DOMAIN, EVIDENCE_LABELS

__all__ = ["MAP_LANES", "DEFAULT_LANES", "CELL_COLUMNS", "map_cells", "map_chart", "journey_map",
           "journey_mimebundle"]

#: Every lane the canvas can draw, key → title, in the default order of a map.
MAP_LANES = {
    "goal": "Customer goal",
    "touchpoints": "Touchpoints & channels",
    "actions": "Actions (does)",
    "thoughts": "Thoughts (thinks)",
    "feelings": "Feelings (feels)",
    "emotion": "Emotion curve",
    "pain_points": "Pain points",
    "opportunities": "Opportunities",
    "kpis": "KPIs",
    "frontstage": "Frontstage",
    "backstage": "Backstage",
    "support": "Support processes",
    "owners": "Owners",
}

#: Lanes shown when the caller does not choose (lanes with nothing to show are left out,
#: except the ones a map always has).
DEFAULT_LANES = tuple(MAP_LANES)
_ALWAYS = ("goal", "touchpoints", "actions", "emotion", "pain_points")

#: Columns of the frame :func:`map_cells` returns.
CELL_COLUMNS = ["lane", "stage", "item", "text", "label", "evidence", "persona", "source",
                "series", "value", "n", "ci_low", "ci_high"]

_CLAIM_LANES = ("actions", "thoughts", "feelings", "frontstage", "backstage", "support")
_EMOTION_COLUMNS = ("stage", "mean", "n")
_KPI_COLUMNS = ("stage", "metric", "value", "n")
_PERCENT_WORDS = ("conversion", "drop", "rate", "share", "top2", "top_2", "pct", "retention",
                  "churn", "reach")


# --------------------------------------------------------------------------- compute
def map_cells(journey, *, evidence: Mapping[str, Any] | None = None,
              persona: str | Sequence[str] | None = None,
              lanes: Sequence[str] | None = None):
    """Return the content of the map as a tidy frame: one row per item of a lane in a stage.

    Parameters
    ----------
    journey : Journey
        The map (``jmtools.journey.Journey``).
    evidence : mapping, optional
        Measured evidence as tidy frames: ``{"emotion": frame, "kpis": frame}``.
        ``emotion`` has columns ``stage, mean, n`` (or ``valence`` for the mean, as
        :func:`jmtools.analyses.emotions.emotion_curve` returns it) and optionally ``persona, ci_low,
        ci_high, evidence, low_evidence, sources``: one row per stage and persona;
        ``kpis`` has ``stage, metric, value, n`` and optionally ``kpi`` (shown instead of
        ``metric``, as :func:`jmtools.analyses.kpis.stage_kpis` returns it), ``persona, ci_low,
        ci_high``. Rows without a value (n = 0) are not drawn.
    persona : str or list of str, optional
        One persona (a map for that persona: claims about other personas are left out),
        several (personas compared on one map: one emotion curve each, claims tagged with
        their persona), or None for every persona of the journey.
    lanes : list of str, optional
        Lanes to show, in this order (keys of :data:`MAP_LANES`). Default: every lane that
        has content, in the order of :data:`MAP_LANES`.

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CELL_COLUMNS`:

        - ``lane`` — ordered categorical of the chosen lanes;
        - ``stage`` — ordered categorical in journey order (missing for an opportunity
          tied to no stage);
        - ``item`` — position of the item within its cell, from 0;
        - ``text`` — the claim as written; ``label`` — the text shown (with a persona tag
          when personas are compared, numbers formatted with n and interval);
        - ``evidence`` — measured / reported / assumed (missing for goals and owners);
        - ``persona`` — persona(s) the item is about, "" for everyone (emotion and KPI rows:
          the persona of the curve, "all" for everyone);
        - ``source`` — where the evidence comes from, "" if not stated;
        - ``series`` — "assumed" / "measured" for the emotion lane, the metric for KPIs;
        - ``value``, ``n``, ``ci_low``, ``ci_high`` — numbers of emotion and KPI rows.

    Examples
    --------
    >>> from jmtools.journey import Journey
    >>> j = Journey.from_yaml('''
    ... name: Demo
    ... stages:
    ...   - {name: Browse, emotion: 1, actions: [Looks around]}
    ...   - {name: Buy, emotion: -1, actions: [{text: Pays, evidence: measured}]}
    ... ''')
    >>> cells = map_cells(j, lanes=["actions", "emotion"])
    >>> cells[["lane", "stage", "text", "evidence", "value"]]
          lane   stage          text  evidence  value
    0  actions  Browse  Looks around   assumed    NaN
    1  actions     Buy          Pays  measured    NaN
    2  emotion  Browse            +1   assumed    1.0
    3  emotion     Buy            −1   assumed   -1.0
    """
    import pandas as pd

    selected, compare = _personas(journey, persona)
    frames = _evidence_frames(journey, evidence)
    chosen = _lanes(journey, lanes, frames, selected)
    rows: list[dict] = []
    for lane in chosen:
        rows.extend(dict(r, lane=lane) for r in _LANE_ROWS[lane](journey, selected, compare,
                                                                 frames))
    cells = pd.DataFrame(rows, columns=CELL_COLUMNS)
    cells["lane"] = pd.Categorical(cells["lane"], categories=list(chosen), ordered=True)
    cells["stage"] = pd.Categorical(cells["stage"], categories=journey.stage_names, ordered=True)
    order = cells["stage"].cat.codes.where(cells["stage"].notna(), len(journey.stage_names))
    cells = cells.assign(_l=cells["lane"].cat.codes, _s=order).sort_values(
        ["_l", "_s"], kind="stable").drop(columns=["_l", "_s"])
    cells["item"] = cells.groupby(["lane", "stage"], observed=True, dropna=False).cumcount()
    for col in ("value", "ci_low", "ci_high"):
        cells[col] = cells[col].astype("float64")
    cells["n"] = cells["n"].astype("Int64")
    for col in ("text", "label", "persona", "source", "series"):
        cells[col] = cells[col].fillna("").astype(str)
    cells = cells.reset_index(drop=True)
    cells.attrs["personas"] = list(journey.persona_names)  # fixes each persona's colour
    return cells


def _personas(journey, persona) -> tuple[list[str], bool]:
    names = list(journey.persona_names)
    if persona is None:
        return names, len(names) > 1
    wanted = [persona] if isinstance(persona, str) else list(persona)
    for name in wanted:
        if name not in names:
            raise ParameterError("persona", name, expected=names or "a persona of the journey "
                                 "(this journey declares none)")
    return wanted, len(wanted) > 1


def _lanes(journey, lanes, frames, selected) -> list[str]:
    if lanes is None:
        return [k for k in MAP_LANES if k in _ALWAYS or _has_content(journey, k, frames)]
    if isinstance(lanes, str):
        lanes = [x.strip() for x in lanes.split(",") if x.strip()]
    out = []
    for lane in lanes:
        if lane not in MAP_LANES:
            raise ParameterError("lane", lane, expected=list(MAP_LANES))
        if lane in out:
            raise ParameterError("lanes", list(lanes), expected="each lane at most once")
        out.append(lane)
    if not out:
        raise ParameterError("lanes", list(lanes), expected="at least one lane")
    return out


def _has_content(journey, lane: str, frames) -> bool:
    if lane in _CLAIM_LANES:
        return any(getattr(s, lane) for s in journey.stages)
    if lane == "kpis":
        return frames.get("kpis") is not None
    if lane == "opportunities":
        return bool(journey.opportunities)
    if lane == "owners":
        return any(s.owner for s in journey.stages) or any(t.owner for t in journey.touchpoints)
    return True


def _row(stage, text, *, label=None, evidence=None, persona="", source="", series="",
         value=None, n=None, ci_low=None, ci_high=None) -> dict:
    return {"stage": stage, "text": text, "label": text if label is None else label,
            "evidence": evidence, "persona": persona, "source": source or "", "series": series,
            "value": value, "n": n, "ci_low": ci_low, "ci_high": ci_high}


def _applies(claim_personas, selected) -> bool:
    return not claim_personas or not selected or bool(set(claim_personas) & set(selected))


def _tagged(text: str, claim_personas, selected, compare: bool) -> tuple[str, str]:
    about = [p for p in claim_personas if p in selected] if selected else list(claim_personas)
    persona = ", ".join(about)
    return persona, (f"[{persona}] {text}" if compare and about else text)


def _claim_rows(lane):
    def rows(journey, selected, compare, frames):
        for stage in journey.stages:
            for claim in getattr(stage, lane):
                if _applies(claim.personas, selected):
                    persona, label = _tagged(claim.text, claim.personas, selected, compare)
                    yield _row(stage.name, claim.text, label=label, evidence=claim.evidence,
                               persona=persona, source=claim.source)
    return rows


def _goal_rows(journey, selected, compare, frames):
    for stage in journey.stages:
        if stage.goal:
            yield _row(stage.name, stage.goal)


def _touchpoint_rows(journey, selected, compare, frames):
    for tp in journey.touchpoints:
        label = ("★ " if tp.moment_of_truth else "") + f"{tp.name} · {tp.channel}"
        label += "" if tp.direct else ", indirect"
        yield _row(tp.stage, tp.name, label=label, evidence=tp.evidence,
                   series="moment of truth" if tp.moment_of_truth else "")


def _pain_rows(journey, selected, compare, frames):
    order = {name: i for i, name in enumerate(journey.stage_names)}
    for pain in sorted(journey.pain_points, key=lambda p: order[p.stage]):
        if _applies(pain.personas, selected):
            text = pain.title + (f" (severity {pain.severity}/5)" if pain.severity else "")
            persona, label = _tagged(text, pain.personas, selected, compare)
            yield _row(pain.stage, pain.title, label=label, evidence=pain.evidence,
                       persona=persona, source=pain.source, value=pain.severity)


def _opportunity_rows(journey, selected, compare, frames):
    pains = {p.id: p for p in journey.pain_points}
    order = {name: i for i, name in enumerate(journey.stage_names)}
    placed = []
    for opp in journey.opportunities:
        linked = [pains[i] for i in opp.pain_points if i in pains]
        relevant = [p for p in linked if _applies(p.personas, selected)]
        if linked and not relevant:
            continue  # relieves only pains of personas not on this map
        stages = sorted({p.stage for p in relevant}, key=order.get) or [None]
        details = [x for x in (opp.owner, opp.status,
                               opp.target_date and f"by {opp.target_date:%Y-%m-%d}") if x]
        label = opp.title + (f" — {', '.join(details)}" if details else "")
        for stage in stages:
            placed.append((order.get(stage, len(order)),
                           _row(stage, opp.title, label=label, evidence=opp.evidence,
                                series=opp.status)))
    for _, row in sorted(placed, key=lambda x: x[0]):
        yield row


def _owner_rows(journey, selected, compare, frames):
    for stage in journey.stages:
        if stage.owner:
            yield _row(stage.name, stage.owner, label=f"Stage: {stage.owner}")
        for tp in journey.touchpoints:
            if tp.stage == stage.name and tp.owner and tp.owner != stage.owner:
                yield _row(stage.name, tp.owner, label=f"{tp.name}: {tp.owner}")


def _signed(value: float, digits: int = 1) -> str:
    """Signed number with a real minus sign: +1.5, −0.4, 0, +2.

    Examples
    --------
    >>> [_signed(v) for v in (1.5, -0.4, 0.0, 2.0, -0.04)]
    ['+1.5', '−0.4', '0', '+2', '0']
    """
    rounded = round(float(value), digits)
    if rounded == 0:
        return "0"
    text = f"{rounded:+.{digits}f}"
    if digits and text.endswith("." + "0" * digits):
        text = text[: -digits - 1]
    return text.replace("-", "−")


def _emotion_rows(journey, selected, compare, frames):
    for name, by_stage in _assumed_curves(journey, selected).items():
        for stage, value in by_stage.items():
            yield _row(stage, _signed(value), evidence="assumed", persona=name,
                       series="assumed", value=float(value))
    measured = frames.get("emotion")
    if measured is None:
        return
    value_col = "valence" if "valence" in measured.columns else "mean"
    for rec in _pick_persona_rows(measured, selected).to_dict("records"):
        value, n = rec[value_col], rec.get("n")
        if not _present(value):
            continue  # a stage without evidence: a gap in the measured curve
        lo, hi = rec.get("ci_low"), rec.get("ci_high")
        low = bool(rec.get("low_evidence")) if _present(rec.get("low_evidence")) else False
        count = f" (n={int(n):,}{', few' if low else ''})" if _present(n) else ""
        yield _row(rec["stage"], _signed(value), label=_signed(value) + count,
                   evidence=_strongest(rec.get("evidence")), persona=rec["persona"],
                   source=rec.get("sources") or rec.get("source") or "", series="measured",
                   value=float(value), n=int(n) if _present(n) else None,
                   ci_low=lo if _present(lo) else None, ci_high=hi if _present(hi) else None)


def _strongest(label) -> str:
    """The strongest evidence label in a combined label such as ``measured+reported``."""
    text = str(label) if _present(label) else ""
    for name in EVIDENCE_LABELS:
        if name in text:
            return name
    return "measured"


def _assumed_curves(journey, selected) -> dict[str, dict[str, float]]:
    """persona → stage → assumed emotion.

    One number at a stage holds for every persona; when no stage distinguishes personas
    (or the map has none), there is a single curve called ``all``.
    """
    per_persona = any(isinstance(s.emotion, dict) for s in journey.stages)
    names = (selected or journey.persona_names) if per_persona else ["all"]
    curves: dict[str, dict[str, float]] = {}
    for stage in journey.stages:
        for name in names:
            value = stage.emotion.get(name) if isinstance(stage.emotion, dict) else stage.emotion
            if value is not None:
                curves.setdefault(name, {})[stage.name] = value
    return curves


def _present(value) -> bool:
    return value is not None and not (isinstance(value, float) and math.isnan(value)) and \
        str(value) not in ("<NA>", "nan", "NaT")


def _pick_persona_rows(frame, selected):
    """Rows of an evidence frame for the selected personas ('all' rows when none match)."""
    if "persona" not in frame.columns:
        return frame.assign(persona="all")
    persona = frame["persona"].astype(object).where(frame["persona"].notna(), "all")
    frame = frame.assign(persona=persona.astype(str))
    mine = frame[frame["persona"].isin(selected)] if selected else frame.iloc[0:0]
    return mine if len(mine) else frame[frame["persona"] == "all"]


def _has_all(frame) -> bool:
    return "persona" not in frame.columns or bool(
        (frame["persona"].isna() | (frame["persona"].astype(object) == "all")).any())


def _kpi_rows(journey, selected, compare, frames):
    kpis = frames.get("kpis")
    if kpis is None:
        return
    # one persona: its KPIs; personas compared: the KPIs of all customers (when given)
    kpis = _pick_persona_rows(kpis, [] if compare and _has_all(kpis) else selected)
    order = {name: i for i, name in enumerate(journey.stage_names)}
    kpis = kpis.assign(_order=kpis["stage"].astype(object).map(order)).sort_values(
        "_order", kind="stable")
    for rec in kpis.to_dict("records"):
        if not _present(rec["value"]):
            continue  # no answers at this stage: nothing to show
        metric = str(rec["kpi"] if "kpi" in rec and _present(rec["kpi"]) else rec["metric"])
        shown = _format_metric(metric, rec["value"])
        lo, hi = rec.get("ci_low"), rec.get("ci_high")
        interval = (f" [{_format_metric(metric, lo)}–{_format_metric(metric, hi)}]"
                    if _present(lo) and _present(hi) else "")
        n = rec.get("n")
        count = f" (n={int(n):,})" if _present(n) else ""
        persona = rec["persona"] if rec["persona"] != "all" else ""
        body = (f"{_metric_title(metric)} {shown}{interval}{count}" if metric != "reached" else
                f"Reached by {float(rec['value']):,.0f}" + (f" of {int(n):,} customers"
                                                           if _present(n) else " customers"))
        label = (f"[{persona}] " if compare and persona else "") + body
        yield _row(rec["stage"], f"{metric} {shown}", label=label,
                   evidence=rec.get("evidence") or "measured", persona=rec["persona"],
                   source=rec.get("source") or "", series=metric, value=float(rec["value"]),
                   n=int(n) if _present(n) else None, ci_low=lo if _present(lo) else None,
                   ci_high=hi if _present(hi) else None)


_METRIC_TITLES = {"csat": "CSAT", "nps": "NPS", "ces": "CES", "aov": "AOV", "clv": "CLV",
                  "csat_mean": "CSAT", "csat_top2box": "CSAT top-2-box", "ces_mean": "CES",
                  "ces_low_effort": "CES low effort", "drop_off_rate": "Drop-off",
                  "rate_from_start": "Reached from start"}


def _metric_title(metric: str) -> str:
    """Display name of a metric or KPI.

    Examples
    --------
    >>> [_metric_title(m) for m in ("csat_mean", "conversion", "time_to_next_h")]
    ['CSAT', 'Conversion', 'Time to next h']
    """
    return _METRIC_TITLES.get(metric.lower(), metric.replace("_", " ").capitalize())


def _format_metric(metric: str, value) -> str:
    value = float(value)
    m = metric.lower()
    if m.startswith("nps"):
        return _signed(value, 0)
    if any(w in m for w in _PERCENT_WORDS) and -1 <= value <= 1:
        return f"{value:.0%}" if abs(value) >= 0.1 else f"{value:.1%}"
    if abs(value) >= 100:
        return f"{value:,.0f}"
    return f"{value:.2f}".rstrip("0").rstrip(".") if value != int(value) else f"{value:.0f}"


_LANE_ROWS = {
    "goal": _goal_rows,
    "touchpoints": _touchpoint_rows,
    **{lane: _claim_rows(lane) for lane in _CLAIM_LANES},
    "emotion": _emotion_rows,
    "pain_points": _pain_rows,
    "opportunities": _opportunity_rows,
    "kpis": _kpi_rows,
    "owners": _owner_rows,
}


def _evidence_frames(journey, evidence) -> dict:
    if evidence is None:
        return {}
    if not isinstance(evidence, Mapping):
        raise ParameterError("evidence", type(evidence).__name__,
                             expected='a mapping {"emotion": frame, "kpis": frame}')
    frames = {}
    for key, frame in evidence.items():
        if key not in ("emotion", "kpis"):
            raise ParameterError("evidence key", key, expected=["emotion", "kpis"])
        if frame is None:
            continue
        needed = _KPI_COLUMNS if key == "kpis" else (
            ("stage", "valence", "n") if "valence" in getattr(frame, "columns", ()) else
            _EMOTION_COLUMNS)
        frames[key] = _check_frame(frame, key, needed, journey)
    return frames


def _check_frame(frame, key: str, needed, journey):
    import pandas as pd

    from jmtools.core.errors import suggest

    if not isinstance(frame, pd.DataFrame):
        raise ParameterError(f"evidence[{key!r}]", type(frame).__name__,
                             expected="a pandas DataFrame")
    problems = []
    for col in needed:
        if col not in frame.columns:
            hint = suggest(col, list(frame.columns))
            problems.append(Problem(f"column '{col}' is missing (columns: "
                                    f"{', '.join(map(str, frame.columns))})",
                                    fix=f"rename '{hint}' to '{col}'" if hint else
                                    f"add a '{col}' column", source=f"{key} evidence",
                                    column=col))
    if problems:
        raise DataError(problems)
    unknown = sorted(set(frame["stage"].dropna().astype(str)) - set(journey.stage_names))
    if unknown:
        raise DataError([Problem(f"stages not in the journey: {', '.join(map(repr, unknown))}",
                                 fix="use the stage names of the journey file: "
                                     + ", ".join(journey.stage_names),
                                 source=f"{key} evidence", column="stage")])
    keys = ["stage"] + (["persona"] if "persona" in frame.columns else []) + \
        ([("kpi" if "kpi" in frame.columns else "metric")] if key == "kpis" else [])
    dup = frame.duplicated(keys, keep=False)
    if dup.any():
        raise DataError([Problem(f"{int(dup.sum())} rows repeat the same {' + '.join(keys)}",
                                 fix="give one row per " + " and ".join(keys) +
                                     " (aggregate first, e.g. over touchpoints)",
                                 source=f"{key} evidence", column=", ".join(keys))])
    return frame[frame["stage"].notna()].copy()


# ----------------------------------------------------------------------------- draw
_COLORS = {"measured": "#1b7837", "reported": "#2166ac", "assumed": "#8c8c8c"}
_SHAPES = {"measured": "circle", "reported": "diamond", "assumed": "circle"}
_FILLS = {"measured": "#1b7837", "reported": "#2166ac", "assumed": "#ffffff"}
_ALL_LABEL, _ALL_COLOUR = "All customers", "#3b3b3b"  # as in jmtools.charts.emotions
#: DejaVu first: it has every glyph the map uses (★ ● ◆ ○ −). With the theme's Helvetica/Arial
#: stack, vl-convert falls back per line and draws lines with ★ in bold.
_FONT = "DejaVu Sans, Liberation Sans, Arial, sans-serif"


def _persona_colours(names: list[str], order: list[str]) -> list[str]:
    """Colour of each curve: All customers dark grey; a persona keeps the theme colour of its
    place in the journey (the same on every map), whichever personas are shown."""
    from jmtools.charts.theme import PALETTE

    palette = [c for c in PALETTE if c != "#000000"]
    known = order + [n for n in names if n not in order and n != _ALL_LABEL]
    return [_ALL_COLOUR if n == _ALL_LABEL else palette[known.index(n) % len(palette)]
            for n in names]


def map_chart(cells, *, title: str | None = None, subtitle: str | None = None,
              column_width: int = 230, label_width: int = 150, font_size: int = 11,
              emotion_height: int = 150):
    """Draw a cells frame (from :func:`map_cells`) as the journey-map grid.

    Stages are columns in the frame's stage order, lanes are rows in its lane order. Text
    is wrapped to the column width; each lane grows to its tallest cell, so nothing
    overlaps however many items a cell holds. Every item has an evidence badge (● measured,
    ◆ reported, ○ assumed) and a tooltip with its full text, evidence, source and persona.

    Parameters
    ----------
    cells : pandas.DataFrame
        The output of :func:`map_cells`.
    title, subtitle : str, optional
        Chart title and subtitle.
    column_width : int, default 230
        Width of a stage column in pixels (8 stages ≈ 2000 px wide).
    label_width : int, default 150
        Width of the lane-title column.
    font_size : int, default 11
        Size of item text; headers are a little larger.
    emotion_height : int, default 150
        Height of the emotion-curve lane.

    Returns
    -------
    altair.LayerChart
        A chart with one layer per element (grid, headers, badges, text, curve).

    Examples
    --------
    >>> from jmtools.journey import Journey
    >>> j = Journey.from_yaml("name: Demo\\nstages: [{name: A, emotion: 1}, {name: B}]")
    >>> chart = map_chart(map_cells(j), title="Demo")
    >>> spec = chart.to_dict()
    >>> spec["title"]["text"], len(spec["layer"]) > 3
    ('Demo', True)
    """
    import altair as alt

    from jmtools.charts.theme import use_theme

    use_theme()
    for col in ("lane", "stage"):
        if col not in cells.columns or not hasattr(cells[col], "cat"):
            raise ParameterError("cells", f"a frame without categorical '{col}'",
                                 expected="the frame returned by map_cells()")
    geo = _Geometry(cells, column_width, label_width, font_size, emotion_height)
    layers = [geo.backgrounds(), geo.lane_titles(), geo.stage_headers(), *geo.guides(),
              *geo.blueprint_lines(), *geo.items(), *geo.curves(), *geo.footer()]
    layers = [layer for layer in layers if layer is not None]
    chart = alt.layer(*layers).properties(
        width=geo.width, height=geo.height,
        title=alt.TitleParams(title or "Journey map", subtitle=subtitle or _SUBTITLE,
                              anchor="start", fontSize=18, subtitleFontSize=11,
                              subtitleColor="#555", font=_FONT, subtitleFont=_FONT),
    ).resolve_scale(color="independent", shape="independent", fill="independent",
                    stroke="independent", strokeDash="independent")
    return chart.configure_view(stroke=None).configure_legend(
        orient="bottom", labelFont=_FONT, titleFont=_FONT, labelFontSize=11, titleFontSize=11,
        symbolStrokeWidth=1.5, labelLimit=400)


_SUBTITLE = "Evidence of each item: ● measured from data · ◆ reported by customers · ○ assumed"


_BLUEPRINT_LINES = {("frontstage", "backstage"): "line of visibility",
                    ("backstage", "support"): "line of internal interaction"}


class _Geometry:
    """Pixel layout of a cells frame: lane tops and heights, column lefts, wrapped text."""

    def __init__(self, cells, column_width, label_width, font_size, emotion_height):
        if column_width < 80 or label_width < 60 or not 6 <= font_size <= 24 or \
                emotion_height < 60:
            raise ParameterError("column_width/label_width/font_size/emotion_height",
                                 (column_width, label_width, font_size, emotion_height),
                                 expected="column_width >= 80, label_width >= 60, "
                                          "6 <= font_size <= 24, emotion_height >= 60")
        self.cells = cells
        self.stages = list(cells["stage"].cat.categories)
        self.lanes = list(cells["lane"].cat.categories)
        self.cw, self.lw, self.fs = column_width, label_width, font_size
        self.lh = round(font_size * 1.35)
        self.pad = 8
        self.badge = 12
        self.chars = max(8, int((column_width - 2 * self.pad - self.badge) / (font_size * 0.6)))
        self.emotion_height = emotion_height
        self.header_lines = [textwrap.wrap(s, max(6, int((column_width - 36) /
                                                         ((font_size + 2) * 0.62))))
                             or [""] for s in self.stages]
        self.header_h = max(len(x) for x in self.header_lines) * (self.lh + 3) + 2 * self.pad
        self._place()

    # layout
    def _place(self):
        self.rows = []  # per item: x, y, wrapped label
        self.lane_top, self.lane_h = {}, {}
        y = self.header_h
        by_cell: dict = {}  # (lane, stage) → records, in frame order (one pass over the frame)
        for rec in self.cells.to_dict("records"):
            by_cell.setdefault((str(rec["lane"]), rec["stage"]), []).append(rec)
        for k, lane in enumerate(self.lanes):
            self.lane_top[lane] = y
            if lane == "emotion":
                self.lane_h[lane] = self.emotion_height
            else:
                self.lane_h[lane] = self._place_texts(lane, by_cell, y)
            if tuple(self.lanes[k:k + 2]) in _BLUEPRINT_LINES:
                self.lane_h[lane] += self.fs + 2  # room for the line's label
            y += self.lane_h[lane]
        self.grid_bottom = y
        self.unplaced = self.cells[self.cells["stage"].isna()]
        self.footer_lines = self._footer_lines()
        self.height = y + (len(self.footer_lines) * self.lh + self.pad if self.footer_lines
                           else 0)
        self.width = self.lw + self.cw * len(self.stages)

    def _place_texts(self, lane, by_cell, top) -> int:
        tallest = self.lh
        lane_lines = textwrap.wrap(MAP_LANES[lane], max(6, int((self.lw - 2 * self.pad) /
                                                              (self.fs * 0.62))))
        tallest = max(tallest, len(lane_lines) * self.lh)
        for i, stage in enumerate(self.stages):
            y = top + self.pad
            x = self.lw + i * self.cw + self.pad
            for rec in by_cell.get((lane, stage), []):
                lines = textwrap.wrap(rec["label"], self.chars, break_long_words=True,
                                      break_on_hyphens=False) or [""]
                has_badge = isinstance(rec["evidence"], str) and rec["evidence"] in _COLORS
                self.rows.append({**_plain_record(rec), "x": x + (self.badge if has_badge else 0),
                                  "y": y, "bx": x + 4, "by": y + self.lh / 2 - 1,
                                  "wrapped": "\n".join(lines), "badge": has_badge})
                y += len(lines) * self.lh + 5
            tallest = max(tallest, y - top - self.pad - 5)
        return tallest + 2 * self.pad

    def _footer_lines(self) -> list[str]:
        if not len(self.unplaced):
            return []
        items = "; ".join(f"{MAP_LANES[str(r['lane'])]}: {r['label']}"
                          for r in self.unplaced.to_dict("records"))
        width = max(40, int(self.width_estimate() / (self.fs * 0.6)))
        return textwrap.wrap("Not tied to a stage — " + items, width)

    def width_estimate(self) -> int:
        return self.lw + self.cw * len(self.stages)

    # layers
    def backgrounds(self):
        import altair as alt
        import pandas as pd

        rects = []
        for k, lane in enumerate(self.lanes):
            top, h = self.lane_top[lane], self.lane_h[lane]
            rects.append({"x": 0, "x2": self.lw, "y": top, "y2": top + h, "fill": "#e8ecf1"})
            for i, _ in enumerate(self.stages):
                rects.append({"x": self.lw + i * self.cw, "x2": self.lw + (i + 1) * self.cw,
                              "y": top, "y2": top + h,
                              "fill": "#f7f8fa" if k % 2 == 0 else "#ffffff"})
        for i, _ in enumerate(self.stages):
            rects.append({"x": self.lw + i * self.cw, "x2": self.lw + (i + 1) * self.cw,
                          "y": 0, "y2": self.header_h, "fill": "#30475e"})
        return alt.Chart(pd.DataFrame(rects)).mark_rect(stroke="#c9d1da", strokeWidth=1).encode(
            x=_px("x"), x2="x2:Q", y=_px("y"), y2="y2:Q", fill=alt.Fill("fill:N", scale=None))

    def lane_titles(self):
        import altair as alt
        import pandas as pd

        width = max(6, int((self.lw - 2 * self.pad) / (self.fs * 0.62)))
        rows = [{"x": self.pad, "y": self.lane_top[lane] + self.pad,
                 "text": "\n".join(textwrap.wrap(MAP_LANES[lane], width))} for lane in self.lanes]
        return alt.Chart(pd.DataFrame(rows)).mark_text(
            align="left", baseline="top", lineBreak="\n", fontWeight="bold", font=_FONT,
            fontSize=self.fs, color="#30475e", lineHeight=self.lh).encode(
            x=_px("x"), y=_px("y"), text="text:N")

    def stage_headers(self):
        import altair as alt
        import pandas as pd

        rows = [{"x": self.lw + i * self.cw + self.pad, "y": self.pad,
                 "text": f"{i + 1}", "name": "\n".join(self.header_lines[i])}
                for i, _ in enumerate(self.stages)]
        frame = pd.DataFrame(rows)
        base = alt.Chart(frame)
        number = base.mark_text(align="left", baseline="top", font=_FONT, fontSize=self.fs + 2,
                                color="#9fb3c8", fontWeight="bold").encode(
            x=_px("x"), y=_px("y"), text="text:N")
        name = base.mark_text(align="left", baseline="top", font=_FONT, fontSize=self.fs + 2,
                              color="white", fontWeight="bold", lineBreak="\n", dx=22,
                              lineHeight=self.lh + 3).encode(x=_px("x"), y=_px("y"),
                                                             text="name:N")
        return alt.layer(number, name)

    def _emotion_y(self, value: float) -> float:
        low, high = EMOTION_DOMAIN
        top = self.lane_top["emotion"] + 14
        span = self.lane_h["emotion"] - 28
        return top + (high - value) / (high - low) * span

    def blueprint_lines(self):
        """Service-blueprint lines where their lanes meet: visibility (frontstage | backstage)
        and internal interaction (backstage | support)."""
        import altair as alt
        import pandas as pd

        names = _BLUEPRINT_LINES
        rows = [{"x": self.lw, "x2": self.width, "y": self.lane_top[b], "text": names[(a, b)],
                 "tx": self.width - 4}
                for a, b in zip(self.lanes, self.lanes[1:]) if (a, b) in names]
        if not rows:
            return []
        frame = pd.DataFrame(rows)
        line = alt.Chart(frame).mark_rule(stroke="#30475e", strokeWidth=1.5,
                                          strokeDash=[6, 3]).encode(x=_px("x"), x2="x2:Q",
                                                                   y=_px("y"))
        label = alt.Chart(frame).mark_text(align="right", baseline="bottom", dy=-2, font=_FONT,
                                           fontSize=self.fs - 2, fontStyle="italic",
                                           color="#30475e").encode(x=_px("tx"), y=_px("y"),
                                                                   text="text:N")
        return [line, label]

    def guides(self):
        import altair as alt
        import pandas as pd

        if "emotion" not in self.lanes:
            return []
        low, high = EMOTION_DOMAIN
        ticks = [v for v in range(int(low), int(high) + 1)]
        rules = pd.DataFrame([{"x": self.lw, "x2": self.width, "y": self._emotion_y(v),
                               "zero": v == 0} for v in ticks])
        labels = pd.DataFrame([{"x": self.lw - 6, "y": self._emotion_y(v),
                                "text": _signed(v) if v else "0"} for v in ticks])
        rule = alt.Chart(rules).mark_rule().encode(
            x=_px("x"), x2="x2:Q", y=_px("y"),
            stroke=alt.condition("datum.zero", alt.value("#9aa5b1"), alt.value("#e3e7ec")),
            strokeDash=alt.condition("datum.zero", alt.value([1, 0]), alt.value([2, 3])))
        text = alt.Chart(labels).mark_text(align="right", baseline="middle", font=_FONT,
                                           fontSize=self.fs - 1, color="#6b7785").encode(
            x=_px("x"), y=_px("y"), text="text:N")
        return [rule, text]

    def items(self):
        import altair as alt
        import pandas as pd

        if not self.rows:
            return []
        frame = pd.DataFrame(self.rows)
        tooltip = [alt.Tooltip("lane_title:N", title="lane"), alt.Tooltip("stage:N"),
                   alt.Tooltip("text:N", title="item"), alt.Tooltip("evidence:N"),
                   alt.Tooltip("source:N"), alt.Tooltip("persona:N")]
        text = alt.Chart(frame).mark_text(
            align="left", baseline="top", lineBreak="\n", font=_FONT, fontSize=self.fs,
            color="#222", lineHeight=self.lh).encode(
            x=_px("x"), y=_px("y"), text="wrapped:N", tooltip=tooltip)
        badges = frame[frame["badge"]]
        if not len(badges):
            return [text]
        domain = list(EVIDENCE_LABELS)
        legend = alt.Legend(title="evidence", orient="bottom", symbolSize=70)
        badge = alt.Chart(badges).mark_point(size=45, strokeWidth=1.5, opacity=1).encode(
            x=_px("bx"), y=_px("by"),
            shape=alt.Shape("evidence:N", scale=alt.Scale(
                domain=domain, range=[_SHAPES[d] for d in domain]), legend=legend),
            fill=alt.Fill("evidence:N", scale=alt.Scale(
                domain=domain, range=[_FILLS[d] for d in domain]), legend=legend),
            stroke=alt.Stroke("evidence:N", scale=alt.Scale(
                domain=domain, range=[_COLORS[d] for d in domain]), legend=legend),
            tooltip=tooltip)
        return [badge, text]

    def curves(self):
        import altair as alt
        import pandas as pd

        if "emotion" not in self.lanes:
            return []
        emo = self.cells[(self.cells["lane"] == "emotion") & self.cells["stage"].notna()]
        if not len(emo):
            return [self._note("emotion", "no assumed or measured emotion for this map")]
        index = {s: i for i, s in enumerate(self.stages)}
        frame = pd.DataFrame([{
            **_plain_record(r),
            "x": self.lw + (index[r["stage"]] + 0.5) * self.cw,
            "py": self._emotion_y(r["value"]),
            "lo": self._emotion_y(r["ci_low"]) if _present(r["ci_low"]) else None,
            "hi": self._emotion_y(r["ci_high"]) if _present(r["ci_high"]) else None,
            "curve": r["persona"] if r["persona"] != "all" else _ALL_LABEL,
            "order": index[r["stage"]],
        } for r in emo.to_dict("records")])
        names = list(dict.fromkeys(frame["curve"]))
        # curves side by side by a few pixels, so equal values at a stage stay visible
        spread = {name: (k - (len(names) - 1) / 2) * min(6.0, self.cw / 40)
                  for k, name in enumerate(names)}
        frame["x"] = frame["x"] + frame["curve"].map(spread)
        frame["py"] = frame["py"] + frame["curve"].map(spread) / 3  # equal lines stay apart
        scale = alt.Scale(domain=names, range=_persona_colours(
            names, list(self.cells.attrs.get("personas", []))))
        color = alt.Color("curve:N", title="persona", scale=scale, legend=None)
        color_legend = alt.Color("curve:N", title="persona", scale=scale,
                                 legend=alt.Legend(orient="bottom"))
        dash = alt.StrokeDash("series:N", title="emotion", scale=alt.Scale(
            domain=["assumed", "measured"], range=[[5, 4], [1, 0]]),
            legend=alt.Legend(orient="bottom", symbolType="stroke"))
        tooltip = [alt.Tooltip("curve:N", title="persona"), alt.Tooltip("stage:N"),
                   alt.Tooltip("series:N", title="curve"),
                   alt.Tooltip("value:Q", format="+.2f", title="emotion"),
                   alt.Tooltip("n:Q"), alt.Tooltip("ci_low:Q", format="+.2f", title="95% low"),
                   alt.Tooltip("ci_high:Q", format="+.2f", title="95% high")]
        base = alt.Chart(frame)
        lines = base.mark_line(strokeWidth=2.2).encode(
            x=_px("x"), y=_px("py"), color=color_legend, strokeDash=dash,
            detail=["curve:N", "series:N"], order="order:Q")
        points = base.mark_point(filled=True, size=50).encode(
            x=_px("x"), y=_px("py"), color=color, tooltip=tooltip,
            shape=alt.Shape("series:N", scale=alt.Scale(domain=["assumed", "measured"],
                                                        range=["square", "circle"]),
                            legend=None))
        layers = [lines, points]
        ci = frame[frame["lo"].notna() & frame["hi"].notna()]
        if len(ci):
            layers.insert(0, alt.Chart(ci).mark_rule(strokeWidth=5, opacity=0.3).encode(
                x=_px("x"), y=_px("lo"), y2="hi:Q", color=color, tooltip=tooltip))
        layers.extend(self._curve_labels(frame))
        return layers

    def _curve_labels(self, frame):
        """Value labels (with n) of the measured curve, else the assumed one; at most two
        curves are labelled: per stage the higher point is labelled above, the lower below."""
        import altair as alt

        series = "measured" if (frame["series"] == "measured").any() else "assumed"
        labels = frame[frame["series"] == series]
        if labels["curve"].nunique() > 2:
            return []
        rank = labels.groupby("stage")["value"].rank(method="first", ascending=False)
        labels = labels.assign(above=(rank == 1))
        out = []
        lh = self.fs + 3
        halo = labels.assign(
            x1=labels["x"] + 5, x2=labels["x"] + 9 + labels["label"].str.len() * self.fs * 0.58,
            y1=labels["py"].where(~labels["above"], labels["py"] - 4 - lh) + 3 * ~labels["above"],
            y2=labels["py"].where(~labels["above"], labels["py"] - 4) +
            (3 + lh) * ~labels["above"])
        out.append(alt.Chart(halo).mark_rect(fill="white", opacity=0.85).encode(
            x=_px("x1"), x2="x2:Q", y=_px("y1"), y2="y2:Q"))
        for above, part in labels.groupby("above"):
            out.append(alt.Chart(part).mark_text(
                align="left", baseline="bottom" if above else "top", dx=7,
                dy=-4 if above else 4, font=_FONT, fontSize=self.fs - 1, color="#333").encode(
                x=_px("x"), y=_px("py"), text="label:N"))
        return out

    def _note(self, lane, text):
        import altair as alt
        import pandas as pd

        frame = pd.DataFrame([{"x": self.lw + self.pad, "y": self.lane_top[lane] + self.pad,
                               "text": text}])
        return alt.Chart(frame).mark_text(align="left", baseline="top", font=_FONT,
                                          fontSize=self.fs, color="#888", fontStyle="italic"
                                          ).encode(x=_px("x"), y=_px("y"), text="text:N")

    def footer(self):
        import altair as alt
        import pandas as pd

        if not self.footer_lines:
            return []
        frame = pd.DataFrame([{"x": 0, "y": self.grid_bottom + self.pad,
                               "text": "\n".join(self.footer_lines)}])
        return [alt.Chart(frame).mark_text(
            align="left", baseline="top", lineBreak="\n", font=_FONT, fontSize=self.fs,
            color="#555", lineHeight=self.lh).encode(x=_px("x"), y=_px("y"), text="text:N")]


def _px(field: str):
    """A position channel in raw pixels (no scale, no axis)."""
    import altair as alt

    return alt.X(f"{field}:Q", scale=None, axis=None) if field.startswith(("x", "bx", "tx")) \
        else \
        alt.Y(f"{field}:Q", scale=None, axis=None)


def _plain_record(rec: dict) -> dict:
    out = {}
    for key, value in rec.items():
        if key in ("lane", "stage"):
            out[key] = None if not _present(value) else str(value)
        elif key == "n":
            out[key] = int(value) if _present(value) else None
        elif isinstance(value, float) and math.isnan(value):
            out[key] = None
        else:
            out[key] = value
    out["lane_title"] = MAP_LANES.get(out.get("lane") or "", "")
    return out


def journey_map(journey, *, evidence: Mapping[str, Any] | None = None,
                persona: str | Sequence[str] | None = None, lanes: Sequence[str] | None = None,
                title: str | None = None, **layout):
    """The journey-map canvas of ``journey``: :func:`map_cells` then :func:`map_chart`.

    Parameters
    ----------
    journey : Journey
        The map to draw.
    evidence, persona, lanes
        See :func:`map_cells`.
    title : str, optional
        Chart title (default: the journey's name, and the persona).
    **layout
        ``column_width``, ``label_width``, ``font_size``, ``emotion_height`` of
        :func:`map_chart`.

    Returns
    -------
    altair.LayerChart
        The canvas; export it with :func:`jmtools.exports.save_chart`.

    Examples
    --------
    >>> from jmtools.journey import Journey
    >>> j = Journey.from_yaml("name: Demo\\nstages: [{name: Look, goal: Find shoes}, {name: Buy}]")
    >>> journey_map(j).to_dict()["title"]["text"]
    'Demo'
    """
    cells = map_cells(journey, evidence=evidence, persona=persona, lanes=lanes)
    if title is None:
        title = journey.name
        if isinstance(persona, str):
            title += f" — {persona}"
        elif persona is not None and len(persona) > 1:
            title += " — " + " vs ".join(persona)
    meta = [x for x in (journey.owner and f"owner {journey.owner}",
                        journey.version is not None and f"version {journey.version}",
                        journey.updated and f"updated {journey.updated:%Y-%m-%d}") if x]
    subtitle = _SUBTITLE + (f"   ·   {', '.join(meta)}" if meta else "")
    return map_chart(cells, title=title, subtitle=subtitle, **layout)


def journey_mimebundle(journey) -> dict:
    """What Jupyter shows for a Journey: its map as SVG (rendered offline) plus a text line.

    SVG renders in JupyterLab, VS Code, nbconvert HTML and on GitHub without any JavaScript
    or network. A map that cannot be drawn shows the reason instead of failing the cell.

    Examples
    --------
    >>> from jmtools.journey import Journey
    >>> j = Journey.from_yaml("name: Demo\\nstages: [{name: A}, {name: B}]")
    >>> bundle = j._repr_mimebundle_()
    >>> sorted(bundle), bundle["text/plain"]
    (['image/svg+xml', 'text/plain'], '<Journey Demo: 2 stages, 0 touchpoints, 0 personas>')
    """
    text = (f"<Journey {journey.name}: {len(journey.stages)} stages, "
            f"{len(journey.touchpoints)} touchpoints, {len(journey.personas)} personas>")
    try:
        from jmtools.exports import chart_to_svg

        return {"image/svg+xml": chart_to_svg(journey_map(journey)), "text/plain": text}
    except Exception as err:  # show why instead of breaking the notebook cell
        return {"text/plain": f"{text}\n(the map could not be drawn: {type(err).__name__}: "
                              f"{err})"}
