"""The chapter 13 checkers accept a correct answer and name each typical mistake."""

import math

import numpy as np

from lstmlab.exercises import (
    check_bigram_nats,
    check_fit_ar,
    check_perplexity,
    check_sequential_windows,
    check_tempered_probs,
)


def _text(fb):
    return str(fb)


def test_perplexity():
    def right(logits, targets):
        z = logits - logits.max(-1, keepdims=True)
        logp = z - np.log(np.exp(z).sum(-1, keepdims=True))
        return math.exp(-np.take_along_axis(logp, targets[..., None], -1).mean())

    assert check_perplexity(right)
    fb = check_perplexity(lambda lg, t: math.log(right(lg, t)))
    assert not fb and "cross-entropy in nats" in _text(fb)
    fb = check_perplexity(lambda lg, t: 2.0 ** math.log(right(lg, t)))
    assert not fb and "2 to the mean" in _text(fb)


def test_bigram_nats():
    def right(train, test, V, alpha):
        pairs = np.zeros((V, V))
        np.add.at(pairs, (train[:-1], train[1:]), 1.0)
        p = (pairs + alpha) / (pairs.sum(1, keepdims=True) + alpha * V)
        return float(-np.log(p[test[:-1], test[1:]]).mean())

    assert check_bigram_nats(right)
    fb = check_bigram_nats(lambda *a: right(*a) / math.log(2))
    assert not fb and "bits" in _text(fb)

    def columns(train, test, V, alpha):
        pairs = np.zeros((V, V))
        np.add.at(pairs, (train[:-1], train[1:]), 1.0)
        p = (pairs + alpha) / (pairs.sum(0, keepdims=True) + alpha * V)
        return float(-np.log(p[test[:-1], test[1:]]).mean())

    fb = check_bigram_nats(columns)
    assert not fb and "each row" in _text(fb)


def test_sequential_windows():
    def right(ids, N, k):
        L = ids.size // N
        rows = ids[: N * L].reshape(N, L)
        return [(rows[:, s : s + k], rows[:, s + 1 : s + k + 1]) for s in range(0, L - 1 - k + 1, k)]

    assert check_sequential_windows(right)

    def stacked(ids, N, k):
        out = []
        for s in range(0, ids.size - N * k - 1, N * k):
            block = ids[s : s + N * k + 1]
            out.append((block[:-1].reshape(N, k), block[1:].reshape(N, k)))
        return out[: len(right(ids, N, k))] + [out[0]] * max(0, len(right(ids, N, k)) - len(out))

    fb = check_sequential_windows(stacked)
    assert not fb and "contiguous piece" in _text(fb)


def test_tempered_probs():
    def right(z, t):
        if t == 0:
            return np.eye(z.size)[np.argmax(z)]
        e = np.exp((z - z.max()) / t)
        return e / e.sum()

    assert check_tempered_probs(right)
    fb = check_tempered_probs(lambda z, t: right(z, 1.0 / t if t else 0))
    assert not fb and "divide the logits" in _text(fb)


def test_fit_ar():
    def right(s, p):
        X = np.column_stack([np.ones(s.size - p)] + [s[p - j : s.size - j] for j in range(1, p + 1)])
        return np.linalg.lstsq(X, s[p:], rcond=None)[0]

    assert check_fit_ar(right)
    fb = check_fit_ar(lambda s, p: np.concatenate([right(s, p)[:1], right(s, p)[1:][::-1]]))
    assert not fb and "reverse order" in _text(fb)
    fb = check_fit_ar(lambda s, p: right(s, p)[1:])
    assert not fb and "intercept" in _text(fb)
