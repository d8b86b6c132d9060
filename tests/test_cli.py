"""The command line: every command has --help, exit codes mean something."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path

import pytest

from jmtools.cli.main import COMMANDS, build_parser, main
from jmtools.journey import Journey

ROOT = Path(__file__).resolve().parents[1]


def _commands(command: str | None = None) -> list[str]:
    parser = build_parser(command)
    sub = next(a for a in parser._actions if a.__class__.__name__ == "_SubParsersAction")
    return list(sub.choices)


def test_core_commands_exist():
    assert {"validate", "new", "sample-data"} <= set(_commands())


def test_the_command_table_lists_every_command_in_help_order_and_each_registers_alone():
    """A run builds only its command (D29): the table names the module of every command."""
    assert _commands() == list(COMMANDS)
    for command in COMMANDS:
        assert _commands(command) == [command]


def test_a_mistyped_command_is_answered_with_the_closest_and_every_command(capsys):
    assert main(["reprot", "notebook.ipynb"]) == 2
    err = capsys.readouterr().err
    assert "jmtools: error: unknown command 'reprot' — did you mean 'report'?" in err
    assert f"use one of the commands: {', '.join(COMMANDS)}" in err and "Traceback" not in err
    assert main(["Validate", "j.yaml"]) == 2 and "did you mean 'validate'?" in capsys.readouterr().err
    assert main(["zzz"]) == 2
    err = capsys.readouterr().err
    assert "unknown command 'zzz'\n" in err and "did you mean" not in err and "diff" in err


def test_a_mistyped_command_loads_no_command_module():
    """Commands are imported on demand (D29): answering a typo needs only their names."""
    probe = ("import sys, contextlib, io; from jmtools.cli.main import main\n"
             "with contextlib.redirect_stderr(io.StringIO()): code = main(['reprot'])\n"
             "print(code, [m for m in sys.modules if m.startswith('jmtools.cli.') and m not in "
             "('jmtools.cli.main', 'jmtools.cli._budget')])")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "2 []"


@pytest.mark.parametrize("argv, words", [
    (["report", "nb.ipynb", "--statc"], ["usage: jmtools report", "unknown option '--statc' — "
                                         "did you mean '--static'?", "--timeout"]),
    (["batch", "--journy", "j.yaml"], ["usage: jmtools batch", "did you mean '--journey'?"]),
    (["validate", "j.yaml", "--dta", "x"], ["did you mean '--data'?", "jmtools validate --help"]),
    (["report", "nb.ipynb", "--out=r.html", "--timout", "3"], ["did you mean '--timeout'?"]),
    (["--verison"], ["usage: jmtools [-h]", "did you mean '--version'?"]),
    (["report", "nb.ipynb", "Budget Ben"], ["usage: jmtools report", "unexpected argument "
                                            "'Budget Ben'", "quote a value"]),
])
def test_a_mistyped_option_names_the_command_and_the_closest_option(argv, words, capsys):
    """argparse (3.10-3.13) says only "unrecognized arguments" under the usage of jmtools
    itself; the command's own usage and its closest option help more."""
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert all(w in err for w in words), err
    assert "usage: jmtools [-h] [--version] COMMAND" not in err or argv == ["--verison"]


@pytest.mark.parametrize("command", sorted(_commands()))
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as caught:
        main([command, "--help"])
    assert caught.value.code == 0
    out = capsys.readouterr().out
    assert f"jmtools {command}" in out and len(out) > 80
    long = [ln for ln in out.splitlines() if len(ln) > 80 and not ln[:1].isspace()]
    assert not long, long                   # prose wrapped; indented examples kept as written


def test_a_report_notebook_path_with_a_typo_or_a_folder_says_what_is_there(capsys):
    assert main(["report", str(ROOT / "notebooks" / "00_journey_reprot.ipynb")]) == 2
    assert f"did you mean '{ROOT / 'notebooks' / '00_journey_report.ipynb'}'" in capsys.readouterr().err
    assert main(["report", str(ROOT / "notebooks")]) == 2
    err = capsys.readouterr().err
    assert "name the .ipynb file in it (00_journey_report.ipynb, 01_personas.ipynb" in err


