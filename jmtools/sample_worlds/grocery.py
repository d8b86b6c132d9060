"""The grocery world: an online grocery and household-goods shop, behaviour only.

Awareness → Browse → First order → Delivery → Restock → Repeat order.

This world is shaped unlike the other two on purpose, the way a retailer's first export
usually looks:

- **Behaviour only**: customers, events and orders; no surveys, feedback or tickets files.
- **A repeated purchase**: ``order_placed`` is both the first order and every repeat order
  (the journey tells them apart with ``occurrence: first`` / ``occurrence: repeat``);
  shopping and deliveries after the first delivery belong to later stages (``after:``).
- **Company-initiated mailings** sent in bulk, to many customers at the same second, before
  and after their purchases: ``newsletter_sent`` (Thursdays 09:00), ``push_sent`` (every
  other Saturday 10:00, app users) and ``reminder_email_sent`` (18:00, ten days after an
  order not yet followed by another); customers answer some (``newsletter_click``,
  ``app_open``, ``reminder_click``).
- **Date-only timestamps**: ``delivered`` is recorded at 00:00:00 of the delivery day, so it
  sorts before the same day's tracking views that really came before the parcel.
- **Customers missing from the customer table** (about 3 %): events, orders and mailings,
  but no row in ``customers.csv``.
- **Personas that do not cover everyone**: three exact rules over the customer table, and
  a quarter of the customers whom no rule selects.

Personas:

- **Family Fiona** (35 %) — three or more in the household; orders most often and comes
  back: about 80 % of her first orders are followed by another, every week or so.
- **Deal Hunter Dev** (25 %) — one or two in the household, lives for offers; opens about
  a third of the mailings he gets (the others: 3–6 %); half his first orders repeat.
- **Retired Rita** (15 %) — one or two in the household, 65 or older; a careful first
  order and few repeats (about a quarter).
- the rest (25 %) — couples and singles under 65 who are not deal hunters: no persona.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from jmtools.core.vocabulary import NO_PERSONA, NOT_IN_CUSTOMERS
from jmtools.sample_worlds import _readme, _truths
from jmtools.sample_worlds._common import ChunkState
from jmtools.sample_worlds._engine import DAY, HOUR, MINUTE, epoch_s, lognormal_s
from jmtools.sample_worlds._writer import ChunkResult, World

__all__ = ["WORLD", "PERSONAS", "EVENTS", "STAGES", "TOUCHPOINT_STAGE", "COMPANY_EVENTS",
           "simulate", "reduce", "truths", "readme"]

PERSONAS = ["Family Fiona", "Deal Hunter Dev", "Retired Rita"]
#: Shares of the three personas and of the customers no rule selects (index 3).
_SHARES = np.array([0.35, 0.25, 0.15, 0.25])
RULES = {
    "Family Fiona": "household_size >= 3",
    "Deal Hunter Dev": "household_size <= 2 and coupon_affinity >= 0.7",
    "Retired Rita": "household_size <= 2 and age >= 65",
}

STAGES = ["Awareness", "Browse", "First order", "Delivery", "Restock", "Repeat order"]

#: Touchpoint → stage, in the file order of templates/journeys/grocery.yaml.
TOUCHPOINT_STAGE = {
    "Weekly newsletter": "Awareness", "Newsletter offer": "Awareness", "App push": "Awareness",
    "Push offer": "Awareness", "Online ad": "Awareness", "Search engine": "Awareness",
    "Repeat shopping": "Restock", "Shop": "Browse", "First order": "First order",
    "Repeat order": "Repeat order", "Repeat delivery": "Repeat order", "Delivery": "Delivery",
    "Delivery tracking": "Delivery", "Restock reminder": "Restock", "Reminder link": "Restock",
}

#: Event name → every touchpoint whose patterns match it, in file order (the first whose
#: conditions hold wins); [] for an event no touchpoint matches (planted).
EVENT_TOUCHPOINTS = {
    "ad_click": ["Online ad"], "search_click": ["Search engine"],
    "newsletter_sent": ["Weekly newsletter"], "newsletter_click": ["Newsletter offer"],
    "push_sent": ["App push"], "app_open": ["Push offer"],
    "product_search": ["Repeat shopping", "Shop"], "product_view": ["Repeat shopping", "Shop"],
    "basket_add": ["Repeat shopping", "Shop"], "checkout_start": ["Repeat shopping", "Shop"],
    "order_placed": ["First order", "Repeat order"],
    "delivered": ["Repeat delivery", "Delivery"],
    "order_tracking_view": ["Repeat delivery", "Delivery tracking"],
    "delivery_rated": ["Repeat delivery", "Delivery tracking"],
    "reminder_email_sent": ["Restock reminder"], "reminder_click": ["Reminder link"],
    "app_error": [],
}
EVENTS = list(EVENT_TOUCHPOINTS)
E = {name: i for i, name in enumerate(EVENTS)}

#: Company-initiated events (mailings) → the customer's answer to one.
COMPANY_EVENTS = {"newsletter_sent": "newsletter_click", "push_sent": "app_open",
                  "reminder_email_sent": "reminder_click"}
DATE_ONLY_EVENT = "delivered"
#: Customer ids: prefix and digits (G000001 …).
WORLD_ID = ("G", 6)
UNMATCHED_EVENT = "app_error"

CHANNELS = ["web", "app", "email", "push", "ads", "search", "courier"]
_C = {name: i for i, name in enumerate(CHANNELS)}
_SITE = -1  # web or app, by the customer's device
_EVENT_CHANNEL = np.array([{
    "ad_click": _C["ads"], "search_click": _C["search"], "newsletter_sent": _C["email"],
    "newsletter_click": _C["email"], "push_sent": _C["push"], "app_open": _C["app"],
    "delivered": _C["courier"], "reminder_email_sent": _C["email"],
    "reminder_click": _C["email"], "app_error": _C["app"],
}.get(e, _SITE) for e in EVENTS])

# ------------------------------------------------------------------ behaviour per persona
#                      Fiona  Dev   Rita  (none)
_FIRST = np.array([0.72, 0.55, 0.45, 0.55])           # first order, of all customers
_REPEAT = np.array([0.80, 0.50, 0.25, 0.40])          # a repeat order, of first orders
_REPEATS_MEAN = np.array([4.0, 2.0, 1.5, 2.0])        # repeat orders of a repeater
_GAP_D = np.array([8.0, 14.0, 20.0, 14.0])            # median days between orders
_RESPOND = np.array([0.05, 0.35, 0.03, 0.06])         # answers per mailing received
_BASKET_EUR = np.array([92.0, 41.0, 36.0, 58.0])      # median order amount
_ADDS = np.array([4.0, 2.0, 2.5, 3.0])                # extra basket_add events (Poisson)
_NEWSLETTER = np.array([0.55, 0.95, 0.50, 0.30])      # newsletter opt-in
_APP = np.array([0.90, 0.90, 0.05, 0.30])             # uses the app
_PUSH = np.array([0.85, 0.95, 0.50, 0.40])            # push opt-in of app users
_AD = np.array([0.50, 0.70, 0.20, 0.50])              # acquired by an ad (else search)
_MISSING = 0.03                                       # no row in the customer table
_BROWSE_OTHERS = 0.85                                 # non-buyers who browse
_BASKET_OTHERS = 0.50                                 # … who fill a basket
_CHECKOUT_OTHERS = 0.35                               # … who start the checkout
_TRACK = 0.40                                         # track on the delivery day
_RATE = 0.30                                          # rate the delivery
_REMIND_D = 10                                        # reminder: days after an order
_ITEM_EUR = 3.9

_START_DAY = dt.datetime(2026, 1, 5)                  # a Monday
_DAYS = 182
_ACQ_DAYS = 126
_START_S = epoch_s(_START_DAY)
_END_S = _START_S + _DAYS * DAY
_HOUR_P = np.array([1, 1, 1, 1, 1, 1, 2, 4, 5, 5, 5, 5, 6, 6, 5, 5, 6, 7, 8, 9, 9, 8, 5, 2], float)
#: Bulk sends: Thursdays 09:00 (newsletter), every other Saturday 10:00 (push).
NEWSLETTER_TIMES = np.array([_START_S + d * DAY + 9 * HOUR for d in range(3, _DAYS - 2, 7)])
PUSH_TIMES = np.array([_START_S + d * DAY + 10 * HOUR for d in range(5, _DAYS - 2, 14)])

_CUSTOMER_COLUMNS = [
    ("customer_id", pa.string()), ("signup_date", pa.date32()), ("age", pa.int64()),
    ("household_size", pa.int64()), ("region", pa.string()), ("device", pa.string()),
    ("acquisition_channel", pa.string()), ("coupon_affinity", pa.float64()),
    ("newsletter_opt_in", pa.bool_()), ("push_opt_in", pa.bool_()), ("has_pets", pa.bool_()),
]


# ----------------------------------------------------------------------- customers
def _customers(rng, persona: np.ndarray, start_s: np.ndarray) -> dict:
    """Attributes drawn per persona so that each rule selects exactly its persona."""
    n = persona.size
    is_ = [persona == k for k in range(4)]
    age = np.empty(n, dtype=np.int64)
    size = np.empty(n, dtype=np.int64)
    coupon = np.empty(n)
    for k, (ages, sizes, p_size, (a, b), scale, low) in enumerate([
            ((28, 53), [3, 4, 5, 6], [0.40, 0.35, 0.18, 0.07], (2, 3), 1.0, 0.0),
            ((20, 45), [1, 2], [0.55, 0.45], (2, 2), 0.3, 0.7),
            ((65, 85), [1, 2], [0.50, 0.50], (2, 4), 0.69, 0.0),
            ((18, 65), [1, 2], [0.40, 0.60], (2, 3), 0.69, 0.0)]):
        m = int(is_[k].sum())
        age[is_[k]] = rng.integers(*ages, m)
        size[is_[k]] = rng.choice(sizes, m, p=p_size)
        coupon[is_[k]] = low + scale * rng.beta(a, b, m)
    app = rng.random(n) < _APP[persona]
    ad = rng.random(n) < _AD[persona]
    return {
        "signup_date": (start_s // DAY).astype("datetime64[D]"), "age": age,
        "household_size": size,
        "region": np.array(["North", "South", "East", "West"])[rng.choice(4, n)],
        "device": np.where(app, "app", "web"),
        "acquisition_channel": np.where(ad, "ad", "search"),
        "coupon_affinity": np.floor(coupon * 100) / 100,
        "newsletter_opt_in": rng.random(n) < _NEWSLETTER[persona],
        "push_opt_in": app & (rng.random(n) < _PUSH[persona]),
        "has_pets": rng.random(n) < 0.3,
        "_app": app, "_ad": ad,
    }


# ------------------------------------------------------------------------ journey
def simulate(rng: np.random.Generator, n: int) -> ChunkResult:
    """Simulate ``n`` customers' journeys (one chunk)."""
    persona = rng.choice(4, size=n, p=_SHARES)
    start = (_START_S + rng.integers(0, _ACQ_DAYS, n) * DAY
             + rng.choice(24, n, p=_HOUR_P / _HOUR_P.sum()) * HOUR + rng.integers(0, HOUR, n))
    cust = _customers(rng, persona, start)
    missing = rng.random(n) < _MISSING
    s = ChunkState(rng, persona, start, TOUCHPOINT_STAGE, {}, pii_rate=0.0)
    everyone = np.arange(n)
    for code, who in ((E["ad_click"], everyone[cust["_ad"]]),
                      (E["search_click"], everyone[~cust["_ad"]])):
        s.tl.emit(who, code, lognormal_s(rng, who.size, 20))
    buyers, browsed = _first_visit(s, everyone)
    _place_order(s, buyers)
    _repeat_orders(s, buyers)
    orders = s.orders.arrays(sort_by=("cust", "timestamp"))
    n_orders = np.bincount(orders["cust"].astype(np.int64), minlength=n)
    first_order = np.full(n, np.iinfo(np.int64).max)
    np.minimum.at(first_order, orders["cust"].astype(np.int64),
                  orders["timestamp"].astype(np.int64))
    mail = _mailings(s, cust, start, first_order, orders)
    c, t, e, v = s.tl.events()
    site = np.where(cust["_app"], _C["app"], _C["web"])
    channel = np.where(_EVENT_CHANNEL[e] == _SITE, site[c], _EVENT_CHANNEL[e])
    tables = {"events": {"cust": c, "timestamp": t, "event": e, "channel": channel, "value": v},
              "orders": orders}
    stats = dict(
        persona=persona, missing=missing, browsed=np.isin(everyone, browsed),
        first=n_orders >= 1, repeat=n_orders >= 2, n_orders=n_orders,
        order_cust=orders["cust"].astype(np.int64),
        order_amount=orders["amount"].astype(float),
        restock_customer=(n_orders >= 2) | (mail["resp_reminder"] > 0),
        restock_any=(n_orders >= 2) | (mail["sent_reminder"] > 0),
        unmatched=np.array([np.sum(e == E["app_error"])]),
        missing_events=np.array([np.sum(missing[c])]),
        **_date_only_stats(c, t, e), **mail,
        **{f"attr_{k}": cust[k] for k in ("age", "household_size", "coupon_affinity")})
    return ChunkResult(customers=cust, tables=tables, stats=stats,
                       customer_rows=np.flatnonzero(~missing))


