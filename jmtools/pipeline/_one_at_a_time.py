"""A cache entry computed by one process at a time: a second one waits, then reads it.

Two processes that need the same missing entry of an evidence cache folder at the same time
(two ``jmtools report`` runs started together, a report beside a batch) would both compute it:
neither finds the other's entry, which is written at the end. :func:`one_at_a_time` reads an
entry; when it is missing, it takes an exclusive lock (``fcntl.flock``) on a small file beside
it and reads again — another process may have written it meanwhile — before the caller
computes. So the second process waits for the first and reads what it wrote. Reading an entry
that is there takes no lock, so the reports of a batch, which read what the batch prepared, do
not wait for one another.

The lock goes with the process: one that dies or is stopped releases it, so nobody waits for a
process that no longer runs. The lock file is removed when the entry is done. A folder that
cannot hold the lock file, and a system without ``fcntl``, compute without waiting, as before.
"""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

__all__ = ["LOCK_PREFIX", "one_at_a_time"]

#: Lock files in a cache folder start with this (a dot: :func:`~jmtools.pipeline._cache.prune`
#: passes them over).
LOCK_PREFIX = ".computing-"


@contextlib.contextmanager
def one_at_a_time(entry: Path, read):
    """Yields ``read()``; when that is None, holds the entry's lock for the block, which
    computes and writes the entry.

    ``read()`` gives the entry's contents, or None when the entry is missing. When it is
    missing, this waits while another process computes the same entry (however long that
    takes: the lock is released when that process ends, whatever way it ends) and yields a
    second ``read()``: what that process wrote, or None when the block is to compute it.

    Examples
    --------
    >>> import tempfile
    >>> entry = Path(tempfile.mkdtemp()) / "key"
    >>> with one_at_a_time(entry, lambda: None) as kept:      # missing: compute, holding the lock
    ...     print(kept, sorted(p.name for p in entry.parent.iterdir()))
    None ['.computing-key']
    >>> sorted(p.name for p in entry.parent.iterdir())        # done: the lock file is gone
    []
    >>> with one_at_a_time(entry, lambda: "read") as kept:    # there: read, no lock
    ...     print(kept)
    read
    """
    kept = read()
    if kept is not None:
        yield kept
        return
    try:
        import fcntl
    except ImportError:                 # no flock on this system: compute without waiting
        yield None
        return
    path = entry.parent / f"{LOCK_PREFIX}{entry.name}"
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError:                     # a folder that cannot be written: the entry fails alike
        yield None
        return
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield read()                    # written by the process waited for, or None: compute
    finally:
        with contextlib.suppress(OSError):   # still this lock's file: remove it (a newer one stays)
            if os.stat(path).st_ino == os.fstat(fd).st_ino:
                os.unlink(path)
        os.close(fd)                    # closing releases the lock
