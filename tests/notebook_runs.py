"""The kernel runs of the test suite: one per report notebook and sample world, plus the few
runs of the small fixture notebooks (tests/notebooks/) that test the runner and batch machinery.

Each test file shares its runs among all its assertions (``notebook_runs`` fixture in
``conftest.py``). The runs start in two worker processes as soon as the tests are collected,
so they go on while the other tests run; a test that needs a run waits for it. Only the runs
of the selected tests start (``-m "not slow"`` starts none).
"""

from __future__ import annotations

import os
import shutil
import tempfile
from concurrent.futures import Future, ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"
FIXTURES = Path(__file__).resolve().parent / "notebooks"
FEEDBACK = FIXTURES / "chart_records_feedback.ipynb"
FAILS = FIXTURES / "fails_when_divisor_zero.ipynb"
NB00 = NOTEBOOKS / "00_journey_report.ipynb"
#: The teaching track: each notebook runs once, with the solutions filled in (tests/test_notebook_teaching.py).
TEACHING = NOTEBOOKS / "teaching"
TEACHING_NOTEBOOKS = ("00_start_here", "01_personas", "02_touchpoints", "03_emotional_journey",
                      "04_data_integration", "05_patterns_and_pain_points", "06_prioritisation",
                      "07_test_implement_iterate")
#: The segment of the B2B run of notebook 00.
SEGMENT = "region == 'Southern Europe'"
_LEGAL_TEMPLATES = {"id": "legal-templates", "title": "Pre-approved legal templates",
                    "pain_points": ["slow-legal-review"], "owner": "Legal", "target_date": "2027-02-28",
                    "scores": {"impact": 3, "effort": 1, "reach": 400, "confidence": 0.8, "ease": 8}}

