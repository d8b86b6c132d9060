"""README.md written beside each generated world (tables, columns, regeneration), and the answer
key of its planted truths, kept out of the world's folder (:func:`split_answer_key`)."""

from __future__ import annotations

__all__ = ["ecommerce_readme", "b2b_readme", "grocery_readme", "split_answer_key", "PLANTED"]

#: Heading of the planted-truths section: it moves from the README to the answer key.
PLANTED = "## Planted truths (numbers observed in these files)"

_COMMON_TABLES = {
    "events": [
        ("customer_id", "string", "who (→ customers.customer_id)"),
        ("timestamp", "timestamp (naive UTC)", "when; a customer's events are strictly ordered"),
        ("event", "string", "what happened; matched to a touchpoint by the `events:` patterns "
                            "of journey.yaml"),
        ("session_id", "string", "`<customer_id>-S<nnn>`; a new session after 30 min without "
                                 "events"),
        ("channel", "string", "where it happened ({channels})"),
        ("value", "float", "{value}; empty otherwise"),
    ],
    "surveys": [
        ("survey_id", "string", "one row per answer"),
        ("customer_id", "string", "who answered"),
        ("timestamp", "timestamp", "when"),
        ("touchpoint", "string", "the touchpoint the question was about (journey.yaml name)"),
        ("stage", "string", "its stage"),
        ("metric", "string", "`csat` (1–5, higher is better), `nps` (0–10), `ces` (1–7, "
                             "higher = more effort)"),
        ("score", "integer", "the answer"),
    ],
    "feedback": [
        ("feedback_id", "string", "one row per comment"),
        ("customer_id", "string", "who wrote it"),
        ("timestamp", "timestamp", "when"),
        ("text", "string", "free text in English; tone follows the experience, a few comments "
                           "hold (fictional) e-mail addresses, phone or card numbers"),
        ("touchpoint", "string", "what it is about"),
        ("stage", "string", "its stage"),
        ("source", "string", "{sources}"),
        ("rating", "integer", "the score given with it (CSAT or stars, 1–5), empty when none"),
    ],
    "orders": [
        ("order_id", "string", "one row per {order}"),
        ("customer_id", "string", "who"),
        ("timestamp", "timestamp", "when"),
        ("amount", "float", "{amount}"),
        ("items", "integer", "{items}"),
        ("status", "string", "{status}"),
        ("currency", "string", "EUR"),
    ],
    "tickets": [
        ("ticket_id", "string", "one row per support ticket"),
        ("customer_id", "string", "who"),
        ("timestamp", "timestamp", "opened"),
        ("closed_timestamp", "timestamp", "closed"),
        ("topic", "string", "{topics}"),
        ("channel", "string", "how it was raised"),
        ("touchpoint", "string", "journey.yaml touchpoint"),
        ("stage", "string", "its stage"),
        ("text", "string", "the customer's first message"),
    ],
    "customer_personas": [
        ("customer_id", "string", "every customer"),
        ("persona", "string", "the TRUE persona the simulation drew (a planted truth: not for "
                              "analyses, for checking them)"),
    ],
}


def _table_md(name: str, file: str, rows: int, columns, fill: dict) -> str:
    lines = [f"### `{file}` — {rows:,} rows", "", "| column | type | meaning |", "|---|---|---|"]
    for col, typ, meaning in columns:
        lines.append(f"| `{col}` | {typ} | {meaning.format(**fill)} |")
    return "\n".join(lines)


def _tables_md(truths: dict, customers_cols, fill: dict) -> str:
    tables = truths["tables"]
    parts = [_table_md("customers", tables["customers"]["file"], tables["customers"]["rows"],
                       customers_cols, fill)]
    for name in ("events", "surveys", "feedback", "orders", "tickets", "customer_personas"):
        if name not in tables:   # a world without the table writes no file for it
            continue
        parts.append(_table_md(name, tables[name]["file"], tables[name]["rows"],
                               _COMMON_TABLES[name], fill))
    return "\n\n".join(parts)


def _formats(fmt: str) -> str:
    if fmt == "parquet":
        return "Every table is Parquet (`pandas.read_parquet(...)`)."
    return ("Events are Parquet (`pandas.read_parquet(\"events.parquet\")`), the other tables "
            "CSV with timestamps as `YYYY-MM-DD HH:MM:SS` (open them in a spreadsheet).")


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{100 * x:.0f} %"


