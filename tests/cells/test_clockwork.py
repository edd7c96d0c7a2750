"""Tests of the Clockwork RNN (lstmlab/cells/clockwork.py), Koutník et al. 2014.

Oracles: the paper's update rule written out here module by module (column-vector convention,
block upper-triangular W_H), and central finite differences in float64.
"""

import numpy as np
import pytest

from lstmlab import get_cell, sequence
from lstmlab.cells import make_clockwork_cell, step_backward, step_forward
from lstmlab.cells.clockwork import active_units, clockwork_mask, module_of_unit
from lstmlab.gradcheck import gradcheck

N, T, D, H = 2, 9, 3, 8
PERIODS = (1, 2, 4, 8)


def koutnik_2014(x, params, periods=PERIODS):
    """Koutník et al. 2014, eq. (2): modules of k = H/g units; at step t (from 0) module i runs iff
    t mod T_i = 0, reading the modules j >= i; the others copy their state. One example at a time."""
    g = len(periods)
    k = H // g
    W_I, W_H, b = params["W_x"].T, params["W_h"].T, params["b"]  # column-vector forms
    out = np.zeros((x.shape[0], x.shape[1], H))
    for n in range(x.shape[0]):
        h = np.zeros(H)
        for t in range(x.shape[1]):
            new = h.copy()
            for i in range(g):
                if t % periods[i] == 0:
                    rows = slice(i * k, (i + 1) * k)
                    reads = slice(i * k, H)  # itself and the slower modules
                    new[rows] = np.tanh(W_H[rows, reads] @ h[reads] + W_I[rows] @ x[n, t] + b[rows])
            h = new
            out[n, t] = h
    return out


def make_params(seed=0, D=D, H=H):
    rng = np.random.default_rng(seed)
    return {"W_x": rng.normal(size=(D, H)), "W_h": rng.normal(size=(H, H)) / np.sqrt(H), "b": rng.normal(size=H)}


def test_forward_matches_the_paper():
    rng = np.random.default_rng(1)
    params = make_params(1)
    x = rng.normal(size=(N, T, D))
    hs, final, _ = sequence.forward(x, params, "clockwork")
    np.testing.assert_allclose(hs, koutnik_2014(x, params), rtol=1e-13, atol=1e-14)
    assert final["clock"].shape == (N, 1) and np.all(final["clock"] == T)


def test_mask_and_active_units():
    assert list(module_of_unit(8, 4)) == [0, 0, 1, 1, 2, 2, 3, 3]
    M = clockwork_mask(4, (1, 2, 4, 8))  # one unit per module
    np.testing.assert_array_equal(M, np.tril(np.ones((4, 4))))  # source i >= target j: slow feeds fast
    np.testing.assert_array_equal(active_units(0, 4), [1, 1, 1, 1])
    np.testing.assert_array_equal(active_units(6, 4), [1, 1, 0, 0])
    np.testing.assert_array_equal(active_units(3, 4), [1, 0, 0, 0])


def test_slow_modules_hold_their_state_between_updates():
    rng = np.random.default_rng(2)
    hs, _, _ = sequence.forward(rng.normal(size=(N, T, D)), make_params(2), "clockwork")
    slowest = hs[:, :, 6:]  # period 8: updated at t = 0 and t = 8 only
    for t in range(1, 8):
        np.testing.assert_array_equal(slowest[:, t], slowest[:, 0])
    assert np.abs(slowest[:, 8] - slowest[:, 7]).max() > 1e-6


def test_masked_weights_have_zero_gradient_and_no_effect():
    rng = np.random.default_rng(3)
    params = make_params(3)
    x, dhs = rng.normal(size=(N, T, D)), rng.normal(size=(N, T, H))
    hs, _, cache = sequence.forward(x, params, "clockwork")
    grads = sequence.backward(dhs, cache)
    M = clockwork_mask(H)
    assert np.all(grads["W_h"][M == 0] == 0.0)
    changed = {**params, "W_h": params["W_h"] + 5.0 * (1 - M)}
    np.testing.assert_array_equal(sequence.forward(x, changed, "clockwork")[0], hs)


