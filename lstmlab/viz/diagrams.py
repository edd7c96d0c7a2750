"""Diagrams of the networks, drawn with matplotlib patches, arrows and text (no image files).

* :func:`unrolled_rnn_diagram`: the rolled RNN beside its graph unrolled over T steps;
* :func:`rnn_pattern_diagram` and :func:`rnn_patterns_diagram`: the three classic
  RNN patterns of Goodfellow, Bengio & Courville (2016, ch. 10);
* :func:`lstm_cell_diagram`: the LSTM cell (peepholes, one gate highlighted, or the
  1997 cell without a forget gate and its constant error carousel);
* :func:`gru_cell_diagram`: the GRU cell;
* :func:`jacobian_chain_diagram`: dh_T/dh_k as a product of per-step Jacobians.

Each returns the Figure (with ``fig.alt_text``) and takes an optional ``ax``.
"""

from __future__ import annotations

import numpy as np
from matplotlib.patches import Circle, FancyArrowPatch, FancyBboxPatch

from ..checks import check_choice, check_positive_int
from .style import GATE_COLORS, INK, MUTED, OKABE_ITO, course_style, new_figure, set_alt

NODE_R = 0.36  # radius of a state node, in data units
FILL = "#ffffff"
#: Free labels of a diagram are drawn this much larger than their nominal size, and labels inside a
#: node or box LABEL_SCALE larger (they must fit it): a diagram is shown at the column's width, about
#: 0.55 of its drawn size on a 390-px phone, where its labels must stay legible.
FONT_SCALE = 1.3
LABEL_SCALE = 1.1


class _Board:
    """A blank, equal-aspect axes to draw nodes and arrows on."""

    def __init__(self, ax, xlim, ylim):
        self.ax = ax
        ax.set_xlim(*xlim)
        ax.set_ylim(*ylim)
        ax.set_aspect("equal")
        ax.axis("off")

    def node(self, xy, label, color=INK, r=NODE_R, fill=FILL, fontsize=11, lw=1.5):
        patch = Circle(xy, r, facecolor=fill, edgecolor=color, lw=lw, zorder=3)
        self.ax.add_patch(patch)
        if label:
            self.ax.text(*xy, label, ha="center", va="center", fontsize=fontsize * LABEL_SCALE, color=INK, zorder=4)
        return patch

    def box(self, xy, label, w=1.0, h=0.7, color=INK, fill=FILL, fontsize=11, lw=1.5, text_color=INK):
        x, y = xy
        patch = FancyBboxPatch(
            (x - w / 2, y - h / 2),
            w,
            h,
            boxstyle="round,pad=0.02,rounding_size=0.12",
            facecolor=fill,
            edgecolor=color,
            lw=lw,
            zorder=3,
        )
        self.ax.add_patch(patch)
        if label:
            self.ax.text(
                x, y, label, ha="center", va="center", fontsize=fontsize * LABEL_SCALE, color=text_color, zorder=4
            )
        return patch

    def arrow(self, a, b, color=INK, rad=0.0, lw=1.4, ls="-", head=True, z=2):
        """An arrow from ``a`` to ``b``: each a point ``(x, y)`` or a patch (the arrow then stops at its edge)."""
        kw = {}
        if not isinstance(a, tuple):
            kw["patchA"], a = a, _center(a)
        if not isinstance(b, tuple):
            kw["patchB"], b = b, _center(b)
        arrow = FancyArrowPatch(
            a,
            b,
            arrowstyle="-|>" if head else "-",
            mutation_scale=11,
            connectionstyle=f"arc3,rad={rad}",
            color=color,
            lw=lw,
            linestyle=ls,
            shrinkA=0,
            shrinkB=0,
            zorder=z,
            **kw,
        )
        self.ax.add_patch(arrow)
        return arrow

    def path(self, points, color=INK, lw=1.4, ls="-", head=True, end=None):
        """A polyline through ``points``; the last segment ends in an arrow head (at patch ``end``'s edge)."""
        xs, ys = zip(*points[:-1])
        self.ax.plot(xs, ys, color=color, lw=lw, ls=ls, solid_capstyle="butt", zorder=2)
        last = end if end is not None else points[-1]
        self.arrow(points[-2], last, color=color, lw=lw, ls=ls, head=head)

    def dot(self, xy, color=INK):
        self.ax.add_patch(Circle(xy, 0.07, color=color, zorder=4))

    def text(self, xy, s, fontsize=10, color=INK, **kw):
        kw.setdefault("ha", "center")
        kw.setdefault("va", "center")
        return self.ax.text(*xy, s, fontsize=fontsize * FONT_SCALE, color=color, zorder=5, **kw)


