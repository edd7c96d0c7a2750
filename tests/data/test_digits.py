"""Digits as sequences: offline, shapes, scaling, a stratified seeded split."""

import numpy as np
import pytest

from lstmlab.data import DigitsTask, load_digits_sequences


def test_rows_and_pixels_offline(offline):
    xr, yr, xr_te, yr_te = load_digits_sequences("rows")
    xp, yp, xp_te, yp_te = load_digits_sequences("pixels")
    assert xr.shape == (1347, 8, 8) and xr_te.shape == (450, 8, 8) and xp.shape == (1347, 64, 1)
    assert np.array_equal(yr, yp) and yr.dtype == np.int64
    assert np.array_equal(xr.reshape(-1, 64), xp.reshape(-1, 64))  # same images, read differently
    assert xr.min() == 0.0 and xr.max() == 1.0
    assert np.allclose(xr * 16, np.round(xr * 16))  # grey levels 0..16 scaled by 1/16
    # stratified: every class in (nearly) the same proportion in both parts
    f_tr, f_te = np.bincount(yr) / yr.size, np.bincount(yr_te) / yr_te.size
    assert np.abs(f_tr - f_te).max() < 0.01
    # seeded: same seed same split, another seed another split
    again = load_digits_sequences("rows", seed=0)
    assert np.array_equal(again[0], xr) and not np.array_equal(load_digits_sequences("rows", seed=1)[1], yr)
    # no image in both parts
    seen = {row.tobytes() for row in xr.reshape(-1, 64)}
    assert sum(r.tobytes() in seen for r in xr_te.reshape(-1, 64)) <= 5  # the data set has a few duplicate images


def test_task_interface(offline):
    task = DigitsTask("pixels")
    b = task.sample(32, np.random.default_rng(0))
    assert b.x.shape == (32, 64, 1) and b.y.shape == (32,) and (task.T, task.input_size) == (64, 1)
    assert np.array_equal(b.x, task.train.x[b.info["index"]])
    freq = np.bincount(task.train.y) / task.train.y.size
    logits = np.tile(np.log(freq), (task.train.y.size, 1))
    assert task.baseline == pytest.approx(np.log(10), abs=0.01)
    assert task.evaluate(logits, task.train)["loss"] == pytest.approx(task.baseline)
    assert task.evaluate(np.eye(10)[task.test.y], task.test)["solved"]


def test_errors():
    with pytest.raises(ValueError, match="mode: expected one of"):
        load_digits_sequences("columns")
    with pytest.raises(ValueError, match="test_fraction"):
        load_digits_sequences(test_fraction=1.5)
