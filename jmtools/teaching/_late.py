"""Exercises of steps 4–7: data integration, patterns and pain points, prioritisation, and
test–implement–iterate.

Every key is computed from the lesson's data when the answer is checked (see
:mod:`jmtools.teaching.lesson`); the judges name the misconception an answer shows.
"""

from __future__ import annotations

import itertools
import math

import pandas as pd

from jmtools.analyses import funnels
from jmtools.analyses.disclosure import MIN_GROUP
from jmtools.teaching._judge import (Exercise, Hint, choice, close, count, disclosed, fmt, interval_text,
                                     name, names, number, pct, share, shown, size_shown)
from jmtools.teaching.disclosed import change_hidden, shown_funnel
from jmtools.teaching.iterate import PERIODS, change_at, difference_interval

__all__ = ["EXERCISES", "worst_step", "both_touchpoints"]


def _persona_funnel(lesson) -> pd.DataFrame:
    size_shown(lesson)                                # its funnel starts with its size: not shown
    f = lesson.stage_funnel
    mine = f[f["persona"] == lesson.persona]
    if len(mine) < 2:
        raise Hint("not-available", needs="a journey with at least two stages that receive events")
    return mine


def _read_in_05(lesson) -> pd.Series:
    """Per row of the persona's stage funnel: notebooks 04 and 05 show its count and the one before
    (its conversion and drop-off can be said back), not hidden beside the total (D79, D81)."""
    shown = shown_funnel(lesson, lesson.stage_funnel)
    mine = shown[shown["persona"] == lesson.persona]
    return mine["n"].notna() & mine["n_prev"].notna()


# ---------------------------------------------------------- 4 · data integration
def _respondents(lesson) -> tuple[int, int, int]:
    """(customers of the persona who answered a survey, their answers, all respondents)."""
    surveys = lesson.table("surveys")
    if surveys is None:
        raise Hint("not-available", needs="a surveys table")
    size_shown(lesson)                                # notebook 04 shows none of its numbers
    a = lesson.assignment
    mine = surveys["customer_id"].isin(set(a.loc[a["persona"] == lesson.persona, "customer_id"]))
    customers = int(surveys.loc[mine, "customer_id"].nunique())
    disclosed(f"survey answers from {MIN_GROUP} or more of {lesson.persona}'s customers", customers)
    return customers, int(mine.sum()), int(surveys["customer_id"].nunique())


def _ask_4_1(lesson) -> str:
    _respondents(lesson)
    return f"How many of {lesson.persona}'s customers answered at least one survey?"


def _judge_4_1(lesson, answer) -> str:
    customers, answers, everyone = _respondents(lesson)
    got = count(answer)
    if got == customers:
        return f"Between them they gave {answers:,} answers."
    if got == answers:
        raise Hint("events-vs-customers", what="survey answers")
    if got == everyone:
        raise Hint("everyone-not-persona", persona=lesson.persona)
    raise Hint("wrong", nudge="Join the survey answers to the persona of each customer "
                              "(assign_personas), then count distinct customer_id.")


def both_touchpoints(lesson, a: str, b: str) -> int:
    """Customers of the persona with events at both touchpoints, in any order (the unordered count)."""
    e = lesson.events[lesson.events["persona"] == lesson.persona]
    at = {tp: set(e.loc[e["touchpoint"] == tp, "customer_id"]) for tp in (a, b)}
    return len(at[a] & at[b])


def _detour(lesson) -> tuple[str, str, int]:
    """(from, back to, customers who went straight back) of the persona's most common detour."""
    size_shown(lesson)                                # notebook 05 shows none of its detours
    d = funnels.detours(lesson.evidence, level="touchpoint", by="persona")
    mine = d[d["persona"] == lesson.persona]
    if mine.empty:
        raise Hint("not-available", needs="customers who go back to an earlier touchpoint")
    top = mine.sort_values(["n_customers", "from_step"], ascending=[False, True]).iloc[0]
    return str(top["from_step"]), str(top["to_step"]), int(top["n_customers"])


