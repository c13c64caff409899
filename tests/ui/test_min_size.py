"""At the window's minimum size every screen (and every lab step) keeps its rows and text
whole: no label, button or field is squeezed below the size its text needs, no wrapped label
is shorter than its lines, and each screen's own minimum fits the space the window gives it.
The same check finds the overlap when the window is forced below its minimum."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractSpinBox,
    QApplication,
    QComboBox,
    QLabel,
    QLineEdit,
    QProgressBar,
    QScrollArea,
    QWidget,
)

pytestmark = pytest.mark.gui

TEXT_WIDGETS = (QLabel, QAbstractButton, QComboBox, QLineEdit, QAbstractSpinBox, QProgressBar)


def squeezed(view: QWidget) -> list[str]:
    """The visible text-bearing widgets of `view` smaller than their text needs (1 px slack),
    and the pages (a lab step) that only fit by scrolling sideways."""
    problems = []
    areas = [view] if isinstance(view, QScrollArea) else []
    for area in areas + view.findChildren(QScrollArea):
        content = area.widget()
        if area.isVisibleTo(view) or area is view:
            need = content.minimumSizeHint().width()
            if need > area.viewport().width() + 1:
                problems.append(f"a page {need} px wide in {area.viewport().width()} px")
    for w in view.findChildren(QWidget):
        if not w.isVisibleTo(view) or not isinstance(w, TEXT_WIDGETS):
            continue
        if isinstance(w, QLineEdit) and isinstance(w.parent(), QAbstractSpinBox | QComboBox):
            continue  # a spin box's or combo box's own editor: sized by its owner
        text = w.text() if hasattr(w, "text") and callable(w.text) else ""
        name = f"{type(w).__name__} {str(text)[:40]!r}"
        if isinstance(w, QLabel) and w.wordWrap():
            if w.height() + 1 < w.heightForWidth(w.width()):
                need = w.heightForWidth(w.width())
                problems.append(f"{name}: {w.height()} px high, its lines need {need}")
            continue
        text_width = w.fontMetrics().horizontalAdvance(str(text)) + 8
        if isinstance(w, QProgressBar) and w.isTextVisible() and w.width() < text_width:
            problems.append(f"{name}: {w.width()} px wide, too narrow for its text")
            continue  # (its size hint ignores its text)
        hint = w.minimumSizeHint()
        if w.width() + 1 < hint.width() or w.height() + 1 < hint.height():
            problems.append(f"{name}: {w.size().toTuple()} < {hint.toTuple()}")
    return problems


def screen_problems(window) -> list[str]:
    """Go to every screen (and every lab step) and collect what is squeezed."""
    from kviz.ui.screens import SCREENS

    problems = []
    for screen in SCREENS:
        window.go(screen.id)
        view = window.view(screen.id)
        pages = [view]
        if screen.id == "labs":
            pages = [view.tabs.widget(i) for i in range(view.tabs.count())]
        for index, page in enumerate(pages):
            if screen.id == "labs":
                view.tabs.setCurrentIndex(index)
            QApplication.processEvents()
            need, have = view.minimumSizeHint(), view.size()
            if need.width() > have.width() or need.height() > have.height():
                problems.append(f"{screen.id}: needs {need.toTuple()}, has {have.toTuple()}")
            problems += [f"{screen.id}: {p}" for p in squeezed(page)]
    return problems


def answer_every_topic(state, learner) -> None:
    """Three answers per topic, two right, yesterday: Home shows mastery, trends and a quiz."""
    import random
    from datetime import timedelta

    from kviz.quiz.grading import Feedback
    from kviz.quiz.items import make_item
    from kviz.store.convert import utcnow
    from kviz.store.records import finish_quiz, record_attempt, start_quiz

    bank = state.bank()
    quiz_id = start_quiz(state.db, learner.id, "quiz", [])
    for topic in bank.topics:
        entries = [e for e in bank.entries if e.topic == topic][:3]
        for n, entry in enumerate(entries):
            item = make_item(entry, random.Random(0))
            feedback = Feedback(n > 0, "?", "")
            when = utcnow() - timedelta(days=1, minutes=n)
            record_attempt(state.db, quiz_id, item, "x", feedback, 4.0, when)
    finish_quiz(state.db, quiz_id)


@pytest.fixture
def window(qtbot, state, learner):
    from kviz.ui.main_window import MainWindow

    answer_every_topic(state, learner)

    win = MainWindow(state)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    return win


def test_every_screen_is_whole_at_the_minimum_size(qtbot, window):
    from kviz.ui.main_window import MINIMUM_SIZE

    assert window.minimumSize() == MINIMUM_SIZE
    window.resize(MINIMUM_SIZE)
    qtbot.waitUntil(lambda: window.size() == MINIMUM_SIZE)
    assert screen_problems(window) == []


def test_every_screen_is_whole_at_the_default_size(qtbot, window):
    from kviz.ui.main_window import DEFAULT_SIZE

    assert window.size() == DEFAULT_SIZE
    assert screen_problems(window) == []


def test_the_check_finds_rows_squeezed_below_the_minimum(qtbot, window):
    """Forced to the old 760x520 minimum, Home's rows and Keras vs PyTorch's buttons are
    squeezed, and the check says so (it would catch a minimum set too small)."""
    from PySide6.QtCore import QSize

    window.setMinimumSize(QSize(600, 400))
    window.resize(QSize(760, 520))
    qtbot.waitUntil(lambda: window.size() == QSize(760, 520))
    problems = screen_problems(window)
    assert any(p.startswith("home: needs") for p in problems)
    assert any(p.startswith("versus: ") for p in problems)
