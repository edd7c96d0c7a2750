"""Tests for lstmlab/viz/applications.py: every figure draws, carries alt text that states its data,
and rejects malformed input with a named error."""

import numpy as np
import pytest

from lstmlab.viz.applications import (
    accuracy_vs_length,
    attention_map,
    confusion_plot,
    forecast_plot,
    horizon_errors,
    seed_curves,
    unit_trace,
)


def test_each_figure_has_alt_text_with_its_numbers():
    x = np.arange(1, 11)
    fig = seed_curves({"LSTM": [(x, 3.0 / x), (x, 2.0 / x)]}, baselines={"bigram": 0.5})
    assert "2 seeds" in fig.alt_text and "bigram at 0.5" in fig.alt_text
    fig = horizon_errors({"AR": (np.arange(1, 4), np.array([1.0, 2.0, 3.0]))})
    assert "AR from 1 to 3" in fig.alt_text
    cm = np.diag([5, 4, 3])
    cm[2, 0] = 2
    assert "true 2 read as 0 (2 times)" in confusion_plot(cm).alt_text
    fig = accuracy_vs_length({"att": ((5, 10), np.array([[1.0, 0.9], [1.0, 0.7]]))})
    assert "0.80 at L=10" in fig.alt_text
    assert "100%" in attention_map(np.eye(4), [1, 2, 3, 0], [1, 2, 3, 0]).alt_text
    t = np.arange(10.0)
    assert "1 to 10" not in forecast_plot(t, t, {"naive": (t[5:], t[5:])}, split_at=4.5).alt_text
    assert "12 characters" in unit_trace("hello world!", np.linspace(-1, 1, 12)).alt_text


def test_bad_input():
    with pytest.raises(ValueError, match="groups"):
        seed_curves({})
    with pytest.raises(ValueError, match="activation"):
        unit_trace("abc", np.zeros(2))
    with pytest.raises(ValueError, match="actual"):
        forecast_plot(np.arange(3.0), np.arange(4.0), {})
    with pytest.raises(ValueError, match="alpha"):
        attention_map(np.zeros(3), [0], [0])
