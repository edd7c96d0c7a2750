"""Checkers for the coding exercises of chapter 7, *Learning to forget*.

* :func:`check_forget_step` -- one LSTM step with a forget gate, written by adding
  ``f`` to the 1997 step: ``forget_step(x, h_prev, c_prev, params) -> (h, c)``, with
  ``params`` an ``"lstm"`` cell's dict (blocks in the order ``("i", "f", "g", "o")``);
* :func:`check_forget_bias` -- set the forget-gate bias of a params dict, given the
  cell's gate order: ``set_bias(params, gates, value) -> params``.

The references are :func:`lstmlab.cells.lstm_step_forward` (tested against finite
differences and PyTorch) and the block layout of :mod:`lstmlab.init`. A wrong answer is
compared with the usual slips (the forget gate missing or applied to the new input, a
tanh in place of the sigmoid, the gate blocks read in the wrong order, the output
without its tanh, a fixed block index, the whole bias overwritten) and the feedback
names the one it matches.
"""

from __future__ import annotations

import numpy as np

from ..cells import GATES, get_cell, lstm_step_forward, sigmoid
from .ch01 import compare, returned
from .ch02 import _match
from .feedback import Feedback, expect_tuple


def _step_case(N, D, H, seed):
    rng = np.random.default_rng(seed)
    params = get_cell("lstm").init_params(D, H, seed=rng)
    for k in ("W_x", "W_h", "b"):
        params[k] *= 3.0  # gates well away from 1/2, so a swapped gate shows
    x = rng.normal(size=(N, D))
    h_prev = rng.normal(scale=0.5, size=(N, H))
    c_prev = rng.normal(scale=1.5, size=(N, H))
    return x, h_prev, c_prev, params


def _step_slips(x, h_prev, c_prev, params) -> tuple:
    """(slips for h, slips for c): what each typical mistake returns -> the hint that names it."""
    H = h_prev.shape[1]
    a = x @ params["W_x"] + h_prev @ params["W_h"] + params["b"]
    blk = {k: a[:, n * H : (n + 1) * H] for n, k in enumerate(GATES)}
    i, f, g, o = sigmoid(blk["i"]), sigmoid(blk["f"]), np.tanh(blk["g"]), sigmoid(blk["o"])
    cases = {
        "the forget gate is missing: c = f * c_prev + i * g, not c_prev + i * g": (c_prev + i * g, o),
        "f multiplies the new input; it scales the old memory: c = f * c_prev + i * g": (c_prev + f * i * g, o),
        "the input gate is missing from the new input: c = f * c_prev + i * g": (f * c_prev + g, o),
        "the forget gate is a sigmoid, f = sigmoid(a_f), so that it lies in (0, 1)": (
            np.tanh(blk["f"]) * c_prev + i * g,
            o,
        ),
        "the blocks are in the order (i, f, g, o): you swapped i and f": (i * c_prev + f * g, o),
        "the blocks are in the order (i, f, g, o): block 1 is f, block 3 is o (you swapped f and o)": (
            o * c_prev + i * g,
            f,
        ),
    }
    slips_c = {hint: c for hint, (c, _) in cases.items()}
    slips_h = {hint: oo * np.tanh(c) for hint, (c, oo) in cases.items()}
    c = f * c_prev + i * g
    slips_h["the output needs the tanh of the cell: h = o * tanh(c)"] = o * c
    slips_h["h must use the new cell state c, not c_prev: h = o * tanh(c)"] = o * np.tanh(c_prev)
    return slips_h, slips_c


