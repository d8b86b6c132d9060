"""Emotion curve and trend charts: asserted on the Vega-Lite spec, plus one real render."""

import numpy as np
import pandas as pd
import pytest

from jmtools.charts.emotions import emotion_curve_chart, sentiment_trend_chart
from jmtools.analyses.emotions import emotion_curve, moments_of_truth, sentiment_trend, trend_slopes
from jmtools.core.errors import DataError, ParameterError
from jmtools.core.metrics import EMOTION_DOMAIN
from jmtools.analyses.valence import assumed_valence

STAGES = ["Awareness", "Consideration", "Decision", "After"]


@pytest.fixture(scope="module")
def evidence():
    rng = np.random.default_rng(2)
    means = {"Ben": [1.0, 0.5, -1.2, np.nan], "Maya": [0.8, 1.1, 0.4, np.nan]}
    rows = []
    for persona, vals in means.items():
        for stage, mu in zip(STAGES, vals):
            if np.isnan(mu):
                continue
            n = 6 if persona == "Maya" and stage == "Awareness" else 60
            for i in range(n):
                rows.append(dict(customer_id=f"{persona}{i}", persona=persona, stage=stage,
                                 timestamp=pd.Timestamp("2026-01-01") + pd.Timedelta(days=3 * i),
                                 valence=float(np.clip(rng.normal(mu, 0.7), -2, 2)),
                                 source="feedback", evidence="reported", touchpoint=pd.NA))
    ev = pd.DataFrame(rows)
    ev["stage"] = pd.Categorical(ev["stage"], categories=STAGES, ordered=True)
    ev["obs_id"] = np.arange(len(ev))
    return ev


@pytest.fixture(scope="module")
def parts(evidence):
    curve = emotion_curve(evidence, min_n=20)
    assumed = assumed_valence({"Awareness": 1, "Consideration": 1, "Decision": {"Ben": 1, "Maya": 0},
                               "After": 1})
    return curve, assumed, moments_of_truth(curve)


def _layers(spec):
    return spec["layer"]


def _find(spec, mark):
    return [l for l in _layers(spec) if (l["mark"]["type"] if isinstance(l["mark"], dict)
                                         else l["mark"]) == mark]


def test_curve_chart_axes_order_and_encodings(parts):
    curve, assumed, moments = parts
    spec = emotion_curve_chart(curve, assumed=assumed, moments=moments).to_dict()
    lines = _find(spec, "line")[0]["encoding"]
    assert lines["x"]["sort"] == STAGES                              # journey order on x
    assert lines["y"]["scale"]["domain"] == list(EMOTION_DOMAIN)     # fixed −2..+2
    assert lines["strokeDash"]["scale"]["domain"] == ["measured from evidence",
                                                      "assumed in the workshop"]
    assert lines["strokeDash"]["scale"]["range"][1] == [6, 4]        # assumed is dashed
    band = _find(spec, "area")[0]["encoding"]
    assert band["y"]["field"] == "ci_low" and band["y2"]["field"] == "ci_high"
    points = [l for l in _find(spec, "point") if "size" in l["encoding"]][0]["encoding"]
    assert points["size"]["field"] == "n"
    assert points["fillOpacity"]["condition"]["test"] == "datum.low_evidence"
    titles = [t["title"] for t in points["tooltip"]]
    assert {"n (customers)", "Pieces of evidence", "95% interval", "Sources", "Evidence label"} <= set(titles)
    assert lines["color"]["scale"]["domain"] == ["All customers", "Ben", "Maya"]


