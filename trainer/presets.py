"""The quest's ladder: from the seed's model to a small CNN above 99.3%, one idea per rung.

Each preset is the previous one plus its `changes`, with a short "why" and the Keras lines
that changed, so a learner can run the rungs in order and see what each idea buys and
what it costs (parameters, multiply-adds, fit time).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from trainer.config import LabConfig
from trainer.errors import ConfigError
from trainer.model import count_macs, count_params


@dataclass(frozen=True)
class Preset:
    """One rung: its name, what it changes and why, and the settings it changes."""

    name: str
    title: str
    change: str
    why: str
    keras: str  # the Keras lines that changed, as a person would write them
    changes: Mapping[str, Any]


LADDER: tuple[Preset, ...] = (
    Preset(
        "reference",
        "The seed's model",
        "one linear 8-filter conv, 2x2 max pooling, Dense(10) softmax",
        "The starting point: the seed program as written. About 97% after 3 epochs; the seed "
        "alone moves that by about a point (seed 0: 95.95%, seed 1: 96.9%).",
        "Conv2D(8, 3, input_shape=(28, 28, 1)),\nMaxPooling2D(pool_size=2),\nFlatten(),\n"
        "Dense(10, activation='softmax'),",
        {},
    ),
    Preset(
        "relu",
        "ReLU",
        "ReLU after the convolution",
        "Without an activation the conv and the Dense layer are one linear map; ReLU lets "
        "the filters act as detectors that fire or stay silent.",
        "Conv2D(8, 3, activation='relu', input_shape=(28, 28, 1)),",
        {"conv_activation": "relu"},
    ),
    Preset(
        "filters",
        "More filters",
        "16 filters instead of 8",
        "More detectors see more kinds of strokes; the cost grows in step with the count.",
        "Conv2D(16, 3, activation='relu', input_shape=(28, 28, 1)),",
        {"filters": 16},
    ),
    Preset(
        "two_blocks",
        "A second conv block",
        "a 32-filter conv and 2x2 pooling on the first block's maps",
        "The second block combines the first block's strokes into parts of digits, and the "
        "extra pooling halves the maps again, so the Dense layer gets fewer, richer features.",
        "Conv2D(32, 3, activation='relu'),\nMaxPooling2D(pool_size=2),",
        {"blocks": 2, "filters2": 32, "pool2": 2},
    ),
    Preset(
        "three_blocks",
        "A third conv block",
        "a 64-filter conv on the 5x5 maps, no pooling",
        "A third block sees almost the whole digit at once; on 5x5 maps it costs few "
        "multiply-adds and shrinks what the classifier must learn.",
        "Conv2D(64, 3, activation='relu'),",
        {"blocks": 3, "filters3": 64, "pool3": 1},
    ),
    Preset(
        "dropout",
        "Dropout",
        "dropout 0.25 before the classifier",
        "Zeroing a quarter of the features at random during training keeps the classifier "
        "from leaning on a few of them: a smaller train-test gap.",
        "Dropout(0.25),\nDense(10, activation='softmax'),",
        {"dropout": 0.25},
    ),
    Preset(
        "batch_norm",
        "Batch normalization",
        "BatchNormalization after every conv (conv bias dropped)",
        "Each block's outputs are renormalised over the batch, so later layers see steady "
        "inputs and training tolerates the higher learning rates the next rung uses.",
        "Conv2D(16, 3, use_bias=False),\nBatchNormalization(),\nActivation('relu'),\n"
        "# ... the same for the 32- and 64-filter blocks",
        {"batch_norm": True},
    ),
    Preset(
        "top",
        "Augmentation + schedule",
        "random shifts (3 px) and rotations (10 deg), one-cycle LR to 0.01, label smoothing "
        "0.1, batch 128, 6 epochs",
        "Train better rather than bigger: shifted and turned digits are new examples every "
        "epoch, a one-cycle schedule trains fast at a high peak and settles at the end, "
        "label smoothing keeps the model from over-confidence, and bigger batches keep the "
        "extra epochs affordable.",
        "RandomTranslation(3 / 28, 3 / 28, fill_mode='constant', fill_value=-0.5),\n"
        "RandomRotation(10 / 360, fill_mode='constant', fill_value=-0.5),\n"
        "# ... the model as before\n"
        "steps = 6 * math.ceil(60000 / 128)\n"
        "model.compile(Adam(OneCycle(peak=0.01, steps=steps)),\n"
        "              loss=CategoricalCrossentropy(label_smoothing=0.1), ...)\n"
        "model.fit(..., batch_size=128, epochs=6)",
        {
            "shift": 3,
            "rotation": 10,
            "schedule": "onecycle",
            "learning_rate": 0.01,
            "label_smoothing": 0.1,
            "batch_size": 128,
            "epochs": 6,
        },
    ),
)

BY_NAME: Mapping[str, Preset] = {p.name: p for p in LADDER}


def preset(name: str) -> Preset:
    """The rung called `name`; ConfigError lists the rungs otherwise."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise ConfigError(f"preset: {name!r} is not one of {', '.join(BY_NAME)}") from None


def preset_config(name: str) -> LabConfig:
    """The config of rung `name`: the seed's defaults plus every change up to that rung."""
    target = preset(name)
    config = LabConfig()
    for rung in LADDER:
        config = replace(config, **rung.changes)
        if rung is target:
            break
    return config


def ladder_rows() -> list[dict[str, Any]]:
    """The ladder as `kviz lab presets --json` prints it: name, title, change, params, MACs."""
    return [
        {
            "name": p.name,
            "title": p.title,
            "change": p.change,
            "params": count_params(preset_config(p.name)),
            "macs": count_macs(preset_config(p.name)),
        }
        for p in LADDER
    ]


REFERENCE_TABLE = Path(__file__).with_name("quest_reference.json")


def reference_table(path: Path = REFERENCE_TABLE) -> dict[str, Any] | None:
    """The committed measurements of the ladder (bench/quest.py --write), or None if absent.

    Holds the machine, the date, the seed script's fit time and, per rung, the accuracy and
    fit time of each seed run.
    """
    try:
        table = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise ConfigError(f"{path}: not a readable reference table ({exc})") from None
    if not isinstance(table, dict) or not isinstance(table.get("rungs"), list):
        raise ConfigError(f"{path}: not a reference table (no 'rungs' list)")
    return table
