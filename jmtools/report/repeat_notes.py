"""How often customers come back to a touchpoint that repeats: the words beside the funnel and
beside notebook 02's loops.

A journey that marks later occurrences (``occurrence: repeat``: follow-up attendances, repeat
orders) makes each of them a new round (D110), so coming back is no loop and the loops table has
nothing to say about it. :func:`repeat_sentences` says it from
:func:`jmtools.pipeline.repeat_visits_compared`: only the personas that come back clearly more often
than the other personas (the pain points' care); a persona like the others stays unsaid.
:func:`show_repeat_visits` puts them below the report's funnel; :func:`show_loops_and_repeats`
shows notebook 02's loops table, or why it is empty, and the table of visits per customer.
"""

from __future__ import annotations

import pandas as pd

from jmtools.analyses.disclosure import MIN_GROUP, count_words
from jmtools.core.vocabulary import ALL
from jmtools.pipeline import Findings
from jmtools.report import _section_kit as kit
from jmtools.report.present import esc, html_table
from jmtools.report.record import record
from jmtools.report.steps import not_shown
from jmtools.report.wording import listed, percent

__all__ = ["repeat_sentences", "show_repeat_visits", "record_repeat_visits", "show_loops_and_repeats",
           "REPEAT_TABLE_COLUMNS"]

#: Notebook 02's table of visits per customer: column → header.
REPEAT_TABLE_COLUMNS = {"persona": "persona", "touchpoint": "touchpoint that repeats", "family": "counted at",
                        "asked_by": "a round starts after",
                        "n": "customers", "mean": "times each (mean)", "ci_low": "95% CI low",
                        "ci_high": "95% CI high", "n_again": "more than once", "share_again": "share more than once",
                        "baseline": "other personas (mean)", "higher": "clearly more often"}


def _times(v) -> str:
    return f"{v:,.1f}" if v >= 10 else f"{v:.2f}"


def _family_words(family: str) -> tuple[str, str]:
    """("*First attendance* or *Follow-up attendance*", "*Follow-up attendance*"): the visits a family
    counts, said as the reader's options, and its repeating touchpoint (the last)."""
    names = [f"*{esc(t)}*" for t in str(family).split(" + ")]
    return listed(names, "or"), names[-1]


def _asked_by(r) -> str:
    """The company's touchpoints that ask a row's customers back (D242), "" for a family."""
    v = r.get("asked_by", "") if hasattr(r, "get") else getattr(r, "asked_by", "")
    return "" if v is None or v != v else str(v)


def _words(r) -> dict:
    """How a row's figure is said: visits to a touchpoint that repeats (D219), or rounds at a
    touchpoint the company's contact asks customers back to (D242)."""
    asking = _asked_by(r)
    if not asking:
        visits, repeat = _family_words(r["family"])
        return {"title": f"Coming back to {repeat}", "visits": visits, "of": "of them", "each": "each",
                "verb": "come back", "time": "come back",
                "why": "Each visit after the first is a new round (`occurrence: repeat`), not a loop"}
    tp, stage = f"*{esc(r['touchpoint'])}*", esc(r["stage"])
    contacts = listed([f"*{esc(c)}*" for c in asking.split(" + ")], "or")
    return {"title": f"Acting again at {tp} when asked", "visits": tp, "of": "rounds there", "each": "rounds each",
            "verb": "act again", "time": "be asked again",
            "why": f"A round is a run of the customer's own steps at {tp}; a new one starts when they act there "
                   f"again after the company's {contacts} at {stage} — more sent unasked is the same round"}


def _again(r) -> str:
    """"2,501 (92.5%, 95% CI 91.4%–93.5%) more than once" of a row (1–4 said as "fewer than 5")."""
    share = (f" ({percent(r['share_again'])}, 95% CI {percent(r['again_low'])}–{percent(r['again_high'])})"
             if r["n_again"] >= MIN_GROUP else "")
    return f"{count_words(int(r['n_again']))}{share} more than once"


