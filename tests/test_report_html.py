"""jmtools.report.html: self-contained offline HTML, interactive and static."""

from __future__ import annotations

import hashlib
import json
import re
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest

from jmtools.render.offline import javascript_bundle, script_json
from jmtools.report.html import chart_spec, export_html

pytestmark = pytest.mark.slow
HERE = Path(__file__).parent / "notebooks"
FEEDBACK = HERE / "chart_records_feedback.ipynb"
DATA = HERE / "data" / "feedback.csv"


@pytest.fixture(scope="module")
def reports(notebook_runs):
    # FEEDBACK run for persona "all", label "weekly", into d / "all.ipynb" (tests/notebook_runs.py)
    d, run = notebook_runs.get("feedback_all")
    live = export_html(run.output_path, d / "all.html").read_text(encoding="utf-8")
    static = export_html(run.output_path, d / "all.static.html", static=True).read_text("utf-8")
    return {"live": live, "static": static, "dir": d}


class _Tags(HTMLParser):
    def __init__(self, html):
        super().__init__()
        self.tags = []
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, dict(attrs)))


def _tags(html, tag=None, **attrs):
    return [a for t, a in _Tags(html).tags if (tag is None or t == tag)
            and all(a.get(k.rstrip("_")) == v for k, v in attrs.items())]


def _urls(html):
    """Every URL a real element (not escaped text) would load or link to (an inline PNG image
    of the static variant is in the file: no request)."""
    return [v for _, a in _Tags(html).tags for k, v in a.items()
            if k in ("src", "href", "action", "poster", "data") and v and not v.startswith("#")
            and not (k == "src" and v.startswith("data:image/png;base64,"))]


def test_no_external_resource_and_no_cdn(reports):
    for html in (reports["live"], reports["static"]):
        assert _urls(html) == []
        assert "cdn.jsdelivr" not in html and "require.js" not in html.lower()
        assert "mathjax" not in html.lower() and "cdnjs" not in html


def test_vega_bundle_inlined_exactly_once_with_one_placeholder_per_chart(reports):
    live = reports["live"]
    assert live.count("window.vegaEmbed=") == 1
    assert len(javascript_bundle()) > 500_000 and javascript_bundle() in live
    specs = json.loads(re.search(r'<script[^>]*id="jm-specs"[^>]*>(.*?)</script>',
                                 live, re.S).group(1))
    placeholders = [a["id"] for a in _tags(live, "div", class_="jm-chart")]
    assert placeholders == [f"jm-chart-{i}" for i in range(len(specs))] == ["jm-chart-0", "jm-chart-1"]
    # charts of one view take the page's width: their titles are page text (D121), the spec keeps
    # each as its description
    assert [s["description"] for s in specs] == ["Mean score by stage", "Each answer"]
    assert all(s["width"] == "container" and "title" not in s for s in specs)
    assert re.findall(r'<p class="jm-chart-title">([^<]+)</p>', live) == ["Mean score by stage", "Each answer"]
    assert "altair-viz" not in live  # Altair's CDN loader was replaced, not kept beside


def test_scripts_only_from_the_exporter_under_a_nonce_csp(reports):
    live = reports["live"]
    [meta] = _tags(live, "meta", **{"http-equiv": "Content-Security-Policy"})
    csp = meta["content"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)
    assert "default-src 'none'" in csp and "connect-src 'none'" in csp
    scripts = _tags(live, "script")
    executable = [a for a in scripts if a.get("type") != "application/json"]
    assert len(scripts) == 3 and len(executable) == 2
    assert all(a.get("nonce") == nonce and "src" not in a for a in executable)


def test_code_hidden_and_reader_sections_present(reports):
    live = reports["live"]
    assert "pd.read_csv" not in live and "In&nbsp;[" not in live
    toc = re.search(r'<nav[^>]*class="jm-toc".*?</nav>', live, re.S).group(0)
    for heading in ("Scores by stage", "What customers wrote", "About this report"):
        assert heading in toc
    assert "jm-toc-h1" not in toc  # the title is not a section: the contents are numbered from 1
    assert re.search(r"<title>[^<]*Feedback by persona[^<]*</title>", live)  # the tab names the report
    anchors = re.findall(r'href="#([^"]+)"', toc)
    assert all(f'id="{a}"' in live for a in anchors)