def _after(lesson) -> tuple[str, str, int, int]:
    """Exercise 4.2: (from, back to, customers at the second any time after the first, straight back);
    not available when the key is 1–4 customers (a right answer would confirm it)."""
    a, b, straight = _detour(lesson)
    f = funnels.funnel(lesson.evidence, steps=[a, b], level="touchpoint", by="persona")
    key = int(f[(f["persona"] == lesson.persona) & (f["step_index"] == 2)]["n"].iloc[0])
    disclosed(f"{MIN_GROUP} or more of {lesson.persona}'s customers at “{b}” after “{a}”", key)
    return a, b, key, straight


def _ask_4_2(lesson) -> str:
    a, b, _, _ = _after(lesson)
    days = ("" if getattr(lesson.evidence, "dates_only", None) is None else
            " (The events have dates only: within a day the kit takes them in journey order — "
            "stage, then touchpoint — as its funnels do.)")
    return (f"How many of {lesson.persona}'s customers visited “{b}” at some time after they had been "
            f"at “{a}”?{days}")


def _judge_4_2(lesson, answer) -> str:
    a, b, key, straight = _after(lesson)
    got = count(answer)
    if got == key:
        return ""
    if got == both_touchpoints(lesson, a, b):              # never fewer than the key: 5 or more
        raise Hint("unordered-funnel")
    if got == straight and shown(straight):                # a hint that names it confirms the count
        raise Hint("next-only")
    raise Hint("wrong", nudge=f"A two-step funnel [{a!r}, {b!r}] at the touchpoint level counts it.")


def _last_two(lesson) -> tuple[pd.Series, pd.Series]:
    """The persona's last two stages; not available when either holds 1–4 customers (its share
    would give the count away: the disclosure rule, docs/decisions.md D43), nor when nobody reached
    the one before (0 of 0 is no share)."""
    mine = _persona_funnel(lesson)
    if mine["n"].iloc[-2] == 0:                          # 0 of 0 is no share
        raise Hint("not-available", needs=f"customers of {lesson.persona} who reach “{mine['step'].iloc[-2]}”")
    few = ((mine["n"].iloc[-2:] > 0) & (mine["n"].iloc[-2:] < MIN_GROUP)).any()
    if few or not _read_in_05(lesson).iloc[-1]:
        raise Hint("not-available", needs=f"a last stage reached by {MIN_GROUP} or more of {lesson.persona}'s "
                                          "customers, shown in the funnel (fewer, and counts hidden beside "
                                          "the total, are not shown)")
    return mine.iloc[-1], mine.iloc[-2]


def _ask_4_3(lesson) -> str:
    last, before = _last_two(lesson)
    return (f"Of {lesson.persona}'s customers who reached “{before['step']}”, what share went on to "
            f"“{last['step']}”?")


def _judge_4_3(lesson, answer) -> str:
    last = _last_two(lesson)[0]
    got = share(answer)
    if close(got, last["conversion"], 0.005):
        return f"{int(last['n']):,} of {int(last['n_prev']):,}."
    if close(got, last["rate_from_start"], 0.005):
        raise Hint("reach-vs-conversion", value=pct(last["rate_from_start"]))
    if close(got, last["drop_off_rate"], 0.005):
        raise Hint("drop-off-vs-conversion", value=pct(last["drop_off_rate"]))
    everyone = funnels.funnel(lesson.evidence, steps=list(_persona_funnel(lesson)["step"]))
    if close(got, everyone["conversion"].iloc[-1], 0.005):
        raise Hint("everyone-not-persona", persona=lesson.persona)
    raise Hint("wrong", nudge="Read the persona's funnel: n of the last stage ÷ n of the one before.")


