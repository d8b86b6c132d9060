"""Actors of a journey: the users who act for the account whose journey it is (D256).

A B2B event log is written per user, while the journey belongs to the account
(``loading.yaml``: ``events: {columns: {customer_id: account_id}, actor: user_id}``). The journey
key stays the account (``customer_id``), so funnels, waits and stages count accounts; the event
log keeps each row's actor in the column :data:`ACTOR`, which loops, detours and the note on rows
exported twice read: a step repeated by another user of the account is that user's first, not a
loop and not a copy; the same user repeating it still is. An event without an actor (a system
e-mail) is the account's own: its actor is the empty text, counted in the load's notes.

Answers (surveys, feedback, tickets, orders) whose file names users, not accounts, go to the
account the user acted for: the account of the user's last event at or before the answer (the
first account when the answer came before any event); a user of no account is left out, counted.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from jmtools.core.engine import to_pandas
from jmtools.core.errors import DataError, Problem
from jmtools.core.expressions import RuleError
from jmtools.core.vocabulary import counted, with_article
from jmtools.sources._event_columns import ACTOR, answer_sentences, check_event_column
from jmtools.sources._event_columns import INTERNAL as _INTERNAL

__all__ = ["ACTOR", "Actors", "actor_option", "check_actor_column", "with_actors", "per_account", "users_only", "world_tables",
           "suggest_actor"]



def _noun(column: str, default: str) -> str:
    """What one value of ``column`` is called: ``"account"`` for ``account_id``."""
    word = str(column or "").strip().lower().replace("-", "_").replace(" ", "_")
    for tail in ("_id", "_key", "_no", "id"):
        if word.endswith(tail) and len(word) > len(tail):
            word = word[: -len(tail)].rstrip("_")
            break
    return word.replace("_", " ") if word.replace("_", "").isalpha() else default


@dataclass
class Actors:
    """What :func:`per_account` found: the accounts, the users acting for them, answers moved.

    Attributes
    ----------
    column : str
        The event log's actor column (``user_id``).
    name, journey_name : str
        What one actor and one journey are called (``"user"``, ``"account"``).
    n_journeys, n_actors : int
        Journeys (accounts) with events and the distinct actors of their events.
    no_actor : int
        Events without an actor: the account's own (a system e-mail).
    in_several : int
        Actors seen acting for more than one account.
    answers : dict
        Per table keyed by actors (``surveys``…): ``{"moved": n, "by_time": n, "before_first": n,
        "no_journey": n}``: rows moved to an account, those of actors of several accounts (decided
        by time), those before the actor's first event, and those of actors of no account (left out).
    """

    column: str
    name: str = "user"
    journey_name: str = "customer"
    n_journeys: int = 0
    n_actors: int = 0
    no_actor: int = 0
    in_several: int = 0
    answers: dict = field(default_factory=dict)

    @property
    def journeys(self) -> str:
        """What the journeys are called in the plural: ``"accounts"``."""
        return self.journey_name if self.journey_name.endswith("s") else self.journey_name + "s"

    def headline(self) -> str:
        """``"900 accounts; their 4,342 users are counted as actors of their account's journey"``."""
        their = "its" if self.n_journeys == 1 else "their"
        verb = "is" if self.n_actors == 1 else "are"
        return (f"{counted(self.n_journeys, self.journey_name)}; {their} {counted(self.n_actors, self.name)} "
                f"{verb} counted as actors of their {self.journey_name}'s journey")

    def note(self) -> str:
        """What the report says about the actors: the headline, then what changed anything."""
        out = [f"{self.headline()} (loading.yaml, events, actor: {self.column}). A step another {self.name} "
               f"of the same {self.journey_name} repeats is no loop and no row exported twice; the same "
               f"{self.name} repeating it is."]
        if self.no_actor:
            out.append(f"{counted(self.no_actor, 'event')} without a {self.column} are the "
                       f"{self.journey_name}'s own (no {self.name} acts in them).")
        if self.in_several:
            out.append(f"{counted(self.in_several, self.name)} acted for more than one {self.journey_name}.")
        name, journey = self.name, self.journey_name
        return " ".join(out + answer_sentences(self.answers, [
            ("moved", lambda n: f"{n['moved']:,} rows keyed by {name} go to the {journey} the {name} acted for"),
            ("by_time", lambda n: f"{n['by_time']:,} by {name}s of several {journey}s go to the one they acted "
                                  "for last at or before the answer"),
            ("before_first", lambda n: f"{n['before_first']:,} from before the {name}'s first event to their "
                                       f"first {journey}"),
            ("no_journey", lambda n: f"{n['no_journey']:,} by {name}s who act for no {journey} are left out "
                                     f"(no {journey}'s journey holds them)")]))


def check_actor_column(loaded, column, path=None) -> None:
    """Raise a located :class:`~jmtools.core.errors.DataError` when ``column`` (the ``actor``
    option) is no column of the loaded event log; nothing when ``column`` is None
    (:func:`jmtools.sources._event_columns.check_event_column`).

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.sources import load_events
    >>> ev = load_events(pd.DataFrame({"customer_id": ["A1"], "timestamp": ["2024-01-01"],
    ...                                "event": ["invite"], "user_id": ["u1"]}))
    >>> check_actor_column(ev, "user_id")
    >>> try:
    ...     check_actor_column(ev, "userid")
    ... except Exception as err:
    ...     print(err.problems[0].fix)
    did you mean 'user_id'? name the event log's column that holds who acted (a user of the account)
    """
    check_event_column(loaded, "actor", column, path)


#: Why ``actor`` and ``case`` are not taken together (D256): what a user answers would go to the
#: case their account was in at the time, not the one the user acted in, and the case's words
#: count the accounts as customers.
_WITH_CASE = ("a journey per (account, case) with users as its actors is not counted yet (a user's answers would "
              "go to the case their account was in at the time, not the one the user acted in, and the "
              "case's sentences would call the accounts customers): actor {actor!r} with case {case!r}")
_WITH_CASE_FIX = ("keep one: `actor:` (one journey per account, its users' steps no loops) or `case:` (one "
                  "journey per case, each user's repeat a loop)")


def with_actors(loaded, how: dict, path=None) -> None:
    """Give the loaded event log the column :data:`ACTOR` (the option ``how["actor"]`` as trimmed
    text, ``""`` where empty; checked by :func:`check_actor_column`) and count its events without
    an actor in the load's notes; nothing without the option.

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.sources import load_events
    >>> ev = load_events(pd.DataFrame({"customer_id": ["A1", "A1"], "timestamp": ["2024-01-01", "2024-01-02"],
    ...                                "event": ["invite", "mail"], "user_id": ["u1", None]}))
    >>> with_actors(ev, {"actor": "user_id"})
    >>> ev.accounting.notes[-1]
    "1 event has no user_id: the customer's own (it counts in the journey, in no user's loops)"
    """
    column = how.get("actor")
    check_actor_column(loaded, column, path)
    if column is None:
        return
    if how.get("case"):
        raise DataError([Problem(_WITH_CASE.format(actor=column, case=how["case"]), fix=_WITH_CASE_FIX,
                                 source=getattr(path, "name", None) or loaded.source, column=str(column),
                                 path="actor")])
    loaded.options = how
    t = loaded.table
    value = t[column].cast("string").strip()
    t = t.mutate(**{ACTOR: value.fill_null("")})
    loaded.table = t
    empty = int(to_pandas(t.filter(t[ACTOR] == "").count()))
    if empty == len(loaded) and empty:
        raise DataError([Problem(f"no event has a {column}: the actor column is empty in all {empty:,} events",
                                 fix=f"name the column that holds who acted in `actor:`, or remove `actor:` "
                                     "from loading.yaml", column=str(column), path="actor")])
    if empty:
        how = loaded.options or {}
        journey, name = _noun(_source_of(how), "customer"), how.get("actor_name") or _noun(column, "actor")
        loaded.accounting.notes.append(
            f"{counted(empty, 'event')} {'has' if empty == 1 else 'have'} no {column}: the {journey}'s own "
            f"(it counts in the journey, in no {name}'s loops)")


def _source_of(options: dict) -> str:
    """The file's column read as ``customer_id`` (``account_id``), or ``""``."""
    columns = options.get("columns") or {}
    return str(columns.get("customer_id") or "") if isinstance(columns, dict) else ""


