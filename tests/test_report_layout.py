"""The journey report on a phone, a tablet, a desktop and paper (headless Debian Chromium).

The report is notebook 00 run for Budget Ben through the batch runner (the shared
``nb00_ecommerce`` run). At 360, 390, 768 and 1280 px: no horizontal scroll of the page or inside
a chart's box (only the journey map's frame scrolls), chart text at least 11 px, every
table-of-contents link lands on its section, the headline is the first screen, every chart has
its caption. Printed to PDF: pages, text extractable, no heading as the last thing on a page, the
map and its heading on landscape pages of their own.
Screenshots go to ``$JMTOOLS_SHOTS`` (default: the test's temporary folder).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from test_report_browser import CHROMIUM, _demo_like_index, browser  # noqa: F401 (a fixture)
from test_report_browser import _open as _open_offline

pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.skipif(not os.path.exists(CHROMIUM),
                                 reason="needs Debian chromium at /usr/bin/chromium")]
WIDTHS = (360, 390, 768, 1280)


@pytest.fixture(scope="module")
def report(notebook_runs):
    _, batch = notebook_runs.get("nb00_ecommerce")
    [ben] = batch.results
    assert ben.ok, ben.error
    out = Path(batch.out_dir)
    return {"live": out / ben.html, "static": out / ben.static_html, "dir": out}


def _shots(tmp_path) -> Path:
    d = Path(os.environ.get("JMTOOLS_SHOTS") or tmp_path)
    d.mkdir(parents=True, exist_ok=True)
    return d


def _open(browser, path: Path, width: int):
    """The report opened offline at ``width`` (test_report_browser's guard), charts drawn."""
    context, page, outside, _ = _open_offline(browser, path, width)
    if page.evaluate("document.body.dataset.chartsTotal !== undefined"):
        page.wait_for_selector("body[data-charts-done='true']", timeout=30_000)
    return context, page, outside


_NO_SIDEWAYS = "document.scrollingElement.scrollWidth <= window.innerWidth"
_CHART_FONTS = """[...document.querySelectorAll('.jm-chart svg text')]
  .filter(t => t.textContent.trim() && t.getBoundingClientRect().width > 0)
  .map(t => parseFloat(getComputedStyle(t).fontSize) * (t.ownerSVGElement.getBoundingClientRect().width
       / (t.ownerSVGElement.width.baseVal.value || t.ownerSVGElement.getBoundingClientRect().width)))"""


@pytest.mark.parametrize("width", WIDTHS)
def test_no_sideways_scroll_and_legible_chart_text(browser, report, width, tmp_path):
    context, page, outside = _open(browser, report["live"], width)
    page.screenshot(path=str(_shots(tmp_path) / f"report-{width}.png"), full_page=False)
    assert page.evaluate(_NO_SIDEWAYS), page.evaluate("[document.scrollingElement.scrollWidth, innerWidth]")
    sizes = page.evaluate(_CHART_FONTS)
    assert sizes and min(sizes) >= 10.9, sorted(sizes)[:5]  # 11 px, drawn at its size
    assert page.evaluate(_SCROLLING_CHARTS) == []
    assert page.locator(".jm-chart-error").count() == 0 and outside == []
    context.close()


#: Chart boxes (other than the journey map's frame) whose content is wider than the box.
_SCROLLING_CHARTS = """[...document.querySelectorAll('.jm-chart-frame:not(.jm-map-frame)')]
  .filter(f => f.offsetParent && f.scrollWidth > f.clientWidth + 1)
  .map(f => [f.querySelector('.jm-chart').dataset.fit, f.scrollWidth, f.clientWidth])"""


@pytest.mark.parametrize("width", (360, 1280))
def test_pain_point_chart_fits_with_its_names_whole_and_legible(browser, report, width, tmp_path):
    """The names on the y axis once fixed a minimum width, so the chart scrolled sideways; then
    they were cut ("#3 Customers felt worse, complaints at post- …") and the axis ran to 6 for a
    longest bar of 3.3. Every name is drawn whole (wrapped), every word of the chart is inside
    its picture, and the axis ends below 1.5 × the longest bar."""
    context, page, _ = _open(browser, report["live"], width)
    figure = page.locator("figure.jm-figure", has=page.locator(".jm-chart-title", has_text="Pain points"))
    figure.screenshot(path=str(_shots(tmp_path) / f"pain-points-{width}.png"))
    box = figure.locator(".jm-chart-frame")
    assert box.evaluate("f => f.scrollWidth <= f.clientWidth + 1"), box.evaluate("f => [f.scrollWidth, f.clientWidth]")
    labels = figure.evaluate("""f => { const svg = f.querySelector('svg').getBoundingClientRect();
        return [...f.querySelectorAll('.role-axis-label text')].map(t => { const r = t.getBoundingClientRect();
          return [[...t.querySelectorAll('tspan')].map(s => s.textContent).join(' ') || t.textContent,
                  r.left >= svg.left - 1 && r.right <= svg.right + 1,
                  parseFloat(getComputedStyle(t).fontSize)]; }); }""")
    assert any(text.startswith("#1") for text, _, _ in labels), labels
    assert all(inside and size >= 11 for _, inside, size in labels), labels
    table = page.evaluate("""(() => { const t = [...document.querySelectorAll('table.jm-table')].find(t =>
        t.tHead.textContent.includes('what the data shows'));
        return [...t.tBodies[0].rows].map(r => '#' + r.cells[0].textContent.trim() + ' ' + r.cells[1].textContent.trim()); })()""")
    assert [text for text, _, _ in labels if text.startswith("#")] == table   # whole names, in rank order
    words = figure.evaluate("""f => { const svg = f.querySelector('svg').getBoundingClientRect();
        return [...f.querySelectorAll('svg text')].filter(t => t.textContent.trim()).map(t => {
          const r = t.getBoundingClientRect(); return [t.textContent, r.right <= svg.right + 1]; })
          .filter(([, inside]) => !inside); }""")
    assert words == [], words                                                  # nothing cut at the right
    longest, plot = figure.evaluate("""f => [Math.max(...[...f.querySelectorAll('.mark-rect.role-mark path')]
        .map(p => p.getBoundingClientRect().width)), f.querySelector('.role-axis-domain').getBoundingClientRect().width]""")
    assert longest / plot > 1 / 1.5, (longest, plot)                        # was 3.3 of 6
    context.close()


#: Tables of long texts (themes, pain points, opportunities) on a phone: one card per row, no
#: sideways scroll, every cell under its column's name, no tall empty rows.
_CARDS = """[...document.querySelectorAll('table.jm-table.jm-cards')].map(t => ({
  head: t.tHead.textContent, display: getComputedStyle(t.tBodies[0].rows[0]).display,
  wide: t.getBoundingClientRect().right > innerWidth + 1 || t.scrollWidth > t.clientWidth + 1,
  tallest: Math.max(...[...t.tBodies[0].rows].map(r => r.getBoundingClientRect().height)),
  labelled: [...t.tBodies[0].rows[0].cells].every(c => getComputedStyle(c, '::before').content.includes(
    t.tHead.rows[0].cells[c.cellIndex].textContent)),
  headVisible: t.tHead.getBoundingClientRect().height > 2 }))"""


@pytest.mark.parametrize("width", (360, 1280))
def test_long_text_tables_are_cards_on_a_phone_and_tables_on_a_desktop(browser, report, width, tmp_path):
    """At 360 px the themes and pain points tables scrolled sideways with tall, empty-looking rows."""
    context, page, _ = _open(browser, report["live"], width)
    tables = page.evaluate(_CARDS)
    heads = " | ".join(t["head"] for t in tables)
    assert "typical quotes" in heads and "what the data shows" in heads and "value at stake" in heads, heads
    assert "95% CI low" in heads, heads                    # the funnel's n and intervals: cards too
    for name in ("Where-it-hurts", "What-customers-write-about"):
        top = page.locator(f"[id='{name}']").evaluate("e => e.getBoundingClientRect().top + scrollY")
        page.screenshot(path=str(_shots(tmp_path) / f"{name}-{width}.png"), full_page=True,
                        clip={"x": 0, "y": top, "width": width, "height": 1600})
    assert not any(t["wide"] for t in tables), tables
    if width < 640:
        assert all(t["display"] == "block" and t["labelled"] and not t["headVisible"] for t in tables), tables
        assert max(t["tallest"] for t in tables) < 600, tables     # was a 1,000 px row of empty cells
    else:
        assert all(t["display"] == "table-row" and t["headVisible"] for t in tables), tables
    assert page.evaluate(_NO_SIDEWAYS)
    context.close()


#: The persona's facts (a table whose first column has no name) and the appendix's parameters and
#: data provenance, each row on a phone: a card wholly on screen, every cell readable.
_KEY_TABLES = """() => {
  const facts = [...document.querySelectorAll('table.jm-table')].find(t => t.tBodies[0] &&
    t.tBodies[0].rows[0].cells[0].textContent === 'Rule that selects them');
  const after = id => document.getElementById(id).nextElementSibling;
  return [['facts', facts], ['parameters', after('report-parameters')],
          ['provenance', after('data-provenance')]].map(([name, t]) => {
    const rows = [...t.tBodies[0].rows];
    const cells = rows.flatMap(r => [...r.cells]);
    return {name, display: getComputedStyle(rows[0]).display,
      right: Math.round(t.getBoundingClientRect().right),
      tallest: Math.round(Math.max(...rows.map(r => r.getBoundingClientRect().height))),
      tags: [...t.querySelectorAll('.jm-tag')].filter(g => g.getBoundingClientRect().left
        < g.closest('td').getBoundingClientRect().left + 60).length,
      clipped: cells.filter(c => c.getBoundingClientRect().right > innerWidth + 1
                                 || c.scrollWidth > c.clientWidth + 1).map(c => c.textContent.slice(0, 30)),
      blank: cells.filter(c => !c.dataset.label && !['none', 'normal'].includes(
        getComputedStyle(c, '::before').content) && getComputedStyle(c).display === 'grid')
        .map(c => c.textContent.slice(0, 30))};
  });
}"""


def test_facts_and_appendix_tables_are_whole_cards_on_a_phone(browser, report, tmp_path):
    """At 360 px the appendix's parameters and provenance tables hid their meaning and SHA-256
    columns off screen behind rows 100-200 px tall, and the persona's facts showed each name in
    a card's value column beside an empty label (and "set for this run" must stay by its value,
    not drop into the label column)."""
    context, page, _ = _open(browser, report["live"], 360)
    tables = page.evaluate(_KEY_TABLES)
    for name in ("Who-this-report-is-about", "about-this-report"):
        top = page.locator(f"[id='{name}']").evaluate("e => e.getBoundingClientRect().top + scrollY")
        page.screenshot(path=str(_shots(tmp_path) / f"{name}-360.png"), full_page=True,
                        clip={"x": 0, "y": top, "width": 360, "height": 1400})
    for t in tables:
        assert t["display"] == "block" and t["right"] <= 360, t
        assert not t["clipped"] and not t["blank"] and not t["tags"], t
    assert max(t["tallest"] for t in tables) < 260, tables
    assert page.evaluate(_NO_SIDEWAYS)
    context.close()


#: Each chart's box: how it fits its page (data-fit), its drawing's width and the box's.
_CHART_WIDTHS = """[...document.querySelectorAll('.jm-chart')].filter(c => c.offsetParent).map(c =>
  [c.dataset.fit || '', c.querySelector('svg').getBoundingClientRect().width, c.parentElement.clientWidth])"""


@pytest.mark.parametrize("width", (390, 1280))
def test_a_step_notebooks_charts_fit_the_page_as_report_00s_do(browser, notebook_runs, width, tmp_path):
    """Notebook 02's charts were 634-901 px wide on a 390 px phone (report 00's fit): they left
    their width to the theme, and only charts of a set width took the page's. Every chart of one
    view now takes it; a heatmap as wide as its categories keeps its width (its box scrolls)."""
    from jmtools.report.html import export_html

    out, run = notebook_runs.get("nb02_ecommerce")
    html = export_html(run.output_path, Path(out) / "nb02.html")
    context, page, outside = _open(browser, html, width)
    page.screenshot(path=str(_shots(tmp_path) / f"nb02-{width}.png"), full_page=True)
    charts = page.evaluate(_CHART_WIDTHS)
    fitted = [c for c in charts if c[0]]
    assert len(fitted) >= len(charts) - 1 >= 5, charts                    # all but the heatmap
    assert all(drawn <= box + 1 for _, drawn, box in fitted), charts
    assert page.evaluate(_NO_SIDEWAYS) and outside == []
    context.close()


#: The tooltip's box when it is shown, else null.
_TOOLTIP = """(() => { const t = document.getElementById('vg-tooltip-element');
  if (!t || !t.classList.contains('visible')) return null;
  const r = t.getBoundingClientRect(); return [r.left, r.right, r.top, r.bottom]; })()"""


def test_a_charts_tooltip_stays_on_a_phones_screen(browser, report, tmp_path):
    """At 390 px a tooltip wider than the room on either side of the finger was put at its left,
    off the screen (x = −97 px on the emotion curve)."""
    context, page, _ = _open(browser, report["live"], 390)
    figure = page.locator("figure.jm-figure", has=page.locator(".jm-chart-title", has_text="Emotion curve"))
    figure.scroll_into_view_if_needed()
    points = figure.evaluate("""f => [...f.querySelectorAll('.role-mark path')].map(p => p.getBoundingClientRect())
        .filter(r => r.width > 0 && r.width < 60).map(r => [r.left + r.width / 2, r.top + r.height / 2])""")
    boxes = []
    for x, y in points:
        page.mouse.move(x, y)
        box = page.evaluate(_TOOLTIP)
        if box:
            boxes.append((round(x), box))
            if 150 < x < 300 and len(boxes) < 30:
                page.screenshot(path=str(_shots(tmp_path) / "tooltip-390.png"))
    assert any(150 < x < 300 for x, _ in boxes), boxes   # a finger in the middle, with no room either side
    assert all(left >= 0 and right <= 390 and top >= 0 and bottom <= 844 for _, (left, right, top, bottom)
               in boxes), [b for b in boxes if b[1][0] < 0 or b[1][1] > 390]
    context.close()


def test_every_chart_has_one_plain_caption(report):
    """Each chart is a figure whose caption says what its marks mean; none says "valence"."""
    for path in (report["live"], report["static"]):
        html = path.read_text(encoding="utf-8")
        charts = html.count('<div class="jm-chart-frame')
        figures = re.findall(r'<figure [^>]*class="jm-figure[^"]*"[^>]*>(.*?)</figure>', html, re.S)
        captions = [re.search(r'<figcaption class="jm-caption">([^<]+)</figcaption>', f) for f in figures]
        assert charts >= 5 and len(figures) == charts, (charts, len(figures))
        assert all(captions), [f[:200] for f, c in zip(figures, captions) if not c]
        assert not any("valence" in c.group(1).lower() for c in captions)
        parts = re.findall(r"<figure [^>]*jm-map-print", html)  # the tall map's parts, for paper only
        assert len(parts) >= 2 if path == report["live"] else not parts   # as many as keep 8 pt (D49)


def test_the_first_phone_screen_is_the_headline(browser, report, tmp_path):
    context, page, _ = _open(browser, report["live"], 390)
    items = page.evaluate("""[...document.querySelectorAll('.jm-headline li')]
        .map(li => [li.dataset.key, li.getBoundingClientRect().bottom])""")
    keys = [k for k, bottom in items if bottom <= 844]
    assert {"focus", "loss", "pain", "fix"} <= set(keys), items
    assert "valence" not in page.inner_text(".jm-headline")
    assert "Budget Ben" in page.title()
    context.close()


def test_every_contents_link_lands_on_its_section(browser, report):
    context, page, _ = _open(browser, report["live"], 1280)
    links = page.evaluate("[...document.querySelectorAll('nav.jm-toc a')].map(a => a.getAttribute('href'))")
    numbers = page.evaluate("[...document.querySelectorAll('nav.jm-toc li')].map(li => li.className)")
    assert links and "jm-toc-h1" not in numbers  # numbered from 1: the title is not a section
    for href in links:
        page.click(f"nav.jm-toc a[href='{href}']")
        top = page.evaluate(f"document.getElementById({json.dumps(href[1:])}).getBoundingClientRect().top")
        assert -2 <= top <= 40 or page.evaluate(
            "innerHeight + scrollY >= document.scrollingElement.scrollHeight - 2"), (href, top)
    context.close()


@pytest.mark.parametrize("width", (390, 1280))
def test_static_variant_fits_and_has_no_script(browser, report, width):
    html = report["static"].read_text(encoding="utf-8")
    assert "<script" not in html and "<svg" not in html.split("<main", 1)[-1].split("jm-appendix")[0]
    assert html.count('src="data:image/png;base64,') >= 3
    context, page, outside = _open(browser, report["static"], width)
    page.wait_for_load_state("load")
    assert page.evaluate(_NO_SIDEWAYS)
    assert page.evaluate("[...document.images].every(i => i.complete && i.naturalWidth > 0)")
    assert outside == []
    context.close()


def test_static_chart_text_is_legible_on_a_phone(browser, report):
    """F13 (D255): at 390 px the static report's chart images were shrunk to fit (legend beside
    the plot): 11 px axis and legend text showed at ~4 px. Every chart image but the journey
    map's is now shown at 9/11 or more of its drawn size: its 11 px text at 9 px or more."""
    context, page, _ = _open(browser, report["static"], 390)
    page.wait_for_load_state("load")
    shown = page.evaluate("""[...document.querySelectorAll('.jm-chart-static img')]
        .filter(i => !i.closest('.jm-map-figure'))
        .map(i => [i.getBoundingClientRect().width, Number(i.getAttribute('width'))])""")
    assert len(shown) >= 3
    assert all(w >= 9 / 11 * drawn for w, drawn in shown), shown
    context.close()


def test_pdf_pages_have_text_and_no_stranded_heading(report, tmp_path):
    pypdf = pytest.importorskip("pypdf")
    from jmtools.report.pdf import export_pdf

    pdf = export_pdf(report["live"], tmp_path / "ben.pdf")
    reader = pypdf.PdfReader(str(pdf))
    pages = [p.extract_text() or "" for p in reader.pages]
    assert 4 <= len(pages) <= 40
    assert "Budget Ben" in pages[0] and "Biggest loss" in pages[0]
    assert all("page " in t for t in pages), "page numbers on every page"
    headings = ["At a glance", "Who this report is about", "How far customers get",
                "How customers feel along the way", "Where it hurts", "What to fix first",
                "The journey map"]
    for text in pages:
        body = [ln.strip() for ln in text.splitlines() if ln.strip() and not re.fullmatch(
            r"page \d+ of \d+", ln.strip())]
        assert not body or body[-1] not in headings, body[-3:]
    # the map and its heading on landscape pages of their own (this tall map: two parts, one page
    # each), every other page portrait
    landscape = [i for i, p in enumerate(reader.pages) if p.mediabox.width > p.mediabox.height]
    maps = [i for i, t in enumerate(pages) if "Evidence of each item" in t]
    assert landscape and landscape == maps, (landscape, maps)
    assert "The journey map" in pages[maps[0]] and "what customers go through" in pages[maps[0]]
    assert all("About this report" not in pages[i] and "What to fix first" not in pages[i] for i in maps)
    assert "(hover" not in "".join(pages)
    # paper has no interaction: page 1 says it is a printed copy (it said "interactive")
    assert "interactive" not in pages[0].lower() and "printed copy" in pages[0].lower()
    # no text under 8 pt (the map's pain points printed at 6 pt); charts scaled to the page
    # width print their 11 px at 7.9 pt
    sizes = _text_sizes(reader)
    small = [(page + 1, size, text) for page, size, text in sizes if size < 7.85]
    assert sizes and not small, small[:5]
    assert min(size for page, size, _ in sizes if page in maps) >= 7.95
    # on paper the long-text tables stay tables: their column names print as one header row
    assert any(re.search(r"rank\s+pain point\s+stage\s+evidence\s+customers\s+what the data shows", t)
               for t in pages)
    assert any(re.search(r"theme\s+texts\s+share\s+of\s+all\s+mostly at\s+typical quotes", t) for t in pages)


def _text_sizes(reader) -> list[tuple[int, float, str]]:
    """(page index, printed size in pt, text) of every text run of a PDF (pypdf's text matrix
    times the font size, so a chart scaled down prints its text smaller)."""
    out = []
    for i, page in enumerate(reader.pages):
        def visit(text, cm, tm, font, size, i=i):
            if text.strip():
                scale = (tm[2] ** 2 + tm[3] ** 2) ** .5 * (cm[2] ** 2 + cm[3] ** 2) ** .5
                out.append((i, round(size * scale, 2), text.strip()))
        page.extract_text(visitor_text=visit)
    return out


def test_index_on_a_phone_is_cards_with_whole_names(browser, tmp_path):
    """At 360 px the index showed three columns of its table (the rest off to the side) and cut
    the names of its bars ("E-commerce · all c…")."""
    index = _demo_like_index(tmp_path)
    context, page, outside = _open(browser, index, 360)
    page.screenshot(path=str(_shots(tmp_path) / "index-360.png"), full_page=True)
    rows = page.evaluate("""[...document.querySelectorAll('table.sortable tbody tr')].map(r => ({
      display: getComputedStyle(r).display, right: Math.max(...[...r.cells].map(c => c.getBoundingClientRect().right)),
      labels: [...r.cells].slice(1).map(c => getComputedStyle(c, '::before').content)}))""")
    assert rows and all(r["display"] == "block" and r["right"] <= 361 for r in rows), rows[:2]
    assert all('"customers"' in r["labels"] and '"reach the end"' in r["labels"] for r in rows), rows[0]
    names = page.evaluate("[...document.querySelectorAll('.multiples svg text title')].map(t => [t.textContent, t.parentNode.textContent])")
    assert names and all(full in shown for full, shown in names), names[:3]   # whole, not "…"
    assert page.evaluate(_NO_SIDEWAYS) and outside == []
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_index_dashboard_fits_and_boxes_do_not_overlap(browser, tmp_path, width):
    index = _demo_like_index(tmp_path)
    context, page, outside = _open(browser, index, width)
    page.screenshot(path=str(_shots(tmp_path) / f"index-{width}.png"), full_page=True)
    assert page.evaluate(_NO_SIDEWAYS)
    overlaps = page.evaluate("""(() => {
      const boxes = [...document.querySelectorAll('figure, .scroll, h1, h2, p')].map(e => e.getBoundingClientRect());
      let n = 0;
      for (let i = 0; i < boxes.length; i++) for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i], b = boxes[j];
        if (a.left < b.right - 1 && b.left < a.right - 1 && a.top < b.bottom - 1 && b.top < a.bottom - 1) n++;
      }
      return n; })()""")
    assert overlaps == 0
    cells = page.evaluate("""[...document.querySelectorAll('tbody tr')].map(r =>
        [...r.cells].map(c => c.getBoundingClientRect()).reduce((acc, c, i, all) =>
          acc + (i && c.left < all[i - 1].right - 1 && c.top < all[i - 1].bottom - 1 ? 1 : 0), 0))""")
    # (on a phone the cells of a row are stacked as a card: side by side only on a wider screen)
    assert sum(cells) == 0
    assert outside == []
    context.close()


def test_index_sorts_by_a_column(browser, tmp_path):
    index = _demo_like_index(tmp_path)
    context, page, _ = _open(browser, index, 1280)
    page.click("th:nth-child(1) button")
    names = page.evaluate("[...document.querySelectorAll('tbody td.name')].map(c => c.dataset.sort)")
    assert names == sorted(names)
    page.click("th:nth-child(1) button")
    names = page.evaluate("[...document.querySelectorAll('tbody td.name')].map(c => c.dataset.sort)")
    assert names == sorted(names, reverse=True)
    context.close()


def test_a_card_tables_caption_is_as_wide_as_its_cards(browser, tmp_path):
    """On a phone a table of cards is a block, and its caption (the funnel's "2 steps are shown
    as 'hidden' …") was squeezed into one word per line beside it."""
    import pandas as pd

    import jmtools.report
    from jmtools.report.present import html_table

    css = (Path(jmtools.report.__file__).parent / "templates" / "report.css").read_text(encoding="utf-8")
    table = html_table(pd.DataFrame({"stage": ["Awareness", "Consideration"], "customers": [98, "hidden"],
                                     "from previous stage": ["100%", "hidden"], "95% CI low": ["96%", "–"],
                                     "95% CI high": ["100%", "–"], "from start": ["100%", "–"],
                                     "note": ["x", "y"]}),
                       caption="2 steps are shown as \"hidden\": with the funnel for all customers, they "
                               "would give back a smaller group's count.")
    page_file = tmp_path / "cards.html"
    page_file.write_text(f"<!doctype html><html><head><meta name='viewport' content='width=device-width'>"
                         f"<style>{css}</style></head><body><main>{table.data}</main></body></html>",
                         encoding="utf-8")
    context, page, outside, _ = _open_offline(browser, page_file, 390)
    widths = page.evaluate("""(() => { const t = document.querySelector('table.jm-cards');
        return [t.getBoundingClientRect().width, t.querySelector('caption').getBoundingClientRect().width]; })()""")
    assert widths[1] >= 0.9 * widths[0] > 300, widths
    assert outside == []
    context.close()


@pytest.mark.parametrize("width", (365, 850))
def test_a_card_table_fits_a_narrow_notebook_output_without_report_css(browser, tmp_path, width):
    """JupyterLab at 800 px with its file browser open left notebook 06's funnel table about 365 px:
    its sixth column ("from start") was cut and the output scrolled sideways (D184). Without
    report.css (a notebook does not load it) the table is cards in an output that narrow, every
    value under its column's name, and a table in a wide one (1280 px, about 850 px)."""
    import pandas as pd

    from jmtools.report.present import html_table

    funnel = pd.DataFrame({"step": ["Compare tariffs", "Smart meter install"], "n": [2627, 1274],
                           "conversion": [1.0, 0.687], "ci_low": [0.999, 0.665], "ci_high": [1.0, 0.707],
                           "rate_from_start": [1.0, 0.485]})
    table = html_table(funnel, columns={"step": "stage", "n": "customers", "conversion": "from previous stage",
                                        "ci_low": "95% CI low", "ci_high": "95% CI high", "rate_from_start": "from start"},
                       formats={"conversion": "%", "ci_low": "%", "ci_high": "%", "rate_from_start": "%"}).data
    page_file = tmp_path / "table.html"
    page_file.write_text(f'<!doctype html><meta charset="utf-8"><body style="margin:0;font:13px sans-serif">'
                         f'<div class="out" style="width:{width}px;overflow-x:auto">{table}</div>', encoding="utf-8")
    context, page, outside = _open(browser, page_file, width + 40)
    out = page.evaluate("""() => { const o = document.querySelector('.out');
        return {sideways: o.scrollWidth > o.clientWidth + 1, cells: [...o.querySelectorAll('td')].map(td => ({
          label: getComputedStyle(td, '::before').content, display: getComputedStyle(td).display,
          shown: td.getBoundingClientRect().right <= o.getBoundingClientRect().right + 0.5}))}; }""")
    page.screenshot(path=str(_shots(tmp_path) / f"card-table-{width}.png"))
    assert not out["sideways"] and all(c["shown"] for c in out["cells"]) and outside == []
    if width < 520:
        assert {c["display"] for c in out["cells"]} == {"grid"}
        assert '"from start"' in {c["label"] for c in out["cells"]}       # each value says its column
    else:
        assert {c["display"] for c in out["cells"]} == {"table-cell"}
    context.close()
