"""The ``jmtools map`` command (jmtools.cli.map): formats, personas, lanes, empathy, workbook."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

JOURNEY = """# a comment the workshop round trip must keep
name: Demo map
personas:
  - {name: Ben}
  - {name: Maya}
stages:
  - name: Look
    goal: Find shoes
    actions: [Sees an ad, {text: Reads reviews, personas: [Maya]}]
  - name: Buy  # the money stage
    emotion: {Ben: -1, Maya: 1}
    actions: [Pays]
pain_points:
  - {id: fees, title: Hidden fees, stage: Buy, personas: [Ben], severity: 4}
"""


@pytest.fixture
def journey_file(tmp_path):
    path = tmp_path / "journey.yaml"
    path.write_text(JOURNEY, encoding="utf-8")
    return path


def _main(argv):
    from jmtools.cli.main import main

    return main([str(a) for a in argv])


def test_map_command_formats(journey_file, tmp_path, capsys):
    for suffix, magic in [(".png", b"\x89PNG"), (".html", b"<!DOCT"), (".pdf", b"%PDF")]:
        out = tmp_path / f"map{suffix}"
        assert _main(["map", journey_file, "-o", out]) == 0
        assert out.read_bytes()[:len(magic)] == magic
    assert f"wrote {tmp_path / 'map.pdf'}" in capsys.readouterr().out


def test_map_command_persona_and_lanes(journey_file, tmp_path):
    out = tmp_path / "ben.svg"
    assert _main(["map", journey_file, "-o", out, "--persona", "Ben",
                  "--lanes", "goal,actions,pain_points"]) == 0
    svg = out.read_text()
    assert "Demo map — Ben" in svg and "Customer goal" in svg and "Hidden fees" in svg
    assert "Emotion curve" not in svg and "Reads reviews" not in svg  # Maya's action
    both = tmp_path / "both.svg"
    assert _main(["map", journey_file, "-o", both, "--persona", "Ben", "--persona", "Maya"]) == 0
    assert "Demo map — Ben vs Maya" in both.read_text()


def test_map_command_usage_errors(journey_file, tmp_path, capsys):
    assert _main(["map", journey_file, "-o", tmp_path / "map.jpg"]) == 2
    assert "output suffix must be one of" in capsys.readouterr().err
    assert _main(["map", journey_file, "-o", tmp_path / "m.png", "--persona", "Benn"]) == 2
    assert "did you mean 'Ben'" in capsys.readouterr().err
    assert _main(["map", "-o", tmp_path / "m.png"]) == 2
    assert _main(["map", "--import", tmp_path / "x.xlsx", "-o", tmp_path / "j.png"]) == 2
    assert _main(["map", tmp_path / "missing.yaml", "-o", tmp_path / "m.png"]) == 1
    assert "file not found" in capsys.readouterr().err
    assert not (tmp_path / "m.png").exists()


def test_map_workbook_round_trip_through_the_command(journey_file, tmp_path, capsys):
    from openpyxl import load_workbook

    from jmtools.journey import Journey

    book = tmp_path / "map.xlsx"
    assert _main(["map", journey_file, "-o", book]) == 0
    wb = load_workbook(book)
    ws = wb["Map"]
    ws["C6"] = "Pays\nChecks the delivery date [reported | personas: Ben]"  # Buy · actions
    wb.save(book)
    before = journey_file.read_text()
    assert _main(["map", "--import", book, "-o", journey_file, "--dry-run"]) == 0
    out = capsys.readouterr().out
    assert "1 change compared with" in out and "dry run" in out
    assert journey_file.read_text() == before
    assert _main(["map", "--import", book, "-o", journey_file]) == 0
    assert "stage 'Buy' · actions: added 'Checks the delivery date [reported | personas: Ben]'" \
        in capsys.readouterr().out
    text = journey_file.read_text()
    assert text.startswith("# a comment the workshop round trip must keep")
    assert "# the money stage" in text
    claim = Journey.load(journey_file).stage("Buy").actions[1]
    assert (claim.text, claim.evidence, claim.personas) == ("Checks the delivery date",
                                                            "reported", ["Ben"])
    fresh = tmp_path / "new.yaml"  # importing into a new file compares with the snapshot
    assert _main(["map", "--import", book, "-o", fresh]) == 0
    assert Journey.load(fresh) == Journey.load(journey_file)


def test_map_command_with_sample_data(tmp_path):
    root = Path(__file__).resolve().parents[1] / "data" / "ecommerce"
    if not (root / "journey.yaml").exists():
        pytest.skip("sample data not generated")
    out = tmp_path / "map.svg"
    assert _main(["map", root / "journey.yaml", "-o", out, "--data", root,
                  "--persona", "Budget Ben", "--lanes", "emotion,kpis"]) == 0
    svg = out.read_text()
    assert "Conversion" in svg and "CSAT" in svg and "(n=" in svg


def test_map_command_empathy(journey_file, tmp_path, capsys):
    out = tmp_path / "emp.svg"
    assert _main(["map", journey_file, "-o", out, "--empathy", "--persona", "Maya",
                  "--stage", "Look"]) == 0
    svg = out.read_text()
    assert "Empathy map — Maya · Look" in svg and "Reads reviews" in svg and "Pays" not in svg
    assert _main(["map", journey_file, "-o", out, "--empathy"]) == 2
    assert "one persona" in capsys.readouterr().err
    assert _main(["map", journey_file, "-o", out, "--stage", "Look"]) == 2
    assert "--empathy" in capsys.readouterr().err


# ------------------------------------------------------------------ whatever tables exist
@pytest.mark.parametrize("name", ["events", "surveys", "feedback", "events+orders", "customers+orders"])
def test_map_command_with_any_subset_of_tables(table_subset, name, tmp_path, capsys):
    """The map draws on a folder with only some tables (tests/table_subsets.py); its emotion lane is
    measured where surveys, feedback or events exist, and only assumed where none does."""
    from jmtools.analyses.mapcells import map_cells
    from jmtools.journey import Journey
    from jmtools.pipeline import map_evidence
    from jmtools.sample_worlds import load_truths
    from table_subsets import SUBSETS

    folder = table_subset(name)
    out = tmp_path / "map.html"
    assert _main(["map", folder / "journey.yaml", "-o", out, "--data", folder]) == 0
    assert "Running shoes online" in out.read_text(encoding="utf-8")
    cells = map_cells(Journey.load(folder / "journey.yaml"), evidence=map_evidence(folder, n_boot=50))
    emotion = cells[cells["lane"] == "emotion"]
    said = {"surveys", "feedback"} & set(SUBSETS[name])
    behaviour = not said and "events" in SUBSETS[name]
    assert set(emotion["evidence"]) == ({"assumed", "reported"} if said else
                                        {"assumed", "measured"} if behaviour else {"assumed"})
    assert set(emotion["series"]) == ({"assumed", "measured"} if said or behaviour else {"assumed"})
    kpis = set(cells.loc[cells["lane"] == "kpis", "series"])
    assert ("conversion" in kpis) == ("events" in SUBSETS[name])
    assert ("csat_mean" in kpis) == ("surveys" in SUBSETS[name])


def test_map_command_persona_without_a_customer_table_says_so(table_subset, tmp_path, capsys):
    folder = table_subset("events+orders")
    assert _main(["map", folder / "journey.yaml", "-o", tmp_path / "ben.html", "--data", folder,
                  "--persona", "Budget Ben"]) == 0
    out = capsys.readouterr().out
    assert "holds no measured evidence to show for Budget Ben (no customer table" in out


def test_map_of_the_grocery_world_shows_its_repeat_stage_measured(tmp_path, capsys):
    """Behaviour only, a repeat stage fed by the same event name: the canvas gets a measured
    conversion for "Repeat order" (from data, with n) and no measured 0 anywhere."""
    from jmtools.pipeline import map_evidence
    from jmtools.sample_worlds import load_truths

    root = Path(__file__).resolve().parents[1] / "data" / "grocery"
    out = tmp_path / "grocery.html"
    assert _main(["map", root / "journey.yaml", "-o", out, "--data", root]) == 0
    assert out.read_bytes().startswith(b"<!DOCT")
    k = map_evidence(root)["kpis"]
    rows = k[(k.persona == "all") & (k.metric == "conversion")].set_index("stage")
    truths = load_truths("grocery")["funnel"]["reach"]
    reach = {s: sum(v[s] for v in truths.values()) for s in rows.index}
    assert rows.loc["Repeat order", "value"] == pytest.approx(reach["Repeat order"] / reach["Restock"])
    assert (rows["value"] > 0).all()


def test_map_with_data_never_draws_a_group_of_fewer_than_five(tmp_path, capsys):
    """A persona of 3 customers with 30 answers: no emotion point or KPI of it keeps numbers,
    the command says what it left out, and without the rule they would be drawn."""
    from small_groups import LOUD, loud_persona_world

    from jmtools.analyses import emotions
    from jmtools.personas import assign_personas
    from jmtools.pipeline import map_evidence
    from jmtools.sources import load_world

    folder = loud_persona_world(tmp_path / "world")
    if folder is None:
        pytest.skip("sample world ecommerce not generated")
    evidence = map_evidence(folder)
    emotion, kpis = evidence["emotion"], evidence["kpis"]
    assert emotion.loc[emotion["persona"] == LOUD, "valence"].isna().all()
    assert not ((emotion["n_customers"] > 0) & (emotion["n_customers"] < 5)).any()
    assert not ((kpis["n_customers"] > 0) & (kpis["n_customers"] < 5)).any()
    assert LOUD not in set(kpis["persona"])
    out = tmp_path / "lou.html"
    assert _main(["map", folder / "journey.yaml", "-o", out, "--data", folder, "--persona", LOUD]) == 0
    said = capsys.readouterr().out
    assert "note: No group of fewer than 5 customers is drawn" in said and "KPI cells are left out" in said
    assert "holds no measured evidence to show for Loud Lou" in said
    # the oracle: the curve as the map computed it before names the 3 customers' point
    world = load_world(folder)
    ev = emotions.emotion_evidence(world.journey, surveys=world.surveys,
                                   personas=assign_personas(world.customers.to_pandas(), world.journey))
    raw = emotions.emotion_curve(ev, journey=world.journey, personas=[LOUD])
    assert ((raw["persona"] == LOUD) & raw["valence"].notna() & (raw["n_customers"] < 5)).any()


def test_map_command_badges_touchpoints_with_events_measured_per_persona(tmp_path):
    """``jmtools map --data`` (map_evidence) counts customers with events at each touchpoint for
    all and per persona, as a report does (D151): a touchpoint with events is measured, its
    tooltip the focus's count, equal to the report's own count."""
    from jmtools import pipeline
    from jmtools.pipeline import map_cells_for, map_evidence

    root = Path(__file__).resolve().parents[1] / "data" / "grocery"
    seen = map_evidence(root)["touchpoints"]
    assert set(seen["persona"]) == {"all", "Family Fiona", "Deal Hunter Dev", "Retired Rita"}
    for persona in ("all", "Deal Hunter Dev"):
        report = pipeline.run(root, persona=persona).touchpoint_customers
        mine = seen[seen["persona"] == persona].drop(columns="persona").reset_index(drop=True)
        pd.testing.assert_frame_equal(mine, report)
    cells = map_cells_for(root, persona="Deal Hunter Dev", lanes=["touchpoints"])
    dev = seen[seen["persona"] == "Deal Hunter Dev"].set_index("touchpoint")["n_customers"]
    measured = cells[cells["evidence"] == "measured"].set_index("text")
    assert set(measured.index) == set(dev.index) and len(dev) > 3
    name = dev.index[0]
    assert measured.loc[name, "source"] == f"events of {dev[name]:,} customers"
