"""Tests of the depth-gated LSTM (lstmlab/cells/depth_gated.py), Yao et al. 2015.

Oracles: the paper's equations written out here (with the modern LSTM's gates), a two-layer
stack of plain LSTMs (lstmlab.stack, itself checked against torch.nn.LSTM) when the depth gate is
shut, and central finite differences in float64.
"""

import numpy as np
import pytest

from lstmlab import get_cell, sequence
from lstmlab.cells import step_backward, step_forward
from lstmlab.gradcheck import gradcheck
from lstmlab.stack import stack_forward

N, T, D, H = 2, 4, 3, 4
DG = get_cell("depth_gated")


def sigma(v):
    return 1.0 / (1.0 + np.exp(-v))


def lstm(x, h, c, W_x, W_h, b):
    a = x @ W_x + h @ W_h + b
    i, f, g, o = (a[:, k * H : (k + 1) * H] for k in range(4))
    c = sigma(f) * c + sigma(i) * np.tanh(g)
    return sigma(o) * np.tanh(c), c


def yao_2015(x, p):
    """Layer 1 an LSTM; layer 2 an LSTM whose cell also gets d * c1,
    d = sigm(b_d + W_xd x2 + w_cd c2_prev + w_ld c1)."""
    h1 = c1 = h2 = c2 = np.zeros((x.shape[0], H))
    out = []
    for t in range(x.shape[1]):
        h1, c1 = lstm(x[:, t], h1, c1, p["W_x"], p["W_h"], p["b"])
        a = h1 @ p["W_x2"] + p["b2"]
        i, f, g, o = (a[:, k * H : (k + 1) * H] + h2 @ p["W_h2"][:, k * H : (k + 1) * H] for k in range(4))
        d = sigma(a[:, 4 * H :] + p["w_cd"] * c2 + p["w_ld"] * c1)
        c2 = d * c1 + sigma(f) * c2 + sigma(i) * np.tanh(g)
        h2 = sigma(o) * np.tanh(c2)
        out.append(h2)
    return np.stack(out, axis=1)


def make_params(seed=0):
    return {k: 2.0 * v for k, v in DG.init_params(D, H, seed=seed).items()}


def test_layout():
    assert DG.state_names == ("h", "c", "h1", "c1") and DG.blocks == ("i", "f", "g", "o")
    shapes = DG.param_shapes(D, H)
    assert shapes["W_x2"] == (H, 5 * H) and shapes["W_h2"] == (H, 4 * H) and shapes["b2"] == (5 * H,)
    assert shapes["w_cd"] == shapes["w_ld"] == (H,)


def test_forward_matches_the_paper():
    params = make_params(1)
    x = np.random.default_rng(1).normal(size=(N, T, D))
    hs, final, _ = sequence.forward(x, params, "depth_gated")
    np.testing.assert_allclose(hs, yao_2015(x, params), rtol=1e-12, atol=1e-14)
    assert set(final) == {"h", "c", "h1", "c1"}


def test_a_shut_depth_gate_is_a_two_layer_lstm_stack():
    params = make_params(2)
    params["b2"][4 * H :] = -60.0  # d = sigma(-60) ~ 1e-26: no link between the cells
    params["w_cd"][:] = params["w_ld"][:] = 0.0
    x = np.random.default_rng(2).normal(size=(N, T, D))
    hs, _, _ = sequence.forward(x, params, "depth_gated")
    stacked = {
        "l0.W_x": params["W_x"],
        "l0.W_h": params["W_h"],
        "l0.b": params["b"],
        "l1.W_x": params["W_x2"][:, : 4 * H],
        "l1.W_h": params["W_h2"],
        "l1.b": params["b2"][: 4 * H],
    }
    out, _, _ = stack_forward(x, stacked, "lstm", num_layers=2)
    np.testing.assert_allclose(hs, out, rtol=1e-12, atol=1e-14)


def test_step_backward_matches_finite_differences():
    rng = np.random.default_rng(3)
    params = make_params(3)
    x = rng.normal(size=(N, D))
    state = tuple(rng.normal(size=(N, H)) for _ in range(4))
    G = tuple(rng.normal(size=(N, H)) for _ in range(4))
    names = ("h_prev", "c_prev", "h1_prev", "c1_prev")

    def loss(p, inp):
        out, _ = step_forward(DG, inp["x"], tuple(inp[k] for k in names), p)
        return float(sum((g * s).sum() for g, s in zip(G, out)))

    _, cache = step_forward(DG, x, state, params)
    dx, dprev, grads = step_backward(DG, G, cache)
    analytic = {**grads, "x": dx, **dict(zip(names, dprev))}
    report = gradcheck(loss, params, {"x": x, **dict(zip(names, state))}, analytic=analytic)
    report.assert_ok()
    assert report.max_rel_error < 1e-7


def test_sequence_backward_matches_finite_differences():
    rng = np.random.default_rng(4)
    params = make_params(4)
    x, h0, c0, dhs = (rng.normal(size=s) for s in ((N, T, D), (N, H), (N, H), (N, T, H)))

    def loss(p, inp):
        hs, _, _ = sequence.forward(inp["x"], p, "depth_gated", h0=inp["h0"], c0=inp["c0"])
        return float((dhs * hs).sum())

    _, _, cache = sequence.forward(x, params, "depth_gated", h0=h0, c0=c0)
    grads = sequence.backward(dhs, cache)
    report = gradcheck(loss, params, {"x": x, "h0": h0, "c0": c0}, analytic=grads)
    report.assert_ok()
    assert report.max_rel_error < 1e-7


def test_bad_input_names_the_argument(unchanged):
    params = make_params(5)
    x = np.zeros((N, T, D))
    guard = unchanged(x, params)
    with pytest.raises(ValueError, match=r"params\['W_x2'\]: expected shape \(4, 20\), got \(4, 16\)"):
        sequence.forward(x, {**params, "W_x2": params["W_x2"][:, : 4 * H]}, "depth_gated")
    with pytest.raises(ValueError, match=r"missing keys \['w_ld'\]"):
        sequence.forward(x, {k: v for k, v in params.items() if k != "w_ld"}, "depth_gated")
    guard.check()
