"""The prose corpus: offline, vocabulary round trip, BPTT batching, baselines, the sampler."""

import numpy as np
import pytest

from lstmlab.data import (
    Vocabulary,
    batchify,
    bigram_nats,
    bptt_batches,
    load_corpus,
    sample,
    split_ids,
    unigram_nats,
)


@pytest.fixture(scope="module")
def corpus():
    return load_corpus()


def test_corpus_offline_and_clean(offline, corpus):
    assert len(corpus) > 200_000
    assert all(32 <= ord(c) < 127 for c in set(corpus))  # printable ASCII only
    assert "  " not in corpus and "\n" not in corpus and corpus == corpus.strip()
    assert "statement" in corpus


def test_vocabulary_round_trip(corpus):
    v = Vocabulary(corpus)
    ids = v.encode(corpus)
    assert ids.dtype == np.int64 and ids.min() == 0 and ids.max() == v.size - 1 and len(v) == len(set(corpus))
    assert v.decode(ids) == corpus
    assert list(v.chars) == sorted(set(corpus))
    with pytest.raises(ValueError, match="text: expected characters of the vocabulary, got 'é'"):
        v.encode("café")
    with pytest.raises(ValueError, match="ids: expected integers in"):
        v.decode([v.size])


def test_batching_for_truncated_bptt():
    ids = np.arange(103)
    streams = batchify(ids, 4)
    assert streams.shape == (4, 25) and np.array_equal(streams[1], np.arange(25, 50))  # contiguous rows
    windows = list(bptt_batches(streams, 10))
    assert [w[0].shape for w in windows] == [(4, 10), (4, 10), (4, 4)]
    x = np.concatenate([w[0] for w in windows], axis=1)
    y = np.concatenate([w[1] for w in windows], axis=1)
    assert np.array_equal(x, streams[:, :-1]) and np.array_equal(y, streams[:, 1:])  # targets shifted by one
    with pytest.raises(ValueError, match="N: expected a positive int"):
        batchify(ids, 0)
    with pytest.raises(ValueError, match="ids: expected at least"):
        batchify(ids[:5], 4)


def test_baselines_in_nats(corpus):
    v = Vocabulary(corpus)
    train, val = split_ids(v.encode(corpus), 0.1)
    assert train.size + val.size == len(corpus) and val.size == round(0.1 * len(corpus))
    uni, bi = unigram_nats(train, val, v.size), bigram_nats(train, val, v.size)
    # oracle: the unigram cross-entropy written out with a dict of counts
    counts = {}
    for c in corpus[: train.size]:
        counts[c] = counts.get(c, 0) + 1
    held = corpus[train.size :]
    want = -np.mean([np.log((counts.get(c, 0) + 1) / (train.size + v.size)) for c in held])
    assert uni == pytest.approx(want, rel=1e-12)
    assert 0 < bi < uni < np.log(v.size)
    # bigram oracle on a toy text: p(b|a) = (n_ab + alpha) / (n_a. + alpha V)
    toy = Vocabulary("abc")
    tr, te = toy.encode("abababac"), toy.encode("abc")
    p_ab = (3 + 0.5) / (4 + 1.5)  # 'a' is followed by b, b, b, c in training
    p_bc = (0 + 0.5) / (3 + 1.5)  # 'b' is followed by a, a, a
    assert bigram_nats(tr, te, 3, alpha=0.5) == pytest.approx(-(np.log(p_ab) + np.log(p_bc)) / 2)


def test_sampler_with_a_known_model():
    v = Vocabulary("abcd")
    calls = []

    def step_fn(x, state):  # a model that always predicts the next letter, cyclically, and counts its steps
        assert x.shape == (1, 4) and x.sum() == 1
        calls.append(int(x.argmax()))
        n = 0 if state is None else state + 1
        logits = np.full((1, 4), -100.0)
        logits[0, (x.argmax() + 1) % 4] = 100.0
        return logits, n

    assert sample(step_fn, v, "ab", 6, temperature=0.0) == "abcdabcd"
    assert calls[:2] == [0, 1] and len(calls) == 8
    assert sample(step_fn, v, "ab", 6, 1.0, np.random.default_rng(0)) == "abcdabcd"

    def uniform(x, state):
        return np.zeros(4), state

    a = sample(uniform, v, "a", 2000, 1.0, np.random.default_rng(1))
    assert a == sample(uniform, v, "a", 2000, 1.0, np.random.default_rng(1))  # seeded
    freq = np.bincount(v.encode(a[1:]), minlength=4) / 2000
    assert np.abs(freq - 0.25).max() < 0.04
    with pytest.raises(TypeError, match="rng: expected a numpy.random.Generator"):
        sample(uniform, v, "a", 3, 1.0, None)
    with pytest.raises(ValueError, match="prime: expected a non-empty str"):
        sample(uniform, v, "", 3, 0.0)
