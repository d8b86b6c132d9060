"""Self-contained offline HTML for executed report notebooks.

Two variants of one report:

- **interactive** — charts drawn in the browser by Vega, whose JavaScript bundle
  (:func:`jmtools.render.offline.javascript_bundle`) is inlined once per file; no CDN
  tag, no network request, code hidden; the chart specs are embedded with
  :func:`jmtools.render.offline.script_json`, the one escaping of the package;
- **static** — every chart converted to an inline PNG image by vl-convert and no script
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
from pathlib import Path

from jmtools.render.notebook import chart_title
from jmtools.render.offline import (atomic_write_text, javascript_bundle, script_json,
                                    vega_lite_version)
from jmtools.report._contents import one_curve_heading, with_contents
from jmtools.report.previous import fill_previous
from jmtools.report.record import RECORD_MIMETYPE, figure_table, read_records

__all__ = [
    "TEMPLATE_DIR",
    "export_html",
    "chart_spec",
    "ReportHTMLExporter",
    "ChartPreprocessor",
    "atomic_write_text",
    "prepare_exporter",
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


def _png(spec: dict, label: str) -> str:
    """The chart as an inline PNG ``<img>`` at twice its size (sharp on phones and paper).

    Mail clients strip inline SVG (Gmail, Outlook): the static variant uses images (see
    ``docs/reports.md``). ``width`` is the chart's own size, so text keeps its size where
    there is room.
    """
    import base64
    import struct

    import vl_convert as vlc

    png = vlc.vegalite_to_png(spec, vl_version=vega_lite_version(), scale=2)
    width, height = struct.unpack(">II", png[16:24])  # the PNG header (IHDR)
    data = base64.b64encode(png).decode("ascii")
    return (f'<img src="data:image/png;base64,{data}" width="{width // 2}" height="{height // 2}" '
            f'alt="{label}">')


def _map_shape(spec: dict) -> str:
    """``"wide"`` (printed on a landscape page) or ``"tall"`` (portrait): the page that shows
    the journey map largest.

    Examples
    --------
    >>> _map_shape({"width": 1300, "height": 900}), _map_shape({"width": 1000, "height": 1900})
    ('wide', 'tall')
    """
    width, height = spec.get("width"), spec.get("height")
    if isinstance(width, (int, float)) and isinstance(height, (int, float)) and height > 0.8 * width:
        return "tall"
    return "wide"


_MULTI = ("facet", "concat", "hconcat", "vconcat", "repeat")


def _fits(spec: dict) -> bool:
    """True when a chart can take its container's width: one view or layers (no panels), of a
    set width or of the theme's (none set: the notebooks' charts leave it to the theme, report
    00's set it). A chart as wide as its categories (``{"step": n}``) keeps its width: narrower,
    its column labels and cell texts run into each other; its box scrolls, as the map's does.

    Examples
    --------
    >>> _fits({"width": 420, "mark": "bar"}), _fits({"mark": "bar"}), _fits({"width": {"step": 30}})
    (True, True, False)
    >>> _fits({"vconcat": [{"width": 420}]}), _fits({"mark": "bar", "encoding": {"row": {"field": "p"}}})
    (False, False)
    """
    return (isinstance(spec.get("width", 0), (int, float))
            and not any(k in spec for k in _MULTI) and not _faceted(spec)
            and (spec.get("usermeta") or {}).get("jmtools") != "journey-map")


def _faceted(spec: dict) -> bool:
    """True when a view or one of its layers splits into panels by an encoding channel."""
    views = [spec, *(v for v in spec.get("layer") or [] if isinstance(v, dict))]
    return any(c in (v.get("encoding") or {}) for v in views for c in ("row", "column", "facet"))


def _for_container(spec: dict) -> dict:
    """The spec drawn at its container's width (Vega-Lite ``width: "container"``), down to a
    360 px phone: text keeps its size, the plot narrows; legends go under the plot, one above
    the other, and the title is left to the page (:func:`_heading`), where it wraps.

    Examples
    --------
    >>> out = _for_container({"width": 420, "title": "T", "config": {"legend": {"orient": "right"}}})
    >>> out["width"], "title" in out, out["description"], out["config"]["legend"]["orient"]
    ('container', False, 'T', 'bottom')
    """
    out = dict(_legends_below(spec), width="container", autosize={"type": "fit-x", "contains": "padding"})
    return _title_to_description(out)


#: Width (CSS px) of a static chart that can take any width: a 390 px phone shows the image at
#: its own size, so its 11 px text stays 11 px (D255); on a desk it is a column of a mail.
STATIC_WIDTH = 340


def _for_phone(spec: dict) -> dict:
    """The spec of a static (image) chart: :data:`STATIC_WIDTH` wide with everything in it,
    legends under the plot, the title left to the page (:func:`_heading`), where it wraps.

    Examples
    --------
    >>> out = _for_phone({"width": 620, "title": "T", "config": {"legend": {"orient": "right"}}})
    >>> out["width"], out["autosize"]["contains"], "title" in out, out["config"]["legend"]["orient"]
    (340, 'padding', False, 'bottom')
    """
    out = dict(_legends_below(spec), width=STATIC_WIDTH, autosize={"type": "fit-x", "contains": "padding"})
    return _title_to_description(out)


def _title_to_description(spec: dict) -> dict:
    """The spec without the title it no longer draws; the title stays as its ``description``
    (what assistive technology reads for the chart, and what tools find it by)."""
    out = dict(spec)
    title = chart_title(out)
    out.pop("title", None)
    if title:
        out["description"] = title
    return out


def _legends_below(spec: dict) -> dict:
    config = dict(spec.get("config") or {})
    config["legend"] = dict(config.get("legend") or {}, orient="bottom", columns=1,
                            layout={"bottom": {"direction": "vertical", "anchor": "start"}})
    return dict(spec, config=config)


def _panels(spec: dict) -> bool:
    """True for panels of a set width: small multiples (``concat`` with ``columns``, or a
    ``facet``) or panels one above the other (``vconcat``). The page sets how many columns fit,
    and narrows the panels on a phone (the template's script). Panels side by side
    (``hconcat``) keep their widths: their rows line up only side by side; their box scrolls.

    Examples
    --------
    >>> _panels({"vconcat": [{"width": 420}, {"width": 420}]}), _panels({"facet": {}, "spec": {"width": 220}})
    (True, True)
    >>> _panels({"concat": [{"width": 330}]}), _panels({"hconcat": [{"width": 180}, {"width": 280}]})
    (False, False)
    """
    for key in ("concat", "vconcat"):
        panels = spec.get(key)
        if isinstance(panels, list) and panels:
            return ((key != "concat" or isinstance(spec.get("columns"), int)) and all(
                isinstance(p, dict) and isinstance(p.get("width"), (int, float)) for p in panels))
    inner = spec.get("spec")
    return ("facet" in spec and "hconcat" not in spec and isinstance(inner, dict)
            and isinstance(inner.get("width"), (int, float)))


def _for_panels(spec: dict) -> dict:
    return _title_to_description(_legends_below(spec))


def _caption_of(spec: dict) -> str:
    return str((spec.get("usermeta") or {}).get("caption") or "")


def _without_subtitle(spec: dict) -> dict:
    """A captioned chart's spec without its subtitle: the caption explains the encoding once."""
    title = spec.get("title")
    if not isinstance(title, dict) or "subtitle" not in title:
        return spec
    return dict(spec, title={k: v for k, v in title.items() if k != "subtitle"})


def _heading(spec: dict) -> str:
    """The chart's title (and subtitle) as HTML above it: page text wraps on a phone, a
    chart's title does not.

    Examples
    --------
    >>> _heading({"title": {"text": "A <b>", "subtitle": ["one", "two"]}})
    '<p class="jm-chart-title">A &lt;b&gt;</p><p class="jm-chart-subtitle">one two</p>'
    """
    title = spec.get("title")
    text, sub = (title.get("text"), title.get("subtitle")) if isinstance(title, dict) else (title, None)
    parts = []
    for cls, value in (("jm-chart-title", text), ("jm-chart-subtitle", sub)):
        value = " ".join(map(str, value)) if isinstance(value, (list, tuple)) else value
        if value:
            parts.append(f'<p class="{cls}">{_html.escape(str(value))}</p>')
    return "".join(parts)


def _title_of(spec: dict) -> str:
    return chart_title(spec) or str(spec.get("description") or "chart")


def _make_preprocessor():
    from nbconvert.preprocessors import Preprocessor

    from traitlets import Bool

    class ChartPreprocessor(Preprocessor):
        """Replace chart outputs by offline-ready HTML and drop what readers need not see.

        Interactive: a ``<div id="jm-chart-N">`` placeholder per chart; the specs go to
        ``resources["jmtools_specs"]`` and are drawn by the inlined Vega bundle.
        Static: inline PNG. Record outputs and live widgets (they need a kernel) are removed;
        stderr streams are removed and counted in ``resources["jmtools_warnings"]``.
        """

        static = Bool(False, help="convert charts to inline PNG images instead of Vega placeholders"
                      ).tag(config=True)

        def preprocess(self, nb, resources):
            resources["jmtools_specs"], resources["jmtools_warnings"] = [], 0
            records = read_records(nb)
            one_curve_heading(nb)         # an older copy of notebook 00: the curve's heading once (D210)
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
                if spec is not None and self.static and (spec.get("usermeta") or {}).get("print"):
                    continue  # the tall map's parts for paper: the PDF is printed from the interactive file
                if spec is not None:
                    out = self._chart_output(out, spec, resources)
                kept.append(out)
            cell.outputs = kept
            return cell, resources

        def _chart_output(self, out, spec, resources):
            from nbformat import NotebookNode

            label = _html.escape(_title_of(spec), quote=True)
            is_map = (spec.get("usermeta") or {}).get("jmtools") == "journey-map"
            frame = f"jm-chart-frame jm-map-frame jm-map-{_map_shape(spec)}" if is_map else "jm-chart-frame"
            caption = _caption_of(spec)
            if caption and not is_map:  # the map's subtitle names its owner and version: it stays
                spec = _without_subtitle(spec)
            heading = ""
            if self.static:
                fits, panels = _fits(spec), _panels(spec)
                heading = _heading(spec) if fits or panels else ""
                drawn = _for_phone(spec) if fits else _for_panels(spec) if panels else spec
                body = f'<div class="jm-chart jm-chart-static" role="img" aria-label="{label}">' \
                       f"{_png(drawn, label)}</div>"
            else:
                i = len(resources["jmtools_specs"])
                fits, panels = _fits(spec), _panels(spec)
                heading = _heading(spec) if fits or panels else ""
                resources["jmtools_specs"].append(_for_container(spec) if fits else
                                                  _for_panels(spec) if panels else spec)
                fit = ' data-fit="container"' if fits else ' data-fit="panels"' if panels else ""
                body = f'<div class="jm-chart" id="jm-chart-{i}" role="img" aria-label="{label}"{fit}>' \
                       "</div>"
            body = f'<div class="{frame}">{body}</div>'
            note = f'<figcaption class="jm-caption">{_html.escape(caption)}</figcaption>' if caption else ""
            map_cls = " jm-map-figure" if is_map else ""
            hidden = ""
            if is_map and (spec.get("usermeta") or {}).get("print"):  # a part of a tall map, for paper
                map_cls, hidden = map_cls + " jm-map-print", ' style="display:none" aria-hidden="true"'
            body = f'<figure class="jm-figure{map_cls}"{hidden}>{heading}{body}{note}</figure>'
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
        static = Bool(False, help="static variant: PNG charts, no script").tag(config=True)

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
            return _inlined(with_contents(html), resources.get("jmtools_inline", {})), resources

    return chart_pre, ReportHTMLExporter


def prepare_exporter():
    """Import nbconvert and build the report exporter in a background thread; returns the thread.

    A report's process waits on its kernel for most of a run; the exporter's imports (about a
    third of a second of CPU) can use that wait instead of following it. Join the thread
    before :func:`export_html` (which would otherwise build the classes itself: the result is
    the same either way).

    Examples
    --------
    >>> warming = prepare_exporter()
    >>> warming.join()
    >>> _classes()[1].__name__
    'ReportHTMLExporter'
    """
    import threading

    thread = threading.Thread(target=_classes_or_later, name="jmtools-exporter-import", daemon=True)
    thread.start()
    return thread


def _classes_or_later():
    try:
        _classes()
    except Exception:   # noqa: BLE001 - export_html meets the same error and reports it
        pass


#: Parameters a batch sets for its own bookkeeping: listed under "About this report", not in
#: the header line, which says what the analyst chose.
_PLUMBING = {"history_dir"}


def _help_for(text: str, data_dir: str) -> str:
    """A parameter's meaning as the report states it: a bundled sample's examples, in brackets,
    only in a report on that sample (a report on an insurer's data lists no sample personas).

    Examples
    --------
    >>> h = 'one of the personas (sample:ecommerce: "Budget Ben", "Weekend Walter")'
    >>> _help_for(h, "/data/insurer"), _help_for(h, "sample:ecommerce") == h
    ('one of the personas', True)
    """
    return re.sub(r"\s*\((sample:[\w-]+): [^()]*\)", lambda m: m.group(0) if m.group(1) == data_dir else "", text)


def _report_context(nb, records: dict, resources, *, static: bool) -> dict:
    meta = nb.metadata.get("jmtools", {})
    specs = resources.get("jmtools_specs", [])
    nonce = secrets.token_urlsafe(16)
    declared = meta.get("declared", {})
    injected = set(meta.get("injected", []))
    pairs = _pairs(meta.get("parameters", []))
    world = next((str(v) for k, v in pairs if k == "data_dir"), "")
    params = [{"name": k, "value": _show(v), "help": _help_for(declared.get(k, {}).get("help", ""), world),
               "injected": k in injected} for k, v in pairs]
    sources = [dict(s, rows_text="–" if s.get("rows") is None else f"{s['rows']:,}",
                    bytes_text=f"{s.get('bytes', 0):,}") for s in records["sources"]]
    return {
        "csp": _csp(nonce if specs and not static else None),
        "nonce": nonce,
        "variant_label": "static (for e-mail and print)" if static else "interactive, works offline",
        "paper_label": "printed copy; the HTML file has the full report",   # paper has no interaction
        "run_date": _run_date(meta.get("started")),
        "duration": f"{meta.get('duration_s', 0):.1f} s",
        "notebook": os.path.basename(meta.get("source", resources.get("metadata", {}).get("name", ""))),
        "parameters": params,
        "parameter_line": ", ".join(f"{p['name']} = {_short_path(p['name'], p['value'])}"
                                    for p in params if p["injected"] and p["name"] not in _PLUMBING),
        "sources": sources,
        "figures": figure_table(records),
        "versions": meta.get("versions", {}),
        "warnings": resources.get("jmtools_warnings", 0),
        "specs_json": _inline(resources, "specs", script_json(specs)) if specs and not static else "",
        "vega_bundle": _inline(resources, "bundle", javascript_bundle()) if specs and not static else "",
        "css": (Path(__file__).parent / "templates" / "report.css").read_text(encoding="utf-8"),
    }


def _inline(resources, name: str, text: str) -> str:
    """A marker the template writes where ``text`` goes; :func:`_inlined` puts ``text`` there
    once the page is rendered, so that the Vega bundle and the chart specs (most of a report's
    megabyte) are not parsed again by nbconvert's HTML clean-up and the contents builder — they
    are script text, which both leave as it is."""
    marker = f"jm-inline-{name}-{secrets.token_hex(16)}"
    resources.setdefault("jmtools_inline", {})[marker] = text
    return marker


def _inlined(html: str, texts: dict) -> str:
    """``html`` with each marker of :func:`_inline` replaced by its text.

    Examples
    --------
    >>> res = {}
    >>> page = f"<script>{_inline(res, 'bundle', 'var a = 1 < 2;')}</script>"
    >>> _inlined(page, res["jmtools_inline"])
    '<script>var a = 1 < 2;</script>'
    """
    for marker, text in texts.items():
        html = html.replace(marker, text)
    return html


def _pairs(params) -> list:
    return list(params.items()) if isinstance(params, dict) else [tuple(p) for p in params]


def _show(value) -> str:
    if value is None:
        return "(not set)"
    return value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)


