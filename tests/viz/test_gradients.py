"""Jacobian norms against torch autograd and finite differences; spectral-radius scaling against numpy.linalg."""

import numpy as np
import pytest
import torch

import lstmlab
from lstmlab.viz.gradients import (
    gradient_heatmap,
    jacobian_norm_table,
    jacobian_norms,
    plot_jacobian_norms,
    random_rnn,
    scale_spectral_radius,
    step_jacobians,
    vanishing_gradient_data,
)

ACT = {"rnn": torch.tanh, "rnn_relu": torch.relu, "rnn_sigmoid": torch.sigmoid}


def torch_norms(params, x, cell, h0):
    """||dh_T/dh_k|| by torch.autograd.functional.jacobian of the map h_k -> h_T, written from the RNN equation."""
    W_x, W_h, b = (torch.tensor(params[k]) for k in ("W_x", "W_h", "b"))
    xs = torch.tensor(x)
    act = ACT[cell]
    T = xs.shape[0]
    hs = [torch.tensor(h0)]
    for t in range(T):
        hs.append(act(xs[t] @ W_x + hs[-1] @ W_h + b))
    out = []
    for k in range(T + 1):

        def run(h, k=k):
            for t in range(k, T):
                h = act(xs[t] @ W_x + h @ W_h + b)
            return h

        J = torch.autograd.functional.jacobian(run, hs[k].detach())
        out.append(torch.linalg.matrix_norm(J, ord=2).item())
    return np.array(out)


@pytest.mark.parametrize("cell", ["rnn", "rnn_sigmoid", "rnn_relu"])
def test_jacobian_norms_match_torch(cell):
    rng = np.random.default_rng(3)
    H, D, T = 5, 2, 7
    params = {"W_x": rng.standard_normal((D, H)), "W_h": rng.standard_normal((H, H)) * 0.6, "b": rng.standard_normal(H)}
    x = rng.standard_normal((T, D))
    h0 = rng.standard_normal(H) * 0.3
    ours = jacobian_norms(params, x, cell, h0=h0)
    np.testing.assert_allclose(ours, torch_norms(params, x, cell, h0), rtol=1e-10, atol=1e-14)
    assert ours[-1] == pytest.approx(1.0)


def test_rnn_step_jacobian_is_diag_phi_prime_times_W_h_transpose():
    rng = np.random.default_rng(0)
    params = {"W_x": rng.standard_normal((1, 3)), "W_h": rng.standard_normal((3, 3)), "b": rng.standard_normal(3)}
    x = rng.standard_normal((2, 1))
    J = step_jacobians(params, x, "rnn")
    a1 = x[0] @ params["W_x"] + params["b"]  # h_0 = 0
    np.testing.assert_allclose(J[0], np.diag(1 - np.tanh(a1) ** 2) @ params["W_h"].T, rtol=1e-13)


def central_fd_jacobian(f, v, eps=1e-6):
    cols = []
    for j in range(v.size):
        e = np.zeros_like(v)
        e[j] = eps
        cols.append((f(v + e) - f(v - e)) / (2 * eps))
    return np.stack(cols, axis=1)


@pytest.mark.parametrize("cell", ["lstm", "gru", "gru_cho", "peephole"])
def test_jacobian_norms_of_gated_cells_match_finite_differences(cell):
    """For cells with a c state the norm is that of dh_T / d(h_k, c_k); checked by central differences."""
    c = lstmlab.get_cell(cell)
    rng = np.random.default_rng(1)
    D, H, T = 2, 3, 5
    params = c.init_params(D, H, seed=2)
    x = rng.standard_normal((T, D))
    has_c = "c" in c.state_names
    expected = []
    for k in range(T + 1):
        _, final, cache = lstmlab.sequence.forward(x[None, :k], params, c, fast=False) if k else (None, None, None)
        s_k = (
            np.zeros(2 * H if has_c else H)
            if k == 0
            else np.concatenate([final["h"][0]] + ([final["c"][0]] if has_c else []))
        )

        def run(s, k=k):
            if k == T:
                return s[:H]
            init = {"h0": s[None, :H]} | ({"c0": s[None, H:]} if has_c else {})
            return lstmlab.sequence.forward(x[None, k:], params, c, fast=False, **init)[1]["h"][0]

        expected.append(np.linalg.norm(central_fd_jacobian(run, s_k), 2))
    np.testing.assert_allclose(jacobian_norms(params, x, cell), expected, rtol=1e-7)


