"""The teaching track never shows nor confirms a group of 1–4 customers (issue 15, D56's leftovers).

Worlds of tests/small_groups.py: Loud Lou (3 customers) and Thin Thea (20, of whom 1 in each
period reaches the last stage). Each count the rule hides is first checked against a plain-pandas
count, so the tests know the group they protect is really of 1–4 customers.
"""

from __future__ import annotations

import contextlib
import io
import re
from pathlib import Path

import pandas as pd
import pytest

from jmtools.analyses.disclosure import MIN_GROUP

FOLDER = Path(__file__).resolve().parents[1] / "notebooks" / "teaching"


def _reached(events: pd.DataFrame, steps: list, col: str) -> pd.Series:
    """Plain pandas: per customer, how many of ``steps`` they reached in order (each after the previous)."""
    out = {}
    for customer, rows in events.sort_values(["customer_id", "position"]).groupby("customer_id"):
        k = 0
        for value in rows[col]:
            if k < len(steps) and value == steps[k]:
                k += 1
        out[customer] = k
    return pd.Series(out, dtype=int)


@pytest.fixture(scope="module")
def worlds(tmp_path_factory):
    from small_groups import built, loud_persona_world, thin_end_world

    base = tmp_path_factory.mktemp("teach_small")
    return {"loud": built(loud_persona_world, base / "loud"), "thin": built(thin_end_world, base / "thin")}


@pytest.mark.parametrize("exercise", ["1.1", "4.1", "4.2"])
def test_a_count_exercise_of_one_to_four_customers_is_not_available(worlds, exercise):
    """Following Loud Lou (3 customers, 3 of them answered a survey, 1 back at the product page
    after the cart), a right answer confirmed the count ("✓" for 3, for 1) and 4.2's hint for 2 said
    it was the count in any order. The exercise now says it is not available, whatever the answer."""
    from small_groups import LOUD

    from jmtools.teaching import Lesson

    lesson = Lesson(worlds["loud"], persona=LOUD)
    ev = lesson.events
    mine = ev[ev["persona"] == LOUD]
    surveys = lesson.table("surveys")
    counts = {"1.1": mine["customer_id"].nunique(),
              "4.1": surveys.loc[surveys["customer_id"].isin(set(
                  lesson.assignment.loc[lesson.assignment["persona"] == LOUD, "customer_id"])), "customer_id"].nunique(),
              "4.2": int((_reached(mine.dropna(subset=["touchpoint"]), ["Cart", "Product page"], "touchpoint") == 2).sum())}
    assert 0 < counts[exercise] < MIN_GROUP, counts          # the planted group: 1–4 customers
    for answer in range(0, 12):
        feedback = lesson.check(exercise, answer)
        assert not feedback.ok and feedback.code == "not-available", (answer, str(feedback))
        assert "fewer are not shown" in feedback.message


def test_exercise_4_2_of_a_group_of_five_or_more_still_checks_and_names_no_small_count(worlds):
    """Thin Thea: 6 customers back at the product page after the cart (plain pandas); the check
    is asked and right for 6, and no answer of 1–4 gets a hint that names what it counted."""
    from small_groups import THIN

    from jmtools.teaching import Lesson

    lesson = Lesson(worlds["thin"], persona=THIN)
    ev = lesson.events
    mine = ev[(ev["persona"] == THIN)].dropna(subset=["touchpoint"])
    key = int((_reached(mine, ["Cart", "Product page"], "touchpoint") == 2).sum())
    assert key >= MIN_GROUP
    assert lesson.check("4.2", key).ok
    for answer in range(1, MIN_GROUP):
        assert lesson.check("4.2", answer).code == "wrong", answer


def test_step_7_shows_no_change_of_one_to_four_customers(worlds):
    """Thin Thea, split at the middle date: 1 customer of 9 before and 1 of 11 after reach
    Post-purchase (plain pandas). The notebook's change_at printed those counts; it now says the
    change is not shown, and exercises 7.1–7.2 (asked with min_n lowered to 5) are not asked of
    Post-purchase (they were not available; since D81 they read a stage notebooks 04 and 05 show)."""
    from inprocess import run_cells
    from small_groups import THIN

    from jmtools.teaching import Lesson

    lesson = Lesson(worlds["thin"], persona=THIN, min_n=MIN_GROUP)
    ev = lesson.events
    mine = ev[ev["persona"] == THIN]
    first = mine.groupby("customer_id")["timestamp"].min()
    stages = list(lesson.journey.stage_names)
    reached = _reached(mine.dropna(subset=["stage"]), stages, "stage")
    for period, who in (("before", first[first < lesson.split].index), ("after", first[first >= lesson.split].index)):
        r = reached.reindex(who, fill_value=0)
        assert ((r >= 3).sum(), (r >= 4).sum()) in ((9, 1), (11, 1)), period
    for exercise in ("7.1", "7.2"):      # D81: asked of a stage whose counts notebooks 04 and 05 show
        assert "Post-purchase" not in str(lesson.ask(exercise))
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        run = run_cells(FOLDER / "solutions" / "07_test_implement_iterate.ipynb",
                        {"data_dir": str(worlds["thin"]), "persona": THIN})
    assert "change" not in run.namespace
    assert not [o for o in run.displayed if isinstance(o, dict) and "difference" in o]   # no change shown
    assert "Post-purchase: fewer than 5 of Thin Thea's customers in a period" in out.getvalue()


