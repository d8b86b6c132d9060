"""How often customers come back to a touchpoint that repeats (D219).

An outside tester's hospital planted more follow-up attendances for its oldest patients (4–6
against 2–4); the journey marks follow-ups ``occurrence: repeat``, so each one starts a new round
(D110) and notebook 02's loops table was empty, and no figure anywhere said how often patients came
back. :func:`jmtools.analyses.funnels.repeat_visits` counts it per customer, the pipeline compares
each persona with the others as pain points are compared, and notebook 02 and the report say it.
Checked against plain pandas on a planted world, and on the e-commerce sample's planted repeat buyers.
"""

from __future__ import annotations

import re

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from inprocess import run_cells
from jmtools import pipeline
from claims_world import write_claims_world
from jmtools.analyses.funnels import asked_families, loops, repeat_families, repeat_visits
from jmtools.evidence import prepare
from jmtools.journey import Journey
from jmtools.report.repeat_notes import repeat_sentences, show_loops_and_repeats
from jmtools.sources import load_world
from table_subsets import shown_text
from test_pipeline_optional_before import JOURNEY as OPTIONAL_JOURNEY

NOTEBOOKS = Path(__file__).resolve().parents[1] / "notebooks"

#: The hospital's personas (tests/test_pipeline_optional_before.py), stages without the missed appointment.
JOURNEY = OPTIONAL_JOURNEY.split("stages:")[0] + """\
stages:
  - name: Referral
  - name: First appointment
  - name: Follow-up
touchpoints:
  - {name: Letter, stage: Referral, channel: physical, events: [referred], initiated_by: company}
  - {name: First visit, stage: First appointment, channel: interpersonal, events: [attended], occurrence: first}
  - {name: Follow-up booked, stage: Follow-up, channel: physical, events: [follow_up_booked], initiated_by: company}
  - {name: Follow-up visit, stage: Follow-up, channel: interpersonal, events: [attended], occurrence: repeat,
     after: First appointment}
"""


def _world(folder: Path, *, seed: int = 51, older_more: bool = True, n: int = 450, bands=("16-24", "75+", "40-59"),
           marked: bool = True) -> pd.DataFrame:
    """``n`` patients; most attend a first appointment, then follow-ups: the 75+ 4–6 of them when
    ``older_more``, everyone else 2–4; a tenth never attend. Returns the events with each patient's band."""
    rng = np.random.default_rng(seed)
    folder.mkdir()
    (folder / "journey.yaml").write_text(JOURNEY if marked else JOURNEY.replace("occurrence: first", "")
                                         .replace("occurrence: repeat,", ""))
    rows, people = [], []
    for c in range(n):
        cid, band = f"p{c:03d}", bands[c % len(bands)]
        people.append((cid, band))
        t = pd.Timestamp("2026-01-05 09:00") + pd.Timedelta(hours=7 * c)
        rows.append((cid, "referred", t))
        if rng.random() < 0.1:
            continue                                              # never attended
        t += pd.Timedelta(days=30)
        rows.append((cid, "attended", t))
        k = int(rng.integers(4, 7)) if band == "75+" and older_more else int(rng.integers(2, 5))
        for _ in range(k):
            rows.append((cid, "follow_up_booked", t + pd.Timedelta(days=1)))
            t += pd.Timedelta(days=int(rng.integers(20, 40)))
            rows.append((cid, "attended", t))
    pd.DataFrame(people, columns=["customer_id", "age_band"]).to_csv(folder / "customers.csv", index=False)
    events = pd.DataFrame(rows, columns=["customer_id", "event", "timestamp"])
    events.to_csv(folder / "events.csv", index=False)
    persona = {"16-24": "Young", "75+": "Older"}
    return events.merge(pd.DataFrame(people, columns=["customer_id", "age_band"]), on="customer_id").assign(
        persona=lambda f: f["age_band"].map(persona).fillna("Everyone else"))


