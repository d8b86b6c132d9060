"""Where the kit's bundled files live (templates, notebooks, sample data)."""

from __future__ import annotations

import os
from pathlib import Path

from jmtools.core.errors import ParameterError

__all__ = ["project_root", "templates_dir", "journey_templates", "notebooks_dir", "data_dir",
           "SAMPLE_PREFIX", "sample_worlds", "resolve_data_dir"]

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
        raise ParameterError(
            "data_dir", text,
            expected=f"an existing data folder (this path {what}; relative paths start from the "
                     f"current working directory {os.getcwd()})",
            fix="pass the folder that holds events.csv, customers.csv, … (an absolute path works "
                "from anywhere), or a bundled sample world: " + (", ".join(names) or "none bundled"))
    return folder
