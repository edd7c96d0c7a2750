"""Checkers for the coding exercises of chapter 10, *LSTM against RNN on long lags*.

* :func:`check_steps_to_solve`: ``steps_to_solve(history) -> int or None``, the training step of
  the first evaluation that met the task's success criterion, read from a
  :class:`lstmlab.train.History`;
* :func:`check_summarise_sweep`: ``summarise_sweep(runs) -> {setting: (rate, median)}``, the
  fraction of runs that solved and the median steps to solve, an unsolved run counting as ``inf``;
* :func:`check_signal_at`: ``signal_at(params, cell, x, k) -> float``, how much of an error injected
  at the last hidden state reaches the input at step ``k``, relative to what reaches the last input:
  the learning signal an untrained network gets about an early input.

The references are :func:`lstmlab.experiments.ch10_long_lags.steps_to_solve` and
:func:`~lstmlab.experiments.ch10_long_lags.summarise_sweep`. The histories are built by hand, so
the checks run in milliseconds; a wrong answer is compared with the usual slips (the index of the
evaluation instead of its step, the last solved evaluation instead of the first, the total number
of steps, sequences instead of steps, 0 or -1 for a run that never solved; in a sweep, the
unsolved runs dropped or counted as 0, the mean instead of the median, a count instead of a
fraction) and the feedback names the one it matches.
"""

from __future__ import annotations

import math

import numpy as np

from ..experiments.ch10_long_lags import steps_to_solve as _ref_steps
from ..experiments.ch10_long_lags import summarise_sweep as _ref_sweep
from ..sequence import backward, forward
from ..train import History
from .ch01 import compare, match_slip, returned
from .feedback import Feedback, require_function, run_safely

BATCH_SIZE = 32


def _history(eval_steps, solved, last_step=None, batch_size=BATCH_SIZE):
    """A History with one step per training step up to ``last_step`` and evaluations at ``eval_steps``."""
    h = History()
    h.batch_size = batch_size
    last = last_step if last_step is not None else eval_steps[-1]
    for s in range(1, last + 1):
        h.record_step(s, 1.0 / s, 1.0, 1e-2, 0.01 * s)
    for s, ok in zip(eval_steps, solved):
        h.record_eval(s, {"loss": 0.1 if not ok else 0.001, "success_rate": 1.0 if ok else 0.5, "solved": float(ok)})
    first = next((s for s, ok in zip(eval_steps, solved) if ok), None)
    h.solved_at = first
    h.stop_reason = "solved" if first is not None and first == last else "steps"
    return h


#: (description, history): each case probes one slip.
CASES = (
    ("evaluations every 50 steps, solved from the third on", _history([50, 100, 150, 200, 250], [0, 0, 1, 1, 0])),
    ("solved, lost again, solved again", _history([100, 200, 300, 400, 500], [0, 1, 0, 1, 1])),
    ("solved at the very first evaluation", _history([50, 100, 150], [1, 1, 1])),
    ("the last evaluation after the final step, off the 100-step grid", _history([100, 200, 250], [0, 0, 1])),
    ("never solved", _history([100, 200, 300], [0, 0, 0], last_step=300)),
)


def _slip(got, history) -> str:
    """Name the slip that turns ``history`` into ``got``, or ''."""
    steps, solved = history.eval_step, history.eval["solved"]
    first = next((k for k, ok in enumerate(solved) if ok), None)
    if first is None:
        if got in (0, -1) or (isinstance(got, float) and math.isnan(got)):
            return "a run that never solved has no step to solve: return None, not a number"
        if got == len(history.step) or got == steps[-1]:
            return "a run that never solved should give None, not the number of steps it trained for"
        return ""
    last = max(k for k, ok in enumerate(solved) if ok)
    if got == first:
        return "that is the index of the evaluation in the list, not its training step: use history.eval_step[k]"
    if got == first + 1:
        return "that counts evaluations, not training steps: use history.eval_step[k]"
    if got == steps[last] and last != first:
        return "that is the last solved evaluation; the task was first solved earlier"
    if first > 0 and got == steps[first - 1]:
        return "that is the evaluation just before the first solved one"
    if got == steps[first] * history.batch_size:
        return "that is the number of sequences (steps x batch size); the exercise asks for steps"
    if got == len(history.step):
        return "that is the number of steps trained in total, not the step where the task was first solved"
    return ""


