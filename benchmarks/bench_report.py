"""Benchmark: one persona's report end to end against the notebook floor, and a batch of every
persona against one report.

Every measurement is a fresh process, started the way a user starts it, and the runs are
interleaved (floor, report, batch, floor, report, …) so that a noisy machine slows all of them
alike:

- ``floor``  — a notebook that only imports pandas and altair (``tests/notebooks/imports_only.ipynb``),
  run by the same strict runner: kernel start + imports, what any papermill report pays;
- ``floor-jm`` — the same notebook with ``import jmtools`` first: jmtools keeps jsonschema from
  compiling its IRI grammar when altair is imported (D22), so this is the floor a kernel that
  imports jmtools starts from, and the stricter ratio;
- ``floor-deps`` — the floor notebook that also imports what a report must (:data:`DEPENDENCIES`:
  jmtools, Ibis with a DuckDB connection, scikit-learn, vl-convert drawing one chart): the least a
  report's kernel pays on jmtools' stack before it computes anything (D267);
- ``report`` — ``jmtools report notebooks/00_journey_report.ipynb -p data_dir … -p persona …``
  (papermill run, interactive HTML and its sidecar; ``--static`` adds the e-mail variant);
- ``report-warm`` (``--warm``) — the same report again right after one, on the evidence cache that
  report left (what a second report on unchanged data pays: no evidence, valence, signals or themes
  computed, no model fitted, no chart compiled to Vega);
- ``batch``  — ``jmtools batch --journey …``: one report per persona of the world plus the
  all-customers one, ``--workers`` processes, static variants off;
- ``together`` (``--together``) — two ``jmtools report`` runs (the journey's first two personas)
  started at the same moment on an empty cache, as a shell loop with ``&`` would: the second
  waits for the entries the first computes and reads them (D85).

Wall time is measured around the process; CPU time is the process's and all its children's
(``os.wait4``: the kernels and batch workers are waited-for descendants). Printed: the median of
``--runs`` runs of each, the ratios report / floor (target ≤ 1.5) and batch / report (target ≤ 2
at 10M events), in wall and CPU time.

    python benchmarks/bench_report.py                          # e-commerce sample world, 3 runs
    python benchmarks/bench_report.py --world b2b --runs 5
    python benchmarks/bench_report.py --data /path/to/world    # any folder with journey.yaml
    python benchmarks/bench_report.py --skip-batch --warm --runs 5   # cold and warm single report
    python benchmarks/bench_report.py --skip-batch --together --before /path/to/main   # two at once
    python benchmarks/bench_report.py --before /path/to/checkout   # also time another jmtools
                                                                    # (report and batch), interleaved
    python benchmarks/bench_report.py --before /path/to/checkout --before-python /other/venv/bin/python
    python benchmarks/bench_report.py --data /path/to/10M-world --runs 1 --timeout 3600   # big world

``--timeout SECONDS`` is each notebook cell's time limit in every run (floor, report, warm report,
batch, the two reports started together, and the ``--before`` checkout's): passed as ``jmtools
report``/``jmtools batch --timeout`` and ``run_notebook(timeout=)``; 0 is no limit. Without it the
runner's default holds (600 s a cell), which the first cell of a 10M world's report passed on a
loaded 2-core machine (D248).

The Vega bundle is built and jmtools' sources are compiled once before the clock starts (a
machine's first report does both), and ``PYTHONDONTWRITEBYTECODE`` is not passed on: the runs
read compiled bytecode, as on a user's machine.
"""

from __future__ import annotations

import argparse
import compileall
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "00_journey_report.ipynb"
FLOOR = ROOT / "tests" / "notebooks" / "imports_only.ipynb"


def timed(argv: list[str], env: dict, cwd: Path) -> tuple[float, float]:
    """(wall seconds, CPU seconds of the process and its waited-for descendants)."""
    t0 = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
    out = proc.stdout.read()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - t0
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode:
        raise SystemExit(f"{' '.join(argv)} failed ({proc.returncode}):\n{out.decode(errors='replace')[-3000:]}")
    return wall, usage.ru_utime + usage.ru_stime


