"""The drop-off signal leaves out the customers still open at the data's end (D209): a planted permit
log whose losers at Upload are in good part applications whose decision is not due yet, counted by
plain pandas on first events, all customers and per persona, with a company's reminder counted as
the funnel counts it."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jmtools import pipeline
from jmtools.analyses.compare import still_open_steps

from permit_world import CUT, JOURNEY_YAML, START, own_cutoffs, permit_folder

#: Planted: 15% never upload after applying; of the uploaders 20% never get a decision (really gone):
#: at the cut-off about as many of those lost at Upload are still open.
NO_UPLOAD, STUCK = 0.15, 0.20


def _planted(seed: int = 5, n: int = 2400, reminders: bool = False, stuck: float = STUCK,
             slowest: float = 120) -> pd.DataFrame:
    """Applications over 18 months; the upload 1–3 days later (or never, ``NO_UPLOAD``); a decision
    20–``slowest`` days after the upload (or never, ``stuck``); nothing after :data:`CUT`. ``reminders``:
    the office reminds 30% of those who never upload, 5 days after they applied (``remind``)."""
    rng = np.random.default_rng(seed)
    rows = []
    for i in range(n):
        t = START + pd.Timedelta(minutes=int(rng.integers(0, 60 * 24 * 545)))
        rows.append((f"c{i}", "apply", t))
        if rng.random() < NO_UPLOAD:
            if reminders and rng.random() < 0.3:
                rows.append((f"c{i}", "remind", t + pd.Timedelta(days=5)))
            continue
        up = t + pd.Timedelta(days=float(rng.uniform(1, 3)))
        rows.append((f"c{i}", "upload", up))
        if rng.random() >= stuck:
            rows.append((f"c{i}", "decide", up + pd.Timedelta(days=float(rng.uniform(20, slowest)))))
    ev = pd.DataFrame(rows, columns=["customer_id", "event", "timestamp"])
    ev["timestamp"] = ev["timestamp"].dt.floor("s")
    return ev[ev["timestamp"] <= CUT].reset_index(drop=True)


def _pandas_dropoff(ev: pd.DataFrame, who=None, *, upload=("upload",), customers=None) -> dict:
    """Plain pandas: per stage (Apply, Upload) the customers reaching it, those lost, and among those who
    had time to go on (reached it before the follow-up window: each persona's own, ``customers``' ``kind``,
    D261; else all customers') the same two counts.
    ``upload``: the events that reach Upload as the funnel counts them (a company's reminder too)."""
    wide = ev.pivot_table(index="customer_id", columns="event", values="timestamp", aggfunc="min")
    wide["up"] = wide[[e for e in upload if e in wide]].min(axis=1)
    own_up = wide["upload"]
    end = ev["timestamp"].max()
    kind = (customers.set_index("customer_id")["kind"].reindex(wide.index) if customers is not None
            else pd.Series(None, index=wide.index, dtype=object))
    out = {}
    for stage, at, nxt, own_at, own_nxt in (("Apply", "apply", "up", "apply", own_up),
                                            ("Upload", "up", "decide", own_up, "decide")):
        own_nxt = wide[own_nxt] if isinstance(own_nxt, str) else own_nxt
        own_at = wide[own_at] if isinstance(own_at, str) else own_at
        since = own_cutoffs(own_at, own_nxt, kind, end)                # own steps (D190), own persona (D261)
        mine = wide if who is None else wide[wide.index.isin(who)]
        reached = mine[mine[at].notna()]
        lost = reached[nxt].isna()
        recent = reached[at] > since[reached.index]
        out[stage] = {"n_all": len(reached), "count_all": int(lost.sum()), "n": int((~recent).sum()),
                      "count": int((lost & ~recent).sum()), "open": int((lost & recent).sum())}
    return out


def _dropoff(f, persona="all") -> pd.DataFrame:
    s = f.signals
    return s[(s["signal"] == "drop-off") & (s["persona"] == persona)].set_index("stage")


@pytest.fixture(scope="module")
def permit(tmp_path_factory):
    root = tmp_path_factory.mktemp("open_permit")
    ev = _planted()
    customers = permit_folder(root, ev)
    return root, ev, customers


@pytest.mark.parametrize("persona", ["all", "Firm"])
def test_the_dropoff_counts_those_who_had_time_to_go_on_as_plain_pandas_does(permit, persona):
    root, ev, customers = permit
    f = pipeline.run(root)
    who = None if persona == "all" else set(customers.loc[customers["kind"] == "firm", "customer_id"])
    truth = _pandas_dropoff(ev, who, customers=customers)
    kinds = [_pandas_dropoff(ev, set(customers.loc[customers["kind"] == k, "customer_id"]), customers=customers)
             for k in ("firm", "private")]
    got = _dropoff(f, persona)
    for stage in ("Apply", "Upload"):
        t, g = truth[stage], got.loc[stage]
        assert (int(g["n"]), int(g["count"])) == (t["n"], t["count"]), stage
        assert (int(g["n_all"]), int(g["count_all"])) == (t["n_all"], t["count_all"]), stage
        small = any(0 < k[stage]["open"] < 5 for k in kinds)      # a persona's count would give another's 1–4 back
        if persona != "all" and small:
            assert pd.isna(g["n_open"]), stage
        else:
            assert int(g["n_open"]) == t["open"], stage
    up = truth["Upload"]
    assert 0.7 < up["open"] / (up["count_all"] - up["open"]) < 1.4     # planted: half open, half really gone
    assert got.loc["Upload", "mean"] == pytest.approx(STUCK, abs=0.035)   # had time: the planted 20%
    assert got.loc["Upload", "count_all"] / got.loc["Upload", "n_all"] > STUCK + 0.05    # everyone: not what was planted
    opened = still_open_steps(f.evidence, steps=["Apply", "Upload", "Decision"])     # the funnel's note agrees
    note = opened[(opened["step"] == "Decision") & (opened["persona"] == ("" if persona == "all" else "Firm"))]
    assert note[["left_out", "open"]].values.tolist() == [[up["n_all"] - up["n"], up["open"]]]


def test_the_rank_follows_the_dropoff_of_those_who_had_time(tmp_path):
    """Decisions take up to 300 days: counted with the open cases, Upload loses about a third and ranks
    first (before D209); among those who had time to go on it loses the planted 5% against Apply's 15%,
    and Apply ranks first. The words say whom the share counts and how many it leaves out."""
    ev = _planted(seed=7, stuck=0.05, slowest=300)
    customers = permit_folder(tmp_path, ev)
    f = pipeline.run(tmp_path)
    truth = _pandas_dropoff(ev, customers=customers)
    share = {s: truth[s]["count_all"] / truth[s]["n_all"] for s in ("Apply", "Upload")}
    assert share["Upload"] > share["Apply"] + 0.1                       # everyone counted: Upload is worse
    assert truth["Upload"]["count"] / truth["Upload"]["n"] < truth["Apply"]["count"] / truth["Apply"]["n"] - 0.05
    table = f.pain_points.table
    assert table["title"].iloc[0] == "Drop-off at Apply", table["title"].tolist()
    ap = truth["Apply"]
    assert (f"drop-off {ap['count'] / ap['n']:.0%} (n={ap['n']:,}, of those who had time to go on — "
            f"{ap['n_all'] - ap['n']} who reached it too recently to judge left out, {ap['open']} of them still "
            f"open)") in table["evidence"].iloc[0]
    assert ap["n_all"] > ap["n"] and table["customers_affected"].iloc[0] == ap["n_all"]   # all who meet it
    row = f.pain_points.evidence
    row = row[(row["signal"] == "drop-off") & (row["stage"] == "Upload") & (row["persona"] == "all")].iloc[0]
    assert (row["n"], row["n_all"], row["n_open"]) == (truth["Upload"]["n"], truth["Upload"]["n_all"],
                                                       truth["Upload"]["open"])


def test_a_company_reminder_is_counted_as_the_funnel_counts_it(tmp_path):
    """A reminder the office sends (``initiated_by: company``) to applicants who never upload does not
    bring them to Upload, a stage where customers act (D243): they are lost at Apply, in the funnel and
    in the signal alike, and who is left out is counted on the same reach. Before D243 the funnel
    counted the reminded at Upload and this test's pandas did too (``upload=("upload", "remind")``);
    the planted truth is that they never uploaded."""
    ev = _planted(seed=9, n=1500, reminders=True)
    customers = permit_folder(tmp_path, ev)
    yaml = JOURNEY_YAML.replace(
        "  - {name: Letter,",
        "  - {name: Reminder, stage: Upload, channel: digital, events: [remind], initiated_by: company}\n"
        "  - {name: Letter,")
    (tmp_path / "journey.yaml").write_text(yaml, encoding="utf-8")
    f = pipeline.run(tmp_path)
    truth = _pandas_dropoff(ev, customers=customers)       # Upload: their own upload only
    got = _dropoff(f)
    fun = f.funnel.set_index("step")
    for stage, step in (("Apply", "Upload"), ("Upload", "Decision")):
        t, g = truth[stage], got.loc[stage]
        assert int(g["n_all"]) == int(fun.loc[step, "n_prev"]) == t["n_all"], stage
        assert int(g["count_all"]) == int(fun.loc[step, "n_prev"] - fun.loc[step, "n"]) == t["count_all"], stage
        assert (int(g["n"]), int(g["count"]), int(g["n_open"])) == (t["n"], t["count"], t["open"]), stage
    reminded = set(ev.loc[ev["event"] == "remind", "customer_id"])
    assert reminded and not reminded & set(ev.loc[ev["event"] == "upload", "customer_id"])
    assert truth["Apply"]["count_all"] >= len(reminded)          # the reminded are among Apply's losses
    assert _pandas_dropoff(ev, upload=("upload", "remind"), customers=customers)["Apply"]["count_all"] == \
        truth["Apply"]["count_all"] - len(reminded)               # the old reading hid them


def test_nobody_open_nothing_changes(ecommerce_world):
    f = pipeline.run(ecommerce_world.world)
    d = f.signals[f.signals["signal"] == "drop-off"]
    assert len(d) and (d["n_open"] == 0).all()
    assert (d["count"] == d["count_all"]).all() and (d["n"] == d["n_all"]).all()
    assert not f.pain_points.table["evidence"].str.contains("had time to go on").any()


def test_a_personas_open_count_is_not_said_where_another_has_1_to_4():
    """The subtraction guard of D199: everyone's open count less one persona's would give the other's
    1–4 back, so no persona's row says its own (the counts still leave them out)."""
    import jmtools.analyses.painpoints as pp

    f = pd.DataFrame({"persona": ["A"] * 2 + ["B"] * 2, "step_index": [1, 2] * 2, "step": ["Browse", "Pay"] * 2,
                      "n": [100, 60, 50, 30], "n_prev": [100, 100, 50, 50]})
    o = pd.DataFrame({"step": ["Pay"] * 3, "persona": ["", "A", "B"], "left_out": [30, 27, 3], "open": [23, 20, 3],
                      "open_skipped": [0, 0, 0], "small_persona": [False, True, True]})
    sig = pp.dropoff_signal(f, still_open=o).set_index("persona")
    assert sig.loc["all", ["count", "n", "n_open"]].tolist() == [(40 + 20) - 23, 150 - 30, 23]
    assert sig.loc["A", ["count", "n"]].tolist() == [20, 73] and pd.isna(sig.loc["A", "n_open"])
    assert pd.isna(sig.loc["B", "n_open"]) and sig.loc["B", "count_all"] == 20


def _plans(seed: int = 6, n: int = 400):
    """Monthly plans renew 30 days (± 6 h) after subscribing, 90% of those who had the time; annual plans
    cannot renew within the data's 120 days (the subscription tester's F6, D261)."""
    from jmtools.evidence import prepare

    rng = np.random.default_rng(seed)
    start, end = pd.Timestamp("2026-08-01"), pd.Timestamp("2026-11-29")
    rows, who = [], []
    for i in range(n):
        c, plan = f"c{i}", "Monthly" if i % 2 else "Annual"
        t = start + pd.Timedelta(seconds=int(rng.uniform(0, 119 * 86400)))
        rows.append((c, "subscription_started", t))
        renew = t + pd.Timedelta(days=30, seconds=int(rng.uniform(-6, 6) * 3600))
        if plan == "Monthly" and renew <= end and rng.random() < 0.9:
            rows.append((c, "subscription_renewed", renew))
        who.append((c, plan))
    rows.append(("last", "subscription_started", end))     # the data's end
    who.append(("last", "Monthly"))
    ev = pd.DataFrame(rows, columns=["customer_id", "event", "timestamp"])
    j = {"stages": ["Subscribe", "Renew"], "touchpoints": [
        {"name": "Start", "stage": "Subscribe", "events": ["subscription_started"]},
        {"name": "Renewal", "stage": "Renew", "events": ["subscription_renewed"]}],
        "personas": [{"name": p, "rule": f'plan == "{p}"'} for p in ("Annual", "Monthly")]}
    personas = pd.DataFrame(who, columns=["customer_id", "persona"])
    return ev, prepare(ev, j, customers=personas.rename(columns={"persona": "plan"})), personas, end


def test_a_group_none_of_which_ever_went_on_is_not_yet_due_not_lost():
    """F6 (D261): "Annual subscribers: drop-off 100% at Subscribe" — the window was the monthly renewers'
    and applied to everyone. Each persona now waits its own time; one of which nobody went on within the
    data is left out whole (cannot tell); plain pandas gives each persona's count."""
    import jmtools.analyses.painpoints as pp
    from jmtools.analyses.funnels import funnel

    ev, evidence, personas, end = _plans()
    o = still_open_steps(evidence, steps=["Subscribe", "Renew"]).set_index("persona")
    first = ev[ev["event"] == "subscription_started"].groupby("customer_id")["timestamp"].min()
    went = ev[ev["event"] == "subscription_renewed"].groupby("customer_id")["timestamp"].min()
    d = pd.DataFrame({"t": first, "next": went}).join(personas.set_index("customer_id"))
    annual = d[d["persona"] == "Annual"]
    assert o.loc["Annual", ["left_out", "open"]].tolist() == [len(annual), len(annual)]
    monthly = d[d["persona"] == "Monthly"]
    wait_h = ((monthly["next"] - monthly["t"]).dt.total_seconds() / 3600).dropna()
    recent = monthly[monthly["t"] > end - pd.Timedelta(hours=float(np.quantile(wait_h, 0.99)))]
    assert o.loc["Monthly", ["left_out", "open"]].tolist() == [len(recent), int(recent["next"].isna().sum())]
    f = funnel(evidence, steps=["Subscribe", "Renew"], by="persona")
    sig = pp.dropoff_signal(f, still_open=o.reset_index()).set_index("persona")
    assert sig.loc["Annual", "n"] == 0                 # nobody of them had the time: no drop-off to compare
    had_time = monthly.drop(recent.index)
    assert sig.loc["Monthly", ["count", "n"]].tolist() == [int(had_time["next"].isna().sum()), len(had_time)]


def _plans_folder(root) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`_plans` as a data folder (events, customers with their ``plan``, a journey with the two
    personas); returns the events and each customer's plan."""
    ev, _, personas, _ = _plans()
    ev.to_csv(root / "events.csv", index=False)
    personas.rename(columns={"persona": "plan"}).to_csv(root / "customers.csv", index=False)
    (root / "journey.yaml").write_text(
        "name: Plans\nstages:\n  - name: Subscribe\n  - name: Renew\ntouchpoints:\n"
        "  - {name: Start, stage: Subscribe, channel: digital, events: [subscription_started]}\n"
        "  - {name: Renewal, stage: Renew, channel: digital, events: [subscription_renewed]}\n"
        "personas:\n  - {name: Annual, rule: \"plan == 'Annual'\"}\n  - {name: Monthly, rule: \"plan == 'Monthly'\"}\n",
        encoding="utf-8")
    return ev, personas


def test_the_notes_say_each_personas_cut_off_and_a_persona_none_of_which_went_on(tmp_path, monkeypatch):
    """F6 in the report's words (D263): all customers' note gives Monthly's own cut-off and says that no
    Annual customer renewed within the data, so all are left out; Annual's own report says it cannot tell
    yet, and no pain point reads a drop-off of annual plans. Counts and dates by plain pandas."""
    from jmtools.report import funnel_notes

    ev, personas = _plans_folder(tmp_path)
    first = ev[ev["event"] == "subscription_started"].groupby("customer_id")["timestamp"].min()
    went = ev[ev["event"] == "subscription_renewed"].groupby("customer_id")["timestamp"].min()
    d = pd.DataFrame({"t": first, "next": went}).join(personas.set_index("customer_id"))
    end = ev["timestamp"].max()
    monthly = d[d["persona"] == "Monthly"]
    wait_h = ((monthly["next"] - monthly["t"]).dt.total_seconds() / 3600).dropna()
    since = end - pd.Timedelta(hours=float(np.quantile(wait_h, 0.99)))
    waiting = int(((monthly["t"] > since) & monthly["next"].isna()).sum()) + int((d["persona"] == "Annual").sum())

    def shown(f):
        parts = []
        monkeypatch.setattr(funnel_notes.kit, "display", lambda *o: parts.extend(getattr(x, "data", str(x)) for x in o))
        funnel_notes.show_still_open(f)
        return "\n".join(parts).replace("&#x27;", "'")

    text = shown(pipeline.run(tmp_path))
    assert f"**May still go on**: {waiting:,} customers reached **Subscribe** too recently to judge" in text
    assert f"Monthly: after {since:%d %b %Y} (within " in text
    assert "Annual: none of them has reached Renew within the data, so all are left out (cannot tell yet)" in text
    assert "no persona" not in text                           # every customer has a persona of their own
    annual = int((d["persona"] == "Annual").sum())
    f = pipeline.run(tmp_path, persona="Annual")
    assert (f"**Cannot tell yet**: none of the {annual:,} customers who reached **Subscribe** has reached "
            f"**Renew** within the data (it ends {end:%d %b %Y}") in shown(f)
    assert not f.pain_points.table["title"].str.contains("Drop-off").any()
    assert f"after {since:%d %b %Y}" in shown(pipeline.run(tmp_path, persona="Monthly"))


def test_one_cut_off_is_passed_as_one_date(monkeypatch):
    """Session 55's review of D261: with no persona waiting its own time, the funnel's recount gets one
    cut-off per step (a date), not a mapping to look up for every row; with one, the personas' own."""
    from jmtools.analyses.compare import still_open as module
    from jmtools.evidence import prepare

    seen = []
    real = module.open_lost
    monkeypatch.setattr(module, "open_lost", lambda evidence, *, since, **kw: seen.append(since) or
                        real(evidence, since=since, **kw))
    ev, evidence, personas, end = _plans()
    module.still_open_steps(evidence, steps=["Subscribe", "Renew"])
    assert isinstance(seen[-1]["Renew"], dict) and set(seen[-1]["Renew"]) == {"", "Annual"}  # Monthly: everyone's wait
    j = {"stages": ["Subscribe", "Renew"], "touchpoints": [
        {"name": "Start", "stage": "Subscribe", "events": ["subscription_started"]},
        {"name": "Renewal", "stage": "Renew", "events": ["subscription_renewed"]}]}
    module.still_open_steps(prepare(ev, j), steps=["Subscribe", "Renew"])
    assert isinstance(seen[-1]["Renew"], pd.Timestamp)
