"""Predict's pictures of test digits: the first five with their predictions, one large beside
its ten probabilities, and the first conv layer's filters with the feature maps the chosen
layer makes of it."""

from __future__ import annotations

import numpy as np

from kviz.ui.charts import Chart
from kviz.ui.lab_steps.common import probability_bars


def draw_first_five(chart: Chart, images: np.ndarray, labels: np.ndarray, probs: np.ndarray) -> int:
    """The first five test digits with what the model says of each; how many it drew."""
    fig = chart.figure
    fig.clear()
    n = min(5, len(probs))
    axes = fig.subplots(2, max(n, 1), squeeze=False, height_ratios=[3, 2])
    for i in range(n):
        img_ax, bar_ax = axes[0][i], axes[1][i]
        truth, label = int(labels[i]), int(probs[i].argmax())
        img_ax.imshow(images[i], cmap="gray_r", vmin=0, vmax=255)
        img_ax.set_axis_off()
        mark = "right" if label == truth else "WRONG"
        img_ax.set_title(  # short lines: five columns share 600 pixels at the minimum size
            f"predicted {label}\n{probs[i].max():.0%} sure\ntruth {truth}: {mark}",
            fontsize=9,
            color=chart.colors["text"],
        )
        probability_bars(chart, bar_ax, probs[i], truth)
    chart.redraw_now()
    return n


def draw_digit(chart: Chart, image: np.ndarray, index: int, truth: int, probs: np.ndarray) -> None:
    """Test digit `index` large, with the model's probabilities and whether it is right."""
    guess = int(probs.argmax())
    verdict = "right" if guess == truth else "WRONG"
    fig = chart.figure
    fig.clear()
    img_ax, bar_ax = fig.subplots(1, 2, width_ratios=[1, 2.5])
    img_ax.imshow(image, cmap="gray_r", vmin=0, vmax=255)
    img_ax.set_axis_off()
    text = chart.colors["text"]
    img_ax.set_title(f"#{index}, truth {truth}", fontsize=10, color=text)
    probability_bars(chart, bar_ax, probs, truth)
    for d, p in enumerate(probs):
        if p >= 0.005:
            bar_ax.text(d, min(p, 0.9) + 0.03, f"{p:.0%}", ha="center", fontsize=8, color=text)
    bar_ax.set_title(
        f"the model says {guess} ({probs[guess]:.1%}): {verdict}", fontsize=10, color=text
    )
    chart.redraw_now()


def draw_maps(
    chart: Chart, image: np.ndarray, index: int, filters: np.ndarray, fm: np.ndarray, layer: str
) -> None:
    """The digit, the first eight filters and up to sixteen of `layer`'s feature maps."""
    cols = 8
    n_filters, n_maps = min(filters.shape[-1], cols), min(fm.shape[-1], 2 * cols)
    map_rows = (n_maps + cols - 1) // cols
    fig = chart.figure
    fig.clear()
    grid = fig.add_gridspec(1 + map_rows, cols + 1)
    text = chart.colors["text"]
    ax = fig.add_subplot(grid[0:, 0])
    ax.imshow(image, cmap="gray_r", vmin=0, vmax=255)
    ax.set_title(f"digit #{index}", fontsize=9, color=text)
    ax.set_axis_off()
    for i in range(n_filters):
        fax = fig.add_subplot(grid[0, 1 + i])
        fax.imshow(filters[:, :, i], cmap="RdBu_r")
        fax.set_title(f"filter {i}", fontsize=8, color=text)
        fax.set_axis_off()
    for i in range(n_maps):
        max_ax = fig.add_subplot(grid[1 + i // cols, 1 + i % cols])
        max_ax.imshow(fm[:, :, i], cmap="gray_r")
        if i == 0:
            max_ax.set_title(
                f"{layer}: {fm.shape[0]}x{fm.shape[1]}, {fm.shape[-1]} maps",
                fontsize=8,
                color=text,
                loc="left",
            )
        max_ax.set_axis_off()
    chart.redraw_now()
