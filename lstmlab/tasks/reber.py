"""The embedded Reber grammar, and its continual stream.

Reber (1967) grammar, as used by Hochreiter & Schmidhuber (1997), *Long
Short-Term Memory*, Experiment 1; the continual stream is from Gers,
Schmidhuber & Cummins (2000), *Learning to Forget: Continual Prediction with LSTM*.

Seven symbols, one-hot in the order ``B, T, P, S, X, V, E``. The Reber grammar
is a finite automaton; from each state two transitions leave, each taken with
probability 1/2 (state: symbol -> next state)::

    0: T -> 1, P -> 2        (after the initial B)
    1: S -> 1, X -> 3
    2: T -> 2, V -> 4
    3: X -> 2, S -> 5
    4: P -> 3, V -> 5
    5: the final E

A Reber string is ``B``, a walk from state 0 to state 5, then ``E``. The
*embedded* grammar wraps one in a branch: ``B T <Reber string> T E`` or
``B P <Reber string> P E`` (each branch with probability 1/2). To predict the
second-to-last symbol a network must remember the second one across the
whole inner string: the long-term dependency.

The task (both forms): read one symbol per step and predict the *set* of valid
next symbols, as a multi-hot target of 7 entries; loss: the per-step squared
error on that target (as in the paper), averaged over every counted step and
output. A step is predicted correctly when the outputs of the valid next
symbols are all larger than all the others (the paper's "the output units of
the possible next symbols are the most active ones"); a string, when every
step is.

Baseline: a predictor that knows the inner grammar perfectly but not the
branch (no long-term memory) is right everywhere except at the one step per
string whose target is the branch symbol, where its best output is 1/2 on T
and 1/2 on P: a squared error of 1/2 summed over the outputs. An embedded
string has 12 symbols on average (a walk from state 0 emits 6 symbols on
average; add B, E, and the four outer symbols), hence 11 predicted steps, and
the baseline is ``0.5 / (7 * 11) ~ 0.0065``; in the continual stream every
symbol (the final E included, followed by the next B) is predicted, giving
``0.5 / (7 * 12) ~ 0.0060``. Below it, a model must be using long-term memory.
"""

from __future__ import annotations

import numpy as np

from ..checks import check_bool, check_instance
from .base import Batch, Task, check_length, check_sample_args, one_hot

SYMBOLS = "BTPSXVE"
_IDX = {s: i for i, s in enumerate(SYMBOLS)}
#: The Reber grammar: state -> ((symbol, next state), (symbol, next state)); state 5 emits the final E.
GRAMMAR = {
    0: (("T", 1), ("P", 2)),
    1: (("S", 1), ("X", 3)),
    2: (("T", 2), ("V", 4)),
    3: (("X", 2), ("S", 5)),
    4: (("P", 3), ("V", 5)),
}
#: The mean number of symbols a walk from state 0 emits before reaching state 5 (solve E_k = 1 + mean E_next).
MEAN_WALK = 6.0
MEAN_EMBEDDED_LENGTH = MEAN_WALK + 6.0  # B, branch, B, walk, E, branch, E


def reber_string(rng: np.random.Generator, embedded: bool = True) -> tuple:
    """One (embedded) Reber string and the valid next symbols after each of its symbols.

    Returns ``(symbols, valid)``: ``symbols`` a str such as ``"BTBPVVETE"``, and
    ``valid`` a list of str of the same length, ``valid[t]`` the symbols that
    may follow ``symbols[t]`` (``""`` after the final E).
    """
    check_instance("rng", rng, np.random.Generator, "a numpy.random.Generator (np.random.default_rng(seed))")
    embedded = check_bool("embedded", embedded)
    symbols, valid = ["B"], ["TP"]
    state = 0
    while state != 5:
        choices = GRAMMAR[state]
        sym, state = choices[int(rng.random() < 0.5)]
        symbols.append(sym)
        valid.append("E" if state == 5 else GRAMMAR[state][0][0] + GRAMMAR[state][1][0])
    symbols.append("E")
    valid.append("")
    if not embedded:
        return "".join(symbols), valid
    branch = "TP"[int(rng.random() < 0.5)]
    symbols = ["B", branch] + symbols + [branch, "E"]
    valid = ["TP", "B"] + valid[:-1] + [branch, "E", ""]
    return "".join(symbols), valid


def _encode(strings: list, valids: list, steps: int, dtype) -> tuple:
    """Pad to ``steps`` inputs: x (N, steps, 7) one-hot, y (N, steps, 7) multi-hot, mask (N, steps)."""
    N = len(strings)
    sets = sorted({v for vs in valids for v in vs})  # the distinct valid-next sets, as str
    table = np.zeros((len(sets) + 1, len(SYMBOLS)), dtype=dtype)  # the last row: padding (no target)
    for k, v in enumerate(sets):
        table[k, [_IDX[c] for c in v]] = 1.0
    code = {v: k for k, v in enumerate(sets)}
    lookup = np.zeros(128, dtype=np.int64)
    lookup[[ord(c) for c in SYMBOLS]] = np.arange(len(SYMBOLS))
    idx = np.zeros((N, steps), dtype=np.int64)
    sid = np.full((N, steps), len(sets), dtype=np.int64)
    mask = np.zeros((N, steps), dtype=bool)
    for n, (s, v) in enumerate(zip(strings, valids)):
        L = min(len(s), steps)
        idx[n, :L] = lookup[np.frombuffer(s[:L].encode("ascii"), dtype=np.uint8)]
        sid[n, :L] = [code[c] for c in v[:L]]
        mask[n, :L] = True
    x = one_hot(idx, len(SYMBOLS), dtype) * mask[..., None]
    return x, table[sid], mask


