"""The Experiments screen end to end on real MNIST (quick plans): predict, run, explain, the
questions on the learner's own runs, the records, Home, and Cancel keeping finished runs."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, state, learner, mnist_dir):
    from kviz.ui.main_window import MainWindow

    window = MainWindow(state)
    qtbot.addWidget(window)
    window.show()
    return window


def _open(window, exp_id):
    from trainer.experiments import EXPERIMENTS

    window.go("experiments")
    view = window.view("experiments")
    view.list.setCurrentRow([e.id for e in EXPERIMENTS].index(exp_id))
    view.quick.setChecked(True)
    return view


def _answer(widget, item, right: bool = True):
    """Enter the key (or a wrong option) the way a person would: click an option or type."""
    from kviz.ui.question_widgets import NumberWidget

    if isinstance(widget, NumberWidget):
        widget.field.setText(item.key.expected.split()[0].replace(",", ""))
        return
    if item.type == "truefalse":
        widget.choose(0 if item.key.flag == right else 1)  # True is the first option
        return
    right_index = min(item.key.correct)
    widget.choose(right_index if right else (right_index + 1) % len(item.choices))


def test_predict_run_explain_in_the_app(qtbot, window, state, learner):
    from sqlalchemy import select

    from kviz.store.experiments import done_experiments
    from kviz.store.models import AttemptRow
    from kviz.ui.experiments_view import OWN, PREDICT, RESULT

    view = _open(window, "seeds")
    assert view.pages.currentIndex() == PREDICT
    assert view.runs_text.text().startswith("4 runs on MNIST: seed 1; seed 2;")
    _answer(view.answer_input, view.item)
    qtbot.mouseClick(view.run_button, qtbot_button())
    with state.db.session() as s:  # recorded before any result
        assert s.scalars(select(AttemptRow.question_id)).all() == ["exp-seeds"]
    qtbot.waitUntil(lambda: view.pages.currentIndex() == RESULT, timeout=300_000)
    assert len(view.saved_run_ids) == 2
    from kviz.store.experiments import experiment_runs
    from kviz.store.run_models import model_path

    for run in experiment_runs(state.db, learner.id):  # Predict and Draw can open them
        assert model_path(state.models_folder, run.uid).is_file()
    assert view.result.verdict.text().startswith("Your prediction:")
    assert (
        "seed 1" in view.result.table.text() and "test images per run" in view.result.table.text()
    )
    assert "Mean" in view.result.explanation.text()  # the explanation quotes the runs
    assert "Reference, measured on" in view.result.reference.text()
    assert "quick version" in view.result.reference.text()
    assert "seeds" in done_experiments(state.db, learner.id)
    assert "✓ done" in view.list.currentItem().text()

    view.result.own_button.click()
    assert view.pages.currentIndex() == OWN
    for item in view.own_items:
        _answer(view.own_page.answer, item)
        view.own_page.button.click()  # submit
        assert view.own_page.verdict.text().endswith("Right")
        view.own_page.button.click()  # next, or back to the result
    assert view.pages.currentIndex() == RESULT
    with state.db.session() as s:
        ids = s.scalars(select(AttemptRow.question_id)).all()
    assert ids[0] == "exp-seeds" and all(i.startswith("own-seeds") for i in ids[1:])
    assert len(ids) == 1 + len(view.own_items)

    window.go("home")
    home = window.view("home")
    assert "Experiments done: 1 of 6 (Same settings, different seeds)" in (
        home.experiments_done.text()
    )


def qtbot_button():
    from PySide6.QtCore import Qt

    return Qt.MouseButton.LeftButton


def test_enter_on_the_predict_page_commits_the_prediction(qtbot, window, state):
    from PySide6.QtCore import Qt

    from kviz.ui.experiments_view import PREDICT

    view = _open(window, "kernel_size")
    view.answer_input.focus_first()
    qtbot.keyClick(view.answer_input, Qt.Key.Key_Return)
    assert view.hint.text() == "⚠ pick an option first"  # Enter reached predict_and_run
    assert view.pages.currentIndex() == PREDICT


def test_running_with_no_option_picked_asks_for_one(window, state):
    from sqlalchemy import select

    from kviz.store.models import AttemptRow
    from kviz.ui.experiments_view import PREDICT

    view = _open(window, "kernel_size")
    view.run_button.click()
    assert view.hint.text() == "⚠ pick an option first"
    assert view.pages.currentIndex() == PREDICT
    with state.db.session() as s:
        assert s.scalars(select(AttemptRow)).all() == []


def test_cancel_keeps_the_finished_runs(qtbot, window, state, learner):
    from kviz.store.experiments import done_experiments, experiment_runs
    from kviz.ui.experiments_view import RESULT

    view = _open(window, "filters")
    _answer(view.answer_input, view.item, right=False)
    view.run_button.click()
    qtbot.waitUntil(lambda: len(view.saved_run_ids) == 1, timeout=300_000)
    view.cancel()
    qtbot.waitUntil(lambda: view.pages.currentIndex() == RESULT, timeout=120_000)
    assert "Cancelled after 1 of 2 runs" in view.result.title.text()
    assert "Cancelled: 1 of 2 runs finished and were kept." in view.status.text()
    runs = experiment_runs(state.db, learner.id)
    assert [r.metrics["label"] for r in runs] == ["filters 2"]
    assert "filters" not in done_experiments(state.db, learner.id)
    assert view.list.isEnabled()


def test_closing_the_window_mid_experiment_keeps_the_finished_runs(
    qtbot, window, state, learner, monkeypatch
):
    """The close dialog stops the experiment; the run that had finished stays saved."""
    from PySide6.QtWidgets import QMessageBox

    from kviz.store.experiments import experiment_runs

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    view = _open(window, "filters")
    _answer(view.answer_input, view.item)
    view.run_button.click()
    qtbot.waitUntil(lambda: len(view.saved_run_ids) == 1, timeout=300_000)
    assert window.close()
    assert not state.workers.busy()
    assert [r.metrics["label"] for r in experiment_runs(state.db, learner.id)][:1] == ["filters 2"]