def test_curve_chart_data_and_moments(parts):
    curve, assumed, moments = parts
    chart = emotion_curve_chart(curve, assumed=assumed, moments=moments, personas=["Ben"])
    spec = chart.to_dict()
    datasets = spec["datasets"]
    line_data = datasets[_find(spec, "line")[0]["data"]["name"]]
    assumed_rows = [r for r in line_data if r["curve"] == "assumed in the workshop"]
    assert [(r["stage"], r["valence"]) for r in assumed_rows] == [
        ("Awareness", 1.0), ("Consideration", 1.0), ("Decision", 1.0), ("After", 1.0)]
    assert {r["who"] for r in line_data} == {"Ben"}
    texts = [l for l in _find(spec, "text") if l["encoding"].get("text", {}).get("field") == "kind"]
    mdata = [r for t in texts for r in datasets[t["data"]["name"]]]
    ben = {r["kind"]: r["stage"] for r in mdata}
    assert ben == {"peak": "Awareness", "lowest · sharpest drop · end": "Decision"}
    tips = [t["field"] for t in texts[0]["encoding"]["tooltip"]]
    assert "explanation" in tips
    empty = [l for l in _find(spec, "text") if l["encoding"].get("text", {}).get("field") == "label"]
    assert [r["stage"] for r in datasets[empty[0]["data"]["name"]]] == ["After"]  # "no evidence"


def test_curve_chart_errors(parts, evidence):
    curve, _, _ = parts
    with pytest.raises(ParameterError, match="did you mean 'Ben'"):
        emotion_curve_chart(curve, personas=["ben"])
    with pytest.raises(DataError, match="empty"):
        emotion_curve_chart(curve.iloc[:0])
    with pytest.raises(DataError, match="lacks columns"):
        emotion_curve_chart(curve.drop(columns="ci_low"))
    with pytest.raises(ParameterError, match="stage-level"):
        emotion_curve_chart(emotion_curve(evidence, by="touchpoint"))


def test_trend_chart_spec(evidence):
    trend = sentiment_trend(evidence, min_n=5)
    slopes = trend_slopes(evidence)
    spec = sentiment_trend_chart(trend, slopes=slopes).to_dict()
    assert spec["facet"]["field"] == "panel"
    sort = spec["facet"]["sort"]
    assert [s.split(" — ")[0] for s in sort] == STAGES
    assert "too little evidence" in sort[-1]
    layer_y = spec["spec"]["layer"][2]["encoding"]["y"]
    assert layer_y["scale"]["domain"] == list(EMOTION_DOMAIN)
    assert spec["spec"]["layer"][0]["encoding"]["y"]["datum"] == 0


def test_charts_render_to_png(parts, evidence, tmp_path):
    vlc = pytest.importorskip("vl_convert")
    curve, assumed, moments = parts
    png = vlc.vegalite_to_png(emotion_curve_chart(curve, assumed=assumed, moments=moments).to_dict())
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000
    trend = sentiment_trend(evidence)
    png = vlc.vegalite_to_png(sentiment_trend_chart(trend).to_dict())
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_panels_one_per_persona_with_consistent_colours(parts):
    from jmtools.charts.emotions import emotion_curve_panels

    curve, assumed, moments = parts
    spec = emotion_curve_panels(curve, assumed=assumed, moments=moments).to_dict()
    assert [p["title"]["text"] for p in spec["concat"]] == ["Ben", "Maya"]
    colours = {"Ben": "#0072B2", "Maya": "#E69F00"}      # as in the one-chart view (theme palette)
    for panel in spec["concat"]:
        name = panel["title"]["text"]
        line = [l for l in panel["layer"] if l["mark"]["type"] == "line"][0]["encoding"]
        # every panel carries the same colour scale, so the merged legend is right
        assert line["color"]["scale"]["domain"] == ["All customers", "Ben", "Maya"]
        assert line["color"]["scale"]["range"] == ["#3b3b3b", colours["Ben"], colours["Maya"]]
        texts = [l for l in panel["layer"] if l["mark"]["type"] == "text"
                 and l["encoding"].get("text", {}).get("field") == "kind"]
        who = {r["who"] for t in texts for r in spec["datasets"][t["data"]["name"]]}
        assert who == {panel["title"]["text"]}            # each panel labels its own moments


def test_labels_only_when_few_curves(parts):
    curve, assumed, moments = parts
    def kinds(chart):
        return [l for l in chart.to_dict()["layer"] if l["mark"]["type"] == "text"
                and l["encoding"].get("text", {}).get("field") == "kind"]
    assert kinds(emotion_curve_chart(curve, moments=moments)) == []          # 3 curves: rings only
    assert len(kinds(emotion_curve_chart(curve, moments=moments, personas=["all", "Ben"]))) == 1
    assert len(kinds(emotion_curve_chart(curve, moments=moments, labels=True))) == 1


