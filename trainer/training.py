"""Training one lab: the fast path every lab runs on, with live progress and cooperative cancel.

The seed's model is tiny, so a plain `fit` on numpy arrays spends its time on per-step
overhead. This path feeds pre-scaled float32 arrays, runs several steps per call
(`steps_per_execution`) under XLA, validates in large batches, and still reports progress
several times a second. Results are plain dataclasses; the Keras model rides along unserialised.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from trainer.config import LabConfig
from trainer.data import MnistData, prepare
from trainer.model import N_CLASSES, build_model, count_params

# Training steps per compiled call: fewer Python round trips, while a call still ends (and
# fires a progress event) many times a second even on a slow, busy 2-core machine.
STEPS_PER_EXECUTION = 16
JIT_COMPILE = False
EVAL_BATCH_SIZE = 1000
N_SHOWN = 5
_EPSILON = 1e-7  # Keras' clip for the cross-entropy of a probability


@dataclass(frozen=True)
class ProgressEvent:
    """A snapshot of a running fit, sent after each executed batch group and each epoch."""

    kind: Literal["batch", "epoch"]
    epoch: int  # 1-based
    epochs: int
    batch: int  # batches done in this epoch
    batches: int
    loss: float
    accuracy: float
    val_loss: float | None  # on "epoch" events
    val_accuracy: float | None
    images_per_s: float
    elapsed_s: float
    eta_s: float


@dataclass(frozen=True)
class EpochMetrics:
    """One finished epoch: training and validation (test set) loss and accuracy."""

    epoch: int
    loss: float
    accuracy: float
    val_loss: float
    val_accuracy: float


@dataclass(frozen=True)
class Prediction:
    """The model's answer for one test image beside the truth."""

    index: int
    label: int
    truth: int
    probabilities: list[float]


@dataclass
class RunResult:
    """Everything a lab shows after a run; `to_dict` is what gets stored and printed as JSON."""

    config: LabConfig
    history: list[EpochMetrics]
    test_loss: float
    test_accuracy: float
    fit_seconds: float
    params: int
    n_train: int
    n_test: int
    source: str
    predictions: list[Prediction]  # first 5 test images
    confusion: list[list[int]]  # 10x10, rows = truth, cols = predicted
    cancelled: bool
    model: Any = field(default=None, repr=False)  # the trained keras model (not serialised)

    @property
    def gap(self) -> float:
        """Last train accuracy minus last validation accuracy: how much the model overfits."""
        if not self.history:
            return 0.0
        last = self.history[-1]
        return last.accuracy - last.val_accuracy

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready values, without the model."""
        return {
            "config": self.config.to_dict(),
            "history": [vars(m).copy() for m in self.history],
            "test_loss": self.test_loss,
            "test_accuracy": self.test_accuracy,
            "gap": self.gap,
            "fit_seconds": self.fit_seconds,
            "params": self.params,
            "n_train": self.n_train,
            "n_test": self.n_test,
            "source": self.source,
            "predictions": [vars(p).copy() for p in self.predictions],
            "first5": [p.label for p in self.predictions],
            "truth5": [p.truth for p in self.predictions],
            "confusion": self.confusion,
            "cancelled": self.cancelled,
        }


Listener = Callable[[ProgressEvent], None]


def train(
    config: LabConfig,
    data: MnistData,
    *,
    listener: Listener | None = None,
    cancel: threading.Event | None = None,
) -> RunResult:
    """Fit the lab's model on `data` and evaluate it on the test set.

    Same config, data and seed give the same result on the same machine. Setting `cancel`
    stops the fit after the running group of batches; the result then has `cancelled=True`.
    """
    config.validate()
    # Retracing warnings for a new batch shape are expected here (a sweep builds a model per run).
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    import keras

    from trainer.callback import LabCallback
    from trainer.inspect import predict_prepared

    limit = config.train_limit
    x_train = prepare(data.train_images[:limit], config.normalization)
    y_train = _one_hot(data.train_labels[:limit])
    x_test = prepare(data.test_images, config.normalization)
    y_test = _one_hot(data.test_labels)
    truth = data.test_labels.astype(np.int64)

    keras.utils.set_random_seed(config.seed)
    model = build_model(config, steps_per_execution=STEPS_PER_EXECUTION, jit_compile=JIT_COMPILE)
    callback = LabCallback(config, len(x_train), listener, cancel)
    started = time.perf_counter()
    model.fit(
        x_train,
        y_train,
        batch_size=config.batch_size,
        epochs=config.epochs,
        validation_data=(x_test, y_test),
        validation_batch_size=EVAL_BATCH_SIZE,
        shuffle=True,
        verbose=0,
        callbacks=[callback],
    )
    fit_seconds = time.perf_counter() - started

    probabilities = predict_prepared(model, x_test)
    predicted = probabilities.argmax(axis=1)
    picked = probabilities[np.arange(len(truth)), truth]
    test_loss = float(-np.log(np.clip(picked, _EPSILON, 1.0)).mean())
    confusion = np.bincount(truth * N_CLASSES + predicted, minlength=N_CLASSES * N_CLASSES)
    shown = [
        Prediction(i, int(predicted[i]), int(truth[i]), [float(p) for p in probabilities[i]])
        for i in range(min(N_SHOWN, len(truth)))
    ]
    return RunResult(
        config=config,
        history=callback.history,
        test_loss=test_loss,
        test_accuracy=float((predicted == truth).mean()),
        fit_seconds=fit_seconds,
        params=count_params(config),
        n_train=len(x_train),
        n_test=len(x_test),
        source=data.source,
        predictions=shown,
        confusion=confusion.reshape(N_CLASSES, N_CLASSES).tolist(),
        cancelled=callback.cancelled,
        model=model,
    )


def _one_hot(labels: np.ndarray) -> np.ndarray:
    """Labels as the one-hot float32 rows categorical_crossentropy expects."""
    return np.eye(N_CLASSES, dtype=np.float32)[labels]
