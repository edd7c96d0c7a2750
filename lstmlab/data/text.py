"""English prose for a character-level language model, taken from Python itself (no download).

The corpus is the text of Python's interactive help topics, shipped with every
Python install as ``pydoc_data.topics.topics`` (a dict: topic -> text). We join
the topics in sorted order, turn every character that is not printable ASCII
(newlines, tabs, the few non-ASCII letters) into a space, and collapse every
run of spaces into one.
With Python 3.11.7 that gives 432,923 characters over 93 distinct ones; on the
last 10 % held out, the unigram baseline is 3.39 nats per character and the
bigram baseline (alpha 0.1) 2.39 (the numbers change a little with the Python
version: see ``len(load_corpus())``).

The pieces of a character language model:

* :class:`Vocabulary`: characters <-> integer ids, ``decode(encode(s)) == s``;
* :func:`split_ids`: the last part of the corpus held out for validation;
* :func:`batchify` and :func:`bptt_batches`: for truncated BPTT, the ids are
  laid out as N contiguous streams ``(N, L)``, and read in windows of ``k``
  steps whose targets are the next characters;
* :func:`unigram_nats` and :func:`bigram_nats`: the baselines in nats per
  character on held-out text;
* :func:`sample`: generate text from any model through a step function.
"""

from __future__ import annotations

import re
import string

import numpy as np

from ..checks import check_positive_int, check_real

_KEEP = set(string.printable) - set("\t\n\r\x0b\x0c")


def load_corpus() -> str:
    """The help-topics corpus: printable ASCII, runs of whitespace collapsed to one space (see the module docstring)."""
    from pydoc_data.topics import topics

    text = " ".join(topics[k] for k in sorted(topics))
    text = "".join(c if c in _KEEP else " " for c in text)  # whitespace and non-ASCII become spaces
    return re.sub(r" +", " ", text).strip()


class Vocabulary:
    """The characters of a text, sorted; ``encode`` maps a str to ids (int64), ``decode`` maps back.

    >>> v = Vocabulary("hello")
    >>> v.chars, v.decode(v.encode("hole"))
    ('ehlo', 'hole')
    """

    def __init__(self, text: str):
        if not isinstance(text, str) or not text:
            raise ValueError(f"text: expected a non-empty str, got {type(text).__name__} {text!r:.40}")
        self.chars = "".join(sorted(set(text)))
        self.index = {c: i for i, c in enumerate(self.chars)}

    @property
    def size(self) -> int:
        """V, the number of distinct characters."""
        return len(self.chars)

    def __len__(self) -> int:
        return self.size

    def encode(self, text: str) -> np.ndarray:
        """int64 ids (len(text),); a character not in the vocabulary raises ValueError."""
        if not isinstance(text, str):
            raise TypeError(f"text: expected a str, got {type(text).__name__}")
        try:
            return np.fromiter((self.index[c] for c in text), dtype=np.int64, count=len(text))
        except KeyError as e:
            raise ValueError(f"text: expected characters of the vocabulary, got {e.args[0]!r}") from None

    def decode(self, ids) -> str:
        """The str for integer ids of any shape (flattened)."""
        ids = np.asarray(ids)
        if ids.size and (not np.issubdtype(ids.dtype, np.integer) or ids.min() < 0 or ids.max() >= self.size):
            raise ValueError(f"ids: expected integers in [0, {self.size}), got dtype {ids.dtype}")
        return "".join(self.chars[i] for i in ids.ravel())


def split_ids(ids, val_fraction: float = 0.1) -> tuple:
    """``(train, val)``: the first part of ``ids`` and the last ``val_fraction`` of it (held out)."""
    ids = np.asarray(ids)
    if ids.ndim != 1 or ids.size < 2:
        raise ValueError(f"ids: expected a 1-D array of at least 2 ids, got shape {ids.shape}")
    if isinstance(val_fraction, bool) or not (isinstance(val_fraction, (float, int)) and 0.0 < val_fraction < 1.0):
        raise ValueError(f"val_fraction: expected a float in (0, 1), got {val_fraction!r}")
    cut = ids.size - int(round(ids.size * val_fraction))
    return ids[:cut].copy(), ids[cut:].copy()


def batchify(ids, N: int) -> np.ndarray:
    """Lay 1-D ``ids`` out as N contiguous streams, shape (N, L) with ``L = len(ids) // N``.

    Row n is the n-th consecutive piece of the text (the remainder is dropped),
    so a model can carry its state from one window of a row to the next.
    """
    ids = np.asarray(ids)
    if ids.ndim != 1:
        raise ValueError(f"ids: expected a 1-D array of ids, got shape {ids.shape}")
    N = check_positive_int("N", N)
    L = ids.size // N
    if L < 2:
        raise ValueError(f"ids: expected at least 2 * N = {2 * N} ids for N={N} streams, got {ids.size}")
    return ids[: N * L].reshape(N, L).copy()


