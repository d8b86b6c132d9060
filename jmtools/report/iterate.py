"""Report sections of step 7: what changed in the map, did the fix work, how the KPIs move.

Like :mod:`jmtools.report.sections`, each function displays its text, tables and charts and
records its key figures (:func:`jmtools.report.record`); it computes nothing itself
(:mod:`jmtools.analyses.compare`, :mod:`jmtools.analyses.history`,
:func:`jmtools.journey.diff_journeys` do). ``notebooks/07_test_implement_iterate.ipynb``
calls them; the journey report calls :func:`since_last_time` (the map's changes, the
opportunities that went live and the KPI control charts, from a batch folder's history).
"""

from __future__ import annotations

from pathlib import Path

from jmtools.analyses.compare import share_words
from jmtools.analyses.disclosure import MIN_GROUP
from jmtools.analyses.history import control_chart, kpi_history, signals
from jmtools.charts.iterate import comparison_chart, kpi_control_chart
from jmtools.core.vocabulary import ALL
from jmtools.journey import Journey
from jmtools.journey.diff import changes_frame, describe_change, diff_journeys
from jmtools.journey.revisions import journey_at
from jmtools.report.past_runs import earlier_runs, load_history
from jmtools.report.present import html_table, md, number, with_caption
from jmtools.report.record import record
from jmtools.report.steps import not_shown, show_disclosure_notes
from jmtools.core.errors import whole_number

__all__ = ["what_changed", "did_it_work", "opportunity_measured", "opportunity_outcomes", "kpi_trends",
           "since_last_time", "earlier_map"]


def _display(*objs) -> None:
    from IPython.display import display

    display(*objs)


def what_changed(old, new, *, old_label: str = "last time", new_label: str = "now",
                 level: str = "##") -> list[dict]:
    """"What changed since last time": the map's changes, renames recognised, as a table.

    Parameters
    ----------
    old, new : Journey
        The two versions (e.g. :func:`jmtools.journey.revisions.journey_at` of the last
        report's revision, and the file now).
    old_label, new_label : str
        How the text names them.
    level : str, default "##"
        Markdown level of the heading (``"###"`` inside the report's "Since last time").

    Returns
    -------
    list of dict
        The changes (:func:`jmtools.journey.diff_journeys`); records ``map_changes``.
    """
    changes = diff_journeys(old, new)
    record("map_changes", len(changes), label=f"Changes to the map since {old_label}")
    _display(md(level + " What changed in the map since {old}", old=old_label))
    if not changes:
        _display(md("The map is the same as {old}.", old=old_label))
        return changes
    kinds = changes_frame(changes)["change"].value_counts()
    _display(md("{summary}.", summary=", ".join(f"{n} {kind}" for kind, n in kinds.items())))
    frame = changes_frame(changes).assign(what=[describe_change(c) for c in changes])
    _display(html_table(frame, columns={"section": "part", "change": "change", "what": "what changed"},
                        max_rows=200))
    return changes


def _plain(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, (list, tuple)):
        return ", ".join(map(str, value))
    if isinstance(value, dict):
        return "; ".join(f"{k}: {v}" for k, v in value.items())
    return str(value)


