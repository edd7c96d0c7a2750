"""Shared fixtures: random test cases for any cell, a guard that inputs stay unmodified, and the GPU skip."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import lstmlab
from lstmlab.backend import gpu_available


def pytest_collection_modifyitems(config, items):
    """Skip every ``@pytest.mark.gpu`` test, with the reason, where CuPy or a GPU is missing."""
    if gpu_available():
        return
    skip = pytest.mark.skip(reason="needs CuPy and a CUDA GPU (lstmlab.backend.gpu_available() is False)")
    for item in items:
        if "gpu" in item.keywords:
            item.add_marker(skip)


def random_case(cell, N=2, T=4, D=3, H=3, dtype=np.float64, seed=0) -> dict:
    """Params, inputs and random upstream gradients for ``cell``.

    Keys: ``cell``, ``params``, ``x`` (N, T, D), ``state0`` (one array per state entry),
    ``h0`` and, when the cell has one, ``c0`` (N, H); ``dhs`` (N, T, H) and
    ``dstate`` (one upstream gradient per final state entry: ``dh_T``, ``dc_T``, ...).
    """
    cell = lstmlab.get_cell(cell)
    rng = np.random.default_rng(seed)
    params = cell.init_params(D, H, seed=rng, dtype=dtype)
    widths = cell.widths(H)
    state0 = tuple(0.5 * rng.standard_normal((N, w)).astype(dtype) for w in widths)
    if "q" in cell.state_names:  # previous gate activations lie in (0, 1)
        state0 = state0[:2] + (rng.uniform(0.05, 0.95, (N, widths[2])).astype(dtype),)
    case = {
        "cell": cell,
        "params": params,
        "x": rng.standard_normal((N, T, D)).astype(dtype),
        "state0": state0,
        "h0": state0[0],
        "dhs": rng.standard_normal((N, T, H)).astype(dtype),
        "dstate": tuple(rng.standard_normal((N, w)).astype(dtype) for w in widths),
    }
    if "c" in cell.state_names:
        case["c0"] = state0[1]
    return case


@pytest.fixture
def make_case():
    """A factory: ``make_case(cell, N, T, D, H, dtype, seed)`` -> see :func:`random_case`."""
    return random_case


class Unchanged:
    """Deep snapshot of arrays (in dicts, tuples, lists); ``check()`` asserts nothing was modified."""

    def __init__(self, *objects):
        self.objects = objects
        self.copies = copy.deepcopy(objects)

    def check(self):
        _assert_same(self.copies, self.objects, "input")


def _assert_same(before, after, where):
    if isinstance(before, dict):
        assert set(before) == set(after), f"{where}: keys changed"
        for k in before:
            _assert_same(before[k], after[k], f"{where}[{k!r}]")
    elif isinstance(before, (tuple, list)):
        assert len(before) == len(after), f"{where}: length changed"
        for n, (b, a) in enumerate(zip(before, after)):
            _assert_same(b, a, f"{where}[{n}]")
    elif isinstance(before, np.ndarray) or hasattr(before, "__cuda_array_interface__"):
        assert before.dtype == after.dtype and before.shape == after.shape, f"{where}: dtype or shape changed"
        b, a = lstmlab.backend.asnumpy(before), lstmlab.backend.asnumpy(after)
        assert np.array_equal(b, a, equal_nan=True), f"{where}: values were modified"


@pytest.fixture
def unchanged():
    """``guard = unchanged(x, params, ...)``; after the call under test, ``guard.check()``."""
    return Unchanged
