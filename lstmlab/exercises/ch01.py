"""Checkers for the coding exercises of chapter 1, *Sequences and recurrent networks*.

* :func:`check_rnn_forward` -- a vanilla RNN forward pass over a whole sequence,
  ``rnn_forward(x, h0, params) -> hs`` with x (N, T, D), h0 (N, H) and hs (N, T, H);
* :func:`check_param_count` -- the number of parameters of a one-layer RNN with a
  linear readout, ``count(D, H, V) -> int``.

Each checker runs the learner's function on seeded inputs, compares it with
lstmlab's reference (:func:`lstmlab.sequence.forward`, :class:`lstmlab.model.Model`),
and when an answer is wrong it recognises the usual slips (a transposed ``W_h``,
a forgotten ``tanh``, bias or ``h0``, a state that is never carried forward, the
time axis first) and says so.
"""

from __future__ import annotations

import numpy as np

from ..cells import get_cell
from ..model import Model
from ..sequence import forward
from .feedback import Feedback, require_function, run_safely


def compare(fb: Feedback, name: str, got, want, hint: str = "") -> bool:
    """:meth:`Feedback.compare`, with the hint also given when the shape is wrong."""
    shape = getattr(got, "shape", None)
    if hint and shape is not None and tuple(shape) != tuple(np.shape(want)):
        return fb.expect(False, "", f"{name}: expected shape {tuple(np.shape(want))}, got {tuple(shape)}; {hint}")
    return fb.compare(name, got, want, hint=hint)


def returned(fb: Feedback, name: str, fn, *args):
    """Call the learner's ``fn``; None (a raise or a missing ``return``) is recorded as a failed check."""
    before = len(fb.lines)
    got = run_safely(fb, name, fn, *args)
    if got is None and len(fb.lines) == before:
        fb.expect(False, "", f"{name}: your function returned None (did you forget a `return`?)")
    return got


def _rnn_case(N=3, T=5, D=4, H=6, seed=0):
    """Seeded inputs with a non-zero h0 and a non-symmetric W_h (so a transpose shows)."""
    rng = np.random.default_rng(seed)
    params = get_cell("rnn").init_params(D, H, seed=rng)
    params["W_h"] *= 2.0  # large enough that tanh is visibly non-linear
    x = rng.normal(size=(N, T, D))
    h0 = rng.normal(scale=0.5, size=(N, H))
    return x, h0, params


def _loop(x, h0, W_x, W_h, b, phi=np.tanh, carry=True, store_prev=False):
    """The forward loop with the usual slips switched on (for the diagnosis only)."""
    N, T, _ = x.shape
    hs = np.empty((N, T, W_h.shape[1]))
    h = h0
    for t in range(T):
        h_new = phi(x[:, t] @ W_x + h @ W_h + b)
        hs[:, t] = h if store_prev else h_new
        if carry:
            h = h_new
    return hs


def _forward_slips(x, h0, params) -> dict:
    """What a forward pass returns after each typical mistake -> the hint that names it."""
    W_x, W_h, b = params["W_x"], params["W_h"], params["b"]
    zero_b = np.zeros_like(b)
    return {
        "you used W_h.T: with row vectors the recurrent product is h_prev @ W_h": _loop(x, h0, W_x, W_h.T, b),
        "the tanh is missing: h_t = tanh(x_t @ W_x + h_prev @ W_h + b)": _loop(x, h0, W_x, W_h, b, phi=lambda a: a),
        "the bias b is missing from the pre-activation": _loop(x, h0, W_x, W_h, zero_b),
        "h0 was ignored: the first step must start from the given h0, not from zeros": _loop(
            x, np.zeros_like(h0), W_x, W_h, b
        ),
        "the state is never carried forward: every step used h0 as h_prev instead of the previous h": _loop(
            x, h0, W_x, W_h, b, carry=False
        ),
        "you stored h_prev at each step: hs[:, t] must be the new state h_t, after the update": _loop(
            x, h0, W_x, W_h, b, store_prev=True
        ),
    }


def match_slip(got, slips: dict) -> str:
    """The hint of the first slip whose value reproduces ``got`` (same shape, same numbers), or ''."""
    if got is None:
        return ""
    got = np.asarray(got)
    for hint, value in slips.items():
        if value is not None and np.shape(value) == got.shape and np.allclose(got, value, rtol=1e-6, atol=1e-9):
            return hint
    return ""