# ------------------------------------------------- 5 · patterns and pain points
def worst_step(lesson) -> pd.Series:
    """The funnel row where the persona loses the largest share (enough customers; earliest on ties)."""
    mine = _persona_funnel(lesson)
    steps = mine[(mine["step_index"] > 1) & (mine["n_prev"] >= lesson.min_n) & _read_in_05(lesson)]
    if steps.empty:
        raise Hint("not-available", needs=f"stages with {lesson.min_n} or more of the persona's customers, "
                                          "shown in the funnel")
    return steps.sort_values(["drop_off_rate", "step_index"], ascending=[False, True]).iloc[0]


_FORM_5_1 = '{"stage": "<the stage they fail to reach>", "interval": (low, high)}, shares to two decimals'
#: Exercise 5.1: how far each bound may lie from the interval (two decimals, rounded either way),
#: and how far a bound may lie for "close, give two decimals" rather than "not this one".
ROUNDING, NEAR = 0.01 + 1e-9, 0.05


def _ask_5_1(lesson) -> str:
    _persona_funnel(lesson)
    return (f"Between which two stages does {lesson.persona} lose the largest share of customers, and "
            "how sure are you? Name the stage they fail to reach, and the 95% interval of the share lost "
            "(two decimals).")


def _parse_5_1(lesson, answer):
    stages = list(lesson.journey.stage_names)
    if isinstance(answer, str):
        raise Hint("how-sure", form=_FORM_5_1)
    if isinstance(answer, dict):
        if "stage" not in answer:
            raise Hint("format", form=_FORM_5_1, got=repr(answer))
        stage, interval = answer["stage"], answer.get("interval")
    elif isinstance(answer, (list, tuple)) and len(answer) in (2, 3):
        stage, interval = answer[0], (answer[1] if len(answer) == 2 else answer[1:])
    else:
        raise Hint("format", form=_FORM_5_1, got=repr(answer))
    if isinstance(stage, str) and ("→" in stage or "->" in stage):
        stage = stage.replace("->", "→").split("→")[-1]
    stage = name(stage, stages, "stages")
    if interval is None:
        raise Hint("how-sure", form=_FORM_5_1)
    if not isinstance(interval, (list, tuple)) or len(interval) != 2:
        raise Hint("format", form=_FORM_5_1, got=repr(answer))
    low, high = sorted(share(x, "shares between 0 and 1") for x in interval)
    return stage, low, high


def _judge_5_1(lesson, answer) -> str:
    worst = worst_step(lesson)
    stage, low, high = _parse_5_1(lesson, answer)
    mine = _persona_funnel(lesson)
    read = mine[_read_in_05(lesson)]                     # a hint names no number the notebooks hide
    if stage != worst["step"]:
        before = mine[mine["step_index"] == worst["step_index"] - 1]["step"].iloc[0]
        steps = read[read["step_index"] > 1]
        most = steps.loc[steps["drop_off"].idxmax()]
        its_interval = close(low, 1 - most["ci_high"], 0.01) and close(high, 1 - most["ci_low"], 0.01)
        if stage == most["step"] and (stage != before or its_interval):
            raise Hint("count-vs-share", value=f"{int(most['drop_off']):,}")
        if stage == before:
            raise Hint("wrong", nudge="Name the stage they fail to reach (the later of the two).")
        if stage == read.loc[read["rate_from_start"].idxmin(), "step"]:
            raise Hint("reach-vs-conversion", value=pct(read["rate_from_start"].min()))
        raise Hint("wrong", nudge="Compare the drop-off rate of every step of the persona's funnel.")
    if high - low < 0.002:
        raise Hint("how-sure", form=_FORM_5_1)
    key_low, key_high = 1 - worst["ci_high"], 1 - worst["ci_low"]
    if close(low, key_low, ROUNDING) and close(high, key_high, ROUNDING):
        return (f"{pct(worst['drop_off_rate'])} lost ({int(worst['drop_off']):,} of "
                f"{int(worst['n_prev']):,}), 95% interval {interval_text(key_low, key_high, as_pct=True)}.")
    if close(low, worst["ci_low"], ROUNDING) and close(high, worst["ci_high"], ROUNDING):
        raise Hint("conversion-vs-drop-off", value=pct(worst["conversion"]))
    if close(low, key_low, NEAR) and close(high, key_high, NEAR):
        raise Hint("rounded")
    raise Hint("wrong", nudge="Right stage. The share lost is 1 − conversion, so its interval is 1 − the "
                              "conversion's interval with the bounds swapped: 1 − ci_high to 1 − ci_low.")


