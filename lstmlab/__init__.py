"""lstmlab: recurrent networks and LSTMs from scratch, with exact, tested backpropagation through time.

The modules, in the order the book meets them:

- ``cells``: every recurrent cell as step functions with a cache (RNN, LSTM and its variants, GRU)
- ``sequence``: forward and backward through time over (N, T, D), exact or truncated
- ``stack``: stacked and bidirectional layers
- ``gradcheck``: float64 finite differences, reported per parameter
- ``losses``, ``init``, ``optim``, ``clip``, ``schedules``: what training needs
- ``model``, ``train``, ``checkpoint``: a stack plus a readout, ``fit``, and safe .npz checkpoints
- ``sweep``, ``claims``: several seeds of one experiment, and the claims a chapter makes from them
- ``tasks``, ``data``: the synthetic problems of the papers, and real data that ships with packages
- ``exercises``, ``viz``, ``widgets``: automatic feedback, figures and explorers for the book (imported on demand)
- ``bridge``: parameters to and from ``torch.nn.RNN``/``LSTM``/``GRU`` (torch is imported only when called)
- ``backend``: NumPy by default, CuPy on a GPU
"""

from . import (
    backend,
    bridge,
    cells,
    checkpoint,
    checks,
    claims,
    clip,
    data,
    gradcheck,
    init,
    losses,
    model,
    optim,
    schedules,
    sequence,
    stack,
    sweep,
    tasks,
    train,
)
from .cells import CELLS, GATES, get_cell

__version__ = "0.1.0"

__all__ = [
    "CELLS",
    "GATES",
    "backend",
    "bridge",
    "cells",
    "checkpoint",
    "checks",
    "claims",
    "clip",
    "data",
    "get_cell",
    "gradcheck",
    "init",
    "losses",
    "model",
    "optim",
    "schedules",
    "sequence",
    "stack",
    "sweep",
    "tasks",
    "train",
]
