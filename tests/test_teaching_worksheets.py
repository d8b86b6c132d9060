"""jmtools.teaching.worksheets: one printable page per step, self-contained, from the data."""

from __future__ import annotations

import html
import os
import re
from html.parser import HTMLParser

import pandas as pd
import pytest

from jmtools.analyses.disclosure import MIN_GROUP
from jmtools.cli.main import main
from jmtools.core.errors import ParameterError
from jmtools.teaching import EXERCISES, STEPS
FEWER = "fewer than 5"                        # what the page prints for a count of 1–4
from jmtools.report.wording import HIDDEN_CELL
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


# ------------------------------------------------ the disclosure rule on paper (issue 15, D56's leftovers)
class _Tables(HTMLParser):
    """Every <table> of a page as (caption, header, rows of cell texts): read from the printed HTML."""

    def __init__(self):
        super().__init__()
        self.tables, self._cell, self._where = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self.tables.append(["", [], []])
        elif tag == "caption":
            self._where = "caption"
        elif tag == "tr" and self.tables:
            self.tables[-1][2].append([])
        elif tag in ("td", "th") and self.tables and dict(attrs).get("class") != "note":
            self._cell = []

    def handle_data(self, data):
        if self._where == "caption":
            self.tables[-1][0] += data
        elif self._cell is not None:
            self._cell.append(data)

    def handle_endtag(self, tag):
        if tag == "caption":
            self._where = None
        elif tag in ("td", "th") and self._cell is not None:
            self.tables[-1][2][-1].append(html.unescape("".join(self._cell)))
            self._cell = None


def _tables(page: str) -> list[tuple[str, list[str], list[dict]]]:
    parser = _Tables()
    parser.feed(page)
    out = []
    for caption, _, rows in parser.tables:
        rows = [r for r in rows if r]
        out.append((caption, rows[0], [dict(zip(rows[0], r)) for r in rows[1:] if len(r) == len(rows[0])]))
    return out


def _number(text: str):
    """The first number a cell prints (``1,055``, ``-28``, ``83.9% to 100.0%``), else None."""
    m = re.match(r"\s*([−-]?[\d,]*\.?\d+)", text)
    return float(m.group(1).replace(",", "").replace("−", "-")) if m else None


#: Columns of the worksheets that count customers (or their answers, events, losses).
COUNTS = {"n", "n_prev", "customers", "answers", "events", "lost", "of", "drop_off", "distinct customers"}
#: Columns of rates, means and intervals computed over a group of customers.
RATES = {"value", "interval", "conversion", "conversion 95%", "rate_from_start", "share lost", "measured",
         "after − before", "95% interval"}
#: Tables of no customers' numbers: workshop estimates (backlog), evidence scores, one quoted customer.
NOT_GROUPS = ("backlog", "pain points", "told you", "numeric columns", "The seven steps")


def _svg_counts(page: str) -> list[int]:
    """Counts the charts print as labels: "(n = 1,055)", "20  (100% of previous)"."""
    texts = [html.unescape(t) for t in re.findall(r"<text[^>]*>(.*?)</text>", page, re.S)]
    found = [m.group(1) for t in texts for m in [re.search(r"n = ([\d,]+)", t)] if m]
    found += [m.group(1) for t in texts for m in [re.match(r"([\d,]+)\s+\(", t)] if m]
    return [int(x.replace(",", "")) for x in found]


@pytest.fixture(scope="module")
def planted(tmp_path_factory):
    """Every worksheet following Loud Lou (3 customers) and Thin Thea (20, hidden to protect Lou:
    everyone is in a persona, so no "(no persona)" row can, D70) on ``loud_and_thin_world`` with
    Rest Rory, and Thin Thea (shown; 2 reach the last stage) on ``thin_end_world``."""
    from small_groups import (LOUD, THIN, built, everyone_in_a_persona_world, loud_and_thin_world,
                              thin_end_world)

    from jmtools.teaching import Lesson

    base = tmp_path_factory.mktemp("sheets")
    worlds = {"both": built(everyone_in_a_persona_world, base / "both", base=loud_and_thin_world),
              "thin": built(thin_end_world, base / "thin")}
    pages = {}
    for world, persona in (("both", LOUD), ("both", THIN), ("thin", THIN)):
        lesson = Lesson(worlds[world], persona=persona)
        pages.update({(world, persona, step): worksheet_html(lesson, step) for step in STEPS})
    return worlds, pages


def test_no_worksheet_prints_a_count_of_one_to_four_customers(planted):
    """The worksheets of steps 1, 2, 4 and 5 printed persona and funnel tables without the rule
    (D53's leftovers): Lou's size 3 in the survey table, Thea's funnel step of 2, touchpoints of 1–4
    of her customers. Read from the printed page: no count column holds 1–4, no chart label says it,
    and a row whose count is hidden prints no rate either (it would give the count back)."""
    _, pages = planted
    for key, page in pages.items():
        for caption, header, rows in _tables(page):
            for row in rows:
                counts = {c: _number(row[c]) for c in COUNTS & set(header)}
                small = {c: v for c, v in counts.items() if v is not None and 0 < v < MIN_GROUP}
                assert not small, (key, caption, row)
                if any(row[c] in (HIDDEN_CELL, FEWER) for c in ("n", "customers") if c in row):
                    rates = {c: row[c] for c in RATES & set(header) if _number(row[c]) not in (None, 0)}
                    assert not rates, (key, caption, row)
        assert not [k for k in _svg_counts(page) if 0 < k < MIN_GROUP], key


