"""Tests of lstmlab.train: determinism, exact resume, divergence, progress bar, callbacks, config checks, learning."""

import time

import numpy as np
import pytest

from lstmlab.backend import gpu_available
from lstmlab.checkpoint import load_checkpoint
from lstmlab.model import Model
from lstmlab.tasks import AddingProblem, get_task
from lstmlab.train import Callback, History, TrainConfig, Trainer, TrainingDiverged, fit

QUIET = dict(progress=False)


def _adding_model(seed=0, H=8, cell="lstm"):
    return Model(cell, input_size=2, hidden_size=H, output_size=1, seed=seed)


def _same_numbers(a: History, b: History):
    """Everything but the wall-clock seconds, compared exactly."""
    assert a.step == b.step
    assert a.loss == b.loss
    assert a.grad_norm == b.grad_norm
    assert a.lr == b.lr
    assert a.eval_step == b.eval_step
    assert a.eval.keys() == b.eval.keys()
    for k in a.eval:
        np.testing.assert_array_equal(a.eval[k], b.eval[k])


def _arrays(n=40, T=6, seed=0):
    """A small classification set: is the sum of the first feature over the sequence positive?"""
    rng = np.random.default_rng(seed)
    x = rng.normal(size=(n, T, 2))
    y = (x[:, :, 0].sum(axis=1) > 0).astype(np.int64)
    return x, y


# ----------------------------------------------------------------------------------------------- determinism


def test_same_seed_same_history_and_params():
    task = get_task("adding", T=10)
    cfg = TrainConfig(steps=12, batch_size=4, eval_every=5, eval_batch_size=16, **QUIET)
    m1, m2 = _adding_model(), _adding_model()
    h1, h2 = fit(m1, task, cfg), fit(m2, task, cfg)
    _same_numbers(h1, h2)
    assert len(h1) == 12 and h1.eval_step == [5, 10, 12] and h1.stop_reason == "steps"
    for k in m1.params:
        np.testing.assert_array_equal(m1.params[k], m2.params[k])
    h3 = fit(_adding_model(), task, cfg.replace(seed=1))
    assert h3.loss != h1.loss  # another seed draws other batches


def test_history_records_and_exports():
    task = get_task("adding", T=10)
    h = fit(_adding_model(), task, TrainConfig(steps=6, batch_size=4, eval_every=3, lr=0.01, **QUIET))
    assert h.step == [1, 2, 3, 4, 5, 6]
    assert all(isinstance(v, float) for v in h.loss + h.grad_norm + h.lr + h.seconds)
    assert h.lr == [0.01] * 6
    assert all(b >= a for a, b in zip(h.seconds, h.seconds[1:]))
    assert h.sequences == 24
    d = h.to_dict()
    assert d["loss"].shape == (6,) and d["eval_step"].tolist() == [3, 6]
    assert {"eval_loss", "eval_success_rate", "eval_solved"} <= set(d)
    back = History.from_dict(d, h.meta())
    _same_numbers(h, back)
    assert back.stop_reason == "steps"


# ----------------------------------------------------------------------------------------------- resume


class Killed(Exception):
    """Stands for a crash (the process killed): training stops with no chance to save."""


def _kill_at(step_to_kill):
    def kill(trainer, step, logs):
        if step == step_to_kill:
            raise Killed

    return kill


@pytest.mark.parametrize(
    "extra",
    [
        dict(),  # Adam
        dict(optimizer="sgd", momentum=0.9, lr=0.05, schedule="step", step_size=4, gamma=0.5, clip_norm=0.5),
        dict(optimizer="rmsprop", lr=0.01, schedule="exponential", gamma=0.9, clip_value=0.1),
    ],
)
def test_resume_matches_uninterrupted_run(tmp_path, extra):
    task = get_task("adding", T=8)
    base = dict(steps=14, batch_size=4, eval_every=3, eval_batch_size=8, **QUIET, **extra)
    whole_model = _adding_model()
    whole = fit(whole_model, task, TrainConfig(**base))

    path = str(tmp_path / "run.npz")
    first = TrainConfig(**base, checkpoint_path=path, checkpoint_every=7)
    with pytest.raises(Killed):  # the run is killed at step 9; the checkpoint of step 7 survives
        fit(_adding_model(), task, first, callbacks=[_kill_at(9)])
    assert load_checkpoint(path)[1]["step"] == 7
    resumed_model = _adding_model(seed=99)  # other initial params: the checkpoint must overwrite them all
    resumed = fit(resumed_model, task, TrainConfig(**base), resume_from=path)
    _same_numbers(whole, resumed)
    for k in whole_model.params:
        np.testing.assert_array_equal(whole_model.params[k], resumed_model.params[k])


