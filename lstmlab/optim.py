"""Optimisers: SGD (with momentum and Nesterov), RMSprop and Adam.

Every optimiser follows the update formulas of ``torch.optim`` exactly, so
the same parameters and gradients give the same numbers (the tests compare
to 1e-10 in float64). The interface is small:

* ``opt = Adam(params, lr=1e-3)`` records the parameter keys, shapes and
  dtypes, and creates its state arrays (zeros, in the array namespace of
  ``params``: NumPy or CuPy);
* ``opt.step(params, grads)`` updates every array of ``params`` **in place**;
  ``grads`` must have exactly the keys of ``params`` (a missing or an extra
  key is a ``ValueError`` naming it), the same shapes and the same dtype.
  Every check runs before any array is changed, so a bad call (a NaN or inf
  gradient included) leaves ``params`` and the optimiser untouched;
* ``opt.lr`` is a plain attribute: set it by hand or with a schedule
  (:mod:`lstmlab.schedules`);
* ``opt.state_dict()`` is a flat ``{name: array}`` dict that goes straight
  into an ``.npz`` file (:mod:`lstmlab.checkpoint`): ``"t"`` (the number of
  steps taken), ``"lr"``, and one entry per buffer and parameter, named
  ``"<buffer>.<param key>"`` (``"m.W_x"``, ``"v.W_x"``, ...);
  ``opt.load_state_dict(state)`` restores it exactly, so training continues
  as if it had never stopped.

>>> import numpy as np
>>> params = {"w": np.array([1.0, -2.0])}
>>> opt = SGD(params, lr=0.1)
>>> opt.step(params, {"w": np.array([1.0, 1.0])})
>>> params["w"]
array([ 0.9, -2.1])
"""

from __future__ import annotations

import math

import numpy as np

from .backend import asnumpy, get_xp
from .checks import check_array, check_params, check_real


class Optimizer:
    """What every optimiser shares: the parameter layout, the step counter ``t``, ``lr`` and the state arrays.

    Subclasses name their per-parameter buffers in ``self.buffers`` and
    implement ``_update(key, p, g)``, which changes ``p`` in place.
    """

    def __init__(self, params, lr):
        if not isinstance(params, dict) or not params:
            raise TypeError(f"params: expected a non-empty dict of float arrays, got {type(params).__name__}")
        for key, p in params.items():
            check_array(f"params[{key!r}]", p, finite=False)
        self.shapes = {key: tuple(p.shape) for key, p in params.items()}
        self.dtypes = {key: np.dtype(p.dtype) for key, p in params.items()}
        self.lr = check_real("lr", lr)
        self.t = 0
        self._xp = get_xp(*params.values())
        self.state = {name: {key: self._xp.zeros_like(p) for key, p in params.items()} for name in self.buffers}

    buffers: tuple = ()

    def _check_step(self, params, grads):
        for name, d in (("params", params), ("grads", grads)):
            check_params(d, self.shapes, name=name)  # keys, shapes, float dtypes, finite values
            for key, dtype in self.dtypes.items():
                if np.dtype(d[key].dtype) != dtype:
                    raise TypeError(f"{name}[{key!r}]: expected dtype {dtype} (as at construction), got {d[key].dtype}")

    def step(self, params, grads) -> None:
        """Update ``params`` in place from ``grads`` (same keys, shapes and dtype as at construction)."""
        self._check_step(params, grads)
        self.t += 1
        for key in self.shapes:
            self._update(key, params[key], grads[key])

    def _update(self, key, p, g):  # pragma: no cover - every subclass overrides it
        raise NotImplementedError

    def state_dict(self) -> dict:
        """A flat ``{name: array}`` copy of the state: ``"t"``, ``"lr"`` and ``"<buffer>.<key>"`` arrays."""
        state = {"t": np.array(self.t, dtype=np.int64), "lr": np.array(self.lr, dtype=np.float64)}
        for name, arrays in self.state.items():
            for key, a in arrays.items():
                state[f"{name}.{key}"] = a.copy()
        return state

    def load_state_dict(self, state) -> None:
        """Restore a :meth:`state_dict` (NumPy or CuPy arrays); the arrays are copied, ``state`` is not changed."""
        if not isinstance(state, dict):
            raise TypeError(f"state: expected a dict of arrays, got {type(state).__name__}")
        expected = ["t", "lr"] + [f"{name}.{key}" for name in self.buffers for key in self.shapes]
        missing = [k for k in expected if k not in state]
        unknown = [k for k in state if k not in expected]
        if missing or unknown:
            parts = ([f"missing keys {missing}"] if missing else []) + ([f"unknown keys {unknown}"] if unknown else [])
            raise ValueError(f"state: expected keys {expected} for {type(self).__name__}, got {' and '.join(parts)}")
        t, lr = np.asarray(asnumpy(state["t"])), np.asarray(asnumpy(state["lr"]))
        if t.shape != () or t.dtype.kind not in "iu" or int(t) < 0:
            raise ValueError(f"state['t']: expected an int >= 0 (or a 0-d integer array), got {t!r}")
        if lr.shape != () or lr.dtype.kind not in "iuf":
            raise ValueError(f"state['lr']: expected a number (or a 0-d array), got {lr!r}")
        lr = check_real("state['lr']", float(lr))
        restored = {}
        for name in self.buffers:
            restored[name] = {}
            for key, shape in self.shapes.items():
                label = f"state[{name + '.' + key!r}]"
                a = check_array(label, state[f"{name}.{key}"], shape=shape, dtype=self.dtypes[key], finite=False)
                restored[name][key] = self._xp.array(asnumpy(a) if self._xp is np else a, copy=True)
        self.t, self.lr, self.state = int(t), lr, restored


