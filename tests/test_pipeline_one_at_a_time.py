"""A cache entry computed by one process at a time (jmtools.pipeline._one_at_a_time).

A second process that needs the same missing entry waits for the first and reads what it
wrote; an entry that is there is read without waiting; another entry does not wait; a process
that dies releases the lock. End to end: two processes preparing one world at the same moment
compute each entry once.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from jmtools.pipeline._one_at_a_time import LOCK_PREFIX, one_at_a_time

ROOT = Path(__file__).resolve().parents[1]

_HOLDER = """
import sys, time
from pathlib import Path
from jmtools.pipeline._one_at_a_time import one_at_a_time
entry, flag = Path(sys.argv[1]), Path(sys.argv[2])
with one_at_a_time(entry, lambda: None):
    (flag / "locked").touch()
    while not (flag / "release").exists():
        time.sleep(0.02)
    if (flag / "write").exists():
        entry.mkdir(parents=True)
        (entry / "meta.json").write_text("written by the holder")
"""


def _env():
    return {**os.environ, "PYTHONPATH": str(ROOT)}


def _wait_for(path: Path, proc, what: str, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while not path.exists():
        assert proc.poll() is None, f"the process ended before it {what}"
        assert time.monotonic() < deadline, f"the process never {what}"
        time.sleep(0.02)


@pytest.fixture
def holder(tmp_path):
    """Start a process that holds an entry's lock until released (writing the entry if asked)."""
    started = []

    def start(entry: Path):
        flag = tmp_path / f"flag{len(started)}"
        flag.mkdir()
        proc = subprocess.Popen([sys.executable, "-c", _HOLDER, str(entry), str(flag)], cwd=ROOT, env=_env())
        started.append(proc)
        _wait_for(flag / "locked", proc, "took the lock")

        def release(write: bool = False):
            if write:
                (flag / "write").touch()
            (flag / "release").touch()
        return proc, release

    yield start
    for proc in started:
        proc.kill()
        proc.wait()


def _read(entry: Path):
    return lambda: (entry / "meta.json").read_text() if (entry / "meta.json").exists() else None


def _in_thread(entry: Path):
    """Enter ``one_at_a_time(entry)`` in a thread; returns (done event, box with what it read)."""
    done, box = threading.Event(), {}

    def run():
        with one_at_a_time(entry, _read(entry)) as kept:
            box["kept"], box["at"] = kept, time.monotonic()
        done.set()
    threading.Thread(target=run, daemon=True).start()
    return done, box


def test_a_second_process_waits_then_reads_what_the_first_wrote(tmp_path, holder):
    entry = tmp_path / "cache" / "shared-abc"
    proc, release = holder(entry)
    done, box = _in_thread(entry)
    assert not done.wait(0.5), "went on while another process computed the same entry"
    released = time.monotonic()
    release(write=True)
    assert done.wait(30)
    assert box["kept"] == "written by the holder" and box["at"] >= released
    proc.wait(30)
    assert not any(p.name.startswith(LOCK_PREFIX) for p in entry.parent.iterdir())


def test_when_the_first_writes_nothing_the_second_computes(tmp_path, holder):
    entry = tmp_path / "cache" / "tables-abc"
    proc, release = holder(entry)
    done, box = _in_thread(entry)
    assert not done.wait(0.3)
    release(write=False)
    assert done.wait(30) and box["kept"] is None


def test_an_entry_that_is_there_is_read_without_waiting(tmp_path, holder):
    """The reports of a batch read what the batch prepared: none waits for another."""
    entry = tmp_path / "cache" / "abc"
    entry.mkdir(parents=True)
    (entry / "meta.json").write_text("there")
    holder(entry)                                  # holds the lock, as a process computing it would
    done, box = _in_thread(entry)
    assert done.wait(10) and box["kept"] == "there"


def test_another_entry_does_not_wait(tmp_path, holder):
    holder(tmp_path / "cache" / "shared-abc")
    for other in (tmp_path / "cache" / "shared-abd", tmp_path / "other" / "shared-abc"):
        done, box = _in_thread(other)
        assert done.wait(10) and box["kept"] is None, other


def test_a_process_that_dies_releases_the_lock(tmp_path, holder):
    entry = tmp_path / "cache" / "abc"
    proc, _ = holder(entry)
    done, box = _in_thread(entry)
    assert not done.wait(0.3)
    proc.kill()
    assert done.wait(30) and box["kept"] is None
    assert not (entry.parent / f"{LOCK_PREFIX}abc").exists()   # the dead one's file, removed after


def test_a_folder_that_cannot_hold_the_lock_computes_without_waiting(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("x")
    with one_at_a_time(blocker / "cache" / "abc", lambda: None) as kept:
        assert kept is None
    assert blocker.read_text() == "x"


_PREPARE = """
import json, sys, time
from pathlib import Path
from jmtools.pipeline import prepare_world, _cache, _shared_cache, _tables_cache
from jmtools.sources import load_world
folder, flag, me = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
written = []
for module in (_cache, _shared_cache, _tables_cache):
    def counted(*a, _w=module._write, _m=module.__name__, **k):
        written.append(_m.rsplit(".", 1)[-1])
        return _w(*a, **k)
    module._write = counted
load_world("sample:ecommerce")                  # imports and a first read before the start line
(flag / f"ready-{me}").touch()
while len(list(flag.glob("ready-*"))) < 2:
    time.sleep(0.005)
prepare_world("sample:ecommerce", cache_dir=folder)
print(json.dumps(written))
"""


def test_two_processes_preparing_one_world_together_compute_each_entry_once(tmp_path):
    """Started at the same moment (a start line both wait at), two preparations of the sample
    world write the tables, evidence and shared entries once between them: the second reads."""
    folder, flag = tmp_path / "cache", tmp_path / "flag"
    flag.mkdir()
    procs = [subprocess.Popen([sys.executable, "-c", _PREPARE, str(folder), str(flag), me], cwd=ROOT,
                              env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
             for me in ("a", "b")]
    outs = [p.communicate(timeout=600) for p in procs]
    assert all(p.returncode == 0 for p in procs), [err[-2000:] for _, err in outs]
    written = [w for out, _ in outs for w in json.loads(out.strip().splitlines()[-1])]
    assert sorted(written) == ["_cache", "_shared_cache", "_tables_cache"], written
    assert not any(p.name.startswith(LOCK_PREFIX) for p in folder.iterdir())
