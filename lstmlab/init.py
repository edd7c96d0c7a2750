"""Initialisations for a recurrent layer's parameters, and the gate biases that matter.

Every function takes a layer's params dict (keys ``W_x`` (D, G*H),
``W_h`` (H, G*H), ``b`` (G*H,), plus any extras such as peepholes), fills
its arrays **in place** (the same array objects, dtypes and device), and
returns the same dict, so both styles work::

    params = cell.init_params(D, H)
    orthogonal_init(params, seed=0)          # in place
    params = set_forget_bias(params, "lstm", 1.0)   # or chained

``prefix`` selects one layer of a larger dict: with ``prefix="l1."`` the
function works on ``params["l1.W_x"]``, ``params["l1.W_h"]``, ... (the key
layout of :mod:`lstmlab.stack`) and leaves every other key alone.

Random initialisations take ``seed``: an int, or a ``np.random.Generator``
(which is advanced). The numbers are drawn with NumPy on the host and copied
into the arrays, so a seed gives the same values on the CPU and on a GPU.

The gate blocks are found by name from the cell's ``blocks`` (for the LSTM
``("i", "f", "g", "o")``, PyTorch's order), never by a fixed position: in
Greff et al.'s NIG variant, for example, the forget gate is the *first* block.
"""

from __future__ import annotations

import numpy as np

from .backend import get_xp
from .cells import get_cell
from .checks import check_array
from .optim import check_real


def _rng(seed) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise TypeError(f"seed: expected an int or a np.random.Generator, got {type(seed).__name__} {seed!r}")
    return np.random.default_rng(seed)


def _layer(params, prefix: str = "") -> tuple:
    """The layer's sub-dict (same arrays, keys without ``prefix``) and its sizes ``(D, H, G)``."""
    if not isinstance(params, dict):
        raise TypeError(f"params: expected a dict of arrays, got {type(params).__name__}")
    if not isinstance(prefix, str):
        raise TypeError(f"prefix: expected a str, got {type(prefix).__name__} {prefix!r}")
    layer = {k[len(prefix) :]: v for k, v in params.items() if k.startswith(prefix)}
    missing = [prefix + k for k in ("W_x", "W_h", "b") if k not in layer]
    if missing:
        raise ValueError(
            f"params: expected keys {[prefix + k for k in ('W_x', 'W_h', 'b')]}, got missing keys {missing}"
        )
    W_h = check_array(f"params[{prefix + 'W_h'!r}]", layer["W_h"], shape=(None, None), finite=False)
    H = W_h.shape[0]
    if H == 0 or W_h.shape[1] % H:
        raise ValueError(f"params[{prefix + 'W_h'!r}]: expected shape (H, G*H), got {tuple(W_h.shape)}")
    GH = W_h.shape[1]
    check_array(f"params[{prefix + 'W_x'!r}]", layer["W_x"], shape=(None, GH), finite=False)
    check_array(f"params[{prefix + 'b'!r}]", layer["b"], shape=(GH,), finite=False)
    for k, v in layer.items():
        check_array(f"params[{prefix + k!r}]", v, finite=False)
    return layer, layer["W_x"].shape[0], H, GH // H


def _fill(a, values) -> None:
    """Copy host ``values`` into the array ``a`` in place (keeping its dtype and device)."""
    a[...] = get_xp(a).asarray(values, dtype=a.dtype)


def uniform_init(params, seed=0, prefix: str = "") -> dict:
    """Every array of the layer from U(-1/sqrt(H), 1/sqrt(H)): PyTorch's default for nn.RNN, nn.LSTM and nn.GRU."""
    rng = _rng(seed)
    layer, _, H, _ = _layer(params, prefix)
    k = 1.0 / np.sqrt(H)
    for a in layer.values():
        _fill(a, rng.uniform(-k, k, size=a.shape))
    return params