def actor_option(world) -> tuple[str, str, str] | None:
    """``(column, actor name, journey name)`` of the world's actor column (``loading.yaml``:
    ``events: {actor: user_id}``), or None when each customer acts alone; ``world`` may be
    the loaded event log itself.

    The names come from the columns (``user_id`` → "user", ``account_id`` → "account") unless
    ``actor_name`` says otherwise.

    Examples
    --------
    >>> from jmtools.sources import load_world
    >>> actor_option(load_world("sample:b2b")) is None
    True
    """
    events = world if getattr(world, "kind", None) == "events" else getattr(world, "tables", {}).get("events")
    options = getattr(events, "options", None) or {}
    if not options.get("actor"):
        return None
    column = str(options["actor"])
    return column, str(options.get("actor_name") or _noun(column, "actor")), _noun(_source_of(options), "customer")


def per_account(tables: dict, events, column: str, *, name: str = "user", journey_name: str = "customer"):
    """The pandas ``tables`` with the rows of answers keyed by actors moved to their accounts.

    A table is keyed by actors when more of its ids are actors of the event log than journeys
    (accounts of the events or the customer table); each of its rows goes to the account its
    actor acted for last at or before it (the first account before any event); a row whose actor
    acts for no account is left out, counted. Other tables are unchanged.

    Parameters
    ----------
    tables : dict of str to pandas.DataFrame
        The non-event tables, keyed by kind; not changed.
    events : ibis.Table
        The event log, with :data:`ACTOR`.
    column : str
        The actor column's name in the file (said in notes).
    name, journey_name : str
        What one actor and one journey are called.

    Returns
    -------
    (dict, Actors)

    Examples
    --------
    >>> import ibis
    >>> ev = ibis.memtable(pd.DataFrame({"customer_id": ["A", "A", "B", "A"], "_actor": ["u1", "u2", "u1", ""],
    ...     "timestamp": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-03-01", "2024-01-05"])}))
    >>> sv = pd.DataFrame({"customer_id": ["u1", "u1", "u2", "u9"], "metric": "nps", "score": [9.0, 3, 7, 5],
    ...                    "timestamp": pd.to_datetime(["2024-02-01", "2024-04-01", "2024-01-03", "2024-01-03"])})
    >>> tables, actors = per_account({"surveys": sv}, ev, "user_id", name="user", journey_name="account")
    >>> actors.headline()
    "2 accounts; their 2 users are counted as actors of their account's journey"
    >>> tables["surveys"]["customer_id"].tolist(), actors.answers["surveys"]["no_journey"]
    (['A', 'B', 'A'], 1)
    """
    t = events
    own = t.filter(t[ACTOR] != "")
    acts = to_pandas(own.group_by([ACTOR, "customer_id"]).aggregate(first=own.timestamp.min(), n=own.count()))
    acts[ACTOR] = acts[ACTOR].astype(str)
    acts["customer_id"] = acts["customer_id"].astype(str)
    accounts = set(to_pandas(t.select("customer_id").distinct())["customer_id"].astype(str))
    no_actor = int(to_pandas(t.filter(t[ACTOR] == "").count()))
    several = acts.groupby(ACTOR)["customer_id"].nunique()
    several = set(several[several > 1].index)
    actors = Actors(column, name, journey_name, n_journeys=len(accounts), n_actors=acts[ACTOR].nunique(),
                    no_actor=no_actor, in_several=len(several))
    if "customers" in tables and "customer_id" in tables["customers"].columns:
        accounts |= set(tables["customers"]["customer_id"].astype(str))
    users = set(acts[ACTOR])
    out = {}
    for kind, frame in tables.items():
        if kind == "customers" or not _keyed_by_actors(frame, users, accounts):
            out[kind] = frame
            continue
        moved_ids, counts = _accounts_of(frame, acts, several, t)
        actors.answers[kind] = counts
        moved = frame.assign(customer_id=moved_ids)[pd.notna(moved_ids)].reset_index(drop=True)
        moved.attrs = dict(frame.attrs)
        out[kind] = moved
    return out, actors


