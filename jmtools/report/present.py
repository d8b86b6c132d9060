"""Building blocks for report notebooks: safe text, tables, headline cards, a few charts.

Report notebooks show customer text (feedback, quotes, persona names from a journey
file). Everything here escapes it, so a comment containing ``<script>`` is shown as
text. Compute functions live in the analysis modules; these only present their frames.
The charts here are the report's own views of frames that have no chart elsewhere
(funnel against everyone, ranked pain points, the priority backlog).
"""

from __future__ import annotations

import functools
import html as _html
import math
import re
import numbers
import textwrap
from pathlib import Path
from typing import Any, Mapping, Sequence

from jmtools.analyses.disclosure import MIN_GROUP, count_words
from jmtools.analyses.priorities import MIN_FOR_QUADRANTS
from jmtools.charts.fit import fit_to_output
from jmtools.charts.funnels import OPEN_TIP, open_end
from jmtools.charts.labels import LABEL_PX, apart_offsets, drawn_apart, nice_top, wrapped_labels
from jmtools.core.stats import wilson_interval
from jmtools.render.notebook import FIT_CSS
from jmtools.core.vocabulary import share_text
from jmtools.report.wording import caption
from jmtools.core.errors import whole_number
from jmtools.pipeline import protecting_rows

__all__ = [
    "esc",
    "md",
    "html_table",
    "headline_cards",
    "number",
    "funnel_chart",
    "pain_point_chart",
    "backlog_chart",
    "backlog_caption",
    "with_caption",
]

#: What the backlog caption says of the circles' area when there is a value at stake.
_AREA_SAID = "Circle area: order value at stake."

_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_{}[]<>()#+-.!|~"})


def esc(value: Any) -> str:
    """Escape a value for Markdown *and* HTML: shown literally, never interpreted.

    Examples
    --------
    >>> esc("<script>x</script> *bold*")
    '&lt;script&gt;x&lt;/script&gt; \\\\*bold\\\\*'
    """
    return _html.escape(str(value), quote=True).translate(
        str.maketrans({c: "\\" + c for c in "\\`*_[]|~"}))


def number(value: Any, *, unit: str = "", digits: int = 1, signed: bool = False) -> str:
    """Format a number for readers: thousands separators, ``%`` for shares, ``–`` for missing.

    Examples
    --------
    >>> import numpy as np
    >>> number(0.3125, unit="%"), number(12345), number(-0.456, digits=2, signed=True)
    ('31.2%', '12,345', '−0.46')
    >>> number(float("nan")), number(np.int64(4000)), number(0.0004, unit="%"), number(0.0, unit="%")
    ('–', '4,000', '<0.1%', '0.0%')
    """
    if isinstance(value, str):          # a word in place of a number ("fewer than 5") is shown as it is
        return value
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    try:
        if value != value:  # pandas NA-like
            return "–"
    except (TypeError, ValueError):
        return "–"
    if not isinstance(value, numbers.Real) or isinstance(value, bool):
        return str(value)
    if unit == "%":          # a tiny share is "<0.1%", never a false 0.0% (share_text)
        text = f"{value * 100:.{digits}f}%" if signed else share_text(float(value), digits=digits)
    elif isinstance(value, numbers.Integral) or (float(value).is_integer() and abs(value) >= 100):
        text = f"{int(value):,}"
    else:
        text = f"{float(value):,.{digits}f}"
    if signed and value > 0:
        text = "+" + text
    text = text.replace("-", "−")
    return text + (f" {unit}" if unit and unit != "%" else "")


def md(template: str, **values: Any):
    """Markdown from a template whose ``{fields}`` are escaped values.

    The template is the notebook author's (trusted) Markdown; values come from data and
    are escaped with :func:`esc`. Returns an ``IPython.display.Markdown`` object.

    Examples
    --------
    >>> md("**{name}** has {n} customers", name="<b>Ben</b>", n="1,113").data
    '**&lt;b&gt;Ben&lt;/b&gt;** has 1,113 customers'
    """
    from IPython.display import Markdown

    return Markdown(template.format(**{k: esc(v) for k, v in values.items()}))


