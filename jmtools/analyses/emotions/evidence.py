"""Emotion evidence: every measured or reported piece of evidence as one valence per row.

:func:`emotion_evidence` stacks surveys, feedback and (opt-in) behaviour into the evidence
frame the rest of :mod:`jmtools.analyses.emotions` reads: one row per piece of evidence, with
its stage (from the touchpoint where only that is given), persona, valence on the −2..+2
scale (:mod:`jmtools.analyses.valence` maps each kind), source and evidence label.
"""

from __future__ import annotations

import warnings
from typing import Mapping, Sequence

import numpy as np
import pandas as pd

from jmtools.analyses.language import language_note
from jmtools.analyses.disclosure import count_words
from jmtools.analyses.valence import COMPLAINT_UNRATED, behaviour_valence, feedback_valence, survey_valence
from jmtools.core.errors import DataError, ParameterError, Problem, suggest

__all__ = ["EVIDENCE_COLUMNS", "emotion_evidence", "feeling_basis", "complaint_note", "journey_name_notes",
           "journey_places"]

#: Columns of :func:`emotion_evidence`.
EVIDENCE_COLUMNS = ["customer_id", "timestamp", "stage", "touchpoint", "persona", "valence",
                    "source", "evidence", "obs_id", "used", "first_seen", "carried_on"]


def _stages_of(journey) -> list[str]:
    if isinstance(journey, (list, tuple)):
        return list(journey)
    return list(journey.stage_names)


def _touchpoint_stages(journey) -> dict[str, str]:
    return {t.name: t.stage for t in getattr(journey, "touchpoints", [])}


def _resolve_stage(frame: pd.DataFrame, journey, what: str, stage_col: str,
                   touchpoint_col: str, left: str = "used without it") -> tuple[pd.Series, pd.Series, dict, list]:
    """Stage and touchpoint per row, and the rows' problems counted; stage from the touchpoint
    where only that is given.

    Names are matched to the journey's ignoring case and spaces around them (``checkout``).
    A name the journey does not have is left out of that row (counted, with a warning that
    suggests the closest name per name), even when no row names one it has (D192: a survey
    named "Onboarding survey" is no error that stops a report; its answers are left out and
    said). A row whose stage differs from its touchpoint's stage in the
    journey takes the touchpoint's (the journey file is the current map; counted and warned).
    """
    stages = _stages_of(journey)
    tp_stage = _touchpoint_stages(journey)
    n = len(frame)
    tp = (frame[touchpoint_col].astype("string") if touchpoint_col in frame
          else pd.Series(pd.NA, index=frame.index, dtype="string"))
    st = (frame[stage_col].astype("string") if stage_col in frame
          else pd.Series(pd.NA, index=frame.index, dtype="string"))
    counted: dict[str, int] = {}
    said: list[str] = []            # the same in a sentence a report shows (journey_name_notes)
    resolved = []
    for name, values, known, role in ((stage_col, st, stages, "stage"),
                                      (touchpoint_col, tp, list(tp_stage), "touchpoint")):
        if not (role == "stage" or tp_stage):
            resolved.append(values)
            continue
        by_key = {k.strip().casefold(): k for k in known}
        matched = values.str.strip().str.casefold().map(by_key).astype("string")
        unknown = values.notna() & matched.isna()
        if unknown.any():
            names = sorted(set(values[unknown]))
            hints = {x: suggest(x, known) for x in names}      # each name its own closest name
            problem = Problem(
                f"{len(names)} {role} name(s) are not in the journey: "
                f"{', '.join(map(repr, names[:5]))}{' …' if len(names) > 5 else ''} "
                f"(journey {role}s: {', '.join(known)})",
                fix=_did_you_mean(hints) + f"use the journey's {role} names, or add the {role} to the journey file",
                source=what, column=name)
            counted[f"{role} not in the journey"] = int(unknown.sum())
            k = int(unknown.sum())
            said.append(f"{k:,} row{'s' if k > 1 else ''} name{'' if k > 1 else 's'} {'a ' if len(names) == 1 else ''}"
                        f"{role}{'' if len(names) == 1 else 's'} the journey does not have "
                        f"({_named_with_hints(hints)}): {left}")
            warnings.warn(f"{what}: {int(unknown.sum())} rows left without their {role} — "
                          f"{problem.message}; {problem.fix}", UserWarning, stacklevel=4)
        resolved.append(matched)
    st, tp = resolved
    from_tp = tp.map(tp_stage).astype("string") if tp_stage else st.iloc[:0].reindex(st.index)
    conflict = st.notna() & from_tp.notna() & (st != from_tp)
    if conflict.any():
        i = int(np.flatnonzero(conflict.to_numpy(dtype=bool))[0])
        counted["stage taken from the touchpoint (the row gave another)"] = int(conflict.sum())
        k = int(conflict.sum())
        said.append(f"{k:,} row{'s' if k > 1 else ''} give{'' if k > 1 else 's'} a stage that differs from "
                    "the touchpoint's stage in the journey: the touchpoint's stage is used")
        warnings.warn(
            f"{what}: {int(conflict.sum())} rows give a stage that differs from their touchpoint's "
            f"stage in the journey (row {i + 1}: stage {st.iloc[i]!r}, touchpoint {tp.iloc[i]!r} is in "
            f"{from_tp.iloc[i]!r}); the touchpoint's stage is used — correct the stage or "
            "touchpoint, or leave the stage empty", UserWarning, stacklevel=4)
        st = st.mask(conflict, from_tp)
    stage = st.fillna(from_tp) if n else st
    return stage, tp, counted, said


