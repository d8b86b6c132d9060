"""jmtools.charts.funnels: the specs' axes (the funnels' counts are tested in tests/test_funnels.py)."""

import pandas as pd
import pytest

from jmtools.charts.funnels import funnel_chart


def test_the_count_axis_keeps_its_labels_apart():
    """The tester's funnel (1,066 customers) labelled its axis every 100 to 1,100 at a notebook's
    width: "1,000" and "1,100" ran into each other. A tick every 80 px at most (D167)."""
    f = pd.DataFrame({"step_index": [1, 2, 3, 4], "step": ["Awareness", "Consideration", "Decision", "Post"],
                      "n": [1066, 893, 567, 144], "n_prev": [1066, 1066, 893, 567],
                      "conversion": [1.0, 0.84, 0.63, 0.25], "rate_from_start": [1.0, 0.84, 0.53, 0.14]})
    axis = funnel_chart(f).to_dict()["layer"][0]["encoding"]["x"]["axis"]
    assert axis["tickCount"] == {"expr": "ceil(width / 80)"} and axis["labelSeparation"] > 0


def _hospital_like():
    """A planted referral log: 60 patients through five steps with long touchpoint names, so the
    most common path's label is long (the hospital world's ran to 962 px in a 1280 px lab)."""
    from jmtools.evidence import prepare

    steps = ["Referral letter received", "Appointment booked by the hospital", "SMS reminder sent",
             "Attended first appointment", "Follow-up appointment booked"]
    t0 = pd.Timestamp("2025-01-06")
    rows = [(f"p{i:02d}", e, t0 + pd.Timedelta(days=i % 7 + 3 * k))
            for i in range(60) for k, e in enumerate(steps[:2 + i % 4])]
    rows += [(f"p{i:02d}", steps[0], t0 + pd.Timedelta(days=40)) for i in range(0, 60, 6)]   # back: a detour
    ev = pd.DataFrame(rows, columns=["customer_id", "event", "timestamp"])
    journey = {"stages": ["Referral", "Booking", "Reminder", "First", "Follow-up"],
               "touchpoints": [{"name": e, "stage": s, "events": [e]}
                               for e, s in zip(steps, ["Referral", "Booking", "Reminder", "First", "Follow-up"])]}
    return prepare(ev, journey)


def test_notebook_02s_charts_are_drawn_no_wider_than_their_output():
    """Notebook 02 on the hospital world in a real JupyterLab (D226): at 1280 px its path chart
    (962 px) scrolled sideways in an 840 px output, and in a 600 px panel every chart did, its
    legend out of sight. Each chart a table of the notebook draws is now marked to fit (the
    renderer compiles it to clamp(output, 300, its own width)); the heat map of moves, sized by
    its cells, keeps its width."""
    from jmtools.analyses import funnels
    from jmtools.charts import funnels as charts
    from jmtools.charts.fit import FIT
    from jmtools.render.notebook import VEGA_MIMETYPE, vega_mimebundle

    e = _hospital_like()
    fun = funnels.funnel(e)
    drawn = {"funnel": charts.funnel_chart(fun), "conversion": charts.conversion_chart(fun),
             "furthest": charts.furthest_stage_chart(funnels.furthest_stage(e)),
             "time between": charts.time_between_chart(funnels.time_between_stages(e)),
             "paths": charts.paths_chart(funnels.top_paths(e, level="touchpoint", max_steps=5)),
             "detours": charts.detours_chart(funnels.detours(e, level="touchpoint"))}
    for name, chart in drawn.items():
        spec = chart.to_dict()
        assert (spec.get("usermeta") or {}).get(FIT) is True, name
        vg = vega_mimebundle(spec)[VEGA_MIMETYPE]
        assert "width" not in vg and vg["autosize"]["type"] == "fit-x", name
        assert any(s["name"] == "jm_output" for s in vg["signals"]), name


def test_a_paths_label_takes_at_most_half_its_output_and_420_px_drawn_alone():
    """At 500 px (a 600 px panel) the path labels' 420 px left the bars no room at all (D226):
    a label now takes at most half the output it is in, at least 140 px; drawn with no output
    (vl-convert, the report) it keeps its 420 px, so the drawing is as wide as before."""
    import re

    vlc = pytest.importorskip("vl_convert")
    from jmtools.charts.funnels import paths_chart

    long = " → ".join(["Referral letter", "Appointment booked", "SMS reminder", "First attendance", "Follow-up booked"])
    f = pd.DataFrame({"rank": [1, 2], "path": [long, "Referral letter"], "n_steps": [5, 1], "n": [20, 6],
                      "n_customers": [40, 40], "share": [0.5, 0.15], "ci_low": [0.35, 0.07], "ci_high": [0.65, 0.29]})
    spec = paths_chart(f).to_dict()
    limit = spec["layer"][0]["encoding"]["y"]["axis"]["labelLimit"]["expr"]
    assert limit == "containerSize()[0] > 0 ? clamp(containerSize()[0] / 2 - 20, 140, 420) : 420"
    fixed = spec["layer"][0]["encoding"]["y"]["axis"] | {"labelLimit": 420}
    before = dict(spec, layer=[dict(layer, encoding=dict(layer["encoding"], y=dict(layer["encoding"]["y"], axis=fixed)))
                               if "y" in layer.get("encoding", {}) else layer for layer in spec["layer"]])
    width = [float(re.search(r'<svg[^>]*\swidth="([0-9.]+)"', vlc.vegalite_to_svg(s)).group(1)) for s in (spec, before)]
    assert width[0] == width[1] > 800, width
