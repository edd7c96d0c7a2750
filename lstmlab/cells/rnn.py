"""The vanilla (Elman) recurrent cell, with a tanh, ReLU or sigmoid nonlinearity.

Equations (row-vector convention, one row per sequence in the batch):

.. math::

    a    &= x W_x + b + h_{t-1} W_h  \\\\
    h_t  &= \\phi(a), \\qquad \\phi \\in \\{\\tanh, \\operatorname{relu}, \\sigma\\}

The backward pass needs :math:`\\phi'(a)`, which each nonlinearity gives in terms
of its own output :math:`h_t`, so the cache keeps :math:`h_t` (and :math:`h_{t-1}`) but not :math:`a`:

.. math::

    \\tanh' = 1 - h_t^2, \\qquad \\operatorname{relu}' = [h_t > 0], \\qquad \\sigma' = h_t (1 - h_t)

and then :math:`\\delta a = \\delta h_t \\odot \\phi'(a)`,
:math:`\\delta h_{t-1} = \\delta a\\, W_h^\\top`, :math:`\\delta W_h = h_{t-1}^\\top \\delta a`.

The cell has one column block, named ``"h"`` (:data:`BLOCKS`): the columns of
``W_x``, ``W_h`` and ``b`` are the pre-activation of ``h``. The ReLU cell is the
one of the IRNN (Le, Jaitly & Hinton 2015) when ``W_h`` starts at the identity
and ``b`` at zero. Shapes: x (N, D), h (N, H), W_x (D, H), W_h (H, H), b (H,).
"""

from __future__ import annotations

from functools import partial

from ..backend import get_xp
from ..checks import check_choice
from .base import Cell, sigmoid, step_backward_h, step_forward_h

#: The single column block of the RNN's parameters: the pre-activation of h.
BLOCKS = ("h",)


def _tanh(a):
    return get_xp(a).tanh(a)


def _relu(a):
    return get_xp(a).maximum(a, 0.0)


#: nonlinearity name -> (phi, phi' written in terms of h = phi(a))
NONLINEARITIES = {
    "tanh": (_tanh, lambda h: 1.0 - h * h),
    "relu": (_relu, lambda h: (h > 0).astype(h.dtype)),
    "sigmoid": (sigmoid, lambda h: h * (1.0 - h)),
}


def rnn_core_forward(a_x, state_prev, params, nonlinearity: str):
    """The RNN step after the input projection ``a_x = x W_x + b`` (N, H): ``h = phi(a_x + h_prev W_h)``."""
    h_prev = state_prev[0]
    phi, _ = NONLINEARITIES[nonlinearity]
    h = phi(a_x + h_prev @ params["W_h"])
    return (h,), {"h_prev": h_prev, "h": h, "params": params}


def rnn_core_backward(dstate, cache, nonlinearity: str):
    """Backward of :func:`rnn_core_forward`; see :mod:`lstmlab.cells.base` for the contract."""
    _, dphi = NONLINEARITIES[nonlinearity]
    da = dstate[0] * dphi(cache["h"])
    dh_prev = da @ cache["params"]["W_h"].T
    return da, (dh_prev,), {"W_h": da}, {}


def make_rnn_cell(name: str, nonlinearity: str, description: str) -> Cell:
    """Build the :class:`~lstmlab.cells.base.Cell` of the vanilla RNN with ``nonlinearity``."""
    check_choice("nonlinearity", nonlinearity, NONLINEARITIES)
    return Cell(
        name=name,
        blocks=BLOCKS,
        state_names=("h",),
        core_forward=partial(rnn_core_forward, nonlinearity=nonlinearity),
        core_backward=partial(rnn_core_backward, nonlinearity=nonlinearity),
        recurrent={"W_h": "h_prev"},
        description=description,
    )


RNN = make_rnn_cell("rnn", "tanh", "Vanilla (Elman) RNN, h = tanh(x W_x + h_prev W_h + b), as in torch.nn.RNN")
RNN_RELU = make_rnn_cell("rnn_relu", "relu", "Vanilla RNN with ReLU (the IRNN's cell)")
RNN_SIGMOID = make_rnn_cell("rnn_sigmoid", "sigmoid", "Vanilla RNN with the logistic sigmoid")

#: nonlinearity name -> its registered cell
RNN_CELLS = {"tanh": RNN, "relu": RNN_RELU, "sigmoid": RNN_SIGMOID}


def rnn_step_forward(x, h_prev, params, nonlinearity: str = "tanh"):
    """One vanilla RNN step: ``h = phi(x W_x + h_prev W_h + b)``.

    Parameters
    ----------
    x : array (N, D)
    h_prev : array (N, H)
    params : dict with ``W_x`` (D, H), ``W_h`` (H, H), ``b`` (H,)
    nonlinearity : ``"tanh"``, ``"relu"`` or ``"sigmoid"``

    Returns
    -------
    h : array (N, H)
    cache : what :func:`rnn_step_backward` needs
    """
    return step_forward_h(RNN_CELLS[check_choice("nonlinearity", nonlinearity, RNN_CELLS)], x, h_prev, params)


def rnn_step_backward(dh, cache):
    """Backward of :func:`rnn_step_forward`.

    ``dh`` (N, H) is the gradient of the loss w.r.t. ``h``. Returns
    ``(dx, dh_prev, grads)``: dx (N, D), dh_prev (N, H), and ``grads`` with the
    keys of ``params``.
    """
    return step_backward_h(dh, cache, fn="rnn_step_forward")
