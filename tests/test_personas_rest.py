"""The "everyone else" persona (``rest: true``): validation, assignment on every engine, counts.

The oracle is plain pandas: rest = not (earlier rule 1 or earlier rule 2 …), where an earlier
rule that is unknown for a customer (a missing attribute) counts as *not selected* — so that
customer belongs to the rest. pandas comparisons with NaN are False, which is that reading; a
``not`` over a missing value is written out explicitly below (SQL: unknown, not selected).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jmtools import personas as P
from jmtools.core.errors import DataError, JourneyError
from jmtools.journey import Journey, load_persona_library

RULES = [{"name": "Young", "rule": "age < 30"},
         {"name": "North", "rule": "region == 'north' or spend > 200"},
         {"name": "Not old", "rule": "not age > 60"},
         {"name": "Everyone else", "rest": True}]


@pytest.fixture(scope="module")
def customers():
    rng = np.random.default_rng(5)
    n = 400
    age = rng.integers(18, 80, n).astype(float)
    age[rng.random(n) < 0.15] = np.nan
    region = rng.choice(["north", "south", "east"], n).astype(object)
    region[rng.random(n) < 0.15] = None
    spend = rng.gamma(2, 60, n).round(2)
    spend[rng.random(n) < 0.1] = np.nan
    return pd.DataFrame({"customer_id": [f"c{i:03d}" for i in range(n)], "age": age,
                         "region": region, "spend": spend})


def oracle(c: pd.DataFrame) -> pd.DataFrame:
    """Each rule by plain pandas (NaN comparisons are False), rest = no earlier rule."""
    masks = pd.DataFrame({
        "Young": c.age < 30,
        "North": (c.region == "north") | (c.spend > 200),
        "Not old": c.age.notna() & ~(c.age > 60),   # SQL: not (unknown) is unknown → not selected
    })
    masks["Everyone else"] = ~masks.any(axis=1)
    return masks


def test_rest_is_exactly_the_complement_of_the_earlier_rules(customers):
    expected = oracle(customers)
    masks = P.persona_masks(customers, RULES).set_index("customer_id")
    pd.testing.assert_frame_equal(masks.reset_index(drop=True), expected.reset_index(drop=True))
    missing = customers.age.isna() & ~expected["North"]
    assert missing.any() and expected.loc[missing, "Everyone else"].all()  # NULL → everyone else
    a = P.assign_personas(customers, RULES)
    first = expected.idxmax(axis=1)
    assert a.persona.astype(str).tolist() == first.tolist()
    assert a.n_personas.tolist() == expected.sum(axis=1).tolist()
    assert (a.loc[a.persona == "Everyone else", "n_personas"] == 1).all()


def test_coverage_and_overlaps_count_no_rest_overlap(customers):
    expected = oracle(customers)
    a = P.assign_personas(customers, RULES)
    cov = P.coverage_report(a).set_index("coverage")["n"]
    rules = expected.drop(columns="Everyone else")
    assert cov["no persona"] == 0
    assert cov["several personas"] == int((rules.sum(axis=1) > 1).sum())
    assert cov.sum() == len(customers)
    pairs = P.persona_overlaps(customers, RULES)
    assert (pairs[pairs.persona_b == "Everyone else"].n_both == 0).all()
    check = P.check_personas(customers, RULES, errors="report")
    overlap = check[check.check == "overlap"]
    assert "Everyone else" not in set(overlap.persona)
    assert not overlap.message.str.contains("Everyone else").any()
    sizes = P.persona_sizes(a).set_index("persona")
    assert sizes.loc["Everyone else", "n"] == int(expected.idxmax(axis=1).eq("Everyone else").sum())
    assert sizes.loc[P.NO_PERSONA, "n"] == 0 and sizes["n"].sum() == len(customers)


def test_the_true_workaround_reported_overlaps_that_rest_does_not(customers):
    workaround = [*RULES[:-1], {"name": "Everyone else", "rule": "True"}]
    claimed = P.coverage_report(P.assign_personas(customers, workaround)).set_index("coverage")
    fixed = P.coverage_report(P.assign_personas(customers, RULES)).set_index("coverage")
    assert claimed.loc["several personas", "n"] > fixed.loc["several personas", "n"]
    assert (P.assign_personas(customers, workaround).persona.astype(str)
            == P.assign_personas(customers, RULES).persona.astype(str)).all()


def test_ibis_duckdb_assignment_equals_pandas(customers):
    import ibis
    a = P.assign_personas(customers, RULES)
    b = P.assign_personas(ibis.memtable(customers), RULES).to_pandas().set_index("customer_id")
    b = b.loc[a.customer_id]
    assert b.persona.tolist() == a.persona.astype(str).tolist()
    assert b.n_personas.tolist() == a.n_personas.tolist()


def test_a_rest_persona_alone_selects_everyone(customers):
    a = P.assign_personas(customers, [{"name": "All", "rest": True}])
    assert (a.persona == "All").all() and (a.n_personas == 1).all()


def test_evidence_coverage_and_sizes_with_rest():
    from jmtools.evidence import prepare
    customers = pd.DataFrame({"customer_id": ["a", "b", "c", "d"], "age": [20, 50, None, 25]})
    events = pd.DataFrame({"customer_id": ["a", "b", "c", "d", "x"],
                           "event": ["view"] * 5,
                           "timestamp": pd.to_datetime(["2024-01-01"] * 5)})
    j = Journey.from_yaml("name: D\nstages: [{name: S}]\n"
                          "touchpoints: [{name: T, stage: S, channel: digital, events: [view]}]\n"
                          "personas:\n  - {name: Young, rule: 'age < 30'}\n"
                          "  - {name: Also young, rule: 'age < 40'}\n"
                          "  - {name: Others, rest: true}\n")
    ev = prepare(events, j, customers=customers)
    cov = ev.coverage.set_index("coverage")["n"]
    assert cov.to_dict() == {"one persona": 2, "no persona": 0, "several personas": 2,
                             "not in customer table": 1}
    sizes = ev.persona_sizes.set_index("persona")["n_customers"]
    assert sizes.to_dict() == {"Young": 2, "Also young": 0, "Others": 2, P.NO_PERSONA: 0,
                               "(not in customer table)": 1}


# --- the journey file ------------------------------------------------------------------------

HEAD = "name: D\nstages: [{name: S}]\npersonas:\n"


@pytest.mark.parametrize("personas, line, words", [
    ("  - {name: A, rule: 'a > 1'}\n  - {name: R, rest: true, rule: ''}\n", 5, "takes no rule"),
    ("  - {name: A, rule: 'a > 1'}\n  - {name: R, rest: true, rule: 'a > 2'}\n", 5,
     "takes no rule"),
    ("  - {name: A, rule: 'a > 1'}\n  - {name: R, rest: true, cluster: 2}\n", 5,
     "takes no cluster"),
    ("  - {name: R, rest: true}\n  - {name: A, rule: 'a > 1'}\n", 4,
     "not the last persona ('A' comes after it)"),
    ("  - {name: A, rule: 'a > 1'}\n  - {name: R, rest: true}\n  - {name: R2, rest: true}\n", 6,
     "second rest persona (the first is 'R')"),
])
def test_rest_written_wrongly_is_a_located_error(personas, line, words):
    with pytest.raises(JourneyError) as info:
        Journey.from_yaml(HEAD + personas, source="j.yaml")
    problem = next(p for p in info.value.problems if words in p.message)
    assert problem.line == line and problem.fix
    assert "is empty" not in str(info.value)  # an empty rule beside rest: one error, not two


def test_rest_in_a_journey_validates_and_is_in_the_schema(tmp_path):
    from jmtools.journey import schema_problems
    path = tmp_path / "j.yaml"
    path.write_text(HEAD + "  - {name: A, rule: 'a > 1'}\n  - {name: R, rest: true}\n")
    j = Journey.load(path)
    assert j.personas_resolved()[-1].rest and j.check() == [] and schema_problems(path) == []
    assert Journey.json_schema()["$defs"]["Persona"]["properties"]["rest"]["type"] == "boolean"
    path.write_text(HEAD + "  - {name: A, rule: 'a > 1'}\n  - {name: R, rest: yes please}\n")
    with pytest.raises(JourneyError):
        Journey.load(path)


def test_rest_from_a_library_reference_follows_the_same_rules(tmp_path):
    (tmp_path / "lib.yaml").write_text("personas:\n  - {name: Others, rest: true}\n"
                                       "  - {name: Young, rule: 'age < 30'}\n")
    assert load_persona_library(tmp_path / "lib.yaml").personas[0].rest  # a library has no order
    path = tmp_path / "j.yaml"
    path.write_text(HEAD + "  - ref: lib.yaml#Young\n  - ref: lib.yaml#Others\n")
    assert [c.name for c in Journey.load(path).personas_resolved()] == ["Young", "Others"]
    path.write_text(HEAD + "  - ref: lib.yaml#Others\n  - ref: lib.yaml#Young\n")
    with pytest.raises(JourneyError, match="not the last persona") as info:
        Journey.load(path)
    assert info.value.problems[0].line == 4
    (tmp_path / "bad.yaml").write_text("personas:\n  - {name: X, rest: true, rule: 'a > 1'}\n")
    with pytest.raises(JourneyError, match="takes no rule"):
        load_persona_library(tmp_path / "bad.yaml")


@pytest.mark.parametrize("bad, words, reported", [
    ([*RULES, {"name": "Again", "rest": True}], "second rest persona", "second rest persona"),
    ([RULES[-1], *RULES[:-1]], "not the last persona", "not the last persona"),
    ([*RULES[:-1], {"name": "Everyone else", "rest": True, "rule": ""}], "takes no rule",
     "takes no rule"),
    ([*RULES[:-1], {"name": "Nothing"}], "or rest: true", "neither a rule nor a cluster"),
])
def test_bad_rest_personas_given_in_python_are_refused(customers, bad, words, reported):
    with pytest.raises(DataError, match=words):
        P.assign_personas(customers, bad)
    report = P.check_personas(customers, bad, errors="report")
    errors = report[report.severity == "error"]
    assert errors.message.str.contains(reported).any()


def test_check_personas_rest_warnings_and_errors(customers):
    everyone = [{"name": "Any", "rule": "spend >= 0 or spend is None"}, {"name": "R", "rest": True}]
    report = P.check_personas(customers, everyone)          # does not raise: a warning
    row = report[report.persona == "R"].iloc[0]
    assert row.check == "selects nobody" and row.severity == "warning"
    broken = [{"name": "A", "rule": "agee < 3"}, {"name": "R", "rest": True}]
    report = P.check_personas(customers, broken, errors="report")
    row = report[report.persona == "R"].iloc[0]
    assert row.severity == "error" and "'A'" in row.message and "unknown" in row.message


def test_runnable_personas_leaves_out_rest_when_an_earlier_rule_cannot_run(customers):
    j = Journey.from_yaml(HEAD + "  - {name: A, rule: 'agee < 3'}\n  - {name: B, rule: 'age > 3'}\n"
                                 "  - {name: R, rest: true}\n")
    kept, broken = P.runnable_personas(j, customers)
    assert kept.persona_names == ["B"] and sorted(broken) == ["A", "R"]
    assert "'A'" in str(broken["R"]) and "unknown" in str(broken["R"])
    fine = Journey.from_yaml(HEAD + "  - {name: B, rule: 'age > 3'}\n  - {name: R, rest: true}\n")
    assert P.runnable_personas(fine, customers) == (fine, {})


# --- cards, editor, workbook, report --------------------------------------------------------

def test_card_says_everyone_else_and_round_trips():
    j = Journey.from_yaml(HEAD + "  - {name: A, rule: 'a > 1'}\n  - {name: R, rest: true}\n")
    card = P.PersonaCard.from_persona(j.personas_resolved()[-1])
    assert card.rest and card.to_dict() == {"name": "R", "rest": True, "evidence": "assumed"}
    assert "everyone else" in card.to_html()
    assert "rest" not in P.PersonaCard.from_persona(j.personas_resolved()[0]).to_dict()


def test_workbook_keeps_rest(tmp_path):
    from jmtools.journey.workbook import write_workbook
    from jmtools.journey.workbook_read import read_workbook
    j = Journey.from_yaml(HEAD + "  - {name: A, rule: 'a > 1'}\n  - {name: R, rest: true}\n")
    back = read_workbook(write_workbook(j, tmp_path / "m.xlsx"))
    assert back.journey == j and back.changes == [] and back.journey.personas[-1].rest


def test_report_names_a_rest_persona_everyone_else():
    from jmtools.report.sections import _rule_text
    j = Journey.from_yaml(HEAD + "  - {name: A, rule: 'a > 1'}\n  - {name: R, rest: true}\n")
    first, rest = j.personas_resolved()
    assert _rule_text(first) == "a > 1" and _rule_text(rest).startswith("everyone else")


EDITED = """\
jmtools: 1
name: Demo
personas:
  - name: Young
    rule: "age < 30"  # the young ones
  - name: Others
    rest: true
    quote: Just browsing.
