"""A journey file read from git revisions: two commits of one file compared, and located
errors outside a repository, for an unknown revision and for a file a revision lacks."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import pytest

from jmtools.core.errors import JourneyError
from jmtools.journey import Journey
from jmtools.journey.revisions import diff_revisions, journey_at

TEMPLATE = Path(__file__).resolve().parents[1] / "templates" / "journeys" / "ecommerce.yaml"


def _git(repo: Path, *args: str) -> None:
    subprocess.run(["git", "-c", "user.name=t", "-c", "user.email=t@example.org", *args], cwd=repo,
                   check=True, capture_output=True)


@pytest.fixture
def repo(tmp_path):
    """A repository with two commits of maps/journey.yaml: v1 the template, v2 a stage renamed
    and an opportunity done; the working copy has one more change."""
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    (tmp_path / "maps").mkdir()
    path = tmp_path / "maps" / "journey.yaml"
    shutil.copy(TEMPLATE, path)
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-qm", "v1")
    text = path.read_text().replace("Consideration", "Evaluation").replace("status: planned", "status: done", 1)
    path.write_text(text)
    _git(tmp_path, "commit", "-qam", "v2")
    path.write_text(text.replace("owner: CX team", "owner: Journey team", 1))
    return path


def test_two_revisions_of_one_file(repo):
    old = journey_at(repo, "HEAD~1")
    assert "Consideration" in old.stage_names and old.path == repo.absolute()
    changes = diff_revisions(repo, "HEAD~1", "HEAD")
    assert {(c["section"], c["change"], c["old"], c["new"]) for c in changes} == {
        ("stage", "renamed", "Consideration", "Evaluation"),
        ("opportunity", "changed", "planned", "done")}
    working = diff_revisions(repo, "HEAD")
    assert [(c["field"], c["new"]) for c in working] == [("owner", "Journey team")]


def test_errors_say_where_and_what_to_do(repo, tmp_path_factory):
    with pytest.raises(JourneyError) as err:
        journey_at(repo, "no-such-rev")
    assert "no-such-rev" in str(err.value) and "git log --oneline -- maps/journey.yaml" in str(err.value)
    with pytest.raises(JourneyError, match="does not exist|exists on disk"):
        journey_at(repo.with_name("other.yaml"), "HEAD")
    outside = tmp_path_factory.mktemp("plain") / "journey.yaml"
    Journey.load(TEMPLATE).save(outside)
    with pytest.raises(JourneyError) as err:
        journey_at(outside, "HEAD")
    assert err.value.problems[0].source == str(outside.absolute())
    assert "not inside a git repository" in str(err.value) and "jmtools diff OLD.yaml NEW.yaml" in str(err.value)
