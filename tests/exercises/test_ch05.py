"""The checkers of chapter 5 accept a correct answer and name each typical mistake.

The correct answers are written here from the 1997 cell's equations (c = c_prev + i g,
h = o tanh(c)); the carousel answer uses lstmlab's step backward, as the exercise allows.
"""

import numpy as np
import pytest

from lstmlab.cells import get_cell, lstm_step_backward
from lstmlab.exercises import check_carousel_backward, check_lstm1997_step

LSTM1997 = get_cell("lstm1997")


def sig(a):
    return 1.0 / (1.0 + np.exp(-a))


def step(
    x,
    h_prev,
    c_prev,
    params,
    order=("i", "g", "o"),
    g_act=np.tanh,
    out_act=np.tanh,
    h_from_prev=False,
    keep=1.0,
    swap_out=False,
):
    """The 1997 step from the paper's equations, with switches for the mistakes."""
    H = h_prev.shape[1]
    a = x @ params["W_x"] + h_prev @ params["W_h"] + params["b"]
    z = {k: a[:, n * H : (n + 1) * H] for n, k in enumerate(order)}
    i, g, o = sig(z["i"]), g_act(z["g"]), sig(z["o"])
    c = keep * c_prev + i * g
    h = o * out_act(c_prev if h_from_prev else c)
    return (c, h) if swap_out else (h, c)


def test_a_correct_step_passes():
    fb = check_lstm1997_step(step)
    assert fb.passed, str(fb)


@pytest.mark.parametrize(
    "mistake, fragment",
    [
        (dict(order=("i", "o", "g")), "g and o swapped"),
        (dict(order=("g", "i", "o")), "input gate and the candidate swapped"),
        (dict(g_act=sig), "not a sigmoid"),
        (dict(out_act=lambda s: s), "tanh on the cell output is missing"),
        (dict(h_from_prev=True), "not c_prev"),
        (dict(keep=0.0), "weight 1.0"),
    ],
)
def test_each_step_mistake_is_named(mistake, fragment):
    fb = check_lstm1997_step(lambda *args: step(*args, **mistake))
    assert not fb.passed
    assert fragment in str(fb), str(fb)


def test_step_structure_mistakes():
    assert "returned None" in str(check_lstm1997_step(lambda *a: None))
    assert "expected to return a tuple (h, c)" in str(check_lstm1997_step(lambda *a: step(*a)[0]))
    assert "raised ZeroDivisionError" in str(check_lstm1997_step(lambda *a: 1 / 0))
    fb = check_lstm1997_step(lambda *a: step(*a)[::-1])
    assert not fb.passed


def test_modifying_the_inputs_is_named():
    def in_place(x, h_prev, c_prev, params):
        h, c = step(x, h_prev, c_prev, params)
        c_prev += 1.0
        return h, c

    fb = check_lstm1997_step(in_place)
    assert not fb.passed and "modified its input c_prev" in str(fb), str(fb)


def carousel(dc_T, caches, carry_h=True, gate=None, reverse=True, last=True, time_first=False, total=True):
    """dL/dc_k for every k by stepping lstmlab's step backward, with switches for the mistakes.

    The total derivative: the dc_prev of step k+1 (h_k held fixed) plus the path through h_k.
    """
    N, H = dc_T.shape
    T = len(caches)
    out = [None] * (T + 1)
    out[T] = dc_T
    dh, dc = np.zeros((N, H)), dc_T
    for t in reversed(range(T)) if reverse else range(T):
        _, dh_prev, dc_prev, _ = lstm_step_backward(dh, dc, caches[t], cell=LSTM1997)
        if gate is not None:
            dc_prev = dc_prev * caches[t][0][gate]
        dh, dc = (dh_prev if carry_h else 0 * dh_prev), dc_prev
        out[t] = dc
        if total and t > 0:
            o, c = caches[t - 1][0]["o"], caches[t - 1][0]["c"]
            out[t] = dc + dh * o * (1 - np.tanh(c) ** 2)
    dcs = np.stack(out if last else out[:-1], axis=0 if time_first else 1)
    return dcs