def html_table(frame, *, columns: Mapping[str, str] | None = None,
               formats: Mapping[str, Any] | None = None, max_rows: int = 50,
               caption: str | None = None):
    """A readable, escaped HTML table of ``frame`` (``IPython.display.HTML``).

    Parameters
    ----------
    frame : pandas.DataFrame
    columns : mapping, optional
        Column → header shown, in this order (default: every column, as named).
    formats : mapping, optional
        Column → callable(value) → str, or a :func:`number` unit string (``"%"``).
    max_rows : int, default 50
        Rows shown; a note says how many more there are.
    caption : str, optional
        Shown above the table.

    Each cell carries its column's name (``data-label``). A table with long texts (a cell over
    40 characters: quotes, evidence, titles) or more than 3 columns (a funnel with n and
    intervals) is marked ``jm-cards``: on a screen narrower than
    640 px the report's stylesheet shows each row as a card of "column: value" lines instead
    of columns; on a wider screen and on paper it stays a table. In a notebook, where report.css
    is not loaded, such a table comes inside a ``jm-fit`` box with those rules as a container
    query: an output narrower than 520 px (JupyterLab at 800 px with its file browser open) shows
    the cards too, a wider one the table (D184).

    Examples
    --------
    >>> import pandas as pd
    >>> t = html_table(pd.DataFrame({"q": ["<i>x</i>"], "share": [0.5]}), formats={"share": "%"})
    >>> "&lt;i&gt;x&lt;/i&gt;" in t.data and "50.0%" in t.data
    True
    >>> cards = html_table(pd.DataFrame({"quote": ["The delivery fee appeared only at the very last step."]})).data
    >>> cards[:67], cards.split("</style>")[1][:58]
    ('<div class="jm-fit" style="container: jm-fit / inline-size"><style>', '<table class="jm-table jm-cards"><thead><tr><th>quote</th>')
    >>> '<td class="jm-num" data-label="share">50.0%</td>' in t.data
    True
    """
    from IPython.display import HTML

    columns = dict(columns or {c: c for c in frame.columns})
    formats = dict(formats or {})
    head = "".join(f"<th>{_html.escape(str(h))}</th>" for h in columns.values())
    body, longest = [], 0
    for _, row in frame.head(max_rows).iterrows():
        cells = []
        for col, header in columns.items():
            value, fmt = row[col], formats.get(col)
            if callable(fmt):
                text = fmt(value)
            elif isinstance(fmt, str):
                text = number(value, unit=fmt)
            elif isinstance(value, numbers.Real) and not isinstance(value, bool):
                text = number(value, digits=2)
            elif isinstance(value, (list, tuple)):
                text = ", ".join(map(str, value))
            else:
                text = "–" if value is None else str(value)
            numeric = isinstance(value, numbers.Real) and not isinstance(value, bool)
            kind = "jm-num" if numeric else "jm-text" if len(text) > _CARD_TEXT else ""
            longest = max(longest, len(text))
            cls = f' class="{kind}"' if kind else ""
            cells.append(f'<td{cls} data-label="{_html.escape(str(header))}">{_html.escape(text)}</td>')
        body.append("<tr>" + "".join(cells) + "</tr>")
    more = len(frame) - max_rows
    note = f'<p class="jm-note">… and {more:,} more rows.</p>' if more > 0 else ""
    cap = f"<caption>{_html.escape(caption)}</caption>" if caption else ""
    table = (f'<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>{note}')
    if longest <= _CARD_TEXT and len(columns) <= _CARD_COLUMNS:
        return HTML(f'<table class="jm-table">{cap}{table}')
    return HTML(f'<div class="jm-fit" style="container: jm-fit / inline-size"><style>{_narrow_cards()}</style>'
                f'<table class="jm-table jm-cards">{cap}{table}</div>')


#: A table with a cell longer than this (characters) is shown as one card per row on a phone
#: (``jm-cards``; report.css): as columns, its long texts made tall, narrow rows that scrolled
#: sideways. Such a cell (``jm-text``) takes the card's width under its column's name.
_CARD_TEXT = 40

