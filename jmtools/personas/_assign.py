"""Persona selection: who each persona selects, one persona per customer, coverage, checks.

The public names are re-exported by :mod:`jmtools.personas`.
"""

from __future__ import annotations

import functools
import operator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Iterable, Mapping, Sequence

from jmtools.core.errors import DataError, ParameterError, Problem, suggest
from jmtools.core.expressions import Rule, RuleError, parse_rule
from jmtools.core.vocabulary import NO_PERSONA
from jmtools.journey.checks import _rest_problems

__all__ = ["NO_PERSONA", "persona_filter", "persona_masks", "assign_personas", "coverage_report",
           "persona_overlaps", "check_personas", "runnable_personas"]

#: Label of customers whom no persona selects (in reports; ``persona`` is missing in assignments).


# ---------------------------------------------------------------------------------------------
# Persona specs: journeys, cards, dicts or {name: rule}
# ---------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class _Spec:
    name: str
    rule: Rule | None
    cluster: Any = None
    rest: bool = False  # everyone no earlier persona selects


def _items(personas) -> list:
    """Personas as a list of cards or dicts (a Journey's resolved, a mapping name → rule)."""
    if hasattr(personas, "personas_resolved"):
        personas = personas.personas_resolved()
    if isinstance(personas, Mapping):
        personas = [{"name": k, "rule": v} for k, v in personas.items()]
    if isinstance(personas, (str, bytes)) or not isinstance(personas, Iterable):
        raise ParameterError("personas", personas, expected="a list of persona cards, a Journey "
                             "or a mapping name → rule")
    return list(personas)


def _getter(p):
    return p.get if isinstance(p, Mapping) else (lambda key, _p=p: getattr(_p, key, None))


def _rest_findings(items) -> list[tuple[int, str, str]]:
    """(index, message, fix) for rest personas written wrongly (two, not last, with a rule)."""
    cards = [SimpleNamespace(**{k: _getter(p)(k) for k in ("name", "rule", "cluster", "rest")})
             for p in items]
    return _rest_problems(cards)


def _specs(personas) -> list[_Spec]:
    """Normalise personas (a Journey, cards, dicts, or a mapping name → rule) to specs."""
    personas = _items(personas)
    specs, seen, problems = [], set(), []
    for i, p in enumerate(personas):
        get = _getter(p)
        name, text, cluster = get("name"), get("rule"), get("cluster")
        if not name:
            raise ParameterError(f"personas[{i}].name", name, expected="a non-empty name")
        if name in seen:
            raise ParameterError(f"personas[{i}].name", name, expected="a name used once",
                                 fix="give each persona its own name")
        seen.add(name)
        if get("rest"):
            specs.append(_Spec(str(name), None, None, rest=True))
            continue
        if text is None and cluster is None:
            problems.append(Problem(f"persona {name!r} has neither a rule nor a cluster, so it "
                                    "selects no customers", column=f"personas[{name}]",
                                    fix='add rule: "<condition>", cluster: <id>, or rest: true '
                                        "(everyone no earlier persona selects)"))
            continue
        try:
            rule = parse_rule(text, persona=name) if text is not None else None
        except RuleError as err:
            problems.extend(err.problems)
            continue
        specs.append(_Spec(str(name), rule, cluster))
    problems += [Problem(message, fix=fix, column=f"personas[{_getter(personas[i])('name')}]")
                 for i, message, fix in _rest_findings(personas)]
    if problems:
        raise DataError(problems, source="personas")
    return specs


def _is_ibis(data) -> bool:
    return type(data).__module__.startswith("ibis.")


def _unwrap(data):
    """A :class:`jmtools.sources.LoadedTable` becomes its Ibis table; anything else is kept."""
    if type(data).__name__ == "LoadedTable" and hasattr(data, "table"):
        return data.table
    return data


