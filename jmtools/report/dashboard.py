"""The batch's ``index.html`` as a dashboard: every report at a glance, offline.

- **small multiples**: reach (share who get to the last stage, with its 95% interval) and the
  lowest emotion of each report side by side, drawn as inline SVG (no chart library);
- **one row per report**: its headline figures, each with a sparkline of its values across the
  runs recorded in ``history.jsonl`` and the change since the previous run;
- **sortable**: a click on a column heading sorts the rows (a few lines of script, allowed by
  the page's Content-Security-Policy through a nonce; without script the page reads the same);
- **responsive**: the table scrolls inside its own box on a phone, nothing overlaps.
"""

from __future__ import annotations

import html as _html
import os
import secrets
from pathlib import Path
from typing import Mapping, Sequence

from jmtools.analyses.history import control_chart, kpi_history
from jmtools.render.offline import atomic_write_text
from jmtools.report.record import format_figure
from jmtools.report.wording import emotion, percent

__all__ = ["write_index", "sparkline", "bars_svg"]

e = _html.escape

_CSS = """
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, Arial, sans-serif; color: #1f2430;
  max-width: 76rem; margin: 0 auto; padding: 1.5rem 2rem 3rem; box-sizing: border-box; }
h1 { font-size: 1.8rem; margin-bottom: .2rem; } h2 { font-size: 1.2rem; margin: 1.6rem 0 .4rem; }
.meta { color: #5b6372; font-size: 13px; overflow-wrap: anywhere; }
.summary { background: #f5f7fa; border: 1px solid #d9dde5; border-radius: 6px; padding: .6rem 1rem; }
.multiples { display: grid; grid-template-columns: repeat(auto-fit, minmax(min(100%, 22rem), 1fr)); gap: 1rem; }
.multiples figure { margin: 0; border: 1px solid #d9dde5; border-radius: 6px; padding: .6rem .8rem; min-width: 0; }
.multiples figcaption { font-weight: 600; font-size: 14px; margin-bottom: .3rem; }
.multiples svg { width: 100%; max-width: 26rem; height: auto; display: block; }
.scroll { overflow-x: auto; max-width: 100%; border: 1px solid #d9dde5; border-radius: 6px; margin-top: .6rem; }
table { border-collapse: collapse; width: 100%; min-width: 46rem; font-size: 14px; }
th, td { text-align: left; vertical-align: top; padding: .45rem .6rem; border-bottom: 1px solid #d9dde5; }
thead th { border-bottom: 2px solid #1f2430; white-space: nowrap; background: #fff; }
th button { font: inherit; font-weight: 600; border: 0; background: none; padding: 0; cursor: pointer; color: inherit; }
th[aria-sort="ascending"] button::after { content: " ▲"; } th[aria-sort="descending"] button::after { content: " ▼"; }
td.name { min-width: 9rem; max-width: 14rem; } td.text { min-width: 8rem; max-width: 16rem; }
.ok { color: #1d6b35; } .failed { color: #a3261a; font-weight: 600; }
.fig { white-space: nowrap; } .fig b { font-weight: 600; }
.spark { vertical-align: middle; margin-left: .3rem; }
.signal { display: block; color: #a3261a; font-size: 12px; }
.trend, .sub { color: #5b6372; font-size: 12px; display: block; }
.kpi { display: block; font-size: 12.5px; } .kpi b { font-weight: 600; }
.links a { margin-right: .5rem; } .links .title { display: block; font-weight: 600; }
.files { display: block; font-size: 12px; margin-top: .2rem; } .files a { white-space: nowrap; }
.param { display: block; font-size: 12px; color: #5b6372; } .param code { font-size: 11.5px; overflow-wrap: anywhere; }
.err { font-size: 12.5px; color: #a3261a; white-space: pre-wrap; overflow-wrap: anywhere; }
@media (max-width: 640px) { body { padding: .8rem .8rem 2rem; } h1 { font-size: 1.4rem; } }
/* on a phone each report is a card of "column: value" lines (its figures with n and trend in
   view, not off to the side); the headings stay for screen readers */
@media screen and (max-width: 640px) {
  .scroll { overflow: visible; border: 0; }
  table.sortable, table.sortable tbody, table.sortable tr { display: block; width: 100%; min-width: 0; }
  table.sortable thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); }
  table.sortable tr { box-sizing: border-box; border: 1px solid #d9dde5; border-radius: 6px;
    margin: 0 0 .7rem; padding: .35rem .7rem; }
  table.sortable td { display: grid; grid-template-columns: 6.5rem minmax(0, 1fr); column-gap: .6rem;
    border: 0; padding: .2rem 0; max-width: none; min-width: 0; overflow-wrap: anywhere; }
  table.sortable td::before { content: attr(data-label); color: #5b6372; font-size: 12.5px; }
  table.sortable td > * { grid-column: 2; }   /* a figure's n, sparkline and trend under its value */
  table.sortable td.name { display: block; } table.sortable td.name::before { content: none; }
  .fig { white-space: normal; }
}
@media print { .scroll { overflow: visible; border: 0; } table { min-width: 0; font-size: 11px; } }
"""