def check_steps_to_solve(steps_to_solve) -> Feedback:
    """Check ``steps_to_solve(history) -> int or None`` on hand-made Histories, against the reference."""
    require_function("steps_to_solve", steps_to_solve, "steps_to_solve(history) -> int or None")
    fb = Feedback("Exercise: steps to solve, from a training history")
    for name, history in CASES:
        want = _ref_steps(history)
        got = run_safely(fb, "steps_to_solve", steps_to_solve, history)
        if fb.lines and not fb.lines[-1][0]:
            return fb
        if want is None:
            if not fb.expect(
                got is None,
                f"{name}: None",
                f"{name}: expected None, got {got!r}" + (f" ({_slip(got, history)})" if _slip(got, history) else ""),
            ):
                return fb
            continue
        if got is None:
            fb.expect(
                False,
                "",
                f"{name}: expected step {want}, got None (did you forget a `return`, or test `solved == True` "
                "on floats? history.eval['solved'] holds 1.0 and 0.0)",
            )
            return fb
        if isinstance(got, bool) or not isinstance(got, (int, float, np.integer, np.floating)):
            fb.expect(False, "", f"{name}: expected step {want} as an int, got {type(got).__name__} {got!r}")
            return fb
        ok = float(got) == want
        if not fb.expect(ok, f"{name}: step {want}", f"{name}: expected step {want}, got {got!r}"):
            hint = _slip(got, history)
            if hint:
                fb.lines[-1] = (False, fb.lines[-1][1] + f" ({hint})")
            return fb
    return fb


# ------------------------------------------------------------------------------------------- the sweep

#: Forget-gate biases and the steps to solve of three or four seeds (None: never solved in the budget).
SWEEP = {
    -2.0: [None, None, None],
    0.0: [1200, None, 900],
    1.0: [400, 700, 500],
    2.0: [300, None, 350, 500],
}