@pytest.mark.parametrize("command", ["report", "batch"])
def test_a_negative_cell_timeout_is_refused(command, capsys):
    with pytest.raises(SystemExit) as caught:
        main([command, "nb.ipynb", "--timeout", "-5"])
    assert caught.value.code == 2
    assert "--timeout: must be a number of seconds, 0 or more (0: no limit)" in capsys.readouterr().err


@pytest.mark.parametrize("command", [["batch", "nb.ipynb", "--journey", "j.yaml"], ["demo"]])
def test_an_out_folder_that_is_a_file_is_refused_before_any_report_runs(command, tmp_path, capsys):
    """``--out reports.html`` naming an existing file ended, after the notebook names were read,
    in a FileExistsError traceback from the batch."""
    taken = tmp_path / "reports.html"
    taken.write_text("x")
    with pytest.raises(SystemExit) as caught:
        main([*command, "--out", str(taken)])
    assert caught.value.code == 2
    err = capsys.readouterr().err
    assert "--out: must be a folder" in err and "Traceback" not in err


def test_a_batch_folder_that_cannot_be_made_is_a_parameter_error(tmp_path):
    from jmtools.core.errors import ParameterError
    from jmtools.report.batch import Job, run_batch

    (tmp_path / "file").write_text("x")
    job = Job(name="a", notebook=str(Path(__file__).parent / "notebooks" / "imports_only.ipynb"))
    with pytest.raises(ParameterError, match="folder the reports can be written in"):
        run_batch([job], tmp_path / "file" / "inside", workers=1, progress=False)


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "validate" in capsys.readouterr().out


def test_validate_exit_codes(tmp_path, capsys):
    good = ROOT / "templates" / "journeys" / "saas_trial.yaml"
    assert main(["validate", "--schema", str(good)]) == 0
    assert "ok  " in capsys.readouterr().out
    bad = tmp_path / "bad.yaml"
    bad.write_text("name: x\nstages:\n  - name: A\n  - name: A\n")
    assert main(["validate", str(good), str(bad)]) == 1
    err = capsys.readouterr().err
    assert f"{bad}:4" in err and "duplicate stage name" in err and "1 of 2 files are invalid" in err


def test_validate_says_a_tiny_share_is_under_a_tenth_of_a_percent(tmp_path, capsys):
    """A nonzero share that rounds to zero is not printed as zero: 1 unmatched event of 2,403
    read "(0.0%)", 1 ambiguous customer of 1,200 "(0%)"."""
    rows = ["customer_id,timestamp,event"]
    for i in range(1200):
        rows += [f"c{i},2024-01-01,look", f"c{i},2024-01-03,buy"]
    rows += ["c0,2024-01-05,look", "c0,2024-01-05,buy", "c1,2024-01-06,stray"]
    (tmp_path / "events.csv").write_text("\n".join(rows) + "\n")
    journey = tmp_path / "journey.yaml"
    journey.write_text("name: Tiny shares\nstages: [{name: Look}, {name: Buy}]\ntouchpoints:\n"
                       "  - {name: Page, stage: Look, channel: digital, events: [look]}\n"
                       "  - {name: Order, stage: Buy, channel: digital, events: [buy]}\n")
    assert main(["validate", str(journey), "--data", str(tmp_path)]) == 0
    err = capsys.readouterr().err
    assert "stray: 1 event (<0.1%) counts for no touchpoint" in err
    assert "1 of 1,200 customers (<1%) have two or more stages on one day" in err
    assert "(0.0%)" not in err and "(0%)" not in err


def test_validate_a_persona_library(tmp_path, capsys):
    lib = tmp_path / "personas.yaml"
    lib.write_text("personas:\n  - name: A\n    rule: 'age > 3'\n")
    assert main(["validate", str(lib)]) == 0
    assert "persona library, 1 personas" in capsys.readouterr().out


def test_new_starts_a_project_from_a_template(tmp_path, capsys):
    folder = tmp_path / "my-journey"
    assert main(["new", str(folder), "--template", "nonprofit_donor", "--name", "Our donors"]) == 0
    journey = Journey.load(folder / "journey.yaml")
    assert journey.name == "Our donors"
    assert "# Non-profit donor journey" in (folder / "journey.yaml").read_text()
    assert (folder / "data" / "README.md").exists()
    out = capsys.readouterr().out
    assert "jmtools validate" in out and "sample:ecommerce" in out and 'data_dir = "../data"' in out
    assert 'data_dir = "../data"' in (folder / "data" / "README.md").read_text()
    # a second run refuses to overwrite the user's work
    assert main(["new", str(folder)]) == 1
    assert "already exists" in capsys.readouterr().err


