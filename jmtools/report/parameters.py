"""A report notebook's declared interface: its ``parameters`` cell, read and enforced.

The first two steps of a run (:mod:`jmtools.report.runner` does the third):

1. :func:`read_parameters` parses the notebook's one cell tagged ``parameters``
   (annotated assignments with help comments) into :class:`Parameter` objects;
2. :func:`check_parameters` refuses unknown names (listing the declared ones) and
   values of the wrong type (a value of any member of a union is right: ``int | str``,
   ``Union[int, str]``, ``Optional[int]`` takes None; ``Literal[auto]`` takes only the
   text "auto", so ``Union[int, Literal[auto]]`` refuses any other text before a cell runs);
   :func:`parse_value` turns command-line text into the declared type. Write a union in a parameters cell as a quoted
   ``"Union[int, str]"``: the kernel does not evaluate it (no import needed), this module
   reads it without the quotes, and plain papermill's parameter inspection, which does not
   read ``int | str``, lists it.
"""

from __future__ import annotations

import ast
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Mapping

from jmtools.core.errors import DataError, ParameterError, Problem, ReportError, suggest, whole_number
from jmtools.core.resources import suggest_path
from jmtools.core.yamlbounds import short
from jmtools.report._annotation import (NOT_LITERAL, PARSE_ORDER, literal_value, member_ok, members,
                                       parse_as, split_bounds)

__all__ = ["Parameter", "read_parameters", "check_parameters", "parse_value"]

_NONE = {"none", "null", "~", ""}
#: Parameters whose values are paths: a relative one given on the command line starts from the
#: current folder (``jmtools report -p``), one in a batch config from the config file's folder.
_PATH_SUFFIXES = ("_dir", "_file", "_path", "_folder")



@dataclass(frozen=True)
class Parameter:
    """One declared notebook parameter.

    Attributes
    ----------
    name : str
    annotation : str
        The annotation as written (``"str"``, ``"int"``, ``"list[str]"``, ``"str | None"``).
    default : object
        The value assigned in the parameters cell (a Python literal).
    help : str
        The help comment after ``#`` on the same line.
    line : int
        1-based line in the parameters cell.
    """

    name: str
    annotation: str
    default: Any
    help: str = ""
    line: int = 0

    @property
    def types(self) -> tuple[str, ...]:
        """The type names a value may have, one per member of a union, ``"None"`` included.

        ``int | str`` → ``("int", "str")``; ``Optional[list[str]]`` → ``("list", "None")``;
        ``Union[int, float, None]`` → ``("int", "float", "None")``; a type with arguments
        counts by its name (``list[str]`` → ``list``). ``Literal["auto"]`` allows that one
        value, listed as its repr (``"'auto'"``): ``Union[int, Literal["auto"]]`` takes a
        whole number or the text "auto", and no other text. Inside ``Literal`` a bare word
        is that text (``Literal[auto]``), so a parameters cell can write
        ``"Union[int, Literal[auto]]"``, which plain papermill's inspection reads too (it
        reads no quotes inside an annotation). ``Annotated[int, Ge[1]]`` allows whole
        numbers of at least 1 (``Le[n]``: at most n), listed as ``"int ≥ 1"``. An
        annotation that cannot be read gives ``("object",)`` (any value).

        Examples
        --------
        >>> Parameter("n_themes", "int | str", 10).types
        ('int', 'str')
        >>> Parameter("n_themes", "Union[int, Literal['auto']]", 10).types
        ('int', "'auto'")
        >>> Parameter("n_themes", "Union[int, Literal[auto]]", 10).types
        ('int', "'auto'")
        >>> Parameter("n_themes", "Union[Annotated[int, Ge[1]], Literal[auto]]", 10).types
        ('int ≥ 1', "'auto'")
        >>> Parameter("label", "Optional[str]", None).types
        ('str', 'None')
        """
        return members(self.annotation)

    @property
    def base_type(self) -> str:
        """The first type other than ``None``: ``str``, ``int``, ``list``… (``int | str`` → ``int``)."""
        return split_bounds(next((t for t in self.types if t != "None"), "object"))[0]

    @property
    def optional(self) -> bool:
        """True when ``None`` is an allowed value (a ``None`` member or a ``None`` default)."""
        return "None" in self.types or self.default is None

    def describe(self) -> str:
        """One line for ``--help`` style listings: ``persona: str = 'all'  # which persona``."""
        text = f"{self.name}: {self.annotation} = {self.default!r}"
        return text + (f"  # {self.help}" if self.help else "")


