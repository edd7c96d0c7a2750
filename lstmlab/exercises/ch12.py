"""Checkers for the coding exercises of chapter 12, *The variant zoo*.

* :func:`check_variance_explained` -- ``variance_explained(values, groups) -> float``, the share of
  the variance of ``values`` that the grouping explains (the between-group sum of squares over
  the total sum of squares, eta squared): the simplest form of Greff et al.'s question "how much
  of the variance does the learning rate explain?".
* :func:`check_clockwork_mask` -- ``clockwork_mask(H, periods) -> M`` (H, H), the mask of the
  Clockwork RNN's recurrent weights in the row-vector form ``h_prev @ (W_h * M)``.

The references are :func:`variance_explained_reference` (written from the definition) and
:func:`lstmlab.cells.clockwork.clockwork_mask` (tested against Koutník et al.'s update rule).
"""

from __future__ import annotations

import numpy as np

from ..cells.clockwork import clockwork_mask, module_of_unit
from .ch01 import compare, match_slip, returned
from .feedback import Feedback


def variance_explained_reference(values, groups, weighted=True, within=False):
    """Between-group sum of squares / total sum of squares; switches for the usual slips."""
    v = np.asarray(values, dtype=np.float64)
    g = np.asarray(groups)
    mean = v.mean()
    total = ((v - mean) ** 2).sum()
    between = 0.0
    for label in np.unique(g):
        sel = v[g == label]
        between += (len(sel) if weighted else 1.0) * (sel.mean() - mean) ** 2
    if within:
        return float(1.0 - between / total)
    return float(between / total)


def check_variance_explained(variance_explained) -> Feedback:
    """Check ``variance_explained(values, groups) -> float`` on hand-made data.

    ``values`` is a 1-D float array, ``groups`` a 1-D array of the same length (one label per
    value, any hashable labels). Expected: the between-group sum of squares
    ``sum_g n_g (mean_g - mean)^2`` over the total ``sum_k (v_k - mean)^2``.
    """
    fb = Feedback("Exercise: variance_explained")
    rng = np.random.default_rng(0)
    cases = [
        (np.array([1.0, 1.0, 3.0, 3.0]), np.array(["a", "a", "b", "b"])),  # all of it: 1
        (np.array([1.0, 3.0, 1.0, 3.0]), np.array([0, 0, 1, 1])),  # none of it: 0
        (rng.normal(size=12) + np.repeat([0.0, 2.0, 5.0], [2, 4, 6]), np.repeat([10, 20, 30], [2, 4, 6])),
    ]
    slips = {
        "weight each group's squared deviation by its size n_g (the groups here have unequal sizes)": dict(
            weighted=False
        ),
        "that is the share left *within* the groups (1 - eta^2); the share explained is between / total": dict(
            within=True
        ),
    }
    for case, (values, groups) in enumerate(cases):
        want = variance_explained_reference(values, groups)
        v_in, g_in = values.copy(), groups.copy()
        got = returned(fb, "variance_explained", variance_explained, v_in, g_in)
        if got is None:
            return fb
        try:
            got = np.float64(got)
        except (TypeError, ValueError):
            fb.expect(False, "", f"variance_explained: expected a number, got {type(got).__name__}")
            return fb
        table = {hint: variance_explained_reference(values, groups, **sw) for hint, sw in slips.items()}
        if not compare(fb, f"case {case + 1}", got, want, hint=match_slip(got, table)):
            return fb
        if not (np.array_equal(v_in, values) and np.array_equal(g_in, groups)):
            fb.expect(False, "", "variance_explained: your function modified its input")
            return fb
    return fb


def check_clockwork_mask(mask_fn) -> Feedback:
    """Check ``clockwork_mask(H, periods) -> M`` (H, H) for the row-vector form ``h_prev @ (W_h * M)``.

    Unit ``j`` of ``H`` belongs to module ``j * len(periods) // H``; ``M[i, j] = 1`` when unit i's
    module is at least as slow as unit j's (the source i feeds the target j), else 0.
    """
    fb = Feedback("Exercise: clockwork_mask")
    for case, (H, periods) in enumerate([(8, (1, 2, 4, 8)), (6, (1, 3, 9)), (5, (1, 2))]):
        want = clockwork_mask(H, periods)
        k = module_of_unit(H, len(periods))
        table = {
            "only the blocks on the diagonal: a module also reads every slower module": (
                k[:, None] == k[None, :]
            ).astype(float),
            "a module also reads its own units (its block on the diagonal)": (k[:, None] > k[None, :]).astype(float),
        }
        got = returned(fb, "clockwork_mask", mask_fn, H, periods)
        if got is None:
            return fb
        got = np.asarray(got, dtype=np.float64)
        hint = match_slip(got, table)
        if not hint and got.shape == want.shape and np.array_equal(got, want.T):
            hint = (
                "in h_prev @ W_h, row i of W_h is the source and column j the target; you let fast modules "
                "feed slow ones (the paper's column-vector matrix, not its transpose)"
            )
        if not compare(fb, f"M (case {case + 1}: H={H}, periods={periods})", got, want, hint=hint):
            return fb
    return fb


__all__ = ["check_clockwork_mask", "check_variance_explained", "variance_explained_reference"]
