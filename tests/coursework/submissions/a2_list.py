# ruff: noqa  (the cells of a student notebook: names come from earlier cells)
# Returns a Python list where an array is asked for (part b); parts a and c are still graded.
# assignment: a2_vanishing
# expect: test_jacobian_product=3 test_jacobian_norms=0 test_clip_global_norm=2
# message: expected a NumPy array, got list
# %% jacobian_norms
def jacobian_norms(hs, W_hh):
    T = hs.shape[0] - 1
    return [np.linalg.norm(jacobian_product(hs, W_hh, T, T - lag), 2) for lag in range(T + 1)]
