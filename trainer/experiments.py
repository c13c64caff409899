"""Guided experiments: the seed's "next steps" as labs, each a set of runs and what they found.

The seed ends on a to-do list (dropout and overfitting, normalizing data, "what affects
network accuracy and efficiency? run some tests"). Each experiment here is one such test:
the runs it trains (one `LabConfig` each, labelled for the chart), and a `finding` that
reduces the finished runs to the few numbers its explanation quotes. A `quick` plan is a
smaller version of the same runs for tests and busy machines.

Defaults are sized to finish in about two minutes on two cores (see the reference file,
experiments_reference.json, for the times measured here).
"""

from __future__ import annotations

import dataclasses
import json
import threading
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from importlib import resources
from typing import Any, Literal

from trainer.config import LabConfig, Normalization
from trainer.data import MnistData
from trainer.errors import ConfigError
from trainer.findings import (
    Finding,
    finite,
    normalization_finding,
    overfitting_finding,
    seeds_finding,
    setting_finding,
)
from trainer.training import ProgressEvent, RunResult, train

ChartKind = Literal["curves", "setting", "seeds"]


@dataclass(frozen=True)
class PlannedRun:
    """One run of an experiment: its chart label, its group (averaged over seeds) and config."""

    label: str
    group: str
    config: LabConfig


@dataclass(frozen=True)
class Experiment:
    """One guided experiment: the question it answers, its runs and how to read them."""

    id: str
    title: str
    question: str  # what the learner predicts before running
    topic: str  # the bank topic it belongs to
    chart: ChartKind
    setting: str  # the LabConfig field the chart's x axis (or the groups) vary
    plan: Callable[[bool], list[PlannedRun]]  # quick -> the runs
    find: Callable[[Sequence[tuple[PlannedRun, RunResult]]], Finding]
    # Test images scored after each epoch (the whole test set once at the end); None: all.
    val_images: int | None = None

    def runs(self, *, quick: bool = False) -> list[PlannedRun]:
        """The planned runs, every config validated (ConfigError names the bad one)."""
        planned = self.plan(quick)
        for run in planned:
            try:
                run.config.validate()
            except ConfigError as exc:
                raise ConfigError(f"experiment {self.id}, run {run.label!r}: {exc}") from None
        return planned


# --- 1. Overfitting and dropout -------------------------------------------------------------

# Spare capacity (a ReLU conv of 32 filters and a 128-unit hidden layer, 693,962 weights) for
# 1,000 images: measured here on seeds 1-3, without dropout the test-set loss ends 16-20% above
# its minimum; Dropout(0.5) ends it lower and the test accuracy 0.9-1.2 points higher.
_OVERFIT = LabConfig(filters=32, conv_activation="relu", hidden=128, epochs=30, train_limit=1000)
_DROPOUT = 0.5
_VAL_IMAGES = 2000


def _overfitting_plan(quick: bool) -> list[PlannedRun]:
    seeds = (1,) if quick else (1, 2)
    base = dataclasses.replace(_OVERFIT, epochs=10, train_limit=500) if quick else _OVERFIT
    return [
        PlannedRun(f"{name}, seed {seed}", name, dataclasses.replace(base, dropout=rate, seed=seed))
        for seed in seeds
        for name, rate in (("without dropout", 0.0), (f"with dropout {_DROPOUT}", _DROPOUT))
    ]


# --- 2. Normalizing data --------------------------------------------------------------------

_NORMALIZATIONS: tuple[tuple[Normalization, str], ...] = (
    ("none", "raw 0-255"),
    ("unit", "[0, 1]"),
    ("center", "[-0.5, 0.5]"),
)
# Each optimizer at its usual rate: Adam 0.001 (Keras' default), plain SGD 0.01.
_OPTIMIZERS = (("adam", 0.001), ("sgd", 0.01))


