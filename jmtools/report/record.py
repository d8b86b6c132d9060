"""How a notebook records its key figures and data sources for the report.

A notebook calls :func:`record` for each headline number and :func:`record_source`
for each file it reads. Both emit a display output with the custom mimetype
``application/vnd.jmtools.record+json``: JupyterLab and the HTML export show
nothing for it, and the runner reads it back from the executed notebook
(:func:`read_records`), so the numbers travel with the notebook itself. The batch
runner also writes them to a JSON sidecar next to each report, so later runs can
show trends.

Recorded values must be JSON-serialisable and must not depend on the clock:
the same input gives the same records, which tests compare run to run.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
from pathlib import Path
from typing import Any, Mapping

__all__ = [
    "RECORD_MIMETYPE",
    "record",
    "figure_payload",
    "record_source",
    "source_info",
    "read_records",
    "figure_table",
    "format_figure",
]

#: Output mimetype that carries a record; invisible in JupyterLab and in reports.
RECORD_MIMETYPE = "application/vnd.jmtools.record+json"


def _jsonable(value: Any) -> Any:
    """Turn numpy/pandas scalars into plain JSON values; NaN becomes None."""
    if hasattr(value, "item") and not isinstance(value, (list, dict, str)):
        try:
            value = value.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_jsonable(v) for v in value]
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    raise TypeError(f"record values must be JSON values (numbers, strings, lists, dicts) "
                    f"— got {type(value).__name__}\n  Fix: convert it first, e.g. float(x) or str(x)")


def _emit(payload: dict) -> None:
    try:
        from IPython import get_ipython
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython ships with ipykernel
        return
    if get_ipython() is not None:
        display({RECORD_MIMETYPE: payload}, raw=True)


def figure_payload(name: str, value: Any, *, label: str | None = None, n: int | None = None,
                   ci: tuple[float, float] | None = None, unit: str = "",
                   headline: bool = False, fmt: str | None = None) -> dict:
    """The record :func:`record` emits, as a dict (parameters as for :func:`record`).

    Examples
    --------
    >>> r = figure_payload("conversion", 0.25, n=400, ci=(0.21, 0.29), unit="%", headline=True)
    >>> r["kind"], r["value"], r["n"], r["ci"]
    ('figure', 0.25, 400, [0.21, 0.29])
    """
    return {"kind": "figure", "name": str(name), "value": _jsonable(value),
            "label": label or str(name), "n": None if n is None else int(n),
            "ci": None if ci is None else [_jsonable(ci[0]), _jsonable(ci[1])],
            "unit": unit, "headline": bool(headline), "fmt": fmt}


def record(name: str, value: Any, *, label: str | None = None, n: int | None = None,
           ci: tuple[float, float] | None = None, unit: str = "", headline: bool = False,
           fmt: str | None = None) -> None:
    """Record one key figure of a report run.

    In a kernel this emits an output with :data:`RECORD_MIMETYPE` (invisible to
    readers); elsewhere it does nothing. Returns None, so it can end a cell.

    Parameters
    ----------
    name : str
        Stable identifier (``conversion_rate``); later runs are compared by name.
    value : number, str, list or dict
        The figure; numpy and pandas scalars are converted, NaN becomes None.
    label : str, optional
        What a reader sees in the index (defaults to ``name``).
    n : int, optional
        How many customers/answers the figure rests on.
    ci : (float, float), optional
        95% interval when the figure is an estimate.
    unit : str, default ""
        ``"%"`` for rates given as fractions (shown ×100), or a unit such as ``"h"``.
    headline : bool, default False
        Show this figure in the batch index.
    fmt : str, optional
        Python format spec for the value (``".1f"``).

    Examples
    --------
    >>> record("conversion", 0.25, n=400, ci=(0.21, 0.29), unit="%", headline=True)
    """
    _emit(figure_payload(name, value, label=label, n=n, ci=ci, unit=unit, headline=headline,
                         fmt=fmt))


def source_info(path, *, rows: int | None = None,
                role: str | None = None, root: str | os.PathLike | None = None) -> dict:
    """Describe one input file: path, size, SHA-256 and row count.

    Parameters
    ----------
    path : path-like or list of path-like
        The file that was read; a table's folder of part files (its files by their paths in
        it), or the parts of one table (a list, D259): named ``events/ + events.csv``, sized
        and hashed together (D264).
    rows : int, optional
        Rows read from it (after parsing, before any filtering).
    role : str, optional
        What the file is (``events``, ``journey``…).
    root : path-like, optional
        Paths are shown relative to this folder when they are inside it.

    Returns
    -------
    dict
        ``kind, path, role, bytes, sha256, rows``.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "a.csv")
    ...     _ = open(p, "w").write("x\\n1\\n")
    ...     info = source_info(p, rows=1, root=d)
    >>> info["path"], info["bytes"], info["sha256"][:12]
    ('a.csv', 4, 'daff832f8020')
    >>> with tempfile.TemporaryDirectory() as d:
    ...     os.makedirs(os.path.join(d, "events", "month=1"))
    ...     _ = open(os.path.join(d, "events", "month=1", "p.csv"), "w").write("x\\n1\\n")
    ...     _ = open(os.path.join(d, "more.csv"), "w").write("x\\n")
    ...     info = source_info([os.path.join(d, "events"), os.path.join(d, "more.csv")], root=d)
    >>> info["path"], info["bytes"]
    ('events/ + more.csv', 6)
    """
    paths = [Path(p) for p in path] if isinstance(path, (list, tuple)) else [Path(path)]
    digest, size = hashlib.sha256(), 0
    for p in paths:
        for f in sorted(x for x in p.rglob("*") if x.is_file()) if p.is_dir() else [p]:
            if p.is_dir():              # a part's place in the folder is part of what was read
                digest.update(f.relative_to(p).as_posix().encode("utf-8"))
            with open(f, "rb") as fh:
                for block in iter(lambda: fh.read(1 << 20), b""):
                    digest.update(block)
            size += f.stat().st_size
    return {"kind": "source", "path": " + ".join(_shown(p, root) for p in paths), "role": role,
            "bytes": size, "sha256": digest.hexdigest(), "rows": None if rows is None else int(rows)}


def _shown(p: Path, root) -> str:
    """``p`` relative to ``root`` when inside it; a folder ends in ``/``."""
    shown = p
    if root is not None:
        try:
            shown = p.resolve().relative_to(Path(root).resolve())
        except ValueError:
            shown = p
    return shown.as_posix() + ("/" if p.is_dir() else "")


def record_source(path, *, rows: int | None = None, role: str | None = None,
                  root: str | os.PathLike | None = None) -> None:
    """Record that the report read ``path`` (hash and row count go into the provenance).

    Parameters are those of :func:`source_info`. Returns None.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "e.csv")
    ...     _ = open(p, "w").write("a\\n")
    ...     record_source(p, rows=0, role="events")
    """
    _emit(source_info(path, rows=rows, role=role, root=root))


def _outputs(nb) -> list:
    for cell in nb.get("cells", []):
        for out in cell.get("outputs", []) or []:
            if out.get("output_type") in ("display_data", "execute_result"):
                yield out


def read_records(nb) -> dict:
    """Collect what an executed notebook recorded.

    Parameters
    ----------
    nb : nbformat.NotebookNode or dict
        An executed notebook.

    Returns
    -------
    dict
        ``{"figures": {name: payload}, "sources": [payload, ...]}``; a figure recorded
        twice keeps its last value; sources keep first-seen order, one per path.

    Examples
    --------
    >>> nb = {"cells": [{"cell_type": "code", "outputs": [
    ...     {"output_type": "display_data", "data": {RECORD_MIMETYPE: {"kind": "figure",
    ...      "name": "n_customers", "value": 12}}}]}]}
    >>> read_records(nb)["figures"]["n_customers"]["value"]
    12
    """
    figures: dict[str, dict] = {}
    sources: dict[str, dict] = {}
    for out in _outputs(nb):
        payload = out.get("data", {}).get(RECORD_MIMETYPE)
        if isinstance(payload, str):  # some writers store JSON mimetypes as text
            payload = json.loads(payload)
        if not isinstance(payload, dict):
            continue
        if payload.get("kind") == "figure":
            figures[payload["name"]] = dict(payload)
        elif payload.get("kind") == "source":
            sources.setdefault(payload["path"], dict(payload))
    return {"figures": figures, "sources": list(sources.values())}


def format_figure(payload: Mapping) -> str:
    """Format a recorded figure for a reader: value, unit, interval and n.

    Examples
    --------
    >>> format_figure({"value": 0.253, "unit": "%", "n": 400, "ci": [0.21, 0.3]})
    '25.3% (95% CI 21.0% to 30.0%, n=400)'
    >>> format_figure({"value": -1.0, "fmt": "+.2f", "n": 151, "ci": [-1.1, -0.87]})
    '−1.00 (95% CI −1.10 to −0.87, n=151)'
    >>> format_figure({"value": 12, "unit": "", "n": None, "ci": None})
    '12'
    >>> format_figure({"value": ["Budget Ben", "Marathon Maya"]})
    'Budget Ben; Marathon Maya'
    """
    value, unit = payload.get("value"), payload.get("unit") or ""
    spec = payload.get("fmt")

    def one(v):
        if v is None:
            return "–"
        if isinstance(v, (list, tuple)):    # a list of names: no Python brackets and quotes
            return "; ".join(map(one, v)) or "–"
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            return str(v)
        if unit == "%":
            text = format(v * 100, spec or ".1f") + "%"
        elif spec:
            text = format(v, spec) + (f" {unit}" if unit else "")
        else:
            text = f"{v:,}" if isinstance(v, int) else f"{v:,.3g}" if abs(v) < 1000 else f"{v:,.0f}"
            text += f" {unit}" if unit else ""
        return text.replace("-", "−")

    text = one(value)
    extra = []
    ci = payload.get("ci")
    if ci and None not in ci:
        extra.append(f"95% CI {one(ci[0])} to {one(ci[1])}")
    if payload.get("n") is not None:
        extra.append(f"n={payload['n']:,}")
    return text + (f" ({', '.join(extra)})" if extra else "")


def figure_table(records: Mapping) -> list[dict]:
    """Rows ``{name, label, text, value, n}`` of the recorded figures, in record order.

    Examples
    --------
    >>> figure_table({"figures": {"a": {"name": "a", "label": "A", "value": 1, "n": 3}}})
    [{'name': 'a', 'label': 'A', 'text': '1 (n=3)', 'value': 1, 'n': 3, 'headline': False}]
    """
    return [{"name": f["name"], "label": f.get("label") or f["name"], "text": format_figure(f),
             "value": f.get("value"), "n": f.get("n"), "headline": bool(f.get("headline"))}
            for f in records.get("figures", {}).values()]
