"""Checkers for the coding exercises of chapter 6, *The LSTM cell, step by step*.

* :func:`check_lstm_step_forward` -- one step of the LSTM with a forget gate,
  ``lstm_step(x, h_prev, c_prev, params) -> (h, c)``, with the column blocks of ``W_x``,
  ``W_h`` and ``b`` in the order :data:`lstmlab.GATES` = ``("i", "f", "g", "o")`` (PyTorch's).

The reference is lstmlab's :func:`~lstmlab.cells.lstm_step_forward`, tested against
finite differences and ``torch.nn.LSTM`` in ``tests/``. A wrong answer is compared with
the usual slips (another gate order, such as Keras's ``i, f, c, o`` read as ``i, f, o, g``,
the input and forget gates swapped, a sigmoid on the candidate, the missing tanh on the
cell output, ``c_prev`` in place of ``c_t`` in the output, a forgotten forget gate) and
the feedback names the one it matches.
"""

from __future__ import annotations

from ..cells import GATES, get_cell
from .ch05 import check_step, variant_step
from .feedback import Feedback

LSTM = get_cell("lstm")


def _lstm_slips(x, h_prev, c_prev, params) -> dict:
    def v(**kw):
        return variant_step(x, h_prev, c_prev, params, GATES, **kw)

    order = "the gate order is GATES = ('i', 'f', 'g', 'o'), PyTorch's: "
    return {
        order + "you read the last two blocks as (o, g)": v(order=("i", "f", "o", "g")),
        order + "you read the input and forget gates swapped": v(order=("f", "i", "g", "o")),
        order + "you read the blocks as (i, g, f, o)": v(order=("i", "g", "f", "o")),
        order + "you read the blocks as (f, i, o, g)": v(order=("f", "i", "o", "g")),
        "the candidate g squashes with tanh (values in [-1, 1]), not a sigmoid: g = tanh(a_g)": v(g_act="sigmoid"),
        "the tanh on the cell output is missing: h = o * tanh(c)": v(out_act="linear"),
        "h must read the new cell state: h = o * tanh(c), with c after this step's update, not c_prev": v(
            h_from="c_prev"
        ),
        "the forget gate is missing from the cell update: c = f * c_prev + i * g": v(use_f=False),
    }


def check_lstm_step_forward(lstm_step) -> Feedback:
    """Check ``lstm_step(x, h_prev, c_prev, params) -> (h, c)``: one step of the LSTM with a forget gate.

    ``params`` holds ``W_x`` (D, 4H), ``W_h`` (H, 4H) and ``b`` (4H,), with column blocks in the
    order ``("i", "f", "g", "o")``. Expected: ``c = f * c_prev + i * g`` and ``h = o * tanh(c)``.
    """
    fb = Feedback("Exercise: lstm_step_forward")
    return check_step(fb, "lstm_step", lstm_step, LSTM, _lstm_slips, [(4, 3, 5, 0), (2, 1, 3, 1)])


__all__ = ["check_lstm_step_forward"]
