"""The chapter 4 checkers accept a correct answer and name each typical mistake."""

import math

import numpy as np
import pytest

from lstmlab.exercises import check_adding_batch, check_copy_baseline


def adding(N, T, rng, low=0.0, y_of=None, same_half=False, one_rng=True, y_shape_1d=False):
    half = T // 2
    values = rng.uniform(low, 1.0, size=(N, T))
    p1 = rng.integers(0, half, size=N)
    p2 = rng.integers(0, half, size=N) if same_half else rng.integers(half, T, size=N)
    if not one_rng:
        p2 = np.random.randint(half, T, size=N)
    markers = np.zeros((N, T))
    rows = np.arange(N)
    markers[rows, p1] = 1.0
    markers[rows, p2] = 1.0
    y = values[rows, p1] + values[rows, p2]
    if y_of is not None:
        y = y_of(values, p1, p2)
    x = np.stack([values, markers], axis=-1)
    return x, (y if y_shape_1d else y[:, None])


def test_adding_accepts_the_correct_answer():
    fb = check_adding_batch(adding)
    assert fb.passed, str(fb)
    assert "1/6" in str(fb)


def test_the_package_task_passes_its_own_checker():
    from lstmlab.tasks import get_task

    task = get_task("adding", T=30)

    def via_task(N, T, rng):
        b = get_task("adding", T=T).sample(N, rng)
        return b.x, b.y

    assert task.form == "common"
    assert check_adding_batch(via_task).passed


def skewed(N, T, rng):
    x, _ = adding(N, T, rng)
    x[..., 0] = x[..., 0] ** 2  # still in [0, 1], but not uniform
    rows = np.arange(N)
    m = x[..., 1]
    p1, p2 = m[:, : T // 2].argmax(1), T // 2 + m[:, T // 2 :].argmax(1)
    return x, (x[rows, p1, 0] + x[rows, p2, 0])[:, None]


def early_first_marker(N, T, rng):
    x, _ = adding(N, T, rng)
    x[..., 1] = 0.0
    rows = np.arange(N)
    p1 = rng.integers(0, 2, size=N)
    p2 = rng.integers(T // 2, T, size=N)
    x[rows, p1, 1] = x[rows, p2, 1] = 1.0
    return x, (x[rows, p1, 0] + x[rows, p2, 0])[:, None]


@pytest.mark.parametrize(
    "wrong, fragment",
    [
        (lambda N, T, rng: adding(N, T, rng, y_shape_1d=True), "use y[:, None]"),
        (lambda N, T, rng: (adding(N, T, rng)[0][:, :, :1], adding(N, T, rng)[1]), "x: expected shape"),
        (lambda N, T, rng: adding(N, T, rng, low=-1.0), "the paper's form"),
        (lambda N, T, rng: adding(N, T, rng, same_half=True), "exactly two markers"),
        (lambda N, T, rng: adding(N, T, rng, y_of=lambda v, p1, p2: v.sum(1)), "sum of all values"),
        (
            lambda N, T, rng: adding(
                N, T, rng, y_of=lambda v, p1, p2: (v[np.arange(len(p1)), p1] + v[np.arange(len(p1)), p2]) / 2
            ),
            "their mean",
        ),
        (
            lambda N, T, rng: adding(
                N, T, rng, y_of=lambda v, p1, p2: 0.5 + (v[np.arange(len(p1)), p1] + v[np.arange(len(p1)), p2]) / 4
            ),
            "scaled target",
        ),
        (skewed, "the mean value"),
        (early_first_marker, "first marker"),
        (lambda N, T, rng: adding(N, T, np.random.default_rng()), "gave different batches"),
        (lambda N, T, rng: None, "returned None"),
        (lambda N, T, rng: adding(N, T, rng)[0], "expected a tuple"),
    ],
)
def test_adding_names_the_mistake(wrong, fragment):
    fb = check_adding_batch(wrong)
    assert not fb.passed
    assert fragment in str(fb), str(fb)


def test_markers_in_the_wrong_half_are_named():
    def both_late(N, T, rng):
        x, _ = adding(N, T, rng)
        x[..., 1] = 0.0
        rows = np.arange(N)
        p1 = rng.integers(T // 2, T - 1, size=N)
        x[rows, p1, 1] = x[rows, p1 + 1, 1] = 1.0
        return x, (x[rows, p1, 0] + x[rows, p1 + 1, 0])[:, None]

    fb = check_adding_batch(both_late)
    assert not fb.passed and "one marker belongs in steps" in str(fb), str(fb)


# ----------------------------------------------------------------------------------------- copy baseline
def test_copy_baseline_accepts_the_formula():
    fb = check_copy_baseline(lambda T, n, c: c * math.log(n) / (T + 2 * c))
    assert fb.passed, str(fb)
    assert abs(10 * math.log(8) / 40 - 0.5199) < 1e-4


@pytest.mark.parametrize(
    "wrong, fragment",
    [
        (lambda T, n, c: c * math.log(n) / T, "full length"),
        (lambda T, n, c: c * math.log(n + 1) / (T + 2 * c), "only the n_symbols symbols"),
        (lambda T, n, c: c * math.log2(n) / (T + 2 * c), "natural logarithm"),
        (lambda T, n, c: math.log(n), "recall step"),
        (lambda T, n, c: c * math.log(n) / (T + c), "the n_copy symbols shown and the n_copy recalled"),
        (lambda T, n, c: c * math.log(n) / (T + 2 * c + 1), "off by one step"),
        (lambda T, n, c: c * math.log(n) / (T + 2 * c - 1), "off by one step"),
        (lambda T, n, c: 10 * math.log(n) / (T + 20), "the case n_copy = 10"),
        (lambda T, n, c: None, "returned None"),
        (lambda T, n, c: "0.5", "got 0.5"),
    ],
)
def test_copy_baseline_names_the_mistake(wrong, fragment):
    fb = check_copy_baseline(wrong)
    assert not fb.passed
    assert fragment in str(fb), str(fb)


def test_copy_baseline_checker_wants_a_function():
    with pytest.raises(TypeError, match="copy_baseline: expected a function"):
        check_copy_baseline(0.52)
