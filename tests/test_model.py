"""Tests of lstmlab.model: gradients by finite differences, forward against PyTorch, readout rules, errors."""

import numpy as np
import pytest

from lstmlab.cells import get_cell
from lstmlab.model import Model

N, T, D, H, V = 3, 5, 3, 4, 2


def _data(readout, loss, masked, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(N, T, D))
    lengths = np.array([T, 2, 4])
    mask = (np.arange(T)[None, :] < lengths[:, None]) if masked else None
    shape = (N, V) if readout == "last" else (N, T, V)
    if loss == "mse":
        y = rng.normal(size=shape)
    else:
        y = rng.integers(0, V, size=shape[:-1])
    return x, y, mask


CASES = [
    # cell, num_layers, bidirectional, readout, loss, masked
    ("lstm", 1, False, "last", "mse", False),
    ("lstm", 2, True, "last", "mse", True),
    ("lstm", 2, False, "all", "cross_entropy", True),
    ("lstm", 1, True, "all", "mse", True),
    ("lstm", 2, True, "last", "cross_entropy", False),
    ("lstm", 1, True, "all", "cross_entropy", False),
    ("rnn", 2, True, "all", "mse", True),
    ("gru", 1, True, "last", "cross_entropy", True),
    ("peephole", 1, False, "last", "mse", True),
]


def _fd_gradient(loss, a, entries, eps=1e-3):
    """Fourth-order central differences, (f(-2e) - 8 f(-e) + 8 f(e) - f(2e)) / 12e, at the flat ``entries`` of ``a``.

    The truncation error is O(eps^4) ~ 1e-12 and the rounding error ~ 1e-16 |L| / eps ~ 1e-13, so even the
    small entries of a gradient are resolved to far better than the 1e-7 the tests ask for.
    """
    out = np.empty(len(entries))
    flat = a.reshape(-1)
    for n, j in enumerate(entries):
        old = flat[j]
        values = []
        for step in (-2, -1, 1, 2):
            flat[j] = old + step * eps
            values.append(loss())
        flat[j] = old
        out[n] = (values[0] - 8 * values[1] + 8 * values[2] - values[3]) / (12 * eps)
    return out


@pytest.mark.parametrize("cell, layers, bidir, readout, loss, masked", CASES)
def test_gradients_match_finite_differences(cell, layers, bidir, readout, loss, masked):
    model = Model(cell, D, H, V, num_layers=layers, bidirectional=bidir, readout=readout, seed=1)
    x, y, mask = _data(readout, loss, masked)
    x_before = x.copy()
    value, grads = model.loss_and_grads(x, y, mask=mask, loss=loss)
    assert set(grads) == set(model.params)
    rng = np.random.default_rng(0)
    worst = 0.0
    for key, a in model.params.items():
        assert grads[key].shape == a.shape and grads[key].dtype == np.float64
        entries = rng.choice(a.size, size=min(a.size, 20), replace=False)
        num = _fd_gradient(lambda: model.loss_and_grads(x, y, mask=mask, loss=loss)[0], a, entries)
        ana = grads[key].reshape(-1)[entries]
        size = np.abs(num) + np.abs(ana)
        rel = np.abs(num - ana) / np.maximum(size, 1e-2 * size.max() + 1e-300)  # tiny entries compared absolutely
        worst = max(worst, rel.max())
        assert rel.max() < 1e-7, (key, rel.max(), num, ana)
    assert model.loss_and_grads(x, y, mask=mask, loss=loss)[0] == value  # the params were restored exactly
    np.testing.assert_array_equal(x, x_before)


def test_readout_last_uses_last_unmasked_step():
    """A masked sequence reads out what the model gives on the sequence cut at its length."""
    model = Model("lstm", D, H, V, num_layers=2, seed=3)
    x, _, mask = _data("last", "mse", True)
    lengths = mask.sum(axis=1)
    x_noisy = x.copy()
    for n, L in enumerate(lengths):
        x_noisy[n, L:] = 1e3  # garbage in the padding must not matter
    y = model.predict(x_noisy, mask=mask)
    for n, L in enumerate(lengths):
        alone = model.predict(x[n : n + 1, :L])
        np.testing.assert_allclose(y[n], alone[0], rtol=1e-12, atol=1e-12)


