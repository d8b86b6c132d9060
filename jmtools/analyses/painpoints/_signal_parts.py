"""Helpers of the signal builders (:mod:`jmtools.analyses.painpoints.signals`): each row's
place (stage, touchpoint, persona), each touchpoint's stage, and the customers a funnel step
loses who go on all the same (read by the drop-off, D169), and the complaints placed on the
stages with the customers each is divided by (D186).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jmtools.analyses.painpoints._common import ALL, _col
from jmtools.core.engine import to_pandas
from jmtools.core.errors import DataError, ParameterError, Problem


def _keys(frame, stage_col, touchpoint_col, persona_col, what) -> pd.DataFrame:
    stage = _col(frame, stage_col, "stage_col", what)
    tp = _col(frame, touchpoint_col, "touchpoint_col", what, required=False)
    persona = _col(frame, persona_col, "persona_col", what, required=False)
    return pd.DataFrame({
        "stage": stage.astype(object).to_numpy(),
        "touchpoint": (tp.astype(object).where(tp.notna(), None).to_numpy() if tp is not None
                       else np.full(len(frame), None, dtype=object)),
        "persona": (persona.astype(object).where(persona.notna(), None).to_numpy()
                    if persona is not None else np.full(len(frame), ALL, dtype=object)),
    }, index=frame.index)


def _stage_lookup(journey) -> dict[str, str]:
    if journey is None:
        raise ParameterError("journey", None, expected="the Journey, to find each touchpoint's stage",
                             fix="pass journey=... for touchpoint-level results")
    if isinstance(journey, dict):
        return dict(journey)
    return {t.name: t.stage for t in journey.touchpoints}


def _went_on(rows, lost, skips, step_col, index_col, persona_col) -> np.ndarray:
    """Per funnel row (step *k* ≥ 2): its ``n_skipped`` in ``skips``, which must count the same
    customers lost (a step nobody is lost at needs no row)."""
    keys = ([persona_col] if persona_col else []) + ["step_index", "step"]
    for col in (*keys, "n_lost", "n_skipped"):
        _col(skips, col, "skips", "skips")
    left = pd.DataFrame({**({persona_col: rows[persona_col].to_numpy()} if persona_col else {}),
                         "step_index": rows[index_col].to_numpy(), "step": rows[step_col].to_numpy(),
                         "_lost": lost.to_numpy()})
    got = left.merge(skips[[*keys, "n_lost", "n_skipped"]], on=keys, how="left")
    got["n_skipped"] = got["n_skipped"].where(got["_lost"] > 0, 0)
    bad = got["n_skipped"].isna() | ((got["_lost"] > 0) & (got["n_lost"] != got["_lost"]))
    if bad.any():
        first = got[bad].iloc[0]
        raise DataError([Problem(f"the skips do not match the funnel at {int(bad.sum())} steps (first "
                                 f"{first['step']!r}: {int(first['_lost'])} lost in the funnel, "
                                 f"{first['n_lost']} in the skips)", source="skips", column="n_lost",
                                 fix="pass funnels.skipped_steps(evidence, steps=..., by=...) with the "
                                     "funnel's own steps and groups")])
    return got["n_skipped"].to_numpy(dtype=float)


def _had_time(frame: pd.DataFrame, rows, still_open, step_col, persona_col, skips: bool) -> None:
    """The drop-off ``frame`` (``_lost``, ``_entered``, ``_skipped``; one row per funnel row ``rows``)
    among the customers who had time to go on (D209): the customers :func:`jmtools.analyses.compare.
    still_open_steps` leaves out at the row's step (``left_out``; of them ``open`` not at the step, and
    ``open_skipped`` of those going on all the same) leave the counts; what everyone counts stays in
    ``_count_all``, ``_n_all``, and ``_open`` says the open; ``_hide`` marks a persona's row where some
    group has 1–4 open there (``small_persona``, :func:`_open_hidden`). In place."""
    frame["_count_all"], frame["_n_all"], frame["_open"] = frame["_lost"], frame["_entered"], 0.0
    if still_open is None or not len(still_open):
        return
    for col in ("step", "persona", "left_out", "open", "open_skipped"):
        _col(still_open, col, "still_open", "still_open")
    who = rows[persona_col].astype(str).to_numpy() if persona_col else np.full(len(rows), "", dtype=object)
    cols = ["step", "persona", "left_out", "open", "open_skipped"]
    small = still_open["small_persona"] if "small_persona" in still_open else False
    got = pd.DataFrame({"step": rows[step_col].astype(str).to_numpy(), "persona": who}).merge(
        still_open[cols].assign(_said=~(still_open["persona"].ne("") & small)), on=["step", "persona"], how="left")
    got = got.fillna({c: 0 for c in cols[2:]})
    skipped = got["open_skipped"].to_numpy(dtype=float) if skips else 0.0
    frame["_entered"] = frame["_entered"] - got["left_out"].to_numpy(dtype=float)
    frame["_lost"] = frame["_lost"] - (got["open"].to_numpy(dtype=float) - skipped)
    if skips:
        frame["_skipped"] = frame["_skipped"] - skipped
    frame["_open"] = got["open"].to_numpy(dtype=float)
    frame["_hide"] = ~got["_said"].fillna(True).astype(bool).to_numpy()


def _open_hidden(out: pd.DataFrame, frame: pd.DataFrame) -> pd.DataFrame:
    """``out`` (the drop-off signal) with ``n_open`` missing in a persona's row where some group has
    1–4 open there: its count beside everyone's would give theirs back (D199); the counts stay."""
    if "_hide" not in frame or not frame["_hide"].any() or "persona" not in frame:
        return out
    hidden = set(zip(frame.loc[frame["_hide"], "stage"], frame.loc[frame["_hide"], "persona"]))
    mask = [(s, p) in hidden for s, p in zip(out["stage"], out["persona"])]
    return out.assign(n_open=out["n_open"].mask(mask))


