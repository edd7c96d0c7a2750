"""The chapter 10 checkers accept a correct answer and name each typical mistake."""

import math

import numpy as np
import pytest

from lstmlab.exercises import check_steps_to_solve, check_summarise_sweep
from lstmlab.experiments.ch10_long_lags import first_below, sequences_to_solve, steps_to_solve, summarise_sweep
from lstmlab.train import History


def _first(history):
    return next((k for k, ok in enumerate(history.eval["solved"]) if ok), None)


def learner(history):
    for step, solved in zip(history.eval_step, history.eval["solved"]):
        if solved:
            return step
    return None


# ------------------------------------------------------------------------- the reference, on its own
def test_reference_on_a_real_history():
    from lstmlab.model import Model
    from lstmlab.tasks import get_task
    from lstmlab.train import TrainConfig, fit

    task = get_task("adding", T=20, form="paper")
    model = Model("lstm", input_size=2, hidden_size=4, output_size=1, seed=0)
    cfg = TrainConfig(steps=30, batch_size=8, eval_every=10, eval_batch_size=16, progress=False)
    hist = fit(model, task, cfg)
    assert hist.eval_step == [10, 20, 30]
    assert steps_to_solve(hist) == hist.solved_at  # None unless solved; same as the trainer's record
    hist.eval["solved"] = [0.0, 1.0, 1.0]
    assert steps_to_solve(hist) == 20
    assert sequences_to_solve(hist) == 20 * 8


def test_sweep_reference_counts_unsolved_runs_as_infinite():
    out = summarise_sweep({"a": [100, None, 300], "b": [None, None], "c": [5, 7, 9, 11]})
    assert out["a"] == (pytest.approx(2 / 3), 300.0)
    assert out["b"][0] == 0.0 and math.isinf(out["b"][1])
    assert out["c"] == (1.0, 8.0)
    with pytest.raises(ValueError, match="at least one run"):
        summarise_sweep({"d": []})


def test_first_below_dates_the_end_of_a_plateau():
    hist = History()
    hist.eval_step = [200, 400, 600, 800]
    hist.eval = {"loss": [0.53, math.nan, 0.50, 0.40], "accuracy": [0.1, 0.1, 0.2, 0.3]}
    assert first_below(hist, 0.52) == 600  # NaN is not below; the first value under the level wins
    assert first_below(hist, 0.45) == 800
    assert first_below(hist, 0.1) is None
    assert first_below(hist, 0.15, key="accuracy") == 200
    with pytest.raises(ValueError, match="key: expected one of"):
        first_below(hist, 0.5, key="solved")


# ------------------------------------------------------------------------- steps to solve
def test_steps_accepts_correct_answers():
    for fn in (learner, steps_to_solve, lambda h: h.solved_at):
        fb = check_steps_to_solve(fn)
        assert fb.passed, str(fb)


def _from_first(f):
    def fn(history):
        k = _first(history)
        return None if k is None else f(history, k)

    return fn


def _last(history):
    ks = [k for k, ok in enumerate(history.eval["solved"]) if ok]
    return history.eval_step[ks[-1]] if ks else None


@pytest.mark.parametrize(
    "wrong, fragment",
    [
        (_from_first(lambda h, k: k), "index of the evaluation"),
        (_from_first(lambda h, k: k + 1), "counts evaluations"),
        (_last, "last solved evaluation"),
        (_from_first(lambda h, k: h.eval_step[k] * h.batch_size), "number of sequences"),
        (_from_first(lambda h, k: h.eval_step[k - 1] if k else h.eval_step[k]), "just before"),
        (lambda h: learner(h) if learner(h) is not None else 0, "return None, not a number"),
        (lambda h: learner(h) if learner(h) is not None else -1, "return None, not a number"),
        (lambda h: learner(h) if learner(h) is not None else len(h.step), "number of steps it trained for"),
        (lambda h: len(h.step), "number of steps trained in total"),
        (lambda h: [s for s, ok in zip(h.eval_step, h.eval["solved"]) if ok == True][0], "raised IndexError"),  # noqa: E712
        (lambda h: None, "expected step"),
        (lambda h: str(learner(h)), "as an int, got str"),
        (lambda h: 1 / 0, "raised ZeroDivisionError"),
    ],
)
def test_steps_names_the_mistake(wrong, fragment):
    fb = check_steps_to_solve(wrong)
    assert not fb.passed
    assert fragment in str(fb), str(fb)


def test_steps_accepts_a_float_step():
    assert check_steps_to_solve(lambda h: None if learner(h) is None else float(learner(h))).passed


def test_steps_checker_uses_real_histories():
    from lstmlab.exercises.ch10 import CASES

    assert all(isinstance(h, History) for _, h in CASES)


