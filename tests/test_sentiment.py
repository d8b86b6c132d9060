"""score_texts: same numbers as plain VADER, duplicates once, batches, parallel, pluggable."""

import numpy as np
import pandas as pd
import pytest

from jmtools.analyses import sentiment
from jmtools.core.errors import DataError, ParameterError
from jmtools.analyses.sentiment import VaderScorer, resolve_n_jobs, score_texts

TEXTS = ["Great shoes, fast delivery!", "The checkout kept failing. Awful.", "ok",
         "Not bad at all", "I HATE the hidden fees!!!", "Great shoes, fast delivery!",
         "The size chart is missing", "Returns were easy :)"]


def _plain_vader(texts):
    from vaderSentiment.vaderSentiment import SentimentIntensityAnalyzer

    sia = SentimentIntensityAnalyzer()
    return [sia.polarity_scores(t)["compound"] for t in texts]


def test_matches_plain_vader_loop():
    np.testing.assert_array_equal(score_texts(TEXTS), _plain_vader(TEXTS))


def test_accepts_series_and_keeps_order_and_missing():
    s = pd.Series(["good", None, np.nan, "   ", "", "bad"], index=[10, 11, 12, 13, 14, 15])
    out = score_texts(s)
    assert out.shape == (6,)
    assert np.isnan(out[1:5]).all()
    np.testing.assert_array_equal(out[[0, 5]], _plain_vader(["good", "bad"]))


class CountingScorer:
    """Picklable scorer that records what it was asked to score (in this process)."""

    def __init__(self):
        self.calls = []

    def __call__(self, batch):
        self.calls.append(list(batch))
        return [len(t) / 100 for t in batch]


def test_duplicates_scored_once_and_batches_respected():
    scorer = CountingScorer()
    texts = ["a", "bb", "a", "ccc", "bb", "a", "dddd", "eeeee", "a"]
    out = score_texts(texts, scorer=scorer, batch_size=2, n_jobs=1)
    seen = [t for call in scorer.calls for t in call]
    assert sorted(seen) == ["a", "bb", "ccc", "dddd", "eeeee"]           # each unique once
    assert all(len(call) <= 2 for call in scorer.calls) and len(scorer.calls) == 3
    np.testing.assert_allclose(out, [len(t) / 100 for t in texts])


def test_parallel_equals_serial():
    rng = np.random.default_rng(0)
    words = ["good", "bad", "slow", "great", "awful", "fine", "late", "love", "broken", "easy"]
    texts = [" ".join(rng.choice(words, 4)) for _ in range(3000)]
    serial = score_texts(texts, n_jobs=1)
    parallel = score_texts(texts, n_jobs=2, min_parallel=1, batch_size=200)
    np.testing.assert_array_equal(serial, parallel)
    np.testing.assert_array_equal(serial, _plain_vader(texts))


def test_unpicklable_scorer_falls_back_to_one_process():
    local = {"x": 0.1}
    with pytest.warns(RuntimeWarning, match="cannot be pickled"):
        out = score_texts(["a", "b"], scorer=lambda b: [local["x"]] * len(b), n_jobs=2,
                          min_parallel=1)
    np.testing.assert_allclose(out, [0.1, 0.1])


def test_bad_scorer_output():
    with pytest.raises(DataError, match="outside \\[-1, 1\\]"):
        score_texts(["a", "b"], scorer=lambda b: [5.0] * len(b))
    with pytest.raises(ParameterError, match="one score per text"):
        score_texts(["a", "b"], scorer=lambda b: [0.0])
    with pytest.raises(ParameterError):
        score_texts(["a"], scorer="vader")


@pytest.mark.parametrize("bad", [0, -2, 1.5, "all"])
def test_bad_n_jobs(bad):
    with pytest.raises(ParameterError, match="n_jobs"):
        resolve_n_jobs(bad)


@pytest.mark.parametrize("bad", [0, -1, True, 2.5, "7"])
def test_bad_batch_size(bad):
    """One wording for every whole-number parameter (core.errors.whole_number), with a fix."""
    with pytest.raises(ParameterError, match="batch_size must be a whole number, 1 or more") as err:
        score_texts(["a"], batch_size=bad)
    assert "Fix: pass how many unique texts" in str(err.value)


def test_empty_input():
    assert score_texts([]).shape == (0,)
    assert np.isnan(score_texts([None, ""])).all()


def test_vader_scorer_is_picklable_and_public_surface():
    import pickle

    assert pickle.loads(pickle.dumps(VaderScorer()))(["good"])[0] > 0
    assert set(sentiment.__all__) <= set(dir(sentiment))


def _long_comment(n_sentences: int = 2500) -> str:
    parts = ["The parcel was late and the support line was rude.", "I waited three weeks",
             "Great shoes though!", "Never again\n"]
    return " ".join(parts[i % len(parts)] for i in range(n_sentences))


def test_a_long_text_is_scored_in_pieces_each_within_the_limit():
    """VADER's time grows with the square of a text's length (a 115 KB comment took 40 s): texts
    above LONG_TEXT go through it in pieces, sentences kept whole, no word lost."""
    text = _long_comment()
    pieces = sentiment._pieces(text)
    assert len(text) > 15 * sentiment.LONG_TEXT
    assert all(0 < len(p) <= sentiment.LONG_TEXT for p in pieces)
    assert " ".join(pieces).split() == text.split()
    unbroken = "word " * 3000                       # one sentence longer than the limit
    assert " ".join(sentiment._pieces(unbroken)).split() == unbroken.split()
    assert all(len(p) <= sentiment.LONG_TEXT for p in sentiment._pieces("x" * 9000))
    analyzer = sentiment._vader_analyzer()
    scores = [analyzer.polarity_scores(p) for p in pieces]
    w = np.array([len(p.split()) for p in pieces], float)
    expected = float(np.dot(w / w.sum(), [s["compound"] for s in scores]))
    assert sentiment.vader_scores(text)["compound"] == pytest.approx(expected)