def test_step_7_shows_the_change_of_a_large_persona_as_plain_pandas_counts_it():
    """Budget Ben on the e-commerce sample: the change is displayed, its counts those of plain pandas."""
    from inprocess import run_cells

    from jmtools.teaching import Lesson

    if not (Path(__file__).resolve().parents[1] / "data" / "ecommerce" / "events.parquet").exists():
        pytest.skip("sample world ecommerce not generated")
    run = run_cells(FOLDER / "07_test_implement_iterate.ipynb", {"data_dir": "sample:ecommerce"})
    change = run.namespace["change"]
    # shown as a table to read (D167), not the dict of 17-decimal floats
    assert not [o for o in run.displayed if isinstance(o, dict) and "difference" in o]
    assert [o for o in run.displayed if isinstance(o, pd.DataFrame) and "after − before" in o.index]
    lesson: Lesson = run.namespace["lesson"]
    ev = lesson.events
    mine = ev[ev["persona"] == lesson.persona]
    first = mine.groupby("customer_id")["timestamp"].min()
    stages = list(lesson.journey.stage_names)
    at = stages.index(change["step"]) + 1
    reached = _reached(mine.dropna(subset=["stage"]), stages, "stage")
    before = reached.reindex(first[first < lesson.split].index, fill_value=0)
    assert (change["before"]["n_prev"], change["before"]["n"]) == ((before >= at - 1).sum(), (before >= at).sum())
    assert min(change["before"]["n"], change["after"]["n"]) >= MIN_GROUP


@pytest.mark.parametrize("persona", ["Budget Ben", "Weekend Walter"])
def test_the_solution_of_6_1_answers_for_the_persona_followed(persona, tmp_path):
    """Exercise 6.1's solution read the RICE of "free-shipping-threshold", Budget Ben's opportunity:
    following Weekend Walter (whose question names "comparison-table") it answered with an empty
    selection. It now reads the opportunity the question names, and its RICE is the plain formula's."""
    from inprocess import run_cells

    if not (Path(__file__).resolve().parents[1] / "data" / "ecommerce" / "events.parquet").exists():
        pytest.skip("sample world ecommerce not generated")
    run = run_cells(FOLDER / "solutions" / "06_prioritisation.ipynb",
                    {"data_dir": "sample:ecommerce", "persona": persona, "output_dir": str(tmp_path)})
    ns = run.namespace
    lesson, opportunities = ns["lesson"], ns["run"].opportunities.set_index("id")
    asked = ns["asked"]
    assert f"“{asked}”" in lesson.ask("6.1").text
    r = opportunities.loc[asked]
    assert ns["answer_6_1"] == pytest.approx(r["reach"] * r["impact"] * r["confidence"] / r["effort"])
    assert lesson.check("6.1", ns["answer_6_1"]).ok


def test_exercise_1_1_does_not_confirm_a_size_hidden_to_protect_a_smaller_persona(tmp_path):
    """Loud Lou (3) before Thin Thea (20), everyone else in Rest Rory (no customer in no persona):
    step 1 hides Thea's size so that the total does not give Lou's 3; exercise 1.1 confirmed
    Thea's 20 (plain pandas: her customers with events). Now it is not available for Thea; for
    Budget Ben, whose size is shown, it still checks."""
    from functools import partial

    from small_groups import THIN, built, everyone_in_a_persona_world, loud_and_thin_world

    from jmtools.teaching import Lesson

    folder = built(partial(everyone_in_a_persona_world, base=loud_and_thin_world), tmp_path / "world")
    lesson = Lesson(folder, persona=THIN)
    ev = lesson.events
    key = ev.loc[ev["persona"] == THIN, "customer_id"].nunique()
    assert key == 20
    for answer in (key, key - 1, key + 1, 3):
        assert lesson.check("1.1", answer).code == "not-available"
    ben = Lesson(lesson.world, persona="Budget Ben")
    assert ben.check("1.1", ev.loc[ev["persona"] == "Budget Ben", "customer_id"].nunique()).ok


