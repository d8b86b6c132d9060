"""The emotion curve's value labels ("+0.3 (n=402)") keep off the curve's lines (D221): on the
hospital export's PDF map a label right of its point sat on the line rising to the next stage. The
boxes are estimated from the compiled spec's text marks (anchor, align, baseline, offsets, font
size), the lines are sampled point by point — independent of the placement's own geometry."""

from __future__ import annotations

import pandas as pd
import pytest

from jmtools.charts.journeymap import journey_map
from jmtools.journey import Journey
from test_charts_journeymap import _layers
from test_mapcells import JOURNEY

#: Planted curves over the four stages: a steep rise right after a labelled point (the hospital's
#: Booking +0.3 → First appointment +0.8), a steep fall, a zigzag, and two personas crossing.
CURVES = {"rise": {"Budget Ben": [0.3, 1.6, 1.7, 1.9]},
          "fall": {"Budget Ben": [1.8, -1.2, -1.4, -1.9]},
          "zigzag": {"Budget Ben": [-1.0, 1.0, -1.0, 1.0]},
          "crossing": {"Budget Ben": [-1.5, 1.5, -0.5, 0.8], "Marathon Maya": [1.5, -1.5, 0.5, -0.8]}}


def _label_boxes(spec) -> list[tuple]:
    """(label, x1, x2, y1, y2) of every value label, from its text mark as the spec draws it."""
    out = []
    for layer in _layers(spec):
        enc, mark = layer.get("encoding", {}), layer["mark"]
        if mark["type"] != "text" or enc.get("text", {}).get("field") != "label":
            continue
        fs = mark.get("fontSize", 11)
        for r in spec["datasets"][layer["data"]["name"]]:
            x, y = r[enc["x"]["field"]] + mark.get("dx", 0), r[enc["y"]["field"]] + mark.get("dy", 0)
            w = len(r["label"]) * fs * 0.55
            x1 = x - w if mark.get("align") == "right" else x - w / 2 if mark.get("align") == "center" else x
            base = mark.get("baseline", "middle")
            y1 = y - fs if base == "bottom" else y if base == "top" else y - fs / 2
            out.append((r["label"], x1, x1 + w, y1, y1 + fs))
    return out


def _lines(spec) -> list[list[tuple]]:
    """The points of every drawn stroke of the curves, in stage order."""
    out = []
    for layer in _layers(spec):
        if layer["mark"]["type"] != "line":
            continue
        strokes: dict = {}
        for r in spec["datasets"][layer["data"]["name"]]:
            strokes.setdefault((r["curve"], r["series"], r["stroke"]), []).append(r)
        out += [[(r["x"], r["py"]) for r in sorted(rows, key=lambda r: r["order"])] for rows in strokes.values()]
    return out


def _touching(box, points, margin=1.0) -> bool:
    _, x1, x2, y1, y2 = box
    for (xa, ya), (xb, yb) in zip(points, points[1:]):
        for k in range(401):
            t = k / 400
            x, y = xa + t * (xb - xa), ya + t * (yb - ya)
            if x1 - margin <= x <= x2 + margin and y1 - margin <= y <= y2 + margin:
                return True
    return False


@pytest.mark.parametrize("name", list(CURVES))
def test_no_value_label_lies_on_a_line(name):
    journey = Journey.from_yaml(JOURNEY)
    rows = [{"stage": s, "persona": p, "mean": v, "n": 400 + i, "ci_low": v - 0.1, "ci_high": v + 0.1}
            for p, values in CURVES[name].items() for i, (s, v) in enumerate(zip(journey.stage_names, values))]
    personas = list(CURVES[name])
    spec = journey_map(journey, evidence={"emotion": pd.DataFrame(rows)},
                       persona=personas[0] if len(personas) == 1 else personas).to_dict()
    boxes, lines = _label_boxes(spec), _lines(spec)
    assert len(boxes) == len(journey.stage_names) * len(personas) and lines
    on_line = [b[0] for b in boxes if any(_touching(b, points) for points in lines)]
    assert on_line == []
    for i, a in enumerate(boxes):                      # nor on one another
        for b in boxes[i + 1:]:
            assert not (a[1] < b[2] and b[1] < a[2] and a[3] < b[4] and b[3] < a[4]), (a, b)