def _pair(lesson) -> tuple[pd.Series, pd.Series]:
    """Exercise 5.2: at the persona's worst step, the two personas hardest to tell apart, among those
    whose numbers notebook 05 shows there (:func:`~jmtools.teaching.disclosed.shown_funnel`)."""
    step = worst_step(lesson)["step"]
    f = shown_funnel(lesson, lesson.stage_funnel)
    rows = f[(f["step"] == step) & f["persona"].notna() & (f["n_prev"] >= lesson.min_n)
             & f["drop_off"].notna()]
    if len(rows) < 2:
        raise Hint("not-available", needs="two personas with enough customers at that step")

    def z(a, b):
        d, low, high = difference_interval(a["drop_off"], a["n_prev"], b["drop_off"], b["n_prev"])
        return abs(d) / max(high - low, 1e-9)

    a, b = min(itertools.combinations([r for _, r in rows.iterrows()], 2), key=lambda p: z(*p))
    return (a, b) if a["drop_off_rate"] >= b["drop_off_rate"] else (b, a)


def _ask_5_2(lesson) -> str:
    x, y = _pair(lesson)
    before = lesson.stage_funnel.query("step_index == @x.step_index - 1")["step"].iloc[0]
    return (f"At {before} → {x['step']}, does {x['persona']} lose a larger share of customers than "
            f"{y['persona']}? Answer “larger”, “smaller” or “no evidence”.")


def _judge_5_2(lesson, answer) -> str:
    x, y = _pair(lesson)
    got = choice(answer, {"larger": ("yes", "bigger", "higher", "more"), "smaller": ("lower", "less"),
                          "no evidence": ("can't tell", "cannot tell", "not sure", "same", "no difference",
                                          "no evidence of a difference")},
                 "“larger”, “smaller” or “no evidence”")
    d, low, high = difference_interval(y["drop_off"], y["n_prev"], x["drop_off"], x["n_prev"])
    key = "larger" if low > 0 else "smaller" if high < 0 else "no evidence"
    if got == key:
        return f"The difference is {pct(d)} (95% interval {interval_text(low, high, as_pct=True)})."
    raise Hint("interval-verdict", what="the difference", value="0", where="difference_interval of the two "
               "personas' losses at that step, as in the worked example",
               facts=(f"{x['persona']} loses {pct(x['drop_off_rate'])} (n = {int(x['n_prev'])}), {y['persona']} "
                      f"{pct(y['drop_off_rate'])} (n = {int(y['n_prev'])})."))


def _pains(lesson) -> pd.DataFrame:
    table = lesson.run.pain_points.table
    if table.empty:
        raise Hint("not-available", needs="pain points (in the journey file or found in the data)")
    if not (table["score"] > 0).any():                 # only assumptions: no answer would be right
        raise Hint("not-available", needs=f"a pain point with evidence in the data for {lesson.persona}")
    return table


def _ask_5_3(lesson) -> str:
    _pains(lesson)
    return (f"Which pain point should the team look at first for {lesson.persona}? Answer with its id "
            "(pain_point_id).")


def _judge_5_3(lesson, answer) -> str:
    table = _pains(lesson)
    known = list(table["pain_point_id"]) + list(table["title"])
    got = name(answer, known, "pain points (ids or titles)")
    row = table[(table["pain_point_id"] == got) | (table["title"] == got)].iloc[0]
    top = table["score"].max()
    if row["score"] >= top - 1e-9 and top > 0:
        tied = table.loc[table["score"] >= top - 1e-9, "pain_point_id"]
        ties = [p for p in tied if p != row["pain_point_id"]]
        return (f"{', '.join(ties)} {'ties' if len(ties) == 1 else 'tie'} with it: either is right. "
                if ties else "")
    if row["source"] == "journey file":
        raise Hint("assumption-not-evidence", what="That pain point")
    raise Hint("wrong", nudge="Rank the persona's pain points by the evidence behind them (the run's rank).")


