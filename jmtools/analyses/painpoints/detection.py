"""Comparisons and detection: signals in, the ranked pain point table and its evidence out.

:func:`_evidence` compares every signal row with its baselines (the other personas; the
other stages or touchpoints for :data:`UNIT_CONTRAST`) and flags what is significantly and
notably worse. :func:`detect_pain_points` turns the flagged places into rows
(:mod:`jmtools.analyses.painpoints.places`, or :mod:`jmtools.analyses.painpoints.focus` for
one persona), merges the journey file's pain points, attaches feedback
(:mod:`jmtools.analyses.painpoints.feedback`), splits the customers of pain points written
for one place, shows each comparison once and ranks the table.
"""

from __future__ import annotations

import math
import re
import warnings
from dataclasses import dataclass, field
from typing import Sequence

import numpy as np
import pandas as pd

from jmtools.analyses.disclosure import MIN_GROUP
from jmtools.analyses.painpoints._common import (ALL, DAY_HOURS, EVIDENCE_COLUMNS, OUTSIDE, TABLE_COLUMNS,
                                                 _none, _pool_values)
from jmtools.analyses.painpoints.feedback import _attach_feedback
from jmtools.analyses.painpoints.focus import _focus_rows
from jmtools.analyses.painpoints.places import (_describe, _detected_rows, _fmt, _place, _row_from,
                                                _slug, _table_frame, _title)
from jmtools.analyses.painpoints.signals import combine_signals
from jmtools.core.errors import ParameterError, suggest, whole_number
from jmtools.core.stats import Z95

__all__ = ["UNIT_CONTRAST", "PainPoints", "compare_signals", "detect_pain_points"]

def _compare(kind, a, b, worse_sign):
    """Effect size (worse > 0) and z of group a = (mean, sd, n) against baseline b."""
    (ma, sa, na), (mb, sb, nb) = a, b
    if not (na and nb) or np.isnan(ma) or np.isnan(mb):
        return np.nan, np.nan
    if kind == "rate":
        effect = (2 * math.asin(math.sqrt(ma)) - 2 * math.asin(math.sqrt(mb))) * worse_sign
        pooled = (ma * na + mb * nb) / (na + nb)
        se = math.sqrt(pooled * (1 - pooled) * (1 / na + 1 / nb))
        z = (ma - mb) * worse_sign / se if se > 0 else 0.0  # se = 0 only when both shares are 0 or 1
        return effect, z
    if np.isnan(sa) or np.isnan(sb) or na < 2 or nb < 2:
        return np.nan, np.nan
    sd = math.sqrt(((na - 1) * sa**2 + (nb - 1) * sb**2) / (na + nb - 2))
    se = math.sqrt(sa**2 / na + sb**2 / nb)
    diff = (ma - mb) * worse_sign
    effect = diff / sd if sd > 0 else (np.inf if diff > 0 else 0.0)
    z = diff / se if se > 0 else (np.inf if diff > 0 else 0.0)
    return effect, z


def _known_customers(grp: pd.DataFrame) -> np.ndarray:
    """Distinct customers of each signal row; where unknown (no ids, or a frame without the
    column), its ``n``: fewer observations than 5 means fewer customers too."""
    n = grp["n"].to_numpy(dtype=float)
    if "n_customers" not in grp.columns:
        return n
    who = pd.to_numeric(grp["n_customers"], errors="coerce").to_numpy(dtype=float)
    return np.where(np.isnan(who), n, who)


def _pooled_customers(who: np.ndarray, mask: np.ndarray, versus: str) -> float:
    """Customers behind a baseline, never more than there are: the other personas hold
    different customers (a customer has one persona), so they add up; the other stages or
    touchpoints of one persona may hold the same customers, so only the largest is sure."""
    part = who[mask & (who > 0)]
    if not len(part):
        return 0.0
    return float(part.sum() if versus == "other personas" else part.max())


def _shown(mean: float, log: bool) -> float:
    """The value a reader sees: the mean, or for log-scale signals the geometric mean."""
    return float(np.exp(mean)) if log and not np.isnan(mean) else mean


#: Signals also compared across stages/touchpoints by default. Loops, detours and
#: waiting times differ between steps by design, so they count only against other personas.
UNIT_CONTRAST = ("drop-off", "negative valence", "complaints")


def _resolved(r, base, log: bool) -> bool:
    """False for a waiting time known to the day only whose difference is under a day."""
    return r.unit != DAY_HOURS or abs(_shown(r.mean, log) - _shown(base[0], log)) >= 24


