"""Checkers for the coding exercises of chapter 11, *The GRU and coupled gates*.

* :func:`check_gru_step_backward` -- the backward pass of one GRU step in PyTorch's convention
  (the reset gate scales ``m = h_prev W_hn + b_hn``), ``step_backward(dh, cache) -> (dx, dh_prev,
  grads)``. ``cache`` is a dict with ``x``, ``h_prev``, ``r``, ``z``, ``n``, ``m`` and ``params``
  (``W_x``, ``W_h``, ``b``, ``b_hn``), blocks in the order ``("r", "z", "n")``.
* :func:`check_gru_jacobian` -- ``gru_jacobian(x, h_prev, params) -> J`` (H, H), the Jacobian
  ``J[i, j] = dh_t[i] / dh_{t-1}[j]`` of one GRU step for one example.

The references are lstmlab's GRU cell (tested against finite differences and ``torch.nn.GRU`` in
``tests/``). A wrong answer is compared with the usual slips (z and 1 - z swapped, the reset gate
applied in Cho et al.'s convention, the path through the reset gate missing, the candidate's
recurrent error not scaled by r, a missing sigmoid derivative, the direct path z * dh missing) and
the feedback names the one it matches.
"""

from __future__ import annotations

import numpy as np

from ..cells import get_cell, gru_step_backward, gru_step_forward
from .ch01 import compare, match_slip, returned
from .feedback import Feedback, expect_tuple

GRU = get_cell("gru")
STEP_KEYS = ("W_x", "W_h", "b", "b_hn")
CACHE_KEYS = ("x", "h_prev", "r", "z", "n", "m")


def step_case(N, D, H, seed):
    """Seeded inputs for one GRU step (PyTorch's convention), weights large enough that every path matters."""
    rng = np.random.default_rng(seed)
    params = GRU.init_params(D, H, seed=rng)
    for key in params:
        params[key] *= 2.5
    x, h_prev, dh = rng.normal(size=(N, D)), rng.normal(scale=0.8, size=(N, H)), rng.normal(size=(N, H))
    _, cache = gru_step_forward(x, h_prev, params)
    core = cache[1][0]
    learner = {"x": x, "h_prev": h_prev, "params": params, **{k: core[k] for k in ("r", "z", "n", "m")}}
    return dh, cache, learner


def slip_step_backward(
    dh, cache, swap_z=False, cho=False, reset_path=True, scale_m=True, sigmoid_deriv=True, direct=True
):
    """The GRU step backward written out (PyTorch's convention), with switches for the usual slips."""
    p = cache["params"]
    x, h_prev, r, z, n, m = (cache[k] for k in CACHE_KEYS)
    H = h_prev.shape[1]
    W_h = p["W_h"]
    d_sig = (lambda a: a * (1.0 - a)) if sigmoid_deriv else (lambda a: 1.0)
    keep, new = (1.0 - z, z) if swap_z else (z, 1.0 - z)  # h = new * n + keep * h_prev
    da_z = dh * (h_prev - n) * d_sig(z) * (-1.0 if swap_z else 1.0)
    da_n = dh * new * (1.0 - n * n)
    dh_prev = dh * keep if direct else 0.0 * dh
    if cho:  # n = tanh(a_n + (r * h_prev) W_hn): the reset gate before the product
        drh = da_n @ W_h[:, 2 * H :].T
        da_r = drh * h_prev * d_sig(r) if reset_path else 0.0 * drh
        da_x = np.concatenate([da_r, da_z, da_n], axis=1)
        dh_prev = dh_prev + drh * r + da_x[:, : 2 * H] @ W_h[:, : 2 * H].T
        dW_h = np.concatenate([h_prev.T @ da_x[:, : 2 * H], (r * h_prev).T @ da_n], axis=1)
        db_hn = da_n.sum(axis=0)
    else:
        dm = da_n * r if scale_m else da_n
        da_r = da_n * m * d_sig(r) if reset_path else 0.0 * da_n
        da_x = np.concatenate([da_r, da_z, da_n], axis=1)
        da_h = np.concatenate([da_r, da_z, dm], axis=1)
        dh_prev = dh_prev + da_h @ W_h.T
        dW_h = h_prev.T @ da_h
        db_hn = dm.sum(axis=0)
    grads = {"W_x": x.T @ da_x, "W_h": dW_h, "b": da_x.sum(axis=0), "b_hn": db_hn}
    return da_x @ p["W_x"].T, dh_prev, grads


SLIPS = {
    "z and 1 - z are swapped: h = (1 - z) * n + z * h_prev, so the direct path is dh * z, the candidate "
    "gets dh * (1 - z), and dz = dh * (h_prev - n)": dict(swap_z=True),
    "this is Cho et al.'s convention (r * h_prev before W_hn); here the reset gate scales the product "
    "m = h_prev W_hn + b_hn, so da_r = da_n * m * r * (1 - r) and the n block of dW_h is h_prev.T @ (da_n * r)": dict(
        cho=True
    ),
    "the path through the reset gate is missing: r depends on x and h_prev, so da_r = da_n * m * r * (1 - r) "
    "reaches dx, dh_prev and the r blocks of the weights": dict(reset_path=False),
    "the error of the candidate's recurrent product must be scaled by r: n = tanh(a_n + r * m), so dm = da_n * r": dict(
        scale_m=False
    ),
    "the sigmoid derivative is missing: for a gate s = sigmoid(a), da = ds * s * (1 - s)": dict(sigmoid_deriv=False),
    "the direct path is missing from dh_prev: h = ... + z * h_prev gives dh_prev a term dh * z": dict(direct=False),
}


