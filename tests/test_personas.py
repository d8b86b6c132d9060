"""Tests for jmtools.personas: rule language, assignment, validation, profiles, clusters, cards."""

from __future__ import annotations

import pickle

import numpy as np
import pandas as pd
import pytest

from jmtools import personas as P
from jmtools.errors import DataError, ParameterError


@pytest.fixture
def customers():
    return pd.DataFrame({
        "customer_id": ["c1", "c2", "c3", "c4", "c5", "c6"],
        "age": [22, 35, 51, 67, None, 29],
        "region": ["north", "south", "north", None, "east", "south"],
        "spend": [100.0, 0.0, 250.0, 80.0, 40.0, 300.0],
        "orders": [2, 0, 5, 1, 1, 0],
        "member": [True, False, True, False, True, False],
        "signup_date": pd.to_datetime(["2024-01-05", "2025-02-01", "2023-07-30", "2025-06-01",
                                       "2024-12-31", "2025-01-01"]),
    })


# --- rule language: what it accepts -------------------------------------------------------

RULES = [  # (rule, the same condition hand-written in DuckDB SQL)
    ("age >= 45", "age >= 45"),
    ('region == "north"', "region = 'north'"),
    ('age < 30 and region == "south"', "age < 30 AND region = 'south'"),
    ('age > 60 or region == "east"', "age > 60 OR region = 'east'"),
    ("not age > 40", "NOT age > 40"),
    ("18 <= age < 40", "age BETWEEN 18 AND 40 AND age <> 40"),
    ("region in ['north', 'east']", "region IN ('north', 'east')"),
    ("region not in ['north']", "region NOT IN ('north')"),
    ("age is None", "age IS NULL"),
    ("age is not None and region is None", "age IS NOT NULL AND region IS NULL"),
    ("spend / orders > 60", "(CASE WHEN orders = 0 THEN NULL ELSE spend / orders END) > 60"),
    ("spend % 3 == 1", "fmod(spend, 3) = 1"),
    ("spend - orders * 10 >= 50", "spend - orders * 10 >= 50"),
    ("-age < -40", "-age < -40"),
    ("member", "member"),
    ("member == True and not (age > 60)", "member AND NOT age > 60"),
    ("signup_date >= '2025-01-01'", "signup_date >= TIMESTAMP '2025-01-01'"),
    ("signup_date in ['2025-01-01', '2024-01-05']",
     "signup_date IN (TIMESTAMP '2025-01-01', TIMESTAMP '2024-01-05')"),
    ("age != 22", "age <> 22"),
    ("region != 'north'", "region <> 'north'"),
    ("region > 'm'", "region > 'm'"),
    ("(age >= 30 or age is None) and\nspend > 50", "(age >= 30 OR age IS NULL) AND spend > 50"),
]


def sql_oracle(df: pd.DataFrame, where: str) -> list[str]:
    """Independent answer: hand-written DuckDB SQL over the same frame."""
    import duckdb
    con = duckdb.connect()
    con.register("df", df)
    got = con.execute(f"SELECT customer_id FROM df WHERE {where} ORDER BY customer_id").fetchall()
    return [r[0] for r in got]


@pytest.mark.parametrize("rule, sql", RULES)
def test_rule_pandas_matches_sql_oracle(customers, rule, sql):
    got = P.persona_filter(customers, rule).customer_id.tolist()
    assert sorted(got) == sql_oracle(customers, sql)
    assert sorted(got) == sorted(P.parse_rule(rule).mask(customers).pipe(
        lambda m: customers.customer_id[m]).tolist())


@pytest.mark.parametrize("rule, sql", RULES)
def test_rule_ibis_matches_pandas(customers, rule, sql):
    import ibis
    t = ibis.memtable(customers)
    got = P.persona_filter(t, rule).to_pandas().customer_id.tolist()
    assert sorted(got) == sorted(P.persona_filter(customers, rule).customer_id.tolist())


