"""Printable worksheets: one page per step of the track, for rooms without laptops.

Each worksheet is made from the same data as the notebooks (a sample world by default): the
step's goals, the idea in a few lines, one chart and the few numbers the exercises need, and
the exercises of that step with room to write. Pages are self-contained HTML (inline SVG, no
script, nothing fetched) and are printed to PDF by a headless Chromium (Debian's ``chromium``)::

    jmtools teaching worksheets -o worksheets/            # 00_start_here.pdf … 07_….pdf

The numbers printed are the ones the exercises are checked against, so a facilitator can
mark a paper answer with :func:`jmtools.teaching.check` afterwards. Every table and chart goes
through the disclosure rule the notebooks use (:mod:`jmtools.teaching.disclosed`; docs/decisions.md
D53, D56, D73): a group of 1–4 customers, and the persona whose size step 1 hides to protect one,
print without their numbers, with the rule's note under the table.
"""

from __future__ import annotations

import html
import os
import shutil
import subprocess
import tempfile
from pathlib import Path

import pandas as pd

from jmtools.analyses import funnels
from jmtools.analyses.disclosure import MIN_GROUP
from jmtools.charts import emotions as emotion_charts
from jmtools.charts import funnels as funnel_charts
from jmtools.charts import painpoints as pain_charts
from jmtools.charts import personas as persona_charts
from jmtools.core.browser import OFFLINE_ARGS
from jmtools.core.errors import ParameterError
from jmtools.core.vocabulary import NO_PERSONA
from jmtools.personas import typical_events
from jmtools.pipeline import disclosed_steps
from jmtools.report.wording import HIDDEN_CELL
from jmtools.render.offline import chart_to_svg
from jmtools.teaching import _early, _late, exercises
from jmtools.teaching._judge import Hint
from jmtools.teaching.iterate import change_at, difference_interval
from jmtools.teaching.lesson import Lesson
from jmtools.teaching.disclosed import nothing_to_draw, readable, shown, shown_funnel, shown_sizes

__all__ = ["SHEETS", "worksheet_html", "write_worksheets", "find_chromium"]

#: Step → (goals, the idea in plain words), short enough for a page.
SHEETS: dict[int, tuple[list[str], str]] = {
    0: (["say what a journey map shows", "read a funnel of stages", "tell customers from events"],
        "A journey map shows, for one persona, the stages a customer lives, where they meet the "
        "business and how it feels. Built from evidence (events, orders, surveys, comments), every "
        "claim on it carries a number — and the map can be re-run next month."),
    1: (["count the customers a persona stands for", "write a rule for a persona card",
         "read n before comparing groups"],
        "A persona linked to data carries a rule over the customer table, so the kit knows whose "
        "events and answers are theirs. Several personas, never one for everybody. Small groups "
        "show extreme numbers by chance: read n first."),
    2: (["count touchpoints in customers, not events", "find the touchpoint rated worst"],
        "A touchpoint is any place of contact — an ad, the product page, checkout, delivery, "
        "support. Count how many customers each one reaches; survey answers say how it felt. "
        "Some are moments of truth: they make or break the experience."),
    3: (["read an emotion curve with its interval", "compare the assumed curve with the measured",
         "tell a lexicon score from a feeling"],
        "A drawn curve is an assumption; computed from surveys and comments (−2..+2) it is "
        "evidence, with n and a 95% interval. The assumption agrees when it lies inside the "
        "interval. A lexicon scores words, not the customer's mind."),
    4: (["join answers to customers", "count a funnel in order", "tell conversion from reach"],
        "Events, surveys and orders join per customer. A funnel counts a step only after the "
        "previous one, in time. Conversion = reached this step ÷ reached the step before; "
        "reach = reached this step ÷ everyone who started."),
    5: (["find where a persona is lost, and how sure", "tell a difference from noise",
         "rank pain points by evidence"],
        "A pain point keeps its evidence: the number, its n and interval. A difference between two "
        "groups is evidence only when its 95% interval excludes 0. The share lost is 1 − conversion; "
        "its interval is 1 − the conversion's interval, bounds swapped."),
    6: (["compute RICE by hand", "rank by value at stake and defend it",
         "give every top item an owner and a date"],
        "RICE = reach × impact × confidence ÷ effort; ICE = impact × confidence × ease — estimates "
        "from a workshop. Value at stake comes from the data: customers affected × lift needed × "
        "order value. A backlog is a plan when each item has an owner and a date."),
    7: (["set a baseline", "compare before and after with an interval", "update the map"],
        "Record a baseline before a change; compare after, with an interval — two periods always "
        "differ a little. A before/after comparison is not an experiment: it cannot say why. "
        "Update the map where the data disagrees, as a new version."),
}

