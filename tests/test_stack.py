"""Tests for lstmlab/stack.py: stacked and bidirectional layers.

Oracles: central finite differences in float64 (gradients, including truncated BPTT, whose finite-difference
version runs the forward pass chunk by chunk with the state held fixed between chunks), and the LSTM equations
written out below (forward). Parity with torch.nn.LSTM/GRU/RNN is in tests/test_bridge.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from lstmlab.cells import get_cell
from lstmlab.gradcheck import gradcheck
from lstmlab.stack import init_stack_params, stack_backward, stack_forward, stack_layout, stack_param_shapes

N, T, D, H = 2, 4, 3, 2


def _setup(cell, num_layers, bidirectional, seed=0):
    cell = get_cell(cell)
    rng = np.random.default_rng(seed)
    S = num_layers * (2 if bidirectional else 1)
    params = init_stack_params(cell, D, H, num_layers, bidirectional, seed=seed + 1)
    # widen the parameters beyond torch's small default range, so every nonlinearity is exercised
    params = {k: 3.0 * v for k, v in params.items()}
    inputs = {"x": rng.standard_normal((N, T, D)), "h0": rng.standard_normal((S, N, H))}
    if "c" in cell.state_names:
        inputs["c0"] = rng.standard_normal((S, N, H))
    up = {
        "out": rng.standard_normal((N, T, (2 if bidirectional else 1) * H)),
        "h": rng.standard_normal((S, N, H)),
        "c": rng.standard_normal((S, N, H)) if "c" in cell.state_names else None,
    }
    return cell, params, inputs, up


def _loss(cell, num_layers, bidirectional, up):
    """Scalar loss <out, up_out> + <h_T, up_h> + <c_T, up_c> as a function of params and inputs."""

    def f(params, inputs):
        out, final, _ = stack_forward(
            inputs["x"], params, cell, num_layers, bidirectional, h0=inputs["h0"], c0=inputs.get("c0")
        )
        total = np.sum(out * up["out"]) + np.sum(final["h"] * up["h"])
        if up["c"] is not None:
            total += np.sum(final["c"] * up["c"])
        return float(total)

    return f


@pytest.mark.parametrize("cell_name", ["peephole", "gru_cho"])
def test_two_layer_bidirectional_gradients_match_finite_differences(cell_name):
    cell, params, inputs, up = _setup(cell_name, 2, True)
    out, final, cache = stack_forward(inputs["x"], params, cell, 2, True, h0=inputs["h0"], c0=inputs.get("c0"))
    grads = stack_backward(up["out"], cache, dh_T=up["h"], dc_T=up["c"])
    assert set(grads) == {*params, *inputs}
    report = gradcheck(_loss(cell, 2, True, up), params, inputs, analytic=grads, tol=1e-7)
    report.assert_ok()


def test_truncated_bptt_matches_chunked_finite_differences():
    """Truncated BPTT with window k equals the exact gradient of the forward pass run chunk by chunk, each
    chunk starting from the previous chunk's final state held constant (per layer)."""
    k = 2
    cell, params, inputs, up = _setup("lstm", 2, False, seed=3)
    _, _, cache = stack_forward(inputs["x"], params, cell, 2, False, h0=inputs["h0"], c0=inputs["c0"])
    grads = stack_backward(up["out"], cache, dh_T=up["h"], dc_T=up["c"], truncate=k)

    # the state at each chunk start, from the unperturbed forward pass: these are held fixed
    starts = [(inputs["h0"], inputs["c0"])]
    for t0 in range(0, T, k):
        _, fin, _ = stack_forward(inputs["x"][:, t0 : t0 + k], params, cell, 2, False, *starts[-1])
        starts.append((fin["h"], fin["c"]))

    def f(params, inputs):
        total = 0.0
        for n, t0 in enumerate(range(0, T, k)):
            h0, c0 = (inputs["h0"], inputs["c0"]) if n == 0 else starts[n]
            out, fin, _ = stack_forward(inputs["x"][:, t0 : t0 + k], params, cell, 2, False, h0, c0)
            total += np.sum(out * up["out"][:, t0 : t0 + k])
            if t0 + k >= T:
                total += np.sum(fin["h"] * up["h"]) + np.sum(fin["c"] * up["c"])
        return float(total)

    report = gradcheck(f, params, inputs, analytic=grads, tol=1e-7)
    report.assert_ok()


def _sigmoid(a):
    return 1.0 / (1.0 + np.exp(-a))


