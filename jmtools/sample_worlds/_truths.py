"""Planted truths of the sample worlds: what was designed, and what the generated data shows.

Every truth states the *expected* value (a parameter of the simulation) and the *observed*
value in the files written, with its n, so a test can check an analysis against either.

Observed values are computed from each chunk's simulation arrays as it is written and reduced
to small per-persona sums and counts (a :class:`Tally`), so truths cost no memory that grows
with the number of events. Only the B2B stage durations (one number per account that reaches
the stage, for exact medians) and the ids of comments with personal data are kept as lists.
"""

from __future__ import annotations

import numpy as np

from jmtools.sample_worlds._text import PII_KINDS

__all__ = ["Tally", "reduce_common", "ecommerce_reduce", "b2b_reduce", "grocery_reduce",
           "ecommerce_truths", "b2b_truths", "grocery_truths"]

#: At most this many ids per kind of personal data are listed in the answer key.
MAX_PII_IDS = 2000


class Tally:
    """Sums of per-chunk counts (numpy arrays) and concatenations of per-chunk lists."""

    def __init__(self):
        self.sums: dict[str, np.ndarray] = {}
        self.lists: dict[str, list] = {}

    def add(self, part: dict) -> None:
        """Merge one chunk's reduction: ``{"sums": {...}, "lists": {...}}``."""
        for key, value in part.get("sums", {}).items():
            value = np.asarray(value, dtype=float)
            self.sums[key] = self.sums[key] + value if key in self.sums else value.copy()
        for key, value in part.get("lists", {}).items():
            self.lists.setdefault(key, []).extend(np.asarray(value).tolist())

    def sum(self, key: str, size: int) -> np.ndarray:
        """The summed array of ``key`` (zeros when no chunk reported it)."""
        return self.sums.get(key, np.zeros(size))

    def list(self, key: str) -> list:
        return self.lists.get(key, [])


def _per_persona(mask_or_values, persona, size: int, weights=None) -> np.ndarray:
    return np.bincount(persona[mask_or_values] if weights is None else persona,
                       weights=weights, minlength=size).astype(float)


def reduce_common(stats: dict, offsets: dict, world: dict, attrs: list[str]) -> dict:
    """Per-chunk sums shared by both worlds: personas and rules, surveys, themes, PII, orders."""
    import pandas as pd

    names = world["PERSONAS"]
    P = len(names)
    persona = stats["persona"]
    sums: dict[str, np.ndarray] = {"persona_n": np.bincount(persona, minlength=P)}
    frame = pd.DataFrame({a: stats[f"attr_{a}"] for a in attrs})
    for k, name in enumerate(names):
        selected = frame.eval(world["RULES"][name], engine="python").to_numpy(dtype=bool)
        sums[f"rule_n|{name}"] = np.array([selected.sum()])
        sums[f"rule_tp|{name}"] = np.array([np.sum(selected & (persona == k))])
    sv_p = stats["survey_persona"]
    for tp, metric in set(zip(stats["survey_touchpoint"], stats["survey_metric"])):
        at = (stats["survey_touchpoint"] == tp) & (stats["survey_metric"] == metric)
        sums[f"sv_n|{tp}|{metric}"] = _per_persona(at, sv_p, P)
        sums[f"sv_sum|{tp}|{metric}"] = np.bincount(
            sv_p[at], weights=stats["survey_score"][at], minlength=P)
    fb_p = stats["fb_persona"]
    for theme in set(stats["fb_theme"]):
        sums[f"theme_n|{theme}"] = _per_persona(stats["fb_theme"] == theme, fb_p, P)
    for tp in set(stats["fb_touchpoint"]):
        sums[f"fb_tp_n|{tp}"] = np.array([np.sum(stats["fb_touchpoint"] == tp)])
    o_p = stats["order_persona"]
    sums["orders_n"] = np.bincount(o_p, minlength=P)
    sums["orders_sum"] = np.bincount(o_p, weights=stats["order_amount"], minlength=P)
    sums["unmatched"] = np.array([stats["unmatched"].sum()])
    lists = {}
    for table, key in (("feedback", "fb_pii"), ("tickets", "tk_pii")):
        for kind in PII_KINDS:
            rows = np.flatnonzero(stats[key] == kind) + offsets[table]
            lists[f"pii|{table}|{kind}"] = rows
    return {"sums": sums, "lists": lists}


