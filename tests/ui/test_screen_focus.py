"""Each screen puts the focus on its main button when shown: Ctrl+2 then Enter starts a quiz;
every screen of the registry names its main control and has it focused after MainWindow.go();
Ctrl+PgDown / Ctrl+PgUp move between the lab steps wherever the focus is, as Help says."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QPushButton

pytestmark = pytest.mark.gui

HOUR = timedelta(hours=1)


@pytest.fixture
def window(qtbot, state, learner):
    from kviz.ui.main_window import MainWindow

    win = MainWindow(state)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    return win


def test_ctrl_2_then_enter_starts_a_quiz(qtbot, window):
    qtbot.keyClick(window, Qt.Key.Key_2, Qt.KeyboardModifier.ControlModifier)
    quiz = window.view("quiz")
    assert window.stack.currentWidget() is quiz
    assert QApplication.focusWidget() is quiz.start_button
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert quiz.pages.currentWidget() is quiz.question and quiz.run is not None


def _make_three_due(state, learner) -> None:
    """Three questions answered wrongly an hour ago: due for review now."""

    import random

    from kviz.quiz.grading import Feedback
    from kviz.quiz.items import make_item
    from kviz.store.convert import utcnow
    from kviz.store.records import record_attempt, start_quiz

    items = [make_item(entry, random.Random(0)) for entry in state.bank().entries[:3]]
    quiz_id = start_quiz(state.db, learner.id, "quiz", [])
    for item in items:
        record_attempt(state.db, quiz_id, item, "x", Feedback(False, "?", ""), 3.0, utcnow() - HOUR)


def _versus_main(view):
    from trainer.versus import torch_available

    return view.run_button if torch_available() else view.epochs


# The main control each screen focuses (a new screen adds its line here).
MAIN = {
    "home": lambda v: v.review_button,  # something is due in this test
    "quiz": lambda v: v.start_button,
    "review": lambda v: v.start_button,
    "labs": lambda v: v.train_step.start_button,  # the test leaves Labs on step 3
    # the prediction comes before the run: focus in its answer, or on the list before one
    # experiment is chosen
    "experiments": lambda v: v.answer_input or v.list,
    "compare": lambda v: v.sweep_button,
    "quest": lambda v: v.run_button,
    "versus": _versus_main,
    "class": lambda v: v.connect_button,
}


def test_every_screen_focuses_its_main_control_after_go(qtbot, window, state, learner):
    from kviz.ui.screens import SCREENS

    assert set(MAIN) == {s.id for s in SCREENS}
    _make_three_due(state, learner)
    window.go("labs")
    window.view("labs").tabs.setCurrentIndex(2)
    for screen in SCREENS:
        other = "quiz" if screen.id == "home" else "home"
        window.go(other)
        window.go(screen.id)
        view = window.view(screen.id)
        main = MAIN[screen.id](view)
        assert main.isEnabled(), screen.id
        focus = QApplication.focusWidget()
        assert focus is main or main.isAncestorOf(focus), (screen.id, focus)
        if isinstance(main, QPushButton):
            assert main.autoDefault(), f"{screen.id}: Enter should press {main.text()}"


def test_enter_on_compare_starts_the_sweep(qtbot, window, monkeypatch):
    window.go("compare")
    compare = window.view("compare")
    started: list[bool] = []
    compare.sweep_button.clicked.disconnect()
    compare.sweep_button.clicked.connect(lambda: started.append(True))
    qtbot.keyClick(QApplication.focusWidget(), Qt.Key.Key_Return)
    assert started == [True]


def test_labs_focus_the_tab_bar_on_a_step_without_a_main_button(qtbot, window):
    window.go("labs")
    labs = window.view("labs")
    labs.tabs.setCurrentIndex(3)  # Predict
    window.go("home")
    window.go("labs")
    assert QApplication.focusWidget() is labs.tabs.tabBar()


def test_home_focuses_take_a_quiz_when_nothing_is_due(qtbot, window):
    window.go("labs")
    window.go("home")
    home = window.view("home")
    assert QApplication.focusWidget() is home.buttons["quiz"]


def test_ctrl_page_keys_move_between_lab_steps_from_inside_a_step(qtbot, window):
    window.go("labs")
    labs = window.view("labs")
    labs.tabs.setCurrentIndex(0)
    inside = labs.data_step
    inside.setFocus()
    qtbot.keyClick(
        QApplication.focusWidget(), Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier
    )
    assert labs.tabs.currentIndex() == 1
    qtbot.keyClick(
        QApplication.focusWidget(), Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier
    )
    qtbot.keyClick(
        QApplication.focusWidget(), Qt.Key.Key_PageUp, Qt.KeyboardModifier.ControlModifier
    )
    assert labs.tabs.currentIndex() == labs.tabs.count() - 1


def test_ctrl_page_down_works_from_the_code_views_and_tables_of_every_step(qtbot, window):
    """The places that take keys for themselves: each step's code view, Build's table."""
    from PySide6.QtWidgets import QAbstractScrollArea

    window.go("labs")
    labs = window.view("labs")
    for index in range(labs.tabs.count()):
        labs.tabs.setCurrentIndex(index)
        step = labs.tabs.widget(index)
        inner = [
            w
            for w in step.widget().findChildren(QAbstractScrollArea)
            if w.isVisibleTo(step) and w.focusPolicy() != Qt.FocusPolicy.NoFocus
        ]
        assert inner, f"step {index + 1} has a code view"
        for widget in inner:
            labs.tabs.setCurrentIndex(index)
            widget.setFocus()
            assert QApplication.focusWidget() is widget
            qtbot.keyClick(widget, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
            assert labs.tabs.currentIndex() == (index + 1) % labs.tabs.count(), widget
