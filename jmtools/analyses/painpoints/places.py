"""One place of the journey (a stage, or a touchpoint) read as a pain point.

From the comparisons at the place (:func:`_place`): which count (the touchpoint-level one over
the stage-level one), the score (:data:`SIGNAL_WEIGHTS`, each effect capped at 2), the personas
affected, the inputs of value at stake (drop-off first), and the evidence in words. Both the
team's view (:mod:`jmtools.analyses.painpoints.detection`) and one persona's report
(:mod:`jmtools.analyses.painpoints.focus`) build their rows here, and :func:`_table_frame`
turns the rows into the table.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

from jmtools.analyses.disclosure import count_words
from jmtools.analyses.painpoints._common import (ALL, DAY_HOURS, OUTSIDE, SIGNALS, TABLE_COLUMNS,
                                                 _ratio_interval)
from jmtools.core.stats import difference_interval

__all__ = ["SIGNAL_WEIGHTS"]

_CAP = 2.0


#: Weight of each signal in the score. Revisiting a page or going back a step is often
#: ordinary browsing, so loops and detours count half; every other signal counts fully.
SIGNAL_WEIGHTS = {"loops": 0.5, "detours": 0.5}


def _place(evidence: pd.DataFrame, stage, touchpoint) -> pd.DataFrame:
    """The comparisons behind a pain point at ``stage`` (and ``touchpoint``).

    At a touchpoint, a signal measured per touchpoint (valence, complaints, loops) is taken
    from that touchpoint only; a signal measured per stage only (drop-off, slow step)
    comes from the stage, and is shared with the stage's other pain points."""
    here = evidence[evidence["stage"] == stage]
    if touchpoint:
        per_tp = set(evidence.loc[evidence["touchpoint"].notna(), "signal"])
        here = here[(here["touchpoint"] == touchpoint)
                    | (here["touchpoint"].isna() & ~here["signal"].isin(per_tp))]
    return here


def _detected_rows(evidence: pd.DataFrame) -> list[dict]:
    rows = []
    counted = evidence[evidence["counts"].astype(bool)]  # no comparison at all: no rows, same columns
    for (stage, tp), _ in counted.groupby(["stage", "touchpoint"], dropna=False, sort=False):
        tp = None if pd.isna(tp) else tp
        here = evidence[(evidence["stage"] == stage) & _same_tp(evidence["touchpoint"], tp)]
        rows.append(_row_from(here, stage, tp))
    return rows


def _same_tp(col: pd.Series, tp) -> pd.Series:
    return col.isna() if tp is None else (col == tp)


def _row_from(here: pd.DataFrame, stage, tp) -> dict:
    here = _specific(here)
    counted = here[here["counts"]]
    personas = _affected(here)
    customers, lift, basis, stake = _stake(here, personas)
    names = set(counted["signal"])
    shown = _shown_rows(here, personas)
    return {"stage": stage, "touchpoint": tp, "score": _score(here),
            "signals": [s for s in SIGNALS if s in names] + sorted(names - set(SIGNALS)),
            "evidence": _describe(shown), "_rows": shown,
            "personas": personas, "customers_affected": customers, "lift_needed": lift,
            "lift_basis": basis, "stake": stake}


def _specific(here: pd.DataFrame) -> pd.DataFrame:
    """Per signal, persona and comparison keep the touchpoint-level row over the stage-level one."""
    if here.empty:
        return here
    kinds = np.where(here["versus"] == "other personas", 0, np.where(here["versus"] == OUTSIDE, 2, 1))
    order = here.assign(_o=(here["level"] == "stage").astype(int), _v=kinds).sort_values("_o", kind="stable")
    return order.drop_duplicates(["signal", "persona", "_v"]).drop(columns=["_o", "_v"])


def _score(here: pd.DataFrame) -> float:
    """Largest over personas of the sum over signals of the best counted effect (capped)."""
    counted = here[here["counts"]]
    if counted.empty:
        return 0.0
    weight = counted["signal"].map(lambda s: SIGNAL_WEIGHTS.get(s, 1.0))
    best = counted.assign(effect=counted["effect"].clip(upper=_CAP) * weight).groupby(
        ["persona", "signal"])["effect"].max()
    return float(best.groupby(level=0).sum().max())


