"""The checkers of the appendices accept a correct answer and name each typical mistake.

The correct answers are written here from the appendices' equations; the checkers' own
references are checked against them and against finite differences.
"""

import numpy as np
import pytest

from lstmlab.exercises import check_affine_backward, check_numerical_gradient
from lstmlab.exercises.appendix import _affine_case, _affine_reference
from lstmlab.gradcheck import gradcheck

# ------------------------------------------------------------------------------------------ affine backward


def affine_backward(da, x, W, b, mistake=None):
    """The backward of a = x W + b, with one mistake switched on."""
    N = x.shape[0]
    dx, dW, db = da @ W.T, x.T @ da, da.sum(axis=0)
    if mistake == "dW_T":
        dW = da.T @ x
    elif mistake == "db_not_summed":
        db = da
    elif mistake == "db_mean":
        db = da.mean(axis=0)
    elif mistake == "db_axis":
        db = da.sum(axis=1)
    elif mistake == "dW_over_N":
        dW = x.T @ da / N
    elif mistake == "dx_zero":
        dx = np.zeros_like(x)
    elif mistake == "dx_no_transpose":
        dx = da @ W  # raises: (N, H) @ (D, H)
    elif mistake == "dW_first_row":
        dW = np.outer(x[0], da[0])
    elif mistake == "dx_sign":
        dx = -dx
    return dx, dW, db


def test_the_reference_is_the_gradient():
    da, x, W, b = _affine_case(4, 3, 5, 0)
    dx, dW, db = _affine_reference(da, x, W, b)
    ok = np.allclose
    assert ok(dx, da @ W.T, atol=1e-9) and ok(dW, x.T @ da, atol=1e-9) and ok(db, da.sum(axis=0), atol=1e-9)
    report = gradcheck(lambda p: float((da * (p["x"] @ p["W"] + p["b"])).sum()), {"x": x, "W": W, "b": b},
                       analytic={"x": dx, "W": dW, "b": db})  # fmt: skip
    assert report.ok, report


def test_a_correct_affine_backward_passes():
    fb = check_affine_backward(affine_backward)
    assert fb.passed, str(fb)
    assert sum(ok for ok, _ in fb.lines) == 6


@pytest.mark.parametrize(
    "mistake, fragment",
    [
        ("dW_T", "dW is transposed"),
        ("db_not_summed", "summed over the batch"),
        ("db_mean", "the mean over the batch"),
        ("db_axis", "wrong axis"),
        ("dW_over_N", "dW is divided by N"),
        ("dx_zero", "dx is zero"),
        ("dx_no_transpose", "dx = da @ W.T is (N, H) @ (H, D)"),
        ("dW_first_row", "only the first row"),
        ("dx_sign", "opposite sign"),
    ],
)
def test_each_affine_mistake_is_named(mistake, fragment):
    fb = check_affine_backward(lambda *args: affine_backward(*args, mistake=mistake))
    assert not fb.passed
    assert fragment in str(fb), str(fb)


def test_affine_structure_mistakes():
    assert "returned None" in str(check_affine_backward(lambda *args: None))
    assert "expected to return a tuple" in str(check_affine_backward(lambda *args: affine_backward(*args)[:2]))
    fb = check_affine_backward(lambda da, x, W, b: (da @ W.T, x.T @ da, da.sum(axis=0, keepdims=True)))
    assert "db has the shape of b" in str(fb), str(fb)


def test_the_inputs_are_passed_as_copies():
    def vandal(da, x, W, b):
        out = affine_backward(da, x, W, b)
        W[...] = 0.0
        return out

    assert check_affine_backward(vandal).passed


# ------------------------------------------------------------------------------------------ numerical gradient


def numerical_gradient(f, x, eps, mistake=None):
    """Central differences one entry at a time, with one mistake switched on."""
    if mistake == "all_at_once":
        return np.full(x.shape, (f(x + eps) - f(x - eps)) / (2 * eps))
    grad = np.zeros_like(x)
    f0 = f(x)
    for idx in np.ndindex(x.shape):
        old = x[idx]
        if mistake == "add_back":
            x[idx] += eps
            f_plus = f(x)
            x[idx] -= 2 * eps
            f_minus = f(x)
            x[idx] += eps
        else:
            x[idx] = old + eps
            f_plus = f(x)
            x[idx] = old - eps
            f_minus = f(x)
            if mistake != "not_restored":
                x[idx] = old
        if mistake == "forward":
            grad[idx] = (f_plus - f0) / eps
        elif mistake == "backward":
            grad[idx] = (f0 - f_minus) / eps
        elif mistake == "no_two":
            grad[idx] = (f_plus - f_minus) / eps
        else:
            grad[idx] = (f_plus - f_minus) / (2 * eps)
    return grad


def test_a_correct_numerical_gradient_passes():
    fb = check_numerical_gradient(numerical_gradient)
    assert fb.passed, str(fb)
    assert len(fb.lines) == 4


def test_lstmlab_numerical_gradient_passes():
    from lstmlab.gradcheck import numerical_gradient as reference

    assert check_numerical_gradient(lambda f, x, eps: reference(f, x, eps=eps)).passed


def test_a_copying_implementation_passes():
    def copying(f, x, eps):
        grad = np.zeros_like(x)
        for idx in np.ndindex(x.shape):
            xp, xm = x.copy(), x.copy()
            xp[idx] += eps
            xm[idx] -= eps
            grad[idx] = (f(xp) - f(xm)) / (2 * eps)
        return grad

    assert check_numerical_gradient(copying).passed


@pytest.mark.parametrize(
    "mistake, fragment",
    [
        ("forward", "forward difference"),
        ("backward", "backward difference"),
        ("no_two", "factor 2 is missing"),
        ("all_at_once", "every entry was nudged at once"),
        ("add_back", "adding eps back"),
        ("not_restored", "left perturbed"),
    ],
)
def test_each_numerical_gradient_mistake_is_named(mistake, fragment):
    fb = check_numerical_gradient(lambda f, x, eps: numerical_gradient(f, x, eps, mistake=mistake))
    assert not fb.passed
    assert fragment in str(fb), str(fb)


def test_a_one_dimensional_loop_is_told_about_several_axes():
    def flat_only(f, x, eps):
        grad = np.zeros_like(x)
        for i in range(len(x)):
            old = x[i]
            x[i] = old + eps
            f_plus = f(x)
            x[i] = old - eps
            f_minus = f(x)
            x[i] = old
            grad[i] = (f_plus - f_minus) / (2 * eps)
        return grad

    fb = check_numerical_gradient(flat_only)
    assert not fb.passed
    assert "np.ndindex" in str(fb), str(fb)


def test_numerical_gradient_none():
    assert "returned None" in str(check_numerical_gradient(lambda f, x, eps: None))
