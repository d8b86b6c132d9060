"""Survey KPIs per touchpoint and stage: CSAT, NPS and CES, each with n and a 95% interval.

Formulas (scales from :data:`jmtools.core.metrics.SCALES`, or the ones declared at load):

- ``csat_mean``: mean CSAT score; ``csat_top2box``: share of the two highest answers (4–5 on 1–5).
- ``nps``: % promoters (9–10) − % detractors (0–6), from −100 to +100.
- ``ces_mean``: mean effort (lower is easier); ``ces_low_effort``: share of answers in the
  lowest third of the scale (1–3 on 1–7, 1–2 on 1–5).

Intervals: Wilson for shares; for means and NPS a percentile bootstrap (2,000 resamples,
seeded) drawn from the answer counts, so the same data always gives the same interval.
The engine only counts answers per group and score; the rest is computed on that small
histogram, so the numbers are identical whichever engine holds the surveys.
"""

from __future__ import annotations

import numpy as np

from jmtools.analyses import funnels
from jmtools.core.engine import as_table, small_table, to_pandas
from jmtools.core.errors import ParameterError, suggest
from jmtools.core.stats import wilson_interval
from jmtools.core.vocabulary import ALL
from jmtools.evidence import journey_layout
from jmtools.sources import _scales

__all__ = ["survey_kpis", "touchpoint_kpis", "stage_kpis", "relationship_kpis", "conversion_kpis", "KPI_FORMULAS"]

#: The formula of each KPI, as shown to users.
KPI_FORMULAS = {
    "csat_mean": "mean CSAT score",
    "csat_top2box": "share of CSAT answers in the top two boxes",
    "nps": "% promoters (9–10) − % detractors (0–6)",
    "ces_mean": "mean effort score (lower is easier)",
    "ces_low_effort": "share of effort answers in the lowest third of the scale",
}
_LEVELS = ("touchpoint", "stage")
#: How the scores of answers that name no stage or touchpoint are labelled (:func:`relationship_kpis`).
NOT_TIED = "not tied to a step"


def _histogram(t, keys):
    return to_pandas(t.group_by([*keys, "metric", "score"]).agg(count=t.count()))


def _boot(scores, counts, fn, *, n_boot=2000, seed=0):
    """Percentile interval of ``fn(resampled counts)`` under multinomial resampling."""
    n = int(counts.sum())
    if n == 0:
        return float("nan"), float("nan")
    if n == 1:
        v = fn(counts[None, :])[0]
        return float(v), float(v)
    rng = np.random.default_rng(seed)
    draws = rng.multinomial(n, counts / n, size=n_boot)
    stats = fn(draws)
    return float(np.quantile(stats, 0.025)), float(np.quantile(stats, 0.975))


def _kpis_of(metric, scores, counts, scale):
    """Rows (kpi, value, n, ci_low, ci_high, method) for one group and metric."""
    n = int(counts.sum())
    mean = lambda c: (c * scores).sum(axis=1) / c.sum(axis=1)
    rows = []
    if metric != "nps":
        v = float((counts * scores).sum() / n) if n else float("nan")
        rows.append((f"{metric}_mean", v, n, *_boot(scores, counts, mean), "bootstrap"))
    if metric == "csat":
        k = int(counts[scores >= scale.high - 1].sum())
        rows.append(("csat_top2box", k / n if n else float("nan"), n, *wilson_interval(k, n), "wilson"))
    if metric == "ces":
        cut = scale.low + (scale.high - scale.low) // 3
        k = int(counts[scores <= cut].sum())
        rows.append(("ces_low_effort", k / n if n else float("nan"), n, *wilson_interval(k, n), "wilson"))
    if metric == "nps":
        nps = lambda c: 100 * (c[:, scores >= 9].sum(axis=1) - c[:, scores <= 6].sum(axis=1)) / c.sum(axis=1)
        v = float(nps(counts[None, :])[0]) if n else float("nan")
        rows.append(("nps", v, n, *_boot(scores, counts, nps), "bootstrap"))
    return rows


