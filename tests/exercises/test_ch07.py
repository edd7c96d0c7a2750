"""The chapter 7 checkers accept a correct answer and name each typical mistake."""

import numpy as np
import pytest

from lstmlab.cells import sigmoid
from lstmlab.exercises import check_forget_bias, check_forget_step


def _gates(x, h_prev, p):
    H = h_prev.shape[1]
    a = x @ p["W_x"] + h_prev @ p["W_h"] + p["b"]
    return (sigmoid(a[:, :H]), sigmoid(a[:, H : 2 * H]), np.tanh(a[:, 2 * H : 3 * H]), sigmoid(a[:, 3 * H :]), a, H)


def step(x, h_prev, c_prev, p, slip=None):
    i, f, g, o, a, H = _gates(x, h_prev, p)
    if slip == "tanh_f":
        f = np.tanh(a[:, H : 2 * H])
    if slip == "swap_io":
        i, f = f, i
    if slip == "swap_fo":
        f, o = o, f
    c = {
        None: f * c_prev + i * g,
        "no_f": c_prev + i * g,
        "f_on_input": c_prev + f * i * g,
        "no_i": f * c_prev + g,
    }.get(slip, f * c_prev + i * g)
    if slip == "no_tanh":
        return o * c, c
    if slip == "c_prev_out":
        return o * np.tanh(c_prev), c
    return o * np.tanh(c), c


def test_forget_step_accepts_a_correct_step():
    fb = check_forget_step(step)
    assert fb.passed, str(fb)
    assert "1997 step" in str(fb)


@pytest.mark.parametrize(
    "slip, words",
    [
        ("no_f", "the forget gate is missing"),
        ("f_on_input", "f multiplies the new input"),
        ("no_i", "the input gate is missing"),
        ("tanh_f", "the forget gate is a sigmoid"),
        ("swap_io", "you swapped i and f"),
        ("swap_fo", "you swapped f and o"),
        ("no_tanh", "the output needs the tanh"),
        ("c_prev_out", "not c_prev"),
    ],
)
def test_forget_step_names_the_slip(slip, words):
    fb = check_forget_step(lambda *a: step(*a, slip=slip))
    assert not fb.passed
    assert words in str(fb), str(fb)


def test_forget_step_reports_a_raise_and_a_missing_return():
    def boom(*a):
        raise ValueError("shapes")

    assert "raised ValueError: shapes" in str(check_forget_step(boom))
    assert "returned None" in str(check_forget_step(lambda *a: None))
    assert "tuple (h, c)" in str(check_forget_step(lambda *a: a[0]))


def set_bias(params, gates, value, slip=None):
    H = params["W_h"].shape[0]
    n = gates.index("f")
    if slip == "fixed":
        n = 1
    if slip == "whole":
        params["b"][:] = value
    elif slip == "one":
        params["b"][n * H] = value
    elif slip == "next":
        params["b"][(n + 1) * H : (n + 2) * H] = value
    else:
        params["b"][n * H : (n + 1) * H] = value
    if slip == "weights":
        params["W_x"][:, n * H : (n + 1) * H] = 0.0
    return params


def test_forget_bias_accepts_in_place_and_new_dict():
    assert check_forget_bias(set_bias).passed

    def fresh(params, gates, value):
        out = {k: v.copy() for k, v in params.items()}
        return set_bias(out, gates, value)

    assert check_forget_bias(fresh).passed


@pytest.mark.parametrize(
    "slip, words",
    [
        ("fixed", "find it by name"),
        ("whole", "not the whole bias"),
        ("one", "not the single entry"),
        ("next", "off by one block"),
        ("weights", "only the bias b should change"),
    ],
)
def test_forget_bias_names_the_slip(slip, words):
    fb = check_forget_bias(lambda p, g, v: set_bias(p, g, v, slip=slip))
    assert not fb.passed
    assert words in str(fb), str(fb)
