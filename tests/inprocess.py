"""Run a report notebook's code cells in the test process, without a kernel.

For checks that need the notebook's own code but not a kernel (an early refusal of a bad
parameter, a persona with very little data): each code cell is executed in order in one
namespace, the way a kernel would, after the injected parameters. What the notebook shows
(``display``) and records (``jmtools.report.record``) is collected. A kernel run of each
notebook per sample world stays in the notebook tests; this is not a replacement for it.
"""

from __future__ import annotations

import ast
import builtins
import json
import os
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

__all__ = ["run_cells", "sample_with_rule", "shown_texts"]


@contextmanager
def _collecting(displayed: list, records: dict, worlds: dict):
    import sys

    import IPython.display

    import jmtools.report  # noqa: F401  (the module jmtools.report.record; the package's name is the function)

    rec = sys.modules["jmtools.report.record"]

    def display(*objs, **kw):
        displayed.extend(objs)

    def emit(payload):
        records.setdefault("figures" if payload.get("kind") == "figure" else "other", []).append(payload)

    import jmtools.sources as sources
    from jmtools.core.resources import resolve_data_dir

    load_world = sources.load_world

    def shared_world(folder, journey=None, **kw):
        """The test session's loaded world for a sample folder with its own journey."""
        key = resolve_data_dir(folder).resolve()
        if journey is None and not kw and key in worlds:
            return worlds[key]
        return load_world(folder, journey, **kw)

    saved = (IPython.display.display, rec._emit, getattr(builtins, "display", None))
    IPython.display.display, rec._emit, builtins.display = display, emit, display
    sources.load_world = shared_world
    try:
        yield
    finally:
        sources.load_world = load_world
        IPython.display.display, rec._emit = saved[0], saved[1]
        if saved[2] is None:
            del builtins.display
        else:
            builtins.display = saved[2]


def run_cells(notebook: str | os.PathLike, parameters: dict | None = None, *,
              worlds=(), last_values: bool = False) -> SimpleNamespace:
    """Execute the notebook's code cells in order; exceptions propagate unchanged.

    The working directory is the notebook's folder while it runs (as for the report runner).
    ``worlds`` are already loaded worlds (``jmtools.sources.World``): a ``load_world`` of
    their folder, with the folder's own journey, returns them instead of loading again.
    With ``last_values``, a cell ending in an expression shows its value too (not None), as
    a kernel does. Returns ``namespace`` (the variables), ``displayed`` (objects shown, in
    order) and ``figures`` (recorded figures by name).
    """
    path = Path(notebook)
    nb = json.loads(path.read_text(encoding="utf-8"))
    cells = [c for c in nb["cells"] if c["cell_type"] == "code"]
    namespace: dict = {"__name__": "__main__"}
    displayed: list = []
    records: dict = {}
    old = Path.cwd()
    os.chdir(path.parent)
    try:
        with _collecting(displayed, records, {Path(w.folder).resolve(): w for w in worlds}):
            for cell in cells:
                _run_cell("".join(cell["source"]), f"{path.name}[cell]", namespace,
                          displayed if last_values else None)
                if "parameters" in cell.get("metadata", {}).get("tags", []):
                    namespace.update(parameters or {})
    finally:
        os.chdir(old)
    figures = {f["name"]: f for f in records.get("figures", [])}
    return SimpleNamespace(namespace=namespace, displayed=displayed, figures=figures)


def _run_cell(source: str, name: str, namespace: dict, shown: list | None) -> None:
    """Execute one cell; with ``shown``, the value of a last expression (not None) is appended to it."""
    tree = ast.parse(source)
    ends_in_value = shown is not None and tree.body and isinstance(tree.body[-1], ast.Expr)
    last = tree.body.pop() if ends_in_value else None
    exec(compile(tree, name, "exec"), namespace)
    if last is not None:
        value = eval(compile(ast.Expression(last.value), name, "eval"), namespace)
        if value is not None:
            shown.append(value)


def sample_with_rule(tmp_path: Path, rule: str = 'rule: "runs_per_wek >= 4"') -> Path:
    """A copy of the e-commerce sample world whose Marathon Maya has ``rule`` instead of her own
    (by default a misspelt attribute: a rule that cannot run)."""
    import shutil

    folder = tmp_path / "ecommerce"
    shutil.copytree(Path(__file__).resolve().parents[1] / "data" / "ecommerce", folder)
    path = folder / "journey.yaml"
    path.write_text(path.read_text(encoding="utf-8").replace('rule: "runs_per_week >= 4"', rule), encoding="utf-8")
    return folder


def shown_texts(run: SimpleNamespace) -> str:
    """The text of every Markdown (or other text-bearing) object a run displayed, one per line."""
    return "\n".join(getattr(o, "data", "") for o in run.displayed if isinstance(getattr(o, "data", None), str))
