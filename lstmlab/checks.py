"""Argument checks shared by every public function.

Each check raises ``TypeError`` (wrong kind or dtype) or ``ValueError`` (wrong
shape, value or key) with a message that names the argument, says what was
expected and what was received. Checks only read their inputs.
"""

from __future__ import annotations

import math

import numpy as np

from .backend import get_xp

FLOAT_DTYPES = (np.dtype(np.float32), np.dtype(np.float64))


def describe(a) -> str:
    """A short description of a value for error messages: its type, and its shape and dtype if it is an array."""
    if hasattr(a, "shape") and hasattr(a, "dtype"):
        return f"{type(a).__name__} of shape {tuple(a.shape)} and dtype {a.dtype}"
    return f"{type(a).__name__} {a!r}"[:120]


def check_array(name: str, a, shape=None, dtype=None, finite: bool = True):
    """Check that ``a`` is a float array, optionally of a given shape and dtype.

    ``shape`` is a tuple whose entries are ints, or ``None`` for "any size";
    its length fixes the number of dimensions. The symbolic names in
    ``shape_names`` (same length) only make the message readable.
    """
    if not (hasattr(a, "shape") and hasattr(a, "dtype") and hasattr(a, "ndim")):
        raise TypeError(f"{name}: expected a float array, got {describe(a)}")
    if np.dtype(a.dtype) not in FLOAT_DTYPES:
        raise TypeError(f"{name}: expected dtype float32 or float64, got {a.dtype}")
    if dtype is not None and np.dtype(a.dtype) != np.dtype(dtype):
        raise TypeError(f"{name}: expected dtype {np.dtype(dtype)} (the dtype of the other inputs), got {a.dtype}")
    if shape is not None:
        ok = a.ndim == len(shape) and all(s is None or s == n for s, n in zip(shape, a.shape))
        if not ok:
            want = "(" + ", ".join("?" if s is None else str(s) for s in shape) + ("," if len(shape) == 1 else "") + ")"
            raise ValueError(f"{name}: expected shape {want}, got {tuple(a.shape)}")
    if finite:
        xp = get_xp(a)
        if a.size and not bool(xp.isfinite(a).all()):
            bad = int((~xp.isfinite(a)).sum())
            raise ValueError(f"{name}: expected finite values, got {bad} NaN or inf entr{'y' if bad == 1 else 'ies'}")
    return a


def check_params(params, shapes: dict, dtype=None, name: str = "params"):
    """Check a params dict against the expected ``{key: shape}``; returns its dtype."""
    if not isinstance(params, dict):
        raise TypeError(f"{name}: expected a dict of arrays, got {type(params).__name__}")
    missing = [k for k in shapes if k not in params]
    unknown = [k for k in params if k not in shapes]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing keys {missing}")
        if unknown:
            parts.append(f"unknown keys {unknown}")
        raise ValueError(f"{name}: expected keys {sorted(shapes)}, got {' and '.join(parts)}")
    for k, shape in shapes.items():
        a = params[k]
        check_array(f"{name}[{k!r}]", a, shape=shape, dtype=dtype)
        dtype = a.dtype if dtype is None else dtype
    return dtype


def check_choice(name: str, value, choices):
    """Check that ``value`` is one of ``choices`` (a str choice must be given as a str: ``True`` is not ``1``)."""
    try:
        ok = value in choices and any(type(value) is type(c) or not isinstance(c, str) for c in choices if c == value)
    except (TypeError, ValueError):  # an unhashable value (a list) or an array is no choice
        ok = False
    if not ok:
        shown = sorted(choices, key=lambda c: (c is not None, str(c)))
        raise ValueError(
            f"{name}: expected one of {shown}, got {describe(value) if hasattr(value, 'shape') else repr(value)}"
        )
    return value


def check_positive_int(name: str, value, allow_none: bool = False):
    """Check that ``value`` is an int >= 1 (or None when allowed)."""
    if value is None and allow_none:
        return value
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: expected a positive int{' or None' if allow_none else ''}, got {describe(value)}")
    if value < 1:
        raise ValueError(f"{name}: expected a positive int (>= 1), got {value}")
    return int(value)


