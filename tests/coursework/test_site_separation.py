"""The book and the coursework stay apart: the website serves no source assignment, and the
student copy of the book's notebooks (``make student``) carries no solutions.

The site is the one ``tests/test_site.py`` builds (its ``site`` fixture, reused, not copied).
With xdist that build runs in another worker, so a worker here waits for its stamp rather than
building a second time into the same folder. Without a build the site tests skip, except under
``CI=true``, where they wait for it (or build it, in a run without workers).
"""

from __future__ import annotations

import html
import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import nbformat
import pytest
import yaml

pytestmark = pytest.mark.coursework

ROOT = Path(__file__).resolve().parents[2]
SOURCES = sorted((ROOT / "coursework" / "source").glob("*/*.ipynb"))
WAIT_FOR_BUILD_S = 25 * 60  # CI has 30 minutes in all
_MARKERS = r"(### BEGIN SOLUTION|### BEGIN HIDDEN TESTS|=== BEGIN MARK SCHEME ===)"
# A marker on a line of its own, in text or inside a JSON string (a notebook's source lines).
MARKER = re.compile(rf'(?m)^[ \t]*{_MARKERS}[ \t]*$|"[ \t]*{_MARKERS}[ \t]*\\n"')

_spec = importlib.util.spec_from_file_location("_lstm_site_test_separation", ROOT / "tests" / "test_site.py")
_site_test = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_site_test)
site = _site_test.site  # the website test's fixture: builds the site unless a fresh build exists


def _book_lines() -> set[str]:
    """Every line of the book's own sources (chapters, pages, the package its pages quote)."""
    paths = [*(ROOT / "notebooks").glob("*.ipynb"), *(ROOT / "book").glob("*.md"), *(ROOT / "lstmlab").rglob("*.py")]
    lines = set()
    for path in paths:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".ipynb":
            text = "\n".join(c.source for c in nbformat.reads(text, as_version=4).cells)
        lines.update(ln.strip() for ln in text.splitlines())
    return lines


def _secrets() -> set[str]:
    """The lines of the source assignments' solutions, hidden tests and mark schemes that the book
    itself does not contain (a formula such as ``c = f * c_prev + i * g`` is in both)."""
    found = set()
    for path in SOURCES:
        for cell in nbformat.read(path, as_version=4).cells:
            text = cell.source
            for begin, end in (
                ("### BEGIN SOLUTION", "### END SOLUTION"),
                ("### BEGIN HIDDEN TESTS", "### END HIDDEN TESTS"),
                ("=== BEGIN MARK SCHEME ===", "=== END MARK SCHEME ==="),
            ):
                for block in text.split(begin)[1:]:
                    found.update(ln.strip() for ln in block.split(end)[0].splitlines() if len(ln.strip()) > 12)
    return found - _book_lines()


def _lines(path: Path, text: str) -> set[str]:
    """The stripped lines of a site file as a reader sees them (tags taken out of HTML, a notebook's cells)."""
    if path.suffix == ".ipynb":
        nb = json.loads(text)
        parts = ["".join(c.get("source", "")) for c in nb.get("cells", [])]
        parts += ["".join(o.get("text", "")) for c in nb.get("cells", []) for o in c.get("outputs", [])]
        text = "\n".join(parts)
    elif path.suffix == ".html":
        text = html.unescape(re.sub(r"<[^>]+>", "", text))
    return {ln.strip() for ln in text.splitlines()}


@pytest.fixture(scope="module")
def built_site(request) -> Path:
    if _site_test._build_is_fresh():
        return _site_test.SITE
    if not _site_test.IN_CI:
        if (_site_test.SITE / "index.html").exists():
            return _site_test.SITE  # an older build: still worth checking
        pytest.skip("no website build in _build/html (make book); CI=true builds or waits for one")
    if os.environ.get("PYTEST_XDIST_WORKER") is None:
        return request.getfixturevalue("site")
    deadline = time.monotonic() + WAIT_FOR_BUILD_S
    while not _site_test._build_is_fresh():  # tests/test_site.py builds it in another worker
        if time.monotonic() > deadline:
            pytest.fail(f"CI=true: no fresh website build appeared within {WAIT_FOR_BUILD_S} s")
        time.sleep(5)
    return _site_test.SITE


