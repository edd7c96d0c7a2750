"""Checkers for the coding exercises of chapter 9, *The full LSTM BPTT derivation*.

* :func:`check_lstm_step_backward` -- the backward pass of one step of the peephole LSTM
  (Graves's form: ``i`` and ``f`` see ``c_prev``, ``o`` sees ``c``),
  ``step_backward(dh, dc, cache) -> (dx, dh_prev, dc_prev, grads)``. ``cache`` is a dict with
  the step's inputs and activations (``x``, ``h_prev``, ``c_prev``, ``i``, ``f``, ``g``, ``c``,
  ``o``) and ``params`` (``W_x``, ``W_h``, ``b``, ``p_i``, ``p_f``, ``p_o``); ``dh`` is the total
  error at ``h`` and ``dc`` the error arriving at ``c`` from step t+1.
* :func:`check_truncated_1997` -- the 1997 truncated gradient of an LSTM (with a forget gate)
  over a sequence, ``truncated_gradient(dhs, caches) -> grads``, where ``caches[t]`` comes from
  :func:`lstmlab.cells.lstm_step_forward`: no error flows back through ``W_h``; only the cell
  state (the constant error carousel) carries error from one step to the one before;
* :func:`check_lstm_bptt` -- full BPTT over a sequence built from the step backward,
  ``lstm_bptt(dhs, caches) -> (dxs, dh0, dc0, grads)``: dh and dc carried back, the weight
  gradients summed over the steps.

The references are lstmlab's :func:`~lstmlab.cells.lstm_step_backward` (tested against finite
differences and ``torch.nn.LSTM`` in ``tests/``) and, for the truncation, the same step backward
called with the recurrent error left out (:func:`truncated_gradient_1997`). A wrong answer is
compared with the usual slips (the missing tanh'(c) on the cell output path, the error from
c_{t+1} forgotten or not multiplied by f, gate blocks in the wrong order, the peephole terms
left out or fed the wrong cell state, a missing sigmoid derivative; for the truncation, full
BPTT, a carousel that carries nothing, overwritten sums) and the feedback names the one it matches.
"""

from __future__ import annotations

import numpy as np

from ..cells import GATES, get_cell, lstm_step_backward, lstm_step_forward
from .ch01 import compare, match_slip, returned
from .feedback import Feedback, expect_tuple, require_function

PEEPHOLE = get_cell("peephole")
LSTM = get_cell("lstm")
STEP_KEYS = ("W_x", "W_h", "b", "p_i", "p_f", "p_o")
CACHE_KEYS = ("x", "h_prev", "c_prev", "i", "f", "g", "c", "o")


# ------------------------------------------------------------------------------------------ one step


def step_case(N, D, H, seed):
    """Seeded inputs for one peephole step: weights large enough that every derivative matters."""
    rng = np.random.default_rng(seed)
    params = PEEPHOLE.init_params(D, H, seed=rng)
    for key in params:
        params[key] *= 2.5
    x = rng.normal(size=(N, D))
    h_prev, c_prev = rng.normal(scale=0.5, size=(N, H)), rng.normal(size=(N, H))
    dh, dc = rng.normal(size=(N, H)), rng.normal(size=(N, H))
    h, c, cache = lstm_step_forward(x, h_prev, c_prev, params, cell=PEEPHOLE)
    core = cache[0]
    learner_cache = {"x": x, "h_prev": h_prev, "c_prev": c_prev, "params": params}
    learner_cache.update({k: core[k] for k in ("i", "f", "g", "c", "o")})
    return dh, dc, cache, learner_cache