def _center(patch):
    if isinstance(patch, Circle):
        return patch.center
    return (patch.get_x() + patch.get_width() / 2, patch.get_y() + patch.get_height() / 2)


# ----------------------------------------------------------------------------------------------- RNN graphs


def unrolled_rnn_diagram(T: int = 4, ax=None):
    """The RNN ``h_t = phi(x_t W_x + h_{t-1} W_h + b)``, ``y_t = h_t W_y``: rolled (left) and unrolled over T steps.

    Parameters
    ----------
    T : int, the number of unrolled steps (1 to 8)
    ax : matplotlib Axes, optional
    """
    T = check_positive_int("T", T)
    if T > 8:
        raise ValueError(f"T: expected at most 8 steps (a wider graph does not fit a page), got {T}")
    dx, x0 = 1.75, 4.0
    width = x0 + dx * (T - 1) + 1.1
    with course_style():
        fig, ax = new_figure(ax, figsize=(min(6.4, 1.2 + 0.9 * T + 1.4), 2.9), diagram=True)
        b = _Board(ax, (-0.9, width), (-0.75, 4.05))
        # rolled form
        xr, hr, yr = b.node((0.6, 0.0), "$x$"), b.node((0.6, 1.6), "$h$"), b.node((0.6, 3.2), "$y$")
        b.arrow(xr, hr)
        b.arrow(hr, yr)
        b.text((0.85, 0.8), "$W_x$", ha="left")
        b.text((0.85, 2.4), "$W_y$", ha="left")
        r = NODE_R
        loop_a = (0.6 - r * np.cos(0.6), 1.6 - r * np.sin(0.6))
        loop_b = (0.6 - r * np.cos(0.6), 1.6 + r * np.sin(0.6))
        b.arrow(loop_a, loop_b, rad=-2.6)
        b.text((-0.45, 1.6), "$W_h$", ha="right")
        # the unfold arrow
        b.arrow((1.45, 1.6), (2.35, 1.6), color=MUTED, lw=2.0)
        b.text((1.9, 1.9), "unfold", fontsize=9, color=MUTED)
        # unrolled graph
        h_prev = b.box((x0 - 1.05, 1.6), "$h_0$", w=0.7, h=0.6)
        for t in range(1, T + 1):
            cx = x0 + dx * (t - 1) + 0.4
            xt, ht, yt = (b.node((cx, y), f"${n}_{{{t}}}$") for n, y in (("x", 0.0), ("h", 1.6), ("y", 3.2)))
            b.arrow(xt, ht)
            b.arrow(ht, yt)
            b.arrow(h_prev, ht)
            if t == 1:
                b.text((cx + 0.25, 0.8), "$W_x$", fontsize=9, ha="left")
                b.text((cx + 0.25, 2.4), "$W_y$", fontsize=9, ha="left")
            b.text(((_center(h_prev)[0] + cx) / 2, 1.72), "$W_h$", fontsize=9, va="bottom")
            h_prev = ht
        b.text(((x0 + width) / 2, -0.65), "the same $W_x$, $W_h$, $W_y$ at every step", fontsize=9, color=MUTED)
    alt = (
        f"A recurrent network drawn rolled, as input x, hidden state h with a self-loop W_h, and output y, and "
        f"unfolded over {T} steps: each x_t feeds h_t through W_x, h_(t-1) feeds h_t through W_h starting from h_0, "
        f"and h_t feeds y_t through W_y, with the same weights at every step."
    )
    return set_alt(fig, alt)


