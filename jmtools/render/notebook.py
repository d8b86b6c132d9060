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
import sys

from jmtools.render._vega_cache import compiled_entry, keep_compiled, read_compiled
from jmtools.render.offline import _vl_convert, vega_lite_version

__all__ = ["RENDERER", "VEGA_MIMETYPE", "vega_mimebundle", "kept_output", "enable", "chart_title"]

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
