"""Whole sequences: the forward pass over time and exact backpropagation through time.

``forward`` runs a cell over ``x`` of shape (N, T, D); ``backward`` returns the
gradient of every parameter, of ``x`` and of the initial state. Two matrix
products do the heavy lifting outside the time loop:

* before the loop, the input projection ``x W_x + b`` for all T steps at once;
* after the loop, ``dW_x``, ``db``, ``dx`` and every recurrent weight gradient
  (``dW_h = sum_t h_{t-1}^T da_t``), each as one product over all N*T rows.

Inside the loop only the part that truly depends on the previous step is left.

This loop is the readable reference for every cell. For the plain LSTM cells
(``lstm``, ``lstm1997``, ``np``) ``forward`` hands the work, after the same
argument checks, to :mod:`lstmlab.fast_lstm`, which computes the same numbers
faster; ``forward(..., fast=False)`` runs the reference loop instead. The cache
records which path made it (``cache["path"]``), and ``backward`` follows it.
"""

from __future__ import annotations

from . import fast_lstm
from .backend import get_xp
from .cells import get_cell
from .cells.base import Cell, describe_cache, recurrent_weight_grads
from .checks import check_array, check_bool, check_positive_int, check_sizes


def forward(x, params, cell="lstm", h0=None, c0=None, fast=True):
    """Run ``cell`` over a sequence.

    Parameters
    ----------
    x : array (N, T, D)
    params : dict of arrays, as ``cell.param_shapes(D, H)``
    cell : str or Cell
    h0, c0 : arrays (N, H), optional (zeros by default); ``c0`` only for LSTM cells
    fast : bool
        Use :mod:`lstmlab.fast_lstm` when it supports ``cell`` (the default);
        ``False`` always runs the reference loop below.

    Returns
    -------
    hs : array (N, T, H), the hidden state at every step
    final : dict, the state after the last step (``{"h": (N, H)}``, plus ``"c"`` for an LSTM)
    cache : what :func:`backward` needs

    ``hs`` and ``final`` share no memory with the cache (on every path), so a
    caller may write into them (reset one sequence's state before the next
    chunk, say) without changing what :func:`backward` returns.
    """
    fast = check_bool("fast", fast)
    cell, state = check_forward(x, params, cell, h0, c0)
    if fast and fast_lstm.supports(cell):
        return fast_lstm.run_forward(x, params, state, cell)

    N, T, D = x.shape
    H, dtype, xp = params["W_h"].shape[0], x.dtype, get_xp(x, *params.values())
    x_tm = x.transpose(1, 0, 2).copy()  # (T, N, D), time-major; always a copy, never a view of x
    a_x = (x_tm.reshape(T * N, D) @ params["W_x"] + params["b"]).reshape(T, N, -1)
    hs = xp.empty((T, N, H), dtype=dtype)
    caches = []
    for t in range(T):
        state, c = cell.core_forward(a_x[t], state, params)
        hs[t] = state[0]
        caches.append(c)
    final = {name: s.copy() for name, s in zip(cell.state_names, state)}  # the cache keeps the originals
    cache = {"path": "reference", "cell": cell, "x_tm": x_tm, "params": params, "caches": caches, "shape": (N, T, D, H)}
    return hs.transpose(1, 0, 2), final, cache


def check_forward(x, params, cell, h0=None, c0=None) -> tuple:
    """Validate the arguments of :func:`forward`; returns ``(cell, initial state)``, the state a
    tuple of fresh arrays (N, H) (zeros where ``h0`` or ``c0`` is None)."""
    cell = get_cell(cell)
    D, H, dtype = cell.check_params(params)
    check_sizes("x", check_array("x", x, shape=(None, None, D), dtype=dtype), "NT")
    N = x.shape[0]
    state = list(cell.zero_state(N, H, get_xp(x, *params.values()), dtype))
    for k, (name, given) in enumerate((("h0", h0), ("c0", c0))):
        if given is None:
            continue
        if k >= len(cell.state_names) or cell.state_names[k] != "hc"[k]:
            raise ValueError(f"{name}: the cell {cell.name!r} has no such state (its state is {cell.state_names})")
        state[k] = check_array(name, given, shape=(N, H), dtype=dtype).copy()  # the cache keeps its own copy
    return cell, tuple(state)


#: The entries of a cache of :func:`forward`, by path.
CACHE_KEYS = {
    "reference": ("cell", "x_tm", "params", "caches", "shape"),
    "fast": ("cell", "params", "shape", "x_aug", "Z", "Hs", "C", "tanh_C"),
}


def check_cache(cache) -> tuple:
    """Validate a cache returned by :func:`forward`; returns ``(cell, params, (N, T, D, H))``."""
    path = cache.get("path") if isinstance(cache, dict) else None
    if path not in CACHE_KEYS:
        hint = ""
        if isinstance(cache, tuple) and len(cache) == 3:
            hint = " (forward returns (hs, final, cache): pass its third element)"
        elif isinstance(cache, dict) and "h" in cache:
            hint = " (this looks like forward's final state; pass the cache, forward's third result)"
        raise TypeError(f"cache: expected the cache returned by sequence.forward, got {describe_cache(cache)}{hint}")
    missing = [k for k in CACHE_KEYS[path] if k not in cache]
    if missing or not isinstance(cache["cell"], Cell):
        raise ValueError(f"cache: expected a complete cache of sequence.forward, got one missing {missing or ['cell']}")
    return cache["cell"], cache["params"], cache["shape"]