def slip_step_backward(
    dh,
    dc,
    cache,
    out_deriv="tanh",
    from_next=True,
    keep_f=True,
    peep_o=True,
    peep_if=True,
    order=GATES,
    p_o_from="c",
    p_if_from="c_prev",
    sigmoid_deriv=True,
):
    """The peephole LSTM step backward written out, with switches for the usual slips (for the diagnosis)."""
    p = cache["params"]
    x, h_prev, c_prev = cache["x"], cache["h_prev"], cache["c_prev"]
    i, f, g, c, o = (cache[k] for k in ("i", "f", "g", "c", "o"))
    s = np.tanh(c)
    d_sig = (lambda b: b * (1.0 - b)) if sigmoid_deriv else (lambda b: 1.0)
    da = {"o": dh * s * d_sig(o)}
    local = {"tanh": 1.0 - s * s, "none": 1.0, "c_squared": 1.0 - c * c}[out_deriv]
    dc_t = dh * o * local + (dc if from_next else 0.0) + (da["o"] * p["p_o"] if peep_o else 0.0)
    da["g"] = dc_t * i * (1.0 - g * g)
    da["i"] = dc_t * g * d_sig(i)
    da["f"] = dc_t * c_prev * d_sig(f)
    dc_prev = (dc_t * f if keep_f else dc_t) + ((da["i"] * p["p_i"] + da["f"] * p["p_f"]) if peep_if else 0.0)
    da_x = np.concatenate([da[k] for k in order], axis=1)
    u_if = c_prev if p_if_from == "c_prev" else c
    u_o = c if p_o_from == "c" else c_prev
    grads = {
        "W_x": x.T @ da_x,
        "W_h": h_prev.T @ da_x,
        "b": da_x.sum(axis=0),
        "p_i": (da["i"] * u_if).sum(axis=0),
        "p_f": (da["f"] * u_if).sum(axis=0),
        "p_o": (da["o"] * u_o).sum(axis=0),
    }
    return da_x @ p["W_x"].T, da_x @ p["W_h"].T, dc_prev, grads


def _step_slips(dh, dc, cache) -> dict:
    """What each typical slip returns -> the hint that names it."""
    order = "the gate blocks of da must be in the order GATES = ('i', 'f', 'g', 'o'), the order of W_x's columns; "
    table = {
        "the tanh derivative on the cell output path is missing: h = o * tanh(c), so the error reaching c from h "
        "is dh * o * (1 - tanh(c)**2)": dict(out_deriv="none"),
        "tanh'(c) is 1 - tanh(c)**2, not 1 - c**2 (c itself is not squashed)": dict(out_deriv="c_squared"),
        "the error arriving from c_{t+1} (the argument dc) is missing from the error at c: "
        "eps_s = dh * o * tanh'(c) + dc + da_o * p_o": dict(from_next=False),
        "dc_prev must be multiplied by the forget gate: c = f * c_prev + i * g, so dc_prev = dc_t * f + ...": dict(
            keep_f=False
        ),
        "the output peephole term is missing from the error at c: o sees c through p_o, so eps_s gets da_o * p_o": dict(
            peep_o=False
        ),
        "the peephole terms are missing from dc_prev: i and f see c_prev through p_i and p_f, "
        "so dc_prev gets da_i * p_i + da_f * p_f": dict(peep_if=False),
        "the sigmoid derivative is missing: for a gate b = sigmoid(a), da = db * b * (1 - b)": dict(
            sigmoid_deriv=False
        ),
        "p_o multiplies this step's new cell state c (the output gate looks at c_t), so dp_o = sum(da_o * c)": dict(
            p_o_from="c_prev"
        ),
        "p_i and p_f multiply the previous cell state c_prev, so dp_i = sum(da_i * c_prev)": dict(p_if_from="c"),
        order + "you wrote (i, f, o, g)": dict(order=("i", "f", "o", "g")),
        order + "you swapped i and f": dict(order=("f", "i", "g", "o")),
        order + "you wrote (i, g, f, o)": dict(order=("i", "g", "f", "o")),
        order + "you wrote (o, i, f, g)": dict(order=("o", "i", "f", "g")),
    }
    names = ("dx", "dh_prev", "dc_prev", *STEP_KEYS)
    slips = {n: {} for n in names}
    for hint, switches in table.items():
        dx, dh_prev, dc_prev, grads = slip_step_backward(dh, dc, cache, **switches)
        for n, v in zip(names, (dx, dh_prev, dc_prev, *(grads[k] for k in STEP_KEYS))):
            slips[n][hint] = v
    return slips


