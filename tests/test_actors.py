"""A B2B journey is the account's; its users are actors of it (D256): ``events: {actor: user_id}``.

A planted world (tests/b2b_world.py): accounts of 2–30 users who each do a step once, one real
loop, one real copied row, the same e-mail to several admins at one moment, answers keyed by user.
"""

from __future__ import annotations

import shutil

import pandas as pd
import pytest

from b2b_world import (COPIED, GHOST, LOADING_YAML, LOOPER, MOVER, b2b_world, plain_answers, plain_loops,
                       write_world)
from jmtools.analyses import funnels
from jmtools.core.errors import DataError
from jmtools.core.expressions import RuleError
from jmtools.core.vocabulary import with_article
from jmtools.evidence import fit_problems
from jmtools.pipeline import run
from jmtools.sources import load_world
from jmtools.sources.cases import Cases

#: The customers' own touchpoints of the world's journey, by event.
OWN = {"trial_started": "Trial start", "workspace_created": "Workspace", "invite_accepted": "Invite dialog",
       "project_created": "First project", "integration_connected": "Integration", "plan_purchased": "Plan"}
WITHOUT_ACTOR = LOADING_YAML.replace("  actor: user_id\n", "")


@pytest.fixture(scope="module")
def world():
    return b2b_world()


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    return write_world(tmp_path_factory.mktemp("b2b") / "acct")


@pytest.fixture(scope="module")
def found(folder):
    return run(folder)


@pytest.fixture(scope="module")
def per_account_alone(tmp_path_factory):
    """The same world with the account as the customer and no actor: the docs' way before D256."""
    return run(write_world(tmp_path_factory.mktemp("b2b") / "plain", loading=WITHOUT_ACTOR))


def _loops(evidence) -> pd.Series:
    got = funnels.loops(evidence)
    return got.set_index("step")["n"]


def test_the_world_plants_many_users_and_one_loop(world):
    events, _, _ = world
    users = events.dropna(subset=["user_id"]).groupby("account_id")["user_id"].nunique()
    assert users.min() >= 2 and users.max() >= 15 and users.max() <= 31
    assert plain_loops(events, OWN).to_dict() == {"Invite dialog": 1}     # the one real loop
    assert plain_loops(events, OWN, by_user=False).get("Invite dialog", 0) > 20   # what "per account" read


def test_loops_count_each_actor_of_the_account(found, world):
    events, _, _ = world
    got = _loops(found.evidence)
    truth = plain_loops(events, OWN)
    assert {k: int(v) for k, v in got.items() if v} == truth.to_dict()
    assert int(got["Invite dialog"]) == 1 and int(got["First project"]) == 0


def test_without_the_actor_every_teammate_is_a_loop(per_account_alone, world):
    """The fault (M1) the option removes: other users' steps read as the account's loops."""
    events, _, _ = world
    got = _loops(per_account_alone.evidence)
    truth = plain_loops(events, OWN, by_user=False)
    assert {k: int(v) for k, v in got.items() if v} == {k: int(v) for k, v in truth.items()}


def test_the_real_loop_is_the_planted_users(found):
    ev = found.evidence.events
    t = ev.filter(ev.customer_id == LOOPER[0]).execute()
    assert (t.loc[t["event"] == "invite_accepted", "_actor"] == LOOPER[1]).sum() == 2


def test_no_detour_when_each_user_goes_forward(found, per_account_alone):
    assert funnels.detours(found.evidence).empty
    assert not funnels.detours(per_account_alone.evidence).empty      # late teammates read as moves back


def test_funnel_counts_accounts_unchanged(found, per_account_alone, world):
    events, _, _ = world
    a = found.funnel_all.set_index("step")["n"]
    b = per_account_alone.funnel_all.set_index("step")["n"]
    assert a.to_dict() == b.to_dict()
    assert int(a["Trial"]) == events["account_id"].nunique() == found.actors.n_journeys


def test_same_moment_mails_to_admins_are_no_copies(found, per_account_alone):
    def repeated(f):
        fit = fit_problems(f.evidence)
        return fit[fit["kind"] == "repeated"]
    rep = repeated(found)
    assert len(rep) == 1 and rep["n_events"].iloc[0] == 1 and rep["subject"].iloc[0] == "project_created"
    assert "usage_report_email" in " ".join(repeated(per_account_alone)["message"])


def test_the_copy_is_the_planted_users(found):
    ev = found.evidence.events
    t = ev.filter((ev.customer_id == COPIED[0]) & (ev.event == "project_created")).execute()
    assert (t["_actor"] == COPIED[1]).sum() == 2


def test_answers_keyed_by_user_go_to_their_account(found, world):
    events, _, surveys = world
    truth = plain_answers(events, surveys)
    got = found.tables["surveys"]
    assert len(got) == truth.notna().sum() == len(surveys) - 1         # the ghost's answer is left out
    expected = (surveys.assign(account=truth).dropna(subset=["account"])
                .sort_values("submitted", kind="stable")["account"].tolist())
    assert got.sort_values("timestamp", kind="stable")["customer_id"].tolist() == expected
    counts = found.actors.answers["surveys"]
    assert counts["no_journey"] == 1 and counts["by_time"] == 2 and counts["before_first"] == 1
    moved = got[got["timestamp"] > pd.Timestamp("2025-07-01")]
    assert moved["customer_id"].tolist() == ["A002"]                    # the mover's later answer
    assert GHOST not in set(got["customer_id"]) and MOVER not in set(got["customer_id"])