def _affected(here: pd.DataFrame) -> list[str]:
    """Per counted signal: the personas worse there than the other personas; if none stands
    out (the pain hits everybody), those worse there than at their other stages. Union,
    most affected first (by the sum of their effect sizes)."""
    strength: dict[str, float] = {}
    flagged = here[here["flagged"] & (here["persona"] != ALL)]
    signal, persona, effect = (flagged[c].to_numpy() for c in ("signal", "persona", "effect"))
    versus = flagged["versus"].to_numpy() == "other personas"
    for name in set(here.loc[here["counts"], "signal"]):
        sig = signal == name
        standout = sig & versus
        pick = standout if standout.any() else sig
        for who, value in zip(persona[pick].tolist(), effect[pick].tolist()):
            strength[who] = strength.get(who, 0.0) + min(value, _CAP)
    return sorted(strength, key=lambda p: (-strength[p], p))


def _stake(here: pd.DataFrame, personas: list[str]):
    """Customers affected and lift needed for value at stake (drop-off first).

    The drop-off personas are chosen like the affected ones, for the drop-off signal alone;
    each uses its comparison with the other personas when it stands out, else with the
    other stages. Without a persona, everybody (persona "all") against the other stages.
    The customers affected are those every counted signal there affects (:func:`_met_groups`): a
    drop-off lift measured on fewer of them (one persona's, beside a slow step of all customers)
    is spread over them all, so the customers won back stay those it was measured on (D228).
    """
    drop = here[(here["signal"] == "drop-off") & here["flagged"]]
    if not len(drop):
        stake = [{"persona": g, "customers": _reach(here[here["persona"] == g]), "lift": None,
                  "population": _reach(here[here["persona"] == g])} for g in _met_groups(here)]
        return (float(sum(e["customers"] for e in stake)) if stake else np.nan), np.nan, "", stake
    everyone = _everyone(here)
    who = _affected(drop.assign(counts=True))
    if everyone is not None and (drop["persona"] == ALL).any():  # all customers, not only a persona's
        rows = drop[drop["persona"] == ALL].head(1)
    elif who:
        rows = drop[drop["persona"].isin(who)].assign(
            _p=lambda d: d["versus"] != "other personas").sort_values("_p", kind="stable")
        rows = rows.drop_duplicates("persona").drop(columns="_p")
    else:
        rows = drop[drop["persona"] == ALL].head(1)
    # everyone who reaches the stage meets it, those still open too (D209): the rate is of those
    # who had time to go on, the customers are all of them, as the other signals there count them
    reach = _reached(rows).astype(int)
    n = float(reach.sum())
    lift = float(((rows["value"] - rows["baseline"]) * reach).sum() / n) if n else np.nan
    cols = [rows[c] for c in ("persona", "value", "n", "baseline", "versus", "baseline_n")]
    basis = "; ".join(f"{'' if who == ALL else who + ': '}drop-off "
                      f"{value:.0%} (n={n:,}) vs {base:.0%} {versus} (n={base_n:,})"
                      for who, value, n, base, versus, base_n in zip(*cols))
    stake = [{"persona": who, "customers": int(k), "lift": float(value - base),
              "population": int(k)} for who, value, base, k in zip(rows["persona"], rows["value"],
                                                                   rows["baseline"], reach)]
    met = sum(_reach(here[here["persona"] == g]) for g in _met_groups(here))
    if met > n:
        lift, n = lift * n / met, float(met)
    return n, lift, basis, stake


def _reached(rows: pd.DataFrame) -> pd.Series:
    """Customers each row counts at its stage: a drop-off's everyone who reached it, those still
    open too (``n_all``, D209); any other row's ``n``."""
    return rows["n_all"].where(rows["n_all"].notna(), rows["n"]) if "n_all" in rows else rows["n"]


