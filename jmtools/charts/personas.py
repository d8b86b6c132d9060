"""Charts comparing personas: size, KPIs, distinguishing features, typical events, choice of k.

Every function takes a frame from :mod:`jmtools.personas` and returns an Altair chart (never
displayed here). Personas keep their file order on every axis, each mark says its n in the
tooltip, and estimates are drawn with their 95% interval.
"""

from __future__ import annotations

from typing import Sequence

from jmtools.charts._frames import require_columns
from jmtools.charts.theme import DIVERGING, PALETTE, use_theme
from jmtools.core.errors import DataError, ParameterError, Problem, whole_number
from jmtools.core.vocabulary import ALL_TITLE, IN_CUSTOMERS_LABEL, IN_CUSTOMERS_TITLE, NO_PERSONA
from jmtools.personas import STABILITY_MIN, strongest_features

#: The label of a bar whose numbers the disclosure rule hid (a persona of fewer than 5 customers).
_HIDDEN = "not shown (fewer than 5 customers)"

__all__ = [
    "persona_size_chart",
    "persona_kpi_chart",
    "persona_difference_chart",
    "typical_events_chart",
    "cluster_choice_chart",
]

#: Grey for "(no persona)" and the base group ("All in the customer table"); personas take the
#: theme's palette in file order.
GREY = "#9a9a9a"
_BASE = (ALL_TITLE, IN_CUSTOMERS_TITLE)  # ALL_TITLE: frames made before the label said so
_REST = (NO_PERSONA, *_BASE)
_SHARE_KPIS = ("conversion", "csat_top2")
_KPI_TITLES = {"conversion": "Conversion", "order_value": "Order value (mean)",
               "csat": "CSAT (mean, 1–5)", "csat_top2": "CSAT top-2-box", "nps": "NPS",
               "ces": "CES (mean, 1–7)"}


def _order(series) -> list[str]:
    cats = getattr(series, "cat", None)
    names = [str(c) for c in cats.categories] if cats is not None else \
        list(dict.fromkeys(series.astype(str)))
    present = set(series.astype(str))
    return [n for n in names if n in present]


def _colours(names: list[str]):
    import altair as alt
    it = iter([c for c in PALETTE if c != "#000000"] * 4)
    return alt.Scale(domain=names, range=[GREY if n in _REST else next(it) for n in names])


def _pretty_feature(feature: str) -> str:
    if feature.startswith("event:") and feature.endswith("_per_30d"):
        return f"{feature[len('event:'):-len('_per_30d')]} (events per 30 days)"
    if feature.startswith("event:"):
        return f"{feature[len('event:'):]} (events)"
    if "=" in feature:
        attr, level = feature.split("=", 1)
        return f"{attr} = {level}"
    return feature


def persona_size_chart(sizes, *, title: str = "Customers per persona"):
    """Horizontal bars: share of customers per persona with its 95% interval and n.

    Parameters
    ----------
    sizes : pandas.DataFrame
        From :func:`jmtools.personas.persona_sizes`.

    Returns
    -------
    altair.LayerChart

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.personas import assign_personas, persona_sizes
    >>> df = pd.DataFrame({"customer_id": list("abcd"), "age": [20, 25, 50, None]})
    >>> chart = persona_size_chart(persona_sizes(assign_personas(df, {"Young": "age < 30"})))
    >>> chart.to_dict()["layer"][0]["mark"]["type"]
    'bar'
    """
    import altair as alt
    use_theme()
    require_columns(sizes, ["persona", "n", "share", "ci_low", "ci_high"], "sizes",
                    "pass the output of persona_sizes()")
    data = sizes.assign(persona=sizes["persona"].astype(str),
                        label=[_HIDDEN if n != n else f"{s:.0%}  (n = {int(n):,})"
                               for s, n in zip(sizes["share"], sizes["n"])])
    order = _order(sizes["persona"])
    y = alt.Y("persona:N", sort=order, title=None)
    tip = [alt.Tooltip("persona:N"), alt.Tooltip("n:Q", format=","),
           alt.Tooltip("share:Q", format=".1%"), alt.Tooltip("ci_low:Q", format=".1%",
                                                             title="95% CI low"),
           alt.Tooltip("ci_high:Q", format=".1%", title="95% CI high")]
    base = alt.Chart(data)
    bars = base.mark_bar(height={"band": 0.7}).encode(
        y=y, x=alt.X("share:Q", axis=alt.Axis(format="%"), title="Share of customers",
                     scale=alt.Scale(domainMin=0)),
        color=alt.Color("persona:N", scale=_colours(order), legend=None), tooltip=tip)
    whisk = base.mark_rule(color="#333").encode(y=y, x="ci_low:Q", x2="ci_high:Q")
    text = base.mark_text(align="left", dx=4, color="#333").encode(y=y, x="ci_high:Q",
                                                                    text="label:N")
    total = int(sizes["total"].iloc[0]) if "total" in sizes else int(sizes["n"].sum())
    return alt.layer(bars, whisk, text).properties(
        title=alt.Title(title, subtitle=f"{total:,} {IN_CUSTOMERS_LABEL} · bars: share, lines: "
                        "95% Wilson interval"), width=420,
        height=alt.Step(28))


