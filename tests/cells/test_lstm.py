"""The LSTM family: finite differences, PyTorch, and forward formulas written here from the papers."""

import inspect

import numpy as np
import pytest
import torch

import lstmlab
from lstmlab.cells.lstm import GATES, GREFF_VARIANTS, lstm_step_backward, lstm_step_forward
from lstmlab.gradcheck import gradcheck


def FAST(fast):
    """The ``fast`` keyword of sequence.forward, where it exists."""
    return {"fast": fast} if "fast" in inspect.signature(lstmlab.sequence.forward).parameters else {}


# every LSTM cell the named step functions serve (FGR's state has a third entry, q: see test_base.py)
LSTM_NAMES = ["lstm", "lstm1997", "peephole", *(k for k in GREFF_VARIANTS if k != "fgr")]


def _sigma(a):
    return 1.0 / (1.0 + np.exp(-a))


@pytest.mark.parametrize("name", LSTM_NAMES)
def test_named_step_functions_match_finite_differences(name, make_case):
    cell = lstmlab.get_cell(name)
    case = make_case(name, N=3, T=1, D=2, H=4, seed=21)
    dh, dc = case["dstate"][:2]
    inputs = {"x": case["x"][:, 0].copy(), "h_prev": case["h0"].copy(), "c_prev": case["c0"].copy()}

    def loss(p, inp):
        h, c, _ = lstm_step_forward(inp["x"], inp["h_prev"], inp["c_prev"], p, cell=cell)
        return float((dh * h).sum() + (dc * c).sum())

    def grads(p, inp):
        _, _, cache = lstm_step_forward(inp["x"], inp["h_prev"], inp["c_prev"], p, cell=cell)
        dx, dh_prev, dc_prev, g = lstm_step_backward(dh, dc, cache, cell=cell)
        return {**g, "x": dx, "h_prev": dh_prev, "c_prev": dc_prev}

    report = gradcheck(loss, case["params"], inputs, analytic=grads)
    report.assert_ok()
    assert set(report.results) == set(cell.param_shapes(2, 4)) | {"x", "h_prev", "c_prev"}


