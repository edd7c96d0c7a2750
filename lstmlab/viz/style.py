"""One look for every figure of the course, and a way to show it with alt text.

The book has a light and a dark mode. Every figure is drawn on an **opaque
light panel** (near-white background, dark text, a colour-blind-safe palette),
so it reads the same on a white and on a dark page: one choice, made here.

* :func:`course_style` is a context manager that applies :data:`COURSE_RC`;
  every figure function of :mod:`lstmlab.viz` draws inside it.
  :func:`use_course_style` applies the same settings globally, for a learner's
  own plots.
* :func:`new_figure` makes a figure (or reuses a given ``ax``); the figures are
  not registered with pyplot, so a notebook never shows one twice.
* :func:`show` displays a figure as an HTML ``<img>`` with an ``alt``
  attribute and the PNG inlined as base64. MyST-NB passes ``text/html``
  outputs to the built page unchanged, so the alt text reaches the website;
  it puts alt text on an ``image/png`` output only from cell metadata, never
  from the code. The PNG bytes are deterministic (Agg, fixed DPI, no
  ``Software`` or date metadata), so a re-executed notebook gives the same
  HTML, as nbval requires.
"""

from __future__ import annotations

import base64
import html
import io
from contextlib import contextmanager

import matplotlib
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

#: The Okabe-Ito palette (Okabe & Ito 2008), safe for every common colour-vision deficiency.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#E69F00",
    "sky": "#56B4E9",
    "green": "#009E73",
    "yellow": "#F0E442",
    "blue": "#0072B2",
    "vermillion": "#D55E00",
    "purple": "#CC79A7",
}

#: The order in which lines take colours (yellow last: it is pale on the light panel).
CYCLE = [OKABE_ITO[k] for k in ("blue", "orange", "green", "vermillion", "purple", "sky", "black", "yellow")]

#: One colour per gate and state, the same in every figure and diagram.
GATE_COLORS = {
    "i": OKABE_ITO["blue"],
    "f": OKABE_ITO["orange"],
    "g": OKABE_ITO["green"],
    "o": OKABE_ITO["vermillion"],
    "c": OKABE_ITO["purple"],
    "h": OKABE_ITO["black"],
    "r": OKABE_ITO["sky"],
    "z": OKABE_ITO["orange"],
    "n": OKABE_ITO["green"],
}

PANEL = "#fafafa"  #: the figure background: an opaque light panel
INK = "#222222"  #: text, axes and lines
MUTED = "#8a8a8a"  #: reference lines, greyed-out parts of diagrams
GRID = "#dddddd"

#: Figure width that fits a book column (inches); heights vary per figure.
WIDTH = 6.4
#: Dots per inch of every saved PNG: twice the 96 CSS pixels per inch the page shows it at, so
#: that it stays sharp on high-density (2x) screens and when a reader taps it to enlarge it.
DPI = 192
#: CSS pixels per inch used for the ``width`` of the ``<img>``.
CSS_DPI = 96

#: The rcParams of the course style.
COURSE_RC = {
    "figure.facecolor": PANEL,
    "figure.edgecolor": PANEL,
    "figure.figsize": (WIDTH, 3.6),
    "figure.dpi": 100,
    "savefig.dpi": DPI,
    "savefig.facecolor": PANEL,
    "savefig.edgecolor": PANEL,
    "savefig.transparent": False,
    "axes.facecolor": "#ffffff",
    "axes.edgecolor": INK,
    "axes.labelcolor": INK,
    "axes.titlecolor": INK,
    "axes.prop_cycle": matplotlib.cycler(color=CYCLE),
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.grid": True,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.titleweight": "normal",
    "grid.color": GRID,
    "grid.linewidth": 0.6,
    "xtick.color": INK,
    "ytick.color": INK,
    "xtick.labelsize": 9,
    "ytick.labelsize": 9,
    "text.color": INK,
    "font.size": 10,
    "font.family": "DejaVu Sans",
    "mathtext.fontset": "dejavusans",
    "legend.fontsize": 9,
    "legend.frameon": True,
    "legend.framealpha": 0.9,
    "legend.edgecolor": GRID,
    "lines.linewidth": 1.8,
    "image.cmap": "viridis",
    "svg.hashsalt": "lstmlab",
}


@contextmanager
def course_style():
    """Draw inside this context to get the course look (restores the previous rcParams after)."""
    with matplotlib.rc_context(COURSE_RC):
        yield