_SORT_JS = """
document.querySelectorAll("table.sortable").forEach(function (table) {
  table.querySelectorAll("th[data-col]").forEach(function (th, col) {
    var button = th.querySelector("button");
    button.addEventListener("click", function () {
      var asc = th.getAttribute("aria-sort") !== "ascending";
      table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", asc ? "ascending" : "descending");
      var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
      function key(row) { var v = row.cells[col].getAttribute("data-sort"); var n = parseFloat(v);
        return isNaN(n) ? (v || "") : n; }
      rows.sort(function (a, b) { var x = key(a), y = key(b);
        if (x === y) { return 0; } if (x === "") { return 1; } if (y === "") { return -1; }
        return (x < y ? -1 : 1) * (asc ? 1 : -1); });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
});
"""

#: The figures the dashboard gives a column each: name → (heading, kind).
COLUMNS = {"customers": ("customers", "count"), "reached_last_stage": ("reach the end", "share"),
           "lowest_emotion": ("lowest emotion", "emotion"), "top_pain_point": ("top pain point", "text"),
           "top_opportunity": ("fix first", "text")}


def sparkline(values: Sequence[float], *, width: int = 64, height: int = 16) -> str:
    """A tiny inline SVG line of a figure across runs ('' with fewer than two values).

    Examples
    --------
    >>> sparkline([0.2, 0.3, 0.25]).startswith('<svg class="spark"')
    True
    >>> sparkline([1.0])
    ''
    """
    vals = [float(v) for v in values if isinstance(v, (int, float)) and not isinstance(v, bool)]
    if len(vals) < 2:
        return ""
    lo, hi = min(vals), max(vals)
    span = (hi - lo) or 1.0
    pts = " ".join(f"{2 + i * (width - 4) / (len(vals) - 1):.1f},{height - 2 - (v - lo) / span * (height - 4):.1f}"
                   for i, v in enumerate(vals))
    last = pts.split()[-1].split(",")
    return (f'<svg class="spark" width="{width}" height="{height}" viewBox="0 0 {width} {height}" '
            f'role="img" aria-label="{len(vals)} runs"><polyline points="{pts}" fill="none" '
            f'stroke="#2f5d8a" stroke-width="1.5"/><circle cx="{last[0]}" cy="{last[1]}" r="2" '
            f'fill="#2f5d8a"/></svg>')


