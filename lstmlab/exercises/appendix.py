"""Checkers for the coding exercises of appendices A1 (matrix calculus) and A2 (gradient checking).

* :func:`check_affine_backward` -- the backward pass of the affine map
  ``a = x @ W + b`` with x (N, D), W (D, H), b (H,):
  ``affine_backward(da, x, W, b) -> (dx, dW, db)``;
* :func:`check_numerical_gradient` -- a central-difference gradient,
  ``numerical_gradient(f, x, eps) -> grad`` shaped like ``x``, that leaves ``x``
  exactly as it found it.

The references are lstmlab's :func:`lstmlab.gradcheck.numerical_gradient` (for the
affine map, whose loss ``sum(da * a)`` is linear, central differences are exact up
to rounding) and, for the numerical gradient, the analytic gradient of a smooth test
function. A wrong answer is compared with the usual slips (a transposed product, the
bias gradient not summed over the batch or averaged instead, a division by N; forward
or backward differences, a missing factor 2, all entries nudged at once, an input left
perturbed or restored by adding eps back) and the feedback names the one it matches.
"""

from __future__ import annotations

import numpy as np

from ..gradcheck import numerical_gradient
from .ch01 import compare, match_slip, returned
from .feedback import Feedback, expect_tuple, require_function

# ------------------------------------------------------------------------------------------ affine backward


def _affine_case(N, D, H, seed):
    rng = np.random.default_rng(seed)
    x, W, b = rng.normal(size=(N, D)), rng.normal(size=(D, H)), rng.normal(size=(H,))
    da = rng.normal(size=(N, H))
    return da, x, W, b


def _affine_reference(da, x, W, b):
    """(dx, dW, db) by central differences of the loss ``sum(da * (x @ W + b))``."""
    x, W, b = x.copy(), W.copy(), b.copy()

    def loss(_):
        return float((da * (x @ W + b)).sum())

    return tuple(numerical_gradient(loss, a) for a in (x, W, b))


def _affine_slips(da, x, W, b) -> dict:
    """Per output, what each typical slip gives -> its hint."""
    N = x.shape[0]
    return {
        "dx": {
            "dx is zero: the error flows to the input too, dx = da @ W.T": np.zeros_like(x),
            "dx is divided by N: da already holds the loss's 1/N, so dx = da @ W.T": da @ W.T / N,
        },
        "dW": {
            "dW is transposed: dW = x.T @ da, shape (D, H) like W": da.T @ x,
            "dW is divided by N: da already holds the loss's 1/N (if any), so dW = x.T @ da": x.T @ da / N,
            "dW used only the first row of the batch: sum over all rows, dW = x.T @ da": np.outer(x[0], da[0]),
        },
        "db": {
            "db must be summed over the batch: db = da.sum(axis=0), shape (H,) like b": da,
            "db is the mean over the batch; the bias is used by every row, so its gradient is the sum, "
            "da.sum(axis=0)": da.mean(axis=0),
            "db was summed over the wrong axis: the batch is axis 0, db = da.sum(axis=0)": da.sum(axis=1),
            "db was summed over everything: sum over the batch only, db = da.sum(axis=0), shape (H,)": np.asarray(
                da.sum()
            ),
        },
    }


SHAPES_HINT = (
    "write each product's shapes: dx = da @ W.T is (N, H) @ (H, D), dW = x.T @ da is (D, N) @ (N, H), "
    "db = da.sum(axis=0) is (H,)"
)


def check_affine_backward(affine_backward) -> Feedback:
    """Check ``affine_backward(da, x, W, b) -> (dx, dW, db)`` for ``a = x @ W + b``.

    ``da`` (N, H) is the gradient of the loss w.r.t. ``a``. Expected: ``dx`` (N, D),
    ``dW`` (D, H) and ``db`` (H,), the shapes of ``x``, ``W`` and ``b``.
    """
    require_function("affine_backward", affine_backward)
    fb = Feedback("Exercise: affine_backward")
    for case, (N, D, H, seed) in enumerate([(4, 3, 5, 0), (6, 2, 3, 1)]):
        da, x, W, b = _affine_case(N, D, H, seed)
        want = _affine_reference(da, x, W, b)
        out = returned(fb, "affine_backward", affine_backward, da.copy(), x.copy(), W.copy(), b.copy())
        if out is None:
            if fb.lines and "raised" in fb.lines[-1][1]:
                fb.lines[-1] = (False, fb.lines[-1][1] + f". Hint: {SHAPES_HINT}")
            return fb
        if not expect_tuple(fb, "affine_backward", out, "dx, dW, db"):
            return fb
        slips = _affine_slips(da, x, W, b)
        tag = f" (case {case + 1}: N={N}, D={D}, H={H})"
        ok = True
        for name, got, w in zip(("dx", "dW", "db"), out, want):
            ok &= compare(fb, name + tag, got, w, hint=_hint(got, slips[name], name))
        if not ok:
            return fb
    return fb


