"""benchmarks/bench_floor.py: each pipeline's peak memory is its own (D240).

On Linux a child's ``ru_maxrss`` starts from its parent's resident size at the fork, so a
parent that has read a world in DuckDB gives every pipeline its own peak or the parent's,
whichever is larger (every pipeline showed 530 MB at 1M events). The worlds are generated and
read in a child; the parent imports neither DuckDB nor jmtools.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_the_worlds_are_read_in_a_child_so_the_parent_stays_small(tmp_path):
    code = ("import argparse, json, sys; from pathlib import Path; sys.path.insert(0, 'benchmarks'); "
            "import bench_floor as b; "
            f"got = b.set_up(argparse.Namespace(sizes='', data=['data/ecommerce'], dates_only=False), "
            f"Path({str(tmp_path)!r})); "
            "print(json.dumps({'heavy': sorted(m for m in ('duckdb', 'jmtools', 'pandas') if m in sys.modules), "
            "'folders': [str(f) for f, _ in got], 'stages': got[0][1]['stages'], "
            "'order_placed': got[0][1]['stage_of'].get('order_placed')}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=300)
    assert out.returncode == 0, out.stderr[-2000:]
    said = json.loads(out.stdout.strip().splitlines()[-1])
    assert said["heavy"] == []
    assert said["folders"] == ["data/ecommerce"]
    assert said["stages"] == ["Awareness", "Consideration", "Decision", "Post-purchase"]
    assert said["order_placed"] == 3                 # what the SQL author knows came back whole
