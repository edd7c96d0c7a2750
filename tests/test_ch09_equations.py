"""Chapter 9's equations, one test each: lstmlab's quantity against an independent oracle.

The oracle is a forward pass of the peephole LSTM written here from Graves (2012, ch. 4) in his
notation, which can add a small nudge to any one quantity (a net input, s_c, b_c) at any one step
and carry it through the rest of the sequence; central differences of the loss then give the
error signal at that quantity. lstmlab's side is its reference path: ``sequence.forward(...,
fast=False)`` and the local variables of ``lstm_core_backward`` at every step (``dh`` is eps_c,
``dc_t`` is eps_s, ``da["o"]`` is delta_omega, ...), read with a profiler hook.

Equation numbers follow the chapter: (9.1)-(9.6) forward, (9.7)-(9.12) the error signals,
(9.13)-(9.14) the weight gradients.
"""

import sys

import numpy as np
import pytest

from lstmlab import sequence
from lstmlab.cells import get_cell, lstm
from lstmlab.gradcheck import gradcheck, numerical_gradient, relative_error

PEEPHOLE = get_cell("peephole")
N, T, D, H = 2, 4, 3, 3
TOL = 1e-7


def sigma(a):
    return 1.0 / (1.0 + np.exp(-a))


@pytest.fixture(scope="module")
def case():
    rng = np.random.default_rng(9)
    params = PEEPHOLE.init_params(D, H, seed=rng)
    for key in params:
        params[key] *= 2.0  # every nonlinearity away from its linear range
    x, y = rng.normal(size=(N, T, D)), rng.normal(size=(N, T, H))
    return x, y, params


def graves_forward(x, params, nudge=None):
    """Graves's forward equations; ``nudge = (name, t, E)`` adds E to quantity ``name`` at step t."""
    W_x, W_h, b = params["W_x"], params["W_h"], params["b"]
    rec = {}

    def put(name, t, value):
        if nudge is not None and nudge[:2] == (name, t):
            value = value + nudge[2]
        rec.setdefault(name, []).append(value)
        return value

    b_c, s_c = np.zeros((x.shape[0], H)), np.zeros((x.shape[0], H))
    for t in range(x.shape[1]):
        s_prev = put("s_c_prev", t, s_c)
        net = x[:, t] @ W_x + b_c @ W_h + b
        b_iota = sigma(put("a_iota", t, net[:, :H] + params["p_i"] * s_prev))
        b_phi = sigma(put("a_phi", t, net[:, H : 2 * H] + params["p_f"] * s_prev))
        g = np.tanh(put("a_c", t, net[:, 2 * H : 3 * H]))
        s_c = put("s_c", t, b_phi * s_prev + b_iota * g)
        b_omega = sigma(put("a_omega", t, net[:, 3 * H :] + params["p_o"] * s_c))
        b_c = put("b_c", t, b_omega * np.tanh(s_c))
        for name, value in (("b_iota", b_iota), ("b_phi", b_phi), ("g", g), ("b_omega", b_omega)):
            rec.setdefault(name, []).append(value)
    return {k: np.stack(v, axis=1) for k, v in rec.items()}


def loss(rec, y):
    return 0.5 * float(((rec["b_c"] - y) ** 2).sum())


def finite_difference(case, name, t):
    x, y, params = case
    E = np.zeros((N, H))
    return numerical_gradient(lambda E: loss(graves_forward(x, params, (name, t, E)), y), E)


def core_backward_locals(dstate, step_cache):
    """Run lstmlab's ``lstm_core_backward`` and return its outputs and its local variables."""
    seen = {}

    def spy(frame, event, arg):
        if event == "return" and frame.f_code is lstm.lstm_core_backward.__code__:
            seen.update(frame.f_locals)

    sys.setprofile(spy)
    try:
        out = PEEPHOLE.core_backward(dstate, step_cache)
    finally:
        sys.setprofile(None)
    return out, seen


@pytest.fixture(scope="module")
def lab(case):
    """lstmlab's reference path: its forward cache and, per step, the locals of its backward."""
    x, y, params = case
    hs, _, cache = sequence.forward(x, params, PEEPHOLE, fast=False)
    dhs = hs - y
    steps = [None] * T
    dh_next, dc_next = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)):
        (_, (dh_next, dc_next), _, _), steps[t] = core_backward_locals(
            (dhs[:, t] + dh_next, dc_next), cache["caches"][t]
        )
    return cache, steps


