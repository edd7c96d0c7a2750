"""The bridge to PyTorch: our parameters in ``torch.nn.RNN``, ``LSTM`` and ``GRU``, and back.

Our cells *are* PyTorch's, written out: the same equations and the same gate
order (``i, f, g, o`` for the LSTM, ``r, z, n`` for the GRU). Only the layout
of the numbers differs:

=====================  ===================================  ===========================================
PyTorch                shape                                lstmlab
=====================  ===================================  ===========================================
``weight_ih_l{k}``     (G*H, D_in)                          ``W_x.T`` of ``"l{k}."``  (W_x is (D_in, G*H))
``weight_hh_l{k}``     (G*H, H)                             ``W_h.T``
``bias_ih_l{k}``       (G*H,)                               ``b``
``bias_hh_l{k}``       (G*H,)                               0 (GRU: 0 for the r and z blocks, ``b_hn`` for n)
``..._reverse``        as above                             the keys ``"l{k}_reverse."``
=====================  ===================================  ===========================================

PyTorch keeps two biases, ``b_ih + b_hh``, where one does the same work (they
are added before any nonlinearity), so :func:`to_torch` puts ``b`` in
``bias_ih`` and zeros in ``bias_hh``, and :func:`from_torch` adds the two. The
GRU's candidate is the exception: its recurrent bias sits inside the reset
gate, ``n = tanh(W_in x + b_in + r * (W_hn h + b_hn))``, so it stays separate as
``b_hn`` (cell ``"gru"``).

Cells: ``"rnn"`` is ``nn.RNN(nonlinearity="tanh")``, ``"rnn_relu"`` is
``nn.RNN(nonlinearity="relu")``, ``"lstm"`` is ``nn.LSTM`` and ``"gru"`` is
``nn.GRU``. The other cells have no PyTorch module: peepholes, the Greff
variants, the 1997 LSTM, the sigmoid RNN and Cho's GRU (``"gru_cho"``, whose
reset gate acts before ``W_hn``) raise a ``ValueError``.

Modules: :func:`to_torch` builds a module with ``batch_first=True``, because
our ``x`` is (N, T, D). :func:`from_torch` converts any ``nn.RNN``/``LSTM``/
``GRU`` with ``proj_size=0``: a ``batch_first=False`` module converts too (the
weights do not depend on the layout; remember that the module itself then
expects (T, N, D)), ``bias=False`` converts to zero biases, and ``dropout`` is
ignored (it acts between layers in training mode only; our stack has none).
An LSTM with ``proj_size > 0`` raises a ``ValueError``.

This module imports torch only inside the functions that need it, so
``import lstmlab.bridge`` works without torch. :func:`to_state_dict` and
:func:`from_state_dict` never import it: they map NumPy arrays to NumPy arrays.
"""

from __future__ import annotations

import numpy as np

from .backend import asnumpy
from .cells import get_cell
from .checks import check_params, check_positive_int
from .stack import check_layout, check_stack_params, prefixes, stack_param_shapes

#: lstmlab cell name -> (the torch.nn class, its ``nonlinearity`` or None)
TORCH_MODULES = {
    "rnn": ("RNN", "tanh"),
    "rnn_relu": ("RNN", "relu"),
    "lstm": ("LSTM", None),
    "gru": ("GRU", None),
}

#: why a cell has no torch module (for the error message)
_NO_TORCH = {
    "gru_cho": "torch.nn.GRU applies the reset gate after W_hn (cell 'gru'), Cho et al.'s GRU before it",
    "rnn_sigmoid": "torch.nn.RNN offers only the nonlinearities tanh and relu",
    "lstm1997": "torch.nn.LSTM always has a forget gate",
    "mut3": "torch has no module for Jozefowicz et al.'s MUT cells",
    "clockwork": "torch has no Clockwork RNN",
    "depth_gated": "torch has no depth-gated LSTM",
}

_TORCH_DTYPES = ("float32", "float64")


def _torch_cell(cell) -> str:
    """The name of ``cell`` if torch has a module for it; otherwise a ValueError saying why not."""
    cell = get_cell(cell)
    if cell.name in TORCH_MODULES:
        return cell.name
    why = _NO_TORCH.get(cell.name, "torch.nn.LSTM has no peepholes and none of Greff et al.'s variants")
    raise ValueError(
        f"cell: expected one of {sorted(TORCH_MODULES)} (cells with a torch module), got {cell.name!r}: {why}"
    )


def _torch_suffix(prefix: str) -> str:
    """``"l1_reverse."`` -> ``"_l1_reverse"``: the suffix of torch's parameter names."""
    return "_" + prefix[:-1]


