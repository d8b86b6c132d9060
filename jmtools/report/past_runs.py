"""The history of a batch folder: ``history.jsonl`` read back (earlier runs, key figures).

:mod:`jmtools.report.batch` appends one line per report per run; a report's "Since last
time" (:mod:`jmtools.report.iterate`) and the batch's index read it here, without the
batch's runner, HTML export and PDF printing.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Mapping

from jmtools.core.errors import JmtoolsError
from jmtools.journey import Journey

__all__ = ["earlier_runs", "load_history"]


def _read_history(path: Path) -> list[dict]:
    if not path.exists():
        return []
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines():
        try:
            rows.append(json.loads(line))
        except json.JSONDecodeError:
            continue  # a torn line from an interrupted run: skip it
    return rows


def _latest_previous(path: Path, run_id: str) -> dict:
    """report name → {"run_id", "figures"} of its most recent earlier run."""
    latest: dict[str, dict] = {}
    for row in _read_history(path):
        if row.get("run_id", "") < run_id and row["run_id"] >= latest.get(row["report"], {}).get(
                "run_id", ""):
            latest[row["report"]] = row
    return latest


def earlier_runs(out_dir: str | os.PathLike, focus, journey_name: str | None = None) -> list[dict]:
    """The runs recorded in ``out_dir/history.jsonl`` about the same focus (persona and
    segment; any data folder, so a weekly batch on new exports finds last week's), oldest first.

    Each is a dict: ``run_id``, ``report``, ``parameters``, ``map`` (the kept journey file,
    relative to ``out_dir``, or None) and ``figures``.

    Parameters
    ----------
    out_dir : path
        A batch output folder.
    focus : jmtools.pipeline.Focus
        Persona and segment of this report.
    journey_name : str, optional
        The journey's ``name``: keep only runs whose kept journey file has the same name, so
        that folders holding several worlds' reports (``jmtools demo``) never compare one
        world's "all customers" with another's. A run without a kept journey file cannot be
        told apart: it is kept only while no run of the folder shows another journey.

    Examples
    --------
    >>> import tempfile
    >>> from jmtools.pipeline import Focus
    >>> earlier_runs(tempfile.mkdtemp(), Focus())
    []
    """
    def same(params: Mapping) -> bool:
        return (str(params.get("persona", "all")) == focus.persona
                and str(params.get("segment", "") or "") == (focus.segment or ""))

    rows = [r for r in _read_history(Path(out_dir) / "history.jsonl")
            if isinstance(r, dict) and isinstance(r.get("parameters"), dict) and same(r["parameters"])]
    if journey_name is not None:
        names = {kept: _journey_name(Path(out_dir) / kept)
                 for kept in {r.get("map") for r in rows} if isinstance(kept, str)}
        mixed = any(n != journey_name for n in names.values())   # the folder holds another journey
        rows = [r for r in rows if names.get(r.get("map")) == journey_name
                or (not mixed and not isinstance(r.get("map"), str))]
    return sorted(rows, key=lambda r: str(r.get("run_id", "")))


def _journey_name(path: Path) -> str | None:
    """The ``name`` of a kept journey file, or None when it cannot be read."""
    try:
        return Journey.load(path).name
    except (OSError, JmtoolsError, ValueError):
        return None


def load_history(out_dir: str | os.PathLike):
    """Key figures of every past batch run in ``out_dir`` as a tidy DataFrame.

    Returns
    -------
    pandas.DataFrame
        Columns ``run_id, report, figure, value, n``, one row per figure per report per run,
        ordered by run, report and figure — ready for a trend chart.
    """
    import pandas as pd

    rows = [{"run_id": r["run_id"], "report": r["report"], "figure": k,
             "value": f.get("value"), "n": f.get("n")}
            for r in _read_history(Path(out_dir) / "history.jsonl")
            for k, f in r.get("figures", {}).items()]
    cols = ["run_id", "report", "figure", "value", "n"]
    frame = pd.DataFrame(rows, columns=cols)
    return frame.sort_values(["run_id", "report", "figure"], kind="stable").reset_index(drop=True)