def _num(x: float | None, digits: int = 2) -> str:
    """A number for the README; small worlds can leave a group empty (None in the answer key)."""
    return "–" if x is None else f"{x:.{digits}f}"


def _personas_md(truths: dict, unit: str = "customers") -> str:
    lines = [f"| persona | {unit} | rule (in journey.yaml) | rule precision | rule recall |",
             "|---|---|---|---|---|"]
    for p in truths["personas"]["items"]:
        lines.append(f"| {p['name']} | {p['n']:,} ({_pct(p['share'])}) | `{p['rule']}` | "
                     f"{_num(p['rule_precision'])} | {_num(p['rule_recall'])} |")
    return "\n".join(lines)


def _emotion_md(truths: dict) -> str:
    lines = ["| kind | stage / touchpoint | persona | metric | persona mean (n) | "
             "everyone else (n) |", "|---|---|---|---|---|---|"]
    for e in truths["emotion"]:
        lines.append(f"| {e['kind']} | {e['stage']} / {e['touchpoint']} | {e['persona']} | "
                     f"{e['metric']} | {_num(e['persona_mean'])} ({e['persona_n']}) | "
                     f"{_num(e['others_mean'])} ({e['others_n']}) |")
    return "\n".join(lines)


def _themes_md(truths: dict) -> str:
    lines = ["| theme | touchpoint | tone | key words | comments |", "|---|---|---|---|---|"]
    for t in truths["themes"]:
        lines.append(f"| {t['title']} (`{t['id']}`) | {t['touchpoint']} | {t['sentiment']} | "
                     f"{', '.join(t['keywords'])} | {t['n_feedback']} |")
    return "\n".join(lines)


def _repeat_md(rep: dict) -> str:
    """The e-commerce repeat orders: who orders again, and how the journey tells them apart."""
    rows = "\n".join(f"| {name} | {r['n_first']:,} | {_pct(r['rate'])} ({r['n_repeat']:,}) | "
                     f"{_pct(r['expected_rate'])} |" for name, r in rep["by_persona"].items())
    return (f"{rep['n_repeat']:,} of the {rep['n_first']:,} customers with an order order a second "
            f"time, about five weeks later (nobody a third time); **{rep['persona_highest']}** "
            "most often. `journey.yaml` tells the orders apart: a customer's first "
            "`order_placed` is the *Order confirmation* (`occurrence: first`), a later one the "
            "*Repeat order* (`occurrence: repeat`). An order ends a round, so shopping again "
            "after it (product page, cart, checkout) is a new round, not a loop or a detour.\n\n"
            "| persona | customers with an order | order again | designed |\n|---|---|---|---|\n"
            + rows)


def _drop_md(truths: dict) -> str:
    d = truths["funnel"]["drop_off"]
    return (f"Between `{d['from_step']}` and `{d['to_step']}`, **{d['persona']}** loses "
            f"{_pct(d['loss'])} (n = {d['n']}; designed {_pct(d['expected_loss'])}), everyone "
            f"else {_pct(d['others_loss'])} (n = {d['others_n']}).")


def _footer(world: str, truths: dict, fmt: str) -> str:
    pii = truths["pii"]["feedback"]
    return f"""
## Personal data (for masking tests)

{pii['email']['n']} comments contain an e-mail address, {pii['phone']['n']} a phone number and
{pii['card']['n']} a card number (ids listed in the answer key → `pii`; tickets carry some too).
All of it is made up: {truths['pii']['note'].removeprefix('fictional values: ')}.
{_unmatched_and_regenerate(world, truths)}"""


def _unmatched_and_regenerate(world: str, truths: dict) -> str:
    return f"""
## Unmatched events

{truths['unmatched_events']['rows']} events named {', '.join(
        '`' + e + '`' for e in truths['unmatched_events']['events'])} match no touchpoint of
`journey.yaml`, on purpose: a report of unmatched events should list them.

## How to regenerate

These files are made by `jmtools.sample_worlds.generate_world` and are reproduced byte for byte
(a test checks it):

```python
from jmtools.sample_worlds import generate_world
generate_world("{world}", "data/{world}", customers={truths['customers']}, seed={truths['seed']})
```

or, from the command line, `jmtools sample-data --world {world} --customers
{truths['customers']} --seed {truths['seed']} --out data` (one folder per world under
`--out`). Pass `fmt="parquet"` and a larger `customers` for big worlds (all tables as Parquet,
streamed in chunks of {truths['chunk_customers']:,} customers); another seed gives another world
with the same planted truths (observed values move a little, see the answer key).
"""