def _truth(events: pd.DataFrame) -> pd.DataFrame:
    """Plain pandas: per persona (and "all") the patients who attended, how many more than once, their
    attendances, and the mean and sample standard deviation of attendances per patient."""
    per = events[events["event"] == "attended"].groupby(["persona", "customer_id"]).size().rename("c").reset_index()
    rows = [per.assign(persona="all"), per]
    both = pd.concat(rows)
    out = both.groupby("persona")["c"].agg(n="count", visits="sum", mean="mean", sd="std")
    out["n_again"] = both[both["c"] >= 2].groupby("persona").size()
    return out


def _evidence(folder: Path):
    world = load_world(folder)
    return prepare(world.events, world.journey, customers=world.customers)


def test_times_per_customer_equal_plain_pandas(tmp_path):
    events = _world(tmp_path / "h")
    truth = _truth(events)
    ev = _evidence(tmp_path / "h")
    assert repeat_families(ev) == [("Follow-up visit", ("First visit", "Follow-up visit"))]
    got = pd.concat([repeat_visits(ev).assign(persona="all"), repeat_visits(ev, by="persona")]).set_index("persona")
    for col in ("n", "visits", "n_again"):
        assert got[col].to_dict() == truth[col].astype(int).to_dict(), col
    for col in ("mean", "sd"):
        np.testing.assert_allclose(got[col].loc[truth.index], truth[col], rtol=1e-12)
    half = 1.959963984540054 * truth["sd"] / np.sqrt(truth["n"])
    np.testing.assert_allclose(got["ci_high"].loc[truth.index], truth["mean"] + half, rtol=1e-12)
    assert got.loc["Older", "mean"] > 5.5 > 4.5 > got.loc["Young", "mean"]       # 1 + the planted 4–6 against 2–4


def test_a_persona_that_comes_back_more_is_said_and_the_others_are_not(tmp_path):
    events = _world(tmp_path / "h")
    truth = _truth(events)
    table = pipeline.repeat_visits_compared(_evidence(tmp_path / "h"))
    assert table.set_index("persona")["higher"].to_dict() == {"all": False, "Young": False, "Older": True,
                                                              "Everyone else": False}
    others = truth.loc[["Young", "Everyone else"]]
    base = (others["visits"].sum()) / others["n"].sum()
    older = table[table["persona"] == "Older"].iloc[0]
    assert older["baseline"] == pytest.approx(base, rel=1e-12) and older["baseline_n"] == others["n"].sum()
    (text,) = repeat_sentences(table)
    assert text == _said_for_all(truth, base, others["n"].sum())
    (mine,) = repeat_sentences(table, persona="Older")
    assert mine.startswith(_said_for_older(truth, base, others["n"].sum()))
    assert repeat_sentences(table, persona="Young") == []


def _ci(truth, who) -> str:
    """The mean's 95% interval (normal) and the share more than once's (Wilson), by hand."""
    r = truth.loc[who]
    half = 1.959963984540054 * r["sd"] / np.sqrt(r["n"])
    z, p, n = 1.959963984540054, r["n_again"] / r["n"], r["n"]
    mid = (p + z * z / (2 * n)) / (1 + z * z / n)
    w = z * np.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return (f"{r['mean'] - half:.2f}–{r['mean'] + half:.2f}",
            f"{int(r['n_again']):,} ({p:.1%}, 95% CI {mid - w:.1%}–{mid + w:.1%}) more than once")


def _said_for_all(truth, base, base_n) -> str:
    """D229: which visits count, their mean per customer with n and 95% interval, how many came
    more than once, and who comes back more often against whom — every number plain pandas'."""
    every, again = _ci(truth, "all")
    older, _ = _ci(truth, "Older")
    return (f"**Coming back to *Follow-up visit***: the {int(truth.loc['all', 'n']):,} customers who had *First visit* "
            f"or *Follow-up visit* had {truth.loc['all', 'mean']:.2f} of them on average (95% CI {every}), {again}. "
            f"Older come back clearly more often: {truth.loc['Older', 'mean']:.2f} each (95% CI {older}, "
            f"n={int(truth.loc['Older', 'n']):,}) against {base:.2f} for the other personas (n={int(base_n):,}). Each "
            "visit after the first is a new round (`occurrence: repeat`), not a loop; counted up to the data's end, so "
            "customers who started late have had less time to come back.")


