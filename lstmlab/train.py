"""Training: a config dataclass, a :class:`Trainer`, and :func:`fit`.

>>> from lstmlab.model import Model
>>> from lstmlab.tasks import get_task
>>> from lstmlab.train import TrainConfig, fit
>>> task = get_task("adding", T=10)
>>> model = Model("lstm", input_size=2, hidden_size=8, output_size=1)
>>> history = fit(model, task, TrainConfig(steps=3, batch_size=4, progress=False))
>>> len(history)
3

What one training step does, in order (:meth:`Trainer.train_step`):

1. the params check: a NaN or inf in any parameter (after the previous update, written
   by a callback, or in the initial params) raises :class:`TrainingDiverged` naming it;
2. draw a batch: a fresh batch from the task (``task.sample`` with the trainer's
   seeded generator), or the next minibatch of a shuffled pass over arrays;
3. the forward pass and the loss; a NaN or inf in the predictions or the loss raises
   :class:`TrainingDiverged`;
4. the backward pass, the global gradient norm (and clipping by norm, if ``clip_norm``);
   a NaN or inf gradient (named by its key), or a loss above ``divergence_factor`` times
   the best loss so far, raises :class:`TrainingDiverged`;
5. the params are copied as the last good ones (with the optimiser's state, for an undo);
6. clipping by value (if ``clip_value``), the optimiser's step, the schedule's step, the
   history's record of the step;
7. (in :meth:`Trainer.fit`) the callbacks' ``on_step``, and every ``eval_every`` steps an
   evaluation, ``on_eval``, and the early stop on "solved";
8. every ``checkpoint_every`` steps, a checkpoint.

Every :class:`TrainingDiverged` restores the last good params (those that gave the last
healthy step) before it is raised, saves them when there is a ``checkpoint_path``, and says
at which step, what became non-finite, and what to try. A step is all or nothing: a
``KeyboardInterrupt`` inside steps 1 to 6 undoes it (params, optimiser state, schedule,
generator, data position, history) before :meth:`Trainer.fit` catches it, prints one line and
returns the History with ``stop_reason = "interrupted"``; the model then holds the params of
the last completed step, and ``fit()`` again continues exactly as if never interrupted.

Resuming (``fit(..., resume_from=path)`` or :meth:`Trainer.load`) takes from the
**checkpoint**: the params, the optimiser's moments and step count, the step, the batch
generator's state and the data order, the history, the best loss and the elapsed time. It
takes from the **new config**: the learning rate and the schedule (its kind and parameters,
placed at the checkpoint's step), ``clip_norm`` and ``clip_value``, ``steps``,
``eval_every``, ``eval_batch_size``, ``seed`` (which seeds the evaluation batches),
``checkpoint_path`` and ``checkpoint_every``, ``divergence_factor``, ``early_stop_on_solve``,
``truncate`` and ``progress``. The optimiser's kind and the model must match the checkpoint.
With the same config, the resumed run is the uninterrupted one, bit for bit; with a new
``lr`` it is the run whose learning rate changed at that step.

Determinism: every random number comes from one ``numpy.random.Generator``
seeded with ``config.seed`` (evaluation batches from generators seeded with
``(seed, step)``), so the same seed gives the same history on the CPU, and a run
resumed from a checkpoint continues exactly as if it had never stopped.
"""

from __future__ import annotations

import copy
import dataclasses
import math
import os
import time
from dataclasses import dataclass

import numpy as np

from .backend import DEVICES, asnumpy, get_xp, resolve_device, to_device
from .checkpoint import _check_path, load_checkpoint, save_checkpoint
from .checks import _describe, check_choice, check_positive_int
from .clip import clip_grad_norm, clip_grad_value, global_norm
from .optim import SGD, Adam, RMSprop
from .schedules import ExponentialLR, StepLR

OPTIMIZERS = {"adam": Adam, "sgd": SGD, "rmsprop": RMSprop}
SCHEDULES = (None, "step", "exponential")
CHECKPOINT_VERSION = 1
#: Model settings that only shape the initial params, which a checkpoint overwrites: they may differ on resume.
_INIT_ONLY = ("seed", "forget_bias", "dtype")
#: The meta entries of a training checkpoint (see :meth:`Trainer.save`).
_META_KEYS = ("version", "step", "rng_state", "data_pos", "config", "model", "best_loss", "elapsed", "history")


class TrainingDiverged(RuntimeError):
    """Training stopped on a NaN or inf loss or gradient, or on a diverging loss.

    Attributes: ``step``, ``loss``, ``grad_norm``, ``lr``, ``what`` (what became non-finite or diverged,
    e.g. ``"params['l0.W_x']"``, ``"y_pred"``, ``"loss"``, ``"grads['W_y']"``), and ``history``.
    The model holds the last good params when this is raised (unless the initial params were not finite).
    """

    def __init__(self, message, step=None, loss=None, grad_norm=None, lr=None, history=None, what=None):
        super().__init__(message)
        self.step, self.loss, self.grad_norm, self.lr, self.history = step, loss, grad_norm, lr, history
        self.what = what  # what became non-finite or diverged: "loss", "y_pred", "params['W_y']", "grads['l0.W_h']"


# --------------------------------------------------------------------------------------------------- config


def _number(name, value, low=None, high=None, allow_none=False, low_open=True):
    if value is None and allow_none:
        return None
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}: expected a number{' or None' if allow_none else ''}, got {_describe(value)}")
    value = float(value)
    bad = not math.isfinite(value)
    bad |= low is not None and (value <= low if low_open else value < low)
    bad |= high is not None and value > high
    if bad:
        lo = "" if low is None else f"{'>' if low_open else '>='} {low:g}"
        hi = "" if high is None else f"<= {high:g}"
        raise ValueError(f"{name}: expected a finite number {' and '.join(s for s in (lo, hi) if s)}, got {value!r}")
    return value


