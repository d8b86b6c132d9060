"""Empathy map content: what a persona says, thinks, does and feels — per stage or across the
journey.

:func:`empathy_cells` collects the content (compute): *thinks* from the stage's thoughts,
*does* from its actions, *feels* from its feelings, and *says* from customers' own words —
quotes passed in (e.g. feedback texts of the persona's customers, masked for personal data,
from :func:`feedback_quotes`) and the persona card's quote.
:func:`jmtools.charts.empathy.empathy_chart` draws the four quadrants;
:func:`jmtools.charts.empathy.empathy_map` does both.
"""

from __future__ import annotations

from jmtools.analyses.privacy import known_ids, known_names, mask_text
from jmtools.analyses.textprep import own_words
from jmtools.core.errors import DataError, ParameterError, Problem, suggest

__all__ = ["QUADRANTS", "EMPATHY_COLUMNS", "empathy_cells", "feedback_quotes"]

#: Quadrants in drawing order (top-left, top-right, bottom-left, bottom-right) with titles.
QUADRANTS = {"says": "Says", "thinks": "Thinks", "does": "Does", "feels": "Feels"}

#: Columns of the frame :func:`empathy_cells` returns.
EMPATHY_COLUMNS = ["quadrant", "stage", "item", "text", "evidence", "source"]

_LANE_OF = {"thinks": "thoughts", "does": "actions", "feels": "feelings"}


def empathy_cells(journey, *, persona: str | None, stage: str | None = None, quotes=None,
                  max_quotes: int = 3, text_col: str = "text", stage_col: str = "stage",
                  persona_col: str = "persona", names=None):
    """The content of an empathy map for one persona, at one stage or across the journey.

    Parameters
    ----------
    journey : Journey
        The map.
    persona : str or None
        The persona (claims about other personas are left out); None when the journey has
        no personas.
    stage : str, optional
        One stage; default every stage (items keep their stage).
    quotes : pandas.DataFrame, optional
        Customers' own words for *says*: a ``text`` column and optionally ``stage``,
        ``persona`` and ``source``; rows are used in the given order (rank them first).
        Texts are masked for e-mail addresses, phone and card numbers.
    max_quotes : int, default 3
        Quotes shown per stage.
    text_col, stage_col, persona_col : str
        Column roles in ``quotes``.
    names : iterable of str, optional
        The surnames the data set names in full, learned once by
        :func:`~jmtools.analyses.privacy.known_names` over all of ``quotes``' texts (or over a
        wider set, e.g. all the feedback): each stands masked where it stands alone. Pass them
        when drawing several maps from the same quotes; by default they are learned from
        ``quotes`` on every call (about 0.25 CPU-s per 1,000 quotes; D239).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`EMPATHY_COLUMNS`: ``quadrant`` (ordered categorical of
        :data:`QUADRANTS`), ``stage`` (ordered categorical in journey order; missing for
        the persona's card quote), ``item`` (position within quadrant), ``text``,
        ``evidence`` (measured / reported / assumed) and ``source``.

    Examples
    --------
    >>> from jmtools.journey import Journey
    >>> j = Journey.from_yaml('''
    ... name: Demo
    ... personas: [{name: Ben, quote: "Cheap, please."}]
    ... stages:
    ...   - {name: Buy, actions: [Pays], thoughts: [Is it safe?],
    ...      feelings: [{text: Nervous, evidence: reported}]}
    ... ''')
    >>> empathy_cells(j, persona="Ben")[["quadrant", "stage", "text", "evidence"]]
      quadrant stage            text  evidence
    0     says   NaN  “Cheap, please.”   assumed
    1   thinks   Buy     Is it safe?   assumed
    2     does   Buy            Pays   assumed
    3    feels   Buy         Nervous  reported
    """
    import pandas as pd

    stages = _stages(journey, stage)
    card = _persona_card(journey, persona)
    rows = []
    if card is not None and card.quote and stage is None:
        said = card.quote.strip().strip('"“”')
        rows.append(("says", None, f"“{said}”", card.evidence, "persona card"))
    if quotes is not None:
        rows += _quote_rows(journey, quotes, persona, stages, max_quotes, text_col, stage_col,
                            persona_col, names)
    for quadrant, lane in _LANE_OF.items():
        for s in stages:
            for claim in getattr(journey.stage(s), lane):
                if not claim.personas or persona in claim.personas:
                    rows.append((quadrant, s, claim.text, claim.evidence, claim.source or ""))
    out = pd.DataFrame(rows, columns=["quadrant", "stage", "text", "evidence", "source"])
    out["quadrant"] = pd.Categorical(out["quadrant"], categories=list(QUADRANTS), ordered=True)
    out["stage"] = pd.Categorical(out["stage"], categories=journey.stage_names, ordered=True)
    out = out.sort_values(["quadrant"], kind="stable").reset_index(drop=True)
    out.insert(2, "item", out.groupby("quadrant", observed=True).cumcount())
    return out[EMPATHY_COLUMNS]


def _stages(journey, stage) -> list[str]:
    if stage is None:
        return list(journey.stage_names)
    if stage not in journey.stage_names:
        raise ParameterError("stage", stage, expected=journey.stage_names)
    return [stage]


