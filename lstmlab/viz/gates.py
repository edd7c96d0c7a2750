"""What the gates of an LSTM do on a sequence: i, f, o and the cell state c over time."""

from __future__ import annotations

import numpy as np

from .. import sequence
from ..cells import get_cell
from ..checks import check_array
from .style import GATE_COLORS, INK, course_style, new_figure, set_alt

#: What :func:`lstm_gate_trace` records, in order.
TRACE_KEYS = ("i", "f", "g", "o", "c", "h")


def lstm_gate_trace(params, x, cell="lstm", h0=None, c0=None):
    """Run an LSTM over one sequence and collect its gates and states at every step.

    Parameters
    ----------
    params : dict, the LSTM's parameters (D inputs, H units)
    x : array (T, D), one sequence
    cell : an LSTM cell name or Cell (``"lstm"``, ``"lstm1997"``, ``"peephole"``, Greff's variants)
    h0, c0 : arrays (H,), optional initial states

    Returns
    -------
    dict of arrays (T, H): ``i``, ``f``, ``g``, ``o``, ``c``, ``h``. A gate the cell lacks is the
    constant 1 (the 1997 cell's f, for example), as in the cell's equations.
    """
    cell = get_cell(cell)
    if "c" not in cell.state_names:
        raise ValueError(f"cell: expected an LSTM cell (with a cell state c), got {cell.name!r}")
    D, H, dtype = cell.check_params(params)
    check_array("x", x, shape=(None, D), dtype=dtype)
    init = {}
    for name, s in (("h0", h0), ("c0", c0)):
        if s is not None:
            init[name] = check_array(name, s, shape=(H,), dtype=dtype)[None]
    hs, _, cache = sequence.forward(x[None], params, cell, fast=False, **init)
    ones = np.ones(H, dtype=dtype)
    trace = {k: np.stack([ones if c[k] is None else c[k][0] for c in cache["caches"]]) for k in TRACE_KEYS[:5]}
    trace["h"] = hs[0]
    return trace


def plot_gates(params, x, cell="lstm", h0=None, c0=None, units=None, ax=None):
    """Heatmaps of the input, forget and output gates and the cell state, per unit (rows) over time (columns).

    Parameters
    ----------
    params, x, cell, h0, c0 : as in :func:`lstm_gate_trace` (x is (T, D))
    units : sequence of int, optional: which units to show (all by default)
    ax : a sequence of 5 matplotlib Axes (input, i, f, o, c), optional
    """
    trace = lstm_gate_trace(params, x, cell, h0, c0)
    T, H = trace["c"].shape
    rows = np.arange(H) if units is None else np.asarray(units, dtype=int)
    if rows.ndim != 1 or rows.size == 0 or rows.min() < 0 or rows.max() >= H:
        raise ValueError(f"units: expected unit indices in [0, {H}), got {units!r}")
    panels = [
        ("x", None),
        ("i", "input gate $i_t$"),
        ("f", "forget gate $f_t$"),
        ("o", "output gate $o_t$"),
        ("c", "cell state $c_t$"),
    ]
    with course_style():
        height = 1.0 + 0.35 * len(rows) * 4 + 0.9
        if ax is None:
            fig, axes = new_figure(
                None,
                figsize=(6.4, min(max(height, 4.5), 9.0)),
                nrows=len(panels),
                sharex=True,
                gridspec_kw={"height_ratios": [0.6] + [1.0] * 4},
            )
        else:
            axes = list(ax)
            if len(axes) != len(panels):
                raise ValueError(f"ax: expected {len(panels)} Axes (input, i, f, o, c), got {len(axes)}")
            fig = axes[0].figure
        axes[0].plot(np.arange(T), x, color=INK, lw=1.2)
        axes[0].set_ylabel("$x_t$")
        extent = (-0.5, T - 0.5, -0.5, len(rows) - 0.5)
        for ax, (key, label) in zip(axes[1:], panels[1:]):
            data = trace[key][:, rows].T
            if key == "c":
                lim = max(float(np.abs(data).max()), 1e-12)
                im = ax.imshow(
                    data,
                    aspect="auto",
                    origin="lower",
                    cmap="RdBu_r",
                    vmin=-lim,
                    vmax=lim,
                    extent=extent,
                    interpolation="nearest",
                )
            else:
                im = ax.imshow(
                    data,
                    aspect="auto",
                    origin="lower",
                    cmap="viridis",
                    vmin=0,
                    vmax=1,
                    extent=extent,
                    interpolation="nearest",
                )
            ax.grid(False)
            ax.set_ylabel("unit")
            ax.set_title(label, fontsize=10, loc="left", color=GATE_COLORS[key])
            fig.colorbar(im, ax=ax, pad=0.01, aspect=8)
            if len(rows) <= 8:
                ax.set_yticks(range(len(rows)), [str(r) for r in rows])
        axes[-1].set_xlabel("time step $t$")
    f_mean = float(trace["f"][:, rows].mean())
    alt = (
        f"Five stacked panels over {T} time steps: the input x_t, then heatmaps (units by time) of the input gate, "
        f"the forget gate (mean {f_mean:.2f}) and the output gate on a 0-to-1 colour scale, and of the cell state c_t "
        f"(from {trace['c'].min():.2f} to {trace['c'].max():.2f}) on a diverging scale, for {len(rows)} units."
    )
    return set_alt(fig, alt)


