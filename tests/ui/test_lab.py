"""The lab in the real window: a short real run is plotted, saved and predicted; cancel and
close-during-training stop the worker promptly and cleanly."""

from __future__ import annotations

import time

import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.gui

TRAIN_LIMIT = 2000


@pytest.fixture
def window(qtbot, state, mnist_dir):
    from kviz.ui.main_window import MainWindow

    win = MainWindow(state)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.go("labs")
    build = win.view("labs").build_step
    win.view("labs").tabs.setCurrentWidget(build)
    build.epochs.setValue(1)
    build.train_limit.setValue(TRAIN_LIMIT)
    win.view("labs").tabs.setCurrentWidget(win.view("labs").train_step)
    return win


def _start(qtbot, window):
    train = window.view("labs").train_step
    qtbot.mouseClick(train.start_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: train.updates > 0, timeout=120_000)
    return train


def test_short_run_is_plotted_saved_and_predicted(qtbot, window, state, learner):
    from kviz.store.lab_runs import list_lab_runs

    train = window.view("labs").train_step
    with qtbot.waitSignal(train.run_finished, timeout=180_000) as finished:
        train.start()
    result = finished.args[0]
    assert not result.cancelled and result.n_train == TRAIN_LIMIT
    assert train.updates >= 2  # batch events and the epoch event reached the view
    assert train.chart.draws >= 1
    assert len(train._series["val_accuracy"][0]) == 1
    [run] = list_lab_runs(state.db, learner.id)
    assert run.config["train_limit"] == TRAIN_LIMIT
    assert run.test_accuracy == pytest.approx(result.test_accuracy)

    # The run's model was saved with it, for Predict and Draw (now and after a restart).
    assert (state.models_folder / f"{run.uid}.keras").is_file() and run.uid == result.uid
    predict = window.view("labs").predict_step
    window.view("labs").tabs.setCurrentWidget(predict)
    qtbot.waitUntil(lambda: predict.shown_uid == result.uid, timeout=60_000)
    assert state.model_of(result.uid) is result.model  # the model in memory, not reopened
    assert predict.shown_predictions == 5
    assert predict.confusion.item(0, 0).text().isdigit()
    drawn = predict.mistakes.draws
    cell = (4, 9) if predict.shown_cell != (4, 9) else (9, 4)  # it opens on the commonest
    predict.confusion.setCurrentCell(*cell)
    assert predict.mistakes.draws > drawn
    assert predict.mistakes.figure.get_suptitle().startswith(f"{cell[0]} read as {cell[1]}: ")

    draw = window.view("labs").draw_step
    window.view("labs").tabs.setCurrentWidget(draw)
    draw.pad.add_stroke([(140, 40), (140, 240)])  # a "1"
    qtbot.waitUntil(lambda: draw.last_probabilities is not None, timeout=60_000)
    assert sum(draw.last_probabilities) == pytest.approx(1, abs=1e-3)
    qtbot.waitUntil(lambda: "Saved to your lab runs" in train.status.text())
    assert f" s on MNIST, {TRAIN_LIMIT:,} train / 10,000 test. " in train.status.text()


def test_predict_follows_the_data_when_a_folder_is_chosen(qtbot, window, state, mnist_dir):
    """A run trained on the offline sample, then the MNIST folder chosen: the predictions on
    screen (the sample's 1,000 test digits) go at once, so nothing looks up MNIST's 10,000
    with them, and come back computed on the new test set."""
    from trainer.sample import load_sample

    state.ensure_data()
    qtbot.waitUntil(lambda: not state.data_loading_now, timeout=60_000)
    state.data = load_sample()  # as if the lab had fallen back to the sample
    train = window.view("labs").train_step
    with qtbot.waitSignal(train.run_finished, timeout=180_000):
        train.start()
    predict = window.view("labs").predict_step
    window.view("labs").tabs.setCurrentWidget(predict)
    qtbot.waitUntil(lambda: predict._all_probs is not None, timeout=60_000)
    assert len(predict._all_probs) == 1000
    state.choose_mnist_dir(mnist_dir)
    assert predict._all_probs is None and predict.shown_uid is None
    predict.confusion.setCurrentCell(4, 9)  # nothing to look up, and no error
    qtbot.waitUntil(lambda: predict._all_probs is not None, timeout=120_000)
    assert len(predict._all_probs) == 10000 and predict.digit.maximum() == 9999


def test_cancel_stops_training_within_two_seconds(qtbot, window, state, learner, seconds):
    from kviz.store.lab_runs import list_lab_runs

    window.view("labs").build_step.train_limit.setValue(0)  # all 60,000: far longer than the test
    train = _start(qtbot, window)
    events: list[float] = []
    train.worker.progress.connect(lambda _e: events.append(time.monotonic()))
    with qtbot.waitSignal(train.worker.finished, timeout=10_000) as done:
        asked = time.monotonic()
        qtbot.mouseClick(train.cancel_button, Qt.MouseButton.LeftButton)
    # Training stops at once: no batch is reported 2 s after the click. The cancelled result
    # comes back promptly too (about 1 s here; up to a few s when the 2 cores are busy).
    assert all(t - asked < seconds(2.0) for t in events)
    assert time.monotonic() - asked < seconds(5.0)
    assert done.args[0].cancelled
    assert "Cancelled" in train.status.text()
    assert list_lab_runs(state.db, learner.id) == []
    qtbot.waitUntil(lambda: not state.workers.busy(), timeout=5_000)
    assert train.start_button.isEnabled()


def test_close_during_training_stops_and_joins_the_worker(
    qtbot, window, state, monkeypatch, seconds
):
    from PySide6.QtWidgets import QMessageBox

    asked = []

    def yes(*args, **kwargs):
        asked.append(args)
        return QMessageBox.StandardButton.Yes

    monkeypatch.setattr(QMessageBox, "question", yes)
    window.view("labs").build_step.train_limit.setValue(0)
    train = _start(qtbot, window)
    worker = train.worker
    started = time.monotonic()
    assert window.close()
    assert asked, "closing during training must ask first"
    assert time.monotonic() - started < seconds(5.0)
    assert not window.isVisible()
    assert not state.workers.busy()
    assert worker.cancel.is_set()


def test_close_during_training_can_be_refused(qtbot, window, state, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    window.view("labs").build_step.train_limit.setValue(0)
    train = _start(qtbot, window)
    assert not window.close()
    assert window.isVisible() and state.workers.busy()
    train.cancel()
    qtbot.waitUntil(lambda: not state.workers.busy(), timeout=5_000)