def did_it_work(comparison, *, persona: str = ALL, top: int = 12, level: str = "##") -> None:
    """Before/after (or test/control): the clearest rows in words, the chart, the table.

    Under a Markdown heading of ``level`` ("###" inside a numbered section of a notebook, so
    that the report's contents list it under that section).

    ``comparison`` is a :class:`jmtools.pipeline.Comparison`, shown through its
    :meth:`~jmtools.pipeline.Comparison.disclosed_table`: no group of 1–4 customers, nor the
    persona whose size would give one back; hidden numbers say "not shown", and the note says
    why. Records ``comparisons``, ``likely_real`` (rows) and, for each likely-real row, its text.
    """
    whole_number("top", top, fix="pass e.g. 12")
    table = comparison.disclosed_table()
    split = comparison.split
    nothing = comparison.nothing_compared() if hasattr(comparison, "nothing_compared") else ""
    groups = f"{table['group_a'].iloc[0]} and {table['group_b'].iloc[0]}" if len(table) else "the two groups"
    what = {"periods": f"before and after {split.get('date')}",
            "folders": f"{split.get('before')} against {split.get('after')}",
            "customers": "customers who saw the change against those who did not"}.get(split.get("kind"), groups)
    real = table[table["verdict"].astype(str).str.endswith("likely real")]
    record("comparisons", len(table), label="Comparisons made")
    record("likely_real", len(real), label="Changes likely real", headline=True)
    _display(md(level + " Did it work? {what}", what=what))
    if nothing:   # every customer at one step: said, with what would make a comparison, not an empty table
        _display(md("{nothing}", nothing=nothing))
        return
    _display(md("{n} comparisons (every measure, persona and step); a change is **likely real** when it "
                "survives the Benjamini–Hochberg step across all of them (false discovery rate 5%).",
                n=f"{len(table):,}"))
    mixed = _show_mix_changes(comparison)
    for step, text in (comparison.funnel_only_words() if hasattr(comparison, "funnel_only_words") else []):
        _display(md("> **Counted by the customers' own steps at {step}**: {text} This comparison's conversion "
                    "and time from {step} count only the customers' own arrivals.", step=step, text=text))
    for text in (comparison.still_open_words() if hasattr(comparison, "still_open_words") else []):
        _display(md("> **Still open at the data's end**: {text}", text=text))
    for i, row in enumerate(real.head(top).itertuples()):
        text = row.text + (f" — who was counted at {row.from_step} changed (above)"
                           if row.measure in ("conversion", "time") and row.from_step in mixed else "")
        record(f"likely_real_{i + 1}", text, label=f"Likely real ({row.persona})")
        _display(md("- **{who}**: {text}", who=row.persona, text=text))
    rows = table[table["persona"] == persona]
    drawn = table[~table["suppressed"]]
    if (drawn["persona"].eq(persona) & drawn["verdict"].ne("too few")).any():
        _display(with_caption(comparison_chart(drawn, persona=persona), "comparison"))
    if len(table):
        names = {"label": "measure", "n_a": f"n {table['group_a'].iloc[0]}",
                 "n_b": f"n {table['group_b'].iloc[0]}", "verdict": "verdict", "text": "in words"}
        counts = {c: (lambda v: number(v, digits=0)) for c in ("n_a", "n_b")}   # "21", not "21.00"
        _display(html_table(not_shown(rows), columns=names, formats=counts, max_rows=80))
    show_disclosure_notes(table)


def _show_mix_changes(comparison) -> set:
    """Above the clearest rows: each step at which contacts the company started (a mailing, a push)
    brought a different share of the customers counted in the two groups
    (:attr:`jmtools.pipeline.Comparison.mix_changes`), so that a change in conversion from it may
    be one of who was counted. Steps with a group of 1–4 customers are not said. Returns the
    steps said."""
    changes = getattr(comparison, "mix_changes", None)
    if changes is None or changes.empty:
        return set()
    said = set()
    for r in changes.itertuples():
        if min(r.n_a, r.n_b) < MIN_GROUP:
            continue
        said.add(r.from_step)
        k_a, k_b = int(r.n_company_a), int(r.n_company_b)
        record(f"mix_{r.from_step}", round(float(r.points), 4), label=f"Change in the share brought to "
               f"{r.from_step} by the company's contacts", n=int(r.n_a + r.n_b),
               ci=(round(float(r.ci_low), 4), round(float(r.ci_high), 4)))
        _display(md("> **Who was counted at {step} changed**: in *{b}*, {share_b} of the {n_b} customers "
                    "counted there got there through a contact the company started (a mailing, a push, an "
                    "ad shown), against {share_a} of {n_a} in *{a}*. A change in conversion or time from "
                    "{step} may come from whom the company contacted, not from what customers met there.",
                    step=r.from_step, a=r.group_a, b=r.group_b, n_a=f"{int(r.n_a):,}", n_b=f"{int(r.n_b):,}",
                    share_a=share_words(k_a, int(r.n_a)), share_b=share_words(k_b, int(r.n_b))))
    return said


