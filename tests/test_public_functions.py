"""Every public function of lstmlab, called with a wrong value in each required argument.

A sweep rather than a sample: each function that lstmlab's modules define without a leading
underscore is called with every required positional argument set to the same wrong value
(None, a string, -1, 0, NaN, an empty array, an array of NaN, a list, True, a dict). Whatever
it does, it may only raise ``ValueError`` or ``TypeError`` whose message names one of its
arguments, never an ``AttributeError``, ``IndexError`` or ``KeyError`` from deep inside.
tests/test_bad_input_fuzz.py spoils one argument of otherwise valid calls; this file makes sure
that no public function is left out of the checks.
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import signal

import matplotlib
import numpy as np
import pytest

import lstmlab

matplotlib.use("Agg")

WRONG = {
    "None": None,
    "a string": "x",
    "-1": -1,
    "0": 0,
    "NaN": float("nan"),
    "an empty array": np.zeros((0,)),
    "an array of NaN": np.full((2, 3), np.nan),
    "a list": [1, 2],
    "True": True,
    "a dict": {"a": 1},
}

#: Modules whose functions only draw or interact (matplotlib, ipywidgets) or time things.
NOT_SWEPT_MODULES = ("lstmlab.viz", "lstmlab.widgets", "lstmlab.bench")

#: Functions whose arguments are checked by their callers, by design: the cells' cores run
#: inside the time loop of every step function and sequence pass (which check the arguments
#: once), the fast path's run_* after lstmlab.sequence's checks, and the exercises' own
#: machinery (reference solutions and the feedback helpers that the checkers call).
UNCHECKED = {
    "lstmlab.fast_lstm.run_forward",
    "lstmlab.fast_lstm.run_backward",
}
UNCHECKED_PATTERNS = ("_core_forward", "_core_backward")
UNCHECKED_MODULES = ("lstmlab.exercises",)  # the checkers (check_*) are swept below

#: Not a wrong argument: a missing file is an OSError, as open() raises.
EXPECTED_OTHER = {"lstmlab.checkpoint.load_checkpoint": (FileNotFoundError,)}


def _modules():
    names = [m.name for m in pkgutil.walk_packages(lstmlab.__path__, "lstmlab.")]
    return [n for n in sorted(names) if not n.startswith(NOT_SWEPT_MODULES)]


def _functions():
    out = []
    for module_name in _modules():
        module = importlib.import_module(module_name)
        for name, obj in sorted(vars(module).items()):
            if name.startswith("_") or not inspect.isfunction(obj) or obj.__module__ != module_name:
                continue
            qual = f"{module_name}.{name}"
            helper = module_name.startswith(UNCHECKED_MODULES) and not name.startswith("check_")
            if qual in UNCHECKED or name.endswith(UNCHECKED_PATTERNS) or helper:
                continue
            required = [
                p
                for p in inspect.signature(obj).parameters.values()
                if p.default is p.empty and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)
            ]
            if required:
                out.append(pytest.param(obj, [p.name for p in required], id=qual))
    return out


class _TooSlow(Exception):
    pass


def _alarm(*_):
    raise _TooSlow


@pytest.mark.parametrize("func, required", _functions())
def test_wrong_values_raise_only_named_value_or_type_errors(func, required):
    qual = f"{func.__module__}.{func.__name__}"
    allowed = (ValueError, TypeError, *EXPECTED_OTHER.get(qual, ()))
    timer = hasattr(signal, "SIGALRM")  # not on Windows: there the calls run without a limit
    previous = signal.signal(signal.SIGALRM, _alarm) if timer else None
    try:
        for label, value in WRONG.items():
            if timer:
                signal.alarm(10)  # a checker that runs a learner's function on a wrong value may loop
            try:
                func(*[value] * len(required))
            except _TooSlow:
                continue
            except allowed as error:
                # The argument checks take the argument's name first, and name it by that.
                if isinstance(error, (ValueError, TypeError)) and required[0] != "name":
                    message = str(error)
                    names = {*required, *(n.removesuffix("_fn") for n in required)}  # check_*(learner's fn)
                    assert any(name in message for name in names), (
                        f"{qual}({label}): the message names none of {required}: {message}"
                    )
            except Exception as error:  # noqa: BLE001 - what this test is about
                pytest.fail(f"{qual} with {label} for {required}: {type(error).__name__}: {error}")
            finally:
                if timer:
                    signal.alarm(0)
    finally:
        if timer:
            signal.signal(signal.SIGALRM, previous)
