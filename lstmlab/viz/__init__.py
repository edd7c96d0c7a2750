"""Figures of the course: one style, diagrams drawn by code, analysis plots and animations.

Every plotting function returns a matplotlib Figure that carries ``fig.alt_text``
and takes an optional ``ax``; :func:`show` displays a figure in a notebook as an
``<img>`` with that alt text.
"""

from .animation import AnimationHTML, animation_html, jacobian_norm_animation
from .diagrams import (
    gru_cell_diagram,
    jacobian_chain_diagram,
    lstm_cell_diagram,
    rnn_pattern_diagram,
    rnn_patterns_diagram,
    unrolled_rnn_diagram,
)
from .gates import lstm_gate_trace, plot_gate_lines, plot_gates
from .gradients import (
    gradient_heatmap,
    jacobian_norm_table,
    jacobian_norms,
    plot_jacobian_norms,
    random_rnn,
    scale_spectral_radius,
    step_jacobians,
    vanishing_gradient_data,
)
from .style import (
    GATE_COLORS,
    OKABE_ITO,
    FigureHTML,
    course_style,
    figure_html,
    new_figure,
    png_bytes,
    set_alt,
    show,
    use_course_style,
)
from .training import seed_curves, success_vs_lag, training_curves

__all__ = [
    "AnimationHTML",
    "FigureHTML",
    "GATE_COLORS",
    "OKABE_ITO",
    "animation_html",
    "course_style",
    "figure_html",
    "gradient_heatmap",
    "gru_cell_diagram",
    "jacobian_chain_diagram",
    "jacobian_norm_animation",
    "jacobian_norm_table",
    "jacobian_norms",
    "lstm_cell_diagram",
    "lstm_gate_trace",
    "new_figure",
    "plot_gate_lines",
    "plot_gates",
    "plot_jacobian_norms",
    "png_bytes",
    "random_rnn",
    "rnn_pattern_diagram",
    "rnn_patterns_diagram",
    "scale_spectral_radius",
    "set_alt",
    "show",
    "step_jacobians",
    "success_vs_lag",
    "seed_curves",
    "training_curves",
    "unrolled_rnn_diagram",
    "use_course_style",
    "vanishing_gradient_data",
]