#: A table of more columns than this is shown as cards on a phone too: at 360 px the funnel's
#: six columns (customers, conversion, its interval) put n and the intervals off to the side.
_CARD_COLUMNS = 3

#: Below this width (px) of the output it is in, a ``jm-cards`` table is cards in a notebook too:
#: JupyterLab at 800 px with its file browser open leaves an output about 365 px, where the
#: funnel's sixth column was cut and the output scrolled sideways (D184).
_NARROW_OUTPUT = 520


@functools.lru_cache(maxsize=1)
def _narrow_cards() -> str:
    """report.css's phone rules for ``jm-cards`` tables as a container query on the table's own
    output (``jm-fit``): JupyterLab does not load report.css and its output can be narrow on a
    wide screen. One source for both: the rules are read from report.css, its colours given
    fallbacks for a page without them."""
    css = (Path(__file__).parent / "templates" / "report.css").read_text(encoding="utf-8")
    start = css.index("@media screen and (max-width: 640px) {\n  .jm-table.jm-cards")
    body = css[css.index("{", start) + 1:css.index("\n}\n", start)]
    body = re.sub(r"/\*.*?\*/", "", body, flags=re.S)
    body = body.replace("var(--jm-rule)", "var(--jm-rule, #d9dde5)").replace("var(--jm-muted)", "var(--jm-muted, #5b6372)")
    return f"@container jm-fit (max-width: {_NARROW_OUTPUT}px) {{{' '.join(body.split())}}} {FIT_CSS}"


def headline_cards(cards: Sequence[Mapping[str, Any]]):
    """Headline figures as cards: ``[{"label", "value", "note"}]`` → ``IPython.display.HTML``.

    Examples
    --------
    >>> html = headline_cards([{"label": "Customers", "value": "1,113", "note": "n=1,113"}]).data
    >>> import re; re.sub(r' style="[^"]*"', "", html)
    '<div class="jm-kpis"><div class="jm-kpi"><span>Customers</span><b>1,113</b><span>n=1,113</span></div></div>'
    """
    from IPython.display import HTML

    items = "".join(f'<div class="jm-kpi" style="{_KPI_STYLE}"><span>{_html.escape(str(c["label"]))}</span>'
                    f'<b style="display:block;font-size:1.35rem">{_html.escape(str(c["value"]))}</b>'
                    f'<span>{_html.escape(str(c.get("note", "")))}</span></div>' for c in cards)
    return HTML(f'<div class="jm-kpis" style="{_KPIS_STYLE}">{items}</div>')


# The report's stylesheet lays the cards out; these inline rules do the same in JupyterLab,
# which has no jmtools stylesheet.
_KPIS_STYLE = "display:flex;flex-wrap:wrap;gap:.8rem;margin:.8rem 0 1.2rem"
_KPI_STYLE = "border:1px solid var(--jm-rule,#d0d0d0);border-radius:6px;padding:.6rem .9rem;min-width:10rem"