def hs1997_init(params, seed=0, scale: float = 0.1, prefix: str = "") -> dict:
    """Every array of the layer from U(-scale, scale): the small uniform init of Hochreiter & Schmidhuber 1997.

    The paper initialises the weights in [-0.2, 0.2] in its first experiments
    (``scale=0.2``; embedded Reber grammar) and in [-0.1, 0.1] in the later,
    long-lag ones (``scale=0.1``; adding, multiplication and temporal order
    problems), the default here. Gate biases that an experiment sets to
    particular values are then set with :func:`set_gate_bias` or
    :func:`set_block_bias`.
    """
    scale = check_real("scale", scale, low_open=True)
    rng = _rng(seed)
    layer, *_ = _layer(params, prefix)
    for a in layer.values():
        _fill(a, rng.uniform(-scale, scale, size=a.shape))
    return params


def orthogonal_init(params, seed=0, gain: float = 1.0, prefix: str = "") -> dict:
    """Each H x H block of ``W_h`` (one per gate) a random orthogonal matrix times ``gain``.

    Orthogonal recurrent weights keep every singular value of ``W_h`` at 1, so
    at initialisation the linear part of the recurrence neither shrinks nor
    grows the error signal (Saxe et al. 2014). Each block is ``Q * sign(diag(R))``
    for ``A = QR`` with ``A`` standard normal: the sign fix makes ``Q``
    uniformly distributed over the orthogonal matrices, not biased by the QR
    routine's sign convention. ``W_x``, ``b`` and any extras are left as they are.
    """
    gain = check_real("gain", gain, low_open=True)
    rng = _rng(seed)
    layer, _, H, G = _layer(params, prefix)
    blocks = []
    for _ in range(G):
        Q, R = np.linalg.qr(rng.standard_normal((H, H)))
        signs = np.sign(np.diag(R))
        signs[signs == 0] = 1.0
        blocks.append(gain * Q * signs)
    _fill(layer["W_h"], np.concatenate(blocks, axis=1))
    return params


def identity_init(params, scale: float = 1.0, zero_bias: bool = True, prefix: str = "") -> dict:
    """Each H x H block of ``W_h`` set to ``scale * I``, and ``b`` to zero: the IRNN of Le, Jaitly & Hinton 2015.

    With a ReLU RNN (``h_t = relu(x_t W_x + h_{t-1} W_h + b)``) and ``W_h = I``,
    the hidden state is copied forward unchanged when there is no input, and
    the error flows back unchanged. ``zero_bias=False`` keeps ``b``; ``W_x``
    is left as it is (the paper draws it from a small Gaussian). Deterministic,
    so no ``seed``.
    """
    scale = check_real("scale", scale)
    if not isinstance(zero_bias, bool):
        raise TypeError(f"zero_bias: expected True or False, got {zero_bias!r}")
    layer, _, H, G = _layer(params, prefix)
    _fill(layer["W_h"], np.tile(scale * np.eye(H), (1, G)))
    if zero_bias:
        _fill(layer["b"], np.zeros(G * H))
    return params


def _gate_slice(params, cell, gate: str, prefix: str) -> tuple:
    """The layer's ``b`` and the column slice of ``gate``'s block, after checking params against ``cell``."""
    cell = get_cell(cell)
    layer, _, H, _ = _layer(params, prefix)
    if gate not in cell.blocks:
        raise ValueError(f"gate: expected one of the blocks of the {cell.name!r} cell {cell.blocks}, got {gate!r}")
    cell.check_params(layer)
    n = cell.blocks.index(gate)
    return layer["b"], slice(n * H, (n + 1) * H), H


def set_gate_bias(params, cell, gate: str, value, prefix: str = "") -> dict:
    """Set the bias of one gate's block: ``b[n*H:(n+1)*H] = value``.

    ``n`` is the position of ``gate`` in ``cell.blocks``; ``value`` is a
    number or an array of shape (H,). Nothing else changes.
    """
    b, cols, H = _gate_slice(params, cell, gate, prefix)
    if np.ndim(value) == 0:
        value = np.full(H, check_real("value", value, low=-np.inf))
    else:
        value = check_array("value", np.asarray(value, dtype=np.float64), shape=(H,))
    _fill(b[cols], value)
    return params


