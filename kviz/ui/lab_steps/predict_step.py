"""Step 4: what the trained model predicts, where it errs, and what its filters learned."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kviz.ui.charts import Chart
from kviz.ui.lab_steps.common import Step, probability_bars, show_digits
from kviz.ui.state import AppState
from kviz.ui.workers import CallWorker, TaskUi
from trainer.settings import describe

if TYPE_CHECKING:
    from trainer.training import RunResult

EXPLANATION = (
    "The trained model gives each test digit ten probabilities; its prediction is the "
    "largest. The confusion matrix counts, for each true digit (row), what the model said "
    "(column): the diagonal is right, everything else is a mistake. Select a cell to see "
    "those digits. Below, the first layer's learned filters, and what any layer makes of a "
    "digit: its feature maps (pick the layer; deeper maps are smaller and more abstract)."
)

CODE = """predictions = model.predict(test_images[:5])
print(np.argmax(predictions, axis=1))    # the predicted digits
print(test_labels[:5])                   # the truth
filters = model.layers[0].get_weights()[0]   # (k, k, 1, filters)"""


class PredictStep(Step):
    """Filled from the session's last finished run (state.result)."""

    title = "4. Predict"

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(EXPLANATION, CODE, parent)
        self.state = state
        self.note = QLabel("Train a model in step 3 first.")
        self.body.addWidget(self.note)
        self.first_five = Chart(min_height=300)
        self.first_five.setFixedHeight(300)
        self.body.addWidget(self.first_five)

        row = QHBoxLayout()
        box = QGroupBox("Confusion matrix (rows: truth, columns: predicted)")
        box_layout = QVBoxLayout(box)
        self.confusion = QTableWidget(10, 10)
        self.confusion.setHorizontalHeaderLabels([str(d) for d in range(10)])
        self.confusion.setVerticalHeaderLabels([str(d) for d in range(10)])
        self.confusion.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.confusion.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.confusion.setTabKeyNavigation(False)
        self.confusion.setAccessibleName("Confusion matrix")
        for header in (self.confusion.horizontalHeader(), self.confusion.verticalHeader()):
            header.setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.confusion.setMinimumSize(360, 300)
        self.confusion.currentCellChanged.connect(lambda r, c, *_: self.show_cell(r, c))
        box_layout.addWidget(self.confusion)
        row.addWidget(box, 1)
        self.mistakes = Chart(min_height=300)
        row.addWidget(self.mistakes, 1)
        self.body.addLayout(row)

        maps_box = QGroupBox("Learned filters and feature maps")
        maps_layout = QVBoxLayout(maps_box)
        pick = QHBoxLayout()
        self.digit = QSpinBox(minimum=0, maximum=9999)
        self.digit.valueChanged.connect(self._feature_maps)
        label = QLabel("Feature maps of test &digit number:")
        label.setBuddy(self.digit)
        pick.addWidget(label)
        pick.addWidget(self.digit)
        self.layer = QComboBox()
        self.layer.setAccessibleName("Layer whose feature maps are shown")
        self.layer.currentIndexChanged.connect(self._feature_maps)
        layer_label = QLabel("of &layer:")
        layer_label.setBuddy(self.layer)
        pick.addWidget(layer_label)
        pick.addWidget(self.layer)
        pick.addStretch()
        maps_layout.addLayout(pick)
        self.maps = Chart(min_height=240)
        self.maps.setFixedHeight(240)
        maps_layout.addWidget(self.maps)
        self.body.addWidget(maps_box)
        self._shown: RunResult | None = None
        self._all_probs: np.ndarray | None = None
        self._filters: np.ndarray | None = None
        self.shown_predictions = 0  # how many of the first five are on screen (tests read it)
        self.ui = TaskUi(self, "Inspecting the model", self.note, errors="status")
        self.shown_maps: tuple[str, tuple[int, ...]] | None = None  # layer and map shape drawn
        state.data_loading.connect(self._data_replaced)

    def _data_replaced(self) -> None:
        """MNIST is loading again (a folder chosen after the sample): the shown run's
        predictions belong to the old test set, so nothing here may index the new one."""
        if self.state.result is None and self._shown is not None:
            self._shown, self._all_probs, self._filters = None, None, None
            self.note.setText("The data changed: train a model on it in step 3.")

    def activated(self) -> None:
        result = self.state.result
        if result is None or result is self._shown:
            return
        self._shown = result
        self._all_probs = None
        self.note.setText(
            f"Run: {describe(result.config.to_dict())}, test accuracy "
            f"{result.test_accuracy:.2%}. Computing all test predictions…"
        )
        data = self.state.loaded_data()  # a run was trained on it
        self.digit.setMaximum(len(data.test_images) - 1)  # 999 on the offline sample
        self._show_first_five(result)
        self._fill_confusion(result.confusion)
        model, norm = result.model, result.config.normalization

        def inspect() -> tuple[RunResult, np.ndarray, np.ndarray, list[str]]:
            from trainer.inspect import conv_filters, map_layers, predict

            probs = predict(model, data.test_images, norm)
            return result, probs, conv_filters(model), map_layers(model)

        self.state.workers.run_task(
            self.ui, lambda _data: CallWorker(inspect), on_done=self._on_inspected
        )

    def _show_first_five(self, result: RunResult) -> None:
        data = self.state.loaded_data()
        fig = self.first_five.figure
        fig.clear()
        preds = result.predictions[:5]
        axes = fig.subplots(2, max(len(preds), 1), squeeze=False, height_ratios=[3, 2])
        for i, p in enumerate(preds):
            img_ax, bar_ax = axes[0][i], axes[1][i]
            img_ax.imshow(data.test_images[p.index], cmap="gray_r", vmin=0, vmax=255)
            img_ax.set_axis_off()
            mark = "right" if p.label == p.truth else "WRONG"
            img_ax.set_title(
                f"predicted {p.label} ({max(p.probabilities):.0%})\ntruth {p.truth}: {mark}",
                fontsize=9,
                color=self.first_five.colors["text"],
            )
            probability_bars(self.first_five, bar_ax, p.probabilities, p.truth)
        self.first_five.redraw_now()
        self.shown_predictions = len(preds)

    def _fill_confusion(self, confusion: list[list[int]]) -> None:
        pal = self.palette()
        high = pal.color(QPalette.ColorRole.Highlight)
        peak = max(confusion[r][c] for r in range(10) for c in range(10) if r != c) or 1
        for r in range(10):
            for c in range(10):
                n = confusion[r][c]
                item = QTableWidgetItem(str(n))
                item.setTextAlignment(Qt.AlignmentFlag.AlignCenter)
                if n and r != c:
                    tint = QColor(high)
                    tint.setAlphaF(0.15 + 0.6 * n / peak)
                    item.setBackground(tint)
                if r == c:
                    font = item.font()
                    font.setBold(True)
                    item.setFont(font)
                item.setToolTip(f"truth {r}, predicted {c}: {n} digits")
                self.confusion.setItem(r, c, item)

    def _on_inspected(self, out: tuple[RunResult, np.ndarray, np.ndarray, list[str]]) -> None:
        result, probs, filters, layers = out
        if result is not self._shown:
            return
        self._all_probs, self._filters = probs, filters
        self.layer.blockSignals(True)
        self.layer.clear()
        self.layer.addItems(layers)
        self.layer.blockSignals(False)
        self.note.setText(
            f"Run: {describe(result.config.to_dict())}, test accuracy "
            f"{result.test_accuracy:.2%}. Select a cell to see those digits."
        )
        self.show_cell(max(self.confusion.currentRow(), 0), max(self.confusion.currentColumn(), 1))
        self._feature_maps()

    def show_cell(self, truth: int, predicted: int) -> None:
        """Show up to 24 test digits of `truth` that the model called `predicted`."""
        if self._all_probs is None or truth < 0 or predicted < 0:
            return
        data = self.state.loaded_data()
        guesses = self._all_probs.argmax(axis=1)
        found = np.flatnonzero((data.test_labels == truth) & (guesses == predicted))
        idx = found[:24]
        what = f"{truth} read as {predicted}" if truth != predicted else f"{truth} recognised"
        show_digits(
            self.mistakes,
            data.test_images[idx],
            [f"#{i}" for i in idx],
            cols=6,
            title=f"{what}: {len(found)} digits ({len(idx)} shown)",
        )

    def _feature_maps(self) -> None:
        result = self._shown
        if result is None or self._filters is None:
            return
        image = self.state.loaded_data().test_images[self.digit.value()]
        model, norm, filters = result.model, result.config.normalization, self._filters
        layer = self.layer.currentText() or None

        def maps() -> tuple[RunResult, np.ndarray, np.ndarray, np.ndarray]:
            from trainer.inspect import feature_maps

            return result, image, filters, feature_maps(model, image, norm, layer)

        self.state.workers.run_task(
            self.ui, lambda _data: CallWorker(maps), on_done=self._draw_maps
        )

    def _draw_maps(self, out: tuple[RunResult, np.ndarray, np.ndarray, np.ndarray]) -> None:
        result, image, filters, fm = out
        if result is not self._shown:
            return
        cols = 8
        n_filters, n_maps = min(filters.shape[-1], cols), min(fm.shape[-1], 2 * cols)
        map_rows = (n_maps + cols - 1) // cols
        fig = self.maps.figure
        fig.clear()
        grid = fig.add_gridspec(1 + map_rows, cols + 1)
        text = self.maps.colors["text"]
        ax = fig.add_subplot(grid[0:, 0])
        ax.imshow(image, cmap="gray_r", vmin=0, vmax=255)
        ax.set_title(f"digit #{self.digit.value()}", fontsize=9, color=text)
        ax.set_axis_off()
        for i in range(n_filters):
            fax = fig.add_subplot(grid[0, 1 + i])
            fax.imshow(filters[:, :, i], cmap="RdBu_r")
            fax.set_title(f"filter {i}", fontsize=8, color=text)
            fax.set_axis_off()
        layer = self.layer.currentText() or "first conv"
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
        self.shown_maps = (layer, fm.shape)
        self.maps.redraw_now()
