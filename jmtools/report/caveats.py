"""Lines that warn the reader where a number may mislead: a table that lost many of its rows,
order amounts that look like cents or thousands written with a dot, ratings written good/bad, a
stage no event reaches, a persona whose rule cannot run. Each is said where the number it
concerns is read, not only in the data section; the last two in the notebooks too."""

from __future__ import annotations

from jmtools.analyses.disclosure import MIN_GROUP
from jmtools.analyses.funnels import repeat_buyers_unmarked
from jmtools.core.engine import kept_answer, to_pandas
from jmtools.core.vocabulary import ALL, NO_PERSONA
from jmtools.personas import runnable_personas
from jmtools.pipeline import Findings
from jmtools.report import _section_kit as kit
from jmtools.report.present import md
from jmtools.report.record import record
from jmtools.report.wording import ids_words, listed
from jmtools.sources import CENTS_HINT, THOUSANDS_HINT, THUMBS_HINT
from jmtools.sources.cases import case_option

__all__ = ["MUCH_REJECTED", "much_rejected", "thumbs", "show_unmapped_stages", "show_personas_left_out",
           "personas_that_run", "show_empty_personas", "show_repeat_rounds", "show_ids_apart", "NOT_JUDGED",
           "not_judged", "show_not_per_case"]


#: A table that lost this share of its rows or more is named under the headline.
MUCH_REJECTED = 0.10


def much_rejected(f: Findings) -> None:
    """Under the headline: each table that lost at least :data:`MUCH_REJECTED` of its rows to
    rejection (all of a table but the events, which the headline says itself) — every number
    below is computed without them, and a reader of the first screen should know; and order
    amounts that look like cents or like thousands written with a dot
    (:data:`jmtools.sources.CENTS_HINT`, :data:`~jmtools.sources.THOUSANDS_HINT`), which would
    make order values a hundred times too large or a thousand times too small."""
    acc = f.accounting
    lost = acc[(acc["read"] > 0) & ((acc["used"] > 0) | (acc["table"] != "events"))
               & (acc["rejected"] >= MUCH_REJECTED * acc["read"])]
    for _, r in lost.iterrows():
        values = dict(rejected=f"{int(r['rejected']):,}", read=f"{int(r['read']):,}", file=str(r["file"]),
                      why=str(r["why rejected"]), table=str(r["table"]))
        if r["used"] == 0:    # the whole table: the sections that need it read as if it were absent
            kit.display(md("> **No row of {file} could be used**: all {read} were rejected ({why}), so "
                           "every section that needs {table} is left out. *The data behind it* lists "
                           "each reason with its lines and how to fix it.", **values))
            continue
        kit.display(md("> **{rejected} of {read} rows of {file} were rejected** ({why}); every number "
                       "below is computed without them. *The data behind it* lists each reason with "
                       "its lines and how to fix it.", **values))
    for loaded in f.world.tables.values():     # amounts that look like cents or thousands (D103, D105)
        notes = getattr(getattr(loaded, "accounting", None), "notes", None) or ()
        for hint, (what, how, fix) in _AMOUNT_HINTS.items():
            if hint in notes:
                kit.display(md("> **The amounts of {file} may be {what}**: {how}. If so, every order value "
                               "below is {wrong}; then write {fix} under orders in loading.yaml.",
                               file=str(loaded.source), what=what, how=how, wrong=_WRONG[hint], fix=fix))


#: Loader notes on order amounts that would make every order value wrong, said under the headline.
_AMOUNT_HINTS = {CENTS_HINT: ("in cents", "each is a whole number of 100 or more beside a currency",
                              "amount_unit: cents"),
                 THOUSANDS_HINT: ("written with thousands dots", "every amount with a dot has three digits "
                                  "after it, such as 1.200", 'decimal: ","')}
_WRONG = {CENTS_HINT: "100 times too large", THOUSANDS_HINT: "too small where such an amount was read"}


