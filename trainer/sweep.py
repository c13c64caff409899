"""Sweeps: the same lab over several values of one setting, and the table that compares them.

This is the seed's "what affects network accuracy and efficiency? run some tests" made
into one call.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from trainer.config import SWEEPABLE, LabConfig
from trainer.data import MnistData
from trainer.errors import ConfigError
from trainer.training import ProgressEvent, RunResult, train


@dataclass(frozen=True)
class SweepRow:
    """One run of a sweep as the comparison table shows it."""

    param: str
    value: Any
    test_accuracy: float
    gap: float  # train minus validation accuracy after the last epoch
    params: int
    fit_seconds: float


def sweep(
    base: LabConfig,
    param: str,
    values: Sequence[Any],
    data: MnistData,
    *,
    listener: Callable[[int, ProgressEvent], None] | None = None,  # (run index, event)
    cancel: threading.Event | None = None,
    on_result: Callable[[int, RunResult], None] | None = None,
) -> list[RunResult]:
    """Train `base` once per value of `param`; every config is checked before the first run.

    `on_result(index, result)` gets each run as it ends, still holding its Keras model (which
    is dropped right after), so a caller can keep the finished runs of a sweep that is
    stopped later, and save their models. A cancel stops the sweep after the run it
    interrupts, which comes back `cancelled`.
    """
    configs = sweep_configs(base, param, values)
    results: list[RunResult] = []
    for index, config in enumerate(configs):
        run_listener = None
        if listener is not None:

            def run_listener(event: ProgressEvent, index: int = index) -> None:
                listener(index, event)

        result = train(config, data, listener=run_listener, cancel=cancel)
        results.append(result)
        if on_result is not None:
            on_result(index, result)  # with its model, which the caller may save
        # The table, curves and confusion matrix are kept; the Keras model (about 11 MB a run)
        # is not needed once they are, and a long sweep would otherwise hold every one.
        result.model = None
        if result.cancelled:
            break
    return results


def sweep_configs(base: LabConfig, param: str, values: Sequence[Any]) -> list[LabConfig]:
    """One validated config per value; ConfigError names the parameter or the bad value."""
    if param not in SWEEPABLE:
        raise ConfigError(f"{param}: cannot be swept (choose from {', '.join(SWEEPABLE)})")
    if not values:
        raise ConfigError(f"{param}: no values to sweep")
    configs = [dataclasses.replace(base, **{param: value}) for value in values]
    for config in configs:
        config.validate()
    return configs


def comparison_table(results: Sequence[RunResult], param: str) -> list[SweepRow]:
    """One row per run: accuracy, overfitting gap, size and time, side by side."""
    return [
        SweepRow(
            param=param,
            value=getattr(r.config, param),
            test_accuracy=r.test_accuracy,
            gap=r.gap,
            params=r.params,
            fit_seconds=r.fit_seconds,
        )
        for r in results
    ]
