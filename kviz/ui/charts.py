"""A matplotlib QtAgg canvas that follows the Qt palette and redraws at most ~10 times a second.

matplotlib costs about a second to import, so nothing here imports it at module level: the
figure is made the first time a view asks for it (by then the warm-up worker has usually
imported it in the background).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import TYPE_CHECKING, Literal

from PySide6.QtCore import QEvent, QObject, QTimer, Signal
from PySide6.QtGui import QPalette, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QApplication,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
    from matplotlib.figure import Figure

REDRAW_INTERVAL_MS = 100
# The least room below the lowest accuracy and above the highest on an accuracy axis, as a
# share of the whole 0-1 range (1 point of accuracy); a wide spread gets 15% of itself.
ACCURACY_MARGIN = 0.01
ACCURACY_SPREAD_PAD = 0.15


def _hex(palette: QPalette, role: QPalette.ColorRole) -> str:
    return palette.color(role).name()


def palette_colors(palette: QPalette) -> dict[str, str]:
    """The figure's colours, taken from the palette so light and dark themes both read well."""
    return {
        "face": _hex(palette, QPalette.ColorRole.Window),
        "axes": _hex(palette, QPalette.ColorRole.Base),
        "text": _hex(palette, QPalette.ColorRole.WindowText),
        "grid": _hex(palette, QPalette.ColorRole.Mid),
        "accent": _hex(palette, QPalette.ColorRole.Highlight),
    }


def accuracy_limits(
    values: Iterable[float], *, scale: float = 1.0, margin: float = ACCURACY_MARGIN
) -> tuple[float, float]:
    """The axis range that shows `values` (accuracies on 0..`scale`) with a small margin.

    MNIST models land between 90% and 99%: on a fixed 0-100% axis every curve is a flat line
    at the top and a half-point difference is invisible. The range runs from the lowest value
    to the highest, padded by the margin or 15% of the spread, whichever is more, and stays
    within 0..`scale`; no values gives the whole range.
    """
    finite = [v for v in values if math.isfinite(v)]
    if not finite:
        return 0.0, scale
    low, high = min(finite), max(finite)
    pad = max(margin * scale, (high - low) * ACCURACY_SPREAD_PAD)
    return max(0.0, low - pad), min(scale, high + pad)


def zoom_accuracy(
    ax: Axes, values: Iterable[float], *, axis: Literal["x", "y"] = "y", scale: float = 1.0
) -> tuple[float, float]:
    """Set an accuracy axis of `ax` to `accuracy_limits(values)`; every accuracy chart uses it."""
    low, high = accuracy_limits(values, scale=scale)
    (ax.set_xlim if axis == "x" else ax.set_ylim)(low, high)
    return low, high


