"""The runner's papermill engine: fewer intermediate saves, a complete notebook at the end."""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest

from jmtools.core.errors import ReportError
from jmtools.report import _engine
from jmtools.report.runner import run_notebook

pytestmark = pytest.mark.slow
FIXTURES = Path(__file__).resolve().parent / "notebooks"


@pytest.fixture
def saves(monkeypatch):
    """Every write of the executed notebook, by the engine's manager or by papermill after the
    engine returned, as the cells' statuses."""
    import papermill.engines
    import papermill.execute

    written = []
    real = papermill.engines.write_ipynb

    def counting(nb, path):
        written.append([c.metadata.get("papermill", {}).get("status") for c in nb.cells])
        return real(nb, path)

    monkeypatch.setattr(papermill.engines, "write_ipynb", counting)
    monkeypatch.setattr(papermill.execute, "write_ipynb", counting)
    return written


def test_a_run_saves_at_its_start_and_end_not_around_every_cell(tmp_path, saves):
    out = tmp_path / "ok.ipynb"
    run_notebook(FIXTURES / "fails_when_divisor_zero.ipynb", out, parameters={"divisor": 2})
    # papermill alone would write 2 + 2 per cell (5 cells here) and once more when the engine
    # returns; these cells take < SAVE_EVERY s, and the end is written once, not twice
    assert len(saves) == 2, saves
    assert set(saves[-1]) == {"completed"}
    nb = nbformat.read(out, as_version=4)
    assert [o.get("text") for o in nb.cells[2].outputs] == ["before the failure\n"]
    assert "never reached" in nb.cells[-1].outputs[0]["text"]


def test_a_failing_cell_still_leaves_the_whole_partial_notebook(tmp_path, saves):
    out = tmp_path / "failed.ipynb"
    with pytest.raises(ReportError):
        run_notebook(FIXTURES / "fails_when_divisor_zero.ipynb", out, parameters={"divisor": 0})
    assert "failed" in saves[-1] and "running" not in saves[-1]
    nb = nbformat.read(out, as_version=4)
    assert any(o.get("ename") == "ZeroDivisionError" for c in nb.cells for o in c.get("outputs", []))


def test_a_cell_that_times_out_still_leaves_the_whole_partial_notebook(tmp_path, saves):
    """A timeout ends the run by an exception, after which papermill writes nothing: the
    engine's own last save is what the runner finds."""
    params = nbformat.v4.new_code_cell("pause_s: int = 60  # how long the second cell sleeps")
    params.metadata["tags"] = ["parameters"]
    nb = nbformat.v4.new_notebook(cells=[params, nbformat.v4.new_code_cell("print('before the pause')"),
                                         nbformat.v4.new_code_cell("import time\ntime.sleep(pause_s)")])
    nbformat.write(nb, tmp_path / "pause.ipynb")
    out = tmp_path / "paused.ipynb"
    with pytest.raises(ReportError) as caught:
        run_notebook(tmp_path / "pause.ipynb", out, timeout=3, retries=0)
    assert len(saves) == 2 and saves[-1][:2] == ["completed", "completed"], saves
    run = nbformat.read(out, as_version=4)
    assert [o.get("text") for o in run.cells[1].outputs] == ["before the pause\n"]
    # the error names the cell and the limit; the partial output marks that cell
    err = caught.value
    assert (err.ename, err.cell, err.execution_count, err.output_path) == (
        "CellTimeoutError", 2, 3, str(out))
    assert "stopped at In [3], `import time`: the cell ran longer than the time limit of 3 s" \
        in str(err) and "--timeout SECONDS" in str(err) and "kernelspec" not in str(err)
    assert [(o.output_type, o.ename) for o in run.cells[2].outputs] == [("error", "CellTimeoutError")]


