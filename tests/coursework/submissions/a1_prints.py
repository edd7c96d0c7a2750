# ruff: noqa  (the cells of a student notebook: names come from earlier cells)
# Prints megabytes: once at the top of a cell (the notebook keeps the first lines only, no points
# lost) and inside the loop (the graded call is stopped at the output limit: part b is lost).
# assignment: a1_rnn_bptt
# expect: test_rnn_step_backward=4 test_rnn_bptt=0
# message: printed more than
# %% rnn_step_backward
for _ in range(20000):
    print("debugging " * 10)


def rnn_step_backward(dh, cache):
    x, h_prev, h, params = cache
    da = dh * (1.0 - h * h)
    grads = {"W_xh": da @ x.T, "W_hh": da @ h_prev.T, "b": da.sum(axis=1, keepdims=True)}
    return params["W_xh"].T @ da, params["W_hh"].T @ da, grads


# %% rnn_bptt
def rnn_bptt(dhs, caches):
    params = caches[0][3]
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    dxs = [None] * len(caches)
    dh_next = np.zeros_like(dhs[0])
    for t in reversed(range(len(caches))):
        print("step", t, caches[t], "x" * 100000)
        dxs[t], dh_next, g = rnn_step_backward(dhs[t] + dh_next, caches[t])
        for k in grads:
            grads[k] = grads[k] + g[k]
    grads["xs"], grads["h0"] = np.stack(dxs), dh_next
    return grads
