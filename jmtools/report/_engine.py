"""The papermill engine of the report runner: papermill's own, with fewer intermediate saves.

papermill writes the whole executed notebook to disk before and after every cell, so that a
long run can be watched; with a report's charts in the outputs that is most of the runner's own
CPU time (a deep copy and a JSON dump of the notebook, twice per cell). This engine saves when
the run starts, then at most every :data:`SAVE_EVERY` seconds while cells run, and when the run
ends by an exception (a timeout, a lost kernel) — so the executed notebook on disk is complete
whenever the runner reads it (decision D23). A run that returns, all cells done or stopped at a
failing cell, is written by papermill itself right after the engine returns, so the engine does
not write that same notebook once more; the runner's own metadata goes in before that write
(:data:`FINISH`), so the runner does not write it again either.

The runner's kernels are one-shot processes that import heavy packages (pandas, scikit-learn,
SciPy, Ibis) and exit after the run: :func:`kernel_manager_class` starts an IPython kernel with
Python's full garbage collection run ten times less often (:data:`KERNEL_GC_GEN2`; decision
D241). Each full collection walks every object the imports made; a first report ran six to eight of
them, about 0.4 CPU-s, for no memory back.

The engine also decides how a run's kernel stops (decision D38; its terminal output: D74).
jupyter_client interrupts a kernel (SIGINT) before asking it to shut down; a kernel still
finishing its last reply when the signal lands logs "KeyboardInterrupt caught in kernel" on the terminal it shares with the
command line — after about one failed report in four. The runner's kernels are idle when a run
ends (a failed cell has replied), so :func:`kernel_manager_class` shuts them down without the
signal; a cell that runs out of time leaves its kernel busy, so that kernel is killed at once,
before it can write to the terminal.
"""

from __future__ import annotations

from functools import lru_cache

__all__ = ["ENGINE", "FINISH", "KERNEL_GC_GEN2", "SAVE_EVERY", "engine_name", "failed", "kernel_manager_class"]

#: The engine's name in papermill's registry.
ENGINE = "jmtools"
#: Seconds between two saves of the executed notebook while cells run.
SAVE_EVERY = 15.0
#: Keyword of ``papermill.execute_notebook`` (passed on to the engine) naming a function that
#: completes a notebook whose cells all ran, in place, before papermill writes it.
FINISH = "jmtools_finish"
#: A runner's IPython kernel runs a full garbage collection after this many collections of the
#: middle generation (Python's default: 10). The youngest two generations keep their thresholds.
KERNEL_GC_GEN2 = 100
#: What an IPython kernel of the runner runs before any cell: it leaves no name behind and no
#: history, output or execution count.
_KERNEL_GC = ("--IPKernelApp.exec_lines=__import__('gc').set_threshold("
              f"*__import__('gc').get_threshold()[:2], {KERNEL_GC_GEN2})")


def failed(nb) -> bool:
    """True when papermill will report the run as failed (its ``raise_for_execution_errors``):
    an error output other than ``SystemExit`` with status 0, or a cell marked as raising.

    Examples
    --------
    >>> import nbformat
    >>> nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("1 / 0")])
    >>> failed(nb)
    False
    >>> nb.cells[0].outputs.append(nbformat.v4.new_output("error", ename="ZeroDivisionError", evalue="", traceback=[]))
    >>> failed(nb)
    True
    """
    for cell in nb.cells:
        errors = [o for o in cell.get("outputs", []) if o.get("output_type") == "error"]
        if any(not (o.get("ename") == "SystemExit" and o.get("evalue") in ("", "0")) for o in errors):
            return True
        if not errors and cell.get("metadata", {}).get("papermill", {}).get("exception") is True:
            return True
    return False


