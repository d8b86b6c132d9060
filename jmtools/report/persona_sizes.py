"""The persona sizes table of the report's *Who* section: each persona's customers (or journeys,
per case) and share, a persona of 1–4 customers and what would give it away hidden (D79); per case
the customers behind the journeys beside them, hidden by the same rule (D253)."""

from __future__ import annotations

import pandas as pd

from jmtools.analyses.disclosure import MIN_GROUP
from jmtools.core.vocabulary import NOT_IN_CUSTOMERS
from jmtools.pipeline import Findings, disclosed_shares
from jmtools.report import _section_kit as kit
from jmtools.report.present import html_table, md, number

__all__ = ["with_people", "sizes_table"]


def with_people(f: Findings, sizes: pd.DataFrame) -> pd.DataFrame:
    """Per case (D253), the persona sizes with ``n_people``: the customers behind each row's journeys
    (journeys of customers missing from the customer table in its row); as given without a case column.

    Parameters
    ----------
    f : Findings
        The run's findings; ``f.cases`` is None unless the world counts journeys per case.
    sizes : pandas.DataFrame
        Persona sizes with ``persona`` and ``n_customers``.

    Returns
    -------
    pandas.DataFrame
        ``sizes``, with ``n_people`` added per case.
    """
    if f.cases is None:
        return sizes
    groups = f.cases.journeys[["customer_id"]].merge(f.assignment[["customer_id", "persona"]], how="left")
    groups["persona"] = groups["persona"].astype(object).where(groups["persona"].notna(), NOT_IN_CUSTOMERS)
    people = f.cases.customers_by(groups.astype({"persona": str}))
    return sizes.assign(n_people=sizes["persona"].astype(str).map(people).fillna(0).astype("int64"))


def sizes_table(sizes: pd.DataFrame, *, min_group: int = MIN_GROUP, unit: str = "customers") -> None:
    """Persona sizes with a persona of 1 to ``min_group − 1`` customers hidden, and the
    smallest others until the total (printed above) no longer gives a hidden one away: *(no
    persona)* first (the coverage sentence then hides it too), the choice every persona's own
    report makes (:func:`~jmtools.pipeline.size_protectors`). Per case (``n_people``, D253) the
    customers behind the journeys beside them, the rule read on the customers: both hidden together.

    Parameters
    ----------
    sizes : pandas.DataFrame
        ``persona``, ``n_customers``, ``share`` and, per case, ``n_people``.
    min_group : int
        The smallest group shown.
    unit : str
        The heading of the counted column ("customers", "journeys (claims)").

    Examples
    --------
    >>> import pandas as pd
    >>> sizes = pd.DataFrame({"persona": ["A", "B", "C"], "n_customers": [40, 30, 3]})
    >>> sizes_table(sizes.assign(share=sizes["n_customers"] / 73))  # doctest: +ELLIPSIS
    <IPython.core.display.HTML object>
    <IPython.core.display.Markdown object>
    """
    people = "n_people" if "n_people" in sizes else None
    shown = disclosed_shares(sizes, "n_customers", numbers=("share",), min_group=min_group, people_col=people)
    count = lambda v: "hidden" if v != v else f"{int(v):,}"  # noqa: E731
    columns = {"persona": "persona", "n_customers": unit, **({people: "customers"} if people else {}),
               "share": "share"}
    kit.display(html_table(shown, columns=columns,
                           formats={"share": lambda v: "hidden" if v != v else number(v, unit="%"),
                                    "n_customers": count, **({people: count} if people else {})}))
    if shown["suppressed"].any():
        small = len(shown.attrs["few_rows"])
        more = int(shown["suppressed"].sum()) - small
        kit.display(md("Personas with fewer than {m} customers ({k}) are shown without their size{more}.",
                       m=min_group, k=small,
                       more="" if not more else f", and {more} more so that the total does not reveal them"))