def _said_for_older(truth, base, base_n) -> str:
    older, again = _ci(truth, "Older")
    return (f"**Coming back to *Follow-up visit***: Older who had *First visit* or *Follow-up visit* "
            f"(n={int(truth.loc['Older', 'n']):,}) had {truth.loc['Older', 'mean']:.2f} of them on average (95% CI "
            f"{older}), clearly more often than {base:.2f} for the other personas (n={int(base_n):,}); {again}.")


def test_no_difference_planted_nothing_is_said(tmp_path):
    _world(tmp_path / "h", older_more=False)
    table = pipeline.repeat_visits_compared(_evidence(tmp_path / "h"))
    assert len(table) == 4 and not table["higher"].any() and repeat_sentences(table) == []


def test_a_persona_of_fewer_than_5_with_visits_is_hidden_and_never_said(tmp_path):
    """Three patients of 75+: their row has no numbers, and the other personas' rows beside all
    customers' would give them back, so some other row goes too; nothing is said of them."""
    _world(tmp_path / "h", bands=("16-24", "40-59") * 60 + ("75+",), n=363)
    table = pipeline.repeat_visits_compared(_evidence(tmp_path / "h")).set_index("persona")
    assert table.loc["Older", "suppressed"] and pd.isna(table.loc["Older", "mean"])
    assert not table.loc["Older", "higher"] and table["suppressed"].sum() >= 2
    assert table.attrs["hidden"] == ["Follow-up visit"] and not table.loc["all", "suppressed"]


def test_a_journey_without_repeats_has_no_figure(tmp_path):
    _world(tmp_path / "h", marked=False)
    ev = _evidence(tmp_path / "h")
    assert repeat_families(ev) == [] and repeat_visits(ev, by="persona").empty
    assert pipeline.repeat_visits_compared(ev).empty


def test_the_sample_worlds_planted_repeat_buyers_are_said_alone(tmp_path):
    """E-commerce: Marathon Maya orders again most often (55% against 2–16%, the answer key); the
    other personas order again less than the rest and stay unsaid."""
    from jmtools.sample_worlds import load_truths

    planted = load_truths("ecommerce")["repeat_purchase"]
    world = load_world("sample:ecommerce")
    table = pipeline.repeat_visits_compared(prepare(world.events, world.journey, customers=world.customers))
    assert table.loc[table["higher"], "persona"].tolist() == [planted["persona_highest"]] == ["Marathon Maya"]
    every = table[table["persona"] == "all"].iloc[0]
    assert (every["n"], every["n_again"]) == (planted["n_first"], planted["n_repeat"])   # nobody a third time
    assert every["visits"] == planted["n_first"] + planted["n_repeat"]


def test_notebook_02_says_why_loops_are_empty_and_shows_the_figure(tmp_path):
    events = _world(tmp_path / "h")
    truth = _truth(events)
    run = run_cells(NOTEBOOKS / "02_data_integration.ipynb", {"data_dir": str(tmp_path / "h")})
    text = shown_text(run.displayed)
    assert "**No loops**: nobody came back to a touchpoint after leaving it, within a round. Coming back to " \
           "*Follow-up visit* (`occurrence: repeat`) starts a new round" in text
    # the report's table (a card per row on a phone: as a frame it ran off a 390 px page, D225)
    html = next(d.data for d in run.displayed if 'data-label="times each (mean)"' in str(getattr(d, "data", "")))
    assert '<table class="jm-table jm-cards">' in html
    rows = [dict(re.findall(r'<td[^>]*data-label="([^"]+)">([^<]*)</td>', r)) for r in html.split("<tr>")[2:]]
    assert {r["persona"]: int(r["customers"].replace(",", "")) for r in rows} == truth["n"].astype(int).to_dict()
    assert "**Coming back to *Follow-up visit***" in text and "Older " in text


