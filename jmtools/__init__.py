"""jmtools: customer journey maps computed from evidence.

Import what you need from the submodules (``jmtools.journey``, ``jmtools.sources``…);
importing this package does no work and loads no heavy library.
"""

__version__ = "0.1.0"

__all__ = ["__version__"]
