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
import re
import sys
import textwrap

from jmtools.charts.fit import FIT
from jmtools.render._vega_cache import compiled_entry, keep_compiled, read_compiled
from jmtools.render.offline import _vl_convert, vega_lite_version

__all__ = ["RENDERER", "VEGA_MIMETYPE", "FIT_CSS", "vega_mimebundle", "fitted", "kept_output", "enable",
           "chart_title"]

#: Name of the renderer in Altair's registry (``alt.renderers.enable("jmtools")``).
RENDERER = "jmtools"
#: The output type JupyterLab's built-in Vega renderer draws.
VEGA_MIMETYPE = "application/vnd.vega.v5+json"
#: Vega spec schema the front end's renderer expects (its major version is 5).
_VEGA5_SCHEMA = "https://vega.github.io/schema/vega/v5.json"
#: The page rule that lets such a chart measure its output. JupyterLab's Vega renderer puts each
#: chart in an inline block as wide as the chart, so the chart's "container" is only ever as
#: wide as the chart itself; this makes the block of a chart sized to fit (Vega's ``fit-x``) as
#: wide as its output. The kit's HTML outputs carry it (:func:`jmtools.report.present.html_table`);
#: without it (an untrusted notebook, whose styles JupyterLab removes) a chart keeps its width.
FIT_CSS = ".jp-RenderedVegaCommon5 > .vega-embed:has(> .chart-wrapper.fit-x) {display: block}"
#: The narrowest a fitted chart is drawn (px); an output narrower than this scrolls.
_FIT_MIN = 300
#: A fitted chart's title and subtitle are broken into lines of this many characters when it is
#: drawn narrower than its own width (Vega does not wrap them; one line ran off the chart).
_FIT_CHARS = 44
#: How often (ms) a fitted chart reads its output's width: JupyterLab fires no window event when
#: a side panel opens or the notebook's panel is dragged narrower.
_FIT_EVERY = 500


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
    spec = json.loads(spec_json)
    vg = _vl_convert().vegalite_to_vega(spec, vl_version=vega_lite_version())
    vg["$schema"] = _VEGA5_SCHEMA
    if (spec.get("usermeta") or {}).get(FIT):
        vg = fitted(vg)
    compiled = json.dumps(vg)
    if entry is not None:
        keep_compiled(entry, spec_json, compiled)
    return compiled


def fitted(vg: dict) -> dict:
    """A compiled Vega spec drawn no wider than its output: the width it has on its own (read
    from a drawing by vl-convert) where the output is at least that wide, else the output's
    width (at least 300 px), the plot narrowed so that axes, legends and text keep their sizes
    (Vega's ``fit-x``), the title and subtitle broken into lines. A spec without a set width is
    returned as it is.

    The output's width is read when the chart is drawn, when the window changes size and every
    half second (a side panel opening changes the output's width without a window event); the
    chart is laid out again only when it has changed.

    Examples
    --------
    >>> vg = {"width": 200, "height": 50, "padding": 5, "marks": [{"type": "rect", "encode": {"enter": {
    ...     "x": {"value": 0}, "width": {"signal": "width"}, "height": {"value": 50}}}}]}
    >>> out = fitted(vg)
    >>> "width" in out, out["autosize"], out["signals"][1]["update"]
    (False, {'type': 'fit-x', 'contains': 'padding', 'resize': True}, 'jm_output > 0 ? clamp(jm_output, 210, 210) : 210')
    >>> titled = fitted(dict(vg, title={"text": "T", "subtitle": "a long subtitle " * 4}))["title"]
    >>> titled["text"], titled["subtitle"]["signal"][:88]
    ('T', 'jm_output > 0 && jm_output < 318 ? ["a long subtitle a long subtitle a long", "subtitle ')
    >>> fitted({"marks": []}) == {"marks": []}
    True
    """
    if not isinstance(vg.get("width"), (int, float)) or any(s.get("name") == "width" for s in vg.get("signals", [])):
        return vg
    own = _vl_convert().vega_to_svg(vg)
    natural = float(re.search(r'<svg[^>]*\swidth="([0-9.]+)"', own).group(1))
    narrowest = min(_FIT_MIN, natural)
    measure = "containerSize()[0]"
    out = {k: v for k, v in vg.items() if k != "width"}
    out["autosize"] = {"type": "fit-x", "contains": "padding", "resize": True}
    out["signals"] = [
        {"name": "jm_output", "init": measure,
         "on": [{"events": [{"source": "window", "type": "resize"}, {"type": "timer", "throttle": _FIT_EVERY}],
                 "update": measure}]},
        {"name": "width", "update": f"jm_output > 0 ? clamp(jm_output, {narrowest:g}, {natural:g}) : {natural:g}"},
        *vg.get("signals", [])]
    narrower = f"jm_output > 0 && jm_output < {natural:g}"
    if isinstance(vg.get("title"), dict):
        out["title"] = dict(vg["title"])
        for key in ("text", "subtitle"):
            text = vg["title"].get(key)
            lines = textwrap.wrap(text, _FIT_CHARS) if isinstance(text, str) else []
            if len(lines) > 1:
                out["title"][key] = {"signal": f"{narrower} ? {json.dumps(lines)} : {json.dumps(text)}"}
    return out


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
    return _bundle(spec, text, _compile(text))