@pytest.mark.parametrize("persona", ["all", "Older", "Young"])
def test_the_report_says_it_below_the_funnel_and_records_it(tmp_path, persona):
    events = _world(tmp_path / "h")
    truth = _truth(events)
    run = run_cells(NOTEBOOKS / "00_journey_report.ipynb", {"data_dir": str(tmp_path / "h"), "persona": persona})
    text = shown_text(run.displayed)
    others = truth.loc[["Young", "Everyone else"]]
    base, base_n = others["visits"].sum() / others["n"].sum(), others["n"].sum()
    said = {"all": _said_for_all(truth, base, base_n), "Older": _said_for_older(truth, base, base_n)}
    assert ("**Coming back to *Follow-up visit***" in text) == (persona != "Young")
    assert persona == "Young" or said[persona] in text
    figure = run.figures["repeat_visits_1"]                     # a key figure, said or not (Young: not said)
    assert figure["label"] == "Times each at First visit or Follow-up visit (mean)"
    assert figure["n"] == truth.loc[persona, "n"] and figure["value"] == pytest.approx(truth.loc[persona, "mean"],
                                                                                       abs=1e-4)
    lo, hi = _ci(truth, persona)[0].split("–")
    assert [f"{v:.2f}" for v in figure["ci"]] == [lo, hi]


def test_a_loops_table_with_rows_is_shown_as_it_is():
    shown = []
    loops = pd.DataFrame({"step": ["Site"], "n": [12]})
    show_loops_and_repeats(loops, None, show=shown.append)
    assert shown == [loops]


def test_the_batch_history_follows_the_figure_from_run_to_run(tmp_path):
    """Two batch runs of one report, the world's follow-ups changed between them: history.jsonl keeps
    the figure of each run (plain pandas' mean and n), as it keeps every other key figure."""
    import shutil

    from jmtools.report.batch import Job, load_history, run_batch

    folder, truths = tmp_path / "h", []
    for run, older_more in enumerate([True, False]):
        truths.append(_truth(_world(tmp_path / f"w{run}", older_more=older_more, seed=51 + run)).loc["all"])
        shutil.copytree(tmp_path / f"w{run}", folder, dirs_exist_ok=True)
        result = run_batch([Job("Everyone", str(NOTEBOOKS / "00_journey_report.ipynb"), {"data_dir": str(folder)})],
                           tmp_path / "out", workers=1, static=False, progress=False)
        assert not result.failed, result.summary()
    history = load_history(tmp_path / "out")
    got = history[history["figure"] == "repeat_visits_1"]
    assert got["run_id"].nunique() == 2
    assert got["n"].tolist() == [int(t["n"]) for t in truths]
    np.testing.assert_allclose(got["value"].astype(float), [t["mean"] for t in truths], atol=1e-4)
    assert got["value"].iloc[0] != got["value"].iloc[1]


# --------------------------------------------------------------------------- rounds the company asks for (D242)

@pytest.fixture(scope="module")
def claims(tmp_path_factory):
    """The seeded claims world: its events with each claim's line and persona, its truth, its evidence."""
    folder = tmp_path_factory.mktemp("claims") / "world"
    events, truth = write_claims_world(folder)
    persona = truth.set_index("customer_id")["line"].map({"home": "Hausrat", "motor": "Kfz"})
    return events.assign(persona=events["customer_id"].map(persona)), truth, _evidence(folder)


