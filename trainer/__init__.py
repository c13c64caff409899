"""Kviz's lab engine: MNIST data, the seed's CNN, fast training, sweeps and inspection.

Qt-free and kviz-free. TensorFlow is imported lazily inside the functions that need it,
so importing this package stays instant; its log noise is turned down before that import.
"""

from __future__ import annotations

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from trainer.config import SWEEPABLE, LabConfig  # noqa: E402
from trainer.data import MnistData, load_mnist, prepare  # noqa: E402
from trainer.errors import ConfigError, DataError, ResourceError, TrainerError  # noqa: E402
from trainer.sweep import SweepRow, comparison_table, sweep  # noqa: E402
from trainer.training import EpochMetrics, Prediction, ProgressEvent, RunResult, train  # noqa: E402

__all__ = [
    "SWEEPABLE",
    "ConfigError",
    "DataError",
    "ResourceError",
    "EpochMetrics",
    "LabConfig",
    "MnistData",
    "Prediction",
    "ProgressEvent",
    "RunResult",
    "SweepRow",
    "TrainerError",
    "comparison_table",
    "load_mnist",
    "prepare",
    "sweep",
    "train",
]
