"""Do two tables use the same customer ids? Counted once, with the way they differ (D145).

An event log keyed ``123`` beside a customer table keyed ``C-000123`` meets no customer: every
persona is empty, and nothing failed. :func:`id_overlap` counts how many customers with events
the customer table holds and, when few, tries the usual ways two exports write one id
differently — upper or lower case, leading zeros, a prefix — and says which one fits, with
example pairs and the fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from jmtools.core.vocabulary import NOT_IN_CUSTOMERS

__all__ = ["FEW_MEET", "IdOverlap", "id_overlap"]

#: Below this share of customers met, the two tables seem to use different ids; above it the
#: others are customers the customer table does not list (prospects who never signed up).
FEW_MEET = 0.5

#: Ways one id is written differently in two exports, tried in order: name → key.
_SHAPES = {
    "upper or lower case": str.casefold,
    "leading zeros": lambda v: v.lstrip("0") or "0",
    "upper or lower case and leading zeros": lambda v: v.casefold().lstrip("0") or "0",
    "a prefix or leading zeros around the same number": lambda v: (
        (re.sub(r"\D", "", v).lstrip("0") or "0") if re.search(r"\d", v) else v),
}


@dataclass(frozen=True)
class IdOverlap:
    """How many customers with events the customer table holds, and why the others may be missing.

    ``shape`` names the way the ids differ when the same ids written another way would meet
    (``"leading zeros"``…), else ``""``; ``pairs`` gives up to two (event id, customer id)
    examples of it. ``of`` names the table counted ("events", "feedback", "survey answers",
    "tickets").
    """

    n: int
    matched: int
    shape: str = ""
    pairs: tuple = field(default_factory=tuple)
    of: str = "events"

    @property
    def share(self) -> float:
        """The share of customers with events that are in the customer table (1 when none)."""
        return self.matched / self.n if self.n else 1.0

    @property
    def few(self) -> bool:
        """True when fewer than :data:`FEW_MEET` of the customers are in the customer table."""
        return self.share < FEW_MEET

    def sentence(self, *, quote: bool = True) -> str:
        """``k of N customers with events are in the customer table`` and, when the ids differ
        in a known way, how — with the example pairs when ``quote`` (never in a report). When
        few meet in no known way, the tables seem to use different ids; when most meet, the
        others are customers the customer table does not list.

        Examples
        --------
        >>> IdOverlap(3000, 2375).sentence()
        '2,375 of 3,000 customers with events are in the customer table; the other 625 are not in it (customers it does not list, such as prospects)'
        >>> IdOverlap(597, 0, of="feedback").sentence()
        '0 of 597 customers with feedback are in the customer table; the two tables seem to use different customer ids'
        """
        text = f"{self.matched:,} of {self.n:,} customers with {self.of} are in the customer table"
        if self.shape:
            text += f": the ids seem to be the same, written with {self.shape}"
            if quote and self.pairs:
                text += " (" + ", ".join(f"{a!r} in the {self.of}, {b!r} in the customer table"
                                         for a, b in self.pairs) + ")"
        elif self.few:
            text += "; the two tables seem to use different customer ids"
        elif self.matched < self.n:
            text += (f"; the other {self.n - self.matched:,} are not in it (customers it does not "
                     "list, such as prospects)")
        return text

    @property
    def fix(self) -> str:
        """What to do about the missing customers."""
        if self.shape:
            return ("export both tables with the ids written the same way (the same prefix and "
                    "zeros), or convert one of them before loading")
        if self.few:
            return f"export the customer table with the ids of the {self.of}"
        return (f"nothing, if they are people the customer table does not list (a report counts "
                f"them as '{NOT_IN_CUSTOMERS.strip('()')}'); else export the customer table with them")


def id_overlap(event_ids, customer_ids, *, sample: int = 2000, of: str = "events") -> IdOverlap:
    """Count the customers with events (or feedback, survey answers, tickets) that are in the
    customer table.

    Parameters
    ----------
    event_ids, customer_ids : iterable
        The distinct customer ids of the event log (or another table keyed by customer) and of
        the customer table.
    sample : int, default 2000
        How many missing ids are tried for a way of writing that would meet.
    of : str, default "events"
        What the first table holds, as the sentence says it: "customers with {of}".

    Returns
    -------
    IdOverlap

    Examples
    --------
    >>> got = id_overlap(["123", "124", "7"], ["C-000123", "C-000124", "C-000007"])
    >>> got.matched, got.n, got.shape
    (0, 3, 'a prefix or leading zeros around the same number')
    >>> got.pairs
    (('123', 'C-000123'), ('124', 'C-000124'))
    >>> id_overlap(["a1", "a2"], ["a1", "a2", "a3"]).sentence()
    '2 of 2 customers with events are in the customer table'
    """
    events = {str(v) for v in event_ids if v is not None and v == v}
    known = {str(v) for v in customer_ids if v is not None and v == v}
    missing = sorted(events - known)
    matched = len(events) - len(missing)
    if not missing or not known:
        return IdOverlap(len(events), matched, of=of)
    tried = missing[:sample]
    for shape, key in _SHAPES.items():
        keyed = {}
        for k in known:
            keyed.setdefault(key(k), k)
        hits = [(v, keyed[key(v)]) for v in tried if key(v) in keyed]
        if len(hits) >= 0.5 * len(tried):
            return IdOverlap(len(events), matched, shape, tuple(hits[:2]), of)
    return IdOverlap(len(events), matched, of=of)
