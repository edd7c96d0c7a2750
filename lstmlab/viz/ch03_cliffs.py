"""Chapter 3's figures: error flow through one unit, Pascanu's cliff, and an echo state network's memory.

Only the drawing lives here. The chapter computes each quantity in its own cells, in plain
NumPy, and hands the arrays to these functions:

* :func:`plot_unit_error_flow`: Hochreiter's single unit ``y_t = sigma(w y_{t-1} + b)``, the factor
  ``|prod_t sigma'(net_t) w|`` by which it scales an error sent back ``q`` steps, one line per ``w``;
* :func:`plot_cliff`: the loss of Pascanu, Mikolov & Bengio's one-unit recurrence
  ``x_t = w sigma(x_{t-1}) + b`` over a grid of ``(w, b)``, with descent paths drawn on it;
* :func:`plot_esn_memory`: an echo state network's recall ``r^2`` against the delay, one line per
  spectral radius.

Each returns a Figure with ``fig.alt_text`` and takes an optional ``ax``.
"""

from __future__ import annotations

import numpy as np

from ..checks import check_array
from .style import CYCLE, MUTED, OKABE_ITO, course_style, new_figure, set_alt


def _curves(name: str, curves) -> dict:
    """``curves`` as a dict label -> 1-D float array (checked, non-empty)."""
    if not isinstance(curves, dict) or not curves:
        raise ValueError(f"{name}: expected a non-empty dict label -> 1-D array, got {type(curves).__name__}")
    return {k: check_array(f"{name}[{k!r}]", np.asarray(v, dtype=np.float64), shape=(None,)) for k, v in curves.items()}


def plot_unit_error_flow(flows: dict, ax=None):
    """The error scaling of one sigmoid unit against the number of steps q, one line per weight w.

    Parameters
    ----------
    flows : dict
        ``w -> factors`` with ``factors[q]`` the factor after q steps back (``factors[0] = 1``).
    """
    flows = _curves("flows", flows)
    with course_style():
        fig, ax = new_figure(ax)
        for n, (w, flow) in enumerate(flows.items()):
            ax.semilogy(np.arange(flow.size), flow, color=CYCLE[n % len(CYCLE)], label=f"w = {w:g}")
        ax.axhline(1.0, color=MUTED, lw=1.0, ls=":")
        ax.set_xlabel("steps back q")
        ax.set_ylabel(r"$|\prod_t \sigma'(net_t)\, w|$")
        ax.set_title(r"one sigmoid unit, $y_t = \sigma(w\, y_{t-1} - w/2)$")
        ax.legend(loc="lower left", ncol=2)
    q = max(f.size for f in flows.values()) - 1
    alt = (
        f"Log-scale plot of the factor by which one sigmoid unit scales an error sent back q steps, for q from 0 "
        f"to {q}, one line per self-weight w ({', '.join(f'{w:g}' for w in flows)}). It shrinks from the first "
        "step for w below 4, hovers just under 1 at w = 4, and above 4 grows at first and then collapses as the "
        "unit saturates."
    )
    return set_alt(fig, alt)


def plot_cliff(w_grid, b_grid, loss, paths: dict, T: int = 50, ax=None):
    """The loss surface (log colour scale) of the one-unit recurrence with descent paths drawn on it.

    Parameters
    ----------
    w_grid, b_grid, loss : arrays (n_b, n_w), as from ``np.meshgrid`` and the loss on that grid
    paths : dict
        label -> path (k, 2) of ``(w, b)`` points.
    T : int
        The number of steps the loss was computed over (for the title only).
    """
    w_grid = check_array("w_grid", np.asarray(w_grid, dtype=np.float64), shape=(None, None))
    b_grid = check_array("b_grid", np.asarray(b_grid, dtype=np.float64), shape=w_grid.shape)
    loss = check_array("loss", np.asarray(loss, dtype=np.float64), shape=w_grid.shape)
    if not isinstance(paths, dict):
        raise TypeError(f"paths: expected a dict label -> array (k, 2), got {type(paths).__name__}")
    paths = {
        k: check_array(f"paths[{k!r}]", np.asarray(p, dtype=np.float64), shape=(None, 2)) for k, p in paths.items()
    }
    w_range, b_range = (w_grid.min(), w_grid.max()), (b_grid.min(), b_grid.max())
    colors = [OKABE_ITO["vermillion"], OKABE_ITO["sky"], OKABE_ITO["yellow"]]
    with course_style():
        fig, ax = new_figure(ax, figsize=(6.4, 4.4))
        im = ax.pcolormesh(w_grid, b_grid, np.log10(loss + 1e-8), cmap="viridis", shading="auto", rasterized=True)
        ax.grid(False)
        fig.colorbar(im, ax=ax, label=r"$\log_{10}$ loss")
        for k, (label, path) in enumerate(paths.items()):
            c = colors[k % len(colors)]
            ax.plot(path[:, 0], path[:, 1], "-o", color=c, ms=3, lw=1.4, label=label, clip_on=True)
            ax.plot(path[0, 0], path[0, 1], marker="*", ms=11, color=c, mec="white", mew=0.8)
        ax.set_xlim(*w_range)
        ax.set_ylim(*b_range)
        ax.set_xlabel("w")
        ax.set_ylabel("b")
        ax.set_title(rf"loss of $x_t = w\,\sigma(x_{{t-1}}) + b$ after T = {T} steps")
        ax.legend(loc="upper left", framealpha=0.95)
    alt = (
        f"Heat map of the log loss of a one-unit recurrent network over its weight w (x axis, {w_range[0]:g} to "
        f"{w_range[1]:g}) and bias b (y axis, {b_range[0]:g} to {b_range[1]:g}). A narrow curved ridge, the cliff, "
        f"separates two flat regions. Descent paths drawn on it, each starting at a star: {', '.join(paths)}."
    )
    return set_alt(fig, alt)


def plot_esn_memory(delays, curves: dict, ax=None):
    """The memory curve of an echo state network (``r^2`` of the recalled input against the delay).

    Parameters
    ----------
    delays : array (n,), the delays d
    curves : dict
        spectral radius ``rho`` -> ``r2`` (n,), the squared correlation at each delay.
    """
    delays = check_array("delays", np.asarray(delays, dtype=np.float64), shape=(None,))
    curves = _curves("curves", curves)
    for rho, r2 in curves.items():
        if r2.shape != delays.shape:
            raise ValueError(f"curves[{rho!r}]: expected shape {delays.shape} like delays, got {r2.shape}")
    with course_style():
        fig, ax = new_figure(ax)
        for n, (rho, r2) in enumerate(curves.items()):
            ax.plot(delays, r2, color=CYCLE[n % len(CYCLE)], label=rf"$\rho$ = {rho:g}")
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("delay d (steps)")
        ax.set_ylabel(r"$r^2$ of the recalled $u_{t-d}$")
        ax.set_title("echo state network: only the readout is trained")
        ax.legend(loc="upper right")

    def half_life(r2):  # the first delay at which the recall drops below r^2 = 0.5
        below = np.flatnonzero(r2 < 0.5)
        return f"below 0.5 from d = {delays[below[0]]:g}" if below.size else "above 0.5 throughout"

    alt = (
        "Line plot of how well a trained linear readout of a fixed random reservoir recalls the input d steps back "
        f"(squared correlation, 0 to 1) against d from {delays.min():g} to {delays.max():g}, one line per spectral "
        "radius: " + "; ".join(f"rho {rho:g}: {half_life(r2)}" for rho, r2 in curves.items()) + "."
    )
    return set_alt(fig, alt)