def test_new_rejects_an_unknown_template(tmp_path, capsys):
    with pytest.raises(SystemExit) as caught:
        main(["new", str(tmp_path / "x"), "--template", "ecomerce"])
    assert caught.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_console_script_runs():
    result = subprocess.run([sys.executable, "-m", "jmtools.cli.main", "--version"],
                            capture_output=True, text=True, check=True)
    assert result.stdout.startswith("jmtools ")


def test_sample_data_generates_a_scaled_world(tmp_path, capsys):
    assert main(["sample-data", "--world", "b2b", "--customers", "30", "--seed", "3",
                 "--out", str(tmp_path)]) == 0
    assert "customers 30" in capsys.readouterr().out
    assert Journey.load(tmp_path / "b2b" / "journey.yaml").stage_names
    assert not (tmp_path / "b2b" / "truths.json").exists()           # the answer key stays apart
    assert json.loads((tmp_path / "truths" / "b2b.json").read_text())["customers"] == 30
    assert (tmp_path / "truths" / "b2b.md").read_text().startswith("# Answer key")
    assert main(["sample-data", "--world", "retail", "--out", str(tmp_path)]) == 1
    assert "--world must be one of" in capsys.readouterr().err


def test_notebooks_copied_by_new_run_on_the_sample_world_until_data_dir_is_set(tmp_path, monkeypatch):
    from jmtools.core.resources import resolve_data_dir
    from jmtools.report.runner import read_parameters

    folder = tmp_path / "project"
    assert main(["new", str(folder)]) == 0
    copies = sorted((folder / "notebooks").glob("*.ipynb"))
    from jmtools.core.resources import notebooks_dir

    assert [p.name for p in copies] == sorted(p.name for p in notebooks_dir().glob("[0-9]*.ipynb"))
    monkeypatch.chdir(folder / "notebooks")          # where JupyterLab and the runner start the kernel
    for nb in copies:
        default = read_parameters(nb)["data_dir"].default
        assert (resolve_data_dir(default) / "journey.yaml").is_file(), nb.name
    assert resolve_data_dir("../data").resolve() == (folder / "data").resolve()   # the user's folder, once set


def test_validate_with_data_checks_every_persona_rule_against_the_customers(tmp_path, capsys):
    import shutil

    world = tmp_path / "world"
    shutil.copytree(ROOT / "data" / "ecommerce", world)
    journey = world / "journey.yaml"
    text = journey.read_text(encoding="utf-8").replace('rule: "runs_per_week >= 4"', 'rule: "runs_perweek >= 4"')
    journey.write_text(text.replace('rule: "runs_per_week <= 1 and age >= 30"', 'rule: "age > 500"'),
                       encoding="utf-8")
    assert main(["validate", str(journey)]) == 0                 # the file itself is well formed
    capsys.readouterr()
    assert main(["validate", str(journey), "--data", str(world)]) == 1
    err = capsys.readouterr().err
    assert "persona 'Marathon Maya'" in err and "did you mean 'runs_per_week'" in err
    assert "persona 'New Runner Nina': the rule selects none of the 4000 customers" in err
    assert main(["validate", str(ROOT / "data" / "ecommerce" / "journey.yaml"), "--data",
                 "sample:ecommerce"]) == 0
    assert main(["validate", str(journey), "--data", str(tmp_path / "nowhere")]) == 1
    assert "data_dir" in capsys.readouterr().err