def _rounds_by_pandas(events: pd.DataFrame) -> pd.DataFrame:
    """Plain pandas, per persona and "all": each claimant's upload rounds — an upload whose previous
    upload-or-request (time order, ties in file order) is none or the insurer's request."""
    s = events[events["event"].isin(["document_uploaded", "documents_requested"])]
    s = s.sort_values(["customer_id", "timestamp"], kind="stable")
    own = s["event"].eq("document_uploaded")
    before = own.groupby(s["customer_id"]).shift(1)
    starts = own & before.ne(True)
    per = starts.groupby([s["persona"], s["customer_id"]]).sum().rename("c").reset_index()
    per = per[per["c"] > 0]
    both = pd.concat([per.assign(persona="all"), per])
    out = both.groupby("persona")["c"].agg(n="count", visits="sum", mean="mean", sd="std")
    out["n_again"] = both[both["c"] >= 2].groupby("persona").size()
    return out


def test_an_upload_after_the_insurers_request_is_a_new_round_and_more_sent_unasked_is_not(claims):
    """D242: upload → "Unterlagen angefordert" → upload was one run of one step once the company's
    request was left out (D14), so no loop and, with no ``occurrence`` marked, no repeat: the rounds
    were invisible. Each claimant's rounds now equal plain pandas' and the planted ones."""
    events, truth, ev = claims
    assert asked_families(ev) == [("Upload", ("Unterlagen angefordert",))]
    want = _rounds_by_pandas(events)
    got = pd.concat([repeat_visits(ev).assign(persona="all"), repeat_visits(ev, by="persona")]).set_index("persona")
    assert got["asked_by"].eq("Unterlagen angefordert").all() and got["family"].eq("Upload").all()
    for col in ("n", "visits", "n_again"):
        assert got[col].to_dict() == want[col].astype(int).to_dict(), col
    for col in ("mean", "sd"):
        np.testing.assert_allclose(got[col].loc[want.index], want[col], rtol=1e-12)
    half = 1.959963984540054 * want["sd"] / np.sqrt(want["n"])
    np.testing.assert_allclose(got["ci_low"].loc[want.index], want["mean"] - half, rtol=1e-12)
    # the planted rounds, where the cut-off took no upload away
    done = truth[truth["stop"].eq("") & truth["customer_id"].isin(events.loc[events["event"] == "claim_closed",
                                                                              "customer_id"])]
    per = events[events["customer_id"].isin(done["customer_id"])]
    mine = _rounds_by_pandas(per)
    assert mine.loc["all", "visits"] == done["rounds"].sum() and mine.loc["all", "n"] == len(done)
    assert got.loc["Hausrat", "mean"] > 2 > 1.3 > got.loc["Kfz", "mean"]        # planted 1 + 1.5 against 1 + 0.2
    assert loops(ev)["n"].sum() == 0                                            # still no loop


def test_a_round_is_counted_by_what_lay_between_on_a_hand_built_log():
    """Four claimants: two bursts unasked (1 round), asked between (2), asked first (1), asked last
    and never answering (1); a request at another stage starts no round."""
    rows = [("a", "up", 0), ("a", "up", 1), ("a", "up", 30),
            ("b", "up", 0), ("b", "req", 5), ("b", "up", 9), ("b", "req", 20), ("b", "up", 25),
            ("c", "req", 0), ("c", "up", 3), ("d", "up", 0), ("d", "req", 4), ("e", "up", 0), ("e", "pay", 2),
            ("e", "up", 4)]
    ev = pd.DataFrame(rows, columns=["customer_id", "event", "h"]).assign(
        timestamp=lambda f: pd.Timestamp("2026-01-01") + pd.to_timedelta(f.pop("h"), "h"))
    j = {"stages": ["Claim", "Docs", "Pay"], "touchpoints": [
        {"name": "Request", "stage": "Docs", "events": ["req"], "initiated_by": "company"},
        {"name": "Upload", "stage": "Docs", "events": ["up"]},
        {"name": "Payout", "stage": "Pay", "events": ["pay"], "initiated_by": "company"}]}
    out = repeat_visits(prepare(ev, j)).iloc[0]
    assert (out["touchpoint"], out["asked_by"], out["n"], out["visits"], out["n_again"]) == \
        ("Upload", "Request", 5, 1 + 3 + 1 + 1 + 1, 1)


