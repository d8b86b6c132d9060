"""Before/after equivalence of every number the kit prints.

Captures, for the bundled sample worlds:

- the recorded key figures (JSON sidecars) of every demo report (both worlds × every persona
  and all customers), without the fields that change run to run (times, versions, paths);
- the top pain point and top opportunity of every persona (from those records);
- the journey-map cells of every world for all customers and for each persona, with the
  measured evidence of the ``map --data`` command.

Usage::

    python benchmarks/compare_figures.py capture OUT.json [--reports DIR]
    python benchmarks/compare_figures.py compare BEFORE.json AFTER.json

``capture`` runs ``jmtools demo`` into ``DIR`` (a temporary folder by default) unless DIR
already holds its sidecars. ``compare`` prints every difference and exits 1 if there is one.
``tests/golden/figures.json`` holds the capture made on the code before the restructure.
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORLDS = ("ecommerce", "b2b")
#: Sidecar fields that depend on the clock, the machine or the output folder.
VOLATILE = {"started", "finished", "seconds", "duration_s", "versions", "html", "static", "sidecar",
            "output", "path", "paths", "python", "created", "run_at", "elapsed_s"}


def _strip(value):
    if isinstance(value, dict):
        return {k: _strip(v) for k, v in sorted(value.items()) if k not in VOLATILE}
    if isinstance(value, list):
        return [_strip(v) for v in value]
    if isinstance(value, float):
        return round(value, 9) if math.isfinite(value) else None
    return value


def report_figures(reports: Path) -> dict:
    """Key figures of every sidecar in ``reports`` (keyed by report name)."""
    out = {}
    for path in sorted(reports.glob("*.json")):
        data = json.loads(path.read_text())
        if "figures" not in data:
            continue
        params = dict(data.get("parameters", {}))
        if "data_dir" in params:  # the checkout's location is not a figure
            params["data_dir"] = Path(params["data_dir"]).name
        out[path.stem] = {"parameters": _strip(params), "status": data.get("status"),
                          "sources": _strip(data.get("sources", [])),
                          "figures": _strip(data["figures"])}
    return out


def tops(figures: dict) -> dict:
    """Top pain point and top opportunity of every report."""
    def value(figs, key):
        for f in figs if isinstance(figs, list) else figs.values():
            if isinstance(f, dict) and f.get("key", f.get("name")) == key:
                return f.get("value")
        if isinstance(figs, dict) and key in figs:
            v = figs[key]
            return v.get("value") if isinstance(v, dict) else v
        return None
    return {name: {"top_pain_point": value(r["figures"], "top_pain_point"),
                   "top_opportunity": value(r["figures"], "top_opportunity")}
            for name, r in figures.items()}


def map_cells_all() -> dict:
    """Map cells with measured evidence, as the ``map --data`` command computes them."""
    from jmtools.analyses.mapcells import map_cells
    from jmtools.pipeline import load, map_evidence

    out = {}
    for world in WORLDS:
        loaded = load(ROOT / "data" / world)
        evidence = map_evidence(loaded)  # once per world: it covers every persona
        for persona in [None, *loaded.journey.persona_names]:
            cells = map_cells(loaded.journey, evidence=evidence, persona=persona)
            rows = json.loads(cells.astype({"lane": str, "stage": str}).to_json(orient="records"))
            out[f"{world}/{persona or 'all'}"] = _strip(rows)
    return out


def capture(out: Path, reports: Path | None) -> None:
    tmp = None
    if reports is None:
        tmp = tempfile.TemporaryDirectory()
        reports = Path(tmp.name)
    if not any(reports.glob("*.json")):
        subprocess.run([sys.executable, "-m", "jmtools.cli.main", "demo", "--out", str(reports),
                        "--no-static", "--no-progress"], check=True, cwd=ROOT)
    figures = report_figures(reports)
    data = {"reports": figures, "tops": tops(figures), "map_cells": map_cells_all()}
    out.write_text(json.dumps(data, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    print(f"wrote {out}: {len(figures)} reports, {len(data['map_cells'])} maps")


def _diff(a, b, path="") -> list[str]:
    if isinstance(a, dict) and isinstance(b, dict):
        out = []
        for k in sorted(set(a) | set(b)):
            if k not in a or k not in b:
                out.append(f"{path}/{k}: only in {'after' if k in b else 'before'}")
            else:
                out += _diff(a[k], b[k], f"{path}/{k}")
        return out
    if isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            return [f"{path}: {len(a)} items before, {len(b)} after"]
        return [d for i, (x, y) in enumerate(zip(a, b)) for d in _diff(x, y, f"{path}[{i}]")]
    return [] if a == b else [f"{path}: {a!r} before, {b!r} after"]


def compare(before: Path, after: Path) -> int:
    diffs = _diff(json.loads(before.read_text()), json.loads(after.read_text()))
    for d in diffs[:200]:
        print(d)
    print(f"{len(diffs)} differences" if diffs else "identical")
    return 1 if diffs else 0


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = p.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("capture")
    c.add_argument("out", type=Path)
    c.add_argument("--reports", type=Path)
    d = sub.add_parser("compare")
    d.add_argument("before", type=Path)
    d.add_argument("after", type=Path)
    args = p.parse_args(argv)
    if args.cmd == "capture":
        capture(args.out, args.reports)
        return 0
    return compare(args.before, args.after)


if __name__ == "__main__":
    sys.exit(main())
