"""Predict and Draw open any saved run: after a restart its model is read back from its file;
the digit box stops at the test set's last digit; the confusion matrix opens on the commonest
mistake; clicking a digit shows it large with its ten probabilities; the wheel over a chart
scrolls the page. A tiny real run on the offline sample (1,000 test digits) keeps them quick."""

from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent

pytestmark = pytest.mark.gui


@pytest.fixture(scope="module")
def sample():
    from trainer.sample import load_sample

    return load_sample()


@pytest.fixture(scope="module")
def runs(sample):
    """Two tiny real runs (a different model each), with their Keras models."""
    from trainer.config import LabConfig
    from trainer.training import train

    return [
        train(LabConfig(epochs=1, train_limit=400, batch_size=64, filters=f), sample)
        for f in (4, 6)
    ]


def save(state, result):
    """What the app does when a run ends: the model file, then the record (same uid)."""
    from kviz.store.lab_runs import save_lab_run
    from kviz.store.run_models import save_model

    save_model(result.model, state.models_folder, result.uid)
    save_lab_run(state.db, state.learner_id, result.to_dict())


def open_predict(qtbot, state, sample, size=(1000, 800)):
    from kviz.ui.lab_steps.predict_step import PredictStep

    state.data = sample
    step = PredictStep(state)
    qtbot.addWidget(step)
    step.resize(*size)
    step.show()
    step.activated()
    return step


def wait_shown(qtbot, step, uid):
    qtbot.waitUntil(lambda: step.shown_uid == uid, timeout=60_000)
    qtbot.waitUntil(lambda: step.shown_maps is not None, timeout=60_000)


def test_a_saved_run_reopens_in_predict_and_draw_after_a_restart(
    qtbot, state, db_path, sample, runs
):
    from kviz.store.records import get_or_create_learner
    from kviz.ui.main_window import MainWindow
    from kviz.ui.state import AppState

    first = runs[0]
    save(state, first)
    state.close()  # the app quits; its database and data folder stay

    again = AppState(db_path, None)
    assert again.open_database()
    again.set_learner(get_or_create_learner(again.db, "Ana"))
    again.data = sample  # as if loaded: the offline sample it was trained on
    try:
        win = MainWindow(again)
        qtbot.addWidget(win)
        win.show()
        win.go("labs")
        labs = win.view("labs")
        assert again.result is None  # nothing trained in this session
        labs.tabs.setCurrentWidget(labs.predict_step)
        predict = labs.predict_step
        wait_shown(qtbot, predict, first.uid)
        assert predict.picker.combo.count() == 1
        assert f"{first.test_accuracy:.2%}" in predict.picker.combo.currentText()
        # The model read back from its file makes exactly the run's predictions.
        shown = [[int(predict.confusion.item(r, c).text()) for c in range(10)] for r in range(10)]
        assert shown == first.confusion
        assert again.model_of(first.uid) is not first.model
        assert predict.shown_predictions == 5

        labs.tabs.setCurrentWidget(labs.draw_step)
        draw = labs.draw_step
        assert draw.picker.current_run().uid == first.uid
        draw.pad.add_stroke([(140, 40), (140, 240)])  # a "1"
        qtbot.waitUntil(lambda: draw.last_probabilities is not None, timeout=60_000)
        assert sum(draw.last_probabilities) == pytest.approx(1, abs=1e-3)
    finally:
        again.close()


def test_digit_box_commonest_mistake_and_a_clicked_digit_shown_large(qtbot, state, sample, runs):
    result = runs[1]
    save(state, result)
    step = open_predict(qtbot, state, sample)
    wait_shown(qtbot, step, result.uid)

    # The digit index ends at the test set's last digit (999 on the offline sample).
    assert step.digit.maximum() == len(sample.test_images) - 1 == 999
    step.digit.setValue(5000)
    assert step.digit.value() == 999

    confusion = np.array(result.confusion)
    off = confusion - np.diag(np.diag(confusion))
    truth, predicted = np.unravel_index(off.argmax(), off.shape)
    assert truth != predicted and off[truth, predicted] > 0
    assert step.shown_cell == (truth, predicted)
    assert (step.confusion.currentRow(), step.confusion.currentColumn()) == (truth, predicted)
    assert step.mistakes.figure.get_suptitle().startswith(f"{truth} read as {predicted}: ")

    # Click the second digit of the grid, as a person does.
    ax, index = list(step._grid.items())[1]
    canvas = step.mistakes.canvas
    x, y = ax.bbox.bounds[0] + ax.bbox.width / 2, ax.bbox.bounds[1] + ax.bbox.height / 2
    ratio = canvas.devicePixelRatioF()
    qtbot.mouseClick(
        canvas,
        Qt.MouseButton.LeftButton,
        pos=QPoint(int(x / ratio), int(canvas.height() - y / ratio)),
    )
    assert step.shown_digit == index == step.digit.value()
    assert sample.test_labels[index] == truth  # a misclassified digit of that cell
    img_ax, bar_ax = step.detail.figure.axes
    assert img_ax.images[0].get_array().shape == (28, 28)
    assert len(bar_ax.patches) == 10  # its ten probabilities
    assert f"the model says {predicted}" in bar_ax.get_title()
    assert f"truth {truth}" in img_ax.get_title()
    assert step._mark is not None and step._mark.axes is ax  # framed in the grid


