"""Exercises of the opening notebook and of steps 1–3: personas, touchpoints, the emotional journey.

Every key is computed from the lesson's data when the answer is checked (see
:mod:`jmtools.teaching.lesson`); the judges name the misconception an answer shows.
"""

from __future__ import annotations

import ast
import dataclasses
import html
import math
import re

import pandas as pd

from jmtools.analyses import kpis
from jmtools.analyses.valence import score_to_valence
from jmtools.core.metrics import SCALES
from jmtools.core.vocabulary import IN_CUSTOMERS_TITLE, NO_PERSONA
from jmtools.personas import PersonaCard, RuleError, persona_filter, persona_sizes
from jmtools.analyses.disclosure import MIN_GROUP
from jmtools.pipeline import disclosed_shares
from jmtools.teaching._judge import (Exercise, Hint, choice, count, disclosed, fmt, name, names,
                                     pct, shown, size_shown)
from jmtools.teaching.disclosed import shown as shown_rows

__all__ = ["EXERCISES", "lowest_accepted", "hidden_card", "persona_cards", "ENOUGH", "HIDDEN_RULE"]


def lowest_accepted(frame: pd.DataFrame, group_col: str, *, value: str = "value",
                    min_n: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(rows with enough evidence, rows accepted as "the lowest") of a frame with n and intervals.

    The lowest is the smallest value among rows with ``n >= min_n``; every such row whose
    value lies inside the lowest's 95% interval is accepted too (the data cannot tell them
    apart).

    Examples
    --------
    >>> f = pd.DataFrame({"g": ["a", "b", "c", "d"], "value": [1.0, 1.2, 3.0, 0.1],
    ...                   "n": [50, 60, 70, 3], "ci_high": [1.5, 1.6, 3.3, 2.0]})
    >>> lowest_accepted(f, "g", min_n=30)[1]["g"].tolist()
    ['a', 'b']
    """
    ok = frame[(frame["n"] >= min_n) & frame[value].notna()]
    if ok.empty:
        return ok, ok
    low = ok.loc[ok[value].idxmin()]
    return ok, ok[ok[value] <= low["ci_high"]]


def _also(accepted: pd.DataFrame, col: str, answer: str) -> str:
    others = [str(g) for g in accepted[col] if g != answer]
    if not others:
        return ""
    return (f"{', '.join(others)} {'is' if len(others) == 1 else 'are'} inside the interval too: "
            "the data cannot tell them apart, and either answer is right.")


# ------------------------------------------------------------------ 0 · start here
def _ask_0_1(lesson) -> str:
    return (f"The journey “{lesson.journey.name}” has {len(lesson.journey.stage_names)} stages. "
            "List them in the order a customer lives them, first to last.")


def _judge_0_1(lesson, answer) -> str:
    stages = list(lesson.journey.stage_names)
    got = names(answer, stages, "stages", "a list of stage names",   # listed, they would be the answer
                unlisted="Read them in the journey file (journey.stage_names), each as a text of its own in "
                         "the list: [\"First\", \"Second\"].")
    if got == stages:
        return ""
    if sorted(got) == sorted(stages):
        raise Hint("journey-order")
    missing = [s for s in stages if s not in got]
    if missing:
        raise Hint("missing-items", count=f"{len(missing)} of the {len(stages)} stages",
                   nudge="List every stage of the journey file.")
    raise Hint("extra-items", items=", ".join(sorted({s for s in got if got.count(s) > 1})),
               nudge="Each stage once.")


def _ask_0_2(lesson) -> str:
    return "How many customers have at least one event in this data?"


def _judge_0_2(lesson, answer) -> str:
    got, ev = count(answer), lesson.evidence
    if got == ev.n_customers:
        return ""
    if got == ev.n_events:
        raise Hint("events-vs-customers", what="events")
    if "customers" in lesson.world.tables and got == len(lesson.customers):
        raise Hint("wrong", nudge="That is the customer table. Some customers in it may never "
                                  "appear in the events, and some events may come from customers "
                                  "missing from it: count the customers of the events.")
    raise Hint("wrong", nudge="Count distinct customer_id in the events (the Evidence says it too).")


# ----------------------------------------------------------------- 1 · personas
def _size_with_events(lesson) -> int:
    """Exercise 1.1's key; not available when the size is 1–4 or hidden to protect a smaller persona
    (the sizes beside the total of step 1, :func:`~jmtools.pipeline.disclosed_shares`)."""
    sizes = disclosed_shares(lesson.evidence.persona_sizes, "n_customers", numbers=())
    mine = sizes[sizes["persona"].astype(str) == lesson.persona]
    raw = lesson.evidence.persona_sizes.set_index("persona")["n_customers"]
    key = int(raw.get(lesson.persona, 0))
    disclosed(f"{MIN_GROUP} or more customers with events in {lesson.persona}", key)
    if mine["suppressed"].any():
        raise Hint("not-available", needs=f"a size of {lesson.persona} that step 1 shows (it is hidden so "
                                          "that the total does not give a smaller persona away)")
    return key


def _ask_1_1(lesson) -> str:
    _size_with_events(lesson)
    return (f"How many customers with events belong to {lesson.persona} — each customer counted for "
            "the first persona (in file order) whose rule selects them?")


def _judge_1_1(lesson, answer) -> str:
    got = count(answer)
    key = _size_with_events(lesson)
    if got == key:
        return ""
    if got == lesson.evidence.n_customers:
        raise Hint("everyone-not-persona", persona=lesson.persona)
    rule = lesson.journey.personas_resolved()[list(lesson.journey.persona_names).index(lesson.persona)].rule
    seen = set(lesson.events["customer_id"])
    if rule and got == int(persona_filter(lesson.customers, rule)["customer_id"].isin(seen).sum()) and shown(got):
        raise Hint("wrong", nudge="That counts every customer the rule selects. A customer selected "
                                  "by two rules belongs to the first persona in the file: count "
                                  "after assign_personas().")
    raise Hint("wrong", nudge="Count the persona's customers who have events (Evidence.persona_sizes, "
                              "or the persona column of the events).")


def _target_card(lesson):
    cards = [p for p in lesson.journey.personas_resolved() if p.rule]
    if len(cards) < 2:
        raise Hint("not-available", needs="two personas with rules")
    at = next((i for i, p in enumerate(cards) if p.name == lesson.persona), -1)
    return cards[(at + 1) % len(cards)]


def _card_customers(lesson, card) -> set:
    """Exercise 1.2's key: the card's customers as step 1 counts them (each customer in the first
    persona, in file order, whose rule selects them: the n of its chart); not available when they
    are 1–4 (a right rule would confirm the group)."""
    a = lesson.assignment
    key = set(a.loc[a["persona"].astype(str) == card.name, "customer_id"])
    disclosed(f"{MIN_GROUP} or more customers in {card.name}", len(key))
    return key


def _size_shown(lesson, name: str) -> bool:
    """Whether step 1 shows the size of persona ``name`` (customer table and events): a size hidden
    to protect a smaller persona is not said back as the count a rule selects."""
    tables = (disclosed_shares(persona_sizes(lesson.assignment), "n"),
              disclosed_shares(lesson.evidence.persona_sizes, "n_customers", numbers=()))
    return not any(t.loc[t["persona"].astype(str) == name, "suppressed"].any() for t in tables)


def _ask_1_2(lesson) -> str:
    card = _target_card(lesson)
    _card_customers(lesson, card)
    facts = "; ".join(f"{k}: {v}" for k, v in card.demographics.items()) or "none given"
    columns = ", ".join(c for c in lesson.customers.columns if c != "customer_id")
    return (f"The card “{card.name}” (its rule hidden) says: {card.backstory or ''} "
            f"Demographics: {facts}. Write a rule over the customer table ({columns}) that selects "
            "this persona's customers — from the card and the data, not copied from the journey file. "
            f"It is right when it finds at least three quarters of {card.name}'s customers (as step 1 "
            "counts them) and at least three quarters of the customers it selects are theirs.")


#: What the card of exercise 1.2 says where its rule would be: that it is hidden, and why.
HIDDEN_RULE = "rule: hidden — you write it yourself in exercise 1.2, from this card and the data"


@dataclasses.dataclass(frozen=True)
class _RuleHiddenCard(PersonaCard):
    """A persona card whose rule is hidden for exercise 1.2: it says so where the rule would be."""

    def __repr__(self) -> str:
        return "PersonaCard" + super().__repr__().removeprefix(type(self).__name__).replace(
            "rule=None", f"rule=<{HIDDEN_RULE}>", 1)

    def to_html(self) -> str:
        return super().to_html().replace("</span></h3>", f'</span></h3><div class="jm-rule">'
                                         f"{html.escape(HIDDEN_RULE)}</div>", 1)


def hidden_card(lesson) -> PersonaCard:
    """The card of exercise 1.2 without its rule; where the rule would be, it says that the rule
    is hidden and why (:data:`HIDDEN_RULE`).

    Examples
    --------
    >>> from jmtools.teaching import Lesson
    >>> card = hidden_card(Lesson("sample:ecommerce"))
    >>> card.name, card.rule, "rule: hidden" in card.to_html()
    ('Marathon Maya', None, True)
    """
    card = PersonaCard.from_persona(_target_card(lesson))
    return _RuleHiddenCard(**{**{f.name: getattr(card, f.name) for f in dataclasses.fields(card)}, "rule": None})


def persona_cards(lesson) -> list[PersonaCard]:
    """The journey's persona cards as step 1's worked example shows them: the card of exercise 1.2
    without its rule (:func:`hidden_card`), so that the answer is not on screen before it is asked.

    Examples
    --------
    >>> from jmtools.teaching import Lesson
    >>> [(c.name, c.rule) for c in persona_cards(Lesson("sample:ecommerce"))][:2]
    [('Budget Ben', 'age < 30 and price_sensitivity >= 0.6'), ('Marathon Maya', None)]
    """
    try:
        hidden = hidden_card(lesson)
    except Hint:                                   # no exercise 1.2 on this journey: every rule shown
        hidden = None
    return [hidden if hidden is not None and p.name == hidden.name else PersonaCard.from_persona(p)
            for p in lesson.journey.personas_resolved()]


def _same_rule(answer: str, rule) -> bool:
    """Whether a learner's rule is the journey file's, as written: the same expression whatever the
    spaces, quotes or brackets around it (``runs_per_week>=4`` is ``runs_per_week >= 4``)."""
    if not rule:
        return False
    try:
        return ast.dump(ast.parse(answer.strip(), mode="eval")) == ast.dump(ast.parse(str(rule).strip(), mode="eval"))
    except SyntaxError:
        return " ".join(answer.split()) == " ".join(str(rule).split())


def _judge_1_2(lesson, answer) -> str:
    if not isinstance(answer, str):
        raise Hint("format", form="a rule as text, e.g. \"age >= 40 and region == 'North'\"",
                   got=repr(answer))
    card, customers = _target_card(lesson), lesson.customers
    try:
        chosen = set(persona_filter(customers, answer, persona="your rule")["customer_id"])
    except RuleError as err:
        raise Hint("rule-error", error=str(err)) from None
    key = _card_customers(lesson, card)
    if _same_rule(answer, card.rule):               # on screen nowhere before 1.2: read in the file
        raise Hint("copied-rule", persona=card.name)
    if not chosen:
        raise Hint("selects-nobody")
    both = len(chosen & key)
    precision, recall = both / len(chosen), both / len(key)
    if len(chosen) >= 0.9 * len(customers) and len(key) < 0.9 * len(customers):
        raise Hint("monolith", share=pct(len(chosen) / len(customers), 0))
    if not _size_shown(lesson, card.name):         # no count, nor share: they give the hidden size back
        return _judge_hidden_size(card, answer, customers, key, precision, recall)
    if recall < ENOUGH:
        raise Hint("too-narrow", recall=pct(recall), persona=card.name,
                   n=f" ({len(key):,}, the n of step 1's chart)", which=_narrowest(answer, customers, key))
    if precision < ENOUGH:
        raise Hint("too-broad", n=f"{len(chosen):,} customers", precision=pct(precision), persona=card.name)
    return (f"Your rule selects {len(chosen):,} customers; {pct(precision)} of them are {card.name}'s, "
            f"and it finds {pct(recall)} of {card.name}'s {len(key):,}.")


#: Exercise 1.2: the share of the card's customers a rule must find, and of those it selects that
#: must be theirs — "most", as the question says: a card describes most of its customers, not all.
ENOUGH = 0.75


def _narrowest(rule: str, customers: pd.DataFrame, key: set, *, numbers: bool = True) -> str:
    """Which condition of a rule joined by ``and`` leaves out the most of the card's customers."""
    parts = [p.strip() for p in re.split(r"\s+and\s+", rule.strip())]
    if "(" in rule or re.search(r"\bor\b", rule) or len(parts) < 2:
        return ("Loosen the condition that only some of them meet (customers[column].value_counts() "
                "on their rows shows how many do).")
    lost = {}
    for part in parts:
        try:
            lost[part] = 1 - len(key & set(persona_filter(customers, part)["customer_id"])) / len(key)
        except RuleError:
            return "Loosen the condition that only some of them meet."
    worst = max(lost, key=lost.get)
    share = f" ({pct(lost[worst])})" if numbers else ""
    return (f"Of its conditions, `{worst}` leaves out the most of them{share}: is it true of nearly all "
            "of them, or only of many? Loosen it or leave it out.")


