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


def test_markup_pasted_into_feedback_gives_no_theme_words():
    """A web form's HTML (a script block, an injected image, tags) says nothing about the
    experience: none of its words reach a model; the text around it, and '<' in prose, stay."""
    from jmtools.analyses.textprep import normalise_text

    cases = {
        '<script>alert("xss")</script> delivery was late and terrible': "delivery was late and terrible",
        "<img src=x onerror=alert(1)> payment failed awful": "payment failed awful",
        "</script><script>alert(2)</script> delivery late": "delivery late",
        "&lt;b&gt;great&lt;/b&gt; shoes": "great shoes",
        "<STYLE>p {color: red}</STYLE>Fast <i>refund</i>": "Fast refund",
        "I <3 it, price < 50 and > 20": "I <3 it, price < 50 and > 20",
    }
    for raw, clean in cases.items():
        assert normalise_text(raw) == clean, raw


def test_own_words_of_an_email_body():
    """A help desk's HTML body: the customer's lines, without the quoted reply chain (an agent's
    polite words and name) and without the signature under the sign-off (name, phone, company)."""
    from jmtools.analyses.textprep import own_words

    body = ("<html><body><p>Hi support,</p><p>SSO login fails with a SAML error.</p><p>Regards,<br>"
            "Jonas Tanaka<br>IT Admin, Dubois Retail<br>Tel: +49 30 1234567</p><div class=\"gmail_quote\">"
            "On Tue, Apr 14, 2026 at 01:23 Priya Shah &lt;support@acme.io&gt; wrote:<br><blockquote>"
            "Hi Jonas,<br>thanks for reaching out!<br>Best,<br>Priya Shah</blockquote></div></body></html>")
    assert own_words(body) == "Hi support,\nSSO login fails with a SAML error."
    plain = ("The export is empty &amp; useless.\n\nAm 02.03.2026 um 10:00 schrieb Tom Becker <t@x.io>:\n"
             "> Danke!")
    assert own_words(plain) == "The export is empty &amp; useless."           # plain text keeps its characters
    outlook = "Still broken.\n\nFrom: Support <s@x.io>\nSent: Monday\nSubject: Re: ticket 4411\nWe fixed it."
    assert own_words(outlook) == "Still broken."
    for kept in ["Thanks, that fixed it!", "Regards, Maria Rossi", "price < 50 and > 20",
                 "Great app.\nThanks\nBut the export fails."]:
        assert own_words(kept) == kept
    assert own_words("On Mon, Tom wrote:\n> all quote") == "On Mon, Tom wrote:\n> all quote"   # nothing else: kept
    assert own_words(None) is None
    assert normalise_text(body) == "Hi support, SSO login fails with a SAML error."
