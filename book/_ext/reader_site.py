"""What the course site does for its readers, on top of Jupyter Book (the companion of offline_site.py).

* **Figures are numbered per chapter** ("Figure 6.2"), as exercises are: every figure that
  :func:`lstmlab.viz.show` put in a page (an ``<img class="lstmlab-figure">``, inside a
  ``<figure class="lstmlab-figure-box">`` when it has a caption) gets its number in a
  ``<figcaption>``, and a figure without a caption gets one that carries only its number. The
  chapter comes from the file name (``06_lstm_cell`` is chapter 6, ``A1_matrix_calculus`` is
  appendix A1), so a new chapter renumbers nothing else. This runs on the resolved doctree, so the
  single-page build (the PDF) numbers them the same way.
* **Citations in one style**: the bibliography labels its entries as the text cites them,
  "[Hochreiter and Schmidhuber, 1997]" (a pybtex style, ``authoryear``, registered here), sorted
  by author and year.
* **The single-page build works**: sphinx-proof registers its HTML visitors for the ``html``
  builder only, and sphinx-exercise registers some for ``singlehtml``, which hides the ``html``
  ones from that builder; every ``html`` visitor is offered to ``singlehtml`` too.
* **Take-away downloads**: after an HTML build, ``downloads/`` in the site holds the ``lstmlab``
  wheel and a zip of the notebooks with that wheel (``make pdf`` adds the book's PDF there).
  The ``course-downloads`` directive lists them, with the repository when ``_config.yml`` gives one.
* **Weight**: source maps (``*.map``) and the theme's copies of files that no page loads are
  deleted from the built site.
"""

from __future__ import annotations

import html
import os
import re
import shutil
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

from docutils import nodes
from docutils.parsers.rst import Directive
from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

ROOT = Path(__file__).resolve().parents[2]
DOWNLOADS = "downloads"
NOTEBOOKS_ZIP = "lstm-course-notebooks.zip"
PDF_NAME = "lstm-course.pdf"

# --------------------------------------------------------------------------------------------
# Figures, numbered per chapter.
# --------------------------------------------------------------------------------------------

CHAPTER_LABEL = re.compile(r"(?:^|/)(\d+|[A-Z]\d*)_[^/]*$")
FIGURE_IMG = re.compile(r'<img\b[^>]*\bclass="lstmlab-figure"[^>]*/?>')
FIGURE_BOX = re.compile(
    r'<figure class="lstmlab-figure-box">\s*(?P<img><img\b[^>]*/?>)\s*'
    r"<figcaption>(?P<caption>.*?)</figcaption>\s*</figure>",
    re.DOTALL,
)


NUMBERED_BOX = re.compile(r'<figure class="lstmlab-figure-box" id="[^"]*">.*?</figure>', re.DOTALL)


def chapter_label(docname: str) -> str:
    """``"6"`` for ``notebooks/06_lstm_cell``, ``"A1"`` for ``notebooks/A1_matrix_calculus``, else ``""``."""
    m = CHAPTER_LABEL.search(docname)
    if not m:
        return ""
    label = m.group(1)
    return str(int(label)) if label.isdigit() else label


def figure_html(img: str, number: str, caption: str | None) -> str:
    """The ``<figure>`` of one numbered figure: the image (a link that opens it full size) and its caption."""
    ident = "figure-" + number.replace(".", "-")
    text = f'<span class="caption-number">Figure {html.escape(number)}.</span>'
    if caption:
        text += f" {caption}"
    zoom = f'<button type="button" class="lstmlab-figure-zoom" title="Enlarge the figure">{img}</button>'
    return (
        f'<figure class="lstmlab-figure-box" id="{ident}">{zoom}'
        f'<figcaption><a class="lstmlab-figure-anchor" href="#{ident}">{text}</a></figcaption></figure>'
    )


