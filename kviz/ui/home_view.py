"""Home: mastery per topic, what is due, recent quizzes and lab runs, attempts over time.

Everything shown comes from the store's dataclasses (learner_stats, recent_quizzes,
list_lab_runs, attempts_per_day); the chart waits until matplotlib has been warmed up.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QProgressBar,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from kviz.ui.charts import Chart
from kviz.ui.state import AppState
from kviz.wording import count, nothing_due

if TYPE_CHECKING:
    from datetime import date, datetime

    from kviz.store.views import LearnerStats

MASTERY_MIN_HEIGHT = 110  # about four topics' rows; the rest scroll


class HomeView(QWidget):
    """The learner's overview; `go(screen_id)` asks the window to open another screen.

    `buttons` are (screen id, button label) pairs, from the screen registry; the Review
    button is enabled only while something is due.
    """

    go = Signal(str)

    def __init__(
        self,
        state: AppState,
        buttons: list[tuple[str, str]],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.state = state
        layout = QVBoxLayout(self)
        self.greeting = QLabel("<h2>Welcome to Kviz</h2>Opening your records…")
        self.greeting.setWordWrap(True)
        layout.addWidget(self.greeting)
        # What is due, in full width: in the narrow column beside the topics it wrapped onto
        # lines the layout did not make room for, and was cut off.
        self.due = QLabel()
        self.due.setWordWrap(True)
        layout.addWidget(self.due)
        self.experiments_done = QLabel()  # which guided experiments the learner has done
        self.experiments_done.setWordWrap(True)
        layout.addWidget(self.experiments_done)

        top = QHBoxLayout()
        mastery = QGroupBox("Mastery per topic (recent answers)")
        # The topics scroll (a learner's own imported topics add rows), so the rows keep their
        # height at any window size instead of being squeezed over each other.
        rows = QWidget()
        rows_layout = QVBoxLayout(rows)
        rows_layout.setContentsMargins(0, 0, 0, 0)
        self.mastery_grid = QGridLayout()
        rows_layout.addLayout(self.mastery_grid)
        rows_layout.addStretch()
        scroll = QScrollArea()
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        scroll.setWidget(rows)
        scroll.setMinimumHeight(MASTERY_MIN_HEIGHT)
        QVBoxLayout(mastery).addWidget(scroll)
        top.addWidget(mastery, 3)
        side = QVBoxLayout()
        due_box = QGroupBox("Next")
        due_layout = QVBoxLayout(due_box)
        self.buttons: dict[str, QPushButton] = {}
        for screen_id, label in buttons:
            button = QPushButton(label)
            button.clicked.connect(lambda _checked=False, sid=screen_id: self.go.emit(sid))
            due_layout.addWidget(button)
            self.buttons[screen_id] = button
        self.history_button = QPushButton("Answer &history…")
        self.history_button.setToolTip("Every answer with the question as it was shown")
        self.history_button.clicked.connect(self.show_history)
        due_layout.addWidget(self.history_button)
        self.review_button = self.buttons.get("review")
        if self.review_button is not None:
            self.review_button.setEnabled(False)
        side.addWidget(due_box)
        side.addStretch()
        top.addLayout(side, 1)
        layout.addLayout(top, 3)

        bottom = QHBoxLayout()
        quiz_box = QGroupBox("Recent quizzes")
        QVBoxLayout(quiz_box).addWidget(quizzes := QListWidget())
        self.quizzes = quizzes
        runs_box = QGroupBox("Recent lab runs")
        QVBoxLayout(runs_box).addWidget(runs := QListWidget())
        self.runs = runs
        for w in (self.quizzes, self.runs):
            w.setMinimumHeight(70)
        bottom.addWidget(quiz_box)
        bottom.addWidget(runs_box)
        layout.addLayout(bottom, 1)

        chart_box = QGroupBox("Answers per day (last 30 days)")
        chart_layout = QVBoxLayout(chart_box)
        self.chart = Chart(min_height=120)
        chart_layout.addWidget(self.chart)
        layout.addWidget(chart_box, 1)
        self._days: list[tuple[date, int, int]] = []
        state.records_changed.connect(self._refresh_if_visible)
        state.warm.connect(self._on_warm)

    def activated(self) -> None:
        self.refresh()

    def _refresh_if_visible(self) -> None:
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        """Reload everything from the database (each call is one short transaction)."""
        from kviz.store.lab_runs import list_lab_runs
        from kviz.store.records import attempts_per_day, learner_stats, next_due, recent_quizzes

        learner_id = self.state.learner_id
        if learner_id is None:
            self.greeting.setText("<h2>Welcome to Kviz</h2>Choose a learner to begin.")
            return
        stats = learner_stats(self.state.db, learner_id)
        self._show_stats(stats, next_due(self.state.db, learner_id))
        self.quizzes.clear()
        for q in recent_quizzes(self.state.db, learner_id, limit=10):
            when = q.started_at.astimezone().strftime("%d %b %H:%M")
            self.quizzes.addItem(f"{when}  {q.mode}: {q.outcome()}")
        if not self.quizzes.count():
            self.quizzes.addItem("No quiz yet.")
        self._show_experiments(learner_id)
        self.runs.clear()
        from trainer.data import data_label
        from trainer.experiments import BY_ID
        from trainer.settings import describe

        for run in list(reversed(list_lab_runs(self.state.db, learner_id)))[:10]:
            when = run.created_at.astimezone().strftime("%d %b %H:%M")
            acc = run.test_accuracy
            acc_text = f"{acc:.2%}" if acc is not None else "n/a"
            preset, exp = run.metrics.get("preset"), BY_ID.get(run.metrics.get("experiment", ""))
            what = f"quest rung {preset}" if preset else describe(run.config)
            if exp is not None:
                what = f"{exp.title}: {run.metrics.get('label', what)}"
            data = data_label(run.source, run.metrics.get("n_train"), run.metrics.get("n_test"))
            self.runs.addItem(f"{when}  {what}: test accuracy {acc_text} ({data})")
        if not self.runs.count():
            self.runs.addItem("No lab run yet.")
        self._days = attempts_per_day(self.state.db, learner_id, days=30)
        if "matplotlib.figure" in sys.modules:
            self._plot()

    def _show_experiments(self, learner_id: int) -> None:
        """Which guided experiments are done (every run of one sitting finished)."""
        from kviz.store.experiments import done_experiments
        from trainer.experiments import EXPERIMENTS

        done = done_experiments(self.state.db, learner_id)
        names = [e.title for e in EXPERIMENTS if e.id in done]
        self.experiments_done.setText(
            f"Experiments done: {len(names)} of {len(EXPERIMENTS)}"
            + (f" ({', '.join(names)})." if names else ".")
        )

    def _show_stats(self, stats: LearnerStats, next_due_at: datetime | None) -> None:
        self.greeting.setText(
            f"<h2>Hello, {stats.learner.name}</h2>"
            f"{count(stats.attempts, 'answer')} so far, {stats.correct} right. "
            f"Day streak: {stats.day_streak}. Right in a row: {stats.right_streak}."
        )
        while self.mastery_grid.count():
            item = self.mastery_grid.takeAt(0)
            old = item.widget() if item is not None else None
            if old is not None:
                old.deleteLater()
        titles = self._titles()
        by_topic = {t.topic: t for t in stats.topics}
        for row, topic in enumerate(sorted(set(titles) | set(by_topic))):
            t = by_topic.get(topic)
            name = QLabel(titles.get(topic, topic))
            name.setWordWrap(True)  # long topic names take two lines in a narrow window
            bar = QProgressBar()
            bar.setRange(0, 100)
            bar.setAccessibleName(f"Mastery of {name.text()}")
            answers = QLabel()
            if t is None or t.mastery is None:
                bar.setValue(0)
                bar.setFormat("not tried yet")
            else:
                bar.setValue(round(t.mastery * 100))
                trend = ""
                if t.trend is not None:
                    trend = " ↑" if t.trend > 0 else " ↓" if t.trend < 0 else " →"
                bar.setFormat(f"%p%{trend}")
                answers.setText(count(t.recent, "answer"))
            # The bar's own size hint ignores its text: keep room for it at any width.
            text_width = bar.fontMetrics().horizontalAdvance(bar.text()) + 24
            bar.setMinimumWidth(max(bar.minimumSizeHint().width(), text_width))
            due = QLabel(f"{t.due} due" if t is not None and t.due else "")
            self.mastery_grid.addWidget(name, row, 0)
            self.mastery_grid.addWidget(bar, row, 1)
            self.mastery_grid.addWidget(answers, row, 2)
            self.mastery_grid.addWidget(due, row, 3)
        self.mastery_grid.setColumnStretch(0, 2)  # names get room to stay on one line
        self.mastery_grid.setColumnStretch(1, 3)
        self.due.setText(
            f"<b>{count(stats.due, 'question')}</b> due for review."
            if stats.due
            else nothing_due(next_due_at)
        )
        if self.review_button is not None:
            self.review_button.setEnabled(stats.due > 0)

    def main_control(self) -> QWidget | None:
        """Enter starts what comes next: the review when something is due, else a quiz."""
        if self.review_button is not None and self.review_button.isEnabled():
            return self.review_button
        return self.buttons.get("quiz")

    def _titles(self) -> dict[str, str]:
        try:
            return dict(self.state.bank().titles)
        except Exception:  # a broken bank is reported by the quiz screen; names suffice here
            return {}

    def _on_warm(self, stage: str) -> None:
        if stage == "matplotlib" and self.state.learner_id is not None:
            self._plot()

    def _plot(self) -> None:
        fig = self.chart.figure
        fig.clear()
        ax = fig.add_subplot()
        from matplotlib.dates import date2num

        c = self.chart.colors
        days = date2num([d for d, _n, _r in self._days])  # matplotlib's day numbers
        attempts = [n for _d, n, _r in self._days]
        right = [r for _d, _n, r in self._days]
        if any(attempts):  # 30 days of zeros is "no history yet", not an empty chart
            ax.bar(days, attempts, color=c["grid"], label="answers")
            ax.bar(days, right, color=c["accent"], label="right")
            ax.legend(loc="upper left")
            from matplotlib.dates import DateFormatter
            from matplotlib.ticker import MaxNLocator

            ax.xaxis.set_major_formatter(DateFormatter("%d %b"))
            ax.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
            ax.set_ylim(bottom=0)
        else:
            self.chart.show_message(ax, "No answers yet: take a quiz to start your history.")
            ax.set_xticks([])
            ax.set_yticks([])
        self.chart.style_axes(ax)
        self.chart.redraw_now()
        self.chart.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    def show_history(self) -> None:
        """The chosen learner's answers, with what was shown (a dialog)."""
        from kviz.ui.history_dialog import HistoryDialog

        learner = self.state.learner
        if self.state.db is None or learner is None:
            return
        bank = self.state.bank()
        HistoryDialog(self.state.db, learner.id, learner.name, bank, self).exec()
