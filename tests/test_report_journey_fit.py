"""Report sections (jmtools/report/sections.py): what the reader is told about the journey
file's fit to the events — stages it gives no event, overlaps — beside the funnel and the map."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

import pytest

from jmtools import pipeline
from jmtools.report import sections

ROOT = Path(__file__).resolve().parents[1]


def _shown(monkeypatch, *calls) -> str:
    """The text every display call of the given sections produced."""
    out = []

    def grab(*objs):
        for o in objs:
            out.append(str(getattr(o, "data", o)))

    monkeypatch.setattr(sections.kit, "display", grab)
    monkeypatch.setattr(sys.modules["jmtools.report.record"], "_emit", lambda payload: None)
    for call in calls:
        call()
    return "\n".join(out)


@pytest.fixture(scope="module")
def shadowed(tmp_path_factory):
    """The e-commerce world with a 'Loyalty' stage whose only touchpoint another one shadows: its
    journey as before D172 (no occurrence), where Order confirmation takes every order_placed."""
    from journey_samples import unmark_repeat_orders

    folder = tmp_path_factory.mktemp("world") / "ecommerce"
    shutil.copytree(ROOT / "data" / "ecommerce", folder)
    path = folder / "journey.yaml"
    text = unmark_repeat_orders(path.read_text(encoding="utf-8"))[1]
    text = text.replace("\n# ------------------------------------------------------------------------- touchpoints",
                        "  - name: Loyalty\n    goal: Buy again\n"
                        "\n# ------------------------------------------------------------------------- touchpoints")
    text = text.replace("  - {name: Review request,",
                        "  - {name: Repeat order, stage: Loyalty, channel: digital, events: [order_placed]}\n"
                        "  - {name: Review request,")
    path.write_text(text, encoding="utf-8")
    return folder


def test_a_stage_the_file_gives_no_event_is_left_out_of_the_funnel_with_the_reason(shadowed, monkeypatch):
    f = pipeline.run(shadowed)
    assert "Loyalty" in f.evidence.stages and "Loyalty" not in f.funnel["step"].tolist()
    assert f.evidence.mapped_stages == f.funnel["step"].tolist()
    text = _shown(monkeypatch, lambda: sections.data_behind(f), lambda: sections.how_far(f))
    assert "Not in the funnel: Loyalty." in text
    assert "order\\_placed" in text and "never" in text            # the overlap, escaped for Markdown
    assert "stage &#x27;Loyalty&#x27; receives no event" in text        # escaped quotes
    sig = f.signals
    assert "Loyalty" not in set(sig["stage"])                      # no drop-off pain point from it


def test_the_map_shows_no_measured_figure_for_a_stage_without_events(shadowed):
    ev = pipeline.map_evidence(shadowed)
    k = ev["kpis"]
    assert "Loyalty" not in set(k.loc[k["metric"] == "conversion", "stage"])
    assert k.loc[k["stage"] == "Loyalty", "value"].isna().all()   # survey KPIs: no answers, no value
