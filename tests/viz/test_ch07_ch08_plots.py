"""Chapter 7's and 8's plots draw headless, carry alt text, and reject bad input."""

import numpy as np
import pytest
from matplotlib.figure import Figure

from lstmlab.viz.ch07_forget import cell_state_plot, loss_curves_plot
from lstmlab.viz.ch08_timing import spike_plot


def test_plots_return_figures_with_alt_text():
    fig = cell_state_plot({"lstm": np.full(10, 0.5), "lstm1997": np.arange(1.0, 11.0)})
    assert isinstance(fig, Figure) and "lstm1997" in fig.alt_text
    fig = loss_curves_plot({"a": np.linspace(1, 0.1, 40)}, baseline=0.2, smooth=5)
    assert "baseline" in fig.alt_text
    x, target = np.zeros(30), np.zeros(30)
    x[2], target[[10, 18, 26]] = 1.0, 1.0
    fig = spike_plot(x, target, {"model": np.zeros(30)})
    assert "every 8 steps" in fig.alt_text


def test_plots_reject_bad_input():
    with pytest.raises(ValueError, match="norms"):
        cell_state_plot({})
    with pytest.raises(ValueError, match="curves"):
        loss_curves_plot([])
    with pytest.raises(ValueError, match="target"):
        spike_plot(np.zeros(5), np.zeros(4), {"m": np.zeros(5)})
