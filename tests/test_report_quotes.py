"""jmtools.report.quotes: quotes signed by pseudonyms (never ids), small groups suppressed with a note.

Oracles: the pseudonym is recomputed with hmac/hashlib; who wrote a quote and how many customers
wrote a theme are counted from the planted frame with plain pandas."""

from __future__ import annotations

import hashlib
import hmac
import re

import pandas as pd
import pytest

from jmtools.analyses.themes import find_themes
from jmtools.report.quotes import quoted_pain_points, quoted_themes

KEY = "test-key"
RAW_ID = re.compile(r"\bCUST\d{4}\b")


def _pseudonym(customer: str) -> str:
    return "C-" + hmac.new(KEY.encode(), customer.encode(), hashlib.sha256).hexdigest()[:10]


def planted(n_big=12, n_small=3) -> pd.DataFrame:
    """Complaints: a big theme (delivery fee) from n_big customers, a small one (size chart)
    from n_small customers, each text distinct, customer ids that would be recognisable."""
    fee = [f"hidden delivery fee at checkout was a shock, number {i} of them" for i in range(n_big)]
    size = [f"no size chart on the product page, guess {i}" for i in range(n_small)]
    rows = ([{"text": t, "customer_id": f"CUST{i:04d}", "stage": "Decision", "touchpoint": "Checkout"}
             for i, t in enumerate(fee)]
            + [{"text": t, "customer_id": f"CUST{100 + i:04d}", "stage": "Consideration",
                "touchpoint": "Product page"} for i, t in enumerate(size)])
    out = pd.DataFrame(rows)
    out["feedback_id"] = [f"F{i}" for i in range(len(out))]
    out["sentiment"] = -0.6
    return out


@pytest.fixture(scope="module")
def themes():
    with pytest.warns(UserWarning, match="holds 80% of the 15 texts in a theme"):   # 12 of 15 texts: flagged, kept
        return find_themes(planted(), n_themes=2, persona_col=None, stability=False)


def test_theme_quotes_are_signed_by_pseudonyms_of_their_writers(themes):
    shown = quoted_themes(themes, key=KEY)
    fb = planted()
    writer = dict(zip(fb["text"], fb["customer_id"]))
    big = shown[shown["n"].notna()].iloc[0]
    assert big["quotes"]
    for q in big["quotes"]:
        text, name = re.fullmatch(r"“(.*)” \((C-[0-9a-f]{10})\)", q).groups()
        assert name == _pseudonym(writer[text])                        # its own writer, hmac oracle
    assert not any(RAW_ID.search(q) for qs in shown["quotes"].dropna() for q in qs)


def test_themes_of_fewer_customers_than_the_minimum_keep_only_their_label(themes):
    shown = quoted_themes(themes, key=KEY)
    fb = planted()
    customers = fb.groupby("stage")["customer_id"].nunique()             # one theme per stage here
    small = shown[shown["top_stage"] == "Consideration"].iloc[0]
    assert customers["Consideration"] == 3 < 5
    assert small["suppressed"] and small["label"] and pd.isna(small["n"]) and small["quotes"] is None
    big = shown[shown["top_stage"] == "Decision"].iloc[0]
    assert not big["suppressed"] and big["n_customers"] == customers["Decision"]
    assert shown.attrs["note"] == "1 group with fewer than 5 customers is listed without its numbers."
    assert quoted_themes(themes, min_group=0).attrs["note"] == ""       # 0: nothing hidden


def test_without_a_customer_column_quotes_are_unsigned_and_themes_of_few_texts_hidden(themes):
    with pytest.warns(UserWarning, match="holds 80% of the 15 texts in a theme"):
        th = find_themes(planted().drop(columns="customer_id"), n_themes=2, persona_col=None, stability=False)
    shown = quoted_themes(th)
    big, small = shown.sort_values("top_stage", ascending=False).to_dict("records")
    assert not big["suppressed"] and big["n"] == 12 and small["suppressed"] and small["quotes"] is None
    assert all(q.startswith("“") and q.endswith("”") for q in big["quotes"])
    assert shown.attrs["note"] == "1 group with fewer than 5 customers is listed without its numbers."


