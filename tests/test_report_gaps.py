"""jmtools.report.gaps: what a step notebook says in place of a chart it has nothing to draw for (D156, D182)."""

import pandas as pd

from jmtools.report.gaps import no_personas_note, show_sentiment_trend, trend_gap


def _trend(n):
    return pd.DataFrame({"persona": "all", "stage": pd.Categorical(["A"] * len(n), categories=["A"], ordered=True),
                         "period": pd.date_range("2026-01-01", periods=len(n), freq="MS"), "valence": 0.1,
                         "n": n, "ci_low": -0.1, "ci_high": 0.3, "low_evidence": False})


def test_an_empty_trend_is_a_sentence_not_the_charts_error():
    """The chart refuses an empty frame with a developer's fix; the notebook says why instead."""
    shown = []
    assert show_sentiment_trend(_trend([]), persona="Ben", display=shown.append) is None
    assert shown[1].data.startswith("No trend over time for Ben: none of the evidence placed on the journey has")
    assert trend_gap(None).startswith("No trend over time: nothing in this folder measures emotion.")
    stageless = {"surveys": pd.DataFrame({"customer_id": ["a"], "metric": "nps", "score": [9]})}
    assert "names a stage or touchpoint" in trend_gap(None, tables=stageless)
    assert trend_gap(_trend([3, 0])) == ""
    hidden = _trend([0]).assign(n=float("nan"), suppressed=True)        # a small group: drawn, hidden
    assert trend_gap(hidden) == ""
    chart = show_sentiment_trend(_trend([3, 0]), display=shown.append)
    assert chart is shown[-1] and chart.to_dict()["facet"]["field"] == "panel"


def test_the_trend_is_introduced_as_friction_only_where_behaviour_alone_measured_it():
    """Notebook 03's fixed text above the trend said "Mean emotion per period" on a behaviour-only
    world too (D200 left it); it is now the section's own first paragraph (D207)."""
    feeling = ("Mean emotion per period with its interval, and a straight-line trend per stage (change per month "
               "with a 95%\ninterval: *improving* or *worsening* only when the interval excludes zero).")
    for sources, friction in [("behaviour (n=3)", True), ("feedback (n=2), behaviour (n=3)", False),
                              ("survey (n=3)", False), (None, False)]:
        trend = _trend([3, 0]) if sources is None else _trend([3, 0]).assign(sources=[sources, ""])
        shown = []
        show_sentiment_trend(trend, display=shown.append)
        intro = shown[0].data
        if friction:
            assert intro.startswith("Nothing here measured how customers feel: mean friction") and "emotion" not in intro
        else:
            assert intro == feeling           # word for word the notebook's old Markdown
    shown = []
    show_sentiment_trend(None, display=shown.append)
    assert shown[0].data == feeling and shown[1].data.startswith("No trend over time")


def test_no_personas_note_names_the_attributes_and_the_way_on():
    class J:
        persona_names = []

    customers = pd.DataFrame({"customer_id": [1, 2], "fuel": ["gas", "gas"], "age": [30, 40]})
    note = no_personas_note(J(), customers)
    assert "names no personas" in note and "(fuel, age)" in note and "rule: fuel == 'gas'" in note
    assert "section 5 below suggests groups" in note
    J.persona_names = ["Ben"]
    assert no_personas_note(J(), customers) == ""


# ------------------------------------------------------------------ tiny worlds (D182)
def _tiny_evidence(shape, tmp_path):
    from tiny_worlds import tiny_world

    from jmtools.evidence import prepare
    from jmtools.sources import load_world

    world = load_world(tiny_world(shape, tmp_path / shape))
    return world, prepare(world.events, world.journey)     # no personas: one has a rule that cannot run


