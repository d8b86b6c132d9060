"""Each report of a batch checked before any kernel starts: its data folder and input files,
its persona (a name of its journey's, whose rule runs on the customer table) and its segment.

:func:`jmtools.report.batch.run_batch` asks :func:`_entry_failures` which jobs cannot run; such a
job fails alone (D11: the others still run) with a message located where its value was written
— for a job read from a batch config (:attr:`jmtools.report.jobs.Job.origin`) the file, line
and key path, e.g. ``weekly.yaml:10: report 'Ben typo': persona 'Budget Bne' is not a persona of
journey.yaml — did you mean 'Budget Ben'? [path 'reports[2].parameters.persona']``; a persona
whose rule cannot run on the customer table (:func:`jmtools.personas.runnable_personas`, the check
its report would fail in) is named by the journey file and line of that rule (D187). What cannot
be decided here (a journey file that does not load, a data folder without a customer table for
a rule's columns) is left to the report, which says it in its kernel as before.
"""

from __future__ import annotations

import os
from pathlib import Path

from ruamel.yaml import YAML

from jmtools.core.errors import JmtoolsError, ParameterError, Problem, suggest
from jmtools.core.expressions import SEGMENT_RULE, RuleError, parse_rule, schema_of
from jmtools.core.resources import SAMPLE_PREFIX, resolve_data_dir, suggest_path
from jmtools.core.yamlbounds import key_line
from jmtools.journey import Journey, PersonaRef, load_persona_library
from jmtools.personas import runnable_personas
from jmtools.report.parameters import read_parameters
from jmtools.sources import SPECS, journey_path, load_world

__all__: list[str] = ["job_problems"]

_ALL = "all"


def _entry_failures(jobs) -> dict[int, str]:
    """Position of each job whose data folder, input file, persona or segment is wrong → the
    located message of every problem found in it, one per line.

    Examples
    --------
    >>> from jmtools.core.resources import project_root
    >>> from jmtools.report.jobs import Job
    >>> nb = str(project_root() / "tests" / "notebooks" / "chart_records_feedback.ipynb")
    >>> _entry_failures([Job("ok", nb), Job("gone", nb, {"data_file": "/no/such.csv"})])
    {1: "report 'gone': data_file '/no/such.csv' does not exist"}
    """
    memo: dict = {}
    failures = {}
    for i, job in enumerate(jobs):
        problems = _entry_problems(job, memo)
        if problems:
            failures[i] = "\n".join(map(str, problems))
    return failures


def job_problems(job) -> list[Problem]:
    """What is wrong with one report's data folder, input files, persona or segment, found before
    any kernel starts (``jmtools report`` and ``batch`` both refuse on it; D257).

    Examples
    --------
    >>> from jmtools.core.resources import project_root
    >>> from jmtools.report.jobs import Job
    >>> nb = str(project_root() / "tests" / "notebooks" / "chart_records_feedback.ipynb")
    >>> job_problems(Job("ok", nb)), [p.message for p in job_problems(Job("gone", nb, {"data_file": "/no/such.csv"}))]
    ([], ["data_file '/no/such.csv' does not exist"])
    """
    return _entry_problems(job, {})


def _entry_problems(job, memo: dict) -> list[Problem]:
    if job.notebook not in memo:
        memo[job.notebook] = {n: p.default for n, p in read_parameters(job.notebook).items()}
    values = memo[job.notebook] | dict(job.parameters)
    base = Path(job.notebook).resolve().parent      # where a kernel resolves a relative path
    found = [_path_problem(job, name, value, base) for name, value in job.parameters.items()]
    found += [_persona_problem(job, values, base, memo) or _rule_problem(job, values, base, memo),
              _segment_problem(job, values, base, memo)]
    return [p for p in found if p is not None]


def _located(job, key: str, message: str, fix: str = "") -> Problem:
    """A problem of ``job``'s ``key``, named where the batch config wrote it (when it did)."""
    origin = job.origin or {}
    line, where, _ = origin.get("keys", {}).get(key, (origin.get("line"), origin.get("entry"), None))
    return Problem(f"report {job.name!r}: {message}", fix=fix, source=origin.get("source"),
                   line=line, path=where) if origin else \
        Problem(message, fix=fix, source=f"report {job.name!r}")


def _written(job, key: str, value):
    """The value as the config file wrote it (before it was made absolute), else as given."""
    return ((job.origin or {}).get("keys", {}).get(key) or (None, None, value))[2]


def _path_problem(job, name: str, value, base: Path) -> Problem | None:
    """The data folder (``data_dir``) must be a folder, an input ``*_file`` a file."""
    if not (isinstance(value, str) and value.strip()) or not (name == "data_dir" or name.endswith("_file")):
        return None
    if value.startswith(SAMPLE_PREFIX):
        if name != "data_dir":
            return None
        try:
            resolve_data_dir(value)
        except ParameterError as err:
            return _located(job, name, str(err).splitlines()[0], err.fix)
        return None
    full = base / value
    folder = name == "data_dir"
    if (full.is_dir() if folder else full.is_file()):
        return None
    written = _written(job, name, value)
    what = ("is a file, not a folder" if folder else "is a folder, not a file") if full.exists() \
        else "does not exist"
    shown = f"{written!r}" + ("" if written == str(full) else f" ({full})")
    where = ""
    if job.origin and not os.path.isabs(str(written)):
        where = f"; relative paths in a batch config start from its folder {job.origin['here']}"
    near = None
    old = Path(job.notebook).parent / str(written)   # as the notebook's folder read it before D135
    if where and (old.is_dir() if folder else old.is_file()):
        near = os.path.relpath(old.resolve(), job.origin["here"])
        where += f" — did you mean {near!r}? ({written!r} from the notebook's folder)"
    elif not full.exists():
        near = suggest_path(full, folders=folder)
    fix = (f"did you mean {near!r}? " if near else "") + (
        "write the path from the config file's folder, or an absolute path" if job.origin else
        "pass an absolute path")
    return _located(job, name, f"{name} {shown} {what}{where}", fix if where or near else "")