def _require_columns(data, columns: Sequence[str], what: str) -> None:
    have = list(data.columns)
    for col in columns:
        if col not in have:
            hint = suggest(col, have)
            raise ParameterError(f"{what} column", col, expected=f"a column of the {what} table "
                                 f"({', '.join(map(str, have[:12]))})",
                                 fix=f"did you mean {hint!r}?" if hint else
                                 "rename the column, or name it with the matching *_col "
                                 "option (customer_col=, event_col=, amount_col=, …)")


def _spec_mask(spec: _Spec, customers, cluster_col: str):
    """pandas bool Series: who this persona selects."""
    import pandas as pd
    mask = pd.Series(True, index=customers.index)
    if spec.rule is not None:
        mask &= spec.rule.mask(customers, persona=spec.name)
    if spec.cluster is not None:
        _cluster_column_or_fail(customers, cluster_col, spec)
        labels = customers[cluster_col]
        mask &= labels.notna() & (labels.astype(str) == str(spec.cluster))
    return mask


def _spec_ibis(spec: _Spec, table, cluster_col: str):
    parts = []
    if spec.rule is not None:
        parts.append(spec.rule.to_ibis(table, persona=spec.name))
    if spec.cluster is not None:
        _cluster_column_or_fail(table, cluster_col, spec)
        parts.append(table[cluster_col].cast("string") == str(spec.cluster))
    cond = parts[0] if len(parts) == 1 else parts[0] & parts[1]
    return cond.fill_null(False)


def _cluster_column_or_fail(data, cluster_col, spec):
    if cluster_col not in data.columns:
        raise DataError([Problem(
            f"persona {spec.name!r} selects cluster {spec.cluster!r}, but the customers table "
            f"has no {cluster_col!r} column", column=f"personas[{spec.name}].cluster",
            fix="add the cluster labels first: customers.merge(suggestion.labels, "
                "on='customer_id'), where suggestion = suggest_personas(...)")],
            source="customers")


def _check_ids(customers, customer_col: str) -> None:
    _require_columns(customers, [customer_col], "customer")
    if _is_ibis(customers):
        return
    ids = customers[customer_col]
    dup = ids[ids.duplicated(keep=False)]
    if len(dup):
        examples = ", ".join(map(repr, dup.unique()[:5].tolist()))
        raise DataError([Problem(f"{dup.nunique()} customer ids appear more than once "
                                 f"(e.g. {examples})", column=customer_col, source="customers",
                                 fix="keep one row per customer (drop or merge duplicates)")])


# ---------------------------------------------------------------------------------------------
# Selection, assignment, coverage
# ---------------------------------------------------------------------------------------------

def persona_filter(table, rule: str | Rule, *, persona: str | None = None):
    """Rows of ``table`` (pandas or Ibis) that ``rule`` selects; same kind out as in.

    Parameters
    ----------
    table : pandas.DataFrame or ibis Table
        Customers (one row per customer, attribute columns).
    rule : str or Rule
        A persona rule (see the module docs for the language).
    persona : str, optional
        Name used in error messages.

    Returns
    -------
    pandas.DataFrame or ibis Table
        The selected rows, all columns, input order kept.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"customer_id": ["a", "b", "c"], "age": [20, 50, None]})
    >>> persona_filter(df, "age > 40 or age is None").customer_id.tolist()
    ['b', 'c']
    """
    parsed = rule if isinstance(rule, Rule) else parse_rule(rule, persona=persona)
    if _is_ibis(table):
        return table.filter(parsed.to_ibis(table, persona=persona).fill_null(False))
    return table.loc[parsed.mask(table, persona=persona)]