def _load(notebook):
    import nbformat

    if isinstance(notebook, (str, os.PathLike)):
        name = os.fspath(notebook)
        if not os.path.isfile(name):
            raise ParameterError("notebook", name, expected="an existing notebook file (.ipynb)",
                                 fix=_notebook_fix(name))
        try:
            return nbformat.read(name, as_version=4), name
        except Exception as err:  # noqa: BLE001 — nbformat raises JSON, schema and I/O errors
            first = str(err).splitlines()[0][:200] if str(err) else type(err).__name__
            raise DataError([Problem(f"not a Jupyter notebook — {first}", source=name,
                                     fix="give a report notebook (.ipynb) saved by Jupyter, "
                                         "e.g. notebooks/00_journey_report.ipynb")]) from None
    return notebook, notebook.get("metadata", {}).get("jmtools", {}).get("source", "<notebook>")


def _notebook_fix(name: str) -> str:
    """The fix for a notebook path that is not a file: the notebooks of a folder, or the
    closest name next to a mistyped one."""
    if os.path.isdir(name):
        found = sorted(p.name for p in Path(name).glob("*.ipynb"))[:12]
        return "a folder was given: name the .ipynb file in it" + (
            f" ({', '.join(found)})" if found else " (it holds no .ipynb file)")
    near = suggest_path(name, suffix=".ipynb") or _notebook_near(name)
    return (f"did you mean {near!r}? " if near else "") + \
        f"check the path (a relative path starts at {os.getcwd()})"


def _notebook_near(name: str) -> str | None:
    """The notebook a bare name probably means: with ``.ipynb`` added, or in ``notebooks/``
    (``00_journey_report`` typed at the project's root)."""
    given = Path(name if name.endswith(".ipynb") else name + ".ipynb")
    if given.is_file():
        return str(given)
    if given.parent != Path("."):
        return None
    return suggest_path(Path("notebooks") / given.name, suffix=".ipynb")


def _parameter_cells(nb) -> list:
    return [c for c in nb.cells if "parameters" in (c.get("metadata", {}).get("tags") or [])]


def read_parameters(notebook) -> dict[str, Parameter]:
    """Parse the notebook's ``parameters`` cell into declared parameters.

    Parameters
    ----------
    notebook : path-like or nbformat.NotebookNode
        The notebook; exactly one code cell must carry the tag ``parameters``.

    Returns
    -------
    dict of str to Parameter
        In the order of the cell.

    Raises
    ------
    ReportError
        No parameters cell, several, or a line that is not ``name: type = literal  # help``.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(
    ...     'persona: str = "all"  # which persona\\nmin_n: int = 30  # hide smaller groups',
    ...     metadata={"tags": ["parameters"]})])
    >>> [p.describe() for p in read_parameters(nb).values()]
    ["persona: str = 'all'  # which persona", 'min_n: int = 30  # hide smaller groups']
    """
    nb, name = _load(notebook)
    cells = _parameter_cells(nb)
    if len(cells) != 1:
        what = "no cell is" if not cells else f"{len(cells)} cells are"
        raise ReportError(f"{name}: {what} tagged 'parameters' — a report notebook needs exactly one"
                          "\n  Fix: put all parameters in one code cell and add the tag 'parameters' "
                          "(JupyterLab: property inspector → Cell tags)", notebook=name)
    source = cells[0].source
    lines = source.splitlines()
    try:
        tree = ast.parse(source)
    except SyntaxError as err:
        raise ReportError(f"{name}: the parameters cell is not valid Python (line {err.lineno}: "
                          f"{err.msg})\n  Fix: write one `name: type = value  # help` per line",
                          notebook=name) from None
    params: dict[str, Parameter] = {}
    for node in tree.body:
        params.update(_parameter_from_node(node, lines, name))
    return params