def check_lstm_step_backward(step_backward) -> Feedback:
    """Check ``step_backward(dh, dc, cache) -> (dx, dh_prev, dc_prev, grads)`` for one peephole LSTM step.

    ``cache`` holds ``x`` (N, D), ``h_prev``, ``c_prev``, ``i``, ``f``, ``g``, ``c``, ``o`` (N, H) and
    ``params`` (``W_x`` (D, 4H), ``W_h`` (H, 4H), ``b`` (4H,), ``p_i``, ``p_f``, ``p_o`` (H,)), blocks in
    the order ``("i", "f", "g", "o")``. Expected: ``dx`` (N, D), ``dh_prev`` and ``dc_prev`` (N, H), and
    ``grads`` with the keys and shapes of ``params``.
    """
    require_function("step_backward", step_backward, "step_backward(dh, dc, cache) -> (dx, dh_prev, dc_prev, grads)")
    fb = Feedback("Exercise: lstm_step_backward (peephole LSTM)")
    for case, (N, D, H, seed) in enumerate([(4, 3, 5, 0), (2, 1, 3, 1)]):
        dh, dc, cache, learner_cache = step_case(N, D, H, seed)
        dx_want, dh_prev_want, dc_prev_want, grads_want = lstm_step_backward(dh, dc, cache, cell=PEEPHOLE)
        given = {k: v.copy() for k, v in learner_cache.items() if k != "params"}
        given["params"] = {k: v.copy() for k, v in learner_cache["params"].items()}
        out = returned(fb, "step_backward", step_backward, dh.copy(), dc.copy(), given)
        if out is None:
            return fb
        if not expect_tuple(fb, "step_backward", out, "dx, dh_prev, dc_prev, grads"):
            return fb
        dx, dh_prev, dc_prev, grads = out
        if not isinstance(grads, dict):
            fb.expect(False, "", f"grads: expected a dict with keys {list(STEP_KEYS)}, got {type(grads).__name__}")
            return fb
        missing = [k for k in STEP_KEYS if k not in grads]
        if missing:
            fb.expect(False, "", f"grads: missing keys {missing}")
            return fb
        slips = _step_slips(dh, dc, learner_cache)
        tag = f" (case {case + 1}: N={N}, D={D}, H={H})"
        ok = True
        for name, got, want in (
            ("dc_prev", dc_prev, dc_prev_want),
            ("dh_prev", dh_prev, dh_prev_want),
            ("dx", dx, dx_want),
            *((f"grads[{k!r}]", grads[k], grads_want[k]) for k in STEP_KEYS),
        ):
            key = name[7:-2] if name.startswith("grads") else name
            ok &= compare(fb, name + tag, got, want, hint=match_slip(got, slips[key]))
        if not ok:
            return fb
        changed = [k for k in CACHE_KEYS if not np.array_equal(given[k], learner_cache[k])]
        changed += [f"params[{k!r}]" for k in STEP_KEYS if not np.array_equal(given["params"][k], cache[2][k])]
        if changed:
            fb.expect(False, "", f"step_backward: your function modified its input {', '.join(changed)}")
            return fb
    return fb


# ------------------------------------------------------------------------------------------ 1997 truncation


def sequence_case(N, T, D, H, seed):
    """Per-step caches of the LSTM (with a forget gate) from lstm_step_forward, and direct errors dhs."""
    rng = np.random.default_rng(seed)
    params = LSTM.init_params(D, H, seed=rng)
    params["W_h"] *= 3.0  # a recurrence strong enough that the truncated part is large
    x = rng.normal(size=(N, T, D))
    h, c = rng.normal(scale=0.5, size=(N, H)), rng.normal(size=(N, H))
    caches = []
    for t in range(T):
        h, c, cache = lstm_step_forward(x[:, t], h, c, params)
        caches.append(cache)
    return rng.normal(size=(N, T, H)), caches