def opportunity_measured(measured, opportunity: str) -> None:
    """Whether an opportunity worked (:func:`jmtools.pipeline.measure_opportunity`), in words.

    Records ``outcome_status`` and, unless the disclosure rule hides the comparison (fewer than
    5 customers in a period, or a persona whose size would give a smaller one back),
    ``outcome_effect`` with its n and interval; prints the row's text
    (:meth:`~jmtools.pipeline.Comparison.disclosed_table`).

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.journey import Outcome
    >>> from jmtools.pipeline import Comparison
    >>> row = pd.DataFrame({"measure": ["conversion"], "persona": ["Ben"], "from_step": ["Cart"],
    ...                     "step": ["Paid"], "label": ["conversion Cart → Paid"], "n_a": [3], "n_b": [40],
    ...                     "value_a": [0.33], "value_b": [0.5], "verdict": ["too few"],
    ...                     "text": ["too few to compare: 3 and 40 customers"]})
    >>> o = Outcome(status="too few", measured_on="2026-12-01", measure="conversion", n_before=3, n_after=40)
    >>> opportunity_measured(Comparison(row, row, {}, None, outcome=o), "show-fees")  # doctest: +ELLIPSIS
    too few to compare: conversion Cart → Paid — not shown: fewer than 5 customers in a group, so that ...
    """
    outcome = measured.outcome
    row = measured.disclosed_table().iloc[0]
    record("outcome_status", outcome.status, label=f"Outcome of {opportunity}", headline=True)
    if not row["suppressed"]:
        record("outcome_effect", outcome.effect, label=outcome.measure, n=outcome.n_before + outcome.n_after,
               ci=(outcome.ci_low, outcome.ci_high) if outcome.ci_low is not None else None)
    print(row["text"])


def opportunity_outcomes(journey, *, level: str = "##") -> None:
    """The backlog's closed loop: every opportunity with a change date, and what it did."""
    rows = [{"id": o.id, "title": o.title, "change_date": o.change_date, "status": o.status,
             "outcome": o.outcome.status if o.outcome else "not measured yet",
             "effect": o.outcome.effect if _shown(o.outcome) else None,
             "interval": (f"{number(o.outcome.ci_low, digits=3, signed=True)} to "
                          f"{number(o.outcome.ci_high, digits=3, signed=True)}")
             if _shown(o.outcome) and o.outcome.ci_low is not None else "–",
             "measured_on": o.outcome.measured_on if o.outcome else None,
             "measure": o.outcome.measure if o.outcome else "–"}
            for o in journey.opportunities if o.change_date is not None]
    _display(md(level + " Opportunities that went live"))
    if not rows:
        _display(md("No opportunity carries a `change_date` yet: add one when a change goes live, "
                    "then measure it (`jmtools.pipeline.measure_opportunity`)."))
        return
    import pandas as pd

    frame = pd.DataFrame(rows)
    record("opportunities_measured", int((frame["outcome"] != "not measured yet").sum()),
           label="Opportunities measured")
    _display(html_table(frame, formats={"change_date": _plain, "measured_on": _plain,
                                        "effect": lambda v: "–" if v is None or v != v else
                                        number(v, digits=3, signed=True)}))


def _shown(outcome) -> bool:
    """An outcome whose effect may be shown: measured, and on no period of 1–4 customers."""
    return outcome is not None and not any(0 < (n or 0) < MIN_GROUP
                                           for n in (outcome.n_before, outcome.n_after))


