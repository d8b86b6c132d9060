"""Render charts offline: PNG, SVG and PDF through vl-convert, and standalone interactive HTML.

Nothing here touches the network. Static formats are rendered by vl-convert's embedded
Vega engine; the HTML export inlines the Vega, Vega-Lite and Vega-Embed JavaScript of
:func:`javascript_bundle` (no CDN), so the file opens on a machine with no internet.
Every page that embeds JSON or JavaScript in a ``<script>`` element — this module's
:func:`chart_to_html` and the report exporter :mod:`jmtools.report.html` — escapes it with
the one function :func:`script_json` and inlines the one :func:`javascript_bundle`.

The suffix of the output path picks the format (:data:`FORMATS`); :func:`save_chart` is the
one entry point the command line and notebooks use.
"""

from __future__ import annotations

import functools
import html
import json
import os
from pathlib import Path
from typing import Any

from jmtools.core.cachedir import cache_home
from jmtools.core.errors import MissingDependencyError, ParameterError, suggest

__all__ = [
    "FORMATS",
    "chart_spec",
    "chart_to_png",
    "chart_to_svg",
    "chart_to_pdf",
    "chart_to_html",
    "save_chart",
    "format_of",
    "javascript_bundle",
    "vega_lite_version",
    "script_json",
    "atomic_write_text",
]

#: File suffixes :func:`save_chart` understands, and the format each one picks.
FORMATS = {".png": "png", ".svg": "svg", ".pdf": "pdf", ".html": "html", ".htm": "html"}

#: Vega-Embed options of the HTML export: export buttons only, no links to online editors.
_EMBED_OPTIONS = {
    "renderer": "svg",
    "actions": {"export": True, "source": False, "compiled": False, "editor": False},
}


def _vl_convert():
    try:
        import vl_convert
    except ImportError as exc:  # pragma: no cover - vl-convert is a core dependency
        raise MissingDependencyError("vl-convert-python", "Exporting charts") from exc
    return vl_convert


def chart_spec(chart: Any) -> dict:
    """Return the Vega-Lite specification of ``chart`` as a plain dict.

    Parameters
    ----------
    chart : altair.TopLevelMixin or dict
        An Altair chart (anything with ``to_dict()``) or a Vega-Lite spec.

    Returns
    -------
    dict
        The Vega-Lite specification.

    Examples
    --------
    >>> chart_spec({"mark": "point"})
    {'mark': 'point'}
    """
    if isinstance(chart, dict):
        return chart
    if hasattr(chart, "to_dict"):
        return chart.to_dict()
    raise ParameterError("chart", type(chart).__name__,
                         expected="an Altair chart or a Vega-Lite spec (dict)")


def chart_to_png(chart: Any, *, scale: float = 2.0, ppi: float | None = None) -> bytes:
    """Render ``chart`` to PNG bytes offline.

    Parameters
    ----------
    chart : altair chart or dict
        What to render.
    scale : float, default 2
        Pixel density factor (2 gives sharp text on screens and in print).
    ppi : float, optional
        Pixels per inch written into the file (for print sizing).

    Returns
    -------
    bytes
        A PNG image.

    Examples
    --------
    >>> png = chart_to_png({"mark": "point", "data": {"values": [{"x": 1}]},
    ...                     "encoding": {"x": {"field": "x", "type": "quantitative"}}})
    >>> png[:4] == b"\\x89PNG"
    True
    """
    _check_scale(scale)
    vlc = _vl_convert()
    kwargs = {"ppi": ppi} if ppi else {}
    return vlc.vegalite_to_png(chart_spec(chart), scale=scale, **kwargs)


def chart_to_svg(chart: Any) -> str:
    """Render ``chart`` to an SVG document (text) offline.

    Examples
    --------
    >>> chart_to_svg({"mark": "point"}).startswith("<svg")
    True
    """
    return _vl_convert().vegalite_to_svg(chart_spec(chart))


def chart_to_pdf(chart: Any, *, scale: float = 1.0) -> bytes:
    """Render ``chart`` to PDF bytes offline (vector text and shapes).

    Examples
    --------
    >>> chart_to_pdf({"mark": "point"})[:5] == b"%PDF-"
    True
    """
    _check_scale(scale)
    return _vl_convert().vegalite_to_pdf(chart_spec(chart), scale=scale)


