"""Prepare once, report many: a batch prepares each world's evidence before its reports run.

:func:`prepared_once` wraps a batch: it names an evidence cache folder for every kernel the
batch starts (the environment variable ``JMTOOLS_EVIDENCE_CACHE``; by default ``evidence``
inside jmtools' cache folder — ``$JMTOOLS_CACHE_DIR`` or ``~/.cache/jmtools`` —, or the folder
the variable already names), and prepares each distinct world the jobs report on
(``data_dir``, ``journey_file``, ``segment``) once, in this process: its evidence and the
results no persona changes (valence evidence, signals, every persona's curve and KPIs, themes). Every report then reads them
instead of sorting the events and scoring the feedback again; a second batch on unchanged
data reads them too (see :mod:`jmtools.pipeline._cache` and
:mod:`jmtools.pipeline._shared_cache` for the keys and what invalidates them).
"""

from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path

from jmtools.core.cachedir import EVIDENCE_FOLDER, evidence_cache_dir, evidence_cache_for_kernels
from jmtools.pipeline import prepare_world
from jmtools.report.runner import read_parameters

__all__ = ["CACHE_FOLDER", "default_cache_dir", "prepared_once", "worlds_of"]

#: The evidence cache inside jmtools' cache folder, unless ``JMTOOLS_EVIDENCE_CACHE`` names one.
CACHE_FOLDER = EVIDENCE_FOLDER


def default_cache_dir() -> Path:
    """``$JMTOOLS_EVIDENCE_CACHE``, else ``$JMTOOLS_CACHE_DIR/evidence``, else
    ``$XDG_CACHE_HOME/jmtools/evidence`` (``~/.cache/jmtools/evidence``): never inside a
    report's output folder (:func:`jmtools.core.cachedir.evidence_cache_dir`)."""
    return evidence_cache_dir()


def worlds_of(jobs) -> list[tuple]:
    """The distinct (data folder, journey file or None, segment) the jobs report on.

    Relative paths are resolved like the kernels resolve them: from the notebook's folder.
    Jobs whose notebook has no ``data_dir`` parameter are left out.
    """
    return list(dict.fromkeys(k for k in map(_world_of, jobs) if k is not None))


def _world_of(job) -> tuple | None:
    """The job's (data folder, journey file or None, segment); None without a ``data_dir``."""
    declared = {name: p.default for name, p in read_parameters(job.notebook).items()}
    if "data_dir" not in declared:
        return None
    values = {**declared, **job.parameters}
    base = Path(job.notebook).resolve().parent
    data = str(values["data_dir"])
    data = data if data.startswith("sample:") or Path(data).is_absolute() else str(base / data)
    journey = values.get("journey_file") or None
    journey = str(base / journey) if journey and not Path(journey).is_absolute() else journey
    return (data, journey, str(values.get("segment") or ""))


def _said_for(names: list[str], world: tuple, folder) -> None:
    """Prepare a world, its warnings said again with the reports they concern: a batch printed
    "note: left off the emotion curve …: 25 rows" and "…: 455 rows" with no report named (D247)."""
    import warnings

    data, journey, segment = world
    with warnings.catch_warnings(record=True) as got:
        warnings.simplefilter("always")
        try:
            prepare_world(data, journey=journey, segment=segment, cache_dir=folder)
        except Exception:   # not lost: every report of this world meets the same error and
            pass            # the batch summary shows it with the report's name
    who = ", ".join(names[:3]) + (f" and {len(names) - 3} more" if len(names) > 3 else "")
    for w in {(str(w.message), w.category, w.filename, w.lineno): w for w in got}.values():
        if w.category is UserWarning:
            warnings.warn(f"{'report' if len(names) == 1 else 'reports'} {who}: {w.message}", UserWarning,
                          stacklevel=1)
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


@contextmanager
def prepared_once(jobs, out_dir):
    """Within the block, kernels read one prepared evidence per world from the cache folder.

    Yields the cache folder (None when no job reports on a data folder: then nothing is set).
    The variable ``JMTOOLS_EVIDENCE_CACHE`` is restored afterwards.
    """
    worlds = worlds_of(jobs)
    if not worlds:
        yield None
        return
    keys = [_world_of(job) for job in jobs]
    with evidence_cache_for_kernels() as folder:
        for world in worlds:
            _said_for([job.name for job, key in zip(jobs, keys) if key == world], world, folder)
        yield folder