def persona_masks(customers, personas, *, customer_col: str = "customer_id",
                  cluster_col: str = "cluster"):
    """One boolean column per persona (file order): does the persona select the customer?

    Parameters
    ----------
    customers : pandas.DataFrame
        One row per customer.
    personas : Journey, list of cards/dicts, or mapping name → rule
        The personas, in file order.
    customer_col : str, default "customer_id"
    cluster_col : str, default "cluster"
        Column holding cluster labels, used by personas defined by ``cluster``.

    Returns
    -------
    pandas.DataFrame
        ``customer_col`` then one bool column per persona, one row per customer in input order.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"customer_id": ["a", "b"], "age": [20, 50]})
    >>> persona_masks(df, {"Young": "age < 30", "Any": "age > 0"})
      customer_id  Young   Any
    0           a   True  True
    1           b  False  True
    """
    import pandas as pd
    _check_ids(customers, customer_col)
    cols = {}
    for s in _specs(personas):
        cols[s.name] = _rest_mask(list(cols.values()), len(customers)) if s.rest else \
            _spec_mask(s, customers, cluster_col).to_numpy()
    return pd.DataFrame({customer_col: customers[customer_col].to_numpy(), **cols})


def _rest_mask(earlier: list, n: int):
    """Everyone no earlier persona selects (numpy bool arrays in, one out)."""
    import numpy as np
    return ~np.logical_or.reduce(earlier) if earlier else np.ones(n, dtype=bool)


def assign_personas(customers, personas, *, customer_col: str = "customer_id",
                    cluster_col: str = "cluster"):
    """Give each customer at most one persona: the first in file order whose rule selects them.

    Parameters
    ----------
    customers : pandas.DataFrame, ibis Table or jmtools.sources.LoadedTable
        One row per customer with the attributes the rules name.
    personas : Journey, list of persona cards or dicts, or mapping name → rule
        In file order; that order decides ties (see Notes).
    customer_col : str, default "customer_id"
    cluster_col : str, default "cluster"
        Column with cluster labels, for personas defined by ``cluster: <id>``.

    Returns
    -------
    pandas.DataFrame or ibis Table (same kind as ``customers``)
        One row per customer, input order: ``customer_col``; ``persona`` (the persona name;
        missing when no persona selects the customer; a pandas Categorical whose categories are
        the persona names in file order); ``n_personas`` (how many personas select the customer).

    Notes
    -----
    Policy for customers in several personas: the first persona in file order wins, and
    ``n_personas`` > 1 records the overlap. See :func:`coverage_report` and
    :func:`persona_overlaps` for the counts. Rules follow SQL null logic on both engines.

    A persona with ``rest: true`` (the last one) selects everyone no earlier persona selects:
    it never overlaps, and a customer whose earlier rules are unknown (a missing attribute) is
    not selected by them, so belongs to the rest persona.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"customer_id": ["a", "b", "c"], "age": [20, 50, 70]})
    >>> assign_personas(df, {"Young": "age < 30", "Older": "age >= 45", "Senior": "age >= 65"})
      customer_id persona  n_personas
    0           a   Young           1
    1           b   Older           1
    2           c   Older           2
    >>> assign_personas(df, [{"name": "Young", "rule": "age < 30"},
    ...                      {"name": "Everyone else", "rest": True}])
      customer_id        persona  n_personas
    0           a          Young           1
    1           b  Everyone else           1
    2           c  Everyone else           1
    """
    customers = _unwrap(customers)
    if _is_ibis(customers):
        return _assign_ibis(customers, personas, customer_col, cluster_col)
    import numpy as np
    import pandas as pd
    masks = persona_masks(customers, personas, customer_col=customer_col, cluster_col=cluster_col)
    names = [c for c in masks.columns if c != customer_col]
    matrix = masks[names].to_numpy(dtype=bool).reshape(len(masks), len(names))
    n = matrix.sum(axis=1)
    first = np.where(n > 0, matrix.argmax(axis=1) if names else 0, -1)
    persona = pd.Categorical.from_codes(first, categories=names) if names else \
        pd.Categorical([None] * len(masks), categories=[])
    return pd.DataFrame({customer_col: masks[customer_col], "persona": persona,
                         "n_personas": n.astype("int64")})