def check_gru_step_backward(step_backward) -> Feedback:
    """Check ``step_backward(dh, cache) -> (dx, dh_prev, grads)`` for one GRU step, PyTorch's convention.

    ``cache`` holds ``x`` (N, D), ``h_prev``, ``r``, ``z``, ``n``, ``m`` (N, H) and ``params``
    (``W_x`` (D, 3H), ``W_h`` (H, 3H), ``b`` (3H,), ``b_hn`` (H,)), blocks ``("r", "z", "n")``,
    where ``m = h_prev @ W_h[:, 2H:] + b_hn``. Expected: ``dx`` (N, D), ``dh_prev`` (N, H) and
    ``grads`` with the keys and shapes of ``params``.
    """
    fb = Feedback("Exercise: gru_step_backward (PyTorch's convention)")
    for case, (N, D, H, seed) in enumerate([(4, 3, 5, 0), (2, 1, 3, 1)]):
        dh, cache, learner = step_case(N, D, H, seed)
        dx_want, dh_prev_want, grads_want = gru_step_backward(dh, cache)
        given = {k: v.copy() for k, v in learner.items() if k != "params"}
        given["params"] = {k: v.copy() for k, v in learner["params"].items()}
        out = returned(fb, "step_backward", step_backward, dh.copy(), given)
        if out is None:
            return fb
        if not expect_tuple(fb, "step_backward", out, "dx, dh_prev, grads"):
            return fb
        dx, dh_prev, grads = out
        if not isinstance(grads, dict) or any(k not in grads for k in STEP_KEYS):
            fb.expect(False, "", f"grads: expected a dict with the keys {list(STEP_KEYS)}")
            return fb
        outs = {hint: slip_step_backward(dh, learner, **sw) for hint, sw in SLIPS.items()}
        tag = f" (case {case + 1}: N={N}, D={D}, H={H})"
        ok = True
        for name, got, want, pick in (
            ("dh_prev", dh_prev, dh_prev_want, lambda o: o[1]),
            ("dx", dx, dx_want, lambda o: o[0]),
            *((f"grads[{k!r}]", grads[k], grads_want[k], lambda o, k=k: o[2][k]) for k in STEP_KEYS),
        ):
            table = {hint: pick(o) for hint, o in outs.items()}
            ok &= compare(fb, name + tag, got, want, hint=match_slip(got, table))
        if not ok:
            return fb
        changed = [k for k in CACHE_KEYS if not np.array_equal(given[k], learner[k])]
        changed += [f"params[{k!r}]" for k in STEP_KEYS if not np.array_equal(given["params"][k], learner["params"][k])]
        if changed:
            fb.expect(False, "", f"step_backward: your function modified its input {', '.join(changed)}")
            return fb
    return fb


def gru_jacobian_reference(x, h_prev, params, direct_only=False, reset_path=True):
    """J (H, H) with J[i, j] = dh_t[i] / dh_{t-1}[j], one example; switches for the usual slips."""
    H = h_prev.shape[0]
    _, cache = gru_step_forward(x[None], h_prev[None], params)
    core = cache[1][0]
    learner = {"x": x[None], "h_prev": h_prev[None], "params": params, **{k: core[k] for k in ("r", "z", "n", "m")}}
    if direct_only:
        return np.diag(core["z"][0])
    rows = [slip_step_backward(e[None], learner, reset_path=reset_path)[1][0] for e in np.eye(H)]
    return np.array(rows)  # row i is dh_t[i] / dh_prev


def check_gru_jacobian(gru_jacobian) -> Feedback:
    """Check ``gru_jacobian(x, h_prev, params) -> J`` (H, H), ``J[i, j] = dh_t[i] / dh_{t-1}[j]``.

    ``x`` is (D,), ``h_prev`` (H,), ``params`` those of the cell ``"gru"`` (PyTorch's convention).
    """
    fb = Feedback("Exercise: the GRU's Jacobian dh_t / dh_{t-1}")
    slips = {
        "only the direct path diag(z) is there: h_t also depends on h_{t-1} through z, r and n": dict(direct_only=True),
        "the path through the reset gate is missing: r depends on h_{t-1} through W_hr": dict(reset_path=False),
    }
    for case, (D, H, seed) in enumerate([(3, 4, 0), (1, 6, 1)]):
        rng = np.random.default_rng(seed)
        params = {k: 2.0 * v for k, v in GRU.init_params(D, H, seed=rng).items()}
        x, h_prev = rng.normal(size=D), rng.normal(scale=0.8, size=H)
        want = gru_jacobian_reference(x, h_prev, params)
        given = (x.copy(), h_prev.copy(), {k: v.copy() for k, v in params.items()})
        got = returned(fb, "gru_jacobian", gru_jacobian, *given)
        if got is None:
            return fb
        table = {hint: gru_jacobian_reference(x, h_prev, params, **sw) for hint, sw in slips.items()}
        if not compare(fb, f"J (case {case + 1}: D={D}, H={H})", got, want, hint=match_slip(got, table)):
            return fb
    return fb


__all__ = ["check_gru_jacobian", "check_gru_step_backward", "gru_jacobian_reference", "slip_step_backward"]