@pytest.mark.parametrize("notebook", ["01_personas.ipynb", "solutions/01_personas.ipynb"])
def test_step_1_gives_no_small_persona_back_by_subtraction(worlds, notebook):
    """Loud Lou (3 customers; plain pandas): step 1 hid Lou's size and, to protect it, "(no persona)"
    (98), which its coverage table showed exactly: 4,000 − the sizes shown − 98 gave the 3. Then a
    persona protected Lou (D63), whose own report printed its size. Now "(no persona)" protects and
    the coverage hides it too (and the row that gives it back); no total minus a selection of the
    counts shown (sizes with and without events, coverage) is 1–4."""
    from inprocess import run_cells
    from shown_sizes import assert_no_group_by_subtraction, shown_counts
    from small_groups import LOUD

    from jmtools.teaching import Lesson

    customers = pd.read_csv(worlds["loud"] / "customers.csv")
    assert int(customers["loud"].sum()) == 3                               # the planted group
    with contextlib.redirect_stdout(io.StringIO()):
        run = run_cells(FOLDER / notebook, {"data_dir": str(worlds["loud"]), "persona": LOUD})
    ns = run.namespace
    frames = [o for o in run.displayed if isinstance(o, pd.DataFrame)]
    frames += [ns["coverage"], ns["sizes"]]                                # a cell's last value; the size chart
    shown = shown_counts(frames)
    assert not [k for k in shown if k.endswith(("coverage=no persona", "coverage=one persona"))]
    ev_sizes = ns["lesson"].evidence.persona_sizes
    totals = {len(customers), int(ev_sizes["n_customers"].sum()), *ns["coverage"]["total"]}
    assert_no_group_by_subtraction(totals, shown)
    guard = ns["sizes"].loc[ns["sizes"]["suppressed"] & (ns["sizes"]["persona"] != LOUD), "persona"].tolist()
    assert guard == ["(no persona)"]
    maya = Lesson(worlds["loud"], persona="Marathon Maya")          # no longer hidden to protect: checked
    assert maya.check("1.1", ev_sizes.set_index("persona").loc["Marathon Maya", "n_customers"]).ok


@pytest.fixture(scope="module")
def both(tmp_path_factory):
    """tests/small_groups.py's loud_and_thin_world with Rest Rory: Loud Lou (3) before Thin Thea
    (20), and everyone in a persona, so that Thea's size is what protects Lou's (D70)."""
    from small_groups import built, everyone_in_a_persona_world, loud_and_thin_world

    return built(everyone_in_a_persona_world, tmp_path_factory.mktemp("both") / "world", base=loud_and_thin_world)


def test_exercise_1_2_confirms_no_small_card_nor_a_hidden_size(both):
    """Loud Lou (3, plain pandas) before Thin Thea (20, her size hidden to protect Lou). Following
    Weekend Walter, 1.2's card is Lou's: "Your rule selects 3 customers" confirmed the group; it is
    now not available. Following Lou, the card is Thea's: "20 customers" (a hint and the verdict)
    gave her hidden size; the feedback now says it in words, with no count nor share."""
    from small_groups import LOUD, THIN

    from jmtools.teaching import Lesson

    folder = both
    customers = pd.read_csv(folder / "customers.csv")
    assert (int(customers["loud"].sum()), int(customers["thin"].sum())) == (3, 20)
    walter = Lesson(folder, persona="Weekend Walter")
    assert "not available" in str(walter.ask("1.2")).lower() or "needs" in str(walter.ask("1.2"))
    for rule in ("loud == True", "loud == True or thin == True", "age > 0"):
        assert walter.check("1.2", rule).code == "not-available", rule
    lou = Lesson(walter.world, persona=LOUD)
    assert f"“{THIN}”" in str(lou.ask("1.2"))
    assert lou.check("1.2", "thin == True").code == "copied-rule"   # the journey file's rule (D170)
    said = {rule: lou.check("1.2", rule) for rule in ("thin", "thin == True and age > 40",
                                                       "thin == True or age < 25")}
    assert said["thin"].ok
    assert [f.code for f in said.values()][1:] == ["too-narrow", "too-broad"]
    for rule, feedback in said.items():          # the condition a hint names is the learner's own text
        plain = feedback.message.replace("step 1", "").replace("`age > 40`", "")
        assert not re.search(r"\d", plain), (rule, feedback.message)
    ben = Lesson(walter.world, persona=THIN)                     # Ben's card: his size is shown
    assert "customers;" in ben.check("1.2", "price_sensitivity >= 0.6 and age < 30").message


def test_exercise_4_3_is_not_asked_of_a_stage_nobody_reached(both):
    """Loud Lou's 3 customers (plain pandas) never reach Decision: 4.3 asked "what share went on
    from Decision to Post-purchase" (0 of 0) and no answer could be right; it is not available."""
    from small_groups import LOUD

    from jmtools.teaching import Lesson

    lesson = Lesson(both, persona=LOUD)
    ev = lesson.events
    stages = list(lesson.journey.stage_names)
    reached = _reached(ev[ev["persona"] == LOUD].dropna(subset=["stage"]), stages, "stage")
    assert len(reached) == 3 and (reached >= len(stages) - 1).sum() == 0
    for answer in (0, 0.5, 1):
        assert lesson.check("4.3", answer).code == "not-available"