class _ReberScoring(Task):
    """Scoring shared by both Reber tasks: valid-next sets as multi-hot MSE targets."""

    loss = "mse"
    readout = "all"
    input_size = output_size = len(SYMBOLS)

    def step_correct(self, y_pred, batch: Batch) -> np.ndarray:
        """A step is right when every valid symbol's output beats every invalid one's: bool (N, T)."""
        valid = batch.y > 0.5
        lowest_valid = np.where(valid, y_pred, np.inf).min(axis=-1)
        highest_invalid = np.where(valid, -np.inf, y_pred).max(axis=-1)
        return lowest_valid > highest_invalid

    def extra_metrics(self, y_pred, batch: Batch) -> dict:
        """``long_term_accuracy``: the fraction right of the steps whose target is the branch symbol."""
        ok = self.step_correct(y_pred, batch)[batch.info["long_term"]]
        return {"long_term_accuracy": float(ok.mean()) if ok.size else float("nan")}


def _long_term_steps(strings: list, valids: list, steps: int) -> np.ndarray:
    """bool (N, steps): the steps whose target is the branch symbol (the input is the inner E)."""
    out = np.zeros((len(strings), steps), dtype=bool)
    for n, (s, v) in enumerate(zip(strings, valids)):
        out[n, [t for t in range(min(len(s), steps)) if s[t] == "E" and v[t] in ("T", "P")]] = True
    return out


class EmbeddedReber(_ReberScoring):
    """The embedded Reber grammar, one string per sequence (Hochreiter & Schmidhuber 1997, Experiment 1).

    ``sample`` returns strings padded to the longest in the batch: x (N, T, 7)
    (the symbols but the last, one-hot; zeros where padded), y (N, T, 7) the
    multi-hot valid next symbols, mask (N, T) True on the real steps. T varies
    from batch to batch.
    """

    name = "reber"
    citation = "Hochreiter & Schmidhuber (1997), Long Short-Term Memory, Experiment 1"
    description = f"Embedded Reber grammar: predict the valid next symbols ({citation})."
    baseline = 0.5 / (len(SYMBOLS) * (MEAN_EMBEDDED_LENGTH - 1))

    def sample(self, batch_size: int, rng: np.random.Generator, dtype=np.float64) -> Batch:
        N, dtype = check_sample_args(batch_size, rng, dtype)
        pairs = [reber_string(rng) for _ in range(N)]
        inputs = [s[:-1] for s, _ in pairs]  # the final E is never an input: nothing follows it
        valids = [v[:-1] for _, v in pairs]
        steps = max(len(s) for s in inputs)
        x, y, mask = _encode(inputs, valids, steps, dtype)
        info = {"strings": [s for s, _ in pairs], "long_term": _long_term_steps(inputs, valids, steps)}
        return Batch(x=x, y=y, mask=mask, info=info)


class ContinualReber(_ReberScoring):
    """The continual embedded Reber stream (Gers, Schmidhuber & Cummins 2000).

    Embedded Reber strings are concatenated with no separator and no reset;
    after a string's final E the next symbol is the next string's B. Each
    sequence is a stream of ``T`` steps (it starts at a string's B and may end
    in the middle of a string). x (N, T, 7) one-hot, y (N, T, 7) multi-hot valid
    next symbols at every step, mask (N, T) all True (every step of a stream has
    a target). ``info["string_start"]`` (N, T) marks the steps that begin a string.

    Extra metric ``steps_to_error``: the mean number of steps predicted right
    before the first error (T when none), Gers et al.'s measure of how long a
    network runs on a stream without a mistake.
    """

    name = "continual-reber"
    citation = "Gers, Schmidhuber & Cummins (2000), Learning to Forget: Continual Prediction with LSTM"
    baseline = 0.5 / (len(SYMBOLS) * MEAN_EMBEDDED_LENGTH)

    def __init__(self, T: int = 1000):
        self.T = check_length("T", T, 2)
        self.description = (
            f"Continual embedded Reber stream, T={self.T}: predict the valid next symbols ({self.citation})."
        )

    def sample(self, batch_size: int, rng: np.random.Generator, dtype=np.float64) -> Batch:
        N, dtype = check_sample_args(batch_size, rng, dtype)
        streams, valids, starts = [], [], np.zeros((N, self.T), dtype=bool)
        for n in range(N):
            s, v = "", []
            while len(s) < self.T:
                starts[n, len(s)] = True
                a, b = reber_string(rng)
                s += a
                v += b[:-1] + ["B"]  # the next string follows the final E
            streams.append(s[: self.T])
            valids.append(v[: self.T])
        x, y, mask = _encode(streams, valids, self.T, dtype)
        info = {"strings": streams, "string_start": starts, "long_term": _long_term_steps(streams, valids, self.T)}
        return Batch(x=x, y=y, mask=mask, info=info)

    def extra_metrics(self, y_pred, batch: Batch) -> dict:
        ok = self.step_correct(y_pred, batch)
        first_error = np.where(ok.all(axis=1), ok.shape[1], np.argmin(ok, axis=1))
        return {**super().extra_metrics(y_pred, batch), "steps_to_error": float(first_error.mean())}