def _judge_hidden_size(card, answer, customers, key, precision: float, recall: float) -> str:
    """Exercise 1.2's verdict on a card whose size step 1 hides: in words, without a number."""
    if recall < ENOUGH:
        raise Hint("too-narrow", recall="too few", persona=card.name, n="",
                   which=_narrowest(answer, customers, key, numbers=False))
    if precision < ENOUGH:
        raise Hint("too-broad", n="customers", precision="some", persona=card.name)
    return (f"Most of the customers your rule selects are {card.name}'s, and it finds most of them "
            "(three quarters or more each; exact shares are not shown: step 1 hides this persona's size).")


def _kpi_metric(lesson) -> str:
    k = lesson.persona_kpis
    for metric in ("nps", "csat"):
        if ((k["kpi"] == metric) & (k["n"] > 0)).any():
            return metric
    raise Hint("not-available", needs="survey answers (NPS or CSAT)")


def _ask_1_3(lesson) -> str:
    metric = _kpi_metric(lesson)
    what = ("is least likely to recommend us (lowest NPS)" if metric == "nps"
            else "is least satisfied (lowest mean CSAT)")
    return (f"Which group of customers — one of the personas, or “{NO_PERSONA}” (customers no rule "
            f"selects) — {what}?")


def _judge_1_3(lesson, answer) -> str:
    metric = _kpi_metric(lesson)
    k = shown_rows(lesson, lesson.persona_kpis, count_col="n_customers")        # as notebook 01 shows them
    k = k[(k["kpi"] == metric) & (k["persona"] != IN_CUSTOMERS_TITLE)]
    got = name(answer, list(k["persona"]), "groups (personas and (no persona))")
    row = k[k["persona"] == got].iloc[0]
    eligible, accepted = lowest_accepted(k, "persona", min_n=lesson.min_n)   # hidden rows: no n, never
    if got in set(accepted["persona"]):
        return _also(accepted, "persona", got)
    if row["suppressed"]:
        raise Hint("hidden-group", m=MIN_GROUP)
    if row["n"] < lesson.min_n:
        raise Hint("small-group", n=int(row["n"]), min_n=lesson.min_n, low=fmt(row["ci_low"], 1),
                   high=fmt(row["ci_high"], 1))
    raise Hint("wrong", nudge=f"Read every group's {metric} with its n and interval before choosing.")


