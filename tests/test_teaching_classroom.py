"""jmtools.teaching.classroom and ``jmtools teaching copy | reset | collect | check``: learner copies
without the solutions, a reset, the learners' answers gathered, the solutions checked unattended."""

from __future__ import annotations

import json

import pytest

from jmtools.cli.main import main
from jmtools.core.errors import ParameterError
from jmtools.core.resources import notebooks_dir
from jmtools.teaching import EXERCISES, STEPS
from jmtools.teaching.classroom import collect_answers, copy_track, read_checks, reset_notebook, scratch_folder

TRACK = notebooks_dir() / "teaching"
NAMES = [f"{STEPS[n][0]}.ipynb" for n in STEPS]


def _answered(path, eid, answer, shown):
    """Save ``path`` as a learner would after running exercise ``eid``'s cell with ``answer``."""
    nb = json.loads(path.read_text(encoding="utf-8"))
    var = "answer_" + eid.replace(".", "_")
    for cell in nb["cells"]:
        if f'.check("{eid}"' in "".join(cell["source"]):
            cell["source"] = [f"{var} = {answer}  # mine\n", "from jmtools.teaching import lesson_in\n",
                              f'lesson_in(globals()).check("{eid}", {var})']
            cell["execution_count"] = 7
            cell["outputs"] = [shown]
    path.write_text(json.dumps(nb), encoding="utf-8")


def test_a_learner_copy_has_the_notebooks_without_solutions_or_guide(tmp_path, capsys):
    """The guide's start command opened notebooks/teaching/, solutions/ and FACILITATOR.md one
    double-click away, and no command made learner copies (report fault 2)."""
    assert main(["teaching", "copy", str(tmp_path / "ana"), str(tmp_path / "ben")]) == 0
    assert f"start with: jupyter lab {tmp_path / 'ana'}" in capsys.readouterr().out
    for learner in ("ana", "ben"):
        assert sorted(p.name for p in (tmp_path / learner).iterdir()) == NAMES
    for name in NAMES:
        copied = json.loads((tmp_path / "ana" / name).read_text(encoding="utf-8"))
        assert copied == json.loads((TRACK / name).read_text(encoding="utf-8"))   # output-free as shipped
    assert main(["teaching", "copy", str(tmp_path / "t"), "--with-solutions"]) == 0
    assert sorted(p.name for p in (tmp_path / "t" / "solutions").iterdir()) == NAMES
    assert (tmp_path / "t" / "FACILITATOR.md").is_file()


def test_copy_refuses_a_folder_that_holds_files_unless_forced(tmp_path, capsys):
    (tmp_path / "ana").mkdir()
    (tmp_path / "ana" / "01_personas.ipynb").write_text("{mine}")
    assert main(["teaching", "copy", str(tmp_path / "new"), str(tmp_path / "ana")]) == 1
    err = capsys.readouterr().err
    assert f"error: folder must be a folder that does not exist yet, or is empty — got '{tmp_path / 'ana'}'" in err
    assert "--force" in err and not (tmp_path / "new").exists()            # nothing written
    assert main(["teaching", "copy", str(tmp_path / "ana"), "--force"]) == 0
    assert (tmp_path / "ana" / "01_personas.ipynb").read_text() != "{mine}"


def test_reset_puts_one_notebook_back_and_keeps_the_learners(tmp_path, capsys):
    copy_track(tmp_path / "ana", solutions=True)
    mine = tmp_path / "ana" / "05_patterns_and_pain_points.ipynb"
    mine.write_text('{"cells": []}')
    assert main(["teaching", "reset", str(mine)]) == 0
    assert "the learner's version kept as 05_patterns_and_pain_points.before-reset.ipynb" in capsys.readouterr().out
    assert mine.read_text(encoding="utf-8") == (TRACK / mine.name).read_text(encoding="utf-8")
    assert (tmp_path / "ana" / "05_patterns_and_pain_points.before-reset.ipynb").read_text() == '{"cells": []}'
    solution = tmp_path / "ana" / "solutions" / "06_prioritisation.ipynb"
    solution.unlink()
    assert reset_notebook(solution) == (solution, None)
    assert solution.read_text(encoding="utf-8") == (TRACK / "solutions" / solution.name).read_text(encoding="utf-8")
    with pytest.raises(ParameterError, match="did you mean '05_patterns_and_pain_points.ipynb'"):
        reset_notebook(tmp_path / "ana" / "05_pattern.ipynb")