def test_jupyter_book_excludes_the_course_directory():
    config = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    assert "coursework" in config["exclude_patterns"]
    toc = (ROOT / "_toc.yml").read_text(encoding="utf-8")
    assert "coursework" not in toc


def _problems(site: Path) -> tuple[list[str], int]:
    """What in the folder ``site`` gives the coursework away, and how many text files were read."""
    names = {p.stem for p in SOURCES}
    secrets = _secrets()
    assert secrets, "no solution, hidden test or rubric found in coursework/source"
    problems, checked = [], 0
    for path in sorted(site.rglob("*")):
        if not path.is_file() or "mathjax" in path.parts:
            continue
        rel = path.relative_to(site).as_posix()
        if "coursework" in rel or any(n in rel for n in names):
            problems.append(f"{rel}: named after the coursework")
        if path.suffix not in (".html", ".ipynb", ".txt", ".md", ".json", ".js", ".py"):
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        checked += 1
        marker = MARKER.search(text)  # as a line of its own (the guide names them inline)
        if marker:
            problems.append(f"{rel}: carries {marker.group(0).strip()!r}")
        leaked = sorted(secrets & _lines(path, text))
        if leaked:
            problems.append(f"{rel}: carries lines of the solutions or hidden tests: {leaked[:3]}")
        if path.suffix == ".ipynb" and any("nbgrader" in c.get("metadata", {}) for c in json.loads(text)["cells"]):
            problems.append(f"{rel}: an nbgrader notebook")
    return problems, checked


def test_the_site_serves_no_source_assignment(built_site):
    problems, checked = _problems(built_site)
    assert not problems, "\n".join(problems)
    assert checked > 10


def test_the_scan_finds_a_source_assignment(tmp_path):
    """The scan itself: a source notebook under another name, and its HTML, are both caught."""
    source = SOURCES[0]
    (tmp_path / "_sources").mkdir()
    shutil.copy(source, tmp_path / "_sources" / "chapter.ipynb")
    body = "".join(f"<pre><span>{html.escape(c.source)}</span></pre>" for c in nbformat.read(source, 4).cells)
    (tmp_path / "chapter.html").write_text(f"<html><body>{body}</body></html>", encoding="utf-8")
    problems, checked = _problems(tmp_path)
    assert checked == 2
    assert any(p.startswith("chapter.html: carries lines") for p in problems), problems
    assert any(p.startswith("_sources/chapter.ipynb: an nbgrader notebook") for p in problems), problems


def test_make_student_strips_the_books_notebooks(tmp_path):
    """``make student`` (tools/strip_solutions.py) on the book's notebooks, in a scratch folder."""
    make = shutil.which("make")
    if make is None:
        pytest.skip("needs make")
    for name in ("notebooks", "tools"):
        (tmp_path / name).symlink_to(ROOT / name)
    venv = Path(sys.prefix)
    stamp = venv / ".lstm-book-deps"  # make book's install stamp: taken as done (-o), nothing installed
    result = subprocess.run(
        [make, "-f", str(ROOT / "Makefile"), "-o", str(stamp), f"VENV={venv}", "student"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    books = sorted(p.name for p in (ROOT / "notebooks").glob("*.ipynb"))
    copies = sorted(p.name for p in (tmp_path / "student").glob("*.ipynb"))
    assert copies == books
    for path in (tmp_path / "student").glob("*.ipynb"):
        nb = nbformat.read(path, as_version=4)
        text = "\n".join(c.source for c in nb.cells)
        assert "{solution}" not in text and "{solution-start}" not in text, f"{path.name} keeps a solution"
        assert not any("solution" in c.metadata.get("tags", []) for c in nb.cells)
        assert not any(c.get("outputs") for c in nb.cells if c.cell_type == "code"), f"{path.name} keeps outputs"