def _persona_truths(t: Tally, world: dict, truth_file: str) -> dict:
    names = world["PERSONAS"]
    n = t.sum("persona_n", len(names))
    items = []
    for k, name in enumerate(names):
        sel = float(t.sum(f"rule_n|{name}", 1)[0])
        tp = float(t.sum(f"rule_tp|{name}", 1)[0])
        items.append({"name": name, "rule": world["RULES"][name],
                      "share_expected": float(world["_SHARES"][k]), "n": int(n[k]),
                      "share": float(n[k] / n.sum()), "rule_n": int(sel),
                      "rule_precision": tp / max(sel, 1.0), "rule_recall": tp / max(n[k], 1.0)})
    return {"truth_file": truth_file, "column": "persona",
            "note": "the true persona is not a column of customers; rules are stated in "
                    "journey.yaml and select each persona with the precision/recall given",
            "items": items}


def _drop_off_truth(t: Tally, world: dict, *, from_step: str, to_step: str, persona: str,
                    expected_pass) -> dict:
    names = world["PERSONAS"]
    reached = t.sum("funnel_reached", len(names))
    passed = t.sum("funnel_passed", len(names))
    by = {name: {"n_reached": int(reached[k]), "n_passed": int(passed[k]),
                 "loss": 1 - passed[k] / reached[k] if reached[k] else float("nan"),
                 "expected_loss": 1 - float(expected_pass[k])}
          for k, name in enumerate(names)}
    target = names.index(persona)
    other = np.arange(len(names)) != target
    return {"from_step": from_step, "to_step": to_step, "persona": persona,
            "expected_loss": 1 - float(expected_pass[target]), "loss": by[persona]["loss"],
            "n": by[persona]["n_reached"],
            "others_expected_loss": float(np.mean(1 - np.asarray(expected_pass)[other])),
            "others_loss": 1 - passed[other].sum() / max(reached[other].sum(), 1),
            "others_n": int(reached[other].sum()), "by_persona": by}


def _emotion_truth(t: Tally, names: list[str], *, stage: str, touchpoint: str, metric: str,
                   persona: str, expected_valence: float, kind: str) -> dict:
    n = t.sum(f"sv_n|{touchpoint}|{metric}", len(names))
    total = t.sum(f"sv_sum|{touchpoint}|{metric}", len(names))
    k = names.index(persona)
    rest = np.arange(len(names)) != k
    return {"kind": kind, "stage": stage, "touchpoint": touchpoint, "persona": persona,
            "metric": metric, "expected_valence": expected_valence,
            "persona_mean": total[k] / n[k] if n[k] else float("nan"),
            "persona_n": int(n[k]),
            "others_mean": total[rest].sum() / n[rest].sum() if n[rest].sum() else float("nan"),
            "others_n": int(n[rest].sum())}


def _theme_truths(t: Tally, world: dict, main_personas: dict, pain_points: dict) -> list[dict]:
    names = world["PERSONAS"]
    out = []
    for theme in world["THEMES"].values():
        by = t.sum(f"theme_n|{theme.id}", len(names))
        at_tp = float(t.sum(f"fb_tp_n|{theme.touchpoint}", 1)[0])
        out.append({"id": theme.id, "title": theme.title, "touchpoint": theme.touchpoint,
                    "stage": world["TOUCHPOINT_STAGE"][theme.touchpoint],
                    "sentiment": theme.sentiment, "keywords": list(theme.keywords),
                    "n_feedback": int(by.sum()),
                    "share_of_touchpoint_feedback": by.sum() / max(at_tp, 1.0),
                    "by_persona": {name: int(by[k]) for k, name in enumerate(names)},
                    "main_personas": main_personas.get(theme.id, []),
                    "pain_point": pain_points.get(theme.id)})
    return out


