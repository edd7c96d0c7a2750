"""Vanishing and exploding gradients: exact Jacobian norms across time, and their plots.

For the vanilla RNN (row-vector convention) ``a_t = x_t W_x + h_{t-1} W_h + b`` and
``h_t = phi(a_t)``. The Jacobian of one step, with ``J[i, j] = dh_t[i] / dh_{t-1}[j]``, is

.. math::

    J_t = \\frac{\\partial h_t}{\\partial h_{t-1}} = \\operatorname{diag}(\\phi'(a_t))\\, W_h^\\top

(``a_t[i] = sum_j h_{t-1}[j] W_h[j, i]``, so the transpose), and by the chain rule

.. math::

    \\frac{\\partial h_T}{\\partial h_k} = J_T J_{T-1} \\cdots J_{k+1}.

:func:`jacobian_norms` multiplies these matrices exactly. For any other cell
(LSTM, GRU, ...) the per-step Jacobian of the whole state is read off the cell's
own backward core, one unit vector per row.
"""

from __future__ import annotations

import numpy as np
from matplotlib.colors import LogNorm
from matplotlib.ticker import MaxNLocator

from .. import sequence
from ..cells import get_cell
from ..cells.rnn import NONLINEARITIES, RNN_CELLS
from ..checks import check_array, check_choice, check_positive_int
from .style import CYCLE, MUTED, course_style, new_figure, set_alt

NORMS = {"spectral": 2, "frobenius": "fro"}


def scale_spectral_radius(W_h, rho):
    """``W_h`` rescaled so that its spectral radius (largest ``|eigenvalue|``) is ``rho``.

    Parameters
    ----------
    W_h : array (H, H)
    rho : float >= 0

    Returns
    -------
    array (H, H), a new array: ``W_h * rho / max|eig(W_h)|``
    """
    check_array("W_h", W_h, shape=(None, None))
    if W_h.shape[0] != W_h.shape[1]:
        raise ValueError(f"W_h: expected a square matrix (H, H), got shape {tuple(W_h.shape)}")
    if isinstance(rho, bool) or not isinstance(rho, (int, float, np.integer, np.floating)):
        raise TypeError(f"rho: expected a real number, got {type(rho).__name__}")
    if not np.isfinite(rho) or rho < 0:
        raise ValueError(f"rho: expected a finite number >= 0, got {rho}")
    radius = float(np.max(np.abs(np.linalg.eigvals(np.asarray(W_h, dtype=np.float64)))))
    if radius == 0.0:
        raise ValueError("W_h: expected a matrix with a nonzero eigenvalue, got spectral radius 0 (nilpotent)")
    return W_h * (rho / radius)


def _one_sequence(x, D, dtype):
    check_array("x", x, shape=(None, D), dtype=dtype)
    if x.shape[0] == 0:
        raise ValueError("x: expected at least one time step (T >= 1), got shape " + str(tuple(x.shape)))
    return x[None]


def step_jacobians(params, x, cell="rnn", h0=None):
    """The Jacobian of every step: ``J[t-1] = d s_t / d s_{t-1}`` for t = 1..T.

    ``s`` is the whole state (``h`` for the RNN and GRU; ``h`` then ``c`` for the LSTM), so ``J``
    has shape (T, S, S) with S = H for the RNN and GRU and S = 2H for the LSTM. For the RNN
    cells ``J_t = diag(phi'(a_t)) W_h^T``.

    Parameters
    ----------
    params : dict, the cell's parameters with D inputs and H units
    x : array (T, D), one sequence
    cell : str or Cell (``"rnn"``, ``"rnn_relu"``, ``"rnn_sigmoid"``, ``"lstm"``, ``"gru"``, ...)
    h0 : array (H,), optional initial hidden state (zeros by default)
    """
    cell = get_cell(cell)
    D, H, dtype = cell.check_params(params)
    xs = _one_sequence(x, D, dtype)
    if h0 is not None:
        h0 = check_array("h0", h0, shape=(H,), dtype=dtype)[None]
    _, _, cache = sequence.forward(xs, params, cell, h0=h0, fast=False)
    caches = cache["caches"]
    rnn = {c.name: nl for nl, c in RNN_CELLS.items()}
    if cell.name in rnn:
        dphi = NONLINEARITIES[rnn[cell.name]][1]
        return np.stack([dphi(c["h"][0])[:, None] * params["W_h"].T for c in caches])
    widths = cell.widths(H)
    S = sum(widths)
    eye = np.eye(S, dtype=dtype)
    offsets = np.cumsum((0,) + widths)
    dstate = tuple(eye[:, offsets[k] : offsets[k + 1]] for k in range(len(widths)))
    J = np.empty((len(caches), S, S), dtype=dtype)
    for t, c in enumerate(caches):
        # row r of J_t is e_r^T J_t: the backward core applied to the unit vector e_r (the batch broadcasts)
        _, dprev, _, _ = cell.core_backward(dstate, c)
        J[t] = np.concatenate([np.zeros((S, w), dtype=dtype) if d is None else d for d, w in zip(dprev, widths)], 1)
    return J


