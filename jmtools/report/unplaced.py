"""Survey answers and feedback that name no stage or touchpoint: what they still show (D132).

An NPS tool's export and a help desk's tickets rarely name a step of the journey. Such answers
are scored over all of them, as relationship scores "not tied to a step"
(:func:`jmtools.analyses.kpis.relationship_kpis`); such texts still give complaint themes, without
the chart by stage; and when no answer or text can be placed, the emotion curve is measured from
behaviour, as in a folder without surveys and feedback. This module says so in the report
(:mod:`jmtools.report.sections`) and in notebooks 02, 03 and 04, one sentence for each part left out.
"""

from __future__ import annotations

import pandas as pd

from jmtools.analyses import kpis as kpi_tools
from jmtools.analyses.disclosure import count_words
from jmtools.analyses.emotions import complaint_note, feeling_basis
from jmtools.analyses.language import language_note
from jmtools.pipeline import disclosed_kpis
from jmtools.report.present import html_table, md, number
from jmtools.report.record import record
from jmtools.report.steps import show_disclosure_notes
from jmtools.report.wording import listed, unit_of

__all__ = ["unplaced_rows", "unplaced_sentence", "show_relationship_kpis", "show_survey_scores",
           "show_feeling_basis", "show_unplaced_curve", "NOT_TIED"]

#: How scores of answers that name no step are labelled.
NOT_TIED = kpi_tools.NOT_TIED
_WHAT = {"surveys": ("survey answer", "survey answers"), "feedback": ("feedback text", "feedback texts")}
_NAMES = {"csat_mean": "CSAT, mean", "csat_top2box": "CSAT, share of top two", "ces_mean": "CES, mean",
          "ces_low_effort": "CES, share of low effort", "nps": "NPS (−100..+100)"}
_QUESTIONS = {"csat": "CSAT", "nps": "NPS", "ces": "CES"}


def _frame(table) -> pd.DataFrame | None:
    if table is None or isinstance(table, pd.DataFrame):
        return table
    return table.to_pandas()


def unplaced_rows(tables) -> dict[str, int]:
    """Survey answers and feedback texts that name no stage or touchpoint, per table.

    Parameters
    ----------
    tables : mapping
        Table kind → DataFrame or :class:`~jmtools.sources.LoadedTable` (``World.tables``,
        ``Findings.tables``).

    Returns
    -------
    dict
        ``{"surveys": n, "feedback": n}``, holding only the tables with such rows.

    Examples
    --------
    >>> sv = pd.DataFrame({"customer_id": ["a", "b"], "metric": "nps", "score": [9, 3]})
    >>> fb = pd.DataFrame({"text": ["slow", "ok"], "stage": ["Buy", None]})
    >>> unplaced_rows({"surveys": sv, "feedback": fb})
    {'surveys': 2, 'feedback': 1}
    """
    out = {}
    for kind in _WHAT:
        frame = _frame(tables.get(kind))
        if frame is None or not len(frame):
            continue
        named = [c for c in ("stage", "touchpoint") if c in frame.columns]
        k = len(frame) if not named else int((~frame[named].notna().any(axis=1)).sum())
        if k:
            out[kind] = k
    return out


def unplaced_sentence(counts: dict[str, int], *, everything: bool = False) -> str:
    """One sentence on the rows of :func:`unplaced_rows`: why they are not on the emotion curve.

    Parameters
    ----------
    counts : dict
        The output of :func:`unplaced_rows`.
    everything : bool, default False
        True when these are all the folder's survey answers and feedback texts.

    Returns
    -------
    str
        Empty when ``counts`` is.

    Examples
    --------
    >>> print(unplaced_sentence({"surveys": 500, "feedback": 425}, everything=True))
    The 500 survey answers and 425 feedback texts in this folder name no stage or touchpoint, so they cannot be placed on the emotion curve.
    """
    parts = [f"{n:,} {_WHAT[k][n != 1]}" for k, n in counts.items()]
    if not parts:
        return ""
    one = sum(counts.values()) == 1
    return (f"{'The ' if everything else ''}{listed(parts, 'and')}{' in this folder' if everything else ''} "
            f"name{'s' if one else ''} no stage or touchpoint, so {'it' if one else 'they'} cannot be placed "
            "on the emotion curve.")


