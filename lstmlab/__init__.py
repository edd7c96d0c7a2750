"""lstmlab: recurrent networks and LSTMs from scratch, with exact, tested backpropagation through time."""

from . import backend, cells, checks, sequence
from .cells import CELLS, GATES, get_cell

__version__ = "0.1.0"

__all__ = ["CELLS", "GATES", "backend", "cells", "checks", "get_cell", "sequence"]
