"""The workers that train: one lab run, a sweep, a rung over seeds, a guided experiment; each
finished run's model is saved on the worker thread (`keep_model`) before the run is handed on."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

from kviz.ui.workers import Worker

if TYPE_CHECKING:
    from trainer.config import LabConfig
    from trainer.data import MnistData
    from trainer.experiments import Experiment, ExperimentResult, PlannedRun
    from trainer.seeds import SeedRuns
    from trainer.training import ProgressEvent, RunResult


def keep_model(result: RunResult, models: Path | None, warnings: list[str]) -> None:
    """On the worker thread: save a finished run's Keras model as `<models>/<run uid>.keras`
    (kviz.store.run_models), so Predict and Draw can open the run later, after a restart too.

    A model that cannot be written (a full disk, say) costs only the model: the run is still
    handed on and saved, and `warnings` gets a line naming the file."""
    if models is None or result.cancelled or result.model is None:
        return
    from kviz.store.run_models import ModelFileError, save_model

    try:
        save_model(result.model, models, result.uid)
    except ModelFileError as exc:
        warnings.append(f"{exc}: Predict and Draw cannot open this run.")


class TrainWorker(Worker["ProgressEvent", "RunResult"]):
    """Trains one lab configuration; `finished` carries the trainer's RunResult.

    With `models` (a folder), the finished run's model is saved there before it is handed on."""

    trains = True

    def __init__(self, config: LabConfig, data: MnistData, models: Path | None = None) -> None:
        super().__init__()
        self.config = config
        self.data = data
        self.models = models

    def _listener(self, event: ProgressEvent) -> None:
        self.post_progress(event, force=event.kind == "epoch")

    def work(self) -> RunResult:
        from trainer.training import train

        result = train(self.config, self.data, listener=self._listener, cancel=self.cancel)
        keep_model(result, self.models, self.warnings)
        return result


class SweepWorker(Worker[tuple[int, "ProgressEvent"], list["RunResult"]]):
    """Runs the trainer's sweep once per seed; progress carries (run index, ProgressEvent)
    pairs, runs counted across the seeds, and each run is posted as an item (a RunResult)
    the moment it ends; `finished` carries every RunResult. With `models` (a folder), each
    run's model is saved there before the sweep drops it."""

    trains = True

    def __init__(
        self,
        base: LabConfig,
        param: str,
        values: list[Any],
        data: MnistData,
        seeds: list[int] | None = None,
        models: Path | None = None,
    ) -> None:
        super().__init__()
        self.base = base
        self.param = param
        self.values = values
        self.data = data
        self.seeds = seeds or [base.seed]
        self.models = models
        self._offset = 0

    def _on_result(self, _index: int, result: RunResult) -> None:
        keep_model(result, self.models, self.warnings)
        self.post_item(result)

    def _listener(self, index: int, event: ProgressEvent) -> None:
        self.post_progress((self._offset + index, event), force=event.kind == "epoch")

    def work(self) -> list[RunResult]:
        from dataclasses import replace

        from trainer.sweep import sweep

        results: list[RunResult] = []
        for n, seed in enumerate(self.seeds):
            self._offset = n * len(self.values)
            results += sweep(
                replace(self.base, seed=seed),
                self.param,
                self.values,
                self.data,
                listener=self._listener,
                cancel=self.cancel,
                on_result=self._on_result,
            )
            if self.cancel.is_set():
                break
        return results


class SeedsWorker(Worker[tuple[int, "ProgressEvent"], "SeedRuns"]):
    """Trains one config once per seed; progress carries (seed index, ProgressEvent) pairs and
    `finished` the trainer's SeedRuns. With `models` (a folder), each run's model is saved
    there (train_seeds keeps only the last one)."""

    trains = True

    def __init__(
        self, config: LabConfig, seeds: list[int], data: MnistData, models: Path | None = None
    ) -> None:
        super().__init__()
        self.config = config
        self.seeds = seeds
        self.data = data
        self.models = models

    def _listener(self, index: int, event: ProgressEvent) -> None:
        self.post_progress((index, event), force=event.kind == "epoch")

    def work(self) -> SeedRuns:
        from trainer.seeds import train_seeds

        return train_seeds(
            self.config,
            self.seeds,
            self.data,
            listener=self._listener,
            cancel=self.cancel,
            on_result=lambda _index, result: keep_model(result, self.models, self.warnings),
        )


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