@dataclass
class TrainConfig:
    """Everything that decides a training run. Every field is checked when the config is made.

    Attributes
    ----------
    steps : int
        Optimiser steps in total (a resumed run continues up to this).
    batch_size : int
        Sequences per step (N).
    lr : float
        Learning rate (> 0).
    optimizer : "adam", "sgd" or "rmsprop"
    momentum : float
        SGD's and RMSprop's momentum, in [0, 1).
    clip_norm : float or None
        Rescale the gradient so that its global norm is at most this.
    clip_value : float or None
        Clip every gradient entry to [-clip_value, clip_value].
    schedule : None, "step" or "exponential"
        A learning-rate schedule, stepped once per optimiser step:
        ``StepLR(step_size, gamma)`` or ``ExponentialLR(gamma)``.
    step_size, gamma : int, float
        The schedule's parameters.
    eval_every : int or None
        Evaluate every this many steps (and after the last step); None: only after the last.
    eval_batch_size : int
        Sequences in each evaluation batch (a task), or per chunk of the validation arrays.
    seed : int
        Seeds the batches (and the evaluation batches).
    device : "auto", "cpu" or "gpu"
    dtype : None, "float32" or "float64"
        None keeps the model's dtype; otherwise the model is cast to it.
    progress : bool or None
        Show a tqdm progress bar. None (default): on, unless the environment
        variable ``LSTMLAB_PROGRESS`` is ``0`` (CI and nbval set it).
    early_stop_on_solve : bool
        Stop at the first evaluation where the task reports ``"solved"``.
    divergence_factor : float or None
        Stop (TrainingDiverged) when a step's loss exceeds this times the best loss so far. None: off.
        NaN and inf (in params, predictions, loss or gradients) are always caught.
    checkpoint_path : str or None
        Where checkpoints go (an ``.npz`` file).
    checkpoint_every : int or None
        Save every this many steps (and at the end). None: only at the end. Needs ``checkpoint_path``.
    truncate : int or None
        Truncated BPTT window (None: full BPTT).
    loss : None, "mse" or "cross_entropy"
        For array data (a task knows its own loss). None: cross-entropy for integer targets, else MSE.
    """

    steps: int = 1000
    batch_size: int = 32
    lr: float = 1e-3
    optimizer: str = "adam"
    momentum: float = 0.0
    clip_norm: float | None = None
    clip_value: float | None = None
    schedule: str | None = None
    step_size: int = 1000
    gamma: float = 0.5
    eval_every: int | None = 100
    eval_batch_size: int = 256
    seed: int = 0
    device: str = "auto"
    dtype: str | None = None
    progress: bool | None = None
    early_stop_on_solve: bool = True
    divergence_factor: float | None = 1e4
    checkpoint_path: str | None = None
    checkpoint_every: int | None = None
    truncate: int | None = None
    loss: str | None = None

    def __post_init__(self):
        self.steps = check_positive_int("steps", self.steps)
        self.batch_size = check_positive_int("batch_size", self.batch_size)
        self.lr = _number("lr", self.lr, low=0.0)
        check_choice("optimizer", self.optimizer, tuple(OPTIMIZERS))
        self.momentum = _number("momentum", self.momentum, low=0.0, low_open=False)
        if self.momentum >= 1.0:
            raise ValueError(f"momentum: expected a number in [0, 1), got {self.momentum!r}")
        if self.momentum and self.optimizer == "adam":
            raise ValueError(
                "momentum: Adam has no momentum parameter (it uses betas); got momentum with optimizer='adam'"
            )
        self.clip_norm = _number("clip_norm", self.clip_norm, low=0.0, allow_none=True)
        self.clip_value = _number("clip_value", self.clip_value, low=0.0, allow_none=True)
        if self.schedule not in SCHEDULES:
            raise ValueError(f"schedule: expected one of {SCHEDULES}, got {self.schedule!r}")
        self.step_size = check_positive_int("step_size", self.step_size)
        self.gamma = _number("gamma", self.gamma, low=0.0, high=1.0)
        self.eval_every = check_positive_int("eval_every", self.eval_every, allow_none=True)
        self.eval_batch_size = check_positive_int("eval_batch_size", self.eval_batch_size)
        if isinstance(self.seed, bool) or not isinstance(self.seed, (int, np.integer)) or self.seed < 0:
            raise ValueError(f"seed: expected an int >= 0, got {_describe(self.seed)}")
        self.seed = int(self.seed)
        check_choice("device", self.device, DEVICES)
        if self.dtype is not None:
            name = getattr(np.dtype(self.dtype), "name", None) if _is_dtype_like(self.dtype) else None
            if name not in ("float32", "float64"):
                raise ValueError(f"dtype: expected None, 'float32' or 'float64', got {self.dtype!r}")
            self.dtype = name
        for name in ("early_stop_on_solve",):
            if not isinstance(getattr(self, name), (bool, np.bool_)):
                raise TypeError(f"{name}: expected a bool, got {_describe(getattr(self, name))}")
        if self.progress is not None and not isinstance(self.progress, (bool, np.bool_)):
            raise TypeError(f"progress: expected a bool or None, got {_describe(self.progress)}")
        self.divergence_factor = _number("divergence_factor", self.divergence_factor, low=1.0, allow_none=True)
        if self.checkpoint_path is not None:
            if not isinstance(self.checkpoint_path, (str, os.PathLike)):
                raise TypeError(f"checkpoint_path: expected a str path or None, got {_describe(self.checkpoint_path)}")
            self.checkpoint_path = os.fspath(self.checkpoint_path)
        self.checkpoint_every = check_positive_int("checkpoint_every", self.checkpoint_every, allow_none=True)
        if self.checkpoint_every is not None and self.checkpoint_path is None:
            raise ValueError("checkpoint_every: expected None when checkpoint_path is None (there is nowhere to save)")
        self.truncate = check_positive_int("truncate", self.truncate, allow_none=True)
        if self.loss is not None:
            check_choice("loss", self.loss, ("mse", "cross_entropy"))

    def to_dict(self) -> dict:
        """The fields as a JSON-serialisable dict; ``TrainConfig(**config.to_dict())`` rebuilds it."""
        return dataclasses.asdict(self)

    def replace(self, **changes) -> TrainConfig:
        """A copy with some fields changed (and checked)."""
        return dataclasses.replace(self, **changes)


def _is_dtype_like(value) -> bool:
    try:
        np.dtype(value)
    except TypeError:
        return False
    return True


def progress_default() -> bool:
    """Whether a progress bar is shown when ``progress=None``: yes, unless ``LSTMLAB_PROGRESS=0``."""
    return os.environ.get("LSTMLAB_PROGRESS", "1").strip().lower() not in ("0", "false", "no", "off")


# --------------------------------------------------------------------------------------------------- history


