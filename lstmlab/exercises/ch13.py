"""Checkers for the coding exercises of chapter 13, *Applications on real data*.

* :func:`check_perplexity`: ``perplexity(logits, targets) -> float``, ``exp`` of the mean
  cross-entropy (nats) of next-character logits (N, T, V) against integer targets (N, T);
* :func:`check_bigram_nats`: ``bigram_nats(train_ids, test_ids, V, alpha) -> float``, the
  add-alpha bigram baseline's cross-entropy in nats per character;
* :func:`check_sequential_windows`: ``sequential_windows(ids, N, k) -> list of (x, y)``, the
  windows of stateful truncated BPTT;
* :func:`check_tempered_probs`: ``tempered_probs(logits, temperature) -> probs``, the sampling
  distribution at a temperature (greedy one-hot at 0);
* :func:`check_fit_ar`: ``fit_ar(series, p) -> coef``, AR(p) by least squares.

The references are :func:`lstmlab.data.bigram_nats`, :func:`lstmlab.data.batchify` with
:func:`lstmlab.data.bptt_batches`, and :func:`lstmlab.forecast.fit_ar`, tested in ``tests/``.
A wrong answer is compared with the usual slips (bits for nats, the sum for the mean, the
smoothing on the wrong axis, windows read across rows, a temperature that multiplies) and the
feedback names the one it matches.
"""

from __future__ import annotations

import math

import numpy as np

from ..data.text import batchify, bigram_nats, bptt_batches
from ..forecast import fit_ar
from ..losses import log_softmax
from .feedback import Feedback, run_safely


def _done(fb: Feedback, _ok) -> Feedback:
    return fb


def _number(fb, name, got, want, slips=()):
    try:
        got = float(got)
    except (TypeError, ValueError):
        return fb.expect(False, "", f"{name}: expected a number, got {type(got).__name__}")
    if math.isclose(got, want, rel_tol=1e-9, abs_tol=1e-12):
        return fb.expect(True, f"{name}: correct", "")
    for value, why in slips:
        if math.isclose(got, value, rel_tol=1e-9, abs_tol=1e-12):
            return fb.expect(False, "", f"{name}: got {got:.6g}, expected {want:.6g}: {why}")
    return fb.expect(False, "", f"{name}: got {got:.6g}, expected {want:.6g}")


def check_perplexity(perplexity) -> Feedback:
    """``perplexity(logits (N, T, V), targets (N, T)) -> float`` = exp(mean of -log softmax(logits)[target])."""
    fb = Feedback("Exercise: perplexity")
    for seed, (N, T, V) in enumerate([(2, 5, 7), (3, 4, 95)]):
        rng = np.random.default_rng(seed)
        logits, targets = rng.standard_normal((N, T, V)) * 2, rng.integers(0, V, (N, T))
        logits0 = logits.copy()
        nll = -np.take_along_axis(log_softmax(logits), targets[..., None], -1)[..., 0]
        want = math.exp(nll.mean())
        got = run_safely(fb, "perplexity", perplexity, logits, targets)
        if got is None:
            return fb
        slips = [
            (2.0 ** nll.mean(), "that is 2 to the mean in nats; perplexity is e^(nats) = 2^(bits)"),
            (math.exp(nll.sum()), "average the cross-entropy over the N*T characters before exp"),
            (np.exp(nll).mean(), "exp of the mean, not the mean of exp"),
            (nll.mean(), "that is the cross-entropy in nats; perplexity is its exp"),
        ]
        _number(fb, f"perplexity, shape {(N, T, V)}", got, want, slips)
        fb.expect(
            np.array_equal(logits, logits0),
            "the logits are left unmodified",
            "perplexity: you modified the logits in place",
        )
    return fb


def check_bigram_nats(fn) -> Feedback:
    """``bigram_nats(train_ids, test_ids, V, alpha) -> float`` with p(b|a) = (#ab + alpha) / (#a. + alpha V)."""
    fb = Feedback("Exercise: the bigram baseline")
    rng = np.random.default_rng(0)
    V = 6
    train, test = rng.integers(0, V, 400) * (rng.random(400) < 0.8), rng.integers(0, V, 50)
    for alpha in (0.1, 1.0):
        want = bigram_nats(train, test, V, alpha)
        got = run_safely(fb, "bigram_nats", fn, train.copy(), test.copy(), V, alpha)
        if got is None:
            return fb
        pairs = np.zeros((V, V))
        np.add.at(pairs, (train[:-1], train[1:]), 1.0)
        wrong_axis = (pairs + alpha) / (pairs.sum(axis=0, keepdims=True) + alpha * V)
        no_v = (pairs + alpha) / (pairs.sum(axis=1, keepdims=True) + alpha)
        slips = [
            (want / math.log(2), "that is bits; the exercise asks for nats (natural log)"),
            (
                float(-np.log(wrong_axis[test[:-1], test[1:]]).mean()),
                "normalise each row (the count of the first character a), not each column",
            ),
            (
                float(-np.log(no_v[test[:-1], test[1:]]).mean()),
                "the denominator needs alpha * V: alpha is added to each of the V counts",
            ),
        ]
        _number(fb, f"bigram nats, alpha = {alpha}", got, want, slips)
    return fb


