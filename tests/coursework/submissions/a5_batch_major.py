# ruff: noqa  (the cells of a student notebook: names come from earlier cells)
# Windows in the batch-major layout (N, T, 1) of lstmlab, not this assignment's time-major one:
# the pipeline part is lost, the loss and the trained model are still graded.
# assignment: a5_project
# expect: test_make_windows=0 test_mse=2 test_beats_persistence=3
# message: x: expected shape (3, 7, 1), got (7, 3, 1)
# %% make_windows
def make_windows(values, T):
    N = len(values) - T
    x = np.stack([values[i : i + T] for i in range(N)])[:, :, None]
    return x.astype(float), values[T:, None].astype(float)
