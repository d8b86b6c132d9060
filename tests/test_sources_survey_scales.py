"""Survey answers asked on another scale than the kit's (jmtools/sources/_survey_scales.py, D175).

A CSAT asked on 1–10 lost every answer 6–10 and had its 1–5 tail scored as a 1–5 CSAT ("CSAT
4.38, 83% 4–5" where the 1–10 mean was 7.1); the fix it named (scales=) was refused by
loading.yaml. Now such a metric is rejected whole, with the scale seen, or declared with
``asked_on`` and converted to 1–5, with a note on what the share of 4–5 then is.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jmtools.analyses.kpis import survey_kpis
from jmtools.core.errors import DataError, ParameterError
from jmtools.sources import load_surveys, load_world

JOURNEY = """jmtools: 1
name: scales
stages:
  - name: Discover
touchpoints:
  - name: Home
    stage: Discover
    channel: digital
    events: [home_visit]
"""


def _answers(n=200, seed=0):
    rng = np.random.default_rng(seed)
    csat = rng.integers(1, 11, n)                       # asked on 1–10
    nps = rng.integers(0, 11, n)
    ids = [str(i) for i in range(n)]
    return pd.DataFrame({"customer_id": ids * 2, "timestamp": "2026-03-02 10:00:00",
                         "metric": ["csat"] * n + ["nps"] * n, "score": list(csat) + list(nps),
                         "stage": "Discover"})


def _folder(tmp_path, answers, loading=None):
    folder = tmp_path / "data"
    folder.mkdir()
    answers.to_csv(folder / "surveys.csv", index=False)
    (folder / "journey.yaml").write_text(JOURNEY, encoding="utf-8")
    if loading is not None:
        (folder / "loading.yaml").write_text(loading, encoding="utf-8")
    return folder


def test_a_csat_on_one_to_ten_is_rejected_whole_naming_the_scale_it_lies_on():
    sv = _answers()
    above = int((sv[sv.metric == "csat"].score > 5).sum())
    loaded = load_surveys(sv)
    acc = loaded.accounting
    assert acc.rows_rejected == 200 and acc.rows_used == 200                 # every CSAT, no NPS
    [row] = acc.reasons.to_dict("records")
    assert row["reason"] == f"csat answers lie on 1–10, not 1–5 ({above} of 200 above 5): none scored"
    assert row["n"] == 200 and row["column"] == "score" and list(row["lines"])[:3] == [1, 2, 3]
    fix = acc.problems()[0].fix
    assert "asked_on: {csat: [1, 10]}" in fix and "loading.yaml" in fix and "scales={'csat': (1, 10)}" in fix
    assert set(loaded.to_pandas()["metric"]) == {"nps"}


def _in_another_engine(frame):
    """``frame`` as a table of an engine other than DuckDB (Polars through Ibis): loaded by the
    path Spark takes (:func:`jmtools.sources._foreign.load_ibis`), quick to start."""
    import ibis

    return ibis.polars.connect().create_table("answers", frame.assign(
        timestamp=pd.to_datetime(frame["timestamp"])))


@pytest.mark.parametrize("engine", ["pandas DataFrame", "another engine"])
def test_a_csat_on_one_to_ten_is_rejected_whole_on_every_path(engine):
    """The whole-metric rule ran in DuckDB loads only: a table in another engine (Spark) kept the
    per-row check and lost the answers 6–10 one by one, scoring the 1–5 tail as a CSAT (D186).
    Every path now rejects the metric whole, with the same reason and fix; plain pandas says how
    many answers lie above 5."""
    sv = _answers()
    sv.loc[3, "metric"] = " CSAT"                  # written as exports write it: still csat
    above = int((sv[sv.metric.str.strip().str.lower() == "csat"].score > 5).sum())
    loaded = load_surveys(sv if engine == "pandas DataFrame" else _in_another_engine(sv))
    acc = loaded.accounting
    assert acc.rows_rejected == 200 and acc.rows_used == 200
    [row] = acc.reasons.to_dict("records")
    assert row["reason"] == f"csat answers lie on 1–10, not 1–5 ({above} of 200 above 5): none scored"
    assert row["n"] == 200 and row["column"] == "score"
    assert row["fix"] == load_surveys(sv).accounting.reasons["fix"].iloc[0]
    assert "asked_on: {csat: [1, 10]}" in row["fix"]
    assert set(loaded.to_pandas()["metric"]) == {"nps"}


def test_in_another_engine_a_few_stray_answers_are_rejected_alone_and_asked_on_converts():
    """Below the rule's bar (3 of 100 off 1–5) each stray answer is rejected alone, as in DuckDB;
    declared with asked_on, a 1–10 CSAT in another engine is kept and converted to 1–5."""
    sv = pd.DataFrame({"customer_id": list("abcdefghij") * 10, "timestamp": "2026-03-02",
                       "metric": "csat", "score": [1, 2, 3, 4, 5] * 19 + [7, 7, 8, 4, 5]})
    acc = load_surveys(_in_another_engine(sv)).accounting
    assert acc.rows_rejected == 3 and acc.reasons["reason"].tolist() == ["csat score outside 1–5"]
    assert acc.reasons["fix"].tolist() == load_surveys(sv).accounting.reasons["fix"].tolist()
    answers = _answers()
    kept = load_surveys(_in_another_engine(answers), asked_on={"csat": [1, 10]})
    csat = kept.to_pandas().query("metric == 'csat'")["score"].sort_values().to_numpy()
    plain = np.sort(1 + 4 * (answers[answers.metric == "csat"].score.to_numpy() - 1) / 9)
    assert kept.accounting.rows_rejected == 0 and csat == pytest.approx(plain)


def test_a_few_stray_answers_off_a_one_to_five_csat_are_rejected_alone():
    sv = pd.DataFrame({"customer_id": list("abcdefghij") * 10, "timestamp": "2026-03-02",
                       "metric": "csat", "score": [1, 2, 3, 4, 5] * 19 + [7, 7, 8, 4, 5]})
    acc = load_surveys(sv).accounting
    assert acc.rows_rejected == 3 and acc.reasons["reason"].tolist() == ["csat score outside 1–5"]


def test_asked_on_in_loading_yaml_converts_to_one_to_five_and_says_how(tmp_path):
    sv = _answers()
    sv.loc[[0, 1], "score"] = [11, 0]                                  # off the declared scale
    folder = _folder(tmp_path, sv, "surveys:\n  asked_on: {csat: [1, 10]}\n")
    loaded = load_world(folder).tables["surveys"]
    assert loaded.accounting.rows_rejected == 2
    assert loaded.accounting.reasons["reason"].tolist() == ["csat score outside 1–10"]
    note = ("CSAT asked on 1–10 (asked_on), converted to 1–5 as 1 + 4·(score − 1)/9: a mean of 4 is "
            "7.75 on 1–10, and the share of 4–5 is the share of answers 8–10")
    assert note in loaded.accounting.notes
    kp = survey_kpis(loaded, level="stage").set_index("kpi")
    kept = sv[(sv.metric == "csat") & sv.score.between(1, 10)].score         # plain pandas
    assert kp.loc["csat_mean", "n"] == len(kept) == 198
    assert kp.loc["csat_mean", "value"] == pytest.approx(1 + 4 * (kept.mean() - 1) / 9)
    assert kp.loc["csat_top2box", "value"] == pytest.approx((kept >= 8).mean())
    nps = sv[sv.metric == "nps"].score                                         # untouched
    assert kp.loc["nps", "value"] == pytest.approx(100 * ((nps >= 9).mean() - (nps <= 6).mean()))


def test_asked_on_in_python_equals_the_loading_file(tmp_path):
    sv = _answers(50, seed=1)
    py = load_surveys(sv, asked_on={"CSAT": [1, 10]}).to_pandas()
    folder = _folder(tmp_path, sv, "surveys:\n  asked_on: {csat: [1, 10]}\n")
    from_file = load_world(folder).tables["surveys"].to_pandas()
    assert py["score"].tolist() == pytest.approx(from_file["score"].tolist())
    assert py.loc[py.metric == "csat", "score"].between(1, 5).all()


@pytest.mark.parametrize("text, message, fix", [
    ("surveys:\n  scales: {csat: [1, 10]}\n", "'scales' is not a loader option", "did you mean 'asked_on'?"),
    ("events:\n  asked_on: {csat: [1, 10]}\n", "asked_on is for surveys only, not events", "surveys:"),
    ("surveys:\n  asked_on: {csat: 10}\n", "asked_on must be a mapping of metrics", "asked_on: {csat: [1, 10]}"),
])
def test_a_scale_written_wrong_in_loading_yaml_is_a_located_error(tmp_path, text, message, fix):
    folder = _folder(tmp_path, _answers(10), text)
    with pytest.raises(DataError) as err:
        load_world(folder)
    p = err.value.problems[0]
    assert message in p.message and fix in p.fix and p.source.endswith("loading.yaml") and p.line == 2


@pytest.mark.parametrize("asked_on", [{"nps": [1, 10]}, {"csat": [10, 1]}, {"csat": [1.5, 10]}, {"mood": [1, 3]}])
def test_asked_on_refuses_what_cannot_be_converted(asked_on):
    with pytest.raises(ParameterError):
        load_surveys(_answers(10), asked_on=asked_on)


# ------------------------------------------------ a metric asked the other way round (D195)
EASE = "How easy was setup? (1-7)"


def _ease(n=120, seed=3):
    """A wide export whose 1–7 question asks about ease (7 = the easiest), beside a CSAT."""
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"Account": [f"a{i}" for i in range(n)], "timestamp": "2026-03-02 10:00:00",
                         EASE: rng.choice([1, 2, 3, 4, 5, 6, 7], n, p=[.03, .03, .06, .13, .2, .25, .3]),
                         "CSAT": rng.integers(1, 6, n), "stage": "Discover"})


_EASE_LOADING = f'surveys:\n  columns: {{customer_id: Account}}\n  metrics: {{ces: "{EASE}", csat: CSAT}}\n'


def test_reverse_in_loading_yaml_turns_an_ease_question_round_and_says_how(tmp_path):
    """A 1–7 "How easy was setup?" (7 = easy) was read as CES (7 = the most effort): the share of
    low effort was the share of answers 1–3, the share who found it hard. ``reverse: [ces]`` turns
    the answers round (8 − score); oracle: plain pandas on the file's column."""
    raw = _ease()
    folder = _folder(tmp_path, raw, _EASE_LOADING + "  reverse: [ces]\n")
    loaded = load_world(folder).tables["surveys"]
    assert ("CES asked the other way round (reverse: 7 is the least effort), turned round as 8 − score: an "
            "answer of 7 is read as 1, and the share of low effort (1–3) is the share of answers 5–7"
            ) in loaded.accounting.notes
    kp = survey_kpis(loaded, level="stage").set_index("kpi")
    ease = raw[EASE]
    assert kp.loc["ces_mean", "n"] == len(ease)
    assert kp.loc["ces_mean", "value"] == pytest.approx(8 - ease.mean())
    assert kp.loc["ces_low_effort", "value"] == pytest.approx((ease >= 5).mean())
    assert kp.loc["csat_mean", "value"] == pytest.approx(raw["CSAT"].mean())             # untouched
    assert not any("asks about ease" in n for n in loaded.accounting.notes)


