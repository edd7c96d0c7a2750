"""lstmlab.backend: the array namespace, moving arrays between devices, and device names."""

import types

import numpy as np
import pytest

from lstmlab import backend
from lstmlab.backend import asnumpy, get_xp, gpu_available, resolve_device, to_device, xp_for


def test_get_xp_is_numpy_for_host_arrays():
    assert get_xp(np.zeros(3)) is np
    assert get_xp() is np
    assert get_xp(np.zeros(2), 1.0, [1, 2]) is np
    assert backend.xp is np


def test_asnumpy_and_to_device_round_trip_on_the_cpu():
    a = np.arange(6.0).reshape(2, 3)
    assert asnumpy(a) is a  # already on the host: no copy
    assert isinstance(asnumpy([1.0, 2.0]), np.ndarray)
    d = {"W": a, "b": np.ones(3, dtype=np.float32)}
    moved = to_device(d, "cpu")
    assert set(moved) == {"W", "b"} and moved["b"].dtype == np.float32
    np.testing.assert_array_equal(asnumpy(to_device(a, "cpu")), a)
    np.testing.assert_array_equal(asnumpy(d)["W"], a)


def test_resolve_device_names():
    assert resolve_device("cpu") == "cpu"
    assert resolve_device() == ("gpu" if gpu_available() else "cpu")
    assert xp_for("cpu") is np


@pytest.mark.parametrize("bad", ["cuda", "GPU", "", None, 0, ("cpu",)])
def test_resolve_device_refuses_unknown_names(bad):
    with pytest.raises(ValueError, match=r"device: expected one of \('auto', 'cpu', 'gpu'\), got"):
        resolve_device(bad)
    with pytest.raises(ValueError, match="device: expected one of"):
        to_device(np.zeros(2), bad)


def test_gpu_without_cupy_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(backend, "_cupy", None)
    assert not gpu_available() and resolve_device("auto") == "cpu"
    with pytest.raises(RuntimeError, match=r"device='gpu' was requested, but CuPy is not installed .*device='cpu'"):
        resolve_device("gpu")
    with pytest.raises(RuntimeError, match="CuPy is not installed"):
        to_device(np.zeros(2), "gpu")


def test_gpu_with_cupy_but_no_device_is_a_clear_error(monkeypatch):
    def no_device():
        raise RuntimeError("cudaErrorNoDevice")

    fake = types.SimpleNamespace(ndarray=type("FakeArray", (), {}))
    fake.cuda = types.SimpleNamespace(runtime=types.SimpleNamespace(getDeviceCount=no_device))
    monkeypatch.setattr(backend, "_cupy", fake)
    assert not gpu_available() and resolve_device("auto") == "cpu"
    with pytest.raises(RuntimeError, match="but CuPy found no CUDA device"):
        resolve_device("gpu")
    assert get_xp(np.zeros(1)) is np


@pytest.mark.gpu
def test_gpu_round_trip_and_namespace():
    import cupy

    a = np.random.default_rng(0).standard_normal((3, 4))
    g = to_device(a, "gpu")
    assert isinstance(g, cupy.ndarray) and get_xp(g) is cupy and get_xp(a, g) is cupy
    assert to_device(g, "gpu") is g or isinstance(to_device(g, "gpu"), cupy.ndarray)
    back = asnumpy(g)
    assert isinstance(back, np.ndarray) and back.dtype == np.float64
    np.testing.assert_array_equal(back, a)
    np.testing.assert_array_equal(to_device(g, "cpu"), a)
    d = to_device({"W": a}, "gpu")
    assert isinstance(d["W"], cupy.ndarray) and resolve_device("auto") == "gpu" and xp_for("gpu") is cupy
    np.testing.assert_allclose(asnumpy(cupy.tanh(g) @ g.T), np.tanh(a) @ a.T, rtol=1e-13)
