"""The headline's comparison with the previous run, filled in when a report is exported.

:func:`jmtools.report.headline.headline_html` leaves an empty
``<span class="jm-prev" data-figure="…">`` after each headline sentence; a batch run's exporter
(:func:`jmtools.report.html.export_html`) fills it from the key figures of this run and of the
latest earlier run of the same focus (``history.jsonl``). Plain text work on recorded figures:
the exporting process loads no data library.
"""

from __future__ import annotations

import html as _html
import re
from typing import Mapping

from jmtools.report.wording import emotion, percent, plain

__all__ = ["fill_previous"]


_PREV = re.compile(r'<span class="jm-prev" data-figure="([^"]+)"></span>')


def _delta(new: Mapping, old: Mapping) -> str:
    a, b = new.get("value"), old.get("value")
    if isinstance(a, str) or isinstance(b, str):
        return "" if a == b else f"previous run: {b}"
    if not isinstance(a, (int, float)) or not isinstance(b, (int, float)):
        return ""
    if new.get("unit") == "%":
        return f"previous run {percent(b)} ({(a - b) * 100:+.1f} points)".replace("-", "−")
    return f"previous run {emotion(b)} ({a - b:+.2f})".replace("-", "−")


def _met(figure: Mapping | None) -> tuple[int, int] | None:
    """(customers who met it, customers) of a ``top_pain_point_customers`` record, if whole."""
    if not figure:
        return None
    met, n = figure.get("value"), figure.get("n")
    ok = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in (met, n)) and n
    return (int(met), int(n)) if ok else None


def _pain_delta(figures: Mapping[str, Mapping], previous: Mapping[str, Mapping]) -> str:
    """Is the top pain point the one of the previous run, and how many more met it?

    Examples
    --------
    >>> now = {"top_pain_point": {"value": "Fees"}, "top_pain_point_customers": {"value": 405, "n": 4000}}
    >>> _pain_delta(now, {"top_pain_point": {"value": "Fees"},
    ...                   "top_pain_point_customers": {"value": 300, "n": 3000}})
    'the same as in the previous run; met by 405 of 4,000 customers (10.1%), previous run 300 of 3,000 (10.0%), +0.1 points'
    >>> _pain_delta(now, {"top_pain_point": {"value": "Slow delivery"}})
    'new at the top: it replaced “Slow delivery”, the top pain point of the previous run'
    """
    new, old = (figures.get("top_pain_point") or {}).get("value"), previous["top_pain_point"].get("value")
    if not old or not new:
        return ""
    if new != old:
        return f"new at the top: it replaced “{plain(old)}”, the top pain point of the previous run"
    a, b = _met(figures.get("top_pain_point_customers")), _met(previous.get("top_pain_point_customers"))
    if a is None or b is None:
        return "the same as in the previous run"
    diff = (a[0] / a[1] - b[0] / b[1]) * 100
    return (f"the same as in the previous run; met by {a[0]:,} of {a[1]:,} customers ({percent(a[0] / a[1])}), "
            f"previous run {b[0]:,} of {b[1]:,} ({percent(b[0] / b[1])}), {diff:+.1f} points").replace("-", "−")


#: Headline figures compared with the previous run in their own words (figure → function).
_SPECIAL = {"top_pain_point": _pain_delta}


def fill_previous(html: str, figures: Mapping[str, Mapping], previous: Mapping[str, Mapping] | None) -> str:
    """Fill the headline's previous-run slots from the figures of this run and the last one.

    Examples
    --------
    >>> page = '<li>x <span class="jm-prev" data-figure="r"></span></li>'
    >>> fill_previous(page, {"r": {"value": 0.5, "unit": "%"}}, {"r": {"value": 0.4}})
    '<li>x <span class="jm-prev" data-figure="r">(previous run 40.0% (+10.0 points))</span></li>'
    >>> fill_previous(page, {}, None)
    '<li>x </li>'
    """
    def one(match):
        name = match.group(1)
        old = (previous or {}).get(name)
        if not old:
            text = ""
        elif name in _SPECIAL:
            text = _SPECIAL[name](figures, previous)
        else:
            text = _delta(figures.get(name, {}), old)
        if not text:
            return ""
        return f'<span class="jm-prev" data-figure="{name}">({_html.escape(text)})</span>'

    return _PREV.sub(one, html)