#: Step → the question it answers (the opening worksheet lists them).
_QUESTIONS = {1: "Who is the journey for, and how many customers is that?",
              2: "Where do they meet us, and which contacts matter?",
              3: "How do they feel along the way — and was the workshop right?",
              4: "How do logs, surveys and orders join into one journey?",
              5: "Where do we lose them, and how sure are we?",
              6: "What do we fix first, who owns it, by when?",
              7: "Did the fix work, and what goes into the next version of the map?"}

_CSS = """
@page { size: A4; margin: 11mm 12mm; }
body { font-family: "DejaVu Sans", system-ui, sans-serif; font-size: 8.8pt; color: #1f2328;
       line-height: 1.32; margin: 0; }
h1 { font-size: 15pt; margin: 0 0 2px; }
.meta { color: #57606a; font-size: 8.5pt; margin-bottom: 6px; }
.goals { margin: 4px 0 6px; padding-left: 16px; }
.idea { background: #f3f7fb; border-left: 3px solid #4c78a8; padding: 4px 8px; margin: 4px 0 6px; }
.fig { text-align: center; margin: 2px 0; }
.fig svg { max-width: 100%; max-height: 190px; height: auto; width: auto; }
table { border-collapse: collapse; font-size: 7.8pt; margin: 2px 0 5px; }
th, td { border-bottom: 1px solid #d0d7de; padding: 1px 6px; text-align: left; }
th { background: #f6f8fa; }
caption { text-align: left; font-weight: 600; font-size: 8.5pt; padding: 2px 0; }
.ex { margin: 5px 0 0; page-break-inside: avoid; }
.ex b { font-size: 9.5pt; }
.line { border-bottom: 1px dotted #8c959f; height: 15px; margin: 1px 0; }
.note { color: #57606a; font-style: italic; font-size: 7.8pt; max-width: 90mm; white-space: normal; }
.facts { display: flex; flex-wrap: wrap; gap: 0 14px; align-items: flex-start; }
"""


def _table(caption: str, frame: pd.DataFrame) -> str:
    """An HTML table of ``frame`` (its ``suppressed`` column left out), the rule's note under it."""
    note = frame.attrs.get("note", "")
    frame = frame.drop(columns=["suppressed"], errors="ignore")

    def cell(v):
        if isinstance(v, float):
            return "–" if pd.isna(v) else f"{v:,.0f}" if abs(v) >= 100 else f"{v:,.3g}"
        return html.escape(str(v))

    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = "".join("<tr>" + "".join(f"<td>{cell(v)}</td>" for v in row) + "</tr>"
                   for row in frame.itertuples(index=False))
    under = f'<tr><td class="note" colspan="{len(frame.columns)}">{html.escape(note)}</td></tr>' if note else ""
    return f"<table><caption>{html.escape(caption)}</caption><tr>{head}</tr>{rows}{under}</table>"


def _with_interval(frame: pd.DataFrame, name: str, *, as_pct: bool = True) -> pd.DataFrame:
    """``frame`` with a column ``name``: its ``ci_low``–``ci_high`` as text ("not shown" where the
    disclosure rule hid them; the word :func:`readable` wrote there, for a frame read already)."""
    hidden = frame["suppressed"] if "suppressed" in frame else pd.Series(False, index=frame.index)
    text = [low if isinstance(low, str) else HIDDEN_CELL if gone and pd.isna(low) else _ci(low, high, as_pct=as_pct)
            for low, high, gone in zip(frame["ci_low"], frame["ci_high"], hidden)]
    return frame.assign(**{name: text})


def _ci(low, high, *, as_pct=True) -> str:
    f = (lambda x: f"{100 * x:.1f}%") if as_pct else (lambda x: f"{x:.2f}")
    return "–" if pd.isna(low) else f"{f(low)} to {f(high)}"