def test_exercise_5_3_is_not_asked_when_no_pain_point_has_evidence(both):
    """Following Loud Lou, every pain point comes from the journey file with score 0: 5.3 judged
    every answer "an assumption read as evidence" (none could be right). It is now not available;
    following Budget Ben, whose pain points have evidence, the top one is still right."""
    from small_groups import LOUD

    from jmtools.teaching import Lesson

    lesson = Lesson(both, persona=LOUD)
    pains = lesson.run.pain_points.table
    assert len(pains) and (pains["score"] == 0).all() and set(pains["source"]) == {"journey file"}
    for answer in pains["pain_point_id"]:
        assert lesson.check("5.3", answer).code == "not-available", answer
    ben = Lesson(lesson.world, persona="Budget Ben")
    top = ben.run.pain_points.table
    assert ben.check("5.3", top.loc[top["score"].idxmax(), "pain_point_id"]).ok


# ------------------------------------------- what notebooks 02–07 show, through the rule (issue 15, D77)
#: Columns counting the customers (or answers, moves) behind a row of what the track shows.
_COUNTS = ("n", "n_customers", "n_prev", "n_persona", "n_at_from", "n_evidence", "customers", "answers")
#: Numbers that say nothing about a group's customers: an order, the whole base, a bar's label position.
_NOT_COUNTS = ("step_index", "rank", "base_value", "base_n", "base_share", "total", "label_x", "position",
               "stage_index", "time_to_next_s")


def _records(obj) -> list[dict]:
    """The rows behind what a notebook showed: a table's rows, a chart's data; else none."""
    if isinstance(obj, pd.DataFrame):
        return obj.reset_index().to_dict("records") if obj.index.name else obj.to_dict("records")
    if type(obj).__module__.startswith("altair"):
        spec = obj.to_dict()
        return [r for rows in spec.get("datasets", {}).values() for r in rows]
    return []


def _number(v) -> bool:
    return isinstance(v, (int, float)) and not isinstance(v, bool) and v == v


def _leaks(shown, persona: str) -> list:
    """Counts of 1–4 customers anywhere, and any number about ``persona`` (its rows, or a funnel table
    without a persona column: the persona followed's)."""
    found = []
    for i, obj in enumerate(shown):
        for row in _records(obj):
            about = row.get("persona", persona if "step" in row else None) == persona
            for col, v in ((c, v) for c, v in row.items() if _number(v)):
                if (col in _COUNTS and 0 < v < MIN_GROUP) or (about and col not in _NOT_COUNTS):
                    found.append((i, type(obj).__name__, row.get("persona"), row.get("step"), col, v))
    return found


@pytest.fixture(scope="module")
def both_world(both):
    from jmtools.teaching import Lesson

    return Lesson(both).world


@pytest.mark.parametrize(("notebook", "who"), [
    ("02_touchpoints", "thin"), ("04_data_integration", "thin"), ("05_patterns_and_pain_points", "thin"),
    ("07_test_implement_iterate", "thin"), ("02_touchpoints", "loud"), ("04_data_integration", "loud")])
def test_notebooks_show_no_small_count_nor_a_protecting_persona_number(both, both_world, notebook, who):
    """Loud Lou (3 customers) before Thin Thea (20, her size hidden to protect Lou's; plain pandas):
    notebook 02 showed Thea's n_persona 20 and KPI cells of 1 and 4 respondents, 04 Lou's 1 survey
    respondent and Thea's funnel from 20, 05 her conversions from 20, 07 her 9 before and 11 after.
    Every table and chart the notebooks show now has no count of 1–4 and no number of Thea's."""
    from inprocess import run_cells
    from small_groups import LOUD, THIN

    customers = pd.read_csv(both / "customers.csv")
    assert (int(customers["loud"].sum()), int(customers["thin"].sum())) == (3, 20)
    persona = {"thin": THIN, "loud": LOUD}[who]
    with contextlib.redirect_stdout(io.StringIO()):
        run = run_cells(FOLDER / f"{notebook}.ipynb", {"data_dir": str(both), "persona": persona},
                        worlds=(both_world,), last_values=True)
    assert [o for o in run.displayed if _records(o)], "no table or chart shown"
    assert not _leaks(run.displayed, THIN)


