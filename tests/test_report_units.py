"""D262: the funnel's notes, the focus's name, the persona table's note and the "fewer than 5"
sentence say the journey's unit — accounts with an actor column (D256), claims per case (D238) —
and the way out of D243 ("mark that touchpoint `initiated_by: customer`") is offered only where
the company's touchpoint may record the customer's own step, not under a message it sent.

Every count is checked against plain pandas over tests/b2b_world.py and tests/case_world.py.
"""

from __future__ import annotations

import pandas as pd
import pytest

from b2b_world import JOURNEY_YAML, LOADING_YAML, b2b_world
from case_world import JOURNEY_YAML as CLAIMS_YAML
from case_world import claims_world
from jmtools.pipeline import run
from jmtools.report import _section_kit as kit
from jmtools.report import sections
from jmtools.report.funnel_notes import WAY_OUT, may_be_own_step
from table_subsets import shown_charts, shown_text

NOT_STARTED = ["A010", "A011", "A013", "A014", "A015"]       # no trial_started: the funnel does not count them
CANCELLED = [f"A{a:03d}" for a in range(1, 40, 5)]          # an exit stage: 8 accounts leave

#: tests/b2b_world.py's journey with a persona of two accounts (first: it takes them), Integrate
#: optional, the price notice at Purchase (a company message where accounts act) and an exit stage.
ACCOUNT_JOURNEY = (JOURNEY_YAML
                   .replace("personas:\n", "personas:\n  - {name: Tiny, rule: \"customer_id in ['A001', 'A002']\"}\n")
                   .replace("{name: Integrate}", "{name: Integrate, optional: true}")
                   .replace("  - {name: Purchase}\n", "  - {name: Purchase}\n  - {name: Churn, exit: true}\n")
                   .replace("{name: Price notice, stage: Team,", "{name: Price notice, stage: Purchase,")
                   + "  - {name: Cancellation, stage: Churn, channel: digital, events: [subscription_cancelled]}\n")


def _account_events() -> tuple[pd.DataFrame, pd.DataFrame]:
    events, customers, _ = b2b_world()
    events = events[~(events["account_id"].isin(NOT_STARTED) & (events["event_name"] == "trial_started"))]
    first = events.groupby("account_id")["ts"].min()
    gone = pd.DataFrame({"account_id": CANCELLED, "user_id": [f"{a}-u0" for a in CANCELLED],
                         "ts": [first[a] + pd.Timedelta(days=70) for a in CANCELLED],
                         "event_name": "subscription_cancelled", "role": "admin"})
    return pd.concat([events, gone], ignore_index=True), customers


def _write_accounts(folder, *, renamed: dict | None = None, journey: str = ACCOUNT_JOURNEY):
    folder.mkdir(parents=True, exist_ok=True)
    events, customers = _account_events()
    events = events.assign(event_name=events["event_name"].replace(renamed or {}))
    events.to_csv(folder / "events.csv", index=False)
    customers.rename(columns={"account_id": "account_id"}).to_csv(folder / "customers.csv", index=False)
    (folder / "journey.yaml").write_text(journey, encoding="utf-8")
    (folder / "loading.yaml").write_text(LOADING_YAML.split("surveys:")[0], encoding="utf-8")
    return folder


def _strict(events: pd.DataFrame, key: str, steps: list[set], event_col: str, time_col: str) -> dict:
    """Per journey, how many of ``steps`` (sets of event names) it reaches in time order, each the
    first matching event after the previous step (plain pandas, row by row)."""
    reached = {}
    for k, rows in events.sort_values(time_col, kind="stable").groupby(key, sort=False):
        at = 0
        for e in rows[event_col]:
            if at < len(steps) and e in steps[at]:
                at += 1
        reached[k] = at
    return reached


def _shown(monkeypatch, f, *parts) -> tuple[str, list]:
    shown = []
    monkeypatch.setattr(kit, "display", lambda *objs: shown.extend(objs))
    for part in parts:
        part(f)
    return shown_text(shown), shown_charts(shown)


