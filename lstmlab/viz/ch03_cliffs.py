"""Chapter 3's figures: error flow through one unit, Pascanu's cliff, and an echo state network's memory.

* :func:`unit_error_flow` / :func:`plot_unit_error_flow`: Hochreiter's single unit
  ``y_t = sigma(w y_{t-1} + b)``; the error sent back ``q`` steps is scaled by
  ``prod_t sigma'(net_t) w``.
* :func:`cliff_loss` / :func:`cliff_descent` / :func:`plot_cliff`: the one-unit recurrence of
  Pascanu, Mikolov & Bengio (2013), ``x_t = w sigma(x_{t-1}) + b``, its loss
  ``(x_T - target)^2`` over ``(w, b)``, its exact gradient (forward-mode, vectorised over a
  grid), and gradient descent on it with and without clipping by norm (:mod:`lstmlab.clip`).
* :func:`esn_memory` / :func:`plot_esn_memory`: an echo state network (Jaeger 2001) whose ridge
  readout recalls the input ``d`` steps back; the squared correlation per delay.

Each ``plot_*`` function returns a Figure with ``fig.alt_text`` and takes an optional ``ax``.
"""

from __future__ import annotations

import numpy as np

from ..cells.base import sigmoid
from ..clip import clip_grad_norm
from ..sequence import forward
from .gradients import scale_spectral_radius
from .style import CYCLE, MUTED, OKABE_ITO, course_style, new_figure, set_alt

# ------------------------------------------------------------------------------------------ one unit


def unit_error_flow(w, q: int = 30, y0: float = 0.55):
    """``|prod_{t=1..q} sigma'(net_t) w|`` for the unit ``y_t = sigma(w y_{t-1} + b)`` with ``b = -w/2``.

    With ``b = -w/2`` the unit has a fixed point at ``y = 0.5``, where ``sigma'`` takes its largest
    value 1/4; starting at ``y0`` next to it shows what the net input does over time. Returns an
    array (q + 1,): the factor after 0, 1, ..., q steps.
    """
    y, factor, out = y0, 1.0, [1.0]
    for _ in range(q):
        s = sigmoid(np.array(w * y - w / 2))
        factor *= float(s * (1 - s)) * w
        y = float(s)
        out.append(abs(factor))
    return np.array(out)


def plot_unit_error_flow(ws=(1.0, 3.0, 4.0, 4.5, 8.0), q: int = 30, ax=None):
    """The error scaling of one sigmoid unit against the number of steps q, one line per weight w."""
    with course_style():
        fig, ax = new_figure(ax)
        ends = []
        for n, w in enumerate(ws):
            flow = unit_error_flow(w, q)
            ax.semilogy(np.arange(q + 1), flow, color=CYCLE[n % len(CYCLE)], label=f"w = {w:g}")
            ends.append(flow[-1])
        ax.axhline(1.0, color=MUTED, lw=1.0, ls=":")
        ax.set_xlabel("steps back q")
        ax.set_ylabel(r"$|\prod_t \sigma'(net_t)\, w|$")
        ax.set_title(r"one sigmoid unit, $y_t = \sigma(w\, y_{t-1} - w/2)$")
        ax.legend(loc="lower left", ncol=2)
    desc = ", ".join(f"w {w:g}: {v:.2g}" for w, v in zip(ws, ends))
    alt = (
        f"Log-scale plot of the factor by which one sigmoid unit scales an error sent back q steps, for q from 0 "
        f"to {q}, one line per self-weight w. The factor after {q} steps: {desc}. It shrinks for w below 4; "
        "above 4 it grows at first and then collapses as the unit saturates."
    )
    return set_alt(fig, alt)


# ------------------------------------------------------------------------------------------ the cliff


def cliff_loss(w, b, T: int = 50, x0: float = 0.5, target: float = 0.7):
    """Loss and exact gradient of ``L = (x_T - target)^2`` for ``x_t = w sigma(x_{t-1}) + b``.

    ``w`` and ``b`` are arrays of any (broadcastable) shape, so a whole grid is evaluated at once.
    The derivatives are carried forward with the state (forward mode):
    ``dx_t/dw = sigma(x_{t-1}) + w sigma'(x_{t-1}) dx_{t-1}/dw`` and
    ``dx_t/db = 1 + w sigma'(x_{t-1}) dx_{t-1}/db``.

    Returns ``(L, dL_dw, dL_db)``, arrays of the broadcast shape.
    """
    w, b = np.broadcast_arrays(np.asarray(w, dtype=np.float64), np.asarray(b, dtype=np.float64))
    x = np.full(w.shape, float(x0))
    dw, db = np.zeros(w.shape), np.zeros(w.shape)
    for _ in range(T):
        s = sigmoid(x)
        ds = s * (1 - s)
        dw, db = s + w * ds * dw, 1 + w * ds * db
        x = w * s + b
    err = x - target
    return err**2, 2 * err * dw, 2 * err * db


def cliff_descent(w0, b0, lr: float = 0.05, steps: int = 30, clip_norm=None, **loss_kwargs):
    """Gradient descent on :func:`cliff_loss` from ``(w0, b0)``, optionally clipping the gradient by norm.

    Returns ``(path (steps + 1, 2), losses (steps + 1,), grad_norms (steps,))``; the norms are
    those before clipping.
    """
    p = {"w": np.array(float(w0)), "b": np.array(float(b0))}
    path, losses, norms = [(p["w"].item(), p["b"].item())], [], []
    for _ in range(steps):
        L, gw, gb = cliff_loss(p["w"], p["b"], **loss_kwargs)
        grads = {"w": np.array(gw, dtype=np.float64), "b": np.array(gb, dtype=np.float64)}
        if clip_norm is None:
            norms.append(float(np.hypot(gw, gb)))
        else:
            norms.append(clip_grad_norm(grads, clip_norm))
        losses.append(float(L))
        p["w"] = p["w"] - lr * grads["w"]
        p["b"] = p["b"] - lr * grads["b"]
        path.append((p["w"].item(), p["b"].item()))
    losses.append(float(cliff_loss(p["w"], p["b"], **loss_kwargs)[0]))
    return np.array(path), np.array(losses), np.array(norms)


