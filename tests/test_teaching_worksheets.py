"""jmtools.teaching.worksheets: one printable page per step, self-contained, from the data."""

from __future__ import annotations

import os
import re

import pytest

from jmtools.cli.main import main
from jmtools.core.errors import ParameterError
from jmtools.teaching import EXERCISES, STEPS
from jmtools.teaching.worksheets import find_chromium, worksheet_html, write_worksheets
from teaching_cases import lesson

CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def pages():
    return {step: worksheet_html(lesson(), step) for step in STEPS}


def test_every_step_has_a_self_contained_page_with_its_exercises(pages):
    for step, page in pages.items():
        assert "<script" not in page and not re.search(r"(src|href)=\"?https?:", page), step
        assert "<svg" in page, f"worksheet {step} has no chart"
        for ex in EXERCISES.values():
            assert (f"Exercise {ex.id} " in page) == (ex.step == step), (step, ex.id)
        assert "following Budget Ben" in page and "&lt;" not in page.split("<body>")[0]


def test_the_numbers_on_the_page_are_those_the_exercises_are_checked_against(pages):
    ben = lesson().stage_funnel
    last = ben[ben["persona"] == "Budget Ben"].iloc[-1]
    assert f"<td>{int(last['n'])}</td><td>{int(last['n_prev'])}</td>" in pages[4]
    assert "What customer C" in pages[3]                     # exercise 3.3's customer, on paper


def test_an_unknown_step_or_a_missing_browser_is_refused(tmp_path):
    with pytest.raises(ParameterError):
        worksheet_html(lesson(), 8)
    with pytest.raises(ParameterError) as err:
        find_chromium(tmp_path / "no-such-browser")
    assert "html" in str(err.value).lower()


def test_the_command_writes_html_pages(tmp_path, capsys):
    assert main(["teaching", "worksheets", "-o", str(tmp_path), "--html-only", "--step", "0"]) == 0
    assert (tmp_path / "00_start_here.html").exists()
    assert "00_start_here.html" in capsys.readouterr().out


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.skipif(not os.path.exists(CHROMIUM), reason="needs Debian chromium at /usr/bin/chromium")
def test_each_worksheet_prints_on_one_page(tmp_path):
    written = write_worksheets(lesson(), tmp_path, steps=[1, 5], chromium=CHROMIUM)
    assert [p.name for p in written] == ["01_personas.pdf", "05_patterns_and_pain_points.pdf"]
    for pdf in written:
        data = pdf.read_bytes()
        assert data[:5] == b"%PDF-"
        pages = len(re.findall(rb"/Type\s*/Page(?!s)", data))
        assert pages == 1, f"{pdf.name} has {pages} pages"