def check_sizes(name: str, a, axes: str):
    """Check that no axis of ``a`` named in ``axes`` (one letter per axis, ``"?"`` for unnamed) is empty.

    ``check_sizes("x", x, "NTD")`` refuses an empty batch (N = 0) or D = 0 with
    a message that names the size: ``x: expected at least one sequence (N >= 1), got shape (0, 5, 2)``.
    """
    if not hasattr(a, "shape"):
        raise TypeError(f"{name}: expected an array, got {describe(a)}")
    for k, size in zip(axes, a.shape):
        if k != "?" and size < 1:
            what = SIZE_NAMES.get(k, "entry along this axis")
            raise ValueError(f"{name}: expected at least one {what} ({k} >= 1), got shape {tuple(a.shape)}")
    return a


#: What each size letter of the docstrings means, for the messages of :func:`check_sizes`.
SIZE_NAMES = {
    "N": "sequence",
    "T": "time step",
    "D": "input feature",
    "H": "hidden unit",
    "V": "output",
}


def check_real(name: str, value, low: float = 0.0, high: float | None = None, low_open=False, high_open=False) -> float:
    """A finite real number in the interval from ``low`` to ``high`` (``None``: no upper end); returns a float.

    ``low_open`` / ``high_open`` exclude the end points; ``low=-math.inf`` means no lower end.
    """
    if isinstance(value, bool) or not isinstance(value, (int, float, np.integer, np.floating)):
        raise TypeError(f"{name}: expected a real number, got {type(value).__name__} {value!r}")
    value = float(value)
    ok = math.isfinite(value) and (value > low if low_open else value >= low)
    ok = ok and (high is None or (value < high if high_open else value <= high))
    if not ok:
        if high is None:
            want = "a finite number" if low == -math.inf else f"a number {'>' if low_open else '>='} {low}"
        else:
            want = f"a number in {'(' if low_open else '['}{low}, {high}{')' if high_open else ']'}"
        raise ValueError(f"{name}: expected {want}, got {value!r}")
    return value


def check_float_dtype(name: str, dtype):
    """Check that ``dtype`` names float32 or float64 (a NumPy dtype, its type or its name); returns the dtype."""
    try:
        dt = np.dtype(dtype)
    except TypeError:
        dt = None
    if dtype is None or dt is None or dt not in FLOAT_DTYPES or isinstance(dtype, bool):  # dtype(None) is float64
        raise TypeError(f"{name}: expected float32 or float64, got {dtype!r}")
    return dt


def check_bool(name: str, value) -> bool:
    """Check that ``value`` is a bool (Python's or NumPy's); returns it as a Python bool."""
    if not isinstance(value, (bool, np.bool_)):
        raise TypeError(f"{name}: expected True or False, got {describe(value)}")
    return bool(value)


def check_int(name: str, value, low: int = 0, high: int | None = None) -> int:
    """Check that ``value`` is an int in ``[low, high]`` (``high=None``: no upper end); returns it as an int."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)):
        raise TypeError(f"{name}: expected an int, got {describe(value)}")
    if value < low or (high is not None and value > high):
        want = f">= {low}" if high is None else f"in [{low}, {high}]"
        raise ValueError(f"{name}: expected an int {want}, got {value}")
    return int(value)


def check_instance(name: str, value, cls, what: str):
    """Check that ``value`` is an instance of ``cls`` (a class or a tuple of classes), described
    to the reader as ``what``; returns it."""
    if not isinstance(value, cls):
        raise TypeError(f"{name}: expected {what}, got {describe(value)}")
    return value


def check_ids(name: str, ids, size: int | None = None, ndim: int | None = None):
    """Check that ``ids`` is an integer array (or list) with entries in ``[0, size)``; returns it as
    a NumPy array (the same object when it already is one)."""
    a = ids if isinstance(ids, np.ndarray) else np.asarray(ids) if isinstance(ids, (list, tuple, range)) else None
    if a is None:
        raise TypeError(f"{name}: expected an array of int ids, got {describe(ids)}")
    if a.size and np.dtype(a.dtype).kind not in "iu":
        raise TypeError(f"{name}: expected int ids, got dtype {a.dtype}")
    if ndim is not None and a.ndim != ndim:
        raise ValueError(f"{name}: expected a {ndim}-D array of ids, got shape {a.shape}")
    if size is not None and a.size and (a.min() < 0 or a.max() >= size):
        raise ValueError(f"{name}: expected ids in [0, {size}), got values in [{a.min()}, {a.max()}]")
    return a


_describe = describe  # older name, kept for the modules that import it
