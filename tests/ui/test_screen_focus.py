"""Each screen puts the focus on its main button when shown: Ctrl+2 then Enter starts a quiz;
Ctrl+PgDown / Ctrl+PgUp move between the lab steps wherever the focus is, as Help says."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

pytestmark = pytest.mark.gui


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