def _reach(rows: pd.DataFrame) -> int:
    """Customers of one group at a place: everyone its drop-off counts at the stage, those still open
    too (the funnel's reach, D209); without one, its largest count of customers there, a rate's
    first; 0 without a row."""
    drop = rows[rows["signal"] == "drop-off"]
    rates = rows[rows["unit"] == "share"]
    counts = _reached(drop) if len(drop) else (rates if len(rates) else rows)["n"]
    return int(counts.max()) if len(counts) else 0


def _met_groups(here: pd.DataFrame) -> list[str]:
    """Whom the pain point at a place affects, per counted signal as :func:`_affected` reads it: the
    personas worse there than the other personas; where none stands out, everyone there (a
    comparison of all customers counts: against the other stages, or the customers outside the
    segment). ``[ALL]`` where some signal affects everyone, else the personas (they hold different
    customers, so their customers, each counted by :func:`_reach`, add up; D228)."""
    counted = here[here["counts"].astype(bool)]
    standout = here[here["flagged"] & (here["persona"] != ALL) & (here["versus"] == "other personas")]
    groups: dict[str, None] = {}
    for name in dict.fromkeys(counted["signal"]):
        mine = standout[standout["signal"] == name]
        if len(mine):
            groups.update(dict.fromkeys(mine["persona"]))
        elif (counted.loc[counted["signal"] == name, "persona"] == ALL).any():
            return [ALL]
        else:
            groups.update(dict.fromkeys(counted.loc[counted["signal"] == name, "persona"]))
    return list(groups)


def _everyone(here: pd.DataFrame) -> pd.DataFrame | None:
    """In the view of all customers (rows of persona "all" at the place) where no persona stands
    out against the other personas: the rows of all customers, whose counts take in the customers
    no persona selects (D177); None in one persona's view, or where personas stand out."""
    rows = here[here["persona"] == ALL]
    standout = here[here["flagged"] & (here["persona"] != ALL) & (here["versus"] == "other personas")]
    return rows if len(rows) and standout.empty else None


def _shown_rows(here: pd.DataFrame, personas: list[str]) -> pd.DataFrame:
    """The comparisons that count, plus the per-persona ones that name the affected personas."""
    counted = here[here["counts"]]
    extra = here[here["flagged"] & ~here["counts"] & here["persona"].isin(personas)
                 & ~here["persona"].isin(counted["persona"])]
    return pd.concat([counted, extra])


def _fmt(value, unit) -> str:
    if unit == "share":
        return f"{value:.0%}"
    if unit in ("hours", DAY_HOURS):
        if unit == DAY_HOURS:       # a time from or to a date-only event: known to the day
            return f"{value / 24:,.1f} days (dates only)" if value >= 24 else "under a day (dates only)"
        if value < 1:
            return f"{value * 60:.0f} min"
        return f"{value:,.0f} h" if value < 72 else f"{value / 24:,.1f} days"
    return f"{value:+.2f}" if unit == "valence" else f"{value:.3g}"


def _describe(rows: pd.DataFrame, limit: int = 6) -> str:
    parts = []
    rows = rows.sort_values("effect", ascending=False)
    top = rows.head(limit)
    skipped, people, n_all, opened = (top[c] if c in top.columns else pd.Series(np.nan, index=top.index)
                                      for c in ("n_skipped", "n_customers", "n_all", "n_open"))
    zs = top["z"] if "z" in top.columns else pd.Series(np.nan, index=top.index)
    small = top["worse_below_min_n"] if "worse_below_min_n" in top.columns else pd.Series("", index=top.index)
    for persona, signal, value, unit, n, went, customers, everyone, still, baseline, versus, baseline_n, z, below in zip(
            *(top[c] for c in ("persona", "signal", "value", "unit", "n")), skipped, people, n_all, opened, *(
            top[c] for c in ("baseline", "versus", "baseline_n")), zs, small):
        who = "" if persona == ALL else f"{persona}: "
        answers = " answers" if unit == "valence" else ""       # answers, not customers (D195)
        counted = (_counted(value, n, went) + (_from_customers(customers) if answers else "")
                   + _open_words(n, everyone, still))
        ratio = "" if versus != OUTSIDE else (_ratio_words(value, baseline, z) if unit in ("hours", DAY_HOURS)
                                              else _difference_words(value, baseline, z, unit))
        said = f"{signal}, typical wait" if unit in ("hours", DAY_HOURS) else signal   # a geometric mean (D235)
        parts.append(f"{who}{said} {_fmt(value, unit)} ({counted}) vs "
                     f"{_fmt(baseline, unit)} {versus} (n={baseline_n:,}{answers}){ratio}"
                     + (f" ({below})" if isinstance(below, str) and below else ""))
    more = len(rows) - limit
    return "; ".join(parts) + (f"; (+{more} more in .evidence)" if more > 0 else "")


