"""Checkers for the coding exercises of chapter 8, *Peephole connections*.

* :func:`check_peephole_grads` -- the gradient terms that the peepholes add to one
  LSTM step's backward pass,
  ``peephole_grads(da_i, da_f, da_o, c_prev, c, params) -> (dc_extra, dc_prev_extra, grads)``:

  - ``dc_extra`` (N, H): the extra error at ``c_t``, through the output gate's peephole,
    ``da_o * p_o``;
  - ``dc_prev_extra`` (N, H): the extra error at ``c_{t-1}``, through the input and forget
    gates' peepholes, ``da_i * p_i + da_f * p_f``;
  - ``grads``: ``p_i``, ``p_f``, ``p_o`` (H,), each summed over the batch.

  ``da_i``, ``da_f``, ``da_o`` (N, H) are the gradients of the loss w.r.t. the gates'
  pre-activations (after the sigmoid's derivative).

The reference is lstmlab's ``"peephole"`` cell: its core backward (tested against finite
differences and PyTorch-free equations in ``tests/``) gives the pre-activation gradients,
the peephole gradients and ``dc_prev``, and the learner's two extra terms must complete
``dc_prev = f * (dc_from_h + dc_next + dc_extra) + dc_prev_extra`` exactly. Typical slips
are recognised: ``c_t`` and ``c_{t-1}`` swapped, a gradient not summed over the batch, the
output gate's term forgotten or sent to ``c_{t-1}``, and the wrong peephole on a gate.
"""

from __future__ import annotations

import numpy as np

from ..cells import get_cell
from .ch01 import compare, returned
from .ch02 import _match
from .feedback import Feedback

PEEPHOLES = ("p_i", "p_f", "p_o")


def _case(N, D, H, seed):
    """One peephole step forward and backward: the pieces the learner gets, and the reference."""
    cell = get_cell("peephole")
    rng = np.random.default_rng(seed)
    params = cell.init_params(D, H, seed=rng)
    for k in PEEPHOLES:
        params[k] = rng.normal(size=H)  # distinct, clearly non-zero peepholes
    x = rng.normal(size=(N, D))
    h_prev, c_prev = rng.normal(scale=0.5, size=(N, H)), rng.normal(size=(N, H))
    dh, dc = rng.normal(size=(N, H)), rng.normal(size=(N, H))
    a_x = x @ params["W_x"] + params["b"]
    (_, c), cache = cell.core_forward(a_x, (h_prev, c_prev), params)
    da_x, (_, dc_prev), _, dother = cell.core_backward((dh, dc), cache)
    da = {k: da_x[:, n * H : (n + 1) * H] for n, k in enumerate(cell.blocks)}
    o, s, f = cache["o"], cache["s"], cache["f"]
    dc_from_h = dh * o * (1.0 - s * s)  # the error at c_t through h_t = o * tanh(c_t), without the peephole
    return dict(params=params, c_prev=c_prev, c=c, da=da, f=f, dc=dc, dc_from_h=dc_from_h, dc_prev=dc_prev, dp=dother)


def check_peephole_grads(peephole_grads) -> Feedback:
    """Check ``peephole_grads(da_i, da_f, da_o, c_prev, c, params) -> (dc_extra, dc_prev_extra, grads)``.

    See the module docstring for the meaning and shapes of each output.
    """
    fb = Feedback("Exercise: peephole_grads")
    for case, (N, D, H, seed) in enumerate([(4, 3, 5, 0), (3, 2, 6, 1)]):
        r = _case(N, D, H, seed)
        da, p, c_prev, c = r["da"], r["params"], r["c_prev"], r["c"]
        args = (da["i"].copy(), da["f"].copy(), da["o"].copy(), c_prev.copy(), c.copy(), dict(p))
        out = returned(fb, "peephole_grads", peephole_grads, *args)
        if out is None:
            return fb
        if not (isinstance(out, tuple) and len(out) == 3 and isinstance(out[2], dict)):
            fb.expect(False, "", "peephole_grads: expected to return a tuple (dc_extra, dc_prev_extra, grads)")
            return fb
        dc_extra, dc_prev_extra, grads = out
        missing = [k for k in PEEPHOLES if k not in grads]
        if not fb.expect(not missing, f"grads: has the keys {list(PEEPHOLES)}", f"grads: missing keys {missing}"):
            return fb
        tag = f" (case {case + 1}: N={N}, H={H})"
        dc_extra_want = da["o"] * p["p_o"]
        dc_prev_extra_want = da["i"] * p["p_i"] + da["f"] * p["p_f"]
        slips_dc = {
            "dc_extra is zero: the output gate sees c_t, so its error flows back into c_t as da_o * p_o": np.zeros(
                (N, H)
            ),
            "the output gate's peephole is p_o: dc_extra = da_o * p_o": da["o"] * p["p_i"],
            "the sign is wrong: dc_extra = + da_o * p_o": -dc_extra_want,
        }
        slips_prev = {
            "the output gate's term belongs to c_t (it sees c_t, not c_{t-1}): leave da_o * p_o out of "
            "dc_prev_extra": dc_prev_extra_want + dc_extra_want,
            "the forget gate's term is missing: dc_prev_extra = da_i * p_i + da_f * p_f": da["i"] * p["p_i"],
            "the input gate's term is missing: dc_prev_extra = da_i * p_i + da_f * p_f": da["f"] * p["p_f"],
            "the peepholes are swapped: the input gate uses p_i, the forget gate p_f": da["i"] * p["p_f"]
            + da["f"] * p["p_i"],
        }
        ok = compare(fb, "dc_extra" + tag, dc_extra, dc_extra_want, hint=_match(dc_extra, slips_dc))
        ok &= compare(
            fb, "dc_prev_extra" + tag, dc_prev_extra, dc_prev_extra_want, hint=_match(dc_prev_extra, slips_prev)
        )
        for k, gate, seen, other in (("p_i", "i", c_prev, c), ("p_f", "f", c_prev, c), ("p_o", "o", c, c_prev)):
            which = "c_{t-1} (c_prev)" if seen is c_prev else "c_t (c)"
            slips = {
                f"{k} multiplies {which} in the forward pass, so d{k} = sum over the batch of da_{gate} * "
                f"{'c_prev' if seen is c_prev else 'c'}": (da[gate] * other).sum(axis=0),
                f"d{k} must be summed over the batch: shape (H,), like {k}": da[gate] * seen,
            }
            ok &= compare(fb, f"grads[{k!r}]" + tag, grads[k], r["dp"][k], hint=_match(grads[k], slips))
        if not ok:
            return fb
        # the package's full dc_prev is rebuilt from the learner's two terms
        total = r["f"] * (r["dc_from_h"] + r["dc"] + np.asarray(dc_extra)) + np.asarray(dc_prev_extra)
        fb.expect(
            np.allclose(total, r["dc_prev"], rtol=1e-9, atol=1e-12),
            f"f * (dc_from_h + dc_next + dc_extra) + dc_prev_extra equals lstmlab's dc_prev{tag}",
            f"your terms do not rebuild lstmlab's dc_prev{tag}",
        )
    return fb


__all__ = ["check_peephole_grads"]