@pytest.fixture(scope="module")
def accounts(tmp_path_factory):
    return _write_accounts(tmp_path_factory.mktemp("accounts") / "world")


@pytest.fixture(scope="module")
def plain_accounts():
    events, _ = _account_events()
    steps = [{"trial_started"}, {"workspace_created"}, {"invite_accepted", "project_created"}, {"plan_purchased"}]
    reached = pd.Series(_strict(events, "account_id", steps, "event_name", "ts"))
    return events, reached


@pytest.fixture(scope="module")
def everyone(accounts):
    return run(accounts)


def test_the_funnel_notes_count_accounts(everyone, plain_accounts, monkeypatch):
    events, reached = plain_accounts
    text, _ = _shown(monkeypatch, everyone, sections.how_far)
    n, team, bought = events["account_id"].nunique(), int((reached >= 3).sum()), int((reached >= 4).sum())
    assert n == 40 and team == 35 and list(everyone.funnel["n"]) == [int((reached >= k).sum()) for k in range(1, 5)]
    # not started: the planted accounts without a trial
    assert (f"Accounts the funnel does not count**: 5 ({5 / n:.1%}) of the {n} accounts with events have no event "
            "at **Trial**, its first step") in text and "If accounts may start later" in text
    # a company message at a stage where accounts act: the accounts at Team not counted at Purchase
    assert (f"Not counted at Purchase**: {team - bought} of the {team} accounts counted at Team got a contact the "
            "company started there (Price notice)") in text
    # the optional stage: of the accounts at Team, those with an integration after it
    integrated = events[events["event_name"] == "integration_connected"].groupby("account_id")["ts"].min()
    at_team = _team_times(events)
    k = int(sum(a in integrated.index and integrated[a] > t for a, t in at_team.items()))
    assert len(at_team) == team and 0 < k < team
    assert f"**Integrate, an optional stage**: reached by {k} of the {team} accounts counted at Team" in text
    assert "Many accounts never need it" in text and "later stages count accounts with or without it" in text
    # the exit stage: of all accounts with events
    assert f"**Left at Churn**: {len(CANCELLED)} of the {n} accounts with events" in text
    assert "accounts that reach it leave" in text
    for wrong in ("customers counted at", "customers with events", "Customers the funnel", "Many customers",
                  "customers that reach", "customers who reach it leave"):
        assert wrong not in text, wrong


def _team_times(events: pd.DataFrame) -> dict:
    """Each account's time at Team by the strict walk (trial, workspace, then an invitation or project)."""
    steps, out = [{"trial_started"}, {"workspace_created"}, {"invite_accepted", "project_created"}], {}
    for a, rows in events.sort_values("ts", kind="stable").groupby("account_id"):
        at = 0
        for e, t in zip(rows["event_name"], rows["ts"]):
            at += at < 3 and e in steps[at]
            if at == 3:
                out[a] = t
                break
    return out


def test_no_way_out_under_a_message(everyone, monkeypatch):
    """The price notice is a message the company sent: marking it the account's own step is no fix."""
    text, _ = _shown(monkeypatch, everyone, sections.how_far)
    assert "Not counted at Purchase" in text and WAY_OUT.strip() not in text
    assert "`initiated_by: customer`" not in text


def test_the_way_out_where_the_record_may_be_the_accounts_step(tmp_path, monkeypatch):
    """The same rows as the billing system's renewal record: it may be the account's own step."""
    journey = ACCOUNT_JOURNEY.replace("{name: Price notice,", "{name: Plan renewed,").replace(
        "events: [price_notice]", "events: [plan_renewed]")
    f = run(_write_accounts(tmp_path / "renewed", renamed={"price_notice": "plan_renewed"}, journey=journey))
    text, _ = _shown(monkeypatch, f, sections.how_far)
    assert "company started there (Plan renewed)" in text and WAY_OUT.strip() in text


