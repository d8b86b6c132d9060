"""Many report runs at once: parallel processes, isolated failures, an index and history.

:func:`run_batch` runs one :class:`Job` per persona or segment in worker processes
(each starts its own kernel), shows a progress bar, and never lets one failing
report stop the others: a failed job becomes a row in the summary with its reason
and the partial notebook. Every file is written atomically. The output folder::

    index.html              links every report with its headline figures and trends
    <name>.html             interactive report (offline, Vega inlined)
    <name>.static.html      static variant (PNG charts, no script) for e-mail
    <name>.pdf              with pdf=True: the report printed by headless Chromium
    <name>.json             sidecar: parameters, key figures, sources, versions, status
    notebooks/<name>.ipynb  executed notebook (the partial one when the run failed)
    history.jsonl           one line per report per run, so later runs can show trends
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import json
import os
import sys
import time
import traceback
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Mapping, Sequence

from jmtools.core.errors import JmtoolsError, ParameterError, ReportError, time_limit, whole_number
from jmtools.core.resources import resolve_data_dir
from jmtools.report._entries import _entry_failures
from jmtools.report.dashboard import write_index
from jmtools.sources import journey_path
from jmtools.report.html import atomic_write_text, export_html, prepare_exporter
from jmtools.report.jobs import Job, load_batch_config, persona_jobs, slug
from jmtools.report.pdf import export_pdf
from jmtools.report.past_runs import _latest_previous, earlier_runs, load_history
from jmtools.report.prepared import prepared_once
from jmtools.report.runner import (check_parameters, environment_versions, read_parameters,
                                   run_notebook)

__all__ = [
    "Job",
    "JobResult",
    "BatchResult",
    "slug",
    "persona_jobs",
    "load_batch_config",
    "run_report",
    "run_batch",
    "write_index",
    "load_history",
    "earlier_runs",
]


@dataclass
class JobResult:
    """What one job produced (picklable; returned by worker processes)."""

    name: str
    stem: str
    status: str
    parameters: dict
    title: str | None = None
    html: str | None = None
    static_html: str | None = None
    pdf: str | None = None
    executed_notebook: str | None = None
    sidecar: str | None = None
    figures: dict = field(default_factory=dict)
    sources: list = field(default_factory=list)
    started: str | None = None
    duration_s: float = 0.0
    error: str | None = None
    error_type: str | None = None

    @property
    def ok(self) -> bool:
        """True when the report was produced."""
        return self.status == "ok"


@dataclass
class BatchResult:
    """Summary of a batch: results in job order, index and history paths."""

    results: list
    out_dir: str
    index: str
    history: str
    run_id: str
    duration_s: float
    notes: list = field(default_factory=list)  # e.g. a job left out as the same report as another

    @property
    def failed(self) -> list:
        """Results of the jobs that failed."""
        return [r for r in self.results if not r.ok]

    def summary(self) -> str:
        """Readable summary: counts, where the index is, and why each failure happened."""
        ok = len(self.results) - len(self.failed)
        lines = [f"{ok} of {len(self.results)} reports written in {self.duration_s:.1f} s: "
                 f"{self.index}"]
        lines += [f"  NOTE {note}" for note in self.notes]
        for r in self.failed:
            said = r.error.strip().splitlines() if r.error else ["unknown error"]
            # refused before a kernel: every problem found in its entry, each with its fix below it
            more = [x for x in said[1:] if not x.startswith(" ") or x.startswith("  Fix: ")] \
                if _refused_early(r) else []
            lines.append(f"  FAILED {r.name}: {said[0]}")
            lines += [f"         {x}" for x in more]
            if r.executed_notebook:
                lines.append(f"         partial notebook: "
                             f"{Path(self.out_dir) / r.executed_notebook}")
        return "\n".join(lines)


def _now() -> str:
    return _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()


def _write_json(path: Path, data) -> None:
    atomic_write_text(path, json.dumps(data, indent=2, ensure_ascii=False, sort_keys=False) + "\n")


def run_report(job: Job, out_dir: str | os.PathLike, *, static: bool = True, pdf: bool = False,
               timeout: float | None = 600, previous: Mapping | None = None) -> JobResult:
    """Run one job and write its HTML, static HTML and JSON sidecar; never raises.

    Parameters
    ----------
    job : Job
    out_dir : path-like
    static : bool, default True
        Also write ``<name>.static.html``.
    pdf : bool, default False
        Also print ``<name>.pdf`` (:func:`jmtools.report.pdf.export_pdf`, headless Chromium).
    timeout : float or None
        Seconds per notebook cell.
    previous : mapping, optional
        The previous run's key figures of this report: its headline compares with them.

    Returns
    -------
    JobResult
        ``status`` is ``"ok"`` or ``"failed"`` (with ``error`` and ``error_type``).

    Notes
    -----
    A notebook that declares ``history_dir`` and is not given one reads the history of
    ``out_dir`` (its "Since last time" section); the recorded parameters stay the job's own.
    """
    out = Path(out_dir)
    stem = job.stem
    res = JobResult(name=job.name, stem=stem, status="failed", parameters=dict(job.parameters),
                    title=job.title, started=_now())
    executed = out / "notebooks" / f"{stem}.ipynb"
    t0 = time.perf_counter()
    warming = prepare_exporter()     # a worker's first report: nbconvert's imports while its kernel runs
    try:
        run = run_notebook(job.notebook, executed, parameters=_with_history(job, out), timeout=timeout)
        warming.join()
        res.executed_notebook = str(executed)
        res.figures, res.sources = run.records["figures"], run.records["sources"]
        res.started = run.started
        res.html = export_html(executed, out / f"{stem}.html", previous=previous).name
        if static:
            res.static_html = export_html(executed, out / f"{stem}.static.html", static=True,
                                          previous=previous).name
        if pdf:
            res.pdf = export_pdf(out / res.html, out / f"{stem}.pdf").name
        res.status = "ok"
    except ReportError as err:
        res.error, res.error_type = str(err), err.ename or type(err).__name__
        res.executed_notebook = err.output_path
    except Exception as err:  # isolate: one broken report never stops the batch
        res.error = f"{type(err).__name__}: {err}\n{traceback.format_exc(limit=3)}"
        res.error_type = type(err).__name__
    res.duration_s = round(time.perf_counter() - t0, 3)
    if res.executed_notebook:
        res.executed_notebook = os.path.relpath(res.executed_notebook, out)
    res.sidecar = f"{stem}.json"
    try:
        _write_json(out / res.sidecar, _sidecar(res, job))
    except OSError as err:
        res.status, res.error = "failed", f"could not write the sidecar: {err}"
    return res


def _with_history(job: Job, out: Path) -> dict:
    params = dict(job.parameters)
    if "history_dir" not in params and "history_dir" in read_parameters(job.notebook):
        params["history_dir"] = str(out.resolve())
    return params


def _sidecar(res: JobResult, job: Job) -> dict:
    data = asdict(res)
    data["notebook"] = job.notebook
    data["versions"] = environment_versions()
    return data


def _once(jobs: Sequence[Job], declared: Mapping) -> tuple[list, list]:
    """The jobs, each report once, and a note per job left out: a job with the notebook and the
    parameters (declared defaults filled in) of an earlier one, such as ``personas_from``'s "all"
    beside a listed report for all customers, would write the same report twice (D200)."""
    kept, notes, seen = [], [], {}
    for job in jobs:
        given = {k: p.default for k, p in declared[job.notebook].items()} | dict(job.parameters)
        key = (job.notebook, json.dumps(given, sort_keys=True, default=str))
        if key not in seen:
            seen[key] = job
            kept.append(job)
            continue
        first = seen[key]
        notes.append(f"{_named(job)} is the same report as {_named(first)} (same notebook and parameters): "
                     f"written once, as {first.name!r}.")
    return kept, notes


def _named(job: Job) -> str:
    """A job as its batch config wrote it: ``'all' (batch.yaml line 5, reports[0])``."""
    where = job.origin or {}
    if not where:
        return repr(job.name)
    line = f" line {where['line']}" if where.get("line") else ""
    return f"{job.name!r} ({Path(where['source']).name}{line}, {where['entry']})"


def _check_jobs(jobs: Sequence[Job]) -> dict:
    """Refuse unknown parameters before any kernel starts; give colliding names distinct files.
    Returns each notebook's declared parameters."""
    declared = {}
    stems: dict[str, str] = {}
    for job in jobs:
        if job.notebook not in declared:
            declared[job.notebook] = read_parameters(job.notebook)
        try:
            check_parameters(declared[job.notebook], job.parameters, notebook=job.notebook)
        except ParameterError as err:
            raise _where_written(job, err) from None
        base, k = job.stem, 2
        while job.stem in stems:  # "Ben" and "ben", "All" and "all": distinct files, names kept
            job.file_stem = f"{base}-{k}"
            k += 1
        stems[job.stem] = job.name
    return declared


