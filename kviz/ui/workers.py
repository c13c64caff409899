"""Background work on QThreads that talks to the main thread only in plain data.

A worker's `work()` runs on its own QThread and reports plain data (progress events, items
such as each finished run of a sweep, the result, or an error message). The worker thread
never calls into Qt: it puts each report on a queue, and the pool's timer on the main thread
drains the queues and emits the worker's `progress`, `item`, `finished` and `failed` signals
there. (PySide6 6.12 can corrupt reference counts when Python code emits signals from a
second thread at a high rate, so no signal is emitted off the main thread.) Widgets and
matplotlib are touched only by slots on the main thread. Cancel is cooperative: each worker
owns a `threading.Event` that the trainer checks between batches.

Views start their work with `WorkerPool.run_task` (in the spirit of Anki's QueryOp and
Orange's ConcurrentWidgetMixin), which owns what every background job shares: waiting for
MNIST, the start/cancel buttons, progress bar and status text, and how errors are shown.
"""

from __future__ import annotations

import queue
import threading
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from PySide6.QtCore import QObject, QThread, QTimer, Signal

from kviz.ui.tasks import DataSource, Progress, Task, TaskUi

if TYPE_CHECKING:
    from trainer.data import MnistData

# Batch events are passed on at most this often; epoch events always are.
PROGRESS_INTERVAL_S = 0.1
# How often the main thread collects the workers' reports.
DELIVERY_INTERVAL_MS = 25


P = TypeVar("P")  # what a worker's progress reports carry
R = TypeVar("R")  # what its work returns
W = TypeVar("W", bound="Worker[Any, Any]")


class Worker(QObject, Generic[P, R]):
    """Base worker: subclasses implement `work()` (run off the main thread) and return its result.

    The object itself lives on the main thread and its signals are emitted there: `progress`
    carries P, `finished` R, `item` whatever the worker posts as part of its result.
    """

    trains = False  # a training run: closing the window asks before stopping it
    progress = Signal(object)
    item = Signal(object)  # one piece of the result, delivered as soon as it is ready
    finished = Signal(object)
    failed = Signal(str)

    def __init__(self) -> None:
        super().__init__()
        self.cancel = threading.Event()
        # Lines for the final status (written on the worker thread, read once it has ended).
        self.warnings: list[str] = []
        self._inbox: queue.SimpleQueue[tuple[str, object]] = queue.SimpleQueue()
        self._last_post = 0.0

    def work(self) -> R:  # pragma: no cover - always overridden
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

    def post_progress(self, event: P, force: bool = False) -> None:
        """Queue a progress report, dropping batch events that come faster than ~10 a second.

        The trainer may call its listener hundreds of times a second; this keeps the
        listener cheap and the main thread's share of the work small.
        """
        now = time.monotonic()
        if force or now - self._last_post >= PROGRESS_INTERVAL_S:
            self._last_post = now
            self._inbox.put(("progress", event))

    def post_item(self, item: object) -> None:
        """Queue one piece of the result (never dropped, unlike progress)."""
        self._inbox.put(("item", item))

    def deliver(self) -> tuple[str, object] | None:
        """Main thread: emit the queued progress and items; the outcome, once there is one,
        is returned (not emitted) so the pool can forget the worker before its listeners run."""
        while True:
            try:
                kind, payload = self._inbox.get_nowait()
            except queue.Empty:
                return None
            if kind == "progress":
                self.progress.emit(payload)
            elif kind == "item":
                self.item.emit(payload)
            else:
                return kind, payload

    def deliver_items(self) -> None:
        """Main thread, once the worker has ended: emit its queued items, drop the rest."""
        while True:
            try:
                kind, payload = self._inbox.get_nowait()
            except queue.Empty:
                return
            if kind == "item":
                self.item.emit(payload)

    def emit_outcome(self, outcome: tuple[str, object]) -> None:
        kind, payload = outcome
        (self.finished if kind == "finished" else self.failed).emit(payload)


class WorkerThread(QThread):
    """The QThread that runs one worker's `work()`."""

    def __init__(self, worker: Worker[Any, Any]) -> None:
        super().__init__()
        self.worker = worker

    def run(self) -> None:
        self.worker.run_in_thread()


class DataWorker(Worker[tuple[str, int, int], "MnistData"]):
    """Loads MNIST once per session; progress carries (file name, bytes done, bytes total)."""

    def __init__(self, mnist_dir: str | Path | None) -> None:
        super().__init__()
        self.mnist_dir = mnist_dir

    def _progress(self, name: str, done: int, total: int) -> None:
        self.post_progress((name, done, total), force=done >= total)

    def work(self) -> MnistData:
        from trainer.data import load_mnist

        return load_mnist(self.mnist_dir, progress=self._progress)