def repeat_sentences(table: pd.DataFrame, *, persona: str = ALL) -> list[str]:
    """Markdown sentences: per touchpoint that repeats, the personas that come back to it clearly
    more often than the other personas (``higher``, shown rows only) — all of them for ``"all"``,
    else only ``persona``: which visits are counted, how many each customer had on average (95%
    interval, n), how many had more than one, and the other personas' mean. Empty when none does (a
    null stays silent; the figure is still recorded, :func:`show_repeat_visits`).

    Parameters
    ----------
    table : pandas.DataFrame
        :func:`jmtools.pipeline.repeat_visits_compared` (through a disclosure rule or not).
    persona : str, default "all"

    Examples
    --------
    >>> t = pd.DataFrame({"persona": ["all", "Older", "Younger"], "touchpoint": ["Follow-up"] * 3,
    ...                   "family": ["First visit + Follow-up"] * 3, "n": [80, 40, 40], "mean": [4.5, 6.0, 3.0],
    ...                   "ci_low": [4.2, 5.8, 2.9], "ci_high": [4.8, 6.2, 3.1], "n_again": [72, 40, 32],
    ...                   "share_again": [0.9, 1.0, 0.8], "again_low": [0.81, 0.91, 0.65],
    ...                   "again_high": [0.95, 1.0, 0.9], "baseline": [None, 3.0, 6.0], "baseline_n": [None, 40, 40],
    ...                   "higher": [False, True, False], "suppressed": [False] * 3})
    >>> print(repeat_sentences(t)[0])
    **Coming back to *Follow-up***: the 80 customers who had *First visit* or *Follow-up* had 4.50 of them on \
average (95% CI 4.20–4.80), 72 (90.0%, 95% CI 81.0%–95.0%) more than once. Older come back clearly more often: \
6.00 each (95% CI 5.80–6.20, n=40) against 3.00 for the other personas (n=40). Each visit after the first is a \
new round (`occurrence: repeat`), not a loop; counted up to the data's end, so customers who started late have \
had less time to come back.
    >>> print(repeat_sentences(t, persona="Older")[0].split(" Each")[0])
    **Coming back to *Follow-up***: Older who had *First visit* or *Follow-up* (n=40) had 6.00 of them on \
average (95% CI 5.80–6.20), clearly more often than 3.00 for the other personas (n=40); 40 (100.0%, 95% CI \
91.0%–100.0%) more than once.
    >>> repeat_sentences(t, persona="Younger")
    []
    """
    if table is None or table.empty:
        return []
    out = []
    hidden = set(table.attrs.get("hidden", []))
    shown = table[~table["suppressed"].astype(bool)] if "suppressed" in table else table
    for tp, rows in shown.groupby("touchpoint", sort=False):
        higher = rows[rows["higher"].astype(bool) & rows["persona"].ne(ALL)]
        if persona != ALL:
            higher = higher[higher["persona"] == persona]
        if higher.empty:
            continue
        w = _words(higher.iloc[0])
        base = [f"{_times(r.baseline)} for the other personas " + (
                f"(n={int(r.baseline_n):,})" if tp not in hidden else
                "(their count is not shown: beside all customers it would give a group of fewer than 5 back)")
                for r in higher.itertuples()]
        every = rows[rows["persona"] == ALL]
        if persona == ALL and len(every):
            e = every.iloc[0]
            lead = (f"the {int(e['n']):,} customers who had {w['visits']} had {_times(e['mean'])} {w['of']} on average "
                    f"(95% CI {_times(e['ci_low'])}–{_times(e['ci_high'])}), {_again(e)}. "
                    + ". ".join(f"{esc(r.persona)} {w['verb']} clearly more often: {_times(r.mean)} {w['each']} "
                                f"(95% CI {_times(r.ci_low)}–{_times(r.ci_high)}, n={int(r.n):,}) against {b}"
                                for r, b in zip(higher.itertuples(), base)))
        else:
            r = higher.iloc[0]
            lead = (f"{esc(r['persona'])} who had {w['visits']} (n={int(r['n']):,}) had {_times(r['mean'])} {w['of']} "
                    f"on average (95% CI {_times(r['ci_low'])}–{_times(r['ci_high'])}), clearly more often than "
                    f"{base[0]}; {_again(r)}")
        out.append(f"**{w['title']}**: {lead}. {w['why']}; counted up to the data's end, so customers who started "
                   f"late have had less time to {w['time']}.")
    return out


def show_repeat_visits(f: Findings) -> None:
    """Below the report's funnel: the sentences of :func:`repeat_sentences` for the focus
    (:attr:`Findings.repeat_visits <jmtools.pipeline.Findings.repeat_visits>`); nothing for a
    hidden focus, a journey that marks no repeat, or when no persona comes back clearly more often.
    Records the focus's times per customer at each touchpoint that repeats as ``repeat_visits_<k>``
    (mean, n, 95% interval) whenever its row is shown, said or not, so a batch's history follows it
    from run to run (D229)."""
    from IPython.display import Markdown

    if f.focus_hidden or f.evidence is None:
        return
    record_repeat_visits(f.repeat_visits, persona=f.focus.persona)
    for text in repeat_sentences(f.repeat_visits, persona=f.focus.persona):
        kit.display(Markdown(text))