class SGD(Optimizer):
    """Stochastic gradient descent, with optional momentum, Nesterov momentum and L2 weight decay.

    With ``g = grad + weight_decay * p`` and a momentum buffer ``buf``
    (``buf = g`` at the first step, as in ``torch.optim.SGD``):

    .. math::

        \\mathrm{buf} \\leftarrow \\mu\\,\\mathrm{buf} + (1 - \\tau)\\,g, \\qquad
        p \\leftarrow p - \\eta\\,(g + \\mu\\,\\mathrm{buf}) \\text{ (Nesterov) or } p - \\eta\\,\\mathrm{buf}

    where :math:`\\mu` is ``momentum``, :math:`\\tau` is ``dampening`` and
    :math:`\\eta` is ``lr``. Without momentum it is plain ``p -= lr * g``.
    """

    def __init__(self, params, lr, momentum=0.0, nesterov=False, weight_decay=0.0, dampening=0.0):
        self.momentum = check_real("momentum", momentum)
        self.dampening = check_real("dampening", dampening, high=1.0)
        self.weight_decay = check_real("weight_decay", weight_decay)
        if not isinstance(nesterov, bool):
            raise TypeError(f"nesterov: expected True or False, got {nesterov!r}")
        if nesterov and (self.momentum == 0.0 or self.dampening != 0.0):
            raise ValueError(
                f"nesterov: Nesterov momentum needs momentum > 0 and dampening = 0, "
                f"got momentum={self.momentum} and dampening={self.dampening}"
            )
        self.nesterov = nesterov
        self.buffers = ("buf",) if self.momentum > 0 else ()
        super().__init__(params, lr)

    def _update(self, key, p, g):
        if self.weight_decay:
            g = g + self.weight_decay * p
        if self.momentum:
            buf = self.state["buf"][key]
            if self.t == 1:
                buf[...] = g
            else:
                buf *= self.momentum
                buf += (1.0 - self.dampening) * g
            g = g + self.momentum * buf if self.nesterov else buf
        p -= self.lr * g


