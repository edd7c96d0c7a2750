"""lstmlab.train under faults: interrupts, non-finite values on every path, resume semantics, damaged loads, the bar."""

import io

import numpy as np
import pytest
from tqdm import tqdm

from lstmlab.checkpoint import load_checkpoint, save_checkpoint
from lstmlab.model import Model
from lstmlab.optim import Adam
from lstmlab.tasks import AddingProblem, get_task
from lstmlab.train import TrainConfig, Trainer, TrainingDiverged, fit

QUIET = dict(progress=False)


def _model(seed=0, cell="lstm"):
    return Model(cell, input_size=2, hidden_size=6, output_size=1, seed=seed)


def _same_run(a, b):
    assert a.step == b.step and a.loss == b.loss and a.grad_norm == b.grad_norm and a.lr == b.lr
    assert a.eval_step == b.eval_step
    for k in a.eval:
        np.testing.assert_array_equal(a.eval[k], b.eval[k])


def _same_params(m1, m2):
    for k in m1.params:
        np.testing.assert_array_equal(m1.params[k], m2.params[k])


def _trainer_state(tr):
    """Everything a load may change, copied."""
    return {
        "params": {k: v.copy() for k, v in tr.model.params.items()},
        "optim": {k: np.copy(v) for k, v in tr.optimizer.state_dict().items()},
        "step": tr.step,
        "rng": tr.rng.bit_generator.state,
        "history": {k: v for k, v in tr.history.to_dict().items() if k != "seconds"},  # wall-clock differs
        "best": tr.best_loss,
        "lr": tr.optimizer.lr,
    }


def _assert_same_state(a, b):
    assert a["step"] == b["step"] and a["rng"] == b["rng"] and a["best"] == b["best"] and a["lr"] == b["lr"]
    for part in ("params", "optim", "history"):
        assert a[part].keys() == b[part].keys()
        for k in a[part]:
            np.testing.assert_array_equal(a[part][k], b[part][k])


TASK = get_task("adding", T=6)
CFG = TrainConfig(steps=12, batch_size=4, eval_every=4, eval_batch_size=8, **QUIET)


# ----------------------------------------------------------------------------------------------- interrupts


def test_interrupt_from_a_callback_returns_the_history_with_one_line(capsys):
    whole_model = _model()
    whole = fit(whole_model, TASK, CFG)

    def interrupt(trainer, step, logs):
        if step == 5:
            raise KeyboardInterrupt

    trainer = Trainer(_model(), TASK, CFG, callbacks=[interrupt])
    history = trainer.fit()  # no exception comes out
    out = capsys.readouterr().out.strip().splitlines()
    assert history.stop_reason == "interrupted" and len(history) == 5
    assert len(out) == 1 and "interrupted at step 5 of 12" in out[0] and "history is kept" in out[0]
    assert "last completed step" in out[0] and "resume" in out[0]
    trainer._on_step = []  # the same trainer continues, exactly as if never interrupted
    _same_run(whole, trainer.fit())
    _same_params(whole_model, trainer.model)


@pytest.mark.parametrize("where", ["optimizer", "forward", "schedule"])
def test_an_interrupt_inside_a_step_undoes_the_whole_step(monkeypatch, where, capsys):
    cfg = CFG.replace(schedule="step", step_size=3, gamma=0.5)
    before = Trainer(_model(), TASK, cfg.replace(steps=4))
    before.fit()  # 4 steps and the evaluation after step 4, as the interrupted run had
    trainer = Trainer(_model(), TASK, cfg)
    state = {"calls": 0}
    if where == "optimizer":  # raise half-way through the update: some params updated, others not
        original = Adam._update

        def update(self, key, p, g):
            state["calls"] += 1
            if state["calls"] == 4 * len(p_keys) + 3:
                raise KeyboardInterrupt
            return original(self, key, p, g)

        p_keys = list(trainer.model.params)
        monkeypatch.setattr(Adam, "_update", update)
    elif where == "forward":
        original = Model.forward

        def forward(self, *args, **kwargs):
            state["calls"] += 1
            if state["calls"] == 6:  # steps 1 to 4, the evaluation after step 4, then step 5
                raise KeyboardInterrupt
            return original(self, *args, **kwargs)

        monkeypatch.setattr(Model, "forward", forward)
    else:
        original = type(trainer.scheduler).step

        def sched_step(self):
            state["calls"] += 1
            if state["calls"] == 5:
                raise KeyboardInterrupt
            return original(self)

        monkeypatch.setattr(type(trainer.scheduler), "step", sched_step)
    history = trainer.fit()
    assert history.stop_reason == "interrupted" and trainer.step == 4 and len(history) == 4
    assert "interrupted at step 4" in capsys.readouterr().out
    _assert_same_state(_trainer_state(trainer), _trainer_state(before))
    monkeypatch.undo()
    whole = fit(_model(), TASK, cfg)
    _same_run(whole, trainer.fit())  # and it resumes as if nothing happened