# ------------------------------------------------------------------------- the sweep
def _sweep(values_of, rate_of, stat=np.median):
    def fn(runs):
        return {k: (rate_of(rs), float(stat(values_of(rs)))) for k, rs in runs.items()}

    return fn


def _frac(rs):
    return sum(r is not None for r in rs) / len(rs)


def _inf(rs):
    return [math.inf if r is None else r for r in rs]


def test_sweep_accepts_the_correct_answer():
    for fn in (summarise_sweep, _sweep(_inf, _frac)):
        fb = check_summarise_sweep(fn)
        assert fb.passed, str(fb)
    assert "median inf" in str(check_summarise_sweep(summarise_sweep))


def _dropped(runs):
    out = {}
    for k, rs in runs.items():
        solved = [r for r in rs if r is not None]
        out[k] = (_frac(rs), float(np.median(solved)) if solved else math.nan)
    return out


def _mutating(runs):
    for rs in runs.values():
        rs.sort(key=lambda r: math.inf if r is None else r)
    return summarise_sweep(runs)


@pytest.mark.parametrize(
    "wrong, fragment",
    [
        (_dropped, "never solved were dropped"),
        (_sweep(lambda rs: [0 if r is None else r for r in rs], _frac), "counted as 0"),
        (_sweep(_inf, _frac, stat=np.mean), "the mean"),
        (_sweep(_inf, lambda rs: sum(r is not None for r in rs)), "not a count"),
        (_sweep(_inf, lambda rs: 1 - _frac(rs)), "did *not* solve"),
        (lambda runs: {k: _frac(rs) for k, rs in runs.items()}, "expected a pair"),
        (lambda runs: {str(k): v for k, v in summarise_sweep(runs).items()}, "one entry per setting"),
        (_mutating, "work on a copy"),
        (lambda runs: None, "returned None"),
        (_sweep(lambda rs: [r * 2 if r is not None else math.inf for r in rs], _frac), "expected median"),
    ],
)
def test_sweep_names_the_mistake(wrong, fragment):
    fb = check_summarise_sweep(wrong)
    assert not fb.passed
    assert fragment in str(fb), str(fb)


# ------------------------------------------------------------------ the learning signal at an early input


def _signal(params, cell, x, k):
    from lstmlab.sequence import backward, forward

    hs, _, cache = forward(x, params, cell)
    dhs = np.zeros_like(hs)
    dhs[:, -1] = 1.0
    g = backward(dhs, cache)["x"]
    return np.linalg.norm(g[:, k]) / np.linalg.norm(g[:, -1])


def test_the_signal_reference_agrees_with_finite_differences():
    from lstmlab.cells import get_cell
    from lstmlab.exercises.ch10 import signal_at_reference
    from lstmlab.sequence import forward

    rng = np.random.default_rng(4)
    x = rng.normal(size=(2, 8, 2))
    params = get_cell("lstm").init_params(2, 3, seed=2)

    def grad_x(t):  # d sum(h_T) / d x_t, by central differences
        out = np.zeros((2, 2))
        for idx in np.ndindex(2, 2):
            up, down = x.copy(), x.copy()
            up[(idx[0], t, idx[1])] += 1e-6
            down[(idx[0], t, idx[1])] -= 1e-6
            f = lambda z: forward(z, params, "lstm")[0][:, -1].sum()  # noqa: E731
            out[idx] = (f(up) - f(down)) / 2e-6
        return out

    want = np.linalg.norm(grad_x(1)) / np.linalg.norm(grad_x(7))
    assert abs(signal_at_reference(params, "lstm", x, 1) - want) < 1e-6 * want


def test_a_correct_signal_passes_and_slips_are_named():
    from lstmlab.exercises import check_signal_at

    assert check_signal_at(_signal).passed, str(check_signal_at(_signal))

    def raw(params, cell, x, k):
        from lstmlab.sequence import backward, forward

        hs, _, cache = forward(x, params, cell)
        dhs = np.zeros_like(hs)
        dhs[:, -1] = 1.0
        return np.linalg.norm(backward(dhs, cache)["x"][:, k])

    fb = check_signal_at(raw)
    assert not fb.passed and "to get a share" in str(fb), str(fb)

    def every_step(params, cell, x, k):
        from lstmlab.sequence import backward, forward

        hs, _, cache = forward(x, params, cell)
        g = backward(np.ones_like(hs), cache)["x"]
        return np.linalg.norm(g[:, k]) / np.linalg.norm(g[:, -1])

    fb = check_signal_at(every_step)
    assert not fb.passed and "last hidden state only" in str(fb), str(fb)
    with pytest.raises(TypeError, match="signal_at: expected a function"):
        check_signal_at(0.5)