def test_a_small_persona_and_the_one_protecting_it_print_no_number(planted):
    """Plain pandas: Lou holds 3 customers, Thea 20. Step 1 hides Thea's size so that the total does
    not give Lou's 3 away, so neither persona's tables (nor their rows in tables of every persona)
    print a number other than 0 (nobody), and no chart labels 3 or 20 customers."""
    from small_groups import LOUD, THIN

    worlds, pages = planted
    customers = pd.read_csv(worlds["both"] / "customers.csv")
    assert (int(customers["loud"].sum()), int(customers["thin"].sum())) == (3, 20)
    for (world, persona, step), page in pages.items():
        if world != "both":
            continue
        for caption, header, rows in _tables(page):
            if any(word in caption for word in NOT_GROUPS):
                continue
            mine = rows if caption.startswith(f"{persona}:") else [r for r in rows if r.get("persona") in (LOUD, THIN)]
            for row in mine:
                numbers = {c: row[c] for c in (COUNTS | RATES | {"assumed"}) & set(header)
                           if _number(row[c]) not in (None, 0)}
                assert not numbers, (persona, step, caption, row)
        assert not {3, 20} & set(_svg_counts(page)), (persona, step)


def test_the_last_stage_of_two_customers_prints_neither_its_count_nor_its_rate(planted):
    """Thin Thea on ``thin_end_world`` (shown: 20 customers): plain pandas counts 20 at Decision and 2
    at Post-purchase. Worksheets 4, 5 and 7 print her funnel with the 20, and the Post-purchase row
    without its count, conversion, interval, drop-off or share of step 1."""
    from small_groups import THIN

    from test_teaching_disclosure import _reached
    from jmtools.teaching import Lesson

    worlds, pages = planted
    lesson = Lesson(worlds["thin"], persona=THIN)
    ev = lesson.events
    stages = list(lesson.journey.stage_names)
    reached = _reached(ev[ev["persona"] == THIN].dropna(subset=["stage"]), stages, "stage")
    assert ((reached >= 3).sum(), (reached >= 4).sum()) == (20, 2)
    for step in (4, 5, 7):
        funnel = [t for t in _tables(pages[("thin", THIN, step)]) if "funnel" in t[0] or "before / after" in t[0]]
        assert funnel, step
        for caption, header, rows in funnel:
            last = [r for r in rows if r["step"] == stages[-1]]
            assert last and all(_number(r[c]) is None for r in last
                                for c in ({"n", "drop_off"} | RATES) & set(header)), (step, last)
            if step != 7:
                assert [_number(r["n"]) for r in rows if r["step"] == stages[2]] == [20], (step, rows)


def test_step_7_reads_every_hidden_number_in_words_and_one_word_a_row(planted):
    """Rest Rory on the Lou-and-Thea world: his Consideration and Post-purchase counts are hidden beside
    the funnel for all customers ("hidden"). The step-7 sheet printed Decision's ``n_prev`` and rate as
    "nan" and "–" (the hidden count before it), "hidden" beside "not shown" in one row, and "–" (nothing
    measured) for the emotion points the curve hid. Now every hidden number says so in one word per
    row, and "–" stays for a stage with no evidence (n = 0). With no conversion left to draw, the
    chart is a sentence, not empty axes. The funnel tables of steps 4 and 5 dropped the columns that
    name a protected step, so they read "not shown" where their note and chart say "hidden", and "–"
    after it; now as on step 7."""
    from small_groups import RORY

    from jmtools.teaching import Lesson

    worlds, _ = planted
    lesson = Lesson(worlds["both"], persona=RORY)
    curve = lesson.run.curve.query("persona == @RORY")
    assert curve["suppressed"].any()                                   # the situation, as computed
    page = worksheet_html(lesson, 7)
    assert "funnel before and after is not drawn" in page      # no conversion left: no empty axes
    tables = {caption: (header, rows) for caption, header, rows in _tables(page)}
    header, rows = next(v for k, v in tables.items() if "before / after" in k)
    words = {"hidden", HIDDEN_CELL, FEWER}
    for row in rows:
        cells = [row[c] for c in ("n", "n_prev", "conversion", "conversion 95%")]
        assert all(_number(c) is not None or c in words for c in cells), row
        assert not {"hidden", HIDDEN_CELL} <= set(cells), row
    assert any(r["n_prev"] == "hidden" and _number(r["n"]) is not None for r in rows)
    for step in (4, 5):                          # the persona's funnel: the same words as the chart's
        funnel = dict((c, (h, r)) for c, h, r in _tables(worksheet_html(lesson, step)))[f"{RORY}: funnel"]
        for row in funnel[1]:
            cells = [row[c] for c in funnel[0] if c != "step"]
            assert all(_number(c) is not None or c in words for c in cells), (step, row)
            assert HIDDEN_CELL not in cells, (step, row)           # hidden beside the total: "hidden"
        assert {r["step"] for r in funnel[1] if r["n"] == "hidden"} == {"Consideration", "Post-purchase"}
    header, rows = next(v for k, v in tables.items() if "emotion" in k.lower())
    hidden = set(curve.loc[curve["suppressed"], "stage"].astype(str))
    for row in rows:
        if row["stage"] in hidden:
            assert row["measured"] == HIDDEN_CELL and row["n"] == HIDDEN_CELL, row
        elif _number(row["measured"]) is None:
            assert _number(row["n"]) == 0, row