class History:
    """What happened during training, as lists of Python floats.

    Per step: ``step`` (1, 2, ...), ``loss``, ``grad_norm`` (before clipping), ``lr`` (the rate used
    at that step), ``seconds`` (wall-clock seconds spent in training steps so far, at the end of the
    step; evaluations and checkpoints are not counted).
    Per evaluation: ``eval_step`` and ``eval[name]`` for every metric the task (or the validation
    arrays) report (``"solved"`` as 1.0/0.0). ``stop_reason`` is one of ``"steps"``, ``"solved"``,
    ``"callback"``, ``"diverged"``, ``"interrupted"``; ``solved_at`` the step of the first solved evaluation, or None.
    """

    STEP_KEYS = ("step", "loss", "grad_norm", "lr", "seconds")

    def __init__(self):
        self.step, self.loss, self.grad_norm, self.lr, self.seconds = [], [], [], [], []
        self.eval_step = []
        self.eval = {}
        self.stop_reason = ""
        self.solved_at = None
        self.batch_size = None

    def __len__(self) -> int:
        return len(self.step)

    def __repr__(self) -> str:
        last = f", last loss {self.loss[-1]:.4g}" if self.loss else ""
        return f"<History: {len(self)} steps, {len(self.eval_step)} evaluations{last}, stopped: {self.stop_reason!r}>"

    def record_step(self, step, loss, grad_norm, lr, seconds):
        for key, v in zip(self.STEP_KEYS, (step, loss, grad_norm, lr, seconds)):
            getattr(self, key).append(float(v) if key != "step" else int(v))

    def truncate(self, n_steps: int, n_evals: int | None = None):
        """Drop every record after the first ``n_steps`` steps (and ``n_evals`` evaluations); make lists agree."""
        for key in self.STEP_KEYS:
            del getattr(self, key)[n_steps:]
        n_evals = len(self.eval_step) if n_evals is None else n_evals
        n_evals = min([n_evals, len(self.eval_step), *(len(v) for v in self.eval.values())])
        del self.eval_step[n_evals:]
        for values in self.eval.values():
            del values[n_evals:]

    def record_eval(self, step, metrics: dict):
        n = len(self.eval_step)
        self.eval_step.append(int(step))
        for name, v in metrics.items():
            self.eval.setdefault(name, [float("nan")] * n).append(float(v))
        for values in self.eval.values():
            if len(values) < n + 1:
                values.append(float("nan"))

    @property
    def last_eval(self) -> dict:
        """The metrics of the latest evaluation (empty before the first)."""
        return {name: values[-1] for name, values in self.eval.items()} if self.eval_step else {}

    @property
    def sequences(self) -> int:
        """Training sequences seen so far (steps x batch size)."""
        return len(self) * (self.batch_size or 0)

    def to_dict(self) -> dict:
        """A flat dict of NumPy arrays: the per-step lists, ``eval_step``, and ``eval_<metric>``."""
        out = {
            key: np.asarray(getattr(self, key), dtype=np.int64 if key == "step" else np.float64)
            for key in self.STEP_KEYS
        }
        out["eval_step"] = np.asarray(self.eval_step, dtype=np.int64)
        for name, values in self.eval.items():
            out[f"eval_{name}"] = np.asarray(values, dtype=np.float64)
        return out

    def meta(self) -> dict:
        return {"stop_reason": self.stop_reason, "solved_at": self.solved_at, "batch_size": self.batch_size}

    @classmethod
    def from_dict(cls, arrays: dict, meta: dict | None = None) -> History:
        """Rebuild from :meth:`to_dict` (and :meth:`meta`)."""
        h = cls()
        for key in cls.STEP_KEYS:
            setattr(h, key, [int(v) if key == "step" else float(v) for v in np.asarray(arrays[key]).tolist()])
        h.eval_step = [int(v) for v in np.asarray(arrays["eval_step"]).tolist()]
        h.eval = {k[len("eval_") :]: np.asarray(v).tolist() for k, v in arrays.items() if k.startswith("eval_")}
        h.eval.pop("step", None)
        if meta:
            h.stop_reason, h.solved_at, h.batch_size = meta["stop_reason"], meta["solved_at"], meta["batch_size"]
        return h


# --------------------------------------------------------------------------------------------------- callbacks


class Callback:
    """Base class of callbacks; override what you need. Return True (or set
    ``trainer.stop_training = True``) to stop training after this step.

    ``on_step(trainer, step, logs)``: after every step; ``logs`` has ``step``, ``loss``, ``grad_norm``,
    ``lr``, ``seconds``. ``on_eval(trainer, step, metrics)``: after every evaluation.
    A plain function given as a callback is called as ``on_step``.
    """

    def on_step(self, trainer, step, logs):
        return None

    def on_eval(self, trainer, step, metrics):
        return None


def _hooks(callbacks, name):
    hooks = []
    for cb in callbacks:
        if hasattr(cb, "on_step") or hasattr(cb, "on_eval"):
            fn = getattr(cb, name, None)
            if fn is not None:
                hooks.append((cb, fn))
        elif callable(cb):
            if name == "on_step":
                hooks.append((cb, cb))
        else:
            raise TypeError(f"callbacks: expected Callback objects or functions, got {_describe(cb)}")
    return hooks


# --------------------------------------------------------------------------------------------------- data


class _ArrayData:
    """Shuffled minibatches of (x, y[, mask]) arrays, one permutation per pass, the last partial batch dropped."""

    def __init__(self, data, name, model, loss):
        if not isinstance(data, (tuple, list)) or len(data) not in (2, 3):
            raise TypeError(f"{name}: expected a Task or a tuple (x, y) or (x, y, mask), got {_describe(data)}")
        x, y = data[0], data[1]
        mask = data[2] if len(data) == 3 else None
        for label, a in (("x", x), ("y", y)):
            if not (hasattr(a, "shape") and hasattr(a, "dtype")):
                raise TypeError(f"{name}[{label}]: expected an array, got {_describe(a)}")
        if np.dtype(x.dtype).kind != "f":
            raise TypeError(f"{name}[x]: expected a float array (it is cast to the model's dtype), got dtype {x.dtype}")
        if x.ndim != 3 or x.shape[2] != model.input_size:
            raise ValueError(f"{name}[x]: expected shape (?, ?, {model.input_size}), got {tuple(x.shape)}")
        n, T = x.shape[:2]
        if loss is None:
            loss = "cross_entropy" if np.issubdtype(y.dtype, np.integer) else "mse"
        V = model.output_size
        if loss == "mse":
            want = (n, V) if model.readout == "last" else (n, T, V)
        else:
            want = (n,) if model.readout == "last" else (n, T)
            if not np.issubdtype(y.dtype, np.integer):
                raise TypeError(f"{name}[y]: expected integer class indices for cross-entropy, got dtype {y.dtype}")
        if tuple(y.shape) != want:
            raise ValueError(
                f"{name}[y]: expected shape {want} (readout {model.readout!r}, {loss}), got {tuple(y.shape)}"
            )
        if mask is not None and tuple(mask.shape) != (n, T):
            raise ValueError(f"{name}[mask]: expected shape ({n}, {T}), got {tuple(mask.shape)}")
        self.loss, self.n = loss, n
        xp_dev = model.device
        self.x = to_device(np.asarray(asnumpy(x), dtype=model.dtype), xp_dev)
        self.y = to_device(np.asarray(asnumpy(y), dtype=model.dtype) if loss == "mse" else asnumpy(y), xp_dev)
        self.mask = None if mask is None else to_device(np.asarray(asnumpy(mask)) != 0, xp_dev)
        self.perm, self.pos = None, 0

    def take(self, idx):
        mask = None if self.mask is None else self.mask[idx]
        return self.x[idx], self.y[idx], mask

    def next_batch(self, rng, batch_size):
        bs = min(batch_size, self.n)
        if self.perm is None or self.pos + bs > self.n:
            self.perm, self.pos = rng.permutation(self.n), 0
        idx = self.perm[self.pos : self.pos + bs]
        self.pos += bs
        return self.take(to_device(idx, "gpu") if get_xp(self.x) is not np else idx)


