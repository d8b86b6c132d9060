"""Which company sends are broadcasts (first-stage entry points) and which are tied to the customer.

A send (a company event whose timing shows it: in bulk, or at one time of day) is one of:

- *triggered by progress*: some customer event came before it for most of its recipients,
  far more than for customers at large (a reminder after an order);
- *tied to the customer's own events* (D218): most of its occurrences come at a steady lag
  before the customer's next own event (a reminder two days before each appointment) or after
  the last one (a survey a week after each delivery), so its timing follows the customer;
- a *broadcast*: neither; it reaches customers whatever they have done (a weekly newsletter).

Broadcasts, and the customer events that answer them, are proposed in the first stage as
entry points; the other sends are ordered like every other event.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jmtools.analyses.discovery._propose import _days, _pct, shown

#: A company send before which no limited-reach customer event comes for this share of its
#: customers is a broadcast (an entry point of the first stage).
BROADCAST_BELOW = 0.9
#: A customer event whose occurrences come straight after a broadcast this often answers it …
ANSWER_SHARE = 0.8
#: … within this many hours of it (D245: a newsletter click comes within 15 hours of its
#: mailing for 99% of the grocery sample's clicks; a renewal days after a weekly push answers
#: nothing).
ANSWER_WITHIN_H = 24.0
#: A customer event whose first time sits later than this in customers' paths (median
#: position) is a journey step, never pulled into the first stage as an answer (D245).
ANSWER_LATEST = 0.5
#: A send is tied to the customer's own events (no broadcast) when this share of its
#: occurrences or more sit at a steady lag from the customer's next (or last) own event …
STEADY_SHARE = 0.8
#: … a lag within this share of the median lag on either side of it (two days ± half a day).
STEADY_BAND = 0.25


def _tied(lags: pd.DataFrame, send: str) -> tuple[str, str] | None:
    """The note of a send tied to the customer's own events at a steady lag, and its side
    (``next``: a reminder, ``previous``: a follow-up); else None."""
    best = None
    for side, rows in lags[lags["event"] == send].groupby("side"):
        n_sent = int(rows["n_sent"].iloc[0])
        share = rows["n_steady"].sum() / n_sent
        if share >= STEADY_SHARE and (best is None or share > best[1]):
            best = (side, share, rows, n_sent)
    if best is None:
        return None
    side, share, rows, n_sent = best
    top = rows.groupby("neighbour", as_index=False)["n_steady"].sum()
    top = top.sort_values(["n_steady", "neighbour"], ascending=[False, True])
    top = (top[top["n_steady"] >= 0.05 * n_sent] if (top["n_steady"] >= 0.05 * n_sent).any()
           else top).head(3)
    what = " or ".join(shown(e) for e in top["neighbour"])
    parts = ", ".join(f"{shown(e)} {_pct(n / n_sent)}" for e, n in zip(top["neighbour"], top["n_steady"]))
    hours = float(rows["median_h"].iloc[0])
    lag = "at the same time as" if hours < 1 / 60 else \
        f"{_days(hours)} (median) {'before' if side == 'next' else 'after'}"
    own = "next" if side == "next" else "last"
    return (f"a {'reminder before' if side == 'next' else 'follow-up after'} {what}: "
            f"{_pct(share)} of its {n_sent:,} events came {lag} the customer's {own} own event, "
            f"each within {STEADY_BAND:.0%} of that lag ({parts} of its events); its timing follows the "
            "customer, so it is no broadcast: ordered like the customer's events"), side


def entry_points(nodes, pairs, moves, company: dict, n_with: int, sends, lags) -> tuple[dict, dict]:
    """Broadcast sends and the customer events that answer them → the note that says why; and
    the sends tied to the customer's own events → (their note, side) (D218).

    A company send is *triggered by progress* when some customer event came before it for
    :data:`BROADCAST_BELOW` or more of its customers, at least 20 points more than the share
    of all customers who ever did that event (a reminder after an order: every recipient had
    ordered, against 60% of all customers). It is *tied* to the customer's own events when
    :data:`STEADY_SHARE` or more of its occurrences come at a steady lag (within
    :data:`STEADY_BAND` of the median) before the customer's next own event or after the last
    one (``lags``, from :func:`._measure.neighbour_lags`). Otherwise it is a *broadcast*: it
    reaches customers whatever they have done (a weekly newsletter). A customer event is an
    *answer* when :data:`ANSWER_SHARE` or more of its occurrences come straight after a
    broadcast and within :data:`ANSWER_WITHIN_H` hours of it (a newsletter click; a renewal
    days after a weekly push answers nothing), and its first time is no late step (median
    position at most :data:`ANSWER_LATEST`, D245). Broadcasts and answers are proposed in the first stage, as
    entry points; the other sends are ordered like every other event. Only ``sends`` (company
    events whose timing shows a send: in bulk or at one time of day) can be broadcasts; a
    contact the log marks ``company`` that goes out customer by customer (a CSM call after
    set-up) is ordered like every other event, and so are the customer's steps after it (D193).
    """
    first = nodes[nodes["cls"] == 1].set_index("event")["n_customers"]
    p = pairs[(pairs["cls_a"] == 1) & (pairs["cls_b"] == 1) & ~pairs["ev_a"].isin(list(company))]
    out, tied = {}, {}
    for e in sorted(sends):
        before = p[p["ev_b"] == e]
        share = before["n_before"] / first.get(e, np.nan)
        lift = share - before["ev_a"].map(first).astype(float) / n_with   # no event before it: empty, not text
        trigger = (share >= BROADCAST_BELOW) & (lift >= 0.2)
        if trigger.any():
            continue
        note = _tied(lags, e)
        if note:
            tied[e] = note
            continue
        enriched = lift.idxmax() if len(lift) else None
        what = (f"{_pct(share[enriched])} of its customers had done "
                f"{shown(before.loc[enriched, 'ev_a'])} before it, against "
                f"{_pct(first[before.loc[enriched, 'ev_a']] / n_with)} of all customers"
                if enriched is not None else "no customer event comes before it")
        out[e] = (f"a broadcast that reaches customers whatever they have done ({what}), and at "
                  "no steady time from their own events: proposed in the first stage as an entry "
                  "point (received → acted); move it where the workshop wants it")
    if out:
        into = moves.groupby("ev_b")["n"].sum()
        quick = "n_quick" if "n_quick" in moves.columns else "n"
        from_send = moves[moves["ev_a"].isin(list(out))].groupby(["ev_b", "ev_a"])[quick].sum()
        late = nodes[(nodes["cls"] == 1) & (nodes["median_position"] > ANSWER_LATEST)]["event"]
        for (b, a), n in from_send.items():
            if b not in company and b not in out and b not in set(late) and n >= ANSWER_SHARE * into[b]:
                out[b] = (f"answers {shown(a)} ({_pct(n / into[b])} of its events come straight "
                          f"after it, within {ANSWER_WITHIN_H:.0f} hours): proposed in the first "
                          "stage with it")
    return out, tied


def place_tied(items: pd.DataFrame, lags: pd.DataFrame, tied: dict, item_of) -> dict:
    """Each item of a tied send (D218) whose own event sits in another stage → its stage and the
    words that say so (D222).

    The own item (``item_of(event, cls)``) is the one most of the send's steady occurrences come
    after (a follow-up) or before (a reminder). A follow-up after Y goes to Y's stage, unless it is
    the last item of its stage: its customers had done Y, so the funnel, which counts a contact as
    reaching its stage (received → acted, D14), counts no one there who had not. A reminder before
    X stays where the cut put it: in X's stage the funnel would count every customer it reminded
    as reaching X, those who never came too; its note names X and says so. ``items`` has ``item``
    and ``stage_index``; returns ``{item: (stage_index, note)}``.
    """
    if not tied or lags.empty:
        return {}
    at = dict(zip(items["item"], items["stage_index"]))
    rows = lags[[tied.get(e, (None, None))[1] == side for e, side in zip(lags["event"], lags["side"])]]
    item = lambda e, c: item_of(e, c) or (e, "any")     # noqa: E731  (a merged repeat: its one item)
    rows = rows.assign(item=[item(e, c) for e, c in zip(rows["event"], rows["cls"])],
                       to=[item(e, c) for e, c in zip(rows["neighbour"], rows["neighbour_cls"])])
    rows = rows[rows["item"].isin(list(at)) & rows["to"].isin(list(at))]
    out = {}
    for it, g in rows.groupby("item", sort=True):
        per = g.groupby("to")["n_steady"].sum().sort_index()
        to, n = per.idxmax(), int(per.max())
        if not n or at[to] == at[it]:
            continue
        what = shown(to[0]) + ("" if to[1] == "any" else f" ({to[1]})")
        counts = f"{n:,} of its {int(per.sum()):,} steady occurrences"
        if g["side"].iloc[0] == "previous":
            out[it] = (at[to], f"placed in the stage of {what}, the event that {counts} come after "
                               "(a follow-up belongs with it)")
        else:
            out[it] = (at[it], f"kept before the stage of {what}, the event that {counts} come before: "
                               "a funnel counts a contact as reaching its stage, so there it would count "
                               f"every customer reminded as reaching {what}, those who never came too; "
                               "move it in a workshop if that is meant")
    left = pd.Series(at).drop([it for it, (st, _) in out.items() if st != at[it]]).value_counts()
    return {it: v for it, v in out.items() if v[0] == at[it] or left.get(at[it], 0) > 0}
