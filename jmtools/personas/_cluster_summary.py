"""What a suggested clustering means: per-cluster profiles, plain-words descriptions, readable
rules, and agreement with known groups.

Used by :func:`jmtools.personas.suggest_personas`; :func:`cluster_agreement` is public and
re-exported by :mod:`jmtools.personas`.
"""

from __future__ import annotations

from jmtools.core.expressions import RuleError, parse_rule, schema_of
from jmtools.personas._assign import NO_PERSONA, _require_columns
from jmtools.personas._identifiers import left_out_attributes

__all__ = ["cluster_agreement"]


#: Ending of an event feature counted per 30 days of the customer's time in the log.
PER_30D = "_per_30d"


def _feature_group(col: str) -> str:
    if col.startswith(("event:", "events_total")):
        return "events"
    if col in ("orders_n", "order_value_mean"):
        return "orders"
    if col.endswith("_mean"):
        return "surveys"
    return col.split("=", 1)[0]


def _cluster_profile(features, labels):
    import numpy as np
    import pandas as pd
    base_mean = features.mean()
    base_sd = features.std(ddof=0).replace(0, np.nan)
    rows = []
    for c in sorted(set(labels)):
        sub = features[labels == c]
        means = sub.mean()
        z = (means - base_mean) / base_sd
        for f in features.columns:
            rows.append((int(c), f, float(means[f]), float(base_mean[f]),
                         float(z[f]) if z[f] == z[f] else 0.0, int(len(sub))))
    return pd.DataFrame(rows, columns=["cluster", "feature", "cluster_mean", "base_mean", "z",
                                       "n"])


def _describe(feature: str, cm: float, bm: float, z: float) -> str:
    more = z > 0
    if "=" in feature and not feature.startswith("event:"):
        attr, level = feature.split("=", 1)
        if level in ("True", "False"):
            if level == "False":
                cm, bm = 1 - cm, 1 - bm
            return f"{cm:.0%} are {attr.replace('_', ' ')} (vs {bm:.0%} overall)"
        return f"{cm:.0%} have {attr.replace('_', ' ')} {level} (vs {bm:.0%} overall)"
    if feature.startswith("event:"):
        ev, rate = feature[len("event:"):], feature.endswith(PER_30D)
        ev = ev[:-len(PER_30D)] if rate else ev
        return (f"{'more' if more else 'fewer'} '{ev}' events ({cm:.2g} vs {bm:.2g} per "
                + ("30 days in the log)" if rate else "customer)"))
    if feature.endswith("_days"):
        name = feature[:-len("_days")].replace("_", " ")
        return (f"{'earlier' if more else 'more recent'} {name} ({cm:.0f} vs {bm:.0f} days "
                "before the latest overall)")
    words = {"events_total": "events", "events_total" + PER_30D: "events per 30 days in the log",
             "orders_n": "orders", "order_value_mean": "order value"}
    label = words.get(feature, feature.replace("_", " "))
    return f"{'higher' if more else 'lower'} {label} ({cm:.3g} vs {bm:.3g} overall)"


def _cluster_summary(profile, labels, customers, label_frame, customer_col, rule_attributes,
                     rule_depth, seed, n_features: int = 3):
    import pandas as pd
    rows = []
    total = len(labels)
    for c, grp in profile.groupby("cluster", sort=True):
        top = grp.reindex(grp["z"].abs().sort_values(ascending=False).index)
        top = top[top["z"].abs() >= 0.3]
        top = top[~top["feature"].map(_feature_group).duplicated()].head(n_features)
        words = "; ".join(_describe(r.feature, r.cluster_mean, r.base_mean, r.z)
                          for r in top.itertuples()) or "close to the average customer"
        target = (labels == c)
        rule, precision, recall = _rule_for(customers, label_frame, target, customer_col,
                                            rule_attributes, rule_depth, seed)
        rows.append((int(c), int(target.sum()), target.sum() / total, words, rule, precision,
                     recall))
    return pd.DataFrame(rows, columns=["cluster", "n", "share", "description", "rule",
                                       "rule_precision", "rule_recall"])


def _rule_for(customers, label_frame, target, customer_col, rule_attributes, depth, seed):
    """Readable rule for one cluster: the best leaf of a shallow decision tree (by F1), checked
    by running the rule text through the rule engine."""
    import numpy as np
    from sklearn.tree import DecisionTreeClassifier
    data = customers.set_index(customer_col).loc[label_frame[customer_col]]
    attrs = rule_attributes or [c for c in data.columns if c != "cluster"]
    left_out = left_out_attributes(data, customer_col=customer_col, attributes=attrs)
    attrs = [a for a in attrs if a not in left_out]   # no rule names one customer's value (D213)
    kinds = schema_of(data)
    X, cols = _rule_matrix(data, attrs, kinds)
    if X is None:
        return None, float("nan"), float("nan")
    tree = DecisionTreeClassifier(max_depth=depth, random_state=seed, min_samples_leaf=5,
                                  class_weight="balanced").fit(X, target)
    frame = data.reset_index()

    def score(conditions):
        text = " and ".join(conditions)
        try:
            mask = parse_rule(text).mask(frame).to_numpy()
        except RuleError:
            return text, 0.0, 0.0, -1.0
        tp = int((mask & target).sum())
        precision = tp / mask.sum() if mask.sum() else 0.0
        recall = tp / target.sum() if target.sum() else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        return text, precision, recall, f1

    best, best_conds = (None, float("nan"), float("nan"), -1.0), []
    for conditions in _leaf_paths(tree.tree_, cols):
        if conditions:
            got = score(conditions)
            if got[3] > best[3]:
                best, best_conds = got, conditions
    changed = True
    while changed and len(best_conds) > 1:  # drop conditions that do not earn their place
        changed = False
        for i in range(len(best_conds)):
            shorter = best_conds[:i] + best_conds[i + 1:]
            got = score(shorter)
            if got[3] >= best[3] - 0.01:
                best, best_conds, changed = got, shorter, True
                break
    if best[3] < 0.5:  # not a usable description of the cluster
        return None, best[1], best[2]
    return best[0], float(best[1]), float(best[2])


