"""Identifiers and personal dates are never profiled by value (D213).

Before: an outpatient customer table's ``nhs_number`` and ``date_of_birth`` (text, 3,000 and
~2,900 distinct values) were attribute "levels" of notebook 01's profile: its 8 most frequent
NHS numbers and dates of birth, one patient each, were listed by value. The clustering already
left both out. Now one rule (:func:`jmtools.personas.left_out_attributes`) leaves them out of
the profile, the clustering's features and its proposed rules, and says which and why. Counts
are checked against plain pandas on a generated file read by the loader.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jmtools import personas as P
from jmtools.sources import load_customers

N = 600


@pytest.fixture(scope="module")
def customers(tmp_path_factory):
    """An outpatient-like customer table, written as CSV and read by the loader (dates stay text)."""
    rng = np.random.default_rng(213)
    born = pd.Timestamp("1940-01-01") + pd.to_timedelta(rng.integers(0, 60 * 365, N), unit="D")
    frame = pd.DataFrame({
        "customer_id": [f"RH{100000 + i}" for i in range(N)],
        "nhs_number": [f"400 {i // 1000:03d} {i % 1000:04d}" for i in range(N)],
        "age_band": rng.choice(["18-44", "45-64", "65+"], N),
        "clinic": rng.choice(["Dermatology", "Orthopaedics"], N),
        "date_of_birth": born.strftime("%d/%m/%Y"),
        "referred": rng.choice(["01/03/2025", "02/03/2025"], N),   # a date-like category of 2 values
        "email": [f"p{i}@example.org" if i % 2 else "unknown" for i in range(N)],  # half one value
        "visits": rng.integers(1, 9, N)})
    path = tmp_path_factory.mktemp("identifiers") / "customers.csv"
    frame.to_csv(path, index=False)
    return frame, load_customers(path).to_pandas()


def _assignment(c):
    return P.assign_personas(c, {"Skin": "clinic == 'Dermatology'", "Bones": "clinic == 'Orthopaedics'"})


def test_identifiers_and_birth_dates_are_named_with_pandas_counts(customers):
    frame, c = customers
    left = P.left_out_attributes(c)
    assert list(left) == ["nhs_number", "date_of_birth", "email"]
    assert left["nhs_number"] == f"an identifier ({frame['nhs_number'].nunique():,} distinct values of {N:,})"
    assert left["date_of_birth"] == "personal dates"
    assert left["email"] == (f"an identifier or free text ({frame['email'].nunique():,} distinct values "
                             f"of {N:,})")                   # "unknown" for half: its 7 others were emails
    note = P.left_out_note(left)
    assert note.startswith("nhs_number: an identifier (600 distinct values of 600) — left out; "
                           "date_of_birth: personal dates — left out")
    assert note.endswith("to profile an age, add an age band column")


def test_the_profile_lists_no_identifier_or_birth_date(customers):
    frame, c = customers
    profile = P.attribute_profile(c, _assignment(c), n_boot=20)
    assert set(profile["attribute"]) == {"age_band", "clinic", "referred", "visits"}
    assert list(profile.attrs["left_out"]) == ["nhs_number", "date_of_birth", "email"]
    listed = set(profile["level"].dropna())
    for col in ("nhs_number", "date_of_birth", "email"):
        assert not listed & set(frame[col]), col
    # the kept categories: shares equal pandas' (a date-like category of 2 values stays)
    base = profile[(profile["attribute"] == "referred") & (profile["persona"] == "Skin")].set_index("level")
    assert base["base_value"].to_dict() == pytest.approx(frame["referred"].value_counts(normalize=True).to_dict())


def test_naming_an_identifier_does_not_list_it(customers):
    _, c = customers
    profile = P.attribute_profile(c, _assignment(c), attributes=["nhs_number", "clinic"], n_boot=20)
    assert set(profile["attribute"]) == {"clinic"}
    assert list(profile.attrs["left_out"]) == ["nhs_number"]


def test_clustering_uses_the_same_rule_and_its_rules_name_no_identifier(customers):
    _, c = customers
    features = P.behaviour_features(c)
    assert features.attrs["skipped"] == P.left_out_attributes(c)
    assert not [f for f in features.columns if f.split("=")[0] in ("nhs_number", "date_of_birth", "email")]
    suggestion = P.suggest_personas(c, k=2, seed=0)
    rules = " ".join(r for r in suggestion.summary["rule"] if isinstance(r, str))
    assert "nhs_number" not in rules and "date_of_birth" not in rules and "email" not in rules


def test_dates_as_times_and_small_tables():
    c = pd.DataFrame({"customer_id": list("abcdef"), "region": ["n", "s", "n", "s", "n", "n"],
                      "DOB": pd.to_datetime(["1950-01-02"] * 6),          # one value, but a birth date
                      "signup": pd.to_datetime(["2024-01-01"] * 3 + ["2024-02-01"] * 3),
                      "name": ["Ann", "Bo", "Cy", "Di", "Ed", "Flo"]})    # 6 distinct, under 8 levels
    left = P.left_out_attributes(c)
    assert left == {"DOB": "personal dates", "signup": "dates (2 distinct values of 6)"}
    assert P.left_out_note({"signup": left["signup"]}).endswith("add a band column (its year or month)")
    wide = pd.DataFrame({"customer_id": range(40), "seen": pd.date_range("2024-01-01", periods=40)})
    assert P.left_out_attributes(wide) == {"seen": "dates (40 distinct values of 40)"}
    assert P.left_out_attributes(c, attributes=["region"]) == {}
