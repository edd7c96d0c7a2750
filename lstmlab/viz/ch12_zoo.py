"""Chapter 12's figures: a variant comparison in the style of Greff et al. (2017), and the learning rate.

* :func:`variant_boxes` -- per task, one box per variant of its trials' scores (every trial drawn
  as a dot over the box), the vanilla LSTM's median as a line across;
* :func:`score_vs_lr` -- every trial's score against its learning rate (log-log), per task.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .style import CYCLE, MUTED, OKABE_ITO, course_style, new_figure, set_alt


def _check_tasks(scores):
    if not isinstance(scores, Mapping) or not scores or not all(isinstance(v, Mapping) for v in scores.values()):
        raise ValueError("scores: expected a non-empty mapping {task: {variant: per-trial scores}}")


def variant_boxes(scores, reference="vanilla", ylabel="final loss / chance", log=True):
    """``scores[task][variant]`` holds one score per trial (lower is better)."""
    _check_tasks(scores)
    with course_style():
        fig, axes = new_figure(figsize=(6.4, 2.6 * len(scores)), nrows=len(scores))
        axes = np.atleast_1d(axes)
        for ax, (task, per_variant) in zip(axes, scores.items()):
            names = list(per_variant)
            data = [np.asarray(per_variant[k], dtype=np.float64) for k in names]
            ax.boxplot(
                data,
                widths=0.55,
                medianprops={"color": OKABE_ITO["vermillion"], "lw": 2},
                boxprops={"color": MUTED},
                whiskerprops={"color": MUTED},
                capprops={"color": MUTED},
                showfliers=False,
            )
            for n, v in enumerate(data):
                jitter = np.linspace(-0.12, 0.12, v.size) if v.size > 1 else np.zeros(1)
                ax.plot(n + 1 + jitter, v, "o", ms=3.5, color=CYCLE[0], alpha=0.8)
            if reference in per_variant:
                ax.axhline(np.median(per_variant[reference]), color=MUTED, ls="--", lw=1)
            ax.set_xticks(range(1, len(names) + 1))
            ax.set_xticklabels([k.upper() if k != reference else k for k in names], fontsize=8)
            if log:
                ax.set_yscale("log")
            ax.set_ylabel(ylabel, fontsize=9)
            ax.set_title(str(task), fontsize=10)
    alt = (
        "Box plots of every trial's score, one box per variant and a panel per task ("
        + ", ".join(str(t) for t in scores)
        + "); lower is better; the dashed line is the median of the "
        + reference
        + " LSTM."
    )
    return set_alt(fig, alt)


def score_vs_lr(lrs, scores, ylabel="final loss / chance"):
    """``lrs[task]`` and ``scores[task]``: one learning rate and one score per trial (all variants)."""
    _check_tasks({t: {"": v} for t, v in scores.items()})
    with course_style():
        fig, axes = new_figure(figsize=(6.4, 2.8), ncols=len(scores))
        axes = np.atleast_1d(axes)
        for n, (ax, task) in enumerate(zip(axes, scores)):
            ax.plot(np.asarray(lrs[task]), np.asarray(scores[task]), "o", ms=3.5, color=CYCLE[n], alpha=0.8)
            ax.set_xscale("log")
            ax.set_yscale("log")
            ax.set_xlabel("learning rate")
            ax.set_title(str(task), fontsize=10)
        axes[0].set_ylabel(ylabel, fontsize=9)
    alt = "Every trial's score against its learning rate, log-log, one panel per task: " + ", ".join(scores) + "."
    return set_alt(fig, alt)
