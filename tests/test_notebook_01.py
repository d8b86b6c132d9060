"""notebooks/01_personas.ipynb runs under papermill on both sample worlds (every persona, with
suggestions); its recorded figures agree with an independent pandas computation and with the
planted truths. What it records for one persona is checked for every persona in-process
(tests/test_persona_reports.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from jmtools.sample_worlds import load_truths, truths_path

from oracles import persona_labels

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOK = ROOT / "notebooks" / "01_personas.ipynb"
#: Clustering agreement the notebook must reach (customers loaded by jmtools.sources).
MIN_ARI = {"ecommerce": 0.7, "b2b": 0.9}


def _truths(world):
    return load_truths(world) if truths_path(world).exists() else None


def _personas(world):
    t = _truths(world)
    return [p["name"] for p in t["personas"]["items"]] if t else []


def _oracle(world):
    """Persona per customer by pandas' own expression engine (DataFrame.query), first rule
    in file order wins; the planted rules are plain comparisons that query understands."""
    customers = pd.read_csv(ROOT / "data" / world / "customers.csv")
    label, hits = persona_labels(customers, [(i["name"], i["rule"])
                                             for i in _truths(world)["personas"]["items"]])
    return customers, label, hits


def _figures(result):
    return {k: v["value"] for k, v in result.records["figures"].items()}


@pytest.fixture(scope="module", params=["ecommerce", "b2b"])
def run(request, notebook_runs):
    """The notebook run once per sample world, for every persona, with suggestions."""
    if not _personas(request.param):
        pytest.skip("sample world not generated")
    _, result = notebook_runs.get(f"nb01_{request.param}")
    return request.param, result


@pytest.mark.slow
def test_notebook_all_personas_with_suggestions(run):
    world, result = run
    fig = _figures(result)
    customers, label, hits = _oracle(world)
    assert fig["customers"] == len(customers)
    assert fig["no_persona_share"] == pytest.approx(label.isna().mean())
    several = int((hits > 1).sum())                               # 1–4: pooled, not recorded (disclosure)
    assert fig.get("several_personas") == (None if 0 < several < 5 else several)
    assert fig["rule_errors"] == 0
    assert fig["suggested_k"] == len(_personas(world))
    assert fig["cluster_ari"] >= MIN_ARI[world]
    text = Path(result.output_path).read_text(encoding="utf-8")
    assert text.count("application/vnd.vega.v5+json") >= 6  # sizes, differences, KPIs, events, choice of k, clusters
    assert text.count('class=\\"jm-persona\\"') >= 2 * len(_personas(world))
    printed = "".join(o.get("text", "") if isinstance(o.get("text"), str) else "".join(o.get("text", []))
                      for c in json.loads(text)["cells"] for o in c.get("outputs", []) if o["output_type"] == "stream")
    left = next(line for line in printed.splitlines() if line.startswith("left out:"))
    assert "{" not in left and "unrelated to every other feature" in left, left   # words, not a dict (D260)


def test_unknown_persona_fails_with_the_list(ecommerce_world):
    from inprocess import run_cells

    from jmtools.core.errors import ParameterError

    with pytest.raises(ParameterError) as err:
        run_cells(NOTEBOOK, {"persona": "Budget Bem", "suggest": False}, worlds=[ecommerce_world.world])
    assert "Budget Ben" in str(err.value)


def test_notebook_declares_its_parameters():
    from jmtools.report.runner import read_parameters

    assert set(read_parameters(NOTEBOOK)) == {"data_dir", "journey_file", "persona", "suggest",
                                              "k", "seed", "min_customers"}
    nb = json.loads(NOTEBOOK.read_text(encoding="utf-8"))
    assert not any(c.get("outputs") for c in nb["cells"] if c["cell_type"] == "code")
    assert nb["metadata"]["kernelspec"]["name"] == "python3"


def test_a_persona_of_three_is_listed_without_its_numbers(tmp_path):
    """A persona of 3 customers (tests/small_groups.py), in-process: its size, attributes, KPIs and
    typical events are listed without numbers, the size that would reveal it by subtraction is
    hidden too, its card says "not shown", the notes say why and no figure describes it."""
    from inprocess import run_cells
    from small_groups import LOUD, built, loud_persona_world

    folder = built(loud_persona_world, tmp_path / "world", customers=3)
    run = run_cells(NOTEBOOK, {"data_dir": str(folder), "suggest": False, "min_customers": 1})
    ns = run.namespace
    sizes = ns["sizes"].set_index("persona")
    assert pd.isna(sizes.loc[LOUD, "n"]) and pd.isna(sizes.loc[LOUD, "share"])
    assert int(sizes["suppressed"].sum()) == 2                        # the three, and one that reveals them
    assert int(sizes["total"].iloc[0]) == int(ns["assignment"]["customer_id"].nunique())
    for name in ("kpis", "profile", "typical"):
        mine = ns[name][ns[name]["persona"] == LOUD]
        assert len(mine) and mine["suppressed"].all(), name           # listed…
        assert mine["n"].isna().all(), name                           # …without numbers
        others = ns[name][ns[name]["persona"] != LOUD]
        assert not [v for v in others["n"] if v == v and 0 < v < 5], name  # nor any row of 1–4
    kpis = ns["kpis"]
    assert kpis.loc[kpis["persona"] == LOUD, "value"].isna().all()
    assert kpis.loc[kpis["persona"] != LOUD, "value"].notna().any()
    card = next(c for c in ns["cards"] if c.name == LOUD).with_profile(ns["sizes"], kpis)
    assert ("customers", "not shown") == card.numbers[-1][:2]
    texts = "\n".join(getattr(o, "data", "") for o in run.displayed if isinstance(getattr(o, "data", None), str))
    assert "1 persona of fewer than 5 customers is listed without its numbers." in texts
    assert "1 more so that the group" in texts and "total does not reveal it" in texts
    assert "rows read" in texts                                        # show_accounting, not the raw frame


#: Columns of notebook 01's tables that count customers (a persona, an overlap, an event's doers).
_COUNTS = ("n", "n_both", "n_a", "n_b", "n_persona", "n_customers")


def _small(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v == v and 0 < v < 5


def _frames(run):
    return [o for o in run.displayed if isinstance(o, pd.DataFrame)]


def _assert_no_size_by_subtraction(run) -> None:
    """The displayed sizes and coverage: no total minus a selection of their counts is 1–4."""
    from shown_sizes import assert_no_group_by_subtraction, shown_counts

    frames = [f for f in _frames(run) if "total" in f]
    assert_no_group_by_subtraction({int(t) for f in frames for t in f["total"]}, shown_counts(frames))


def test_no_table_of_the_notebook_shows_a_group_of_one_to_four(tmp_path):
    """A persona of 3 customers (tests/small_groups.py), with suggestions, in-process. Before:
    the overlaps said "1 customers are also selected by 'Budget Ben'" and n_a = 3 (the persona's
    size), Budget Ben's "newsletter" level held 3 customers (0.003 of 1,065), the base's
    "loud = True" 3 of 4,000, the protecting persona "(no persona)" kept n = 98 in its KPIs (the
    total minus the sizes shown then gave the 3; and with it hidden, the coverage table still
    showed the 98), and the clusters × personas table had cells
    of 1 and 2. Now no count of 1–4 is shown, nor a level's share of 1–4 customers, and the
    hidden cells say "not shown" with a note under each table."""
    from inprocess import run_cells
    from small_groups import built, loud_persona_world

    folder = built(loud_persona_world, tmp_path / "world", customers=3)
    run = run_cells(NOTEBOOK, {"data_dir": str(folder), "suggest": True, "min_customers": 1})
    ns = run.namespace
    for frame in _frames(run):
        for col in _COUNTS:
            if col in frame:
                assert not [v for v in frame[col] if _small(v)], (col, frame.columns.tolist())
    assert not [v for v in ns["crosstab"].to_numpy().ravel() if _small(v)]
    assert not ns["check"]["message"].str.match(r"\d+ customers?\b").any()
    levels = ns["profile"][ns["profile"]["kind"] == "level"]
    assert not [v for v in (levels["value"] * levels["n"]).round() if _small(v)]
    assert not [v for v in (levels["base_value"] * levels["base_n"]).round() if _small(v)]
    guard = ns["sizes"].loc[ns["sizes"]["suppressed"] & (ns["sizes"]["persona"] != "Loud Lou"), "persona"]
    assert list(guard) == ["(no persona)"]     # not a persona: its own report would print its size
    coverage = ns["coverage"].set_index("coverage")                   # the 98 is hidden there too
    assert coverage.loc[["no persona", "one persona"], "n"].isna().all()   # (4,000 − 3,896 − 6 = 98)
    for name in ("kpis", "profile", "typical"):
        rows = ns[name][ns[name]["persona"].astype(str) == "(no persona)"]
        assert rows["n"].isna().all(), name                            # its size is not given back
    maya = ns["sizes"].set_index("persona").loc["Marathon Maya", "n"]
    assert maya == ns["assignment"]["persona"].astype(str).eq("Marathon Maya").sum()   # shown again
    _assert_no_size_by_subtraction(run)
    texts = "\n".join(getattr(o, "data", "") for o in run.displayed if isinstance(getattr(o, "data", None), str))
    assert "so that the total does not reveal a smaller one" in texts
    assert "attribute levels of a persona" in texts and "of all customers held by fewer than 5" in texts
    assert "more so that the totals do not reveal them" in texts       # the clusters × personas table
    assert any((f == "not shown").any().any() for f in _frames(run))
    assert not any(f[c].isna().any() for f in _frames(run) if "suppressed" in f
                   for c in f.columns if c in _COUNTS)                 # words, never a blank


def test_three_customers_in_several_personas_are_pooled_not_shown(ecommerce_world):
    """The e-commerce sample: 3 customers match several personas. The table showed 3 beside
    3,899 and 98 of 4,000, and the batch index recorded the 3. Now "several personas" keeps
    its row without numbers, 3,902 "at least one persona", "no persona" stays 98 and is
    recorded; the 3 is not."""
    from inprocess import run_cells

    run = run_cells(NOTEBOOK, {"suggest": False}, worlds=[ecommerce_world.world])
    coverage = run.namespace["coverage"].set_index("coverage")
    assert coverage["n"].to_dict() == pytest.approx({"at least one persona": 3902, "no persona": 98,
                                                      "several personas": float("nan")}, nan_ok=True)
    assert "several_personas" not in run.figures and run.figures["no_persona_share"]["n"] == 98
    texts = "\n".join(getattr(o, "data", "") for o in run.displayed if isinstance(getattr(o, "data", None), str))
    assert "Fewer than 5 customers match several personas" in texts
    sizes = run.namespace["sizes"]
    assert not sizes["suppressed"].any()                               # nothing to protect: unchanged
    plain = run.namespace["assignment"]["persona"].astype(object).fillna("(no persona)").value_counts()
    assert sizes.set_index("persona")["n"].to_dict() == plain.to_dict()
    _assert_no_size_by_subtraction(run)


def test_a_kpi_of_one_to_four_customers_inside_a_shown_persona_is_hidden(tmp_path):
    """A persona of 20 customers of whom 2 bought (tests/small_groups.py, thin_end_world). Its
    KPIs said conversion 10.0% (n=20), order value from the 3 orders of those 2, CES from 4
    customers: groups of 2 and 4 inside a persona that is shown. Now those rows keep their
    place without numbers; the persona's size and its other KPIs stay."""
    from inprocess import run_cells
    from small_groups import THIN, built, thin_end_world

    folder = built(thin_end_world, tmp_path / "world")
    run = run_cells(NOTEBOOK, {"data_dir": str(folder), "suggest": False})
    kpis = run.namespace["kpis"]
    mine = kpis[kpis["persona"].astype(str) == THIN].set_index("kpi")
    assert mine.loc[["conversion", "order_value", "ces"], "value"].isna().all()
    assert mine.loc[["conversion", "order_value", "ces"], "suppressed"].all()
    assert mine.loc["csat", "value"] == mine.loc["csat", "value"]          # 8 customers: shown
    assert int(run.namespace["sizes"].set_index("persona").loc[THIN, "n"]) == 20
    shown = kpis[~kpis["suppressed"]]
    assert not [v for v in shown["n_customers"] if _small(v)]
    share = shown["kpi"].isin(["conversion", "csat_top2"])
    assert not [v for v in (shown.loc[share, "value"] * shown.loc[share, "n"]).round() if _small(v)]
    assert "persona_conversion" not in run.figures
    card = next(c for c in run.namespace["cards"] if c.name == THIN).with_profile(run.namespace["sizes"], kpis)
    assert not [x for x in card.numbers if x[0].lower().startswith("conversion")]