# -------------------------------------------------------------- 6 · prioritise
def _backlog(lesson) -> pd.DataFrame:
    backlog = lesson.run.backlog
    if backlog.empty:
        raise Hint("not-available", needs="opportunities in the journey file")
    return backlog


_RICE = ("reach", "impact", "confidence", "effort")


def _rice_row(lesson) -> pd.Series:
    b = _backlog(lesson).dropna(subset=list(_RICE))
    b = b[b["effort"] > 0]
    if b.empty:
        raise Hint("not-available", needs="an opportunity with reach, impact, confidence and effort")
    telling = b[(b["effort"] != 1) & (b["impact"] != 1) & (b["confidence"] < 1)]
    return (telling if len(telling) else b).iloc[0]


def _ask_6_1(lesson) -> str:
    r = _rice_row(lesson)
    return (f"Opportunity “{r['id']}” ({r['title']}) has reach {fmt(r['reach'])}, impact "
            f"{fmt(r['impact'])}, confidence {fmt(r['confidence'])} and effort {fmt(r['effort'])} "
            "person-months. What is its RICE score?")


def _judge_6_1(lesson, answer) -> str:
    r = _rice_row(lesson)
    got = number(answer, "a number")
    reach, impact, conf, effort = (float(r[c]) for c in _RICE)
    key = reach * impact * conf / effort
    if math.isclose(got, key, rel_tol=0.005):
        return ""
    variants = {"without confidence": reach * impact / effort,
                "without dividing by effort": reach * impact * conf,
                "multiplying by effort": reach * impact * conf * effort,
                "with confidence in percent": key * 100, "without impact": reach * conf / effort}
    for label, value in variants.items():
        if math.isclose(got, value, rel_tol=0.005):
            raise Hint("rice-formula", variant=label)
    raise Hint("wrong", nudge="RICE = reach × impact × confidence ÷ effort.")


def _three(lesson) -> pd.DataFrame:
    """Exercise 6.2: three opportunities of the persona's backlog with distinct values at stake,
    chosen so that ranking by RICE would give another order, when possible."""
    b = _backlog(lesson)
    if "value_at_stake" not in b or b["value_at_stake"].isna().all():
        raise Hint("not-available", needs="orders (value at stake)")
    b = b.dropna(subset=["value_at_stake"]).head(8)
    best = None
    for combo in itertools.combinations(range(len(b)), 3):
        rows = b.iloc[list(combo)]
        if rows["value_at_stake"].nunique() < 3:
            continue
        by_value = list(rows.sort_values("value_at_stake", ascending=False)["id"])
        rice_known = rows["rice"].notna().all()
        by_rice = list(rows.sort_values("rice", ascending=False)["id"]) if rice_known else by_value
        rank = (by_rice == by_value, sum(combo))
        if best is None or rank < best[0]:
            best = (rank, rows)
    if best is None:
        raise Hint("not-available", needs="three opportunities with different values at stake")
    return best[1]


def _ask_6_2(lesson) -> str:
    rows = _three(lesson).sort_values("id")
    listed = "; ".join(f"“{r['id']}” ({r['title']})" for _, r in rows.iterrows())
    return (f"Rank these three opportunities for {lesson.persona}, highest value at stake first, and "
            f"defend the order in one sentence: {listed}.")