@functools.lru_cache(maxsize=1)
def vega_lite_version() -> str:
    """The Vega-Lite minor version Altair writes (``"6.4"``), as vl-convert names it.

    Read from Altair's installed files (the schema package its ``altair.vegalite`` imports)
    without importing Altair, which costs about a CPU-second in a process that draws
    nothing (the report runner writing a page); Altair itself is asked only when it is
    already imported or its files do not say.

    Examples
    --------
    >>> import altair as alt
    >>> vega_lite_version() == ".".join(alt.SCHEMA_VERSION.lstrip("v").split(".")[:2])
    True
    """
    import sys

    alt = sys.modules.get("altair")
    version = getattr(alt, "SCHEMA_VERSION", None) or _schema_version_on_disk()
    if version is None:
        import altair as alt

        version = alt.SCHEMA_VERSION
    return ".".join(version.lstrip("v").split(".")[:2])


def _schema_version_on_disk() -> str | None:
    """``SCHEMA_VERSION`` of the Vega-Lite schema package Altair uses, read from its source
    files (``altair/vegalite/__init__.py`` names it: ``from .v6 import *``); None when the
    files do not say."""
    import importlib.util
    import re

    try:
        spec = importlib.util.find_spec("altair")
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    root = Path(next(iter(spec.submodule_search_locations))) / "vegalite"
    try:
        major = re.search(r"^from \.(v\d+) import \*", (root / "__init__.py").read_text("utf-8"), re.M)
        if major is None:
            return None
        text = (root / major.group(1) / "schema" / "__init__.py").read_text("utf-8")
    except OSError:
        return None
    found = re.search(r"^SCHEMA_VERSION\s*=\s*[\"']([^\"']+)[\"']", text, re.M)
    return found.group(1) if found else None


@functools.lru_cache(maxsize=1)
def javascript_bundle() -> str:
    """Vega, Vega-Lite and Vega-Embed as one script (about 0.9 MB), safe to inline in a
    ``<script>`` element (``</script`` is written ``<\\/script``).

    The bundle defines the globals ``vegaEmbed``, ``vegaLite`` and ``vega``, for the
    Vega-Lite version Altair writes (:func:`vega_lite_version`). The first call in a
    machine takes seconds (vl-convert builds the bundle); the result is cached in memory and
    in ``~/.cache/jmtools`` (or ``$JMTOOLS_CACHE_DIR``), keyed by the vl-convert and
    Vega-Lite versions.
    """
    vlc = _vl_convert()
    vl = vega_lite_version()
    path = cache_home() / f"vega-bundle-{vlc.__version__}-vl{vl}.js"
    if path.exists():
        return path.read_text(encoding="utf-8")
    bundle = vlc.javascript_bundle(vl_version=vl).replace("</script", "<\\/script")
    try:
        atomic_write_text(path, bundle)
    except OSError:  # read-only home: keep the in-memory copy
        pass
    return bundle


#: What :func:`script_json` writes as a JSON escape instead of the character itself.
_SCRIPT_ESCAPES = {"<": "\\u003c", ">": "\\u003e", "&": "\\u0026", "\u2028": "\\u2028",
                   "\u2029": "\\u2029"}


