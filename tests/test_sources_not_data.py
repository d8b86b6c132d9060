"""Rows that hold no data are named and counted, not rejected (D213).

Before (an outpatient world): 97 Friends and Family Test answers "Don't know" were "unparseable
score" rejections with the fix "score must be a number; use a dot as decimal separator…" and
counted in "Rows rejected"; an Excel sheet's 5 blank rows were "missing event" rejections, its
"Totals" footer a "missing timestamp" one. Now each is a named reason of its own — no answer,
blank row, totals row — neither used nor rejected, and rows read = used + rejected + no data.
Counts are checked against plain pandas on generated files.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook

from jmtools.core.errors import DataError, ParameterError
from jmtools.sources import load_events, load_surveys, load_world
from jmtools.sources._not_data import NON_ANSWERS

#: Non-answers as exports write them (case, curly apostrophe, spaces), and broken scores.
SAID = ["Don't know", "don’t KNOW", " N/A ", "Prefer not to say", "Weiß nicht", "Ne sais pas", "No opinion"]
BROKEN = ["4,5,1", "five", "??"]


def _survey_rows(n=400, seed=213):
    rng = np.random.default_rng(seed)
    score = rng.integers(1, 6, n).astype(object)
    pick = rng.random(n)
    score[pick < 0.12] = rng.choice(SAID, int((pick < 0.12).sum()))
    score[(pick >= 0.12) & (pick < 0.15)] = rng.choice(BROKEN, int(((pick >= 0.12) & (pick < 0.15)).sum()))
    return pd.DataFrame({"customer_id": [f"c{i % 90}" for i in range(n)],
                         "timestamp": pd.date_range("2025-01-01", periods=n, freq="h").strftime("%Y-%m-%d %H:%M"),
                         "metric": "csat", "score": score})


def _pandas_counts(frame):
    text = frame["score"].astype(str).str.replace("’", "'").str.strip().str.lower()
    said = text.isin(NON_ANSWERS)
    number = pd.to_numeric(frame["score"], errors="coerce").notna()
    return int(number.sum()), int(said.sum()), int((~said & ~number).sum())


def test_non_answers_are_counted_as_no_answer_not_rejected(tmp_path):
    frame = _survey_rows()
    path = tmp_path / "surveys.csv"
    frame.to_csv(path, index=False)
    acc = load_surveys(path).accounting
    used, said, broken = _pandas_counts(frame)
    assert said > 20 and broken > 5
    assert (acc.rows_used, acc.rows_skipped, acc.rows_rejected) == (used, said, broken)
    assert acc.rows_read == len(frame) == acc.rows_used + acc.rows_rejected + acc.rows_skipped
    assert acc.skipped["reason"].tolist() == ["no answer"] and acc.skipped["fix"].tolist() == [""]
    assert "decimal separator" not in " ".join(acc.skipped["fix"])
    assert acc.reasons["reason"].tolist() == ["unparseable score"]          # broken data stays rejected
    assert int(acc.reasons["n"].sum()) == broken
    first = frame.index[frame["score"].isin(SAID)][0] + 2                    # header is line 1
    assert int(acc.skipped["lines"].iloc[0][0]) == first
    assert f"+ {said} no data (no answer: {said} (" in str(acc)


def test_a_wide_survey_export_and_more_non_answers_from_loading_yaml(tmp_path):
    frame = pd.DataFrame({"Response ID": [f"R{i}" for i in range(8)], "Hospital No": [f"P{i}" for i in range(8)],
                          "Date": ["01/03/2025"] * 8,
                          "How was it?": ["4", "Don't know", "2", "Unsure (99)", "99", "", "1", "x"]})
    frame.to_csv(tmp_path / "surveys.csv", index=False)
    (tmp_path / "loading.yaml").write_text(
        'surveys:\n  columns: {customer_id: Hospital No, timestamp: Date, survey_id: Response ID}\n'
        '  time_format: "%d/%m/%Y"\n  metrics: {csat: "How was it?"}\n'
        '  non_answers: ["Unsure (99)", 99]\n', encoding="utf-8")
    with pytest.raises(DataError) as err:                                     # 99 is a number, not a text
        load_world(tmp_path)
    assert "loading.yaml:5: non_answers must be a list" in str(err.value) and "Fix:" in str(err.value)
    (tmp_path / "loading.yaml").write_text((tmp_path / "loading.yaml").read_text().replace("99]", '"99"]'))
    acc = load_world(tmp_path).surveys.accounting
    # 7 answers (a blank answer is no row): 3 used, 3 no answer, 1 rejected ("x")
    assert (acc.rows_read, acc.rows_used, acc.rows_skipped, acc.rows_rejected) == (7, 3, 3, 1)
    assert set(acc.skipped["examples"].iloc[0]) == {"Don't know", "Unsure (99)", "99"}


def test_non_answers_only_for_surveys_and_as_a_list():
    frame = pd.DataFrame({"customer_id": ["a"], "timestamp": ["2025-01-01"], "event": ["view"]})
    with pytest.raises(ParameterError, match="non_answers"):
        load_events(frame, non_answers=["Unsure"])
    with pytest.raises(ParameterError, match="non_answers"):
        load_surveys(_survey_rows(5), non_answers="Unsure")


def _book(path, rows, header=("Hospital No", "Event", "When", "Clinic")):
    wb = Workbook()
    ws = wb.active
    ws.append(["Outpatient activity export"])                 # a title row above the header
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    wb.save(path)
    return path


def test_blank_rows_and_a_totals_footer_are_named_not_rejected(tmp_path):
    rows = [(f"RH{i}", "Attended", f"2025-03-{1 + i % 28:02d} 10:00", "Skin") for i in range(30)]
    rows[7] = rows[19] = (None, None, None, None)             # blank rows inside the data
    rows[11] = ("RH11", None, "2025-03-12 10:00", "Skin")      # a real row without its event: rejected
    rows[13] = ("Total", "Walk-in", "2025-03-14 10:00", "Skin")  # "Total" with text beside it: data
    rows.append(("Totals", "28 events", None, 30))
    path = _book(tmp_path / "events.xlsx", rows)
    frame = pd.read_excel(path, header=1)
    blank = int(frame.isna().all(axis=1).sum())
    acc = load_events(path, columns={"customer_id": "Hospital No", "event": "Event", "timestamp": "When"}).accounting
    assert blank == 2
    assert acc.rows_read == len(frame) == acc.rows_used + acc.rows_rejected + acc.rows_skipped
    assert acc.skipped.set_index("reason")["n"].to_dict() == {"blank row": 2, "totals row": 1}
    assert acc.reasons["reason"].tolist() == ["missing event"] and int(acc.reasons["n"].sum()) == 1
    assert acc.rows_used == len(frame) - blank - 1 - 1
    lines = acc.skipped.set_index("reason")["lines"]
    assert [int(x) for x in lines["blank row"]] == [3 + 7, 3 + 19]        # title, header, then row 0
    assert [int(x) for x in lines["totals row"]] == [3 + 30]
    assert "totals row: 1 (“Totals”; lines 33)" in str(acc)


def test_a_csv_row_of_empty_cells_is_a_blank_row(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("customer_id,timestamp,event\na,2025-01-01,view\n,,\nb,2025-01-02,buy\n"
                    "Grand Total,2,\n", encoding="utf-8")
    acc = load_events(path).accounting
    assert (acc.rows_read, acc.rows_used, acc.rows_rejected, acc.rows_skipped) == (4, 2, 0, 2)
    assert acc.skipped["reason"].tolist() == ["blank row", "totals row"]


@pytest.mark.parametrize("footer", ["*** Summe: 34708 Datensätze;;;", "-- Total: 3 rows --;;;",
                                    "=== GESAMT 3 ===;;;", "Summe:;;;"])
def test_a_legacy_footer_in_one_cell_is_a_totals_row(tmp_path, footer):
    """D235: an insurer's export ends ``*** Summe: 34708 Datensätze;;;;;;;`` — the total word set about
    with marks and its count in the first cell; it was a "missing event" rejection."""
    path = tmp_path / "events.csv"
    path.write_text("Kunde;Zeit;Vorgang;Wer\nK1;01.03.2025;Meldung;Kunde\nK2;02.03.2025;Zahlung;\n"
                    "Summe der Fälle;03.03.2025;Meldung;\n" + footer + "\n", encoding="utf-8")
    acc = load_events(path, columns={"customer_id": "Kunde", "timestamp": "Zeit", "event": "Vorgang"},
                      time_format="%d.%m.%Y").accounting
    assert (acc.rows_read, acc.rows_used, acc.rows_rejected, acc.rows_skipped) == (4, 3, 0, 1)
    assert acc.skipped["reason"].tolist() == ["totals row"]
    assert [int(x) for x in acc.skipped["lines"].iloc[0]] == [5]


def test_a_first_cell_that_says_total_beside_words_is_data(tmp_path):
    path = tmp_path / "events.csv"
    path.write_text("customer_id,timestamp,event\na,2025-01-01,view\n*** Total: many rows,,\n", encoding="utf-8")
    acc = load_events(path).accounting
    assert (acc.rows_read, acc.rows_used, acc.rows_rejected, acc.rows_skipped) == (2, 1, 1, 0)


def test_the_accounting_must_add_up():
    from jmtools.sources import Accounting

    with pytest.raises(AssertionError, match="does not add up"):
        Accounting("s.csv", "surveys", 10, 5, 2, rows_skipped=2)
    assert Accounting("s.csv", "surveys", 10, 5, 2, rows_skipped=3).skipped_words() == ""


def test_a_long_survey_stacked_in_pandas_counts_its_n_a_scores_as_no_answer(tmp_path):
    """NPS and CSAT stacked into one long file with pandas: read_csv made each "N/A" NaN and
    to_csv wrote it blank, and the long form rejected 90 "missing score" rows the wide form counts
    as no answer (bring-your-own-data.md); a blank score in a row that names its metric is the
    wide form's blank answer (D257). A row naming no metric stays rejected."""
    rng = np.random.default_rng(257)
    n = 300
    score = rng.integers(0, 11, n).astype(object)
    score[rng.random(n) < 0.1] = "N/A"
    raw = pd.DataFrame({"customer_id": [f"a{i % 70}" for i in range(n)],
                        "timestamp": pd.date_range("2025-01-01", periods=n, freq="h").strftime("%Y-%m-%d %H:%M"),
                        "metric": np.where(np.arange(n) % 2, "nps", "csat_10"), "score": score})
    raw.to_csv(tmp_path / "raw.csv", index=False)
    stacked = pd.read_csv(tmp_path / "raw.csv")                      # "N/A" read as NaN, as pandas does
    stacked.loc[5, "metric"] = None                                  # broken: no metric
    stacked.to_csv(tmp_path / "surveys.csv", index=False)
    blank = int((stacked["score"].isna() & stacked["metric"].notna()).sum())
    assert blank > 15 and stacked.loc[5, "score"] == stacked.loc[5, "score"]       # planted
    for source in (tmp_path / "surveys.csv", stacked):
        acc = load_surveys(source, scales={"csat_10": (0, 10)}).accounting
        assert acc.rows_skipped == blank and "missing score" not in acc.reasons["reason"].tolist()
        assert acc.rows_rejected == 1 and acc.rows_read == acc.rows_used + acc.rows_rejected + acc.rows_skipped
        assert acc.skipped["reason"].tolist() == ["no answer"]


