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
    """Squared error against position in the stream, one line per network.

    Parameters
    ----------
    errors : dict
        label -> 1-D array of squared errors, ``errors[label][i]`` for predicting bit ``i + 1``
        of the stream from bits ``0..i``.
    steps : int
        How many positions to draw (a multiple of 3 reads best).
    ax : matplotlib Axes, optional

    Returns
    -------
    The Figure, with ``fig.alt_text``.
    """
    if not isinstance(errors, dict) or not errors:
        raise ValueError(f"errors: expected a non-empty dict label -> array, got {type(errors).__name__}")
    with course_style():
        fig, ax = new_figure(ax, figsize=(6.4, 3.0))
        for n, (label, err) in enumerate(errors.items()):
            err = check_array(f"errors[{label!r}]", np.asarray(err, dtype=float), shape=(None,))[:steps]
            ax.plot(np.arange(1, len(err) + 1), err, marker="o", ms=4, color=CYCLE[n], label=label)
        for s in range(3, steps + 1, 3):
            ax.axvline(s, color=MUTED, lw=0.8, ls=":", zorder=0)
        ax.axhline(0.25, color=MUTED, lw=1.0, ls="--")
        ax.text(steps + 0.3, 0.25, "guessing 0.5", va="center", ha="left", fontsize=8, color=MUTED)
        ax.set_xlim(0.5, steps + 4.5)
        ax.set_xlabel("position of the predicted bit in the stream (dotted: the XOR bits)")
        ax.set_ylabel("squared error")
        ax.legend(loc="upper left", ncols=len(errors))
    labels = ", ".join(errors)
    return set_alt(
        fig,
        f"Squared error of next-bit prediction on the temporal XOR stream for {labels}, over the first {steps} "
        "positions. The error dips close to zero at every third position, the XOR bits, and stays near the "
        "level of guessing 0.5 (0.25) at the two random bits in between.",
    )