def funnel_chart(funnel, *, compare=None, label: str = "this persona",
                 compare_label: str = "all customers", title: str | None = None,
                 width: int = 520, unit: str = "customers"):
    """Share of customers reaching each stage (from the first), with 95% intervals.

    Parameters
    ----------
    funnel : pandas.DataFrame
        :func:`jmtools.analyses.funnels.funnel` rows of one group (``step_index, step, n,
        rate_from_start``; ``n`` of step 1 is the base).
    compare : pandas.DataFrame, optional
        A second funnel (everyone) drawn beside it.
    label, compare_label : str
        Legend entries.
    unit : str, default "customers"
        What the bars count, in the axis title: ``"journeys (claims)"`` per case (D238).

    Returns
    -------
    altair.LayerChart
        A step whose frame has ``open`` (customers still open at the step before at the data's end,
        :func:`jmtools.pipeline._had_time.had_time`) gets a pale end to its bar up to where they would
        reach it, and says them in its label and tooltip (D221).

    Examples
    --------
    >>> import pandas as pd
    >>> f = pd.DataFrame({"step_index": [1, 2], "step": ["A", "B"], "n": [10, 4],
    ...                   "rate_from_start": [1.0, 0.4]})
    >>> sorted(funnel_chart(f).to_dict()["layer"][0]["encoding"])
    ['color', 'tooltip', 'x', 'y', 'yOffset']
    """
    import altair as alt
    import pandas as pd

    frames = [(funnel, label)] + ([(compare, compare_label)] if compare is not None else [])
    rows = []
    for frame, name in frames:
        first = frame.sort_values("step_index")["n"] if len(frame) else pd.Series(dtype=float)
        base = int(first.iloc[0]) if len(first) and pd.notna(first.iloc[0]) else 0
        protecting = pd.Series(protecting_rows(frame), index=frame.index)
        for i, r in frame.sort_values("step_index").iterrows():
            rows.append(_funnel_bar(r, base, bool(protecting[i])) | {"group": name})
    data = pd.DataFrame(rows)
    order = list(dict.fromkeys(data.sort_values("step_index")["step"]))
    y = alt.Y("step:N", sort=order, title=None)
    x = alt.X("share:Q", axis=alt.Axis(format="%", labelSeparation=6), scale=alt.Scale(domain=[0, 1]),
              title=f"share of {unit} {'who' if unit == 'customers' else 'that'} started the journey")
    # a segment's name is long ("all customers in segment clinic == …"): wrapped, never cut (D225)
    names, _ = wrapped_labels([f[1] for f in frames], chars=LEGEND_CHARS)
    color = alt.Color("group:N", sort=[f[1] for f in frames], title=None,
                      scale=alt.Scale(range=["#2f5d8a", "#b8c4d3"]),
                      legend=alt.Legend(orient="bottom", labelExpr=names, labelLimit=0))
    tip = [alt.Tooltip("group:N"), alt.Tooltip("step:N"), alt.Tooltip("n:Q", format=","),
           alt.Tooltip("base:Q", title="started", format=","),
           alt.Tooltip("share:Q", format=".1%"), alt.Tooltip("ci_low:Q", format=".1%"),
           alt.Tooltip("ci_high:Q", format=".1%"),
           alt.Tooltip("open:Q", title=OPEN_TIP, format=",")]
    base = alt.Chart(data).encode(y=y, yOffset=alt.YOffset("group:N", sort=[f[1] for f in frames]))
    bars = base.mark_bar(height={"band": 0.9}).encode(x=x, color=color, tooltip=tip)
    if data.get("open_to", pd.Series(dtype=float)).notna().any():   # a pale end: may still reach it (D221)
        pale = alt.Color("group:N", sort=color["sort"], scale=color["scale"], legend=None)
        bars += open_end(base, x="share:Q", tooltip=tip, height={"band": 0.9}).encode(color=pale)
    errs = base.mark_rule(color="#1f2430").encode(x=alt.X("ci_low:Q"), x2=alt.X2("ci_high:Q"))
    two = data["text"].map(lambda t: isinstance(t, list)).any()   # a label of two lines needs the row's room
    # a label of two lines is raised half a line (Vega puts its first line where one line would be)
    text = [(base.transform_filter(f"{'' if up else '!'}isArray(datum.text)") if two else base).mark_text(
        align="left", dx=4, fontSize=11, **({"dy": -6, "lineHeight": 12} if up else {})).encode(
        x=alt.X("text_x:Q"), text=alt.Text("text:N"), color=alt.ColorValue("#1f2430"))
        for up in ((False, True) if two else (False,))]
    return fit_to_output(alt.layer(bars, errs, *text).properties(
        width=width, height=alt.Step((44 if two else 22) if compare is not None else 30),
        title=title or "How far customers get"))


#: Characters per line of a funnel chart's legend entry (11 px text: about 250 px, inside a phone's chart).
LEGEND_CHARS = 36


