"""Unattended report runs: strict papermill runner, offline HTML, batches with an index.

The pipeline, one module per step:

- :mod:`jmtools.report.runner` — run a notebook with declared parameters only;
- :mod:`jmtools.report.record` — what a notebook records (key figures, input files);
- :mod:`jmtools.report.html` — self-contained offline HTML (interactive and static);
- :mod:`jmtools.report.jobs` — the reports of a batch: one per persona, or a checked config file;
- :mod:`jmtools.report.batch` — many runs in parallel processes, an ``index.html`` and history.
- :mod:`jmtools.report.past_runs` — a batch folder's ``history.jsonl`` read back (earlier runs, figures).

Names are imported lazily, so ``import jmtools.report`` loads neither papermill nor nbconvert.
"""

from __future__ import annotations

from jmtools.core.lazy import lazy_names

# Eager on purpose: the submodule ``record`` and the function ``record`` share a name;
# importing the function here makes ``jmtools.report.record`` the function for callers
# of ``from jmtools.report import record`` (record.py is light: json and hashlib only).
from jmtools.report.record import read_records, record, record_source  # noqa: E402

__all__ = [
    "record",
    "record_source",
    "read_records",
    "read_parameters",
    "run_notebook",
    "export_html",
    "run_report",
    "run_batch",
    "load_batch_config",
    "load_history",
]

_HOME = {
    "read_parameters": "runner", "run_notebook": "runner",
    "export_html": "html",
    "run_report": "batch", "run_batch": "batch", "load_batch_config": "jobs",
    "load_history": "past_runs",
    "job_problems": "_entries", "Job": "jobs",     # for `jmtools report`, whose parent stays light (D257)
}

__getattr__, __dir__ = lazy_names(__name__, _HOME, __all__)