def thumbs(f: Findings) -> None:
    """Ratings written good/bad (:data:`jmtools.sources.THUMBS_HINT`) are the ends of the 1–5
    scale: say so under the curve they pull outwards, with the loader's count (D107)."""
    loaded = f.world.tables.get("feedback")
    notes = getattr(getattr(loaded, "accounting", None), "notes", None) or ()
    for note in notes:
        if note.endswith(THUMBS_HINT):
            kit.display(md("> **Good/bad ratings:** {note}.", note=note))


def show_personas_left_out(errors: dict, *, what: str = "this report", record=record, show=None) -> None:
    """Say, for each persona whose rule cannot run on the customer table (a typo in an attribute,
    text compared with a number), that it is left out and why: its customers are counted in no
    persona, and every table by persona lacks it. Records each reason.

    Parameters
    ----------
    errors : dict
        Persona name → its error (``Findings.persona_errors``, ``Comparison.persona_errors``).
    what : str
        What it is left out of, in the sentence.
    record : callable, optional
        Where the reason goes (default :func:`jmtools.report.record`); tests pass a collector.
    show : callable, optional
        What shows the sentence (default IPython's ``display``).

    Examples
    --------
    >>> show_personas_left_out({"Maya": ValueError("no column 'runs_per_wek'")}, record=lambda *a, **k: None)
    <IPython.core.display.Markdown object>
    """
    from IPython.display import display

    show = show or display
    for name, err in errors.items():
        why = str(err).splitlines()[0]
        fix = str(getattr(err, "fix", "") or "correct the rule in the journey file").rstrip(".")
        record(f"persona_left_out_{name}", why, label=f"Persona left out: {name}")
        show(md("> **Persona {name} is left out of {what}**: its rule cannot run on this customer "
                "table ({why}). Its customers count as *{none}* here. Fix: {fix}.",
                name=name, what=what, why=why, none=NO_PERSONA, fix=fix))


def personas_that_run(journey, customers, *, persona: str = ALL, what: str = "this notebook",
                      record=record, show=None):
    """The journey without the personas whose rule cannot run on ``customers``, each said with its
    error and fix (:func:`show_personas_left_out`), as a report leaves them out: the other personas
    go on. A persona in focus whose own rule cannot run raises its error, as its report fails.

    Parameters
    ----------
    journey : jmtools.journey.Journey or None
    customers : pandas.DataFrame or None
        The customer table the rules read (None: nothing to check, the journey as given).
    persona : str, default "all"
        The persona in focus.
    what, record, show
        As for :func:`show_personas_left_out`.

    Returns
    -------
    jmtools.journey.Journey or None

    Raises
    ------
    jmtools.personas.RuleError
        When ``persona`` is one whose rule cannot run.

    Examples
    --------
    A plan written as words cannot be compared with a number; the other persona goes on:

    >>> from jmtools.journey import Journey
    >>> from pandas import DataFrame
    >>> said, plans = [], DataFrame({"customer_id": ["a", "b"], "plan": ["Pro", "Free"]})
    >>> journey = Journey.from_yaml("name: P\\nstages: [{name: Buy}]\\npersonas: [{name: Big, rule: plan > 10},"
    ...                             " {name: Pro, rule: plan == 'Pro'}]")
    >>> personas_that_run(journey, plans, record=lambda *a, **k: None, show=said.append).persona_names
    ['Pro']
    >>> "Persona Big is left out of this notebook" in said[0].data
    True
    """
    if journey is None or customers is None or not journey.personas:
        return journey
    kept, broken = runnable_personas(journey, customers)
    if persona in broken:                    # its own notebook fails with it, as its report does
        raise broken[persona]
    show_personas_left_out(broken, what=what, record=record, show=show)
    return kept