class RMSprop(Optimizer):
    """RMSprop (Tieleman & Hinton 2012), in ``torch.optim.RMSprop``'s form.

    .. math::

        v \\leftarrow \\alpha v + (1 - \\alpha) g^2, \\qquad
        p \\leftarrow p - \\eta\\, \\frac{g}{\\sqrt{v} + \\epsilon}

    With ``centered=True`` the denominator is :math:`\\sqrt{v - \\bar g^2} + \\epsilon`,
    where :math:`\\bar g \\leftarrow \\alpha \\bar g + (1 - \\alpha) g`. With ``momentum``
    :math:`\\mu > 0`, ``buf`` :math:`\\leftarrow \\mu\\,\\mathrm{buf} + g / (\\ldots)` and
    :math:`p \\leftarrow p - \\eta\\,\\mathrm{buf}`. ``g`` includes ``weight_decay * p``.
    Buffers: ``v`` (the running mean of :math:`g^2`), ``g_avg`` (centred only), ``buf`` (momentum only).
    """

    def __init__(self, params, lr=1e-2, alpha=0.99, eps=1e-8, momentum=0.0, weight_decay=0.0, centered=False):
        self.alpha = check_real("alpha", alpha, high=1.0)
        self.eps = check_real("eps", eps)
        self.momentum = check_real("momentum", momentum)
        self.weight_decay = check_real("weight_decay", weight_decay)
        if not isinstance(centered, bool):
            raise TypeError(f"centered: expected True or False, got {centered!r}")
        self.centered = centered
        self.buffers = ("v",) + (("g_avg",) if centered else ()) + (("buf",) if self.momentum > 0 else ())
        super().__init__(params, lr)

    def _update(self, key, p, g):
        xp = get_xp(p)
        if self.weight_decay:
            g = g + self.weight_decay * p
        v = self.state["v"][key]
        v *= self.alpha
        v += (1.0 - self.alpha) * g * g
        if self.centered:
            g_avg = self.state["g_avg"][key]
            g_avg *= self.alpha
            g_avg += (1.0 - self.alpha) * g
            denom = xp.sqrt(v - g_avg * g_avg) + self.eps
        else:
            denom = xp.sqrt(v) + self.eps
        if self.momentum:
            buf = self.state["buf"][key]
            buf *= self.momentum
            buf += g / denom
            p -= self.lr * buf
        else:
            p -= self.lr * (g / denom)


class Adam(Optimizer):
    """Adam (Kingma & Ba 2015), in ``torch.optim.Adam``'s form (L2 ``weight_decay`` added to ``g``, not AdamW).

    At step :math:`t = 1, 2, \\ldots`:

    .. math::

        m &\\leftarrow \\beta_1 m + (1 - \\beta_1) g, \\qquad v \\leftarrow \\beta_2 v + (1 - \\beta_2) g^2 \\\\
        p &\\leftarrow p - \\frac{\\eta}{1 - \\beta_1^t}\\,
             \\frac{m}{\\sqrt{v} / \\sqrt{1 - \\beta_2^t} + \\epsilon}

    Buffers: ``m`` and ``v``.
    """

    buffers = ("m", "v")

    def __init__(self, params, lr=1e-3, betas=(0.9, 0.999), eps=1e-8, weight_decay=0.0):
        if not isinstance(betas, (tuple, list)) or len(betas) != 2:
            raise TypeError(f"betas: expected a pair (beta1, beta2), got {betas!r}")
        self.betas = (
            check_real("betas[0]", betas[0], high=1.0, high_open=True),
            check_real("betas[1]", betas[1], high=1.0, high_open=True),
        )
        self.eps = check_real("eps", eps)
        self.weight_decay = check_real("weight_decay", weight_decay)
        super().__init__(params, lr)

    def _update(self, key, p, g):
        xp = get_xp(p)
        beta1, beta2 = self.betas
        if self.weight_decay:
            g = g + self.weight_decay * p
        m, v = self.state["m"][key], self.state["v"][key]
        m *= beta1
        m += (1.0 - beta1) * g
        v *= beta2
        v += (1.0 - beta2) * g * g
        step_size = self.lr / (1.0 - beta1**self.t)
        denom = xp.sqrt(v) / math.sqrt(1.0 - beta2**self.t) + self.eps
        p -= step_size * (m / denom)


OPTIMIZERS = {"sgd": SGD, "rmsprop": RMSprop, "adam": Adam}


def get_optimizer(name: str, params, **kwargs) -> Optimizer:
    """Build an optimiser by name (``"sgd"``, ``"rmsprop"`` or ``"adam"``), e.g. from a config."""
    if not isinstance(name, str) or name.lower() not in OPTIMIZERS:
        raise ValueError(f"name: expected one of {sorted(OPTIMIZERS)}, got {name!r}")
    return OPTIMIZERS[name.lower()](params, **kwargs)
