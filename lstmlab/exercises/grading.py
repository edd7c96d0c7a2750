"""Calling a student's function under grading: a time limit, an output limit, no reference code.

The hidden tests of the course's nbgrader assignments (``coursework/``) call the student's
functions through :func:`call`, which records every fault as a failed line of a
:class:`~lstmlab.exercises.Feedback` instead of letting it stop the grader:

* an exception (the message names it);
* running longer than ``seconds`` (a ``signal.setitimer`` alarm stops it);
* printing more than ``max_output`` characters (the call is stopped at the limit);
* changing one of its arguments (they are compared with copies taken before the call);
* calling the course's own reference code: during the call every function of the already
  imported ``lstmlab`` modules (this one and ``lstmlab.exercises.feedback`` excepted) and
  PyTorch's ``autograd.grad``/``autograd.backward`` raise :class:`ReferenceCalled`, and
  importing ``lstmlab``, ``torch``, ``jax`` or ``autograd`` afresh fails.

:func:`expect_array` then checks that a result is a float NumPy array of the right shape
(a list or a wrong shape is named in the feedback). Only the main thread of a kernel can
take the alarm, which is where nbgrader runs a notebook's cells.

This module holds no solution: students may read it.
"""

from __future__ import annotations

import contextlib
import copy
import importlib.abc
import inspect
import io
import signal
import sys

import numpy as np

from .feedback import Feedback

#: Seconds a graded call may run: far above what a correct answer needs (milliseconds).
SECONDS = 10.0
#: Characters a graded call may print (stdout and stderr together).
MAX_OUTPUT = 100_000
#: Packages a graded call may neither call into nor import.
FORBIDDEN = ("lstmlab", "torch", "jax", "autograd")
_SPARED = {__name__, "lstmlab.exercises.feedback"}


class _Stop(BaseException):
    """Raised inside the student's code to stop it; a BaseException, so `except Exception` does not catch it."""


class TimeLimit(_Stop):
    pass


class OutputLimit(_Stop):
    pass


class ReferenceCalled(_Stop):
    pass


class _BoundedOutput(io.TextIOBase):
    def __init__(self, limit: int):
        self.limit, self.count = limit, 0

    def write(self, s):
        self.count += len(s)
        if self.count > self.limit:
            raise OutputLimit(f"printed more than {self.limit} characters")
        return len(s)


def _poisoned(*args, **kwargs):
    # Runs with the globals of the function it replaces, so it reaches this module through builtins only.
    grading = __import__("lstmlab.exercises.grading", fromlist=["ReferenceCalled"])
    name = __import__("sys")._getframe().f_code.co_qualname
    raise grading.ReferenceCalled(f"called the course's reference code ({name}); graded code must compute it itself")


class _BlockImports(importlib.abc.MetaPathFinder):
    def find_spec(self, fullname, path=None, target=None):
        if fullname.split(".")[0] in FORBIDDEN and fullname not in sys.modules:
            raise ReferenceCalled(f"imported {fullname}; graded code may not use it")
        return None


def _functions(module):
    """The plain functions defined in ``module``, and those of its classes."""
    for obj in list(vars(module).values()):
        if inspect.isfunction(obj) and obj.__module__ == module.__name__:
            yield obj
        elif inspect.isclass(obj) and obj.__module__ == module.__name__:
            for member in vars(obj).values():
                member = getattr(member, "__func__", member)
                if inspect.isfunction(member):
                    yield member


def _reference_functions() -> list:
    found = []
    for name, module in list(sys.modules.items()):
        top = name.split(".")[0]
        if module is None or top not in FORBIDDEN or name in _SPARED:
            continue
        if top == "lstmlab":
            found.extend(_functions(module))
    torch = sys.modules.get("torch")
    if torch is not None:
        autograd = getattr(torch, "autograd", None)
        found.extend(f for f in (getattr(autograd, "grad", None), getattr(autograd, "backward", None)) if f)
        found.append(torch.Tensor.backward)
    return [f for f in found if inspect.isfunction(f) and not f.__code__.co_freevars]


