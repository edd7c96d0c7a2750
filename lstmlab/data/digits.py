"""Handwritten digits read as a sequence: scikit-learn's 8x8 digits, with no download.

The data set (1797 images of 8x8 pixels, grey levels 0..16, ten classes) ships
inside scikit-learn (``sklearn.datasets.load_digits``). We scale the pixels to
[0, 1] (divide by 16) and read each image as a sequence:

* ``mode="rows"``: one row per step, T = 8 steps of D = 8 pixels;
* ``mode="pixels"``: one pixel per step in reading order, T = 64 steps of D = 1
  (a small cousin of pixel-by-pixel MNIST, Le, Jaitly & Hinton 2015).

The class is read out at the last step. The train/test split is stratified
(each class in the same proportion in both parts) and seeded.
"""

from __future__ import annotations

import numpy as np

from ..checks import check_choice, check_int
from ..tasks.base import Batch, Task, check_sample_args

MODES = ("rows", "pixels")


def load_digits_sequences(mode: str = "rows", test_fraction: float = 0.25, seed: int = 0, dtype=np.float64) -> tuple:
    """The digits as sequences, split into train and test.

    Returns ``(x_train, y_train, x_test, y_test)``: x float arrays (N, T, D) in
    [0, 1] with (T, D) = (8, 8) for ``"rows"`` or (64, 1) for ``"pixels"``; y int64
    arrays (N,) of classes 0..9. With the default ``test_fraction=0.25``: 1347
    training and 450 test sequences.
    """
    from sklearn.datasets import load_digits
    from sklearn.model_selection import train_test_split

    check_choice("mode", mode, MODES)
    if not (isinstance(test_fraction, float) and 0.0 < test_fraction < 1.0):
        raise ValueError(f"test_fraction: expected a float in (0, 1), got {test_fraction!r}")
    seed = check_int("seed", seed)
    _, dtype = check_sample_args(1, np.random.default_rng(0), dtype)
    images, labels = load_digits(return_X_y=True)  # images (1797, 64), values 0..16
    shape = (-1, 8, 8) if mode == "rows" else (-1, 64, 1)
    x = (images / 16.0).reshape(shape).astype(dtype)
    y = labels.astype(np.int64)
    x_train, x_test, y_train, y_test = train_test_split(
        x, y, test_size=test_fraction, stratify=y, random_state=seed, shuffle=True
    )
    return x_train, y_train, x_test, y_test


class DigitsTask(Task):
    """Classify a digit read row by row or pixel by pixel; a Task whose batches come from the training split.

    ``sample(batch_size, rng)`` draws training sequences uniformly with
    replacement; ``train`` and ``test`` hold the whole splits as :class:`Batch`
    objects, so ``task.evaluate(model_output, task.test)`` scores the test set.

    Baseline: predicting the training class frequencies without looking at the
    image; its cross-entropy is the entropy of those frequencies, ``ln 10 ~ 2.30``
    up to the small imbalance of the classes. Accuracy of the same: about 0.1.
    A sequence is correct when the arg-max is its class; ``solved`` when the
    accuracy reaches ``solve_at`` (0.95 by default).
    """

    loss = "cross_entropy"
    readout = "last"
    output_size = 10
    solve_at = 0.95
    citation = "Alpaydin & Kaynak (1998), UCI optical recognition of handwritten digits (scikit-learn's load_digits)"

    def __init__(self, mode: str = "rows", test_fraction: float = 0.25, seed: int = 0):
        self.mode = check_choice("mode", mode, MODES)
        x_tr, y_tr, x_te, y_te = load_digits_sequences(mode, test_fraction, seed)
        self.train, self.test = Batch(x=x_tr, y=y_tr), Batch(x=x_te, y=y_te)
        self.T, self.input_size = x_tr.shape[1:]
        freq = np.bincount(y_tr, minlength=10) / y_tr.size
        self.baseline = float(-(freq * np.log(freq)).sum())
        self.name = f"digits-{mode}"
        self.description = f"8x8 digits read {'row by row' if mode == 'rows' else 'pixel by pixel'} ({self.citation})."

    def sample(self, batch_size: int, rng: np.random.Generator, dtype=np.float64) -> Batch:
        """Training sequences drawn with replacement: x (N, T, D), y (N,) int64."""
        N, dtype = check_sample_args(batch_size, rng, dtype)
        idx = rng.integers(0, self.train.y.size, size=N)
        return Batch(x=self.train.x[idx].astype(dtype), y=self.train.y[idx], mask=None, info={"index": idx})
