"""Background work on QThreads that talks to the main thread only in plain data.

A worker's `work()` runs on its own QThread and reports plain data (progress events, the
result, or an error message). The worker thread never calls into Qt: it puts each report on
a queue, and the pool's timer on the main thread drains the queues and emits the worker's
`progress`, `finished` and `failed` signals there. (PySide6 6.12 can corrupt reference counts
when Python code emits signals from a second thread at a high rate, so no signal is emitted
off the main thread.) Widgets and matplotlib are touched only by slots on the main thread.
Cancel is cooperative: each worker owns a `threading.Event` that the trainer checks between
batches.
"""

from __future__ import annotations

import queue
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QObject, QThread, QTimer, Signal

# Batch events are passed on at most this often; epoch events always are.
PROGRESS_INTERVAL_S = 0.1
# How often the main thread collects the workers' reports.
DELIVERY_INTERVAL_MS = 25


class Worker(QObject):
    """Base worker: subclasses implement `work()` (run off the main thread) and return its result.

    The object itself lives on the main thread and its signals are emitted there.
    """

    progress = Signal(object)
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.cancel = threading.Event()
        self._inbox: queue.SimpleQueue[tuple[str, Any]] = queue.SimpleQueue()
        self._last_post = 0.0

    def work(self) -> Any:  # pragma: no cover - always overridden
        raise NotImplementedError

    def describe_error(self, exc: Exception) -> str:
        """The message shown to people; the trainer's and core's errors are already readable."""
        return str(exc) or type(exc).__name__

    def run_in_thread(self) -> None:
        """The worker thread's body: do the work and queue its outcome."""
        try:
            result = self.work()
        except Exception as exc:  # shown in a dialog, never as a traceback
            traceback.print_exc()
            self._inbox.put(("failed", self.describe_error(exc)))
        else:
            self._inbox.put(("finished", result))

    def post_progress(self, event: Any, force: bool = False) -> None:
        """Queue a progress report, dropping batch events that come faster than ~10 a second.

        The trainer may call its listener hundreds of times a second; this keeps the
        listener cheap and the main thread's share of the work small.
        """
        now = time.monotonic()
        if force or now - self._last_post >= PROGRESS_INTERVAL_S:
            self._last_post = now
            self._inbox.put(("progress", event))

    def deliver(self) -> tuple[str, Any] | None:
        """Main thread: emit the queued progress; the outcome, once there is one, is returned
        (not emitted) so the pool can forget the worker before its listeners run."""
        while True:
            try:
                kind, payload = self._inbox.get_nowait()
            except queue.Empty:
                return None
            if kind != "progress":
                return kind, payload
            self.progress.emit(payload)

    def emit_outcome(self, outcome: tuple[str, Any]) -> None:
        kind, payload = outcome
        (self.finished if kind == "finished" else self.failed).emit(payload)


class WorkerThread(QThread):
    """The QThread that runs one worker's `work()`."""

    def __init__(self, worker: Worker) -> None:
        super().__init__()
        self.worker = worker

    def run(self) -> None:
        self.worker.run_in_thread()


class TrainWorker(Worker):
    """Trains one lab configuration; `finished` carries the trainer's RunResult."""

    def __init__(self, config: Any, data: Any) -> None:
        super().__init__()
        self.config = config
        self.data = data

    def _listener(self, event: Any) -> None:
        self.post_progress(event, force=event.kind == "epoch")

    def work(self) -> Any:
        from trainer.training import train

        return train(self.config, self.data, listener=self._listener, cancel=self.cancel)


class SweepWorker(Worker):
    """Runs the trainer's sweep once per seed; progress carries (run index, ProgressEvent)
    pairs, runs counted across the seeds; `finished` carries every RunResult."""

    def __init__(
        self, base: Any, param: str, values: list[Any], data: Any, seeds: list[int] | None = None
    ) -> None:
        super().__init__()
        self.base = base
        self.param = param
        self.values = values
        self.data = data
        self.seeds = seeds or [base.seed]
        self._offset = 0

    def _listener(self, index: int, event: Any) -> None:
        self.post_progress((self._offset + index, event), force=event.kind == "epoch")

    def work(self) -> Any:
        from dataclasses import replace

        from trainer.sweep import sweep

        results: list[Any] = []
        for n, seed in enumerate(self.seeds):
            self._offset = n * len(self.values)
            results += sweep(
                replace(self.base, seed=seed),
                self.param,
                self.values,
                self.data,
                listener=self._listener,
                cancel=self.cancel,
            )
            if self.cancel.is_set():
                break
        return results


