"""A claim as one line of text: how a workbook cell holds the claims of a lane.

One claim per line; a line may end with tags in square brackets — the evidence label,
``source:`` and ``personas:``, separated by ``|``::

    Asks a friend for advice [reported | source: interviews 2026-10 | personas: Budget Ben]
    Sees an ad

A line without tags is an *assumed* claim for every persona. :func:`format_claim` writes
such a line, :func:`parse_claims` reads a cell of them back, collecting located problems.
"""

from __future__ import annotations

import re
from typing import Any

from jmtools.core.errors import suggest
from jmtools.core.metrics import EVIDENCE_LABELS

__all__ = ["format_claim", "parse_claims"]


def format_claim(claim: Any) -> str:
    """One line of a Map cell for a claim: its text, then tags when it has any.

    Examples
    --------
    >>> format_claim({"text": "Asks a friend", "evidence": "reported", "personas": ["Ben"]})
    'Asks a friend [reported | personas: Ben]'
    >>> format_claim("Sees an ad")
    'Sees an ad'
    """
    data = claim if isinstance(claim, dict) else (
        {"text": claim} if isinstance(claim, str) else claim.model_dump())
    tags = []
    evidence = data.get("evidence") or "assumed"
    if evidence != "assumed":
        tags.append(evidence)
    if data.get("source"):
        tags.append(f"source: {data['source']}")
    if data.get("personas"):
        tags.append("personas: " + ", ".join(data["personas"]))
    text = " ".join(str(data["text"]).split())
    if not tags and text.endswith("]"):
        tags.append("assumed")  # so a text ending in brackets is not read as tags
    return text + (f" [{' | '.join(tags)}]" if tags else "")


_TAGS = re.compile(r"^(?P<text>.*?)\s*\[(?P<tags>[^\[\]]*)\]\s*$", re.S)


def parse_claims(value: Any, *, where: str = "", problems: list | None = None,
                 warnings: list | None = None) -> list[dict]:
    """Parse a Map cell into claims (dicts with text and, when given, evidence/source/personas).

    Examples
    --------
    >>> parse_claims("Sees an ad\\n• Asks a friend [reported | source: interviews]")
    [{'text': 'Sees an ad'}, {'text': 'Asks a friend', 'evidence': 'reported', 'source': 'interviews'}]
    """
    problems = [] if problems is None else problems
    warnings = [] if warnings is None else warnings
    claims = []
    for k, raw in enumerate(_lines(value), start=1):
        claim = _parse_line(raw, f"{where} line {k}", problems, warnings)
        if claim:
            claims.append(claim)
    return claims


def _lines(value: Any) -> list[str]:
    if value is None:
        return []
    out = []
    for line in str(value).replace("\r\n", "\n").replace("\r", "\n").split("\n"):
        line = re.sub(r"^\s*(?:[•·▪‣◦*]|-\s)\s*", "", line).strip()
        if line:
            out.append(line)
    return out


def _parse_line(line: str, where: str, problems: list, warnings: list) -> dict | None:
    match = _TAGS.match(line)
    if not match:
        return {"text": line}
    claim: dict = {"text": match["text"].strip()}
    bad = []
    for token in [t.strip() for t in match["tags"].split("|") if t.strip()]:
        key, sep, val = token.partition(":")
        key, val = key.strip().lower(), val.strip()
        if not sep and key in EVIDENCE_LABELS:
            claim["evidence"] = key
        elif sep and key == "evidence" and val in EVIDENCE_LABELS:
            claim["evidence"] = val
        elif sep and key == "source" and val:
            claim["source"] = val
        elif sep and key in ("personas", "persona") and val:
            claim["personas"] = [p.strip() for p in val.split(",") if p.strip()]
        else:
            bad.append(token)
    if bad and len(bad) == len([t for t in match["tags"].split("|") if t.strip()]):
        hint = suggest(bad[0], list(EVIDENCE_LABELS))
        warnings.append(f"{where}: '[{match['tags']}]' is not a tag list, kept as part of the "
                        f"text" + (f" (did you mean [{hint}]?)" if hint else
                                   " (tags look like [reported | source: … | personas: …])"))
        return {"text": line}
    if bad:
        problems.append((where, f"unknown tag(s) {', '.join(map(repr, bad))} in {line!r}",
                         "tags are an evidence label (measured, reported, assumed), "
                         "'source: …' and 'personas: A, B', separated by |"))
    if not claim["text"]:
        problems.append((where, f"a claim has tags but no text: {line!r}",
                         "write the claim before the [tags]"))
        return None
    return claim
