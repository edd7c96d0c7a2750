"""The LSTM family: the 1997 cell, the modern cell, the peephole cell and Greff et al.'s variants.

One core serves every variant; a :class:`LSTMOptions` says which parts exist.
Equations (row-vector convention, one row per sequence in the batch):

.. math::

    a     &= x W_x + b + h_{t-1} W_h                     \\\\
    i     &= \\sigma(a_i + p_i \\odot c_{t-1})          \\quad\\text{input gate}   \\\\
    f     &= \\sigma(a_f + p_f \\odot c_{t-1})          \\quad\\text{forget gate}  \\\\
    g     &= \\tanh(a_g)                                \\quad\\text{candidate}    \\\\
    c_t   &= f \\odot c_{t-1} + i \\odot g              \\quad\\text{cell update}  \\\\
    o     &= \\sigma(a_o + p_o \\odot c_t)              \\quad\\text{output gate}  \\\\
    h_t   &= o \\odot \\tanh(c_t)

A missing gate is the constant 1; without peepholes every ``p`` is absent. The
columns of ``W_x``, ``W_h`` and ``b`` hold one H-wide block per gate, in the
order :data:`GATES` (PyTorch's order), skipping the gates a variant lacks.
Shapes: x (N, D), h and c (N, H), W_x (D, G*H), W_h (H, G*H), b (G*H,),
peepholes (H,).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import partial

from ..backend import get_xp
from .base import Cell, check_step_cache, sigmoid, step_backward, step_forward

#: The gate order of every LSTM parameter block: input, forget, candidate, output (as in PyTorch).
GATES = ("i", "f", "g", "o")

#: The sigmoid gates whose activations full gate recurrence (FGR) feeds back.
FGR_GATES = ("i", "f", "o")


@dataclass(frozen=True)
class LSTMOptions:
    """Which parts of the LSTM a variant has."""

    gates: tuple = GATES  # the subset of GATES with parameters ("g" is always there)
    peephole: bool = False  # Graves's peepholes: i and f see c_{t-1}, o sees c_t
    coupled: bool = False  # CIFG: f = 1 - i, so the forget gate has no parameters
    input_act: str = "tanh"  # "tanh", or "linear" (NIAF)
    output_act: str = "tanh"  # "tanh", or "linear" (NOAF)
    gate_recurrence: bool = False  # FGR: the gates also see the previous gates' activations

    def peepholes(self) -> tuple:
        return tuple(f"p_{k}" for k in FGR_GATES if self.peephole and k in self.gates)


def _blocks(a, gates, H) -> dict:
    return {k: a[:, n * H : (n + 1) * H] for n, k in enumerate(gates)}


def lstm_core_forward(a_x, state_prev, params, opt: LSTMOptions):
    """The LSTM step after the input projection ``a_x = x W_x + b``."""
    h_prev, c_prev = state_prev[0], state_prev[1]
    H = h_prev.shape[1]
    xp = get_xp(a_x)
    a = a_x + h_prev @ params["W_h"]
    z = _blocks(a, opt.gates, H)  # views into a: the pre-activations
    cache = {"h_prev": h_prev, "c_prev": c_prev, "params": params}
    if opt.gate_recurrence:
        q_prev = state_prev[2]
        a_q = q_prev @ params["W_q"]
        for n, k in enumerate(FGR_GATES):
            z[k] += a_q[:, n * H : (n + 1) * H]
        cache["q_prev"] = q_prev
    if opt.peephole:
        for k in ("i", "f"):
            if k in opt.gates:
                z[k] += params[f"p_{k}"] * c_prev
    i = sigmoid(z["i"]) if "i" in opt.gates else None
    f = sigmoid(z["f"]) if "f" in opt.gates else (1.0 - i if opt.coupled else None)
    g = z["g"].copy() if opt.input_act == "linear" else xp.tanh(z["g"])
    c = (c_prev if f is None else f * c_prev) + (g if i is None else i * g)
    if opt.peephole and "o" in opt.gates:
        z["o"] += params["p_o"] * c
    o = sigmoid(z["o"]) if "o" in opt.gates else None
    s = c if opt.output_act == "linear" else xp.tanh(c)
    h = s if o is None else o * s
    cache.update(i=i, f=f, g=g, c=c, o=o, s=s)
    state = (h, c)
    if opt.gate_recurrence:
        state += (xp.concatenate([i, f, o], axis=1),)
    return state, cache


def lstm_core_backward(dstate, cache, opt: LSTMOptions):
    """Backward of :func:`lstm_core_forward`; see :mod:`lstmlab.cells.base` for the contract."""
    p = cache["params"]
    i, f, g, c, o, s = (cache[k] for k in ("i", "f", "g", "c", "o", "s"))
    c_prev = cache["c_prev"]
    H = c.shape[1]
    dh = dstate[0]
    dc = dstate[1] if len(dstate) > 1 else None
    dq = dstate[2] if len(dstate) > 2 else None
    dq = _blocks(dq, FGR_GATES, H) if dq is not None else {}
    da = {}
    # output: h = o * s(c)
    if o is not None:
        do = dh * s + dq.get("o", 0.0)
        da["o"] = do * o * (1.0 - o)
    ds = dh if o is None else dh * o
    # the error at c_t gathers from h_t, from c_{t+1} (dc) and through the output peephole
    dc_t = ds if opt.output_act == "linear" else ds * (1.0 - s * s)
    if dc is not None:
        dc_t = dc_t + dc
    if opt.peephole and "o" in opt.gates:
        dc_t = dc_t + da["o"] * p["p_o"]
    # cell update: c = f * c_prev + i * g
    dg = dc_t if i is None else dc_t * i
    da["g"] = dg if opt.input_act == "linear" else dg * (1.0 - g * g)
    if i is not None:
        di = dc_t * g + dq.get("i", 0.0)
        if opt.coupled:
            di = di - dc_t * c_prev  # f = 1 - i
        da["i"] = di * i * (1.0 - i)
    if "f" in opt.gates:
        df = dc_t * c_prev + dq.get("f", 0.0)
        da["f"] = df * f * (1.0 - f)
    dc_prev = dc_t if f is None else dc_t * f
    dother = {}
    if opt.peephole:
        for k in ("i", "f"):
            if k in opt.gates:
                dc_prev = dc_prev + da[k] * p[f"p_{k}"]
                dother[f"p_{k}"] = (da[k] * c_prev).sum(axis=0)
        if "o" in opt.gates:
            dother["p_o"] = (da["o"] * c).sum(axis=0)
    da_x = get_xp(c).concatenate([da[k] for k in opt.gates], axis=1)
    dh_prev = da_x @ p["W_h"].T
    da_rec = {"W_h": da_x}
    dstate_prev = (dh_prev, dc_prev)
    if opt.gate_recurrence:
        da_q = get_xp(c).concatenate([da[k] for k in FGR_GATES], axis=1)
        da_rec["W_q"] = da_q
        dstate_prev += (da_q @ p["W_q"].T,)
    return da_x, dstate_prev, da_rec, dother


def make_lstm_cell(name: str, description: str, **options) -> Cell:
    """Build the :class:`~lstmlab.cells.base.Cell` of an LSTM variant from its options."""
    opt = LSTMOptions(**options)
    if opt.gate_recurrence and tuple(opt.gates) != GATES:
        raise ValueError("gate_recurrence: full gate recurrence needs all four gates")

    def extra_shapes(D, H):
        shapes = {k: (H,) for k in opt.peepholes()}
        if opt.gate_recurrence:
            shapes["W_q"] = (3 * H, 3 * H)
        return shapes

    recurrent = {"W_h": "h_prev"}
    names = ("h", "c")
    widths = None
    if opt.gate_recurrence:
        recurrent["W_q"] = "q_prev"
        names = ("h", "c", "q")
        widths = lambda H: (H, H, 3 * H)  # noqa: E731
    return Cell(
        name=name,
        blocks=tuple(opt.gates),
        state_names=names,
        core_forward=partial(lstm_core_forward, opt=opt),
        core_backward=partial(lstm_core_backward, opt=opt),
        recurrent=recurrent,
        extra_shapes=extra_shapes,
        state_widths=widths,
        description=description,
    )


LSTM = make_lstm_cell("lstm", "LSTM with a forget gate (Gers et al. 2000), as in torch.nn.LSTM")
LSTM1997 = make_lstm_cell(
    "lstm1997",
    "The 1997 LSTM: input and output gates and a constant error carousel, no forget gate",
    gates=("i", "g", "o"),
)
PEEPHOLE = make_lstm_cell(
    "peephole", "LSTM with peepholes in Graves's form (Greff et al.'s vanilla LSTM)", peephole=True
)

#: Greff et al. 2017's eight variants, each one change to the peephole ("vanilla") LSTM.
_GREFF = {
    "nig": ("No Input Gate (i = 1)", dict(gates=("f", "g", "o"))),
    "nfg": ("No Forget Gate (f = 1)", dict(gates=("i", "g", "o"))),
    "nog": ("No Output Gate (o = 1)", dict(gates=("i", "f", "g"))),
    "niaf": ("No Input Activation Function (g is linear)", dict(input_act="linear")),
    "noaf": ("No Output Activation Function (h = o * c)", dict(output_act="linear")),
    "np": ("No Peepholes", dict(peephole=False)),
    "cifg": ("Coupled Input and Forget Gate (f = 1 - i)", dict(gates=("i", "g", "o"), coupled=True)),
    "fgr": ("Full Gate Recurrence (the gates also see the previous gates)", dict(gate_recurrence=True)),
}
GREFF_VARIANTS = {
    name: make_lstm_cell(name, description, **{"peephole": True, **options})
    for name, (description, options) in _GREFF.items()
}


def _get_cell(cell) -> Cell:
    from . import get_cell  # the registry imports this module

    return get_cell(cell)


def lstm_step_forward(x, h_prev, c_prev, params, cell: Cell = LSTM):
    """One LSTM step. x (N, D), h_prev and c_prev (N, H) -> ``(h, c, cache)``.

    For full gate recurrence ("fgr"), whose state also holds the previous
    gates, use :func:`lstmlab.cells.base.step_forward` with ``(h, c, q)``.
    """
    cell = _get_cell(cell)
    if len(cell.state_names) != 2:
        raise ValueError(
            f"cell: lstm_step_forward takes (h_prev, c_prev), but {cell.name!r} has the state {cell.state_names}; "
            "use lstmlab.cells.step_forward(cell, x, state_prev, params)"
        )
    (h, c, *_), cache = step_forward(cell, x, (h_prev, c_prev), params)
    return h, c, cache


def lstm_step_backward(dh, dc, cache, cell: Cell = LSTM):
    """Backward of :func:`lstm_step_forward` -> ``(dx, dh_prev, dc_prev, grads)``.

    ``dh`` and ``dc`` (N, H) are the gradients w.r.t. ``h`` and ``c``; ``dc=None`` means zero.
    """
    cell = _get_cell(cell)
    if len(cell.state_names) != 2:
        raise ValueError(
            f"cell: lstm_step_backward takes (dh, dc), but {cell.name!r} has the state {cell.state_names}; "
            "use lstmlab.cells.step_backward(cell, dstate, cache)"
        )
    cache = check_step_cache(cell, cache, "lstm_step_forward")
    dx, (dh_prev, dc_prev, *_), grads = step_backward(cell, (dh, dc), cache)
    return dx, dh_prev, dc_prev, grads
