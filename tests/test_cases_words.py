"""Journeys per case, D238's leftovers (D253): the report names its unit in every sentence that
counts claims, persona sizes say the customers behind their claims, the events without a claim
are in the accounting table, and a second run on unchanged files reads no event.

Every number is checked against plain pandas over tests/case_world.py.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

from case_world import END, claims_world, plain_journeys, write_world
from inprocess import run_cells
from jmtools import pipeline
from table_subsets import shown_charts, shown_text

NB00 = Path(__file__).resolve().parents[1] / "notebooks" / "00_journey_report.ipynb"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return write_world(tmp_path_factory.mktemp("claims"))


@pytest.fixture(scope="module")
def plain():
    events, customers, surveys = claims_world()
    return events, customers, surveys, plain_journeys(events)


def _quiet(call, *args, **kwargs):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return call(*args, **kwargs)


@pytest.fixture(scope="module")
def ran(world):
    return _quiet(run_cells, NB00, {"data_dir": str(world), "persona": "all"})


@pytest.fixture(scope="module")
def report(ran):
    return shown_text(ran.displayed)


def _customer_counts(text: str) -> set:
    """Every number the report says right before "customers"."""
    return {int(n.replace(",", "")) for n in re.findall(r"\b(\d[\d,]*) customers\b", text)}


def test_no_sentence_counts_claims_as_customers(report, ran, plain):
    customers, surveys, pj = plain[1], plain[2], plain[3]
    people = pj.merge(customers, left_on="customer", right_on="customer_id")
    without = len(customers) - pj["customer"].nunique()                # customers of the table with no claim
    allowed = {pj["customer"].nunique(), len(customers), without} | set(people.groupby("plan")["customer"].nunique())
    said = _customer_counts(report)
    assert said and said <= allowed, said - allowed          # only counts of people say "customers"
    # the counts of claims the report gives, each said as claims
    reached = [int((pj["furthest"] >= k).sum()) for k in range(1, 5)]
    lost = [a - b for a, b in zip(reached, reached[1:])]
    k = 1                                        # the biggest loss of those who had time: Unterlagen → Entscheidung
    open_ = int(((pj["furthest"] == 2) & (pj["t_Unterlagen"] > pd.Timestamp("2025-12-21 20:00"))).sum())
    assert open_ == 17                                                  # the planted claims still open there
    assert f"{lost[k] - open_} of the {reached[k] - open_} claims that had time to go on" in report
    assert f"Where the {lost[k]} claims lost between Unterlagen and Entscheidung were last seen" in report
    at_meldung = int((surveys["stage"] == "Meldung").sum())            # answers before any claim: its first
    assert f"averaged per claim (95% CI" in report and f"n={at_meldung} claims)" in report
    assert f"Of the {len(pj)} claims with events" in report
    assert "80 claims reached" in report and "17 claims reached" in report
    assert "averaged per claim and stage" in report
    captions = [c.get("usermeta", {}).get("caption", "") for c in shown_charts(ran.displayed)]
    assert any("of the claims that started the journey" in c for c in captions)
    assert any("Dot area: how many claims it rests on" in c for c in captions)
    assert not any("customers who started" in c for c in captions)
    for wrong in (f"{lost[k] - open_} of the {reached[k] - open_} customers", f"n={at_meldung} customers",
                  f"Of the {len(pj)} customers", "80 customers reached"):
        assert wrong not in report


def test_the_same_world_per_customer_keeps_its_words(tmp_path, plain):
    folder = write_world(tmp_path / "per_customer", per_case=False)
    text = shown_text(_quiet(run_cells, NB00, {"data_dir": str(folder), "persona": "all"}).displayed)
    events = plain[0]
    n = events["customer_id"].nunique()
    assert f"Of the {n} customers with events" in text and "claims" not in text
    assert "customers who had time to go on" in text and "averaged per customer and stage" in text


def test_persona_sizes_say_the_customers_behind_their_claims(report, plain):
    customers, pj = plain[1], plain[3]
    people = pj.merge(customers, left_on="customer", right_on="customer_id")
    for plan, name in (("basic", "Basis"), ("premium", "Premium")):
        mine = people[people["plan"] == plan]
        row = re.search(rf">{name}</td>\s*<td[^>]*>([\d,]+)</td>\s*<td[^>]*>([\d,]+)</td>", report)
        assert row, name
        assert (int(row[1].replace(",", "")), int(row[2].replace(",", ""))) == (len(mine), mine["customer"].nunique())


def test_a_persona_of_few_customers_with_many_claims_is_hidden(tmp_path, plain):
    """Six claims of three customers: a group of three people, hidden in both counts (D79)."""
    pj = plain[3]
    several = pj.groupby("customer").size()
    few = list(several[several >= 2].index[:3])
    assert several[few].sum() >= 5
    folder = write_world(tmp_path / "few")
    customers = pd.read_csv(folder / "customers.csv")
    customers.loc[customers["customer_id"].isin(few), "plan"] = "vip"
    customers.to_csv(folder / "customers.csv", index=False)
    yaml = (folder / "journey.yaml").read_text(encoding="utf-8")
    (folder / "journey.yaml").write_text(yaml.replace(
        "personas:\n", "personas:\n  - {name: VIP, rule: \"plan == 'vip'\"}\n"), encoding="utf-8")
    text = shown_text(_quiet(run_cells, NB00, {"data_dir": str(folder), "persona": "all"}).displayed)
    row = re.search(r">VIP</td>\s*<td[^>]*>([^<]*)</td>\s*<td[^>]*>([^<]*)</td>", text)
    assert row and (row[1], row[2]) == ("hidden", "hidden")
    own = _quiet(pipeline.run, str(folder), persona="VIP")          # its own report: no size, no funnel
    assert own.options["focus_hidden"] and own.funnel["n"].isna().all()


def test_events_without_a_claim_are_in_the_accounting_table(world, plain):
    events, customers = plain[0], plain[1]
    f = _quiet(pipeline.run, str(world))
    acc = f.accounting.set_index("table")
    blank = int((events["claim_no"].fillna("").astype(str).str.strip() == "").sum())
    with_claims = set(events.loc[events["claim_no"].fillna("").astype(str).str.strip() != "", "customer_id"])
    assert acc.loc["events", "left out"] == blank and acc.loc["events", "used"] == len(events) - blank
    assert "no claim_no" in acc.loc["events", "why left out"]
    assert acc.loc["customers", "left out"] == len(customers) - len(with_claims)
    assert (acc["read"] == acc["used"] + acc["rejected"] + acc["left out"]).all()


def test_without_the_option_the_accounting_table_is_as_it_was(tmp_path):
    f = _quiet(pipeline.run, str(write_world(tmp_path / "pc", per_case=False)))
    assert "left out" not in f.accounting.columns
    assert (f.accounting["read"] == f.accounting["used"] + f.accounting["rejected"]).all()


def test_a_second_run_reads_no_event(world, tmp_path, monkeypatch, plain):
    from jmtools.pipeline import _chain

    counted = []
    real = _chain.journeys_of
    monkeypatch.setattr(_chain, "journeys_of", lambda *a, **k: counted.append(1) or real(*a, **k))
    cache = tmp_path / "cache"
    first = _quiet(pipeline.prepare_world, str(world), cache_dir=cache)
    second = _quiet(pipeline.prepare_world, str(world), cache_dir=cache)
    assert len(counted) == 1                                       # the journeys were counted once
    assert first.world.tables["events"].loaded and not second.world.tables["events"].loaded
    assert second.cases.note() == first.cases.note()
    pd.testing.assert_frame_equal(first.cases.journeys, second.cases.journeys)
    for kind in ("customers", "surveys"):
        pd.testing.assert_frame_equal(first.tables[kind], second.tables[kind])
    f = _quiet(pipeline.run, second)
    pj = plain[3]
    assert f.funnel["n"].astype(int).tolist() == [int((pj["furthest"] >= k).sum()) for k in range(1, 5)]
    assert not second.world.tables["events"].loaded                # nor did the run
    other = _quiet(pipeline.prepare_world, str(world), cache_dir=cache, segment="plan == 'premium'")
    assert len(counted) > 1 and other.cases.n_journeys < first.cases.n_journeys    # the segment has its own


def test_the_map_cells_count_claims(world, plain):
    from jmtools.analyses.mapcells import map_cells

    events, customers = plain[0], plain[1]
    f = _quiet(pipeline.run, str(world), persona="Premium")
    cells = map_cells(f.journey, evidence=f.map_evidence, persona="Premium")
    said = dict(zip(cells["text"], cells["source"]))
    premium = set(customers.loc[customers["plan"] == "premium", "customer_id"])
    mine = events[events["customer_id"].isin(premium) & (events["event"] == "docs_uploaded")]
    assert said["Upload"] == f"events of {len(mine.drop_duplicates(['customer_id', 'claim_no']))} claims"


def test_discover_counts_each_claim(world, plain, capsys):
    from jmtools.cli.main import main

    pj = plain[3]
    blank = int((plain[0]["claim_no"].fillna("").astype(str).str.strip() == "").sum())
    assert main(["discover", str(world)]) == 0
    said = capsys.readouterr().err
    assert (f"counted per claim (loading.yaml: events, case: claim_no), as the reports count: {len(pj)} claims of "
            f"{pj['customer'].nunique()} customers; {blank} events without a claim_no") in said
    assert f"({len(pj)} claims)" in said
    for k in (3, 4):                                    # the decision and the closing: claims, as the funnel
        assert f"— {int((pj['furthest'] >= k).sum())} claims (" in said
    assert " customers (" not in said


def test_validate_says_per_what_it_counts(world, plain, capsys):
    from jmtools.cli.main import main

    pj = plain[3]
    assert main(["validate", str(world / "journey.yaml"), "--data", str(world)]) == 0
    said = capsys.readouterr().err
    assert ("the checks above read the events per customer; the reports count each claim as a journey "
            f"(loading.yaml: events, case: claim_no): {len(pj)} claims of {pj['customer'].nunique()} customers") in said


def test_a_case_named_customer_still_counts_per_case(tmp_path, plain):
    """``case_name: customer`` names the unit, it does not turn the case column off (D260): the
    counts are journeys of the customers behind them, and the captions say "that started"."""
    from jmtools.report.funnel_notes import counted_as
    from jmtools.report.wording import caption, loss_words, unit_of

    pj = plain[3]
    f = _quiet(pipeline.run, str(write_world(tmp_path / "named", case_name="customer")))
    unit = unit_of(f)
    assert unit.per_case and (unit.one, unit.heading) == ("customer", "journeys (customers)")
    assert f.funnel["n"].astype(int).tolist() == [int((pj["furthest"] >= k).sum()) for k in range(1, 5)]
    assert counted_as(f, people=True) == f"journeys (customers) of {pj['customer'].nunique()} customers"
    assert caption("funnel", unit=unit).startswith("Bar length: of the customers that started the journey")
    loss = {"drop_off": 18, "n_prev": 20, "drop_off_rate": 0.9, "hidden": False, "open": 2,
            "all": {"drop_off": 20, "n_prev": 22, "drop_off_rate": 20 / 22}}
    assert loss_words(loss, unit=unit).startswith("18 of the 20 customers that had time to go on")
