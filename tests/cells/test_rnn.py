"""Tests of the vanilla RNN cells (lstmlab/cells/rnn.py).

Oracles: central finite differences in float64 (step and sequence level),
Elman's equations written out here, and torch.nn.RNNCell / torch.nn.RNN.
"""

import numpy as np
import pytest

from lstmlab import sequence
from lstmlab.cells import get_cell, rnn_step_backward, rnn_step_forward
from lstmlab.gradcheck import gradcheck

N, T, D, H = 3, 4, 4, 5
NONLINEARITIES = {"tanh": "rnn", "relu": "rnn_relu", "sigmoid": "rnn_sigmoid"}
# The finite-difference step: truncation error ~ eps**2, rounding error ~ 1e-16 * |loss| / eps; 1e-5 balances them
EPS = 1e-5


def make_inputs(seed=0, scale=1.0):
    """x (N, D), h_prev (N, H) and params drawn at random, in float64."""
    rng = np.random.default_rng(seed)
    params = {
        "W_x": scale * rng.normal(size=(D, H)) / np.sqrt(D),
        "W_h": scale * rng.normal(size=(H, H)) / np.sqrt(H),
        "b": 0.5 * rng.normal(size=H),
    }
    return rng.normal(size=(N, D)), rng.normal(size=(N, H)), params


def elman(x, h_prev, params, nonlinearity):
    """Elman 1990, one example at a time: the hidden units see the input and the context units (h_{t-1}).

    h = phi(V [x; h_prev] + b), with V = [W_x; W_h]^T the weights from input and context units.
    """
    phi = {
        "tanh": np.tanh,
        "relu": lambda a: np.where(a > 0, a, 0.0),
        "sigmoid": lambda a: 1.0 / (1.0 + np.exp(-a)),
    }[nonlinearity]
    V = np.concatenate([params["W_x"], params["W_h"]], axis=0).T  # (H, D + H)
    return np.stack([phi(V @ np.concatenate([x_n, h_n]) + params["b"]) for x_n, h_n in zip(x, h_prev)])


def pre_activations(x, h_prev, params):
    return x @ params["W_x"] + h_prev @ params["W_h"] + params["b"]


# ---------------------------------------------------------------------------------------------------------------------
# the cells in the registry


def test_registered_cells_have_one_block_named_h():
    for name in NONLINEARITIES.values():
        cell = get_cell(name)
        assert cell.name == name
        assert cell.blocks == ("h",)
        assert cell.state_names == ("h",)
        assert cell.param_shapes(D, H) == {"W_x": (D, H), "W_h": (H, H), "b": (H,)}


# ---------------------------------------------------------------------------------------------------------------------
# forward against Elman's equations


