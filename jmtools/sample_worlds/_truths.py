"""Planted truths of the sample worlds: what was designed, and what the generated data shows.

Every truth states the *expected* value (a parameter of the simulation) and the *observed*
value in the files written (computed here from the simulation's own arrays), with its n, so a
test can check an analysis against either.
"""

from __future__ import annotations

import numpy as np

from jmtools.sample_worlds._common import rule_quality
from jmtools.sample_worlds._text import PII_KINDS

__all__ = ["persona_truths", "drop_off_truth", "emotion_truth", "theme_truths", "pii_truths",
           "order_truths", "ecommerce_truths", "b2b_truths"]


def persona_truths(stats: dict, names: list[str], rules: dict, shares, attrs: list[str],
                   truth_file: str) -> dict:
    """Persona sizes, and how well each persona's rule over attributes selects it."""
    import pandas as pd

    persona = stats["persona"]
    frame = pd.DataFrame({a: stats[f"attr_{a}"] for a in attrs})
    items = []
    for k, name in enumerate(names):
        selected = frame.eval(rules[name], engine="python").to_numpy(dtype=bool)
        items.append({"name": name, "rule": rules[name], "share_expected": float(shares[k]),
                      "n": int(np.sum(persona == k)),
                      "share": float(np.mean(persona == k)),
                      **rule_quality(selected, persona == k)})
    return {"truth_file": truth_file, "column": "persona",
            "note": "the true persona is not a column of customers; rules are stated in "
                    "journey.yaml and select each persona with the precision/recall given",
            "items": items}


def drop_off_truth(stats: dict, names: list[str], *, from_step: str, to_step: str,
                   reached_key: str, passed_key: str, persona: str, expected_pass) -> dict:
    """Share of customers lost between two funnel steps, per persona."""
    who = stats["persona"]
    by = {}
    for k, name in enumerate(names):
        reached = stats[reached_key] & (who == k)
        passed = stats[passed_key] & reached
        n = int(reached.sum())
        by[name] = {"n_reached": n, "n_passed": int(passed.sum()),
                    "loss": 1 - passed.sum() / n if n else float("nan"),
                    "expected_loss": 1 - float(expected_pass[k])}
    target = names.index(persona)
    others = (who != target)
    r_o = stats[reached_key] & others
    p_o = stats[passed_key] & r_o
    return {"from_step": from_step, "to_step": to_step, "persona": persona,
            "expected_loss": 1 - float(expected_pass[target]), "loss": by[persona]["loss"],
            "n": by[persona]["n_reached"],
            "others_expected_loss": float(np.mean([1 - expected_pass[k]
                                                   for k in range(len(names)) if k != target])),
            "others_loss": 1 - p_o.sum() / max(int(r_o.sum()), 1), "others_n": int(r_o.sum()),
            "by_persona": by}


def emotion_truth(stats: dict, names: list[str], *, stage: str, touchpoint: str, metric: str,
                  persona: str, expected_valence: float, kind: str) -> dict:
    """Mean survey score of one persona at one touchpoint against everybody else."""
    at = (stats["survey_touchpoint"] == touchpoint) & (stats["survey_metric"] == metric)
    mine = at & (stats["survey_persona"] == names.index(persona))
    rest = at & ~mine
    score = stats["survey_score"].astype(float)
    return {"kind": kind, "stage": stage, "touchpoint": touchpoint, "persona": persona,
            "metric": metric, "expected_valence": expected_valence,
            "persona_mean": float(score[mine].mean()) if mine.any() else float("nan"),
            "persona_n": int(mine.sum()),
            "others_mean": float(score[rest].mean()) if rest.any() else float("nan"),
            "others_n": int(rest.sum())}


def theme_truths(stats: dict, names: list[str], themes: dict, stage_of: dict,
                 main_personas: dict, pain_points: dict) -> list[dict]:
    """Feedback themes: where they are, their key words, how often and from whom."""
    out = []
    for theme in themes.values():
        rows = stats["fb_theme"] == theme.id
        at_tp = stats["fb_touchpoint"] == theme.touchpoint
        by = {name: int(np.sum(rows & (stats["fb_persona"] == k)))
              for k, name in enumerate(names)}
        out.append({"id": theme.id, "title": theme.title, "touchpoint": theme.touchpoint,
                    "stage": stage_of[theme.touchpoint], "sentiment": theme.sentiment,
                    "keywords": list(theme.keywords), "n_feedback": int(rows.sum()),
                    "share_of_touchpoint_feedback": float(rows.sum() / max(int(at_tp.sum()), 1)),
                    "by_persona": by, "main_personas": main_personas.get(theme.id, []),
                    "pain_point": pain_points.get(theme.id)})
    return out


