"""``loading.yaml``: how a data folder's files are read, written once beside them, so that a
report (which takes no loader options) reads an export as the loader would with them."""

from __future__ import annotations

from pathlib import Path

from jmtools.core.errors import DataError, Problem, suggest
from jmtools.core.yamlbounds import key_line, short, yaml_bounds_problem
from jmtools.sources._amounts import AMOUNT_UNITS
from jmtools.sources._constants import check_constants
from jmtools.sources._numbers import DECIMALS
from jmtools.sources._read import HEADER_FIX, HEADER_OPTIONS
from jmtools.sources._spec import SPECS

__all__ = ["LOADING_FILE", "PART_OPTIONS", "read_loading_file", "loading_line", "renamed_values", "in_loading_file"]

#: The file in a data folder that holds loader options per table.
LOADING_FILE = "loading.yaml"

#: Options the file may give a table, with what each takes.
_OPTIONS = {
    "columns": ("a mapping of the table's names to yours", "columns: {timestamp: Zeitstempel}"),
    "time_format": ("a strptime format, unix, unix_ms or unix_us", 'time_format: "%d/%m/%Y %H:%M"'),
    "tz": ("an IANA zone name", "tz: Europe/Berlin"),
    "encoding": ("a codec name", "encoding: cp1252"),
    "sheet": ("a sheet name or number", "sheet: Export"),
    "read_options": ("a mapping of DuckDB read_csv options", 'read_options: {delim: ";"}'),
    "optional": ("true, false or a list of column names", "optional: [session_id, channel]"),
    "metrics": ("a mapping of metric names to the columns of their answers (surveys)", "metrics: {nps: Q1}"),
    "constants": ("a mapping of the table's columns to one value each", "constants: {touchpoint: checkout_page}"),
    "amount_unit": (", ".join(AMOUNT_UNITS) + " (orders)", "amount_unit: cents"),
    "decimal": ("\",\" or \".\", the decimal separator of numbers written as text", 'decimal: ","'),
    "asked_on": ("a mapping of metrics to the [low, high] scale they were asked on (surveys)",
                 "asked_on: {csat: [1, 10]}"),
    "reverse": ("a list of metrics asked the other way round (surveys)", "reverse: [ces]"),
    "non_answers": ("a list of the answers that mean no answer (surveys)", 'non_answers: ["Unsure (99)"]'),
    "stitch": ("the column of the anonymous (device) id that fills a missing customer id", "stitch: device_id"),
    "keep_anonymous": ("true or false: keep devices never identified as visitors (with stitch)",
                       "keep_anonymous: true"),
    "values": ("a mapping of stage, touchpoint or initiated_by to {value in the file: the name meant}",
               "values: {stage: {Onboarding survey: Activation}}"),
    "case": ("the column naming each customer's case: a claim, order, admission (events; D238)",
             "case: claim_no"),
    "case_name": ("what one case is called, in the singular (events; with case)", "case_name: claim"),
    "parts": ("a list of the files and folders read as this one table, or a mapping of each to its own "
              "options (columns, time_format, tz, encoding, sheet, read_options, constants, decimal)",
              "parts: {events/: {columns: {customer_id: acct_id}, time_format: unix_ms}, events.csv: {}}"),
    "actor": ("the column naming who acted: a user of the account whose journey it is (events; D256)",
              "actor: user_id"),
    "actor_name": ("what one actor is called, in the singular (events; with actor)", "actor_name: user"),
}
#: Options one part of a table may give itself under ``parts`` (D259); the rest are the table's.
PART_OPTIONS = ("columns", "time_format", "tz", "encoding", "sheet", "read_options", "constants", "decimal")
#: Columns whose values ``values`` may rename: the names a journey gives places (D192), and who
#: started an event (D204), renamed to one of :data:`_INITIATORS`.
_RENAMED = ("stage", "touchpoint", "initiated_by")
_INITIATORS = ("company", "customer")
#: Options users write that the file names otherwise.
_SAID_OTHERWISE = {"scales": "asked_on"}
#: Options for one table only.
_ONLY = {"metrics": ("surveys", "it turns survey questions into one row per answer"),
         "asked_on": ("surveys", "it is the scale survey answers were asked on"),
         "reverse": ("surveys", "it turns survey answers asked the other way round"),
         "non_answers": ("surveys", "it names survey answers that mean no answer"),
         "amount_unit": ("orders", "it is the unit of the orders' amount"),
         "case": ("events", "each (customer, case) of the event log is one journey"),
         "case_name": ("events", "it names the events' cases"),
         "actor": ("events", "it names who acted in each event"),
         "actor_name": ("events", "it names the events' actors")}


