"""A batch config's report entries (``jmtools batch --config``): relative paths start from the
config file's folder, and every entry's persona, segment and path parameters are checked before
any kernel starts, each failure located by file, line and key (docs/decisions.md D135).

Built like an outside tester's project: ``proj/weekly.yaml``, ``proj/journey.yaml``,
``proj/data/`` and ``proj/notebooks/00_journey_report.ipynb``; the command runs from ``proj/``.
Most tests replace the report run itself, so they stop before a kernel would start.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from jmtools.cli.main import main
from jmtools.report import batch as batch_mod
from jmtools.report.batch import load_batch_config

ROOT = Path(__file__).resolve().parents[1]
FEEDBACK = ROOT / "tests" / "notebooks" / "chart_records_feedback.ipynb"

WEEKLY = """\
notebook: notebooks/00_journey_report.ipynb
out: reports/weekly
workers: 1
parameters: {data_dir: data, journey_file: journey.yaml}
reports:
  - name: all
  - name: Budget Ben
    parameters: {persona: Budget Ben}
  - name: Ben typo
    parameters: {persona: Budget Bne}
  - name: North
    parameters: {segment: 'regin == "north"'}
"""


def _project(tmp_path: Path, weekly: str = WEEKLY) -> Path:
    world = ROOT / "data" / "ecommerce"
    if not (world / "journey.yaml").exists():
        pytest.skip("sample data not generated")
    proj = tmp_path / "proj"
    (proj / "data").mkdir(parents=True)
    for name in ("customers.csv", "events.parquet"):
        shutil.copy(world / name, proj / "data" / name)
    shutil.copy(world / "journey.yaml", proj / "journey.yaml")
    (proj / "notebooks").mkdir()
    shutil.copy(ROOT / "notebooks" / "00_journey_report.ipynb", proj / "notebooks")
    (proj / "weekly.yaml").write_text(weekly, encoding="utf-8")
    return proj


@pytest.fixture
def no_kernels(monkeypatch):
    """Replace the report run (and the evidence preparation): record which jobs would run."""
    ran = []

    def fake_run_report(job, out, **kw):
        ran.append(job)
        return batch_mod.JobResult(name=job.name, stem=job.stem, status="ok", parameters=job.parameters)

    class _Nothing:
        def __init__(self, *a, **k):
            pass

        def __enter__(self):
            return None

        def __exit__(self, *exc):
            return False

    monkeypatch.setattr(batch_mod, "run_report", fake_run_report)
    monkeypatch.setattr(batch_mod, "prepared_once", _Nothing)
    monkeypatch.setattr(batch_mod, "write_index", lambda results, out, **kw: Path(out) / "index.html")
    return ran


def test_relative_paths_start_from_the_config_files_folder(tmp_path, monkeypatch):
    proj = _project(tmp_path, WEEKLY.replace("  - name: North", "  - name: b2b\n"
                                             "    parameters: {data_dir: 'sample:b2b', "
                                             f"journey_file: {tmp_path / 'j.yaml'}}}\n"
                                             "  - name: North"))
    monkeypatch.chdir(tmp_path)                      # not where the config is
    jobs = load_batch_config("proj/weekly.yaml")["jobs"]
    assert jobs[0].parameters == {"data_dir": str(proj / "data"),
                                  "journey_file": str(proj / "journey.yaml")}
    b2b = next(j for j in jobs if j.name == "b2b")   # sample: and absolute paths untouched
    assert b2b.parameters == {"data_dir": "sample:b2b", "journey_file": str(tmp_path / "j.yaml")}


def test_each_entry_is_checked_before_any_kernel_and_a_typo_sinks_only_its_report(
        tmp_path, monkeypatch, capsys, no_kernels):
    proj = _project(tmp_path)
    monkeypatch.chdir(proj)
    assert main(["batch", "--config", "weekly.yaml", "--no-progress", "--no-static"]) == 1
    assert [j.name for j in no_kernels] == ["all", "Budget Ben"]       # the others still run
    assert no_kernels[1].parameters["data_dir"] == str(proj / "data")
    out = capsys.readouterr().out
    assert "2 of 4 reports" in out
    typo = next(line for line in out.splitlines() if "FAILED Ben typo" in line)
    assert "weekly.yaml:10" in typo and "reports[2].parameters.persona" in typo
    assert "did you mean 'Budget Ben'?" in typo
    north = next(line for line in out.splitlines() if "FAILED North" in line)
    assert "weekly.yaml:12" in north and "reports[3].parameters.segment" in north
    assert "regin" in north and "did you mean 'region'?" in north
    sidecar = (proj / "reports" / "weekly" / "ben-typo.json").read_text(encoding="utf-8")
    assert "Budget Bne" in sidecar and '"status": "failed"' in sidecar


def test_a_path_missing_from_the_config_files_folder_says_where_it_was_looked_for(
        tmp_path, monkeypatch, capsys, no_kernels):
    proj = _project(tmp_path, WEEKLY.replace("data_dir: data", "data_dir: ../data"))
    monkeypatch.chdir(proj / "notebooks")
    assert main(["batch", "--config", "../weekly.yaml", "--no-progress"]) == 1
    assert no_kernels == []
    out = capsys.readouterr().out
    assert "0 of 4 reports" in out
    line = next(line for line in out.splitlines() if "FAILED all" in line)
    assert "weekly.yaml:4" in line and "parameters.data_dir" in line and "'../data'" in line
    assert f"relative paths in a batch config start from its folder {proj}" in line
    assert "did you mean 'data'? ('../data' from the notebook's folder)" in line


def test_an_unknown_parameter_in_an_entry_refuses_the_batch_naming_the_entry(
        tmp_path, monkeypatch, capsys, no_kernels):
    proj = _project(tmp_path, WEEKLY.replace("{persona: Budget Ben}", "{persnoa: Budget Ben}"))
    monkeypatch.chdir(proj)
    assert main(["batch", "--config", "weekly.yaml", "--no-progress"]) == 2
    assert no_kernels == []
    err = capsys.readouterr().err
    assert "weekly.yaml:8" in err and "reports[1].parameters.persnoa" in err
    assert "did you mean 'persona'?" in err


@pytest.mark.slow
def test_a_real_report_reads_a_file_named_from_the_config_files_folder(tmp_path, monkeypatch, capsys):
    """One kernel: the feedback notebook reads ``data_file: feedback.csv`` next to the config,
    though the kernel runs in the notebook's folder."""
    shutil.copy(FEEDBACK.parent / "data" / "feedback.csv", tmp_path / "feedback.csv")
    (tmp_path / "batch.yaml").write_text(
        f"notebook: {FEEDBACK}\nout: out\nworkers: 1\nparameters: {{data_file: feedback.csv}}\n"
        "reports:\n  - name: Maya\n    parameters: {persona: Maya}\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    assert main(["batch", "--config", "batch.yaml", "--no-progress", "--no-static"]) == 0, \
        capsys.readouterr().out
    assert (tmp_path / "out" / "maya.html").exists()


def test_command_line_parameters_beside_a_config_set_every_report(tmp_path, monkeypatch, capsys, no_kernels):
    proj = _project(tmp_path, WEEKLY.replace("  - name: Ben typo\n    parameters: {persona: Budget Bne}\n", "")
                    .replace("  - name: North\n    parameters: {segment: 'regin == \"north\"'}\n", ""))
    shutil.copytree(proj / "data", proj / "week49")
    (tmp_path / "over.yaml").write_text("top_n: 3\n", encoding="utf-8")
    monkeypatch.chdir(proj)
    assert main(["batch", "--config", "weekly.yaml", "--no-progress", "--no-static",
                 "-p", "data_dir", "week49", "-p", "min_n", "12", "-f", str(tmp_path / "over.yaml")]) == 0
    assert [j.name for j in no_kernels] == ["all", "Budget Ben"]
    for job in no_kernels:                     # the command line wins over the config, in every report
        assert job.parameters["data_dir"] == str(proj / "week49")
        assert job.parameters["min_n"] == 12 and job.parameters["top_n"] == 3
        assert job.parameters["journey_file"] == str(proj / "journey.yaml")   # the config's own stays
        assert "data_dir" not in job.origin["keys"]                           # no longer the config's line
    assert no_kernels[1].parameters["persona"] == "Budget Ben"


def test_a_command_line_typo_beside_a_config_is_refused_before_any_report(tmp_path, monkeypatch, capsys,
                                                                         no_kernels):
    proj = _project(tmp_path)
    monkeypatch.chdir(proj)
    assert main(["batch", "--config", "weekly.yaml", "--no-progress", "-p", "min_m", "12"]) == 2
    assert no_kernels == []
    assert "did you mean 'min_n'?" in capsys.readouterr().err


@pytest.mark.parametrize("extra, named", [
    (["notebooks/00_journey_report.ipynb"], "NOTEBOOK"),
    (["--journey", "journey.yaml"], "--journey"),
    (["--persona-parameter", "who"], "--persona-parameter"),
])
def test_what_a_config_already_names_is_refused_beside_it(tmp_path, monkeypatch, capsys, no_kernels,
                                                          extra, named):
    proj = _project(tmp_path)
    monkeypatch.chdir(proj)
    assert main(["batch", "--config", "weekly.yaml", "--no-progress", *extra]) == 2
    assert no_kernels == []
    err = capsys.readouterr().err
    assert f"--config without {named}" in err and "drop --config" in err


def test_every_problem_of_an_entry_is_said_not_only_the_first(tmp_path, monkeypatch, capsys, no_kernels):
    proj = _project(tmp_path, WEEKLY.replace("{persona: Budget Bne}",
                                             "{persona: Budget Bne, segment: 'regin == \"north\"'}"))
    monkeypatch.chdir(proj)
    assert main(["batch", "--config", "weekly.yaml", "--no-progress", "--no-static"]) == 1
    out = capsys.readouterr().out.splitlines()
    at = next(i for i, line in enumerate(out) if "FAILED Ben typo" in line)
    assert "did you mean 'Budget Ben'?" in out[at]
    assert "Fix: write 'all' or one of the personas of" in out[at + 1]     # each problem's fix below it
    assert "weekly.yaml:10" in out[at + 2] and "did you mean 'region'?" in out[at + 2]
    assert "Fix:" in out[at + 3] and "FAILED North" in out[at + 4]


def _rule_line(path: Path, rule: str) -> int:
    """1-based line of ``rule:`` text in a YAML file, found by reading its lines (independent of
    the YAML parser the check uses)."""
    return next(k for k, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
                if f'rule: "{rule}"' in line)


@pytest.mark.parametrize("rule, why, fix", [
    ("region >= 4", "compares a text value with a number value at column 1",
     'Fix: put text values in quotes: region == "north"'),
    ("runs_perweek >= 4", "unknown attribute 'runs_perweek' at column 1", "Fix: did you mean 'runs_per_week'?"),
])
def test_a_persona_whose_rule_cannot_run_is_refused_before_any_kernel_at_its_rules_line(
        tmp_path, monkeypatch, capsys, no_kernels, rule, why, fix):
    """D187: found before any kernel starts (not after 12 s in its own), located in the journey
    file, the other reports run; counted as failed in the summary and the exit code."""
    proj = _project(tmp_path, WEEKLY.replace("Ben typo\n    parameters: {persona: Budget Bne}",
                                             "Maya\n    parameters: {persona: Marathon Maya}")
                    .replace("  - name: North\n    parameters: {segment: 'regin == \"north\"'}\n", ""))
    journey = proj / "journey.yaml"
    journey.write_text(journey.read_text(encoding="utf-8").replace('rule: "runs_per_week >= 4"', f'rule: "{rule}"'),
                       encoding="utf-8")
    monkeypatch.chdir(proj)
    assert main(["batch", "--config", "weekly.yaml", "--no-progress", "--no-static"]) == 1
    assert [j.name for j in no_kernels] == ["all", "Budget Ben"]
    out = capsys.readouterr().out.splitlines()
    assert "2 of 3 reports" in out[0]
    at = next(i for i, line in enumerate(out) if "FAILED Maya" in line)
    assert f"{journey}:{_rule_line(journey, rule)}: report 'Maya': persona 'Marathon Maya' cannot run" in out[at]
    assert f"its rule '{rule}' {why}" in out[at] and "[path 'personas[1].rule']" in out[at]
    assert "the other reports run and leave it out" in out[at]
    assert fix in out[at + 1]                                   # the fix is in the summary too
    sidecar = (proj / "reports" / "weekly" / "maya.json").read_text(encoding="utf-8")
    assert '"status": "failed"' in sidecar and rule in sidecar


def test_a_broken_rule_in_a_persona_library_is_located_in_the_library(tmp_path, monkeypatch, no_kernels):
    """One report per persona (``--journey``), Maya's card read from a library file by ``ref:``."""
    from jmtools.report.jobs import persona_jobs

    proj = _project(tmp_path)
    journey = proj / "journey.yaml"
    (proj / "cards.yaml").write_text("personas:\n  - name: Someone\n    rule: \"age > 1\"\n"
                                     "  - name: Marathon Maya\n    rule: \"runs_per_wek >= 4\"\n", encoding="utf-8")
    text = journey.read_text(encoding="utf-8")
    start = text.index("  - name: Marathon Maya")
    journey.write_text(text[:start] + "  - ref: cards.yaml#Marathon Maya\n"
                       + text[text.index("  - name: New Runner Nina"):], encoding="utf-8")
    jobs = persona_jobs(journey, notebook=proj / "notebooks" / "00_journey_report.ipynb",
                        parameters={"data_dir": str(proj / "data"), "journey_file": str(journey)})
    result = batch_mod.run_batch(jobs, tmp_path / "out", workers=1, progress=False)
    assert [j.name for j in no_kernels] == ["all", "Budget Ben", "New Runner Nina", "Weekend Walter"]
    [maya] = result.failed
    assert maya.error.startswith(f"{proj / 'cards.yaml'}:5: report 'Marathon Maya'")
    assert "[path 'personas[1].rule']" in maya.error and "did you mean 'runs_per_week'?" in maya.error


@pytest.mark.parametrize("entry", ["  - name: all\n    parameters: {persona: all}\n", "  - name: all\n"])
def test_a_listed_report_for_everyone_beside_personas_from_is_written_once_with_a_note(
        tmp_path, monkeypatch, capsys, no_kernels, entry):
    """A permit tester's batch listed `- name: all` (persona all) and set `personas_from`, which adds
    its own "all": two identical reports, all.html and all-2.html, and no word (D200). Same
    notebook and same parameters (the notebook's defaults filled in, so an entry without a persona
    is all customers too) is one report: run once under the first name, the summary says why."""
    from jmtools.journey import Journey

    weekly = ("notebook: notebooks/00_journey_report.ipynb\nout: out\nworkers: 1\nparameters: {data_dir: data}\n"
              "reports:\n" + entry + "  - name: North\n    parameters: {segment: 'region == \"north\"'}\n"
              "personas_from: journey.yaml\n")
    proj = _project(tmp_path, weekly)
    monkeypatch.chdir(proj)
    assert main(["batch", "--config", "weekly.yaml", "--no-progress", "--no-static"]) == 0
    personas = Journey.load(proj / "journey.yaml").persona_names
    assert [j.name for j in no_kernels] == ["all", "North", *personas]
    assert [j.stem for j in no_kernels].count("all") == 1 and "all-2" not in [j.stem for j in no_kernels]
    out = capsys.readouterr().out
    line = 5 + entry.count("\n") + 2 + 1                     # after the header, the entry and North
    assert f"{2 + len(personas)} of {2 + len(personas)} reports" in out
    assert (f"NOTE 'all' (weekly.yaml line {line}, personas_from) is the same report as 'all' "
            "(weekly.yaml line 6, reports[0]) (same notebook and parameters): written once, as 'all'.") in out
