"""lstmlab.checks: every check names the argument, says what it expected and what it got, and only reads."""

import numpy as np
import pytest

from lstmlab.checks import check_array, check_choice, check_params, check_positive_int


def test_check_array_accepts_and_returns_the_same_object():
    a = np.zeros((2, 3), dtype=np.float32)
    assert check_array("a", a, shape=(None, 3)) is a
    assert check_array("a", a, shape=(2, 3), dtype=np.float32) is a
    assert check_array("a", np.array([np.nan]), finite=False).shape == (1,)
    assert check_array("a", np.zeros((0, 3))).size == 0  # an empty array has no NaN to find


@pytest.mark.parametrize(
    "a, kwargs, err, fragment",
    [
        ([1.0], {}, TypeError, "v: expected a float array, got list"),
        (3.0, {}, TypeError, "v: expected a float array, got float"),
        (np.zeros(2, dtype=np.int32), {}, TypeError, "v: expected dtype float32 or float64, got int32"),
        (np.zeros(2, dtype=np.float16), {}, TypeError, "v: expected dtype float32 or float64, got float16"),
        (np.zeros(2, dtype=np.complex128), {}, TypeError, "got complex128"),
        (np.zeros(2), {"dtype": np.float32}, TypeError, r"v: expected dtype float32 \(the dtype of the other inputs\)"),
        (np.zeros((2, 3)), {"shape": (None, 4)}, ValueError, r"v: expected shape \(\?, 4\), got \(2, 3\)"),
        (np.zeros((2, 3)), {"shape": (2, 3, 1)}, ValueError, r"v: expected shape \(2, 3, 1\), got \(2, 3\)"),
        (np.array([1.0, np.inf]), {}, ValueError, "v: expected finite values, got 1 NaN or inf entry$"),
        (np.array([np.nan, -np.inf, 0.0]), {}, ValueError, "got 2 NaN or inf entries$"),
    ],
)
def test_check_array_refuses(a, kwargs, err, fragment):
    before = np.copy(a) if isinstance(a, np.ndarray) else None
    with pytest.raises(err, match=fragment):
        check_array("v", a, **kwargs)
    if before is not None:
        np.testing.assert_array_equal(a, before)


def test_check_params_returns_the_dtype_and_checks_every_key():
    shapes = {"W": (2, 3), "b": (3,)}
    p = {"W": np.zeros((2, 3)), "b": np.zeros(3)}
    assert check_params(p, shapes) == np.float64
    with pytest.raises(TypeError, match="params: expected a dict of arrays, got tuple"):
        check_params(tuple(p.values()), shapes)
    with pytest.raises(ValueError, match=r"params: expected keys \['W', 'b'\], got missing keys \['b'\]$"):
        check_params({"W": p["W"]}, shapes)
    with pytest.raises(ValueError, match=r"missing keys \['b'\] and unknown keys \['c'\]"):
        check_params({"W": p["W"], "c": p["b"]}, shapes)
    with pytest.raises(ValueError, match=r"params\['b'\]: expected shape \(3,\), got \(4,\)"):
        check_params({**p, "b": np.zeros(4)}, shapes)
    with pytest.raises(TypeError, match=r"params\['b'\]: expected dtype float64"):
        check_params({**p, "b": np.zeros(3, dtype=np.float32)}, shapes)
    with pytest.raises(TypeError, match=r"weights\['W'\]: expected dtype float32"):
        check_params(p, shapes, dtype=np.float32, name="weights")


def test_check_choice():
    assert check_choice("mode", "a", ("a", "b")) == "a"
    with pytest.raises(ValueError, match=r"mode: expected one of \['a', 'b'\], got 'c'"):
        check_choice("mode", "c", ("b", "a"))


@pytest.mark.parametrize("value, expected", [(1, 1), (7, 7), (np.int64(3), 3)])
def test_check_positive_int_accepts(value, expected):
    out = check_positive_int("k", value)
    assert out == expected and type(out) is int


@pytest.mark.parametrize(
    "value, err, fragment",
    [
        (0, ValueError, r"k: expected a positive int \(>= 1\), got 0"),
        (-2, ValueError, "got -2"),
        (2.0, TypeError, "k: expected a positive int, got float"),
        (True, TypeError, "got bool"),
        ("3", TypeError, "got str"),
        (None, TypeError, "got NoneType"),
    ],
)
def test_check_positive_int_refuses(value, err, fragment):
    with pytest.raises(err, match=fragment):
        check_positive_int("k", value)


def test_check_positive_int_none_when_allowed():
    assert check_positive_int("k", None, allow_none=True) is None
    with pytest.raises(TypeError, match="k: expected a positive int or None, got float"):
        check_positive_int("k", 1.5, allow_none=True)