def _pii_truths(t: Tally) -> dict:
    out = {}
    for table, prefix, width in (("feedback", "F", 8), ("tickets", "T", 7)):
        out[table] = {}
        for kind in PII_KINDS:
            rows = t.list(f"pii|{table}|{kind}")
            out[table][kind] = {"n": len(rows),
                                "ids": [f"{prefix}{i + 1:0{width}d}" for i in rows[:MAX_PII_IDS]]}
    out["note"] = ("fictional values: example.com/example.org e-mail addresses, Ofcom drama "
                   "phone numbers (+44 7700 900xxx, 020 7946 0xxx), payment-network test cards")
    return out


def _order_truths(t: Tally, names: list[str]) -> dict:
    n, total = t.sum("orders_n", len(names)), t.sum("orders_sum", len(names))
    return {"orders": int(n.sum()), "revenue": float(total.sum()),
            "by_persona": {name: {"orders": int(n[k]), "revenue": float(total[k]),
                                  "mean_amount": total[k] / n[k] if n[k] else float("nan")}
                           for k, name in enumerate(names)}}


def _unmatched(t: Tally, event: str) -> dict:
    return {"events": [event], "rows": int(t.sum("unmatched", 1)[0]),
            "note": f"{event} hits no touchpoint of journey.yaml"}


# ---------------------------------------------------------------------------- e-commerce
_FUNNEL_SEMANTICS = ("strict: a customer reaches step k when events of steps 1..k occur in this "
                     "time order (first occurrence after the previous step)")


def ecommerce_reduce(stats: dict, offsets: dict, world: dict) -> dict:
    """One chunk's contribution to the e-commerce truths."""
    part = reduce_common(stats, offsets, world, ["age", "price_sensitivity", "runs_per_week"])
    P = len(world["PERSONAS"])
    persona = stats["persona"]
    sums = part["sums"]
    sums["funnel_reached"] = _per_persona(stats["paid"], persona, P)
    sums["funnel_passed"] = _per_persona(stats["paid"] & stats["ordered"], persona, P)
    sums["repeat_first"] = _per_persona(stats["ordered"], persona, P)
    sums["repeat_again"] = _per_persona(stats["repeated"], persona, P)
    lost = stats["paid"] & ~stats["ordered"]
    sums["funnel_lost_value"] = np.bincount(persona[lost], weights=stats["basket"][lost],
                                            minlength=P)
    for key in ("size_loops", "detours"):
        sums[f"{key}_any"] = _per_persona(stats[key] > 0, persona, P)
        sums[f"{key}_sum"] = np.bincount(persona, weights=stats[key], minlength=P)
    return part