def _hint(got, slips: dict, name: str) -> str:
    """The slip's hint, or for an array of a wrong shape the shape rule."""
    hint = match_slip(got, slips)
    if hint or got is None:
        return hint
    shape = getattr(got, "shape", None)
    rules = {
        "dx": "dx has the shape of x, (N, D): dx = da @ W.T",
        "dW": "dW has the shape of W, (D, H): dW = x.T @ da",
        "db": "db has the shape of b, (H,): db = da.sum(axis=0)",
    }
    return rules[name] if shape is not None else ""


# ------------------------------------------------------------------------------------------ numerical gradient


def _smooth_case(shape, seed):
    """A smooth scalar function with a known gradient, and a point to evaluate it at.

    ``f(x) = sum(w * sin(x)) + 0.5 * sum(x**3)``, so ``df/dx = w * cos(x) + 1.5 * x**2``; its second
    derivative is large enough that a forward difference misses by far more than rounding.
    """
    rng = np.random.default_rng(seed)
    x = rng.uniform(0.5, 2.0, size=shape) * rng.choice([-1.0, 1.0], size=shape)
    w = rng.normal(size=shape)

    def f(a):
        return float((w * np.sin(a)).sum() + 0.5 * (a**3).sum())

    def grad(a):
        return w * np.cos(a) + 1.5 * a**2

    return f, grad, x


def _difference_slips(f, x, eps) -> dict:
    """What the usual slips return -> their hints."""
    flat = x.ravel()
    n = flat.size
    base = f(x.copy())
    fwd, bwd = np.empty(n), np.empty(n)
    for k in range(n):
        e = np.zeros(n)
        e[k] = eps
        fwd[k] = (f((flat + e).reshape(x.shape)) - base) / eps
        bwd[k] = (base - f((flat - e).reshape(x.shape))) / eps
    central = (fwd + bwd) / 2
    everything = (f(x + eps) - f(x - eps)) / (2 * eps)
    return {
        "this is the forward difference (f(x + eps) - f(x)) / eps, whose error is O(eps); "
        "use the central difference (f(x + eps) - f(x - eps)) / (2 * eps), whose error is O(eps**2)": fwd.reshape(
            x.shape
        ),
        "this is the backward difference (f(x) - f(x - eps)) / eps, whose error is O(eps); "
        "use the central difference (f(x + eps) - f(x - eps)) / (2 * eps)": bwd.reshape(x.shape),
        "the factor 2 is missing: the two points are 2 * eps apart, so divide by 2 * eps": (2 * central).reshape(
            x.shape
        ),
        "every entry was nudged at once: perturb one entry at a time, x[idx] += eps, and restore it before "
        "the next": np.full(x.shape, everything),
    }


def check_numerical_gradient(numerical_gradient_fn) -> Feedback:
    """Check ``numerical_gradient(f, x, eps) -> grad``: central differences, entry by entry.

    ``f(x) -> float`` is a scalar function; ``x`` is a float64 array of any shape, which the
    function may perturb in place but must leave exactly as it found it. ``grad`` has the
    shape of ``x``. The checker calls it with ``eps = 1e-5`` on a 1-D and a 2-D input.
    """
    require_function("numerical_gradient", numerical_gradient_fn)
    fb = Feedback("Exercise: numerical_gradient")
    eps = 1e-5
    for case, (shape, seed) in enumerate([((5,), 0), ((3, 4), 1)]):
        f, grad, x = _smooth_case(shape, seed)
        want = grad(x)
        x_in = x.copy()
        got = returned(fb, "numerical_gradient", numerical_gradient_fn, f, x_in, eps)
        tag = f" (case {case + 1}: x of shape {shape})"
        if got is None:
            if len(shape) > 1 and fb.lines and "raised" in fb.lines[-1][1]:
                fb.lines[-1] = (
                    False,
                    fb.lines[-1][1] + ". Hint: x may have several axes; loop over np.ndindex(x.shape), "
                    "or over the entries of a flat view x.reshape(-1)",
                )
            return fb
        hint = match_slip(got, _difference_slips(f, x, eps))
        if not hint and len(shape) > 1:
            hint = (
                "the 1-D case passed, so look at how you visit the entries: on a 2-D array x[i] is a whole row; "
                "loop over np.ndindex(x.shape) to reach every entry"
            )
        ok = compare(fb, "grad" + tag, got, want, hint=hint)
        ok &= _check_restored(fb, "x" + tag, x_in, x)
        if not ok:
            return fb
    return fb


def _check_restored(fb: Feedback, name: str, after, before) -> bool:
    """The input must come back bit for bit: a gradient check runs on the model's real parameters."""
    if np.array_equal(after, before):
        return fb.expect(True, f"{name}: left exactly as it was", "")
    changed = int((after != before).sum())
    if np.allclose(after, before, rtol=0, atol=1e-12):
        msg = (
            f"{name}: {changed} entries differ from the original in the last digits: adding eps back "
            "(x[idx] += eps after x[idx] -= eps) is not exact in floating point; save old = x[idx] and "
            "assign x[idx] = old"
        )
    else:
        msg = (
            f"{name}: {changed} entries were left perturbed; restore each entry (x[idx] = old) after "
            "evaluating f, since a gradient check runs on the model's real parameters"
        )
    return fb.expect(False, "", msg)


__all__ = ["check_affine_backward", "check_numerical_gradient"]
