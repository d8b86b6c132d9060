"""The comparison table: every measure × persona × step, tested, adjusted and put into words.

:func:`compare` takes observations split into two groups (:mod:`.observations`) and returns
one row per measure, persona and step with both values, the difference, its 95% interval,
an effect size, the right test for the kind of number (:mod:`.twosample`), the
Benjamini–Hochberg q-value across the whole table, a power statement (:mod:`.power`) and a
plain-language verdict (:data:`VERDICTS`).

The unit is the customer: a customer's observations of one measure at one step in one group
are first reduced to one value (the mean; for NPS the latest answer), so a customer who
answers twice is not counted as two customers.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from jmtools.analyses.compare.observations import MEASURES, _check_columns
from jmtools.analyses.compare.power import (detectable_change, effect_for_change, n_per_group,
                                            power_at)
from jmtools.analyses.compare.twosample import (bh_adjust, two_means, two_medians, two_nps,
                                                two_proportions)
from jmtools.core.errors import ParameterError, whole_number
from jmtools.core.vocabulary import ALL
from jmtools.evidence import journey_layout

__all__ = ["COMPARISON_COLUMNS", "VERDICTS", "MIN_CHANGE", "BETTER", "compare", "compare_cell"]

#: Columns of :func:`compare`.
COMPARISON_COLUMNS = ["measure", "persona", "from_step", "step", "label", "group_a", "group_b",
                      "n_a", "n_b", "value_a", "value_b", "diff", "ci_low", "ci_high",
                      "effect_size", "effect_kind", "test", "p_value", "q_value", "better",
                      "min_change", "power", "n_needed", "detectable", "verdict", "text"]
#: The verdicts, from the clearest to the least clear.
VERDICTS = ("improved, likely real", "worse, likely real", "changed, could be chance",
            "no detectable change", "too few")
#: Smallest change worth seeing, per measure, in its own units: 5 points of a rate, 20% of
#: the baseline median time, 0.2 on CSAT, 10 NPS points, 0.3 on CES, 0.2 on the emotion scale.
MIN_CHANGE = {"conversion": 0.05, "time": 0.2, "csat": 0.2, "nps": 10.0, "ces": 0.3, "emotion": 0.2}
#: Which direction is better, per measure.
BETTER = {"conversion": "higher", "time": "lower", "csat": "higher", "nps": "higher",
          "ces": "lower", "emotion": "higher"}
_UNITS = {"conversion": "customers", "time": "customers", "csat": "customers who answered",
          "nps": "customers who answered", "ces": "customers who answered",
          "emotion": "customers with evidence"}


def _per_customer(obs: pd.DataFrame, group_col: str) -> pd.DataFrame:
    """One value per customer, measure, persona, step and group (mean; NPS: latest answer).

    Keys are factorised to integer codes first: grouping Arrow strings row by row is slow.
    """
    if "timestamp" in obs:
        obs = obs.sort_values("timestamp", kind="stable")
    keys = ["measure", "persona", "from_step", "step", group_col, "customer_id"]
    codes, labels = {}, {}
    for k in keys:
        codes[k], labels[k] = pd.factorize(obs[k], use_na_sentinel=False)
    frame = pd.DataFrame({**codes, "value": obs["value"].to_numpy(float),
                          "_nps": (obs["measure"] == "nps").to_numpy(bool)})
    nps = frame["_nps"].to_numpy()
    parts = [frame[~nps].groupby(keys, sort=False)["value"].mean(),
             frame[nps].groupby(keys, sort=False)["value"].last()]
    out = pd.concat([p for p in parts if len(p)]).reset_index() if any(len(p) for p in parts) \
        else frame[keys + ["value"]].iloc[:0]
    for k in keys:
        names = pd.Series(labels[k], dtype=object)
        out[k] = names.where(names.notna(), "").to_numpy()[out[k].to_numpy(int)] if len(out) else []
    return out


def _test(measure: str, a: np.ndarray, b: np.ndarray, n_boot: int, seed: int):
    if measure == "conversion":
        return two_proportions(int(a.sum()), a.size, int(b.sum()), b.size)
    if measure == "time":
        return two_medians(a, b, n_boot=n_boot, seed=seed)
    if measure == "nps":
        return two_nps(a, b)
    return two_means(a, b)


def _label(measure: str, from_step: str, step: str) -> str:
    if measure == "conversion":
        return f"conversion {from_step} → {step}"
    if measure == "time":
        return f"time {from_step} → {step} (median, h)"
    names = {"csat": "CSAT", "nps": "NPS", "ces": "CES (lower is easier)", "emotion": "emotion (−2..+2)"}
    return f"{names.get(measure, measure)} at {step}"


def compare_cell(measure: str, a, b, *, alpha: float = 0.05, power: float = 0.8,
                 min_change: float | None = None, n_boot: int = 2000, seed: int = 0) -> dict:
    """Test one measure between two groups and state its power (no verdict, no adjustment).

    Parameters
    ----------
    measure : str
        One of :data:`jmtools.analyses.compare.observations.MEASURES`; chooses the test.
    a, b : array-like of float
        One value per customer in the baseline and the changed group.
    min_change : float, optional
        Smallest change worth seeing (default :data:`MIN_CHANGE`; for ``time`` a share of the
        baseline median).

    Returns
    -------
    dict
        ``n_a``, ``n_b``, ``value_a``, ``value_b``, ``diff``, ``ci_low``, ``ci_high``,
        ``effect_size``, ``effect_kind``, ``test``, ``p_value``, ``min_change`` (in the
        measure's units), ``power`` (to see ``min_change`` with these groups), ``n_needed``
        (per group, equal groups) and ``detectable`` (the change these groups see with
        ``power``).

    Examples
    --------
    >>> r = compare_cell("conversion", [1] * 30 + [0] * 70, [1] * 45 + [0] * 55)
    >>> round(r["diff"], 2), r["n_needed"]
    (0.15, 1376)
    """
    if measure not in MEASURES:
        raise ParameterError("measure", measure, expected=list(MEASURES))
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    d = _test(measure, a[~np.isnan(a)], b[~np.isnan(b)], n_boot, seed)
    change = MIN_CHANGE[measure] if min_change is None else min_change
    if measure == "time":
        change = change * d.a if math.isfinite(d.a) else float("nan")
    if measure == "conversion":
        es = effect_for_change(change, kind="rate", baseline=d.a)
        seen = detectable_change(d.n_a, d.n_b, kind="rate", baseline=d.a, alpha=alpha, power=power)
    else:
        es = effect_for_change(change, kind="scale", sd=d.sd)
        seen = detectable_change(d.n_a, d.n_b, kind="scale", sd=d.sd, alpha=alpha, power=power)
    need = n_per_group(es, alpha=alpha, power=power) if math.isfinite(es) else float("nan")
    return {"n_a": d.n_a, "n_b": d.n_b, "value_a": d.a, "value_b": d.b, "diff": d.diff,
            "ci_low": d.ci_low, "ci_high": d.ci_high, "effect_size": d.effect_size,
            "effect_kind": d.effect_kind, "test": d.test, "p_value": d.p_value,
            "min_change": change, "power": power_at(es, d.n_a, d.n_b, alpha=alpha) if math.isfinite(es)
            else float("nan"), "n_needed": math.ceil(need) if math.isfinite(need) else None,
            "detectable": seen}


def _groups(obs: pd.DataFrame, group_col: str, groups) -> tuple[str, str]:
    if groups is None:
        groups = (obs.attrs.get("split") or {}).get("labels") or list(dict.fromkeys(obs[group_col]))
    groups = list(groups)
    if len(groups) != 2 or groups[0] == groups[1]:
        raise ParameterError("groups", groups, expected="two different group labels (baseline first)",
                             fix="split the observations first (split_by_date, stack_groups, "
                                 "split_by_customers) or pass groups=('before', 'after')")
    return groups[0], groups[1]


def _step_order(obs: pd.DataFrame, journey) -> dict:
    order = [s for s in dict.fromkeys([*obs["from_step"].unique(), *obs["step"].unique()]) if s]
    if journey is not None:
        stages, tps = journey_layout(journey)
        known = [*stages, *[t for t, _, _ in tps]]
        order = [s for s in known if s in order] + [s for s in order if s not in known]
    return {s: i for i, s in enumerate(order)}


def compare(observations: pd.DataFrame, *, group_col: str = "group", groups=None, personas=True,
            journey=None, alpha: float = 0.05, min_n: int = 30, power: float = 0.8,
            min_change: dict | None = None, n_boot: int = 2000, seed: int = 0) -> pd.DataFrame:
    """Compare two groups on every measure, persona and step; adjust; give each row a verdict.

    Parameters
    ----------
    observations : pandas.DataFrame
        Observations with a group column (:func:`split_by_date`, :func:`stack_groups`,
        :func:`split_by_customers` of :mod:`jmtools.analyses.compare`).
    group_col : str, default "group"
    groups : (str, str), optional
        Baseline label, then changed label (default: the split's labels).
    personas : bool or list of str, default True
        Rows for every customer (``"all"``) and, with True, for every persona in the data;
        with a list, for those; with False, only ``"all"``.
    journey : Journey or dict, optional
        Orders the steps as the journey does (default: as they appear).
    alpha : float, default 0.05
        False discovery rate of the Benjamini–Hochberg step across the table.
    min_n : int, default 30
        Fewest customers in each group before a row is tested.
    power : float, default 0.8
        Power of the sample-size statements.
    min_change : dict, optional
        Measure → smallest change worth seeing (overrides :data:`MIN_CHANGE`).
    n_boot, seed : int
        Bootstrap resamples and seed (medians of time).

    Returns
    -------
    pandas.DataFrame
        :data:`COMPARISON_COLUMNS`, one row per measure (in the order of
        :data:`~jmtools.analyses.compare.observations.MEASURES`), persona (``"all"`` first) and
        step (journey order): ``group_a``, ``group_b`` (labels), ``n_a``, ``n_b`` (customers),
        ``value_a``, ``value_b``, ``diff`` = value_b − value_a with ``ci_low``, ``ci_high``,
        ``effect_size`` and ``effect_kind``, ``test``, ``p_value``, ``q_value``
        (Benjamini–Hochberg), ``better`` (higher or lower), ``min_change``, ``power``,
        ``n_needed``, ``detectable``, ``verdict`` (one of :data:`VERDICTS`) and ``text``.

    Examples
    --------
    >>> import pandas as pd
    >>> obs = pd.DataFrame({"measure": "conversion", "customer_id": [str(i) for i in range(400)],
    ...                     "persona": None, "from_step": "Cart", "step": "Paid",
    ...                     "value": [1.0] * 60 + [0.0] * 140 + [1.0] * 100 + [0.0] * 100,
    ...                     "group": ["before"] * 200 + ["after"] * 200})
    >>> row = compare(obs).iloc[0]
    >>> row["verdict"], round(float(row["diff"]), 2)
    ('improved, likely real', 0.2)
    >>> print(row["text"])
    improved, likely real: conversion Cart → Paid 30.0% → 50.0% (+20.0 points, 95% CI +10.4 to +29.1 points; q < 0.001)
    """
    whole_number("seed", seed, at_least=0, fix="pass any whole number from 0, e.g. 0")
    whole_number("n_boot", n_boot, fix="pass e.g. 2000 bootstrap resamples")
    _check_columns(observations, group_col)
    for name, value, low, high in (("alpha", alpha, 0, 1), ("power", power, 0, 1)):
        if not low < value < high:
            raise ParameterError(name, value, expected="a number strictly between 0 and 1",
                                 fix="use 0.05" if name == "alpha" else "use 0.8")
    if isinstance(min_n, bool) or not isinstance(min_n, (int, np.integer)) or min_n < 2:
        raise ParameterError("min_n", min_n, expected="a whole number of at least 2", fix="use 30")
    unknown = sorted(set(min_change or {}) - set(MEASURES))
    if unknown:
        raise ParameterError("min_change", unknown[0], expected=list(MEASURES))
    ga, gb = _groups(observations, group_col, groups)
    text = ["measure", "persona", "from_step", "step", group_col]
    obs = observations.loc[observations[group_col].isin([ga, gb]),
                           [*text, "customer_id", "value", *(["timestamp"] if "timestamp" in observations else [])]]
    per = _per_customer(obs, group_col)
    wanted = _personas(obs["persona"].dropna().unique(), personas, journey)
    order = _step_order(per, journey)
    values = {key: grp.to_numpy(float) for key, grp in
              per.groupby(["measure", "from_step", "step", "persona", group_col], sort=False)["value"]}
    rows = []
    for measure, from_step, step in dict.fromkeys((k[0], k[1], k[2]) for k in values):
        for persona in wanted:
            a, b = (_pooled(values, (measure, from_step, step), persona, g) for g in (ga, gb))
            r = compare_cell(measure, a, b, alpha=alpha, power=power,
                             min_change=(min_change or {}).get(measure), n_boot=n_boot, seed=seed)
            if min(r["n_a"], r["n_b"]) < min_n:
                r["p_value"] = float("nan")
            rows.append({"measure": measure, "persona": persona, "from_step": from_step or None,
                         "step": step, "label": _label(measure, from_step, step), "group_a": ga,
                         "group_b": gb, **r, "better": BETTER.get(measure, "higher")})
    out = pd.DataFrame(rows, columns=[c for c in COMPARISON_COLUMNS if c not in ("q_value", "verdict", "text")])
    out["q_value"] = bh_adjust(out["p_value"].to_numpy(float)) if len(out) else []
    rank = {p: i for i, p in enumerate(wanted)}
    out = out.assign(_m=out["measure"].map({m: i for i, m in enumerate(MEASURES)}),
                     _p=out["persona"].map(rank), _s=out["step"].map(order).fillna(len(order)),
                     _f=out["from_step"].map(order).fillna(-1))
    out = out.sort_values(["_m", "_p", "_f", "_s"], kind="stable").drop(columns=["_m", "_p", "_s", "_f"])
    tested = int(out["p_value"].notna().sum())
    verdicts = [_verdict(r, alpha, min_n, tested) for r in out.to_dict("records")]
    out["verdict"] = [v for v, _ in verdicts]
    out["text"] = [t for _, t in verdicts]
    out.attrs["split"] = dict(observations.attrs.get("split") or {})
    return out[COMPARISON_COLUMNS].reset_index(drop=True)


def _pooled(values: dict, cell: tuple, persona: str, group: str) -> np.ndarray:
    """One group's values of a cell: the persona's, or every persona's for ``"all"``."""
    if persona != ALL:
        return values.get((*cell, persona, group), np.empty(0))
    parts = [v for k, v in values.items() if k[:3] == cell and k[4] == group]
    return np.concatenate(parts) if parts else np.empty(0)


def _personas(present, personas, journey=None) -> list[str]:
    """"all", then the personas asked for, in the journey's order (else as they appear)."""
    present = [p for p in present if p]
    known = list(getattr(journey, "persona_names", []) or [])
    present = [p for p in known if p in present] + [p for p in present if p not in known]
    if personas is True:
        return [ALL, *present]
    if personas is False or personas is None:
        return [ALL]
    if isinstance(personas, str):
        personas = [personas]
    unknown = [p for p in personas if p != ALL and p not in present]
    if unknown:
        raise ParameterError("personas", unknown[0], expected=[ALL, *present])
    return [ALL, *[p for p in personas if p != ALL]]


# ------------------------------------------------------------------------------ words
def _fmt(measure: str, value: float, *, diff: bool = False) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    sign = "+" if diff and value > 0 else ""
    if measure == "conversion":
        text = f"{sign}{value * 100:.1f} points" if diff else f"{value * 100:.1f}%"
    elif measure == "time":       # hours; under one, minutes or seconds (a change of "0.0 h" said nothing)
        text = (f"{sign}{value:,.1f} h" if abs(value) >= 1 or value == 0 else f"{sign}{value * 60:.0f} min"
                if abs(value) * 60 >= 1 else f"{sign}{value * 3600:.0f} s")
    elif measure == "nps":
        text = f"{sign}{value:.0f}" + (" points" if diff else "")
    else:
        text = f"{sign}{value:.2f}"
    return text.replace("-", "−")


def _q(q: float) -> str:
    return "q < 0.001" if q < 0.001 else f"q = {q:.3f}"


def _about(n) -> str:
    if n is None or not math.isfinite(n):
        return "an unknown number of customers"
    n = int(n)
    step = 1 if n < 100 else 10 if n < 1000 else 100 if n < 100_000 else 1000
    return f"{math.ceil(n / step) * step:,}"


def _verdict(r: dict, alpha: float, min_n: int, tested: int) -> tuple[str, str]:
    m = r["measure"]
    unit = _UNITS.get(m, "customers")
    if min(r["n_a"], r["n_b"]) < min_n:
        return "too few", (f"too few to compare: {r['n_a']:,} and {r['n_b']:,} {unit} "
                           f"(at least {min_n} in each group)")
    change = (f"{r['label']} {_fmt(m, r['value_a'])} → {_fmt(m, r['value_b'])} "
              f"({_fmt(m, r['diff'], diff=True)}")
    ci = (f"95% CI {_fmt(m, r['ci_low'], diff=True)} to {_fmt(m, r['ci_high'], diff=True)}"
          .replace(" points to", " to"))
    q, p = r["q_value"], r["p_value"]
    if math.isfinite(q) and q < alpha:
        up = r["diff"] > 0
        good = up == (r["better"] == "higher")
        verdict = "improved, likely real" if good else "worse, likely real"
        return verdict, f"{verdict}: {change}, {ci}; {_q(q)})"
    if math.isfinite(p) and p < alpha:
        return "changed, could be chance", (
            f"changed, could be chance: {change}, p = {p:.3f}), but across {tested} comparisons "
            f"this could be chance ({_q(q)})")
    mc = _fmt(m, r["min_change"], diff=True).lstrip("+")
    need = r["n_needed"]
    if need is not None and need <= min(r["n_a"], r["n_b"]):
        return "no detectable change", (
            f"no detectable change: {change}, {ci}); with {r['n_a']:,} and {r['n_b']:,} {unit} a "
            f"change of {mc} would likely have shown (power {r['power']:.0%})")
    return "no detectable change", (
        f"no detectable change with {r['n_a']:,} and {r['n_b']:,} {unit} — you would need about "
        f"{_about(need)} per group to see a change of {mc}; {change}, {ci})")
