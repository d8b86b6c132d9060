"""Self-contained offline HTML for executed report notebooks.

Two variants of one report:

- **interactive** — charts drawn in the browser by Vega, whose JavaScript bundle
  (:func:`jmtools.render.offline.javascript_bundle`) is inlined once per file; no CDN
  tag, no network request, code hidden; the chart specs are embedded with
  :func:`jmtools.render.offline.script_json`, the one escaping of the package;
- **static** — every chart converted to inline SVG by vl-convert and no script
  at all: for e-mail and printing to PDF.

Both carry a table of contents, the run date, the parameters, software versions
and data provenance (files, SHA-256, row counts), and a Content-Security-Policy
that forbids any request outside the file and any script the exporter did not
write: text from customers (feedback with ``<script>`` in it) is shown, never run.

The nbconvert template ships in ``jmtools/report/templates/nbconvert/jmtools_report``
and is found through ``extra_template_basedirs``, so it is always the one of the
installed jmtools.
"""

from __future__ import annotations

import functools
import html as _html
import json
import os
import re
import secrets
from html.parser import HTMLParser
from pathlib import Path

from jmtools.render.notebook import chart_title
from jmtools.render.offline import (atomic_write_text, javascript_bundle, script_json,
                                    vega_lite_version)
from jmtools.report.record import RECORD_MIMETYPE, figure_table, read_records

__all__ = [
    "TEMPLATE_DIR",
    "export_html",
    "chart_spec",
    "ReportHTMLExporter",
    "ChartPreprocessor",
    "atomic_write_text",
]

#: Folder holding the ``jmtools_report`` nbconvert template.
TEMPLATE_DIR = Path(__file__).parent / "templates" / "nbconvert"

_WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
_VL_MIME = re.compile(r"application/vnd\.vegalite\.v\d+(\.\d+)*\+json")
_ALTAIR_CALL = re.compile(r"\}\)\(\s*\{")


def chart_spec(output: dict) -> dict | None:
    """The Vega-Lite spec of a notebook output, or None when it is not a chart.

    Reads a ``application/vnd.vegalite.v*+json`` bundle when present, otherwise the
    spec Altair's default renderer passes to its embed call in ``text/html``.

    Examples
    --------
    >>> out = {"output_type": "display_data", "data": {
    ...     "application/vnd.vegalite.v6+json": {"mark": "bar"}, "text/plain": "chart"}}
    >>> chart_spec(out)
    {'mark': 'bar'}
    >>> chart_spec({"output_type": "stream", "text": "hello"}) is None
    True
    """
    data = output.get("data") or {}
    for mime, value in data.items():
        if _VL_MIME.fullmatch(mime):
            return json.loads(value) if isinstance(value, str) else dict(value)
    html = data.get("text/html")
    if isinstance(html, list):
        html = "".join(html)
    if not html or "vegaEmbed" not in html or "altair-viz" not in html:
        return None
    matches = list(_ALTAIR_CALL.finditer(html))
    if not matches:
        return None
    spec, _ = json.JSONDecoder().raw_decode(html, matches[-1].end() - 1)
    return spec if isinstance(spec, dict) else None


def _svg(spec: dict) -> str:
    import vl_convert as vlc

    svg = vlc.vegalite_to_svg(spec, vl_version=vega_lite_version())
    return re.sub(r"^<\?xml[^>]*>\s*", "", svg)


def _title_of(spec: dict) -> str:
    return chart_title(spec) or str(spec.get("description") or "chart")


def _make_preprocessor():
    from nbconvert.preprocessors import Preprocessor

    from traitlets import Bool

    class ChartPreprocessor(Preprocessor):
        """Replace chart outputs by offline-ready HTML and drop what readers need not see.

        Interactive: a ``<div id="jm-chart-N">`` placeholder per chart; the specs go to
        ``resources["jmtools_specs"]`` and are drawn by the inlined Vega bundle.
        Static: inline SVG. Record outputs and live widgets (they need a kernel) are removed;
        stderr streams are removed and counted in ``resources["jmtools_warnings"]``.
        """

        static = Bool(False, help="convert charts to inline SVG instead of Vega placeholders"
                      ).tag(config=True)

        def preprocess(self, nb, resources):
            resources["jmtools_specs"], resources["jmtools_warnings"] = [], 0
            records = read_records(nb)
            nb, resources = super().preprocess(nb, resources)
            resources["jmtools"] = _report_context(nb, records, resources, static=self.static)
            return nb, resources

        def preprocess_cell(self, cell, resources, index):
            if cell.cell_type != "code":
                return cell, resources
            kept = []
            for out in cell.get("outputs", []):
                if RECORD_MIMETYPE in (out.get("data") or {}) or _WIDGET_MIME in (out.get("data") or {}):
                    continue  # records are read above; live widgets need a kernel a report lacks
                if out.get("output_type") == "stream" and out.get("name") == "stderr":
                    resources["jmtools_warnings"] += 1
                    continue
                spec = chart_spec(out)
                if spec is not None:
                    out = self._chart_output(out, spec, resources)
                kept.append(out)
            cell.outputs = kept
            return cell, resources

        def _chart_output(self, out, spec, resources):
            from nbformat import NotebookNode

            label = _html.escape(_title_of(spec), quote=True)
            if self.static:
                body = f'<div class="jm-chart jm-chart-static" role="img" aria-label="{label}">' \
                       f"{_svg(spec)}</div>"
            else:
                i = len(resources["jmtools_specs"])
                resources["jmtools_specs"].append(spec)
                body = f'<div class="jm-chart" id="jm-chart-{i}" role="img" aria-label="{label}">' \
                       "</div>"
            return NotebookNode(output_type="display_data", metadata={},
                                data={"text/html": body})

    return ChartPreprocessor