def _pain_table(themes):
    labels = dict(zip(themes.summary["top_stage"], themes.summary["label"]))
    ns = dict(zip(themes.summary["top_stage"], themes.summary["n"]))
    docs = themes.documents
    first = {s: docs[docs["stage"] == s].sort_values("quote_score", ascending=False)["quote"].iloc[0]
             for s in ("Decision", "Consideration")}
    return pd.DataFrame({
        "rank": [1, 2], "title": ["Hidden fees", "No size chart"], "source": ["detected", "detected"],
        "stage": ["Decision", "Consideration"], "touchpoint": ["Checkout", "Product page"],
        "personas": [[], []], "evidence": ["…", "…"],
        "themes": [[f"{labels['Decision']} (n={ns['Decision']})"],
                   [f"{labels['Consideration']} (n={ns['Consideration']})"]],
        "n_feedback": [ns["Decision"], ns["Consideration"]],
        "quotes": [[first["Decision"]], [first["Consideration"]]]})


def test_pain_point_quotes_signed_and_small_groups_hidden(themes):
    table = _pain_table(themes)
    out = quoted_pain_points(table, themes, key=KEY)
    fb = planted()
    writer = dict(zip(fb["text"], fb["customer_id"]))
    [fee] = out.loc[0, "quotes"]
    assert fee == f"“{table.loc[0, 'quotes'][0]}” ({_pseudonym(writer[table.loc[0, 'quotes'][0]])})"
    assert out.loc[0, "writers"] == 12 and out.loc[0, "themes"] == table.loc[0, "themes"]
    assert out.loc[1, "quotes"] == [] and out.loc[1, "writers"] == 3
    assert "(n=" not in out.loc[1, "themes"][0]                         # a small theme's count is hidden
    assert out.attrs["note"] == "The quotes of 1 pain point written by fewer than 5 customers are not shown."
    assert not RAW_ID.search(str(out[["quotes", "themes"]].to_dict()))
    assert table.loc[1, "quotes"]                                       # the input is not modified


def test_pain_point_quotes_without_themes_fall_back_on_the_number_of_texts(themes):
    table = _pain_table(themes)
    out = quoted_pain_points(table)
    assert out.loc[0, "quotes"][0].startswith("“") and out.loc[0, "quotes"][0].endswith("”")
    assert out.loc[1, "quotes"] == [] and out.loc[1, "writers"] is None
    assert out.attrs["note"].startswith("The quotes of 1 pain point")
    assert out.loc[0, "themes"] == table.loc[0, "themes"] and "(n=" not in out.loc[1, "themes"][0]


def test_the_pain_point_table_shown_drops_small_theme_counts_with_a_note(themes, monkeypatch):
    import IPython.display

    from jmtools.report.steps import PAIN_POINT_COLUMNS, show_pain_points

    shown_objects = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs: shown_objects.extend(objs))
    table = _pain_table(themes).assign(pain_point_id=["fees", "size"], score=[2.0, 1.0], signals=[[], []],
                                       recurs=False, customers_affected=[12, 3])
    shown = show_pain_points(table, themes)
    assert list(shown.columns) == PAIN_POINT_COLUMNS and shown_objects[0].data is shown
    assert shown.loc[0, "themes"] == table.loc[0, "themes"] and "(n=" not in shown.loc[1, "themes"][0]
    assert "fewer than 5 customers at a pain point is listed without its count" in shown_objects[1].data
    assert pd.isna(shown.loc[1, "customers_affected"]) and shown.loc[0, "customers_affected"] == 12
    assert "1 pain point met by fewer than 5 customers is listed without that count." in shown_objects[1].data


# ------------------------------------------------------------------- charts and exports
def _spread(n_big=12):
    """The planted complaints plus a few fee complaints at Delivery (2 customers) and
    Returns (1 customer): small cells inside a big theme."""
    fb = planted(n_big=n_big)
    extra = pd.DataFrame({"text": [f"hidden delivery fee at checkout was a shock, later note {i}" for i in range(3)],
                          "customer_id": ["CUST0900", "CUST0900", "CUST0901"],
                          "stage": ["Delivery", "Delivery", "Returns"], "touchpoint": "Checkout",
                          "feedback_id": ["X1", "X2", "X3"], "sentiment": -0.6})
    return pd.concat([fb, extra], ignore_index=True)