#: Why a complaint counts in no complaint signal (``collect_signals(...).attrs["dropped"]``).
NO_PLACE, NOBODY_THERE = "tickets without stage or touchpoint", "tickets at stages no customer's events reach"
UNKNOWN = "tickets naming a stage the journey lacks"


def _complaints_placed(evidence, tickets, reached, lookup, by, persona_col, customer_col):
    """The complaints ``tickets`` with their stage (or their touchpoint's) and persona, and the
    customers each stage's share is taken of: the funnel's ``reached`` (stage, entered); at an
    exit or optional stage, no step of the funnel, the customers seen there — with an event
    there or a complaint there (D186). Returns (placed, reached, dropped, off_funnel):
    ``dropped`` counts the rows left out per reason, ``off_funnel`` per such stage its rows,
    customers complaining, customers seen and those with an event there."""
    t = tickets.copy()
    stage = t["stage"] if "stage" in t else pd.Series(None, index=t.index, dtype=object)
    if "touchpoint" in t:
        stage = stage.where(stage.notna(), t["touchpoint"].map(lookup))
    t["stage"] = stage
    dropped = {NO_PLACE: int(t["stage"].isna().sum())}
    t = t[t["stage"].notna()]
    if by is not None and persona_col not in t:
        who = to_pandas(evidence.events.select(customer_col, persona_col).distinct())
        t = t.merge(who.drop_duplicates(customer_col), on=customer_col, how="left")
    apart = [s for s in (*evidence.exit_stages, *evidence.optional_stages)
             if s in set(t["stage"]) and s not in set(reached["stage"])]
    off = {}
    if apart:
        cols = [customer_col, "stage"] + ([persona_col] if by is not None else [])
        there = to_pandas(evidence.events.filter(evidence.events.stage.isin(apart)).select(*cols).distinct())
        there = there.assign(**{customer_col: there[customer_col].astype(str)})
        said = t.loc[t["stage"].isin(set(there["stage"])), cols].assign(
            **{customer_col: lambda d: d[customer_col].astype(str)})
        seen = pd.concat([there, said]).drop_duplicates([customer_col, "stage"])   # events first: their persona
        keys = ["stage"] + ([persona_col] if by is not None else [])
        reached = pd.concat([reached, seen.groupby(keys, dropna=False).size().rename("entered").reset_index()],
                            ignore_index=True)
        for stage in sorted(set(there["stage"]), key=apart.index):
            mine = said[said["stage"] == stage]
            off[stage] = {"rows": len(mine), "customers": int(mine[customer_col].nunique()),
                          "seen": int((seen["stage"] == stage).sum()),
                          "with_event": int((there["stage"] == stage).sum())}
    counted = set(reached.loc[reached["entered"] > 0, "stage"])     # a rate needs customers who got there
    unreached = ~t["stage"].isin(counted)
    unknown = ~t["stage"].isin(set(evidence.stages))
    dropped.update({NOBODY_THERE: int((unreached & ~unknown).sum()), UNKNOWN: int(unknown.sum())})
    return t[~unreached], reached, dropped, off


def _date_only_stages(evidence) -> set:
    """Stages that receive an event kind recorded with its date only (``Evidence.date_only``; not
    a kind with times some of whose rows were written as a date alone, D140)."""
    day, mapping = getattr(evidence, "date_only", None), getattr(evidence, "mapping", None)
    if day is None or mapping is None or not len(day):
        return set()
    if "n_dated" in day:
        day = day[day["n_dated"] == day["n_events"]]
    return set(mapping.loc[mapping["event"].isin(day["event"]), "stage"].dropna())


def _customers_unknown(part: pd.DataFrame) -> pd.DataFrame:
    """A signals frame made before ``n_customers`` existed (or by hand): a rate's ``n`` counts
    customers; a mean's customers are unknown (the disclosure rule then reads ``n``)."""
    rate = part["kind"] == "rate" if "kind" in part.columns else False
    n = part["n"] if "n" in part.columns else np.nan
    return part.assign(n_customers=pd.Series(np.where(rate, n, np.nan), index=part.index, dtype=float))
