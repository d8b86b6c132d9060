"""jmtools/report/problem_sections.py: the journey map of a report agrees with its "Where it hurts".

The grocery sample for Family Fiona: the map's pain-point lane once drew the journey file's pain
points with the labels written there (no-quick-reorder *assumed* while "Where it hurts" ranked it
#2, *measured*, 735 customers) and left out the detected ones; its emotion legend listed an
"All customers" line drawn nowhere in that colour and style.
"""

from __future__ import annotations

import html
import re

import pytest

from jmtools import pipeline
from jmtools.report import _section_kit as kit
from jmtools.report import problem_sections
from jmtools.report.wording import plain


@pytest.fixture(scope="module")
def fiona(grocery_world):
    return pipeline.run(grocery_world.world, persona="Family Fiona")


def _shown(f, section, monkeypatch) -> list:
    shown = []
    monkeypatch.setattr(kit, "display", lambda *objs: shown.extend(objs))
    section(f)
    return shown


def _whole_map(shown) -> dict:
    [spec] = [c.to_dict() for c in shown if getattr(c, "usermeta", None) and
              c.usermeta.get("jmtools") == "journey-map" and not c.usermeta.get("print")]
    return spec


def _rows(spec, lane) -> list[dict]:
    """The rows of the map's item layer in ``lane`` (each drawn item once, badge aside)."""
    seen, out = set(), []
    for rows in spec["datasets"].values():
        for row in rows:
            key = (row.get("lane"), row.get("stage"), row.get("label"), row.get("series"), row.get("persona"))
            if row.get("lane") == lane and "wrapped" in row and key not in seen:
                seen.add(key)
                out.append(row)
    return out


def test_the_maps_pain_lane_is_the_ranked_table_with_its_evidence(fiona, monkeypatch):
    table = fiona.pain_points.table
    assert len(table) and "measured" in set(table["evidence_label"])  # the sample has both kinds
    assert "detected" in set(table["source"]) and "assumed" in set(table["evidence_label"])
    drawn = _rows(_whole_map(_shown(fiona, problem_sections.the_map, monkeypatch)), "pain_points")
    got = sorted((r["stage"], r["text"], r["evidence"]) for r in drawn)
    want = sorted((s, plain(t), e) for s, t, e in zip(table["stage"], table["title"], table["evidence_label"]))
    assert got == want
    # D243: the restock reminder no longer brings Fiona to Restock, so her own drop after it is 5 of 584
    # and the workshop's restock pain point is no longer measured there: the map says "assumed", as the table
    restock = [r for r in drawn if r["text"].startswith("Restocking means filling the basket")]
    assert [r["evidence"] for r in restock] == ["assumed"]
    ranks = {r["text"]: r["label"].split(" ", 1)[0] for r in drawn}   # each item says its rank
    assert all(ranks[plain(t)] == f"#{k}" for t, k in zip(table["title"], table["rank"]))


def test_the_maps_emotion_legend_lists_only_curves_it_draws(fiona, monkeypatch):
    spec = _whole_map(_shown(fiona, problem_sections.the_map, monkeypatch))
    lines = [layer for layer in spec["layer"] if layer.get("mark", {}).get("type") == "line"
             and "strokeDash" in layer.get("encoding", {})]
    [line] = lines
    drawn = {(r["curve"], r["series"]) for r in spec["datasets"][line["data"]["name"]]}
    legend = line["encoding"]["color"]["scale"]["domain"]
    dashes = line["encoding"]["strokeDash"]["scale"]["domain"]
    assert set(legend) == {c for c, _ in drawn} and set(dashes) == {s for _, s in drawn}
    assert legend == ["Family Fiona"]          # the workshop's curve holds for her too: her colour, dashed
    assert drawn == {("Family Fiona", "assumed"), ("Family Fiona", "measured")}


