"""Valence rules that read more than one number: NPS answers read in bands (D232), whether a
customer's journey went on after their last own stage (D231), and what an unrated request to
correct, fix or refund is read as, in a language no score reads too (D261, D266)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from jmtools.analyses.language import LANGUAGES
from jmtools.analyses.sentiment import fault_requests


def fault_asked(texts, language, unread, rated) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Which unrated texts ask to correct, fix or refund (:func:`~jmtools.analyses.sentiment.fault_requests`),
    which of them are in a language no score reads (``unread``: a complaint by their words, not left
    out, D266), and the ``used`` each of those is said with ("text (request, German)").

    >>> asked, elsewhere, used = fault_asked(["Bitte korrigieren Sie die Rechnung", "Please fix it", "Super!"],
    ...                                      np.array(["de", "en", "de"]), np.array([True, False, True]), np.full(3, np.nan))
    >>> asked.tolist(), elsewhere.tolist(), used[elsewhere].tolist()
    ([True, True, False], [True, False, False], ['text (request, German)'])
    """
    asked = fault_requests(list(texts)) & ~np.isfinite(np.asarray(rated, dtype=float))
    elsewhere = asked & np.asarray(unread, dtype=bool)
    names = np.array([f"text (request, {LANGUAGES.get(c, c)})" for c in language], dtype=object)
    return asked, elsewhere, names


def nps_valence(score) -> np.ndarray:
    """Valence of NPS answers (0–10) by band: a detractor (0–6) −2, a passive (7–8) 0, a promoter
    (9–10) +2, so the mean valence of a set of answers is its NPS ÷ 50 and has its sign (D232).
    The bands are those :mod:`jmtools.analyses.kpis` counts (above 6 and below 9 is passive); NaN
    stays NaN.

    >>> nps_valence([0, 6, 6.5, 7, 8, 9, 10, np.nan]).tolist()
    [-2.0, -2.0, 0.0, 0.0, 0.0, 2.0, 2.0, nan]
    """
    x = np.asarray(score, dtype=float)
    return np.where(np.isnan(x), np.nan, np.where(x >= 9, 2.0, np.where(x <= 6, -2.0, 0.0)))


def company_codes(company, stages, customer_col: str, stage_col: str) -> pd.DataFrame | None:
    """The company's contacts as ``customer_id``, ``code`` (stage position; other stages left out) and
    ``first_seen`` (the first contact there; NaT when ``company`` has no such column)."""
    if company is None:
        return None
    code = pd.Categorical(company[stage_col].astype("string"), categories=list(stages), ordered=True).codes
    first = pd.to_datetime(company["first_seen"]) if "first_seen" in company else pd.NaT
    return pd.DataFrame({"customer_id": company[customer_col].astype("string").to_numpy(), "code": code,
                         "first_seen": first if first is pd.NaT else first.to_numpy()})[code >= 0]


def carried_on_at(codes: pd.Series, customers: pd.Series, company: pd.DataFrame | None) -> pd.Series:
    """Per row, when the company's contacts first reached a stage after the customer's furthest own
    stage (``codes``, ``customers`` as :func:`journey_went_on` reads them; NaT for the other rows and
    without such a contact): when the company carried the journey on, so that a claim still open at
    the data's end can be told from one that stopped (D242).

    >>> own = pd.DataFrame({"c": ["a", "a", "b"], "k": [0, 2, 2]})
    >>> company = pd.DataFrame({"customer_id": ["a", "a", "a"], "code": [1, 3, 4],
    ...                         "first_seen": pd.to_datetime(["2026-01-02", "2026-01-09", "2026-01-12"])})
    >>> [None if pd.isna(t) else str(t.date()) for t in carried_on_at(own["k"], own["c"], company)]
    [None, '2026-01-09', None]
    """
    out = pd.Series(pd.NaT, index=codes.index, dtype="datetime64[ns]")
    if company is None or not len(company) or not len(codes) or "first_seen" not in company:
        return out
    furthest = codes.groupby(customers).transform("max")
    rows = pd.DataFrame({"customer_id": customers.astype("string").to_numpy(), "_f": furthest.to_numpy(),
                         "_row": np.arange(len(codes))})[(codes == furthest).to_numpy()]
    later = rows.merge(company.assign(customer_id=company["customer_id"].astype("string")), on="customer_id")
    later = later[later["code"] > later["_f"]]
    first = later.groupby("_row")["first_seen"].min()
    out.iloc[first.index.to_numpy()] = pd.to_datetime(first).to_numpy()
    return out


def journey_went_on(codes: pd.Series, customers: pd.Series, company: pd.DataFrame | None,
                    n_stages: int) -> pd.Series:
    """Per row, whether the customer's journey went on after the furthest stage they reached by a
    step of their own (D231).

    ``codes`` are the stage positions of the customers' own rows (one row per customer and stage),
    ``company`` the company's contacts at funnel stages (``customer_id`` and ``code``, the stage's
    position). The journey went on when the company's contacts reach a later stage with no stage where
    customers act themselves (one with a row of their own, anyone's) after the customer's furthest own
    stage up to and including the stage after the last one reached — or, when they reach the last
    stage, none before it (a review mail after browsing, with buying between, carries nothing on): a
    payment and a closure letter after the customer's decision carry the journey on; a request for
    documents the customer never answers, or an offer before a decision never taken, does not.

    >>> own = pd.DataFrame({"c": ["a", "b", "d", "e", "f"], "k": [1, 2, 0, 2, 2]})  # customers act at 0-2
    >>> company = pd.DataFrame({"customer_id": ["a", "b", "d", "e"], "code": [3, 4, 1, 3]})
    >>> journey_went_on(own["k"], own["c"], company, 5).tolist()   # a never takes step 2; d stalls at 1
    [False, True, False, True, False]
    """
    went = pd.Series(False, index=codes.index)
    if company is None or not len(company) or not len(codes):
        return went
    furthest = codes.groupby(customers).transform("max")
    reached = company.groupby(company["customer_id"].astype("string"))["code"].max()
    end = np.maximum(customers.astype("string").map(reached).astype("Float64").fillna(-1).to_numpy(),
                     furthest.to_numpy()).astype(int)
    acting = np.zeros(n_stages, dtype=int)
    acting[np.unique(codes.to_numpy())] = 1
    before = np.concatenate([[0], np.cumsum(acting)])         # before[k]: acting stages below k
    upto = np.minimum(end + 1, n_stages - 1)
    between = before[upto + 1] - before[furthest.to_numpy() + 1]
    to_last = before[n_stages - 1] - before[furthest.to_numpy() + 1]   # acting stages before the last
    went[:] = (end > furthest.to_numpy()) & (np.where(end == n_stages - 1, to_last, between) == 0)
    return went & (codes == furthest)
