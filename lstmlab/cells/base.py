"""What every recurrent cell provides, and the step functions built on it.

A cell is split the same way for every architecture, so that one BPTT loop
(:mod:`lstmlab.sequence`) serves all of them:

* the **input projection** ``a_x = x @ W_x + b`` (shape ``(N, G*H)``, one
  H-wide block per gate), which the sequence level computes for all time steps
  in one matrix product;
* the **core**, which takes ``a_x`` and the previous state and does the rest
  of the step, including the recurrent products with ``W_h`` (and any other
  recurrent weights).

The state is a tuple: ``(h,)`` for the RNN and the GRU, ``(h, c)`` for the
LSTM, ``(h, c, q)`` for the LSTM with full gate recurrence (``q`` holds the
previous gate activations). ``state[0]`` is always the hidden state ``h``
that the layer outputs.

Core contract (N batch, H hidden, G gate blocks):

``core_forward(a_x, state_prev, params) -> (state, cache)``
    ``cache`` is a dict. For every recurrent weight ``key`` in
    ``cell.recurrent``, ``cache[cell.recurrent[key]]`` is the ``(N, H_in)``
    array that ``params[key]`` multiplied at this step. Where different
    column blocks of a weight multiply different inputs (Cho's GRU: the
    candidate block multiplies ``r * h_prev``), ``cell.recurrent[key]`` is a
    tuple naming one cache entry per block.

``core_backward(dstate, cache) -> (da_x, dstate_prev, da_rec, dother)``
    ``dstate`` holds the gradients of the loss w.r.t. each state entry
    (``None`` means zero). ``da_x`` is the gradient w.r.t. ``a_x``;
    ``dstate_prev`` w.r.t. the previous state, through *every* path;
    ``da_rec[key]`` is the gradient w.r.t. the product ``u @ params[key]``,
    so that ``dW = u.T @ da_rec[key]``; ``dother`` holds the gradients of the
    remaining parameters (peepholes, extra biases), summed over the batch.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from ..backend import get_xp
from ..checks import check_array, check_float_dtype, check_params, check_positive_int, check_sizes


@dataclass(frozen=True)
class Cell:
    """A recurrent cell: its parameter layout, its core, and a description."""

    name: str
    blocks: tuple  # names of the H-wide blocks of W_x's columns, in order (the gate order)
    state_names: tuple  # ("h",), ("h", "c") or ("h", "c", "q")
    core_forward: Callable
    core_backward: Callable
    recurrent: dict  # recurrent weight key -> cache key of the input it multiplies (or a tuple, one per block)
    extra_shapes: Callable = field(default=lambda D, H: {})  # (D, H) -> shapes of params besides W_x, W_h, b
    state_widths: Callable = field(default=None)  # H -> width of each state entry; default H for all
    description: str = ""

    @property
    def G(self) -> int:
        return len(self.blocks)

    def param_shapes(self, D: int, H: int) -> dict:
        """The shape of every parameter: ``W_x (D, G*H)``, ``W_h (H, G*H)``, ``b (G*H,)``, plus extras."""
        shapes = {"W_x": (D, self.G * H), "W_h": (H, self.G * H), "b": (self.G * H,)}
        shapes.update(self.extra_shapes(D, H))
        return shapes

    def widths(self, H: int) -> tuple:
        return self.state_widths(H) if self.state_widths else (H,) * len(self.state_names)

    def init_params(self, D: int, H: int, seed=0, dtype=np.float64) -> dict:
        """PyTorch's default initialisation: every entry from U(-1/sqrt(H), 1/sqrt(H))."""
        D, H = check_positive_int("D", D), check_positive_int("H", H)
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer, np.random.Generator)):
            raise TypeError(f"seed: expected an int or a np.random.Generator, got {type(seed).__name__} {seed!r}")
        dtype = check_float_dtype("dtype", dtype)
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        k = 1.0 / np.sqrt(H)
        return {key: rng.uniform(-k, k, size=shape).astype(dtype) for key, shape in self.param_shapes(D, H).items()}

    def dims(self, params) -> tuple:
        """``(D, H)`` read off ``params['W_x']`` and ``params['W_h']``, with a clear error if absent."""
        if not isinstance(params, dict):
            raise TypeError(f"params: expected a dict of arrays, got {type(params).__name__}")
        for key in ("W_x", "W_h"):
            if key not in params:
                raise ValueError(f"params: expected keys {sorted(self.param_shapes(1, 1))}, got missing keys ['{key}']")
            if getattr(params[key], "ndim", None) != 2:
                got = getattr(params[key], "shape", params[key])
                raise ValueError(f"params['{key}']: expected a 2-D array, got {got!r}")
        D, GH = params["W_x"].shape
        # H from W_x's G*H columns where they divide evenly, so that a wrong W_h is named as the culprit
        H = GH // self.G if GH % self.G == 0 and GH else params["W_h"].shape[0]
        if D < 1:
            raise ValueError(f"params['W_x']: expected D >= 1 rows (the input width), got shape {(D, GH)}")
        if H < 1:
            raise ValueError(
                f"params['W_h']: expected H >= 1 (the hidden width), got shape {tuple(params['W_h'].shape)}"
            )
        return D, H

    def check_params(self, params, dtype=None):
        """Validate ``params`` for this cell; returns ``(D, H, dtype)``."""
        D, H = self.dims(params)
        dtype = check_params(params, self.param_shapes(D, H), dtype=dtype)
        return D, H, dtype

    def zero_state(self, N: int, H: int, xp, dtype) -> tuple:
        return tuple(xp.zeros((N, w), dtype=dtype) for w in self.widths(H))


