"""The Home screen's answers-per-day chart: empty history says so; answers draw bars."""

from __future__ import annotations


def _chart_texts(view) -> list[str]:
    return [t.get_text() for ax in view.chart.figure.axes for t in ax.texts]


def test_answers_chart_says_when_there_is_no_history_then_draws_bars(qtbot, state):
    import matplotlib.figure  # noqa: F401  (Home plots only once matplotlib is loaded)

    from kviz.bank.loader import load_bank
    from kviz.quiz.engine import build_quiz
    from kviz.quiz.grading import Feedback
    from kviz.store.records import record_attempt, start_quiz
    from kviz.ui.home_view import HomeView

    view = HomeView(state, [])
    qtbot.addWidget(view)
    view.refresh()
    assert any("No answers yet" in t for t in _chart_texts(view))

    quiz = start_quiz(state.db, state.learner_id, "quiz", [])
    item = build_quiz(load_bank(), count=1, seed=1)[0]
    record_attempt(state.db, quiz, item, "a", Feedback(True, "a", ""), 2.0)
    view.refresh()
    ax = view.chart.figure.axes[0]
    assert not _chart_texts(view)
    assert ax.get_ylim()[0] == 0
    assert max(p.get_height() for p in ax.patches) == 1


def test_home_opens_the_learners_history_with_what_was_shown(qtbot, state, monkeypatch):
    import random

    from PySide6.QtWidgets import QDialog

    from kviz.quiz.answers import parse_answer
    from kviz.quiz.engine import QuizRun
    from kviz.quiz.items import make_item
    from kviz.store import records as r
    from kviz.ui.history_dialog import HistoryDialog
    from kviz.ui.home_view import HomeView

    entry = next(e for e in state.bank().entries if e.question.type == "single")
    item = make_item(entry, random.Random(0))
    quiz = r.start_quiz(state.db, state.learner_id, "quiz", [])
    answer = parse_answer(item, "a")
    r.record_attempt(state.db, quiz, item, answer.canonical, QuizRun([item]).submit(answer, 1), 1)
    shown: list[HistoryDialog] = []
    monkeypatch.setattr(HistoryDialog, "exec", lambda self: shown.append(self) or 0)
    home = HomeView(state, [])
    qtbot.addWidget(home)
    home.history_button.click()
    (dialog,) = shown
    assert isinstance(dialog, QDialog) and dialog.table.rowCount() == 1
    assert dialog.table.item(0, 1).text() == item.question_id
    assert dialog.table.item(0, 4).text() == item.key.expected
    assert dialog.table.item(0, 3).text() == f"a) {item.choices[0]}"  # as shown, not bank letters
    dialog.table.setCurrentCell(0, 0)
    assert item.prompt in dialog.detail.text() and f"a) {item.choices[0]}" in dialog.detail.text()


def test_home_lists_a_quiz_left_early_with_its_planned_count(qtbot, state):
    from kviz.bank.loader import load_bank
    from kviz.quiz.engine import build_quiz
    from kviz.quiz.grading import Feedback
    from kviz.store.records import finish_quiz, record_attempt, start_quiz
    from kviz.ui.home_view import HomeView

    quiz = start_quiz(state.db, state.learner_id, "quiz", [], planned=10)
    item = build_quiz(load_bank(), count=1, seed=1)[0]
    record_attempt(state.db, quiz, item, "a", Feedback(True, "a", ""), 2.0)
    finish_quiz(state.db, quiz)
    view = HomeView(state, [])
    qtbot.addWidget(view)
    view.refresh()
    text = view.quizzes.item(0).text()
    assert "left early, 1 of 10 answered" in text and "100%" not in text
