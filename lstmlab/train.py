"""Training: a config dataclass, a :class:`Trainer`, and :func:`fit`.

>>> from lstmlab.model import Model
>>> from lstmlab.tasks import get_task
>>> from lstmlab.train import TrainConfig, fit
>>> task = get_task("adding", T=10)
>>> model = Model("lstm", input_size=2, hidden_size=8, output_size=1)
>>> history = fit(model, task, TrainConfig(steps=3, batch_size=4, progress=False))
>>> len(history)
3

What one training step does, in order:

1. draw a batch: a fresh batch from the task (``task.sample`` with the trainer's
   seeded generator), or the next minibatch of a shuffled pass over arrays;
2. ``model.loss_and_grads``;
3. the global gradient norm (and clipping by norm, if ``clip_norm``);
4. the health check: a NaN or inf loss or gradient, or a loss above
   ``divergence_factor`` times the best loss so far, restores the last good
   params and raises :class:`TrainingDiverged`;
5. clipping by value (if ``clip_value``), the optimiser's step, the schedule's step;
6. the history, the callbacks' ``on_step``, and every ``eval_every`` steps an
   evaluation, ``on_eval``, and the early stop on "solved";
7. every ``checkpoint_every`` steps, a checkpoint.

Determinism: every random number comes from one ``numpy.random.Generator``
seeded with ``config.seed`` (evaluation batches from generators seeded with
``(seed, step)``), so the same seed gives the same history on the CPU, and a run
resumed from a checkpoint continues exactly as if it had never stopped.
"""

from __future__ import annotations

import dataclasses
import math
import os
import time
from dataclasses import dataclass

import numpy as np

from .backend import DEVICES, asnumpy, get_xp, resolve_device, to_device
from .checkpoint import load_checkpoint, save_checkpoint
from .checks import _describe, check_choice, check_positive_int
from .clip import clip_grad_norm, clip_grad_value, global_norm
from .optim import SGD, Adam, RMSprop
from .schedules import ExponentialLR, StepLR

OPTIMIZERS = {"adam": Adam, "sgd": SGD, "rmsprop": RMSprop}
SCHEDULES = (None, "step", "exponential")
CHECKPOINT_VERSION = 1
#: Model settings that only shape the initial params, which a checkpoint overwrites: they may differ on resume.
_INIT_ONLY = ("seed", "forget_bias", "dtype")


