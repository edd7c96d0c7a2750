"""Every diagram draws headless, returns a Figure with alt text, honours ax, and rejects bad options."""

import matplotlib
import pytest
from matplotlib.figure import Figure

from lstmlab.viz import diagrams, style

matplotlib.use("Agg")

CASES = [
    (diagrams.unrolled_rnn_diagram, {}),
    (diagrams.unrolled_rnn_diagram, {"T": 2}),
    (diagrams.rnn_pattern_diagram, {"pattern": "hidden"}),
    (diagrams.rnn_pattern_diagram, {"pattern": "output"}),
    (diagrams.rnn_pattern_diagram, {"pattern": "single"}),
    (diagrams.rnn_patterns_diagram, {}),
    (diagrams.lstm_cell_diagram, {}),
    (diagrams.lstm_cell_diagram, {"peepholes": True, "highlight": "f"}),
    (diagrams.lstm_cell_diagram, {"forget_gate": False, "highlight": "c"}),
    (diagrams.gru_cell_diagram, {"highlight": "r"}),
    (diagrams.jacobian_chain_diagram, {}),
]


@pytest.mark.parametrize("func,kwargs", CASES)
def test_diagram_returns_figure_with_alt_text(func, kwargs):
    fig = func(**kwargs)
    assert isinstance(fig, Figure)
    assert len(fig.alt_text) > 40
    assert style.png_bytes(fig).startswith(b"\x89PNG")


def test_alt_text_follows_the_options():
    assert "constant error carousel" in diagrams.lstm_cell_diagram(forget_gate=False).alt_text
    assert "forget gate f" in diagrams.lstm_cell_diagram().alt_text
    assert "peephole" in diagrams.lstm_cell_diagram(peepholes=True).alt_text
    assert "unfolded over 6 steps" in diagrams.unrolled_rnn_diagram(T=6).alt_text
    text = diagrams.rnn_patterns_diagram().alt_text
    assert "output-to-hidden" in text and "one output" in text


def test_diagram_draws_into_a_given_ax():
    fig, ax = style.new_figure()
    assert diagrams.gru_cell_diagram(ax=ax) is fig
    assert len(ax.patches) > 10


def test_bad_options():
    with pytest.raises(ValueError, match=r"highlight: expected one of \['c', 'g', 'i', 'o'\], got 'f'"):
        diagrams.lstm_cell_diagram(forget_gate=False, highlight="f")
    with pytest.raises(ValueError, match="pattern: expected one of"):
        diagrams.rnn_pattern_diagram("loop")
    with pytest.raises(ValueError, match="T: expected at most 8 steps"):
        diagrams.unrolled_rnn_diagram(T=9)
    with pytest.raises(TypeError, match="peepholes: expected a bool"):
        diagrams.lstm_cell_diagram(peepholes="yes")
    with pytest.raises(ValueError, match="highlight: expected one of"):
        diagrams.gru_cell_diagram(highlight="i")
