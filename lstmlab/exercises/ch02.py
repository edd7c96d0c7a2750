"""Checkers for the coding exercises of chapter 2, *Backpropagation through time for the vanilla RNN*.

* :func:`check_rnn_step_backward` -- the backward pass of one tanh RNN step,
  ``step_backward(dh, x, h_prev, h, params) -> (dx, dh_prev, grads)``;
* :func:`check_rnn_bptt` -- backpropagation through a whole sequence, given the
  per-step caches of :func:`lstmlab.cells.rnn_step_forward`,
  ``bptt(dhs, caches) -> grads`` with the keys ``W_x``, ``W_h``, ``b``, ``x`` and ``h0``.

The references are lstmlab's :func:`~lstmlab.cells.rnn_step_backward` and
:func:`lstmlab.sequence.backward`, both tested against finite differences and
PyTorch. A wrong answer is compared with the usual slips (the missing tanh
derivative, a transposed ``W_h``, a missing ``dh_prev``, ``h`` in place of
``h_prev``, a bias gradient not summed over the batch; in BPTT, the gradient
from step t+1 forgotten, weight gradients overwritten instead of summed, time
run forwards) and the feedback names the one it matches.
"""

from __future__ import annotations

import numpy as np

from ..cells import get_cell, rnn_step_backward, rnn_step_forward
from ..sequence import backward, forward
from .ch01 import compare, match_slip, returned
from .feedback import Feedback, expect_tuple, require_function

PARAM_KEYS = ("W_x", "W_h", "b")

_match = match_slip  # the name other chapters' checkers import


def _params(D, H, rng):
    params = get_cell("rnn").init_params(D, H, seed=rng)
    params["W_h"] *= 2.0  # non-symmetric and large enough that tanh' is far from 1
    return params


def _grads_dict(fb: Feedback, name: str, grads, keys) -> bool:
    if not isinstance(grads, dict):
        return fb.expect(False, "", f"{name}: expected a dict with keys {list(keys)}, got {type(grads).__name__}")
    missing = [k for k in keys if k not in grads]
    return fb.expect(not missing, f"{name}: has the keys {list(keys)}", f"{name}: missing keys {missing}")


# ------------------------------------------------------------------------------------------ one step


def _step_slips(dh, x, h_prev, h, params) -> dict:
    """Per output name, what each typical slip gives -> its hint."""
    W_x, W_h = params["W_x"], params["W_h"]
    da = dh * (1.0 - h * h)
    no_deriv = "the tanh derivative is missing: da = dh * (1 - h**2), then use da (not dh) everywhere"
    wrong_deriv = "tanh'(a) is 1 - tanh(a)**2 = 1 - h**2 (h squared), with h the step's output"
    deriv_of_h = "the derivative must use h = tanh(a), the output: 1 - h**2, not 1 - tanh(h)**2"
    slips = {name: {} for name in ("dx", "dh_prev", "W_x", "W_h", "b")}
    for hint, d in ((no_deriv, dh), (wrong_deriv, dh * (1.0 - h)), (deriv_of_h, dh * (1.0 - np.tanh(h) ** 2))):
        slips["dx"][hint] = d @ W_x.T
        slips["dh_prev"][hint] = d @ W_h.T
        slips["W_x"][hint] = x.T @ d
        slips["W_h"][hint] = h_prev.T @ d
        slips["b"][hint] = d.sum(axis=0)
    slips["dh_prev"]["W_h is transposed: with row vectors dh_prev = da @ W_h.T"] = da @ W_h
    slips["dh_prev"]["dh_prev is zero: the error must flow on to h_prev, dh_prev = da @ W_h.T"] = np.zeros_like(h_prev)
    slips["dx"]["dx is zero: the error flows to the input too, dx = da @ W_x.T"] = np.zeros_like(x)
    slips["W_h"]["dW_h uses h; it multiplies h_prev in the forward pass, so dW_h = h_prev.T @ da"] = h.T @ da
    slips["W_h"]["dW_h is transposed: dW_h = h_prev.T @ da, shape (H, H) like W_h"] = da.T @ h_prev
    slips["b"]["db must be summed over the batch: db = da.sum(axis=0), shape (H,)"] = da
    return slips


def check_rnn_step_backward(step_backward) -> Feedback:
    """Check ``step_backward(dh, x, h_prev, h, params) -> (dx, dh_prev, grads)`` for one tanh RNN step.

    The forward step is ``h = tanh(x @ W_x + h_prev @ W_h + b)``; ``dh`` (N, H) is the
    gradient of the loss w.r.t. ``h``. Expected: ``dx`` (N, D), ``dh_prev`` (N, H) and
    ``grads`` with ``W_x`` (D, H), ``W_h`` (H, H), ``b`` (H,).
    """
    require_function("step_backward", step_backward)
    fb = Feedback("Exercise: rnn_step_backward")
    for case, (N, D, H, seed) in enumerate([(4, 3, 5, 0), (2, 6, 4, 1)]):
        rng = np.random.default_rng(seed)
        params = _params(D, H, rng)
        x, h_prev, dh = rng.normal(size=(N, D)), rng.normal(scale=0.5, size=(N, H)), rng.normal(size=(N, H))
        h, cache = rnn_step_forward(x, h_prev, params)
        dx_want, dh_prev_want, grads_want = rnn_step_backward(dh, cache)
        out = returned(fb, "step_backward", step_backward, dh.copy(), x.copy(), h_prev.copy(), h.copy(), params)
        if out is None:
            return fb
        if not expect_tuple(fb, "step_backward", out, "dx, dh_prev, grads"):
            return fb
        dx, dh_prev, grads = out
        if not _grads_dict(fb, "grads", grads, PARAM_KEYS):
            return fb
        slips = _step_slips(dh, x, h_prev, h, params)
        tag = f" (case {case + 1}: N={N}, D={D}, H={H})"
        if dh_prev is None:
            fb.expect(False, "", "dh_prev: you returned None; the error must flow on to h_prev, dh_prev = da @ W_h.T")
            return fb
        ok = compare(fb, "dh_prev" + tag, dh_prev, dh_prev_want, hint=match_slip(dh_prev, slips["dh_prev"]))
        ok &= compare(fb, "dx" + tag, dx, dx_want, hint=match_slip(dx, slips["dx"]))
        for key in PARAM_KEYS:
            ok &= compare(
                fb, f"grads[{key!r}]" + tag, grads[key], grads_want[key], hint=match_slip(grads[key], slips[key])
            )
        if not ok:
            return fb
    return fb


