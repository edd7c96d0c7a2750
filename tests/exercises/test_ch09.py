"""The checkers of chapter 9 accept a correct answer and name each typical mistake.

The correct step backward is written here from the chapter's equations (Graves's error signals
eps_c, delta_omega, eps_s, delta_c, delta_phi, delta_iota), with switches that make one mistake each.
"""

import numpy as np
import pytest

from lstmlab.cells import lstm_step_backward
from lstmlab.exercises import check_lstm_step_backward, check_truncated_1997


def sig_prime(b):
    return b * (1 - b)


def step_backward(dh, dc, cache, mistake=None):
    """One peephole LSTM step backward; ``mistake`` switches on one slip."""
    P = cache["params"]
    i, f, g, c, o, c_prev = (cache[k] for k in ("i", "f", "g", "c", "o", "c_prev"))
    eps_c = dh
    d_sig = (lambda b: 1.0) if mistake == "no_sigmoid_deriv" else sig_prime
    delta_omega = d_sig(o) * np.tanh(c) * eps_c
    h_prime = 1.0 if mistake == "no_tanh_c" else 1 - np.tanh(c) ** 2
    eps_s = o * h_prime * eps_c
    if mistake != "no_dc_next":
        eps_s = eps_s + dc
    if mistake != "no_peep_o":
        eps_s = eps_s + P["p_o"] * delta_omega
    delta_c = i * (1 - g**2) * eps_s
    delta_phi = d_sig(f) * c_prev * eps_s
    delta_iota = d_sig(i) * g * eps_s
    blocks = {"i": delta_iota, "f": delta_phi, "g": delta_c, "o": delta_omega}
    order = ("i", "f", "o", "g") if mistake == "swap_g_o" else ("i", "f", "g", "o")
    da = np.concatenate([blocks[k] for k in order], axis=1)
    dc_prev = eps_s if mistake == "no_f" else eps_s * f
    if mistake != "no_peep_if":
        dc_prev = dc_prev + P["p_i"] * delta_iota + P["p_f"] * delta_phi
    u_o = c_prev if mistake == "p_o_from_c_prev" else c
    grads = {
        "W_x": cache["x"].T @ da,
        "W_h": cache["h_prev"].T @ da,
        "b": da.sum(axis=0),
        "p_i": (delta_iota * c_prev).sum(axis=0),
        "p_f": (delta_phi * c_prev).sum(axis=0),
        "p_o": (delta_omega * u_o).sum(axis=0),
    }
    return da @ P["W_x"].T, da @ P["W_h"].T, dc_prev, grads


def test_a_correct_step_backward_passes():
    fb = check_lstm_step_backward(step_backward)
    assert fb.passed, str(fb)


@pytest.mark.parametrize(
    "mistake, fragment",
    [
        ("no_tanh_c", "tanh derivative on the cell output path is missing"),
        ("no_dc_next", "error arriving from c_{t+1}"),
        ("no_f", "multiplied by the forget gate"),
        ("no_peep_o", "output peephole term is missing"),
        ("no_peep_if", "peephole terms are missing from dc_prev"),
        ("no_sigmoid_deriv", "sigmoid derivative is missing"),
        ("swap_g_o", "you wrote (i, f, o, g)"),
        ("p_o_from_c_prev", "p_o multiplies this step's new cell state"),
    ],
)
def test_each_step_mistake_is_named(mistake, fragment):
    fb = check_lstm_step_backward(lambda dh, dc, cache: step_backward(dh, dc, cache, mistake))
    assert not fb.passed
    assert fragment in str(fb), str(fb)


def test_step_structure_mistakes():
    assert "returned None" in str(check_lstm_step_backward(lambda dh, dc, cache: None))
    fb = check_lstm_step_backward(lambda dh, dc, cache: step_backward(dh, dc, cache)[:3])
    assert "expected to return a tuple (dx, dh_prev, dc_prev, grads)" in str(fb), str(fb)
    fb = check_lstm_step_backward(lambda dh, dc, cache: (*step_backward(dh, dc, cache)[:3], {"W_x": 0}))
    assert "missing keys ['W_h', 'b', 'p_i', 'p_f', 'p_o']" in str(fb), str(fb)


def test_a_step_that_modifies_its_input_is_named():
    def in_place(dh, dc, cache):
        out = step_backward(dh, dc, cache)
        cache["c"] *= 2.0
        return out

    fb = check_lstm_step_backward(in_place)
    assert not fb.passed and "modified its input c" in str(fb), str(fb)


