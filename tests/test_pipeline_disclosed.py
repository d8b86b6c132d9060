"""jmtools/pipeline/_disclosed.py: whatever ``min_n`` is, no group of fewer than 5 customers leaves the
chain with its numbers — pain-point evidence (text with n per persona, stakes) and emotion-curve points.

The world: the e-commerce sample with a persona "Tiny Tim" of 3 customers, all of whom leave at
Consideration with a survey answer there, run with ``min_n=2``.
"""

from __future__ import annotations

import re
import shutil

import numpy as np
import pandas as pd
import pytest

from jmtools import pipeline
from jmtools.analyses.disclosure import MIN_GROUP

TINY = "Tiny Tim"


@pytest.fixture(scope="module")
def tiny_world(tmp_path_factory):
    from pathlib import Path

    source = Path(__file__).resolve().parents[1] / "data" / "ecommerce"
    if not (source / "events.parquet").exists():
        pytest.skip("sample world ecommerce not generated (jmtools sample-data)")
    folder = tmp_path_factory.mktemp("tiny") / "world"
    shutil.copytree(source, folder)
    first = pipeline.run(folder, min_n=30)
    reached = first.evidence.events.select("customer_id", "stage").distinct().to_pandas()
    stages = reached.groupby("customer_id")["stage"].agg(set)
    left = {c for c, s in stages.items() if "Consideration" in s and "Decision" not in s}
    surveys = pd.read_csv(folder / "surveys.csv")
    asked = surveys[(surveys["stage"] == "Consideration") & surveys["customer_id"].isin(left)]
    chosen = asked.sort_values(["score", "customer_id"])["customer_id"].drop_duplicates().head(3)
    customers = pd.read_csv(folder / "customers.csv")
    customers.assign(vip=customers["customer_id"].isin(set(chosen))).to_csv(folder / "customers.csv", index=False)
    journey = (folder / "journey.yaml").read_text()
    (folder / "journey.yaml").write_text(journey.replace(
        "personas:\n  - name: Budget Ben", f"personas:\n  - name: {TINY}\n    rule: \"vip == True\"\n"
        "  - name: Budget Ben", 1))
    return folder


@pytest.fixture(scope="module")
def low_min_n(tiny_world):
    return pipeline.run(tiny_world, min_n=2)


def _no_floor(comparisons):
    """The comparisons as computed, with no disclosure floor at all."""
    out = comparisons.copy()
    out.attrs["few_customers"] = 0
    return out


def _named_small(texts) -> list[str]:
    """Evidence parts that name a group of fewer than 5: ``(n=3)``."""
    return [m for t in texts for m in re.findall(r"\(n=([0-9,]+)\)", str(t)) if int(m.replace(",", "")) < MIN_GROUP]


def test_the_world_has_a_persona_of_three_customers(low_min_n):
    sizes = low_min_n.evidence.persona_sizes.set_index("persona")["n_customers"]
    assert sizes[TINY] == 3


def test_without_the_floor_the_evidence_would_name_the_three(tiny_world, monkeypatch):
    """The oracle: comparing with min_n=2 as asked, every persona included, puts "Tiny Tim: … (n=…)"
    in the evidence text (5 survey answers and texts from its 3 customers)."""
    from jmtools.pipeline import _chain

    monkeypatch.setattr(_chain, "disclosure_floor", lambda min_n: min_n)
    monkeypatch.setattr(_chain, "small_personas", lambda *args: set())
    monkeypatch.setattr(_chain, "disclosed_comparisons", lambda c, small: _no_floor(c))
    leaky = pipeline.run(tiny_world, min_n=2)
    texts = leaky.pain_points.table["evidence"]
    assert any(f"{TINY}: " in t for t in texts)


