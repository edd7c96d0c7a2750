"""The gated recurrent unit (GRU), in PyTorch's (cuDNN's) form and in Cho et al. 2014's form.

Both forms share the input projection, the gates and the update (row-vector
convention, one row per sequence in the batch):

.. math::

    a^x   &= x W_x + b                                      \\quad\\text{blocks } a^x_r, a^x_z, a^x_n \\\\
    r     &= \\sigma(a^x_r + h_{t-1} W_{h,r})               \\quad\\text{reset gate}  \\\\
    z     &= \\sigma(a^x_z + h_{t-1} W_{h,z})               \\quad\\text{update gate} \\\\
    h_t   &= (1 - z) \\odot n + z \\odot h_{t-1}

They differ in where the reset gate acts on the candidate :math:`n` (Cho et
al. write it :math:`\\tilde h`):

.. math::

    n &= \\tanh\\big(a^x_n + r \\odot (h_{t-1} W_{h,n} + b_{hn})\\big)   \\quad\\text{PyTorch, cuDNN} \\\\
    n &= \\tanh\\big(a^x_n + (r \\odot h_{t-1}) W_{h,n}\\big)           \\quad\\text{Cho et al. 2014}

The cell ``"gru"`` is PyTorch's form, ``"gru_cho"`` Cho et al.'s. In PyTorch's
form ``r`` multiplies the recurrent product after it is taken, so
``h_prev @ W_h`` is one product for all three blocks, and the candidate's
recurrent bias ``b_hn`` (H,) cannot fold into ``b`` (PyTorch's other recurrent
biases, ``b_hr`` and ``b_hz``, do). In Cho's form ``r`` resets the state before
the product, so the ``n`` block of ``W_h`` multiplies ``r * h_prev``, not
``h_prev``: the cell declares this with ``recurrent = {"W_h": ("h_prev",
"h_prev", "rh_prev")}``.

Backward (both forms), with :math:`\\delta h_t` the incoming gradient:

.. math::

    \\delta z &= \\delta h_t \\odot (h_{t-1} - n), \\qquad
    \\delta a_z = \\delta z \\odot z (1 - z) \\\\
    \\delta a_n &= \\delta h_t \\odot (1 - z) \\odot (1 - n^2) \\\\
    \\text{PyTorch:}\\ \\delta a_r &= \\delta a_n \\odot (h_{t-1} W_{h,n} + b_{hn}) \\odot r (1 - r), \\qquad
    \\delta b_{hn} = \\textstyle\\sum_N \\delta a_n \\odot r \\\\
    \\text{Cho:}\\ \\delta (r \\odot h_{t-1}) &= \\delta a_n W_{h,n}^\\top, \\qquad
    \\delta a_r = \\delta (r \\odot h_{t-1}) \\odot h_{t-1} \\odot r (1 - r)

and :math:`\\delta h_{t-1}` gathers the direct path :math:`\\delta h_t \\odot z`
and every path through ``W_h`` (and, for Cho, through ``r * h_prev``).

The column blocks are :data:`BLOCKS` ``= ("r", "z", "n")``, PyTorch's order.
Shapes: x (N, D), h (N, H), W_x (D, 3H), W_h (H, 3H), b (3H,), b_hn (H,).
"""

from __future__ import annotations

from functools import partial

from ..backend import get_xp
from ..checks import check_choice
from .base import Cell, sigmoid, step_backward_h, step_forward_h

#: The column blocks of every GRU parameter: reset gate, update gate, candidate (as in PyTorch).
BLOCKS = ("r", "z", "n")


def gru_core_forward(a_x, state_prev, params, cho: bool):
    """The GRU step after the input projection ``a_x = x W_x + b`` (N, 3H); ``cho`` picks Cho et al.'s form."""
    h_prev = state_prev[0]
    H = h_prev.shape[1]
    W_h = params["W_h"]
    xp = get_xp(a_x)
    # the recurrent products of the gates (and, in PyTorch's form, of the candidate too)
    a_h = h_prev @ (W_h[:, : 2 * H] if cho else W_h)
    r = sigmoid(a_x[:, :H] + a_h[:, :H])
    z = sigmoid(a_x[:, H : 2 * H] + a_h[:, H : 2 * H])
    cache = {"h_prev": h_prev, "r": r, "z": z, "params": params}
    if cho:
        rh_prev = r * h_prev  # the reset state, which the n block of W_h multiplies
        n = xp.tanh(a_x[:, 2 * H :] + rh_prev @ W_h[:, 2 * H :])
        cache["rh_prev"] = rh_prev
    else:
        m = a_h[:, 2 * H :] + params["b_hn"]  # h_prev W_hn + b_hn, which the reset gate scales
        n = xp.tanh(a_x[:, 2 * H :] + r * m)
        cache["m"] = m
    h = (1.0 - z) * n + z * h_prev
    cache["n"] = n
    return (h,), cache