def _funnel_bar(r, base: int, protecting: bool = False) -> dict:
    """One bar of :func:`funnel_chart`: a step reached by 1–4 customers (``n`` missing,
    :func:`~jmtools.pipeline._disclosed.disclosed_steps`) has no bar, only "fewer than 5"; one
    hidden to protect a smaller group (``protecting``) says "hidden". Without a first step to
    take shares of (hidden too), a step shown has its n and no bar."""
    step = {"step": r["step"], "step_index": int(r["step_index"]), "base": base}
    if math.isnan(float(r["n"])):
        return step | {"n": None, "share": None, "ci_low": None, "ci_high": None, "text_x": 0.0,
                       "text": "hidden (it would reveal a smaller group)" if protecting
                       else f"fewer than {MIN_GROUP} customers (not shown)"}
    n, waiting = int(r["n"]), int(r.get("open", 0) or 0)   # still open at the step before (D221)
    low, high = wilson_interval(n, base)
    to = (n + waiting) / base if base and waiting else None
    said = f"{n / base:.0%} (n={n:,})" if base else f"n={n:,}"
    # those still open on a line of their own: no line is longer than the first step's, which sets the
    # room kept right of the plot at every width (one line ran off a phone's chart, D225)
    return step | {"n": n, "share": n / base if base else None, "ci_low": low, "ci_high": high,
                   "open": waiting or None, "open_to": to, "text_x": max(high, to or 0) if base else 0.0,
                   "text": [said, f"+{waiting:,} open"] if waiting else said}


def pain_point_chart(table, *, top: int = 8, title: str = "Pain points, in rank order"):
    """Ranked pain points: bar length is the score that ranks them, so #1 is always longest.

    Measured and reported pain points are bars coloured by evidence, labelled with their score,
    the number the bar's length is drawn from (inside a bar longer than half the axis, else after
    it); the customers who met them are in the tooltip and the report's table, since two pain
    points of one score met by 456 and 111 customers would otherwise show two counts on bars of
    one length. The axis
    ends at the next round number above the longest bar (:func:`jmtools.charts.labels.nice_top`).
    Names are drawn on at most three lines of 24 characters (the full name is in the tooltip and
    the report's table), so the chart fits a 360 px phone at its container's width. An *assumed*
    pain point (the workshop's, nothing in the data) has
    no score from data: it gets no bar, only a hollow marker and the words "assumed, not in
    the data", so it is never drawn with a size it does not have.

    Parameters
    ----------
    table : pandas.DataFrame
        :attr:`jmtools.analyses.painpoints.PainPoints.table` (``rank, title, stage,
        score, customers_affected, evidence_label``).
    top : int, default 8

    Returns
    -------
    altair.LayerChart

    Examples
    --------
    >>> import pandas as pd
    >>> t = pd.DataFrame({"rank": [1, 2], "title": ["Fees", "Photos"], "stage": ["Decision"] * 2,
    ...                   "score": [3.2, 0.0], "customers_affected": [120.0, None],
    ...                   "evidence_label": ["measured", "assumed"]})
    >>> layers = pain_point_chart(t).to_dict()["layer"]
    >>> [l["mark"]["type"] for l in layers]
    ['bar', 'text', 'text', 'point', 'text']
    >>> layers[0]["encoding"]["x"]["scale"]["domain"]     # 3.2 → 4, not doubled
    [0, 4.0]
    """
    whole_number("top", top, fix="pass e.g. 8")
    import altair as alt

    cols = [c for c in ("rank", "title", "stage", "score", "customers_affected", "evidence_label")
            if c in table.columns]
    data = table.sort_values("rank").head(top)[cols].copy()
    if "score" not in data:  # an old table: rank is all there is
        data["score"] = float(len(data) + 1) - data["rank"]
    data["stage"] = data["stage"].astype(str)
    data["item"] = [f"#{int(r)} {t}" for r, t in zip(data["rank"], data["title"])]
    data["assumed"] = data["evidence_label"].eq("assumed") | data["score"].fillna(0).le(0)
    data["bar"] = data["score"].where(~data["assumed"])
    reach = table["customers_with_events"] if "customers_with_events" in table else None   # D177, D184
    data["note"] = [_unscored_note(lab, None if reach is None else reach.get(i)) if a else f"{b:.2f}"
                    for i, a, lab, b in zip(data.index, data["assumed"], data["evidence_label"], data["bar"])]
    labels, lines = wrapped_labels(data["item"])
    y = alt.Y("item:N", sort=list(data["item"]), title=None,
              axis=alt.Axis(labelLimit=LABEL_PX, labelExpr=labels))
    tip = [alt.Tooltip("rank:Q"), alt.Tooltip("title:N", title="pain point"), alt.Tooltip("stage:N"),
           alt.Tooltip("score:Q", format=".2f"), alt.Tooltip("customers_affected:Q", format=",.0f"),
           alt.Tooltip("evidence_label:N")]
    top = nice_top(float(data["bar"].max()) if data["bar"].notna().any() else 0.0)
    data["inside"] = data["bar"].ge(top / 2)   # a long bar carries its count inside, at its end
    base = alt.Chart(data).encode(y=y, tooltip=tip)
    scored = base.transform_filter("!datum.assumed")
    bars = scored.mark_bar().encode(
        x=alt.X("bar:Q", title=["priority score", "longer = fix sooner"], axis=alt.Axis(tickCount=4),
                scale=alt.Scale(domain=[0, top], nice=False)),
        color=alt.Color("evidence_label:N", title="evidence",
                        scale=alt.Scale(domain=["measured", "reported", "assumed"],
                                        range=["#1d6b35", "#2f5d8a", "#a0a7b4"]),
                        legend=alt.Legend(orient="bottom")))
    half = alt.ExprRef(expr="width / 2 - 8")   # either way the count stays inside the plot
    inside = scored.transform_filter("datum.inside").mark_text(
        align="right", dx=-4, fontSize=11, color="white", limit=half).encode(x=alt.X("bar:Q"), text=alt.Text("note:N"))
    outside = scored.transform_filter("!datum.inside").mark_text(
        align="left", dx=4, fontSize=11, limit=half).encode(x=alt.X("bar:Q"), text=alt.Text("note:N"))
    unscored = base.transform_filter("datum.assumed")
    marker = unscored.mark_point(shape="circle", filled=False, color="#5b6372", size=80).encode(
        x=alt.X(datum=0))
    centred = alt.ExprRef(expr=f"-(length(split(datum.note, '\\n')) - 1) * {_NOTE_LINE / 2}")  # lines about the row
    words = unscored.mark_text(align="left", dx=10, dy=centred, fontSize=11, fontStyle="italic", lineBreak="\n",
                               lineHeight=_NOTE_LINE, color="#5b6372", limit=alt.ExprRef(expr="width - 12")).encode(
        x=alt.X(datum=0), text=alt.Text("note:N"))
    said = max([1] + [n.count("\n") + 1 for n in data.loc[data["assumed"], "note"]])   # the words' lines
    return alt.layer(bars, inside, outside, marker, words, title=title).properties(
        width=420, height=alt.Step(max(30 if lines < 3 else 42, said * _NOTE_LINE + 10)))