def test_a_funnel_of_one_step_is_said_with_its_customers_and_what_would_give_a_second(tmp_path):
    """Planted: 30 customers, each one "visit" (stage Visit). The funnel of the mapped stages has that
    one step; the sentence names it with its n (counted here from the event file in plain pandas)."""
    from jmtools.analyses import funnels
    from jmtools.charts.funnels import conversion_chart
    from jmtools.report.gaps import between_steps_gap, show_between_steps

    world, evidence = _tiny_evidence("one_event", tmp_path)
    raw = pd.read_csv(tmp_path / "one_event" / "events.csv")
    funnel = funnels.funnel(evidence, steps=evidence.mapped_stages)
    assert funnel["step"].tolist() == ["Visit"]
    said = between_steps_gap(funnel, what="conversion from one step to the next", persona="Older Otto")
    assert said.startswith(f"No conversion from one step to the next for Older Otto: the funnel has one step, "
                           f"Visit ({raw['customer_id'].nunique()} customers)")
    assert "funnel_steps" in said
    shown = []
    assert show_between_steps(conversion_chart, funnel, funnel, what="conversion", display=shown.append) is None
    assert shown[0].data.startswith("No conversion: the funnel has one step")
    two = funnels.funnel(_tiny_evidence("two_events", tmp_path)[1], steps=["Visit", "Cart"])
    assert between_steps_gap(two, what="conversion") == ""            # two steps: the chart, drawn
    assert show_between_steps(conversion_chart, two, two, what="conversion", display=shown.append) is shown[-1]
    assert between_steps_gap(two.iloc[:0], what="conversion").startswith(
        "No conversion: the funnel has no step that any customer reached.")


def test_a_chart_whose_rows_are_all_of_fewer_than_five_customers_is_said_not_drawn():
    from jmtools.report.gaps import empty_chart_note, show_or_say

    raw = pd.DataFrame({"from_step": ["Visit"], "to_step": ["Basket"], "n_customers": [1]})
    shown = []
    assert show_or_say(print, raw.iloc[:0], "moves", raw=raw, none="never said", fix="More.",
                       display=shown.append) is None
    assert shown[0].data == ("No moves to show: each of the 1 found rests on fewer than 5 customers, not shown so "
                             "that no one can be singled out. More.")
    assert "never said" not in shown[0].data
    assert empty_chart_note("moves", raw=raw.iloc[:0], none="nobody moved (30 customers)", fix="More.") == \
        "No moves to show: nobody moved (30 customers). More."
    drawn = show_or_say(lambda f: len(f), raw, "moves", none="", fix="", display=shown.append)
    assert drawn == 1 and shown[-1] == 1


def test_no_pain_points_note_counts_the_comparisons_the_run_made(tmp_path):
    """One step reached, no survey or feedback, no pain point in the journey file: nothing to rank; the
    note's counts are those of the run's own tables."""
    from jmtools import pipeline
    from jmtools.report.gaps import no_pain_points_note

    world, _ = _tiny_evidence("one_event", tmp_path)
    found = pipeline.run(world, min_n=30).pain_points
    assert found.table.empty and not found.evidence["flagged"].any()
    note = no_pain_points_note(found, min_n=30)
    assert note.startswith(f"No pain points to rank: the journey file lists none, and none of the "
                           f"{len(found.evidence)} comparisons of {len(found.signals)} signal rows")
    assert "(each needs 30 or more observations on each side)" in note
    assert no_pain_points_note(pipeline.run(_tiny_evidence("two_events", tmp_path)[0]).pain_points, min_n=30) == ""


def test_too_few_to_cluster_counts_customers_against_the_groups_asked():
    from jmtools.report.gaps import too_few_to_cluster

    one = pd.DataFrame({"customer_id": ["a"]})
    assert "holds fewer than 5" in too_few_to_cluster(one) and " 1 " not in too_few_to_cluster(one)
    four = pd.DataFrame({"customer_id": list("abcd")})
    assert too_few_to_cluster(four) == ""
    assert too_few_to_cluster(four, k=4).startswith("No personas suggested from the data: clustering into 4 groups "
                                                    "needs at least 5 customers")
    assert too_few_to_cluster(None).endswith("holds 0. With more customers (a few dozen or more), this section "
                                             "suggests groups.")