def set_forget_bias(params, cell, value: float = 1.0, prefix: str = "") -> dict:
    """Set the forget-gate bias ``b_f`` of an LSTM layer (Gers et al. 2000; Jozefowicz et al. 2015 recommend 1).

    With ``b_f = 1`` the forget gate starts mostly open (sigma(1) = 0.73), so
    the cell keeps its contents and gradients flow back over long lags from
    the first update. Only the forget block changes. Cells without a forget
    gate (``"lstm1997"``, ``"nfg"``, ``"cifg"``, the RNNs and GRUs) raise a
    ``ValueError`` naming ``cell``.
    """
    spec = get_cell(cell)
    if "f" not in spec.blocks:
        hint = ""
        if spec.name == "cifg":
            hint = (
                "; in CIFG f = 1 - i, so set the input gate's bias instead: set_gate_bias(params, 'cifg', 'i', -value)"
            )
        raise ValueError(
            f"cell: expected a cell with a forget gate (an 'f' block, e.g. 'lstm' or 'peephole'), "
            f"got {spec.name!r}, whose blocks are {spec.blocks}{hint}"
        )
    return set_gate_bias(params, spec, "f", value, prefix=prefix)


def set_block_bias(params, cell, values, gate: str = "o", block_size: int = 1, prefix: str = "") -> dict:
    """Give each memory block of S = ``block_size`` cells its own bias for ``gate``: H&S 1997's staggered gate biases.

    In the 1997 LSTM, the cells of a memory block share their gates, and the
    paper starts the output gates (and in some experiments the input gates)
    of successive blocks at increasingly negative biases, such as -1, -2,
    -3, ...: a closed gate keeps a block out of the way at first, and the
    blocks are recruited one after another instead of all at once (the
    paper's remedy for the "abuse problem"). Our cells have one gate per
    unit, so a block is S consecutive units, and ``values[j]`` goes to units
    ``j*S .. (j+1)*S - 1`` of the ``gate`` block of ``b``. ``values`` holds
    one number per block (H / S of them).
    """
    if isinstance(block_size, bool) or not isinstance(block_size, (int, np.integer)) or block_size < 1:
        raise ValueError(f"block_size: expected a positive int, got {block_size!r}")
    b, cols, H = _gate_slice(params, cell, gate, prefix)
    if H % block_size:
        raise ValueError(f"block_size: expected a divisor of H = {H}, got {block_size}")
    values = check_array("values", np.asarray(values, dtype=np.float64), shape=(H // block_size,))
    _fill(b[cols], np.repeat(values, block_size))
    return params


def chrono_init(params, cell, max_lag, seed=0, prefix: str = "", input_gate: bool = True) -> dict:
    """Chrono initialisation (Tallec & Ollivier 2018) of an LSTM layer's biases, in place; returns ``params``.

    Each unit's forget bias is ``b_f = log u`` with ``u`` uniform in ``[1, max_lag - 1]``, and its input
    bias ``b_i = -b_f``. A forget gate at ``sigma(log u)`` keeps its memory for about ``u`` steps, so the
    units start with characteristic times spread evenly in log time over the lags the task can need,
    instead of all at one value. ``max_lag`` is the longest lag, in steps (an int >= 3); ``seed`` draws
    the ``u`` (a stream of its own, ``[seed, 2]``); ``prefix`` selects a layer (``"l0."`` in a Model's params);
    ``input_gate=False`` leaves the input biases as they are (the forget biases alone).
    """
    if isinstance(max_lag, bool) or not isinstance(max_lag, (int, np.integer)):
        raise TypeError(f"max_lag: expected an int >= 3, got {type(max_lag).__name__} {max_lag!r}")
    if max_lag < 3:
        raise ValueError(f"max_lag: expected an int >= 3 (u is drawn from [1, max_lag - 1]), got {max_lag}")
    H = params[prefix + "W_h"].shape[0]
    b_f = np.log(np.random.default_rng([seed, 2]).uniform(1.0, max_lag - 1.0, size=H))
    set_gate_bias(params, cell, "f", b_f, prefix=prefix)
    if input_gate:
        set_gate_bias(params, cell, "i", -b_f, prefix=prefix)
    return params