def test_geometric_decay_for_spectral_radius_half():
    """tanh, rho = 0.5, small inputs: ||dh_T/dh_k|| <= C * 0.5^(T-k) up to the non-normal transient, and it falls."""
    lags, norms = vanishing_gradient_data(0.5, "tanh", T=60, H=8, seed=0)
    assert np.all(norms[1:] < 1.0)
    # average decay per step over the last 40 lags is at most the spectral radius (|tanh'| <= 1)
    rate = (norms[60] / norms[20]) ** (1 / 40)
    assert rate <= 0.5 + 1e-9
    assert norms[60] < 1e-15


@pytest.mark.parametrize("rho", [0.25, 0.9, 1.0, 3.7])
def test_scale_spectral_radius(rho):
    W = np.random.default_rng(5).standard_normal((6, 6))
    W_copy = W.copy()
    out = scale_spectral_radius(W, rho)
    assert abs(np.max(np.abs(np.linalg.eigvals(out))) - rho) < 1e-12
    np.testing.assert_array_equal(W, W_copy)


def test_scale_spectral_radius_errors():
    with pytest.raises(ValueError, match=r"W_h: expected a square matrix"):
        scale_spectral_radius(np.zeros((2, 3)), 1.0)
    with pytest.raises(ValueError, match=r"W_h: .*spectral radius 0"):
        scale_spectral_radius(np.array([[0.0, 1.0], [0.0, 0.0]]), 1.0)
    with pytest.raises(ValueError, match=r"rho: expected a finite number >= 0, got -1"):
        scale_spectral_radius(np.eye(2), -1.0)
    with pytest.raises(TypeError, match=r"rho: expected a real number, got str"):
        scale_spectral_radius(np.eye(2), "1")


def test_jacobian_norms_errors():
    params, cell = random_rnn(3, 0.9)
    with pytest.raises(ValueError, match=r"x: expected shape \(\?, 1\), got \(4, 2\)"):
        jacobian_norms(params, np.zeros((4, 2)), cell)
    with pytest.raises(ValueError, match=r"h0: expected shape \(3,\)"):
        jacobian_norms(params, np.zeros((4, 1)), cell, h0=np.zeros(2))
    with pytest.raises(ValueError, match=r"norm: expected one of"):
        jacobian_norms(params, np.zeros((4, 1)), cell, norm="max")


def test_table_rows_agree_with_jacobian_norms_of_prefixes():
    params, cell = random_rnn(4, 1.2, seed=1)
    x = np.random.default_rng(2).standard_normal((6, 1))
    table = jacobian_norm_table(params, x, cell)
    assert table.shape == (6, 7)
    for t in range(1, 7):
        np.testing.assert_allclose(table[t - 1, : t + 1], jacobian_norms(params, x[:t], cell)[::-1], rtol=1e-12)
        assert np.isnan(table[t - 1, t + 1 :]).all()


def test_plots_return_figures_with_alt_text():
    fig = plot_jacobian_norms(rhos=(0.5, 1.5), T=10, H=4)
    assert "0.5" in fig.alt_text and "1.5" in fig.alt_text
    assert len(fig.axes[0].get_lines()) >= 2
    params, cell = random_rnn(3, 0.9)
    fig = gradient_heatmap(jacobian_norm_table(params, np.ones((5, 1)), cell))
    assert "Heatmap" in fig.alt_text
    with pytest.raises(ValueError, match="norms: expected at least one positive value"):
        gradient_heatmap(np.zeros((2, 2)))
