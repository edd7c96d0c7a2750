"""Training curves and the success-against-lag plot, each with the chance level drawn in."""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from .style import CYCLE, MUTED, course_style, new_figure, set_alt


def _is_run(obj) -> bool:
    """One run: a History (``.loss``), or a mapping with the metric as a key holding numbers."""
    return hasattr(obj, "loss") or (isinstance(obj, Mapping) and any(not isinstance(v, Mapping) for v in obj.values()))


def _series(run, key):
    values = getattr(run, key, None) if not isinstance(run, Mapping) else run.get(key)
    if values is None:
        raise ValueError(f"histories: expected every run to have {key!r}, got a run without it")
    y = np.asarray(values, dtype=np.float64).ravel()
    steps = getattr(run, "step", None) if not isinstance(run, Mapping) else run.get("step")
    x = np.arange(1, y.size + 1) if steps is None or len(steps) != y.size else np.asarray(steps, dtype=np.float64)
    return x, y


def training_curves(histories, key="loss", chance=None, log=False, smooth=1, xlabel="training step", ax=None):
    """Loss (or any per-step metric) against the training step, for one or several runs.

    Parameters
    ----------
    histories : one run or a mapping ``{label: run}``. A run is a ``lstmlab.train.History`` or a dict
        of lists/arrays (``{"loss": [...], "step": [...]}``, ``step`` optional: 1, 2, ... by default).
    key : str, the metric to plot (``"loss"`` by default)
    chance : float, optional: the chance-level value, drawn as a horizontal dashed line
    log : bool, a log scale on the y axis
    smooth : int >= 1, the width of a moving average (1: none)
    xlabel : str
    ax : matplotlib Axes, optional
    """
    runs = {"": histories} if _is_run(histories) else dict(histories)
    if not runs:
        raise ValueError("histories: expected at least one run, got none")
    _check_smooth(smooth)
    summary = []
    with course_style():
        fig, ax = new_figure(ax)
        for n, (label, run) in enumerate(runs.items()):
            x, y = _smoothed(*_series(run, key), smooth)
            ax.plot(x, y, color=CYCLE[n % len(CYCLE)], label=str(label) or None)
            summary.append(f"{label or 'the run'} ends at {y[-1]:.3g}" if y.size else f"{label}: empty")
        _finish_axes(ax, key, chance, log, xlabel)
        if any(label for label in runs) or chance is not None:
            ax.legend(loc="best")
    alt = (
        f"Training curves of {key} against {xlabel}{' on a log scale' if log else ''} for {len(runs)} "
        f"run{'s' if len(runs) > 1 else ''}: {'; '.join(summary)}"
        + (f"; the dashed line marks chance level {float(chance):.3g}." if chance is not None else ".")
    )
    return set_alt(fig, alt)


def _check_smooth(smooth) -> None:
    if isinstance(smooth, bool) or not isinstance(smooth, (int, np.integer)) or smooth < 1:
        raise ValueError(f"smooth: expected an int >= 1, got {smooth!r}")


def _smoothed(x, y, smooth: int):
    """A moving average of width ``smooth`` over ``y`` (and the steps it ends at); unchanged if too short."""
    if smooth > 1 and y.size >= smooth:
        return x[smooth - 1 :], np.convolve(y, np.ones(smooth) / smooth, mode="valid")
    return x, y


def _finish_axes(ax, key, chance, log, xlabel) -> None:
    """The chance line, the scale and the labels that every training-curve figure has."""
    if chance is not None:
        ax.axhline(float(chance), color=MUTED, ls="--", lw=1.2, label=f"chance ({float(chance):.3g})")
    if log:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(key)


