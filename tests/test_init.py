"""Initialisations: ranges, orthogonality, identity, and gate biases in the right block."""

import numpy as np
import pytest

from lstmlab.cells import get_cell
from lstmlab.init import (
    hs1997_init,
    identity_init,
    orthogonal_init,
    set_block_bias,
    set_forget_bias,
    set_gate_bias,
    uniform_init,
)

D, H = 3, 16


def zeros(cell="lstm", dtype=np.float64, prefix=""):
    shapes = get_cell(cell).param_shapes(D, H)
    return {prefix + k: np.zeros(s, dtype=dtype) for k, s in shapes.items()}


@pytest.mark.parametrize("cell", ["lstm", "peephole", "fgr"])
def test_uniform_init_is_torchs_range_and_in_place(cell):
    params = zeros(cell)
    arrays = dict(params)
    assert uniform_init(params, seed=1) is params
    k = 1 / np.sqrt(H)
    for key, a in params.items():
        assert a is arrays[key] and a.dtype == np.float64
        assert np.all(np.abs(a) <= k)
    W_h = params["W_h"]
    assert W_h.max() > 0.9 * k and W_h.min() < -0.9 * k  # spread over the whole interval
    assert abs(W_h.mean()) < 0.1 * k
    again = uniform_init(zeros(cell), seed=np.random.default_rng(1))
    for key in params:
        np.testing.assert_array_equal(again[key], params[key])


@pytest.mark.parametrize("scale", [0.1, 0.2])
def test_hs1997_init_range(scale):
    params = hs1997_init(zeros("lstm1997", np.float32), seed=0, scale=scale)
    for a in params.values():
        assert a.dtype == np.float32
        assert np.all(np.abs(a) <= np.float32(scale)) and np.abs(a).max() > 0.9 * scale


@pytest.mark.parametrize("cell, G", [("lstm", 4), ("lstm1997", 3)])
def test_orthogonal_blocks(cell, G):
    params = uniform_init(zeros(cell), seed=0)
    W_x, b = params["W_x"].copy(), params["b"].copy()
    orthogonal_init(params, seed=3, gain=1.0)
    W_h = params["W_h"]
    for n in range(G):
        Q = W_h[:, n * H : (n + 1) * H]
        np.testing.assert_allclose(Q.T @ Q, np.eye(H), rtol=0, atol=1e-12)
        np.testing.assert_allclose(Q @ Q.T, np.eye(H), rtol=0, atol=1e-12)
        np.testing.assert_allclose(np.linalg.svd(Q, compute_uv=False), np.ones(H), atol=1e-12)
    assert not np.allclose(W_h[:, :H], W_h[:, H : 2 * H])  # independent blocks
    np.testing.assert_array_equal(params["W_x"], W_x)
    np.testing.assert_array_equal(params["b"], b)


def test_orthogonal_gain_and_sign_fix_is_unbiased():
    params = orthogonal_init(zeros("lstm"), seed=0, gain=0.5)
    Q = params["W_h"][:, :H]
    np.testing.assert_allclose(Q.T @ Q, 0.25 * np.eye(H), atol=1e-12)
    # Haar-distributed Q: E[Q_11] = 0. Without the sign fix, numpy's QR makes diag(R) negative, biasing the diagonal.
    diag_means = [np.diag(orthogonal_init(zeros("np"), seed=s)["W_h"][:, :H]).mean() for s in range(40)]
    assert abs(np.mean(diag_means)) < 0.05


def test_identity_init_is_irnn():
    params = uniform_init(zeros("lstm"), seed=0)
    W_x = params["W_x"].copy()
    identity_init(params, scale=1.0)
    for n in range(4):
        np.testing.assert_array_equal(params["W_h"][:, n * H : (n + 1) * H], np.eye(H))
    np.testing.assert_array_equal(params["b"], np.zeros(4 * H))
    np.testing.assert_array_equal(params["W_x"], W_x)
    p2 = identity_init(uniform_init(zeros("lstm"), seed=0), scale=0.5, zero_bias=False)
    np.testing.assert_array_equal(p2["W_h"][:, :H], 0.5 * np.eye(H))
    assert np.any(p2["b"] != 0)


@pytest.mark.parametrize("cell, position", [("lstm", 1), ("peephole", 1), ("np", 1), ("nig", 0), ("fgr", 1)])
def test_forget_bias_goes_in_the_forget_block(cell, position):
    params = uniform_init(zeros(cell), seed=0)
    before = {k: v.copy() for k, v in params.items()}
    assert set_forget_bias(params, cell, 1.0) is params
    b = params["b"]
    f = slice(position * H, (position + 1) * H)
    np.testing.assert_array_equal(b[f], np.ones(H))
    other = np.ones(b.shape, bool)
    other[f] = False
    np.testing.assert_array_equal(b[other], before["b"][other])
    for k in params:
        if k != "b":
            np.testing.assert_array_equal(params[k], before[k])