def _lstm_layer(x, W_x, W_h, b, h, c):
    """The LSTM equations, one step at a time: gates i, f, g, o in column blocks of W_x, W_h and b."""
    hs = []
    for t in range(x.shape[1]):
        a = x[:, t] @ W_x + h @ W_h + b
        i, f, g, o = (a[:, n * H : (n + 1) * H] for n in range(4))
        c = _sigmoid(f) * c + _sigmoid(i) * np.tanh(g)
        h = _sigmoid(o) * np.tanh(c)
        hs.append(h)
    return np.stack(hs, axis=1), h, c


def test_two_layer_bidirectional_lstm_forward_matches_the_equations():
    cell, params, inputs, _ = _setup("lstm", 2, True, seed=5)
    out, final, _ = stack_forward(inputs["x"], params, "lstm", 2, True, h0=inputs["h0"], c0=inputs["c0"])
    layer_in = inputs["x"]
    want_h, want_c = [], []
    for layer in range(2):
        halves = []
        for d, suffix in enumerate(("", "_reverse")):
            s = 2 * layer + d
            p = [params[f"l{layer}{suffix}.{key}"] for key in ("W_x", "W_h", "b")]
            seq = layer_in if d == 0 else layer_in[:, ::-1]
            hs, h, c = _lstm_layer(seq, *p, inputs["h0"][s], inputs["c0"][s])
            halves.append(hs if d == 0 else hs[:, ::-1])
            want_h.append(h)
            want_c.append(c)
        layer_in = np.concatenate(halves, axis=2)
    assert out.shape == (N, T, 2 * H)
    np.testing.assert_allclose(out, layer_in, rtol=0, atol=1e-13)
    np.testing.assert_allclose(final["h"], np.stack(want_h), rtol=0, atol=1e-13)
    np.testing.assert_allclose(final["c"], np.stack(want_c), rtol=0, atol=1e-13)


def test_param_shapes_layout():
    shapes = stack_param_shapes("lstm", 3, 4, num_layers=2, bidirectional=True)
    want = {}
    for layer, D_in in ((0, 3), (1, 8)):
        for suffix in ("", "_reverse"):
            want.update({f"l{layer}{suffix}.W_x": (D_in, 16), f"l{layer}{suffix}.W_h": (4, 16)})
            want[f"l{layer}{suffix}.b"] = (16,)
    assert shapes == want
    assert list(stack_param_shapes("peephole", 3, 4)) == ["l0.W_x", "l0.W_h", "l0.b", "l0.p_i", "l0.p_f", "l0.p_o"]
    assert stack_param_shapes("gru", 5, 2, num_layers=3)["l2.W_x"] == (2, 6)


def test_init_is_seeded_and_keeps_dtype():
    a = init_stack_params("lstm", 3, 4, 2, True, seed=7, dtype=np.float32)
    b = init_stack_params("lstm", 3, 4, 2, True, seed=7, dtype=np.float32)
    c = init_stack_params("lstm", 3, 4, 2, True, seed=8, dtype=np.float32)
    assert a.keys() == b.keys() and all(np.array_equal(a[k], b[k]) for k in a)
    assert not np.array_equal(a["l0.W_x"], c["l0.W_x"])
    assert not np.array_equal(a["l0.W_x"], a["l0_reverse.W_x"])
    assert all(v.dtype == np.float32 and np.abs(v).max() <= 0.5 for v in a.values())
    assert stack_layout(a) == (2, True)
    x = np.ones((2, 3, 3), dtype=np.float32)
    out, final, cache = stack_forward(x, a, "lstm", 2, True)
    grads = stack_backward(np.ones_like(out), cache)
    assert out.dtype == final["h"].dtype == grads["l1_reverse.W_h"].dtype == grads["x"].dtype == np.float32


def test_defaults_are_zero_states_and_no_c0_for_gru():
    params = init_stack_params("gru", D, H, 2, False)
    x = np.random.default_rng(0).standard_normal((N, T, D))
    out, final, cache = stack_forward(x, params, "gru", 2)
    out0, final0, _ = stack_forward(x, params, "gru", 2, h0=np.zeros((2, N, H)))
    np.testing.assert_array_equal(out, out0)
    assert set(final) == {"h"}
    grads = stack_backward(None, cache, dh_T=np.ones((2, N, H)))
    assert "c0" not in grads and grads["h0"].shape == (2, N, H)
    with pytest.raises(ValueError, match=r"c0: the cell 'gru' has no cell state"):
        stack_forward(x, params, "gru", 2, c0=np.zeros((2, N, H)))
    with pytest.raises(ValueError, match=r"dc_T: the cell 'gru' has no cell state"):
        stack_backward(None, cache, dc_T=np.zeros((2, N, H)))