def ecommerce_truths(t: Tally, world: dict) -> dict:
    names = world["PERSONAS"]
    P = len(names)
    n = t.sum("persona_n", P)

    def loop_stats(key, share_name, mean_name):
        anyone, total = t.sum(f"{key}_any", P), t.sum(f"{key}_sum", P)
        return {name: {share_name: anyone[k] / max(n[k], 1), mean_name: total[k] / max(n[k], 1)}
                for k, name in enumerate(names)}

    return {
        "journey": "journey.yaml",
        "personas": _persona_truths(t, world, "customer_personas"),
        "funnel": {
            "steps": world["FUNNEL"], "semantics": _FUNNEL_SEMANTICS,
            "drop_off": {**_drop_off_truth(t, world, from_step="checkout_payment",
                                           to_step="order_placed", persona="Budget Ben",
                                           expected_pass=world["_ORDER"]),
                         "value_at_stake": float(
                             t.sum("funnel_lost_value", P)[names.index("Budget Ben")]),
                         "value_at_stake_note": "sum of the first cart_add value of Budget "
                                                "Ben's customers who reached checkout_payment "
                                                "without a later order_placed"},
        },
        "loops": [
            {"kind": "loop", "events": ["product_view", "size_chart_search"],
             "touchpoint": "Product page", "persona": "New Runner Nina",
             "description": "product_view → size_chart_search → product_view … (looking for "
                            "the missing size chart); shares are of all the persona's customers",
             "by_persona": loop_stats("size_loops", "share_with_loop", "mean_loops")},
            {"kind": "detour", "events": ["cart_view", "product_view"],
             "touchpoint": "Cart", "persona": "New Runner Nina",
             "description": "cart_view → product_view → cart_view (back and forth before "
                            "checkout); shares are of all the persona's customers",
             "by_persona": loop_stats("detours", "share_with_detour", "mean_detours")},
        ],
        "emotion": [
            _emotion_truth(t, names, stage="Decision", touchpoint="Checkout", metric="csat",
                           persona="Budget Ben", expected_valence=-1.6, kind="low"),
            _emotion_truth(t, names, stage="Consideration", touchpoint="Product page",
                           metric="csat", persona="New Runner Nina", expected_valence=-1.2,
                           kind="low"),
            _emotion_truth(t, names, stage="Post-purchase", touchpoint="Support",
                           metric="csat", persona="Marathon Maya", expected_valence=1.7,
                           kind="high"),
        ],
        "themes": _theme_truths(t, world, {
            "hidden-fees": ["Budget Ben"], "missing-size-chart": ["New Runner Nina"],
            "helpful-support": ["Marathon Maya"]}, {
            "hidden-fees": "hidden-fees", "missing-size-chart": "missing-size-chart",
            "payment-options": "few-payment-options", "slow-shipping": "slow-shipping",
            "hard-returns": "hard-returns", "poor-photos": "poor-images"}),
        "repeat_purchase": _ecommerce_repeat(t, world),
        "overlaps": {"events": world["SPLIT"],
                     "note": "intended: occurrence first/repeat splits order_placed between "
                             "the touchpoints; an order ends a round, so shopping again after "
                             "it is no loop or detour"},
        "unmatched_events": _unmatched(t, "page_error"),
        "pii": _pii_truths(t),
        "orders": _order_truths(t, names),
    }


def _ecommerce_repeat(t: Tally, world: dict) -> dict:
    names = world["PERSONAS"]
    first, again = t.sum("repeat_first", len(names)), t.sum("repeat_again", len(names))
    return {"event": "order_placed", "occurrence": "repeat", "touchpoint": "Repeat order",
            "definition": "customers with a second order_placed, of those with a first "
                          "(nobody orders a third time)",
            "persona_highest": names[int(np.argmax(world["_REPEAT"]))],
            "n_first": int(first.sum()), "n_repeat": int(again.sum()),
            "by_persona": {name: {"n_first": int(first[k]), "n_repeat": int(again[k]),
                                  "rate": _rate(again[k], first[k]),
                                  "expected_rate": float(world["_REPEAT"][k])}
                           for k, name in enumerate(names)},
            "note": "a repeat order comes about 35 days (median) after the first; no end of "
                    "the period cuts repeats off, so observed rates differ from expected by "
                    "chance only"}


# ---------------------------------------------------------------------------------- B2B
def b2b_reduce(stats: dict, offsets: dict, world: dict) -> dict:
    """One chunk's contribution to the B2B truths (durations kept per account, for medians)."""
    part = reduce_common(stats, offsets, world,
                         ["employees", "decision_makers", "annual_revenue_m"])
    P = len(world["PERSONAS"])
    persona = stats["persona"]
    part["sums"]["funnel_reached"] = _per_persona(stats["proposal"], persona, P)
    part["sums"]["funnel_passed"] = _per_persona(stats["proposal"] & stats["contract"],
                                                 persona, P)
    for key in ("qualification_days", "legal_days"):
        keep = ~np.isnan(stats[key])
        part["lists"][f"{key}|persona"] = persona[keep]
        part["lists"][f"{key}|days"] = stats[key][keep]
    return part