class WarmupWorker(Worker[str, None]):
    """Imports the heavy libraries after the window is up: the records core (SQLAlchemy,
    Alembic), matplotlib, then Keras, so neither the window nor the first chart or training
    run waits for them. Progress names each stage as it completes."""

    def work(self) -> None:
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


class CallWorker(Worker[None, R]):
    """Runs one short function off the main thread (model inspection, predictions)."""

    def __init__(self, fn: Callable[[], R]) -> None:
        super().__init__()
        self.fn = fn

    def work(self) -> R:
        return self.fn()


class WorkerPool(QObject):
    """Runs workers on their threads, delivers their reports, and can stop and join them all."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._running: dict[Worker[Any, Any], WorkerThread] = {}
        self._timer = QTimer(self)
        self._timer.setInterval(DELIVERY_INTERVAL_MS)
        self._timer.timeout.connect(self._deliver)

    def start(self, worker: W) -> W:
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

    def run_task(
        self,
        ui: TaskUi,
        make_worker: Callable[[MnistData | None], Worker[P, R]],
        *,
        data: DataSource | None = None,
        on_progress: Callable[[P], Progress | None] | None = None,
        on_item: Callable[[Any], None] | None = None,  # takes what the worker posts
        on_done: Callable[[R], str | None] | None = None,
    ) -> Task:
        """Run one background job the way every view does.

        With `data`, the job waits for MNIST first ("Loading MNIST first…"; a failed load
        ends it with the reason). `make_worker(data)` builds the worker (an exception there,
        such as an invalid setting, is reported and nothing runs). `on_progress(event)` may
        return (done, total, text) for the bar and status line; `on_item` gets each item as
        it arrives; `on_done(result)` returns the final status text. Errors are shown as
        `ui.errors` says. The returned Task cancels.
        """
        task = Task(ui)
        if ui.start is not None:
            ui.start.setEnabled(False)
        if ui.cancel is not None:
            ui.cancel.setEnabled(True)
        if ui.progress is not None:
            ui.progress.setValue(0)

        def progress(event: P) -> None:
            shown = on_progress(event) if on_progress is not None else None
            if shown is not None:
                done, total, text = shown
                if ui.progress is not None:
                    ui.progress.setMaximum(max(total, 1))
                    ui.progress.setValue(min(done, total))
                ui.status.setText(text)

        def finished(result: R) -> None:
            cancelled = task.worker is not None and task.worker.cancel.is_set()
            if ui.progress is not None and not cancelled:
                ui.progress.setValue(ui.progress.maximum())
            text = on_done(result) if on_done is not None else None
            warnings = task.worker.warnings if task.worker is not None else []
            task.end(" ".join([text or "", *warnings]).strip() if warnings else text)

        def launch(loaded: MnistData | None) -> None:
            if task.ended:  # cancelled while MNIST was loading
                return
            try:
                worker = make_worker(loaded)
            except Exception as exc:  # e.g. a ConfigError naming the setting: say it, run nothing
                task.fail(str(exc) or type(exc).__name__)
                return
            task.worker = worker
            worker.progress.connect(progress)
            if on_item is not None:
                worker.item.connect(on_item)
            worker.finished.connect(finished)
            worker.failed.connect(task.fail)
            self.start(worker)

        def data_failed(message: str) -> None:
            if not task.ended:
                task.end(f"{ui.title} needs MNIST, which could not be loaded: {message}")

        if data is None:
            launch(None)
        elif not data.with_data(launch, data_failed) and not task.ended:
            ui.status.setText("Loading MNIST first…")
        return task

    def busy(self, kinds: tuple[type, ...] | None = None) -> bool:
        """Whether a worker of one of `kinds` (default: any that `trains`) is still running."""
        if kinds is None:
            return any(w.trains for w in self._running)
        return any(isinstance(w, kinds) for w in self._running)

    def stop_all(self, timeout_ms: int = 30000) -> bool:
        """Ask every worker to stop and wait for their threads; True when all have ended.

        Items still queued are delivered (a sweep's finished runs get saved); progress and
        outcomes are dropped: the app is closing.
        """
        for worker in self._running:
            worker.cancel.set()
        ended = True
        for worker, thread in list(self._running.items()):
            ended = thread.wait(timeout_ms) and ended
            if thread.isFinished():
                self._running.pop(worker, None)
                worker.deliver_items()
        if not self._running:
            self._timer.stop()
        return ended