class TrainingDiverged(RuntimeError):
    """Training stopped on a NaN or inf loss or gradient, or on a diverging loss.

    Attributes: ``step``, ``loss``, ``grad_norm``, ``lr``, and ``history`` (up to the last good step).
    The model holds the last good params when this is raised.
    """

    def __init__(self, message, step=None, loss=None, grad_norm=None, lr=None, history=None):
        super().__init__(message)
        self.step, self.loss, self.grad_norm, self.lr, self.history = step, loss, grad_norm, lr, history


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
        NaN and inf are always caught.
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
    ``"callback"``, ``"diverged"``; ``solved_at`` the step of the first solved evaluation, or None.
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

    # ------------------------------------------------------------------ one step
    def _next_batch(self):
        if self.task is not None:
            b = self.task.sample(self.config.batch_size, self.rng, dtype=self.model.dtype)
            mask = None if b.mask is None else to_device(b.mask, self.device)
            return to_device(b.x, self.device), to_device(b.y, self.device), mask
        return self.arrays.next_batch(self.rng, self.config.batch_size)

    def _check_health(self, step, loss, grad_norm, lr):
        cfg = self.config
        if math.isfinite(loss) and math.isfinite(grad_norm):
            if cfg.divergence_factor is None or not loss > cfg.divergence_factor * self.best_loss:
                return
            what = (
                f"the loss {loss:.4g} exceeds {cfg.divergence_factor:g} x the best loss so far ({self.best_loss:.4g}); "
                f"gradient norm {grad_norm:.4g}"
            )
        else:
            norm = "not computed" if math.isnan(grad_norm) and not math.isfinite(loss) else f"{grad_norm:.4g}"
            what = f"the loss is {loss:.4g} and the gradient norm is {norm} (NaN or inf)"
        self._restore_good()
        where = ""
        if cfg.checkpoint_path is not None:
            self.save(cfg.checkpoint_path, diverged=True)
            where = f" and saved to {cfg.checkpoint_path}"
        clip = (
            f"lower clip_norm (now {cfg.clip_norm:g})"
            if cfg.clip_norm is not None
            else "clip the gradient norm (clip_norm=1.0)"
        )
        self.history.stop_reason = "diverged"
        good = "the initial ones" if self._good_step == 0 else f"those after step {self._good_step}"
        message = (
            f"Training diverged at step {step}: {what}. The last good params ({good}) are restored{where}. "
            f"Try: {clip}, and lower the learning rate: lr={lr:g} -> try lr={lr / 10:g}."
        )
        raise TrainingDiverged(message, step=step, loss=loss, grad_norm=grad_norm, lr=lr, history=self.history)

    def _restore_good(self):
        for k, v in self.model.params.items():
            get_xp(v).copyto(v, self._good[k])

    def train_step(self):
        """One optimiser step; returns the logs dict (``step``, ``loss``, ``grad_norm``, ``lr``, ``seconds``)."""
        cfg = self.config
        t0 = time.perf_counter()
        x, y, mask = self._next_batch()
        lr = self.optimizer.lr
        step = self.step + 1
        model = self.model
        with np.errstate(over="ignore", invalid="ignore"):  # overflow is caught below, and explained
            y_pred, cache = model.forward(x, mask=mask)
            loss, dy_pred = model.compute_loss(y_pred, y, mask=mask, loss=self.loss)
            loss = float(loss)
            if not math.isfinite(loss):
                self._check_health(step, loss, math.nan, lr)  # raises
            try:
                grads = model.backward(dy_pred, cache, truncate=cfg.truncate)
            except FloatingPointError:
                self._check_health(step, loss, math.inf, lr)  # raises
            grad_norm = clip_grad_norm(grads, cfg.clip_norm) if cfg.clip_norm is not None else global_norm(grads)
        grad_norm = float(grad_norm)
        self._check_health(step, loss, grad_norm, lr)
        for k, v in self.model.params.items():  # these params gave a healthy step: keep them
            get_xp(v).copyto(self._good[k], v)
        self._good_step = self.step
        if cfg.clip_value is not None:
            clip_grad_value(grads, cfg.clip_value)
        self.optimizer.step(self.model.params, grads)
        if self.scheduler is not None:
            self.scheduler.step()
        self.step = step
        self.best_loss = min(self.best_loss, loss)
        self.elapsed += time.perf_counter() - t0
        self.history.record_step(step, loss, grad_norm, lr, self.elapsed)
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
    def fit(self) -> History:
        """Train until ``config.steps`` steps (counting those before a resume), a solve, or a callback's stop."""
        from tqdm.auto import tqdm

        cfg = self.config
        show = progress_default() if cfg.progress is None else bool(cfg.progress)
        bar = tqdm(total=cfg.steps, initial=self.step, disable=not show, desc="training", unit="step", leave=True)
        self.stop_training = False
        self.history.stop_reason = ""
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
                    post = {"loss": f"{logs['loss']:.4g}"}
                    post.update({k: f"{v:.4g}" for k, v in self.history.last_eval.items() if k != "solved"})
                    bar.set_postfix(post, refresh=False)
                if stop:
                    break
        finally:
            bar.close()
        if not self.history.stop_reason:
            self.history.stop_reason = "steps"
        return self.history

    # ------------------------------------------------------------------ checkpoints
    def save(self, path=None, diverged=False):
        """Save everything a resume needs to ``path`` (default ``config.checkpoint_path``), atomically.

        Arrays: ``param.<key>``, ``optim.<key>``, ``history.<key>``, ``data.perm``. Meta (JSON): the step,
        the generator's ``bit_generator.state``, the scheduler's state, the config, the model's config,
        the best loss, the elapsed seconds, and the history's stop reason. With ``diverged``, the params
        are the last good ones (the trainer's params have been restored to them), the step and the history
        are theirs, and the optimiser's state and the generator are as they were when training stopped:
        resuming from such a checkpoint (say with a lower ``lr``) continues from the good params, but not
        bit for bit as an uninterrupted run would have.
        """
        path = self.config.checkpoint_path if path is None else os.fspath(path)
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
        """Restore a checkpoint written by :meth:`save` into this trainer (params in place). Returns self."""
        arrays, meta = load_checkpoint(path)
        if meta.get("version") != CHECKPOINT_VERSION:
            raise ValueError(f"path: expected a training checkpoint (version {CHECKPOINT_VERSION}), got {path!r}")
        ours = self.model.config
        diff = {k: v for k, v in meta["model"].items() if k not in _INIT_ONLY and ours.get(k) != v}
        if diff:
            raise ValueError(
                f"path: the checkpoint's model differs from this model in {diff}; this model has "
                f"{ {k: ours.get(k) for k in diff} }"
            )
        params = {k[len("param.") :]: v for k, v in arrays.items() if k.startswith("param.")}
        if sorted(params) != sorted(self.model.params):
            raise ValueError(f"path: expected params {sorted(self.model.params)}, got {sorted(params)}")
        for k, v in self.model.params.items():
            if tuple(params[k].shape) != tuple(v.shape):
                raise ValueError(f"path: param {k!r} has shape {tuple(params[k].shape)}, expected {tuple(v.shape)}")
            get_xp(v).copyto(v, to_device(params[k].astype(v.dtype), self.device))
        optim = {k[len("optim.") :]: v for k, v in arrays.items() if k.startswith("optim.")}
        self.optimizer.load_state_dict({k: to_device(v, self.device) for k, v in optim.items()})
        if self.scheduler is not None and meta["scheduler"] is not None:
            self.scheduler.load_state_dict(meta["scheduler"])
        self.rng.bit_generator.state = meta["rng_state"]
        if self.arrays is not None:
            self.arrays.perm = arrays.get("data.perm")
            self.arrays.pos = meta["data_pos"]
        self.step = self._good_step = int(meta["step"])
        self.best_loss = math.inf if meta["best_loss"] is None else float(meta["best_loss"])
        self.elapsed = float(meta["elapsed"])
        hist = {k[len("history.") :]: v for k, v in arrays.items() if k.startswith("history.")}
        self.history = History.from_dict(hist, meta["history"])
        self.history.batch_size = self.config.batch_size
        for k, v in self.model.params.items():
            get_xp(v).copyto(self._good[k], v)
        return self


def _jsonable(obj):
    if isinstance(obj, dict):
        return {k: _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if hasattr(obj, "tolist"):
        return asnumpy(obj).tolist()
    return obj


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
        config = TrainConfig(**load_checkpoint(resume_from)[1]["config"])
    trainer = Trainer(model, data, config, callbacks=callbacks, val_data=val_data)
    if resume_from is not None:
        trainer.load(resume_from)
    return trainer.fit()
