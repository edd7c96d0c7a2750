"""Figures of chapters 13 and 14: seeds' curves, forecasts, errors by horizon, a confusion matrix,
a unit's activation under text, accuracy against length, and an attention map.

Every function only draws what the notebook computed, and returns a Figure with alt text.
"""

from __future__ import annotations

import numpy as np

from ..checks import check_array
from .style import CYCLE, INK, MUTED, course_style, new_figure, set_alt


def seed_curves(groups: dict, baselines: dict | None = None, xlabel="training step", ylabel="loss", ax=None):
    """One thin line per seed, one colour per group: ``groups = {label: [(x, y), ...]}``;
    ``baselines = {label: value}`` are dashed horizontal lines."""
    if not isinstance(groups, dict) or not groups:
        raise ValueError("groups: expected a non-empty dict label -> list of (x, y) per seed")
    summary = []
    with course_style():
        fig, ax = new_figure(ax)
        for n, (label, runs) in enumerate(groups.items()):
            color = CYCLE[n % len(CYCLE)]
            for k, (x, y) in enumerate(runs):
                ax.plot(x, y, color=color, lw=1.0, alpha=0.8, label=f"{label} ({len(runs)} seeds)" if k == 0 else None)
            summary.append(
                f"{label}: {len(runs)} seeds ending between {min(r[1][-1] for r in runs):.3g} and "
                f"{max(r[1][-1] for r in runs):.3g}"
            )
        for m, (label, value) in enumerate((baselines or {}).items()):
            ax.axhline(float(value), color=MUTED, ls=("--", ":", "-.")[m % 3], lw=1.2, label=label)
            summary.append(f"{label} at {float(value):.3g}")
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        ax.legend(loc="upper right", fontsize=8)
    return set_alt(fig, f"{ylabel} against {xlabel}, one line per seed. " + "; ".join(summary) + ".")


def forecast_plot(t, actual, forecasts: dict, split_at=None, ylabel="value", ax=None):
    """The actual series and each forecast against time; ``split_at`` marks where the test part begins."""
    t = np.asarray(t, dtype=float)
    actual = check_array("actual", np.asarray(actual, dtype=float), shape=(t.size,))
    with course_style():
        fig, ax = new_figure(ax, figsize=(6.4, 3.4))
        ax.plot(t, actual, color=INK, lw=1.6, label="actual")
        for n, (label, (tf, yf)) in enumerate(forecasts.items()):
            ax.plot(tf, yf, color=CYCLE[n % len(CYCLE)], lw=1.2, ls=("-", "--", "-.", ":")[n % 4], label=label)
        if split_at is not None:
            ax.axvline(split_at, color=MUTED, lw=1.0, ls=":")
        ax.set_xlabel("time")
        ax.set_ylabel(ylabel)
        ax.legend(loc="upper left", fontsize=8, ncols=2)
    return set_alt(fig, f"The actual series from {t[0]:g} to {t[-1]:g} and the forecasts of {', '.join(forecasts)}.")


def horizon_errors(errors: dict, ylabel="RMSE", ax=None):
    """Error against the forecast horizon, one line per method: ``errors = {label: (horizons, values)}``."""
    summary = []
    with course_style():
        fig, ax = new_figure(ax)
        for n, (label, (h, e)) in enumerate(errors.items()):
            ax.plot(h, e, marker="osD^v"[n % 5], color=CYCLE[n % len(CYCLE)], label=label)
            summary.append(f"{label} from {e[0]:.3g} to {e[-1]:.3g}")
        ax.set_xlabel("forecast horizon (steps ahead)")
        ax.set_ylabel(ylabel)
        ax.legend(loc="best", fontsize=8)
    return set_alt(fig, f"{ylabel} against the horizon: " + "; ".join(summary) + ".")


