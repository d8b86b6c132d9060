"""A claim as one line of text: tags for evidence, source and personas, read back exactly."""

from __future__ import annotations

from jmtools.journey.claims import format_claim, parse_claims


def test_claim_lines_round_trip():
    claims = [{"text": "Sees an ad"},
              {"text": "Asks [a friend]", "evidence": "assumed"},
              {"text": "Pays", "evidence": "measured", "source": "orders",
               "personas": ["A", "B"]}]
    text = "\n".join(format_claim(c) for c in claims)
    assert text == "Sees an ad\nAsks [a friend] [assumed]\nPays [measured | source: orders | personas: A, B]"
    parsed = parse_claims(text)
    assert parsed == [{"text": "Sees an ad"}, {"text": "Asks [a friend]", "evidence": "assumed"},
                      {"text": "Pays", "evidence": "measured", "source": "orders",
                       "personas": ["A", "B"]}]
