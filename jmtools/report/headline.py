"""The report's headline: what a manager gets in ten seconds, on the first screen of a phone.

For the report's focus, in plain sentences with *n* and 95% intervals: who it is about, the
biggest loss, the lowest emotional moment, the top pain point with its evidence and the fix
to do first with its owner and value at stake — each compared with all customers. A batch run
adds the comparison with the previous run at export time: each sentence carries an empty
``<span class="jm-prev" data-figure="…">`` that :func:`jmtools.report.previous.fill_previous`
fills from the history.

Computed by :mod:`jmtools.pipeline` (a :class:`~jmtools.pipeline.Findings`); this module only
words it (:mod:`jmtools.report.wording`).
"""

from __future__ import annotations

import html as _html
import re

import pandas as pd

from jmtools.analyses.disclosure import MIN_GROUP
from jmtools.core.stats import wilson_interval
from jmtools.core.vocabulary import counted
from jmtools.pipeline._had_time import had_time, open_rows
from jmtools.report.stake import stake_share
from jmtools.report.wording import (CUSTOMERS, Unit, caption, compared, emotion, feeling, ids_words, interval,
                                    later_words, loss_words, not_shown_template, open_words, percent, plain, unit_of)

__all__ = ["headline_items", "hidden_unit", "not_shown_for", "headline_html", "loss_interval", "no_loss_words",
           "one_point_curve"]


def _row_for(frame, stage, persona=None):
    rows = frame[frame["step" if "step" in frame else "stage"] == stage]
    if persona is not None:
        rows = rows[rows["persona"] == persona]
    return rows.iloc[0] if len(rows) else None


def _had_time_all(f) -> pd.DataFrame:
    """All customers' funnel with the drop-off of those who had time to go on (D221), to compare a
    persona's biggest loss with the same measure."""
    return had_time(f.funnel_all, open_rows(f.evidence, f.funnel_all))


def _ids(f) -> dict | None:
    """Most customers with events are not in the customer table: how the ids differ, first (D154)."""
    ids = getattr(f, "ids_apart", None)
    if ids is None:
        return None
    return {"key": "ids", "label": "Customer ids",
            "text": ids_words(ids, persona=None if f.focus.everyone else f.focus.persona)}


def _who(f) -> dict:
    if f.focus_hidden:                  # 1–4 customers (accounts, D256): no size, no funnel (docs/decisions.md)
        who = hidden_unit(f)
        return {"key": "focus", "label": f.focus.label,
                "text": (f"size and funnel not shown: its size would give back the size of a persona of fewer "
                         f"than {MIN_GROUP} {who}." if f.focus_protects else
                         f"fewer than {MIN_GROUP} {who} with events: their numbers are not shown, so "
                         "that no one of them can be picked out.")}
    total = int(f.evidence.n_customers)
    share = f.n_customers / total if total else None
    text = f"{f.n_customers:,} {_unit(f)}{_of_customers(f)} with events" + (
        "" if f.focus.everyone else f" ({percent(share)} of {total:,} {_unit(f)})" if f.cases else
        f" ({percent(share)} of {total:,})")
    reached = f.reached_last
    low, high = reached["ci"] or (None, None)
    if reached["protects"]:             # hidden beside the funnel for all customers (D79)
        text += f"; how many reach {reached['stage']} is not shown (it would give a smaller group's count back)"
    else:
        text += (f"; fewer than {MIN_GROUP} of {reached['started']:,} reach {reached['stage']} (not shown)"
                 if reached["hidden"] else f"; {percent(reached['share'])}{_of_journeys(f)} reach {reached['stage']} "
                 f"({interval(low, high, n=reached['started'])})")
    if not f.focus.everyone:
        other = _row_for(f.funnel_all, reached["stage"])
        if other is not None and pd.notna(other["rate_from_start"]):
            text += f"; all {_unit(f)} {percent(other['rate_from_start'])}"
    return {"key": "focus", "label": f.focus.label, "text": text + ".", "figure": "reached_last_stage"}


def hidden_unit(f) -> str:
    """Who a hidden focus has fewer than 5 of: customers (per case too: D253 hides by people), or
    with an actor column its accounts (D256).

    Examples
    --------
    >>> hidden_unit(object())
    'customers'
    """
    return unit_of(f).many if getattr(f, "cases", None) is None else "customers"


