"""Tests of the GRU cells (lstmlab/cells/gru.py), in PyTorch's and in Cho et al. 2014's convention.

Oracles: central finite differences in float64 (step and sequence level),
Cho et al.'s equations written out here unit by unit, and torch.nn.GRUCell / torch.nn.GRU.
"""

import numpy as np
import pytest

from lstmlab import sequence
from lstmlab.cells import get_cell, gru_step_backward, gru_step_forward
from lstmlab.gradcheck import gradcheck

N, T, D, H = 3, 4, 4, 5
CONVENTIONS = {"torch": "gru", "cho": "gru_cho"}
# The finite-difference step: truncation error ~ eps**2, rounding error ~ 1e-16 * |loss| / eps; 1e-5 balances them
EPS = 1e-5


def make_params(convention, rng):
    params = {
        "W_x": rng.normal(size=(D, 3 * H)) / np.sqrt(D),
        "W_h": rng.normal(size=(H, 3 * H)) / np.sqrt(H),
        "b": 0.5 * rng.normal(size=3 * H),
    }
    if convention == "torch":
        params["b_hn"] = 0.5 * rng.normal(size=H)
    return params


def make_inputs(convention="torch", seed=0):
    """x (N, D), h_prev (N, H) and params drawn at random, in float64."""
    rng = np.random.default_rng(seed)
    return rng.normal(size=(N, D)), rng.normal(size=(N, H)), make_params(convention, rng)


def cho_2014(x, h_prev, params):
    """Cho et al. 2014, eqs. (5)-(8), one example and one hidden unit j at a time (column-vector convention).

    r_j = sigma([W_r x]_j + [U_r h]_j),  z_j = sigma([W_z x]_j + [U_z h]_j),
    h~_j = tanh([W x]_j + [U (r * h)]_j),  h'_j = z_j h_j + (1 - z_j) h~_j,
    with the biases the paper leaves out added back to each pre-activation.
    """

    def sigma(v):
        return 1.0 / (1.0 + np.exp(-v))

    W_r, W_z, W = (params["W_x"][:, k * H : (k + 1) * H].T for k in range(3))  # (H, D) each
    U_r, U_z, U = (params["W_h"][:, k * H : (k + 1) * H].T for k in range(3))  # (H, H) each
    b_r, b_z, b = (params["b"][k * H : (k + 1) * H] for k in range(3))
    out = np.empty((len(x), H))
    for row, (x_n, h) in enumerate(zip(x, h_prev)):
        r = np.array([sigma(W_r[j] @ x_n + U_r[j] @ h + b_r[j]) for j in range(H)])
        z = np.array([sigma(W_z[j] @ x_n + U_z[j] @ h + b_z[j]) for j in range(H)])
        h_tilde = np.array([np.tanh(W[j] @ x_n + U[j] @ (r * h) + b[j]) for j in range(H)])
        out[row] = [z[j] * h[j] + (1.0 - z[j]) * h_tilde[j] for j in range(H)]
    return out


def torch_gru_equations(x, h_prev, params):
    """The equations of torch.nn.GRUCell's documentation, with b_ir + b_hr and b_iz + b_hz folded into b."""
    a_x = x @ params["W_x"] + params["b"]
    a_h = h_prev @ params["W_h"]
    s = [slice(k * H, (k + 1) * H) for k in range(3)]
    r = 1.0 / (1.0 + np.exp(-(a_x[:, s[0]] + a_h[:, s[0]])))
    z = 1.0 / (1.0 + np.exp(-(a_x[:, s[1]] + a_h[:, s[1]])))
    n = np.tanh(a_x[:, s[2]] + r * (a_h[:, s[2]] + params["b_hn"]))
    return (1.0 - z) * n + z * h_prev


# ---------------------------------------------------------------------------------------------------------------------
# the cells in the registry


def test_registered_cells_and_their_parameters():
    gru, cho = get_cell("gru"), get_cell("gru_cho")
    assert gru.blocks == cho.blocks == ("r", "z", "n")
    assert gru.state_names == cho.state_names == ("h",)
    shapes = {"W_x": (D, 3 * H), "W_h": (H, 3 * H), "b": (3 * H,)}
    assert cho.param_shapes(D, H) == shapes
    assert gru.param_shapes(D, H) == {**shapes, "b_hn": (H,)}
    # Cho's n block of W_h multiplies r * h_prev, the other blocks h_prev
    assert cho.recurrent == {"W_h": ("h_prev", "h_prev", "rh_prev")}
    assert gru.recurrent == {"W_h": "h_prev"}


# ---------------------------------------------------------------------------------------------------------------------
# forward against the papers' equations


def test_cho_forward_matches_cho_2014():
    x, h_prev, params = make_inputs("cho", seed=1)
    h, _ = gru_step_forward(x, h_prev, params, convention="cho")
    np.testing.assert_allclose(h, cho_2014(x, h_prev, params), rtol=1e-13, atol=1e-14)


