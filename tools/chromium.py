"""Headless Chromium, Debian's, driven by Debian's chromedriver through Selenium.

One setup for everything that opens a browser: the website test (tests/test_site.py), the
JupyterLab test (tests/test_jupyterlab.py), the coursework's feedback page and `make pdf`
(tools/make_pdf.py). No browser is ever downloaded: the paths are the Debian packages'
(``apt-get install chromium chromium-driver``), or ``$CHROMIUM`` and ``$CHROMEDRIVER``.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
CHROMEDRIVER = Path(os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver"))

#: Headless, offline and quiet: no sandbox (containers run it as root), no GPU, no updates,
#: no sync, no first-run pages, and /tmp rather than a small /dev/shm.
FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
)


def missing() -> str | None:
    """Why no browser can be started here, or None when Chromium and chromedriver are there."""
    if CHROMIUM.exists() and CHROMEDRIVER.exists():
        return None
    return f"needs {CHROMIUM} and {CHROMEDRIVER} (Debian: apt-get install chromium chromium-driver)"


@contextlib.contextmanager
def chromium(
    *,
    window: tuple[int, int] | None = None,
    flags: tuple[str, ...] = (),
    console_log: bool = False,
    page_load_timeout: float = 120,
    script_timeout: float = 120,
    command_timeout: float | None = None,
) -> Iterator:
    """A Selenium driver for headless Chromium with a fresh profile, quit and removed on exit.

    ``window`` is (width, height) in CSS pixels; ``console_log`` keeps the page's console for
    ``driver.get_log("browser")``; ``command_timeout`` raises the HTTP timeout to chromedriver
    for commands that take minutes (printing a whole book)."""
    reason = missing()
    if reason:
        raise RuntimeError(reason)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="lstm-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    size = (f"--window-size={window[0]},{window[1]}",) if window else ()
    for flag in (*FLAGS, *size, *flags, f"--user-data-dir={profile}"):
        options.add_argument(flag)
    if console_log:
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    try:
        driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
        try:
            if command_timeout is not None:
                driver.command_executor._client_config.timeout = command_timeout
            driver.set_page_load_timeout(page_load_timeout)
            driver.set_script_timeout(script_timeout)
            yield driver
        finally:
            driver.quit()
    finally:
        shutil.rmtree(profile, ignore_errors=True)


def wait_for_mathjax(limit_ms: int = 20000) -> str:
    """A script for ``execute_async_script``: it answers 'ok' once MathJax has typeset the page,
    'no maths on this page' where the page loads no MathJax, or why it gave up after ``limit_ms``."""
    return """
const done = arguments[arguments.length - 1];
const start = Date.now();
if (!document.querySelector('script[src*="mathjax"]')) { done('no maths on this page'); return; }
(function poll() {
  const mj = window.MathJax;
  if (mj && mj.startup && mj.startup.promise) {
    mj.startup.promise.then(() => done('ok'), (e) => done('error: ' + e));
  } else if (Date.now() - start > LIMIT) {
    done(mj ? 'MathJax never started' : 'no MathJax on the page');
  } else {
    setTimeout(poll, 50);
  }
})();
""".replace("LIMIT", str(int(limit_ms)))


def for_pytest(**options):
    """`chromium(**options)` for a pytest fixture: the test is skipped where no browser is
    installed, and fails instead under CI=true, where one must be."""
    import pytest

    reason = missing()
    if reason:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI=true but the browser is missing: {reason}")
        pytest.skip(reason)
    pytest.importorskip("selenium.webdriver")
    return chromium(**options)
