# ruff: noqa  (the cells of a student notebook: names come from earlier cells)
# The loop adds into its argument dhs in place (right gradients, but the caller's array changes).
# assignment: a1_rnn_bptt
# expect: test_rnn_step_backward=4 test_rnn_bptt=0
# message: changed its argument(s) [0]
# %% rnn_bptt
def rnn_bptt(dhs, caches):
    grads = {k: np.zeros_like(v) for k, v in caches[0][3].items()}
    dxs = [None] * len(caches)
    for t in reversed(range(len(caches))):
        dxs[t], dh_prev, g = rnn_step_backward(dhs[t], caches[t])
        if t > 0:
            dhs[t - 1] += dh_prev
        for k in grads:
            grads[k] = grads[k] + g[k]
    grads["xs"], grads["h0"] = np.stack(dxs), dh_prev
    return grads
