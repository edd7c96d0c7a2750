"""Stacked and bidirectional recurrent layers, for any cell.

A stack of ``L`` layers feeds the hidden states of layer ``l`` to layer
``l + 1`` as its input sequence. A bidirectional layer runs two independent
copies of the cell over the sequence: one forwards in time, one backwards
(on the time-reversed sequence), and concatenates their hidden states at
every step, forward half first, as ``torch.nn.LSTM(bidirectional=True)`` does:

.. math::

    \\overrightarrow{h}_t = \\text{cell}(x_t, \\overrightarrow{h}_{t-1}), \\qquad
    \\overleftarrow{h}_t = \\text{cell}(x_t, \\overleftarrow{h}_{t+1}), \\qquad
    y_t = [\\overrightarrow{h}_t, \\overleftarrow{h}_t]

Every layer after the first therefore takes input of width ``H * num_directions``.

Parameters live in one flat dict. The key ``"l{layer}.{key}"`` holds the
forward direction's ``key`` of that layer, and ``"l{layer}_reverse.{key}"``
the reverse direction's (the names mirror torch's ``weight_ih_l0_reverse``),
for example ``"l0.W_x"``, ``"l0_reverse.W_x"``, ``"l1.W_h"``. Initial and
final states are stacked on a leading axis of length
``num_layers * num_directions`` in torch's order: ``(layer 0 forward,
layer 0 reverse, layer 1 forward, ...)``.

Shapes: x (N, T, D), out (N, T, num_directions * H), h0 / c0 / final states
(num_layers * num_directions, N, H).

There is no dropout between layers here; a model that wants it applies it to
the output of each layer itself.
"""

from __future__ import annotations

import re

import numpy as np

from . import sequence
from .backend import get_xp
from .cells import get_cell
from .checks import _describe, check_array, check_ids, check_params, check_positive_int, check_sizes

#: The suffix of the reverse direction's keys, as in torch's ``weight_ih_l0_reverse``.
REVERSE = "_reverse"

_KEY = re.compile(r"^l(\d+)(_reverse)?\.(.+)$")


def check_layout(num_layers, bidirectional) -> tuple:
    """Validate ``num_layers`` (an int >= 1) and ``bidirectional`` (a bool); returns them as ``(int, bool)``."""
    num_layers = check_positive_int("num_layers", num_layers)
    if not isinstance(bidirectional, (bool, np.bool_)):
        raise TypeError(f"bidirectional: expected a bool, got {type(bidirectional).__name__} {bidirectional!r}")
    return num_layers, bool(bidirectional)


def prefixes(num_layers: int = 1, bidirectional: bool = False) -> list:
    """The key prefix of every (layer, direction), in torch's order: ``["l0.", "l0_reverse.", "l1.", ...]``."""
    num_layers, bidirectional = check_layout(num_layers, bidirectional)
    suffixes = ("", REVERSE) if bidirectional else ("",)
    return [f"l{layer}{s}." for layer in range(num_layers) for s in suffixes]


def stack_param_shapes(cell, D: int, H: int, num_layers: int = 1, bidirectional: bool = False) -> dict:
    """The shape of every parameter of a stack, keyed ``"l{layer}[_reverse].{key}"``.

    Layer 0 takes input of width ``D``; every later layer ``H * num_directions``.
    """
    cell = get_cell(cell)
    D = check_positive_int("D", D)
    H = check_positive_int("H", H)
    num_layers, bidirectional = check_layout(num_layers, bidirectional)
    suffixes = ("", REVERSE) if bidirectional else ("",)
    shapes = {}
    for layer in range(num_layers):
        D_in = D if layer == 0 else H * len(suffixes)
        for suffix in suffixes:
            shapes.update({f"l{layer}{suffix}.{k}": s for k, s in cell.param_shapes(D_in, H).items()})
    return shapes


def init_stack_params(
    cell, D: int, H: int, num_layers: int = 1, bidirectional: bool = False, seed=0, dtype=np.float64
) -> dict:
    """Parameters for a stack, each (layer, direction) initialised by the cell's own ``init_params``.

    The draws come from one generator seeded with ``seed``, one (layer, direction) after another in
    torch's order, so the result depends only on the arguments.
    """
    cell = get_cell(cell)
    shapes = stack_param_shapes(cell, D, H, num_layers, bidirectional)
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    params = {}
    for prefix in prefixes(num_layers, bidirectional):
        D_in = shapes[prefix + "W_x"][0]
        params.update({prefix + k: v for k, v in cell.init_params(D_in, H, seed=rng, dtype=dtype).items()})
    return params


