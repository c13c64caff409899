"""Turning a mouse drawing into an MNIST-like digit, so the model sees what it was trained on.

MNIST digits were size-normalised to fit a 20x20 box (keeping their aspect ratio, with
anti-aliasing), placed in a 28x28 field and shifted so their centre of mass is at the centre.
A raw drawing skips all of that, and the model's guesses on it would mislead a learner.
"""

from __future__ import annotations

import numpy as np

SIDE = 28
BOX = 20
_INK_THRESHOLD = 0.05  # fraction of full ink below which a pixel counts as background


def to_mnist(gray: np.ndarray) -> np.ndarray:
    """Any-size ink image (high = ink; uint8 0-255 or float 0-1) -> (28, 28) uint8 like MNIST."""
    ink = _as_unit_ink(gray)
    rows = np.flatnonzero((ink > _INK_THRESHOLD).any(axis=1))
    cols = np.flatnonzero((ink > _INK_THRESHOLD).any(axis=0))
    if rows.size == 0:
        return np.zeros((SIDE, SIDE), dtype=np.uint8)
    crop = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    height, width = crop.shape
    scale = BOX / max(height, width)
    new_h = max(1, round(height * scale))
    new_w = max(1, round(width * scale))
    small = _area_resample(crop, new_h, new_w)

    field = np.zeros((SIDE, SIDE), dtype=np.float64)
    top = (SIDE - new_h) // 2
    left = (SIDE - new_w) // 2
    field[top : top + new_h, left : left + new_w] = small
    field = _shift_to_centre_of_mass(field)
    return np.clip(np.rint(field * 255), 0, 255).astype(np.uint8)


def _as_unit_ink(gray: np.ndarray) -> np.ndarray:
    """Ink as float64 in [0, 1]: uint8 and floats above 1 are read on the 0-255 scale."""
    ink = np.asarray(gray, dtype=np.float64)
    if ink.ndim == 3:
        ink = ink.mean(axis=2)
    if ink.ndim != 2:
        raise ValueError(f"expected a 2-D image, got shape {np.shape(gray)}")
    if np.issubdtype(np.asarray(gray).dtype, np.integer) or ink.max(initial=0.0) > 1.0:
        ink = ink / 255.0
    return np.clip(ink, 0.0, 1.0)


def _area_weights(n_in: int, n_out: int) -> np.ndarray:
    """(n_out, n_in) weights: each output pixel averages the input span it covers."""
    edges = np.linspace(0.0, n_in, n_out + 1)
    starts, ends = edges[:-1, np.newaxis], edges[1:, np.newaxis]
    pixels = np.arange(n_in)[np.newaxis, :]
    overlap = np.clip(np.minimum(ends, pixels + 1) - np.maximum(starts, pixels), 0.0, None)
    weights: np.ndarray = overlap / overlap.sum(axis=1, keepdims=True)
    return weights


def _area_resample(image: np.ndarray, height: int, width: int) -> np.ndarray:
    """Anti-aliased resize by area averaging (a box filter over each output pixel's span)."""
    resized: np.ndarray = (
        _area_weights(image.shape[0], height) @ image @ _area_weights(image.shape[1], width).T
    )
    return resized


def _shift_to_centre_of_mass(field: np.ndarray) -> np.ndarray:
    """Move the image by whole pixels so its centre of mass lands on the field's centre."""
    total = field.sum()
    if total <= 0:
        return field
    coords = np.arange(SIDE)
    centre = (SIDE - 1) / 2
    dy = round(centre - (field.sum(axis=1) @ coords) / total)
    dx = round(centre - (field.sum(axis=0) @ coords) / total)
    shifted = np.zeros_like(field)
    src_rows = slice(max(0, -dy), SIDE - max(0, dy))
    dst_rows = slice(max(0, dy), SIDE - max(0, -dy))
    src_cols = slice(max(0, -dx), SIDE - max(0, dx))
    dst_cols = slice(max(0, dx), SIDE - max(0, -dx))
    shifted[dst_rows, dst_cols] = field[src_rows, src_cols]
    return shifted
