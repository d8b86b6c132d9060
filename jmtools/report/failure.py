"""The error of a report cell that failed: named by its section and what it does, with one Fix.

:func:`jmtools.report.runner.run_notebook` raises :func:`failed_cell` when papermill stops at a
cell. A cell of the journey report is one call (``sections.where_it_hurts(f, top_n=top_n)``)
under a Markdown heading ("## Where it hurts"); its first line may be a comment, so the cell is
named by the heading above it and its first line of code. A jmtools error raised in the cell
already says what to do ("Fix: …"): that Fix is the message's only one, followed by where the
traceback is; another error gets the runner's own Fix. A run that stopped before any cell
failed (no kernel, a disk that is full or read-only) is worded by :func:`not_run`.
"""

from __future__ import annotations

import errno
import re
from pathlib import Path

from jmtools.core.errors import ReportError

__all__ = ["failed_cell", "cell_name", "partial_cells", "not_run"]

_FIX = re.compile(r"\n\s*Fix:\s*")


def cell_name(cells, index: int | None, source: str | None = None) -> str:
    """``section 'Where it hurts', `sections.where_it_hurts(f)``` for the cell at ``index``.

    The section is the heading the cell printed itself (notebook 00's curve section, D210), else
    the last Markdown heading above the cell; the code is its first line that is neither blank
    nor a comment, cut to 60 characters (and "…").

    Examples
    --------
    >>> cells = [{"cell_type": "markdown", "source": "## Where it hurts\\nText."},
    ...          {"cell_type": "code", "source": "# ranked\\nsections.where_it_hurts(f, top_n=top_n)"}]
    >>> cell_name(cells, 1)
    "section 'Where it hurts', `sections.where_it_hurts(f, top_n=top_n)`"
    >>> said = {"output_type": "display_data", "data": {"text/markdown": "## Where customers meet friction\\nText."}}
    >>> cell_name(cells + [{"cell_type": "code", "source": "sections.feelings(f)", "outputs": [said]}], 2)
    "section 'Where customers meet friction', `sections.feelings(f)`"
    >>> cell_name([], None, "x = 1")
    '`x = 1`'
    >>> cell_name([], None, "sections.where_it_hurts(f, top_n=top_n, min_group=min_group, more=True)")
    '`sections.where_it_hurts(f, top_n=top_n, min_group=min_group…`'
    """
    cells = list(cells or [])
    if source is None and index is not None and 0 <= index < len(cells):
        source = cells[index]["source"]
    code = next((ln.strip() for ln in (source or "").splitlines()
                 if ln.strip() and not ln.strip().startswith("#")), "")
    code = code if len(code) <= 60 else code[:59] + "…"
    own = cells[index] if index is not None and 0 <= index < len(cells) else {}
    printed = next((_text(out["data"]["text/markdown"]) for out in own.get("outputs") or []
                    if "text/markdown" in (out.get("data") or {})), "")
    section = printed[3:].split("\n", 1)[0].strip() or None if printed.startswith("## ") else None
    for cell in reversed(cells[:index] if index is not None and section is None else []):
        heads = re.findall(r"^#{1,6}\s+(.+?)\s*#*\s*$", _text(cell["source"]), flags=re.M)
        if cell["cell_type"] == "markdown" and heads:
            section = heads[-1]
            break
    parts = ([f"section {section!r}"] if section else []) + ([f"`{code}`"] if code else [])
    return ", ".join(parts)


def _text(text) -> str:
    return "".join(text) if isinstance(text, list) else text


