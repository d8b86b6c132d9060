"""Charts compiled once: the Vega specs vl-convert made, kept beside the report's evidence.

Every chart a report notebook shows is compiled from Vega-Lite to Vega by vl-convert
(:mod:`jmtools.render.notebook`), whose engine takes most of a CPU-second to start in each
kernel. A second report on unchanged data draws the same charts, so the kernels that
``jmtools report`` and ``jmtools batch`` start (the environment variable
``JMTOOLS_EVIDENCE_CACHE`` set, see :mod:`jmtools.core.cachedir`) keep each compiled spec in
the evidence cache folder, in one entry ``vega-<key>``, and read it back instead of starting
the engine. ``--no-cache`` (the variable unset) and live notebooks compile every chart, as
before.

The key of the entry is :data:`LAYOUT`, the vl-convert version and the Vega-Lite version
compiled to; a file in it is named by the SHA-256 of the Vega-Lite spec's JSON text, so a
chart is read back only for exactly the spec it was compiled from. A file is JSON only (a
cache never runs code when read), written through a temporary file and a rename (batch workers
share the folder); a file that does not read as a JSON object is compiled again and rewritten.
An entry keeps the :data:`MAX_SPECS` specs written last.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import warnings
from pathlib import Path

from jmtools.core.cachedir import CACHE_ENV, EvidenceCacheWarning

__all__ = ["LAYOUT", "MAX_SPECS", "PREFIX", "compiled_entry", "read_compiled", "keep_compiled"]

#: Version of what a file holds (the compiled spec as :mod:`jmtools.render.notebook` outputs it).
LAYOUT = 1
#: Compiled specs an entry keeps; older ones (by last write) are removed.
MAX_SPECS = 512
#: Name of the entry in the evidence cache folder, before its key.
PREFIX = "vega-"


def compiled_entry(vl_version: str) -> Path | None:
    """The folder of compiled specs for ``vl_version``, or None when the kernel keeps no cache.

    Examples
    --------
    >>> import os
    >>> saved = os.environ.pop(CACHE_ENV, None)
    >>> compiled_entry("6.4") is None
    True
    >>> os.environ[CACHE_ENV] = "/tmp/jm-evidence"
    >>> compiled_entry("6.4").name.startswith(PREFIX), compiled_entry("6.4") == compiled_entry("6.1")
    (True, False)
    >>> _ = os.environ.pop(CACHE_ENV) if saved is None else os.environ.update({CACHE_ENV: saved})
    """
    folder = os.environ.get(CACHE_ENV, "").strip()
    if not folder:
        return None
    import vl_convert

    key = f"layout {LAYOUT} vl-convert {vl_convert.__version__} vega-lite {vl_version}"
    return Path(folder) / (PREFIX + hashlib.sha256(key.encode("utf-8")).hexdigest())


def _path(entry: Path, spec_json: str) -> Path:
    return entry / f"{hashlib.sha256(spec_json.encode('utf-8')).hexdigest()}.json"


def read_compiled(entry: Path, spec_json: str) -> str | None:
    """The compiled spec kept for the Vega-Lite spec ``spec_json``, or None (not kept, or not
    a JSON object: then it is compiled again).

    Examples
    --------
    >>> import tempfile
    >>> entry = Path(tempfile.mkdtemp())
    >>> read_compiled(entry, '{"mark": "bar"}') is None
    True
    >>> keep_compiled(entry, '{"mark": "bar"}', '{"marks": []}')
    >>> read_compiled(entry, '{"mark": "bar"}'), read_compiled(entry, '{"mark": "line"}')
    ('{"marks": []}', None)
    """
    try:
        text = _path(entry, spec_json).read_text(encoding="utf-8")
        return text if isinstance(json.loads(text), dict) else None
    except (OSError, ValueError):
        return None


def keep_compiled(entry: Path, spec_json: str, compiled: str) -> None:
    """Keep ``compiled`` for ``spec_json`` in ``entry`` (atomically; beyond :data:`MAX_SPECS`
    files, the oldest are removed).

    The folder is listed once per process and then counted as this process writes; it is
    listed and pruned again only when that count passes :data:`MAX_SPECS` (a batch's workers
    each count their own writes, so an entry may pass the cap by what the others wrote since,
    until the next prune). A folder that cannot be written keeps nothing and says so once per
    process (:class:`~jmtools.core.cachedir.EvidenceCacheWarning`); the chart is shown all the
    same.

    Examples
    --------
    >>> import tempfile
    >>> entry = Path(tempfile.mkdtemp()) / "vega-x"
    >>> keep_compiled(entry, '{"mark": "bar"}', '{"marks": []}')
    >>> [p.suffix for p in entry.iterdir()], _counted[entry]
    (['.json'], 1)
    """
    path = _path(entry, spec_json)
    tmp = path.with_name(f".{path.stem}.{os.getpid()}.tmp")
    try:
        entry.mkdir(parents=True, exist_ok=True)
        tmp.write_text(compiled, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:   # read-only, full disk, a file in the folder's place
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        _say_unwritable(entry, exc)
        return
    count = _counted.get(entry)
    _counted[entry] = count = (_count(entry) if count is None else count + 1)
    if count > MAX_SPECS:
        _counted[entry] = _prune(entry)


#: Files in each entry as this process last listed them, plus what it wrote since.
_counted: dict[Path, int] = {}
#: Entries this process has said it cannot write to.
_unwritable: set[Path] = set()


def _count(entry: Path) -> int:
    with contextlib.suppress(OSError), os.scandir(entry) as found:
        return sum(1 for e in found if e.name.endswith(".json"))
    return 0


def _prune(entry: Path) -> int:
    """Remove the oldest files beyond :data:`MAX_SPECS`; the number of files left."""
    dated = []
    with contextlib.suppress(OSError), os.scandir(entry) as found:
        for e in found:
            if e.name.endswith(".json"):
                with contextlib.suppress(OSError):      # another worker removed it meanwhile
                    dated.append((e.stat().st_mtime, e.path))
    dated.sort(reverse=True)
    for _, old in dated[MAX_SPECS:]:
        with contextlib.suppress(OSError):
            os.unlink(old)
    return min(len(dated), MAX_SPECS)


def _say_unwritable(entry: Path, exc: OSError) -> None:
    if entry in _unwritable:
        return
    _unwritable.add(entry)
    warnings.warn(f"the cache folder cannot be written ({type(exc).__name__}: {str(exc)[:200]}); "
                  f"the charts of this run are not kept in {entry.parent}", EvidenceCacheWarning,
                  stacklevel=4)