stages:
  - name: Browse
"""


def test_editor_shows_rest_as_everyone_else_counted_from_the_edited_rules(tmp_path):
    from jmtools.widgets import PersonaEditor
    path = tmp_path / "journey.yaml"
    path.write_text(EDITED)
    customers = pd.DataFrame({"customer_id": list("abcde"), "age": [20, 25, 40, None, 70]})
    ed = PersonaEditor(Journey.load(path), customers)
    ed.picker.value = "Others"
    assert ed.fields["rule"].layout.display == "none" and "Everyone else" in ed.note.value
    assert ed.count == {"n": 3, "of": 5, "share": 0.6}            # 40, missing age, 70
    assert "everyone else" in ed.counter.value and "customer table" in ed.counter.value
    ed.picker.value = "Young"
    ed.set(rule="age < 50")
    assert ed.fields["rule"].layout.display is None and ed.note.value == ""
    ed.picker.value = "Others"
    assert ed.count["n"] == 2                                     # missing age, 70
    ed.save()
    assert path.read_text() == EDITED                             # the rest card did not change
    ed.set(quote="Looking around.").save()
    assert "quote: Looking around." in path.read_text() and "rest: true" in path.read_text()


def test_editor_rest_count_shows_an_earlier_rule_error(tmp_path):
    from jmtools.widgets import PersonaEditor
    path = tmp_path / "journey.yaml"
    path.write_text(EDITED)
    customers = pd.DataFrame({"customer_id": list("ab"), "age": [20, 40]})
    ed = PersonaEditor(Journey.load(path), customers)
    ed.set(rule="agee < 30")
    ed.picker.value = "Others"
    assert ed.count is None and "did you mean 'age'" in ed.errors.text


# --- Spark ----------------------------------------------------------------------------------

@pytest.mark.spark
def test_rest_assignment_identical_on_spark(customers):
    import importlib.util
    import shutil
    if importlib.util.find_spec("pyspark") is None or shutil.which("java") is None:
        pytest.skip("pyspark or Java missing — Spark check skipped")
    import ibis
    from pyspark.sql import SparkSession
    spark = (SparkSession.builder.master("local[1]").appName("jmtools-rest")
             .config("spark.ui.enabled", "false").config("spark.sql.shuffle.partitions", "2")
             .config("spark.sql.session.timeZone", "UTC").getOrCreate())
    try:
        con = ibis.pyspark.connect(spark)
        spark.createDataFrame(customers).createOrReplaceTempView("rest_customers")
        a = P.assign_personas(customers, RULES)
        b = P.assign_personas(con.table("rest_customers"), RULES).to_pandas()
        b = b.set_index("customer_id").loc[a.customer_id]
        assert b.persona.tolist() == a.persona.astype(str).tolist()
        assert b.n_personas.tolist() == a.n_personas.tolist()
    finally:
        spark.stop()


# --- through the whole chain ----------------------------------------------------------------

def test_a_report_run_on_a_rest_persona_counts_everyone_else(tmp_path, b2b_world):
    """The b2b world with its last persona rewritten as ``rest: true``: the run's customers are
    the customers with events whom no earlier rule selects (plain pandas), nobody is left
    without a persona, and nothing overlaps."""
    import shutil
    from jmtools import pipeline
    folder = tmp_path / "b2b"
    shutil.copytree(b2b_world.folder, folder)
    journey = folder / "journey.yaml"
    journey.write_text(journey.read_text(encoding="utf-8").replace(
        'rule: "employees >= 1000"', "rest: true"), encoding="utf-8")
    f = pipeline.run(folder, persona="Enterprise Procurement Priya")
    customers = b2b_world.read("customers.csv")
    with_events = set(b2b_world.table("events").customer_id)
    e = customers["employees"]
    rest = customers.loc[~((e < 50) | ((e >= 50) & (e < 1000))), "customer_id"]
    assert f.n_customers == len(set(rest) & with_events) > 0
    cov = f.evidence.coverage.set_index("coverage")["n"]
    assert cov["no persona"] == 0 and cov["several personas"] == 0
    sizes = f.evidence.persona_sizes.set_index("persona")["n_customers"]
    assert sizes["Enterprise Procurement Priya"] == f.n_customers
    assert sizes.sum() == f.evidence.n_customers
