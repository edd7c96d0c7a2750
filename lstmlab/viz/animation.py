"""Animations that play on the static site: a FuncAnimation as self-contained HTML (``to_jshtml``)."""

from __future__ import annotations

import hashlib
import html
import re
import tempfile
from pathlib import Path

import numpy as np
from matplotlib.animation import FuncAnimation, HTMLWriter

from .gradients import vanishing_gradient_data
from .style import CYCLE, DPI, MUTED, course_style, new_figure, set_alt

MODES = ("once", "loop", "reflect")


class AnimationHTML:
    """An animation as HTML for a notebook (``_repr_html_``), with its alt text as the plain-text output."""

    def __init__(self, html: str, alt: str):
        self.html, self.alt = html, alt

    def _repr_html_(self) -> str:
        return self.html

    def __repr__(self) -> str:
        return f"[animation: {self.alt}]"


def animation_html(anim, fps: int = 5, default_mode: str = "once", dpi: int = 100, alt: str | None = None):
    """The HTML of ``anim`` (every frame embedded as PNG, with play controls), made deterministic.

    Matplotlib's HTML writer names its elements with a random ``uuid4``; this function replaces that
    id with one derived from the frames, and writes PNG frames without a software tag, so the same
    animation gives the same HTML on every run (nbval compares it).

    Parameters
    ----------
    anim : matplotlib.animation.FuncAnimation with a fixed number of frames
    fps : int, frames per second
    default_mode : ``"once"``, ``"loop"`` or ``"reflect"``
    dpi : int, resolution of the frames
    alt : str, optional: a description (default: ``anim._fig.alt_text``)

    Returns
    -------
    AnimationHTML: display it, or take ``.html``
    """
    if not isinstance(anim, FuncAnimation):
        raise TypeError(f"anim: expected a matplotlib FuncAnimation, got {type(anim).__name__}")
    if default_mode not in MODES:
        raise ValueError(f"default_mode: expected one of {list(MODES)}, got {default_mode!r}")
    if isinstance(fps, bool) or not isinstance(fps, (int, np.integer)) or fps < 1:
        raise ValueError(f"fps: expected a positive int, got {fps!r}")
    alt = alt or getattr(anim._fig, "alt_text", None)
    if not alt:
        raise ValueError("alt: expected alt text (pass alt=..., or set alt_text on the animation's figure), got none")
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "anim.html")
        writer = HTMLWriter(fps=fps, embed_frames=True, default_mode=default_mode)
        anim.save(str(path), writer=writer, dpi=dpi, savefig_kwargs={"metadata": {"Software": None}})
        text = path.read_text()
    ids = set(re.findall(r"_anim_img([0-9a-f]{32})", text))
    for old in ids:
        text = text.replace(old, "{ANIM_ID}")
    text = text.replace("{ANIM_ID}", "lstmlab" + hashlib.sha256(text.encode()).hexdigest()[:25])
    return AnimationHTML(f'<div role="img" aria-label="{_escape(alt)}">{text}</div>', alt)


def _escape(s: str) -> str:
    return html.escape(s, quote=True)


def jacobian_norm_animation(rhos=(0.5, 1.0, 1.5), nonlinearity="tanh", T=40, H=16, seed=0, frames=20):
    """A FuncAnimation of :func:`~lstmlab.viz.gradients.plot_jacobian_norms` growing lag by lag.

    Pass it to :func:`animation_html`. ``frames`` frames reveal lags 0..T in equal portions.
    """
    curves = [vanishing_gradient_data(rho, nonlinearity, T, H, seed) for rho in rhos]
    with course_style():
        fig, ax = new_figure(None, figsize=(6.4, 3.4))
        lines = [
            ax.semilogy([], [], color=CYCLE[n % len(CYCLE)], label=rf"$\rho = {rho:g}$")[0]
            for n, rho in enumerate(rhos)
        ]
        lo = min(float(np.maximum(norms, 1e-300).min()) for _, norms in curves)
        hi = max(float(norms.max()) for _, norms in curves)
        ax.set_xlim(0, T)
        ax.set_ylim(lo / 3, hi * 3)
        ax.axhline(1.0, color=MUTED, lw=1.0, ls=":")
        ax.set_xlabel("lag $T - k$ (steps)")
        ax.set_ylabel(r"$\|\partial h_T / \partial h_k\|_2$")
        ax.legend(loc="lower left")
    set_alt(
        fig,
        f"Animation: the norm of dh_T/dh_k drawn lag by lag up to {T} for a {nonlinearity} RNN with spectral radii "
        f"{', '.join(f'{r:g}' for r in rhos)}; the smaller the radius, the faster the norm falls.",
    )

    def update(frame):
        upto = int(round((frame + 1) * T / frames))
        for line, (lags, norms) in zip(lines, curves):
            line.set_data(lags[: upto + 1], np.maximum(norms[: upto + 1], 1e-300))
        return lines

    return FuncAnimation(fig, update, frames=frames, interval=200, blit=False, repeat=False)


__all__ = ["DPI", "AnimationHTML", "animation_html", "jacobian_norm_animation"]
