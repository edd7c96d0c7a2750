"""Part I's figure functions (chapters 1 to 4) draw what they are given, carry alt text, and reject bad input.

They only draw: the chapters compute the unit's error flow, the cliff and the echo state network in
their own cells. So these tests hand them arrays and check what is drawn against those arrays.
"""

import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from lstmlab.viz.ch01_elman import xor_error_plot
from lstmlab.viz.ch02_truncation import truncation_bias_plot
from lstmlab.viz.ch03_cliffs import plot_cliff, plot_esn_memory, plot_unit_error_flow
from lstmlab.viz.ch04_tasks import plot_loss_vs_lag


@pytest.fixture(autouse=True)
def _close():
    yield
    plt.close("all")


def test_xor_plot_draws_the_median_of_the_seeds():
    rng = np.random.default_rng(0)
    err = rng.uniform(0, 0.3, size=(5, 30))
    fig = xor_error_plot({"H = 8": err, "one run": err[0]}, steps=24)
    assert isinstance(fig, Figure) and "H = 8 (5 seeds)" in fig.alt_text and "one run (1 seed)" in fig.alt_text
    line = fig.axes[0].get_lines()[0]
    np.testing.assert_allclose(line.get_ydata(), np.median(err, axis=0)[:24])
    with pytest.raises(ValueError, match="errors"):
        xor_error_plot({})


def test_unit_error_flow_draws_one_line_per_weight():
    flows = {1.0: 0.25 ** np.arange(11), 4.0: np.ones(11)}
    fig = plot_unit_error_flow(flows)
    ys = [line.get_ydata() for line in fig.axes[0].get_lines()[:2]]
    np.testing.assert_array_equal(ys[0], flows[1.0])
    assert "q from 0 to 10" in fig.alt_text and "(1, 4)" in fig.alt_text
    with pytest.raises(ValueError, match="flows"):
        plot_unit_error_flow([])


def test_cliff_plot_draws_the_given_surface_and_paths():
    W, B = np.meshgrid(np.linspace(0, 1, 5), np.linspace(-1, 1, 4))
    path = np.array([[0.2, 0.0], [0.4, 0.5]])
    fig = plot_cliff(W, B, W**2 + B**2, {"plain": path}, T=7)
    assert "T = 7" in fig.axes[0].get_title() and "plain" in fig.alt_text
    np.testing.assert_array_equal(fig.axes[0].get_lines()[0].get_xdata(), path[:, 0])
    with pytest.raises(ValueError, match="loss"):
        plot_cliff(W, B, np.zeros((2, 2)), {"plain": path})
    with pytest.raises(ValueError, match="paths"):
        plot_cliff(W, B, W, {"plain": np.zeros((3, 3))})
    with pytest.raises(TypeError, match="paths"):
        plot_cliff(W, B, W, [path])


def test_esn_plot_says_where_each_curve_drops_below_one_half():
    d = np.arange(1, 6)
    fig = plot_esn_memory(d, {0.5: np.array([1, 0.9, 0.4, 0.1, 0]), 0.9: np.ones(5)})
    assert "rho 0.5: below 0.5 from d = 3" in fig.alt_text
    assert "rho 0.9: above 0.5 throughout" in fig.alt_text
    with pytest.raises(ValueError, match=r"curves\[0.5\]"):
        plot_esn_memory(d, {0.5: np.ones(4)})


def test_loss_vs_lag_draws_every_seed_and_marks_divergence():
    lags = (10, 20, 40)
    runs = np.array([[0.01, 0.02, 0.03], [0.1, 0.2, np.nan], [0.16, 0.17, 0.18]])
    fig = plot_loss_vs_lag(lags, {"rnn": runs}, baseline=1 / 6, goal=0.01)
    lines = fig.axes[0].get_lines()
    dots = np.concatenate([ln.get_ydata() for ln in lines if ln.get_marker() == "o"])
    assert sorted(dots) == sorted(runs[np.isfinite(runs)])
    medians = [ln for ln in lines if "median" in str(ln.get_label())][0]
    np.testing.assert_allclose(medians.get_ydata(), [0.02, 0.15, 0.17])
    assert "rnn: 1" in fig.alt_text and "3 seeds" in fig.alt_text
    with pytest.raises(ValueError, match="losses"):
        plot_loss_vs_lag(lags, {"rnn": runs[:2]}, baseline=0.1)


def test_truncation_plot_has_alt_text():
    fig = truncation_bias_plot([1, 2, 5], {"lag 1": [0.5, 0.9, 1.0]}, lags={"lag 1": 1})
    assert isinstance(fig, Figure) and fig.alt_text
