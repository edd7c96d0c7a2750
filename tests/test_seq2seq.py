"""Tests for lstmlab/seq2seq.py: the whole encoder-decoder's gradient against finite differences and torch."""

from __future__ import annotations

import numpy as np
import pytest

from lstmlab.gradcheck import gradcheck
from lstmlab.seq2seq import Seq2Seq, make_batch, train_seq2seq

K, H = 4, 3


@pytest.mark.parametrize("attend", [False, True])
def test_loss_gradient_matches_finite_differences(attend):
    model = Seq2Seq(K, H, attend, A=4, seed=1)
    # larger weights than at initialisation, so that every gradient entry stands well above the
    # rounding noise of the differences (about 1e-16 * loss / eps); eps = 1e-4 for the same reason
    model.params = {k: 3.0 * v for k, v in model.params.items()}
    src, tgt = make_batch(2, 5, K, np.random.default_rng(0))

    def f(p):
        model.params = p
        return model.loss_and_grads(src, tgt)

    report = gradcheck(f, model.params, eps=1e-4)
    assert report.ok, report
    assert report.max_rel_error < 1e-7


def test_matches_torch_with_attention():
    torch = pytest.importorskip("torch")
    model = Seq2Seq(K, H, True, A=4, seed=2)
    src, tgt = make_batch(3, 6, K, np.random.default_rng(1))
    loss, grads = model.loss_and_grads(src, tgt)
    t = {k: torch.tensor(v, requires_grad=True) for k, v in model.params.items()}

    def lstm(x, prefix, h, c):  # gate order i, f, g, o, as lstmlab and torch
        outs = []
        for step in range(x.shape[1]):
            a = x[:, step] @ t[prefix + "W_x"] + h @ t[prefix + "W_h"] + t[prefix + "b"]
            i, f, g, o = a.chunk(4, dim=1)
            c = torch.sigmoid(f) * c + torch.sigmoid(i) * torch.tanh(g)
            h = torch.sigmoid(o) * torch.tanh(c)
            outs.append(h)
        return torch.stack(outs, 1), h, c

    N, L = src.shape
    zero = torch.zeros(N, H, dtype=torch.float64)
    E, h, c = lstm(torch.eye(K, dtype=torch.float64)[src], "enc.", zero, zero)
    prev = np.concatenate([np.full((N, 1), K), tgt[:, :-1]], axis=1)
    S, _, _ = lstm(torch.eye(K + 1, dtype=torch.float64)[prev], "dec.", h, c)
    u = torch.tanh((S @ t["att.W_q"])[:, :, None, :] + (E @ t["att.W_k"])[:, None, :, :])
    ctx = torch.softmax(u @ t["att.v"], dim=-1) @ E
    logits = torch.cat([S, ctx], dim=-1) @ t["W_y"] + t["b_y"]
    ref = torch.nn.functional.cross_entropy(logits.reshape(-1, K), torch.tensor(tgt).reshape(-1))
    ref.backward()
    assert abs(loss - ref.item()) < 1e-12
    for k, g in grads.items():
        np.testing.assert_allclose(g, t[k].grad.numpy(), rtol=1e-9, atol=1e-12, err_msg=k)


def test_greedy_decoding_agrees_with_teacher_forcing_when_right():
    """Once trained on a tiny problem, the greedy outputs are the argmax of the teacher-forced logits."""
    model = Seq2Seq(3, 8, True, A=8, seed=0)
    train_seq2seq(model, 150, lengths=(3, 4), N=16, lr=2e-2, seed=0)
    src, tgt = make_batch(50, 4, 3, np.random.default_rng(5))
    assert model.accuracy(src, tgt) > 0.9
    pred, alpha = model.decode(src)
    assert alpha.shape == (50, 4, 4)
    np.testing.assert_allclose(alpha.sum(axis=-1), 1.0, atol=1e-12)


def test_bad_input():
    with pytest.raises(TypeError, match="attend"):
        Seq2Seq(K, H, attend=1)
    with pytest.raises(ValueError, match="K"):
        Seq2Seq(0, H, True)
    with pytest.raises(TypeError, match="rng"):
        make_batch(2, 3, K, rng=0)
