"""Losses against torch.nn.functional and central finite differences."""

import numpy as np
import pytest
import torch
import torch.nn.functional as F

from lstmlab.losses import log_softmax, mse_loss, softmax, softmax_cross_entropy


def finite_difference(f, x, eps=1e-6):
    """Central differences of the scalar f at x (float64), one entry at a time."""
    grad = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        x_plus, x_minus = x.copy(), x.copy()
        x_plus[idx] += eps
        x_minus[idx] -= eps
        grad[idx] = (f(x_plus) - f(x_minus)) / (2 * eps)
    return grad


def rel_error(a, b):
    return np.max(np.abs(a - b)) / max(np.max(np.abs(a) + np.abs(b)), 1e-300)


@pytest.fixture
def rng():
    return np.random.default_rng(0)


def padding_mask(N, T, lengths):
    return np.arange(T)[None, :] < np.asarray(lengths)[:, None]


# ----- softmax helpers ---------------------------------------------------------------------------


def test_softmax_and_log_softmax_match_torch_and_do_not_overflow(rng):
    z = rng.standard_normal((4, 5, 7)) * 3
    np.testing.assert_allclose(log_softmax(z), F.log_softmax(torch.tensor(z), dim=-1).numpy(), atol=1e-14)
    np.testing.assert_allclose(softmax(z, axis=1), F.softmax(torch.tensor(z), dim=1).numpy(), atol=1e-15)
    big = np.array([[1000.0, 0.0, -1000.0]])
    p = softmax(big)
    assert np.all(np.isfinite(p)) and p[0, 0] == 1.0
    assert log_softmax(big)[0, 2] == -2000.0


# ----- MSE --------------------------------------------------------------------------------------


@pytest.mark.parametrize("shape", [(5,), (4, 3), (2, 6, 3)])
def test_mse_matches_torch_without_mask(rng, shape):
    y_pred, y = rng.standard_normal(shape), rng.standard_normal(shape)
    loss, dy = mse_loss(y_pred, y)
    t_pred = torch.tensor(y_pred, requires_grad=True)
    t_loss = F.mse_loss(t_pred, torch.tensor(y), reduction="mean")
    t_loss.backward()
    assert isinstance(loss, float)
    assert loss == pytest.approx(t_loss.item(), rel=1e-14)
    np.testing.assert_allclose(dy, t_pred.grad.numpy(), rtol=1e-13, atol=1e-16)


def test_mse_with_mask_is_torch_mse_of_the_selected_elements(rng):
    N, T, V = 3, 5, 2
    y_pred, y = rng.standard_normal((N, T, V)), rng.standard_normal((N, T, V))
    mask = padding_mask(N, T, [5, 2, 3])
    loss, dy = mse_loss(y_pred, y, mask=mask)
    t_pred = torch.tensor(y_pred, requires_grad=True)
    sel = torch.tensor(mask)
    t_loss = F.mse_loss(t_pred[sel], torch.tensor(y)[sel])  # (10, V): mean over 10 positions and V
    t_loss.backward()
    assert loss == pytest.approx(t_loss.item(), rel=1e-14)
    np.testing.assert_allclose(dy, t_pred.grad.numpy(), rtol=1e-13, atol=1e-16)
    assert np.all(dy[~mask] == 0)
    # the formula written out: sum over selected positions and V, divided by (#selected * V)
    assert loss == pytest.approx(((y_pred - y) ** 2)[mask].sum() / (mask.sum() * V), rel=1e-14)
    # a 0/1 float mask means the same
    loss01, dy01 = mse_loss(y_pred, y, mask=mask.astype(np.float64))
    assert loss01 == loss and np.array_equal(dy01, dy)


def test_mse_gradient_by_finite_differences(rng):
    y_pred, y = rng.standard_normal((2, 4, 3)), rng.standard_normal((2, 4, 3))
    mask = padding_mask(2, 4, [4, 1])
    _, dy = mse_loss(y_pred, y, mask=mask)
    numeric = finite_difference(lambda p: mse_loss(p, y, mask=mask)[0], y_pred)
    assert rel_error(dy, numeric) < 1e-8


def test_mse_float32_stays_float32(rng):
    y_pred = rng.standard_normal((3, 4)).astype(np.float32)
    y = rng.standard_normal((3, 4)).astype(np.float32)
    loss, dy = mse_loss(y_pred, y, mask=np.array([True, False, True]))
    assert dy.dtype == np.float32
    assert loss == pytest.approx(float(np.mean((y_pred - y)[[0, 2]].astype(np.float64) ** 2)), rel=1e-6)


# ----- cross-entropy ----------------------------------------------------------------------------


@pytest.mark.parametrize("lead", [(6,), (3, 4)])
def test_cross_entropy_matches_torch_without_mask(rng, lead):
    V = 5
    logits = rng.standard_normal(lead + (V,)) * 2
    targets = rng.integers(0, V, size=lead)
    loss, dlogits = softmax_cross_entropy(logits, targets)
    t_logits = torch.tensor(logits.reshape(-1, V), requires_grad=True)
    t_loss = F.cross_entropy(t_logits, torch.tensor(targets.reshape(-1)))
    t_loss.backward()
    assert loss == pytest.approx(t_loss.item(), rel=1e-14)
    np.testing.assert_allclose(dlogits, t_logits.grad.numpy().reshape(logits.shape), rtol=1e-12, atol=1e-16)


