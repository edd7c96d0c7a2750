"""The copy-memory task: read ten symbols, wait, then write them back.

Arjovsky, Shah & Bengio (2016), *Unitary Evolution Recurrent Neural Networks*,
section 4.1 (after Hochreiter & Schmidhuber 1997).

The input alphabet has ``n_symbols + 2`` entries: ``0`` is the blank, ``1 ..
n_symbols`` are the symbols to copy, ``n_symbols + 1`` is the delimiter. A
sequence is (steps numbered from 0):

* steps ``0 .. n_copy-1``: ``n_copy`` symbols drawn uniformly from ``1 .. n_symbols``;
* steps ``n_copy .. n_copy+T-2``: ``T - 1`` blanks;
* step ``n_copy + T - 1``: the delimiter;
* the last ``n_copy`` steps: blanks, while the model writes the symbols back.

Total length ``T + 2 n_copy`` (T + 20 with the paper's ``n_copy = 10``). The
target is the blank at the first ``T + n_copy`` steps and the copied symbols
at the last ``n_copy``. Outputs are ``n_symbols + 1`` classes (the blank and
the symbols; the delimiter is never a target); the loss is the per-step
softmax cross-entropy averaged over all ``T + 2 n_copy`` steps.

Baseline (the paper's): a model without memory outputs the blank with
certainty where it is due (loss 0) and the uniform distribution over the
``n_symbols`` symbols at the ``n_copy`` recall steps (``ln n_symbols`` each), so
its mean loss is ``n_copy ln(n_symbols) / (T + 2 n_copy)``; ``10 ln 8 / (T + 20)``.

Metrics: ``accuracy`` is the fraction of recalled symbols right (arg-max);
a sequence is correct when every one of its steps is right; solved when every
sequence of the batch is.

Shapes: x (N, T + 2 n_copy, n_symbols + 2) one-hot, y (N, T + 2 n_copy) int,
mask None; readout "all".
"""

from __future__ import annotations

import numpy as np

from ..checks import check_positive_int
from .base import Batch, Task, check_length, check_sample_args, one_hot


class CopyMemory(Task):
    """Copy memory with blank length ``T`` (sequences of ``T + 2 n_copy`` steps).

    Parameters
    ----------
    T : int
        The lag: ``T - 1`` blanks and the delimiter between the symbols and
        their recall (T >= 1).
    n_symbols : int
        The alphabet size of the symbols to copy (8 in the paper, >= 2).
    n_copy : int
        How many symbols to copy (10 in the paper).
    """

    loss = "cross_entropy"
    readout = "all"

    def __init__(self, T: int = 20, n_symbols: int = 8, n_copy: int = 10):
        self.T = check_length("T", T, 1)
        self.n_symbols = check_length("n_symbols", n_symbols, 2)
        self.n_copy = check_positive_int("n_copy", n_copy)
        self.input_size = self.n_symbols + 2
        self.output_size = self.n_symbols + 1
        self.length = self.T + 2 * self.n_copy
        self.baseline = self.n_copy * np.log(self.n_symbols) / self.length
        self.name = "copy"
        self.citation = "Arjovsky, Shah & Bengio (2016), Unitary Evolution Recurrent Neural Networks"
        self.description = (
            f"Copy memory, T={self.T}: recall {self.n_copy} symbols of {self.n_symbols} after a lag of T steps, "
            f"length T+{2 * self.n_copy} ({self.citation})."
        )

    def sample(self, batch_size: int, rng: np.random.Generator, dtype=np.float64) -> Batch:
        """A batch: x (N, T+2 n_copy, n_symbols+2), y (N, T+2 n_copy) int64; ``info["symbols"]`` (N, n_copy)."""
        N, dtype = check_sample_args(batch_size, rng, dtype)
        k, L = self.n_copy, self.length
        symbols = rng.integers(1, self.n_symbols + 1, size=(N, k))
        inputs = np.zeros((N, L), dtype=np.int64)
        inputs[:, :k] = symbols
        inputs[:, self.T + k - 1] = self.n_symbols + 1  # the delimiter
        y = np.zeros((N, L), dtype=np.int64)
        y[:, L - k :] = symbols
        return Batch(x=one_hot(inputs, self.input_size, dtype), y=y, mask=None, info={"symbols": symbols})

    def accuracy(self, y_pred, batch: Batch) -> float:
        """The fraction of recalled symbols (the last ``n_copy`` steps) that are right."""
        ok = self.step_correct(y_pred, batch)[:, -self.n_copy :]
        return float(ok.mean())