def test_the_reference_is_the_total_derivative_by_finite_differences():
    """The checker's expected dL/dc_k against central differences through the 1997 equations."""
    from lstmlab.exercises.ch05 import _carousel, carousel_case

    N, T, D, H = 3, 7, 2, 4
    caches, dc_T = carousel_case(N, T, D, H, 1, closed=False)
    params = caches[0][0]["params"]
    xs = [cache[1] for cache in caches]  # each step's input
    want = _carousel(dc_T, caches)

    def loss_from(k, c_k):
        # restart at c_k; h_k = o_k tanh(c_k) is recomputed (o_k does not read c_k), h_0 is given
        h = caches[k][0]["h_prev"] if k == 0 else caches[k - 1][0]["o"] * np.tanh(c_k)
        c = c_k
        for t in range(k, T):
            a = xs[t] @ params["W_x"] + h @ params["W_h"] + params["b"]
            i, g, o = sig(a[:, :H]), np.tanh(a[:, H : 2 * H]), sig(a[:, 2 * H :])
            c = c + i * g
            h = o * np.tanh(c)
        return float((dc_T * c).sum())

    eps = 1e-6
    for k in (0, 2, 5):
        c_k = caches[k][0]["c_prev"]
        fd = np.zeros_like(c_k)
        for idx in np.ndindex(c_k.shape):
            up, down = c_k.copy(), c_k.copy()
            up[idx] += eps
            down[idx] -= eps
            fd[idx] = (loss_from(k, up) - loss_from(k, down)) / (2 * eps)
        rel = np.abs(fd - want[:, k]).max() / np.abs(want[:, k]).max()
        assert rel < 1e-7, (k, rel)
    # and the partial with h_k held fixed is a different number (the slip the checker names)
    assert not np.allclose(want[:, 2], _carousel(dc_T, caches, total=False)[:, 2])


def test_a_correct_carousel_passes():
    fb = check_carousel_backward(carousel)
    assert fb.passed, str(fb)


def test_the_carousel_alone_is_exact_when_nothing_else_connects_the_steps():
    fb = check_carousel_backward(lambda dc_T, caches: carousel(dc_T, caches, carry_h=False))
    assert fb.lines[0][0], str(fb)  # case 1 (W_h = 0) passes
    assert not fb.passed and "followed the carousel alone" in str(fb), str(fb)


@pytest.mark.parametrize(
    "mistake, fragment",
    [
        (dict(total=False), "with h_k held fixed"),
        (dict(gate="i"), "input gate scales what enters"),
        (dict(gate="o"), "output gate scales what leaves"),
        (dict(reverse=False), "time must run backwards"),
        (dict(last=False), "include k = T too"),
        (dict(time_first=True), "time first"),
    ],
)
def test_each_carousel_mistake_is_named(mistake, fragment):
    fb = check_carousel_backward(lambda dc_T, caches: carousel(dc_T, caches, **mistake))
    assert not fb.passed
    assert fragment in str(fb), str(fb)


def test_carousel_none():
    assert "returned None" in str(check_carousel_backward(lambda dc_T, caches: None))


def test_the_path_through_h_counted_twice_is_named():
    def twice(dc_T, caches):
        N, H = dc_T.shape
        T = len(caches)
        dcs = np.empty((N, T + 1, H))
        dcs[:, T] = dc_T
        dh, dc = np.zeros((N, H)), dc_T
        for t in reversed(range(T)):
            _, dh, dc, _ = lstm_step_backward(dh, dc, caches[t], cell=LSTM1997)
            if t > 0:
                o, c = caches[t - 1][0]["o"], caches[t - 1][0]["c"]
                dc = dc + dh * o * (1 - np.tanh(c) ** 2)  # handed on: counted again next step
            dcs[:, t] = dc
        return dcs

    fb = check_carousel_backward(twice)
    assert not fb.passed and "counted twice" in str(fb), str(fb)


@pytest.mark.parametrize("checker", [check_carousel_backward, check_lstm1997_step])
def test_a_value_instead_of_a_function_is_a_type_error_naming_the_argument(checker):
    with pytest.raises(TypeError, match="expected a function"):
        checker(np.zeros(3))