def kpi_trends(history, *, baseline: int | str = 8, figures=None, reports=None, charts: int = 4,
               level: str = "##", labels=None) -> None:
    """KPIs over report runs: which series left their control limits, with their charts.

    ``history`` is :func:`jmtools.report.batch.load_history`; ``charts`` bounds how many
    control charts are drawn (the signalling series first); ``labels`` maps a figure's key
    to how readers name it.
    """
    series = kpi_history(history, figures=figures, reports=reports)
    _display(md(level + " KPIs over report runs"))
    runs = series.groupby(["report", "figure"])["run_index"].max() if len(series) else None
    long_enough = runs[runs > (baseline if isinstance(baseline, int) else 2)] if runs is not None else []
    if len(long_enough) == 0:
        have = int(runs.max()) if runs is not None and len(runs) else 0
        need = baseline + 1 if isinstance(baseline, int) else 3
        _display(md("Not enough runs yet: {have} recorded, and a control chart needs {need} (its baseline "
                    "runs and at least one more).", have=have, need=need))
        return
    keep = series.set_index(["report", "figure"]).index.isin(long_enough.index)
    chart = control_chart(series[keep], baseline=baseline)
    found = signals(chart)
    record("kpi_signals", len(found), label="KPI series outside their control limits", headline=True)
    _display(md("{n} of {total} series signal after the baseline (limits from the baseline runs; "
                "rules: beyond 3σ, nine on one side, six trending, two of three beyond 2σ).",
                n=len(found), total=len(long_enough)))
    if len(found):
        _display(html_table(found.assign(figure=found["figure"].map(lambda k: (labels or {}).get(k, k)))))
    shown = list(found[["report", "figure"]].itertuples(index=False, name=None))
    shown += [k for k in long_enough.index if k not in shown]
    for report, figure in shown[:charts]:
        _display(with_caption(kpi_control_chart(chart, report=report, figure=figure,
                                                label=(labels or {}).get(figure)), "kpi_trend"))


def earlier_map(map_before: str, journey):
    """The earlier journey a report compares with: ``"git:REV"`` (a revision of the journey
    file) or a YAML path; returns ``(Journey, label)``.

    Examples
    --------
    >>> from jmtools.journey import Journey
    >>> from jmtools.sample_worlds import template_path
    >>> j = Journey.load(template_path("ecommerce"))
    >>> earlier_map(str(template_path("ecommerce")), j)[0] == j
    True
    """
    if map_before.startswith("git:"):
        return journey_at(journey.path, map_before[4:]), map_before[4:]
    return Journey.load(map_before), Path(map_before).name


def since_last_time(f, *, history_dir: str = "", map_before: str = "", baseline: int = 8) -> dict:
    """The report's "Since last time": the map's changes, opportunities that went live, and
    the KPI control charts of this focus over earlier runs.

    Parameters
    ----------
    f : jmtools.pipeline.Findings
        This run.
    history_dir : str
        A batch output folder (``history.jsonl``, written by ``jmtools batch`` / ``demo``):
        the latest earlier run of the same focus gives the map to compare with (the batch keeps
        a copy of each run's journey file) and the KPI series. Empty: no history.
    map_before : str
        The earlier map, given explicitly (a YAML path or ``"git:REV"``); wins over the history.
    baseline : int, default 8
        Runs that set the control limits.

    Returns
    -------
    dict
        ``runs`` (earlier runs of this focus found), ``map_before`` (what was compared with, or
        ``""``), ``changes`` (the map's changes).
    """
    runs = earlier_runs(history_dir, f.focus, journey_name=f.journey.name) if history_dir else []
    label = None                                  # None: name the earlier map by its file or revision
    if not map_before and runs and runs[-1].get("map"):
        snapshot = Path(history_dir) / runs[-1]["map"]
        if snapshot.is_file():
            map_before, label = str(snapshot), f"the last run ({runs[-1]['run_id'][:10]})"
    changes: list = []
    if map_before:
        earlier, named = earlier_map(map_before, f.journey)
        changes = what_changed(earlier, f.journey, old_label=label or named, level="###")
    elif not runs:
        _display(md("This is the first run of this report{where}: from the next run on, this section "
                    "says what changed in the map and how the key figures move.",
                    where=" recorded in its folder" if history_dir else ""))
    if any(o.change_date is not None for o in f.journey.opportunities):
        opportunity_outcomes(f.journey, level="###")
    if runs:
        labels = {k: v["label"] for r in runs for k, v in (r.get("figures") or {}).items()
                  if isinstance(v, dict) and v.get("label")}
        kpi_trends(load_history(history_dir), baseline=baseline,
                   reports=sorted({r["report"] for r in runs}), level="###", labels=labels)
    record("earlier_runs", len(runs), label="Earlier runs of this report")
    return {"runs": len(runs), "map_before": map_before, "changes": changes}