def _did_you_mean(hints: dict) -> str:
    """``did you mean 'First bill' for '1st bill', 'Compare plans' for 'COMPARE'? `` (every name
    that has a close journey name; one name alone: ``did you mean 'Buy'? ``)."""
    pairs = [(x, h) for x, h in hints.items() if h]
    if not pairs:
        return ""
    if len(hints) == 1:
        return f"did you mean {pairs[0][1]!r}? "
    return "did you mean " + ", ".join(f"{h!r} for {str(x)[:40]!r}" for x, h in pairs) + "? "


def _named_with_hints(hints: dict, limit: int = 5) -> str:
    """The unknown names, each with its closest journey name: ``'1st bill' → 'First bill'?,
    'Billing', … 5 more``; one name: ``'Buyy'; did you mean 'Buy'?``."""
    if len(hints) == 1:
        [(x, h)] = hints.items()
        return repr(str(x)[:40]) + (f"; did you mean {h!r}?" if h else "")
    shown = [repr(str(x)[:40]) + (f" → {h!r}?" if h else "") for x, h in list(hints.items())[:limit]]
    more = len(hints) - limit
    return ", ".join(shown) + (f", … {more} more" if more > 0 else "")


def journey_name_notes(journey, table, *, stage_col: str = "stage",
                       touchpoint_col: str = "touchpoint", left: str = "used without it") -> list[str]:
    """Sentences on the rows of ``table`` whose stage or touchpoint names are not the journey's.

    :func:`emotion_evidence` uses such rows without the unknown name (and a row's touchpoint
    over a stage that contradicts it) and warns; a report shows no warnings, so it shows these.

    Parameters
    ----------
    journey : Journey
        The journey whose stage and touchpoint names count.
    table : DataFrame, LoadedTable, Ibis or Spark table
        Survey answers, feedback or tickets, with ``stage_col`` and/or ``touchpoint_col``.
    stage_col, touchpoint_col : str
        The columns that name them.
    left : str, default "used without it"
        What becomes of a row naming an unknown one, ending its sentence (survey answers: they
        count in no score, neither at a stage nor as one not tied to a step).

    Returns
    -------
    list of str
        One sentence per kind of mismatch, with the count of rows, and one for rows that name
        neither; empty when every row names a stage or touchpoint of the journey. A table
        none of whose names the journey has gets its sentence too (D192).

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.journey import Journey
    >>> j = Journey.from_yaml("name: j\\nstages: [{name: Buy}, {name: Use}]\\n"
    ...                       "touchpoints: [{name: Checkout, stage: Buy, channel: digital, events: [pay]}]")
    >>> journey_name_notes(j, pd.DataFrame({"touchpoint": ["Checkout", "checkout ", "Chekout"]}))
    ["1 row names a touchpoint the journey does not have ('Chekout'; did you mean 'Checkout'?): used without it"]
    """
    frame = _as_pandas(table)
    cols = [c for c in (stage_col, touchpoint_col) if c in frame.columns]
    if not len(frame):
        return []
    named = frame[cols].notna().any(axis=1) if cols else pd.Series(False, index=frame.index)
    k = int((~named).sum())
    nowhere = [f"{k:,} row{'s' if k > 1 else ''} name{'' if k > 1 else 's'} no stage or touchpoint: not placed "
               "on the journey (left out of the emotion curve and the pain points)"] if k else []
    if not cols:
        return nowhere
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return _resolve_stage(frame[cols], journey, "", stage_col, touchpoint_col, left)[3] + nowhere