def stack_layout(params) -> tuple:
    """``(num_layers, bidirectional)`` as read off the keys of a stack's params dict.

    Raises ``ValueError`` for a key that is not of the form ``"l{layer}[_reverse].{key}"``, for
    missing layers, and for a reverse direction present in some layers only.
    """
    if not isinstance(params, dict):
        raise TypeError(f"params: expected a dict of arrays, got {type(params).__name__}")
    if not params:
        raise ValueError("params: expected keys of the form 'l{layer}.{key}' or 'l{layer}_reverse.{key}', got none")
    found = {}
    for key in params:
        m = _KEY.match(key) if isinstance(key, str) else None
        if m is None:
            raise ValueError(
                f"params: expected keys of the form 'l{{layer}}.{{key}}' or 'l{{layer}}_reverse.{{key}}' "
                f"(for example 'l0.W_x', 'l0_reverse.W_h'), got {key!r}"
            )
        found.setdefault(int(m.group(1)), set()).add(bool(m.group(2)))
    layers = sorted(found)
    num_layers = layers[-1] + 1
    if layers != list(range(num_layers)):
        missing = sorted(set(range(num_layers)) - set(layers))
        raise ValueError(f"params: expected layers 0 to {num_layers - 1}, got no keys for layer(s) {missing}")
    has_reverse = {layer: True in dirs for layer, dirs in found.items()}
    has_forward = {layer: False in dirs for layer, dirs in found.items()}
    if not all(has_forward.values()):
        bad = [layer for layer, ok in has_forward.items() if not ok]
        raise ValueError(f"params: expected forward keys 'l{{layer}}.' for every layer, got none for layer(s) {bad}")
    bidirectional = has_reverse[0]
    odd = [layer for layer in layers if has_reverse[layer] != bidirectional]
    if odd:
        raise ValueError(
            f"params: expected '_reverse' keys in every layer or in none, got them in layer(s) "
            f"{[layer for layer in layers if has_reverse[layer]]} only"
        )
    return num_layers, bidirectional


def check_stack_params(params, cell, num_layers: int = 1, bidirectional: bool = False, dtype=None) -> tuple:
    """Validate a stack's params against ``cell``, ``num_layers`` and ``bidirectional``; returns ``(D, H, dtype)``."""
    cell = get_cell(cell)
    num_layers, bidirectional = check_layout(num_layers, bidirectional)
    found_layers, found_bidir = stack_layout(params)
    if found_layers != num_layers:
        raise ValueError(f"num_layers: expected {found_layers} (the layers in params), got {num_layers}")
    if found_bidir != bidirectional:
        raise ValueError(
            f"bidirectional: expected {found_bidir} (params {'have' if found_bidir else 'have no'} "
            f"'_reverse' keys), got {bidirectional}"
        )
    for key in ("l0.W_x", "l0.W_h"):
        if getattr(params.get(key), "ndim", None) != 2:
            got = "no such key" if key not in params else _describe(params[key])
            raise ValueError(f"params[{key!r}]: expected a 2-D array, got {got}")
    D, H = params["l0.W_x"].shape[0], params["l0.W_h"].shape[0]
    for key, size, what in (("l0.W_x", D, "D >= 1 rows (the input width)"), ("l0.W_h", H, "H >= 1 (the hidden width)")):
        if size < 1:
            raise ValueError(f"params[{key!r}]: expected {what}, got shape {params[key].shape}")
    shapes = stack_param_shapes(cell, D, H, num_layers, bidirectional)
    dtype = check_params(params, shapes, dtype=dtype)
    return D, H, dtype


def _sub(params, prefix: str) -> dict:
    return {k[len(prefix) :]: v for k, v in params.items() if k.startswith(prefix)}


def _check_stacked_state(name, a, cell, S, N, H, dtype, state="c"):
    if a is None:
        return None
    if state == "c" and "c" not in cell.state_names:
        raise ValueError(f"{name}: the cell {cell.name!r} has no cell state c (its state is {cell.state_names})")
    return check_array(name, a, shape=(S, N, H), dtype=dtype)