def test_parameters_run_date_versions_and_provenance(reports):
    # the cells' column names (data-label, for the phone's cards) are checked by the layout tests
    live = re.sub(r' data-label="[^"]*"', "", reports["live"])
    assert re.search(r"Run \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC", live)
    assert re.search(r"<code>persona</code></td><td>(<span>)?all\b", live)
    assert re.search(r'<code>label</code></td><td>(<span>)?weekly <span class="jm-tag">set for this run', live)
    assert "which persona to show" in live
    # provenance: independent hash and row count of the input file
    sha = hashlib.sha256(DATA.read_bytes()).hexdigest()
    rows = len(pd.read_csv(DATA))
    assert re.search(rf"data/feedback.csv</code></td><td>feedback</td><td class=\"jm-num\">{rows}"
                     rf"</td><td class=\"jm-num\">{DATA.stat().st_size:,}</td><td( class=\"jm-text\")?><code "
                     rf"class=\"jm-hash\">{sha}</code>", live)
    assert "pandas 3." in live and "altair 6." in live and "python 3." in live
    assert "1 warning message(s)" in live and "a warning for the log" not in live


def test_records_are_not_shown_as_text(reports):
    for html in (reports["live"], reports["static"]):
        assert "application/vnd.jmtools.record" not in html and "'kind': 'figure'" not in html


def test_customer_text_is_escaped(reports):
    for html in (reports["live"], reports["static"]):
        assert "<script>window.__jmInjected" not in html
        assert "&lt;script&gt;window.__jmInjected" in html
        assert '<img src="http://evil' not in html and "<b>bold?</b>" not in html


def test_static_variant_has_png_charts_and_no_script(reports):
    """Images, not inline SVG: Gmail and Outlook strip SVG (docs/reports.md)."""
    static = reports["static"]
    assert "<script" not in static
    assert "script-src 'none'" in static
    charts = re.findall(r'<div[^>]*class="jm-chart jm-chart-static"[^>]*>\s*(<img[^>]*>)', static)
    assert len(charts) == 2 and static.count("<svg") == 0
    for img in charts:
        assert re.search(r'src="data:image/png;base64,[A-Za-z0-9+/=]+"', img)
        assert re.search(r'width="\d+"', img) and re.search(r'alt="[^"]+"', img)
    assert len(static) < len(reports["live"]) / 2


def test_static_charts_are_drawn_for_a_phone(reports):
    """F13 (D255): an image chart was drawn at its own width with its legend beside the plot
    (~620 px), so a 390 px phone shrank it to about half and its 11 px text to ~5 px. A chart
    that can take any width is now drawn STATIC_WIDTH wide, legends under the plot, its title
    above it as page text."""
    from jmtools.report.html import STATIC_WIDTH
    static = reports["static"]
    figures = re.findall(r'<figure class="jm-figure">(.*?)</figure>', static, flags=re.S)
    assert len(figures) == 2
    for fig in figures:
        width = int(re.search(r'<img[^>]*width="(\d+)"', fig).group(1))
        assert width <= STATIC_WIDTH, width
        assert '<p class="jm-chart-title">' in fig.split("<img", 1)[0]


def test_chart_spec_read_from_altairs_own_html_output():
    import altair as alt

    chart = alt.Chart(pd.DataFrame({"a": [1, 2], "t": ["x</script><b>", "y"]})).mark_bar()\
        .encode(x="a:Q", y="t:N")
    bundle = chart._repr_mimebundle_()
    bundle = bundle[0] if isinstance(bundle, tuple) else bundle
    out = {"output_type": "display_data", "data": bundle}
    assert chart_spec(out) == json.loads(json.dumps(chart.to_dict()))