def _normalization_plan(quick: bool) -> list[PlannedRun]:
    base = LabConfig(epochs=1 if quick else 2, train_limit=2000 if quick else 20_000)
    return [
        PlannedRun(
            f"{optimizer}, {shown}",
            optimizer,
            dataclasses.replace(base, normalization=norm, optimizer=optimizer, learning_rate=lr),
        )
        for optimizer, lr in _OPTIMIZERS
        for norm, shown in _NORMALIZATIONS
    ]


# --- 3-5. One setting over several values (kernel size, filters, batch size) ------------------


def _setting_plan(
    setting: str,
    values: Sequence[int],
    quick_values: Sequence[int],
    base: LabConfig,
    quick: LabConfig,
) -> Callable[[bool], list[PlannedRun]]:
    def plan(is_quick: bool) -> list[PlannedRun]:
        config = quick if is_quick else base
        return [
            PlannedRun(f"{setting} {v}", str(v), dataclasses.replace(config, **_set(setting, v)))
            for v in (quick_values if is_quick else values)
        ]

    return plan


def _set(setting: str, value: Any) -> dict[str, Any]:
    """`{setting: value}` typed for dataclasses.replace (the setting is checked by validate)."""
    return {setting: value}


_REFERENCE_QUICK = LabConfig(epochs=1, train_limit=2000)

# --- 6. Same settings, different seeds ------------------------------------------------------

_SEEDS = (1, 2, 3, 4)


def _seeds_plan(quick: bool) -> list[PlannedRun]:
    config = _REFERENCE_QUICK if quick else LabConfig()
    return [
        PlannedRun(f"seed {s}", f"seed {s}", dataclasses.replace(config, seed=s))
        for s in ((1, 3) if quick else _SEEDS)
    ]


# --- The registry ---------------------------------------------------------------------------

EXPERIMENTS: tuple[Experiment, ...] = (
    Experiment(
        "overfitting",
        "Overfitting and dropout",
        "A model with spare capacity trains for 30 epochs on only 1,000 images, once without "
        "and once with Dropout(0.5). What happens to its test-set loss, and what does dropout "
        "change?",
        "dropout",
        "curves",
        "dropout",
        _overfitting_plan,
        overfitting_finding,
        # 30 short epochs: scoring all 10,000 test images after each took three quarters
        # of the time; the curve uses the first 2,000, the final accuracy all of them.
        val_images=_VAL_IMAGES,
    ),
    Experiment(
        "normalization",
        "Normalizing the pixels",
        "The reference model trains on pixels scaled three ways (raw 0-255, [0, 1] and "
        "[-0.5, 0.5]), once with Adam and once with plain SGD. Which optimizer suffers more "
        "from raw pixels?",
        "normalization",
        "curves",
        "normalization",
        _normalization_plan,
        normalization_finding,
    ),
    Experiment(
        "kernel_size",
        "Kernel size",
        "The reference model with 1x1, 3x3, 5x5 and 7x7 kernels: how does a 1x1 kernel, which "
        "sees one pixel at a time, compare with 3x3?",
        "kernel_size",
        "setting",
        "kernel",
        _setting_plan(
            "kernel",
            (1, 3, 5, 7),
            (1, 3),
            LabConfig(epochs=2, train_limit=20_000),
            _REFERENCE_QUICK,
        ),
        setting_finding("kernel"),
    ),
    Experiment(
        "filters",
        "Number of filters",
        "The reference model with 2, 4, 8, 16, 32 and 64 filters: how does test accuracy "
        "change as the filters double?",
        "filters",
        "setting",
        "filters",
        _setting_plan(
            "filters",
            (2, 4, 8, 16, 32, 64),
            (2, 8),
            LabConfig(epochs=1, train_limit=30_000),
            _REFERENCE_QUICK,
        ),
        setting_finding("filters"),
    ),
    Experiment(
        "batch_size",
        "Batch size and speed",
        "The reference model for one epoch with batches of 16 to 512 images: what happens to "
        "training speed (images per second) and to test accuracy?",
        "accuracy_efficiency",
        "setting",
        "batch_size",
        _setting_plan(
            "batch_size",
            (16, 32, 64, 128, 256, 512),
            (32, 256),
            LabConfig(epochs=1),
            _REFERENCE_QUICK,
        ),
        setting_finding("batch_size"),
    ),
    Experiment(
        "seeds",
        "Same settings, different seeds",
        "The reference model trained four times, changing only the random seed: how many "
        "percentage points apart will the best and the worst test accuracy be?",
        "accuracy_efficiency",
        "seeds",
        "seed",
        _seeds_plan,
        seeds_finding,
    ),
)