def torch_param_names(num_layers: int = 1, bidirectional: bool = False, bias: bool = True) -> list:
    """The names of a torch RNN/LSTM/GRU's parameters, in the order of its ``state_dict``."""
    kinds = ("weight_ih", "weight_hh", "bias_ih", "bias_hh") if bias else ("weight_ih", "weight_hh")
    return [kind + _torch_suffix(p) for p in prefixes(num_layers, bidirectional) for kind in kinds]


def to_state_dict(params, cell, num_layers: int = 1, bidirectional: bool = False) -> dict:
    """Our stack's params as a torch module's state dict of NumPy arrays (copies, C-contiguous).

    Parameters
    ----------
    params : dict, keys ``"l{layer}[_reverse].{key}"`` as :func:`lstmlab.stack.stack_param_shapes`
    cell : ``"rnn"``, ``"rnn_relu"``, ``"lstm"`` or ``"gru"``

    Returns
    -------
    dict : ``weight_ih_l{k}[_reverse]`` (G*H, D_in), ``weight_hh_l{k}[_reverse]`` (G*H, H),
        ``bias_ih_l{k}[_reverse]`` and ``bias_hh_l{k}[_reverse]`` (G*H,), in torch's order
    """
    name = _torch_cell(cell)
    num_layers, bidirectional = check_layout(num_layers, bidirectional)
    _, H, _ = check_stack_params(params, name, num_layers, bidirectional)
    state = {}
    for prefix in prefixes(num_layers, bidirectional):
        sfx = _torch_suffix(prefix)
        b = asnumpy(params[prefix + "b"])
        bias_hh = np.zeros_like(b)
        if name == "gru":
            bias_hh[2 * H :] = asnumpy(params[prefix + "b_hn"])
        state["weight_ih" + sfx] = np.ascontiguousarray(asnumpy(params[prefix + "W_x"]).T)
        state["weight_hh" + sfx] = np.ascontiguousarray(asnumpy(params[prefix + "W_h"]).T)
        state["bias_ih" + sfx] = b.copy()
        state["bias_hh" + sfx] = bias_hh
    return state


def _as_numpy(name: str, value):
    """A torch tensor or an array, as a NumPy array that shares no memory with it."""
    if hasattr(value, "detach"):  # a torch tensor
        if str(value.dtype).replace("torch.", "") not in _TORCH_DTYPES:
            raise TypeError(f"{name}: expected dtype float32 or float64, got {value.dtype}")
        value = value.detach().cpu().numpy()
    return np.array(asnumpy(value), copy=True)


def from_state_dict(state_dict, cell, num_layers: int = 1, bidirectional: bool = False) -> dict:
    """A torch RNN/LSTM/GRU state dict (tensors or arrays) as our stack's params (NumPy copies).

    ``b = bias_ih + bias_hh``, except for the GRU's candidate block, where ``b`` takes ``bias_ih``'s
    n block and ``b_hn`` ``bias_hh``'s. A state dict without any bias (``bias=False``) gives zero biases.
    """
    name = _torch_cell(cell)
    num_layers, bidirectional = check_layout(num_layers, bidirectional)
    if not isinstance(state_dict, dict):
        raise TypeError(f"state_dict: expected a dict of tensors or arrays, got {type(state_dict).__name__}")
    for key in ("weight_ih_l0", "weight_hh_l0"):
        if getattr(state_dict.get(key), "ndim", None) != 2:
            got = "no such key" if key not in state_dict else repr(getattr(state_dict[key], "shape", state_dict[key]))
            raise ValueError(f"state_dict[{key!r}]: expected a 2-D weight, got {got}")
    G = get_cell(name).G
    D = state_dict["weight_ih_l0"].shape[1]
    H = check_positive_int("hidden size (state_dict['weight_hh_l0'].shape[1])", state_dict["weight_hh_l0"].shape[1])
    bias = any(k.startswith("bias_") for k in state_dict)
    ours = stack_param_shapes(name, D, H, num_layers, bidirectional)
    shapes = {}
    for prefix in prefixes(num_layers, bidirectional):
        sfx = _torch_suffix(prefix)
        shapes["weight_ih" + sfx] = ours[prefix + "W_x"][::-1]
        shapes["weight_hh" + sfx] = (G * H, H)
        if bias:
            shapes["bias_ih" + sfx] = shapes["bias_hh" + sfx] = (G * H,)
    arrays = {k: _as_numpy(f"state_dict[{k!r}]", v) for k, v in state_dict.items()}
    check_params(arrays, shapes, name="state_dict")
    dtype = arrays["weight_ih_l0"].dtype

    params = {}
    for prefix in prefixes(num_layers, bidirectional):
        sfx = _torch_suffix(prefix)
        zero = np.zeros(G * H, dtype=dtype)
        b_ih, b_hh = (arrays.get(kind + sfx, zero) for kind in ("bias_ih", "bias_hh"))
        params[prefix + "W_x"] = np.ascontiguousarray(arrays["weight_ih" + sfx].T)
        params[prefix + "W_h"] = np.ascontiguousarray(arrays["weight_hh" + sfx].T)
        if name == "gru":
            params[prefix + "b"] = np.concatenate([b_ih[: 2 * H] + b_hh[: 2 * H], b_ih[2 * H :]])
            params[prefix + "b_hn"] = b_hh[2 * H :].copy()
        else:
            params[prefix + "b"] = b_ih + b_hh
    return params


