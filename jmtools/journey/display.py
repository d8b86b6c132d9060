"""How Jupyter shows a Journey: a hook, named here, that a higher layer provides.

The journey layer draws nothing itself. :meth:`Journey._repr_mimebundle_
<jmtools.journey.model.Journey>` calls :func:`display_bundle`, which imports the registered
hook when it is called (by default the map of :data:`DEFAULT_DISPLAY`) and returns its
MIME bundle. When the hook cannot be imported (charting packages missing, a renamed
module), the journey still shows: as a short text describing its stages and personas.

Examples
--------
>>> from jmtools.journey import Journey
>>> j = Journey.from_yaml("name: Demo\\nstages: [{name: A}, {name: B}]")
>>> previous = set_display_hook(lambda journey: {"text/plain": f"map of {journey.name}"})
>>> display_bundle(j)
{'text/plain': 'map of Demo'}
>>> _ = set_display_hook(None)  # back to the default
"""

from __future__ import annotations

import importlib
from typing import Any, Callable, Union

from jmtools.core.errors import ParameterError

__all__ = ["DEFAULT_DISPLAY", "set_display_hook", "display_bundle"]

#: The hook used unless :func:`set_display_hook` names another: ``"module:function"``.
DEFAULT_DISPLAY = "jmtools.charts.journeymap:journey_mimebundle"

Hook = Union[Callable[[Any], dict], str]
_hook: Hook = DEFAULT_DISPLAY


def set_display_hook(hook: Hook | None) -> Hook:
    """Choose what draws a journey in Jupyter.

    Parameters
    ----------
    hook : callable or str or None
        A function ``journey -> MIME bundle (dict)``, or its ``"module:function"`` name
        (imported when a journey is shown), or None for :data:`DEFAULT_DISPLAY`.

    Returns
    -------
    callable or str
        The hook used until now, so a caller can put it back.
    """
    global _hook
    if hook is not None and not callable(hook) and not (
            isinstance(hook, str) and _split(hook) is not None):
        raise ParameterError("display hook", hook,
                             expected="a callable or a 'module:function' string",
                             fix=f"e.g. set_display_hook({DEFAULT_DISPLAY!r})")
    previous, _hook = _hook, DEFAULT_DISPLAY if hook is None else hook
    return previous


def display_bundle(journey) -> dict:
    """The MIME bundle Jupyter shows for ``journey``, drawn by the registered hook.

    Returns
    -------
    dict
        MIME type → content, as the hook returns it; when the hook cannot be imported,
        ``text/markdown`` and ``text/plain`` describing the stages and personas.
    """
    hook = _hook
    if isinstance(hook, str):
        try:
            hook = _resolve(hook)
        except (ImportError, AttributeError) as err:
            return _text_bundle(journey, f"{type(err).__name__}: {err}")
    return hook(journey)


def _split(name: str) -> tuple[str, str] | None:
    module, sep, function = name.partition(":")
    return (module, function) if sep and module and function else None


def _resolve(name: str) -> Callable[[Any], dict]:
    module, function = _split(name)
    return getattr(importlib.import_module(module), function)


def _text_bundle(journey, reason: str) -> dict:
    """A journey described in words, for when the map cannot be drawn."""
    stages = " → ".join(journey.stage_names)
    personas = ", ".join(journey.persona_names) or "none"
    plain = (f"<Journey {journey.name}: {len(journey.stages)} stages, "
             f"{len(journey.touchpoints)} touchpoints, {len(journey.personas)} personas>")
    markdown = (f"**{journey.name}** (journey)\n\n- stages: {stages}\n- personas: {personas}\n\n"
                f"*The map could not be drawn: {reason}.*")
    return {"text/markdown": markdown, "text/plain": f"{plain}\n(the map could not be drawn: {reason})"}