def _persona_card(journey, persona):
    names = journey.persona_names
    if persona is None:
        if names:
            raise ParameterError("persona", None, expected=names,
                                 fix="an empathy map is about one persona: pass persona=…")
        return None
    if persona not in names:
        raise ParameterError("persona", persona, expected=names or
                             "a persona of the journey (this journey declares none)")
    return journey.personas_resolved()[names.index(persona)]


def _quote_rows(journey, quotes, persona, stages, max_quotes, text_col, stage_col, persona_col, names):
    if text_col not in quotes.columns:
        hint = suggest(text_col, list(quotes.columns))
        raise DataError([Problem(f"column '{text_col}' is missing from the quotes",
                                 fix=f"pass text_col={hint!r}" if hint else
                                 "pass a frame with the customers' words in a 'text' column",
                                 source="quotes", column=text_col)])
    if not isinstance(max_quotes, int) or max_quotes < 0:
        raise ParameterError("max_quotes", max_quotes, expected="a whole number >= 0")
    frame = quotes[quotes[text_col].notna()]
    if persona is not None and persona_col in frame.columns:
        frame = frame[frame[persona_col] == persona]
    rows = []
    per_stage: dict = {}
    ids = known_ids(frame)                 # a quote naming its customer's id reads [customer id] (D157)
    if isinstance(names, str):
        raise ParameterError("names", names, expected="a set of surnames, e.g. known_names(texts)",
                             fix=f"pass names={{{names!r}}}")
    if names is None:                    # "Okonkwo was rude": another quote names Okonkwo in full (D227)
        names = known_names(quotes[text_col].dropna().astype(str))
    names = frozenset(str(n).lower() for n in names)
    for rec in frame.to_dict("records"):
        s = rec.get(stage_col) if stage_col in frame.columns else None
        s = str(s) if s is not None and s == s else None
        if s is not None and s not in journey.stage_names:
            continue  # quotes of stages not on the journey are not this map's
        if s is not None and s not in stages or (s is None and len(stages) == 1):
            continue
        if per_stage.get(s, 0) >= max_quotes:
            continue
        per_stage[s] = per_stage.get(s, 0) + 1
        text = " ".join(mask_text(own_words(str(rec[text_col])), ids=ids, names=names).split())
        rows.append(("says", s, f"“{text}”", "reported", str(rec.get("source") or "")))
    return rows


def feedback_quotes(feedback, *, personas=None, journey=None, customer_col: str = "customer_id",
                    time_col: str = "timestamp", text_col: str = "text"):
    """Turn a feedback table into quotes for :func:`empathy_cells`: most recent first.

    Parameters
    ----------
    feedback : pandas.DataFrame
        Canonical feedback (``customer_id``, ``timestamp``, ``text`` and ``stage`` or a
        ``touchpoint`` of the journey).
    personas : pandas.DataFrame, optional
        ``customer_id``, ``persona`` (e.g. from :func:`jmtools.personas.assign_personas`).
    journey : Journey, optional
        Gives the stage of each touchpoint when the feedback has no ``stage`` column.
    customer_col, time_col, text_col : str
        Column roles in ``feedback``.

    Returns
    -------
    pandas.DataFrame
        ``text``, ``stage``, ``persona`` (missing without ``personas``), ``source``
        (``feedback <id>`` when there is a ``feedback_id``), newest first; the input is
        not changed.

    Examples
    --------
    >>> import pandas as pd
    >>> fb = pd.DataFrame({"feedback_id": ["F1", "F2"], "customer_id": ["a", "b"],
    ...                    "timestamp": pd.to_datetime(["2026-01-01", "2026-02-01"]),
    ...                    "text": ["Old", "New"], "stage": ["Buy", "Buy"]})
    >>> feedback_quotes(fb, personas=pd.DataFrame({"customer_id": ["a"], "persona": ["Ben"]}))
      text stage persona      source
    0  New   Buy     NaN  feedback F2
    1  Old   Buy     Ben  feedback F1
    """
    import pandas as pd

    for col in (customer_col, text_col):
        if col not in feedback.columns:
            raise DataError([Problem(f"column '{col}' is missing from the feedback",
                                     fix=f"pass {('customer_col' if col == customer_col else 'text_col')}"
                                         f"=<the column>", source="feedback", column=col)])
    out = feedback.copy()
    if "stage" not in out.columns:
        if journey is None or "touchpoint" not in out.columns:
            raise DataError([Problem("the feedback has neither a 'stage' nor a 'touchpoint' "
                                     "column", fix="add one, or pass journey= with touchpoints",
                                     source="feedback", column="stage")])
        stage_of = {t.name: t.stage for t in journey.touchpoints}
        out["stage"] = out["touchpoint"].map(stage_of)
    if personas is not None:
        out = out.merge(personas[[customer_col, "persona"]], on=customer_col, how="left")
        out["persona"] = out["persona"].astype(object)
    else:
        out["persona"] = None
    if time_col in out.columns:
        out = out.sort_values(time_col, ascending=False, kind="stable")
    out["source"] = ("feedback " + out["feedback_id"].astype(str)
                     if "feedback_id" in out.columns else "feedback")
    return out.rename(columns={text_col: "text"})[["text", "stage", "persona", "source"]] \
        .reset_index(drop=True)
