"""lstmlab.sweep.fit_seeds: the same runs as one fit per seed, summarised."""

import numpy as np
import pytest

from lstmlab.model import Model
from lstmlab.sweep import fit_seeds
from lstmlab.tasks import get_task
from lstmlab.train import TrainConfig, fit

CFG = TrainConfig(steps=12, batch_size=4, eval_every=4, eval_batch_size=16, progress=False, lr=1e-2)


@pytest.mark.parametrize("cell", ["lstm", "rnn", "gru", "peephole"])
def test_fit_seeds_equals_one_fit_per_seed(cell):
    task = get_task("adding", T=6)
    runs = fit_seeds([3, 1, 4], task, CFG, cell=cell, hidden_size=5)
    assert runs.seeds == (3, 1, 4)
    for s, model, hist in zip(runs.seeds, runs.models, runs.histories):
        ref = Model(cell, input_size=2, hidden_size=5, output_size=1, seed=s)
        ref_hist = fit(ref, task, CFG.replace(seed=s))
        np.testing.assert_allclose(hist.loss, ref_hist.loss, rtol=1e-12, atol=0)
        np.testing.assert_allclose(hist.eval["loss"], ref_hist.eval["loss"], rtol=1e-12, atol=0)
        for k, v in ref.params.items():
            np.testing.assert_allclose(model.params[k], v, rtol=1e-11, atol=1e-13)


def test_summaries():
    task = get_task("adding", T=4)
    runs = fit_seeds([0, 1], task, CFG, cell="lstm", hidden_size=3)
    assert runs.final("loss").shape == (2,)
    assert runs.solved().dtype == bool
    assert runs.steps_to_solve().n == 2


@pytest.mark.parametrize(
    "seeds, err", [([], ValueError), ([1, 1], ValueError), ([-1], ValueError), (3, TypeError), ([1.5], ValueError)]
)
def test_bad_seeds(seeds, err):
    with pytest.raises(err, match="seeds"):
        fit_seeds(seeds, get_task("adding", T=4), CFG, hidden_size=3)


def test_seed_is_not_a_model_argument():
    with pytest.raises(TypeError, match="seed"):
        fit_seeds([0], get_task("adding", T=4), CFG, hidden_size=3, seed=2)
