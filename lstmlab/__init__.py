"""lstmlab: recurrent networks and LSTMs from scratch, with exact, tested backpropagation through time."""

from . import backend, bridge, cells, checks, data, sequence, stack, tasks
from .cells import CELLS, GATES, get_cell

__version__ = "0.1.0"

__all__ = ["CELLS", "GATES", "backend", "bridge", "cells", "checks", "get_cell", "sequence", "stack", "tasks", "data"]
