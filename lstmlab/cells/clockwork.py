"""The Clockwork RNN of Koutník, Greff, Gomez & Schmidhuber (2014).

The hidden units are split into ``g`` modules with periods ``T_1 < T_2 < ... < T_g`` (the paper
uses powers of two). At step ``t`` (counted from 0) only the modules with ``t mod T_k = 0`` are
updated; the others keep their state. A module reads the modules of its own period and the slower
ones, never the faster ones: in the paper's column-vector form the recurrent matrix is block upper
triangular. In our row-vector form ``h_prev @ W_h`` the entry ``W_h[i, j]`` links unit ``i`` (the
source) to unit ``j``, so it is allowed when the period of ``i``'s module is at least the period of
``j``'s (:func:`clockwork_mask`). With ``a = x W_x + b + h_{t-1} (W_h \\odot M)``:

.. math::

    h_t = m_t \\odot \\tanh(a) + (1 - m_t) \\odot h_{t-1}, \\qquad
    m_{t,j} = [\\, t \\bmod T_{k(j)} = 0 \\,]

where ``k(j)`` is the module of unit ``j``. Backward:

.. math::

    \\delta a = \\delta h_t \\odot m_t \\odot (1 - \\tanh^2 a), \\qquad
    \\delta h_{t-1} = \\delta h_t \\odot (1 - m_t) + \\delta a\\, (W_h \\odot M)^\\top, \\qquad
    \\delta W_h = (h_{t-1}^\\top \\delta a) \\odot M

The masked entries of ``W_h`` have no effect, so their gradient is exactly zero. The cell needs the
step index: it carries it in a second state entry ``clock`` (N, 1), which starts at 0 (the zero
state) and counts up by one per step; its gradient only passes through (the mask is piecewise
constant in it), so no gradient from the loss ever reaches it. Unit ``j`` of ``H`` belongs to
module ``j * g // H``, so any ``H`` works (modules of nearly equal size; with ``H < g`` the slowest
modules are empty).

Shapes: x (N, D), h (N, H), clock (N, 1), W_x (D, H), W_h (H, H), b (H,).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from ..backend import get_xp
from ..checks import check_positive_int, describe
from .base import Cell

#: The periods of the default cell ``"clockwork"``: four modules, as powers of two.
PERIODS = (1, 2, 4, 8)


def check_periods(periods) -> tuple:
    """Validate a sequence of increasing positive int periods; returns it as a tuple."""
    try:
        out = tuple(periods)
    except TypeError:
        raise TypeError(f"periods: expected a sequence of ints, got {describe(periods)}") from None
    ok = out and all(isinstance(p, (int, np.integer)) and not isinstance(p, bool) and p >= 1 for p in out)
    if not ok or any(b <= a for a, b in zip(out, out[1:])):
        raise ValueError(f"periods: expected increasing ints >= 1, got {periods!r}")
    return tuple(int(p) for p in out)


def module_of_unit(H: int, g: int) -> np.ndarray:
    """The module index (0 = fastest) of each of the H units: unit j is in module ``j * g // H``."""
    H, g = check_positive_int("H", H), check_positive_int("g", g)
    return np.arange(H) * g // H


def clockwork_mask(H: int, periods=PERIODS) -> np.ndarray:
    """M (H, H): ``M[i, j] = 1`` where source unit i's period >= target unit j's (slow feeds fast)."""
    k = module_of_unit(check_positive_int("H", H), len(check_periods(periods)))
    return (k[:, None] >= k[None, :]).astype(np.float64)


def active_units(t: int, H: int, periods=PERIODS) -> np.ndarray:
    """m_t (H,): 1.0 for the units whose module updates at step t (``t mod T_k == 0``), else 0.0."""
    periods = np.asarray(check_periods(periods))
    return (t % periods[module_of_unit(H, len(periods))] == 0).astype(np.float64)


def _divides(periods) -> bool:
    """Whether every period divides the longest (then the pattern repeats with the longest period)."""
    return all(periods[-1] % p == 0 for p in periods)


@lru_cache(maxsize=256)
def _mask_and_active(H: int, periods: tuple, t: int):
    """The mask and step t's active units, computed once per (H, periods, t) and kept read-only."""
    M, m = clockwork_mask(H, periods), active_units(t, H, periods)
    M.flags.writeable = m.flags.writeable = False
    return M, m


def clockwork_core_forward(a_x, state_prev, params, periods=PERIODS):
    """The Clockwork RNN step after ``a_x = x W_x + b``; ``state_prev = (h_prev, clock_prev)``."""
    h_prev, clock_prev = state_prev
    H = h_prev.shape[1]
    xp = get_xp(a_x)
    t = int(round(float(clock_prev[0, 0])))  # every row of the batch is at the same step
    M, m = _mask_and_active(H, periods, t % periods[-1] if _divides(periods) else t)
    M, m = xp.asarray(M, dtype=a_x.dtype), xp.asarray(m, dtype=a_x.dtype)
    W = params["W_h"] * M
    u = xp.tanh(a_x + h_prev @ W)
    h = m * u + (1.0 - m) * h_prev
    cache = {"h_prev": h_prev, "u": u, "m": m, "W": W, "M": M, "clock_prev": clock_prev}
    return (h, clock_prev + 1.0), cache


def clockwork_core_backward(dstate, cache):
    """Backward of :func:`clockwork_core_forward`; see :mod:`lstmlab.cells.base` for the contract."""
    dh = dstate[0]
    h_prev, u, m, W, M = (cache[k] for k in ("h_prev", "u", "m", "W", "M"))
    da = dh * m * (1.0 - u * u)
    dh_prev = dh * (1.0 - m) + da @ W.T
    xp = get_xp(dh)
    u = xp.broadcast_to(h_prev, da.shape)  # (a batch of unit vectors may meet one cached example)
    dW_h = (u.T @ da) * M  # the masked entries do nothing, so their gradient is 0
    # clock = clock_prev + 1 passes its gradient on; the mask is piecewise constant in the clock
    dclock = dstate[1] if len(dstate) > 1 and dstate[1] is not None else None
    dclock = xp.zeros_like(cache["clock_prev"]) if dclock is None else dclock
    return da, (dh_prev, dclock), {}, {"W_h": dW_h}


def make_clockwork_cell(periods=PERIODS, name: str = "clockwork") -> Cell:
    """A Clockwork RNN cell with the given module periods (increasing ints)."""
    periods = check_periods(periods)

    def core_forward(a_x, state_prev, params):
        return clockwork_core_forward(a_x, state_prev, params, periods)

    return Cell(
        name=name,
        blocks=("h",),
        state_names=("h", "clock"),
        core_forward=core_forward,
        core_backward=clockwork_core_backward,
        recurrent={},  # W_h's gradient is masked, so the core returns it (summed over the batch)
        state_widths=lambda H: (H, 1),
        description=f"Clockwork RNN (Koutnik et al. 2014), module periods {periods}",
    )


CLOCKWORK = make_clockwork_cell()
