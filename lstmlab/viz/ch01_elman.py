"""Chapter 1's figure: the error of a next-bit predictor on Elman's temporal XOR, step by step.

Elman (1990) fed a recurrent network a stream of bits in which every third bit is the XOR
of the two before it, and asked it to predict the next bit. Only the XOR bits can be
predicted; :func:`xor_error_plot` shows the squared error at each position of the stream,
coloured by the position within its triple, for one or more trained networks.
"""

from __future__ import annotations

import numpy as np

from ..checks import check_array
from .style import CYCLE, MUTED, course_style, new_figure, set_alt


def xor_error_plot(errors: dict, steps: int = 24, ax=None):
    """Squared error against position in the stream, one line per network (median and range over seeds).

    Parameters
    ----------
    errors : dict
        label -> array of squared errors, ``errors[label][..., i]`` for predicting bit ``i + 1`` of
        the stream from bits ``0..i``: 1-D for one run, or (n_seeds, n) for several seeds, drawn as
        the median with a band from the lowest to the highest seed.
    steps : int
        How many positions to draw (a multiple of 3 reads best).
    ax : matplotlib Axes, optional

    Returns
    -------
    The Figure, with ``fig.alt_text``.
    """
    if not isinstance(errors, dict) or not errors:
        raise ValueError(f"errors: expected a non-empty dict label -> array, got {type(errors).__name__}")
    seeds = {}
    with course_style():
        fig, ax = new_figure(ax, figsize=(6.4, 3.0))
        for n, (label, err) in enumerate(errors.items()):
            err = np.asarray(err, dtype=float)
            err = check_array(f"errors[{label!r}]", err if err.ndim == 2 else err[None], shape=(None, None))
            err = err[:, :steps]
            seeds[label] = err.shape[0]
            pos = np.arange(1, err.shape[1] + 1)
            median = np.median(err, axis=0)
            name = label if err.shape[0] == 1 else f"{label} (median of {err.shape[0]} seeds)"
            ax.plot(pos, median, marker="o", ms=4, color=CYCLE[n], label=name)
            if err.shape[0] > 1:
                ax.fill_between(pos, err.min(axis=0), err.max(axis=0), color=CYCLE[n], alpha=0.2, lw=0)
        for s in range(3, steps + 1, 3):
            ax.axvline(s, color=MUTED, lw=0.8, ls=":", zorder=0)
        ax.axhline(0.25, color=MUTED, lw=1.0, ls="--")
        ax.text(steps + 0.3, 0.25, "guessing 0.5", va="center", ha="left", fontsize=8, color=MUTED)
        ax.set_xlim(0.5, steps + 4.5)
        ax.set_xlabel("position of the predicted bit in the stream (dotted: the XOR bits)")
        ax.set_ylabel("squared error")
        ax.legend(loc="upper left", ncols=len(errors), fontsize=8)
    labels = ", ".join(f"{label} ({k} seed{'s' if k > 1 else ''})" for label, k in seeds.items())
    return set_alt(
        fig,
        f"Squared error of next-bit prediction on the temporal XOR stream for {labels}, over the first {steps} "
        "positions: the median over the seeds as a line, the range of the seeds as a band. At the two random "
        "bits of every triple the error stays near the level of guessing 0.5 (0.25); at every third position, "
        "the XOR bit, it dips below it.",
    )