def truncated(dhs, caches, mistake=None):
    """The 1997 truncated gradient: the carousel carries dc back, nothing flows through W_h."""
    N, T, H = dhs.shape
    grads = {"W_x": 0.0, "W_h": 0.0, "b": 0.0}
    dh_next, dc_next = np.zeros((N, H)), np.zeros((N, H))
    steps = range(T) if mistake == "forwards" else reversed(range(T))
    for t in steps:
        dh = dhs[:, t] + (dh_next if mistake == "full" else 0.0)
        _, dh_next, dc_next, g = lstm_step_backward(dh, dc_next, caches[t])
        if mistake == "no_carousel":
            dc_next = np.zeros_like(dc_next)
        grads = {k: g[k] if mistake == "overwrite" else grads[k] + g[k] for k in grads}
    return grads


def test_a_correct_truncation_passes():
    fb = check_truncated_1997(truncated)
    assert fb.passed, str(fb)


@pytest.mark.parametrize(
    "mistake, fragment",
    [
        ("full", "this is the full BPTT gradient"),
        ("no_carousel", "the carousel must carry the error back"),
        ("overwrite", "overwritten"),
        ("forwards", "time must run backwards"),
    ],
)
def test_each_truncation_mistake_is_named(mistake, fragment):
    fb = check_truncated_1997(lambda dhs, caches: truncated(dhs, caches, mistake))
    assert not fb.passed
    assert fragment in str(fb), str(fb)


def test_truncation_structure_mistakes():
    assert "returned None" in str(check_truncated_1997(lambda dhs, caches: None))
    fb = check_truncated_1997(lambda dhs, caches: {"W_x": 0})
    assert "expected a dict with the keys" in str(fb), str(fb)


# ------------------------------------------------------------------ the sequence-level BPTT loop


def _bptt_answer(dhs, caches):
    """A correct answer, written from the loop's definition with lstmlab's step backward."""
    from lstmlab.cells import lstm_step_backward

    N, T, H = dhs.shape
    dxs = np.zeros((N, T, caches[0][1].shape[1]))
    grads = {"W_x": 0.0, "W_h": 0.0, "b": 0.0}
    dh, dc = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        dxs[:, t], dh, dc, g = lstm_step_backward(dhs[:, t] + dh, dc, caches[t])
        grads = {k: grads[k] + g[k] for k in grads}
    return dxs, dh, dc, grads


def test_the_bptt_reference_equals_sequence_backward_and_finite_differences():
    from lstmlab import sequence
    from lstmlab.cells import get_cell, lstm_step_forward
    from lstmlab.exercises.ch09 import lstm_bptt_loop
    from lstmlab.gradcheck import gradcheck

    rng = np.random.default_rng(3)
    N, T, D, H = 2, 5, 3, 4
    params = get_cell("lstm").init_params(D, H, seed=rng)
    x, h0, c0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
    R = rng.normal(size=(N, T, H))
    h, c, caches = h0, c0, []
    for t in range(T):
        h, c, cache = lstm_step_forward(x[:, t], h, c, params)
        caches.append(cache)
    dxs, dh0, dc0, grads = lstm_bptt_loop(R, caches)
    ref = sequence.backward(R, sequence.forward(x, params, "lstm", h0=h0, c0=c0, fast=False)[2])
    for key in ("W_x", "W_h", "b"):
        np.testing.assert_allclose(grads[key], ref[key], rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(dxs, ref["x"], rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(dh0, ref["h0"], rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(dc0, ref["c0"], rtol=1e-12, atol=1e-13)

    def loss(p):
        return float((sequence.forward(x, p, "lstm", h0=h0, c0=c0, fast=False)[0] * R).sum())

    assert gradcheck(loss, params, analytic=grads).ok


def test_a_correct_bptt_loop_passes():
    from lstmlab.exercises import check_lstm_bptt

    fb = check_lstm_bptt(_bptt_answer)
    assert fb.passed, str(fb)


@pytest.mark.parametrize(
    "switch, fragment",
    [
        (dict(carry_h=False), "1997 truncation"),
        (dict(carry_c=False), "dc_prev is not carried back"),
        (dict(direct="last"), "only at the last step"),
        (dict(accumulate=False), "overwritten"),
        (dict(reverse=False), "backwards"),
    ],
)
def test_each_bptt_slip_is_named(switch, fragment):
    from lstmlab.exercises import check_lstm_bptt
    from lstmlab.exercises.ch09 import lstm_bptt_loop

    fb = check_lstm_bptt(lambda dhs, caches: lstm_bptt_loop(dhs, caches, **switch))
    assert not fb.passed and fragment in str(fb), str(fb)


def test_bptt_checker_argument_errors():
    from lstmlab.exercises import check_lstm_bptt

    with pytest.raises(TypeError, match="lstm_bptt: expected a function"):
        check_lstm_bptt("my_function")
    assert "expected to return a tuple" in str(check_lstm_bptt(lambda dhs, caches: 1.0))