def test_nobody_asked_again_gives_no_row_and_a_marked_family_has_no_asker(tmp_path):
    rows = [("a", "req", 0), ("a", "up", 1), ("b", "up", 0), ("b", "up", 2)]
    ev = pd.DataFrame(rows, columns=["customer_id", "event", "h"]).assign(
        timestamp=lambda f: pd.Timestamp("2026-01-01") + pd.to_timedelta(f.pop("h"), "h"))
    j = {"stages": ["Claim", "Docs"], "touchpoints": [
        {"name": "Request", "stage": "Docs", "events": ["req"], "initiated_by": "company"},
        {"name": "Upload", "stage": "Docs", "events": ["up"]}]}
    assert repeat_visits(prepare(ev, j)).empty
    ev.loc[3, "timestamp"] += pd.Timedelta(days=1)                             # b: up, req, up
    ev = pd.concat([ev, pd.DataFrame({"customer_id": ["b"], "event": ["req"],
                                      "timestamp": [pd.Timestamp("2026-01-01 01:00")]})])
    assert repeat_visits(prepare(ev, j))["n_again"].tolist() == [1]
    j["stages"] = ["Docs", "Claim"]                       # a contact at the first stage opens a journey (D14)
    assert repeat_visits(prepare(ev, j)).empty and asked_families(prepare(ev, j)) == []
    events = _world(tmp_path / "h")                       # the hospital: its follow-ups are a marked family
    got = repeat_visits(_evidence(tmp_path / "h"))
    assert got["touchpoint"].tolist() == ["Follow-up visit"] and got["asked_by"].tolist() == [""]
    assert int(got["visits"].iloc[0]) == int((events["event"] == "attended").sum())


def test_the_report_says_the_rounds_the_insurer_asked_for(claims):
    """The repeat sentence says what a round is here, with plain pandas' numbers."""
    events, _, ev = claims
    want = _rounds_by_pandas(events)
    table = pipeline.repeat_visits_compared(ev)
    (text,) = repeat_sentences(table)
    a, h = want.loc["all"], want.loc["Hausrat"]
    assert text.startswith(f"**Acting again at *Upload* when asked**: the {int(a['n']):,} customers who had *Upload* had "
                           f"{a['mean']:.2f} rounds there on average (95% CI {_ci(want, 'all')[0]}), "
                           f"{_ci(want, 'all')[1]}. Hausrat act again clearly more often: {h['mean']:.2f} "
                           f"rounds each (95% CI {_ci(want, 'Hausrat')[0]}, n={int(h['n']):,}) against "
                           f"{want.loc['Kfz', 'mean']:.2f} for the other personas (n={int(want.loc['Kfz', 'n']):,}).")
    assert ("a new one starts when they act there again after the company's *Unterlagen angefordert* at "
            "Unterlagen — more sent unasked is the same round") in text
    assert "occurrence: repeat" not in text
    (mine,) = repeat_sentences(table, persona="Hausrat")
    assert mine.startswith(f"**Acting again at *Upload* when asked**: Hausrat who had *Upload* (n={int(h['n']):,}) had "
                           f"{h['mean']:.2f} rounds there on average")
    assert repeat_sentences(table, persona="Kfz") == []
    shown = []
    show_loops_and_repeats(pd.DataFrame(columns=["step", "n"]), table, show=shown.append)
    assert shown[0].data.endswith("Acting again at *Upload* after the company asked there starts a new round, so "
                                  "it is no loop: how often customers come back is in the table below.")
    assert "a round starts after" in shown_text([shown[2]]) and "Unterlagen angefordert" in shown_text([shown[2]])
