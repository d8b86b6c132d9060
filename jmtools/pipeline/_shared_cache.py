"""Prepare once, report many — the persona-independent results too.

Every persona's report of a world starts from the same :class:`~jmtools.pipeline.Prepared`:
the valence evidence (surveys and feedback scored, the sentiment model calibrated on the
ratings), the pain-point signals of every persona, every persona's emotion curve and stage
KPIs beside the total's (each report takes its rows and applies the privacy rule) and the
complaint themes found on everybody's feedback. On a large world these take most of a report's time, and a batch
computed them once per persona. With an evidence cache folder (see
:mod:`jmtools.pipeline._cache`), :func:`cached_shared` keeps them there too, beside the
evidence, so that the batch computes them once and every report reads them.

The key is the content of every table file of the world (not only events and customers),
how each was loaded, the whole journey (after leaving out personas whose rule cannot run),
the segment, the options (``n_themes``, ``seed``), the layout below, the jmtools version and
the content of its source (:func:`jmtools.pipeline._cache.code_digest`).
An entry is Parquet + JSON only (a cache never runs code when read): text columns that hold
lists or mixed values are stored as JSON text per cell. An entry is kept only when reading
it back gives exactly the frames computed (same values, types and ``attrs``); otherwise
nothing is cached and every report computes its own, as without a cache.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pandas as pd

import jmtools
from jmtools.analyses.themes import Themes
from jmtools.pipeline._one_at_a_time import one_at_a_time
from jmtools.pipeline._cache import code_digest, input_digest, read_entry, write_entry

__all__ = ["SHARED_FORMAT", "FRAMES", "shared_key", "cached_shared", "put_frame", "get_frame", "same"]

#: Version of the layout below; part of every key.
SHARED_FORMAT = 4
_PREFIX = "shared-"
_THEME_FRAMES = ("summary", "documents", "counts", "quotes")
#: The frames kept, each a DataFrame or None: the valence evidence, the pain-point signals, and
#: every persona's emotion curve and stage KPIs beside the total's (D82), and the scores of answers
#: that name no step (D132), and in a segment's run the signals of the customers outside it (D217, D228).
FRAMES = ("emotion", "signals", "curve", "kpi_total", "kpi_personas", "kpi_relationship", "outside")


def shared_key(world, journey, segment: str, options: dict) -> str | None:
    """The cache key of ``world``'s persona-independent results; None when a table is not a
    file of the world's folder (then nothing is cached).

    Examples
    --------
    >>> from jmtools.sources import load_world
    >>> w = load_world("sample:ecommerce")
    >>> key = shared_key(w, w.journey, "", {"n_themes": 10, "seed": 0})
    >>> len(key), key == shared_key(w, w.journey, "", {"n_themes": 8, "seed": 0})
    (64, False)
    """
    h = hashlib.sha256()
    h.update(f"jmtools {jmtools.__version__} code {code_digest()} shared {SHARED_FORMAT} segment {segment!r} "
             f"options {json.dumps(options, sort_keys=True, default=str)}".encode("utf-8"))
    if not input_digest(world, sorted(world.tables), h):
        return None
    h.update(json.dumps(journey.model_dump(mode="json"), sort_keys=True, default=str).encode("utf-8"))
    return h.hexdigest()


def cached_shared(cache_dir, world, journey, segment: str, options: dict, compute):
    """``(frames, themes)`` read from ``cache_dir`` when the key matches, else ``compute()`` —
    which returns them and the themes' error — kept there when exact.

    ``frames`` maps each name of :data:`FRAMES` to a DataFrame or None. Returns the frames,
    the themes and the themes' error (None when read from the cache: an entry is only written
    for a run whose themes had no error).
    """
    key = shared_key(world, journey, segment, options) if cache_dir else None
    if key is None:
        return compute()
    entry = Path(cache_dir) / f"{_PREFIX}{key}"
    with one_at_a_time(entry, lambda: read_entry(entry, _read, "cached results", "they are computed again")) as kept:
        if kept is not None:                       # (perhaps written by a process waited for)
            return (*kept, None)
        frames, themes, error = compute()
        if error is None:
            _write(entry, frames, themes)
    return frames, themes, error


# ----------------------------------------------------------------------------- on disk

def put_frame(frame: pd.DataFrame, path: Path) -> dict:
    """Write ``frame`` as Parquet; object columns as one JSON text per cell."""
    texts = [c for c in frame.columns if frame[c].dtype == object]
    out = frame.copy()
    for c in texts:
        out[c] = pd.Series([json.dumps(v) for v in frame[c]], index=frame.index, dtype=object)
    out.to_parquet(path)
    return {"file": path.name, "json": texts}


def get_frame(folder: Path, spec: dict) -> pd.DataFrame:
    """The frame :func:`put_frame` wrote (``spec`` is what it returned) inside ``folder``."""
    frame = pd.read_parquet(folder / spec["file"])
    for c in spec["json"]:
        frame[c] = pd.Series([json.loads(v) for v in frame[c]], index=frame.index, dtype=object)
    return frame


def _save(folder: Path, frames: dict, themes) -> None:
    meta = {"format": SHARED_FORMAT, "frames": {}, "themes": None}
    for name in FRAMES:
        frame = frames[name]
        meta["frames"][name] = None if frame is None else put_frame(frame, folder / f"{name}.parquet")
    if themes is not None:
        accounting, frames = {}, {}
        for k, v in themes.accounting.items():
            if isinstance(v, pd.DataFrame):
                frames[k] = put_frame(v, folder / f"themes.accounting.{len(frames)}.parquet")
            else:
                accounting[k] = v
        meta["themes"] = {"polarity": themes.polarity, "accounting": accounting,
                          "accounting_frames": frames, "order": list(themes.accounting),
                          **{p: put_frame(getattr(themes, p), folder / f"themes.{p}.parquet")
                             for p in _THEME_FRAMES}}
    (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")


def _read(folder: Path):
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    if meta.get("format") != SHARED_FORMAT:
        raise ValueError(f"shared results format {meta.get('format')!r}, expected {SHARED_FORMAT}")
    frames = {n: None if meta["frames"][n] is None else get_frame(folder, meta["frames"][n]) for n in FRAMES}
    themes = None
    if meta["themes"] is not None:
        t = meta["themes"]
        accounting = {**t["accounting"], **{k: get_frame(folder, s) for k, s in t["accounting_frames"].items()}}
        themes = Themes(**{p: get_frame(folder, t[p]) for p in _THEME_FRAMES},
                        accounting={k: accounting[k] for k in t["order"]}, polarity=t["polarity"])
    return frames, themes


def same(a, b) -> bool:
    """Exactly the same results: frames by values, types, index and ``attrs``; others by repr."""
    if isinstance(a, pd.DataFrame) or isinstance(b, pd.DataFrame):
        if not (isinstance(a, pd.DataFrame) and isinstance(b, pd.DataFrame)):
            return False
        try:
            pd.testing.assert_frame_equal(a, b, check_exact=True)
        except AssertionError:
            return False
        return repr(a.attrs) == repr(b.attrs)
    if isinstance(a, Themes):
        return isinstance(b, Themes) and a.polarity == b.polarity and all(
            same(getattr(a, p), getattr(b, p)) for p in _THEME_FRAMES) and \
            list(a.accounting) == list(b.accounting) and all(
            same(a.accounting[k], b.accounting[k]) for k in a.accounting)
    return type(a) is type(b) and repr(a) == repr(b)


def _write(entry: Path, frames: dict, themes) -> None:
    """Write atomically, and only an entry that reads back as exactly what was computed
    (:func:`~jmtools.pipeline._cache.write_entry`)."""
    def exact(folder) -> bool:
        kept, kept_themes = _read(folder)
        return all(same(frames[n], kept[n]) for n in FRAMES) and same(themes, kept_themes)

    write_entry(entry, lambda folder: _save(folder, frames, themes), exact)
