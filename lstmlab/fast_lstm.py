"""The fast LSTM path: the same forward pass and BPTT as :mod:`lstmlab.sequence`, arranged for speed.

The equations are those of :mod:`lstmlab.cells.lstm` (no peepholes):

.. math::

    a   &= x_t W_x + b + h_{t-1} W_h, \\qquad
    i = \\sigma(a_i),\\; f = \\sigma(a_f),\\; o = \\sigma(a_o),\\; g = \\tanh(a_g) \\\\
    c_t &= f \\odot c_{t-1} + i \\odot g, \\qquad h_t = o \\odot \\tanh(c_t)

and, going back in time, with :math:`\\delta h_t` the error at :math:`h_t`
(from the loss and from step t+1) and :math:`\\delta c_t` the error at :math:`c_t`:

.. math::

    \\delta c_t &= \\delta c_{t+1} \\odot f_{t+1} + \\delta h_t \\odot o \\odot (1 - \\tanh^2 c_t) \\\\
    \\delta a_o &= \\delta h_t \\odot \\tanh(c_t)\\, \\sigma'(a_o), \\quad
    \\delta a_i = \\delta c_t \\odot g\\, \\sigma'(a_i), \\quad
    \\delta a_f = \\delta c_t \\odot c_{t-1}\\, \\sigma'(a_f), \\quad
    \\delta a_g = \\delta c_t \\odot i\\, (1 - g^2) \\\\
    \\delta h_{t-1} &= \\delta a\\, W_h^\\top

The reference loop in :mod:`lstmlab.sequence` is what to read first; this file
computes the very same numbers (the tests prove it) and differs only in how
the arrays are laid out and how often Python is entered:

* **Feature-major.** Inside, a state is ``(H, N)`` and a step's gates are one
  contiguous ``(G*H, N)`` block, so every gate is a contiguous slice.
* **Slot order (o, i, f, g)** instead of the parameter order ``GATES``: the
  sigmoid gates are the first rows ``[0, (G-1)H)`` and the gates that the cell
  error reaches (i, f, g) the last rows ``[H, G*H)``. Weights are permuted into
  this order once per call, and the gradients permuted back.
* **One tanh for all gates,** using :math:`\\sigma(a) = \\tfrac12 \\tanh(a/2) + \\tfrac12`:
  the sigmoid rows of the weights are halved once (exact in floating point).
* **Big products outside the loop:** the input projection of all steps in one
  (batched) product, the bias folded in by a row of ones; after the backward
  loop, one product each for ``[dW_x; db]``, ``dW_h`` and ``dx``.
* **In-place ufuncs** (``out=``) into buffers allocated once per call.
* **Local derivatives in blocks of steps.** The factors that do not depend on
  the error (:math:`\\sigma'`, :math:`1 - g^2`, ...) are computed for several steps
  per call, and multiplied in place by the errors, so the backward loop body is
  six array operations and one product.

Works with NumPy and CuPy arrays alike (through :func:`lstmlab.backend.get_xp`),
in float32 and float64. It is usually reached through :func:`lstmlab.sequence.forward`,
which validates the arguments and picks this path for the cells it supports, then calls
:func:`run_forward` (and :func:`lstmlab.sequence.backward` calls :func:`run_backward`).
:func:`forward` and :func:`backward` here are the same with the same argument checks, for
calling this path directly.
"""

from __future__ import annotations

from .backend import get_xp
from .cells import get_cell
from .cells.base import describe_cache
from .cells.lstm import lstm_core_backward, lstm_core_forward

#: The order of the gate blocks inside the fast path: sigmoid gates first, the cell-error gates last.
SLOTS = ("o", "i", "f", "g")

#: About how many array entries the backward pass treats per call when it computes local derivatives.
BLOCK_ENTRIES = 1 << 15


def supports(cell) -> bool:
    """True for the LSTM cells this path computes: ``lstm``, ``lstm1997`` and Greff's ``np``.

    That is, an LSTM core without peepholes, coupling, gate recurrence or linear
    activations, with input and output gates and an optional forget gate.
    """
    core, back = getattr(cell, "core_forward", None), getattr(cell, "core_backward", None)
    if getattr(core, "func", None) is not lstm_core_forward or getattr(back, "func", None) is not lstm_core_backward:
        return False  # a cell with a core of its own (a learner's modified backward, say) runs the reference loop
    opt = core.keywords["opt"]
    if back.keywords.get("opt") != opt:
        return False
    plain = not (opt.peephole or opt.coupled or opt.gate_recurrence)
    tanh = opt.input_act == "tanh" and opt.output_act == "tanh"
    return plain and tanh and {"i", "g", "o"} <= set(opt.gates)


