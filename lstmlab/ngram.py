"""A smoothed character n-gram model (interpolated Witten-Bell), the baseline a language model must beat.

An n-gram model predicts a character from the ``n - 1`` before it by counting. Counts alone give
probability 0 to anything unseen, so the estimate for a context ``h`` of length ``m`` is mixed
with the estimate for its shorter context ``h'`` (``h`` without its oldest character), down to
the uniform distribution over the V characters (Witten & Bell 1991; Chen & Goodman 1999):

.. math::

    p_m(c \\mid h) = \\frac{\\#(h c) + u(h)\\, p_{m-1}(c \\mid h')}{\\#(h) + u(h)},
    \\qquad p_{-1}(c) = \\frac{1}{V},

where ``#(h c)`` counts ``h`` followed by ``c`` in the training text, ``#(h)`` counts ``h``
followed by anything, and ``u(h)`` is the number of distinct characters seen after ``h``. A
context seen with many different followers trusts its shorter context more. A context never
seen (``#(h) = 0``) falls back to ``p_{m-1}`` entirely. Every ``p_m(. | h)`` sums to 1.

Contexts are packed into integers (base V), and counts are looked up with ``searchsorted``,
so fitting and scoring are a few sorted-array operations per order.
"""

from __future__ import annotations

import numpy as np

from .checks import check_positive_int, describe


def _ids(name, ids, V):
    a = np.asarray(ids)
    if a.ndim != 1 or a.size < 2 or a.dtype.kind not in "iu":
        raise ValueError(f"{name}: expected a 1-D integer array of at least 2 ids, got {describe(ids)}")
    if a.min() < 0 or a.max() >= V:
        raise ValueError(f"{name}: expected ids in [0, {V}), got values from {a.min()} to {a.max()}")
    return a.astype(np.int64)


def _keys(ids, m: int, V: int):
    """For every position t >= m: the context ids[t-m:t] packed base V, and that key * V + ids[t]."""
    ctx = np.zeros(ids.size - m, dtype=np.int64)
    for j in range(m):
        ctx = ctx * V + ids[j : ids.size - m + j]
    return ctx, ctx * V + ids[m:]


def _lookup(table_keys, table_counts, keys):
    """Counts of ``keys`` in a sorted table (0 where absent)."""
    if table_keys.size == 0:
        return np.zeros(keys.shape)
    pos = np.minimum(np.searchsorted(table_keys, keys), table_keys.size - 1)
    return np.where(table_keys[pos] == keys, table_counts[pos], 0).astype(np.float64)


class NGramLM:
    """Interpolated Witten-Bell n-gram model of order ``n`` (context of ``n - 1`` characters) over V ids.

    >>> lm = NGramLM(n=3, V=4).fit([0, 1, 2, 0, 1, 2, 0, 1, 3])
    >>> bool(abs(lm.probs([0, 1]).sum() - 1.0) < 1e-12)
    True
    """

    def __init__(self, n: int, V: int):
        self.n = check_positive_int("n", n)
        self.V = check_positive_int("V", V)
        if self.V ** max(self.n - 1, 1) >= 2**62:
            raise ValueError(f"n: expected V**(n-1) < 2**62 so that contexts fit in int64, got n={n}, V={V}")
        self.tables = None

    def fit(self, ids) -> NGramLM:
        """Count every context of length 0 .. n-1 and its followers in the training ids."""
        ids = _ids("ids", ids, self.V)
        self.tables = []
        for m in range(self.n):
            ctx, full = _keys(ids, m, self.V)
            fk, fc = np.unique(full, return_counts=True)
            hk, hc = np.unique(ctx, return_counts=True)
            uk, uc = np.unique(fk // self.V, return_counts=True)  # distinct followers per context
            self.tables.append((fk, fc, hk, hc, uk, uc))
        return self

    def _p(self, ids) -> np.ndarray:
        """p(ids[t] | ids[:t]) for every t >= 1, using a context of min(t, n-1) characters."""
        if self.tables is None:
            raise ValueError("NGramLM: call fit(train_ids) first")
        p = np.full(ids.size, 1.0 / self.V)
        for m, (fk, fc, hk, hc, uk, uc) in enumerate(self.tables):
            if m >= ids.size:
                break
            ctx, full = _keys(ids, m, self.V)
            n_h, u_h, n_hc = _lookup(hk, hc, ctx), _lookup(uk, uc, ctx), _lookup(fk, fc, full)
            lower = p[m:]
            seen = n_h > 0
            p[m:] = np.where(seen, (n_hc + u_h * lower) / np.where(seen, n_h + u_h, 1.0), lower)
        return p[1:]

    def nats(self, ids) -> float:
        """Cross-entropy in nats per character on ``ids`` (every character after the first is scored)."""
        return float(-np.log(self._p(_ids("ids", ids, self.V))).mean())

    def probs(self, context) -> np.ndarray:
        """The distribution (V,) of the next character after ``context`` (a 1-D sequence of at least 1 id)."""
        ctx = np.asarray(context)
        if ctx.ndim != 1 or ctx.size < 1:
            raise ValueError(f"context: expected a 1-D sequence of at least one id, got {describe(context)}")
        return np.array([self._p(_ids("context", np.append(ctx, c), self.V))[-1] for c in range(self.V)])
