"""What each guided experiment found: its finished runs reduced to the numbers it quotes.

Kept apart from the plans (trainer.experiments) because these are the numbers the
explanations, the verdicts on predictions and the CLI's `finding` all read.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from itertools import pairwise
from typing import TYPE_CHECKING, Any

from trainer.seeds import mean_spread
from trainer.training import RunResult

if TYPE_CHECKING:
    from trainer.experiments import PlannedRun

Finding = dict[str, Any]
Done = Sequence[tuple["PlannedRun", RunResult]]


def val_loss_rise(result: RunResult) -> float:
    """Final minus lowest test-set loss over the epochs: how far the loss turned back up."""
    losses = [m.val_loss for m in result.history if math.isfinite(m.val_loss)]
    return losses[-1] - min(losses) if losses else math.nan


def overfitting_finding(done: Done) -> Finding:
    finding: Finding = {}
    for key, has_dropout in (("without_dropout", False), ("with_dropout", True)):
        runs = [r for p, r in done if (p.config.dropout > 0) == has_dropout]
        finding |= {
            f"test_accuracy_{key}": mean_of(r.test_accuracy for r in runs),
            f"train_accuracy_{key}": mean_of(r.history[-1].accuracy for r in runs if r.history),
            f"val_loss_rise_{key}": mean_of(val_loss_rise(r) for r in runs),
            f"final_val_loss_{key}": mean_of(r.history[-1].val_loss for r in runs if r.history),
            f"min_val_loss_{key}": mean_of(
                min(m.val_loss for m in r.history) for r in runs if r.history
            ),
            f"best_epoch_{key}": mean_of(best_epoch(r) for r in runs if r.history),
            f"gap_{key}": mean_of(r.gap for r in runs),
        }
    finding["seeds"] = sorted({p.config.seed for p, _ in done})
    return finding


def best_epoch(result: RunResult) -> int:
    losses = [m.val_loss for m in result.history]
    return result.history[losses.index(min(losses))].epoch


def normalization_finding(done: Done) -> Finding:
    accuracy: dict[str, dict[str, float | None]] = {}
    final_loss: dict[str, dict[str, float | None]] = {}
    for p, r in done:
        accuracy.setdefault(p.config.optimizer, {})[p.config.normalization] = r.test_accuracy
        last = r.history[-1].loss if r.history else math.nan
        final_loss.setdefault(p.config.optimizer, {})[p.config.normalization] = finite(last)
    # How much each optimizer loses when fed raw pixels, against its best scaling.
    drop = {
        opt: max(v for v in accs.values() if v is not None) - (accs.get("none") or 0.0)
        for opt, accs in accuracy.items()
        if "none" in accs
    }
    return {
        "test_accuracy": accuracy,
        "final_train_loss": final_loss,
        "raw_drop": drop,
        "diverged": [p.label for p, r in done if not all(finite_history(r))],
    }


def finite_history(result: RunResult) -> list[bool]:
    return [math.isfinite(m.loss) and math.isfinite(m.val_loss) for m in result.history]


def setting_finding(setting: str) -> Callable[[Done], Finding]:
    def find(done: Done) -> Finding:
        rows = [
            {
                setting: getattr(p.config, setting),
                "test_accuracy": r.test_accuracy,
                "params": r.params,
                "macs": r.macs,
                "fit_seconds": r.fit_seconds,
                "images_per_s": r.train_images_per_s,
            }
            for p, r in done
            if not r.cancelled
        ]
        best = max(rows, key=lambda row: row["test_accuracy"], default=None)
        gains = [b["test_accuracy"] - a["test_accuracy"] for a, b in pairwise(rows)]
        return {
            "setting": setting,
            "rows": rows,
            f"best_{setting}": best[setting] if best else None,
            "accuracy_gains": gains,
        }

    return find


def seeds_finding(done: Done) -> Finding:
    accuracies = [r.test_accuracy for _, r in done if not r.cancelled]
    mean, spread = mean_spread(accuracies)
    return {
        "seeds": [p.config.seed for p, r in done if not r.cancelled],
        "accuracies": accuracies,
        "mean": mean,
        "spread": spread,
        "range": max(accuracies) - min(accuracies) if accuracies else math.nan,
    }


def mean_of(values: Any) -> float:
    finite = [float(v) for v in values if v is not None and math.isfinite(v)]
    return sum(finite) / len(finite) if finite else math.nan


def finite(value: float) -> float | None:
    return value if math.isfinite(value) else None
