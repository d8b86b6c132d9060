"""Customer attributes no profile lists by value: identifiers and personal dates (D213).

A persona profile lists each category of an attribute with its share. An attribute that is an
identifier (an NHS number, an email, a name) or a person's date (a date of birth) has as many
"categories" as customers: its most frequent ones are single customers' values, and listing them
publishes them. :func:`left_out_attributes` names such attributes with the reason; the profile
(:func:`~jmtools.personas.attribute_profile`), the clustering's features
(:func:`~jmtools.personas.behaviour_features`) and the rules it proposes leave them out by the
same rule, and :func:`left_out_note` says which were left out and why.
"""

from __future__ import annotations

import re

from jmtools.core.expressions import schema_of

__all__ = ["left_out_attributes", "left_out_note", "BIRTH_NAMES"]

#: Column names that say a date is a birth date (English, German, French, Spanish, Dutch),
#: matched as a word or part of a name (``date_of_birth``, ``DOB``, ``Geburtsdatum``).
BIRTH_NAMES = re.compile(r"(birth|\bdob\b|(^|_)dob($|_)|geburt|naissance|nacimiento|geboorte)", re.I)

#: A value written as a date (27/10/1952, 1952-10-27, 27.10.1952, 27-Oct-1952), a time may follow.
_DATE_TEXT = re.compile(r"^\s*(\d{1,4}[-/.]\d{1,2}[-/.]\d{1,4}|\d{1,2}[-/ .][A-Za-z]{3,9}[-/ .]\d{2,4})"
                        r"([ T]\d{1,2}:\d{2}.*)?\s*$")


def left_out_attributes(customers, *, customer_col: str = "customer_id", attributes=None,
                        max_levels: int = 8) -> dict[str, str]:
    """The customer attributes that are identifiers or personal dates, each with the reason.

    - **An identifier** (or free text): a text attribute whose ``max_levels`` most frequent
      values hold less than half the customers with a value, or with more than ``max_levels``
      distinct values that are distinct for half the customers or more (an NHS number, an email).
    - **Personal dates**: a date attribute (a time column, or text whose values are written as
      dates) named as a birth date (:data:`BIRTH_NAMES`).
    - **Dates**: any other time column (a profile lists categories and numbers), and text
      written as dates whose values are as spread as an identifier's (a sign-up day).

    Numbers and true/false attributes are never left out: a profile shows their means and shares.

    Parameters
    ----------
    customers : pandas.DataFrame
        One row per customer.
    attributes : list of str, optional
        The attributes to look at (default all but ``customer_col`` and ``cluster``).
    max_levels : int, default 8
        How many levels a profile lists per attribute.

    Returns
    -------
    dict
        Attribute → the reason it is left out, in column order.

    Examples
    --------
    >>> import pandas as pd
    >>> c = pd.DataFrame({"customer_id": [f"c{i}" for i in range(12)],
    ...                   "nhs_number": [f"400 000 {i:04d}" for i in range(12)],
    ...                   "dob": ["27/10/1952"] * 2 + ["12/03/1961"] * 10,
    ...                   "region": ["north", "south"] * 6, "age": range(30, 42)})
    >>> left_out_attributes(c)
    {'nhs_number': 'an identifier (12 distinct values of 12)', 'dob': 'personal dates'}
    """
    cols = [c for c in (customers.columns if attributes is None else attributes)
            if c != customer_col and c != "cluster"]
    kinds = schema_of(customers[cols]) if cols else {}
    out = {}
    for col in cols:
        kind = kinds.get(col)
        if kind not in ("text", "time"):
            continue
        values = customers[col].dropna()
        if kind == "text":
            values = values.astype(str).str.strip()
            values = values[values != ""]
        counts = values.value_counts()
        n, distinct = int(len(values)), int(len(counts))
        many = n > 0 and (counts.iloc[:max_levels].sum() < 0.5 * n
                          or (distinct > max_levels and distinct >= 0.5 * n))
        dated = kind == "time" or (n > 0 and values.astype(str).str.match(_DATE_TEXT).mean() >= 0.9)
        if dated and BIRTH_NAMES.search(str(col)):
            out[col] = "personal dates"
        elif dated and (many or kind == "time"):     # a profile lists no date; spread ones are personal
            out[col] = f"dates ({distinct:,} distinct values of {n:,})"
        elif many:
            out[col] = (f"an identifier ({distinct:,} distinct values of {n:,})" if distinct >= 0.9 * n
                        else f"an identifier or free text ({distinct:,} distinct values of {n:,})")
    return out


def left_out_note(left_out: dict[str, str]) -> str:
    """One sentence naming the attributes :func:`left_out_attributes` found, with what to do; ""
    when none.

    Examples
    --------
    >>> left_out_note({"nhs_number": "an identifier (2,998 distinct values of 3,000)",
    ...                "date_of_birth": "personal dates"})
    'nhs_number: an identifier (2,998 distinct values of 3,000) — left out; date_of_birth: personal dates — left out; to profile an age, add an age band column'
    >>> left_out_note({})
    ''
    """
    if not left_out:
        return ""
    said = "; ".join(f"{col}: {why} — left out" for col, why in left_out.items())
    if any(why == "personal dates" and BIRTH_NAMES.search(str(col)) for col, why in left_out.items()):
        said += "; to profile an age, add an age band column"
    elif any("date" in why for why in left_out.values()):
        said += "; to profile a date, add a band column (its year or month)"
    return said