def _where_written(job: Job, err: ParameterError) -> ParameterError:
    """``err`` about one of ``job``'s parameters, named by the config file, line and key path
    that wrote it (as it was for a job not read from a config)."""
    keys = (job.origin or {}).get("keys", {})
    key = next((k for k in (err.value, err.name) if isinstance(k, str) and k in keys), None)
    if key is None:
        return err
    line, where, _ = keys[key]
    return ParameterError(f"{job.origin['source']}:{line}: {where} (report {job.name!r}): {err.name}",
                          err.value, expected=err.expected, fix=err.fix)


def _refused_early(result: JobResult) -> bool:
    """Whether ``result`` is a job refused before any kernel started (:func:`_refused`)."""
    return result.error_type == "ParameterError" and not result.executed_notebook


def _refused(job: Job, error: str, out: Path) -> JobResult:
    """The result of a job refused before any kernel started, with its sidecar."""
    res = JobResult(name=job.name, stem=job.stem, status="failed", parameters=dict(job.parameters),
                    title=job.title, started=_now(), error=error, error_type="ParameterError",
                    sidecar=f"{job.stem}.json")
    try:
        _write_json(out / res.sidecar, _sidecar(res, job))
    except OSError as err:
        res.error = f"{error}\n(could not write the sidecar: {err})"
    return res


