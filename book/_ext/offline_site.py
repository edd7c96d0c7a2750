"""A small Sphinx extension for the course site.

* Each executed notebook page states, under its title, how long its execution took and links to
  the table of all execution times (the page ``book/timings``).
* Notebooks executed during the build see ``LSTMLAB_PROGRESS=0``, so the trainer hides its
  tqdm bars (they would be saved into the page as noise).
* sphinx-thebe (loaded by Jupyter Book whatever the configuration) is kept out of the pages: its
  inline script points at a CDN, its configuration names an example repository, and with launch
  buttons off nothing on the site uses it. The widget state a notebook saved is left out too: the
  static site has no widget manager to use it.
* Exercises, solutions and figures are numbered chapter by chapter ("Exercise 7.3"), not across
  the whole site: the table of contents is unnumbered (each chapter title carries its own number),
  and without this Sphinx would count them from the first page to the last, so adding a chapter
  would renumber every exercise after it. Pages that are not chapters count from 1 on their own.
* After the HTML is written, every page is checked for ``<script>`` or ``<link>`` tags that load
  a resource from another host. The site must work with no network (MathJax is served from
  ``_static/mathjax``), so such a tag is reported as a warning, and ``-W`` makes it an error.
"""

from __future__ import annotations

import html
import os
import re
import time
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

# <script ... src="http..."> and <link ... href="http..."> (also protocol-relative "//host/...").
REMOTE_TAG = re.compile(
    r"<(?:script[^>]*\ssrc|link[^>]*\shref)\s*=\s*[\"'](?P<url>(?:https?:)?//[^\"']+)[\"']",
    re.IGNORECASE,
)


def find_remote_resources(html: str) -> list[str]:
    """Return the URLs of scripts and stylesheets that ``html`` loads from another host."""
    return [m.group("url") for m in REMOTE_TAG.finditer(html)]


CHAPTER = re.compile(r"(?:^|/)(\d+)_[^/]*$")


def chapter_number(docname: str) -> tuple:
    """``(7,)`` for ``notebooks/07_learning_to_forget``; ``()`` for a page that is not a chapter."""
    m = CHAPTER.search(docname)
    return (int(m.group(1)),) if m else ()


def _number_per_chapter(app: Sphinx, env) -> list:
    """Renumber every numbered item (exercise, solution, figure, ...) from 1 within its page."""
    for docname, figtypes in env.toc_fignumbers.items():
        prefix = chapter_number(docname)
        for figtype, numbers in figtypes.items():
            in_order = sorted(numbers, key=lambda ident: numbers[ident])
            figtypes[figtype] = {ident: prefix + (k,) for k, ident in enumerate(in_order, 1)}
    return []


def _set_build_environment(app: Sphinx, config) -> None:
    os.environ["LSTMLAB_PROGRESS"] = "0"


WIDGET_STATE = "application/vnd.jupyter.widget-state+json"
# sphinx-thebe appends its configuration (naming an example repository of its own) to every page.
THEBE_CONFIG = re.compile(
    r"\s*<script type=\"text/x-thebe-config\">.*?</script>\s*(?:<script>kernelName = '[^']*'</script>)?",
    re.DOTALL,
)


def _is_unused(asset) -> bool:
    """A thebe asset, or the saved state of a notebook's widgets (no widget manager on the site)."""
    filename = getattr(asset, "filename", None) or str(asset)
    attributes = getattr(asset, "attributes", {}) or {}
    body = attributes.get("body", "") or ""
    return "thebe" in filename or "THEBE_JS_URL" in body or attributes.get("type") == WIDGET_STATE


def drop_thebe_config(body: str) -> str:
    """``body`` without sphinx-thebe's inline configuration."""
    return THEBE_CONFIG.sub("\n", body)


def _drop_thebe(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    for key in ("script_files", "css_files"):
        if key in context:
            context[key] = [asset for asset in context[key] if not _is_unused(asset)]
    if context.get("body"):
        context["body"] = drop_thebe_config(context["body"])


def _check_offline(app: Sphinx, exception: Exception | None) -> None:
    if exception is not None or app.builder.format != "html":
        return
    outdir = Path(app.outdir)
    for page in sorted(outdir.rglob("*.html")):
        for url in find_remote_resources(page.read_text(encoding="utf-8", errors="replace")):
            logger.warning(
                "%s loads %s from the network; the site must work offline",
                page.relative_to(outdir),
                url,
                type="offline_site",
            )


TIMINGS_DOC = "book/timings"


def execution_note(runtime: float | None, mtime: float, timings_uri: str | None) -> str:
    """The HTML line put under a notebook page's title, e.g. "Executed in 12.3 s on 2026-11-22"."""
    when = time.strftime("%Y-%m-%d", time.localtime(mtime))
    took = f"in {runtime:.1f} s " if runtime is not None else ""
    text = f"Executed {took}on {when}"
    link = f' (see <a href="{html.escape(timings_uri)}">all execution times</a>)' if timings_uri else ""
    return f'<p class="nb-exec-note">{html.escape(text)}{link}.</p>'


def _add_execution_note(app: Sphinx, pagename: str, templatename: str, context: dict, doctree) -> None:
    data = getattr(app.env, "nb_metadata", {}).get(pagename, {}).get("exec_data")
    body = context.get("body")
    if not data or not body:
        return
    timings_uri = None
    if TIMINGS_DOC in app.env.found_docs:
        timings_uri = app.builder.get_relative_uri(pagename, TIMINGS_DOC)
    note = execution_note(data.get("runtime"), data.get("mtime", time.time()), timings_uri)
    end_of_title = body.find("</h1>")
    if end_of_title == -1:
        context["body"] = note + body
    else:
        cut = end_of_title + len("</h1>")
        context["body"] = body[:cut] + note + body[cut:]


def setup(app: Sphinx) -> dict:
    app.connect("config-inited", _set_build_environment)
    app.connect("env-get-updated", _number_per_chapter, priority=900)  # after Sphinx numbers them
    app.connect("html-page-context", _add_execution_note)
    app.connect("html-page-context", _drop_thebe)
    app.connect("build-finished", _check_offline)
    return {"version": "1.0", "parallel_read_safe": True, "parallel_write_safe": True}
