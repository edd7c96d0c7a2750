"""Gradient clipping against torch.nn.utils.clip_grad_norm_ and clip_grad_value_."""

import math

import numpy as np
import pytest
import torch

from lstmlab.clip import clip_grad_norm, clip_grad_value, global_norm


def make_grads(scale=1.0, seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    shapes = {"W_x": (3, 8), "W_h": (2, 8), "b": (8,)}
    return {k: (scale * rng.standard_normal(s)).astype(dtype) for k, s in shapes.items()}


def torch_clip_norm(grads, max_norm):
    tensors = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads.values()]
    for t, g in zip(tensors, grads.values()):
        t.grad = torch.tensor(g)
    total = torch.nn.utils.clip_grad_norm_(tensors, max_norm)
    return float(total), {k: t.grad.numpy() for k, t in zip(grads, tensors)}


def test_global_norm_is_the_norm_of_everything_concatenated():
    grads = make_grads()
    flat = np.concatenate([g.ravel() for g in grads.values()])
    assert global_norm(grads) == pytest.approx(math.sqrt(float(flat @ flat)), rel=1e-14)
    assert global_norm(grads, keys=["b"]) == pytest.approx(float(np.linalg.norm(grads["b"])), rel=1e-14)
    assert global_norm({}) == 0.0


@pytest.mark.parametrize("scale, max_norm", [(0.01, 1.0), (1.0, 1.0), (10.0, 0.5), (1.0, 1e-3)])
def test_clip_grad_norm_matches_torch(scale, max_norm):
    grads = make_grads(scale)
    arrays = dict(grads)
    want_total, want = torch_clip_norm(grads, max_norm)
    total = clip_grad_norm(grads, max_norm)
    assert isinstance(total, float)
    assert total == pytest.approx(want_total, rel=1e-14)
    for k in grads:
        assert grads[k] is arrays[k]  # in place
        np.testing.assert_allclose(grads[k], want[k], rtol=1e-14, atol=1e-17)
    assert global_norm(grads) <= max_norm * (1 + 1e-12)


def test_clip_grad_norm_keeps_direction_and_uses_torchs_eps():
    grads = {"w": np.array([3.0, 4.0])}  # norm 5
    assert clip_grad_norm(grads, 1.0) == 5.0
    np.testing.assert_allclose(grads["w"], np.array([3.0, 4.0]) / (5.0 + 1e-6), rtol=1e-15)
    at_limit = {"w": np.array([3.0, 4.0])}  # norm == max_norm: the factor 5/(5+1e-6) < 1, so torch scales
    clip_grad_norm(at_limit, 5.0)
    np.testing.assert_allclose(at_limit["w"], np.array([3.0, 4.0]) * 5.0 / (5.0 + 1e-6), rtol=1e-15)


def test_clip_grad_norm_on_some_keys_only():
    grads = make_grads(10.0)
    b_before = grads["b"].copy()
    sub = {k: grads[k].copy() for k in ("W_x", "W_h")}
    want_total, want = torch_clip_norm(sub, 1.0)
    total = clip_grad_norm(grads, 1.0, keys=["W_x", "W_h"])
    assert total == pytest.approx(want_total, rel=1e-14)
    np.testing.assert_array_equal(grads["b"], b_before)
    np.testing.assert_allclose(grads["W_h"], want["W_h"], rtol=1e-14)


def test_clip_grad_norm_float32_matches_torch():
    grads = make_grads(5.0, dtype=np.float32)
    tensors = [torch.zeros(g.shape, requires_grad=True) for g in grads.values()]
    for t, g in zip(tensors, grads.values()):
        t.grad = torch.tensor(g)
    want_total = float(torch.nn.utils.clip_grad_norm_(tensors, 1.0))
    total = clip_grad_norm(grads, 1.0)
    assert total == pytest.approx(want_total, rel=1e-6)
    for g, t in zip(grads.values(), tensors):
        assert g.dtype == np.float32
        np.testing.assert_allclose(g, t.grad.numpy(), rtol=1e-6, atol=1e-7)


def test_nonfinite_norm_is_reported_not_spread():
    grads = make_grads()
    grads["b"][0] = np.inf
    before = {k: v.copy() for k, v in grads.items()}
    assert clip_grad_norm(grads, 1.0) == math.inf
    for k in grads:
        np.testing.assert_array_equal(grads[k], before[k])
    with pytest.raises(ValueError, match="grads: expected a finite gradient norm, got inf"):
        clip_grad_norm(grads, 1.0, error_if_nonfinite=True)


@pytest.mark.parametrize("clip_value", [0.1, 0.5, 10.0])
def test_clip_grad_value_matches_torch(clip_value):
    grads = make_grads()
    tensors = [torch.zeros(g.shape, dtype=torch.float64, requires_grad=True) for g in grads.values()]
    for t, g in zip(tensors, grads.values()):
        t.grad = torch.tensor(g)
    torch.nn.utils.clip_grad_value_(tensors, clip_value)
    arrays = dict(grads)
    assert clip_grad_value(grads, clip_value) is None
    for (k, g), t in zip(grads.items(), tensors):
        assert g is arrays[k]
        np.testing.assert_array_equal(g, t.grad.numpy())


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (lambda g: clip_grad_norm(g, 0.0), ValueError, r"max_norm: expected a number > 0.0, got 0.0"),
        (lambda g: clip_grad_norm(g, "1"), TypeError, "max_norm: expected a real number"),
        (lambda g: clip_grad_value(g, -1.0), ValueError, "clip_value: expected a number > 0.0"),
        (lambda g: clip_grad_norm(g, 1.0, keys=["W_q"]), ValueError, r"keys: .*unknown keys \['W_q'\]"),
        (lambda g: clip_grad_norm(g, 1.0, keys="b"), TypeError, "keys: expected a list"),
        (lambda g: global_norm([g["b"]]), TypeError, "grads: expected a dict"),
        (lambda g: global_norm({**g, "n": [1.0]}), TypeError, r"grads\['n'\]: expected a float array"),
    ],
)
def test_bad_arguments(call, exc, match):
    grads = make_grads()
    before = {k: v.copy() for k, v in grads.items()}
    with pytest.raises(exc, match=match):
        call(grads)
    for k in before:
        np.testing.assert_array_equal(grads[k], before[k])