def test_interrupt_saves_a_checkpoint_that_resumes_exactly(tmp_path, capsys):
    path = str(tmp_path / "run.npz")
    whole = fit(_model(), TASK, CFG)

    def interrupt(trainer, step, logs):
        if step == 7:
            raise KeyboardInterrupt

    h = fit(_model(), TASK, CFG.replace(checkpoint_path=path), callbacks=[interrupt])
    assert h.stop_reason == "interrupted" and load_checkpoint(path)[1]["step"] == 7
    assert f"saved to {path}" in capsys.readouterr().out
    _same_run(whole, fit(_model(seed=5), TASK, CFG, resume_from=path))


# ----------------------------------------------------------------------------------------------- divergence


def test_a_callback_writing_inf_into_a_param_is_caught_and_named():
    def sabotage(trainer, step, logs):
        if step == 3:
            trainer.model.params["l0.W_h"][0, 0] = np.inf

    model = _model()
    with pytest.raises(TrainingDiverged, match=r"step 4: .*params\['l0.W_h'\].*restored.*lower the learning rate") as e:
        fit(model, TASK, CFG, callbacks=[sabotage])
    assert e.value.step == 4 and e.value.what == "params['l0.W_h']"
    assert all(np.isfinite(v).all() for v in model.params.values())


def test_nan_in_the_initial_params_is_a_divergence_at_step_1():
    model = _model()
    model.params["b_y"][0] = np.nan
    with pytest.raises(TrainingDiverged, match=r"step 1: the initial params hold NaN or inf in params\['b_y'\]") as e:
        fit(model, TASK, CFG)
    assert e.value.what == "params['b_y']" and "no good params to restore" in str(e.value)


def test_non_finite_predictions_and_gradients_are_named(monkeypatch):
    original_forward, original_backward = Model.forward, Model.backward

    def forward(self, *args, **kwargs):
        y, cache = original_forward(self, *args, **kwargs)
        if len(calls) == 2:
            y = y.copy()
            y[0, 0] = np.inf
        calls.append(1)
        return y, cache

    calls = []
    monkeypatch.setattr(Model, "forward", forward)
    model = _model()
    with pytest.raises(TrainingDiverged, match="step 3: the predictions y_pred hold NaN or inf") as e:
        fit(model, TASK, CFG)
    assert e.value.what == "y_pred"
    monkeypatch.setattr(Model, "forward", original_forward)

    def backward(self, *args, **kwargs):
        grads = original_backward(self, *args, **kwargs)
        grads["l0.W_x"][0, 0] = np.nan
        return grads

    monkeypatch.setattr(Model, "backward", backward)
    with pytest.raises(TrainingDiverged, match=r"step 1: .*grads\['l0.W_x'\] holds NaN or inf") as e:
        fit(_model(), TASK, CFG)
    assert e.value.what == "grads['l0.W_x']"


# ----------------------------------------------------------------------------------------------- resume


@pytest.mark.parametrize("schedule", [None, "step"])
def test_resume_with_a_new_lr_is_the_run_whose_lr_changed_there(tmp_path, schedule):
    path = str(tmp_path / "c.npz")
    cfg = CFG.replace(lr=0.01, schedule=schedule, step_size=3, gamma=0.5)

    def lower(trainer, step, logs):  # the uninterrupted run: from step 6 on, base lr 0.002
        if step == 6:
            if trainer.scheduler is None:
                trainer.optimizer.lr = 0.002
            else:
                trainer.scheduler.base_lr = 0.002
                trainer.optimizer.lr = trainer.scheduler.lr_at(trainer.scheduler.last_epoch)

    whole = fit(_model(), TASK, cfg, callbacks=[lower])

    def crash(trainer, step, logs):
        if step == 7:
            raise RuntimeError("crash")

    with pytest.raises(RuntimeError, match="crash"):  # the checkpoint of step 6 is left
        fit(_model(), TASK, cfg.replace(checkpoint_path=path, checkpoint_every=6), callbacks=[crash])
    resumed = fit(_model(), TASK, cfg.replace(lr=0.002), resume_from=path)
    _same_run(whole, resumed)
    assert resumed.lr[6] < resumed.lr[5] or schedule is not None


def test_a_diverged_run_resumes_with_the_lower_lr_its_message_advises(tmp_path):
    path = str(tmp_path / "d.npz")
    task = get_task("adding", T=10)
    cfg = TrainConfig(steps=30, batch_size=8, optimizer="sgd", lr=1e6, eval_every=None, checkpoint_path=path, **QUIET)
    with pytest.raises(TrainingDiverged) as e:
        fit(_model(), task, cfg)
    assert "lr=1e+06 -> try lr=100000" in str(e.value) and "new config's lr" in str(e.value)
    h = fit(_model(), task, cfg.replace(lr=1e-3), resume_from=path)
    assert h.stop_reason == "steps" and len(h) == 30 and set(h.lr[e.value.step - 1 :]) == {1e-3}


