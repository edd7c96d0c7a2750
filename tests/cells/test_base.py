"""The cell protocol and the generic step functions, for every registered cell."""

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lstmlab
from lstmlab.backend import gpu_available, to_device
from lstmlab.cells.base import Cell, recurrent_weight_grads, sigmoid, step_backward, step_forward
from lstmlab.gradcheck import gradcheck

CELL_NAMES = sorted(lstmlab.CELLS)


def _step_loss(cell, x, state_prev, params, dstate):
    state, _ = step_forward(cell, x, state_prev, params)
    return float(sum((d * s).sum() for d, s in zip(dstate, state)))


@pytest.mark.parametrize("name", CELL_NAMES)
def test_step_backward_matches_finite_differences(name, make_case, unchanged):
    case = make_case(name, N=3, T=1, D=4, H=3, seed=11)
    cell, params, x = case["cell"], case["params"], case["x"][:, 0].copy()
    inputs = {"x": x, **{f"{n}_prev": s.copy() for n, s in zip(cell.state_names, case["state0"])}}
    dstate = case["dstate"]

    def loss(p, inp):
        return _step_loss(cell, inp["x"], tuple(inp[f"{n}_prev"] for n in cell.state_names), p, dstate)

    def grads(p, inp):
        state, cache = step_forward(cell, inp["x"], tuple(inp[f"{n}_prev"] for n in cell.state_names), p)
        guard = unchanged(dstate, cache)
        dx, dstate_prev, g = step_backward(cell, dstate, cache)
        guard.check()
        return {**g, "x": dx, **{f"{n}_prev": d for n, d in zip(cell.state_names, dstate_prev)}}

    report = gradcheck(loss, params, inputs, analytic=grads)
    assert set(report.results) == set(params) | set(inputs)
    report.assert_ok()
    assert report.max_rel_error < 1e-7


@pytest.mark.parametrize("name", CELL_NAMES)
def test_step_backward_treats_none_as_a_zero_upstream_gradient(name, make_case):
    case = make_case(name, seed=3)
    cell = case["cell"]
    _, cache = step_forward(cell, case["x"][:, 0], case["state0"], case["params"])
    only_h = (case["dstate"][0],) + (None,) * (len(cell.state_names) - 1)
    zeros = (case["dstate"][0],) + tuple(np.zeros_like(d) for d in case["dstate"][1:])
    dx_a, ds_a, g_a = step_backward(cell, only_h, cache)
    dx_b, ds_b, g_b = step_backward(cell, zeros, cache)
    np.testing.assert_allclose(dx_a, dx_b, rtol=1e-13, atol=1e-15)
    for a, b in zip(ds_a, ds_b):
        np.testing.assert_allclose(a, b, rtol=1e-13, atol=1e-15)
    for k in g_b:
        np.testing.assert_allclose(g_a[k], g_b[k], rtol=1e-13, atol=1e-15)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(CELL_NAMES),
    N=st.integers(1, 3),
    D=st.integers(1, 3),
    H=st.integers(1, 3),
    dtype=st.sampled_from([np.float32, np.float64]),
    seed=st.integers(0, 2**16),
)
def test_step_shapes_dtypes_and_no_mutation(name, N, D, H, dtype, seed, make_case, unchanged):
    case = make_case(name, N=N, T=1, D=D, H=H, dtype=dtype, seed=seed)
    cell, params, x = case["cell"], case["params"], case["x"][:, 0]
    guard = unchanged(x, params, case["state0"], case["dstate"])
    state, cache = step_forward(cell, x, case["state0"], params)
    dx, dstate_prev, grads = step_backward(cell, case["dstate"], cache)
    guard.check()
    for s, w in zip(state, cell.widths(H)):
        assert s.shape == (N, w) and s.dtype == dtype
    assert dx.shape == (N, D) and dx.dtype == dtype
    assert len(dstate_prev) == len(cell.state_names)
    for d, w in zip(dstate_prev, cell.widths(H)):
        assert d.shape == (N, w) and d.dtype == dtype
    assert set(grads) == set(params)
    for k, g in grads.items():
        assert g.shape == params[k].shape and g.dtype == dtype, k


def test_sigmoid_matches_the_logistic_function_without_overflow():
    a = np.array([-800.0, -30.0, -1.0, 0.0, 2.5, 40.0, 800.0])
    with np.errstate(over="ignore"):
        ref = 1.0 / (1.0 + np.exp(-a))
    with np.errstate(all="raise"):
        s = sigmoid(a)
    # 0.5 tanh(a/2) + 0.5 is accurate to machine precision in absolute terms (not relative, deep in the left tail)
    np.testing.assert_allclose(s, ref, rtol=1e-15, atol=2**-53)
    assert s.dtype == np.float64 and sigmoid(a.astype(np.float32)).dtype == np.float32


@pytest.mark.parametrize("name", CELL_NAMES)
def test_cell_layout(name):
    cell = lstmlab.get_cell(name)
    assert lstmlab.get_cell(cell) is cell
    shapes = cell.param_shapes(5, 7)
    G = cell.G
    assert (shapes["W_x"], shapes["W_h"], shapes["b"]) == ((5, G * 7), (7, G * 7), (G * 7,))
    assert cell.state_names[0] == "h" and len(cell.widths(7)) == len(cell.state_names)
    p = cell.init_params(5, 7, seed=4, dtype=np.float32)
    assert set(p) == set(shapes) and all(p[k].shape == shapes[k] and p[k].dtype == np.float32 for k in p)
    bound = 1 / np.sqrt(7)
    assert all(np.abs(v).max() <= bound for v in p.values())
    assert all(np.array_equal(p[k], cell.init_params(5, 7, seed=4, dtype=np.float32)[k]) for k in p)
    assert not np.array_equal(p["W_h"], cell.init_params(5, 7, seed=5, dtype=np.float32)["W_h"])
    assert cell.dims(p) == (5, 7) and cell.check_params(p) == (5, 7, np.float32)
    zs = cell.zero_state(2, 7, np, np.float64)
    assert all(z.shape == (2, w) and not z.any() for z, w in zip(zs, cell.widths(7)))