def not_shown_for(f) -> str:
    """The Markdown a report shows in place of a hidden focus's numbers
    (:func:`~jmtools.report.wording.not_shown_template`): fewer than 5 of :func:`hidden_unit`, the
    report for all of the report's unit ("all accounts", D262).

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> not_shown_for(SimpleNamespace(focus_protects=False)).split(" — ")[0]
    '> **{who}: fewer than {m} customers'
    """
    return not_shown_template(f.focus_protects, hidden=hidden_unit(f), everyone=unit_of(f).everyone)


def _unit(f) -> str:
    """What the report's counts count: ``customers``, or ``journeys (claims)`` per case (D238, D253)."""
    return unit_of(f).heading


def _of_customers(f) -> str:
    """Per case, the customers behind the focus's journeys: ``" of 400 customers"`` (D238)."""
    cases = getattr(f, "cases", None)
    return "" if cases is None else f" of {counted(f.n_people, 'customer')}"


def _of_journeys(f) -> str:
    unit = unit_of(f)
    return f" of {unit.many}" if unit.per_case else ""


def loss_interval(loss: dict) -> str:
    """The 95% interval of a loss's share (``drop_off`` of ``n_prev``, Wilson) in the one format: the
    headline, the key-figure card and the sentence under the funnel give it for the same share (D225).

    Examples
    --------
    >>> loss_interval({"drop_off": 200, "n_prev": 1404})
    '95% CI 12.5%–16.2%'
    """
    return interval(*wilson_interval(loss["drop_off"], loss["n_prev"]))


def no_loss_words(loss: dict, *, unit: Unit = CUSTOMERS) -> str | None:
    """The words for a funnel that loses nobody at any step (its biggest loss, :attr:`Findings.biggest_loss`,
    is 0 of those who start, as in a monthly cycle every customer goes through), else None: a loss of
    nobody is not named as the biggest (D265).

    Examples
    --------
    >>> no_loss_words({"drop_off": 0, "n_prev": 3000, "drop_off_rate": 0.0, "hidden": False})
    'all 3,000 customers who start reach every stage of the funnel'
    >>> no_loss_words({"drop_off": 2, "n_prev": 3000, "drop_off_rate": 0.001, "hidden": False}) is None
    True
    """
    if loss.get("hidden") or loss.get("drop_off") != 0 or loss.get("all"):
        return None
    return f"all {unit.of(loss['n_prev'])} {unit.who} start reach every stage of the funnel"


def _loss(f) -> dict | None:
    loss = f.biggest_loss
    if loss is None:
        return None
    if loss["hidden"]:                  # reached by 1–4 customers: no count, no interval
        return {"key": "loss", "label": "Biggest loss",
                "text": f"{loss['from']} → {loss['to']}: {loss_words(loss, MIN_GROUP, unit=unit_of(f))}."}
    if no_loss_words(loss, unit=unit_of(f)):          # a loss of nobody is not the biggest (D265)
        return {"key": "loss", "label": "Biggest loss", "text": f"none: {no_loss_words(loss, unit=unit_of(f))}."}
    had_time = " of those who had time to go on do not" if loss.get("all") else " do not go on"
    text = (f"{loss['from']} → {loss['to']}: {percent(loss['drop_off_rate'])}{had_time} "
            f"({loss['drop_off']:,} of {loss['n_prev']:,}; {loss_interval(loss)})")   # as under the funnel
    if loss.get("all"):                   # the funnel's own count takes those still open as lost (D221)
        text += f"; {open_words(loss)}"
    other = _row_for(_had_time_all(f), loss["to"])
    if not f.focus.everyone and other is not None and pd.notna(other["drop_off_rate"]):
        text += f"; {compared(loss['drop_off_rate'], other['drop_off_rate'], who='all ' + unit_of(f).many)}"
    skipped = f.skipped
    went = skipped[skipped["step"] == loss["to"]]
    if len(went):                         # lost by the strict funnel, yet they go on (D161)
        r = went.iloc[0]
        text += (f"; {r['n_skipped']:,} of them have a later step of their own all the same "
                 f"({later_words(r['later'], r.get('later_touchpoints'), MIN_GROUP, unit=unit_of(f))}): {loss['to']} "
                 f"may be a stage {unit_of(f).many} skip, unless what they did there is no step forward (a miss, a cancellation)")
    return {"key": "loss", "label": "Biggest loss", "text": text + "."}


