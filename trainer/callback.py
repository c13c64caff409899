"""The Keras callback behind `train`: progress events out, cancel in.

Importing this module imports Keras, so `trainer.training` imports it only inside `train`.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from typing import Literal

import keras

from trainer.config import LabConfig
from trainer.training import EpochMetrics, Listener, ProgressEvent


class LabCallback(keras.callbacks.Callback):  # type: ignore[misc]  # Keras ships no types
    """Turns Keras' batch and epoch hooks into ProgressEvents and honours the cancel event.

    `validate` scores the test set at each epoch's end (skipped once cancelled).

    Keras resets `stop_training` when fit starts, so cancel is checked on every batch hook
    and passed on by setting `model.stop_training` there.
    """

    def __init__(
        self,
        config: LabConfig,
        n_train: int,
        validate: Callable[[], tuple[float, float]],
        listener: Listener | None,
        cancel: threading.Event | None,
    ) -> None:
        super().__init__()
        self.epochs = config.epochs
        self.batch_size = config.batch_size
        self.batches = math.ceil(n_train / config.batch_size)
        self.n_train = n_train
        self.validate = validate
        self.listener = listener
        self.cancel = cancel
        self.cancelled = False
        self.history: list[EpochMetrics] = []
        self.epoch = 0
        self.started = 0.0

    def on_train_begin(self, logs: dict[str, float] | None = None) -> None:
        self.started = time.perf_counter()
        self._check_cancel()

    def on_epoch_begin(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        self.epoch = epoch

    def on_train_batch_begin(self, batch: int, logs: dict[str, float] | None = None) -> None:
        self._check_cancel()

    def on_train_batch_end(self, batch: int, logs: dict[str, float] | None = None) -> None:
        if self.listener is not None and logs:
            self.listener(self._event("batch", min(batch + 1, self.batches), logs))
        self._check_cancel()

    def on_epoch_end(self, epoch: int, logs: dict[str, float] | None = None) -> None:
        if self.cancelled or not logs:
            return
        val_loss, val_accuracy = self.validate()
        logs.update(val_loss=val_loss, val_accuracy=val_accuracy)
        metrics = EpochMetrics(
            epoch + 1, float(logs["loss"]), float(logs["accuracy"]), val_loss, val_accuracy
        )
        self.history.append(metrics)
        if self.listener is not None:
            self.listener(self._event("epoch", self.batches, logs, metrics))

    def _check_cancel(self) -> None:
        if self.cancel is not None and self.cancel.is_set():
            self.cancelled = True
            self.model.stop_training = True

    def _event(
        self,
        kind: Literal["batch", "epoch"],
        done: int,
        logs: dict[str, float],
        metrics: EpochMetrics | None = None,
    ) -> ProgressEvent:
        elapsed = time.perf_counter() - self.started
        steps_done = self.epoch * self.batches + done
        steps_left = self.epochs * self.batches - steps_done
        images = min(steps_done * self.batch_size, self.epochs * self.n_train)
        return ProgressEvent(
            kind=kind,
            epoch=self.epoch + 1,
            epochs=self.epochs,
            batch=done,
            batches=self.batches,
            loss=float(logs["loss"]),
            accuracy=float(logs["accuracy"]),
            val_loss=metrics.val_loss if metrics else None,
            val_accuracy=metrics.val_accuracy if metrics else None,
            images_per_s=images / elapsed if elapsed > 0 else 0.0,
            elapsed_s=elapsed,
            eta_s=elapsed * steps_left / steps_done if steps_done else 0.0,
        )
