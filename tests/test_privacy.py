"""Masking of e-mail addresses, phone numbers and card numbers in quotes."""

import pandas as pd
import pytest

from jmtools.analyses import privacy
from jmtools.core.errors import ParameterError
from jmtools.analyses.privacy import find_pii, mask_quotes, mask_text


@pytest.mark.parametrize("text, expected", [
    ("write to ann.lee+shoes@example.co.uk please", "write to [email] please"),
    ("ME@SHOP.IO!", "[email]!"),
    ("Card 4111 1111 1111 1111 was charged", "Card [card] was charged"),
    ("card 5555555555554444 twice", "card [card] twice"),          # Luhn-valid, unbroken
    ("4111-1111-1111-1111", "[card]"),
    ("amex 3782 822463 10005 ok", "amex [card] ok"),                # 15 digits, Luhn-valid
    ("1234 5678 9012 3456 (typo)", "[card] (typo)"),                # 4x4 grouping, Luhn-invalid
    ("call +44 20 7946 0958 now", "call [phone] now"),
    ("call (555) 123-4567.", "call [phone]."),
    ("555.123.4567", "[phone]"),
    ("mobile 07700 900123", "mobile [phone]"),
    ("+1 (555) 123 4567", "[phone]"),
    ("tel: 0044 20 7946 0958.", "tel: [phone]."),
])
def test_masks_personal_data(text, expected):
    assert mask_text(text) == expected


@pytest.mark.parametrize("text", [
    "I paid $129.99 on 2026-11-01",
    "total 1,299.00 EUR, refund £45.5",
    "ordered 01/11/2026 14:05, arrived 12.03.2026 at 9:30",
    "order #100234 and ticket 12345678",
    "order 1234567890123 took 3 days",          # 13 digits, not Luhn, not grouped
    "ticket 2026-11-01 14:05:33 was closed",
    "between 2026-11-01 and 2026-11-30",
    "100,000 customers, 45% off, 3.5 stars, size 10.5, 10 000 steps",
    "version 2.14.1 and year 2026",
])
def test_leaves_amounts_dates_and_ids_alone(text):
    assert mask_text(text) == text
    assert find_pii(text) == []


def test_mixed_text_spans_and_order():
    text = "a@b.com, 4111111111111111, +44 20 7946 0958 on 2026-11-01 for $10.00"
    spans = find_pii(text)
    assert [k for k, _, _ in spans] == ["email", "card", "phone"]
    assert [text[s:e] for _, s, e in spans] == ["a@b.com", "4111111111111111", "+44 20 7946 0958"]
    assert mask_text(text) == "[email], [card], [phone] on 2026-11-01 for $10.00"


def test_kinds_restrict_what_is_masked():
    text = "a@b.com or (555) 123-4567"
    assert mask_text(text, kinds=["email"]) == "[email] or (555) 123-4567"
    assert mask_text(text, kinds=["phone"]) == "a@b.com or [phone]"
    with pytest.raises(ParameterError, match="did you mean 'email'"):
        mask_text(text, kinds=["emial"])


def test_missing_values_pass_through():
    assert mask_text(None) is None
    s = pd.Series(["x@y.org hi", None, "fine"], index=[5, 6, 7], name="text")
    out = mask_quotes(s)
    assert out.index.tolist() == [5, 6, 7] and out.name == "text"
    assert out.iloc[0] == "[email] hi" and pd.isna(out.iloc[1]) and out.iloc[2] == "fine"
    assert s.iloc[0] == "x@y.org hi"  # input unchanged
    assert mask_quotes(["a@b.cc"]) == ["[email]"]


def test_placeholders_cover_every_kind():
    assert set(privacy.PLACEHOLDERS) == set(privacy.PII_KINDS)
    assert set(privacy.__all__) == {"PII_KINDS", "PLACEHOLDERS", "find_pii", "mask_text", "mask_quotes"}