def _parameter_from_node(node, lines, name) -> dict[str, Parameter]:
    line = lines[node.lineno - 1]
    if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) and node.value:
        try:
            default = ast.literal_eval(node.value)
        except ValueError:
            raise ReportError(f"{name}: parameter {node.target.id!r} has a default that is not a "
                              f"literal (line {node.lineno}: {line.strip()!r})\n  Fix: use a "
                              "number, string, list, dict, True/False or None", notebook=name) from None
        comment = line.split("#", 1)[1].strip() if "#" in line[node.end_col_offset:] else ""
        quoted = isinstance(node.annotation, ast.Constant) and isinstance(node.annotation.value, str)
        annotation = node.annotation.value if quoted else ast.unparse(node.annotation)  # "Union[...]"
        return {node.target.id: Parameter(node.target.id, annotation, default, comment, node.lineno)}
    if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):
        return {}  # a docstring-like note
    raise ReportError(f"{name}: parameters cell line {node.lineno} is not an annotated assignment: "
                      f"{line.strip()!r}\n  Fix: write it as `name: type = value  # help`",
                      notebook=name)


def _type_ok(param: Parameter, value) -> bool:
    """True when ``value`` matches any member of the annotation (None: when optional)."""
    if value is None:
        return param.optional
    return any(member_ok(kind, value) for kind in param.types)


def _whole(kind: str) -> str:
    """A bounded ``int`` member in :func:`jmtools.core.errors.whole_number`'s words."""
    name, low, high = split_bounds(kind)
    if name != "int" or (low is None and high is None):
        return kind
    return (f"a whole number from {low} to {high}" if low is not None and high is not None else
            f"a whole number, {low} or more" if low is not None else f"a whole number, {high} or less")


def _expected(param: Parameter) -> str:
    """``an int`` for one type, ``one of the types int | str`` for a union (None as "or None")."""
    kinds = [t for t in param.types if t != "None"] or ["object"]
    types = [_whole(k) for k in kinds if literal_value(k) is NOT_LITERAL]
    values = [k for k in kinds if literal_value(k) is not NOT_LITERAL]
    article = "" if types and types[0].startswith("a whole") else \
        "an " if types and types[0][:1].lower() in "aeiou" else "a "
    text = ("" if not types else f"{article}{types[0]}" if len(types) == 1
            else "one of the types " + " | ".join(types))
    text = (", or " if "," in text else " or ").join(t for t in (text, " or ".join(values)) if t)
    return text + (" or None" if param.optional else "")


def check_parameters(declared: Mapping[str, Parameter], given: Mapping[str, Any], *,
                     notebook: str = "<notebook>") -> dict:
    """Refuse unknown parameters and values of the wrong type.

    Parameters
    ----------
    declared : dict of str to Parameter
        From :func:`read_parameters`.
    given : mapping
        The values the caller wants to inject.
    notebook : str
        Name used in messages.

    Returns
    -------
    dict
        ``given`` as a plain dict (tuples become lists).

    Raises
    ------
    ParameterError
        Unknown name (the message lists every declared parameter and the closest one)
        or a value that does not match the annotation.

    Examples
    --------
    >>> declared = {"persona": Parameter("persona", "str", "all", "which persona", 1)}
    >>> check_parameters(declared, {"persona": "Budget Ben"})
    {'persona': 'Budget Ben'}
    >>> check_parameters(declared, {"persnoa": "x"}, notebook="report.ipynb")
    Traceback (most recent call last):
    ...
    jmtools.core.errors.ParameterError: parameter of report.ipynb must be one of 'persona' — got 'persnoa'
      Fix: did you mean 'persona'? Declared parameters:
        persona: str = 'all'  # which persona
    """
    listing = "\n".join("    " + p.describe() for p in declared.values()) or "    (none)"
    out = {}
    for key, value in given.items():
        if key not in declared:
            hint = suggest(key, list(declared))
            fix = (f"did you mean {hint!r}? " if hint else "") + f"Declared parameters:\n{listing}"
            raise ParameterError(f"parameter of {notebook}", key, expected=list(declared), fix=fix)
        param = declared[key]
        if not _type_ok(param, value):
            raise _refusal(param, value, notebook=notebook)
        out[key] = list(value) if isinstance(value, tuple) else value
    return out