# -------------------------------------------------------------- 2 · touchpoints
def _busy_touchpoint(lesson) -> tuple[str, int, int]:
    """(touchpoint, customers, events) of the persona's touchpoint with most events per customer."""
    size_shown(lesson)                                # its customers there may be all of them: its size
    e = lesson.events[lesson.events["persona"] == lesson.persona].dropna(subset=["touchpoint"])
    per = e.groupby("touchpoint").agg(customers=("customer_id", "nunique"), events=("event", "size"))
    least = max(lesson.min_n, MIN_GROUP)              # the key is said back: never 1–4 customers
    per = per[per["customers"] >= least]
    if per.empty:
        raise Hint("not-available",
                   needs=f"touchpoints with {least} or more of the persona's customers")
    tp = (per["events"] / per["customers"]).idxmax()
    return tp, int(per.loc[tp, "customers"]), int(per.loc[tp, "events"])


def _ask_2_1(lesson) -> str:
    tp, _, _ = _busy_touchpoint(lesson)
    return (f"How many of {lesson.persona}'s customers did the touchpoint “{tp}” reach "
            "(at least one event there)?")


def _judge_2_1(lesson, answer) -> str:
    tp, customers, events = _busy_touchpoint(lesson)
    got = count(answer)
    if got == customers:
        return f"Its {events:,} events come from those {customers:,} customers."
    if got == events:
        raise Hint("events-vs-customers", what=f"events at {tp}")
    everyone = lesson.events.loc[lesson.events["touchpoint"] == tp, "customer_id"].nunique()
    if got == everyone:
        raise Hint("everyone-not-persona", persona=lesson.persona)
    raise Hint("wrong", nudge="Keep the persona's events at that touchpoint and count distinct customers.")


