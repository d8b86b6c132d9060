"""The papermill engine of the report runner: papermill's own, with fewer intermediate saves.

papermill writes the whole executed notebook to disk before and after every cell, so that a
long run can be watched; with a report's charts in the outputs that is most of the runner's own
CPU time (a deep copy and a JSON dump of the notebook, twice per cell). This engine saves when
the run starts, then at most every :data:`SAVE_EVERY` seconds while cells run, and when the run
ends by an exception (a timeout, a lost kernel) — so the executed notebook on disk is complete
whenever the runner reads it (decision D23). A run that returns, all cells done or stopped at a
failing cell, is written by papermill itself right after the engine returns, so the engine does
not write that same notebook once more.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["ENGINE", "SAVE_EVERY", "engine_name"]

#: The engine's name in papermill's registry.
ENGINE = "jmtools"
#: Seconds between two saves of the executed notebook while cells run.
SAVE_EVERY = 15.0


@lru_cache(maxsize=1)
def engine_name() -> str:
    """Register the engine with papermill (once) and return its name.

    Examples
    --------
    >>> from papermill.engines import papermill_engines
    >>> engine_name(), papermill_engines.get_engine(engine_name()).__name__
    ('jmtools', 'ThrottledSaveEngine')
    """
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

    class ThrottledSaveManager(NotebookExecutionManager):
        """Saves at the start, at most every SAVE_EVERY seconds, and at the end of a run that
        raised (papermill writes the notebook of a run that returned)."""

        _started = _finished = _returned = False

        def save(self, **kwargs):
            if self._finished and self._returned:
                return
            due = (self.now() - self.last_save_time).total_seconds() >= SAVE_EVERY
            if not self._started or self._finished or due:
                self._started = True
                super().save(**kwargs)

        def notebook_complete(self, **kwargs):
            self._finished = True
            return super().notebook_complete(**kwargs)

    class ThrottledSaveEngine(NBClientEngine):
        """papermill's nbclient engine with :class:`ThrottledSaveManager`."""

        @classmethod
        def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True,
                             log_output=False, autosave_cell_every=30, **kwargs):
            nb_man = ThrottledSaveManager(nb, output_path=output_path, progress_bar=progress_bar,
                                          log_output=log_output, autosave_cell_every=autosave_cell_every)
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
                nb_man._returned = True  # papermill.execute_notebook writes it next
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            return nb_man.nb

    papermill_engines.register(ENGINE, ThrottledSaveEngine)
    return ENGINE