def read_loading_file(folder: Path, kinds) -> dict:
    """``{kind: {option: value}}`` from ``folder``'s ``loading.yaml``; ``{}`` when there is none.

    Raises
    ------
    jmtools.core.errors.DataError
        The file is not plain YAML, names a table or option that does not exist, or gives an
        option a value of the wrong kind; each problem names the file and its line.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "loading.yaml").write_text("events:\\n  tz: Europe/Berlin\\n")
    >>> read_loading_file(d, ["events", "orders"])
    {'events': {'tz': 'Europe/Berlin'}}
    """
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    path = Path(folder) / LOADING_FILE
    if not path.is_file():
        return {}
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError as err:
        raise DataError([Problem(f"not UTF-8 text (byte {err.start})", source=source,
                                 fix="save the file as UTF-8")]) from None
    too_big = yaml_bounds_problem(text, source)
    if too_big:
        raise DataError([too_big])
    try:
        node = YAML(typ="safe", pure=True).compose(text)
        doc = YAML(typ="safe", pure=True).load(text)
    except YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        raise DataError([Problem(f"not valid YAML: {short(getattr(err, 'problem', None) or err)}",
                                 source=source, line=mark.line + 1 if mark else None,
                                 fix="plain YAML only (no tags such as !!python): one block per "
                                     "table, e.g. `events:` then `  tz: Europe/Berlin`")]) from None
    if doc is None:
        return {}
    problems = []

    def fail(where: tuple, message: str, fix: str) -> None:
        problems.append(Problem(message, fix=fix, source=source, line=_line(node, where),
                                path=".".join(map(str, where)) or None))

    if not isinstance(doc, dict):
        fail((), f"the file must map table names to their options, got {type(doc).__name__}",
             "start with a table name, e.g. `events:`, and its options indented below it")
        raise DataError(problems)
    kinds = list(kinds)
    for kind, how in doc.items():
        if kind not in kinds:
            near = suggest(str(kind), kinds)
            fail((kind,), f"{short(kind)!r} is not a table", (f"did you mean {near!r}? " if near else "")
                 + "tables are " + ", ".join(kinds))
            continue
        if not isinstance(how, dict):
            fail((kind,), f"{kind} must be a mapping of options, got {short(how)!r}",
                 f"indent the options under `{kind}:`, e.g. `  tz: Europe/Berlin`")
            continue
        for option, value in how.items():
            if option not in _OPTIONS:
                near = _SAID_OTHERWISE.get(option) or suggest(str(option), _OPTIONS)
                fail((kind, option), f"{short(option)!r} is not a loader option",
                     (f"did you mean {near!r}? " if near else "") + "options are " + ", ".join(_OPTIONS))
            elif option in _ONLY and kind != _ONLY[option][0]:
                fail((kind, option), f"{option} is for {_ONLY[option][0]} only, not {kind}",
                     f"move it under `{_ONLY[option][0]}:`: {_ONLY[option][1]}")
            elif not _fits(option, value):
                fail((kind, option), f"{option} must be {_OPTIONS[option][0]}, got {short(value)!r}",
                     f"write e.g. `{_OPTIONS[option][1]}`")
            elif option == "constants":
                for name, why in check_constants(value, SPECS[kind]):
                    fail((kind, option, name), f"constants.{short(name)}: {why}",
                         f"give one value (text or a number) for a column of {kind} the file lacks, e.g. "
                         f"`{_OPTIONS[option][1]}`")
            elif option == "values":
                cols = [c for c in _RENAMED if SPECS[kind].column(c) is not None]
                for name in [n for n in value if n not in cols]:
                    fail((kind, option, name), f"values.{short(name)}: not "
                         + (f"{'an' if cols and cols[0][0] in 'aeiou' else 'a'} {' or '.join(cols)} column of {kind}"
                            if cols else f"renamed: {kind} has no column values renames"),
                         "values renames the stage or touchpoint names a file gives, e.g. "
                         f"`{_OPTIONS[option][1]}`, or who started an event "
                         "(events: `values: {initiated_by: {BANK: company}}`)")
                for key, to in (value.get("initiated_by") or {}).items():
                    if kind == "events" and to.strip().lower() not in _INITIATORS:
                        fail((kind, option, "initiated_by", key),
                             f"values.initiated_by.{short(key)}: {short(to)!r} is neither company nor customer",
                             f"name who started those events: `values: {{initiated_by: {{{short(key)}: company}}}}` "
                             "(or customer)")
            elif option == "read_options":
                for key in [k for k in value if k.lower() in HEADER_OPTIONS]:
                    fail((kind, option, key), f"read_options.{key} is not taken", HEADER_FIX)
            elif option == "parts":
                for part, own in (value.items() if isinstance(value, dict) else ()):
                    for name, given in (own or {}).items():
                        if name not in PART_OPTIONS:
                            fail((kind, option, part, name), f"parts.{short(part)}.{short(name)}: not an option "
                                 "of one part", "a part may give itself " + ", ".join(PART_OPTIONS)
                                 + f"; write {short(name)} under `{kind}:` for every part")
                        elif not _fits(name, given):
                            fail((kind, option, part, name), f"parts.{short(part)}.{short(name)} must be "
                                 f"{_OPTIONS[name][0]}, got {short(given)!r}", f"write e.g. `{_OPTIONS[name][1]}`")
    if problems:
        raise DataError(problems)
    return {kind: dict(how) for kind, how in doc.items()}


