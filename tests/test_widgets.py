"""The explorers build, and each widget shows exactly what its static twin draws for the same values."""

import numpy as np
import pytest

from lstmlab import widgets
from lstmlab.viz.gradients import vanishing_gradient_data

pytest.importorskip("ipywidgets")


def lines_of(fig):
    return [(line.get_label(), line.get_xdata(), line.get_ydata()) for ax in fig.axes for line in ax.get_lines()]


def assert_same_lines(a, b):
    la, lb = lines_of(a), lines_of(b)
    assert len(la) == len(lb) > 0
    for (na, xa, ya), (nb, xb, yb) in zip(la, lb):
        assert na == nb
        np.testing.assert_array_equal(xa, xb)
        np.testing.assert_array_equal(ya, yb)


def set_values(w, **values):
    """Move the explorer's controls as a user would; each change reruns the callback."""
    controls = {k._kwarg: k for k in w.kwargs_widgets}
    for name, value in values.items():
        controls[name].value = value


def test_vanishing_gradient_explorer_matches_its_twin():
    w = widgets.vanishing_gradient_explorer()
    set_values(w, rho=1.5, nonlinearity="sigmoid", T=20, H=6, seed=3)
    twin = widgets.vanishing_gradient_figure(1.5, "sigmoid", 20, 6, 3)
    assert_same_lines(w.result, twin)
    assert w.result.alt_text == twin.alt_text
    lags, norms = vanishing_gradient_data(1.5, "sigmoid", 20, 6, 3)
    np.testing.assert_array_equal(lines_of(twin)[0][2], np.maximum(norms, 1e-300))


def test_gate_explorer_matches_its_twin():
    w = widgets.gate_explorer()
    set_values(w, w_f=2.0, b_f=-1.0, pattern="step", T=20)
    twin = widgets.gate_explorer_figure(w_f=2.0, b_f=-1.0, pattern="step", T=20)
    assert_same_lines(w.result, twin)
    x, trace = widgets.gate_explorer_data(w_f=2.0, b_f=-1.0, pattern="step", T=20)
    # the unit's gates from their equations: no recurrence, so f_t = sigmoid(w_f x_t + b_f)
    np.testing.assert_allclose(trace["f"][:, 0], 1 / (1 + np.exp(-(2.0 * x[:, 0] - 1.0))), rtol=1e-12)


def test_input_patterns_and_errors():
    np.testing.assert_array_equal(widgets.input_pattern("step", 8)[:, 0], [0, 0, 1, 1, 1, 1, 0, 0])
    assert widgets.input_pattern("pulses", 16)[:, 0].tolist().count(0.0) == 14
    with pytest.raises(ValueError, match="pattern: expected one of"):
        widgets.input_pattern("saw")
    with pytest.raises(ValueError, match="w_i: expected a finite real number"):
        widgets.gate_unit_params(w_i=float("nan"))
    with pytest.raises(ValueError, match="nonlinearity: expected one of"):
        widgets.vanishing_gradient_explorer(nonlinearity="gelu")


@pytest.mark.parametrize("make", [widgets.vanishing_gradient_explorer, widgets.gate_explorer])
def test_an_explorer_displays_the_live_widget_and_a_still_of_its_figure(make):
    w = make()
    bundle = w._repr_mimebundle_()
    # Jupyter shows the live widget ...
    view = bundle["application/vnd.jupyter.widget-view+json"]
    assert view["model_id"] == w.model_id
    # ... and a page without a kernel can show the figure of the current values instead.
    assert bundle["text/html"].startswith("<img") and 'src="data:image/png;base64,' in bundle["text/html"]
    assert bundle["text/plain"] == f"[figure: {w.result.alt_text}]"
    assert 'alt="' in bundle["text/html"]
