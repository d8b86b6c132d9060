"""Personas suggested by behaviour: features, seeded k-means and the number of groups by a
stated criterion.

:func:`~jmtools.personas.behaviour_features` (:mod:`jmtools.personas._features`) builds one row of
features per customer, :func:`suggest_personas`
scales them and runs k-means for each k, and :class:`ClusterSuggestion` holds the result. What
each cluster means (profiles, plain-words descriptions, readable rules) and how it agrees with
known groups is in :mod:`jmtools.personas._cluster_summary`.

The public names are re-exported by :mod:`jmtools.personas`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from jmtools.core.errors import ParameterError
from jmtools.personas._cards import PersonaCard, _replace
from jmtools.personas._cluster_summary import (PER_30D, _cluster_profile, _cluster_summary,
                                               _feature_group, cluster_agreement)
from jmtools.personas._features import behaviour_features

__all__ = ["suggest_personas", "ClusterSuggestion", "N_INIT", "STABILITY_PAIRS",
           "STABILITY_FRACTION", "STABILITY_MIN", "MIN_CORRELATION", "VARIES_ICC", "VARIES_P"]


# ---------------------------------------------------------------------------------------------
# Personas suggested by behaviour (clustering)
# ---------------------------------------------------------------------------------------------

@dataclass
class ClusterSuggestion:
    """Result of :func:`suggest_personas`: labels, the criterion per k, and plain-words profiles.

    Attributes
    ----------
    k : int
        Number of groups chosen.
    criterion : str
        How ``k`` was chosen, in words.
    labels : pandas.DataFrame
        ``customer_id``, ``cluster`` (0 = largest group).
    scores : pandas.DataFrame
        ``k``, ``silhouette``, ``stability`` (NaN unless the stability criterion ran),
        ``inertia``, ``chosen`` — one row per k tried.
    profile : pandas.DataFrame
        ``cluster``, ``feature``, ``cluster_mean``, ``base_mean``, ``z`` (difference in base
        standard deviations), ``n`` (customers in the cluster).
    summary : pandas.DataFrame
        ``cluster``, ``n``, ``share``, ``description`` (plain words from the most distinguishing
        features), ``rule`` (a readable rule over customer attributes approximating the
        cluster, or None), ``rule_precision``, ``rule_recall``.
    features_used : list of str
    features_dropped : dict
        Feature or attribute → why it was left out.
    notes : list of str
        How the features were read, in words: event counts per 30 days in the log and why,
        survey scores kept although unrelated to the other features.
    """

    k: int
    criterion: str
    labels: Any
    scores: Any
    profile: Any
    summary: Any
    customer_col: str = "customer_id"
    features_used: list = field(default_factory=list)
    features_dropped: dict = field(default_factory=dict)
    notes: list = field(default_factory=list)

    def card(self, cluster: int, *, name: str | None = None, use: str = "rule",
             **fields) -> PersonaCard:
        """Turn a cluster into a persona card in one step.

        Parameters
        ----------
        cluster : int
        name : str, optional
            Default ``"Cluster <id>"``.
        use : {"rule", "cluster", "auto"}, default "rule"
            ``"rule"``: the card selects customers with the readable attribute rule found for
            the cluster (it works on new customers; precision/recall are in :attr:`summary`);
            ``"cluster"``: the card selects by ``cluster: <id>`` (needs the labels column);
            ``"auto"``: the rule when one describes the cluster well, else the cluster, and the
            card's backstory says so (what a notebook uses: it cannot know beforehand).
        **fields
            Any other card field (goals, quote, …).

        Returns
        -------
        PersonaCard

        Examples
        --------
        >>> import pandas as pd
        >>> s = ClusterSuggestion(k=2, criterion="", labels=None, scores=None, profile=None,
        ...     summary=pd.DataFrame({"cluster": [0, 1], "n": [90, 10], "share": [0.9, 0.1],
        ...         "description": ["close to the average customer", "more visits"],
        ...         "rule": ["age >= 30", None], "rule_precision": [0.95, 0.2], "rule_recall": [0.9, 0.6]}))
        >>> s.card(0, use="auto").rule, s.card(1, use="auto").cluster
        ('age >= 30', 1)
        >>> print(s.card(1, use="auto").backstory)
        Suggested by clustering: more visits. No rule over customer attributes describes this group well, so the card selects the cluster itself (cluster: 1), which needs the clustering's labels as a 'cluster' column of the customer table.
        """
        if use not in ("rule", "cluster", "auto"):
            raise ParameterError("use", use, expected=["rule", "cluster", "auto"])
        rows = self.summary[self.summary["cluster"] == cluster]
        if rows.empty:
            raise ParameterError("cluster", cluster,
                                 expected=[str(c) for c in self.summary["cluster"]])
        row = rows.iloc[0]
        fallback = use == "auto" and not row["rule"]   # no attribute rule describes it well (D156)
        use = ("cluster" if fallback else "rule") if use == "auto" else use
        if use == "rule" and not row["rule"]:
            raise ParameterError("use", use, expected="'cluster' for this cluster",
                                 fix="no attribute rule describes this cluster well; pass "
                                     "use='cluster'")
        numbers = [("customers", f"{int(row['n']):,}", f"{row['share']:.0%} of all")]
        if use == "rule":
            numbers.append(("rule precision", f"{row['rule_precision']:.0%}",
                            f"recall {row['rule_recall']:.0%}"))
        card = PersonaCard(name=name or f"Cluster {cluster}",
                           rule=row["rule"] if use == "rule" else None,
                           cluster=int(cluster) if use == "cluster" else None,
                           backstory=f"Suggested by clustering: {row['description']}." + (
                               " No rule over customer attributes describes this group well, so the card "
                               f"selects the cluster itself (cluster: {int(cluster)}), which needs the "
                               "clustering's labels as a 'cluster' column of the customer table." if fallback else ""),
                           evidence="measured", numbers=tuple(numbers))
        return _replace(card, **fields) if fields else card

    def cards(self, *, use: str = "rule") -> list[PersonaCard]:
        """One card per cluster (clusters without a usable rule fall back to ``cluster:``)."""
        return [self.card(int(r.cluster), use=use if (use == "cluster" or r.rule) else "cluster")
                for r in self.summary.itertuples()]

    def left_out(self) -> str:
        """What :attr:`features_dropped` left out, in words: the features named once per reason,
        in their order (D260; notebook 01 printed the dict itself).

        Examples
        --------
        >>> s = ClusterSuggestion(k=2, criterion="", labels=None, scores=None, profile=None, summary=None,
        ...                       features_dropped={"region=West": "unrelated", "signup_date": "tenure",
        ...                                         "region=East": "unrelated"})
        >>> s.left_out()
        'region=West and region=East: unrelated; signup_date: tenure'
        >>> ClusterSuggestion(k=2, criterion="", labels=None, scores=None, profile=None, summary=None).left_out()
        'nothing'
        """
        by_reason: dict[str, list[str]] = {}
        for feature, why in self.features_dropped.items():
            by_reason.setdefault(str(why), []).append(str(feature))
        parts = [(", ".join(names[:-1]) + " and " + names[-1] if len(names) > 1 else names[0]) + f": {why}"
                 for why, names in by_reason.items()]
        return "; ".join(parts) or "nothing"

    def agreement(self, truth, *, truth_col: str = "persona"):
        """Agreement with known groups; see :func:`cluster_agreement`."""
        return cluster_agreement(self.labels, truth, customer_col=self.customer_col,
                                 truth_col=truth_col)


def suggest_personas(customers, *, events=None, orders=None, surveys=None,
                     features=None, k: int | None = None, k_range: Sequence[int] = range(2, 9),
                     seed: int = 0, criterion: str = "stability", silhouette_sample: int = 3000,
                     customer_col: str = "customer_id", rule_attributes: Sequence[str] | None
                     = None, rule_depth: int = 2, **feature_options) -> ClusterSuggestion:
    """Suggest personas by clustering customers on behaviour and attributes (k-means, seeded).

    Features come from :func:`behaviour_features` (or pass ``features``); counts are
    log-transformed (``log1p``) and every feature standardised, so no unit dominates. Features
    unrelated to every other feature (largest |correlation| < ``MIN_CORRELATION``, e.g. an
    attribute assigned at random) are left out, and each group of columns (the levels of one
    attribute, all event counts, orders, survey means) is weighted to the variance of a single
    feature, so thirty event counts cannot outvote one strong attribute.

    **Criterion for the number of groups** (``criterion``): for each k in ``k_range``
    k-means runs with ``n_init=N_INIT`` and ``random_state=seed``.

    - ``"stability"`` (default): the largest k whose groups are reproducible — k-means on
      ``STABILITY_PAIRS`` pairs of random ``STABILITY_FRACTION`` subsamples label all customers
      alike (mean adjusted Rand index ≥ ``STABILITY_MIN``); if no k is, the most stable k.
      Persona work wants the finest grouping the data supports, and stability says when a
      split is real rather than an accident of the sample.
    - ``"silhouette"``: the k with the highest mean silhouette (on a seeded sample of up to
      ``silhouette_sample`` customers); it tends to prefer 2 coarse groups.

    Both measures are reported per k in :attr:`ClusterSuggestion.scores`. Pass ``k`` to fix
    it instead. Clusters are numbered by size (0 = largest).

    Each cluster gets a plain-words description from its most distinguishing features
    (largest standardised difference from the base), and a readable rule over customer
    attributes (a depth-``rule_depth`` decision tree; its precision and recall against the
    cluster are reported), so :meth:`ClusterSuggestion.card` turns it into a persona card.

    Parameters
    ----------
    customers : pandas.DataFrame
    events, orders, surveys : pandas.DataFrame, optional
        Canonical tables for behaviour features.
    features : pandas.DataFrame, optional
        Precomputed features (index = customer id); skips :func:`behaviour_features`.
    k : int, optional
    k_range : sequence of int, default 2..8
    seed : int, default 0
    criterion : {"stability", "silhouette"}, default "stability"
    silhouette_sample : int, default 3000
    rule_attributes : list of str, optional
        Attributes the suggested rules may use (default: all customer attributes).
    rule_depth : int, default 2
        Conditions per rule (at most).
    **feature_options
        Passed to :func:`behaviour_features` (``attributes``, ``event_col``…).

    Returns
    -------
    ClusterSuggestion

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> rng = np.random.default_rng(1)
    >>> c = pd.DataFrame({"customer_id": [f"c{i}" for i in range(60)],
    ...                   "age": np.r_[rng.normal(25, 2, 30), rng.normal(60, 2, 30)]})
    >>> s = suggest_personas(c, seed=0)
    >>> s.k, s.summary["n"].tolist()
    (2, [30, 30])
    """
    import numpy as np
    import pandas as pd
    from sklearn.cluster import KMeans
    from sklearn.metrics import silhouette_score

    if features is None:
        features = behaviour_features(customers, events=events, orders=orders, surveys=surveys,
                                      customer_col=customer_col, **feature_options)
    X, used, dropped, kept = _scaled(features)
    dropped = {**features.attrs.get("skipped", {}), **dropped}
    notes = _feature_notes(features, kept)
    n = len(X)
    ks = [k] if k is not None else [int(x) for x in k_range if 2 <= int(x) < n]
    if not ks:
        raise ParameterError("k_range", list(k_range), expected=f"values between 2 and {n - 1}")
    if criterion not in ("stability", "silhouette"):
        raise ParameterError("criterion", criterion, expected=["stability", "silhouette"])
    from threadpoolctl import threadpool_limits
    rows, fits = [], {}
    sample = min(silhouette_sample, n)
    # One thread: the same numbers on every machine, and far faster on a busy one
    # (k-means' OpenMP threads oversubscribe shared cores).
    with threadpool_limits(limits=1):
        for kk in ks:
            model = KMeans(n_clusters=kk, n_init=N_INIT, random_state=seed).fit(X)
            sil = float(silhouette_score(X, model.labels_, sample_size=sample,
                                         random_state=seed)) \
                if len(set(model.labels_)) > 1 else float("nan")
            stab = _stability(X, kk, seed) if k is None and criterion == "stability" \
                else float("nan")
            rows.append((kk, sil, stab, float(model.inertia_)))
            fits[kk] = model.labels_
    scores = pd.DataFrame(rows, columns=["k", "silhouette", "stability", "inertia"])
    best = k if k is not None else _choose_k(scores, criterion)
    scores["chosen"] = scores["k"] == best
    raw = fits[best]
    order = pd.Series(raw).value_counts().index.tolist()  # relabel: 0 = largest
    labels = np.array([order.index(x) for x in raw])
    label_frame = pd.DataFrame({customer_col: features.index.to_numpy(), "cluster": labels})
    profile = _cluster_profile(features[used], labels)
    summary = _cluster_summary(profile, labels, customers, label_frame, customer_col,
                               rule_attributes, rule_depth, seed)
    if k is not None:
        how = "fixed by the caller"
    elif criterion == "silhouette":
        how = (f"highest mean silhouette over k = {ks[0]}..{ks[-1]} (k-means, n_init={N_INIT}, "
               f"seed {seed}, silhouette on {sample} customers)")
    else:
        how = (f"largest k in {ks[0]}..{ks[-1]} whose groups are reproducible: mean adjusted "
               f"Rand index ≥ {STABILITY_MIN} between k-means runs on {STABILITY_PAIRS} pairs "
               f"of random {STABILITY_FRACTION:.0%} subsamples (seed {seed}); if none is, the "
               "most stable k")
    criterion = how
    return ClusterSuggestion(k=best, criterion=criterion, labels=label_frame, scores=scores,
                             profile=profile, summary=summary, customer_col=customer_col,
                             features_used=used, features_dropped=dropped, notes=notes)


def _feature_notes(features, kept) -> list[str]:
    """Sentences on how the features were read: counts per time in the log, scores kept."""
    spread, notes = features.attrs.get("time_in_log"), []
    if spread and any(c.endswith(PER_30D) for c in features.columns):
        notes.append(f"Repeated events are counted per 30 days in the log (from the customer's first event to "
                     f"the log's last): customers' time in the log differs (a quarter have at most {spread[0]:g} "
                     f"days, a quarter at least {spread[1]:g}), so a plain count would measure how long "
                     "someone has been a customer; an event most customers do once stays a count.")
    for col in kept:
        test = features.attrs["between"][col]
        notes.append(f"{col} is kept: customers' answers differ beyond answer noise ({test['icc']:.0%} "
                         f"of the variance lies between customers, F = {test['F']:.2f}, p < {VARIES_P}, "
                         f"{test['customers']:,} customers with 2 or more answers), although it is "
                         f"unrelated to every other feature (|r| < {MIN_CORRELATION}).")
    return notes


#: k-means restarts per k.
N_INIT = 5

#: Stability criterion: pairs of subsamples, their size, and the mean ARI that counts as
#: "reproducible groups".
STABILITY_PAIRS = 5
STABILITY_FRACTION = 0.8
STABILITY_MIN = 0.95

#: Features whose largest absolute correlation with any feature of another group is below this
#: carry no group structure (e.g. a region assigned at random) and are left out of clustering —
#: unless customers differ on them beyond chance (a survey score: ``VARIES_P``, ``VARIES_ICC``).
MIN_CORRELATION = 0.1

#: A survey score unrelated to every other feature is still kept when its answers differ between
#: customers beyond answer noise: one-way analysis p below ``VARIES_P`` and at least ``VARIES_ICC``
#: of the answers' variance between customers (ICC(1)).
VARIES_P = 0.001
VARIES_ICC = 0.1


def _varies(test) -> bool:
    """Customers differ on a survey score beyond answer noise (see ``VARIES_P``)."""
    return bool(test) and test["p"] < VARIES_P and test["icc"] >= VARIES_ICC


def _stability(X, k: int, seed: int) -> float:
    """Mean ARI between k-means fits on pairs of random subsamples, compared on all rows."""
    import numpy as np
    from sklearn.cluster import KMeans
    from sklearn.metrics import adjusted_rand_score
    rng = np.random.default_rng([seed, k])
    n = len(X)
    size = max(int(STABILITY_FRACTION * n), k)
    values = []
    for _ in range(STABILITY_PAIRS):
        labels = []
        for _ in range(2):
            idx = rng.choice(n, size, replace=False)
            model = KMeans(n_clusters=k, n_init=3, random_state=int(rng.integers(2**31 - 1)))
            labels.append(model.fit(X[idx]).predict(X))
        values.append(adjusted_rand_score(*labels))
    return float(np.mean(values))


def _choose_k(scores, criterion: str) -> int:
    if criterion == "silhouette":
        return int(scores.sort_values(["silhouette", "k"], ascending=[False, True]).iloc[0]["k"])
    stable = scores[scores["stability"] >= STABILITY_MIN]
    if len(stable):
        return int(stable["k"].max())
    return int(scores.sort_values(["stability", "k"], ascending=[False, True]).iloc[0]["k"])


def _scaled(features):
    """Clustering matrix: log1p on counts, standardise, drop unrelated features, and weight
    each group (one attribute's levels; all event counts; orders; surveys) to a total
    variance of 1, so many columns of one kind cannot outvote a single strong attribute.

    Returns the matrix, the kept column names, a dict of dropped column → reason, and the
    survey scores kept although unrelated (customers differ on them beyond answer noise).
    """
    import numpy as np
    X = features.to_numpy(dtype=float).copy()
    cols = list(features.columns)
    for j, col in enumerate(cols):
        if col.startswith(("event:", "events_total")) or col == "orders_n":
            X[:, j] = np.log1p(np.clip(X[:, j], 0, None))
    sd = X.std(axis=0)
    dropped = {c: "constant" for c, v in zip(cols, sd) if v == 0}
    sd[sd == 0] = 1.0
    X = (X - X.mean(axis=0)) / sd
    groups = np.array([_feature_group(c) for c in cols])
    between, kept = features.attrs.get("between", {}), []
    if X.shape[1] > 2:
        with np.errstate(invalid="ignore", divide="ignore"):
            corr = np.abs(np.nan_to_num(np.corrcoef(X, rowvar=False)))
        for j, col in enumerate(cols):
            other = groups != groups[j]
            if other.any() and corr[j, other].max() < MIN_CORRELATION and col not in dropped:
                if _varies(between.get(col)):
                    kept.append(col)
                else:
                    dropped[col] = f"unrelated to every other feature (|r| < {MIN_CORRELATION})"
    keep = np.array([c not in dropped for c in cols])
    if not keep.any():
        keep[:] = True
        dropped = {}
    X, groups = X[:, keep], groups[keep]
    sizes = {g: int((groups == g).sum()) for g in set(groups)}
    weights = np.array([1 / np.sqrt(sizes[g]) for g in groups])
    return X * weights, [c for c, k in zip(cols, keep) if k], dropped, kept
