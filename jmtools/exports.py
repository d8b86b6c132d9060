"""Export charts offline: PNG, SVG and PDF through vl-convert, and standalone interactive HTML.

Nothing here touches the network. Static formats are rendered by vl-convert's embedded
Vega engine; the HTML export inlines the Vega, Vega-Lite and Vega-Embed JavaScript from
``vl_convert.javascript_bundle()`` (no CDN), so the file opens on a machine with no internet.

The suffix of the output path picks the format (:data:`FORMATS`); :func:`save_chart` is the
one entry point the command line and notebooks use.
"""

from __future__ import annotations

import functools
import html
import json
from pathlib import Path
from typing import Any

from jmtools.errors import MissingDependencyError, ParameterError

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
def javascript_bundle() -> str:
    """Return the Vega + Vega-Lite + Vega-Embed JavaScript bundle (about 0.9 MB), cached.

    The first call takes a few seconds (vl-convert builds the bundle); later calls are free.
    The bundle defines the globals ``vegaEmbed``, ``vegaLite`` and ``vega``.
    """
    return _vl_convert().javascript_bundle()


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


def _script_json(value: Any) -> str:
    """JSON that is safe inside a <script> element (no closing tag, no HTML comment opener)."""
    text = json.dumps(value, ensure_ascii=False, allow_nan=False)
    return text.replace("</", "<\\/").replace("<!--", "<\\!--")


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
                        spec=_script_json(spec), options=_script_json(_EMBED_OPTIONS))


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
    from jmtools.errors import suggest

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
        raise ParameterError("scale", scale, expected="a number in (0, 10]")
