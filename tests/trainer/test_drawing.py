"""to_mnist: a drawing is boxed, scaled to 20 px, and centred by its centre of mass."""

from __future__ import annotations

import numpy as np

from trainer.drawing import to_mnist


def ink_box(image: np.ndarray) -> tuple[int, int]:
    rows = np.flatnonzero(image.any(axis=1))
    cols = np.flatnonzero(image.any(axis=0))
    return rows[-1] - rows[0] + 1, cols[-1] - cols[0] + 1


def centre_of_mass(image: np.ndarray) -> tuple[float, float]:
    total = image.sum()
    coords = np.arange(image.shape[0])
    return image.sum(axis=1) @ coords / total, image.sum(axis=0) @ coords / total


def test_off_centre_blob_ends_centred_in_a_20px_box():
    canvas = np.zeros((200, 300), dtype=np.uint8)
    canvas[10:90, 200:240] = 255  # a tall stroke in the top-right corner, 80 x 40
    digit = to_mnist(canvas)
    assert digit.shape == (28, 28) and digit.dtype == np.uint8
    height, width = ink_box(digit)
    assert height == 20
    assert width == 10
    cy, cx = centre_of_mass(digit.astype(float))
    assert abs(cy - 13.5) <= 0.5 and abs(cx - 13.5) <= 0.5


def test_float_drawing_and_empty_canvas():
    canvas = np.zeros((50, 50))
    yy, xx = np.mgrid[:50, :50]
    canvas[(yy - 10) ** 2 + (xx - 12) ** 2 < 36] = 1.0  # a small disc, upscaled to 20 px
    digit = to_mnist(canvas)
    assert max(ink_box(digit)) == 20
    assert digit.max() == 255
    assert not to_mnist(np.zeros((40, 40))).any()