def _short_path(name: str, value: str) -> str:
    """A path parameter as the reader's header shows it: the folder or file name, not the
    analyst's local absolute path (the appendix keeps the full value).

    Examples
    --------
    >>> _short_path("data_dir", "/home/ana/work/data/ecommerce"), _short_path("persona", "Ben")
    ('ecommerce', 'Ben')
    """
    if name.endswith(("_dir", "_file", "_path")) and os.path.isabs(value):
        return Path(value).name or value
    return value


def _run_date(iso: str | None) -> str:
    if not iso:
        return "unknown date"
    return iso.replace("T", " ").replace("+00:00", " UTC")


def _csp(nonce: str | None) -> str:
    script = f"'nonce-{nonce}' 'unsafe-eval'" if nonce else "'none'"
    return ("default-src 'none'; img-src data:; font-src data:; style-src 'unsafe-inline'; "
            f"script-src {script}; connect-src 'none'; base-uri 'none'; form-action 'none'")


def _charts_as_text(nb):
    """``nb`` with each chart output reduced to its Vega-Lite spec as JSON text (``nb`` itself
    is not changed; what is not a chart is shared).

    nbconvert deep-copies the notebook three times before its preprocessors run (the export,
    the preprocessing, nbformat's normalisation) and validates it after each preprocessor; a
    report's charts — the compiled Vega and the Vega-Lite spec of each, as nested dicts — are
    most of that work, and :class:`ChartPreprocessor` replaces each chart output by reading
    only its Vega-Lite spec (:func:`chart_spec` reads it from the text the same). Text is
    copied and validated as one value. The page is the same byte for byte.

    Examples
    --------
    >>> import nbformat
    >>> out = nbformat.v4.new_output("display_data", data={
    ...     "application/vnd.vega.v5+json": {"marks": []},
    ...     "application/vnd.vegalite.v6+json": {"mark": "bar"}, "text/plain": "<chart>"})
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("chart", outputs=[out])])
    >>> _charts_as_text(nb).cells[0].outputs[0].data, chart_spec(nb.cells[0].outputs[0])
    ({'application/vnd.vegalite.v6+json': '{"mark": "bar"}'}, {'mark': 'bar'})
    """
    from nbformat import NotebookNode

    cells = []
    for cell in nb.cells:
        outputs = [_chart_as_text(out) for out in cell.get("outputs", [])]
        if any(a is not b for a, b in zip(outputs, cell.get("outputs", []))):
            cell = NotebookNode({**cell, "outputs": outputs})
        cells.append(cell)
    return NotebookNode({**nb, "cells": cells})