def b2b_truths(t: Tally, world: dict) -> dict:
    names = world["PERSONAS"]

    def medians(key):
        who = np.asarray(t.list(f"{key}|persona"), dtype=int)
        days = np.asarray(t.list(f"{key}|days"), dtype=float)
        return {name: {"median_days": float(np.median(days[who == k]))
                       if np.any(who == k) else float("nan"), "n": int(np.sum(who == k))}
                for k, name in enumerate(names)}

    return {
        "journey": "journey.yaml",
        "personas": _persona_truths(t, world, "customer_personas"),
        "funnel": {
            "steps": world["FUNNEL"], "semantics": _FUNNEL_SEMANTICS,
            "drop_off": _drop_off_truth(t, world, from_step="proposal_sent",
                                        to_step="contract_sent", persona="SMB Owner Sam",
                                        expected_pass=world["_CONTRACT"]),
        },
        "slow_stages": [
            {"stage": "Qualification", "persona": "SMB Owner Sam",
             "measure": "days from the account's first Qualification event to its first "
                        "Proposal review event (accounts that reach Proposal review)",
             "from_event": "sales_email_sent", "to_event": "proposal_sent",
             "expected_median_days": world["_EXPECTED_QUAL_DAYS"],
             "by_persona": medians("qualification_days")},
            {"stage": "Contract signing", "persona": "Enterprise Procurement Priya",
             "measure": "days from legal_review_started to legal_review_completed",
             "from_event": "legal_review_started", "to_event": "legal_review_completed",
             "expected_median_days": world["_EXPECTED_LEGAL_DAYS"],
             "by_persona": medians("legal_days")},
        ],
        "emotion": [
            _emotion_truth(t, names, stage="Qualification", touchpoint="Discovery call",
                           metric="csat", persona="SMB Owner Sam", expected_valence=-1.1,
                           kind="low"),
            _emotion_truth(t, names, stage="Proposal review", touchpoint="Proposal document",
                           metric="csat", persona="SMB Owner Sam", expected_valence=-1.0,
                           kind="low"),
            _emotion_truth(t, names, stage="Contract signing", touchpoint="Legal review",
                           metric="ces", persona="Enterprise Procurement Priya",
                           expected_valence=-1.3, kind="low"),
            _emotion_truth(t, names, stage="Onboarding and delivery",
                           touchpoint="Kickoff meeting", metric="csat",
                           persona="Enterprise Procurement Priya", expected_valence=1.6,
                           kind="high"),
        ],
        "themes": _theme_truths(t, world, {
            "unclear-pricing": ["SMB Owner Sam", "Mid-market Ops Olivia"],
            "slow-legal-review": ["Enterprise Procurement Priya"],
            "slow-response": ["SMB Owner Sam"],
            "dedicated-success-manager": ["Enterprise Procurement Priya"]}, {
            "unclear-pricing": "unclear-pricing", "slow-legal-review": "slow-legal-review",
            "slow-response": "slow-qualification", "no-visibility": "no-visibility",
            "generic-proposal": "generic-proposal", "confusing-kickoff": "unclear-channels"}),
        "unmatched_events": _unmatched(t, "email_bounced"),
        "pii": _pii_truths(t),
        "orders": _order_truths(t, names),
    }


# ------------------------------------------------------------------------------ grocery
_MAIL_KINDS = ("newsletter", "push", "reminder")


def _groups(world: dict) -> list[str]:
    """Personas, then the customers no rule selects, then those without a customer row."""
    return [*world["PERSONAS"], world["NO_PERSONA"], world["NOT_IN_CUSTOMERS"]]