def survey_kpis(surveys, *, level: str = "touchpoint", journey=None, evidence=None, by=None,
                scales=None):
    """CSAT, NPS and CES per touchpoint or stage (and per group), with n and 95% intervals.

    Parameters
    ----------
    surveys : LoadedTable, ibis.Table or DataFrame
        Canonical surveys: ``customer_id``, ``metric``, ``score`` and a ``touchpoint`` or ``stage``.
    level : {"touchpoint", "stage"}, default "touchpoint"
        With ``"stage"`` and only a ``touchpoint`` column, stages come from the journey.
    journey : Journey or dict, optional
        Gives the journey order (and every step, so unsurveyed ones show as n = 0 rows); the
        answers' stage and touchpoint names match its names ignoring case and spaces around them.
    evidence : Evidence, optional
        From :func:`jmtools.evidence.prepare` with customers: lets ``by="persona"`` work
        (persona of the answering customer), and supplies the journey.
    by : str or list of str, optional
        ``"persona"`` or columns of the surveys (``"channel"``).
    scales : dict, optional
        ``{metric: Scale or (low, high)}``; default :data:`jmtools.core.metrics.SCALES`.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``touchpoint`` or ``stage``, ``metric``, ``kpi`` (see
        :data:`KPI_FORMULAS`), ``value``, ``n`` (answers), ``ci_low``, ``ci_high``, ``method``
        (interval method), ``n_customers`` (distinct customers who answered; missing without
        customer ids). Steps in journey order; steps without answers keep rows with n = 0.

    Examples
    --------
    >>> import pandas as pd
    >>> sv = pd.DataFrame({"customer_id": list("abcd"), "touchpoint": ["Checkout"] * 4,
    ...                    "metric": ["csat"] * 4, "score": [5, 4, 2, 5]})
    >>> survey_kpis(sv)[["touchpoint", "kpi", "value", "n", "n_customers"]]
      touchpoint           kpi  value  n  n_customers
    0   Checkout     csat_mean   4.00  4            4
    1   Checkout  csat_top2box   0.75  4            4
    """
    import pandas as pd

    if level not in _LEVELS:
        raise ParameterError("level", level, expected=list(_LEVELS))
    journey = journey if journey is not None else getattr(evidence, "journey", None)
    t = as_table(surveys, name="surveys")
    by = [] if by is None else [by] if isinstance(by, str) else list(by)
    t = _with_persona(_with_level(_as_journey_names(t, journey), level, journey), by, evidence)
    return _order(_scored(t.filter(t[level].notnull()), by, [*by, level], scales), by, level, journey,
                  evidence)


def _scored(t, by, keys, scales):
    """KPI rows per ``keys`` and metric of the answers in ``t`` (scored ones), with customers."""
    import pandas as pd

    for b in by:
        if b not in t.columns:
            raise ParameterError("by", b, expected=f"a column of the surveys ({', '.join(t.columns)})",
                                 fix=f"did you mean {suggest(b, t.columns)!r}?" if suggest(b, t.columns)
                                 else "pass evidence= (prepared with customers) for by='persona'")
    t = t.filter(t.score.notnull())
    scale_map = _scales(scales)
    hist = _histogram(t, keys)
    rows = []
    for key, grp in hist.groupby([*keys, "metric"], sort=False, dropna=False):
        metric = key[-1]
        g = grp.sort_values("score")
        for r in _kpis_of(metric, g["score"].to_numpy(float), g["count"].to_numpy(float), scale_map.get(metric)):
            rows.append((*key, *r))
    out = pd.DataFrame(rows, columns=[*keys, "metric", "kpi", "value", "n", "ci_low", "ci_high", "method"])
    return _with_customers(out, t, keys)


def _with_customers(out, t, keys):
    """``n_customers``: the distinct customers behind each group's answers (one customer may
    answer many times); missing where the surveys have no customer ids."""
    if "customer_id" not in t.columns:
        return out.assign(n_customers=float("nan"))
    who = to_pandas(t.group_by([*keys, "metric"]).agg(n_customers=t.customer_id.nunique()))
    if not len(out):
        return out.assign(n_customers=0)
    for k in keys:            # a key that is null throughout (no answer's customer has a persona)
        if out[k].dtype != who[k].dtype:            # is float on one side, text on the other
            out[k], who[k] = out[k].astype(object), who[k].astype(object)
    return out.merge(who, on=[*keys, "metric"], how="left")


def _as_journey_names(t, journey):
    """``t`` with its stage and touchpoint names written as the journey writes them, matched
    ignoring case and spaces around them (``compare plans `` is ``Compare plans``), the rule
    of the report (:func:`jmtools.analyses.emotions.journey_places`); a name the journey lacks
    stays as written."""
    if journey is None:
        return t
    stages, tps = journey_layout(journey)
    for col, names in (("stage", stages), ("touchpoint", [tp for tp, _, _ in tps])):
        if col in t.columns and names:
            written = t[col].cast("string")
            t = t.mutate(**{col: written.strip().lower().substitute(
                {n.strip().lower(): n for n in names}, else_=written)})
    return t


