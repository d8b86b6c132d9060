"""The kit's words, declared once: whom a number is about and how groups are labelled.

``docs/contracts.md`` (section *Vocabulary*) explains each choice; every module reads its
labels from here, so a report never calls one group by two names.

- **The persona selector** is the keyword ``persona=`` everywhere: a persona's name, or
  :data:`ALL` for every customer. Functions that compare several personas at once take
  ``personas=[…]`` (a list of names), never a single selector.
- **All customers** (:data:`ALL`) means every customer with at least one event in the
  (segment-filtered) data, whether or not a persona rule selects them or the customer
  table lists them.
- **No persona** (:data:`NO_PERSONA`): customers in the customer table whom no persona rule
  selects.
- **Not in the customer table** (:data:`NOT_IN_CUSTOMERS`): customers with events but no row
  in the customer table (so no attributes a rule could read).
- **The group without a persona** in a table or chart by persona is named for whom it holds
  (:func:`nobody_label`): :data:`NO_PERSONA`, :data:`NOT_IN_CUSTOMERS`, or both
  (:data:`NO_PERSONA_OR_NOT_IN`) — never "(no persona)" for customers the table does not list.
- **A share in a sentence** (:func:`share_text`): never 0% or 100% unless it is: a nonzero
  share that rounds to zero reads "<0.1%" ("<1%" without a decimal).
- **Customers in the customer table** (:data:`IN_CUSTOMERS_LABEL`): the denominator of what
  is computed from the customer table alone (persona sizes, attribute profiles, persona KPIs,
  typical events) — with or without events, never the customers missing from it. Not
  "all customers", which is about customers with events.
"""

from __future__ import annotations

__all__ = ["ALL", "ALL_LABEL", "ALL_TITLE", "NO_PERSONA", "NO_CUSTOMER", "NOT_IN_CUSTOMERS", "NO_PERSONA_OR_NOT_IN", "NOBODY",
           "IN_CUSTOMERS_LABEL", "IN_CUSTOMERS_TITLE", "PERSONA_SELECTOR", "focus_label", "nobody_label",
           "share_text", "counted", "with_article"]

#: The persona value that selects every customer (notebook parameter, result frames).
ALL = "all"

#: How reports name :data:`ALL` in a sentence.
ALL_LABEL = "all customers"

#: How charts and tables title :data:`ALL` (legends, rows beside the personas).
ALL_TITLE = "All customers"

#: Customers in the customer table whom no persona rule selects.
NO_PERSONA = "(no persona)"

#: Feedback that names no customer (a store review): about the product, in no persona (D244).
NO_CUSTOMER = "(no customer)"

#: Customers with events who are missing from the customer table.
NOT_IN_CUSTOMERS = "(not in customer table)"

#: The two together: one group without a persona holding both kinds of customer.
NO_PERSONA_OR_NOT_IN = "(no persona or not in customer table)"

#: Every name of the group without a persona (charts draw it in grey, last).
NOBODY = (NO_PERSONA, NOT_IN_CUSTOMERS, NO_PERSONA_OR_NOT_IN)

#: How reports name the customers of the customer table in a sentence (a denominator).
IN_CUSTOMERS_LABEL = "customers in the customer table"

#: How tables and charts title that group (the row beside the personas in persona KPIs).
IN_CUSTOMERS_TITLE = "All in the customer table"

#: The one keyword that selects a persona, in every function and notebook.
PERSONA_SELECTOR = "persona"


def focus_label(persona: str = ALL, segment: str = "", *, many: str = "customers") -> str:
    """How a report names its focus; ``many`` names what every journey is when it is not a
    customer's (``"accounts"`` with an actor column, ``"claims"`` per case; D262).

    Examples
    --------
    >>> focus_label()
    'all customers'
    >>> focus_label("Budget Ben", "region == 'north'")
    "Budget Ben in segment region == 'north'"
    >>> focus_label(many="accounts")
    'all accounts'
    """
    who = f"all {many}" if persona == ALL else persona
    return f"{who} in segment {segment}" if segment else who


def nobody_label(n_no_persona, n_not_in_customers) -> str:
    """The name of the group without a persona, for whom it holds: customers of the customer
    table no rule selects (``n_no_persona``), customers missing from it (``n_not_in_customers``),
    or both. Unknown counts (None) or none at all: :data:`NO_PERSONA`.

    Examples
    --------
    >>> nobody_label(12, 0), nobody_label(0, 60), nobody_label(12, 60)
    ('(no persona)', '(not in customer table)', '(no persona or not in customer table)')
    """
    none, missing = (int(n or 0) for n in (n_no_persona, n_not_in_customers))
    if missing and not none:
        return NOT_IN_CUSTOMERS
    return NO_PERSONA_OR_NOT_IN if missing else NO_PERSONA


def share_text(share: float, *, digits: int = 1) -> str:
    """A share (0..1) as a percentage with ``digits`` decimals, never rounded to a false 0% or
    100%: a nonzero share below half the last digit reads ``<0.1%`` (``<1%`` with no decimal),
    a share short of 1 that would round to 100% reads ``>99.9%`` (``>99%``).

    Examples
    --------
    >>> share_text(0.253), share_text(0.0004), share_text(0.0), share_text(0.9996)
    ('25.3%', '<0.1%', '0.0%', '>99.9%')
    >>> share_text(1 / 1200, digits=0), share_text(0.87, digits=0), share_text(1.0, digits=0)
    ('<1%', '87%', '100%')
    """
    step = 10.0 ** -digits
    text = f"{share * 100:.{digits}f}%"
    if 0 < share and text == f"{0:.{digits}f}%":
        return f"<{step:.{digits}f}%"
    if share < 1 and text == f"{100:.{digits}f}%":
        return f">{100 - step:.{digits}f}%"
    return text


def counted(n: int, noun: str, plural: str | None = None) -> str:
    """``n`` and its noun, singular for one: "1 stage", "3 stages", "1,500 customers" (D195).

    Parameters
    ----------
    n : int
        The count (thousands separated).
    noun : str
        The singular noun.
    plural : str, optional
        The plural where it is not ``noun + "s"`` ("1 opportunity", "2 opportunities").

    Examples
    --------
    >>> counted(1, "stage"), counted(3, "stage"), counted(1500, "customer"), counted(2, "entry", "entries")
    ('1 stage', '3 stages', '1,500 customers', '2 entries')
    """
    n = int(n)
    return f"{n:,} {noun if n == 1 else plural or noun + 's'}"


#: Words whose first letter is a vowel read with a consonant sound ("a user"), and words whose
#: first letter is a consonant read with a vowel sound ("an hour").
_CONSONANT_SOUND = ("eu", "ewe", "one", "once", "uni", "use", "usa", "usu", "uti", "ure", "uro", "ubiq", "uk")
_VOWEL_SOUND = ("hour", "honest", "honor", "honour", "heir")


def with_article(word: str) -> str:
    """``word`` after its indefinite article, chosen by how the word sounds (D256).

    Examples
    --------
    >>> with_article("account"), with_article("claim"), with_article("user"), with_article("hour")
    ('an account', 'a claim', 'a user', 'an hour')
    """
    low = str(word).strip().lower()
    vowel = low[:1] in ("a", "e", "i", "o", "u") and not low.startswith(_CONSONANT_SOUND)
    return f"{'an' if vowel or low.startswith(_VOWEL_SOUND) else 'a'} {word}"