def test_validate_with_an_event_log_lists_overlaps_empty_stages_and_date_only_kinds(tmp_path, capsys):
    import pandas as pd

    folder = tmp_path / "shop"
    folder.mkdir()
    pd.DataFrame({"customer_id": ["a", "a", "a", "b", "b", "c"],
                  "timestamp": ["2024-01-01 10:00", "2024-01-02", "2024-01-05 09:00",
                                "2024-01-01 11:00", "2024-01-03", "2024-01-03"],
                  "event": ["order", "delivered", "order", "order", "delivered", "delivered"]}
                 ).to_csv(folder / "events.csv", index=False)
    journey = folder / "journey.yaml"
    journey.write_text("""jmtools: 1
name: Repeat shop
stages: [{name: Buy}, {name: Get}, {name: Rebuy}]
touchpoints:
  - {name: Order, stage: Buy, channel: digital, events: [order]}
  - {name: Delivery, stage: Get, channel: physical, events: [delivered]}
  - {name: Repeat order, stage: Rebuy, channel: digital, events: [order]}
""", encoding="utf-8")
    assert main(["validate", str(journey), "--data", str(folder)]) == 0
    out, err = capsys.readouterr()
    assert "3 warnings about the data" in out                     # overlap, touchpoint, stage
    assert "data above" not in out              # they are on stderr, which may come below (D195)
    assert "order (3 events) matches Order, Repeat order; only Order get(s) it" in err
    assert "occurrence:" in err                                    # the fix names the key
    assert "stage 'Rebuy' receives no event" in err
    assert "delivered has dates only (3 events" in err
    fixed = journey.read_text(encoding="utf-8").replace(
        "events: [order]}\n  - {name: Delivery", "events: [order], occurrence: first}\n  - {name: Delivery")
    journey.write_text(fixed, encoding="utf-8")
    assert main(["validate", str(journey), "--data", str(folder)]) == 0
    out, err = capsys.readouterr()
    assert "warning" not in out + err and "shared out by conditions" in err


def test_validate_warns_about_mixed_and_or_once_and_exits_0(tmp_path, capsys):
    import shutil

    world = tmp_path / "world"
    shutil.copytree(ROOT / "data" / "ecommerce", world)
    journey = world / "journey.yaml"
    text = journey.read_text(encoding="utf-8")
    journey.write_text(text.replace('rule: "runs_per_week >= 4"',
                                    'rule: "runs_per_week >= 4 or age < 30 and runs_per_week >= 3"'),
                       encoding="utf-8")
    capsys.readouterr()
    assert main(["validate", str(journey)]) == 0
    err = capsys.readouterr().err
    assert err.count("warning") == 1 and "read as runs_per_week >= 4 or (age < 30 and " in err
    assert main(["validate", str(journey), "--data", str(world)]) == 0
    assert capsys.readouterr().err.count("mixes 'and' and 'or'") == 1


def test_a_command_that_runs_out_of_its_time_limit_stops_with_the_fix(tmp_path, capsys, monkeypatch):
    import time

    import jmtools.cli.validate as cli

    def slow(name, journey, folder):
        time.sleep(5)                       # stands for a huge data folder
        return True, 0

    monkeypatch.setattr(cli, "_data_fit", slow)
    journey = str(ROOT / "data" / "ecommerce" / "journey.yaml")
    assert main(["validate", journey, "--data", "sample:ecommerce", "--time-limit", "0.5"]) == 1
    err = capsys.readouterr().err
    assert "jmtools validate stopped after its time limit of 0.5 s" in err and "--time-limit" in err
    assert "Traceback" not in err


@pytest.mark.parametrize("command", ["map", "validate", "sample-data", "discover"])
def test_commands_that_read_whole_tables_take_a_time_limit(command, capsys):
    with pytest.raises(SystemExit):
        main([command, "--help"])
    assert "--time-limit" in capsys.readouterr().out


# ------------------------------------------------------------------------------ discover
def _small_log(folder: Path) -> Path:
    import pandas as pd

    t = pd.Timestamp("2024-03-04 09:00")
    steps = [(0, "ad_click"), (1, "product_view"), (2, "reviews_view"), (3, "product_view"),
             (4, "cart_add"), (5, "payment"), (50, "delivered"), (60, "review_written")]
    rows = [(f"c{i}", (t + pd.Timedelta(hours=h + i)).isoformat(), e)
            for i in range(12) for h, e in steps]
    path = folder / "events.csv"
    pd.DataFrame(rows, columns=["customer_id", "timestamp", "event"]).to_csv(path, index=False)
    return path


def test_discover_writes_a_valid_journey_and_says_what_it_proposed(tmp_path, capsys):
    events = _small_log(tmp_path)
    out = tmp_path / "discovered.yaml"
    assert main(["discover", str(events), "-o", str(out)]) == 0
    said = capsys.readouterr().out
    assert "proposed 3 stages, 7 touchpoints from 7 event names (12 customers)" in said
    assert "1. Stage 1: Ad click, Product view, Reviews view — 12 customers (100.0%)" in said
    assert f"next: jmtools validate {out}" in said
    journey = Journey.load(out)
    assert journey.check() == [] and all(t.evidence == "measured" for t in journey.touchpoints)
    assert out.read_text(encoding="utf-8").startswith("# Journey proposed by `jmtools discover`")
    assert main(["validate", str(out)]) == 0