def test_the_title_and_persona_table_say_accounts(everyone, monkeypatch):
    text, _ = _shown(monkeypatch, everyone, sections.title, sections.who)
    assert "# Team tool: all accounts" in text
    assert ("Accounts no persona rule selects are listed as *(no persona)*, accounts missing from the "
            "customer table as *(not in customer table)*.") in text


def test_a_persona_funnel_is_drawn_beside_all_accounts(accounts, monkeypatch):
    _, charts = _shown(monkeypatch, run(accounts, persona="SMB"), sections.how_far)
    groups = {r["group"] for c in charts for d in c.get("datasets", {}).values() for r in d if "group" in r}
    assert groups == {"SMB", "all accounts"}


def test_a_hidden_persona_says_fewer_than_5_accounts_and_the_report_for_all_accounts(accounts, monkeypatch):
    f = run(accounts, persona="Tiny")
    assert f.focus_hidden
    text, _ = _shown(monkeypatch, f, sections.at_a_glance, sections.how_far)
    assert "**Tiny: fewer than 5 accounts — its size, funnel, survey KPIs and emotion curve are not shown.**" in text
    assert "No group of fewer than 5 accounts is shown" in text and "the report for all accounts has" in text
    assert "customers" not in text


def test_the_maps_cells_count_accounts(everyone, plain_accounts):
    from jmtools.analyses.mapcells import map_cells

    events, _ = plain_accounts
    cells = map_cells(everyone.journey, evidence=everyone.map_evidence)
    said = set(cells.loc[cells["lane"] == "touchpoints", "source"]) - {""}
    invites = events.loc[events["event_name"] == "invite_accepted", "account_id"].nunique()
    assert f"events of {invites} accounts" in said and not any("customer" in s for s in said)


def test_customer_worlds_keep_their_words(monkeypatch):
    """On the e-commerce sample nothing changes: "customers" everywhere, the title "all customers"."""
    f = run("sample:ecommerce")
    text, charts = _shown(monkeypatch, f, sections.title, sections.who, sections.how_far)
    assert "all customers" in text and "accounts" not in text and "claims" not in text
    assert "Customers no persona rule selects are listed as" in text


# ---------------------------------------------------------------------------------------------- per case

#: tests/case_world.py's journey with a company reminder at Entscheidung and an exit stage.
CASE_JOURNEY = (CLAIMS_YAML.replace("  - {name: Abschluss}\n", "  - {name: Abschluss}\n  - {name: Widerruf, exit: true}\n")
                + "  - {name: Erinnerung, stage: Entscheidung, channel: digital, initiated_by: company, "
                  "events: [decision_reminder_sent]}\n"
                  "  - {name: Widerruf, stage: Widerruf, channel: digital, events: [claim_withdrawn]}\n")


def _claim_events() -> tuple[pd.DataFrame, pd.DataFrame]:
    """The claims world with a reminder to each claim stopped at Unterlagen, a withdrawal of every
    tenth claim, and the first report of six claims missing (they start at Unterlagen)."""
    ev, cu, _ = claims_world()
    ev = ev.assign(timestamp=pd.to_datetime(ev["timestamp"]))
    claims = ev[ev["claim_no"].fillna("") != ""]
    per = claims.groupby("claim_no")["event"].agg(set)
    stopped = per[per.map(lambda s: "docs_uploaded" in s and "decision_accepted" not in s)].index
    uploads = claims[claims["event"] == "docs_uploaded"].groupby("claim_no").agg(
        customer_id=("customer_id", "first"), timestamp=("timestamp", "min"))
    reminders = uploads.loc[stopped].reset_index().assign(timestamp=lambda d: d["timestamp"] + pd.Timedelta(hours=1),
                                                          event="decision_reminder_sent")
    firsts = claims.groupby("claim_no").agg(customer_id=("customer_id", "first"), timestamp=("timestamp", "min"))
    withdrawn = firsts.iloc[::10].reset_index().assign(timestamp=lambda d: d["timestamp"] + pd.Timedelta(hours=2),
                                                       event="claim_withdrawn")
    skipped = set(per[per.map(lambda s: {"claim_reported", "docs_uploaded"} <= s)].index[3:9])
    ev = ev[~(ev["claim_no"].isin(skipped) & (ev["event"] == "claim_reported"))]
    return pd.concat([ev, reminders, withdrawn], ignore_index=True), cu