def test_pain_points_never_describe_fewer_than_five(low_min_n):
    table, evidence = low_min_n.pain_points.table, low_min_n.pain_points.evidence
    assert not any(TINY in t for t in table["evidence"]) and not _named_small(table["evidence"])
    assert not _named_small(table["lift_basis"])
    assert all(s["customers"] >= MIN_GROUP for stake in table["stake"] for s in stake)
    assert TINY not in {p for ps in table["personas"] for p in ps}
    flagged = evidence[evidence["flagged"]]
    assert len(flagged) and (flagged["n"] >= MIN_GROUP).all() and (flagged["baseline_n"] >= MIN_GROUP).all()
    assert low_min_n.options["min_n"] == 2 and low_min_n.options["min_n_compared"] == MIN_GROUP


def test_curve_points_of_fewer_than_five_customers_lose_their_numbers(low_min_n):
    raw = pipeline.run(low_min_n.world, min_n=2)  # the same world: the curve before disclosure is not kept
    curve = raw.curve
    small = curve[(curve["persona"] != "all") & curve["suppressed"]]
    assert TINY in set(small["persona"]) and small["valence"].isna().all() and small["n"].isna().all()
    assert (small["sources"] == "hidden").all()
    shown = curve[~curve["suppressed"]]
    assert not ((shown["n_customers"] > 0) & (shown["n_customers"] < MIN_GROUP)).any()
    # "all" minus the points shown reveals no small group: the customers in no persona, or the
    # stage's smallest other persona point, make the rest 5 or more (D78)
    total = curve[curve["persona"] == "all"].set_index("stage")["n_customers"]
    for stage in small["stage"].unique():
        mine = shown[(shown["stage"] == stage) & (shown["persona"] != "all")]
        assert total[stage] - mine["n_customers"].sum() >= MIN_GROUP
    assert TINY not in set(raw.moments["persona"])
    note = raw.options["disclosure_note"]
    assert note.startswith("No group of fewer than 5 customers is shown") and "min_n = 2 was raised to 5" in note
    assert "1 persona of fewer than 5 customers is not compared for pain points" in note
    k = int(curve.attrs["hidden_points"])
    assert f"{k} point{'s' if k != 1 else ''} of the emotion curve" in note


def test_the_report_shows_the_note_once_and_the_curve_table_says_hidden(low_min_n, monkeypatch):
    from jmtools.report import sections

    shown = []
    monkeypatch.setattr(sections.kit, "display", lambda *objs: shown.extend(objs))
    sections.at_a_glance(low_min_n)
    sections.feelings(low_min_n)
    sections.where_it_hurts(low_min_n)
    texts = [getattr(o, "data", "") for o in shown if isinstance(getattr(o, "data", None), str)]
    assert sum("No group of fewer than 5 customers is shown" in t for t in texts) == 1
    assert not any(f"{TINY}: " in t for t in texts)
    specs = [o.to_dict() for o in shown if hasattr(o, "to_dict")] + [
        o.chart.to_dict() for o in shown if hasattr(getattr(o, "chart", None), "to_dict")]
    points = [r for s in specs for rows in s.get("datasets", {}).values() for r in rows
              if isinstance(r, dict) and r.get("who") == TINY and "n" in r]
    assert points and not [r for r in points if r["n"] and 0 < r["n"] < MIN_GROUP]   # the panel is drawn, empty


def test_nothing_changes_where_no_group_is_small():
    from jmtools.pipeline._disclosed import disclosure_note
    from jmtools.pipeline._disclosed_grid import disclosed_curve

    curve = pd.DataFrame({"persona": ["all", "Ben"], "stage": ["A", "A"], "valence": [0.5, 0.4],
                          "n": [40, 30], "n_customers": [40, 30], "sources": ["s", "s"]})
    out = disclosed_curve(curve)
    assert out["n"].dtype == curve["n"].dtype and not out["suppressed"].any()
    assert disclosure_note(30, out) == ""


