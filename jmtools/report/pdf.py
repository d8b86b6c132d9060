"""PDF export of a report: the interactive HTML printed by a real browser engine.

Chromium (Debian's ``/usr/bin/chromium``, driven by Playwright) opens the report from
``file:``, waits until every chart is drawn, and prints it with the report's own print
stylesheet (A4, page numbers, no heading left at the bottom of a page, the journey map on a
landscape page of its own). Every request outside the file — any ``http:``, ``https:`` or
other scheme that is not loopback — is aborted: the PDF is made offline, like the report.
No browser is ever downloaded; without Chromium or Playwright a
:class:`~jmtools.core.errors.MissingDependencyError` says what to install.
"""

from __future__ import annotations

import asyncio
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from urllib.parse import urlparse

from jmtools.core.browser import OFFLINE_ARGS
from jmtools.core.errors import MissingDependencyError, ReportError

__all__ = ["CHROMIUM", "CHROMIUM_ARGS", "export_pdf", "local_only"]

#: The browser that prints; Playwright's own downloads are never used.
CHROMIUM = os.environ.get("JMTOOLS_CHROMIUM", "/usr/bin/chromium")

#: Flags that keep a headless Chromium quiet and offline (:data:`jmtools.core.browser.OFFLINE_ARGS`).
CHROMIUM_ARGS = OFFLINE_ARGS

#: Width the report is laid out and its charts drawn at before printing: what A4 portrait
#: holds between its margins (210 − 2 × 12 mm at 96 dpi), so a chart prints at its own size
#: (at the page's full width, 794 px, charts were scaled to 0.94: 11 px text at 7.7 pt).
_PRINT_WIDTH = 703


def local_only(url: str) -> bool:
    """True for the requests a report may make while printing: its own file, data and loopback.

    Examples
    --------
    >>> [local_only(u) for u in ("file:///r.html", "data:image/png;base64,AA",
    ...                          "http://127.0.0.1:8000/x", "https://cdn.example.com/vega.js")]
    [True, True, True, False]
    """
    parsed = urlparse(url)
    if parsed.scheme in ("file", "data", "about", "blob"):
        return True
    return parsed.scheme in ("http", "https", "ws") and parsed.hostname in ("127.0.0.1", "localhost", "::1")


def _playwright():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        raise MissingDependencyError("playwright", "print reports to PDF", extra="pdf") from None
    if not os.path.exists(CHROMIUM):
        raise MissingDependencyError(          # a system program: pip cannot install it (D247)
            "chromium", f"print reports to PDF (looked for {CHROMIUM})",
            fix="install Chromium with your system's package manager (`apt-get install chromium`), or "
                "set JMTOOLS_CHROMIUM to a Chromium you have; the HTML report is written without it")
    return sync_playwright


def export_pdf(html_path: str | os.PathLike, pdf_path: str | os.PathLike | None = None, *,
               timeout_s: float = 60) -> Path:
    """Print a report (``.html``) to PDF with headless Chromium; return the PDF's path.

    Parameters
    ----------
    html_path : path-like
        An exported report (interactive or static variant).
    pdf_path : path-like, optional
        Default: the HTML's path with ``.pdf``.
    timeout_s : float, default 60
        Seconds to wait for the charts to be drawn.

    Returns
    -------
    pathlib.Path

    Raises
    ------
    MissingDependencyError
        No Playwright or no Chromium.
    ReportError
        A chart could not be drawn, or the page tried to reach the network.
    """
    html_path = Path(html_path).resolve()
    pdf_path = Path(pdf_path) if pdf_path is not None else html_path.with_suffix(".pdf")
    sync_playwright = _playwright()
    try:
        asyncio.get_running_loop()
    except RuntimeError:  # no event loop here: print in this thread
        pdf, failed, blocked = _print(sync_playwright, html_path, timeout_s)
    else:  # a running loop (Jupyter, another Playwright): Playwright's sync API needs a thread of its own
        with ThreadPoolExecutor(max_workers=1) as pool:
            pdf, failed, blocked = pool.submit(_print, sync_playwright, html_path, timeout_s).result()
    if failed or blocked:
        why = (f"{failed} chart(s) could not be drawn" if failed else
               f"the page tried to reach {blocked[0]}")
        raise ReportError(f"cannot print {html_path.name} to PDF: {why}", output_path=str(html_path))
    tmp = pdf_path.with_name(pdf_path.name + ".tmp")
    tmp.write_bytes(pdf)
    os.replace(tmp, pdf_path)
    return pdf_path


def _print(sync_playwright, html_path: Path, timeout_s: float) -> tuple[bytes, int, list]:
    """Open the report in Chromium with the network cut off and print it: (pdf, failed charts, blocked)."""
    blocked: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": _PRINT_WIDTH, "height": 1123})

            def guard(route):
                if local_only(route.request.url):
                    route.continue_()
                else:
                    blocked.append(route.request.url)
                    route.abort()

            context.route("**/*", guard)
            page = context.new_page()
            page.emulate_media(media="print")       # laid out and drawn as it will print
            page.goto(html_path.as_uri())
            if page.evaluate("document.body.dataset.chartsTotal !== undefined"):
                page.wait_for_selector("body[data-charts-done='true']", timeout=timeout_s * 1000)
            failed = page.locator(".jm-chart-error").count()
            pdf = page.pdf(prefer_css_page_size=True, print_background=True, outline=True,
                           tagged=True)
        finally:
            browser.close()
    return pdf, failed, blocked
