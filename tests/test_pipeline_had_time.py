"""The biggest loss (headline, key figures, the sentence under the funnel), the funnel chart and
notebook 02's largest drop-off count the customers who had time to go on, as the drop-off pain point
does (D209, D221): planted permit logs, counted by plain pandas on first events."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from jmtools import pipeline
from jmtools.charts import funnels as charts
from jmtools.pipeline import open_rows
from jmtools.report import funnel_notes
from jmtools.report.headline import headline_items
from jmtools.report.steps import record_largest_drop_off

from permit_world import permit_folder
from test_painpoints_signals_open import _pandas_dropoff, _planted, permit  # noqa: F401 (the planted permit folder)


NOTEBOOK_02 = Path(__file__).resolve().parents[1] / "notebooks" / "02_data_integration.ipynb"


def _headline(f) -> str:
    return next(i["text"] for i in headline_items(f) if i["key"] == "loss")


@pytest.mark.parametrize("persona", ["all", "Firm"])
def test_the_biggest_loss_counts_those_who_had_time_and_says_the_funnels_count(permit, persona):
    root, ev, customers = permit
    f = pipeline.run(root, persona=persona)
    who = None if persona == "all" else set(customers.loc[customers["kind"] == "firm", "customer_id"])
    up = _pandas_dropoff(ev, who)["Upload"]                # lost between Upload and Decision
    assert up["open"] >= 5
    loss = f.biggest_loss
    assert (loss["from"], loss["to"]) == ("Upload", "Decision")
    assert (loss["drop_off"], loss["n_prev"], loss["open"]) == (up["count"], up["n"], up["open"])
    assert (loss["all"]["drop_off"], loss["all"]["n_prev"]) == (up["count_all"], up["n_all"])
    text = _headline(f)
    assert (f"Upload → Decision: {up['count'] / up['n']:.1%} of those who had time to go on do not "
            f"({up['count']:,} of {up['n']:,}; 95% CI") in text
    assert (f"counting the {up['open']:,} still open at the data's end as lost, {up['count_all']:,} of "
            f"{up['n_all']:,} ({up['count_all'] / up['n_all']:.1%})") in text
    signal = f.signals[(f.signals["signal"] == "drop-off") & (f.signals["stage"] == "Upload")
                       & (f.signals["persona"] == persona)].iloc[0]
    assert (int(signal["count"]), int(signal["n"])) == (loss["drop_off"], loss["n_prev"])   # the pain point's


def test_the_rank_follows_those_who_had_time(tmp_path):
    """Decisions take up to 300 days: counting the open cases, Upload → Decision loses the most (the
    headline's biggest loss before D221, while the pain point ranked Apply first); among those who had
    time to go on, Apply → Upload does."""
    ev = _planted(seed=7, stuck=0.05, slowest=300)
    permit_folder(tmp_path, ev)
    f = pipeline.run(tmp_path)
    truth = _pandas_dropoff(ev)
    ap, up = truth["Apply"], truth["Upload"]
    assert up["count_all"] / up["n_all"] > ap["count_all"] / ap["n_all"] + 0.1
    loss = f.biggest_loss
    assert (loss["from"], loss["to"]) == ("Apply", "Upload")
    counted = (ap["count"], ap["n"]) if ap["open"] >= 5 else (ap["count_all"], ap["n_all"])   # 1–4 open: not said
    assert (loss["drop_off"], loss["n_prev"]) == counted
    assert f.pain_points.table["title"].iloc[0] == "Drop-off at Apply"


def test_the_funnel_chart_draws_those_still_open_as_a_pale_end(permit, monkeypatch):
    root, ev, _ = permit
    f = pipeline.run(root)
    up = _pandas_dropoff(ev)["Upload"]
    shown = []
    monkeypatch.setattr(funnel_notes.kit, "display", lambda *objs: shown.extend(objs))
    funnel_notes.show_funnel_chart(f, title="t")
    spec = shown[0].to_dict()
    rows = pd.DataFrame(next(iter(spec["datasets"].values()))).set_index("step")
    started = int(ev.loc[ev["event"] == "apply", "customer_id"].nunique())
    decided = int(ev.loc[ev["event"] == "decide", "customer_id"].nunique())
    assert rows.loc["Decision", "open"] == up["open"] and rows.loc["Decision", "n"] == decided
    assert rows.loc["Decision", "open_to"] == pytest.approx((decided + up["open"]) / started)
    assert rows.loc["Decision", "text"] == [f"{decided / started:.0%} (n={decided:,})", f"+{up['open']:,} open"]
    assert "Pale end of a bar" in spec["usermeta"]["caption"]
    assert any(layer.get("mark", {}).get("opacity") == 0.35 for layer in spec["layer"][0]["layer"])


def _wilson(k: int, n: int, z: float = 1.959964) -> tuple[float, float]:
    """The Wilson score interval written out (not jmtools.core.stats)."""
    p = k / n
    centre, half = p + z * z / (2 * n), z * ((p * (1 - p) + z * z / (4 * n)) / n) ** 0.5
    return (centre - half) / (1 + z * z / n), (centre + half) / (1 + z * z / n)


@pytest.mark.parametrize("persona", ["all", "Firm"])
def test_the_sentence_under_the_funnel_gives_the_headlines_interval(permit, persona, monkeypatch):
    """"200 of the 1,404 … (14.2%)" under the funnel had n but not the interval the headline gives the
    same share (D225): now both say the one interval, the Wilson interval of plain pandas' counts."""
    from jmtools.report import sections

    root, ev, customers = permit
    f = pipeline.run(root, persona=persona)
    who = None if persona == "all" else set(customers.loc[customers["kind"] == "firm", "customer_id"])
    up = _pandas_dropoff(ev, who)["Upload"]
    low, high = _wilson(up["count"], up["n"])
    ci = f"95% CI {low:.1%}–{high:.1%}"
    shown = []
    monkeypatch.setattr(sections.kit, "display", lambda *objs: shown.extend(objs))
    monkeypatch.setattr(funnel_notes.kit, "display", lambda *objs: shown.extend(objs))
    sections.how_far(f)
    said = next(o.data for o in shown if "The biggest loss is between" in str(getattr(o, "data", "")))
    assert (f"{up['count']:,} of the {up['n']:,} customers who had time to go on "
            f"({up['count'] / up['n']:.1%}; {ci}) do not") in said
    assert f"({up['count']:,} of {up['n']:,}; {ci})" in _headline(f)
    assert said.count("95% CI") == 1 and _headline(f).count("95% CI") == 1


def test_notebook_02s_largest_drop_off_counts_those_who_had_time(permit, capsys):
    root, ev, customers = permit
    f = pipeline.run(root)
    fun = f.funnel
    worst = record_largest_drop_off(fun, open_rows(f.evidence, fun))
    up = _pandas_dropoff(ev)["Upload"]
    said = capsys.readouterr().out
    assert worst["step"] == "Decision"
    assert (f"— {up['count'] / up['n']:.0%} of {up['n']:,} customers who had time to go on do not go on "
            f"(95% CI") in said
    assert f"; counting the {up['open']:,} still open at the data's end as lost, {up['count_all']:,} of" in said


def test_notebook_02s_funnel_chart_draws_those_still_open_as_the_reports_does(permit):
    """Notebook 02's own funnel chart (D224): the customers still open before Decision a pale end
    ("+n open"), the step's conversion among those who had time to go on, the caption saying so."""
    from inprocess import run_cells

    root, ev, _ = permit
    run = run_cells(NOTEBOOK_02, {"data_dir": str(root)})
    specs = [o.to_dict() for o in run.displayed if hasattr(o, "to_dict")
             and "customers reaching each step" in str(o.to_dict().get("title", ""))]
    assert len(specs) == 1
    rows = pd.DataFrame(next(iter(specs[0]["datasets"].values()))).set_index("step")
    up = _pandas_dropoff(ev)["Upload"]
    decided = int(ev.loc[ev["event"] == "decide", "customer_id"].nunique())
    went_on = up["n"] - up["count"]                         # of those who had time to go on
    assert rows.loc["Decision", "n"] == decided and rows.loc["Decision", "open"] == up["open"]
    assert rows.loc["Decision", "open_to"] == decided + up["open"]
    assert rows.loc["Decision", "conversion"] == pytest.approx(went_on / up["n"])
    assert rows.loc["Decision", "label"] == f"{decided:,}  ({went_on / up['n']:.0%}; +{up['open']:,} open)"
    assert "Pale end of a bar" in specs[0]["usermeta"]["caption"]
    assert any(layer.get("mark", {}).get("opacity") == 0.35 for layer in specs[0]["layer"][0]["layer"])


@pytest.mark.parametrize("persona", ["all", "Firm"])
def test_notebook_02s_conversion_chart_counts_those_who_had_time_as_its_funnel_chart(permit, persona):
    """Notebook 02's conversion chart (below its funnel chart) counted those still open at the data's end
    as lost (D225): each persona's Upload → Decision conversion is now that of those who had time to go on,
    its interval the Wilson interval of those counts, the open ones said apart ("+n open") — plain pandas."""
    from inprocess import run_cells

    root, ev, customers = permit
    run = run_cells(NOTEBOOK_02, {"data_dir": str(root), "persona": persona})
    specs = [o.to_dict() for o in run.displayed if hasattr(o, "to_dict")
             and "Conversion from the previous step" in str(o.to_dict().get("title", ""))]
    assert len(specs) == 1
    rows = pd.DataFrame(next(iter(specs[0]["datasets"].values())))
    rows = rows[rows["step"] == "Decision"].set_index("persona")
    groups = {"Private": "private", "Firm": "firm"} if persona == "all" else {"Firm": "firm", "everyone": None}
    assert sorted(rows.index) == sorted(groups)
    for group, kind in groups.items():
        who = None if kind is None else set(customers.loc[customers["kind"] == kind, "customer_id"])
        up = _pandas_dropoff(ev, who)["Upload"]
        assert up["open"] >= 5
        r = rows.loc[group]
        assert (r["n_prev"], r["open"], r["open_text"]) == (up["n"], up["open"], f"+{up['open']:,} open")
        assert r["conversion"] == pytest.approx(1 - up["count"] / up["n"])
        assert (r["ci_low"], r["ci_high"]) == pytest.approx(_wilson(up["n"] - up["count"], up["n"]))
    assert "had time to go on" in specs[0]["usermeta"]["caption"]


def test_nobody_open_nothing_changes(ecommerce_world):
    f = pipeline.run(ecommerce_world.world)
    loss = f.biggest_loss
    assert loss["all"] is None and loss["open"] == 0
    plain = f.funnel.set_index("step").loc[loss["to"]]
    assert (loss["drop_off"], loss["n_prev"]) == (int(plain["drop_off"]), int(plain["n_prev"]))
    assert "had time" not in _headline(f) and "do not go on" in _headline(f)
    # notebook 02's funnel chart: the chart it drew before D224
    drawn = funnel_notes.open_funnel_chart(f.funnel_all, open_rows(f.evidence, f.funnel_all), title="t")
    assert drawn.to_dict() == charts.funnel_chart(f.funnel_all, title="t").to_dict()
    # and its conversion chart (D225)
    by = f.funnel_all.assign(persona="x")
    drawn = funnel_notes.open_conversion_chart(by, funnel_notes.conversion_open_rows(f.evidence, by, by="persona"),
                                               by="persona")
    assert drawn.to_dict() == charts.conversion_chart(by, by="persona").to_dict()
