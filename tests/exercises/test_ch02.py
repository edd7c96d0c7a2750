"""The checkers of chapter 2 accept a correct answer and name each typical mistake.

The correct answers are written here from the chapter's equations; the BPTT answer uses
lstmlab's step backward, as the exercise allows.
"""

import numpy as np
import pytest

from lstmlab.cells import rnn_step_backward
from lstmlab.exercises import check_rnn_bptt, check_rnn_step_backward


def step_backward(dh, x, h_prev, h, params, deriv="tanh", W_h_T=True, no_dh_prev=False, dW_h_from="h_prev", sum_b=True):
    """The backward of h = tanh(x W_x + h_prev W_h + b), with switches for the mistakes."""
    local = {"tanh": 1 - h**2, "none": 1.0, "one_minus_h": 1 - h}[deriv]
    da = dh * local
    dh_prev = da @ (params["W_h"].T if W_h_T else params["W_h"])
    if no_dh_prev:
        dh_prev = None
    u = h_prev if dW_h_from == "h_prev" else h
    grads = {"W_x": x.T @ da, "W_h": u.T @ da, "b": da.sum(axis=0) if sum_b else da}
    return da @ params["W_x"].T, dh_prev, grads


def test_a_correct_step_backward_passes():
    fb = check_rnn_step_backward(step_backward)
    assert fb.passed, str(fb)


@pytest.mark.parametrize(
    "mistake, fragment",
    [
        (dict(deriv="none"), "tanh derivative is missing"),
        (dict(deriv="one_minus_h"), "h squared"),
        (dict(W_h_T=False), "W_h is transposed"),
        (dict(no_dh_prev=True), "dh_prev: you returned None"),
        (dict(dW_h_from="h"), "dW_h uses h"),
        (dict(sum_b=False), "summed over the batch"),
    ],
)
def test_each_step_mistake_is_named(mistake, fragment):
    fb = check_rnn_step_backward(lambda *args: step_backward(*args, **mistake))
    assert not fb.passed
    assert fragment in str(fb), str(fb)


def test_a_zero_dh_prev_is_named():
    def zero(*args):
        dx, dh_prev, grads = step_backward(*args)
        return dx, np.zeros_like(dh_prev), grads

    fb = check_rnn_step_backward(zero)
    assert not fb.passed and "dh_prev is zero" in str(fb), str(fb)


def test_step_structure_mistakes():
    assert "expected to return a tuple" in str(check_rnn_step_backward(lambda *a: step_backward(*a)[:2]))
    fb = check_rnn_step_backward(lambda *a: (*step_backward(*a)[:2], {"W_x": 0}))
    assert "missing keys ['W_h', 'b']" in str(fb), str(fb)


def bptt(dhs, caches, carry=True, accumulate=True, reverse=True, time_major_dx=False, h0=True, direct=True):
    """Backpropagation through time with lstmlab's step backward, with switches for the mistakes."""
    N, T, H = dhs.shape
    grads = {}
    dxs = [None] * T
    dh_next = np.zeros((N, H))
    for t in reversed(range(T)) if reverse else range(T):
        own = dhs[:, t] if (direct or t == T - 1) else 0.0  # direct=False: dhs[:, t] at the last step only
        dx, dh_prev, g = rnn_step_backward(own + (dh_next if carry else 0.0), caches[t])
        dxs[t], dh_next = dx, dh_prev
        for k, v in g.items():
            grads[k] = grads[k] + v if (accumulate and k in grads) else v
    grads["x"] = np.stack(dxs, axis=0 if time_major_dx else 1)
    grads["h0"] = dh_next if h0 else np.zeros((N, H))
    return grads


def test_a_correct_bptt_passes():
    fb = check_rnn_bptt(bptt)
    assert fb.passed, str(fb)


@pytest.mark.parametrize(
    "mistake, fragment",
    [
        (dict(carry=False), "gradient from step t+1 is missing"),
        (dict(accumulate=False), "overwritten"),
        (dict(reverse=False), "time must run backwards"),
        (dict(time_major_dx=True), "time first"),
        (dict(h0=False), "dh_prev returned by the backward of step 0"),
        (dict(direct=False), "used at the last step only"),
    ],
)
def test_each_bptt_mistake_is_named(mistake, fragment):
    fb = check_rnn_bptt(lambda dhs, caches: bptt(dhs, caches, **mistake))
    assert not fb.passed
    assert fragment in str(fb), str(fb)


def test_bptt_missing_keys_and_none():
    assert "returned None" in str(check_rnn_bptt(lambda dhs, caches: None))
    fb = check_rnn_bptt(lambda dhs, caches: {k: v for k, v in bptt(dhs, caches).items() if k != "h0"})
    assert "missing keys ['h0']" in str(fb), str(fb)


def test_a_dropped_direct_error_is_not_blamed_on_h0():
    """Dropping dhs[:, t] for t < T-1 breaks every gradient; the h0 hint (for a correct loop that
    forgets to hand back dh_prev) must not appear, since it would send the learner to the wrong line."""

    def learner(dhs, caches):  # the slip as a learner writes it: start from the last error only
        N, T, H = dhs.shape
        dh, grads, dxs = dhs[:, -1], {}, [None] * T
        for t in reversed(range(T)):
            dxs[t], dh, g = rnn_step_backward(dh, caches[t])
            for k, v in g.items():
                grads[k] = grads.get(k, 0) + v
        return {**grads, "x": np.stack(dxs, axis=1), "h0": dh}

    text = str(check_rnn_bptt(learner))
    assert "used at the last step only" in text, text
    assert "returned by the backward of step 0" not in text, text
