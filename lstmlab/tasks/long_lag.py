"""Noise-free sequences with long time lags: remember the first symbol for p steps.

Hochreiter & Schmidhuber (1997), *Long Short-Term Memory*, Experiment 2a.

There are ``p + 1`` symbols, coded one-hot (in this order): ``a_1 .. a_{p-1}``
(indices ``0 .. p-2``), ``x`` (index ``p-1``) and ``y`` (index ``p``). Only two
sequences exist, each with probability 1/2: ``(y, a_1, ..., a_{p-1}, y)`` and
``(x, a_1, ..., a_{p-1}, x)``. The network reads the first ``p`` symbols; the
last one, which equals the first, is predicted after a lag of ``p`` steps.

Two ways to ask for it (``targets``):

``targets="last"`` (the default): one target per sequence, read out after the
    ``p``-th input: *which* of x and y comes last. Two classes, 0 for x and
    1 for y (readout "last", ``output_size = 2``). This is the paper's final
    prediction without the p - 1 symbols that can never come last.
    Baseline: without memory x and y are equally likely: cross-entropy
    ``ln 2``, accuracy 1/2. A sequence is correct when the arg-max is its
    class; solved when every sequence of the batch is.

``targets="all"`` (the paper's set-up): predict the next symbol at every step
    (readout "all", ``p + 1`` classes, ``y[:, t]`` is the symbol at step
    ``t + 1``, so ``y[:, p - 1]`` is the last symbol). Every prediction but the
    last follows from the current input alone (``x``/``y`` -> ``a_1``,
    ``a_i`` -> ``a_{i+1}``); only the last needs the memory. Baseline: a
    predictor without memory gets the ``p - 1`` easy steps exactly right and
    puts 1/2 on x and y at the last: the mean cross-entropy over the ``p``
    steps is ``ln 2 / p``. A sequence is correct when every step is (the last
    included); solved when every sequence of the batch is.

Why the default is not the paper's output layer. With ``p + 1`` output
units and one target per sequence, the target at the last step is always x
or y, never one of the ``p - 1`` symbols ``a_i``. A gradient-trained LSTM
(Adam, lr 0.01, H = 12, forget bias 1 to 3; at 4 or more the signal outruns the saturation) then lowers those p - 1
logits fastest by driving its final hidden state to a fixed saturated vector
(cell states near +-10, ``tanh(c) = +-1``, ``o`` near 1), used as a second
output bias. That saturation hides the x/y difference that the cells still
carry (``tanh'(10)`` is about 1e-8), the loss sits at ``ln 2``, and the lag is
never learned, even at p = 20 (PyTorch's ``nn.LSTM``, forget bias 1, does the
same on the same batches). With the two classes that can occur, the same network solves p = 20
and p = 30 in about 50 steps. The per-step ``targets="all"`` does not help
either: its final step faces the same pull, with a 1/p share of the loss
(with the settings above, still at about ``ln 2 / p`` after 2000 steps at
p = 20). The paper's network escaped the trap with gates whose forgetting
could not be learned (the 1997 LSTM has no forget gate) and negative
input-gate biases.

Shapes: x (N, p, p + 1); y (N,) int with ``"last"``, (N, p) int with ``"all"``;
``info["first"]`` (N,) the index of the first symbol (``p - 1`` or ``p``);
loss "cross_entropy".
"""

from __future__ import annotations

import numpy as np

from ..checks import check_choice
from .base import Batch, Task, check_length, check_sample_args, one_hot

TARGETS = ("last", "all")


class LongLag(Task):
    """Experiment 2a with lag ``p`` (sequences of ``p`` input steps, ``p + 1`` symbols; p >= 2).

    Parameters
    ----------
    p : int
        The lag (and the number of input steps).
    targets : {"last", "all"}
        ``"last"``: one target per sequence, x (0) or y (1). ``"all"``: the paper's
        next-symbol prediction at every step (see the module docstring).
    """

    loss = "cross_entropy"

    def __init__(self, p: int = 100, targets: str = "last"):
        self.p = check_length("p", p, 2)
        self.targets = check_choice("targets", targets, TARGETS)
        self.T = self.p
        self.input_size = self.p + 1
        self.readout = targets
        if targets == "last":
            self.output_size = 2
            self.baseline = float(np.log(2.0))
            what = "say which of x and y comes last"
        else:
            self.output_size = self.p + 1
            self.baseline = float(np.log(2.0) / self.p)
            what = "predict the next symbol at every step"
        self.name = "long-lag"
        self.citation = "Hochreiter & Schmidhuber (1997), Long Short-Term Memory, Experiment 2a"
        self.description = (
            f"Noise-free long lag, p={self.p}: (y, a1..a{self.p - 1}, y) or (x, a1..a{self.p - 1}, x), "
            f"{what} ({self.citation})."
        )

    def sample(self, batch_size: int, rng: np.random.Generator, dtype=np.float64) -> Batch:
        """A batch: x (N, p, p+1); y (N,) int64 (0 for x, 1 for y) or, with ``targets="all"``,
        (N, p) int64 (the next symbol's index); ``info["first"]``, the first symbol's index."""
        N, dtype = check_sample_args(batch_size, rng, dtype)
        cls = rng.integers(0, 2, size=N)
        first = self.p - 1 + cls  # x (p - 1) or y (p)
        seq = np.empty((N, self.p + 1), dtype=np.int64)  # the whole sequence, the last symbol included
        seq[:, 0] = seq[:, self.p] = first
        seq[:, 1 : self.p] = np.arange(self.p - 1)
        y = cls if self.targets == "last" else seq[:, 1:]
        x = one_hot(seq[:, : self.p], self.input_size, dtype)
        return Batch(x=x, y=np.ascontiguousarray(y, dtype=np.int64), mask=None, info={"first": first})
