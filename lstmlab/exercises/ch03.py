"""Checkers for the coding exercises of chapter 3, *Vanishing and exploding gradients*.

* :func:`check_jacobian_chain`: ``jacobian_chain(hs, W_h, k)``, the Jacobian
  :math:`\\partial h_T / \\partial h_k` of a tanh RNN as a product of per-step Jacobians;
* :func:`check_clip_by_norm`: ``clip_by_norm(grads, max_norm) -> (clipped, norm)``,
  gradient clipping by global norm, compared with :mod:`lstmlab.clip`;
* :func:`check_leaky_jacobian`: ``leaky_jacobian(h_prev, x, params, alpha)``, the one-step
  Jacobian of a leaky tanh unit, :math:`(1-\\alpha) I + \\alpha\\, \\mathrm{diag}(1 - h^2) W_h^\\top`.

Conventions (those of the book): row vectors, ``a = x @ W_x + h_prev @ W_h + b``, and a
Jacobian ``J[i, j] = d h_T[i] / d h_k[j]``, so that the backward pass is ``dh_k = dh_T @ J``.
The references below are built from the package's own step functions
(:func:`lstmlab.cells.rnn.rnn_step_forward` / ``rnn_step_backward``), which ``tests/`` checks
against finite differences and PyTorch.
"""

from __future__ import annotations

import numpy as np

from ..cells.rnn import rnn_step_backward, rnn_step_forward
from ..clip import clip_grad_norm, global_norm
from ..sequence import forward
from .feedback import Feedback, require_function, run_safely

# ------------------------------------------------------------------------------------------------ references


def _rnn_problem(seed: int, T: int = 8, D: int = 3, H: int = 5, scale: float = 1.2):
    """A seeded tanh RNN and one sequence through it: ``(hs (T, H), params)``."""
    rng = np.random.default_rng(seed)
    params = {
        "W_x": rng.normal(0, 0.5, (D, H)),
        "W_h": rng.normal(0, scale / np.sqrt(H), (H, H)),
        "b": rng.normal(0, 0.1, H),
    }
    x = rng.normal(0, 1, (1, T, D))
    hs, _, _ = forward(x, params, cell="rnn")
    return hs[0], params


def step_jacobian_from_backward(h, W_h, nonlinearity: str = "tanh"):
    """``d h_t / d h_{t-1}`` (H, H) of one RNN step whose output is ``h`` (H,), from the package's backward.

    Row ``i`` of the Jacobian is the gradient reaching ``h_{t-1}`` when ``dh_t`` is the unit vector
    ``e_i``: one call of the step's backward with the identity as a batch of H error rows.
    """
    H = h.shape[0]
    cache = {"h_prev": np.zeros((H, H)), "h": np.tile(h, (H, 1)), "params": {"W_h": W_h}}
    from ..cells.rnn import RNN_CELLS

    _, (dh_prev,), _, _ = RNN_CELLS[nonlinearity].core_backward((np.eye(H),), cache)
    return dh_prev


def reference_jacobian_chain(hs, W_h, k: int):
    """``d hs[-1] / d hs[k]`` for a tanh RNN with hidden states ``hs`` (T, H): ``J_{T-1} ... J_{k+1}``."""
    T, H = hs.shape
    J = np.eye(H)
    for t in range(T - 1, k, -1):
        J = J @ step_jacobian_from_backward(hs[t], W_h)
    return J


def reference_clip_by_norm(grads, max_norm):
    """A clipped copy of ``grads`` and the norm before clipping, by :func:`lstmlab.clip.clip_grad_norm`."""
    clipped = {k: np.array(v, dtype=np.float64, copy=True) for k, v in grads.items()}
    norm = clip_grad_norm(clipped, max_norm)
    return clipped, norm


def reference_leaky_jacobian(h_prev, x, params, alpha):
    """``d h_t / d h_{t-1}`` (H, H) of ``h_t = (1 - alpha) h_{t-1} + alpha tanh(x W_x + h_{t-1} W_h + b)``."""
    H = h_prev.shape[-1]
    h_tilde, cache = rnn_step_forward(x[None, :], h_prev[None, :], params)
    # the backward of the tanh step, one unit error row at a time, gives d tanh(a) / d h_prev
    rows = []
    for i in range(H):
        _, dh_prev, _ = rnn_step_backward(np.eye(H)[i : i + 1], cache)
        rows.append(dh_prev[0])
    return (1.0 - alpha) * np.eye(H) + alpha * np.array(rows)