def failed_cell(err, src: str, out, cells=()) -> ReportError:
    """The :class:`ReportError` of a papermill execution error ``err`` in notebook ``src``.

    Examples
    --------
    >>> from types import SimpleNamespace
    >>> err = SimpleNamespace(exec_count=7, cell_index=1, ename="ParameterError",
    ...                       source="# ranked\\nsections.where_it_hurts(f, top_n=0)",
    ...                       evalue="top_n must be a whole number, 1 or more — got 0\\n  Fix: pass e.g. 5")
    >>> cells = [{"cell_type": "markdown", "source": "## Where it hurts"}, {"cell_type": "code", "source": ""}]
    >>> print(failed_cell(err, "00.ipynb", "out.ipynb", cells))
    00.ipynb failed at In [7], section 'Where it hurts', `sections.where_it_hurts(f, top_n=0)`: ParameterError: top_n must be a whole number, 1 or more — got 0
      Partial output: out.ipynb
      Fix: pass e.g. 5 (the traceback is under In [7] of the partial output)
    """
    evalue = str(err.evalue or "")
    what, *fixes = _FIX.split(evalue, maxsplit=1)
    what = what.strip() or "(no message)"          # raise SystemExit, assert x: no text to show
    where = f"the traceback is under In [{err.exec_count}] of the partial output"
    fix = f"{fixes[0].strip()} ({where})" if fixes else f"open the partial output and read it: {where}"
    name = cell_name(cells, err.cell_index, err.source)
    return ReportError(
        f"{src} failed at In [{err.exec_count}]{', ' + name if name else ''}: {err.ename}: "
        f"{what}\n  Partial output: {out}\n  Fix: {fix}", notebook=src, cell=err.cell_index,
        execution_count=err.exec_count, output_path=str(out), ename=err.ename, evalue=err.evalue)


def partial_cells(path) -> list:
    """The cells of the partial output at ``path``, to name the failed cell by; none when it is
    missing or cannot be read (cut short by a full disk), so that the cell's error is still raised.

    Examples
    --------
    >>> partial_cells("no/such/partial.ipynb")
    []
    """
    import nbformat

    try:
        return list(nbformat.read(Path(path), as_version=4).cells)
    except Exception:  # noqa: BLE001 — nbformat raises JSON, schema and I/O errors
        return []


#: Errors of a disk that cannot take the output (the run itself was not at fault).
_DISK = {errno.ENOSPC: "the disk is full", errno.EDQUOT: "the disk quota is used up",
         errno.EROFS: "the folder is read-only", errno.EACCES: "writing there is not allowed",
         errno.EPERM: "writing there is not allowed"}


def not_run(err: BaseException, src: str, out: Path, kernel_name: str, kernel_said: str = "") -> ReportError:
    """The :class:`ReportError` of a run that stopped before a cell failed: the kernel did not
    start or died, or the output could not be written (a full or read-only disk: its own Fix).
    ``kernel_said`` is the end of the kernel's own terminal output, quoted when not empty.

    Examples
    --------
    >>> import errno
    >>> e = OSError(errno.ENOSPC, "No space left on device", "out/.r.partial.ipynb")
    >>> print(not_run(e, "00.ipynb", Path("out/r.ipynb"), "python3"))
    00.ipynb could not be run: OSError: [Errno 28] No space left on device: 'out/.r.partial.ipynb'
      Partial output: none
      Fix: the disk is full: free space there, or write the report to another folder (--output)
    """
    why = _DISK.get(getattr(err, "errno", None)) if isinstance(err, OSError) else None
    fix = (f"{why}: free space there, or write the report to another folder (--output)"
           if why in (_DISK[errno.ENOSPC], _DISK[errno.EDQUOT]) else
           f"{why}: write the report to a folder you can write to (--output)" if why else
           "the kernel stopped during a cell (out of memory, or a crash inside a library): read "
           "what the kernel said and the partial output's last cell; try less data, or more memory"
           if type(err).__name__ == "DeadKernelError" else
           f"check that the kernel '{kernel_name}' is installed (jupyter kernelspec list)")
    said = "".join(f"\n  Kernel said: {ln}" for ln in kernel_said.splitlines())
    return ReportError(f"{src} could not be run: {type(err).__name__}: {err}{said}\n  Partial output: "
                       f"{out if out.exists() else 'none'}\n  Fix: {fix}",
                       notebook=src, output_path=str(out) if out.exists() else None,
                       ename=type(err).__name__, evalue=str(err))
