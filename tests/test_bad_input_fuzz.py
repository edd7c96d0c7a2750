"""Property-based: malformed calls to the public API raise only ValueError or TypeError naming the argument.

Hypothesis draws a public function, valid arguments for it (random small sizes), one argument
to spoil and a way to spoil it (a wrong type, dtype, shape, an empty axis, a NaN or inf, a number
out of range, an unknown mode string). The call must raise ``ValueError`` or ``TypeError`` whose
message names the spoiled argument, and leave every array it was given unchanged.
"""

import copy
import math
import os
import tempfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lstmlab import sequence
from lstmlab.cells import (
    get_cell,
    gru_step_forward,
    lstm_step_backward,
    lstm_step_forward,
    register,
    rnn_step_backward,
    rnn_step_forward,
)
from lstmlab.checkpoint import load_checkpoint, save_checkpoint
from lstmlab.claims import claim, summarise
from lstmlab.clip import clip_grad_norm, clip_grad_value, global_norm
from lstmlab.data.text import Vocabulary, batchify, bptt_batches, unigram_nats
from lstmlab.data.timeseries import chronological_split, make_windows, persistence_mse
from lstmlab.exercises.feedback import Feedback
from lstmlab.gradcheck import gradcheck, numerical_gradient, relative_error
from lstmlab.init import hs1997_init, orthogonal_init, set_forget_bias
from lstmlab.losses import log_softmax, mse_loss, softmax_cross_entropy
from lstmlab.model import Model
from lstmlab.optim import SGD, Adam, RMSprop
from lstmlab.schedules import CosineAnnealingLR, ExponentialLR, StepLR
from lstmlab.stack import init_stack_params, stack_backward, stack_forward
from lstmlab.sweep import fit_seeds
from lstmlab.tasks import AddingProblem, CopyMemory, LongLag, SpikeTiming, TemporalOrder, get_task
from lstmlab.train import TrainConfig, Trainer, fit

QUIET = dict(progress=False)


def _checkpoint_file(cache={}):  # noqa: B006 - one file for the whole module
    if "path" not in cache:
        folder = tempfile.mkdtemp()
        cache["path"] = os.path.join(folder, "c.npz")
        save_checkpoint(cache["path"], {"a": np.zeros(2)}, {})
    return cache["path"]


# ----------------------------------------------------------------------------------------------- spoilers

ARRAY = "array"  # a float array of a fixed shape: every spoiler applies
OPT_ARRAY = "optional array"  # the same, but None is allowed
INTS = "int array"  # integer class indices of a fixed shape
IDS = "ids"  # integer ids of any shape
ANY_ARRAY = "array of any shape"
PROB = "real in [0, 1]"
DICT = "dict"
DTYPE = "float dtype"
PATH = "file path"
CACHE = "cache"
SEQUENCE = "list of callbacks"
DATA = "task or arrays"
AXIS = "axis"
NAN_OK = "array of any shape, NaN allowed"
POS_REAL = "positive real"
NONNEG_REAL = "non-negative real"
UNIT = "real in [0, 1)"
POS_INT = "positive int"
OPT_POS_INT = "positive int or None"
CHOICE = "mode string"
BOOL = "bool"
PARAMS = "dict of arrays"


