"""A real JupyterLab in tests: a server on a free loopback port, driven by headless Chromium.

Used by ``tests/test_lab_*.py``. Every request that does not go to the loopback server is
aborted and recorded; console errors and page errors are recorded too. Debian's chromium is
used (``/usr/bin/chromium``); no browser is ever downloaded.
"""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--no-first-run", "--disable-sync", "--disable-quic"]
#: What counts as a drawn chart: a Vega view inside an output of JupyterLab's Vega renderer.
VEGA_VIEW = ".jp-RenderedVegaCommon5 .vega-embed svg, .jp-RenderedVegaCommon5 .vega-embed canvas"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Lab:
    """A running JupyterLab (or Notebook 7) server: its root folder, URL and token."""

    root: Path
    url: str
    token: str
    process: subprocess.Popen
    log: Path
    app: str = "jupyterlab"

    def notebook_url(self, path: str) -> str:
        if self.app == "notebook":
            return f"{self.url}/notebooks/{path}?token={self.token}"
        return f"{self.url}/lab/tree/{path}?reset&token={self.token}"

    def api(self, path: str, method: str = "GET", body: dict | None = None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(f"{self.url}{path}", data=data, method=method,
                                     headers={"Authorization": f"token {self.token}",
                                              "Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read() or b"null")


@contextlib.contextmanager
def lab_server(root: Path, *, timeout: float = 120, app: str = "jupyterlab"):
    """Start ``jupyter lab`` (or ``app="notebook"``: Jupyter Notebook 7) on a free loopback port
    serving ``root``; stop it afterwards."""
    port, token = free_port(), secrets.token_hex(16)
    log = root.parent / f"lab-{port}.log"
    env = dict(os.environ, JUPYTER_PLATFORM_DIRS="1", PYTHONHASHSEED="0")
    repo = str(Path(__file__).resolve().parents[1])
    env["PYTHONPATH"] = os.pathsep.join([repo, *[p for p in env.get("PYTHONPATH", "").split(os.pathsep) if p]])
    cmd = [sys.executable, "-m", app, "--no-browser", "--ip=127.0.0.1", f"--port={port}",
           f"--ServerApp.root_dir={root}", f"--IdentityProvider.token={token}",
           "--ServerApp.open_browser=False"]
    if app == "jupyterlab":
        cmd += ["--LabApp.news_url=", "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
                "--LabApp.extension_manager=readonly"]
    if hasattr(os, "geteuid") and os.geteuid() == 0:
        cmd.append("--allow-root")
    with open(log, "wb") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env, cwd=root)
    lab = Lab(root=root, url=f"http://127.0.0.1:{port}", token=token, process=proc, log=log, app=app)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                lab.api("/api/status")
                break
            except OSError:
                if proc.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"JupyterLab did not start:\n{log.read_text()[-3000:]}")
                time.sleep(0.5)
        yield lab
    finally:
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()


@dataclass
class Watch:
    """What a page did that it should not: requests leaving loopback, errors."""

    outside: list[str] = field(default_factory=list)
    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)


def new_page(browser, lab: Lab, *, width: int = 1400, height: int = 1000):
    """A page in a fresh context whose every non-loopback request is aborted and recorded."""
    context = browser.new_context(viewport={"width": width, "height": height})
    watch = Watch()

    def guard(route):
        url = route.request.url
        if url.startswith(lab.url + "/") or url.startswith(("data:", "blob:")):
            route.continue_()
        else:
            watch.outside.append(url)
            route.abort()

    context.route("**/*", guard)
    page = context.new_page()
    page.on("pageerror", lambda exc: watch.page_errors.append(str(exc)))
    page.on("console", lambda msg: msg.type == "error" and watch.console_errors.append(msg.text))
    return context, page, watch


def open_notebook(page, lab: Lab, path: str, *, timeout: float = 120_000):
    """Open ``path`` (relative to the server root) in a reset workspace; wait until its kernel
    is connected to the page and idle."""
    page.goto(lab.notebook_url(path), timeout=timeout)
    page.wait_for_selector(".jp-Notebook .jp-Cell", timeout=timeout)
    deadline = time.monotonic() + timeout / 1000
    while time.monotonic() < deadline:
        sessions = [s for s in lab.api("/api/sessions") if s["path"].endswith(path)]
        if sessions and sessions[0]["kernel"]["connections"] >= 1 \
                and sessions[0]["kernel"]["execution_state"] == "idle":
            break
        page.wait_for_timeout(500)  # not time.sleep: the request guard runs only while Playwright waits
    else:
        raise TimeoutError(f"the kernel of {path} did not connect within {timeout / 1000:.0f} s")
    page.wait_for_timeout(500)


def run_all(page, *, timeout: float = 600_000):
    """Run every cell through the Run menu and wait until every code cell has run.

    A cell that raises stops Lab's Run All: the cells after it stay unnumbered and nothing is
    queued. That is an error of the run, raised here with the error's text (D260: it used to
    wait the whole ``timeout`` and fail as a bare timeout)."""
    page.locator(".jp-Notebook").first.click()
    page.locator(".lm-MenuBar-itemLabel", has_text="Run").first.click()
    page.locator(".lm-Menu-itemLabel", has_text="Run All Cells").first.click()
    state = page.wait_for_function(
        """() => {
            const prompts = [...document.querySelectorAll('.jp-CodeCell .jp-InputPrompt')].map(p => p.textContent);
            const ran = prompts.filter(t => /\\[\\d+\\]/.test(t)).length;
            if (prompts.length === 0) return false;
            if (ran === prompts.length) return 'done';
            const stopped = ran > 0 && !prompts.some(t => t.includes('*'))
                && document.querySelector('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]');
            return stopped ? 'stopped' : false;
        }""", timeout=timeout, polling=1000).json_value()
    page.wait_for_timeout(1000)  # let the last outputs render
    if state == "stopped":
        shown = page.locator('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')
        raise RuntimeError("Run All stopped at a cell that raised:\n" + shown.last.inner_text()[-1500:])