#: A slow step is a pain point only when its typical wait is at least this many times the
#: comparison's, the whole 95% interval of the ratio of geometric means (D246).
MIN_WAIT_RATIO = 1.2


def _long_enough(r, base, z: float, log: bool) -> bool:
    """For a wait (a log-scale signal): the 95% interval of the ratio of typical waits lies
    above :data:`MIN_WAIT_RATIO` (a 1% longer fixed 7-day trial does not); other signals pass."""
    if not log or np.isnan(z) or z <= 0:
        return not log
    diff = r.mean - base[0] if r.higher_is_worse else base[0] - r.mean
    low = diff if np.isinf(z) else diff * (1 - Z95 / z)      # z = diff / se
    return bool(low >= math.log(MIN_WAIT_RATIO))


def _worse_below(grp: pd.DataFrame, mask: np.ndarray, r, worse: int, log: bool, min_n: int) -> str:
    """The other personas at a place with fewer than ``min_n`` customers (left out of the
    comparison) whose value is worse than the row's, in words with their n (D258): a slowest
    group too small to compare is said, not pooled into the baseline; one of fewer than 5 is not
    named (D79)."""
    small = grp[mask]
    shown = (_known_customers(small) >= MIN_GROUP) & (small["n"].to_numpy(dtype=float) >= MIN_GROUP)   # D79
    small = small[((small["mean"].to_numpy(dtype=float) - r.mean) * worse > 0) & shown]
    if small.empty:
        return ""
    parts = [f"{p} {_fmt(_shown(m, log), r.unit)} (n={int(n):,})" for p, m, n in zip(small["persona"], small["mean"],
                                                                                 small["n"])]
    return f"worse still but fewer than {min_n:,} to compare: " + ", ".join(parts)


def _evidence(signals: pd.DataFrame, *, min_n: int, min_effect: float,
              unit_contrast: Sequence[str]) -> pd.DataFrame:
    rows = []
    sig = signals.copy()
    sig["level"] = np.where(sig["touchpoint"].isna(), "stage", "touchpoint")
    sig["key"] = [f"{s}\x1f{'' if t is None else t}" for s, t in zip(sig["stage"], sig["touchpoint"])]
    for (name, level), grp in sig.groupby(["signal", "level"], sort=False):
        kind, log = grp["kind"].iloc[0], bool(grp["log"].iloc[0])
        worse = 1 if bool(grp["higher_is_worse"].iloc[0]) else -1
        key, persona = grp["key"].to_numpy(dtype=object), grp["persona"].to_numpy(dtype=object)
        arrays = (grp["n"].to_numpy(), grp["mean"].to_numpy(dtype=float),
                  grp["sd"].to_numpy(dtype=float), (grp["kind"] == "rate").to_numpy())
        not_all = (persona != ALL) & (persona != OUTSIDE)
        outside = persona == OUTSIDE        # a segment's rest: only the segment's "all" is compared with it
        who = _known_customers(grp)
        for i, r in enumerate(grp.itertuples(index=False)):
            if r.persona == OUTSIDE:
                continue
            pools, small = {}, ""
            if r.persona != ALL:          # each other persona with enough customers; smaller ones said apart (D258)
                others = (key == r.key) & (persona != r.persona) & not_all
                pools["other personas"] = others & (arrays[0] >= min_n)
                small = _worse_below(grp, others & (arrays[0] < min_n) & (arrays[0] > 0), r, worse, log, min_n)
            if name in unit_contrast:
                pools[f"other {level}s"] = (key != r.key) & (persona == r.persona)
            if r.persona == ALL and (outside & (key == r.key)).any():
                pools[OUTSIDE] = outside & (key == r.key)
            for versus, mask in pools.items():
                base = _pool_values(*(a[mask] for a in arrays))
                effect, z = _compare(kind, (r.mean, r.sd, r.n), base, worse)
                flagged = bool(r.n >= min_n and base[2] >= min_n and effect >= min_effect
                               and z >= Z95 and _resolved(r, base, log) and _long_enough(r, base, z, log))
                counts = (versus == "other personas") == (r.persona != ALL)
                rows.append((r.stage, r.touchpoint, r.persona, name, r.unit, level,
                             _shown(r.mean, log), int(r.n), who[i], r.n_skipped, r.n_all, r.n_open,
                             _shown(base[0], log), base[2],
                             _pooled_customers(who, mask, versus), versus, effect, z, flagged,
                             flagged and counts, small if versus == "other personas" else ""))
    out = pd.DataFrame(rows, columns=EVIDENCE_COLUMNS)
    out["touchpoint"] = _none(out["touchpoint"])
    return out