def _sweep_slips(runs) -> dict:
    """What each typical slip gives, for ``runs`` -> hint."""
    out = {}

    def summary(values_of, rate_of):
        res = {}
        for k, rs in runs.items():
            vals = values_of(rs)
            res[k] = (rate_of(rs), float(sorted(vals)[len(vals) // 2]) if len(vals) % 2 else _median(vals))
        return res

    solved = lambda rs: [r for r in rs if r is not None]  # noqa: E731
    frac = lambda rs: len(solved(rs)) / len(rs)  # noqa: E731
    out[
        "the runs that never solved were dropped: count them as inf, so a setting that rarely solves cannot look fast"
    ] = {k: (frac(rs), _median(solved(rs)) if solved(rs) else math.nan) for k, rs in runs.items()}
    out["an unsolved run counted as 0 steps looks like the fastest run of all: count it as inf"] = summary(
        lambda rs: [0.0 if r is None else r for r in rs], frac
    )
    out["that is the mean; the exercise asks for the median, which one slow seed does not drag"] = {
        k: (frac(rs), sum(math.inf if r is None else r for r in rs) / len(rs)) for k, rs in runs.items()
    }
    out["the rate should be a fraction of the runs (0 to 1), not a count"] = {
        k: (float(len(solved(rs))), _ref_sweep({k: rs})[k][1]) for k, rs in runs.items()
    }
    out["that is the fraction of runs that did *not* solve"] = {
        k: (1.0 - frac(rs), _ref_sweep({k: rs})[k][1]) for k, rs in runs.items()
    }
    return out


def _median(vals):
    vals = sorted(float(v) for v in vals)
    n = len(vals)
    if n == 0:
        return math.nan
    return vals[n // 2] if n % 2 else (vals[n // 2 - 1] + vals[n // 2]) / 2


def _same(a, b) -> bool:
    if math.isnan(a) and math.isnan(b):
        return True
    if math.isinf(a) or math.isinf(b):
        return a == b
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


def _matches(got: dict, want: dict) -> bool:
    try:
        return all(_same(float(got[k][0]), want[k][0]) and _same(float(got[k][1]), want[k][1]) for k in want)
    except (KeyError, TypeError, ValueError, IndexError):
        return False


def check_summarise_sweep(summarise_sweep) -> Feedback:
    """Check ``summarise_sweep(runs) -> {setting: (rate, median)}`` against the reference."""
    require_function("summarise_sweep", summarise_sweep, "summarise_sweep(runs) -> {setting: (rate, median)}")
    fb = Feedback("Exercise: summarise a sweep")
    runs = {k: list(v) for k, v in SWEEP.items()}
    want = _ref_sweep(SWEEP)
    got = run_safely(fb, "summarise_sweep", summarise_sweep, runs)
    if fb.lines:
        return fb
    if got is None:
        fb.expect(False, "", "summarise_sweep: your function returned None (did you forget a `return`?)")
        return fb
    if not fb.expect(
        isinstance(got, dict) and set(got) == set(want),
        f"one entry per setting: {sorted(want)}",
        f"expected a dict with one entry per setting {sorted(want)}, got "
        + (f"keys {sorted(got)}" if isinstance(got, dict) else type(got).__name__),
    ):
        return fb
    if not fb.expect(
        runs == SWEEP, "the input is left unchanged", "your function changed the lists in `runs`: work on a copy"
    ):
        return fb
    for k in sorted(want):
        entry = got[k]
        if not (isinstance(entry, (tuple, list)) and len(entry) == 2):
            fb.expect(False, "", f"setting {k}: expected a pair (rate, median), got {entry!r}")
            return fb
    if _matches(got, want):
        for k in sorted(want):
            rate, med = want[k]
            fb.expect(True, f"setting {k:g}: {rate:.3g} of the runs solved, median {med:g} steps", "")
        return fb
    for hint, slip in _sweep_slips(SWEEP).items():
        if _matches(got, slip):
            fb.expect(False, "", f"not the expected summary: {hint}")
            return fb
    for k in sorted(want):
        rate, med = want[k]
        g_rate, g_med = (float(v) for v in got[k])
        if not _same(g_rate, rate):
            fb.expect(False, "", f"setting {k:g}: expected rate {rate:.3g}, got {g_rate:.3g}")
            return fb
        if not _same(g_med, med):
            extra = " (with half of the runs or more unsolved, the median is inf)" if math.isinf(med) else ""
            fb.expect(False, "", f"setting {k:g}: expected median {med:g}, got {g_med:g}{extra}")
            return fb
    return fb


# ------------------------------------------------------------------------------------------ the learning signal


def signal_at_reference(params, cell, x, k, which="x", ratio=True, ones=True):
    """||dL/dx_k|| / ||dL/dx_{T-1}|| for ``L = sum(h_T)``: the share of the error at h_T that reaches input k.

    The switches reproduce the usual slips: ``which="h"`` measures at h_k (the hidden state) instead
    of the input, ``ratio=False`` returns the raw norm, ``ones=False`` injects the error at every step
    (the loss ``sum of every h_t``) instead of at the last one only.
    """
    hs, final, cache = forward(x, params, cell, fast=False)
    N, T, H = hs.shape
    dhs = np.zeros_like(hs)
    if ones:
        dhs[:, -1] = 1.0
    else:
        dhs[:] = 1.0
    if which == "x":
        g = backward(dhs, cache)["x"]
        num, den = np.linalg.norm(g[:, k]), np.linalg.norm(g[:, -1])
    else:  # the error at h_k: restart the sequence at step k+1 from the state after step k
        _, start, _ = forward(x[:, : k + 1], params, cell, fast=False)
        _, _, rest = forward(x[:, k + 1 :], params, cell, h0=start["h"], c0=start.get("c"), fast=False)
        d = np.zeros((N, T - k - 1, H))
        d[:, -1] = 1.0
        num, den = np.linalg.norm(backward(d, rest)["h0"]), np.linalg.norm(np.ones((N, H)))
    return float(num / den) if ratio else float(num)


def check_signal_at(signal_at) -> Feedback:
    """Check ``signal_at(params, cell, x, k) -> float``: the share of the error at h_T that reaches input k.

    For ``L = sum(h_T)`` (an error of 1 at every unit of the last hidden state, none elsewhere),
    expected ``||dL/dx_k|| / ||dL/dx_{T-1}||``, the norms over the whole batch, with ``dL/dx`` from
    ``lstmlab.sequence.backward``. Checked for a tanh RNN and for LSTMs with two forget biases.
    """
    from ..cells import get_cell
    from ..init import set_forget_bias

    require_function("signal_at", signal_at, "signal_at(params, cell, x, k) -> float")
    fb = Feedback("Exercise: the learning signal at an early input")
    rng = np.random.default_rng(0)
    x = rng.normal(size=(4, 30, 2))
    cases = []
    for cell, b_f in (("rnn", None), ("lstm", 0.0), ("lstm", 3.0)):
        params = get_cell(cell).init_params(2, 6, seed=1)
        if b_f is not None:
            set_forget_bias(params, cell, b_f)
        cases.append((cell, b_f, params))
    slips = {
        "measure at the input x_k (the gradient key 'x' of sequence.backward), not at the hidden state h_k": dict(
            which="h"
        ),
        "divide by the norm of the error at the last input, dL/dx_{T-1}, to get a share": dict(ratio=False),
        "the loss reads the last hidden state only: dhs is zero except dhs[:, -1] = 1": dict(ones=False),
    }
    for cell, b_f, params in cases:
        for k in (0, 15):
            want = signal_at_reference(params, cell, x, k)
            got = returned(fb, "signal_at", signal_at, {key: v.copy() for key, v in params.items()}, cell, x.copy(), k)
            if got is None:
                return fb
            try:
                got = np.asarray(float(got))
            except (TypeError, ValueError):
                fb.expect(False, "", f"signal_at: expected to return a number, got {type(got).__name__}")
                return fb
            table = {hint: np.asarray(signal_at_reference(params, cell, x, k, **sw)) for hint, sw in slips.items()}
            tag = f" ({cell}{'' if b_f is None else f', b_f = {b_f:g}'}, k = {k})"
            if not compare(fb, "signal" + tag, got, np.asarray(want), hint=match_slip(got, table)):
                return fb
    return fb