def number_figures(page_html: str, label: str, start: int = 1) -> tuple[str, int]:
    """Number the figures of one HTML fragment from ``start``; returns the new HTML and the next number.

    Figures already numbered (a ``<figure>`` with an ``id``, as :func:`figure_html` writes) are left as they are.
    """
    counter = start
    out: list[str] = []
    pos = 0
    pattern = re.compile("|".join(p.pattern for p in (NUMBERED_BOX, FIGURE_BOX, FIGURE_IMG)), re.DOTALL)
    for m in pattern.finditer(page_html):
        out.append(page_html[pos : m.start()])
        pos = m.end()
        whole = m.group(0)
        if whole.startswith('<figure class="lstmlab-figure-box" id='):
            out.append(whole)
            continue
        number = f"{label}.{counter}" if label else str(counter)
        counter += 1
        if m.group("img"):
            out.append(figure_html(m.group("img"), number, m.group("caption").strip()))
        else:
            out.append(figure_html(whole, number, None))
    out.append(page_html[pos:])
    return "".join(out), counter


def _raw_html_by_document(doctree: nodes.Node, docname: str):
    """Yield ``(raw node, docname)`` in document order; in the single-page build each part of the
    tree belongs to the document of its ``start_of_file`` (walked top-down: Sphinx sets those
    nodes' children without their parent links)."""
    from sphinx import addnodes

    stack = [(doctree, docname)]
    while stack:
        node, doc = stack.pop()
        if isinstance(node, addnodes.start_of_file):
            doc = node["docname"]
        if isinstance(node, nodes.raw):
            yield node, doc
            continue
        stack.extend((child, doc) for child in reversed(getattr(node, "children", [])))


