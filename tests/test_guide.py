"""docs/bring-your-own-data.md: its worked example runs as written, from a raw export to a report."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
GUIDE = ROOT / "docs" / "bring-your-own-data.md"


def _blocks(lang: str) -> list[str]:
    return re.findall(rf"```{lang}\n(.*?)```", GUIDE.read_text(encoding="utf-8"), flags=re.S)


def test_the_example_is_short_and_the_readme_links_the_guide():
    example = _blocks("python")[-1]
    code = [line for line in example.splitlines() if line.strip() and not line.strip().startswith("#")]
    assert len(code) < 30, f"the worked example has {len(code)} lines of code"
    assert "docs/bring-your-own-data.md" in (ROOT / "README.md").read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_worked_example_runs_from_a_raw_export_to_a_report(tmp_path):
    example = _blocks("python")[-1]
    done = subprocess.run([sys.executable, "-c", example], cwd=tmp_path, capture_output=True,
                          text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "rows read" in done.stdout and "occurrence" in done.stdout
    shop = tmp_path / "my_shop"
    assert {p.name for p in shop.iterdir()} == {"events.parquet", "orders.parquet", "journey.yaml"}
    jmtools = Path(sys.executable).with_name("jmtools")
    (tmp_path / "notebooks").symlink_to(ROOT / "notebooks")
    for command in _blocks("bash")[-1].strip().splitlines():
        words = command.split()
        assert words[0] == "jmtools"
        done = subprocess.run([str(jmtools), *words[1:]], cwd=tmp_path, capture_output=True,
                              text=True, timeout=900)
        assert done.returncode == 0, f"{command}\n{done.stdout[-2000:]}\n{done.stderr[-3000:]}"
    from jmtools.journey import Journey

    report = (tmp_path / "my_shop.html").read_text(encoding="utf-8")
    stages = Journey.load(shop / "journey.yaml").stage_names
    assert "Traceback" not in report and all(s in report for s in stages)
    assert "No survey" in report or "no survey" in report       # the section says what would fill it
