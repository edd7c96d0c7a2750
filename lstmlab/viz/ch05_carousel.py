"""Chapter 5's figure: the error that reaches a memory ``lag`` steps back, for the carousel and for an RNN."""

from __future__ import annotations

import numpy as np

from .style import CYCLE, MUTED, course_style, new_figure, set_alt

LINESTYLES = ("-", "--", "-.", ":")


def plot_error_vs_lag(lags, curves: dict, floor=1e-30, ax=None):
    """Relative error norms against the lag on a log scale, one line per model.

    Parameters
    ----------
    lags : array (K,) of positive ints
    curves : ``{label: array (K,)}``, each ``||dL/ds_{T-lag}|| / ||dL/ds_T||`` for one model
    floor : float, a line stops where its values fall below this (a vanished error has no place on a log scale)
    ax : matplotlib Axes, optional
    """
    lags = np.asarray(lags, dtype=float)
    if lags.ndim != 1 or lags.size == 0:
        raise ValueError(f"lags: expected a non-empty 1-D array, got shape {lags.shape}")
    if not isinstance(curves, dict) or not curves:
        raise ValueError("curves: expected a non-empty dict {label: values}")
    summary = []
    with course_style():
        fig, ax = new_figure(ax, figsize=(6.4, 3.4))
        for n, (label, values) in enumerate(curves.items()):
            v = np.asarray(values, dtype=float)
            if v.shape != lags.shape:
                raise ValueError(f"curves[{label!r}]: expected shape {lags.shape}, got {v.shape}")
            style = LINESTYLES[n % len(LINESTYLES)]
            ax.plot(lags, np.where(v >= floor, v, np.nan), color=CYCLE[n % len(CYCLE)], ls=style, label=label)
            gone = np.flatnonzero(v < floor)
            end = (
                f"below {floor:.0e} from lag {lags[gone[0]]:g} on" if gone.size else f"{v[-1]:.2g} at lag {lags[-1]:g}"
            )
            summary.append(f"{label}: {v[0]:.2g} at lag {lags[0]:g}, {end}")
        ax.axhline(1.0, color=MUTED, lw=1.0, ls=":")
        ax.set_yscale("log")
        ax.set_xlabel("lag $T - k$ (steps back from the loss)")
        ax.set_ylabel("relative error norm")
        ax.legend(loc="lower left")
    alt = "The norm of the error reaching a memory, relative to the error injected at the last step, against the lag "
    alt += "on a log scale. " + "; ".join(summary) + "."
    return set_alt(fig, alt)


__all__ = ["plot_error_vs_lag"]