@pytest.mark.parametrize("nonlinearity", list(NONLINEARITIES))
def test_step_forward_matches_elman(nonlinearity):
    x, h_prev, params = make_inputs(seed=1)
    h, _ = rnn_step_forward(x, h_prev, params, nonlinearity=nonlinearity)
    np.testing.assert_allclose(h, elman(x, h_prev, params, nonlinearity), rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("nonlinearity", list(NONLINEARITIES))
def test_sequence_forward_matches_elman(nonlinearity):
    rng = np.random.default_rng(2)
    _, _, params = make_inputs(seed=2)
    x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
    hs, final, _ = sequence.forward(x, params, cell=NONLINEARITIES[nonlinearity], h0=h0)
    h = h0
    for t in range(T):
        h = elman(x[:, t], h, params, nonlinearity)
        np.testing.assert_allclose(hs[:, t], h, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(final["h"], h, rtol=1e-12, atol=1e-14)


def test_relu_cell_is_identity_recurrence_when_irnn_initialised():
    # IRNN (Le et al. 2015): W_h = I, b = 0; with non-negative h_prev and zero input, h = h_prev exactly
    rng = np.random.default_rng(3)
    params = {"W_x": rng.normal(size=(D, H)), "W_h": np.eye(H), "b": np.zeros(H)}
    h_prev = np.abs(rng.normal(size=(N, H)))
    h, _ = rnn_step_forward(np.zeros((N, D)), h_prev, params, nonlinearity="relu")
    np.testing.assert_array_equal(h, h_prev)


# ---------------------------------------------------------------------------------------------------------------------
# backward against central finite differences


@pytest.mark.parametrize("nonlinearity", list(NONLINEARITIES))
def test_step_backward_matches_finite_differences(nonlinearity):
    x, h_prev, params = make_inputs(seed=4)
    # ReLU has a kink at 0: keep every pre-activation well away from it, so that a step of EPS never crosses it
    assert np.abs(pre_activations(x, h_prev, params)).min() > 1e-3
    G = np.random.default_rng(5).normal(size=(N, H))  # loss = sum(G * h)

    def loss(p, inp):
        h, _ = rnn_step_forward(inp["x"], inp["h_prev"], p, nonlinearity=nonlinearity)
        return float((G * h).sum())

    _, cache = rnn_step_forward(x, h_prev, params, nonlinearity=nonlinearity)
    dx, dh_prev, grads = rnn_step_backward(G, cache)
    assert set(grads) == set(params)
    report = gradcheck(
        loss, params, {"x": x, "h_prev": h_prev}, analytic={**grads, "x": dx, "h_prev": dh_prev}, eps=EPS
    )
    report.assert_ok()
    assert report.max_rel_error < 1e-7


@pytest.mark.parametrize("cell", list(NONLINEARITIES.values()))
@pytest.mark.parametrize("truncate", [None, 2])
def test_sequence_backward_matches_finite_differences(cell, truncate, make_case):
    case = make_case(cell, N=N, T=T, D=D, H=H, seed=6)
    params, x, h0, dhs, (dh_T,) = (case[k] for k in ("params", "x", "h0", "dhs", "dstate"))
    hs, _, _ = sequence.forward(x, params, cell=cell, h0=h0)
    h_prevs = np.concatenate([h0[:, None], hs[:, :-1]], axis=1)
    assert np.abs(pre_activations(x, h_prevs, params)).min() > 1e-3  # away from ReLU's kink

    def loss(p, inp):
        hs, final, _ = sequence.forward(inp["x"], p, cell=cell, h0=inp["h0"])
        return float((dhs * hs).sum() + (dh_T * final["h"]).sum())

    _, _, cache = sequence.forward(x, params, cell=cell, h0=h0)
    grads = sequence.backward(dhs, cache, dh_T=dh_T)
    assert set(grads) == {*params, "x", "h0"}
    if truncate is None:
        report = gradcheck(loss, params, {"x": x, "h0": h0}, analytic=grads, eps=EPS)
        report.assert_ok()
        assert report.max_rel_error < 1e-7
    else:
        # truncated BPTT equals full BPTT of the sequence run chunk by chunk with the state detached between chunks
        truncated = sequence.backward(dhs, cache, dh_T=dh_T, truncate=truncate)
        h, chunk_grads = h0, []
        for t0 in range(0, T, truncate):
            _, final, c = sequence.forward(x[:, t0 : t0 + truncate], params, cell=cell, h0=h)
            last = t0 + truncate >= T
            chunk_grads.append(sequence.backward(dhs[:, t0 : t0 + truncate], c, dh_T=dh_T if last else None))
            h = final["h"]
        for k in params:
            np.testing.assert_allclose(truncated[k], sum(g[k] for g in chunk_grads), rtol=1e-12, atol=1e-14)
        np.testing.assert_allclose(truncated["x"], np.concatenate([g["x"] for g in chunk_grads], axis=1), rtol=1e-12)
        np.testing.assert_allclose(truncated["h0"], chunk_grads[0]["h0"], rtol=1e-12, atol=1e-14)


# ---------------------------------------------------------------------------------------------------------------------
# parity with PyTorch, float64


def _torch_rnn_params(params, rng, layer):
    """Copy our params into a torch RNNCell/RNN layer: weight_ih = W_x^T, weight_hh = W_h^T, bias_ih + bias_hh = b."""
    import torch

    split = rng.normal(size=H)  # any split of b between the two torch biases
    suffix = "" if layer.__class__.__name__ == "RNNCell" else "_l0"
    with torch.no_grad():
        getattr(layer, f"weight_ih{suffix}").copy_(torch.from_numpy(params["W_x"].T))
        getattr(layer, f"weight_hh{suffix}").copy_(torch.from_numpy(params["W_h"].T))
        getattr(layer, f"bias_ih{suffix}").copy_(torch.from_numpy(params["b"] - split))
        getattr(layer, f"bias_hh{suffix}").copy_(torch.from_numpy(split))
    return [getattr(layer, f"{k}{suffix}") for k in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")]


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_step_matches_torch_rnncell(nonlinearity):
    torch = pytest.importorskip("torch")
    x, h_prev, params = make_inputs(seed=7)
    G = np.random.default_rng(8).normal(size=(N, H))
    h, cache = rnn_step_forward(x, h_prev, params, nonlinearity=nonlinearity)
    dx, dh_prev, grads = rnn_step_backward(G, cache)

    layer = torch.nn.RNNCell(D, H, nonlinearity=nonlinearity).double()
    w_ih, w_hh, b_ih, b_hh = _torch_rnn_params(params, np.random.default_rng(9), layer)
    xt = torch.tensor(x, requires_grad=True)
    ht = torch.tensor(h_prev, requires_grad=True)
    out = layer(xt, ht)
    (out * torch.from_numpy(G)).sum().backward()

    tol = dict(rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(h, out.detach().numpy(), **tol)
    np.testing.assert_allclose(dx, xt.grad.numpy(), **tol)
    np.testing.assert_allclose(dh_prev, ht.grad.numpy(), **tol)
    np.testing.assert_allclose(grads["W_x"], w_ih.grad.numpy().T, **tol)
    np.testing.assert_allclose(grads["W_h"], w_hh.grad.numpy().T, **tol)
    np.testing.assert_allclose(grads["b"], b_ih.grad.numpy(), **tol)
    np.testing.assert_allclose(grads["b"], b_hh.grad.numpy(), **tol)


@pytest.mark.parametrize("nonlinearity", ["tanh", "relu"])
def test_sequence_matches_torch_rnn(nonlinearity):
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(10)
    _, _, params = make_inputs(seed=10)
    x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
    dhs = rng.normal(size=(N, T, H))
    hs, _, cache = sequence.forward(x, params, cell=NONLINEARITIES[nonlinearity], h0=h0)
    grads = sequence.backward(dhs, cache)

    layer = torch.nn.RNN(D, H, nonlinearity=nonlinearity, batch_first=True).double()
    w_ih, w_hh, b_ih, _ = _torch_rnn_params(params, rng, layer)
    xt = torch.tensor(x, requires_grad=True)
    h0t = torch.tensor(h0[None], requires_grad=True)
    out, _ = layer(xt, h0t)
    (out * torch.from_numpy(dhs)).sum().backward()

    tol = dict(rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(hs, out.detach().numpy(), **tol)
    np.testing.assert_allclose(grads["x"], xt.grad.numpy(), **tol)
    np.testing.assert_allclose(grads["h0"], h0t.grad.numpy()[0], **tol)
    np.testing.assert_allclose(grads["W_x"], w_ih.grad.numpy().T, **tol)
    np.testing.assert_allclose(grads["W_h"], w_hh.grad.numpy().T, **tol)
    np.testing.assert_allclose(grads["b"], b_ih.grad.numpy(), **tol)


# ---------------------------------------------------------------------------------------------------------------------
# bad input


def test_unknown_nonlinearity_is_a_value_error_naming_it():
    x, h_prev, params = make_inputs()
    with pytest.raises(ValueError, match=r"nonlinearity: expected one of \['relu', 'sigmoid', 'tanh'\], got 'gelu'"):
        rnn_step_forward(x, h_prev, params, nonlinearity="gelu")


@pytest.mark.parametrize(
    "change, error, fragment",
    [
        (lambda x, h, p: (x[:, :-1], h, p), ValueError, r"x: expected shape \(\?, 4\), got \(3, 3\)"),
        (lambda x, h, p: (x, h[:2], p), ValueError, r"h_prev: expected shape \(3, 5\), got \(2, 5\)"),
        (
            lambda x, h, p: (x, h, {**p, "b": p["b"][:-1]}),
            ValueError,
            r"params\['b'\]: expected shape \(5,\), got \(4,\)",
        ),
        (
            lambda x, h, p: (x, h, {**p, "W_h": p["W_h"][:, :-1]}),
            ValueError,
            r"params\['W_h'\]: expected shape \(5, 5\), got \(5, 4\)",
        ),
        (lambda x, h, p: (x, h, {k: v for k, v in p.items() if k != "b"}), ValueError, r"missing keys \['b'\]"),
        (lambda x, h, p: (x, h, {**p, "b_hn": p["b"]}), ValueError, r"unknown keys \['b_hn'\]"),
        (lambda x, h, p: (x.astype(np.float32), h, p), TypeError, r"x: expected dtype float64"),
        (lambda x, h, p: (x.tolist(), h, p), TypeError, r"x: expected a float array, got list"),
    ],
)
def test_bad_input_names_the_argument(change, error, fragment):
    x, h_prev, params = change(*make_inputs())
    with pytest.raises(error, match=fragment):
        rnn_step_forward(x, h_prev, params)


def test_bad_dh_names_the_argument():
    x, h_prev, params = make_inputs()
    _, cache = rnn_step_forward(x, h_prev, params)
    with pytest.raises(ValueError, match=r"dh: expected shape \(3, 5\), got \(3, 4\)"):
        rnn_step_backward(np.ones((N, H - 1)), cache)


@pytest.mark.parametrize("nonlinearity", list(NONLINEARITIES))
def test_inputs_are_not_modified(nonlinearity, unchanged):
    x, h_prev, params = make_inputs(seed=11)
    dh = np.random.default_rng(12).normal(size=(N, H))
    guard = unchanged(x, h_prev, dh, params)
    _, cache = rnn_step_forward(x, h_prev, params, nonlinearity=nonlinearity)
    rnn_step_backward(dh, cache)
    guard.check()
