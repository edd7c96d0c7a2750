"""The course style, alt text, and deterministic PNG/HTML output."""

import base64
import subprocess
import sys

import matplotlib
import pytest
from matplotlib.figure import Figure

from lstmlab.viz import style
from lstmlab.viz.diagrams import lstm_cell_diagram

matplotlib.use("Agg")


def test_png_bytes_are_deterministic_in_one_process():
    assert style.png_bytes(lstm_cell_diagram()) == style.png_bytes(lstm_cell_diagram())


def test_html_is_identical_across_processes():
    """What nbval compares: the text/html of show() after a fresh kernel."""
    code = "from lstmlab.viz import figure_html, lstm_cell_diagram; print(figure_html(lstm_cell_diagram()))"
    runs = [
        subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout for _ in "ab"
    ]
    assert runs[0] == runs[1] and runs[0].startswith("<img ")


def test_png_has_no_software_tag_and_the_panel_is_opaque():
    fig = lstm_cell_diagram()
    data = style.png_bytes(fig)
    assert data.startswith(b"\x89PNG") and b"Software" not in data and b"matplotlib" not in data.lower()
    import io

    from matplotlib.image import imread

    pixels = imread(io.BytesIO(data))
    assert pixels.shape[2] == 4 and pixels[..., 3].min() == 1.0  # no transparent pixel: readable on a dark page
    assert pixels[0, 0, :3].mean() > 0.95  # the light panel


def test_figure_html_carries_escaped_alt_and_the_png():
    fig = style.set_alt(lstm_cell_diagram(), 'A "quoted" <cell> & more')
    html = style.figure_html(fig)
    assert 'alt="A &quot;quoted&quot; &lt;cell&gt; &amp; more"' in html
    b64 = html.split("base64,", 1)[1].split('"', 1)[0]
    assert base64.b64decode(b64) == style.png_bytes(fig)


def test_show_outside_ipython_kernel_displays_html_object(capsys):
    fig = lstm_cell_diagram()
    obj = style.FigureHTML(fig)
    assert obj._repr_html_() == style.figure_html(fig)
    assert fig.alt_text in repr(obj)
    style.show(fig, alt="an override")
    assert "an override" in capsys.readouterr().out


def test_errors_name_the_argument():
    fig = Figure()
    with pytest.raises(ValueError, match="alt: expected alt text"):
        style.figure_html(fig)
    with pytest.raises(ValueError, match="alt: expected a non-empty description"):
        style.set_alt(fig, "  ")
    with pytest.raises(TypeError, match="fig: expected a matplotlib Figure, got str"):
        style.png_bytes("fig")
    with pytest.raises(TypeError, match="ax: expected a matplotlib Axes or None, got int"):
        style.new_figure(ax=3)


def test_course_style_restores_rcparams_and_use_course_style_sets_them():
    before = matplotlib.rcParams["figure.facecolor"]
    with style.course_style():
        assert matplotlib.rcParams["figure.facecolor"] == style.PANEL
    assert matplotlib.rcParams["figure.facecolor"] == before
    with matplotlib.rc_context():
        style.use_course_style()
        assert matplotlib.rcParams["axes.prop_cycle"].by_key()["color"][0] == style.OKABE_ITO["blue"]


def test_new_figure_reuses_a_given_ax():
    fig, ax = style.new_figure()
    fig2, ax2 = style.new_figure(ax)
    assert fig2 is fig and ax2 is ax
