"""A character-level language model: a document split, stateful truncated BPTT, bits per character.

The model is any :class:`lstmlab.model.Model` with ``readout="all"``: at every step it reads
one character (one-hot, D = V) and gives logits for the next one (V).

* :func:`load_documents` and :func:`split_documents`: Python's help topics as separate
  documents, and a train/validation split **by document** (whole topics are held out, so the
  validation text is not a continuation of a training paragraph);
* :data:`CHARS` and :func:`vocabulary`: the vocabulary is fixed before looking at any text
  (printable ASCII), so a held-out document cannot contain an unknown character;
* :func:`lm_windows`: the minibatches of truncated BPTT, in two partitions:

  - ``"sequential"``: the ids are laid out as N contiguous streams (:func:`lstmlab.data.batchify`)
    and read window after window; the state at the end of one window is the start of the next
    (*stateful*: carried across windows, with no gradient flowing back into the previous
    window, i.e. detached at the boundary);
  - ``"random"``: N windows at random positions; consecutive batches are unrelated, so each
    window starts from a zero state;

* :func:`train_lm`: Adam, clipping by global norm, one update per window;
* :func:`evaluate_nats`: the mean cross-entropy per character (nats) on held-out ids, read as N
  streams with the state carried; :func:`bits_per_char` and :func:`perplexity` convert it;
* :func:`step_fn`: one step of the model, for :func:`lstmlab.data.sample`.

Shapes: N streams, k steps per window, V characters, H hidden units.
"""

from __future__ import annotations

import math
import re
import string

import numpy as np

from .checks import check_choice, check_ids, check_instance, check_positive_int, check_real, describe
from .clip import clip_grad_norm
from .data.text import Vocabulary, batchify
from .losses import softmax_cross_entropy
from .optim import Adam

#: The vocabulary: every printable ASCII character except the whitespace controls (95 characters).
CHARS = "".join(sorted(set(string.printable) - set("\t\n\r\x0b\x0c")))

PARTITIONS = ("sequential", "random")


def vocabulary() -> Vocabulary:
    """The fixed vocabulary :data:`CHARS` (V = 95), the same for every split."""
    return Vocabulary(CHARS)


def clean(text: str) -> str:
    """Every character outside :data:`CHARS` becomes a space; runs of spaces collapse to one."""
    if not isinstance(text, str):
        raise TypeError(f"text: expected a str, got {describe(text)}")
    keep = set(CHARS)
    return re.sub(r" +", " ", "".join(c if c in keep else " " for c in text)).strip()


def load_documents() -> list:
    """Python's help topics (``pydoc_data.topics.topics``), cleaned, one str per topic in sorted order."""
    from pydoc_data.topics import topics

    docs = [clean(topics[k]) for k in sorted(topics)]
    return [d for d in docs if d]


def split_documents(docs, val_fraction: float = 0.1, seed: int = 0) -> tuple:
    """``(train_text, val_text)``: whole documents, shuffled with ``seed``, held out until
    ``val_fraction`` of the characters are in validation. Each part joins its documents with a space.
    """
    if not isinstance(docs, (list, tuple)) or len(docs) < 2 or not all(isinstance(d, str) for d in docs):
        raise TypeError(f"docs: expected a list of at least 2 str, got {describe(docs)}")
    if not (isinstance(val_fraction, float) and 0.0 < val_fraction < 1.0):
        raise ValueError(f"val_fraction: expected a float in (0, 1), got {val_fraction!r}")
    order = np.random.default_rng(seed).permutation(len(docs))
    total, held, val = sum(len(d) for d in docs), 0, set()
    for k in order:
        if held >= val_fraction * total or len(val) == len(docs) - 1:
            break
        val.add(int(k))
        held += len(docs[k])
    train = " ".join(d for k, d in enumerate(docs) if k not in val)
    return train, " ".join(d for k, d in enumerate(docs) if k in val)


def lm_windows(ids, N: int, k: int, partition: str = "sequential", rng=None):
    """Yield truncated-BPTT minibatches ``(x, y, carry)`` forever: int arrays (N, k), targets shifted by one.

    ``carry`` says whether the window continues the previous one row by row (so the model should
    start from the previous final state): always True after the first window of a pass for
    ``"sequential"``, always False for ``"random"``. A sequential pass starts at a random offset
    in ``[0, k)`` (from ``rng``), so that successive passes cut the text at different places.
    """
    ids = np.asarray(ids)
    N, k = check_positive_int("N", N), check_positive_int("k", k)
    check_choice("partition", partition, PARTITIONS)
    if not isinstance(rng, np.random.Generator):
        raise TypeError(f"rng: expected a numpy.random.Generator, got {describe(rng)}")
    if ids.ndim != 1 or ids.size < N * (k + 1) + k:
        raise ValueError(f"ids: expected a 1-D array of at least N*(k+1)+k = {N * (k + 1) + k} ids, got {ids.shape}")
    while True:
        if partition == "random":
            starts = rng.integers(0, ids.size - k, size=N)
            idx = starts[:, None] + np.arange(k + 1)
            yield ids[idx[:, :-1]], ids[idx[:, 1:]], False
            continue
        streams = batchify(ids[int(rng.integers(0, k)) :], N)
        for s in range(0, streams.shape[1] - k, k):
            yield streams[:, s : s + k], streams[:, s + 1 : s + k + 1], s > 0