def one_point_curve(findings) -> bool:
    """Whether the focus's emotion curve measures one stage only.

    A curve of one point has no lowest moment, peak or end set against others (D232): the
    headline and the report's moments say "Measured at one stage" / "Only point" instead.

    Parameters
    ----------
    findings : Findings
        A pipeline run's findings; only ``curve_focus`` (a frame with a ``valence`` column,
        one row per stage, NaN where the stage was not measured) is read.

    Returns
    -------
    bool
        True when exactly one stage of the focus's curve has a valence.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> one_point_curve(SimpleNamespace(curve_focus=pd.DataFrame({"valence": [0.4, None, None]})))
    True
    >>> one_point_curve(SimpleNamespace(curve_focus=pd.DataFrame({"valence": [0.4, -0.2, None]})))
    False
    """
    return int(findings.curve_focus["valence"].notna().sum()) == 1


def _lowest(f) -> dict | None:
    low = f.lowest_emotion
    if low is None:
        return None
    behaviour = f.curve_basis == "behaviour"        # friction in what customers did, not a feeling
    only = one_point_curve(f)
    what = ("no friction in what customers did at any stage" if behaviour and low["valence"] >= 0 else
            "the most friction in what customers did" if behaviour and not only else
            "friction in what customers did" if behaviour else feeling(low["valence"]))
    if not only and not behaviour and low["valence"] > 0.15:     # "lowest" and "felt good" in one breath
        what = f"the curve's lowest point, yet {what}"
    where = f"{low['stage']}, the only stage the curve measures" if only else low["stage"]
    # each customer's evidence averaged first (the curve's unit), unlike a pain point's mean over answers (D205)
    unit = unit_of(f)                               # per claim with a case column (D253)
    text = (f"{where}: {what} — {emotion(low['valence'])} on −2..+2, averaged per {unit.one} "
            f"({interval(low['ci_low'], low['ci_high'], n=low['n'], kind='emotion')}"
            f"{' ' + unit.many if pd.notna(low.get('n')) else ''})")
    if behaviour:
        text += ", measured from behaviour only"
    other = _row_for(f.curve, low["stage"], "all") if f.curve is not None else None
    if not f.focus.everyone and other is not None:
        kind = 'friction' if behaviour else 'emotion'
        text += f"; {compared(low['valence'], other['valence'], kind=kind, who='all ' + unit.many)}"
    return {"key": "lowest", "label": "Measured at one stage" if only else "Lowest moment", "text": text + ".",
            "figure": "lowest_emotion"}


#: A pain point's emotion is a mean over answers ("… on −2..+2 (n=189 answers"): said so beside
#: the lowest moment's mean per customer (D205).
_PER_ANSWER = re.compile(r"(emotion [−+]?[0-9.]+ on −2\.\.\+2) \(n=(?=[0-9,]+ answers)")


#: The words of a pain point's evidence that name a geometric mean (D235): explained where shown.
TYPICAL_WAIT = "typical wait"


def _pain(f) -> dict | None:
    pains = f.pain_points.table
    if not len(pains):
        return None
    top = pains.iloc[0]
    first = plain(str(top["evidence"] or "").split("; ")[0]).strip()
    first = _PER_ANSWER.sub(r"\1 averaged per answer (n=", first.removeprefix(f"{f.focus.persona}: "))
    affected = top.get("customers_affected")
    met = (f", met by {int(round(affected)):,} {unit_of(f).many}" if affected == affected and affected is not None
           and top["evidence_label"] != "assumed" else "")
    text = f"{plain(top['title'])} ({top['stage']}, {top['evidence_label']}{met})"
    if first and top["evidence_label"] != "assumed":
        text += f" — {first}"
    also = [p for p in (top.get("personas") or []) if p != f.focus.persona]
    if not f.focus.everyone and also:
        text += f"; it also hurts {', '.join(also)}"
    item = {"key": "pain", "label": "Top pain point", "text": text + ".", "figure": "top_pain_point"}
    if TYPICAL_WAIT in text:     # a geometric mean, said beside it as under the pain point table (D235, D239)
        item.update(term=TYPICAL_WAIT, note=caption("typical_wait"))
    return item


