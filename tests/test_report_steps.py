"""jmtools.report.steps (and pain_steps): the accounting tables the step notebooks show.

What loading did with every row, and how the feedback step chose its texts, are tables a
reader can scan: thousands separators, read = used + rejected, reasons with their counts,
held-out checks with n and 95% intervals. Oracles: plain pandas on the input files.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from jmtools.report.steps import record_largest_drop_off, show_accounting, show_theme_accounting

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture
def shown(monkeypatch):
    """What the function displayed, as HTML or Markdown text."""
    import IPython.display

    out: list[str] = []
    monkeypatch.setattr(IPython.display, "display",
                        lambda obj, **kw: out.append(getattr(obj, "data", repr(obj))))
    return out


def test_the_load_accounting_is_a_table_with_separators_and_reasons(tmp_path, shown):
    from jmtools.sources import load_world

    folder = tmp_path / "world"
    shutil.copytree(ROOT / "data" / "ecommerce", folder)
    surveys = pd.read_csv(folder / "surveys.csv", dtype=str)
    surveys.loc[[3, 10], "timestamp"] = "next tuesday"            # two rows the loader rejects
    surveys.to_csv(folder / "surveys.csv", index=False)
    table = show_accounting(load_world(folder))
    html = shown[0]
    n_events = len(pd.read_parquet(folder / "events.parquet"))      # oracle: pandas
    assert n_events > 1000 and f">{n_events:,}<" in html and f">{n_events}<" not in html
    row = table.set_index("table").loc["surveys"]
    assert (row["read"], row["used"], row["rejected"]) == (len(surveys), len(surveys) - 2, 2)
    assert "(2)" in row["why rejected"] and "timestamp" in row["why rejected"]
    read = int(table["read"].sum())
    assert f"{read:,} rows read = {read - 2:,} used + 2 rejected" in html
    assert "share_rejected" not in html and "<th>rows read</th>" in html


def test_what_loading_settled_is_shown_under_the_accounting_and_only_then(tmp_path, shown):
    from jmtools.sources import load_world

    folder = tmp_path / "world"
    shutil.copytree(ROOT / "data" / "ecommerce", folder)
    customers = pd.read_csv(folder / "customers.csv", dtype=str)
    customers.rename(columns={"customer_id": "Customer ID"}).to_csv(folder / "customers.csv", index=False)
    show_accounting(load_world(folder))
    assert len(shown) == 2 and "How the files were read" in shown[1]
    assert "customers.csv" in shown[1] and "Customer ID&#x27; read as" in shown[1]
    shown.clear()
    show_accounting(load_world(ROOT / "data" / "ecommerce"))
    assert len(shown) == 1 and "How the files were read" not in shown[0]


def test_the_themes_accounting_adds_up_and_shows_its_checks_with_n_and_intervals(shown):
    from jmtools.analyses.themes import find_themes

    feedback = pd.read_csv(ROOT / "data" / "ecommerce" / "feedback.csv")
    th = find_themes(feedback, n_themes=4, stability=False, seed=0)
    tables = show_theme_accounting(th)
    rows = tables["rows"].set_index("step")["texts"]
    left_out = rows[[s for s in rows.index if s.startswith("left out: ")]].sum()
    assert rows["rows read"] == len(feedback)                                # oracle: pandas
    assert rows["rows read"] - left_out == rows["themed as complaints"] == len(th.documents)
    assert rows["· decided by their rating"] + rows["· decided by their text"] == len(th.documents)
    rated_low = int((feedback["rating"] <= 2).sum())
    assert rows["· decided by their rating"] == rated_low
    checks = tables["checks"]
    assert set(checks["decides"]) == {"yes", "no"} and (checks["n"] == rated_low).all()
    assert checks["recall_95ci"].str.fullmatch(r"\d+%–\d+%").all()
    html = shown[0] + shown[1]
    assert f">{len(feedback):,}<" in html and "95% CI" in html and "n complaints" in html
    assert f"Held-out check on {int(feedback['rating'].notna().sum()):,} rated texts" in html


def test_the_largest_drop_off_names_the_two_steps_it_lies_between(capsys):
    """D202: notebook 02 said "Rita at 'Integration'" where the report's pain point said Team — the
    same 48% loss. It now names both steps; each persona's previous step is its own."""
    funnel = pd.DataFrame({"persona": ["Rita"] * 3 + ["Erin"] * 3, "step": ["Trial", "Team", "Integration"] * 2,
                           "step_index": [1, 2, 3] * 2, "drop_off_rate": [0.0, 0.1, 0.48, 0.0, 0.2, 0.3],
                           "n_prev": [0, 400, 324, 0, 300, 240], "ci_low": [0.0, 0.87, 0.47, 0, 0.75, 0.64],
                           "ci_high": [0.0, 0.93, 0.57, 0, 0.85, 0.76]})
    worst = record_largest_drop_off(funnel)
    assert worst["persona"] == "Rita" and worst["step"] == "Integration"
    assert "Largest drop-off: Rita between 'Team' and 'Integration' — 48% of 324 customers do not go on" \
        in capsys.readouterr().out
    record_largest_drop_off(funnel.drop(columns="persona").iloc[3:])        # no customer table
    assert "all customers between 'Team' and 'Integration' — 30% of 240" in capsys.readouterr().out
