"""Chapter 10's experiments: the LSTM against the RNN on long lags, and how to count what training cost.

* :func:`train_on` -- build a :class:`~lstmlab.model.Model` that fits a task and train it with
  :func:`lstmlab.train.fit`; returns the History;
* :func:`steps_to_solve` -- the training step of the first evaluation that met the task's
  success criterion (None if none did);
* :func:`sequences_to_solve` -- the same, counted in training sequences (steps x batch size);
* :func:`summarise_sweep` -- for a sweep of runs (one setting, several seeds), the fraction that
  solved and the median steps to solve, a run that never solved counting as infinitely slow;
* :func:`train_seeds` -- :func:`lstmlab.sweep.fit_seeds` with an initialisation applied to each
  seed's model before training (orthogonal recurrent weights for the RNN, chrono biases for the LSTM);
* :func:`first_below` -- the step of the first evaluation whose metric fell below a level (the end of
  a plateau on the chance level, for a task like copy memory that is never "solved" in our budget).

What a "sequence" counts: one of our training steps averages the gradient of ``batch_size``
fresh sequences into one update, so a run that solves at step ``s`` has seen ``s * batch_size``
training sequences. Hochreiter & Schmidhuber (1997) trained online, one sequence per update, so
for them sequences and updates are the same number. The sequences drawn for evaluations are not
counted, as the paper does not count its test sequences.
"""

from __future__ import annotations

import math

import numpy as np

from ..checks import check_real, describe
from ..init import chrono_init, orthogonal_init
from ..model import Model
from ..sweep import SeedRuns, _check_seeds
from ..tasks import TASKS, Task, get_task
from ..train import TrainConfig, TrainingDiverged, fit


def train_on(task, cell="lstm", hidden_size=16, config=None, seed=0, forget_bias=None, callbacks=()):
    """Train a one-layer ``cell`` with a linear readout on ``task`` (a Task or a name) and return the History.

    The model takes its input size, output size and readout from the task; ``seed`` seeds both the
    initialisation and the batches (it replaces ``config.seed``).
    """
    if not isinstance(task, (Task, str)):
        raise TypeError(f"task: expected a Task or a task's name, got {describe(task)}")
    if isinstance(task, str) and task not in TASKS:
        raise ValueError(f"task: expected a Task or one of {sorted(TASKS)}, got {task!r}")
    task = get_task(task) if not isinstance(task, Task) else task
    config = TrainConfig() if config is None else config
    model = Model(
        cell,
        input_size=task.input_size,
        hidden_size=hidden_size,
        output_size=task.output_size,
        readout=task.readout,
        seed=seed,
        forget_bias=forget_bias,
    )
    return fit(model, task, config.replace(seed=seed), callbacks=callbacks)


def _check_history(history):
    """``history`` if it looks like a :class:`lstmlab.train.History`: ``eval`` a dict, ``eval_step`` a list."""
    if not (isinstance(getattr(history, "eval", None), dict) and hasattr(history, "eval_step")):
        want = "an lstmlab.train.History (with eval and eval_step)"
        raise TypeError(f"history: expected {want}, got {describe(history)}")
    return history


def steps_to_solve(history):
    """The step of the first evaluation where ``history.eval["solved"]`` is true, or None if there is none.

    ``history`` is a :class:`lstmlab.train.History` (or any object with ``eval_step`` and ``eval``).
    A step, not the index of the evaluation: with ``eval_every=50``, the third evaluation is step 150.
    """
    solved = _check_history(history).eval.get("solved", [])
    for step, ok in zip(history.eval_step, solved):
        if ok and not math.isnan(ok):
            return int(step)
    return None


def sequences_to_solve(history):
    """:func:`steps_to_solve` times the batch size: the training sequences seen until solved (None if never)."""
    steps = steps_to_solve(history)
    return None if steps is None else steps * int(history.batch_size)