def test_discover_refuses_to_overwrite_unless_forced(tmp_path, capsys):
    events = _small_log(tmp_path)
    out = tmp_path / "journey.yaml"
    out.write_text("name: mine\n", encoding="utf-8")
    assert main(["discover", str(events), "-o", str(out)]) == 1
    err = capsys.readouterr().err
    assert "already exists" in err and "--force" in err and "Traceback" not in err
    assert out.read_text(encoding="utf-8") == "name: mine\n"
    assert main(["discover", str(events), "-o", str(out), "--force", "--stages", "2"]) == 0
    assert len(Journey.load(out).stages) == 2


def test_discover_prints_the_yaml_without_an_output_file(tmp_path, capsys):
    assert main(["discover", str(_small_log(tmp_path)), "--name", "Shop"]) == 0
    captured = capsys.readouterr()
    assert Journey.from_yaml(captured.out).name == "Shop"
    assert "proposed 3 stages" in captured.err


def test_discover_reads_the_folder_s_loading_file_and_the_log_s_initiator(tmp_path, capsys):
    """D193: a data folder's loading.yaml was not read (nested JSON lines could not be named),
    and a contact the log marks ``company`` but sent at each customer's own time was a customer
    step."""
    import json

    import pandas as pd

    t = pd.Timestamp("2024-03-04 09:00")
    steps = [(0, "signup", "user"), (1, "welcome_mail", "company"), (3, "buy", "user")]
    lines = [json.dumps({"event": e, "properties": {"account": f"a{i}", "initiated": who,
                                                    "time": (t + pd.Timedelta(hours=h + 7 * i,
                                                                              minutes=i)).isoformat()}})
             for i in range(12) for h, e, who in steps]
    (tmp_path / "events.jsonl").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (tmp_path / "loading.yaml").write_text(
        "events:\n  columns: {customer_id: properties.account, timestamp: properties.time, "
        "initiated_by: properties.initiated}\n", encoding="utf-8")
    out = tmp_path / "journey.yaml"
    assert main(["discover", str(tmp_path), "-o", str(out)]) == 0
    said = capsys.readouterr().out
    assert "company-initiated: welcome_mail\n" in said
    assert [tp.initiated_by for tp in Journey.load(out).touchpoints
            if tp.events == ["welcome_mail"]] == ["company"]


def test_discover_reads_a_data_folder_with_its_customer_table(tmp_path, capsys):
    out = tmp_path / "b2b.yaml"
    assert main(["discover", "sample:b2b", "-o", str(out)]) == 0
    said = capsys.readouterr().out
    assert "proposed 5 stages" in said and "portal_login" in said
    assert "Customer table: 600 customers" in Journey.load(out).description


@pytest.mark.parametrize("argv, code, words", [
    (["discover", "{tmp}/nowhere.csv", "-o", "{tmp}/j.yaml"], 1, "nowhere.csv"),
    (["discover", "{events}", "-o", "{tmp}/missing/j.yaml"], 1, "does not exist"),
    (["discover", "{events}", "-o", "{tmp}/j.txt"], 2, "ending in .yaml"),
    (["discover", "{events}", "--stages", "0"], 2, "--stages"),
    (["discover", "{events}", "--stages", "9"], 2, "--stages on the command line"),
    (["discover", "{events}", "--min-share", "0"], 2, "--min-share"),
    (["discover", "{events}", "--min-share", "0.5", "--customers", "{tmp}/none.csv"], 1, "none.csv"),
    (["discover", "{tmp}/bad.csv"], 1, "customer_id"),
])
def test_discover_errors_are_located_without_tracebacks(tmp_path, capsys, argv, code, words):
    events = _small_log(tmp_path)
    (tmp_path / "bad.csv").write_text("user,when,what\na,2024-01-01,x\n", encoding="utf-8")
    args = [a.format(tmp=tmp_path, events=events) for a in argv]
    assert main(args) == code
    err = capsys.readouterr().err
    assert words in err and "Traceback" not in err and "Fix:" in err
    assert not (tmp_path / "j.yaml").exists()


