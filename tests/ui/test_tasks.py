"""WorkerPool.run_task, the one way views run background work: waiting for MNIST (and a
failed load ending the wait), buttons, progress, errors shown once, cancel, and items
delivered even when the app closes. Then the bugs it removed, each in its view."""

from __future__ import annotations

import threading

import numpy as np
import pytest
from PySide6.QtWidgets import QLabel, QMessageBox, QProgressBar, QPushButton, QWidget

from kviz.ui.tasks import TaskUi
from kviz.ui.workers import CallWorker, Worker

pytestmark = pytest.mark.gui


def tiny_data(n_test: int = 20):
    from trainer.data import MnistData

    rng = np.random.default_rng(0)
    return MnistData(
        rng.integers(0, 255, (40, 28, 28), dtype=np.uint8),
        rng.integers(0, 10, 40, dtype=np.uint8),
        rng.integers(0, 255, (n_test, 28, 28), dtype=np.uint8),
        rng.integers(0, 10, n_test, dtype=np.uint8),
        "test data",
        "folder",
    )


@pytest.fixture
def ui(qtbot):
    owner = QWidget()
    qtbot.addWidget(owner)
    return TaskUi(
        owner,
        "The job",
        QLabel(owner),
        start=QPushButton(owner),
        cancel=QPushButton(owner),
        progress=QProgressBar(owner),
    )


@pytest.fixture
def dialogs(monkeypatch):
    shown: list[tuple] = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *a, **k: shown.append(a))
    return shown


def _wait_ended(qtbot, task):
    qtbot.waitUntil(lambda: task.ended, timeout=10_000)


def boom():
    raise ValueError("the numbers do not add up")


@pytest.mark.parametrize("errors", ["dialog", "status"])
def test_a_failing_worker_is_reported_once_as_chosen(qtbot, state, ui, dialogs, errors):
    ui.errors = errors
    task = state.workers.run_task(ui, lambda _d: CallWorker(boom))
    assert not ui.start.isEnabled() and ui.cancel.isEnabled()
    _wait_ended(qtbot, task)
    assert ui.status.text() == "The job failed: the numbers do not add up"
    assert len(dialogs) == (1 if errors == "dialog" else 0)
    if dialogs:
        assert dialogs[0][1:] == ("The job failed", "the numbers do not add up")
    assert ui.start.isEnabled() and not ui.cancel.isEnabled()


def test_an_error_building_the_worker_runs_nothing(qtbot, state, ui, dialogs):
    task = state.workers.run_task(ui, lambda _d: boom())
    assert task.ended and task.worker is None and not state.workers.busy((Worker,))
    assert ui.status.text() == "The job failed: the numbers do not add up"
    assert len(dialogs) == 1 and ui.start.isEnabled()


def test_progress_and_result_reach_the_bar_and_status(qtbot, state, ui):
    class Counting(Worker):
        def work(self) -> int:
            for i in range(1, 4):
                self.post_progress(i, force=True)
            return 3

    seen: list[int] = []

    def progress(i: int):
        seen.append(i)
        return i, 3, f"step {i} of 3"

    task = state.workers.run_task(
        ui, lambda _d: Counting(), on_progress=progress, on_done=lambda n: f"done: {n}"
    )
    _wait_ended(qtbot, task)
    assert seen == [1, 2, 3]
    assert ui.progress.value() == ui.progress.maximum() == 3
    assert ui.status.text() == "done: 3"


def test_a_failed_mnist_load_ends_the_wait_with_the_reason(qtbot, state, ui, monkeypatch):
    import trainer.data
    from trainer.errors import DataError

    def fail(*_a, **_k):
        raise DataError("no MNIST anywhere")

    monkeypatch.setattr(trainer.data, "load_mnist", fail)
    made: list[object] = []
    task = state.workers.run_task(ui, made.append, data=state)
    assert ui.status.text() == "Loading MNIST first…"
    _wait_ended(qtbot, task)
    assert made == []
    assert "could not be loaded: no MNIST anywhere" in ui.status.text()
    assert ui.start.isEnabled() and not ui.cancel.isEnabled()


def test_cancel_while_waiting_for_mnist_starts_nothing(qtbot, state, ui, monkeypatch):
    import trainer.data

    monkeypatch.setattr(trainer.data, "load_mnist", lambda *_a, **_k: tiny_data())
    made: list[object] = []
    task = state.workers.run_task(ui, made.append, data=state)
    task.cancel()
    assert task.ended and ui.status.text() == "Cancelled." and ui.start.isEnabled()
    qtbot.waitUntil(lambda: state.data is not None, timeout=10_000)
    assert made == []


def test_stopping_the_pool_delivers_the_items_already_made(qtbot, state):
    """Closing the window mid-sweep: runs that finished are saved, not dropped."""
    first_posted = threading.Event()

    class TwoParts(Worker):
        def work(self) -> None:
            self.post_item("first run")
            first_posted.set()
            self.cancel.wait(10)  # the second "run", still going when the app closes
            if not self.cancel.is_set():
                self.post_item("second run")

    worker = TwoParts()
    got: list[str] = []
    worker.item.connect(got.append)
    state.workers.start(worker)
    assert first_posted.wait(10)
    assert state.workers.stop_all(timeout_ms=10_000)
    assert got == ["first run"]


# -- the views ---------------------------------------------------------------------------


def test_build_refuses_an_invalid_combination_instead_of_training_an_older_one(
    qtbot, state, dialogs, monkeypatch
):
    from dataclasses import replace

    from kviz.ui.lab_view import LabView

    state.data = tiny_data()
    lab = LabView(state)
    qtbot.addWidget(lab)
    build = lab.build_step
    valid = build.config
    monkeypatch.setattr(build, "read_config", lambda: replace(valid, kernel=9, pool=21))
    lab.train_step.start()
    assert lab.train_step.worker is None and not state.workers.busy()
    assert len(dialogs) == 1 and "pool: 21" in dialogs[0][2]
    assert "Training failed: pool: 21" in lab.train_step.status.text()
    assert lab.train_step.start_button.isEnabled()


def test_compare_ends_loading_when_mnist_cannot_load(qtbot, state, monkeypatch):
    import trainer.data
    from kviz.ui.compare_view import CompareView
    from trainer.errors import DataError

    def fail(*_a, **_k):
        raise DataError("no MNIST anywhere")

    monkeypatch.setattr(trainer.data, "load_mnist", fail)
    view = CompareView(state)
    qtbot.addWidget(view)
    view.param.setCurrentText("filters")
    view.values.setText("4, 8")
    view.start_sweep()
    assert view.status.text() == "Loading MNIST first…"
    qtbot.waitUntil(lambda: view.sweep_button.isEnabled(), timeout=10_000)
    assert "no MNIST anywhere" in view.status.text()
    assert not view.cancel_button.isEnabled()


def test_only_training_workers_make_the_window_ask_before_closing(qtbot, state):
    from kviz.ui.lab_workers import SweepWorker, TrainWorker
    from kviz.ui.versus_view import VersusWorker

    assert TrainWorker.trains and SweepWorker.trains and VersusWorker.trains

    class Waiting(Worker):
        def work(self) -> None:
            self.cancel.wait(10)

    class Training(Waiting):
        trains = True

    quiet = state.workers.start(Waiting())
    assert not state.workers.busy()
    state.workers.start(Training())
    assert state.workers.busy()
    assert state.workers.stop_all(timeout_ms=10_000)
    assert not state.workers.busy() and quiet.cancel.is_set()