def _judge_6_2(lesson, answer) -> str:
    rows = _three(lesson)
    because = ""
    if isinstance(answer, dict):
        because = str(answer.get("because", "") or "")
        answer = answer.get("order", answer.get("ranking"))
    known = list(rows["id"]) + list(rows["title"])
    got = names(answer, known, "three opportunities (ids)",
                'a list of three ids, or {"order": [...], "because": "..."}')
    ids = [rows.loc[(rows["id"] == g) | (rows["title"] == g), "id"].iloc[0] for g in got]
    if sorted(ids) != sorted(rows["id"]):
        raise Hint("missing-items", count="An opportunity is", nudge="Rank all three, each once.")
    key = list(rows.sort_values("value_at_stake", ascending=False)["id"])
    if ids == key:
        at_stake = rows.set_index("id").loc[key, "value_at_stake"]
        values = ", ".join(f"{i} {fmt(v, 0)}" for i, v in zip(key, at_stake))
        said = because.strip() if because.strip()[:1] in "\"“‘'" else f"“{because.strip()}”"   # quoted once
        reason = (f" Your reason: {said} — does it name the data behind it?" if because.strip()
                  else " Now defend it in a sentence (\"because\": ...): what puts the first one first?")
        return f"Values at stake: {values}.{reason}"
    if ids == key[::-1]:
        raise Hint("lowest-first")
    for col, label in (("rice", "RICE"), ("reach", "reach"), ("impact", "impact")):
        ranked = list(rows.sort_values(col, ascending=False, kind="stable")["id"])
        if rows[col].notna().all() and ids == ranked:
            raise Hint("assumed-scores", by=label)
    raise Hint("wrong", nudge="Sort the three by value_at_stake in the persona's backlog.")


def _missing_owner_or_date(lesson) -> tuple[pd.DataFrame, set]:
    top = _backlog(lesson).head(3)
    return top, {r["id"] for _, r in top.iterrows() if _empty(r["owner"]) or _empty(r["target_date"])}


def _empty(value) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value)) or \
        str(value).strip() in ("", "None", "NaT")


def _ask_6_3(lesson) -> str:
    top, _ = _missing_owner_or_date(lesson)
    return (f"In {lesson.persona}'s backlog, which of the top three opportunities "
            f"({', '.join(top['id'])}) still lack an owner or a target date? (An empty list if none.)")


def _judge_6_3(lesson, answer) -> str:
    top, key = _missing_owner_or_date(lesson)
    known = list(top["id"]) + list(top["title"])
    got = {top.loc[(top["id"] == g) | (top["title"] == g), "id"].iloc[0]
           for g in names(answer, known, "top three opportunities", "a list of ids, e.g. [\"a\", \"b\"]")}
    if got == key:
        return ""
    if key - got:
        raise Hint("missing-items", count=f"{len(key - got)} of them",
                   nudge="Look at the owner and target_date columns of the top three.")
    raise Hint("extra-items", items=", ".join(sorted(got - key)), nudge="It has an owner and a target date.")


# ---------------------------------------------------- 7 · test, implement, iterate
def _change(lesson) -> dict:
    """Exercises 7.1–7.2: the change at the persona's worst step; not available when notebook 07 hides
    a period's count there (or at the stage before): 1–4 customers, or a count hidden beside the
    persona's funnel (:func:`~jmtools.teaching.disclosed.change_hidden`). The feedback says "k of n"."""
    c = change_at(lesson.periods, worst_step(lesson)["step"], group=lesson.persona)
    for empty in (p for p in PERIODS if not c[p]["n_prev"]):     # nothing to compare: never "right" with "–"
        raise Hint("not-available", needs=f"{lesson.persona}'s customers at the stage before “{c['step']}” in both "
                                          f"periods (none {empty} {lesson.split:%Y-%m-%d}; choose another split)")
    periods = shown_funnel(lesson, lesson.periods[lesson.periods["persona"] == lesson.persona])
    if change_hidden(periods[periods["step"] == c["step"]], lesson.persona):
        raise Hint("not-available", needs=f"counts of {lesson.persona}'s customers in each period at "
                                          f"“{c['step']}” and at the stage before it that notebook 07 shows "
                                          f"({MIN_GROUP} or more; those hidden are not confirmed by a check)")
    return c