def test_collect_reads_each_learners_answers_and_what_the_check_said(tmp_path, capsys):
    copy_track([tmp_path / "ana", tmp_path / "ben"])
    _answered(tmp_path / "ana" / "04_data_integration.ipynb", "4.3", 25,
              {"output_type": "execute_result", "execution_count": 7, "metadata": {},
               "data": {"text/plain": "✗ Exercise 4.3: not yet — hint (a percentage where a share was asked).\n"
                                      "Write shares between 0 and 1: 25 % is 0.25."}})
    _answered(tmp_path / "ben" / "04_data_integration.ipynb", "4.3", 0.25,
              {"output_type": "execute_result", "execution_count": 7, "metadata": {},
               "data": {"text/plain": "✓ Exercise 4.3: right.\nWhy this matters: Conversion says where."}})
    _answered(tmp_path / "ben" / "00_start_here.ipynb", "0.1", '["A"]',
              {"output_type": "error", "ename": "CheckFailed", "traceback": [],
               "evalue": "✗ Exercise 0.1: not yet — hint (something missing).\n3 missing."})
    (tmp_path / "ben" / "07_test_implement_iterate.ipynb").unlink()
    out = tmp_path / "answers.csv"
    assert main(["teaching", "collect", str(tmp_path / "ana"), str(tmp_path / "ben"), "-o", str(out)]) == 0
    assert f"{out}: 2 learners × {len(EXERCISES)} exercises" in capsys.readouterr().out
    import pandas as pd

    got = pd.read_csv(out, dtype=str, keep_default_na=False).set_index(["learner", "exercise"])
    assert len(got) == 2 * len(EXERCISES)
    assert got.loc[("ana", "4.3"), ["status", "code", "answer"]].tolist() == ["not yet", "percent", "25"]
    assert got.loc[("ben", "4.3"), ["status", "answer", "feedback"]].tolist() == ["right", "0.25", "Conversion says where."]
    assert got.loc[("ben", "0.1"), ["status", "code"]].tolist() == ["not yet", "missing-items"]
    assert got.loc[("ana", "0.1"), ["status", "answer"]].tolist() == ["not run", "..."]
    assert got.loc[("ben", "7.2"), "status"] == "no notebook"
    with pytest.raises(ParameterError, match="a learner's copy of the track"):
        collect_answers([tmp_path])


def test_read_checks_says_a_deleted_cell_and_a_cell_that_stopped(tmp_path):
    nb = json.loads((TRACK / "03_emotional_journey.ipynb").read_text(encoding="utf-8"))
    nb["cells"] = [c for c in nb["cells"] if '.check("3.3"' not in "".join(c["source"])]
    for c in nb["cells"]:
        if '.check("3.1"' in "".join(c["source"]):
            c["execution_count"], c["outputs"] = 4, [{"output_type": "error", "ename": "NameError",
                                                      "evalue": "name 'lesson' is not defined", "traceback": []}]
    path = tmp_path / "03_emotional_journey.ipynb"
    path.write_text(json.dumps(nb), encoding="utf-8")
    said = read_checks(path).set_index("exercise")
    assert said["status"].tolist() == ["error", "not run", "no cell"]
    assert said.loc["3.1", "feedback"] == "NameError: name 'lesson' is not defined"


def test_steps_6_and_7_write_to_one_folder_per_user_reused_at_every_run(tmp_path, monkeypatch):
    """Each run of notebook 06 or 07 left a new /tmp/jmtools-backlog-* or jmtools-map-* folder
    (31 after one session, report fault 14): without output_dir they now reuse one per step."""
    import tempfile

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    first = scratch_folder("06_prioritisation")
    assert scratch_folder("06_prioritisation") == first and first.parent.parent == tmp_path
    scratch_folder("07_test_implement_iterate")
    assert len(list(tmp_path.iterdir())) == 1
    for folder in (TRACK, TRACK / "solutions"):
        for name in ("06_prioritisation.ipynb", "07_test_implement_iterate.ipynb"):
            text = (folder / name).read_text(encoding="utf-8")
            assert "mkdtemp" not in text and "lesson.output_folder(output_dir)" in text


def test_check_runs_the_solutions_and_fails_when_one_is_not_right(tmp_path, capsys, monkeypatch):
    """An unattended run could not tell whether the solutions were right (report fault 9):
    ``jmtools teaching check`` runs them and exits 1 when a check is not ✓ or a notebook stops."""
    assert main(["teaching", "check", "--step", "0", "-o", str(tmp_path)]) == 0
    out = capsys.readouterr()
    assert out.out.splitlines() == [f"✓ 0.1 {EXERCISES['0.1'].title}: right", f"✓ 0.2 {EXERCISES['0.2'].title}: right",
                                    "2 checks: 2 right, 0 not available on this data, 0 failed"]
    assert (tmp_path / "00_start_here.ipynb").is_file()
    # a solution judged wrong, without another kernel run
    wrong = read_checks(TRACK / "00_start_here.ipynb").assign(status=["right", "not yet"], code=["", "percent"],
                                                                 feedback=["", "Write shares between 0 and 1."])
    monkeypatch.setattr("jmtools.cli.teaching.check_solutions", lambda *a, **k: wrong)
    assert main(["teaching", "check", "--step", "0"]) == 1
    said = capsys.readouterr()
    assert f"✗ 0.2 {EXERCISES['0.2'].title}: not yet — Write shares between 0 and 1." in said.out
    assert "2 checks: 1 right, 0 not available on this data, 1 failed" in said.err
