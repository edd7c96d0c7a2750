"""Interactive explorers for a notebook (ipywidgets), each with a static twin for the website.

ipywidgets is imported only when an explorer is built, so ``lstmlab`` works without it
(``pip install "ipywidgets>=8,<9"``). Each explorer calls its static twin with the slider
values, so a notebook commits the twin's figure for the website and offers the widget for
live use. An explorer's display carries both: the live widget, which Jupyter shows, and a
still of its current figure (``text/html``, ``text/plain`` with the alt text), which a page
without a kernel can show instead (for myst-nb: the ``html`` builder's priority of the widget
view set to ``None`` in ``nb_mime_priority_overrides``):

* :func:`vanishing_gradient_explorer` / :func:`vanishing_gradient_figure`
* :func:`gate_explorer` / :func:`gate_explorer_figure`
"""

from __future__ import annotations

import numpy as np

from .checks import check_choice, check_positive_int
from .viz.gates import lstm_gate_trace, plot_gate_lines
from .viz.gradients import plot_jacobian_norms, vanishing_gradient_data
from .viz.style import FigureHTML, show

#: The input patterns of the gate explorer.
PATTERNS = ("pulses", "step", "noise")


def _ipywidgets():
    try:
        import ipywidgets
    except ImportError as err:  # pragma: no cover - depends on the environment
        raise ImportError('The explorers need ipywidgets: pip install "ipywidgets>=8,<9"') from err
    return ipywidgets


def _explorer(update, controls: dict):
    """An ``ipywidgets.interactive`` box whose display also carries a still of its current figure."""
    w = _ipywidgets()

    class Explorer(w.interactive):
        def _repr_mimebundle_(self, **kwargs):
            data = super()._repr_mimebundle_(**kwargs)
            if self.result is not None:
                still = FigureHTML(self.result)
                data = {**data, "text/html": still.html, "text/plain": repr(still)}
            return data

    return Explorer(update, **controls)


def vanishing_gradient_figure(rho=0.9, nonlinearity="tanh", T=50, H=16, seed=0):
    """``||dh_T/dh_k||`` against the lag for one random RNN with spectral radius ``rho`` (a log scale).

    The static twin of :func:`vanishing_gradient_explorer`; the data come from
    :func:`lstmlab.viz.gradients.vanishing_gradient_data`.
    """
    return plot_jacobian_norms((rho,), nonlinearity=nonlinearity, T=T, H=H, seed=seed)


def vanishing_gradient_explorer(rho=0.9, nonlinearity="tanh", T=50, H=16, seed=0):
    """Sliders for the spectral radius, nonlinearity, lag T, hidden size and seed; shows the Jacobian norms live.

    Returns the ``ipywidgets.interactive`` box; after each change, ``.result`` holds the figure that
    :func:`vanishing_gradient_figure` makes for the same values.
    """
    w = _ipywidgets()
    check_choice("nonlinearity", nonlinearity, ("tanh", "sigmoid", "relu"))

    def update(rho, nonlinearity, T, H, seed):
        fig = vanishing_gradient_figure(rho, nonlinearity, T, H, seed)
        show(fig)
        return fig

    style = {"description_width": "initial"}
    controls = dict(
        rho=w.FloatSlider(value=rho, min=0.1, max=5.0, step=0.05, description="spectral radius ρ", style=style),
        nonlinearity=w.Dropdown(options=["tanh", "sigmoid", "relu"], value=nonlinearity, description="nonlinearity"),
        T=w.IntSlider(value=T, min=5, max=200, step=5, description="lag T"),
        H=w.IntSlider(value=H, min=2, max=64, step=1, description="hidden size H", style=style),
        seed=w.IntSlider(value=seed, min=0, max=20, step=1, description="seed"),
    )
    return _explorer(update, controls)


