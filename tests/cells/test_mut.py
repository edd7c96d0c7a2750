"""Tests of MUT3 (lstmlab/cells/mut.py), Jozefowicz et al. 2015.

Oracles: the paper's equations written out here unit by unit (column-vector convention), and
central finite differences in float64 at the step and the sequence level.
"""

import numpy as np
import pytest

from lstmlab import get_cell, sequence
from lstmlab.cells import step_backward, step_forward
from lstmlab.gradcheck import gradcheck

N, T, D, H = 3, 5, 4, 5
MUT3 = get_cell("mut3")


def sigma(v):
    return 1.0 / (1.0 + np.exp(-v))


def mut3_paper(x, h_prev, params):
    """Jozefowicz et al. 2015, MUT3, one example and one unit j at a time, biases as in the paper.

    z = sigm(W_xz x + W_hz tanh(h) + b_z), r = sigm(W_xr x + W_hr h + b_r),
    h' = tanh(W_hh (r * h) + W_xh x + b_h) * z + h * (1 - z).
    """
    W_xz, W_xr, W_xh = (params["W_x"][:, k * H : (k + 1) * H].T for k in range(3))
    W_hz, W_hr, W_hh = (params["W_h"][:, k * H : (k + 1) * H].T for k in range(3))
    b_z, b_r, b_h = (params["b"][k * H : (k + 1) * H] for k in range(3))
    out = np.empty((len(x), H))
    for row, (x_n, h) in enumerate(zip(x, h_prev)):
        z = np.array([sigma(W_xz[j] @ x_n + W_hz[j] @ np.tanh(h) + b_z[j]) for j in range(H)])
        r = np.array([sigma(W_xr[j] @ x_n + W_hr[j] @ h + b_r[j]) for j in range(H)])
        cand = np.array([np.tanh(W_hh[j] @ (r * h) + W_xh[j] @ x_n + b_h[j]) for j in range(H)])
        out[row] = cand * z + h * (1.0 - z)
    return out


def make_inputs(seed=0):
    rng = np.random.default_rng(seed)
    params = {
        "W_x": rng.normal(size=(D, 3 * H)) / np.sqrt(D),
        "W_h": rng.normal(size=(H, 3 * H)) / np.sqrt(H),
        "b": 0.5 * rng.normal(size=3 * H),
    }
    return rng.normal(size=(N, D)), rng.normal(size=(N, H)), params


def test_layout():
    assert MUT3.blocks == ("z", "r", "n") and MUT3.state_names == ("h",)
    assert MUT3.param_shapes(D, H) == {"W_x": (D, 3 * H), "W_h": (H, 3 * H), "b": (3 * H,)}
    assert MUT3.recurrent == {"W_h": ("th_prev", "h_prev", "rh_prev")}


def test_forward_matches_the_paper():
    x, h_prev, params = make_inputs(1)
    (h,), _ = step_forward(MUT3, x, (h_prev,), params)
    np.testing.assert_allclose(h, mut3_paper(x, h_prev, params), rtol=1e-13, atol=1e-14)


def test_sequence_forward_matches_the_paper():
    rng = np.random.default_rng(2)
    _, _, params = make_inputs(2)
    x, h0 = rng.normal(size=(N, T, D)), rng.normal(size=(N, H))
    hs, final, _ = sequence.forward(x, params, "mut3", h0=h0)
    h = h0
    for t in range(T):
        h = mut3_paper(x[:, t], h, params)
        np.testing.assert_allclose(hs[:, t], h, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(final["h"], h, rtol=1e-12, atol=1e-14)


def test_step_backward_matches_finite_differences():
    x, h_prev, params = make_inputs(3)
    G = np.random.default_rng(4).normal(size=(N, H))

    def loss(p, inp):
        (h,), _ = step_forward(MUT3, inp["x"], (inp["h_prev"],), p)
        return float((G * h).sum())

    _, cache = step_forward(MUT3, x, (h_prev,), params)
    dx, (dh_prev,), grads = step_backward(MUT3, (G,), cache)
    report = gradcheck(loss, params, {"x": x, "h_prev": h_prev}, analytic={**grads, "x": dx, "h_prev": dh_prev})
    report.assert_ok()
    assert report.max_rel_error < 1e-7


def test_sequence_backward_matches_finite_differences():
    rng = np.random.default_rng(5)
    _, _, params = make_inputs(5)
    x, h0, dhs = rng.normal(size=(N, T, D)), rng.normal(size=(N, H)), rng.normal(size=(N, T, H))

    def loss(p, inp):
        hs, _, _ = sequence.forward(inp["x"], p, "mut3", h0=inp["h0"])
        return float((dhs * hs).sum())

    _, _, cache = sequence.forward(x, params, "mut3", h0=h0)
    grads = sequence.backward(dhs, cache)
    report = gradcheck(loss, params, {"x": x, "h0": h0}, analytic=grads)
    report.assert_ok()
    assert report.max_rel_error < 1e-7


def test_bad_input_names_the_argument(unchanged):
    x, h_prev, params = make_inputs(6)
    guard = unchanged(x, h_prev, params)
    with pytest.raises(ValueError, match=r"params\['W_h'\]: expected shape \(5, 15\), got \(5, 10\)"):
        step_forward(MUT3, x, (h_prev,), {**params, "W_h": params["W_h"][:, : 2 * H]})
    with pytest.raises(ValueError, match=r"h_prev: expected shape \(3, 5\), got \(3, 4\)"):
        step_forward(MUT3, x, (h_prev[:, :-1],), params)
    with pytest.raises(ValueError, match=r"x: expected shape \(\?, \?, 4\), got \(3, 1, 3\)"):
        sequence.forward(x[:, None, :-1], params, "mut3")
    guard.check()


@pytest.mark.parametrize(
    "cell, why", [("mut3", "MUT cells"), ("clockwork", "no Clockwork RNN"), ("depth_gated", "no depth-gated")]
)
def test_the_bridge_says_why_torch_has_no_such_cell(cell, why):
    from lstmlab.bridge import to_torch

    params = {f"l0.{k}": v for k, v in get_cell(cell).init_params(2, 4).items()}
    with pytest.raises(ValueError, match=f"cell: expected one of .*got '{cell}': .*{why}"):
        to_torch(params, cell)