# --------------------------------------------------------------------------------------------------- trainer


class Trainer:
    """Trains a :class:`~lstmlab.model.Model` on a task or on arrays; see the module docstring.

    Parameters
    ----------
    model : Model
    data : Task, or a tuple ``(x, y)`` / ``(x, y, mask)`` of arrays
        x (n, T, D); y (n, V) / (n, T, V) for MSE, int (n,) / (n, T) for cross-entropy; mask (n, T).
    config : TrainConfig (default: ``TrainConfig()``)
    callbacks : iterable of :class:`Callback` or functions
    val_data : tuple of arrays, optional
        Evaluated every ``eval_every`` steps when ``data`` is arrays (loss, and accuracy for cross-entropy).
    """

    def __init__(self, model, data, config=None, callbacks=(), val_data=None):
        from .model import Model  # the model imports the stack; keep this module importable on its own

        if not isinstance(model, Model):
            raise TypeError(f"model: expected an lstmlab.model.Model, got {_describe(model)}")
        config = TrainConfig() if config is None else config
        if not isinstance(config, TrainConfig):
            raise TypeError(f"config: expected a TrainConfig, got {_describe(config)}")
        self.model, self.config = model, config
        if not isinstance(callbacks, (list, tuple)):
            raise TypeError(
                f"callbacks: expected a list or tuple of Callbacks or functions, got {_describe(callbacks)}"
            )
        self.callbacks = tuple(callbacks)
        self._on_step, self._on_eval = _hooks(self.callbacks, "on_step"), _hooks(self.callbacks, "on_eval")

        self.device = resolve_device(config.device)
        if config.dtype is not None and np.dtype(config.dtype) != np.dtype(model.dtype):
            model.astype(config.dtype)
        model.to(self.device)

        self.task = data if _is_task(data) else None
        if self.task is not None:
            t = self.task
            for attr, want in (("input_size", t.input_size), ("output_size", t.output_size), ("readout", t.readout)):
                if getattr(model, attr) != want:
                    raise ValueError(
                        f"model: expected {attr}={want!r} for the task {t.name!r}, got {getattr(model, attr)!r}"
                    )
            if config.loss is not None and config.loss != t.loss:
                raise ValueError(f"config.loss: expected None or {t.loss!r} (the task's loss), got {config.loss!r}")
            self.loss = t.loss
            self.arrays = None
        else:
            self.arrays = _ArrayData(data, "data", model, config.loss)
            self.loss = self.arrays.loss
        self.val = None if val_data is None else _ArrayData(val_data, "val_data", model, self.loss)

        opt_cls = OPTIMIZERS[config.optimizer]
        kwargs = {"momentum": config.momentum} if config.optimizer != "adam" else {}
        self.optimizer = opt_cls(model.params, lr=config.lr, **kwargs)
        if config.schedule == "step":
            self.scheduler = StepLR(self.optimizer, step_size=config.step_size, gamma=config.gamma)
        elif config.schedule == "exponential":
            self.scheduler = ExponentialLR(self.optimizer, gamma=config.gamma)
        else:
            self.scheduler = None

        self.rng = np.random.default_rng(config.seed)
        self.step = 0
        self.best_loss = math.inf
        self.elapsed = 0.0
        self.history = History()
        self.history.batch_size = config.batch_size
        self.stop_training = False
        self._good = {k: v.copy() for k, v in model.params.items()}  # the last params with a healthy step
        self._good_step = 0
        self._undo = {}  # the optimiser's state before the current step's update (see train_step)
        self._bar_state = None

    # ------------------------------------------------------------------ one step
    def _next_batch(self):
        if self.task is not None:
            b = self.task.sample(self.config.batch_size, self.rng, dtype=self.model.dtype)
            mask = None if b.mask is None else to_device(b.mask, self.device)
            return to_device(b.x, self.device), to_device(b.y, self.device), mask
        return self.arrays.next_batch(self.rng, self.config.batch_size)

    def _diverged(self, step, what, detail, loss=math.nan, grad_norm=math.nan, lr=None):
        """Restore the last good params, save them if a checkpoint path is set, and raise TrainingDiverged."""
        cfg = self.config
        lr = self.optimizer.lr if lr is None else lr
        initial_bad = self._good_step == 0 and _first_nonfinite(self._good) is not None
        where = ""
        if initial_bad:
            restored = "There are no good params to restore (the initial ones are not finite): make the model again"
        else:
            self._restore_good()
            good = "the initial ones" if self._good_step == 0 else f"those after step {self._good_step}"
            if cfg.checkpoint_path is not None:
                self.save(cfg.checkpoint_path, diverged=True)
                where = f" and saved to {cfg.checkpoint_path}"
            restored = f"The last good params ({good}) are restored{where}"
        clip = (
            f"lower clip_norm (now {cfg.clip_norm:g})"
            if cfg.clip_norm is not None
            else "clip the gradient norm (clip_norm=1.0)"
        )
        self.history.stop_reason = "diverged"
        self._bar_state = ("diverged", step)
        message = (
            f"Training diverged at step {step}: {detail}. {restored}. "
            f"Try: {clip}, and lower the learning rate: lr={lr:g} -> try lr={lr / 10:g}"
            + (" (resuming from the checkpoint takes the new config's lr)." if where else ".")
        )
        raise TrainingDiverged(
            message, step=step, loss=loss, grad_norm=grad_norm, lr=lr, history=self.history, what=what
        )

    def _restore_good(self):
        for k, v in self.model.params.items():
            get_xp(v).copyto(v, self._good[k])

    def _save_good(self):
        for k, v in self.model.params.items():
            get_xp(v).copyto(self._good[k], v)

    def _mark(self) -> tuple:
        """What a step changes before it commits: the generator's state and the position in the data."""
        data = None if self.arrays is None else (self.arrays.perm, self.arrays.pos)
        return self.rng.bit_generator.state, data, len(self.history)

    def _rollback(self, mark, phase: str):
        """Undo a step interrupted in ``phase`` ("compute", "keep" or "update"), so that it never happened."""
        rng_state, data, n_steps = mark
        if phase == "keep":  # copying the params into the good copy: the params themselves are intact
            self._save_good()
        elif phase == "update":  # the optimiser (or the schedule, or the history) was part-way
            self._restore_good()  # the good copy holds this step's starting params, which passed the checks
            opt = self.optimizer
            opt.t, opt.lr = self._undo["t"], self._undo["lr"]
            for name, arrays in opt.state.items():
                for key, a in arrays.items():
                    get_xp(a).copyto(a, self._undo["state"][name][key])
            if self.scheduler is not None:
                self.scheduler.last_epoch = self._undo["last_epoch"]
            self.step, self.best_loss, self.elapsed = self._undo["step"], self._undo["best"], self._undo["elapsed"]
            self.history.truncate(n_steps)
        self.rng.bit_generator.state = rng_state
        if data is not None:
            self.arrays.perm, self.arrays.pos = data

    def _keep_undo(self):
        """Copy what the optimiser's step changes (into buffers made once), for a rollback on interrupt."""
        opt, undo = self.optimizer, self._undo
        if undo.get("state") is None:
            undo["state"] = {name: {k: a.copy() for k, a in arrays.items()} for name, arrays in opt.state.items()}
        else:
            for name, arrays in opt.state.items():
                for key, a in arrays.items():
                    get_xp(a).copyto(undo["state"][name][key], a)
        undo.update(t=opt.t, lr=opt.lr, step=self.step, best=self.best_loss, elapsed=self.elapsed)
        undo.update(last_epoch=None if self.scheduler is None else self.scheduler.last_epoch)

    def train_step(self):
        """One optimiser step; returns the logs dict (``step``, ``loss``, ``grad_norm``, ``lr``, ``seconds``).

        All or nothing: a ``KeyboardInterrupt`` anywhere inside undoes the step (params, optimiser,
        schedule, generator, data position, history) before it propagates; a NaN or inf anywhere
        raises :class:`TrainingDiverged` with the last good params restored.
        """
        cfg = self.config
        t0 = time.perf_counter()
        step = self.step + 1
        model = self.model
        mark = self._mark()
        phase = "compute"
        try:
            bad = _first_nonfinite(model.params)
            if bad is not None:
                when = "the initial params" if self.step == 0 else f"the params after step {self.step}"
                self._diverged(step, f"params[{bad!r}]", f"{when} hold NaN or inf in params[{bad!r}]")
            x, y, mask = self._next_batch()
            lr = self.optimizer.lr
            with np.errstate(over="ignore", invalid="ignore"):  # overflow is caught below, and explained
                y_pred, cache = model.forward(x, mask=mask)
                if not bool(get_xp(y_pred).isfinite(y_pred).all()):
                    self._diverged(step, "y_pred", "the predictions y_pred hold NaN or inf", lr=lr)
                loss, dy_pred = model.compute_loss(y_pred, y, mask=mask, loss=self.loss)
                loss = float(loss)
                if not math.isfinite(loss):
                    self._diverged(step, "loss", f"the loss is {loss:.4g} (NaN or inf)", loss=loss, lr=lr)
                try:
                    grads = model.backward(dy_pred, cache, truncate=cfg.truncate)
                except FloatingPointError:
                    what = "the gradient w.r.t. the stack's output (dy_pred @ W_y.T) overflowed to NaN or inf"
                    self._diverged(step, "grads", what, loss=loss, grad_norm=math.inf, lr=lr)
                grad_norm = clip_grad_norm(grads, cfg.clip_norm) if cfg.clip_norm is not None else global_norm(grads)
            grad_norm = float(grad_norm)
            if not math.isfinite(grad_norm):
                bad = _first_nonfinite(grads)
                name = "grads" if bad is None else f"grads[{bad!r}]"
                detail = f"the loss is {loss:.4g} and the gradient norm is {grad_norm:.4g}"
                detail += f" ({name} holds NaN or inf)" if bad is not None else " (it overflowed)"
                self._diverged(step, name, detail, loss=loss, grad_norm=grad_norm, lr=lr)
            if cfg.divergence_factor is not None and loss > cfg.divergence_factor * self.best_loss:
                detail = (
                    f"the loss {loss:.4g} exceeds {cfg.divergence_factor:g} x the best loss so far "
                    f"({self.best_loss:.4g}); gradient norm {grad_norm:.4g}"
                )
                self._diverged(step, "loss", detail, loss=loss, grad_norm=grad_norm, lr=lr)
            phase = "keep"
            self._save_good()  # these params gave a healthy step: keep them
            self._keep_undo()
            self._good_step = self.step
            phase = "update"
            if cfg.clip_value is not None:
                clip_grad_value(grads, cfg.clip_value)
            self.optimizer.step(model.params, grads)
            if self.scheduler is not None:
                self.scheduler.step()
            self.step = step
            self.best_loss = min(self.best_loss, loss)
            self.elapsed += time.perf_counter() - t0
            self.history.record_step(step, loss, grad_norm, lr, self.elapsed)
        except KeyboardInterrupt:
            self._rollback(mark, phase)
            raise
        return {"step": step, "loss": loss, "grad_norm": grad_norm, "lr": lr, "seconds": self.elapsed}

    # ------------------------------------------------------------------ evaluation
    def evaluate(self) -> dict:
        """Metrics now: on a fresh task batch drawn with a generator seeded ``(seed, step)``, or on ``val_data``."""
        if self.task is not None:
            rng = np.random.default_rng([self.config.seed, 2, self.step])
            batch = self.task.sample(self.config.eval_batch_size, rng, dtype=self.model.dtype)
            mask = None if batch.mask is None else to_device(batch.mask, self.device)
            y_pred = self.model.predict(to_device(batch.x, self.device), mask=mask)
            return {k: float(v) for k, v in self.task.evaluate(asnumpy(y_pred), batch).items()}
        if self.val is None:
            return {}
        return _array_metrics(self.model, self.val, self.loss, self.config.eval_batch_size)

    def _do_eval(self):
        metrics = self.evaluate()
        if not metrics:
            return False
        self.history.record_eval(self.step, metrics)
        stop = self._run_hooks(self._on_eval, metrics)
        if self.config.early_stop_on_solve and metrics.get("solved"):
            if self.history.solved_at is None:
                self.history.solved_at = self.step
            self.history.stop_reason = "solved"
            return True
        return stop

    def _run_hooks(self, hooks, payload) -> bool:
        stop = False
        for _, fn in hooks:
            stop |= bool(fn(self, self.step, payload))
        if stop or self.stop_training:
            self.history.stop_reason = "callback"
            return True
        return False

    # ------------------------------------------------------------------ the loop
    def _make_bar(self, show: bool):
        """The progress bar (tqdm.auto); a test or a notebook may replace this method to inspect the bar."""
        from tqdm.auto import tqdm

        cfg = self.config
        return tqdm(total=cfg.steps, initial=self.step, disable=not show, desc="training", unit="step", leave=True)

    def _bar_metrics(self, loss) -> dict:
        """What the bar shows: the training loss and each evaluation metric once."""
        post = {"loss": f"{loss:.4g}"}
        shown = dict(self.history.last_eval)
        shown.pop("solved", None)
        if "loss" in shown:
            shown["eval_loss"] = shown.pop("loss")
        if self.task is not None and "success_rate" in shown and _accuracy_is_success_rate(self.task):
            shown.pop("accuracy", None)  # one target per sequence: the same number under two names
        post.update({k: f"{v:.4g}" for k, v in shown.items()})
        return post

    def _finish_bar(self, bar):
        """The bar's last words: solved (a complete bar), stopped by a callback, diverged or interrupted."""
        reason = self.history.stop_reason
        if reason == "solved":
            complete_bar(bar)  # the run is complete: a full bar (tqdm's notebook bar turns red when not)
            bar.set_description(f"solved at step {self.history.solved_at}", refresh=False)
        elif reason == "callback":
            complete_bar(bar)
            bar.set_description(f"stopped by a callback at step {self.step}", refresh=False)
        elif reason == "diverged" and self._bar_state is not None:
            bar.set_description(f"diverged at step {self._bar_state[1]}", refresh=False)
        elif reason == "interrupted":
            bar.set_description(f"interrupted at step {self.step}", refresh=False)
        bar.refresh()

    def fit(self) -> History:
        """Train until ``config.steps`` steps (counting those before a resume), a solve, or a callback's stop.

        A ``KeyboardInterrupt`` (Kernel > Interrupt, Ctrl-C) ends training cleanly: one printed line, no
        traceback, and the History comes back with ``stop_reason = "interrupted"``; the model holds the
        params of the last completed step, and calling ``fit()`` again continues from there (with
        ``checkpoint_path`` set, a checkpoint is saved for ``fit(..., resume_from=...)`` too).
        """
        cfg = self.config
        show = progress_default() if cfg.progress is None else bool(cfg.progress)
        bar = self._make_bar(show)
        self.stop_training = False
        self.history.stop_reason = ""
        self._bar_state = None
        logs = None
        try:
            while self.step < cfg.steps:
                logs = self.train_step()
                stop = self._run_hooks(self._on_step, logs)
                last = self.step == cfg.steps
                if not stop and (last or (cfg.eval_every is not None and self.step % cfg.eval_every == 0)):
                    stop = self._do_eval()
                if cfg.checkpoint_path is not None and (
                    stop or last or (cfg.checkpoint_every is not None and self.step % cfg.checkpoint_every == 0)
                ):
                    self.save(cfg.checkpoint_path)
                bar.update(1)
                if show and (self.step % 10 == 0 or stop or last):
                    bar.set_postfix(self._bar_metrics(logs["loss"]), refresh=False)
                if stop:
                    break
        except KeyboardInterrupt:
            self.history.truncate(len(self.history))  # an evaluation cut off half-way is dropped
            self.history.stop_reason = "interrupted"
        finally:
            bar.n = self.step  # steps undone by an interrupt or a divergence are not shown as done
            self._finish_bar(bar)
            bar.close()
        if self.history.stop_reason == "interrupted":
            print(self._interrupted_message())
        if not self.history.stop_reason:
            self.history.stop_reason = "steps"
        return self.history

    def _interrupted_message(self) -> str:
        """The one line printed on an interrupt (after saving a checkpoint, when there is a path)."""
        cfg = self.config
        saved = ""
        if cfg.checkpoint_path is not None:
            try:
                self.save(cfg.checkpoint_path)
                saved = f"; saved to {cfg.checkpoint_path}, resume with fit(..., resume_from={cfg.checkpoint_path!r})"
            except KeyboardInterrupt:  # a second interrupt: the previous checkpoint file is intact
                saved = "; no checkpoint saved (interrupted again)"
        how = saved or "; call trainer.fit() again to resume"
        return (
            f"Training interrupted at step {self.step} of {cfg.steps}: the history is kept, and the model holds "
            f"the params of step {self.step}, the last completed step{how}."
        )

    # ------------------------------------------------------------------ checkpoints
    def save(self, path=None, diverged=False):
        """Save everything a resume needs to ``path`` (default ``config.checkpoint_path``), atomically.

        Arrays: ``param.<key>``, ``optim.<key>``, ``history.<key>``, ``data.perm``. Meta (JSON): the step,
        the generator's ``bit_generator.state``, the scheduler's state, the config, the model's config,
        the best loss, the elapsed seconds, and the history's stop reason. With ``diverged``, the params
        are the last good ones (the trainer's params have been restored to them), the step and the history
        are theirs, and the optimiser's state and the generator are as they were when training stopped:
        resuming from such a checkpoint with a lower ``lr`` in the new config (a resume takes the lr from
        the new config, see :meth:`load`) continues from the good params, though not bit for bit as an
        uninterrupted run would have.
        """
        path = self.config.checkpoint_path if path is None else _check_path(path)
        if path is None:
            raise ValueError("path: expected a file path (no checkpoint_path in the config), got None")
        arrays = {f"param.{k}": asnumpy(v) for k, v in self.model.params.items()}
        arrays.update({f"optim.{k}": asnumpy(v) for k, v in self.optimizer.state_dict().items()})
        history = self.history.to_dict()
        if diverged:  # keep what happened up to the step of the saved params
            keep = history["step"] <= self._good_step
            keep_eval = history["eval_step"] <= self._good_step
            history = {k: v[keep] if k in History.STEP_KEYS else v[keep_eval] for k, v in history.items()}
        arrays.update({f"history.{k}": v for k, v in history.items()})
        if self.arrays is not None and self.arrays.perm is not None:
            arrays["data.perm"] = np.asarray(self.arrays.perm)
        meta = {
            "version": CHECKPOINT_VERSION,
            "step": self._good_step if diverged else self.step,
            "diverged": bool(diverged),
            "rng_state": self.rng.bit_generator.state,
            "data_pos": None if self.arrays is None else self.arrays.pos,
            "scheduler": None if self.scheduler is None else _jsonable(self.scheduler.state_dict()),
            "config": self.config.to_dict(),
            "model": self.model.config,
            "best_loss": None if math.isinf(self.best_loss) else self.best_loss,
            "elapsed": self.elapsed,
            "history": self.history.meta(),
        }
        save_checkpoint(path, arrays, meta)
        return path

    def load(self, path):
        """Restore a checkpoint written by :meth:`save` into this trainer (params in place). Returns self.

        What a resume takes from where (see "Resuming" in the module docstring): from the checkpoint,
        the params, the optimiser's moments and step count, the step, the batch generator's state and
        the data order, the history, the best loss and the elapsed time; from this trainer's (new)
        config, everything else: the learning rate and the schedule (placed at the checkpoint's step),
        clipping, ``steps``, the evaluation and checkpoint cadence, the divergence check and the
        progress bar. So a run that diverged resumes with the lower ``lr`` that its message advised.

        Everything is validated before anything is applied: on any error (a ``ValueError`` naming
        the entry) the trainer is exactly as it was.
        """
        arrays, meta = load_checkpoint(path)
        new = self._read_checkpoint(arrays, meta, os.fspath(path))
        # --- everything is valid: apply (nothing below can fail on the contents)
        for k, v in self.model.params.items():
            get_xp(v).copyto(v, new["params"][k])
        opt = self.optimizer
        opt.t, opt.state = new["optim"].t, new["optim"].state
        opt.lr = self.config.lr  # the new config's rate, not the checkpoint's
        if self.scheduler is not None:
            self.scheduler.base_lr = self.config.lr
            self.scheduler.last_epoch = new["step"]  # the schedule is stepped once per optimiser step
            opt.lr = self.scheduler.lr_at(new["step"])
        self.rng.bit_generator.state = meta["rng_state"]
        if self.arrays is not None:
            self.arrays.perm, self.arrays.pos = new["perm"], new["pos"]
        self.step = self._good_step = new["step"]
        self.best_loss = new["best_loss"]
        self.elapsed = new["elapsed"]
        self.history = new["history"]
        self.history.batch_size = self.config.batch_size
        self._save_good()
        return self

    def _read_checkpoint(self, arrays: dict, meta, path: str) -> dict:
        """Check every entry of a checkpoint against this trainer; returns the new state, applying nothing."""

        def bad(entry, what):
            return ValueError(f"path: {path}: the checkpoint's {entry} {what}")

        if not isinstance(meta, dict):
            raise bad("meta", f"is not a dict (got {type(meta).__name__})")
        missing = [k for k in _META_KEYS if k not in meta]
        if missing:
            raise bad("meta", f"has no entries {missing}")
        if meta["version"] != CHECKPOINT_VERSION:
            raise ValueError(f"path: expected a training checkpoint (version {CHECKPOINT_VERSION}), got {path!r}")
        if not isinstance(meta["model"], dict):
            raise bad("meta['model']", "is not a dict")
        ours = self.model.config
        diff = {k: v for k, v in meta["model"].items() if k not in _INIT_ONLY and ours.get(k) != v}
        if diff:
            raise ValueError(
                f"path: the checkpoint's model differs from this model in {diff}; this model has "
                f"{ {k: ours.get(k) for k in diff} }"
            )
        # params: every key, shape, a float dtype, finite values
        params = {k[len("param.") :]: v for k, v in arrays.items() if k.startswith("param.")}
        if sorted(params) != sorted(self.model.params):
            raise ValueError(f"path: expected params {sorted(self.model.params)}, got {sorted(params)}")
        new_params = {}
        for k, v in self.model.params.items():
            a = params[k]
            if tuple(a.shape) != tuple(v.shape):
                raise ValueError(f"path: param {k!r} has shape {tuple(a.shape)}, expected {tuple(v.shape)}")
            if a.dtype.kind != "f":
                raise bad(f"param {k!r}", f"has dtype {a.dtype}, expected a float dtype")
            if not np.isfinite(a).all():
                raise bad(f"param {k!r}", "holds NaN or inf")
            new_params[k] = to_device(a.astype(v.dtype), self.device)
        # the optimiser: loaded into a copy, so that a failure leaves ours untouched
        optim = {k[len("optim.") :]: to_device(v, self.device) for k, v in arrays.items() if k.startswith("optim.")}
        probe = copy.copy(self.optimizer)
        try:
            probe.load_state_dict(optim)
        except (TypeError, ValueError) as e:
            raise bad("optimiser state", f"does not fit this {type(self.optimizer).__name__}: {e}") from None
        for name, buffers in probe.state.items():
            bad_key = _first_nonfinite(buffers)
            if bad_key is not None:
                raise bad(f"optimiser state 'optim.{name}.{bad_key}'", "holds NaN or inf")
        # the counters and the generator
        step = meta["step"]
        if isinstance(step, bool) or not isinstance(step, int) or step < 0:
            raise bad("meta['step']", f"is not an int >= 0 (got {step!r})")
        rng = np.random.Generator(type(self.rng.bit_generator)())
        try:
            rng.bit_generator.state = meta["rng_state"]
        except (TypeError, ValueError, KeyError) as e:
            raise bad(
                "meta['rng_state']", f"is not a state of {type(self.rng.bit_generator).__name__}: {e!r}"
            ) from None
        best = meta["best_loss"]
        if best is not None and (isinstance(best, bool) or not isinstance(best, (int, float))):
            raise bad("meta['best_loss']", f"is not a number or None (got {best!r})")
        elapsed = meta["elapsed"]
        if isinstance(elapsed, bool) or not isinstance(elapsed, (int, float)) or not elapsed >= 0:
            raise bad("meta['elapsed']", f"is not a number >= 0 (got {elapsed!r})")
        perm, pos = arrays.get("data.perm"), meta["data_pos"]
        if self.arrays is not None:
            n = self.arrays.n
            if perm is not None and (
                perm.shape != (n,) or perm.dtype.kind not in "iu" or (np.sort(perm) != np.arange(n)).any()
            ):
                raise bad("array 'data.perm'", f"is not a permutation of the {n} training sequences")
            if pos is None:
                pos = 0
            if isinstance(pos, bool) or not isinstance(pos, int) or not 0 <= pos <= n:
                raise bad("meta['data_pos']", f"is not an int in [0, {n}] (got {pos!r})")
            perm = None if perm is None else to_device(perm, self.device) if self.device == "gpu" else perm
        history = self._read_history(arrays, meta["history"], bad)
        if len(history) and history.step[-1] > step:
            raise bad("history", f"goes on to step {history.step[-1]}, after the checkpoint's step {step}")
        return {
            "params": new_params,
            "optim": probe,
            "step": step,
            "best_loss": math.inf if best is None else float(best),
            "elapsed": float(elapsed),
            "perm": perm,
            "pos": pos,
            "history": history,
        }

    @staticmethod
    def _read_history(arrays: dict, hmeta, bad) -> History:
        hist = {k[len("history.") :]: v for k, v in arrays.items() if k.startswith("history.")}
        for key in (*History.STEP_KEYS, "eval_step"):
            if key not in hist:
                raise bad(f"history entry 'history.{key}'", "is missing")
        for key, v in hist.items():
            if v.ndim != 1 or v.dtype.kind not in "iuf":
                raise bad(f"history entry 'history.{key}'", f"is not a 1-D numeric array (got {v.dtype} {v.shape})")
        n, n_eval = hist["step"].shape[0], hist["eval_step"].shape[0]
        for key, v in hist.items():
            want = n if key in History.STEP_KEYS else n_eval
            if v.shape[0] != want:
                raise bad(f"history entry 'history.{key}'", f"has {v.shape[0]} entries, expected {want}")
        if not isinstance(hmeta, dict) or any(k not in hmeta for k in ("stop_reason", "solved_at", "batch_size")):
            raise bad("meta['history']", "is not a dict with stop_reason, solved_at and batch_size")
        return History.from_dict(hist, hmeta)


