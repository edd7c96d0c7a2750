"""Chapter 11's figures: how far the error reaches back through a GRU, and a race shown seed by seed.

* :func:`plot_norms_vs_lag` -- ``||dh_T / dh_k||`` against the lag ``T - k`` for several cells or
  settings, on a log scale (chapter 3's measurement, for any cell);
* :func:`plot_seed_values` -- one dot per seed and a bar at the median, per setting, with the
  chance level and a goal as lines (a training result shown with its spread).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .style import CYCLE, MUTED, course_style, new_figure, set_alt


def _check_mapping(name, value):
    if not isinstance(value, Mapping) or not value:
        raise ValueError(f"{name}: expected a non-empty mapping {{label: values}}, got {value!r}")


def plot_norms_vs_lag(curves, ax=None):
    """``curves`` maps a label to ``norms`` (T + 1,) with ``norms[k] = ||dh_T/dh_k||`` (lag T - k)."""
    _check_mapping("curves", curves)
    with course_style():
        fig, ax = new_figure(ax)
        for n, (label, norms) in enumerate(curves.items()):
            norms = np.asarray(norms, dtype=np.float64)
            lags = np.arange(norms.size)[::-1]
            ax.plot(lags, np.maximum(norms, 1e-300), color=CYCLE[n % len(CYCLE)], label=str(label))
        ax.set_yscale("log")
        ax.set_xlabel("lag $T - k$ (steps)")
        ax.set_ylabel(r"$\|\partial h_T / \partial h_k\|_2$")
        ax.legend(loc="lower left")
    alt = (
        "The spectral norm of dh_T/dh_k against the lag, on a log scale, one line for each of: "
        + ", ".join(str(k) for k in curves)
        + "."
    )
    return set_alt(fig, alt)


def plot_seed_values(results, chance=None, goal=None, ylabel="final loss", log=True, ax=None):
    """``results`` maps a setting to its per-seed values: one dot per seed, a bar at the median."""
    _check_mapping("results", results)
    with course_style():
        fig, ax = new_figure(ax)
        for n, values in enumerate(results.values()):
            v = np.asarray(values, dtype=np.float64)
            jitter = np.linspace(-0.15, 0.15, v.size) if v.size > 1 else np.zeros(1)
            color = CYCLE[n % len(CYCLE)]
            ax.plot(n + jitter, v, "o", color=color, ms=5, alpha=0.85)
            ax.plot([n - 0.3, n + 0.3], [np.median(v)] * 2, color=color, lw=2.5)
        if chance is not None:
            ax.axhline(float(chance), color=MUTED, ls="--", lw=1.2, label="chance")
        if goal is not None:
            ax.axhline(float(goal), color=MUTED, ls=":", lw=1.2, label="goal")
        ax.set_xticks(range(len(results)))
        ax.set_xticklabels([str(k) for k in results], fontsize=8)
        if log:
            ax.set_yscale("log")
        ax.set_ylabel(ylabel)
        if chance is not None or goal is not None:
            ax.legend(loc="best")
    alt = (
        f"{ylabel.capitalize()} of every seed, one column of dots per setting with a bar at the median, "
        f"for: {', '.join(str(k) for k in results)}"
        + ("; the dashed line is the chance level" if chance is not None else "")
        + ("; the dotted line the goal." if goal is not None else ".")
    )
    return set_alt(fig, alt)
