"""Optimisers against torch.optim, step by step, and their state round trip."""

import numpy as np
import pytest
import torch

from lstmlab.optim import SGD, Adam, RMSprop, get_optimizer

SHAPES = {"W_x": (3, 8), "W_h": (2, 8), "b": (8,)}

CONFIGS = [
    (SGD, torch.optim.SGD, dict(lr=0.1)),
    (SGD, torch.optim.SGD, dict(lr=0.05, momentum=0.9)),
    (SGD, torch.optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True)),
    (SGD, torch.optim.SGD, dict(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.01)),
    (RMSprop, torch.optim.RMSprop, dict()),
    (RMSprop, torch.optim.RMSprop, dict(lr=0.003, alpha=0.9, momentum=0.7)),
    (RMSprop, torch.optim.RMSprop, dict(lr=0.003, centered=True, weight_decay=0.1, momentum=0.5)),
    (Adam, torch.optim.Adam, dict()),
    (Adam, torch.optim.Adam, dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.02)),
]
IDS = [f"{ours.__name__}-{'-'.join(f'{k}={v}' for k, v in kw.items()) or 'defaults'}" for ours, _, kw in CONFIGS]


def make_params(seed=0, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return {k: rng.standard_normal(s).astype(dtype) for k, s in SHAPES.items()}


def grad_sequence(n_steps, seed=1, dtype=np.float64):
    rng = np.random.default_rng(seed)
    return [{k: rng.standard_normal(s).astype(dtype) for k, s in SHAPES.items()} for _ in range(n_steps)]


def torch_trajectory(torch_cls, kwargs, params, grads_seq):
    """The parameters after each torch.optim step, for the same start and gradients."""
    tensors = {k: torch.tensor(v, requires_grad=True) for k, v in params.items()}
    opt = torch_cls(list(tensors.values()), **kwargs)
    out = []
    for grads in grads_seq:
        for k, t in tensors.items():
            t.grad = torch.tensor(grads[k])
        opt.step()
        out.append({k: t.detach().numpy().copy() for k, t in tensors.items()})
    return out


@pytest.mark.parametrize("ours, theirs, kwargs", CONFIGS, ids=IDS)
def test_matches_torch_for_seven_steps(ours, theirs, kwargs):
    params = make_params()
    grads_seq = grad_sequence(7)
    expected = torch_trajectory(theirs, kwargs, params, grads_seq)
    opt = ours(params, **kwargs)
    for t, (grads, want) in enumerate(zip(grads_seq, expected), start=1):
        opt.step(params, grads)
        assert opt.t == t
        for k in SHAPES:
            np.testing.assert_allclose(params[k], want[k], rtol=0, atol=1e-10, err_msg=f"step {t}, {k}")


@pytest.mark.parametrize("ours, theirs, kwargs", CONFIGS[1:2] + CONFIGS[7:8], ids=["SGD-momentum", "Adam"])
def test_float32_stays_float32_and_matches_torch(ours, theirs, kwargs):
    params = make_params(dtype=np.float32)
    grads_seq = grad_sequence(5, dtype=np.float32)
    expected = torch_trajectory(theirs, kwargs, params, grads_seq)
    opt = ours(params, **kwargs)
    for grads in grads_seq:
        opt.step(params, grads)
    for k in SHAPES:
        assert params[k].dtype == np.float32
        np.testing.assert_allclose(params[k], expected[-1][k], rtol=1e-5, atol=1e-6)


def test_updates_in_place_and_leaves_grads_alone():
    params = make_params()
    arrays = dict(params)
    grads = grad_sequence(1)[0]
    grads_copy = {k: v.copy() for k, v in grads.items()}
    Adam(params, weight_decay=0.1).step(params, grads)
    for k in SHAPES:
        assert params[k] is arrays[k]
        np.testing.assert_array_equal(grads[k], grads_copy[k])


@pytest.mark.parametrize("ours, theirs, kwargs", CONFIGS, ids=IDS)
def test_state_dict_round_trip_continues_identically(ours, theirs, kwargs, tmp_path):
    grads_seq = grad_sequence(6)
    params_a = make_params()
    opt_a = ours(params_a, **kwargs)
    for grads in grads_seq[:3]:
        opt_a.step(params_a, grads)
    opt_a.lr = opt_a.lr * 0.5  # as a schedule would
    state = opt_a.state_dict()
    assert all(isinstance(v, np.ndarray) and v.dtype != object for v in state.values())
    np.savez(tmp_path / "opt.npz", **state)  # flat arrays go straight into an .npz
    with np.load(tmp_path / "opt.npz", allow_pickle=False) as f:
        loaded = {k: f[k] for k in f.files}
    params_b = {k: v.copy() for k, v in params_a.items()}
    opt_b = ours(params_b, **kwargs)
    opt_b.load_state_dict(loaded)
    assert opt_b.t == 3 and opt_b.lr == opt_a.lr
    for grads in grads_seq[3:]:
        opt_a.step(params_a, grads)
        opt_b.step(params_b, grads)
    for k in SHAPES:
        np.testing.assert_array_equal(params_a[k], params_b[k])


def test_state_dict_is_a_copy():
    params = make_params()
    opt = Adam(params)
    opt.step(params, grad_sequence(1)[0])
    state = opt.state_dict()
    m_before = state["m.W_x"].copy()
    opt.step(params, grad_sequence(1, seed=5)[0])
    np.testing.assert_array_equal(state["m.W_x"], m_before)
    assert int(state["t"]) == 1
    assert sorted(state) == sorted(["t", "lr"] + [f"{b}.{k}" for b in ("m", "v") for k in SHAPES])


def test_lr_is_a_plain_attribute():
    params = make_params()
    before = {k: v.copy() for k, v in params.items()}
    opt = SGD(params, lr=0.1)
    opt.lr = 0.0
    opt.step(params, grad_sequence(1)[0])
    for k in SHAPES:
        np.testing.assert_array_equal(params[k], before[k])
    opt.lr = 0.5
    g = grad_sequence(1)[0]
    opt.step(params, g)
    np.testing.assert_allclose(params["b"], before["b"] - 0.5 * g["b"], rtol=0, atol=1e-15)


def test_get_optimizer_by_name():
    params = make_params()
    assert isinstance(get_optimizer("Adam", params, lr=0.01), Adam)
    assert isinstance(get_optimizer("rmsprop", params), RMSprop)
    with pytest.raises(ValueError, match="name: expected one of"):
        get_optimizer("adagrad", params)


def test_missing_and_extra_grad_keys_are_named():
    params = make_params()
    opt = Adam(params)
    grads = grad_sequence(1)[0]
    del grads["W_h"]
    with pytest.raises(ValueError, match=r"grads: .*missing keys \['W_h'\]"):
        opt.step(params, grads)
    grads = grad_sequence(1)[0]
    grads["x"] = np.zeros((2, 3))
    with pytest.raises(ValueError, match=r"grads: .*unknown keys \['x'\]"):
        opt.step(params, grads)


def test_bad_grads_change_nothing():
    params = make_params()
    before = {k: v.copy() for k, v in params.items()}
    opt = Adam(params)
    grads = grad_sequence(1)[0]
    grads["b"][3] = np.nan  # the last key: every check must run before the first update
    with pytest.raises(ValueError, match=r"grads\['b'\]: expected finite values"):
        opt.step(params, grads)
    grads = grad_sequence(1)[0]
    grads["W_h"] = grads["W_h"][:, :4]
    with pytest.raises(ValueError, match=r"grads\['W_h'\]: expected shape \(2, 8\), got \(2, 4\)"):
        opt.step(params, grads)
    grads = grad_sequence(1, dtype=np.float32)[0]
    with pytest.raises(TypeError, match=r"grads\['W_x'\]: expected dtype float64"):
        opt.step(params, grads)
    with pytest.raises(TypeError, match="grads: expected a dict"):
        opt.step(params, [1, 2])
    assert opt.t == 0
    for k in SHAPES:
        np.testing.assert_array_equal(params[k], before[k])
    assert not np.any(opt.state["m"]["W_x"])


@pytest.mark.parametrize(
    "build, exc, match",
    [
        (lambda p: SGD(p, lr=-0.1), ValueError, "lr: expected a number >= 0"),
        (lambda p: SGD(p, lr="0.1"), TypeError, "lr: expected a real number"),
        (lambda p: SGD(p, lr=0.1, nesterov=True), ValueError, "nesterov: .*momentum > 0"),
        (lambda p: Adam(p, betas=(0.9, 1.0)), ValueError, r"betas\[1\]: expected a number in \[0.0, 1.0\)"),
        (lambda p: Adam(p, betas=0.9), TypeError, "betas: expected a pair"),
        (lambda p: RMSprop(p, alpha=1.5), ValueError, r"alpha: expected a number in \[0.0, 1.0\]"),
        (lambda p: Adam([p["W_x"]]), TypeError, "params: expected a non-empty dict"),
        (lambda p: Adam({"W": np.zeros(3, dtype=int)}), TypeError, r"params\['W'\]: expected dtype float32 or float64"),
    ],
)
def test_bad_hyperparameters(build, exc, match):
    with pytest.raises(exc, match=match):
        build(make_params())


def test_load_state_dict_checks_keys_shapes_and_dtypes():
    params = make_params()
    opt = Adam(params)
    state = opt.state_dict()
    with pytest.raises(ValueError, match=r"state: expected keys .*missing keys \['v.b'\]"):
        opt.load_state_dict({k: v for k, v in state.items() if k != "v.b"})
    with pytest.raises(ValueError, match=r"unknown keys \['buf.W_x'\]"):
        opt.load_state_dict({**state, "buf.W_x": state["m.W_x"]})
    with pytest.raises(ValueError, match=r"state\['m.W_h'\]: expected shape \(2, 8\)"):
        opt.load_state_dict({**state, "m.W_h": np.zeros((8, 2))})
    with pytest.raises(TypeError, match=r"state\['v.b'\]: expected dtype float64"):
        opt.load_state_dict({**state, "v.b": np.zeros(8, dtype=np.float32)})
    with pytest.raises(ValueError, match=r"state\['t'\]: expected an int >= 0"):
        opt.load_state_dict({**state, "t": np.array(2.5)})
    sgd_state = SGD(params, lr=0.1, momentum=0.9).state_dict()
    with pytest.raises(ValueError, match="for Adam"):
        opt.load_state_dict(sgd_state)
