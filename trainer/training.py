"""Training one lab: the fast path every lab runs on, with live progress and cooperative cancel.

The seed's model is tiny, so a plain `fit` on numpy arrays spends its time on overhead.
This path feeds pre-scaled float32 tensors through a small tf.data pipeline, runs several
steps per compiled call (`steps_per_execution`), scores the test set by calling the model
directly in large batches, and still reports progress many times a second. Results are
plain dataclasses; the Keras model rides along unserialised.
"""

from __future__ import annotations

import logging
import math
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from trainer.config import LabConfig
from trainer.data import MnistData, prepare
from trainer.errors import ResourceError
from trainer.model import N_CLASSES, build_model, count_macs, count_params, model_bytes

# Training steps per compiled call: fewer Python round trips, while a call still ends (and
# fires a progress event) many times a second even on a slow, busy 2-core machine.
STEPS_PER_EXECUTION = 8
N_SHOWN = 5
_COPY_ROWS = 2048  # rows per slice when the training set becomes a tensor
_EPSILON = 1e-7  # Keras' clip for the cross-entropy of a probability
_TIMED_CALLS = 10  # single-image calls whose median is the batch-1 inference time
_BIG_BATCH = 1000


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
    macs: int = 0  # multiply-accumulates per image
    size_bytes: int = 0  # the weights as float32
    infer_ms: dict[str, float] = field(default_factory=dict)  # {"batch1", "batch1000"}: ms/image
    # A stable id made with the run: the saved record and the saved model file carry it, so
    # the app can find a run's model again after a restart.
    uid: str = field(default_factory=lambda: str(uuid.uuid4()))
    model: Any = field(default=None, repr=False)  # the trained keras model (not serialised)

    @property
    def train_images_per_s(self) -> float:
        """Training images processed per second of fit (all epochs run)."""
        seen = self.n_train * len(self.history)
        return seen / self.fit_seconds if self.fit_seconds > 0 else 0.0

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
            "macs": self.macs,
            "size_bytes": self.size_bytes,
            "train_images_per_s": self.train_images_per_s,
            "infer_ms": dict(self.infer_ms),
            "n_train": self.n_train,
            "n_test": self.n_test,
            "source": self.source,
            "predictions": [vars(p).copy() for p in self.predictions],
            "first5": [p.label for p in self.predictions],
            "truth5": [p.truth for p in self.predictions],
            "confusion": self.confusion,
            "cancelled": self.cancelled,
            "uid": self.uid,
        }


Listener = Callable[[ProgressEvent], None]


def train(
    config: LabConfig,
    data: MnistData,
    *,
    listener: Listener | None = None,
    cancel: threading.Event | None = None,
    val_images: int | None = None,
) -> RunResult:
    """Fit the lab's model on `data` and evaluate it on the test set.

    Same config, data and seed give the same result on the same machine. Setting `cancel`
    stops the fit after the running group of batches; the result then has `cancelled=True`.
    `val_images` scores only the first N test images after each epoch (the curves), and the
    whole test set once at the end: for many short epochs, where scoring dominates.
    """
    config.validate()
    # Retracing warnings for a new batch shape are expected here (a sweep builds a model per run).
    logging.getLogger("tensorflow").setLevel(logging.ERROR)
    import keras

    from trainer.callback import LabCallback

    limit = config.train_limit
    n_train = len(data.train_images[:limit])
    x_test = prepare(data.test_images, config.normalization)
    truth = data.test_labels.astype(np.int64)

    keras.utils.set_random_seed(config.seed)
    batches = _shuffled_batches(
        prepare(data.train_images[:limit], config.normalization),
        _one_hot(data.train_labels[:limit]),
        config.batch_size,
        config.seed,
    )
    # No jit_compile: measured here, XLA made each step slower and added seconds of
    # teardown after multi-epoch fits.
    with _out_of_memory_as_error(config):
        model = build_model(
            config,
            steps_per_epoch=math.ceil(n_train / config.batch_size),
            steps_per_execution=STEPS_PER_EXECUTION,
        )
        validation = _Validation(model, x_test, truth)
        each_epoch = validation
        if val_images is not None and val_images < len(x_test):
            each_epoch = _Validation(model, x_test[:val_images], truth[:val_images])
        callback = LabCallback(config, n_train, each_epoch, listener, cancel)
        started = time.perf_counter()
        model.fit(batches, epochs=config.epochs, shuffle=False, verbose=0, callbacks=[callback])
        fit_seconds = time.perf_counter() - started
        if callback.cancelled or validation.probabilities is None:
            validation()
    probabilities = validation.probabilities
    assert probabilities is not None  # validation() has run
    predicted = probabilities.argmax(axis=1)
    confusion = np.bincount(truth * N_CLASSES + predicted, minlength=N_CLASSES * N_CLASSES)
    shown = [
        Prediction(i, int(predicted[i]), int(truth[i]), [float(p) for p in probabilities[i]])
        for i in range(min(N_SHOWN, len(truth)))
    ]
    return RunResult(
        config=config,
        history=callback.history,
        test_loss=validation.loss,
        test_accuracy=validation.accuracy,
        fit_seconds=fit_seconds,
        params=count_params(config),
        n_train=n_train,
        n_test=len(x_test),
        source=data.source,
        predictions=shown,
        confusion=confusion.reshape(N_CLASSES, N_CLASSES).tolist(),
        cancelled=callback.cancelled,
        macs=count_macs(config),
        size_bytes=model_bytes(config),
        infer_ms={} if callback.cancelled else inference_ms(model, x_test),
        model=model,
    )