# ----------------------------------------------------------------------------------------------- load


def _damaged(tmp_path, change):
    """A checkpoint with a valid checksum whose contents ``change`` damaged."""
    path = str(tmp_path / "ok.npz")
    fit(_model(), TASK, CFG.replace(steps=5, checkpoint_path=path))
    arrays, meta = load_checkpoint(path)
    change(arrays, meta)
    bad = str(tmp_path / "bad.npz")
    save_checkpoint(bad, arrays, meta)
    return bad


def _set(d, k, v):
    d[k] = v


DAMAGE = {
    "param.l0.W_h": (lambda a, m: _set(a, "param.l0.W_h", np.zeros((2, 2))), "l0.W_h"),
    "param.b_y": (lambda a, m: _set(a, "param.b_y", np.array([np.nan])), "b_y"),
    "optim.v.W_y": (lambda a, m: _set(a, "optim.v.W_y", np.zeros((1, 1))), "optim"),
    "optim.m.b_y": (lambda a, m: a.pop("optim.m.b_y"), "optim"),
    "history.loss": (lambda a, m: a.pop("history.loss"), "history.loss"),
    "history.lr": (lambda a, m: _set(a, "history.lr", np.zeros(2)), "history.lr"),
    "rng_state": (lambda a, m: m.pop("rng_state"), "rng_state"),
    "rng_state bad": (lambda a, m: _set(m, "rng_state", {"bit_generator": "MT19937"}), "rng_state"),
    "step": (lambda a, m: _set(m, "step", -3), "step"),
    "history meta": (lambda a, m: _set(m, "history", None), "history"),
}


@pytest.mark.parametrize("name", DAMAGE)
def test_a_failed_load_leaves_the_trainer_exactly_as_it_was(tmp_path, name):
    change, fragment = DAMAGE[name]
    path = _damaged(tmp_path, change)
    trainer = Trainer(_model(seed=3), TASK, CFG)
    trainer.train_step()
    before = _trainer_state(trainer)
    with pytest.raises(ValueError, match=fragment.replace(".", r"\.")):
        trainer.load(path)
    _assert_same_state(_trainer_state(trainer), before)


# ----------------------------------------------------------------------------------------------- the bar


def _inspectable_bars(monkeypatch):
    bars = []

    def make_bar(self, show):
        bar = tqdm(total=self.config.steps, initial=self.step, file=io.StringIO(), desc="training")
        bars.append(bar)
        return bar

    monkeypatch.setattr(Trainer, "_make_bar", make_bar)
    return bars


def test_a_solved_run_ends_with_a_complete_bar_saying_so(monkeypatch):
    bars = _inspectable_bars(monkeypatch)
    easy = AddingProblem(T=5, mse_goal=1e9)
    h = fit(_model(), easy, TrainConfig(steps=50, batch_size=2, eval_every=3, progress=True))
    bar = bars[-1]
    assert h.stop_reason == "solved" and bar.n == bar.total == 3 and bar.desc.startswith("solved at step 3")
    post = [p.split("=")[0] for p in bar.postfix.split(", ")]
    assert len(post) == len(set(post)) and "success_rate" in post and "accuracy" not in post
    assert "eval_loss" in post and "loss" in post


def test_a_diverged_and_an_interrupted_run_say_so_on_the_bar(monkeypatch):
    bars = _inspectable_bars(monkeypatch)

    def sabotage(trainer, step, logs):
        if step == 2:
            trainer.model.params["W_y"][:] = np.nan

    with pytest.raises(TrainingDiverged):
        fit(_model(), TASK, CFG.replace(progress=True), callbacks=[sabotage])
    assert bars[-1].desc.startswith("diverged at step 3") and bars[-1].n == 2

    def interrupt(trainer, step, logs):
        if step == 4:
            raise KeyboardInterrupt

    fit(_model(), TASK, CFG.replace(progress=True), callbacks=[interrupt])
    assert bars[-1].desc.startswith("interrupted at step 4") and bars[-1].n == 4


def test_the_notebook_bar_ends_green_on_success(monkeypatch):
    pytest.importorskip("ipywidgets")
    from tqdm.notebook import tqdm as notebook_tqdm

    bars = []

    def make_bar(self, show):
        bars.append(notebook_tqdm(total=self.config.steps, initial=self.step, desc="training", display=False))
        return bars[-1]

    monkeypatch.setattr(Trainer, "_make_bar", make_bar)
    fit(_model(), AddingProblem(T=5, mse_goal=1e9), TrainConfig(steps=50, batch_size=2, eval_every=3, progress=True))
    assert bars[-1].container.children[1].bar_style == "success"
