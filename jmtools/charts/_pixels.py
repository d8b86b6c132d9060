"""Layers positioned in raw pixels: the canvases (journey map, empathy map) lay out every
element themselves, so their channels carry no scale and no axis."""

from __future__ import annotations

__all__ = ["px"]


def px(field: str):
    """A position channel in raw pixels (no scale, no axis).

    Fields starting with ``x``, ``bx`` or ``tx`` are horizontal, all others vertical.

    Examples
    --------
    >>> px("x").to_dict(), px("by").to_dict()["field"]
    ({'axis': None, 'field': 'x', 'scale': None, 'type': 'quantitative'}, 'by')
    """
    import altair as alt

    return alt.X(f"{field}:Q", scale=None, axis=None) if field.startswith(("x", "bx", "tx")) \
        else \
        alt.Y(f"{field}:Q", scale=None, axis=None)