def test_the_picker_opens_an_older_run_and_draw_follows(qtbot, state, sample, runs):
    from kviz.ui.lab_steps.draw_step import DrawStep

    for result in runs:
        save(state, result)
    step = open_predict(qtbot, state, sample)
    wait_shown(qtbot, step, runs[1].uid)  # the newest first
    assert [r.uid for r in step.picker.runs] == [runs[1].uid, runs[0].uid]
    step.picker.combo.setCurrentIndex(1)
    wait_shown(qtbot, step, runs[0].uid)
    assert state.run_uid == runs[0].uid
    assert step.shown_maps[1][-1] == 4  # the older run's 4 filters
    draw = DrawStep(state)
    qtbot.addWidget(draw)
    draw.activated()
    assert draw.picker.current_run().uid == runs[0].uid


def test_without_a_saved_model_it_says_to_train_first(qtbot, state, sample, runs):
    from kviz.store.lab_runs import save_lab_run
    from kviz.ui.lab_steps.draw_step import DrawStep

    step = open_predict(qtbot, state, sample)
    assert "train a model in step 3 first" in step.note.text()
    draw = DrawStep(state)
    qtbot.addWidget(draw)
    draw.activated()
    assert "train a model in step 3" in draw.answer.text()
    # A run whose model file is gone is not offered.
    save_lab_run(state.db, state.learner_id, runs[0].to_dict())
    step.activated()
    assert step.picker.combo.count() == 0
    assert step.note.text().startswith("None of your 1 saved run(s) kept its model")
    assert step.note.text().endswith("train a model in step 3 first.")


def test_a_corrupt_model_file_is_named_not_a_traceback(qtbot, state, sample, runs):
    from kviz.store.run_models import model_path

    save(state, runs[0])
    path = model_path(state.models_folder, runs[0].uid)
    path.write_bytes(b"PK\x03\x04 broken")
    state.result = None  # a later session: the model is not in memory
    step = open_predict(qtbot, state, sample)
    qtbot.waitUntil(lambda: "failed" in step.note.text(), timeout=60_000)
    assert f"Opening the model failed: {path}: not a readable Keras model" in step.note.text()


def test_the_wheel_over_a_chart_scrolls_the_page(qtbot, state, sample, runs):
    save(state, runs[0])
    step = open_predict(qtbot, state, sample, size=(760, 520))
    wait_shown(qtbot, step, runs[0].uid)
    bar = step.verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == 0
    canvas = step.first_five.canvas
    centre = QPointF(canvas.width() / 2, canvas.height() / 2)
    wheel = QWheelEvent(
        centre,
        canvas.mapToGlobal(centre),
        QPoint(0, 0),
        QPoint(0, -120),  # one notch down
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    from PySide6.QtWidgets import QApplication

    QApplication.sendEvent(canvas, wheel)
    assert bar.value() > 0


def test_sweep_runs_keep_their_models_and_open_in_predict(qtbot, state, sample):
    from kviz.store.lab_runs import list_lab_runs
    from kviz.ui.compare_view import CompareView
    from trainer.config import LabConfig

    state.data = sample
    compare = CompareView(state, lambda: LabConfig(epochs=1, train_limit=300, batch_size=64))
    qtbot.addWidget(compare)
    compare.param.setCurrentText("filters")
    compare.values.setText("2, 3")
    compare.start_sweep()
    qtbot.waitUntil(lambda: compare.sweep_button.isEnabled(), timeout=120_000)
    assert compare.status.text() == "Sweep done: 2 run(s) saved."
    runs = list_lab_runs(state.db, state.learner_id)
    assert state.result is None  # the sweep's models exist only as files
    step = open_predict(qtbot, state, sample)
    assert [r.uid for r in step.picker.runs] == [runs[1].uid, runs[0].uid]
    wait_shown(qtbot, step, runs[1].uid)
    assert step.shown_maps[1][-1] == 3  # the second run's 3 filters, read from its file


def test_a_model_that_cannot_be_written_costs_the_model_not_the_run(qtbot, state, sample):
    from kviz.store.lab_runs import list_lab_runs
    from kviz.ui.lab_view import LabView

    state.models_folder.parent.parent.mkdir(parents=True, exist_ok=True)
    state.models_folder.parent.write_text("a file where the models folder should be")
    state.data = sample
    lab = LabView(state)
    qtbot.addWidget(lab)
    lab.build_step.epochs.setValue(1)
    lab.build_step.train_limit.setValue(300)
    with qtbot.waitSignal(lab.train_step.run_finished, timeout=120_000):
        lab.train_step.start()
    qtbot.waitUntil(lambda: lab.train_step.start_button.isEnabled(), timeout=10_000)
    status = lab.train_step.status.text()
    assert status.startswith("Done: test accuracy")
    assert f"{state.models_folder}" in status and "could not save the model" in status
    assert status.endswith("Predict and Draw cannot open this run.")
    assert len(list_lab_runs(state.db, state.learner_id)) == 1  # the run itself is kept
    lab.tabs.setCurrentWidget(lab.predict_step)
    assert "train a model in step 3 first" in lab.predict_step.note.text()
