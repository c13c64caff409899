"""One lab's settings: the seed program's values by default, checked before any training.

The fields mirror `trainer.settings.SETTINGS` (the table that gives each its bounds, label
and help); a test keeps the two in step. Validation checks each value against its entry,
then that the stacked blocks fit in the 28x28 image.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields
from typing import Any, Literal

from trainer.errors import ConfigError
from trainer.settings import BY_NAME, SWEEPABLE, with_defaults

Normalization = Literal["center", "unit", "none"]  # [-0.5, 0.5] / [0, 1] / raw 0-255

IMAGE_SIZE = 28

__all__ = ["IMAGE_SIZE", "SWEEPABLE", "LabConfig", "Normalization"]


@dataclass(frozen=True)
class LabConfig:
    """The seed's model and training run, with every knob a lab may turn.

    The defaults are exactly the seed's: one linear 8-filter 3x3 conv, 2x2 max pooling,
    Dense(10) softmax, Adam 0.001, batch 32, 3 epochs (13,610 parameters).
    """

    blocks: int = 1
    filters: int = 8
    kernel: int = 3
    pool: int = 2
    filters2: int = 16
    kernel2: int = 3
    pool2: int = 2
    filters3: int = 32
    kernel3: int = 3
    pool3: int = 2
    stride: int = 1
    conv_activation: str | None = None  # None (as in the seed) or "relu"
    batch_norm: bool = False
    hidden: int = 0  # units of a ReLU Dense layer before the classifier; 0: none
    dropout: float = 0.0  # Dropout before the classifier when > 0
    epochs: int = 3
    batch_size: int = 32
    optimizer: str = "adam"  # adam | sgd | rmsprop
    learning_rate: float = 0.001
    schedule: str = "constant"  # constant | cosine | onecycle
    label_smoothing: float = 0.0
    seed: int = 1  # seed 0 happens to land just under 96% on the reference run
    normalization: Normalization = "center"
    shift: int = 0  # augmentation: random shifts of up to this many pixels
    rotation: int = 0  # augmentation: random rotations of up to this many degrees
    train_limit: int | None = None  # first N training images, for quick labs

    def validate(self) -> None:
        """Raise ConfigError naming the first bad field, so nothing trains on a bad setting."""
        for f in fields(self):
            BY_NAME[f.name].check(getattr(self, f.name))
        side = IMAGE_SIZE
        for n, (_filters, kernel, pool) in enumerate(self.conv_blocks(), start=1):
            suffix = "" if n == 1 else str(n)
            if kernel > side:
                where = "the 28px image" if n == 1 else f"the {side}x{side} map block {n} gets"
                raise ConfigError(f"kernel{suffix}: {kernel} is larger than {where}")
            side = (side - kernel) // (self.stride if n == 1 else 1) + 1
            if side // pool < 1:
                raise ConfigError(
                    f"pool{suffix}: {pool} is larger than the {side}x{side} map "
                    f"that kernel {kernel} leaves"
                )
            side //= pool

    def conv_blocks(self) -> list[tuple[int, int, int]]:
        """(filters, kernel, pool) of each conv block in use, first block first."""
        all_blocks = [
            (self.filters, self.kernel, self.pool),
            (self.filters2, self.kernel2, self.pool2),
            (self.filters3, self.kernel3, self.pool3),
        ]
        return all_blocks[: self.blocks]

    @property
    def augmented(self) -> bool:
        return self.shift > 0 or self.rotation > 0

    def to_dict(self) -> dict[str, Any]:
        """Plain JSON-ready values."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> LabConfig:
        """Rebuild a config from `to_dict` output; an unknown key is a ConfigError naming it.

        Keys a saved config predates take their defaults, so old runs load unchanged.
        """
        for key in d:
            if key not in BY_NAME:
                raise ConfigError(f"{key}: not a lab setting")
        return cls(**with_defaults(d))
