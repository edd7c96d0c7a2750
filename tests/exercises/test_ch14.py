"""The chapter 14 checkers accept a correct answer and name each typical mistake."""

import numpy as np

from lstmlab.attention import attention_step_backward, attention_step_forward
from lstmlab.exercises import check_attention_step_backward, check_lstm_flops, check_to_other_convention


def test_lstm_flops():
    assert check_lstm_flops(lambda T, N, D, H: 2 * T * N * 4 * H * (D + H))
    fb = check_lstm_flops(lambda T, N, D, H: T * N * 4 * H * (D + H))
    assert not fb and "two flops" in str(fb)
    fb = check_lstm_flops(lambda T, N, D, H: 2 * T * N * 4 * H * D)
    assert not fb and "recurrent product" in str(fb)


def test_attention_step_backward():
    def right(dctx, q, keys, params):
        _, _, cache = attention_step_forward(q, keys, params)
        return attention_step_backward(dctx, cache)

    assert check_attention_step_backward(right)

    def direct_only(dctx, q, keys, params):
        dq, _, g = right(dctx, q, keys, params)
        _, alpha, _ = attention_step_forward(q, keys, params)
        return dq, alpha[..., None] * dctx[:, None, :], g

    fb = check_attention_step_backward(direct_only)
    assert not fb and "scores" in str(fb)


def _blocks(a, H):
    return [a[..., k * H : (k + 1) * H] for k in range(4)]


def test_to_other_convention():
    def right(p):
        H = p["W_h"].shape[0]
        i, f, g, o = _blocks(np.concatenate([p["W_x"], p["W_h"]]), H)
        bi, bf, bg, bo = _blocks(p["b"], H)
        return np.concatenate([i, g, f, o], 1), np.concatenate([bi, bg, bf - 1.0, bo])

    assert check_to_other_convention(right)

    def no_bias_shift(p):
        k, b = right(p)
        H = p["W_h"].shape[0]
        b = b.copy()
        b[2 * H : 3 * H] += 1.0
        return k, b

    fb = check_to_other_convention(no_bias_shift)
    assert not fb and "b_f - 1" in str(fb)
    fb = check_to_other_convention(lambda p: (np.concatenate([p["W_x"], p["W_h"]]), p["b"]))
    assert not fb and "gate order" in str(fb)
