# ruff: noqa  (the cells of a student notebook: names come from earlier cells)
# A partly right submission: the step is right, the loop forgets the gradient from step t+1.
# assignment: a1_rnn_bptt
# expect: test_rnn_step_backward=4 test_rnn_bptt=0
# message: entries are wrong
# %% rnn_bptt
def rnn_bptt(dhs, caches):
    params = caches[0][3]
    grads = {k: np.zeros_like(v) for k, v in params.items()}
    dxs = [None] * len(caches)
    for t in reversed(range(len(caches))):
        dxs[t], dh_prev, g = rnn_step_backward(dhs[t], caches[t])
        for k in grads:
            grads[k] = grads[k] + g[k]
    grads["xs"], grads["h0"] = np.stack(dxs), dh_prev
    return grads