def test_survey_kpis_of_fewer_than_five_answers_are_hidden(tiny_world, monkeypatch):
    """The report about the 3-customer persona: its KPI rows (at most 3 customers) say "hidden"."""
    from jmtools.report import sections

    f = pipeline.run(tiny_world, persona=TINY, min_n=2)
    kp = f.kpis_shown
    assert kp["suppressed"].any() and kp.loc[kp["suppressed"], ["value", "ci_low", "ci_high", "n"]].isna().all().all()
    assert not ((kp["n"] > 0) & (kp["n"] < MIN_GROUP)).any()
    assert not f.map_evidence["kpis"]["suppressed"].any()
    assert "survey KPI" in f.options["disclosure_note"]
    shown = []
    monkeypatch.setattr(sections.kit, "display", lambda *objs: shown.extend(objs))
    sections.survey_kpis(f)
    rows = re.findall(r"<tr>(.*?)</tr>", shown[0].data)
    hidden_rows = [r for r in rows if "hidden" in r]
    assert len(hidden_rows) == int(kp["suppressed"].sum())
    assert all(r.count("hidden") == 3 for r in hidden_rows)                  # value, interval, answers


# ------------------------------------------------------------------ customers, not answers
CHATTY = "Chatty Cathy"


@pytest.fixture(scope="module")
def chatty_world(tmp_path_factory):
    """A world shaped unlike the samples: a persona of 8 customers of whom only 2 answer surveys,
    each many times (8 very negative answers at Consideration): 16 answers, 2 customers."""
    from small_groups import loud_persona_world

    folder = loud_persona_world(tmp_path_factory.mktemp("chatty") / "world", customers=8, talkers=2,
                                answers_each=8, name=CHATTY)
    if folder is None:
        pytest.skip("sample world ecommerce not generated (jmtools sample-data)")
    return folder


@pytest.fixture(scope="module")
def chatty(chatty_world):
    return pipeline.run(chatty_world, min_n=2)


def test_the_loud_persona_is_not_small_but_its_answers_come_from_two(chatty):
    sizes = chatty.evidence.persona_sizes.set_index("persona")["n_customers"]
    assert sizes[CHATTY] == 8                                   # not a small persona
    signals = chatty.pain_points.signals
    loud = signals[(signals["persona"] == CHATTY) & (signals["signal"] == "negative valence")
                   & (signals["stage"] == "Consideration") & signals["touchpoint"].isna()]
    assert loud[["n", "n_customers"]].values.tolist() == [[16, 2]]


def test_without_counting_customers_the_two_would_be_named(chatty_world, monkeypatch):
    """The oracle: the rule reading answers (``n``) as before flags the loud persona's valence."""
    from jmtools.pipeline import _chain, _disclosed

    def by_answers(comparisons, small):
        return _disclosed.disclosed_comparisons(
            comparisons.drop(columns=["n_customers", "baseline_customers"]), small)

    monkeypatch.setattr(_chain, "disclosed_comparisons", by_answers)
    leaky = pipeline.run(chatty_world, min_n=2)
    assert any(f"{CHATTY}: " in t for t in leaky.pain_points.table["evidence"])


def test_pain_points_count_customers_not_answers(chatty):
    table, evidence = chatty.pain_points.table, chatty.pain_points.evidence
    assert not any(f"{CHATTY}: " in t for t in table["evidence"])
    assert CHATTY not in {p for ps in table["personas"] for p in ps}
    flagged = evidence[evidence["flagged"]]
    assert len(flagged) and (flagged["n_customers"] >= MIN_GROUP).all()
    assert (flagged["baseline_customers"] >= MIN_GROUP).all()
    note = chatty.options["disclosure_note"]
    assert "a customer counts once" in note and "comparison" in note and "fewer than 5 customers on a side" in note


def test_kpis_count_customers_not_answers(chatty_world):
    f = pipeline.run(chatty_world, persona=CHATTY, min_n=2)
    kp = f.kpis
    here = kp[(kp["stage"] == "Consideration") & (kp["metric"] == "csat")]
    assert here["suppressed"].all() and here["value"].isna().all()       # 16 answers, 2 customers
    assert not f.map_evidence["kpis"]["stage"].eq("Consideration").any()