def spoilers(kind, value):
    """Values of the wrong kind for an argument of ``kind`` whose valid value is ``value``."""
    if kind in (ARRAY, OPT_ARRAY):
        a = value
        out = ["abc", [1.0, 2.0], a.astype(np.int64), a[..., None], a[:0]]
        if a.size:
            nan, inf = a.copy(), a.copy()
            nan.flat[0], inf.flat[-1] = np.nan, -np.inf
            out += [nan, inf]
        return out + ([None] if kind == ARRAY else [])
    if kind == ANY_ARRAY:
        nan = value.copy()
        nan.flat[0] = np.nan
        return ["abc", [1.0, 2.0], value.astype(np.int64), nan, None]
    if kind == IDS:
        return ["abc", value.astype(np.float64) + 0.5, value + 10**6, value - 10**6, None]
    if kind == PROB:
        return [-0.1, 1.5, math.nan, "0.5", None]
    if kind == AXIS:
        return [5, -9, 1.5, "0", None]
    if kind == NAN_OK:
        return ["abc", [1.0, 2.0], value.astype(np.int64), None]
    if kind == DTYPE:
        return ["float16", "bogus", np.int64, 3, True]
    if kind == PATH:
        return [3, b"bytes", "", ["a"]]
    if kind == CACHE:
        return [None, "abc", (1, 2, 3), {"x": 1}, [value]]
    if kind == SEQUENCE:
        return [3, "abc", None]
    if kind == DATA:
        x, y = value
        return [None, "abc", (x,), (x[..., 0], y), (x, y[:1]), (x.astype(np.int64), y)]
    if kind == DICT:
        return [None, [1.0], "abc"]
    if kind == INTS:
        return ["abc", value.astype(np.float64) + 0.5, value[..., None], value + 10**6, value - 10**6]
    if kind == POS_REAL:
        return [-1.0, 0.0, math.nan, math.inf, "1", None, True]
    if kind == NONNEG_REAL:
        return [-0.5, math.nan, -math.inf, "1", None]
    if kind == UNIT:
        return [-0.1, 1.0, 1.5, math.nan, "0.5"]
    if kind in (POS_INT, OPT_POS_INT):
        return [0, -3, 1.5, "2", True] + ([None] if kind == POS_INT else [])
    if kind == CHOICE:
        return ["bogus", 3, None, ["lstm"]]
    if kind == BOOL:
        return ["yes", 2, None]
    if kind == PARAMS:
        key = sorted(value)[0]
        return [None, list(value.values()), {**value, key: value[key][..., None]}, {**value, key: value[key] * np.nan}]
    raise AssertionError(kind)


# ----------------------------------------------------------------------------------------------- the public API


def _rng(seed):
    return np.random.default_rng(seed)


def _step(cell, N, D, H, seed):
    r = _rng(seed)
    return r.normal(size=(N, D)), r.normal(size=(N, H)), r.normal(size=(N, H)), get_cell(cell).init_params(D, H, seed)