# ------------------------------------------------------------------------------------------ a sequence


def _bptt_case(N=3, T=6, D=2, H=4, seed=0):
    rng = np.random.default_rng(seed)
    params = _params(D, H, rng)
    x, h0 = rng.normal(size=(N, T, D)), rng.normal(scale=0.5, size=(N, H))
    dhs = rng.normal(size=(N, T, H))
    return x, h0, dhs, params


def _caches(x, h0, params) -> list:
    h, caches = h0, []
    for t in range(x.shape[1]):
        h, cache = rnn_step_forward(x[:, t], h, params)
        caches.append(cache)
    return caches


def _slip_bptt(dhs, caches, carry=True, accumulate=True, reverse=True, direct=True) -> dict:
    """BPTT with a slip switched on: no flow from t+1, overwritten grads, time run forwards,
    or (``direct=False``) the direct error ``dhs[:, t]`` used at the last step only."""
    N, T, H = dhs.shape
    grads = {k: 0.0 for k in PARAM_KEYS}
    dxs = [None] * T
    dh_next = np.zeros((N, H))
    for t in reversed(range(T)) if reverse else range(T):
        own = dhs[:, t] if (direct or t == T - 1) else 0.0
        dx, dh_prev, g = rnn_step_backward(own + (dh_next if carry else 0.0), caches[t])
        dxs[t], dh_next = dx, dh_prev
        grads = {k: (grads[k] + g[k]) if accumulate else g[k] for k in PARAM_KEYS}
    grads["x"] = np.stack(dxs, axis=1)
    grads["h0"] = dh_next
    return grads


def check_rnn_bptt(bptt) -> Feedback:
    """Check ``bptt(dhs, caches) -> grads``: backpropagation through time for the tanh RNN.

    ``caches[t]`` is the cache of step t from :func:`lstmlab.cells.rnn_step_forward` (so
    :func:`lstmlab.cells.rnn_step_backward` can be called on it), ``dhs`` (N, T, H) holds the
    gradient of the loss w.r.t. every ``h_t`` *directly* (through that step's output only).
    Expected: ``grads`` with ``W_x``, ``W_h``, ``b`` (shapes of the params), ``x`` (N, T, D)
    and ``h0`` (N, H).
    """
    require_function("bptt", bptt)
    fb = Feedback("Exercise: rnn_bptt")
    keys = (*PARAM_KEYS, "x", "h0")
    for case, (N, T, D, H, seed) in enumerate([(3, 6, 2, 4, 0), (2, 9, 3, 5, 1)]):
        x, h0, dhs, params = _bptt_case(N, T, D, H, seed)
        caches = _caches(x, h0, params)
        want = backward(dhs, forward(x, params, "rnn", h0=h0)[2])
        grads = returned(fb, "bptt", bptt, dhs.copy(), caches)
        if grads is None or not _grads_dict(fb, "grads", grads, keys):
            return fb
        tag = f" (case {case + 1}: N={N}, T={T}, D={D}, H={H})"
        got_x = np.asarray(grads["x"]) if grads["x"] is not None else None
        if got_x is not None and got_x.shape == (T, N, D) and T != N:
            fb.expect(False, "", f"grads['x']{tag}: got shape {got_x.shape}, time first; return (N, T, D)")
            return fb
        slips = {
            "the gradient from step t+1 is missing: the error at h_t is dhs[:, t] plus the dh_prev "
            "returned by step t+1": _slip_bptt(dhs, caches, carry=False),
            "the weight gradients were overwritten at each step: sum them over all steps": _slip_bptt(
                dhs, caches, accumulate=False
            ),
            "time must run backwards, from t = T-1 down to 0, carrying dh_prev to the step before": _slip_bptt(
                dhs, caches, reverse=False
            ),
            "the direct error dhs[:, t] was used at the last step only: every step t has its own, so the "
            "error at h_t is dhs[:, t] + the dh_prev returned by step t+1, for every t": _slip_bptt(
                dhs, caches, direct=False
            ),
        }
        ok = True
        for key in keys:
            hint = match_slip(grads[key], {h: g[key] for h, g in slips.items()})
            if key == "h0" and not hint and ok:
                # every other gradient is right, so only the value handed back at the end is off
                hint = "grads['h0'] is the dh_prev returned by the backward of step 0"
            ok &= compare(fb, f"grads[{key!r}]" + tag, grads[key], want[key], hint=hint)
        if not ok:
            return fb
    return fb


__all__ = ["check_rnn_bptt", "check_rnn_step_backward"]
