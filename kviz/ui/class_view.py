"""The Class screen (a teacher's report on the class database) and File > Connect.

Connecting as a learner links the local file to the class database (kviz.classroom.sync):
answers are saved locally first and pushed after each quiz and every 30 seconds, so a lost
connection is announced in the status bar and costs nothing. Connecting as a teacher (or
the owner) shows the report of kviz.classroom.report here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QBrush, QColor
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from kviz.classroom.report import ClassReport
    from kviz.ui.main_window import MainWindow
    from kviz.ui.state import AppState

SYNC_EVERY_MS = 30_000
NOT_CONNECTED = (
    "<h2>Class</h2><p>Connect to your class database as a teacher (this button or File &gt; "
    "Connect to a class database…) to see each learner's mastery, how each question did and "
    "who ran which labs.</p>"
)


def _table(headers: list[str]) -> QTableWidget:
    t = QTableWidget(0, len(headers))
    t.setHorizontalHeaderLabels(headers)
    t.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
    t.verticalHeader().setVisible(False)
    t.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    return t


def _fill(t: QTableWidget, rows: list[list[tuple[str, QColor | None]]]) -> None:
    t.setRowCount(len(rows))
    for r, row in enumerate(rows):
        for c, (text, color) in enumerate(row):
            item = QTableWidgetItem(text)
            if color is not None:
                item.setBackground(QBrush(color))
            t.setItem(r, c, item)


def _shade(share: float | None) -> QColor | None:
    """Red (0%) through yellow to green (100%), pale enough to read text on."""
    if share is None:
        return None
    return QColor.fromHsvF(share / 3, 0.45, 1.0)


class ClassView(QWidget):
    """Mastery per learner and topic, question statistics (most missed first), labs."""

    def __init__(self, state: AppState) -> None:
        super().__init__()
        self.state = state
        self.title = QLabel(NOT_CONNECTED)
        self.title.setWordWrap(True)
        # The window's factory wires it to File > Connect (it needs the window).
        self.connect_button = QPushButton("&Connect to a class database…")
        self.mastery = _table(["learner"])
        self.questions = _table(["question", "topic", "answers", "% right", "discrimination"])
        self.labs = _table(["learner", "lab (settings changed)", "runs", "best accuracy"])
        lower = QSplitter()
        lower.addWidget(self.questions)
        lower.addWidget(self.labs)
        split = QSplitter(Qt.Orientation.Vertical)
        split.addWidget(self.mastery)
        split.addWidget(lower)
        split.setSizes([520, 300])
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        connect_row = QHBoxLayout()
        connect_row.addWidget(self.connect_button)
        connect_row.addStretch()
        layout.addLayout(connect_row)
        layout.addWidget(split, 1)
        layout.addStretch()
        self.tables = split
        self.tables.setVisible(False)

    def main_control(self) -> QWidget | None:
        """Connect until a report shows, then the mastery table."""
        return self.mastery if self.tables.isVisibleTo(self) else self.connect_button

    def activated(self) -> None:
        db = class_database(self.state)
        if db is None:
            self.title.setText(NOT_CONNECTED)
            self.tables.setVisible(False)
            self.connect_button.setVisible(True)
            return
        from kviz.classroom.report import class_report

        try:
            report = class_report(db)
        except Exception as e:  # a dropped connection: say so, keep the screen usable
            self.title.setText(f"<h2>Class</h2><p>The class database cannot be read: {e}</p>")
            return
        self.show_report(report)

    def show_report(self, report: ClassReport) -> None:
        topics = sorted({m.topic for m in report.mastery})
        answered = sum(q.answers for q in report.questions)
        self.title.setText(
            f"<h2>Class: {len(report.learners)} learners, {answered} answers</h2>"
            "<p>Mastery is the share right of each learner's last answers per topic. "
            "Discrimination compares a question with the rest of the same quiz: near 0 or "
            "below, it does not tell strong from weak answers.</p>"
        )
        self.mastery.setColumnCount(1 + len(topics))
        self.mastery.setHorizontalHeaderLabels(["learner", *topics])
        cell = {(m.learner, m.topic): m for m in report.mastery}
        rows = []
        for learner in report.learners:
            row: list[tuple[str, QColor | None]] = [(learner, None)]
            for topic in topics:
                m = cell.get((learner, topic))
                row.append((f"{m.mastery:.0%}", _shade(m.mastery)) if m else ("-", None))
            rows.append(row)
        _fill(self.mastery, rows)
        missed_first = sorted(report.questions, key=lambda q: (q.percent_right, q.question_id))
        _fill(
            self.questions,
            [
                [
                    (q.question_id, None),
                    (q.topic, None),
                    (str(q.answers), None),
                    (f"{q.percent_right:.0f}%", _shade(q.percent_right / 100)),
                    ("-" if q.discrimination is None else f"{q.discrimination:+.2f}", None),
                ]
                for q in missed_first
            ],
        )
        _fill(
            self.labs,
            [
                [
                    (lab.learner, None),
                    (lab.lab, None),
                    (str(lab.runs), None),
                    ("-" if lab.best_accuracy is None else f"{lab.best_accuracy:.2%}", None),
                ]
                for lab in report.labs
            ],
        )
        self.tables.setVisible(True)
        self.connect_button.setVisible(False)


def class_database(state: AppState) -> Any:
    """The database the Class screen reports on: the connected class database, or the app's
    own database when it is a PostgreSQL one."""
    class_db = getattr(state, "class_db", None)
    if class_db is not None:
        return class_db
    if not state.db_open:
        return None
    return state.db if state.db.engine.dialect.name == "postgresql" else None


def _is_learner_login(db: Any) -> bool:
    from sqlalchemy import text

    with db.engine.connect() as conn:
        own = conn.execute(text("SELECT 1 FROM learners WHERE db_role = current_user LIMIT 1"))
        return own.first() is not None


def connect_class(window: MainWindow) -> None:
    """File > Connect to a class database…: ask for the URL, then link or report."""
    url, ok = QInputDialog.getText(
        window,
        "Connect to a class database",
        "Class database URL (from your teacher):",
        QLineEdit.EchoMode.Password,
    )
    if ok and url.strip():
        link_class(window, url.strip())


def link_class(window: MainWindow, url: str) -> None:
    from kviz.classroom.sync import ClassLink
    from kviz.store.database import DatabaseError, open_database

    state = window.state
    try:
        db = open_database(url)
    except DatabaseError as e:
        QMessageBox.warning(
            window,
            "Class database unreachable",
            f"{e}\n\nYou keep working on your own file; Kviz will send your answers when the "
            "class database can be reached.",
        )
        db = None
    if db is not None and not _is_learner_login(db):
        state.class_db = db
        window.go("class")
        return
    if db is not None:
        db.close()
    link = ClassLink(state.db, url)
    state.class_link = link

    def sync() -> None:
        learner = state.learner.name if state.learner is not None else None
        window.statusBar().showMessage(link.sync(learner).message)

    timer = QTimer(window)
    timer.timeout.connect(sync)
    timer.start(SYNC_EVERY_MS)
    state.records_changed.connect(sync)
    sync()
