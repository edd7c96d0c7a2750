"""Timed spikes (after Gers & Schmidhuber 2000): layouts and baselines recomputed from x."""

import numpy as np
import pytest

from lstmlab.tasks import SpikeTiming


def test_measure_mode():
    N, T, intervals = 20000, 40, (5, 9, 13)
    task = SpikeTiming(T=T, mode="measure", intervals=intervals)
    b = task.sample(N, np.random.default_rng(0))
    assert b.x.shape == (N, T, 1) and np.all(b.x.sum(axis=(1, 2)) == 2)
    rows, cols = np.nonzero(b.x[..., 0])
    gap = np.diff(cols.reshape(N, 2), axis=1)[:, 0]
    assert np.array_equal(np.asarray(intervals)[b.y], gap)
    assert np.all(np.abs(np.bincount(b.y) / N - 1 / 3) < 0.02)
    first = cols.reshape(N, 2)[:, 0]
    assert first.min() == 0 and np.all(first + gap <= T - 1)
    for k, d in enumerate(intervals):  # the first spike is uniform on 0 .. T-1-d
        assert np.array_equal(np.unique(first[b.y == k]), np.arange(T - d))
    assert task.evaluate(np.zeros((N, 3)), b)["loss"] == pytest.approx(np.log(3)) == pytest.approx(task.baseline)


def test_measure_an_oracle_reading_the_gap_solves_it():
    # the answer is in x: measure the gap between the two spikes, look it up among the intervals
    N, T, intervals = 3000, 40, (10, 15, 20, 25, 30)
    task = SpikeTiming(T=T, mode="measure", intervals=intervals)
    b = task.sample(N, np.random.default_rng(2), dtype=np.float32)
    assert b.x.dtype == np.float32 and b.y.dtype == np.int64
    spikes = [np.flatnonzero(row[:, 0] == 1.0) for row in b.x]
    gap = np.array([s[1] - s[0] for s in spikes])
    logits = np.where(gap[:, None] == np.asarray(intervals), 20.0, -20.0)
    m = task.evaluate(logits, b)
    assert m["solved"] and m["loss"] < 1e-6
    shuffled = logits[np.random.default_rng(3).permutation(N)]
    assert abs(task.evaluate(shuffled, b)["accuracy"] - 1 / 5) < 0.03


def test_generate_mode():
    N, T, period = 20000, 30, 7
    task = SpikeTiming(T=T, mode="generate", interval=period)
    b = task.sample(N, np.random.default_rng(1))
    assert b.y.shape == (N, T, 1)
    t0 = np.argmax(b.x[..., 0], axis=1)
    assert np.all(b.x.sum(axis=(1, 2)) == 1) and t0.max() == T - 1 - period
    for n in range(50):
        want = np.zeros(T)
        want[t0[n] + period :: period] = 1.0
        assert np.array_equal(b.y[n, :, 0], want)
    # baseline: the best constant, by brute force over t0 in the test
    counts = [len(range(t + period, T, period)) for t in range(T - period)]
    m = np.mean(counts) / T
    assert task.baseline == pytest.approx(m * (1 - m), rel=1e-12)
    assert task.evaluate(np.full((N, T, 1), b.y.mean()), b)["loss"] == pytest.approx(m * (1 - m), rel=0.02)
    assert task.evaluate(b.y * 0.9, b)["solved"] and not task.evaluate(b.y * 0.4, b)["solved"]


@pytest.mark.parametrize(
    "kwargs, words",
    [
        ({"mode": "count"}, "mode: expected one of"),
        ({"T": 10, "intervals": (3, 10)}, "intervals: expected at least 2 distinct"),
        ({"intervals": (3, 3)}, "intervals: expected at least 2 distinct"),
        ({"mode": "generate", "T": 5, "interval": 5}, "interval: expected an int < T"),
    ],
)
def test_errors(kwargs, words):
    with pytest.raises(ValueError, match=words):
        SpikeTiming(**kwargs)
