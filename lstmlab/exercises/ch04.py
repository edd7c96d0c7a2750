"""Checkers for the coding exercises of chapter 4, *Long-term dependencies in practice*.

* :func:`check_adding_batch`: ``adding_batch(N, T, rng) -> (x, y)``, a generator of the adding
  problem in its common form (values U[0, 1], one marker in each half, target X1 + X2),
  checked for shapes, the marker rules, the target formula and the statistics, against
  :class:`lstmlab.tasks.AddingProblem` (``form="common"``);
* :func:`check_copy_baseline`: ``copy_baseline(T, n_symbols, n_copy)``, the chance-level
  cross-entropy of the copy-memory task, against :class:`lstmlab.tasks.CopyMemory`.
"""

from __future__ import annotations

import math

import numpy as np

from ..tasks import AddingProblem, CopyMemory
from .feedback import Feedback, require_function, run_safely


def check_adding_batch(adding_batch) -> Feedback:
    """Check ``adding_batch(N, T, rng) -> (x (N, T, 2), y (N, 1))``, the common form of the adding problem.

    ``x[..., 0]`` are the values, U[0, 1]; ``x[..., 1]`` the markers: exactly one 1.0 in the first
    half (steps ``0 .. T//2 - 1``), one in the second (``T//2 .. T-1``), 0.0 elsewhere;
    ``y[:, 0]`` is the sum of the two marked values. ``rng`` is a ``numpy.random.Generator``.
    """
    require_function("adding_batch", adding_batch)
    fb = Feedback("Exercise: a generator for the adding problem")
    N, T = 4000, 30
    out = run_safely(fb, "adding_batch", adding_batch, N, T, np.random.default_rng(0))
    if out is None:
        if not fb.lines:
            fb.expect(False, "", "adding_batch: your function returned None (did you forget a `return`?)")
        return fb
    if not (isinstance(out, tuple) and len(out) == 2):
        fb.expect(False, "", f"adding_batch: expected a tuple (x, y), got {type(out).__name__}")
        return fb
    x, y = (np.asarray(a) for a in out)
    if not fb.expect(
        x.shape == (N, T, 2), f"x has shape (N, T, 2) = {x.shape}", f"x: expected shape {(N, T, 2)}, got {x.shape}"
    ):
        return fb
    if y.shape == (N,):
        fb.expect(False, "", f"y: expected shape {(N, 1)} (one output per sequence), got {(N,)}: use y[:, None]")
        return fb
    if not fb.expect(
        y.shape == (N, 1), f"y has shape (N, 1) = {y.shape}", f"y: expected shape {(N, 1)}, got {y.shape}"
    ):
        return fb
    values, markers = x[..., 0], x[..., 1]
    half = T // 2

    if not fb.expect(
        bool(np.all((values >= 0) & (values <= 1))),
        "the values lie in [0, 1]",
        f"the values should be U[0, 1]; yours range over [{values.min():.3g}, {values.max():.3g}]"
        + (" (that is U[-1, 1], the paper's form; the common form uses U[0, 1])" if values.min() < -0.5 else ""),
    ):
        return fb
    if not fb.expect(
        bool(np.all(np.isin(markers, (0.0, 1.0)))),
        "the markers are 0 or 1",
        "the markers should be 0.0 or 1.0 only (the -1 end markers belong to the paper's form)",
    ):
        return fb
    count = markers.sum(axis=1)
    if not fb.expect(
        bool(np.all(count == 2)),
        "every sequence has exactly two markers",
        f"every sequence needs exactly two markers; {int(np.sum(count != 2))} of {N} have "
        f"{sorted(set(count.astype(int).tolist()) - {2})}"
        + (" (two markers on the same step overwrite each other: draw one per half)" if (count == 1).any() else ""),
    ):
        return fb
    first, second = markers[:, :half].sum(axis=1), markers[:, half:].sum(axis=1)
    if not fb.expect(
        bool(np.all((first == 1) & (second == 1))),
        "one marker in the first half and one in the second",
        f"one marker belongs in steps 0..{half - 1} and one in steps {half}..{T - 1}; "
        f"{int(np.sum(first != 1))} of {N} sequences break that rule",
    ):
        return fb
    p1, p2 = markers[:, :half].argmax(axis=1), half + markers[:, half:].argmax(axis=1)
    rows = np.arange(N)
    target = values[rows, p1] + values[rows, p2]
    if not np.allclose(y[:, 0], target):
        msg = "y should be the sum X1 + X2 of the two marked values"
        if np.allclose(y[:, 0], values.sum(axis=1)):
            msg += "; yours is the sum of all values"
        elif np.allclose(y[:, 0], target / 2):
            msg += "; yours is their mean"
        elif np.allclose(y[:, 0], 0.5 + target / 4):
            msg += "; yours is the paper's scaled target 0.5 + (X1 + X2)/4"
        fb.expect(False, "", msg)
        return fb
    fb.expect(True, "y is the sum of the two marked values", "")

    # the statistics: with N = 4000 the sampling error is small against these tolerances
    ref = AddingProblem(T=T, form="common")
    stats = [
        ("the mean value", values.mean(), 0.5, 0.01),
        ("the mean target", y.mean(), 1.0, 0.03),
        ("the variance of the target (the chance MSE, 1/6)", y.var(), ref.baseline, 0.02),
        ("the mean position of the first marker", p1.mean(), (half - 1) / 2, 0.6),
        ("the mean position of the second marker", p2.mean(), (half + T - 1) / 2, 0.6),
    ]
    for name, got, want, tol in stats:
        if not fb.expect(
            abs(got - want) <= tol,
            f"{name}: {got:.3g} (expected {want:.3g})",
            f"{name} is {got:.3g}, expected {want:.3g}: draw the values and positions uniformly",
        ):
            return fb
    again = run_safely(fb, "adding_batch", adding_batch, N, T, np.random.default_rng(0))
    if again is None:
        return fb
    fb.expect(
        np.array_equal(np.asarray(again[0]), x),
        "the same rng seed gives the same batch",
        "two calls with np.random.default_rng(0) gave different batches: draw every number from rng, "
        "not from np.random",
    )
    return fb


