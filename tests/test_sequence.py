"""Sequence-level forward and BPTT for every cell, on both paths (reference loop and fast LSTM path)."""

import inspect

import numpy as np
import pytest
import torch
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import lstmlab
from lstmlab import sequence
from lstmlab.backend import asnumpy, to_device
from lstmlab.cells.base import step_forward
from lstmlab.gradcheck import gradcheck

CELL_NAMES = sorted(lstmlab.CELLS)
HAS_FAST = "fast" in inspect.signature(sequence.forward).parameters
FAST = [False, True] if HAS_FAST else [None]


def run(x, params, cell, fast, **state):
    """sequence.forward, on the path ``fast`` (None: the keyword does not exist)."""
    return sequence.forward(x, params, cell, **state, **({} if fast is None else {"fast": fast}))


def _final_grads(case):
    """The upstream gradients of the final state that sequence.backward accepts: dh_T and, with a c, dc_T."""
    has_c = "c" in case["cell"].state_names
    return {"dh_T": case["dstate"][0], "dc_T": case["dstate"][1] if has_c else None}


def _initial(case):
    return {k: case[k].copy() for k in ("h0", "c0") if k in case}


def _loss(case, hs, final):
    fg = _final_grads(case)
    loss = (case["dhs"] * hs).sum() + (fg["dh_T"] * final["h"]).sum()
    return float(loss + ((fg["dc_T"] * final["c"]).sum() if fg["dc_T"] is not None else 0.0))


@pytest.mark.parametrize("fast", FAST)
@pytest.mark.parametrize("name", CELL_NAMES)
def test_bptt_matches_finite_differences(name, fast, make_case, unchanged):
    case = make_case(name, N=2, T=5, D=3, H=3, seed=31)
    inputs = {"x": case["x"].copy(), **_initial(case)}

    def loss(p, inp):
        hs, final, _ = run(inp["x"], p, name, fast, **{k: inp[k] for k in ("h0", "c0") if k in inp})
        return _loss(case, hs, final)

    def grads(p, inp):
        _, _, cache = run(inp["x"], p, name, fast, **{k: inp[k] for k in ("h0", "c0") if k in inp})
        guard = unchanged(case["dhs"], _final_grads(case))
        g = sequence.backward(case["dhs"], cache, **_final_grads(case))
        guard.check()
        return g

    report = gradcheck(loss, case["params"], inputs, analytic=grads)
    assert set(report.results) == set(case["params"]) | set(inputs)
    report.assert_ok()
    assert report.max_rel_error < 1e-7


def _torch_lstm(params, D, H):
    lstm = torch.nn.LSTM(D, H, batch_first=True, dtype=torch.float64)
    with torch.no_grad():
        lstm.weight_ih_l0.copy_(torch.from_numpy(params["W_x"].T))
        lstm.weight_hh_l0.copy_(torch.from_numpy(params["W_h"].T))
        lstm.bias_ih_l0.copy_(torch.from_numpy(params["b"]))
        lstm.bias_hh_l0.zero_()
    return lstm