def api(N, T, D, H, seed):
    """name -> (function, kwargs, {argument: kind}); fresh arrays on every call."""
    r = _rng(seed)
    x2, h, c, p_rnn = _step("rnn", N, D, H, seed)
    p_lstm, p_gru = get_cell("lstm").init_params(D, H, seed), get_cell("gru").init_params(D, H, seed)
    _, _, lstm_cache = lstm_step_forward(x2, h, c, p_lstm)
    _, rnn_cache = rnn_step_forward(x2, h, p_rnn)
    x = r.normal(size=(N, T, D))
    _, _, seq_cache = sequence.forward(x, p_lstm, "lstm")
    sp = init_stack_params("gru", D, H, 1, True, seed=seed)
    _, _, st_cache = stack_forward(x, sp, "gru", 1, True)
    model = Model("lstm", D, H, 2, seed=seed)
    y2 = r.normal(size=(N, 2))
    grads = {k: r.normal(size=v.shape) for k, v in p_lstm.items()}
    opt = Adam(copy.deepcopy(p_lstm))
    series = r.normal(size=40)
    ids = r.integers(0, 5, size=30)
    a = r.normal(size=4)
    stream = r.integers(0, 5, size=(2, 9))
    ckpt = _checkpoint_file()
    trainer = Trainer(Model("lstm", 2, H, 1, seed=seed), AddingProblem(T=5), TrainConfig(steps=2, **QUIET))
    data = (x, (r.normal(size=(N, T, D)).sum(axis=(1, 2)) > 0).astype(np.int64))
    cls_model = Model("gru", D, H, 2, seed=seed)
    return {
        "Trainer": (
            Trainer,
            dict(model=cls_model, data=data, config=TrainConfig(steps=2, **QUIET), callbacks=[]),
            dict(data=DATA, callbacks=SEQUENCE),
        ),
        "fit": (fit, dict(model=cls_model, data=data, config=TrainConfig(steps=2, **QUIET)), dict(data=DATA)),
        "Trainer.save": (trainer.save, dict(path=None), dict(path=PATH)),
        "load_checkpoint": (load_checkpoint, dict(path=ckpt), dict(path=PATH)),
        "Cell.init_params": (
            get_cell("lstm").init_params,
            dict(D=D, H=H, seed=seed, dtype=np.float64),
            dict(D=POS_INT, H=POS_INT, dtype=DTYPE),
        ),
        "log_softmax": (log_softmax, dict(logits=r.normal(size=(N, 3)), axis=-1), dict(logits=ANY_ARRAY, axis=AXIS)),
        "relative_error": (relative_error, dict(num=a, ana=a + 1e-9), dict(num=NAN_OK, ana=NAN_OK)),
        "bptt_batches": (bptt_batches, dict(streams=stream, k=3), dict(k=POS_INT)),
        "get_task": (get_task, dict(name="copy", T=4), dict(name=CHOICE)),
        "register": (register, dict(cell=get_cell("lstm")), dict(cell=CACHE)),
        "sequence.backward cache": (sequence.backward, dict(dhs=None, cache=seq_cache), dict(cache=CACHE)),
        "stack_backward cache": (stack_backward, dict(dout=None, cache=st_cache), dict(cache=CACHE)),
        "lstm_step_backward cache": (
            lstm_step_backward,
            dict(dh=r.normal(size=(N, H)), dc=None, cache=lstm_cache),
            dict(cache=CACHE),
        ),
        "Model.backward cache": (model.backward, dict(dy_pred=r.normal(size=(N, 2)), cache=None), dict(cache=CACHE)),
        "stack_forward lengths": (
            stack_forward,
            dict(x=x, params=sp, cell="gru", num_layers=1, bidirectional=True, lengths=np.full(N, T)),
            dict(lengths=IDS),
        ),
        "Task.sample dtype": (
            AddingProblem(T=10).sample,
            dict(batch_size=N, rng=r, dtype=np.float32),
            dict(dtype=DTYPE),
        ),
        "rnn_step_forward": (
            rnn_step_forward,
            dict(x=x2, h_prev=h, params=p_rnn, nonlinearity="tanh"),
            dict(x=ARRAY, h_prev=ARRAY, params=PARAMS, nonlinearity=CHOICE),
        ),
        "lstm_step_forward": (
            lstm_step_forward,
            dict(x=x2, h_prev=h, c_prev=c, params=p_lstm),
            dict(x=ARRAY, h_prev=ARRAY, c_prev=ARRAY, params=PARAMS),
        ),
        "gru_step_forward": (
            gru_step_forward,
            dict(x=x2, h_prev=h, params=p_gru, convention="torch"),
            dict(x=ARRAY, h_prev=ARRAY, params=PARAMS, convention=CHOICE),
        ),
        "lstm_step_backward": (
            lstm_step_backward,
            dict(dh=r.normal(size=(N, H)), dc=r.normal(size=(N, H)), cache=lstm_cache),
            dict(dh=ARRAY, dc=OPT_ARRAY),
        ),
        "rnn_step_backward": (rnn_step_backward, dict(dh=r.normal(size=(N, H)), cache=rnn_cache), dict(dh=ARRAY)),
        "sequence.forward": (
            sequence.forward,
            dict(x=x, params=p_lstm, cell="lstm", h0=h, c0=c, fast=True),
            dict(x=ARRAY, params=PARAMS, cell=CHOICE, h0=OPT_ARRAY, c0=OPT_ARRAY, fast=BOOL),
        ),
        "sequence.backward": (
            sequence.backward,
            dict(dhs=r.normal(size=(N, T, H)), cache=seq_cache, dh_T=h, dc_T=c, truncate=2),
            dict(dhs=OPT_ARRAY, dh_T=OPT_ARRAY, dc_T=OPT_ARRAY, truncate=OPT_POS_INT),
        ),
        "stack_forward": (
            stack_forward,
            dict(x=x, params=sp, cell="gru", num_layers=1, bidirectional=True),
            dict(x=ARRAY, params=PARAMS, cell=CHOICE, num_layers=POS_INT, bidirectional=BOOL),
        ),
        "stack_backward": (
            stack_backward,
            dict(dout=r.normal(size=(N, T, 2 * H)), cache=st_cache, dh_T=r.normal(size=(2, N, H))),
            dict(dout=OPT_ARRAY, dh_T=OPT_ARRAY),
        ),
        "Model": (
            Model,
            dict(cell="gru", input_size=D, hidden_size=H, output_size=3, num_layers=1, readout="all"),
            dict(cell=CHOICE, input_size=POS_INT, hidden_size=POS_INT, output_size=POS_INT, readout=CHOICE),
        ),
        "Model.forward": (model.forward, dict(x=x), dict(x=ARRAY)),
        "mse_loss": (mse_loss, dict(y_pred=y2, y=r.normal(size=(N, 2))), dict(y_pred=ARRAY, y=ARRAY)),
        "softmax_cross_entropy": (
            softmax_cross_entropy,
            dict(logits=y2, targets=r.integers(0, 2, size=N)),
            dict(logits=ARRAY, targets=INTS),
        ),
        "Adam": (
            Adam,
            dict(params=copy.deepcopy(p_lstm), lr=1e-3, eps=1e-8, weight_decay=0.0),
            dict(lr=NONNEG_REAL, eps=NONNEG_REAL, weight_decay=NONNEG_REAL),
        ),
        "SGD": (
            SGD,
            dict(params=copy.deepcopy(p_lstm), lr=0.1, momentum=0.5, nesterov=False, dampening=0.0),
            dict(lr=NONNEG_REAL, momentum=NONNEG_REAL, nesterov=BOOL, dampening=PROB),
        ),
        "RMSprop": (
            RMSprop,
            dict(params=copy.deepcopy(p_lstm), lr=0.1, alpha=0.9, centered=False),
            dict(lr=NONNEG_REAL, alpha=PROB, centered=BOOL),
        ),
        "Optimizer.step": (opt.step, dict(params=copy.deepcopy(p_lstm), grads=grads), dict(grads=PARAMS)),
        "StepLR": (StepLR, dict(optimizer=opt, step_size=3, gamma=0.5), dict(step_size=POS_INT, gamma=NONNEG_REAL)),
        "ExponentialLR": (ExponentialLR, dict(optimizer=opt, gamma=0.9), dict(gamma=NONNEG_REAL)),
        "CosineAnnealingLR": (
            CosineAnnealingLR,
            dict(optimizer=opt, T_max=10, eta_min=0.0),
            dict(T_max=POS_INT, eta_min=NONNEG_REAL),
        ),
        "clip_grad_norm": (clip_grad_norm, dict(grads=grads, max_norm=1.0), dict(max_norm=POS_REAL)),
        "clip_grad_value": (clip_grad_value, dict(grads=grads, clip_value=0.1), dict(clip_value=POS_REAL)),
        "global_norm": (global_norm, dict(grads=grads), dict(grads=DICT)),
        "AddingProblem": (
            AddingProblem,
            dict(T=30, form="paper", random_length=False, tolerance=0.04, mse_goal=0.01),
            dict(T=POS_INT, form=CHOICE, random_length=BOOL, tolerance=POS_REAL, mse_goal=POS_REAL),
        ),
        "CopyMemory": (
            CopyMemory,
            dict(T=5, n_symbols=4, n_copy=3),
            dict(T=POS_INT, n_symbols=POS_INT, n_copy=POS_INT),
        ),
        "TemporalOrder": (TemporalOrder, dict(T=20, random_length=False), dict(T=POS_INT, random_length=BOOL)),
        "LongLag": (LongLag, dict(p=5, targets="last"), dict(p=POS_INT, targets=CHOICE)),
        "SpikeTiming": (
            SpikeTiming,
            dict(T=20, mode="generate", interval=4),
            dict(T=POS_INT, mode=CHOICE, interval=POS_INT),
        ),
        "Task.sample": (AddingProblem(T=10).sample, dict(batch_size=N, rng=r), dict(batch_size=POS_INT)),
        "TrainConfig": (
            TrainConfig,
            dict(steps=10, batch_size=4, lr=0.01, clip_norm=1.0, eval_every=5, optimizer="sgd", schedule="step"),
            dict(
                steps=POS_INT,
                batch_size=POS_INT,
                lr=POS_REAL,
                clip_norm=POS_REAL,
                eval_every=OPT_POS_INT,
                optimizer=CHOICE,
                schedule=CHOICE,
            ),
        ),
        "gradcheck": (
            gradcheck,
            dict(f=lambda p: float((p["w"] ** 2).sum()), params={"w": a}, analytic={"w": 2 * a}, eps=1e-5, tol=1e-7),
            dict(params=PARAMS, eps=POS_REAL, tol=NONNEG_REAL),
        ),
        "numerical_gradient": (
            numerical_gradient,
            dict(f=lambda v: float((v**2).sum()), a=a, eps=1e-5),
            dict(a=ANY_ARRAY, eps=POS_REAL),
        ),
        "set_forget_bias": (set_forget_bias, dict(params=p_lstm, cell="lstm", value=1.0), dict(cell=CHOICE)),
        "orthogonal_init": (orthogonal_init, dict(params=p_lstm, seed=0, gain=1.0), dict(gain=POS_REAL)),
        "hs1997_init": (hs1997_init, dict(params=p_lstm, seed=0, scale=0.1), dict(scale=POS_REAL)),
        "make_windows": (
            make_windows,
            dict(series=series, T=5, horizon=2),
            dict(series=ARRAY, T=POS_INT, horizon=POS_INT),
        ),
        "chronological_split": (
            chronological_split,
            dict(series=series, val_fraction=0.2, test_fraction=0.2),
            dict(series=ARRAY, val_fraction=UNIT, test_fraction=UNIT),
        ),
        "persistence_mse": (
            persistence_mse,
            dict(x=r.normal(size=(N, T, 1)), y=r.normal(size=(N, 2))),
            dict(x=ARRAY, y=ARRAY),
        ),
        "batchify": (batchify, dict(ids=ids, N=3), dict(N=POS_INT)),
        "unigram_nats": (
            unigram_nats,
            dict(train_ids=ids, test_ids=ids[:10], V=5, alpha=1.0),
            dict(train_ids=IDS, test_ids=IDS, V=POS_INT, alpha=POS_REAL),
        ),
        "Vocabulary.encode": (Vocabulary("abc").encode, dict(text="abca"), dict()),
        "Feedback.compare": (
            Feedback("t").compare,
            dict(name="x", got=a, want=a, rtol=1e-6, atol=1e-8),
            dict(rtol=NONNEG_REAL, atol=NONNEG_REAL),
        ),
        "save_checkpoint": (save_checkpoint, dict(path=None, arrays={"a": a}, meta={}), dict()),
        "claim": (claim, dict(statement="it holds", holds=True), dict(holds=BOOL)),
        "summarise": (summarise, dict(results=[3.0, None], budget=10), dict(budget=POS_REAL)),
        "fit_seeds": (
            fit_seeds,
            dict(
                seeds=[0, 1],
                data=data,
                config=TrainConfig(steps=1, **QUIET),
                cell="lstm",
                input_size=D,
                hidden_size=H,
                output_size=2,
                together=None,
            ),
            dict(data=DATA, together=BOOL),
        ),
    }


