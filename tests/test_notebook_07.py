"""notebooks/07_test_implement_iterate.ipynb runs under papermill on the sample world with a
planted fix: the comparison finds it, the opportunity's outcome is written into the journey
file, the KPI control chart flags a planted shift, and the map's changes are listed."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from jmtools.journey import Journey
from jmtools.sample_worlds import generate_change_world

NOTEBOOK = Path(__file__).resolve().parents[1] / "notebooks" / "07_test_implement_iterate.ipynb"
TEMPLATE = Path(__file__).resolve().parents[1] / "templates" / "journeys" / "ecommerce.yaml"

pytestmark = pytest.mark.slow


def _history(folder: Path) -> None:
    """Twelve weekly batch runs of Budget Ben's report; conversion to Post-purchase jumps after run 8."""
    rng = np.random.default_rng(0)
    lines = []
    for week in range(12):
        value = (0.25 if week < 8 else 0.36) + 0.01 * rng.standard_normal()
        lines.append({"run_id": f"2026-W{week + 10:02d}", "report": "Budget Ben", "parameters": {},
                      "figures": {"funnel_4": {"value": round(value, 4), "n": 300},
                                  "customers": {"value": int(1200 + rng.integers(-15, 16)), "n": None}}})
    (folder / "history.jsonl").write_text("\n".join(json.dumps(x) for x in lines) + "\n")


def test_notebook_runs_under_papermill_on_the_planted_fix(tmp_path):
    from jmtools.report.runner import run_notebook

    world = tmp_path / "world"
    truth = generate_change_world(world, effect=0.25, customers=4000, seed=3)["change"]
    _history(tmp_path)
    result = run_notebook(NOTEBOOK, tmp_path / "out.ipynb", cwd=tmp_path, parameters={
        "data_dir": str(world), "persona": "Budget Ben", "opportunity": "show-fees-early",
        "save_outcome": True, "history_dir": str(tmp_path), "map_before": str(TEMPLATE)})
    figures = {k: v["value"] for k, v in result.records["figures"].items()}
    assert figures["persona"] == "Budget Ben"
    assert figures["likely_real"] >= 1 and "Budget Ben" in json.dumps(result.records["figures"]["likely_real_1"])
    assert figures["outcome_status"] == "improved"
    low, high = result.records["figures"]["outcome_effect"]["ci"]
    assert low <= truth["measures"]["checkout_to_order"]["effect"] <= high
    assert figures["opportunities_measured"] == 1
    assert figures["kpi_signals"] == 1                   # funnel_4 shifted; customers stays in control
    assert figures["map_changes"] >= 3                   # change_date, target and outcome of the opportunity
    saved = Journey.load(world / "journey.yaml").opportunities[0]
    assert saved.outcome is not None and saved.outcome.status == "improved"
    nb = json.loads(Path(result.output_path).read_text(encoding="utf-8"))
    outputs = [o for c in nb["cells"] for o in c.get("outputs", [])]
    assert not [o for o in outputs if o["output_type"] == "error"]
    charts = sum("application/vnd.vega.v5+json" in o.get("data", {}) for o in outputs)
    assert charts >= 2                                   # the comparison and a control chart


def _sample_with(tmp_path: Path, rule: str) -> Path:
    """A copy of the e-commerce sample world whose Marathon Maya has ``rule`` instead of her own."""
    from inprocess import sample_with_rule

    return sample_with_rule(tmp_path, rule)


def test_a_persona_whose_rule_cannot_run_is_said_to_be_left_out_of_the_comparison(tmp_path):
    """The same typo in notebook 07: 60 comparisons instead of 75, without a word. The
    comparison now carries the persona's error, and the notebook says it is left out."""
    from inprocess import run_cells

    from jmtools import pipeline

    folder = _sample_with(tmp_path, 'rule: "runs_per_wek >= 4"')
    c = pipeline.compare_periods(folder, "2026-06-01", measures=["conversion"])
    assert list(c.persona_errors) == ["Marathon Maya"]
    run = run_cells(NOTEBOOK, {"data_dir": str(folder)})
    texts = "\n".join(getattr(o, "data", "") for o in run.displayed if isinstance(getattr(o, "data", None), str))
    assert "Persona Marathon Maya is left out of this comparison" in texts


def test_a_persona_whose_rule_selects_nobody_is_named_and_stops_it_in_focus(tmp_path):
    """A rule that runs but selects nobody (runs_per_week >= 40): the comparison had no row of
    the persona, without a word. Now the notebook says so for all customers, and stops, naming
    the rule, when that persona is the focus (as notebooks 01–05 do)."""
    from inprocess import run_cells

    from jmtools import pipeline
    from jmtools.core.errors import ParameterError

    folder = _sample_with(tmp_path, 'rule: "runs_per_week >= 40"')
    c = pipeline.compare_periods(folder, "2026-06-01", measures=["conversion"])
    assert c.empty_personas == ["Marathon Maya"] and not c.persona_errors
    assert "Marathon Maya" not in set(c.table["persona"].dropna())
    c.require_members("Budget Ben")                     # a persona with customers: nothing happens
    with pytest.raises(ParameterError, match=r"runs_per_week >= 40\) selects none of the"):
        c.require_members("Marathon Maya")
    run = run_cells(NOTEBOOK, {"data_dir": str(folder)})
    texts = "\n".join(getattr(o, "data", "") for o in run.displayed if isinstance(getattr(o, "data", None), str))
    assert "Persona Marathon Maya has no row in this comparison" in texts
    assert r"runs\_per\_week &gt;= 40" in texts
    import pandas as pd
    checked = len(pd.read_csv(folder / "customers.csv"))         # the 0 is said with the customers checked
    assert c.customers_checked == checked
    assert (run.figures["persona_empty_Marathon Maya"]["value"], run.figures["persona_empty_Marathon Maya"]["n"]) \
        == (0, checked)
    with pytest.raises(ParameterError, match="selects none of the"):
        run_cells(NOTEBOOK, {"data_dir": str(folder), "persona": "Marathon Maya"})