# ------------------------------------------------------------------------------------------------ helpers


def _close(a, b, rtol=1e-6, atol=1e-9) -> bool:
    try:
        a = np.asarray(a, dtype=np.float64)
    except (TypeError, ValueError):
        return False
    return a.shape == np.shape(b) and bool(np.allclose(a, b, rtol=rtol, atol=atol))


def _product(mats, H):
    J = np.eye(H)
    for M in mats:
        J = J @ M
    return J


# ------------------------------------------------------------------------------------------------ checkers


def check_jacobian_chain(jacobian_chain) -> Feedback:
    """Check ``jacobian_chain(hs, W_h, k) -> J`` (H, H), ``J[i, j] = d hs[-1][i] / d hs[k][j]``, for a tanh RNN.

    ``hs`` (T, H) are the hidden states of one sequence (``hs[t]`` after step ``t``); ``W_h`` (H, H).
    """
    require_function("jacobian_chain", jacobian_chain)
    fb = Feedback("Exercise: the Jacobian dh_T/dh_k as a product of step Jacobians")
    hs, params = _rnn_problem(seed=3)
    W_h = params["W_h"]
    T, H = hs.shape
    # k = T-1 first: nothing to chain, so the answer is the identity
    for k in (T - 1, T - 2, 2, 0):
        want = reference_jacobian_chain(hs, W_h, k)
        got = run_safely(fb, "jacobian_chain", jacobian_chain, hs.copy(), W_h.copy(), k)
        if got is None:
            if not fb.lines or fb.lines[-1][0]:
                fb.expect(False, "", f"k = {k}: your function returned None (did you forget a `return`?)")
            return fb
        name = "k = T-1 (no step in between: the identity)" if k == T - 1 else f"k = {k}"
        if fb.compare(name, got, want, rtol=1e-6, atol=1e-10):
            continue
        fb.expect(False, "", _diagnose_chain(got, hs, W_h, k))
        return fb
    return fb


def _diagnose_chain(got, hs, W_h, k) -> str:
    """Name the usual mistake behind a wrong Jacobian chain, if it is one of them."""
    T, H = hs.shape
    d = [1.0 - hs[t] ** 2 for t in range(T)]
    steps = range(T - 1, k, -1)
    candidates = [
        (
            _product([W_h.T for t in steps], H),
            "you multiplied W_h.T only: each step also has the tanh derivative, diag(1 - h_t**2)",
        ),
        (
            _product([np.diag(d[t]) @ W_h for t in steps], H),
            "each factor should be diag(1 - h_t**2) @ W_h.T; you used W_h without the transpose",
        ),
        (
            _product([W_h.T @ np.diag(d[t]) for t in steps], H),
            "the tanh derivative multiplies from the left: diag(1 - h_t**2) @ W_h.T, not W_h.T @ diag(...)",
        ),
        (
            _product([np.diag(d[t - 1]) @ W_h.T for t in steps], H),
            "the derivative of step t is 1 - h_t**2 at the *output* of that step, hs[t], not hs[t-1]",
        ),
        (
            _product([np.diag(d[t]) @ W_h.T for t in range(T - 1, k - 1, -1)], H),
            "one factor too many: the chain runs over the steps after k (t = k+1 .. T-1), not step k itself",
        ),
        (
            _product([np.diag(d[t]) @ W_h.T for t in range(T - 2, k, -1)], H),
            "one factor too few: the last step, t = T-1, belongs in the chain too",
        ),
        (
            _product([np.diag(d[t]) @ W_h.T for t in range(k + 1, T)], H),
            "the factors are in the wrong order: the latest step comes first, J_{T-1} @ J_{T-2} @ ... @ J_{k+1}",
        ),
        (
            _product([np.diag(d[t]) @ W_h.T for t in steps], H).T,
            "you returned the transpose: J[i, j] should be d h_T[i] / d h_k[j]",
        ),
    ]
    for want, message in candidates:
        if _close(got, want):
            return message
    return "compare with the chain J_{T-1} @ ... @ J_{k+1}, J_t = np.diag(1 - hs[t]**2) @ W_h.T"