@pytest.mark.slow
@pytest.mark.parametrize("world", ["grocery", "ecommerce"])
def test_a_discovered_journey_runs_through_the_report_unchanged(world, tmp_path):
    """Behaviour-only data (events, customers, orders): the grocery world as it is, and the
    e-commerce world without its surveys and feedback (which name the template's touchpoints)."""
    import shutil

    data = tmp_path / "data"
    data.mkdir()
    for name in ("events.parquet", "customers.csv", "orders.csv"):
        shutil.copy(ROOT / "data" / world / name, data / name)
    journey = tmp_path / "discovered.yaml"
    assert main(["discover", str(data), "-o", str(journey)]) == 0
    html = tmp_path / "report.html"
    assert main(["report", str(ROOT / "notebooks" / "00_journey_report.ipynb"), "-p", "data_dir",
                 str(data), "-p", "journey_file", str(journey), "-o", str(html)]) == 0
    text = html.read_text(encoding="utf-8")
    assert all(name in text for name in Journey.load(journey).stage_names[:2])


def test_validate_with_data_without_a_customer_table_says_the_rules_were_not_checked(table_subset, capsys):
    """A folder without customers leaves the journey valid: its rules cannot be checked there, and
    the note says which file would let them be (tests/table_subsets.py)."""
    folder = table_subset("events+orders")
    assert main(["validate", str(folder / "journey.yaml"), "--data", str(folder)]) == 0
    captured = capsys.readouterr()
    assert "persona rules not checked" in captured.err
    assert "add customers.csv with columns customer_id" in captured.err and "ok  " in captured.out


def test_validate_says_when_the_event_log_has_dates_only(tmp_path, capsys):
    from test_evidence_days import dated_folder

    journey = dated_folder(tmp_path / "dated")                       # "2024-03-01": dates only
    assert main(["validate", str(journey), "--data", str(journey.parent)]) == 0
    out, err = capsys.readouterr()
    assert ("note  " + str(journey) + ": Event times are dates only: 2 of 5 customers (40%) have two "
            "or more stages on one day. Within a day, events are taken in journey order") in err
    assert "warning" not in out


def test_the_kits_warnings_are_one_plain_line_while_a_command_runs(capsys, monkeypatch):
    import warnings

    from jmtools.cli import main as main_mod

    def handler(args):                  # a warning the kit raises, and one from elsewhere
        warnings.warn_explicit("left off the emotion curve: surveys: 3 rows", UserWarning,
                               str(ROOT / "jmtools" / "pipeline" / "_chain.py"), 413)
        warnings.warn_explicit("a library's own", UserWarning, "/site-packages/lib/x.py", 7)
        return 0

    args = argparse.Namespace(handler=handler)
    monkeypatch.setattr(main_mod, "build_parser", lambda command: type("P", (), {
        "parse_known_args": lambda self, argv: (args, [])})())
    with warnings.catch_warnings():
        warnings.simplefilter("always")
        assert main_mod.main([]) == 0
    err = capsys.readouterr().err
    assert "note: left off the emotion curve: surveys: 3 rows\n" in err
    assert "_chain.py" not in err and "UserWarning: left off" not in err
    assert "note: a library's own" not in err