def journey_places(journey, frame: pd.DataFrame, *, stage_col: str = "stage",
                   touchpoint_col: str = "touchpoint") -> pd.DataFrame:
    """``frame`` with its stage and touchpoint written as the journey names them.

    Names match ignoring case and spaces; a row with a touchpoint and no stage gets the
    touchpoint's stage; a stage that contradicts the touchpoint gives way to it; a name the
    journey lacks is left blank (:func:`journey_name_notes` says so), as in
    :func:`emotion_evidence`. Feedback exported with a touchpoint only (a review tag) is then
    placed at its stage wherever stages are read.

    Parameters
    ----------
    journey : Journey
        The journey whose names count.
    frame : pandas.DataFrame
        Rows with ``stage_col`` and/or ``touchpoint_col``; not changed.
    stage_col, touchpoint_col : str
        The columns that name them.

    Returns
    -------
    pandas.DataFrame
        A copy with both columns (the stage column added when only touchpoints were given).

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.journey import Journey
    >>> j = Journey.from_yaml("name: j\\nstages: [{name: Buy}, {name: Use}]\\n"
    ...                       "touchpoints: [{name: Checkout, stage: Buy, channel: digital, events: [pay]}]")
    >>> journey_places(j, pd.DataFrame({"text": ["slow", "ok"], "touchpoint": ["checkout", None]}))
       text touchpoint stage
    0  slow   Checkout   Buy
    1    ok       <NA>  <NA>
    """
    cols = [c for c in (stage_col, touchpoint_col) if c in frame.columns]
    if not cols:
        return frame.copy()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        stage, tp, _, _ = _resolve_stage(frame, journey, "", stage_col, touchpoint_col)
    out = frame.assign(**{stage_col: stage})
    return out.assign(**{touchpoint_col: tp}) if touchpoint_col in frame.columns else out


def _as_pandas(table):
    """A pandas DataFrame from a DataFrame, a LoadedTable, an Ibis table or a Spark DataFrame."""
    if table is None or isinstance(table, pd.DataFrame):
        return table
    if hasattr(table, "events") and hasattr(table, "stages"):  # jmtools.evidence.Evidence
        table = table.events
    if hasattr(table, "to_pandas"):
        return table.to_pandas()
    if hasattr(table, "toPandas"):
        return table.toPandas()
    raise ParameterError("table", type(table).__name__,
                         expected="a pandas DataFrame, a LoadedTable, an Ibis or Spark table")


def _customer_steps(events):
    """Prepared evidence's events at a stage, without the company's own contacts: a mailing
    received is neither a step the customer took nor where they abandoned (an event at no stage
    is the evidence's coverage, said where the evidence is, not a valence row left out)."""
    if not hasattr(events, "mapped_stages"):
        return events
    t = events.events
    company = getattr(events, "company_touchpoints", None)
    t = t.filter(t.stage.notnull())
    return t.filter(t.touchpoint.isnull() | ~t.touchpoint.isin(company)) if company else t


