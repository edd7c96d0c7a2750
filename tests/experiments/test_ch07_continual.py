"""Chapter 7's stream experiment: the state is carried across windows, and run_stream matches the model."""

import numpy as np
import pytest

from lstmlab.experiments.ch07_continual import run_stream, train_on_stream
from lstmlab.model import Model
from lstmlab.tasks import get_task


def test_run_stream_matches_the_model_forward():
    model = Model("lstm", 7, 5, 7, readout="all", seed=0)
    x = get_task("continual_reber", T=30).sample(3, np.random.default_rng(0)).x
    y_pred, c = run_stream(model, x)
    y_ref, cache = model.forward(x)
    np.testing.assert_allclose(y_pred, y_ref, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(c[:, -1], cache["final"]["c"][0], rtol=1e-12, atol=1e-12)
    assert c.shape == (3, 30, 5)


def test_train_on_stream_carries_the_state_and_is_seeded():
    model, losses = train_on_stream("lstm1997", hidden_size=4, streams=2, window=5, updates=6, seed=1)
    _, again = train_on_stream("lstm1997", hidden_size=4, streams=2, window=5, updates=6, seed=1)
    assert losses.shape == (6,) and np.all(np.isfinite(losses))
    np.testing.assert_array_equal(losses, again)
    assert model.cell == "lstm1997"


def test_the_1997_cell_drifts_and_the_forget_gate_does_not():
    x = get_task("continual_reber", T=400).sample(2, np.random.default_rng(3)).x
    sizes = {
        name: np.abs(run_stream(Model(name, 7, 6, 7, readout="all", seed=0), x)[1]) for name in ("lstm1997", "lstm")
    }
    assert sizes["lstm1997"][:, -50:].mean() > 3 * sizes["lstm1997"][:, 50:100].mean()
    assert sizes["lstm"].max() < 1 / (1 - 0.99)


def test_bad_calls():
    with pytest.raises(ValueError, match="one-layer"):
        run_stream(Model("lstm", 7, 3, 7, num_layers=2, readout="all"), np.zeros((1, 2, 7)))
    with pytest.raises(ValueError, match="LSTM cell"):
        run_stream(Model("gru", 7, 3, 7, readout="all"), np.zeros((1, 2, 7)))
    with pytest.raises(ValueError, match="window"):
        train_on_stream(window=0)


def test_train_on_stream_takes_either_a_forget_bias_or_the_chrono_rule():
    with pytest.raises(ValueError, match="chrono"):
        train_on_stream("lstm", hidden_size=4, streams=2, window=5, updates=1, forget_bias=1.0, chrono=10)
    model, _ = train_on_stream("lstm", hidden_size=4, streams=2, window=5, updates=1, lr=1e-12, chrono=10)
    b_f = model.params["l0.b"][4:8]
    assert np.all(b_f > -1e-6) and np.all(b_f < np.log(9) + 1e-6)
