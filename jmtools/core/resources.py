"""Where the kit's bundled files live (templates, notebooks, sample data)."""

from __future__ import annotations

import os
from pathlib import Path

from jmtools.core.errors import ParameterError, suggest

__all__ = ["project_root", "templates_dir", "journey_templates", "notebooks_dir", "data_dir",
           "SAMPLE_PREFIX", "sample_worlds", "resolve_data_dir", "suggest_path"]

#: How a parameter names a bundled sample world: ``"sample:ecommerce"``.
SAMPLE_PREFIX = "sample:"


def project_root() -> Path:
    """The folder holding ``jmtools/``, ``templates/``, ``notebooks/`` and ``data/``."""
    return Path(__file__).resolve().parents[2]


def templates_dir() -> Path:
    """Folder of templates (journeys, nbconvert)."""
    return project_root() / "templates"


def journey_templates() -> dict[str, Path]:
    """Template name → journey template file, e.g. ``{'ecommerce': …/ecommerce.yaml}``.

    Examples
    --------
    >>> "ecommerce" in journey_templates()
    True
    """
    return {p.stem: p for p in sorted((templates_dir() / "journeys").glob("*.yaml"))}


def notebooks_dir() -> Path:
    """Folder of the parameterised notebooks."""
    return project_root() / "notebooks"


def data_dir() -> Path:
    """Folder of the bundled sample worlds."""
    return project_root() / "data"


def sample_worlds() -> dict[str, Path]:
    """Bundled sample world name → its folder (every folder of :func:`data_dir` with a journey.yaml).

    Examples
    --------
    >>> sorted(sample_worlds())
    ['b2b', 'ecommerce', 'grocery']
    """
    root = data_dir()
    if not root.is_dir():
        return {}
    return {p.name: p for p in sorted(root.iterdir()) if (p / "journey.yaml").is_file()}


def resolve_data_dir(value: str | os.PathLike) -> Path:
    """The data folder a parameter value names: a bundled sample world, or a path.

    Parameters
    ----------
    value : str or path-like
        ``"sample:<name>"`` (``"sample:ecommerce"``, ``"sample:b2b"``, ``"sample:grocery"``)
        for a bundled sample world, wherever the code runs; anything else is a path,
        relative to the current working directory.

    Returns
    -------
    pathlib.Path
        The folder: absolute for a sample world, as given for a path.

    Raises
    ------
    ParameterError
        The sample world is unknown, or the path is not an existing folder; the message names
        the value, the current working directory and the ``sample:`` names to use instead.

    Examples
    --------
    >>> resolve_data_dir("sample:ecommerce") == data_dir() / "ecommerce"
    True
    >>> resolve_data_dir(data_dir() / "b2b").name
    'b2b'
    >>> resolve_data_dir("no/such/folder")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    jmtools.core.errors.ParameterError: data_dir must be an existing data folder ...
    """
    samples = sample_worlds()
    names = [SAMPLE_PREFIX + name for name in samples]
    text = os.fspath(value)
    if isinstance(text, str) and text.startswith(SAMPLE_PREFIX):
        name = text[len(SAMPLE_PREFIX):]
        if name not in samples:
            raise ParameterError("data_dir", text, expected=names or "a bundled sample world",
                                 fix="" if names else "regenerate them: jmtools sample-data")
        return samples[name]
    folder = Path(text)
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "does not exist"
        where = "" if folder.is_absolute() else (f"; relative paths start from the current "
                                                 f"working directory {os.getcwd()}")
        near = None if folder.exists() else suggest_path(folder, folders=True)
        raise ParameterError(
            "data_dir", text, expected=f"an existing data folder (this path {what}{where})",
            fix=(f"did you mean {near!r}? " if near else "")
                + "pass the folder that holds events.csv, customers.csv, … (an absolute path works "
                "from anywhere), or a bundled sample world: " + (", ".join(names) or "none bundled"))
    return folder


def suggest_path(path, *, folders: bool = False, suffix: str = "") -> str | None:
    """The existing neighbour closest to a path that does not exist, for a "did you mean".

    Parameters
    ----------
    path : path-like
        The path as the user typed it.
    folders : bool, default False
        Look for a folder (True) or a file (False) in the path's parent folder.
    suffix : str, optional
        Only files ending so (``".ipynb"``).

    Returns
    -------
    str or None
        The neighbour's path written as ``path`` was (relative stays relative); None when the
        parent folder cannot be read or nothing is close.

    Examples
    --------
    >>> suggest_path(data_dir() / "ecomerce", folders=True) == str(data_dir() / "ecommerce")
    True
    >>> suggest_path("no/such/folder/journey.yaml") is None
    True
    """
    import itertools

    given = Path(path)
    try:
        with os.scandir(given.parent) as entries:
            names = [e.name for e in itertools.islice(entries, 10_000)
                     if e.is_dir() == folders and e.name.endswith(suffix)]
    except OSError:
        return None
    near = suggest(given.name, names)
    return str(given.parent / near) if near else None
