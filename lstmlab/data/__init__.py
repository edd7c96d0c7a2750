"""Real data that ships with installed packages (no download): digits, time series, prose.

* :mod:`lstmlab.data.digits`: scikit-learn's 8x8 digits read as sequences;
* :mod:`lstmlab.data.timeseries`: sunspots and CO2 from statsmodels, for forecasting;
* :mod:`lstmlab.data.text`: Python's help topics as a character corpus.

scikit-learn and statsmodels are imported only when their data is loaded
(``pip install lstmlab[data]``).
"""

from __future__ import annotations

from .digits import DigitsTask, load_digits_sequences
from .text import Vocabulary, batchify, bigram_nats, bptt_batches, load_corpus, sample, split_ids, unigram_nats
from .timeseries import (
    Normalizer,
    chronological_split,
    forecasting_data,
    load_co2,
    load_series,
    load_sunspots,
    make_windows,
    persistence_mse,
)

__all__ = [
    "DigitsTask",
    "Normalizer",
    "Vocabulary",
    "batchify",
    "bigram_nats",
    "bptt_batches",
    "chronological_split",
    "forecasting_data",
    "load_co2",
    "load_corpus",
    "load_digits_sequences",
    "load_series",
    "load_sunspots",
    "make_windows",
    "persistence_mse",
    "sample",
    "split_ids",
    "unigram_nats",
]