def __getattr__(name):  # nbconvert classes are built on first use: import jmtools stays light
    if name == "ChartPreprocessor":
        return _classes()[0]
    if name == "ReportHTMLExporter":
        return _classes()[1]
    raise AttributeError(name)


@functools.lru_cache(maxsize=1)
def _classes():
    from nbconvert import HTMLExporter
    from traitlets import Bool

    chart_pre = _make_preprocessor()

    class ReportHTMLExporter(HTMLExporter):
        """nbconvert exporter for jmtools reports (``jupyter nbconvert --to jmtools_report``)."""

        export_from_notebook = "jmtools report"
        static = Bool(False, help="static variant: SVG charts, no script").tag(config=True)

        def __init__(self, **kw):
            kw.setdefault("template_name", "jmtools_report")
            kw.setdefault("extra_template_basedirs", [str(TEMPLATE_DIR)])
            super().__init__(**kw)
            self.exclude_input = True
            self.exclude_input_prompt = True
            self.exclude_output_prompt = True
            self.register_preprocessor(chart_pre(static=self.static), enabled=True)

        def from_notebook_node(self, nb, resources=None, **kw):
            html, resources = super().from_notebook_node(nb, resources, **kw)
            return _finish(html), resources

    return chart_pre, ReportHTMLExporter


def _report_context(nb, records: dict, resources, *, static: bool) -> dict:
    meta = nb.metadata.get("jmtools", {})
    specs = resources.get("jmtools_specs", [])
    nonce = secrets.token_urlsafe(16)
    declared = meta.get("declared", {})
    injected = set(meta.get("injected", []))
    params = [{"name": k, "value": _show(v), "help": declared.get(k, {}).get("help", ""),
               "injected": k in injected} for k, v in _pairs(meta.get("parameters", []))]
    sources = [dict(s, rows_text="–" if s.get("rows") is None else f"{s['rows']:,}",
                    bytes_text=f"{s.get('bytes', 0):,}") for s in records["sources"]]
    return {
        "csp": _csp(nonce if specs and not static else None),
        "nonce": nonce,
        "variant_label": "static (for e-mail and print)" if static else "interactive, works offline",
        "run_date": _run_date(meta.get("started")),
        "duration": f"{meta.get('duration_s', 0):.1f} s",
        "notebook": os.path.basename(meta.get("source", resources.get("metadata", {}).get("name", ""))),
        "parameters": params,
        "parameter_line": ", ".join(f"{p['name']} = {p['value']}" for p in params if p["injected"]),
        "sources": sources,
        "figures": figure_table(records),
        "versions": meta.get("versions", {}),
        "warnings": resources.get("jmtools_warnings", 0),
        "specs_json": script_json(specs) if specs and not static else "",
        "vega_bundle": javascript_bundle() if specs and not static else "",
        "css": (Path(__file__).parent / "templates" / "report.css").read_text(encoding="utf-8"),
    }


def _pairs(params) -> list:
    return list(params.items()) if isinstance(params, dict) else [tuple(p) for p in params]


def _show(value) -> str:
    if value is None:
        return "(not set)"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _run_date(iso: str | None) -> str:
    if not iso:
        return "unknown date"
    return iso.replace("T", " ").replace("+00:00", " UTC")


def _csp(nonce: str | None) -> str:
    script = f"'nonce-{nonce}' 'unsafe-eval'" if nonce else "'none'"
    return ("default-src 'none'; img-src data:; font-src data:; style-src 'unsafe-inline'; "
            f"script-src {script}; connect-src 'none'; base-uri 'none'; form-action 'none'")


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


def _finish(html: str) -> str:
    """Insert the table of contents built from the rendered headings."""
    head, sep, body = html.partition("<!--jmtools:toc-->")
    if not sep:
        return html
    parser = _Headings()
    parser.feed(body)
    items = [f'<li class="jm-toc-{tag}"><a href="#{_html.escape(hid, quote=True)}">'
             f"{_html.escape(text.strip())}</a></li>" for tag, hid, text in parser.found
             if text.strip() and hid not in ("report-parameters", "data-provenance",
                                              "recorded-figures", "software-versions")]
    return head + "<ol>" + "".join(items) + "</ol>" + body


def export_html(notebook, html_path: str | os.PathLike, *, static: bool = False) -> Path:
    """Export an executed report notebook to one self-contained HTML file.

    Parameters
    ----------
    notebook : path-like or nbformat.NotebookNode
        Executed notebook, ideally from :func:`jmtools.report.run_notebook` (its
        ``metadata.jmtools`` provides parameters, run date and versions).
    html_path : path-like
        Output file, written atomically.
    static : bool, default False
        SVG charts and no script (e-mail, PDF) instead of interactive Vega charts.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    import nbformat

    if isinstance(notebook, (str, os.PathLike)):
        name = Path(notebook).stem
        nb = nbformat.read(os.fspath(notebook), as_version=4)
    else:
        nb, name = notebook, "report"
    exporter = _classes()[1](static=static)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": name}})
    return atomic_write_text(html_path, body)
