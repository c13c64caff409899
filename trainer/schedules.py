"""Learning-rate schedules: constant, warm-up + cosine, and one-cycle.

Importing this module imports Keras, so `trainer.model` imports it only inside
`build_model`. Both schedules are plain functions of the step, computed in the graph.
"""

from __future__ import annotations

import math
from typing import Any

import keras
from keras import ops

COSINE_WARMUP = 0.05  # fraction of steps spent warming up before the cosine
ONECYCLE_WARMUP = 0.3  # fraction of steps spent climbing to the peak
ONECYCLE_START = 1 / 25  # the climb starts at this fraction of the peak


class WarmupCosine(keras.optimizers.schedules.LearningRateSchedule):  # type: ignore[misc]
    """Linear climb from `start * peak` to `peak` over `warmup` of the steps, then a cosine
    down to 0 at the last step."""

    def __init__(self, peak: float, total_steps: int, warmup: float, start: float) -> None:
        self.peak = peak
        self.total = float(max(total_steps, 1))
        self.warm = max(1.0, warmup * self.total)
        self.start = start

    def __call__(self, step: Any) -> Any:
        step = ops.cast(step, "float32")
        climb = self.peak * (self.start + (1.0 - self.start) * step / self.warm)
        progress = ops.clip((step - self.warm) / max(self.total - self.warm, 1.0), 0.0, 1.0)
        decay = self.peak * 0.5 * (1.0 + ops.cos(math.pi * progress))
        return ops.where(step < self.warm, climb, decay)

    def get_config(self) -> dict[str, Any]:
        return {"peak": self.peak, "total_steps": int(self.total), "start": self.start}


def learning_rate(schedule: str, peak: float, total_steps: int) -> Any:
    """What the optimizer gets for `schedule`: the plain rate, or a schedule over the steps."""
    if schedule == "cosine":
        return WarmupCosine(peak, total_steps, COSINE_WARMUP, 0.0)
    if schedule == "onecycle":
        return WarmupCosine(peak, total_steps, ONECYCLE_WARMUP, ONECYCLE_START)
    return peak