def test_lstm_step_matches_torch_lstmcell():
    rng = np.random.default_rng(0)
    N, D, H = 3, 5, 4
    p = lstmlab.get_cell("lstm").init_params(D, H, seed=1)
    x, h_prev, c_prev = rng.standard_normal((N, D)), rng.standard_normal((N, H)), rng.standard_normal((N, H))
    dh, dc = rng.standard_normal((N, H)), rng.standard_normal((N, H))
    h, c, cache = lstm_step_forward(x, h_prev, c_prev, p)
    dx, dh_prev, dc_prev, grads = lstm_step_backward(dh, dc, cache)

    torch_cell = torch.nn.LSTMCell(D, H, dtype=torch.float64)
    with torch.no_grad():  # torch stores W^T, gates in the same order i, f, g, o, and two biases
        torch_cell.weight_ih.copy_(torch.from_numpy(p["W_x"].T))
        torch_cell.weight_hh.copy_(torch.from_numpy(p["W_h"].T))
        torch_cell.bias_ih.copy_(torch.from_numpy(p["b"]))
        torch_cell.bias_hh.zero_()
    tx, th, tc = (torch.tensor(a, requires_grad=True) for a in (x, h_prev, c_prev))
    h_t, c_t = torch_cell(tx, (th, tc))
    ((h_t * torch.from_numpy(dh)).sum() + (c_t * torch.from_numpy(dc)).sum()).backward()
    tol = dict(rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(h, h_t.detach().numpy(), **tol)
    np.testing.assert_allclose(c, c_t.detach().numpy(), **tol)
    np.testing.assert_allclose(dx, tx.grad.numpy(), **tol)
    np.testing.assert_allclose(dh_prev, th.grad.numpy(), **tol)
    np.testing.assert_allclose(dc_prev, tc.grad.numpy(), **tol)
    np.testing.assert_allclose(grads["W_x"], torch_cell.weight_ih.grad.numpy().T, **tol)
    np.testing.assert_allclose(grads["W_h"], torch_cell.weight_hh.grad.numpy().T, **tol)
    np.testing.assert_allclose(grads["b"], torch_cell.bias_ih.grad.numpy(), **tol)


# ---------------------------------------------------------------------------------------------------------------
# Forward formulas from the papers, written out gate by gate with column vectors (W_k is H x D, R_k is H x H), one
# sequence at a time. The only link to lstmlab is how its params dict stores the weights: column block k of W_x,
# W_h and b (in the order of the variant's gates) holds W_k^T, R_k^T and b_k.
# ---------------------------------------------------------------------------------------------------------------


def _unpack(params, gates, H):
    blocks = {k: slice(n * H, (n + 1) * H) for n, k in enumerate(gates)}
    W = {k: params["W_x"][:, s].T for k, s in blocks.items()}
    R = {k: params["W_h"][:, s].T for k, s in blocks.items()}
    b = {k: params["b"][s] for k, s in blocks.items()}
    return W, R, b


def hochreiter_1997(x_seq, params, H, y0, s0):
    """H&S 1997, eqs. for one memory cell per block: net_in, net_out, s_c(t) = s_c(t-1) + y_in g(net_c),
    y_c = y_out h(s_c). The paper's squashers g and h were scaled sigmoids; lstmlab (like every modern LSTM)
    uses tanh for both, so tanh is used here."""
    W, R, b = _unpack(params, ("i", "g", "o"), H)
    y, s = y0, s0
    for x in x_seq:
        y_in = _sigma(W["i"] @ x + R["i"] @ y + b["i"])
        y_out = _sigma(W["o"] @ x + R["o"] @ y + b["o"])
        s = s + y_in * np.tanh(W["g"] @ x + R["g"] @ y + b["g"])  # the constant error carousel: weight 1.0
        y = y_out * np.tanh(s)
    return y, s


def greff_2017(x_seq, params, H, y0, c0, variant):
    """Greff et al. 2017, Sec. 2 (the vanilla LSTM, with peepholes p_i, p_f, p_o) and Sec. 3's eight variants.

    Graves 2012, eqs. 4.2-4.9, is the same cell: input and forget gates peep at s_c(t-1), the output gate at s_c(t).
    ``variant`` is "vanilla", "modern" (torch's LSTM: no peepholes) or one of Greff's names.
    """
    gates = {"nig": "fgo", "nfg": "igo", "nog": "ifg", "cifg": "igo"}.get(variant, "ifgo")
    W, R, b = _unpack(params, tuple(gates), H)
    peep = variant not in ("np", "modern")
    p = {k: params.get(f"p_{k}", np.zeros(H)) if peep else np.zeros(H) for k in "ifo"}
    g_act = (lambda a: a) if variant == "niaf" else np.tanh
    h_act = (lambda a: a) if variant == "noaf" else np.tanh
    y, c = y0, c0
    q = np.zeros(3 * H)  # FGR: the previous gate activations (i, f, o), zero before the first step
    for x in x_seq:
        rec = {k: np.zeros(H) for k in "ifo"}
        if variant == "fgr":  # R_{k k'} connects gate k' at t-1 to gate k at t
            for n, k in enumerate("ifo"):
                rec[k] = q @ params["W_q"][:, n * H : (n + 1) * H]
        z = g_act(W["g"] @ x + R["g"] @ y + b["g"])
        i = np.ones(H) if "i" not in gates else _sigma(W["i"] @ x + R["i"] @ y + p["i"] * c + b["i"] + rec["i"])
        if variant == "cifg":
            f = 1.0 - i
        elif "f" not in gates:
            f = np.ones(H)
        else:
            f = _sigma(W["f"] @ x + R["f"] @ y + p["f"] * c + b["f"] + rec["f"])
        c = z * i + c * f
        o = np.ones(H) if "o" not in gates else _sigma(W["o"] @ x + R["o"] @ y + p["o"] * c + b["o"] + rec["o"])
        y = h_act(c) * o
        q = np.concatenate([i, f, o])
    return y, c


def _run_reference(name, x, params, H, h0, c0):
    """The reference, one sequence (row) at a time; returns h_T and c_T, (N, H) each."""
    out = []
    for n in range(x.shape[0]):
        if name == "lstm1997":
            out.append(hochreiter_1997(x[n], params, H, h0[n], c0[n]))
        else:
            variant = {"lstm": "modern", "peephole": "vanilla"}.get(name, name)
            out.append(greff_2017(x[n], params, H, h0[n], c0[n], variant))
    return np.stack([o[0] for o in out]), np.stack([o[1] for o in out])


@pytest.mark.parametrize("fast", [False, True])
@pytest.mark.parametrize("name", ["lstm", "lstm1997", "peephole", *GREFF_VARIANTS])
def test_forward_matches_the_papers_equations(name, fast, make_case):
    case = make_case(name, N=2, T=5, D=3, H=4, seed=5)
    cell, params = case["cell"], case["params"]
    if "p_i" in params:  # make the peepholes count: larger than the default init
        params = {**params, **{k: 3 * params[k] for k in ("p_i", "p_f", "p_o") if k in params}}
    hs, final, _ = lstmlab.sequence.forward(case["x"], params, cell, h0=case["h0"], c0=case["c0"], **FAST(fast))
    h_ref, c_ref = _run_reference(name, case["x"], params, 4, case["h0"], case["c0"])
    np.testing.assert_allclose(final["h"], h_ref, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(final["c"], c_ref, rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(hs[:, -1], h_ref, rtol=1e-12, atol=1e-14)
    # and step by step through the named functions (every cell but FGR, whose state carries q)
    if name != "fgr":
        h, c = case["h0"], case["c0"]
        for t in range(case["x"].shape[1]):
            h, c, _ = lstm_step_forward(case["x"][:, t], h, c, params, cell=cell)
        np.testing.assert_allclose(h, h_ref, rtol=1e-12, atol=1e-14)


def test_variants_differ_from_each_other():
    """The reference formulas are not vacuous: each variant gives a different h_T on the same weights."""
    case_params = lstmlab.get_cell("fgr").init_params(3, 4, seed=0)
    x = np.random.default_rng(0).standard_normal((1, 6, 3))
    h0 = c0 = np.zeros((1, 4))
    outs = {}
    for v in ("vanilla", "np", "niaf", "noaf", "fgr"):  # these share the 4-gate layout
        p = {k: 3 * a if k.startswith("p_") else a for k, a in case_params.items()}
        outs[v] = greff_2017(x[0], p, 4, h0[0], c0[0], v)[0]
    names = list(outs)
    for a in range(len(names)):
        for b in range(a + 1, len(names)):
            assert np.abs(outs[names[a]] - outs[names[b]]).max() > 1e-4, (names[a], names[b])


def test_gate_order_and_layout():
    assert GATES == ("i", "f", "g", "o")
    expected_blocks = {"nig": ("f", "g", "o"), "nfg": ("i", "g", "o"), "nog": ("i", "f", "g"), "cifg": ("i", "g", "o")}
    for name, cell in GREFF_VARIANTS.items():
        assert cell.blocks == expected_blocks.get(name, GATES), name
    assert lstmlab.get_cell("lstm1997").blocks == ("i", "g", "o")
    assert set(lstmlab.get_cell("np").param_shapes(2, 3)) == {"W_x", "W_h", "b"}
    assert lstmlab.get_cell("fgr").param_shapes(2, 3)["W_q"] == (9, 9)
    assert lstmlab.get_cell("nig").param_shapes(2, 3).keys() >= {"p_f", "p_o"}
    assert "p_i" not in lstmlab.get_cell("nig").param_shapes(2, 3)


def test_the_1997_cell_carries_its_error_unchanged():
    """With the input gate shut, c_t = c_{t-1}: the carousel; dc_prev = dc exactly, whatever h does."""
    cell = lstmlab.get_cell("lstm1997")
    p = cell.init_params(2, 3, seed=0)
    p["b"][:3] = -1e3  # input gate bias: i = sigma(-1000) = 0 to machine precision
    rng = np.random.default_rng(0)
    x, h_prev, c_prev = rng.standard_normal((2, 2)), rng.standard_normal((2, 3)), rng.standard_normal((2, 3))
    _, c, cache = lstm_step_forward(x, h_prev, c_prev, p, cell=cell)
    assert np.array_equal(c, c_prev)
    dc = rng.standard_normal((2, 3))
    _, _, dc_prev, _ = lstm_step_backward(np.zeros((2, 3)), dc, cache, cell=cell)
    assert np.array_equal(dc_prev, dc)