def _bundle(spec: dict, text: str, compiled: str) -> dict:
    return {VEGA_MIMETYPE: json.loads(compiled),
            _vegalite_mimetype(): json.loads(text),
            "text/plain": f"<chart: {chart_title(spec)}>" if chart_title(spec) else "<chart>"}


def kept_output(obj) -> dict | None:
    """The notebook output of an Altair chart whose compiled spec a report's kernel keeps, read
    back without validating the spec again; None for anything else (then show ``obj`` as usual).

    Altair validates a chart's whole spec each time it is shown (decision D35). A kept file
    was written by :func:`vega_mimebundle`, which Altair calls as this renderer only after
    that validation passed, and it is named by the SHA-256 of the spec's JSON text; Altair's
    version fixes the schema, and the Vega-Lite version is part of the entry's key. So when
    the spec built *without* validation is found there, it is byte for byte a spec that
    validated (and compiled) before, and the output is the one :func:`vega_mimebundle` would
    give. A spec that is not kept — new, changed, or one that fails validation (never kept) —
    gives None: shown as usual, it is validated (an invalid one is refused as before), compiled
    and kept. Only while this renderer is active, in a kernel that keeps compiled charts
    (:mod:`jmtools.render._vega_cache`).

    Examples
    --------
    >>> import os, tempfile
    >>> import altair as alt
    >>> _ = enable(force=True)
    >>> os.environ["JMTOOLS_EVIDENCE_CACHE"] = tempfile.mkdtemp()
    >>> compiled_entry(vega_lite_version()).mkdir()     # an earlier report kept charts here
    >>> chart = alt.Chart(alt.Data(values=[{"a": 2}]), title="Kept").mark_bar().encode(x="a:Q")
    >>> kept_output(chart) is None                      # not compiled yet
    True
    >>> shown = chart._repr_mimebundle_()               # validated, compiled and kept
    >>> kept_output(chart) == shown, kept_output("text") is None
    (True, True)
    >>> _ = os.environ.pop("JMTOOLS_EVIDENCE_CACHE"), alt.renderers.enable("default")
    """
    alt = sys.modules.get("altair")
    if alt is None or not isinstance(obj, alt.TopLevelMixin) or alt.renderers.active != RENDERER:
        return None
    entry = compiled_entry(vega_lite_version())
    if entry is None or not _had_charts(entry):
        return None
    spec = obj.to_dict(validate=False, context={"pre_transform": False})  # as _repr_mimebundle_, unvalidated
    text = json.dumps(spec, sort_keys=True, default=str)
    kept = read_compiled(entry, text)
    return None if kept is None else _bundle(spec, text, kept)


@functools.lru_cache(maxsize=8)
def _had_charts(entry) -> bool:
    """Whether ``entry`` existed when this process first asked. A kernel that found none (a
    first report, an emptied cache) shows only charts it compiles itself: it does not build
    each chart's spec twice (once unvalidated, to look it up) for nothing."""
    return entry.is_dir()


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
