"""Journeys per case (D238): each claim is a journey; personas and answers still belong to the customer.

A seeded claims world (tests/case_world.py: customers with 1–3 claims, the last one perhaps open,
answers between claims, logins without a claim number, a claim number two customers share) is run
with ``events: {case: claim_no}`` and without it; every count is checked against plain pandas.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from case_world import END, EVENTS, SHARED, STAGES, claims_world, plain_journeys, write_world
from jmtools import pipeline
from jmtools.analyses.compare import still_open_steps
from jmtools.analyses.funnels import time_between_stages
from jmtools.core.errors import DataError, ParameterError
from jmtools.sources import load_world
from jmtools.sources.cases import CASE_SEP


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    return write_world(tmp_path_factory.mktemp("claims"))


@pytest.fixture(scope="module")
def run(world):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return pipeline.run(str(world))


@pytest.fixture(scope="module")
def plain():
    events, customers, surveys = claims_world()
    return events, customers, surveys, plain_journeys(events)


def test_funnel_counts_each_claim(run, plain):
    pj = plain[3]
    expected = [int((pj["furthest"] >= k).sum()) for k in range(1, 5)]
    assert run.funnel["n"].astype(int).tolist() == expected
    assert run.cases.n_journeys == len(pj) == run.n_customers
    assert run.cases.n_customers == pj["customer"].nunique() == run.n_people
    assert len(pj) > pj["customer"].nunique() + 100       # the world has many customers with several claims


def test_without_the_option_every_customer_is_one_journey(tmp_path, plain):
    events = plain[0]
    folder = write_world(tmp_path / "per_customer", per_case=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = pipeline.run(str(folder))
    stage = events["event"].map(dict(zip(EVENTS, range(1, 5))))
    expected = [int(events.loc[stage == k, "customer_id"].nunique()) for k in range(1, 5)]
    assert f.cases is None and f.n_people == f.n_customers
    assert f.funnel["n"].astype(int).tolist() == expected
    from jmtools.report.headline import headline_items
    assert "journeys" not in headline_items(f)[0]["text"]


def test_waits_are_per_claim(run, plain):
    pj = plain[3]
    waits = time_between_stages(run.evidence, steps=STAGES)
    for a, b in zip(STAGES, STAGES[1:]):
        gap = ((pj[f"t_{b}"] - pj[f"t_{a}"]).dt.total_seconds() / 3600).dropna()
        row = waits[waits["step"] == b].iloc[0]
        assert int(row["n"]) == len(gap)
        assert row["median_h"] == pytest.approx(float(np.median(gap)))
    assert waits["p90_h"].max() < 10 * 24          # the planted waits; no wait spans two claims


def test_still_open_counts_claims(run, plain):
    pj = plain[3]
    opened = still_open_steps(run.evidence, steps=STAGES)
    mine = opened[opened["persona"] == ""]
    assert len(mine)
    for r in mine.itertuples():
        a, b = f"t_{r.from_step}", f"t_{r.step}"
        since = pd.Timestamp(r.since)
        recent = pj[a].notna() & (pj[a] > since)
        assert int(r.left_out) == int(recent.sum())
        assert int(r.open) == int((recent & pj[b].isna()).sum())
        assert r.window_hours < 10 * 24             # a claim's own wait, not the time between claims


def test_personas_select_customers_and_all_their_claims_follow(run, plain):
    customers, pj = plain[1], plain[3]
    plan = pj.merge(customers, left_on="customer", right_on="customer_id")["plan"]
    sizes = run.evidence.persona_sizes.set_index("persona")["n_customers"]
    assert int(sizes["Basis"]) == int((plan == "basic").sum())
    assert int(sizes["Premium"]) == int((plan == "premium").sum())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        premium = pipeline.run(pipeline.prepare_world(str(run.world.folder)), persona="Premium")
    people = pj.merge(customers, left_on="customer", right_on="customer_id")
    assert premium.n_people == people.loc[people["plan"] == "premium", "customer"].nunique()
    assert premium.n_customers == int((plan == "premium").sum())


def test_a_segment_selects_customers_and_counts_their_claims(world, plain):
    customers, pj = plain[1], plain[3]
    premium = set(customers.loc[customers["plan"] == "premium", "customer_id"])
    mine = pj[pj["customer"].isin(premium)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = pipeline.run(str(world), segment="plan == 'premium'")
    assert f.funnel["n"].astype(int).tolist() == [int((mine["furthest"] >= k).sum()) for k in range(1, 5)]
    assert f.segment_customers == len(premium) and f.n_people == mine["customer"].nunique()


def test_a_given_assignment_follows_each_claim(world, run, plain):
    customers = plain[1]
    given = customers.assign(persona=customers["plan"].map({"basic": "Basis", "premium": "Premium"}))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = pipeline.run(str(world), assignment=given[["customer_id", "persona"]])
    from jmtools.analyses.funnels import funnel

    by_rule = funnel(run.evidence, steps=STAGES, by="persona")
    by_given = funnel(f.evidence, steps=STAGES, by="persona")
    assert by_given["n"].tolist() == by_rule["n"].tolist()
    assert int(by_given.loc[by_given["persona"] == "Premium", "n"].iloc[0]) == int(
        run.evidence.persona_sizes.set_index("persona").loc["Premium", "n_customers"])


def _journey_at(answers: pd.DataFrame, pj: pd.DataFrame) -> list:
    """Plain loops: the claim whose first event is the latest at or before the answer, else the first."""
    out = []
    for a in answers.itertuples():
        mine = pj[pj["customer"] == a.customer_id].sort_values("t_first")
        before = mine[mine["t_first"] <= a.timestamp]
        row = before.iloc[-1] if len(before) else mine.iloc[0]
        out.append(f"{a.customer_id}{CASE_SEP}{row['claim']}")
    return out


def test_answers_go_to_the_claim_the_customer_was_in(run, plain):
    surveys, pj = plain[2], plain[3]
    pj = pj.assign(t_first=pj[[f"t_{s}" for s in STAGES]].min(axis=1))
    answers = surveys.assign(timestamp=pd.to_datetime(surveys["timestamp"]))
    expected = _journey_at(answers, pj)
    got = run.tables["surveys"].sort_values(["customer_id", "timestamp"])
    want = answers.assign(customer_id=expected).sort_values(["customer_id", "timestamp"])
    assert got["customer_id"].tolist() == want["customer_id"].tolist()
    counts = run.cases.answers["surveys"]
    before = sum(1 for a in answers.itertuples() if a.timestamp < pj.loc[pj["customer"] == a.customer_id,
                                                                          "t_first"].min())
    assert counts["before_first"] == before > 0
    assert counts["by_time"] == len(surveys) and counts["no_case"] == 0


def test_an_answer_file_with_the_case_column_keeps_its_case(tmp_path):
    folder = write_world(tmp_path / "named")
    events, _, surveys = claims_world()
    first = plain_journeys(events).sort_values("t_Meldung").drop_duplicates("customer")
    named = surveys.merge(first[["customer", "claim"]], left_on="customer_id", right_on="customer")
    named = named.drop(columns="customer").rename(columns={"claim": "claim_no"})
    named.to_csv(folder / "surveys.csv", index=False)        # every answer names the customer's first claim
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        f = pipeline.run(str(folder))
    got = f.tables["surveys"]["customer_id"].tolist()
    assert sorted(got) == sorted((named["customer_id"] + CASE_SEP + named["claim_no"]).tolist())
    assert f.cases.answers["surveys"]["by_column"] == len(named)


def test_events_without_a_claim_and_shared_claim_numbers_are_counted_and_said(run, plain):
    events = plain[0]
    blank = int((events["claim_no"].fillna("").astype(str).str.strip() == "").sum())
    holders = events[events["claim_no"] == SHARED]["customer_id"].nunique()
    assert blank > 0 and holders == 2
    assert run.cases.no_case == blank
    assert (run.cases.shared_values, run.cases.shared_journeys) == (1, 2)
    note = run.cases.note()
    assert f"{blank:,} events without a claim_no belong to no claim and are left out" in note
    assert "1 claim value is held by more than one customer (2 journeys)" in note
    assert run.evidence.n_events == len(events) - blank


def test_the_headline_says_journeys_and_customers(run, plain):
    from jmtools.report.headline import headline_items

    pj = plain[3]
    text = headline_items(run)[0]["text"]
    assert text.startswith(f"{len(pj):,} journeys (claims) of {pj['customer'].nunique():,} customers with events")
    assert "of claims reach Abschluss" in text


def test_a_case_column_that_does_not_exist_is_located(tmp_path):
    folder = write_world(tmp_path / "typo")
    (folder / "loading.yaml").write_text("events:\n  tz: UTC\n  case: claim_nr\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_world(folder)
    p = err.value.problems[0]
    assert p.source.endswith("loading.yaml") and p.line == 3 and p.column == "claim_nr"
    assert "did you mean 'claim_no'" in p.fix and "events.csv" in p.message


def test_case_is_an_option_of_the_event_log_only(tmp_path):
    folder = write_world(tmp_path / "where")
    (folder / "loading.yaml").write_text("surveys:\n  case: claim_no\n", encoding="utf-8")
    with pytest.raises(DataError, match="case is for events only"):
        load_world(folder)


def test_empty_case_values_only(tmp_path):
    folder = write_world(tmp_path / "empty")
    events = pd.read_csv(folder / "events.csv").assign(claim_no="")
    events.to_csv(folder / "events.csv", index=False)
    w = load_world(folder)
    with pytest.raises(DataError, match="no event has a claim_no"):
        pipeline.prepare_world(w)


def test_comparisons_not_yet_per_case_refuse(world):
    with pytest.raises(ParameterError, match="per-case journeys are counted by pipeline.run"):
        pipeline.compare_periods(str(world), "2025-01-01")


def test_notebooks_that_count_customers_say_so(world, tmp_path):
    from jmtools.report.caveats import show_not_per_case

    said = []
    assert show_not_per_case(load_world(world), show=lambda m: said.append(m.data))
    assert "Counted per customer here, not per claim" in said[0] and "claim\\_no" in said[0]   # markdown-escaped
    assert not show_not_per_case(load_world(write_world(tmp_path / "pc", per_case=False)))


def test_open_claims_are_the_last_ones(plain):
    """The planted world: every open claim started within 4 days of the export's end."""
    pj = plain[3]
    recent = pj["t_Meldung"] > END - pd.Timedelta(days=4)
    assert recent.sum() > 50
    assert (pj.loc[recent, "furthest"] <= 2).all()


@pytest.mark.parametrize("option,column", [("case", "claim_no"), ("actor", "user_id")])
@pytest.mark.parametrize("optional", ["false", "[channel]"])
def test_a_load_keeping_few_columns_keeps_the_case_or_actor_column(tmp_path, option, column, optional):
    """`optional: false` dropped the column `case:` (or `actor:`) names, and the check then said
    the event log had no such column, though the file has it (D264)."""
    (tmp_path / "events.csv").write_text("customer_id,timestamp,event,channel,claim_no,user_id,region\n"
                                         "a,2024-01-01,view,web,K1,u1,north\na,2024-01-02,buy,web,K1,u2,north\n")
    (tmp_path / "loading.yaml").write_text(f"events:\n  optional: {optional}\n  {option}: {column}\n")
    got = load_world(tmp_path).events.to_pandas()
    assert column in got.columns and "region" not in got.columns
    assert ("channel" in got.columns) == (optional != "false")
