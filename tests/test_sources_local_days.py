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
