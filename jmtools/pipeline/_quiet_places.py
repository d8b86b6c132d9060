"""Journey pain points that no measured signal confirms: how many customers the data shows at
their place (D177).

An energy supplier's "Engineers miss smart meter appointments" was listed with "no signal in the
data at this stage/touchpoint" while 866 households had a ``meter_visit_missed`` event there (a
touchpoint the company starts, so no drop-off, time or feedback of the customer's own measures
it). "No signal" read as "no data". The sentence now says how many customers have events at the
place, touchpoint by touchpoint, marking those the company starts, and that none of the measured
signals there is significantly worse than what it is compared with; score and rank are unchanged:
events at a place are no evidence that it hurts.
"""

from __future__ import annotations

import pandas as pd

from jmtools.analyses.disclosure import count_words
from jmtools.core.engine import kept_answer, to_pandas

__all__ = ["with_place_reach"]

#: What :mod:`jmtools.analyses.painpoints` writes for a journey pain point without a signal.
_NO_SIGNAL = ("no signal in the data at this stage/touchpoint", "no signal in the data at this stage",
             "no signal in the data at this touchpoint")
#: What replaces it: the measured signals are compared, and none is significantly worse.
_QUIET = "none of the signals measured here is significantly worse than what it is compared with"
#: How a touchpoint the company starts is marked.
_COMPANY = " (a contact the company starts)"


def with_place_reach(table: pd.DataFrame, evidence, persona: str | None = None) -> pd.DataFrame:
    """``table`` (a pain-point table) whose journey pain points without a signal say how many
    customers (of ``persona``, if given) have events at their stage or touchpoint, per touchpoint
    (those the company starts marked), instead of "no signal in the data"; counts of 1–4 are said
    "fewer than 5"; other rows, scores and ranks unchanged. Those rows' count is also in the column
    ``customers_with_events`` (missing on every other row), so a chart beside the table can say the
    same number (D184)."""
    quiet = [i for i in table.index if table.at[i, "source"] == "journey file"
             and any(s in str(table.at[i, "evidence"]) for s in _NO_SIGNAL)]
    if not quiet or evidence is None:
        return table
    stages = sorted({str(table.at[i, "stage"]) for i in quiet})

    def count():       # only when not kept: reading evidence.events attaches the event table (D83)
        events = evidence.events
        if persona is not None and "persona" in events.columns:
            events = events.filter(events.persona == persona)
        at = events.filter(events.stage.isin(stages))
        per_tp = to_pandas(at.group_by(["stage", "touchpoint"]).agg(n=at.customer_id.nunique()))
        per_stage = to_pandas(at.group_by("stage").agg(n=at.customer_id.nunique()))
        out = pd.concat([per_tp.assign(level="touchpoint"), per_stage.assign(touchpoint="", level="stage")],
                        ignore_index=True)[["stage", "touchpoint", "level", "n"]]
        return out.astype({"stage": str, "touchpoint": str, "level": str, "n": "int64"})   # reads back exactly

    got = kept_answer(evidence, ("places", persona, tuple(stages)), count)
    per_tp = got[got["level"] == "touchpoint"]
    per_stage = dict(got.loc[got["level"] == "stage", ["stage", "n"]].values)
    company = set(getattr(evidence, "company_touchpoints", None) or [])
    order = {t: k for k, t in enumerate(getattr(evidence, "touchpoints", None) or [])}
    table = table.copy()
    table["customers_with_events"] = float("nan")
    for i in quiet:
        stage, tp = str(table.at[i, "stage"]), table.at[i, "touchpoint"]
        here = per_tp[per_tp["stage"] == stage]
        if isinstance(tp, str) and tp:
            here = here[here["touchpoint"] == tp]
            n, where = int(here["n"].sum()), "this touchpoint" + (_COMPANY if tp in company else "")
        else:
            n, where = int(per_stage.get(stage, 0)), "this stage"
        text = str(table.at[i, "evidence"])
        for said in _NO_SIGNAL:
            text = text.replace(said, _words(n, where, here, company, order, tp))
        table.at[i, "evidence"] = text
        table.at[i, "customers_with_events"] = float(n)
    return table


def _words(n: int, where: str, here: pd.DataFrame, company: set, order: dict, tp) -> str:
    if n == 0:
        return f"no customer has events at {where} in the data"
    parts = [f"{t}{_COMPANY if t in company else ''} {count_words(k)}"
             for t, k in sorted(zip(here["touchpoint"], here["n"]), key=lambda p: order.get(p[0], len(order)))
             if isinstance(t, str)]
    by_tp = f" ({'; '.join(parts)})" if parts and not (isinstance(tp, str) and tp) else ""
    return f"{count_words(n)} customers have events at {where}{by_tp}; {_QUIET}"
