"""Checkers for the coding exercises of chapter 14, *Scaling up, and what came next*.

* :func:`check_lstm_flops`: ``lstm_flops(T, N, D, H) -> float``, the flops of the matrix
  products of one LSTM forward pass;
* :func:`check_attention_step_backward`: ``attention_step_backward(dctx, q, keys, params) ->
  (dq, dkeys, grads)``, the backward step of additive attention for one query;
* :func:`check_to_other_convention`: ``to_other(params) -> (kernel, bias)``, our LSTM's
  parameters in another library's convention (gate blocks ``i, g, f, o``, one kernel over the
  concatenation ``[x, h]``, and a constant forget bias of 1 added inside the cell).

The references are :func:`lstmlab.bench.forward_flops` and
:func:`lstmlab.attention.attention_step_backward` (tested against finite differences and torch in
``tests/``); the other convention's cell is written out in this file from its equations.
"""

from __future__ import annotations

import math

import numpy as np

from ..attention import attention_step_backward, attention_step_forward, init_params
from ..bench import forward_flops
from ..cells import get_cell, lstm_step_forward, sigmoid
from .feedback import Feedback, run_safely


def _done(fb: Feedback, _ok) -> Feedback:
    return fb


def check_lstm_flops(fn) -> Feedback:
    """``lstm_flops(T, N, D, H)`` = 2 T N 4H (D + H): a multiply and an add per weight, per row, per step."""
    fb = Feedback("Exercise: the flops of an LSTM forward pass")
    for T, N, D, H in ((100, 32, 64, 128), (7, 3, 1, 5)):
        want = forward_flops(T, N, D, H)
        got = run_safely(fb, "lstm_flops", fn, T, N, D, H)
        if got is None:
            return fb
        try:
            got = float(got)
        except (TypeError, ValueError):
            return _done(fb, fb.expect(False, "", f"lstm_flops: expected a number, got {type(got).__name__}"))
        slips = {
            want / 2: "count two flops (a multiply and an add) per multiply-accumulate",
            want / 4: "there are four gate blocks: the weights are (D + H) x 4H",
            2.0 * T * N * 4 * H * D: "the recurrent product h W_h (H x 4H) costs flops too",
            3 * want: "that is forward and backward; the exercise asks for the forward pass",
        }
        msg = next((why for v, why in slips.items() if math.isclose(got, v)), "")
        fb.expect(
            math.isclose(got, want),
            f"(T, N, D, H) = {(T, N, D, H)}: correct",
            f"(T, N, D, H) = {(T, N, D, H)}: got {got:.6g}, expected {want:.6g}" + (f": {msg}" if msg else ""),
        )
    return fb


def check_attention_step_backward(fn) -> Feedback:
    """``attention_step_backward(dctx (N, Hk), q (N, Hq), keys (N, Tk, Hk), params) -> (dq, dkeys, grads)``."""
    fb = Feedback("Exercise: the backward step of additive attention")
    rng = np.random.default_rng(0)
    N, Tk, Hq, Hk, A = 3, 5, 4, 2, 6
    params = {k: 2.0 * v for k, v in init_params(Hq, Hk, A, seed=1).items()}
    q, keys, dctx = rng.standard_normal((N, Hq)), rng.standard_normal((N, Tk, Hk)), rng.standard_normal((N, Hk))
    _, _, cache = attention_step_forward(q, keys, params)
    want_dq, want_dk, want_g = attention_step_backward(dctx, cache)
    got = run_safely(
        fb, "attention_step_backward", fn, dctx.copy(), q.copy(), keys.copy(), {k: v.copy() for k, v in params.items()}
    )
    if got is None:
        return fb
    if not (isinstance(got, tuple) and len(got) == 3 and isinstance(got[2], dict)):
        return _done(fb, fb.expect(False, "", "expected a tuple (dq, dkeys, grads) with grads a dict W_q, W_k, v"))
    dq, dk, g = got
    alpha = cache["alpha"][:, 0]
    fb.compare("dq", dq, want_dq, hint="dq = (sum_j du_j) W_q^T, with du_j = de_j v * (1 - u_j^2)")
    only_direct = alpha[..., None] * dctx[:, None, :]
    if np.allclose(np.asarray(dk), only_direct):
        fb.expect(
            False,
            "",
            "dkeys: you have the path through ctx = sum_j alpha_j k_j only; the keys also "
            "change the scores: add du_j W_k^T",
        )
    else:
        fb.compare("dkeys", dk, want_dk, hint="dk_j = alpha_j dctx + du_j W_k^T")
    for key in ("W_q", "W_k", "v"):
        fb.compare(
            f"grads[{key!r}]",
            g.get(key),
            want_g[key],
            hint="de_j = alpha_j (dalpha_j - sum_l alpha_l dalpha_l): the softmax's backward",
        )
    return fb