def bptt_batches(streams, k: int):
    """Windows for truncated BPTT: yields ``(x, y)``, both int (N, k') with ``y[:, t] = streams[:, s + t + 1]``.

    Windows start at ``s = 0, k, 2k, ...``; the inputs cover ``streams[:, s : s + k]``
    and the targets are shifted by one. The last window is shorter when
    ``(L - 1)`` is not a multiple of ``k``. One-hot code x with ``np.eye(V)[x]``.
    """
    streams = np.asarray(streams)
    if streams.ndim != 2 or streams.shape[1] < 2 or streams.shape[0] < 1:
        raise ValueError(f"streams: expected shape (N, L) with N >= 1 and L >= 2, got {streams.shape}")
    if streams.dtype.kind not in "iu":
        raise TypeError(f"streams: expected integer ids, got dtype {streams.dtype}")
    k = check_positive_int("k", k)
    return _windows(streams, k)  # checked now, not at the first next()


def _windows(streams, k: int):
    L = streams.shape[1]
    for s in range(0, L - 1, k):
        e = min(s + k, L - 1)
        yield streams[:, s:e], streams[:, s + 1 : e + 1]


def _check_ids(name: str, ids, V: int, minimum: int = 1) -> np.ndarray:
    """Integer ids in ``[0, V)``, at least ``minimum`` of them, as a NumPy array."""
    if not (isinstance(ids, (list, tuple)) or hasattr(ids, "dtype")):
        raise TypeError(f"{name}: expected an int array of ids, got {type(ids).__name__}")
    ids = np.asarray(ids)
    if ids.dtype.kind not in "iu":
        raise TypeError(f"{name}: expected integer ids, got dtype {ids.dtype}")
    if ids.size < minimum or (ids.size and (ids.min() < 0 or ids.max() >= V)):
        raise ValueError(f"{name}: expected at least {minimum} ids in [0, {V}), got {ids.size} ids")
    return ids


def _counts(ids, V: int) -> np.ndarray:
    return np.bincount(np.asarray(ids).ravel(), minlength=V).astype(np.float64)


def unigram_nats(train_ids, test_ids, V: int, alpha: float = 1.0) -> float:
    """Cross-entropy (nats per character) on ``test_ids`` of the character frequencies of ``train_ids``.

    Add-``alpha`` smoothing: ``p(c) = (count(c) + alpha) / (n + alpha V)``, so a
    character unseen in training still has a probability.
    """
    V = check_positive_int("V", V)
    alpha = check_real("alpha", alpha, low_open=True)
    train_ids, test_ids = _check_ids("train_ids", train_ids, V), _check_ids("test_ids", test_ids, V)
    p = (_counts(train_ids, V) + alpha) / (np.size(train_ids) + alpha * V)
    return float(-np.log(p[np.asarray(test_ids)]).mean())


def bigram_nats(train_ids, test_ids, V: int, alpha: float = 0.1) -> float:
    """Cross-entropy (nats per character) on ``test_ids`` of a bigram model fitted on ``train_ids``.

    ``p(b | a) = (count(a b) + alpha) / (count(a .) + alpha V)`` (add-alpha
    smoothing; alpha = 0.1 by default, which suits ~100 characters and a few
    hundred thousand bigrams). Scores every test character after the first.
    """
    V = check_positive_int("V", V)
    alpha = check_real("alpha", alpha, low_open=True)
    train_ids, test_ids = _check_ids("train_ids", train_ids, V, 2), _check_ids("test_ids", test_ids, V, 2)
    pairs = np.zeros((V, V))
    np.add.at(pairs, (train_ids[:-1], train_ids[1:]), 1.0)
    p = (pairs + alpha) / (pairs.sum(axis=1, keepdims=True) + alpha * V)
    return float(-np.log(p[test_ids[:-1], test_ids[1:]]).mean())


def sample(step_fn, vocab: Vocabulary, prime: str, length: int, temperature: float = 1.0, rng=None) -> str:
    """Generate ``length`` characters after ``prime`` with any model.

    ``step_fn(x, state) -> (logits, state)`` runs the model one step: ``x`` is a
    one-hot float array (1, V), ``state`` is whatever the model carries (None at
    the start), ``logits`` are (1, V) or (V,). The prime is fed in first; then
    each character is drawn from ``softmax(logits / temperature)`` with ``rng``
    and fed back. ``temperature=0`` picks the most likely character (greedy).
    Returns ``prime`` followed by the generated characters.
    """
    if not isinstance(prime, str) or not prime:
        raise ValueError(f"prime: expected a non-empty str, got {prime!r}")
    length = check_positive_int("length", length)
    temperature = check_real("temperature", temperature)
    if not isinstance(vocab, Vocabulary):
        raise TypeError(f"vocab: expected a Vocabulary, got {type(vocab).__name__}")
    if not callable(step_fn):
        got = type(step_fn).__name__
        raise TypeError(f"step_fn: expected a callable step_fn(x, state) -> (logits, state), got {got}")
    if temperature > 0 and not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng: expected a numpy.random.Generator, got {type(rng).__name__}")
    eye = np.eye(vocab.size)
    state, logits = None, None
    for i in vocab.encode(prime):
        logits, state = step_fn(eye[i][None, :], state)
    out = []
    for _ in range(length):
        z = np.asarray(logits, dtype=np.float64).reshape(-1)
        if z.shape != (vocab.size,):
            raise ValueError(f"step_fn: expected logits of shape (1, {vocab.size}), got {np.shape(logits)}")
        if temperature == 0:
            i = int(np.argmax(z))
        else:
            z = z / temperature
            p = np.exp(z - z.max())
            i = int(rng.choice(vocab.size, p=p / p.sum()))
        out.append(vocab.chars[i])
        logits, state = step_fn(eye[i][None, :], state)
    return prime + "".join(out)