def commands(world: Path, persona: str, tmp: Path, workers: int, static: bool,
             notebook: Path = NOTEBOOK, py: str = sys.executable, timeout: float | None = None) -> dict[str, list[str]]:
    """The three measured commands (``notebook``: the report notebook of the checkout timed;
    ``py``: the Python that runs them, whose environment the kernels use too; ``timeout``: each
    cell's time limit in seconds, 0 for none, ``None`` for the runner's default)."""
    limit = [] if timeout is None else ["--timeout", f"{timeout:g}"]
    floor = [py, "-c", "import sys; from jmtools.report.runner import run_notebook; "
                       "run_notebook(sys.argv[1], sys.argv[2], **({'timeout': float(sys.argv[3])} "
                       "if sys.argv[3:] else {}))", str(FLOOR), str(tmp / "floor.ipynb"), *limit[1:]]
    report = [py, "-m", "jmtools.cli.main", "report", str(notebook), "-p", "data_dir", str(world),
              "-p", "persona", persona, "-o", str(tmp / "report" / "report.html"), *limit] + (["--static"] if static else [])
    batch = [py, "-m", "jmtools.cli.main", "batch", str(notebook), "--journey", str(world / "journey.yaml"),
             "-p", "data_dir", str(world),     # the reports read this world, not the notebook's default
             "--out", str(tmp / "batch"), "--workers", str(workers), "--no-static", "--no-progress", *limit]
    return {"floor": floor, "report": report, "batch": batch}


#: Starts the commands given as JSON arguments at once and waits for them all (their CPU time is
#: then this process's children's, which :func:`timed` counts).
_TOGETHER = ("import json, subprocess, sys; procs = [subprocess.Popen(json.loads(a), stdout=subprocess.DEVNULL) "
             "for a in sys.argv[1:]]; sys.exit(max(p.wait() for p in procs))")


def together(report: list[str], persona: str, other: str, tmp: Path) -> list[str]:
    """Two copies of the ``report`` command, for ``persona`` and ``other``, started together."""
    import json

    second = [other if a == persona else str(tmp / "together" / "other.html") if a.endswith("report.html") else a
              for a in report]
    return [sys.executable, "-c", _TOGETHER, json.dumps(report), json.dumps(second)]


def floor_after_jmtools(tmp: Path) -> Path:
    """The floor notebook with ``import jmtools`` before its imports: ``import jmtools`` keeps
    jsonschema from compiling its IRI grammar when altair is imported (D22, about 1 CPU-s here),
    which the plain floor pays and a report's kernel does not. The ratio to it is the stricter one."""
    import json

    nb = json.loads(FLOOR.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and "parameters" not in c["metadata"].get("tags", [])]
    code[0]["source"] = ["import jmtools\n", *code[0]["source"]]
    path = tmp / "imports_after_jmtools.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


#: What a report's kernel must import before it computes anything (D267): jmtools' chain, Ibis with
#: a DuckDB connection, scikit-learn's text, linear and decomposition modules, and vl-convert's
#: engine drawing one chart.
DEPENDENCIES = ["import jmtools", "from jmtools import pipeline", "from jmtools.report import sections",
                "import ibis", "con = ibis.duckdb.connect()",
                "import sklearn.feature_extraction.text, sklearn.linear_model, sklearn.decomposition",
                "import vl_convert as vlc",
                "vlc.vegalite_to_svg({'mark': 'point', 'data': {'values': [{'a': 1}]}, "
                "'encoding': {'x': {'field': 'a', 'type': 'quantitative'}}})"]


def floor_of_dependencies(tmp: Path) -> Path:
    """The floor notebook with :data:`DEPENDENCIES` after its imports: the least a report's kernel
    pays on the stack jmtools is built on, before any analysis (``floor-deps``; D267)."""
    import json

    nb = json.loads(FLOOR.read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and "parameters" not in c["metadata"].get("tags", [])]
    code[0]["source"] = [*code[0]["source"], "\n", *(line + "\n" for line in DEPENDENCIES)]
    path = tmp / "imports_of_a_report.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    return path