def grocery_reduce(stats: dict, offsets: dict, world: dict) -> dict:
    """One chunk's contribution to the grocery truths.

    Groups are what an analysis of the files can see: the persona a rule gives a customer of
    the customer table (the rules are exact), no persona, or not in the customer table.
    """
    import pandas as pd

    persona, missing = stats["persona"], stats["missing"]
    group = np.where(missing, 4, persona)
    listed = ~missing
    sums: dict[str, np.ndarray] = {"persona_n": np.bincount(persona[listed], minlength=4),
                                   "group_n": np.bincount(group, minlength=5),
                                   "true_n": np.bincount(persona, minlength=4)}
    frame = pd.DataFrame({a: stats[f"attr_{a}"] for a in
                          ("age", "household_size", "coupon_affinity")})[listed]
    for k, name in enumerate(world["PERSONAS"]):
        selected = frame.eval(world["RULES"][name], engine="python").to_numpy(dtype=bool)
        sums[f"rule_n|{name}"] = np.array([selected.sum()])
        sums[f"rule_tp|{name}"] = np.array([np.sum(selected & (persona[listed] == k))])
    for flag in ("browsed", "first", "repeat", "restock_customer", "restock_any"):
        sums[f"{flag}|group"] = np.bincount(group[stats[flag]], minlength=5)
        sums[f"{flag}|true"] = np.bincount(persona[stats[flag]], minlength=4)
    rep = stats["repeat"]
    sums["repeat_orders|group"] = np.bincount(group[rep], weights=stats["n_orders"][rep] - 1,
                                              minlength=5)
    for kind in _MAIL_KINDS:
        for what in ("sent", "resp"):
            values = stats[f"{what}_{kind}"]
            sums[f"{what}|{kind}|group"] = np.bincount(group, weights=values, minlength=5)
            sums[f"{what}|{kind}|true"] = np.bincount(persona, weights=values, minlength=4)
        sums[f"after_first_order|{kind}"] = stats[f"sent_after_first_order_{kind}"]
    for event in world["COMPANY_EVENTS"]:
        sums[f"campaign|{event}"] = stats[f"campaign_{event}"]
    o_group = group[stats["order_cust"]]
    sums["orders_n|group"] = np.bincount(o_group, minlength=5)
    sums["orders_sum|group"] = np.bincount(o_group, weights=stats["order_amount"], minlength=5)
    for key in ("delivered_rows", "delivered_midnight", "same_day_after", "unmatched",
                "missing_events"):
        sums[key] = stats[key]
    return {"sums": sums,
            "lists": {"missing_rows": np.flatnonzero(missing) + offsets["customers"]}}


def _rate(num, den) -> float:
    return float(num / den) if den else float("nan")


def _by(names: list[str], fn) -> dict:
    return {name: fn(k) for k, name in enumerate(names)}