@pytest.fixture(scope="module")
def claims(tmp_path_factory):
    folder = tmp_path_factory.mktemp("claims")
    ev, cu = _claim_events()
    ev.to_csv(folder / "events.csv", index=False)
    cu.to_csv(folder / "customers.csv", index=False)
    (folder / "journey.yaml").write_text(CASE_JOURNEY, encoding="utf-8")
    (folder / "loading.yaml").write_text("events:\n  case: claim_no\n  case_name: claim\n", encoding="utf-8")
    return run(folder), ev


def test_the_funnel_notes_count_claims(claims, monkeypatch):
    f, ev = claims
    text, _ = _shown(monkeypatch, f, sections.title, sections.who, sections.how_far)
    journeys = ev[ev["claim_no"].fillna("") != ""].assign(key=lambda d: d["customer_id"] + "|" + d["claim_no"])
    steps = [{"claim_reported"}, {"docs_uploaded"}, {"decision_accepted"}, {"claim_closed"}]
    reached = pd.Series(_strict(journeys, "key", steps, "event", "timestamp"))
    n, at_docs, decided = len(reached), int((reached >= 2).sum()), int((reached >= 3).sum())
    assert list(f.funnel["n"]) == [int((reached >= k).sum()) for k in range(1, 5)]
    left = n - int((reached >= 1).sum())
    assert left == 6
    assert f"Claims the funnel does not count**: {left} ({left / n:.1%}) of the {n:,} claims with events" in text
    reminded = journeys.loc[journeys["event"] == "decision_reminder_sent", "key"]
    not_counted = int(sum(reached.get(k, 0) == 2 for k in set(reminded)))
    assert (f"Not counted at Entscheidung**: {not_counted} of the {at_docs:,} claims counted at Unterlagen got a "
            "contact the company started there (Erinnerung)") in text and WAY_OUT.strip() not in text
    gone = journeys.loc[journeys["event"] == "claim_withdrawn", "key"].nunique()
    assert f"**Left at Widerruf**: {gone} of the {n:,} claims with events" in text
    assert "# Schadenfall: all claims" in text
    assert "Claims of customers no persona rule selects are listed as *(no persona)*" in text
    notes, _ = _shown(monkeypatch, f, sections.how_far)
    assert decided < at_docs and "customers counted at" not in notes and "customers with events" not in notes


def test_a_message_is_told_from_a_record():
    """The rule of D262 on the touchpoints of the sample worlds and the testers' worlds."""
    from jmtools.journey.model import Touchpoint

    def tp(name, events, channel="digital"):
        return Touchpoint(name=name, stage="S", channel=channel, events=events, initiated_by="company")
    messages = [tp("Restock reminder", ["reminder_email_sent"]), tp("Weekly push", ["push_sent"]),
                tp("Price increase notice", ["price_increase_notice"]), tp("Usage report e-mail", ["usage_report"]),
                tp("Renewal quote", ["renewal_quote_sent"]), tp("Weekly newsletter", ["newsletter_sent"]),
                tp("Request letter", [], "physical"), tp("Update", ["statusEmail"])]
    records = [tp("Automatic renewal", ["subscription_auto_renewed"]), tp("Payment", ["payment_captured"]),
               tp("CSM onboarding call", ["csm_onboarding_call"], "interpersonal"),
               tp("Valuation completed", [], "physical"), tp("Order taken by staff", ["order_entered"])]
    assert not any(may_be_own_step(t) for t in messages)
    assert all(may_be_own_step(t) for t in records)
