"""The teacher's side of the track: learner copies without the solutions, a reset, the answers.

- :func:`copy_track` writes a learner's folder: the eight notebooks, output-free, without
  ``solutions/`` or ``FACILITATOR.md`` (``solutions=True`` adds both, for the teacher's copy).
  The notebooks need nothing else: ``data_dir = "sample:ecommerce"`` finds the bundled world
  from any folder.
- :func:`reset_notebook` puts one notebook of such a folder back as it was given out, keeping
  the learner's version beside it.
- :func:`read_checks` reads what a saved notebook's ``lesson.check`` cells said (the learner's
  answer as typed and the ✓/✗ shown); :func:`collect_answers` does it for every learner's folder.
  Nothing is run: a notebook saved before its cells ran says "not run".
- :func:`check_solutions` runs the solution notebooks on a data folder, as a teacher does before
  the day, and says for each exercise whether its solution is judged right.
- :func:`scratch_folder` is where steps 6 and 7 write when ``output_dir`` is empty: one folder
  per user and step, reused at every run (each run made a new temporary folder).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import tempfile
from pathlib import Path

import pandas as pd

from jmtools.core.errors import ParameterError, ReportError
from jmtools.core.resources import notebooks_dir
from jmtools.report.runner import read_parameters, run_notebook
from jmtools.teaching.exercises import EXERCISES, STEPS
from jmtools.teaching.feedback import HINTS

__all__ = ["copy_track", "reset_notebook", "read_checks", "collect_answers", "check_solutions", "scratch_folder",
           "ANSWER_COLUMNS", "track_folder"]

#: The columns of :func:`read_checks` and :func:`collect_answers` (``learner`` first there).
ANSWER_COLUMNS = ["notebook", "exercise", "status", "code", "answer", "feedback"]
_STEMS = [STEPS[n][0] for n in STEPS]
_CHECK = re.compile(r'(?:lesson|lesson_in\(globals\(\)\))\.check\(\s*"(\d\.\d)"')
_SHOWN = re.compile(r"^(✓|✗|…) Exercise (\d\.\d)")
_BY_NAME = {name: code for code, (name, _) in HINTS.items()}


def track_folder() -> Path:
    """The folder of the teaching notebooks shipped with jmtools (``notebooks/teaching``).

    Examples
    --------
    >>> sorted(p.name for p in track_folder().glob("0[01]*.ipynb"))
    ['00_start_here.ipynb', '01_personas.ipynb']
    """
    folder = notebooks_dir() / "teaching"
    if not (folder / f"{_STEMS[0]}.ipynb").is_file():
        raise ParameterError("teaching notebooks", str(folder), expected="the folder of the track's notebooks",
                             fix="install jmtools from a checkout (pip install -e .): the notebooks live "
                                 "in its notebooks/teaching/ folder")
    return folder


def _clean(source: Path) -> str:
    """A notebook's text without outputs or execution counts."""
    nb = json.loads(source.read_text(encoding="utf-8"))
    for cell in nb["cells"]:
        if cell["cell_type"] == "code":
            cell["outputs"], cell["execution_count"] = [], None
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def copy_track(folders, *, solutions: bool = False, force: bool = False) -> list[Path]:
    """Write a learner's copy of the track into each folder of ``folders``.

    Parameters
    ----------
    folders : path-like or list of path-like
        One folder per learner; each is made. A folder that exists and holds files is refused
        (before anything is written) unless ``force``.
    solutions : bool, default False
        Add ``solutions/`` and ``FACILITATOR.md`` (the teacher's copy).
    force : bool, default False
        Write into folders that hold files: the track's notebooks there are replaced (a
        learner's answers in them are lost); other files are left alone.

    Returns
    -------
    list of Path
        The files written.

    Examples
    --------
    >>> import tempfile, pathlib
    >>> room = pathlib.Path(tempfile.mkdtemp())
    >>> [p.name for p in copy_track(room / "ana")][:2]
    ['00_start_here.ipynb', '01_personas.ipynb']
    >>> sorted(p.name for p in (room / "ana").iterdir()) == [f"{s}.ipynb" for s in _STEMS]
    True
    >>> copy_track(room / "ana")
    Traceback (most recent call last):
    ...
    jmtools.core.errors.ParameterError: folder must be a folder that does not exist yet, or is empty — got '...ana'
      Fix: name a new folder, or pass force=True (--force) to replace the track's notebooks in it: the answers in them are lost
    """
    targets = [Path(f) for f in ([folders] if isinstance(folders, (str, os.PathLike)) else folders)]
    source = track_folder()
    for target in targets:
        if target.exists() and not target.is_dir():
            raise ParameterError("folder", str(target), expected="a folder", fix="name a folder, not a file")
        if target.is_dir() and any(target.iterdir()) and not force:
            raise ParameterError("folder", str(target), expected="a folder that does not exist yet, or is empty",
                                 fix="name a new folder, or pass force=True (--force) to replace the track's "
                                     "notebooks in it: the answers in them are lost")
    names = [f"{s}.ipynb" for s in _STEMS]
    extra = [f"solutions/{n}" for n in names] + ["FACILITATOR.md"] if solutions else []
    written = []
    for target in targets:
        for name in names + extra:
            path = target / name
            path.parent.mkdir(parents=True, exist_ok=True)
            if name.endswith(".ipynb"):
                path.write_text(_clean(source / name), encoding="utf-8")
            else:
                shutil.copyfile(source / name, path)
            written.append(path)
    return written