@contextlib.contextmanager
def no_reference_code():
    """Within the block, lstmlab's functions and torch's autograd raise :class:`ReferenceCalled`."""
    originals = {f: f.__code__ for f in _reference_functions()}
    for f in originals:
        f.__code__ = _poisoned.__code__.replace(co_name=f.__name__, co_qualname=f"{f.__module__}.{f.__qualname__}")
    blocker = _BlockImports()
    sys.meta_path.insert(0, blocker)
    try:
        yield
    finally:
        sys.meta_path.remove(blocker)
        for f, code in originals.items():
            f.__code__ = code


@contextlib.contextmanager
def _time_limit(seconds: float):
    def alarm(signum, frame):
        raise TimeLimit(f"did not return within {seconds:g} s (an endless loop?)")

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.setitimer(signal.ITIMER_REAL, seconds)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


def _snapshot(value):
    try:
        return copy.deepcopy(value)
    except Exception:
        return None


def _same(a, b) -> bool:
    if isinstance(a, np.ndarray) or isinstance(b, np.ndarray):
        return isinstance(a, np.ndarray) and isinstance(b, np.ndarray) and a.shape == b.shape and np.array_equal(a, b)
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, (list, tuple)) and isinstance(b, (list, tuple)):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b))
    try:
        return bool(a == b)
    except Exception:
        return True


def call(
    feedback: Feedback,
    name: str,
    fn,
    *args,
    seconds: float = SECONDS,
    max_output: int = MAX_OUTPUT,
    allow_reference: bool = False,
):
    """Call ``fn(*args)`` as graded code; return ``(ok, result)``, recording a fault in ``feedback``.

    ``ok`` is False when the call raised, ran out of time, printed too much, called the
    reference code (unless ``allow_reference``) or changed an argument; ``feedback`` then has
    one failed line that says which.
    """
    if not callable(fn):
        feedback.expect(False, "", f"{name}: expected a function, got {type(fn).__name__}")
        return False, None
    before = [_snapshot(a) for a in args]
    sink = _BoundedOutput(max_output)
    try:
        with (
            _time_limit(seconds),
            contextlib.redirect_stdout(sink),
            contextlib.redirect_stderr(sink),
            contextlib.nullcontext() if allow_reference else no_reference_code(),
        ):
            result = fn(*args)
    except _Stop as e:
        feedback.expect(False, "", f"{name} {e}")
        return False, None
    except Exception as e:  # the student's code may raise anything
        feedback.expect(False, "", f"{name} raised {type(e).__name__}: {e}")
        return False, None
    changed = [n for n, (a, b) in enumerate(zip(args, before)) if b is not None and not _same(a, b)]
    if changed:
        message = f"{name} changed its argument(s) {changed} (counting from 0); it must not modify them"
        feedback.expect(False, "", message)
        return False, result
    return True, result


def expect_array(feedback: Feedback, name: str, got, shape: tuple) -> bool:
    """Whether ``got`` is a float NumPy array of ``shape``; a failed line in ``feedback`` says what it is instead."""
    if not isinstance(got, np.ndarray):
        return feedback.expect(False, "", f"{name}: expected a NumPy array, got {type(got).__name__}")
    if got.shape != tuple(shape):
        return feedback.expect(False, "", f"{name}: expected shape {tuple(shape)}, got {got.shape}")
    ok = got.dtype.kind == "f"
    return feedback.expect(
        ok, f"{name}: a float array of shape {got.shape}", f"{name}: expected floats, got {got.dtype}"
    )


def expect_grads(feedback: Feedback, name: str, got, want: dict, rtol: float = 1e-6, atol: float = 1e-8) -> bool:
    """Check a dict of gradients key by key against ``want`` (shape, type and value)."""
    if not isinstance(got, dict):
        return feedback.expect(False, "", f"{name}: expected a dict with keys {sorted(want)}, got {type(got).__name__}")
    ok = True
    for key, value in want.items():
        if key not in got:
            ok = feedback.expect(False, "", f"{name}: the key {key!r} is missing") and ok
        elif expect_array(feedback, f"{name}[{key!r}]", got[key], value.shape):
            ok = feedback.compare(f"{name}[{key!r}]", got[key], value, rtol=rtol, atol=atol) and ok
        else:
            ok = False
    return ok


__all__ = ["Feedback", "ReferenceCalled", "call", "expect_array", "expect_grads", "no_reference_code"]