def test_registry_aliases_and_unknown_names():
    assert lstmlab.get_cell("vanilla") is lstmlab.get_cell("peephole")
    for name in ("lstm", "rnn", "gru"):
        assert name in lstmlab.CELLS
    for bad in ("LSTM", "", None, 3):
        with pytest.raises(ValueError, match="cell: expected one of"):
            lstmlab.get_cell(bad)


def test_recurrent_weight_grads_with_one_input_per_block():
    # A fake cell whose three blocks of W multiply u, v, u: dW[:, block] = (input of that block).T @ da[:, block]
    rng = np.random.default_rng(0)
    u, v, da = rng.standard_normal((4, 2)), rng.standard_normal((4, 2)), rng.standard_normal((4, 9))
    cell = Cell("fake", ("a", "b", "c"), ("h",), None, None, recurrent={"W": ("u", "v", "u")})
    dW = recurrent_weight_grads(cell, {"u": u, "v": v}.__getitem__, {"W": da})["W"]
    ref = np.concatenate([u.T @ da[:, 0:3], v.T @ da[:, 3:6], u.T @ da[:, 6:9]], axis=1)
    np.testing.assert_allclose(dW, ref, rtol=1e-14)


def _bad_step_calls(case):
    """(description, args of step_forward, error, message fragment)."""
    cell, p, x, s0 = case["cell"], case["params"], case["x"][:, 0], case["state0"]
    no_b = {k: v for k, v in p.items() if k != "b"}
    return [
        ("x 3-D", (cell, case["x"], s0, p), ValueError, r"x: expected shape \(\?, 3\), got \(2, 4, 3\)"),
        ("x float32", (cell, x.astype(np.float32), s0, p), TypeError, "x: expected dtype float64"),
        ("h_prev wrong width", (cell, x, (s0[0][:, :2],) + s0[1:], p), ValueError, r"h_prev: expected shape \(2, 3\)"),
        ("h_prev batch", (cell, x, (s0[0][:1],) + s0[1:], p), ValueError, r"h_prev: expected shape \(2, 3\)"),
        ("missing b", (cell, x, s0, no_b), ValueError, r"params: expected keys .* missing keys \['b'\]"),
        ("params list", (cell, x, s0, list(p.values())), TypeError, "params: expected a dict of arrays, got list"),
        ("x NaN", (cell, np.where(x > 0, np.nan, x), s0, p), ValueError, "x: expected finite values"),
    ]


@pytest.mark.parametrize("name", ["lstm", "gru", "rnn", "fgr"])
def test_step_forward_refuses_bad_calls(name, make_case, unchanged):
    case = make_case(name, seed=2)
    for what, args, err, fragment in _bad_step_calls(case):
        guard = unchanged(args[1:])
        with pytest.raises(err, match=fragment):
            step_forward(*args)
        guard.check()
        assert what


@pytest.mark.gpu
@pytest.mark.parametrize("name", CELL_NAMES)
def test_step_on_gpu_matches_numpy(name, make_case):
    assert gpu_available()
    import cupy  # noqa: F401  (only reached with a GPU)

    case = make_case(name, seed=8)
    cell, params, x, s0, ds = case["cell"], case["params"], case["x"][:, 0], case["state0"], case["dstate"]
    state, cache = step_forward(cell, x, s0, params)
    dx, dprev, grads = step_backward(cell, ds, cache)
    g_state, g_cache = step_forward(
        cell, to_device(x, "gpu"), tuple(to_device(s, "gpu") for s in s0), to_device(params, "gpu")
    )
    g_dx, g_dprev, g_grads = step_backward(cell, tuple(to_device(d, "gpu") for d in ds), g_cache)
    for a, b in [*zip(state, g_state), (dx, g_dx), *zip(dprev, g_dprev), *((grads[k], g_grads[k]) for k in grads)]:
        assert type(b).__module__.startswith("cupy")
        np.testing.assert_allclose(lstmlab.backend.asnumpy(b), a, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("name", ["lstm", "fgr"])
def test_step_forward_refuses_a_state_with_too_few_entries(name, make_case):
    case = make_case(name, seed=1)
    with pytest.raises(ValueError, match=r"state_prev: expected a tuple of \d arrays"):
        step_forward(case["cell"], case["x"][:, 0], case["state0"][:-1], case["params"])


def test_lstm_step_forward_sends_fgr_to_the_generic_step(make_case):
    case = make_case("fgr", seed=1)
    h0, c0 = case["state0"][:2]
    with pytest.raises(ValueError, match="use lstmlab.cells.step_forward"):
        lstmlab.cells.lstm_step_forward(case["x"][:, 0], h0, c0, case["params"], cell=case["cell"])


def test_a_wrong_W_h_is_named_as_the_culprit():
    cell = lstmlab.get_cell("lstm")
    params = cell.init_params(3, 4)
    params["W_h"] = np.zeros((5, 16))
    x = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"params\['W_h'\]: expected shape \(4, 16\), got \(5, 16\)"):
        step_forward(cell, x, (np.zeros((2, 4)), np.zeros((2, 4))), params)
