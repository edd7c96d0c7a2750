"""Sunspots and CO2: offline, gaps filled, chronological splits, windows, normaliser, persistence."""

import numpy as np
import pytest

from lstmlab.data import (
    Normalizer,
    chronological_split,
    forecasting_data,
    load_co2,
    load_sunspots,
    make_windows,
    persistence_mse,
)


def test_load_offline(offline):
    years, sun = load_sunspots()
    assert sun.shape == (309,) and years[0] == 1700 and years[-1] == 2008 and np.isfinite(sun).all()
    dates, co2 = load_co2()
    assert co2.shape == (526,) and np.isfinite(co2).all() and 300 < co2.min() < co2.max() < 400
    assert np.all(np.diff(dates.astype("datetime64[M]")).astype(int) == 1)  # one value per month, no gap
    wdates, weekly = load_co2("weekly")
    assert weekly.shape == (2284,) and np.isfinite(weekly).all()
    assert np.all(np.diff(wdates).astype("timedelta64[D]").astype(int) == 7)
    # a filled week lies between its neighbours (linear interpolation)
    from statsmodels.datasets import co2 as co2_module

    raw = co2_module.load_pandas().data["co2"].to_numpy()
    gap = np.nonzero(np.isnan(raw[1:-1]) & ~np.isnan(raw[:-2]) & ~np.isnan(raw[2:]))[0][0] + 1
    assert weekly[gap] == pytest.approx((raw[gap - 1] + raw[gap + 1]) / 2)
    # a month is the mean of its weeks
    jan59 = raw[(wdates >= np.datetime64("1959-01-01")) & (wdates < np.datetime64("1959-02-01"))]
    assert co2[10] == pytest.approx(np.nanmean(jan59))


def test_windows_and_split():
    s = np.arange(20, dtype=np.float64)
    x, y = make_windows(s, T=5, horizon=3)
    assert x.shape == (13, 5, 1) and y.shape == (13, 3)
    for i in range(13):
        assert np.array_equal(x[i, :, 0], s[i : i + 5]) and np.array_equal(y[i], s[i + 5 : i + 8])
    tr, va, te = chronological_split(s, 0.2, 0.1)
    assert np.array_equal(np.concatenate([tr, va, te]), s) and (len(tr), len(va), len(te)) == (14, 4, 2)
    # persistence: y_hat = last input, written out
    assert persistence_mse(x, y) == pytest.approx(np.mean([(k**2) for k in (1, 2, 3)]))
    with pytest.raises(ValueError, match="series: expected at least T \\+ horizon = 25"):
        make_windows(s, T=20, horizon=5)
    with pytest.raises(ValueError, match="val_fraction \\+ test_fraction"):
        chronological_split(s, 0.6, 0.5)


def test_normalizer_round_trip_and_input_untouched():
    rng = np.random.default_rng(0)
    a = rng.normal(300, 20, size=1000)
    keep = a.copy()
    norm = Normalizer().fit(a)
    z = norm.transform(a)
    assert abs(z.mean()) < 1e-12 and z.std() == pytest.approx(1.0)
    np.testing.assert_allclose(norm.inverse_transform(z), a, rtol=1e-15, atol=0)
    assert np.array_equal(a, keep)
    with pytest.raises(ValueError, match="call fit"):
        Normalizer().transform(a)
    with pytest.raises(ValueError, match="standard deviation is 0"):
        Normalizer().fit(np.ones(5))


def test_forecasting_data(offline):
    d = forecasting_data("co2", T=24, horizon=6)
    assert d["x_train"].shape[1:] == (24, 1) and d["y_test"].shape[1] == 6
    assert abs(d["x_train"].mean()) < 0.1  # normalised with the training statistics
    raw = load_co2()[1]
    tr, va, te = chronological_split(raw)
    z_te = (te - tr.mean()) / tr.std()
    np.testing.assert_allclose(d["x_test"][0, :, 0], z_te[:24])
    errors = [(z_te[i + 24 + h] - z_te[i + 23]) ** 2 for i in range(len(z_te) - 29) for h in range(6)]
    assert d["persistence"]["test"] == pytest.approx(np.mean(errors))
    assert len(errors) == 6 * d["x_test"].shape[0]
    with pytest.raises(ValueError, match="name: expected one of"):
        forecasting_data("temperature")
