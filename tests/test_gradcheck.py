"""lstmlab.gradcheck against functions whose derivatives are known in closed form."""

import numpy as np
import pytest

from lstmlab.gradcheck import GradcheckReport, gradcheck, numerical_gradient, relative_error, sample_entries


def _problem(seed=0):
    rng = np.random.default_rng(seed)
    params = {"A": rng.standard_normal((3, 4)), "v": rng.standard_normal(4)}
    inputs = {"x": rng.standard_normal((5, 3))}

    def loss(p, inp):  # L = sum(sin(x A) * v) + 0.5 |v|^2
        return float((np.sin(inp["x"] @ p["A"]) * p["v"]).sum() + 0.5 * (p["v"] ** 2).sum())

    def grads(p, inp):  # written by hand from the chain rule
        cos = np.cos(inp["x"] @ p["A"]) * p["v"]
        return {"A": inp["x"].T @ cos, "v": np.sin(inp["x"] @ p["A"]).sum(axis=0) + p["v"], "x": cos @ p["A"].T}

    return params, inputs, loss, grads


def test_numerical_gradient_matches_closed_form_and_restores_the_array():
    rng = np.random.default_rng(1)
    a = rng.standard_normal((4, 3))
    before = a.copy()
    num = numerical_gradient(lambda w: float((w**3).sum() + np.exp(w).sum()), a)
    assert num.shape == a.shape
    np.testing.assert_allclose(num, 3 * before**2 + np.exp(before), rtol=1e-8, atol=1e-9)
    assert np.array_equal(a, before)  # bit for bit


def test_numerical_gradient_subset_returns_the_requested_entries():
    a = np.linspace(-1.0, 1.0, 12).reshape(3, 4)
    entries = np.array([0, 5, 11])
    num = numerical_gradient(lambda w: float((w**2).sum()), a, entries=entries)
    np.testing.assert_allclose(num, 2 * a.ravel()[entries], rtol=1e-9, atol=1e-12)


def test_numerical_gradient_restores_the_array_when_f_raises():
    a = np.ones(3)
    calls = []

    def f(w):
        calls.append(w.copy())
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError, match="boom"):
        numerical_gradient(f, a)
    assert calls and not np.array_equal(calls[0], np.ones(3))  # it did perturb ...
    assert np.array_equal(a, np.ones(3))  # ... and put everything back


@pytest.mark.parametrize(
    "a, err, fragment",
    [
        (np.ones(3, dtype=np.float32), TypeError, "a: expected dtype float64"),
        (np.ones(3, dtype=np.int64), TypeError, "a: expected dtype float32 or float64, got int64"),
        ([1.0, 2.0], TypeError, "a: expected a float array, got list"),
        (np.array([1.0, np.nan]), ValueError, "a: expected finite values"),
    ],
)
def test_numerical_gradient_refuses_bad_arrays(a, err, fragment):
    with pytest.raises(err, match=fragment.replace("(", r"\(")):
        numerical_gradient(lambda w: 0.0, a)


def test_numerical_gradient_refuses_bad_eps_and_non_scalar_loss():
    with pytest.raises(ValueError, match="eps: expected a number > 0.0, got 0.0"):
        numerical_gradient(lambda w: 0.0, np.ones(2), eps=0)
    with pytest.raises(TypeError, match="f: expected the loss to be a scalar"):
        numerical_gradient(lambda w: w * 2, np.ones(2))
    with pytest.raises(TypeError, match="f: expected a callable"):
        numerical_gradient(3.0, np.ones(2))


def test_gradcheck_passes_a_correct_gradient_and_leaves_inputs_alone(unchanged):
    params, inputs, loss, grads = _problem()
    guard = unchanged(params, inputs)
    report = gradcheck(loss, params, inputs, analytic=grads)
    guard.check()
    assert isinstance(report, GradcheckReport)
    assert report.ok and set(report.results) == {"A", "v", "x"}
    assert report.max_rel_error < 1e-8
    assert report["A"].checked == 12 and report["x"].shape == (5, 3)
    assert report.assert_ok() is report


def test_gradcheck_accepts_a_dict_or_a_function_returning_loss_and_grads():
    params, inputs, loss, grads = _problem(2)
    as_dict = gradcheck(loss, params, inputs, analytic=grads(params, inputs))
    as_pair = gradcheck(lambda p, inp: (loss(p, inp), grads(p, inp)), params, inputs)
    assert as_dict.ok and as_pair.ok
    only_params = gradcheck(lambda p: loss(p, inputs), params, analytic=lambda p: grads(p, inputs), keys=["A"])
    assert list(only_params.results) == ["A"] and only_params.ok