@pytest.fixture(scope="module")
def spread_themes():
    with pytest.warns(UserWarning):
        return find_themes(_spread(), n_themes=2, persona_col=None, stability=False,
                           stages=["Consideration", "Decision", "Delivery", "Returns"])


def test_disclosed_themes_hide_small_cells_and_what_would_reveal_them(spread_themes):
    from jmtools.report.quotes import disclosed_themes

    shown = disclosed_themes(spread_themes, key=KEY)
    stage = shown.counts[shown.counts["dimension"] == "stage"].set_index(["theme", "value"])
    docs = spread_themes.documents
    oracle = docs.groupby(["theme", "stage"])["customer_id"].nunique()        # plain pandas
    fee = int(spread_themes.summary.loc[spread_themes.summary["top_stage"] == "Decision", "theme"].iloc[0])
    assert oracle[(fee, "Delivery")] == 1 and oracle[(fee, "Returns")] == 1
    assert stage.loc[(fee, "Delivery"), "suppressed"] and stage.loc[(fee, "Returns"), "suppressed"]
    assert pd.isna(stage.loc[(fee, "Delivery"), "n"]) and stage.loc[(fee, "Delivery"), "hidden"] == "fewer than 5 customers"
    # 2 customers hidden: Decision (12) must go too, or 15 − 12 would give them away
    assert stage.loc[(fee, "Decision"), "suppressed_why"] == "reveals another"
    assert stage.loc[(fee, "Consideration"), "n"] == 0 and not stage.loc[(fee, "Consideration"), "suppressed"]
    small = int(((oracle > 0) & (oracle < 5)).sum())                        # fee: 2 cells; size chart: 1
    assert small == 3 and shown.counts.attrs["notes"]["stage"] == (
        "4 cells are hidden (grey): 3 written by fewer than 5 customers, 1 more so that totals do not reveal them.")
    assert shown.documents.empty and shown.quotes.empty                      # nothing names a customer
    assert spread_themes.counts["n"].notna().all()                           # the input is not modified


def test_theme_chart_draws_hidden_cells_grey_without_a_number(spread_themes):
    from jmtools.charts.painpoints import HIDDEN_COLOR, themes_chart
    from jmtools.report.quotes import disclosed_themes

    shown = disclosed_themes(spread_themes, key=KEY)
    spec = themes_chart(shown).to_dict()
    rect, grey, label = spec["hconcat"][1]["layer"]
    rows = {name: spec["datasets"][layer["data"]["name"]] for name, layer in
            (("rect", rect), ("grey", grey), ("label", label))}
    hidden = shown.counts[(shown.counts["dimension"] == "stage") & shown.counts["suppressed"]]
    assert sorted(r["value"] for r in rows["grey"]) == sorted(hidden["value"])
    assert grey["mark"]["color"] == HIDDEN_COLOR and all(r["n"] is None for r in rows["grey"])
    assert all(r["n"] is not None for r in rows["rect"])                     # the colour scale never sees them
    drawn = {(r["theme"], r["value"]) for r in rows["label"]}
    assert not drawn & {(r["theme"], r["value"]) for r in rows["grey"]}      # no number on a grey cell
    assert "grey: hidden" in spec["title"]["subtitle"]
    # a theme of fewer than 5 customers: no bar, the word "hidden"
    bars, words = spec["hconcat"][0]["layer"]
    small = shown.summary.loc[shown.summary["suppressed"], "theme"].tolist()
    assert small and all(not r["theme"].startswith(f"{t}. ") for t in small for r in spec["datasets"][bars["data"]["name"]])
    assert [r["word"] for r in spec["datasets"][words["data"]["name"]]] == ["hidden"] * len(small)