def test_the_protecting_persona_gives_back_neither_its_size_nor_a_hidden_overlap(tmp_path):
    """Loud Lou (3 customers) before Thin Thea (20), everyone else in Rest Rory (tests/small_groups.py;
    no customer in no persona, so a persona must protect Lou): Thea's size is hidden
    so that the total does not give Lou's 3, but the overlaps showed n_a = 20 (Thea's rule selects
    exactly her 20), her attribute shares 0.05, 0.35, 0.4… (multiples of 1/20) with intervals,
    and Budget Ben's rule count 1,066 beside his size 1,055 and Thea's 10 gave Lou ∩ Ben = 1.
    Counts checked with plain pandas; now no rule count of those personas, nor a rate of Thea's."""
    from functools import partial

    from inprocess import run_cells
    from small_groups import LOUD, THIN, built, everyone_in_a_persona_world, loud_and_thin_world

    folder = built(partial(everyone_in_a_persona_world, base=loud_and_thin_world), tmp_path / "world")
    customers = pd.read_csv(folder / "customers.csv")
    assert (int(customers["loud"].sum()), int(customers["thin"].sum())) == (3, 20)   # the planted groups
    run = run_cells(NOTEBOOK, {"data_dir": str(folder), "suggest": False, "min_customers": 1})
    ns = run.namespace
    sizes = ns["sizes"].set_index("persona")
    assert sizes.loc[[LOUD, THIN], "suppressed"].all()                 # Thea protects Lou
    size = ns["assignment"]["persona"].astype(str).value_counts()
    assert size[THIN] == int(customers["thin"].sum()) == 20             # her rule's count is her size
    overlaps = ns["overlaps"]
    for side in ("a", "b"):
        rows = overlaps[overlaps[f"persona_{side}"] == THIN]
        assert rows[[f"n_{side}", f"share_of_{side}"]].isna().all().all()
    lou_ben = overlaps[(overlaps["persona_a"] == LOUD) & (overlaps["persona_b"] == "Budget Ben")]
    assert len(lou_ben) and lou_ben["n_both"].isna().all()             # 1 customer, hidden
    ben = overlaps[overlaps["persona_b"] == "Budget Ben"]
    assert ben["n_b"].isna().all() and ben["share_of_b"].isna().all()  # 1,066 − 1,055 − 10 = 1
    assert size["Budget Ben"] == sizes.loc["Budget Ben", "n"]
    check = ns["check"]
    assert check.loc[(check["persona"] == THIN) & (check["check"] == "ok"), "n"].isna().all()
    for name in ("kpis", "profile"):
        rows = ns[name][ns[name]["persona"].astype(str) == THIN]
        numbers = [c for c in ("n", "value", "ci_low", "ci_high", "difference", "lift") if c in rows]
        assert len(rows) and rows[numbers].isna().all().all(), name
        assert rows["suppressed"].all()
    texts = "\n".join(getattr(o, "data", "") for o in run.displayed if isinstance(getattr(o, "data", None), str))
    assert "its numbers are left out too" in texts
    shown = next(f for f in _frames(run) if "share_of_a" in f)
    thea = shown[(shown["persona_a"] == THIN) & ~shown["suppressed"]]
    assert len(thea) and (thea[["n_a", "share_of_a"]] == "not shown").all().all()   # words, not NaN


