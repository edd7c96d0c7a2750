"""The checkers of chapter 12 accept a correct answer and name each typical mistake."""

import numpy as np

from lstmlab.exercises import check_clockwork_mask, check_variance_explained


def eta_squared(values, groups):
    """Written from the definition: 1 - (within-group sum of squares) / (total sum of squares)."""
    values = np.asarray(values, float)
    within = sum(((values[groups == g] - values[groups == g].mean()) ** 2).sum() for g in set(groups.tolist()))
    return 1.0 - within / ((values - values.mean()) ** 2).sum()


def test_variance_explained():
    assert check_variance_explained(eta_squared).passed
    fb = check_variance_explained(lambda v, g: 1.0 - eta_squared(v, g))
    assert not fb.passed and "within" in str(fb)

    def unweighted(v, g):
        means = [v[g == k].mean() for k in np.unique(g)]
        return sum((m - v.mean()) ** 2 for m in means) / ((v - v.mean()) ** 2).sum()

    fb = check_variance_explained(unweighted)
    assert not fb.passed and "weight each group" in str(fb), str(fb)
    assert "returned None" in str(check_variance_explained(lambda v, g: None))

    def mutating(v, g):
        out = eta_squared(v, g)
        v[:] = 0
        return out

    assert "modified its input" in str(check_variance_explained(mutating))


def koutnik_mask(H, periods):
    """From the paper: W_H (column form) is block upper triangular; ours is its transpose."""
    k = np.arange(H) * len(periods) // H
    U = np.array([[1.0 if k[j] >= k[i] else 0.0 for j in range(H)] for i in range(H)])  # U[target, source]
    return U.T


def test_clockwork_mask():
    assert check_clockwork_mask(koutnik_mask).passed
    fb = check_clockwork_mask(lambda H, p: koutnik_mask(H, p).T)
    assert not fb.passed and "fast modules" in str(fb), str(fb)

    def diagonal(H, p):
        k = np.arange(H) * len(p) // H
        return (k[:, None] == k[None, :]).astype(float)

    assert "only the blocks on the diagonal" in str(check_clockwork_mask(diagonal))
