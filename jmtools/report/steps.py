"""What the step notebooks (01–05) record and print, one call per cell.

The notebooks teach the analysis calls (``assign_personas``, ``emotion_curve``,
``pipeline.run``, ``prioritise`` …) and show their frames; the bookkeeping around them — the
input files read, the key figures for the batch index, the evidence printed line by line —
lives here, so a cell reads as one call::

    record_world(world)                                   # every input file, for the sidecar
    record_emotion_figures(persona, moments=moments, gap=gap, evidence=evidence)

Notebook 04's themes and pain points, shown and written with small groups hidden, live in
:mod:`jmtools.report.pain_steps` (re-exported here). The report notebook 00 has its own
sections (:mod:`jmtools.report.sections`).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from jmtools.analyses.disclosure import MIN_GROUP
from jmtools.analyses.funnels.timing import duration_words
from jmtools.core.vocabulary import ALL, NO_PERSONA
from jmtools.analyses.priorities import total_value_at_stake
from jmtools.core.stats import wilson_interval
from jmtools.pipeline import (disclosed_coverage, disclosed_shares, had_time, hidden_as_text, loss_rates,
                              size_protectors)
from jmtools.report.present import html_table, md, number
from jmtools.report.pain_steps import (COMPARISON_COLUMNS, PAIN_POINT_COLUMNS, record_pain_point_figures,
                                       show_comparisons, show_pain_point_evidence, show_pain_points,
                                       show_pain_points_chart, show_theme_accounting, show_themes, show_themes_chart,
                                       write_pain_points)
from jmtools.report.record import record, record_source
from jmtools.report.wording import HIDDEN_CELL, not_shown_template, open_words
from jmtools.sources import LOADING_FILE, missing_table, source_paths

__all__ = ["record_world", "show_accounting", "show_reading_notes", "show_missing_table", "record_persona_figures", "record_largest_drop_off", "record_slowest_step", "show_dates_only",
           "show_persona_sizes", "show_hidden_persona",
           "record_emotion_figures", "write_pain_points", "show_themes", "show_theme_accounting", "show_pain_points", "PAIN_POINT_COLUMNS",
           "show_themes_chart", "show_pain_points_chart", "COMPARISON_COLUMNS", "show_comparisons",
           "show_pain_point_evidence",
           "record_pain_point_figures", "show_value_assumptions", "record_backlog_figures", "frame_table",
           "show_disclosure_notes", "not_shown"]


def record_world(world) -> None:
    """Record the journey file and every table of a loaded world (path, rows read, hash).

    Paths are recorded relative to the data folder (``events.parquet``), so a report reads
    the same wherever the folder lives; the folder itself is the ``data_dir`` parameter.

    Examples
    --------
    >>> from jmtools.sources import load_world
    >>> record_world(load_world("sample:b2b"))
    """
    folder = Path(world.folder)
    journey_path = getattr(world.journey, "path", None)
    if journey_path:
        record_source(journey_path, role="journey", root=folder)
    if (folder / LOADING_FILE).is_file():          # how the files were read is an input too
        record_source(folder / LOADING_FILE, role="loading", root=folder)
    for kind, table in world.tables.items():
        record_source(source_paths(folder, table), rows=table.accounting.rows_of_file, role=kind, root=folder)  # D195, D264


def show_accounting(world) -> pd.DataFrame:
    """Show what loading did with every row: per table, rows read = used + rejected (+ no data), and why.

    Parameters
    ----------
    world : jmtools.sources.World
        From :func:`jmtools.sources.load_world`.

    Returns
    -------
    pandas.DataFrame
        The table shown (:meth:`jmtools.sources.World.accounting_table`): ``table``, ``file``,
        ``read``, ``used``, ``rejected``, ``why rejected``.

    Examples
    --------
    >>> from jmtools.sources import load_world
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()):  # the table, as text outside a notebook
    ...     shown = show_accounting(load_world("sample:b2b"))
    >>> int(shown["read"].sum()) == int(shown["used"].sum() + shown["rejected"].sum())
    True
    """
    from IPython.display import display

    table = world.accounting_table()
    read, used, rejected = (int(table[c].sum()) for c in ("read", "used", "rejected"))
    no_data = f" + {number(read - used - rejected)} no data" if "no data" in table else ""   # D213
    display(html_table(table, columns={"table": "table", "file": "file", "read": "rows read",
                                       "used": "used", "rejected": "rejected",
                                       "why rejected": "why rejected (rows)",
                                       **({"no data": "no data (rows)"} if no_data else {})},
                       caption=f"{number(read)} rows read = {number(used)} used + "
                               f"{number(rejected)} rejected{no_data}"))
    show_reading_notes(world)
    return table


def show_reading_notes(world) -> list[str]:
    """Show what loading settled on its own, per file: an encoding it chose, a file read again
    with ``"`` as the quote, Excel rows skipped or date numbers read, columns matched by another
    name (each table's ``accounting.notes``); nothing when there is none.

    Parameters
    ----------
    world : jmtools.sources.World
        A loaded data folder; each of its tables keeps the notes of its load.

    Returns
    -------
    list of str
        The lines shown, ``"file: note"``.

    Examples
    --------
    >>> from jmtools.sources import load_world
    >>> show_reading_notes(load_world("sample:b2b"))     # the sample files are read as they are
    []
    """
    template, values, shown = [], {}, []
    for loaded in world.tables.values():
        for note in getattr(getattr(loaded, "accounting", None), "notes", None) or ():
            i = len(template)
            template.append(f"- **{{file{i}}}**: {{note{i}}}")
            values.update({f"file{i}": loaded.source, f"note{i}": str(note)})
            shown.append(f"{loaded.source}: {note}")
    if template:
        from IPython.display import display

        display(md("**How the files were read**\n\n" + "\n".join(template), **values))
    return shown


def show_missing_table(world, kind: str, fills: str = "", *, columns: str | None = None) -> bool:
    """Show which file would fill a notebook section whose table is not in the data folder.

    A notebook runs on whatever tables the folder holds; a section that needs a missing
    table shows this note (:func:`jmtools.sources.missing_table`) and is skipped, so the
    rest of the notebook stands.

    Parameters
    ----------
    world : jmtools.sources.World
        The loaded data folder.
    kind : str
        The table the section needs (``"events"``, ``"customers"``, ``"surveys"``…).
    fills, columns : str, optional
        What the table would show (``"to see the funnel"``) and the columns to name instead of
        the default ones.

    Returns
    -------
    bool
        True when the table is missing (the note was shown), False when it is there.

    Examples
    --------
    >>> from jmtools.sources import load_world
    >>> show_missing_table(load_world("sample:b2b"), "events")
    False
    """
    if kind in world.tables:
        return False
    from IPython.display import display

    display(md("> {text}", text=missing_table(kind, fills=fills, columns=columns)))
    return True


# ------------------------------------------------------------------ 01 personas
def record_persona_figures(persona: str, *, customers: pd.DataFrame, coverage: pd.DataFrame,
                           check: pd.DataFrame, sizes: pd.DataFrame, kpis: pd.DataFrame,
                           typical: pd.DataFrame, suggestion=None,
                           agreement: pd.DataFrame | None = None) -> None:
    """Key figures of notebook 01: coverage, rule errors, the persona's size, conversion and
    typical events, and the suggested clusters (when there are any).

    Parameters
    ----------
    persona : str
        The notebook's persona (``"all"`` or a name).
    customers, coverage, check, sizes, kpis, typical : pandas.DataFrame
        The customers table and the frames of ``coverage_report``, ``check_personas``,
        ``persona_sizes``, ``persona_kpis`` and ``typical_events`` (``coverage`` None: the journey
        names no personas, and only the suggestion is recorded).
    suggestion : PersonaSuggestion, optional
        The clustering's result; ``agreement`` its comparison with the reference personas.
    """
    record("persona", persona, label="Persona")
    record("customers", int(len(customers)), label="Customers in the customer table")
    if coverage is not None:                            # None: no personas in the journey, the suggestion only
        cov = coverage.set_index("coverage")            # a row hidden by the disclosure rule: not recorded
        if pd.notna(cov.loc["no persona", "n"]):
            record("no_persona_share", float(cov.loc["no persona", "share"]),
                   label="Share of the customer table in no persona", n=int(cov.loc["no persona", "n"]), unit="%",
                   headline=persona == ALL)
        if pd.notna(cov.loc["several personas", "n"]):
            record("several_personas", int(cov.loc["several personas", "n"]), label="Customers in several personas")
        record("rule_errors", int((check["severity"] == "error").sum()), label="Persona rules with errors")
    if persona != ALL:
        _record_one_persona(persona, sizes, kpis, typical)
    if suggestion is not None:
        record("suggested_k", int(suggestion.k), label="Suggested number of personas")
    if suggestion is not None and agreement is not None:
        record("cluster_ari", float(agreement["ari"].iloc[0]), label="Agreement of clusters (ARI)",
               n=int(agreement["n"].iloc[0]), fmt=".2f")


def _record_one_persona(persona: str, sizes, kpis, typical, *, record=record) -> None:
    """Record one persona's size, conversion and typical events (``record`` can be swapped
    for a collector, as the in-process tests do)."""
    row = sizes[sizes["persona"] == persona].iloc[0]
    if pd.notna(row["n"]):                     # hidden by the disclosure rule: nothing recorded
        record("persona_n", int(row["n"]), label=f"Customers in {persona}")
        record("persona_share", float(row["share"]), label=f"Share of the customer table in {persona}",
               n=int(row["total"]), ci=(float(row["ci_low"]), float(row["ci_high"])), unit="%", headline=True)
    conv = kpis[(kpis["persona"] == persona) & (kpis["kpi"] == "conversion") & kpis["value"].notna()]
    if len(conv):
        c = conv.iloc[0]
        if pd.notna(c["n"]):                   # n hidden: it is the size of a persona whose size is hidden
            record("persona_conversion", float(c["value"]), label=f"Conversion of {persona}",
                   n=int(c["n"]), ci=(float(c["ci_low"]), float(c["ci_high"])), unit="%")
    top = typical[typical["persona"] == persona].sort_values("rank")
    if len(top):
        record("most_typical_event", str(top["item"].iloc[0]), label="Most typical event")
        record("typical_events", [str(e) for e in top["item"].head(3)], label="Three most typical events")


# ------------------------------------------------------------------ 02 data integration
def show_persona_sizes(evidence) -> pd.DataFrame | None:
    """Show the customers with events per persona situation and per persona, as the report shows
    them, and return the sizes as shown, for the tables split by persona
    (:func:`~jmtools.pipeline.disclosed_by_persona`).

    A persona of 1–4 customers has no size, nor the group whose size would give it back
    (:func:`~jmtools.pipeline.size_protectors`: "(no persona)" first, whose count then goes from
    the coverage too, :func:`~jmtools.pipeline.disclosed_coverage`); hidden cells say "not
    shown" and the notes say why.

    Returns
    -------
    pandas.DataFrame or None
        ``Evidence.persona_sizes`` through :func:`~jmtools.pipeline.disclosed_shares`; None
        without a customer table (no personas).

    Examples
    --------
    >>> import contextlib, io
    >>> from jmtools.evidence import prepare
    >>> ev = pd.DataFrame({"customer_id": list("abcdefgh"), "event": "view",
    ...                    "timestamp": pd.Timestamp("2024-01-01 10:00")})
    >>> customers = pd.DataFrame({"customer_id": list("abcdefgh"), "tiny": [True] * 2 + [False] * 6})
    >>> j = {"stages": ["Browse"], "touchpoints": [{"name": "Site", "stage": "Browse", "events": ["view"]}],
    ...      "personas": [{"name": "Tiny", "rule": "tiny == True"}]}
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     sizes = show_persona_sizes(prepare(ev, j, customers=customers))
    >>> sizes[["persona", "n_customers"]].values.tolist()[:2]      # the 6 in no persona protect the 2
    [['Tiny', nan], ['(no persona)', nan]]
    """
    if evidence.coverage is None or evidence.persona_sizes is None:
        return None
    from IPython.display import display

    total = evidence.coverage.assign(total=evidence.n_customers)      # the share of a pooled row
    coverage = disclosed_coverage(total, sizes=evidence.persona_sizes)
    sizes = disclosed_shares(evidence.persona_sizes, "n_customers", numbers=())
    print("Customers per persona situation (no persona / several personas are worth a look):")
    for frame in (coverage, sizes):
        display(not_shown(frame).drop(columns=["suppressed", "total"], errors="ignore"))
    show_disclosure_notes(coverage, sizes)
    return sizes


def show_hidden_persona(persona: str, sizes: pd.DataFrame | None, what: str) -> bool:
    """Say that ``what`` of ``persona`` is not shown when its size is not: a persona of 1–4
    customers, or the one whose size would give such a persona back; True when it said so.

    ``sizes`` are the persona sizes as shown (:func:`show_persona_sizes`); a notebook skips the
    section when this returns True.

    Examples
    --------
    >>> sizes = disclosed_shares(pd.DataFrame({"persona": ["Lou", "Ben", "(no persona)"],
    ...                                        "n_customers": [3, 900, 98]}), "n_customers", numbers=())
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     said = [show_hidden_persona(p, sizes, "its funnel is") for p in ("Lou", "Ben", "all")]
    >>> said
    [True, False, False]
    """
    if sizes is None or persona == ALL:
        return False
    small = set(sizes["persona"].iloc[list(sizes.attrs.get("few_rows", ()))].astype(str))
    protects = persona in size_protectors(sizes)
    if persona not in small and not protects:
        return False
    from IPython.display import display

    display(md(not_shown_template(protects), who=persona, what=what, m=MIN_GROUP))
    return True


def show_disclosure_notes(*frames) -> list[str]:
    """Show, once each, what the disclosure rule left out of these frames (their ``attrs["note"]``).

    Returns the notes shown (none: nothing was hidden).

    Examples
    --------
    >>> f = pd.DataFrame({"n": [1]})
    >>> f.attrs["note"] = "1 row backed by fewer than 5 customers each is not shown."
    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     shown = show_disclosure_notes(f, f, None)
    >>> shown
    ['1 row backed by fewer than 5 customers each is not shown.']
    """
    from IPython.display import display

    notes = list(dict.fromkeys(f.attrs.get("note", "") for f in frames if f is not None))
    notes = [n for n in notes if n]
    for note in notes:
        display(md("> **Not shown: groups of fewer than {m} customers.** {note}", m=MIN_GROUP, note=note))
    return notes


def not_shown(frame: pd.DataFrame) -> pd.DataFrame:
    """A table for reading: the numbers the disclosure rule hid say "not shown", not NaN.

    In rows marked ``suppressed`` (every row of a frame without that column) and rows whose
    counts were hidden (``attrs["counts_hidden"]``), missing numbers become
    :data:`~jmtools.report.wording.HIDDEN_CELL`; the note under the table says why
    (:func:`show_disclosure_notes`). :func:`~jmtools.pipeline.hidden_as_text`.

    Examples
    --------
    >>> f = pd.DataFrame({"persona": ["Ben", "Tiny"], "n": [40.0, None], "share": [0.9, None],
    ...                   "suppressed": [False, True]})
    >>> not_shown(f)[["n", "share"]].values.tolist()
    [[40.0, 0.9], ['not shown', 'not shown']]
    """
    return hidden_as_text(frame, HIDDEN_CELL)


def record_largest_drop_off(funnel: pd.DataFrame, opened: pd.DataFrame | None = None) -> pd.Series:
    """Record and print the funnel step with the largest drop-off rate (any persona): with ``opened``
    (:func:`jmtools.pipeline.open_rows` of the funnel), among the customers who had time to go on, the
    funnel's own count, which takes those still open as lost, said beside it (D221).

    Parameters
    ----------
    funnel : pandas.DataFrame
        A by-persona funnel (``jmtools.analyses.funnels.funnel(..., by="persona")``), possibly
        restricted to one persona; without a ``persona`` column (no customer table), the
        funnel of all customers.

    Returns
    -------
    pandas.Series or None
        That step's row (None: no step with a drop-off shown).
    
    Examples
    --------
    >>> funnel = pd.DataFrame({"persona": ["Ben", "Ben"], "step": ["Browse", "Buy"],
    ...                        "step_index": [1, 2], "drop_off_rate": [0.0, 0.4], "n_prev": [0, 200],
    ...                        "ci_low": [0.0, 0.53], "ci_high": [0.0, 0.67]})
    >>> _ = record_largest_drop_off(funnel)
    Largest drop-off: Ben between 'Browse' and 'Buy' — 40% of 200 customers do not go on (95% CI 33%–47%).
    """
    funnel = funnel if opened is None else had_time(funnel, opened)
    rate = loss_rates(funnel)   # a step of 1–4: at least its bound; one protecting another group: none (D79)
    steps = funnel.loc[rate.index]
    hidden = steps["suppressed"].astype(bool) if "suppressed" in steps else pd.Series(False, index=steps.index)
    if rate.isna().all():
        print(f"No drop-off to name: no step has {MIN_GROUP} or more customers before it.")
        return None
    worst = steps.loc[rate.sort_values(ascending=False, kind="stable").index[0]]
    group = ("all customers" if "persona" not in worst  # no customer table: no personas
             else worst["persona"] if pd.notna(worst["persona"]) else NO_PERSONA)
    before = funnel["step_index"] == worst["step_index"] - 1
    if "persona" in funnel:
        key = worst["persona"]
        before &= funnel["persona"].isna() if pd.isna(key) else funnel["persona"].eq(key).fillna(False)
    before = funnel.loc[before, "step"]
    # the loss between two steps, named as the headline names it: the report says where they were (D202)
    where = f"between '{before.iloc[0]}' and '{worst['step']}'" if len(before) else f"at '{worst['step']}'"
    if bool(hidden[worst.name]):
        record("worst_drop_off", f"{group}: {worst['step']}", label="largest drop-off (persona: step)")
        print(f"Largest drop-off: {group} {where} — fewer than {MIN_GROUP} of "
              f"{int(worst['n_prev']):,} customers go on (their number is not shown).")
        return worst
    waiting = int(worst.get("open", 0))
    low, high = wilson_interval(int(worst["drop_off"]), int(worst["n_prev"])) if waiting else (
        1 - worst["ci_high"], 1 - worst["ci_low"])
    record("worst_drop_off", f"{group}: {worst['step']}", label="largest drop-off (persona: step)")
    record("worst_drop_off_rate", worst["drop_off_rate"], label="its drop-off" + " (had time to go on)" * bool(waiting),
           unit="%", n=int(worst["n_prev"]), ci=(low, high), headline=True)
    every = {"open": waiting, "all": {k: worst.get(f"{k}_all") for k in ("drop_off", "n_prev", "drop_off_rate")}}
    print(f"Largest drop-off: {group} {where} — {worst['drop_off_rate']:.0%} of {int(worst['n_prev']):,} customers"
          f"{' who had time to go on' if waiting else ''} do not go on (95% CI {low:.0%}–{high:.0%})"
          + (f"; {open_words(every)}." if waiting else "."))
    return worst


def show_dates_only(evidence, *, persona: str = ALL, record=record, about: str = "funnel") -> str | None:
    """Say, where a funnel or path is shown, that the event log has dates only: how many
    customers have two or more stages (and touchpoints) on one day, and the order assumed
    within a day. Records both counts with their n.

    Parameters
    ----------
    evidence : jmtools.evidence.Evidence
    persona : str, default "all"
        Whose funnel is shown: a persona's counts are of its own customers
        (:meth:`~jmtools.evidence.Evidence.dates_only_for`); without a customer table its
        customers cannot be known, and the sentence says that the counts are the whole log's.
    record : callable, optional
        Where the count goes (default :func:`jmtools.report.record`); tests pass a collector.
    about : {"funnel", "loops"}
        ``"funnel"``: the order assumed and both counts (recorded); ``"loops"``: where pain
        points are read, that loops and detours are found between days only
        (:meth:`~jmtools.evidence.DatesOnly.loops_sentence`; nothing recorded).

    Returns
    -------
    str or None
        The sentence shown (:meth:`jmtools.evidence.DatesOnly.sentence`); None, and nothing
        shown, when the log carries times.

    Examples
    --------
    >>> import contextlib, io
    >>> from jmtools.evidence import prepare
    >>> ev = pd.DataFrame({"customer_id": ["a", "a", "b"], "event": ["pay", "view", "view"],
    ...                    "timestamp": pd.to_datetime(["2024-01-01", "2024-01-01", "2024-01-02"])})
    >>> j = {"stages": ["Browse", "Pay"], "touchpoints": [
    ...     {"name": "Site", "stage": "Browse", "events": ["view"]},
    ...     {"name": "Checkout", "stage": "Pay", "events": ["pay"]}]}
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     said = show_dates_only(prepare(ev, j))
    >>> said.split(". ")[0]
    'Event times are dates only: 1 of 2 customers (50%) have two or more stages on one day'
    """
    days = getattr(evidence, "dates_only", None)
    if days is None:
        return None
    from IPython.display import display

    whose = unknown = None
    if persona != ALL:
        mine = evidence.dates_only_for(persona)
        days, whose, unknown = (days, None, persona) if mine is None else (mine, persona, None)
    said = days.sentence(whose, unknown=unknown) if about == "funnel" else days.loops_sentence(whose, unknown=unknown)
    if said is None:
        return None
    lead, _, rest = said.partition(": ")               # one statement: its lead in bold
    display(md("> **{lead}:** {rest}", lead=lead, rest=rest))
    if about != "funnel":
        return said
    scope = ", whole log" if unknown else ""
    record("dates_only_customers", int(days.n_ambiguous), n=int(days.n_customers),
           label=f"Customers with two or more stages on one day (event dates only{scope})")
    record("dates_only_touchpoint_customers", int(days.n_ambiguous_touchpoints), n=int(days.n_customers),
           label=f"Customers with two or more touchpoints on one day (event dates only{scope})")
    return said


def record_slowest_step(timing: pd.DataFrame) -> pd.Series:
    """Record the step with the longest median time from the previous step; return its row.

    ``timing`` is ``jmtools.analyses.funnels.time_between_stages(...)``.
    
    Examples
    --------
    >>> timing = pd.DataFrame({"from_step": ["Browse", "Cart"], "step": ["Cart", "Pay"],
    ...                        "median_s": [60.0, 7200.0], "median_h": [1 / 60, 2.0], "n": [90, 40]})
    >>> record_slowest_step(timing)["step"]
    'Pay'
    """
    timed = timing[timing["median_s"].notna()]         # a step of 1–4 customers has no time shown
    if not len(timed):
        return None
    slow = timed.sort_values("median_s", ascending=False).iloc[0]
    record("slowest_step", f"{slow['from_step']} → {slow['step']}", label="slowest step (median)")
    if bool(slow.get("whole_days", False)):       # dates only: whole days, "same day" for 0
        record("slowest_step_median_days", duration_words(slow["median_s"], whole_days=True),
               label="its median time (event dates only: whole days)", n=int(slow["n"]))
        return slow
    record("slowest_step_median_h", slow["median_h"], label="its median time", unit="h",
           n=int(slow["n"]), fmt=".1f")
    return slow


# ------------------------------------------------------------------ 03 emotion curves
def record_emotion_figures(persona: str, *, moments: pd.DataFrame, gap: pd.DataFrame,
                           evidence: pd.DataFrame, record=record) -> pd.DataFrame:
    """Key figures of notebook 03: the persona's lowest, peak and end stages, its largest
    assumed-versus-measured gap and the pieces of evidence.

    Parameters
    ----------
    persona : str
        The notebook's persona (``"all"`` or a name).
    moments, gap, evidence : pandas.DataFrame
        ``moments_of_truth(curve)``, ``assumed_gap(curve, assumed)`` and ``emotion_evidence(...)``.
    record : callable, optional
        Where figures go (default :func:`jmtools.report.record`); tests pass a collector.

    Returns
    -------
    pandas.DataFrame
        The persona's moments (``stage, valence, n`` by ``kind``), rounded, to show.
    """
    mine = moments[moments["persona"] == persona].set_index("kind")
    for kind in ("lowest", "peak", "end", "only point"):
        if kind in mine.index:
            r, key = mine.loc[kind], kind.replace(" ", "_")
            record(f"{key}_stage", str(r["stage"]), label=f"{kind.capitalize()} stage")
            record(f"{key}_valence", round(float(r["valence"]), 4), label=f"Emotion at the {kind} stage",
                   n=int(r["n"]), ci=(round(float(r["ci_low"]), 4), round(float(r["ci_high"]), 4)),
                   headline=kind in ("lowest", "only point"), fmt="+.2f")
    mine_gap = gap[(gap["persona"] == persona) & gap["gap"].notna()]
    if len(mine_gap):
        worst = mine_gap.loc[mine_gap["gap"].abs().idxmax()]
        record("largest_gap_stage", str(worst["stage"]), label="Largest assumed-vs-measured gap")
        record("largest_gap", round(float(worst["gap"]), 4), label="Measured − assumed", fmt="+.2f")
    record("persona", persona)
    record("n_evidence", int(len(evidence.drop_duplicates("obs_id"))), label="Pieces of evidence",
           headline=True)
    return mine[["stage", "valence", "n"]].round(2)


# ------------------------------------------------------------------ 05 prioritisation
def show_value_assumptions(backlog: pd.DataFrame) -> None:
    """Print, per opportunity in rank order, the assumptions behind its value at stake.

    Examples
    --------
    >>> show_value_assumptions(pd.DataFrame({"rank": [1], "id": ["show-fees-early"],
    ...                                      "value_assumptions": ["120 customers × 5% × 80.0"]}))
    1. show-fees-early: 120 customers × 5% × 80.0
    """
    for row in backlog.itertuples():
        print(f"{row.rank}. {row.id}: {row.value_assumptions}")


def frame_table(frame: pd.DataFrame, *, digits: int = 3):
    """A step notebook's frame shown through the kit's table (:func:`~jmtools.report.present.html_table`):
    every row, numbers to ``digits`` decimals, no index; in an output narrower than 520 px a
    table of more than 3 columns or of long texts is one card per row, nothing cut off (D184, D201).

    Examples
    --------
    >>> html = frame_table(pd.DataFrame({"id": ["a"], "lift": [0.03456], "n": [1200]})).data
    >>> '<td class="jm-num" data-label="lift">0.035</td>' in html, "1,200" in html
    (True, True)
    """
    numeric = {c: (lambda v: number(v, digits=digits)) for c in frame.columns
               if pd.api.types.is_numeric_dtype(frame[c]) and not pd.api.types.is_bool_dtype(frame[c])}
    return html_table(frame, formats=numeric, max_rows=max(len(frame), 1))


def record_backlog_figures(persona: str, rank_by: str, backlog: pd.DataFrame,
                           order_value: pd.DataFrame) -> None:
    """Key figures of notebook 05: the first item of the ranked backlog, its owner and value.

    Examples
    --------
    >>> backlog = pd.DataFrame({"rank": [1], "id": ["show-fees-early"], "owner": ["Checkout"],
    ...                         "value_at_stake": [9600.0]})
    >>> record_backlog_figures("all", "value_at_stake", backlog, pd.DataFrame({"n": [5000]}))
    """
    record("persona", persona, label="Persona")
    record("rank_by", rank_by, label="Ranked by")
    record("n_opportunities", int(len(backlog)), label="Opportunities")
    if not len(backlog):
        return
    first = backlog.iloc[0]
    record("top_opportunity", str(first["id"]), label="Do first", headline=True)
    record("top_opportunity_owner", str(first["owner"] or ""), label="Owner of the first item")
    if "value_at_stake" in backlog:
        total = (total_value_at_stake(backlog)["value_at_stake"].iloc[0] if "stake_parts" in backlog
                 else backlog["value_at_stake"].sum())    # a hand-made backlog: its plain sum
        record("value_at_stake_total", round(float(total), 2),
               label="Value at stake, all opportunities (each customer once)",
               n=int(order_value["n"].iloc[0]))
        record("top_value_at_stake", round(float(first["value_at_stake"]), 2),
               label="Value at stake of the first item")