def seed_curves(groups, key="loss", chance=None, log=False, smooth=1, xlabel="training step", ax=None):
    """Training curves of several seeds per setting: one thin line per seed and the median in bold.

    Parameters
    ----------
    groups : mapping ``{label: runs}``, ``runs`` a list of runs (Histories or dicts, as for
        :func:`training_curves`) or anything with a ``histories`` list (a ``SeedRuns``). All the
        seeds of a setting share its colour; the median over the seeds is drawn where they share steps.
    key, chance, log, smooth, xlabel, ax : as for :func:`training_curves`
    """
    if not isinstance(groups, Mapping) or not groups:
        raise ValueError("groups: expected a non-empty mapping {label: list of runs}")
    _check_smooth(smooth)
    summary = []
    with course_style():
        fig, ax = new_figure(ax)
        for n, (label, runs) in enumerate(groups.items()):
            runs = list(getattr(runs, "histories", runs))
            if not runs:
                raise ValueError(f"groups[{label!r}]: expected at least one run, got none")
            color = CYCLE[n % len(CYCLE)]
            series = []
            for run in runs:
                x, y = _smoothed(*_series(run, key), smooth)
                ax.plot(x, y, color=color, lw=0.8, alpha=0.45)
                series.append((x, y))
            # the median over the seeds, on the steps that every seed reached (some stop when solved)
            length = min(y.size for _, y in series)
            if length:
                x0 = series[0][0][:length]
                med = np.median(np.stack([y[:length] for _, y in series]), axis=0)
                ax.plot(x0, med, color=color, lw=2.2, label=f"{label} (median of {len(runs)})")
            ends = [y[-1] for _, y in series if y.size]
            summary.append(f"{label}: {len(runs)} seeds, ending between {min(ends):.3g} and {max(ends):.3g}")
        _finish_axes(ax, key, chance, log, xlabel)
        ax.legend(loc="best")
    alt = (
        f"Training curves of {key} against {xlabel}{' on a log scale' if log else ''}, one thin line per "
        f"seed and the median in bold: {'; '.join(summary)}"
        + (f"; the dashed line marks chance level {float(chance):.3g}." if chance is not None else ".")
    )
    return set_alt(fig, alt)


def success_vs_lag(results, chance=None, threshold=None, ylabel="final error", log=False, spread=None, ax=None):
    """Final error (or accuracy) against the lag T for several models, with the chance level.

    Parameters
    ----------
    results : mapping ``{model name: {T: value}}`` (or ``{model name: (lags, values)}``)
    chance : float or mapping ``{T: value}``, optional: the chance level (a line, or a curve when it depends on T)
    threshold : float, optional: the success criterion, drawn as a dotted line
    ylabel : str
    log : bool, a log scale on the y axis
    spread : mapping ``{model name: {T: (low, high)}}``, optional: the range over seeds of each
        point (say the lowest and highest seed), drawn as a band around the line
    ax : matplotlib Axes, optional
    """
    if not isinstance(results, Mapping) or not results:
        raise ValueError("results: expected a non-empty mapping {model name: {T: value}}")
    markers = "osD^v"
    summary = []
    with course_style():
        fig, ax = new_figure(ax)
        for n, (name, res) in enumerate(results.items()):
            lags, values = (list(res.keys()), list(res.values())) if isinstance(res, Mapping) else res
            lags, values = np.asarray(lags, dtype=np.float64), np.asarray(values, dtype=np.float64)
            if lags.shape != values.shape or lags.ndim != 1:
                raise ValueError(
                    f"results[{name!r}]: expected as many lags as values, got {lags.shape} and {values.shape}"
                )
            order = np.argsort(lags)
            ax.plot(
                lags[order],
                values[order],
                marker=markers[n % len(markers)],
                color=CYCLE[n % len(CYCLE)],
                label=str(name),
            )
            text = ", ".join(f"T={lag:g}: {v:.3g}" for lag, v in zip(lags[order], values[order]))
            if spread is not None and name in spread:
                band = np.asarray([spread[name][lag] for lag in lags[order]], dtype=np.float64)
                if band.shape != (lags.size, 2):
                    raise ValueError(f"spread[{name!r}]: expected one (low, high) pair per lag, got shape {band.shape}")
                ax.fill_between(lags[order], band[:, 0], band[:, 1], color=CYCLE[n % len(CYCLE)], alpha=0.2, lw=0)
                text += " (the band: " + ", ".join(f"{lo:.3g} to {hi:.3g}" for lo, hi in band) + ")"
            summary.append(f"{name}: {text}")
        if isinstance(chance, Mapping):
            cl = np.asarray(sorted(chance), dtype=np.float64)
            ax.plot(cl, [chance[k] for k in sorted(chance)], color=MUTED, ls="--", lw=1.2, label="chance")
        elif chance is not None:
            ax.axhline(float(chance), color=MUTED, ls="--", lw=1.2, label=f"chance ({float(chance):.3g})")
        if threshold is not None:
            ax.axhline(float(threshold), color=MUTED, ls=":", lw=1.2, label=f"success ({float(threshold):.3g})")
        if log:
            ax.set_yscale("log")
        ax.set_xlabel("lag $T$ (steps)")
        ax.set_ylabel(ylabel)
        ax.legend(loc="best")
    alt = (
        f"{ylabel.capitalize()} against the lag T for {len(results)} models. "
        + "; ".join(summary)
        + ("; the dashed line marks the chance level." if chance is not None else ".")
    )
    return set_alt(fig, alt)