def test_the_kernel_is_not_interrupted_when_a_run_ends(tmp_path, monkeypatch):
    """jupyter_client sends SIGINT before shutting a kernel down; a kernel still finishing its
    last reply printed "KeyboardInterrupt caught in kernel" on the user's terminal after about
    one failed report in four. The runner's kernels stop without the signal."""
    import signal

    from jupyter_client.manager import KernelManager

    sent = []
    real = KernelManager._async_signal_kernel

    async def recording(self, signum):
        sent.append(signum)
        return await real(self, signum)

    monkeypatch.setattr(KernelManager, "_async_signal_kernel", recording)
    with pytest.raises(ReportError, match=r"In \[3\]"):
        run_notebook(FIXTURES / "fails_when_divisor_zero.ipynb", tmp_path / "failed.ipynb")
    run_notebook(FIXTURES / "fails_when_divisor_zero.ipynb", tmp_path / "ok.ipynb",
                 parameters={"divisor": 2})
    assert signal.SIGINT not in sent, sent


def test_the_engine_registers_once():
    from papermill.engines import papermill_engines

    assert _engine.engine_name() == _engine.engine_name() == "jmtools"
    assert papermill_engines.get_engine("jmtools").__name__ == "ThrottledSaveEngine"


def test_the_finished_notebook_is_written_once_with_the_runners_metadata(tmp_path, saves, monkeypatch):
    """papermill's write at the end carries the runner's metadata: the runner does not write
    the notebook again, and the file ends as nbformat.write ends it."""
    writes = []
    real = nbformat.write
    monkeypatch.setattr(nbformat, "write", lambda nb, fp, **kw: writes.append(fp) or real(nb, fp, **kw))
    out = tmp_path / "ok.ipynb"
    result = run_notebook(FIXTURES / "fails_when_divisor_zero.ipynb", out, parameters={"divisor": 2})
    assert writes == [] and len(saves) == 2
    nb = nbformat.read(out, as_version=4)
    meta = nb.metadata["jmtools"]
    assert meta["injected"] == ["divisor"] and meta["duration_s"] == result.duration_s
    assert ["divisor", 2] in meta["parameters"]
    text = out.read_text(encoding="utf-8")
    assert text == nbformat.writes(nb) + "\n"


def test_failed_follows_papermills_reading_of_a_run():
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("raise SystemExit")])
    nb.cells[0].outputs.append(nbformat.v4.new_output("error", ename="SystemExit", evalue="0", traceback=[]))
    assert not _engine.failed(nb)
    nb.cells[0].outputs[0]["evalue"] = "2"
    assert _engine.failed(nb)
    marked = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("x")])
    marked.cells[0].metadata["papermill"] = {"exception": True}
    assert _engine.failed(marked)


def _notebook(tmp_path, code: str) -> Path:
    cells = [nbformat.v4.new_code_cell("x: int = 1  # unused", metadata={"tags": ["parameters"]}),
             nbformat.v4.new_code_cell(code)]
    path = tmp_path / "probe.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells, metadata={"kernelspec": {
        "name": "python3", "display_name": "Python 3", "language": "python"}}), path)
    return path


def test_the_kernel_runs_fewer_full_garbage_collections_and_nothing_else_shows(tmp_path):
    """D241: a report's kernel is a one-shot process; its full collections walked every object
    the imports made. The setting leaves no name, history or execution count behind."""
    import gc

    code = ("import gc\nprint(gc.get_threshold(), sorted(k for k in dir() if not k.startswith('_')),"
            " len(In), get_ipython().execution_count)")
    out = tmp_path / "probe.out.ipynb"
    run_notebook(_notebook(tmp_path, code), out)
    cell = nbformat.read(out, as_version=4).cells[-1]
    young = gc.get_threshold()[:2]   # this process's first two thresholds: Python's defaults
    assert cell.outputs[0]["text"] == (f"({young[0]}, {young[1]}, {_engine.KERNEL_GC_GEN2}) "
                                       "['In', 'Out', 'exit', 'gc', 'get_ipython', 'open', 'quit', 'x'] 3 3\n")
    assert cell.execution_count == 2


def test_only_an_ipython_kernel_command_gets_the_setting():
    manager = _engine.kernel_manager_class()

    class Spec:
        argv = ["R", "--slave", "-e", "IRkernel::main()", "--args", "{connection_file}"]
        resource_dir = ""

    km = manager(kernel_name="python3")
    assert km.format_kernel_cmd()[-1] == _engine._KERNEL_GC
    km._kernel_spec = Spec()
    assert _engine._KERNEL_GC not in km.format_kernel_cmd()