def _other_step(x, h, c, kernel, bias):
    """The other library's cell: [i, g, f, o] = [x, h] @ kernel + bias; f gets a constant +1 inside."""
    H = h.shape[1]
    a = np.concatenate([x, h], axis=1) @ kernel + bias
    i, g, f, o = (a[:, k * H : (k + 1) * H] for k in range(4))
    c = sigmoid(f + 1.0) * c + sigmoid(i) * np.tanh(g)
    return sigmoid(o) * np.tanh(c), c


def check_to_other_convention(fn) -> Feedback:
    """``to_other(params) -> (kernel (D+H, 4H), bias (4H,))`` so that the other cell computes what ours does."""
    fb = Feedback("Exercise: the bridge's mapping for another convention")
    rng = np.random.default_rng(2)
    D, H, N = 3, 4, 5
    lstm = get_cell("lstm")
    params = lstm.init_params(D, H, seed=3)
    x, h, c = rng.standard_normal((N, D)), rng.standard_normal((N, H)), rng.standard_normal((N, H))

    want_h, want_c, _ = lstm_step_forward(x, h, c, params)
    got = run_safely(fb, "to_other", fn, {k: v.copy() for k, v in params.items()})
    if got is None:
        return fb
    if not (isinstance(got, tuple) and len(got) == 2):
        return _done(fb, fb.expect(False, "", "expected a tuple (kernel, bias)"))
    kernel, bias = (np.asarray(a, dtype=float) for a in got)
    if kernel.shape != (D + H, 4 * H) or bias.shape != (4 * H,):
        return _done(
            fb,
            fb.expect(
                False, "", f"expected kernel {(D + H, 4 * H)} and bias {(4 * H,)}, got {kernel.shape} and {bias.shape}"
            ),
        )
    gh, gc = _other_step(x, h, c, kernel, bias)
    if np.allclose(gh, want_h) and np.allclose(gc, want_c):
        return _done(fb, fb.expect(True, "the other cell computes exactly our h and c", ""))
    blocks = lambda a: [a[..., k * H : (k + 1) * H] for k in range(4)]  # noqa: E731
    kb = np.concatenate([params["W_x"], params["W_h"]], axis=0)
    i, f, g, o = blocks(kb)
    bi, bf, bg, bo = blocks(params["b"])
    if np.allclose(kernel, np.concatenate([i, g, f, o], axis=1)):
        if np.allclose(bias, np.concatenate([bi, bg, bf, bo])):
            return _done(
                fb,
                fb.expect(
                    False,
                    "",
                    "the blocks are right, but the other cell adds 1 to the forget gate's "
                    "pre-activation: store b_f - 1",
                ),
            )
    if np.allclose(kernel, kb):
        return _done(
            fb,
            fb.expect(False, "", "the kernel keeps our gate order (i, f, g, o); the other library's is (i, g, f, o)"),
        )
    return _done(
        fb,
        fb.expect(
            False,
            "",
            "h and c differ from ours: stack W_x over W_h (the kernel multiplies [x, h]) and reorder the column blocks",
        ),
    )


__all__ = ["check_attention_step_backward", "check_lstm_flops", "check_to_other_convention"]