def _assign_ibis(table, personas, customer_col, cluster_col):
    import ibis
    _check_ids(table, customer_col)
    conds = []
    for s in _specs(personas):
        if s.rest:  # everyone else: each earlier condition is already false where unknown
            earlier = [c for c, _ in conds]
            cond = ~functools.reduce(operator.or_, earlier) if earlier else ibis.literal(True)
        else:
            cond = _spec_ibis(s, table, cluster_col)
        conds.append((cond, s.name))
    if not conds:
        persona = ibis.null("string")
        n = ibis.literal(0, "int64")
    else:
        persona = ibis.cases(*conds, else_=ibis.null("string"))
        n = sum((c.cast("int64") for c, _ in conds[1:]), conds[0][0].cast("int64"))
    return table.select(table[customer_col], persona=persona, n_personas=n.cast("int64"))


def coverage_report(assignment, *, customer_col: str = "customer_id"):
    """How many customers are in exactly one persona, in none, in several.

    Parameters
    ----------
    assignment : pandas.DataFrame
        The output of :func:`assign_personas`.

    Returns
    -------
    pandas.DataFrame
        ``coverage`` (``one persona``, ``no persona``, ``several personas``; all three rows
        always), ``n`` customers, ``share`` of all customers, ``total`` customers.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "age": [20, 50, 70, None]})
    >>> a = assign_personas(df, {"Young": "age < 30", "Older": "age >= 45", "Senior": "age >= 65"})
    >>> coverage_report(a)
               coverage  n  share  total
    0       one persona  2   0.50      4
    1        no persona  1   0.25      4
    2  several personas  1   0.25      4
    """
    import pandas as pd
    if _is_ibis(assignment):
        assignment = assignment.to_pandas()
    n = assignment["n_personas"]
    total = len(assignment)
    counts = [int((n == 1).sum()), int((n == 0).sum()), int((n > 1).sum())]
    return pd.DataFrame({"coverage": ["one persona", "no persona", "several personas"],
                         "n": counts,
                         "share": [c / total if total else float("nan") for c in counts],
                         "total": total})


def persona_overlaps(customers, personas, *, customer_col: str = "customer_id",
                     cluster_col: str = "cluster"):
    """Customers selected by both personas of each pair (file order, every pair listed).

    Returns
    -------
    pandas.DataFrame
        ``persona_a``, ``persona_b`` (a before b in file order), ``n_both``, ``n_a``, ``n_b``,
        ``share_of_a`` = n_both / n_a, ``share_of_b`` = n_both / n_b (NaN when 0),
        ``kept_by`` (the persona the customers in both are assigned to: ``persona_a``).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"customer_id": ["a", "b", "c"], "age": [20, 50, 70]})
    >>> persona_overlaps(df, {"Older": "age >= 45", "Senior": "age >= 65"})
      persona_a persona_b  n_both  n_a  n_b  share_of_a  share_of_b kept_by
    0     Older    Senior       1    2    1         0.5         1.0   Older
    """
    import numpy as np
    import pandas as pd
    masks = persona_masks(customers, personas, customer_col=customer_col, cluster_col=cluster_col)
    names = [c for c in masks.columns if c != customer_col]
    rows = []
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            both = int((masks[a] & masks[b]).sum())
            na, nb = int(masks[a].sum()), int(masks[b].sum())
            rows.append((a, b, both, na, nb, both / na if na else np.nan,
                         both / nb if nb else np.nan, a))
    return pd.DataFrame(rows, columns=["persona_a", "persona_b", "n_both", "n_a", "n_b",
                                       "share_of_a", "share_of_b", "kept_by"])


