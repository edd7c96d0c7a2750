"""Chapter 2's figure: how far truncated BPTT's gradient is from the full one, against the window k.

:func:`truncation_bias_plot` draws, for each task, the cosine similarity between the
truncated gradient (window k) and the full BPTT gradient, on a logarithmic axis of k.
"""

from __future__ import annotations

import numpy as np

from ..checks import check_array
from .style import CYCLE, MUTED, course_style, new_figure, set_alt


def truncation_bias_plot(ks, cosines: dict, lags: dict | None = None, ax=None):
    """Cosine similarity of truncated and full gradients against the truncation window k.

    Parameters
    ----------
    ks : 1-D array of int, the windows
    cosines : dict label -> 1-D array (one cosine per k)
    lags : dict label -> int, optional: the task's lag, drawn as a vertical line
    ax : matplotlib Axes, optional

    Returns
    -------
    The Figure, with ``fig.alt_text``.
    """
    ks = check_array("ks", np.asarray(ks, dtype=float), shape=(None,))
    with course_style():
        fig, ax = new_figure(ax, figsize=(6.4, 3.2))
        for n, (label, cos) in enumerate(cosines.items()):
            cos = check_array(f"cosines[{label!r}]", np.asarray(cos, dtype=float), shape=ks.shape)
            ax.plot(ks, cos, marker="o", color=CYCLE[n], label=label)
            if lags and label in lags:
                ax.axvline(lags[label], color=CYCLE[n], lw=1.0, ls=":")
        ax.axhline(1.0, color=MUTED, lw=0.8, ls="--")
        ax.set_xscale("log")
        ax.set_xticks(ks, [str(int(k)) for k in ks])
        ax.minorticks_off()
        ax.set_xlabel("truncation window k (steps)")
        ax.set_ylabel("cosine(truncated, full)")
        ax.legend(loc="lower right")
    return set_alt(
        fig,
        "Cosine similarity between the truncated-BPTT gradient and the full gradient against the window k, "
        f"for {', '.join(cosines)}. Each curve rises towards 1 as k grows; the curve of the task with the longer "
        "lag stays low until k passes that lag (dotted lines mark the lags).",
    )
