"""jmtools.report.dashboard: the index flags a headline figure whose latest run leaves its
control limits, and only then (checked against a hand-computed individuals chart)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd

from jmtools.report import dashboard
from jmtools.report.batch import JobResult, load_history


def _history(folder, values):
    lines = [{"run_id": f"2026-10-{i + 1:02d}T09:00:00", "report": "all", "parameters": {},
              "figures": {"reached_last_stage": {"value": v, "n": 900}, "customers": {"value": 900, "n": 900}}}
             for i, v in enumerate(values)]
    (folder / "history.jsonl").write_text("".join(json.dumps(x) + "\n" for x in lines))


def _index(folder, last):
    result = JobResult(name="all", stem="all", status="ok", parameters={}, html="all.html", sidecar="all.json",
                       figures={"reached_last_stage": {"name": "reached_last_stage", "value": last, "n": 900,
                                                       "unit": "%"},
                                "customers": {"name": "customers", "value": 900, "n": 900}})
    previous = {"all": {"run_id": "2026-10-01T09:00:00", "figures": {}}}
    return dashboard.write_index([result], folder, run_id="2026-12-01T09:00:00", previous=previous,
                                 history=load_history(folder)).read_text(encoding="utf-8")


def _limits(values, baseline=dashboard.BASELINE_RUNS):
    base = np.asarray(values[:baseline])
    sigma = np.abs(np.diff(base)).mean() / 1.128
    return base.mean() - 3 * sigma, base.mean() + 3 * sigma


def test_a_shift_beyond_the_limits_is_flagged(tmp_path):
    values = [0.20, 0.21, 0.19, 0.20, 0.22, 0.20, 0.19, 0.21, 0.20, 0.35]
    low, high = _limits(values)
    assert values[-1] > high                                        # the oracle: outside by hand
    _history(tmp_path, values)
    page = _index(tmp_path, values[-1])
    assert page.count("● outside its control limits") == 1 and "breaks: beyond 3σ" in page
    assert "outside its control limits (set by its first 8 runs)" in page


def test_a_stable_series_or_a_short_one_is_not_flagged(tmp_path):
    stable = [0.20, 0.21, 0.19, 0.20, 0.22, 0.20, 0.19, 0.21, 0.20, 0.205]
    low, high = _limits(stable)
    assert low < stable[-1] < high
    _history(tmp_path, stable)
    assert "● outside" not in _index(tmp_path, stable[-1])
    _history(tmp_path, [0.2, 0.9, 0.1])                             # three runs: no limits yet
    assert "● outside" not in _index(tmp_path, 0.1)
    assert dashboard._signals(pd.DataFrame(columns=["run_id", "report", "figure", "value", "n"])) == {}


def test_the_index_names_only_the_variants_the_batch_wrote(tmp_path):
    """make demo writes no PDF: its index had said 'the PDF suits print' all the same."""
    def page(**files):
        result = JobResult(name="all", stem="all", status="ok", parameters={}, html="all.html",
                           sidecar="all.json", **files)
        return dashboard.write_index([result], tmp_path, run_id="2026-12-01T09:00:00").read_text(encoding="utf-8")

    plain = page()
    assert "each report opens offline." in plain and "PDF" not in plain and "static variant" not in plain
    static = page(static_html="all.static.html")
    assert "the static variant has no script and suits e-mail." in static and "PDF" not in static
    both = page(static_html="all.static.html", pdf="all.pdf")
    assert "suits e-mail; the PDF suits print." in both and 'href="all.pdf"' in both
