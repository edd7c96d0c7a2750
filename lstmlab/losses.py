"""Losses and their gradients: mean squared error and softmax cross-entropy, with masks.

Each loss returns ``(loss, grad)``: the loss as a Python float and the
gradient of that loss with respect to the prediction, an array of the
prediction's shape, dtype and device. Both are means, so the gradient is
already divided by the number of terms.

A ``mask`` selects the positions that count (``True`` or 1) and the ones that
do not (``False`` or 0), for example the padding at the end of sequences of
unequal length, or every step but the last for a last-step target. Masked
positions add nothing to the loss and get a zero gradient; their targets may
hold anything (a class index of -1 for padding, say).

Shapes: per-step targets use ``(N, T, V)`` predictions with an ``(N, T)``
mask; last-step targets simply pass ``(N, V)`` predictions.
"""

from __future__ import annotations

import numpy as np

from .backend import asnumpy, get_xp
from .checks import check_array


def log_softmax(logits, axis: int = -1):
    """``log softmax(logits)`` along ``axis``, stable for any finite logits.

    Computed as ``z - max(z) - log(sum(exp(z - max(z))))``, so no ``exp``
    overflows. Same shape, dtype and device as ``logits``.
    """
    check_array("logits", logits)
    if logits.size == 0:
        raise ValueError(f"logits: expected at least one entry, got shape {tuple(logits.shape)}")
    if isinstance(axis, bool) or not isinstance(axis, (int, np.integer)) or not -logits.ndim <= axis < logits.ndim:
        raise ValueError(
            f"axis: expected an int in [{-logits.ndim}, {logits.ndim}) (logits has {logits.ndim} axes), got {axis!r}"
        )
    xp = get_xp(logits)
    shifted = logits - logits.max(axis=axis, keepdims=True)
    return shifted - xp.log(xp.exp(shifted).sum(axis=axis, keepdims=True))


def softmax(logits, axis: int = -1):
    """``softmax(logits)`` along ``axis``: non-negative, sums to 1, stable for any finite logits."""
    return get_xp(logits).exp(log_softmax(logits, axis=axis))


def check_mask(mask, shape: tuple, xp, name: str = "mask"):
    """A boolean copy of ``mask``, which must have shape ``shape`` and hold only 0/1 (or bool) values."""
    if not (hasattr(mask, "shape") and hasattr(mask, "dtype")):
        raise TypeError(f"{name}: expected a boolean or 0/1 array of shape {shape}, got {type(mask).__name__}")
    if not (isinstance(shape, tuple) and all(isinstance(n, (int, np.integer)) for n in shape)):
        raise TypeError(f"shape: expected a tuple of ints, got {type(shape).__name__}")
    if tuple(mask.shape) != tuple(shape):
        raise ValueError(f"{name}: expected shape {tuple(shape)}, got {tuple(mask.shape)}")
    kind = np.dtype(mask.dtype).kind
    if kind not in "biuf":
        raise TypeError(f"{name}: expected a boolean or 0/1 array, got dtype {mask.dtype}")
    if kind != "b":
        if mask.size and not bool(((mask == 0) | (mask == 1)).all()):
            raise ValueError(f"{name}: expected only 0 and 1 (or True and False), got other values")
        mask = mask != 0
    mask = xp.asarray(mask)
    if not bool(mask.any()):
        raise ValueError(f"{name}: expected at least one selected (True) position, got none")
    return mask


_check_mask = check_mask  # the name lstmlab.model imports


