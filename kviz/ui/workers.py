"""Background work on QThreads that talks to the main thread only in plain data.

A worker is a QObject moved to its own QThread. Its `work()` runs there and reports through
queued signals (progress events, the final result, or an error message). Widgets and
matplotlib are touched only by the slots on the main thread. Cancel is cooperative: each
worker owns a `threading.Event` that the trainer checks between batches.
"""

from __future__ import annotations

import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QCoreApplication, QObject, QThread, Signal, Slot

# Batch events reach the main thread at most this often; epoch events always do.
PROGRESS_INTERVAL_S = 0.1


class Worker(QObject):
    """Base worker: subclasses implement `work()` and return its result."""

    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.cancel = threading.Event()
        self._last_emit = 0.0

    def work(self) -> Any:  # pragma: no cover - always overridden
        raise NotImplementedError

    def describe_error(self, exc: Exception) -> str:
        """The message shown to people; the trainer's and core's errors are already readable."""
        return str(exc) or type(exc).__name__

    @Slot()
    def run(self) -> None:
        try:
            result = self.work()
        except Exception as exc:  # shown in a dialog, never as a traceback
            traceback.print_exc()
            self.failed.emit(self.describe_error(exc))
        else:
            self.finished.emit(result)
        finally:
            # Hand the object back to the main thread so it can be freed there, then let
            # this thread's event loop end.
            thread = QThread.currentThread()
            self.moveToThread(QCoreApplication.instance().thread())
            thread.quit()

    def emit_progress(self, event: Any, force: bool = False) -> None:
        """Send a progress event, dropping batch events that come faster than ~10 a second.

        The trainer may call its listener hundreds of times a second; each emitted signal
        is an event the main thread must handle, so the throttle lives on this side.
        """
        now = time.monotonic()
        if force or now - self._last_emit >= PROGRESS_INTERVAL_S:
            self._last_emit = now
            self.progress.emit(event)


class TrainWorker(Worker):
    """Trains one lab configuration; `finished` carries the trainer's RunResult."""

    def __init__(self, config: Any, data: Any) -> None:
        super().__init__()
        self.config = config
        self.data = data

    def _listener(self, event: Any) -> None:
        self.emit_progress(event, force=event.kind == "epoch")

    def work(self) -> Any:
        from trainer.training import train

        return train(self.config, self.data, listener=self._listener, cancel=self.cancel)


class SweepWorker(Worker):
    """Runs the trainer's sweep; progress carries (run index, ProgressEvent) pairs."""

    def __init__(self, base: Any, param: str, values: list[Any], data: Any) -> None:
        super().__init__()
        self.base = base
        self.param = param
        self.values = values
        self.data = data

    def _listener(self, index: int, event: Any) -> None:
        self.emit_progress((index, event), force=event.kind == "epoch")

    def work(self) -> Any:
        from trainer.sweep import sweep

        return sweep(
            self.base,
            self.param,
            self.values,
            self.data,
            listener=self._listener,
            cancel=self.cancel,
        )


class DataWorker(Worker):
    """Loads MNIST once per session; progress carries (file name, bytes done, bytes total)."""

    def __init__(self, mnist_dir: str | Path | None) -> None:
        super().__init__()
        self.mnist_dir = mnist_dir

    def _progress(self, name: str, done: int, total: int) -> None:
        self.emit_progress((name, done, total), force=done >= total)

    def work(self) -> Any:
        from trainer.data import load_mnist

        return load_mnist(self.mnist_dir, progress=self._progress)


class WarmupWorker(Worker):
    """Imports matplotlib and Keras after the window is up, so the first chart and the
    first training run do not pay for it. Progress names each stage as it completes."""

    def work(self) -> Any:
        import matplotlib

        matplotlib.use("QtAgg")
        import matplotlib.backends.backend_qtagg  # noqa: F401
        import matplotlib.figure  # noqa: F401

        self.progress.emit("matplotlib")
        if self.cancel.is_set():
            return None
        import trainer.inspect  # noqa: F401
        import trainer.model  # noqa: F401
        import trainer.training  # noqa: F401

        self.progress.emit("keras")
        return None


class CallWorker(Worker):
    """Runs one short function off the main thread (model inspection, predictions)."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__()
        self.fn = fn

    def work(self) -> Any:
        return self.fn()


class WorkerPool(QObject):
    """Owns the running workers and their threads, so closing can stop and join them all."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running: dict[Worker, QThread] = {}

    def start(self, worker: Worker) -> Worker:
        """Start `worker` on a new QThread; it is forgotten (and freed) once it is done."""
        thread = QThread()
        worker.moveToThread(thread)
        thread.started.connect(worker.run)
        thread.finished.connect(self._forget)  # queued: this pool lives on the main thread
        self._running[worker] = thread
        thread.start()
        return worker

    @Slot()
    def _forget(self) -> None:
        thread = self.sender()
        for worker, running in list(self._running.items()):
            if running is thread:
                del self._running[worker]
                running.wait()

    def busy(self, kinds: tuple[type, ...] = (TrainWorker, SweepWorker)) -> bool:
        """Whether a worker of one of `kinds` is still running."""
        return any(isinstance(w, kinds) for w in self._running)

    def stop_all(self, timeout_ms: int = 30000) -> bool:
        """Ask every worker to stop and wait for their threads; True when all have ended."""
        for worker in self._running:
            worker.cancel.set()
        ended = True
        for worker, thread in list(self._running.items()):
            ended = thread.wait(timeout_ms) and ended
            if thread.isFinished():
                self._running.pop(worker, None)
        return ended