PATTERNS = {
    "hidden": "(a) output at every step,\nhidden-to-hidden recurrence",
    "output": "(b) output at every step,\noutput-to-hidden recurrence",
    "single": "(c) whole sequence\nto one output",
}

_PATTERN_ALT = {
    "hidden": "each hidden state h_t receives x_t and h_(t-1) and produces an output o_t at every step",
    "output": "each hidden state h_t receives x_t and the previous output o_(t-1), not h_(t-1), "
    "and produces o_t at every step",
    "single": "the hidden states are chained h_1 to h_tau, each receiving its input x_t, "
    "and only the last one produces an output o_tau",
}


def _draw_pattern(b: _Board, pattern: str, x_left: float, y0: float = 0.0):
    dx, r = 1.5, 0.44
    cols = [x_left + dx * k for k in range(3)]
    steps = ("t-1", "t", "t+1") if pattern != "single" else ("1", "2", r"\tau")
    hs, os = [], []
    for k, (cx, s) in enumerate(zip(cols, steps)):
        xt = b.node((cx, y0), f"$x_{{{s}}}$", r=r, fontsize=10)
        ht = b.node((cx, y0 + 1.5), f"$h_{{{s}}}$", r=r, fontsize=10)
        b.arrow(xt, ht)
        hs.append(ht)
        if pattern != "single" or k == 2:
            ot = b.node((cx, y0 + 3.0), f"$o_{{{s}}}$", r=r, fontsize=10, color=OKABE_ITO["blue"])
            b.arrow(ht, ot)
            os.append(ot)
    lead = dict(color=MUTED)
    if pattern in ("hidden", "single"):
        b.arrow((cols[0] - 0.95, y0 + 1.5), hs[0], **lead)
        dashed = pattern == "single"
        for k in range(2):
            b.arrow(hs[k], hs[k + 1], ls="--" if dashed and k == 1 else "-")
        if pattern == "hidden":
            b.arrow(hs[2], (cols[2] + 0.95, y0 + 1.5), **lead)
    else:
        b.arrow((cols[0] - 0.95, y0 + 2.55), hs[0], **lead)
        for k in range(2):
            b.arrow(os[k], hs[k + 1], color=OKABE_ITO["vermillion"])
        b.arrow(os[2], (cols[2] + 0.95, y0 + 2.0), **lead)
    b.text((cols[1], y0 + 4.05), PATTERNS[pattern], fontsize=9)


def rnn_pattern_diagram(pattern: str = "hidden", ax=None):
    """One of Goodfellow et al.'s (2016, ch. 10) three RNN patterns, unrolled over three steps.

    Parameters
    ----------
    pattern : ``"hidden"`` (output at every step, hidden-to-hidden recurrence), ``"output"``
        (output-to-hidden recurrence) or ``"single"`` (a whole sequence to one output)
    ax : matplotlib Axes, optional
    """
    check_choice("pattern", pattern, PATTERNS)
    with course_style():
        fig, ax = new_figure(ax, figsize=(3.2, 2.6), diagram=True)
        b = _Board(ax, (-1.1, 4.1), (-0.55, 4.5))
        _draw_pattern(b, pattern, 0.0)
    return set_alt(fig, f"RNN pattern {_one_line(PATTERNS[pattern])}: {_PATTERN_ALT[pattern]}.")


def rnn_patterns_diagram(ax=None):
    """Goodfellow et al.'s three RNN patterns: (a) and (b) side by side, (c) below (see :func:`rnn_pattern_diagram`)."""
    with course_style():
        fig, ax = new_figure(ax, figsize=(6.4, 5.5), diagram=True)
        b = _Board(ax, (-1.1, 9.4), (-0.55, 9.75))
        _draw_pattern(b, "hidden", 0.0, y0=5.15)
        _draw_pattern(b, "output", 5.3, y0=5.15)
        _draw_pattern(b, "single", 2.65, y0=0.0)
    alt = "Three RNN patterns, each unrolled over three steps. " + " ".join(
        f"{_one_line(PATTERNS[p])}: {_PATTERN_ALT[p]}." for p in PATTERNS
    )
    return set_alt(fig, alt)