def test_texts_up_to_the_limit_score_exactly_as_vader_does():
    analyzer = sentiment._vader_analyzer()
    for text in ("it has never worked.", "Love it!! " * 300, _long_comment()[:sentiment.LONG_TEXT]):
        assert sentiment.vader_scores(text) == analyzer.polarity_scores(text)


def test_no_text_reaches_vader_longer_than_the_limit_in_a_report(tmp_path, monkeypatch):
    """The whole preparation of a world with one 115 KB comment: every VADER call (scores,
    calibration, the complaint classifier's sentences) gets a text of at most LONG_TEXT."""
    import shutil
    from pathlib import Path

    from jmtools import pipeline

    root = Path(__file__).resolve().parents[1]
    folder = tmp_path / "w"
    folder.mkdir()
    shutil.copy(root / "data" / "ecommerce" / "journey.yaml", folder)
    texts = ["Late and rude", "Shoes are great", "Refund took weeks", "Love the app"] * 10 + [_long_comment(2300)]
    pd.DataFrame({"feedback_id": [f"F{i}" for i in range(len(texts))],
                  "customer_id": [str(100 + i) for i in range(len(texts))],
                  "timestamp": "2024-03-15 02:01:00", "text": texts,
                  "rating": [1, 5, 2, 5] * 10 + [1]}).to_csv(folder / "feedback.csv", index=False)
    longest = []
    analyzer = sentiment._vader_analyzer()
    original = analyzer.polarity_scores
    monkeypatch.setattr(analyzer, "polarity_scores", lambda t: longest.append(len(t)) or original(t))
    pipeline.prepare_world(folder)
    assert longest and max(longest) <= sentiment.LONG_TEXT


def test_remembered_scores_are_vaders_and_a_copy_each_time():
    """A short text's scores are remembered (a report scores the same texts and sentences
    several times): the same as VADER's, and each caller gets its own dict."""
    text = "The delivery was late again, and nobody answered. Shoes are great though!"
    first = sentiment.vader_scores(text)
    first["compound"] = 99.0                       # a caller changing its dict changes nothing else
    again = sentiment.vader_scores(text)
    assert again == sentiment._vader_analyzer().polarity_scores(text) and again is not first



# A request to put right what is wrong (D261): the B2B tester's calm invoice dispute (M4), and what it is not
INVOICE = ("Our invoice INV-52965 shows 952.91 EUR but we were told the price would rise only 11%. "
           "Please correct it. IBAN DE44 1001 0010 1956 6197 24.")
REQUESTS = [INVOICE, "Can you please refund the double charge?", "Please fix the sync, it fails every night.",
            "The seat count is wrong, fix it please", "We want a full refund for March.",
            "Kindly rectify the VAT on invoice 12.", "This needs to be corrected before Friday."]
NOT_REQUESTS = ["Thanks for fixing it so fast!", "Quick question: how do I export a project to CSV? Thanks",
                "How do I correct my billing address?", "Please correct me if I'm wrong, but the new board is great",
                "Thank you for the quick refund, great service", "Please keep up the good work"]


def test_a_calm_request_to_correct_a_fault_is_found_and_thanks_and_questions_are_not():
    assert _plain_vader([INVOICE])[0] > 0.4           # VADER's "please" (+1.3): the reason it read as praise
    assert sentiment.fault_requests(REQUESTS + NOT_REQUESTS + [None]).tolist() == [True] * 7 + [False] * 7


def test_the_text_score_itself_stays_plain_vaders():
    texts = REQUESTS + NOT_REQUESTS
    np.testing.assert_array_equal(score_texts(texts, n_jobs=1), _plain_vader(texts))


# calm fault requests in German, French, Spanish and Dutch (D266), and praise in those languages
REQUESTS_ELSEWHERE = ["Bitte korrigieren Sie die Rechnung", "Die Abbuchung war doppelt, bitte erstatten.",
                      "Die Rechnung INV-10895 über 6,754.79 EUR ist falsch. Bitte korrigieren.",
                      "Korrigieren Sie bitte den Betrag.", "Wir möchten eine Gutschrift für März.",
                      "Die Rechnung muss korrigiert werden.", "Veuillez corriger la facture.",
                      "Merci de rembourser le double prélèvement.", "Je demande un remboursement.",
                      "Por favor corrija la factura.", "¿Pueden reembolsar el cargo doble?", "Quiero un reembolso.",
                      "De factuur klopt niet, graag corrigeren.", "Kunt u het bedrag terugbetalen?"]
NOT_REQUESTS_ELSEWHERE = ["Danke, dass Sie die Rechnung so schnell korrigiert haben!", "Toller Service, bitte weiter so!",
                          "Vielen Dank für die schnelle Erstattung", "Wie kann ich meine Adresse korrigieren?",
                          "Merci pour le remboursement rapide, super service", "Merci de votre aide, tout est parfait",
                          "Gracias por corregir la factura tan rápido", "Por favor, sigan así, excelente servicio",
                          "Bedankt voor het snelle herstellen!", "Graag gedaan, alles werkt prima"]


def test_a_calm_request_in_german_french_spanish_or_dutch_is_found_and_praise_is_not():
    """'Bitte korrigieren Sie die Rechnung' was no request (the rule read English only, D261)."""
    found = sentiment.fault_requests(REQUESTS_ELSEWHERE + NOT_REQUESTS_ELSEWHERE)
    assert found.tolist() == [True] * len(REQUESTS_ELSEWHERE) + [False] * len(NOT_REQUESTS_ELSEWHERE)
