"""Figures of the course: one style, diagrams drawn by code, analysis plots and animations.

Every plotting function returns a matplotlib Figure that carries ``fig.alt_text``
and takes an optional ``ax``; :func:`show` displays a figure in a notebook as an
``<img>`` with that alt text.
"""

from .diagrams import (
    gru_cell_diagram,
    jacobian_chain_diagram,
    lstm_cell_diagram,
    rnn_pattern_diagram,
    rnn_patterns_diagram,
    unrolled_rnn_diagram,
)
from .style import (
    GATE_COLORS,
    OKABE_ITO,
    course_style,
    figure_html,
    new_figure,
    png_bytes,
    set_alt,
    show,
    use_course_style,
)

__all__ = [
    "GATE_COLORS",
    "OKABE_ITO",
    "course_style",
    "figure_html",
    "gru_cell_diagram",
    "jacobian_chain_diagram",
    "lstm_cell_diagram",
    "new_figure",
    "png_bytes",
    "rnn_pattern_diagram",
    "rnn_patterns_diagram",
    "set_alt",
    "show",
    "unrolled_rnn_diagram",
    "use_course_style",
]
