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


def carousel(dc_T, caches, carry_h=True, gate=None, reverse=True, last=True, time_first=False):
    """dL/dc_k for every k by stepping lstmlab's step backward, with switches for the mistakes."""
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
    dcs = np.stack(out if last else out[:-1], axis=0 if time_first else 1)
    return dcs


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