def test_an_ease_question_read_as_ces_unasked_is_kept_and_a_note_says_how_to_turn_it(tmp_path):
    raw = _ease(40)
    loaded = load_world(_folder(tmp_path, raw, _EASE_LOADING)).tables["surveys"]
    assert any(f"{EASE!r} asks about ease" in n and "reverse: [ces]" in n for n in loaded.accounting.notes)
    scores = loaded.to_pandas().query("metric == 'ces'")["score"]
    assert scores.tolist() == raw[EASE].astype(float).tolist()                           # never turned unasked


def test_reverse_turns_on_the_scale_asked_before_converting():
    sv = pd.DataFrame({"customer_id": list("abcd"), "timestamp": "2026-03-02 10:00:00", "metric": "ces",
                       "score": [1, 4, 7, 10]})
    got = load_surveys(sv, asked_on={"ces": [1, 10]}, reverse=["CES"]).to_pandas()["score"]
    turned = 11 - sv["score"]                                                             # plain arithmetic
    assert got.tolist() == pytest.approx((1 + 6 * (turned - 1) / 9).tolist())


@pytest.mark.parametrize("reverse", [["nps"], ["mood"], "ces"])
def test_reverse_refuses_what_cannot_be_turned(reverse):
    with pytest.raises(ParameterError):
        load_surveys(_answers(10), reverse=reverse)


def test_reverse_written_wrong_in_loading_yaml_is_a_located_error(tmp_path):
    folder = _folder(tmp_path, _answers(10), "surveys:\n  reverse: ces\n")
    with pytest.raises(DataError) as err:
        load_world(folder)
    p = err.value.problems[0]
    assert "reverse must be a list of metrics" in p.message and p.line == 2, p