#: Characters per line of the words beside a pain point without a bar: about 190 px of 11 px
#: italic, what a 390 px phone leaves the plot.
_NOTE_CHARS = 30
#: Their line height (px).
_NOTE_LINE = 13


def _unscored_note(label: str, reach) -> str:
    """What stands beside a pain point drawn without a bar, on lines of :data:`_NOTE_CHARS`: an
    assumed one is not in the data; a reported one that no measured signal confirms says so, with
    how many customers have events at its place when the table counts them (``reach``, D177), as
    its row in the table does. "No measure in the data" beside "1,522 customers have events at
    this stage" read as a contradiction (D184)."""
    if label == "assumed":
        return "assumed, not in the data"
    if reach is None or reach != reach:
        text = f"{label}: no measured signal is worse here"
    elif int(reach) == 0:
        text = f"{label}: no customer has events here in the data"
    else:
        text = f"{label}: no measured signal is worse here; {count_words(reach)} customers have events here"
    return "\n".join(textwrap.wrap(text, _NOTE_CHARS))


#: backlog bubbles: area range (px²) and the radius of the largest; the one area without a value at stake
_BUBBLE_AREA = (60, 900)
_BUBBLE_RADIUS = math.ceil(math.sqrt(_BUBBLE_AREA[1] / math.pi))
_EQUAL_AREA = 200