def _one_line(s: str) -> str:
    return s.replace("\n", " ")


# ----------------------------------------------------------------------------------------------- cells

_LIGHT = {k: v + "22" for k, v in GATE_COLORS.items()}  # the gate colours at low opacity, for box fills


def _gate_style(name, highlight):
    """Edge colour, fill, line width and text colour of the box of gate ``name``."""
    if highlight is None:
        return GATE_COLORS[name], _LIGHT[name], 1.5, INK
    if highlight == name:
        return GATE_COLORS[name], GATE_COLORS[name], 2.2, "#ffffff"
    return MUTED, FILL, 1.1, MUTED


def _line_style(highlight, name):
    """Colour and width of the line that leaves the box of gate ``name``."""
    if highlight == name:
        return GATE_COLORS[name], 2.0
    return (INK, 1.4) if highlight is None else (MUTED, 1.2)


def _cell_board(ax, top: float):
    """The figure, board and rounded grey panel that the LSTM and GRU cell diagrams draw on."""
    fig, ax = new_figure(ax, figsize=(6.4, 6.4 * (top + 1.6) / 14.6), diagram=True)
    b = _Board(ax, (-2.3, 12.3), (-1.45, top + 0.15))
    b.ax.add_patch(
        FancyBboxPatch(
            (-0.3, 0.0),
            10.6,
            top - 0.3,
            boxstyle="round,pad=0,rounding_size=0.35",
            facecolor="#f0f0f0",
            edgecolor=MUTED,
            lw=1.0,
            zorder=0,
        )
    )
    return fig, b


