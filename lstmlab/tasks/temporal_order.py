"""Temporal order: classify a sequence by the order of two (or three) widely separated symbols.

Hochreiter & Schmidhuber (1997), *Long Short-Term Memory*, Experiments 6a and 6b.

Eight input symbols, one-hot (in this order): ``E`` (start), ``B`` (the
trigger at the end), the distractors ``a, b, c, d``, and the relevant ``X, Y``.
A sequence starts with E, ends with B, and is otherwise random distractors,
except at the relevant positions, which hold X or Y (each with probability 1/2):

* 6a (``n_relevant=2``): ``t1`` in ``[T/10, T/5]`` and ``t2`` in ``[T/2, 3T/5]``;
  four classes by the order: XX -> Q (0), XY -> R (1), YX -> S (2), YY -> U (3).
* 6b (``n_relevant=3``): ``t1`` in ``[T/10, T/5]``, ``t2`` in ``[0.33T, 0.43T]``,
  ``t3`` in ``[0.66T, 0.76T]``; eight classes (XXX -> 0, XXY -> 1, ..., YYY -> 7).

The paper uses T = 100: t1 in 10..20, t2 in 50..60 (6a), and sequence lengths
drawn from 100..110. Here the positions scale with T (rounded; steps numbered
from 0, E at step 0), and with ``random_length=True`` each *batch* draws its
length from ``T .. T + T//10`` (a batch is one array); by default every
sequence has length T. The target is the class, read out at the last step.

The paper trained sigmoid outputs with squared error and called a sequence
correct when every output was within 0.3 of its target; with a softmax readout
we call it correct when the arg-max is the class. Solved: every sequence of the
batch correct (the paper: the last 2000 sequences classified correctly).

Baseline: the classes are equally likely and independent of everything but
the relevant symbols, so a model without memory predicts the uniform
distribution: cross-entropy ``ln 4`` (6a) or ``ln 8`` (6b), accuracy 1/4 or 1/8.

Shapes: x (N, T, 8), y (N,) int; readout "last", loss "cross_entropy".
"""

from __future__ import annotations

import numpy as np

from ..checks import check_bool
from .base import Batch, Task, check_length, check_sample_args, one_hot

#: The input symbols, in the order of the one-hot code.
SYMBOLS = ("E", "B", "a", "b", "c", "d", "X", "Y")
#: Where the relevant symbols lie, as fractions of T (inclusive ranges), for 2 and 3 relevant symbols.
WINDOWS = {2: ((0.10, 0.20), (0.50, 0.60)), 3: ((0.10, 0.20), (0.33, 0.43), (0.66, 0.76))}


class TemporalOrder(Task):
    """Temporal order, Experiment 6a (``n_relevant=2``, 4 classes) or 6b (``n_relevant=3``, 8 classes).

    Parameters
    ----------
    T : int
        Sequence length (>= 10); the relevant positions scale with it.
    n_relevant : {2, 3}
    random_length : bool
        Draw each batch's length from ``T .. T + T//10``, as the paper's lengths.
    """

    loss = "cross_entropy"
    readout = "last"
    input_size = len(SYMBOLS)

    def __init__(self, T: int = 100, n_relevant: int = 2, random_length: bool = False):
        if isinstance(n_relevant, bool) or n_relevant not in WINDOWS:
            raise ValueError(f"n_relevant: expected 2 (Experiment 6a) or 3 (6b), got {n_relevant!r}")
        self.T = check_length("T", T, 10)
        self.n_relevant = n_relevant
        self.random_length = check_bool("random_length", random_length)
        self.windows = tuple((int(round(lo * self.T)), int(round(hi * self.T))) for lo, hi in WINDOWS[n_relevant])
        self.output_size = 2**n_relevant
        self.baseline = float(np.log(self.output_size))
        exp = "6a" if n_relevant == 2 else "6b"
        self.name = f"temporal-order-{exp}"
        self.citation = f"Hochreiter & Schmidhuber (1997), Long Short-Term Memory, Experiment {exp}"
        self.description = (
            f"Temporal order, T={self.T}: classify by the order of {n_relevant} X/Y symbols among distractors, "
            f"{self.output_size} classes ({self.citation})."
        )

    def sample(self, batch_size: int, rng: np.random.Generator, dtype=np.float64) -> Batch:
        """A batch: x (N, T, 8), y (N,) int64; ``info["pos"]`` (N, n_relevant) the relevant steps."""
        N, dtype = check_sample_args(batch_size, rng, dtype)
        T = int(rng.integers(self.T, self.T + self.T // 10 + 1)) if self.random_length else self.T
        seq = rng.integers(2, 6, size=(N, T))  # the distractors a, b, c, d
        seq[:, 0] = 0  # E
        seq[:, -1] = 1  # B
        rows = np.arange(N)
        pos = np.stack([rng.integers(lo, hi + 1, size=N) for lo, hi in self.windows], axis=1)
        bits = rng.integers(0, 2, size=(N, self.n_relevant))  # 0: X, 1: Y
        seq[rows[:, None], pos] = 6 + bits
        y = (bits * 2 ** np.arange(self.n_relevant - 1, -1, -1)).sum(axis=1).astype(np.int64)
        return Batch(x=one_hot(seq, self.input_size, dtype), y=y, mask=None, info={"pos": pos})
