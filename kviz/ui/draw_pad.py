"""A square pad to draw a digit on with the mouse; it hands back the ink as a numpy array."""

from __future__ import annotations

import numpy as np
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QWidget

PAD_SIZE = 280  # the ink image's side, in pixels (10x MNIST's 28)
STROKE = 22  # pen width on that image: close to MNIST's stroke once scaled down


class DrawPad(QWidget):
    """Strokes drawn with the mouse, kept as paths in pad coordinates (0..PAD_SIZE).

    `stroke_finished` fires when the mouse is released, so a prediction runs once per stroke.
    Delete or Backspace clears the pad.
    """

    stroke_finished = Signal()
    cleared = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._paths: list[QPainterPath] = []
        self._current: QPainterPath | None = None
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setMinimumSize(200, 200)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)
        self.setCursor(Qt.CursorShape.CrossCursor)
        self.setAccessibleName("Drawing pad")
        self.setToolTip("Draw a digit with the mouse; Delete clears")

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(PAD_SIZE, PAD_SIZE)

    def hasHeightForWidth(self) -> bool:  # noqa: N802 - Qt override
        return True

    def heightForWidth(self, width: int) -> int:  # noqa: N802 - Qt override
        return width

    def _square(self) -> QRectF:
        side = min(self.width(), self.height()) - 2
        return QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)

    def _to_pad(self, pos: QPointF) -> QPointF:
        sq = self._square()
        scale = PAD_SIZE / sq.width()
        return QPointF((pos.x() - sq.x()) * scale, (pos.y() - sq.y()) * scale)

    def is_empty(self) -> bool:
        return not self._paths and self._current is None

    def clear(self) -> None:
        """Wipe the pad."""
        self._paths.clear()
        self._current = None
        self.update()
        self.cleared.emit()

    def add_stroke(self, points: list[tuple[float, float]]) -> None:
        """Add a stroke through `points` (pad coordinates); used to replay a drawing."""
        path = QPainterPath(QPointF(*points[0]))
        for x, y in points[1:]:
            path.lineTo(x, y)
        self._paths.append(path)
        self.update()
        self.stroke_finished.emit()

    def ink(self) -> np.ndarray:
        """The drawing as a (PAD_SIZE, PAD_SIZE) uint8 array: 255 where there is ink."""
        image = QImage(PAD_SIZE, PAD_SIZE, QImage.Format.Format_Grayscale8)
        image.fill(0)
        painter = QPainter(image)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        self._paint_strokes(painter, QColor(255, 255, 255))
        painter.end()
        stride = image.bytesPerLine()
        raw = np.frombuffer(image.constBits(), dtype=np.uint8, count=stride * PAD_SIZE)
        return raw.reshape(PAD_SIZE, stride)[:, :PAD_SIZE].copy()

    def _paint_strokes(self, painter: QPainter, color: QColor) -> None:
        pen = QPen(color, STROKE, Qt.PenStyle.SolidLine, Qt.PenCapStyle.RoundCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        painter.setPen(pen)
        painter.setBrush(Qt.BrushStyle.NoBrush)
        for path in [*self._paths, *([self._current] if self._current else [])]:
            if path.elementCount() == 1:  # a single click: a dot
                painter.drawPoint(path.currentPosition())
            else:
                painter.drawPath(path)

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        pal = self.palette()
        sq = self._square()
        painter.fillRect(sq, pal.color(QPalette.ColorRole.Base))
        frame = QPalette.ColorRole.Highlight if self.hasFocus() else QPalette.ColorRole.Mid
        painter.setPen(QPen(pal.color(frame), 2))
        painter.drawRect(sq)
        if self.is_empty():
            painter.setPen(pal.color(QPalette.ColorRole.PlaceholderText))
            painter.drawText(sq, Qt.AlignmentFlag.AlignCenter, "Draw a digit here")
        painter.translate(sq.topLeft())
        painter.scale(sq.width() / PAD_SIZE, sq.width() / PAD_SIZE)
        self._paint_strokes(painter, pal.color(QPalette.ColorRole.Text))

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self._current = QPainterPath(self._to_pad(event.position()))
            self.update()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if self._current is not None:
            self._current.lineTo(self._to_pad(event.position()))
            self.update()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton and self._current is not None:
            self._paths.append(self._current)
            self._current = None
            self.update()
            self.stroke_finished.emit()

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
            self.clear()
        else:
            super().keyPressEvent(event)