def _check_cell(cell) -> None:
    if not isinstance(cell, Cell):
        raise TypeError(f"cell: expected a Cell (lstmlab.get_cell(name)), got {type(cell).__name__} {cell!r:.60}")


def check_state(cell: Cell, state, N: int, H: int, dtype) -> tuple:
    """Validate a state tuple given to a step function."""
    _check_cell(cell)
    if not isinstance(state, tuple) or len(state) != len(cell.state_names):
        got = type(state).__name__
        if isinstance(state, (tuple, list)):
            got = f"a {got} of length {len(state)}"
        raise ValueError(
            f"state_prev: expected a tuple of {len(cell.state_names)} arrays {cell.state_names} "
            f"for the cell {cell.name!r}, got {got}"
        )
    for name, s, w in zip(cell.state_names, state, cell.widths(H)):
        check_array(f"{name}_prev", s, shape=(N, w), dtype=dtype)
    return state


def step_forward(cell: Cell, x, state_prev: tuple, params) -> tuple:
    """One time step: ``x (N, D)`` and the previous state -> ``(state, cache)``.

    The returned state arrays are copies: writing into them never changes what
    the cache keeps (so the backward pass stays right).
    """
    _check_cell(cell)
    D, H, dtype = cell.check_params(params)
    check_sizes("x", check_array("x", x, shape=(None, D), dtype=dtype), "ND")
    check_state(cell, state_prev, x.shape[0], H, dtype)
    a_x = x @ params["W_x"] + params["b"]
    state, core_cache = cell.core_forward(a_x, state_prev, params)
    return tuple(s.copy() for s in state), (core_cache, x, params)


def check_step_cache(cell: Cell, cache, fn: str = "step_forward"):
    """Validate a cache returned by :func:`step_forward` for ``cell``; returns ``(core_cache, x, params)``."""
    ok = isinstance(cache, tuple) and len(cache) == 3 and isinstance(cache[0], dict) and "h_prev" in cache[0]
    if not ok:
        raise TypeError(f"cache: expected the cache returned by {fn}, got {describe_cache(cache)}")
    core_cache, x, params = cache
    missing = [k for k in cell.recurrent.values() for k in ((k,) if isinstance(k, str) else k) if k not in core_cache]
    if missing or not isinstance(params, dict) or set(params) != set(cell.param_shapes(1, 1)):
        raise ValueError(f"cache: expected the cache of a step of the cell {cell.name!r}, got one of another cell")
    return cache


def describe_cache(cache) -> str:
    """A short description of a wrong cache argument for the error messages."""
    if isinstance(cache, (tuple, list)):
        return f"a {type(cache).__name__} of length {len(cache)}"
    if isinstance(cache, dict):
        return f"a dict with keys {sorted(map(str, cache))[:8]}"
    return type(cache).__name__