def test_spec_json_cannot_close_the_script_element():
    text = script_json({"text": "</script><script>alert(1)</script> & more"})
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text) == {"text": "</script><script>alert(1)</script> & more"}


def test_export_is_atomic_and_leaves_no_temp_files(reports):
    assert sorted(p.name for p in reports["dir"].iterdir()) == \
        ["all.html", "all.ipynb", "all.static.html"]


def test_exporter_class_works_through_the_nbconvert_api(reports):
    """``ReportHTMLExporter`` is an ordinary nbconvert exporter (entry point jmtools_report)."""
    from jmtools.report.html import ReportHTMLExporter

    body, _ = ReportHTMLExporter().from_filename(str(reports["dir"] / "all.ipynb"))
    assert "window.vegaEmbed=" in body and "pd.read_csv" not in body and _urls(body) == []
    static, _ = ReportHTMLExporter(static=True).from_filename(str(reports["dir"] / "all.ipynb"))
    assert "<script" not in static and static.count("data:image/png;base64,") == 2


def test_live_widgets_are_left_out_of_a_report(tmp_path):
    """A widget needs a kernel: the report keeps the text around it and drops the widget."""
    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    widget = new_output("display_data", data={
        "application/vnd.jupyter.widget-view+json": {"model_id": "abc", "version_major": 2,
                                                      "version_minor": 0},
        "text/plain": "CurveEditor(...)"})
    text = new_output("display_data", data={"text/plain": "kept", "text/html": "<p>kept here</p>"})
    nb = new_notebook(cells=[new_code_cell("editor", outputs=[widget, text])],
                      metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                               "language": "python"}})
    path = tmp_path / "w.ipynb"
    nbformat.write(nb, path)
    html = export_html(path, tmp_path / "w.html").read_text(encoding="utf-8")
    assert "kept here" in html
    assert "widget-view" not in html and "CurveEditor" not in html


def test_a_recorded_list_reads_as_names_in_the_appendix(tmp_path):
    """Notebook 04 records the personas of its top pain point and its praise themes as lists: the
    appendix had shown them as Python lists (['Budget Ben'])."""
    import html as html_lib

    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from jmtools.report.record import RECORD_MIMETYPE, figure_payload

    payload = figure_payload("top_pain_point_personas", ["Budget Ben", "Marathon Maya"],
                             label="Personas affected")
    out = new_output("display_data", data={RECORD_MIMETYPE: payload})
    nb = new_notebook(cells=[new_code_cell("record(...)", outputs=[out])],
                      metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                               "language": "python"}})
    path = tmp_path / "r.ipynb"
    nbformat.write(nb, path)
    text = html_lib.unescape(export_html(path, tmp_path / "r.html").read_text(encoding="utf-8"))
    assert "Personas affected" in text and "Budget Ben; Marathon Maya" in text
    assert "['Budget Ben'" not in text


def test_notebook_04_appendix_names_its_top_pain_point_by_title(tmp_path, monkeypatch):
    """Notebook 04's appendix showed "Top pain point: hidden-fees" (the id); readers get the
    title, as in notebook 00, and the id stays as its own figure for scripts."""
    import html as html_lib

    import nbformat
    from nbformat.v4 import new_code_cell, new_notebook, new_output

    from jmtools.report import pain_steps
    from jmtools.report.record import RECORD_MIMETYPE, figure_payload

    recorded = []
    monkeypatch.setattr(pain_steps, "record", lambda name, value, **kw: recorded.append(
        figure_payload(name, value, **kw)))
    table = pd.DataFrame({"pain_point_id": ["hidden-fees", "poor-images"], "source": ["detected"] * 2,
                          "title": ["Delivery fee appears only at payment", "Few, small product photos"],
                          "personas": [["Budget Ben"], []], "score": [3.2, 1.0]})
    pain_steps.record_pain_point_figures("Budget Ben", table, None)
    outputs = [new_output("display_data", data={RECORD_MIMETYPE: p}) for p in recorded]
    nb = new_notebook(cells=[new_code_cell("record_pain_point_figures(...)", outputs=outputs)],
                      metadata={"kernelspec": {"name": "python3", "display_name": "Python 3",
                                               "language": "python"}})
    path = tmp_path / "nb04.ipynb"
    nbformat.write(nb, path)
    text = html_lib.unescape(export_html(path, tmp_path / "nb04.html").read_text(encoding="utf-8"))
    appendix = re.sub(r"<[^>]+>", " ", text[text.index('id="recorded-figures"'):])
    assert re.search(r"Top pain point\s+Delivery fee appears only at payment", appendix), appendix[:400]
    assert not re.search(r"Top pain point\s+hidden-fees", appendix)
    assert re.search(r"Id of the top pain point\s+hidden-fees", appendix)