def run_batch(jobs: Iterable[Job], out_dir: str | os.PathLike, *, workers: int | None = None,
              static: bool = True, progress: bool = True, timeout: float | None = 600,
              title: str = "Journey reports", pdf: bool = False) -> BatchResult:
    """Run every job in parallel processes, then write the index and append history.

    Parameters
    ----------
    jobs : iterable of Job
        Parameters are checked against each notebook before anything runs.
    out_dir : path-like
        Output folder (created).
    workers : int, optional
        Processes; default: number of CPUs, at most the number of jobs.
    static : bool, default True
        Also write the static (SVG) variant of each report.
    progress : bool, default True
        Show a progress bar on stderr.
    timeout : float or None, default 600
        Seconds per notebook cell.
    title : str
        Heading of ``index.html``.
    pdf : bool, default False
        Also print each report to ``<name>.pdf``.

    Returns
    -------
    BatchResult
        Failed jobs are in ``.failed`` with their reasons; nothing is raised for them.

    Raises
    ------
    ParameterError
        A job passes a parameter its notebook does not declare, or a value of the wrong type
        (nothing was run; a job from a batch config is named by file, line and key).

    Notes
    -----
    Before any kernel starts, each job's data folder and input files (``data_dir``,
    ``*_file``), persona (one of its journey's, whose rule runs on the customer table) and
    segment (a rule over the customer table's columns) are checked; a job that fails a check is
    not run and fails alone with the located reason (a "did you mean" for a near name; for a rule
    that cannot run, the journey file and line of the rule) and its fix, and the other jobs run.
    """
    import multiprocessing as mp
    from concurrent.futures import ProcessPoolExecutor, as_completed

    from tqdm.auto import tqdm

    jobs, notes = _once(list(jobs), _check_jobs(list(jobs)))
    refused = _entry_failures(jobs)
    out = Path(out_dir)
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:              # a file of that name, a read-only or missing drive
        raise ParameterError("out_dir", str(out_dir), expected="a folder the reports can be written in",
                             fix=f"name another folder ({exc.strerror or type(exc).__name__})") from None
    run_id, t0 = _now(), time.perf_counter()
    if workers is not None:
        whole_number("workers", workers, fix="leave workers out (None) for one process per CPU")
    timeout = time_limit("timeout", timeout, fix="pass e.g. 600 seconds per cell, or 0 or None for no limit")
    results: dict[int, JobResult] = {i: _refused(jobs[i], error, out) for i, error in refused.items()}
    to_run = [(i, job) for i, job in enumerate(jobs) if i not in refused]
    workers = max(1, min(workers or os.cpu_count() or 1, len(to_run)))
    history = out / "history.jsonl"
    previous = _latest_previous(history, run_id)
    kw = {"static": static, "pdf": pdf, "timeout": timeout}
    bar = tqdm(total=len(jobs), initial=len(refused), desc="reports", unit="report",
               disable=not progress, file=sys.stderr, leave=True)
    with prepared_once([job for _, job in to_run], out):  # each world's evidence prepared once
        if workers == 1:
            for i, job in to_run:
                results[i] = run_report(job, out, previous=_figures_of(previous, job), **kw)
                bar.set_postfix_str(f"{job.name}: {results[i].status}")
                bar.update()
        else:
            ctx = mp.get_context("spawn")  # a clean interpreter per worker: no inherited ZMQ state
            with ProcessPoolExecutor(max_workers=workers, mp_context=ctx) as pool:
                futures = {pool.submit(run_report, job, out, previous=_figures_of(previous, job), **kw): i
                           for i, job in to_run}
                for fut in as_completed(futures):
                    i = futures[fut]
                    try:
                        results[i] = fut.result()
                    except Exception as err:  # the worker process itself died
                        results[i] = JobResult(name=jobs[i].name, stem=jobs[i].stem, status="failed",
                                               parameters=jobs[i].parameters, title=jobs[i].title,
                                               error=f"worker process failed: {type(err).__name__}: "
                                                     f"{err}", error_type=type(err).__name__)
                    bar.set_postfix_str(f"{jobs[i].name}: {results[i].status}")
                    bar.update()
    bar.close()
    ordered = [results[i] for i in range(len(jobs))]
    _append_history(history, run_id, ordered, maps=[_keep_map(out, job) for job in jobs])
    index = write_index(ordered, out, run_id=run_id, previous=previous, title=title,
                        history=load_history(out))
    return BatchResult(results=ordered, out_dir=str(out), index=str(index), history=str(history),
                       run_id=run_id, duration_s=round(time.perf_counter() - t0, 3), notes=notes)