@dataclass
class PainPoints:
    """The result of :func:`detect_pain_points`.

    Attributes
    ----------
    table : pandas.DataFrame
        One row per pain point, best first
        (:data:`~jmtools.analyses.painpoints.TABLE_COLUMNS`): ``rank``, ``pain_point_id``
        (the journey's id, or ``detected-<stage>[-<touchpoint>]``), ``title``, ``stage``,
        ``touchpoint``, ``source`` ("detected", "journey file", "journey file + detected"),
        ``evidence_label`` (measured / reported / assumed), ``score``, ``signals`` (signals
        that count), ``evidence`` (the numbers in words, with n), ``personas`` (affected),
        ``n_personas``, ``recurs``,
        ``customers_affected``, ``lift_needed``, ``lift_basis`` (inputs of value at
        stake), ``stake`` (the same per persona: list of ``{persona, customers, lift,
        population}``; ``population``: the persona's customers at the stage the lift is
        measured on, which pain points at one stage share, so a total of value at stake
        counts them once),
        ``themes`` (feedback themes there, with counts), ``n_feedback`` (negative
        feedback in those themes), ``quotes`` (masked), ``severity`` (journey file, 1–5),
        ``description``.
    evidence : pandas.DataFrame
        Every comparison (:data:`~jmtools.analyses.painpoints.EVIDENCE_COLUMNS`): per
        stage/touchpoint, persona and signal the ``value`` with ``n`` (what the signal counts:
        customers, or answers and texts) and ``n_customers`` (distinct customers), for the
        drop-off ``n_skipped`` (lost there but going on, not in ``value``; D169), ``n_all`` (the
        customers who reached the stage, those still open too) and ``n_open`` (those still open at
        the data's end, left out of ``value`` and ``n`` with the others who reached it too recently
        to judge; D209), the
        ``baseline`` with ``baseline_n`` and ``baseline_customers`` (a lower bound: the other
        stages of one persona may share customers) and what it is (``versus``), the ``effect``
        size, ``z``, whether it is significantly worse (``flagged``) and whether it ``counts``
        for the score (a persona against the other personas; persona ``"all"`` against the
        other stages or touchpoints), and ``worse_below_min_n``: the other personas left out of a
        persona's comparison for having fewer than ``min_n`` whose value is worse still, in words
        with their n (D258; the other personas' baseline pools only those with ``min_n`` or more).
    settings : dict
        ``min_n``, ``min_effect``, ``z``, ``unit_contrast``.
    signals : pandas.DataFrame or None
        The signals the detection read (set by :func:`jmtools.pipeline.run`).
    themes : jmtools.analyses.themes.Themes or None
        The feedback themes used (set by :func:`jmtools.pipeline.run`).
    """

    table: pd.DataFrame
    evidence: pd.DataFrame
    settings: dict = field(default_factory=dict)
    signals: pd.DataFrame | None = None
    themes: object = None

    def top(self, k: int = 5) -> pd.DataFrame:
        """The first ``k`` rows of the ranked table."""
        return self.table.head(k)


def compare_signals(signals: pd.DataFrame, *, min_n: int = 30, min_effect: float = 0.2,
                    unit_contrast: Sequence[str] = UNIT_CONTRAST,
                    outside: pd.DataFrame | None = None) -> pd.DataFrame:
    """Every comparison of the signals with their baselines: the evidence pain points rest on.

    It does not depend on the persona a report is about, so a batch computes it once per
    world and passes it to :func:`detect_pain_points` (``comparisons=``) for each persona.

    Parameters
    ----------
    signals : pandas.DataFrame
        From :func:`~jmtools.analyses.painpoints.combine_signals` (or one builder).
    min_n, min_effect, unit_contrast
        As in :func:`detect_pain_points`.
    outside : pandas.DataFrame, optional
        When ``signals`` are a segment's: the same signals of every customer outside it (their
        rows of persona ``"all"`` are read). Each row of the segment's ``"all"`` is then also
        compared with them at its stage or touchpoint (``versus`` :data:`OUTSIDE`, which counts
        for the score like the other stages do for ``"all"``); persona rows are not (docs/decisions.md D217).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`~jmtools.analyses.painpoints._common.EVIDENCE_COLUMNS`, one row per
        comparison (``flagged`` when it counts as evidence).

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.analyses.painpoints import dropoff_signal
    >>> funnel = pd.DataFrame({"persona": ["A"] * 3 + ["B"] * 3, "step_index": [1, 2, 3] * 2,
    ...                        "step": ["Look", "Cart", "Pay"] * 2,
    ...                        "n": [1000, 800, 200, 1000, 800, 700],
    ...                        "n_prev": [1000, 1000, 800, 1000, 1000, 800]})
    >>> c = compare_signals(dropoff_signal(funnel))
    >>> c.loc[c["flagged"] & (c["persona"] == "A"), ["stage", "versus", "n"]].values.tolist()
    [['Cart', 'other personas', 800], ['Cart', 'other stages', 800]]
    """
    whole_number("min_n", min_n, fix="pass min_n=1 or more (30 by default)")
    signals = combine_signals(signals)
    if outside is not None and len(outside):
        rest = combine_signals(outside)
        signals = pd.concat([signals, rest[rest["persona"] == ALL].assign(persona=OUTSIDE)], ignore_index=True)
    return _evidence(signals, min_n=min_n, min_effect=min_effect, unit_contrast=tuple(unit_contrast))


