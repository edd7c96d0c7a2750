"""Tests for lstmlab/bridge.py, and parity of lstmlab/stack.py with torch.nn.RNN/LSTM/GRU in float64.

The oracle is PyTorch: its outputs, final states and autograd gradients. The mapping of torch's parameter
gradients onto ours is written out in this file from the equations (b enters the pre-activation exactly as
bias_ih and bias_hh do; the GRU's b_hn exactly as the n block of bias_hh), not taken from the bridge.
"""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from lstmlab.bridge import from_state_dict, from_torch, to_state_dict, to_torch, torch_param_names
from lstmlab.stack import init_stack_params, stack_backward, stack_forward

torch = pytest.importorskip("torch")

N, T, D, H = 3, 5, 4, 3
TORCH_CELLS = ["rnn", "rnn_relu", "lstm", "gru"]
LAYOUTS = [(1, False), (1, True), (2, False), (2, True)]


def _prefixes(num_layers, bidirectional):
    return [f"l{k}{s}" for k in range(num_layers) for s in (("", "_reverse") if bidirectional else ("",))]


def _run_both(cell, num_layers, bidirectional, seed):
    """Our stack and torch's module on the same random problem; returns both sides' results."""
    rng = np.random.default_rng(seed)
    S = num_layers * (2 if bidirectional else 1)
    params = {k: 2.0 * v for k, v in init_stack_params(cell, D, H, num_layers, bidirectional, seed=seed).items()}
    x = rng.standard_normal((N, T, D))
    h0 = rng.standard_normal((S, N, H))
    c0 = rng.standard_normal((S, N, H)) if cell == "lstm" else None
    g_out = rng.standard_normal((N, T, S // num_layers * H))
    g_h = rng.standard_normal((S, N, H))
    g_c = rng.standard_normal((S, N, H)) if cell == "lstm" else None

    out, final, cache = stack_forward(x, params, cell, num_layers, bidirectional, h0=h0, c0=c0)
    grads = stack_backward(g_out, cache, dh_T=g_h, dc_T=g_c)
    ours = {"out": out, "h": final["h"], "x": grads["x"], "h0": grads["h0"]}
    if cell == "lstm":
        ours.update(c=final["c"], c0=grads["c0"])

    module = to_torch(params, cell, num_layers, bidirectional)
    assert module.batch_first and next(module.parameters()).dtype == torch.float64
    x_t = torch.tensor(x, requires_grad=True)
    h0_t = torch.tensor(h0, requires_grad=True)
    if cell == "lstm":
        c0_t = torch.tensor(c0, requires_grad=True)
        out_t, (h_t, c_t) = module(x_t, (h0_t, c0_t))
        loss = (c_t * torch.tensor(g_c)).sum()
    else:
        out_t, h_t = module(x_t, h0_t)
        loss = 0.0
    loss = loss + (out_t * torch.tensor(g_out)).sum() + (h_t * torch.tensor(g_h)).sum()
    loss.backward()
    theirs = {"out": out_t, "h": h_t, "x": x_t.grad, "h0": h0_t.grad}
    if cell == "lstm":
        theirs.update(c=c_t, c0=c0_t.grad)
    theirs = {k: v.detach().numpy() for k, v in theirs.items()}

    # parameter gradients, mapped from torch's names by the equations
    tp = dict(module.named_parameters())
    for p in _prefixes(num_layers, bidirectional):
        g = {kind: tp[f"{kind}_{p}"].grad.numpy() for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh")}
        ours[f"{p}.W_x"], theirs[f"{p}.W_x"] = grads[f"{p}.W_x"], g["weight_ih"].T
        ours[f"{p}.W_h"], theirs[f"{p}.W_h"] = grads[f"{p}.W_h"], g["weight_hh"].T
        ours[f"{p}.b"], theirs[f"{p}.b"] = grads[f"{p}.b"], g["bias_ih"]
        if cell == "gru":
            # b_hr, b_hz add to the pre-activation like b; b_hn is our b_hn
            ours[f"{p}.b(rz) as bias_hh"], theirs[f"{p}.b(rz) as bias_hh"] = (
                grads[f"{p}.b"][: 2 * H],
                g["bias_hh"][: 2 * H],
            )
            ours[f"{p}.b_hn"], theirs[f"{p}.b_hn"] = grads[f"{p}.b_hn"], g["bias_hh"][2 * H :]
        else:
            ours[f"{p}.b as bias_hh"], theirs[f"{p}.b as bias_hh"] = grads[f"{p}.b"], g["bias_hh"]
    # every gradient of ours is compared
    assert {k for k in grads if k not in ("x", "h0", "c0")} <= set(ours)
    return ours, theirs


@pytest.mark.parametrize("num_layers, bidirectional", LAYOUTS)
@pytest.mark.parametrize("cell", TORCH_CELLS)
def test_parity_with_torch_float64(cell, num_layers, bidirectional):
    ours, theirs = _run_both(cell, num_layers, bidirectional, seed=11 * num_layers + bidirectional)
    assert ours.keys() == theirs.keys()
    for key in ours:
        assert ours[key].shape == theirs[key].shape, key
        err = float(np.max(np.abs(ours[key] - theirs[key])))
        assert err <= 1e-10, (key, err)
    # the problem is O(1), so 1e-10 is a tight absolute bound, and the gradients are not trivially zero
    assert 0.1 < np.max(np.abs(theirs["x"])) < 100


@pytest.mark.parametrize("cell", TORCH_CELLS)
def test_from_torch_reproduces_torch_with_its_own_recurrent_biases(cell):
    """A module straight from torch (nonzero bias_hh everywhere) converted to ours computes the same thing."""
    torch.manual_seed(0)
    cls = {"rnn": torch.nn.RNN, "rnn_relu": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[cell]
    extra = {"nonlinearity": "relu"} if cell == "rnn_relu" else {}
    module = cls(D, H, num_layers=2, bidirectional=True, batch_first=True, dtype=torch.float64, **extra)
    assert all(float(p.detach().abs().min()) > 0 for n, p in module.named_parameters() if n.startswith("bias_hh"))
    params, name = from_torch(module)
    assert name == cell
    x = np.random.default_rng(2).standard_normal((N, T, D))
    out, final, _ = stack_forward(x, params, name, 2, True)
    with torch.no_grad():
        out_t, state_t = module(torch.tensor(x))
    h_t = state_t[0] if cell == "lstm" else state_t
    np.testing.assert_allclose(out, out_t.numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(final["h"], h_t.numpy(), rtol=0, atol=1e-12)
    if cell == "lstm":
        np.testing.assert_allclose(final["c"], state_t[1].numpy(), rtol=0, atol=1e-12)


def test_from_torch_handles_time_major_and_biasless_modules():
    torch.manual_seed(1)
    x = np.random.default_rng(3).standard_normal((N, T, D))
    time_major = torch.nn.GRU(D, H, num_layers=2, dtype=torch.float64)  # batch_first=False: x is (T, N, D)
    params, cell = from_torch(time_major)
    out, _, _ = stack_forward(x, params, cell, 2)
    with torch.no_grad():
        out_t, _ = time_major(torch.tensor(x.transpose(1, 0, 2)))
    np.testing.assert_allclose(out, out_t.numpy().transpose(1, 0, 2), rtol=0, atol=1e-12)

    biasless = torch.nn.LSTM(D, H, bias=False, batch_first=True, bidirectional=True, dtype=torch.float64)
    params, cell = from_torch(biasless)
    assert not np.any(params["l0.b"]) and not np.any(params["l0_reverse.b"])
    out, _, _ = stack_forward(x, params, cell, 1, True)
    with torch.no_grad():
        out_t, _ = biasless(torch.tensor(x))
    np.testing.assert_allclose(out, out_t.numpy(), rtol=0, atol=1e-12)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("cell", TORCH_CELLS)
def test_round_trip_is_exact(cell, dtype):
    params = init_stack_params(cell, D, H, 2, True, seed=4, dtype=dtype)
    saved = {k: v.copy() for k, v in params.items()}
    module = to_torch(params, cell, 2, True)
    assert next(module.parameters()).dtype == getattr(torch, np.dtype(dtype).name)
    back, name = from_torch(module)
    assert name == cell and list(back) == list(params)
    for k in params:
        assert back[k].dtype == dtype and np.array_equal(back[k], params[k]), k
        assert not np.shares_memory(back[k], params[k])
        np.testing.assert_array_equal(params[k], saved[k])  # to_torch left its input alone
    # torch's biases: ours in bias_ih, zeros in bias_hh (GRU: b_hn in bias_hh's n block)
    sd = module.state_dict()
    np.testing.assert_array_equal(sd["bias_ih_l1_reverse"].numpy(), params["l1_reverse.b"])
    bias_hh = sd["bias_hh_l1_reverse"].numpy()
    if cell == "gru":
        np.testing.assert_array_equal(bias_hh, np.concatenate([np.zeros(2 * H), params["l1_reverse.b_hn"]]))
    else:
        assert not np.any(bias_hh)
    # and the state dict converters agree with torch's own names, shapes and order
    state = to_state_dict(params, cell, 2, True)
    assert list(state) == list(sd) == torch_param_names(2, True)
    assert all(state[k].shape == tuple(sd[k].shape) for k in sd)
    again = from_state_dict(state, cell, 2, True)
    assert all(np.array_equal(again[k], params[k]) for k in params)


def test_to_torch_dtype_argument():
    params = init_stack_params("lstm", D, H, seed=0)
    assert next(to_torch(params, "lstm", dtype=torch.float32).parameters()).dtype == torch.float32
    assert next(to_torch(params, "lstm", dtype="float32").parameters()).dtype == torch.float32
    with pytest.raises(TypeError, match=r"dtype: expected float32 or float64 .* got torch.float16"):
        to_torch(params, "lstm", dtype=torch.float16)
    with pytest.raises(TypeError, match=r"dtype: expected float32 or float64"):
        to_torch(params, "lstm", dtype="int64")


def test_bad_input_raises_clear_errors():
    lstm_params = init_stack_params("lstm", D, H, 2, False)
    with pytest.raises(ValueError, match=r"cell: expected one of .* got 'peephole': .*no peepholes"):
        to_torch(init_stack_params("peephole", D, H), "peephole")
    with pytest.raises(ValueError, match=r"cell: .*got 'gru_cho': torch.nn.GRU applies the reset gate after W_hn"):
        to_state_dict(init_stack_params("gru_cho", D, H), "gru_cho")
    with pytest.raises(ValueError, match=r"cell: .*got 'rnn_sigmoid'"):
        to_torch(init_stack_params("rnn_sigmoid", D, H), "rnn_sigmoid")
    with pytest.raises(ValueError, match=r"params: expected keys of the form 'l\{layer\}\.\{key\}'"):
        to_torch({"W_x": lstm_params["l0.W_x"], "W_h": lstm_params["l0.W_h"], "b": lstm_params["l0.b"]}, "lstm")
    with pytest.raises(ValueError, match=r"num_layers: expected 2 \(the layers in params\), got 1"):
        to_torch(lstm_params, "lstm")
    with pytest.raises(ValueError, match=r"bidirectional: expected False"):
        to_torch(lstm_params, "lstm", 2, True)
    with pytest.raises(ValueError, match=r"params: expected keys .* missing keys \['l0.b_hn'"):
        to_torch(init_stack_params("rnn", D, 3 * H, 1), "gru")  # an RNN's params are not a GRU's

    with pytest.raises(TypeError, match=r"module: expected a torch.nn.RNN, LSTM or GRU, got dict"):
        from_torch({})
    with pytest.raises(ValueError, match=r"module: expected a torch.nn.RNN, LSTM or GRU, got Linear"):
        from_torch(torch.nn.Linear(2, 3))
    with pytest.raises(ValueError, match=r"got the single-step LSTMCell"):
        from_torch(torch.nn.LSTMCell(2, 3))
    with pytest.raises(ValueError, match=r"module: expected an LSTM with proj_size=0, got proj_size=2"):
        from_torch(torch.nn.LSTM(D, H, proj_size=2))
    with pytest.raises(TypeError, match=r"state_dict\['weight_ih_l0'\]: expected dtype float32 or float64"):
        from_torch(torch.nn.GRU(D, H, dtype=torch.float16))

    state = to_state_dict(lstm_params, "lstm", 2)
    with pytest.raises(ValueError, match=r"state_dict: expected keys .* missing keys \['bias_hh_l1'\]"):
        from_state_dict({k: v for k, v in state.items() if k != "bias_hh_l1"}, "lstm", 2)
    with pytest.raises(ValueError, match=r"state_dict: expected keys .* unknown keys \['weight_ih_l1', 'weight_hh_l1'"):
        from_state_dict(state, "lstm", 1)
    with pytest.raises(ValueError, match=r"state_dict\['weight_ih_l0'\]: expected a 2-D weight, got no such key"):
        from_state_dict({}, "lstm")
    with pytest.raises(ValueError, match=r"state_dict\['weight_ih_l1'\]: expected shape \(12, 3\), got \(12, 4\)"):
        from_state_dict({**state, "weight_ih_l1": state["weight_ih_l0"]}, "lstm", 2)


def test_importing_lstmlab_does_not_import_torch():
    code = "import sys, lstmlab, lstmlab.bridge, lstmlab.stack; print('torch' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "False", result.stdout + result.stderr
