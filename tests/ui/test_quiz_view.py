"""A quiz taken end to end with the keyboard only; every answer lands in the database."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from kviz.ui.question_widgets import ChoiceWidget, NumberWidget, TextWidget, TrueFalseWidget

pytestmark = pytest.mark.gui


def _answer_keys(widget) -> str:
    """Keys a person would type for some answer of this widget's type."""
    if isinstance(widget, TrueFalseWidget):
        return "t"
    if isinstance(widget, ChoiceWidget):
        return "1"
    if isinstance(widget, NumberWidget):
        return "12"
    if isinstance(widget, TextWidget):
        return "relu"
    raise AssertionError(f"unexpected widget {widget!r}")


@pytest.fixture
def quiz(qtbot, state):
    from kviz.ui.quiz_view import QuizView

    view = QuizView(state, mode="quiz")
    qtbot.addWidget(view)
    view.show()
    qtbot.waitExposed(view)
    view.activateWindow()
    view.activated()
    return view


def one_item_per_type(bank) -> list:
    """The bank's first question of each type, drawn with a fixed seed."""
    import random

    from kviz.quiz.items import make_item

    firsts: dict[str, object] = {}
    for entry in bank.entries:
        firsts.setdefault(entry.question.type, entry)
    return [make_item(e, random.Random(0)) for e in firsts.values()]


def test_quiz_by_keyboard_records_every_answer(qtbot, quiz, state, learner, monkeypatch):
    from kviz.store.records import learner_stats, recent_quizzes

    items = one_item_per_type(state.bank())
    count = len(items)
    monkeypatch.setattr("kviz.store.history.smart_quiz", lambda *a, **k: items)
    qtbot.keyClick(quiz.start_button, Qt.Key.Key_Space)
    assert quiz.pages.currentWidget() is quiz.question
    seen_types = set()
    for number in range(1, count + 1):
        page = quiz.question
        assert page.counter.text() == f"Question {number} of {count}"
        widget = page.answer
        seen_types.add(type(widget).__name__)
        focus = widget.field if hasattr(widget, "field") else widget.buttons[0]
        qtbot.waitUntil(focus.hasFocus, timeout=2000)
        qtbot.keyClicks(focus, _answer_keys(widget))
        if isinstance(widget, ChoiceWidget):
            assert widget.raw_answer() in ("a", "true")
        qtbot.keyClick(focus, Qt.Key.Key_Return)
        assert page.feedback.isVisible(), page.hint.text()
        assert page.explanation.text()
        qtbot.keyClick(page.button, Qt.Key.Key_Return)
    # Every kind of answer widget was driven by the keyboard.
    assert seen_types == {"ChoiceWidget", "TrueFalseWidget", "NumberWidget", "TextWidget"}
    assert quiz.pages.currentWidget() is quiz.result
    assert f"of {count}" in quiz.result.headline.text()
    assert quiz.result.table.rowCount() >= 1

    [summary] = recent_quizzes(state.db, learner.id)
    assert summary.total == count and summary.finished_at is not None
    assert learner_stats(state.db, learner.id).attempts == count


def test_empty_number_gets_a_hint_not_a_grade(qtbot, quiz, state, learner, monkeypatch):
    import random

    from kviz.quiz.items import make_item
    from kviz.store.records import learner_stats

    entry = next(e for e in state.bank().entries if e.question.type == "numeric")
    item = make_item(entry, random.Random(0))
    monkeypatch.setattr("kviz.store.history.smart_quiz", lambda *a, **k: [item])
    quiz.start()
    field = quiz.question.answer.field
    qtbot.keyClick(field, Qt.Key.Key_Return)
    assert not quiz.question.feedback.isVisible()
    assert quiz.question.hint.text()
    assert learner_stats(state.db, learner.id).attempts == 0
    qtbot.keyClicks(field, "abc")  # the validator refuses letters
    assert field.text() == ""