def _slots(cell) -> tuple:
    """The cell's gates in slot order, e.g. ``("o", "i", "f", "g")``, or ``("o", "i", "g")`` without f."""
    return tuple(k for k in SLOTS if k in cell.blocks)


def _to_slots(W, cell, H: int):
    """Permute the H-wide column blocks of ``W (rows, G*H)`` from parameter order to slot order (a copy)."""
    perm = [cell.blocks.index(k) for k in _slots(cell)]
    return W.reshape(W.shape[0], len(perm), H)[:, perm].reshape(W.shape[0], -1)


def _from_slots(W, cell, H: int):
    """Inverse of :func:`_to_slots`: slot order back to parameter order (a copy)."""
    slots = _slots(cell)
    perm = [slots.index(k) for k in cell.blocks]
    return W.reshape(W.shape[0], len(perm), H)[:, perm].reshape(W.shape[0], -1)


def forward(x, params, state0, cell="lstm"):
    """:func:`run_forward` after the checks of :func:`lstmlab.sequence.forward`.

    ``state0`` is ``(h0, c0)``, either of them None for zeros, or None; ``cell`` a name or a
    Cell for which :func:`supports` is true."""
    from . import sequence  # sequence imports this module

    cell = get_cell(cell)
    if not supports(cell):
        want = "an LSTM cell that the fast path supports (lstm, lstm1997, np)"
        raise ValueError(f"cell: expected {want}, got {cell.name!r}")
    if state0 is None:
        state0 = (None, None)
    if not isinstance(state0, (tuple, list)) or len(state0) != 2:
        raise TypeError(f"state0: expected a pair (h0, c0) of arrays (N, H) or None, got {describe_cache(state0)}")
    cell, state = sequence.check_forward(x, params, cell, *state0)
    return run_forward(x, params, state, cell)


def backward(dhs, cache, dh_T=None, dc_T=None, truncate=None):
    """:func:`run_backward` after the checks of :func:`lstmlab.sequence.backward`."""
    from . import sequence  # sequence imports this module

    truncate = sequence.check_backward(dhs, cache, dh_T, dc_T, truncate)[3]
    if cache["path"] != "fast":
        got = "one of the reference loop (use sequence.backward)"
        raise ValueError(f"cache: expected a cache of the fast path, got {got}")
    return run_backward(dhs, cache, dh_T, dc_T, truncate)


def run_forward(x, params, state0, cell):
    """The LSTM over a whole sequence, as :func:`lstmlab.sequence.forward` returns it (arguments
    already checked).

    Parameters
    ----------
    x : array (N, T, D)
    params : dict with ``W_x (D, G*H)``, ``W_h (H, G*H)``, ``b (G*H,)`` in the cell's gate order
    state0 : tuple ``(h0, c0)`` of arrays (N, H)
    cell : a Cell for which :func:`supports` is true

    Returns ``hs (N, T, H)``, ``final = {"h": (N, H), "c": (N, H)}`` and the cache for :func:`backward`.
    """
    xp = get_xp(x, *params.values())
    N, T, D = x.shape
    H = params["W_h"].shape[0]
    G = len(cell.blocks)
    sig = slice(0, (G - 1) * H)  # the sigmoid rows: every gate but g

    # [W_x; b]^T in slot order, the sigmoid rows halved: a_x / 2 for sigmoid gates, a_x for g
    W_xbT = xp.ascontiguousarray(_to_slots(xp.concatenate([params["W_x"], params["b"][None, :]]), cell, H).T)
    W_xbT[sig] *= 0.5
    W_hT = xp.ascontiguousarray(_to_slots(params["W_h"], cell, H).T)  # (G*H, H)
    W_hT[sig] *= 0.5

    # the input projection of every step in one (batched) product, the bias folded in by a row of ones
    x_aug = xp.empty((D + 1, T, N), dtype=x.dtype)  # x_aug[:, t] = [x_t; 1], feature-major
    x_aug[:D] = x.transpose(2, 1, 0)
    x_aug[D] = 1.0
    Z = xp.matmul(W_xbT, x_aug.transpose(1, 0, 2))  # (T, G*H, N): a_x of every step; becomes the gates

    Hs = xp.empty((T + 1, H, N), dtype=x.dtype)  # h_0 (= h0), h_1, ..., h_T, each (H, N)
    C = xp.empty((T + 1, H, N), dtype=x.dtype)  # c_0 (= c0), c_1, ..., c_T
    tanh_C = xp.empty((T, H, N), dtype=x.dtype)  # tanh(c_1), ..., tanh(c_T)
    Hs[0] = state0[0].T
    C[0] = state0[1].T
    # work buffers, and 1/2 as a 0-d array of the right dtype (a Python float costs more per ufunc call)
    buffers = (xp.empty((G * H, N), dtype=x.dtype), xp.empty((H, N), dtype=x.dtype), xp.asarray(0.5, dtype=x.dtype))
    for z, h_prev, c_prev, h, c, tanh_c in zip(Z, Hs[:-1], C[:-1], Hs[1:], C[1:], tanh_C):
        _step_forward(xp, z, h_prev, c_prev, W_hT, h, c, tanh_c, buffers)

    hs = Hs[1:].transpose(2, 0, 1).copy()  # copies, so that changing an output cannot change the cache
    final = {"h": Hs[T].T.copy(), "c": C[T].T.copy()}
    cache = {"path": "fast", "cell": cell, "params": params, "shape": (N, T, D, H)}
    cache.update(x_aug=x_aug, Z=Z, Hs=Hs, C=C, tanh_C=tanh_C)
    return hs, final, cache


