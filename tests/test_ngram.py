"""Tests for lstmlab/ngram.py: against a dictionary-of-counts implementation written from the formula."""

from __future__ import annotations

import math
from collections import Counter

import numpy as np
import pytest

from lstmlab.ngram import NGramLM


def _witten_bell(train, V, n):
    """p(c | history) by the recursion of the module docstring, with plain Python dictionaries."""
    follow = [Counter() for _ in range(n)]  # follow[m][(h, c)]
    for m in range(n):
        for t in range(m, len(train)):
            follow[m][(tuple(train[t - m : t]), train[t])] += 1
    total = [Counter() for _ in range(n)]
    types = [Counter() for _ in range(n)]
    for m in range(n):
        for (h, _c), k in follow[m].items():
            total[m][h] += k
            types[m][h] += 1

    def p(history, c):
        prob = 1.0 / V
        for m in range(min(len(history), n - 1) + 1):
            h = tuple(history[len(history) - m :]) if m else ()
            if total[m][h] > 0:
                prob = (follow[m][(h, c)] + types[m][h] * prob) / (total[m][h] + types[m][h])
        return prob

    return p


@pytest.mark.parametrize("n", [1, 2, 3, 5])
def test_matches_the_dictionary_implementation(n):
    rng = np.random.default_rng(n)
    V = 5
    train = list(rng.integers(0, V, 300) * (rng.random(300) < 0.7))  # skewed, with repeats
    test = list(rng.integers(0, V, 60))
    p = _witten_bell(train, V, n)
    want = -np.mean([math.log(p(test[:t], test[t])) for t in range(1, len(test))])
    assert abs(NGramLM(n, V).fit(train).nats(test) - want) < 1e-12


def test_probabilities_sum_to_one_also_for_unseen_contexts():
    lm = NGramLM(4, 6).fit([0, 1, 2, 3, 0, 1, 2, 3, 0, 1])
    for context in ([0, 1, 2], [5, 5, 5], [4], [1, 2, 3, 0, 1]):
        probs = lm.probs(context)
        assert abs(probs.sum() - 1.0) < 1e-12 and probs.min() > 0


def test_higher_order_is_better_on_a_deterministic_cycle():
    cycle = [0, 1, 2, 0, 2, 1] * 50
    nats = [NGramLM(n, 3).fit(cycle).nats(cycle[:60]) for n in (1, 2, 3)]
    assert nats[0] > nats[1] > nats[2]


def test_bad_input():
    with pytest.raises(ValueError, match="n"):
        NGramLM(0, 5)
    with pytest.raises(ValueError, match="ids"):
        NGramLM(2, 5).fit([0, 7, 1])
    with pytest.raises(ValueError, match="fit"):
        NGramLM(2, 5).nats([0, 1, 2])
    with pytest.raises(ValueError, match="context"):
        NGramLM(2, 5).fit([0, 1, 2]).probs([])
