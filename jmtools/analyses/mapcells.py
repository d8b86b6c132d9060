"""The content of the journey map: one tidy row per item of a lane in a stage.

:func:`map_cells` turns a :class:`~jmtools.journey.Journey` (plus optional measured
evidence) into a tidy *cells* frame — one row per item of a lane in a stage, with its
evidence label, persona, and for the emotion curve and KPIs the number, n and interval.
It computes only; :func:`jmtools.charts.journeymap.map_chart` draws the frame and
:func:`jmtools.charts.journeymap.journey_map` does both.

Each lane has a row builder (``_LANE_ROWS``): claims as written in the journey file, the
touchpoints, the assumed and measured emotion curves, pain points (as written, or the ranked
pain points of an analysis with the evidence it found), opportunities, KPIs and owners.
"""

from __future__ import annotations

import math
from typing import Any, Mapping, Sequence

from jmtools.analyses.disclosure import count_words
from jmtools.core.errors import DataError, ParameterError, Problem, suggest
from jmtools.core.metrics import EVIDENCE_LABELS
from jmtools.core.vocabulary import ALL

__all__ = ["MAP_LANES", "DEFAULT_LANES", "CELL_COLUMNS", "map_cells"]

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
_PAIN_COLUMNS = ("rank", "title", "stage", "evidence_label")
#: What a map's ``evidence`` mapping may hold (``touchpoints``: customers with events at each).
_EVIDENCE_KEYS = ("emotion", "kpis", "pain_points", "touchpoints")
_PERCENT_WORDS = ("conversion", "drop", "low_effort", "rate", "share", "top2", "top_2", "pct", "retention",
                  "churn", "reach")