def _step_forward(xp, z, h_prev, c_prev, W_hT, h, c, tanh_c, buffers):
    """One step, all (rows, N). ``z`` holds ``x_t W_x + b`` on entry and the gates ``(o, i, [f,] g)`` on exit."""
    rec, ig, half = buffers
    H = h.shape[0]
    xp.matmul(W_hT, h_prev, out=rec)
    xp.add(z, rec, out=z)  # a = x_t W_x + b + h_{t-1} W_h   (sigmoid rows: a / 2)
    xp.tanh(z, out=z)  # g = tanh(a_g), and tanh(a/2) for the sigmoid gates
    s = z[:-H]
    xp.multiply(s, half, out=s)
    xp.add(s, half, out=s)  # sigma(a) = tanh(a/2) / 2 + 1/2
    o, i, g = z[:H], z[H : 2 * H], z[-H:]
    xp.multiply(i, g, out=ig)
    if z.shape[0] == 4 * H:  # c_t = f * c_{t-1} + i * g
        xp.multiply(z[2 * H : 3 * H], c_prev, out=c)
        xp.add(c, ig, out=c)
    else:  # no forget gate (1997): the constant error carousel c_t = c_{t-1} + i * g
        xp.add(c_prev, ig, out=c)
    xp.tanh(c, out=tanh_c)
    xp.multiply(o, tanh_c, out=h)  # h_t = o * tanh(c_t)