def confusion_plot(cm, ax=None):
    """A confusion matrix (true class in rows, predicted in columns), counts written in the cells."""
    cm = np.asarray(cm)
    with course_style():
        fig, ax = new_figure(ax, figsize=(4.4, 4.0))
        ax.imshow(cm, cmap="Blues")
        ax.grid(False)
        for i in range(cm.shape[0]):
            for j in range(cm.shape[1]):
                if cm[i, j]:
                    ax.text(
                        j,
                        i,
                        str(int(cm[i, j])),
                        ha="center",
                        va="center",
                        fontsize=7,
                        color="white" if cm[i, j] > cm.max() / 2 else INK,
                    )
        ax.set_xticks(range(cm.shape[1]))
        ax.set_yticks(range(cm.shape[0]))
        ax.set_xlabel("predicted class")
        ax.set_ylabel("true class")
    off = cm.copy()
    np.fill_diagonal(off, 0)
    i, j = np.unravel_index(np.argmax(off), off.shape)
    return set_alt(
        fig,
        f"Confusion matrix of {int(cm.sum())} test digits, {int(np.trace(cm))} on the diagonal; "
        f"the most frequent confusion is true {i} read as {j} ({int(off[i, j])} times).",
    )


def unit_trace(text: str, activation, ax=None, width: int = 80):
    """One unit's activation under each character of ``text``, in lines of ``width`` characters."""
    a = check_array("activation", np.asarray(activation, dtype=float), shape=(len(text),))
    rows = [text[k : k + width] for k in range(0, len(text), width)]
    with course_style():
        fig, ax = new_figure(ax, figsize=(6.4, 0.32 * len(rows) + 0.3))
        grid = np.full((len(rows), width), np.nan)
        grid.flat[: a.size] = a
        ax.imshow(grid, cmap="RdBu_r", vmin=-1, vmax=1, aspect="auto")
        for r, line in enumerate(rows):
            for c, ch in enumerate(line):
                ax.text(c, r, ch, ha="center", va="center", fontsize=6, family="monospace", color=INK)
        ax.set_axis_off()
    return set_alt(
        fig,
        f"{len(text)} characters of text, each on a colour from blue (-1) to red (+1) giving one "
        "hidden unit's activation as the model reads that character.",
    )


def accuracy_vs_length(results: dict, ax=None, ylabel="output symbols right"):
    """Accuracy against sequence length, one thin line per seed and a median line per model:
    ``results = {label: (lengths, acc (seeds, lengths))}``."""
    summary = []
    with course_style():
        fig, ax = new_figure(ax)
        for n, (label, (lengths, acc)) in enumerate(results.items()):
            acc = np.asarray(acc, dtype=float)
            color = CYCLE[n % len(CYCLE)]
            for row in acc:
                ax.plot(lengths, row, color=color, lw=0.8, alpha=0.5)
            med = np.median(acc, axis=0)
            ax.plot(lengths, med, color=color, lw=2.0, marker="o", label=f"{label}: median of {acc.shape[0]} seeds")
            summary.append(f"{label}: median " + ", ".join(f"{v:.2f} at L={L}" for L, v in zip(lengths, med)))
        ax.set_ylim(0, 1.05)
        ax.set_xlabel("sequence length L")
        ax.set_ylabel(ylabel)
        ax.legend(loc="lower left", fontsize=8)
    return set_alt(fig, f"{ylabel.capitalize()} against the length; " + "; ".join(summary) + ".")


def attention_map(alpha, src, pred, ax=None):
    """The attention weights of one decoded sequence: output step in rows, input step in columns."""
    alpha = check_array("alpha", np.asarray(alpha, dtype=float), shape=(None, None))
    with course_style():
        fig, ax = new_figure(ax, figsize=(4.6, 4.2))
        ax.imshow(alpha, cmap="Greys", vmin=0, vmax=1)
        ax.grid(False)
        ax.set_xticks(range(alpha.shape[1]), [str(int(s)) for s in src], fontsize=6)
        ax.set_yticks(range(alpha.shape[0]), [str(int(s)) for s in pred], fontsize=6)
        ax.set_xlabel("input symbol (encoder step)")
        ax.set_ylabel("output symbol (decoder step)")
    diag = float(np.mean(np.argmax(alpha, axis=1) == np.arange(alpha.shape[0])))
    return set_alt(
        fig,
        f"Attention weights, {alpha.shape[0]} output steps by {alpha.shape[1]} input steps, dark "
        f"for a large weight; the largest weight of {diag:.0%} of the output steps lies on the "
        "diagonal (output t looks at input t).",
    )


__all__ = [
    "accuracy_vs_length",
    "attention_map",
    "confusion_plot",
    "forecast_plot",
    "horizon_errors",
    "seed_curves",
    "unit_trace",
]