def test_step_4_gives_no_small_persona_back_by_subtraction(worlds):
    """Loud Lou (3 customers; plain pandas) beside 98 in no persona, which step 1 hides to protect
    Lou. Notebook 04 showed the events' coverage as it was (no persona 98): with the sizes of step 1,
    4,000 − the sizes shown − 98 gave the 3. It now hides that count (and the one persona count that
    gives it back) as step 1's coverage does; no total minus a selection of the counts shown is 1–4."""
    from inprocess import run_cells
    from shown_sizes import assert_no_group_by_subtraction, shown_counts
    from small_groups import LOUD

    from jmtools.personas import persona_sizes
    from jmtools.pipeline import disclosed_shares

    customers = pd.read_csv(worlds["loud"] / "customers.csv")
    assert int(customers["loud"].sum()) == 3
    with contextlib.redirect_stdout(io.StringIO()):
        run = run_cells(FOLDER / "04_data_integration.ipynb",
                        {"data_dir": str(worlds["loud"]), "persona": LOUD}, last_values=True)
    lesson = run.namespace["lesson"]
    step_1 = [disclosed_shares(persona_sizes(lesson.assignment), "n"),           # as notebook 01 shows them
              disclosed_shares(lesson.evidence.persona_sizes, "n_customers", numbers=())]
    shown = shown_counts([*step_1, *(o for o in run.displayed if isinstance(o, pd.DataFrame))])
    assert not [k for k in shown if k.endswith("coverage=no persona")]
    assert_no_group_by_subtraction({len(customers), lesson.evidence.n_customers}, shown)
    assert not _leaks(run.displayed, LOUD)


@pytest.mark.parametrize("exercise", ["2.1", "2.2", "4.1", "4.2", "5.1"])
def test_no_exercise_confirms_a_number_of_a_protecting_persona(both, exercise):
    """Following Thin Thea (20 customers, her size hidden to protect Loud Lou's 3), with min_n 5:
    2.1 said "✓ … those 20 customers" (all of hers reached Cart), 4.1 confirmed her 8 respondents,
    5.1 "18 of 20", 2.2 and 4.2 read tables the notebooks no longer show. Each is now not available,
    whatever the answer; Budget Ben, whose size is shown, still gets 2.1 checked."""
    from small_groups import THIN

    from jmtools.teaching import Lesson

    lesson = Lesson(both, persona=THIN, min_n=MIN_GROUP)
    ev = lesson.events
    mine = ev[ev["persona"] == THIN]
    surveys = lesson.table("surveys")
    ids = set(lesson.assignment.loc[lesson.assignment["persona"] == THIN, "customer_id"])
    reach = [mine.loc[mine["touchpoint"] == tp, "customer_id"].nunique() for tp in ("Cart", "Product page")]
    keys = {"2.1": reach, "2.2": ["Product page", "Checkout"],
            "4.1": [surveys.loc[surveys["customer_id"].isin(ids), "customer_id"].nunique()],
            "4.2": [6, 7], "5.1": [{"stage": "Post-purchase", "interval": (0.699, 0.972)}]}
    assert keys["2.1"] == [20, 20] and keys["4.1"] == [8]              # plain pandas: 20 is her size
    assert "This exercise needs a persona whose numbers the track shows" in str(lesson.ask(exercise))
    for answer in keys[exercise]:
        feedback = lesson.check(exercise, answer)
        assert feedback.code == "not-available" and "20" not in feedback.message, str(feedback)
    ben = Lesson(lesson.world, persona="Budget Ben", min_n=MIN_GROUP)
    assert "This exercise needs" not in str(ben.ask(exercise))


def test_exercise_2_2_names_no_count_of_a_cell_of_one_to_four_customers(both):
    """Rest Rory (98 customers) has 3 CSAT answers at Support from 3 customers (plain pandas). With
    min_n 5, answering Support got "That value rests on n = 3 …, its 95% interval runs from …":
    the cell notebook 02 hides. The hint now says the group's numbers are not shown."""
    from small_groups import RORY

    from jmtools.teaching import Lesson

    lesson = Lesson(both, persona=RORY, min_n=MIN_GROUP)
    surveys = lesson.table("surveys")
    ids = set(lesson.assignment.loc[lesson.assignment["persona"] == RORY, "customer_id"])
    at = surveys[surveys["customer_id"].isin(ids) & (surveys["touchpoint"] == "Support")
                 & (surveys["metric"] == "csat")]
    assert (len(at), at["customer_id"].nunique()) == (3, 3)
    feedback = lesson.check("2.2", "Support")
    assert feedback.code == "hidden-group"
    assert not re.findall(r"\d+", feedback.message.replace(f"fewer than {MIN_GROUP}", "")), feedback.message