def test_notebook_04_comparisons_count_customers():
    from jmtools.report.pain_steps import show_comparisons

    ev = pd.DataFrame({"stage": ["S"] * 2, "touchpoint": [None] * 2, "persona": ["Ben", "Loud"],
                       "signal": ["negative valence"] * 2, "value": [-0.5, -1.9], "n": [60, 16],
                       "n_customers": [55.0, 2.0], "baseline": [0.3] * 2, "baseline_n": [900, 900],
                       "baseline_customers": [700.0, 700.0], "versus": ["other personas"] * 2,
                       "effect": [0.8, 2.1], "z": [6.0, 5.0], "counts": [True] * 2, "flagged": [True] * 2})
    shown = show_comparisons(pd.Series({"stage": "S", "touchpoint": None}), ev)
    assert shown["suppressed"].tolist() == [False, True]


# ------------------------------------------------------------- a report about 1–4 customers
def test_a_report_about_three_customers_shows_sections_without_their_numbers(tiny_world):
    """Notebook 00 (the report) for the 3-customer persona, in-process: it runs to the end, every
    section is there, its size, funnel, KPIs and curve say "fewer than 5" or "hidden", and no
    figure recorded for the index describes the three."""
    from inprocess import run_cells

    from pathlib import Path

    nb00 = Path(__file__).resolve().parents[1] / "notebooks" / "00_journey_report.ipynb"
    run = run_cells(nb00, {"data_dir": str(tiny_world), "persona": TINY})
    f = run.namespace["f"]
    assert f.focus_hidden and f.reached_last is None and f.funnel["n"].isna().all()
    assert f.funnel["step"].tolist() == f.funnel_all["step"].tolist()          # the steps stay
    texts = [getattr(o, "data", "") for o in run.displayed if isinstance(getattr(o, "data", None), str)]
    joined = "\n".join(texts)
    assert f"{TINY}: fewer than 5 customers — its funnel is not shown" in joined
    assert "fewer than 5 customers with events" in joined                      # the headline
    assert "fewer than 5 (not shown)" in joined                                # the persona card
    assert f"{TINY} has fewer than 5 customers, so its size, funnel" in f.options["disclosure_note"]
    charts = [o.to_dict() for o in run.displayed if hasattr(o, "to_dict")] + [
        o.chart.to_dict() for o in run.displayed if hasattr(getattr(o, "chart", None), "to_dict")]
    assert not [c for c in charts if "How far" in str(c.get("title", ""))]    # no funnel chart
    figures = run.figures
    assert "customers" not in figures and "reached_last_stage" not in figures
    assert not [k for k in figures if k.startswith("funnel_")]
    assert not [k for k in figures if k.startswith(("nps_", "lowest_emotion"))]


def test_a_persona_of_five_or_more_keeps_its_funnel(tiny_world):
    f = pipeline.run(tiny_world, persona="Budget Ben", min_n=2)
    assert not f.focus_hidden and f.funnel["n"].notna().all() and f.reached_last is not None


# ------------------------------------------- a funnel step of 1–4 customers inside a larger persona
@pytest.fixture(scope="module")
def thin_world(tmp_path_factory):
    from small_groups import built, thin_end_world

    return built(thin_end_world, tmp_path_factory.mktemp("thin") / "world")


@pytest.fixture(scope="module")
def thin(thin_world):
    from small_groups import THIN

    return pipeline.run(thin_world, persona=THIN)


def test_the_thin_persona_has_twenty_customers_of_whom_two_reach_the_end(thin):
    """The planted shape, read from the funnel as computed (no rule): 20 at the start, 2 at the end."""
    from jmtools.analyses.funnels import funnel

    raw = funnel(thin.evidence, steps=thin.evidence.mapped_stages, by="persona")
    raw = raw[raw["persona"] == thin.focus.persona]
    assert raw["n"].tolist()[0] == 20 and raw["n"].tolist()[-1] == 2
    assert not thin.focus_hidden