def check_forget_step(forget_step) -> Feedback:
    """Check ``forget_step(x, h_prev, c_prev, params) -> (h, c)``: an LSTM step with a forget gate.

    ``params`` has ``W_x`` (D, 4H), ``W_h`` (H, 4H) and ``b`` (4H,), blocks in the order
    ``("i", "f", "g", "o")``. Expected: ``h`` and ``c`` (N, H), as :func:`lstmlab.cells.lstm_step_forward`.
    """
    fb = Feedback("Exercise: forget_step")
    for case, (N, D, H, seed) in enumerate([(4, 3, 5, 0), (2, 6, 3, 1)]):
        x, h_prev, c_prev, params = _step_case(N, D, H, seed)
        h_want, c_want, _ = lstm_step_forward(x, h_prev, c_prev, params)
        args = (x.copy(), h_prev.copy(), c_prev.copy(), {k: v.copy() for k, v in params.items()})
        out = returned(fb, "forget_step", forget_step, *args)
        if out is None:
            return fb
        if not expect_tuple(fb, "forget_step", out, "h, c"):
            return fb
        h, c = out
        slips_h, slips_c = _step_slips(x, h_prev, c_prev, params)
        tag = f" (case {case + 1}: N={N}, D={D}, H={H})"
        ok = compare(fb, "c" + tag, c, c_want, hint=_match(c, slips_c))
        ok &= compare(fb, "h" + tag, h, h_want, hint=_match(h, slips_h))
        if not ok:
            return fb
    # with the forget gate held open (f = 1) the step must be the 1997 step
    x, h_prev, c_prev, params = _step_case(3, 4, 2, 2)
    H = 2
    open_f = {k: v.copy() for k, v in params.items()}
    open_f["W_x"][:, H : 2 * H] = 0.0
    open_f["W_h"][:, H : 2 * H] = 0.0
    open_f["b"][H : 2 * H] = 40.0  # sigmoid(40) is 1.0 in float64
    keep = np.r_[0:H, 2 * H : 4 * H]  # the i, g, o blocks
    p1997 = {"W_x": params["W_x"][:, keep], "W_h": params["W_h"][:, keep], "b": params["b"][keep]}
    h97, c97, _ = lstm_step_forward(x, h_prev, c_prev, p1997, cell=get_cell("lstm1997"))
    out = returned(fb, "forget_step", forget_step, x, h_prev, c_prev, open_f)
    if isinstance(out, tuple) and len(out) == 2:
        same = np.allclose(out[0], h97) and np.allclose(out[1], c97)
        fb.expect(
            same,
            "with the forget gate held open (f = 1) your step is the 1997 step: c = c_prev + i * g",
            "with the forget gate held open (f = 1) your step should be the 1997 step, c = c_prev + i * g",
        )
    return fb


def _bias_case(gates, H, seed):
    rng = np.random.default_rng(seed)
    G = len(gates)
    return {
        "W_x": rng.normal(size=(2, G * H)),
        "W_h": rng.normal(size=(H, G * H)),
        "b": rng.normal(size=(G * H,)),
    }


def check_forget_bias(set_bias) -> Feedback:
    """Check ``set_bias(params, gates, value) -> params``: set the forget gate's block of ``params["b"]``.

    ``gates`` is the cell's block order, e.g. ``("i", "f", "g", "o")`` (PyTorch's) or
    ``("f", "g", "o")`` (Greff et al.'s NIG variant). Only the H entries of the ``"f"`` block of
    ``b`` change, to ``value``; ``W_x``, ``W_h`` and the other blocks stay as they were. Changing
    ``params`` in place and returning it, or returning a new dict, are both accepted.
    """
    fb = Feedback("Exercise: set_forget_bias")
    cases = [(("i", "f", "g", "o"), 4, 1.0, 0), (("f", "g", "o"), 3, 2.0, 1), (("i", "g", "o", "f"), 2, -1.5, 2)]
    for gates, H, value, seed in cases:
        params = _bias_case(gates, H, seed)
        original = {k: v.copy() for k, v in params.items()}
        n = gates.index("f")
        want = original["b"].copy()
        want[n * H : (n + 1) * H] = value
        out = returned(fb, "set_bias", set_bias, params, gates, value)
        if out is None:
            return fb
        if not isinstance(out, dict) or "b" not in out:
            fb.expect(False, "", f"set_bias: expected to return the params dict, got {type(out).__name__}")
            return fb
        b = np.asarray(out["b"], dtype=float)
        fixed = original["b"].copy()
        fixed[H : 2 * H] = value
        whole = np.full_like(original["b"], value)
        first = original["b"].copy()
        first[n * H] = value
        next_block = original["b"].copy()
        if (n + 1) * H < want.size:
            next_block[(n + 1) * H : (n + 2) * H] = value
        slips = {
            "the forget block was found at a fixed position (1); find it by name: n = gates.index('f')": fixed,
            "only the forget block changes: b[n*H:(n+1)*H] = value, not the whole bias": whole,
            "the block is H entries wide: b[n*H:(n+1)*H], not the single entry b[n*H]": first,
            "off by one block: the forget block is b[n*H:(n+1)*H] with n = gates.index('f')": next_block,
        }
        tag = f" (gates {gates}, H={H})"
        if not compare(fb, "b" + tag, b, want, hint=_match(b, slips)):
            return fb
        for k in ("W_x", "W_h"):
            same = k in out and np.array_equal(np.asarray(out[k]), original[k])
            if not fb.expect(same, f"{k}{tag}: unchanged", f"{k}{tag}: changed; only the bias b should change"):
                return fb
    fb.expect(True, "the forget block is found by name, so the same code serves every gate order", "")
    return fb


__all__ = ["check_forget_bias", "check_forget_step"]
