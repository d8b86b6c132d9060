"""Where the kit's bundled files live (templates, notebooks, sample data)."""

from __future__ import annotations

from pathlib import Path

__all__ = ["project_root", "templates_dir", "journey_templates", "notebooks_dir", "data_dir"]


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