def test_a_funnel_step_of_two_customers_loses_its_numbers_not_its_place(thin):
    last = thin.funnel.iloc[-1]
    assert thin.funnel["step"].tolist() == thin.funnel_all["step"].tolist()
    assert bool(last["suppressed"]) and thin.funnel["suppressed"].sum() == 1
    for col in ("n", "conversion", "ci_low", "ci_high", "drop_off", "drop_off_rate", "rate_from_start"):
        assert pd.isna(last[col]), col                       # 20 − drop_off would give the 2 away
    assert thin.funnel["n"].iloc[:-1].tolist() == [20, 20, 20]
    reached = thin.reached_last
    assert reached["hidden"] and reached["share"] is None and reached["finished"] is None
    loss = thin.biggest_loss                                  # the loss is there, said without the 2
    assert (loss["to"], loss["hidden"], loss["drop_off"], loss["n_prev"]) == ("Post-purchase", True, None, 20)
    assert loss["drop_off_rate"] == pytest.approx(16 / 20)    # at least 20 − 4 of 20
    assert "1 funnel step reached by fewer than 5 customers" in thin.options["disclosure_note"]


def test_the_report_says_fewer_than_five_at_that_step(thin_world):
    """Notebook 00 in process for the thin persona: the funnel chart, table, headline and cards say
    "fewer than 5"; no number, share or recorded figure describes the two."""
    from inprocess import run_cells
    from pathlib import Path
    from small_groups import THIN

    nb00 = Path(__file__).resolve().parents[1] / "notebooks" / "00_journey_report.ipynb"
    run = run_cells(nb00, {"data_dir": str(thin_world), "persona": THIN})
    texts = "\n".join(getattr(o, "data", "") for o in run.displayed if isinstance(getattr(o, "data", None), str))
    assert "fewer than 5 of 20 customers go on" in texts                   # the biggest loss, in words
    assert "fewer than 5 of 20 reach Post-purchase (not shown)" in texts   # the headline
    assert 'data-label="customers">fewer than 5</td>' in texts              # the funnel table
    assert "1 funnel step reached by fewer than 5 customers is shown as" in texts
    assert "(n=2)" not in texts and "10.0%" not in texts
    charts = [o.to_dict() for o in run.displayed if hasattr(o, "to_dict")] + [
        o.chart.to_dict() for o in run.displayed if hasattr(getattr(o, "chart", None), "to_dict")]
    funnel = [c for c in charts if "How far" in str(c.get("title", ""))]
    assert len(funnel) == 1
    rows = [r for d in funnel[0]["datasets"].values() for r in d if r.get("group") == THIN]
    assert rows and [r["n"] for r in rows] == [20, 20, 20, None]
    assert rows[-1]["text"] == "fewer than 5 customers (not shown)"
    assert "funnel_4" not in run.figures and "reached_last_stage" not in run.figures
    assert run.figures["funnel_3"]["value"] == 1.0


def test_the_report_says_fewer_than_five_match_several_personas_and_no_total_gives_them(monkeypatch):
    """The e-commerce sample itself: 3 of its 4,000 customers with events match several personas.
    The report said "3 (0.1%) match several personas" beside 3,899 and 98 of 4,000 (so the 3
    could be read off by subtraction too). Now it says "fewer than 5" and counts them with
    those in exactly one persona (3,902 match at least one); "no persona" stays exact."""
    import sys
    from pathlib import Path

    from jmtools.report import sections

    folder = Path(__file__).resolve().parents[1] / "data" / "ecommerce"
    if not (folder / "events.parquet").exists():
        pytest.skip("sample world ecommerce not generated (jmtools sample-data)")
    f = pipeline.run(folder)
    coverage = f.evidence.coverage.set_index("coverage")["n"]
    assert coverage["several personas"] == 3 and coverage["no persona"] == 98   # the shape under test
    shown = []
    monkeypatch.setattr(sections.kit, "display", lambda *objs: shown.extend(str(getattr(o, "data", o)) for o in objs))
    monkeypatch.setattr(sys.modules["jmtools.report.record"], "_emit", lambda payload: None)
    monkeypatch.setattr(sections, "_journey_fit", lambda f: None)
    sections.data_behind(f)
    [sentence] = [s for s in shown if "customers with events" in s]
    assert "3,902 (97.5%) match at least one persona and 98 (2.5%) match no persona" in sentence
    assert "fewer than 5 match several personas" in sentence
    assert "3,899" not in sentence and not re.search(r"(?<![\d,.])3(?![\d,.])", sentence)  # not the 3, nor 3,899
    assert "so that no group of fewer than 5 customers can be picked out" in sentence


