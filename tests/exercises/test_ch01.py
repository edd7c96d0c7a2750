"""The checkers of chapter 1 accept a correct answer and name each typical mistake.

The correct answers below are written from the chapter's equations, independently of lstmlab.
"""

import numpy as np
import pytest

from lstmlab.exercises import check_param_count, check_rnn_forward


def rnn_forward(x, h0, params, W_h_T=False, phi=np.tanh, bias=True, use_h0=True, carry=True, store_prev=False):
    """h_t = tanh(x_t W_x + h_{t-1} W_h + b), with switches for the mistakes."""
    W_x, W_h, b = params["W_x"], params["W_h"], params["b"]
    W_h = W_h.T if W_h_T else W_h
    b = b if bias else 0.0
    N, T, _ = x.shape
    h = h0 if use_h0 else np.zeros_like(h0)
    hs = np.empty((N, T, W_h.shape[0]))
    for t in range(T):
        h_new = phi(x[:, t] @ W_x + h @ W_h + b)
        hs[:, t] = h if store_prev else h_new
        h = h_new if carry else h
    return hs


def test_a_correct_forward_passes():
    fb = check_rnn_forward(rnn_forward)
    assert fb.passed, str(fb)
    assert "all checks passed" in str(fb)


@pytest.mark.parametrize(
    "mistake, fragment",
    [
        (dict(W_h_T=True), "W_h.T"),
        (dict(phi=lambda a: a), "tanh is missing"),
        (dict(bias=False), "bias b is missing"),
        (dict(use_h0=False), "h0 was ignored"),
        (dict(carry=False), "never carried forward"),
        (dict(store_prev=True), "stored h_prev"),
    ],
)
def test_each_forward_mistake_is_named(mistake, fragment):
    fb = check_rnn_forward(lambda x, h0, p: rnn_forward(x, h0, p, **mistake))
    assert not fb.passed
    assert fragment in str(fb), str(fb)


@pytest.mark.parametrize(
    "answer, fragment",
    [
        (lambda x, h0, p: rnn_forward(x, h0, p)[:, -1], "the last state only"),
        (lambda x, h0, p: rnn_forward(x, h0, p).transpose(1, 0, 2), "time first"),
        (lambda x, h0, p: None, "returned None"),
        (lambda x, h0, p: 1 / 0, "ZeroDivisionError"),
    ],
)
def test_shape_and_return_mistakes(answer, fragment):
    fb = check_rnn_forward(answer)
    assert not fb.passed
    assert fragment in str(fb), str(fb)


def test_modifying_the_input_is_reported():
    def in_place(x, h0, params):
        hs = rnn_forward(x, h0, params)
        x *= 0.0
        return hs

    fb = check_rnn_forward(in_place)
    assert not fb.passed and "modified its input x" in str(fb), str(fb)


def count(D, H, V):
    return D * H + H * H + H + H * V + V


def test_a_correct_count_passes():
    fb = check_param_count(count)
    assert fb.passed, str(fb)


@pytest.mark.parametrize(
    "answer, fragment",
    [
        (lambda D, H, V: count(D, H, V) - V, "b_y"),
        (lambda D, H, V: count(D, H, V) - H, "recurrent layer's bias"),
        (lambda D, H, V: count(D, H, V) - H - V, "both biases"),
        (lambda D, H, V: D * H + H * H + H, "readout W_y, b_y is missing"),
        (lambda D, H, V: count(D, H, V) - H * H, "W_h (H x H) are missing"),
        (lambda D, H, V: count(D, H, V) - H * H + D * H, "counted as D x H"),
        (lambda D, H, V: None, "returned None"),
        (lambda D, H, V: "many", "expected a number"),
        (lambda D, H, V: count(D, H, V) + 1, "expected"),
    ],
)
def test_each_count_mistake_is_named(answer, fragment):
    fb = check_param_count(answer)
    assert not fb.passed
    assert fragment in str(fb), str(fb)