def input_pattern(pattern="pulses", T=40, seed=0):
    """The input of the gate explorer, shape (T, 1): ``"pulses"`` (two unit pulses), ``"step"``, or ``"noise"``."""
    check_choice("pattern", pattern, PATTERNS)
    T = check_positive_int("T", T)
    x = np.zeros((T, 1))
    if pattern == "pulses":
        x[T // 8, 0] = 1.0
        x[(5 * T) // 8, 0] = -1.0
    elif pattern == "step":
        x[T // 4 : (3 * T) // 4, 0] = 1.0
    else:
        x[:, 0] = np.random.default_rng(seed).standard_normal(T)
    return x


def gate_unit_params(w_i=4.0, b_i=-2.0, w_f=0.0, b_f=3.0, w_o=0.0, b_o=2.0, w_g=2.0, b_g=0.0):
    """The params dict (float64) of one LSTM unit reading one input, with no recurrent weights (W_h = 0).

    Each gate is ``sigmoid(w * x_t + b)``; the candidate is ``tanh(w_g * x_t + b_g)``. Gate order i, f, g, o.
    """
    values = dict(w_i=w_i, b_i=b_i, w_f=w_f, b_f=b_f, w_o=w_o, b_o=b_o, w_g=w_g, b_g=b_g)
    for name, v in values.items():
        if isinstance(v, bool) or not isinstance(v, (int, float, np.integer, np.floating)) or not np.isfinite(v):
            raise ValueError(f"{name}: expected a finite real number, got {v!r}")
    return {
        "W_x": np.array([[w_i, w_f, w_g, w_o]], dtype=np.float64),
        "W_h": np.zeros((1, 4)),
        "b": np.array([b_i, b_f, b_g, b_o], dtype=np.float64),
    }


def gate_explorer_data(w_i=4.0, b_i=-2.0, w_f=0.0, b_f=3.0, w_o=0.0, b_o=2.0, pattern="pulses", T=40):
    """``(x, trace)``: the input (T, 1) and :func:`~lstmlab.viz.gates.lstm_gate_trace` of one LSTM unit."""
    x = input_pattern(pattern, T)
    params = gate_unit_params(w_i, b_i, w_f, b_f, w_o, b_o)
    return x, lstm_gate_trace(params, x, "lstm")


def gate_explorer_figure(w_i=4.0, b_i=-2.0, w_f=0.0, b_f=3.0, w_o=0.0, b_o=2.0, pattern="pulses", T=40):
    """i, f, o, c and h over time for one LSTM unit (the static twin of :func:`gate_explorer`)."""
    x, trace = gate_explorer_data(w_i, b_i, w_f, b_f, w_o, b_o, pattern, T)
    title = f"$i=\\sigma({w_i:g}x{b_i:+g})$,  $f=\\sigma({w_f:g}x{b_f:+g})$,  $o=\\sigma({w_o:g}x{b_o:+g})$"
    return plot_gate_lines(trace, x, unit=0, title=title)


def gate_explorer(w_i=4.0, b_i=-2.0, w_f=0.0, b_f=3.0, w_o=0.0, b_o=2.0, pattern="pulses", T=40):
    """Sliders for one LSTM unit's gate weights and biases and an input pattern; shows i, f, o, c, h live.

    Returns the ``ipywidgets.interactive`` box; ``.result`` holds the figure of
    :func:`gate_explorer_figure` for the current values.
    """
    w = _ipywidgets()
    check_choice("pattern", pattern, PATTERNS)

    def update(w_i, b_i, w_f, b_f, w_o, b_o, pattern, T):
        fig = gate_explorer_figure(w_i, b_i, w_f, b_f, w_o, b_o, pattern, T)
        show(fig)
        return fig

    def slider(value, description):
        return w.FloatSlider(value=value, min=-6.0, max=6.0, step=0.25, description=description)

    controls = dict(
        w_i=slider(w_i, "input w_i"),
        b_i=slider(b_i, "input b_i"),
        w_f=slider(w_f, "forget w_f"),
        b_f=slider(b_f, "forget b_f"),
        w_o=slider(w_o, "output w_o"),
        b_o=slider(b_o, "output b_o"),
        pattern=w.Dropdown(options=list(PATTERNS), value=pattern, description="input"),
        T=w.IntSlider(value=T, min=10, max=100, step=5, description="steps T"),
    )
    return _explorer(update, controls)


__all__ = [
    "gate_explorer",
    "gate_explorer_data",
    "gate_explorer_figure",
    "gate_unit_params",
    "input_pattern",
    "vanishing_gradient_data",
    "vanishing_gradient_explorer",
    "vanishing_gradient_figure",
]