def test_where_it_hurts_says_the_map_holds_the_pain_points_it_does_not_list(ecommerce_world, monkeypatch):
    """Budget Ben has ten ranked pain points: the section lists five, the map draws ten; the
    section says so (before, the map's #6–#10 appeared nowhere else, unannounced)."""
    ben = pipeline.run(ecommerce_world.world, persona="Budget Ben")
    n = len(ben.pain_points.table)
    assert n > 5
    texts = " ".join(getattr(o, "data", "") for o in _shown(ben, problem_sections.where_it_hurts, monkeypatch)
                     if isinstance(getattr(o, "data", None), str))
    assert f"The 5 largest of {n} pain points are listed here; the journey map below shows all {n}" in texts
    drawn = _rows(_whole_map(_shown(ben, problem_sections.the_map, monkeypatch)), "pain_points")
    assert len(drawn) == n
    small = _shown(ben, lambda f: problem_sections.where_it_hurts(f, top_n=n), monkeypatch)
    assert "pain points are listed here" not in " ".join(getattr(o, "data", "") for o in small
                                                          if isinstance(getattr(o, "data", None), str))


def test_what_they_write_gives_shares_of_all_complaints_and_says_how_many_fit_no_theme(ecommerce_world,
                                                                                        monkeypatch):
    """D144: an insurer's report said "19 texts, 40.4%" — of the 47 complaints in a theme, not of the
    240 complaints — and never said that 193 fit no theme."""
    f = pipeline.run(ecommerce_world.world)
    th = f.themes_focus
    shown = _shown(f, problem_sections.what_they_write, monkeypatch)
    texts = " ".join(getattr(o, "data", "") for o in shown if isinstance(getattr(o, "data", None), str))
    total, none = len(th.documents), int((th.documents["theme"] == 0).sum())
    assert f"Shares are of all {total:,} complaints" in texts
    assert (f"{none:,} of them fit no theme" in texts) if none else ("each fits a theme" in texts)
    assert "share of all" in texts
    assert th.summary["share"].tolist() == pytest.approx((th.summary["n"] / total).tolist())


def test_complaints_at_an_exit_stage_are_said_with_their_base_and_none_silently_left_out(tmp_path, monkeypatch):
    """The telecom tester's Port out (exit: true) held 59 complaint-log rows that counted in no
    complaint signal, and tickets there were dropped the same way, with nothing said (D186). The
    report now says where every complaint read went: at the funnel's stages, at the exit stage
    (of the customers seen there, counted by plain pandas), or left out with its reason."""
    from painpoints_cases import exit_world_folder

    folder, events, complaints = exit_world_folder(tmp_path)
    f = pipeline.run(folder)
    texts = html.unescape(" ".join(getattr(o, "data", "") for o in _shown(f, problem_sections.where_it_hurts,
                                                                          monkeypatch)
                                   if isinstance(getattr(o, "data", None), str)))
    at = complaints[complaints["stage"] == "Port out"]
    with_event = set(events.loc[events["event"] == "port_out", "customer_id"])
    seen = with_event | set(at["customer_id"])
    funnel_rows = int(complaints["stage"].isin(["Discover", "Activate"]).sum())
    no_place, unknown = int(complaints["stage"].isna().sum()), int((complaints["stage"] == "Billing").sum())
    assert len(complaints) == funnel_rows + len(at) + no_place + unknown     # read = counted + left out
    assert (f"{len(complaints)} read — {funnel_rows} at the funnel's stages (a share of the customers who "
            f"reached each); {len(at)} at the exit stage Port out, from {at['customer_id'].nunique()} customers, "
            f"a share of the {len(seen)} customers seen there ({len(with_event)} with an event there, the "
            f"others by a complaint alone); {no_place + unknown} left out: they name no stage or touchpoint of "
            f"the journey.") in texts                      # 'Billing' is blanked where the files are placed
    row = f.signals[(f.signals["signal"] == "complaints") & (f.signals["stage"] == "Port out")
                    & f.signals["touchpoint"].isna() & (f.signals["persona"] == "all")]
    assert row[["count", "n"]].values.tolist() == [[at["customer_id"].nunique(), len(seen)]]


