"""Strict papermill runner: declared parameters only, failures that name the cell.

A whole run, in order:

1. :func:`read_parameters` parses the notebook's one cell tagged ``parameters``
   (:mod:`jmtools.report.parameters`, with steps 1 and 2);
2. :func:`check_parameters` refuses unknown names and values of the wrong type, and
   :func:`parse_value` turns command-line text into the declared type;
3. :func:`run_notebook` executes with papermill (kernel ``python3``), writes the
   executed notebook atomically, stores run metadata (parameters, dates,
   versions, records) in ``metadata.jmtools``, and turns a failed cell into a
   :class:`jmtools.core.errors.ReportError` naming notebook, ``In [n]`` and the partial
   output file.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

import jmtools
from jmtools.core.errors import ReportError, time_limit
from jmtools.report._engine import FINISH, engine_name, kernel_manager_class
from jmtools.report.failure import cell_name, failed_cell, not_run, partial_cells
from jmtools.report.parameters import Parameter, check_parameters, parse_value, read_parameters
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
             timeout: float | None, retries: int, finish=None, kernel_stderr=None):
    """Run ``src`` into ``tmp`` with papermill; the executed notebook, as written to ``tmp``
    (``finish(nb)`` completes a run whose cells all ran before it is written). The kernel's
    own terminal output (what its cells print goes into the notebook) goes to the file
    ``kernel_stderr``, not to the user's terminal (decision D74)."""
    import papermill as pm
    from papermill.exceptions import PapermillExecutionError

    for attempt in range(retries + 1):
        try:
            with _kernel_environment():
                return pm.execute_notebook(src, tmp, parameters=parameters, kernel_name=kernel_name,
                                           cwd=cwd, progress_bar=False, log_output=False,
                                           execution_timeout=timeout, start_timeout=120,
                                           kernel_manager_class=kernel_manager_class(),
                                           engine_name=engine_name(), kernel_stderr=kernel_stderr,
                                           **{FINISH: finish})
        except PapermillExecutionError:
            raise
        except Exception:
            # a kernel that failed to start (ZMQ port race, slow machine) ran no cell: retry
            if attempt >= retries or _ran_any_cell(tmp):
                raise
            time.sleep(1 + attempt)


def _tail(log, lines: int = 5, chars: int = 600) -> str:
    """The last ``lines`` non-blank lines of the kernel's terminal output, at most ``chars``
    characters ("" when it wrote nothing or the file cannot be read)."""
    with contextlib.suppress(OSError, ValueError):
        end = log.seek(0, os.SEEK_END)
        log.seek(max(0, end - 8 * chars))
        said = [ln.rstrip() for ln in log.read().decode("utf-8", "replace").splitlines() if ln.strip()]
        return "\n".join(said[-lines:])[-chars:]
    return ""


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

    with tempfile.TemporaryFile("w+b") as kernel_log:   # removed when the run ends
        try:
            nb = _execute(src, tmp, params, kernel_name=kernel_name,
                          cwd=os.fspath(cwd) if cwd else str(Path(src).resolve().parent),
                          timeout=timeout, retries=retries, finish=finish,
                          kernel_stderr=kernel_log)  # the notebook papermill wrote to tmp
        except PapermillExecutionError as err:
            os.replace(tmp, out) if os.path.exists(tmp) else None
            raise failed_cell(err, src, out, partial_cells(out)) from None
        except CellTimeoutError:
            raise _timed_out(src, tmp, out, timeout) from None
        except Exception as err:
            os.replace(tmp, out) if os.path.exists(tmp) else None
            raise not_run(err, src, out, kernel_name, kernel_said=_tail(kernel_log)) from None
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
