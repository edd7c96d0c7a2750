"""Two real time series for forecasting, with no download: sunspots and CO2 from statsmodels.

* **Sunspots** (``statsmodels.datasets.sunspots``): the yearly mean sunspot
  number, 1700..2008, 309 values; no gaps.
* **CO2** (``statsmodels.datasets.co2``): weekly CO2 concentration (ppm) at
  Mauna Loa, March 1958 to December 2001, 2284 weeks of which 59 are missing.
  ``freq="monthly"`` (the default) averages the available weeks of each month
  (526 months) and fills a month with no data by linear interpolation in time;
  ``freq="weekly"`` keeps the weeks and fills the missing ones by linear
  interpolation between their neighbours.

A forecasting problem is built in three steps, without leaking the future
into training:

1. :func:`chronological_split` cuts the series into train, validation and test
   parts, in time order;
2. a :class:`Normalizer` is fitted on the training part only and applied to all;
3. :func:`make_windows` turns each part into windows: the inputs are ``T``
   consecutive values, x (N, T, 1), and the targets the next ``horizon``
   values, y (N, horizon).

:func:`persistence_mse` is the naive baseline: forecast that every future value
equals the last one seen.
"""

from __future__ import annotations

import numpy as np

from ..checks import check_array, check_choice, check_float_dtype, check_positive_int

SERIES = ("sunspots", "co2")


def load_sunspots() -> tuple:
    """``(years, values)``: float arrays (309,), the years 1700..2008 and the yearly mean sunspot numbers."""
    from statsmodels.datasets import sunspots

    df = sunspots.load_pandas().data
    return df["YEAR"].to_numpy(dtype=np.float64), df["SUNACTIVITY"].to_numpy(dtype=np.float64)


def load_co2(freq: str = "monthly") -> tuple:
    """``(dates, values)``: numpy datetime64 array and float64 ppm values, gaps filled (see the module docstring)."""
    from statsmodels.datasets import co2

    check_choice("freq", freq, ("monthly", "weekly"))
    s = co2.load_pandas().data["co2"]
    if freq == "monthly":
        s = s.resample("MS").mean()  # each month: the mean of its available weeks
    s = s.interpolate(method="time")
    return s.index.to_numpy(), s.to_numpy(dtype=np.float64)


def load_series(name: str, **kwargs) -> np.ndarray:
    """The values of ``"sunspots"`` or ``"co2"`` as a float64 array (T_total,)."""
    check_choice("name", name, SERIES)
    return (load_sunspots() if name == "sunspots" else load_co2(**kwargs))[1]


def chronological_split(series, val_fraction: float = 0.15, test_fraction: float = 0.15) -> tuple:
    """Cut a 1-D series into ``(train, val, test)``, in time order (the test part is the most recent)."""
    series = check_array("series", series, shape=(None,))
    for name, f in (("val_fraction", val_fraction), ("test_fraction", test_fraction)):
        if not (isinstance(f, (int, float)) and 0.0 <= f < 1.0):
            raise ValueError(f"{name}: expected a number in [0, 1), got {f!r}")
    if val_fraction + test_fraction >= 1.0:
        raise ValueError(f"val_fraction + test_fraction: expected < 1, got {val_fraction + test_fraction}")
    n = series.shape[0]
    n_test = int(round(n * test_fraction))
    n_val = int(round(n * val_fraction))
    n_train = n - n_val - n_test
    if n_train < 1:
        raise ValueError(f"series: expected enough values for a non-empty training part, got {n}")
    return series[:n_train].copy(), series[n_train : n_train + n_val].copy(), series[n_train + n_val :].copy()


def make_windows(series, T: int, horizon: int = 1) -> tuple:
    """Sliding windows of a 1-D series (stride 1).

    Returns ``x`` (N, T, 1), the values ``s[i : i+T]``, and ``y`` (N, horizon),
    the values ``s[i+T : i+T+horizon]``, for ``N = len(s) - T - horizon + 1``.
    """
    series = check_array("series", series, shape=(None,))
    T = check_positive_int("T", T)
    horizon = check_positive_int("horizon", horizon)
    N = series.shape[0] - T - horizon + 1
    if N < 1:
        raise ValueError(f"series: expected at least T + horizon = {T + horizon} values, got {series.shape[0]}")
    idx = np.arange(N)[:, None]
    x = series[idx + np.arange(T)][..., None]
    y = series[idx + T + np.arange(horizon)]
    return x, y


class Normalizer:
    """Standardise with the mean and standard deviation of the data it was fitted on.

    ``transform(a) = (a - mean) / std`` and ``inverse_transform(z) = z * std + mean``;
    the round trip returns the input up to floating-point rounding (relative
    error about 1e-16). Fit on the training part only.
    """

    def __init__(self):
        self.mean = None
        self.std = None

    def fit(self, a) -> Normalizer:
        a = check_array("a", np.asarray(a, dtype=np.float64) if isinstance(a, list) else a)
        if a.size < 2:
            raise ValueError(f"a: expected at least 2 values to fit, got {a.size}")
        self.mean = float(a.mean())
        self.std = float(a.std())
        if self.std == 0.0:
            raise ValueError("a: expected values that vary (the standard deviation is 0)")
        return self

    def _fitted(self):
        if self.mean is None:
            raise ValueError("Normalizer: call fit(train_values) before transform or inverse_transform")

    def transform(self, a):
        """``(a - mean) / std``, a new array of the same shape and dtype."""
        self._fitted()
        a = check_array("a", a)
        return ((a - self.mean) / self.std).astype(a.dtype, copy=False)

    def inverse_transform(self, z):
        """``z * std + mean``: back to the original units."""
        self._fitted()
        z = check_array("z", z)
        return (z * self.std + self.mean).astype(z.dtype, copy=False)


def persistence_mse(x, y) -> float:
    """The naive forecast's MSE: predict ``x[:, -1, 0]`` for every one of the ``horizon`` targets.

    ``x`` (N, T, 1), ``y`` (N, horizon); in the units of ``x`` and ``y``.
    """
    x = check_array("x", x, shape=(None, None, 1))
    y = check_array("y", y, shape=(x.shape[0], None))
    return float(((y - x[:, -1, :]) ** 2).mean())


def forecasting_data(
    name: str = "sunspots",
    T: int = 20,
    horizon: int = 1,
    val_fraction=0.15,
    test_fraction=0.15,
    dtype=np.float64,
    **load_kwargs,
) -> dict:
    """A ready forecasting problem: split, normalised with the training statistics, windowed.

    Returns a dict with ``x_train, y_train, x_val, y_val, x_test, y_test``
    (x (N, T, 1), y (N, horizon), normalised, in ``dtype``), the fitted
    ``normalizer``, and ``persistence``: the naive baseline's MSE on each part in
    normalised units (``{"train": .., "val": .., "test": ..}``). Windows never
    cross from one part into the next.
    """
    check_choice("name", name, SERIES)
    T, horizon = check_positive_int("T", T), check_positive_int("horizon", horizon)
    check_float_dtype("dtype", dtype)
    parts = chronological_split(load_series(name, **load_kwargs), val_fraction, test_fraction)
    norm = Normalizer().fit(parts[0])
    out = {"normalizer": norm, "persistence": {}}
    for part, values in zip(("train", "val", "test"), parts):
        x, y = make_windows(norm.transform(values), T, horizon)
        out[f"x_{part}"], out[f"y_{part}"] = x.astype(dtype), y.astype(dtype)
        out["persistence"][part] = persistence_mse(x, y)
    return out