def persona_kpi_chart(kpis, *, include: Sequence[str] | None = None,
                      title: str = "KPIs per persona"):
    """One panel per KPI: value per persona with 95% interval; a dashed line marks all
    customers in the customer table.

    Parameters
    ----------
    kpis : pandas.DataFrame
        From :func:`jmtools.personas.persona_kpis`.
    include : list of str, optional
        KPIs to show (default: all in the frame, in its order).

    Returns
    -------
    altair.FacetChart

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.personas import persona_kpis
    >>> a = pd.DataFrame({"customer_id": ["a", "b", "c"], "persona": ["P", "P", "Q"],
    ...                   "n_personas": 1})
    >>> orders = pd.DataFrame({"customer_id": ["a", "c"], "amount": [10.0, 30.0]})
    >>> spec = persona_kpi_chart(persona_kpis(a, orders=orders)).to_dict()
    >>> spec["facet"]["row"]["field"]
    'kpi_title'
    """
    import altair as alt
    use_theme()
    require_columns(kpis, ["persona", "kpi", "value", "n", "ci_low", "ci_high", "base_value"], "kpis",
                    "pass the output of persona_kpis()")
    present = list(dict.fromkeys(kpis["kpi"]))
    wanted = present if include is None else list(include)
    for k in wanted:
        if k not in present:
            raise ParameterError("include", k, expected=present)
    data = kpis[kpis["kpi"].isin(wanted) & ~kpis["persona"].astype(str).isin(_BASE)]
    data = data.assign(persona=data["persona"].astype(str),
                       kpi_title=data["kpi"].map(lambda k: _KPI_TITLES.get(k, k)),
                       label=[_HIDDEN if n != n else f"n = {int(n):,}" for n in data["n"]])
    pct = data["kpi"].isin(_SHARE_KPIS)
    for col in ("value", "ci_low", "ci_high", "base_value"):
        data[col] = data[col].where(~pct, data[col] * 100)
    data["kpi_title"] = data["kpi_title"].where(~pct, data["kpi_title"] + " (%)")
    order = _order(kpis["persona"][~kpis["persona"].astype(str).isin(_BASE)])
    titles = [_KPI_TITLES.get(k, k) + (" (%)" if k in _SHARE_KPIS else "") for k in wanted]
    y = alt.Y("persona:N", sort=order, title=None)
    tip = [alt.Tooltip("persona:N"), alt.Tooltip("kpi_title:N", title="KPI"),
           alt.Tooltip("value:Q", format=",.3~f"), alt.Tooltip("n:Q", format=","),
           alt.Tooltip("ci_low:Q", format=",.3~f", title="95% CI low"),
           alt.Tooltip("ci_high:Q", format=",.3~f", title="95% CI high"),
           alt.Tooltip("base_value:Q", format=",.3~f", title=f"all {IN_CUSTOMERS_LABEL}"),
           alt.Tooltip("formula:N")]
    base = alt.Chart()
    points = base.mark_point(filled=True, size=90).encode(
        y=y, x=alt.X("value:Q", title=None, scale=alt.Scale(zero=False),
                     axis=alt.Axis(tickCount=6)),
        color=alt.Color("persona:N", scale=_colours(order), legend=None), tooltip=tip)
    whisk = base.mark_rule(strokeWidth=2).encode(
        y=y, x="ci_low:Q", x2="ci_high:Q",
        color=alt.Color("persona:N", scale=_colours(order), legend=None))
    ref = base.mark_rule(strokeDash=[4, 3], color="#555").encode(x="mean(base_value):Q")
    text = base.mark_text(align="left", dx=6, dy=-8, fontSize=11, color="#555").encode(
        y=y, x="value:Q", text="label:N")
    return alt.layer(whisk, points, ref, text, data=data).properties(
        width=380, height=alt.Step(24)).facet(
        row=alt.Row("kpi_title:N", sort=titles, title=None,
                    header=alt.Header(labelAngle=0, labelAlign="left", labelFontWeight="bold",
                                      labelOrient="top")),
    ).resolve_scale(x="independent").properties(
        title=alt.Title(title, subtitle="dots: value, lines: 95% interval, dashed: all "
                        f"{IN_CUSTOMERS_LABEL}"))


