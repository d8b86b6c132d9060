"""Charts in live notebooks, offline: the ``jmtools`` Altair renderer.

Altair's default notebook output loads Vega from a CDN, so with no internet no chart appears
in JupyterLab, and with internet the notebook contacts a third party. JupyterLab (and Jupyter
Notebook 7, which shares its renderers) ships its own Vega 5 renderer for the
``application/vnd.vega.v5+json`` output type. This renderer compiles each Vega-Lite chart to a
Vega spec with vl-convert, on this machine, and hands that spec to the front end's bundled
renderer: nothing is downloaded, nothing leaves the machine, and the notebook file stores one
small spec per chart instead of a JavaScript bundle. In the kernels of ``jmtools report`` and
``jmtools batch`` a compiled spec is kept in the evidence cache folder and read back by the
next report that draws the same chart (:mod:`jmtools.render._vega_cache`).

The same output also carries the Vega-Lite spec, which the report exporter
(:mod:`jmtools.report.html`) reads to draw the offline report, and a text line for front ends
that draw neither. The choice between this, Altair's JupyterChart widget and an inlined
bundle is decision D7 in ``docs/decisions.md``.

The renderer is registered with Altair through an entry point; :func:`enable` (or
``%load_ext jmtools``, or importing any jmtools chart module) switches it on.
"""

from __future__ import annotations

import functools
import json

from jmtools.render._vega_cache import compiled_entry, keep_compiled, read_compiled
from jmtools.render.offline import _vl_convert, vega_lite_version

__all__ = ["RENDERER", "VEGA_MIMETYPE", "vega_mimebundle", "enable", "chart_title"]

#: Name of the renderer in Altair's registry (``alt.renderers.enable("jmtools")``).
RENDERER = "jmtools"
#: The output type JupyterLab's built-in Vega renderer draws.
VEGA_MIMETYPE = "application/vnd.vega.v5+json"
#: Vega spec schema the front end's renderer expects (its major version is 5).
_VEGA5_SCHEMA = "https://vega.github.io/schema/vega/v5.json"


def _vegalite_mimetype() -> str:
    import altair as alt

    return f"application/vnd.vegalite.{alt.SCHEMA_VERSION.split('.')[0]}+json"


@functools.lru_cache(maxsize=256)
def _compile(spec_json: str) -> str:
    """The Vega spec of a Vega-Lite spec's JSON text; in a report's kernel, read from the
    evidence cache folder when an earlier report compiled the same spec (:mod:`._vega_cache`)."""
    entry = compiled_entry(vega_lite_version())
    kept = read_compiled(entry, spec_json) if entry is not None else None
    if kept is not None:
        return kept
    vg = _vl_convert().vegalite_to_vega(json.loads(spec_json), vl_version=vega_lite_version())
    vg["$schema"] = _VEGA5_SCHEMA
    compiled = json.dumps(vg)
    if entry is not None:
        keep_compiled(entry, spec_json, compiled)
    return compiled


def chart_title(spec: dict) -> str:
    """The title of a Vega-Lite spec as one line of text ('' when it has none).

    Examples
    --------
    >>> chart_title({"title": {"text": ["Reach", "per stage"]}}), chart_title({"mark": "bar"})
    ('Reach per stage', '')
    """
    title = spec.get("title")
    if isinstance(title, dict):
        title = title.get("text")
    if isinstance(title, list):
        title = " ".join(map(str, title))
    return str(title or "")


def vega_mimebundle(spec: dict, **metadata) -> dict:
    """The notebook output of one chart: a compiled Vega spec, the Vega-Lite spec and a label.

    Altair calls this with the chart's Vega-Lite dict when a chart is displayed and the
    ``jmtools`` renderer is active.

    Parameters
    ----------
    spec : dict
        A Vega-Lite specification (``chart.to_dict()``).
    **metadata
        Ignored; Altair passes embed options here.

    Returns
    -------
    dict
        ``{"application/vnd.vega.v5+json": …, "application/vnd.vegalite.v6+json": …,
        "text/plain": …}``.

    Examples
    --------
    >>> import altair as alt
    >>> chart = alt.Chart(alt.Data(values=[{"a": 1}]), title="One bar").mark_bar().encode(x="a:Q")
    >>> bundle = vega_mimebundle(chart.to_dict())
    >>> sorted(bundle)
    ['application/vnd.vega.v5+json', 'application/vnd.vegalite.v6+json', 'text/plain']
    >>> bundle["text/plain"], bundle[VEGA_MIMETYPE]["marks"][0]["type"]
    ('<chart: One bar>', 'rect')
    """
    text = json.dumps(spec, sort_keys=True, default=str)
    return {VEGA_MIMETYPE: json.loads(_compile(text)),
            _vegalite_mimetype(): json.loads(text),
            "text/plain": f"<chart: {chart_title(spec)}>" if chart_title(spec) else "<chart>"}


def enable(*, force: bool = False) -> bool:
    """Make ``jmtools`` the active Altair renderer (and the jmtools theme the active theme).

    A renderer the user chose (anything but Altair's ``default``) is kept unless ``force``.

    Parameters
    ----------
    force : bool
        Replace a renderer the user enabled.

    Returns
    -------
    bool
        True when the jmtools renderer is active afterwards.

    Examples
    --------
    >>> import altair as alt
    >>> enable(force=True)
    True
    >>> alt.renderers.active
    'jmtools'
    >>> _ = alt.renderers.enable("default")
    """
    import altair as alt

    if RENDERER not in alt.renderers.names():
        alt.renderers.register(RENDERER, vega_mimebundle)
    if force or alt.renderers.active in ("default", RENDERER):
        alt.renderers.enable(RENDERER)
    return alt.renderers.active == RENDERER