def _csat(lesson):
    """Mean CSAT per touchpoint and persona, as notebook 02 shows it (cells of 1–4 customers, and the
    rows of a persona whose size is hidden, without numbers)."""
    tk = lesson.touchpoint_kpis
    if tk is None or not ((tk["kpi"] == "csat_mean") & (tk["n"] > 0)).any():
        raise Hint("not-available", needs="CSAT survey answers per touchpoint")
    return shown_rows(lesson, tk[tk["kpi"] == "csat_mean"], count_col="n_customers")


def _ask_2_2(lesson) -> str:
    size_shown(lesson)
    tk = _csat(lesson)
    if lowest_accepted(tk[tk["persona"] == lesson.persona], "touchpoint", min_n=lesson.min_n)[0].empty:
        raise Hint("not-available", needs=f"a touchpoint with CSAT answers of {lesson.min_n} or more of "
                                          f"{lesson.persona}'s customers")
    return f"At which touchpoint do {lesson.persona}'s customers give the lowest mean CSAT (1–5)?"


def _judge_2_2(lesson, answer) -> str:
    tk = _csat(lesson)
    mine = tk[tk["persona"] == lesson.persona]
    got = name(answer, list(lesson.journey.touchpoint_names), "touchpoints")
    row = mine[mine["touchpoint"] == got]
    if len(row) and row["suppressed"].iloc[0]:
        raise Hint("hidden-group", m=MIN_GROUP)
    if row.empty or int(row["n"].iloc[0]) == 0:
        raise Hint("no-evidence", where=got)
    eligible, accepted = lowest_accepted(mine, "touchpoint", min_n=lesson.min_n)
    if got in set(accepted["touchpoint"]):
        return _also(accepted, "touchpoint", got)
    r = row.iloc[0]
    if r["n"] < lesson.min_n:
        raise Hint("small-group", n=int(r["n"]), min_n=lesson.min_n, low=fmt(r["ci_low"]),
                   high=fmt(r["ci_high"]))
    every = kpis.touchpoint_kpis(lesson.world.tables["surveys"], evidence=lesson.evidence)
    _, all_low = lowest_accepted(every[every["kpi"] == "csat_mean"], "touchpoint", min_n=lesson.min_n)
    if got in set(all_low["touchpoint"]):
        raise Hint("everyone-not-persona", persona=lesson.persona)
    raise Hint("wrong", nudge="Compare the persona's csat_mean per touchpoint, with n and intervals.")