@lru_cache(maxsize=1)
def engine_name() -> str:
    """Register the engine with papermill (once) and return its name.

    Examples
    --------
    >>> from papermill.engines import papermill_engines
    >>> engine_name(), papermill_engines.get_engine(engine_name()).__name__
    ('jmtools', 'ThrottledSaveEngine')
    """
    from nbclient.exceptions import CellTimeoutError
    from papermill.clientwrap import PapermillNotebookClient
    from papermill.engines import NBClientEngine, NotebookExecutionManager, logger, papermill_engines

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

    class KillOnTimeoutClient(PapermillNotebookClient):
        """papermill's client, which kills the kernel of a cell that ran out of time (its
        cleanup reads ``shutdown_kernel``), without logging: the runner's error says it."""

        async def _async_handle_timeout(self, timeout, cell=None):
            self.shutdown_kernel = "immediate"
            raise CellTimeoutError.error_from_timeout_and_cell("Cell execution timed out",
                                                               timeout, cell)

    class ThrottledSaveEngine(NBClientEngine):
        """papermill's nbclient engine with :class:`ThrottledSaveManager` and
        :class:`KillOnTimeoutClient`."""

        @classmethod
        def execute_managed_notebook(cls, nb_man, kernel_name, log_output=False, stdout_file=None,
                                     stderr_file=None, start_timeout=60, execution_timeout=None,
                                     kernel_stderr=None, **kwargs):
            """papermill's, with :class:`KillOnTimeoutClient` as the client; the kernel process
            writes its own terminal output to the file ``kernel_stderr`` when given."""
            timeout = execution_timeout or kwargs.get("timeout")
            kwargs = {k: v for k, v in kwargs.items()
                      if k not in ("input_path", "timeout", "startup_timeout")}
            return KillOnTimeoutClient(
                nb_man, timeout=timeout, startup_timeout=start_timeout,
                kernel_name=kernel_name, log=logger, log_output=log_output,
                stdout_file=stdout_file, stderr_file=stderr_file, **kwargs).execute(
                **({"stderr": kernel_stderr} if kernel_stderr is not None else {}))

        @classmethod
        def execute_notebook(cls, nb, kernel_name, output_path=None, progress_bar=True,
                             log_output=False, autosave_cell_every=30, **kwargs):
            finish = kwargs.pop(FINISH, None)
            nb_man = ThrottledSaveManager(nb, output_path=output_path, progress_bar=progress_bar,
                                          log_output=log_output, autosave_cell_every=autosave_cell_every)
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
                nb_man._returned = True  # papermill.execute_notebook writes it next
            finally:
                nb_man.cleanup_pbar()
                nb_man.notebook_complete()
            if finish is not None and not failed(nb_man.nb):
                finish(nb_man.nb)        # before papermill's one write of the finished notebook
            return nb_man.nb

    papermill_engines.register(ENGINE, ThrottledSaveEngine)
    return ENGINE


@lru_cache(maxsize=1)
def kernel_manager_class():
    """The runner's kernel manager: shuts kernels down without interrupting them, and starts an
    IPython kernel with fewer full garbage collections (:data:`KERNEL_GC_GEN2`).

    It also encrypts the kernel's traffic with CurveZMQ when available: kernels talk to the
    runner over local TCP; with ``transport_encryption="auto"`` the manager provisions keys for
    kernels that declare support (ipykernel does), so the kernel does not warn about
    plain-text TCP.

    Examples
    --------
    >>> kernel_manager_class().__name__
    'RunnerKernelManager'
    """
    import zmq
    from jupyter_client.manager import AsyncKernelManager

    encrypt = zmq.has("curve") and "transport_encryption" in AsyncKernelManager.class_traits()

    class RunnerKernelManager(AsyncKernelManager):
        """No SIGINT on shutdown: the kernel is idle, or it is killed (see the module notes)."""

        def __init__(self, **kw):
            super().__init__(**kw)
            if encrypt:
                self.transport_encryption = "auto"

        def format_kernel_cmd(self, extra_arguments=None):
            cmd = super().format_kernel_cmd(extra_arguments)
            return cmd + [_KERNEL_GC] if _is_ipykernel(cmd) else cmd

        async def _async_interrupt_kernel(self) -> None:
            if not self.shutting_down:
                await super()._async_interrupt_kernel()

    return RunnerKernelManager


def _is_ipykernel(cmd) -> bool:
    """True for the command of an IPython kernel (``python -m ipykernel_launcher …``), which
    takes :data:`_KERNEL_GC`; another kernel's command is left as its kernel spec has it.

    Examples
    --------
    >>> _is_ipykernel(["/usr/bin/python3", "-m", "ipykernel_launcher", "-f", "k.json"])
    True
    >>> _is_ipykernel(["R", "--slave", "-e", "IRkernel::main()", "--args", "k.json"])
    False
    """
    return any(a == "-m" and b in ("ipykernel", "ipykernel_launcher") for a, b in zip(cmd, cmd[1:]))