def test_resume_on_arrays_and_trainer_load(tmp_path):
    x, y = _arrays(n=18)
    base = dict(steps=10, batch_size=4, eval_every=3, **QUIET)  # 4 batches per pass: passes end mid-run
    whole = fit(Model("gru", 2, 6, 2), (x, y), TrainConfig(**base), val_data=(x[:8], y[:8]))
    path = tmp_path / "arrays.npz"
    with pytest.raises(Killed):
        cfg = TrainConfig(**base, checkpoint_path=str(path), checkpoint_every=5)
        fit(Model("gru", 2, 6, 2), (x, y), cfg, val_data=(x[:8], y[:8]), callbacks=[_kill_at(7)])
    trainer = Trainer(Model("gru", 2, 6, 2), (x, y), TrainConfig(**base), val_data=(x[:8], y[:8])).load(path)
    assert trainer.step == 5
    _same_numbers(whole, trainer.fit())


def test_checkpoint_contents(tmp_path):
    path = tmp_path / "c.npz"
    model = _adding_model()
    cfg = TrainConfig(steps=4, batch_size=2, checkpoint_path=str(path), schedule="step", step_size=2, **QUIET)
    fit(model, get_task("adding", T=5), cfg)
    arrays, meta = load_checkpoint(path)
    assert meta["step"] == 4 and meta["config"] == cfg.to_dict() and meta["model"] == model.config
    assert meta["rng_state"]["bit_generator"] == "PCG64"
    assert meta["scheduler"]["last_epoch"] == 4
    for k, v in model.params.items():
        np.testing.assert_array_equal(arrays[f"param.{k}"], v)
    assert int(arrays["optim.t"]) == 4
    assert arrays["history.loss"].shape == (4,)


def test_resume_into_another_model_is_refused(tmp_path):
    path = str(tmp_path / "c.npz")
    fit(_adding_model(), get_task("adding", T=5), TrainConfig(steps=2, batch_size=2, checkpoint_path=path, **QUIET))
    with pytest.raises(ValueError, match="hidden_size"):
        fit(_adding_model(H=5), get_task("adding", T=5), TrainConfig(steps=4, batch_size=2, **QUIET), resume_from=path)


# ----------------------------------------------------------------------------------------------- divergence


def test_huge_learning_rate_raises_and_keeps_last_good_params():
    task = get_task("adding", T=10)
    cfg = TrainConfig(steps=50, batch_size=8, optimizer="sgd", lr=1e6, eval_every=None, **QUIET)
    model = _adding_model()
    with pytest.raises(TrainingDiverged) as info:
        fit(model, task, cfg)
    err = info.value
    assert isinstance(err, RuntimeError)
    msg = str(err)
    assert f"step {err.step}" in msg and "lr=1e+06 -> try lr=100000" in msg and "clip_norm" in msg
    assert "gradient norm" in msg
    assert all(np.isfinite(v).all() for v in model.params.values())
    # the last good params are those after step - 2 updates: the params that gave step - 1 its healthy loss
    good = _adding_model()
    if err.step - 2 > 0:
        fit(good, task, cfg.replace(steps=err.step - 2))
    for k in model.params:
        np.testing.assert_array_equal(model.params[k], good.params[k])
    assert err.history.stop_reason == "diverged" and len(err.history) == err.step - 1


class _Sabotage(Callback):
    """After ``at`` steps, set one readout weight so large that the next loss overflows to inf."""

    def __init__(self, at):
        self.at = at

    def on_step(self, trainer, step, logs):
        if step == self.at:
            trainer.model.params["W_y"][0, 0] = 1e300