def _first_visit(s: ChunkState, idx):
    """Browse, basket and checkout; buyers (drawn first) always get to the checkout."""
    rng, tl = s.rng, s.tl
    buyers = s.coin(idx, s.of(_FIRST, idx))
    others = np.setdiff1d(idx, buyers)
    look = np.union1d(buyers, s.coin(others, _BROWSE_OTHERS))
    search = s.coin(look, 0.8)
    tl.emit(search, E["product_search"], lognormal_s(rng, search.size, 40))
    views = 1 + np.minimum(rng.poisson(2.5, look.size), 8)
    tl.repeat(rng, look, views, [(E["product_view"], 35)])
    err = s.coin(look, 0.01)
    tl.emit(err, E["app_error"], lognormal_s(rng, err.size, 5))
    basket = np.union1d(buyers, s.coin(np.setdiff1d(look, buyers), _BASKET_OTHERS))
    adds = 1 + np.minimum(rng.poisson(s.of(_ADDS, basket)), 12)
    tl.repeat(rng, basket, adds, [(E["basket_add"], 25)])
    checkout = np.union1d(buyers, s.coin(np.setdiff1d(basket, buyers), _CHECKOUT_OTHERS))
    tl.emit(checkout, E["checkout_start"], lognormal_s(rng, checkout.size, 60))
    return buyers, look


