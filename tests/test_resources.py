"""jmtools.core.resources: the bundled files, and the data folder a parameter value names."""

from __future__ import annotations

import pickle

import pytest

from jmtools.core.errors import ParameterError
from jmtools.core.resources import data_dir, resolve_data_dir, sample_worlds, suggest_path


def test_sample_names_resolve_to_the_bundled_worlds_from_any_folder(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for name in ("ecommerce", "b2b"):
        folder = resolve_data_dir(f"sample:{name}")
        assert folder == data_dir() / name and folder.is_absolute()
        assert (folder / "journey.yaml").is_file()
    assert set(sample_worlds()) >= {"ecommerce", "b2b"}


def test_a_relative_path_starts_from_the_working_directory(tmp_path, monkeypatch):
    (tmp_path / "exports").mkdir()
    monkeypatch.chdir(tmp_path)
    assert resolve_data_dir("exports").resolve() == (tmp_path / "exports").resolve()
    assert resolve_data_dir(tmp_path / "exports") == tmp_path / "exports"


def test_a_missing_folder_names_the_value_the_cwd_and_the_sample_names(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ParameterError) as err:
        resolve_data_dir("../data/ecommerce")
    text = str(err.value)
    assert "'../data/ecommerce'" in text and str(tmp_path) in text
    assert "sample:ecommerce" in text and "sample:b2b" in text and "Fix:" in text
    assert err.value.name == "data_dir"
    assert str(pickle.loads(pickle.dumps(err.value))) == text


def test_a_file_is_not_a_data_folder(tmp_path):
    (tmp_path / "events.csv").write_text("x\n")
    with pytest.raises(ParameterError, match="is a file"):
        resolve_data_dir(tmp_path / "events.csv")


def test_an_unknown_sample_name_suggests_the_closest():
    with pytest.raises(ParameterError) as err:
        resolve_data_dir("sample:ecomerce")
    assert "did you mean 'sample:ecommerce'" in str(err.value)


def test_a_mistyped_folder_is_answered_with_the_closest_existing_one(tmp_path, monkeypatch):
    (tmp_path / "exports").mkdir()
    (tmp_path / "exprts.csv").write_text("x\n")             # a file is not offered for a folder
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ParameterError, match="did you mean 'exports'"):
        resolve_data_dir("exprts")
    with pytest.raises(ParameterError) as err:
        resolve_data_dir(tmp_path / "exprots")
    assert f"did you mean '{tmp_path / 'exports'}'" in str(err.value)
    assert "relative paths start" not in str(err.value)     # the path given was absolute
    assert suggest_path("zzz", folders=True) is None and suggest_path("x/y/z") is None