def persona_difference_chart(profile, *, top: int = 12, title: str | None = None):
    """Heatmap of what distinguishes each persona (or cluster) from the whole base.

    Parameters
    ----------
    profile : pandas.DataFrame
        From :func:`jmtools.personas.attribute_profile` (colour = standardised difference for
        numbers, share difference in points for levels) or
        :attr:`jmtools.personas.ClusterSuggestion.profile` (colour = z).
    top : int, default 12
        Features with the largest absolute difference in any group.

    Returns
    -------
    altair.LayerChart

    Examples
    --------
    >>> import pandas as pd
    >>> prof = pd.DataFrame({"cluster": [0, 0, 1, 1], "feature": ["age", "spend"] * 2,
    ...                      "cluster_mean": [30, 5, 60, 9], "base_mean": [45, 7, 45, 7],
    ...                      "z": [-1.0, -0.5, 1.0, 0.5], "n": [10, 10, 10, 10]})
    >>> persona_difference_chart(prof).to_dict()["layer"][0]["mark"]["type"]
    'rect'

    For true/false attributes only the ``= True`` row is drawn (``= False`` mirrors it).
    """
    whole_number("top", top, fix="pass e.g. 12")
    import altair as alt
    import pandas as pd
    use_theme()
    if "cluster" in profile.columns:
        require_columns(profile, ["cluster", "feature", "cluster_mean", "base_mean", "z", "n"],
                        "profile", "pass ClusterSuggestion.profile or attribute_profile()")
        feats = profile["feature"].astype(str)
        trues = {f[:-len("=True")] for f in feats if f.endswith("=True")}
        profile = profile[~feats.map(lambda f: f.endswith("=False")
                                     and f[:-len("=False")] in trues)]
        data = pd.DataFrame({"group": "cluster " + profile["cluster"].astype(str),
                             "feature": profile["feature"].map(_pretty_feature),
                             "diff": profile["z"],
                             "value": profile["cluster_mean"], "base": profile["base_mean"],
                             "n": profile["n"]})
        order = list(dict.fromkeys(data["group"]))
        legend = "difference (SD)"
        title = title or "What distinguishes each cluster"
        legend_note = ""
    else:
        require_columns(profile, ["persona", "attribute", "kind", "level", "n", "value", "base_value",
                        "difference"], "profile", "pass attribute_profile()")
        p = profile[profile["persona"].astype(str) != NO_PERSONA]
        has_true = set(p.loc[p["level"].astype(str) == "True", "attribute"])
        p = p[~((p["level"].astype(str) == "False") & p["attribute"].isin(has_true))]
        feature = [a if k == "number" else f"{a} = {lv}"
                   for a, k, lv in zip(p["attribute"], p["kind"], p["level"])]
        scale = [1.0 if k == "number" else 4.0 for k in p["kind"]]  # 25 points ≈ 1 SD
        data = pd.DataFrame({"group": p["persona"].astype(str), "feature": feature,
                             "diff": p["difference"].to_numpy() * scale,
                             "value": p["value"], "base": p["base_value"], "n": p["n"]})
        order = _order(p["persona"])
        legend = "difference (SD)"
        title = title or "What distinguishes each persona"
        legend_note = "; for levels, 25 share points are drawn as 1 SD"
    if data.empty:
        raise DataError([Problem("profile is empty: nothing to draw", source="profile")])
    keep = strongest_features(data, top=top, difference_col="diff")["feature"].tolist()
    data = data[data["feature"].isin(keep)].copy()
    data["diff"] = data["diff"].clip(-3, 3)
    data["label"] = data["diff"].map(lambda v: f"{v:+.1f}")
    longest = max(len(str(g)) for g in order)
    x = alt.X("group:N", sort=order, title=None,
              axis=alt.Axis(labelAngle=0, orient="top", labelLimit=0))
    y = alt.Y("feature:N", sort=keep, title=None)
    tip = [alt.Tooltip("group:N", title="group"), alt.Tooltip("feature:N"),
           alt.Tooltip("value:Q", format=",.3~f", title="group value"),
           alt.Tooltip("base:Q", format=",.3~f", title=f"all {IN_CUSTOMERS_LABEL}"),
           alt.Tooltip("n:Q", format=","), alt.Tooltip("diff:Q", format="+.2f")]
    base = alt.Chart(data)
    rect = base.mark_rect().encode(
        x=x, y=y, tooltip=tip,
        color=alt.Color("diff:Q", title=legend,
                        scale=alt.Scale(scheme=DIVERGING, domain=[-3, 3])))
    text = base.mark_text(fontSize=11).encode(
        x=x, y=y, text="label:N",
        color=alt.condition("abs(datum.diff) > 1.8", alt.value("white"), alt.value("#222")))
    return alt.layer(rect, text).properties(
        title=alt.Title(title, subtitle=f"blue: higher than all {IN_CUSTOMERS_LABEL}, red: lower "
                        f"(difference in standard deviations{legend_note})"),
        width=alt.Step(min(max(90, 7 * longest), 220)), height=alt.Step(22))


