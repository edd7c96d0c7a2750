"""train_seeds is fit_seeds with an initialisation hook; chrono_init draws the forget biases it promises."""

import numpy as np
import pytest

from lstmlab.cells import get_cell
from lstmlab.experiments.ch10_long_lags import train_seeds
from lstmlab.init import chrono_init
from lstmlab.sweep import fit_seeds
from lstmlab.tasks import get_task
from lstmlab.train import TrainConfig

CONFIG = TrainConfig(steps=3, batch_size=4, lr=1e-2, eval_every=None, progress=False)


def test_without_an_init_it_is_fit_seeds():
    task = get_task("adding", T=6)
    ours = train_seeds([0, 3], task, CONFIG, "lstm", 4)
    ref = fit_seeds([0, 3], task, CONFIG, cell="lstm", hidden_size=4)
    for a, b in zip(ours.histories, ref.histories):
        np.testing.assert_allclose(a.loss, b.loss, rtol=1e-12)  # fit_seeds' joint pass: equal to rounding


def test_chrono_draws_log_uniform_forget_biases_and_matching_input_biases():
    H, L = 64, 100
    params = get_cell("lstm").init_params(2, H, seed=0)
    before = params["b"].copy()
    chrono_init(params, "lstm", L, seed=1)
    b_i, b_f = params["b"][:H], params["b"][H : 2 * H]
    assert np.all(b_f >= 0) and np.all(b_f <= np.log(L - 1))
    np.testing.assert_array_equal(b_i, -b_f)
    np.testing.assert_array_equal(params["b"][2 * H :], before[2 * H :])  # g and o untouched
    u = np.exp(b_f)  # uniform on [1, L-1]: its mean is about L/2
    assert abs(u.mean() - L / 2) < 15
    only_f = get_cell("lstm").init_params(2, H, seed=0)
    chrono_init(only_f, "lstm", L, seed=1, input_gate=False)
    np.testing.assert_array_equal(only_f["b"][:H], before[:H])
    np.testing.assert_array_equal(only_f["b"][H : 2 * H], b_f)


def test_chrono_init_rejects_bad_lags_by_name():
    params = get_cell("lstm").init_params(2, 4, seed=0)
    with pytest.raises(TypeError, match="max_lag"):
        chrono_init(params, "lstm", 10.0)
    with pytest.raises(ValueError, match="max_lag"):
        chrono_init(params, "lstm", 2)
    with pytest.raises(ValueError, match="forget|blocks"):
        chrono_init(get_cell("lstm1997").init_params(2, 4, seed=0), "lstm1997", 10)


def test_train_seeds_applies_its_inits():
    task = get_task("adding", T=6)
    chrono = train_seeds([0], task, CONFIG.replace(lr=1e-9), "lstm", 4, init=("chrono-f", 20))
    b_f = chrono.models[0].params["l0.b"][4:8]
    assert np.all(b_f > -1e-3) and np.all(b_f < np.log(19) + 1e-3)
    orth = train_seeds([0], task, CONFIG.replace(lr=1e-9), "rnn", 5, init="orthogonal")
    W = orth.models[0].params["l0.W_h"]
    np.testing.assert_allclose(W @ W.T, np.eye(5), atol=1e-5)
    with pytest.raises(ValueError, match="init"):
        train_seeds([0], task, CONFIG, "lstm", 4, init="chrono")
    with pytest.raises(TypeError, match="config"):
        train_seeds([0], task, {"steps": 3}, "lstm", 4)