def _seconds(text: str) -> float:
    """``--timeout``'s value, checked as ``jmtools report --timeout`` checks it (a number ≥ 0)."""
    from jmtools.cli._budget import seconds

    return seconds(text)


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--world", default="ecommerce", help="bundled sample world (default ecommerce)")
    ap.add_argument("--data", type=Path, help="a data folder with journey.yaml instead of a sample world")
    ap.add_argument("--persona", default=None, help="persona of the single report (default: the journey's first)")
    ap.add_argument("--runs", type=int, default=3, help="interleaved runs of each (default 3)")
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1, help="batch workers (default: CPUs)")
    ap.add_argument("--static", action="store_true", help="the single report also writes its static variant")
    ap.add_argument("--skip-batch", action="store_true", help="floor and report only")
    ap.add_argument("--warm", action="store_true", help="also time the report again on the cache the "
                    "report just left (every other run starts from an empty cache)")
    ap.add_argument("--together", action="store_true", help="also time two reports (the first two "
                    "personas) started at the same moment on an empty cache")
    ap.add_argument("--before", type=Path, default=None, help="a checkout of jmtools whose report and "
                    "batch (and warm report, with --warm) are timed too, interleaved (e.g. main, to "
                    "measure a change)")
    ap.add_argument("--before-python", type=Path, default=None, help="the Python (of another "
                    "environment) that runs the --before checkout: compares dependency sets too")
    ap.add_argument("--timeout", type=_seconds, default=None, metavar="SECONDS", help="each notebook "
                    "cell's time limit in every report, batch and floor run, this checkout's and "
                    "--before's (jmtools report/batch --timeout; 0: no limit; default: the runner's "
                    "600 s, too short for a 10M world's first cell on a loaded machine)")
    args = ap.parse_args(argv)

    from jmtools.journey import Journey

    world = (args.data or ROOT / "data" / args.world).resolve()
    journey = Journey.load(world / "journey.yaml")
    persona = args.persona or journey.persona_names[0]
    tmp = Path(tempfile.mkdtemp(prefix="jm-bench-report-"))
    cache = tmp / "cache"                 # the batch's evidence cache: empty at each batch run
    def environment(root: Path) -> dict:
        env = dict(os.environ, PYTHONPATH=os.pathsep.join(p for p in (str(root), os.environ.get("PYTHONPATH")) if p),
                   PYTHONHASHSEED="0", JMTOOLS_CACHE_DIR=str(cache))
        env.pop("JMTOOLS_EVIDENCE_CACHE", None)
        # as on a user's machine, imports read compiled bytecode (written before the clock starts):
        # with PYTHONDONTWRITEBYTECODE set, every run compiled jmtools' sources again (about 0.3
        # CPU-s a report), which the floor, importing installed packages only, never pays
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        return env

    env = environment(ROOT)
    cmds = commands(world, persona, tmp, args.workers, args.static, timeout=args.timeout)
    cmds["report-warm"] = cmds["report"]
    cmds["floor-jm"] = [*cmds["floor"][:3], str(floor_after_jmtools(tmp)), str(tmp / "floor-jm.ipynb"),
                        *cmds["floor"][5:]]
    cmds["floor-deps"] = [*cmds["floor"][:3], str(floor_of_dependencies(tmp)), str(tmp / "floor-deps.ipynb"),
                          *cmds["floor"][5:]]
    other = journey.persona_names[1] if journey.persona_names[0] == persona else journey.persona_names[0]
    cmds["together"] = together(cmds["report"], persona, other, tmp)
    envs = {name: env for name in cmds}
    names = (["floor", "floor-jm", "floor-deps", "report"] + (["report-warm"] if args.warm else [])
             + (["together"] if args.together else []) + ([] if args.skip_batch else ["batch"]))
    if args.before:
        root = args.before.resolve()
        old = commands(world, persona, tmp / "before", args.workers, args.static,
                       notebook=root / "notebooks" / NOTEBOOK.name, py=str(args.before_python or sys.executable),
                       timeout=args.timeout)
        old["report-warm"] = old["report"]
        old["together"] = together(old["report"], persona, other, tmp / "before")
        timed_before = [n for n in names if not n.startswith("floor")]  # warm: after the before-report
        for name in timed_before:
            cmds[f"before-{name}"], envs[f"before-{name}"] = old[name], environment(root)
        names += [f"before-{name}" for name in timed_before]
    timed([sys.executable, "-c", "from jmtools.render.offline import javascript_bundle; javascript_bundle()"],
          env, NOTEBOOK.parent)                          # a machine's first report builds the bundle
    for root in {ROOT, (args.before or ROOT).resolve()}:  # and its first import compiles the sources
        compileall.compile_dir(root / "jmtools", quiet=1)
    limit = "runner's default" if args.timeout is None else f"{args.timeout:g} s" if args.timeout else "none"
    print(f"world {world.name}, persona {persona!r}, {len(journey.persona_names)} personas + all, "
          f"{os.cpu_count()} CPUs, {args.runs} interleaved runs, batch workers {args.workers}, "
          f"cell time limit {limit}")
    samples: dict[str, list[tuple[float, float]]] = {n: [] for n in names}
    for _ in range(args.runs):
        for name in names:
            if not name.endswith("report-warm"):   # warm: the cache the report before it left
                shutil.rmtree(cache / "evidence", ignore_errors=True)
            samples[name].append(timed(cmds[name], envs[name], NOTEBOOK.parent))
    med = {n: (statistics.median(w for w, _ in s), statistics.median(c for _, c in s)) for n, s in samples.items()}
    for name in names:
        runs = ", ".join(f"{w:.1f}/{c:.1f}" for w, c in samples[name])
        print(f"{name:11s} median wall {med[name][0]:6.1f} s  CPU {med[name][1]:6.1f} s   (wall/CPU per run: {runs})")
    print(f"report / floor   wall {med['report'][0] / med['floor'][0]:5.2f}  CPU {med['report'][1] / med['floor'][1]:5.2f}"
          "   (target <= 1.5)")
    print(f"report / floor-jm wall {med['report'][0] / med['floor-jm'][0]:5.2f}  "
          f"CPU {med['report'][1] / med['floor-jm'][1]:5.2f}")
    print(f"report / floor-deps wall {med['report'][0] / med['floor-deps'][0]:5.2f}  "
          f"CPU {med['report'][1] / med['floor-deps'][1]:5.2f}   (the floor of the stack: "
          f"floor-deps / floor wall {med['floor-deps'][0] / med['floor'][0]:.2f})")
    if "report-warm" in med:
        print(f"warm / floor     wall {med['report-warm'][0] / med['floor'][0]:5.2f}  "
              f"CPU {med['report-warm'][1] / med['floor'][1]:5.2f}   (a second report on unchanged data)")
        print(f"warm / floor-jm  wall {med['report-warm'][0] / med['floor-jm'][0]:5.2f}  "
              f"CPU {med['report-warm'][1] / med['floor-jm'][1]:5.2f}   (the floor without jsonschema's "
              "IRI grammar, as a kernel importing jmtools)")
    if "together" in med:
        print(f"together / report wall {med['together'][0] / med['report'][0]:5.2f}  "
              f"CPU {med['together'][1] / med['report'][1]:5.2f}   (two reports started at once)")
    if "batch" in med:
        print(f"batch / report   wall {med['batch'][0] / med['report'][0]:5.2f}  CPU {med['batch'][1] / med['report'][1]:5.2f}"
              f"   ({len(journey.persona_names) + 1} reports; target <= 2 at 10M events)")
    if args.before:
        print(f"before: report / floor   wall {med['before-report'][0] / med['floor'][0]:5.2f}  "
              f"CPU {med['before-report'][1] / med['floor'][1]:5.2f}")
        if "before-report-warm" in med:
            print(f"before: warm / floor     wall {med['before-report-warm'][0] / med['floor'][0]:5.2f}  "
                  f"CPU {med['before-report-warm'][1] / med['floor'][1]:5.2f}")
        if "batch" in med:
            print(f"before: batch / report   wall {med['before-batch'][0] / med['before-report'][0]:5.2f}  "
                  f"CPU {med['before-batch'][1] / med['before-report'][1]:5.2f}")
        for name in names[1:]:
            if not name.startswith("before-") and "before-" + name in med:
                print(f"{name} now / before   wall {med[name][0] / med['before-' + name][0]:5.2f}  "
                      f"CPU {med[name][1] / med['before-' + name][1]:5.2f}")
    print(f"outputs in {tmp}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