def _one_hot(x, V: int, dtype):
    return np.eye(V, dtype=dtype)[x]


def _state(cache, carry: bool):
    """The (h0, c0) for the next window: the previous final state, or None (zeros)."""
    if not carry or cache is None:
        return None, None
    final = cache["final"]
    return final["h"], final.get("c")


def train_lm(
    model,
    ids,
    steps: int,
    N: int = 32,
    k: int = 32,
    lr: float = 3e-3,
    clip_norm=1.0,
    partition: str = "sequential",
    seed: int = 0,
) -> dict:
    """Train ``model`` (readout ``"all"``, D = V = output size) for ``steps`` updates; returns the history.

    Each update: one window ``(x, y, carry)`` from :func:`lm_windows`; the forward pass starts from
    the previous window's final state when ``carry`` (the arrays themselves: the backward pass of
    this window stops at its first step, so the state is detached); the loss is the mean
    cross-entropy over the N*k characters; the gradient is clipped to ``clip_norm`` (None: no
    clipping) and Adam takes a step. Returns ``{"loss": [...], "grad_norm": [...]}`` per update.
    """
    steps = check_positive_int("steps", steps)
    if model.readout != "all" or model.input_size != model.output_size:
        raise ValueError(f"model: expected readout 'all' and input_size == output_size, got {model!r}")
    V = model.output_size
    rng = np.random.default_rng(seed)
    batches = lm_windows(ids, N, k, partition, rng)
    opt = Adam(model.params, lr=lr)
    history, cache = {"loss": [], "grad_norm": []}, None
    for _ in range(steps):
        x, y, carry = next(batches)
        h0, c0 = _state(cache, carry)
        logits, cache = model.forward(_one_hot(x, V, model.dtype), h0=h0, c0=c0)
        loss, dlogits = softmax_cross_entropy(logits, y)
        grads = model.backward(dlogits, cache)
        norm = clip_grad_norm(grads, clip_norm) if clip_norm is not None else float("nan")
        opt.step(model.params, grads)
        history["loss"].append(float(loss))
        history["grad_norm"].append(float(norm))
    return history


def _check_model(model):
    from .model import Model

    check_instance("model", model, Model, "an lstmlab.model.Model")


def evaluate_nats(model, ids, N: int = 16, k: int = 256) -> float:
    """Mean cross-entropy (nats per character) of ``model`` on ``ids``, read as N streams, state carried.

    Every target character of the N streams is scored once (the first character of each stream
    is only an input, and the stream starts from a zero state).
    """
    _check_model(model)
    V = model.output_size
    streams = batchify(check_ids("ids", ids, model.input_size, ndim=1), check_positive_int("N", N))
    k = check_positive_int("k", k)
    total, count, cache = 0.0, 0, None
    for s in range(0, streams.shape[1] - 1, k):
        x, y = streams[:, s : s + k], streams[:, s + 1 : s + k + 1]
        x = x[:, : y.shape[1]]
        h0, c0 = _state(cache, cache is not None)
        logits, cache = model.forward(_one_hot(x, V, model.dtype), h0=h0, c0=c0)
        loss, _ = softmax_cross_entropy(logits, y)
        total += loss * y.size
        count += y.size
    return total / count


def bits_per_char(nats: float) -> float:
    """Nats per character -> bits per character: divide by ln 2."""
    return check_real("nats", nats) / math.log(2.0)


def perplexity(nats: float) -> float:
    """Nats per character -> perplexity, ``exp(nats)``: the size of a uniform choice as uncertain as the model."""
    return math.exp(check_real("nats", nats, high=700.0))


def step_fn(model):
    """``step(x, state) -> (logits, state)`` for :func:`lstmlab.data.sample`: one step of ``model``.

    ``x`` is one-hot (1, V); ``state`` is None at the start, then the model's final-state dict.
    """

    def step(x, state):
        h0, c0 = (None, None) if state is None else (state["h"], state.get("c"))
        logits, cache = model.forward(np.asarray(x, dtype=model.dtype)[:, None, :], h0=h0, c0=c0)
        return logits[:, -1, :], cache["final"]

    return step


def hidden_states(model, ids) -> np.ndarray:
    """The top layer's hidden states (T, dirs*H) while ``model`` reads the 1-D ``ids`` from a zero state."""
    from .stack import stack_forward

    _check_model(model)
    ids = check_ids("ids", ids, model.input_size, ndim=1)
    if ids.size == 0:
        raise ValueError("ids: expected at least one id, got none")
    x = _one_hot(ids[None, :], model.input_size, model.dtype)
    stack_params = {key: model.params[key] for key in model.stack_keys}
    out, _, _ = stack_forward(x, stack_params, model.cell, model.num_layers, model.bidirectional)
    return out[0]