def _first_nonfinite(arrays: dict):
    """The first key of ``arrays`` whose array holds a NaN or inf, or None (one pass over each array)."""
    for k, v in arrays.items():
        if not bool(get_xp(v).isfinite(v).all()):
            return k
    return None


def complete_bar(bar) -> None:
    """Make a bar that stopped early on purpose a complete one: its total becomes the steps done.

    tqdm's notebook bar draws its width from its widget's maximum, not from ``total``, so that is
    set too (otherwise the bar would read 100 % and be drawn a fifth full).
    """
    if not (hasattr(bar, "n") and hasattr(bar, "total")):
        raise TypeError(f"bar: expected a tqdm progress bar, got {type(bar).__name__}")
    bar.total = bar.n
    container = getattr(bar, "container", None)
    if container is not None:
        container.children[1].max = bar.n


def _jsonable(obj):
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if hasattr(obj, "tolist"):
        return asnumpy(obj).tolist()
    return obj


def _accuracy_is_success_rate(task) -> bool:
    """True when a task's accuracy is by definition its success rate: one target per sequence, the default scoring."""
    from .tasks.base import Task

    return task.readout == "last" and type(task).accuracy is Task.accuracy and type(task).correct is Task.correct


def _is_task(data) -> bool:
    from .tasks.base import Task

    return isinstance(data, Task)