class Chart(QWidget):
    """A figure on a QtAgg canvas, made on first use; `redraw()` is throttled to ~10 Hz.

    A live chart marks the artists that change as animated (`animate()`): a redraw then
    blits just those onto the cached background, a few milliseconds instead of the tens or
    hundreds a full draw costs while a training thread competes for the GIL.
    `constrained=False` skips the layout solver, which reruns on every full draw.
    """

    resized = Signal()  # the widget's size changed (for drawings whose layout depends on it)

    def __init__(
        self, parent: QWidget | None = None, min_height: int = 220, constrained: bool = True
    ) -> None:
        super().__init__(parent)
        self._constrained = constrained
        self._figure: Figure | None = None
        self._canvas: FigureCanvasQTAgg | None = None
        self._animated: list[Artist] = []
        self._background: object = None  # the canvas' saved pixels, for blitting
        self._full = True
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self.setMinimumHeight(min_height)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REDRAW_INTERVAL_MS)
        self._timer.timeout.connect(self._draw)
        self.draws = 0  # how many redraws reached the canvas (tests and the bench read it)

    @property
    def figure(self) -> Figure:
        """The matplotlib Figure; importing matplotlib and making the canvas on first use."""
        if self._figure is None:
            import matplotlib

            matplotlib.use("QtAgg")
            from matplotlib.backends.backend_qtagg import FigureCanvasQTAgg
            from matplotlib.figure import Figure

            self._figure = Figure(layout="constrained" if self._constrained else None)
            self._canvas = FigureCanvasQTAgg(self._figure)
            self._canvas.mpl_connect("draw_event", self._on_draw_event)
            self._canvas.setParent(self)
            self._canvas.installEventFilter(self)  # the mouse wheel scrolls the page
            self._canvas.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
            self._layout.addWidget(self._canvas)
            self._apply_palette()
        return self._figure

    @property
    def canvas(self) -> FigureCanvasQTAgg:
        """The FigureCanvasQTAgg widget (made with the figure)."""
        _ = self.figure
        assert self._canvas is not None
        return self._canvas

    @property
    def colors(self) -> dict[str, str]:
        return palette_colors(self.palette())

    def show_message(self, ax: Axes, text: str) -> None:
        """Write `text` in the middle of an empty axes, in the palette's text colour."""
        ax.text(
            0.5,
            0.5,
            text,
            ha="center",
            va="center",
            transform=ax.transAxes,
            color=self.colors["text"],
        )

    def style_axes(self, ax: Axes) -> None:
        """Give one axes the palette's colours (text, ticks, spines, background)."""
        c = self.colors
        ax.set_facecolor(c["axes"])
        ax.tick_params(colors=c["text"], labelcolor=c["text"])
        for spine in ax.spines.values():
            spine.set_color(c["grid"])
        ax.title.set_color(c["text"])
        ax.xaxis.label.set_color(c["text"])
        ax.yaxis.label.set_color(c["text"])
        legend = ax.get_legend()
        if legend is not None:
            legend.get_frame().set_facecolor(c["axes"])
            legend.get_frame().set_edgecolor(c["grid"])
            for text in legend.get_texts():
                text.set_color(c["text"])

    def _apply_palette(self) -> None:
        if self._figure is None:
            return
        self._figure.set_facecolor(self.colors["face"])
        for ax in self._figure.axes:
            self.style_axes(ax)
        for text in self._figure.texts:
            text.set_color(self.colors["text"])

    def clear(self) -> None:
        """Empty the figure, if one was made (nothing to show any more)."""
        if self._figure is not None:
            self._figure.clear()
            self.redraw_now()

    def animate(self, artists: list[Artist]) -> None:
        """Redraw these artists by blitting; everything else is drawn only on full draws."""
        self._animated = list(artists)
        for artist in self._animated:
            artist.set_animated(True)
        self._full = True

    def redraw(self, full: bool = False) -> None:
        """Ask for a redraw; several requests within 100 ms become one.

        Without `full`, only the animated artists are redrawn (when there are some).
        """
        self._full = self._full or full or not self._animated
        if not self._timer.isActive():
            self._timer.start()

    def redraw_now(self) -> None:
        """Draw everything at once (after a one-off change such as a new run being shown)."""
        self._timer.stop()
        if self._canvas is not None:
            self.draws += 1
            self._canvas.draw()  # the draw_event handler caches the background for blits
            self._full = False

    def _draw(self) -> None:
        canvas, figure = self._canvas, self._figure
        if canvas is None or figure is None:
            return
        self.draws += 1
        if self._full or self._background is None:
            self._full = False
            self._background = None
            canvas.draw_idle()
            return
        canvas.restore_region(self._background)
        for artist in self._animated:
            figure.draw_artist(artist)
        canvas.blit(figure.bbox)

    def _on_draw_event(self, _event: object) -> None:
        """After a full draw: keep the background and paint the animated artists on it."""
        canvas, figure = self._canvas, self._figure
        if self._animated and canvas is not None and figure is not None:
            self._background = canvas.copy_from_bbox(figure.bbox)
            for artist in self._animated:
                figure.draw_artist(artist)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        """The wheel over a chart scrolls the page around it: the canvas would take the event
        for matplotlib's scroll events (which no chart here uses) and the page would stop
        under the pointer. Sent on to the nearest scroll area, if there is one."""
        if watched is self._canvas and event.type() == QEvent.Type.Wheel:
            parent = self.parentWidget()
            while parent is not None and not isinstance(parent, QAbstractScrollArea):
                parent = parent.parentWidget()
            if parent is not None:
                QApplication.sendEvent(parent.viewport(), event)
                return True
        return super().eventFilter(watched, event)

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self.resized.emit()

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        if event.type() == QEvent.Type.PaletteChange and self._figure is not None:
            self._apply_palette()
            self.redraw(full=True)
        super().changeEvent(event)