def _company_steps(events, customer_col: str, stage_col: str) -> pd.DataFrame | None:
    """The company's own contacts at a prepared evidence's funnel stages, one row per customer and
    stage with the first of them (``first_seen``): they tell whether the company carried a journey on
    past the customer's last step (D231), and when (D242)."""
    company = getattr(events, "company_touchpoints", None)
    if not hasattr(events, "mapped_stages") or not company or not events.mapped_stages:
        return None
    t = events.events
    t = t.filter(t.stage.isin(list(events.mapped_stages)) & t.touchpoint.isin(company))
    out = _as_pandas(t.group_by(["customer_id", "stage"]).agg(first_seen=t.timestamp.min()))
    return out.rename(columns={"customer_id": customer_col, "stage": stage_col})


def _valenced(name: str, frame, journey, **kw) -> pd.DataFrame:
    """Valence rows of one table (computed unless the table already has ``valence``)."""
    if "valence" in frame.columns:
        out = frame.copy()
        out.attrs["dropped"] = {}
        out["source"] = out["source"] if "source" in out else name
        out["evidence"] = out["evidence"] if "evidence" in out else "reported"
        return out
    if name == "surveys":
        return survey_valence(frame, scales=kw["scales"], metrics=kw["metrics"])
    if name == "feedback":
        return feedback_valence(frame, scorer=kw["scorer"], n_jobs=kw["n_jobs"],
                                rating_scale=kw.get("rating_scale") or (1, 5))
    stages = kw.get("behaviour_stages")
    if stages:         # a prepared evidence's funnel stages: none after the last of them is abandoned
        frame = frame[frame[kw["stage_col"]].isna() | frame[kw["stage_col"]].isin(stages)]
    return behaviour_valence(frame, stages or _stages_of(journey), rules=kw["rules"],
                             customer_col=kw["customer_col"], time_col=kw["time_col"],
                             stage_col=kw["stage_col"], company=kw.get("company"))


def _attach_personas(ev: pd.DataFrame, personas, persona_col: str,
                     customer_col: str) -> pd.DataFrame:
    if personas is None:
        ev["persona"] = ev.pop("_persona") if "_persona" in ev else pd.NA
        return ev
    if not {customer_col, "persona"} <= set(personas.columns):
        raise DataError([Problem(
            f"personas table needs columns '{customer_col}' and 'persona' — got "
            f"{', '.join(map(str, personas.columns))}",
            fix="pass the output of jmtools.personas.assign_personas (customer_id, persona)",
            source="personas")])
    table = personas[[customer_col, "persona"]].dropna().drop_duplicates()
    table = table.assign(**{customer_col: table[customer_col].astype("string")})
    ev = ev.drop(columns=["_persona"], errors="ignore")
    return ev.merge(table.rename(columns={customer_col: "customer_id"}), on="customer_id",
                    how="left")


#: Why a row at a stage is left off the curve when it names no customer (D244).
NO_CUSTOMER_REASON = "no customer (feedback about the product)"


