"""Every lab setting in one table: type, bounds or choices, default, label, help, sweep values.

This table is the one place a setting is described. LabConfig's validation, the Build form,
run summaries, the CLI's `--set KEY=VALUE`, the sweep-value parser and saved runs all read
it, so adding a setting means one entry here (plus a field on LabConfig and the model code
that uses it). Every number has an upper bound and must be finite: a filter count of 1e9
would exhaust memory long before it taught anything.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

from trainer.errors import ConfigError

Kind = Literal["int", "float", "choice", "bool"]
Group = Literal["Convolution blocks", "Classifier", "Training", "Data"]


@dataclass(frozen=True)
class Setting:
    """One lab setting as people and code see it."""

    name: str
    kind: Kind
    default: Any
    label: str
    help: str
    group: Group
    minimum: float | None = None  # numbers: inclusive bounds
    maximum: float | None = None
    choices: tuple[Any, ...] = ()  # "choice": the allowed values (None spelt "none")
    optional: bool = False  # None is allowed, meaning "off" / "all"
    none_label: str = "none"  # how None reads in forms and summaries
    sweep: tuple[Any, ...] = ()  # values a sweep offers; empty: not sweepable
    below_maximum: bool = False  # the maximum itself is excluded (dropout < 1)

    @property
    def sweepable(self) -> bool:
        return bool(self.sweep)

    def check(self, value: Any) -> None:
        """Raise ConfigError naming this setting when `value` is not allowed."""
        if value is None:
            if self.optional or None in self.choices:
                return
            raise ConfigError(f"{self.name}: a value is required")
        if self.kind == "choice":
            if value not in self.choices:
                names = ", ".join(_word(c) for c in self.choices)
                raise ConfigError(f"{self.name}: {value!r} is not one of {names}")
            return
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise ConfigError(f"{self.name}: {value!r} must be true or false")
            return
        whole = self.kind == "int"
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (whole and not isinstance(value, int))
        ):
            what = "a whole number" if whole else "a number"
            raise ConfigError(f"{self.name}: {value!r} must be {what}")
        if not math.isfinite(value):
            raise ConfigError(f"{self.name}: {value!r} must be a finite number")
        low, high = self.minimum, self.maximum
        too_high = high is not None and (value >= high if self.below_maximum else value > high)
        if (low is not None and value < low) or too_high:
            raise ConfigError(f"{self.name}: {value!r} {self.range_text()}")

    def range_text(self) -> str:
        """'must be from 1 to 256' as a person reads it."""
        upper = f"below {_num(self.maximum)}" if self.below_maximum else _num(self.maximum)
        joiner = "from {} and " if self.below_maximum else "from {} to "
        return "must be " + joiner.format(_num(self.minimum)) + upper

    def parse(self, text: str) -> Any:
        """The typed value of `text` (as typed on a command line or in a sweep), checked."""
        word = text.strip()
        if word.lower() in ("none", "off", "") and (self.optional or None in self.choices):
            return None
        value: Any
        try:
            if self.kind == "int":
                number = float(word)
                if not number.is_integer():
                    raise ValueError
                value = int(number)
            elif self.kind == "float":
                value = float(word)
            elif self.kind == "bool":
                lowered = word.lower()
                if lowered not in _BOOLS:
                    raise ValueError
                value = _BOOLS[lowered]
            else:
                value = next(c for c in self.choices if _word(c) == word.lower())
        except (ValueError, OverflowError, StopIteration):
            raise ConfigError(f"{self.name}: {text.strip()!r} is not a valid value") from None
        self.check(value)
        return value

    def show(self, value: Any) -> str:
        """A value as summaries show it."""
        if value is None:
            return self.none_label
        if self.kind == "bool":
            return "on" if value else "off"
        return _word(value)


_BOOLS = {"true": True, "on": True, "yes": True, "1": True, "false": False, "off": False}
_BOOLS |= {"no": False, "0": False}


def _word(value: Any) -> str:
    return (
        "none" if value is None else str(value).lower() if isinstance(value, bool) else str(value)
    )


def _num(value: float | None) -> str:
    if value is None:
        return "any"
    return f"{value:g}" if isinstance(value, float) else f"{value:,}"


_BLOCK: Group = "Convolution blocks"
_CLASSIFIER: Group = "Classifier"
_TRAIN: Group = "Training"
_DATA: Group = "Data"


def _block(n: int, filters: int) -> list[Setting]:
    """Filters, kernel and pooling of conv block `n` (2 and 3 exist only when `blocks` says)."""
    suffix = "" if n == 1 else str(n)
    return [
        Setting(
            f"filters{suffix}",
            "int",
            filters,
            f"Filters (block {n})",
            f"Feature detectors in conv block {n}; each adds kernel x kernel x input-channels "
            "weights and as many more multiply-adds per output pixel.",
            _BLOCK,
            1,
            256,
            sweep=(4, 8, 16, 32) if n == 1 else (),
        ),
        Setting(
            f"kernel{suffix}",
            "int",
            3,
            f"Kernel size (block {n})",
            f"Side of block {n}'s filters: the patch each one looks at.",
            _BLOCK,
            1,
            28,
            sweep=(1, 3, 5, 7) if n == 1 else (),
        ),
        Setting(
            f"pool{suffix}",
            "int",
            2,
            f"Max pooling (block {n})",
            f"Block {n} keeps the strongest response in each pool x pool square; "
            "1 means no pooling layer.",
            _BLOCK,
            1,
            4,
        ),
    ]


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "blocks",
        "int",
        1,
        "Conv blocks",
        "How many Conv2D blocks are stacked; each later block sees the previous block's "
        "feature maps, so it can combine strokes into parts of digits.",
        _BLOCK,
        1,
        3,
        sweep=(1, 2, 3),
    ),
    *_block(1, 8),
    *_block(2, 16),
    *_block(3, 32),
    Setting(
        "stride",
        "int",
        1,
        "Stride (block 1)",
        "Step of block 1's filters: 2 computes every other position, a quarter of the "
        "multiply-adds at full resolution.",
        _BLOCK,
        1,
        3,
    ),
    Setting(
        "conv_activation",
        "choice",
        None,
        "Conv activation",
        "none keeps each conv linear, as in the seed; relu zeroes negative responses, which "
        "lets stacked blocks learn more than one linear map.",
        _BLOCK,
        choices=(None, "relu"),
        sweep=(None, "relu"),
    ),
    Setting(
        "batch_norm",
        "bool",
        False,
        "Batch normalization",
        "Normalise each conv output over the batch: steadier, faster training at higher "
        "learning rates.",
        _BLOCK,
        sweep=(False, True),
    ),
    Setting(
        "hidden",
        "int",
        0,
        "Hidden Dense units",
        "A ReLU Dense layer before the classifier; 0 means none.",
        _CLASSIFIER,
        0,
        1024,
        sweep=(0, 32, 64, 128),
    ),
    Setting(
        "dropout",
        "float",
        0.0,
        "Dropout",
        "Fraction of features zeroed at random during training, before the classifier: "
        "fights overfitting.",
        _CLASSIFIER,
        0.0,
        1.0,
        below_maximum=True,
        sweep=(0.0, 0.25, 0.5),
    ),
    Setting(
        "epochs",
        "int",
        3,
        "Epochs",
        "Passes over the training set.",
        _TRAIN,
        1,
        100,
        sweep=(1, 2, 3, 5),
    ),
    Setting(
        "batch_size",
        "int",
        32,
        "Batch size",
        "Images per weight update: bigger batches are faster per image but update less often.",
        _TRAIN,
        1,
        4096,
        sweep=(32, 64, 128, 256),
    ),
    Setting(
        "optimizer",
        "choice",
        "adam",
        "Optimizer",
        "How the gradient turns into a weight update.",
        _TRAIN,
        choices=("adam", "sgd", "rmsprop"),
        sweep=("adam", "sgd", "rmsprop"),
    ),
    Setting(
        "learning_rate",
        "float",
        0.001,
        "Learning rate",
        "Size of each update (the peak of a schedule).",
        _TRAIN,
        1e-6,
        1.0,
        sweep=(0.0003, 0.001, 0.003, 0.01),
    ),
    Setting(
        "schedule",
        "choice",
        "constant",
        "LR schedule",
        "constant keeps the rate; cosine warms up over the first 5% of steps, then decays "
        "along a cosine to 0; onecycle climbs from a 25th of the rate to the rate over the "
        "first 30% of steps, then anneals along a cosine: a high peak trains fast.",
        _TRAIN,
        choices=("constant", "cosine", "onecycle"),
        sweep=("constant", "cosine", "onecycle"),
    ),
    Setting(
        "label_smoothing",
        "float",
        0.0,
        "Label smoothing",
        "Train towards 0.9 instead of 1.0 (at 0.1) so the model is less over-confident.",
        _TRAIN,
        0.0,
        0.5,
        sweep=(0.0, 0.05, 0.1),
    ),
    Setting(
        "seed",
        "int",
        1,
        "Random seed",
        "Starting weights and shuffling; the same seed gives the same run on one machine. "
        "Seed 0 lands near 96%, seed 1 near 97% on the reference model: one seed can move "
        "accuracy as much as a change of model.",
        _TRAIN,
        0,
        2**31 - 1,
    ),
    Setting(
        "normalization",
        "choice",
        "center",
        "Normalization",
        "center: pixels / 255 - 0.5 (the seed's); unit: pixels / 255; none: raw 0-255.",
        _DATA,
        choices=("center", "unit", "none"),
        sweep=("center", "unit", "none"),
    ),
    Setting(
        "shift",
        "int",
        0,
        "Augment: shift (px)",
        "Move each training image up to this many pixels each way, fresh every epoch; 0 means off.",
        _DATA,
        0,
        6,
        sweep=(0, 1, 2, 3),
    ),
    Setting(
        "rotation",
        "int",
        0,
        "Augment: rotation (deg)",
        "Turn each training image by up to this many degrees each way; 0 means off.",
        _DATA,
        0,
        45,
        sweep=(0, 5, 10, 15),
    ),
    Setting(
        "train_limit",
        "int",
        None,
        "Training images",
        "Train on the first N images only, for a quick run; none means all.",
        _DATA,
        1,
        10_000_000,
        optional=True,
        none_label="all",
    ),
)

BY_NAME: Mapping[str, Setting] = {s.name: s for s in SETTINGS}

# The settings a sweep may vary, with the values a lab offers by default.
SWEEPABLE: Mapping[str, tuple[Any, ...]] = {s.name: s.sweep for s in SETTINGS if s.sweepable}

DEFAULTS: Mapping[str, Any] = {s.name: s.default for s in SETTINGS}


def setting(name: str) -> Setting:
    """The setting called `name`; ConfigError lists the known names otherwise."""
    try:
        return BY_NAME[name]
    except KeyError:
        raise ConfigError(f"{name}: not a lab setting (known: {', '.join(BY_NAME)})") from None


def parse_assignment(text: str) -> tuple[str, Any]:
    """'filters=16' -> ('filters', 16), checked; a bad pair names the setting or the text."""
    name, sep, value = text.partition("=")
    if not sep or not name.strip():
        raise ConfigError(f"{text!r}: expected KEY=VALUE, e.g. filters=16")
    return name.strip(), setting(name.strip()).parse(value)


def parse_values(name: str, text: str) -> list[Any]:
    """'4, 8, 16' -> [4, 8, 16] typed and checked as setting `name` is (commas or semicolons).

    The one parser for sweep values, shared by the CLI and the Compare view.
    """
    spec = setting(name)
    words = [w for w in text.replace(";", ",").split(",") if w.strip()]
    if not words:
        raise ConfigError(f"{name}: no values given")
    return [spec.parse(w) for w in words]


def with_defaults(config: Mapping[str, Any]) -> dict[str, Any]:
    """A saved config with every setting it predates at its default (old runs still show)."""
    return {**DEFAULTS, **{k: v for k, v in config.items() if k in BY_NAME}}


def describe(config: Mapping[str, Any]) -> str:
    """A run's settings in a few words: the model's shape, then what differs from the defaults."""
    c = with_defaults(config)
    blocks = []
    for n in range(1, int(c["blocks"]) + 1):
        suffix = "" if n == 1 else str(n)
        part = f"{c['filters' + suffix]}x{c['kernel' + suffix]}"
        if c["pool" + suffix] > 1:
            part += f"/p{c['pool' + suffix]}"
        blocks.append(part)
    parts = ["conv " + " ".join(blocks)]
    skip = {"blocks", "seed", "epochs", "filters", "kernel", "pool"}
    skip |= {f"{k}{n}" for k in ("filters", "kernel", "pool") for n in "23"}
    for s in SETTINGS:
        if s.name not in skip and c[s.name] != s.default:
            parts.append(f"{s.label.lower()} {s.show(c[s.name])}")
    parts.append(f"{c['epochs']} ep")
    return ", ".join(parts)
