"""The chapter 8 checker accepts a correct answer and names each typical mistake."""

import numpy as np
import pytest

from lstmlab.exercises import check_peephole_grads


def grads(da_i, da_f, da_o, c_prev, c, p, slip=None):
    dc_extra = da_o * p["p_o"]
    dc_prev_extra = da_i * p["p_i"] + da_f * p["p_f"]
    g = {"p_i": (da_i * c_prev).sum(0), "p_f": (da_f * c_prev).sum(0), "p_o": (da_o * c).sum(0)}
    if slip == "no_dc":
        dc_extra = np.zeros_like(dc_extra)
    if slip == "o_to_prev":
        dc_prev_extra = dc_prev_extra + dc_extra
    if slip == "no_f_term":
        dc_prev_extra = da_i * p["p_i"]
    if slip == "swap_p":
        dc_prev_extra = da_i * p["p_f"] + da_f * p["p_i"]
    if slip == "sign":
        dc_extra = -dc_extra
    if slip == "p_o_c_prev":
        g["p_o"] = (da_o * c_prev).sum(0)
    if slip == "p_i_c":
        g["p_i"] = (da_i * c).sum(0)
    if slip == "no_sum":
        g["p_f"] = da_f * c_prev
    if slip == "missing_key":
        del g["p_o"]
    return dc_extra, dc_prev_extra, g


def test_accepts_a_correct_answer():
    fb = check_peephole_grads(grads)
    assert fb.passed, str(fb)
    assert "equals lstmlab's dc_prev" in str(fb)


@pytest.mark.parametrize(
    "slip, words",
    [
        ("no_dc", "dc_extra is zero"),
        ("o_to_prev", "belongs to c_t"),
        ("no_f_term", "the forget gate's term is missing"),
        ("swap_p", "the peepholes are swapped"),
        ("sign", "the sign is wrong"),
        ("p_o_c_prev", "p_o multiplies c_t (c)"),
        ("p_i_c", "p_i multiplies c_{t-1} (c_prev)"),
        ("no_sum", "summed over the batch"),
        ("missing_key", "missing keys ['p_o']"),
    ],
)
def test_names_the_slip(slip, words):
    fb = check_peephole_grads(lambda *a: grads(*a, slip=slip))
    assert not fb.passed
    assert words in str(fb), str(fb)


def test_reports_a_wrong_return():
    assert "returned None" in str(check_peephole_grads(lambda *a: None))
    assert "expected to return a tuple" in str(check_peephole_grads(lambda *a: (1, 2)))