def _fits(option: str, value) -> bool:
    if option == "constants":
        return isinstance(value, dict) and bool(value) and all(isinstance(k, str) for k in value)
    if option == "decimal":
        return value in DECIMALS
    if option == "amount_unit":
        return isinstance(value, str) and value.strip().lower() in AMOUNT_UNITS
    if option == "asked_on":
        return isinstance(value, dict) and bool(value) and all(
            isinstance(v, list) and len(v) == 2 and all(isinstance(x, int) and not isinstance(x, bool) for x in v)
            for v in value.values())
    if option in ("reverse", "non_answers"):
        return isinstance(value, list) and bool(value) and all(isinstance(v, str) for v in value)
    if option == "values":
        return isinstance(value, dict) and bool(value) and all(
            isinstance(k, str) and isinstance(v, dict) and bool(v)
            and all(isinstance(a, (str, int)) and isinstance(b, str) and b.strip() for a, b in v.items())
            for k, v in value.items())
    if option in ("columns", "metrics"):
        return isinstance(value, dict) and all(isinstance(k, str) and isinstance(v, str) for k, v in value.items())
    if option == "read_options":
        return isinstance(value, dict) and all(isinstance(k, str) for k in value)
    if option == "parts":
        return (isinstance(value, list) and bool(value) and all(isinstance(v, str) and v.strip() for v in value)) or (
            isinstance(value, dict) and bool(value) and all(
                isinstance(k, str) and k.strip() and (v is None or isinstance(v, dict)) for k, v in value.items()))
    if option == "sheet":
        return isinstance(value, (str, int)) and not isinstance(value, bool)
    if option == "keep_anonymous":
        return isinstance(value, bool)
    if option == "optional":
        return isinstance(value, bool) or (isinstance(value, list) and all(isinstance(v, str) for v in value))
    return isinstance(value, str) and bool(value.strip())


