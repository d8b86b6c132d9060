"""``jmtools diff``: two files, git revisions, text, table and CSV, and its errors."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from jmtools.cli.main import main

TEMPLATE = Path(__file__).resolve().parents[1] / "templates" / "journeys" / "b2b_service.yaml"


@pytest.fixture
def versions(tmp_path):
    old = tmp_path / "old.yaml"
    shutil.copy(TEMPLATE, old)
    new = tmp_path / "new.yaml"
    new.write_text(old.read_text().replace("Qualification", "Discovery call"))
    return old, new


def test_two_files_as_text_table_and_csv(versions, capsys):
    old, new = versions
    assert main(["diff", str(old), str(new)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"1 change from {old} to {new}")
    assert "stage 'Qualification' renamed to 'Discovery call'" in out
    assert main(["diff", str(old), str(new), "--table"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["section", "item", "field", "change", "old", "new"] and len(table) == 2
    assert main(["diff", str(old), str(new), "--csv"]) == 0
    assert capsys.readouterr().out.splitlines()[1].startswith("stage,Discovery call,,renamed,Qualification")
    assert main(["diff", str(old), str(old)]) == 0
    assert capsys.readouterr().out.strip() == f"no changes from {old} to {old}"


def test_revisions_and_the_error_outside_a_repository(versions, tmp_path, capsys):
    old, new = versions
    assert main(["diff", str(old), "--rev", "HEAD"]) == 1
    err = capsys.readouterr().err
    assert err.startswith(f"error: {old}: not inside a git repository") and "Fix:" in err
    assert main(["diff", str(old), str(new), "--rev", "HEAD"]) == 1
    assert "--rev" in capsys.readouterr().err
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org"]
    subprocess.run([*git, "init", "-q"], cwd=tmp_path, check=True)
    subprocess.run([*git, "add", "old.yaml"], cwd=tmp_path, check=True)
    subprocess.run([*git, "commit", "-qm", "v1"], cwd=tmp_path, check=True)
    shutil.copy(new, old)
    assert main(["diff", str(old), "--rev", "HEAD"]) == 0
    out = capsys.readouterr().out
    assert f"from {old} @ HEAD to {old} (working copy)" in out and "renamed to 'Discovery call'" in out