def _table(kp: pd.DataFrame) -> pd.DataFrame:
    """The KPI rows as the report shows them: measure, value, interval, answers, customers."""
    def text(row, col):
        if row["kpi"] in ("csat_top2box", "ces_low_effort"):
            return number(row[col], unit="%")
        return number(row[col], digits=1 if row["kpi"] == "nps" else 2)

    hidden = kp["suppressed"] if "suppressed" in kp else pd.Series(False, index=kp.index)
    out = pd.DataFrame({
        "measure": kp["kpi"].map(lambda k: _NAMES.get(k, k)),
        "value": [text(r, "value") for _, r in kp.iterrows()],
        "95% interval": [f"{text(r, 'ci_low')} to {text(r, 'ci_high')}" for _, r in kp.iterrows()],
        "answers": [int(v) if v == v else v for v in kp["n"]],
        "customers": [int(v) if v == v else v for v in kp["n_customers"]]}, index=kp.index)
    return out.astype(object).mask(hidden, "hidden").assign(measure=out["measure"])


def show_relationship_kpis(kp: pd.DataFrame | None, *, who: str = "all customers", html: bool = True,
                           record_figures: bool = True, display=None) -> pd.DataFrame | None:
    """Show the scores of the answers that name no step, said to be "not tied to a step".

    Parameters
    ----------
    kp : pandas.DataFrame or None
        :func:`jmtools.analyses.kpis.relationship_kpis` (disclosed: ``suppressed``, as
        ``Findings.relationship_kpis``); nothing is shown for None or no row.
    who : str
        Whose answers ("all customers", a persona).
    html : bool, default True
        An HTML table (the report) or the frame (a notebook).
    record_figures : bool, default True
        Record the NPS as the figure ``nps_overall`` (headline).
    display : callable, optional
        How to show (default IPython's ``display``).

    Returns
    -------
    pandas.DataFrame or None
        The table shown.

    Examples
    --------
    >>> sv = pd.DataFrame({"customer_id": list("abcde"), "metric": "nps", "score": [10, 9, 7, 3, 0]})
    >>> shown = show_relationship_kpis(kpi_tools.relationship_kpis(sv), html=False, record_figures=False,
    ...                                display=lambda *o: None)
    >>> shown[["measure", "value", "answers"]]
                measure value answers
    0  NPS (−100..+100)   0.0       5
    """
    if kp is None or not len(kp):
        return None
    if display is None:
        from IPython.display import display
    table = _table(kp)
    # each question's own answers: a response answers each once at most, so no one n is the survey's (D205, D210)
    per = pd.to_numeric(kp["n"], errors="coerce").groupby(kp.get("metric", kp["kpi"]), sort=False).max().dropna()
    label = NOT_TIED[0].upper() + NOT_TIED[1:]
    if len(per) > 1:
        counts = listed([f"{count_words(v)} {_QUESTIONS.get(m, m)} answers" for m, v in per.items()], "and")
        display(md("**{label}.** Survey answers from {who} name no stage or touchpoint (a relationship survey, "
                   "such as an NPS tool's): {counts} (each question's own: a response need not answer every "
                   "question), scored over all of them, not at a stage.", label=label, who=who, counts=counts))
    else:
        display(md("**{label}.** {n} survey answers from {who} name no stage or touchpoint (a relationship "
                   "survey, such as an NPS tool's): scored over all of them, not at a stage.", label=label,
                   n=count_words(per.iloc[0]).capitalize() if len(per) else "Its", who=who))
    display(html_table(table) if html else table)
    if kp.attrs.get("note"):
        display(md("{note}", note=kp.attrs["note"]))
    shown = kp[(kp["kpi"] == "nps") & ~kp.get("suppressed", pd.Series(False, index=kp.index)).astype(bool)]
    for row in shown.itertuples():
        if record_figures and row.value == row.value:
            record("nps_overall", float(row.value), label=f"NPS, {NOT_TIED}", n=int(row.n),
                   ci=(float(row.ci_low), float(row.ci_high)), fmt="+.0f", headline=True)
    return table


