"""Identity stitching and feedback without a customer (D244, ``jmtools/sources/_stitch.py``).

A product-analytics export writes the customer id only after sign-up: install and onboarding rows
carry a device id alone. With ``stitch: device_id`` those rows take the customer the device carries
on its identified rows; devices never identified are one counted rejection. A planted world is
checked against plain pandas in CSV, JSON lines and Parquet; the outside tester's world (hT53, a
mobile subscription app) when it is on this machine.
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from jmtools import pipeline
from jmtools.core.errors import DataError, ParameterError
from jmtools.sources import load_events, load_feedback, load_world
from jmtools.sources._stitch import NEVER

COLUMNS = {"customer_id": "user_id", "timestamp": "event_time", "event": "event_type"}
TESTER = Path("/tmp/hT53_world")


def planted(seed: int = 7, users: int = 60, strangers: int = 9) -> pd.DataFrame:
    """An app's export: each user installs and onboards anonymously, signs up, then acts; some
    open the app logged out later (anonymous after sign-up); some have a second device; devices of
    ``strangers`` never sign up; device D-SHARED is used by two users — the one whose first
    identified row is *later in the file but earlier in time* must get its anonymous rows."""
    rng = np.random.default_rng(seed)
    rows, t0 = [], pd.Timestamp("2026-03-01")

    def add(user, device, event, at):
        rows.append({"event_type": event, "user_id": user, "device_id": device,
                     "event_time": at.strftime("%Y-%m-%d %H:%M:%S.%f")[:-3]})
    for i in range(users):
        dev, at = f"D-{i:03d}", t0 + pd.Timedelta(hours=int(rng.integers(0, 500)))
        add(None, dev, "app_installed", at)
        if rng.random() < 0.8:
            add(None, dev, "onboarding_completed", at + pd.Timedelta(minutes=5))
        add(f"u{i}", dev, "sign_up", at + pd.Timedelta(minutes=9))
        add(f"u{i}", dev, "trial_started", at + pd.Timedelta(minutes=11))
        if rng.random() < 0.5:
            add(None, dev, "app_open", at + pd.Timedelta(days=2))          # logged out after sign-up
        if rng.random() < 0.3:
            dev2 = f"D-{i:03d}-b"
            add(None, dev2, "app_installed", at + pd.Timedelta(days=3))
            add(f"u{i}", dev2, "login", at + pd.Timedelta(days=3, minutes=2))
    for j in range(strangers):
        at = t0 + pd.Timedelta(hours=int(rng.integers(0, 500)))
        add(None, f"S-{j:02d}", "app_installed", at)
        if j % 2:
            add(None, f"S-{j:02d}", "onboarding_completed", at + pd.Timedelta(minutes=3))
    # the shared device: u_late signs in first in the file, u_early first in time
    add(None, "D-SHARED", "app_installed", t0 + pd.Timedelta(days=1))
    add("u_late", "D-SHARED", "sign_up", t0 + pd.Timedelta(days=9))
    add("u_early", "D-SHARED", "sign_up", t0 + pd.Timedelta(days=2))
    add(None, "D-SHARED", "app_open", t0 + pd.Timedelta(days=10))
    add(None, None, "app_open", t0 + pd.Timedelta(days=4))                 # no id of any kind
    return pd.DataFrame(rows)


def oracle(raw: pd.DataFrame) -> pd.DataFrame:
    """Plain pandas: a row without user_id takes its device's first user (earliest identified
    row, then file order); rows of devices never identified are left out."""
    raw = raw.reset_index(drop=True).assign(row=lambda d: d.index, t=lambda d: pd.to_datetime(d.event_time))
    known = raw[raw.user_id.notna() & raw.device_id.notna()].sort_values(["t", "row"])
    first = known.groupby("device_id").user_id.first()
    cid = raw.user_id.where(raw.user_id.notna(), raw.device_id.map(first))
    return raw.assign(customer_id=cid)


def _write(raw: pd.DataFrame, folder: Path, fmt: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    if fmt == "csv":
        path = folder / "events.csv"
        raw.to_csv(path, index=False)
    elif fmt == "jsonl":
        path = folder / "events.jsonl"
        path.write_text("".join(json.dumps(r) + "\n" for r in raw.to_dict("records")), encoding="utf-8")
    else:
        path = folder / "events.parquet"
        raw.to_parquet(path, index=False)
    return path


@pytest.mark.parametrize("fmt", ["csv", "jsonl", "parquet"])
def test_anonymous_rows_take_their_devices_customer_as_plain_pandas_does(tmp_path, fmt):
    raw = planted()
    want = oracle(raw)
    loaded = load_events(_write(raw, tmp_path, fmt), columns=COLUMNS, stitch="device_id")
    got = loaded.table.execute().sort_values("_row")
    kept = want[want.customer_id.notna()]
    assert got["customer_id"].tolist() == kept["customer_id"].tolist()
    assert got["event"].tolist() == kept["event_type"].tolist()
    acc = loaded.accounting
    never = want[want.customer_id.isna() & want.device_id.notna()]
    reasons = acc.reasons.set_index("reason")["n"]
    assert reasons[NEVER] == len(never) and reasons["missing customer_id"] == 1
    assert acc.rows_read == len(raw) == acc.rows_used + acc.rows_rejected
    stitched = want[want.user_id.isna() & want.customer_id.notna()]
    note = next(n for n in acc.notes if "took the customer id" in n)
    assert note.startswith(f"{len(stitched):,} rows without customer_id") and \
        f"{stitched.device_id.nunique():,} devices" in note
    assert any(f"{len(never):,} rows of {never.device_id.nunique()} devices that never signed up" in n
               for n in acc.notes)
    shared = got[got["_row"].isin(want.index[want.device_id.eq("D-SHARED") & want.user_id.isna()] + 1)]
    assert set(shared["customer_id"]) == {"u_early"}            # first in time, not in the file
    assert any("1 device was seen with two or more customers: its 2 anonymous rows" in n for n in acc.notes)


def test_whole_number_ids_in_parquet_are_stitched_as_text(tmp_path):
    raw = planted()
    raw = raw[raw.user_id.isna() | raw.user_id.str.fullmatch(r"u\d+")].reset_index(drop=True)
    raw["user_id"] = pd.array(raw.user_id.str[1:].astype("float").astype("Int64"), dtype="Int64")
    got = load_events(_write(raw, tmp_path, "parquet"), columns=COLUMNS, stitch="device_id").table.execute()
    want = oracle(raw.assign(user_id=raw.user_id.astype("string")))
    assert got.sort_values("_row")["customer_id"].tolist() == want.customer_id.dropna().tolist()


def test_kept_anonymous_devices_are_visitors_of_their_own(tmp_path):
    raw = planted()
    loaded = load_events(_write(raw, tmp_path, "csv"), columns=COLUMNS, stitch="device_id", keep_anonymous=True)
    got = loaded.to_pandas()
    want = oracle(raw)
    visitors = want[want.customer_id.isna() & want.device_id.notna()]
    assert sorted(got.loc[got.customer_id.str.startswith("anonymous:"), "customer_id"]) == \
        sorted("anonymous:" + visitors.device_id)
    assert loaded.accounting.rows_rejected == 1                 # the row with no id of any kind
    assert any(f"{visitors.device_id.nunique()} devices never signed up ({len(visitors)} rows)" in n
               for n in loaded.accounting.notes)


def test_without_stitch_the_fix_names_the_option_when_a_device_column_exists(tmp_path):
    raw = planted().rename(columns={"device_id": "anonymousId"})
    acc = load_events(_write(raw, tmp_path, "csv"), columns=COLUMNS).accounting
    fix = acc.reasons.set_index("reason").loc["missing customer_id", "fix"]
    assert "stitch: anonymousId" in fix and "loading.yaml" in fix
    plain = load_events(_write(planted().drop(columns="device_id"), tmp_path / "b", "csv"), columns=COLUMNS)
    assert plain.accounting.reasons.set_index("reason").loc["missing customer_id", "fix"] == \
        "every row needs a value in customer_id"


def test_a_stitch_column_that_does_not_exist_is_located_in_loading_yaml(tmp_path):
    _write(planted(), tmp_path, "csv")
    (tmp_path / "loading.yaml").write_text(
        "events:\n  columns: {customer_id: user_id, timestamp: event_time, event: event_type}\n"
        "  stitch: devce_id\n", encoding="utf-8")
    with pytest.raises(DataError) as err:
        load_world(tmp_path)
    [p] = err.value.problems
    assert p.source.endswith("loading.yaml") and p.line == 3
    assert "did you mean 'device_id'?" in p.fix and "'devce_id'" in p.message
    (tmp_path / "loading.yaml").write_text("events:\n  stitch: device_id\n  keep_anonymous: yes please\n")
    with pytest.raises(DataError, match="keep_anonymous must be true or false"):
        load_world(tmp_path)
    with pytest.raises(ParameterError, match="keep_anonymous"):
        load_events(tmp_path / "events.csv", columns=COLUMNS, keep_anonymous=True)


def test_all_ids_null_and_hostile_ids(tmp_path):
    raw = planted()
    blank = raw.assign(user_id=None)
    acc = load_events(_write(blank, tmp_path / "a", "csv"), columns=COLUMNS, stitch="device_id").accounting
    assert acc.rows_used == 0 and acc.reasons.set_index("reason")["n"].to_dict() == {
        NEVER: int(raw.device_id.notna().sum()), "missing customer_id": 1}
    hostile = {"D-000": "x'); DROP TABLE events; --", "D-001": '=HYPERLINK("http://evil","x")',
               "D-002": "<script>alert(1)</script>", "D-003": "ünï\u200bcödé 🙂"}
    bad = raw.assign(device_id=raw.device_id.replace(hostile), user_id=raw.user_id.replace(
        {"u0": "'; SELECT 1; --", "u1": "=1+1"}))
    got = load_events(_write(bad, tmp_path / "b", "jsonl"), columns=COLUMNS, stitch="device_id").table.execute()
    want = oracle(bad)
    assert got.sort_values("_row")["customer_id"].tolist() == want.customer_id.dropna().tolist()
    assert "'; SELECT 1; --" in set(got.customer_id) and "=1+1" in set(got.customer_id)


def test_a_review_without_a_customer_is_kept_as_feedback_about_the_product(tmp_path):
    fb = pd.DataFrame({"feedback_id": [f"r{i}" for i in range(8)],
                       "customer_id": ["u0", None, "u1", None, "", "N/A", "u2", None],
                       "timestamp": ["2026-03-02"] * 8,
                       "text": ["crashes on start", "love it", "too expensive", "crashes", "ok", "meh",
                                "great", "refund please"]})
    fb.to_csv(tmp_path / "feedback.csv", index=False)
    loaded = load_feedback(tmp_path / "feedback.csv")
    assert loaded.accounting.rows_used == 8 and loaded.accounting.rows_rejected == 0
    assert int(loaded.to_pandas().customer_id.isna().sum()) == 5
    assert any(n.startswith("5 of 8 rows of feedback.csv name no customer") for n in loaded.accounting.notes)


def _app_world(tmp_path: Path) -> Path:
    """The planted events, a customer table with two personas, and reviews: rated in-app ones
    (with a customer, some at a stage) and store ones (none, some at a stage)."""
    folder = tmp_path / "app"
    raw = planted()
    _write(raw, folder, "csv")
    users = sorted(u for u in raw.user_id.dropna().unique())
    pd.DataFrame({"customer_id": users, "platform": ["ios" if i % 2 else "android" for i in range(len(users))]}
                 ).to_csv(folder / "customers.csv", index=False)
    rng = np.random.default_rng(3)
    texts = ["app crashes on start", "too expensive after the trial", "charged twice refund",
             "love the sleep sounds", "great meditation"]
    rows = []
    for i in range(240):
        store = i % 2 == 1
        r = int(rng.choice([1, 2, 4, 5]))   # no middle rating: its text would decide
        rows.append({"feedback_id": f"rv{i}", "customer_id": None if store else users[i % len(users)],
                     "timestamp": "2026-03-20", "text": texts[(i * 7) % 5] + f" {i % 13}",
                     "rating": r, "source": "app_store" if store else "in_app",
                     "stage": "Onboarding" if i % 3 == 0 else None})
    pd.DataFrame(rows).to_csv(folder / "feedback.csv", index=False)
    (folder / "loading.yaml").write_text(
        "events:\n  columns: {customer_id: user_id, timestamp: event_time, event: event_type}\n"
        "  stitch: device_id\n", encoding="utf-8")
    (folder / "journey.yaml").write_text("""jmtools: 1