def test_long_stage_names_wrap():
    from jmtools.charts.emotions import _wrapped_labels

    expr = _wrapped_labels(["Initial inquiry", "Onboarding and delivery"], 200)
    assert '"Onboarding and delivery": ["Onboarding and", "delivery"]' in expr
    assert _wrapped_labels(["A", "B"], 500) is None


def test_a_hidden_point_is_labelled_hidden_not_left_blank():
    """A curve point hidden for disclosure (``suppressed``, jmtools.pipeline) is said to be hidden,
    where a stage nobody reached says "no evidence"."""
    import pandas as pd

    from jmtools.charts.emotions import emotion_curve_chart

    curve = pd.DataFrame({
        "persona": ["all"] * 3 + ["Tiny"] * 3, "stage": pd.Categorical(["A", "B", "C"] * 2, categories=["A", "B", "C"], ordered=True),
        "valence": [0.5, 0.2, -0.1, None, None, None], "n": [40.0, 30.0, 20.0, None, 0.0, None],
        "n_customers": [40.0, 30.0, 20.0, None, 0.0, None], "ci_low": [0.3, 0.0, -0.4, None, None, None],
        "ci_high": [0.7, 0.4, 0.2, None, None, None], "low_evidence": [False, False, True, True, True, True],
        "suppressed": [False, False, False, True, False, True]})
    spec = emotion_curve_chart(curve, personas=["all", "Tiny"]).to_dict()
    labels = {(r["stage"], r["label"]) for rows in spec["datasets"].values() for r in rows
              if isinstance(r, dict) and r.get("label") in ("no evidence", "hidden")}
    assert labels == {("A", "hidden"), ("B", "no evidence"), ("C", "hidden")}


_EIGHT = ["Compare tariffs", "Sign up", "Switch-over", "Smart meter install", "Monthly bill", "Pay",
          "Payment difficulty", "Move house / Leave"]


def _eight_stage_curve(personas=("all", "Priya")):
    values = [-0.2, 0, 0, 0, 0, -0.77, -0.85, 0]
    curve = pd.DataFrame([dict(persona=p, stage=s, valence=v, n=500, n_customers=500, ci_low=v - .05,
                               ci_high=v + .05, low_evidence=False)
                          for p in personas for s, v in zip(_EIGHT, values)])
    curve["stage"] = pd.Categorical(curve["stage"], categories=_EIGHT, ordered=True)
    moments = pd.DataFrame([dict(persona=p, stage=s, valence=v, kind=k, explanation="why")
                            for p in personas for s, v, k in [("Pay", -0.77, "sharpest drop"),
                                                              ("Payment difficulty", -0.85, "lowest"),
                                                              ("Move house / Leave", 0.0, "end")]])
    return curve, moments


def _label_boxes(spec, datasets, height):
    """(x, half width, y) in px of the moment labels at a 280 px plot (a phone), from the data."""
    texts = [l for l in spec["layer"] if l["mark"]["type"] == "text"
             and l["encoding"].get("text", {}).get("field") == "kind"]
    rows = [r for t in texts for r in datasets[t["data"]["name"]]]
    step, unit = 280 / len(_EIGHT), height / (EMOTION_DOMAIN[1] - EMOTION_DOMAIN[0])
    return [(_EIGHT.index(r["stage"]) * step, len(r["kind"]) * 3.3, r["label_y"] * unit) for r in rows]


def test_moment_labels_at_neighbouring_stages_do_not_overlap():
    """At 390 px "sharpest drop" at Pay and "lowest" at the next stage were drawn over each other
    (in the persona panels at 1280 px too: "sharpest drolowest"); the later one now goes a line
    further from the curve, in the single chart and in every panel."""
    from jmtools.charts.emotions import emotion_curve_panels

    curve, moments = _eight_stage_curve()
    panels = emotion_curve_panels(curve, moments=moments).to_dict()
    single = emotion_curve_chart(curve, moments=moments, personas=["all"]).to_dict()
    for spec, data, height in [(single, single["datasets"], 320)] + [
            (p, panels["datasets"], 210) for p in panels["concat"]]:
        boxes = _label_boxes(spec, data, height)
        assert len(boxes) == 3
        for k, (x, half, y) in enumerate(boxes):
            for x2, half2, y2 in boxes[k + 1:]:
                assert abs(x - x2) >= half + half2 or abs(y - y2) >= 12.9, (boxes, height)