def loading_line(folder: Path, where: tuple) -> int | None:
    """1-based line of the key path ``where`` (``("surveys", "constants", "touchpoint")``) in
    ``folder``'s ``loading.yaml``, read before by :func:`read_loading_file`.

    Examples
    --------
    >>> import tempfile
    >>> d = Path(tempfile.mkdtemp())
    >>> _ = (d / "loading.yaml").write_text("surveys:\\n  constants:\\n    touchpoint: checkout_page\\n")
    >>> loading_line(d, ("surveys", "constants", "touchpoint"))
    3
    """
    from ruamel.yaml import YAML

    try:
        return _line(YAML(typ="safe", pure=True).compose((Path(folder) / LOADING_FILE).read_text(encoding="utf-8")),
                     where)
    except Exception:  # noqa: BLE001 — the file was read before; no line is no worse than before
        return None


def _line(node, where: tuple) -> int | None:
    """1-based line of the key path ``where`` in the composed YAML ``node`` (1: the file's top)."""
    return key_line(node, where, start=1 if node is not None else None)


def renamed_values(loaded, values: dict) -> str | None:
    """Rename the stage, touchpoint or initiated_by values of ``loaded`` (a LoadedTable) as ``values`` says
    (``{"stage": {"Onboarding survey": "Activation"}}``, from ``loading.yaml``), in place, and
    return the note that says so with the rows renamed (None when no row had such a value).
    A value is matched as written, ignoring case and spaces around it, as journey names are.

    Examples
    --------
    >>> import ibis, pandas as pd
    >>> from types import SimpleNamespace
    >>> t = SimpleNamespace(table=ibis.memtable(pd.DataFrame({"stage": ["Onboarding survey ", "Renewal", None]})))
    >>> renamed_values(t, {"stage": {"onboarding survey": "Activation"}})
    "stage renamed (values): 'onboarding survey' → 'Activation' (1 row)"
    >>> t.table.to_pandas()["stage"].tolist()[:2]
    ['Activation', 'Renewal']
    """
    table, said = loaded.table, []
    wide = getattr(getattr(loaded, "accounting", None), "rows_in_file", None) is not None   # D195
    for col, mapping in values.items():
        if col not in table.columns:
            continue
        keys = {str(a).strip().casefold(): b for a, b in mapping.items()}
        key = table[col].cast("string").strip().lower()    # as kpis and journey names match them
        hit = table.mutate(_k=key).filter(lambda t: t._k.isin(list(keys)))
        responses = {"r": hit.survey_id.nunique()} if wide and "survey_id" in table.columns else {}
        counts = hit.group_by("_k").aggregate(n=hit.count(), **responses).to_pandas().set_index("_k")
        if not len(counts):
            continue
        table = table.mutate(**{col: key.substitute(keys, else_=table[col])})
        said.append(f"{col} renamed (values): " + ", ".join(
            f"{str(a)!r} → {b!r} ({_how_many(counts.loc[k], wide)})"
            for a, b in mapping.items() if (k := str(a).strip().casefold()) in counts.index))
    loaded.table = table
    return "; ".join(said) or None


def _how_many(count, wide: bool) -> str:
    """The rows a value was renamed in: rows, or for a survey file with one column per question
    the answers and, when the responses have ids, the rows of the file they were read from (D205).

    Examples
    --------
    >>> _how_many({"n": 1}, False), _how_many({"n": 1331, "r": 452}, True), _how_many({"n": 3}, True)
    ('1 row', '452 rows of the file read as 1,331 answers', '3 answers')
    """
    n = int(count["n"])
    if not wide:
        return f"{n:,} row{'s' if n != 1 else ''}"
    answers = f"{n:,} answer{'s' if n != 1 else ''}"
    r = count.get("r") if hasattr(count, "get") else None
    return answers if r is None or r != r else f"{int(r):,} row{'s' if r != 1 else ''} of the file read as {answers}"


def in_loading_file(err: DataError, path: Path, kind: str, located) -> DataError:
    """``err`` with its problems about ``constants``, ``read_options`` or ``sheet`` located in
    ``loading.yaml`` (they came from there): the file, the line of the constant, and the data file that has the column."""
    import dataclasses

    problems = [dataclasses.replace(p, source=str(path.parent / LOADING_FILE), message=f"{p.message} in {p.source}",
                                    line=loading_line(path.parent, (kind, *p.path.split(".", 1))))
                if (p.path or "").split(".")[0] in located else p for p in err.problems]
    return DataError(problems)