def script_json(value: Any, *, allow_nan: bool = True) -> str:
    """JSON that is safe inside an HTML ``<script>`` element, whatever text it carries.

    ``<``, ``>`` and ``&`` are written as JSON escapes (``\\u003c``…), so no data can close
    the element (``</script>``), open an HTML comment (``<!--``) or look like markup; the
    line separators U+2028 and U+2029 are escaped too, so the text is also a valid
    JavaScript literal for older engines. The result parses back to the same value with
    ``JSON.parse`` and as a JavaScript expression.

    Parameters
    ----------
    value : any JSON-serialisable value
        What to embed.
    allow_nan : bool, default True
        False refuses NaN and infinities (``ValueError``) instead of writing them.

    Returns
    -------
    str
        Compact JSON (no spaces after separators), non-ASCII text kept as is.

    Examples
    --------
    >>> print(script_json({"title": "</script><!-- a & b"}))
    {"title":"\\u003c/script\\u003e\\u003c!-- a \\u0026 b"}
    >>> script_json(["\\u2028 \\u2029"])  # line separators
    '["\\\\u2028 \\\\u2029"]'
    """
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=allow_nan)
    for char, escape in _SCRIPT_ESCAPES.items():
        text = text.replace(char, escape)
    return text


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` to ``path`` through a temporary file and a rename.

    Readers never see a half-written file, and a failure leaves the old file intact.

    Examples
    --------
    >>> import tempfile, os
    >>> with tempfile.TemporaryDirectory() as d:
    ...     p = atomic_write_text(os.path.join(d, "a.html"), "<p>hi</p>")
    ...     p.read_text(), sorted(os.listdir(d))
    ('<p>hi</p>', ['a.html'])
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    finally:
        if tmp.exists():
            tmp.unlink()
    return path


_HTML = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="generator" content="jmtools">
<title>{title}</title>
<style>
body {{ font-family: "DejaVu Sans", "Liberation Sans", Arial, sans-serif; margin: 16px; color: #222; }}
#jmtools-chart {{ overflow: auto; }}
.jmtools-error {{ color: #b00020; white-space: pre-wrap; }}
</style>
<script>{bundle}</script>
</head>
<body>
<div id="jmtools-chart"></div>
<script>
(function () {{
  var spec = {spec};
  var options = {options};
  vegaEmbed("#jmtools-chart", spec, options).catch(function (err) {{
    var box = document.getElementById("jmtools-chart");
    box.className = "jmtools-error";
    box.textContent = "The chart could not be drawn: " + err;
  }});
}})();
</script>
</body>
</html>
"""

def chart_to_html(chart: Any, *, title: str = "jmtools chart") -> str:
    """Return a standalone interactive HTML page for ``chart`` that works offline.

    The Vega libraries are inlined (no CDN); tooltips, and any selection the chart declares,
    work in the browser. The page makes no network request.

    Parameters
    ----------
    chart : altair chart or dict
        What to show.
    title : str, default "jmtools chart"
        The page title.

    Returns
    -------
    str
        The HTML document (about 1 MB, mostly the inlined JavaScript).

    Examples
    --------
    >>> page = chart_to_html({"mark": "point"}, title="Demo")
    >>> "<title>Demo</title>" in page and "cdn.jsdelivr" not in page
    True
    """
    spec = chart_spec(chart)
    return _HTML.format(title=html.escape(title), bundle=javascript_bundle(),
                        spec=script_json(spec, allow_nan=False),
                        options=script_json(_EMBED_OPTIONS, allow_nan=False))


def save_chart(chart: Any, path: str | Path, *, scale: float = 2.0,
               title: str | None = None) -> Path:
    """Write ``chart`` to ``path``; the suffix picks the format (.png, .svg, .pdf, .html).

    Parameters
    ----------
    chart : altair chart or dict
        What to write.
    path : str or Path
        Output file; missing parent folders are created.
    scale : float, default 2
        Pixel density of PNG output (PDF and SVG are vector and ignore it).
    title : str, optional
        Page title of HTML output (default: the file name).

    Returns
    -------
    Path
        The written file.

    Raises
    ------
    ParameterError
        When the suffix is not one of :data:`FORMATS`.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "chart.svg"
    >>> save_chart({"mark": "point"}, out).read_text()[:4]
    '<svg'
    """
    path = Path(path)
    fmt = format_of(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    if fmt == "png":
        path.write_bytes(chart_to_png(chart, scale=scale))
    elif fmt == "pdf":
        path.write_bytes(chart_to_pdf(chart))
    elif fmt == "svg":
        path.write_text(chart_to_svg(chart), encoding="utf-8")
    else:
        path.write_text(chart_to_html(chart, title=title or path.stem), encoding="utf-8")
    return path


def format_of(path: str | Path) -> str:
    """Return the export format the suffix of ``path`` picks, or raise a clear error."""
    suffix = Path(path).suffix.lower()
    if suffix not in FORMATS:
        hint = suggest(suffix, list(FORMATS)) if suffix else None
        fix = (f"did you mean {hint!r}? " if hint else "") + \
            f"name the output like {Path(path).stem or 'map'}.png, .svg, .pdf or .html"
        raise ParameterError("output suffix", suffix or "(none)", expected=sorted(FORMATS),
                             fix=fix)
    return FORMATS[suffix]


def _check_scale(scale: float) -> None:
    if not isinstance(scale, (int, float)) or not 0 < scale <= 10:
        raise ParameterError("scale", scale, expected="a number in (0, 10]",
                             fix="2 is sharp on most screens; 4 for print")
