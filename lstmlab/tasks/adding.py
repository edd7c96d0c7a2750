"""The adding problem: remember two marked numbers across a long sequence and output their sum.

Two forms, picked by ``form``:

``"paper"`` -- Hochreiter & Schmidhuber (1997), *Long Short-Term Memory*, Experiment 4.
    Each step is a pair ``(value, marker)``; values are drawn from U[-1, 1].
    Exactly two pairs are marked with marker ``1.0``: the first (value X1) is
    one of the first ten steps, the second (X2) is one of the first ``T//2 - 1``
    still unmarked steps (so it lies before step ``T//2``). The first and the
    last pair carry the marker ``-1.0`` unless they are marked; every other
    marker is ``0.0``. When the first pair is marked (by either marker), its
    value is set to 0 (the paper's rule, which it states for X1; the second
    marker can land there too, and we apply the rule to whichever it is).
    Target, at the last step: ``0.5 + (X1 + X2) / 4`` (the sum scaled into [0, 1]).
    A sequence is processed correctly when the absolute error is below 0.04.

    Conventions we chose (the paper leaves them open or cannot use them in a
    fixed-shape batch): steps are numbered from 0, so "the first ten" are
    steps 0..9 and the second marker lies in 0..T//2 - 1; the paper draws
    each sequence's length from [T, T + T/10]; a batch here is one array, so
    with ``random_length=True`` the *batch* draws its length from
    ``T .. T + T//10`` (one length for all its sequences), and with the default
    ``random_length=False`` every sequence has length T. We require T >= 20, so
    that "one of the first ten" and "before T/2" are the paper's rules as written.

    Baseline (predicting the mean 0.5 without memory): the loss is
    ``Var(0.5 + (X1+X2)/4) = (Var X1 + Var X2) / 16``. Each marked value is
    U[-1, 1] (variance 1/3), except that exactly one of them is 0 when the
    first pair is marked, which happens with probability
    ``P0 = 1/10 + (9/10) / (T//2 - 1)`` (the first marker on step 0, or else
    the second marker on step 0). So the baseline is ``(2 - P0) / 48``:
    about 0.0392 for T = 100 (averaged over the lengths with ``random_length``).
    Solved (the paper's stopping rule): every sequence of the batch correct and
    the mean squared error below 0.01.

``"common"`` -- the form of Le, Jaitly & Hinton (2015) and Arjovsky, Shah & Bengio (2016).
    Values U[0, 1]; markers ``1.0`` on exactly two steps, one drawn uniformly in
    the first half (steps ``0 .. T//2 - 1``) and one in the second half
    (``T//2 .. T-1``); every other marker is ``0.0``. Target: ``X1 + X2``.

    Baseline (predicting the mean ``E[X1 + X2] = 1``): ``Var(X1 + X2) = 2/12 = 1/6 ~ 0.167``.
    A sequence counts as correct when ``|error| < tolerance`` (0.04 by default,
    the paper's threshold); solved when the mean squared error is below 0.01.

Shapes: x (N, T, 2) with ``x[..., 0]`` the values and ``x[..., 1]`` the markers;
y (N, 1); readout "last", loss "mse".
"""

from __future__ import annotations

import numpy as np

from ..checks import check_bool, check_choice, check_real
from .base import Batch, Task, check_length, check_sample_args

FORMS = ("paper", "common")


class AddingProblem(Task):
    """The adding problem (see the module docstring for both forms and their baselines).

    Parameters
    ----------
    T : int
        Sequence length (the minimal length with ``random_length``). At least 20
        for the paper form, 2 for the common form.
    form : {"paper", "common"}
    random_length : bool
        Paper form only: draw each batch's length from ``T .. T + T//10``.
    tolerance : float
        A sequence is correct when ``|y_pred - y| < tolerance`` (0.04, the paper's).
    mse_goal : float
        Solved needs the batch's MSE below this (0.01).
    """

    loss = "mse"
    readout = "last"
    input_size = 2
    output_size = 1

    def __init__(self, T: int = 100, form: str = "common", random_length: bool = False, tolerance=0.04, mse_goal=0.01):
        self.form = check_choice("form", form, FORMS)
        self.T = check_length("T", T, 20 if form == "paper" else 2)
        if random_length and form != "paper":
            raise ValueError("random_length: only the paper form draws random lengths; got True with form='common'")
        self.random_length = check_bool("random_length", random_length)
        self.tolerance = check_real("tolerance", tolerance, low_open=True)
        self.mse_goal = check_real("mse_goal", mse_goal, low_open=True)
        self.name = f"adding-{form}"
        if form == "paper":
            self.citation = "Hochreiter & Schmidhuber (1997), Long Short-Term Memory, Experiment 4"
            lengths = range(self.T, self.T + self.T // 10 + 1) if random_length else (self.T,)
            self.baseline = float(np.mean([(2 - (0.1 + 0.9 / (L // 2 - 1))) / 48 for L in lengths]))
            what = "values U[-1,1], one marker in the first 10 steps and one before T/2, target 0.5+(X1+X2)/4"
        else:
            self.citation = "Le, Jaitly & Hinton (2015); Arjovsky, Shah & Bengio (2016)"
            self.baseline = 1 / 6
            what = "values U[0,1], one marker in each half, target X1+X2"
        self.description = f"Adding problem, {form} form, T={self.T}: {what} ({self.citation})."

    def sample(self, batch_size: int, rng: np.random.Generator, dtype=np.float64) -> Batch:
        """A batch: x (N, T, 2), y (N, 1); ``info`` holds the marker positions ``pos`` (N, 2)."""
        N, dtype = check_sample_args(batch_size, rng, dtype)
        rows = np.arange(N)
        if self.form == "common":
            T = self.T
            half = T // 2
            values = rng.uniform(0.0, 1.0, size=(N, T))
            p1 = rng.integers(0, half, size=N)
            p2 = rng.integers(half, T, size=N)
            markers = np.zeros((N, T))
            markers[rows, p1] = 1.0
            markers[rows, p2] = 1.0
            target = values[rows, p1] + values[rows, p2]
        else:
            T = int(rng.integers(self.T, self.T + self.T // 10 + 1)) if self.random_length else self.T
            values = rng.uniform(-1.0, 1.0, size=(N, T))
            p1 = rng.integers(0, 10, size=N)
            # the second marker: one of the first T//2 - 1 unmarked steps, i.e. a step in 0..T//2-1 other than p1
            k = rng.integers(0, T // 2 - 1, size=N)
            p2 = k + (k >= p1)
            values[(p1 == 0) | (p2 == 0), 0] = 0.0  # the paper: a marked first pair has value 0
            markers = np.zeros((N, T))
            markers[:, 0] = -1.0
            markers[:, -1] = -1.0
            markers[rows, p1] = 1.0
            markers[rows, p2] = 1.0
            target = 0.5 + (values[rows, p1] + values[rows, p2]) / 4.0
        x = np.stack([values, markers], axis=-1).astype(dtype)
        y = target[:, None].astype(dtype)
        return Batch(x=x, y=y, mask=None, info={"pos": np.stack([p1, p2], axis=1)})

    def step_correct(self, y_pred, batch: Batch) -> np.ndarray:
        """Correct when the absolute error at the sequence end is below ``tolerance``: bool (N,)."""
        return np.abs(y_pred[:, 0] - batch.y[:, 0]) < self.tolerance

    def is_solved(self, metrics: dict) -> bool:
        if self.form == "paper":
            return bool(metrics["success_rate"] >= self.solve_at and metrics["loss"] < self.mse_goal)
        return bool(metrics["loss"] < self.mse_goal)