def test_ids_written_differently_are_said_and_the_notebook_runs(prefixed_ids_folder):
    """Events keyed ``C0000123``, the customer table ``CUST-000000123`` (D154): section 4's
    typical-events chart stopped the notebook ("typical is empty: nothing to draw"); the ids
    are said under the load, with the fix, and the rules still size the customer table."""
    from inprocess import run_cells
    from table_subsets import shown_text

    run = run_cells(NOTEBOOK, {"data_dir": str(prefixed_ids_folder), "persona": "Budget Ben", "suggest": False})
    text = shown_text(run.displayed)
    assert ("Most customers with events are not in the customer table.** 0 of 4,000 customers with events are "
            "in the customer table: the ids seem to be the same, written with a prefix") in text
    assert "Fix: export both tables with the ids written the same way" in text
    assert "size comes from the ids" not in text          # here the rules size the customer table itself
    assert "CUST-0" not in text


def _tiny_world(folder, *, personas: str = "") -> Path:
    """60 customers with two attributes, their sign-up and payment events, a 2-stage journey
    (an outside tester's repro_5: a customer table, but a journey naming no personas)."""
    import pandas as pd

    folder.mkdir(parents=True, exist_ok=True)
    ids = range(1, 61)
    pd.DataFrame({"customer_id": ids, "fuel": "electricity",
                  "payment_method": [["direct debit", "prepayment", "on receipt"][i % 3] for i in ids]}
                 ).to_csv(folder / "customers.csv", index=False)
    rows = [(i, f"2024-01-{1 + i % 28:02d}T10:00:00Z", "signup_submitted") for i in ids]
    rows += [(i, f"2024-02-{1 + i % 28:02d}T10:00:00Z", "payment_received") for i in ids if i % 3]
    pd.DataFrame(rows, columns=["customer_id", "timestamp", "event"]).to_csv(folder / "events.csv", index=False)
    (folder / "journey.yaml").write_text(
        "jmtools: 1\nname: tiny utility\nstages:\n  - name: Sign up\n  - name: Pay\ntouchpoints:\n"
        "  - {name: Sign-up form, stage: Sign up, channel: digital, events: [signup_submitted]}\n"
        "  - {name: Payment, stage: Pay, channel: digital, events: [payment_received]}\n" + personas,
        encoding="utf-8")
    return folder