def _backlog_channels(backlog) -> tuple[bool, bool]:
    """Whether the backlog's circles can be sized by value at stake (some value above 0) and
    coloured by quadrant (some quadrant named)."""
    value = backlog["value_at_stake"] if "value_at_stake" in backlog else None
    sized = value is not None and bool((value.fillna(0) > 0).any())
    split = "quadrant" in backlog and bool(backlog["quadrant"].notna().any())
    return sized, split


def backlog_caption(backlog) -> str:
    """The caption of :func:`backlog_chart` for ``backlog``: what the circles' area and colour
    say, or that they say nothing (no value at stake, too few opportunities for quadrants).

    Examples
    --------
    >>> import pandas as pd
    >>> print(backlog_caption(pd.DataFrame({"impact": [3.0], "effort": [2.0], "quadrant": [None]})))
    Position: effort across, impact up, so quick wins sit top left. Circles all have one size: without orders there is no value at stake to size them by. One colour: fewer than 3 opportunities have impact and effort, too few to split into quadrants at their medians. #n: the opportunity's rank in the table below. Circles with the same impact and effort are drawn a little apart, each with its #n.
    """
    sized, split = _backlog_channels(backlog)
    text = caption("backlog")
    if not sized:
        text = text.replace(_AREA_SAID, "Circles all have one size: without orders there is no value at stake "
                                        "to size them by.")
    if not split:
        text = text.replace("Colour: quadrant.", f"One colour: fewer than {MIN_FOR_QUADRANTS} opportunities have "
                            "impact and effort, too few to split into quadrants at their medians.")
    return text