def test_a_categorical_persona_column_goes_through_the_rule(worlds):
    """Notebook 04 groups the survey answers by the assignment's persona, a categorical column with
    missing values (customers in no persona). On loud_persona_world "(no persona)" protects Loud Lou's
    size (3), so its respondents go too; a categorical column takes no new label (fillna raised), and
    its dtype is kept for the table shown."""
    from small_groups import LOUD

    from jmtools.teaching import Lesson, shown

    lesson = Lesson(worlds["loud"], persona=LOUD)
    assert isinstance(lesson.assignment["persona"].dtype, pd.CategoricalDtype)
    surveys = lesson.table("surveys").merge(lesson.assignment[["customer_id", "persona"]], on="customer_id",
                                            how="left")
    per = surveys.groupby("persona", dropna=False).agg(customers=("customer_id", "nunique")).reset_index()
    assert isinstance(per["persona"].dtype, pd.CategoricalDtype) and per["persona"].isna().any()
    nobody = int(per.loc[per["persona"].isna(), "customers"].iloc[0])
    assert nobody >= MIN_GROUP                                     # hidden as a protector, not as small
    out = shown(lesson, per, count_col="customers")
    assert isinstance(out["persona"].dtype, pd.CategoricalDtype)
    hidden = out.loc[out["suppressed"], "persona"].astype(object).tolist()
    assert LOUD in hidden and any(p != p for p in hidden)           # Lou's row and the no-persona row
    assert out.loc[~out["suppressed"], "customers"].ge(MIN_GROUP).all()


def test_the_persona_funnels_of_the_track_give_no_small_group_back_beside_the_total(tmp_path):
    """D79: step 0 shows the stage funnel for all customers, steps 4 and 5 every persona's. On a
    world where everyone is in a persona, 1,213 reach Post-purchase and the personas shown added up
    to 1,211 (Thin Thea's 2); Consideration's drop-offs 534 − 533 = 1. Now the total minus the
    shown counts, previous counts and drop-offs is 0 or 5 or more at every step (a plain-pandas
    subtraction of what `readable` prints), and the steps hidden for it read "hidden"."""
    from small_groups import built, everyone_in_a_persona_world, loud_and_thin_world

    from jmtools.analyses import funnels
    from jmtools.teaching import Lesson, readable, shown_funnel

    lesson = Lesson(built(everyone_in_a_persona_world, tmp_path / "world", base=loud_and_thin_world))
    total = funnels.funnel(lesson.evidence, steps=lesson.evidence.mapped_stages).set_index("step")
    shown = readable(shown_funnel(lesson, lesson.stage_funnel))
    for col in ("n", "n_prev", "drop_off"):
        numbers = pd.to_numeric(shown[col].where(shown[col].map(lambda v: isinstance(v, (int, float)))),
                                errors="coerce")
        rest = total[col] - numbers.groupby(shown["step"]).sum().reindex(total.index)
        assert not ((rest > 0) & (rest < MIN_GROUP)).any(), (col, rest.to_dict())
    assert (shown["n"] == "hidden").sum() == 2


# ------------------------------- every funnel by persona or by period beside the total it adds up to (D81)
def _shown_numbers(frame: pd.DataFrame, col: str) -> pd.Series:
    """What `readable` prints in ``col`` as numbers ("hidden", "not shown", "fewer than 5": missing)."""
    numbers = frame[col].map(lambda v: isinstance(v, (int, float)))
    return pd.to_numeric(frame[col].where(numbers), errors="coerce")


def _funnel_oracle(reached: pd.Series, n_steps: int) -> pd.DataFrame:
    """Plain pandas: customers reaching each step (``reached``: steps reached in order, per customer)
    and the drop-off there."""
    n = pd.Series([int((reached >= k).sum()) for k in range(1, n_steps + 1)], index=range(1, n_steps + 1))
    return pd.DataFrame({"n": n, "drop_off": (n.shift(1) - n).fillna(0)})


@pytest.fixture(scope="module")
def everyone(tmp_path_factory):
    """Everyone in a persona: Loud Lou 3, Thin Thea 20 (her size hidden to protect Lou's), Rest Rory 98."""
    from small_groups import built, everyone_in_a_persona_world, loud_and_thin_world

    return built(everyone_in_a_persona_world, tmp_path_factory.mktemp("teach_everyone") / "w",
                 base=loud_and_thin_world)


