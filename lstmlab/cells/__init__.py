"""Every recurrent cell, by name.

>>> from lstmlab.cells import get_cell
>>> get_cell("lstm").blocks
('i', 'f', 'g', 'o')
"""

from __future__ import annotations

from .base import Cell, sigmoid, step_backward, step_forward
from .clockwork import CLOCKWORK, make_clockwork_cell
from .depth_gated import DEPTH_GATED
from .gru import GRU, GRU_CHO, gru_step_backward, gru_step_forward
from .lstm import GATES, GREFF_VARIANTS, LSTM, LSTM1997, PEEPHOLE, LSTMOptions, lstm_step_backward, lstm_step_forward
from .mut import MUT3
from .rnn import RNN, RNN_RELU, RNN_SIGMOID, rnn_step_backward, rnn_step_forward

CELLS: dict = {c.name: c for c in (LSTM, LSTM1997, PEEPHOLE, *GREFF_VARIANTS.values())}
CELLS.update({c.name: c for c in (RNN, RNN_RELU, RNN_SIGMOID, GRU, GRU_CHO)})
CELLS.update({c.name: c for c in (MUT3, CLOCKWORK, DEPTH_GATED)})  # Part III
CELLS["vanilla"] = PEEPHOLE  # Greff et al.'s name for the peephole LSTM they vary


def register(cell: Cell) -> Cell:
    """Add a cell to :data:`CELLS` under ``cell.name``."""
    if not isinstance(cell, Cell):
        raise TypeError(f"cell: expected a Cell (see lstmlab.cells.base), got {type(cell).__name__}")
    CELLS[cell.name] = cell
    return cell


def get_cell(cell) -> Cell:
    """The :class:`Cell` called ``cell`` (or ``cell`` itself if it already is one)."""
    if isinstance(cell, Cell):
        return cell
    if not isinstance(cell, str) or cell not in CELLS:
        raise ValueError(f"cell: expected one of {sorted(CELLS)}, got {cell!r}")
    return CELLS[cell]


__all__ = [
    "CELLS",
    "GATES",
    "GREFF_VARIANTS",
    "Cell",
    "LSTMOptions",
    "get_cell",
    "gru_step_backward",
    "gru_step_forward",
    "lstm_step_backward",
    "lstm_step_forward",
    "make_clockwork_cell",
    "register",
    "rnn_step_backward",
    "rnn_step_forward",
    "sigmoid",
    "step_backward",
    "step_forward",
]