# ------------------------------------------------------- 3 · the emotional journey
def _curve(lesson) -> pd.DataFrame:
    curve = lesson.run.curve
    if curve is None:
        raise Hint("not-available", needs="surveys or feedback")
    return curve


def _ask_3_1(lesson) -> str:
    mine = _curve(lesson)
    mine = mine[mine["persona"] == lesson.persona].rename(columns={"valence": "value"})
    if lowest_accepted(mine, "stage", min_n=lesson.min_n)[0].empty:
        raise Hint("not-available", needs=f"a stage measured on {lesson.min_n} or more of "
                                          f"{lesson.persona}'s customers")
    return f"At which stage is {lesson.persona}'s measured emotion (valence, −2..+2) lowest?"


def _judge_3_1(lesson, answer) -> str:
    curve = _curve(lesson)
    got = name(answer, list(lesson.journey.stage_names), "stages")
    mine = curve[curve["persona"] == lesson.persona].rename(columns={"valence": "value"})
    row = mine[mine["stage"] == got].iloc[0]
    if row["n"] == 0:
        raise Hint("no-evidence", where=got)
    _, accepted = lowest_accepted(mine, "stage", min_n=lesson.min_n)
    if got in set(accepted["stage"]):
        return _also(accepted, "stage", got)
    if row["n"] < lesson.min_n:
        raise Hint("small-group", n=int(row["n"]), min_n=lesson.min_n, low=fmt(row["ci_low"]),
                   high=fmt(row["ci_high"]))
    everyone = curve[curve["persona"] == "all"].rename(columns={"valence": "value"})
    if got in set(lowest_accepted(everyone, "stage", min_n=lesson.min_n)[1]["stage"]):
        raise Hint("everyone-not-persona", persona=lesson.persona)
    gap = lesson.run.gap
    assumed = gap[gap["persona"] == lesson.persona].dropna(subset=["assumed"])
    if len(assumed) and got == assumed.loc[assumed["assumed"].idxmin(), "stage"]:
        raise Hint("assumption-not-evidence", what="The lowest point of the assumed (workshop) curve")
    raise Hint("wrong", nudge="Read the persona's measured points (valence) with their n.")