def check_clip_by_norm(clip_by_norm) -> Feedback:
    """Check ``clip_by_norm(grads, max_norm) -> (clipped, norm)`` against :func:`lstmlab.clip.clip_grad_norm`.

    ``grads`` is a dict of arrays; ``clipped`` a new dict with the same keys (the input is not
    changed); ``norm`` the global norm of all entries together, before clipping.
    """
    require_function("clip_by_norm", clip_by_norm)
    fb = Feedback("Exercise: gradient clipping by global norm")
    rng = np.random.default_rng(7)
    big = {"W_x": rng.normal(0, 2, (3, 4)), "W_h": rng.normal(0, 2, (4, 4)), "b": rng.normal(0, 2, 4)}
    small = {k: v * 0.01 for k, v in big.items()}
    max_norm = 1.0
    for label, grads in (("a large gradient", big), ("a small gradient", small)):
        originals = {k: v.copy() for k, v in grads.items()}
        out = run_safely(fb, "clip_by_norm", clip_by_norm, grads, max_norm)
        if out is None:
            if not fb.lines or fb.lines[-1][0]:
                fb.expect(False, "", "clip_by_norm: your function returned None (did you forget a `return`?)")
            return fb
        if not (isinstance(out, tuple) and len(out) == 2 and isinstance(out[0], dict)):
            fb.expect(False, "", f"clip_by_norm: expected a tuple (clipped_dict, norm), got {type(out).__name__}")
            return fb
        clipped, norm = out
        want, want_norm = reference_clip_by_norm(originals, max_norm)
        if not fb.expect(
            all(np.array_equal(grads[k], originals[k]) for k in grads),
            f"{label}: the input gradients are left unchanged",
            f"{label}: your function changed the input arrays in place; return new arrays (e.g. g * scale)",
        ):
            return fb
        if not fb.expect(
            sorted(clipped) == sorted(grads),
            f"{label}: the clipped dict has the same keys",
            f"{label}: expected the keys {sorted(grads)} in the clipped dict, got {sorted(clipped)}",
        ):
            return fb
        per_array = {k: float(np.linalg.norm(v)) for k, v in originals.items()}
        try:
            norm_value = float(norm)
        except (TypeError, ValueError):
            fb.expect(False, "", f"{label}: the norm should be a number, got {type(norm).__name__}")
            return fb
        if not np.isclose(norm_value, want_norm, rtol=1e-8):
            msg = f"{label}: the norm is {norm_value:.6g}, expected the global norm {want_norm:.6g}"
            if any(np.isclose(norm_value, n) for n in per_array.values()):
                msg += " (that is the norm of one array: take all arrays together, sqrt(sum of squares of all)"
                msg += " entries)"
            elif np.isclose(norm_value, sum(per_array.values())):
                msg += " (you added the per-array norms; add their squares, then take the square root)"
            elif np.isclose(norm_value, want_norm**2):
                msg += " (that is the squared norm: take the square root)"
            fb.expect(False, "", msg)
            return fb
        fb.expect(True, f"{label}: the global norm before clipping is right ({norm_value:.4g})", "")
        ok = all(_close(clipped[k], want[k], rtol=1e-5, atol=1e-12) for k in want)
        if ok:
            what = "rescaled to norm max_norm" if want_norm > max_norm else "left as it is (already below max_norm)"
            fb.expect(True, f"{label}: {what}", "")
            continue
        fb.expect(False, "", _diagnose_clip(label, clipped, originals, want_norm, max_norm))
        return fb
    return fb