def test_gradcheck_catches_a_wrong_gradient_and_names_the_worst_key():
    params, inputs, loss, grads = _problem(3)
    wrong = grads(params, inputs)
    wrong["v"] = wrong["v"] - params["v"]  # forgot the regulariser's gradient
    wrong["A"][1, 2] *= 1.0001  # a small error in one entry
    report = gradcheck(loss, params, inputs, analytic=wrong)
    assert not report.ok
    assert not report["v"].passed and not report["A"].passed and report["x"].passed
    assert report.worst.key == "v"
    assert report["A"].worst_index == (1, 2)
    assert 1e-5 < report["A"].max_rel_error < 1e-4  # 1e-4 relative change -> about 0.5e-4 relative error
    with pytest.raises(AssertionError, match=r"gradcheck failed for \['A', 'v'\]: worst is 'v'"):
        report.assert_ok()


def test_gradcheck_report_shows_a_table_in_text_and_html():
    params, inputs, loss, grads = _problem(4)
    wrong = grads(params, inputs)
    wrong["x"] = -wrong["x"]
    report = gradcheck(loss, params, inputs, analytic=wrong)
    text = repr(report)
    assert text.splitlines()[0].split() == ["key", "shape", "checked", "max", "abs", "err", "max", "rel", "err"]
    assert "x    (5, 3)" in text and "FAIL" in text and "FAILED (1 keys)" in text
    page = report._repr_html_()
    assert page.startswith("<table>") and page.count("<tr") == 4 and "color:#b00020" in page


def test_gradcheck_random_subset_is_seeded_and_bounded():
    rng = np.random.default_rng(5)
    params = {"W": rng.standard_normal((30, 40))}
    loss = lambda p: float(np.tanh(p["W"]).sum())  # noqa: E731
    grads = {"W": 1.0 - np.tanh(params["W"]) ** 2}
    a = gradcheck(loss, params, analytic=grads, max_entries=25, seed=7)
    b = gradcheck(loss, params, analytic=grads, max_entries=25, seed=7)
    assert a.ok and a["W"].checked == 25
    np.testing.assert_array_equal(a["W"].numerical, b["W"].numerical)
    idx = sample_entries(1200, 25, seed=(7, 0))
    assert len(np.unique(idx)) == 25 and idx.max() < 1200
    assert list(sample_entries(5, 25)) == [0, 1, 2, 3, 4]
    # a wrong entry outside the sample goes unseen, inside it is caught: the subset really is a subset
    bad = {"W": grads["W"].copy()}
    outside = np.setdiff1d(np.arange(1200), idx)[0]
    bad["W"].flat[outside] += 1.0
    assert gradcheck(loss, params, analytic=bad, max_entries=25, seed=7).ok
    bad["W"].flat[idx[3]] += 1.0
    assert not gradcheck(loss, params, analytic=bad, max_entries=25, seed=7).ok


def test_relative_error_definition():
    num = np.array([1.0, 0.0, 1e-20, -2.0])
    ana = np.array([1.0, 0.0, 0.0, 2.0])
    np.testing.assert_allclose(relative_error(num, ana, tiny=1e-12), [0.0, 0.0, 1e-8, 1.0])
    # the default floor: 1/100 of the largest |num| + |ana| (here 4)
    np.testing.assert_allclose(relative_error(np.array([1e-3, 2.0]), np.array([0.0, 2.0])), [1e-3 / 0.04, 0.0])


@pytest.mark.parametrize(
    "kwargs, err, fragment",
    [
        ({"params": {"w": np.ones(2, dtype=np.float32)}}, TypeError, r"params\['w'\]: expected dtype float64"),
        ({"params": [np.ones(2)]}, TypeError, "params: expected a dict of float64 arrays, got list"),
        ({"inputs": {"w": np.ones(2)}}, ValueError, "inputs: expected keys distinct from the keys of params"),
        ({"analytic": {}}, ValueError, r"analytic: expected a gradient for every checked key \['w'\]"),
        ({"analytic": {"w": np.ones(3)}}, ValueError, r"analytic\['w'\]: expected shape \(2,\)"),
        ({"analytic": [np.ones(2)]}, TypeError, "analytic: expected a dict of gradients"),
        ({"analytic": None}, TypeError, r"f must return \(loss, grads\)"),
        ({"keys": ["u"]}, ValueError, r"keys: expected keys of params or inputs \['w'\], got unknown keys \['u'\]"),
        ({"max_entries": 0}, ValueError, "max_entries: expected a positive int"),
    ],
)
def test_gradcheck_refuses_bad_arguments(kwargs, err, fragment, unchanged):
    call = {"params": {"w": np.ones(2)}, "analytic": {"w": 2 * np.ones(2)}, **kwargs}
    f = (lambda p, inp: float((p["w"] ** 2).sum())) if "inputs" in call else (lambda p: float((p["w"] ** 2).sum()))
    guard = unchanged(call)
    with pytest.raises(err, match=fragment):
        gradcheck(f, **call)
    guard.check()
