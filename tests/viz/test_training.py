"""Training curves and success-vs-lag plots: the data drawn are the data given."""

import numpy as np
import pytest

from lstmlab.train import History
from lstmlab.viz.training import success_vs_lag, training_curves


def test_training_curves_of_several_runs_with_chance():
    runs = {"RNN": {"loss": [1.0, 0.8, 0.6]}, "LSTM": {"loss": np.array([1.0, 0.5, 0.1]), "step": [10, 20, 30]}}
    fig = training_curves(runs, chance=0.167, log=True)
    ax = fig.axes[0]
    lines = {line.get_label(): line for line in ax.get_lines()}
    np.testing.assert_array_equal(lines["LSTM"].get_xdata(), [10, 20, 30])
    np.testing.assert_array_equal(lines["RNN"].get_ydata(), [1.0, 0.8, 0.6])
    assert lines["chance (0.167)"].get_ydata()[0] == 0.167
    assert ax.get_yscale() == "log"
    assert "chance level 0.167" in fig.alt_text and "LSTM ends at 0.1" in fig.alt_text


def test_training_curves_of_a_history_and_smoothing():
    h = History()
    for step, loss in enumerate([4.0, 2.0, 0.0, 2.0], start=1):
        h.record_step(step, loss, 1.0, 0.1, 0.0)
    fig = training_curves(h, smooth=2)
    np.testing.assert_allclose(fig.axes[0].get_lines()[0].get_ydata(), [3.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="smooth: expected an int >= 1"):
        training_curves(h, smooth=0)
    with pytest.raises(ValueError, match="histories: expected every run to have 'acc'"):
        training_curves(h, key="acc")


def test_success_vs_lag():
    results = {"RNN": {100: 0.05, 20: 0.01}, "LSTM": ([20, 100], [0.001, 0.004])}
    fig = success_vs_lag(results, chance=0.167, threshold=0.04)
    lines = {line.get_label(): line for line in fig.axes[0].get_lines()}
    np.testing.assert_array_equal(lines["RNN"].get_xdata(), [20, 100])  # sorted by lag
    np.testing.assert_array_equal(lines["RNN"].get_ydata(), [0.01, 0.05])
    assert "T=100: 0.05" in fig.alt_text
    fig = success_vs_lag({"LSTM": {20: 1.0}}, chance={20: 0.7, 50: 0.3})
    np.testing.assert_array_equal(fig.axes[0].get_lines()[1].get_ydata(), [0.7, 0.3])
    with pytest.raises(ValueError, match="results: expected a non-empty mapping"):
        success_vs_lag({})
    with pytest.raises(ValueError, match=r"results\['x'\]: expected as many lags as values"):
        success_vs_lag({"x": ([1, 2], [1.0])})


def test_seed_curves_draws_one_line_per_seed_and_a_median_per_setting():
    from lstmlab.viz import seed_curves

    runs = {
        "a": [{"step": [1, 2, 3], "loss": [3.0, 2.0, 1.0]}, {"step": [1, 2], "loss": [5.0, 4.0]}],
        "b": [{"step": [1, 2, 3], "loss": [1.0, 1.0, 1.0]}],
    }
    fig = seed_curves(runs, chance=2.0)
    lines = fig.axes[0].get_lines()
    assert len(lines) == 3 + 2 + 1  # three seeds, two medians, the chance line
    median_a = next(line for line in lines if line.get_label() == "a (median of 2)")
    assert list(median_a.get_ydata()) == [4.0, 3.0]  # over the steps both seeds reached
    assert "a: 2 seeds, ending between 1 and 4" in fig.alt_text


def test_seed_curves_rejects_an_empty_group():
    import pytest

    from lstmlab.viz import seed_curves

    with pytest.raises(ValueError, match="groups"):
        seed_curves({})
    with pytest.raises(ValueError, match=r"groups\['a'\]"):
        seed_curves({"a": []})


def test_success_vs_lag_draws_the_spread_as_a_band():
    fig = success_vs_lag({"LSTM": {25: 0.001, 100: 0.01}}, spread={"LSTM": {25: (0.0005, 0.002), 100: (0.005, 0.03)}})
    ax = fig.axes[0]
    assert len(ax.collections) == 1  # the band
    assert "0.0005 to 0.002" in fig.alt_text
    with pytest.raises(ValueError, match="spread"):
        success_vs_lag({"LSTM": {25: 0.001, 100: 0.01}}, spread={"LSTM": {25: (1, 2, 3), 100: (1, 2, 3)}})