def check_dstate(cell: Cell, dstate, shape: tuple, dtype) -> tuple:
    """Validate the gradients w.r.t. a step's state: a tuple with one array (N, width) or None per entry."""
    _check_cell(cell)
    names = cell.state_names
    if not isinstance(dstate, tuple) or not 1 <= len(dstate) <= len(names):
        got = f"a {type(dstate).__name__} of length {len(dstate)}" if isinstance(dstate, (tuple, list)) else None
        raise TypeError(
            f"dstate: expected a tuple of up to {len(names)} arrays (or None) {names}, got "
            f"{got or type(dstate).__name__}"
        )
    N, H = shape
    for name, d, w in zip(names, dstate, cell.widths(H)):
        if d is not None or name == "h":
            check_array(f"d{name}", d, shape=(N, w), dtype=dtype)
    return dstate


def step_backward(cell: Cell, dstate: tuple, cache) -> tuple:
    """Backward of :func:`step_forward`: returns ``(dx, dstate_prev, grads)``.

    ``dstate`` holds the gradient w.r.t. each entry of the state (``dh`` required, the others may be None).
    """
    core_cache, x, params = check_step_cache(cell, cache)
    h_prev = core_cache["h_prev"]
    check_dstate(cell, dstate, tuple(h_prev.shape), h_prev.dtype)
    da_x, dstate_prev, da_rec, dother = cell.core_backward(dstate, core_cache)
    grads = {"W_x": x.T @ da_x, "b": da_x.sum(axis=0)}
    grads.update(recurrent_weight_grads(cell, lambda name: core_cache[name], da_rec))
    grads.update(dother)
    return da_x @ params["W_x"].T, dstate_prev, grads


def step_forward_h(cell: Cell, x, h_prev, params):
    """One step of any cell whose state is ``(h,)`` (the RNNs, the GRUs) -> ``(h, cache)``.

    The cache remembers the cell, so that :func:`step_backward_h` needs only ``(dh, cache)``.
    """
    (h,), cache = step_forward(cell, x, (h_prev,), params)
    return h, (cell, cache)


def step_backward_h(dh, cache, fn: str = "the step forward"):
    """Backward of :func:`step_forward_h`: ``dh`` (N, H) -> ``(dx, dh_prev, grads)``."""
    if not (isinstance(cache, tuple) and len(cache) == 2 and isinstance(cache[0], Cell)):
        raise TypeError(f"cache: expected the cache returned by {fn}, got {describe_cache(cache)}")
    cell, inner = cache
    if len(cell.state_names) != 1:
        raise ValueError(f"cache: expected the cache of a cell with the state ('h',), got one of {cell.name!r}")
    dx, (dh_prev,), grads = step_backward(cell, (dh,), inner)
    return dx, dh_prev, grads


def recurrent_weight_grads(cell: Cell, inputs, da_rec: dict) -> dict:
    """``dW = u.T @ da`` for every recurrent weight, one product per distinct input.

    ``inputs(name)`` returns the (rows, H_in) array cached under ``name``
    (one step's, or all steps' stacked); ``da_rec[key]`` is (rows, cols).
    """
    _check_cell(cell)
    grads = {}
    for key, src in cell.recurrent.items():
        da = da_rec[key]
        if isinstance(src, str):
            grads[key] = inputs(src).T @ da
            continue
        xp = get_xp(da)
        width = da.shape[1] // len(src)
        dW = xp.empty((inputs(src[0]).shape[1], da.shape[1]), dtype=da.dtype)
        for name in dict.fromkeys(src):  # each distinct input once, in order
            cols = xp.concatenate([xp.arange(n * width, (n + 1) * width) for n, s in enumerate(src) if s == name])
            dW[:, cols] = inputs(name).T @ da[:, cols]
        grads[key] = dW
    return grads


def sigmoid(a):
    """The logistic function, computed as ``0.5 * tanh(0.5 a) + 0.5`` (no overflow for any ``a``)."""
    return 0.5 * get_xp(a).tanh(0.5 * a) + 0.5
