"""lstmlab.sweep.fit_seeds: the same runs as one fit per seed, summarised."""

import numpy as np
import pytest

from lstmlab.model import Model
from lstmlab.sweep import fit_seeds
from lstmlab.tasks import get_task
from lstmlab.train import TrainConfig, TrainingDiverged, fit

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


JOINT = ["lstm", "lstm1997", "peephole", "cifg", "fgr", "noaf", "rnn", "rnn_relu", "gru", "gru_cho"]


def _compare(runs, cell, task, cfg, **model_kwargs):
    for s, model, hist, err in zip(runs.seeds, runs.models, runs.histories, runs.diverged):
        ref = Model(
            cell,
            input_size=task.input_size,
            hidden_size=5,
            output_size=task.output_size,
            readout=task.readout,
            seed=s,
            **model_kwargs,
        )
        try:
            ref_hist = fit(ref, task, cfg.replace(seed=s))
            assert err is None
        except TrainingDiverged as e:
            ref_hist = e.history
            assert err is not None and err.step == e.step
        assert ref_hist.stop_reason == hist.stop_reason and ref_hist.solved_at == hist.solved_at
        assert ref_hist.step == hist.step and ref_hist.eval_step == hist.eval_step
        np.testing.assert_allclose(hist.loss, ref_hist.loss, rtol=1e-10, atol=1e-14)
        np.testing.assert_allclose(hist.grad_norm, ref_hist.grad_norm, rtol=1e-10, atol=1e-14)
        for k, v in ref_hist.eval.items():
            np.testing.assert_allclose(hist.eval[k], v, rtol=1e-10, atol=1e-14, err_msg=k)
        for k, v in ref.params.items():
            np.testing.assert_allclose(model.params[k], v, rtol=1e-10, atol=1e-12, err_msg=k)


@pytest.mark.parametrize("cell", JOINT)
@pytest.mark.parametrize(
    "task_name, kwargs",
    [("adding", {"T": 6}), ("temporal_order", {}), ("reber", {}), ("copy", {"T": 4})],
)
def test_the_joint_pass_equals_one_fit_per_seed(cell, task_name, kwargs):
    task = get_task(task_name, **kwargs)
    cfg = CFG.replace(steps=15, clip_norm=0.5)
    runs = fit_seeds([2, 0, 7], task, cfg, cell=cell, hidden_size=5, together=True)
    _compare(runs, cell, task, cfg)


def test_the_joint_pass_with_schedules_truncation_and_early_stops():
    task = get_task("adding", T=5)
    cfg = CFG.replace(
        steps=40,
        lr=0.05,
        schedule="step",
        step_size=7,
        gamma=0.5,
        truncate=2,
        eval_every=2,
        optimizer="rmsprop",
        momentum=0.5,
    )
    runs = fit_seeds([0, 1, 2, 3], task, cfg, cell="lstm", hidden_size=5, forget_bias=1.0, together=True)
    _compare(runs, "lstm", task, cfg, forget_bias=1.0)


def test_a_replica_that_diverges_leaves_and_the_others_go_on():
    task = get_task("adding", T=5)
    cfg = CFG.replace(steps=30, lr=50.0, optimizer="sgd", divergence_factor=2.0)
    runs = fit_seeds([0, 1, 2, 3, 4], task, cfg, cell="rnn", hidden_size=5, together=True)
    assert any(e is not None for e in runs.diverged)
    _compare(runs, "rnn", task, cfg)


def test_together_says_why_it_cannot_serve():
    with pytest.raises(ValueError, match="together: .*JOINT_MAX_WIDTH"):
        fit_seeds([0, 1], get_task("adding", T=4), CFG, cell="gru", hidden_size=30, together=True)
    with pytest.raises(TypeError, match="together"):
        fit_seeds([0], get_task("adding", T=4), CFG, hidden_size=3, together="yes")


def test_the_joint_pass_serves_stacked_and_bidirectional_models():
    task = get_task("adding", T=5)
    cfg = CFG.replace(steps=8)
    for kw in ({"num_layers": 2}, {"bidirectional": True}, {"num_layers": 2, "bidirectional": True}):
        runs = fit_seeds([0, 1, 2], task, cfg, cell="lstm", hidden_size=5, together=True, **kw)
        _compare(runs, "lstm", task, cfg, **kw)


def test_every_cell_the_joint_pass_serves_is_unit_wise():
    """A cell the joint pass serves must give each replica its own numbers: checked for every one."""
    from lstmlab.sweep import JOINT_CELLS

    task = get_task("adding", T=4)
    cfg = CFG.replace(steps=3, eval_every=3)
    for cell in JOINT_CELLS:
        runs = fit_seeds([0, 1], task, cfg, cell=cell, hidden_size=5, together=True)
        _compare(runs, cell, task, cfg)


@pytest.mark.parametrize("together", [True, False])
@pytest.mark.parametrize("where", ["sample", "update"])
def test_an_interrupt_stops_the_sweep_with_every_model_at_a_completed_step(together, where, monkeypatch, capsys):
    """Kernel > Interrupt in the middle of a step: one line, and the runs as they were after the last whole step."""
    from lstmlab import optim
    from lstmlab.tasks.adding import AddingProblem

    task = get_task("adding", T=5)
    cfg = CFG.replace(steps=20, eval_every=4)
    stop_at = 7  # interrupt during step 7
    calls = {"n": 0}
    if where == "sample":
        real = AddingProblem.sample

        def sample(self, n, rng, dtype=np.float64):
            if n == cfg.batch_size:
                calls["n"] += 1
                if calls["n"] == (stop_at - 1) * (3 if together else 1) + 2:
                    raise KeyboardInterrupt
            return real(self, n, rng, dtype=dtype)

        monkeypatch.setattr(AddingProblem, "sample", sample)
    else:
        real = optim.Adam._update

        def update(self, key, p, g):
            if self.t == stop_at and key.endswith("W_h"):
                raise KeyboardInterrupt
            return real(self, key, p, g)

        monkeypatch.setattr(optim.Adam, "_update", update)
    runs = fit_seeds([0, 1, 2], task, cfg, cell="lstm", hidden_size=4, together=together)
    assert capsys.readouterr().out.count("Sweep interrupted") == 1
    monkeypatch.undo()
    for model, hist in zip(runs.models, runs.histories):
        assert hist.stop_reason == "interrupted"
        done = hist.step[-1] if hist.step else 0
        ref = Model("lstm", input_size=2, hidden_size=4, output_size=1, seed=model.seed)
        ref_hist = fit(ref, task, cfg.replace(seed=model.seed, steps=max(done, 1))) if done else None
        if ref_hist is None:
            continue
        np.testing.assert_allclose(hist.loss, ref_hist.loss, rtol=1e-10)
        for k, v in ref.params.items():
            np.testing.assert_allclose(model.params[k], v, rtol=1e-10, atol=1e-12, err_msg=k)