def grocery_truths(t: Tally, world: dict) -> dict:
    names, groups = world["PERSONAS"], _groups(world)
    expected = {**dict(zip(names, world["_FIRST"])), world["NO_PERSONA"]: world["_FIRST"][3]}
    g = {key: t.sum(f"{key}|group", 5) for key in (
        "browsed", "first", "repeat", "restock_customer", "restock_any", "repeat_orders",
        "orders_n", "orders_sum")}
    g["n"] = t.sum("group_n", 5)
    true = {key: t.sum(f"{key}|true", 4) for key in ("first", "repeat")}
    true["n"] = t.sum("true_n", 4)
    labels = [*names, world["NO_PERSONA"]]
    personas = _persona_truths(t, world, "customer_personas")
    n_listed = t.sum("persona_n", 4)
    personas["no_persona"] = {"label": world["NO_PERSONA"], "n": int(n_listed[3]),
                              "share": _rate(n_listed[3], n_listed.sum()),
                              "share_expected": float(world["_SHARES"][3]),
                              "note": "customers of customers.csv whom no rule selects"}
    personas["note"] += ("; here the rules are exact (precision and recall 1) and customers "
                         "missing from customers.csv are in customer_personas too")
    return {
        "journey": "journey.yaml",
        "shape": {"tables": ["customers", "events", "orders"],
                  "absent": ["surveys", "feedback", "tickets"],
                  "note": "behaviour only: no survey, feedback or ticket file is written"},
        "personas": personas,
        "groups": {"names": groups, "note": "what an analysis can see: the persona a rule "
                   "gives a customer of customers.csv, no persona, or not in customers.csv"},
        "stages": world["STAGES"],
        "funnel": _grocery_funnel(world, groups, g),
        "first_order": {
            "event": "order_placed", "occurrence": "first", "touchpoint": "First order",
            "definition": "customers with an order_placed, of all customers with events",
            "by_group": _by(groups, lambda k: {
                "customers": int(g["n"][k]), "n_first": int(g["first"][k]),
                "rate": _rate(g["first"][k], g["n"][k]),
                "expected_rate": expected.get(groups[k])}),
            "by_true_persona": _by(labels, lambda k: {
                "customers": int(true["n"][k]), "n_first": int(true["first"][k]),
                "rate": _rate(true["first"][k], true["n"][k]),
                "expected_rate": float(world["_FIRST"][k])})},
        "repeat_purchase": _grocery_repeat(world, groups, labels, g, true),
        "mailings": _grocery_mailings(t, world, groups, labels),
        "company_initiated": _grocery_campaigns(t, world),
        "date_only": {
            "event": world["DATE_ONLY_EVENT"], "time": "00:00:00",
            "rows": int(t.sum("delivered_rows", 1)[0]),
            "rows_at_midnight": int(t.sum("delivered_midnight", 1)[0]),
            "same_day_rows_after": int(t.sum("same_day_after", 1)[0]),
            "note": "delivered is recorded on its day only (00:00:00); the parcel comes "
                    "14:00-20:00, so that day's order_tracking_view rows (07:00-12:00, before "
                    "the parcel) and delivery_rated rows sort after it"},
        "missing_customers": _grocery_missing(t, world),
        "overlaps": {
            "events": {e: tps for e, tps in world["EVENT_TOUCHPOINTS"].items() if len(tps) > 1},
            "note": "intended: occurrence (first/repeat) and after: (an earlier stage) split "
                    "these events between the touchpoints; every touchpoint and stage gets "
                    "events"},
        "unmatched_events": _unmatched(t, world["UNMATCHED_EVENT"]),
        "orders": {"orders": int(g["orders_n"].sum()), "revenue": float(g["orders_sum"].sum()),
                   "by_group": _by(groups, lambda k: {
                       "orders": int(g["orders_n"][k]), "revenue": float(g["orders_sum"][k])})},
    }


def _grocery_funnel(world: dict, groups: list[str], g: dict) -> dict:
    def reach(k, restock):
        first = int(g["first"][k])
        return dict(zip(world["STAGES"], [int(g["n"][k]), int(g["browsed"][k]), first, first,
                                          int(g[restock][k]), int(g["repeat"][k])]))

    return {"stages": world["STAGES"],
            "semantics": "strict stage order; an event counts at the first touchpoint in file "
                         "order whose pattern matches and whose occurrence/after conditions "
                         "hold (after: = an earlier event of the customer was in that stage)",
            "reach": _by(groups, lambda k: reach(k, "restock_customer")),
            "reach_with_company_events": _by(groups, lambda k: reach(k, "restock_any")),
            "note": "reach counts customer-initiated events only; with company-initiated "
                    "events counted too, only Restock grows (a reminder reaches it)"}


def _grocery_repeat(world, groups, labels, g, true) -> dict:
    exp = {**dict(zip(world["PERSONAS"], world["_REPEAT"])), world["NO_PERSONA"]:
           world["_REPEAT"][3]}
    best = world["PERSONAS"][int(np.argmax(world["_REPEAT"][:3]))]
    return {"event": "order_placed", "occurrence": "repeat", "touchpoint": "Repeat order",
            "definition": "customers with a second order_placed, of those with a first",
            "persona_highest": best,
            "by_group": _by(groups, lambda k: {
                "n_first": int(g["first"][k]), "n_repeat": int(g["repeat"][k]),
                "rate": _rate(g["repeat"][k], g["first"][k]),
                "repeat_orders": int(g["repeat_orders"][k]),
                "expected_rate": exp.get(groups[k])}),
            "by_true_persona": _by(labels, lambda k: {
                "n_first": int(true["first"][k]), "n_repeat": int(true["repeat"][k]),
                "rate": _rate(true["repeat"][k], true["first"][k]),
                "expected_rate": float(world["_REPEAT"][k])}),
            "note": "expected rates are before the end of the period cuts some repeats off"}


