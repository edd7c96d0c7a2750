"""The built website, opened page by page in headless Chromium.

The site is built once per test session (``jupyter-book build . -W --keep-going``), served on
127.0.0.1 and opened in Debian's Chromium through Selenium and Debian's chromedriver (no browser
is downloaded). Each page is checked as a reader would see it: no JavaScript errors, maths
rendered by the local MathJax, every image loaded; a solution opens on click, search finds a
term, the notebook pages offer their ``.ipynb``, and nothing is fetched from another host.
A screenshot of every page, in light and dark mode, is saved under ``_build/screenshots/``.

With ``LSTMLAB_SITE_BUILT=1`` (``make test`` sets it) an existing build is reused when its stamp,
``_build/site.stamp``, is newer than every source of the site; otherwise the fixture builds it.
Without ``/usr/bin/chromium`` the tests skip, except when ``CI=true``, where a missing browser is
a failure.
"""

from __future__ import annotations

import functools
import http.server
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SITE = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
# Written after each successful build (by make book and by the fixture below).
STAMP = ROOT / "_build" / "site.stamp"
CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
IN_CI = os.environ.get("CI", "").lower() == "true"

# A term that the notation page defines, so search has something to find before any chapter exists.
SEARCH_TERM = "peephole"
SEARCH_PAGE = "book/notation.html"
# The page that carries a sphinx-exercise exercise with its solution in a dropdown.
EXERCISE_PAGE = "book/notation.html"


# --------------------------------------------------------------------------------------------
# What the site should contain, read from the sources (so a page that failed to build is missed).
# --------------------------------------------------------------------------------------------


def _toc_files() -> list[str]:
    """Every file listed in _toc.yml, as written there (no suffix), the root first."""
    import yaml

    toc = yaml.safe_load((ROOT / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]]

    def walk(entries):
        for entry in entries or []:
            if "file" in entry:
                files.append(entry["file"])
            walk(entry.get("sections"))

    for part in toc.get("parts", []):
        walk(part.get("chapters"))
    walk(toc.get("chapters"))
    return files


def _source_of(docname: str) -> Path:
    for suffix in (".ipynb", ".md"):
        path = ROOT / (docname + suffix)
        if path.exists():
            return path
    raise FileNotFoundError(f"_toc.yml lists {docname}, which has no .ipynb or .md file")


TOC_FILES = _toc_files()
PAGES = [name + ".html" for name in TOC_FILES] + ["search.html", "genindex.html"]
NOTEBOOK_PAGES = [name + ".html" for name in TOC_FILES if _source_of(name).suffix == ".ipynb"]


def _site_sources() -> list[Path]:
    sources = [ROOT / "_config.yml", ROOT / "_toc.yml"]
    sources += [p for p in (ROOT / "book").rglob("*") if p.is_file()]
    sources += list((ROOT / "notebooks").glob("*.ipynb"))
    return sources


def _build_is_fresh() -> bool:
    if not (STAMP.exists() and (SITE / "index.html").exists()):
        return False
    built = STAMP.stat().st_mtime
    return all(p.stat().st_mtime <= built for p in _site_sources())


# --------------------------------------------------------------------------------------------
# Fixtures: the build, a local server, the browser.
# --------------------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def site() -> Path:
    """The built site, building it unless make test has just done so."""
    if os.environ.get("LSTMLAB_SITE_BUILT") == "1" and _build_is_fresh():
        return SITE
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book) if jupyter_book.exists() else "jupyter-book", "build", ".", "-W", "--keep-going"]
    env = dict(os.environ, LSTMLAB_PROGRESS="0")
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        pytest.fail(f"the site build failed ({' '.join(command)}):\n{result.stdout[-6000:]}\n{result.stderr[-3000:]}")
    STAMP.touch()
    return SITE


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format, *args):  # noqa: A002 - the signature of the base class
        pass