def check_rnn_forward(rnn_forward) -> Feedback:
    """Check ``rnn_forward(x, h0, params) -> hs``, the tanh RNN over a whole sequence.

    ``x`` is (N, T, D), ``h0`` (N, H), ``params`` holds ``W_x`` (D, H), ``W_h`` (H, H) and
    ``b`` (H,); ``hs`` must be (N, T, H) with ``hs[:, t]`` the state after step t.
    """
    require_function("rnn_forward", rnn_forward)
    fb = Feedback("Exercise: rnn_forward")
    for case, (N, T, D, H, seed) in enumerate([(3, 5, 4, 6, 0), (2, 7, 1, 3, 1)]):
        x, h0, params = _rnn_case(N, T, D, H, seed)
        want = forward(x, params, "rnn", h0=h0)[0]
        x_in, h0_in, p_in = x.copy(), h0.copy(), {k: v.copy() for k, v in params.items()}
        got = returned(fb, "rnn_forward", rnn_forward, x_in, h0_in, p_in)
        if got is None:
            return fb
        got = np.asarray(got)
        name = f"hs (case {case + 1}: N={N}, T={T}, D={D}, H={H})"
        if got.shape == (N, H):
            fb.expect(
                False, "", f"{name}: got shape {got.shape}, the last state only; return every step's h, (N, T, H)"
            )
            return fb
        if got.shape == (T, N, H) and (T, N) != (N, T):
            fb.expect(False, "", f"{name}: got shape {got.shape}, time first; return (N, T, H), batch first")
            return fb
        hint = "" if got.shape != want.shape else match_slip(got, _forward_slips(x, h0, params))
        if not compare(fb, name, got, want, hint=hint):
            return fb
        changed = [k for k, a, b in (("x", x_in, x), ("h0", h0_in, h0)) if not np.array_equal(a, b)]
        changed += [f"params[{k!r}]" for k in params if not np.array_equal(p_in[k], params[k])]
        fb.expect(
            not changed,
            f"case {case + 1}: your inputs were left unchanged",
            f"case {case + 1}: your function modified its input {', '.join(changed)}; compute new arrays instead",
        )
    return fb


def _count_slips(D: int, H: int, V: int) -> dict:
    """Wrong parameter counts after each typical slip -> the hint that names it."""
    full = D * H + H * H + H + H * V + V
    return {
        "the readout's bias b_y (V numbers) is missing": full - V,
        "the recurrent layer's bias b (H numbers) is missing": full - H,
        "both biases are missing": full - H - V,
        "the readout W_y, b_y is missing: count the layer and the linear readout to V outputs": D * H + H * H + H,
        "the recurrent weights W_h (H x H) are missing": full - H * H,
        "W_h was counted as D x H: it maps h_prev (H) to H, so it is H x H": full - H * H + D * H,
    }


def check_param_count(count) -> Feedback:
    """Check ``count(D, H, V) -> int``: the parameters of one tanh RNN layer plus a linear readout.

    The model is ``h_t = tanh(x_t W_x + h_{t-1} W_h + b)`` and ``y_t = h_t W_y + b_y``
    (:class:`lstmlab.model.Model` with cell ``"rnn"``); the count does not depend on T.
    """
    require_function("count", count)
    fb = Feedback("Exercise: count the parameters of an RNN")
    for D, H, V in [(10, 32, 5), (65, 128, 65), (3, 7, 11), (1, 2, 1)]:
        want = Model("rnn", D, H, V).n_params
        got = returned(fb, "count", count, D, H, V)
        if got is None:
            return fb
        if isinstance(got, (bool, np.bool_)) or not isinstance(got, (int, np.integer, float, np.floating)):
            fb.expect(False, "", f"count(D={D}, H={H}, V={V}): expected a number, got {type(got).__name__}")
            return fb
        if got == want:
            fb.expect(True, f"count(D={D}, H={H}, V={V}) = {want}: correct", "")
            continue
        matches = [h for h, n in _count_slips(D, H, V).items() if n == got and n != want]
        hint = matches[0] if len(matches) == 1 else ""
        fb.expect(False, "", f"count(D={D}, H={H}, V={V}): got {got}, expected {want}" + (f"; {hint}" if hint else ""))
        return fb
    return fb


__all__ = ["check_param_count", "check_rnn_forward"]