#: Spoilers that are valid for particular arguments (None where the argument is optional, say).
ALLOWED = {
    ("TrainConfig", "clip_norm", None),
    ("TrainConfig", "schedule", None),
    ("lstm_step_backward", "dc", None),
    ("stack_forward lengths", "lengths", None),
    ("fit_seeds", "together", None),
    ("summarise", "budget", None),
}

NAMES = sorted(api(2, 3, 2, 3, 0))
CASES = [(name, arg) for name in NAMES for arg in api(2, 3, 2, 3, 0)[name][2]]


def _snapshot(value):
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, dict):
        return {k: _snapshot(v) for k, v in value.items()}
    return None


def _same(a, b):
    if isinstance(a, np.ndarray):
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, dict):
        for k in a:
            _same(a[k], b[k])


@settings(max_examples=600, deadline=None, derandomize=True, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_malformed_calls_raise_named_value_or_type_errors_and_modify_nothing(data):
    name, arg = data.draw(st.sampled_from(CASES), label="function and argument")
    N, T, D, H = (data.draw(st.integers(1, 4), label=k) for k in "NTDH")
    fn, kwargs, kinds = api(N, T, D, H, data.draw(st.integers(0, 3), label="seed"))[name]
    bad = data.draw(st.sampled_from(spoilers(kinds[arg], kwargs[arg])), label="spoiled value")
    if (name, arg, bad if bad is None or isinstance(bad, str) else "") in ALLOWED:
        return
    call = {**kwargs, arg: bad}
    before = {k: _snapshot(v) for k, v in call.items()}
    with pytest.raises((ValueError, TypeError)) as info:
        fn(**call)
    assert type(info.value) in (ValueError, TypeError), f"{name}({arg}=...) raised {type(info.value).__name__}"
    assert _names(info.value, arg, bad, kwargs), f"{name}({arg}={bad!r:.40}): {info.value}"
    for k, v in before.items():
        _same(v, call[k])


def _names(error, arg, bad, kwargs) -> bool:
    """The message starts with the spoiled argument's name; or, when only its shape was spoiled, with the
    name of the argument whose shape no longer agrees with it (``y`` for a spoiled ``y_pred``, say)."""
    head = str(error).split(":")[0]
    if arg in head:
        return True
    return _reshaped(bad, kwargs[arg]) and any(k in head for k in kwargs if k != arg)


def _reshaped(bad, good) -> bool:
    """``bad`` is ``good`` with the same dtype and finite values but another shape (or a dict with such an entry)."""
    if isinstance(bad, dict) and isinstance(good, dict) and bad.keys() == good.keys():
        return any(_reshaped(bad[k], good[k]) for k in bad)
    ok = isinstance(bad, np.ndarray) and isinstance(good, np.ndarray) and bad.dtype == good.dtype
    return ok and bad.shape != good.shape and bool(np.isfinite(bad).all())


@pytest.mark.parametrize("name, arg", CASES)
def test_every_spoiler_of_every_argument(name, arg):
    """The same property, exhaustively over the spoilers, at one set of sizes."""
    fn, kwargs, kinds = api(2, 3, 2, 3, 0)[name]
    for bad in spoilers(kinds[arg], kwargs[arg]):
        if (name, arg, bad if bad is None or isinstance(bad, str) else "") in ALLOWED:
            continue
        fn, kwargs, kinds = api(2, 3, 2, 3, 0)[name]
        call = {**kwargs, arg: bad}
        before = {k: _snapshot(v) for k, v in call.items()}
        with pytest.raises((ValueError, TypeError)) as info:
            fn(**call)
        assert _names(info.value, arg, bad, kwargs), f"{name}({arg}={bad!r:.40}): {info.value}"
        for k, v in before.items():
            _same(v, call[k])


def test_argument_ranges_of_the_adding_problem():
    for kwargs in (dict(tolerance=-0.1), dict(tolerance=math.nan), dict(mse_goal=-1)):
        with pytest.raises(ValueError, match=next(iter(kwargs))):
            AddingProblem(**kwargs)