def lstm_cell_diagram(peepholes: bool = False, highlight=None, forget_gate: bool = True, ax=None):
    """The LSTM cell: gates i, f, g, o from ``[h_{t-1}, x_t]``, the cell line ``c_{t-1} -> c_t`` and ``h_t``.

    Parameters
    ----------
    peepholes : bool
        Draw Graves's peepholes (dashed): i and f see ``c_{t-1}``, o sees ``c_t``.
    highlight : None or one of ``"i"``, ``"f"``, ``"g"``, ``"o"``, ``"c"``
        Colour one gate (or the cell line) and grey the others.
    forget_gate : bool
        ``False`` draws the 1997 cell: no forget gate, and the constant error carousel, a
        self-loop of weight 1.0 on the cell.
    ax : matplotlib Axes, optional
    """
    if not isinstance(peepholes, bool):
        raise TypeError(f"peepholes: expected a bool, got {type(peepholes).__name__}")
    if not isinstance(forget_gate, bool):
        raise TypeError(f"forget_gate: expected a bool, got {type(forget_gate).__name__}")
    gates = ("f", "i", "g", "o") if forget_gate else ("i", "g", "o")
    if highlight is not None:
        check_choice("highlight", highlight, (*gates, "c"))
    gx = {"f": 2.0, "i": 3.6, "g": 5.4, "o": 7.6}  # gate box centres (x); all at y = 2.0
    y_c, y_h, y_g, y_ig, y_oh = 5.0, 0.6, 2.0, 3.5, 3.1
    x_plus, x_h = 5.4, 8.9
    top = 6.5 if not forget_gate else 5.8
    with course_style():
        fig, b = _cell_board(ax, top)
        c_color = GATE_COLORS["c"] if highlight in (None, "c") else MUTED
        c_lw = 3.0 if highlight == "c" else 2.2
        # the cell line
        plus = b.node((x_plus, y_c), "+", r=0.3, color=c_color, fontsize=13)
        if forget_gate:
            times_f = b.node((gx["f"], y_c), r"$\times$", r=0.3, color=c_color, fontsize=12)
            b.arrow((-1.0, y_c), times_f, color=c_color, lw=c_lw)
            b.arrow(times_f, plus, color=c_color, lw=c_lw)
        else:
            b.arrow((-1.0, y_c), plus, color=c_color, lw=c_lw)
            b.arrow((x_plus + 0.26, y_c + 0.16), (x_plus - 0.26, y_c + 0.16), color=c_color, lw=c_lw, rad=2.8)
            b.text((x_plus + 0.7, y_c + 0.85), "1.0", fontsize=10, color=c_color, ha="left")
            b.text((x_plus - 0.7, y_c + 0.85), "CEC", fontsize=9, color=c_color, ha="right")
        b.arrow(plus, (11.0, y_c), color=c_color, lw=c_lw)
        b.text((-1.1, y_c), "$c_{t-1}$", ha="right")
        b.text((11.1, y_c), "$c_t$", ha="left")
        # inputs: h_{t-1} along the bottom, x_t from below, tapped by every gate
        b.path([(-1.0, y_h), (gx["o"], y_h)], head=False)
        b.text((-1.1, y_h), "$h_{t-1}$", ha="right")
        b.arrow((1.0, -0.9), (1.0, y_h), head=False)
        b.dot((1.0, y_h))
        b.text((1.0, -1.15), "$x_t$", va="top")
        boxes = {}
        for name in gates:
            edge, fill, lw, tc = _gate_style(name, highlight)
            act = r"$\tanh$" if name == "g" else r"$\sigma$"
            boxes[name] = b.box((gx[name], y_g), act, w=0.95, h=0.7, color=edge, fill=fill, lw=lw, text_color=tc)
            b.arrow((gx[name], y_h), boxes[name], color=INK if highlight in (None, name) else MUTED)
            b.dot((gx[name], y_h))
            label_color = GATE_COLORS[name] if highlight in (None, name) else MUTED
            b.text((gx[name] + 0.62, y_g - 0.62), f"${name}$", fontsize=11, color=label_color, ha="left")

        if forget_gate:
            col, lw = _line_style(highlight, "f")
            b.arrow(boxes["f"], times_f, color=col, lw=lw)
        times_ig = b.node((gx["g"], y_ig), r"$\times$", r=0.3, fontsize=12)
        col, lw = _line_style(highlight, "i")
        b.path([(gx["i"], y_g + 0.35), (gx["i"], y_ig), (gx["g"] - 0.3, y_ig)], color=col, lw=lw, end=times_ig)
        col, lw = _line_style(highlight, "g")
        b.arrow(boxes["g"], times_ig, color=col, lw=lw)
        b.arrow(times_ig, plus)
        # output: h_t = o * tanh(c_t)
        tanh_c = b.box((x_h, 4.1), r"$\tanh$", w=0.95, h=0.55, fontsize=10)
        b.dot((x_h, y_c))
        b.arrow((x_h, y_c), tanh_c)
        times_h = b.node((x_h, y_oh), r"$\times$", r=0.3, fontsize=12)
        b.arrow(tanh_c, times_h)
        col, lw = _line_style(highlight, "o")
        b.path([(gx["o"] + 0.475, y_g), (x_h, y_g), (x_h, y_oh - 0.3)], color=col, lw=lw, end=times_h)
        b.path([(x_h + 0.3, y_oh), (9.8, y_oh), (9.8, y_h), (11.0, y_h)])
        b.text((11.1, y_h), "$h_t$", ha="left")
        if peepholes:
            pc = OKABE_ITO["sky"]
            b.dot((0.3, y_c), color=pc)
            if forget_gate:
                b.path([(0.3, y_c), (0.3, y_g), (gx["f"] - 0.475, y_g)], color=pc, ls="--", lw=1.3)
            b.path([(0.3, y_c), (0.3, 3.0), (gx["i"] - 0.3, y_g + 0.35)], color=pc, ls="--", lw=1.3)
            b.dot((gx["o"], y_c), color=pc)
            b.arrow((gx["o"], y_c), boxes["o"], color=pc, ls="--", lw=1.3)
            b.text((0.45, 3.55), "peep-\nholes", fontsize=8, color=pc, ha="left", va="center")
    parts = [
        "The LSTM cell." if forget_gate else "The 1997 LSTM cell, without a forget gate.",
        "The previous hidden state h_(t-1) and the input x_t feed "
        + ("four boxes: the forget gate f, " if forget_gate else "three boxes: ")
        + "the input gate i and the output gate o (sigmoids) and the candidate g (tanh).",
        "Along the top, the cell state c_(t-1) "
        + (
            "is multiplied by f, "
            if forget_gate
            else "passes through a self-loop of weight 1.0, the constant error carousel, "
        )
        + "and i times g is added, giving c_t. The new hidden state h_t is o times tanh(c_t).",
    ]
    if peepholes:
        parts.append("Dashed peephole connections let i and f see c_(t-1) and o see c_t.")
    if highlight is not None:
        parts.append(f"The {'cell line' if highlight == 'c' else 'gate ' + highlight} is highlighted.")
    return set_alt(fig, " ".join(parts))


