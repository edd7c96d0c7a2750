"""Chapter 7's experiment: an LSTM trained on one endless stream, with its state never reset.

Gers, Schmidhuber & Cummins (2000) fed the continual embedded Reber stream to an
LSTM without ever resetting its state between strings. Training works on
windows of ``window`` steps cut from ``N`` long streams, one window after the
other: the state at the end of a window is the initial state of the next
(truncated BPTT over a stream), so the network sees the streams as they are,
without a single reset.

* :func:`train_on_stream` -- Adam on consecutive windows of ``N`` streams, the
  state carried across windows; returns the model and the loss of every window;
* :func:`run_stream` -- run a trained one-layer model over a long stream, step
  by step, and return its predictions and its cell state at every step.

Shapes: N streams, T steps, V = 7 symbols, H hidden units.
"""

from __future__ import annotations

import numpy as np

from ..cells import get_cell, lstm_step_forward
from ..checks import check_array, check_positive_int
from ..clip import clip_grad_norm
from ..init import chrono_init
from ..model import Model
from ..optim import Adam
from ..tasks import get_task


def train_on_stream(
    cell="lstm",
    hidden_size=12,
    streams=16,
    window=40,
    updates=1500,
    lr=1e-2,
    clip=1.0,
    seed=0,
    forget_bias=None,
    chrono=None,
    chrono_input_gate=False,
):
    """Train a one-layer ``cell`` on ``streams`` continual Reber streams of ``window * updates`` steps.

    Each update reads the next ``window`` steps of every stream, starting from the
    state where the previous window ended (zeros only before the very first one),
    backpropagates through that window, clips the gradient's global norm at
    ``clip`` and takes one Adam step. ``forget_bias`` sets every forget bias to one
    value; ``chrono`` (an int, the longest lag) draws them with :func:`lstmlab.init.chrono_init`
    instead (give one or neither), by default the forget biases alone
    (``chrono_input_gate=True``: the input biases too, ``b_i = -b_f``).

    Returns
    -------
    model : Model, readout "all"
    losses : float array (updates,), the mean squared error of every window
    """
    for name, v in (("hidden_size", hidden_size), ("streams", streams), ("window", window), ("updates", updates)):
        check_positive_int(name, v)
    task = get_task("continual_reber", T=window * updates)
    batch = task.sample(streams, np.random.default_rng(seed))
    if chrono is not None and forget_bias is not None:
        raise ValueError(
            f"chrono: give either forget_bias or chrono, got forget_bias={forget_bias!r}, chrono={chrono!r}"
        )
    model = Model(cell, 7, hidden_size, 7, readout="all", seed=seed, forget_bias=forget_bias)
    if chrono is not None:
        chrono_init(model.params, model.cell, chrono, seed=seed, prefix="l0.", input_gate=chrono_input_gate)
    opt = Adam(model.params, lr=lr)
    h0 = c0 = None
    losses = np.empty(updates)
    for u in range(updates):
        steps = slice(u * window, (u + 1) * window)
        loss, grads, final = model.loss_and_grads(batch.x[:, steps], batch.y[:, steps], h0=h0, c0=c0, return_final=True)
        clip_grad_norm(grads, clip)
        opt.step(model.params, grads)
        h0, c0 = final["h"], final["c"]  # carried into the next window: no reset
        losses[u] = loss
    return model, losses


def run_stream(model, x):
    """Run a one-layer LSTM ``model`` over streams ``x`` (N, T, 7), step by step, from a zero state.

    Returns
    -------
    y_pred : array (N, T, V), the readout at every step
    c : array (N, T, H), the cell state after every step
    """
    if not isinstance(model, Model) or model.num_layers != 1 or model.bidirectional:
        raise ValueError("model: expected a one-layer, one-directional lstmlab.model.Model")
    cell = get_cell(model.cell)
    if cell.state_names != ("h", "c"):
        raise ValueError(f"model: expected an LSTM cell with state (h, c), got {model.cell!r}")
    x = check_array("x", x, shape=(None, None, model.input_size))
    N, T, _ = x.shape
    H = model.hidden_size
    params = {k[len("l0.") :]: v for k, v in model.params.items() if k.startswith("l0.")}
    h, c = np.zeros((N, H)), np.zeros((N, H))
    hs, cs = np.empty((N, T, H)), np.empty((N, T, H))
    for t in range(T):
        h, c, _ = lstm_step_forward(x[:, t], h, c, params, cell=cell)
        hs[:, t], cs[:, t] = h, c
    return hs @ model.params["W_y"] + model.params["b_y"], cs


__all__ = ["run_stream", "train_on_stream"]
