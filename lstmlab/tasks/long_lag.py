"""Noise-free sequences with long time lags: remember the first symbol for p steps.

Hochreiter & Schmidhuber (1997), *Long Short-Term Memory*, Experiment 2a.

There are ``p + 1`` symbols, coded one-hot (in this order): ``a_1 .. a_{p-1}``
(indices ``0 .. p-2``), ``x`` (index ``p-1``) and ``y`` (index ``p``). Only two
sequences exist, each with probability 1/2: ``(y, a_1, ..., a_{p-1}, y)`` and
``(x, a_1, ..., a_{p-1}, x)``. The network reads the first ``p`` symbols and must
predict the last one, which equals the first: a lag of ``p`` steps.

In the paper the network predicts the next symbol at every step; every
prediction but the last follows from the current input alone, so here only
the last one is the target (readout "last", ``p + 1`` output classes).

Baseline: without memory the last symbol is x or y with probability 1/2 each,
so the best prediction puts 1/2 on each: cross-entropy ``ln 2``, accuracy 1/2.
A sequence is correct when the arg-max is the right symbol; solved when every
sequence of the batch is (the paper stopped when the final symbol was
predicted right for all recent sequences).

Shapes: x (N, p, p + 1), y (N,) int; loss "cross_entropy".
"""

from __future__ import annotations

import numpy as np

from .base import Batch, Task, check_length, check_sample_args, one_hot


class LongLag(Task):
    """Experiment 2a with lag ``p`` (sequences of ``p`` input steps, ``p + 1`` symbols; p >= 2)."""

    loss = "cross_entropy"
    readout = "last"

    def __init__(self, p: int = 100):
        self.p = check_length("p", p, 2)
        self.T = self.p
        self.input_size = self.output_size = self.p + 1
        self.baseline = float(np.log(2.0))
        self.name = "long-lag"
        self.citation = "Hochreiter & Schmidhuber (1997), Long Short-Term Memory, Experiment 2a"
        self.description = (
            f"Noise-free long lag, p={self.p}: (y, a1..a{self.p - 1}, y) or (x, a1..a{self.p - 1}, x), "
            f"predict the last symbol ({self.citation})."
        )

    def sample(self, batch_size: int, rng: np.random.Generator, dtype=np.float64) -> Batch:
        """A batch: x (N, p, p+1), y (N,) int64, the index of x (``p - 1``) or y (``p``)."""
        N, dtype = check_sample_args(batch_size, rng, dtype)
        first = self.p - 1 + rng.integers(0, 2, size=N)
        seq = np.empty((N, self.p), dtype=np.int64)
        seq[:, 0] = first
        seq[:, 1:] = np.arange(self.p - 1)
        return Batch(x=one_hot(seq, self.input_size, dtype), y=first.astype(np.int64), mask=None)