def check_personas(customers, personas, *, customer_col: str = "customer_id",
                   cluster_col: str = "cluster", errors: str = "raise"):
    """Check persona rules against the data: syntax, attributes, types, empty, overlapping.

    Parameters
    ----------
    customers : pandas.DataFrame
    personas : Journey, list of cards/dicts, or mapping name → rule
    errors : {"raise", "report"}, default "raise"
        ``"raise"``: raise :class:`~jmtools.core.errors.DataError` listing every error (bad syntax,
        unknown attribute with "did you mean", mismatched types, a persona that selects nobody);
        overlaps are warnings and never raise. ``"report"``: return every finding as rows.

    Returns
    -------
    pandas.DataFrame
        One row per finding: ``persona``, ``check`` (``syntax``, ``attribute``, ``type``,
        ``rule``, ``rest``, ``selects nobody``, ``overlap``, ``precedence`` (``and``/``or``
        mixed without parentheses: a warning naming how the rule is read), ``ok``),
        ``severity`` (``error``, ``warning``, ``ok``; a rest persona that selects nobody is a
        warning),
        ``n`` (customers selected, or in the overlap), ``message``, ``fix``. Personas with no
        problem get one ``ok`` row with their size.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"customer_id": ["a", "b"], "age": [20, 50]})
    >>> check_personas(df, {"Young": "age < 30", "Old": "age > 40", "Any": "age > 0",
    ...                     "Kids": "age < 12"}, errors="report")[["persona", "check", "n"]]
      persona           check  n
    0   Young         overlap  1
    1     Old         overlap  1
    2     Any         overlap  1
    3     Any         overlap  1
    4    Kids  selects nobody  0
    >>> check_personas(df, {"Kids": "agee < 12"})
    Traceback (most recent call last):
    ...
    jmtools.core.errors.DataError: personas: persona 'Kids': 'agee < 12' — unknown attribute 'agee' at column 1
        agee < 12
        ^
      Fix: did you mean 'age'? customer attributes are: age, customer_id
    """
    import pandas as pd
    if errors not in ("raise", "report"):
        raise ParameterError("errors", errors, expected=["raise", "report"])
    _check_ids(customers, customer_col)
    findings, masks = _check_each(customers, personas, cluster_col)
    names = list(masks)
    for i, a in enumerate(names):
        for b in names[i + 1:]:
            both = int((masks[a] & masks[b]).sum())
            if both:
                for who, other in ((a, b), (b, a)):
                    kept = a
                    findings.append((who, "overlap", "warning", both,
                                     f"{both} customers are also selected by {other!r}; they are "
                                     f"assigned to {kept!r} (first in file order)",
                                     "tighten one rule if the personas should not share "
                                     "customers"))
    flagged = {f[0] for f in findings}
    for name, mask in masks.items():
        if name not in flagged:
            findings.append((name, "ok", "ok", int(mask.sum()), "", ""))
    order = {n: i for i, n in enumerate(_names_in_order(personas))}
    report = pd.DataFrame(findings, columns=["persona", "check", "severity", "n", "message",
                                             "fix"])
    report = report.sort_values("persona", key=lambda s: s.map(order), kind="stable")
    report = report.reset_index(drop=True)
    bad = report[report.severity == "error"]
    if errors == "raise" and len(bad):
        raise DataError([Problem(f"persona {r.persona!r}: {r.message}", fix=r.fix,
                                 source="personas")
                         for r in bad.itertuples()], source="personas")
    return report


def _names_in_order(personas) -> list[str]:
    return [_getter(p)("name") for p in _items(personas)]