def bars_svg(rows: Sequence[tuple[str, float | None, float | None, float | None]], *,
             domain: tuple[float, float], fmt, width: int = 360) -> str:
    """Horizontal bars (one per report) with 95% interval whiskers, as an inline SVG.

    ``rows`` are ``(name, value, ci_low, ci_high)``; each name is written whole on its own line
    (a phone cut "E-commerce · all c…" beside its bar), its bar under it; bars start at 0 (so a
    negative emotion goes left of the zero line); missing values show a dash.

    Examples
    --------
    >>> svg = bars_svg([("Ben", 0.25, 0.2, 0.3)], domain=(0, 1), fmt=percent)
    >>> "Ben" in svg and "25.0%" in svg
    True
    """
    pad, value_w, row_h = 4, 56, 36       # each name whole on its own line, its bar below it
    rows = _without_common_prefix(rows)
    plot_w = width - pad - value_w
    lo, hi = domain
    x = lambda v: pad + (min(max(v, lo), hi) - lo) / (hi - lo) * plot_w  # noqa: E731
    zero = x(0.0)
    parts = [f'<line x1="{zero:.1f}" x2="{zero:.1f}" y1="16" y2="{row_h * len(rows)}" stroke="#9aa5b1"/>']
    for i, (name, value, low, high) in enumerate(rows):
        y = i * row_h
        parts.append(f'<text x="{pad}" y="{y + 13}" font-size="12"><title>{e(name)}</title>{e(name)}</text>')
        if value is None:
            parts.append(f'<text x="{zero + 4:.1f}" y="{y + 30}" font-size="12" fill="#5b6372">–</text>')
            continue
        a, b = sorted((zero, x(value)))
        parts.append(f'<rect x="{a:.1f}" y="{y + 18}" width="{max(b - a, 1):.1f}" height="{row_h - 22}" '
                     f'fill="#2f5d8a" opacity="0.85"/>')
        if low is not None and high is not None:
            parts.append(f'<line x1="{x(low):.1f}" x2="{x(high):.1f}" y1="{y + 25}" '
                         f'y2="{y + 25}" stroke="#1f2430" stroke-width="1.5"/>')
        parts.append(f'<text x="{pad + plot_w + 4}" y="{y + 30}" font-size="12">{e(fmt(value))}</text>')
    h = row_h * max(len(rows), 1)
    return (f'<svg viewBox="0 0 {width} {h}" width="{width}" height="{h}" '
            f'font-family="system-ui, Arial, sans-serif">{"".join(parts)}</svg>')


def _without_common_prefix(rows):
    """Drop a prefix every name shares up to " · " ("E-commerce · "): the labels stay short."""
    names = [r[0] for r in rows]
    prefix = os.path.commonprefix(names) if len(names) > 1 else ""
    cut = prefix.rfind(" · ") + 3 if " · " in prefix else 0
    return [(r[0][cut:] or r[0], *r[1:]) for r in rows]


def _trend(fig: Mapping, prev: Mapping | None) -> str:
    old = ((prev or {}).get("figures") or {}).get(fig.get("name"), {}).get("value")
    new = fig.get("value")
    if not prev or not isinstance(old, (int, float)) or not isinstance(new, (int, float)) \
            or isinstance(new, bool):
        return ""
    delta = new - old
    if delta == 0:
        return "unchanged"
    arrow = "▲" if delta > 0 else "▼"
    if fig.get("unit") == "%":
        return f"{arrow} {delta * 100:+.1f} points vs {prev['run_id'][:10]}".replace("-", "−", 1)
    return f"{arrow} {delta:+.3g} vs {prev['run_id'][:10]}"


def _series(history, report: str, figure: str) -> list:
    if history is None or not len(history):
        return []
    rows = history[(history["report"] == report) & (history["figure"] == figure)]
    return list(rows.sort_values("run_id")["value"])


#: Runs whose values set a figure's control limits in the index (the rest are checked against them).
BASELINE_RUNS = 8


def _signals(history, baseline: int = BASELINE_RUNS) -> dict:
    """(report, figure) → the rules its latest run breaks, for series longer than the baseline."""
    if history is None or not len(history):
        return {}
    series = kpi_history(history)
    runs = series.groupby(["report", "figure"])["run_index"].transform("max")
    series = series[runs > baseline]
    if not len(series):
        return {}
    chart = control_chart(series, baseline=baseline)
    last = chart[chart["run_index"] == chart.groupby(["report", "figure"])["run_index"].transform("max")]
    return {(r.report, r.figure): r.rules for r in last.itertuples() if r.signal}


