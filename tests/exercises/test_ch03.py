"""The chapter 3 checkers accept a correct answer and name each typical mistake.

The correct answers are written here from the chapter's equations, and the references of the
checkers are themselves compared with central finite differences (an independent oracle).
"""

import numpy as np
import pytest

from lstmlab.exercises import ch03, check_clip_by_norm, check_jacobian_chain, check_leaky_jacobian
from lstmlab.gradcheck import numerical_gradient


# ----------------------------------------------------------------------------------------- Jacobian chain
def chain(hs, W_h, k, factor=lambda hs, W_h, t: np.diag(1 - hs[t] ** 2) @ W_h.T, steps=None):
    J = np.eye(hs.shape[1])
    for t in steps if steps is not None else range(hs.shape[0] - 1, k, -1):
        J = J @ factor(hs, W_h, t)
    return J


def test_reference_chain_matches_finite_differences():
    hs, params = ch03._rnn_problem(seed=3)
    T, H = hs.shape
    k = 2

    def run_from(h_k):  # rerun steps k+1 .. T-1 from a perturbed h_k (the inputs are fixed)
        rng = np.random.default_rng(3)
        rng.normal(0, 0.5, (3, H)), rng.normal(0, 1, (H, H)), rng.normal(0, 0.1, H)
        x = rng.normal(0, 1, (1, T, 3))[0]
        h = h_k
        for t in range(k + 1, T):
            h = np.tanh(x[t] @ params["W_x"] + h @ params["W_h"] + params["b"])
        return h

    assert np.allclose(run_from(hs[k]), hs[-1])
    J = ch03.reference_jacobian_chain(hs, params["W_h"], k)
    for i in range(H):
        num = numerical_gradient(lambda h, i=i: run_from(h)[i], hs[k].copy())
        assert np.allclose(J[i], num, atol=1e-8)


def test_jacobian_chain_accepts_the_correct_answer():
    fb = check_jacobian_chain(chain)
    assert fb.passed, str(fb)


@pytest.mark.parametrize(
    "wrong, fragment",
    [
        (lambda hs, W_h, k: chain(hs, W_h, k, factor=lambda hs, W, t: W.T), "W_h.T only"),
        (
            lambda hs, W_h, k: chain(hs, W_h, k, factor=lambda hs, W, t: np.diag(1 - hs[t] ** 2) @ W),
            "without the transpose",
        ),
        (lambda hs, W_h, k: chain(hs, W_h, k, factor=lambda hs, W, t: W.T @ np.diag(1 - hs[t] ** 2)), "from the left"),
        (lambda hs, W_h, k: chain(hs, W_h, k, factor=lambda hs, W, t: np.diag(1 - hs[t - 1] ** 2) @ W.T), "*output*"),
        (lambda hs, W_h, k: chain(hs, W_h, k, steps=range(hs.shape[0] - 1, k - 1, -1)), "one factor too many"),
        (lambda hs, W_h, k: chain(hs, W_h, k, steps=range(k + 1, hs.shape[0])), "wrong order"),
        (lambda hs, W_h, k: chain(hs, W_h, k).T, "transpose"),
        (lambda hs, W_h, k: -chain(hs, W_h, k), "opposite sign"),
        (lambda hs, W_h, k: None, "returned None"),
        (lambda hs, W_h, k: np.zeros((2, 2)), "expected shape"),
    ],
)
def test_jacobian_chain_names_the_mistake(wrong, fragment):
    fb = check_jacobian_chain(wrong)
    assert not fb.passed
    assert fragment in str(fb), str(fb)


def test_one_factor_too_few_is_named():
    def too_few(hs, W_h, k):
        return chain(hs, W_h, k, steps=range(hs.shape[0] - 2, k, -1)) if k < hs.shape[0] - 1 else np.eye(hs.shape[1])

    fb = check_jacobian_chain(too_few)
    assert not fb.passed and "one factor too few" in str(fb), str(fb)


def test_a_raising_answer_is_a_failed_check():
    def broken(hs, W_h, k):
        raise IndexError("oops")

    fb = check_jacobian_chain(broken)
    assert not fb.passed and "IndexError" in str(fb)


# ----------------------------------------------------------------------------------------- clip by norm
def clip(grads, max_norm):
    norm = np.sqrt(sum(np.sum(g**2) for g in grads.values()))
    scale = min(1.0, max_norm / norm)
    return {k: g * scale for k, g in grads.items()}, norm


def test_clip_accepts_the_correct_answer():
    fb = check_clip_by_norm(clip)
    assert fb.passed, str(fb)


