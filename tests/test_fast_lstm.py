"""The fast LSTM path computes what the reference loop computes, and what finite differences and torch say."""

import numpy as np
import pytest

from lstmlab import fast_lstm, sequence
from lstmlab.cells import get_cell

FAST_CELLS = ("lstm", "lstm1997", "np")


def make_problem(cell, N, T, D, H, dtype=np.float64, seed=0, states=True):
    """Random params, inputs and upstream gradients; ``states`` says whether h0, c0, dh_T, dc_T are given."""
    rng = np.random.default_rng(seed)
    params = {k: v.astype(dtype) for k, v in get_cell(cell).init_params(D, H, seed=rng).items()}
    arr = lambda *shape: rng.standard_normal(shape).astype(dtype)  # noqa: E731
    p = {"x": arr(N, T, D), "dhs": arr(N, T, H)}
    p.update(h0=arr(N, H), c0=arr(N, H), dh_T=arr(N, H), dc_T=arr(N, H)) if states else None
    return params, p


def run(cell, params, p, fast, truncate=None):
    hs, final, cache = sequence.forward(p["x"], params, cell, h0=p.get("h0"), c0=p.get("c0"), fast=fast)
    grads = sequence.backward(p["dhs"], cache, dh_T=p.get("dh_T"), dc_T=p.get("dc_T"), truncate=truncate)
    return hs, final, cache, grads


def assert_same(fast, ref, rtol, atol):
    hs, final, cache, grads = fast
    hs_r, final_r, cache_r, grads_r = ref
    assert cache["path"] == "fast" and cache_r["path"] == "reference"
    np.testing.assert_allclose(hs, hs_r, rtol=rtol, atol=atol, err_msg="hs")
    assert sorted(final) == sorted(final_r) == ["c", "h"]
    for k in final_r:
        np.testing.assert_allclose(final[k], final_r[k], rtol=rtol, atol=atol, err_msg=f"final[{k}]")
    assert list(grads) == list(grads_r)
    for k in grads_r:
        assert grads[k].shape == grads_r[k].shape and grads[k].dtype == grads_r[k].dtype, k
        np.testing.assert_allclose(grads[k], grads_r[k], rtol=rtol, atol=atol, err_msg=f"grads[{k}]")


SHAPES = [(3, 7, 4, 5), (1, 1, 1, 1), (1, 6, 1, 2), (4, 1, 3, 1), (2, 9, 2, 3), (5, 12, 1, 4)]