def backlog_chart(backlog, *, title: str = "Opportunities: impact against effort"):
    """Impact–effort matrix of the backlog; point size is the value at stake.

    Without a value at stake (no orders: no column, or no value above 0) every circle has one
    size and there is no size legend; without quadrants (fewer than three opportunities, see
    :func:`jmtools.analyses.priorities.impact_effort`) every circle has one colour and there is
    no colour legend. :func:`backlog_caption` says which. Points are labelled with their rank
    (``#1``), to be read with the ranked table. Points at
    the same impact and effort are drawn a few pixels apart, in rank order from the top left,
    each with its own label; the tooltip gives the true values and names the others at that
    place. The axes run from 0 past the largest value, with room for the largest bubble at
    every edge, and a phone-width axis gets fewer ticks.

    Parameters
    ----------
    backlog : pandas.DataFrame
        Ranked opportunities with ``title, impact, effort, quadrant`` and optionally
        ``value_at_stake`` and ``rank``.

    Returns
    -------
    altair.LayerChart

    Examples
    --------
    >>> import pandas as pd
    >>> b = pd.DataFrame({"title": ["A", "B"], "impact": [2.0, 2.0], "effort": [1.0, 1.0],
    ...                   "quadrant": ["quick win"] * 2, "value_at_stake": [100.0, 5.0], "rank": [1, 2]})
    >>> spec = backlog_chart(b).to_dict()
    >>> len(spec["layer"]), spec["layer"][0]["encoding"]["x"]["scale"]["domain"]
    (2, [0.0, 1.25])
    >>> [(r["label"], r["dx"], r["dy"]) for r in next(iter(spec["datasets"].values()))]
    [('#1', -6.5, -6.5), ('#2', 6.5, 6.5)]

    No orders, one opportunity: no size, no quadrant, no legend.

    >>> one = pd.DataFrame({"title": ["A"], "impact": [3.0], "effort": [2.0], "quadrant": [None]})
    >>> enc = backlog_chart(one).to_dict()["layer"][0]["encoding"]
    >>> enc["size"], enc["color"]
    ({'value': 200}, {'value': '#2f5d8a'})
    """
    import altair as alt

    cols = [c for c in ("rank", "title", "impact", "effort", "quadrant", "value_at_stake",
                        "rice") if c in backlog.columns]
    data = backlog[cols].dropna(subset=["impact", "effort"]).copy()
    sized, split = _backlog_channels(data)
    if "value_at_stake" not in data:
        data["value_at_stake"] = 0.0
    data["value_at_stake"] = data["value_at_stake"].fillna(0.0)
    if "rank" not in data:
        data["rank"] = range(1, len(data) + 1)
    data = data.sort_values("rank", kind="stable")
    data["label"] = [f"#{int(r)}" for r in data["rank"]]
    # points that share a place are drawn apart along the diagonal, in rank order; positions stay
    # the true values (the offset is in pixels), and the tooltip says which others share them
    shift, data["drawn"] = drawn_apart(data, "effort", "impact", "label", what="impact and effort")
    data["dx"] = data["dy"] = shift.to_numpy()
    # a label every 60 px or more (at phone width a label every 40 px ran together: "0.00.2")
    axes = {name: alt.Axis(format="~g", labelSeparation=6, tickCount=alt.ExprRef(f"ceil({extent}/{px})"))
            for name, extent, px in (("effort", "width", 60), ("impact", "height", 40))}
    # from 0 (or below) to a round value past the largest, and room for the largest bubble at both ends
    scales = {name: alt.Scale(domain=[min(0.0, float(data[name].min())), nice_top(1.15 * float(data[name].max()))],
                              nice=False, zero=False, padding=_BUBBLE_RADIUS + 2) for name in ("effort", "impact")}
    base = alt.Chart(data).encode(
        x=alt.X("effort:Q", title="effort (person-months)", scale=scales["effort"], axis=axes["effort"]),
        y=alt.Y("impact:Q", title="impact (3 massive … 0.25 minimal)", scale=scales["impact"],
                axis=axes["impact"]))
    shown = [c for c in cols if (c != "value_at_stake" or sized) and (c != "quadrant" or split)]
    tooltip = ([alt.Tooltip(c) for c in shown if c != "quadrant"] + [alt.Tooltip(c) for c in shown if c == "quadrant"]
               + ([alt.Tooltip("drawn:N", title="drawn")] if (data["dx"] != 0).any() else []))
    offset = apart_offsets()
    # no value at stake (no orders), or too few opportunities for quadrants: that channel is left out (D156)
    size = (alt.Size("value_at_stake:Q", title="value at stake", scale=alt.Scale(range=list(_BUBBLE_AREA)),
                     legend=alt.Legend(format=",.0f", orient="bottom")) if sized else alt.value(_EQUAL_AREA))
    color = (alt.Color("quadrant:N", title="quadrant", legend=alt.Legend(orient="bottom"),
                       scale=alt.Scale(domain=["quick win", "big bet", "fill-in", "money pit"],
                                       range=["#1d6b35", "#2f5d8a", "#a0a7b4", "#a3261a"]))
             if split else alt.value("#2f5d8a"))
    points = base.mark_circle(opacity=0.8, stroke="#1f2430", strokeWidth=0.5, **offset).encode(
        size=size, color=color,
        order=alt.Order("value_at_stake:Q", sort="descending"),  # a small bubble on top of a big one
        tooltip=tooltip)
    # each label just right of its own bubble's edge, so labels of bubbles drawn apart do not meet
    edge = (alt.ExprRef("sqrt(scale('size', datum.value_at_stake) / PI) + 3") if sized
            else math.sqrt(_EQUAL_AREA / math.pi) + 3)
    labels = base.mark_text(align="left", fontSize=11, fontWeight="bold", **offset, dx=edge).encode(
        text=alt.Text("label:N"), tooltip=tooltip)
    return alt.layer(points, labels, title=title).properties(width=480, height=300)


def with_caption(chart, key: str, *, text: str | None = None):
    """``chart`` carrying the caption that explains its encoding (:data:`jmtools.report.wording.CAPTIONS`),
    or ``text`` in its place (a caption fitted to the data, such as :func:`backlog_caption`).

    The caption travels in the spec's ``usermeta``; the report exporter prints it once under the
    chart, in place of the chart's subtitle.

    Examples
    --------
    >>> import pandas as pd
    >>> b = pd.DataFrame({"title": ["A"], "impact": [2.0], "effort": [1.0], "quadrant": ["quick win"]})
    >>> with_caption(backlog_chart(b), "backlog").to_dict()["usermeta"]["caption"][:9]
    'Position:'
    """
    meta = chart.usermeta if isinstance(chart.usermeta, dict) else {}  # set by .properties() only
    return chart.properties(usermeta=dict(meta, caption=caption(key) if text is None else text))