def world_tables(world) -> tuple[dict, Actors | None]:
    """The world's non-event tables as pandas and, when its event log names actors
    (:func:`actor_option`), the answers keyed by users moved to their accounts
    (:func:`per_account`) and what was done; ``(tables, None)`` without actors.

    Examples
    --------
    >>> from jmtools.sources import load_world
    >>> tables, actors = world_tables(load_world("sample:b2b"))
    >>> sorted(tables)[:2], actors
    (['customers', 'feedback'], None)
    """
    tables = {kind: loaded.to_pandas() for kind, loaded in world.tables.items() if kind != "events"}
    per = actor_option(world)
    if per is None:
        return tables, None
    return per_account(tables, world.tables["events"].table, per[0], name=per[1], journey_name=per[2])


def _keyed_by_actors(frame: pd.DataFrame, users: set, accounts: set) -> bool:
    """Whether more of ``frame``'s ids (dated rows) name actors than journeys."""
    if "customer_id" not in frame.columns or "timestamp" not in frame.columns or not len(frame):
        return False
    ids = set(frame["customer_id"].dropna().astype(str))
    return len(ids & users) > len(ids & accounts)


def _accounts_of(frame: pd.DataFrame, acts: pd.DataFrame, several: set, events):
    """The account of each row (NaN: its actor acts for no account) and the counts."""
    user = frame["customer_id"].astype(str).reset_index(drop=True)
    first = acts.sort_values(["first", "customer_id"]).drop_duplicates(ACTOR).set_index(ACTOR)["customer_id"]
    keys = user.map(first).astype(object)
    when = pd.to_datetime(frame["timestamp"]).reset_index(drop=True).astype("datetime64[ns]")
    late = user.isin(several)
    by_time = before = 0
    if late.any():
        t = events.filter(events[ACTOR].isin(sorted(several)))
        own = to_pandas(t.select(ACTOR, "customer_id", "timestamp"))
        own = own.assign(**{ACTOR: own[ACTOR].astype(str), "customer_id": own["customer_id"].astype(str),
                            "timestamp": pd.to_datetime(own["timestamp"]).astype("datetime64[ns]")})
        left = pd.DataFrame({"_i": user.index[late], ACTOR: user[late], "t": when[late]}).sort_values("t")
        joined = pd.merge_asof(left, own.sort_values("timestamp"), left_on="t", right_on="timestamp",
                               by=ACTOR, direction="backward")
        found = joined["customer_id"].notna()
        keys[joined.loc[found, "_i"].to_numpy()] = joined.loc[found, "customer_id"].to_numpy()
        by_time, before = int(found.sum()), int((~found).sum())
    starts = acts.groupby(ACTOR)["first"].min()
    before += int(((~late) & keys.notna() & (when < user.map(starts))).sum())
    no_journey = int(keys.isna().sum())
    return keys.to_numpy(), {"moved": int(keys.notna().sum()), "by_time": by_time, "before_first": before,
                             "no_journey": no_journey}


