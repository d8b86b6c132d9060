"""Write the proposal: touchpoints grouped by name, readable names, measured descriptions.

Input is the item table of :func:`jmtools.analyses.discovery.discover_journey` (one row per
event × occurrence, with its stage); output is a validated :class:`Journey` whose every
stage and touchpoint says, in words, the numbers behind it.
"""

from __future__ import annotations

import re

import pandas as pd

from jmtools.journey import Journey


#: The one persona of a proposal: every customer, until a workshop writes personas above it.
EVERYONE = {"name": "Everyone else", "rest": True, "evidence": "measured",
            "backstory": "Every customer no persona above selects; with no persona above, every "
                         "customer. Add personas (rules over the customer table) above this one."}
#: Longest stage or touchpoint name written (longer ones end in "…").
MAX_NAME = 60
#: Characters RE2 treats as operators outside a class; each is escaped with a backslash.
_REGEX_SPECIAL = set("\\.^$|?*+()[]{}")
_TOKENS = re.compile(r"[_\-\s.:/]+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]+")


def literal_pattern(name: str) -> str:
    r"""An RE2 pattern matching exactly the event name ``name``.

    Examples
    --------
    >>> literal_pattern("cart.view (v2)")
    'cart\\.view \\(v2\\)'
    """
    out = []
    for ch in name:
        if ch in _REGEX_SPECIAL:
            out.append("\\" + ch)
        elif ch == "\n":
            out.append("\\n")
        elif ch == "\r":
            out.append("\\r")
        elif ch == "\t":
            out.append("\\t")
        elif ord(ch) < 32 or ord(ch) == 127:
            out.append(f"\\x{ord(ch):02x}")
        else:
            out.append(ch)
    return "".join(out)


def readable(name: str) -> str:
    """A workshop-readable form of an event name: ``order_placed`` → ``Order placed``.

    Snake, kebab and dotted names become words; other names keep their spelling. Control
    characters become spaces; long names are cut to :data:`MAX_NAME` characters.

    Examples
    --------
    >>> readable("order_placed"), readable("PageView"), readable("  ")
    ('Order placed', 'PageView', 'event')
    """
    text = _CONTROL.sub(" ", name)
    words = [w for w in _TOKENS.split(text) if w]
    if text.lower() == text and words:
        text = " ".join(words)
        text = text[0].upper() + text[1:]
    text = " ".join(text.split()) or "event"
    return text if len(text) <= MAX_NAME else text[:MAX_NAME - 1].rstrip() + "…"


def _group_key(row) -> tuple:
    if row.occurrence != "any":
        return ("single", row.event, row.occurrence)
    words = [w for w in _TOKENS.split(_CONTROL.sub(" ", row.event)) if w]
    return ("word", words[0].lower() if words else row.event, row.initiated_by)


def _common_name(events: list[str]) -> str:
    if len(events) == 1:
        return readable(events[0])
    split = [[w for w in _TOKENS.split(_CONTROL.sub(" ", e)) if w] for e in events]
    common = []
    for words in zip(*split):
        if len({w.lower() for w in words}) > 1:
            break
        common.append(words[0])
    return readable("_".join(common).lower()) if common else readable(events[0])


def group_touchpoints(items: pd.DataFrame) -> pd.Series:
    """Touchpoint name of each placed item: same stage, same first word, same initiator.

    Events proposed as first/repeat stay alone (an ``occurrence`` counts over every event
    of its touchpoint, so grouping would change what "first" means). Names are unique.
    """
    names = pd.Series(index=items.index, dtype=object)
    used: set[str] = set()
    for _, stage in items.groupby("stage_index", sort=True):
        groups: dict[tuple, list] = {}
        for idx, row in stage.iterrows():
            groups.setdefault(_group_key(row), []).append(idx)
        for key, members in groups.items():
            base = _common_name(items.loc[members, "event"].tolist())
            if key[0] == "single":
                base = f"{base} ({key[2]})"
            name, n = base, 2
            while name.lower() in used:
                name, n = f"{base} ({n})", n + 1
            used.add(name.lower())
            names.loc[members] = name
    return names


def _pct(x: float) -> str:
    return f"{100 * x:.1f}%"


def _days(hours: float) -> str:
    if pd.isna(hours):
        return "n/a"
    return f"{hours / 24:.1f} days" if hours >= 48 else f"{hours:.1f} hours"


def _item_line(row) -> str:
    label = shown(row.event) + ("" if row.occurrence == "any" else f" ({row.occurrence} time"
                         f"{'' if row.occurrence == 'first' else 's after the first'})")
    text = (f"{label}: {row.n_customers:,} customers ({_pct(row.share)}), {row.n_events:,} events, "
            f"median position {row.median_position:.2f}, precedence {row.precedence:.2f}")
    if isinstance(row.top_next, str):
        text += f"; most often followed by {shown(row.top_next)} ({_pct(row.top_next_share)} of moves)"
    return text


def _notes(rows: pd.DataFrame) -> list[str]:
    notes = []
    for row in rows.itertuples():
        if isinstance(row.note, str) and row.note:
            notes.append(row.note)
    return notes


def touchpoint_text(rows: pd.DataFrame, n_all: int) -> str:
    """The measured description of one touchpoint (its rows of the item table)."""
    first = rows.iloc[0]
    head = (f"Measured from the event log: {first.touchpoint_customers:,} of {n_all:,} customers "
            f"({_pct(first.touchpoint_share)}) have an event here.")
    lines = [head] + ["- " + _item_line(r) for r in rows.itertuples()] + _notes(rows)
    return "\n".join(lines)


