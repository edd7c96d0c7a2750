"""Learning-rate schedules against torch.optim.lr_scheduler."""

import json
import math

import numpy as np
import pytest
import torch

from lstmlab.optim import SGD, Adam
from lstmlab.schedules import ConstantLR, CosineAnnealingLR, ExponentialLR, LinearLR, StepLR

CASES = [
    (StepLR, torch.optim.lr_scheduler.StepLR, dict(step_size=3, gamma=0.5)),
    (StepLR, torch.optim.lr_scheduler.StepLR, dict(step_size=1)),
    (ExponentialLR, torch.optim.lr_scheduler.ExponentialLR, dict(gamma=0.9)),
    (LinearLR, torch.optim.lr_scheduler.LinearLR, dict()),
    (LinearLR, torch.optim.lr_scheduler.LinearLR, dict(start_factor=0.01, end_factor=1.0, total_iters=7)),
    (LinearLR, torch.optim.lr_scheduler.LinearLR, dict(start_factor=1.0, end_factor=0.2, total_iters=4)),
    (CosineAnnealingLR, torch.optim.lr_scheduler.CosineAnnealingLR, dict(T_max=6, eta_min=0.001)),
    (ConstantLR, torch.optim.lr_scheduler.ConstantLR, dict(factor=0.25, total_iters=3)),
]
IDS = [f"{ours.__name__}-{kw}" for ours, _, kw in CASES]


def make_opt(lr=0.1):
    return SGD({"w": np.zeros(3)}, lr=lr)


def torch_lrs(torch_cls, kwargs, lr, n_steps):
    """The lr torch's scheduler sets at construction and after each of n_steps steps."""
    opt = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=lr)
    sched = torch_cls(opt, **kwargs)
    lrs = [opt.param_groups[0]["lr"]]
    for _ in range(n_steps):
        opt.step()
        sched.step()
        lrs.append(opt.param_groups[0]["lr"])
    return lrs


@pytest.mark.parametrize("ours, theirs, kwargs", CASES, ids=IDS)
def test_matches_torch(ours, theirs, kwargs):
    n = 15
    want = torch_lrs(theirs, kwargs, 0.1, n)
    opt = make_opt(0.1)
    sched = ours(opt, **kwargs)
    got = [opt.lr]
    for _ in range(n):
        assert sched.step() == opt.lr
        got.append(opt.lr)
    np.testing.assert_allclose(got, want, rtol=1e-12, atol=1e-15)
    assert sched.get_last_lr() == opt.lr
    assert [sched.lr_at(e) for e in range(n + 1)] == got


def test_closed_forms_written_out():
    sched = StepLR(make_opt(1.0), step_size=2, gamma=0.1)
    assert [sched.lr_at(e) for e in range(6)] == pytest.approx([1, 1, 0.1, 0.1, 0.01, 0.01], rel=1e-15)
    cos = CosineAnnealingLR(make_opt(1.0), T_max=4)
    assert [cos.lr_at(e) for e in (0, 2, 4)] == pytest.approx([1.0, 0.5, 0.0], abs=1e-15)
    warm = LinearLR(make_opt(1.0), start_factor=0.1, total_iters=3)
    assert [warm.lr_at(e) for e in (0, 1, 3, 10)] == pytest.approx([0.1, 0.4, 1.0, 1.0], rel=1e-15)


@pytest.mark.parametrize("ours, theirs, kwargs", CASES, ids=IDS)
def test_state_dict_round_trip(ours, theirs, kwargs):
    opt_a = make_opt(0.1)
    sched_a = ours(opt_a, **kwargs)
    for _ in range(5):
        sched_a.step()
    state = sched_a.state_dict()
    assert all(isinstance(v, np.ndarray) and v.shape == () for v in state.values())
    opt_b = make_opt(0.1)
    sched_b = ours(opt_b, **kwargs)
    sched_b.load_state_dict(state)
    assert opt_b.lr == opt_a.lr
    plain = {k: v.item() for k, v in state.items()}  # as it comes back from JSON
    opt_c = make_opt(0.1)
    sched_c = ours(opt_c, **kwargs)
    sched_c.load_state_dict(json.loads(json.dumps(plain)))
    for _ in range(6):
        assert sched_a.step() == sched_b.step() == sched_c.step()


def test_schedule_drives_a_real_optimiser():
    params = {"w": np.array([1.0])}
    opt = SGD(params, lr=1.0)
    sched = ExponentialLR(opt, gamma=0.5)
    for _ in range(3):
        opt.step(params, {"w": np.array([1.0])})
        sched.step()
    assert params["w"][0] == pytest.approx(1.0 - (1.0 + 0.5 + 0.25), rel=1e-15)
    assert opt.state_dict()["lr"] == 0.125


@pytest.mark.parametrize(
    "build, exc, match",
    [
        (lambda o: StepLR(o, step_size=0), ValueError, "step_size: expected a positive int"),
        (lambda o: StepLR(o, step_size=2.5), TypeError, "step_size: expected a positive int"),
        (lambda o: ExponentialLR(o, gamma=-0.5), ValueError, "gamma: expected a number >= 0.0"),
        (lambda o: LinearLR(o, start_factor=0.0), ValueError, r"start_factor: expected a number in \(0.0, 1.0\]"),
        (lambda o: CosineAnnealingLR(o, T_max=5, eta_min=math.nan), ValueError, "eta_min: expected a number"),
        (lambda o: StepLR(object(), step_size=2), TypeError, "optimizer: expected an optimiser with an lr"),
    ],
)
def test_bad_arguments(build, exc, match):
    opt = make_opt(0.1)
    with pytest.raises(exc, match=match):
        build(opt)
    assert opt.lr == 0.1  # a refused schedule does not touch the optimiser


def test_bad_state():
    sched = StepLR(Adam({"w": np.zeros(2)}), step_size=2)
    with pytest.raises(ValueError, match=r"state: expected keys \['base_lr', 'last_epoch'\]"):
        sched.load_state_dict({"last_epoch": np.array(3)})
    with pytest.raises(ValueError, match=r"state\['last_epoch'\]: expected an int >= 0"):
        sched.load_state_dict({"last_epoch": np.array(-1), "base_lr": np.array(0.1)})
    with pytest.raises(ValueError, match=r"state\['base_lr'\]: expected a number >= 0"):
        sched.load_state_dict({"last_epoch": np.array(1), "base_lr": np.array(-0.1)})
