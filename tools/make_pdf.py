"""The whole book as one PDF: the single-page HTML build, printed by Debian's Chromium.

    python tools/make_pdf.py            # (what `make pdf` runs) -> _build/lstm-course.pdf

1. ``jupyter-book build . --builder singlehtml`` writes the book as one page into
   ``_build/singlehtml`` (notebooks come from the execution cache; book/_ext/reader_site.py
   gives sphinx-proof the visitors that builder needs, and numbers the figures per chapter).
2. Debian's Chromium (``/usr/bin/chromium``, headless, driven by ``/usr/bin/chromedriver``
   through Selenium, no network) prints that page to A4 once MathJax has typeset it, with the
   site's print stylesheet. Jupyter Book's own ``pdfhtml`` builder is not used: it downloads a
   browser.
3. The PDF is copied into the website's ``downloads/`` when the site is built, so the site links it.

Nothing is fetched from the network; the site's own MathJax is used.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from pathlib import Path

import chromium  # tools/chromium.py, beside this script

ROOT = Path(__file__).resolve().parents[1]
SINGLE = ROOT / "_build" / "singlehtml"
PDF = ROOT / "_build" / "lstm-course.pdf"


def build_singlehtml(config: Path | None = None) -> None:
    """Build the single-page HTML into _build/singlehtml (with another ``_config.yml`` if given)."""
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book) if jupyter_book.exists() else "jupyter-book", "build", ".", "--builder", "singlehtml"]
    command += ["-W", "--keep-going"] + (["--config", str(config)] if config else [])
    env = dict(os.environ, LSTMLAB_PROGRESS="0")
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-6000:] + result.stderr[-3000:])
        raise SystemExit(f"the single-page build failed: {' '.join(command)}")


def single_page() -> Path:
    """The single page, copied to the build's root so that its relative links resolve.

    Jupyter Book writes the root document (``book/intro``) to ``book/intro.html`` but links its
    assets as if it were at the root (``_static/...``).
    """
    pages = [p for p in SINGLE.rglob("*.html") if p.parent.name != "_static" and "_static" not in p.parts]
    source = max(pages, key=lambda p: p.stat().st_size)
    target = SINGLE / "book.html"
    if source != target:
        shutil.copy2(source, target)
    return target


def print_to_pdf(page: Path, pdf: Path) -> Path:
    """Print ``page`` to A4 with headless Chromium, driven by chromedriver, once MathJax is done."""
    import base64

    if chromium.missing():
        raise SystemExit(chromium.missing())
    pdf.parent.mkdir(parents=True, exist_ok=True)
    # Printing a hundred pages takes minutes on a busy machine: wait for chromedriver that long.
    timeouts = dict(page_load_timeout=300, script_timeout=300, command_timeout=900)
    with chromium.chromium(flags=("--allow-file-access-from-files",), **timeouts) as driver:
        driver.get(page.as_uri())
        state = driver.execute_async_script(chromium.wait_for_mathjax(120000))
        if state not in ("ok", "no maths on this page"):
            raise SystemExit(f"MathJax did not finish typesetting {page}: {state}")
        # Images drawn lazily must be there before printing.
        driver.execute_script("document.querySelectorAll('img').forEach(i => { i.loading = 'eager'; });")
        options = {"printBackground": True, "preferCSSPageSize": True, "paperWidth": 8.27, "paperHeight": 11.69}
        data = driver.execute_cdp_cmd("Page.printToPDF", options)["data"]
    pdf.write_bytes(base64.b64decode(data))
    return pdf


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-build", action="store_true", help="print the existing _build/singlehtml")
    parser.add_argument("--output", type=Path, default=PDF)
    parser.add_argument("--config", type=Path, help="another _config.yml for the build")
    args = parser.parse_args(argv)
    if not args.no_build:
        build_singlehtml(args.config)
    pdf = print_to_pdf(single_page(), args.output)
    site_downloads = ROOT / "_build" / "html" / "downloads"
    if site_downloads.is_dir():
        shutil.copy2(pdf, site_downloads / pdf.name)
    print(f"{pdf} ({pdf.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
