# ruff: noqa  (the cells of a student notebook: names come from earlier cells)
# The loop never ends (t is never decremented): the graded call is stopped by its time limit.
# assignment: a1_rnn_bptt
# expect: test_rnn_step_backward=4 test_rnn_bptt=0
# message: did not return within
# %% rnn_bptt
def rnn_bptt(dhs, caches):
    t = len(caches) - 1
    dh_next = np.zeros_like(dhs[0])
    while t >= 0:
        dx, dh_next, g = rnn_step_backward(dhs[t] + dh_next, caches[t])