def _evidence_part(name: str, table: pd.DataFrame, journey, *, customer_col, time_col,
                   stage_col, touchpoint_col, persona_col, **kw) -> tuple[pd.DataFrame, dict]:
    """One table's evidence rows in the common shape, and its dropped-row counts."""
    if customer_col not in table.columns:
        hint = suggest(customer_col, table.columns)
        raise DataError([Problem(f"no column {customer_col!r}", source=name, column=customer_col,
                                 fix=f"did you mean {hint!r}?" if hint else "pass customer_col=")])
    rows = _valenced(name, table, journey, customer_col=customer_col, time_col=time_col,
                     stage_col=stage_col, **kw)
    behaviour = name == "behaviour"
    stage, tp, _, _ = _resolve_stage(rows, journey, name, "stage" if behaviour else stage_col,
                                     touchpoint_col)
    cust, time = ("customer_id", "timestamp") if behaviour else (customer_col, time_col)
    part = pd.DataFrame({
        "customer_id": rows[cust].astype("string"),
        "timestamp": pd.to_datetime(rows[time]) if time in rows else pd.NaT,
        "stage": stage, "touchpoint": tp, "valence": rows["valence"].astype(float),
        "source": rows["source"].astype("string"), "evidence": rows["evidence"].astype("string"),
        "used": (rows["used"].astype("string") if "used" in rows else _used(name, rows)),
        "first_seen": pd.to_datetime(rows["first_seen"]) if "first_seen" in rows else pd.NaT,
        "carried_on": pd.to_datetime(rows["carried_on"]) if "carried_on" in rows else pd.NaT})
    if persona_col and persona_col in rows.columns:
        part["_persona"] = rows[persona_col].astype("string")
    reasons = dict(rows.attrs.get("dropped", {}))   # counted: names fixed on kept rows, warned
    reasons["no stage or touchpoint"] = int(part["stage"].isna().sum())
    reasons["no valence"] = int((part["stage"].notna() & part["valence"].isna()).sum())
    nobody = part["stage"].notna() & part["valence"].notna() & part["customer_id"].isna()
    reasons[NO_CUSTOMER_REASON] = int(nobody.sum())  # a store review: no customer's curve (D244)
    keep = part["stage"].notna() & part["valence"].notna() & ~nobody
    part = part[keep]
    part.attrs = {"languages": rows.attrs.get("languages", {})}   # feedback texts per language (D143)
    return part, {k: v for k, v in reasons.items() if v}


def _used(name: str, rows: pd.DataFrame) -> pd.Series:
    """What each piece of evidence's valence was computed from (feedback sets its own)."""
    what = {"surveys": "survey score", "behaviour": "behaviour"}.get(name, "given valence")
    return pd.Series(what, index=rows.index, dtype="string")


def _with_tickets(events, tickets, journey, *, customer_col, time_col, stage_col,
                  touchpoint_col) -> pd.DataFrame | None:
    """Events plus one ``ticket_opened`` contact event per support ticket, at its stage."""
    if tickets is None:
        return events
    stage, _, _, _ = _resolve_stage(tickets, journey, "tickets", stage_col, touchpoint_col)
    extra = pd.DataFrame({customer_col: tickets[customer_col].astype("string"),
                          time_col: pd.to_datetime(tickets[time_col]),
                          "event": "ticket_opened", stage_col: stage})
    no_stage = int(extra[stage_col].isna().sum())
    if no_stage:      # said as the tickets' rows, not as rows of the events table (D257)
        warnings.warn(f"tickets: {no_stage} rows dropped ({no_stage} ticket{'s' if no_stage != 1 else ''} "
                      "without stage or touchpoint) from the emotion curve", UserWarning, stacklevel=3)
        extra = extra[extra[stage_col].notna()]
    if events is None:
        return extra
    keep = events[[customer_col, time_col, "event", stage_col]]
    return pd.concat([keep, extra], ignore_index=True)