@pytest.mark.parametrize("persona", ["all", "Firm"])
def test_a_drop_off_pain_point_says_the_customers_still_open_it_counts_as_lost(tmp_path, monkeypatch, persona):
    """D199: the top pain point of a permit export cut off mid-process was "Drop-off at upload", its share
    counting applications whose decision is not due yet. Below the pain points: how many of the lost
    are still open, and the drop-off among those who had time to go on (plain pandas; 85% planted)."""
    from permit_world import own_cutoffs, permit_events, permit_folder

    ev = permit_events(seed=3, n=1500)
    customers = permit_folder(tmp_path, ev)
    f = pipeline.run(tmp_path, persona=persona)
    text = "\n".join(str(getattr(o, "data", o)) for o in _shown(f, problem_sections.where_it_hurts, monkeypatch))
    wide = ev.pivot_table(index="customer_id", columns="event", values="timestamp", aggfunc="min")
    kind = customers.set_index("customer_id")["kind"].reindex(wide.index)
    since = own_cutoffs(wide["upload"], wide["decide"], kind, ev["timestamp"].max())     # each persona's (D261)
    if persona != "all":
        wide = wide[wide.index.isin(customers.loc[customers["kind"] == "firm", "customer_id"])]
    up = wide[wide["upload"].notna()]
    recent, gone = up["upload"] > since[up.index], up["decide"].notna()
    days = sorted({f"{t:%d %b %Y}" for t in since[up.index]})
    assert len(days) == (2 if persona == "all" else 1)          # the two kinds' own 99% waits end on other days
    after = f"after {days[0]}" if persona != "all" else "after their persona's cut-off"
    assert f"of the {int((~gone).sum()):,} customers the funnel counts as lost there, {int((recent & ~gone).sum()):,} " \
           f"reached Upload {after}" in text
    old = up[~recent]
    share = (~old["decide"].notna()).mean()
    then = "then" if persona != "all" else "their cut-off"
    assert f"Among the {len(old):,} customers who reached Upload before {then}, {share:.1%} did not go on" in text
    assert 0.10 < share < 0.20                                    # 15% never get a decision
    # the pain point itself reads that share and says so (D209)
    assert f"drop-off {share:.0%} (n={len(old):,}, of those who had time to go on" in html.unescape(text)


def test_no_open_case_no_note_in_a_sample_world(ecommerce_world, monkeypatch):
    text = "\n".join(str(getattr(o, "data", o)) for o in
                     _shown(pipeline.run(ecommerce_world.world), problem_sections.where_it_hurts, monkeypatch))
    assert "leaves out customers still open" not in text


@pytest.mark.parametrize("persona", ["Budget Ben", "Marathon Maya"])
def test_a_slow_step_says_its_figure_is_a_typical_wait_and_what_that_is(ecommerce_world, monkeypatch, persona):
    """D235: "slow step 6.7 days (dates only) … vs 1.1 days" is a geometric mean, but only notebook 02
    said so. The evidence now says "typical wait", and a note under the table says what that is —
    where a listed pain point has one (Budget Ben), and nowhere else (Marathon Maya)."""
    from jmtools.report.wording import caption

    f = pipeline.run(ecommerce_world.world, persona=persona)
    texts = [getattr(o, "data", "") for o in _shown(f, problem_sections.where_it_hurts, monkeypatch)
             if isinstance(getattr(o, "data", None), str)]
    table = " ".join(t for t in texts if "<table" in t)
    evidence = " ".join(f.pain_points.table.head(5)["evidence"])
    slow = "slow step, typical wait " in evidence
    assert not re.search(r"slow step [\d(]", evidence)                 # never a bare figure
    assert (persona == "Budget Ben") == bool(slow) == ("typical wait" in table)
    assert sum(caption("typical_wait") in html.unescape(t) for t in texts) == bool(slow)
    assert "geometric mean" in caption("typical_wait")
