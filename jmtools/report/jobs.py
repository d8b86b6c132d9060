"""The reports a batch runs: :class:`Job`, one per persona of a journey, or read from a config.

:func:`load_batch_config` reads a batch YAML file and checks every value it reads before a
kernel starts: a wrong shape or type (a report without a name, ``workers: two``,
``static: 'no'``, ``parameters: [a, b]``) is one located
:class:`~jmtools.core.errors.DataError` naming the file, line and key, never a traceback and
never a value quietly read as something else. Relative paths in the file — ``notebook``,
``out``, ``personas_from`` and the values of parameters named ``*_dir``, ``*_file``, ``*_path``
or ``*_folder`` — start from the folder that holds the file, wherever the command runs; each job
keeps where it was written (:attr:`Job.origin`), so :mod:`jmtools.report.batch` can locate a
wrong persona, segment or path by file, line and key before any kernel starts, and runs the jobs.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from jmtools.core.errors import DataError, ParameterError, Problem
from jmtools.core.resources import SAMPLE_PREFIX
from jmtools.core.yamlbounds import key_line, yaml_bounds_problem
from jmtools.journey import Journey
from jmtools.report.parameters import _PATH_SUFFIXES

__all__ = ["Job", "slug", "persona_jobs", "load_batch_config", "CONFIG_KEYS", "REPORT_KEYS"]

#: Keys of a batch config file, and of one entry of its ``reports:`` list.
CONFIG_KEYS = ("notebook", "out", "workers", "parameters", "reports", "personas_from", "static")
REPORT_KEYS = ("name", "parameters", "title")
_MAX_STEM = 60  # longest file stem of a report (the full name stays in the page and the index)


def slug(text: str) -> str:
    """File-name-safe form of a report name.

    Examples
    --------
    >>> slug("Budget Ben / ecommerce")
    'budget-ben-ecommerce'
    >>> len(slug("x" * 300)), slug("Зоя")
    (60, 'report-debca98f')
    """
    base = re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    tag = hashlib.sha1(text.encode("utf-8")).hexdigest()[:8]
    if not base or len(base) > _MAX_STEM:  # no ASCII letters, or too long for a file system
        return f"{base[:_MAX_STEM - 9].rstrip('-') or 'report'}-{tag}"
    return base


@dataclass
class Job:
    """One report to produce: a notebook run with parameters, under a name.

    ``origin`` is set for a job read from a batch config: ``{"source": file, "entry":
    "reports[2]", "here": the file's folder, "keys": {parameter: (line, key path, value as
    written)}}``, so a wrong value is named where it was written.
    """

    name: str
    notebook: str
    parameters: dict = field(default_factory=dict)
    title: str | None = None
    file_stem: str | None = None  # set by the batch when two names share a slug ("Ben", "ben")
    origin: dict | None = field(default=None, repr=False, compare=False)

    @property
    def stem(self) -> str:
        """File stem of the report's outputs."""
        return self.file_stem or slug(self.name)


def persona_jobs(journey_file: str | os.PathLike, *, notebook: str | os.PathLike,
                 parameters: Mapping[str, Any] | None = None, persona_param: str = "persona",
                 include_all: bool = True, prefix: str = "") -> list[Job]:
    """One job per persona of a journey file (plus one for everyone).

    Parameters
    ----------
    journey_file : path-like
        Journey YAML whose personas are listed.
    notebook : path-like
        The report notebook.
    parameters : mapping, optional
        Parameters shared by every job.
    persona_param : str, default "persona"
        Name of the notebook parameter that selects the persona.
    include_all : bool, default True
        Add a job with ``persona="all"``.
    prefix : str, default ""
        Prepended to each job name (``"ecommerce "``).

    Returns
    -------
    list of Job
    """
    names = Journey.load(journey_file).persona_names
    base = dict(parameters or {})
    chosen = (["all"] if include_all else []) + list(names)
    return [Job(name=f"{prefix}{p}", notebook=os.fspath(notebook),
                parameters=base | {persona_param: p},
                title=f"{prefix}{'all customers' if p == 'all' else p}") for p in chosen]


