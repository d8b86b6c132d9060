"""Step 7 through the disclosure rule (issue 15): ``Comparison.disclosed_table`` and notebook 07 show no
group of 1–4 customers, no number of the persona whose size protects it, and nothing the row for all
customers gives back by subtraction; two folders whose personas differ still compare.

The world: ``tests/small_groups.py``'s Loud Lou (3 customers) and Thin Thea (20), everyone in a persona
(Rest Rory takes the rest), so that Thea's size is hidden to protect Lou's (D70).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jmtools import pipeline
from jmtools.pipeline._disclosed_compare import COMPARED_NUMBERS, disclosed_comparison

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "07_test_implement_iterate.ipynb"
CHANGE = "2026-06-01"


@pytest.fixture(scope="module")
def everyone_world(tmp_path_factory):
    from small_groups import built, everyone_in_a_persona_world, loud_and_thin_world

    return built(everyone_in_a_persona_world, tmp_path_factory.mktemp("everyone") / "world",
                 base=loud_and_thin_world)


@pytest.fixture(scope="module")
def periods(everyone_world):
    return pipeline.compare_periods(everyone_world, CHANGE, n_boot=200)


def _row(persona, n_a, n_b, *, measure="csat", step="Buy", value=(3.0, 3.5)):
    return {"measure": measure, "persona": persona, "from_step": None, "step": step,
            "label": f"{measure} at {step}", "n_a": n_a, "n_b": n_b, "value_a": value[0], "value_b": value[1],
            "diff": value[1] - value[0],
            "verdict": "no detectable change", "text": f"no detectable change with {n_a} and {n_b} customers"}


def _counts(frame: pd.DataFrame, side: str, kind: str) -> pd.Series:
    """Customers of a side (``n``), or those going on in a conversion (``went_on``: value × n)."""
    n = frame[f"n_{side}"].astype(float)
    went_on = (frame[f"value_{side}"] * n).round().where(frame["measure"] == "conversion", 0.0)
    return n if kind == "n" else went_on


def _left_over(table: pd.DataFrame, shown: pd.DataFrame) -> list:
    """Per measure, step, side and count whose total is shown: the total for all customers minus the
    persona counts shown, with what it holds by plain pandas (the hidden persona counts and the customers
    in no persona)."""
    out = []
    for where, rows in table.groupby(["measure", "from_step", "step"], dropna=False, sort=False):
        total, mine = rows[rows["persona"] == "all"], rows[rows["persona"] != "all"]
        for side in ("a", "b"):
            for kind in ("n", "went_on"):
                seen_total = _counts(shown.loc[total.index], side, kind)
                if len(total) != 1 or seen_total.isna().all():
                    continue
                raw, seen = _counts(mine, side, kind).fillna(0), _counts(shown.loc[mine.index], side, kind)
                rest = float(seen_total.iloc[0] - seen.fillna(0).sum())
                parts = [*raw[seen.isna()], float(_counts(total, side, kind).iloc[0] - raw.sum())]
                out.append(((*where, side, kind), rest, [p for p in parts if p > 0]))
    return out


def test_sides_of_fewer_than_five_and_hidden_personas_lose_their_numbers(periods):
    from small_groups import LOUD, THIN

    raw, shown = periods.table, periods.disclosed_table()
    assert ((raw["persona"] == LOUD) & raw["n_a"].between(1, 4)).any()           # the leak, as computed
    assert (raw.loc[raw["persona"] == THIN, "n_a"] >= 5).any()
    counts = shown[["n_a", "n_b"]].stack()
    assert not counts.between(1, 4).any()
    mine = shown["persona"].isin([LOUD, THIN])
    assert shown.loc[mine, ["n_a", "n_b", *COMPARED_NUMBERS]].isna().all().all()
    assert shown.loc[mine, "suppressed"].all()
    assert set(shown.loc[shown["persona"] == LOUD, "verdict"]) == {"too few"}
    going_on = (shown["value_a"] * shown["n_a"]).where(shown["measure"] == "conversion").round()
    assert not going_on.between(1, 4).any()
    for text in shown.loc[shown["suppressed"], ["text", "label"]].itertuples():
        assert set(re.findall(r"\d+", text.text.replace(text.label, ""))) <= {"5"}, text.text
    assert shown.attrs["note"].startswith(f"{int(shown['suppressed'].sum())} comparisons are shown without")
    kept = ~shown["suppressed"]
    assert shown.loc[kept, COMPARED_NUMBERS[:3]].equals(raw.loc[kept, COMPARED_NUMBERS[:3]])


def test_the_row_for_all_customers_gives_back_no_hidden_group(periods):
    """All customers minus the persona rows shown: 0, or 5 or more customers in two groups or more."""
    left = _left_over(periods.table, periods.disclosed_table())
    assert left
    for where, rest, parts in left:
        assert rest == sum(parts), where
        assert rest == 0 or (rest >= 5 and len(parts) >= 2), (where, rest, parts)


def test_customers_in_no_persona_protect_first():
    """The total minus Ben and Maya is Lou's 3 and the 40 in no persona: nobody else is hidden; with
    nobody in no persona, Ben goes too, and so does his count after (his report shows both periods
    together: 90 − 50 = 40, and 103 − 40 − 60 = Lou's 3), so Maya's after goes beside Ben's; a
    protecting persona is never alone beside its total."""
    t = pd.DataFrame([_row("all", 143, 150), _row("Ben", 40, 50), _row("Maya", 60, 60), _row("Lou", 3, 0)])
    assert disclosed_comparison(t)["suppressed"].tolist() == [False, False, False, True]
    t = pd.DataFrame([_row("all", 103, 110), _row("Ben", 40, 50), _row("Maya", 60, 60), _row("Lou", 3, 0)])
    out = disclosed_comparison(t)
    assert out["suppressed"].tolist() == [False, True, True, True]
    assert out[["n_a", "n_b"]].isna().values.tolist() == [[False, False]] + [[True, True]] * 3
    sizes = pd.DataFrame({"persona": ["Lou", "Thea", "Ben", "(no persona)"], "n": [3, 20, 900, 0]})
    t = pd.DataFrame([_row("all", 70, 70), _row("Ben", 50, 50), _row("Thea", 20, 20)])
    out = disclosed_comparison(t, [sizes])
    assert out["suppressed"].tolist() == [False, True, True]
    assert "Thea's size would give back" in out["text"].iloc[2]


def test_a_row_hides_both_its_counts_or_neither():
    """A persona's report shows its customers at a step over both periods together: Ben's 3 before,
    hidden, came back as his report's 43 minus the 40 after that the table showed. Now a row hides both
    counts, and the row for all customers hides another persona's after beside Ben's (and so its
    before)."""
    t = pd.DataFrame([_row("all", 63, 100), _row("Ben", 3, 40), _row("Maya", 30, 30), _row("Nina", 30, 30)])
    out = disclosed_comparison(t)
    assert out[["n_a", "n_b"]].isna().values.tolist() == [[False, False], [True, True], [True, True],
                                                          [False, False]]
    assert out["suppressed"].tolist() == [False, True, True, False]
    assert out.loc[3, ["n_a", "n_b", "value_a"]].tolist() == [30, 30, 3.0]


def test_the_sample_world_split_near_its_start_gives_no_count_back_beside_the_reports():
    """Split the day after the fourth customer is first seen: 3 survey answers at Consideration fall
    before it (plain pandas). The table hid the 3 and showed the 664 after, and the report for all
    customers shows 667 CSAT answers there: 667 − 664 = 3. Now no row shows one count without the
    other, and the report's counts minus what the table shows are 0 or 5 or more."""
    ev = pd.read_parquet(Path(__file__).resolve().parents[1] / "data" / "ecommerce" / "events.parquet")
    split = ev.groupby("customer_id")["timestamp"].min().sort_values().iloc[3] + pd.Timedelta(days=1)
    c = pipeline.compare_periods("sample:ecommerce", f"{split:%Y-%m-%d}", measures=["csat"], n_boot=200)
    raw, shown = c.table, c.disclosed_table()
    few = raw[["n_a", "n_b"]].apply(lambda s: s.between(1, 4))
    assert (few["n_a"] & (raw["n_b"] >= 5)).any()                         # the situation, as computed
    assert (shown["n_a"].isna() == shown["n_b"].isna()).all()
    kpis = pipeline.run("sample:ecommerce").kpis.query("kpi == 'csat_mean'").set_index("stage")["n"]
    mine = shown[shown["persona"] == "all"].set_index("step")
    rest = (kpis.reindex(mine.index) - mine["n_b"]).dropna()
    assert not rest.between(1, 4).any(), rest.to_dict()


def test_a_conversion_of_fewer_than_five_going_on_loses_its_rate():
    t = pd.DataFrame([_row("all", 40, 40, measure="conversion", value=(0.05, 0.5))])
    out = disclosed_comparison(t)
    assert out[["n_a", "n_b"]].values.tolist() == [[40, 40]] and np.isnan(out["value_a"].iloc[0])
    assert "fewer than 5 customers went on" in out["text"].iloc[0]


def test_nothing_changes_where_no_group_is_small():
    t = pd.DataFrame([_row("all", 100, 110), _row("Ben", 60, 70), _row("Maya", 40, 40)])
    out = disclosed_comparison(t)
    assert not out["suppressed"].any() and out.attrs["note"] == ""
    assert out.drop(columns="suppressed").equals(t)


def test_notebook_07_shows_no_small_group(everyone_world, capsys):
    """Notebook 07's summary, likely-real rows, chart and table (for all, Lou and Thea) read the
    disclosed table: before, Lou's table said "1 and 2 customers" and Thea's gave her counts."""
    from inprocess import run_cells
    from shown_sizes import displayed_rows, few_counts, numbers_of
    from small_groups import LOUD, THIN

    for persona in ("all", LOUD, THIN):
        run = run_cells(NOTEBOOK, {"data_dir": str(everyone_world), "persona": persona})
        rows = displayed_rows(run.displayed)
        table = [r for r in rows if "in words" in r]
        assert table and not few_counts(rows)
        assert not numbers_of(rows, {LOUD, THIN})
        if persona != "all":
            assert all(r["n before"] == "not shown" and r["n after"] == "not shown" for r in table)
        few = r"(?<![\d.])[1-4] (and|customers)"
        assert not re.search(few, capsys.readouterr().out)
        assert not [f for f in run.figures.values() if re.search(few, str(f["value"]))]


def test_two_folders_whose_personas_differ_compare_and_hide_the_small_one(everyone_world):
    """The baseline folder has Lou, Thea and Rory; the later one is the sample, where their rules do not
    run (no such columns): their rows compare against no customer, without error; Lou's and Thea's
    numbers stay hidden, by the baseline folder's sizes."""
    from small_groups import LOUD, THIN

    c = pipeline.compare_folders(everyone_world, "sample:ecommerce", measures=["conversion", "csat"],
                                 n_boot=200)
    mine = c.table["persona"].isin([LOUD, THIN])
    assert mine.any() and (c.table.loc[mine, "n_b"] == 0).all()
    shown = c.disclosed_table()
    assert shown.loc[mine, ["n_a", "n_b", "value_a"]].isna().all().all()
    assert not shown[["n_a", "n_b"]].stack().between(1, 4).any()
    back = pipeline.compare_folders("sample:ecommerce", everyone_world, measures=["csat"], n_boot=200)
    assert not back.table["persona"].isin([LOUD, THIN]).any()
    assert len(back.disclosed_table()) == len(back.table)


def test_an_outcome_measured_on_fewer_than_five_shows_no_effect(monkeypatch):
    from jmtools.journey import Journey, Outcome
    from jmtools.report import iterate
    from jmtools.sample_worlds import template_path

    j = Journey.load(template_path("ecommerce"))
    opp = j.opportunities[0]
    opp.change_date = pd.Timestamp("2026-06-01").date()
    opp.outcome = Outcome(status="too few", measured_on="2026-12-01", measure="conversion", effect=0.4,
                          ci_low=-0.2, ci_high=0.9, n_before=3, n_after=40)
    shown = []
    monkeypatch.setattr(iterate, "_display", lambda *objs: shown.extend(objs))
    iterate.opportunity_outcomes(j)
    table = shown[-1].data
    assert "too few" in table and "+0.4" not in table and "0.9" not in table
