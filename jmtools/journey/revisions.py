"""A journey file as it was in a git revision, so two versions of one map can be compared.

A journey file kept under version control is the map's history: :func:`journey_at` reads it
as it was in any revision (``git show REV:path``), and :func:`diff_revisions` lists what
changed between two revisions (:func:`~jmtools.journey.diff.diff_journeys`). Nothing is
checked out and the working copy is not touched. Outside a git repository, for an unknown
revision, or for a file the revision does not have, the error names the file and says what
to do.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from jmtools.core.errors import JourneyError, MissingDependencyError, Problem
from jmtools.journey.diff import diff_journeys
from jmtools.journey.model import Journey

__all__ = ["journey_at", "diff_revisions"]


def _git(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(["git", *args], cwd=cwd, capture_output=True, text=True, check=False,
                              timeout=60)
    except FileNotFoundError:
        raise MissingDependencyError("git", "reading a journey file from a git revision") from None


def journey_at(path, rev: str) -> Journey:
    """The journey file at ``path`` as it was in git revision ``rev``.

    Parameters
    ----------
    path : str or Path
        The journey file (in the working copy of a git repository; it need not exist there
        any more).
    rev : str
        Any revision git understands: ``HEAD``, ``HEAD~3``, a tag, a branch, a commit.

    Returns
    -------
    Journey
        Validated; its ``path`` is the working-copy path (so persona library references
        resolve next to it), its source in messages ``REV:path``.

    Raises
    ------
    JourneyError
        Not inside a git repository, an unknown revision, or a file the revision lacks; the
        problem names the file and the fix.

    Examples
    --------
    >>> import tempfile
    >>> journey_at(Path(tempfile.mkdtemp()) / "journey.yaml", "HEAD")
    Traceback (most recent call last):
    ...
    jmtools.core.errors.JourneyError: ...journey.yaml: not inside a git repository...
    """
    path = Path(path).absolute()
    folder = path.parent if path.parent.exists() else Path.cwd()
    top = _git(["rev-parse", "--show-toplevel"], folder)
    if top.returncode != 0 or not path.parent.exists():
        raise JourneyError([Problem(
            "not inside a git repository, so there is no revision to read",
            fix="compare two files instead (jmtools diff OLD.yaml NEW.yaml), or keep the journey "
                "file in a git repository (git init; git add; git commit)", source=str(path))])
    root = Path(top.stdout.strip())
    rel = (path.parent.resolve() / path.name).relative_to(root.resolve()).as_posix()
    shown = _git(["show", f"{rev}:{rel}"], root)
    if shown.returncode != 0:
        reason = (shown.stderr.strip().splitlines() or ["git show failed"])[0]
        raise JourneyError([Problem(
            f"cannot read revision {rev!r} of {rel}: {reason.removeprefix('fatal: ')}",
            fix=f"list the revisions that have it: git log --oneline -- {rel}", source=str(path))])
    journey = Journey.from_yaml(shown.stdout, source=f"{rev}:{rel}")
    journey._path = path
    return journey


def diff_revisions(path, old_rev: str, new_rev: str | None = None) -> list[dict]:
    """What changed in the journey file between two revisions (``new_rev`` None: the working copy).

    Returns the changes of :func:`~jmtools.journey.diff.diff_journeys`.
    """
    old = journey_at(path, old_rev)
    new = Journey.load(path) if new_rev is None else journey_at(path, new_rev)
    return diff_journeys(old, new)
