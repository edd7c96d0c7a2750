# ruff: noqa  (the cells of a student notebook: names come from earlier cells)
# The loop crashes (an index off by one); the step is still graded.
# assignment: a1_rnn_bptt
# expect: test_rnn_step_backward=4 test_rnn_bptt=0
# message: rnn_bptt raised IndexError
# %% rnn_bptt
def rnn_bptt(dhs, caches):
    dh_next = np.zeros_like(dhs[0])
    for t in range(len(caches), 0, -1):
        dx, dh_next, g = rnn_step_backward(dhs[t] + dh_next, caches[t])
