"""Journeys per case: a customer with several claims, orders or admissions has several journeys (D238).

The event log names each event's case in a column (``loading.yaml``: ``events: {case: claim_no}``).
:func:`per_case` then makes every table count journeys: an event's ``customer_id`` becomes the
journey key ``"<customer_id> · <case>"`` (one expression in the event log's own relational plan,
DuckDB or Spark alike), so the evidence, funnels, curves, waits, detours, abandonment and "still
open" count each (customer, case) once. The customer table gets one row per journey with its
customer's attributes (persona rules select customers; all of a customer's cases follow). Survey
answers, feedback, orders and tickets go to the case named in their own row when their file has
the case column, else to the case the customer was in at the time: the case whose first event is
the latest at or before the row; a row before any case goes to the customer's first case.
Events without a case value belong to no journey: they are left out and counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from jmtools.core.engine import to_pandas
from jmtools.core.errors import DataError, Problem
from jmtools.core.vocabulary import counted, with_article
from jmtools.sources._event_columns import answer_sentences, check_event_column

__all__ = ["CASE_SEP", "Cases", "case_option", "check_case_column", "per_case", "journeys_of", "keyed_by_case",
           "moved_per_case", "with_journey_keys"]

#: Between a customer's id and the case's in a journey key: ``"C0001 · K-17"``.
CASE_SEP = " · "


@dataclass
class Cases:
    """What :func:`per_case` did: journeys and customers counted, rows moved or left out.

    Attributes
    ----------
    column : str
        The event log's case column.
    name : str
        What one case is called (``"claim"``; default ``"case"``).
    n_journeys, n_customers : int
        Journeys (customer, case) with events, and the customers they belong to.
    no_case : int
        Events without a case value: left out (no journey holds them).
    shared_values, shared_journeys : int
        Case values held by more than one customer, and the journeys with those values (each
        customer's is a journey of its own).
    customers_without : int
        Customers of the customer table without any case: in no journey.
    answers : dict
        Per table moved to its cases (``surveys``, ``feedback``…): ``{"by_column": n, "by_time":
        n, "before_first": n, "no_case": n}``; rows of ``no_case`` (their customer has no case)
        are left out.
    journeys : pandas.DataFrame
        One row per journey: ``customer_id`` (the journey key), ``customer``, ``case``, ``first``
        (its first event's time).
    """

    column: str
    name: str = "case"
    n_journeys: int = 0
    n_customers: int = 0
    no_case: int = 0
    shared_values: int = 0
    shared_journeys: int = 0
    customers_without: int = 0
    answers: dict = field(default_factory=dict)
    journeys: pd.DataFrame | None = field(default=None, repr=False)

    @property
    def plural(self) -> str:
        """The case's name in the plural: ``"claims"``."""
        return self.name if self.name.endswith("s") else self.name + "s"

    @property
    def unit(self) -> str:
        """What the per-case figures count, as tables and notes say it: ``"journeys (claims)"``."""
        return f"journeys ({self.plural})"

    def customers_of(self, keys) -> int:
        """How many customers the journey keys ``keys`` belong to."""
        j = self.journeys
        return int(j.loc[j["customer_id"].isin(set(keys)), "customer"].nunique()) if j is not None else 0

    def customers_by(self, groups: pd.DataFrame, *, key: str = "customer_id", by: str = "persona") -> pd.Series:
        """How many customers are behind each group's journeys: ``groups`` names each journey's
        group (``customer_id`` → ``persona``); distinct customers per ``by`` value (D253).

        Examples
        --------
        >>> c = Cases("claim_no", journeys=pd.DataFrame({"customer_id": ["a · K1", "a · K2", "b · K3"],
        ...                                              "customer": ["a", "a", "b"]}))
        >>> c.customers_by(pd.DataFrame({"customer_id": ["a · K1", "a · K2", "b · K3"],
        ...                              "persona": ["P", "P", "Q"]})).to_dict()
        {'P': 1, 'Q': 1}
        """
        owner = self.journeys.set_index("customer_id")["customer"] if self.journeys is not None else pd.Series()
        mine = groups.assign(_customer=groups[key].map(owner))
        return mine.groupby(by, observed=True, sort=False)["_customer"].nunique()

    def people(self, assignment: pd.DataFrame) -> pd.DataFrame:
        """A per-journey assignment (``customer_id`` the journey key, ``persona``) as one row per
        customer, keyed by the customer's id: what the disclosure rule counts (D79, D253).

        Examples
        --------
        >>> c = Cases("claim_no", journeys=pd.DataFrame({"customer_id": ["a · K1", "a · K2"],
        ...                                              "customer": ["a", "a"]}))
        >>> c.people(pd.DataFrame({"customer_id": ["a · K1", "a · K2"], "persona": ["P", "P"]}))
          customer_id persona
        0           a       P
        """
        owner = self.journeys.set_index("customer_id")["customer"]
        out = assignment.assign(customer_id=assignment["customer_id"].astype(str).map(owner))
        return out.dropna(subset=["customer_id"]).drop_duplicates("customer_id").reset_index(drop=True)

    def left_out(self) -> dict:
        """Per table, the rows counting per case leaves out and why, for the data section's
        accounting (read = used + rejected + left out; D253): ``{"events": (77, "no claim_no: in no
        claim")}``; tables with none are not named.

        Examples
        --------
        >>> Cases("claim_no", "claim", no_case=77, customers_without=40,
        ...       answers={"surveys": {"no_case": 0}}).left_out()["events"]
        (77, 'no claim_no: in no claim')
        """
        out = {"events": (self.no_case, f"no {self.column}: in no {self.name}"),
               "customers": (self.customers_without, f"no {self.name}: in no journey")}
        out.update({kind: (n["no_case"], f"customer without a {self.name}") for kind, n in self.answers.items()})
        return {kind: (int(n), why) for kind, (n, why) in out.items() if n}

    def headline(self) -> str:
        """One line: ``"4,203 journeys (claims) of 3,073 customers"``."""
        return f"{self.n_journeys:,} {self.unit} of {counted(self.n_customers, 'customer')}"

    def note(self) -> str:
        """What the report says about counting per case (every count that changed anything)."""
        out = [f"Each {self.name} is one journey (loading.yaml, events, case: {self.column}): {self.headline()}. "
               f"The figures below count {self.plural} and say so; personas select "
               f"customers, and all of a customer's {self.plural} follow."]
        if self.no_case:
            out.append(f"{counted(self.no_case, 'event')} without {with_article(self.column)} belong to no {self.name} "
                       "and are left out.")
        if self.shared_values:
            out.append(f"{counted(self.shared_values, self.name + ' value')} "
                       f"{'is' if self.shared_values == 1 else 'are'} held by more than one "
                       f"customer ({counted(self.shared_journeys, 'journey')}): each customer's is "
                       f"{with_article(self.name)} of its own.")
        name = self.name
        out.extend(answer_sentences(self.answers, [
            ("by_column", lambda n: f"{n['by_column']:,} to the {name} their row names"),
            ("by_time", lambda n: f"{n['by_time']:,} to the {name} the customer was in at the time" + (
                f" ({n['before_first']:,} from before any {name} to the first)" if n["before_first"] else "")),
            ("no_case", lambda n: f"{n['no_case']:,} of customers without {with_article(name)} are left out")]))
        if self.customers_without:
            out.append(f"{counted(self.customers_without, 'customer')} of the customer table "
                       f"{'has' if self.customers_without == 1 else 'have'} no {self.name}: in no journey.")
        return " ".join(out)


def check_case_column(loaded, column, path=None) -> None:
    """Raise a located :class:`~jmtools.core.errors.DataError` when ``column`` (the ``case``
    option) is no column of the loaded event log; nothing when ``column`` is None
    (:func:`jmtools.sources._event_columns.check_event_column`).

    Examples
    --------
    >>> from jmtools.sources import load_world
    >>> try:
    ...     check_case_column(load_world("sample:b2b").surveys, "claim_no")
    ... except Exception as err:
    ...     print(err.fix)
    give `case:` under `events:`; answers follow their events' cases
    """
    check_event_column(loaded, "case", column, path)


def per_case(tables: dict, events, column: str, *, name: str = "case"):
    """Every table counted per case: ``events`` (Ibis) keyed by journey, the pandas ``tables``
    (customers, surveys, feedback, orders, tickets) moved to their journeys.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        The non-event tables, keyed by kind; not changed.
    events : ibis.Table
        The event log, with ``column``.
    column : str
        The case column.
    name : str, default "case"
        What one case is called, singular.

    Returns
    -------
    (dict, ibis.Table, Cases)
        The tables and events per journey (``customer_id`` is the journey key) and what was done.

    Examples
    --------
    >>> import ibis
    >>> ev = ibis.memtable(pd.DataFrame({"customer_id": ["a", "a", "a", "b"], "event": ["x", "y", "x", "x"],
    ...     "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-02-01", "2024-01-05"]),
    ...     "claim_no": ["K1", "K1", "K2", None]}))
    >>> sv = pd.DataFrame({"customer_id": ["a", "a"], "timestamp": pd.to_datetime(["2024-01-03", "2024-02-02"]),
    ...                    "metric": ["csat", "csat"], "score": [4.0, 2.0]})
    >>> tables, ev2, cases = per_case({"surveys": sv}, ev, "claim_no", name="claim")
    >>> cases.headline(), cases.no_case
    ('2 journeys (claims) of 1 customer', 1)
    >>> tables["surveys"]["customer_id"].tolist()
    ['a · K1', 'a · K2']
    """
    journeys, no_case = journeys_of(events, column)
    out, cases = moved_per_case(tables, journeys, no_case, column, name=name)
    return out, keyed_by_case(events, column), cases


def _with_case(events, column):
    """The events with ``_case`` (the case value, trimmed) and whether they have one."""
    t = events.mutate(_case=events[column].cast("string").strip())
    return t, t._case.notnull() & (t._case != "")


def journeys_of(events, column: str) -> tuple[pd.DataFrame, int]:
    """One row per journey (``customer_id`` the journey key, ``customer``, ``case``, ``first``) and
    the events without a case value — the one read of the event log counting per case needs (a
    cache keeps both, :mod:`jmtools.pipeline._cases_cache`; D253). An all-empty column is a
    :class:`~jmtools.core.errors.DataError`.

    Examples
    --------
    >>> import ibis
    >>> ev = ibis.memtable(pd.DataFrame({"customer_id": ["a", "a", "b"], "event": ["x", "y", "x"],
    ...     "timestamp": pd.to_datetime(["2024-01-02", "2024-01-01", "2024-01-05"]),
    ...     "claim_no": ["K1", "K1", " "]}))
    >>> journeys, no_case = journeys_of(ev, "claim_no")
    >>> journeys[["customer_id", "first"]].values.tolist(), no_case
    ([['a · K1', Timestamp('2024-01-01 00:00:00')]], 1)
    """
    t, has = _with_case(events, column)
    no_case = int(to_pandas(t.filter(~has).count()))
    t = t.filter(has)
    if no_case and not int(to_pandas(t.count())):
        raise DataError([Problem(f"no event has {with_article(column)}: the case column is empty in all {no_case:,} events",
                                 fix=f"name the column that holds each event's case in `case:`, or remove "
                                     "`case:` from loading.yaml to count each customer as one journey",
                                 column=column, path="case")])
    journeys = to_pandas(t.group_by(["customer_id", "_case"]).aggregate(first=t.timestamp.min()))
    journeys = journeys.rename(columns={"customer_id": "customer", "_case": "case"})
    journeys["customer"] = journeys["customer"].astype(str)
    journeys.insert(0, "customer_id", journeys["customer"] + CASE_SEP + journeys["case"].astype(str))
    return journeys.sort_values(["customer", "first", "case"], ignore_index=True), no_case


def keyed_by_case(events, column: str):
    """The events with a case value, ``customer_id`` the journey key ``"<customer> · <case>"``:
    one expression in the event log's own plan (nothing is read here).

    Examples
    --------
    >>> import ibis
    >>> ev = ibis.memtable(pd.DataFrame({"customer_id": ["a", "b"], "claim_no": ["K1", ""]}))
    >>> keyed_by_case(ev, "claim_no").to_pandas()["customer_id"].tolist()
    ['a · K1']
    """
    t, has = _with_case(events, column)
    t = t.filter(has)
    return t.mutate(customer_id=t.customer_id.cast("string") + CASE_SEP + t._case).drop("_case")


def moved_per_case(tables: dict, journeys: pd.DataFrame, no_case: int, column: str, *,
                   name: str = "case") -> tuple[dict, Cases]:
    """The pandas ``tables`` moved to their journeys (:func:`journeys_of`'s ``journeys``) and what
    was counted; reads no event.

    Examples
    --------
    >>> j = pd.DataFrame({"customer_id": ["a · K1"], "customer": ["a"], "case": ["K1"],
    ...                   "first": pd.to_datetime(["2024-01-01"])})
    >>> out, cases = moved_per_case({"customers": pd.DataFrame({"customer_id": ["a", "z"]})}, j, 0, "claim_no")
    >>> out["customers"]["customer_id"].tolist(), cases.customers_without
    (['a · K1'], 1)
    """
    holders = journeys.groupby("case")["customer"].nunique()
    shared = holders[holders > 1].index
    cases = Cases(column, name, n_journeys=len(journeys), n_customers=journeys["customer"].nunique(),
                  no_case=no_case, shared_values=len(shared),
                  shared_journeys=int(journeys["case"].isin(shared).sum()), journeys=journeys)
    return {kind: _moved(kind, frame, journeys, column, cases) for kind, frame in tables.items()}, cases


def _moved(kind: str, frame: pd.DataFrame, journeys: pd.DataFrame, column: str, cases: Cases) -> pd.DataFrame:
    """``frame`` per journey: the customer table one row per journey, a dated table moved to its cases."""
    if "customer_id" not in frame.columns:
        return frame
    if kind == "customers":
        ids = frame["customer_id"].astype(str)
        cases.customers_without = int((~ids.isin(set(journeys["customer"]))).sum())
        pairs = journeys[["customer_id", "customer"]]
        out = pairs.merge(frame.assign(_customer=ids).drop(columns="customer_id"),
                          left_on="customer", right_on="_customer").drop(columns=["customer", "_customer"])
        out.attrs = dict(frame.attrs)
        return out
    if "timestamp" not in frame.columns:
        return frame
    keys, counts = _answer_keys(frame, journeys, column)
    cases.answers[kind] = counts
    out = frame.assign(customer_id=keys)[pd.notna(keys)].reset_index(drop=True)
    out.attrs = dict(frame.attrs)
    return out


def _answer_keys(frame: pd.DataFrame, journeys: pd.DataFrame, column: str):
    """The journey key of each row of a dated table (NaN: its customer has no case) and the counts."""
    customer = frame["customer_id"].astype(str).reset_index(drop=True)
    keys = pd.Series(pd.NA, index=customer.index, dtype=object)
    named = pd.Series(False, index=customer.index)
    if column in frame.columns:
        own = frame[column].astype("string").str.strip().reset_index(drop=True)
        named = own.notna() & (own != "")
        keys[named] = customer[named] + CASE_SEP + own[named].astype(str)
    rest = ~named
    left = pd.DataFrame({"_i": customer.index[rest], "customer": customer[rest],
                         "t": pd.to_datetime(frame["timestamp"]).reset_index(drop=True)[rest]
                         .astype("datetime64[ns]")}).sort_values("t")
    right = journeys[["customer", "first", "customer_id"]].assign(
        first=lambda j: pd.to_datetime(j["first"]).astype("datetime64[ns]")).sort_values("first")
    joined = pd.merge_asof(left, right, left_on="t", right_on="first", by="customer", direction="backward")
    before = joined["customer_id"].isna()
    first_case = journeys.drop_duplicates("customer").set_index("customer")["customer_id"]
    joined.loc[before, "customer_id"] = joined.loc[before, "customer"].map(first_case)
    keys[joined["_i"].to_numpy()] = joined["customer_id"].to_numpy()
    before_first = int((before & joined["customer_id"].notna()).sum())
    no_case = int(keys.isna().sum())
    return keys.to_numpy(), {"by_column": int(named.sum()), "by_time": int(rest.sum()) - no_case,
                             "before_first": before_first, "no_case": no_case}


def case_option(world) -> tuple[str, str] | None:
    """``(column, name)`` of the world's case column (``loading.yaml``: ``events: {case: …,
    case_name: …}``), or None when its events are counted per customer.

    Examples
    --------
    >>> from jmtools.sources import load_world
    >>> case_option(load_world("sample:b2b")) is None
    True
    """
    events = getattr(world, "tables", {}).get("events")
    options = getattr(events, "options", None) or {}
    if not options.get("case"):
        return None
    return str(options["case"]), str(options.get("case_name") or "case")


def with_journey_keys(frame: pd.DataFrame, cases: Cases) -> pd.DataFrame:
    """A frame keyed by customer (``customer_id``: a given persona assignment) with one row per
    journey of each customer, keyed by journey.

    Examples
    --------
    >>> c = Cases("claim_no", journeys=pd.DataFrame({"customer_id": ["a · K1", "a · K2"],
    ...                                              "customer": ["a", "a"]}))
    >>> with_journey_keys(pd.DataFrame({"customer_id": ["a"], "persona": ["P"]}), c)
      customer_id persona
    0      a · K1       P
    1      a · K2       P
    """
    pairs = cases.journeys[["customer_id", "customer"]]
    own = frame.assign(_customer=frame["customer_id"].astype(str)).drop(columns="customer_id")
    return pairs.merge(own, left_on="customer", right_on="_customer").drop(columns=["customer", "_customer"])