def show_ids_apart(ids, *, persona: str = ALL, show=None) -> bool:
    """Say, in a notebook, that most customers with events are not in the customer table, how
    the ids seem to differ and the fix, as the report does (D154); True when said.

    Parameters
    ----------
    ids : jmtools.sources.IdOverlap or None
        :func:`jmtools.pipeline.customer_ids_apart` (None: nothing to say).
    persona : str, default "all"
        The notebook's persona: then it is said that its rule is not the cause.
    show : callable, optional
        What shows the sentence (default IPython's ``display``).

    Examples
    --------
    >>> from jmtools.sources import id_overlap
    >>> show_ids_apart(id_overlap(["1", "2"], ["C-001", "C-002"]), show=lambda m: print(m.data[:60]))
    > **Most customers with events are not in the customer table
    True
    >>> show_ids_apart(None)
    False
    """
    if ids is None:
        return False
    from IPython.display import display

    (show or display)(md("> **Most customers with events are not in the customer table.** {said} "
                         "`jmtools validate JOURNEY --data FOLDER` shows examples of the two ids.",
                         said=ids_words(ids, persona=None if persona == ALL else persona)))
    return True


def show_not_per_case(world, *, what: str = "this notebook", show=None) -> bool:
    """Say, in a notebook that counts customers, that the folder's event log names a case column
    whose journeys only the report counts (D238); True when said.

    Examples
    --------
    >>> from jmtools.sources import load_world
    >>> show_not_per_case(load_world("sample:b2b"))
    False
    """
    per = case_option(world)
    if per is None:
        return False
    from IPython.display import display

    column, name = per
    plural = name if name.endswith("s") else name + "s"
    (show or display)(md("> **Counted per customer here, not per {name}.** The event log names each event's "
                         "{name} ({column}, loading.yaml), and the report (notebook 00, `jmtools report`) and "
                         "notebooks 04 and 05 count each {name} as one journey; {what} does not yet: its "
                         "funnels, waits and sizes count every customer once, with all their {plural} "
                         "as one journey.", name=name, column=column, what=what, plural=plural))
    return True


def show_empty_personas(names, journey, *, n: int | None = None, what: str = "this comparison", record=record,
                        show=None) -> None:
    """Say, for each persona whose rule selects no customer (``Comparison.empty_personas``), that it
    has no row in ``what`` and which rule to check, rather than leaving it silently absent.

    Parameters
    ----------
    names : list of str
        The personas without customers.
    journey : Journey
        Where their rules are read.
    n : int, optional
        How many customers the rules ran on (``Comparison.customers_checked``): recorded as the
        n of each persona's 0.
    what : str
        What they have no row in, in the sentence.
    record, show : callable, optional
        As for :func:`show_personas_left_out`.

    Examples
    --------
    >>> from jmtools.journey import Journey
    >>> j = Journey.from_yaml('''
    ... name: Demo
    ... stages: [{name: Buy}]
    ... personas: [{name: Ann, rule: "age > 300"}]
    ... ''')
    >>> show_empty_personas(["Ann"], j, record=lambda *a, **k: None, show=lambda m: print(m.data[:100]))
    > **Persona Ann has no row in this comparison**: its rule (age &gt; 300) selects no customer of this
    """
    from IPython.display import display

    show = show or display
    rules = {c.name: getattr(c, "rule", None) for c in journey.personas_resolved()}
    for name in names:
        record(f"persona_empty_{name}", 0, label=f"Customers of {name}", n=n)
        its = "its rule ({rule})" if rules.get(name) else "its rule"
        show(md("> **Persona {name} has no row in {what}**: " + its + " selects no customer of this data. "
                "Check it against the customer table: `jmtools validate JOURNEY --data FOLDER`.",
                name=name, what=what, rule=rules.get(name) or ""))