def test_validate_checks_the_survey_feedback_and_ticket_ids_against_the_customer_table(tmp_path, capsys):
    """An energy utility's NPS and complaints were keyed by account (``ACC-00012``), its customer
    table by household (``12``): validate said nothing of it; and its 25% prospects, who have
    events and no customer row, were said to be "different customer ids" (D157)."""
    import pandas as pd

    folder = tmp_path / "utility"
    folder.mkdir()
    households = range(1, 41)
    pd.DataFrame([(h, f"2024-01-0{1 + k} 10:00", step) for h in households
                  for k, step in enumerate(["compare", "sign_up"][:2 if h <= 30 else 1])],
                 columns=["customer_id", "timestamp", "event"]).to_csv(folder / "events.csv", index=False)
    pd.DataFrame({"customer_id": range(1, 31), "tariff": "fixed"}).to_csv(folder / "customers.csv", index=False)
    pd.DataFrame({"customer_id": [f"ACC-{h:05d}" for h in range(1, 21)], "timestamp": "2024-02-01 10:00",
                  "metric": "nps", "score": 7}).to_csv(folder / "surveys.csv", index=False)
    pd.DataFrame({"feedback_id": [f"CC-{h}" for h in range(1, 21)],
                  "customer_id": [f"ACC-{h:05d}" for h in range(1, 21)], "timestamp": "2024-02-01 10:00",
                  "text": "engineer never came"}).to_csv(folder / "feedback.csv", index=False)
    pd.DataFrame({"ticket_id": [f"T{h}" for h in range(1, 11)], "customer_id": range(1, 11),
                  "timestamp": "2024-02-01 10:00"}).to_csv(folder / "tickets.csv", index=False)
    journey = folder / "journey.yaml"
    journey.write_text("jmtools: 1\nname: Utility\nstages: [{name: Compare}, {name: Sign up}]\n"
                       "touchpoints:\n  - {name: Tariffs, stage: Compare, channel: digital, events: [compare]}\n"
                       "  - {name: Form, stage: Sign up, channel: digital, events: [sign_up]}\n", encoding="utf-8")
    assert main(["validate", str(journey), "--data", str(folder)]) == 0      # warnings, not invalid
    err = capsys.readouterr().err
    assert ("30 of 40 customers with events are in the customer table; the other 10 are not in it "
            "(customers it does not list, such as prospects)") in err
    assert "different customer ids" not in err
    for of, n in (("survey answers", 20), ("feedback", 20)):
        assert (f"warning  {journey}: 0 of {n} customers with {of} are in the customer table: the ids seem "
                f"to be the same, written with a prefix or leading zeros") in err
        assert f"'ACC-00001' in the {of}, '1' in the customer table" in err
    assert "customers with tickets" not in err                   # every ticket's customer is there
    assert err.count("Fix: ") == 3


def test_the_docs_say_jmtools_report_writes_the_static_variant_only_with_static():
    """docs/reports.md said every `jmtools report` writes <name>.static.html; it writes it only with
    --static (the CLI's default is off), while batch and demo write it unless --no-static (D195)."""
    parse = build_parser().parse_args
    assert parse(["report", "x.ipynb"]).static is False and parse(["report", "x.ipynb", "--static"]).static
    docs = (ROOT / "docs" / "reports.md").read_text(encoding="utf-8")
    row = next(line for line in docs.splitlines() if line.startswith("| `<name>.static.html`"))
    assert "`jmtools report --static`" in row and "`--no-static`" in row
    assert "Every report notebook run (`jmtools report`" not in docs


def test_discover_says_one_stage_in_the_singular(tmp_path, capsys):
    """A one-customer log: "proposed 1 stages" (D195)."""
    import pandas as pd

    path = tmp_path / "events.csv"
    pd.DataFrame({"customer_id": ["c1"], "timestamp": ["2024-01-01 10:00"], "event": ["signup"]}).to_csv(
        path, index=False)
    assert main(["discover", str(path), "--min-share", "1"]) == 0
    yaml, said = capsys.readouterr()
    assert "1 row, 1 customer with events, 1 event name of which 1 is placed." in yaml
    assert "proposed 1 stage, 1 touchpoint from 1 event name (1 customer)" in said, said
    assert "— 1 customer (100.0%)" in said


def test_discover_reads_values_naming_who_started_an_event(tmp_path, capsys):
    """D204: loading.yaml's ``values`` renames an ``initiated_by`` value discovery cannot read
    (``PARTNER``) to ``company``; without it the value is said with its rows and the fix."""
    import pandas as pd

    t = pd.Timestamp("2024-03-04 09:00")
    steps = [(0, "signup", "CUSTOMER"), (1, "welcome_call", "PARTNER"), (3, "buy", "CUSTOMER")]
    pd.DataFrame([(f"a{i}", t + pd.Timedelta(hours=h + 7 * i, minutes=i), e, who)
                  for i in range(12) for h, e, who in steps],
                 columns=["Who", "When", "What", "By"]).to_csv(tmp_path / "events.csv", index=False)
    columns = "events:\n  columns: {customer_id: Who, timestamp: When, event: What, initiated_by: By}\n"
    (tmp_path / "loading.yaml").write_text(columns, encoding="utf-8")
    assert main(["discover", str(tmp_path), "-o", str(tmp_path / "a.yaml")]) == 0
    said = capsys.readouterr().out
    assert "company-initiated: none\n" in said and "'PARTNER' (12 rows)" in said
    (tmp_path / "loading.yaml").write_text(columns + "  values: {initiated_by: {partner: company}}\n",
                                           encoding="utf-8")
    assert main(["discover", str(tmp_path), "-o", str(tmp_path / "b.yaml")]) == 0
    out, err = capsys.readouterr()
    assert "company-initiated: welcome_call\n" in out and "PARTNER" not in out
    assert "initiated_by renamed (values): 'partner' → 'company' (12 rows)" in err