def _moves_log():
    """30 customers go A → B; x and y go A → C → A → D, z goes A → C: the moves A → C (3 customers)
    and A → D (2) are left out, and they share x and y — 5 by their sum, 3 distinct."""
    rows = [(f"b{i:02d}", ["a", "b"]) for i in range(30)] + [("x", ["a", "c", "a", "d"]),
                                                            ("y", ["a", "c", "a", "d"]), ("z", ["a", "c"])]
    events = pd.DataFrame([{"customer_id": c, "event": e, "timestamp": pd.Timestamp("2024-01-01") + pd.Timedelta(minutes=i)}
                           for c, seq in rows for i, e in enumerate(seq)])
    journey = {"stages": ["S"], "touchpoints": [{"name": t.upper(), "stage": "S", "events": [t]} for t in "abcd"]}
    return events, journey


def _left_out_customers(events, shown):
    """Plain pandas: per touchpoint with a move shown (its total beside it), the distinct customers
    whose moves out of it are not shown."""
    e = events.sort_values(["customer_id", "timestamp"]).assign(node=lambda d: d["event"].str.upper())
    e["nxt"] = e.groupby("customer_id")["node"].shift(-1)
    pairs = e.dropna(subset=["nxt"])
    kept = set(map(tuple, shown[["from_step", "to_step"]].to_numpy()))
    gone = pairs[[(a, b) not in kept for a, b in pairs[["node", "nxt"]].to_numpy()]]
    gone = gone.groupby("node")["customer_id"].nunique()
    return gone.reindex(sorted(set(shown["from_step"])), fill_value=0)


def test_moves_left_out_of_a_step_are_five_distinct_customers_or_none():
    """Moves left out of a step (``within``) counted by their sum reached 5 with 3 customers (x and y
    make both moves): A → B, 30 of 35 moves out of A, gave away the 5 moves of those 3. The
    largest row left out is now 5 or more customers, so A → B goes too."""
    from jmtools.analyses.funnels import transitions
    from jmtools.evidence import prepare

    events, journey = _moves_log()
    moves = transitions(prepare(events, journey), level="touchpoint")
    counts = moves.set_index(["from_step", "to_step"])["n_customers"]
    assert counts[("A", "C")] == 3 and counts[("A", "D")] == 2 and counts[("A", "B")] == 30
    shown = pipeline.disclosed_table(moves, "n_customers", within="from_step")
    assert not (shown["from_step"] == "A").any()
    gone = _left_out_customers(events, shown)
    assert ((gone == 0) | (gone >= MIN_GROUP)).all(), gone.to_dict()
    before = _left_out_customers(events, moves[moves["n_customers"] >= MIN_GROUP])   # the sum's rule kept A → B
    assert before.to_dict() == {"A": 3}
    assert shown.attrs["hidden_rows"] == len(moves) - len(shown)


def test_moves_with_five_distinct_customers_left_out_keep_the_rest():
    """A row of 5 or more is not left out when the rows of 1–4 of its step cannot share customers
    beyond 5: here 6 more customers go A → E, so A → E (6) is left out with them and A → B stays."""
    from jmtools.analyses.funnels import transitions
    from jmtools.evidence import prepare

    events, journey = _moves_log()
    extra = pd.DataFrame([{"customer_id": f"e{i}", "event": e, "timestamp": pd.Timestamp("2024-01-02") + pd.Timedelta(minutes=j)}
                          for i in range(6) for j, e in enumerate(["a", "e"])])
    journey["touchpoints"].append({"name": "E", "stage": "S", "events": ["e"]})
    events = pd.concat([events, extra], ignore_index=True)
    moves = transitions(prepare(events, journey), level="touchpoint")
    shown = pipeline.disclosed_table(moves, "n_customers", within="from_step")
    assert shown.loc[shown["from_step"] == "A", "to_step"].tolist() == ["B"]
    gone = _left_out_customers(events, shown)
    assert gone["A"] == 9 and ((gone == 0) | (gone >= MIN_GROUP)).all()

