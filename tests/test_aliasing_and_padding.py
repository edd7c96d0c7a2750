"""Outputs never alias the cache (every cell, both paths, step functions too); padded bidirectional stacks.

Aliasing: after ``forward``, writing into ``hs`` and ``final`` (and into a step's returned state)
must not change what ``backward`` returns. Padding: with per-sequence lengths (or a mask in the
model), a bidirectional stack gives what torch's ``pack_padded_sequence`` gives, and the output
does not depend on how much padding follows a sequence.
"""

import numpy as np
import pytest

from lstmlab import sequence
from lstmlab.cells import (
    CELLS,
    get_cell,
    gru_step_backward,
    gru_step_forward,
    lstm_step_backward,
    lstm_step_forward,
    rnn_step_backward,
    rnn_step_forward,
)
from lstmlab.cells.base import step_backward, step_forward
from lstmlab.model import Model
from lstmlab.stack import init_stack_params, stack_backward, stack_forward

N, T, D, H = 3, 5, 2, 4


def _setup(cell, seed=0):
    rng = np.random.default_rng(seed)
    params = get_cell(cell).init_params(D, H, seed=seed)
    return rng.normal(size=(N, T, D)), params, rng.normal(size=(N, T, H))


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("cell", sorted(CELLS))
def test_writing_into_forward_outputs_leaves_backward_unchanged(cell, fast):
    x, params, dhs = _setup(cell)
    hs, final, cache = sequence.forward(x, params, cell, fast=fast)
    clean = sequence.backward(dhs, sequence.forward(x, params, cell, fast=fast)[2])
    for a in (hs, *final.values()):
        for b in cache_arrays(cache):
            assert not np.shares_memory(a, b)
        a[...] = 123.0  # e.g. a learner resetting a sequence's state before the next chunk
    got = sequence.backward(dhs, cache)
    for k in clean:
        np.testing.assert_array_equal(got[k], clean[k])


def cache_arrays(cache):
    """Every array a sequence cache holds (the params excepted: they are the caller's own)."""
    out = []
    for k, v in cache.items():
        if k == "caches":
            out += [a for step in v for key, a in step.items() if key != "params" and isinstance(a, np.ndarray)]
        elif isinstance(v, np.ndarray):
            out.append(v)
    return out


@pytest.mark.parametrize("cell", sorted(CELLS))
def test_step_outputs_share_no_memory_with_the_step_cache(cell):
    spec = get_cell(cell)
    rng = np.random.default_rng(1)
    params = spec.init_params(D, H, seed=1)
    x = rng.normal(size=(N, D))
    state_prev = tuple(rng.normal(size=(N, w)) for w in spec.widths(H))
    dstate = tuple(rng.normal(size=(N, w)) for w in spec.widths(H))
    state, cache = step_forward(spec, x, state_prev, params)
    clean = step_backward(spec, dstate, step_forward(spec, x, state_prev, params)[1])
    for s in state:
        assert not any(np.shares_memory(s, a) for a in cache[0].values() if isinstance(a, np.ndarray))
        s[...] = -7.0
    got = step_backward(spec, dstate, cache)
    np.testing.assert_array_equal(got[0], clean[0])
    for a, b in zip(got[1], clean[1]):
        np.testing.assert_array_equal(a, b)
    for k in clean[2]:
        np.testing.assert_array_equal(got[2][k], clean[2][k])


def test_the_named_step_functions_return_fresh_arrays():
    rng = np.random.default_rng(2)
    x, h, c, dh, dc = (rng.normal(size=s) for s in ((N, D), (N, H), (N, H), (N, H), (N, H)))
    p = get_cell("lstm").init_params(D, H)
    h1, c1, cache = lstm_step_forward(x, h, c, p)
    want = lstm_step_backward(dh, dc, lstm_step_forward(x, h, c, p)[2])
    h1[...], c1[...] = 5.0, 5.0
    for a, b in zip(lstm_step_backward(dh, dc, cache)[:3], want[:3]):
        np.testing.assert_array_equal(a, b)
    for fwd, bwd, cell in ((rnn_step_forward, rnn_step_backward, "rnn"), (gru_step_forward, gru_step_backward, "gru")):
        p = get_cell(cell).init_params(D, H)
        h1, cache = fwd(x, h, p)
        want = bwd(dh, fwd(x, h, p)[1])
        h1[...] = 5.0
        for a, b in zip(bwd(dh, cache)[:2], want[:2]):
            np.testing.assert_array_equal(a, b)


def test_step_backward_checks_dh_and_dc():
    rng = np.random.default_rng(3)
    x, h, c = rng.normal(size=(N, D)), rng.normal(size=(N, H)), rng.normal(size=(N, H))
    _, _, cache = lstm_step_forward(x, h, c, get_cell("lstm").init_params(D, H))
    with pytest.raises(ValueError, match=r"dh: expected shape \(3, 4\), got \(4,\)"):
        lstm_step_backward(np.ones(H), np.ones((N, H)), cache)
    with pytest.raises(ValueError, match=r"dc: expected shape \(3, 4\), got \(3, 5\)"):
        lstm_step_backward(np.ones((N, H)), np.ones((N, 5)), cache)
    with pytest.raises(TypeError, match="dc: expected dtype float64"):
        lstm_step_backward(np.ones((N, H)), np.ones((N, H), dtype=np.float32), cache)
    with pytest.raises(TypeError, match="cache: expected the cache returned by lstm_step_forward"):
        lstm_step_backward(np.ones((N, H)), None, (1, 2))