def test_discover_reads_a_given_customers_file_as_the_loading_yaml_beside_it_says(tmp_path, capsys):
    """D235: ``discover data --customers data/customers.csv`` dropped the folder's customers
    mapping and failed with "required column 'customer_id' is missing" although loading.yaml
    maps it; a file in another folder is read as that folder's loading.yaml says."""
    import pandas as pd

    t = pd.Timestamp("2024-03-04 09:00")
    pd.DataFrame([(f"a{i}", t + pd.Timedelta(hours=h + 7 * i), e) for i in range(12)
                  for h, e in [(0, "signup"), (2, "buy")]],
                 columns=["Kunde", "When", "What"]).to_csv(tmp_path / "events.csv", index=False)
    pd.DataFrame({"Kunde": [f"a{i}" for i in range(16)]}).to_csv(tmp_path / "customers.csv", index=False)
    (tmp_path / "loading.yaml").write_text(
        "events:\n  columns: {customer_id: Kunde, timestamp: When, event: What}\n"
        "customers:\n  columns: {customer_id: Kunde}\n", encoding="utf-8")
    given = main(["discover", str(tmp_path), "--customers", str(tmp_path / "customers.csv"),
                  "-o", str(tmp_path / "a.yaml")])
    out, err = capsys.readouterr()
    assert given == 0, err
    assert "— 12 customers (75.0%)" in out                 # 12 of the 16 known customers (independent: 12/16)
    other = tmp_path / "crm"
    other.mkdir()
    pd.DataFrame({"ID": [f"a{i}" for i in range(20)]}).to_csv(other / "customers.csv", index=False)
    assert main(["discover", str(tmp_path), "--customers", str(other / "customers.csv"),
                 "-o", str(tmp_path / "b.yaml")]) == 1      # no loading.yaml beside it: a clear error
    assert "customer_id" in capsys.readouterr().err
    (other / "loading.yaml").write_text("customers:\n  columns: {customer_id: ID}\n", encoding="utf-8")
    assert main(["discover", str(tmp_path), "--customers", str(other / "customers.csv"),
                 "-o", str(tmp_path / "c.yaml")]) == 0
    assert "— 12 customers (60.0%)" in capsys.readouterr().out


@pytest.mark.parametrize("key, value, said", [
    ("persona", "Marathon Mayaa", "did you mean 'Marathon Maya'?"),
    ("segment", 'regoin == "South"', "did you mean 'region'?"),
])
def test_report_refuses_a_persona_or_segment_typo_before_any_kernel_starts(capsys, monkeypatch, tmp_path,
                                                                          key, value, said):
    """`jmtools report -p persona Enterprize` refused only inside its kernel; `batch` refused the
    same typo before any (D257). A segment's rule is said as the segment's, not a persona's."""
    import jmtools.cli.report as cli_report

    def no_kernel(*a, **k):
        raise AssertionError("a kernel was started")

    monkeypatch.setattr(cli_report, "run_notebook", no_kernel)
    nb = str(ROOT / "notebooks" / "00_journey_report.ipynb")
    code = main(["report", nb, "-p", "data_dir", str(ROOT / "data" / "ecommerce"), "-p", key, value,
                 "-o", str(tmp_path / "r.html")])
    err = capsys.readouterr().err
    assert code != 0 and said in err and "a kernel was started" not in err
    assert "persona 'segment'" not in err
    assert err.count("did you mean") == 1          # said once, not in the message and again in the fix (D266)


def test_a_segment_rule_error_is_said_as_the_segment_rule():
    from jmtools.core.expressions import SEGMENT_RULE, RuleError, parse_rule
    with pytest.raises(RuleError) as err:
        parse_rule('segmnt == "SMB"', persona=SEGMENT_RULE).check({"segment": "text"}, persona=SEGMENT_RULE)
    assert str(err.value).startswith("segment rule:") and "persona" not in str(err.value)
