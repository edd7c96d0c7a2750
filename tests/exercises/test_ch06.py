"""The checker of chapter 6 accepts a correct LSTM step and names each typical mistake.

The correct answer is written here from the LSTM's equations, independently of lstmlab.
"""

import numpy as np
import pytest

from lstmlab.exercises import check_lstm_step_forward


def sig(a):
    return 1.0 / (1.0 + np.exp(-a))


def lstm_step(
    x, h_prev, c_prev, params, order=("i", "f", "g", "o"), g_act=np.tanh, out_act=np.tanh, h_from_prev=False, use_f=True
):
    """One LSTM step from the equations, with switches for the mistakes."""
    H = h_prev.shape[1]
    a = x @ params["W_x"] + h_prev @ params["W_h"] + params["b"]
    z = {k: a[:, n * H : (n + 1) * H] for n, k in enumerate(order)}
    i, f, g, o = sig(z["i"]), sig(z["f"]), g_act(z["g"]), sig(z["o"])
    c = (f if use_f else 1.0) * c_prev + i * g
    return o * out_act(c_prev if h_from_prev else c), c


def test_a_correct_step_passes():
    fb = check_lstm_step_forward(lstm_step)
    assert fb.passed, str(fb)
    assert "all checks passed" in str(fb)


@pytest.mark.parametrize(
    "mistake, fragment",
    [
        (dict(order=("i", "f", "o", "g")), "last two blocks as (o, g)"),
        (dict(order=("f", "i", "g", "o")), "input and forget gates swapped"),
        (dict(order=("i", "g", "f", "o")), "(i, g, f, o)"),
        (dict(order=("f", "i", "o", "g")), "(f, i, o, g)"),
        (dict(g_act=sig), "not a sigmoid"),
        (dict(out_act=lambda s: s), "tanh on the cell output is missing"),
        (dict(h_from_prev=True), "not c_prev"),
        (dict(use_f=False), "forget gate is missing"),
    ],
)
def test_each_mistake_is_named(mistake, fragment):
    fb = check_lstm_step_forward(lambda *args: lstm_step(*args, **mistake))
    assert not fb.passed
    assert fragment in str(fb), str(fb)


def test_h_equal_to_c_is_named():
    fb = check_lstm_step_forward(lambda *a: (lstm_step(*a)[1], lstm_step(*a)[1]))
    assert not fb.passed and "not the cell state c itself" in str(fb), str(fb)


def test_wrong_shapes_and_types():
    fb = check_lstm_step_forward(lambda *a: (lstm_step(*a)[0][:, :2], lstm_step(*a)[1]))
    assert "expected shape" in str(fb), str(fb)
    assert "returned None" in str(check_lstm_step_forward(lambda *a: None))
    assert "expected to return a tuple (h, c)" in str(check_lstm_step_forward(lambda *a: [1, 2, 3]))