def test_nps_per_account_equals_plain_pandas(found, world):
    events, _, surveys = world
    kept = surveys[plain_answers(events, surveys).notna()]
    s = kept["score"]
    nps = 100 * ((s >= 9).mean() - (s <= 6).mean())
    got = found.tables["surveys"]
    g = got.loc[got["metric"] == "nps", "score"]
    assert len(g) == len(kept)
    assert 100 * ((g >= 9).mean() - (g <= 6).mean()) == pytest.approx(nps)


def test_the_report_says_accounts_and_their_users_once(found, world):
    events, _, _ = world
    n_users = events["user_id"].dropna().nunique()
    head = found.actors.headline()
    assert head == f"40 accounts; their {n_users} users are counted as actors of their account's journey"
    assert "40 events without a user_id are the account's own" in found.actors.note()


def test_report_section_shows_the_sentence(found):
    from jmtools.report import _section_kit as kit
    from jmtools.report.funnel_notes import show_actors

    shown = []
    old = kit.display
    kit.display = shown.append
    try:
        show_actors(found)
    finally:
        kit.display = old
    text = "".join(getattr(x, "data", str(x)) for x in shown)
    assert "Counted per account." in text and "counted as actors of their account" in text


def test_personas_select_accounts_and_a_users_column_is_refused(folder, tmp_path):
    d = tmp_path / "roles"
    shutil.copytree(folder, d)
    j = (d / "journey.yaml").read_text().replace("rule: \"segment == 'Enterprise'\"", "rule: \"role == 'admin'\"")
    (d / "journey.yaml").write_text(j)
    f = run(d)
    err = f.persona_errors["Enterprise"]
    assert isinstance(err, RuleError) and "'role' is a column of the users' events, not a column of the accounts" in str(err)
    assert "personas and segments select accounts" in str(err)
    with pytest.raises(RuleError, match="users' own"):
        run(folder, segment="user_id == 'A000-u0'")
    sizes = run(folder, persona="SMB").evidence.persona_sizes
    assert int(sizes.set_index("persona").loc["SMB", "n_customers"]) == 30


@pytest.mark.parametrize("name", ["userid", "user"])
def test_misspelt_actor_is_located(folder, tmp_path, name):
    d = tmp_path / "bad"
    shutil.copytree(folder, d)
    (d / "loading.yaml").write_text(LOADING_YAML.replace("actor: user_id", f"actor: {name}"))
    with pytest.raises(DataError) as err:
        load_world(d)
    p = err.value.problems[0]
    assert p.source.endswith("loading.yaml") and p.line == 3
    assert f"actor column {name!r} is not a column of the event log" in p.message
    assert "did you mean 'user_id'?" in p.fix


def test_actor_only_under_events(folder, tmp_path):
    d = tmp_path / "under"
    shutil.copytree(folder, d)
    (d / "loading.yaml").write_text(LOADING_YAML + "  actor: user_id\n")
    with pytest.raises(Exception, match="actor"):
        load_world(d)


def test_empty_actors_are_counted_and_all_empty_refused(folder, tmp_path):
    w = load_world(folder)
    assert "40 events have no user_id: the account's own" in " ".join(w.tables["events"].accounting.notes)
    d = tmp_path / "empty"
    shutil.copytree(folder, d)
    ev = pd.read_csv(d / "events.csv").assign(user_id=None)
    ev.to_csv(d / "events.csv", index=False)
    with pytest.raises(DataError, match="the actor column is empty in all"):
        load_world(d)


def test_without_the_option_nothing_changes(per_account_alone):
    assert per_account_alone.actors is None
    assert "_actor" not in per_account_alone.evidence.events.columns


def test_an_article_by_sound():
    assert [with_article(w) for w in ("account", "claim", "user", "hour", "order", "unit")] == \
        ["an account", "a claim", "a user", "an hour", "an order", "a unit"]
    c = Cases("account_id", "account", shared_values=2, shared_journeys=4, no_case=3)
    note = c.note()
    assert "is an account of its own" in note and "without an account_id" in note and "a account" not in note


