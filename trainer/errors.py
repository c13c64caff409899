"""The errors a person can cause; each message names the file or the field at fault.

A cancelled run is not an error: `train` returns a result with `cancelled=True`.
"""

from __future__ import annotations


class TrainerError(Exception):
    """Base of every error the trainer raises on purpose."""


class DataError(TrainerError):
    """A dataset file is missing, truncated or corrupt (the message names the file)."""


class ConfigError(TrainerError):
    """A lab setting is out of range (the message names the field)."""


class ResourceError(TrainerError):
    """The machine ran out of memory for these settings (MemoryError or TensorFlow's OOM)."""
