"""The checkers of chapter 11 accept a correct answer and name each typical mistake.

The correct GRU step backward is written here from the chapter's equations (PyTorch's convention),
with switches that make one mistake each; the Jacobian by central finite differences.
"""

import numpy as np
import pytest

from lstmlab.cells import gru_step_forward
from lstmlab.exercises import check_gru_jacobian, check_gru_step_backward


def step_backward(dh, cache, mistake=None):
    P = cache["params"]
    x, h_prev, r, z, n, m = (cache[k] for k in ("x", "h_prev", "r", "z", "n", "m"))
    H = h_prev.shape[1]
    if mistake == "swap_z":  # as if h = z * n + (1 - z) * h_prev
        dz, dn, direct = dh * (n - h_prev), dh * z, dh * (1 - z)
    else:
        dz, dn, direct = dh * (h_prev - n), dh * (1 - z), dh * z
    delta_z = dz * z * (1 - z)
    delta_n = dn * (1 - n**2)
    if mistake == "cho":
        d_rh = delta_n @ P["W_h"][:, 2 * H :].T
        delta_r = d_rh * h_prev * r * (1 - r)
        gates = np.hstack([delta_r, delta_z])
        dh_prev = direct + d_rh * r + gates @ P["W_h"][:, : 2 * H].T
        dW_h = np.hstack([h_prev.T @ gates, (r * h_prev).T @ delta_n])
        db_hn = np.zeros(H)
        da_x = np.hstack([gates, delta_n])
    else:
        delta_m = delta_n * r
        delta_r = np.zeros_like(r) if mistake == "no_reset_path" else delta_n * m * r * (1 - r)
        da_x = np.hstack([delta_r, delta_z, delta_n])
        da_h = np.hstack([delta_r, delta_z, delta_m])
        dh_prev = direct + da_h @ P["W_h"].T
        dW_h = h_prev.T @ da_h
        db_hn = delta_m.sum(0)
    grads = {"W_x": x.T @ da_x, "W_h": dW_h, "b": da_x.sum(0), "b_hn": db_hn}
    return da_x @ P["W_x"].T, dh_prev, grads


def test_a_correct_step_backward_passes():
    fb = check_gru_step_backward(step_backward)
    assert fb.passed, str(fb)


@pytest.mark.parametrize(
    "mistake, fragment",
    [
        ("swap_z", "z and 1 - z are swapped"),
        ("cho", "this is Cho et al.'s convention"),
        ("no_reset_path", "the path through the reset gate is missing"),
    ],
)
def test_each_step_mistake_is_named(mistake, fragment):
    fb = check_gru_step_backward(lambda dh, cache: step_backward(dh, cache, mistake))
    assert not fb.passed
    assert fragment in str(fb), str(fb)


def test_step_structure_mistakes():
    assert "returned None" in str(check_gru_step_backward(lambda dh, cache: None))
    fb = check_gru_step_backward(lambda dh, cache: step_backward(dh, cache)[:2])
    assert "expected to return a tuple (dx, dh_prev, grads)" in str(fb)
    fb = check_gru_step_backward(lambda dh, cache: (*step_backward(dh, cache)[:2], {"W_x": 0}))
    assert "grads: expected a dict with the keys" in str(fb)

    def mutating(dh, cache):
        out = step_backward(dh, cache)
        cache["z"] *= 0.0
        return out

    assert "modified its input z" in str(check_gru_step_backward(mutating))


def numerical_jacobian(x, h_prev, params, eps=1e-6):
    H = h_prev.size
    J = np.empty((H, H))
    for j in range(H):
        e = np.zeros(H)
        e[j] = eps
        up = gru_step_forward(x[None], (h_prev + e)[None], params)[0][0]
        down = gru_step_forward(x[None], (h_prev - e)[None], params)[0][0]
        J[:, j] = (up - down) / (2 * eps)
    return J


def test_a_correct_jacobian_passes():
    fb = check_gru_jacobian(numerical_jacobian)
    assert fb.passed, str(fb)


def test_jacobian_mistakes_are_named():
    def direct_only(x, h_prev, params):
        H = h_prev.size
        z = gru_step_forward(x[None], h_prev[None], params)[1][1][0]["z"][0]
        assert z.shape == (H,)
        return np.diag(z)

    assert "only the direct path diag(z)" in str(check_gru_jacobian(direct_only))
    fb = check_gru_jacobian(lambda x, h, p: numerical_jacobian(x, h, p).T)
    assert "transpose" in str(fb)
