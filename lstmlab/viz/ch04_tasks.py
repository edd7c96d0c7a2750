"""Chapter 4's figures: one sample of each long-lag task, and success against the lag.

* :func:`plot_task_samples`: the adding problem, copy memory and temporal order, one sequence each,
  drawn as the network sees it (values and markers; symbols over time), with the target written in;
* :func:`plot_loss_vs_lag`: the final loss of a model trained on each lag, against the lag, with the
  chance level drawn as a line.

Each returns a Figure with ``fig.alt_text`` (and :func:`plot_loss_vs_lag` takes an optional ``ax``).
"""

from __future__ import annotations

import numpy as np

from ..tasks.temporal_order import SYMBOLS
from .style import CYCLE, MUTED, OKABE_ITO, course_style, new_figure, set_alt


def plot_task_samples(adding, copy, order):
    """One sequence of each task: ``adding``, ``copy`` and ``order`` are Batches of the three tasks (row 0 drawn)."""
    with course_style():
        fig, axes = new_figure(figsize=(6.4, 6.6), nrows=3)
        ax = axes[0]
        v, m = adding.x[0, :, 0], adding.x[0, :, 1]
        T = v.size
        ax.bar(np.arange(T), v, color=OKABE_ITO["sky"], width=0.8, label="value")
        marked = np.flatnonzero(m)
        ax.bar(marked, v[marked], color=OKABE_ITO["vermillion"], width=0.8, label="marked")
        ax.axvline(T / 2 - 0.5, color=MUTED, ls=":", lw=1)
        ax.set_xlim(-1, T)
        ax.set_ylabel("value")
        ax.set_title(f"adding problem, T = {T}: target X1 + X2 = {adding.y[0, 0]:.3f}")
        ax.legend(loc="upper right", ncol=2)

        ax = axes[1]
        sym = copy.x[0].argmax(-1)
        L = sym.size
        ax.imshow(copy.x[0].T, aspect="auto", cmap="Greys", interpolation="nearest", origin="lower")
        ax.grid(False)
        ax.set_yticks(range(copy.x.shape[2]))
        ax.set_yticklabels(["blank"] + [str(k) for k in range(1, copy.x.shape[2] - 1)] + ["go"], fontsize=7)
        n_copy = copy.info["symbols"].shape[1]
        ax.axvspan(L - n_copy - 0.5, L - 0.5, color=OKABE_ITO["orange"], alpha=0.25, lw=0)
        symbols = " ".join(str(s) for s in copy.info["symbols"][0])
        ax.set_title(f"copy memory, T = {L - 2 * n_copy}: write back {symbols} in the shaded steps", fontsize=10)
        ax.set_ylabel("input symbol")

        ax = axes[2]
        seq = order.x[0].argmax(-1)
        T2 = seq.size
        ax.imshow(order.x[0].T, aspect="auto", cmap="Greys", interpolation="nearest", origin="lower")
        ax.grid(False)
        ax.set_yticks(range(len(SYMBOLS)))
        ax.set_yticklabels(SYMBOLS, fontsize=8)
        for p in order.info["pos"][0]:
            ax.axvline(p, color=OKABE_ITO["vermillion"], lw=1.2, alpha=0.7)
        relevant = "".join(SYMBOLS[seq[p]] for p in order.info["pos"][0])
        ax.set_title(f"temporal order, T = {T2}: relevant symbols {relevant} -> class {'QRSU'[order.y[0]]}")
        ax.set_xlabel("step t")
        ax.set_ylabel("symbol")
    alt = (
        f"Three panels. Top: an adding-problem sequence of {T} random values as bars, the two marked ones in red, "
        f"one in each half; the target is their sum, {adding.y[0, 0]:.3f}. Middle: a copy-memory input as a grid of "
        f"symbols over time: {n_copy} symbols ({symbols}) at the start, blanks, a go signal, and a shaded recall "
        f"window at the end. Bottom: a temporal-order sequence of {T2} symbols with the two relevant ones "
        f"({relevant}) marked by red lines."
    )
    return set_alt(fig, alt)


def plot_loss_vs_lag(lags, losses, baseline, goal=None, ax=None, ylabel="final MSE"):
    """Final loss against the lag T (log-log), one dot per seed and a line through the medians.

    Parameters
    ----------
    lags : sequence of ints, the lags T
    losses : dict
        label -> array (len(lags), n_seeds): the final loss of every seed at every lag. A NaN (a run
        that diverged) is drawn as a cross on the top edge and left out of the median.
    baseline : float, the chance level (a dashed line)
    goal : float, optional, the "solved" level (a dotted line)
    """
    lags = np.asarray(lags)
    if not isinstance(losses, dict) or not losses:
        raise ValueError(f"losses: expected a non-empty dict label -> array (lags, seeds), got {type(losses).__name__}")
    curves = {}
    for name, values in losses.items():
        values = np.asarray(values, dtype=float)
        if values.ndim == 1:
            values = values[:, None]
        if values.shape[0] != lags.size:
            raise ValueError(f"losses[{name!r}]: expected {lags.size} rows (one per lag), got shape {values.shape}")
        curves[name] = values
    finite = np.concatenate([v[np.isfinite(v)] for v in curves.values()] + [np.array([baseline])])
    top = finite.max() * 1.6
    with course_style():
        fig, ax = new_figure(ax)
        for n, (name, values) in enumerate(curves.items()):
            color = CYCLE[n % len(CYCLE)]
            shift = 1.0 + 0.04 * (n - (len(curves) - 1) / 2)  # side by side, so the dots do not hide each other
            for k, t in enumerate(lags):
                row = values[k]
                ok = np.isfinite(row)
                ax.plot(np.full(ok.sum(), t * shift), row[ok], "o", color=color, ms=4, alpha=0.55, mew=0)
                if (~ok).any():
                    ax.plot([t * shift], [top], "x", color=color, ms=7, mew=1.6)
            medians = [np.median(r[np.isfinite(r)]) if np.isfinite(r).any() else np.nan for r in values]
            ax.plot(lags * shift, medians, "-", color=color, lw=1.6, label=f"{name} (median, dots: seeds)")
        ax.axhline(baseline, color=OKABE_ITO["vermillion"], ls="--", lw=1.2, label=f"chance level {baseline:.3g}")
        if goal is not None:
            ax.axhline(goal, color=OKABE_ITO["green"], ls=":", lw=1.2, label=f"solved below {goal:g}")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(lags)
        ax.set_xticklabels([str(t) for t in lags])
        ax.minorticks_off()
        ax.set_xlabel("lag T (sequence length)")
        ax.set_ylabel(ylabel)
        ax.legend(loc="lower right", fontsize=8)
    n_seeds = max(v.shape[1] for v in curves.values())
    diverged = {name: int(np.isnan(v).sum()) for name, v in curves.items()}
    alt = (
        f"Log-log plot of the {ylabel} against the lag T ({', '.join(str(t) for t in lags)}), one dot per seed "
        f"({n_seeds} seeds) and a line through the medians, for "
        + " and ".join(curves)
        + f", with the chance level {baseline:.3g} as a dashed line"
        + (f" and the goal {goal:g} as a dotted one" if goal is not None else "")
        + ". Runs that diverged, drawn as crosses at the top: "
        + ", ".join(f"{name}: {d}" for name, d in diverged.items())
        + "."
    )
    return set_alt(fig, alt)
