"""The questions on the learner's own runs after an experiment: one QuizRun shown on the
quiz's question page, each answer recorded as it is given."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QWidget

from kviz.quiz.engine import QuizRun
from kviz.ui.question_widgets import answer_widget
from kviz.ui.quiz_pages import QuestionPage

if TYPE_CHECKING:
    from kviz.quiz.answers import Answer
    from kviz.quiz.grading import Feedback
    from kviz.quiz.items import QuizItem

Record = Callable[["QuizItem", "Answer", "Feedback", float], None]


class OwnRunsPage(QuestionPage):
    """Submit grades the shown question (Enter too); Next shows the next or ends the run."""

    finished = Signal(int, int)  # right answers, questions

    def __init__(self, record: Record, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.record = record
        self.run = QuizRun(())
        self._index = 0  # the shown question's place; answered once run.results passes it
        self._shown_at = 0.0
        self.submit_requested.connect(self.submit_or_next)
        for seq in ("Return", "Enter"):
            shortcut = QShortcut(QKeySequence(seq), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.submit_or_next)

    def start(self, items: Sequence[QuizItem]) -> None:
        self.run = QuizRun(items)
        self._show()

    def _show(self) -> None:
        item = self.run.current
        assert item is not None
        self._index = len(self.run.results)
        widget = answer_widget(item.type, item.choices, item.unit)
        self.show_item(item, self._index, len(self.run.items), "Your runs", widget)
        self._shown_at = time.monotonic()

    def submit_or_next(self) -> None:
        from kviz.quiz.answers import AnswerFormatError, parse_answer

        if self.answer is None:
            return
        if len(self.run.results) > self._index:  # its feedback is showing: move on
            if self.run.done:
                self.finished.emit(self.run.score().correct, len(self.run.items))
            else:
                self._show()
            return
        item = self.run.current
        assert item is not None
        try:
            answer = parse_answer(item, self.answer.raw_answer())
        except AnswerFormatError as exc:
            self.show_hint(str(exc))
            return
        seconds = time.monotonic() - self._shown_at
        feedback = self.run.submit(answer, seconds)
        self.record(item, answer, feedback, seconds)
        self.show_feedback(feedback, self.run.done, item.key)
