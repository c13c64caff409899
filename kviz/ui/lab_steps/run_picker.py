"""The run picker of Predict and Draw: any saved run that kept its model, newest first.

Both steps show the run in `AppState.run_uid` (the last trained, or the last one picked in
either step), so picking a run in Predict also sets it for Draw.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QLabel, QWidget

if TYPE_CHECKING:
    from kviz.store.views import LabRun
    from kviz.ui.state import AppState
    from trainer.config import Normalization


def normalization(run: LabRun) -> Normalization:
    """How the run scaled its input pixels (the default for runs saved before the setting)."""
    from trainer.settings import with_defaults

    value: Normalization = with_defaults(run.config)["normalization"]
    return value


def run_label(run: LabRun) -> str:
    """'28 Nov 10:12 - 1 block, 8 filters, ... - 97.12%': when, what, how well."""
    from trainer.settings import describe

    accuracy = run.test_accuracy
    score = "n/a" if accuracy is None else f"{accuracy:.2%}"
    when = run.created_at.astimezone().strftime("%d %b %H:%M")
    return f"{when} — {describe(run.config)} — {score}"


class RunPicker(QWidget):
    """A labelled combo box of saved runs; `picked(uid)` when the learner chooses one."""

    picked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.combo = QComboBox()
        self.combo.setAccessibleName("Saved run whose model is used")
        # Long config summaries must not widen the window past its minimum size.
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.setMinimumContentsLength(24)
        self.combo.currentIndexChanged.connect(self._changed)
        label = QLabel("Saved &run:")
        label.setBuddy(self.combo)
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(label)
        layout.addWidget(self.combo, 1)
        self.runs: list[LabRun] = []  # as listed, newest first
        self.without_model = 0  # finished runs left out: saved before models were, or file gone
        self._filling = False

    def refresh(self, state: AppState) -> LabRun | None:
        """List the learner's finished runs whose model file is there and select the state's
        run (else the newest); returns the selected run, None when there is none."""
        from kviz.store.lab_runs import list_lab_runs
        from kviz.store.run_models import has_model

        folder = state.models_folder
        finished = [
            r for r in reversed(list_lab_runs(state.db, state.learner_id)) if not r.cancelled
        ]
        self.runs = [r for r in finished if has_model(folder, r.uid)]
        self.without_model = len(finished) - len(self.runs)
        uids = [r.uid for r in self.runs]
        self._filling = True
        try:
            self.combo.clear()
            for run in self.runs:
                self.combo.addItem(run_label(run), run.uid)
                self.combo.setItemData(
                    self.combo.count() - 1, run_label(run), Qt.ItemDataRole.ToolTipRole
                )
            if self.runs:
                chosen = state.run_uid if state.run_uid in uids else uids[0]
                self.combo.setCurrentIndex(uids.index(chosen))
        finally:
            self._filling = False
        self.combo.setEnabled(bool(self.runs))
        return self.current_run()

    def missing(self, then: str) -> str:
        """What to say when no run can be opened, ending with `then` (what to do)."""
        if self.without_model:
            return (
                f"None of your {self.without_model} saved run(s) kept its model (runs saved "
                f"before Kviz kept models, or whose model file is gone): {then}"
            )
        return f"No saved model yet: {then}"

    def current_run(self) -> LabRun | None:
        index = self.combo.currentIndex()
        return self.runs[index] if 0 <= index < len(self.runs) else None

    def _changed(self, index: int) -> None:
        if not self._filling and 0 <= index < len(self.runs):
            self.picked.emit(self.runs[index].uid)
