"""One value for a column a file lacks (``constants={"touchpoint": "checkout_page"}``): a survey
or feedback export about one place (a Typeform or Hotjar form on the checkout page) names no
stage or touchpoint, and an NPS tool no metric. The value becomes a column of the input before
anything else reads it, so it is typed, checked and counted like a column of the file (used by
:mod:`jmtools.sources._duckdb`)."""

from __future__ import annotations

from jmtools.core.errors import DataError, ParameterError, Problem, suggest
from jmtools.sources._values import lit, q

__all__ = ["CONSTANT", "check_constants", "validate_constants", "with_constants"]

#: Prefix of a constant's column in the input's view (a name no export uses).
CONSTANT = "__jm_constant_"


def check_constants(constants, spec) -> list[tuple[str, str]]:
    """Why each of ``constants`` cannot be given, as ``(name, reason)``; ``[]`` when all can.
    A constant is a plain value (text or a number) for a column of ``spec`` that is not an id.

    Examples
    --------
    >>> from jmtools.sources._spec import SPECS
    >>> check_constants({"touchpoint": "checkout_page", "stag": "Decision", "metric": ["nps"]}, SPECS["surveys"])
    [('stag', "not a column of surveys (did you mean 'stage'?)"), ('metric', 'a list, not one value (text or a number)')]
    """
    out = []
    for name, value in constants.items():
        col = spec.column(name) if isinstance(name, str) else None
        if col is None:
            near = suggest(str(name), [c.name for c in spec.columns if c.kind != "id"])
            out.append((name, f"not a column of {spec.kind}" + (f" (did you mean {near!r}?)" if near else "")))
        elif col.kind == "id":
            out.append((name, "an id: one value would make every row the same one"))
        elif isinstance(value, bool) or not isinstance(value, (str, int, float)) or not str(value).strip():
            out.append((name, "no value" if value is None else "empty" if isinstance(value, str)
                        else f"a {type(value).__name__}, not one value (text or a number)"))
    return out


def validate_constants(constants, spec) -> None:
    """A :class:`~jmtools.core.errors.ParameterError` unless ``constants`` maps columns of
    ``spec`` (not ids) to plain values (:func:`check_constants`)."""
    if not isinstance(constants, dict) or not constants:
        raise ParameterError("constants", constants, expected="a mapping of column names to one value each, "
                             "e.g. {'touchpoint': 'checkout_page'}")
    bad = check_constants(constants, spec)
    if bad:
        raise ParameterError("constants", constants, expected=f"plain values for columns of {spec.kind} other "
                             "than ids", fix="; ".join(f"{n}: {why}" for n, why in bad))


def with_constants(raw, view: str, constants, spec, columns, available: list[str], label: str,
                   normalise) -> tuple[str, dict, str]:
    """A view of ``view`` with a column for each of ``constants``, the ``columns`` mapping that
    reads them, and a note. ``available`` are the input's columns; ``normalise`` is the
    loader's name matching.

    Raises
    ------
    jmtools.core.errors.ParameterError
        ``constants`` is not a mapping of the table's columns to plain values.
    jmtools.core.errors.DataError
        The input has the column already (by name, or mapped in ``columns``): ``path`` is
        ``constants.<name>``, so that a caller reading ``loading.yaml`` can give its line.
    """
    validate_constants(constants, spec)
    columns = dict(columns or {})
    by_name = {normalise(a): a for a in available}
    problems = []
    for name in constants:
        has = columns.get(name) or (name if name in available else by_name.get(name))
        if has:
            how = "columns maps it to" if name in columns else "the input has"
            problems.append(Problem(
                f"constants gives {name} one value, but {how} the column {has!r} ({spec.kind})",
                source=label, column=name, path=f"constants.{name}",
                fix=f"remove {name} from constants: the file's own column is read"
                    + (", or remove it from columns" if name in columns else "")))
    if problems:
        raise DataError(problems, source=label)
    out = view + "_constants"
    added = ", ".join(f"{lit(str(v))} AS {q(CONSTANT + n)}" for n, v in constants.items())
    raw.execute(f"CREATE OR REPLACE TEMP VIEW {q(out)} AS SELECT *, {added} FROM {q(view)}")
    columns.update({n: CONSTANT + n for n in constants})
    return out, columns, ("the same value for every row (constants): "
                          + ", ".join(f"{n} = {str(v)!r}" for n, v in constants.items()))
