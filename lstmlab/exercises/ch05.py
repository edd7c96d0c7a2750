"""Checkers for the coding exercises of chapter 5, *The constant error carousel*.

* :func:`check_lstm1997_step` -- one step of the 1997 LSTM (input and output gates, no
  forget gate), ``step(x, h_prev, c_prev, params) -> (h, c)``, with the column blocks of
  ``W_x``, ``W_h`` and ``b`` in the order ``("i", "g", "o")``;
* :func:`check_carousel_backward` -- the error at every cell state, the total derivative
  ``dL/dc_k`` for ``k = 0 .. T`` (chapter 9's epsilon_s), when the loss is ``L = sum(dc_T * c_T)``:
  ``carousel_backward(dc_T, caches) -> dcs`` with ``dcs`` (N, T+1, H).

The references are lstmlab's :func:`~lstmlab.cells.lstm_step_forward` and
:func:`~lstmlab.cells.lstm_step_backward` with the cell ``"lstm1997"``, both tested
against finite differences and the paper's equations in ``tests/``. A wrong answer is
compared with the usual slips (the blocks read in another order, a sigmoid on the
candidate, the missing tanh on the cell output, ``c_prev`` in place of ``c_t``, a decay
on the carousel; in the backward pass, the partial with h_k held fixed, the carousel followed alone, the path
through h counted twice, the error scaled by the gates, time run forwards) and the feedback names the one it matches.
"""

from __future__ import annotations

import numpy as np

from ..cells import get_cell, lstm_step_backward, lstm_step_forward, sigmoid
from .ch01 import compare, returned
from .ch02 import _match
from .feedback import Feedback, expect_tuple, require_function

LSTM1997 = get_cell("lstm1997")


def variant_step(
    x, h_prev, c_prev, params, blocks, order=None, g_act="tanh", out_act="tanh", h_from="c", decay=1.0, use_f=True
):
    """An LSTM step written out, with switches that reproduce the usual slips (for the diagnosis only).

    ``blocks`` is the true block order of the params; ``order`` the order the learner assumed
    (default: the true one). ``g_act`` is ``"tanh"`` or ``"sigmoid"``; ``out_act`` is ``"tanh"``
    or ``"linear"`` (the missing tanh on the cell output); ``h_from`` is ``"c"`` or ``"c_prev"``;
    ``decay`` multiplies ``c_prev`` when there is no forget gate (or ``use_f`` is False). Returns ``(h, c)``.
    """
    order = blocks if order is None else order
    H = h_prev.shape[1]
    a = x @ params["W_x"] + h_prev @ params["W_h"] + params["b"]
    z = {k: a[:, n * H : (n + 1) * H] for n, k in enumerate(order)}
    i, o = sigmoid(z["i"]), sigmoid(z["o"])
    g = np.tanh(z["g"]) if g_act == "tanh" else sigmoid(z["g"])
    keep = sigmoid(z["f"]) if "f" in blocks and use_f else decay
    c = keep * c_prev + i * g
    s = c if h_from == "c" else c_prev
    h = o * (np.tanh(s) if out_act == "tanh" else s)
    return h, c


def step_case(cell, N, D, H, seed):
    """Seeded inputs for one step: a non-zero state and weights large enough that every nonlinearity shows."""
    rng = np.random.default_rng(seed)
    params = get_cell(cell).init_params(D, H, seed=rng)
    for key in ("W_x", "W_h", "b"):
        params[key] *= 3.0
    x = rng.normal(size=(N, D))
    h_prev, c_prev = rng.normal(scale=0.5, size=(N, H)), rng.normal(size=(N, H))
    return x, h_prev, c_prev, params


