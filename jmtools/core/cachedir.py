"""Where jmtools keeps what it computes once and reads again: one folder per user.

jmtools' cache folder is ``$JMTOOLS_CACHE_DIR``, else ``$XDG_CACHE_HOME/jmtools``, else
``~/.cache/jmtools`` — never inside a report's output folder. It holds the inlined Vega bundle
(:func:`jmtools.render.offline.javascript_bundle`) and, in ``evidence/``, the prepared evidence
of data folders with the results no persona changes (:mod:`jmtools.pipeline._cache`). The
environment variable ``JMTOOLS_EVIDENCE_CACHE`` names another evidence folder; the report and
batch commands set it for the kernels they start (:func:`evidence_cache_for_kernels`).

This module imports nothing heavy: the command line's parent process uses it.
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from pathlib import Path

__all__ = ["CACHE_ENV", "EVIDENCE_FOLDER", "EvidenceCacheWarning", "cache_home", "evidence_cache_dir",
           "evidence_cache_for_kernels"]


class EvidenceCacheWarning(RuntimeWarning):
    """A cache entry could not be read and was computed again, or could not be written (the
    caches of :mod:`jmtools.pipeline` and the compiled charts of :mod:`jmtools.render`)."""

#: Environment variable naming the evidence cache folder (read by :func:`jmtools.pipeline.run`).
CACHE_ENV = "JMTOOLS_EVIDENCE_CACHE"
#: The evidence cache inside jmtools' cache folder, unless ``JMTOOLS_EVIDENCE_CACHE`` names one.
EVIDENCE_FOLDER = "evidence"


def cache_home() -> Path:
    """``$JMTOOLS_CACHE_DIR``, else ``$XDG_CACHE_HOME/jmtools`` (``~/.cache/jmtools``).

    Examples
    --------
    >>> import os
    >>> os.environ["JMTOOLS_CACHE_DIR"] = "/tmp/jm-cache"
    >>> cache_home().as_posix()
    '/tmp/jm-cache'
    >>> del os.environ["JMTOOLS_CACHE_DIR"]
    """
    base = os.environ.get("JMTOOLS_CACHE_DIR") or os.path.join(
        os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"), "jmtools")
    return Path(base)


def evidence_cache_dir() -> Path:
    """The evidence cache folder: ``$JMTOOLS_EVIDENCE_CACHE`` when set, else ``evidence``
    inside :func:`cache_home`, as an absolute path (kernels run in the notebook's folder).

    Examples
    --------
    >>> import os
    >>> named = os.environ.pop(CACHE_ENV, None)
    >>> evidence_cache_dir() == Path(os.path.abspath(cache_home())) / EVIDENCE_FOLDER
    True
    >>> with evidence_cache_for_kernels() as folder:     # names it for kernels started here
    ...     os.environ[CACHE_ENV] == str(evidence_cache_dir())
    True
    >>> os.environ.update({} if named is None else {CACHE_ENV: named})
    """
    named = os.environ.get(CACHE_ENV, "").strip()
    return Path(os.path.abspath(named or cache_home() / EVIDENCE_FOLDER))


@contextmanager
def evidence_cache_for_kernels(use: bool = True):
    """Within the block, kernels started from this process read and write the evidence cache
    (``use=False``: neither — the variable is removed); the variable is restored afterwards.

    Yields the folder, or None when ``use`` is False.

    Examples
    --------
    >>> import os
    >>> with evidence_cache_for_kernels() as folder:
    ...     os.environ[CACHE_ENV] == str(folder)
    True
    >>> with evidence_cache_for_kernels(False) as folder:
    ...     folder, CACHE_ENV in os.environ
    (None, False)
    """
    saved = os.environ.get(CACHE_ENV)
    folder = evidence_cache_dir() if use else None
    if folder is None:
        os.environ.pop(CACHE_ENV, None)
    else:
        os.environ[CACHE_ENV] = str(folder)
    try:
        yield folder
    finally:
        if saved is None:
            os.environ.pop(CACHE_ENV, None)
        else:
            os.environ[CACHE_ENV] = saved
