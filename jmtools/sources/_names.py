"""Which column of an input is which: the canonical names a table needs, found in the input's header.

A column is taken by its name, then by its name written another way (``' Customer ID '`` is
``customer_id``; ``properties.time`` is ``time``); a required column that is not found is a
located error whose fix names the closest column by spelling or by a usual word for it.
"""

from __future__ import annotations

import re
import unicodedata

from jmtools.core.errors import DataError, Problem, suggest
from jmtools.sources._jsonl import nested_leaf, nested_leaves
from jmtools.sources._spec import TableSpec

__all__ = ["normalise_name", "resolve_columns"]


def normalise_name(name: str) -> str:
    """A header as a column name: lower case, every run of spaces and punctuation one ``_`` (D148).

    Letters and digits of any script are kept (``Jahresprämie`` is ``jahresprämie``, not
    ``jahrespr_mie``), in Unicode's NFKC form — the form Python, and so a persona rule, reads a
    name in — so a header saved with a decomposed ``ä`` is the name a rule writes.

    Examples
    --------
    >>> normalise_name(" Customer ID ")
    'customer_id'
    >>> normalise_name("Jahresprämie (€)")
    'jahresprämie'
    >>> normalise_name("Pra\\u0308mie") == "prämie"      # a decomposed ä
    True
    """
    text = unicodedata.normalize("NFKC", str(name)).strip().lower()
    return re.sub(r"[\W_]+", "_", text).strip("_")


def resolve_columns(available: list[str], spec: TableSpec, columns: dict | None,
                    source: str, optional=True) -> tuple[dict[str, str], list[str]]:
    """Map canonical names to source columns; raise a located error for missing ones.

    Returns (``{canonical: source_column}`` for every kept column, notes).
    """
    columns = dict(columns or {})
    problems, notes, mapping = [], [], {}
    for canonical, given in columns.items():
        if given not in available:
            near = suggest(given, available)
            problems.append(Problem(f"columns={{{canonical!r}: {given!r}}} names a column that is "
                                    f"not in the input — columns are {', '.join(map(repr, available))}",
                                    source=source, column=given,
                                    fix=f"did you mean {near!r}?" if near else "fix the mapping"))
        else:
            mapping[canonical] = given
    used = set(mapping.values())
    normalised = {normalise_name(a): a for a in available if a not in used}
    normalised.update((k, v) for k, v in nested_leaves(available, normalise_name).items() if k not in normalised)
    for col in spec.columns:
        if col.name in mapping:
            continue
        if col.name in available and col.name not in used:
            mapping[col.name] = col.name
        elif col.name in normalised:
            mapping[col.name] = normalised[col.name]
            notes.append(f"column {normalised[col.name]!r} read as {col.name!r}")
        elif col.required:
            free = [a for a in available if a not in mapping.values()]
            near = _near(col.name, free, others=[c for c in spec.required if c != col.name])
            merged = [f"{col.name}{end}" for end in ("_x", "_y") if f"{col.name}{end}" in free]
            if len(merged) == 2:        # a pandas merge: _x is the left frame's, the table being built
                near = merged[0]
            fix = (f"pass columns={{{col.name!r}: {near!r}}} to the loader, or for a report write "
                   f"{spec.kind}: {{columns: {{{col.name}: {near}}}}} in the data folder's loading.yaml"
                   if near else
                   f"add a column '{col.name}' or pass columns={{{col.name!r}: '<your column>'}} (for a "
                   f"report: {spec.kind}: {{columns: {{{col.name}: <your column>}}}} in loading.yaml)")
            if len(merged) == 2:
                fix += (f"; {merged[0]!r} and {merged[1]!r} come from a merge: {merged[0]!r} is the left "
                        "frame's, so pick the one of this table's rows (or merge with suffixes=)")
            if spec.kind == "surveys" and col.name in ("metric", "score"):   # a column per question: D99
                fix += "; for a column per question, write surveys: {metrics: {nps: <its column>}} in loading.yaml"
            problems.append(Problem(f"required column '{col.name}' is missing — the input has "
                                    f"{', '.join(map(repr, free)) or 'no columns'}",
                                    source=source, column=col.name, fix=fix))
        used = set(mapping.values())
    if problems:
        raise DataError(problems, source=source)
    if spec.keep_extra:
        taken = set(mapping.values())
        for a in available:
            if a in taken:
                continue
            if normalise_name(a) not in mapping:
                mapping[normalise_name(a) or a] = a
            else:  # "Region" next to "region": one name in the table, so the first is kept
                notes.append(f"column {a!r} left out: its name reads as {normalise_name(a)!r}, "
                             f"like column {mapping[normalise_name(a)]!r}")
    if optional is not True:
        keep = set(spec.required) | (set(optional) if optional else set())
        mapping = {k: v for k, v in mapping.items() if k in keep}
    return mapping, notes


_SYNONYMS = {"timestamp": ("time", "date", "ts", "when", "created", "submitted", "recorded", "zeitstempel",
                           "zeitpunkt", "datum", "fecha", "horodatage"),   # German, Spanish, French too
             "customer_id": ("customer", "user", "client", "distinct_id", "userid", "kunde", "kunden", "cliente"),
             "event": ("action", "event_name", "activity", "ereignis", "evento"),
             "score": ("rating", "value", "answer"), "metric": ("question", "measure"),
             "amount": ("total", "value", "revenue", "price", "betrag", "montant", "importe"),
             "text": ("comment", "body", "message", "kommentar", "commentaire", "comentario")}


def _partial(name: str, options: list[str]) -> str | None:
    """The one column whose name contains a usual word for ``name`` (``time`` → ``event_time``);
    first the one whose (last) name is such a word (``properties.time``)."""
    words = (name.replace("_id", ""),) + _SYNONYMS.get(name, ())
    whole = [o for o in options if normalise_name(nested_leaf(o) or o) in words]
    if len(whole) == 1:
        return whole[0]
    # whole words of the name: "ts" is not in "accepts_marketing", "user" not in "userlanguage"
    hits = [o for o in options if set(words) & set(normalise_name(o).split("_"))]
    return hits[0] if len(hits) == 1 else None


def _reads_as(name: str, option: str) -> bool:
    """True when a whole word of ``option``'s name is a usual word for ``name`` (``event_ts`` for
    ``timestamp``)."""
    words = {name.replace("_id", "")} | set(_SYNONYMS.get(name, ()))
    return bool(words & set(normalise_name(nested_leaf(option) or option).split("_")))


def _near(name: str, options: list[str], others=()) -> str | None:
    """The column to suggest for ``name``: by spelling, else by a usual word; an id column is
    not offered for a column that is no id (``event_id`` for ``event``), and a column named
    like another required column (``event_ts``, a time, among ``others``) loses to one named
    with a usual word for ``name`` (``event_name`` for ``event``; D257)."""
    if not name.endswith("_id"):
        options = [o for o in options if not (normalise_name(o) == "id" or normalise_name(o).endswith("_id"))]
    spelled = suggest(name, options)
    if spelled and any(_reads_as(o, spelled) for o in others):
        own = [o for o in options if o != spelled and _reads_as(name, o)
               and not any(_reads_as(x, o) for x in others)]
        if own:
            return suggest(name, own) or own[0]
        return _partial(name, [o for o in options if o != spelled])
    return spelled or _partial(name, options)
