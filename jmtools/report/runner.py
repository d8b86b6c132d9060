"""Strict papermill runner: declared parameters only, failures that name the cell.

Reading this module top to bottom tells a whole run:

1. :func:`read_parameters` parses the notebook's one cell tagged ``parameters``
   (annotated assignments with help comments) into :class:`Parameter` objects;
2. :func:`check_parameters` refuses unknown names (listing the declared ones) and
   values of the wrong type (a value of any member of a union is right: ``int | str``,
   ``Union[int, str]``, ``Optional[int]`` takes None; ``Literal[auto]`` takes only the
   text "auto", so ``Union[int, Literal[auto]]`` refuses any other text before a cell runs);
   :func:`parse_value` turns command-line text into the declared type. Write a union in a parameters cell as a quoted
   ``"Union[int, str]"``: the kernel does not evaluate it (no import needed), this module
   reads it without the quotes, and plain papermill's parameter inspection, which does not
   read ``int | str``, lists it;
3. :func:`run_notebook` executes with papermill (kernel ``python3``), writes the
   executed notebook atomically, stores run metadata (parameters, dates,
   versions, records) in ``metadata.jmtools``, and turns a failed cell into a
   :class:`jmtools.core.errors.ReportError` naming notebook, ``In [n]`` and the partial
   output file.
"""

from __future__ import annotations

import ast
import contextlib
import datetime as _dt
import os
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import jmtools
from jmtools.core.errors import (DataError, ParameterError, Problem, ReportError, suggest, time_limit,
                                  whole_number)
from jmtools.core.resources import suggest_path
from jmtools.core.yamlbounds import short
from jmtools.report._annotation import (NOT_LITERAL, PARSE_ORDER, literal_value, member_ok, members,
                                       parse_as, split_bounds)
from jmtools.report._engine import FINISH, engine_name, kernel_manager_class
from jmtools.report.failure import cell_name, failed_cell, not_run, partial_cells
from jmtools.report.record import read_records

__all__ = [
    "Parameter",
    "RunResult",
    "read_parameters",
    "check_parameters",
    "parse_value",
    "run_notebook",
    "environment_versions",
]

_NONE = {"none", "null", "~", ""}



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


@dataclass
class RunResult:
    """What one notebook run produced."""

    notebook: str
    output_path: str
    parameters: dict
    records: dict
    started: str
    duration_s: float
    versions: dict = field(default_factory=dict)


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


_PACKAGES = ["jmtools", "pandas", "numpy", "altair", "vl-convert-python", "duckdb",
             "ibis-framework", "papermill", "nbconvert", "ipykernel"]


def environment_versions() -> dict:
    """Versions of Python and the packages a report depends on.

    Examples
    --------
    >>> v = environment_versions()
    >>> "python" in v and "pandas" in v
    True
    """
    from importlib.metadata import PackageNotFoundError, version

    out = {"python": sys.version.split()[0]}
    for pkg in _PACKAGES:
        try:
            out[pkg] = version(pkg)
        except PackageNotFoundError:
            out[pkg] = jmtools.__version__ if pkg == "jmtools" else "not installed"
    return out


@contextlib.contextmanager
def _kernel_environment():
    """Kernel sees this jmtools (even uninstalled) and a fixed hash seed."""
    root = str(Path(__file__).resolve().parents[2])
    saved = {k: os.environ.get(k) for k in ("PYTHONPATH", "PYTHONHASHSEED")}
    paths = [root] + [p for p in (saved["PYTHONPATH"] or "").split(os.pathsep) if p and p != root]
    os.environ["PYTHONPATH"] = os.pathsep.join(paths)
    os.environ["PYTHONHASHSEED"] = "0"
    try:
        yield
    finally:
        for k, v in saved.items():
            if v is None:
                os.environ.pop(k, None)
            else:
                os.environ[k] = v


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