def _gap_stage(lesson) -> pd.Series:
    """The stage of exercise 3.2: one that agrees although the points differ, else the largest gap."""
    gap = lesson.run.gap
    if gap is None:
        raise Hint("not-available", needs="surveys or feedback")
    mine = gap[(gap["persona"] == lesson.persona) & ~gap["low_evidence"] & gap["assumed"].notna()
               & gap["measured"].notna()]
    if mine.empty:
        raise Hint("not-available", needs="measured stages with an assumed emotion")
    size = mine["gap"].abs()
    agrees = mine[(mine["verdict"] == "agrees") & (size > 0.005)]
    return (agrees.loc[size[agrees.index].idxmax()] if len(agrees) else mine.loc[size.idxmax()])


def _ask_3_2(lesson) -> str:
    row = _gap_stage(lesson)
    return (f"The workshop assumed {lesson.persona} feels {fmt(row['assumed'])} at “{row['stage']}”. "
            "Was that assumption right (“agrees”), too high or too low?")


_VERDICTS = {"agrees": ("agree", "right", "yes", "correct", "it agrees", "agrees with the data"),
             "too high": ("assumed too high", "higher", "it was too high"),
             "too low": ("assumed too low", "lower", "it was too low")}


def _judge_3_2(lesson, answer) -> str:
    row = _gap_stage(lesson)
    got = choice(answer, _VERDICTS, "“agrees”, “too high” or “too low”")
    key = str(row["verdict"]).removeprefix("assumed ")
    if got == key:
        return ""
    raise Hint("interval-verdict", what="the measured emotion", value=f"the assumed {fmt(row['assumed'])}",
               facts=(f"The workshop assumed {fmt(row['assumed'])}; customers' evidence measures "
                      f"{fmt(row['measured'])} (n = {int(row['n'])})."),
               where=f"ci_low and ci_high of “{row['stage']}” in the gap table")