def check_lengths(lengths, N: int, T: int):
    """Validate per-sequence lengths: ints (N,) in ``[1, T]``; returns them as an int64 NumPy array (a copy)."""
    if lengths is None:
        return None
    if not (hasattr(lengths, "shape") and hasattr(lengths, "dtype")) and not isinstance(lengths, (list, tuple)):
        raise TypeError(f"lengths: expected an int array of shape ({N},), got {_describe(lengths)}")
    host = np.array(lengths.get() if hasattr(lengths, "get") else lengths)
    if host.dtype.kind not in "iu" and not (host.size == 0 and host.dtype.kind == "f"):
        raise TypeError(f"lengths: expected integer lengths, got dtype {host.dtype}")
    if host.shape != (N,):
        raise ValueError(f"lengths: expected shape ({N},) (one length per sequence), got {host.shape}")
    if host.size and (host.min() < 1 or host.max() > T):
        got = f"values from {host.min()} to {host.max()}"
        raise ValueError(f"lengths: expected lengths in [1, {T}] (T = {T}), got {got}")
    return host.astype(np.int64)


def reverse_index(lengths, T: int, xp=np):
    """The time index (N, T) that reverses each sequence's first ``lengths[n]`` steps and keeps its padding.

    ``idx[n, t] = lengths[n] - 1 - t`` for ``t < lengths[n]``, else ``t``. It is its own inverse, so the
    same index maps the input into the reverse direction's time and its output back.
    """
    T = check_positive_int("T", T)
    lengths = check_ids("lengths", lengths, T + 1, ndim=1)
    t = np.arange(T)[None, :]
    L = lengths[:, None]
    return xp.asarray(np.where(t < L, L - 1 - t, t))


def stack_forward(
    x, params, cell="lstm", num_layers: int = 1, bidirectional: bool = False, h0=None, c0=None, lengths=None
):
    """Run a stack of (optionally bidirectional) recurrent layers over a sequence.

    Parameters
    ----------
    x : array (N, T, D)
    params : dict, keys ``"l{layer}[_reverse].{key}"`` as :func:`stack_param_shapes`
    cell : str or Cell
    num_layers : int, must match the layers in ``params``
    bidirectional : bool, must match the presence of ``"_reverse"`` keys
    h0, c0 : arrays (num_layers * num_directions, N, H), optional (zeros by default); ``c0`` only for
        cells with a cell state
    lengths : int array (N,), optional
        The number of real steps of each sequence of a padded batch (values in ``[1, T]``), as torch's
        ``pack_padded_sequence``. The reverse direction of sequence n then starts at its last real
        step ``lengths[n] - 1`` and runs back to 0, so padding never reaches a real step's output;
        ``final`` holds each sequence's state after its last real step. The outputs at padded steps
        are computed but mean nothing (torch returns zeros there). Without ``lengths`` every
        sequence has T real steps.

    Returns
    -------
    out : array (N, T, num_directions * H), the top layer's hidden states, forward half then reverse half
    final : dict of arrays (num_layers * num_directions, N, width), the state after the last step of each
        (layer, direction), in torch's order; ``"h"``, plus ``"c"`` for an LSTM. The reverse direction's
        last step is t = 0.
    cache : what :func:`stack_backward` needs
    """
    cell = get_cell(cell)
    num_layers, bidirectional = check_layout(num_layers, bidirectional)
    D, H, dtype = check_stack_params(params, cell, num_layers, bidirectional)
    check_sizes("x", check_array("x", x, shape=(None, None, D), dtype=dtype), "NT")
    N, T, _ = x.shape
    lengths = check_lengths(lengths, N, T)
    names = prefixes(num_layers, bidirectional)
    S = len(names)
    h0 = _check_stacked_state("h0", h0, cell, S, N, H, dtype, state="h")
    c0 = _check_stacked_state("c0", c0, cell, S, N, H, dtype)
    xp = get_xp(x, *params.values())
    rev = None if lengths is None else (xp.arange(N)[:, None], reverse_index(lengths, T, xp))
    last = None if lengths is None else xp.asarray(lengths - 1)

    def flip(a):  # into the reverse direction's time, and back (the same map)
        return a[:, ::-1] if rev is None else a[rev]

    inp = x
    caches, finals, keys = [], [], []
    for layer in range(num_layers):
        outs = []
        for d in range(2 if bidirectional else 1):
            s = layer * (2 if bidirectional else 1) + d
            seq = inp if d == 0 else flip(inp)
            sub = _sub(params, names[s])
            keys.append(list(sub))
            hs, fin, c = sequence.forward(
                seq,
                sub,
                cell,
                h0=None if h0 is None else h0[s],
                c0=None if c0 is None else c0[s],
            )
            outs.append(hs if d == 0 else flip(hs))
            caches.append(c)
            finals.append(fin if last is None else sequence.states_at(c, hs, last))
        inp = outs[0] if len(outs) == 1 else xp.concatenate(outs, axis=2)
    final = {name: xp.stack([f[name] for f in finals]) for name in cell.state_names}
    cache = {
        "cell": cell,
        "caches": caches,
        "keys": keys,
        "xp": xp,
        "prefixes": names,
        "num_layers": num_layers,
        "bidirectional": bidirectional,
        "shape": (N, T, D, H),
        "dtype": dtype,
        "lengths": lengths,
    }
    return inp, final, cache


