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

Each page is opened once per colour mode (the visit is shared by the tests that read it) and
measured as readers meet it (issue 14):

* **code that fits**: at 1366 px no code block and no output scrolls sideways; on a 390-px phone
  no page is wider than the screen and no display equation is cut (a wide one scrolls in its own
  box). What was measured is written to ``_build/screenshots/overflow.json``;
* **accessibility**: axe-core (``node_modules/axe-core/axe.min.js``, from npm: ``npm ci``
  installs it, see package.json; it is injected into the page by the test, never shipped with
  the site) finds no serious or critical violation, in light and in dark mode;
* **screenshots** at 1366 and 390 px, light and dark, under ``_build/screenshots/``;
* the BPTT sheet prints on one A4 page, in light colours from dark mode; the figures are
  numbered; a solution's header opens it; the take-away zip and wheel are linked, and the wheel
  installs into a fresh virtual environment and runs chapter 1; the whole-book PDF
  (``make pdf``) has its pages, its figures and no raw TeX; the site keeps its weight budget.
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
import threading
from html.parser import HTMLParser
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "tools") not in sys.path:
    sys.path.insert(0, str(ROOT / "tools"))
import chromium  # noqa: E402  (tools/chromium.py: the browser that every test and make pdf use)

pytestmark = pytest.mark.browser

SITE = ROOT / "_build" / "html"
SCREENSHOTS = ROOT / "_build" / "screenshots"
# Written after each successful build (by make book and by the fixture below).
STAMP = ROOT / "_build" / "site.stamp"
#: axe-core from npm (package.json), injected into the pages by the accessibility test.
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
#: The two widths the site is read at: a laptop and a phone (CSS pixels).
DESKTOP, PHONE = 1366, 390
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
    """Headless Chromium at the desktop width, with its console kept (tools/chromium.py)."""
    # Generous: axe-core on the longest chapter takes a while on a loaded CI machine.
    with chromium.for_pytest(window=(DESKTOP, 900), console_log=True, script_timeout=180) as driver:
        yield driver


# --------------------------------------------------------------------------------------------
# Helpers that run in the page.
# --------------------------------------------------------------------------------------------

WAIT_FOR_MATHJAX = chromium.wait_for_mathjax(20000)

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


def _screenshot(browser, page: str, theme: str, width: int = DESKTOP) -> Path:
    """A full-page PNG (at most 6000 px tall) of the page as it is laid out at ``width``.

    The viewport is made as tall as the page for the capture, from the top: capturing beyond a
    small viewport with a clip lets the page scroll sideways and cuts off its left edge.
    """
    import base64

    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    _emulate(browser, width)
    browser.execute_script("window.scrollTo(0, 0)")
    height = browser.execute_script("return Math.min(document.documentElement.scrollHeight, 6000)")
    _emulate(browser, width, height)
    try:
        shot = browser.execute_cdp_cmd("Page.captureScreenshot", {"format": "png"})
    finally:
        _emulate(browser, None)
    path = SCREENSHOTS / (page.removesuffix(".html").replace("/", "__") + f"-{theme}-{width}.png")
    path.write_bytes(base64.b64decode(shot["data"]))
    return path


def _emulate(browser, width: int | None, height: int = 844) -> None:
    """Lay the loaded page out at ``width`` CSS pixels (a phone below 800), or undo that (None)."""
    if width is None:
        browser.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})
    else:
        metrics = {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 800}
        browser.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    browser.execute_async_script("const done = arguments[0]; requestAnimationFrame(() => setTimeout(done, 50));")


# What scrolls sideways, measured exactly: a box whose content is wider than the box. Code blocks
# are the cells' code (div.highlight pre outside outputs); outputs are every <pre> of a cell's
# output. `wraps` lists the outputs whose lines are longer than the column (the stylesheet wraps
# them; a table printed one row per line does not need it).
MEASURE_OVERFLOW = """
const where = (el) => {
  const sec = el.closest('section[id]');
  const text = (el.textContent || '').split('\\n').reduce((a, b) => (b.length > a.length ? b : a), '');
  return (sec ? '#' + sec.id : '') + ' :: ' + text.trim().slice(0, 90);
};
const scrolls = (el) => el.scrollWidth > el.clientWidth + 1;
const main = document.querySelector('main') || document.body;
const code = Array.from(main.querySelectorAll('div.highlight pre')).filter(p => !p.closest('.cell_output'));
const outputs = Array.from(main.querySelectorAll('.cell_output pre'));
const wraps = outputs.filter(p => {
  const before = p.style.whiteSpace; p.style.whiteSpace = 'pre';
  const wide = scrolls(p); p.style.whiteSpace = before; return wide;
});
return {
  code: code.length, outputs: outputs.length,
  code_scrolling: code.filter(scrolls).map(p => [p.scrollWidth - p.clientWidth, where(p)]),
  outputs_scrolling: outputs.filter(scrolls).map(p => [p.scrollWidth - p.clientWidth, where(p)]),
  outputs_wrapped: wraps.map(p => where(p)),
};
"""