def in_place(grads, max_norm):
    clipped, norm = clip(grads, max_norm)
    for k in grads:
        grads[k] *= min(1.0, max_norm / norm)
    return clipped, norm


@pytest.mark.parametrize(
    "wrong, fragment",
    [
        (lambda g, m: ({k: v * m / clip(g, m)[1] for k, v in g.items()}, clip(g, m)[1]), "scaled a gradient up"),
        (lambda g, m: ({k: v * max(1.0, clip(g, m)[1] / m) for k, v in g.items()}, clip(g, m)[1]), "upside down"),
        (lambda g, m: ({k: v * min(1.0, m / np.linalg.norm(v)) for k, v in g.items()}, clip(g, m)[1]), "its own norm"),
        (lambda g, m: ({k: np.clip(v, -m, m) for k, v in g.items()}, clip(g, m)[1]), "clipping by value"),
        (lambda g, m: (dict(g), clip(g, m)[1]), "came back unchanged"),
        (lambda g, m: (clip(g, m)[0], np.linalg.norm(g["W_h"])), "norm of one array"),
        (lambda g, m: (clip(g, m)[0], sum(np.linalg.norm(v) for v in g.values())), "added the per-array norms"),
        (lambda g, m: (clip(g, m)[0], clip(g, m)[1] ** 2), "squared norm"),
        (in_place, "in place"),
        (lambda g, m: clip(g, m)[0], "expected a tuple"),
        (lambda g, m: ({"W_h": clip(g, m)[0]["W_h"]}, clip(g, m)[1]), "expected the keys"),
        (lambda g, m: None, "returned None"),
    ],
)
def test_clip_names_the_mistake(wrong, fragment):
    fb = check_clip_by_norm(wrong)
    assert not fb.passed
    assert fragment in str(fb), str(fb)


# ----------------------------------------------------------------------------------------- leaky unit
def leaky(h_prev, x, params, alpha):
    h_tilde = np.tanh(x @ params["W_x"] + h_prev @ params["W_h"] + params["b"])
    return (1 - alpha) * np.eye(h_prev.size) + alpha * np.diag(1 - h_tilde**2) @ params["W_h"].T


def test_reference_leaky_jacobian_matches_finite_differences():
    rng = np.random.default_rng(0)
    params = {"W_x": rng.normal(size=(3, 4)), "W_h": rng.normal(size=(4, 4)), "b": rng.normal(size=4)}
    h_prev, x, alpha = np.tanh(rng.normal(size=4)), rng.normal(size=3), 0.3

    def step(h):
        return (1 - alpha) * h + alpha * np.tanh(x @ params["W_x"] + h @ params["W_h"] + params["b"])

    J = ch03.reference_leaky_jacobian(h_prev, x, params, alpha)
    for i in range(4):
        assert np.allclose(J[i], numerical_gradient(lambda h, i=i: step(h)[i], h_prev.copy()), atol=1e-8)


def test_leaky_accepts_the_correct_answer():
    fb = check_leaky_jacobian(leaky)
    assert fb.passed, str(fb)


def _tilde(h_prev, x, p):
    return np.tanh(x @ p["W_x"] + h_prev @ p["W_h"] + p["b"])


@pytest.mark.parametrize(
    "wrong, fragment",
    [
        (lambda h, x, p, a: a * np.diag(1 - _tilde(h, x, p) ** 2) @ p["W_h"].T, "adds (1 - alpha) * I"),
        (
            lambda h, x, p, a: (1 - a) * np.eye(h.size) + np.diag(1 - _tilde(h, x, p) ** 2) @ p["W_h"].T,
            "scaled by alpha too",
        ),
        (
            lambda h, x, p, a: (1 - a) * np.eye(h.size) + a * np.diag(1 - _tilde(h, x, p) ** 2) @ p["W_h"],
            "needs a transpose",
        ),
        (lambda h, x, p, a: (1 - a) * np.eye(h.size) + a * p["W_h"].T, "derivative diag(1 - h~**2) is missing"),
        (
            lambda h, x, p, a: a * np.eye(h.size) + (1 - a) * np.diag(1 - _tilde(h, x, p) ** 2) @ p["W_h"].T,
            "swapped",
        ),
        (
            lambda h, x, p, a: (
                (1 - a) * np.eye(h.size) + a * np.diag(1 - ((1 - a) * h + a * _tilde(h, x, p)) ** 2) @ p["W_h"].T
            ),
            "not 1 - h_t**2",
        ),
        (lambda h, x, p, a: None, "returned None"),
    ],
)
def test_leaky_names_the_mistake(wrong, fragment):
    fb = check_leaky_jacobian(wrong)
    assert not fb.passed
    assert fragment in str(fb), str(fb)