def stack_backward(dout, cache, dh_T=None, dc_T=None, truncate=None) -> dict:
    """Backpropagation through time for :func:`stack_forward`.

    Parameters
    ----------
    dout : array (N, T, num_directions * H) or None
        Gradient of the loss w.r.t. the top layer's output (None: zero).
    dh_T, dc_T : arrays (num_layers * num_directions, N, H), optional
        Gradients w.r.t. the final states, in the order of ``final``; ``dc_T`` only for an LSTM.
    truncate : int, optional
        Truncated BPTT window, applied to every (layer, direction) as in :func:`lstmlab.sequence.backward`.
        The reverse direction counts its chunks in its own time, that is from the end of the sequence.

    Returns
    -------
    grads : dict
        One entry per key of ``params``, plus ``"x"`` (N, T, D), ``"h0"`` and, for cells with a cell
        state, ``"c0"`` (num_layers * num_directions, N, H).

    With ``lengths`` given to :func:`stack_forward`, ``dh_T`` is the gradient w.r.t. the state after
    each sequence's last real step; ``dc_T`` is not supported then (a ``ValueError``).
    """
    if not isinstance(cache, dict) or "caches" not in cache or "prefixes" not in cache:
        raise TypeError(f"cache: expected the cache returned by stack_forward, got {type(cache).__name__}")
    cell, caches, names = cache["cell"], cache["caches"], cache["prefixes"]
    N, T, D, H = cache["shape"]
    dtype = cache["dtype"]
    nd = 2 if cache["bidirectional"] else 1
    S = len(names)
    if dout is not None:
        check_array("dout", dout, shape=(N, T, nd * H), dtype=dtype)
    dh_T = _check_stacked_state("dh_T", dh_T, cell, S, N, H, dtype, state="h")
    dc_T = _check_stacked_state("dc_T", dc_T, cell, S, N, H, dtype)
    truncate = check_positive_int("truncate", truncate, allow_none=True)
    xp, keys = cache["xp"], cache["keys"]
    lengths = cache.get("lengths")
    if lengths is not None and dc_T is not None:
        raise ValueError("dc_T: expected None for a stack run with lengths (only dh_T is supported there)")
    rev = None if lengths is None else (xp.arange(N)[:, None], reverse_index(lengths, T, xp))
    last = None if lengths is None else (xp.arange(N), xp.asarray(lengths - 1))

    def flip(a):
        return a[:, ::-1] if rev is None else a[rev]

    grads = {}
    state_grads = [None] * S
    d_above = dout
    for layer in reversed(range(cache["num_layers"])):
        d_in = None
        for d in range(nd):
            s = layer * nd + d
            dhs = None if d_above is None else d_above[:, :, d * H : (d + 1) * H]
            if d == 1 and dhs is not None:
                dhs = flip(dhs)
            dh_final = None if dh_T is None else dh_T[s]
            if last is not None and dh_final is not None:  # the final state is the output at the last real step
                dhs = xp.zeros((N, T, H), dtype=dtype) if dhs is None else dhs.copy()
                dhs[last] += dh_final
                dh_final = None
            g = sequence.backward(
                dhs,
                caches[s],
                dh_T=dh_final,
                dc_T=None if dc_T is None else dc_T[s],
                truncate=truncate,
            )
            dx = g.pop("x")
            if d == 1:
                dx = flip(dx)
            d_in = dx if d_in is None else d_in + dx
            state_grads[s] = g
            for k in keys[s]:
                grads[names[s] + k] = g[k]
        d_above = d_in
    ordered = {names[s] + k: grads[names[s] + k] for s in range(S) for k in keys[s]}
    ordered["x"] = d_above
    for state in (n for n in cell.state_names[:2] if n in ("h", "c")):
        ordered[f"{state}0"] = xp.stack([g[f"{state}0"] for g in state_grads])
    return ordered