def test_inf_loss_raises_and_restores(tmp_path):
    task = get_task("adding", T=10)
    path = str(tmp_path / "c.npz")
    cfg = TrainConfig(steps=20, batch_size=4, clip_norm=1.0, checkpoint_path=path, **QUIET)
    model = _adding_model()
    with pytest.raises(TrainingDiverged, match=r"step 4: the loss is inf.*lower clip_norm \(now 1\).*lr=0.001 -> try"):
        fit(model, task, cfg, callbacks=[_Sabotage(3)])
    good = _adding_model()
    fit(good, task, cfg.replace(steps=2, checkpoint_path=None))  # the params used at step 3, the last healthy one
    arrays, meta = load_checkpoint(path)
    assert meta["diverged"] is True and meta["step"] == 2
    assert arrays["history.step"].tolist() == [1, 2]  # the history of the saved params
    for k in model.params:
        np.testing.assert_array_equal(model.params[k], good.params[k])
        np.testing.assert_array_equal(arrays[f"param.{k}"], good.params[k])


def test_divergence_factor():
    """A loss far above the best so far stops training even though it is finite."""

    class Spike(Callback):
        def on_step(self, trainer, step, logs):
            if step == 3:
                trainer.model.params["b_y"][:] = 1e3  # loss ~ 1e6 at the next step

    with pytest.raises(TrainingDiverged, match=r"step 4: the loss .* exceeds 100 x the best loss"):
        fit(
            _adding_model(),
            get_task("adding", T=6),
            TrainConfig(steps=9, batch_size=4, divergence_factor=100, **QUIET),
            callbacks=[Spike()],
        )
    h = fit(
        _adding_model(),
        get_task("adding", T=6),
        TrainConfig(steps=6, batch_size=4, divergence_factor=None, **QUIET),
        callbacks=[Spike()],
    )
    assert len(h) == 6 and h.loss[3] > 1e5  # off: the spike is only recorded


# ----------------------------------------------------------------------------------------------- progress, callbacks


def test_progress_bar_off_and_env(capsys, monkeypatch):
    task = get_task("adding", T=5)
    fit(_adding_model(), task, TrainConfig(steps=3, batch_size=2, progress=False))
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("LSTMLAB_PROGRESS", "0")
    fit(_adding_model(), task, TrainConfig(steps=3, batch_size=2))
    assert capsys.readouterr().err == ""
    monkeypatch.setenv("LSTMLAB_PROGRESS", "1")
    fit(_adding_model(), task, TrainConfig(steps=3, batch_size=2))
    assert "training" in capsys.readouterr().err
    monkeypatch.setenv("LSTMLAB_PROGRESS", "0")
    fit(_adding_model(), task, TrainConfig(steps=3, batch_size=2, progress=True))  # explicit True wins
    assert "3/3" in capsys.readouterr().err


def test_callbacks_can_stop_and_see_logs():
    seen = []

    def stop_at_5(trainer, step, logs):
        seen.append((step, logs["loss"]))
        return step == 5

    h = fit(
        _adding_model(), get_task("adding", T=5), TrainConfig(steps=50, batch_size=2, **QUIET), callbacks=[stop_at_5]
    )
    assert len(h) == 5 and h.stop_reason == "callback"
    assert seen == list(zip(h.step, h.loss))

    class StopOnEval(Callback):
        def __init__(self):
            self.calls = []

        def on_eval(self, trainer, step, metrics):
            self.calls.append((step, metrics["loss"]))
            trainer.stop_training = True

    cb = StopOnEval()
    h = fit(
        _adding_model(),
        get_task("adding", T=5),
        TrainConfig(steps=50, batch_size=2, eval_every=4, **QUIET),
        callbacks=[cb],
    )
    assert len(h) == 4 and cb.calls == [(4, h.eval["loss"][0])] and h.stop_reason == "callback"


def test_early_stop_on_solve():
    easy = AddingProblem(T=5, mse_goal=1e9)  # solved by any model at the first evaluation
    h = fit(_adding_model(), easy, TrainConfig(steps=50, batch_size=2, eval_every=3, **QUIET))
    assert len(h) == 3 and h.stop_reason == "solved" and h.solved_at == 3 and h.eval["solved"] == [1.0]
    h = fit(_adding_model(), easy, TrainConfig(steps=7, batch_size=2, eval_every=3, early_stop_on_solve=False, **QUIET))
    assert len(h) == 7 and h.stop_reason == "steps" and h.eval_step == [3, 6, 7]


