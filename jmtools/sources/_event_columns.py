"""The event log's options that name one of its columns: ``case`` (a journey per case, D238) and
``actor`` (the users acting for an account, D256). One check that the column is there, one
wording for both, the column kept by a load that keeps only some optional columns, and the
sentences of their notes saying where each table's answers went (D264)."""

from __future__ import annotations

from jmtools.core.errors import DataError, ParameterError, Problem, suggest

__all__ = ["ACTOR", "INTERNAL", "NAMED_COLUMNS", "check_event_column", "with_named_columns", "answer_sentences"]

#: The event log's column holding each event's actor, as text ("" for none), with the option.
ACTOR = "_actor"
#: Columns every loaded event log has that are not the user's.
INTERNAL = ("_row", "_dated", ACTOR)
#: Per option: what its column holds, and where answers keyed otherwise go (said in the fixes).
NAMED_COLUMNS = {
    "case": ("each event's case (claim, order, admission)", "answers follow their events' cases"),
    "actor": ("who acted (a user of the account)", "answers keyed by user follow their user's account"),
}


def check_event_column(loaded, option: str, column, path=None) -> None:
    """Raise a located :class:`~jmtools.core.errors.DataError` when ``column`` (the value of the
    option ``option``, one of :data:`NAMED_COLUMNS`) is no column of the loaded event log;
    nothing when ``column`` is None.

    Raises
    ------
    jmtools.core.errors.ParameterError
        The option is given for a table that is no event log.
    jmtools.core.errors.DataError
        The column is not in the loaded event log: its columns, the closest name and the fix.

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.sources import load_table
    >>> row = dict(customer_id="a", timestamp="2024-01-01", event="view", claim_no="K1")
    >>> ev = load_table(pd.DataFrame([row]), "events")
    >>> check_event_column(ev, "case", "claim_no") is None
    True
    >>> try:
    ...     check_event_column(ev, "case", "claim_nr")
    ... except Exception as err:
    ...     print(err.problems[0].message)
    case column 'claim_nr' is not a column of the event log (columns: customer_id, timestamp, event, claim_no)
    """
    if column is None:
        return
    holds, answers = NAMED_COLUMNS[option]
    if loaded.kind != "events":
        raise ParameterError(option, column, expected="an option of the event log only",
                             fix=f"give `{option}:` under `events:`; {answers}")
    names = [c for c in loaded.table.columns if c not in INTERNAL]
    if column in names:
        return
    near = suggest(str(column), names)
    raise DataError([Problem(
        f"{option} column {column!r} is not a column of the event log (columns: {', '.join(names)})",
        fix=(f"did you mean {near!r}? " if near else "") + f"name the event log's column that holds {holds}",
        source=getattr(path, "name", None) or loaded.source, column=str(column), path=option)])


def with_named_columns(how: dict) -> dict:
    """The loader options ``how`` of a table, with the columns its ``case`` and ``actor`` name kept
    when ``optional`` keeps only some columns (``optional: false`` dropped the case column, and the
    check then said the file had none).

    Examples
    --------
    >>> with_named_columns({"optional": False, "case": "claim_no"})["optional"]
    ['claim_no']
    >>> with_named_columns({"optional": ["channel"], "actor": "user_id"})["optional"]
    ['channel', 'user_id']
    >>> with_named_columns({"case": "claim_no"})
    {'case': 'claim_no'}
    """
    named = [str(how[o]) for o in NAMED_COLUMNS if how.get(o)]
    optional = how.get("optional", True)
    if not named or optional is True or not isinstance(optional, (bool, list, tuple)):
        return how
    kept = list(optional or ())
    return {**how, "optional": kept + [c for c in named if c not in kept]}


def answer_sentences(answers: dict, phrases: list) -> list[str]:
    """One sentence per table of ``answers`` (``{"surveys": {"by_time": 3, …}}``): the table's
    name, then the phrase of each count that is not 0 (``phrases``: ``(key, phrase(counts))``);
    a table with no such count says nothing.

    Examples
    --------
    >>> answer_sentences({"surveys": {"by_column": 0, "by_time": 1200, "no_case": 3}, "feedback": {"by_time": 0}},
    ...                  [("by_column", lambda n: f"{n['by_column']:,} to the claim their row names"),
    ...                   ("by_time", lambda n: f"{n['by_time']:,} to the claim of the time"),
    ...                   ("no_case", lambda n: f"{n['no_case']:,} are left out")])
    ['Surveys: 1,200 to the claim of the time; 3 are left out.']
    """
    out = []
    for kind, n in answers.items():
        how = [phrase(n) for key, phrase in phrases if n.get(key)]
        if how:
            out.append(f"{kind.capitalize()}: " + "; ".join(how) + ".")
    return out