def ecommerce_readme(truths: dict, *, fmt: str) -> str:
    fill = {"channels": "web, app, social, search, email, chat, courier",
            "value": "cart price on `cart_add`, order amount on `order_placed`, refund on "
                     "`refund_issued`",
            "sources": "`survey_comment`, `review` (product review with stars), `email`",
            "order": "order", "amount": "paid amount incl. a 4.95 delivery fee below 100 EUR",
            "items": "pairs of shoes", "status": "`delivered` or `returned`",
            "topics": "delivery status, sizing, product question, payment, return, other"}
    customers = [
        ("customer_id", "string", "`C0000001`…"),
        ("signup_date", "date", "account created"),
        ("age", "integer", "years"),
        ("region", "string", "North, South, East, West"),
        ("device", "string", "`mobile` (events on channel app) or `desktop` (web)"),
        ("acquisition_channel", "string", "social, influencer, search, newsletter: how they "
                                          "first arrived"),
        ("price_sensitivity", "float", "0 (indifferent) … 1 (hunts bargains), from a "
                                       "questionnaire"),
        ("runs_per_week", "integer", "self-reported running frequency"),
        ("loyalty_member", "boolean", "in the loyalty programme"),
        ("newsletter_opt_in", "boolean", "receives the newsletter"),
    ]
    loops = truths["loops"][0]["by_persona"]
    others_max = max(v["share_with_loop"] for k, v in loops.items() if k != "New Runner Nina")
    nina_loops = _pct(loops["New Runner Nina"]["share_with_loop"])
    o = truths["orders"]
    d = truths["funnel"]["drop_off"]
    return f"""# Sample world: running shoes online (e-commerce)

Synthetic, seeded data for the journey in `journey.yaml` (a copy of
`templates/journeys/ecommerce.yaml`): Awareness → Consideration → Decision → Post-purchase, with
{truths['customers']:,} customers, {truths['tables']['events']['rows']:,} events and
{o['orders']:,} orders ({o['revenue']:,.0f} EUR). Nothing here is real. Generated by
`jmtools.sample_worlds` (seed {truths['seed']}); its planted facts are kept apart (see *Planted truths*).

## Tables

Timestamps are naive UTC, ids are strings. {_formats(fmt)}

{_tables_md(truths, customers, fill)}

{PLANTED}

### Personas
The true persona of each customer is in `customer_personas.csv`, not in `customers.csv`:
clustering on behaviour and attributes should rediscover it. Attributes were drawn per persona
so that each persona's rule selects it well:

{_personas_md(truths)}

### Funnel `{' → '.join(truths['funnel']['steps'])}`
{_drop_md(truths)} A delivery fee of 4.95 EUR below 100 EUR appears only at payment.
The shoes Budget Ben leaves at payment are worth {_num(d['value_at_stake'], 0)} EUR at cart
price (`value_at_stake` in the JSON answer key).

### Loops and detours
New Runner Nina searches for the missing size chart: {nina_loops} of them loop
`product_view` ↔ `size_chart_search` (the other personas {_pct(others_max)} or less).
Customers also go back and forth between cart and product page (`cart_view` → `product_view`
→ `cart_view`), New Runner Nina most often.

### Repeat orders
{_repeat_md(truths['repeat_purchase'])}

### Emotional highs and lows (survey means)
{_emotion_md(truths)}

### Feedback themes
Each comment is about one theme and contains at least one of its key words:

{_themes_md(truths)}
{_footer('ecommerce', truths, fmt)}"""