def truncated_gradient_1997(dhs, caches, recurrent=False, carousel=True, accumulate=True, reverse=True):
    """The 1997 truncated gradient (``recurrent=False``): each step sees only its own direct error at h.

    ``dhs`` (N, T, H) are the direct errors, ``caches[t]`` the caches of ``lstm_step_forward``.
    The error at c_t still flows back to c_{t-1} (``dc_prev``), but the error ``dh_prev`` that the
    gates' and candidate's net inputs send back through ``W_h`` is dropped. The switches reproduce
    the usual slips: ``recurrent=True`` is full BPTT, ``carousel=False`` drops ``dc_prev`` as well.
    Returns ``{"W_x", "W_h", "b"}``.
    """
    N, T, H = dhs.shape
    grads = {}
    dh_next, dc_next = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)) if reverse else range(T):
        dh = dhs[:, t] + (dh_next if recurrent else 0.0)
        _, dh_next, dc_next, g = lstm_step_backward(dh, dc_next, caches[t])
        if not carousel:
            dc_next = np.zeros_like(dc_next)
        for key in ("W_x", "W_h", "b"):
            grads[key] = grads[key] + g[key] if (accumulate and key in grads) else g[key]
    return grads


def check_truncated_1997(truncated_gradient) -> Feedback:
    """Check ``truncated_gradient(dhs, caches) -> grads``, the 1997 truncated gradient of an LSTM.

    ``caches[t]`` is the cache of :func:`lstmlab.cells.lstm_step_forward` at step t (cell ``"lstm"``),
    so ``lstm_step_backward(dh, dc, caches[t])`` is available; ``dhs`` (N, T, H) are the direct
    errors at every h_t. Expected: ``grads`` with ``W_x``, ``W_h`` and ``b``, summed over the steps,
    where only the cell state carries error back in time.
    """
    require_function("truncated_gradient", truncated_gradient, "truncated_gradient(dhs, caches) -> grads")
    fb = Feedback("Exercise: the 1997 truncated gradient")
    keys = ("W_x", "W_h", "b")
    for case, (N, T, D, H, seed) in enumerate([(3, 6, 2, 4, 0), (2, 9, 3, 5, 1)]):
        dhs, caches = sequence_case(N, T, D, H, seed)
        want = truncated_gradient_1997(dhs, caches)
        grads = returned(fb, "truncated_gradient", truncated_gradient, dhs.copy(), caches)
        if grads is None:
            return fb
        if not isinstance(grads, dict) or any(k not in grads for k in keys):
            fb.expect(False, "", f"grads: expected a dict with the keys {list(keys)}")
            return fb
        slips = {
            "this is the full BPTT gradient: in the 1997 truncation the error dh_prev that flows back "
            "through W_h is dropped, and each step sees only dhs[:, t] at h": dict(recurrent=True),
            "the carousel must carry the error back: pass dc_prev from each step to the step before "
            "(only dh_prev is dropped)": dict(carousel=False),
            "the weight gradients were overwritten at each step: sum them over all steps": dict(accumulate=False),
            "time must run backwards, from t = T-1 down to 0, carrying dc_prev to the step before": dict(reverse=False),
        }
        tag = f" (case {case + 1}: N={N}, T={T}, D={D}, H={H})"
        ok = True
        for key in keys:
            table = {hint: truncated_gradient_1997(dhs, caches, **sw)[key] for hint, sw in slips.items()}
            ok &= compare(fb, f"grads[{key!r}]" + tag, grads[key], want[key], hint=match_slip(grads[key], table))
        if not ok:
            return fb
    return fb


# ------------------------------------------------------------------------------------------ the sequence loop


