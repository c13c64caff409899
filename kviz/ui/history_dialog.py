"""A learner's answers with what was shown, newest first (history.attempt_history)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from kviz.bank.loader import Bank
    from kviz.store.database import Database

HISTORY_LIMIT = 500  # newest answers shown; `kviz history --limit N` reaches further back
COLUMNS = ("When", "Question", "Result", "Answered", "Expected")


class HistoryDialog(QDialog):
    """The table of one learner's attempts: a click on a row shows its prompt and choices."""

    def __init__(
        self,
        db: Database,
        learner_id: int,
        name: str,
        bank: Bank | None = None,
        parent: QWidget | None = None,
    ):
        from kviz.store.history import attempt_history

        super().__init__(parent)
        self.setWindowTitle(f"History of {name}")
        self.resize(900, 520)
        self.attempts = attempt_history(db, learner_id, HISTORY_LIMIT)
        layout = QVBoxLayout(self)
        n = len(self.attempts)
        layout.addWidget(
            QLabel(f"{n} answer{'s' if n != 1 else ''}, newest first." if n else "No answers yet.")
        )
        self.table = QTableWidget(n, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(3, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(4, QHeaderView.ResizeMode.Stretch)
        self.table.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.table.setWordWrap(False)
        self.answers = []
        for row, a in enumerate(self.attempts):
            entry = bank.get(a.question_id) if bank is not None else None
            self.answers.append(
                a.answer_shown(getattr(entry.question, "choices", None) if entry else None)
            )
            cells = (
                a.answered_at.astimezone().strftime("%Y-%m-%d %H:%M"),
                a.question_id,
                "✔ right" if a.correct else "✘ wrong",
                self.answers[row],
                a.expected or "(not kept then)",
            )
            for col, text in enumerate(cells):
                self.table.setItem(row, col, QTableWidgetItem(text))
        self.table.currentCellChanged.connect(lambda row, *_: self.show_detail(row))
        layout.addWidget(self.table, 1)
        self.detail = QLabel()
        self.detail.setWordWrap(True)
        layout.addWidget(self.detail)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        layout.addWidget(buttons)

    def show_detail(self, row: int) -> None:
        """The prompt and the choices in the order the learner saw them."""
        if not 0 <= row < len(self.attempts):
            return
        a = self.attempts[row]
        lines = [a.prompt or "(the prompt was not kept for this older answer)"]
        lines += [f"    {chr(ord('a') + i)}) {c}" for i, c in enumerate(a.choices or ())]
        lines += [f"Your answer: {self.answers[row]}", f"Expected: {a.expected or '(not kept)'}"]
        self.detail.setText("\n".join(lines))
