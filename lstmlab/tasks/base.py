"""What every task provides: a :class:`Batch` of arrays and a :class:`Task` that samples and scores them.

A task is a synthetic problem with a known answer, a chance level and a
success criterion taken from the paper that introduced it. Every task:

* samples a :class:`Batch` with :meth:`Task.sample` from a
  ``numpy.random.Generator`` that you pass in (no global random state: the
  same seed gives the same batch);
* scores a model's output with :meth:`Task.evaluate`, which returns a dict
  with ``"loss"``, ``"success_rate"`` (the fraction of sequences correct by
  the paper's criterion), ``"accuracy"`` where it means something, and
  ``"solved"`` (the task's success criterion met on this batch).

Shapes: N sequences, T time steps, D input features, V outputs.
``y_pred`` is what a model with a linear readout outputs: ``(N, V)`` when
``readout == "last"``, ``(N, T, V)`` when ``readout == "all"`` (logits when
``loss == "cross_entropy"``).

Losses (computed with :mod:`lstmlab.losses`):

* ``"mse"``: the mean of ``(y_pred - y)**2`` over every counted entry, that is
  over N (and the counted steps) *and* V;
* ``"cross_entropy"``: the mean of ``-log softmax(logits)[target]`` over every
  counted sequence (and step), in nats.

With ``mask`` given, only the steps where it is True count.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from ..backend import asnumpy
from ..checks import check_array, check_choice, check_float_dtype, check_ids, check_positive_int
from ..losses import mse_loss, softmax_cross_entropy

LOSSES = ("mse", "cross_entropy")
READOUTS = ("last", "all")


@dataclass
class Batch:
    """One batch of a task.

    Attributes
    ----------
    x : float array (N, T, D)
        The inputs.
    y : array
        The targets: float ``(N, V)`` or ``(N, T, V)`` for ``"mse"``; int class
        indices ``(N,)`` or ``(N, T)`` for ``"cross_entropy"``.
    mask : bool array (N, T) or None
        For per-step targets, which steps count in the loss and the metrics;
        None when every step counts (or when there is one target per sequence).
    info : dict
        Extra arrays a task keeps for its own metrics or for plots (for example
        the marker positions of the adding problem). Never needed to train.
    """

    x: np.ndarray
    y: np.ndarray
    mask: np.ndarray | None = None
    info: dict = field(default_factory=dict)

    @property
    def N(self) -> int:
        return self.x.shape[0]

    @property
    def T(self) -> int:
        return self.x.shape[1]


def check_sample_args(batch_size, rng, dtype):
    """Validate the arguments of :meth:`Task.sample`; returns ``(batch_size, dtype)``."""
    batch_size = check_positive_int("batch_size", batch_size)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(
            f"rng: expected a numpy.random.Generator (np.random.default_rng(seed)), got {type(rng).__name__}"
        )
    return batch_size, check_float_dtype("dtype", dtype)


def one_hot(indices, size: int, dtype=np.float64) -> np.ndarray:
    """Local (one-hot) codes: int array of any shape ``S`` -> float array ``S + (size,)``."""
    size = check_positive_int("size", size)
    indices = check_ids("indices", indices, size)
    out = np.zeros(indices.shape + (size,), dtype=check_float_dtype("dtype", dtype))
    np.put_along_axis(out, indices.astype(np.intp)[..., None], 1.0, axis=-1)
    return out


class Task:
    """A task: a generator of batches, its chance level and its success criterion.

    Subclasses set the class or instance attributes below, implement
    :meth:`sample`, and usually :meth:`correct` (which sequences are right by
    the paper's criterion).

    Attributes
    ----------
    name, description, citation : str
        ``description`` is one line, with the citation.
    input_size, output_size : int
        D and V.
    loss : str
        ``"mse"`` or ``"cross_entropy"``.
    readout : str
        ``"last"`` (one target per sequence) or ``"all"`` (a target at every step).
    baseline : float
        The chance-level value of the loss: what a predictor without (long-term)
        memory scores. Each task's docstring derives it.
    solve_at : float
        ``evaluate(...)["solved"]`` is True when the success rate reaches this
        (1.0: every sequence of the batch right, as in the papers' "the last
        2000 sequences were processed correctly"). Tasks may add a loss bound.
    """

    name: str = ""
    description: str = ""
    citation: str = ""
    input_size: int = 0
    output_size: int = 0
    loss: str = "mse"
    readout: str = "last"
    baseline: float = float("nan")
    solve_at: float = 1.0

    def sample(self, batch_size: int, rng: np.random.Generator, dtype=np.float64) -> Batch:
        """A batch of ``batch_size`` sequences drawn with ``rng``."""
        raise NotImplementedError(f"{type(self).__name__} does not implement sample()")

    # -- scoring ---------------------------------------------------------------------------------------------------

    def check_prediction(self, y_pred, batch: Batch) -> np.ndarray:
        """Validate ``y_pred`` against ``batch``; returns it as a NumPy array (moved to the host if on a GPU)."""
        if not isinstance(batch, Batch):
            raise TypeError(f"batch: expected a Batch (from {type(self).__name__}.sample), got {type(batch).__name__}")
        check_choice("readout", self.readout, READOUTS)
        check_choice("loss", self.loss, LOSSES)
        N, T = batch.x.shape[:2]
        shape = (N, self.output_size) if self.readout == "last" else (N, T, self.output_size)
        y_pred = asnumpy(check_array("y_pred", y_pred, shape=shape))
        return y_pred

    def loss_value(self, y_pred, batch: Batch) -> float:
        """The task's loss of ``y_pred`` on ``batch`` (a float)."""
        y_pred = np.asarray(y_pred, dtype=np.float64)
        if self.loss == "mse":
            return mse_loss(y_pred, np.asarray(batch.y, dtype=np.float64), batch.mask)[0]
        return softmax_cross_entropy(y_pred, batch.y, batch.mask)[0]

    def step_correct(self, y_pred, batch: Batch) -> np.ndarray:
        """Which predictions are right: bool ``(N,)`` for readout "last", ``(N, T)`` for "all".

        The default, for cross-entropy: the arg-max class is the target.
        """
        if self.loss != "cross_entropy":
            raise NotImplementedError(f"{type(self).__name__} must define step_correct() for loss {self.loss!r}")
        return np.argmax(y_pred, axis=-1) == batch.y

    def correct(self, y_pred, batch: Batch) -> np.ndarray:
        """Which sequences are right, bool ``(N,)``: every counted step right."""
        ok = self.step_correct(y_pred, batch)
        if ok.ndim == 1:
            return ok
        if batch.mask is not None:
            ok = ok | ~batch.mask
        return ok.all(axis=1)

    def accuracy(self, y_pred, batch: Batch) -> float:
        """The fraction of counted predictions that are right."""
        ok = self.step_correct(y_pred, batch)
        if ok.ndim == 2 and batch.mask is not None:
            ok = ok[batch.mask]
        return float(ok.mean())

    def is_solved(self, metrics: dict) -> bool:
        """The task's success criterion, from the other metrics."""
        return bool(metrics["success_rate"] >= self.solve_at)

    def evaluate(self, y_pred, batch: Batch) -> dict:
        """Score ``y_pred`` on ``batch``.

        Returns a dict: ``"loss"`` (float), ``"success_rate"`` (fraction of
        sequences right by the paper's criterion), ``"accuracy"`` (fraction of
        counted predictions right), ``"solved"`` (bool), plus task-specific
        entries. ``y_pred`` is not modified.
        """
        y_pred = self.check_prediction(y_pred, batch)
        metrics = {"loss": self.loss_value(y_pred, batch)}
        metrics["success_rate"] = float(self.correct(y_pred, batch).mean())
        metrics["accuracy"] = self.accuracy(y_pred, batch)
        metrics.update(self.extra_metrics(y_pred, batch))
        metrics["solved"] = self.is_solved(metrics)
        return metrics

    def extra_metrics(self, y_pred, batch: Batch) -> dict:
        """Task-specific metrics added by :meth:`evaluate` (none by default)."""
        return {}

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name!r}: D={self.input_size}, V={self.output_size}, {self.loss}>"


def check_length(name: str, value, minimum: int) -> int:
    """Check an int length parameter (for example ``T``) against a task's minimum."""
    value = check_positive_int(name, value)
    if value < minimum:
        raise ValueError(f"{name}: expected an int >= {minimum} for this task, got {value}")
    return value