def gru_core_backward(dstate, cache, cho: bool):
    """Backward of :func:`gru_core_forward`; see :mod:`lstmlab.cells.base` for the contract."""
    dh = dstate[0]
    h_prev, r, z, n = (cache[k] for k in ("h_prev", "r", "z", "n"))
    W_h = cache["params"]["W_h"]
    H = h_prev.shape[1]
    xp = get_xp(dh)
    # update: h = (1 - z) * n + z * h_prev
    da_z = dh * (h_prev - n) * z * (1.0 - z)
    da_n = dh * (1.0 - z) * (1.0 - n * n)
    dh_prev = dh * z
    dother = {}
    if cho:
        # n = tanh(a_n + (r * h_prev) W_hn)
        drh_prev = da_n @ W_h[:, 2 * H :].T
        da_r = drh_prev * h_prev * r * (1.0 - r)
        da_x = xp.concatenate([da_r, da_z, da_n], axis=1)
        dh_prev = dh_prev + drh_prev * r + da_x[:, : 2 * H] @ W_h[:, : 2 * H].T
        da_h = da_x
    else:
        # n = tanh(a_n + r * m), m = h_prev W_hn + b_hn
        dm = da_n * r
        da_r = da_n * cache["m"] * r * (1.0 - r)
        da_x = xp.concatenate([da_r, da_z, da_n], axis=1)
        da_h = xp.concatenate([da_r, da_z, dm], axis=1)
        dh_prev = dh_prev + da_h @ W_h.T
        dother["b_hn"] = dm.sum(axis=0)
    return da_x, (dh_prev,), {"W_h": da_h}, dother


def make_gru_cell(name: str, cho: bool, description: str) -> Cell:
    """Build the :class:`~lstmlab.cells.base.Cell` of the GRU in Cho et al.'s form (``cho``) or PyTorch's."""
    return Cell(
        name=name,
        blocks=BLOCKS,
        state_names=("h",),
        core_forward=partial(gru_core_forward, cho=cho),
        core_backward=partial(gru_core_backward, cho=cho),
        recurrent={"W_h": ("h_prev", "h_prev", "rh_prev")} if cho else {"W_h": "h_prev"},
        extra_shapes=(lambda D, H: {}) if cho else (lambda D, H: {"b_hn": (H,)}),
        description=description,
    )


GRU = make_gru_cell("gru", False, "GRU in PyTorch's (cuDNN's) form, r scaling h_prev W_hn + b_hn, as torch.nn.GRU")
GRU_CHO = make_gru_cell("gru_cho", True, "GRU in Cho et al. 2014's form, r scaling h_prev before W_hn")

#: convention name -> its registered cell
GRU_CELLS = {"torch": GRU, "cho": GRU_CHO}


def gru_step_forward(x, h_prev, params, convention: str = "torch"):
    """One GRU step.

    Parameters
    ----------
    x : array (N, D)
    h_prev : array (N, H)
    params : dict with ``W_x`` (D, 3H), ``W_h`` (H, 3H), ``b`` (3H,), and, for
        ``convention="torch"``, ``b_hn`` (H,)
    convention : ``"torch"`` (PyTorch/cuDNN, cell ``"gru"``) or ``"cho"`` (Cho et al. 2014, cell ``"gru_cho"``)

    Returns
    -------
    h : array (N, H)
    cache : what :func:`gru_step_backward` needs
    """
    return step_forward_h(GRU_CELLS[check_choice("convention", convention, GRU_CELLS)], x, h_prev, params)


def gru_step_backward(dh, cache):
    """Backward of :func:`gru_step_forward`.

    ``dh`` (N, H) is the gradient of the loss w.r.t. ``h``. Returns
    ``(dx, dh_prev, grads)``: dx (N, D), dh_prev (N, H), and ``grads`` with the
    keys of ``params``.
    """
    return step_backward_h(dh, cache, fn="gru_step_forward")