def users_only(err, world):
    """``err`` (a persona rule's or segment's :class:`~jmtools.core.expressions.RuleError`) told
    again when the attribute it misses is a column of the event log's users, not of the customer
    table, in a world whose journeys are accounts with actors: personas select accounts. Any
    other error comes back as it is.

    Examples
    --------
    >>> import pandas as pd
    >>> from jmtools.sources import load_world
    >>> from jmtools.personas import persona_filter
    >>> try:
    ...     persona_filter(pd.DataFrame({"customer_id": ["A"], "segment": ["SMB"]}), "role == 'admin'")
    ... except RuleError as e:
    ...     users_only(e, load_world("sample:b2b")) is e
    True
    """
    per = actor_option(world)
    attribute = getattr(err, "attribute", None)
    if per is None or not isinstance(err, RuleError) or not attribute:
        return err
    column, name, journey = per
    events = world.tables["events"]
    names = [c for c in events.table.columns if c not in _INTERNAL and c != "customer_id"]
    if attribute != column and attribute not in names:
        return err
    what = f"the {name}s' own ({column})" if attribute == column else f"a column of the {name}s' events"
    return RuleError(f"{attribute!r} is {what}, not a column of the {journey}s: personas and segments "
                     f"select {journey}s from the customer table, and each {journey}'s {name}s act in its "
                     "journey", rule=err.rule, position=err.position, persona=err.persona, attribute=attribute,
                     source=err.source,
                     fix=f"give the customer table a column about the {journey} (how many admins it has, its "
                         f"plan), or count each {name} as a journey (customer_id: {column}, without actor:); "
                         + err.fix)


