"""Temporal order against Hochreiter & Schmidhuber (1997), Experiments 6a and 6b."""

import numpy as np
import pytest

from lstmlab.tasks import TemporalOrder

E, B, X, Y = 0, 1, 6, 7


@pytest.mark.parametrize(
    "n_relevant, windows, rule",
    [
        (2, [(10, 20), (50, 60)], {"XX": 0, "XY": 1, "YX": 2, "YY": 3}),
        (
            3,
            [(10, 20), (33, 43), (66, 76)],
            {
                a + b + c: 4 * "XY".index(a) + 2 * "XY".index(b) + "XY".index(c)
                for a in "XY"
                for b in "XY"
                for c in "XY"
            },
        ),
    ],
)
def test_paper_layout(n_relevant, windows, rule):
    N = 8000
    task = TemporalOrder(T=100, n_relevant=n_relevant)
    b = task.sample(N, np.random.default_rng(n_relevant))
    s = b.x.argmax(axis=-1)
    assert b.x.shape == (N, 100, 8) and np.all(b.x.sum(-1) == 1)
    assert np.all(s[:, 0] == E) and np.all(s[:, -1] == B)
    assert np.all((s[:, 1:-1] >= 2) & (s[:, 1:-1] <= 7))
    rows, cols = np.nonzero((s == X) | (s == Y))
    assert np.array_equal(np.bincount(rows, minlength=N), np.full(N, n_relevant))  # exactly the relevant ones
    pos = cols.reshape(N, n_relevant)
    for k, (lo, hi) in enumerate(windows):
        assert pos[:, k].min() == lo and pos[:, k].max() == hi
    names = ["".join("X" if s[n, p] == X else "Y" for p in pos[n]) for n in range(N)]
    assert np.array_equal(b.y, [rule[w] for w in names])
    counts = np.bincount(b.y, minlength=2**n_relevant) / N
    assert np.all(np.abs(counts - 1 / 2**n_relevant) < 0.02)  # balanced classes
    m = task.evaluate(np.zeros((N, 2**n_relevant)), b)  # uniform prediction
    assert m["loss"] == pytest.approx(np.log(2**n_relevant)) and task.baseline == pytest.approx(np.log(2**n_relevant))
    assert task.evaluate(np.eye(2**n_relevant)[b.y] * 5, b)["solved"]


def test_scaled_positions_and_random_length():
    task = TemporalOrder(T=50, random_length=True)
    rng = np.random.default_rng(0)
    for _ in range(20):
        b = task.sample(64, rng)
        assert 50 <= b.T <= 55
        assert np.all((b.info["pos"][:, 0] >= 5) & (b.info["pos"][:, 0] <= 10))
        assert np.all((b.info["pos"][:, 1] >= 25) & (b.info["pos"][:, 1] <= 30))


def test_errors():
    with pytest.raises(ValueError, match="n_relevant: expected 2"):
        TemporalOrder(n_relevant=4)
    with pytest.raises(ValueError, match="T: expected an int >= 10"):
        TemporalOrder(T=5)
