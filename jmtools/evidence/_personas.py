"""The customer side of :func:`jmtools.evidence.prepare`: personas assigned from the customer
table, and how the customers with events are covered by them (one persona, none, several, not
in the table), with each persona's size among them.
"""

from __future__ import annotations

from jmtools.core.engine import as_table, to_pandas
from jmtools.core.errors import DataError, Problem, suggest
from jmtools.core.vocabulary import NO_PERSONA, NOT_IN_CUSTOMERS
from jmtools.personas import assign_personas

__all__: list[str] = []


def _require(t, cols, what):
    missing = [c for c in cols if c not in t.columns]
    if missing:
        raise DataError([Problem(f"{what} table lacks column '{c}' — it has "
                                 f"{', '.join(map(repr, t.columns))}", column=c, source=what,
                                 fix=(f"did you mean {suggest(c, t.columns)!r}? " if suggest(c, t.columns)
                                      else "") + f"load it with jmtools.sources.load_{what}()")
                         for c in missing])



def _journey_personas(journey):
    if hasattr(journey, "personas_resolved"):
        return journey if journey.personas else None
    return journey.get("personas") if isinstance(journey, dict) else None


def _assign(customers, personas):
    ct = as_table(customers, name="customers")
    _require(ct, ["customer_id"], "customers")
    assignment = assign_personas(ct, personas)
    names = _persona_names(personas)
    return assignment, names


def _persona_names(personas) -> list[str]:
    if hasattr(personas, "personas_resolved"):
        return [p.name for p in personas.personas_resolved()]
    if isinstance(personas, dict):
        return list(personas)
    return [p["name"] if isinstance(p, dict) else p.name for p in personas]


def _coverage(prepared, assignment, names, n_customers):
    import pandas as pd

    with_events = prepared.select("customer_id").distinct()
    a = assignment.select("customer_id", "n_personas")
    j = with_events.left_join(a.rename(_c="customer_id"), with_events.customer_id == a.rename(
        _c="customer_id")._c)
    counts = to_pandas(j.group_by(j.n_personas).agg(n=j.count()))
    by = {(None if pd.isna(k) else int(k)): int(v) for k, v in zip(counts["n_personas"], counts["n"])}
    rows = [("one persona", by.get(1, 0)), ("no persona", by.get(0, 0)),
            ("several personas", sum(v for k, v in by.items() if k is not None and k > 1)),
            ("not in customer table", by.get(None, 0))]
    coverage = pd.DataFrame(rows, columns=["coverage", "n"])
    coverage["share"] = coverage["n"] / n_customers if n_customers else float("nan")
    first = prepared.filter(prepared.position == 1)
    per = to_pandas(first.group_by("persona").agg(n_customers=first.count())).dropna(subset=["persona"])
    sizes = pd.DataFrame({"persona": names}).merge(per, on="persona", how="left").fillna({"n_customers": 0})
    rest = pd.DataFrame({"persona": [NO_PERSONA, NOT_IN_CUSTOMERS], "n_customers": [by.get(0, 0), by.get(None, 0)]})
    sizes = pd.concat([sizes, rest], ignore_index=True)
    sizes["n_customers"] = sizes["n_customers"].astype("int64")
    return coverage, sizes