def test_show_themes_chart_writes_the_note(spread_themes, monkeypatch):
    import IPython.display

    from jmtools.report.steps import show_themes_chart

    shown_objects = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs: shown_objects.extend(objs))
    chart = show_themes_chart(spread_themes)
    assert shown_objects[0] is chart
    note = shown_objects[1].data
    assert "1 group with fewer than 5 customers is listed without its numbers." in note
    assert "4 cells are hidden (grey): 3 written by fewer than 5 customers, 1 more" in note
    shown_objects.clear()
    show_themes_chart(spread_themes, min_group=0)
    assert len(shown_objects) == 1                                          # nothing hidden, no note


def test_pain_point_csv_discloses_what_the_notebook_shows(themes, tmp_path):
    from jmtools.core.spreadsheet import csv_untext
    from jmtools.report.steps import write_pain_points

    table = _pain_table(themes).assign(
        pain_point_id=["=HYPERLINK(\"http://x\",\"y\")", "size"], customers_affected=[12.0, 3.0],
        stake=[[{"persona": "Ben", "customers": 12, "lift": 0.1}, {"persona": "Maya", "customers": 2, "lift": 0.1}], []])
    table.loc[0, "title"] = "@SUM(A1)"
    path = write_pain_points(table, tmp_path / "pain.csv", themes)
    back = pd.read_csv(path, keep_default_na=False)
    text = path.read_text(encoding="utf-8")
    assert not RAW_ID.search(text)                                          # no customer id
    writer = dict(zip(planted()["text"], planted()["customer_id"]))
    first = table.loc[0, "quotes"][0]
    shown = quoted_pain_points(table, themes)                               # the process's key
    assert back.loc[0, "quotes"] == shown.loc[0, "quotes"][0] == f"“{first}” ({shown.loc[0, 'quotes'][0][-13:-1]})"
    assert re.fullmatch(r"“.*” \(C-[0-9a-f]{10}\)", back.loc[0, "quotes"]) and writer[first] not in text
    assert back.loc[1, "quotes"] == "" and "(n=" not in back.loc[1, "themes"]      # 3 customers: hidden
    assert back.loc[1, "customers_affected"] == "" and float(back.loc[0, "customers_affected"]) == 12
    assert back.loc[0, "stake"] == "Ben: 12; Maya: fewer than 5"
    assert back.loc[0, "pain_point_id"] == "'=HYPERLINK(\"http://x\",\"y\")"       # never a live formula
    assert back.loc[0, "title"] == "'@SUM(A1)" and csv_untext(back.loc[0, "title"]) == "@SUM(A1)"
    assert "writers" not in back


def test_tables_display_whole_counts_hidden_words_and_escaped_text(themes, monkeypatch):
    import IPython.display

    from jmtools.report.steps import show_pain_points, show_themes

    shown_objects = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs: shown_objects.extend(objs))
    table = _pain_table(themes).assign(pain_point_id=["fees", "size"], score=[2.0, 1.0], recurs=False,
                                       signals=[["<img src=x onerror=alert(1)>"], []], customers_affected=[761.7, 3])
    show_pain_points(table, themes)
    html = shown_objects[0].to_html()
    assert "<img" not in html and "&lt;img src=x onerror=alert(1)&gt;" in html
    assert ">762<" in html and ">3<" not in html and ">hidden<" in html   # whole customers; 3 is hidden
    shown_objects.clear()
    show_pain_points(table.assign(customers_affected=[None, 40.0]), themes)
    html = shown_objects[0].to_html()
    assert ">hidden<" not in html and ">–<" in html and ">40<" in html    # not measured is not hidden
    shown_objects.clear()
    show_themes(themes)
    html = shown_objects[0].to_html()
    assert ">12<" in html and ">12.0<" not in html and ">hidden<" in html   # the small theme's numbers
    assert "<br>“" in html                                                  # quotes one a line


