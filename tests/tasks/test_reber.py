"""The embedded Reber grammar, checked by an automaton written here from the grammar's diagram."""

import numpy as np
import pytest

from lstmlab.tasks import ContinualReber, EmbeddedReber, reber_string

ORDER = "BTPSXVE"
# Reber's diagram, nodes named by where they sit: (node, symbol) -> node
EDGES = {
    ("start", "B"): "n1",
    ("n1", "T"): "top",
    ("n1", "P"): "bottom",
    ("top", "S"): "top",
    ("top", "X"): "mid_top",
    ("bottom", "T"): "bottom",
    ("bottom", "V"): "mid_bottom",
    ("mid_top", "X"): "bottom",
    ("mid_top", "S"): "exit",
    ("mid_bottom", "P"): "mid_top",
    ("mid_bottom", "V"): "exit",
    ("exit", "E"): "done",
}


def inner_nexts(node):
    return {s for (n, s) in EDGES if n == node}


def check_embedded(s):
    """Accept B (T|P) <Reber> (same) E; return the valid-next set after each symbol, or raise."""
    assert s[0] == "B" and s[1] in "TP" and s[-2] == s[1] and s[-1] == "E", s
    valid = [{"T", "P"}, {"B"}]
    node = "start"
    for c in s[2:-2]:
        assert (node, c) in EDGES, (s, node, c)
        node = EDGES[(node, c)]
        valid.append(inner_nexts(node) if node != "done" else {s[1]})
    assert node == "done", s
    return valid + [{"E"}, set()]


def test_strings_accepted_and_valid_sets():
    rng = np.random.default_rng(0)
    for _ in range(2000):
        s, v = reber_string(rng)
        assert [set(x) for x in v] == check_embedded(s)


def mean_walk_length():
    """Expected symbols from n1 to exit (excluding B and E), solving E[n] = 1 + mean over edges of E[next]."""
    nodes = ["n1", "top", "bottom", "mid_top", "mid_bottom"]
    A, r = np.eye(5), np.ones(5)
    for i, n in enumerate(nodes):
        outs = [EDGES[(n, c)] for c in sorted(inner_nexts(n))]
        for nxt in outs:
            if nxt in nodes:
                A[i, nodes.index(nxt)] -= 1 / len(outs)
    return np.linalg.solve(A, r)[0]


def test_embedded_batch_targets_mask_and_baseline():
    N = 8000
    task = EmbeddedReber()
    b = task.sample(N, np.random.default_rng(1))
    lengths = np.array([len(s) for s in b.info["strings"]])
    assert np.array_equal(b.mask.sum(axis=1), lengths - 1)  # every symbol but the final E is an input
    assert b.x.shape == b.y.shape == (N, lengths.max() - 1, 7)
    for n in range(300):
        s = b.info["strings"][n]
        valid = check_embedded(s)
        L = len(s) - 1
        assert "".join(ORDER[i] for i in b.x[n, :L].argmax(-1)) == s[:-1]
        assert np.all(b.x[n, L:] == 0) and np.all(b.y[n, L:] == 0) and not b.mask[n, L:].any()
        for t in range(L):
            assert {ORDER[i] for i in np.nonzero(b.y[n, t])[0]} == valid[t]
        assert np.nonzero(b.info["long_term"][n])[0].tolist() == [L - 2]  # input: the inner E
    # mean length: B, branch, B, walk, E, branch, E
    assert mean_walk_length() + 6 == pytest.approx(12.0)
    assert lengths.mean() == pytest.approx(12.0, rel=0.02)
    # the predictor without long-term memory: right except 1/2 on T and P where the branch is due
    pred = b.y.copy()
    pred[b.info["long_term"]] = np.array([0, 0.5, 0.5, 0, 0, 0, 0])
    m = task.evaluate(pred, b)
    assert m["loss"] == pytest.approx(task.baseline, rel=0.03)
    assert task.baseline == pytest.approx(0.5 / (7 * 11))
    assert m["long_term_accuracy"] == 0.0 and m["success_rate"] == 0.0
    assert m["accuracy"] == pytest.approx(1 - N / b.mask.sum())
    assert task.evaluate(b.y, b)["solved"]


def test_scoring_is_the_papers_most_active_rule():
    b = EmbeddedReber().sample(1, np.random.default_rng(2))
    pred = b.y * 0.2 - 0.1  # valid at 0.1, invalid at -0.1: all steps right even below 0.5
    assert EmbeddedReber().evaluate(pred, b)["success_rate"] == 1.0
    pred[0, 0, ORDER.index("S")] = 0.15  # an invalid symbol beats a valid one at step 0
    m = EmbeddedReber().evaluate(pred, b)
    assert m["success_rate"] == 0.0 and m["accuracy"] == pytest.approx(1 - 1 / b.mask.sum())


def test_continual_stream():
    T, N = 300, 200
    task = ContinualReber(T=T)
    b = task.sample(N, np.random.default_rng(3))
    assert b.x.shape == b.y.shape == (N, T, 7) and b.mask.shape == (N, T) and b.mask.all()
    for n in range(N):
        s = b.info["strings"][n]
        assert len(s) == T and "".join(ORDER[i] for i in b.x[n].argmax(-1)) == s
        starts = np.nonzero(b.info["string_start"][n])[0].tolist() + [T]
        assert starts[0] == 0
        for a, z in zip(starts[:-1], starts[1:]):
            piece = s[a:z]
            if z < T:  # a whole string: accepted, and B follows its final E
                valid = check_embedded(piece)
                valid[-1] = {"B"}
                for t in range(len(piece)):
                    assert {ORDER[i] for i in np.nonzero(b.y[n, a + t])[0]} == valid[t]
    pred = b.y.copy()
    pred[b.info["long_term"]] = np.array([0, 0.5, 0.5, 0, 0, 0, 0])
    m = task.evaluate(pred, b)
    assert m["loss"] == pytest.approx(0.5 / (7 * 12), rel=0.05) and task.baseline == pytest.approx(0.5 / 84)
    first_error = [np.argmax(b.info["long_term"][n]) for n in range(N)]
    assert m["steps_to_error"] == pytest.approx(np.mean(first_error))
    assert task.evaluate(b.y, b)["steps_to_error"] == T


def test_seeded():
    a = ContinualReber(T=50).sample(3, np.random.default_rng(5))
    c = ContinualReber(T=50).sample(3, np.random.default_rng(5))
    assert np.array_equal(a.x, c.x) and np.array_equal(a.y, c.y)
    with pytest.raises(ValueError, match="batch_size"):
        EmbeddedReber().sample(0, np.random.default_rng(0))