def record_repeat_visits(table: pd.DataFrame | None, *, persona: str = ALL) -> list[str]:
    """Record, per touchpoint that repeats, ``persona``'s mean times per customer (its family's
    visits) as the key figure ``repeat_visits_<k>`` with n and its 95% interval; a hidden row is
    not recorded. Returns the names recorded.

    Examples
    --------
    >>> t = pd.DataFrame({"persona": ["all"], "touchpoint": ["Follow-up"], "family": ["First visit + Follow-up"],
    ...                   "n": [80], "mean": [4.5], "ci_low": [4.2], "ci_high": [4.8], "suppressed": [False]})
    >>> record_repeat_visits(t)
    ['repeat_visits_1']
    """
    if table is None or table.empty:
        return []
    names = []
    for k, (tp, rows) in enumerate(table.groupby("touchpoint", sort=False), start=1):
        mine = rows[rows["persona"] == persona]
        if "suppressed" in mine:
            mine = mine[~mine["suppressed"].astype(bool)]
        if mine.empty or pd.isna(mine["mean"].iloc[0]):
            continue
        r = mine.iloc[0]
        visits = " or ".join(str(r["family"]).split(" + "))
        asking = _asked_by(r)
        label = (f"Rounds each at {visits}, asked again by {' or '.join(asking.split(' + '))} (mean)" if asking
                 else f"Times each at {visits} (mean)")
        record(f"repeat_visits_{k}", round(float(r["mean"]), 4), label=label,
               n=int(r["n"]), ci=(float(r["ci_low"]), float(r["ci_high"])), fmt=".2f")
        names.append(f"repeat_visits_{k}")
    return names


def show_loops_and_repeats(loops: pd.DataFrame, repeats: pd.DataFrame | None, *, persona: str = ALL,
                           show=None) -> None:
    """Notebook 02's loops, then how often customers come back to each touchpoint that repeats.

    An empty loops table is not shown: a sentence says that nobody came back within a round and,
    when the journey marks repeats, that coming back to them starts a new round and is counted in
    the table of visits per customer below it (``repeats``, of ``persona`` and all customers), with
    the personas that come back clearly more often (:func:`repeat_sentences`).

    Parameters
    ----------
    loops : pandas.DataFrame
        The loops table as the notebook shows it.
    repeats : pandas.DataFrame or None
        :func:`jmtools.pipeline.repeat_visits_compared`, through the notebook's disclosure rule.
    persona : str, default "all"
    show : callable, optional
        What shows each part (default IPython's ``display``).

    Examples
    --------
    >>> shown = []
    >>> show_loops_and_repeats(pd.DataFrame(columns=["step", "n"]), None, show=shown.append)
    >>> shown[0].data
    '**No loops**: nobody came back to a touchpoint after leaving it, within a round.'
    """
    from IPython.display import Markdown, display

    show = show or display
    has = repeats is not None and not repeats.empty
    if len(loops):
        show(loops)
    else:
        kinds = repeats.assign(_a=[_asked_by(r) for _, r in repeats.iterrows()]) if has else None
        marked = listed([f"*{esc(t)}*" for t in dict.fromkeys(kinds.loc[kinds["_a"] == "", "touchpoint"])]) \
            if has else ""
        asked = listed([f"*{esc(t)}*" for t in dict.fromkeys(kinds.loc[kinds["_a"] != "", "touchpoint"])]) \
            if has else ""
        said = ([f"Coming back to {marked} (`occurrence: repeat`) starts a new round"] if marked else []) + (
            [f"acting again at {asked} after the company asked there does too" if marked else
             f"Acting again at {asked} after the company asked there starts a new round"] if asked else [])
        show(Markdown("**No loops**: nobody came back to a touchpoint after leaving it, within a round."
                      + (" " + "; ".join(said) + ", so it is no loop: how often customers come back is in the table "
                         "below." if said else "")))
    if not has:
        return
    rows = repeats if persona == ALL else repeats[repeats["persona"].isin([ALL, persona])]
    show(Markdown("**How often customers come back** to each touchpoint that repeats, counted with the touchpoints "
                  "that take its earlier times (*counted at*), or in rounds where the company's contact asks them "
                  "back (*a round starts after*; more sent unasked is the same round): the mean per customer who had "
                  "it, with its 95% "
                  "interval, how many had it more than once, and the other personas' mean. *Clearly more often*: "
                  "as a pain point is judged (at least 30 customers on each side, Cohen's d ≥ 0.2, z ≥ 1.96)."))
    table = not_shown(rows.reset_index(drop=True))[list(REPEAT_TABLE_COLUMNS)]
    every = table["persona"].eq(ALL)
    share = [v if isinstance(v, str) or pd.isna(v) else percent(v) for v in table["share_again"]]   # before rounding
    table = table.round(2).assign(share_again=share)
    table["higher"] = ["–" if a else "yes" if h is True else "no" for a, h in zip(every, table["higher"])]
    table["baseline"] = table["baseline"].astype(object).mask(every, "–")
    table["asked_by"] = [v if isinstance(v, str) and v else "–" for v in table["asked_by"]]
    show(html_table(table.rename(columns=REPEAT_TABLE_COLUMNS)))   # a card per row on a phone (D225)
    for text in repeat_sentences(repeats, persona=persona):
        show(Markdown(text))