def gru_cell_diagram(highlight=None, ax=None):
    """The GRU cell (Cho et al. 2014's form): ``h_t = z * h_{t-1} + (1 - z) * n``, n from x_t and ``r * h_{t-1}``.

    Parameters
    ----------
    highlight : None or one of ``"r"``, ``"z"``, ``"n"``: colour one block and grey the others
    ax : matplotlib Axes, optional
    """
    if highlight is not None:
        check_choice("highlight", highlight, ("r", "z", "n"))
    y_top, y_b, y_g, y_1z = 5.0, 0.6, 2.2, 3.7
    x_z, x_r, x_rh, x_n, x_plus = 1.8, 3.6, 5.2, 7.6, 7.6
    top = 5.8
    with course_style():
        fig, b = _cell_board(ax, top)
        h_color = GATE_COLORS["h"]
        # the state line along the top
        times_z = b.node((x_z, y_top), r"$\times$", r=0.3, fontsize=12)
        plus = b.node((x_plus, y_top), "+", r=0.3, fontsize=13)
        b.arrow((-1.0, y_top), times_z, color=h_color, lw=2.2)
        b.arrow(times_z, plus, color=h_color, lw=2.2)
        b.arrow(plus, (11.0, y_top), color=h_color, lw=2.2)
        b.text((-1.1, y_top), "$h_{t-1}$", ha="right")
        b.text((11.1, y_top), "$h_t$", ha="left")
        # h_{t-1} drops into the bottom line, x_t joins it
        b.dot((0.3, y_top))
        b.path([(0.3, y_top), (0.3, y_b), (x_n, y_b)], head=False)
        b.arrow((1.0, -0.9), (1.0, y_b), head=False)
        b.dot((1.0, y_b))
        b.text((1.0, -1.15), "$x_t$", va="top")
        boxes = {}
        for name, x in (("z", x_z), ("r", x_r), ("n", x_n)):
            edge, fill, lw, tc = _gate_style(name, highlight)
            act = r"$\tanh$" if name == "n" else r"$\sigma$"
            boxes[name] = b.box((x, y_g), act, w=0.95, h=0.7, color=edge, fill=fill, lw=lw, text_color=tc)
            b.dot((x, y_b))
            label_color = GATE_COLORS[name] if highlight in (None, name) else MUTED
            b.text((x + 0.62, y_g - 0.62), f"${name}$", fontsize=11, color=label_color, ha="left")
        b.arrow((x_z, y_b), boxes["z"])
        b.arrow((x_r, y_b), boxes["r"])
        b.arrow((x_n, y_b), boxes["n"])

        # z scales h_{t-1}; 1 - z scales the candidate n
        col, lw = _line_style(highlight, "z")
        b.arrow(boxes["z"], times_z, color=col, lw=lw)
        b.dot((x_z, y_1z), color=col)
        one_minus = b.box((3.4, y_1z), "$1-$", w=0.75, h=0.5, fontsize=10)
        b.arrow((x_z, y_1z), one_minus, color=col, lw=lw)
        times_n = b.node((x_plus, y_1z), r"$\times$", r=0.3, fontsize=12)
        b.arrow(one_minus, times_n)
        col, lw = _line_style(highlight, "n")
        b.arrow(boxes["n"], times_n, color=col, lw=lw)
        b.arrow(times_n, plus)
        # the reset gate multiplies h_{t-1} before it enters the candidate
        times_r = b.node((x_rh, y_g), r"$\times$", r=0.3, fontsize=12)
        col, lw = _line_style(highlight, "r")
        b.arrow(boxes["r"], times_r, color=col, lw=lw)
        b.dot((x_rh, y_b))
        b.arrow((x_rh, y_b), times_r)
        b.arrow(times_r, boxes["n"])
        b.text((x_rh, y_g + 0.45), r"$r \odot h_{t-1}$", fontsize=8, va="bottom", color=MUTED)
    alt = (
        "The GRU cell. The previous state h_(t-1) and the input x_t feed the update gate z and the reset gate r "
        "(sigmoids). The reset gate multiplies h_(t-1) before it enters the candidate n (tanh) together with x_t. "
        "Along the top, h_(t-1) is multiplied by z and (1 - z) times n is added, giving h_t."
    )
    if highlight is not None:
        alt += f" The block {highlight} is highlighted."
    return set_alt(fig, alt)


