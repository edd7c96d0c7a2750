"""MUT3, one of the three GRU-like cells that Jozefowicz, Zaremba & Sutskever (2015) found by search.

Their search mutated the GRU's computation graph and kept the best of thousands of candidates; three
of them (MUT1, MUT2, MUT3) matched or beat the GRU and the LSTM on most of their tasks. MUT3 is the
one whose every gate reads both the input and the state, so it fits the cell contract of
:mod:`lstmlab.cells.base` exactly (the same three blocks as the GRU). Row-vector convention:

.. math::

    a^x &= x W_x + b                                              \\quad\\text{blocks } a^x_z, a^x_r, a^x_n \\\\
    z   &= \\sigma\\big(a^x_z + \\tanh(h_{t-1}) W_{h,z}\\big)          \\quad\\text{update gate} \\\\
    r   &= \\sigma\\big(a^x_r + h_{t-1} W_{h,r}\\big)                 \\quad\\text{reset gate}  \\\\
    n   &= \\tanh\\big(a^x_n + (r \\odot h_{t-1}) W_{h,n}\\big)        \\quad\\text{candidate}   \\\\
    h_t &= z \\odot n + (1 - z) \\odot h_{t-1}

Two differences from the GRU: the update gate reads ``tanh(h_prev)`` instead of ``h_prev``, and
(as in the paper, and unlike PyTorch's GRU) ``z`` weights the *new* candidate. The three column
blocks of ``W_h`` multiply three different inputs, which the cell declares with
``recurrent = {"W_h": ("th_prev", "h_prev", "rh_prev")}``.

Backward, with :math:`\\delta h_t` the incoming gradient:

.. math::

    \\delta a_z &= \\delta h_t \\odot (n - h_{t-1}) \\odot z (1 - z), \\qquad
    \\delta a_n = \\delta h_t \\odot z \\odot (1 - n^2) \\\\
    \\delta (r \\odot h_{t-1}) &= \\delta a_n W_{h,n}^\\top, \\qquad
    \\delta a_r = \\delta (r \\odot h_{t-1}) \\odot h_{t-1} \\odot r (1 - r) \\\\
    \\delta h_{t-1} &= \\delta h_t \\odot (1 - z) + \\delta (r \\odot h_{t-1}) \\odot r
        + \\delta a_r W_{h,r}^\\top + (\\delta a_z W_{h,z}^\\top) \\odot (1 - \\tanh^2 h_{t-1})

Shapes: x (N, D), h (N, H), W_x (D, 3H), W_h (H, 3H), b (3H,).
"""

from __future__ import annotations

from ..backend import get_xp
from .base import Cell, sigmoid

#: The column blocks of every MUT3 parameter: update gate, reset gate, candidate.
BLOCKS = ("z", "r", "n")


def mut3_core_forward(a_x, state_prev, params):
    """The MUT3 step after the input projection ``a_x = x W_x + b`` (N, 3H)."""
    h_prev = state_prev[0]
    H = h_prev.shape[1]
    W_h = params["W_h"]
    xp = get_xp(a_x)
    th_prev = xp.tanh(h_prev)
    z = sigmoid(a_x[:, :H] + th_prev @ W_h[:, :H])
    r = sigmoid(a_x[:, H : 2 * H] + h_prev @ W_h[:, H : 2 * H])
    rh_prev = r * h_prev
    n = xp.tanh(a_x[:, 2 * H :] + rh_prev @ W_h[:, 2 * H :])
    h = z * n + (1.0 - z) * h_prev
    cache = {"h_prev": h_prev, "th_prev": th_prev, "rh_prev": rh_prev, "z": z, "r": r, "n": n, "W_h": W_h}
    return (h,), cache


def mut3_core_backward(dstate, cache):
    """Backward of :func:`mut3_core_forward`; see :mod:`lstmlab.cells.base` for the contract."""
    dh = dstate[0]
    h_prev, th_prev, z, r, n, W_h = (cache[k] for k in ("h_prev", "th_prev", "z", "r", "n", "W_h"))
    H = h_prev.shape[1]
    xp = get_xp(dh)
    da_z = dh * (n - h_prev) * z * (1.0 - z)
    da_n = dh * z * (1.0 - n * n)
    drh_prev = da_n @ W_h[:, 2 * H :].T
    da_r = drh_prev * h_prev * r * (1.0 - r)
    dh_prev = (
        dh * (1.0 - z) + drh_prev * r + da_r @ W_h[:, H : 2 * H].T + (da_z @ W_h[:, :H].T) * (1.0 - th_prev * th_prev)
    )
    da_x = xp.concatenate([da_z, da_r, da_n], axis=1)
    return da_x, (dh_prev,), {"W_h": da_x}, {}


MUT3 = Cell(
    name="mut3",
    blocks=BLOCKS,
    state_names=("h",),
    core_forward=mut3_core_forward,
    core_backward=mut3_core_backward,
    recurrent={"W_h": ("th_prev", "h_prev", "rh_prev")},
    description="MUT3 of Jozefowicz et al. 2015: a GRU-like cell found by architecture search",
)
