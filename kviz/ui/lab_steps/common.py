"""Pieces every lab step shares: the explanation + code header, digit grids, probability bars."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QFont, QFontDatabase
from PySide6.QtWidgets import (
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPlainTextEdit,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from matplotlib.axes import Axes

    from kviz.ui.charts import Chart


class CodeBox(QPlainTextEdit):
    """Read-only monospace code; high enough for its lines, focusable so it can be copied."""

    def __init__(self, code: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setReadOnly(True)
        self.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        self.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
        self.setAccessibleName("Code for this step")
        self.setTabChangesFocus(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.set_code(code)

    def set_code(self, code: str) -> None:
        self.setPlainText(code)
        lines = max(2, min(code.count("\n") + 1, 12))
        height = self.fontMetrics().lineSpacing() * lines
        # Room for a horizontal scroll bar, which a narrow window needs for long lines.
        bar = self.horizontalScrollBar().sizeHint().height()
        self.setFixedHeight(height + 2 * self.frameWidth() + 12 + bar)


class Step(QScrollArea):
    """One guided step: a title, why it matters, the code it runs, then its own content.

    Subclasses add their widgets to `self.body` (a QVBoxLayout).
    """

    title = ""

    def __init__(self, explanation: str, code: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWidgetResizable(True)
        self.setFrameShape(QScrollArea.Shape.NoFrame)
        inner = QWidget()
        self.body = QVBoxLayout(inner)
        heading = QLabel(self.title)
        font = QFont(heading.font())
        font.setPointSizeF(font.pointSizeF() * 1.3)
        font.setBold(True)
        heading.setFont(font)
        self.body.addWidget(heading)
        # Why and how side by side, so the step's own content starts high on the page.
        header = QHBoxLayout()
        self.explanation = QLabel(explanation)
        self.explanation.setWordWrap(True)
        self.explanation.setTextFormat(Qt.TextFormat.RichText)
        self.explanation.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        self.explanation.setMinimumWidth(260)
        header.addWidget(self.explanation, 2)
        box = QGroupBox("The code")
        box_layout = QVBoxLayout(box)
        self.code = CodeBox(code)
        box_layout.addWidget(self.code)
        header.addWidget(box, 3)
        self.body.addLayout(header)
        self.setWidget(inner)

    def activated(self) -> None:
        """Called when the step is shown; steps refresh what they show from the state."""


def show_digits(
    chart: Chart, images: np.ndarray, titles: list[str], cols: int, title: str | None = None
) -> list[Axes]:
    """Draw a grid of 28x28 digits (ink dark on the axes' light, or light on dark); returns
    each digit's axes, in order (so a click can be traced back to its digit)."""
    fig = chart.figure
    fig.clear()
    n = len(images)
    if n == 0:
        fig.text(0.5, 0.5, "Nothing to show", ha="center", va="center", color=chart.colors["text"])
        chart.redraw_now()
        return []
    rows = (n + cols - 1) // cols
    axes = fig.subplots(rows, cols, squeeze=False)
    for i, ax in enumerate(axes.flat):
        ax.set_axis_off()
        if i < n:
            ax.imshow(images[i], cmap="gray_r", vmin=0, vmax=255)
            ax.set_title(titles[i], fontsize=9, color=chart.colors["text"])
    if title:
        fig.suptitle(title, color=chart.colors["text"])
    chart.redraw_now()
    return list(axes.flat[:n])


def probability_bars(
    chart: Chart, ax: Axes, probs: list[float] | np.ndarray, truth: int | None
) -> None:
    """Bars of the ten class probabilities; the predicted one in the accent colour."""
    c = chart.colors
    probs = np.asarray(probs, dtype=float)
    guess = int(np.argmax(probs))
    colors = [c["accent"] if d == guess else c["grid"] for d in range(10)]
    ax.bar(range(10), probs, color=colors)
    ax.set_xticks(range(10))
    ax.set_ylim(0, 1)
    ax.set_yticks([0, 0.5, 1])
    if truth is not None:
        ax.get_xticklabels()[truth].set_fontweight("bold")
    chart.style_axes(ax)