def reset_notebook(path) -> tuple[Path, Path | None]:
    """Put one notebook of a learner's copy back as it was given out.

    The learner's version is kept beside it as ``<name>.before-reset.ipynb`` (replacing an
    earlier one); a notebook in a ``solutions`` folder gets its solution back.

    Parameters
    ----------
    path : path-like
        The notebook (``class/ana/05_patterns_and_pain_points.ipynb``); it may be missing (a
        deleted notebook is written again) but its folder must exist.

    Returns
    -------
    tuple of Path
        The notebook written, and the learner's version kept (None when there was none).

    Examples
    --------
    >>> import tempfile, pathlib
    >>> ana = pathlib.Path(tempfile.mkdtemp())
    >>> (ana / "01_personas.ipynb").write_text("{}")
    2
    >>> [p.name for p in reset_notebook(ana / "01_personas.ipynb")]
    ['01_personas.ipynb', '01_personas.before-reset.ipynb']
    >>> reset_notebook(ana / "01_persona.ipynb")
    Traceback (most recent call last):
    ...
    jmtools.core.errors.ParameterError: notebook must be one of '00_start_here.ipynb', ... — got '01_persona.ipynb'
      Fix: did you mean '01_personas.ipynb'?
    """
    path = Path(path)
    names = [f"{s}.ipynb" for s in _STEMS]
    if path.name not in names:
        same = [n for n in names if n[:3] == path.name[:3]]       # "05_pattern.ipynb": the step's number
        raise ParameterError("notebook", path.name, expected=names,
                             fix=f"did you mean {same[0]!r}?" if same else "")
    if not path.parent.is_dir():
        raise ParameterError("notebook", str(path), expected="a notebook in a folder that exists",
                             fix="name the notebook inside a learner's copy (jmtools teaching copy makes one)")
    source = track_folder() / ("solutions" if path.parent.name == "solutions" else "") / path.name
    kept = None
    if path.exists():
        kept = path.with_name(f"{path.stem}.before-reset.ipynb")
        shutil.copyfile(path, kept)
    path.write_text(_clean(source), encoding="utf-8")
    return path, kept


def _shown(cell: dict) -> tuple[str, str, str]:
    """(status, code, feedback) of a check cell, from its saved outputs."""
    for out in cell.get("outputs", []):
        if out.get("output_type") == "error":
            if out.get("ename") == "CheckFailed":
                text = out.get("evalue", "")
                break
            return "error", out.get("ename", ""), f"{out.get('ename')}: {out.get('evalue', '')}"
        text = "".join(out.get("data", {}).get("text/plain", "")) or "".join(out.get("text", ""))
        if _SHOWN.match(text):
            break
    else:
        return ("not run" if cell.get("execution_count") is None else "no feedback"), "", ""
    title, _, message = text.partition("\n")
    mark = _SHOWN.match(title).group(1) if _SHOWN.match(title) else "✗"
    code = _BY_NAME.get(title[title.find("(") + 1:title.rfind(")")], "") if mark == "✗" else \
        ("unanswered" if mark == "…" else "")
    status = {"✓": "right", "…": "not answered"}.get(mark, "not available" if code == "not-available"
                                                     else "not yet")
    return status, code, " ".join(message.replace("Why this matters: ", "").split())


