"""The package's shape: layers that only point down, no import cycle, no oversized module.

Every ``import`` of a jmtools module is counted, including those inside functions, so a
deferred import cannot hide a cycle; so is every string that names a jmtools module (the
command line imports each command's module by name, :data:`jmtools.cli.main.COMMANDS`). The layers, bottom to top, are declared in
:data:`LAYERS`; ``docs/contracts.md`` draws the same picture.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "jmtools"

#: Layer of each module prefix, bottom (0) to top; a module imports only from its own
#: layer or below. The longest matching prefix decides.
LAYERS = {
    "jmtools": 0,
    "jmtools.core": 0,
    "jmtools.journey": 1,
    "jmtools.sources": 2,
    "jmtools.sample_worlds": 2,
    "jmtools.personas": 3,
    "jmtools.evidence": 4,
    "jmtools.analyses": 5,
    "jmtools.pipeline": 6,
    "jmtools.charts": 7,
    "jmtools.render": 8,
    "jmtools.report": 9,
    "jmtools.widgets": 9,
    "jmtools.teaching": 9,
    "jmtools.cli": 10,
}
#: Largest module, in lines.
MAX_LINES = 600


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


MODULES = {_module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def _resolve(name: str) -> str | None:
    while name and name not in MODULES:
        name = name.rpartition(".")[0]
    return name or None


def _imports(module: str) -> dict[str, int]:
    """jmtools modules imported by ``module`` (anywhere in the file) → first line."""
    path = MODULES[module]
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found: dict[str, int] = {}
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        targets = []
        if isinstance(node, ast.Constant) and isinstance(node.value, str) and node.value in MODULES:
            targets = [node.value]  # imported by name (importlib.import_module)
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            targets = [f"{base}.{a.name}" if f"{base}.{a.name}" in MODULES else base
                       for a in node.names]
        for target in targets:
            if target.split(".")[0] != "jmtools":
                continue
            hit = _resolve(target)
            if hit and hit != module:
                found.setdefault(hit, node.lineno)
    return found


GRAPH = {m: _imports(m) for m in MODULES}


def _layer(module: str) -> int:
    best = max((p for p in LAYERS if module == p or module.startswith(p + ".")), key=len)
    return LAYERS[best]


def test_every_module_belongs_to_a_declared_layer():
    undeclared = [m for m in MODULES if m != "jmtools"
                  and not any(m.startswith(p + ".") or m == p for p in LAYERS if p != "jmtools")]
    assert not undeclared, f"add these modules' folders to LAYERS: {undeclared}"


def test_imports_only_point_down():
    upward = [f"{MODULES[m].relative_to(PACKAGE.parent)}:{line}: {m} (layer {_layer(m)}) imports "
              f"{t} (layer {_layer(t)})"
              for m, targets in GRAPH.items() for t, line in targets.items()
              if _layer(t) > _layer(m)]
    assert not upward, "imports that point up a layer:\n" + "\n".join(upward)


def _cycle(graph: dict[str, dict[str, int]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for t in graph[m]:
            if state.get(t) == 1:
                return stack[stack.index(t):] + [t]
            if t not in state:
                found = visit(t)
                if found:
                    return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state:
            found = visit(m)
            if found:
                return found
    return None


def test_no_import_cycle_counting_imports_inside_functions():
    cycle = _cycle(GRAPH)
    assert cycle is None, "import cycle: " + " → ".join(cycle)


def test_the_cycle_finder_finds_a_planted_cycle():
    planted = {m: dict(t) for m, t in GRAPH.items()}
    planted["jmtools.core.errors"]["jmtools.cli.main"] = 1
    cycle = _cycle(planted)
    assert cycle is not None and cycle[0] == cycle[-1]


def test_journey_layer_imports_no_chart_source_or_analysis():
    bad = {m: sorted(t for t in GRAPH[m] if _layer(t) > LAYERS["jmtools.journey"])
           for m in MODULES if m.startswith("jmtools.journey")}
    assert not any(bad.values()), bad


#: What a chart module may not touch: loaders, evidence, the pipeline, statistics, the engine.
#: (A chart may read an analysis module's constants or lay out its cells, e.g. the map's lanes.)
CHART_FORBIDDEN = ("jmtools.sources", "jmtools.evidence", "jmtools.pipeline",
                   "jmtools.core.stats", "jmtools.core.engine")
#: Calls that compute a statistic; a chart draws frames that arrive computed.
STAT_CALLS = {"groupby", "mean", "median", "quantile", "std", "var", "wilson_interval",
              "bootstrap_ci", "bootstrap_mean_ci", "pivot_table", "value_counts"}


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m.startswith("jmtools.charts")))
def test_chart_modules_neither_load_nor_compute(module):
    loads = sorted(t for t in GRAPH[module] if t.startswith(CHART_FORBIDDEN))
    assert not loads, f"{module} imports {loads}"
    tree = ast.parse(MODULES[module].read_text(encoding="utf-8"))
    calls = sorted({f"{n.func.attr}() line {n.lineno}" for n in ast.walk(tree)
                    if isinstance(n, ast.Call) and isinstance(n.func, ast.Attribute)
                    and n.func.attr in STAT_CALLS})
    assert not calls, f"{module} computes statistics: {calls}"


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_above_the_size_budget(module):
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{MODULES[module].relative_to(PACKAGE.parent)} has {lines} lines"


def test_project_imports_sit_at_the_top_of_each_file():
    """Only heavy third-party libraries may be imported inside functions, never jmtools."""
    deferred = []
    for m, path in MODULES.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        top = {id(n) for n in tree.body}
        top |= {id(c) for n in tree.body if isinstance(n, (ast.If, ast.Try))
                for c in ast.walk(n)}
        for node in ast.walk(tree):
            if isinstance(node, (ast.Import, ast.ImportFrom)) and id(node) not in top:
                names = [a.name for a in node.names] if isinstance(node, ast.Import) else [node.module or ""]
                if any(n.split(".")[0] == "jmtools" for n in names) or getattr(node, "level", 0):
                    deferred.append(f"{path.relative_to(PACKAGE.parent)}:{node.lineno}")
    assert not deferred, "jmtools imports inside functions:\n" + "\n".join(deferred)


# ------------------------------------------------------------------ private names stay in their file
#: A name with one leading underscore belongs to the file that defines it (D239). Another module
#: may import a *module* named ``_x`` (a package-private module: ``from jmtools.report import
#: _section_kit as kit``) and use its public names, but not a ``_name`` defined in another file,
#: whether taken by ``from … import _name`` or read as ``module._name``. The uses found when the
#: rule came are listed in this file, to be removed as they are made public or moved; the list
#: only shrinks.
PRIVATE_ALLOWED = Path(__file__).with_name("private_imports_allowed.txt")


def _module_aliases(tree: ast.AST, package: str) -> tuple[dict[str, str], list[tuple[str, str, int]]]:
    """Names bound to jmtools modules in a file, and the ``_names`` it imports from another one."""
    aliases, taken = {}, []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            aliases.update({a.asname: a.name for a in node.names if a.asname and a.name in MODULES})
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            for a in node.names:
                if f"{base}.{a.name}" in MODULES:
                    aliases[a.asname or a.name] = f"{base}.{a.name}"
                elif base.split(".")[0] == "jmtools" and _private(a.name):
                    taken.append((base, a.name, node.lineno))
    return aliases, taken


def _private(name: str) -> bool:
    return name.startswith("_") and not name.startswith("__")


def private_uses(module: str, source: str | None = None) -> set[tuple[str, str, str]]:
    """``(module, other module, _name)`` for each private name of another file ``module`` uses."""
    path = MODULES[module]
    tree = ast.parse(source if source is not None else path.read_text(encoding="utf-8"))
    aliases, taken = _module_aliases(tree, module if path.name == "__init__.py" else module.rpartition(".")[0])
    found = {(module, base, name) for base, name, _ in taken}
    found |= {(module, aliases[n.value.id], n.attr) for n in ast.walk(tree)
              if isinstance(n, ast.Attribute) and isinstance(n.value, ast.Name)
              and n.value.id in aliases and _private(n.attr)}
    return {f for f in found if f[1] != module}


def _allowed() -> set[tuple[str, str, str]]:
    rows = [line.split() for line in PRIVATE_ALLOWED.read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]
    return {(row[0], row[1], name) for row in rows for name in row[2:]}


def test_no_module_uses_a_private_name_of_another_file():
    found = set().union(*(private_uses(m) for m in MODULES))
    new = sorted(found - _allowed())
    assert not new, ("private names used outside their file — make them public helpers (in __all__, "
                     "with a docstring) or move them where they are used:\n"
                     + "\n".join(f"{m} uses {s}.{n}" for m, s, n in new))
    stale = sorted(_allowed() - found)
    assert not stale, (f"no longer used, remove from {PRIVATE_ALLOWED.name}:\n"
                       + "\n".join(f"{m} {s} {n}" for m, s, n in stale))


def test_the_value_sql_of_sources_is_used_only_inside_sources():
    """``sources._values`` (SQL for single values: ``q``, ``lit``, ``missing_to_null``, D248's
    ``cleaned_once``) is package-private: its names are public so that the loaders of
    ``jmtools.sources`` may share them under the rule above, and no module outside that package
    imports it (D260). A helper another layer needs is made public in a public module instead."""
    outside = sorted(m for m, imported in GRAPH.items()
                     if "jmtools.sources._values" in imported and not m.startswith("jmtools.sources"))
    assert not outside, f"jmtools.sources._values imported outside jmtools.sources: {outside}"
    inside = {m for m, imported in GRAPH.items() if "jmtools.sources._values" in imported}
    assert {"jmtools.sources._duckdb", "jmtools.sources._money"} <= inside      # cleaned_once's callers


def test_the_private_name_finder_finds_planted_uses():
    planted = ("from jmtools.report import _section_kit as kit\n"
               "from jmtools.report.headline import _lowest, headline_html\n"
               "from jmtools.core import stats\n"
               "import html as _html\n"
               "x = kit._secret + kit.public + stats._BLOCK_CELLS\n")
    assert private_uses("jmtools.report.sections", planted) == {
        ("jmtools.report.sections", "jmtools.report.headline", "_lowest"),
        ("jmtools.report.sections", "jmtools.report._section_kit", "_secret"),
        ("jmtools.report.sections", "jmtools.core.stats", "_BLOCK_CELLS")}
