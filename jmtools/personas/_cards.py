"""The persona card: a rich HTML display for JupyterLab and reports, and the journey mapping.

The public names are re-exported by :mod:`jmtools.personas`.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any, Mapping, Sequence

__all__ = ["PersonaCard"]


# ---------------------------------------------------------------------------------------------
# Persona card (display)
# ---------------------------------------------------------------------------------------------

_CARD_FIELDS = ("name", "rule", "cluster", "rest", "backstory", "goals", "motivations", "desires",
                "pain_points", "demographics", "quote", "evidence")

_CARD_CSS = """
.jm-persona{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;max-width:760px;
 border:1px solid #d0d7de;border-radius:10px;padding:16px 18px;margin:6px 0;background:#fff;
 color:#1f2328;line-height:1.4;box-shadow:0 1px 3px rgba(0,0,0,.06)}
.jm-persona .jm-head{display:flex;gap:14px;align-items:center}
.jm-persona .jm-avatar{flex:none;width:52px;height:52px;border-radius:50%;background:#4c78a8;
 color:#fff;display:flex;align-items:center;justify-content:center;font-weight:600;font-size:20px}
.jm-persona h3{margin:0;font-size:20px}
.jm-persona .jm-badge{display:inline-block;font-size:11px;padding:1px 7px;border-radius:9px;
 margin-left:6px;vertical-align:middle;background:#eef1f4;color:#57606a;font-weight:500}
.jm-persona .jm-badge.measured{background:#dafbe1;color:#116329}
.jm-persona .jm-badge.reported{background:#ddf4ff;color:#0550ae}
.jm-persona .jm-badge.assumed{background:#fff8c5;color:#7d4e00}
.jm-persona .jm-rule{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:12px;
 color:#57606a;margin-top:3px;word-break:break-word}
.jm-persona blockquote{margin:12px 0 6px;padding:4px 12px;border-left:4px solid #4c78a8;
 color:#424a53;font-style:italic}
.jm-persona .jm-numbers{display:flex;flex-wrap:wrap;gap:8px;margin:10px 0}
.jm-persona .jm-num{background:#f6f8fa;border-radius:6px;padding:5px 10px;min-width:90px}
.jm-persona .jm-num b{display:block;font-size:16px}
.jm-persona .jm-num span{font-size:11px;color:#57606a}
.jm-persona .jm-grid{display:grid;grid-template-columns:1fr 1fr;gap:4px 18px}
.jm-persona h4{margin:10px 0 2px;font-size:13px;text-transform:uppercase;letter-spacing:.04em;
 color:#57606a}
.jm-persona ul{margin:0;padding-left:18px}
.jm-persona table{border-collapse:collapse;font-size:13px}
.jm-persona table td{padding:1px 10px 1px 0;text-align:left;background:none;border:none}
.jm-persona .jm-empty{color:#8c959f;font-style:italic}
"""


@dataclass(frozen=True)
class PersonaCard:
    """A persona card: who, why, and the data rule that selects their customers.

    Renders as an HTML card in JupyterLab and in reports (``_repr_html_``; all text is escaped),
    and converts to the journey file's persona mapping (:meth:`to_dict`).

    Parameters
    ----------
    name : str
    rule : str, optional
        Rule over customer attributes (see the module docs).
    cluster : int or str, optional
        Cluster id from :func:`suggest_personas` (customers need a ``cluster`` column).
    backstory, quote : str
    goals, motivations, desires, pain_points : sequence of str
    demographics : mapping of str to str
    evidence : {"measured", "reported", "assumed"}, default "assumed"
    numbers : sequence of (label, value, detail)
        Facts shown on the card, e.g. ``("customers", "412", "21% of 1,960")``;
        see :meth:`with_profile`.
    rest : bool, default False
        "Everyone else": the customers no earlier persona selects (instead of a rule).

    Examples
    --------
    >>> card = PersonaCard("Budget <Ben>", rule="age < 30", goals=["Cheap & durable shoes"])
    >>> "Budget &lt;Ben&gt;" in card._repr_html_() and "<Ben>" not in card._repr_html_()
    True
    >>> card.to_dict()
    {'name': 'Budget <Ben>', 'rule': 'age < 30', 'goals': ['Cheap & durable shoes'], 'evidence': 'assumed'}
    """

    name: str
    rule: str | None = None
    cluster: Any = None
    backstory: str = ""
    goals: Sequence[str] = ()
    motivations: Sequence[str] = ()
    desires: Sequence[str] = ()
    pain_points: Sequence[str] = ()
    demographics: Mapping[str, Any] = field(default_factory=dict)
    quote: str = ""
    evidence: str = "assumed"
    numbers: Sequence[tuple] = ()
    rest: bool = False

    @classmethod
    def from_persona(cls, persona, **changes) -> "PersonaCard":
        """Card from a journey ``Persona``, a dict or another card (duck-typed on field names)."""
        get = persona.get if isinstance(persona, Mapping) else \
            (lambda key, _p=persona: getattr(_p, key, None))
        values = {}
        for key in _CARD_FIELDS:
            value = get(key)
            if value is not None:
                values[key] = _plain(value)
        values.update(changes)
        return cls(**values)

    def to_dict(self) -> dict:
        """The card as a journey-file persona mapping (empty fields left out)."""
        out = {}
        for key in _CARD_FIELDS:
            value = getattr(self, key)
            if value is None or (value == "" or (hasattr(value, "__len__") and len(value) == 0)
                                 and key != "evidence") or (key == "rest" and not value):
                continue
            out[key] = list(value) if isinstance(value, tuple) else \
                dict(value) if isinstance(value, Mapping) else value
        return out

    def with_profile(self, sizes=None, kpis=None) -> "PersonaCard":
        """Copy of the card showing its size and KPIs from :func:`persona_sizes` /
        :func:`persona_kpis` (rows for this persona are picked by name)."""
        numbers = list(self.numbers)
        if sizes is not None:
            row = sizes[sizes["persona"].astype(str) == self.name]
            if len(row) and row.iloc[0]["n"] != row.iloc[0]["n"]:   # hidden: fewer than 5, or reveals one
                numbers.append(("customers", "not shown", "fewer than 5, or a count that would reveal one"))
            elif len(row):
                r = row.iloc[0]
                numbers.append(("customers", f"{int(r['n']):,}",
                                f"{r['share']:.0%} of {int(r['total']):,} in the customer "
                                "table"))
        if kpis is not None:
            rows = kpis[kpis["persona"].astype(str) == self.name]
            for r in rows.itertuples():
                if r.value == r.value and (r.n > 0 or r.n != r.n):   # n hidden: it would give a size
                    numbers.append((_KPI_LABELS.get(r.kpi, r.kpi), _fmt_kpi(r.kpi, r.value),
                                    f"n = {int(r.n):,}" if r.n == r.n else "n not shown"))
        return _replace(self, numbers=tuple(numbers))

    def to_html(self) -> str:
        """The card as a self-contained HTML fragment (inline CSS, no scripts, escaped text)."""
        e = _esc
        initials = "".join(w[0] for w in str(self.name).split()[:2]).upper() or "?"
        evidence = str(self.evidence or "assumed")
        parts = [f"<style>{_CARD_CSS}</style>", '<div class="jm-persona">',
                 '<div class="jm-head">', f'<div class="jm-avatar">{e(initials)}</div><div>',
                 f'<h3>{e(self.name)}<span class="jm-badge {e(evidence)}">{e(evidence)}'
                 '</span></h3>']
        if self.rule:
            parts.append(f'<div class="jm-rule">rule: {e(self.rule)}</div>')
        if self.rest:
            parts.append('<div class="jm-rule">everyone else: the customers no earlier persona '
                         'selects</div>')
        if self.cluster is not None:
            parts.append(f'<div class="jm-rule">cluster: {e(self.cluster)}</div>')
        parts.append("</div></div>")
        if self.quote:
            parts.append(f"<blockquote>“{e(self.quote)}”</blockquote>")
        if self.numbers:
            parts.append('<div class="jm-numbers">')
            for label, value, detail in self.numbers:
                parts.append(f'<div class="jm-num"><b>{e(value)}</b><span>{e(label)}'
                             f'{" · " + e(detail) if detail else ""}</span></div>')
            parts.append("</div>")
        if self.backstory:
            parts.append(f"<p>{e(self.backstory)}</p>")
        parts.append('<div class="jm-grid">')
        for title, items in (("Goals", self.goals), ("Motivations", self.motivations),
                             ("Desires", self.desires), ("Pain points", self.pain_points)):
            body = "".join(f"<li>{e(i)}</li>" for i in items) if items else \
                '<li class="jm-empty">not written yet</li>'
            parts.append(f"<div><h4>{title}</h4><ul>{body}</ul></div>")
        parts.append("</div>")
        if self.demographics:
            rows = "".join(f"<tr><td>{e(k)}</td><td>{e(v)}</td></tr>"
                           for k, v in self.demographics.items())
            parts.append(f"<h4>Demographics</h4><table>{rows}</table>")
        parts.append("</div>")
        return "".join(parts)

    def _repr_html_(self) -> str:
        return self.to_html()


def _esc(value) -> str:
    return html.escape(str(value), quote=True)


def _plain(value):
    if isinstance(value, (list, tuple)):
        return tuple(_plain_item(v) for v in value)
    if isinstance(value, Mapping):
        return {str(k): v for k, v in value.items()}
    return value


def _plain_item(v):
    if isinstance(v, Mapping) and "text" in v:
        return str(v["text"])
    return str(getattr(v, "text", v))


def _replace(card, **changes):
    from dataclasses import replace
    return replace(card, **changes)


_KPI_LABELS = {"conversion": "conversion", "order_value": "order value", "csat": "CSAT (1–5)",
               "csat_top2": "CSAT 4–5", "nps": "NPS", "ces": "CES (1–7)"}


def _fmt_kpi(kpi: str, value: float) -> str:
    if kpi in ("conversion", "csat_top2"):
        return f"{value:.0%}"
    if kpi == "nps":
        return f"{value:+.0f}".replace("-", "−")
    if kpi == "order_value":
        return f"{value:,.0f}"
    return f"{value:.2f}"
