"""Several seeds of one experiment: :func:`fit_seeds` trains one model per seed and returns them together.

A claim that rests on training rests on several seeds (at least 5 for a success-or-failure claim).
``fit_seeds(seeds, data, config, cell=..., hidden_size=...)`` is, by definition, the same as::

    for s in seeds:
        model = Model(cell, ..., seed=s)
        fit(model, data, config.replace(seed=s))

seed by seed: the same initial params, the same batches, the same histories. It returns a
:class:`SeedRuns` that summarises them (:meth:`SeedRuns.steps_to_solve`, :meth:`SeedRuns.final`).

>>> from lstmlab.sweep import fit_seeds
>>> from lstmlab.tasks import get_task
>>> from lstmlab.train import TrainConfig
>>> runs = fit_seeds([0, 1], get_task("adding", T=5), TrainConfig(steps=3, batch_size=4, progress=False),
...                  cell="lstm", hidden_size=4)
>>> len(runs), [len(h) for h in runs.histories]
(2, [3, 3])
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .checks import describe
from .claims import SeedSummary, summarise
from .model import Model
from .train import TrainConfig, TrainingDiverged, _is_task, fit


@dataclass
class SeedRuns:
    """The models and histories of one setting trained with several seeds (see :func:`fit_seeds`).

    ``diverged[k]`` is the :class:`~lstmlab.train.TrainingDiverged` of seed ``k`` (None if it did
    not diverge); a diverged run keeps its last good params and its history up to then.
    """

    seeds: tuple
    models: list
    histories: list
    diverged: list

    def __len__(self) -> int:
        return len(self.seeds)

    def steps_to_solve(self) -> SeedSummary:
        """Per seed, the step of the first solved evaluation (never: counted as inf), summarised."""
        steps = [h.solved_at for h in self.histories]
        return summarise(steps, budget=max(h.step[-1] if h.step else 0 for h in self.histories))

    def sequences_to_solve(self) -> SeedSummary:
        """:meth:`steps_to_solve` counted in training sequences (steps x batch size)."""
        seqs = [None if h.solved_at is None else h.solved_at * h.batch_size for h in self.histories]
        return summarise(seqs)

    def final(self, metric: str = "loss") -> np.ndarray:
        """The last evaluation's ``metric`` of every seed, as an array (NaN where a run has none)."""
        out = []
        for h in self.histories:
            values = h.eval.get(metric)
            if values is None and metric == "loss" and h.loss:
                values = h.loss
            out.append(float("nan") if not values else float(values[-1]))
        return np.asarray(out, dtype=np.float64)

    def solved(self) -> np.ndarray:
        """Per seed, whether it solved the task (a bool array)."""
        return np.asarray([h.solved_at is not None for h in self.histories])


def _check_seeds(seeds) -> tuple:
    try:
        seeds = tuple(seeds)
    except TypeError:
        raise TypeError(f"seeds: expected a sequence of ints, got {describe(seeds)}") from None
    if not seeds:
        raise ValueError("seeds: expected at least one seed, got an empty sequence")
    for s in seeds:
        if isinstance(s, bool) or not isinstance(s, (int, np.integer)) or s < 0:
            raise ValueError(f"seeds: expected ints >= 0, got {describe(s)}")
    if len(set(int(s) for s in seeds)) != len(seeds):
        raise ValueError(f"seeds: expected distinct seeds, got {list(seeds)}")
    return tuple(int(s) for s in seeds)


def fit_seeds(seeds, data, config=None, val_data=None, raise_on_divergence=False, **model_kwargs) -> SeedRuns:
    """Train one model per seed on ``data`` (a Task or arrays) and return a :class:`SeedRuns`.

    Parameters
    ----------
    seeds : sequence of distinct ints >= 0
        Each seeds both the model's initialisation and the training batches (``config.seed``).
    data : Task, or ``(x, y)`` / ``(x, y, mask)`` arrays, as for :func:`lstmlab.train.fit`
    config : TrainConfig (its ``seed`` is replaced by each seed)
    val_data : arrays, optional, as for :func:`lstmlab.train.fit`
    raise_on_divergence : bool
        Re-raise a seed's :class:`~lstmlab.train.TrainingDiverged` (default: record it in
        ``SeedRuns.diverged`` and go on with the next seed; a diverged seed did not solve).
    **model_kwargs
        :class:`~lstmlab.model.Model`'s arguments except ``seed`` (``cell``, ``hidden_size``, ...).
        For a task, ``input_size``, ``output_size`` and ``readout`` default to the task's.
    """
    seeds = _check_seeds(seeds)
    config = TrainConfig() if config is None else config
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config: expected a TrainConfig, got {describe(config)}")
    if "seed" in model_kwargs:
        raise TypeError("seed: give the seeds as the first argument of fit_seeds, not as a model argument")
    if _is_task(data):
        for key in ("input_size", "output_size", "readout"):
            model_kwargs.setdefault(key, getattr(data, key))
    models, histories, diverged = [], [], []
    for s in seeds:
        model = Model(seed=s, **model_kwargs)
        try:
            history = fit(model, data, config.replace(seed=s), val_data=val_data)
            error = None
        except TrainingDiverged as e:
            if raise_on_divergence:
                raise
            history, error = e.history, e
        models.append(model)
        histories.append(history)
        diverged.append(error)
    return SeedRuns(seeds, models, histories, diverged)
