"""After a quiz: the missed questions with their explanations, a button to the lab that goes
with each, and when review brings them back; Home and Review say when the next one is due."""

from __future__ import annotations

import random

import pytest

pytestmark = pytest.mark.gui


def _items(state, n: int):
    from kviz.quiz.items import make_item

    entries = [e for e in state.bank().entries if e.question.type == "single" and e.question.lab]
    return [make_item(e, random.Random(0)) for e in entries[:n]]


def test_summary_lists_missed_questions_with_lab_buttons_and_next_due(
    qtbot, state, learner, monkeypatch
):
    from kviz.ui.main_window import MainWindow
    from kviz.ui.screens import lab_link

    items = _items(state, 2)
    monkeypatch.setattr("kviz.store.history.smart_quiz", lambda *a, **k: items)
    win = MainWindow(state)
    qtbot.addWidget(win)
    win.go("quiz")
    quiz = win.view("quiz")
    quiz.start()
    right = next(iter(items[0].key.correct))
    wrong = next(i for i in range(len(items[1].choices)) if i not in items[1].key.correct)
    for pick in (right, wrong):
        quiz.question.answer.choose(pick)
        quiz.submit_or_next()
        quiz.submit_or_next()
    page = quiz.result
    assert quiz.pages.currentWidget() is page
    assert "Missed: 1 question" in page.missed_title.text()
    texts = [w.text() for w in page.missed.widget().findChildren(type(page.headline))]
    assert items[1].prompt in texts and items[1].explanation in texts
    assert items[0].prompt not in texts  # answered right: not listed
    assert "next is due in " in page.next_review.text()  # a wrong answer comes back soon
    screen_id, label = lab_link(items[1].lab)
    (button,) = page.lab_buttons
    assert button.text() == label
    button.click()
    assert win.stack.currentWidget() is win.view(screen_id)


def test_lab_links_name_the_screen_for_each_lab_field():
    from kviz.ui.screens import SCREENS, lab_link

    ids = {s.id for s in SCREENS}
    assert lab_link(None) is None
    assert lab_link("reference") == ("labs", "Open the lab")
    screen, label = lab_link("sweep:filters")
    assert screen == "compare" and "filters" in label
    assert {lab_link("reference")[0], screen} <= ids


def test_home_and_review_say_when_the_next_question_is_due(qtbot, state, learner):

    from kviz.quiz.grading import Feedback
    from kviz.store.convert import utcnow
    from kviz.store.records import record_attempt, start_quiz
    from kviz.ui.home_view import HomeView
    from kviz.ui.quiz_view import QuizView

    home = HomeView(state, [])
    qtbot.addWidget(home)
    home.refresh()
    assert home.due.text() == "Nothing is due for review, and nothing is scheduled yet."
    (item,) = _items(state, 1)
    quiz_id = start_quiz(state.db, learner.id, "quiz", [])
    record_attempt(state.db, quiz_id, item, "a", Feedback(True, "a", ""), 2.0, utcnow())
    home.refresh()
    assert "Nothing is due for review; the next question is due " in home.due.text()
    assert "nothing is scheduled" not in home.due.text() and "now" not in home.due.text()
    review = QuizView(state, mode="review")
    qtbot.addWidget(review)
    review.activated()
    assert "the next question is due " in review.setup_note.text()
    assert "nothing is scheduled" not in review.setup_note.text()