def _execute(src: str, tmp: str, parameters: dict, *, kernel_name: str, cwd: str,
             timeout: float | None, retries: int, finish=None):
    """Run ``src`` into ``tmp`` with papermill; the executed notebook, as written to ``tmp``
    (``finish(nb)`` completes a run whose cells all ran before it is written)."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    for attempt in range(retries + 1):
        try:
            with _kernel_environment():
                return pm.execute_notebook(src, tmp, parameters=parameters, kernel_name=kernel_name,
                                           cwd=cwd, progress_bar=False, log_output=False,
                                           execution_timeout=timeout, start_timeout=120,
                                           kernel_manager_class=kernel_manager_class(),
                                           engine_name=engine_name(), **{FINISH: finish})
        except PapermillExecutionError:
            raise
        except Exception:
            # a kernel that failed to start (ZMQ port race, slow machine) ran no cell: retry
            if attempt >= retries or _ran_any_cell(tmp):
                raise
            time.sleep(1 + attempt)


def _ran_any_cell(path: str) -> bool:
    import nbformat

    try:
        nb = nbformat.read(path, as_version=4)
    except Exception:
        return False
    return any(c.get("execution_count") for c in nb.cells if c.cell_type == "code")


def run_notebook(notebook: str | os.PathLike, output_path: str | os.PathLike, *,
                 parameters: Mapping[str, Any] | None = None, kernel_name: str = "python3",
                 cwd: str | os.PathLike | None = None, timeout: float | None = 600,
                 retries: int = 1) -> RunResult:
    """Run a report notebook with declared parameters only.

    Parameters
    ----------
    notebook : path-like
        The template notebook (output-free, one ``parameters`` cell).
    output_path : path-like
        Where the executed notebook goes; written atomically. On failure the
        partial notebook (with the error) is written there too.
    parameters : mapping, optional
        Values for declared parameters; anything else is refused.
    kernel_name : str, default "python3"
        Always passed, so a notebook saved with another kernel still runs.
    cwd : path-like, optional
        Working directory of the kernel; defaults to the notebook's folder,
        so relative paths in the notebook mean the same as in JupyterLab.
    timeout : float or None, default 600
        Seconds per cell.
    retries : int, default 1
        Extra attempts when the kernel fails to start (no cell ran).

    Returns
    -------
    RunResult

    Raises
    ------
    ParameterError
        Unknown parameter or wrong type (nothing is run).
    ReportError
        A cell failed: names notebook, ``In [n]``, the error and the partial output.
    """
    import nbformat
    from nbclient.exceptions import CellTimeoutError
    from papermill.exceptions import PapermillExecutionError

    src = os.fspath(notebook)
    timeout = time_limit("timeout", timeout, fix="pass e.g. 600 seconds per cell, or 0 or None for no limit")
    declared = read_parameters(src)
    params = check_parameters(declared, dict(parameters or {}), notebook=src)
    out = Path(output_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = str(out.with_name(f".{out.stem}.{os.getpid()}.partial.ipynb"))
    started, t0 = _now(), time.perf_counter()
    done: list[RunResult] = []

    def finish(nb):                   # the engine calls it before papermill writes the notebook
        result = RunResult(notebook=src, output_path=str(out), parameters=params, records=read_records(nb),
                           started=started, duration_s=round(time.perf_counter() - t0, 3),
                           versions=environment_versions())
        full = [[k, params.get(k, p.default)] for k, p in declared.items()]  # a list keeps cell order
        nb.metadata["jmtools"] = {"source": src, "parameters": full, "injected": sorted(params),
                                  "declared": {k: {"annotation": p.annotation, "help": p.help}
                                               for k, p in declared.items()},
                                  "started": started, "duration_s": result.duration_s,
                                  "kernel_name": kernel_name, "versions": result.versions}
        done.append(result)

    try:
        nb = _execute(src, tmp, params, kernel_name=kernel_name,
                      cwd=os.fspath(cwd) if cwd else str(Path(src).resolve().parent),
                      timeout=timeout, retries=retries, finish=finish)  # the notebook papermill wrote to tmp
    except PapermillExecutionError as err:
        os.replace(tmp, out) if os.path.exists(tmp) else None
        raise failed_cell(err, src, out, partial_cells(out)) from None
    except CellTimeoutError:
        raise _timed_out(src, tmp, out, timeout) from None
    except Exception as err:
        os.replace(tmp, out) if os.path.exists(tmp) else None
        raise not_run(err, src, out, kernel_name) from None
    if done:                          # written by papermill with the metadata; end it as nbformat.write does
        with open(tmp, "rb+") as fh:
            fh.seek(-1, os.SEEK_END)
            fh.write(b"" if fh.read(1) == b"\n" else b"\n")
    else:                             # not finished by the engine (it is always): complete it here
        finish(nb)
        nbformat.write(nb, tmp)
    os.replace(tmp, out)
    return done[-1]


def _timed_out(src: str, tmp: str, out: Path, timeout: float | None) -> ReportError:
    """The error of a cell that ran out of time: the cell is named and marked in the partial
    output (its kernel was killed, so the cell itself shows no error)."""
    import nbformat

    limit = f"{timeout:g} s" if timeout else "its time limit"
    evalue = f"the cell ran longer than the time limit of {limit} per cell and was stopped"
    nb = nbformat.read(tmp, as_version=4) if os.path.exists(tmp) else None
    ran = [(i, c) for i, c in enumerate(nb.cells if nb else [])
           if c.cell_type == "code" and c.get("execution_count")]
    index, cell = ran[-1] if ran else (None, None)
    if cell is not None:
        cell.outputs.append(nbformat.v4.new_output("error", ename="CellTimeoutError",
                                                   evalue=evalue, traceback=[evalue]))
        nbformat.write(nb, tmp)
    if os.path.exists(tmp):
        os.replace(tmp, out)
    n = cell.execution_count if cell is not None else None
    name = cell_name(nb.cells, index) if cell is not None else ""
    where = f"In [{n}]{', ' + name if name else ''}" if cell is not None else "a cell"
    return ReportError(
        f"{src} stopped at {where}: {evalue}\n  Partial output: "
        f"{out if out.exists() else 'none'}\n  Fix: allow more time per cell (jmtools report or "
        "batch --timeout SECONDS; run_notebook(timeout=...)), or try the report on a smaller "
        "data folder first", notebook=src, cell=index, execution_count=n,
        output_path=str(out) if out.exists() else None, ename="CellTimeoutError", evalue=evalue)