def pii_truths(stats: dict) -> dict:
    """Which feedback comments and tickets carry (fictional) personal data, by kind."""
    out = {}
    for table, key, prefix, width in (("feedback", "fb_pii", "F", 8),
                                      ("tickets", "tk_pii", "T", 7)):
        kinds = stats[key]
        out[table] = {kind: {"n": int(np.sum(kinds == kind)),
                             "ids": [f"{prefix}{i + 1:0{width}d}"
                                     for i in np.flatnonzero(kinds == kind)[:2000]]}
                      for kind in PII_KINDS}
    out["note"] = ("fictional values: example.com/example.org e-mail addresses, Ofcom drama "
                   "phone numbers (+44 7700 900xxx, 020 7946 0xxx), payment-network test cards")
    return out


def order_truths(stats: dict, names: list[str]) -> dict:
    """Orders and revenue per persona (value at stake)."""
    amount, who = stats["order_amount"], stats["order_persona"]
    return {"orders": int(amount.size), "revenue": float(amount.sum()),
            "by_persona": {name: {"orders": int(np.sum(who == k)),
                                  "revenue": float(amount[who == k].sum()),
                                  "mean_amount": float(amount[who == k].mean())
                                  if np.any(who == k) else float("nan")}
                           for k, name in enumerate(names)}}


# ---------------------------------------------------------------------------- e-commerce
def ecommerce_truths(stats: dict, world: dict) -> dict:
    names = world["PERSONAS"]
    persona = stats["persona"]
    tp_stage = world["TOUCHPOINT_STAGE"]
    loops = stats["size_loops"]
    detours = stats["detours"]
    return {
        "journey": "journey.yaml",
        "personas": persona_truths(stats, names, world["RULES"], world["_SHARES"],
                                   ["age", "price_sensitivity", "runs_per_week"],
                                   "customer_personas"),
        "funnel": {
            "steps": world["FUNNEL"],
            "semantics": "strict: a customer reaches step k when events of steps 1..k occur in "
                         "this time order (first occurrence after the previous step)",
            "drop_off": drop_off_truth(stats, names, from_step="checkout_payment",
                                       to_step="order_placed", reached_key="paid",
                                       passed_key="ordered", persona="Budget Ben",
                                       expected_pass=world["_ORDER"]),
        },
        "loops": [
            {"kind": "loop", "events": ["product_view", "size_chart_search"],
             "touchpoint": "Product page", "persona": "New Runner Nina",
             "description": "product_view → size_chart_search → product_view … (looking for "
                            "the missing size chart)",
             "by_persona": {name: {"share_with_loop": float(np.mean(loops[persona == k] > 0)),
                                   "mean_loops": float(loops[persona == k].mean())}
                            for k, name in enumerate(names)}},
            {"kind": "detour", "events": ["cart_view", "product_view"],
             "touchpoint": "Cart", "persona": "New Runner Nina",
             "description": "cart_view → product_view → cart_view (back and forth before "
                            "checkout), among customers who added to cart",
             "by_persona": {name: {"share_with_detour": float(np.mean(detours[persona == k] > 0)),
                                   "mean_detours": float(detours[persona == k].mean())}
                            for k, name in enumerate(names)}},
        ],
        "emotion": [
            emotion_truth(stats, names, stage="Decision", touchpoint="Checkout", metric="csat",
                          persona="Budget Ben", expected_valence=-1.6, kind="low"),
            emotion_truth(stats, names, stage="Consideration", touchpoint="Product page",
                          metric="csat", persona="New Runner Nina", expected_valence=-1.2,
                          kind="low"),
            emotion_truth(stats, names, stage="Post-purchase", touchpoint="Support",
                          metric="csat", persona="Marathon Maya", expected_valence=1.7,
                          kind="high"),
        ],
        "themes": theme_truths(stats, names, world["THEMES"], tp_stage, {
            "hidden-fees": ["Budget Ben"], "missing-size-chart": ["New Runner Nina"],
            "helpful-support": ["Marathon Maya"]}, {
            "hidden-fees": "hidden-fees", "missing-size-chart": "missing-size-chart",
            "payment-options": "few-payment-options", "slow-shipping": "slow-shipping",
            "hard-returns": "hard-returns", "poor-photos": "poor-images"}),
        "unmatched_events": {"events": ["page_error"], "rows": int(stats["unmatched"].sum()),
                             "note": "page_error hits no touchpoint of journey.yaml"},
        "pii": pii_truths(stats),
        "orders": order_truths(stats, names),
    }