def _number_figures(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    counters: dict[str, int] = {}
    for raw, doc in list(_raw_html_by_document(doctree, docname)):
        if "html" not in raw.get("format", "").split() or "lstmlab-figure" not in raw.astext():
            continue
        text, counters[doc] = number_figures(raw.astext(), chapter_label(doc), counters.get(doc, 1))
        raw.replace_self(nodes.raw(text, text, format="html"))


# --------------------------------------------------------------------------------------------
# Citations: author-year labels in the bibliography.
# --------------------------------------------------------------------------------------------


def _register_authoryear_style() -> None:
    from pybtex.plugin import register_plugin
    from pybtex.richtext import Text
    from pybtex.style.formatting.unsrt import Style as UnsrtStyle
    from pybtex.style.labels import BaseLabelStyle
    from pybtex.style.sorting.author_year_title import SortingStyle

    def surname(person) -> str:
        parts = person.rich_prelast_names + person.rich_last_names
        return Text(" ").join(parts).render_as("text")

    def author_year(entry) -> str:
        persons = entry.persons.get("author") or entry.persons.get("editor") or []
        names = [surname(p) for p in persons]
        if not names:
            who = entry.fields.get("key", entry.key)
        elif len(names) == 1:
            who = names[0]
        elif len(names) == 2:
            who = f"{names[0]} and {names[1]}"
        else:
            who = f"{names[0]} et al."
        return f"{who}, {entry.fields.get('year', 'n.d.')}"

    class AuthorYearLabels(BaseLabelStyle):
        """ "Hochreiter and Schmidhuber, 1997", "Bengio et al., 1994" (a, b, ... when two collide)."""

        def format_labels(self, sorted_entries):
            entries = list(sorted_entries)
            labels = [author_year(e) for e in entries]
            for i, label in enumerate(labels):
                same = [j for j, other in enumerate(labels) if other == label]
                yield label + ("abcdefghijklmnopqrstuvwxyz"[same.index(i)] if len(same) > 1 else "")

    class AuthorYearStyle(UnsrtStyle):
        default_label_style = AuthorYearLabels
        default_sorting_style = SortingStyle

    register_plugin("pybtex.style.labels", "authoryear", AuthorYearLabels)
    register_plugin("pybtex.style.formatting", "authoryear", AuthorYearStyle)


# --------------------------------------------------------------------------------------------
# The single-page build (for the PDF).
# --------------------------------------------------------------------------------------------


def _offer_html_visitors_to_singlehtml(app: Sphinx) -> None:
    handlers = app.registry.translation_handlers
    single = handlers.setdefault("singlehtml", {})
    for node_name, visitors in handlers.get("html", {}).items():
        single.setdefault(node_name, visitors)


# --------------------------------------------------------------------------------------------
# Downloads: the notebooks and the wheel.
# --------------------------------------------------------------------------------------------


def build_wheel(dest: Path) -> Path:
    """Build the ``lstmlab`` wheel into ``dest`` from a clean copy of the package (no network)."""
    dest.mkdir(parents=True, exist_ok=True)
    for old in dest.glob("lstmlab-*.whl"):
        old.unlink()
    with tempfile.TemporaryDirectory(prefix="lstmlab-wheel-") as tmp:
        src = Path(tmp) / "src"
        src.mkdir()
        for name in ("pyproject.toml", "README.md", "LICENSE"):
            if (ROOT / name).exists():
                shutil.copy2(ROOT / name, src / name)
        shutil.copytree(ROOT / "lstmlab", src / "lstmlab", ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        command = [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation"]
        command += ["--wheel-dir", str(dest), str(src)]
        env = dict(os.environ, PIP_DISABLE_PIP_VERSION_CHECK="1", PIP_NO_INDEX="1")
        subprocess.run(command, check=True, capture_output=True, env=env)
    (wheel,) = dest.glob("lstmlab-*.whl")
    return wheel


NOTEBOOKS_README = """\
The notebooks of the course "{title}", with the course's package, lstmlab.

  python -m venv .venv && . .venv/bin/activate     (Windows: .venv\\Scripts\\activate)
  pip install {wheel} jupyterlab
  jupyter lab notebooks/

The wheel installs NumPy, matplotlib and tqdm from PyPI. Some chapters also use
PyTorch (the CPU build is enough), scikit-learn or ipywidgets: see requirements.txt.
"""


def build_notebooks_zip(dest: Path, wheel: Path, title: str) -> Path:
    """A zip of ``notebooks/*.ipynb``, the wheel, requirements.txt and a short README."""
    path = dest / NOTEBOOKS_ZIP
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for notebook in sorted((ROOT / "notebooks").glob("*.ipynb")):
            zf.write(notebook, f"lstm-course/notebooks/{notebook.name}")
        zf.write(wheel, f"lstm-course/{wheel.name}")
        if (ROOT / "requirements.txt").exists():
            zf.write(ROOT / "requirements.txt", "lstm-course/requirements.txt")
        zf.writestr("lstm-course/README.txt", NOTEBOOKS_README.format(title=title, wheel=wheel.name))
    return path


class course_downloads(nodes.General, nodes.Element):
    """Placeholder for the list of downloads, filled in when the page's links are known."""


class CourseDownloads(Directive):
    """``` ```{course-downloads} ``` ```: the list of what a reader can take away."""

    has_content = False

    def run(self):
        return [course_downloads()]


def _wheel_name(app: Sphinx) -> str:
    import tomllib

    version = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]["version"]
    return f"lstmlab-{version}-py3-none-any.whl"


def repository_url(config) -> str:
    """The repository's URL from ``_config.yml`` (``repository: url:``), or ``""``."""
    options = getattr(config, "html_theme_options", {}) or {}
    return options.get("repository_url", "") or ""


def _fill_downloads(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    depth = 0 if app.builder.name == "singlehtml" else docname.count("/")
    prefix = "../" * depth + DOWNLOADS + "/"
    for node in list(doctree.findall(course_downloads)):
        items = nodes.bullet_list()
        url = repository_url(app.config)
        entries = []
        if url:
            entries.append(("The repository: ", url, url, " (clone it to get the notebooks, the tests and the site)."))
        wheel = _wheel_name(app)
        entries.append(
            ("", prefix + NOTEBOOKS_ZIP, NOTEBOOKS_ZIP, ": every chapter's notebook, the lstmlab wheel, a README.")
        )
        entries.append(("", prefix + wheel, wheel, ": the course's package alone (pip install it)."))
        entries.append(("", prefix + PDF_NAME, PDF_NAME, ": the whole book in one PDF, for print or offline reading."))
        for before, uri, text, after in entries:
            para = nodes.paragraph()
            if before:
                para += nodes.Text(before)
            para += nodes.reference(text, text, refuri=uri, classes=["download-link"])
            para += nodes.Text(after)
            items += nodes.list_item("", para)
        node.replace_self(items)


def _write_downloads(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.name != "html":
        return
    dest = Path(app.outdir) / DOWNLOADS
    try:
        wheel = build_wheel(dest)
    except subprocess.CalledProcessError as error:
        logger.warning("could not build the lstmlab wheel: %s", error.stderr.decode(errors="replace")[-2000:])
        return
    build_notebooks_zip(dest, wheel, app.config.project)
    pdf = ROOT / "_build" / PDF_NAME
    if pdf.exists():  # made by `make pdf`; copied so that a rebuilt site keeps it
        shutil.copy2(pdf, dest / PDF_NAME)


# --------------------------------------------------------------------------------------------
# Weight: drop what no reader loads.
# --------------------------------------------------------------------------------------------

#: What no reader's browser loads: the theme's translations (used while building), sphinx-thebe's
#: files (the site has no thebe), template leftovers. Checked by tests/test_site.py, which finds
#: every file that a page loads.
UNUSED_STATIC = [
    "_static/locales",
    "_static/sphinx-thebe.js",
    "_static/sphinx-thebe.css",
    "_static/webpack-macros.html",
    "_static/sbt-webpack-macros.html",
]
#: Font Awesome's script (1.5 MB on every first visit) turns icons into SVG; the theme's stylesheet
#: already draws the same icons from the webfont, so the script is left out of the pages.
FONTAWESOME_SCRIPT = re.compile(r'<script[^>]*\bsrc="[^"]*_static/scripts/fontawesome\.js[^"]*"[^>]*>\s*</script>\s*')


#: The theme's search button is labelled "Search" but shows "Search Ctrl+K": without the label, its
#: name is what it shows (axe-core's label-content-name-mismatch).
SEARCH_BUTTON_LABEL = re.compile(
    r'(<button class="btn search-button-field search-button__button[^>]*?)\s+aria-label="Search"'
)


#: docutils marks the bibliography as an ARIA list of doc-biblioentry items, but the list also holds
#: link targets (<a>), which a list may not (axe-core's aria-required-children): no roles there.
CITATION_ROLES = re.compile(r'(?<=<div) role="list"(?= class="citation-list")|(?<=") role="doc-biblioentry"')


def prune_site(outdir: Path) -> int:
    """Delete from the built site what no page loads; returns the bytes freed.

    That is every ``*.map`` (source maps, for the theme's developers), :data:`UNUSED_STATIC`,
    Font Awesome's script (and its tag in every page) and the TrueType copies of the webfonts
    (every browser that the theme supports takes the WOFF2 file). It also drops the search
    button's ``aria-label`` (see :data:`SEARCH_BUTTON_LABEL`).
    """
    freed = 0

    def remove(path: Path) -> None:
        nonlocal freed
        if path.is_dir():
            freed += sum(f.stat().st_size for f in path.rglob("*") if f.is_file())
            shutil.rmtree(path)
        elif path.is_file():
            freed += path.stat().st_size
            path.unlink()

    for path in list(outdir.rglob("*.map")):
        remove(path)
    for name in UNUSED_STATIC:
        remove(outdir / name)
    for ttf in list((outdir / "_static" / "vendor").rglob("*.ttf")):
        if ttf.with_suffix(".woff2").exists():
            remove(ttf)
    for page in outdir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        if "fontawesome.js" in text:
            page.write_text(FONTAWESOME_SCRIPT.sub("", text), encoding="utf-8")
    remove(outdir / "_static" / "scripts" / "fontawesome.js")
    for page in outdir.rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        tidy = SEARCH_BUTTON_LABEL.sub(r"\1", text)
        if "citation-list" in tidy:
            tidy = CITATION_ROLES.sub("", tidy)
        if tidy != text:
            page.write_text(tidy, encoding="utf-8")
    # A source map's reference would make browsers' developer tools ask for the deleted file.
    for script in list(outdir.rglob("*.js")) + list(outdir.rglob("*.css")):
        text = script.read_text(encoding="utf-8", errors="surrogateescape")
        if "sourceMappingURL=" in text:
            text = re.sub(r"\n?//# sourceMappingURL=\S+[ \t]*", "\n", text)
            text = re.sub(r"/\*# sourceMappingURL=\S+ ?\*/", "", text)
            script.write_text(text, encoding="utf-8", errors="surrogateescape")
    return freed


def _prune(app: Sphinx, exception: Exception | None) -> None:
    if exception is None and app.builder.format == "html":
        prune_site(Path(app.outdir))


def setup(app: Sphinx) -> dict:
    _register_authoryear_style()
    app.add_node(course_downloads)
    app.add_directive("course-downloads", CourseDownloads)
    app.connect("builder-inited", _offer_html_visitors_to_singlehtml)
    app.connect("doctree-resolved", _number_figures)
    app.connect("doctree-resolved", _fill_downloads)
    app.connect("build-finished", _write_downloads)
    app.connect("build-finished", _prune, priority=900)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
