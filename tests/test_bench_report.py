"""benchmarks/bench_report.py: ``--timeout SECONDS`` reaches every notebook run it starts (D260).

A 10M world's first report cell passed the runner's default 600 s a cell on a loaded machine and
the benchmark had no way to raise it (D248). The commands are built, not run: running them is the
benchmark's job.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "benchmarks"))

import bench_report  # noqa: E402


def _limit(argv: list[str]) -> str | None:
    """The value after ``--timeout`` in a command line, or None."""
    return argv[argv.index("--timeout") + 1] if "--timeout" in argv else None


def test_the_timeout_reaches_the_report_the_batch_and_the_floor(tmp_path):
    cmds = bench_report.commands(Path("world"), "Budget Ben", tmp_path, 2, False, timeout=3600)
    assert _limit(cmds["report"]) == "3600" and _limit(cmds["batch"]) == "3600"
    assert cmds["floor"][-1] == "3600" and "'timeout': float(sys.argv[3])" in cmds["floor"][2]
    two = bench_report.together(cmds["report"], "Budget Ben", "Family Fiona", tmp_path)
    assert two[-1].count('"--timeout", "3600"') == 1 and two[-2].count('"--timeout", "3600"') == 1
    none = bench_report.commands(Path("world"), "Budget Ben", tmp_path, 2, False, timeout=0)
    assert _limit(none["report"]) == "0" and _limit(none["batch"]) == "0"


def test_without_it_the_runners_default_holds(tmp_path):
    cmds = bench_report.commands(Path("world"), "Budget Ben", tmp_path, 2, False)
    assert "--timeout" not in cmds["report"] + cmds["batch"] and cmds["floor"][-1].endswith("floor.ipynb")


def test_the_floor_command_passes_it_to_the_runner(tmp_path, monkeypatch):
    """The floor's one-line program hands its third argument to ``run_notebook(timeout=)``."""
    seen = {}
    from jmtools.report import runner

    monkeypatch.setattr(runner, "run_notebook", lambda src, out, **kw: seen.update(kw))
    code = bench_report.commands(Path("world"), "Ben", tmp_path, 2, False, timeout=90)["floor"]
    monkeypatch.setattr(sys, "argv", ["-c", *code[3:]])
    exec(code[2], {})
    assert seen == {"timeout": 90.0}


def test_the_help_documents_it_and_a_bad_value_is_refused():
    out = subprocess.run([sys.executable, "benchmarks/bench_report.py", "--help"], capture_output=True,
                         text=True, cwd=ROOT, timeout=120)
    assert out.returncode == 0 and "--timeout SECONDS" in out.stdout and "0: no limit" in out.stdout
    with pytest.raises(SystemExit):
        bench_report.main(["--timeout", "-5"])


def test_the_dependency_floor_runs_the_floor_and_then_imports_a_reports_stack(tmp_path):
    """D267: ``floor-deps`` is the floor notebook plus every import a report's kernel must make; its
    one code cell runs in this interpreter (the modules it names exist, the chart draws)."""
    import json

    nb = json.loads(bench_report.floor_of_dependencies(tmp_path).read_text(encoding="utf-8"))
    code = [c for c in nb["cells"] if c["cell_type"] == "code" and "parameters" not in c["metadata"].get("tags", [])]
    source = "".join(code[0]["source"])
    assert source.startswith("import pandas\nimport altair\n")          # the floor's own imports first
    assert all(line in source.splitlines() for line in bench_report.DEPENDENCIES)
    exec(compile(source, "floor-deps", "exec"), {})
