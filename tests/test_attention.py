"""Tests for lstmlab/attention.py: float64 finite differences, and torch autograd as the oracle."""

from __future__ import annotations

import numpy as np
import pytest

from lstmlab.attention import (
    attention_backward,
    attention_forward,
    attention_step_backward,
    attention_step_forward,
    init_params,
)
from lstmlab.gradcheck import gradcheck

N, Tq, Tk, Hq, Hk, A = 2, 3, 4, 5, 3, 6


def _case(seed=0, masked=False):
    rng = np.random.default_rng(seed)
    params = {k: 2.0 * v for k, v in init_params(Hq, Hk, A, seed=seed).items()}
    q, keys = rng.standard_normal((N, Tq, Hq)), rng.standard_normal((N, Tk, Hk))
    dctx, dalpha = rng.standard_normal((N, Tq, Hk)), rng.standard_normal((N, Tq, Tk))
    mask = np.ones((N, Tk))
    if masked:
        mask[1, -2:] = 0.0
    return params, q, keys, dctx, dalpha, (mask if masked else None)


@pytest.mark.parametrize("masked", [False, True])
def test_backward_matches_finite_differences(masked):
    params, q, keys, dctx, dalpha, mask = _case(masked=masked)

    def f(p, inputs):
        ctx, alpha, cache = attention_forward(inputs["q"], inputs["keys"], p, mask)
        dq, dk, g = attention_backward(dctx, cache, dalpha)
        return float((ctx * dctx).sum() + (alpha * dalpha).sum()), {**g, "q": dq, "keys": dk}

    report = gradcheck(f, params, {"q": q, "keys": keys})
    assert report.ok, report
    assert report.max_rel_error < 1e-7


def test_mask_gives_zero_weight_and_zero_gradient():
    params, q, keys, dctx, _, mask = _case(masked=True)
    ctx, alpha, cache = attention_forward(q, keys, params, mask)
    assert np.all(alpha[1, :, -2:] == 0.0)
    np.testing.assert_allclose(alpha.sum(axis=-1), 1.0, rtol=0, atol=1e-14)
    _, dk, _ = attention_backward(dctx, cache)
    assert np.all(dk[1, -2:] == 0.0)
    ctx2, _, _ = attention_forward(q[1:], keys[1:, :-2], params)  # the same as dropping the padded keys
    np.testing.assert_allclose(ctx[1:], ctx2, rtol=1e-13, atol=1e-14)


def test_matches_torch_autograd():
    torch = pytest.importorskip("torch")
    params, q, keys, dctx, dalpha, _ = _case(seed=3)
    ctx, alpha, cache = attention_forward(q, keys, params)
    dq, dk, g = attention_backward(dctx, cache, dalpha)
    t = {k: torch.tensor(v, requires_grad=True) for k, v in {**params, "q": q, "keys": keys}.items()}
    u = torch.tanh((t["q"] @ t["W_q"])[:, :, None, :] + (t["keys"] @ t["W_k"])[:, None, :, :])
    a = torch.softmax(u @ t["v"], dim=-1)
    c = a @ t["keys"]
    ((c * torch.tensor(dctx)).sum() + (a * torch.tensor(dalpha)).sum()).backward()
    np.testing.assert_allclose(ctx, c.detach().numpy(), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(alpha, a.detach().numpy(), rtol=1e-12, atol=1e-13)
    for name, ours in {**g, "q": dq, "keys": dk}.items():
        np.testing.assert_allclose(ours, t[name].grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=name)


def test_step_is_the_one_query_case():
    params, q, keys, dctx, _, _ = _case()
    ctx, alpha, cache = attention_step_forward(q[:, 0], keys, params)
    full_ctx, full_alpha, full_cache = attention_forward(q[:, :1], keys, params)
    np.testing.assert_array_equal(ctx, full_ctx[:, 0])
    np.testing.assert_array_equal(alpha, full_alpha[:, 0])
    dq, dk, g = attention_step_backward(dctx[:, 0], cache)
    dq2, dk2, g2 = attention_backward(dctx[:, :1], full_cache)
    np.testing.assert_array_equal(dq, dq2[:, 0])
    np.testing.assert_array_equal(dk, dk2)


def test_bad_input_names_the_argument_and_leaves_inputs_unmodified():
    params, q, keys, *_ = _case()
    q0, k0 = q.copy(), keys.copy()
    with pytest.raises(ValueError, match="keys"):
        attention_forward(q, keys[:, :, :2], params)
    with pytest.raises(ValueError, match="q"):
        attention_forward(q[..., :2], keys, params)
    with pytest.raises(ValueError, match="params"):
        attention_forward(q, keys, {"v": params["v"]})
    with pytest.raises(ValueError, match="mask"):
        attention_forward(q, keys, params, np.zeros((N, Tk)))
    with pytest.raises(TypeError, match="q"):
        attention_forward(q.astype(np.float32), keys, params)
    np.testing.assert_array_equal(q, q0)
    np.testing.assert_array_equal(keys, k0)