def test_null_logic_is_sql_like(customers):
    # c5 has no age: neither 'age > 40' nor 'not age > 40' selects it
    yes = set(P.persona_filter(customers, "age > 40").customer_id)
    no = set(P.persona_filter(customers, "not age > 40").customer_id)
    assert "c5" not in yes | no
    assert yes | no == set(customers.customer_id) - {"c5"}
    # c4 has no region: 'region != "north"' does not select it
    assert "c4" not in set(P.persona_filter(customers, "region != 'north'").customer_id)


def test_division_by_zero_is_missing(customers):
    got = P.persona_filter(customers, "spend / orders >= 0").customer_id.tolist()
    assert "c2" not in got and "c6" not in got


def test_rule_does_not_mutate_input(customers):
    before = customers.copy()
    P.persona_filter(customers, "spend / orders > 1 and member")
    pd.testing.assert_frame_equal(customers, before)


# --- rule language: what it refuses, and how it says so -------------------------------------

@pytest.mark.parametrize("rule, pos, fix", [
    ("age = 30", 4, "'=='"),
    ("age > 30 && region == 'x'", 9, "and"),
    ("age > 30 & region == 'x'", 9, "'and'"),
    ("age > 30 | member", 9, "'or'"),
    ("__import__('os').system('x')", 0, "function calls"),
    ("customers.age > 3", 0, "no dots"),
    ("age ** 2 > 3", 4, "'**'"),
    ("age[0] > 3", 0, "indexing"),
    ("region in 'north'", 10, "region in ["),
    ("region in []", 10, "at least one"),
    ("age == None", 0, "is None"),
    ("age is 3", 7, "is None"),
    ("lambda: 1", 0, ""),
    ("[x for x in y]", 0, ""),
    ("age >> 3", 4, ""),
])
def test_disallowed_constructs_give_position_and_fix(rule, pos, fix):
    with pytest.raises(P.RuleError) as info:
        P.parse_rule(rule)
    err = info.value
    assert err.position == pos, str(err)
    assert fix in err.fix
    assert rule in str(err)
    assert "^" in str(err)


def test_rule_error_pickles():
    with pytest.raises(P.RuleError) as info:
        P.parse_rule("age = 3", persona="Ben")
    back = pickle.loads(pickle.dumps(info.value))
    assert str(back) == str(info.value)
    assert back.position == 4 and back.persona == "Ben"


def test_empty_rule_is_refused():
    with pytest.raises(P.RuleError, match="empty"):
        P.parse_rule("  ")


def test_unknown_attribute_suggests(customers):
    with pytest.raises(P.RuleError) as info:
        P.persona_filter(customers, "age > 3 and regoin == 'north'")
    assert info.value.attribute == "regoin"
    assert info.value.position == 12
    assert "did you mean 'region'" in info.value.fix


@pytest.mark.parametrize("rule, words", [
    ("age == 'old'", "number value with a text"),
    ("region > 3", "text value with a number"),
    ("region + 1 > 3", "needs numbers"),
    ("member > True", "does not order"),
    ("age", "not a condition"),
    ("age and member", "conditions"),
    ("signup_date > 'not a date'", "time value"),
    ("region in [1, 2]", "compares a text value"),
])
def test_type_errors(customers, rule, words):
    with pytest.raises(P.RuleError, match=words):
        P.persona_filter(customers, rule)


# --- assignment, coverage, overlaps, checks -------------------------------------------------

PERSONAS = {"Young": "age < 30", "Older": "age >= 45", "Senior": "age >= 65",
            "Northern": "region == 'north'"}


def test_assign_first_in_file_order(customers):
    got = P.assign_personas(customers, PERSONAS)
    assert got.columns.tolist() == ["customer_id", "persona", "n_personas"]
    assert list(got.persona.cat.categories) == list(PERSONAS)
    # independent: loop over customers, first matching persona by hand
    expected, counts = [], []
    for row in customers.itertuples():
        hits = []
        if row.age == row.age:
            hits += [n for n, ok in (("Young", row.age < 30), ("Older", row.age >= 45),
                                     ("Senior", row.age >= 65)) if ok]
        if row.region == "north":
            hits.append("Northern")
        hits.sort(key=list(PERSONAS).index)
        expected.append(hits[0] if hits else None)
        counts.append(len(hits))
    assert got.persona.astype(object).where(got.persona.notna(), None).tolist() == expected
    assert got.n_personas.tolist() == counts