def read_checks(notebook) -> pd.DataFrame:
    """What the ``lesson.check`` cells of a saved notebook said, one row per exercise.

    Parameters
    ----------
    notebook : path-like or dict
        A notebook of the track as saved (a path, or its JSON as a dict).

    Returns
    -------
    pandas.DataFrame
        :data:`ANSWER_COLUMNS`: ``notebook`` (its file's stem), ``exercise`` (``"4.2"``),
        ``status`` ("right", "not yet", "not answered", "not available", "error", "not run",
        "no feedback" or "no cell": the check's cell was deleted), ``code`` (the hint's code,
        :data:`~jmtools.teaching.feedback.HINTS`), ``answer`` (the answer cell's code before the
        check, as typed) and ``feedback`` (the message shown). Exercises in the track's order.

    Examples
    --------
    >>> read_checks(track_folder() / "00_start_here.ipynb")[["exercise", "status", "answer"]]
      exercise   status answer
    0      0.1  not run    ...
    1      0.2  not run    ...
    """
    nb = json.loads(Path(notebook).read_text(encoding="utf-8")) if not isinstance(notebook, dict) else notebook
    stem = Path(notebook).stem if not isinstance(notebook, dict) else nb.get("metadata", {}).get("name", "")
    found = {}
    for cell in nb.get("cells", []):
        source = "".join(cell.get("source", ""))
        hit = _CHECK.search(source) if cell.get("cell_type") == "code" else None
        if hit:
            typed = re.sub(r"(?m)^from jmtools\.teaching import lesson_in\s*$", "", source[:hit.start()]).strip()
            answer = re.sub(rf"^answer_{hit.group(1).replace('.', '_')}\s*=\s*", "", typed)
            found[hit.group(1)] = (*_shown(cell), re.sub(r"\s*#[^\n]*$", "", answer))
    step = next((n for n, (s, _) in STEPS.items() if s == stem), None)
    ids = [e for e, ex in EXERCISES.items() if ex.step == step] if step is not None else list(found)
    rows = [(stem, e, *(found[e][:3] if e in found else ("no cell", "", "")),
             found[e][3] if e in found else "") for e in ids]
    return pd.DataFrame(rows, columns=["notebook", "exercise", "status", "code", "feedback", "answer"])[ANSWER_COLUMNS]


def collect_answers(folders) -> pd.DataFrame:
    """The checked answers of every learner: :func:`read_checks` of each notebook of the track in
    each folder (a learner's copy; the folder's name is the learner's).

    Returns
    -------
    pandas.DataFrame
        ``learner`` and :data:`ANSWER_COLUMNS`, one row per learner and exercise; a notebook not
        in the folder gives its exercises the status "no notebook".

    Examples
    --------
    >>> import tempfile, pathlib
    >>> room = pathlib.Path(tempfile.mkdtemp())
    >>> _ = copy_track([room / "ana", room / "ben"])
    >>> answers = collect_answers(sorted(room.iterdir()))
    >>> len(answers), answers["learner"].unique().tolist(), answers["status"].unique().tolist()
    (44, ['ana', 'ben'], ['not run'])
    """
    paths = [Path(f) for f in ([folders] if isinstance(folders, (str, os.PathLike)) else folders)]
    frames = []
    for folder in paths:
        present = [folder / f"{s}.ipynb" for s in _STEMS if (folder / f"{s}.ipynb").is_file()]
        if not folder.is_dir() or not present:
            raise ParameterError("folder", str(folder), expected="a learner's copy of the track, holding its "
                                 f"notebooks ({_STEMS[0]}.ipynb … {_STEMS[-1]}.ipynb)",
                                 fix="name the folders that jmtools teaching copy made, one per learner")
        for stem in _STEMS:
            path = folder / f"{stem}.ipynb"
            frame = read_checks(path) if path in present else read_checks({"metadata": {"name": stem}}).assign(
                status="no notebook")
            frames.append(frame.assign(learner=folder.name))
    return pd.concat(frames, ignore_index=True)[["learner", *ANSWER_COLUMNS]]