def typical_events_chart(typical, *, top: int = 6, title: str = "Most typical events"):
    """Lift of each persona's most typical events (or touchpoints) over the whole base.

    One panel per persona (file order), items sorted by lift; a dashed line marks lift 1.

    Parameters
    ----------
    typical : pandas.DataFrame
        From :func:`jmtools.personas.typical_events`.
    top : int, default 6
        Items per persona.

    Returns
    -------
    altair.VConcatChart

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"persona": ["P"], "item": ["app_open"], "n": [5], "n_persona": [9],
    ...                   "share": [0.55], "base_share": [0.2], "lift": [2.7], "rank": [1]})
    >>> typical_events_chart(t).to_dict()["vconcat"][0]["layer"][0]["mark"]["type"]
    'bar'
    """
    whole_number("top", top, fix="pass e.g. 6")
    import altair as alt
    use_theme()
    require_columns(typical, ["persona", "item", "n", "n_persona", "share", "base_share", "lift",
                    "rank"], "typical", "pass the output of typical_events()")
    data = typical[typical["rank"] <= top].copy()
    order = _order(data["persona"])
    data["persona"] = data["persona"].astype(str)
    data["label"] = [_HIDDEN if n != n else f"×{lift:.1f}  ({s:.0%} vs {b:.0%}, n = {int(n):,})"
                     for lift, s, b, n in zip(data["lift"], data["share"], data["base_share"], data["n"])]
    tip = [alt.Tooltip("persona:N"), alt.Tooltip("item:N"), alt.Tooltip("lift:Q", format=".2f"),
           alt.Tooltip("share:Q", format=".1%", title="share of persona"),
           alt.Tooltip("base_share:Q", format=".1%", title=f"share of all {IN_CUSTOMERS_LABEL}"),
           alt.Tooltip("n:Q", format=","), alt.Tooltip("n_persona:Q", format=",")]
    top_lift = float(data["lift"].max()) * 1.45
    colours = _colours(order)
    panels = []
    for persona in order:
        part = data[data["persona"] == persona]
        items = part.sort_values(["lift", "item"], ascending=[False, True])["item"].tolist()
        base = alt.Chart(part)
        y = alt.Y("item:N", sort=items, title=None)
        x = alt.X("lift:Q", title="lift (× all in the customer table)",
                  scale=alt.Scale(domain=[0, top_lift]))
        bars = base.mark_bar().encode(
            y=y, x=x, color=alt.Color("persona:N", scale=colours, legend=None), tooltip=tip)
        one = base.mark_rule(strokeDash=[4, 3], color="#555").encode(x=alt.datum(1))
        text = base.mark_text(align="left", dx=4, fontSize=11, color="#333").encode(
            y=y, x="lift:Q", text="label:N")
        n_persona = part["n_persona"].max()        # missing: the persona's numbers are not shown
        head = f"{persona} (not shown: fewer than 5 customers)" if n_persona != n_persona else \
            f"{persona} (n = {int(n_persona):,})"
        panels.append(alt.layer(bars, one, text).properties(
            title=alt.Title(head, anchor="start", frame="group",
                            fontSize=12),
            width=360, height=alt.Step(20)))
    return alt.vconcat(*panels, spacing=14).properties(
        title=alt.Title(title, subtitle="lift = share of the persona who did it ÷ share of all "
                        "customers; dashed: 1 (as common as in the base)"))


