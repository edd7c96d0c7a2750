"""Array backend: NumPy by default, CuPy on a GPU.

This is the only module in ``lstmlab`` that imports CuPy. Everything else asks
for the array namespace of its inputs with :func:`get_xp`, so outputs stay on
the device of their inputs.

>>> import numpy as np
>>> from lstmlab.backend import get_xp
>>> get_xp(np.zeros(3)) is np
True
"""

from __future__ import annotations

import numpy as np

DEVICES = ("auto", "cpu", "gpu")

try:  # CuPy is optional; without it everything runs on NumPy.
    import cupy as _cupy  # type: ignore[import-not-found]
except Exception:  # ImportError, or a CUDA library that fails to load
    _cupy = None


def gpu_available() -> bool:
    """True when CuPy is importable and sees at least one CUDA device."""
    if _cupy is None:
        return False
    try:
        return _cupy.cuda.runtime.getDeviceCount() > 0
    except Exception:
        return False


def resolve_device(device: str = "auto") -> str:
    """Turn ``"auto" | "cpu" | "gpu"`` into ``"cpu"`` or ``"gpu"``.

    ``"gpu"`` raises a ``RuntimeError`` that says what is missing when CuPy or
    a GPU is not there; ``"auto"`` quietly falls back to the CPU.
    """
    if not isinstance(device, str) or device not in DEVICES:
        raise ValueError(f"device: expected one of {DEVICES}, got {device!r}")
    if device == "cpu":
        return "cpu"
    if gpu_available():
        return "gpu"
    if device == "gpu":
        why = "CuPy is not installed (pip install cupy-cuda12x)" if _cupy is None else "CuPy found no CUDA device"
        raise RuntimeError(f"device='gpu' was requested, but {why}. Use device='cpu' or device='auto'.")
    return "cpu"


def xp_for(device: str = "auto"):
    """The array namespace (``numpy`` or ``cupy``) for a device name."""
    return _cupy if resolve_device(device) == "gpu" else np


def get_xp(*arrays):
    """The array namespace of the given arrays: ``cupy`` if any is a CuPy array, else ``numpy``."""
    if _cupy is not None:
        for a in arrays:
            if isinstance(a, _cupy.ndarray):
                return _cupy
    return np


def is_gpu_array(a) -> bool:
    return _cupy is not None and isinstance(a, _cupy.ndarray)


def asnumpy(x):
    """Copy an array (or a dict of arrays) to host memory as NumPy."""
    if isinstance(x, dict):
        return {k: asnumpy(v) for k, v in x.items()}
    if is_gpu_array(x):
        return _cupy.asnumpy(x)
    return np.asarray(x)


def to_device(x, device: str = "auto"):
    """Move an array (or a dict of arrays) to ``device``; a no-op when it is already there."""
    if isinstance(x, dict):
        return {k: to_device(v, device) for k, v in x.items()}
    if resolve_device(device) == "gpu":
        return _cupy.asarray(x)
    return asnumpy(x)


# ``xp`` is the default namespace: NumPy, so that ``from lstmlab.backend import xp`` always works.
xp = np