def check_copy_baseline(copy_baseline) -> Feedback:
    """Check ``copy_baseline(T, n_symbols, n_copy)``: the memoryless cross-entropy of the copy task, in nats."""
    require_function("copy_baseline", copy_baseline)
    fb = Feedback("Exercise: the chance level of the copy task")
    for T, n_symbols, n_copy in ((20, 8, 10), (100, 8, 10), (50, 4, 5)):
        want = CopyMemory(T=T, n_symbols=n_symbols, n_copy=n_copy).baseline
        got = run_safely(fb, "copy_baseline", copy_baseline, T, n_symbols, n_copy)
        if got is None:
            if not fb.lines or fb.lines[-1][0]:
                fb.expect(False, "", "copy_baseline: your function returned None (did you forget a `return`?)")
            return fb
        try:
            got = float(got)
        except (TypeError, ValueError):
            fb.expect(False, "", f"copy_baseline: expected a number, got {type(got).__name__}")
            return fb
        name = f"T={T}, {n_symbols} symbols, copy {n_copy}"
        if math.isclose(got, want, rel_tol=1e-9):
            fb.expect(True, f"{name}: {got:.4g} nats", "")
            continue
        msg = f"{name}: got {got:.4g}, expected {want:.4g}"
        length = T + 2 * n_copy
        if math.isclose(got, n_copy * math.log(n_symbols) / T, rel_tol=1e-9):
            msg += " (divide by the full length T + 2 n_copy: the loss is averaged over every step)"
        elif math.isclose(got, n_copy * math.log(n_symbols) / (T + n_copy), rel_tol=1e-9):
            msg += " (the sequence has T + 2 n_copy steps: the n_copy symbols shown and the n_copy recalled)"
        elif math.isclose(got, n_copy * math.log(n_symbols) / (length - 1), rel_tol=1e-9) or math.isclose(
            got, n_copy * math.log(n_symbols) / (length + 1), rel_tol=1e-9
        ):
            msg += " (off by one step: the go signal is one of the T blank-length steps, so the length is T + 2 n_copy)"
        elif math.isclose(got, 10 * math.log(n_symbols) / (T + 20), rel_tol=1e-9) or math.isclose(
            got, n_copy * math.log(n_symbols) / (T + 20), rel_tol=1e-9
        ):
            msg += (
                " (10 ln 8 / (T + 20) is the case n_copy = 10: write it with n_copy, "
                "n_copy ln n_symbols / (T + 2 n_copy))"
            )
        elif math.isclose(got, n_copy * math.log(n_symbols + 1) / (T + 2 * n_copy), rel_tol=1e-9):
            msg += " (the blank is certain where it is due: only the n_symbols symbols are guessed, ln n_symbols)"
        elif math.isclose(got, n_copy * math.log2(n_symbols) / (T + 2 * n_copy), rel_tol=1e-9):
            msg += " (use the natural logarithm: the loss is in nats)"
        elif math.isclose(got, math.log(n_symbols), rel_tol=1e-9):
            msg += " (ln n_symbols is the loss at a recall step; the other steps cost nothing)"
        fb.expect(False, "", msg)
        return fb
    return fb