def test_a_journey_without_personas_says_so_and_still_suggests(tmp_path):
    """D156: with a customer table but no personas the notebook stopped at the profile chart
    ("profile is empty: nothing to draw"). It now says there is no card, what to add, skips
    sections 2 to 4 and still suggests groups (section 5), with no comparison to make."""
    from inprocess import run_cells

    run = run_cells(NOTEBOOK, {"data_dir": str(_tiny_world(tmp_path / "w")), "k": 2},
                    last_values=True)
    said = " ".join(str(getattr(o, "data", "")) for o in run.displayed).replace("\\", "")
    assert "The journey file names no personas, so there is no card to show" in said
    assert "rule over the customer attributes (fuel, payment_method)" in said
    ns = run.namespace
    assert ns["assignment"] is None and ns["sizes"] is None and ns["agreement"] is None
    assert ns["suggestion"] is not None and ns["proposed"] is not None


def test_the_suggested_card_uses_the_cluster_when_no_rule_describes_it(monkeypatch, tmp_path):
    """D156: on an outside tester's utility world the largest cluster had no attribute rule, and
    the notebook's own cell raised "use must be 'cluster' for this cluster — got 'rule'". The
    notebook now asks for use="auto": the card selects the cluster and says why."""
    from inprocess import run_cells

    from jmtools.personas import _clusters

    real = _clusters.suggest_personas

    def ruleless(*args, **kwargs):                 # as on the utility world: no rule for cluster 0
        found = real(*args, **kwargs)
        found.summary = found.summary.assign(rule=None)
        return found

    monkeypatch.setattr("jmtools.personas.suggest_personas", ruleless)
    run = run_cells(NOTEBOOK, {"data_dir": str(_tiny_world(tmp_path / "w")), "k": 2})
    card = run.namespace["proposed"]
    assert card.rule is None and card.cluster == int(run.namespace["suggestion"].summary["cluster"].iloc[0])
    assert "No rule over customer attributes describes this group well" in card.backstory