def _cell(r, name: str, kind: str, previous: Mapping, history, signals: Mapping | None = None) -> str:
    fig = (r.figures or {}).get(name) if r.ok else None
    if not fig or fig.get("value") is None:
        return '<td data-sort="">–</td>'
    value = fig["value"]
    if kind == "text":
        return f'<td class="text" data-sort="{e(str(value))}">{e(str(value))}</td>'
    shown = {"share": percent, "emotion": emotion}.get(kind, lambda v: f"{v:,}")(value)
    sub = ", ".join(x for x in (f"n={fig['n']:,}" if fig.get("n") is not None else "",
                                (r.figures.get("lowest_emotion_stage") or {}).get("value", "")
                                if kind == "emotion" else "") if x)
    trend = _trend(fig, previous.get(r.name))
    rules = (signals or {}).get((r.name, name))
    flag = (f'<span class="signal" title="{e("breaks: " + rules)}">● outside its control limits</span>'
            if rules is not None else "")
    return (f'<td class="fig" data-sort="{value}"><b>{e(shown)}</b>{sparkline(_series(history, r.name, name))}'
            f'<span class="sub">{e(sub)}</span>'
            + (f'<span class="trend">{e(trend)}</span>' if trend else "") + flag + "</td>")


def _others(r, previous: Mapping) -> str:
    return "".join(f'<span class="kpi">{e(f.get("label") or k)}: <b>{e(format_figure(f))}</b> '
                   f'<span class="trend">{e(_trend(f, previous.get(r.name)))}</span></span>'
                   for k, f in r.figures.items() if f.get("headline") and k not in COLUMNS)


def _row(r, previous: Mapping, history, shared: Mapping, signals: Mapping | None = None) -> str:
    name = e(r.title or r.name)
    params = "".join(f'<span class="param">{e(str(k))} = <code>{e(_short(k, v))}</code></span>'
                     for k, v in r.parameters.items() if k not in shared)
    if not r.ok:
        err = f'<div class="err">{e((r.error or "").strip()[:600])}</div>'
        link = (f'<a href="{e(r.executed_notebook)}">partial notebook</a>' if r.executed_notebook else "")
        return (f'<tr><td class="name links" data-sort="{name}">{name}{params}{link}</td>'
                f'<td data-label="status" data-sort="failed"><span class="failed">failed</span>'
                f'<span class="sub">{r.duration_s:.1f}&nbsp;s</span></td>'
                f'<td data-label="error" colspan="{len(COLUMNS) + 1}">{err}</td></tr>')
    links = (f'<a href="{e(r.html)}">interactive</a>'
             + (f'<a href="{e(r.static_html)}">static</a>' if r.static_html else "")
             + (f'<a href="{e(r.pdf)}">PDF</a>' if getattr(r, "pdf", None) else "")
             + f'<a href="{e(r.sidecar)}" title="key figures as JSON">JSON</a>')
    cells = "".join(_labelled(_cell(r, k, kind, previous, history, signals), head)
                    for k, (head, kind) in COLUMNS.items())
    return (f'<tr><td class="name links" data-sort="{name}"><a class="title" href="{e(r.html)}">{name}</a>'
            f'{params}<span class="files">{links}</span></td>'
            f'<td data-label="status" data-sort="{r.duration_s}"><span class="ok">ok</span>'
            f'<span class="sub">{r.duration_s:.1f}&nbsp;s</span></td>{cells}'
            f'<td class="text" data-label="other figures">{_others(r, previous)}</td></tr>')


def _labelled(cell: str, label: str) -> str:
    """A ``<td …>`` with its column's name as ``data-label`` (the card's line title on a phone)."""
    return cell.replace("<td", f'<td data-label="{e(label)}"', 1)


def _short(name: str, value) -> str:
    text = str(value)
    return Path(text).name if name.endswith(("_dir", "_file", "_path")) and os.path.isabs(text) else text


def _multiples(results) -> str:
    ok = [r for r in results if r.ok]
    def fig(r, k):
        f = r.figures.get(k) or {}
        ci = f.get("ci") or [None, None]
        return (r.title or r.name, f.get("value"), ci[0], ci[1])
    reach = [fig(r, "reached_last_stage") for r in ok]
    feel = [fig(r, "lowest_emotion") for r in ok]
    blocks = []
    if any(v is not None for _, v, _, _ in reach):
        blocks.append('<figure><figcaption>Reach: share of customers who get to the last stage</figcaption>'
                      + bars_svg(reach, domain=(0, 1), fmt=percent) + "</figure>")
    if any(v is not None for _, v, _, _ in feel):
        blocks.append('<figure><figcaption>Lowest emotion of each report (−2..+2)</figcaption>'
                      + bars_svg(feel, domain=(-2, 2), fmt=emotion) + "</figure>")
    return f'<div class="multiples">{"".join(blocks)}</div>' if blocks else ""