def _diagnose_clip(label, clipped, grads, norm, max_norm) -> str:
    """Name the usual mistake behind a wrongly clipped gradient."""

    def same(candidate):
        return all(_close(clipped[k], candidate[k], rtol=1e-5, atol=1e-12) for k in grads)

    if norm <= max_norm:
        if same({k: v * max_norm / norm for k, v in grads.items()}):
            return f"{label}: you scaled a gradient up to max_norm; clip only when the norm exceeds max_norm"
        return f"{label}: a gradient with norm {norm:.3g} <= max_norm should come back unchanged"
    candidates = [
        ({k: v * norm / max_norm for k, v in grads.items()}, "the scale is upside down: use max_norm / norm"),
        (
            {k: v * min(1.0, max_norm / np.linalg.norm(v)) for k, v in grads.items()},
            "you clipped each array by its own norm; clip all of them by one factor from the *global* norm",
        ),
        (
            {k: np.clip(v, -max_norm, max_norm) for k, v in grads.items()},
            "that is clipping by value (np.clip), which can turn the gradient; rescale the whole vector instead",
        ),
        (dict(grads), "the gradient came back unchanged although its norm exceeds max_norm"),
    ]
    for candidate, message in candidates:
        if same(candidate):
            return f"{label}: {message}"
    new = global_norm({k: np.asarray(v, dtype=np.float64) for k, v in clipped.items()})
    return f"{label}: after clipping the global norm should be {max_norm:g} (direction kept), got {new:.4g}"


def check_leaky_jacobian(leaky_jacobian) -> Feedback:
    """Check ``leaky_jacobian(h_prev, x, params, alpha) -> J`` (H, H) for a leaky tanh unit.

    ``h_t = (1 - alpha) h_prev + alpha tanh(x W_x + h_prev W_h + b)``; ``h_prev`` (H,), ``x`` (D,),
    ``J[i, j] = d h_t[i] / d h_prev[j]``.
    """
    require_function("leaky_jacobian", leaky_jacobian)
    fb = Feedback("Exercise: the Jacobian of a leaky unit")
    rng = np.random.default_rng(11)
    D, H = 3, 4
    params = {"W_x": rng.normal(0, 0.7, (D, H)), "W_h": rng.normal(0, 0.7, (H, H)), "b": rng.normal(0, 0.2, H)}
    for alpha in (1.0, 0.3, 0.05):
        h_prev, x = np.tanh(rng.normal(0, 1, H)), rng.normal(0, 1, D)
        want = reference_leaky_jacobian(h_prev, x, params, alpha)
        got = run_safely(fb, "leaky_jacobian", leaky_jacobian, h_prev.copy(), x.copy(), params, alpha)
        if got is None:
            if not fb.lines or fb.lines[-1][0]:
                fb.expect(False, "", "leaky_jacobian: your function returned None (did you forget a `return`?)")
            return fb
        name = f"alpha = {alpha:g}" + (" (the plain RNN)" if alpha == 1.0 else "")
        if fb.compare(name, got, want, rtol=1e-6, atol=1e-10):
            continue
        h_tilde = np.tanh(x @ params["W_x"] + h_prev @ params["W_h"] + params["b"])
        rnn_J = np.diag(1 - h_tilde**2) @ params["W_h"].T
        h_t = (1 - alpha) * h_prev + alpha * h_tilde
        candidates = [
            (
                (1 - alpha) * np.eye(H) + alpha * np.diag(1 - h_t**2) @ params["W_h"].T,
                "the tanh derivative is 1 - h~**2 with h~ = tanh(a), the new input, not 1 - h_t**2 of the leaky state",
            ),
            (alpha * rnn_J, "the leak adds (1 - alpha) * I: the old state is carried straight through"),
            ((1 - alpha) * np.eye(H) + rnn_J, "the tanh path is scaled by alpha too: alpha * diag(1 - h~**2) @ W_h.T"),
            (
                (1 - alpha) * np.eye(H) + alpha * np.diag(1 - h_tilde**2) @ params["W_h"],
                "W_h needs a transpose: J = (1 - alpha) I + alpha diag(1 - h~**2) @ W_h.T",
            ),
            (
                (1 - alpha) * np.eye(H) + alpha * params["W_h"].T,
                "the tanh derivative diag(1 - h~**2) is missing (h~ = tanh(a), not the leaky h_t)",
            ),
            (
                alpha * np.eye(H) + (1 - alpha) * rnn_J,
                "alpha and 1 - alpha are swapped: alpha weighs the new tanh input",
            ),
        ]
        for candidate, message in candidates:
            if _close(got, candidate):
                fb.expect(False, "", f"{name}: {message}")
                break
        return fb
    return fb