def _torch_reference(model, x, loss, y):
    """nn.LSTM/RNN/GRU + nn.Linear on h_n (readout last) or on every step (readout all), with autograd."""
    torch = pytest.importorskip("torch")
    from lstmlab.bridge import to_torch

    stack = {k: model.params[k] for k in model.stack_keys}
    rnn = to_torch(stack, model.cell, num_layers=model.num_layers, bidirectional=model.bidirectional, dtype="float64")
    xt = torch.tensor(x)
    out, h_n = rnn(xt)
    if isinstance(h_n, tuple):
        h_n = h_n[0]
    if model.readout == "last":
        z = torch.cat([h_n[-2], h_n[-1]], dim=1) if model.bidirectional else h_n[-1]
    else:
        z = out
    W_y = torch.tensor(model.params["W_y"], requires_grad=True)
    b_y = torch.tensor(model.params["b_y"], requires_grad=True)
    y_pred = z @ W_y + b_y
    if loss == "mse":
        value = torch.nn.functional.mse_loss(y_pred, torch.tensor(y))
    else:
        value = torch.nn.functional.cross_entropy(y_pred.reshape(-1, model.output_size), torch.tensor(y).reshape(-1))
    value.backward()
    grads = {"W_y": W_y.grad.numpy(), "b_y": b_y.grad.numpy()}
    W_ih = rnn.weight_ih_l0.grad.numpy().T  # our l0.W_x
    return y_pred.detach().numpy(), value.item(), grads, W_ih


@pytest.mark.parametrize(
    "cell, layers, bidir, readout, loss",
    [("lstm", 2, True, "last", "mse"), ("gru", 1, True, "all", "cross_entropy"), ("lstm", 1, False, "all", "mse")],
)
def test_matches_pytorch(cell, layers, bidir, readout, loss):
    """Forward output, loss and gradients equal torch's (nn.LSTM/GRU + Linear, with h_n for readout last)."""
    model = Model(cell, D, H, V, num_layers=layers, bidirectional=bidir, readout=readout, seed=2)
    x, y, _ = _data(readout, loss, False, seed=4)
    y_ref, loss_ref, grads_ref, dW_x_ref = _torch_reference(model, x, loss, y)
    np.testing.assert_allclose(model.predict(x), y_ref, rtol=1e-10, atol=1e-12)
    value, grads = model.loss_and_grads(x, y, loss=loss)
    assert value == pytest.approx(loss_ref, rel=1e-12)
    for k in ("W_y", "b_y"):
        np.testing.assert_allclose(grads[k], grads_ref[k], rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(grads["l0.W_x"], dW_x_ref, rtol=1e-9, atol=1e-12)


def test_state_carried_across_chunks_equals_one_pass():
    """Two chunks with the final state of the first as the initial state of the second = one long pass."""
    model = Model("lstm", D, H, V, num_layers=2, readout="all", seed=5)
    x = np.random.default_rng(6).normal(size=(N, 8, D))
    whole, _ = model.forward(x)
    first, cache = model.forward(x[:, :3])
    final = cache["final"]
    assert final["h"].shape == (2, N, H) and final["c"].shape == (2, N, H)
    second, _ = model.forward(x[:, 3:], h0=final["h"], c0=final["c"])
    np.testing.assert_allclose(np.concatenate([first, second], axis=1), whole, rtol=1e-13, atol=1e-14)
    rng = np.random.default_rng(0)
    y = rng.normal(size=(N, 5, V))
    loss, grads, fin = model.loss_and_grads(x[:, 3:], y, h0=final["h"], c0=final["c"], return_final=True)
    np.testing.assert_allclose(fin["h"], model.forward(x)[1]["final"]["h"], rtol=1e-13, atol=1e-14)
    assert set(grads) == set(model.params)


def test_n_params_and_layout():
    model = Model("lstm", D, H, V, num_layers=2, bidirectional=True)
    # per (layer, direction): 4H (D_in + H + 1); layer 1 reads 2H; readout 2H*V + V
    expected = 2 * 4 * H * (D + H + 1) + 2 * 4 * H * (2 * H + H + 1) + 2 * H * V + V
    assert model.n_params == expected
    assert model.params["W_y"].shape == (2 * H, V) and model.params["b_y"].shape == (V,)
    assert all(v.dtype == np.float64 for v in model.params.values())
    assert Model(**model.config).config == model.config


def test_same_seed_same_params_and_float32():
    a, b = Model("lstm", D, H, V, seed=7), Model("lstm", D, H, V, seed=7)
    for k in a.params:
        np.testing.assert_array_equal(a.params[k], b.params[k])
    c = Model("lstm", D, H, V, seed=8)
    assert not np.array_equal(a.params["l0.W_h"], c.params["l0.W_h"])
    m32 = Model("lstm", D, H, V, dtype=np.float32)
    y = m32.predict(np.zeros((2, 3, D), dtype=np.float32))
    assert y.dtype == np.float32


def test_forget_bias():
    model = Model("lstm", D, H, V, num_layers=2, bidirectional=True, forget_bias=1.0)
    f = get_cell("lstm").blocks.index("f")
    for key in model.stack_keys:
        if key.endswith(".b"):
            np.testing.assert_array_equal(model.params[key][f * H : (f + 1) * H], 1.0)
    with pytest.raises(ValueError, match="forget_bias: .*forget gate"):
        Model("rnn", D, H, V, forget_bias=1.0)


def test_to_device():
    model = Model("lstm", D, H, V)
    assert model.to("cpu") is model and model.device == "cpu"
    with pytest.raises(ValueError, match="device"):
        model.to("tpu")


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(input_size=0, hidden_size=H, output_size=V), ValueError, "input_size"),
        (dict(input_size=D, hidden_size=None, output_size=V), TypeError, "hidden_size"),
        (dict(input_size=D, hidden_size=H, output_size=V, cell="lsmt"), ValueError, "cell"),
        (dict(input_size=D, hidden_size=H, output_size=V, readout="first"), ValueError, "readout"),
        (dict(input_size=D, hidden_size=H, output_size=V, dtype=np.int32), TypeError, "dtype"),
        (dict(input_size=D, hidden_size=H, output_size=V, bidirectional=1), TypeError, "bidirectional"),
    ],
)
def test_bad_construction(kwargs, error, match):
    with pytest.raises(error, match=match):
        Model(**kwargs)


