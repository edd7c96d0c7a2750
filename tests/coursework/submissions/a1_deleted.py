# ruff: noqa  (the cells of a student notebook: names come from earlier cells)
# Deletes the test cell of part (b), which then scores zero, and empties the test cell of part (a)
# around a wrong step (the tanh derivative forgotten): nbgrader restores that cell from the
# gradebook, and the restored tests fail the step.
# assignment: a1_rnn_bptt
# delete: test_rnn_bptt
# expect: test_rnn_step_backward=0 test_rnn_bptt=0
# message: entries are wrong
# %% rnn_step_backward
def rnn_step_backward(dh, cache):
    x, h_prev, h, params = cache
    grads = {"W_xh": dh @ x.T, "W_hh": dh @ h_prev.T, "b": dh.sum(axis=1, keepdims=True)}
    return params["W_xh"].T @ dh, params["W_hh"].T @ dh, grads


# %% test_rnn_step_backward
print("all tests passed")