def b2b_readme(truths: dict, *, fmt: str) -> str:
    fill = {"channels": "web, email, phone, video, portal, e-sign",
            "value": "contract value on `contract_signed`",
            "sources": "`survey_comment`, `email`, `call_notes`",
            "order": "signed contract", "amount": "annual contract value",
            "items": "services in the contract", "status": "`signed`",
            "topics": "access, reporting, invoice, scope change, how to"}
    customers = [
        ("customer_id", "string", "`A00001`… (an account: one buying company)"),
        ("first_contact_date", "date", "first contact"),
        ("industry", "string", "sector"),
        ("region", "string", "DACH, Nordics, UK&I, Benelux, Southern Europe"),
        ("employees", "integer", "company size"),
        ("annual_revenue_m", "float", "annual revenue in million EUR"),
        ("decision_makers", "integer", "people who sign off a purchase"),
        ("it_maturity", "integer", "1 (low) … 5 (high), sales' assessment"),
        ("lead_source", "string", "website, whitepaper, webinar, referral, event"),
    ]
    slow = truths["slow_stages"]
    slow_md = "\n".join(
        f"- **{s['stage']}** is slow for **{s['persona']}**: {s['measure']}; median days " +
        ", ".join(f"{k} {_num(v['median_days'], 1)} (n = {v['n']})"
                  for k, v in s["by_persona"].items())
        for s in slow)
    o = truths["orders"]
    return f"""# Sample world: B2B service provider

Synthetic, seeded data for the journey in `journey.yaml` (a copy of
`templates/journeys/b2b_service.yaml`): Initial inquiry → Qualification → Proposal review →
Contract signing → Onboarding and delivery, with {truths['customers']:,} accounts,
{truths['tables']['events']['rows']:,} events and {o['orders']:,} signed contracts
({o['revenue']:,.0f} EUR a year). Nothing here is real. Generated by `jmtools.sample_worlds`
(seed {truths['seed']}); its planted facts are kept apart (see *Planted truths*).

## Tables

A "customer" is an account (a buying company). Timestamps are naive UTC, ids are strings.
{_formats(fmt)}

{_tables_md(truths, customers, fill)}

{PLANTED}

### Personas
The true persona of each account is in `customer_personas.csv`, not in `customers.csv`:

{_personas_md(truths, "accounts")}

### Funnel `{' → '.join(truths['funnel']['steps'])}`
{_drop_md(truths)} Small businesses find the pricing in the proposal unclear.

### Slow stages
{slow_md}

### Emotional highs and lows (survey means)
{_emotion_md(truths)}

### Feedback themes
Each comment is about one theme and contains at least one of its key words:

{_themes_md(truths)}
{_footer('b2b', truths, fmt)}"""


def _grocery_groups_md(truths: dict) -> str:
    first, rep = truths["first_order"]["by_group"], truths["repeat_purchase"]["by_group"]
    mail = truths["mailings"]["by_group"]
    lines = ["| group | customers | first order | repeat (of first orders) | answers per mailing |",
             "|---|---|---|---|---|"]
    for name in truths["groups"]["names"]:
        f, r, m = first[name], rep[name], mail[name]["all"]
        lines.append(f"| {name} | {f['customers']:,} | {_pct(f['rate'])} ({f['n_first']}) | "
                     f"{_pct(r['rate'])} ({r['n_repeat']}) | {_pct(m['rate'])} "
                     f"({m['responses']:,} of {m['sent']:,}) |")
    return "\n".join(lines)


def _grocery_campaigns_md(truths: dict) -> str:
    lines = ["| event (company) | answer | schedule | send times | rows | recipients per send |",
             "|---|---|---|---|---|---|"]
    for event, c in truths["company_initiated"]["campaigns"].items():
        lines.append(f"| `{event}` | `{c['response_event']}` | {c['schedule']} | "
                     f"{c['timestamps']} | {c['rows']:,} | {c['recipients_min']}–"
                     f"{c['recipients_max']} |")
    return "\n".join(lines)


