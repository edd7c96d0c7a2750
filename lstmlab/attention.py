"""Additive attention (Bahdanau, Cho & Bengio 2015): a decoder state asks, the encoder's states answer.

For one query ``q`` (the decoder's state, width Hq) and the encoder's states ``k_1..k_Tk``
(width Hk), with parameters ``W_q`` (Hq, A), ``W_k`` (Hk, A) and ``v`` (A,):

.. math::

    u_j = \\tanh(q W_q + k_j W_k), \\qquad
    e_j = u_j \\cdot v, \\qquad
    \\alpha = \\mathrm{softmax}(e), \\qquad
    \\text{ctx} = \\sum_j \\alpha_j k_j

Going back, from ``d ctx`` (and optionally ``d alpha``):

.. math::

    d\\alpha_j = d\\text{ctx} \\cdot k_j, \\qquad
    de_j = \\alpha_j \\big(d\\alpha_j - \\textstyle\\sum_l \\alpha_l\\, d\\alpha_l\\big), \\qquad
    du_j = de_j\\, v \\odot (1 - u_j^2) \\\\
    dv = \\sum_j de_j u_j, \\quad
    dq = \\big(\\textstyle\\sum_j du_j\\big) W_q^\\top, \\quad
    dk_j = \\alpha_j\\, d\\text{ctx} + du_j W_k^\\top, \\quad
    dW_q = q^\\top \\textstyle\\sum_j du_j, \\quad dW_k = \\sum_j k_j^\\top du_j

:func:`attention_forward` does this for every query of a sequence at once: ``q`` (N, Tq, Hq),
``keys`` (N, Tk, Hk) -> ``ctx`` (N, Tq, Hk) and ``alpha`` (N, Tq, Tk). A mask (N, Tk) of 0/1
hides padded keys (their weight is exactly 0). :func:`attention_step_forward` is the one-query
step, ``q`` (N, Hq), the form the equations are written in.
"""

from __future__ import annotations

import numpy as np

from .checks import check_array, check_params, check_positive_int, describe

#: The parameter names.
KEYS = ("W_q", "W_k", "v")


def param_shapes(Hq: int, Hk: int, A: int) -> dict:
    """The shape of each parameter: ``W_q`` (Hq, A), ``W_k`` (Hk, A), ``v`` (A,)."""
    Hq, Hk, A = (check_positive_int(n, v) for n, v in (("Hq", Hq), ("Hk", Hk), ("A", A)))
    return {"W_q": (Hq, A), "W_k": (Hk, A), "v": (A,)}


def init_params(Hq: int, Hk: int, A: int, seed=0, dtype=np.float64) -> dict:
    """Uniform in ``[-1/sqrt(fan_in), 1/sqrt(fan_in)]`` (as torch.nn.Linear); ``v`` uses fan-in A."""
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    out = {}
    for key, shape in param_shapes(Hq, Hk, A).items():
        k = 1.0 / np.sqrt(shape[0])
        out[key] = rng.uniform(-k, k, size=shape).astype(dtype)
    return out


def _softmax(e):
    z = np.exp(e - e.max(axis=-1, keepdims=True))
    return z / z.sum(axis=-1, keepdims=True)


def attention_forward(q, keys, params, mask=None) -> tuple:
    """Additive attention for every query: returns ``(ctx (N, Tq, Hk), alpha (N, Tq, Tk), cache)``."""
    if not isinstance(params, dict):
        raise TypeError(f"params: expected a dict with the keys {KEYS}, got {describe(params)}")
    Hq, A = params["W_q"].shape if "W_q" in params else (None, None)
    Hk = params["W_k"].shape[0] if "W_k" in params else None
    if Hq is None or Hk is None:
        raise ValueError(f"params: expected the keys {KEYS}, got {sorted(params)}")
    dtype = check_params(params, param_shapes(Hq, Hk, A))
    q = check_array("q", q, shape=(None, None, Hq), dtype=dtype)
    keys = check_array("keys", keys, shape=(q.shape[0], None, Hk), dtype=dtype)
    u = np.tanh((q @ params["W_q"])[:, :, None, :] + (keys @ params["W_k"])[:, None, :, :])  # (N, Tq, Tk, A)
    e = u @ params["v"]
    if mask is not None:
        m = check_array("mask", np.asarray(mask, dtype=dtype), shape=keys.shape[:2]) > 0
        if not m.any(axis=1).all():
            raise ValueError("mask: expected at least one unmasked key per sequence")
        e = np.where(m[:, None, :], e, -np.inf)
    alpha = _softmax(e)
    ctx = alpha @ keys
    return ctx, alpha, {"q": q, "keys": keys, "u": u, "alpha": alpha, "params": params}