def test_torch_forward_matches_torch_equations():
    x, h_prev, params = make_inputs("torch", seed=2)
    h, _ = gru_step_forward(x, h_prev, params)
    np.testing.assert_allclose(h, torch_gru_equations(x, h_prev, params), rtol=1e-13, atol=1e-14)


def test_conventions_differ_only_through_the_reset_gate():
    x, h_prev, params = make_inputs("cho", seed=3)
    torch_params = {**params, "b_hn": np.zeros(H)}
    h_cho, _ = gru_step_forward(x, h_prev, params, convention="cho")
    h_torch, _ = gru_step_forward(x, h_prev, torch_params, convention="torch")
    assert np.abs(h_cho - h_torch).max() > 1e-3  # r * (h W_hn) != (r * h) W_hn in general
    # with the reset gate held open (r = 1: a huge bias), both read n = tanh(a_n + h_prev W_hn)
    open_r = {**params, "b": params["b"].copy()}
    open_r["b"][:H] = 50.0
    h_cho, _ = gru_step_forward(x, h_prev, open_r, convention="cho")
    h_torch, _ = gru_step_forward(x, h_prev, {**open_r, "b_hn": np.zeros(H)}, convention="torch")
    np.testing.assert_allclose(h_cho, h_torch, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("convention", list(CONVENTIONS))
def test_sequence_forward_matches_step_equations(convention):
    rng = np.random.default_rng(4)
    params = make_params(convention, rng)
    x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
    hs, final, _ = sequence.forward(x, params, cell=CONVENTIONS[convention], h0=h0)
    step = cho_2014 if convention == "cho" else torch_gru_equations
    h = h0
    for t in range(T):
        h = step(x[:, t], h, params)
        np.testing.assert_allclose(hs[:, t], h, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(final["h"], h, rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------------------------------------------------------------
# backward against central finite differences


@pytest.mark.parametrize("convention", list(CONVENTIONS))
def test_step_backward_matches_finite_differences(convention):
    x, h_prev, params = make_inputs(convention, seed=5)
    G = np.random.default_rng(6).normal(size=(N, H))  # loss = sum(G * h)

    def loss(p, inp):
        h, _ = gru_step_forward(inp["x"], inp["h_prev"], p, convention=convention)
        return float((G * h).sum())

    _, cache = gru_step_forward(x, h_prev, params, convention=convention)
    dx, dh_prev, grads = gru_step_backward(G, cache)
    assert set(grads) == set(params)
    analytic = {**grads, "x": dx, "h_prev": dh_prev}
    report = gradcheck(loss, params, {"x": x, "h_prev": h_prev}, analytic=analytic, eps=EPS)
    report.assert_ok()
    assert report.max_rel_error < 1e-7


@pytest.mark.parametrize("convention", list(CONVENTIONS))
def test_sequence_backward_matches_finite_differences(convention, make_case):
    cell = CONVENTIONS[convention]
    case = make_case(cell, N=N, T=T, D=D, H=H, seed=7)
    params, x, h0, dhs, (dh_T,) = (case[k] for k in ("params", "x", "h0", "dhs", "dstate"))

    def loss(p, inp):
        hs, final, _ = sequence.forward(inp["x"], p, cell=cell, h0=inp["h0"])
        return float((dhs * hs).sum() + (dh_T * final["h"]).sum())

    _, _, cache = sequence.forward(x, params, cell=cell, h0=h0)
    grads = sequence.backward(dhs, cache, dh_T=dh_T)
    assert set(grads) == {*params, "x", "h0"}
    report = gradcheck(loss, params, {"x": x, "h0": h0}, analytic=grads, eps=EPS)
    report.assert_ok()
    assert report.max_rel_error < 1e-7


# ---------------------------------------------------------------------------------------------------------------------
# parity with PyTorch, float64


def _torch_gru_params(params, rng, layer):
    """Copy our params into a torch GRUCell/GRU layer.

    weight_ih = W_x^T, weight_hh = W_h^T; b = bias_ih + [bias_hr, bias_hz, 0] and b_hn = bias_hn, so bias_ih
    and the r, z blocks of bias_hh take any split of b's r and z blocks.
    """
    import torch

    split = np.concatenate([rng.normal(size=2 * H), np.zeros(H)])
    bias_hh = split + np.concatenate([np.zeros(2 * H), params["b_hn"]])
    suffix = "" if layer.__class__.__name__ == "GRUCell" else "_l0"
    with torch.no_grad():
        getattr(layer, f"weight_ih{suffix}").copy_(torch.from_numpy(params["W_x"].T))
        getattr(layer, f"weight_hh{suffix}").copy_(torch.from_numpy(params["W_h"].T))
        getattr(layer, f"bias_ih{suffix}").copy_(torch.from_numpy(params["b"] - split))
        getattr(layer, f"bias_hh{suffix}").copy_(torch.from_numpy(bias_hh))
    return [getattr(layer, f"{k}{suffix}") for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]


def _assert_grads_match_torch(grads, torch_params):
    w_ih, w_hh, b_ih, b_hh = (p.grad.numpy() for p in torch_params)
    tol = dict(rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grads["W_x"], w_ih.T, **tol)
    np.testing.assert_allclose(grads["W_h"], w_hh.T, **tol)
    np.testing.assert_allclose(grads["b"], b_ih, **tol)
    np.testing.assert_allclose(grads["b"][: 2 * H], b_hh[: 2 * H], **tol)  # b_hr and b_hz fold into b
    np.testing.assert_allclose(grads["b_hn"], b_hh[2 * H :], **tol)


def test_step_matches_torch_grucell():
    torch = pytest.importorskip("torch")
    x, h_prev, params = make_inputs("torch", seed=8)
    G = np.random.default_rng(9).normal(size=(N, H))
    h, cache = gru_step_forward(x, h_prev, params)
    dx, dh_prev, grads = gru_step_backward(G, cache)

    layer = torch.nn.GRUCell(D, H).double()
    torch_params = _torch_gru_params(params, np.random.default_rng(10), layer)
    xt = torch.tensor(x, requires_grad=True)
    ht = torch.tensor(h_prev, requires_grad=True)
    out = layer(xt, ht)
    (out * torch.from_numpy(G)).sum().backward()

    tol = dict(rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(h, out.detach().numpy(), **tol)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **tol)
    np.testing.assert_allclose(dh_prev, ht.grad.numpy(), **tol)
    _assert_grads_match_torch(grads, torch_params)


def test_sequence_matches_torch_gru():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(11)
    params = make_params("torch", rng)
    x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
    dhs = rng.normal(size=(N, T, H))
    hs, _, cache = sequence.forward(x, params, cell="gru", h0=h0)
    grads = sequence.backward(dhs, cache)

    layer = torch.nn.GRU(D, H, batch_first=True).double()
    torch_params = _torch_gru_params(params, rng, layer)
    xt = torch.tensor(x, requires_grad=True)
    h0t = torch.tensor(h0[None], requires_grad=True)
    out, _ = layer(xt, h0t)
    (out * torch.from_numpy(dhs)).sum().backward()

    tol = dict(rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(hs, out.detach().numpy(), **tol)
    np.testing.assert_allclose(grads["x"], xt.grad.numpy(), **tol)
    np.testing.assert_allclose(grads["h0"], h0t.grad.numpy()[0], **tol)
    _assert_grads_match_torch(grads, torch_params)


# ---------------------------------------------------------------------------------------------------------------------
# bad input


def test_unknown_convention_is_a_value_error_naming_it():
    x, h_prev, params = make_inputs()
    with pytest.raises(ValueError, match=r"convention: expected one of \['cho', 'torch'\], got 'keras'"):
        gru_step_forward(x, h_prev, params, convention="keras")


def test_b_hn_belongs_to_the_torch_convention_only():
    x, h_prev, params = make_inputs("torch")
    with pytest.raises(ValueError, match=r"params: expected keys .*unknown keys \['b_hn'\]"):
        gru_step_forward(x, h_prev, params, convention="cho")
    del params["b_hn"]
    with pytest.raises(ValueError, match=r"params: expected keys .*missing keys \['b_hn'\]"):
        gru_step_forward(x, h_prev, params, convention="torch")


@pytest.mark.parametrize(
    "change, error, fragment",
    [
        (lambda x, h, p: (x[:, :-1], h, p), ValueError, r"x: expected shape \(\?, 4\), got \(3, 3\)"),
        (lambda x, h, p: (x, h[:, :-1], p), ValueError, r"h_prev: expected shape \(3, 5\), got \(3, 4\)"),
        (
            lambda x, h, p: (x, h, {**p, "W_h": p["W_h"][:, : 2 * H]}),
            ValueError,
            r"params\['W_h'\]: expected shape \(5, 15\), got \(5, 10\)",
        ),
        (
            lambda x, h, p: (x, h, {**p, "b_hn": p["b_hn"][:-1]}),
            ValueError,
            r"params\['b_hn'\]: expected shape \(5,\), got \(4,\)",
        ),
        (lambda x, h, p: (x, h.astype(np.float32), p), TypeError, r"h_prev: expected dtype float64"),
        (lambda x, h, p: (x, h, {**p, "b": p["b"] * np.nan}), ValueError, r"params\['b'\]: expected finite values"),
    ],
)
def test_bad_input_names_the_argument(change, error, fragment):
    x, h_prev, params = change(*make_inputs())
    with pytest.raises(error, match=fragment):
        gru_step_forward(x, h_prev, params)


def test_bad_dh_names_the_argument():
    x, h_prev, params = make_inputs()
    _, cache = gru_step_forward(x, h_prev, params)
    with pytest.raises(TypeError, match=r"dh: expected dtype float64"):
        gru_step_backward(np.ones((N, H), dtype=np.float32), cache)


@pytest.mark.parametrize("convention", list(CONVENTIONS))
def test_inputs_are_not_modified(convention, unchanged):
    x, h_prev, params = make_inputs(convention, seed=12)
    dh = np.random.default_rng(13).normal(size=(N, H))
    guard = unchanged(x, h_prev, dh, params)
    _, cache = gru_step_forward(x, h_prev, params, convention=convention)
    gru_step_backward(dh, cache)
    guard.check()
