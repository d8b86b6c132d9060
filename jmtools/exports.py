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

from jmtools.core.errors import MissingDependencyError, ParameterError

__all__ = [
    "FORMATS",
    "chart_spec",
    "chart_to_png",
    "chart_to_svg",
    "chart_to_pdf",
    "chart_to_html",
    "save_chart",
    "format_of",
    "add_map_command",
    "run_map_command",
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
    from jmtools.core.errors import suggest

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


# ------------------------------------------------------------------ the `map` command
def add_map_command(sub) -> None:
    """Register ``jmtools map`` on the sub-parsers of :func:`jmtools.cli.main.build_parser`."""
    import argparse

    p = sub.add_parser(
        "map", help="draw the journey map (PNG, SVG, PDF, HTML) or export/import its workbook",
        description="Draw the journey-map canvas of JOURNEY into OUT; the suffix of OUT picks "
                    "the format: .png .svg .pdf .html (interactive, offline) or .xlsx (an Excel "
                    "workbook to edit in a workshop). With --import, read an edited workbook "
                    "back into the journey file OUT and list what changed.",
        epilog="examples:\n  jmtools map journey.yaml -o map.png --persona 'Budget Ben'\n"
               "  jmtools map journey.yaml -o map.html --data data/ --lanes goal,actions,emotion\n"
               "  jmtools map journey.yaml -o map.xlsx\n"
               "  jmtools map --import map.xlsx -o journey.yaml",
        formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("journey", nargs="?", metavar="JOURNEY", help="journey YAML file")
    p.add_argument("-o", "--output", required=True, metavar="OUT",
                   help="output file (.png .svg .pdf .html .xlsx; with --import: .yaml)")
    p.add_argument("--persona", action="append", metavar="NAME",
                   help="draw the map for this persona; repeat to compare personas on one map "
                        "(default: every persona)")
    p.add_argument("--lanes", metavar="LANE,LANE",
                   help="lanes to draw, in this order (default: every lane with content); "
                        "choose from " + ", ".join(_lane_names()))
    p.add_argument("--data", metavar="FOLDER",
                   help="data folder (events, customers, surveys, feedback…): adds the measured "
                        "emotion curve and stage KPIs with n and 95%% intervals")
    p.add_argument("--empathy", action="store_true",
                   help="draw the empathy map (says, thinks, does, feels) of one --persona "
                        "instead; with --data, 'says' quotes the newest feedback (masked)")
    p.add_argument("--stage", metavar="NAME", help="with --empathy: one stage (default: all)")
    p.add_argument("--scale", type=float, default=2.0, help="PNG pixel density (default 2)")
    p.add_argument("--import", dest="workbook", metavar="WORKBOOK",
                   help="read an edited workbook (.xlsx) back into the journey file OUT")
    p.add_argument("--dry-run", action="store_true",
                   help="with --import: report the changes without writing OUT")
    p.set_defaults(handler=run_map_command)


def _lane_names() -> list[str]:
    from jmtools.canvas import MAP_LANES

    return list(MAP_LANES)


def run_map_command(args) -> int:
    """Handler of ``jmtools map``: returns the exit code (0 ok, 1 bad input, 2 bad usage)."""
    import sys

    try:
        if args.workbook:
            return _import_workbook(args)
        if not args.journey:
            raise ParameterError("JOURNEY", None, expected="a journey file (or --import WORKBOOK)",
                                 fix="jmtools map journey.yaml -o map.png")
        return _draw_map(args)
    except ParameterError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


def _draw_map(args) -> int:
    from jmtools.journey import Journey

    out = Path(args.output)
    journey = Journey.load(args.journey)
    if out.suffix.lower() == ".xlsx":
        from jmtools.journey.workbook import write_workbook

        if args.persona or args.lanes or args.data:
            print("note: --persona, --lanes and --data do not apply to the workbook "
                  "(it holds the whole map)")
        write_workbook(journey, out)
        print(f"wrote {out}: the map as a workbook; edit it, then "
              f"jmtools map --import {out} -o {args.journey}")
        return 0
    format_of(out)  # a wrong suffix fails before any work
    if args.empathy:
        return _draw_empathy(args, journey, out)
    if args.stage:
        raise ParameterError("--stage", args.stage, expected="used with --empathy only",
                             fix="add --empathy, or leave out --stage (a map shows every stage)")
    from jmtools.canvas import journey_map
    from jmtools.pipeline import map_evidence

    evidence = map_evidence(args.data, journey) if args.data else None
    persona = args.persona[0] if args.persona and len(args.persona) == 1 else args.persona
    chart = journey_map(journey, evidence=evidence, persona=persona, lanes=args.lanes)
    save_chart(chart, out, scale=args.scale, title=journey.name)
    print(f"wrote {out}")
    return 0


def _draw_empathy(args, journey, out: Path) -> int:
    from jmtools.empathy import empathy_map, feedback_quotes

    if args.persona and len(args.persona) > 1:
        raise ParameterError("--persona", args.persona, expected="one persona with --empathy")
    persona = args.persona[0] if args.persona else None
    quotes = None
    if args.data:
        from jmtools.sources import load_world

        world = load_world(args.data, journey)
        if "feedback" in world.tables:
            personas = None
            if "customers" in world.tables and journey.personas:
                from jmtools.personas import assign_personas

                personas = assign_personas(world.tables["customers"].to_pandas(), journey)
            quotes = feedback_quotes(world.tables["feedback"].to_pandas(), personas=personas,
                                     journey=journey)
    chart = empathy_map(journey, persona=persona, stage=args.stage, quotes=quotes)
    save_chart(chart, out, scale=args.scale, title=f"{journey.name} — empathy map")
    print(f"wrote {out}")
    return 0


def _import_workbook(args) -> int:
    from jmtools.journey import Journey
    from jmtools.journey.workbook_read import read_workbook

    out = Path(args.output)
    if out.suffix.lower() not in (".yaml", ".yml"):
        raise ParameterError("-o with --import", str(out), expected="a journey file (.yaml)",
                             fix=f"jmtools map --import {args.workbook} -o journey.yaml")
    if args.journey:
        raise ParameterError("JOURNEY", args.journey, expected="no JOURNEY argument with --import",
                             fix=f"jmtools map --import {args.workbook} -o {args.journey}")
    base = Journey.load(out) if out.exists() else None
    result = read_workbook(args.workbook, base=base, journey_path=out)
    print(result)
    if args.dry_run:
        print(f"dry run: {out} not written")
        return 0
    if base is not None:  # keep the comments and key order of the existing file
        result.journey._doc = base._doc
    result.journey.save(out)
    print(f"wrote {out}")
    return 0