def test_a_persona_whose_rule_cannot_run_is_left_out_and_the_others_go_on(tmp_path):
    """A misspelt attribute in one persona's rule stopped the notebook at its first code cell
    (RuleError) while the report on the same folder built and said the persona was left out.
    The notebook now says so too, with the rule's error and fix, and sizes the other personas as
    plain pandas does with their rules; the broken persona in focus stops with its error."""
    from inprocess import run_cells, sample_with_rule, shown_texts

    from jmtools.personas import RuleError

    folder = sample_with_rule(tmp_path)
    run = run_cells(NOTEBOOK, {"data_dir": str(folder), "suggest": False})
    texts = shown_texts(run)
    assert "Persona Marathon Maya is left out of this notebook" in texts and "runs\\_per\\_wek" in texts
    assert "Fix: did you mean &#x27;runs\\_per\\_week&#x27;" in texts
    customers = pd.read_csv(folder / "customers.csv")
    ben = (customers["age"] < 30) & (customers["price_sensitivity"] >= 0.6)
    sizes = run.namespace["assignment"]["persona"].value_counts()
    assert "Marathon Maya" not in sizes and sizes["Budget Ben"] == int(ben.sum()) > 0
    with pytest.raises(RuleError, match="runs_per_wek"):
        run_cells(NOTEBOOK, {"data_dir": str(folder), "suggest": False, "persona": "Marathon Maya"})