@pytest.mark.parametrize("cell", FAST_CELLS)
@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("states", [True, False])
@pytest.mark.parametrize("truncate", [None, 1, 3])
def test_fast_equals_reference_float64(cell, shape, states, truncate):
    params, p = make_problem(cell, *shape, states=states)
    fast = run(cell, params, p, fast=True, truncate=truncate)
    ref = run(cell, params, p, fast=False, truncate=truncate)
    assert_same(fast, ref, rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("cell", FAST_CELLS)
def test_fast_equals_reference_without_dhs(cell):
    params, p = make_problem(cell, 3, 5, 2, 4)
    p["dhs"] = None  # only the final state carries an error
    assert_same(run(cell, params, p, fast=True), run(cell, params, p, fast=False), rtol=1e-12, atol=1e-12)


@pytest.mark.parametrize("cell", FAST_CELLS)
@pytest.mark.parametrize("truncate", [None, 4])
def test_fast_equals_reference_float32(cell, truncate):
    params, p = make_problem(cell, 6, 20, 5, 16, dtype=np.float32)
    fast = run(cell, params, p, fast=True, truncate=truncate)
    ref = run(cell, params, p, fast=False, truncate=truncate)
    assert fast[0].dtype == np.float32
    assert_same(fast, ref, rtol=1e-5, atol=2e-5)


def test_the_fast_path_is_taken_only_for_the_cells_it_supports():
    assert all(fast_lstm.supports(get_cell(c)) for c in FAST_CELLS)
    for other in ("peephole", "nig", "nfg", "nog", "niaf", "noaf", "cifg", "fgr"):
        assert not fast_lstm.supports(get_cell(other)), other
        params, p = make_problem(other, 2, 3, 2, 2)
        assert sequence.forward(p["x"], params, other)[2]["path"] == "reference"
    assert sequence.forward(p["x"], make_problem("lstm", 2, 3, 2, 2)[0], "lstm", fast=False)[2]["path"] == "reference"


@pytest.mark.parametrize("cell", ["lstm", "lstm1997"])
def test_finite_differences(cell):
    """Every gradient of L = sum(dhs * hs) + sum(dh_T * h_T) + sum(dc_T * c_T), by central differences in float64."""
    params, p = make_problem(cell, 2, 4, 3, 2, seed=3)

    def loss():
        hs, final, _ = sequence.forward(p["x"], params, cell, h0=p["h0"], c0=p["c0"])
        return np.sum(p["dhs"] * hs) + np.sum(p["dh_T"] * final["h"]) + np.sum(p["dc_T"] * final["c"])

    grads = run(cell, params, p, fast=True)[3]
    targets = {**params, "x": p["x"], "h0": p["h0"], "c0": p["c0"]}
    for key, a in targets.items():
        numeric = np.zeros_like(a)
        for idx in np.ndindex(a.shape):
            keep = a[idx]
            a[idx] = keep + 1e-6
            up = loss()
            a[idx] = keep - 1e-6
            down = loss()
            a[idx] = keep
            numeric[idx] = (up - down) / 2e-6
        rel = np.abs(grads[key] - numeric).max() / max(np.abs(numeric).max(), 1e-12)
        assert rel < 1e-7, (key, rel)


def test_against_torch_float64():
    torch = pytest.importorskip("torch")
    N, T, D, H = 3, 6, 4, 5
    params, p = make_problem("lstm", N, T, D, H, seed=7)
    lstm = torch.nn.LSTM(D, H, batch_first=True).double()
    with torch.no_grad():  # same gate order (i, f, g, o); torch's two biases: ours in bias_ih, zero in bias_hh
        lstm.weight_ih_l0.copy_(torch.from_numpy(params["W_x"].T))
        lstm.weight_hh_l0.copy_(torch.from_numpy(params["W_h"].T))
        lstm.bias_ih_l0.copy_(torch.from_numpy(params["b"]))
        lstm.bias_hh_l0.zero_()
    t = {k: torch.from_numpy(p[k].copy()).requires_grad_() for k in ("x", "h0", "c0")}
    hs_t, (h_T, c_T) = lstm(t["x"], (t["h0"][None], t["c0"][None]))
    loss = (hs_t * torch.from_numpy(p["dhs"])).sum() + (h_T[0] * torch.from_numpy(p["dh_T"])).sum()
    (loss + (c_T[0] * torch.from_numpy(p["dc_T"])).sum()).backward()

    hs, final, _, grads = run("lstm", params, p, fast=True)
    np.testing.assert_allclose(hs, hs_t.detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(final["h"], h_T[0].detach().numpy(), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(final["c"], c_T[0].detach().numpy(), rtol=1e-10, atol=1e-12)
    expected = {
        "W_x": lstm.weight_ih_l0.grad.numpy().T,
        "W_h": lstm.weight_hh_l0.grad.numpy().T,
        "b": lstm.bias_ih_l0.grad.numpy(),
        **{k: t[k].grad.numpy() for k in ("x", "h0", "c0")},
    }
    for k, v in expected.items():
        np.testing.assert_allclose(grads[k], v, rtol=1e-10, atol=1e-12, err_msg=k)


@pytest.mark.parametrize("shape", [(1, 4, 2, 3), (3, 4, 2, 1), (1, 1, 1, 1)])
def test_inputs_are_not_modified_and_outputs_do_not_alias_the_cache(shape):
    params, p = make_problem("lstm", *shape)
    params_before = {k: v.copy() for k, v in params.items()}
    p_before = {k: v.copy() for k, v in p.items()}
    hs, final, cache = sequence.forward(p["x"], params, h0=p["h0"], c0=p["c0"])
    ref_grads = run("lstm", params, p, fast=False, truncate=2)[3]
    hs[...] = 7.0  # scribbling on the outputs must not change what backward computes
    final["h"][...] = 7.0
    final["c"][...] = 7.0
    for _ in range(2):  # and backward may be called again on the same cache
        grads = sequence.backward(p["dhs"], cache, dh_T=p["dh_T"], dc_T=p["dc_T"], truncate=2)
        for k in ref_grads:
            np.testing.assert_allclose(grads[k], ref_grads[k], rtol=1e-12, atol=1e-12, err_msg=k)
    for k in params:
        np.testing.assert_array_equal(params[k], params_before[k], err_msg=k)
    for k in p:
        np.testing.assert_array_equal(p[k], p_before[k], err_msg=k)


def test_bad_arguments_are_still_checked_on_the_fast_path():
    params, p = make_problem("lstm", 2, 3, 4, 5)
    with pytest.raises(ValueError, match=r"x: expected shape \(\?, \?, 4\), got \(2, 3, 5\)"):
        sequence.forward(np.zeros((2, 3, 5)), params)
    with pytest.raises(TypeError, match="c0: expected dtype float64"):
        sequence.forward(p["x"], params, c0=p["c0"].astype(np.float32))
    _, _, cache = sequence.forward(p["x"], params)
    with pytest.raises(ValueError, match=r"dhs: expected shape \(2, 3, 5\), got \(2, 3, 4\)"):
        sequence.backward(np.zeros((2, 3, 4)), cache)
    with pytest.raises(ValueError, match="truncate: expected a positive int"):
        sequence.backward(p["dhs"], cache, truncate=0)


@pytest.mark.parametrize("entries", [1, 40, 1 << 30])
def test_the_block_size_of_the_local_derivatives_does_not_change_the_result(monkeypatch, entries):
    """One step per block, blocks that do not divide T, and one block for the whole sequence."""
    monkeypatch.setattr(fast_lstm, "BLOCK_ENTRIES", entries)
    for cell in ("lstm", "lstm1997"):
        params, p = make_problem(cell, 2, 11, 3, 2, seed=5)
        assert_same(run(cell, params, p, True, truncate=4), run(cell, params, p, False, truncate=4), 1e-12, 1e-12)


def test_a_cell_with_its_own_backward_runs_the_reference_loop():
    import dataclasses

    calls = []
    lstm = get_cell("lstm")

    def counting_backward(dstate, cache):
        calls.append(1)
        return lstm.core_backward(dstate, cache)

    cell = dataclasses.replace(lstm, core_backward=counting_backward)
    assert fast_lstm.supports(lstm) and not fast_lstm.supports(cell)
    x = np.random.default_rng(0).normal(size=(2, 3, 4))
    params = lstm.init_params(4, 5)
    hs, _, cache = sequence.forward(x, params, cell)
    sequence.backward(np.ones_like(hs), cache)
    assert cache["path"] == "reference" and len(calls) == 3


def test_calling_the_fast_path_directly_checks_its_arguments_as_sequence_does():
    params, p = make_problem("lstm", N=3, T=4, D=2, H=5)
    hs, final, cache = fast_lstm.forward(p["x"], params, (p["h0"], p["c0"]), "lstm")
    ref = run("lstm", params, p, fast=False)
    np.testing.assert_allclose(hs, ref[0], rtol=1e-12, atol=1e-12)
    grads = fast_lstm.backward(p["dhs"], cache, p["dh_T"], p["dc_T"])
    for k in ref[3]:
        np.testing.assert_allclose(grads[k], ref[3][k], rtol=1e-10, atol=1e-12, err_msg=k)
    zeros = fast_lstm.forward(p["x"], params, None)[0]
    np.testing.assert_allclose(zeros, sequence.forward(p["x"], params, "lstm", fast=False)[0], rtol=1e-12, atol=1e-12)

    x_before = p["x"].copy()
    with pytest.raises(ValueError, match=r"^x: expected shape \(\?, \?, 2\)"):
        fast_lstm.forward(p["x"][:, :, :1], params, None)
    with pytest.raises(ValueError, match="^x: expected at least one sequence"):
        fast_lstm.forward(p["x"][:0], params, None)
    with pytest.raises(TypeError, match="^state0: expected a pair"):
        fast_lstm.forward(p["x"], params, p["h0"])
    with pytest.raises(ValueError, match=r"^c0: expected shape \(3, 5\)"):
        fast_lstm.forward(p["x"], params, (None, p["c0"][:, :4]))
    with pytest.raises(ValueError, match="^cell: expected an LSTM cell that the fast path supports"):
        fast_lstm.forward(p["x"], params, None, "gru")
    with pytest.raises(TypeError, match="^cache: expected the cache returned by sequence.forward"):
        fast_lstm.backward(p["dhs"], final)
    with pytest.raises(ValueError, match=r"^dhs: expected shape \(3, 4, 5\)"):
        fast_lstm.backward(p["dhs"][:, :3], cache)
    reference_cache = sequence.forward(p["x"], params, "lstm", fast=False)[2]
    with pytest.raises(ValueError, match="^cache: expected a cache of the fast path"):
        fast_lstm.backward(p["dhs"], reference_cache)
    np.testing.assert_array_equal(p["x"], x_before)
