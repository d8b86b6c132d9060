"""The e-commerce world: running shoes online.

Awareness → Consideration → Decision → Post-purchase.

Four planted personas, each with attributes drawn conditional on the persona and a behaviour of
its own:

- **Budget Ben** (30 %) — young and price-sensitive, mobile, arrives from social ads; loses
  ~60 % between ``checkout_payment`` and ``order_placed`` (a delivery fee appears only at
  payment), low CSAT and "hidden fees" comments at Checkout.
- **Marathon Maya** (20 %) — runs 4+ times a week, loyal, desktop, big baskets, buys again
  (the journey's Repeat order, ``occurrence: repeat``; the first order is ``occurrence:
  first``); contacts support and loves it (high CSAT, warm comments at Support).
- **New Runner Nina** (25 %) — 30+, runs at most once a week; looks for a size chart that the
  product page does not have (``size_chart_search`` ↔ ``product_view`` loops), low CSAT and
  "size chart" comments at the Product page, returns more.
- **Weekend Walter** (25 %) — 30+, runs 2–3 times a week; the average customer.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pyarrow as pa

from jmtools.sample_worlds import _readme, _truths
from jmtools.sample_worlds._common import ChunkState
from jmtools.sample_worlds._engine import (DAY, HOUR, MINUTE, epoch_s, lognormal_s,
                                          score_from_valence)
from jmtools.sample_worlds._text import Theme
from jmtools.sample_worlds._writer import ChunkResult, World

__all__ = ["WORLD", "PERSONAS", "EVENTS", "TOUCHPOINT_STAGE", "THEMES"]

PERSONAS = ["Budget Ben", "Marathon Maya", "New Runner Nina", "Weekend Walter"]
_SHARES = np.array([0.30, 0.20, 0.25, 0.25])
RULES = {
    "Budget Ben": "age < 30 and price_sensitivity >= 0.6",
    "Marathon Maya": "runs_per_week >= 4",
    "New Runner Nina": "runs_per_week <= 1 and age >= 30",
    "Weekend Walter": "runs_per_week >= 2 and runs_per_week <= 3 and age >= 30",
}

#: Touchpoint → stage, as in templates/journeys/ecommerce.yaml.
TOUCHPOINT_STAGE = {
    "Social ad": "Awareness", "Influencer post": "Awareness", "Search result": "Awareness",
    "Newsletter": "Awareness", "Home page": "Awareness",
    "Product page": "Consideration", "Reviews": "Consideration",
    "Buying guide": "Consideration", "Comparison": "Consideration",
    "Wish list": "Decision", "Cart": "Decision", "Promotions": "Decision",
    "Checkout": "Decision", "Order confirmation": "Decision", "Repeat order": "Decision",
    "Order tracking": "Post-purchase", "Delivery": "Post-purchase", "Support": "Post-purchase",
    "Returns": "Post-purchase", "Review request": "Post-purchase",
}

#: Event name → touchpoint (None: hits no touchpoint, planted for unmatched-event reports);
#: ``order_placed`` is the Order confirmation the first time, later a Repeat order (SPLIT).
EVENT_TOUCHPOINT = {
    "social_ad_click": "Social ad", "influencer_post_click": "Influencer post",
    "search_result_click": "Search result", "newsletter_click": "Newsletter",
    "home_view": "Home page",
    "product_view": "Product page", "size_chart_search": "Product page",
    "reviews_view": "Reviews", "buying_guide_view": "Buying guide", "compare_view": "Comparison",
    "wishlist_add": "Wish list", "cart_add": "Cart", "cart_view": "Cart",
    "promo_code_applied": "Promotions",
    "checkout_start": "Checkout", "checkout_shipping": "Checkout", "checkout_payment": "Checkout",
    "order_placed": "Order confirmation",
    "order_confirmation_open": "Order tracking", "shipping_email_open": "Order tracking",
    "order_tracking_view": "Order tracking", "delivered": "Delivery",
    "support_chat_start": "Support", "support_chat_end": "Support",
    "return_requested": "Returns", "return_label_printed": "Returns", "refund_issued": "Returns",
    "review_request_open": "Review request", "product_review_submitted": "Review request",
    "page_error": None,
}
EVENTS = list(EVENT_TOUCHPOINT)
SPLIT = {"order_placed": ["Order confirmation", "Repeat order"]}   # by occurrence: first, repeat
E = {name: i for i, name in enumerate(EVENTS)}

CHANNELS = ["web", "app", "social", "search", "email", "chat", "courier"]
_C = {name: i for i, name in enumerate(CHANNELS)}
_SITE = -1  # web or app, by the customer's device
_EVENT_CHANNEL = np.array([{
    "social_ad_click": _C["social"], "influencer_post_click": _C["social"],
    "search_result_click": _C["search"], "newsletter_click": _C["email"],
    "order_confirmation_open": _C["email"], "shipping_email_open": _C["email"],
    "review_request_open": _C["email"], "support_chat_start": _C["chat"],
    "support_chat_end": _C["chat"], "delivered": _C["courier"],
}.get(e, _SITE) for e in EVENTS])

FUNNEL = ["product_view", "cart_add", "checkout_start", "checkout_shipping", "checkout_payment",
          "order_placed"]

# ------------------------------------------------------------------ behaviour per persona
#                      Ben    Maya   Nina   Walter
_CONSIDER = np.array([0.85, 0.92, 0.88, 0.85])
_EXTRA_VIEWS = np.array([2.0, 1.2, 2.5, 1.8])         # Poisson mean of extra product views
_REVIEWS = np.array([0.30, 0.35, 0.85, 0.70])
_COMPARE = np.array([0.80, 0.15, 0.25, 0.35])
_GUIDE = np.array([0.05, 0.05, 0.80, 0.15])
_SIZE_LOOPER = np.array([0.08, 0.05, 0.85, 0.10])     # looks for a size chart
_SIZE_LOOPS = np.array([0.2, 0.2, 1.3, 0.3])          # extra loops (Poisson) of lookers
_CART = np.array([0.65, 0.75, 0.55, 0.60])
_WISH = np.array([0.30, 0.10, 0.15, 0.10])
_DETOUR = np.array([0.20, 0.08, 0.30, 0.12])          # per cart → product → cart loop, ×2 tries
_PROMO = np.array([0.80, 0.08, 0.15, 0.20])
_START = np.array([0.80, 0.92, 0.82, 0.85])
_SHIP = np.array([0.85, 0.96, 0.92, 0.92])
_PAY_REACH = np.array([0.90, 0.97, 0.93, 0.93])
_ORDER = np.array([0.40, 0.88, 0.85, 0.85])           # checkout_payment → order_placed
_PRICE = np.array([62.0, 135.0, 95.0, 105.0])         # median shoe price (EUR)
_ITEMS2 = np.array([0.08, 0.35, 0.12, 0.15])
_TRACK = np.array([1.8, 0.8, 1.2, 1.0])
_SUPPORT = np.array([0.10, 0.45, 0.20, 0.10])
_RETURN = np.array([0.08, 0.05, 0.30, 0.08])
_REPEAT = np.array([0.05, 0.55, 0.08, 0.15])
_DEVICE_MOBILE = np.array([0.92, 0.25, 0.75, 0.30])
_LOYAL = np.array([0.10, 0.85, 0.08, 0.50])
_STUDENT = np.array([0.88, 0.03, 0.02, 0.02])
_WATCH = np.array([0.25, 0.90, 0.10, 0.45])
_KM_PER_RUN = np.array([6.0, 12.0, 4.0, 8.0])      # median km per run
_ACQ = ["social", "influencer", "search", "newsletter"]
_ACQ_P = np.array([[0.55, 0.35, 0.10, 0.00], [0.00, 0.15, 0.45, 0.40],
                   [0.25, 0.05, 0.70, 0.00], [0.05, 0.00, 0.45, 0.50]])
_ACQ_EVENT = np.array([E["social_ad_click"], E["influencer_post_click"],
                       E["search_result_click"], E["newsletter_click"]])

# valence (−2..+2) of the experience at surveyed touchpoints
_V_PRODUCT = np.array([0.4, 0.8, -1.2, 0.5])
_V_CHECKOUT = np.array([-1.0, 0.9, 0.6, 0.6])
_V_SUPPORT = np.array([0.0, 1.7, 0.1, 0.2])
_V_RETURNS = np.array([-0.6, -0.2, -0.9, -0.5])
_V_NPS = np.array([-0.1, 1.2, 0.0, 0.5])
_V_REVIEW = np.array([0.5, 1.0, 0.2, 0.8])
_FREE_SHIPPING_FROM = 100.0
_FEE = 4.95

_START_DAY = dt.datetime(2026, 3, 2)
_DAYS = 184
_HOUR_P = np.array([1, 1, 1, 1, 1, 2, 3, 5, 6, 6, 6, 6, 7, 7, 6, 6, 6, 7, 8, 9, 9, 8, 5, 2], float)


def _t(*sentences: str) -> tuple[str, ...]:
    return sentences


def _mix(cores, details) -> tuple[str, ...]:
    """Every core sentence (it names the theme's key words) with every detail sentence, so
    words of a theme occur together in varied texts, not as a few repeated sentences."""
    return tuple(f"{c} {d}".strip() for c in cores for d in details)


THEMES = {t.id: t for t in [
    Theme("hidden-fees", "Delivery fee appears only at payment", "Checkout", "negative",
          ("hidden fee", "shipping cost", "delivery fee", "extra charge"), _mix((
              "A hidden delivery fee appeared at payment.",
              "Hidden fees: a delivery fee at the payment step.",
              "The delivery fee was hidden until payment.",
          ), (
              "",
              "Show the delivery fee earlier.",
          ))),
    Theme("payment-options", "Few payment options", "Checkout", "negative",
          ("payment option", "paypal", "card was declined"), _mix((
              "Not enough payment options.",
              "Too few payment options.",
              "My card was declined and no other payment option.",
          ), (
              "",
              "More payment options please, like PayPal.",
          ))),
    Theme("smooth-checkout", "Quick checkout", "Checkout", "positive",
          ("quick checkout", "easy to pay", "smooth"), _t(
              "Quick checkout, saved address and card made it easy to pay.",
              "Smooth payment, done in a minute.",
              "Very smooth checkout with clear steps.")),
    Theme("missing-size-chart", "No size chart on the product page", "Product page", "negative",
          ("size chart", "sizing", "size guide"), _mix((
              "There is no size chart.",
              "I could not find a size chart.",
              "Missing size chart.",
          ), (
              "",
              "I had to guess my size.",
          ))),
    Theme("poor-photos", "Few and small product photos", "Product page", "negative",
          ("photos", "images"), _mix((
              "The product photos are tiny.",
              "Only two product photos.",
              "Not enough product photos.",
          ), (
              "",
              "No photos of the sole.",
          ))),
    Theme("clear-product-info", "Clear product details", "Product page", "positive",
          ("description", "details"), _t(
              "Great description with all the details on drop and weight.",
              "The product details answered my questions.")),
    Theme("helpful-support", "Friendly, helpful support team", "Support", "positive",
          ("support team", "helpful", "friendly"), _t(
              "The support team was so helpful and friendly, sorted it in minutes.",
              "Friendly agent, really helpful advice on which shoe to swap to.",
              "Helpful support team, they even followed up the next day.",
              "Super friendly and helpful chat, felt like talking to a running coach.")),
    Theme("slow-support", "Slow support answers", "Support", "negative",
          ("waited", "no answer", "slow reply"), _mix((
              "I waited forty minutes in the chat queue.",
              "No answer from support after two days.",
              "Slow reply from the chat.",
          ), (
              "",
              "I waited too long.",
          ))),
    Theme("slow-shipping", "Slow delivery", "Delivery", "negative",
          ("slow delivery", "took", "late"), _mix((
              "Slow delivery.",
              "Very slow delivery.",
              "Slow delivery, the parcel was late.",
          ), (
              "",
              "Slow delivery is not acceptable.",
          ))),
    Theme("fast-delivery", "Fast delivery", "Delivery", "positive",
          ("arrived quickly", "fast delivery"), _t(
              "Fast delivery, arrived quickly and well packed.",
              "Arrived quickly, two days as promised.")),
    Theme("hard-returns", "Returns take effort", "Returns", "negative",
          ("return label", "refund"), _mix((
              "Printing the return label was a hassle.",
              "I had to print a return label.",
              "The refund after the return label took weeks.",
          ), (
              "",
              "Return label and refund need fixing.",
          ))),
    Theme("easy-returns", "Easy returns", "Returns", "positive",
          ("easy return", "refund arrived"), _t(
              "Easy return, the refund arrived within days.",
              "Easy return process, thank you.")),
    Theme("comfortable-shoes", "Comfortable shoes", "Review request", "positive",
          ("comfortable", "cushioning"), _t(
              "Very comfortable from the first run, great cushioning.",
              "Comfortable and light, the cushioning is perfect for long runs.")),
    Theme("poor-fit", "Shoes do not fit well", "Review request", "negative",
          ("blisters", "narrow", "fit"), _mix((
              "Poor fit, blisters after one run.",
              "Poor fit, too narrow.",
              "Poor fit, blisters on my heel.",
          ), (
              "",
              "The poor fit gave me blisters.",
          ))),
]}

_CUSTOMER_COLUMNS = [
    ("customer_id", pa.string()), ("signup_date", pa.date32()), ("age", pa.int64()),
    ("region", pa.string()), ("device", pa.string()), ("acquisition_channel", pa.string()),
    ("price_sensitivity", pa.float64()), ("runs_per_week", pa.int64()),
    ("weekly_km", pa.float64()), ("student", pa.bool_()), ("running_watch", pa.bool_()),
    ("loyalty_member", pa.bool_()), ("newsletter_opt_in", pa.bool_()),
]


# ----------------------------------------------------------------------- customers
def _customers(rng, persona: np.ndarray, start_s: np.ndarray) -> dict:
    n = persona.size
    is_ = [persona == k for k in range(4)]
    noise = rng.random(n) < 0.05                     # a few customers off their persona's rule
    age = np.empty(n, dtype=np.int64)
    age[is_[0]] = rng.integers(18, 30, is_[0].sum())
    age[is_[0] & noise] = rng.integers(30, 34, (is_[0] & noise).sum())
    age[is_[1]] = np.clip(np.rint(rng.normal(38, 8, is_[1].sum())), 21, 64)
    age[is_[2]] = rng.integers(30, 51, is_[2].sum())
    age[is_[2] & noise] = rng.integers(25, 30, (is_[2] & noise).sum())
    age[is_[3]] = rng.integers(38, 69, is_[3].sum())
    price = np.empty(n)
    for k, (a, b) in enumerate([(8, 2), (2, 6), (5, 3), (2, 5)]):
        price[is_[k]] = rng.beta(a, b, is_[k].sum())
    runs = np.empty(n, dtype=np.int64)
    runs[is_[0]] = rng.choice([0, 1, 2, 3], is_[0].sum(), p=[0.2, 0.35, 0.3, 0.15])
    runs[is_[1]] = rng.choice([4, 5, 6, 7], is_[1].sum(), p=[0.35, 0.3, 0.2, 0.15])
    runs[is_[1] & noise] = 3
    runs[is_[2]] = rng.choice([0, 1], is_[2].sum(), p=[0.45, 0.55])
    runs[is_[2] & noise] = 2
    runs[is_[3]] = rng.choice([2, 3], is_[3].sum(), p=[0.55, 0.45])
    runs[is_[3] & noise] = rng.choice([1, 4], (is_[3] & noise).sum())
    acq = np.empty(n, dtype=np.int64)
    for k in range(4):
        acq[is_[k]] = rng.choice(4, is_[k].sum(), p=_ACQ_P[k])
    mobile = rng.random(n) < _DEVICE_MOBILE[persona]
    loyal = rng.random(n) < _LOYAL[persona]
    newsletter = (acq == 3) | (rng.random(n) < 0.25)
    km = runs * _KM_PER_RUN[persona] * np.exp(0.3 * rng.standard_normal(n))
    tenure = np.where(loyal | newsletter, rng.integers(20, 700, n), rng.integers(0, 30, n))
    signup = (start_s // DAY - tenure).astype("datetime64[D]")
    return {
        "signup_date": signup, "age": age,
        "region": np.array(["North", "South", "East", "West"])[rng.choice(4, n)],
        "device": np.where(mobile, "mobile", "desktop"),
        "acquisition_channel": np.array(_ACQ)[acq],
        "price_sensitivity": np.round(price, 2), "runs_per_week": runs,
        "weekly_km": np.round(km, 1), "student": rng.random(n) < _STUDENT[persona],
        "running_watch": rng.random(n) < _WATCH[persona],
        "loyalty_member": loyal, "newsletter_opt_in": newsletter,
        "_acq": acq, "_mobile": mobile,
    }


# ------------------------------------------------------------------------ journey
def simulate(rng: np.random.Generator, n: int, effect=None) -> ChunkResult:
    """Simulate ``n`` customers' journeys (one chunk); ``effect``: a planted change (``Effect``)."""
    persona = rng.choice(4, size=n, p=_SHARES)
    start = (epoch_s(_START_DAY) + rng.integers(0, _DAYS, n) * DAY
             + rng.choice(24, n, p=_HOUR_P / _HOUR_P.sum()) * HOUR + rng.integers(0, HOUR, n))
    cust = _customers(rng, persona, start)
    s = ChunkState(rng, persona, start, TOUCHPOINT_STAGE, THEMES, pii_rate=0.04, effect=effect)
    everyone = np.arange(n)
    _awareness(s, everyone, cust["_acq"])
    considered, loops = _consideration(s, everyone)
    paid, ordered, detours = _decision(s, considered)
    _post_purchase(s, ordered)
    repeated = _repeat_purchase(s, ordered)
    c, t, e, v = s.tl.events()
    site = np.where(cust["_mobile"], _C["app"], _C["web"])
    channel = np.where(_EVENT_CHANNEL[e] == _SITE, site[c], _EVENT_CHANNEL[e])
    tables, stats = s.tables()
    tables["events"] = {"cust": c, "timestamp": t, "event": e, "channel": channel, "value": v}
    reached = np.zeros(n, bool)
    reached[paid] = True
    bought = np.zeros(n, bool)
    bought[ordered] = True
    again = np.zeros(n, bool)
    again[repeated] = True
    stats.update(persona=persona, paid=reached, ordered=bought, repeated=again, size_loops=loops,
                 basket=s.unit, detours=detours,
                 unmatched=np.array([np.sum(e == E["page_error"])]),
                 **{f"attr_{k}": cust[k] for k in ("age", "price_sensitivity", "runs_per_week")})
    return ChunkResult(customers=cust, tables=tables, stats=stats)


def _awareness(s: ChunkState, idx, acq) -> None:
    rng = s.rng
    pre = s.coin(idx, 0.35)                              # an earlier touch on another channel
    other = _ACQ_EVENT[(acq[pre] + rng.integers(1, 4, pre.size)) % 4]
    for code in np.unique(other):
        who = pre[other == code]
        s.tl.emit(who, int(code), lognormal_s(rng, who.size, 60))
    s.tl.wait(pre, lognormal_s(rng, pre.size, 2 * DAY))
    for k in range(4):
        who = idx[acq[idx] == k]
        s.tl.emit(who, int(_ACQ_EVENT[k]), lognormal_s(rng, who.size, 30))
    home = s.coin(idx, 0.55)
    s.tl.emit(home, E["home_view"], lognormal_s(rng, home.size, 15))
    err = s.coin(idx, 0.006)
    s.tl.emit(err, E["page_error"], lognormal_s(rng, err.size, 5))


def _consideration(s: ChunkState, idx):
    rng, tl = s.rng, s.tl
    c = s.coin(idx, s.of(_CONSIDER, idx))
    tl.emit(c, E["product_view"], lognormal_s(rng, c.size, 20))
    for code, table in (("reviews_view", _REVIEWS), ("compare_view", _COMPARE)):
        who = s.coin(c, s.of(table, c))
        tl.emit(who, E[code], lognormal_s(rng, who.size, 45))
    guide = s.coin(c, s.of(_GUIDE, c))
    tl.emit(guide, E["buying_guide_view"], lognormal_s(rng, guide.size, 40))
    tl.emit(guide, E["product_view"], lognormal_s(rng, guide.size, 90))
    extra = np.minimum(rng.poisson(s.of(_EXTRA_VIEWS, c)), 6)
    tl.repeat(rng, c, extra, [(E["product_view"], 50)])
    lookers = s.coin(c, s.of(_SIZE_LOOPER, c))
    n_loops = 1 + np.minimum(rng.poisson(s.of(_SIZE_LOOPS, lookers)), 3)
    tl.repeat(rng, lookers, n_loops, [(E["size_chart_search"], 30), (E["product_view"], 25)])
    loops = np.zeros(s.n, dtype=np.int64)
    loops[lookers] = n_loops
    polled = s.coin(c, 0.20)                             # on-site poll on the product page
    v = s.of(_V_PRODUCT, polled) + 0.35 * rng.standard_normal(polled.size)
    when = tl.clock[polled] + lognormal_s(rng, polled.size, 30)
    score = s.survey(polled, when, "Product page", "csat", v)
    s.comments(polled, when + 20, "Product page", v, score, {
        "negative": [("missing-size-chart", np.where(s.persona[polled] == 2, 0.9, 0.35)),
                     ("poor-photos", None)],
        "positive": [("clear-product-info", None)]})
    return c, loops


def _decision(s: ChunkState, considered):
    rng, tl = s.rng, s.tl
    cart = s.coin(considered, s.of(_CART, considered))
    later = s.coin(cart, 0.45)
    tl.wait(later, lognormal_s(rng, later.size, 1.5 * DAY))
    wish = s.coin(cart, s.of(_WISH, cart))
    tl.emit(wish, E["wishlist_add"], lognormal_s(rng, wish.size, 30))
    wish_later = s.coin(wish, 0.6)
    tl.wait(wish_later, lognormal_s(rng, wish_later.size, 2 * DAY))
    price = np.round(s.of(_PRICE, cart) * np.exp(0.25 * rng.standard_normal(cart.size)), 2)
    tl.emit(cart, E["cart_add"], lognormal_s(rng, cart.size, 40), value=price)
    tl.emit(cart, E["cart_view"], lognormal_s(rng, cart.size, 20))
    detours = rng.binomial(2, s.of(_DETOUR, cart))
    tl.repeat(rng, cart, detours, [(E["product_view"], 40), (E["cart_view"], 35)])
    n_detours = np.zeros(s.n, dtype=np.int64)
    n_detours[cart] = detours
    promo = s.coin(cart, s.of(_PROMO, cart))
    tl.emit(promo, E["promo_code_applied"], lognormal_s(rng, promo.size, 60))
    started = s.coin(cart, s.of(_START, cart))
    tl.emit(started, E["checkout_start"], lognormal_s(rng, started.size, 40))
    ship = s.coin(started, s.of(_SHIP, started))
    tl.emit(ship, E["checkout_shipping"], lognormal_s(rng, ship.size, 60))
    paid = s.coin(ship, s.of(_PAY_REACH, ship))
    tl.emit(paid, E["checkout_payment"], lognormal_s(rng, paid.size, 60))
    err = s.coin(paid, 0.02)
    tl.emit(err, E["page_error"], lognormal_s(rng, err.size, 8))
    ordered = s.coin(paid, s.adjust("order", paid, s.of(_ORDER, paid)))  # a planted fix, if any
    unit = np.zeros(s.n)
    unit[cart] = price
    s.unit = unit
    items = np.ones(s.n, dtype=np.int64)
    items[paid] += rng.random(paid.size) < s.of(_ITEMS2, paid)
    subtotal = unit * items
    s.fee = np.where(subtotal < _FREE_SHIPPING_FROM, _FEE, 0.0)   # shown only at payment
    s.amount = np.round(subtotal + s.fee, 2)
    s.items = items
    tl.emit(ordered, E["order_placed"], lognormal_s(rng, ordered.size, 90),
            value=s.amount[ordered])
    _checkout_voice(s, paid, ordered)
    return paid, ordered, n_detours


def _checkout_voice(s: ChunkState, paid, ordered) -> None:
    rng = s.rng
    abandoned = np.setdiff1d(paid, ordered)
    has_fee = s.fee[paid] > 0
    answered = s.coin(paid, 0.40)
    sel = np.isin(paid, answered)
    v = (s.of(_V_CHECKOUT, paid) - 0.9 * np.isin(paid, abandoned) - 0.3 * has_fee
         + 0.4 * rng.standard_normal(paid.size))[sel]
    when = s.tl.clock[answered] + lognormal_s(rng, answered.size, 5 * MINUTE)
    score = s.survey(answered, when, "Checkout", "csat", v)
    s.survey(answered, when + 30, "Checkout", "ces", v)
    ben = s.persona[answered] == 0
    s.comments(answered, when + 60, "Checkout", v, score, {
        "negative": [("hidden-fees", np.where(ben, 0.85, 0.45)), ("payment-options", None)],
        "positive": [("smooth-checkout", None)]})
    trouble = s.coin(abandoned, np.where(s.persona[abandoned] == 0, 0.10, 0.05))
    opened = s.tl.clock[trouble] + lognormal_s(rng, trouble.size, 2 * HOUR)
    closed = opened + lognormal_s(rng, trouble.size, 1 * DAY)
    texts = [str(rng.choice(["Payment failed and the delivery fee was a surprise.",
                             "Could not complete payment, card declined.",
                             "Why is there a shipping cost at the end?"]))
             for _ in range(trouble.size)]
    s.ticket(trouble, opened, closed, "payment", "email", "Checkout", texts)


def _post_purchase(s: ChunkState, ordered) -> None:
    rng, tl = s.rng, s.tl
    o = ordered
    t_order = tl.clock[o].copy()
    tl.emit(o, E["order_confirmation_open"], lognormal_s(rng, o.size, 4 * MINUTE))
    tl.emit_at(o, E["shipping_email_open"], t_order + lognormal_s(rng, o.size, 20 * HOUR))
    slow = rng.random(o.size) < 0.15
    ship_s = lognormal_s(rng, o.size, 3 * DAY, 0.3) * np.where(slow, 2.6, 1.0)
    tracks = rng.poisson(s.of(_TRACK, o) + 2 * slow)
    tl.repeat(rng, o, tracks, [(E["order_tracking_view"], 9 * HOUR)])
    delivered = tl.emit_at(o, E["delivered"], t_order + ship_s.astype(np.int64))
    _delivery_voice(s, o, delivered, slow)
    sup = s.coin(o, s.of(_SUPPORT, o) + 0.15 * slow)
    tl.wait(sup, lognormal_s(rng, sup.size, 1 * DAY))
    start = tl.emit(sup, E["support_chat_start"], 1)
    end = tl.emit(sup, E["support_chat_end"], lognormal_s(rng, sup.size, 14 * MINUTE))
    _support_voice(s, sup, start, end)
    ret = s.coin(o, s.of(_RETURN, o))
    tl.wait(ret, lognormal_s(rng, ret.size, 2 * DAY))
    asked = tl.emit(ret, E["return_requested"], 1)
    tl.emit(ret, E["return_label_printed"], lognormal_s(rng, ret.size, 10 * MINUTE))
    refund = tl.emit(ret, E["refund_issued"], lognormal_s(rng, ret.size, 6 * DAY),
                     value=s.amount[ret])
    _returns_voice(s, ret, asked, refund)
    s.order(o, t_order, s.amount[o], s.items[o], np.where(np.isin(o, ret), "returned",
                                                           "delivered"))
    req = s.coin(o, 0.5)
    d_req = delivered[np.isin(o, req)]
    tl.emit_at(req, E["review_request_open"], d_req + 7 * DAY)
    rev_sel = rng.random(req.size) < 0.45
    rev = req[rev_sel]
    t_rev = tl.emit(rev, E["product_review_submitted"], lognormal_s(rng, rev.size, 3 * MINUTE))
    returned = np.isin(rev, ret)
    v_rev = s.of(_V_REVIEW, rev) - 1.0 * returned + 0.5 * rng.standard_normal(rev.size)
    stars = score_from_valence(rng, v_rev, "stars")
    s.comments(rev, t_rev, "Review request", v_rev, stars, {
        "negative": [("poor-fit", None)], "positive": [("comfortable-shoes", None)]},
        source="review", always=True)
    nps = s.coin(o, 0.35)
    v = (s.of(_V_NPS, nps) - 1.0 * slow[np.isin(o, nps)] - 0.6 * np.isin(nps, ret)
         + 0.5 * rng.standard_normal(nps.size))
    s.survey(nps, delivered[np.isin(o, nps)] + 7 * DAY + HOUR, "Review request", "nps", v)


def _delivery_voice(s, o, delivered, slow) -> None:
    who = s.coin(o, np.where(slow, 0.30, 0.04))
    sl = slow[np.isin(o, who)]
    v = np.where(sl, -1.3, 1.0) + 0.4 * s.rng.standard_normal(who.size)
    s.comments(who, delivered[np.isin(o, who)] + lognormal_s(s.rng, who.size, 3 * HOUR),
              "Delivery", v, None, {"negative": [("slow-shipping", None)],
                                    "positive": [("fast-delivery", None)]}, source="email",
              always=True)


def _support_voice(s, sup, start, end) -> None:
    rng = s.rng
    topics = np.array(["delivery status", "sizing", "product question", "payment", "other"])
    p_size = np.where(s.persona[sup] == 2, 0.5, 0.15)
    topic = np.where(rng.random(sup.size) < p_size, "sizing",
                     topics[rng.choice([0, 2, 3, 4], sup.size, p=[0.45, 0.3, 0.1, 0.15])])
    texts = [_TICKET_TEXT[t][int(rng.integers(len(_TICKET_TEXT[t])))] for t in topic]
    s.ticket(sup, start, end, topic, "chat", "Support", texts)
    answered_sel = rng.random(sup.size) < 0.65
    ans = sup[answered_sel]
    v = s.of(_V_SUPPORT, ans) + 0.4 * rng.standard_normal(ans.size)
    when = end[answered_sel] + lognormal_s(rng, ans.size, 10 * MINUTE)
    score = s.survey(ans, when, "Support", "csat", v)
    s.comments(ans, when + 45, "Support", v, score, {
        "negative": [("slow-support", None)], "positive": [("helpful-support", None)]})


def _returns_voice(s, ret, asked, refund) -> None:
    rng = s.rng
    texts = [_TICKET_TEXT["return"][int(rng.integers(3))] for _ in range(ret.size)]
    s.ticket(ret, asked, refund, "return", "web", "Returns", texts)
    sel = rng.random(ret.size) < 0.45
    ans = ret[sel]
    v = s.of(_V_RETURNS, ans) + 0.4 * rng.standard_normal(ans.size)
    when = refund[sel] + lognormal_s(rng, ans.size, 2 * HOUR)
    s.survey(ans, when, "Returns", "ces", v)
    s.comments(ans, when + 40, "Returns", v, None, {
        "negative": [("hard-returns", None)], "positive": [("easy-returns", None)]})


_TICKET_TEXT = {
    "delivery status": ["Where is my parcel? Tracking has not moved.",
                        "Delivery status says pending for days."],
    "sizing": ["Which size should I order in this model?", "Shoes too small, can I swap sizes?",
               "Is there a size chart for this brand?"],
    "product question": ["Is this shoe good for trail running?", "What is the heel drop?"],
    "payment": ["I was charged twice.", "Promo code did not apply."],
    "other": ["Please update my address.", "Question about my loyalty points."],
    "return": ["Return request: wrong size.", "Return request: does not fit.",
               "Return request: changed my mind."],
}


# ------------------------------------------------------------------------- repeat buys
def _repeat_purchase(s: ChunkState, ordered) -> np.ndarray:
    rng, tl = s.rng, s.tl
    rep = s.coin(ordered, s.of(_REPEAT, ordered))
    tl.wait(rep, lognormal_s(rng, rep.size, 35 * DAY, 0.4))
    price = np.round(s.of(_PRICE, rep) * np.exp(0.25 * rng.standard_normal(rep.size)), 2)
    tl.emit(rep, E["product_view"], lognormal_s(rng, rep.size, 20))
    tl.emit(rep, E["cart_add"], lognormal_s(rng, rep.size, 40), value=price)
    for code in ("checkout_start", "checkout_shipping", "checkout_payment"):
        tl.emit(rep, E[code], lognormal_s(rng, rep.size, 45))
    amount = price + np.where(price < _FREE_SHIPPING_FROM, _FEE, 0.0)
    when = tl.emit(rep, E["order_placed"], lognormal_s(rng, rep.size, 60), value=amount)
    s.order(rep, when, amount, np.ones(rep.size, dtype=np.int64), "delivered")
    t0 = when.copy()
    tl.emit_at(rep, E["shipping_email_open"], t0 + lognormal_s(rng, rep.size, 20 * HOUR))
    tl.emit_at(rep, E["delivered"], t0 + lognormal_s(rng, rep.size, 3 * DAY, 0.3))
    return rep


# -------------------------------------------------------------------------- truths
def reduce(stats: dict, offsets: dict) -> dict:
    """One chunk's contribution to the truths (small sums; see ``_truths``)."""
    return _truths.ecommerce_reduce(stats, offsets, world=globals())


def truths(tally) -> dict:
    """The planted facts, as designed and as observed in the written data."""
    return _truths.ecommerce_truths(tally, world=globals())


def readme(truths_doc: dict, *, fmt: str) -> str:
    return _readme.ecommerce_readme(truths_doc, fmt=fmt)


WORLD = World(
    name="ecommerce", code=1, template="ecommerce.yaml", default_customers=4000,
    id_prefix="C", id_width=7, customer_columns=_CUSTOMER_COLUMNS, event_names=EVENTS,
    channel_names=CHANNELS, persona_names=PERSONAS, simulate=simulate, reduce=reduce, truths=truths,
    readme=readme,
)