def summarise_sweep(runs):
    """Summarise a sweep: ``{setting: [steps to solve per seed, None when unsolved]}`` -> ``{setting: (rate, median)}``.

    ``rate`` is the fraction of runs that solved; ``median`` the median number of steps to solve
    with every unsolved run counted as ``inf`` (it did not solve within its budget, so its true
    count is larger than any budget): ``inf`` when half of the runs or more never solved. Dropping the
    unsolved runs instead would make a setting that rarely works look fast.
    """
    if not isinstance(runs, dict):
        raise TypeError(f"runs: expected a dict {{setting: [steps to solve or None per seed]}}, got {describe(runs)}")
    out = {}
    for setting, results in runs.items():
        if not isinstance(results, (list, tuple)):
            want = "a list of steps to solve (None when unsolved)"
            raise TypeError(f"runs[{setting!r}]: expected {want}, got {describe(results)}")
        values = np.array([math.inf if r is None else float(r) for r in results], dtype=np.float64)
        if values.size == 0:
            raise ValueError(f"runs[{setting!r}]: expected at least one run, got none")
        rate = float(np.mean(np.isfinite(values)))
        out[setting] = (rate, float(np.median(values)))
    return out


def first_below(history, level, key="loss"):
    """The step of the first evaluation with ``history.eval[key] < level``, or None if there is none.

    Used to date the end of a plateau: with ``level`` a little below a task's baseline, the step at
    which the evaluated loss first left it. ``history`` is a :class:`lstmlab.train.History` (or any
    object with ``eval_step`` and ``eval``); NaN values never count as below.
    """
    level = check_real("level", level, low=-math.inf)
    values = _check_history(history).eval.get(key)
    if values is None:
        raise ValueError(f"key: expected one of {sorted(history.eval)}, got {key!r}")
    for step, value in zip(history.eval_step, values):
        if value < level:  # False for NaN
            return int(step)
    return None


def train_seeds(seeds, task, config, cell="lstm", hidden_size=8, init=None, **model_kwargs):
    """:func:`lstmlab.sweep.fit_seeds` on a Task, with ``init`` applied to each seed's model first.

    ``init`` is None (the model's own initialisation: then this is exactly ``fit_seeds``),
    ``"orthogonal"`` (each recurrent block an orthogonal matrix, :func:`lstmlab.init.orthogonal_init`),
    ``("chrono", max_lag)`` (:func:`lstmlab.init.chrono_init`: forget and input biases) or
    ``("chrono-f", max_lag)`` (its forget biases alone, the input biases left as initialised). Each seed
    seeds the model, the init and the batches. Returns a :class:`lstmlab.sweep.SeedRuns`; a diverged
    seed is recorded, not raised.
    """
    seeds = _check_seeds(seeds)
    if not isinstance(config, TrainConfig):
        raise TypeError(f"config: expected a TrainConfig, got {describe(config)}")
    chrono = isinstance(init, tuple) and len(init) == 2 and init[0] in ("chrono", "chrono-f")
    if init is not None and init != "orthogonal" and not chrono:
        raise ValueError(
            f"init: expected None, 'orthogonal', ('chrono', max_lag) or ('chrono-f', max_lag), got {describe(init)}"
        )
    for key in ("input_size", "output_size", "readout"):
        model_kwargs.setdefault(key, getattr(task, key))
    models, histories, diverged = [], [], []
    for s in seeds:
        model = Model(cell, hidden_size=hidden_size, seed=s, **model_kwargs)
        if init == "orthogonal":
            orthogonal_init(model.params, seed=s, prefix="l0.")
        elif chrono:
            chrono_init(model.params, model.cell, init[1], seed=s, prefix="l0.", input_gate=init[0] == "chrono")
        try:
            history, error = fit(model, task, config.replace(seed=s)), None
        except TrainingDiverged as e:
            history, error = e.history, e
        models.append(model)
        histories.append(history)
        diverged.append(error)
    return SeedRuns(seeds, models, histories, diverged)