def _unshown(frame: pd.DataFrame, needs: str | None = None) -> bool:
    """True when the disclosure rule left no number of ``frame`` to draw (every row suppressed, or
    none left in the column ``needs``): :func:`~jmtools.teaching.disclosed.nothing_to_draw`."""
    return bool(len(frame)) and nothing_to_draw(frame, needs)


# ------------------------------------------------------------------ figure and facts per step
def _sheet_0(lesson):
    ev = lesson.events
    facts = pd.DataFrame([{"table": kind, "rows": loaded.accounting.rows_used,
                           "distinct customers": int(loaded.to_pandas()["customer_id"].nunique())
                           if kind != "customers" else len(lesson.customers)}
                          for kind, loaded in lesson.world.tables.items() if kind != "events"]
                         + [{"table": "events", "rows": len(ev),
                             "distinct customers": ev["customer_id"].nunique()}])
    method = pd.DataFrame([{"step": n, "notebook": exercises.STEPS[n][0], "the question it answers": q}
                           for n, q in _QUESTIONS.items()])
    return (funnel_charts.funnel_chart(disclosed_steps(funnels.funnel(lesson.evidence))),   # as notebook 00
            [("The tables", facts), ("The seven steps", method)])


def _sheet_1(lesson):
    k = lesson.persona_kpis
    metric = "nps" if ((k["kpi"] == "nps") & (k["n"] > 0)).any() else "csat"
    numbers = shown(lesson, k, count_col="n_customers")           # notebook 01's persona_numbers
    score = _with_interval(numbers[numbers["kpi"] == metric], "interval", as_pct=False)
    num = lesson.customers.select_dtypes("number")
    attrs = pd.DataFrame({"column": num.columns, "min": num.min().values, "median": num.median().values,
                          "max": num.max().values})
    return (persona_charts.persona_size_chart(shown_sizes(lesson)),
            [(f"{metric.upper()} per group",
              readable(score[["persona", "value", "n", "interval", "suppressed"]])),
             ("Customer table: numeric columns", attrs)])


def _sheet_2(lesson):
    e = lesson.events[lesson.events["persona"] == lesson.persona].dropna(subset=["touchpoint"])
    per = (e.groupby("touchpoint").agg(customers=("customer_id", "nunique"), events=("event", "size"))
           .reset_index().sort_values("customers", ascending=False))
    per = shown(lesson, per.assign(persona=lesson.persona), count_col="customers")
    facts = [(f"{lesson.persona}: touchpoints", readable(per.drop(columns=["persona"])))]
    tk = lesson.touchpoint_kpis
    if tk is not None:
        c = shown(lesson, tk[(tk["persona"] == lesson.persona) & (tk["kpi"] == "csat_mean")],
                  count_col="n_customers")
        facts.append((f"{lesson.persona}: mean CSAT per touchpoint",
                      readable(_with_interval(c, "interval", as_pct=False)
                               [["touchpoint", "value", "n", "interval", "suppressed"]])))
    typical = shown(lesson, typical_events(lesson.world.events.table, lesson.assignment,     # notebook 02
                                           touchpoints=lesson.journey.touchpoint_regexes(), top=8),
                    count_col="n")
    mine = typical[(typical["persona"] == lesson.persona) & ~typical["suppressed"]]
    chart = (persona_charts.typical_events_chart(mine) if len(mine) else
             f"No touchpoint is typical of {lesson.persona} with its numbers shown: "
             f"{typical.attrs.get('note') or 'none is used by enough of its customers.'}")
    return chart, facts


def _sheet_3(lesson):
    run = lesson.run
    if run.curve is None:
        return None, []
    facts = [(f"{lesson.persona}: measured and assumed emotion (−2..+2)",
              _gap(lesson)[["stage", "measured", "n", "interval", "assumed"]])]
    try:
        case = _early._lexicon_case(lesson)
    except Hint:
        case = None
    if case is not None:
        said = [{"what": "comment", "value": case["text"], "score": f"lexicon {case['score']:+.2f}"}]
        if "rating" in case and pd.notna(case["rating"]):
            said.append({"what": "rating of the comment", "value": f"{case['rating']:.0f} of 5", "score": ""})
        surveys = lesson.table("surveys")
        if surveys is not None:
            own = surveys[(surveys["customer_id"] == case["customer_id"])]
            said += [{"what": f"survey at {r.touchpoint}", "value": f"{r.metric} {r.score:g}", "score": ""}
                     for r in own.itertuples()]
        facts.append((f"What customer {case['customer_id']} told you", pd.DataFrame(said)))
    curve = shown(lesson, run.curve, count_col="n")     # the persona step 1 hides: no points
    drawn = curve[~curve["suppressed"]]
    chart = emotion_charts.emotion_curve_chart(drawn, assumed=run.assumed,
                                               personas=[p for p in ("all", lesson.persona)
                                                         if p in set(drawn["persona"])])
    return chart, facts