def run_backward(dhs, cache, dh_T=None, dc_T=None, truncate=None):
    """BPTT for :func:`run_forward`, as :func:`lstmlab.sequence.backward` returns it (arguments already checked).

    ``dhs (N, T, H)`` or None, ``dh_T`` and ``dc_T (N, H)`` or None, ``truncate`` an int k or None
    (no error flows from step t to step t-1 when t is a positive multiple of k).
    Returns the gradient of every parameter, of ``x (N, T, D)``, ``h0`` and ``c0 (N, H)``.
    """
    cell, params = cache["cell"], cache["params"]
    Z, Hs, C, tanh_C, x_aug = (cache[k] for k in ("Z", "Hs", "C", "tanh_C", "x_aug"))
    N, T, D, H = cache["shape"]
    G = len(cell.blocks)
    xp = get_xp(Z)
    W_h = _to_slots(params["W_h"], cell, H)  # (H, G*H), for dh_{t-1} = W_h da_t

    dA = xp.empty((G * H, T, N), dtype=Z.dtype)  # dA[:, t] = da_t, slot order; gate-major for the products after
    dH = None if dhs is None else xp.ascontiguousarray(dhs.transpose(1, 2, 0))  # (T, H, N)
    dh_rec = xp.zeros((H, N), dtype=Z.dtype) if dh_T is None else dh_T.T.copy()  # copies: updated in place
    dc = xp.zeros((H, N), dtype=Z.dtype) if dc_T is None else dc_T.T.copy()
    dh_sum, tmp = xp.empty((H, N), dtype=Z.dtype), xp.empty((H, N), dtype=Z.dtype)

    steps = max(1, BLOCK_ENTRIES // (G * H * N))
    K = xp.empty((steps, G * H, N), dtype=Z.dtype)
    K_c = xp.empty((steps, H, N), dtype=Z.dtype)
    rows = (G - 1, H, N)
    for t0 in reversed(range(0, T, steps)):
        t1 = min(t0 + steps, T)
        _local_derivatives(xp, Z[t0:t1], C[t0:t1], tanh_C[t0:t1], K[: t1 - t0], K_c[: t1 - t0])
        for t in reversed(range(t0, t1)):
            da = K[t - t0]  # the local derivatives of step t; multiplied by the errors in place, it becomes da_t
            dh = dh_rec if dH is None else xp.add(dH[t], dh_rec, out=dh_sum)  # the error at h_t
            xp.multiply(da[:H], dh, out=da[:H])  # da_o = dh * tanh(c_t) * sigma'(a_o)
            xp.multiply(dh, K_c[t - t0], out=tmp)
            xp.add(dc, tmp, out=dc)  # dc_t = dc_{t+1} * f_{t+1} + dh * o * (1 - tanh^2 c_t)
            ifg = da[H:].reshape(rows)  # da_i, da_f, da_g = dc_t * (g sigma'(a_i), c_{t-1} sigma'(a_f), i (1 - g^2))
            xp.multiply(ifg, dc, out=ifg)
            if truncate is not None and t % truncate == 0 and t > 0:
                dh_rec.fill(0)  # a window boundary: nothing flows into the previous window
                dc.fill(0)
                continue
            if G == 4:
                xp.multiply(dc, Z[t, 2 * H : 3 * H], out=dc)  # dc_{t-1} = dc_t * f_t (1997: dc_{t-1} = dc_t)
            xp.matmul(W_h, da, out=dh_rec)  # dh_{t-1} = W_h da_t
        dA[:, t0:t1] = K[: t1 - t0].transpose(1, 0, 2)

    # one product each for [dW_x; db], dW_h and dx, over all T*N columns (t, n)
    dA = dA.reshape(G * H, T * N)
    h_prev = xp.ascontiguousarray(Hs[:T].transpose(1, 0, 2)).reshape(H, T * N)
    dW_xb = _from_slots((dA @ x_aug.reshape(D + 1, T * N).T).T, cell, H)  # (D+1, G*H)
    dx = _to_slots(params["W_x"], cell, H) @ dA  # (D, T*N)
    grads = {
        "W_x": dW_xb[:D],
        "W_h": _from_slots((dA @ h_prev.T).T, cell, H),
        "b": dW_xb[D],
        "x": dx.reshape(D, T, N).transpose(2, 1, 0),
        "h0": xp.ascontiguousarray(dh_rec.T),
        "c0": xp.ascontiguousarray(dc.T),
    }
    return {k: grads[k] for k in (*params, "x", "h0", "c0")}


def _local_derivatives(xp, Z, C_prev, tanh_C, K, K_c):
    """For a block of L steps (arrays (L, rows, N)), the factors of the backward pass that need no error.

    ``K`` (L, G*H, N), slot order: ``tanh(c_t) sigma'(a_o)``, ``g sigma'(a_i)``, ``c_{t-1} sigma'(a_f)``,
    ``i (1 - g^2)``; ``K_c`` (L, H, N): ``o (1 - tanh^2 c_t)``. Here ``sigma'(a) = sigma (1 - sigma)``.
    """
    H = K_c.shape[1]
    s, K_s = Z[:, :-H], K[:, :-H]
    xp.subtract(1.0, s, out=K_s)
    xp.multiply(K_s, s, out=K_s)  # sigma' for o, i, [f]
    o, i, g = Z[:, :H], Z[:, H : 2 * H], Z[:, -H:]
    xp.multiply(K[:, :H], tanh_C, out=K[:, :H])
    xp.multiply(K[:, H : 2 * H], g, out=K[:, H : 2 * H])
    if Z.shape[1] == 4 * H:
        xp.multiply(K[:, 2 * H : 3 * H], C_prev, out=K[:, 2 * H : 3 * H])
    K_g = K[:, -H:]
    xp.multiply(g, g, out=K_g)
    xp.subtract(1.0, K_g, out=K_g)
    xp.multiply(K_g, i, out=K_g)
    xp.multiply(tanh_C, tanh_C, out=K_c)
    xp.subtract(1.0, K_c, out=K_c)
    xp.multiply(K_c, o, out=K_c)