#: name → (how, notebook, parameters); "{out}" in a parameter is the run's own folder, and
#: "{subset:NAME}" a data folder with only some tables (tests/table_subsets.py) built inside it,
#: "{dated:WORLD}" a copy of a sample world whose events are dates only (test_evidence_days.py).
#: how: "runner" (jmtools.report.runner.run_notebook), "batch" (one job through
#: jmtools.report.batch.run_batch), "plain" (papermill alone), "jobs" (notebook is a list of
#: (name, notebook, parameters) run by run_batch with ``parameters`` as its options), "cli"
#: (``jmtools report`` with the parameters as -p) or "subsets" (parameters is a list of
#: (subset, persona): one report each, in one batch).
RUNS = {
    # batch: the path `jmtools demo` takes (HTML, static HTML, sidecar), in notebooks/ with the
    # default data_dir (sample:ecommerce); plain: papermill alone, from the repository root
    "nb00_ecommerce": ("batch", "00_journey_report.ipynb", {"persona": "Budget Ben"}),
    "nb00_b2b": ("plain", "00_journey_report.ipynb", {"data_dir": "data/b2b", "segment": SEGMENT}),
    # each notebook once with its default data folder from the repository root (FROM_ROOT) and
    # once on the B2B world by a path relative to notebooks/
    "nb01_ecommerce": ("runner", "01_personas.ipynb", {}),
    "nb01_b2b": ("runner", "01_personas.ipynb", {"data_dir": "../data/b2b"}),
    "nb02_ecommerce": ("runner", "02_data_integration.ipynb", {}),
    "nb02_b2b": ("runner", "02_data_integration.ipynb", {"data_dir": "../data/b2b"}),
    "nb03_ecommerce": ("runner", "03_emotion_curves.ipynb", {"persona": "Budget Ben", "behaviour": True}),
    "nb03_b2b": ("runner", "03_emotion_curves.ipynb", {"persona": "all", "data_dir": "../data/b2b"}),
    "nb04_ecommerce": ("runner", "04_pain_points.ipynb", {"persona": "all", "output_csv": "{out}/pain_points.csv"}),
    "nb04_b2b": ("runner", "04_pain_points.ipynb",
                 {"data_dir": "../data/b2b", "persona": "SMB Owner Sam", "output_csv": "{out}/pain_points.csv"}),
    "nb05_ecommerce": ("runner", "05_prioritisation.ipynb", {"output_dir": "{out}"}),
    "nb05_b2b": ("runner", "05_prioritisation.ipynb",
                 {"data_dir": "../data/b2b", "output_dir": "{out}", "rank_by": "rice",
                  "persona": "Enterprise Procurement Priya", "extra_opportunities": [_LEGAL_TEMPLATES]}),
    # whatever tables a folder holds (tests/table_subsets.py): reports in one batch, one report
    # through the command line, and a step notebook with events only and with surveys only
    "subsets_batch": ("subsets", "00_journey_report.ipynb",
                      [("events", "all"), ("surveys", "all"), ("feedback", "all"), ("customers+orders", "all"),
                       ("events+orders", "Budget Ben")]),
    "subsets_cli": ("cli", "00_journey_report.ipynb", {"data_dir": "{subset:events+orders}"}),
    "nb03_events": ("runner", "03_emotion_curves.ipynb", {"data_dir": "{subset:events}"}),
    "nb03_surveys": ("runner", "03_emotion_curves.ipynb", {"data_dir": "{subset:surveys}"}),
    # the machinery, on the small fixture notebooks
    "feedback_maya": ("runner", FEEDBACK, {"persona": "Maya"}),
    "feedback_maya_again": ("runner", FEEDBACK, {"persona": "Maya"}),
    "feedback_all": ("runner", FEEDBACK, {"persona": "all", "label": "weekly"}, "all.ipynb"),
    # three jobs, one failing, in two processes; then Maya again into a copy of the folder
    "feedback_batch": ("jobs", [("Ben", FEEDBACK, {"persona": "Ben"}), ("broken one", FAILS, {}),
                                ("Maya", FEEDBACK, {"persona": "Maya"})],
                       {"workers": 2, "again": [("Maya", FEEDBACK, {"persona": "Maya"})]}),
    # the teaching track's solutions, each once, in its own folder (as JupyterLab starts it)
    **{f"teach_{stem[:2]}": ("runner", TEACHING / "solutions" / f"{stem}.ipynb",
                             {"output_dir": "{out}"} if stem[:2] in ("06", "07") else {})
       for stem in TEACHING_NOTEBOOKS},
    # the track where it shows funnels, on a copy of the e-commerce world whose events are dates only
    "teach_04_dated": ("runner", TEACHING / "solutions" / "04_data_integration.ipynb",
                       {"data_dir": "{dated:ecommerce}"}),
}

#: Runs whose kernel starts in the repository root (as ``papermill notebooks/0x.ipynb out.ipynb``
#: run from there); the others start in the notebook's folder, as JupyterLab and the runner do.
FROM_ROOT = {"nb00_b2b", "nb01_ecommerce", "nb02_ecommerce", "nb03_ecommerce", "nb04_ecommerce",
             "nb05_ecommerce"}

#: Test file → the runs its tests use.
USED_BY = {
    "test_notebook_00.py": ["nb00_ecommerce", "nb00_b2b"],
    "test_persona_reports.py": ["nb00_ecommerce", "nb00_b2b", "nb03_b2b"],
    "test_notebook_01.py": ["nb01_ecommerce", "nb01_b2b"],
    "test_notebook_02.py": ["nb02_ecommerce", "nb02_b2b"],
    "test_notebook_03.py": ["nb03_ecommerce", "nb03_b2b", "nb03_events", "nb03_surveys"],
    "test_notebook_04_05.py": ["nb04_ecommerce", "nb04_b2b", "nb05_ecommerce", "nb05_b2b"],
    "test_report_runner.py": ["feedback_maya", "feedback_maya_again"],
    "test_report_browser.py": ["feedback_maya"],
    "test_report_layout.py": ["nb00_ecommerce", "nb02_ecommerce"],
    "test_report_html.py": ["feedback_all"],
    "test_report_batch.py": ["feedback_batch", "subsets_batch"],
    "test_cli_report.py": ["subsets_cli"],
    "test_notebook_teaching.py": [f"teach_{stem[:2]}" for stem in TEACHING_NOTEBOOKS],
    "test_evidence_days.py": ["teach_04_dated"],
}