class SeedsWorker(Worker):
    """Trains one config once per seed; progress carries (seed index, ProgressEvent) pairs and
    `finished` the trainer's SeedRuns."""

    def __init__(self, config: Any, seeds: list[int], data: Any) -> None:
        super().__init__()
        self.config = config
        self.seeds = seeds
        self.data = data

    def _listener(self, index: int, event: Any) -> None:
        self.post_progress((index, event), force=event.kind == "epoch")

    def work(self) -> Any:
        from trainer.seeds import train_seeds

        return train_seeds(
            self.config, self.seeds, self.data, listener=self._listener, cancel=self.cancel
        )


class DataWorker(Worker):
    """Loads MNIST once per session; progress carries (file name, bytes done, bytes total)."""

    def __init__(self, mnist_dir: str | Path | None) -> None:
        super().__init__()
        self.mnist_dir = mnist_dir

    def _progress(self, name: str, done: int, total: int) -> None:
        self.post_progress((name, done, total), force=done >= total)

    def work(self) -> Any:
        from trainer.data import load_mnist

        return load_mnist(self.mnist_dir, progress=self._progress)


class WarmupWorker(Worker):
    """Imports the heavy libraries after the window is up: the records core (SQLAlchemy,
    Alembic), matplotlib, then Keras, so neither the window nor the first chart or training
    run waits for them. Progress names each stage as it completes."""

    def work(self) -> Any:
        import numpy as np

        import kviz.bank.loader  # noqa: F401
        import kviz.quiz.engine  # noqa: F401
        import kviz.store.database  # noqa: F401
        import kviz.store.records  # noqa: F401

        self.post_progress("core", force=True)
        if self.cancel.is_set():
            return None
        import matplotlib

        matplotlib.use("QtAgg")
        import matplotlib.backends.backend_qtagg  # noqa: F401
        import matplotlib.figure  # noqa: F401

        self.post_progress("matplotlib", force=True)
        if self.cancel.is_set():
            return None
        import keras  # noqa: F401  (TensorFlow with it: seconds of import)

        import trainer.callback  # noqa: F401
        import trainer.inspect  # noqa: F401
        import trainer.model  # noqa: F401
        import trainer.training  # noqa: F401
        from trainer.config import LabConfig
        from trainer.model import build_model

        # One forward pass initialises TensorFlow's runtime, which otherwise holds the GIL
        # for a few hundred milliseconds at the start of the first training run.
        model = build_model(LabConfig())
        model(np.zeros((1, 28, 28, 1), dtype="float32"))
        self.post_progress("keras", force=True)
        return None


class CallWorker(Worker):
    """Runs one short function off the main thread (model inspection, predictions)."""

    def __init__(self, fn: Callable[[], Any]) -> None:
        super().__init__()
        self.fn = fn

    def work(self) -> Any:
        return self.fn()


class WorkerPool(QObject):
    """Runs workers on their threads, delivers their reports, and can stop and join them all."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running: dict[Worker, WorkerThread] = {}
        self._timer = QTimer(self)
        self._timer.setInterval(DELIVERY_INTERVAL_MS)
        self._timer.timeout.connect(self._deliver)

    def start(self, worker: Worker) -> Worker:
        """Start `worker` on a new QThread; it is forgotten once its outcome is delivered."""
        thread = WorkerThread(worker)
        self._running[worker] = thread
        thread.start()
        self._timer.start()
        return worker

    def _deliver(self) -> None:
        for worker, thread in list(self._running.items()):
            outcome = worker.deliver()
            if outcome is not None:
                thread.wait()
                self._running.pop(worker, None)
                worker.emit_outcome(outcome)
        if not self._running:
            self._timer.stop()

    def busy(self, kinds: tuple[type, ...] = (TrainWorker, SweepWorker, SeedsWorker)) -> bool:
        """Whether a worker of one of `kinds` is still running."""
        return any(isinstance(w, kinds) for w in self._running)

    def stop_all(self, timeout_ms: int = 30000) -> bool:
        """Ask every worker to stop and wait for their threads; True when all have ended.

        Reports still queued are dropped: the app is closing.
        """
        for worker in self._running:
            worker.cancel.set()
        ended = True
        for worker, thread in list(self._running.items()):
            ended = thread.wait(timeout_ms) and ended
            if thread.isFinished():
                self._running.pop(worker, None)
        if not self._running:
            self._timer.stop()
        return ended