def _check_each(customers, personas, cluster_col):
    """Findings for rule errors, empty personas and mixed and/or, and the valid ones' masks."""
    items = _items(personas)
    findings, masks = [], {}
    rest_errors = _rest_findings(items)
    for i, p in enumerate(items):
        get = _getter(p)
        name, text = get("name"), get("rule")
        if get("rest"):
            findings += [(name, "rest", "error", 0, m, f) for k, m, f in rest_errors if k == i]
            if not any(k == i for k, _, _ in rest_errors):
                _check_rest(name, items[:i], masks, customers, findings)
            continue
        try:
            parsed = parse_rule(text, persona=name) if text is not None else None
        except RuleError as err:
            findings.append((name, "syntax", "error", 0, err.problems[0].message, err.fix))
            continue
        try:
            (spec,) = _specs([{"name": name, "rule": text, "cluster": get("cluster")}])
            mask = _spec_mask(spec, customers, cluster_col)
        except RuleError as err:
            kind = "attribute" if err.attribute else "type"
            findings.append((name, kind, "error", 0, err.problems[0].message, err.fix))
            continue
        except DataError as err:
            for prob in err.problems:
                findings.append((name, "rule", "error", 0, prob.message, prob.fix))
            continue
        n = int(mask.sum())
        if n == 0:
            findings.append((name, "selects nobody", "error", 0,
                             f"the rule selects none of the {len(customers)} customers",
                             "check the values the rule compares with (e.g. "
                             "customers[col].value_counts())"))
        for w in parsed.warnings if parsed is not None else ():
            findings.append((name, "precedence", "warning", n,
                             f"{w.message} (column {w.position + 1})", w.fix))
        masks[name] = mask
    return findings, masks


def _check_rest(name, earlier, masks, customers, findings) -> None:
    """The rest persona's mask from the earlier ones; an error when one of them cannot run."""
    import pandas as pd
    broken = [_getter(p)("name") for p in earlier if _getter(p)("name") not in masks]
    if broken:
        findings.append((name, "rest", "error", 0,
                         "selects everyone no earlier persona selects, but the rule of "
                         f"{', '.join(map(repr, broken))} cannot run, so who is left is unknown",
                         "fix the rules of the personas before it first"))
        return
    mask = pd.Series(_rest_mask([m.to_numpy() for m in masks.values()], len(customers)),
                     index=customers.index)
    if not mask.any():
        findings.append((name, "selects nobody", "warning", 0,
                         f"every one of the {len(customers)} customers is selected by an "
                         "earlier persona, so nobody is left for this one",
                         "remove it, or narrow the rules before it"))
    masks[name] = mask


def runnable_personas(journey, customers) -> tuple[Any, dict]:
    """The journey without the personas whose rule cannot run on ``customers``, and their errors.

    One misspelt attribute in one persona must not sink every report of a batch: such a
    persona is left out (its customers count as having no persona), and its error is kept so
    its own report can fail with it and every other report can say it was left out. Rules that
    run but select nobody are kept (a report then says so).

    Parameters
    ----------
    journey : jmtools.journey.Journey
    customers : pandas.DataFrame
        The customer table the rules read.

    Returns
    -------
    (Journey, dict)
        The journey (the same object when every rule runs) and persona name → RuleError.

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.journey import Journey
    >>> j = Journey.from_yaml("name: D\\nstages: [{name: A}]\\npersonas: [{name: Young, rule: agee < 30},"
    ...                       " {name: Old, rule: age >= 60}]")
    >>> kept, broken = runnable_personas(j, pd.DataFrame({"customer_id": ["a"], "age": [70]}))
    >>> kept.persona_names, sorted(broken)
    (['Old'], ['Young'])
    """
    broken = {}
    for card in journey.personas_resolved():
        if getattr(card, "rule", None):
            try:
                persona_filter(customers, card.rule, persona=card.name)
            except RuleError as err:
                broken[card.name] = err
        elif getattr(card, "rest", False) and broken:
            names = ", ".join(map(repr, broken))
            broken[card.name] = RuleError(
                f"selects everyone no earlier persona selects, but the rule of {names} cannot "
                "run on this customer table, so who is left is unknown", rule="rest: true",
                persona=card.name, fix=f"fix the rule of {names} (its error says how)")
    if not broken:
        return journey, {}
    kept = [p for p in journey.personas if p.name not in broken]
    return journey.model_copy(update={"personas": kept}), broken