@pytest.mark.parametrize("periods", [(1, 2, 4, 8), (1, 3)])
def test_sequence_backward_matches_finite_differences(periods):
    cell = make_clockwork_cell(periods, name="cw_test")
    rng = np.random.default_rng(4)
    params = make_params(4)
    x, h0, dhs = rng.normal(size=(N, T, D)), rng.normal(size=(N, H)), rng.normal(size=(N, T, H))

    def loss(p, inp):
        hs, _, _ = sequence.forward(inp["x"], p, cell, h0=inp["h0"])
        return float((dhs * hs).sum())

    _, _, cache = sequence.forward(x, params, cell, h0=h0)
    grads = sequence.backward(dhs, cache)
    assert set(grads) == {"W_x", "W_h", "b", "x", "h0"}
    report = gradcheck(loss, params, {"x": x, "h0": h0}, analytic=grads)
    report.assert_ok()
    assert report.max_rel_error < 1e-7


def test_step_backward_at_an_odd_step_matches_finite_differences():
    cell = get_cell("clockwork")
    rng = np.random.default_rng(5)
    params = make_params(5)
    x, h_prev, G = rng.normal(size=(N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
    clock = np.full((N, 1), 3.0)  # only the fastest module runs

    def loss(p, inp):
        (h, _), _ = step_forward(cell, inp["x"], (inp["h_prev"], clock), p)
        return float((G * h).sum())

    _, cache = step_forward(cell, x, (h_prev, clock), params)
    dx, (dh_prev, _), grads = step_backward(cell, (G, None), cache)
    report = gradcheck(loss, params, {"x": x, "h_prev": h_prev}, analytic={**grads, "x": dx, "h_prev": dh_prev})
    report.assert_ok()


@pytest.mark.parametrize(
    "periods, error, fragment",
    [
        ((2, 1), ValueError, r"periods: expected increasing ints >= 1, got \(2, 1\)"),
        ((0, 1), ValueError, "periods: expected increasing ints >= 1"),
        ((), ValueError, "periods: expected increasing ints >= 1"),
        ((1.5, 2), ValueError, "periods: expected increasing ints >= 1"),
        (3, TypeError, "periods: expected a sequence of ints, got"),
    ],
)
def test_bad_periods_are_named(periods, error, fragment):
    with pytest.raises(error, match=fragment):
        make_clockwork_cell(periods)


def test_bad_input_names_the_argument(unchanged):
    params = make_params(6)
    x = np.zeros((N, T, D))
    guard = unchanged(x, params)
    with pytest.raises(ValueError, match=r"c0: the cell 'clockwork' has no such state"):
        sequence.forward(x, params, "clockwork", c0=np.zeros((N, H)))
    with pytest.raises(ValueError, match=r"params\['W_h'\]: expected shape \(8, 8\), got \(8, 7\)"):
        sequence.forward(x, {**params, "W_h": params["W_h"][:, :-1]}, "clockwork")
    guard.check()


def test_step_jacobians_of_the_clockwork_cell_match_finite_differences():
    from lstmlab.viz import step_jacobians

    params = make_params(7, D=1, H=4)
    x = np.random.default_rng(7).normal(size=(5, 1))
    J = step_jacobians(params, x, "clockwork")  # (T, H + 1, H + 1): the state is (h, clock)
    assert J.shape == (5, 5, 5)
    hs, _, _ = sequence.forward(x[None], params, "clockwork")
    t, eps = 3, 1e-6  # J[t - 1] = d s_t / d s_{t-1}, numerically on the h block
    h_prev = hs[0, t - 1]
    num = np.empty((4, 4))
    for j in range(4):
        e = np.zeros(4)
        e[j] = eps
        clock = np.full((1, 1), float(t))
        up = step_forward(get_cell("clockwork"), x[None, t], ((h_prev + e)[None], clock), params)[0][0]
        down = step_forward(get_cell("clockwork"), x[None, t], ((h_prev - e)[None], clock), params)[0][0]
        num[:, j] = (up - down)[0] / (2 * eps)
    np.testing.assert_allclose(J[t][:4, :4], num, rtol=1e-7, atol=1e-9)