def grocery_readme(truths: dict, *, fmt: str) -> str:
    fill = {"channels": "web, app, email, push, ads, search, courier",
            "value": "order amount on `order_placed`, stars (1–5) on `delivery_rated`",
            "order": "order (first or repeat)", "amount": "paid amount (EUR)",
            "items": "products in the order", "status": "`delivered`"}
    customers = [
        ("customer_id", "string", "`G000001`…; about 3 % of the customers with events have no "
                                  "row here (planted)"),
        ("signup_date", "date", "first visit"),
        ("age", "integer", "years"),
        ("household_size", "integer", "people in the household"),
        ("region", "string", "North, South, East, West"),
        ("device", "string", "`app` (events on channel app) or `web`"),
        ("acquisition_channel", "string", "`ad` or `search`: how they first arrived"),
        ("coupon_affinity", "float", "0 … 1, how much offers matter (sign-up question)"),
        ("newsletter_opt_in", "boolean", "receives the Thursday newsletter"),
        ("push_opt_in", "boolean", "receives app pushes (app users only)"),
        ("has_pets", "boolean", "buys pet food"),
    ]
    o, rep = truths["orders"], truths["repeat_purchase"]
    miss, date_only = truths["missing_customers"], truths["date_only"]
    overlaps = "\n".join(f"- `{e}` → {', '.join(tps)}"
                         for e, tps in truths["overlaps"]["events"].items())
    return f"""# Sample world: groceries online (behaviour only)

Synthetic, seeded data for the journey in `journey.yaml` (a copy of
`templates/journeys/grocery.yaml`): {' → '.join(truths['stages'])}, with
{truths['customers']:,} customers, {truths['tables']['events']['rows']:,} events and
{o['orders']:,} orders ({o['revenue']:,.0f} EUR). Nothing here is real. Generated by
`jmtools.sample_worlds` (seed {truths['seed']}); its planted facts are kept apart (see *Planted truths*).

This world is shaped like a retailer's first export, unlike the other two on purpose:
behaviour only (**no** `surveys`, `feedback` or `tickets` file), one event for the first and
every repeat purchase, bulk mailings sent by the company, a date-only event, customers
missing from the customer table and personas that do not cover everyone.

## Tables

Timestamps are naive UTC, ids are strings. {_formats(fmt)}

{_tables_md(truths, customers, fill)}

{PLANTED}

### Personas
The rules in `journey.yaml` select each persona exactly; {_pct(truths['personas']['no_persona']
['share'])} of the customer table match no rule (no persona). The true persona of every
customer, also of those missing from `customers.csv`, is in `customer_personas.csv`
(`{truths['personas']['no_persona']['label']}` for the rest).

{_personas_md(truths)}

### First and repeat orders, answers to mailings
`order_placed` is the first order (`occurrence: first`) and every later one (`occurrence:
repeat`). The repeat rate is the share of customers with a first order who order again;
**{rep['persona_highest']}** repeats most, and **{truths['mailings']['responsive_persona']}**
answers far more mailings than anyone else:

{_grocery_groups_md(truths)}

### Company-initiated mailings
`initiated_by: company` in the journey. Each send goes to all its recipients at the same
second, also after their purchases; an answer comes within 47 hours:

{_grocery_campaigns_md(truths)}

### Date-only event
All {date_only['rows']:,} `{date_only['event']}` rows are at 00:00:00 of the delivery day (the
parcel comes in the afternoon), so {date_only['same_day_rows_after']:,} rows of the same
customer and day sort after them, among them the morning's `order_tracking_view` that really
came first.

### Customers missing from the customer table
{miss['n']} customers ({_pct(miss['share_of_customers_with_events'])} of those with events) have
{miss['events']:,} events and their orders but no row in `customers.csv` (ids in the JSON answer key
→ `missing_customers`): no rule can give them a persona.

### Events matched by several touchpoints (on purpose)
Conditions split them (the first touchpoint whose pattern matches and whose conditions hold
wins); every touchpoint and every stage receives events:

{overlaps}
{_unmatched_and_regenerate('grocery', truths)}"""


def split_answer_key(text: str, world: str) -> tuple[str, str]:
    r"""Split a world's full description into its README and its answer key (Markdown).

    The section under :data:`PLANTED` (what was planted, with the numbers observed) is the
    answer key of the tests and of the teaching track; the README keeps a pointer to it, so a
    learner who opens the data folder finds the data, not the answers.

    Examples
    --------
    >>> text = "# World\n\n## Tables\n\nt\n\n" + PLANTED + "\n\nBen drops.\n\n## How to regenerate\n\nrun\n"
    >>> readme, key = split_answer_key(text, "demo")
    >>> "Ben drops" in readme, "Ben drops" in key, "## How to regenerate" in readme
    (False, True, True)
    """
    start = text.index("\n" + PLANTED)
    end = text.index("\n## ", start + 1)
    readme = text[:start] + f"""
## Planted truths

The facts planted in these files — the answer key of the tests and of the teaching track
(`notebooks/teaching/`) — are kept out of this folder, so that learners who open it find data,
not answers: `jmtools/sample_worlds/truths/{world}.md` to read, `{world}.json` beside it for code
(`jmtools.sample_worlds.load_truths("{world}")`). `jmtools sample-data --out DIR` writes them to
`DIR/truths/`.
""" + text[end:]
    key = f"""# Answer key: sample world `{world}`

What `jmtools.sample_worlds` planted in `data/{world}/`; the same facts as data are in
`{world}.json` beside this file (`jmtools.sample_worlds.load_truths("{world}")`). This is the
answer key of the tests and of the teaching track: keep it out of the learners' folders.
""" + text[start:end]
    return readme, key