def assert_close(lab_value, numerical, what):
    err = relative_error(numerical, lab_value).max()
    assert err < TOL, f"{what}: relative error {err:.2e} against finite differences"


# ------------------------------------------------------------------------------- forward (9.1)-(9.6)


@pytest.mark.parametrize(
    "key, graves",
    [
        ("i", "b_iota"),  # (9.1)
        ("f", "b_phi"),  # (9.2)
        ("g", "g"),  # (9.3)
        ("c", "s_c"),  # (9.4)
        ("o", "b_omega"),  # (9.5)
        ("h", "b_c"),  # (9.6)
    ],
    ids=[
        "eq_9_1_input_gate",
        "eq_9_2_forget_gate",
        "eq_9_3_cell_input",
        "eq_9_4_cell_state",
        "eq_9_5_output_gate",
        "eq_9_6_cell_output",
    ],
)
def test_forward_equations(case, lab, key, graves):
    x, _, params = case
    cache, _ = lab
    rec = graves_forward(x, params)
    for t in range(T):
        step = cache["caches"][t]
        ours = step["o"] * step["s"] if key == "h" else step[key]
        np.testing.assert_allclose(ours, rec[graves][:, t], rtol=1e-13, atol=1e-14, err_msg=f"{key} at t={t}")


# ------------------------------------------------------------------------------- backward (9.7)-(9.12)


@pytest.mark.parametrize("t", range(T))
def test_eq_9_7_cell_output_error_epsilon_c(case, lab, t):
    """eps_c(t) = dL/db_c(t): lstmlab's ``dh`` (the loss at t plus dh_prev from step t+1)."""
    assert_close(lab[1][t]["dh"], finite_difference(case, "b_c", t), f"eps_c at t={t}")


@pytest.mark.parametrize("t", range(T))
def test_eq_9_8_output_gate_delta_omega(case, lab, t):
    assert_close(lab[1][t]["da"]["o"], finite_difference(case, "a_omega", t), f"delta_omega at t={t}")


@pytest.mark.parametrize("t", range(T))
def test_eq_9_9_cell_state_error_epsilon_s(case, lab, t):
    """eps_s(t) = dL/ds_c(t): lstmlab's ``dc_t``, gathered from h(t), o(t)'s peephole and step t+1."""
    assert_close(lab[1][t]["dc_t"], finite_difference(case, "s_c", t), f"eps_s at t={t}")


@pytest.mark.parametrize("t", range(T - 1))
def test_eq_9_9_cell_state_error_from_the_next_step(case, lab, t):
    """The part of eps_s(t) that arrives from step t+1 (through f, p_i and p_f): lstmlab's ``dc``."""
    assert_close(lab[1][t]["dc"], finite_difference(case, "s_c_prev", t + 1), f"eps_s from t+1 at t={t}")
    assert_close(lab[1][t + 1]["dc_prev"], lab[1][t]["dc"], f"dc_prev of step {t + 1}")


@pytest.mark.parametrize("t", range(T))
def test_eq_9_10_cell_input_delta_c(case, lab, t):
    assert_close(lab[1][t]["da"]["g"], finite_difference(case, "a_c", t), f"delta_c at t={t}")


@pytest.mark.parametrize("t", range(T))
def test_eq_9_11_forget_gate_delta_phi(case, lab, t):
    assert_close(lab[1][t]["da"]["f"], finite_difference(case, "a_phi", t), f"delta_phi at t={t}")


@pytest.mark.parametrize("t", range(T))
def test_eq_9_12_input_gate_delta_iota(case, lab, t):
    assert_close(lab[1][t]["da"]["i"], finite_difference(case, "a_iota", t), f"delta_iota at t={t}")


# ------------------------------------------------------------------------------- gradients (9.13)-(9.14)


def _gradcheck(case, keys):
    x, y, params = case
    hs, _, cache = sequence.forward(x, params, PEEPHOLE, fast=False)
    grads = sequence.backward(hs - y, cache)
    return gradcheck(lambda p: loss(graves_forward(x, p), y), params, analytic=grads, keys=keys, tol=TOL)


def test_eq_9_13_weight_gradients_sum_over_time(case):
    _gradcheck(case, ["W_x", "W_h", "b"]).assert_ok()


def test_eq_9_14_peephole_gradients(case):
    _gradcheck(case, ["p_i", "p_f", "p_o"]).assert_ok()