def detect_pain_points(signals: pd.DataFrame, *, journey=None, themes=None,
                       feedback: pd.DataFrame | None = None, min_n: int = 30,
                       min_effect: float = 0.2, n_quotes: int = 3,
                       unit_contrast: Sequence[str] = UNIT_CONTRAST,
                       personas: Sequence[str] | None = None, persona: str | None = None,
                       comparisons: pd.DataFrame | None = None,
                       focus: str | None = None, outside: pd.DataFrame | None = None) -> PainPoints:
    """Detect pain points from signals, merge the journey's own, rank them with their evidence.

    Parameters
    ----------
    signals : pandas.DataFrame
        From :func:`~jmtools.analyses.painpoints.combine_signals` (or one builder).
    journey : jmtools.journey.Journey, optional
        Its ``pain_points`` are merged: a journey pain point takes the evidence at its
        stage and touchpoint (a stage-level one: its whole stage); a detected place no
        journey pain point covers gets its own row.
    themes : jmtools.analyses.themes.Themes, optional
        Feedback themes (negative polarity). Each theme at a touchpoint goes to the journey
        pain point there whose title and description share most words with the theme's
        terms; it gives that pain point its themes, feedback count and quotes, and breaks
        ties between pain points with the same signals.
    feedback : pandas.DataFrame, optional
        Without ``themes``: feedback (``stage``, ``touchpoint``, optional ``persona``,
        ``sentiment``, and ``quote`` or ``text`` — masked here) for quotes, most negative
        first, and theme labels if it has a ``label`` column.
    min_n : int, default 30
        Fewest observations on each side of a comparison for it to count.
    min_effect : float, default 0.2
        Smallest effect size (Cohen's h or d) that counts.
    n_quotes : int, default 3
        Quotes per pain point.
    unit_contrast : sequence of str
        Signals also compared with the other stages/touchpoints (:data:`UNIT_CONTRAST`).
    personas : list of str, optional
        Only these personas may be listed as affected (default: all in the signals).
    persona : str, optional
        A persona to report on (see
        :func:`~jmtools.analyses.painpoints.focus._focus_rows`): pain points are ranked by that
        persona's own comparisons (against the other personas, and against its other
        stages or touchpoints), counts and evidence are its own, and the feedback, themes
        and quotes are its customers'. A journey pain point that names other personas
        only and has no signal for it is left out; one that names it (or nobody) without
        a signal stays, marked "not seen for <persona>". Contact-volume signals
        (complaints, loops, detours) do not count where the persona feels significantly
        *better* than the other personas (they ask, come back, and like it).
    comparisons : pandas.DataFrame, optional
        The output of :func:`compare_signals` for these ``signals`` with the same ``min_n``,
        ``min_effect`` and ``unit_contrast`` (computed here when not given).
    focus : str, optional
        Deprecated spelling of ``persona`` (a ``FutureWarning``).
    outside : pandas.DataFrame, optional
        When ``signals`` are a segment's, the signals of the customers outside it: the
        segment's own rows are also compared with theirs (:func:`compare_signals`).

    Returns
    -------
    PainPoints
        ``table`` (ranked) and ``evidence`` (every comparison).

    Examples
    --------
    >>> from jmtools.analyses.painpoints import dropoff_signal
    >>> funnel = pd.DataFrame({"persona": ["Ben"] * 3 + ["Maya"] * 3,
    ...                        "step_index": [1, 2, 3] * 2, "step": ["Browse", "Pay", "Done"] * 2,
    ...                        "n": [400, 300, 120, 400, 300, 255],
    ...                        "n_prev": [400, 400, 300, 400, 400, 300]})
    >>> found = detect_pain_points(dropoff_signal(funnel))
    >>> found.table[["rank", "stage", "personas", "recurs", "customers_affected"]]
       rank stage personas  recurs  customers_affected
    0     1   Pay    [Ben]   False               300.0
    """
    if focus is not None:  # the persona selector is persona= everywhere (docs/decisions.md, D6)
        warnings.warn("detect_pain_points(focus=...) is deprecated; use persona=...", FutureWarning,
                      stacklevel=2)
        persona = focus if persona is None else persona
    focus = None if persona == ALL else persona
    whole_number("min_n", min_n, fix="pass min_n=1 or more (30 by default)")
    if isinstance(min_effect, bool) or not isinstance(min_effect, (int, float, np.number)) \
            or not 0 <= min_effect < float("inf"):  # NaN would flag nothing, silently
        raise ParameterError("min_effect", min_effect, expected="a finite number ≥ 0",
                             fix="0.2 is a small effect, 0.5 a medium one")
    if isinstance(n_quotes, bool) or not isinstance(n_quotes, (int, np.integer)) or n_quotes < 0:
        raise ParameterError("n_quotes", n_quotes, expected="a whole number ≥ 0",
                             fix="pass 0 for no quotes, or e.g. 3")
    signals = combine_signals(signals)
    evidence = comparisons if comparisons is not None else compare_signals(
        signals, min_n=min_n, min_effect=min_effect, unit_contrast=unit_contrast, outside=outside)
    if personas is not None:
        evidence = evidence[evidence["persona"].isin([*personas, ALL])].reset_index(drop=True)
    places = _python_strings(evidence)   # read place by place below, many times
    if focus is None:
        detected = _detected_rows(places)
        table = _merge_journey(detected, places, journey)
    else:
        known = sorted((set(evidence["persona"]) | set(getattr(journey, "persona_names", None) or []))
                       - {ALL})
        if focus not in known:
            raise ParameterError("persona", focus, expected=known,
                                 fix=f"did you mean {suggest(str(focus), known)!r}?"
                                 if suggest(str(focus), known) else "")
        table = _focus_rows(places, journey, focus, min_effect=min_effect)
    table = _attach_feedback(table, themes, feedback, n_quotes, persona=focus)
    table = _share_place(table)
    table = _shared_evidence(table)
    table = table.sort_values(["score", "n_feedback", "severity_sort", "stage_order"],
                              ascending=[False, False, False, True], kind="stable")
    table = table.reset_index(drop=True)
    table["rank"] = np.arange(1, len(table) + 1)
    return PainPoints(table[TABLE_COLUMNS], evidence,
                      {"min_n": min_n, "min_effect": min_effect, "z": Z95,
                       "unit_contrast": tuple(unit_contrast), "persona": focus},
                      signals=signals, themes=themes)


