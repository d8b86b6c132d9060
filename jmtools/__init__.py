"""jmtools: customer journey maps computed from evidence.

Import what you need from the submodules (``jmtools.journey``, ``jmtools.sources``…);
importing this package does no work and loads no heavy library.

One import hook is installed (decision D22): when ``jsonschema`` — which Altair imports — looks
for its optional ``rfc3987_syntax`` checker of the "iri" formats, it is told the checker is
absent. Building that checker's grammars takes seconds of CPU in every process that imports
Altair, and no Vega-Lite schema uses those formats. Any other import of ``rfc3987_syntax``
works as usual.

In a Jupyter kernel, the kit's own warnings ("feedback: 54 rows dropped …") are said on one line,
``note: …``, instead of with a file path, a line number and a line of source the analyst never
wrote (the command line does the same while a command runs). Other warnings are shown as before.
"""

import sys as _sys

__version__ = "0.1.0"

__all__ = ["__version__", "load_ipython_extension"]


class _NoIriGrammarsForJsonschema:
    """A meta-path finder: ``rfc3987_syntax`` is absent for ``jsonschema._format`` only."""

    def find_spec(self, name, path=None, target=None):
        if name != "rfc3987_syntax":
            return None
        frame = _sys._getframe(1)
        while frame is not None:
            if frame.f_globals.get("__name__") == "jsonschema._format":
                raise ModuleNotFoundError("rfc3987_syntax is not used by jsonschema under jmtools",
                                          name=name)
            frame = frame.f_back
        return None


if not any(type(f).__name__ == _NoIriGrammarsForJsonschema.__name__ for f in _sys.meta_path):
    _sys.meta_path.insert(0, _NoIriGrammarsForJsonschema())


def _plain(shown):
    """``warnings.showwarning`` that says a kit's ``UserWarning`` as ``note: …`` and hands any other
    warning to ``shown``."""
    def show(message, category, filename, lineno, file=None, line=None):
        if category is UserWarning and ("jmtools" in str(filename) or _raised_by_kit()):
            print(f"note: {message}", file=file or _sys.stderr)
        else:
            shown(message, category, filename, lineno, file, line)
    show.jmtools_plain = True
    return show


def _raised_by_kit() -> bool:
    """Whether the warning being shown was raised by the kit's own code: the first frame above
    the ``warnings`` machinery is in a ``jmtools`` module. A warning that names its caller's line
    (``stacklevel=2``: a notebook cell, ``/tmp/ipykernel_…py``) is still the kit's (D215)."""
    frame = _sys._getframe(2)               # above show() and the one calling it
    while frame is not None and frame.f_globals.get("__name__", "").lstrip("_") in ("warnings", "py_warnings"):
        frame = frame.f_back
    name = frame.f_globals.get("__name__", "") if frame is not None else ""
    return name == "jmtools" or name.startswith("jmtools.")


if "ipykernel" in _sys.modules:
    import warnings as _warnings

    if not getattr(_warnings.showwarning, "jmtools_plain", False):
        _warnings.showwarning = _plain(_warnings.showwarning)


def load_ipython_extension(ipython) -> None:
    """``%load_ext jmtools``: charts render offline in this notebook, in the jmtools theme.

    Enables the ``jmtools`` Altair renderer and theme through their entry points (see
    :mod:`jmtools.render.notebook`), so charts made with plain Altair render offline too.
    Importing any jmtools chart module does the same unless another renderer was chosen.
    """
    import altair as alt

    alt.theme.enable("jmtools")
    alt.renderers.enable("jmtools")