def _figures_of(previous: Mapping, job: Job) -> dict | None:
    return (previous.get(job.name) or {}).get("figures")


def _keep_map(out: Path, job: Job) -> str | None:
    """A copy of the journey file a job ran with, under ``maps/`` (named by its content), so the
    next run's "Since last time" can say what changed; None when it cannot be found."""
    given = dict(job.parameters)
    try:
        declared = read_parameters(job.notebook)
        for name in ("data_dir", "journey_file"):
            if name not in given and name in declared:
                given[name] = declared[name].default
        path = Path(given["journey_file"]) if given.get("journey_file") else \
            journey_path(resolve_data_dir(given.get("data_dir") or "."))
        if path is None:
            return None
        data = path.read_bytes()
    except (OSError, ReportError, KeyError, TypeError, ValueError, JmtoolsError):
        return None
    kept = out / "maps" / f"{hashlib.sha256(data).hexdigest()[:16]}.yaml"
    if not kept.exists():
        kept.parent.mkdir(exist_ok=True)
        kept.write_bytes(data)
    return kept.relative_to(out).as_posix()


def _append_history(path: Path, run_id: str, results: Sequence[JobResult], *,
                    maps: Sequence[str | None] = ()) -> None:
    lines = []
    for r, kept in zip(results, [*maps, *[None] * (len(results) - len(maps))]):
        if r.ok:
            lines.append(json.dumps({"run_id": run_id, "report": r.name, "started": r.started,
                                     "parameters": r.parameters, "map": kept,
                                     "figures": {k: {"value": f.get("value"), "n": f.get("n"),
                                                     "label": f.get("label")}
                                                 for k, f in r.figures.items()}},
                                    ensure_ascii=False, sort_keys=True))
    if lines:
        with open(path, "a", encoding="utf-8") as fh:  # one write: whole lines only
            fh.write("\n".join(lines) + "\n")