def _array_metrics(model, data: _ArrayData, loss: str, chunk: int) -> dict:
    """The loss (and accuracy for cross-entropy) of ``model`` on all of ``data``, in chunks of ``chunk``."""
    from .losses import mse_loss, softmax_cross_entropy

    total, count, right, counted = 0.0, 0, 0, 0
    for start in range(0, data.n, chunk):
        idx = np.arange(start, min(start + chunk, data.n))
        x, y, mask = data.take(idx if get_xp(data.x) is np else to_device(idx, "gpu"))
        y_pred = model.predict(x, mask=mask)
        loss_mask = mask if model.readout == "all" else None
        fn = mse_loss if loss == "mse" else softmax_cross_entropy
        value = float(fn(y_pred, y, mask=loss_mask)[0])
        w = idx.size if loss_mask is None else int(asnumpy(loss_mask).sum())
        total, count = total + value * w, count + w
        if loss == "cross_entropy":
            ok = asnumpy(get_xp(y_pred).argmax(y_pred, axis=-1) == y)
            if loss_mask is not None:
                ok = ok[asnumpy(loss_mask)]
            right, counted = right + int(ok.sum()), counted + ok.size
    metrics = {"loss": total / max(count, 1)}
    if loss == "cross_entropy":
        metrics["accuracy"] = right / max(counted, 1)
    return metrics


def fit(model, data, config=None, callbacks=(), val_data=None, resume_from=None) -> History:
    """Train ``model`` on ``data`` (a Task or arrays) with ``config``; returns the :class:`History`.

    ``resume_from``: a checkpoint path written by a previous run (``config.checkpoint_path``); training
    continues from it, bit for bit as if it had not stopped, up to ``config.steps``. When ``config`` is
    None it is taken from the checkpoint. Raises :class:`TrainingDiverged` on NaN, inf or divergence,
    with the model's params restored to the last good ones.
    """
    if resume_from is not None and config is None:
        meta = load_checkpoint(resume_from)[1]
        saved = meta.get("config") if isinstance(meta, dict) else None
        if not isinstance(saved, dict):
            raise ValueError(f"resume_from: {resume_from}: the checkpoint's meta has no config entry (pass config=)")
        try:
            config = TrainConfig(**saved)
        except TypeError as e:
            raise ValueError(f"resume_from: {resume_from}: the checkpoint's config is not a TrainConfig: {e}") from None
    trainer = Trainer(model, data, config, callbacks=callbacks, val_data=val_data)
    if resume_from is not None:
        trainer.load(resume_from)
    return trainer.fit()
