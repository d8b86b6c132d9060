"""jmtools: customer journey maps computed from evidence.

Import what you need from the submodules (``jmtools.journey``, ``jmtools.sources``…);
importing this package does no work and loads no heavy library.
"""

__version__ = "0.1.0"

__all__ = ["__version__", "load_ipython_extension"]


def load_ipython_extension(ipython) -> None:
    """``%load_ext jmtools``: charts render offline in this notebook, in the jmtools theme.

    Enables the ``jmtools`` Altair renderer and theme through their entry points (see
    :mod:`jmtools.render.notebook`), so charts made with plain Altair render offline too.
    Importing any jmtools chart module does the same unless another renderer was chosen.
    """
    import altair as alt

    alt.theme.enable("jmtools")
    alt.renderers.enable("jmtools")