def test_hidden_as_text_one_mechanism_for_fewer_and_not_shown():
    """``with_fewer`` writes over the cells of its columns in rows marked suppressed (none in a
    frame without the mark); ``not_shown`` writes only in missing numbers, in marked rows, rows
    whose counts were hidden and every row of an unmarked frame: the numbers shown stay."""
    from jmtools.report.steps import not_shown

    f = pd.DataFrame({"step": ["A", "B", "C"], "n": [20.0, 3.0, None], "conversion": [1.0, None, None],
                      "total": [50, 50, 50], "suppressed": [False, True, False]})
    f.attrs["counts_hidden"] = [2, 9]                       # 9: a position past the end is ignored
    fewer = pipeline.with_fewer(f)
    assert fewer["n"].tolist()[:2] == [20.0, "fewer than 5"]
    assert pd.isna(fewer["n"].iloc[2]) and fewer["total"].tolist() == [50, 50, 50]
    shown = not_shown(f)
    assert shown["n"].tolist() == [20.0, 3.0, "not shown"]        # 3 is shown: not written over
    assert shown["conversion"].tolist() == [1.0, "not shown", "not shown"]
    assert shown["total"].dtype == f["total"].dtype and shown["suppressed"].dtype == bool
    unmarked = f.drop(columns="suppressed")
    unmarked.attrs = {}
    assert pipeline.with_fewer(unmarked).equals(unmarked)
    assert not_shown(unmarked)["conversion"].tolist() == [1.0, "not shown", "not shown"]
    assert f["n"].tolist()[:2] == [20.0, 3.0] and f["n"].dtype == float      # input untouched


@pytest.mark.parametrize("starters", [1, 4])
def test_a_first_step_nobody_reached_does_not_give_the_size_it_starts_from(starters):
    """A first step reached by none of 1–4 customers shows 0, and not the 1–4 it starts from."""
    funnel = pd.DataFrame({"step_index": [1, 2], "step": ["A", "B"], "n": [0, 0],
                           "n_prev": [starters, 0], "n_customers": [starters, starters],
                           "conversion": [0.0, 0.0]})
    shown = pipeline.disclosed_steps(funnel)
    assert shown["n"].tolist() == [0, 0]
    assert shown["n_prev"].isna().tolist() == [True, False] and shown["n_customers"].isna().all()
    wide = funnel.assign(n_prev=[MIN_GROUP, 0], n_customers=MIN_GROUP)
    assert pipeline.disclosed_steps(wide)["n_prev"].tolist() == [MIN_GROUP, 0]


def test_a_table_by_persona_hides_the_small_persona_and_the_group_protecting_it():
    """disclosed_by_persona: Lou (3) and the group whose size the sizes table hides to protect her lose
    their numbers — Thea when everyone is in a persona, the rows without a persona when "(no persona)"
    protects (D70); a step already hidden by disclosed_steps stays hidden and keeps its note."""
    funnel = pd.DataFrame({"persona": ["Lou", "Thea", "Ben", "Ben", None], "step_index": [1, 1, 1, 2, 1],
                           "step": ["A", "A", "A", "B", "A"], "n": [3, 20, 900, 2, 98],
                           "n_prev": [3, 20, 900, 900, 98], "n_customers": [3, 20, 900, 900, 98]})
    steps = pipeline.disclosed_steps(funnel)
    everyone = pd.DataFrame({"persona": ["Lou", "Thea", "Ben", "(no persona)"],
                             "n_customers": [3, 20, 900, 0]})
    out = pipeline.disclosed_by_persona(steps, everyone)
    assert out["n"].isna().tolist() == [True, True, False, True, False]
    assert out["suppressed"].tolist() == [True, True, False, True, False]
    assert out["step_index"].tolist() == [1, 1, 1, 2, 1] and out["persona"].isna().tolist()[-1]
    assert out.attrs["note"].startswith(steps.attrs["note"])
    assert "1 persona of fewer than 5" in out.attrs["note"]
    nobody = everyone.assign(n_customers=[3, 20, 900, 98])
    out = pipeline.disclosed_by_persona(steps, nobody)
    assert out["n"].isna().tolist() == [True, False, False, True, True]
    assert pipeline.disclosed_by_persona(steps, None) is steps