def use_course_style() -> None:
    """Apply the course style globally (for a learner's own ``plt`` figures)."""
    matplotlib.rcParams.update(COURSE_RC)


def new_figure(ax=None, figsize=None, nrows=1, ncols=1, diagram=False, **subplot_kw):
    """A figure with the course look and its axes, or ``ax`` and its figure when ``ax`` is given.

    Returns ``(fig, ax)`` (``ax`` an array of axes when ``nrows * ncols > 1``). The figure has an
    Agg canvas and is not registered with pyplot. Call it inside :func:`course_style`. Plots use
    the constrained layout; a ``diagram`` fills the figure with one axes and no layout engine
    (the constrained layout of an equal-aspect axes moves a little at every draw).
    """
    if ax is not None:
        if not isinstance(ax, matplotlib.axes.Axes):
            raise TypeError(f"ax: expected a matplotlib Axes or None, got {type(ax).__name__}")
        return ax.figure, ax
    fig = Figure(figsize=figsize or (WIDTH, 3.6), dpi=100, layout=None if diagram else "constrained")
    FigureCanvasAgg(fig)
    if diagram:
        fig.subplots_adjust(left=0.01, right=0.99, bottom=0.01, top=0.99)
    axes = fig.subplots(nrows, ncols, squeeze=True, **subplot_kw)
    return fig, axes


def set_alt(fig, alt: str):
    """Attach the alt text ``alt`` to ``fig`` (as ``fig.alt_text``) and return ``fig``."""
    if not isinstance(alt, str) or not alt.strip():
        raise ValueError(f"alt: expected a non-empty description of the figure, got {alt!r}")
    fig.alt_text = " ".join(alt.split())
    return fig


def png_bytes(fig, dpi: int = DPI) -> bytes:
    """The figure as PNG bytes: the same bytes every time for the same figure (no date, no software tag)."""
    if not isinstance(fig, Figure):
        raise TypeError(f"fig: expected a matplotlib Figure, got {type(fig).__name__}")
    if not isinstance(fig.canvas, FigureCanvasAgg):
        FigureCanvasAgg(fig)
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi, facecolor=fig.get_facecolor(), metadata={"Software": None})
    return buf.getvalue()


def figure_html(fig, alt: str | None = None, dpi: int = DPI) -> str:
    """An ``<img>`` element with ``alt`` text and the PNG inlined (``data:image/png;base64,...``)."""
    alt = alt if alt is not None else getattr(fig, "alt_text", None)
    if not alt:
        raise ValueError("alt: expected alt text for the figure (pass alt=..., or set fig.alt_text), got none")
    data = base64.b64encode(png_bytes(fig, dpi=dpi)).decode("ascii")
    width = round(fig.get_figwidth() * CSS_DPI)
    return (
        f'<img src="data:image/png;base64,{data}" alt="{html.escape(alt, quote=True)}" width="{width}" '
        'class="lstmlab-figure" style="max-width:100%;height:auto;border-radius:6px" />'
    )


class FigureHTML:
    """What :func:`show` displays: ``text/html`` (the ``<img>`` with alt text, and the caption if any)
    and ``text/plain`` (the alt text, and the caption)."""

    def __init__(self, fig, alt: str | None = None, caption: str | None = None):
        if caption is not None and (not isinstance(caption, str) or not caption.strip()):
            raise ValueError(f"caption: expected a non-empty str or None, got {caption!r}")
        self.alt = alt if alt is not None else getattr(fig, "alt_text", None)
        self.caption = None if caption is None else " ".join(caption.split())
        img = figure_html(fig, alt)
        if self.caption is None:
            self.html = img
        else:
            cap = html.escape(self.caption)
            self.html = f'<figure class="lstmlab-figure-box">{img}<figcaption>{cap}</figcaption></figure>'

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"[figure: {self.alt}]" + (f"\n{self.caption}" if self.caption else "")


def show(fig, alt: str | None = None, caption: str | None = None):
    """Display ``fig`` in a notebook as an ``<img>`` that carries its alt text (``alt`` or ``fig.alt_text``).

    ``caption`` (optional) is shown under the figure, in the page (a ``<figure>`` with a ``<figcaption>``).
    It is compared by nbval like any output, so it states no number that a run computes.

    Outside IPython it prints the alt text. Returns nothing, so a cell that ends with ``show(fig)``
    has exactly one output.
    """
    obj = FigureHTML(fig, alt, caption)
    try:
        from IPython.display import display
    except ImportError:  # pragma: no cover - IPython comes with Jupyter
        print(repr(obj))
        return
    display(obj)
