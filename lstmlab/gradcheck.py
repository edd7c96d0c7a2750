"""Gradient checking by central finite differences, in float64.

The derivative of a scalar loss ``L`` with respect to one entry ``w`` of an
array is estimated by nudging that entry both ways:

.. math::

    \\frac{\\partial L}{\\partial w} \\approx \\frac{L(w + \\epsilon) - L(w - \\epsilon)}{2 \\epsilon}

The error of this estimate is of order ``eps**2`` (truncation) plus
``machine_eps * |L| / eps`` (rounding). For the recurrent cells of this
package, in float64, ``eps = 1e-5`` balances the two at about 1e-10, against
about 1e-9 for ``eps = 1e-6``: small enough to compare with an analytic
gradient at a relative tolerance of 1e-7. In float32 the rounding term alone
is about 1e-2, which is why only float64 arrays are accepted.

The relative error of one entry is ``|num - ana| / max(|num| + |ana|, tiny)``.
Where the true gradient is nearly zero the numerical estimate is pure rounding
noise, and a ratio of noise to noise means nothing; the floor ``tiny`` (by
default one hundredth of the key's largest ``|num| + |ana|``) compares such
entries in absolute terms instead.

>>> import numpy as np
>>> from lstmlab.gradcheck import gradcheck
>>> params = {"w": np.array([0.5, -1.0, 2.0])}
>>> loss = lambda p: float((p["w"] ** 3).sum())
>>> report = gradcheck(loss, params, analytic={"w": 3 * params["w"] ** 2})
>>> report.ok
True
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import numpy as np

from .backend import asnumpy, get_xp
from .checks import check_array, check_int, check_positive_int, check_real

#: The default relative tolerance: what a correct float64 backward pass reaches.
TOLERANCE = 1e-7


def _check_float64(name: str, a):
    check_array(name, a)
    if np.dtype(a.dtype) != np.float64:
        raise TypeError(
            f"{name}: expected dtype float64 (central differences in {a.dtype} are too coarse to check a "
            f"gradient at 1e-7), got {a.dtype}; convert with .astype(np.float64)"
        )
    return a


def _scalar(value) -> float:
    """The loss as a Python float, or a clear error if it is not one number."""
    if isinstance(value, (bool, str)) or getattr(value, "size", 1) != 1:
        raise TypeError(f"f: expected the loss to be a scalar, got {getattr(value, 'shape', type(value).__name__)!r}")
    try:
        return float(value.item() if hasattr(value, "item") else value)
    except (TypeError, ValueError) as err:
        raise TypeError(f"f: expected the loss to be a scalar, got {type(value).__name__}") from err


def sample_entries(size: int, max_entries=None, seed=0):
    """Flat indices of the entries to check: all of them, or ``max_entries`` of them drawn without replacement.

    The draw is seeded, so the same call always checks the same entries. Returns a sorted int array.
    """
    size = check_int("size", size)
    max_entries = check_positive_int("max_entries", max_entries, allow_none=True)
    if max_entries is None or max_entries >= size:
        return np.arange(size)
    return np.sort(np.random.default_rng(seed).choice(size, size=max_entries, replace=False))


def numerical_gradient(f, a, eps: float = 1e-5, entries=None):
    """Central-difference estimate of the gradient of the scalar ``f(a)`` with respect to ``a``.

    Parameters
    ----------
    f : callable
        ``f(a) -> float``. ``a`` is perturbed *in place* one entry at a time, so
        ``f`` may equally ignore its argument and read ``a`` (or a dict that
        holds it) directly.
    a : float64 array, any shape
    eps : float
        The step; ``1e-5`` balances truncation and rounding error for smooth losses in float64.
    entries : int array, optional
        Flat indices of the entries to perturb (see :func:`sample_entries`);
        ``None`` perturbs every entry.

    Returns
    -------
    An array shaped like ``a`` (every entry), or a 1-D array with one value
    per index in ``entries``. Every perturbed entry is restored to its exact
    original value before returning, even if ``f`` raises.
    """
    if not callable(f):
        raise TypeError(f"f: expected a callable that returns a scalar loss, got {type(f).__name__}")
    _check_float64("a", a)
    eps = check_real("eps", eps, low_open=True)
    if not (a.flags.writeable if hasattr(a.flags, "writeable") else True):
        raise ValueError("a: expected a writeable array (it is perturbed in place and restored)")
    flat_idx = np.arange(a.size) if entries is None else np.asarray(entries, dtype=np.int64).ravel()
    if flat_idx.size and (flat_idx.min() < 0 or flat_idx.max() >= a.size):
        raise ValueError(f"entries: expected flat indices in [0, {a.size}), got values outside it")
    grad = np.empty(flat_idx.size, dtype=np.float64)
    for n, flat in enumerate(flat_idx):
        idx = np.unravel_index(int(flat), a.shape)
        old = a[idx].copy()
        try:
            a[idx] = old + eps
            f_plus = _scalar(f(a))
            a[idx] = old - eps
            f_minus = _scalar(f(a))
        finally:
            a[idx] = old
        grad[n] = (f_plus - f_minus) / (2.0 * eps)
    xp = get_xp(a)
    grad = grad.reshape(a.shape) if entries is None else grad
    return grad if xp is np else xp.asarray(grad)


#: The default floor of the relative error, as a fraction of the key's largest ``|num| + |ana|``.
TINY_FRACTION = 1e-2


def relative_error(num, ana, tiny=None):
    """Entrywise ``|num - ana| / max(|num| + |ana|, tiny)``: 0 when equal, 1 when of opposite sign.

    ``tiny=None`` sets the floor to ``TINY_FRACTION`` times the largest ``|num| + |ana|``
    (and two arrays of exact zeros agree).
    """
    num, ana = (
        np.asarray(asnumpy(check_array(n, a, finite=False)), dtype=np.float64) for n, a in (("num", num), ("ana", ana))
    )
    if num.shape != ana.shape:
        raise ValueError(f"ana: expected the shape of num {num.shape}, got {ana.shape}")
    if tiny is not None:
        tiny = check_real("tiny", tiny)
    size = np.abs(num) + np.abs(ana)
    if tiny is None:
        tiny = TINY_FRACTION * float(size.max()) if size.size else 0.0
    return np.abs(num - ana) / np.maximum(size, max(tiny, np.finfo(np.float64).tiny))


@dataclass
class KeyResult:
    """The check of one array: how many entries were compared, and how far apart they were."""

    key: str
    shape: tuple
    checked: int  # number of entries compared
    max_rel_error: float
    max_abs_error: float
    worst_index: tuple | None  # the entry with the largest relative error
    worst_numerical: float  # the two values at that entry
    worst_analytic: float
    passed: bool
    numerical: np.ndarray = field(repr=False)  # the compared entries, 1-D
    analytic: np.ndarray = field(repr=False)


@dataclass
class GradcheckReport:
    """The result of :func:`gradcheck`: one :class:`KeyResult` per checked array.

    ``report.ok`` is True when every key passes; ``report.assert_ok()`` raises an
    ``AssertionError`` naming the worst key. In a notebook the report shows as a table.
    """

    results: dict
    tol: float
    eps: float

    @property
    def ok(self) -> bool:
        return all(r.passed for r in self.results.values())

    @property
    def worst(self) -> KeyResult | None:
        """The result with the largest relative error (None if nothing was checked)."""
        return max(self.results.values(), key=lambda r: r.max_rel_error, default=None)

    @property
    def max_rel_error(self) -> float:
        return 0.0 if not self.results else self.worst.max_rel_error

    def __getitem__(self, key) -> KeyResult:
        return self.results[key]

    def assert_ok(self):
        """Raise ``AssertionError`` naming the worst key when any key fails the tolerance."""
        if not self.ok:
            failed = [k for k, r in self.results.items() if not r.passed]
            w = self.worst
            raise AssertionError(
                f"gradcheck failed for {failed}: worst is {w.key!r} with relative error {w.max_rel_error:.3e} "
                f"at index {w.worst_index} (numerical {w.worst_numerical:.10g}, analytic "
                f"{w.worst_analytic:.10g}); tolerance {self.tol:.1e}\n{self!r}"
            )
        return self

    def _rows(self):
        for r in self.results.values():
            checked = f"{r.checked}/{int(np.prod(r.shape, dtype=np.int64))}"
            yield (r.key, str(r.shape), checked, f"{r.max_abs_error:.2e}", f"{r.max_rel_error:.2e}", _verdict(r))

    _HEADER = ("key", "shape", "checked", "max abs err", "max rel err", "")

    def __repr__(self) -> str:
        rows = [self._HEADER, *self._rows()]
        widths = [max(len(row[j]) for row in rows) for j in range(len(self._HEADER))]
        lines = ["  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip() for row in rows]
        lines.insert(1, "  ".join("-" * w for w in widths).rstrip())
        verdict = "all passed" if self.ok else f"FAILED ({sum(not r.passed for r in self.results.values())} keys)"
        lines.append(f"gradcheck: {verdict} at tolerance {self.tol:.0e} (eps {self.eps:.0e})")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(h)}</th>" for h in self._HEADER)
        body = []
        for row, r in zip(self._rows(), self.results.values()):
            style = "" if r.passed else ' style="color:#b00020;font-weight:bold"'
            body.append(f"<tr{style}>" + "".join(f"<td>{html.escape(c)}</td>" for c in row) + "</tr>")
        verdict = "all passed" if self.ok else "FAILED"
        caption = f"gradcheck: {verdict} at tolerance {self.tol:.0e} (eps {self.eps:.0e})"
        return (
            f"<table><caption>{html.escape(caption)}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{''.join(body)}</tbody></table>"
        )


def _verdict(r: KeyResult) -> str:
    return "ok" if r.passed else "FAIL"


def gradcheck(
    f,
    params: dict,
    inputs: dict | None = None,
    analytic=None,
    eps: float = 1e-5,
    tol: float = TOLERANCE,
    keys=None,
    max_entries=None,
    seed=0,
    tiny=None,
) -> GradcheckReport:
    """Compare analytic gradients with central finite differences, key by key.

    Parameters
    ----------
    f : callable
        ``f(params) -> loss`` or, when ``inputs`` is given, ``f(params, inputs) -> loss``.
        If ``analytic`` is None, ``f`` must return ``(loss, grads)`` instead, and
        the grads of the unperturbed call are the analytic gradients.
    params, inputs : dict of float64 arrays
        Every array whose gradient is checked. Their keys must not overlap.
        Each array is perturbed in place and restored exactly.
    analytic : dict of arrays, or callable, or None
        The gradients to check, one per key (the same shapes); or a function
        called like ``f`` that returns them.
    eps : float
        The finite-difference step.
    tol : float
        A key passes when its largest entrywise relative error is at most ``tol``.
    keys : iterable of str, optional
        The keys to check (default: every key of ``params`` and ``inputs``).
    max_entries : int, optional
        Check at most this many entries per key, drawn at random with ``seed``
        (for large arrays); None checks every entry.
    tiny : float, optional
        Floor of the denominator of the relative error (see the module docstring);
        None uses ``TINY_FRACTION`` times the key's largest ``|num| + |ana|``.

    Returns
    -------
    GradcheckReport
    """
    if not callable(f):
        raise TypeError(f"f: expected a callable that returns a scalar loss, got {type(f).__name__}")
    arrays = _collect(params, inputs)
    eps = check_real("eps", eps, low_open=True)
    tol = check_real("tol", tol)
    if tiny is not None:
        tiny = check_real("tiny", tiny)
    max_entries = check_positive_int("max_entries", max_entries, allow_none=True)
    if seed is not None and (isinstance(seed, bool) or not isinstance(seed, (int, np.integer)) or seed < 0):
        raise TypeError(f"seed: expected an int >= 0 or None, got {type(seed).__name__} {seed!r}")
    call = (lambda: f(params)) if inputs is None else (lambda: f(params, inputs))
    if analytic is None:
        out = call()
        if not (isinstance(out, tuple) and len(out) == 2 and isinstance(out[1], dict)):
            raise TypeError(
                f"analytic: none given, so f must return (loss, grads) with grads a dict, got {type(out).__name__}"
            )
        analytic = out[1]
        loss = lambda: call()[0]  # noqa: E731
    else:
        if callable(analytic):
            analytic = analytic(params) if inputs is None else analytic(params, inputs)
        loss = call
    if not isinstance(analytic, dict):
        raise TypeError(
            f"analytic: expected a dict of gradients (or a function returning one), got {type(analytic).__name__}"
        )
    keys = list(arrays) if keys is None else list(keys)
    unknown = [k for k in keys if k not in arrays]
    if unknown:
        raise ValueError(f"keys: expected keys of params or inputs {sorted(arrays)}, got unknown keys {unknown}")
    missing = [k for k in keys if k not in analytic]
    if missing:
        raise ValueError(f"analytic: expected a gradient for every checked key {keys}, got missing keys {missing}")
    analytic = {k: asnumpy(analytic[k]) for k in keys}  # a copy, taken before anything is perturbed
    for k in keys:
        if tuple(analytic[k].shape) != tuple(arrays[k].shape):
            raise ValueError(
                f"analytic[{k!r}]: expected shape {tuple(arrays[k].shape)} (the shape of the array), "
                f"got {tuple(analytic[k].shape)}"
            )

    results = {}
    for n, k in enumerate(keys):
        a = arrays[k]
        entries = sample_entries(a.size, max_entries, seed=None if seed is None else (seed, n))
        num = asnumpy(numerical_gradient(lambda _: loss(), a, eps=eps, entries=entries))
        ana = np.asarray(analytic[k], dtype=np.float64).ravel()[entries]
        rel = relative_error(num, ana, tiny=tiny)
        worst = int(np.argmax(rel)) if rel.size else None
        results[k] = KeyResult(
            key=k,
            shape=tuple(a.shape),
            checked=int(entries.size),
            max_rel_error=float(rel.max()) if rel.size else 0.0,
            max_abs_error=float(np.abs(num - ana).max()) if rel.size else 0.0,
            worst_index=None if worst is None else tuple(int(i) for i in np.unravel_index(entries[worst], a.shape)),
            worst_numerical=float("nan") if worst is None else float(num[worst]),
            worst_analytic=float("nan") if worst is None else float(ana[worst]),
            passed=bool(rel.size == 0 or rel.max() <= tol),
            numerical=num,
            analytic=ana,
        )
    return GradcheckReport(results=results, tol=tol, eps=eps)


def _collect(params, inputs) -> dict:
    arrays = {}
    for name, d in (("params", params), ("inputs", inputs)):
        if d is None and name == "inputs":
            continue
        if not isinstance(d, dict):
            raise TypeError(f"{name}: expected a dict of float64 arrays, got {type(d).__name__}")
        for k, a in d.items():
            if k in arrays:
                raise ValueError(f"inputs: expected keys distinct from the keys of params, got {k!r} in both")
            arrays[k] = _check_float64(f"{name}[{k!r}]", a)
    return arrays


__all__ = [
    "TINY_FRACTION",
    "TOLERANCE",
    "GradcheckReport",
    "KeyResult",
    "gradcheck",
    "numerical_gradient",
    "relative_error",
]
