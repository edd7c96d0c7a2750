"""Chapter 11's and 12's figures: the data drawn are the data given, and every figure has alt text."""

import numpy as np
import pytest

from lstmlab.viz.ch11_gru import plot_norms_vs_lag, plot_seed_values
from lstmlab.viz.ch12_zoo import score_vs_lr, variant_boxes


def test_norms_vs_lag_draws_each_curve_against_the_lag():
    fig = plot_norms_vs_lag({"GRU": [0.1, 0.5, 1.0], "RNN": [1e-9, 1e-3, 1.0]})
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    np.testing.assert_array_equal(lines["GRU"].get_xdata(), [2, 1, 0])  # norms[k] is lag T - k
    np.testing.assert_array_equal(lines["RNN"].get_ydata(), [1e-9, 1e-3, 1.0])
    assert fig.axes[0].get_yscale() == "log" and "GRU, RNN" in fig.alt_text


def test_seed_values_draws_every_seed_and_the_median():
    fig = plot_seed_values({"a": [1.0, 3.0, 2.0], "b": [5.0]}, chance=4.0, goal=0.5)
    ax = fig.axes[0]
    dots = [line for line in ax.get_lines() if line.get_marker() == "o"]
    np.testing.assert_array_equal(dots[0].get_ydata(), [1.0, 3.0, 2.0])
    medians = [line for line in ax.get_lines() if line.get_marker() != "o" and len(line.get_xdata()) == 2]
    assert medians[0].get_ydata()[0] == 2.0
    assert "chance level" in fig.alt_text and "goal" in fig.alt_text


def test_variant_boxes_and_score_vs_lr():
    scores = {"task A": {"vanilla": [1.0, 2.0, 3.0], "nfg": [4.0, 5.0, 6.0]}, "task B": {"vanilla": [1, 1, 2]}}
    fig = variant_boxes(scores)
    assert len(fig.axes) == 2 and [t.get_text() for t in fig.axes[0].get_xticklabels()] == ["vanilla", "NFG"]
    assert "task A, task B" in fig.alt_text
    fig = score_vs_lr({"task A": [1e-3, 1e-2]}, {"task A": [2.0, 1.0]})
    np.testing.assert_array_equal(fig.axes[0].get_lines()[0].get_ydata(), [2.0, 1.0])
    assert fig.alt_text


@pytest.mark.parametrize(
    "call",
    [
        lambda: plot_norms_vs_lag({}),
        lambda: plot_seed_values([1, 2]),
        lambda: variant_boxes({"t": [1, 2]}),
        lambda: score_vs_lr({}, {}),
    ],
)
def test_bad_input_is_named(call):
    with pytest.raises(ValueError, match=r"(curves|results|scores): expected a non-empty mapping"):
        call()