def test_identifiers_and_birth_dates_are_named_not_listed(tmp_path):
    """The e-commerce world with an NHS-number-like id and a date of birth (text, as an export
    writes them) in its customer table, in-process. Before: the profile "Attributes against the
    whole base" listed 8 of each by value, one customer each. Now neither appears in anything
    shown, and a note says both were left out and why (D213)."""
    import shutil

    import numpy as np

    from inprocess import run_cells

    source = ROOT / "data" / "ecommerce"
    if not (source / "events.parquet").exists():
        pytest.skip("sample world ecommerce not generated (jmtools sample-data)")
    folder = tmp_path / "world"
    shutil.copytree(source, folder)
    table = pd.read_csv(folder / "customers.csv")
    rng = np.random.default_rng(2)
    table["nhs_number"] = [f"4{i:02d} {i * 7 % 1000:03d} {i:04d}" for i in range(len(table))]
    table["date_of_birth"] = (pd.Timestamp("1950-01-01") + pd.to_timedelta(
        rng.integers(0, 50 * 365, len(table)), unit="D")).strftime("%d/%m/%Y")
    table.to_csv(folder / "customers.csv", index=False)
    run = run_cells(NOTEBOOK, {"data_dir": str(folder), "suggest": False})
    shown = "\n".join(o.to_string() if isinstance(o, pd.DataFrame) else str(getattr(o, "data", o))
                      for o in run.displayed).replace("\\_", "_")   # Markdown escapes
    values = set(table["nhs_number"]) | set(table["date_of_birth"])
    assert not [v for v in values if v in shown]
    assert not {"nhs_number", "date_of_birth"} & set(run.namespace["profile"]["attribute"])
    assert (f"nhs_number: an identifier ({len(table):,} distinct values of {len(table):,}) — left out; "
            "date_of_birth: personal dates — left out") in shown
    assert "to profile an age, add an age band column" in shown