def _shared(results) -> dict:
    if len(results) < 2:
        return {}
    first = results[0].parameters
    return {k: v for k, v in first.items()
            if all(k in r.parameters and r.parameters[k] == v for r in results[1:])}


def _variants_note(results: Sequence) -> str:
    """What the files beside each report are for, naming only the variants this batch wrote.

    Examples
    --------
    >>> from types import SimpleNamespace as R
    >>> _variants_note([R(static_html="a.static.html", pdf=None)])
    'each report opens offline; the static variant has no script and suits e-mail.'
    """
    parts = ["each report opens offline"]
    if any(getattr(r, "static_html", None) for r in results):
        parts.append("the static variant has no script and suits e-mail")
    if any(getattr(r, "pdf", None) for r in results):
        parts.append("the PDF suits print")
    return "; ".join(parts) + "."


def write_index(results: Sequence, out_dir: str | os.PathLike, *, run_id: str,
                previous: Mapping[str, dict] | None = None, title: str = "Journey reports",
                history=None) -> Path:
    """Write ``index.html``: small multiples, then every report with its headline figures.

    Parameters
    ----------
    results : sequence of jmtools.report.batch.JobResult
    out_dir : path-like
    run_id : str
        This batch run (ISO time).
    previous : mapping, optional
        Report name → its previous run (``{"run_id", "figures"}``): the trend beside each figure.
    title : str
    history : pandas.DataFrame, optional
        :func:`jmtools.report.batch.load_history` of the folder: the sparklines.

    Returns
    -------
    pathlib.Path
        Written atomically; all text escaped; opens offline.
    """
    previous = previous or {}
    shared = _shared(results)
    signals = _signals(history)
    rows = "\n".join(_row(r, previous, history, shared, signals) for r in results)
    ok = sum(r.ok for r in results)
    failed = [r.name for r in results if not r.ok]
    summary = f"{ok} of {len(results)} reports were produced." + (
        " Failed: " + ", ".join(e(n) for n in failed) + "." if failed else "")
    shared_note = ("<p class=\"meta\">Parameters of every report: " + ", ".join(
        f"{e(str(k))} = {e(_short(k, v))}" for k, v in shared.items()) + "</p>") if shared else ""
    runs = 0 if history is None or not len(history) else history["run_id"].nunique()
    trend_note = ("Trends compare with the previous run and sparklines show every run recorded in "
                  f"<code>history.jsonl</code> ({runs} runs); ● marks a figure whose latest run lies "
                  f"outside its control limits (set by its first {BASELINE_RUNS} runs), a shift larger "
                  "than run-to-run noise." if previous else
                  "This is the first recorded run: from the next run on, each figure shows its change "
                  "and a sparkline across runs (kept in <code>history.jsonl</code>).")
    heads = "".join(f'<th data-col scope="col"><button type="button">{e(h)}</button></th>' for h in
                    ["report", "status", *[h for h, _ in COLUMNS.values()], "more figures"])
    nonce = secrets.token_urlsafe(16)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:; script-src 'nonce-{nonce}'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{e(title)}</title><style>{_CSS}</style></head>
<body><h1>{e(title)}</h1>
<p class="meta">Batch run {e(run_id.replace("T", " ").replace("+00:00", " UTC"))} · {_variants_note(results)}</p>
<p class="summary">{summary}</p>
{shared_note}
<h2>At a glance</h2>
{_multiples(results)}
<h2>Reports <span class="meta">(click a heading to sort)</span></h2>
<div class="scroll"><table class="sortable"><thead><tr>{heads}</tr></thead>
<tbody>
{rows}
</tbody></table></div>
<p class="meta">Figures show n (how many customers or answers they rest on) and a 95% interval where
they estimate. {trend_note}</p>
<script nonce="{nonce}">{_SORT_JS}</script>
</body></html>
"""
    return atomic_write_text(Path(out_dir) / "index.html", page)