def _lexicon_case(lesson) -> pd.Series:
    """The comment of exercise 3.3: the lexicon and the customer's own answers disagree most."""
    fb = lesson.lexicon
    if fb is None:
        raise Hint("not-available", needs="feedback text")
    own = _own_valence(lesson, fb)
    fb = fb.assign(own=own).dropna(subset=["own"])
    fb = fb[((fb["score"] >= 0.3) & (fb["own"] <= -0.5)) | ((fb["score"] <= -0.3) & (fb["own"] >= 0.5))]
    if fb.empty:
        raise Hint("not-available", needs="a comment whose words and ratings disagree")
    fb = fb.assign(disagree=(2 * fb["score"] - fb["own"]).abs())
    return fb.sort_values(["disagree", "feedback_id"], ascending=[False, True]).iloc[0]


def _own_valence(lesson, fb: pd.DataFrame) -> pd.Series:
    """Per comment: the mean valence of what the customer said themselves (its rating, their
    survey answers at the same touchpoint); NaN when they said nothing else."""
    parts = []
    if "rating" in fb:
        parts.append(pd.DataFrame({"feedback_id": fb["feedback_id"],
                                   "v": score_to_valence(fb["rating"], SCALES["csat"])}))
    surveys = lesson.table("surveys")
    if surveys is not None and "touchpoint" in surveys and "touchpoint" in fb:
        s = surveys[surveys["metric"].isin(list(SCALES))].copy()
        s["v"] = [float(score_to_valence([x], SCALES[m])[0]) for x, m in zip(s["score"], s["metric"])]
        joined = fb[["feedback_id", "customer_id", "touchpoint"]].merge(
            s[["customer_id", "touchpoint", "v"]], on=["customer_id", "touchpoint"])
        parts.append(joined[["feedback_id", "v"]])
    if not parts:
        return pd.Series(math.nan, index=fb.index)
    own = pd.concat(parts).dropna().groupby("feedback_id")["v"].mean()
    return fb["feedback_id"].map(own)


def _ask_3_3(lesson) -> str:
    case = _lexicon_case(lesson)
    known = "touchpoint" in case and pd.notna(case["touchpoint"])
    where = f" about “{case['touchpoint']}”" if known else ""
    return (f"Customer {case['customer_id']} wrote{where}: “{case['text']}” The lexicon (VADER) scores "
            f"it {case['score']:+.2f}, on its own scale from −1 to +1. How did this customer feel: positive, "
            "neutral or negative? (Look at what else they told you.)")


#: How a lexicon misreads a comment, by the sign of its score (the hint of exercise 3.3).
_LEXICON_WORDS = {
    "positive": "'better', 'hope', 'please', 'like' are positive words whatever the sentence means",
    "negative": "'nothing', 'no' and 'not' turn the words after them negative (“nothing special”, “no "
                "problem”), and 'drop' or 'hard' are negative words whatever the sentence means",
    "neutral": "a text of plain facts scores about 0 however the customer felt",
}


