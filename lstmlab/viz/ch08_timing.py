"""Chapter 8's figure: a timing task's input spike, its target spikes and what trained networks output.

:func:`spike_plot` draws one sequence of the ``"generate"`` timing task: the cue (input), the
target train of spikes, and each model's output, with the decision threshold 0.5.
"""

from __future__ import annotations

import numpy as np

from ..checks import check_array
from .style import CYCLE, MUTED, course_style, new_figure, set_alt


def spike_plot(x, target, outputs: dict, ax=None):
    """One sequence: the input cue, the target spikes and each model's output against the step.

    Parameters
    ----------
    x : 1-D array (T,), the input (one cue spike)
    target : 1-D array (T,), the target spikes
    outputs : dict label -> 1-D array (T,), each model's output
    """
    x = check_array("x", np.asarray(x, dtype=float), shape=(None,))
    T = x.size
    target = check_array("target", np.asarray(target, dtype=float), shape=(T,))
    if not isinstance(outputs, dict) or not outputs:
        raise ValueError("outputs: expected a non-empty dict label -> 1-D array")
    t = np.arange(T)
    with course_style():
        fig, ax = new_figure(ax, figsize=(6.4, 3.0))
        ax.vlines(t[x > 0.5], 0, 1.1, color=MUTED, lw=3, label="cue (input)")
        ax.vlines(t[target > 0.5], 0, 1.0, color="#222222", lw=1.2, ls="--", label="target spikes")
        for n, (label, y) in enumerate(outputs.items()):
            y = check_array(f"outputs[{label!r}]", np.asarray(y, dtype=float), shape=(T,))
            ax.plot(t, y, color=CYCLE[n], marker=".", ms=4, lw=1.2, label=label)
        ax.axhline(0.5, color=MUTED, lw=0.8, ls=":")
        ax.set_xlabel("step t")
        ax.set_ylabel("output")
        ax.set_ylim(-0.2, 1.25)
        ax.legend(loc="upper left", ncols=2, fontsize=8)
    period = np.diff(t[target > 0.5])
    every = f" every {int(period[0])} steps" if period.size else ""
    return set_alt(
        fig,
        f"One sequence of {T} steps: a cue spike, then target spikes{every}, and the outputs of "
        f"{', '.join(outputs)}; an output above the dotted line at 0.5 counts as a spike.",
    )


__all__ = ["spike_plot"]
