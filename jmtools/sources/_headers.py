"""Header names written more than once (a Jira export: ``Labels, Labels, Comment, Comment``).

A name the loader does not need is kept apart the way pandas keeps it: the first copy keeps the
name, the others are ``Labels.1``, ``Labels.2`` (used by :mod:`jmtools.sources._read`), and a
note names them. A name the table needs (``event`` in events, or one named in ``columns=``)
stays a located error that says at which header positions it is and how to pick one
(:func:`check_repeated`, used by :mod:`jmtools.sources._duckdb`): taking the first copy without
a word would read comments where the text was meant.
"""

from __future__ import annotations

from dataclasses import dataclass

from jmtools.core.errors import DataError, Problem

__all__ = ["Repeated", "unique_names", "check_repeated"]


@dataclass(frozen=True)
class Repeated:
    """One header name written more than once: as first written, the 1-based header positions
    of its copies, and the names the copies were given (the first keeps its own)."""

    name: str
    positions: tuple[int, ...]
    names: tuple[str, ...]


def unique_names(header: list[str]) -> tuple[list[str], list[Repeated]]:
    """The header with each repeated name's later copies named ``name.1``, ``name.2`` (as
    pandas names them; names compared ignoring case and blanks around them, as DuckDB does),
    and the repeated names. A copy's new name skips names the header already has.

    Examples
    --------
    >>> names, repeated = unique_names(["id", "Labels", "Labels", "labels.1", "Comment", "Comment"])
    >>> names
    ['id', 'Labels', 'Labels.2', 'labels.1', 'Comment', 'Comment.1']
    >>> [(r.name, r.positions) for r in repeated]
    [('Labels', (2, 3)), ('Comment', (5, 6))]
    """
    taken = {str(h).strip().lower() for h in header}
    groups: dict[str, list[int]] = {}
    for i, h in enumerate(header):
        if str(h).strip():
            groups.setdefault(str(h).strip().lower(), []).append(i)
    out = [str(h) for h in header]
    repeated = []
    for where in groups.values():
        if len(where) < 2:
            continue
        k = 0
        for i in where[1:]:
            k += 1
            while f"{str(header[i]).strip()}.{k}".lower() in taken:
                k += 1
            out[i] = f"{str(header[i]).strip()}.{k}"
            taken.add(out[i].lower())
        repeated.append(Repeated(str(header[where[0]]).strip(), tuple(i + 1 for i in where),
                                 tuple(out[i] if j else str(header[i]).strip() for j, i in enumerate(where))))
    repeated.sort(key=lambda r: r.positions[0])
    return out, repeated


def _positions(r: Repeated) -> str:
    return ", ".join(map(str, r.positions[:-1])) + f" and {r.positions[-1]}"


def check_repeated(repeated: list[Repeated], spec, named: dict, optional, label: str, line: int,
                   normalise) -> tuple[dict, list[str]]:
    """``named`` (the options that name columns of the input, ``{"columns": {...}, "metrics":
    {...}}``) with ``name.0`` read as a repeated name's first copy, and the note naming the
    copies; a located :class:`~jmtools.core.errors.DataError` when a repeated name is one the
    table needs: named in an option (as written), or a column of ``spec`` the loader would take
    by its name (``normalise`` is the loader's name matching).

    Examples
    --------
    >>> from jmtools.sources._spec import SPECS
    >>> _, rep = unique_names(["Issue key", "Comment", "Comment"])
    >>> check_repeated(rep, SPECS["tickets"], {"columns": {"text": "Comment.0"}}, True, "t.csv", 1, str.lower)
    ({'columns': {'text': 'Comment'}}, ["the header names 'Comment' at header positions 2 and 3: read as 'Comment', 'Comment.1' (the way pandas names copies)"])
    """
    if not repeated:
        return named, []
    first = {f"{r.name}.0".lower(): r.name for r in repeated}
    given = {option: m if isinstance(m, dict) else {} for option, m in named.items()}
    keep = set(spec.names) if optional is True else set(spec.required) | set(optional or ())
    problems = []
    for r in repeated:
        hits = [(option, key) for option, m in given.items() for key, v in m.items()
                if isinstance(v, str) and v.strip().lower() == r.name.lower()]
        hits += [("columns", c.name) for c in spec.columns if c.name in keep and normalise(r.name) == c.name
                 and c.name not in given.get("columns", {})]
        for option, key in hits:
            how = (f"{option}={{{key!r}: {r.name!r}}} names it" if key in given.get(option, {})
                   else f"{spec.kind} reads {key} from it")
            picks = ", ".join(f"{n} for the copy at position {p}" for n, p in
                              zip((f"{r.name}.0",) + r.names[1:], r.positions))
            problems.append(Problem(
                f"the header names {r.name!r} more than once (header positions {_positions(r)}), and "
                f"{how}: which copy is meant cannot be told", source=label, line=line, column=r.name,
                fix=f"say which: {option}: {{{key}: {r.names[1]}}} under {spec.kind} in loading.yaml "
                    f"(or {option}={{{key!r}: {r.names[1]!r}}} in Python); {picks}"))
    if problems:
        raise DataError(problems, source=label)
    named = {option: {k: first.get(v.strip().lower(), v) if isinstance(v, str) else v for k, v in m.items()}
             if isinstance(m, dict) else m for option, m in named.items()}
    return named, ["; ".join(f"the header names {r.name!r} at header positions {_positions(r)}: read as "
                             + ", ".join(map(repr, r.names)) for r in repeated)
                   + " (the way pandas names copies)"]