# ----------------------------------------------------------------------------------------------- data and checks


def test_array_data_trains_and_is_not_modified():
    x, y = _arrays(n=64, T=5)
    x_before, y_before = x.copy(), y.copy()
    model = Model("lstm", 2, 8, 2, seed=0)
    cfg = TrainConfig(steps=150, batch_size=16, lr=0.02, eval_every=50, **QUIET)
    h = fit(model, (x, y), cfg, val_data=(x, y))
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(y, y_before)
    assert h.eval_step == [50, 100, 150]
    # the task (the sign of a sum) is easy: training accuracy well above the 50% chance level
    assert h.eval["accuracy"][-1] > 0.9 and h.eval["loss"][-1] < h.eval["loss"][0]


def test_array_data_per_step_targets_with_mask():
    rng = np.random.default_rng(1)
    x = rng.normal(size=(12, 5, 3))
    y = rng.normal(size=(12, 5, 2))
    mask = np.ones((12, 5), dtype=bool)
    mask[::2, 3:] = False
    model = Model("rnn", 3, 4, 2, readout="all")
    h = fit(model, (x, y, mask), TrainConfig(steps=4, batch_size=5, eval_every=2, **QUIET), val_data=(x, y, mask))
    assert len(h) == 4 and h.eval_step == [2, 4] and set(h.eval) == {"loss"}


@pytest.mark.parametrize(
    "kwargs, error, match",
    [
        (dict(lr=-1.0), ValueError, "lr"),
        (dict(lr=0.0), ValueError, "lr"),
        (dict(optimizer="adamw"), ValueError, "optimizer"),
        (dict(batch_size=0), ValueError, "batch_size"),
        (dict(steps=2.5), TypeError, "steps"),
        (dict(device="tpu"), ValueError, "device"),
        (dict(clip_norm=0.0), ValueError, "clip_norm"),
        (dict(momentum=1.0, optimizer="sgd"), ValueError, "momentum"),
        (dict(schedule="cosine"), ValueError, "schedule"),
        (dict(eval_every=0), ValueError, "eval_every"),
        (dict(checkpoint_every=5), ValueError, "checkpoint_every"),
        (dict(dtype="float16"), ValueError, "dtype"),
        (dict(divergence_factor=0.5), ValueError, "divergence_factor"),
        (dict(progress="yes"), TypeError, "progress"),
        (dict(loss="hinge"), ValueError, "loss"),
    ],
)
def test_bad_config_raises_at_construction(kwargs, error, match):
    with pytest.raises(error, match=f"^{match}: expected"):
        TrainConfig(**kwargs)


def test_bad_fit_arguments():
    task = get_task("adding", T=5)
    with pytest.raises(ValueError, match="model: expected readout='last'"):
        fit(Model("lstm", 2, 4, 1, readout="all"), task, TrainConfig(steps=1, **QUIET))
    with pytest.raises(ValueError, match="model: expected input_size=2"):
        fit(Model("lstm", 3, 4, 1), task, TrainConfig(steps=1, **QUIET))
    with pytest.raises(TypeError, match="model: expected an lstmlab.model.Model"):
        fit("lstm", task, TrainConfig(steps=1))
    with pytest.raises(TypeError, match="data: expected a Task or a tuple"):
        fit(_adding_model(), np.zeros((3, 4, 2)), TrainConfig(steps=1))
    with pytest.raises(ValueError, match=r"data\[y\]: expected shape \(6, 1\)"):
        fit(_adding_model(), (np.zeros((6, 4, 2)), np.zeros((6, 2))), TrainConfig(steps=1))
    with pytest.raises(TypeError, match="callbacks"):
        fit(_adding_model(), task, TrainConfig(steps=1, **QUIET), callbacks=[3])


@pytest.mark.skipif(gpu_available(), reason="checks the message shown where there is no GPU")
def test_gpu_request_without_gpu_says_what_is_missing():
    with pytest.raises(RuntimeError, match="device='gpu'"):
        fit(_adding_model(), get_task("adding", T=5), TrainConfig(steps=1, device="gpu", **QUIET))