def test_step_4_touchpoint_funnel_gives_no_small_group_back_beside_the_total(everyone):
    """Step 4's funnel along the most common touchpoint path, by persona, went through `disclosed_steps`
    alone: Lou's and Thea's rows hidden, everyone else's shown, so the funnel for all customers along
    the path (plain pandas: 1,928, 1,054, 909, 596) minus the personas shown gave 4 at Home page,
    Product page and Reviews — Lou's and Thea's customers together. Now it is a funnel grid beside that
    total: no total minus the counts or drop-offs shown is 1–4."""
    from inprocess import run_cells
    from small_groups import RORY

    with contextlib.redirect_stdout(io.StringIO()):
        run = run_cells(FOLDER / "04_data_integration.ipynb", {"data_dir": str(everyone), "persona": RORY},
                        last_values=True)
    steps = run.namespace["steps"]
    table = next(o for o in run.displayed if isinstance(o, pd.DataFrame) and "step" in o
                 and "persona" in o and set(o["step"]) == set(steps))
    ev = run.namespace["lesson"].events
    reached = _reached(ev.dropna(subset=["touchpoint"]), steps, "touchpoint")
    total = _funnel_oracle(reached, len(steps)).set_axis(steps)
    assert total["n"].tolist() == [1928, 1054, 909, 596]               # what the oracle counts on this world
    hidden = ev[ev["persona"].isin(["Loud Lou", "Thin Thea"])]["customer_id"].unique()
    assert 0 < int((reached.reindex(hidden, fill_value=0) >= 2).sum()) < MIN_GROUP   # the group to protect
    for col in ("n", "drop_off"):
        rest = total[col] - _shown_numbers(table, col).groupby(table["step"]).sum().reindex(steps)
        assert not ((rest > 0) & (rest < MIN_GROUP)).any(), (col, rest.to_dict())


def _first_seen(lesson) -> pd.Series:
    return lesson.events.groupby("customer_id")["timestamp"].min()


def _periods_shown(everyone, persona: str, split: str = "") -> tuple:
    """Notebook 07 following ``persona``: the before/after table it displays (with the drop-off a reader
    works out from its ``n_prev`` and ``n``), and its lesson."""
    from inprocess import run_cells

    with contextlib.redirect_stdout(io.StringIO()):
        run = run_cells(FOLDER / "07_test_implement_iterate.ipynb",
                        {"data_dir": str(everyone), "persona": persona, "split": split}, last_values=True)
    table = next(o for o in run.displayed if isinstance(o, pd.DataFrame) and "period" in o)
    drop_off = _shown_numbers(table, "n_prev") - _shown_numbers(table, "n")     # read off the two it shows
    return table.assign(drop_off=drop_off), run.namespace["lesson"]


def test_step_7_periods_give_no_count_back_that_the_persona_funnels_hide(everyone):
    """Steps 4 and 5 hide Rest Rory's 84 at Consideration and 21 at Post-purchase beside the funnel for
    all customers (with them, 1,213 − the personas shown = Thin Thea's 2). Notebook 07 following Rory
    showed his before and after: 40 + 44 and 11 + 10 (plain pandas), so 1,213 − 1,190 − 21 = 2 came back,
    and Consideration's drop-off 534 − 519 − (9 + 5) = 1. Now what notebooks 04/05 and 07 show together
    leaves, at every stage, 0 or 5 or more hidden customers and drop-offs."""
    from small_groups import RORY

    from jmtools.teaching import readable, shown_funnel

    table, lesson = _periods_shown(everyone, RORY)
    stages = list(lesson.journey.stage_names)
    ev = lesson.events.dropna(subset=["stage"])
    total = _funnel_oracle(_reached(ev, stages, "stage"), len(stages)).set_axis(stages)
    assert total["n"].tolist() == [4000, 3466, 2195, 1213]
    first = _first_seen(lesson)
    rory = ev[ev["persona"] == RORY]
    before = _reached(rory[rory["customer_id"].isin(first[first < lesson.split].index)], stages, "stage")
    assert _funnel_oracle(before, len(stages))["n"].tolist() == [49, 40, 22, 11]
    by_persona = readable(shown_funnel(lesson, lesson.stage_funnel))          # notebooks 04 and 05
    for col in ("n", "drop_off"):
        known = (_shown_numbers(by_persona, col)
                 .groupby([by_persona["persona"], by_persona["step"]]).sum(min_count=1))
        mine = _shown_numbers(table, col).groupby(table["step"]).sum(min_count=2)   # both periods shown
        known.loc[RORY] = known.loc[RORY].fillna(mine.reindex(known.loc[RORY].index)).to_numpy()
        rest = total[col] - known.groupby(level="step").sum().reindex(stages)
        assert not ((rest > 0) & (rest < MIN_GROUP)).any(), (col, rest.to_dict())


