"""The question page (prompt, answer widget, feedback) and the result page of a quiz."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kviz.quiz.types import question_type
from kviz.ui.question_widgets import AnswerWidget
from kviz.ui.verdict_style import RIGHT, WRONG, sheet
from kviz.wording import count, when_due

if TYPE_CHECKING:
    from kviz.quiz.grading import Feedback
    from kviz.quiz.items import AnswerKey, QuizItem
    from kviz.quiz.scoring import Score


def _big(label: QLabel, factor: float) -> QLabel:
    font = label.font()
    font.setPointSizeF(font.pointSizeF() * factor)
    label.setFont(font)
    return label


class QuestionPage(QWidget):
    """Shows one QuizItem; `submit_requested` fires on the Submit / Next button."""

    submit_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        top = QHBoxLayout()
        self.counter = _big(QLabel(), 1.2)
        top.addWidget(self.counter)
        top.addStretch()
        self.topic = QLabel()
        top.addWidget(self.topic)
        layout.addLayout(top)
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setMaximumHeight(8)
        layout.addWidget(self.bar)
        self.prompt = _big(QLabel(), 1.25)
        self.prompt.setWordWrap(True)
        self.prompt.setTextFormat(Qt.TextFormat.PlainText)
        self.prompt.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.prompt)
        self.how = QLabel()  # in italics, not greyed: disabled text fell below 4.5:1 contrast
        self.how.setWordWrap(True)
        font = self.how.font()
        font.setItalic(True)
        self.how.setFont(font)
        layout.addWidget(self.how)
        self.answer_holder = QVBoxLayout()
        layout.addLayout(self.answer_holder)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        layout.addWidget(self.hint)
        self.feedback = QFrame()
        self.feedback.setFrameShape(QFrame.Shape.StyledPanel)
        fb_layout = QVBoxLayout(self.feedback)
        self.verdict = _big(QLabel(), 1.3)
        self.expected = QLabel()
        self.expected.setWordWrap(True)
        self.explanation = QLabel()
        self.explanation.setWordWrap(True)
        self.explanation.setTextFormat(Qt.TextFormat.PlainText)
        for w in (self.verdict, self.expected, self.explanation):
            fb_layout.addWidget(w)
        layout.addWidget(self.feedback)
        layout.addStretch()
        row = QHBoxLayout()
        row.addStretch()
        self.button = QPushButton()
        self.button.clicked.connect(self.submit_requested)
        row.addWidget(self.button)
        layout.addLayout(row)
        self.answer: AnswerWidget | None = None

    def show_item(
        self, item: QuizItem, index: int, total: int, topic_title: str, widget: AnswerWidget
    ) -> None:
        """Show question `index` (0-based) of `total` with a fresh answer widget."""
        self.counter.setText(f"Question {index + 1} of {total}")
        self.topic.setText(f"{topic_title} · difficulty {item.difficulty}")
        self.bar.setMaximum(total)
        self.bar.setValue(index)
        self.prompt.setText(item.prompt)
        self.how.setText(question_type(item.type).instructions)
        if self.answer is not None:
            self.answer_holder.removeWidget(self.answer)
            self.answer.hide()  # deleteLater waits for the event loop; never show both
            self.answer.deleteLater()
        self.answer = widget
        self.answer_holder.addWidget(widget)
        self.hint.clear()
        self.feedback.hide()
        self.button.setText("&Submit (Enter)")
        widget.focus_first()

    def show_hint(self, hint: str) -> None:
        """The core said the input is not an answer yet: say what to type."""
        self.hint.setText(f"⚠ {hint}")
        if self.answer is not None:
            self.answer.focus_first()

    def show_feedback(self, feedback: Feedback, last: bool, key: AnswerKey) -> None:
        """Right or wrong in colour with an icon, the right options marked, the explanation."""
        self.hint.clear()
        if self.answer is not None:
            self.answer.set_locked(True)
            self.answer.mark(key)
        verdict = RIGHT if feedback.correct else WRONG
        words = "Right" if feedback.correct else "Not quite"
        self.verdict.setText(f"{verdict[0]} {words}")
        self.verdict.setStyleSheet(sheet(verdict))
        self.expected.setText("" if feedback.correct else f"Expected: {feedback.expected}")
        self.expected.setVisible(not feedback.correct)
        self.explanation.setText(feedback.explanation)
        self.feedback.show()
        self.bar.setValue(self.bar.value() + 1)
        self.button.setText("See the &score (Enter)" if last else "&Next question (Enter)")
        self.button.setFocus(Qt.FocusReason.OtherFocusReason)


class ResultPage(QWidget):
    """The final score per topic, when review brings the questions back, and each missed
    question with its explanation and a button to the lab that shows it."""

    open_screen = Signal(str)  # a screen id from kviz.ui.screens.SCREENS

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QVBoxLayout(self)
        self.headline = _big(QLabel(), 1.6)
        layout.addWidget(self.headline)
        self.next_review = QLabel()
        self.next_review.setWordWrap(True)
        layout.addWidget(self.next_review)
        self.table = QTableWidget(0, 3)
        self.table.setHorizontalHeaderLabels(["Topic", "Right", "Score"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.table.setTabKeyNavigation(False)
        self.table.setMaximumHeight(140)
        layout.addWidget(self.table)
        self.missed_title = QLabel("<b>Missed questions</b>")
        layout.addWidget(self.missed_title)
        self.missed = QScrollArea()
        self.missed.setWidgetResizable(True)
        self.missed.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        layout.addWidget(self.missed, 1)
        self.lab_buttons: list[QPushButton] = []
        row = QHBoxLayout()
        self.again = QPushButton("&Done")
        self.again.setAutoDefault(True)  # Enter on the focused button closes the score
        row.addWidget(self.again)
        row.addStretch()
        layout.addLayout(row)

    def show_score(
        self,
        score: Score,
        titles: Mapping[str, str],
        missed: Sequence[tuple[QuizItem, Feedback]] = (),
        next_due: datetime | None = None,
    ) -> None:
        """The score; `missed` are the wrong answers in the order asked."""
        self.headline.setText(f"Score: {score.correct} of {score.total} ({score.accuracy:.0%})")
        self.next_review.setText(
            "Review brings your answers back when they are due; "
            + (f"the next is due {when_due(next_due)}." if next_due else "none is scheduled yet.")
        )
        self._show_missed(missed)
        self.table.setRowCount(len(score.per_topic))
        for r, t in enumerate(score.per_topic):
            cells = [titles.get(t.topic, t.topic), f"{t.correct} of {t.total}", f"{t.accuracy:.0%}"]
            for c, text in enumerate(cells):
                self.table.setItem(r, c, QTableWidgetItem(text))
        rows = sum(self.table.rowHeight(r) for r in range(self.table.rowCount()))
        frame = 2 * self.table.frameWidth() + self.table.horizontalHeader().height()
        self.table.setMaximumHeight(min(140, rows + frame + 2))  # room left for the missed list
        self.again.setFocus(Qt.FocusReason.OtherFocusReason)

    def _show_missed(self, missed: Sequence[tuple[QuizItem, Feedback]]) -> None:
        from kviz.ui.screens import lab_link

        box = QWidget()
        column = QVBoxLayout(box)
        self.lab_buttons = []
        self.missed_title.setText(
            f"<b>Missed: {count(len(missed), 'question')}</b>" if missed else "<b>None missed.</b>"
        )
        for item, feedback in missed:
            prompt = QLabel(item.prompt)
            prompt.setTextFormat(Qt.TextFormat.PlainText)
            prompt.setWordWrap(True)
            font = prompt.font()
            font.setBold(True)
            prompt.setFont(font)
            expected = QLabel(f"Expected: {feedback.expected}")
            expected.setTextFormat(Qt.TextFormat.PlainText)
            expected.setWordWrap(True)
            why = QLabel(feedback.explanation)
            why.setTextFormat(Qt.TextFormat.PlainText)
            why.setWordWrap(True)
            for w in (prompt, expected, why):
                column.addWidget(w)
            link = lab_link(item.lab)
            if link is not None:
                screen_id, label = link
                button = QPushButton(label)
                button.setAutoDefault(True)
                button.clicked.connect(lambda _=False, s=screen_id: self.open_screen.emit(s))
                row = QHBoxLayout()
                row.addWidget(button)
                row.addStretch()
                column.addLayout(row)
                self.lab_buttons.append(button)
        column.addStretch()
        self.missed.setWidget(box)
        self.missed.setVisible(bool(missed))
