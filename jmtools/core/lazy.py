"""Names of a package imported from their submodule on first use (a module ``__getattr__``).

A package lists in a dict which submodule holds each lazily imported name; importing the
package then loads none of those submodules (``jmtools.report`` loads neither papermill nor
nbconvert, ``jmtools.journey`` neither its diff nor its workbook reader).
"""

from __future__ import annotations

import importlib
from typing import Callable, Mapping, Sequence

__all__ = ["lazy_names"]


def lazy_names(package: str, home: Mapping[str, str],
               names: Sequence[str]) -> tuple[Callable[[str], object], Callable[[], list[str]]]:
    """The ``__getattr__`` and ``__dir__`` of a package whose ``home`` names are imported late.

    Parameters
    ----------
    package : str
        The package's ``__name__``.
    home : mapping
        Name → the submodule (relative to ``package``) that defines it.
    names : sequence of str
        What ``dir(package)`` lists (its ``__all__``).

    Returns
    -------
    tuple
        ``(__getattr__, __dir__)``, to assign at the package's top level.

    Examples
    --------
    >>> get, listed = lazy_names("json", {"JSONEncoder": "encoder"}, ["JSONEncoder"])
    >>> get("JSONEncoder").__name__, listed()
    ('JSONEncoder', ['JSONEncoder'])
    >>> get("nothing")
    Traceback (most recent call last):
    ...
    AttributeError: module 'json' has no attribute 'nothing'
    """
    def __getattr__(name: str):
        if name in home:
            return getattr(importlib.import_module(f"{package}.{home[name]}"), name)
        raise AttributeError(f"module {package!r} has no attribute {name!r}")

    def __dir__() -> list[str]:
        return sorted(names)

    return __getattr__, __dir__
