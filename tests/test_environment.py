"""environment.yml and pyproject.toml list the same packages with the same pins."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from packaging.requirements import Requirement

ROOT = Path(__file__).resolve().parents[1]

#: PyPI name → conda-forge name, where they differ.
CONDA_NAMES = {"duckdb": "python-duckdb", "ibis-framework": "ibis-duckdb",
               "vadersentiment": "vadersentiment", "ruamel-yaml": "ruamel.yaml"}


def _pyproject():
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        tomllib = pytest.importorskip("tomli")
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _pypi_requirements() -> dict[str, set]:
    project = _pyproject()["project"]
    reqs = project["dependencies"] + project["optional-dependencies"]["dev"]
    out = {}
    for text in reqs:
        req = Requirement(text)
        name = re.sub(r"[-_.]+", "-", req.name).lower()
        out[CONDA_NAMES.get(name, name)] = {(s.operator, s.version) for s in req.specifier}
    return out


def _conda_requirements() -> dict[str, set]:
    from rattler import MatchSpec
    from ruamel.yaml import YAML

    env = YAML(typ="safe").load((ROOT / "environment.yml").read_text())
    assert set(env) == {"name", "channels", "dependencies"}
    assert env["channels"] == ["conda-forge"]
    out = {}
    for dep in env["dependencies"]:
        assert isinstance(dep, str), f"environment.yml: dependency {dep!r} must be a string"
        spec = MatchSpec(dep)  # raises on a malformed spec
        name = spec.name.normalized
        if name in ("python", "pip"):
            continue
        version = dep.split(None, 1)[1] if " " in dep else ""
        parts = {re.match(r"(>=|<=|==|!=|<|>|~=)(.+)", v.strip()).groups()
                 for v in version.split(",") if v.strip()}
        out[name] = parts
    return out


def test_environment_yml_lists_the_same_packages_as_pyproject():
    pypi, conda = _pypi_requirements(), _conda_requirements()
    assert sorted(set(pypi) - set(conda)) == [], "in pyproject.toml only"
    assert sorted(set(conda) - set(pypi)) == [], "in environment.yml only"


def test_environment_yml_pins_match_pyproject():
    pypi, conda = _pypi_requirements(), _conda_requirements()
    different = {name: (pypi[name], conda[name]) for name in pypi if pypi[name] != conda[name]}
    assert different == {}


def test_environment_yml_requires_a_supported_python():
    assert "  - python >=3.10" in (ROOT / "environment.yml").read_text()
    assert _pyproject()["project"]["requires-python"] == ">=3.10"