# On a phone: is the page wider than the screen (and what sticks out), and is an equation cut,
# that is, does it reach past the screen's edge without a box of its own to scroll in?
MEASURE_PHONE = """
const vw = document.documentElement.clientWidth;
const page = Math.max(document.documentElement.scrollWidth, document.body.scrollWidth);
const scrollBox = (el) => {
  for (let a = el.parentElement; a && a !== document.body; a = a.parentElement) {
    const ox = getComputedStyle(a).overflowX;
    if (ox === 'auto' || ox === 'scroll') return a;
    if (ox === 'hidden' || ox === 'clip') return null;
  }
  return null;
};
const inside = (r) => r.left >= -1 && r.right <= vw + 1;
const describe = (el) => {
  const sec = el.closest('section[id]');
  return (sec ? '#' + sec.id + ' ' : '') + el.tagName.toLowerCase() + '.' +
    String(el.className).split(' ')[0] + ' :: ' + (el.textContent || '').trim().slice(0, 60);
};
const main = document.querySelector('main') || document.body;
const equations = Array.from(main.querySelectorAll('mjx-container[display="true"]'));
const cut = equations.filter(eq => {
  const math = eq.querySelector('mjx-math') || eq;
  if (inside(math.getBoundingClientRect())) return false;
  const box = scrollBox(math);
  return !(box && inside(box.getBoundingClientRect()));
}).map(describe);
let wide = [];
if (page > vw + 1) {
  wide = Array.from(document.body.querySelectorAll('*')).filter(el => {
    const r = el.getBoundingClientRect();
    if (r.width === 0 || r.right <= vw + 1) return false;
    const box = scrollBox(el);
    const parent = el.parentElement;
    const parentSticksOut = parent && parent.getBoundingClientRect().right > vw + 1;
    return !(box && inside(box.getBoundingClientRect())) && !parentSticksOut;
  }).slice(0, 8).map(el => describe(el) + ' (right edge ' + Math.round(el.getBoundingClientRect().right) + ' px)');
}
return {viewport: vw, page: page, equations: equations.length, equations_cut: cut, wider: wide};
"""

AXE_RUN = """
const done = arguments[arguments.length - 1];
axe.run(document, {resultTypes: ['violations']}).then(result => done(result.violations
  .filter(v => v.impact === 'serious' || v.impact === 'critical')
  .map(v => ({id: v.id, impact: v.impact, help: v.help, count: v.nodes.length,
              nodes: v.nodes.slice(0, 4).map(n => n.target.join(' ') + ' :: ' +
                                                 (n.failureSummary || '').slice(0, 160))}))),
  error => done([{id: 'axe-error', impact: 'critical', help: String(error), count: 1, nodes: []}]));
"""

_VISITS: dict[tuple[str, str], dict] = {}
OVERFLOW_REPORT = SCREENSHOTS / "overflow.json"


def _visit(browser, server: str, page: str, theme: str) -> dict:
    """Open ``page`` in ``theme`` once and measure everything the tests read (memoised per session)."""
    key = (page, theme)
    if key in _VISITS:
        return _VISITS[key]
    assert (SITE / page).exists(), f"{page} was not built"
    browser.get_log("browser")  # drop what earlier pages logged
    _open(browser, server + page, theme)
    visit: dict = {"theme": browser.execute_script("return document.documentElement.dataset.theme")}
    has_math = browser.execute_script("return document.querySelectorAll('main .math').length > 0")
    visit["math"] = {
        "expected": has_math,
        "rendered": browser.execute_script("return document.querySelectorAll('main mjx-container').length"),
        "errors": browser.execute_script("return document.querySelectorAll('mjx-merror').length"),
    }
    visit["prose"] = browser.execute_script(PROSE_TEXT)
    visit["images"] = browser.execute_async_script(WAIT_FOR_IMAGES)
    visit["panels"] = browser.execute_script(
        "return Array.from(document.querySelectorAll('.cell_output img'))"
        ".map(img => getComputedStyle(img).backgroundColor)"
    )
    visit["desktop"] = browser.execute_script(MEASURE_OVERFLOW)
    _screenshot(browser, page, theme, DESKTOP)
    _emulate(browser, PHONE)
    visit["phone"] = browser.execute_script(MEASURE_PHONE)
    _emulate(browser, None)
    _screenshot(browser, page, theme, PHONE)
    if AXE.exists():
        browser.execute_script(AXE.read_text(encoding="utf-8"))
        visit["axe"] = browser.execute_async_script(AXE_RUN)
    visit["console"] = _errors_in_console(browser)
    _VISITS[key] = visit
    _write_overflow_report()
    return visit