@contextmanager
def _out_of_memory_as_error(config: LabConfig) -> Iterator[None]:
    """MemoryError and TensorFlow's ResourceExhaustedError become one ResourceError to show."""
    import tensorflow as tf

    try:
        yield
    except (MemoryError, tf.errors.ResourceExhaustedError):
        raise ResourceError(
            f"not enough memory to train this model ({count_params(config):,} parameters,"
            f" {config.filters} filters, batch size {config.batch_size}): choose smaller settings"
        ) from None


def inference_ms(model: Any, x: np.ndarray) -> dict[str, float]:
    """Milliseconds per image when predicting one image at a time and 1000 at a time.

    The median of several single-image calls, and the faster of two big-batch calls, so
    one stall on a busy machine does not set the figure.
    """
    single = []
    model.predict_on_batch(x[:1])  # the first call traces the predict function
    for i in range(_TIMED_CALLS):
        started = time.perf_counter()
        model.predict_on_batch(x[i : i + 1])
        single.append(time.perf_counter() - started)
    batch = x[:_BIG_BATCH]
    big = []
    for _ in range(2):
        started = time.perf_counter()
        model.predict_on_batch(batch)
        big.append(time.perf_counter() - started)
    return {
        "batch1": 1000 * float(np.median(single)),
        f"batch{_BIG_BATCH}": 1000 * min(big) / len(batch),
    }


def _shuffled_batches(x: np.ndarray, y: np.ndarray, batch_size: int, seed: int) -> Any:
    """A tf.data pipeline that reshuffles each epoch (seeded) and gathers batches in memory.

    Cheaper than handing numpy arrays to `fit`: Keras' array adapter spends seconds after
    the last epoch tearing down its pipeline, as long as a whole epoch on this machine.
    """
    import tensorflow as tf

    images = _tensor(x)
    targets = _tensor(y)
    return (
        tf.data.Dataset.range(len(x))
        .shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
        .batch(batch_size)
        .map(lambda index: (tf.gather(images, index), tf.gather(targets, index)))
        .prefetch(tf.data.AUTOTUNE)
    )


def _tensor(a: np.ndarray) -> Any:
    """`a` as one tensor, copied in slices: one `tf.constant` of the whole training set holds
    the GIL for about 0.2 s, a stall the app's window would feel while a lab starts."""
    import tensorflow as tf

    step = _COPY_ROWS
    return tf.concat([tf.constant(a[i : i + step]) for i in range(0, len(a), step)], axis=0)


def _one_hot(labels: np.ndarray) -> np.ndarray:
    """Labels as the one-hot float32 rows categorical_crossentropy expects."""
    rows: np.ndarray = np.eye(N_CLASSES, dtype=np.float32)[labels]
    return rows


class _Validation:
    """Scores the model on the test set after each epoch, as the seed's validation_data does.

    Done here rather than by Keras so that a cancelled run skips it, and so that the last
    epoch's probabilities serve as the final test result without a second pass.
    """

    def __init__(self, model: Any, x_test: np.ndarray, truth: np.ndarray) -> None:
        self.model = model
        self.x_test = x_test
        self.truth = truth
        self.probabilities: np.ndarray | None = None
        self.loss = math.nan
        self.accuracy = math.nan

    def __call__(self) -> tuple[float, float]:
        """(loss, accuracy) on the test set, computed as Keras' categorical metrics do."""
        from trainer.inspect import predict_prepared

        probabilities = predict_prepared(self.model, self.x_test)
        picked = probabilities[np.arange(len(self.truth)), self.truth]
        self.probabilities = probabilities
        self.loss = float(-np.log(np.clip(picked, _EPSILON, 1.0)).mean())
        self.accuracy = float((probabilities.argmax(axis=1) == self.truth).mean())
        return self.loss, self.accuracy