def check_sequential_windows(fn) -> Feedback:
    """``sequential_windows(ids, N, k)``: ids as N contiguous rows, then the windows of k steps whose
    targets are the next characters; every window has exactly k steps (a shorter last one is dropped)."""
    fb = Feedback("Exercise: windows for stateful truncated BPTT")
    ids = np.arange(103)
    N, k = 4, 6
    want = [(x, y) for x, y in bptt_batches(batchify(ids, N), k) if x.shape[1] == k]
    got = run_safely(fb, "sequential_windows", fn, ids.copy(), N, k)
    if got is None:
        return fb
    got = list(got)
    if not fb.expect(
        len(got) == len(want), f"{len(want)} windows", f"expected {len(want)} windows of k = {k} steps, got {len(got)}"
    ):
        return fb
    x0 = np.asarray(got[0][0])
    if x0.shape == (N, k) and np.array_equal(x0[0], np.arange(k)) and x0[1, 0] == k:
        return _done(
            fb,
            fb.expect(
                False,
                "",
                "row n must be the n-th contiguous piece of the text (batchify), not "
                "consecutive windows stacked: otherwise a row's next window does not continue it",
            ),
        )
    for j, ((x, y), (wx, wy)) in enumerate(zip(got, want)):
        if not (
            fb.compare(f"window {j} inputs", np.asarray(x, dtype=float), wx.astype(float))
            and fb.compare(
                f"window {j} targets",
                np.asarray(y, dtype=float),
                wy.astype(float),
                hint="the targets are the inputs shifted by one step",
            )
        ):
            return fb
    return fb


def check_tempered_probs(fn) -> Feedback:
    """``tempered_probs(logits (V,), temperature) -> probs (V,)`` = softmax(logits / T); T = 0: one-hot argmax."""
    fb = Feedback("Exercise: sampling with a temperature")
    z = np.array([2.0, -1.0, 0.5, 3.0, 0.0])
    for t in (1.0, 0.5, 2.0, 0.0):
        if t == 0:
            want = np.eye(z.size)[np.argmax(z)]
        else:
            e = np.exp((z - z.max()) / t)
            want = e / e.sum()
        got = run_safely(fb, "tempered_probs", fn, z.copy(), t)
        if got is None:
            return fb
        hint = "divide the logits by the temperature (a low temperature sharpens)"
        if t == 0:
            hint = "at temperature 0, all the probability goes to the largest logit"
        fb.compare(f"temperature {t}", got, want, hint=hint)
    big = run_safely(fb, "tempered_probs", fn, np.array([1000.0, 999.0]), 1.0)
    if big is not None:
        fb.expect(
            np.all(np.isfinite(big)),
            "large logits: no overflow",
            "large logits overflow: subtract the largest logit before exp",
        )
    return fb


def check_fit_ar(fn) -> Feedback:
    """``fit_ar(series, p) -> [a_0, a_1, ..., a_p]`` minimising sum (s_t - a_0 - sum_j a_j s_{t-j})^2."""
    fb = Feedback("Exercise: AR(p) by least squares")
    rng = np.random.default_rng(1)
    s = np.cumsum(rng.standard_normal(120)) * 0.1 + np.sin(np.arange(120) / 3.0)
    for p in (1, 3):
        want = fit_ar(s, p)
        got = run_safely(fb, "fit_ar", fn, s.copy(), p)
        if got is None:
            return fb
        got = np.asarray(got, dtype=float)
        if got.shape == (p + 1,) and p > 1 and np.allclose(got[1:], want[1:][::-1], atol=1e-8):
            fb.expect(False, "", f"p = {p}: your lags are in reverse order: a_1 multiplies the latest value s_(t-1)")
            continue
        if got.shape == (p,):
            fb.expect(False, "", f"p = {p}: expected p + 1 coefficients, the intercept a_0 first")
            continue
        fb.compare(f"AR({p}) coefficients", got, want, rtol=1e-6, atol=1e-8)
    return fb


__all__ = ["check_bigram_nats", "check_fit_ar", "check_perplexity", "check_sequential_windows", "check_tempered_probs"]