@pytest.fixture(scope="session")
def server(site: Path):
    """Serve the built site on 127.0.0.1 (a free port) for the session; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(site))
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/"
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture(scope="session")
def browser():
    """Headless Chromium (Debian's), driven by Debian's chromedriver through Selenium."""
    if not (CHROMIUM.exists() and CHROMEDRIVER.exists()):
        reason = f"needs {CHROMIUM} and {CHROMEDRIVER} (Debian packages chromium and chromium-driver)"
        if IN_CI:
            pytest.fail(f"CI=true but the browser is missing: {reason}")
        pytest.skip(reason)
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    profile = tempfile.mkdtemp(prefix="lstm-site-chromium-")
    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)
    for flag in (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--disable-dev-shm-usage",
        "--window-size=1280,900",
        f"--user-data-dir={profile}",
    ):
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=options, service=Service(executable_path=str(CHROMEDRIVER)))
    driver.set_page_load_timeout(60)
    driver.set_script_timeout(60)
    yield driver
    driver.quit()
    shutil.rmtree(profile, ignore_errors=True)


# --------------------------------------------------------------------------------------------
# Helpers that run in the page.
# --------------------------------------------------------------------------------------------

WAIT_FOR_MATHJAX = """
const done = arguments[arguments.length - 1];
const start = Date.now();
if (!document.querySelector('script[src*="mathjax"]')) { done('no maths on this page'); return; }
(function poll() {
  const mj = window.MathJax;
  if (mj && mj.startup && mj.startup.promise) {
    mj.startup.promise.then(() => done('ok'), (e) => done('error: ' + e));
  } else if (Date.now() - start > 20000) {
    done(mj ? 'MathJax never started' : 'no MathJax on the page');
  } else {
    setTimeout(poll, 50);
  }
})();
"""

# The visible text outside code, with the rendered maths taken out: raw TeX left here was not typeset.
PROSE_TEXT = """
const main = document.querySelector('main') || document.body;
const copy = main.cloneNode(true);
copy.querySelectorAll('pre, code, script, style, mjx-container, .highlight').forEach(e => e.remove());
return copy.textContent;
"""

WAIT_FOR_IMAGES = """
const done = arguments[arguments.length - 1];
const imgs = Array.from(document.images);
imgs.forEach(img => { img.loading = 'eager'; });
Promise.all(imgs.map(img => img.complete ? null : new Promise(r => {
  img.addEventListener('load', r); img.addEventListener('error', r);
}))).then(() => done(imgs.map(img => [img.currentSrc || img.src, img.naturalWidth])));
"""


def _open(browser, url: str, theme: str = "light") -> None:
    """Load a page with the theme chosen the way a reader's choice is stored (localStorage)."""
    browser.get(url)
    browser.execute_script(
        "localStorage.setItem('mode', arguments[0]); localStorage.setItem('theme', arguments[0]);", theme
    )
    browser.get(url)
    browser.execute_async_script(WAIT_FOR_MATHJAX)


def _errors_in_console(browser) -> list[str]:
    return [entry["message"] for entry in browser.get_log("browser") if entry["level"] == "SEVERE"]


def _screenshot(browser, page: str, theme: str) -> Path:
    """A full-page PNG (at most 6000 px tall) under _build/screenshots/.

    The viewport is made as tall as the page for the capture, from the top: capturing beyond a
    small viewport with a clip lets the page scroll sideways and cuts off its left edge.
    """
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.execute_script("window.scrollTo(0, 0)")
    height = browser.execute_script("return Math.min(document.documentElement.scrollHeight, 6000)")
    metrics = {"width": 1280, "height": height, "deviceScaleFactor": 1, "mobile": False}
    browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    try:
        shot = browser.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
    finally:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    path = SCREENSHOTS / (page.removesuffix(".html").replace("/", "__") + f"-{theme}.png")
    import base64

    path.write_bytes(base64.b64decode(shot["data"]))
    return path


# --------------------------------------------------------------------------------------------
# The tests.
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_cleanly(page, server, browser):
    assert (SITE / page).exists(), f"{page} was not built"
    browser.get_log("browser")  # drop what earlier pages logged
    _open(browser, server + page)

    has_math = browser.execute_script("return document.querySelectorAll('main .math').length > 0")
    if has_math:
        rendered = browser.execute_script("return document.querySelectorAll('main mjx-container').length")
        assert rendered > 0, f"{page}: MathJax rendered nothing"
        assert browser.execute_script("return document.querySelectorAll('mjx-merror').length") == 0, (
            f"{page}: MathJax reports a TeX error"
        )
    prose = browser.execute_script(PROSE_TEXT)
    for raw in ("$$", "\\(", "\\["):
        where = prose.find(raw)
        assert where == -1, f"{page}: raw TeX {raw!r} left in the text: ...{prose[max(0, where - 80) : where + 80]}..."

    broken = [src for src, width in browser.execute_async_script(WAIT_FOR_IMAGES) if width == 0]
    assert not broken, f"{page}: images that did not load: {broken}"

    errors = _errors_in_console(browser)
    assert not errors, f"{page}: JavaScript errors or failed loads: {errors}"
    _screenshot(browser, page, "light")


@pytest.mark.parametrize("page", PAGES)
def test_dark_mode_puts_figures_on_a_light_panel(page, server, browser):
    browser.get_log("browser")
    _open(browser, server + page, theme="dark")
    assert browser.execute_script("return document.documentElement.dataset.theme") == "dark"
    backgrounds = browser.execute_script(
        "return Array.from(document.querySelectorAll('.cell_output img'))"
        ".map(img => getComputedStyle(img).backgroundColor)"
    )
    for color in backgrounds:
        r, g, b = (int(v) for v in re.findall(r"\d+", color)[:3])
        assert min(r, g, b) > 235, f"{page}: an output image sits on {color} in dark mode, not on a near-white panel"
    assert not _errors_in_console(browser)
    _screenshot(browser, page, "dark")


def test_a_solution_opens_on_click(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    _open(browser, server + EXERCISE_PAGE)
    exercise = browser.find_element(By.CSS_SELECTOR, ".exercise")
    assert "Exercise" in exercise.text
    solution = browser.find_element(By.CSS_SELECTOR, ".solution.dropdown")
    body = solution.find_element(By.CSS_SELECTOR, "#solution-content")
    assert not body.is_displayed(), "the solution should be folded until the reader opens it"
    solution.find_element(By.CSS_SELECTOR, "button.toggle-button").click()
    WebDriverWait(browser, 10).until(lambda _: body.is_displayed())
    assert "5504" in body.text
    # Maths inside the opened solution is typeset too.
    assert solution.find_elements(By.CSS_SELECTOR, "mjx-container")


def test_search_finds_a_term(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server + f"search.html?q={SEARCH_TERM}")
    WebDriverWait(browser, 30).until(
        lambda b: (
            b.find_elements(By.CSS_SELECTOR, "#search-results ul.search li")
            or "did not match" in b.find_element(By.ID, "search-results").text
        )
    )
    links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "#search-results ul.search li a")]
    assert any(SEARCH_PAGE in link for link in links), f"searching {SEARCH_TERM!r} found {links}"