def _python_strings(evidence: pd.DataFrame) -> pd.DataFrame:
    """``evidence`` with its text columns holding Python strings (``object``), same values.

    Ranking reads the comparisons of one place at a time, a few hundred small selections
    and sorts; on Arrow-backed text columns each one costs several times more. Only the
    rows' values leave the ranking, so the table is the same.

    Examples
    --------
    >>> frame = pd.DataFrame({"stage": pd.Series(["A", None], dtype="str"), "n": [1, 2]})
    >>> _python_strings(frame).dtypes.astype(str).tolist(), _python_strings(frame).equals(frame)
    (['object', 'int64'], False)
    >>> _python_strings(frame)["stage"].tolist() == frame["stage"].tolist()
    True
    """
    text = {c: evidence[c].astype(object) for c in evidence.columns
            if isinstance(evidence[c].dtype, pd.StringDtype)}
    return evidence.assign(**text) if text else evidence


def _merge_journey(detected: list[dict], evidence: pd.DataFrame, journey) -> pd.DataFrame:
    rows, used = [], set()
    for pp in (journey.pain_points if journey is not None else []):
        match = [i for i, d in enumerate(detected) if d["stage"] == pp.stage
                 and (pp.touchpoint is None or d["touchpoint"] in (None, pp.touchpoint))]
        used.update(match)
        if match:
            row = _row_from(_place(evidence, pp.stage, pp.touchpoint), pp.stage, pp.touchpoint)
            row["_label"] = pp.evidence
            source, label = "journey file + detected", "measured"
        else:
            row = {"stage": pp.stage, "touchpoint": pp.touchpoint, "score": 0.0, "signals": [],
                   "evidence": "no signal in the data at this stage/touchpoint",
                   "personas": list(pp.personas), "customers_affected": np.nan,
                   "lift_needed": np.nan, "lift_basis": "", "stake": []}
            source, label = "journey file", pp.evidence
        row.update(pain_point_id=pp.id, title=pp.title, source=source, evidence_label=label,
                   severity=pp.severity, description=pp.description or "")
        rows.append(row)
    for i, d in enumerate(detected):
        if i in used:
            continue
        rows.append({**d, "pain_point_id": _slug(d["stage"], d["touchpoint"]),
                     "title": _title(d["signals"], d["stage"], d["touchpoint"]),
                     "source": "detected", "evidence_label": "measured", "severity": None,
                     "description": ""})
    return _table_frame(rows, journey)