def _journey(values: dict, base: Path, memo: dict):
    """The journey a job reports on, or None when it cannot be told or loaded here."""
    try:
        given = values.get("journey_file") or None
        path = base / given if given else None
        if path is None and values.get("data_dir"):
            data = str(values["data_dir"])
            path = journey_path(resolve_data_dir(data if data.startswith(SAMPLE_PREFIX) else base / data))
        if path is None:
            return None, None
        key = ("journey", str(path))
        if key not in memo:
            memo[key] = Journey.load(path)
        return memo[key], path
    except (JmtoolsError, OSError, ValueError):
        return None, None


def _persona_problem(job, values: dict, base: Path, memo: dict) -> Problem | None:
    persona = job.parameters.get("persona")
    if not isinstance(persona, str) or persona == _ALL or values.get("personas_file"):
        return None
    journey, path = _journey(values, base, memo)
    if journey is None:
        return None
    names = list(journey.persona_names)
    if persona in names:
        return None
    hint = suggest(persona, names)
    return _located(job, "persona", f"persona {persona!r} is not a persona of {Path(path).name}"
                    + (f" — did you mean {hint!r}?" if hint else ""),
                    f"write {_ALL!r} or one of the personas of {path}: " + ", ".join(map(repr, names)))


def _segment_problem(job, values: dict, base: Path, memo: dict) -> Problem | None:
    segment = job.parameters.get("segment")
    if not isinstance(segment, str) or not segment.strip():
        return None
    try:
        rule = parse_rule(segment, persona=SEGMENT_RULE)
        schema = _customer_schema(values, base, memo)
        if schema is not None:
            rule.check(schema, persona=SEGMENT_RULE)
    except RuleError as err:
        at = f" at column {err.position + 1}" if err.position is not None else ""
        hint = suggest(err.attribute, schema) if err.attribute and schema else None
        said = f" — did you mean {hint!r}?" if hint and hint != err.attribute else ""
        fix = err.fix.replace(f"did you mean {hint!r}? ", "") if said else err.fix   # said once (D266)
        return _located(job, "segment", f"segment {segment!r}: {err.message}{at}{said}", fix)
    return None


def _rule_problem(job, values: dict, base: Path, memo: dict) -> Problem | None:
    """The job's persona, when its rule cannot run on the customer table: its report would fail
    in its kernel with that error (``pipeline.run``), and every other report leaves it out."""
    persona = job.parameters.get("persona")
    if not isinstance(persona, str) or persona == _ALL or values.get("personas_file"):
        return None
    journey, path = _journey(values, base, memo)
    customers = _customers(values, base, memo)
    if journey is None or customers is None or persona not in journey.persona_names:
        return None
    key = ("broken", str(path), id(customers))
    if key not in memo:
        try:
            memo[key] = runnable_personas(journey, customers.to_pandas())[1]
        except (JmtoolsError, OSError, ValueError):
            memo[key] = {}
    err = memo[key].get(persona)
    if err is None:
        return None
    source, line, where = _rule_place(journey, Path(path), persona)
    at = f" at column {err.position + 1}" if err.position is not None else ""
    return Problem(f"report {job.name!r}: persona {persona!r} cannot run on the customer table "
                   f"{customers.source}: its rule {err.rule!r} {err.message}{at} (the other reports "
                   "run and leave it out)", fix=err.fix or "correct the rule in the journey file",
                   source=source, line=line, path=where)


def _rule_place(journey, path: Path, persona: str) -> tuple[str, int | None, str]:
    """File, line and key path of ``persona``'s rule (``rest:``) in the journey file, or in the
    persona library a ``ref:`` names."""
    i = journey.persona_names.index(persona)
    entry, card = journey.personas[i], journey.personas_resolved()[i]
    if isinstance(entry, PersonaRef):
        path = path.parent / entry.file
        i = [p.name for p in load_persona_library(path).personas].index(persona)
    where = ("personas", i, "rule" if getattr(card, "rule", None) else "rest")
    try:
        line = key_line(YAML(typ="safe", pure=True).compose(path.read_text(encoding="utf-8")), where)
    except (OSError, ValueError):
        line = None
    return str(path), line, f"personas[{i}].{where[2]}"


def _customers(values: dict, base: Path, memo: dict):
    """The customer table a job's rules select from (a loaded table; None: unknown)."""
    data = values.get("data_dir")
    if not isinstance(data, str) or not data:
        return None
    journey = values.get("journey_file") or None
    key = ("customers", data, journey)
    if key not in memo:
        try:
            folder = resolve_data_dir(data if data.startswith(SAMPLE_PREFIX) else base / data)
            world = load_world(folder, base / journey if journey else None, defer=tuple(SPECS))
            memo[key] = world.tables.get("customers")
        except (JmtoolsError, OSError, ValueError):
            memo[key] = None
    return memo[key]


def _customer_schema(values: dict, base: Path, memo: dict) -> dict | None:
    """Attribute → kind of the customer table the job's segment selects from (None: unknown)."""
    customers = _customers(values, base, memo)
    if customers is None:
        return None
    key = ("schema", id(customers))
    if key not in memo:
        memo[key] = schema_of(customers.table)
    return memo[key]
