"""A batch prepares each world's evidence and shared results once (jmtools.report.prepared)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from jmtools import pipeline
from jmtools.pipeline._cache import CACHE_ENV
from jmtools.report.batch import Job, persona_jobs
from jmtools.report.prepared import prepared_once, worlds_of

ROOT = Path(__file__).resolve().parents[1]
REPORT = str(ROOT / "notebooks" / "00_journey_report.ipynb")
FEEDBACK = str(ROOT / "tests" / "notebooks" / "chart_records_feedback.ipynb")


def test_worlds_of_lists_each_world_once_resolved_from_the_notebook_folder():
    jobs = persona_jobs(ROOT / "data" / "ecommerce" / "journey.yaml", notebook=REPORT,
                        parameters={"data_dir": "../data/ecommerce"})
    jobs.append(Job(name="b2b", notebook=REPORT, parameters={"data_dir": "sample:b2b", "segment": "x > 1"}))
    jobs.append(Job(name="no data_dir parameter", notebook=FEEDBACK, parameters={}))
    found = worlds_of(jobs)
    assert found == [(str(ROOT / "notebooks" / "../data/ecommerce"), None, ""), ("sample:b2b", None, "x > 1")]
    assert worlds_of([Job(name="default", notebook=REPORT)]) == [("sample:ecommerce", None, "")]


def test_prepared_once_fills_the_cache_and_restores_the_environment(tmp_path, monkeypatch):
    monkeypatch.delenv(CACHE_ENV, raising=False)
    monkeypatch.setenv("JMTOOLS_CACHE_DIR", str(tmp_path / "jm-cache"))
    world = tmp_path / "world"
    shutil.copytree(ROOT / "data" / "ecommerce", world)
    jobs = persona_jobs(world / "journey.yaml", notebook=REPORT, parameters={"data_dir": str(world)})
    with prepared_once(jobs, tmp_path / "out") as folder:
        assert folder == tmp_path / "jm-cache" / "evidence"      # never inside the output folder
        assert os.environ[CACHE_ENV] == str(folder)
        assert pipeline.prepare_evidence(world)[1] == "hit"          # what every report reads
    assert CACHE_ENV not in os.environ
    entries = sorted(p.name for p in folder.iterdir() if not p.name.startswith("."))
    kinds = sorted(e.split("-")[0] if "-" in e else "evidence" for e in entries)
    # evidence, its funnel counts, persona-independent results and the small tables
    assert kinds == ["answers", "evidence", "shared", "tables"], entries
    assert not (tmp_path / "out").exists()
    feedback = [Job(name="Ben", notebook=FEEDBACK, parameters={"persona": "Ben"})]
    with prepared_once(feedback, tmp_path / "out") as nothing:  # no data folder: nothing to prepare
        assert nothing is None and CACHE_ENV not in os.environ


def test_a_worlds_notes_name_the_reports_they_concern(tmp_path, monkeypatch):
    """D247 (F10): a batch printed "note: left off the emotion curve …: 25 rows" and "…: 455 rows"
    with no report named: each world is prepared once, so its notes now say whose they are."""
    import warnings

    from jmtools.report import prepared

    def prepare_world(data, *, journey, segment, cache_dir):      # the world's own note
        warnings.warn(f"left off the emotion curve: feedback: {25 if segment else 455} rows", UserWarning)

    monkeypatch.setattr(prepared, "prepare_world", prepare_world)
    monkeypatch.setenv("JMTOOLS_CACHE_DIR", str(tmp_path / "jm-cache"))
    world = {"data_dir": str(tmp_path / "w")}
    jobs = [Job(name="All customers", notebook=REPORT, parameters={**world, "persona": "all"}),
            Job(name="iOS NA", notebook=REPORT, parameters={**world, "persona": "iOS North America"}),
            Job(name="Spanish speakers", notebook=REPORT, parameters={**world, "segment": "plan == 'monthly'"})]
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        with prepared_once(jobs, tmp_path / "out"):
            pass
    assert [str(w.message) for w in got] == [
        "reports All customers, iOS NA: left off the emotion curve: feedback: 455 rows",
        "report Spanish speakers: left off the emotion curve: feedback: 25 rows"]
    assert all("jmtools" in w.filename for w in got)                 # said as the kit's "note: …"
