"""Chapter 7's figures: the cell state on an endless stream, and loss curves side by side.

* :func:`cell_state_plot` -- the mean ``|c_t|`` over time for several models, on a log axis;
* :func:`loss_curves_plot` -- smoothed training-loss curves (one per run) against a baseline.

Both return a Figure with ``fig.alt_text``; show it with :func:`lstmlab.viz.style.show`.
"""

from __future__ import annotations

import numpy as np

from ..checks import check_array, check_positive_int
from .style import CYCLE, MUTED, course_style, new_figure, set_alt


def cell_state_plot(norms: dict, ax=None):
    """The mean absolute cell state ``|c_t|`` (averaged over streams and units) against the step t.

    Parameters
    ----------
    norms : dict label -> 1-D array (T,), the mean ``|c_t|`` at every step
    ax : matplotlib Axes, optional
    """
    if not isinstance(norms, dict) or not norms:
        raise ValueError("norms: expected a non-empty dict label -> 1-D array")
    with course_style():
        fig, ax = new_figure(ax, figsize=(6.4, 3.2))
        for n, (label, v) in enumerate(norms.items()):
            v = check_array(f"norms[{label!r}]", np.asarray(v, dtype=float), shape=(None,))
            ax.plot(np.arange(1, v.size + 1), v, color=CYCLE[n], label=label)
        ax.set_yscale("log")
        ax.set_xlabel("step t of the stream (never reset)")
        ax.set_ylabel("mean |c_t|")
        ax.legend(loc="center right")
    labels = ", ".join(norms)
    return set_alt(
        fig,
        f"The mean absolute cell state against the step of one long stream, on a logarithmic axis, for {labels}. "
        "With a forget gate the curve is flat, bounded near 1; without one it climbs steadily, step after step.",
    )


def loss_curves_plot(curves: dict, baseline: float | None = None, smooth: int = 25, ylabel: str = "loss", ax=None):
    """Training-loss curves, each smoothed by a moving average over ``smooth`` updates, on a log axis.

    Parameters
    ----------
    curves : dict label -> 1-D array, the loss of every update
    baseline : float, optional: drawn as a dashed line (the loss of the best memoryless predictor)
    smooth : int, the moving-average window
    """
    if not isinstance(curves, dict) or not curves:
        raise ValueError("curves: expected a non-empty dict label -> 1-D array")
    smooth = check_positive_int("smooth", smooth)
    with course_style():
        fig, ax = new_figure(ax, figsize=(6.4, 3.2))
        for n, (label, v) in enumerate(curves.items()):
            v = check_array(f"curves[{label!r}]", np.asarray(v, dtype=float), shape=(None,))
            k = min(smooth, v.size)
            ma = np.convolve(v, np.ones(k) / k, mode="valid")
            ax.plot(np.arange(k, v.size + 1), ma, color=CYCLE[n], label=label)
        if baseline is not None:
            ax.axhline(baseline, color=MUTED, lw=1.0, ls="--", label="memoryless baseline")
        ax.set_yscale("log")
        ax.set_xlabel("update")
        ax.set_ylabel(ylabel)
        ax.legend(loc="upper right")
    extra = " A dashed line marks the memoryless baseline." if baseline is not None else ""
    return set_alt(
        fig,
        f"Training loss against the update, smoothed over {smooth} updates, on a logarithmic axis, for "
        f"{', '.join(curves)}.{extra}",
    )


__all__ = ["cell_state_plot", "loss_curves_plot"]