def _sheet_4(lesson):
    facts = []
    surveys = lesson.table("surveys")
    if surveys is not None:
        joined = surveys.merge(lesson.assignment[["customer_id", "persona"]], on="customer_id", how="left")
        joined["persona"] = joined["persona"].astype(object).fillna(NO_PERSONA)
        per = joined.groupby("persona", sort=False).agg(answers=("customer_id", "size"),
                                                        customers=("customer_id", "nunique"))
        facts.append(("Survey answers per persona",
                      readable(shown(lesson, per.reset_index(), count_col="customers"))))
    try:
        facts.append(_detour_facts(lesson))
    except Hint:
        pass
    by_persona = shown_funnel(lesson, lesson.stage_funnel)
    mine = by_persona[by_persona["persona"] == lesson.persona]
    facts.append((f"{lesson.persona}: funnel",     # read whole: a protected step is known by persona and index
                  readable(mine)[["step", "n", "n_prev", "conversion", "rate_from_start", "suppressed"]]))
    chart = (f"{lesson.persona}'s funnel is not drawn: {by_persona.attrs['note']}" if _unshown(mine) else
             funnel_charts.funnel_chart(mine.drop(columns=["_few"]), title=f"Funnel — {lesson.persona}"))
    return chart, facts


def _detour_facts(lesson) -> tuple[str, pd.DataFrame]:
    """Exercise 4.2's four counts (the persona's most common detour), each through the rule."""
    a, b, straight = _late._detour(lesson)
    e = lesson.events[lesson.events["persona"] == lesson.persona]
    f = funnels.funnel(lesson.evidence, steps=[a, b], level="touchpoint", by="persona")
    after = int(f[(f["persona"] == lesson.persona) & (f["step_index"] == 2)]["n"].iloc[0])
    counts = pd.DataFrame([
        {"customers who…": f"were at {a}", "n": e.loc[e["touchpoint"] == a, "customer_id"].nunique()},
        {"customers who…": f"were at both {a} and {b}, in any order", "n": _late.both_touchpoints(lesson, a, b)},
        {"customers who…": f"went from {a} straight to {b}", "n": straight},
        {"customers who…": f"were at {b} at any time after {a}", "n": after}]).assign(persona=lesson.persona)
    counts = shown(lesson, counts, count_col="n")
    return f"{lesson.persona}: {a} and {b}", readable(counts.drop(columns=["persona"]))


def _sheet_5(lesson):
    by_persona = shown_funnel(lesson, lesson.stage_funnel)             # notebook 05's by_persona
    mine = _with_interval(readable(by_persona[by_persona["persona"] == lesson.persona]), "conversion 95%")
    cols = ["step", "n", "n_prev", "conversion", "conversion 95%", "drop_off", "suppressed"]
    facts = [(f"{lesson.persona}: funnel", mine[cols])]
    try:
        facts.append(_lost_facts(lesson, by_persona))
    except Hint:
        pass
    pains = lesson.run.pain_points.table
    facts.append((f"{lesson.persona}: pain points",
                  pains[["pain_point_id", "stage", "source", "score"]].head(6)))
    return funnel_charts.conversion_chart(by_persona.drop(columns=["_few"]), by="persona"), facts