def show_repeat_rounds(evidence, orders, *, persona: str = ALL, show=None):
    """Where loops and detours are read: say when customers placed orders that no touchpoint of
    the journey takes (:func:`jmtools.analyses.funnels.repeat_buyers_unmarked`), so that shopping
    again after such an order counts as going back.

    Parameters
    ----------
    evidence : jmtools.evidence.Evidence
    orders : pandas.DataFrame or None
    persona : str, default "all"
        Whose loops are shown: the count is of that persona's customers (a count of 1–4 reads
        "fewer than 5").
    show : callable, optional
        What shows the sentence (default IPython's ``display``).

    Returns
    -------
    jmtools.analyses.funnels.RepeatBuyers or None
        What was said.

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.evidence import prepare
    >>> ev = pd.DataFrame({"customer_id": ["a"], "event": ["pay"], "timestamp": pd.to_datetime(["2024-01-01"])})
    >>> j = {"stages": ["Pay"], "touchpoints": [{"name": "Checkout", "stage": "Pay", "events": ["pay"]}]}
    >>> show_repeat_rounds(prepare(ev, j), pd.DataFrame({"customer_id": ["a", "a"]}), show=lambda m: None)
    RepeatBuyers(n=1, total=1, marked=False)
    """
    from IPython.display import display

    ids = None
    if persona != ALL and "persona" in evidence.columns:
        ids = kept_answer(evidence, ("customers", str(persona)), lambda: to_pandas(
            evidence.events.filter(evidence.events.persona == persona).select("customer_id").distinct()))["customer_id"]
    found = repeat_buyers_unmarked(evidence, orders, customers=ids)
    if not found:
        return found
    few = found.n < MIN_GROUP
    n = f"fewer than {MIN_GROUP}" if few else f"{found.n:,}"
    share = "" if few else f" ({found.n / found.total:.0%})"
    did = ("placed an order that no touchpoint of the journey takes (no event of theirs is at one that takes "
           "later orders, or they ordered more often than its numbered touchpoints count)" if found.marked else
           "ordered twice or more, and no touchpoint of the journey takes later orders")
    (show or display)(md(
        "> **Shopping again may count as going back here**: {n} of {total} customers with orders{share} " + did
        + ", so their next round (browsing again after an order) counts in the loops and detours. Give the "
        "touchpoint of the order `occurrence: first` and add one for later orders with `occurrence: repeat` in "
        "the journey file: coming back after an order then starts a new round.",
        n=n, total=f"{found.total:,}", share=share))
    return found


def show_unmapped_stages(evidence, steps=None, *, level: str = "stage", fix: str = "", show=None) -> list | None:
    """Above a funnel of the journey's stages: say which stages the journey file maps no event to,
    and return the steps to draw without them, so that their 0 is never shown as measured (the
    report's funnel and pain points leave them out too).

    Parameters
    ----------
    evidence : jmtools.evidence.Evidence
    steps : list of str, optional
        A funnel of one's own: returned as given, nothing said.
    level : {"stage", "touchpoint"}
        A touchpoint funnel is returned as given (None).
    fix : str, optional
        Where the reader finds how to map events to those stages.
    show : callable, optional
        What shows the sentence (default IPython's ``display``).

    Returns
    -------
    list of str or None
        ``steps`` as given, or the funnel's stages (:attr:`~jmtools.evidence.Evidence.mapped_stages`:
        those that receive an event, without ``exit: true`` and ``optional: true`` stages, as the
        report's funnel); None when that is every stage.

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.evidence import prepare
    >>> ev = pd.DataFrame({"customer_id": ["a", "a"], "event": ["view", "pay"],
    ...                    "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02"])})
    >>> j = {"stages": ["Browse", "Compare", "Buy"], "touchpoints": [
    ...     {"name": "Site", "stage": "Browse", "events": ["view"]},
    ...     {"name": "Checkout", "stage": "Buy", "events": ["pay"]}]}
    >>> show_unmapped_stages(prepare(ev, j))
    <IPython.core.display.Markdown object>
    ['Browse', 'Buy']
    """
    from IPython.display import display

    if steps is not None or level != "stage":
        return steps
    left_out = [s for s in evidence.stages if s not in evidence.mapped_stages
                and s not in getattr(evidence, "exit_stages", [])        # customers leaving: said apart
                and s not in getattr(evidence, "optional_stages", [])]    # stages many never need: too
    if not left_out:   # exit and optional stages are no funnel steps either (said beside it), as in the report
        return None if evidence.mapped_stages == list(evidence.stages) else evidence.mapped_stages or None
    them = "it" if len(left_out) == 1 else "them"
    fix = fix or f"Add the event names that stand for {them} to a touchpoint of the stage in the journey file."
    fix = fix.replace("{", "{{").replace("}", "}}")                  # the reader's words, not fields
    (show or display)(md("> **Not in the funnel: {stages}.** The journey file maps no event to {them}, so any "
                         "0 there would come from the file, not from customers. " + fix,
                         stages=", ".join(left_out), them=them))
    return evidence.mapped_stages or None


