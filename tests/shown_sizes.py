"""An independent check of the disclosure rule's subtraction (issue 15): from the tables a notebook
shows, no total minus a selection of the group counts shown gives a group of 1–4 customers.

Plain arithmetic over what is on screen: a table of one row per group (persona sizes, coverage)
gives its counts by label; "not shown" and missing cells are not numbers.
"""

from __future__ import annotations

import itertools
import re

import numpy as np
import pandas as pd

LABELS = ("persona", "coverage")
COUNTS = ("n", "n_customers")


def shown_counts(frames) -> dict:
    """Every count of a whole group in ``frames`` (tables of one row per group), keyed
    ``"<table>:<label>=<group>"``; table is the frame's position."""
    shown = {}
    for i, frame in enumerate(frames):
        if not isinstance(frame, pd.DataFrame):
            continue
        label = next((c for c in LABELS if c in frame), None)
        count = next((c for c in COUNTS if c in frame), None)
        if label is None or count is None or frame[label].duplicated().any():
            continue
        for key, v in zip(frame[label].astype(str), frame[count]):
            if isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) and v == v:
                shown[f"{i}:{label}={key}"] = int(v)
    return shown


def assert_no_group_by_subtraction(totals, shown: dict, min_group: int = 5) -> None:
    """No ``total − (sum of a subset of the shown counts)`` is 1 to ``min_group − 1``, for each total."""
    assert shown, "no group counts found among the tables shown"
    labels = sorted(shown)
    for total in {int(t) for t in totals}:
        for k in range(1, len(labels) + 1):
            for chosen in itertools.combinations(labels, k):
                rest = total - sum(shown[c] for c in chosen)
                assert not 0 < rest < min_group, (total, chosen, rest)


# ------------------------------------------------------------------ the reports of a world, together
#: Notebook 00's sections, in its order (what a report for all customers or one persona shows).
REPORT_SECTIONS = ("title", "at_a_glance", "who", "data_behind", "how_far", "feelings", "survey_kpis",
                   "where_it_hurts", "what_they_write", "fix_first")


def plain_sizes(folder) -> dict:
    """Each persona's customers by plain pandas (``DataFrame.query``, first rule in order wins;
    a ``rest`` persona takes those left): ``{persona: (in the customer table, with events)}``,
    "(no persona)" included."""
    import yaml

    customers = pd.read_csv(folder / "customers.csv")
    events = set(pd.read_parquet(folder / "events.parquet", columns=["customer_id"])["customer_id"])
    label = pd.Series("(no persona)", index=customers.index, dtype=object)
    for p in yaml.safe_load((folder / "journey.yaml").read_text(encoding="utf-8"))["personas"]:
        free = label == "(no persona)"
        chosen = free if p.get("rest") else free & customers.index.isin(customers.query(p["rule"]).index)
        label[chosen] = p["name"]
    with_events = customers["customer_id"].isin(events)
    return {name: (int((label == name).sum()), int(((label == name) & with_events).sum()))
            for name in pd.unique(label)}


def _text(obj) -> str:
    """What a displayed object shows, as text (a chart: its specification with its data)."""
    if isinstance(obj, pd.DataFrame):
        return obj.to_csv()
    data = getattr(obj, "data", None)
    if isinstance(data, str):
        return data
    return obj.to_json() if hasattr(obj, "to_json") else str(obj)


def report_text(findings) -> str:
    """Everything notebook 00's sections display and record for ``findings`` (in-process)."""
    import html
    import sys

    from jmtools.report import sections

    rec, parts = sys.modules["jmtools.report.record"], []
    saved = rec._emit, sections.kit.display
    rec._emit = lambda payload: parts.append(repr(payload))
    sections.kit.display = lambda *objs: parts.extend(_text(o) for o in objs)
    try:
        for name in REPORT_SECTIONS:
            getattr(sections, name)(findings)
    finally:
        rec._emit, sections.kit.display = saved
    return html.unescape("\n".join(parts))


def _says(text: str, n: int) -> bool:
    """Whether ``text`` holds the whole number ``n`` ("1,065" or "1065")."""
    forms = {f"{n:,}", str(n)}
    return any(re.search(rf"(?<![\d.,]){re.escape(f)}(?![\d]|,\d)", text) for f in forms)


