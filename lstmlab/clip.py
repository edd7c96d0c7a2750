"""Gradient clipping: by global norm (Pascanu, Mikolov & Bengio 2013) and by value.

Both clippers change the arrays of ``grads`` **in place**, as
``torch.nn.utils.clip_grad_norm_`` and ``clip_grad_value_`` do, and never
replace them, so a caller holding ``grads['W_h']`` sees the clipped values.
``keys`` restricts clipping to some entries (the rest are neither counted nor
changed); ``None`` means every entry.

>>> import numpy as np
>>> grads = {"W_h": np.array([3.0, 4.0])}
>>> clip_grad_norm(grads, max_norm=1.0)
5.0
>>> np.round(grads["W_h"], 6)
array([0.6, 0.8])
"""

from __future__ import annotations

import math

from .backend import get_xp
from .checks import check_array
from .optim import check_real

#: Added to the norm before dividing, exactly as in ``torch.nn.utils.clip_grad_norm_``.
CLIP_EPS = 1e-6


def _select(grads, keys) -> list:
    """The keys of ``grads`` to use, after checking that every selected entry is a float array."""
    if not isinstance(grads, dict):
        raise TypeError(f"grads: expected a dict of float arrays, got {type(grads).__name__}")
    if keys is None:
        keys = list(grads)
    else:
        if isinstance(keys, str):
            raise TypeError(f"keys: expected a list of keys of grads or None, got the string {keys!r}")
        keys = list(keys)
        unknown = [k for k in keys if k not in grads]
        if unknown:
            raise ValueError(f"keys: expected keys of grads {sorted(map(str, grads))}, got unknown keys {unknown}")
    for k in keys:
        check_array(f"grads[{k!r}]", grads[k], finite=False)
    return keys


def global_norm(grads, keys=None) -> float:
    """The Euclidean norm of all selected gradient entries taken together, as one long vector.

    ``sqrt(sum_k ||grads[k]||^2)``, computed as the norm of the per-array
    norms (as PyTorch does). Returns a Python float; ``grads`` is not changed.
    """
    keys = _select(grads, keys)
    if not keys:
        return 0.0
    xp = get_xp(*(grads[k] for k in keys))
    norms = xp.stack([xp.linalg.norm(grads[k].ravel()) for k in keys])
    return float(xp.linalg.norm(norms))


def clip_grad_norm(grads, max_norm, keys=None, error_if_nonfinite=False) -> float:
    """Rescale the selected gradients in place so that their global norm is at most ``max_norm``.

    With ``n = global_norm(grads, keys)``, every selected array is multiplied by
    ``max_norm / (n + 1e-6)`` when that factor is below 1, and left unchanged
    otherwise (``torch.nn.utils.clip_grad_norm_``, ``norm_type=2``). The
    direction of the gradient is kept; only its length is cut.

    Returns ``n``, the norm **before** clipping, as a Python float. When ``n``
    is NaN or infinite, the gradients are left unchanged and ``n`` is returned
    (so the caller can stop training and say why), or, with
    ``error_if_nonfinite=True``, a ``ValueError`` is raised.
    """
    max_norm = check_real("max_norm", max_norm, low_open=True)
    n = global_norm(grads, keys)
    if not math.isfinite(n):
        if error_if_nonfinite:
            raise ValueError(f"grads: expected a finite gradient norm, got {n} (a NaN or inf in the gradients)")
        return n
    coef = max_norm / (n + CLIP_EPS)
    if coef < 1.0:
        for k in _select(grads, keys):
            grads[k] *= coef
    return n


def clip_grad_value(grads, clip_value, keys=None) -> None:
    """Clamp every selected gradient entry into ``[-clip_value, clip_value]``, in place.

    As ``torch.nn.utils.clip_grad_value_``. Unlike norm clipping, this can
    change the gradient's direction.
    """
    clip_value = check_real("clip_value", clip_value, low_open=True)
    for k in _select(grads, keys):
        g = grads[k]
        get_xp(g).clip(g, -clip_value, clip_value, out=g)
