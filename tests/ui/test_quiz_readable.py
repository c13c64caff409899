"""A quiz a person can read: long choices wrap, verdicts have colour and an icon, the right
choice is marked after a wrong answer, and the hint text keeps a 4.5:1 contrast."""

from __future__ import annotations

import dataclasses
import random

import pytest
from PySide6.QtGui import QColor, QPalette

from kviz.ui.verdict_style import MIN_CONTRAST, RIGHT, WRONG, contrast

pytestmark = pytest.mark.gui

LONG = "a very long choice that says much more than fits on one line " * 4


def _single_item(state):
    from kviz.quiz.items import make_item

    entry = next(e for e in state.bank().entries if e.question.type == "single")
    item = make_item(entry, random.Random(0))
    return dataclasses.replace(item, choices=(LONG, *item.choices[1:]))


@pytest.fixture
def quiz(qtbot, state, monkeypatch):
    from kviz.ui.quiz_view import QuizView

    item = _single_item(state)
    monkeypatch.setattr("kviz.store.history.smart_quiz", lambda *a, **k: [item])
    view = QuizView(state, mode="quiz")
    qtbot.addWidget(view)
    view.resize(640, 480)
    view.show()
    qtbot.waitExposed(view)
    view.start()
    return view, item


def test_a_long_choice_wraps_inside_the_window(quiz):
    view, _item = quiz
    widget = view.question.answer
    label = widget.texts[0]
    assert label.text() == LONG and label.wordWrap()
    right_edge = label.mapTo(view, label.rect().topRight()).x()
    assert right_edge <= view.width()  # nothing runs past the window edge
    assert label.height() > 2 * label.fontMetrics().height()  # it took several lines


def test_a_wrong_answer_is_red_and_marks_the_right_choice_green(quiz):
    view, item = quiz
    (right,) = item.key.correct
    wrong = next(i for i in range(len(item.choices)) if i != right)
    view.question.answer.choose(wrong)
    view.submit_or_next()
    texts = view.question.answer.texts
    assert view.question.verdict.text().startswith(WRONG[0])
    assert WRONG[1] in view.question.verdict.styleSheet()
    assert texts[right].text().startswith(RIGHT[0]) and RIGHT[2] in texts[right].styleSheet()
    assert texts[wrong].text().startswith(WRONG[0]) and WRONG[2] in texts[wrong].styleSheet()
    others = set(range(len(texts))) - {right, wrong}
    assert all(texts[i].styleSheet() == "" for i in others)
    assert not view.question.answer.choose(right)  # locked after grading


def test_a_right_answer_is_green(quiz):
    view, item = quiz
    (right,) = item.key.correct
    view.question.answer.choose(right)
    view.submit_or_next()
    assert view.question.verdict.text().startswith(RIGHT[0])
    assert RIGHT[1] in view.question.verdict.styleSheet()


def test_verdict_and_hint_colours_reach_the_contrast_floor(quiz):
    view, _item = quiz
    for _icon, fg, bg in (RIGHT, WRONG):
        assert contrast(QColor(fg), QColor(bg)) >= MIN_CONTRAST
    how = view.question.how
    assert how.isEnabled() and how.text()
    palette = how.palette()
    text = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.WindowText)
    window = palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.Window)
    assert contrast(text, window) >= MIN_CONTRAST
    assert contrast(QColor("black"), QColor("white")) == pytest.approx(21.0)


def test_enter_with_no_choice_says_pick_an_option(quiz):
    view, _item = quiz
    view.submit_or_next()
    assert "pick an option" in view.question.hint.text()