def plot_gate_lines(trace, x=None, unit=0, ax=None, title=None):
    """One unit's gates and states over time as lines: i, f, o (in [0, 1]) above, c and h below.

    Parameters
    ----------
    trace : dict from :func:`lstm_gate_trace` (arrays (T, H))
    x : array (T,) or (T, D), optional: the input, drawn in grey on the lower panel
    unit : int, which unit
    ax : a pair of matplotlib Axes (upper, lower), optional
    """
    if not isinstance(trace, dict) or any(k not in trace for k in ("i", "f", "o", "c", "h")):
        raise ValueError("trace: expected a dict with keys i, f, o, c, h (from lstm_gate_trace)")
    T, H = trace["c"].shape
    if isinstance(unit, bool) or not isinstance(unit, (int, np.integer)) or not 0 <= unit < H:
        raise ValueError(f"unit: expected an int in [0, {H}), got {unit!r}")
    with course_style():
        if ax is None:
            fig, (top, bottom) = new_figure(None, figsize=(6.4, 4.2), nrows=2, sharex=True)
        else:
            top, bottom = ax
            fig = top.figure
        t = np.arange(T)
        for k, name in (("i", "input $i$"), ("f", "forget $f$"), ("o", "output $o$")):
            top.plot(t, trace[k][:, unit], color=GATE_COLORS[k], label=name, ls={"i": "-", "f": "--", "o": "-."}[k])
        top.set_ylim(-0.05, 1.05)
        top.set_ylabel("gate")
        top.legend(loc="center left", bbox_to_anchor=(1.0, 0.5))
        if title:
            top.set_title(title)
        if x is not None:
            xs = np.asarray(x, dtype=float).reshape(T, -1)
            bottom.step(t, xs, where="mid", color="#b0b0b0", lw=1.2, label="input $x$")
        bottom.plot(t, trace["c"][:, unit], color=GATE_COLORS["c"], label="cell $c$")
        bottom.plot(t, trace["h"][:, unit], color=GATE_COLORS["h"], ls="--", label="hidden $h$")
        bottom.set_xlabel("time step $t$")
        bottom.set_ylabel("state")
        bottom.legend(loc="center left", bbox_to_anchor=(1.0, 0.5))
    c = trace["c"][:, unit]
    alt = (
        f"Two panels over {T} time steps for unit {unit}. Top: the input, forget and output gates between 0 and 1 "
        f"(means {trace['i'][:, unit].mean():.2f}, {trace['f'][:, unit].mean():.2f}, {trace['o'][:, unit].mean():.2f})."
        f" Bottom: the cell state c (from {c.min():.2f} to {c.max():.2f}) and the hidden state h"
        + (", with the input" if x is not None else "")
        + "."
    )
    return set_alt(fig, alt)