@pytest.mark.parametrize("fast", FAST)
def test_lstm_matches_torch_nn_lstm(fast, make_case):
    case = make_case("lstm", N=3, T=7, D=4, H=5, seed=2)
    p, fg = case["params"], _final_grads(case)
    hs, final, cache = run(case["x"], p, "lstm", fast, h0=case["h0"], c0=case["c0"])
    grads = sequence.backward(case["dhs"], cache, **fg)

    lstm = _torch_lstm(p, 4, 5)
    x, h0, c0 = (torch.tensor(a, requires_grad=True) for a in (case["x"], case["h0"], case["c0"]))
    out, (h_T, c_T) = lstm(x, (h0[None], c0[None]))
    t = torch.from_numpy
    ((out * t(case["dhs"])).sum() + (h_T[0] * t(fg["dh_T"])).sum() + (c_T[0] * t(fg["dc_T"])).sum()).backward()
    tol = dict(rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(hs, out.detach().numpy(), **tol)
    np.testing.assert_allclose(final["c"], c_T[0].detach().numpy(), **tol)
    np.testing.assert_allclose(grads["W_x"], lstm.weight_ih_l0.grad.numpy().T, **tol)
    np.testing.assert_allclose(grads["W_h"], lstm.weight_hh_l0.grad.numpy().T, **tol)
    np.testing.assert_allclose(grads["b"], lstm.bias_ih_l0.grad.numpy(), **tol)
    for k, a in (("x", x), ("h0", h0), ("c0", c0)):
        np.testing.assert_allclose(grads[k], a.grad.numpy(), **tol)


# ---------------------------------------------------------------- truncated BPTT


@pytest.mark.parametrize("fast", FAST)
@pytest.mark.parametrize("name", CELL_NAMES)
def test_truncation_at_or_beyond_T_is_full_bptt(name, fast, make_case):
    case = make_case(name, N=2, T=4, D=2, H=3, seed=4)
    _, _, cache = run(case["x"], case["params"], name, fast, **_initial(case))
    full = sequence.backward(case["dhs"], cache, **_final_grads(case))
    for k in (4, 5, 100):
        cut = sequence.backward(case["dhs"], cache, **_final_grads(case), truncate=k)
        assert set(cut) == set(full)
        for key in full:
            np.testing.assert_allclose(cut[key], full[key], rtol=1e-14, atol=1e-15, err_msg=f"{key}, k={k}")


def _chunked_loss(case, k):
    """The loss of a forward pass run chunk by chunk, each chunk starting from the *unperturbed* state.

    Its finite-difference gradient is, by construction, the truncated-BPTT gradient: no perturbation of the
    params or of x can reach a later chunk through the state. Built from the cell's step function only.
    """
    cell, T = case["cell"], case["x"].shape[1]
    # forward starts every state entry but h and c at 0 (FGR's q, the clockwork's clock)
    start = [s if n in ("h", "c") else np.zeros_like(s) for n, s in zip(cell.state_names, case["state0"])]

    def states_along(x, params, state):
        out = []
        for t in range(x.shape[1]):
            state, _ = step_forward(cell, x[:, t], state, params)
            out.append(state)
        return out

    frozen = states_along(case["x"].copy(), {a: v.copy() for a, v in case["params"].items()}, tuple(start))

    def loss(p, inp):
        state0 = tuple(inp[f"{n}0"] if n in ("h", "c") else s for n, s in zip(cell.state_names, start))
        total, state = 0.0, state0
        for t in range(T):
            state_prev = state0 if t == 0 else (frozen[t - 1] if t % k == 0 else state)
            state, _ = step_forward(cell, inp["x"][:, t], tuple(state_prev), p)
            total += float((case["dhs"][:, t] * state[0]).sum())
        return total + sum(float((d * s).sum()) for d, s in zip(case["dstate"][:2], state))

    return loss


@pytest.mark.parametrize("k", [1, 2, 3])
@pytest.mark.parametrize("fast", FAST)
@pytest.mark.parametrize("name", CELL_NAMES)
def test_truncated_bptt_matches_finite_differences_of_the_chunked_forward(name, fast, k, make_case):
    case = make_case(name, N=2, T=5, D=2, H=3, seed=40 + k)
    _, _, cache = run(case["x"], case["params"], name, fast, **_initial(case))
    analytic = sequence.backward(case["dhs"], cache, **_final_grads(case), truncate=k)
    inputs = {"x": case["x"].copy(), **_initial(case)}
    report = gradcheck(_chunked_loss(case, k), case["params"], inputs, analytic=analytic)
    report.assert_ok()
    # and truncation really cut something: the gradients differ from full BPTT
    full = sequence.backward(case["dhs"], cache, **_final_grads(case))
    assert max(np.abs(full[key] - analytic[key]).max() for key in full) > 1e-4


@pytest.mark.parametrize("k", [1, 2, 3, 6])
@pytest.mark.parametrize("fast", FAST)
def test_truncated_lstm_matches_torch_with_detached_chunks(fast, k, make_case):
    case = make_case("lstm", N=2, T=7, D=3, H=4, seed=k)
    p, fg = case["params"], _final_grads(case)
    _, _, cache = run(case["x"], p, "lstm", fast, h0=case["h0"], c0=case["c0"])
    grads = sequence.backward(case["dhs"], cache, **fg, truncate=k)

    lstm = _torch_lstm(p, 3, 4)
    x, h0, c0 = (torch.tensor(a, requires_grad=True) for a in (case["x"], case["h0"], case["c0"]))
    dhs = torch.from_numpy(case["dhs"])
    state, loss = (h0[None], c0[None]), 0.0
    for s in range(0, 7, k):
        if s > 0:
            state = tuple(a.detach() for a in state)
        out, state = lstm(x[:, s : s + k], state)
        loss = loss + (out * dhs[:, s : s + k]).sum()
    loss = (
        loss + (state[0][0] * torch.from_numpy(fg["dh_T"])).sum() + (state[1][0] * torch.from_numpy(fg["dc_T"])).sum()
    )
    loss.backward()
    tol = dict(rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(grads["W_x"], lstm.weight_ih_l0.grad.numpy().T, **tol)
    np.testing.assert_allclose(grads["W_h"], lstm.weight_hh_l0.grad.numpy().T, **tol)
    np.testing.assert_allclose(grads["b"], lstm.bias_ih_l0.grad.numpy(), **tol)
    for key, a in (("x", x), ("h0", h0), ("c0", c0)):
        np.testing.assert_allclose(grads[key], a.grad.numpy(), **tol, err_msg=key)


# ---------------------------------------------------------------- properties


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    name=st.sampled_from(CELL_NAMES),
    N=st.integers(1, 3),
    T=st.integers(1, 4),
    D=st.integers(1, 3),
    H=st.integers(1, 3),
    dtype=st.sampled_from([np.float32, np.float64]),
    fast=st.sampled_from(FAST),
    truncate=st.sampled_from([None, 1, 2, 5]),
    seed=st.integers(0, 2**16),
)
def test_shapes_dtypes_and_no_mutation(name, N, T, D, H, dtype, fast, truncate, seed, make_case, unchanged):
    case = make_case(name, N=N, T=T, D=D, H=H, dtype=dtype, seed=seed)
    cell, params, x, fg = case["cell"], case["params"], case["x"], _final_grads(case)
    state = _initial(case)
    guard = unchanged(x, params, state, case["dhs"], fg)
    hs, final, cache = run(x, params, name, fast, **state)
    grads = sequence.backward(case["dhs"], cache, **fg, truncate=truncate)
    guard.check()
    assert hs.shape == (N, T, H) and hs.dtype == dtype
    assert set(final) == set(cell.state_names)
    for s, w in zip(cell.state_names, cell.widths(H)):
        assert final[s].shape == (N, w) and final[s].dtype == dtype
    np.testing.assert_array_equal(hs[:, -1], final["h"])
    assert set(grads) == set(params) | {"x"} | set(state)
    for k, g in grads.items():
        want = params[k].shape if k in params else (x.shape if k == "x" else (N, H))
        assert g.shape == want and g.dtype == dtype, k
        assert np.isfinite(g).all(), k


@pytest.mark.parametrize("name", CELL_NAMES)
def test_float32_agrees_with_float64(name, make_case):
    c64 = make_case(name, seed=9)
    c32 = make_case(name, dtype=np.float32, seed=9)
    hs64, _, cache64 = run(c64["x"], c64["params"], name, FAST[-1], **_initial(c64))
    hs32, _, cache32 = run(c32["x"], c32["params"], name, FAST[-1], **_initial(c32))
    np.testing.assert_allclose(hs32, hs64, rtol=1e-4, atol=1e-5)
    g64 = sequence.backward(c64["dhs"], cache64, **_final_grads(c64))
    g32 = sequence.backward(c32["dhs"], cache32, **_final_grads(c32))
    for k in g64:
        np.testing.assert_allclose(g32[k], g64[k], rtol=1e-3, atol=1e-4, err_msg=k)


def test_defaults_zero_state_and_no_upstream_gradient(make_case):
    case = make_case("lstm", seed=6)
    N, H = case["h0"].shape
    hs, final, cache = run(case["x"], case["params"], "lstm", FAST[-1])
    hs0, _, _ = run(case["x"], case["params"], "lstm", FAST[-1], h0=np.zeros((N, H)), c0=np.zeros((N, H)))
    np.testing.assert_array_equal(hs, hs0)
    g = sequence.backward(None, cache)
    assert all(not np.any(v) for v in g.values())  # no loss, no gradient
    g_h = sequence.backward(None, cache, dh_T=case["dstate"][0])
    g_hs = sequence.backward(np.concatenate([np.zeros((N, 3, H)), case["dstate"][0][:, None]], 1), cache)
    for k in g_h:
        np.testing.assert_allclose(g_h[k], g_hs[k], rtol=1e-14, atol=1e-16)


# ---------------------------------------------------------------- bad calls


def _bad_calls(case_lstm, case_rnn):
    """(id, forward kwargs or None, backward kwargs or None, error, message fragment); shapes N=2, T=4, D=3, H=3."""
    p, x, h0, c0 = case_lstm["params"], case_lstm["x"], case_lstm["h0"], case_lstm["c0"]
    f = dict(x=x, params=p, cell="lstm")
    nan_x, inf_b = x.copy(), {**p, "b": p["b"].copy()}
    nan_x[1, 2, 0] = np.nan
    inf_b["b"][3] = np.inf
    mixed = {**p, "W_h": p["W_h"].astype(np.float32)}
    return [
        ("x 2-D", {**f, "x": x[:, 0]}, None, ValueError, r"x: expected shape \(\?, \?, 3\), got \(2, 3\)"),
        ("x wrong D", {**f, "x": x[:, :, :2]}, None, ValueError, r"x: expected shape \(\?, \?, 3\), got \(2, 4, 2\)"),
        ("x float32", {**f, "x": x.astype(np.float32)}, None, TypeError, "x: expected dtype float64"),
        ("x int", {**f, "x": x.astype(np.int64)}, None, TypeError, "x: expected dtype float32 or float64, got int64"),
        ("x list", {**f, "x": x.tolist()}, None, TypeError, "x: expected a float array, got list"),
        ("x NaN", {**f, "x": nan_x}, None, ValueError, "x: expected finite values, got 1 NaN or inf entry"),
        ("T = 0", {**f, "x": x[:, :0]}, None, ValueError, r"x: expected at least one time step \(T >= 1\)"),
        ("mixed dtypes", {**f, "params": mixed}, None, TypeError, r"params\['W_h'\]: expected dtype float64"),
        ("params inf", {**f, "params": inf_b}, None, ValueError, r"params\['b'\]: expected finite values"),
        ("params int", {**f, "params": {k: v.astype(int) for k, v in p.items()}}, None, TypeError, "got int64"),
        (
            "missing key",
            {**f, "params": {k: v for k, v in p.items() if k != "b"}},
            None,
            ValueError,
            r"params: expected keys \['W_h', 'W_x', 'b'\], got missing keys \['b'\]",
        ),
        ("unknown key", {**f, "params": {**p, "W_y": p["b"]}}, None, ValueError, r"unknown keys \['W_y'\]"),
        ("params list", {**f, "params": list(p.values())}, None, TypeError, "params: expected a dict of arrays"),
        (
            "W_h shape",
            {**f, "params": {**p, "W_h": p["W_h"][:, :10]}},
            None,
            ValueError,
            r"params\[.W_h.\]: expected shape \(3, 12\), got \(3, 10\)",
        ),
        ("unknown cell", {**f, "cell": "lsmt"}, None, ValueError, r"cell: expected one of \[.*'lstm'.*\], got 'lsmt'"),
        ("h0 shape", {**f, "h0": h0[:1]}, None, ValueError, r"h0: expected shape \(2, 3\), got \(1, 3\)"),
        ("c0 float32", {**f, "c0": c0.astype(np.float32)}, None, TypeError, "c0: expected dtype float64"),
        (
            "c0 for an RNN",
            dict(x=case_rnn["x"], params=case_rnn["params"], cell="rnn", c0=c0),
            None,
            ValueError,
            "c0: the cell 'rnn' has no such state",
        ),
        ("truncate 0", f, {"truncate": 0}, ValueError, r"truncate: expected a positive int \(>= 1\), got 0"),
        ("truncate -1", f, {"truncate": -1}, ValueError, "truncate: expected a positive int"),
        ("truncate 2.5", f, {"truncate": 2.5}, TypeError, "truncate: expected a positive int or None, got float"),
        ("truncate True", f, {"truncate": True}, TypeError, "truncate: expected a positive int or None, got bool"),
        ("dhs shape", f, {"dhs": case_lstm["dhs"][:, :3]}, ValueError, r"dhs: expected shape \(2, 4, 3\)"),
        ("dhs float32", f, {"dhs": case_lstm["dhs"].astype(np.float32)}, TypeError, "dhs: expected dtype float64"),
        ("dh_T NaN", f, {"dh_T": np.full((2, 3), np.nan)}, ValueError, "dh_T: expected finite values, got 6"),
        (
            "dc_T for an RNN",
            dict(x=case_rnn["x"], params=case_rnn["params"], cell="rnn"),
            {"dc_T": c0},
            ValueError,
            "dc_T: the cell 'rnn' has no cell state c",
        ),
    ]


def _small_case(name, seed):
    """N=2, T=4, D=3, H=3 arrays for the bad calls (built here: parametrize ids need them at import time)."""
    rng = np.random.default_rng(seed)
    return {
        "params": lstmlab.get_cell(name).init_params(3, 3, seed=seed),
        "x": rng.standard_normal((2, 4, 3)),
        "h0": rng.standard_normal((2, 3)),
        "c0": rng.standard_normal((2, 3)),
        "dhs": rng.standard_normal((2, 4, 3)),
    }


BAD_CALLS = _bad_calls(_small_case("lstm", 0), _small_case("rnn", 1))
_IDS = [c[0] for c in BAD_CALLS]


@pytest.mark.parametrize("fast", FAST)
@pytest.mark.parametrize("which, fwd, bwd, err, fragment", BAD_CALLS, ids=_IDS)
def test_bad_calls_raise_clear_errors_and_modify_nothing(which, fwd, bwd, err, fragment, fast, unchanged):
    guard = unchanged(fwd, bwd)
    with pytest.raises(err, match=fragment):
        kwargs = {k: v for k, v in fwd.items() if k not in ("x", "params", "cell")}
        hs, _, cache = run(fwd["x"], fwd["params"], fwd["cell"], fast, **kwargs)
        if bwd is not None:
            sequence.backward(bwd.get("dhs", np.zeros_like(hs)), cache, **{k: v for k, v in bwd.items() if k != "dhs"})
    guard.check()


def test_there_are_at_least_fifteen_distinct_bad_calls():
    assert len(set(_IDS)) == len(_IDS) >= 15


# ---------------------------------------------------------------- GPU twin


@pytest.mark.gpu
@pytest.mark.parametrize("fast", FAST)
@pytest.mark.parametrize("name", CELL_NAMES)
def test_sequence_on_gpu_matches_numpy(name, fast, make_case):
    case = make_case(name, N=3, T=6, D=4, H=5, seed=12)
    fg = _final_grads(case)
    hs, final, cache = run(case["x"], case["params"], name, fast, **_initial(case))
    grads = sequence.backward(case["dhs"], cache, **fg, truncate=4)
    dev = lambda a: None if a is None else to_device(a, "gpu")  # noqa: E731
    g_hs, g_final, g_cache = run(
        dev(case["x"]), dev(case["params"]), name, fast, **{k: dev(v) for k, v in _initial(case).items()}
    )
    g_grads = sequence.backward(dev(case["dhs"]), g_cache, **{k: dev(v) for k, v in fg.items()}, truncate=4)
    assert type(g_hs).__module__.startswith("cupy")
    np.testing.assert_allclose(asnumpy(g_hs), hs, rtol=1e-12, atol=1e-14)
    for k in final:
        np.testing.assert_allclose(asnumpy(g_final[k]), final[k], rtol=1e-12, atol=1e-14)
    for k in grads:
        assert type(g_grads[k]).__module__.startswith("cupy"), k
        np.testing.assert_allclose(asnumpy(g_grads[k]), grads[k], rtol=1e-11, atol=1e-13, err_msg=k)
