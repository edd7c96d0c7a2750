"""Copy memory against Arjovsky, Shah & Bengio (2016), section 4.1."""

import numpy as np
import pytest

from lstmlab.tasks import CopyMemory


def test_layout_targets_and_baseline():
    T, N = 30, 5000
    task = CopyMemory(T=T)
    b = task.sample(N, np.random.default_rng(0))
    assert b.x.shape == (N, T + 20, 10) and b.y.shape == (N, T + 20) and b.y.dtype == np.int64
    assert np.all(b.x.sum(axis=-1) == 1)  # one-hot
    sym = b.x.argmax(axis=-1)
    assert np.all((sym[:, :10] >= 1) & (sym[:, :10] <= 8))  # ten symbols of 8 first
    assert np.all(sym[:, 10 : T + 9] == 0)  # T - 1 blanks
    assert np.all(sym[:, T + 9] == 9)  # the delimiter
    assert np.all(sym[:, T + 10 :] == 0)  # blanks while recalling
    assert np.all(b.y[:, : T + 10] == 0) and np.array_equal(b.y[:, T + 10 :], sym[:, :10])
    assert np.all(np.abs(np.bincount(sym[:, :10].ravel(), minlength=9)[1:] / (10 * N) - 1 / 8) < 0.01)
    assert task.baseline == pytest.approx(10 * np.log(8) / (T + 20))
    # the memoryless predictor: certain blank, then uniform over the 8 symbols
    logits = np.full((N, T + 20, 9), -1e9)
    logits[:, : T + 10, 0] = 0.0
    logits[:, T + 10 :, 1:] = 0.0
    m = task.evaluate(logits, b)
    assert m["loss"] == pytest.approx(10 * np.log(8) / (T + 20), rel=1e-9)
    perfect = np.where(np.arange(9) == b.y[..., None], 10.0, 0.0)
    assert task.evaluate(perfect, b) == {
        "loss": pytest.approx(0, abs=1e-3),
        "success_rate": 1.0,
        "accuracy": 1.0,
        "solved": True,
    }


def test_errors():
    with pytest.raises(ValueError, match="T: expected"):
        CopyMemory(T=0)
    with pytest.raises(ValueError, match="n_symbols: expected an int >= 2"):
        CopyMemory(n_symbols=1)
    b = CopyMemory(T=5).sample(2, np.random.default_rng(0))
    with pytest.raises(ValueError, match=r"y_pred: expected shape \(2, 25, 9\)"):
        CopyMemory(T=5).evaluate(np.zeros((2, 9)), b)