def emotion_evidence(journey, *, surveys: pd.DataFrame | None = None,
                     feedback: pd.DataFrame | None = None, events: pd.DataFrame | None = None,
                     tickets: pd.DataFrame | None = None,
                     behaviour_rules: Sequence[str] | None = None,
                     personas: pd.DataFrame | None = None, persona_col: str = "persona",
                     scales: Mapping | None = None, metrics: Sequence[str] | None = None,
                     scorer=None, rating_scale=(1, 5), n_jobs: int | None = -1,
                     customer_col: str = "customer_id",
                     time_col: str = "timestamp", stage_col: str = "stage",
                     touchpoint_col: str = "touchpoint") -> pd.DataFrame:
    """Stack every piece of measured or reported evidence as one valence per row.

    Parameters
    ----------
    journey : jmtools.journey.Journey or list of str
        Gives the stage order (and, for a Journey, the stage of each touchpoint).
    surveys, feedback : pandas.DataFrame, optional
        Canonical tables (a :class:`~jmtools.sources.LoadedTable`, Ibis or Spark
        table is brought to pandas first — these tables are small). A table that
        already has a ``valence`` column is used as is (bring your own mapping);
        otherwise :mod:`jmtools.analyses.valence` maps it.
    events : pandas.DataFrame or jmtools.evidence.Evidence, optional
        Events with a stage per event; used only when ``behaviour_rules`` is given. A prepared
        evidence (``jmtools.evidence.prepare(...)``) is read as the customers' own steps: its
        default funnel's stages only (``mapped_stages``: no exit or optional stage, so a customer
        whose last funnel stage is the last one has not abandoned, whatever optional or exit
        stage follows), without the company's own contacts, and without events at no stage. The
        company's contacts tell whether it carried the journey on past a customer's last own stage
        (a payment, a closure letter): that customer has not abandoned there (D231).
    tickets : pandas.DataFrame, optional
        Support tickets (``customer_id``, ``timestamp``, ``stage``/``touchpoint``); with
        ``behaviour_rules`` each ticket is a contact at its stage (``ticket_opened``),
        so two tickets at one stage are repeated contacts.
    behaviour_rules : sequence of str, optional
        Opt into behaviour evidence: any of ``abandonment``, ``errors``,
        ``repeated_contacts`` (see :func:`jmtools.analyses.valence.behaviour_valence`).
    personas : pandas.DataFrame, optional
        ``customer_id``, ``persona`` (from ``jmtools.personas.assign_personas``);
        or leave None and keep a ``persona_col`` column in the tables.
    scales, metrics
        Survey scales and metric selection (:func:`jmtools.analyses.valence.survey_valence`).
    scorer, n_jobs
        Text scorer and processes (:func:`jmtools.analyses.sentiment.score_texts`).
    rating_scale : (low, high), default (1, 5)
        Scale of the feedback's ``rating`` column: a rated row's valence comes from its
        rating, an unrated row's from its text (:func:`jmtools.analyses.valence.feedback_valence`).
    customer_col, time_col, stage_col, touchpoint_col : str
        Column roles in the input tables.

    Returns
    -------
    pandas.DataFrame
        ``customer_id``, ``timestamp``, ``stage`` (ordered categorical, journey order),
        ``touchpoint``, ``persona`` (NA when the customer has none), ``valence``,
        ``source``, ``evidence``, ``obs_id`` (one id per piece of evidence; a
        customer in two personas gives two rows with the same id) and ``used`` (what the
        valence was computed from: "survey score", "rating", "text (VADER)",
        "text (calibrated)", "behaviour"), ``first_seen`` (a behaviour row's first event at its
        stage — its ``timestamp`` is the last; NaT for other rows), ``carried_on`` (a behaviour row at
        a customer's last own stage whose journey the company's contacts carried on, D231: their first
        contact at a later stage — the step :func:`~jmtools.analyses.emotions.open_at_end` times; NaT
        elsewhere, D242).
        ``attrs["dropped"]`` counts rows not used, per table and reason (an unrated feedback
        text not in English has no valence: "not in English (no rating)");
        ``attrs["languages"]`` counts the feedback texts no text score read, per language
        (:func:`jmtools.analyses.valence.feedback_valence`), else it is empty.

    Examples
    --------
    >>> surveys = pd.DataFrame({"customer_id": ["a", "b"], "metric": ["csat", "csat"],
    ...     "score": [5, 2], "stage": ["Buy", None], "touchpoint": [None, "Cart"],
    ...     "timestamp": pd.to_datetime(["2026-01-02", "2026-01-03"])})
    >>> import warnings
    >>> with warnings.catch_warnings(record=True) as caught:   # one row has no stage
    ...     warnings.simplefilter("always")
    ...     ev = emotion_evidence(["Browse", "Buy"], surveys=surveys)
    >>> print(caught[0].message)
    left off the emotion curve, naming no stage or touchpoint: surveys: 1 row
    >>> ev[["customer_id", "stage", "valence", "source", "evidence"]]
      customer_id stage  valence       source  evidence
    0           a   Buy      2.0  survey:csat  reported
    >>> ev.attrs["dropped"]
    {'surveys': {'no stage or touchpoint': 1}}
    """
    stages = _stages_of(journey)
    behaviour = None
    if behaviour_rules:
        behaviour = _with_tickets(_as_pandas(_customer_steps(events)), _as_pandas(tickets), journey,
                                  customer_col=customer_col, time_col=time_col,
                                  stage_col=stage_col, touchpoint_col=touchpoint_col)
    tables = {"surveys": _as_pandas(surveys), "feedback": _as_pandas(feedback),
              "behaviour": behaviour}
    personas = _as_pandas(personas)
    if all(t is None for t in tables.values()):
        raise ParameterError("surveys/feedback/events", None,
                             expected="at least one evidence table",
                             fix="pass surveys=, feedback= or events= with behaviour_rules=")
    parts, dropped = [], {}
    kw = dict(scales=scales, metrics=metrics, scorer=scorer, n_jobs=n_jobs, rules=behaviour_rules,
              rating_scale=rating_scale,
              behaviour_stages=getattr(events, "mapped_stages", None),
              company=_company_steps(events, customer_col, stage_col) if behaviour_rules else None,
              customer_col=customer_col, time_col=time_col, stage_col=stage_col,
              touchpoint_col=touchpoint_col, persona_col=persona_col if personas is None else None)
    for name, table in tables.items():
        if table is not None:
            part, dropped[name] = _evidence_part(name, table, journey, **kw)
            parts.append(part)
    languages = next((p.attrs["languages"] for p in parts if p.attrs.get("languages")), {})
    ev = pd.concat(parts, ignore_index=True)
    ev["obs_id"] = np.arange(len(ev))
    ev = _attach_personas(ev, personas, persona_col, customer_col)
    ev["stage"] = pd.Categorical(ev["stage"], categories=stages, ordered=True)
    ev["persona"] = ev["persona"].astype("string")
    ev = ev[EVIDENCE_COLUMNS].reset_index(drop=True)
    ev.attrs["dropped"] = {k: v for k, v in dropped.items() if v}
    ev.attrs["languages"] = languages
    lost = {k: v for k, v in dropped.items() if v.get("no stage or touchpoint")}
    if lost:
        warnings.warn("left off the emotion curve, naming no stage or touchpoint: " + "; ".join(
            f"{k}: {v['no stage or touchpoint']:,} row{'' if v['no stage or touchpoint'] == 1 else 's'}"
            for k, v in lost.items()), UserWarning, stacklevel=2)
    return ev


