"""The depth-gated LSTM of Yao, Cohn, Vylomova, Duh & Dyer (2015), as one two-layer cell.

In a stack of LSTMs the only link between layer 1 and layer 2 is the input ``x^{(2)}_t = h^{(1)}_t``.
A depth gate ``d`` adds a second, linear link between the *memory cells* of the two layers, as the
forget gate links a cell to its own past: ``c^{(2)}_t`` receives ``d \\odot c^{(1)}_t``. The
cell holds both layers, so its state is ``(h, c, h1, c1)``: ``h, c`` of the upper layer (its
output), then ``h1, c1`` of the lower one. Row-vector convention, layer 1 a plain LSTM:

.. math::

    h^{(1)}_t, c^{(1)}_t &= \\text{LSTM}(x_t;\\ h^{(1)}_{t-1}, c^{(1)}_{t-1})
        \\quad\\text{(params } W_x, W_h, b\\text{)} \\\\
    a &= h^{(1)}_t W_{x2} + b_2 + [\\,h_{t-1} W_{h2},\\ 0\\,]
        \\quad\\text{blocks } a_i, a_f, a_g, a_o, a_d \\\\
    i, f, o &= \\sigma(a_i), \\sigma(a_f), \\sigma(a_o), \\qquad g = \\tanh(a_g) \\\\
    d &= \\sigma(a_d + w_{cd} \\odot c_{t-1} + w_{ld} \\odot c^{(1)}_t)
        \\quad\\text{depth gate} \\\\
    c_t &= d \\odot c^{(1)}_t + f \\odot c_{t-1} + i \\odot g, \\qquad h_t = o \\odot \\tanh(c_t)

As in the paper the depth gate reads the layer's input, its own previous cell and the lower cell,
but not ``h_{t-1}``, so ``W_h2`` has four blocks and ``W_x2`` five. (The paper's gates also have
peepholes; here the other gates are those of the modern LSTM, so that the depth gate is the only
change.) Backward: with :math:`\\varepsilon_c` the error at ``c_t`` (from ``h_t`` and from
``c_{t+1}``),

.. math::

    \\delta a_d &= \\varepsilon_c \\odot c^{(1)}_t \\odot d (1 - d), \\qquad
    \\delta c_{t-1} = \\varepsilon_c \\odot f + \\delta a_d \\odot w_{cd} \\\\
    \\delta c^{(1)}_t &\\mathrel{+}= \\varepsilon_c \\odot d + \\delta a_d \\odot w_{ld}, \\qquad
    \\delta h^{(1)}_t \\mathrel{+}= \\delta a\\, W_{x2}^\\top

and layer 1's step backward takes those errors from there.

Shapes: x (N, D), every state entry (N, H); W_x (D, 4H), W_h (H, 4H), b (4H,) for layer 1;
W_x2 (H, 5H), W_h2 (H, 4H), b2 (5H,), w_cd (H,), w_ld (H,) for layer 2.
"""

from __future__ import annotations

from ..backend import get_xp
from .base import Cell, sigmoid
from .lstm import GATES, LSTM

#: The column blocks of layer 2's input weights: the LSTM's gates, then the depth gate.
BLOCKS2 = (*GATES, "d")


def depth_gated_core_forward(a_x, state_prev, params):
    """Both layers' step after layer 1's input projection ``a_x = x W_x + b`` (N, 4H)."""
    h_prev, c_prev, h1_prev, c1_prev = state_prev
    H = h_prev.shape[1]
    xp = get_xp(a_x)
    (h1, c1), cache1 = LSTM.core_forward(a_x, (h1_prev, c1_prev), params)
    a = h1 @ params["W_x2"] + params["b2"]
    a[:, : 4 * H] += h_prev @ params["W_h2"]
    i, f, o = (sigmoid(a[:, k * H : (k + 1) * H]) for k in (0, 1, 3))
    g = xp.tanh(a[:, 2 * H : 3 * H])
    d = sigmoid(a[:, 4 * H :] + params["w_cd"] * c_prev + params["w_ld"] * c1)
    c = d * c1 + f * c_prev + i * g
    s = xp.tanh(c)
    h = o * s
    cache = {"h_prev": h1_prev, "l1": cache1, "h2_prev": h_prev, "c2_prev": c_prev, "h1": h1, "c1": c1}
    cache.update(i=i, f=f, g=g, o=o, d=d, s=s, params=params)
    return (h, c, h1, c1), cache


def depth_gated_core_backward(dstate, cache):
    """Backward of :func:`depth_gated_core_forward`; see :mod:`lstmlab.cells.base` for the contract."""
    dh, dc, dh1, dc1 = dstate
    p = cache["params"]
    i, f, g, o, d, s = (cache[k] for k in ("i", "f", "g", "o", "d", "s"))
    h1, c1, h_prev, c_prev = (cache[k] for k in ("h1", "c1", "h2_prev", "c2_prev"))
    xp = get_xp(dh)
    da_o = dh * s * o * (1.0 - o)
    eps_c = dh * o * (1.0 - s * s)
    if dc is not None:
        eps_c = eps_c + dc
    da_i = eps_c * g * i * (1.0 - i)
    da_f = eps_c * c_prev * f * (1.0 - f)
    da_g = eps_c * i * (1.0 - g * g)
    da_d = eps_c * c1 * d * (1.0 - d)
    da = xp.concatenate([da_i, da_f, da_g, da_o, da_d], axis=1)
    da_rec = da[:, : 4 * da_i.shape[1]]
    dh_prev = da_rec @ p["W_h2"].T
    dc_prev = eps_c * f + da_d * p["w_cd"]
    # the errors that reach layer 1's outputs this step: through W_x2 and through the depth gate
    dh1_t = da @ p["W_x2"].T + (0.0 if dh1 is None else dh1)
    dc1_t = eps_c * d + da_d * p["w_ld"] + (0.0 if dc1 is None else dc1)
    da_x, (dh1_prev, dc1_prev), da_rec1, _ = LSTM.core_backward((dh1_t, dc1_t), cache["l1"])
    h1, h_prev = (xp.broadcast_to(u, da_i.shape) for u in (h1, h_prev))  # (a batch of unit vectors
    # may meet one cached example, as in lstmlab.viz.step_jacobians)
    dother = {
        "W_x2": h1.T @ da,
        "W_h2": h_prev.T @ da_rec,
        "b2": da.sum(axis=0),
        "w_cd": (da_d * c_prev).sum(axis=0),
        "w_ld": (da_d * c1).sum(axis=0),
    }
    return da_x, (dh_prev, dc_prev, dh1_prev, dc1_prev), da_rec1, dother


DEPTH_GATED = Cell(
    name="depth_gated",
    blocks=GATES,
    state_names=("h", "c", "h1", "c1"),
    core_forward=depth_gated_core_forward,
    core_backward=depth_gated_core_backward,
    recurrent={"W_h": "h_prev"},  # layer 1's W_h; layer 2's weights are returned by the core
    extra_shapes=lambda D, H: {
        "W_x2": (H, 5 * H),
        "W_h2": (H, 4 * H),
        "b2": (5 * H,),
        "w_cd": (H,),
        "w_ld": (H,),
    },
    description="Depth-gated LSTM (Yao et al. 2015): two LSTM layers whose cells a depth gate links",
)
