"""Quiz and Review: set up, answer question by question with feedback, see the score.

All quiz logic is the core's: build_quiz/build_review pick the items, parse_answer reads the
raw text the widgets build, QuizRun.submit grades, and each answer is recorded at once
(record_attempt), so leaving early or closing the window loses nothing.
"""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kviz.bank.schema import LETTERS
from kviz.ui.question_widgets import AnswerWidget, answer_widget
from kviz.ui.quiz_pages import QuestionPage, ResultPage
from kviz.ui.state import AppState
from kviz.wording import count, nothing_due

if TYPE_CHECKING:
    from kviz.quiz.engine import QuizRun


class QuizView(QWidget):
    """mode "quiz": pick topics, difficulty and length; mode "review": the due questions."""

    quiz_finished = Signal(object)  # the core's Score of the finished quiz
    open_screen = Signal(str)  # the result page's lab button: a screen id to show

    def __init__(self, state: AppState, mode: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.mode = mode
        self.run: QuizRun | None = None
        self.quiz_id: int | None = None
        self.pages = QStackedWidget()
        self.setup = self._build_setup()
        self.question = QuestionPage()
        self.result = ResultPage()
        for page in (self.setup, self.question, self.result):
            self.pages.addWidget(page)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.pages)
        self.question.submit_requested.connect(self.submit_or_next)
        self.result.again.clicked.connect(self.show_setup)
        self.result.open_screen.connect(self.open_screen)
        self._shown_at = 0.0
        self._answered = False

        for seq in ("Return", "Enter"):
            shortcut = QShortcut(QKeySequence(seq), self.question)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.submit_or_next)
        leave = QShortcut(QKeySequence("Escape"), self.question)
        leave.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        leave.activated.connect(self.leave)
        keys = [(str(i + 1), i) for i in range(9)] + [(LETTERS[i].upper(), i) for i in range(5)]
        keys += [("T", 0), ("F", 1)]
        for key, index in keys:
            shortcut = QShortcut(QKeySequence(key), self.question)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(lambda k=key, i=index: self._choose(k, i))
        self.setFocusProxy(self.pages)

    # -- set-up page -------------------------------------------------------------------

    def _build_setup(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        title = QLabel("<h2>Quiz</h2>" if self.mode == "quiz" else "<h2>Review</h2>")
        layout.addWidget(title)
        self.setup_note = QLabel()
        self.setup_note.setWordWrap(True)
        layout.addWidget(self.setup_note)
        self.topics = QListWidget()
        self.topics.setAccessibleName("Topics")
        self.difficulty = [
            QCheckBox(f"&{d} " + n)
            for d, n in ((1, "recall"), (2, "understanding"), (3, "reasoning"))
        ]
        self.length = QSpinBox(minimum=1, maximum=50, value=10)
        self.smart = QCheckBox("S&mart quiz: unseen questions and weak topics first")
        self.smart.setToolTip(
            "Picks from your history: questions you have not seen and topics you are weak in "
            "come first, questions you answered right in the last 3 days wait, and the "
            "difficulty rises as you master a topic."
        )
        self.smart.setChecked(True)
        self.length.setMaximumWidth(90)
        if self.mode == "quiz":
            box = QGroupBox("Topics")
            box_layout = QVBoxLayout(box)
            box_layout.addWidget(self.topics)
            layout.addWidget(box, 1)
            form = QFormLayout()
            form.addRow(self.smart)
            levels = QHBoxLayout()
            for check in self.difficulty:
                check.setChecked(True)
                check.setEnabled(False)  # the smart quiz (the default) picks the difficulty
                self.smart.toggled.connect(lambda on, c=check: c.setEnabled(not on))
                levels.addWidget(check)
            levels.addStretch()
            form.addRow("Difficulty:", levels)
            length_label = QLabel("&Questions:")
            length_label.setBuddy(self.length)
            form.addRow(length_label, self.length)
            layout.addLayout(form)
        else:
            layout.addStretch()
        row = QHBoxLayout()
        self.start_button = QPushButton("&Start quiz" if self.mode == "quiz" else "&Start review")
        self.start_button.clicked.connect(self.start)
        self.start_button.setAutoDefault(True)
        row.addWidget(self.start_button)
        row.addStretch()
        layout.addLayout(row)
        return page

    def activated(self) -> None:
        if self.pages.currentWidget() is self.setup:
            self.show_setup()

    def main_control(self) -> QWidget | None:
        """Start on the set-up page; in a quiz, the page keeps its own focus."""
        return self.start_button if self.pages.currentWidget() is self.setup else None

    def show_setup(self) -> None:
        """Fill the set-up page from the bank (and, for review, the due questions)."""
        from kviz.bank.loader import BankError

        self.pages.setCurrentWidget(self.setup)
        try:
            bank = self.state.bank()
        except BankError as exc:
            self._bank_error(exc)
            return
        if self.mode == "quiz":
            checked = {
                self.topics.item(i).data(Qt.ItemDataRole.UserRole)
                for i in range(self.topics.count())
                if self.topics.item(i).checkState() == Qt.CheckState.Checked
            }
            self.topics.clear()
            for topic in bank.topics:
                title = bank.titles[topic]
                item = QListWidgetItem(f"{title} (yours)" if topic in bank.user_topics else title)
                item.setData(Qt.ItemDataRole.UserRole, topic)
                item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
                on = not checked or topic in checked
                item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
                self.topics.addItem(item)
            self.setup_note.setText(
                f"{count(len(bank.entries), 'question')} in {count(len(bank.topics), 'topic')}. "
                "Choose what to "
                "practise (Space ticks a topic). Answers are graded at once, with an explanation."
            )
            self.start_button.setEnabled(True)
        else:
            due = self._due_ids()
            self.setup_note.setText(
                f"<b>{count(len(due), 'question')}</b> due for review. "
                "Questions come back when you are about to forget them (FSRS scheduling)."
                if due
                else f"{self._next_due_words()} Take a quiz, and the questions "
                "you answer will come back here when it is time to review them."
            )
            self.start_button.setEnabled(bool(due))
        self.start_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _next_due_words(self) -> str:
        from kviz.store.records import next_due

        if self.state.learner_id is None:
            return nothing_due(None)
        return nothing_due(next_due(self.state.db, self.state.learner_id))

    def _due_ids(self) -> list[str]:
        if self.state.learner_id is None:
            return []
        from kviz.store.records import due_question_ids

        return due_question_ids(self.state.db, self.state.learner_id)

    def _bank_error(self, exc: Exception) -> None:
        from kviz.ui.app import error_dialog

        self.start_button.setEnabled(False)
        self.setup_note.setText("The question bank could not be read.")
        error_dialog(
            self,
            "The question bank has problems",
            f"{exc}\n\nFix the file named above, or reinstall Kviz to restore it.",
        )

    def selected_topics(self) -> list[str]:
        return [
            self.topics.item(i).data(Qt.ItemDataRole.UserRole)
            for i in range(self.topics.count())
            if self.topics.item(i).checkState() == Qt.CheckState.Checked
        ]

    # -- running -----------------------------------------------------------------------

    def start(self) -> None:
        """Build the items with the core and show the first question."""
        from kviz.bank.loader import BankError
        from kviz.quiz.engine import QuizError, QuizRun, build_quiz, build_review
        from kviz.store.history import smart_quiz
        from kviz.store.records import start_quiz

        if self.state.learner_id is None:
            self.setup_note.setText("Choose a learner first (File > Switch learner).")
            return
        try:
            bank = self.state.bank()
            if self.mode == "quiz":
                topics = self.selected_topics()
                levels = [d + 1 for d, c in enumerate(self.difficulty) if c.isChecked()]
                if self.smart.isChecked():
                    items = smart_quiz(
                        self.state.db,
                        bank,
                        self.state.learner_id,
                        topics or None,
                        self.length.value(),
                    )
                else:
                    items = build_quiz(
                        bank,
                        topics=topics or None,
                        difficulties=levels or None,
                        count=self.length.value(),
                    )
            else:
                topics = []
                items = build_review(bank, self._due_ids())
        except BankError as exc:
            self._bank_error(exc)
            return
        except QuizError as exc:
            self.setup_note.setText(f"No quiz: {exc}.")
            return
        if not items:
            self.setup_note.setText("No question to ask.")
            return
        self.run = QuizRun(items)
        self.quiz_id = start_quiz(
            self.state.db,
            self.state.learner_id,
            self.mode,
            topics or sorted({i.topic for i in items}),
            planned=len(items),
        )
        self.pages.setCurrentWidget(self.question)
        self._show_current()

    def _show_current(self) -> None:
        run = self.run
        assert run is not None and run.current is not None  # a quiz is on, not yet done
        item = run.current
        title = self.state.bank().titles.get(item.topic, item.topic)
        widget: AnswerWidget = answer_widget(item.type, item.choices, item.unit)
        self.question.show_item(item, len(run.results), len(run.items), title, widget)
        self._answered = False
        self._shown_at = time.monotonic()

    def _choose(self, key: str, index: int) -> None:
        widget = self.question.answer
        item = self.run.current if self.run is not None else None
        if self._answered or widget is None or item is None:
            return
        if key in "TF" and item.type != "truefalse":
            return
        widget.choose(index)

    def submit_or_next(self) -> None:
        """Enter: grade and record the answer, or after feedback go to the next question."""
        if self.run is None or self.pages.currentWidget() is not self.question:
            return
        if self._answered:
            if self.run.done:
                self._finish()
            else:
                self._show_current()
            return
        from kviz.quiz.answers import AnswerFormatError, parse_answer
        from kviz.store.records import record_attempt

        item = self.run.current
        widget = self.question.answer
        assert item is not None and widget is not None and self.quiz_id is not None
        raw = widget.raw_answer()
        try:
            answer = parse_answer(item, raw)
        except AnswerFormatError as exc:
            self.question.show_hint(exc.hint)
            return
        seconds = time.monotonic() - self._shown_at
        feedback = self.run.submit(answer, seconds)
        # The bank's letters, not the shuffled ones on screen: history must mean the same later.
        record_attempt(self.state.db, self.quiz_id, item, answer.canonical, feedback, seconds)
        self._answered = True
        self.question.show_feedback(feedback, last=self.run.done, key=item.key)

    def _finish(self) -> None:
        from kviz.store.records import finish_quiz, next_due

        assert self.run is not None and self.quiz_id is not None
        finish_quiz(self.state.db, self.quiz_id)
        score = self.run.score()
        missed = [(r.item, r.feedback) for r in self.run.results if not r.feedback.correct]
        assert self.state.learner_id is not None
        due = next_due(self.state.db, self.state.learner_id)
        self.result.show_score(score, self.state.bank().titles, missed, due)
        self.pages.setCurrentWidget(self.result)
        self.run = None
        self.state.records_changed.emit()
        self.quiz_finished.emit(score)

    def leave(self) -> None:
        """Esc: leave the quiz; the answers given so far are already saved."""
        if self.run is None:
            return
        given = len(self.run.results)
        left = len(self.run.items) - given
        if left and given:
            answer = QMessageBox.question(
                self,
                "Leave the quiz?",
                f"Your {given} answer{'s' if given != 1 else ''} so far "
                f"{'are' if given != 1 else 'is'} saved. Leave and skip the remaining {left}?",
            )
            if answer != QMessageBox.StandardButton.Yes:
                return
        from kviz.store.records import finish_quiz

        assert self.quiz_id is not None
        finish_quiz(self.state.db, self.quiz_id)
        self.run = None
        self.state.records_changed.emit()
        self.show_setup()
        if given:
            self.setup_note.setText(
                f"You left the quiz early: {given} of {given + left} answered and saved."
            )