def test_charts_read_as_text_give_the_same_page_and_leave_the_notebook_as_it_was(reports, monkeypatch, tmp_path):
    import nbformat

    import jmtools.report.html as report_html

    nb = nbformat.read(reports["dir"] / "all.ipynb", as_version=4)
    before = json.dumps(nb, sort_keys=True)
    trimmed = report_html._charts_as_text(nb)
    assert [o for c in trimmed.cells for o in c.get("outputs", []) if chart_spec(o) is not None]
    assert all(isinstance(v, str) for c in trimmed.cells for o in c.get("outputs", [])
               if chart_spec(o) is not None for v in o["data"].values())

    def nonce_free(path):
        return re.sub(r'nonce="[^"]*"|nonce-[A-Za-z0-9+/=_-]+', "NONCE", path.read_text(encoding="utf-8"))
    for static in (False, True):
        fast = nonce_free(export_html(nb, tmp_path / f"fast{static}.html", static=static))
        with monkeypatch.context() as m:
            m.setattr(report_html, "_charts_as_text", lambda nb: nb)   # the whole outputs, as before
            whole = nonce_free(export_html(nb, tmp_path / f"whole{static}.html", static=static))
        assert fast == whole
    assert json.dumps(nb, sort_keys=True) == before


def _page(*parts: str) -> str:
    return ('<html><head><title>x</title></head><body><header><nav aria-label="Contents" class="jm-toc">'
            '<p class="jm-toc-title">Contents</p><!--jmtools:toc--></nav></header>' + "".join(parts)
            + "</body></html>")


def test_a_step_notebooks_contents_come_before_its_first_section_and_keep_its_numbers():
    """Notebook 07's report put the contents after section 1 and numbered its numbered headings
    again ("3. 2 · Did the opportunity work?"); report 00 keeps its contents after the headline."""
    from jmtools.report._contents import with_contents as _finish

    step = _finish(_page('<h1 id="t">Step 7 · Test</h1><p>How to read the verdicts.</p>',
                         '<h2 id="s1">1 · Compare the two groups</h2><p>one</p>',
                         '<h3 id="d">Did it work?</h3>', '<h2 id="s2">2 · Did the opportunity work?</h2>'))
    nav = re.search(r'<nav[^>]*class="jm-toc".*?</nav>', step, re.S)
    assert step.index("How to read") < nav.start() < step.index('<h2 id="s1"')
    assert '<ol class="jm-toc-own-numbers">' in nav.group(0)       # the headings' own numbers only
    assert re.findall(r'<li class="(jm-toc-h\d)"><a href="#([^"]+)"', nav.group(0)) == [
        ("jm-toc-h2", "s1"), ("jm-toc-h3", "d"), ("jm-toc-h2", "s2")]
    report = _finish(_page('<h1 id="t">Ben</h1>', '<h2 id="glance">At a glance</h2>',
                           '<ul class="jm-headline"><li>loss</li></ul><p>intro</p>', '<h2 id="who">Who</h2>'))
    nav = re.search(r'<nav[^>]*class="jm-toc".*?</nav>', report, re.S)
    assert report.index("intro") < nav.start() < report.index('<h2 id="who"')   # after the headline
    assert "<ol><li" in nav.group(0)                                           # numbered by the list
