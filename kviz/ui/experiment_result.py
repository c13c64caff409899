"""An experiment's result page: its chart, the runs, the verdict on the prediction, the
explanation quoting the learner's numbers and the committed reference."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QScrollArea, QVBoxLayout, QWidget

from kviz.ui.charts import Chart
from kviz.ui.experiment_charts import draw_result
from kviz.ui.verdict_style import RIGHT, WRONG, sheet

if TYPE_CHECKING:
    from kviz.quiz.answers import Answer
    from kviz.quiz.grading import Feedback
    from kviz.quiz.items import QuizItem
    from trainer.experiments import Experiment, ExperimentResult

Prediction = tuple["QuizItem", "Answer", "Feedback"]


def wrapped(text: str = "", rich: bool = False) -> QLabel:
    """A selectable label that wraps (plain text unless `rich`)."""
    label = QLabel(text)
    label.setWordWrap(True)
    label.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
    return label


class ResultPage(QScrollArea):
    """Scrolls as a whole, so the chart keeps its height at the minimum window size."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        page = QWidget()
        layout = QVBoxLayout(page)
        self.title = QLabel()
        layout.addWidget(self.title)
        self.verdict = wrapped()
        layout.addWidget(self.verdict)
        self.chart = Chart(min_height=260)
        layout.addWidget(self.chart)
        self.table = wrapped(rich=True)
        layout.addWidget(self.table)
        self.explanation = wrapped()
        layout.addWidget(self.explanation)
        self.reference = wrapped()
        layout.addWidget(self.reference)
        row = QHBoxLayout()
        self.own_button = QPushButton("&Questions on your runs")
        row.addWidget(self.own_button)
        self.compare_button = QPushButton("See the runs in &Compare")
        row.addWidget(self.compare_button)
        row.addStretch()
        self.again_button = QPushButton("Run &again")
        row.addWidget(self.again_button)
        layout.addLayout(row)
        self.setWidget(page)

    def show_outcome(
        self, exp: Experiment, outcome: ExperimentResult, prediction: Prediction | None
    ) -> None:
        """Fill the page from the experiment's runs (a cancelled one: its finished runs)."""
        from kviz.experiments.flow import explain, verdict
        from kviz.ui.experiment_text import reference_text, runs_table

        finding = outcome.finding
        kept = [
            (p, r)
            for p, r in zip(outcome.planned, outcome.results, strict=False)
            if not r.cancelled
        ]
        cancelled = (
            f"<p>Cancelled after {len(kept)} of {len(outcome.planned)} runs: the finished "
            "runs are kept; the finding below uses only them.</p>"
        )
        self.title.setText(
            f"<h3>{exp.title}: results</h3>" + (cancelled if outcome.cancelled else "")
        )
        held = ""
        if prediction is not None:
            item, answer, _ = prediction
            held = verdict(exp.id, item, answer, finding)
        self.verdict.setText(f"Your prediction: {prediction_text(prediction)}\n{held}")
        good = held.startswith("Your prediction held")
        self.verdict.setStyleSheet(sheet(RIGHT if good else WRONG) if held else "")
        draw_result(self.chart, exp, kept)
        self.table.setText(runs_table(kept))
        self.explanation.setText(explain(exp.id, finding) or "No run finished.")
        self.reference.setText(reference_text(exp.id, outcome.quick))
        self.verticalScrollBar().setValue(0)


def prediction_text(prediction: Prediction | None) -> str:
    """The option(s) the learner committed to, and whether they match the reference result."""
    if prediction is None:
        return "none"
    item, answer, feedback = prediction
    picked = sorted(answer.choices)
    shown = "; ".join(item.choices[i] for i in picked) if picked else answer.raw
    mark = "✓ agrees with" if feedback.correct else "✗ differs from"
    return f"{shown} ({mark} the reference result)"
