# ruff: noqa  (the cells of a student notebook: names come from earlier cells)
# Wraps lstmlab's reference cell, converting the column vectors correctly: the call into lstmlab
# fails during grading, and the loop that uses it fails with it.
# assignment: a1_rnn_bptt
# expect: test_rnn_step_backward=0 test_rnn_bptt=0
# message: called the course's reference code
# %% rnn_step_backward
from lstmlab.cells import rnn_step_backward as _ref_backward
from lstmlab.cells import rnn_step_forward as _ref_forward


def rnn_step_backward(dh, cache):
    x, h_prev, h, params = cache
    rows = {"W_x": params["W_xh"].T, "W_h": params["W_hh"].T, "b": params["b"][:, 0]}
    _, ref_cache = _ref_forward(x.T, h_prev.T, rows)
    dx, dh_prev, g = _ref_backward(dh.T, ref_cache)
    return dx.T, dh_prev.T, {"W_xh": g["W_x"].T, "W_hh": g["W_h"].T, "b": g["b"][:, None]}