def _with_level(t, level, journey):
    import pandas as pd

    if level in t.columns:
        return t
    if level == "stage" and "touchpoint" in t.columns and journey is not None:
        _, tps = journey_layout(journey)
        lookup = small_table(pd.DataFrame({"_tp": [tp for tp, _, _ in tps],
                                           "stage": [st for _, st, _ in tps]}), like=t)
        return t.left_join(lookup, t.touchpoint == lookup._tp).drop("_tp")
    if not set(_LEVELS) & set(t.columns):           # an NPS tool's export: no answer names a step
        fix = ("these answers name no stage or touchpoint: relationship_kpis gives their overall scores; "
               "a file about one step can name it (constants: {touchpoint: <name>} in loading.yaml)")
    elif journey is None:
        fix = "pass journey= to map touchpoints to stages"
    else:
        fix = "use level='touchpoint'"
    raise ParameterError("level", level, expected=f"a column of the surveys ({', '.join(t.columns)})", fix=fix)


def _with_persona(t, by, evidence):
    if "persona" not in by or "persona" in t.columns or evidence is None:
        return t
    ev = evidence.events
    if "persona" not in ev.columns:
        return t
    per = ev.select(_cid=ev.customer_id, persona=ev.persona).distinct()
    return t.left_join(per, t.customer_id == per._cid).drop("_cid")


def _order(out, by, level, journey, evidence):
    """Journey order for steps, persona order for personas, fixed KPI order; add zero rows."""
    import pandas as pd

    steps = []
    if journey is not None:
        st, tps = journey_layout(journey)
        steps = st if level == "stage" else [tp for tp, _, _ in tps]
    seen = [s for s in out[level].unique() if s not in steps]
    order = {s: i for i, s in enumerate(steps + sorted(seen))}
    kpis = list(KPI_FORMULAS)
    if steps and not by and len(out):
        present = out[["metric", "kpi"]].drop_duplicates()
        grid = pd.DataFrame({level: steps}).merge(present, how="cross")
        out = grid.merge(out, on=[level, "metric", "kpi"], how="left")
        out["n"] = out["n"].fillna(0).astype("int64")
        out["n_customers"] = out["n_customers"].fillna(0)
        out["method"] = out["method"].fillna(out["kpi"].map(
            lambda k: "wilson" if k.endswith(("top2box", "low_effort")) else "bootstrap"))
    out = out.assign(_s=out[level].map(order), _k=out["kpi"].map(lambda k: kpis.index(k) if k in kpis else 99))
    if by and evidence is not None and "persona" in by:
        porder = {p: i for i, p in enumerate(evidence.personas)}
        out["_p"] = out["persona"].map(lambda p: porder.get(p, len(porder)))
        sort = ["_p", *[b for b in by if b != "persona"], "_s", "_k", "kpi"]
    else:
        sort = [*by, "_s", "_k", "kpi"]
    out = out.sort_values(sort, kind="stable").drop(columns=[c for c in ("_s", "_k", "_p") if c in out])
    out["n"] = out["n"].astype("int64")
    return out.reset_index(drop=True)