def plot_cliff(paths: dict, w_range=(-1.0, 10.0), b_range=(-6.0, 3.0), n: int = 241, ax=None, **loss_kwargs):
    """The loss surface of :func:`cliff_loss` (log colour scale) with descent paths drawn on it.

    ``paths`` maps a label to a path (k, 2) of ``(w, b)`` points, as :func:`cliff_descent` returns.
    """
    W, B = np.meshgrid(np.linspace(*w_range, n), np.linspace(*b_range, n))
    L = cliff_loss(W, B, **loss_kwargs)[0]
    colors = [OKABE_ITO["vermillion"], OKABE_ITO["sky"], OKABE_ITO["yellow"]]
    with course_style():
        fig, ax = new_figure(ax, figsize=(6.4, 4.4))
        im = ax.pcolormesh(W, B, np.log10(L + 1e-8), cmap="viridis", shading="auto", rasterized=True)
        ax.grid(False)
        fig.colorbar(im, ax=ax, label=r"$\log_{10}$ loss")
        for k, (label, path) in enumerate(paths.items()):
            c = colors[k % len(colors)]
            ax.plot(path[:, 0], path[:, 1], "-o", color=c, ms=3, lw=1.4, label=label, clip_on=True)
            ax.plot(path[0, 0], path[0, 1], marker="*", ms=11, color=c, mec="white", mew=0.8)
        ax.set_xlim(*w_range)
        ax.set_ylim(*b_range)
        ax.set_xlabel("w")
        ax.set_ylabel("b")
        T = loss_kwargs.get("T", 50)
        ax.set_title(rf"loss of $x_t = w\,\sigma(x_{{t-1}}) + b$ after T = {T} steps")
        ax.legend(loc="upper left", framealpha=0.95)
    ends = "; ".join(f"{label}: ends at w={p[-1, 0]:.2f}, b={p[-1, 1]:.2f}" for label, p in paths.items())
    alt = (
        f"Heat map of the log loss of a one-unit recurrent network over its weight w (x axis, {w_range[0]:g} to "
        f"{w_range[1]:g}) and bias b (y axis, {b_range[0]:g} to {b_range[1]:g}). A narrow curved ridge, the cliff, "
        f"separates two flat regions. Descent paths drawn on it: {ends}."
    )
    return set_alt(fig, alt)


# ------------------------------------------------------------------------------------------ echo state network


def esn_memory(rho, H: int = 50, T: int = 1200, washout: int = 100, max_delay: int = 40, ridge=1e-6, seed=0):
    """Short-term memory of an echo state network with spectral radius ``rho``.

    A tanh reservoir with fixed random ``W_h`` (rescaled to ``rho``) and ``W_x`` ~ U(-0.1, 0.1)
    reads u_t ~ U(-0.5, 0.5). For each delay d = 1..max_delay a linear readout
    ``W_out = (S^T S + ridge I)^{-1} S^T y`` learns ``y_t = u_{t-d}`` on the first half of the
    states (after ``washout``); returns ``(delays, r2)``, the squared correlation between readout
    and target on the second half.
    """
    rng = np.random.default_rng(seed)
    params = {
        "W_x": rng.uniform(-0.1, 0.1, (1, H)),
        "W_h": scale_spectral_radius(rng.standard_normal((H, H)) / np.sqrt(H), rho),
        "b": np.zeros(H),
    }
    u = rng.uniform(-0.5, 0.5, T)
    hs = forward(u[None, :, None], params, cell="rnn")[0][0]
    delays = np.arange(1, max_delay + 1)
    half = washout + (T - washout) // 2
    r2 = []
    for d in delays:
        S_tr, y_tr = hs[washout:half], u[washout - d : half - d]
        S_te, y_te = hs[half:], u[half - d : T - d]
        W_out = np.linalg.solve(S_tr.T @ S_tr + ridge * np.eye(H), S_tr.T @ y_tr)
        r2.append(np.corrcoef(S_te @ W_out, y_te)[0, 1] ** 2)
    return delays, np.array(r2)


def plot_esn_memory(rhos=(0.5, 0.9, 0.99), ax=None, **kwargs):
    """The memory curve of :func:`esn_memory` (squared correlation against delay), one line per ``rho``."""
    with course_style():
        fig, ax = new_figure(ax)
        caps = []
        for n, rho in enumerate(rhos):
            d, r2 = esn_memory(rho, **kwargs)
            ax.plot(d, r2, color=CYCLE[n % len(CYCLE)], label=rf"$\rho$ = {rho:g}: capacity {r2.sum():.1f}")
            caps.append(r2.sum())
        ax.set_ylim(-0.02, 1.02)
        ax.set_xlabel("delay d (steps)")
        ax.set_ylabel(r"$r^2$ of the recalled $u_{t-d}$")
        ax.set_title("echo state network: only the readout is trained")
        ax.legend(loc="upper right")
    desc = ", ".join(f"rho {r:g}: {c:.1f}" for r, c in zip(rhos, caps))
    alt = (
        "Line plot of how well a trained linear readout of a fixed random reservoir recalls the input d steps back "
        f"(squared correlation, 0 to 1) against d, one line per spectral radius. Memory capacity (sum over d): {desc}."
    )
    return set_alt(fig, alt)