@pytest.mark.parametrize("fast", [True, False])
def test_sequence_backward_validates_its_cache(fast):
    x, params, dhs = _setup("lstm")
    out = sequence.forward(x, params, "lstm", fast=fast)
    for wrong, hint in ((out, "third element"), (out[1], "final state"), (None, "NoneType")):
        with pytest.raises(TypeError, match=f"cache: expected the cache returned by sequence.forward.*{hint}"):
            sequence.backward(dhs, wrong)


@pytest.mark.parametrize("fast", [True, False])
@pytest.mark.parametrize("bad", ["N", "D", "H"])
def test_empty_sizes_are_refused_on_every_path(bad, fast):
    n, d, h = (0 if bad == k else v for k, v in (("N", N), ("D", D), ("H", H)))
    params = {"W_x": np.zeros((d, 4 * h)), "W_h": np.zeros((h, 4 * h)), "b": np.zeros(4 * h)}
    with pytest.raises(ValueError, match=rf"({bad} >= 1)|(expected {bad} >= 1)"):
        sequence.forward(np.zeros((n, T, d)), params, "lstm", fast=fast)


# ----------------------------------------------------------------------------------------------- padding


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn", "peephole", "fgr"])
def test_model_output_with_a_mask_does_not_depend_on_the_padding(cell):
    model = Model(cell, input_size=D, hidden_size=H, output_size=2, bidirectional=True, num_layers=2, seed=4)
    rng = np.random.default_rng(5)
    x3 = rng.normal(size=(2, 3, D))
    results = []
    for T_pad in (3, 5, 9):
        x = np.concatenate([x3, rng.normal(size=(2, T_pad - 3, D)) * 10], axis=1)  # loud padding
        mask = np.zeros((2, T_pad))
        mask[:, :3] = 1
        y, cache = model.forward(x, mask=mask)
        g = model.backward(np.ones_like(y), cache)
        results.append((y, g))
    for y, g in results[1:]:
        np.testing.assert_allclose(y, results[0][0], rtol=0, atol=1e-14)
        for k in g:
            np.testing.assert_allclose(g[k], results[0][1][k], rtol=0, atol=1e-13)


@pytest.mark.parametrize("cell", ["lstm", "gru", "rnn"])
def test_lengths_match_torch_pack_padded_sequence(cell):
    torch = pytest.importorskip("torch")
    from lstmlab.bridge import to_torch

    L, Tm = 2, 6
    lengths = np.array([6, 2, 4, 1])
    rng = np.random.default_rng(6)
    x = rng.normal(size=(4, Tm, D))
    params = init_stack_params(cell, D, H, L, True, seed=7)
    out, final, cache = stack_forward(x, params, cell, L, True, lengths=lengths)
    real = np.arange(Tm)[None, :] < lengths[:, None]
    w_out = rng.normal(size=out.shape) * real[..., None]
    w_h = rng.normal(size=final["h"].shape)
    g = stack_backward(w_out, cache, dh_T=w_h)

    module = to_torch(params, cell, L, True)
    xt = torch.tensor(x, requires_grad=True)
    packed = torch.nn.utils.rnn.pack_padded_sequence(xt, torch.tensor(lengths), batch_first=True, enforce_sorted=False)
    out_p, state = module(packed)
    out_t, _ = torch.nn.utils.rnn.pad_packed_sequence(out_p, batch_first=True, total_length=Tm)
    h_n = state[0] if cell == "lstm" else state
    np.testing.assert_allclose(out * real[..., None], out_t.detach().numpy(), rtol=0, atol=1e-12)
    np.testing.assert_allclose(final["h"], h_n.detach().numpy(), rtol=0, atol=1e-12)
    if cell == "lstm":
        np.testing.assert_allclose(final["c"], state[1].detach().numpy(), rtol=0, atol=1e-12)
    loss = (out_t * torch.tensor(w_out)).sum() + (h_n * torch.tensor(w_h)).sum()
    loss.backward()
    np.testing.assert_allclose(g["x"] * real[..., None], xt.grad.numpy(), rtol=0, atol=1e-12)
    from lstmlab.bridge import from_state_dict

    grads_t = {k: p.grad.clone() for k, p in module.named_parameters()}
    for k in grads_t:  # our b is bias_ih + bias_hh: its gradient is that of either, not their sum
        if k.startswith("bias_hh"):
            grads_t[k][: (2 * H if cell == "gru" else None)] = 0.0
    torch_grads = from_state_dict(grads_t, cell, L, True)
    for k, v in torch_grads.items():
        np.testing.assert_allclose(g[k], v, rtol=0, atol=1e-11, err_msg=k)