def _fix(f) -> dict | None:
    backlog = f.backlog
    if not len(backlog):
        return None
    first = backlog.iloc[0]
    owner = str(first.get("owner") or "") or "no owner named"
    text = f"{first['title']} — owner: {owner}"
    value = first.get("value_at_stake") if "value_at_stake" in backlog else None
    if value is not None and value == value and value > 0:
        text += f"; {value:,.0f} in order value at stake" + stake_share(backlog, value)
    elif "rice" in backlog and first.get("rice") == first.get("rice"):
        text += f"; first by RICE score {first['rice']:,.0f} ({_unvalued(first)})"
    return {"key": "fix", "label": "Fix first", "text": text + ".", "figure": "top_opportunity"}


def _unvalued(item) -> str:
    """Why a backlog item has no value at stake: no order value to count with, no pain point it
    relieves, or no lift estimated for its pain points' customers.

    Examples
    --------
    >>> _unvalued({"order_value": float("nan")}), _unvalued({"order_value": 80.0, "pain_points": []})
    ('no orders to value it', 'it relieves no pain point to value it by')
    >>> _unvalued({"order_value": 80.0, "pain_points": ["slow"], "customers_affected": 126.0})
    'no value at stake: no lift estimated for the 126 customers of its pain point'
    """
    value = item.get("order_value")
    if value is None or value != value or value <= 0:
        return "no orders to value it"
    pains = list(item.get("pain_points") or [])
    if not pains:
        return "it relieves no pain point to value it by"
    n = item.get("customers_affected")
    who = f"the {int(n):,} customers" if n is not None and n == n and n > 0 else "the customers"
    return f"no value at stake: no lift estimated for {who} of its pain point{'s' if len(pains) > 1 else ''}"


def headline_items(f) -> list[dict]:
    """The headline's sentences for findings ``f``: ``[{"key", "label", "text"}]``, in reading order.

    Keys: ``ids`` (most customers with events are not in the customer table: why, and the
    fix; D154), ``focus`` (who and how many reach the end), ``loss``, ``lowest``, ``pain``,
    ``fix``; a sentence whose figure the data cannot give is left out.
    """
    events = "events" in f.world.tables
    parts = (_ids, _who, _loss, _lowest, _pain, _fix) if events else (_lowest, _pain, _fix)
    return [item for item in (part(f) for part in parts) if item is not None]


def headline_html(items: list[dict]) -> str:
    """The headline as escaped HTML (one ``<ul class="jm-headline">``).

    An item with a ``term`` and a ``note`` (the top pain point's "typical wait") shows the note as
    the term's tooltip and, for print and static copies, as a line of its own under the sentence.

    Examples
    --------
    >>> headline_html([{"key": "loss", "label": "Biggest loss", "text": "A → B: 40.0% <do not> go on."}])
    '<ul class="jm-headline"><li data-key="loss"><b>Biggest loss</b>: A → B: 40.0% &lt;do not&gt; go on.</li></ul>'
    >>> print(headline_html([{"key": "pain", "label": "Top", "text": "slow, typical wait 2 days.",
    ...                       "term": "typical wait", "note": "A geometric mean."}]))
    <ul class="jm-headline"><li data-key="pain"><b>Top</b>: slow, <dfn title="A geometric mean.">typical wait</dfn> 2 days.<span class="jm-headline-note">A geometric mean.</span></li></ul>
    """
    e = _html.escape
    rows = []
    for it in items:
        prev = (f' <span class="jm-prev" data-figure="{e(it["figure"])}"></span>'
                if it.get("figure") else "")
        text, note = e(it["text"]), ""
        if it.get("note"):
            term = e(it["term"])
            text = text.replace(term, f'<dfn title="{e(it["note"])}">{term}</dfn>', 1)
            note = f'<span class="jm-headline-note">{e(it["note"])}</span>'
        rows.append(f'<li data-key="{e(it["key"])}"><b>{e(it["label"])}</b>: {text}{prev}{note}</li>')
    return '<ul class="jm-headline">' + "".join(rows) + "</ul>"
