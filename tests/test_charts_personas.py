"""Tests for jmtools.charts.personas: chart structure on to_dict(), data kept in order with n,
errors on wrong frames, and a real render through vl-convert."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jmtools import personas as P
from jmtools.charts import personas as C
from jmtools.core.errors import DataError, ParameterError


@pytest.fixture(scope="module")
def frames():
    rng = np.random.default_rng(5)
    n = 300
    customers = pd.DataFrame({
        "customer_id": [f"c{i}" for i in range(n)],
        "age": rng.integers(18, 70, n).astype(float),
        "channel": rng.choice(["app", "web", "store"], n),
    })
    events = pd.DataFrame({"customer_id": rng.choice(customers.customer_id, 2000),
                           "event": rng.choice(["view", "cart", "gift", "size"], 2000)})
    orders = pd.DataFrame({"customer_id": rng.choice(customers.customer_id, 150),
                           "amount": rng.gamma(3, 30, 150)})
    surveys = pd.DataFrame({"customer_id": rng.choice(customers.customer_id, 200),
                            "metric": ["csat"] * 100 + ["nps"] * 100,
                            "score": np.r_[rng.integers(1, 6, 100), rng.integers(0, 11, 100)]})
    personas = {"Zoe Young": "age < 30", "Store Sam": "channel == 'store'",
                "Empty Ed": "age > 100", "Any Ann": "age >= 30"}
    a = P.assign_personas(customers, personas)
    s = P.suggest_personas(customers, events=events, seed=1, k=3)
    return dict(sizes=P.persona_sizes(a), kpis=P.persona_kpis(a, orders=orders, surveys=surveys,
                                                               n_boot=100),
                profile=P.attribute_profile(customers, a, n_boot=100),
                typical=P.typical_events(events, a, min_customers=1), suggestion=s,
                order=list(personas) + [P.NO_PERSONA])


def _values(spec):
    name = next(iter(spec["datasets"]))
    return pd.DataFrame(spec["datasets"][name])


def test_size_chart(frames):
    spec = C.persona_size_chart(frames["sizes"]).to_dict()
    bars = spec["layer"][0]
    assert bars["mark"]["type"] == "bar"
    assert bars["encoding"]["y"]["sort"] == frames["order"]  # file order, incl. empty persona
    assert [l["mark"]["type"] for l in spec["layer"]] == ["bar", "rule", "text"]
    data = _values(spec)
    assert data["n"].tolist() == frames["sizes"]["n"].tolist()
    empty = data[data.persona == "Empty Ed"].iloc[0]
    assert empty["n"] == 0 and "n = 0" in empty["label"]
    assert "300 customers" in spec["title"]["subtitle"]


def test_kpi_chart(frames):
    spec = C.persona_kpi_chart(frames["kpis"]).to_dict()
    assert spec["resolve"]["scale"]["x"] == "independent"
    data = _values(spec)
    assert not {"All customers", "All in the customer table"} & set(data.persona)  # base: dashed line
    conv = data[data.kpi == "conversion"].set_index("persona")
    k = frames["kpis"]
    expected = k[(k.kpi == "conversion") & (k.persona == "Zoe Young")].value.iloc[0]
    assert conv.loc["Zoe Young", "value"] == pytest.approx(100 * expected)  # shown in %
    titles = spec["facet"]["row"]["sort"]
    assert titles[0] == "Conversion (%)" and "NPS" in titles
    only = C.persona_kpi_chart(frames["kpis"], include=["nps"]).to_dict()
    assert set(_values(only).kpi) == {"nps"}
    with pytest.raises(ParameterError, match="nps"):
        C.persona_kpi_chart(frames["kpis"], include=["npss"])


def test_difference_chart_from_profile_and_clusters(frames):
    spec = C.persona_difference_chart(frames["profile"], top=3).to_dict()
    assert spec["layer"][0]["mark"]["type"] == "rect"
    data = _values(spec)
    assert data["feature"].nunique() == 3
    assert P.NO_PERSONA not in set(data.group)
    assert data["diff"].abs().max() <= 3
    scale = spec["layer"][0]["encoding"]["color"]["scale"]
    assert scale["scheme"] == "redblue" and scale["domain"] == [-3, 3] and "reverse" not in scale
    cspec = C.persona_difference_chart(frames["suggestion"].profile).to_dict()
    assert set(_values(cspec).group) == {"cluster 0", "cluster 1", "cluster 2"}


def test_typical_events_chart(frames):
    spec = C.typical_events_chart(frames["typical"], top=2).to_dict()
    panels = spec["vconcat"]
    present = [p for p in frames["order"] if p in set(frames["typical"].persona.astype(str))]
    assert [p["title"]["text"].split(" (n")[0] for p in panels] == present
    for panel in panels:
        y = panel["layer"][0]["encoding"]["y"]
        data = pd.DataFrame(spec["datasets"][panel["data"]["name"]]) if "data" in panel else None
        assert len(y["sort"]) <= 2
        if data is not None:  # sorted by lift, highest first
            assert y["sort"] == data.sort_values("lift", ascending=False)["item"].tolist()


def test_cluster_choice_chart(frames):
    spec = C.cluster_choice_chart(frames["suggestion"].scores).to_dict()
    data = _values(spec)
    assert set(data.measure) == {"silhouette (separation)"}  # k was fixed: no stability
    s = pd.DataFrame({"k": [2, 3], "silhouette": [0.3, 0.2], "stability": [0.99, 0.97],
                      "inertia": [1.0, 0.5], "chosen": [False, True]})
    spec = C.cluster_choice_chart(s).to_dict()
    assert len(spec["layer"]) == 4 and "chosen k = 3" in spec["title"]["subtitle"]


@pytest.mark.parametrize("fn", [C.persona_size_chart, C.persona_kpi_chart,
                                C.persona_difference_chart, C.typical_events_chart,
                                C.cluster_choice_chart])
def test_wrong_or_empty_frames_are_named(fn):
    with pytest.raises(DataError, match="lacks columns"):
        fn(pd.DataFrame({"x": [1]}))


def test_empty_frame_refused(frames):
    with pytest.raises(DataError, match="empty"):
        C.persona_size_chart(frames["sizes"].iloc[0:0])


def test_charts_render_to_png(frames):
    import vl_convert as vlc
    charts = [C.persona_size_chart(frames["sizes"]), C.persona_kpi_chart(frames["kpis"]),
              C.persona_difference_chart(frames["profile"]),
              C.typical_events_chart(frames["typical"]),
              C.cluster_choice_chart(frames["suggestion"].scores)]
    for chart in charts:
        png = vlc.vegalite_to_png(chart.to_dict(), scale=1)
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 5000


def test_denominators_say_customer_table_not_all_customers(frames):
    """Persona frames are computed over the customer table (customers with events but no row in
    it are not there), so their charts never call that base "all customers"."""
    import json
    specs = {"sizes": C.persona_size_chart(frames["sizes"]).to_dict(),
             "kpis": C.persona_kpi_chart(frames["kpis"]).to_dict(),
             "profile": C.persona_difference_chart(frames["profile"]).to_dict(),
             "typical": C.typical_events_chart(frames["typical"]).to_dict()}
    for name, spec in specs.items():
        text = json.dumps(spec)
        assert "customer table" in text and "all customers\"" not in text, name
        assert "higher than all customers," not in text and "(× all customers)" not in text, name
    assert specs["sizes"]["title"]["subtitle"].startswith("300 customers in the customer table")
    assert specs["kpis"]["title"]["subtitle"].endswith("dashed: all customers in the customer table")
    kpis = frames["kpis"]
    assert "All customers" not in set(kpis.persona.astype(str))
    assert (kpis.persona.astype(str) == "All in the customer table").any()
