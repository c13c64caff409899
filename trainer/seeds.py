"""One lab over several seeds: the same config, different starting weights and shuffles.

On the reference model one seed moves test accuracy by about a point, as much as some
rungs of the quest gain, so a fair comparison reports the mean and the spread.
"""

from __future__ import annotations

import dataclasses
import math
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from trainer.config import LabConfig
from trainer.data import MnistData
from trainer.errors import ConfigError
from trainer.training import ProgressEvent, RunResult, train

MAX_SEEDS = 10


@dataclass
class SeedRuns:
    """The finished runs of one config, one per seed, in the order the seeds were given."""

    runs: list[RunResult]

    @property
    def accuracies(self) -> list[float]:
        return [r.test_accuracy for r in self.runs if not r.cancelled]

    @property
    def mean(self) -> float:
        return mean_spread(self.accuracies)[0]

    @property
    def spread(self) -> float:
        return mean_spread(self.accuracies)[1]

    @property
    def cancelled(self) -> bool:
        return any(r.cancelled for r in self.runs)


def mean_spread(values: Sequence[float]) -> tuple[float, float]:
    """Mean and sample standard deviation (0 for a single value; NaN mean for none)."""
    if not values:
        return math.nan, 0.0
    mean = sum(values) / len(values)
    if len(values) < 2:
        return mean, 0.0
    return mean, math.sqrt(sum((v - mean) ** 2 for v in values) / (len(values) - 1))


def parse_seeds(text: str) -> list[int]:
    """'1,2,3' -> [1, 2, 3]; each a valid seed, no repeats, at most MAX_SEEDS."""
    from trainer.settings import setting

    seeds = [setting("seed").parse(w) for w in text.split(",") if w.strip()]
    if not seeds:
        raise ConfigError("seeds: give at least one, e.g. 1,2,3")
    if len(set(seeds)) != len(seeds):
        raise ConfigError(f"seeds: {text!r} repeats a seed")
    if len(seeds) > MAX_SEEDS:
        raise ConfigError(f"seeds: at most {MAX_SEEDS}")
    return seeds


def train_seeds(
    config: LabConfig,
    seeds: Sequence[int],
    data: MnistData,
    *,
    listener: Callable[[int, ProgressEvent], None] | None = None,  # (seed index, event)
    cancel: threading.Event | None = None,
    on_result: Callable[[int, RunResult], None] | None = None,
) -> SeedRuns:
    """Train `config` once per seed; a cancel stops after the run it interrupts.

    `on_result(index, result)` gets each run as it ends, with its Keras model: only the last
    run keeps it afterwards, so a caller that wants every model saves it there."""
    configs = [dataclasses.replace(config, seed=seed) for seed in seeds]
    for c in configs:
        c.validate()
    runs: list[RunResult] = []
    for index, c in enumerate(configs):
        run_listener = None
        if listener is not None:

            def run_listener(event: ProgressEvent, index: int = index) -> None:
                listener(index, event)

        result = train(c, data, listener=run_listener, cancel=cancel)
        runs.append(result)
        if on_result is not None:
            on_result(index, result)
        if result.cancelled:
            break
        if index:
            runs[index - 1].model = None  # only the last model is kept (about 1 MB each)
    return SeedRuns(runs)