def test_assign_ibis_matches_pandas(customers):
    import ibis
    a = P.assign_personas(customers, PERSONAS)
    b = P.assign_personas(ibis.memtable(customers), PERSONAS).to_pandas()
    b = b.set_index("customer_id").loc[a.customer_id].reset_index()
    assert b.persona.astype(object).where(b.persona.notna(), None).tolist() == \
        a.persona.astype(object).where(a.persona.notna(), None).tolist()
    assert b.n_personas.tolist() == a.n_personas.tolist()


def test_assign_accepts_cards_and_dicts(customers):
    cards = [P.PersonaCard(name="Young", rule="age < 30"), {"name": "Older", "rule": "age >= 45"}]
    got = P.assign_personas(customers, cards)
    assert got.persona.value_counts().to_dict() == {"Young": 2, "Older": 2}


def test_assign_cluster_personas(customers):
    df = customers.assign(cluster=[0, 1, 1, 2, 0, 1])
    got = P.assign_personas(df, [{"name": "C1", "cluster": 1}, {"name": "C0", "cluster": "0"}])
    assert got.persona.astype(object).tolist()[:3] == ["C0", "C1", "C1"]
    with pytest.raises(DataError, match="no 'cluster' column"):
        P.assign_personas(customers, [{"name": "C1", "cluster": 1}])


def test_assign_refuses_duplicate_ids(customers):
    dup = pd.concat([customers, customers.iloc[:1]])
    with pytest.raises(DataError, match="more than once"):
        P.assign_personas(dup, PERSONAS)


def test_assign_refuses_missing_id_column(customers):
    with pytest.raises(ParameterError, match="did you mean 'customer_id'"):
        P.assign_personas(customers, PERSONAS, customer_col="customerid")


def test_persona_without_rule_or_cluster(customers):
    with pytest.raises(DataError, match="neither a rule nor a cluster"):
        P.assign_personas(customers, [{"name": "Ghost"}])


def test_coverage_and_overlaps(customers):
    a = P.assign_personas(customers, PERSONAS)
    cov = P.coverage_report(a).set_index("coverage")
    n = a.n_personas
    assert cov.loc["no persona", "n"] == (n == 0).sum()
    assert cov.loc["several personas", "n"] == (n > 1).sum()
    assert cov.n.sum() == len(customers)
    ov = P.persona_overlaps(customers, PERSONAS)
    assert len(ov) == 6
    row = ov[(ov.persona_a == "Older") & (ov.persona_b == "Senior")].iloc[0]
    assert row.n_both == 1 and row.n_a == 2 and row.n_b == 1


def test_check_personas_reports_everything(customers):
    bad = {"Young": "age < 30", "Typo": "agee > 3", "Nobody": "age > 200", "Syntax": "age = 3",
           "Type": "region > 3", "Older": "age >= 45", "Senior": "age >= 65"}
    with pytest.raises(DataError) as info:
        P.check_personas(customers, bad)
    text = str(info.value)
    assert "4 problems" in text
    for word in ("Typo", "did you mean 'age'", "Nobody", "selects none of the 6",
                 "Syntax", "Type"):
        assert word in text
    rep = P.check_personas(customers, bad, errors="report")
    checks = dict(zip(rep.persona + ":" + rep.check, rep.severity))
    assert checks["Typo:attribute"] == "error"
    assert checks["Nobody:selects nobody"] == "error"
    assert checks["Syntax:syntax"] == "error"
    assert checks["Type:type"] == "error"
    assert checks["Older:overlap"] == "warning"
    assert checks["Young:ok"] == "ok"
    assert rep.loc[rep.persona == "Older", "n"].iloc[0] == 1