#: Why a curve measured from behaviour only has no value at a stage (D200), as its table says it.
NOT_JUDGED = {"optional": "not judged (optional stage)", "exit": "not judged (exit stage)",
              "company": "not judged (only the company acts)"}


def not_judged(table, journey) -> tuple:
    """A behaviour-only curve's table with the reason in place of a bare 0 where no behaviour is
    judged, and the sentence that says why (D200).

    Behaviour is judged at the funnel's stages where customers act themselves: not at an optional
    stage (not going there is no friction), an exit stage, or a stage where only the company acts
    (``initiated_by: company`` on every touchpoint there). Such a stage's ``n`` of 0 read as "0
    customers", while the funnel counted hundreds there.

    Parameters
    ----------
    table : pandas.DataFrame
        ``stage`` and ``n`` (the curve of one focus, as the report's table shows it).
    journey : jmtools.journey.Journey

    Returns
    -------
    tuple
        The table (a copy; ``n`` is the reason at each such stage without a value) and the Markdown
        sentence naming those stages (``IPython.display.Markdown``; None when there is none).

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.journey import Journey
    >>> j = Journey(name="Permit", stages=[{"name": "Apply"}, {"name": "Request", "optional": True},
    ...                                    {"name": "Decide"}],
    ...     touchpoints=[{"name": "Form", "stage": "Apply", "channel": "digital"},
    ...                  {"name": "Mail", "stage": "Request", "channel": "digital"},
    ...                  {"name": "Letter", "stage": "Decide", "channel": "physical",
    ...                   "initiated_by": "company"}])
    >>> shown, why = not_judged(pd.DataFrame({"stage": ["Apply", "Request", "Decide"], "n": [40, 0, 0]}), j)
    >>> shown["n"].tolist()
    [40, 'not judged (optional stage)', 'not judged (only the company acts)']
    >>> why.data.split(":")[0]
    '**No friction value at Request and Decide**'
    """
    touch = {}
    for t in journey.touchpoints:
        touch.setdefault(str(t.stage), set()).add(t.initiated_by)
    kind = {str(s.name): "optional" if s.optional else "exit" if s.exit else
            "company" if touch.get(str(s.name)) == {"company"} else None for s in journey.stages}
    blank = [not isinstance(n, str) and (n != n or n == 0) for n in table["n"]]  # "hidden" (1–4) stays
    why = [kind.get(str(s)) if b else None for s, b in zip(table["stage"], blank)]
    if not any(why):
        return table, None
    shown = table.assign(n=[NOT_JUDGED[k] if k else n for k, n in zip(why, table["n"])])
    named = [str(s) for s, k in zip(table["stage"], why) if k]
    reasons = {"optional": "an optional stage is one many never need, so not going there is no friction",
               "exit": "an exit stage is where customers leave", "company": "where only the company acts "
               "(a letter, a request, an inspection) customers took no step of their own to judge"}
    said = "; ".join(reasons[k] for k in NOT_JUDGED if k in why)
    return shown, md("**No friction value at {stages}**: behaviour is judged only at the funnel's stages where "
                     "customers act themselves. {said}. The funnel above counts who reached them.",
                     stages=listed(named), said=said[0].upper() + said[1:])
