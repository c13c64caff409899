"""The Experiments screen: predict, run, explain, for each of the guided experiments.

A thin layer over kviz.experiments (prediction, verdict, explanation, questions on the
learner's own runs) and trainer.experiments (the runs). The pages follow the flow:
1. Predict: the experiment's question; the answer is graded and kept as an attempt at once,
   but the verdict waits until the runs are in (predict first, then observe).
2. Run: the runs on a background worker, live test-set loss curves, progress over all runs,
   Cancel. Each run is saved the moment it ends, so a cancel or a closed window keeps it.
3. Result: the experiment's chart, the learner's numbers, whether the prediction held, the
   explanation, the reference measured here, and questions about the learner's own runs.
"""

from __future__ import annotations

import time
import uuid
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QCheckBox,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from kviz.ui.charts import Chart
from kviz.ui.data_banner import DataBanner
from kviz.ui.experiment_charts import draw_live
from kviz.ui.experiment_result import ResultPage, wrapped
from kviz.ui.experiment_text import duration_text
from kviz.ui.lab_workers import ExperimentWorker
from kviz.ui.own_runs_page import OwnRunsPage
from kviz.ui.question_widgets import AnswerWidget, answer_widget
from kviz.ui.tasks import Progress, Task, TaskControls

if TYPE_CHECKING:
    from kviz.quiz.answers import Answer
    from kviz.quiz.grading import Feedback
    from kviz.quiz.items import QuizItem
    from kviz.ui.state import AppState
    from trainer.data import MnistData
    from trainer.experiments import Experiment, ExperimentResult, PlannedRun
    from trainer.training import EpochMetrics, ProgressEvent, RunResult

PREDICT, RUN, RESULT, OWN = range(4)