def _grocery_mailings(t: Tally, world: dict, groups, labels) -> dict:
    def rates(prefix: str, size: int, k: int) -> dict:
        out = {}
        for kind in (*_MAIL_KINDS, "all"):
            kinds = _MAIL_KINDS if kind == "all" else (kind,)
            sent = sum(t.sum(f"sent|{x}|{prefix}", size)[k] for x in kinds)
            resp = sum(t.sum(f"resp|{x}|{prefix}", size)[k] for x in kinds)
            out[kind] = {"sent": int(sent), "responses": int(resp), "rate": _rate(resp, sent)}
        return out

    best = world["PERSONAS"][int(np.argmax(world["_RESPOND"][:3]))]
    return {"events": {sent: {"response": answer, "kind": kind} for (sent, answer), kind
                       in zip(world["COMPANY_EVENTS"].items(), _MAIL_KINDS)},
            "definition": "answers per mailing received; an answer comes within 47 hours of "
                          "its mailing and before the next mailing of its kind",
            "responsive_persona": best,
            "expected_rate": {**dict(zip(world["PERSONAS"], world["_RESPOND"])),
                              world["NO_PERSONA"]: float(world["_RESPOND"][3])},
            "by_group": _by(groups, lambda k: rates("group", 5, k)),
            "by_true_persona": _by(labels, lambda k: rates("true", 4, k))}


def _grocery_campaigns(t: Tally, world: dict) -> dict:
    out = {}
    for (event, answer), kind in zip(world["COMPANY_EVENTS"].items(), _MAIL_KINDS):
        size = {"newsletter_sent": len(world["NEWSLETTER_TIMES"]),
                "push_sent": len(world["PUSH_TIMES"])}.get(event, world["_DAYS"])
        counts = t.sum(f"campaign|{event}", size)
        used = counts[counts > 0]
        out[event] = {"response_event": answer, "timestamps": int(used.size),
                      "rows": int(counts.sum()),
                      "recipients_min": int(used.min()) if used.size else 0,
                      "recipients_max": int(used.max()) if used.size else 0,
                      "sent_after_first_order": int(t.sum(f"after_first_order|{kind}", 1)[0])}
    out["newsletter_sent"]["schedule"] = "Thursdays 09:00:00, to newsletter_opt_in customers"
    out["push_sent"]["schedule"] = "every other Saturday 10:00:00, to push_opt_in customers"
    out["reminder_email_sent"]["schedule"] = ("18:00:00, ten days after an order with no later "
                                              "order by then; every customer due that day at "
                                              "once")
    return {"events": list(world["COMPANY_EVENTS"]), "initiated_by": "company",
            "campaigns": out,
            "note": "one timestamp per campaign, shared by all its recipients; mailings go on "
                    "after customers' purchases"}


def _grocery_missing(t: Tally, world: dict) -> dict:
    rows = t.list("missing_rows")
    prefix, width = world["WORLD_ID"]
    n_all = float(t.sum("group_n", 5).sum())
    return {"n": len(rows), "share_of_customers_with_events": _rate(len(rows), n_all),
            "expected_share": world["_MISSING"], "events": int(t.sum("missing_events", 1)[0]),
            "ids": [f"{prefix}{i + 1:0{width}d}" for i in rows],
            "label": world["NOT_IN_CUSTOMERS"],
            "note": "customers with events, orders and mailings but no row in customers.csv; "
                    "their true persona is in customer_personas.csv"}