def _judge_3_3(lesson, answer) -> str:
    case = _lexicon_case(lesson)
    got = choice(answer, {"positive": ("happy", "good"), "neutral": ("mixed",),
                          "negative": ("unhappy", "bad")}, "“positive”, “neutral” or “negative”")
    key = "negative" if case["own"] <= -0.5 else "positive" if case["own"] >= 0.5 else "neutral"
    if got == key:
        return (f"What the customer said themselves averages {case['own']:+.1f} on the emotion curve's "
                f"−2..+2 scale; the words alone score {2 * case['score']:+.1f} there (twice the lexicon's "
                f"{case['score']:+.2f} on its −1..+1 scale).")
    lexicon = "positive" if case["score"] >= 0.05 else "negative" if case["score"] <= -0.05 else "neutral"
    if got == lexicon:
        raise Hint("lexicon-feeling", score=f"{case['score']:+.2f}", words=_LEXICON_WORDS[lexicon])
    raise Hint("wrong", nudge="Find this customer's rating and survey answers at that touchpoint.")


def _ex(id, title, stars, form, ask, judge, why, needs=()) -> Exercise:
    return Exercise(id, int(id.split(".")[0]), title, stars, form, ask, judge, why, tuple(needs))


EXERCISES = [
    _ex("0.1", "The stages, in order", 1, "a list of stage names, e.g. [\"A\", \"B\"]", _ask_0_1, _judge_0_1,
        "A journey is ordered: every funnel, curve and map in the kit follows the stages' order, "
        "so 'where do we lose people' has an answer."),
    _ex("0.2", "Who is in the data", 1, "a whole number", _ask_0_2, _judge_0_2,
        "Every number in the kit counts customers unless it says otherwise; knowing the "
        "denominator is the first step to reading any share."),
    _ex("1.1", "How many customers a persona stands for", 1, "a whole number", _ask_1_1, _judge_1_1,
        "A persona linked to data says how many customers it stands for — the difference between "
        "a story and a segment you can act on."),
    _ex("1.2", "A rule for a persona card", 2, "a rule as text, e.g. \"age < 30 and region == 'North'\"",
        _ask_1_2, _judge_1_2,
        "A rule ties the card to customers: the kit can then show this persona's funnel, emotion "
        "and pain points, and re-run them on next month's data."),
    _ex("1.3", "The least happy group", 3, "a persona's name, or \"(no persona)\"", _ask_1_3, _judge_1_3,
        "Small groups produce the most extreme numbers by chance alone; reading n before the value "
        "keeps a workshop from chasing noise.", needs=("surveys",)),
    _ex("2.1", "Reach of a busy touchpoint", 1, "a whole number", _ask_2_1, _judge_2_1,
        "Touchpoints are compared by the customers they reach, not by the events they log: one "
        "customer refreshing a page is still one customer."),
    _ex("2.2", "The touchpoint rated worst", 2, "a touchpoint name", _ask_2_2, _judge_2_2,
        "A badly rated touchpoint with enough answers is a candidate moment of truth: it is where "
        "the experience breaks for this persona.", needs=("surveys",)),
    _ex("3.1", "The low point of the curve", 1, "a stage name", _ask_3_1, _judge_3_1,
        "The measured low point is where the persona's experience hurts most — evidence you can "
        "show, not a curve drawn from memory.", needs=("surveys",)),
    _ex("3.2", "Is the workshop's curve right?", 2, "\"agrees\", \"too high\" or \"too low\"", _ask_3_2,
        _judge_3_2,
        "Comparing the assumed curve with the measured one, interval included, tells the team "
        "which beliefs to keep and which to revise.", needs=("surveys",)),
    _ex("3.3", "Words are not feelings", 3, "\"positive\", \"neutral\" or \"negative\"", _ask_3_3,
        _judge_3_3,
        "A lexicon scores words, in bulk, for trends; a single customer's feeling is what they "
        "tell you. Use text scores for patterns across many comments, never as one person's truth.",
        needs=("feedback",)),
]
