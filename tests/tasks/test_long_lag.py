"""Noise-free long-lag sequences against Hochreiter & Schmidhuber (1997), Experiment 2a."""

import numpy as np
import pytest

from lstmlab.tasks import LongLag, get_task


def test_the_two_sequences():
    p, N = 12, 4000
    task = get_task("long_lag", p=p)
    b = task.sample(N, np.random.default_rng(0))
    assert b.x.shape == (N, p, p + 1) and np.all(b.x.sum(-1) == 1)
    s = b.x.argmax(-1)
    x_sym, y_sym = p - 1, p
    assert np.all(np.isin(s[:, 0], (x_sym, y_sym)))
    assert np.all(s[:, 1:] == np.arange(p - 1))  # a_1 .. a_{p-1}
    assert np.array_equal(b.y, s[:, 0])  # the last symbol repeats the first
    assert abs(np.mean(b.y == x_sym) - 0.5) < 0.03
    logits = np.full((N, p + 1), -50.0)
    logits[:, [x_sym, y_sym]] = 0.0  # half on x, half on y
    assert task.evaluate(logits, b)["loss"] == pytest.approx(np.log(2), rel=1e-9) == task.baseline


def test_errors():
    with pytest.raises(ValueError, match="p: expected an int >= 2"):
        LongLag(p=1)
