"""Forecasting baselines and multi-step forecasts: naive, seasonal-naive, AR(p) by least squares.

A forecast made at *origin* t sees the values up to t and predicts the next ``horizon`` ones.

* :func:`origin_windows`: the windows of a series whose forecast origins lie in one part
  (train, validation or test); the input may reach back into an earlier part (it is the
  observed past), the targets never leave the part;
* :func:`naive_forecast`: every future value equals the last one seen;
* :func:`seasonal_naive_forecast`: the value one season ago, ``s_{t+h} = s_{t+h-P}``;
* :func:`fit_ar` and :func:`ar_predict`: the autoregression
  ``s_{t+1} = a_0 + a_1 s_t + ... + a_p s_{t-p+1}``, fitted by least squares on the training part;
* :func:`recursive_forecast`: any one-step predictor run ``horizon`` steps ahead by feeding its
  own predictions back in, the way errors compound.

Shapes: windows x (N, T), targets y (N, horizon).
"""

from __future__ import annotations

import numpy as np

from .checks import check_array, check_positive_int


def origin_windows(series, start: int, stop: int, T: int, horizon: int) -> tuple:
    """``(x, y)``: x (N, T) the T values up to each origin, y (N, horizon) the values after it.

    Origins are the indices ``o`` with ``start <= o + 1`` and ``o + horizon < stop``: the targets
    ``series[o+1 : o+1+horizon]`` all lie in ``[start, stop)``; the input ``series[o-T+1 : o+1]``
    may begin before ``start`` (but not before 0).
    """
    s = check_array("series", series, shape=(None,))
    T, horizon = check_positive_int("T", T), check_positive_int("horizon", horizon)
    if not (0 <= start < stop <= s.size):
        raise ValueError(f"start, stop: expected 0 <= start < stop <= {s.size}, got {start}, {stop}")
    first, last = max(start - 1, T - 1), stop - horizon - 1
    if last < first:
        raise ValueError(f"series: no origin in [{start}, {stop}) with T={T} and horizon={horizon}")
    o = np.arange(first, last + 1)[:, None]
    return s[o - T + 1 + np.arange(T)], s[o + 1 + np.arange(horizon)]


def naive_forecast(x, horizon: int) -> np.ndarray:
    """Persistence: ``x[:, -1]`` repeated ``horizon`` times -> (N, horizon)."""
    x = check_array("x", x, shape=(None, None))
    return np.repeat(x[:, -1:], check_positive_int("horizon", horizon), axis=1)


def seasonal_naive_forecast(x, horizon: int, period: int) -> np.ndarray:
    """``s_{t+h} = s_{t+h-P}``, repeating the last season: needs ``x`` with at least ``period`` columns."""
    x = check_array("x", x, shape=(None, None))
    horizon, period = check_positive_int("horizon", horizon), check_positive_int("period", period)
    if x.shape[1] < period:
        raise ValueError(f"x: expected at least period={period} past values per window, got {x.shape[1]}")
    last = x[:, -period:]
    return last[:, np.arange(horizon) % period]


def fit_ar(series, p: int) -> np.ndarray:
    """AR(p) coefficients ``[a_0, a_1, ..., a_p]`` by least squares on a 1-D series (a_1: the latest value)."""
    s = check_array("series", series, shape=(None,))
    p = check_positive_int("p", p)
    if s.size < 2 * p + 2:
        raise ValueError(f"series: expected at least 2p+2 = {2 * p + 2} values to fit AR({p}), got {s.size}")
    lags = np.stack([s[p - j - 1 : s.size - j - 1] for j in range(p)], axis=1)  # column j: lag j+1
    design = np.hstack([np.ones((lags.shape[0], 1)), lags])
    coef, *_ = np.linalg.lstsq(design, s[p:], rcond=None)
    return coef


def ar_predict(coef, x) -> np.ndarray:
    """One-step AR predictions for windows x (N, T) with T >= p -> (N,)."""
    coef = check_array("coef", coef, shape=(None,))
    x = check_array("x", x, shape=(None, None))
    p = coef.size - 1
    if x.shape[1] < p:
        raise ValueError(f"x: expected windows of at least p={p} values, got {x.shape[1]}")
    return coef[0] + x[:, ::-1][:, :p] @ coef[1:]


def recursive_forecast(predict_one, x, horizon: int) -> np.ndarray:
    """Run ``predict_one(x) -> (N,)`` for ``horizon`` steps, appending each prediction to the window.

    The window keeps its length T: the oldest value drops out as each prediction comes in. Step h
    therefore sees h - 1 of its own predictions, and their errors. Returns (N, horizon).
    """
    x = check_array("x", x, shape=(None, None)).copy()
    horizon = check_positive_int("horizon", horizon)
    out = np.empty((x.shape[0], horizon), dtype=x.dtype)
    for h in range(horizon):
        out[:, h] = np.asarray(predict_one(x)).reshape(-1)
        x = np.concatenate([x[:, 1:], out[:, h : h + 1]], axis=1)
    return out


def rmse_by_horizon(pred, y) -> np.ndarray:
    """Root mean squared error at each horizon: (horizon,)."""
    y = check_array("y", y, shape=(None, None))
    pred = check_array("pred", pred, shape=y.shape)
    return np.sqrt(((pred - y) ** 2).mean(axis=0))