@pytest.mark.parametrize("base", ["loud_persona_world", "loud_and_thin_world"])
def test_the_curve_kpis_and_funnel_of_every_report_together_give_no_small_persona_back(tmp_path, base):
    """The all-customers report's curve point or survey KPI at a stage, minus those that every
    persona's own report shows there, was 1–4 customers: 4 at Decision, Thin Thea's point that
    the report for all customers hid while Rest Rory's own report showed the point hidden to
    protect it, and KPIs were never compared across personas at all. Now each persona's report
    shows its cells of one grid beside the total, "(no persona)" included (D78). The funnel too:
    the customers reaching Post-purchase (1,213) minus those the personas' funnels showed
    there (1,211) gave back Thin Thea's 2 (D79)."""
    import small_groups

    folder = small_groups.built(small_groups.everyone_in_a_persona_world, tmp_path / "world",
                                base=getattr(small_groups, base))
    if folder is None:
        pytest.skip("no sample world")
    everyone = pipeline.run(folder)
    names = everyone.journey.persona_names
    runs = {p: pipeline.run(folder, persona=p) for p in names}

    def counts(frame, keys, who="all", col=None):
        col = col or ("n_customers" if "n_customers" in frame else "n")
        rows = frame[frame["persona"].astype(object) == who] if "persona" in frame and who != "all" else frame
        rows = rows[rows["persona"].astype(object) == "all"] if "persona" in rows and who == "all" else rows
        return rows.set_index(keys)[col].dropna()

    checked = 0
    for attr, keys, col in (("curve", ["stage"], None), ("kpis", ["stage", "kpi"], None),
                            ("funnel", ["step"], "n"), ("funnel", ["step"], "n_prev"),
                            ("funnel", ["step"], "drop_off")):
        total = counts(getattr(everyone, attr), keys, col=col)
        parts = [counts(getattr(runs[p], attr), keys, p, col=col) for p in names]
        for key, n_all in total.items():
            rest = n_all - sum(part.get(key, 0) for part in parts)
            assert rest == 0 or rest >= MIN_GROUP, (attr, key, n_all, rest)
            checked += 1
    assert checked > 10
    protected = [(p, i) for p in names for i in np.flatnonzero(pipeline.protecting_rows(runs[p].funnel))]
    assert protected if base == "loud_and_thin_world" else True     # Rest Rory's Consideration and end
    for p, i in protected:              # hidden beside the total: "hidden", never "fewer than 5"
        row = pipeline.with_fewer(runs[p].funnel).iloc[i]
        assert row["n"] == "hidden" and runs[p].funnel["suppressed"].iloc[i]
        assert runs[p].biggest_loss is None or runs[p].biggest_loss["to"] != row["step"]
    for p in names:                     # a persona's points are the report for all customers' points
        mine = runs[p].curve[runs[p].curve["persona"] == p].set_index("stage")["valence"]
        theirs = everyone.curve[everyone.curve["persona"] == p].set_index("stage")["valence"]
        pd.testing.assert_series_equal(mine, theirs.loc[mine.index], check_names=False)


def test_disclosed_table_of_no_row_within_a_step_is_no_row():
    """D182: nobody moved between touchpoints (every customer one event): the empty table comes back
    empty, with its columns, instead of failing on the keys of no row."""
    from jmtools.pipeline import disclosed_table

    moves = pd.DataFrame({"from_step": pd.Series([], dtype=str), "to_step": pd.Series([], dtype=str),
                          "n_customers": pd.Series([], dtype=int)})
    out = disclosed_table(moves, "n_customers", within="from_step")
    assert out.empty and list(out.columns)[:3] == ["from_step", "to_step", "n_customers"]
    one = moves.iloc[:0].reindex([0]).assign(from_step="Visit", to_step="Basket", n_customers=30)
    assert disclosed_table(one, "n_customers", within="from_step")["to_step"].tolist() == ["Basket"]