def test_bad_inputs_raise_and_do_not_modify():
    model = Model("lstm", D, H, V, readout="last")
    x = np.random.default_rng(0).normal(size=(N, T, D))
    with pytest.raises(ValueError, match=r"x: expected shape \(\?, \?, 3\), got \(3, 5, 4\)"):
        model.forward(np.zeros((N, T, 4)))
    with pytest.raises(TypeError, match="x: expected dtype float64"):
        model.forward(x.astype(np.float32))
    with pytest.raises(ValueError, match="mask: expected shape"):
        model.forward(x, mask=np.ones((N, T + 1), dtype=bool))
    empty_row = np.ones((N, T), dtype=bool)
    empty_row[1] = False
    with pytest.raises(ValueError, match="mask: expected at least one unmasked step per sequence.*sequence 1"):
        model.forward(x, mask=empty_row)
    with pytest.raises(ValueError, match="loss"):
        model.loss_and_grads(x, np.zeros((N, V)), loss="hinge")
    _, cache = model.forward(x)
    with pytest.raises(ValueError, match="dy_pred"):
        model.backward(np.zeros((N, T, V)), cache)
    y = np.zeros((N, V))
    x_before, y_before = x.copy(), y.copy()
    model.loss_and_grads(x, y)
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(y, y_before)


def test_truncated_bptt_equals_chunks_with_detached_state():
    """truncate=k over the whole sequence = the sum of the chunks' gradients, each chunk started from the
    previous chunk's final state taken as a constant (the character LM's training over a long stream)."""
    model = Model("lstm", D, H, V, num_layers=2, readout="all", seed=9)
    rng = np.random.default_rng(10)
    k, chunks = 3, 3
    x = rng.normal(size=(N, k * chunks, D))
    y = rng.normal(size=(N, k * chunks, V))
    _, grads = model.loss_and_grads(x, y, truncate=k)
    total = {key: np.zeros_like(p) for key, p in model.params.items()}
    h0 = c0 = None
    for c in range(chunks):
        part = slice(c * k, (c + 1) * k)
        _, g, final = model.loss_and_grads(x[:, part], y[:, part], h0=h0, c0=c0, return_final=True)
        for key in total:
            total[key] += g[key] / chunks  # each chunk's loss is a mean over its k steps: the whole is their mean
        h0, c0 = final["h"], final["c"]
    for key in total:
        np.testing.assert_allclose(grads[key], total[key], rtol=1e-10, atol=1e-14)