def test_step_7_periods_give_no_small_period_back_beside_the_persona_funnel(everyone):
    """Split on the day that leaves 3 of Rest Rory's 98 customers before it (plain pandas), notebook 07
    hid the 3 ("fewer than 5") and showed the 95 after, beside Rory's 98 that steps 4 and 5 show:
    98 − 95 = 3. Now, per stage, Rory's count shown there minus the periods shown is 0 or 5 or more,
    and so are the drop-offs."""
    from small_groups import RORY

    from jmtools.teaching import Lesson, readable, shown_funnel

    lesson = Lesson(everyone, persona=RORY)
    first = _first_seen(lesson)[lambda s: s.index.isin(
        lesson.assignment.loc[lesson.assignment["persona"] == RORY, "customer_id"])].sort_values()
    split = f"{first.iloc[3]:%Y-%m-%d}"
    assert 0 < int((first < pd.Timestamp(split)).sum()) < MIN_GROUP, split
    table, lesson = _periods_shown(everyone, RORY, split)
    mine = readable(shown_funnel(lesson, lesson.stage_funnel)).query("persona == @RORY").set_index("step")
    assert _shown_numbers(mine.reset_index(), "n").iloc[0] == len(first) == 98
    for col in ("n", "drop_off"):
        periods = _shown_numbers(table, col).groupby(table["step"]).sum()
        rest = _shown_numbers(mine.reset_index(), col).set_axis(mine.index) - periods.reindex(mine.index)
        assert not ((rest > 0) & (rest < MIN_GROUP)).any(), (col, rest.to_dict())
    assert "fewer than 5" in set(table["n"].astype(str))                 # the 3 themselves: "fewer than 5"


@pytest.mark.parametrize("exercise", ["4.3", "5.1"])
def test_no_exercise_confirms_a_step_hidden_beside_the_total(everyone, exercise):
    """Steps 4 and 5 hide Rest Rory's 21 at Post-purchase beside the total (49 at Decision shown; plain
    pandas). 4.3 answered "✓ … 21 of 49" and 5.1 "57.1 % lost (28 of 49)": the count they hide. Both
    are now not available for Rory, whatever the answer, and no feedback names 21 or 28."""
    from small_groups import RORY

    from jmtools.teaching import Lesson

    lesson = Lesson(everyone, persona=RORY, min_n=MIN_GROUP)
    stages = list(lesson.journey.stage_names)
    ev = lesson.events.dropna(subset=["stage"])
    reached = _reached(ev[ev["persona"] == RORY], stages, "stage")
    assert _funnel_oracle(reached, len(stages))["n"].tolist() == [98, 84, 49, 21]
    answers = {"4.3": [21 / 49, 0.43], "5.1": [{"stage": "Post-purchase", "interval": (0.433, 0.700)},
                                              {"stage": "Decision", "interval": (0.32, 0.52)}]}[exercise]
    for answer in answers:
        feedback = lesson.check(exercise, answer)
        assert feedback.code == "not-available", str(feedback)
        assert not {"21", "28"} & set(re.findall(r"\d+", feedback.message)), feedback.message


def test_exercise_5_1_reads_no_step_notebook_05_shows_as_fewer_than_5(worlds):
    """Thin Thea: 2 of her 20 reach Post-purchase (plain pandas), which notebook 05 shows as "fewer
    than 5". With min_n 5, 5.1's key was that step ("90.0 % lost (18 of 20)") and answering it with
    the wrong interval got "That is reach … (10.0 %)": the 2 either way. The key and the hints now read
    only steps the notebook shows."""
    from small_groups import THIN

    from jmtools.teaching import Lesson

    lesson = Lesson(worlds["thin"], persona=THIN, min_n=MIN_GROUP)
    stages = list(lesson.journey.stage_names)
    ev = lesson.events.dropna(subset=["stage"])
    assert _funnel_oracle(_reached(ev[ev["persona"] == THIN], stages, "stage"), len(stages))["n"].tolist() == \
        [20, 20, 20, 2]
    for interval in ((0.699, 0.972), (0.03, 0.30), (0.0, 0.2)):
        feedback = lesson.check("5.1", {"stage": "Post-purchase", "interval": interval})
        assert not feedback.ok, str(feedback)
        assert not {"18", "2", "10.0", "90.0"} & set(re.findall(r"\d+(?:\.\d)?", feedback.message)), str(feedback)


def test_figure_draws_nothing_without_a_conversion_and_refuses_an_unknown_column():
    """Every conversion past step 1 hidden: a sentence, not empty axes; a misspelt ``needs`` is a
    ParameterError naming the columns, not a chart drawn without the check."""
    from jmtools.core.errors import ParameterError
    from jmtools.teaching import figure

    f = pd.DataFrame({"step_index": [1, 2, 3], "conversion": [1.0, None, None], "suppressed": [False, True, False]})
    f.attrs["note"] = "2 steps are shown as \"hidden\"."
    drawn = []
    out = figure(lambda frame, **kw: drawn.append(frame), f, about="The chart", needs="conversion")
    assert not drawn and out.data.startswith("The chart is not drawn: 2 steps are shown as")
    figure(lambda frame, **kw: drawn.append(frame), f.assign(conversion=[1.0, None, 0.5]), about="x",
           needs="conversion")
    assert len(drawn) == 1
    with pytest.raises(ParameterError, match="conversoin"):
        figure(print, f, about="x", needs="conversoin")