def test_a_moment_two_curves_share_is_labelled_once():
    """D235: with a persona over all customers, both ending at their lowest after their sharpest
    drop, "lowest · sharpest drop · end" was drawn twice at 1280 px, once per curve; a ring the second
    curve shares (same stage, same moments, within a ring) gets no second label, its tooltip stays."""
    import vl_convert

    stages = ["Meldung", "Unterlagen", "Zahlung", "Abschluss"]
    rows = [{"persona": p, "stage": s, "valence": v, "n": 400, "n_customers": 400, "ci_low": v - .05,
             "ci_high": v + .05, "low_evidence": False, "evidence": "measured", "sources": "events"}
            for p, vals in [("all", [-0.1, -0.2, -0.3, -0.95]), ("P", [-0.12, -0.25, -0.3, -0.97]),
                            ("Q", [0.5, -0.2, 0.4, -1.8])]
            for s, v in zip(stages, vals)]
    curve = pd.DataFrame(rows).assign(stage=lambda d: pd.Categorical(d["stage"], stages, ordered=True))
    moments = moments_of_truth(curve)
    svg = vl_convert.vegalite_to_svg(emotion_curve_chart(curve, moments=moments, personas=["all", "P"]).to_dict())
    assert svg.count(">lowest · sharpest drop · end<") == 1 and svg.count(">peak<") == 1
    assert svg.count('stroke-dasharray="3,2"') == len(moments[moments["persona"].isin(["all", "P"])]
                                                       .drop_duplicates(["persona", "stage"]))   # every ring
    apart = vl_convert.vegalite_to_svg(emotion_curve_chart(curve, moments=moments, personas=["all", "Q"]).to_dict())
    assert apart.count(">lowest · sharpest drop · end<") + apart.count(">lowest · end<") == 2   # far apart: each


def test_aslant_stage_names_are_on_one_line():
    """Wrapped stage names turned aslant ran into their neighbours at 390 px ("tariffs/Sign up",
    "over/Smart"): a name is wrapped only while the axis is level."""
    import vl_convert

    curve, _ = _eight_stage_curve(("all",))
    spec = emotion_curve_chart(curve, width=300).to_dict()
    axis = spec["layer"][1]["encoding"]["x"]["axis"]
    assert axis["labelExpr"].startswith("width / 8 < 72 ? datum.label : (")
    assert axis["labelAngle"] == {"expr": "width / 8 < 72 ? -40 : 0"}
    svg = vl_convert.vegalite_to_svg(spec)
    assert ">Smart meter install<" in svg and ">Payment difficulty<" in svg


def test_no_evidence_labels_stand_upright_when_stages_are_narrow():
    """At 390 px three neighbouring stages without evidence printed "no evidenceno evidence
    evidence": where a stage is narrower than the words, they stand upright at their stage."""
    import vl_convert

    curve, _ = _eight_stage_curve(("all",))
    curve.loc[curve["stage"].isin(_EIGHT[5:]), ["valence", "ci_low", "ci_high", "n"]] = [None, None, None, 0]
    spec = emotion_curve_chart(curve, width=300).to_dict()
    [mark] = [l["mark"] for l in spec["layer"] if l["encoding"].get("text", {}).get("field") == "label"]
    assert mark["angle"] == {"expr": "width / 8 < 66 ? 270 : 0"}
    assert mark["align"] == {"expr": "width / 8 < 66 ? 'left' : 'center'"}
    assert vl_convert.vegalite_to_svg(spec).count("rotate(270)") == 3
    assert "rotate(270)" not in vl_convert.vegalite_to_svg(emotion_curve_chart(curve, width=800).to_dict())