def feeling_basis(evidence: pd.DataFrame, *, unit: tuple[str, str] = ("customer", "customers")) -> str:
    """One sentence for a report: what the emotion ("feeling") was computed from.

    Parameters
    ----------
    evidence : pandas.DataFrame
        The output of :func:`emotion_evidence` (its ``used`` and ``obs_id`` columns, and
        ``attrs["languages"]``: feedback texts not in English are said, with their languages).
    unit : tuple of str, default ("customer", "customers")
        Whose visits behaviour judges, singular and plural: ``("account", "accounts")`` when a
        journey is an account's (D256, D262).

    Returns
    -------
    str
        For no evidence, a sentence saying that nothing was computed; for behaviour alone, that
        the curve is friction and no feeling is measured.

    Examples
    --------
    >>> ev = pd.DataFrame({"obs_id": [0, 1, 2, 3], "used": ["survey score", "rating",
    ...                                                     "text (VADER)", "rating"]})
    >>> print(feeling_basis(ev))
    Feeling is computed from 4 pieces of evidence: 2 ratings given with feedback, 1 survey score, 1 feedback text scored by VADER (a lexicon score of 0 is often not neutral: a text with no sentiment word scores 0).
    >>> ev.attrs["languages"] = {"en": 3, "de": 2}
    >>> print(feeling_basis(ev))  # doctest: +ELLIPSIS
    Feeling is computed from 4 pieces ... scores 0). 2 of 5 feedback texts are not in English (German 2): the lexicon reads English only, so they carry no feeling score; their ratings, where given, still count.
    >>> print(feeling_basis(pd.DataFrame({"obs_id": [0, 1], "used": ["rating", "text (request, German)"]})))
    Feeling is computed from 2 pieces of evidence: 1 rating given with feedback, 1 feedback text in German read as a request to correct, fix or refund (a complaint: no score reads German).
    >>> print(feeling_basis(pd.DataFrame({"obs_id": [0, 1], "used": "behaviour"})))
    No feeling is measured: the curve is friction, computed from 2 customers' visits to a stage judged from behaviour (0 where nothing went wrong, lower for abandonment, errors and repeated contacts).
    >>> feeling_basis(pd.DataFrame({"obs_id": [0], "used": "behaviour"}), unit=("account", "accounts")).split(" (")[0]
    "No feeling is measured: the curve is friction, computed from 1 account's visit to a stage judged from behaviour"
    """
    names = {"rating": ("rating given with feedback", "ratings given with feedback"),
             "survey score": ("survey score", "survey scores"),
             "text (VADER)": ("feedback text scored by VADER", "feedback texts scored by VADER"),
             "text (calibrated)": ("feedback text scored by a model calibrated on the ratings",
                                   "feedback texts scored by a model calibrated on the ratings"),
             "behaviour": (f"{unit[0]}'s visit to a stage judged from behaviour",
                           f"{unit[1]}' visits to a stage judged from behaviour")}
    ev = evidence.drop_duplicates("obs_id") if "obs_id" in evidence else evidence
    if not len(ev):       # every answer and text named no step (D132): nothing to compute it from
        return "No feeling is computed: no piece of evidence names a stage or touchpoint of the journey."
    counts = ev["used"].astype("string").fillna("given valence").value_counts()
    for k in (k for k in counts.index if k.startswith("text (request, ")):    # "Bitte korrigieren …" (D266)
        said_in = k.removeprefix("text (request, ").rstrip(")")
        names[k] = tuple(f"feedback {w} in {said_in} read as {r} to correct, fix or refund (a complaint: no score reads "
                         f"{said_in})" for w, r in (("text", "a request"), ("texts", "requests")))
    parts = [f"{n:,} {names.get(k, (k, k))[n != 1]}" for k, n in counts.items()]
    note = (" (a lexicon score of 0 is often not neutral: a text with no sentiment word scores 0)"
            if "text (VADER)" in counts else "")
    if set(counts.index) == {"behaviour"}:    # friction in what customers did: no feeling measured (D194)
        said = (f"No feeling is measured: the curve is friction, computed from {parts[0]} (0 where nothing "
                "went wrong, lower for abandonment, errors and repeated contacts).")
    else:
        said = f"Feeling is computed from {len(ev):,} pieces of evidence: {', '.join(parts)}{note}."
    return " ".join(x for x in (said, language_note(evidence.attrs.get("languages", {})),
                                complaint_note(evidence)) if x)


