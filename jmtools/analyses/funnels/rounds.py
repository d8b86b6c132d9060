"""How often customers come back: the times each customer has a touchpoint that repeats.

A journey tells a customer's later occurrences apart with ``occurrence`` (D13): the first
attendance is one touchpoint (``occurrence: first``), every later one another (``occurrence:
repeat``). Each such event ends a round (D110), so coming back is no loop, and
:func:`~jmtools.analyses.funnels.loops` rightly leaves it out; :func:`repeat_visits` counts it.
A touchpoint that repeats and the touchpoints counting the same events' other occurrences (their
*family*: the first attendance and the follow-ups, the first order and the repeat orders) are
counted together, per customer: "5.5 attendances per patient who attended" is read from the log.

A touchpoint the journey does not mark can repeat in rounds too: a claimant uploads documents, the
insurer asks for more ("Unterlagen angefordert", a contact the company starts at the same stage) and
the claimant uploads again. Leaving the company's contacts out (D14), the two uploads are one run of
one step: one visit and no loop. :func:`asked_families` finds such touchpoints, and
:func:`repeat_visits` counts their *rounds*: a round is a run of the customer's own events there, and
a new one starts when the customer acts there again after a contact of the company's at its stage
(D242). Files sent in one go, or again unasked, stay one round.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from jmtools.analyses.funnels._common import _by_list, _check_evidence, _groups, _order_groups, _table, _wilson
from jmtools.analyses.funnels.paths import _Steps, _later_rounds
from jmtools.core.engine import kept_answer, to_pandas
from jmtools.core.stats import Z95

__all__ = ["REPEAT_COLUMNS", "asked_families", "repeat_families", "repeat_visits"]

#: The columns of :func:`repeat_visits` after its ``by`` columns.
REPEAT_COLUMNS = ["touchpoint", "stage", "family", "asked_by", "n", "n_again", "share_again", "again_low", "again_high",
                  "visits", "mean", "sd", "ci_low", "ci_high"]


def repeat_families(evidence) -> list[tuple[str, tuple[str, ...]]]:
    """The touchpoints that take a customer's later occurrences, each with its family.

    A touchpoint takes later occurrences with ``occurrence: repeat`` or a number above 1. Its family
    is every touchpoint that counts occurrences (``first``, ``repeat`` or n) and takes some event name
    it takes (:attr:`Evidence.mapping <jmtools.evidence.Evidence.mapping>`), in file order. A contact
    the company started (``initiated_by: company``, a monthly letter) is the company coming back, not
    the customer: left out. One entry per family, named by its first touchpoint taking later
    occurrences; a touchpoint that received no event has none.

    Returns
    -------
    list of (str, tuple of str)
        ``(touchpoint, family)``; empty when the journey marks no repeat.

    Examples
    --------
    >>> from jmtools.evidence import prepare
    >>> ev = pd.DataFrame({"customer_id": list("aab"), "event": ["pay", "pay", "pay"],
    ...                    "timestamp": pd.date_range("2024-01-01", periods=3, freq="D")})
    >>> j = {"stages": ["Buy", "Again"], "touchpoints": [
    ...     {"name": "First order", "stage": "Buy", "events": ["pay"], "occurrence": "first"},
    ...     {"name": "Repeat order", "stage": "Again", "events": ["pay"], "occurrence": "repeat"}]}
    >>> repeat_families(prepare(ev, j))
    [('Repeat order', ('First order', 'Repeat order'))]
    """
    later = _later_rounds(evidence)
    if not later:
        return []
    rules = list(getattr(evidence, "rules", []))
    own = {r.name for r in rules if r.initiated_by != "company"}
    mapping = evidence.mapping
    names = {tp: set(mapping.loc[mapping["touchpoint"] == tp, "event"]) for tp in mapping["touchpoint"].dropna()}
    counting = [r.name for r in rules if r.occurrence != "any"]
    out, seen = [], set()
    for tp in later:
        if tp not in own or not names.get(tp):
            continue
        family = tuple(c for c in counting if names.get(c, set()) & names[tp])
        if family not in seen:
            seen.add(family)
            out.append((tp, family))
    return out


def asked_families(evidence) -> list[tuple[str, tuple[str, ...]]]:
    """The customers' own touchpoints the company's contacts at their stage may ask them back to.

    A touchpoint the customer starts that counts every event (no ``occurrence`` and no ``after``:
    a journey that marks them tells rounds apart its own way), at a stage where the journey has a
    contact the company starts (``initiated_by: company``): a document upload beside the insurer's
    request for documents, a reminder's link beside the reminder. Not at the journey's first stage:
    a contact there (a newsletter, an ad shown) opens a journey (D14), and answering the next one is
    a new start, which funnels and paths count. :func:`repeat_visits` counts its rounds.

    Returns
    -------
    list of (str, tuple of str)
        ``(touchpoint, company touchpoints at its stage)``, in file order; a touchpoint that received
        no event has none.

    Examples
    --------
    >>> from jmtools.evidence import prepare
    >>> ev = pd.DataFrame({"customer_id": list("aaa"), "event": ["upload", "request", "upload"],
    ...                    "timestamp": pd.date_range("2024-01-01", periods=3, freq="D")})
    >>> j = {"stages": ["Claim", "Documents"], "touchpoints": [
    ...     {"name": "Request", "stage": "Documents", "events": ["request"], "initiated_by": "company"},
    ...     {"name": "Upload", "stage": "Documents", "events": ["upload"]}]}
    >>> asked_families(prepare(ev, j))
    [('Upload', ('Request',))]
    """
    rules = list(getattr(evidence, "rules", []))
    received = set(evidence.mapping["touchpoint"].dropna())
    company = [r for r in rules if r.initiated_by == "company"]
    first = next(iter(evidence.stages), None)
    return [(r.name, asking) for r in rules
            if r.initiated_by != "company" and not r.conditional and r.stage != first and r.name in received
            and (asking := tuple(c.name for c in company if c.stage == r.stage))]


def repeat_visits(evidence, *, by=None) -> pd.DataFrame:
    """How many times each customer had a touchpoint that repeats, counted with its family.

    Per family of :func:`repeat_families` and group: the customers with one event or more there
    (``n``), those with two or more (``n_again``, as a share with Wilson ``again_low``,
    ``again_high``), the events (``visits``) and the mean per customer with its sample standard
    deviation and 95% interval (normal: mean ± 1.96 sd / √n; missing under 2 customers). The mean,
    not the median: counts of 1 to 6 have the same median and quartiles in groups whose means
    differ by half a visit. Counted up to the data's end, so a customer who started late has had
    less time to come back. Sums of whole numbers, so DuckDB and Spark give the same bits.

    Then, per touchpoint of :func:`asked_families` where some customer acted again after the
    company's contact (D242): the same columns counting *rounds* instead of events — a round is a
    run of the customer's own events there; a new one starts when they act there again after a
    contact of the company's at its stage (``asked_by``), not when they send more unasked.

    Parameters
    ----------
    evidence : Evidence
    by : str or list of str, optional
        As in :func:`~jmtools.analyses.funnels.funnel`; groups with nobody there keep a row of 0.

    Returns
    -------
    pandas.DataFrame
        The ``by`` columns then :data:`REPEAT_COLUMNS` (``family`` joins its touchpoints with
        " + "; ``asked_by`` the company's touchpoints whose contact starts a round, joined so, ""
        for a family counting occurrences, whose ``visits`` are events); families in file order,
        then the touchpoints asked again, groups as :func:`~jmtools.analyses.funnels.funnel` orders
        them. Empty when the journey marks no repeat and nobody acted again when asked.

    Examples
    --------
    >>> from jmtools.evidence import prepare
    >>> ev = pd.DataFrame({"customer_id": list("aaabbc"), "event": ["pay"] * 5 + ["view"],
    ...                    "timestamp": pd.date_range("2024-01-01", periods=6, freq="D")})
    >>> j = {"stages": ["Browse", "Buy", "Again"], "touchpoints": [
    ...     {"name": "Site", "stage": "Browse", "events": ["view"]},
    ...     {"name": "First order", "stage": "Buy", "events": ["pay"], "occurrence": "first"},
    ...     {"name": "Repeat order", "stage": "Again", "events": ["pay"], "occurrence": "repeat"}]}
    >>> repeat_visits(prepare(ev, j))[["touchpoint", "n", "n_again", "visits", "mean"]]
         touchpoint  n  n_again  visits  mean
    0  Repeat order  2        2       5   2.5
    """
    _check_evidence(evidence)
    by = _by_list(evidence, by)
    families = [(tp, f, ()) for tp, f in repeat_families(evidence)] + [
        (tp, (tp,), asking) for tp, asking in asked_families(evidence)]
    if not families:
        return pd.DataFrame(columns=[*by, *REPEAT_COLUMNS])
    counts = kept_answer(evidence, ("rounds", tuple((tuple(f), a) for _, f, a in families), tuple(by)),
                         lambda: _count(evidence, families, by))
    asked_again = counts.groupby("_k")["n_again"].sum()
    families = [(k, *fam) for k, fam in enumerate(families) if not fam[2] or asked_again.get(k, 0) > 0]
    if not families:
        return pd.DataFrame(columns=[*by, *REPEAT_COLUMNS])
    groups = _groups(evidence, by)[by] if by else pd.DataFrame(index=[0])
    stage_of = evidence.touchpoint_stage
    grid = pd.DataFrame({"touchpoint": [tp for _, tp, _, _ in families],
                         "stage": [stage_of[tp] for _, tp, _, _ in families],
                         "family": [" + ".join(f) for _, _, f, _ in families],
                         "asked_by": [" + ".join(a) for _, _, _, a in families], "_k": [k for k, *_ in families]})
    out = grid.merge(groups, how="cross").merge(counts, on=["_k", *by], how="left")
    for c in ("n", "n_again", "visits", "_s2"):
        out[c] = out[c].fillna(0).astype("int64")
    n, s1, s2 = (out[c].to_numpy(float) for c in ("n", "visits", "_s2"))
    with np.errstate(invalid="ignore", divide="ignore"):
        out["mean"] = np.where(n > 0, s1 / n, np.nan)
        out["sd"] = np.where(n > 1, np.sqrt(np.maximum(s2 - s1 * s1 / n, 0) / (n - 1)), np.nan)
        half = Z95 * out["sd"].to_numpy() / np.sqrt(n)
    out["ci_low"], out["ci_high"] = out["mean"] - half, out["mean"] + half
    out["share_again"] = out["n_again"] / out["n"].where(out["n"] > 0)
    out = _wilson(out, "n_again", "n", prefix="again_").rename(columns={"again_ci_low": "again_low",
                                                                       "again_ci_high": "again_high"})
    out = out.sort_values("_k", kind="stable")
    out = _order_groups(evidence, out, by) if by else out
    return out[[*by, *REPEAT_COLUMNS]].reset_index(drop=True)


def _count(evidence, families, by) -> pd.DataFrame:
    """Per family (``_k``) and group: customers with an event there (``n``), with two or more
    (``n_again``), the events — or, for a touchpoint the company asks customers back to, the rounds
    (:func:`_rounds`) — (``visits``) and the sum of each customer's squared count (``_s2``)."""
    import ibis

    st = _Steps(evidence, "touchpoint", by)
    t = st.table
    parts = []
    for k, (_, family, asking) in enumerate(families):
        per = _rounds(t, st, family[0], asking, by) if asking else _events(t, st, family, by)
        stats = dict(n=per.count(), n_again=(per._c >= 2).sum().cast("int64"), visits=per._c.sum().cast("int64"),
                     _s2=(per._c * per._c).sum().cast("int64"))
        agg = per.group_by(by).agg(**stats) if by else per.agg(**stats)
        parts.append(agg.mutate(_k=ibis.literal(k, "int64")))
    out = to_pandas(ibis.union(*parts) if len(parts) > 1 else parts[0])
    return out.astype({c: "int64" for c in ("n", "n_again", "visits", "_s2", "_k")})


def _events(t, st, family, by):
    """Per customer (and group): ``_c``, their events at the family's touchpoints."""
    hit = t.filter(t[st.tp_col].isin([st.value(tp, touchpoint=True) for tp in family]))
    return hit.group_by(["customer_id", *by]).agg(_c=hit.count())


def _rounds(t, st, touchpoint, asking, by):
    """Per customer (and group) with an event at ``touchpoint``: ``_c``, their rounds there — their
    events there whose previous event among those and the company's contacts ``asking`` is none or
    such a contact: the first, and each one after being asked again (D242)."""
    import ibis

    own = st.value(touchpoint, touchpoint=True)
    hit = t.filter(t[st.tp_col].isin([own, *(st.value(c, touchpoint=True) for c in asking)]))
    hit = hit.mutate(_own=hit[st.tp_col] == own)
    hit = hit.mutate(_before=hit._own.lag().over(ibis.window(group_by=[hit.customer_id, *by],
                                                             order_by=hit.position)))
    start = hit._own & ~hit._before.fill_null(False)
    per = hit.group_by(["customer_id", *by]).agg(_c=start.cast("int64").sum())
    return per.filter(per._c > 0)