# ---------------------------------------------------------------------------------- B2B
def b2b_truths(stats: dict, world: dict) -> dict:
    names = world["PERSONAS"]
    persona = stats["persona"]
    tp_stage = world["TOUCHPOINT_STAGE"]
    qual = stats["qualification_days"]
    legal = stats["legal_days"]

    def medians(values):
        return {name: {"median_days": float(np.nanmedian(values[persona == k]))
                       if np.any((persona == k) & ~np.isnan(values)) else float("nan"),
                       "n": int(np.sum((persona == k) & ~np.isnan(values)))}
                for k, name in enumerate(names)}

    return {
        "journey": "journey.yaml",
        "personas": persona_truths(stats, names, world["RULES"], world["_SHARES"],
                                   ["employees", "decision_makers", "annual_revenue_m"],
                                   "customer_personas"),
        "funnel": {
            "steps": world["FUNNEL"],
            "semantics": "strict: a customer reaches step k when events of steps 1..k occur in "
                         "this time order (first occurrence after the previous step)",
            "drop_off": drop_off_truth(stats, names, from_step="proposal_sent",
                                       to_step="contract_sent", reached_key="proposal",
                                       passed_key="contract", persona="SMB Owner Sam",
                                       expected_pass=world["_CONTRACT"]),
        },
        "slow_stages": [
            {"stage": "Qualification", "persona": "SMB Owner Sam",
             "measure": "days from the account's first Qualification event to its first "
                        "Proposal review event (accounts that reach Proposal review)",
             "from_event": "sales_email_sent", "to_event": "proposal_sent",
             "expected_median_days": world["_EXPECTED_QUAL_DAYS"],
             "by_persona": medians(qual)},
            {"stage": "Contract signing", "persona": "Enterprise Procurement Priya",
             "measure": "days from legal_review_started to legal_review_completed",
             "from_event": "legal_review_started", "to_event": "legal_review_completed",
             "expected_median_days": world["_EXPECTED_LEGAL_DAYS"],
             "by_persona": medians(legal)},
        ],
        "emotion": [
            emotion_truth(stats, names, stage="Qualification", touchpoint="Discovery call",
                          metric="csat", persona="SMB Owner Sam", expected_valence=-1.1,
                          kind="low"),
            emotion_truth(stats, names, stage="Proposal review", touchpoint="Proposal document",
                          metric="csat", persona="SMB Owner Sam", expected_valence=-1.0,
                          kind="low"),
            emotion_truth(stats, names, stage="Contract signing", touchpoint="Legal review",
                          metric="ces", persona="Enterprise Procurement Priya",
                          expected_valence=-1.3, kind="low"),
            emotion_truth(stats, names, stage="Onboarding and delivery",
                          touchpoint="Kickoff meeting", metric="csat",
                          persona="Enterprise Procurement Priya", expected_valence=1.6,
                          kind="high"),
        ],
        "themes": theme_truths(stats, names, world["THEMES"], tp_stage, {
            "unclear-pricing": ["SMB Owner Sam", "Mid-market Ops Olivia"],
            "slow-legal-review": ["Enterprise Procurement Priya"],
            "slow-response": ["SMB Owner Sam"],
            "dedicated-success-manager": ["Enterprise Procurement Priya"]}, {
            "unclear-pricing": "unclear-pricing", "slow-legal-review": "slow-legal-review",
            "slow-response": "slow-qualification", "no-visibility": "no-visibility",
            "generic-proposal": "generic-proposal", "confusing-kickoff": "unclear-channels"}),
        "unmatched_events": {"events": ["email_bounced"],
                             "rows": int(stats["unmatched"].sum()),
                             "note": "email_bounced hits no touchpoint of journey.yaml"},
        "pii": pii_truths(stats),
        "orders": order_truths(stats, names),
    }
