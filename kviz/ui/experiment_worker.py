"""The worker that runs one guided experiment off the main thread (plain data out only)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from kviz.ui.lab_workers import keep_model
from kviz.ui.workers import Worker

if TYPE_CHECKING:
    from pathlib import Path

    from trainer.data import MnistData
    from trainer.experiments import Experiment, ExperimentResult, PlannedRun
    from trainer.training import ProgressEvent, RunResult


class ExperimentWorker(Worker[tuple[int, "ProgressEvent"], "ExperimentResult"]):
    """Runs one experiment; progress carries (run index, event), items (index, run, result).

    Each finished run's model is saved in `models` on this thread before the run is posted,
    so Predict and Draw can open experiment runs like any other."""

    trains = True

    def __init__(self, exp: Experiment, data: MnistData, quick: bool, models: Path | None) -> None:
        super().__init__()
        self.exp, self.data, self.quick, self.models = exp, data, quick, models

    def _on_result(self, index: int, run: PlannedRun, result: RunResult) -> None:
        keep_model(result, self.models, self.warnings)  # so Predict and Draw can open it
        self.post_item((index, run, result))

    def _listener(self, index: int, event: ProgressEvent) -> None:
        self.post_progress((index, event), force=event.kind == "epoch")

    def work(self) -> ExperimentResult:
        from trainer.experiments import run_experiment

        return run_experiment(
            self.exp,
            self.data,
            quick=self.quick,
            listener=self._listener,
            cancel=self.cancel,
            on_result=self._on_result,
        )