def _share_place(table: pd.DataFrame) -> pd.DataFrame:
    """Journey pain points written for the same stage and touchpoint share one measured place:
    split its customers between them by their own complaint themes (with one text added to
    each, so a handful of texts does not give one of them everything; equally without any),
    so value at stake does not count the same customers twice."""
    table = table.copy()
    confirmed = table[table["source"] == "journey file + detected"]
    keys = confirmed["stage"].astype(str) + "\x1f" + confirmed["touchpoint"].astype(str)
    for _, idx in confirmed.groupby(keys).groups.items():
        if len(idx) < 2:
            continue
        votes = table.loc[idx, "n_feedback"].astype(float)
        # one text more for each (add-one smoothing): two texts against none is not 100 %
        weights = (votes + 1) / (votes + 1).sum()
        for i in idx:
            w = float(weights[i])
            others = ", ".join(table.loc[j, "pain_point_id"] for j in idx if j != i)
            table.at[i, "customers_affected"] = table.at[i, "customers_affected"] * w
            table.at[i, "stake"] = [{**e, "customers": e["customers"] * w} for e in table.at[i, "stake"]]
            how = ("by their complaint themes (texts + 1 each)" if votes.sum() > 0
                   else "equally (no themes)")
            table.at[i, "lift_basis"] = ((table.at[i, "lift_basis"] + "; ") if table.at[i, "lift_basis"]
                                         else "") + f"customers shared with {others} {how}: {w:.0%}"
    return table


def _shared_evidence(table: pd.DataFrame) -> pd.DataFrame:
    """Each measured comparison is shown once. Journey pain points at one place (stage, or
    stage and touchpoint) that rest on the same comparisons show them on the pain point
    with most negative feedback in its own themes (then the higher score and severity);
    the others say whose evidence they share and keep what is their own."""
    table = table.copy()
    order = table.sort_values(["n_feedback", "score", "severity_sort"], ascending=False,
                              kind="stable").index
    shown: dict[tuple, int] = {}          # comparison → row that shows it
    for i in order:
        rows = table.at[i, "_rows"]
        if table.at[i, "source"] != "journey file + detected" or not isinstance(rows, pd.DataFrame):
            continue
        own, shared = [], {}
        for r in rows.itertuples(index=False):
            key = (r.stage, r.touchpoint, r.persona, r.signal, r.versus)
            if key in shown:
                shared.setdefault(shown[key], []).append(r)
            else:
                shown[key] = i
                own.append(r)
        if not shared:
            continue
        text = _describe(pd.DataFrame(own, columns=rows.columns)) if own else ""
        for j, rs in shared.items():
            tps = {r.touchpoint for r in rs if not pd.isna(r.touchpoint)}
            where = next(iter(tps)) if len(tps) == 1 else f"{rs[0].stage} stage"
            names = ", ".join(dict.fromkeys(r.signal for r in rs))
            text += ("; " if text else "") + (f"shares {where} evidence ({names}) "
                                              f"with \u201c{table.at[j, 'title']}\u201d")
        if not own:
            n = int(table.at[i, "n_feedback"])
            text += f"; its own: {n:,} negative texts in its themes" if n else \
                "; no evidence of its own"
            if not n:   # nothing measured is its own: keep the journey file's label
                table.at[i, "evidence_label"] = table.at[i, "_label"] or "assumed"
        also = re.search(r"; also hurts: .*$", str(table.at[i, "evidence"]))
        table.at[i, "evidence"] = text + (also.group(0) if also else "")
    return table
