"""Learning-rate schedules that set ``optimizer.lr``, with the values of ``torch.optim.lr_scheduler``.

A schedule counts its own steps ``last_epoch`` (call :meth:`LRSchedule.step`
once per epoch, or once per update: your choice, as in PyTorch) and sets
``optimizer.lr = lr_at(last_epoch)``. ``lr_at`` is a closed formula of the
step number and the learning rate the optimiser had when the schedule was
made (``base_lr``), so a schedule can also be plotted without an optimiser
run. Making a schedule sets ``optimizer.lr = lr_at(0)``, as PyTorch does.

>>> import numpy as np
>>> from lstmlab.optim import SGD
>>> opt = SGD({"w": np.zeros(1)}, lr=1.0)
>>> sched = StepLR(opt, step_size=2, gamma=0.5)
>>> [sched.step() for _ in range(4)]
[1.0, 0.5, 0.5, 0.25]
>>> opt.lr
0.25
"""

from __future__ import annotations

import math

import numpy as np

from .checks import check_positive_int
from .optim import check_real


class LRSchedule:
    """Base class: holds ``optimizer``, ``base_lr`` and ``last_epoch``; subclasses define :meth:`lr_at`."""

    def __init__(self, optimizer):
        if not hasattr(optimizer, "lr"):
            raise TypeError(f"optimizer: expected an optimiser with an lr attribute, got {type(optimizer).__name__}")
        self.optimizer = optimizer
        self.base_lr = check_real("optimizer.lr", optimizer.lr, 0.0)
        self.last_epoch = 0
        optimizer.lr = self.lr_at(0)

    def lr_at(self, epoch: int) -> float:  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def step(self) -> float:
        """Advance one step, set ``optimizer.lr`` and return it."""
        self.last_epoch += 1
        self.optimizer.lr = self.lr_at(self.last_epoch)
        return self.optimizer.lr

    def get_last_lr(self) -> float:
        """The learning rate set by the last step (or by construction)."""
        return self.lr_at(self.last_epoch)

    def state_dict(self) -> dict:
        """``{"last_epoch": 0-d int64, "base_lr": 0-d float64}``: flat arrays, ready for a checkpoint."""
        return {"last_epoch": np.array(self.last_epoch, dtype=np.int64), "base_lr": np.array(self.base_lr)}

    def load_state_dict(self, state) -> None:
        """Restore :meth:`state_dict` and set ``optimizer.lr`` to the restored step's value.

        The values may be 0-d arrays (from an ``.npz``) or plain numbers (from JSON).
        """
        if not isinstance(state, dict) or sorted(state) != ["base_lr", "last_epoch"]:
            got = sorted(state) if isinstance(state, dict) else type(state).__name__
            raise ValueError(f"state: expected keys ['base_lr', 'last_epoch'], got {got}")
        epoch, base_lr = np.asarray(state["last_epoch"]), np.asarray(state["base_lr"])
        if epoch.shape != () or epoch.dtype.kind not in "iu" or int(epoch) < 0:
            raise ValueError(f"state['last_epoch']: expected an int >= 0 (or a 0-d integer array), got {epoch!r}")
        if base_lr.shape != () or base_lr.dtype.kind not in "iuf":
            raise ValueError(f"state['base_lr']: expected a number (or a 0-d array), got {base_lr!r}")
        self.base_lr = check_real("state['base_lr']", float(base_lr), 0.0)
        self.last_epoch = int(epoch)
        self.optimizer.lr = self.lr_at(self.last_epoch)


class StepLR(LRSchedule):
    """``lr = base_lr * gamma ** (epoch // step_size)``: multiply by ``gamma`` every ``step_size`` steps."""

    def __init__(self, optimizer, step_size, gamma=0.1):
        self.step_size = check_positive_int("step_size", step_size)
        self.gamma = check_real("gamma", gamma, 0.0)
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma ** (epoch // self.step_size)


class ExponentialLR(LRSchedule):
    """``lr = base_lr * gamma ** epoch``: multiply by ``gamma`` at every step."""

    def __init__(self, optimizer, gamma):
        self.gamma = check_real("gamma", gamma, 0.0)
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * self.gamma**epoch


class LinearLR(LRSchedule):
    """A linear warm-up (or cool-down): the factor goes from ``start_factor`` to ``end_factor`` in ``total_iters``.

    ``lr = base_lr * (start_factor + (end_factor - start_factor) * min(epoch, total_iters) / total_iters)``,
    then stays at ``base_lr * end_factor``. With ``start_factor`` small and
    ``end_factor = 1`` it is the usual warm-up.
    """

    def __init__(self, optimizer, start_factor=1.0 / 3, end_factor=1.0, total_iters=5):
        self.start_factor = check_real("start_factor", start_factor, 0.0, 1.0, low_open=True)
        self.end_factor = check_real("end_factor", end_factor, 0.0, 1.0)
        self.total_iters = check_positive_int("total_iters", total_iters)
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> float:
        frac = min(epoch, self.total_iters) / self.total_iters
        return self.base_lr * (self.start_factor + (self.end_factor - self.start_factor) * frac)


class CosineAnnealingLR(LRSchedule):
    """Half a cosine from ``base_lr`` down to ``eta_min`` over ``T_max`` steps (Loshchilov & Hutter 2017, no restarts).

    ``lr = eta_min + (base_lr - eta_min) * (1 + cos(pi * epoch / T_max)) / 2``;
    after ``T_max`` the cosine goes on (back up), as PyTorch's does.
    """

    def __init__(self, optimizer, T_max, eta_min=0.0):
        self.T_max = check_positive_int("T_max", T_max)
        self.eta_min = check_real("eta_min", eta_min, 0.0)
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> float:
        return self.eta_min + (self.base_lr - self.eta_min) * (1 + math.cos(math.pi * epoch / self.T_max)) / 2


class ConstantLR(LRSchedule):
    """``lr = base_lr * factor`` for the first ``total_iters`` steps, then ``base_lr``."""

    def __init__(self, optimizer, factor=1.0 / 3, total_iters=5):
        self.factor = check_real("factor", factor, 0.0, 1.0)
        self.total_iters = check_positive_int("total_iters", total_iters)
        super().__init__(optimizer)

    def lr_at(self, epoch: int) -> float:
        return self.base_lr * (self.factor if epoch < self.total_iters else 1.0)