def relationship_kpis(surveys, *, evidence=None, by=None, scales=None):
    """CSAT, NPS and CES of the answers that name no stage or touchpoint, with n and 95% intervals.

    An NPS tool asks how likely customers are to recommend the company, not a step: its export
    names no stage or touchpoint. Such answers are scored over all of them, as relationship
    scores ("not tied to a step"), with the same formulas and intervals as :func:`survey_kpis`.
    Answers that name a stage or touchpoint are left to :func:`survey_kpis`.

    Parameters
    ----------
    surveys : LoadedTable, ibis.Table or DataFrame
        Canonical surveys: ``customer_id``, ``metric``, ``score``; ``stage`` and ``touchpoint``
        may be absent (then every answer counts here).
    evidence : Evidence, optional
        From :func:`jmtools.evidence.prepare` with customers, for ``by="persona"``.
    by : str or list of str, optional
        ``"persona"`` or columns of the surveys.
    scales : dict, optional
        ``{metric: Scale or (low, high)}``; default :data:`jmtools.core.metrics.SCALES`.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns, ``metric``, ``kpi`` (see :data:`KPI_FORMULAS`), ``value``, ``n``
        (answers), ``ci_low``, ``ci_high``, ``method`` and ``n_customers``; no row when every
        answer names a step.

    Examples
    --------
    >>> import pandas as pd
    >>> sv = pd.DataFrame({"customer_id": list("abcde"), "metric": ["nps"] * 5,
    ...                    "score": [10, 9, 7, 3, 0]})
    >>> relationship_kpis(sv)[["kpi", "value", "n", "n_customers"]]
       kpi  value  n  n_customers
    0  nps    0.0  5            5
    """
    t = as_table(surveys, name="surveys")
    named = [c for c in _LEVELS if c in t.columns]
    if named:
        nowhere = t[named[0]].isnull()
        for c in named[1:]:
            nowhere = nowhere & t[c].isnull()
        t = t.filter(nowhere)
    by = [] if by is None else [by] if isinstance(by, str) else list(by)
    out = _scored(_with_persona(t, by, evidence), by, by, scales)
    kpis = list(KPI_FORMULAS)
    out = out.assign(_k=out["kpi"].map(lambda k: kpis.index(k) if k in kpis else 99))
    if by and evidence is not None and "persona" in by:
        porder = {p: i for i, p in enumerate(evidence.personas)}
        out["_p"] = out["persona"].map(lambda p: porder.get(p, len(porder)))
    sort = [c for c in ("_p", *[b for b in by if b != "persona"], "_k", "kpi") if c in out]
    out = out.sort_values(sort, kind="stable").drop(columns=[c for c in ("_k", "_p") if c in out])
    return out.astype({"n": "int64"}).reset_index(drop=True)


def touchpoint_kpis(surveys, **options):
    """:func:`survey_kpis` per touchpoint (``level="touchpoint"``)."""
    return survey_kpis(surveys, level="touchpoint", **options)


def stage_kpis(surveys, **options):
    """:func:`survey_kpis` per stage (``level="stage"``)."""
    return survey_kpis(surveys, level="stage", **options)


def conversion_kpis(evidence, *, by_persona: bool = False):
    """Stage conversion from the funnel, in the KPI frame the journey map draws.

    The first stage is ``reached`` (customers who reached it); every later stage is
    ``conversion`` (share of the previous stage's customers who reached it, Wilson interval).

    Parameters
    ----------
    evidence : jmtools.evidence.Evidence
        From :func:`jmtools.evidence.prepare` (with customers, for ``by_persona``).
    by_persona : bool, default False
        Add one row per persona and stage after the rows of all customers (``"all"``).

    Returns
    -------
    pandas.DataFrame
        ``persona`` (``"all"``, then the personas), ``stage``, ``metric`` (``conversion``),
        ``kpi`` (``reached`` at the first stage, ``conversion`` after), ``value``, ``n``
        (customers at the stage before), ``ci_low``, ``ci_high``, ``n_customers`` (= ``n``).

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.evidence import prepare
    >>> ev = pd.DataFrame({"customer_id": ["a", "a", "b"], "event": ["view", "pay", "view"],
    ...                    "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-01"])})
    >>> j = {"stages": ["Browse", "Buy"], "touchpoints": [
    ...     {"name": "Site", "stage": "Browse", "events": ["view"]},
    ...     {"name": "Checkout", "stage": "Buy", "events": ["pay"]}]}
    >>> conversion_kpis(prepare(ev, j))[["stage", "kpi", "value", "n"]]
        stage         kpi  value  n
    0  Browse     reached    2.0  2
    1     Buy  conversion    0.5  2
    """
    import pandas as pd

    if not isinstance(by_persona, bool):
        raise ParameterError("by_persona", by_persona, expected=[True, False])
    steps = getattr(evidence, "mapped_stages", None) or None   # no measured 0 for a stage
    parts = [funnels.funnel(evidence, steps=steps).assign(persona=ALL)]   # the file gives no event
    if by_persona:
        parts.append(funnels.funnel(evidence, steps=steps, by="persona"))
    f = pd.concat(parts, ignore_index=True)
    f = f[f["persona"].notna()]
    first = f["step_index"] == 1
    out = pd.DataFrame({"persona": f["persona"].astype(str), "stage": f["step"].astype(str),
                        "metric": "conversion",
                        "kpi": first.map({True: "reached", False: "conversion"}),
                        "value": f["n"].where(first, f["conversion"]).astype(float),
                        "n": f["n_prev"].where(~first, f["n_customers"]),
                        "ci_low": f["ci_low"].where(~first), "ci_high": f["ci_high"].where(~first)})
    out["n_customers"] = out["n"]                   # the funnel counts customers
    return out[["persona", "stage", "metric", "kpi", "value", "n", "ci_low", "ci_high", "n_customers"]]