def execute(name: str, base: str):
    """Run one notebook of :data:`RUNS` into ``base/name/`` (in a worker process).

    Returns the folder and, by kind: the ``RunResult`` (runner), the ``BatchResult``
    (batch) or the executed notebook's path (plain papermill).
    """
    how, notebook, parameters, *output = RUNS[name]
    out = Path(base) / name
    out.mkdir(parents=True, exist_ok=True)
    if how == "jobs":
        return _jobs(notebook, out, **parameters)
    if how == "subsets":
        return _subsets(NOTEBOOKS / notebook, out, parameters)
    parameters = {k: _value(v, out) for k, v in parameters.items()}
    if how == "cli":
        from jmtools.cli.main import main

        argv = [x for k, v in parameters.items() for x in ("-p", k, str(v))]
        code = main(["report", str(NOTEBOOKS / notebook), *argv, "-o", str(out / f"{name}.html")])
        return out, code, out / f"{name}.html"
    if how == "runner":
        from jmtools.report.runner import run_notebook

        return out, run_notebook(NOTEBOOKS / notebook, out / (output[0] if output else f"{name}.ipynb"),
                                 parameters=parameters, cwd=ROOT if name in FROM_ROOT else None)
    if how == "batch":
        from jmtools.report.batch import Job, run_batch

        stem = parameters.get("persona", "all").split()[-1].lower()
        return out, run_batch([Job(stem, str(NOTEBOOKS / notebook), parameters)], out / "out",
                              workers=1, progress=False)
    # plain papermill, as a user would run it (jmtools importable, kernel python3)
    import papermill as pm

    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), old) if p)
    try:
        pm.execute_notebook(str(NOTEBOOKS / notebook), str(out / f"{name}.ipynb"),
                            parameters=parameters, kernel_name="python3",
                            cwd=str(ROOT if name in FROM_ROOT else NOTEBOOKS),
                            progress_bar=False)
    finally:
        if old is None:
            os.environ.pop("PYTHONPATH")
        else:
            os.environ["PYTHONPATH"] = old
    return out, out / f"{name}.ipynb"


def _value(value, out: Path):
    """A parameter with "{out}", "{subset:NAME}" and "{dated:WORLD}" filled in (folders built)."""
    if not isinstance(value, str):
        return value
    if value.startswith("{dated:"):
        from test_evidence_days import dated_world

        name = value[len("{dated:"):-1]
        return str(dated_world(name, out / "data" / f"{name}_dated"))
    if value.startswith("{subset:"):
        from table_subsets import make_subset

        name = value[len("{subset:"):-1]
        return str(make_subset(name, out / "data" / name.replace("+", "_")))
    return value.replace("{out}", str(out))


def _subsets(notebook: Path, out: Path, reports):
    """One report per (subset, persona), in one batch of two processes, without static variants.
    Returns the folder, the BatchResult and {job name: (subset, persona)}."""
    from jmtools.report.batch import Job, run_batch

    jobs, which = [], {}
    for subset, persona in reports:
        name = f"{subset} · {persona}"
        folder = _value(f"{{subset:{subset}}}", out)
        jobs.append(Job(name, str(notebook), {"data_dir": folder, "persona": persona}))
        which[name] = (subset, persona)
    return out, run_batch(jobs, out / "batch", workers=2, static=False, progress=False), which


def _jobs(jobs, out: Path, *, workers: int, again=()):
    """A batch into ``out/batch``; then, when ``again`` is given, those jobs into a copy of it
    (``out/again``), as a second weekly run into the same folder would. Returns the folder
    and both BatchResults (the second is None without ``again``)."""
    from jmtools.report.batch import Job, run_batch

    first = run_batch([Job(n, str(nb), p) for n, nb, p in jobs], out / "batch", workers=workers,
                      progress=False)
    second = None
    if again:
        shutil.copytree(out / "batch", out / "again")
        second = run_batch([Job(n, str(nb), p) for n, nb, p in again], out / "again", workers=1,
                           progress=False)
    return out, first, second