def parse_value(param: Parameter, text: str):
    """Convert command-line text to the parameter's declared type.

    For a union the members are tried from the narrowest (``int``, ``float``, ``bool``, lists
    and mappings) to ``str``, which takes any text: ``int | str`` reads ``"12"`` as 12 and
    ``"auto"`` as ``"auto"``. ``none``, ``null``, ``~`` or an empty text is None where None is
    allowed, unless ``str`` is a member (then it is that text).

    Examples
    --------
    >>> parse_value(Parameter("n", "int", 30), "45")
    45
    >>> parse_value(Parameter("persona", "str", "all"), "123")
    '123'
    >>> parse_value(Parameter("personas", "list[str]", []), "[Ben, Maya]")
    ['Ben', 'Maya']
    >>> parse_value(Parameter("static", "bool", False), "yes")
    True
    >>> [parse_value(Parameter("n_themes", "int | str", "auto"), t) for t in ("12", "auto")]
    [12, 'auto']
    >>> parse_value(Parameter("n_themes", "Union[int, Literal['auto']]", 10), "auto")
    'auto'
    >>> parse_value(Parameter("cut", "Optional[float]", None), "none") is None
    True
    """
    kinds = [t for t in param.types if t != "None"] or ["object"]
    if param.optional and text.strip().lower() in _NONE and "str" not in kinds:
        return None
    order = sorted(kinds, key=lambda k: PARSE_ORDER.get(split_bounds(k)[0], 4))
    for kind in order:
        try:
            value = parse_as(kind, text)
        except Exception:  # noqa: BLE001 — the next member may read it
            continue
        if value is None and param.optional or value is not None and member_ok(kind, value):
            return value
    raise _refusal(param, text) from None


def _refusal(param: Parameter, value, *, notebook: str = "<notebook>") -> ParameterError:
    """The one error for a value a declared parameter refuses, from a file, a batch or the
    command line: a whole-number parameter words it as :func:`jmtools.core.errors.whole_number`
    (command-line text that reads as a whole number is shown as that number).

    Examples
    --------
    >>> print(_refusal(Parameter("top_n", "Annotated[int, Ge[1]]", 5, "how many", 6), "0",
    ...               notebook="00_journey_report.ipynb"))
    top_n must be a whole number, 1 or more — got 0
      Fix: 00_journey_report.ipynb declares, in its parameters cell line 6, top_n: Annotated[int, Ge[1]] = 5  # how many
    >>> print(_refusal(Parameter("persona", "Literal[all, Ben]", "all"), "Bne"))
    persona must be 'all' or 'Ben' — got 'Bne'
      Fix: did you mean 'Ben'? <notebook> declares, in its parameters cell line 0, persona: Literal[all, Ben] = 'all'
    """
    fix = f"{notebook} declares, in its parameters cell line {param.line}, {param.describe()}"
    kinds = [t for t in param.types if t != "None"]
    if len(kinds) == 1 and split_bounds(kinds[0])[0] == "int" and not param.optional:
        _, low, high = split_bounds(kinds[0])
        number = value          # command-line text of a number: shown as that number
        if isinstance(value, str) and value.strip().lstrip("+-").isdigit():
            number = int(value.strip())
        for candidate in (number, value):   # a valid number given as text: refused as the text
            try:
                whole_number(param.name, candidate, at_least=low, at_most=high, fix=fix)
            except ParameterError as err:
                return err
    allowed = [str(v) for v in map(literal_value, param.types) if isinstance(v, str)]
    hint = suggest(value, allowed) if isinstance(value, str) and allowed else None
    return ParameterError(param.name, short(value) if isinstance(value, str) else value,
                          expected=_expected(param), fix=(f"did you mean {hint!r}? " if hint else "") + fix)