def reports_known_counts(folder, min_group: int = 5) -> tuple[dict, set]:
    """The counts the report for all customers shows (its sizes table, its coverage sentence)
    and every persona size any per-persona report of the world prints (its size in the customer
    table or with events, by plain pandas, found as a number in its text, charts or recorded
    figures; a number that happens to equal it counts as printed).

    Returns ``(known, totals)``: counts keyed by the group they count (each group once), and
    the totals shown."""
    from jmtools import pipeline

    prepared = pipeline.prepare_world(folder)
    everyone = pipeline.run(prepared)
    text = report_text(everyone)
    table = text[text.index("Customers no persona rule selects"):]
    table = table[:table.index("</table>")]                       # the sizes table, below its sentence
    known = {f"size={p}": int(n.replace(",", "")) for p, n in
             re.findall(r"<tr><td[^>]*>([^<]+)</td><td[^>]*>([\d,]+)</td>", table)}
    sentence = next(line for line in text.splitlines() if line.startswith("Of the "))
    known.update({f"coverage={w}": int(n.replace(",", "")) for n, w in
                  re.findall(r"([\d,]+) \([\d.]+%\) match ([a-z ]+?)(?: and|;|\.|,)", sentence)})
    for persona, (in_table, with_events) in plain_sizes(folder).items():
        if persona == "(no persona)":
            continue
        mine = report_text(pipeline.run(prepared, persona=persona))
        # one key per group: a size the sizes table shows too is the same count, not a second one
        for key, n in ((f"size={persona}", with_events), (f"size={persona} (customer table)", in_table)):
            if n >= min_group and _says(mine, n) and n not in (known.get(f"size={persona}"),):
                known[key] = n      # (1–4 printed at all: the tests of a focus of 1–4 customers)
    in_table = sum(n for n, _ in plain_sizes(folder).values())
    return known, {int(everyone.evidence.n_customers), in_table}


# ------------------------------------------------------------------ what a notebook displayed, row by row
#: Columns that count customers (or, as "n before"/"n after", a comparison's groups) in what is shown.
COUNT_COLUMNS = ("n", "n_customers", "n_prev", "n_visitors", "n_at_from", "n_a", "n_b", "n before", "n after")
#: Numbers that describe an order, not customers.
ORDER_COLUMNS = ("step_index", "rank", "label_x", "n_steps")


def displayed_rows(displayed) -> list[dict]:
    """Every row of what a notebook displayed (``inprocess.run_cells``): tables (DataFrames), chart
    data and HTML tables (a cell by its ``data-label``, numbers read back from their text)."""
    import html

    rows = []
    for obj in displayed:
        if isinstance(obj, pd.DataFrame):
            rows += (obj.reset_index() if obj.index.name else obj).to_dict("records")
            continue
        chart = obj if hasattr(obj, "to_dict") else getattr(obj, "chart", None)
        if chart is not None and hasattr(chart, "to_dict"):
            rows += [r for d in chart.to_dict().get("datasets", {}).values() for r in d]
            continue
        text = getattr(obj, "data", None)
        for tr in re.findall(r"<tr>(.*?)</tr>", text if isinstance(text, str) else "", flags=re.S):
            cells = re.findall(r'<td[^>]*data-label="([^"]*)">(.*?)</td>', tr, flags=re.S)
            rows.append({html.unescape(k): _number(html.unescape(v)) for k, v in cells})
    return rows


def _number(text: str):
    """A cell's text as a number when it is one ("1,970" → 1970), else the text."""
    try:
        return float(text.replace(",", ""))
    except ValueError:
        return text


def is_number(v) -> bool:
    """A shown number: not missing, not a word ("not shown"), not a flag."""
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) and v == v


def few_counts(rows, min_group: int = 5) -> list:
    """``(column, value, row)`` for every shown count of 1 to ``min_group − 1``."""
    return [(c, r[c], r) for r in rows for c in COUNT_COLUMNS
            if c in r and is_number(r[c]) and 0 < r[c] < min_group]


def numbers_of(rows, groups, col: str = "persona") -> list:
    """``(column, value, row)`` for every number shown in a row of one of ``groups`` (a row whose
    ``col`` is missing is "(no persona)")."""
    def group(r):
        v = r[col]
        return "(no persona)" if v is None or (isinstance(v, float) and v != v) else v

    return [(c, v, r) for r in rows if col in r and group(r) in groups for c, v in r.items()
            if c not in ORDER_COLUMNS and is_number(v)]