name: App
personas:
  - name: Android
    rule: 'platform == "android"'
  - name: iOS
    rule: 'platform == "ios"'
stages:
  - name: Install
  - name: Onboarding
  - name: Sign up
  - name: Trial
touchpoints:
  - {name: Installed, stage: Install, channel: digital, events: [app_installed]}
  - {name: Onboarded, stage: Onboarding, channel: digital, events: [onboarding_completed]}
  - {name: Signed up, stage: Sign up, channel: digital, events: [sign_up]}
  - {name: Trial start, stage: Trial, channel: digital, events: [trial_started]}
""", encoding="utf-8")
    return folder


def test_reviews_without_a_customer_feed_the_themes_of_all_and_no_persona(tmp_path):
    folder = _app_world(tmp_path)
    fb = pd.read_csv(folder / "feedback.csv")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prepared = pipeline.prepare_world(folder)
        everyone = pipeline.run(prepared)
        android = pipeline.run(prepared, persona="Android")
    complaints = fb[fb.rating <= 2]                           # the pandas: rated 1–2 of 5
    docs = everyone.themes.documents
    assert everyone.themes.accounting["rows_in"] == len(fb) == 240
    assert len(docs) == len(complaints)
    assert int(docs.customer_id.isna().sum()) == int(complaints.customer_id.isna().sum()) > 0
    assert set(docs.loc[docs.customer_id.isna(), "persona"]) == {"(no customer)"}
    mine = android.themes_focus.documents
    assert mine.customer_id.notna().all() and len(mine) > 0
    assert pipeline.without_customer(everyone.world) == int(fb.customer_id.isna().sum()) == 120
    ev = everyone.emotion_evidence                             # only attributable rows at a stage
    staged = fb[fb.stage.notna()]
    assert ev[ev.source.str.startswith("feedback")].customer_id.notna().all()
    assert int((ev.source.str.startswith("feedback")).sum()) == int(staged.customer_id.notna().sum())
    assert ev.attrs["dropped"]["feedback"]["no customer (feedback about the product)"] == \
        int(staged.customer_id.isna().sum())


def test_the_report_says_where_reviews_without_a_customer_count(tmp_path, monkeypatch):
    from jmtools.report import _section_kit as kit
    from jmtools.report import problem_sections

    folder = _app_world(tmp_path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prepared = pipeline.prepare_world(folder)
        said = {}
        for persona in ("all", "Android"):
            shown = []
            monkeypatch.setattr(kit, "display", lambda *objs: shown.extend(objs))
            problem_sections.what_they_write(pipeline.run(prepared, persona=persona))
            said[persona] = " ".join(getattr(o, "data", str(o)) for o in shown)
    assert "120 reviews without a customer (store reviews" in said["all"]
    assert "120 reviews without a customer are in the all-customers report only" in said["Android"]


def _strict(frame: pd.DataFrame, steps: list[str]) -> list[int]:
    """Plain pandas strict funnel: customers reaching each step after the previous one."""
    frame = frame.sort_values(["customer_id", "t", "row"])
    out, at = [], None
    for step in steps:
        hit = frame[frame.event_type == step]
        if at is not None:
            hit = hit.merge(at, on="customer_id")
            hit = hit[hit.t >= hit.t_prev]
        at = hit.groupby("customer_id").t.min().rename("t_prev").reset_index()
        out.append(len(at))
    return out


@pytest.mark.skipif(not (TESTER / "v1" / "events.jsonl").exists(), reason="the hT53 tester world is not here")
def test_the_testers_app_installs_and_onboarding_when_stitched(tmp_path):
    from jmtools.analyses import funnels
    from jmtools.evidence import prepare
    from jmtools.journey import Journey

    raw = pd.read_json(TESTER / "v1" / "events.jsonl", lines=True, dtype={"user_id": str})
    want = oracle(raw)
    steps = ["app_installed", "onboarding_completed", "sign_up"]
    for keep in (False, True):
        loaded = load_events(TESTER / "v1" / "events.jsonl", columns=COLUMNS, stitch="device_id",
                             keep_anonymous=keep)
        mine = want.assign(customer_id=want.customer_id.fillna("anonymous:" + want.device_id)) if keep \
            else want[want.customer_id.notna()]
        expected = _strict(mine.drop_duplicates(["event_type", "customer_id", "event_time"]), steps)
        got = funnels.funnel(prepare(loaded.table, Journey.load(TESTER / "v1" / "journey.yaml")),
                             steps=steps, level="event")
        assert got["n"].tolist() == expected
        if keep:
            assert expected[:2] == [6560, 5800]        # the tester's pandas (truths.json)
        else:
            assert loaded.accounting.reasons.set_index("reason").loc[NEVER, "n"] == 5181


@pytest.mark.skipif(not (TESTER / "v2" / "feedback.jsonl").exists(), reason="the hT53 tester world is not here")
def test_the_testers_store_reviews_count_in_the_themes_of_all_only():
    fb = pd.read_json(TESTER / "v2" / "feedback.jsonl", lines=True, dtype={"user_id": str})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        prepared = pipeline.prepare_world(TESTER / "v2")
        everyone = pipeline.run(prepared)
        latam = pipeline.run(prepared, persona="LatAm Android")
    assert everyone.themes.accounting["rows_in"] == len(fb) == 914
    assert len(everyone.themes.documents) == int((fb.rating <= 2).sum())
    assert pipeline.without_customer(everyone.world) == int(fb.user_id.isna().sum()) == 434
    assert latam.themes_focus.documents.customer_id.notna().all()


@pytest.mark.spark
def test_spark_stitches_as_duckdb_does(tmp_path, local_spark):
    raw = planted()
    for keep in (False, True):
        on_spark = load_events(local_spark.createDataFrame(raw.astype(object).where(raw.notna(), None)),
                               columns=COLUMNS, stitch="device_id", keep_anonymous=keep)
        on_duck = load_events(_write(raw, tmp_path / str(keep), "csv"), columns=COLUMNS, stitch="device_id",
                              keep_anonymous=keep)
        key = ["customer_id", "event", "timestamp"]
        got = on_spark.to_pandas()[key].sort_values(key).reset_index(drop=True)
        want = on_duck.to_pandas()[key].sort_values(key).reset_index(drop=True)
        pd.testing.assert_frame_equal(got.astype(str), want.astype(str))
        stitched = [n for n in on_duck.accounting.notes if "device" in n]
        assert stitched and all(n in on_spark.accounting.notes for n in stitched)
        assert on_spark.accounting.reasons.set_index("reason")["n"].to_dict() == \
            on_duck.accounting.reasons.set_index("reason")["n"].to_dict()