def show_survey_scores(surveys, journey, *, evidence=None, persona: str = "all") -> pd.DataFrame | None:
    """Notebook 02's survey scores: per touchpoint (or stage) where answers name one, with the
    answers to each question there (``csat answers``, …), and the answers that name none scored
    over all of them ("not tied to a step").

    Parameters
    ----------
    surveys : LoadedTable or DataFrame
        The folder's surveys.
    journey : Journey
    evidence : Evidence, optional
        For ``persona`` (the persona of each answering customer).
    persona : str, default "all"
        ``"all"`` or one persona.

    Returns
    -------
    pandas.DataFrame or None
        The KPIs per step shown (disclosed), or None when no answer names a step.
    """
    from IPython.display import display

    frame = _frame(surveys)
    by = "persona" if persona != "all" else None
    level = next((c for c in ("touchpoint", "stage") if c in frame.columns), None)
    scores = None
    if level is not None and frame[level].notna().any():
        scores = kpi_tools.survey_kpis(frame, level=level, journey=journey, evidence=evidence, by=by)
        if by:
            scores = scores[scores["persona"] == persona]
        scores = disclosed_kpis(scores)  # a step answered by 1–4 customers: no score
        # each question's answers: a response answers up to one of each, so no one n is the step's (D205)
        answers = scores.pivot_table(index=level, columns="metric", values="n", aggfunc="max", sort=False,
                                     dropna=False)
        display(_with_intervals(scores, level).join(answers.rename(columns=lambda m: f"{m} answers")))
        show_disclosure_notes(scores)
    else:
        display(md("No survey answer names a stage or touchpoint, so there are no scores per step."))
    rel = kpi_tools.relationship_kpis(frame, evidence=evidence, by=by)
    if by and len(rel):
        rel = rel[rel["persona"] == persona]
    if len(rel):
        show_relationship_kpis(disclosed_kpis(rel.reset_index(drop=True)), html=False,
                               who="all customers" if persona == "all" else persona)
    return scores


def show_feeling_basis(findings, *, display=None) -> str:
    """Say what the focus's feeling is computed from, and which answers and texts are not on the
    curve because they name no step (a run of :func:`jmtools.pipeline.run`).

    Returns
    -------
    str
        The sentences shown (empty when nothing is said).
    """
    if display is None:
        from IPython.display import display
    ev = findings.emotion_evidence
    said = []
    if ev is not None and "used" in ev:
        if not findings.focus.everyone and "persona" in ev:
            ev = ev[ev["persona"] == findings.focus.persona]
            ev.attrs = {**ev.attrs, "languages": {}, "dropped": {}}   # counted on everybody's texts: said below
        if len(ev):
            unit = unit_of(findings)                                  # accounts' visits (D262)
            said.append(feeling_basis(ev, unit=(unit.one, unit.many)))
        if ev is not findings.emotion_evidence:
            said.append(language_note(findings.emotion_evidence.attrs.get("languages", {}),
                                      what="feedback texts of all customers"))
            said.append(complaint_note(findings.emotion_evidence, what="feedback texts of all customers"))
    away = unplaced_rows(findings.tables)
    if away:
        every = all(len(findings.tables[k]) == n for k, n in away.items())
        sentence = unplaced_sentence(away, everything=every)
        said.append(sentence + (" The curve is measured from behaviour instead."
                                if findings.curve_basis == "behaviour" else ""))
    said = [x for x in said if x]
    if not said:
        return ""
    text = " ".join(said)
    display(md("{text}", text=text))
    return text


#: Where the rows that name no step still count, by table (notebook 03's note).
_ELSEWHERE = {"surveys": "notebook 02 scores the survey answers over all of them (not tied to a step)",
              "feedback": "notebook 04 finds themes in the feedback texts"}


