"""The adding problem against the papers' descriptions, recomputed here from the inputs."""

import numpy as np
import pytest

from lstmlab.tasks import AddingProblem, get_task


def marked(x):
    """Positions and values of the steps whose marker is exactly 1.0."""
    rows, cols = np.nonzero(x[..., 1] == 1.0)
    return rows, cols


def test_paper_form_follows_hochreiter_schmidhuber_exp4():
    T, N = 100, 20000
    task = AddingProblem(T=T, form="paper")
    b = task.sample(N, np.random.default_rng(1))
    assert b.x.shape == (N, T, 2) and b.y.shape == (N, 1) and b.mask is None
    values, markers = b.x[..., 0], b.x[..., 1]
    assert np.all(np.isin(markers, (-1.0, 0.0, 1.0)))
    assert np.all((values >= -1) & (values <= 1))
    rows, cols = marked(b.x)
    assert np.array_equal(np.bincount(rows, minlength=N), np.full(N, 2))  # exactly two markers per sequence
    pos = cols.reshape(N, 2)  # sorted per row by np.nonzero
    first, second = pos[:, 0], pos[:, 1]
    assert pos.max() < T // 2  # both before T/2
    # one of the two lies in the first ten steps
    assert np.all(first < 10)
    # first and last pair carry -1 unless marked
    assert np.all(markers[:, -1] == -1.0)
    assert np.all((markers[:, 0] == -1.0) | (markers[:, 0] == 1.0))
    # every other marker is 0
    inner = markers[:, 1:-1].copy()
    inner[inner == 1.0] = 0.0
    assert np.all(inner == 0.0)
    # a marked first pair has value 0
    assert np.all(values[markers[:, 0] == 1.0, 0] == 0.0)
    assert np.all(values[markers[:, 0] == -1.0, 0] != 0.0)
    x_sum = values[np.arange(N), first] + values[np.arange(N), second]
    np.testing.assert_allclose(b.y[:, 0], 0.5 + x_sum / 4, rtol=0, atol=1e-15)
    # the first marker is uniform over the first ten steps
    p1 = b.info["pos"][:, 0]
    counts = np.bincount(p1, minlength=10)
    assert counts.size == 10 and np.all(np.abs(counts / N - 0.1) < 0.01)
    # baseline: predicting 0.5 scores (Var X1 + Var X2)/16, one value being 0 when step 0 is marked:
    # P(step 0 marked) = P(first marker there) + P(not) * P(second marker on the first of its T/2 - 1 candidates)
    p0 = 1 / 10 + (9 / 10) * (1 / (T // 2 - 1))
    assert np.mean(markers[:, 0] == 1.0) == pytest.approx(p0, abs=0.01)
    oracle = (2 - p0) * (1 / 3) / 16
    assert task.baseline == pytest.approx(oracle, rel=1e-12)
    m = task.evaluate(np.full((N, 1), 0.5), b)
    assert m["loss"] == pytest.approx(oracle, rel=0.03)
    assert not m["solved"]


def test_paper_form_random_length_and_scoring():
    task = AddingProblem(T=100, form="paper", random_length=True)
    rng = np.random.default_rng(2)
    lengths = {task.sample(3, rng).x.shape[1] for _ in range(200)}
    assert min(lengths) >= 100 and max(lengths) <= 110 and len(lengths) > 5
    b = task.sample(500, np.random.default_rng(3))
    exact = task.evaluate(b.y.copy(), b)
    assert exact["loss"] == 0.0 and exact["success_rate"] == 1.0 and exact["solved"]
    off = b.y + np.where(np.arange(500)[:, None] % 2 == 0, 0.039, 0.041)  # paper's threshold 0.04
    m = task.evaluate(off, b)
    assert m["success_rate"] == pytest.approx(0.5) and not m["solved"]


def test_common_form_halves_target_and_chance():
    T, N = 50, 40000
    task = get_task("adding", T=T)
    b = task.sample(N, np.random.default_rng(4))
    values, markers = b.x[..., 0], b.x[..., 1]
    assert np.all((values >= 0) & (values <= 1))
    assert np.all(np.isin(markers, (0.0, 1.0))) and np.all(markers.sum(axis=1) == 2)
    rows, cols = marked(b.x)
    pos = cols.reshape(N, 2)
    assert np.all(pos[:, 0] < T // 2) and np.all(pos[:, 1] >= T // 2) and pos[:, 1].max() == T - 1
    np.testing.assert_allclose(b.y[:, 0], (values * markers).sum(axis=1), atol=1e-12)
    assert task.baseline == pytest.approx(1 / 6)
    assert task.evaluate(np.ones((N, 1)), b)["loss"] == pytest.approx(1 / 6, rel=0.03)


def test_seeded_and_dtype():
    task = AddingProblem(T=30)
    a = task.sample(8, np.random.default_rng(7), dtype=np.float32)
    b = task.sample(8, np.random.default_rng(7), dtype=np.float32)
    assert a.x.dtype == np.float32 and a.y.dtype == np.float32
    assert np.array_equal(a.x, b.x) and np.array_equal(a.y, b.y)
    assert not np.array_equal(a.x, task.sample(8, np.random.default_rng(8), dtype=np.float32).x)


@pytest.mark.parametrize(
    "kwargs, exc, words",
    [
        ({"T": 10, "form": "paper"}, ValueError, "T: expected an int >= 20"),
        ({"T": 1}, ValueError, "T: expected an int >= 2"),
        ({"T": 2.5}, TypeError, "T: expected a positive int"),
        ({"form": "nope"}, ValueError, "form: expected one of"),
        ({"random_length": True}, ValueError, "random_length"),
    ],
)
def test_bad_arguments(kwargs, exc, words):
    with pytest.raises(exc, match=words):
        AddingProblem(**kwargs)


def test_bad_sample_and_prediction():
    task = AddingProblem(T=20)
    rng = np.random.default_rng(0)
    with pytest.raises(ValueError, match="batch_size: expected a positive int"):
        task.sample(0, rng)
    with pytest.raises(TypeError, match="rng: expected a numpy.random.Generator"):
        task.sample(2, 0)
    with pytest.raises(TypeError, match="dtype: expected float32 or float64"):
        task.sample(2, rng, dtype=np.int32)
    b = task.sample(4, rng)
    with pytest.raises(ValueError, match=r"y_pred: expected shape \(4, 1\), got \(4, 20, 1\)"):
        task.evaluate(np.zeros((4, 20, 1)), b)
    y_pred = np.zeros((4, 1))
    task.evaluate(y_pred, b)
    assert np.all(y_pred == 0)
    # float32 predictions score like float64 ones
    assert task.evaluate(b.y.astype(np.float32), b)["loss"] < 1e-13  # float32 rounding of y only
    with pytest.raises(ValueError, match="name: expected one of"):
        get_task("addition")