def _torch_dtype(torch, dtype, default):
    if dtype is None:
        dtype = default
    if isinstance(dtype, torch.dtype):
        if str(dtype).replace("torch.", "") in _TORCH_DTYPES:
            return dtype
    else:
        try:
            name = np.dtype(dtype).name
        except TypeError:
            name = None
        if name in _TORCH_DTYPES:
            return getattr(torch, name)
    raise TypeError(f"dtype: expected float32 or float64 (a NumPy or torch dtype), got {dtype!r}")


def to_torch(params, cell, num_layers: int = 1, bidirectional: bool = False, dtype=None):
    """Build the ``torch.nn.RNN``/``LSTM``/``GRU`` (``batch_first=True``) that computes what our stack computes.

    Parameters
    ----------
    params : dict, keys ``"l{layer}[_reverse].{key}"`` as :func:`lstmlab.stack.stack_param_shapes`
    cell : ``"rnn"``, ``"rnn_relu"``, ``"lstm"`` or ``"gru"``
    num_layers, bidirectional : the layout, which must match the keys of ``params``
    dtype : float32 or float64 (NumPy or torch dtype, or its name); default: the dtype of ``params``

    Returns
    -------
    torch.nn.Module on the CPU, with its own copy of the parameters. ``module(x)`` for x (N, T, D) returns
    ``(out, h_n)``, or ``(out, (h_n, c_n))`` for the LSTM, equal to ``stack_forward``'s ``out`` and
    ``final["h"]`` (and ``final["c"]``).
    """
    import torch

    name = _torch_cell(cell)
    state = to_state_dict(params, name, num_layers, bidirectional)
    D = state["weight_ih_l0"].shape[1]
    H = state["weight_hh_l0"].shape[1]
    torch_dtype = _torch_dtype(torch, dtype, state["weight_ih_l0"].dtype)
    cls_name, nonlinearity = TORCH_MODULES[name]
    kwargs = {"nonlinearity": nonlinearity} if nonlinearity else {}
    module = getattr(torch.nn, cls_name)(
        D,
        H,
        num_layers=num_layers,
        bias=True,
        batch_first=True,
        bidirectional=bidirectional,
        dtype=torch_dtype,
        **kwargs,
    )
    with torch.no_grad():
        module.load_state_dict({k: torch.from_numpy(v) for k, v in state.items()}, strict=True)
    return module


def from_torch(module) -> tuple:
    """Our stack's params for a ``torch.nn.RNN``, ``LSTM`` or ``GRU``.

    Returns ``(params, cell)``: ``params`` (NumPy copies in the module's dtype, keys
    ``"l{layer}[_reverse].{key}"``) and the cell's name (``"rnn"``, ``"rnn_relu"``, ``"lstm"`` or
    ``"gru"``); ``module.num_layers`` and ``module.bidirectional`` give the layout. Use them as
    ``stack_forward(x, params, cell, module.num_layers, module.bidirectional)``.
    """
    import torch

    nn = torch.nn
    if not isinstance(module, nn.Module):
        raise TypeError(f"module: expected a torch.nn.RNN, LSTM or GRU, got {type(module).__name__}")
    if isinstance(module, nn.LSTM):
        cell = "lstm"
        if module.proj_size > 0:
            raise ValueError(
                f"module: expected an LSTM with proj_size=0, got proj_size={module.proj_size} "
                "(an LSTM with a projection of h has no lstmlab cell)"
            )
    elif isinstance(module, nn.GRU):
        cell = "gru"
    elif isinstance(module, nn.RNN):
        cell = {"tanh": "rnn", "relu": "rnn_relu"}.get(module.nonlinearity)
        if cell is None:
            raise ValueError(f"module: expected nonlinearity 'tanh' or 'relu', got {module.nonlinearity!r}")
    elif isinstance(module, (nn.RNNCell, nn.LSTMCell, nn.GRUCell)):
        raise ValueError(
            f"module: expected a torch.nn.RNN, LSTM or GRU (a whole layer), got the single-step "
            f"{type(module).__name__}; use the step functions of lstmlab.cells for one step"
        )
    else:
        raise ValueError(f"module: expected a torch.nn.RNN, LSTM or GRU, got {type(module).__name__}")
    params = from_state_dict(dict(module.state_dict()), cell, module.num_layers, bool(module.bidirectional))
    return params, cell