def check_step(fb: Feedback, name: str, step, cell, slips, cases) -> Feedback:
    """Run the learner's ``step(x, h_prev, c_prev, params) -> (h, c)`` against ``lstm_step_forward``.

    ``slips(x, h_prev, c_prev, params)`` returns ``{hint: (h, c)}``: what each typical slip gives.
    """
    cell = get_cell(cell)
    for case, (N, D, H, seed) in enumerate(cases):
        x, h_prev, c_prev, params = step_case(cell, N, D, H, seed)
        h_want, c_want, _ = lstm_step_forward(x, h_prev, c_prev, params, cell=cell)
        args = (x.copy(), h_prev.copy(), c_prev.copy(), {k: v.copy() for k, v in params.items()})
        out = returned(fb, name, step, *args)
        if out is None:
            return fb
        if not expect_tuple(fb, name, out, "h, c"):
            return fb
        h, c = out
        tag = f" (case {case + 1}: N={N}, D={D}, H={H})"
        table = slips(x, h_prev, c_prev, params)
        hint_c = _match(c, {hint: hc[1] for hint, hc in table.items()})
        ok = compare(fb, "c" + tag, c, c_want, hint=hint_c)
        hint_h = _match(h, {hint: hc[0] for hint, hc in table.items()})
        if not hint_h and ok and h is not None and np.shape(h) == h_want.shape:
            if np.allclose(h, c_want, rtol=1e-6, atol=1e-9):
                hint_h = "h is the cell output, o * tanh(c), not the cell state c itself"
        ok &= compare(fb, "h" + tag, h, h_want, hint=hint_h)
        if not ok:
            return fb
        changed = [
            k for k, a, b in zip(("x", "h_prev", "c_prev"), args[:3], (x, h_prev, c_prev)) if not np.array_equal(a, b)
        ]
        changed += [f"params[{k!r}]" for k in params if not np.array_equal(args[3][k], params[k])]
        if changed:
            fb.expect(False, "", f"{name}: your function modified its input {', '.join(changed)}; compute new arrays")
            return fb
    return fb


def _lstm1997_slips(x, h_prev, c_prev, params) -> dict:
    blocks = LSTM1997.blocks

    def v(**kw):
        return variant_step(x, h_prev, c_prev, params, blocks, **kw)

    return {
        "the blocks are in the order (i, g, o): input gate, candidate, output gate; you read g and o swapped": v(
            order=("i", "o", "g")
        ),
        "the blocks are in the order (i, g, o); you read the input gate and the candidate swapped": v(
            order=("g", "i", "o")
        ),
        "the candidate g squashes with tanh (values in [-1, 1], so the cell can go up and down), not a sigmoid": v(
            g_act="sigmoid"
        ),
        "the tanh on the cell output is missing: h = o * tanh(c)": v(out_act="linear"),
        "h must read the new cell state: h = o * tanh(c), with c after this step's update, not c_prev": v(
            h_from="c_prev"
        ),
        "the carousel keeps c_prev with weight 1.0 (no forget gate in 1997): c = c_prev + i * g": v(decay=0.0),
    }


def check_lstm1997_step(step) -> Feedback:
    """Check ``step(x, h_prev, c_prev, params) -> (h, c)``: one step of the 1997 LSTM.

    ``params`` holds ``W_x`` (D, 3H), ``W_h`` (H, 3H) and ``b`` (3H,), with column blocks in
    the order ``("i", "g", "o")``. Expected: ``c = c_prev + i * g`` and ``h = o * tanh(c)``, with
    ``i, o`` sigmoids and ``g`` a tanh of their blocks of ``x @ W_x + h_prev @ W_h + b``.
    """
    require_function("step", step, "step(x, h_prev, c_prev, params) -> (h, c)")
    fb = Feedback("Exercise: the 1997 LSTM step")
    return check_step(fb, "step", step, LSTM1997, _lstm1997_slips, [(4, 3, 5, 0), (2, 1, 3, 1)])


# ------------------------------------------------------------------------------------------ the carousel


def carousel_case(N, T, D, H, seed, closed: bool):
    """Per-step caches of the 1997 LSTM and ``dc_T``. ``closed``: W_h = 0, so only the carousel connects the steps."""
    rng = np.random.default_rng(seed)
    params = LSTM1997.init_params(D, H, seed=rng)
    params["W_h"] *= 0.0 if closed else 3.0
    x = rng.normal(size=(N, T, D))
    h, c = np.zeros((N, H)), rng.normal(size=(N, H))
    caches = []
    for t in range(T):
        h, c, cache = lstm_step_forward(x[:, t], h, c, params, cell=LSTM1997)
        caches.append(cache)
    return caches, rng.normal(size=(N, H))


