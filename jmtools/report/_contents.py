"""The report's table of contents: built from the rendered page's headings, placed where a
reader meets it first (:func:`with_contents`, called by :mod:`jmtools.report.html`)."""

from __future__ import annotations

import html as _html
import re
from html.parser import HTMLParser

from jmtools.report.wording import CURVE_HEADINGS


class _Headings(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found, self._open, self._skip = [], None, 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("h1", "h2", "h3") and attrs.get("id") and self._open is None:
            self._open = [tag, attrs["id"], ""]
        elif tag == "a" and "anchor-link" in (attrs.get("class") or "") and self._open:
            self._skip += 1

    def handle_endtag(self, tag):
        if tag == "a" and self._skip:
            self._skip -= 1
        elif self._open and tag == self._open[0]:
            self.found.append(tuple(self._open))
            self._open = None

    def handle_data(self, data):
        if self._open and not self._skip:
            self._open[2] += data


_APPENDIX_IDS = ("report-parameters", "data-provenance", "recorded-figures", "software-versions")
_NAV = re.compile(r'<nav[^>]*class="jm-toc".*?</nav>', re.S)
#: A heading that carries its own number ("2 · Did the opportunity work?", "3. Score"): a
#: numbered notebook's sections, which the contents list as they are, not numbered again.
_OWN_NUMBER = re.compile(r"\d+(\.\d+)*\s*[·.:)]\s")
#: The report's headline (:func:`jmtools.report.headline.headline_html`).
_HEADLINE = re.compile(r'<ul class="jm-headline"')


def with_contents(html: str) -> str:
    """Insert the table of contents built from the rendered headings, name the page after the
    report's title, and put the contents where a reader meets them first: after the first
    section when that section is the report's headline (report 00's "At a glance"), otherwise
    before the first section (a step notebook: its title and introduction, then the contents).
    Sections whose headings carry their own numbers are listed without a second number.

    Examples
    --------
    >>> page = ('<header><nav class="jm-toc"><!--jmtools:toc--></nav></header><h1 id="t">Step 7</h1>'
    ...         '<p>intro</p><h2 id="a">1 · Compare</h2><h2 id="b">2 · Did it work?</h2>')
    >>> out = with_contents(page)
    >>> out.index("<nav") > out.index("intro") and out.index("<nav") < out.index('id="a"')
    True
    >>> re.search(r"<ol[^>]*>", out).group(0)
    '<ol class="jm-toc-own-numbers">'
    """
    head, sep, body = html.partition("<!--jmtools:toc-->")
    if not sep:
        return html
    parser = _Headings()
    parser.feed(body)
    found = [(tag, hid, text.strip()) for tag, hid, text in parser.found if text.strip()]
    listed = [(tag, hid, text) for tag, hid, text in found
              if tag != "h1" and hid not in _APPENDIX_IDS]  # the title is not a section: numbered from 1
    items = [f'<li class="jm-toc-{tag}"><a href="#{_html.escape(hid, quote=True)}">'
             f"{_html.escape(text)}</a></li>" for tag, hid, text in listed]
    own = any(tag == "h2" and _OWN_NUMBER.match(text) for tag, _, text in listed)
    page = head + ('<ol class="jm-toc-own-numbers">' if own else "<ol>") + "".join(items) + "</ol>" + body
    title = next((text for tag, _, text in found if tag == "h1"), None)
    if title:
        page = re.sub(r"<title>.*?</title>", lambda _: f"<title>{_html.escape(title)}</title>", page,
                      count=1, flags=re.S)
    return _move_contents(page, [hid for tag, hid, _ in found if tag == "h2"])


def _move_contents(page: str, h2s: list) -> str:
    """``page`` with its contents moved just before the section the reader meets after the
    headline: the second section when the first holds the headline, else the first."""
    nav = _NAV.search(page)
    if not nav or not h2s:
        return page
    at = [re.search(rf'<h2 id="{re.escape(_html.escape(hid, quote=True))}"', page) for hid in h2s[:2]]
    headline_first = at[0] and len(at) > 1 and at[1] and _HEADLINE.search(page, at[0].end(), at[1].start())
    target = at[1] if headline_first else at[0]
    if target is None or target.start() < nav.end():
        return page
    return page[:nav.start()] + page[nav.end():target.start()] + nav.group(0) + page[target.start():]


_FEEL_HEADING = re.compile(rf"^#{{2,3}}\s+{re.escape(CURVE_HEADINGS['feeling'])}\s*$")
_PRINTED = tuple(f"## {heading}\n" for heading in CURVE_HEADINGS.values())


def one_curve_heading(nb) -> None:
    """Drop, in place, the curve section's Markdown heading of a notebook 00 copied before D210.

    The section prints its own heading (:func:`jmtools.report.sections.feelings`): "How customers
    feel along the way", or on a friction curve from behaviour alone "Where customers meet friction
    along the way" (:data:`jmtools.report.wording.CURVE_HEADINGS`). A project's copy of notebook 00
    made earlier still has the first as a Markdown cell above it; the report shows the printed
    heading only, not both. Any other notebook is left as it is.

    Examples
    --------
    >>> from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output
    >>> said = new_output("display_data", {"text/markdown": "## " + CURVE_HEADINGS["behaviour"] + "\\n\\nNothing …"})
    >>> nb = new_notebook(cells=[new_markdown_cell("## How customers feel along the way"),
    ...                          new_code_cell("sections.feelings(f)", outputs=[said])])
    >>> one_curve_heading(nb)
    >>> [c.cell_type for c in nb.cells]
    ['code']
    """
    drop = []
    for k, (cell, below) in enumerate(zip(nb.cells, nb.cells[1:])):
        if cell.cell_type != "markdown" or below.cell_type != "code" or not _FEEL_HEADING.match(cell.source.strip()):
            continue
        first = next((o for o in below.get("outputs", []) if "text/markdown" in (o.get("data") or {})), None)
        if first is not None and first["data"]["text/markdown"].startswith(_PRINTED):
            drop.append(k)
    nb.cells = [cell for k, cell in enumerate(nb.cells) if k not in drop]