def test_escape_leaves_and_keeps_answers(qtbot, quiz, state, learner, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from kviz.store.records import recent_quizzes

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    items = one_item_per_type(state.bank())
    monkeypatch.setattr("kviz.store.history.smart_quiz", lambda *a, **k: items)
    quiz.start()
    widget = quiz.question.answer
    if isinstance(widget, ChoiceWidget):
        widget.choose(0)
    else:
        widget.field.setText("1")
    quiz.submit_or_next()
    qtbot.keyClick(quiz.question.button, Qt.Key.Key_Escape)
    assert quiz.pages.currentWidget() is quiz.setup
    [summary] = recent_quizzes(state.db, learner.id)
    assert summary.total == 1 and summary.left_early
    assert summary.outcome().startswith(f"left early, 1 of {len(items)} answered")
    assert f"1 of {len(items)} answered" in quiz.setup_note.text()


def test_leaving_before_any_answer_keeps_no_session(qtbot, quiz, state, learner, monkeypatch):
    from kviz.store.records import recent_quizzes

    items = one_item_per_type(state.bank())
    monkeypatch.setattr("kviz.store.history.smart_quiz", lambda *a, **k: items)
    quiz.start()
    qtbot.keyClick(quiz.question.button, Qt.Key.Key_Escape)
    assert quiz.pages.currentWidget() is quiz.setup
    assert recent_quizzes(state.db, learner.id) == []


def test_smart_quiz_is_the_default_and_asks_a_weak_topic_first(qtbot, quiz, state):
    import random
    from datetime import UTC, datetime, timedelta

    from kviz.quiz.grading import Feedback
    from kviz.quiz.items import make_item
    from kviz.store import records as r

    assert quiz.smart.isChecked() and not quiz.difficulty[0].isEnabled()
    bank = state.bank()
    quiz_id = r.start_quiz(state.db, state.learner_id, "quiz", [])
    when = datetime.now(UTC) - timedelta(days=8)
    for e in bank.entries:  # everything seen a week ago; only dropout answered wrong
        item = make_item(e, random.Random(0))
        ok = e.topic != "dropout"
        r.record_attempt(state.db, quiz_id, item, "x", Feedback(ok, "", ""), 1.0, when=when)
    r.finish_quiz(state.db, quiz_id)
    quiz.length.setValue(5)
    qtbot.keyClick(quiz.start_button, Qt.Key.Key_Space)
    assert {i.topic for i in quiz.run.items} == {"dropout"}
    quiz.smart.setChecked(False)
    assert quiz.difficulty[0].isEnabled()


def test_review_shows_the_due_count_and_records_a_review(qtbot, state, learner):
    """Questions answered wrongly an hour ago are due; the review asks them and is saved as
    a review; Home counts them too."""
    from datetime import timedelta

    from kviz.quiz.grading import Feedback
    from kviz.store.convert import utcnow
    from kviz.store.records import (
        due_question_ids,
        learner_stats,
        recent_quizzes,
        record_attempt,
        start_quiz,
    )
    from kviz.ui.home_view import HomeView
    from kviz.ui.quiz_view import QuizView

    items = one_item_per_type(state.bank())[:3]
    quiz_id = start_quiz(state.db, learner.id, "quiz", [])
    an_hour_ago = utcnow() - timedelta(hours=1)
    for item in items:
        record_attempt(state.db, quiz_id, item, "x", Feedback(False, "?", ""), 3.0, an_hour_ago)
    assert len(due_question_ids(state.db, learner.id)) == 3

    home = HomeView(state, [("review", "Start &review")])
    qtbot.addWidget(home)
    home.refresh()
    assert "<b>3 questions</b> due" in home.due.text()
    assert home.review_button.isEnabled()

    review = QuizView(state, mode="review")
    qtbot.addWidget(review)
    review.activated()
    assert "<b>3 questions</b> due" in review.setup_note.text()
    assert review.start_button.isEnabled()
    review.start()
    asked = set()
    while review.pages.currentWidget() is review.question:
        asked.add(review.run.current.question_id)
        widget = review.question.answer
        if isinstance(widget, ChoiceWidget):
            widget.choose(0)
        else:
            widget.field.setText(_answer_keys(widget))
        review.submit_or_next()
        review.submit_or_next()
    assert asked == {i.question_id for i in items}
    latest = recent_quizzes(state.db, learner.id)[0]
    assert latest.mode == "review" and latest.total == 3 and latest.finished_at is not None
    assert learner_stats(state.db, learner.id).attempts == 6


def test_learner_dialog_picks_an_existing_learner_or_types_a_new_one(qtbot, state):
    from kviz.store.records import get_or_create_learner, list_learners
    from kviz.ui.learner_dialog import LearnerDialog

    get_or_create_learner(state.db, "Bea")
    learners = list_learners(state.db)
    dialog = LearnerDialog(learners, state.learner)
    qtbot.addWidget(dialog)
    assert [dialog.list.item(i).text() for i in range(dialog.list.count())] == ["Ana", "Bea"]
    assert dialog.chosen_name() == "Ana" and dialog.ok.isEnabled()  # the current one
    dialog.list.setCurrentRow(1)
    assert dialog.chosen_name() == "Bea"
    qtbot.keyClicks(dialog.name, "  Cy ")
    assert dialog.chosen_name() == "Cy" and not dialog.list.selectedItems()
    dialog.name.clear()
    assert dialog.chosen_name() == "" and not dialog.ok.isEnabled()

    first = LearnerDialog([], None, first_start=True)
    qtbot.addWidget(first)
    assert first.list.isHidden()
    assert "Quit" in [b.text().replace("&", "") for b in first.findChildren(type(first.ok))]
