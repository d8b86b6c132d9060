"""Text normalisation before models: no handles, URLs, retweet markers, stubs or brand words."""

from jmtools.analyses.textprep import Normaliser, handle_words, normalise_text


def test_noise_removed_and_contractions_written_out():
    t = "RT @jo: @AcmeAir I've been on hold 3 hrs &amp; they don't answer http://t.co/AbC #fail"
    out = normalise_text(t, brand_words=["AcmeAir"])
    assert out == "I have been on hold 3 hrs & they do not answer fail"
    assert normalise_text("Ive waited, cant log in, isn’t it broken?") == \
        "I have waited, can not log in, is not it broken?"
    assert normalise_text(None) == ""


def test_brand_words_whole_words_case_insensitive_with_possessive():
    n = Normaliser(["Acme", "Acme Pay"])
    assert n("ACME's checkout and acme pay failed; acmeshop fine") == "checkout and failed; acmeshop fine"


def test_handle_words_are_frequent_handles():
    texts = ["@AcmeAir late"] * 5 + ["@someone hi"] + ["plain"] * 94
    assert handle_words(texts) == ["acmeair", "someone"]
    assert handle_words(texts, min_share=0.02) == ["acmeair"]