def _claimed_run(name: str, base: str, shared: bool):
    """:func:`execute` in a worker process. With ``shared`` (test processes of pytest-xdist sharing
    ``base``), the first process to reach a run claims it (a file made exclusively) and leaves
    its result beside it for the others; a run another process claimed returns :data:`ELSEWHERE`."""
    if not shared:
        return execute(name, base)
    try:
        claim = os.open(Path(base) / f"{name}.claim", os.O_CREAT | os.O_EXCL | os.O_WRONLY)
    except FileExistsError:
        return ELSEWHERE
    os.write(claim, str(os.getpid()).encode())      # who makes it: a waiter stops waiting if it dies
    os.close(claim)
    try:
        result = execute(name, base)
    except BaseException as exc:
        _leave(Path(base) / f"{name}.result", ("error", exc))
        raise
    _leave(Path(base) / f"{name}.result", ("ok", result))
    return result


#: What a worker returns for a run that another test process claimed.
ELSEWHERE = "run by another test process"


def _leave(path: Path, outcome) -> None:
    """Pickle ``outcome`` to ``path`` whole (written aside, then renamed)."""
    import pickle

    try:
        data = pickle.dumps(outcome)
    except Exception:                      # an exception that does not pickle: its text
        data = pickle.dumps(("error", RuntimeError(repr(outcome[1]))))
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def _maker_alive(claim: Path) -> bool:
    """Whether the process named in a claim file still runs (a claim not written yet: yes)."""
    try:
        pid = int(claim.read_text() or 0)
    except (OSError, ValueError):
        return True
    if not pid:
        return True
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _wait_for(path: Path, timeout: float = 3600.0):
    """The result another test process left at ``path``, waiting for it."""
    import pickle
    import time

    end = time.monotonic() + timeout
    while not path.exists():
        if time.monotonic() > end:
            raise TimeoutError(f"no result at {path} after {timeout:.0f} s")
        if not _maker_alive(path.with_suffix(".claim")) and not path.exists():
            raise RuntimeError(f"the test process making {path.stem} ended without a result")
        time.sleep(0.5)
    kind, value = pickle.loads(path.read_bytes())
    if kind == "error":
        raise value
    return value


class NotebookRuns:
    """The runs of one test session, started early in two worker processes.

    ``shared``: a folder the test processes of one pytest-xdist session share; each run is
    then made once, by the first process to reach it, and read by the others (each test
    process then runs one worker, so the session still runs two notebooks at a time).
    """

    def __init__(self, shared: str | None = None):
        self.shared = shared
        self.base = shared
        self.pool = None
        self.futures: dict[str, Future] = {}

    def _base(self) -> str:
        if self.base is None:
            self.base = tempfile.mkdtemp(prefix="jmtools-notebook-runs-")
        return self.base

    def start(self, names) -> None:
        """Start these runs in the background (two at a time)."""
        import multiprocessing as mp

        names = [n for n in RUNS if n in set(names) and n not in self.futures]
        if not names:
            return
        if self.pool is None:
            # a clean interpreter per worker (as jmtools' batch runner does): no inherited state
            self.pool = ProcessPoolExecutor(max_workers=1 if self.shared else 2,
                                            mp_context=mp.get_context("spawn"))
        for name in names:
            self.futures[name] = self.pool.submit(_claimed_run, name, self._base(), bool(self.shared))

    def get(self, name: str):
        """The result of a run (see :func:`execute`), waiting for it or running it here."""
        if name not in self.futures:
            self.start([name])
        result = self.futures[name].result()
        if isinstance(result, str) and result == ELSEWHERE:
            return _wait_for(Path(self._base()) / f"{name}.result")
        return result

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
        if self.base is not None and not self.shared:
            shutil.rmtree(self.base, ignore_errors=True)