def _chain_norms(J, rows, end, ord):
    """``|| d h_end / d s_k ||`` for k = 0..end (rows: the h block of the state)."""
    S = J.shape[1]
    P = np.eye(S, dtype=J.dtype)[rows]
    norms = np.empty(end + 1)
    norms[end] = np.linalg.norm(P, ord=ord)
    for k in range(end - 1, -1, -1):
        P = P @ J[k]  # J[k] is d s_{k+1} / d s_k
        norms[k] = np.linalg.norm(P, ord=ord)
    return norms


def jacobian_norms(params, x, cell="rnn", h0=None, norm="spectral"):
    """``|| dh_T / dh_k ||`` for every k = 0..T, computed exactly by chaining per-step Jacobians.

    ``h_0`` is the initial state and ``h_T`` the last; ``dh_T/dh_k = J_T ... J_{k+1}`` with
    ``J_t = diag(phi'(a_t)) W_h^T`` for the RNN (see the module docstring). For a cell with more
    state than ``h`` (the LSTM's ``c``), the Jacobian is that of ``h_T`` with respect to the whole
    state ``s_k = (h_k, c_k)``, so the path through the cell state counts.

    Parameters
    ----------
    params : dict, the cell's parameters
    x : array (T, D), one sequence
    cell : str or Cell, default ``"rnn"`` (tanh)
    h0 : array (H,), optional
    norm : ``"spectral"`` (largest singular value, the default) or ``"frobenius"``

    Returns
    -------
    norms : array (T + 1,) of float64, ``norms[k] = ||dh_T/dh_k||``; ``norms[T] = 1``. The lag is ``T - k``.
    """
    check_choice("norm", norm, NORMS)
    J = step_jacobians(params, x, cell, h0)
    H = params["W_h"].shape[0]
    return _chain_norms(J.astype(np.float64), slice(0, H), J.shape[0], NORMS[norm])


def jacobian_norm_table(params, x, cell="rnn", h0=None, norm="spectral"):
    """``|| dh_t / dh_{t-lag} ||`` for every step t = 1..T and lag = 0..T, as an array (T, T + 1).

    Entry ``[t - 1, lag]`` is the norm for step t and the given lag; lags longer than t are NaN.
    Shapes and conventions as in :func:`jacobian_norms`.
    """
    check_choice("norm", norm, NORMS)
    J = step_jacobians(params, x, cell, h0).astype(np.float64)
    T, H = J.shape[0], params["W_h"].shape[0]
    table = np.full((T, T + 1), np.nan)
    for t in range(1, T + 1):
        norms = _chain_norms(J, slice(0, H), t, NORMS[norm])  # norms[k] for k = 0..t
        table[t - 1, : t + 1] = norms[::-1]
    return table


def random_rnn(H, rho, nonlinearity="tanh", D=1, seed=0):
    """A vanilla RNN with ``W_h`` ~ N(0, 1/H) rescaled to spectral radius ``rho``, ``W_x`` ~ N(0, 1), ``b = 0``.

    Returns ``(params, cell_name)``; params in float64 with ``W_x`` (D, H), ``W_h`` (H, H), ``b`` (H,).
    """
    H = check_positive_int("H", H)
    D = check_positive_int("D", D)
    check_choice("nonlinearity", nonlinearity, RNN_CELLS)
    rng = np.random.default_rng(seed)
    W_h = scale_spectral_radius(rng.standard_normal((H, H)) / np.sqrt(H), rho)
    params = {"W_x": rng.standard_normal((D, H)), "W_h": W_h, "b": np.zeros(H)}
    return params, RNN_CELLS[nonlinearity].name