def _write_overflow_report() -> None:
    report = {
        f"{page} ({theme})": {"desktop": v["desktop"], "phone": v["phone"]}
        for (page, theme), v in sorted(_VISITS.items())
        if theme == "light"
    }
    OVERFLOW_REPORT.parent.mkdir(parents=True, exist_ok=True)
    OVERFLOW_REPORT.write_text(json.dumps(report, indent=1), encoding="utf-8")


def _axe_or_skip():
    if not AXE.exists():
        reason = f"needs {AXE.relative_to(ROOT)} (run `npm ci`, see package.json)"
        if IN_CI:
            pytest.fail(f"CI=true but axe-core is missing: {reason}")
        pytest.skip(reason)


# --------------------------------------------------------------------------------------------
# The tests.
# --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("page", PAGES)
def test_page_renders_cleanly(page, server, browser):
    visit = _visit(browser, server, page, "light")
    math = visit["math"]
    if math["expected"]:
        assert math["rendered"] > 0, f"{page}: MathJax rendered nothing"
        assert math["errors"] == 0, f"{page}: MathJax reports a TeX error"
    prose = visit["prose"]
    for raw in ("$$", "\\(", "\\["):
        where = prose.find(raw)
        assert where == -1, f"{page}: raw TeX {raw!r} left in the text: ...{prose[max(0, where - 80) : where + 80]}..."
    broken = [src for src, width in visit["images"] if width == 0]
    assert not broken, f"{page}: images that did not load: {broken}"
    assert not visit["console"], f"{page}: JavaScript errors or failed loads: {visit['console']}"


@pytest.mark.parametrize("page", PAGES)
def test_dark_mode_puts_figures_on_a_light_panel(page, server, browser):
    visit = _visit(browser, server, page, "dark")
    assert visit["theme"] == "dark"
    for color in visit["panels"]:
        r, g, b = (int(v) for v in re.findall(r"\d+", color)[:3])
        assert min(r, g, b) > 235, f"{page}: an output image sits on {color} in dark mode, not on a near-white panel"
    assert not visit["console"], f"{page}: JavaScript errors or failed loads: {visit['console']}"


@pytest.mark.parametrize("page", PAGES)
def test_code_and_outputs_fit_at_1366_px(page, server, browser):
    measured = _visit(browser, server, page, "light")["desktop"]
    code, outputs = measured["code_scrolling"], measured["outputs_scrolling"]
    assert not code and not outputs, (
        f"{page} at {DESKTOP} px: {len(code)} of {measured['code']} code blocks and {len(outputs)} of "
        f"{measured['outputs']} outputs scroll sideways (px too wide :: where): {code + outputs}"
    )


@pytest.mark.parametrize("page", PAGES)
def test_a_phone_shows_the_page_without_cutting_it(page, server, browser):
    phone = _visit(browser, server, page, "light")["phone"]
    assert phone["page"] <= phone["viewport"] + 1, (
        f"{page} is {phone['page']} px wide on a {phone['viewport']}-px phone; sticking out: {phone['wider']}"
    )
    assert not phone["equations_cut"], (
        f"{page} on a phone: equations cut at the screen's edge: {phone['equations_cut']}"
    )


@pytest.mark.parametrize("theme", ["light", "dark"])
@pytest.mark.parametrize("page", PAGES)
def test_no_serious_accessibility_violation(page, theme, server, browser):
    _axe_or_skip()
    violations = _visit(browser, server, page, theme)["axe"]
    assert not violations, f"{page} ({theme}): axe-core finds {json.dumps(violations, indent=1)}"