def test_forget_bias_opens_the_gate_in_the_cell():
    """Through the cell itself: with zero weights, f = sigma(b_f), read off c_t = f * c_{t-1} + i * g with g = 0."""
    from lstmlab.cells import lstm_step_forward

    params = set_forget_bias(zeros("lstm"), "lstm", 2.0)
    x, h0, c0 = np.zeros((1, D)), np.zeros((1, H)), np.ones((1, H))
    _, c, _ = lstm_step_forward(x, h0, c0, params)
    np.testing.assert_allclose(c, np.full((1, H), 1 / (1 + np.exp(-2.0))), rtol=1e-14)


@pytest.mark.parametrize("cell", ["lstm1997", "nfg", "cifg"])
def test_cells_without_forget_gate_raise(cell):
    params = zeros(cell)
    with pytest.raises(ValueError, match=rf"cell: expected a cell with a forget gate .* got '{cell}'"):
        set_forget_bias(params, cell, 1.0)
    assert not np.any(params["b"])


def test_cifg_hint():
    with pytest.raises(ValueError, match="set the input gate's bias instead"):
        set_forget_bias(zeros("cifg"), "cifg", 1.0)


def test_prefix_selects_one_layer_of_a_stack():
    params = {**zeros("lstm", prefix="l0."), **zeros("lstm", prefix="l1."), "W_y": np.zeros((H, 2))}
    set_forget_bias(params, "lstm", 1.0, prefix="l1.")
    orthogonal_init(params, seed=0, prefix="l1.")
    assert not np.any(params["l0.b"]) and not np.any(params["l0.W_h"]) and not np.any(params["W_y"])
    np.testing.assert_array_equal(params["l1.b"][H : 2 * H], np.ones(H))
    np.testing.assert_allclose(params["l1.W_h"][:, :H].T @ params["l1.W_h"][:, :H], np.eye(H), atol=1e-12)
    with pytest.raises(ValueError, match=r"params: expected keys \['l2.W_x', 'l2.W_h', 'l2.b'\]"):
        uniform_init(params, prefix="l2.")


def test_gate_and_block_biases():
    params = zeros("lstm1997")  # blocks ("i", "g", "o")
    set_gate_bias(params, "lstm1997", "i", np.arange(H, dtype=float))
    np.testing.assert_array_equal(params["b"][:H], np.arange(H))
    set_block_bias(params, "lstm1997", [-1.0, -2.0, -3.0, -4.0], gate="o", block_size=4)
    want = np.repeat([-1.0, -2.0, -3.0, -4.0], 4)
    np.testing.assert_array_equal(params["b"][2 * H :], want)
    assert not np.any(params["b"][H : 2 * H])  # the candidate block is untouched
    with pytest.raises(ValueError, match=r"gate: expected one of the blocks of the 'lstm1997' cell .* got 'f'"):
        set_gate_bias(params, "lstm1997", "f", 1.0)
    with pytest.raises(ValueError, match=r"values: expected shape \(4,\), got \(3,\)"):
        set_block_bias(params, "lstm1997", [-1.0, -2.0, -3.0], block_size=4)
    with pytest.raises(ValueError, match="block_size: expected a divisor of H = 16, got 5"):
        set_block_bias(params, "lstm1997", [-1.0, -2.0, -3.0], block_size=5)
    with pytest.raises(ValueError, match=r"value: expected shape \(16,\), got \(3,\)"):
        set_gate_bias(params, "lstm1997", "o", np.zeros(3))


def test_float32_and_gpu_style_fill_keep_dtype():
    params = zeros("lstm", np.float32)
    orthogonal_init(params, seed=0)
    set_forget_bias(params, "lstm", 1.0)
    assert all(a.dtype == np.float32 for a in params.values())
    Q = params["W_h"][:, :H].astype(np.float64)
    np.testing.assert_allclose(Q.T @ Q, np.eye(H), atol=1e-6)


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda p: uniform_init(p, seed="a"), TypeError, "seed: expected an int or a np.random.Generator"),
        (lambda p: uniform_init([p]), TypeError, "params: expected a dict"),
        (lambda p: orthogonal_init({**p, "W_h": np.zeros((H, 4 * H + 1))}), ValueError, r"params\['W_h'\]: expected"),
        (lambda p: orthogonal_init(p, gain=0.0), ValueError, r"gain: expected a number > 0.0"),
        (lambda p: hs1997_init(p, scale=-0.1), ValueError, r"scale: expected a number > 0.0"),
        (lambda p: set_forget_bias(p, "nope", 1.0), ValueError, "cell: expected one of"),
        (lambda p: set_forget_bias(p, "peephole", 1.0), ValueError, r"params: expected keys .*missing keys"),
        (lambda p: set_forget_bias(p, "lstm", np.nan), ValueError, "value: expected a finite number"),
        (lambda p: identity_init(p, zero_bias=1), TypeError, "zero_bias: expected True or False"),
    ],
)
def test_bad_arguments_change_nothing(call, exc, match):
    params = uniform_init(zeros("lstm"), seed=0)
    before = {k: v.copy() for k, v in params.items()}
    with pytest.raises(exc, match=match):
        call(params)
    for k in before:
        np.testing.assert_array_equal(params[k], before[k])