class ExperimentsView(QWidget):
    """The list of experiments beside the current experiment's page."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from trainer.experiments import EXPERIMENTS

        self.state = state
        self.experiments = EXPERIMENTS
        self.exp: Experiment = EXPERIMENTS[0]
        self.item: QuizItem | None = None
        self.answer_input: AnswerWidget | None = None
        self.prediction: tuple[Answer, Feedback] | None = None
        self.quiz_id: int | None = None
        self.task: Task | None = None
        self.sitting = ""
        self.planned: list[PlannedRun] = []
        self.finished: list[tuple[PlannedRun, RunResult]] = []
        self.live: dict[int, list[EpochMetrics]] = {}
        self.saved_run_ids: list[int] = []
        self.own_items: list[QuizItem] = []
        self._shown_at = 0.0

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Guided experiments: predict, run, explain</h2>"))
        self.data_banner = DataBanner(state)  # on the Run page: the Predict page has no room
        split = QSplitter()
        self.list = QListWidget()
        self.list.setAccessibleName("Experiments")
        self.list.setMinimumWidth(150)
        self.list.setMaximumWidth(230)
        self.list.setWordWrap(True)  # long titles wrap instead of scrolling sideways
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.currentRowChanged.connect(self._select)
        split.addWidget(self.list)
        self.pages = QStackedWidget()
        for build in (self._build_predict, self._build_run, self._build_result, self._build_own):
            self.pages.addWidget(build())
        split.addWidget(self.pages)
        split.setStretchFactor(1, 1)
        split.setSizes([190, 800])
        layout.addWidget(split, 1)
        for seq in ("Return", "Enter"):  # Enter commits the prediction, as it answers a quiz
            shortcut = QShortcut(QKeySequence(seq), self.predict_page)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(self.predict_and_run)
        self._fill_list()
        self._select(0)  # the list's row is set with its signals blocked
        state.records_changed.connect(self._fill_list)

    # -- pages -------------------------------------------------------------------------

    def _build_predict(self) -> QWidget:
        page = self.predict_page = QWidget()
        layout = QVBoxLayout(page)
        self.title = QLabel()
        layout.addWidget(self.title)
        self.runs_text = wrapped()
        layout.addWidget(self.runs_text)
        layout.addWidget(QLabel("<b>Your prediction</b> (committed before you see any result):"))
        self.prompt = wrapped()
        layout.addWidget(self.prompt)
        self.answer_holder = QVBoxLayout()
        layout.addLayout(self.answer_holder)
        self.hint = wrapped()
        layout.addWidget(self.hint)
        self.quick = QCheckBox("&Quick version (fewer, smaller runs: a first look in seconds)")
        layout.addWidget(self.quick)
        layout.addStretch()
        row = QHBoxLayout()
        row.addStretch()
        self.run_button = QPushButton("&Predict and run")
        self.run_button.setDefault(True)
        self.run_button.clicked.connect(self.predict_and_run)
        row.addWidget(self.run_button)
        layout.addLayout(row)
        return page

    def _build_run(self) -> QWidget:
        page = QWidget()
        layout = QVBoxLayout(page)
        self.run_title = QLabel()
        layout.addWidget(self.run_title)
        layout.addWidget(self.data_banner)
        self.live_chart = Chart(min_height=220)
        layout.addWidget(self.live_chart, 1)
        controls = TaskControls.make("Run", self.predict_and_run, self.cancel)
        self.cancel_button, self.progress, self.status = (
            controls.cancel,
            controls.progress,
            controls.status,
        )
        self.ui = controls.ui(self, "The experiment")
        self.ui.start = self.run_button  # the run starts from the Predict page
        row = QHBoxLayout()
        row.addWidget(self.progress, 1)
        row.addWidget(self.cancel_button)
        layout.addLayout(row)
        layout.addWidget(self.status)
        return page

    def _build_result(self) -> QWidget:
        self.result = ResultPage()
        self.result.own_button.clicked.connect(self.start_own_questions)
        self.result.compare_button.clicked.connect(self._open_compare)
        self.result.again_button.clicked.connect(lambda: self._select(self.list.currentRow()))
        return self.result

    def _build_own(self) -> QWidget:
        self.own_page = OwnRunsPage(self._record_own)
        self.own_page.finished.connect(self._own_finished)
        return self.own_page

    # -- the list ------------------------------------------------------------------------

    def activated(self) -> None:
        self._fill_list()
        if self.pages.currentIndex() == PREDICT and self.answer_input is not None:
            self.answer_input.focus_first()

    def main_control(self) -> QWidget | None:
        """After a run, its questions; before one, the prediction's first answer control
        (which activated() focused: the prediction comes first), or the list of experiments
        while none is chosen; elsewhere the page's own focus."""
        page = self.pages.currentIndex()
        if page == RESULT:
            return self.result.own_button
        if page == PREDICT and self.answer_input is None:
            return self.list
        return None

    def _fill_list(self) -> None:
        from kviz.store.experiments import done_experiments

        done = {}
        if self.state.db_open and self.state.learner_id is not None:
            done = done_experiments(self.state.db, self.state.learner_id)
        row = max(self.list.currentRow(), 0)
        self.list.blockSignals(True)
        self.list.clear()
        for exp in self.experiments:
            when = done.get(exp.id)
            done_at = when.astimezone().strftime("%d %b %H:%M") if when else ""
            text = exp.title + (f"\n✓ done {done_at}" if when else "")
            item = QListWidgetItem(text)
            item.setData(Qt.ItemDataRole.UserRole, exp.id)
            self.list.addItem(item)
        self.list.setCurrentRow(row)
        self.list.blockSignals(False)
        self.done = done

    def _select(self, row: int) -> None:
        """Show the chosen experiment's Predict page (not while one is running)."""
        if row < 0 or (self.task is not None and not self.task.ended):
            return
        from kviz.experiments.flow import prediction_item
        from trainer.experiments import EXPERIMENTS

        self.exp = EXPERIMENTS[row]
        self.item = prediction_item(self.exp.id, self.state.bank())
        planned = self.exp.runs(quick=False)
        self.title.setText(f"<h3>{self.exp.title}</h3>")
        self.runs_text.setText(
            f"{len(planned)} runs on MNIST: "
            + "; ".join(p.label for p in planned)
            + ". "
            + duration_text(self.exp.id)
        )
        self.prompt.setText(self.item.prompt)
        if self.answer_input is not None:
            self.answer_holder.removeWidget(self.answer_input)
            self.answer_input.hide()
            self.answer_input.deleteLater()
        self.answer_input = answer_widget(self.item.type, self.item.choices, self.item.unit)
        self.answer_holder.addWidget(self.answer_input)
        self.hint.clear()
        self.run_button.setEnabled(True)
        self.pages.setCurrentIndex(PREDICT)
        self._shown_at = time.monotonic()
        self.answer_input.focus_first()

    # -- predict and run -----------------------------------------------------------------

    def predict_and_run(self) -> None:
        """Grade and keep the prediction, then start the runs."""
        from kviz.experiments.flow import grade_prediction, record_prediction
        from kviz.quiz.answers import AnswerFormatError

        if self.item is None or self.answer_input is None:
            return
        try:
            answer, feedback = grade_prediction(self.item, self.answer_input.raw_answer())
        except AnswerFormatError as exc:
            self.hint.setText(f"⚠ {exc}")
            return
        self.prediction = (answer, feedback)
        self.quiz_id = None
        if self.state.db_open and self.state.learner_id is not None:
            seconds = time.monotonic() - self._shown_at
            self.quiz_id = record_prediction(
                self.state.db, self.state.learner_id, self.item, answer, feedback, seconds
            )
        self._start_runs()

    def _start_runs(self) -> None:
        exp, quick = self.exp, self.quick.isChecked()
        self.planned = exp.runs(quick=quick)
        self.finished, self.live, self.sitting = [], {}, str(uuid.uuid4())
        self.run_title.setText(f"<h3>{exp.title}: {len(self.planned)} runs</h3>")
        self.pages.setCurrentIndex(RUN)
        self.list.setEnabled(False)
        draw_live(self.live_chart, [])

        def make_worker(data: MnistData | None) -> ExperimentWorker:
            assert data is not None
            return ExperimentWorker(exp, data, quick, self.state.models_folder)

        self.task = self.state.workers.run_task(
            self.ui,
            make_worker,
            data=self.state,
            on_progress=self._on_progress,
            on_item=self._on_run,
            on_done=self._on_done,
        )
        self.cancel_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _on_progress(self, data: tuple[int, ProgressEvent]) -> Progress:
        index, event = data
        if event.kind == "epoch" and event.val_loss is not None:
            from trainer.training import EpochMetrics

            self.live.setdefault(index, []).append(
                EpochMetrics(
                    event.epoch,
                    event.loss,
                    event.accuracy,
                    event.val_loss,
                    event.val_accuracy or 0.0,
                )
            )
            draw_live(self.live_chart, [(self.planned[i].label, h) for i, h in self.live.items()])
        per_run = event.epochs * event.batches
        done = index * per_run + (event.epoch - 1) * event.batches + event.batch
        return (
            done,
            len(self.planned) * per_run,
            f"Run {index + 1} of {len(self.planned)} ({self.planned[index].label}): epoch "
            f"{event.epoch}/{event.epochs}, {event.images_per_s:,.0f} images/s, this run "
            f"ends in about {event.eta_s:.0f} s",
        )

    def _on_run(self, item: tuple[int, PlannedRun, RunResult]) -> None:
        """Each finished run is saved at once; a cancelled one is not."""
        from kviz.store.experiments import save_experiment_run

        _index, run, result = item
        if result.cancelled:
            return
        self.finished.append((run, result))
        if self.state.db_open:
            self.saved_run_ids.append(
                save_experiment_run(
                    self.state.db,
                    self.state.learner_id,
                    result.to_dict(),
                    experiment=self.exp.id,
                    sitting=self.sitting,
                    label=run.label,
                    planned=len(self.planned),
                )
            )
            self.state.records_changed.emit()

    def _on_done(self, outcome: ExperimentResult) -> str:
        self.list.setEnabled(True)
        self.show_result(outcome)
        kept = sum(not r.cancelled for r in outcome.results)
        if outcome.cancelled:
            return f"Cancelled: {kept} of {len(self.planned)} runs finished and were kept."
        return f"Done: {kept} runs saved."

    # -- result --------------------------------------------------------------------------

    def show_result(self, outcome: ExperimentResult) -> None:
        """The result page for these runs; the session is closed (later answers still join)."""
        from kviz.experiments.flow import close_session
        from kviz.experiments.own_runs import own_run_items

        exp = self.exp
        prediction = None
        if self.item is not None and self.prediction is not None:
            prediction = (self.item, *self.prediction)
        self.result.show_outcome(exp, outcome, prediction)
        if self.quiz_id is not None:
            close_session(self.state.db, self.quiz_id)
        seed = len(self.saved_run_ids)
        self.own_items = own_run_items(exp.id, exp.topic, outcome.finding, seed=seed)
        self.result.own_button.setEnabled(bool(self.own_items))
        self.pages.setCurrentIndex(RESULT)
        self.result.own_button.setFocus(Qt.FocusReason.OtherFocusReason)

    def _open_compare(self) -> None:
        window = self.window()
        go = getattr(window, "go", None)
        if callable(go):
            go("compare")

    # -- questions on the learner's own runs --------------------------------------------

    def start_own_questions(self) -> None:
        self.pages.setCurrentIndex(OWN)
        self.own_page.start(self.own_items)

    def _record_own(
        self, item: QuizItem, answer: Answer, feedback: Feedback, seconds: float
    ) -> None:
        from kviz.experiments.flow import record_own_answer

        if self.quiz_id is not None:
            record_own_answer(self.state.db, self.quiz_id, item, answer, feedback, seconds)

    def _own_finished(self, right: int, total: int) -> None:
        self.state.records_changed.emit()
        self.result.own_button.setText(f"&Questions on your runs (last: {right} of {total})")
        self.pages.setCurrentIndex(RESULT)
