"""Tests for lstmlab/lm.py: the document split, stateful windows, evaluation and sampling."""

from __future__ import annotations

import math

import numpy as np
import pytest

from lstmlab import lm
from lstmlab.data.text import sample
from lstmlab.losses import softmax_cross_entropy
from lstmlab.model import Model


def test_split_is_by_whole_documents():
    docs = [f"document number {k} " * (k + 1) for k in range(20)]
    docs = [lm.clean(d) for d in docs]
    train, val = lm.split_documents(docs, 0.2, seed=1)
    held = [d for d in docs if d in val.split(" document number 0")[0] or d in val]
    assert all((d in val) != (d in train) for d in docs)
    assert 0.2 * sum(map(len, docs)) <= len(val) < 0.2 * sum(map(len, docs)) + max(map(len, docs)) + 1
    assert held


def test_vocabulary_is_printable_ascii_and_covers_the_corpus():
    v = lm.vocabulary()
    assert v.size == 95 and " " in v.chars and "\n" not in v.chars
    docs = lm.load_documents()
    assert len(docs) > 50 and all(set(d) <= set(v.chars) for d in docs)


def test_sequential_windows_continue_each_row():
    ids = np.arange(1000)
    gen = lm.lm_windows(ids, N=4, k=5, partition="sequential", rng=np.random.default_rng(0))
    x0, y0, carry0 = next(gen)
    x1, y1, carry1 = next(gen)
    assert not carry0 and carry1
    np.testing.assert_array_equal(y0, x0 + 1)
    np.testing.assert_array_equal(x1[:, 0], x0[:, -1] + 1)  # the next window starts where this one ended
    xr, yr, carry = next(lm.lm_windows(ids, 4, 5, "random", np.random.default_rng(0)))
    assert not carry and xr.shape == (4, 5)
    np.testing.assert_array_equal(yr, xr + 1)


def test_evaluate_nats_with_carried_state_equals_one_long_pass():
    V = 7
    model = Model("lstm", V, 5, V, readout="all", seed=0)
    ids = np.random.default_rng(0).integers(0, V, 203)
    got = lm.evaluate_nats(model, ids, N=3, k=10)
    streams = ids[: 3 * (203 // 3)].reshape(3, -1)
    logits = model.predict(np.eye(V)[streams[:, :-1]])
    want, _ = softmax_cross_entropy(logits, streams[:, 1:])
    assert abs(got - want) < 1e-12


def test_stateful_training_detaches_at_window_boundaries():
    """One update of train_lm equals a hand-made update; the second starts from the first window's state."""
    V = 6
    ids = np.random.default_rng(1).integers(0, V, 400)
    a = Model("lstm", V, 4, V, readout="all", seed=2)
    history = lm.train_lm(a, ids, 2, N=2, k=8, lr=1e-2, clip_norm=None, seed=3)
    gen = lm.lm_windows(ids, 2, 8, "sequential", np.random.default_rng(3))
    b = Model("lstm", V, 4, V, readout="all", seed=2)
    x0, y0, _ = next(gen)
    loss0, _ = b.loss_and_grads(np.eye(V)[x0], y0, loss="cross_entropy")
    assert abs(history["loss"][0] - loss0) < 1e-12
    assert len(history["loss"]) == 2 and math.isnan(history["grad_norm"][0])


def test_step_fn_sampling_follows_the_full_forward_pass():
    v = lm.vocabulary()
    model = Model("lstm", v.size, 8, v.size, readout="all", seed=0)
    text = sample(lm.step_fn(model), v, "The ", 20, temperature=0)
    ids = v.encode(text)
    logits = model.predict(np.eye(v.size)[ids[None, :-1]])
    np.testing.assert_array_equal(logits[0, 3:].argmax(axis=-1), ids[4:])  # greedy: each next char is the argmax


def test_conversions_and_bad_input():
    assert abs(lm.bits_per_char(math.log(2.0)) - 1.0) < 1e-15
    assert abs(lm.perplexity(math.log(95.0)) - 95.0) < 1e-9
    with pytest.raises(ValueError, match="partition"):
        next(lm.lm_windows(np.arange(100), 2, 3, "shuffled", np.random.default_rng(0)))
    with pytest.raises(TypeError, match="rng"):
        next(lm.lm_windows(np.arange(100), 2, 3, "random", 0))
    with pytest.raises(ValueError, match="ids"):
        next(lm.lm_windows(np.arange(10), 4, 3, "random", np.random.default_rng(0)))
    with pytest.raises(ValueError, match="model"):
        lm.train_lm(Model("lstm", 3, 2, 1, readout="last"), np.arange(100) % 3, 1)
    with pytest.raises(TypeError, match="docs"):
        lm.split_documents("abc")