def lstm_bptt_loop(dhs, caches, carry_h=True, carry_c=True, direct="every", accumulate=True, reverse=True):
    """BPTT over a sequence from the step backward: carry dh and dc back, sum the weight gradients.

    ``dhs`` (N, T, H) are the direct errors at every h_t, ``caches[t]`` the caches of
    ``lstm_step_forward`` (cell ``"lstm"``). Returns ``(dxs, dh0, dc0, grads)``: dxs (N, T, D), the
    errors at the initial states, and ``W_x``, ``W_h``, ``b`` summed over the steps. The switches
    reproduce the usual slips: ``carry_h=False`` drops the recurrent error dh_prev (the 1997
    truncation), ``carry_c=False`` drops dc_prev, ``direct="last"`` adds the direct error only at the
    last step, ``accumulate=False`` keeps one step's gradient, ``reverse=False`` runs time forwards.
    """
    N, T, H = dhs.shape
    D = caches[0][1].shape[1]
    dxs = np.zeros((N, T, D))
    grads = {}
    dh_next, dc_next = np.zeros((N, H)), np.zeros((N, H))
    for t in reversed(range(T)) if reverse else range(T):
        own = dhs[:, t] if (direct == "every" or t == T - 1) else 0.0
        dh = own + (dh_next if carry_h else 0.0)
        dxs[:, t], dh_next, dc_next, g = lstm_step_backward(dh, dc_next, caches[t])
        if not carry_c:
            dc_next = np.zeros_like(dc_next)
        for key in ("W_x", "W_h", "b"):
            grads[key] = grads[key] + g[key] if (accumulate and key in grads) else g[key]
    return dxs, dh_next, dc_next, grads


def check_lstm_bptt(lstm_bptt) -> Feedback:
    """Check ``lstm_bptt(dhs, caches) -> (dxs, dh0, dc0, grads)``: BPTT over a sequence from the step backward.

    ``caches[t]`` is the cache of :func:`lstmlab.cells.lstm_step_forward` at step t (cell ``"lstm"``),
    ``dhs`` (N, T, H) the direct errors at every h_t. Expected: ``dxs`` (N, T, D), ``dh0`` and
    ``dc0`` (N, H), the errors at the initial states, and ``grads`` with ``W_x``, ``W_h``, ``b``
    summed over the steps; the same numbers as ``lstmlab.sequence.backward``.
    """
    require_function("lstm_bptt", lstm_bptt, "lstm_bptt(dhs, caches) -> (dxs, dh0, dc0, grads)")
    fb = Feedback("Exercise: LSTM BPTT over a sequence")
    keys = ("W_x", "W_h", "b")
    slips = {
        "the error dh_prev that step t+1 sends back through W_h is dropped (that is the 1997 "
        "truncation): add it to the direct error dhs[:, t] before calling the step backward": dict(carry_h=False),
        "the cell state's error dc_prev is not carried back: hand each step's dc_prev to the step "
        "before (the carousel)": dict(carry_c=False),
        "the direct error dhs[:, t] is added only at the last step: every h_t feeds the loss, so every "
        "step receives dhs[:, t] + dh_prev": dict(direct="last"),
        "the weight gradients were overwritten at each step: sum them over all steps": dict(accumulate=False),
        "time must run backwards, from t = T-1 down to 0": dict(reverse=False),
    }
    for case, (N, T, D, H, seed) in enumerate([(3, 6, 2, 4, 0), (2, 9, 3, 5, 1)]):
        dhs, caches = sequence_case(N, T, D, H, seed)
        want = lstm_bptt_loop(dhs, caches)
        out = returned(fb, "lstm_bptt", lstm_bptt, dhs.copy(), caches)
        if out is None:
            return fb
        if not expect_tuple(fb, "lstm_bptt", out, "dxs, dh0, dc0, grads"):
            return fb
        grads = out[3]
        if not isinstance(grads, dict) or any(k not in grads for k in keys):
            fb.expect(False, "", f"grads: expected a dict with the keys {list(keys)}")
            return fb
        tag = f" (case {case + 1}: N={N}, T={T}, D={D}, H={H})"
        tables = {hint: lstm_bptt_loop(dhs, caches, **sw) for hint, sw in slips.items()}
        ok = True
        for n, name in enumerate(("dxs", "dh0", "dc0")):
            table = {hint: v[n] for hint, v in tables.items()}
            ok &= compare(fb, name + tag, out[n], want[n], hint=match_slip(out[n], table))
        for key in keys:
            table = {hint: v[3][key] for hint, v in tables.items()}
            ok &= compare(fb, f"grads[{key!r}]" + tag, grads[key], want[3][key], hint=match_slip(grads[key], table))
        if not ok:
            return fb
    return fb


__all__ = [
    "check_lstm_bptt",
    "check_lstm_step_backward",
    "check_truncated_1997",
    "lstm_bptt_loop",
    "truncated_gradient_1997",
]
