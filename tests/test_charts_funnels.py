"""jmtools.charts.funnels: the specs' axes (the funnels' counts are tested in tests/test_funnels.py)."""

import pandas as pd

from jmtools.charts.funnels import funnel_chart


def test_the_count_axis_keeps_its_labels_apart():
    """The tester's funnel (1,066 customers) labelled its axis every 100 to 1,100 at a notebook's
    width: "1,000" and "1,100" ran into each other. A tick every 80 px at most (D167)."""
    f = pd.DataFrame({"step_index": [1, 2, 3, 4], "step": ["Awareness", "Consideration", "Decision", "Post"],
                      "n": [1066, 893, 567, 144], "n_prev": [1066, 1066, 893, 567],
                      "conversion": [1.0, 0.84, 0.63, 0.25], "rate_from_start": [1.0, 0.84, 0.53, 0.14]})
    axis = funnel_chart(f).to_dict()["layer"][0]["encoding"]["x"]["axis"]
    assert axis["tickCount"] == {"expr": "ceil(width / 80)"} and axis["labelSeparation"] > 0