def load_batch_config(path: str | os.PathLike) -> dict:
    """Read a batch YAML file into ``{"jobs": [...], "out": ..., "workers": ...}``.

    The file::

        notebook: notebooks/00_journey_report.ipynb   # relative to this file's folder
        out: reports/weekly                           # optional
        workers: 2                                    # optional
        parameters: {data_dir: data/ecommerce}        # shared by every report
        reports:
          - name: Budget Ben
            parameters: {persona: Budget Ben}
          - name: everyone                             # parameters may be omitted
        personas_from: data/ecommerce/journey.yaml     # or: one report per persona

    Every relative path starts from the folder holding the file: ``notebook``, ``out``,
    ``personas_from`` and parameters named ``*_dir``, ``*_file``, ``*_path``, ``*_folder``
    (made absolute here; an absolute path and ``sample:NAME`` stay as written).

    Returns
    -------
    dict
        ``jobs`` (list of Job), ``out`` (str or None), ``workers`` (int or None), ``static`` (bool).

    Raises
    ------
    ParameterError
        Unknown keys (with "did you mean"), no notebook, no reports.
    DataError
        A file that cannot be read, is not plain YAML, too big (:mod:`jmtools.core.yamlbounds`:
        size, aliases, nesting), or holds a value of the wrong kind — each located by line
        and key.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "batch.yaml")
    ...     _ = open(p, "w").write("notebook: r.ipynb\\nreports:\\n  - name: A\\n"
    ...                            "    parameters: {persona: A}\\n")
    ...     cfg = load_batch_config(p)
    >>> [(j.name, j.parameters) for j in cfg["jobs"]]
    [('A', {'persona': 'A'})]
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = os.path.join(d, "batch.yaml")
    ...     _ = open(p, "w").write("notebook: r.ipynb\\nparameters: {data_dir: data}\\n"
    ...                            "reports:\\n  - name: A\\n")
    ...     given = load_batch_config(p)["jobs"][0].parameters["data_dir"]
    ...     given == os.path.join(os.path.abspath(d), "data")
    True
    """
    path = Path(path)
    text = _read(path)
    doc = _parse(text, path)
    check = _Checker(text, path)
    for key in doc:
        if key not in CONFIG_KEYS:
            raise ParameterError(f"key of {path}", key, expected=sorted(CONFIG_KEYS))
    if "notebook" not in doc:
        raise ParameterError(f"{path}: notebook", None, expected="the report notebook's path",
                             fix="add `notebook: notebooks/00_journey_report.ipynb`")
    check.kind(doc, ("notebook",), str, "the notebook's path (text)")
    for key in ("out", "personas_from"):
        check.kind(doc, (key,), (str, type(None)), "a path (text)")
    check.kind(doc, ("static",), (bool, type(None)), "true or false (without quotes)")
    check.workers(doc)
    check.kind(doc, ("parameters",), (dict, type(None)), "a mapping `name: value`")
    check.names(doc.get("parameters"), ("parameters",))
    reports = doc.get("reports")
    check.kind(doc, ("reports",), (list, type(None)), "a list of `- name: …` entries")
    for i, entry in enumerate(reports or []):
        check.report(entry, i, path)
    here = Path(os.path.abspath(path)).parent
    notebook = str((here / doc["notebook"]).resolve())
    shared = dict(doc.get("parameters") or {})
    jobs = [Job(name=str(r["name"]), notebook=notebook,
                parameters=_from_folder(shared | dict(r.get("parameters") or {}), here),
                title=r.get("title"), origin=_origin(check, shared, r, i, here))
            for i, r in enumerate(reports or [])]
    if doc.get("personas_from"):
        found = persona_jobs(here / doc["personas_from"], notebook=notebook,
                             parameters=_from_folder(shared, here))
        for job in found:
            job.origin = _origin(check, shared, {}, None, here)
        jobs += found
    if not jobs:
        raise ParameterError(f"{path}: reports", [], expected="at least one report",
                             fix="list reports under `reports:` or set `personas_from:`")
    out = doc.get("out")
    static = doc.get("static")
    return {"jobs": jobs, "out": str(here / out) if out else None,
            "workers": doc.get("workers"), "static": True if static is None else static}


def _from_folder(values: dict, here: Path) -> dict:
    """``values`` with each relative path parameter made absolute from the config's folder."""
    out = dict(values)
    for name, value in values.items():
        if (name.endswith(_PATH_SUFFIXES) and isinstance(value, str) and value.strip()
                and not os.path.isabs(value) and not value.startswith(SAMPLE_PREFIX)):
            out[name] = os.path.normpath(os.path.join(here, value))
    return out


def _origin(check: "_Checker", shared: dict, entry: dict, i: int | None, here: Path) -> dict:
    """Where a job's parameters were written: line, key path and value of each."""
    keys = {name: (check.line(("parameters", name)), f"parameters.{name}", value)
            for name, value in shared.items()}
    entry_at = "personas_from" if i is None else f"reports[{i}]"
    for name, value in (entry.get("parameters") or {}).items():
        keys[name] = (check.line(("reports", i, "parameters", name)),
                      f"{entry_at}.parameters.{name}", value)
    return {"source": str(check.path), "entry": entry_at, "here": str(here), "keys": keys,
            "line": check.line(("personas_from",) if i is None else ("reports", i))}