def _ratio_words(value, baseline, z) -> str:
    """``: 2.9 times as long (95% interval 2.7–3.1)``: a segment's geometric mean wait over that of
    the customers outside it, with the interval of Welch's z the comparison made (D217)."""
    ratio, low, high = _ratio_interval(value, baseline, z)
    return "" if np.isnan(ratio) else f": {ratio:.1f} times as long (95% interval {low:.1f}–{high:.1f})"


def _difference_words(value, baseline, z, unit) -> str:
    """``: 12.5 points more (95% interval 8.1–16.9)`` (a share) or ``: 1.02 lower (95% interval
    0.80–1.24)`` (a valence): a segment's rate or mean beside that of the customers outside it,
    with the interval of the z the comparison made (D228)."""
    diff, low, high = difference_interval(value, baseline, z)
    if np.isnan(diff):
        return ""
    low, high = sorted((abs(low), abs(high))) if low * high > 0 else (0.0, max(abs(low), abs(high)))
    if unit == "share":
        return (f": {abs(diff) * 100:.1f} points {'more' if diff > 0 else 'fewer'} "
                f"(95% interval {low * 100:.1f}–{high * 100:.1f})")
    return f": {abs(diff):.2f} {'higher' if diff > 0 else 'lower'} (95% interval {low:.2f}–{high:.2f})"


def _from_customers(customers) -> str:
    """`` answers from 602 customers``: a mean's n counts answers (survey scores, feedback texts),
    a customer may give several; the customers behind them, where the data names them (D195)."""
    return " answers" if pd.isna(customers) else f" answers from {count_words(int(customers))} customers"


def _counted(value, n, went) -> str:
    """``n=…``; for a drop-off some of whose lost customers go on, who stops and who skips (D169)."""
    if pd.isna(went) or not went:
        return f"n={n:,}"
    return (f"{count_words(round(value * n))} of {n:,} stop here, {count_words(went)} more skip "
            f"the next step and go on")


def _open_words(n, everyone, still) -> str:
    """For a drop-off measured without the customers still open at the data's end (D209): whom ``n``
    counts, and how many it leaves out (those still open among them)."""
    if pd.isna(still) or not still or pd.isna(everyone):
        return ""
    return (f", of those who had time to go on — {count_words(int(everyone) - int(n))} who reached it too "
            f"recently to judge left out, {count_words(int(still))} of them still open")


def _slug(*parts) -> str:
    text = "-".join(str(p) for p in parts if p)
    return "detected-" + re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")


def _title(signals, stage, touchpoint) -> str:
    """A detected pain point's title: its signals at its place, the journey's own spelling kept
    (only the first letter of the sentence is raised; docs/decisions.md D235)."""
    text = f"{', '.join(signals)} at {stage}" + (f" / {touchpoint}" if touchpoint else "")
    return text[:1].upper() + text[1:]


def _table_frame(rows: list[dict], journey) -> pd.DataFrame:
    stages = list(journey.stage_names) if journey is not None else []
    table = pd.DataFrame(rows, columns=[c for c in TABLE_COLUMNS if c not in
                                        ("rank", "themes", "quotes", "n_personas", "recurs",
                                         "n_feedback")] + ["_rows", "_label"])
    table["n_personas"] = table["personas"].map(len).astype(int)
    table["recurs"] = table["n_personas"] >= 2
    table["severity_sort"] = pd.to_numeric(table["severity"], errors="coerce").fillna(0)
    order = {s: i for i, s in enumerate(stages)}
    table["stage_order"] = table["stage"].map(lambda s: order.get(s, len(order)))
    return table