CACHE_KEYS = ("q", "keys", "u", "alpha", "params")


def _check_cache(cache) -> tuple:
    """The entries of a cache of :func:`attention_forward`, after checking that it is one."""
    if not isinstance(cache, dict) or any(k not in cache for k in CACHE_KEYS):
        got = f"a dict with keys {sorted(map(str, cache))[:8]}" if isinstance(cache, dict) else describe(cache)
        raise TypeError(f"cache: expected the cache returned by attention_forward (keys {CACHE_KEYS}), got {got}")
    return tuple(cache[k] for k in CACHE_KEYS)


def attention_backward(dctx, cache, dalpha=None) -> tuple:
    """Backward of :func:`attention_forward`: ``(dq, dkeys, grads)`` with ``grads`` keyed ``W_q, W_k, v``.

    ``dctx`` (N, Tq, Hk); ``dalpha`` (N, Tq, Tk), optional: a gradient on the weights themselves.
    """
    q, keys, u, alpha, p = _check_cache(cache)
    dctx = check_array("dctx", dctx, shape=q.shape[:2] + keys.shape[2:], dtype=q.dtype)
    da = dctx @ keys.transpose(0, 2, 1)
    if dalpha is not None:
        da = da + check_array("dalpha", dalpha, shape=alpha.shape, dtype=q.dtype)
    de = alpha * (da - (alpha * da).sum(axis=-1, keepdims=True))
    du = u * u  # (N, Tq, Tk, A), computed in place: du = de v (1 - u^2)
    np.subtract(1.0, du, out=du)
    du *= p["v"]
    du *= de[..., None]
    duq, duk = du.sum(axis=2), du.sum(axis=1)  # (N, Tq, A), (N, Tk, A)
    A = p["v"].size
    grads = {
        "W_q": q.reshape(-1, q.shape[-1]).T @ duq.reshape(-1, A),
        "W_k": keys.reshape(-1, keys.shape[-1]).T @ duk.reshape(-1, A),
        "v": np.einsum("nqk,nqka->a", de, u),
    }
    dq = duq @ p["W_q"].T
    dkeys = alpha.transpose(0, 2, 1) @ dctx + duk @ p["W_k"].T
    return dq, dkeys, grads


def attention_step_forward(q, keys, params, mask=None) -> tuple:
    """One query: ``q`` (N, Hq) -> ``(ctx (N, Hk), alpha (N, Tk), cache)``."""
    q = check_array("q", q, shape=(None, None))
    ctx, alpha, cache = attention_forward(q[:, None, :], keys, params, mask)
    return ctx[:, 0], alpha[:, 0], cache


def attention_step_backward(dctx, cache, dalpha=None) -> tuple:
    """Backward of :func:`attention_step_forward`: ``(dq (N, Hq), dkeys (N, Tk, Hk), grads)``."""
    _check_cache(cache)
    if not hasattr(dctx, "ndim") or dctx.ndim != 2:
        raise ValueError(f"dctx: expected an array (N, Hk), got {describe(dctx)}")
    if dalpha is not None and (not hasattr(dalpha, "ndim") or dalpha.ndim != 2):
        raise ValueError(f"dalpha: expected an array (N, Tk), got {describe(dalpha)}")
    dq, dkeys, grads = attention_backward(dctx[:, None, :], cache, None if dalpha is None else dalpha[:, None, :])
    return dq[:, 0], dkeys, grads