#: Said after a company-initiated touchpoint in a stage's actions.
_CONTACT = " (a contact the company started)"


def _reach_words(rows: pd.DataFrame, any_company: bool) -> str:
    """What a stage's reach counts (D218): the customer's own events, or the company's contacts
    where the stage has nothing else (D177) — said either way, so stages read alike."""
    company = rows["initiated_by"] == "company"
    if company.all():
        return ("received at least one contact of this stage from the company (every event here "
                "is a contact the company started, none the customer's own, so contacts are counted).")
    if company.any():
        return ("have at least one event of this stage of their own (contacts the company started "
                "not counted).")
    return "have at least one event of this stage" + (" of their own." if any_company else ".")


def stage_text(rows: pd.DataFrame, n_all: int, *, any_company: bool = False) -> str:
    """The measured description of one stage (its rows of the item table); ``any_company``: the
    journey has contacts the company started (then a stage of the customer's events says "own")."""
    first = rows.iloc[0]
    lo, hi = rows["precedence"].min(), rows["precedence"].max()
    return "\n".join([
        f"Measured from the event log: {first.stage_customers:,} of {n_all:,} customers "
        f"({_pct(first.stage_share)}) {_reach_words(rows, any_company)}",
        f"Median position of its events in customers' paths: "
        f"{rows['median_position'].median():.2f} (0 = a customer's first event, 1 = the last).",
        f"Precedence {lo:.2f}–{hi:.2f}: the share of the other events that customers doing both "
        "did before these.",
        f"Events: {', '.join(_labels(rows))}."])


def shown(event: str) -> str:
    """An event name as text in a description: control characters written as ``\\xNN``."""
    return _CONTROL.sub(lambda m: "".join(f"\\x{ord(c):02x}" for c in m.group()), event)


def _labels(rows: pd.DataFrame) -> list[str]:
    return [(shown(r.event) if r.occurrence == "any" else f"{shown(r.event)} ({r.occurrence})")
            + (" (company)" if r.initiated_by == "company" else "") for r in rows.itertuples()]


def stage_name(index: int, tp_rows: pd.DataFrame) -> str:
    """``Stage 2: Product view, Reviews view …`` — its largest touchpoints, by customers.

    The customer's own touchpoints come first: a contact the company started (a mailing sent
    to everyone) does not name a stage by its reach, unless the stage has nothing else (D193).
    """
    biggest = _customer_first(tp_rows.drop_duplicates("touchpoint"))
    names = biggest["touchpoint"].tolist()
    text = f"Stage {index}: " + ", ".join(names[:3]) + (" …" if len(names) > 3 else "")
    return text if len(text) <= MAX_NAME + 10 else text[:MAX_NAME + 9].rstrip() + "…"


def _customer_first(rows: pd.DataFrame) -> pd.DataFrame:
    """Touchpoint rows: the customer's own first, then by customers (most first), precedence."""
    return rows.assign(_company=rows["initiated_by"] == "company").sort_values(
        ["_company", "touchpoint_customers", "precedence"], ascending=[True, False, True],
        kind="stable").drop(columns="_company")


def build_journey(items: pd.DataFrame, *, name: str, description: str, source: str,
                  header: str) -> Journey:
    """The journey file of the placed items (stage, touchpoint, occurrence, initiator set)."""
    n_all = int(items.attrs["n_customers"])
    stages, touchpoints = [], []
    any_company = bool((items["initiated_by"] == "company").any())
    for s_index, rows in items.groupby("stage_index", sort=True):
        tps = []
        for tp, tp_rows in rows.groupby("touchpoint", sort=False):
            first = tp_rows.iloc[0]
            entry = {"name": tp, "stage": first.stage, "channel": "digital",
                     "events": [literal_pattern(e) for e in tp_rows["event"]],
                     "evidence": "measured", "description": touchpoint_text(tp_rows, n_all)}
            if first.occurrence != "any":
                entry["occurrence"] = first.occurrence
            if first.initiated_by == "company":
                entry["initiated_by"] = "company"
            tps.append((first.touchpoint_customers, tp, entry))
        touchpoints += [t[2] for t in tps]
        top = [(int(r.touchpoint_customers), r.touchpoint, r.initiated_by == "company")
               for r in _customer_first(rows.drop_duplicates("touchpoint")).head(6).itertuples()]
        stages.append({
            "name": rows.iloc[0].stage,
            "description": stage_text(rows, n_all, any_company=any_company),
            "actions": [{"text": f"{tp}{_CONTACT if company else ''}: {n:,} customers ({_pct(n / n_all)})",
                         "evidence": "measured", "source": source} for n, tp, company in top]})
    data = {"jmtools": 1, "name": name, "description": description, "tags": ["discovered"],
            "personas": [EVERYONE], "stages": stages, "touchpoints": touchpoints}
    Journey.model_validate(data)
    return Journey.from_yaml(header + _dump(data), source="<discovered journey>")


def _blocks(value):
    """Multi-line text as YAML literal blocks (``|-``), one fact per line, easy to edit."""
    from ruamel.yaml.scalarstring import LiteralScalarString

    if isinstance(value, dict):
        return {k: _blocks(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_blocks(v) for v in value]
    if isinstance(value, str) and "\n" in value and all(line.isprintable() and line == line.rstrip() for line in value.split("\n")):
        return LiteralScalarString(value)
    return value


def _dump(data: dict) -> str:
    import io

    from ruamel.yaml import YAML

    y = YAML(typ="rt")
    y.indent(mapping=2, sequence=4, offset=2)
    y.width = 4096
    out = io.StringIO()
    y.dump(_blocks(data), out)
    return out.getvalue()
