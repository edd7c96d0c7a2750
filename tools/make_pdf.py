"""The whole book as one PDF: the single-page HTML build, printed by Debian's Chromium.

    python tools/make_pdf.py            # (what `make pdf` runs) -> _build/lstm-course.pdf

1. ``jupyter-book build . --builder singlehtml`` writes the book as one page into
   ``_build/singlehtml`` (notebooks come from the execution cache; book/_ext/reader_site.py
   gives sphinx-proof the visitors that builder needs, and numbers the figures per chapter).
2. Chromium (``/usr/bin/chromium``, headless, no network) prints that page to A4, after MathJax
   has typeset it. Jupyter Book's own ``pdfhtml`` builder is not used: it downloads a browser.
3. The PDF is copied into the website's ``downloads/`` when the site is built, so the site links it.

Nothing is fetched from the network; the site's own MathJax is used.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SINGLE = ROOT / "_build" / "singlehtml"
PDF = ROOT / "_build" / "lstm-course.pdf"
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))


def build_singlehtml() -> Path:
    """Build the single-page HTML; returns its index.html."""
    jupyter_book = Path(sys.executable).with_name("jupyter-book")
    command = [str(jupyter_book) if jupyter_book.exists() else "jupyter-book", "build", ".", "--builder", "singlehtml"]
    command += ["-W", "--keep-going"]
    env = dict(os.environ, LSTMLAB_PROGRESS="0")
    result = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        sys.stderr.write(result.stdout[-6000:] + result.stderr[-3000:])
        raise SystemExit(f"the single-page build failed: {' '.join(command)}")
    return SINGLE / "index.html"


def print_to_pdf(page: Path, pdf: Path, budget_ms: int = 120_000) -> Path:
    """Print ``page`` with headless Chromium into ``pdf`` (A4, as the print stylesheet lays it out)."""
    if not CHROMIUM.exists():
        raise SystemExit(f"needs {CHROMIUM} (Debian: apt-get install chromium)")
    pdf.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="lstm-pdf-chromium-") as profile:
        command = [
            str(CHROMIUM),
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-dev-shm-usage",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            f"--user-data-dir={profile}",
            "--no-pdf-header-footer",
            "--run-all-compositor-stages-before-draw",
            f"--virtual-time-budget={budget_ms}",
            f"--print-to-pdf={pdf}",
            page.as_uri(),
        ]
        subprocess.run(command, check=True, capture_output=True, timeout=600)
    if not pdf.exists() or pdf.stat().st_size == 0:
        raise SystemExit(f"Chromium wrote no PDF to {pdf}")
    return pdf


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--no-build", action="store_true", help="print the existing _build/singlehtml")
    parser.add_argument("--output", type=Path, default=PDF)
    args = parser.parse_args(argv)
    index = SINGLE / "index.html" if args.no_build else build_singlehtml()
    pdf = print_to_pdf(index, args.output)
    site_downloads = ROOT / "_build" / "html" / "downloads"
    if site_downloads.is_dir():
        shutil.copy2(pdf, site_downloads / pdf.name)
    print(f"{pdf} ({pdf.stat().st_size / 1e6:.1f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