def test_the_curve_fits_a_jupyterlab_output_area(parts):
    """At 1280 px with the file browser open JupyterLab's output area is about 840 px wide; the
    curve was 1,006 px there (its subtitle's second line alone), cut and scrolling (D167)."""
    import re

    import vl_convert

    curve, assumed, moments = parts
    spec = emotion_curve_chart(curve, assumed=assumed, moments=moments).to_dict()
    svg = vl_convert.vegalite_to_svg(spec)
    width = float(re.search(r'<svg[^>]*\bwidth="([\d.]+)"', svg).group(1))
    assert width <= 800, width
    from jmtools.charts.emotions import SUBTITLE_CHARS

    assert all(len(line) <= SUBTITLE_CHARS for line in spec["title"]["subtitle"])
    assert "Red rings: moments of truth" in " ".join(spec["title"]["subtitle"])


def test_a_behaviour_only_curve_reads_as_friction(evidence, parts):
    """A permit office's behaviour-only curve (never above 0) was drawn on an axis "+2 very
    positive … −2 very negative", in the small multiples too. Its axis, legend and subtitle now
    read as friction, 0 = none seen down to −2; a curve with feedback keeps the feeling scale."""
    import json

    from jmtools.charts.emotions import emotion_curve_panels

    did = evidence.assign(source="behaviour", evidence="measured",
                          valence=-(evidence["obs_id"] % 4 == 0).astype(float))
    curve = emotion_curve(did, min_n=20, n_boot=200)
    assert curve["valence"].max() <= 0 and set(curve.loc[curve["n"] > 0, "sources"].str.split(" ").str[0]) == {
        "behaviour"}                                                  # what the axis must say: 0 at best
    assumed = parts[1]
    for chart in (emotion_curve_chart(curve, assumed=assumed), emotion_curve_panels(curve, assumed=assumed)):
        spec = json.dumps(chart.to_dict(), ensure_ascii=False)
        assert "very positive" not in spec and "very negative" not in spec
        assert "0 no friction" in spec and "−2 most friction" in spec and "measured from behaviour" in spec
    feeling = json.dumps(emotion_curve_panels(parts[0], assumed=assumed).to_dict(), ensure_ascii=False)
    assert "+2 very positive" in feeling and "friction" not in feeling


def test_a_behaviour_only_trend_reads_as_friction(evidence):
    """Notebook 03's trend of a behaviour-only curve kept the feeling axis ("+2 very positive …
    −2 very negative", "Mean emotion per month"): its frame carried no sources. The trend now says
    what each point rests on, as the curve does (counted here with pandas), and its chart reads as
    friction; a trend of feedback keeps the feeling scale (D200)."""
    import json

    did = evidence.assign(source="behaviour", evidence="measured",
                          valence=-(evidence["obs_id"] % 4 == 0).astype(float))
    trend = sentiment_trend(did, min_n=5, n_boot=100)
    month = did["timestamp"].dt.to_period("M").dt.start_time
    counted = did.groupby([did["stage"].astype(str), month]).size()
    for r in trend.itertuples():
        n = int(counted.get((str(r.stage), r.period), 0))
        assert r.sources == (f"behaviour (n={n})" if n else "")
    spec = json.dumps(sentiment_trend_chart(trend).to_dict(), ensure_ascii=False)
    assert "very positive" not in spec and "very negative" not in spec and "Mean emotion" not in spec
    assert "Friction from behaviour (0 to −2)" in spec and "0 no friction" in spec and "Mean friction" in spec
    y = sentiment_trend_chart(trend).to_dict()["spec"]["layer"][2]["encoding"]["y"]
    assert y["axis"]["values"] == [-2, -1, 0] and y["scale"]["domain"][1] < 1   # nothing assumed is drawn above 0
    feeling = json.dumps(sentiment_trend_chart(sentiment_trend(evidence, min_n=5, n_boot=100)).to_dict(),
                         ensure_ascii=False)
    assert "+2 very positive" in feeling and "friction" not in feeling.lower()
    mixed = pd.concat([evidence, did.assign(obs_id=did["obs_id"] + len(did))], ignore_index=True)
    assert "friction" not in json.dumps(sentiment_trend_chart(sentiment_trend(mixed, min_n=5, n_boot=100))
                                        .to_dict(), ensure_ascii=False).lower()