def mse_loss(y_pred, y, mask=None):
    """Mean squared error and its gradient: ``(loss, dy_pred)``.

    ``y_pred`` and ``y`` have the same shape, e.g. ``(N, T, V)``, ``(N, V)``
    or ``(N,)``, and the same float dtype.

    Without a mask, ``loss = sum((y_pred - y)**2) / y_pred.size``, the same as
    ``torch.nn.functional.mse_loss(reduction="mean")``.

    With a mask, ``mask`` has the leading shape of ``y_pred``
    (``y_pred.shape[:mask.ndim]``, e.g. ``(N, T)`` for ``(N, T, V)``), and the
    mean runs over the selected positions and all their trailing entries:

    ``loss = sum(m * (y_pred - y)**2) / (sum(m) * V)``

    where ``m`` is the mask broadcast over the trailing axes and ``V`` the
    number of entries per position (the product of the trailing shape).
    This is ``mse_loss`` of only the selected elements.

    ``dy_pred = 2 * m * (y_pred - y) / (sum(m) * V)``, same shape as ``y_pred``.
    """
    check_array("y_pred", y_pred)
    check_array("y", y, shape=tuple(y_pred.shape), dtype=y_pred.dtype)
    xp = get_xp(y_pred, y)
    diff = y_pred - y
    if mask is None:
        count = diff.size
        if count == 0:
            raise ValueError("y_pred: expected at least one element, got an empty array")
        return float((diff * diff).sum() / count), (2.0 / count) * diff
    if getattr(mask, "ndim", 0) < 1 or mask.ndim > y_pred.ndim:
        raise ValueError(
            f"mask: expected the leading shape of y_pred {tuple(y_pred.shape)}, e.g. (N, T) for (N, T, V), "
            f"got {getattr(mask, 'shape', type(mask).__name__)}"
        )
    m = check_mask(mask, y_pred.shape[: mask.ndim], xp)
    m = m.reshape(m.shape + (1,) * (y_pred.ndim - m.ndim)).astype(y_pred.dtype)
    count = float(m.sum()) * int(np.prod(y_pred.shape[mask.ndim :]))
    diff = diff * m
    return float((diff * diff).sum() / count), (2.0 / count) * diff


def softmax_cross_entropy(logits, targets, mask=None):
    """Softmax cross-entropy against integer class targets, and its gradient: ``(loss, dlogits)``.

    ``logits`` is ``(..., V)`` (e.g. ``(N, T, V)`` per step or ``(N, V)`` at the
    last step), ``targets`` holds class indices in ``[0, V)`` with shape
    ``logits.shape[:-1]`` and an integer dtype. The loss is the mean, over the
    selected positions, of ``-log softmax(logits)[target]``:

    ``loss = -sum_n m_n * log p_n[y_n] / sum_n m_n``

    which is ``torch.nn.functional.cross_entropy`` (mean reduction) of the
    selected positions. ``mask`` has the shape of ``targets``; without one
    every position counts.

    ``dlogits = m * (softmax(logits) - onehot(targets)) / sum(m)``, same shape as ``logits``.
    """
    check_array("logits", logits)
    if logits.ndim < 1 or logits.shape[-1] < 1:
        raise ValueError(f"logits: expected shape (..., V) with V >= 1, got {tuple(logits.shape)}")
    xp = get_xp(logits)
    V, lead = logits.shape[-1], tuple(logits.shape[:-1])
    if not (hasattr(targets, "shape") and hasattr(targets, "dtype")):
        raise TypeError(f"targets: expected an integer array of shape {lead}, got {type(targets).__name__}")
    if np.dtype(targets.dtype).kind not in "iu":
        raise TypeError(f"targets: expected an integer dtype (class indices), got {targets.dtype}")
    if tuple(targets.shape) != tuple(logits.shape[:-1]):
        raise ValueError(
            f"targets: expected shape {tuple(logits.shape[:-1])} (logits without V), got {tuple(targets.shape)}"
        )
    targets = xp.asarray(targets)
    if mask is None:
        m = xp.ones(targets.shape, dtype=bool)
        if m.size == 0:
            raise ValueError("targets: expected at least one position, got an empty array")
    else:
        m = check_mask(mask, targets.shape, xp)
    bad = m & ((targets < 0) | (targets >= V))
    if bool(bad.any()):
        where = tuple(int(i) for i in np.argwhere(asnumpy(bad))[0])
        raise ValueError(
            f"targets: expected class indices in [0, {V - 1}] (V = {V}), "
            f"got {int(targets[where])} at position {where} ({int(bad.sum())} out of range)"
        )
    safe = xp.where(m, targets, 0)
    logp = log_softmax(logits)
    count = float(m.sum())
    picked = xp.take_along_axis(logp, safe[..., None], axis=-1)[..., 0]
    loss = -float((picked * m).sum() / count)
    onehot = xp.arange(V) == safe[..., None]
    dlogits = (xp.exp(logp) - onehot) * (m[..., None].astype(logits.dtype) / count)
    return loss, dlogits