def show_unplaced_curve(tables, *, behaviour: bool, display=None) -> bool:
    """Notebook 03: say which survey answers and feedback texts name no stage or touchpoint, what
    the curve rests on when none does, where they still count and how to place them (D132, D156).

    Parameters
    ----------
    tables : mapping
        Table kind → DataFrame or :class:`~jmtools.sources.LoadedTable` (``World.tables``).
    behaviour : bool
        Whether there are events to measure the curve from instead.
    display : callable, optional
        How to show (default IPython's ``display``).

    Returns
    -------
    bool
        True when there are survey answers or feedback texts and none names a step: nothing they
        say can be placed on the curve. Nothing is shown when every row names one.

    Examples
    --------
    >>> sv = pd.DataFrame({"customer_id": ["a", "b"], "metric": "nps", "score": [9, 3]})
    >>> shown = []
    >>> show_unplaced_curve({"surveys": sv}, behaviour=True, display=lambda m: shown.append(m.data))
    True
    >>> print(shown[0].replace(chr(92), ""))  # without Markdown's escapes  # doctest: +NORMALIZE_WHITESPACE
    The 2 survey answers in this folder name no stage or touchpoint, so they cannot be placed on the
    emotion curve. The curve below is measured from behaviour instead (abandonment, error events,
    repeated contacts), which can only pull it down: read it as friction. They still count elsewhere:
    notebook 02 scores the survey answers over all of them (not tied to a step). To place them on the
    curve, give each a `stage` or `touchpoint` column naming one of the journey's (docs/data.md).
    """
    away = unplaced_rows(tables)
    if not away:
        return False
    if display is None:
        from IPython.display import display
    given = {k: _frame(tables.get(k)) for k in _WHAT}
    given = {k: len(f) for k, f in given.items() if f is not None and len(f)}
    nowhere = given == away
    said = unplaced_sentence(away, everything=nowhere)
    if nowhere:
        said += (" The curve below is measured from behaviour instead (abandonment, error events, repeated "
                 "contacts), which can only pull it down: read it as friction." if behaviour else "")
    many = sum(away.values()) > 1
    said += (f" {'They' if many else 'It'} still count{'' if many else 's'} elsewhere: "
             f"{listed([_ELSEWHERE[k] for k in away], 'and')}.")
    display(md("{said} To place {them} on the curve, give each a `stage` or `touchpoint` column naming one of "
               "the journey's (docs/data.md).", said=said, them="them" if many else "it"))
    return nowhere


def _with_intervals(scores: pd.DataFrame, level: str) -> pd.DataFrame:
    """Each KPI per step beside its 95% interval ("3.13–3.39"; a share in %, as Wilson's), a
    missing one "–" (D226: the table showed the values alone, "NaN" where no one answered).

    Examples
    --------
    >>> s = pd.DataFrame({"stage": ["Booking", "Booking", "Referral"], "kpi": ["csat_mean", "csat_top2box", "csat_mean"],
    ...                   "value": [3.46, 0.54, None], "ci_low": [3.08, 0.404, None], "ci_high": [3.8, 0.67, None],
    ...                   "method": ["bootstrap", "wilson", "bootstrap"]})
    >>> _with_intervals(s, "stage").to_dict("index")["Booking"]
    {'csat_mean': '3.46', 'csat_mean 95% CI': '3.08–3.80', 'csat_top2box': '54.0%', 'csat_top2box 95% CI': '40.4%–67.0%'}
    >>> _with_intervals(s, "stage").loc["Referral", "csat_mean 95% CI"]
    '–'
    """
    table = pd.DataFrame(index=pd.Index(list(dict.fromkeys(scores[level])), name=level))
    for kpi, rows in scores.groupby("kpi", sort=False):
        rows = rows.set_index(level)
        unit = "%" if (rows["method"] == "wilson").all() else ""
        say = (lambda v: number(v, unit=unit)) if unit else (lambda v: number(v, digits=2))
        table[kpi] = rows["value"].map(say)
        table[f"{kpi} 95% CI"] = pd.Series([f"{say(lo)}–{say(hi)}" if pd.notna(lo) and pd.notna(hi) else "–"
                                            for lo, hi in zip(rows["ci_low"], rows["ci_high"])], index=rows.index)
    return table.fillna("–")