def complaint_note(evidence: pd.DataFrame, *, what: str = "feedback texts") -> str:
    """One sentence: the unrated feedback texts from a complaint channel, left off the curve (D176).

    Parameters
    ----------
    evidence : pandas.DataFrame
        The output of :func:`emotion_evidence` (its ``attrs["dropped"]``).
    what : str, default "feedback texts"
        What the texts are, in the sentence.

    Returns
    -------
    str
        Empty when no such text was left out.

    Examples
    --------
    >>> ev = pd.DataFrame({"valence": [1.0]})
    >>> ev.attrs["dropped"] = {"feedback": {"from a complaint channel (no rating)": 208}}
    >>> print(complaint_note(ev))
    208 feedback texts from a complaint channel (their source says so) have no rating and are left off the curve: a complaint says that something went wrong, not how it felt, and its words (often an agent's note) can read as calm or even glad; they count as complaints in the themes and in the pain points' complaint signal.
    """
    n = int(evidence.attrs.get("dropped", {}).get("feedback", {}).get(COMPLAINT_UNRATED, 0))
    if not n:
        return ""
    return (f"{count_words(n)} {what} from a complaint channel (their source says so) have "
            "no rating and are left off the curve: a complaint says that something went wrong, not how it felt, "
            "and its words (often an agent's note) can read as calm or even glad; they count as complaints in "
            "the themes and in the pain points' complaint signal.")
