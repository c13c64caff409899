"""What every background job of a view shares: its widgets (TaskControls, TaskUi), its
handle (Task: waiting for MNIST, running, ended; cancel) and how it ends or fails.

`WorkerPool.run_task` (kviz.ui.workers) drives these; views make their controls here.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, Protocol

from PySide6.QtWidgets import QAbstractButton, QLabel, QProgressBar, QPushButton, QWidget

if TYPE_CHECKING:
    from kviz.ui.workers import Worker
    from trainer.data import MnistData


ErrorStyle = Literal["dialog", "status"]
# What a task's progress handler returns for the bar and status line: (done, total, text).
Progress = tuple[int, int, str]


class DataSource(Protocol):
    """Where a task waits for MNIST (the app's AppState)."""

    def with_data(
        self, ready: Callable[[MnistData], None], failed: Callable[[str], None]
    ) -> bool: ...


@dataclass
class TaskUi:
    """The widgets one kind of task drives, and how its errors are shown (chosen once).

    `start` is disabled and `cancel` enabled while the task waits or runs; `errors` is
    "dialog" (a dialog over `owner`, and the status line) or "status" (the status line only).
    `title` names the work in messages: "Training" gives "Training failed: ...".
    """

    owner: QWidget
    title: str
    status: QLabel
    start: QAbstractButton | None = None
    cancel: QAbstractButton | None = None
    progress: QProgressBar | None = None
    errors: ErrorStyle = "dialog"


@dataclass
class TaskControls:
    """The Start and Cancel buttons, progress bar and status line of a long task (Train,
    Compare's sweep), made and wired in one place; the view lays them out."""

    start: QPushButton
    cancel: QPushButton
    progress: QProgressBar
    status: QLabel

    @classmethod
    def make(
        cls, start_text: str, on_start: Callable[[], None], on_cancel: Callable[[], None]
    ) -> TaskControls:
        start = QPushButton(start_text)
        start.clicked.connect(on_start)
        cancel = QPushButton("&Cancel")
        cancel.setEnabled(False)
        cancel.clicked.connect(on_cancel)
        status = QLabel()
        status.setWordWrap(True)
        return cls(start, cancel, QProgressBar(), status)

    def ui(self, owner: QWidget, title: str) -> TaskUi:
        """The TaskUi over these controls (errors shown in a dialog)."""
        return TaskUi(
            owner, title, self.status, start=self.start, cancel=self.cancel, progress=self.progress
        )


class Task:
    """One `run_task` call: waiting for data, then its worker running, then ended."""

    def __init__(self, ui: TaskUi) -> None:
        self.ui = ui
        self.worker: Worker[Any, Any] | None = None
        self.ended = False

    def running_worker(self) -> Worker[Any, Any] | None:
        """The worker while it runs (None while waiting for MNIST, or once the task ended)."""
        return None if self.ended else self.worker

    def cancel(self) -> None:
        """Stop waiting for data, or ask the worker to stop (its outcome still arrives)."""
        if self.ended:
            return
        if self.ui.cancel is not None:
            self.ui.cancel.setEnabled(False)
        if self.worker is None:
            self.end("Cancelled.")
        else:
            self.worker.cancel.set()
            self.ui.status.setText("Cancelling…")

    def end(self, text: str | None) -> None:
        """Restore the buttons and say `text` (None keeps the status as it is)."""
        self.ended = True
        if self.ui.start is not None:
            self.ui.start.setEnabled(True)
        if self.ui.cancel is not None:
            self.ui.cancel.setEnabled(False)
        if text is not None:
            self.ui.status.setText(text)

    def fail(self, message: str) -> None:
        self.end(f"{self.ui.title} failed: {message}")
        if self.ui.errors == "dialog":
            from kviz.ui.app import error_dialog

            error_dialog(self.ui.owner, f"{self.ui.title} failed", message)