def _ask_7_1(lesson) -> str:
    c = _change(lesson)
    return (f"Suppose a fix for {c['step']} went live on {lesson.split:%Y-%m-%d}. What was the baseline: "
            f"the share of {lesson.persona}'s customers first seen before that day who went on to "
            f"“{c['step']}” after reaching the stage before it?")


def _judge_7_1(lesson, answer) -> str:
    c = _change(lesson)
    got = share(answer)
    before, after = c["before"], c["after"]
    if close(got, before["conversion"], 0.005):
        return (f"{before['n']:,} of {before['n_prev']:,} (95% interval "
                f"{interval_text(before['ci_low'], before['ci_high'], as_pct=True)}).")
    split = f"{lesson.split:%Y-%m-%d}"
    if close(got, after["conversion"], 0.005):
        raise Hint("baseline-period", which="the period after the change", split=split)
    both = (before["n"] + after["n"]) / max(before["n_prev"] + after["n_prev"], 1)
    if close(got, both, 0.005):
        raise Hint("baseline-period", which="both periods together", split=split)
    if close(got, 1 - before["conversion"], 0.005):
        raise Hint("drop-off-vs-conversion", value=pct(1 - before["conversion"]))
    p = lesson.periods
    reach = p[(p["persona"] == lesson.persona) & (p["period"] == "before") & (p["step"] == c["step"])]
    if len(reach) and close(got, reach["rate_from_start"].iloc[0], 0.005):
        raise Hint("reach-vs-conversion", value=pct(reach["rate_from_start"].iloc[0]))
    raise Hint("wrong", nudge="Use teaching.before_after(...) and read the 'before' conversion at that step.")


def _ask_7_2(lesson) -> str:
    c = _change(lesson)
    return (f"For customers first seen on or after {lesson.split:%Y-%m-%d}, did the share that went on to "
            f"“{c['step']}” get better, worse — or is there no evidence of a change?")


def _judge_7_2(lesson, answer) -> str:
    c = _change(lesson)
    got = choice(answer, {"better": ("improved", "up", "higher"), "worse": ("down", "lower"),
                          "no evidence": ("no change", "can't tell", "cannot tell", "same",
                                          "no evidence of a change", "not sure")},
                 "“better”, “worse” or “no evidence”")
    if got == c["verdict"]:
        return (f"After − before = {pct(c['difference'])}, 95% interval "
                f"{interval_text(c['ci_low'], c['ci_high'], as_pct=True)}.")
    raise Hint("interval-verdict", what="the difference (after − before)", value="0",
               where="ci_low and ci_high of change_at at that step",
               facts=(f"Before: {pct(c['before']['conversion'])} (n = {c['before']['n_prev']}); after: "
                      f"{pct(c['after']['conversion'])} (n = {c['after']['n_prev']})."))


def _to_update(lesson) -> pd.DataFrame:
    gap = lesson.run.gap
    if gap is None:
        raise Hint("not-available", needs="surveys or feedback")
    return gap[gap["persona"] == lesson.persona]


def _ask_7_3(lesson) -> str:
    _to_update(lesson)
    return (f"Next version of the map: at which stage should the assumed emotion of {lesson.persona} be "
            "changed, because the data disagrees? (One stage; “none” if the data agrees everywhere.)")