def test_a_long_survey_s_blank_and_junk_scores_are_counted_never_raised(tmp_path):
    """Hostile long surveys (D257): a blank, spaces or a placeholder score in a row that names its
    metric is no answer; junk, a formula or an out-of-scale score is rejected with its reason; a
    row without a metric is rejected whatever its score; a file of blanks only is all no answer."""
    rows = [("nps", "8"), ("nps", ""), ("nps", "   "), ("nps", "#N/A"), ("nps", "abc"), ("nps", "=1+1"),
            ("nps", "-"), ("nps", "NaN"), ("", "5"), ("", ""), ("nps", "12"), ("csat", "n.a."),
            ("nps", "N/A"), (" ", "")]
    lines = [f"a{i},2026-01-0{1 + i % 9} 10:00,{m},{s}" for i, (m, s) in enumerate(rows)]
    (tmp_path / "mixed.csv").write_text("customer_id,timestamp,metric,score\n" + "\n".join(lines) + "\n")
    acc = load_surveys(tmp_path / "mixed.csv").accounting
    assert (acc.rows_read, acc.rows_used, acc.rows_rejected, acc.rows_skipped) == (14, 1, 6, 7)
    assert dict(zip(acc.reasons["reason"], acc.reasons["n"])) == {
        "missing score": 2, "unparseable score": 2, "missing metric": 1, "nps score outside 0–10": 1}
    (tmp_path / "blank.csv").write_text("customer_id,timestamp,metric,score\n"
                                        + "".join(f"c{i},2026-01-01 10:00,nps,\n" for i in range(20)))
    acc = load_surveys(tmp_path / "blank.csv").accounting
    assert (acc.rows_used, acc.rows_rejected, acc.rows_skipped) == (0, 0, 20)
    (tmp_path / "junk.csv").write_text("customer_id,timestamp,metric,score\n"
                                       + "".join(f"c{i},2026-01-01 10:00,nps,junk{i}\n" for i in range(20)))
    acc = load_surveys(tmp_path / "junk.csv").accounting
    assert (acc.rows_used, acc.rows_rejected, acc.rows_skipped) == (0, 20, 0)