#: Columns of an event log that name no one (D256's proposal looks past them).
_NOT_WHO = ("customer_id", "timestamp", "event", "session_id", "channel", "value", "initiated_by")
#: The share of journeys with several actors (or of accounts with several customers) and of
#: actors under one journey from which :func:`suggest_actor` proposes the option.
_SEVERAL, _ONE = 0.25, 0.9


def suggest_actor(loaded, options: dict | None = None) -> str | None:
    """A proposal to name the event log's actors (``actor:``, D256), or None.

    A column named for a user (``user_id``, ``member``…) whose values sit under one customer each
    while at least a quarter of the customers have several is a user of the customer's account; a
    column named for an account (``account_id``, ``company``, ``org``…) that holds several
    customers each, most customers under one, is the account the customers act for. Other
    columns (an order's or a device's id) are not read. Nothing is proposed when ``options`` already name an actor or a case.

    Examples
    --------
    >>> from jmtools.sources import load_events
    >>> ev = load_events(pd.DataFrame({"customer_id": ["A", "A", "B", "B"], "user_id": ["u1", "u2", "u3", "u4"],
    ...     "timestamp": ["2024-01-01"] * 4, "event": ["invite"] * 4}))
    >>> print(suggest_actor(ev, {"columns": {"customer_id": "account_id"}}))
    each account's events name several user_id values (4 users in 2 accounts, up to 2 per account): if an account's journey is acted in by its users, add `actor: user_id` under `events:` in loading.yaml, so that a step another user repeats is no loop (D256)
    """
    options = options or {}
    if options.get("actor") or options.get("case"):
        return None
    t = loaded.table
    who = _source_of(options) or "customer_id"
    for column in [c for c in t.columns if c not in (*_INTERNAL, *_NOT_WHO) and _named(c, _USERS + _ACCOUNTS)]:
        pairs = _pairs(t, column)
        if pairs.empty:
            continue
        per_customer = pairs.groupby("customer_id")["v"].nunique()
        per_value = pairs.groupby("v")["customer_id"].nunique()
        if _named(column, _USERS) and (per_customer > 1).mean() >= _SEVERAL and (per_value == 1).mean() >= _ONE:
            return _users_of(column, who, per_customer, len(per_value))
        if _named(column, _ACCOUNTS) and (per_value > 1).mean() >= _SEVERAL and (per_customer == 1).mean() >= _ONE:
            return _account_of(column, who, per_value, len(per_customer))
    return None


#: What a column naming a person who acts, or an account people act for, is called (an order's,
#: a session's or a device's id holds several events of one customer too, and is no actor).
_USERS = ("user", "member", "employee", "seat", "agent", "login", "email", "person", "contact")
_ACCOUNTS = ("account", "acct", "company", "org", "tenant", "workspace", "team", "client", "household")


def _named(column: str, words: tuple) -> bool:
    return any(w in str(column).lower() for w in words)


def _pairs(t, column: str) -> pd.DataFrame:
    """The distinct (customer, value of ``column``) pairs of the events with a value."""
    value = t[column].cast("string").strip()
    got = to_pandas(t.filter(value.notnull() & (value != "")).select("customer_id", v=value).distinct())
    return got.astype({"customer_id": str, "v": str})


def _users_of(column: str, who: str, per_customer: pd.Series, n_users: int) -> str:
    journey, name = _noun(who, "customer"), _noun(column, "actor")
    return (f"each {journey}'s events name several {column} values ({counted(n_users, name)} in "
            f"{counted(len(per_customer), journey)}, up to {int(per_customer.max())} per {journey}): if "
            f"{_an(journey)} {journey}'s journey is acted in by its {name}s, add `actor: {column}` under `events:` "
            f"in loading.yaml, so that a step another {name} repeats is no loop (D256)")


def _account_of(column: str, who: str, per_value: pd.Series, n_customers: int) -> str:
    account, name = _noun(column, "account"), _noun(who, "customer")
    return (f"{counted(n_customers, name)} act for {counted(len(per_value), account)} ({column}, up to "
            f"{int(per_value.max())} per {account}): if the journey is the {account}'s, read `customer_id: "
            f"{column}` under `events:` `columns:` in loading.yaml and add `actor: {who}`, so that each {account} "
            f"is one journey and a step another {name} repeats is no loop (D256)")


def _an(noun: str) -> str:
    return with_article(noun).split(" ", 1)[0]
