"""Labs: the reference lab as five guided steps (data, build, train, predict, draw).

A finished run is saved to the learner's records at once (its worker has already written its
model file, kviz.store.run_models) and becomes the run the Predict and Draw steps show; a
cancelled run is reported as cancelled and not saved.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QTabWidget, QVBoxLayout, QWidget

from kviz.ui.data_banner import DataBanner
from kviz.ui.lab_steps.build_step import BuildStep
from kviz.ui.lab_steps.data_step import DataStep
from kviz.ui.lab_steps.draw_step import DrawStep
from kviz.ui.lab_steps.predict_step import PredictStep
from kviz.ui.lab_steps.train_step import TrainStep
from kviz.ui.screens import MainControl, View
from kviz.ui.state import AppState

if TYPE_CHECKING:
    from trainer.training import RunResult


class LabView(QWidget):
    """The steps as tabs (Ctrl+PgDown / Ctrl+PgUp move between them)."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.data_step = DataStep(state)
        self.build_step = BuildStep()
        self.train_step = TrainStep(state, lambda: self.build_step.config)
        self.predict_step = PredictStep(state)
        self.draw_step = DrawStep(state)
        self.tabs = QTabWidget()
        for label, step in (
            ("&1 Data", self.data_step),
            ("&2 Build", self.build_step),
            ("&3 Train", self.train_step),
            ("&4 Predict", self.predict_step),
            ("&5 Draw", self.draw_step),
        ):
            self.tabs.addTab(step, label)
        self.tabs.currentChanged.connect(self._step_shown)
        self.train_step.run_finished.connect(self._on_run_finished)
        self.saved_run_ids: list[int] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.data_banner = DataBanner(state)  # above every step: Train uses the same data
        layout.addWidget(self.data_banner)
        layout.addWidget(self.tabs)
        self.setFocusProxy(self.tabs)
        # As Help says, wherever the focus is in a step (a table or the code view would
        # otherwise take the keys for themselves).
        for keys, by in (("Ctrl+PgDown", 1), ("Ctrl+PgUp", -1)):
            move = QShortcut(QKeySequence(keys), self)
            move.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            move.activated.connect(lambda by=by: self.move_step(by))

    def move_step(self, step: int) -> None:
        """Show the next (+1) or previous (-1) step, wrapping around like Ctrl+Tab."""
        self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % self.tabs.count())

    def activated(self) -> None:
        self._step_shown(self.tabs.currentIndex())

    def main_control(self) -> QWidget | None:
        """The current step's main button; the tab bar for a step without one (arrow keys and
        Ctrl+PgDown move between the steps from there)."""
        step = self.tabs.currentWidget()
        main = step.main_control() if isinstance(step, MainControl) else None
        return main if main is not None and main.isEnabled() else self.tabs.tabBar()

    def _step_shown(self, index: int) -> None:
        step = self.tabs.widget(index)
        assert isinstance(step, View)
        step.activated()

    def _on_run_finished(self, result: RunResult) -> None:
        from kviz.store.lab_runs import save_lab_run

        self.saved_run_ids.append(
            save_lab_run(self.state.db, self.state.learner_id, result.to_dict())
        )
        self.state.set_result(result)
        self.state.records_changed.emit()
        if self.tabs.currentWidget() is self.predict_step:
            self.predict_step.activated()
        elif self.tabs.currentWidget() is self.draw_step:
            self.draw_step.activated()