def test_cross_entropy_with_mask_is_torch_cross_entropy_of_the_selected_positions(rng):
    N, T, V = 3, 6, 4
    logits = rng.standard_normal((N, T, V))
    targets = rng.integers(0, V, size=(N, T))
    mask = padding_mask(N, T, [6, 3, 1])
    targets[~mask] = -1  # padding targets are ignored, whatever they hold
    loss, dlogits = softmax_cross_entropy(logits, targets, mask=mask)
    t_logits = torch.tensor(logits, requires_grad=True)
    sel = torch.tensor(mask)
    t_loss = F.cross_entropy(t_logits[sel], torch.tensor(targets)[sel])
    t_loss.backward()
    assert loss == pytest.approx(t_loss.item(), rel=1e-14)
    np.testing.assert_allclose(dlogits, t_logits.grad.numpy(), rtol=1e-12, atol=1e-16)
    assert np.all(dlogits[~mask] == 0)


def test_cross_entropy_gradient_by_finite_differences(rng):
    logits = rng.standard_normal((2, 3, 4))
    targets = rng.integers(0, 4, size=(2, 3))
    mask = padding_mask(2, 3, [3, 2])
    _, dlogits = softmax_cross_entropy(logits, targets, mask=mask)
    numeric = finite_difference(lambda z: softmax_cross_entropy(z, targets, mask=mask)[0], logits)
    assert rel_error(dlogits, numeric) < 1e-8


def test_cross_entropy_formula_and_stability():
    logits = np.array([[0.0, np.log(3.0)], [800.0, -800.0]])
    targets = np.array([1, 1])
    loss, dlogits = softmax_cross_entropy(logits, targets)
    # -log(3/4) for the first row, -log(e^-1600 / (1 + e^-1600)) = 1600 for the second: mean of the two
    assert loss == pytest.approx((-np.log(0.75) + 1600.0) / 2, rel=1e-14)
    np.testing.assert_allclose(dlogits, np.array([[0.25, -0.25], [1.0, -1.0]]) / 2, atol=1e-15)


def test_cross_entropy_float32(rng):
    logits = rng.standard_normal((4, 3)).astype(np.float32)
    targets = np.array([0, 2, 1, 2])
    loss, dlogits = softmax_cross_entropy(logits, targets)
    assert dlogits.dtype == np.float32
    assert loss == pytest.approx(F.cross_entropy(torch.tensor(logits), torch.tensor(targets)).item(), rel=1e-6)


# ----- bad input --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "call, exc, match",
    [
        (
            lambda z, t, y: softmax_cross_entropy(z, np.array([[0, 1, 2], [3, 4, 5]])),
            ValueError,
            r"targets: expected class indices in \[0, 4\] \(V = 5\), got 5 at position \(1, 2\)",
        ),
        (lambda z, t, y: softmax_cross_entropy(z, -t - 1), ValueError, r"targets: expected class indices in \[0, 4\]"),
        (lambda z, t, y: softmax_cross_entropy(z, t.astype(float)), TypeError, "targets: expected an integer dtype"),
        (
            lambda z, t, y: softmax_cross_entropy(z, t[:, :2]),
            ValueError,
            r"targets: expected shape \(2, 3\) \(logits without V\), got \(2, 2\)",
        ),
        (lambda z, t, y: softmax_cross_entropy(z, t.tolist()), TypeError, "targets: expected an integer array"),
        (lambda z, t, y: softmax_cross_entropy(z.astype(int), t), TypeError, "logits: expected dtype float32"),
        (
            lambda z, t, y: softmax_cross_entropy(z, t, mask=np.zeros((2, 3), bool)),
            ValueError,
            "mask: expected at least one selected",
        ),
        (
            lambda z, t, y: softmax_cross_entropy(z, t, mask=np.ones((3, 2), bool)),
            ValueError,
            r"mask: expected shape \(2, 3\), got \(3, 2\)",
        ),
        (
            lambda z, t, y: softmax_cross_entropy(z, t, mask=np.full((2, 3), 0.5)),
            ValueError,
            "mask: expected only 0 and 1",
        ),
        (lambda z, t, y: mse_loss(z, y[..., :4]), ValueError, r"y: expected shape \(2, 3, 5\), got \(2, 3, 4\)"),
        (lambda z, t, y: mse_loss(z, y.astype(np.float32)), TypeError, "y: expected dtype float64"),
        (
            lambda z, t, y: mse_loss(z, y, mask=np.ones((2, 4), bool)),
            ValueError,
            r"mask: expected shape \(2, 3\), got \(2, 4\)",
        ),
        (
            lambda z, t, y: mse_loss(z, y, mask=np.ones((2, 3, 5, 1), bool)),
            ValueError,
            "mask: expected the leading shape of y_pred",
        ),
        (lambda z, t, y: mse_loss(z, np.where(z > 0, np.nan, y)), ValueError, "y: expected finite values"),
    ],
)
def test_bad_input_is_named_and_inputs_untouched(call, exc, match, rng):
    z = rng.standard_normal((2, 3, 5))
    t = rng.integers(0, 5, size=(2, 3))
    y = rng.standard_normal((2, 3, 5))
    copies = [a.copy() for a in (z, t, y)]
    with pytest.raises(exc, match=match):
        call(z, t, y)
    for a, c in zip((z, t, y), copies):
        np.testing.assert_array_equal(a, c)


def test_masked_out_of_range_targets_are_ignored_but_selected_ones_are_not(rng):
    logits = rng.standard_normal((2, 3, 5))
    targets = np.array([[0, 1, 99], [2, 3, 4]])
    mask = np.array([[True, True, False], [True, True, True]])
    loss, _ = softmax_cross_entropy(logits, targets, mask=mask)
    assert np.isfinite(loss)
    with pytest.raises(ValueError, match=r"got 99 at position \(0, 2\)"):
        softmax_cross_entropy(logits, targets)