def cluster_choice_chart(scores, *, threshold: float | None = None,
                         title: str = "Choosing the number of groups"):
    """Stability and silhouette per number of groups k, the chosen k marked.

    Parameters
    ----------
    scores : pandas.DataFrame
        :attr:`jmtools.personas.ClusterSuggestion.scores`.
    threshold : float, optional
        Stability needed (default :data:`jmtools.personas.STABILITY_MIN`), drawn dashed.

    Returns
    -------
    altair.LayerChart

    Examples
    --------
    >>> import pandas as pd
    >>> s = pd.DataFrame({"k": [2, 3, 4], "silhouette": [0.3, 0.5, 0.4],
    ...                   "stability": [0.99, 0.97, 0.7], "inertia": [9.0, 5.0, 4.0],
    ...                   "chosen": [False, True, False]})
    >>> cluster_choice_chart(s).to_dict()["layer"][0]["mark"]["type"]
    'line'
    """
    import altair as alt
    use_theme()
    require_columns(scores, ["k", "silhouette", "chosen"], "scores", "pass ClusterSuggestion.scores")
    measures = ["stability", "silhouette"] if "stability" in scores and \
        scores["stability"].notna().any() else ["silhouette"]
    long = scores.melt(id_vars=["k", "chosen"], value_vars=measures, var_name="measure",
                       value_name="score")
    names = {"stability": "stability (ARI between subsamples)",
             "silhouette": "silhouette (separation)"}
    long["measure"] = long["measure"].map(names)
    chosen_k = int(scores.loc[scores["chosen"], "k"].iloc[0]) if scores["chosen"].any() else None
    x = alt.X("k:O", title="number of groups k", axis=alt.Axis(labelAngle=0))
    low = min(0.0, float(long["score"].min()))
    y = alt.Y("score:Q", title="score (higher is better)", scale=alt.Scale(domain=[low, 1]))
    colour = alt.Color("measure:N", title=None, legend=alt.Legend(orient="bottom", labelLimit=0),
                       scale=alt.Scale(domain=[names[m] for m in measures],
                                       range=PALETTE[:len(measures)]))
    base = alt.Chart(long)
    line = base.mark_line().encode(x=x, y=y, color=colour)
    pts = base.mark_point(filled=True, size=60).encode(
        x=x, y=y, color=colour, tooltip=["k", "measure", alt.Tooltip("score:Q", format=".3f")])
    layers = [line, pts]
    if "stability" in measures:
        limit = STABILITY_MIN if threshold is None else threshold
        layers.append(alt.Chart().mark_rule(strokeDash=[4, 3], color="#555").encode(
            y=alt.datum(limit)))
    if chosen_k is not None:
        layers.append(base.transform_filter("datum.chosen").mark_rule(
            color="#222222", strokeWidth=8, opacity=0.12).encode(x=x))
    subtitle = (f"chosen k = {chosen_k} (grey band)" if chosen_k is not None else "") + \
        (" — the largest k whose groups are reproducible (stability above the dashed line)"
         if "stability" in measures else " — highest silhouette")
    return alt.layer(*layers).properties(title=alt.Title(title, subtitle=subtitle), width=380,
                                         height=220)