def vanishing_gradient_data(rho, nonlinearity="tanh", T=50, H=16, seed=0):
    """The experiment of the vanishing-gradient explorer: ``(lags, norms)`` for one random RNN.

    A :func:`random_rnn` with spectral radius ``rho`` reads T inputs ~ N(0, 1) (D = 1, the same seed);
    ``norms[lag] = ||dh_T / dh_{T - lag}||`` for lag = 0..T.
    """
    T = check_positive_int("T", T)
    params, cell = random_rnn(H, rho, nonlinearity, D=1, seed=seed)
    x = np.random.default_rng([seed, 1]).standard_normal((T, 1))
    norms = jacobian_norms(params, x, cell)[::-1].copy()
    return np.arange(T + 1), norms


def plot_jacobian_norms(rhos=(0.5, 0.9, 1.0, 1.5), nonlinearity="tanh", T=50, H=16, seed=0, ax=None):
    """``||dh_T/dh_{T-lag}||`` against the lag on a log scale, one line per spectral radius ``rho``.

    Parameters
    ----------
    rhos : sequence of floats, the spectral radii of ``W_h``
    nonlinearity : ``"tanh"``, ``"sigmoid"`` or ``"relu"``
    T, H, seed : sequence length, hidden size and seed of :func:`vanishing_gradient_data`
    ax : matplotlib Axes, optional
    """
    rhos = [float(r) for r in np.atleast_1d(rhos)]
    if not rhos:
        raise ValueError("rhos: expected at least one spectral radius, got none")
    with course_style():
        fig, ax = new_figure(ax)
        finals = []
        for n, rho in enumerate(rhos):
            lags, norms = vanishing_gradient_data(rho, nonlinearity, T, H, seed)
            ax.semilogy(lags, np.maximum(norms, 1e-300), color=CYCLE[n % len(CYCLE)], label=rf"$\rho = {rho:g}$")
            finals.append(norms[-1])
        ax.axhline(1.0, color=MUTED, lw=1.0, ls=":")
        ax.set_xlabel("lag $T - k$ (steps)")
        ax.set_ylabel(r"$\|\partial h_T / \partial h_k\|_2$")
        ax.set_title(f"{nonlinearity} RNN, H = {H}")
        ax.legend(loc="best")
    desc = ", ".join(f"rho {r:g}: {v:.2g}" for r, v in zip(rhos, finals))
    alt = (
        f"Log-scale plot of the norm of dh_T/dh_k against the lag T-k, from 0 to {T}, for a {nonlinearity} RNN "
        f"with {H} units and spectral radii {', '.join(f'{r:g}' for r in rhos)}. Norm at lag {T}: {desc}."
    )
    return set_alt(fig, alt)


def gradient_heatmap(norms, row_label="step t", first_row=1, ax=None, title=None):
    """A heatmap of gradient (or Jacobian) norms over rows (training step or sequence index) and lag.

    Parameters
    ----------
    norms : array (R, L): row r, lag l; NaN where undefined (drawn blank). A log colour scale.
    row_label : str, the name of the rows (``"step t"``, ``"training step"``, ...)
    first_row : int, the row label of ``norms[0]`` (1 for :func:`jacobian_norm_table`, whose rows are t = 1..T)
    ax : matplotlib Axes, optional
    title : str, optional
    """
    norms = np.asarray(norms, dtype=np.float64)
    check_array("norms", norms, shape=(None, None), finite=False)
    if np.isinf(norms).any():
        raise ValueError("norms: expected finite values or NaN, got inf")
    positive = norms[np.isfinite(norms) & (norms > 0)]
    if positive.size == 0:
        raise ValueError("norms: expected at least one positive value, got none")
    with course_style():
        fig, ax = new_figure(ax)
        logs = np.log10(positive)
        lo, hi = logs.min(), logs.max()
        lo = min(lo, hi - 1.0)
        data = np.where(norms > 0, norms, np.nan)
        im = ax.imshow(
            data,
            aspect="auto",
            origin="lower",
            extent=(-0.5, norms.shape[1] - 0.5, first_row - 0.5, first_row + norms.shape[0] - 0.5),
            interpolation="nearest",
            norm=LogNorm(10**lo, 10**hi),
            cmap="viridis",
        )
        ax.grid(False)
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
        ax.set_xlabel("lag (steps)")
        ax.set_ylabel(row_label)
        if title:
            ax.set_title(title)
        fig.colorbar(im, ax=ax, label="norm (log scale)")
    R, L = norms.shape
    alt = (
        f"Heatmap of gradient norms, {R} rows ({row_label}) by {L} lags, on a log colour scale from "
        f"{10**lo:.1e} to {10**hi:.1e}."
    )
    return set_alt(fig, alt)