def jacobian_chain_diagram(ax=None):
    """The chain rule through time: ``dh_T/dh_k`` as the product of the per-step Jacobians ``J_t = dh_t/dh_{t-1}``.

    In the row-vector convention ``h_t = phi(h_{t-1} W_h + x_t W_x + b)``,
    ``J_t = diag(phi'(a_t)) W_h^T`` and ``dh_T/dh_k = J_T J_{T-1} ... J_{k+1}``.
    """
    with course_style():
        fig, ax = new_figure(ax, figsize=(6.4, 2.5), diagram=True)
        b = _Board(ax, (-0.8, 11.6), (-2.0, 2.55))
        xs = [0.0, 2.4, 4.8, 7.6, 10.4]
        labels = ["$h_k$", "$h_{k+1}$", "$h_{k+2}$", "$h_{T-1}$", "$h_T$"]
        nodes = [b.node((x, 1.0), s, r=0.48, fontsize=10) for x, s in zip(xs, labels)]
        jac = ["$J_{k+1}$", "$J_{k+2}$", None, "$J_T$"]
        back = OKABE_ITO["vermillion"]
        for n in range(4):
            dashed = n == 2
            b.arrow(nodes[n], nodes[n + 1], ls="--" if dashed else "-", color=MUTED if dashed else INK)
            if jac[n] is None:
                continue
            b.arrow(nodes[n + 1], nodes[n], rad=0.45, color=back, lw=1.6)
            b.text(((xs[n] + xs[n + 1]) / 2, 1.95), jac[n], color=back, fontsize=10, va="bottom")
        b.text(
            (5.2, -0.55),
            r"$\dfrac{\partial h_T}{\partial h_k} = J_T\,J_{T-1}\cdots J_{k+1},\qquad "
            r"J_t = \dfrac{\partial h_t}{\partial h_{t-1}} = \mathrm{diag}(\phi'(a_t))\,W_h^{\top}$",
            fontsize=11,
        )
        b.text((5.2, -1.55), "forward: $h_t = \\phi(a_t),\\ a_t = h_{t-1} W_h + x_t W_x + b$", fontsize=9, color=MUTED)
    alt = (
        "A chain of hidden states h_k, h_(k+1), ..., h_T linked by forward arrows; backward arrows carry the "
        "per-step Jacobians J_(k+1) to J_T. The formula below reads: dh_T/dh_k equals the product "
        "J_T J_(T-1) ... J_(k+1), where J_t = dh_t/dh_(t-1) = diag(phi'(a_t)) W_h transposed."
    )
    return set_alt(fig, alt)
