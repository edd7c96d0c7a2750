"""Noise-free long-lag sequences against Hochreiter & Schmidhuber (1997), Experiment 2a.

The oracle: the paper's two sequences written out by name, and a hand-set LSTM (its equations written
here) that solves the task read out at the last step.
"""

import numpy as np
import pytest

from lstmlab.tasks import LongLag, get_task


def paper_sequences(p):
    """The two sequences of Exp. 2a as symbol names, and the symbol -> index code of the docstring."""
    names = [f"a{i}" for i in range(1, p)] + ["x", "y"]
    code = {s: k for k, s in enumerate(names)}
    body = [f"a{i}" for i in range(1, p)]
    return {"x": ["x", *body, "x"], "y": ["y", *body, "y"]}, code


@pytest.mark.parametrize("targets", ["last", "all"])
def test_the_two_sequences(targets):
    p, N = 12, 4000
    task = get_task("long_lag", p=p, targets=targets)
    b = task.sample(N, np.random.default_rng(0))
    seqs, code = paper_sequences(p)
    assert task.input_size == p + 1 and b.x.shape == (N, p, p + 1) and b.mask is None
    assert np.all(b.x.sum(-1) == 1) and set(np.unique(b.x)) == {0.0, 1.0}  # one-hot
    s = b.x.argmax(-1)
    for n in range(N):
        name = "x" if s[n, 0] == code["x"] else "y"
        full = [code[c] for c in seqs[name]]
        assert list(s[n]) == full[:p]  # the first p symbols are the input
        assert b.info["first"][n] == full[0] == full[p]  # the last symbol repeats the first
        if targets == "last":
            assert b.y[n] == {"x": 0, "y": 1}[name]
        else:
            assert list(b.y[n]) == full[1:]  # the next symbol at every step, the last one at step p - 1
    assert abs(np.mean(s[:, 0] == code["x"]) - 0.5) < 0.03


def test_last_baseline_and_classes():
    p, N = 20, 2000
    task = LongLag(p)
    b = task.sample(N, np.random.default_rng(1))
    assert (task.readout, task.output_size, b.y.shape, b.y.dtype) == ("last", 2, (N,), np.int64)
    m = task.evaluate(np.zeros((N, 2)), b)
    assert m["loss"] == pytest.approx(np.log(2), rel=1e-12) and task.baseline == pytest.approx(np.log(2))
    perfect = np.where(b.y[:, None] == np.arange(2), 5.0, -5.0)
    assert task.evaluate(perfect, b)["solved"] and not task.evaluate(-perfect, b)["solved"]


def test_all_baseline_is_ln2_over_p():
    # a predictor without memory: exact on the p - 1 easy steps, 1/2 on x and y at the last
    p, N = 15, 3000
    task = LongLag(p, targets="all")
    b = task.sample(N, np.random.default_rng(2))
    assert (task.readout, task.output_size, b.y.shape) == ("all", p + 1, (N, p))
    s = b.x.argmax(-1)
    logits = np.full((N, p, p + 1), -60.0)
    nxt = np.where(s[:, :-1] >= p - 1, 0, s[:, :-1] + 1)  # x, y -> a1 (index 0); a_i -> a_{i+1}
    np.put_along_axis(logits[:, :-1], nxt[..., None], 60.0, axis=-1)
    logits[:, -1, p - 1 :] = 0.0
    m = task.evaluate(logits, b)
    assert m["loss"] == pytest.approx(np.log(2) / p, rel=1e-9) and task.baseline == pytest.approx(np.log(2) / p)
    assert m["accuracy"] == pytest.approx(1 - np.mean(b.info["first"] == p) / p)  # arg-max picks x on a tie
    logits[np.arange(N), -1, b.info["first"]] = 60.0  # with the memory: every step right
    assert task.evaluate(logits, b)["solved"]


def hand_set_lstm(x, p, gain=10.0):
    """One LSTM cell (i, f, g, o) whose weights are set by hand: store +1 for x, -1 for y at step 0, keep it."""
    sig = lambda a: 1 / (1 + np.exp(-a))  # noqa: E731
    x_sym, y_sym = p - 1, p
    w_i = np.full(p + 1, -20.0)
    w_i[[x_sym, y_sym]] = 20.0  # write only on the first symbol
    w_g = np.zeros(p + 1)
    w_g[x_sym], w_g[y_sym] = 5.0, -5.0
    c = np.zeros(x.shape[0])
    for t in range(x.shape[1]):
        i, f, g, o = sig(x[:, t] @ w_i), sig(20.0), np.tanh(x[:, t] @ w_g), sig(20.0)
        c = f * c + i * g
    h = o * np.tanh(c)
    return np.stack([gain * h, -gain * h], axis=1)  # class 0 (x) when h > 0


@pytest.mark.parametrize("p", [20, 100])
def test_a_hand_set_lstm_solves_it(p):
    task = LongLag(p)
    b = task.sample(500, np.random.default_rng(3))
    m = task.evaluate(hand_set_lstm(b.x, p), b)
    assert m["solved"] and m["success_rate"] == 1.0 and m["loss"] < 0.01
    wrong = LongLag(p).sample(500, np.random.default_rng(4))  # other targets: chance level
    assert abs(task.evaluate(hand_set_lstm(b.x, p), wrong)["accuracy"] - 0.5) < 0.1


def test_errors():
    with pytest.raises(ValueError, match="p: expected an int >= 2"):
        LongLag(p=1)
    with pytest.raises(ValueError, match="targets: expected one of"):
        LongLag(p=5, targets="next")