def _place_order(s: ChunkState, idx) -> None:
    """``order_placed`` (value = amount), its order row, and the delivery that follows."""
    rng = s.rng
    amount = np.round(s.of(_BASKET_EUR, idx) * np.exp(0.35 * rng.standard_normal(idx.size)), 2)
    items = np.maximum(1, np.rint(amount / _ITEM_EUR * np.exp(0.2 * rng.standard_normal(
        idx.size)))).astype(np.int64)
    when = s.tl.emit(idx, E["order_placed"], lognormal_s(rng, idx.size, 90), value=amount)
    s.order(idx, when, amount, items, "delivered")
    _deliver(s, idx, when)


def _deliver(s: ChunkState, idx, ordered_s) -> None:
    """``delivered`` at 00:00:00 of the delivery day (date only); tracking views that morning
    (before the parcel, which comes 14:00–20:00) and a rating after it."""
    rng, tl = s.rng, s.tl
    midnight = (ordered_s // DAY + 1 + (rng.random(idx.size) < 0.3)) * DAY
    tl.emit_at(idx, E["delivered"], midnight)
    arrives = midnight + rng.integers(14 * HOUR, 20 * HOUR, idx.size)
    track = rng.random(idx.size) < _TRACK
    tl.emit_at(idx[track], E["order_tracking_view"],
               midnight[track] + rng.integers(7 * HOUR, 12 * HOUR, int(track.sum())))
    rate = rng.random(idx.size) < _RATE
    stars = np.clip(np.rint(4.1 + 0.9 * rng.standard_normal(int(rate.sum()))), 1, 5)
    tl.emit_at(idx[rate], E["delivery_rated"],
               arrives[rate] + lognormal_s(rng, int(rate.sum()), HOUR), value=stars)
    tl.wait(idx, np.maximum(arrives - tl.clock[idx], 0))


def _repeat_orders(s: ChunkState, buyers) -> None:
    """Repeaters come back every few days to weeks; orders stop four days before the end."""
    rng, tl = s.rng, s.tl
    rep = s.coin(buyers, s.of(_REPEAT, buyers))
    left = rng.geometric(1.0 / s.of(_REPEATS_MEAN, rep))
    while rep.size:
        gap = np.maximum(lognormal_s(rng, rep.size, s.of(_GAP_D, rep) * DAY, 0.4), 2 * DAY)
        ok = tl.clock[rep] + gap < _END_S - 4 * DAY
        rep, left, gap = rep[ok], left[ok], gap[ok]
        tl.wait(rep, gap)
        view = s.coin(rep, 0.5)
        tl.emit(view, E["product_view"], lognormal_s(rng, view.size, 30))
        adds = 1 + np.minimum(rng.poisson(s.of(_ADDS, rep)), 12)
        tl.repeat(rng, rep, adds, [(E["basket_add"], 20)])
        tl.emit(rep, E["checkout_start"], lognormal_s(rng, rep.size, 60))
        _place_order(s, rep)
        more = left > 1
        rep, left = rep[more], left[more] - 1


def _answer_lag(rng, n: int) -> np.ndarray:
    """Seconds from a mailing to the answer: median 2 h, always within 47 h."""
    return np.clip(lognormal_s(rng, n, 2 * HOUR, 0.9), MINUTE, 47 * HOUR)


def _send(s: ChunkState, who, code: int, when_s, answer: int, counts: dict, kind: str,
          first_order) -> int:
    """Record one bulk send (and the answers) for ``who``; return the number sent."""
    s.tl.record(who, code, when_s)
    when = np.broadcast_to(np.asarray(when_s), who.shape)
    hit = s.rng.random(who.size) < s.of(_RESPOND, who)
    s.tl.record(who[hit], answer, when[hit] + _answer_lag(s.rng, int(hit.sum())))
    np.add.at(counts[f"sent_{kind}"], who, 1)
    np.add.at(counts[f"resp_{kind}"], who[hit], 1)
    counts[f"sent_after_first_order_{kind}"][0] += int(np.sum(when > first_order[who]))
    return who.size


def _mailings(s: ChunkState, cust: dict, start, first_order, orders: dict) -> dict:
    """Newsletters and pushes on the calendar, reminders ten days after an order."""
    n = s.n
    counts = {f"{p}_{k}": np.zeros(n, dtype=np.int64) for p in ("sent", "resp")
              for k in ("newsletter", "push", "reminder")}
    counts.update({f"sent_after_first_order_{k}": np.zeros(1, dtype=np.int64)
                   for k in ("newsletter", "push", "reminder")})
    news = np.zeros(NEWSLETTER_TIMES.size, dtype=np.int64)
    for j, when in enumerate(NEWSLETTER_TIMES):
        who = np.flatnonzero(cust["newsletter_opt_in"] & (start < when))
        news[j] = _send(s, who, E["newsletter_sent"], when, E["newsletter_click"], counts,
                        "newsletter", first_order)
    push = np.zeros(PUSH_TIMES.size, dtype=np.int64)
    for j, when in enumerate(PUSH_TIMES):
        who = np.flatnonzero(cust["push_opt_in"] & (start < when))
        push[j] = _send(s, who, E["push_sent"], when, E["app_open"], counts, "push",
                        first_order)
    c = orders["cust"].astype(np.int64)
    t = orders["timestamp"].astype(np.int64)
    same = np.r_[c[1:] == c[:-1], False]
    following = np.where(same, np.r_[t[1:], 0], _END_S - 2 * DAY)
    remind = (t // DAY + _REMIND_D) * DAY + 18 * HOUR
    due = remind < following
    _send(s, c[due], E["reminder_email_sent"], remind[due], E["reminder_click"], counts,
          "reminder", first_order)
    days = np.bincount((remind[due] - _START_S) // DAY, minlength=_DAYS)[:_DAYS]
    return {**counts, "campaign_newsletter_sent": news, "campaign_push_sent": push,
            "campaign_reminder_email_sent": days}


def _date_only_stats(c, t, e) -> dict:
    """Delivered rows (all at midnight) and the same customer's later rows that same day."""
    delivered = e == E["delivered"]
    key = c.astype(np.int64) * 100_000 + t // DAY
    same_day = np.isin(key, key[delivered]) & ~delivered
    return {"delivered_rows": np.array([delivered.sum()]),
            "delivered_midnight": np.array([np.sum(delivered & (t % DAY == 0))]),
            "same_day_after": np.array([np.sum(same_day)])}


# -------------------------------------------------------------------------- truths
def reduce(stats: dict, offsets: dict) -> dict:
    """One chunk's contribution to the truths (small sums; see ``_truths``)."""
    return _truths.grocery_reduce(stats, offsets, world=globals())


def truths(tally) -> dict:
    """The planted facts, as designed and as observed in the written data."""
    return _truths.grocery_truths(tally, world=globals())


def readme(truths_doc: dict, *, fmt: str) -> str:
    """The README.md written beside the data."""
    return _readme.grocery_readme(truths_doc, fmt=fmt)


WORLD = World(
    name="grocery", code=3, template="grocery.yaml", default_customers=3000,
    id_prefix=WORLD_ID[0], id_width=WORLD_ID[1], customer_columns=_CUSTOMER_COLUMNS,
    event_names=EVENTS,
    channel_names=CHANNELS, persona_names=[*PERSONAS, NO_PERSONA], simulate=simulate,
    reduce=reduce, truths=truths, readme=readme, tables=("events", "orders"),
)
