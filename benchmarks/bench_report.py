"""Benchmark: one persona's report end to end against the floor, and batch serial vs parallel.

Measures, on the bundled sample data (default the B2B world, the smaller one):

- floor        — a notebook that only imports pandas and altair, run by the same strict runner
                 (kernel start + imports: what any papermill report pays);
- analysis     — the report notebook's code run as a plain Python script (no kernel, no HTML):
                 the work itself, as an analyst would pay it outside Jupyter;
- report       — ``run_report``: papermill run + interactive HTML + static SVG HTML + sidecar;
- batch        — every persona (plus "all") with 1 worker, then with one per CPU.

Prints medians of ``--repeats`` runs and the ratios: the aim is report ≤ 2 × floor + analysis,
and a batch speed-up close to the number of cores.

    python benchmarks/bench_report.py [--world b2b] [--repeats 3] [--skip-batch]
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from jmtools.report.batch import Job, persona_jobs, run_batch, run_report  # noqa: E402
from jmtools.report.runner import run_notebook  # noqa: E402

NOTEBOOK = ROOT / "notebooks" / "00_journey_report.ipynb"
FLOOR = ROOT / "tests" / "notebooks" / "imports_only.ipynb"


def _median(fn, repeats: int) -> tuple[float, list[float]]:
    times = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), times


def _script(params: dict, path: Path) -> Path:
    """The report's code cells as one script; display() is a no-op outside a kernel."""
    import nbformat

    nb = nbformat.read(NOTEBOOK, as_version=4)
    lines = ["from IPython.display import display  # noqa"]
    for cell in nb.cells:
        if cell.cell_type != "code":
            continue
        lines.append(cell.source)
        if "parameters" in cell.metadata.get("tags", []):
            lines.extend(f"{k} = {v!r}" for k, v in params.items())
    path.write_text("\n\n".join(lines), encoding="utf-8")
    return path


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--world", default="b2b", help="sample world (default b2b)")
    ap.add_argument("--persona", default=None, help="persona (default: the journey's first)")
    ap.add_argument("--repeats", type=int, default=3, help="runs per measurement (default 3)")
    ap.add_argument("--skip-batch", action="store_true", help="only the single-report timings")
    args = ap.parse_args(argv)

    from jmtools.journey import Journey

    world = ROOT / "data" / args.world
    persona = args.persona or Journey.load(world / "journey.yaml").persona_names[0]
    params = {"data_dir": str(world), "persona": persona}
    tmp = Path(tempfile.mkdtemp(prefix="jm-bench-"))
    env = dict(os.environ, PYTHONPATH=str(ROOT), PYTHONHASHSEED="0")
    print(f"world {args.world}, persona {persona!r}, {os.cpu_count()} CPUs, {args.repeats} repeats")

    floor, f_all = _median(lambda: run_notebook(FLOOR, tmp / "floor.ipynb"), args.repeats)
    script = _script(params, tmp / "analysis.py")
    analysis, a_all = _median(lambda: subprocess.run([sys.executable, str(script)], env=env,
                                                     cwd=NOTEBOOK.parent, check=True,
                                                     capture_output=True), args.repeats)
    job = Job("bench", str(NOTEBOOK), params)

    def one():
        res = run_report(job, tmp / "report")
        assert res.ok, res.error

    report, r_all = _median(one, args.repeats)
    print(f"floor (kernel + import pandas, altair)   median {floor:6.1f} s  {_fmt(f_all)}")
    print(f"analysis as a plain script              median {analysis:6.1f} s  {_fmt(a_all)}")
    print(f"report end to end (run + 2 HTML)        median {report:6.1f} s  {_fmt(r_all)}")
    budget = 2 * floor + analysis
    print(f"ratio report / floor                    {report / floor:6.2f}")
    print(f"ratio report / (2 x floor + analysis)   {report / budget:6.2f}   (aim <= 1.00)")

    if not args.skip_batch:
        jobs = persona_jobs(world / "journey.yaml", notebook=NOTEBOOK,
                            parameters={"data_dir": str(world)})
        t0 = time.perf_counter()
        serial = run_batch(jobs, tmp / "serial", workers=1, progress=False)
        t_serial = time.perf_counter() - t0
        workers = os.cpu_count() or 1
        t0 = time.perf_counter()
        parallel = run_batch(jobs, tmp / "parallel", workers=workers, progress=False)
        t_parallel = time.perf_counter() - t0
        ok = all(r.ok for r in serial.results + parallel.results)
        same = [r.figures for r in serial.results] == [r.figures for r in parallel.results]
        print(f"batch of {len(jobs)} reports, 1 worker        {t_serial:6.1f} s")
        print(f"batch of {len(jobs)} reports, {workers} workers       {t_parallel:6.1f} s")
        print(f"speed-up                                {t_serial / t_parallel:6.2f}   "
              f"(aim close to {workers}); all ok: {ok}; same figures: {same}")
    print(f"outputs in {tmp}")
    return 0


def _fmt(times):
    return "[" + ", ".join(f"{t:.1f}" for t in times) + "]"


if __name__ == "__main__":
    sys.exit(main())
