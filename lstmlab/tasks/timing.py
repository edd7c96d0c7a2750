"""Timed spikes: tasks that need a cell to count time, the motivation of peephole connections.

Gers & Schmidhuber (2000), *Recurrent Nets that Time and Count*, which
introduced peepholes and tested them on measuring spike delays (MSD) and
generating timed spikes (GTS). We implement one version of each, ours in the
details (the paper's exact set-ups are not reproduced):

``mode="measure"`` (after MSD): one input channel, zero except for two spikes
    (value 1.0) at steps ``t1`` and ``t1 + delta``, where ``delta`` is drawn
    uniformly from ``intervals`` (its index is the class) and ``t1`` uniformly
    from ``0 .. T - 1 - delta``. The sequence goes on silently until step T - 1,
    where the class of ``delta`` is read out (cross-entropy, ``len(intervals)``
    classes). Because ``t1`` is random, neither spike's distance from the start
    or the end tells the interval: the cell must time the gap between them.
    Baseline: the classes are equally likely, so without memory the best is the
    uniform prediction: ``ln K`` (K intervals), accuracy ``1/K``. A sequence is
    correct when the arg-max is its class; solved when all of the batch are.
    Learning it: an LSTM first sits on a plateau at ``ln K`` (one spike barely
    moves a cell at initialisation) and leaves it after about 100 to 300 Adam
    steps at lr 0.01 (H = 8, batch 32, T = 20 to 40, default init), then needs
    a few hundred more to get every sequence right; at lr 0.001, or at T = 60,
    the plateau lasts 400 steps or more, so 600 steps can look like "never".
    ``tests/tasks/test_learnability.py`` trains it at T = 20.

``mode="generate"`` (after GTS): one input channel with a single spike at step
    ``t0``, drawn uniformly from ``0 .. T - 1 - interval``; the target (one
    channel, at every step) is 1.0 at ``t0 + k * interval`` for k = 1, 2, ...
    (while < T) and 0.0 elsewhere: after the cue, emit a spike every ``interval``
    steps. Loss: per-step squared error. A step is right when ``y_pred > 0.5``
    agrees with the target; a sequence, when every step is. Baseline: without
    memory the best prediction is the constant ``m``, the mean target, and the
    loss is ``m (1 - m)``; ``m = E[number of target spikes] / T`` with the count
    ``floor((T - 1 - t0) / interval)`` averaged over the uniform ``t0`` (computed
    exactly by summing over the ``T - interval`` possible ``t0``).
"""

from __future__ import annotations

import numpy as np

from ..checks import check_choice
from .base import Batch, Task, check_length, check_sample_args

MODES = ("measure", "generate")


class SpikeTiming(Task):
    """Timed spikes (see the module docstring for the two modes and their baselines).

    Parameters
    ----------
    T : int
        Sequence length.
    mode : {"measure", "generate"}
    intervals : sequence of int
        ``"measure"``: the possible delays between the two spikes (distinct,
        >= 1, the largest < T); the class is the index into this tuple.
    interval : int
        ``"generate"``: the period of the output spikes (1 <= interval < T).
    """

    name = "timing"
    citation = "Gers & Schmidhuber (2000), Recurrent Nets that Time and Count"
    input_size = 1

    def __init__(self, T: int = 60, mode: str = "measure", intervals=(10, 15, 20, 25, 30), interval: int = 10):
        self.mode = check_choice("mode", mode, MODES)
        self.T = check_length("T", T, 2)
        if mode == "measure":
            try:
                ints = tuple(int(check_length("intervals", d, 1)) for d in intervals)
            except TypeError as e:
                raise TypeError(f"intervals: expected a sequence of positive ints, got {intervals!r}") from e
            if len(ints) < 2 or len(set(ints)) != len(ints) or max(ints) >= self.T:
                raise ValueError(f"intervals: expected at least 2 distinct ints, each < T={self.T}, got {intervals!r}")
            self.intervals = ints
            self.loss, self.readout = "cross_entropy", "last"
            self.output_size = len(ints)
            self.baseline = float(np.log(len(ints)))
            what = f"classify the delay between two spikes among {ints}"
        else:
            self.interval = check_length("interval", interval, 1)
            if self.interval >= self.T:
                raise ValueError(f"interval: expected an int < T={self.T}, got {interval}")
            self.loss, self.readout = "mse", "all"
            self.output_size = 1
            t0 = np.arange(self.T - self.interval)
            m = ((self.T - 1 - t0) // self.interval).mean() / self.T
            self.baseline = float(m * (1 - m))
            what = f"after a cue spike, spike every {self.interval} steps"
        self.name = f"timing-{mode}"
        self.description = f"Timed spikes, T={self.T}: {what} ({self.citation})."

    def sample(self, batch_size: int, rng: np.random.Generator, dtype=np.float64) -> Batch:
        """``"measure"``: x (N, T, 1), y (N,) int64, ``info["t1"], info["delta"]``.
        ``"generate"``: x (N, T, 1), y (N, T, 1) float, mask None, ``info["t0"]``."""
        N, dtype = check_sample_args(batch_size, rng, dtype)
        rows = np.arange(N)
        x = np.zeros((N, self.T, 1), dtype=dtype)
        if self.mode == "measure":
            cls = rng.integers(0, len(self.intervals), size=N)
            delta = np.asarray(self.intervals)[cls]
            t1 = (rng.random(N) * (self.T - delta)).astype(np.int64)  # uniform on 0 .. T-1-delta
            x[rows, t1, 0] = 1.0
            x[rows, t1 + delta, 0] = 1.0
            return Batch(x=x, y=cls.astype(np.int64), mask=None, info={"t1": t1, "delta": delta})
        t0 = rng.integers(0, self.T - self.interval, size=N)
        x[rows, t0, 0] = 1.0
        after = np.arange(self.T)[None, :] - t0[:, None]
        y = ((after > 0) & (after % self.interval == 0)).astype(dtype)[..., None]
        return Batch(x=x, y=y, mask=None, info={"t0": t0})

    def step_correct(self, y_pred, batch: Batch) -> np.ndarray:
        if self.mode == "measure":
            return super().step_correct(y_pred, batch)
        return (y_pred[..., 0] > 0.5) == (batch.y[..., 0] > 0.5)