def _chart_as_text(out):
    from nbformat import NotebookNode

    for mime, value in (out.get("data") or {}).items():
        if _VL_MIME.fullmatch(mime) and not isinstance(value, str):
            return NotebookNode({**out, "data": NotebookNode({mime: json.dumps(value)})})
    return out


def export_html(notebook, html_path: str | os.PathLike, *, static: bool = False,
                previous: dict | None = None) -> Path:
    """Export an executed report notebook to one self-contained HTML file.

    Parameters
    ----------
    notebook : path-like or nbformat.NotebookNode
        Executed notebook, ideally from :func:`jmtools.report.run_notebook` (its
        ``metadata.jmtools`` provides parameters, run date and versions).
    html_path : path-like
        Output file, written atomically.
    static : bool, default False
        Charts as inline PNG images and no script (e-mail) instead of interactive Vega charts.
    previous : dict, optional
        Key figures of the previous run of this report (name → ``{"value", ...}``, as the
        batch history keeps them): the headline compares with them.

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
    nb = _charts_as_text(nb)
    exporter = _classes()[1](static=static)
    body, _ = exporter.from_notebook_node(nb, resources={"metadata": {"name": name}})
    body = fill_previous(body, read_records(nb)["figures"], previous)
    return atomic_write_text(html_path, body)