def test_the_headline_names_accounts(found, world, monkeypatch):
    """The headline's sentence, its recorded key figure and its card say accounts, not customers."""
    from jmtools.report import _section_kit as kit
    from jmtools.report import sections

    events, _, _ = world
    shown, labels = [], {}
    monkeypatch.setattr(kit, "display", lambda *objs: shown.extend(objs))
    monkeypatch.setattr(sections, "record", lambda name, value, **kw: labels.setdefault(name, kw.get("label")))
    sections.at_a_glance(found)
    text = " ".join(str(getattr(x, "data", x)) for x in shown)
    n = events["account_id"].nunique()
    bought = events.loc[events["event_name"] == "plan_purchased", "account_id"].nunique()
    assert f"{n} accounts with events; {100 * bought / n:.1f}% of accounts reach Purchase" in text
    assert "customers with events" not in text and labels["customers"] == "Accounts with events"
    shown.clear()
    monkeypatch.setattr(sections, "headline_items", lambda f: [])     # the cards, where there is no sentence
    sections.at_a_glance(found)
    cards = " ".join(str(getattr(x, "data", x)) for x in shown)
    assert f"<span>Accounts</span><b style=\"display:block;font-size:1.35rem\">{n}</b>" in cards


def test_actor_with_case_is_refused_where_it_is_written(folder, tmp_path):
    """A journey per (account, case) with users as actors is not counted yet (D256): a located
    error at the actor's line of loading.yaml says why and what to keep."""
    d = tmp_path / "case"
    shutil.copytree(folder, d)
    (d / "loading.yaml").write_text(LOADING_YAML.replace("  actor: user_id\n", "  actor: user_id\n  case: role\n"))
    with pytest.raises(DataError) as err:
        load_world(d)
    p = err.value.problems[0]
    assert p.source.endswith("loading.yaml") and p.line == 3 and p.path == "actor"
    assert "is not counted yet" in p.message and "the case their account was in at the time" in p.message
    assert "actor 'user_id' with case 'role'" in p.message and "keep one" in p.fix


def test_a_hidden_persona_says_fewer_than_5_accounts(folder, tmp_path, monkeypatch):
    """A persona of 1–4 accounts is hidden by its accounts, and its headline says so."""
    from jmtools.report import _section_kit as kit
    from jmtools.report import sections

    d = tmp_path / "tiny"
    shutil.copytree(folder, d)
    j = (d / "journey.yaml").read_text().replace(
        "personas:\n", "personas:\n  - {name: Tiny, rule: \"customer_id in ['A001', 'A002']\"}\n")
    (d / "journey.yaml").write_text(j)
    f = run(d, persona="Tiny")
    assert f.focus_hidden
    shown = []
    monkeypatch.setattr(kit, "display", lambda *objs: shown.extend(objs))
    sections.at_a_glance(f)
    text = " ".join(str(getattr(x, "data", x)) for x in shown)
    assert "fewer than 5 accounts with events" in text and "fewer than 5 customers with events" not in text
    shown.clear()
    monkeypatch.setattr(sections, "headline_items", lambda f: [])
    sections.at_a_glance(f)
    assert "<span>Accounts</span>" in " ".join(str(getattr(x, "data", x)) for x in shown)


def test_discover_proposes_the_actor_and_counts_accounts(folder, tmp_path, capsys, world):
    """D256: discover reads `actor:` (it crashed on the option) and counts accounts; without it,
    a user column whose users repeat under one account is proposed as the actor, and an account
    column over a log keyed by user is proposed as the journey's key."""
    from jmtools.cli.main import main

    events = world[0]
    n_users = events["user_id"].dropna().nunique()
    assert main(["discover", str(folder)]) == 0
    said = capsys.readouterr().err
    assert f"({events['account_id'].nunique()} accounts)" in said and "`actor:" not in said
    plain = tmp_path / "plain"
    shutil.copytree(folder, plain)
    (plain / "loading.yaml").write_text(WITHOUT_ACTOR)
    assert main(["discover", str(plain)]) == 0
    said = capsys.readouterr().err
    assert f"each account's events name several user_id values ({n_users} users in 40 accounts" in said
    assert "add `actor: user_id` under `events:` in loading.yaml" in said
    by_user = tmp_path / "by_user"
    shutil.copytree(folder, by_user)
    (by_user / "loading.yaml").write_text(WITHOUT_ACTOR.replace("customer_id: account_id, timestamp",
                                                                "customer_id: user_id, timestamp"))
    assert main(["discover", str(by_user)]) == 0
    said = capsys.readouterr().err
    assert f"{n_users} users act for 40 accounts (account_id" in said and "add `actor: user_id`" in said
    single = tmp_path / "single"                                       # one user per account: nothing proposed
    shutil.copytree(plain, single)
    ev = pd.read_csv(single / "events.csv")
    ev.assign(user_id=ev["account_id"] + "-only").to_csv(single / "events.csv", index=False)
    assert main(["discover", str(single)]) == 0
    assert "actor" not in capsys.readouterr().err


def test_an_order_id_is_no_actor():
    """A customer's several orders each under one customer are no users: nothing is proposed."""
    from jmtools.sources import load_events
    from jmtools.sources.actors import suggest_actor

    ev = pd.DataFrame({"customer_id": ["c1", "c1", "c2", "c2"], "order_id": ["o1", "o2", "o3", "o4"],
                       "user_id": ["u1", "u2", "u3", "u4"], "timestamp": ["2024-01-01"] * 4, "event": ["buy"] * 4})
    assert suggest_actor(load_events(ev.drop(columns="user_id"))) is None
    assert "`actor: user_id`" in suggest_actor(load_events(ev))