def test_a_figure_opens_full_size_when_tapped(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    _open(browser, server + WEIGHT_PAGE)
    button = browser.find_element(By.CSS_SELECTOR, "button.lstmlab-figure-zoom")
    browser.execute_script("arguments[0].scrollIntoView()", button)
    button.click()
    dialog = browser.find_element(By.CSS_SELECTOR, "dialog.lstmlab-lightbox")
    WebDriverWait(browser, 10).until(lambda _: dialog.get_attribute("open") is not None)
    shown = browser.execute_script("return document.querySelector('dialog.lstmlab-lightbox img').clientWidth")
    assert shown > button.size["width"], "the enlarged figure is not larger than the one in the page"
    dialog.find_element(By.CSS_SELECTOR, "button.lstmlab-lightbox-close").click()
    WebDriverWait(browser, 10).until(lambda _: dialog.get_attribute("open") is None)


def test_figures_are_numbered_per_chapter(site):
    numbers = re.findall(
        r'<span class="caption-number">Figure ([^<]*)\.</span>',
        (site / "notebooks" / "06_lstm_cell.html").read_text(encoding="utf-8"),
    )
    assert numbers and numbers == [f"6.{k}" for k in range(1, len(numbers) + 1)], numbers
    for page in NOTEBOOK_PAGES:
        html = (site / page).read_text(encoding="utf-8")
        images = html.count('class="lstmlab-figure"')
        assert html.count("lstmlab-figure-zoom") == images, f"{page}: a figure without its number and caption"


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


def test_a_solution_header_opens_the_solution(server, browser):
    """Clicking "Solution to Exercise ..." (a link to the exercise) unfolds the solution in place."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    _open(browser, server + EXERCISE_PAGE)
    solution = browser.find_element(By.CSS_SELECTOR, ".solution.dropdown")
    body = solution.find_element(By.CSS_SELECTOR, "#solution-content")
    assert not body.is_displayed()
    before = browser.current_url
    solution.find_element(By.CSS_SELECTOR, ".admonition-title a").click()
    WebDriverWait(browser, 10).until(lambda _: body.is_displayed())
    assert browser.current_url == before, "the header's link jumped away instead of opening the solution"


def test_search_finds_a_term(server, browser):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    browser.get(server + f"search.html?q={SEARCH_TERM}")
    # Sphinx adds the results one by one (5 ms apart) and writes its summary after the last one,
    # so the list is read only once the summary says that the search has finished.
    WebDriverWait(browser, 60).until(
        lambda b: any(
            word in summary.text
            for summary in b.find_elements(By.CSS_SELECTOR, "#search-results p.search-summary")
            for word in ("Search finished", "did not match")
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


# --------------------------------------------------------------------------------------------
# The BPTT sheet in print.
# --------------------------------------------------------------------------------------------

SHEET = "book/lstm_bptt_sheet.html"


def _print_to_pdf(browser) -> bytes:
    import base64

    options = {"printBackground": True, "preferCSSPageSize": True, "paperWidth": 8.27, "paperHeight": 11.69}
    return base64.b64decode(browser.execute_cdp_cmd("Page.printToPDF", options)["data"])


def _pdf_pages(data: bytes) -> int:
    import io

    pypdf = pytest.importorskip("pypdf")
    return len(pypdf.PdfReader(io.BytesIO(data)).pages)


def _luminance(color: str) -> float:
    r, g, b = (int(v) / 255 for v in re.findall(r"[\d.]+", color)[:3])
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def test_the_bptt_sheet_prints_on_one_a4_page_in_light_colours(server, browser):
    _open(browser, server + SHEET, theme="dark")
    pages = _pdf_pages(_print_to_pdf(browser))
    browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": "print"})
    try:
        colors = browser.execute_script(
            "const p = document.querySelector('main p');"
            "return [getComputedStyle(p).color, getComputedStyle(document.body).backgroundColor];"
        )
    finally:
        browser.execute_cdp_cmd("Emulation.setEmulatedMedia", {"media": ""})
    assert pages == 1, f"the BPTT sheet prints on {pages} A4 pages"
    text, background = colors
    assert _luminance(text) < 0.35 and _luminance(background) > 0.9, f"printed from dark mode: {text} on {background}"


@pytest.mark.parametrize("width", [DESKTOP, 720])
def test_the_bptt_sheet_never_breaks_code_inside_an_expression(width, server, browser):
    _open(browser, server + SHEET)
    _emulate(browser, width)
    try:
        broken = browser.execute_script(
            "return Array.from(document.querySelectorAll('.lstm-sheet td code'))"
            ".filter(c => c.getClientRects().length > 1).map(c => c.textContent);"
        )
    finally:
        _emulate(browser, None)
    assert not broken, f"at {width} px, code broken across lines: {broken}"


# --------------------------------------------------------------------------------------------
# Take away: the notebooks' zip, the wheel, the PDF.
# --------------------------------------------------------------------------------------------

TAKE_AWAY_PAGE = "book/get_the_code.html"


def _downloads(site: Path) -> dict[str, Path]:
    found = {p.name: p for p in (site / "downloads").glob("*")}
    wheels = [name for name in found if name.startswith("lstmlab-") and name.endswith(".whl")]
    assert len(wheels) == 1, f"expected one lstmlab wheel in downloads/, found {sorted(found)}"
    return found | {"wheel": found[wheels[0]]}


def test_the_take_away_page_links_the_zip_the_wheel_and_the_pdf(site):
    html = (site / TAKE_AWAY_PAGE).read_text(encoding="utf-8")
    files = _downloads(site)
    for name in ("lstm-course-notebooks.zip", files["wheel"].name, "lstm-course.pdf"):
        assert f'href="../downloads/{name}"' in html, f"{TAKE_AWAY_PAGE} does not link {name}"


def test_the_zip_holds_every_notebook_and_the_wheel(site):
    import zipfile

    files = _downloads(site)
    with zipfile.ZipFile(files["lstm-course-notebooks.zip"]) as zf:
        names = set(zf.namelist())
    for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
        assert f"lstm-course/notebooks/{notebook.name}" in names
    assert f"lstm-course/{files['wheel'].name}" in names and "lstm-course/README.txt" in names


@pytest.mark.slow
def test_the_wheel_installs_in_a_fresh_venv_and_runs_chapter_1(site, tmp_path):
    """pip install --no-deps the wheel into a new venv that sees this environment's NumPy,
    matplotlib, tqdm and Jupyter (a .pth file, after the venv's own site-packages), then execute
    chapter 1 in a kernel of that venv: lstmlab must come from the wheel, not from this checkout."""
    import site as site_module
    import sysconfig

    wheel = _downloads(site)["wheel"]
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    purelib = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()
    ours = [p for p in site_module.getsitepackages() + [sysconfig.get_paths()["purelib"]] if Path(p).is_dir()]
    (Path(purelib) / "zz_course_env.pth").write_text("\n".join(dict.fromkeys(ours)) + "\n", encoding="utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV")}
    env.update(LSTMLAB_PROGRESS="0", PIP_NO_INDEX="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    install = [str(python), "-m", "pip", "install", "--no-deps", "--no-index", "--quiet", str(wheel)]
    subprocess.run(install, check=True, cwd=tmp_path, env=env, capture_output=True)
    where = subprocess.run(
        [str(python), "-c", "import lstmlab; print(lstmlab.__file__)"],
        check=True,
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
    ).stdout.strip()
    assert where.startswith(purelib), f"lstmlab came from {where}, not from the wheel"
    chapter = next((ROOT / "notebooks").glob("01_*.ipynb"))
    shutil.copy2(chapter, tmp_path / chapter.name)
    run = (
        "import nbformat; from nbclient import NotebookClient; "
        f"nb = nbformat.read({chapter.name!r}, as_version=4); "
        "NotebookClient(nb, timeout=600, kernel_name='python3').execute(); print('ran', len(nb.cells), 'cells')"
    )
    result = subprocess.run([str(python), "-c", run], cwd=tmp_path, env=env, capture_output=True, text=True)
    assert result.returncode == 0, f"chapter 1 failed with the wheel:\n{result.stdout[-3000:]}\n{result.stderr[-3000:]}"


PDF = ROOT / "_build" / "lstm-course.pdf"
#: The whole book prints on about this many A4 pages (it grows with Part III).
PDF_PAGES = range(80, 600)


@pytest.fixture(scope="session")
def book_pdf(site) -> Path:
    """The whole-book PDF, made by `make pdf` (tools/make_pdf.py) unless a fresh one exists."""
    if chromium.missing():
        pytest.skip(chromium.missing())
    if not (PDF.exists() and PDF.stat().st_mtime >= STAMP.stat().st_mtime):
        result = subprocess.run(
            [sys.executable, str(ROOT / "tools" / "make_pdf.py")], cwd=ROOT, capture_output=True, text=True
        )
        assert result.returncode == 0, f"make pdf failed:\n{result.stdout[-4000:]}\n{result.stderr[-4000:]}"
    return PDF


def test_the_book_pdf_has_its_pages_its_figures_and_no_raw_tex(book_pdf):
    pypdf = pytest.importorskip("pypdf")
    reader = pypdf.PdfReader(str(book_pdf))
    assert len(reader.pages) in PDF_PAGES, f"the PDF has {len(reader.pages)} pages, expected {PDF_PAGES}"
    text = "\n".join(page.extract_text() or "" for page in reader.pages)
    for raw in ("$$", "\\frac", "\\begin{", "\\mathbf", "\\odot"):
        assert raw not in text, f"raw TeX {raw!r} in the PDF: ...{text[max(0, text.find(raw) - 80) :][:160]}..."
    single = (ROOT / "_build" / "singlehtml" / "book.html").read_text(encoding="utf-8")
    figures = single.count('class="lstmlab-figure"')
    numbered = len(re.findall(r'caption-number">Figure ', single))
    assert figures > 0 and numbered == figures, f"{figures} figures, {numbered} numbered in the single page"
    images = sum(len(page.images) for page in reader.pages)
    assert images >= figures, f"the PDF holds {images} images, the book has {figures} figures"
    assert "Figure 6.1." in text


def test_the_pdf_is_linked_from_the_site(book_pdf, site):
    assert (site / "downloads" / book_pdf.name).exists(), "make pdf did not copy the PDF into the site"


# --------------------------------------------------------------------------------------------
# The weight budget (the numbers are stated in README.md, "The website's weight").
# --------------------------------------------------------------------------------------------

#: The site's static files (_static/: the theme, MathJax, fonts), in bytes, as measured when set.
STATIC_BYTES = 6_750_000
#: Everything else (pages, their .ipynb sources, the search index; not downloads/), per chapter.
PAGES_BYTES_PER_CHAPTER = 660_000
#: What a first visit to a chapter loads (the page and everything it fetches), in bytes.
FIRST_VISIT_BYTES = 2_800_000
WEIGHT_PAGE = "notebooks/06_lstm_cell.html"
GROWTH = 1.25


def site_weight(site: Path) -> dict[str, int]:
    """The site's bytes: its static files, the rest (downloads/ aside), and the number of chapters."""
    files = [p for p in site.rglob("*") if p.is_file() and p.relative_to(site).parts[0] != "downloads"]
    static = sum(p.stat().st_size for p in files if p.relative_to(site).parts[0] == "_static")
    return {"static": static, "pages": sum(p.stat().st_size for p in files) - static, "chapters": len(NOTEBOOK_PAGES)}


def test_the_site_keeps_its_size(site):
    weight = site_weight(site)
    assert weight["static"] <= GROWTH * STATIC_BYTES, (
        f"_static/ holds {weight['static'] / 1e6:.1f} MB, over {GROWTH} x {STATIC_BYTES / 1e6:.1f} MB"
    )
    per_chapter = weight["pages"] / weight["chapters"]
    assert per_chapter <= GROWTH * PAGES_BYTES_PER_CHAPTER, (
        f"the pages weigh {per_chapter / 1e6:.2f} MB per chapter, "
        f"over {GROWTH} x {PAGES_BYTES_PER_CHAPTER / 1e6:.2f} MB"
    )
    assert not list(site.rglob("*.map")), "source maps are shipped"


def test_a_first_visit_to_a_chapter_keeps_its_weight(server, browser):
    browser.execute_cdp_cmd("Network.enable", {})
    browser.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
    try:
        _open(browser, server + WEIGHT_PAGE)
        browser.execute_async_script(WAIT_FOR_IMAGES)
        loaded = browser.execute_script(
            "const nav = performance.getEntriesByType('navigation')[0];"
            "return [nav.encodedBodySize].concat(performance.getEntriesByType('resource')"
            ".map(r => r.encodedBodySize));"
        )
    finally:
        browser.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": False})
    total = sum(loaded)
    assert total <= GROWTH * FIRST_VISIT_BYTES, (
        f"a first visit to {WEIGHT_PAGE} loads {total / 1e6:.2f} MB, over {GROWTH} x {FIRST_VISIT_BYTES / 1e6:.2f} MB"
    )