def map_cells(journey, *, evidence: Mapping[str, Any] | None = None,
              persona: str | Sequence[str] | None = None,
              lanes: Sequence[str] | None = None):
    """Return the content of the map as a tidy frame: one row per item of a lane in a stage.

    Parameters
    ----------
    journey : Journey
        The map (``jmtools.journey.Journey``).
    evidence : mapping, optional
        Measured evidence as tidy frames: ``{"emotion": frame, "kpis": frame,
        "pain_points": frame}``.
        ``emotion`` has columns ``stage, mean, n`` (or ``valence`` for the mean, as
        :func:`jmtools.analyses.emotions.emotion_curve` returns it) and optionally ``persona, ci_low,
        ci_high, evidence, low_evidence, sources``: one row per stage and persona;
        ``kpis`` has ``stage, metric, value, n`` and optionally ``kpi`` (shown instead of
        ``metric``, as :func:`jmtools.analyses.kpis.stage_kpis` returns it), ``persona, ci_low,
        ci_high``. Rows without a value (n = 0) are not drawn. ``pain_points`` is a ranked
        pain-point table (:attr:`jmtools.analyses.painpoints.PainPoints.table`: ``rank, title,
        stage, evidence_label`` and optionally ``personas, severity, evidence``); when given,
        the pain-point lane draws its rows instead of the journey file's pain points, each
        with its rank and the evidence label the analysis gave it. ``touchpoints`` has
        ``touchpoint, n_customers`` (customers with events there): a touchpoint with events is
        badged *measured*, its tooltip saying how many customers' events, whatever the journey
        file claims for it (``attrs["counts"]``, e.g. ``("claim", "claims")``: what ``n_customers``
        counts, per case; D253); with a ``persona`` column (``"all"`` and each persona), the map of
        one persona reads that persona's rows, any other map the ``"all"`` rows.
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
        - ``series`` — "assumed" / "measured" for the emotion lane, the metric for KPIs; for a
          touchpoint "moment of truth" and/or "company" (``initiated_by: company``), comma-separated;
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
    seen = frames.get("touchpoints")
    if seen is not None and "persona" in seen.columns:     # all and per persona: the one selected, else all
        who = selected[0] if len(selected) == 1 else ALL
        seen = seen[seen["persona"] == who]
    one, many = ("customer", "customers") if seen is None else seen.attrs.get("counts", ("customer", "customers"))
    seen = {} if seen is None else dict(zip(seen["touchpoint"].astype(str), seen["n_customers"]))
    for tp in journey.touchpoints:
        label = ("★ " if tp.moment_of_truth else "") + f"{tp.name} · {tp.channel}"
        label += "" if tp.direct else ", indirect"
        n = seen.get(tp.name, 0)          # customers with events there: the touchpoint is measured
        source = f"events of {count_words(n)} {one if n == 1 else many}" if n > 0 else ""
        yield _row(tp.stage, tp.name, label=label, evidence="measured" if n > 0 else tp.evidence,
                   source=source, n=int(n) if n else None,
                   series=", ".join(k for k, on in (("moment of truth", tp.moment_of_truth),
                                                    ("company", tp.initiated_by == "company")) if on))


def _pain_rows(journey, selected, compare, frames):
    if frames.get("pain_points") is not None:
        yield from _ranked_pain_rows(frames["pain_points"], selected, compare)
        return
    order = {name: i for i, name in enumerate(journey.stage_names)}
    for pain in sorted(journey.pain_points, key=lambda p: order[p.stage]):
        if _applies(pain.personas, selected):
            text = pain.title + (f" (severity {pain.severity}/5)" if pain.severity else "")
            persona, label = _tagged(text, pain.personas, selected, compare)
            yield _row(pain.stage, pain.title, label=label, evidence=pain.evidence,
                       persona=persona, source=pain.source, value=pain.severity)


def _ranked_pain_rows(table, selected, compare):
    """The rows of a ranked pain-point table, as ranked: "#rank title", the table's evidence
    label as the badge and its evidence in words as the source."""
    for rec in table.sort_values("rank", kind="stable").to_dict("records"):
        about = rec.get("personas")
        about = [] if about is None or isinstance(about, str) else [str(p) for p in about]
        severity = rec.get("severity") if _present(rec.get("severity")) else None
        text = f"#{int(rec['rank'])} {rec['title']}" + (f" (severity {int(severity)}/5)" if severity else "")
        persona, label = _tagged(text, about, selected, compare)
        yield _row(rec["stage"] if _present(rec["stage"]) else None, str(rec["title"]), label=label,
                   evidence=rec["evidence_label"], persona=persona, source=str(rec.get("evidence") or ""),
                   value=severity)


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
    (or the map has none), there is a single curve: the persona's on a map of one persona,
    else ``all``.
    """
    per_persona = any(isinstance(s.emotion, dict) for s in journey.stages)
    names = (selected or journey.persona_names) if per_persona else \
        (list(selected) if len(selected) == 1 else ["all"])
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
                  "csat_mean": "CSAT", "csat_top2box": "CSAT, share of 4–5", "ces_mean": "CES",
                  "ces_low_effort": "CES, share of low effort", "drop_off_rate": "Drop-off",
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
                             expected='a mapping {"emotion": frame, "kpis": frame, "pain_points": frame}')
    frames = {}
    for key, frame in evidence.items():
        if key not in _EVIDENCE_KEYS:
            raise ParameterError("evidence key", key, expected=list(_EVIDENCE_KEYS))
        if frame is None:
            continue
        needed = {"kpis": _KPI_COLUMNS, "pain_points": _PAIN_COLUMNS,
                  "touchpoints": ("touchpoint", "n_customers")}.get(key) or (
            ("stage", "valence", "n") if "valence" in getattr(frame, "columns", ()) else
            _EMOTION_COLUMNS)
        frames[key] = _check_frame(frame, key, needed, journey)
    return frames


def _check_frame(frame, key: str, needed, journey):
    import pandas as pd

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
    if key == "touchpoints":          # by name; a name the journey lacks marks nothing
        return frame.copy()
    unknown = sorted(set(frame["stage"].dropna().astype(str)) - set(journey.stage_names))
    if unknown:
        raise DataError([Problem(f"stages not in the journey: {', '.join(map(repr, unknown))}",
                                 fix="use the stage names of the journey file: "
                                     + ", ".join(journey.stage_names),
                                 source=f"{key} evidence", column="stage")])
    if key == "pain_points":
        return frame.copy()   # several at a stage; one tied to no stage is listed under the map
    keys = ["stage"] + (["persona"] if "persona" in frame.columns else []) + \
        ([("kpi" if "kpi" in frame.columns else "metric")] if key == "kpis" else [])
    dup = frame.duplicated(keys, keep=False)
    if dup.any():
        raise DataError([Problem(f"{int(dup.sum())} rows repeat the same {' + '.join(keys)}",
                                 fix="give one row per " + " and ".join(keys) +
                                     " (aggregate first, e.g. over touchpoints)",
                                 source=f"{key} evidence", column=", ".join(keys))])
    return frame[frame["stage"].notna()].copy()
