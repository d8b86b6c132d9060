"""FocusPicker: its findings are pipeline.run's for the same focus; a bad segment keeps the last charts."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from jmtools import pipeline
from jmtools.widgets import FocusPicker

PERSONA = "SMB Owner Sam"


@pytest.fixture(scope="module")
def picked(b2b_world):
    drawn, called = [], []
    picker = FocusPicker(b2b_world.prepared, sections=[lambda f: drawn.append(f.focus.persona)])
    picker.on_change(called.append)
    picker.persona.value = PERSONA
    return picker, drawn, called


def test_the_persona_dropdown_lists_all_customers_then_the_personas(picked, b2b_world):
    picker, _, _ = picked
    assert picker.persona.options[0] == ("All customers", "all")
    assert [v for _, v in picker.persona.options[1:]] == b2b_world.journey.persona_names


def test_findings_equal_pipeline_run_for_the_same_persona(picked, b2b_world):
    picker, drawn, called = picked
    expected = pipeline.run(b2b_world.prepared, persona=PERSONA)
    f = picker.findings
    assert f.focus == expected.focus
    for name in ("funnel", "funnel_all", "curve", "kpis", "backlog"):
        pd.testing.assert_frame_equal(getattr(f, name), getattr(expected, name))
    pd.testing.assert_frame_equal(f.pain_points.table, expected.pain_points.table)
    assert picker.parameters == {"persona": PERSONA, "segment": ""} == picker.value
    assert drawn == ["all", PERSONA] and called == [f]


def test_an_invalid_segment_is_shown_inline_and_the_previous_charts_kept(picked):
    picker, drawn, called = picked
    before, n_drawn = picker.findings, len(drawn)
    picker.segment.value = "employes < 50"
    assert "did you mean 'employees'?" in picker.errors.text and "Traceback" not in picker.errors.text
    assert picker.findings is before and len(drawn) == n_drawn
    assert picker.parameters == {"persona": PERSONA, "segment": ""}
    picker.segment.value = "employees < 0"
    assert "at least one customer" in picker.errors.text and picker.findings is before
    picker.segment.value = ""
    assert picker.errors.text == "" and picker.findings is not before


def test_a_segment_restricts_the_run(picked, b2b_world):
    picker, _, _ = picked
    picker.segment.value = 'region == "DACH"'
    customers = b2b_world.read("customers.csv")
    assert picker.findings.segment_customers == int((customers["region"] == "DACH").sum())
    assert picker.parameters == {"persona": PERSONA, "segment": 'region == "DACH"'}
    assert picker.findings.focus.label == f'{PERSONA} in segment region == "DACH"'


@pytest.mark.parametrize(("persona", "says"), [("Loud Lou", "fewer than 5 customers with events (not shown)"),
                                               ("Thin Thea", "size not shown")])
def test_the_status_line_prints_no_size_a_report_hides(tmp_path, persona, says):
    """Notebook 06's workshop printed "Loud Lou: 3 customers with events" and Thin Thea's 20
    (her size is hidden to protect Lou's 3) above the sections that hide them."""
    from small_groups import built, everyone_in_a_persona_world, loud_and_thin_world

    world = built(everyone_in_a_persona_world, tmp_path / "world", base=loud_and_thin_world)
    picker = FocusPicker(world)
    picker.persona.value = persona
    assert picker.findings.focus.persona == persona and says in picker.status.value
    assert not re.search(r"\d", picker.status.value.split("</span>")[-1].replace("5", "")), picker.status.value
    picker.persona.value = "Budget Ben"
    assert re.search(r"[\d,]+ customers with events", picker.status.value)


def _with_events(b2b_world, chosen) -> int:
    """Oracle in plain pandas: customers of ``chosen`` (a boolean mask of customers.csv) with events."""
    customers = b2b_world.read("customers.csv")
    with_events = set(b2b_world.read("events.parquet", columns=["customer_id"])["customer_id"])
    return int(customers.loc[chosen(customers), "customer_id"].isin(with_events).sum())


def test_a_rule_saved_after_the_picker_was_built_counts_at_the_next_pick(b2b_world, tmp_path):
    """The tester saved Prepay Priya's new rule (116 customers), picked her, and saw the old 423."""
    import shutil

    from jmtools.journey import Journey
    from jmtools.widgets import PersonaEditor

    path = tmp_path / "journey.yaml"
    shutil.copy(b2b_world.folder / "journey.yaml", path)
    picker = FocusPicker(pipeline.load(b2b_world.folder, path))
    old = _with_events(b2b_world, lambda c: c["employees"] < 50)
    assert picker.select(persona=PERSONA).n_customers == old
    PersonaEditor(Journey.load(path), b2b_world.table("customers"), persona=PERSONA,
                  journey_path=path).set(rule="employees < 20").save()
    picker.persona.value = "all"
    picker.persona.value = PERSONA
    new = _with_events(b2b_world, lambda c: c["employees"] < 20)
    assert new < old and picker.findings.n_customers == new
    assert f"{new:,} customers with events" in picker.status.value
    assert picker.findings.journey.personas[0].rule == "employees < 20"
