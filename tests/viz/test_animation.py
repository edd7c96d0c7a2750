"""Animations as HTML: deterministic, with alt text, and with the frames asked for."""

import re

import pytest

from lstmlab.viz.animation import animation_html, jacobian_norm_animation


def test_animation_html_is_deterministic_and_has_no_random_id():
    a = animation_html(jacobian_norm_animation(T=8, H=3, frames=3))
    b = animation_html(jacobian_norm_animation(T=8, H=3, frames=3))
    assert a.html == b.html
    assert a.html.count("data:image/png;base64") == 3
    assert 'aria-label="Animation: the norm of dh_T/dh_k' in a.html
    assert "once" in a.html


def test_animation_html_errors():
    with pytest.raises(TypeError, match="anim: expected a matplotlib FuncAnimation, got str"):
        animation_html("anim")
    anim = jacobian_norm_animation(T=4, H=2, frames=2)
    with pytest.raises(ValueError, match="default_mode: expected one of"):
        animation_html(anim, default_mode="bounce")
    with pytest.raises(ValueError, match="fps: expected a positive int"):
        animation_html(anim, fps=0)
    checked = re.findall(r'value="(\w+)"[^>]*checked', animation_html(anim, default_mode="loop").html)
    assert checked == ["loop"]