def test_every_persona_with_customers_is_not_called_empty():
    from jmtools import pipeline

    c = pipeline.compare_periods("sample:b2b", "2026-06-01", measures=["conversion"])
    assert c.empty_personas == []
    assert set(c.journey.persona_names) <= set(c.table["persona"].dropna())


def _mailed_folder(tmp_path, mail, answers) -> Path:
    """The e-commerce sample with a touchpoint ``initiated_by: company`` at Awareness (newsletter_sent)
    and the events ``mail`` (prospects mailed) and ``answers`` (what some of them did)."""
    import shutil

    import pandas as pd

    root = Path(__file__).resolve().parents[1]
    folder = tmp_path / "mailed"
    shutil.copytree(root / "data" / "ecommerce", folder)
    path = folder / "journey.yaml"
    text = path.read_text(encoding="utf-8")
    at = text.index("\ntouchpoints:\n") + len("\ntouchpoints:\n")
    path.write_text(text[:at] + "  - {name: Newsletter sent, stage: Awareness, channel: digital, events: "
                    "[newsletter_sent], initiated_by: company}\n" + text[at:], encoding="utf-8")
    events = pd.read_parquet(folder / "events.parquet")
    extra = pd.concat([mail, answers], ignore_index=True).astype({"timestamp": events["timestamp"].dtype})
    pd.concat([events, extra], ignore_index=True).to_parquet(folder / "events.parquet", index=False)
    return folder


def test_a_mass_mailing_brings_nobody_to_a_stage(tmp_path):
    """2,000 prospects mailed once after the change date, 100 of whom visit two hours later. The
    mailing counted them at Awareness: conversion Awareness → Consideration fell from 86% to 44%,
    "worse, likely real" (D111). A mailing is not the customer arriving (D119): the 1,900 who never
    came are not counted, the 100 who came are counted from their visit, and nothing is said."""
    import pandas as pd

    from jmtools import pipeline

    sent = pd.Timestamp("2026-06-15 09:00")
    mail = pd.DataFrame({"customer_id": [f"P{k:05d}" for k in range(2000)], "event": "newsletter_sent",
                         "timestamp": sent})
    visit = mail.head(100).assign(event="home_view", timestamp=sent + pd.Timedelta(hours=2))
    c = pipeline.compare_periods(_mailed_folder(tmp_path, mail, visit), "2026-06-01", measures=["conversion"])
    assert c.likely_real.empty and c.mix_changes.empty
    aware = c.observations.query("from_step == 'Awareness'").groupby("group")["customer_id"].nunique()
    assert aware.to_dict() == {"before": 1970, "after": 2030 + 100}


def test_customers_a_mailing_brought_in_one_period_are_said_beside_the_change_it_makes(tmp_path):
    """2,000 prospects mailed once after the change date (an export of dates: 2026-06-15), 1,000 of
    whom click it that day and go no further: they came, by their own click, at the mailing's time.
    Conversion Awareness → Consideration falls, "worse, likely real", though nothing changed for anyone
    else; the notebook says that who was counted at Awareness changed (33% brought by the company's
    contacts, against 0%), and the row says so too."""
    import pandas as pd
    from inprocess import run_cells

    sent = pd.Timestamp("2026-06-15")
    mail = pd.DataFrame({"customer_id": [f"P{k:05d}" for k in range(2000)], "event": "newsletter_sent",
                         "timestamp": sent})
    click = mail.head(1000).assign(event="newsletter_click")
    run = run_cells(NOTEBOOK, {"data_dir": str(_mailed_folder(tmp_path, mail, click))})
    c = run.namespace["comparison"]
    row = c.likely_real.iloc[0]
    assert (row["label"], row["verdict"]) == ("conversion Awareness → Consideration", "worse, likely real")
    assert c.mix_changes["from_step"].tolist() == ["Awareness"]
    texts = "\n".join(getattr(o, "data", "") for o in run.displayed if isinstance(getattr(o, "data", None), str))
    assert "**Who was counted at Awareness changed**: in *after*, 33% of the 3,030 customers" in texts
    assert "against 0% of 1,970 in *before*" in texts
    fig = run.figures["mix_Awareness"]                   # the change in share, with n and its interval
    assert (fig["value"], fig["n"]) == (pytest.approx(1000 / 3030, abs=0.01), 3030 + 1970)
    assert fig["ci"][0] < fig["value"] < fig["ci"][1] and fig["ci"][1] - fig["ci"][0] < 0.05
    assert "— who was counted at Awareness changed (above)" in texts
    assert ("Who was counted changed at Awareness: contacts the company started brought 33% of 3,030 customers "
            "there in after, against 0% of 1,970 in before") in c.summary()
    assert "\n  all: worse, likely real: conversion Awareness → Consideration" in c.summary()