def check_backward(dhs, cache, dh_T=None, dc_T=None, truncate=None):
    """Validate the arguments of :func:`backward`; returns ``(cell, params, (N, T, D, H), truncate)``,
    ``truncate`` checked (an int or None)."""
    cell, params, (N, T, D, H) = check_cache(cache)
    dtype = params["W_x"].dtype
    if dhs is not None:
        check_array("dhs", dhs, shape=(N, T, H), dtype=dtype)
    for name, g in (("dh_T", dh_T), ("dc_T", dc_T)):
        if g is not None:
            check_array(name, g, shape=(N, H), dtype=dtype)
    if dc_T is not None and "c" not in cell.state_names:
        raise ValueError(f"dc_T: the cell {cell.name!r} has no cell state c")
    return cell, params, (N, T, D, H), check_positive_int("truncate", truncate, allow_none=True)


def backward(dhs, cache, dh_T=None, dc_T=None, truncate=None):
    """Backpropagation through time for :func:`forward`.

    Parameters
    ----------
    dhs : array (N, T, H) or None
        Gradient of the loss w.r.t. every step's hidden state (None: zero).
    dh_T, dc_T : arrays (N, H), optional
        Gradients w.r.t. the final state (for example from the next chunk).
    truncate : int, optional
        Truncated BPTT with window ``k``: the sequence is cut into chunks of
        ``k`` steps (from t = 0), and no gradient flows from one chunk into the
        one before it, exactly as if the forward pass had been run chunk by
        chunk with the state detached between chunks. ``None`` is full BPTT.

    Returns
    -------
    grads : dict
        One entry per parameter, plus ``"x"`` (N, T, D), ``"h0"`` (N, H) and,
        for an LSTM, ``"c0"`` (N, H).
    """
    cell, params, (N, T, D, H), truncate = check_backward(dhs, cache, dh_T, dc_T, truncate)
    if cache.get("path") == "fast":
        return fast_lstm.run_backward(dhs, cache, dh_T, dc_T, truncate)
    dtype, xp, caches = params["W_x"].dtype, get_xp(cache["x_tm"]), cache["caches"]

    dstate = [None] * len(cell.state_names)
    dstate[0] = dh_T
    if dc_T is not None:
        dstate[1] = dc_T
    da_x = xp.empty((T, N, cell.G * H), dtype=dtype)
    da_rec = {}
    grads = {}
    for t in reversed(range(T)):
        if dhs is not None:
            dstate[0] = dhs[:, t] if dstate[0] is None else dstate[0] + dhs[:, t]
        if dstate[0] is None:
            dstate[0] = xp.zeros((N, H), dtype=dtype)
        da_x[t], dstate, da_r, dother = cell.core_backward(tuple(dstate), caches[t])
        dstate = list(dstate)
        for key, d in da_r.items():
            if key not in da_rec:
                da_rec[key] = xp.empty((T,) + d.shape, dtype=dtype)
            da_rec[key][t] = d
        for key, d in dother.items():
            grads[key] = d if key not in grads else grads[key] + d
        if truncate is not None and t % truncate == 0 and t > 0:
            dstate = [None] * len(dstate)  # the chunk boundary: nothing flows into the previous chunk

    flat = da_x.reshape(T * N, -1)
    grads["W_x"] = cache["x_tm"].reshape(T * N, D).T @ flat
    grads["b"] = flat.sum(axis=0)
    # every recurrent weight gradient as one product over all T*N rows: sum_t u_t^T da_t
    stacked = lambda name: xp.stack([c[name] for c in caches]).reshape(T * N, -1)  # noqa: E731
    grads.update(recurrent_weight_grads(cell, stacked, {k: d.reshape(T * N, -1) for k, d in da_rec.items()}))
    grads["x"] = (flat @ params["W_x"].T).reshape(T, N, D).transpose(1, 0, 2)
    initial = [n for n in cell.state_names[:2] if n in ("h", "c")]  # the states forward accepts
    for k, name in enumerate(initial):
        d = dstate[k]
        grads[f"{name}0"] = xp.zeros((N, H), dtype=dtype) if d is None else d
    return {k: grads[k] for k in (*params, "x", *(f"{n}0" for n in initial))}


def states_at(cache, hs, steps) -> dict:
    """The state of every sequence after its own step ``steps[n]``: ``{name: (N, width)}`` (copies).

    ``cache`` and ``hs`` come from :func:`forward`; ``steps`` is an int array (N,) of steps in ``[0, T)``.
    This is how a padded batch reads each sequence's final state at its last real step.
    """
    cell, _, (N, T, D, H) = check_cache(cache)
    xp = get_xp(hs)
    rows = xp.arange(N)
    out = {"h": hs[rows, steps]}
    if "c" in cell.state_names:
        if cache["path"] == "fast":
            out["c"] = xp.ascontiguousarray(cache["C"][steps + 1, :, rows])  # C is (T+1, H, N), C[t+1] = c_t
        else:
            out["c"] = _gather(xp, [c["c"] for c in cache["caches"]], steps, rows)
    if "q" in cell.state_names:
        q = [xp.concatenate([c[k] for k in ("i", "f", "o")], axis=1) for c in cache["caches"]]
        out["q"] = _gather(xp, q, steps, rows)
    return {name: out[name] for name in cell.state_names}


def _gather(xp, per_step: list, steps, rows):
    """``out[n] = per_step[steps[n]][n]`` for a list of T arrays (N, width)."""
    out = xp.empty_like(per_step[0])
    steps_host = [int(t) for t in (steps.tolist() if hasattr(steps, "tolist") else steps)]
    for t in sorted(set(steps_host)):
        sel = xp.asarray([n for n, s in enumerate(steps_host) if s == t])
        out[sel] = per_step[t][sel]
    return out
