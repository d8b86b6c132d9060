"""Local times in the hour the clock shows twice (D147, D185): the order of the file tells
which of the two a value is, when a customer's times go back within that hour."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from jmtools.sources import load_events

NIGHTS = {"Europe/Berlin": "2026-10-25", "America/New_York": "2026-11-01"}


def _world(zone: str, seed: int = 7):
    """Customers of one night: each one event in the first and one in the second occurrence of the
    repeated hour, between events before and after it. "told" customers' second event shows an
    earlier minute than their first (02:50, then 02:10: the file tells); the others' a later one
    (02:10, then 02:50 could be one hour: read as the first). Written without an offset; the truth
    is kept as the wall time with its offset."""
    rng = np.random.default_rng(seed)
    first = (pd.Timestamp(NIGHTS[zone]).tz_localize(zone) + pd.Timedelta(hours=6)).tz_convert("UTC")
    first = first.floor("D")
    while (first + pd.Timedelta(hours=1)).tz_convert(zone).utcoffset() == first.tz_convert(zone).utcoffset():
        first += pd.Timedelta(hours=1)         # the UTC hour the first occurrence of the repeated hour begins
    rows = []
    for c in range(40):
        told = c % 4 != 3
        a, b = sorted(rng.choice(np.arange(1, 59), 2, replace=False))
        m1, m2 = (b, a) if told else (a, b)
        times = [first - pd.Timedelta(minutes=int(rng.integers(20, 300))), first + pd.Timedelta(minutes=int(m1)),
                 first + pd.Timedelta(hours=1, minutes=int(m2)),
                 first + pd.Timedelta(hours=2, minutes=int(rng.integers(5, 300)))]
        rows += [(f"c{c:02d}", t, e, told) for t, e in zip(times, ("view", "quote", "buy", "mail"))]
    ev = pd.DataFrame(rows, columns=["customer_id", "true", "event", "told"])
    local = ev["true"].dt.tz_convert(zone)
    ev["timestamp"] = local.dt.strftime("%Y-%m-%d %H:%M")
    ev["offset"] = local.dt.strftime("%z").str.replace(r"(\d\d)$", r":\1", regex=True)
    summer = (local - pd.Timedelta(hours=1)).dt.strftime("%z").str.replace(r"(\d\d)$", r":\1", regex=True)
    ev["summer"] = np.where(ev["event"].eq("buy"), summer, ev["offset"])
    return ev


@pytest.mark.parametrize("zone", list(NIGHTS))
@pytest.mark.parametrize("newest_first", [False, True])
def test_a_repeated_local_time_after_a_later_one_of_that_hour_is_the_second(tmp_path, zone, newest_first):
    """D185: 02:50 then 02:10 in a customer's rows on the night the clock goes back were both read
    as summer time, so the second event came first. Now the second is the later instant — the
    UTC a plain parse of the wall time with its true offset gives; where the file cannot tell
    (02:10, then 02:50), the first of the two, as before; the note counts both. A log exported
    newest first is read the other way round."""
    ev = _world(zone).sort_values(["customer_id", "true"], ascending=[True, not newest_first])
    path = tmp_path / "events.csv"
    ev[["customer_id", "timestamp", "event"]].to_csv(path, index=False)
    loaded = load_events(path, tz=zone)
    got = loaded.to_pandas()["timestamp"].tolist()
    exact = pd.to_datetime(ev["timestamp"] + ev["offset"], utc=True).dt.tz_localize(None)
    first = pd.to_datetime(ev["timestamp"] + ev["summer"], utc=True).dt.tz_localize(None)
    want = exact.where(ev["told"], first)
    assert got == want.tolist()
    assert (exact == ev["true"].dt.tz_localize(None)).all()          # the oracle is the planted truth
    n_told = int((ev["told"] & ev["event"].eq("buy")).sum())
    note = next(n for n in loaded.accounting.notes if "shows twice" in n)
    assert note.startswith(f"80 values of timestamp in the hour the clock shows twice when summer time ends in {zone}")
    assert f"): {n_told} read as the second of the two (winter time)" in note
    assert f"the other {80 - n_told} as the first (summer time)" in note


SPRING = {"Europe/London": ("2025-03-30", "01:30"), "Europe/Berlin": ("2026-03-29", "02:30")}


def _skipped_hour(zone: str, day: str) -> tuple[str, str]:
    """The local hour the clock of ``zone`` skips on ``day``, from pandas: the first whole hour
    that does not exist, and the hour the clock shows after it."""
    for h in range(24):
        try:
            pd.Timestamp(f"{day} {h:02d}:30").tz_localize(zone, nonexistent="raise")
        except Exception:                          # pytz/zoneinfo: NonExistentTimeError
            return f"{h:02d}:00", f"{h + 1:02d}:00"
    raise AssertionError(f"no skipped hour on {day} in {zone}")


@pytest.mark.parametrize("zone", list(SPRING))
def test_the_skipped_hour_note_names_the_zones_own_hour_and_day(tmp_path, zone):
    """Hospital tester (D215): the note said "(02:30 → 03:00)" for Europe/London, whose clock
    skips 01:00-02:00 (the value was 30/03/2025 01:30). The example is the data's day and its
    zone's hour; the value is read as the end of the gap."""
    day, value = SPRING[zone]
    start, end = _skipped_hour(zone, day)
    assert value.startswith(start[:3])                    # the planted value is in the skipped hour
    ev = pd.DataFrame({"customer_id": ["1", "1", "1"], "event": ["a", "b", "c"],
                       "timestamp": [f"{day} 00:10", f"{day} {value}", f"{day} 05:00"]})
    path = tmp_path / "events.csv"
    ev.to_csv(path, index=False)
    loaded = load_events(path, tz=zone)
    want = pd.Timestamp(f"{day} {end}").tz_localize(zone).tz_convert("UTC").tz_localize(None)
    assert loaded.to_pandas()["timestamp"].tolist()[1] == want
    note = next(n for n in loaded.accounting.notes if "clock skips" in n)
    assert f"on {day} the clock went from {start} to {end}: {start[:3]}30 → {end})" in note


@pytest.mark.parametrize("zone", ["Europe/London", "America/New_York"])
def test_the_repeated_hour_note_names_the_zones_own_hour_and_offset(tmp_path, zone):
    """The note on the hour shown twice gave Berlin's example (02:50, then 02:10; +01:00) for
    every zone: it names the zone's repeated hour and its summer offset, from pandas."""
    day = {"Europe/London": "2025-10-26", "America/New_York": "2026-11-01"}[zone]
    ambiguous = [h for h in range(24)
                 if len({pd.Timestamp(f"{day} {h:02d}:30").tz_localize(zone, ambiguous=a).utcoffset()
                         for a in (True, False)}) == 2]
    assert len(ambiguous) == 1
    h = ambiguous[0]
    summer = pd.Timestamp(f"{day} {h:02d}:30").tz_localize(zone, ambiguous=True).strftime("%z")
    ev = pd.DataFrame({"customer_id": ["1"] * 4, "event": ["a", "b", "c", "d"],
                       "timestamp": [f"{day} 00:05", f"{day} {h:02d}:50", f"{day} {h:02d}:10", f"{day} 06:00"]})
    path = tmp_path / "events.csv"
    ev.to_csv(path, index=False)
    note = next(n for n in load_events(path, tz=zone).accounting.notes if "shows twice" in n)
    assert f"({h:02d}:00–{h + 1:02d}:00 on {day}) (lines 3, 4)" in note
    assert f"within that hour ({h:02d}:50, then {h:02d}:10)" in note
    assert f"the offset ({summer[:3]}:{summer[3:]})" in note