def _judge_7_3(lesson, answer) -> str:
    gap = _to_update(lesson)
    wrong = gap[gap["verdict"].isin(["assumed too high", "assumed too low"]) & ~gap["low_evidence"]]
    if isinstance(answer, str) and answer.strip().casefold() == "none":
        if wrong.empty:
            return ""
        raise Hint("missing-items", count=f"{len(wrong)} stage{'s' if len(wrong) > 1 else ''}",
                   nudge="Look at the verdict of the assumed–measured gap for the persona.")
    got = name(answer, list(lesson.journey.stage_names), "stages")
    if got in set(wrong["stage"]):
        others = [s for s in wrong["stage"] if s != got]
        return f"{', '.join(others)} too." if others else ""
    row = gap[gap["stage"] == got].iloc[0]
    if row["n"] == 0 or pd.isna(row["measured"]):
        raise Hint("no-evidence", where=got)
    if row["low_evidence"]:
        raise Hint("small-group", n=int(row["n"]), min_n=lesson.min_n, low=fmt(row["ci_low"]),
                   high=fmt(row["ci_high"]))
    facts = f"At {got} the workshop assumed {fmt(row['assumed'])}; the data measures {fmt(row['measured'])}."
    raise Hint("interval-certainty", facts=facts, interval=interval_text(row["ci_low"], row["ci_high"]),
               value=fmt(row["assumed"]))


def _ex(id, title, stars, form, ask, judge, why, needs=()) -> Exercise:
    return Exercise(id, int(id.split(".")[0]), title, stars, form, ask, judge, why, tuple(needs))


EXERCISES = [
    _ex("4.1", "Joining answers to customers", 1, "a whole number", _ask_4_1, _judge_4_1,
        "Integration is per customer: once surveys, orders and events share a customer_id, every "
        "question can be asked per persona.", needs=("surveys",)),
    _ex("4.2", "In what order?", 2, "a whole number", _ask_4_2, _judge_4_2,
        "Order is what turns event logs into a journey: 'after' is the question a funnel answers, "
        "and an unordered count inflates it."),
    _ex("4.3", "Conversion, not reach", 2, "a share between 0 and 1", _ask_4_3, _judge_4_3,
        "Conversion locates the loss (which step), reach measures its total effect; mixing them "
        "sends the fix to the wrong stage."),
    _ex("5.1", "Where they are lost, and how sure", 1, _FORM_5_1, _ask_5_1, _judge_5_1,
        "A pain point is a number with its interval: the interval says how much weight the claim can "
        "carry in the room."),
    _ex("5.2", "A difference or noise?", 2, "\"larger\", \"smaller\" or \"no evidence\"", _ask_5_2,
        _judge_5_2,
        "Two personas whose intervals of the difference include 0 are not different on this data; "
        "a map that says they are sends the team after noise."),
    _ex("5.3", "The first pain point to look at", 3, "a pain point id", _ask_5_3, _judge_5_3,
        "The ranking weighs evidence from the data; a pain point only written in the journey file is "
        "an assumption to check, not yet a priority."),
    _ex("6.1", "A RICE score by hand", 1, "a number", _ask_6_1, _judge_6_1,
        "Knowing what each factor does (confidence discounts, effort divides) lets the team argue "
        "about the inputs rather than the result."),
    _ex("6.2", "Rank three and defend it", 2, "a list of three ids (highest first), or "
        "{\"order\": [...], \"because\": \"...\"}", _ask_6_2, _judge_6_2,
        "Value at stake comes from the data (customers affected, lift needed, order value); scores "
        "typed in a workshop are estimates. A backlog defended with data survives the meeting.",
        needs=("orders",)),
    _ex("6.3", "Who owns it, by when?", 3, "a list of ids (empty if none)", _ask_6_3, _judge_6_3,
        "An opportunity without an owner and a date is a wish; the backlog becomes a plan when "
        "every top item has both."),
    _ex("7.1", "The baseline", 1, "a share between 0 and 1", _ask_7_1, _judge_7_1,
        "Without a baseline measured before the change, no one can say later whether the fix worked."),
    _ex("7.2", "Did it change?", 2, "\"better\", \"worse\" or \"no evidence\"", _ask_7_2, _judge_7_2,
        "Before/after numbers always differ a little; only a difference whose interval excludes 0 is "
        "evidence of a change — and even then, not proof of its cause."),
    _ex("7.3", "The next version of the map", 3, "a stage name, or \"none\"", _ask_7_3, _judge_7_3,
        "A living map is updated where the data disagrees with it, and versioned so that every "
        "change can be read as a diff."),
]