def _rule_matrix(data, attrs, kinds):
    import numpy as np
    cols, mats = [], []
    for a in attrs:
        kind = kinds.get(a)
        if not a.isidentifier():
            continue
        if kind == "number":
            x = data[a].astype("float64")
            mats.append(x.fillna(x.median()).to_numpy())
            whole = bool(x.dropna().mod(1).eq(0).all())
            cols.append(("number", a, whole))
        elif kind in ("text", "bool"):
            vals = data[a].astype(object)
            for level in vals.dropna().value_counts().index[:8]:
                mats.append((vals == level).to_numpy(dtype=float))
                cols.append((kind, a, level))
    if not mats:
        return None, []
    return np.column_stack(mats), cols


def _leaf_paths(tree, cols):
    """Conditions (rule text) leading to each leaf whose majority class is 'in the cluster'."""
    import numpy as np
    out = []

    def walk(node, conds):
        left, right = tree.children_left[node], tree.children_right[node]
        if left == -1:
            value = tree.value[node][0]
            if len(value) > 1 and value[1] > value[0]:
                out.append(list(conds))
            return
        kind, attr, level = cols[tree.feature[node]]
        thr = float(tree.threshold[node])
        if kind == "number":
            t = int(np.floor(thr)) if level else _nice(thr)  # whole numbers: x <= 3.5 → x <= 3
            walk(left, conds + [f"{attr} <= {t}"])
            walk(right, conds + [f"{attr} > {t}"])
        else:
            if kind == "bool":
                flag = bool(level)
                walk(left, conds + [f"{attr} == {not flag}"])
                walk(right, conds + [f"{attr} == {flag}"])
            else:
                walk(left, conds + [f"{attr} != {level!r}"])
                walk(right, conds + [f"{attr} == {level!r}"])
    walk(0, [])
    return [_merge_conditions(c) for c in out]


def _nice(x: float):
    """A readable threshold: few significant digits, integers without decimals."""
    for digits in (2, 3, 4, 6):
        v = float(f"{x:.{digits}g}")
        if abs(v - x) <= abs(x) * 0.02 + 1e-9:
            return int(v) if v == int(v) else v
    return round(x, 4)


def _merge_conditions(conds):
    """Keep the tightest bound per attribute and direction; keep order of first appearance."""
    seen, out = {}, []
    for c in conds:
        attr, op, val = c.split(" ", 2)
        key = (attr, op) if op in ("<=", ">") else (attr, op, val)
        if key in seen and op in ("<=", ">"):
            i = seen[key]
            old = float(out[i].split(" ", 2)[2])
            new = float(val)
            keep = min(old, new) if op == "<=" else max(old, new)
            out[i] = f"{attr} {op} {_nice(keep)}"
            continue
        seen[key] = len(out)
        out.append(c)
    return out


def cluster_agreement(labels, truth, *, customer_col: str = "customer_id",
                      truth_col: str = "persona", label_col: str = "cluster"):
    """Agreement between clusters and known groups: adjusted Rand index and a cross-table.

    Parameters
    ----------
    labels : pandas.DataFrame
        ``customer_col`` and ``label_col`` (e.g.
        :attr:`~jmtools.personas.ClusterSuggestion.labels`, or an assignment with
        ``label_col="persona"``).
    truth : pandas.DataFrame
        ``customer_col`` and ``truth_col`` (e.g. the planted persona of each customer).

    Returns
    -------
    pandas.DataFrame
        One row: ``ari`` (adjusted Rand index: 1 = same grouping, ≈ 0 = chance),
        ``n`` (customers in both), ``n_clusters``, ``n_truth`` (groups). The cross-table
        (truth × cluster counts) is in ``attrs["crosstab"]``.

    Examples
    --------
    >>> import pandas as pd
    >>> lab = pd.DataFrame({"customer_id": list("abcd"), "cluster": [0, 0, 1, 1]})
    >>> tru = pd.DataFrame({"customer_id": list("abcd"), "persona": ["x", "x", "y", "y"]})
    >>> cluster_agreement(lab, tru)
       ari  n  n_clusters  n_truth
    0  1.0  4           2        2
    """
    import pandas as pd
    from sklearn.metrics import adjusted_rand_score
    _require_columns(labels, [customer_col, label_col], "labels")
    _require_columns(truth, [customer_col, truth_col], "truth")
    left = labels[[customer_col, label_col]].set_axis([customer_col, "_label"], axis=1)
    right = truth[[customer_col, truth_col]].set_axis([customer_col, "_truth"], axis=1)
    both = left.merge(right, on=customer_col, how="inner")
    lab = both["_label"].astype(object).where(both["_label"].notna(), NO_PERSONA).astype(str)
    tru = both["_truth"].astype(object).where(both["_truth"].notna(), NO_PERSONA).astype(str)
    ari = float(adjusted_rand_score(tru, lab)) if len(both) else float("nan")
    out = pd.DataFrame({"ari": [round(ari, 6)], "n": [len(both)], "n_clusters": [lab.nunique()],
                        "n_truth": [tru.nunique()]})
    out.attrs["crosstab"] = pd.crosstab(tru.rename(truth_col), lab.rename(label_col))
    return out