def _lost_facts(lesson, by_persona: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    """Exercise 5.2's two personas at the step, read from the disclosed funnel: no difference when a
    count of either is hidden (it and the rates would give the count back)."""
    x, y = _late._pair(lesson)
    step = x["step"]
    at = by_persona[by_persona["step"] == step].set_index("persona")
    x, y = at.loc[x["persona"]], at.loc[y["persona"]]
    rows = [{"persona": r.name, "lost": r["drop_off"], "of": r["n_prev"], "share lost": r["drop_off_rate"],
             "suppressed": pd.isna(r["drop_off"]) or pd.isna(r["n_prev"])} for r in (x, y)]
    if any(r["suppressed"] for r in rows):
        last = {"persona": "difference", "lost": "", "of": "", "share lost": f"not compared: {by_persona.attrs['note']}"}
    else:
        d, low, high = difference_interval(y["drop_off"], y["n_prev"], x["drop_off"], x["n_prev"])
        last = {"persona": f"difference (95%: {_ci(low, high)})", "lost": "", "of": "", "share lost": d}
    table = pd.DataFrame([*rows, {**last, "suppressed": False}])
    return f"Share lost at {step}", readable(table)


def _sheet_6(lesson):
    b = lesson.run.backlog
    cols = [c for c in ["id", "reach", "impact", "confidence", "effort", "value_at_stake", "owner",
                        "target_date"] if c in b]
    return (pain_charts.priority_matrix_chart(b),
            [(f"{lesson.persona}: backlog (in rank order)", b[cols].fillna("—"))])


def _sheet_7(lesson):
    p = shown_funnel(lesson, lesson.periods[lesson.periods["persona"] == lesson.persona])   # 1–4: "fewer"
    table = _with_interval(readable(p), "conversion 95%")
    facts = [(f"{lesson.persona}: first seen before / after {lesson.split:%Y-%m-%d}",
              table[(p["step_index"] > 1).to_numpy()][["period", "step", "n", "n_prev", "conversion", "conversion 95%"]]),
             _change_facts(lesson, p)]
    gap = _gap(lesson)
    if gap is not None:
        facts.append(("Assumed and measured emotion", gap[["stage", "assumed", "measured", "n", "interval"]]))
    chart = (f"{lesson.persona}'s funnel before and after is not drawn: {p.attrs['note']}" if _unshown(p, "conversion") else
             funnel_charts.conversion_chart(p.drop(columns=["_few"]), by="period",
                                            title=f"Before and after — {lesson.persona}"))
    return chart, facts


def _change_facts(lesson, periods: pd.DataFrame) -> tuple[str, pd.DataFrame]:
    """The change at the persona's worst step, shown only when both periods' counts there (and at the
    stage before) are shown in ``periods`` (the disclosed funnel before and after)."""
    try:
        step = _late.worst_step(lesson)["step"]
    except Hint:
        return ("Change", pd.DataFrame([{"after − before": HIDDEN_CELL, "95% interval":
                                         f"no step with {lesson.min_n} or more of {lesson.persona}'s customers"}]))
    at = periods[periods["step"] == step]
    told = len(at) == 2 and bool(at[["n", "n_prev"]].notna().all(axis=None))
    c = change_at(lesson.periods, step, group=lesson.persona) if told else None
    return (f"Change at {step}", pd.DataFrame([{
        "after − before": c["difference"] if told else HIDDEN_CELL,
        "95% interval": _ci(c["ci_low"], c["ci_high"]) if told else
        f"fewer than {MIN_GROUP} customers in a period, or counts not shown"}]))


def _gap(lesson) -> pd.DataFrame | None:
    """The persona's assumed and measured emotion per stage, through step 1's rule, for print."""
    gap = lesson.run.gap
    if gap is None:
        return None
    g = shown(lesson, gap[gap["persona"] == lesson.persona], count_col="n")
    return readable(_with_interval(g, "interval", as_pct=False))


_BUILDERS = {0: _sheet_0, 1: _sheet_1, 2: _sheet_2, 3: _sheet_3, 4: _sheet_4, 5: _sheet_5, 6: _sheet_6,
             7: _sheet_7}


def worksheet_html(lesson: Lesson, step: int) -> str:
    """The worksheet of one step (0–7) as a self-contained HTML page (no script, inline SVG).

    Examples
    --------
    >>> page = worksheet_html(Lesson("sample:b2b"), 0)
    >>> "<script" in page, "Exercise 0.1" in page
    (False, True)
    """
    if step not in _BUILDERS:
        raise ParameterError("step", step, expected=list(_BUILDERS))
    goals, idea = SHEETS[step]
    stem, title = exercises.STEPS[step]
    chart, facts = _BUILDERS[step](lesson)
    figure = ("" if chart is None else f'<p class="note">{html.escape(chart)}</p>' if isinstance(chart, str)
              else f'<div class="fig">{chart_to_svg(chart)}</div>')
    tables = "".join(_table(caption, frame) for caption, frame in facts)
    items = []
    for ex in (e for e in exercises.EXERCISES.values() if e.step == step):
        stars = "★" * ex.stars + "☆" * (3 - ex.stars)
        lines = '<div class="line"></div>' * (3 if ex.stars == 3 else 2)
        items.append(f'<div class="ex"><b>Exercise {ex.id} {stars} · {html.escape(ex.title)}</b><br>'
                     f'{html.escape(exercises.question(ex, lesson))}<br><i>Answer with: '
                     f'{html.escape(ex.form)}</i>{lines}</div>')
    label = "Start here" if step == 0 else f"Step {step} of 7"
    title = "A journey map computed from evidence" if step == 0 else title
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{html.escape(label)} · {html.escape(title)}</title>
<style>{_CSS}</style></head><body>
<h1>{html.escape(label)} · {html.escape(title)}</h1>
<div class="meta">{html.escape(lesson.journey.name)} · following {html.escape(lesson.persona)} · notebook
{html.escape(stem)}.ipynb · name: ______________________</div>
<b>You will learn to</b><ul class="goals">{''.join(f'<li>{html.escape(g)}</li>' for g in goals)}</ul>
<div class="idea">{html.escape(idea)}</div>
{figure}<div class="facts">{tables}</div>
{''.join(items)}
</body></html>
"""


def find_chromium(chromium: str | os.PathLike | None = None) -> str:
    """The Chromium executable that prints the PDFs: ``chromium`` if given, else Debian's.

    Raises
    ------
    ParameterError
        None is found; the message says how to install it, or to print the HTML instead.
    """
    names = ("chromium", "chromium-browser", "google-chrome", "/usr/bin/chromium")
    found = os.fspath(chromium) if chromium else next(filter(None, map(shutil.which, names)), None)
    if not found or not (os.path.exists(found) or shutil.which(found)):
        raise ParameterError("chromium", chromium, expected="a Chromium or Chrome executable",
                             fix="apt-get install chromium, pass chromium='/path/to/chrome', or write "
                                 "HTML only (pdf=False; --html-only) and print it from any browser")
    return str(found)


def _print_pdf(browser: str, page: Path, pdf: Path) -> None:
    with tempfile.TemporaryDirectory(prefix="jmtools-chromium-") as profile:
        cmd = [browser, *OFFLINE_ARGS, f"--user-data-dir={profile}", "--no-pdf-header-footer",
               f"--print-to-pdf={pdf}", page.resolve().as_uri()]
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
    if done.returncode != 0 or not pdf.exists():
        raise RuntimeError(f"chromium could not print {page.name}: {done.stderr.strip()[-800:]}")


def write_worksheets(data="sample:ecommerce", out_dir="worksheets", *, persona: str = "",
                     steps=None, pdf: bool = True, chromium: str | None = None) -> list[Path]:
    """Write the worksheets of the track: ``<step>.html`` and, with ``pdf``, ``<step>.pdf``.

    Parameters
    ----------
    data : str, Path, World, Findings or Lesson
        The data the worksheets are made from (default the e-commerce sample world).
    out_dir : str or Path
        Folder to write to (created).
    persona : str, default ""
        The persona followed; ``""`` is the journey's first.
    steps : list of int, optional
        Which steps (0–7); default all.
    pdf : bool, default True
        Print each page to PDF with a headless Chromium (:func:`find_chromium`).

    Returns
    -------
    list of pathlib.Path
        The files written, PDFs (or HTML pages without ``pdf``) in step order.
    """
    lesson = data if isinstance(data, Lesson) else Lesson(data, persona=persona)
    browser = find_chromium(chromium) if pdf else None
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for step in (list(_BUILDERS) if steps is None else list(steps)):
        page = out / f"{exercises.STEPS[step][0]}.html"
        page.write_text(worksheet_html(lesson, step), encoding="utf-8")
        if browser:
            target = page.with_suffix(".pdf")
            _print_pdf(browser, page, target)
            written.append(target)
        else:
            written.append(page)
    return written