@pytest.mark.gpu
def test_gpu_training_is_deterministic_and_matches_cpu():
    task = get_task("adding", T=10)
    cfg = TrainConfig(steps=8, batch_size=4, eval_every=4, **QUIET)
    cpu = fit(_adding_model(), task, cfg.replace(device="cpu"))
    runs = []
    for _ in range(2):
        model = _adding_model()
        runs.append(fit(model, task, cfg.replace(device="gpu")))
        assert model.device == "gpu"
    _same_numbers(runs[0], runs[1])
    np.testing.assert_allclose(runs[0].loss, cpu.loss, rtol=1e-9)


def test_float32_training():
    model = _adding_model()
    h = fit(model, get_task("adding", T=5), TrainConfig(steps=3, batch_size=4, dtype="float32", **QUIET))
    assert len(h) == 3 and all(v.dtype == np.float32 for v in model.params.values())


# ----------------------------------------------------------------------------------------------- learning

#: Hochreiter & Schmidhuber (1997): training sequences their LSTM needed (adding is their T=100 paper form).
HS1997_SEQUENCES = {"adding": 74_000, "temporal_order": 31_390, "reber": 8_440}


def _learn(task, cell, H, steps, batch_size, lr, eval_every, **model_kwargs):
    model = Model(cell, task.input_size, H, task.output_size, readout=task.readout, seed=0, **model_kwargs)
    cfg = TrainConfig(
        steps=steps, batch_size=batch_size, lr=lr, clip_norm=1.0, eval_every=eval_every, eval_batch_size=256, **QUIET
    )
    t0 = time.perf_counter()
    h = fit(model, task, cfg)
    return h, time.perf_counter() - t0


def _report(name, h, seconds, task):
    paper = HS1997_SEQUENCES.get(name)
    print(
        f"\n{name}: {len(h)} steps = {h.sequences} sequences in {seconds:.1f} s, stop={h.stop_reason}, "
        f"eval loss {h.eval['loss'][-1]:.4g} (chance {task.baseline:.4g})"
        + (f"; H&S 1997: {paper} sequences" if paper else "")
    )


@pytest.mark.slow
def test_lstm_solves_adding_T50():
    task = get_task("adding", T=50)  # common form: chance MSE 1/6
    h, seconds = _learn(task, "lstm", 32, steps=1200, batch_size=32, lr=1e-2, eval_every=50, forget_bias=1.0)
    _report("adding", h, seconds, task)
    assert h.stop_reason == "solved"  # eval MSE < 0.01, 17x below chance
    assert h.eval["loss"][-1] < 0.01 < task.baseline / 10


@pytest.mark.slow
def test_lstm_solves_temporal_order():
    task = get_task("temporal_order", T=50)  # chance: cross-entropy ln 4, accuracy 1/4
    h, seconds = _learn(task, "lstm", 32, steps=1000, batch_size=32, lr=1e-2, eval_every=50, forget_bias=1.0)
    _report("temporal_order", h, seconds, task)
    assert h.stop_reason == "solved"  # every sequence of a 256-sequence evaluation batch right
    assert h.eval["accuracy"][-1] == 1.0


@pytest.mark.slow
def test_lstm_solves_embedded_reber():
    task = get_task("reber")
    h, seconds = _learn(task, "lstm", 16, steps=1500, batch_size=16, lr=1e-2, eval_every=50, forget_bias=1.0)
    _report("reber", h, seconds, task)
    assert h.stop_reason == "solved"  # every string of a 256-string evaluation batch predicted right
    assert h.eval["loss"][-1] < task.baseline


@pytest.mark.slow
def test_rnn_stays_at_chance_on_adding_T200():
    task = get_task("adding", T=200)
    h, seconds = _learn(task, "rnn", 16, steps=200, batch_size=16, lr=1e-2, eval_every=100)
    _report("adding-rnn-T200", h, seconds, task)
    assert h.stop_reason == "steps"
    assert min(h.eval["loss"]) > 0.6 * task.baseline  # never far below chance (1/6)