@pytest.mark.parametrize("page", NOTEBOOK_PAGES)
def test_notebook_page_offers_its_ipynb(page, server, browser):
    import urllib.request

    from selenium.webdriver.common.by import By

    _open(browser, server + page)
    links = [a.get_attribute("href") for a in browser.find_elements(By.CSS_SELECTOR, "a[href$='.ipynb']")]
    name = Path(page).with_suffix(".ipynb").name
    assert any(link.endswith(name) for link in links), f"{page}: no download link for {name}: {links}"
    link = next(link for link in links if link.endswith(name))
    with urllib.request.urlopen(link, timeout=10) as response:
        notebook = json.load(response)
    assert notebook["nbformat"] == 4 and notebook["cells"]
    note = browser.find_element(By.CSS_SELECTOR, "p.nb-exec-note").text
    assert re.search(r"Executed in \d+\.\d s", note), note


def test_timings_page_lists_every_notebook(site):
    html = (site / "book" / "timings.html").read_text(encoding="utf-8")
    for page in NOTEBOOK_PAGES:
        assert f'href="../{page}"' in html, f"the execution-times page does not list {page}"


class _ResourceParser(HTMLParser):
    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.urls.append(attrs["src"])
        elif tag == "link" and attrs.get("href") and attrs.get("rel") not in ("canonical",):
            self.urls.append(attrs["href"])


def test_no_page_loads_anything_from_the_network(site):
    remote = {}
    for page in [*PAGES, "index.html"]:  # the pages of this build (a stale page of an old one may linger)
        parser = _ResourceParser()
        parser.feed((site / page).read_text(encoding="utf-8"))
        found = [u for u in parser.urls if u.startswith(("http://", "https://", "//"))]
        if found:
            remote[page] = found
    assert not remote, f"scripts or stylesheets from other hosts: {remote}"
    assert (site / "_static" / "mathjax" / "tex-chtml.js").exists()