def test_the_comparisons_shown_hide_groups_smaller_than_the_minimum(monkeypatch):
    """With min_n set below 5 a flagged comparison can rest on 3 customers: labels stay, numbers go."""
    import IPython.display

    from jmtools.report.steps import COMPARISON_COLUMNS, show_comparisons

    shown_objects = []
    monkeypatch.setattr(IPython.display, "display", lambda *objs: shown_objects.extend(objs))
    ev = pd.DataFrame({"stage": ["Decision"] * 4 + ["Delivery"], "touchpoint": [None, "Checkout", "Cart", "Checkout", None],
                       "persona": ["Ben", "Maya", "Ben", "Nina", "Ben"], "signal": "drop-off",
                       "value": [0.71234, 0.6, 0.5, 0.4, 0.3], "n": [567, 3, 90, 40, 50], "baseline": 0.3,
                       "baseline_n": [1579, 40, 90, 4, 50], "versus": "other personas", "effect": 0.5, "z": 3.0,
                       "counts": True, "flagged": [True, True, True, True, False]})
    shown = show_comparisons(pd.Series({"stage": "Decision", "touchpoint": "Checkout"}), ev)
    assert shown["persona"].tolist() == ["Ben", "Maya", "Nina"] and list(shown.columns) == [*COMPARISON_COLUMNS, "suppressed"]
    assert shown["suppressed"].tolist() == [False, True, True]          # 3 in the group; 4 in the baseline
    assert shown[["value", "n", "baseline_n", "effect", "z"]].iloc[1:].isna().all().all()
    assert shown.loc[0, "value"] == 0.712
    assert shown_objects[1].data == "2 groups with fewer than 5 customers are listed without their numbers."
    html = shown_objects[0].to_html()
    assert ">hidden<" in html and ">567<" in html


def _shared_writers() -> pd.DataFrame:
    """:func:`planted`'s complaints, and 3 more customers who complain of the fee at Delivery,
    2 of whom again at Returns: the fee's small cells (3 and 2 customers) sum to 5 but hold 3."""
    out = planted()
    more = [("CUST0200", "Delivery"), ("CUST0201", "Delivery"), ("CUST0202", "Delivery"),
            ("CUST0200", "Returns"), ("CUST0201", "Returns")]
    extra = pd.DataFrame([{"text": f"hidden delivery fee at checkout was a shock, again {i}", "customer_id": c,
                           "stage": s, "touchpoint": "Checkout", "feedback_id": f"G{i}", "sentiment": -0.6}
                          for i, (c, s) in enumerate(more)])
    return pd.concat([out, extra], ignore_index=True)


def test_cells_of_a_theme_that_share_customers_are_not_summed_to_protect_each_other():
    """A theme's cells by stage can share customers (one customer complains at Delivery and at
    Returns). The fee's small cells, 3 and 2 customers, were summed to 5 and nothing else was
    hidden, so the theme's 15 customers minus Decision's 12 gave back the 3 who wrote there
    (plain pandas: 3 distinct customers behind the hidden cells). Now every theme shown has 0 or
    5+ distinct customers behind its hidden cells."""
    from jmtools.report.quotes import disclosed_themes

    with pytest.warns(UserWarning):
        found = find_themes(_shared_writers(), n_themes=2, persona_col=None, stability=False,
                            stages=["Consideration", "Decision", "Delivery", "Returns"])
    shown = disclosed_themes(found, key=KEY)
    docs = found.documents
    fee = int(found.summary.loc[found.summary["top_stage"] == "Decision", "theme"].iloc[0])
    mine = docs[docs["theme"] == fee]
    assert mine.groupby("stage")["customer_id"].nunique().to_dict() == {"Decision": 12, "Delivery": 3, "Returns": 2}
    assert mine["customer_id"].nunique() == 15                              # planted, plain pandas
    stage = shown.counts[shown.counts["dimension"] == "stage"]
    for theme, cells in stage.groupby("theme"):
        if bool(shown.summary.loc[shown.summary["theme"] == theme, "suppressed"].iloc[0]):
            continue                                                         # its total is not shown
        hidden = cells.loc[cells["suppressed"], "value"]
        behind = docs[(docs["theme"] == theme) & docs["stage"].isin(hidden)]["customer_id"].nunique()
        assert behind == 0 or behind >= 5, (theme, list(hidden), behind)
    assert stage.set_index(["theme", "value"]).loc[(fee, "Decision"), "suppressed_why"] == "reveals another"
