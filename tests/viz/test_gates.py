"""Gate traces against the LSTM equations written here, and the gate plots."""

import numpy as np
import pytest

import lstmlab
from lstmlab.viz.gates import lstm_gate_trace, plot_gate_lines, plot_gates


def sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def reference_trace(params, x, H, forget=True):
    """The cell's equations (PyTorch gate order i, f, g, o), one step at a time."""
    h, c = np.zeros(H), np.zeros(H)
    gates = ("i", "f", "g", "o") if forget else ("i", "g", "o")
    out = {k: [] for k in ("i", "f", "g", "o", "c", "h")}
    for x_t in x:
        a = x_t @ params["W_x"] + h @ params["W_h"] + params["b"]
        z = {k: a[n * H : (n + 1) * H] for n, k in enumerate(gates)}
        i, g, o = sig(z["i"]), np.tanh(z["g"]), sig(z["o"])
        f = sig(z["f"]) if forget else np.ones(H)
        c = f * c + i * g
        h = o * np.tanh(c)
        for k, v in zip(("i", "f", "g", "o", "c", "h"), (i, f, g, o, c, h)):
            out[k].append(v)
    return {k: np.array(v) for k, v in out.items()}


@pytest.mark.parametrize("cell,forget", [("lstm", True), ("lstm1997", False)])
def test_trace_matches_the_equations(cell, forget):
    H, D, T = 3, 2, 6
    params = lstmlab.get_cell(cell).init_params(D, H, seed=4)
    x = np.random.default_rng(0).standard_normal((T, D))
    trace = lstm_gate_trace(params, x, cell)
    ref = reference_trace(params, x, H, forget)
    for k in ref:
        np.testing.assert_allclose(trace[k], ref[k], rtol=1e-12, atol=1e-14, err_msg=k)


def test_trace_errors():
    params = lstmlab.get_cell("lstm").init_params(2, 3)
    with pytest.raises(ValueError, match=r"x: expected shape \(\?, 2\), got \(4, 3\)"):
        lstm_gate_trace(params, np.zeros((4, 3)))
    with pytest.raises(ValueError, match="cell: expected an LSTM cell"):
        lstm_gate_trace(lstmlab.get_cell("gru").init_params(2, 3), np.zeros((4, 2)), "gru")
    with pytest.raises(ValueError, match=r"c0: expected shape \(3,\)"):
        lstm_gate_trace(params, np.zeros((4, 2)), c0=np.zeros(2))


def test_plots_have_alt_text_and_draw_the_trace():
    params = lstmlab.get_cell("lstm").init_params(2, 4, seed=1)
    x = np.random.default_rng(1).standard_normal((8, 2))
    fig = plot_gates(params, x, units=[0, 2])
    assert "forget gate" in fig.alt_text and len(fig.axes) >= 5
    trace = lstm_gate_trace(params, x)
    fig = plot_gate_lines(trace, x, unit=2)
    drawn = {line.get_label(): line.get_ydata() for ax in fig.axes for line in ax.get_lines()}
    np.testing.assert_array_equal(drawn["forget $f$"], trace["f"][:, 2])
    np.testing.assert_array_equal(drawn["cell $c$"], trace["c"][:, 2])
    with pytest.raises(ValueError, match=r"units: expected unit indices in \[0, 4\)"):
        plot_gates(params, x, units=[5])
    with pytest.raises(ValueError, match=r"unit: expected an int in \[0, 4\)"):
        plot_gate_lines(trace, unit=4)