BY_ID: Mapping[str, Experiment] = {e.id: e for e in EXPERIMENTS}


def experiment(experiment_id: str) -> Experiment:
    """The experiment called `experiment_id`; ConfigError lists the known ids otherwise."""
    try:
        return BY_ID[experiment_id]
    except KeyError:
        known = ", ".join(BY_ID)
        raise ConfigError(f"{experiment_id}: not an experiment (known: {known})") from None


@dataclass
class ExperimentResult:
    """The finished runs of one experiment and its finding (over the runs that finished)."""

    experiment: Experiment
    planned: list[PlannedRun]
    results: list[RunResult]
    quick: bool

    @property
    def cancelled(self) -> bool:
        return len(self.results) < len(self.planned) or any(r.cancelled for r in self.results)

    @property
    def finding(self) -> Finding:
        done = [(p, r) for p, r in zip(self.planned, self.results, strict=False) if not r.cancelled]
        return self.experiment.find(done) if done else {}

    def to_dict(self) -> dict[str, Any]:
        """What `kviz lab experiment --json` prints."""
        return {
            "id": self.experiment.id,
            "quick": self.quick,
            "cancelled": self.cancelled,
            "runs": [
                {
                    "label": p.label,
                    "group": p.group,
                    "test_accuracy": r.test_accuracy,
                    "train_accuracy": r.history[-1].accuracy if r.history else None,
                    "gap": r.gap,
                    "fit_seconds": r.fit_seconds,
                    "params": r.params,
                    "cancelled": r.cancelled,
                }
                for p, r in zip(self.planned, self.results, strict=False)
            ],
            "finding": _json_safe(self.finding),
        }


def run_experiment(
    exp: Experiment,
    data: MnistData,
    *,
    quick: bool = False,
    listener: Callable[[int, ProgressEvent], None] | None = None,  # (run index, event)
    cancel: threading.Event | None = None,
    on_result: Callable[[int, PlannedRun, RunResult], None] | None = None,
) -> ExperimentResult:
    """Train the experiment's runs in order; a cancel keeps the runs that had finished.

    `on_result` gets each run as it ends (the caller saves it), so nothing finished is lost
    when the window closes mid-experiment. Each model is dropped once `on_result` has had it.
    """
    planned = exp.runs(quick=quick)
    results: list[RunResult] = []
    for index, run in enumerate(planned):
        run_listener = None
        if listener is not None:

            def run_listener(event: ProgressEvent, index: int = index) -> None:
                listener(index, event)

        result = train(
            run.config, data, listener=run_listener, cancel=cancel, val_images=exp.val_images
        )
        results.append(result)
        if on_result is not None:
            on_result(index, run, result)  # with its model, which the caller may save
        result.model = None
        if result.cancelled:
            break
    return ExperimentResult(exp, planned, results, quick)


def reference() -> dict[str, Any]:
    """The findings measured and committed here (machine, date, seconds per experiment)."""
    text = resources.files("trainer").joinpath("experiments_reference.json").read_text()
    loaded: dict[str, Any] = json.loads(text)
    return loaded


def _json_safe(value: Any) -> Any:
    """NaN and infinity (a diverged run) become null, so the JSON is strict."""
    if isinstance(value, float):
        return finite(value)
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    return value
