"""Feedback for a learner's answer: what was checked, what passed, and what to look at.

A checker builds a :class:`Feedback`, adds one line per check with
:meth:`Feedback.compare` or :meth:`Feedback.expect`, and returns it. In a
notebook it shows as a short list of ticks and crosses; ``bool(feedback)``
says whether everything passed; ``feedback.raise_if_failed()`` turns it into
an ``AssertionError`` for autograding.
"""

from __future__ import annotations

import html

import numpy as np

from ..backend import asnumpy
from ..checks import check_real, describe

GOOD, BAD = "#2e8b57", "#d1495b"  # readable on light and dark pages


class Feedback:
    """The result of checking one exercise."""

    def __init__(self, title: str):
        if not isinstance(title, str):
            raise TypeError(f"title: expected a str, got {type(title).__name__}")
        self.title = title
        self.lines: list[tuple[bool, str]] = []

    def expect(self, ok: bool, message_ok: str, message_bad: str) -> bool:
        """Record one yes/no check with what to say in each case."""
        self.lines.append((bool(ok), message_ok if ok else message_bad))
        return bool(ok)

    def compare(self, name: str, got, want, rtol: float = 1e-6, atol: float = 1e-8, hint: str = "") -> bool:
        """Check that the array ``got`` matches ``want`` in shape and value; say where it differs."""
        if not isinstance(name, str):
            raise TypeError(f"name: expected a str, got {type(name).__name__}")
        rtol, atol = check_real("rtol", rtol), check_real("atol", atol)
        if got is None:
            return self.expect(False, "", f"{name}: your function returned None (did you forget a `return`?)")
        try:
            got = asnumpy(got)
        except Exception:
            return self.expect(False, "", f"{name}: expected an array, got {type(got).__name__}")
        want = asnumpy(want)
        if got.shape != want.shape:
            return self.expect(False, "", f"{name}: expected shape {want.shape}, got {got.shape}")
        if not np.all(np.isfinite(got)):
            return self.expect(False, "", f"{name}: contains NaN or inf")
        err = np.abs(got - want)
        bad = err > atol + rtol * np.abs(want)
        if not bad.any():
            return self.expect(True, f"{name}: correct", "")  # no error digits: they vary with the BLAS
        where = np.unravel_index(np.argmax(err), err.shape)
        msg = (
            f"{name}: {int(bad.sum())} of {bad.size} entries are wrong; "
            f"the worst is at index {tuple(int(i) for i in where)}: got {got[where]:.6g}, expected {want[where]:.6g}"
        )
        if np.allclose(got, -want, rtol=rtol, atol=atol):
            msg += " (your answer has the opposite sign)"
        elif want.ndim == 2 and want.shape[0] == want.shape[1] and np.allclose(got, want.T, rtol=rtol, atol=atol):
            msg += " (your answer is the transpose of the expected one)"
        return self.expect(False, "", msg + (f". Hint: {hint}" if hint else ""))

    @property
    def passed(self) -> bool:
        return bool(self.lines) and all(ok for ok, _ in self.lines)

    def __bool__(self) -> bool:
        return self.passed

    def raise_if_failed(self) -> None:
        if not self.passed:
            raise AssertionError(str(self))

    def __str__(self) -> str:
        head = f"{self.title}: {'all checks passed' if self.passed else 'not yet'}"
        return "\n".join([head] + [f"  {'✓' if ok else '✗'} {m}" for ok, m in self.lines])

    __repr__ = __str__

    def _repr_html_(self) -> str:
        def mark(ok):
            return f"<span style='color:{GOOD if ok else BAD}'>{'✓' if ok else '✗'}</span>"

        items = "".join(f"<li>{mark(ok)} {html.escape(m)}</li>" for ok, m in self.lines)
        words = "all checks passed" if self.passed else "not yet"
        status = f"<span style='color:{GOOD if self.passed else BAD}'>{words}</span>"
        return f"<div><b>{html.escape(self.title)}</b>: {status}<ul>{items}</ul></div>"


def expect_tuple(feedback: Feedback, name: str, out, parts: str) -> bool:
    """True when the learner's ``name`` returned a tuple of the comma-separated ``parts``
    (``"dx, dh_prev, grads"``); otherwise a failed check that says what came back instead."""
    if isinstance(out, tuple) and len(out) == len(parts.split(", ")):
        return True
    feedback.expect(False, "", f"{name}: expected to return a tuple ({parts}), got {type(out).__name__}")
    return False


def run_safely(feedback: Feedback, name: str, fn, *args):
    """Call the learner's ``fn``; an exception becomes a failed check instead of a traceback."""
    try:
        return fn(*args)
    except Exception as e:  # the learner's code may raise anything
        feedback.expect(False, "", f"{name} raised {type(e).__name__}: {e}")
        return None


def require_function(name: str, fn, signature: str | None = None):
    """Raise a ``TypeError`` naming the argument unless ``fn`` is a function; returns ``fn``.

    A checker reports a wrong *answer* as feedback; handing it no answer at all (a value, a string,
    the result of calling the function instead of the function: ``check_x(x(...))`` for
    ``check_x(x)``) is a usage error, so it raises. ``signature`` (e.g. ``"f(T) -> float"``) is
    quoted in the message when given.
    """
    if callable(fn):
        return fn
    what = f"a function {signature}" if signature else "a function"
    raise TypeError(f"{name}: expected {what} (your function itself: pass {name}, not {name}(...)), got {describe(fn)}")
