"""Where the test suite spends its time: wall and CPU seconds per test file.

A pytest plugin and a report. CPU time counts the test process and the child processes
it has waited for (notebook kernels, batch workers), so it stays meaningful on a busy
shared machine where wall time does not.

    python -m pytest -p tools.durations --durations-json=/tmp/d.json ...   (from tests/ on sys.path)
    python tests/tools/durations.py /tmp/d.json [/tmp/other.json]           (per-file table)
"""

from __future__ import annotations

import json
import os
import sys
import time
from collections import defaultdict

__all__ = ["pytest_addoption", "pytest_configure", "report"]


def _cpu() -> float:
    t = os.times()
    return t.user + t.system + t.children_user + t.children_system


class _Recorder:
    def __init__(self, path):
        self.path = path
        self.tests: dict[str, dict] = defaultdict(lambda: {"wall": 0.0, "cpu": 0.0})
        self.t0 = (time.perf_counter(), _cpu())

    def pytest_runtest_protocol(self, item, nextitem):
        self._start = (time.perf_counter(), _cpu())

    def pytest_runtest_logfinish(self, nodeid, location):
        wall, cpu = time.perf_counter() - self._start[0], _cpu() - self._start[1]
        self.tests[nodeid]["wall"] += wall
        self.tests[nodeid]["cpu"] += cpu

    def pytest_sessionfinish(self, session, exitstatus):
        total = {"wall": time.perf_counter() - self.t0[0], "cpu": _cpu() - self.t0[1]}
        with open(self.path, "w") as f:
            json.dump({"total": total, "tests": self.tests}, f, indent=0)


def pytest_addoption(parser):
    parser.addoption("--durations-json", default=None,
                     help="write wall and CPU seconds of every test to this JSON file")


def pytest_configure(config):
    path = config.getoption("--durations-json")
    if path:
        config.pluginmanager.register(_Recorder(path), "jmtools-durations")


def _by_file(data: dict) -> dict[str, list[float]]:
    files: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0, 0])
    for nodeid, t in data["tests"].items():
        f = files[nodeid.split("::")[0]]
        f[0] += t["wall"]
        f[1] += t["cpu"]
        f[2] += 1
    return files


def report(*paths: str) -> str:
    """Per-file wall/CPU seconds of one run, or of two runs side by side."""
    runs = [json.load(open(p)) for p in paths]
    tables = [_by_file(r) for r in runs]
    names = sorted(set().union(*tables), key=lambda n: -max(t.get(n, [0, 0, 0])[1] for t in tables))
    head = "file".ljust(44) + "".join(f"{'wall s':>9}{'cpu s':>9}{'tests':>6}" for _ in runs)
    lines = [head]
    for n in names:
        lines.append(n.ljust(44) + "".join(
            f"{t[n][0]:9.1f}{t[n][1]:9.1f}{t[n][2]:6d}" if n in t else f"{'–':>9}{'–':>9}{'':>6}"
            for t in tables))
    lines.append("whole session".ljust(44) + "".join(
        f"{r['total']['wall']:9.1f}{r['total']['cpu']:9.1f}{len(r['tests']):6d}" for r in runs))
    return "\n".join(lines)


if __name__ == "__main__":
    print(report(*sys.argv[1:]))