def _read(path: Path) -> str:
    if path.exists() and not path.is_file():
        raise DataError([Problem("not a file (a folder or a device)", source=str(path),
                                 fix="give the path of a batch YAML file")])
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise DataError([Problem(f"cannot read the batch config ({err})", source=str(path),
                                 fix="give a UTF-8 YAML file")]) from None


def _parse(text: str, path: Path) -> dict:
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    too_big = yaml_bounds_problem(text, str(path))
    if too_big:
        raise DataError([too_big])
    try:
        doc = YAML(typ="safe", pure=True).load(text) or {}
    except YAMLError as err:
        mark, what = getattr(err, "problem_mark", None), str(getattr(err, "problem", None) or err)
        where = f" [line {mark.line + 1}, column {mark.column + 1}]" if mark is not None else ""
        what = what.splitlines()[0][:200]
        fix = ("keep one of the two entries with this key" if "duplicate key" in what else
               "plain YAML only: tags such as !!python are refused; check indentation, colons "
               "and quotes")
        raise DataError([Problem(f"not valid batch YAML{where}: {what}", source=str(path),
                                 fix=fix)]) from None
    if not isinstance(doc, dict):
        raise DataError([Problem(f"a batch config is a mapping of keys, got {type(doc).__name__}",
                                 source=str(path), fix="start with `notebook:` and `reports:`")])
    return doc


class _Checker:
    """Checks values of a parsed config; each problem is located by the YAML node's line."""

    def __init__(self, text: str, path: Path):
        self.text, self.path = text, path
        self._root = None

    def fail(self, where: tuple, message: str, fix: str):
        shown = "".join(f"[{k}]" if isinstance(k, int) else f".{k}" for k in where).lstrip(".")
        raise DataError([Problem(message, fix=fix, source=str(self.path), line=self.line(where),
                                 path=shown)])

    def line(self, where: tuple) -> int | None:
        from ruamel.yaml import YAML

        if self._root is None:
            self._root = YAML(typ="safe", pure=True).compose(self.text)
        return key_line(self._root, where)

    def kind(self, mapping: dict, where: tuple, kinds, expected: str) -> None:
        key = where[-1]
        if key not in mapping:
            return
        value = mapping[key]
        if not isinstance(value, kinds) or (kinds is str and not value.strip()):
            self.fail(where, f"{key} must be {expected} — got {_shown(value)}",
                      f"write e.g. {_EXAMPLES.get(key, key + ': …')}")

    def workers(self, doc: dict) -> None:
        value = doc.get("workers")
        if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                  or not 1 <= value <= 512):
            self.fail(("workers",), f"workers must be a whole number from 1 to 512 — got "
                      f"{_shown(value)}", "write e.g. `workers: 2`, or leave it out (one per CPU)")

    def names(self, params, where: tuple) -> None:
        for name in params or {}:
            if not isinstance(name, str):
                self.fail(where, f"parameter names must be text — got {_shown(name)}",
                          "quote a name YAML reads as a number, true/false or null")

    def report(self, entry, i: int, path: Path) -> None:
        where = ("reports", i)
        if not isinstance(entry, dict):
            self.fail(where, f"each report must be a mapping with a name — got {_shown(entry)}",
                      "write `- name: Budget Ben` and, indented below it, "
                      "`parameters: {persona: Budget Ben}`")
        for key in entry:
            if key not in REPORT_KEYS:
                raise ParameterError(f"key of reports[{i}] in {path}", key,
                                     expected=list(REPORT_KEYS))
        name = entry.get("name")
        if isinstance(name, bool) or not isinstance(name, (str, int, float)) or not str(name).strip():
            self.fail(where + ("name",) if "name" in entry else where,
                      f"each report needs a name (text) — got {_shown(name)}",
                      "write `- name: Budget Ben` (the report's title and file name)")
        self.kind(entry, where + ("parameters",), (dict, type(None)), "a mapping `name: value`")
        self.names(entry.get("parameters"), where + ("parameters",))
        self.kind(entry, where + ("title",), (str, type(None)), "text")


_EXAMPLES = {"notebook": "`notebook: notebooks/00_journey_report.ipynb`",
             "out": "`out: reports/weekly`", "personas_from": "`personas_from: journey.yaml`",
             "static": "`static: false`", "parameters": "`parameters: {persona: Budget Ben}`",
             "reports": "`reports:` then `  - name: Budget Ben` on the next line",
             "title": "`title: Budget Ben, weekly`"}


def _shown(value) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:59] + "…"