def test_bad_input_raises_with_clear_messages_and_leaves_inputs_alone():
    params = init_stack_params("lstm", D, H, 2, True)
    x = np.random.default_rng(1).standard_normal((N, T, D))
    saved = {k: v.copy() for k, v in params.items()}
    x_saved = x.copy()

    flat = get_cell("lstm").init_params(D, H)
    with pytest.raises(ValueError, match=r"params: expected keys of the form 'l\{layer\}\.\{key\}'.*got 'W_x'"):
        stack_forward(x, flat, "lstm")
    with pytest.raises(ValueError, match=r"num_layers: expected 2 \(the layers in params\), got 3"):
        stack_forward(x, params, "lstm", 3, True)
    with pytest.raises(ValueError, match=r"num_layers: expected 2 \(the layers in params\), got 1"):
        stack_forward(x, params, "lstm", 1, True)
    with pytest.raises(ValueError, match=r"bidirectional: expected True .*got False"):
        stack_forward(x, params, "lstm", 2, False)
    with pytest.raises(TypeError, match=r"bidirectional: expected a bool, got int 1"):
        stack_forward(x, params, "lstm", 2, 1)
    with pytest.raises(TypeError, match=r"num_layers: expected a positive int"):
        stack_forward(x, params, "lstm", 2.0, True)
    no_l0 = {k: v for k, v in params.items() if not k.startswith("l0")}
    with pytest.raises(ValueError, match=r"params: expected layers 0 to 1, got no keys for layer\(s\) \[0\]"):
        stack_forward(x, no_l0, "lstm", 2, True)
    half = {k: v for k, v in params.items() if not k.startswith("l1_reverse")}
    with pytest.raises(ValueError, match=r"params: expected '_reverse' keys in every layer or in none"):
        stack_forward(x, half, "lstm", 2, True)
    missing = {k: v for k, v in params.items() if k != "l1.b"}
    with pytest.raises(ValueError, match=r"params: expected keys .* missing keys \['l1.b'\]"):
        stack_forward(x, missing, "lstm", 2, True)
    with pytest.raises(ValueError, match=r"params\['l1.W_x'\]: expected shape \(4, 8\), got \(3, 8\)"):
        stack_forward(x, {**params, "l1.W_x": params["l0.W_x"]}, "lstm", 2, True)
    with pytest.raises(ValueError, match=r"params: expected keys"):
        stack_forward(x, params, "peephole", 2, True)  # a peephole stack needs p_i, p_f, p_o too
    with pytest.raises(ValueError, match=r"x: expected shape \(\?, \?, 3\), got \(2, 4, 5\)"):
        stack_forward(np.zeros((N, T, 5)), params, "lstm", 2, True)
    with pytest.raises(ValueError, match=r"h0: expected shape \(4, 2, 2\), got \(2, 2, 2\)"):
        stack_forward(x, params, "lstm", 2, True, h0=np.zeros((2, N, H)))
    with pytest.raises(ValueError, match=r"c0: expected shape \(4, 2, 2\), got \(4, 2\)"):
        stack_forward(x, params, "lstm", 2, True, c0=np.zeros((4, N)))
    with pytest.raises(TypeError, match=r"h0: expected dtype float64"):
        stack_forward(x, params, "lstm", 2, True, h0=np.zeros((4, N, H), dtype=np.float32))

    out, _, cache = stack_forward(x, params, "lstm", 2, True)
    with pytest.raises(ValueError, match=r"dout: expected shape \(2, 4, 4\), got \(2, 4, 2\)"):
        stack_backward(np.zeros((N, T, H)), cache)
    with pytest.raises(ValueError, match=r"dh_T: expected shape \(4, 2, 2\)"):
        stack_backward(out, cache, dh_T=np.zeros((N, H)))
    with pytest.raises(TypeError, match=r"cache: expected the cache returned by stack_forward"):
        stack_backward(out, ("not", "a", "cache"))
    dout = np.ones_like(out)
    dout_saved = dout.copy()
    stack_backward(dout, cache, truncate=2)
    np.testing.assert_array_equal(dout, dout_saved)
    np.testing.assert_array_equal(x, x_saved)
    assert all(np.array_equal(params[k], saved[k]) for k in saved)