def check_solutions(data="sample:ecommerce", *, persona: str = "", steps=None, output_dir=None) -> pd.DataFrame:
    """Run the solution notebooks on ``data`` (each in its own kernel, as papermill does) and read
    what each check said: the teacher's test before the day.

    Parameters
    ----------
    data : str or path-like, default "sample:ecommerce"
        The data folder the learners will use, or a bundled sample world.
    persona : str, default ""
        The persona followed; ``""`` is the journey's first.
    steps : list of int, optional
        Only these steps (0–7); default all.
    output_dir : path-like, optional
        Keep the executed notebooks (and steps 6–7's files) there; default a temporary folder,
        removed afterwards.

    Returns
    -------
    pandas.DataFrame
        :data:`ANSWER_COLUMNS`, one row per exercise of the steps run. A notebook that stopped
        in a cell gives its exercises not reached the status "error", with the error.

    Examples
    --------
    >>> checked = check_solutions(steps=[0])                                  # doctest: +SKIP
    >>> checked[["exercise", "status"]].values.tolist()                       # doctest: +SKIP
    [['0.1', 'right'], ['0.2', 'right']]
    """
    folder = track_folder() / "solutions"
    where = str(data) if str(data).startswith("sample:") else os.path.abspath(data)
    chosen = sorted(STEPS) if not steps else [int(s) for s in steps]
    for n in chosen:
        if n not in STEPS:
            raise ParameterError("step", n, expected=[str(k) for k in STEPS])
    with tempfile.TemporaryDirectory(prefix="jmtools-check-") as scratch:
        out = Path(output_dir or scratch)
        out.mkdir(parents=True, exist_ok=True)
        frames = [_run_solution(folder / f"{STEPS[n][0]}.ipynb", out, where, persona) for n in chosen]
    return pd.concat(frames, ignore_index=True)


def _run_solution(notebook: Path, out: Path, data: str, persona: str) -> pd.DataFrame:
    """One solution run into ``out``: its checks, and the error of a cell that stopped it."""
    params = {"data_dir": data, "persona": persona, "output_dir": str(out)}
    declared = read_parameters(notebook)
    target = out / notebook.name
    try:
        run_notebook(notebook, target, parameters={k: v for k, v in params.items() if k in declared})
    except ReportError as err:
        said = str(err).splitlines()[0]
        frame = read_checks(target) if target.exists() else read_checks({"metadata": {"name": notebook.stem}})
        stopped = frame["status"].isin(["not run", "no cell"])
        return frame.assign(status=frame["status"].where(~stopped, "error"),
                            feedback=frame["feedback"].where(~stopped, said))
    return read_checks(target)


def scratch_folder(name: str) -> Path:
    """A folder for files a notebook writes when no folder is given: ``<temp>/jmtools-teaching-<user>/<name>``,
    made once and reused at every run (a new temporary folder per run piled up on shared
    machines). A folder of that name that is not the user's own is not used: a new one is made.

    Examples
    --------
    >>> scratch_folder("06_prioritisation") == scratch_folder("06_prioritisation")
    True
    """
    try:
        user = os.getlogin() if not hasattr(os, "getuid") else str(os.getuid())
    except OSError:
        user = "user"
    root = Path(tempfile.gettempdir()) / f"jmtools-teaching-{user}"
    try:
        root.mkdir(mode=0o700, exist_ok=True)
        mine = not root.is_symlink() and root.is_dir() and (not hasattr(os, "getuid")
                                                            or root.stat().st_uid == os.getuid())
    except OSError:
        mine = False
    folder = root / name if mine else Path(tempfile.mkdtemp(prefix=f"jmtools-{name}-"))
    folder.mkdir(exist_ok=True)
    return folder