def _carousel(dc_T, caches, carry_h=True, scale=None, reverse=True, total=True, feed_total=False):
    """The backward loop, with the slips switched on (for the diagnosis only).

    ``dcs[:, k]`` is the *total* derivative dL/dc_k, chapter 9's epsilon_s: the error that step
    k+1 hands back to c_k (``dc_prev``, computed with h_k held fixed) plus the error that reaches
    c_k through h_k = o_k * tanh(c_k). Slips: ``total=False`` stores the partial (h_k held fixed);
    ``carry_h=False`` follows the carousel alone; ``scale`` multiplies the error by a gate;
    ``reverse=False`` runs time forwards; ``feed_total=True`` hands the total back to the step
    backward, which adds the path through h a second time.
    """
    N, H = dc_T.shape
    T = len(caches)
    dcs = np.empty((N, T + 1, H))
    dcs[:, T] = dc_T
    dh, dc = np.zeros((N, H)), dc_T
    for t in reversed(range(T)) if reverse else range(T):
        _, dh_prev, dc_prev, _ = lstm_step_backward(dh, dc, caches[t], cell=LSTM1997)
        if scale is not None:
            dc_prev = dc_prev * caches[t][0][scale]
        dh = dh_prev if carry_h else np.zeros_like(dh_prev)
        dc_total = dc_prev
        if t > 0 and total:  # c_t (made by step t, caches[t-1]) also reaches the loss through h_t
            o, s = caches[t - 1][0]["o"], caches[t - 1][0]["s"]
            dc_total = dc_prev + dh * o * (1.0 - s * s)
        dcs[:, t] = dc_total
        dc = dc_total if feed_total else dc_prev
    return dcs


def check_carousel_backward(carousel_backward) -> Feedback:
    """Check ``carousel_backward(dc_T, caches) -> dcs``, the error at every cell state of the 1997 LSTM.

    ``caches[t]`` is the cache of step ``t + 1`` (``t = 0 .. T-1``) from
    ``lstm_step_forward(..., cell=get_cell("lstm1997"))``; the loss is ``L = sum(dc_T * c_T)``, so the
    error arrives at the last cell state only. Expected: ``dcs`` (N, T+1, H) with ``dcs[:, k]`` the
    total derivative ``dL/dc_k`` (chapter 9's epsilon_s), ``dcs[:, T] = dc_T``: for ``0 < k < T`` the
    ``dc_prev`` that step k+1 hands back (with h_k held fixed) plus the path through
    ``h_k = o_k * tanh(c_k)``, ``dh_k * o_k * (1 - tanh(c_k)**2)``; for ``k = 0``, ``dc_prev`` alone
    (the initial states h_0 and c_0 are given separately, so h_0 does not depend on c_0).
    """
    require_function("carousel_backward", carousel_backward, "carousel_backward(dc_T, caches) -> dcs")
    fb = Feedback("Exercise: the error on the carousel")
    for case, (N, T, D, H, seed, closed) in enumerate([(2, 6, 2, 3, 0, True), (3, 7, 2, 4, 1, False)]):
        caches, dc_T = carousel_case(N, T, D, H, seed, closed)
        want = _carousel(dc_T, caches)
        got = returned(fb, "carousel_backward", carousel_backward, dc_T.copy(), caches)
        if got is None:
            return fb
        got = np.asarray(got)
        what = "W_h = 0: the carousel is the only path" if closed else "W_h != 0: the error also flows through h"
        tag = f" (case {case + 1}, {what})"
        if got.shape == (N, T, H):
            fb.expect(False, "", f"dcs{tag}: got shape {got.shape}; include k = T too: (N, T+1, H), dcs[:, T] = dc_T")
            return fb
        if got.shape == (T + 1, N, H) and T + 1 != N:
            fb.expect(False, "", f"dcs{tag}: got shape {got.shape}, time first; return (N, T+1, H), batch first")
            return fb
        slips = {
            "you stored dc_prev, the error that step k+1 hands back to c_k with h_k held fixed; c_k also "
            "reaches the loss through h_k = o_k * tanh(c_k), so add dh_k * o_k * (1 - tanh(c_k)**2), with "
            "dh_k the dh_prev of step k+1 and o_k, tanh(c_k) from the cache of step k": _carousel(
                dc_T, caches, total=False
            ),
            "you followed the carousel alone: the gates and the candidate of step k+1 read h_k, so the error "
            "also comes back through h_k; carry dh_prev back to the step before, and add its path into c_k, "
            "dh_k * o_k * (1 - tanh(c_k)**2)": _carousel(dc_T, caches, carry_h=False),
            "the path through h_k is counted twice: store the total at c_k, but hand the step backward the "
            "partial dc_prev, since lstm_step_backward adds the path through h itself": _carousel(
                dc_T, caches, feed_total=True
            ),
            "the carousel's weight is 1.0: the input gate scales what enters the cell, not the error that "
            "flows back along it": _carousel(dc_T, caches, scale="i"),
            "the output gate scales what leaves the cell, not the error on the carousel": _carousel(
                dc_T, caches, scale="o"
            ),
            "time must run backwards, from the last step to the first": _carousel(dc_T, caches, reverse=False),
        }
        if not compare(fb, "dcs" + tag, got, want, hint=_match(got, slips)):
            return fb
    return fb


__all__ = ["check_carousel_backward", "check_lstm1997_step"]
