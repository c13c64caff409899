"""Step 4: what a saved run's model predicts, where it errs, and what its filters learned."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

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
from kviz.ui.lab_steps.common import Step, show_digits
from kviz.ui.lab_steps.digit_charts import draw_digit, draw_first_five, draw_maps
from kviz.ui.lab_steps.run_picker import RunPicker, normalization, run_label
from kviz.ui.state import AppState
from kviz.ui.tasks import Task, TaskUi
from kviz.ui.workers import CallWorker

if TYPE_CHECKING:
    from matplotlib.artist import Artist
    from matplotlib.axes import Axes
    from matplotlib.backend_bases import Event

    from kviz.store.views import LabRun
    from trainer.data import MnistData

EXPLANATION = (
    "The trained model gives each test digit ten probabilities; its prediction is the "
    "largest. The confusion matrix counts, for each true digit (row), what the model said "
    "(column): the diagonal is right, everything else is a mistake. It opens on the most "
    "common mistake; select a cell to see those digits, and click a digit to see it large "
    "with its ten probabilities. Below, the first layer's learned filters, and what any "
    "layer makes of that digit: its feature maps (deeper maps are smaller and more abstract)."
)

CODE = """model = keras.saving.load_model("models/<run>.keras")   # any saved run
predictions = model.predict(test_images)
print(np.argmax(predictions[:5], axis=1), test_labels[:5])  # predicted, truth
filters = model.layers[0].get_weights()[0]   # (k, k, 1, filters)"""

TRAIN_FIRST = "train a model in step 3 first."
GRID_ROWS, GRID_COLUMNS = 4, 6  # at most 24 digits shown for one confusion cell

# What the inspection worker hands back: run uid, model, all test probabilities, the first
# conv's filters, the layers with feature maps.
Inspected = tuple[str, Any, np.ndarray, np.ndarray, list[str]]


def largest_mistake(confusion: np.ndarray) -> tuple[int, int]:
    """The off-diagonal cell (truth, predicted) with the most digits: the commonest mistake."""
    off = np.array(confusion, dtype=np.int64)
    np.fill_diagonal(off, -1)
    truth, predicted = np.unravel_index(int(off.argmax()), off.shape)
    return int(truth), int(predicted)


class PredictStep(Step):
    """Shows the run picked above (AppState.run_uid: the last trained unless another is picked),
    its model reopened from its file when it is not the one in memory."""

    title = "4. Predict"

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(EXPLANATION, CODE, parent)
        self.state = state
        self.picker = RunPicker()
        self.picker.picked.connect(self._picked)
        self.body.addWidget(self.picker)
        self.note = QLabel(self.picker.missing(TRAIN_FIRST))
        self.note.setWordWrap(True)
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
        self._clicks = False  # the click handler is connected with the figure, on first use
        self.mistakes.setToolTip("Click a digit to see it large with its probabilities")
        row.addWidget(self.mistakes, 1)
        self.body.addLayout(row)

        self.digit_box = QGroupBox("One test digit: the model's probabilities, filters, maps")
        maps_layout = QVBoxLayout(self.digit_box)
        pick = QHBoxLayout()
        self.digit = QSpinBox(minimum=0, maximum=0)  # up to the test set's size, once known
        self.digit.setEnabled(False)
        self.digit.valueChanged.connect(self._digit_changed)
        label = QLabel("Test &digit number:")
        label.setBuddy(self.digit)
        pick.addWidget(label)
        pick.addWidget(self.digit)
        self.layer = QComboBox()
        self.layer.setAccessibleName("Layer whose feature maps are shown")
        self.layer.currentIndexChanged.connect(self._feature_maps)
        layer_label = QLabel("feature maps of &layer:")
        layer_label.setBuddy(self.layer)
        pick.addWidget(layer_label)
        pick.addWidget(self.layer)
        pick.addStretch()
        maps_layout.addLayout(pick)
        self.detail = Chart(min_height=220)
        self.detail.setFixedHeight(220)
        maps_layout.addWidget(self.detail)
        self.maps = Chart(min_height=240)
        self.maps.setFixedHeight(240)
        maps_layout.addWidget(self.maps)
        self.body.addWidget(self.digit_box)

        self.run: LabRun | None = None  # the run picked (shown once inspected)
        self.shown_uid: str | None = None  # the run whose predictions are on screen
        self._model: Any = None
        self._all_probs: np.ndarray | None = None
        self._filters: np.ndarray | None = None
        self._grid: dict[Axes, int] = {}  # the cell's digit axes -> test index
        self._task: Task | None = None
        self.shown_predictions = 0  # how many of the first five are on screen (tests read it)
        self.shown_cell: tuple[int, int] | None = None  # the confusion cell drawn (tests read)
        self._shown_columns = 0
        self.shown_digit: int | None = None  # the test digit drawn large (tests read it)
        self.ui = TaskUi(self, "Opening the model", self.note, errors="status")
        self.maps_ui = TaskUi(self, "Computing the feature maps", self.note, errors="status")
        self._mark: Artist | None = None  # the frame around the chosen digit in the grid
        self.shown_maps: tuple[str, tuple[int, ...]] | None = None  # layer and map shape drawn
        self.mistakes.resized.connect(self._grid_resized)  # as many digit columns as fit
        state.data_loading.connect(self._data_replaced)

    # -- which run -----------------------------------------------------------------------

    def _data_replaced(self) -> None:
        """MNIST is loading again (a folder chosen after the sample): the predictions on
        screen index the old test set, so they go, and are computed again on the new one."""
        if self.shown_uid is None:
            return
        self.shown_uid = None
        self._all_probs = self._filters = None
        self.note.setText("The data changed: computing the predictions again…")
        if self.isVisible():
            self.activated()  # waits for the new data, then predicts

    def activated(self) -> None:
        run = self.picker.refresh(self.state)
        if run is None:
            self._forget()
            return
        self._open(run)

    def _forget(self) -> None:
        """No saved run (yet, or for this learner): empty charts and the message to train."""
        self.run = self.shown_uid = self._model = None
        self._all_probs = self._filters = None
        self._grid, self.shown_cell, self._mark = {}, None, None
        for chart in (self.first_five, self.mistakes, self.detail, self.maps):
            chart.clear()
        self.confusion.clearContents()
        self.digit.setEnabled(False)
        self.note.setText(self.picker.missing(TRAIN_FIRST))

    def _picked(self, uid: str) -> None:
        self.state.run_uid = uid
        run = self.picker.current_run()
        if run is not None:
            self._open(run)

    def _open(self, run: LabRun) -> None:
        """Predict the whole test set with `run`'s model (loading MNIST and the model file
        first when needed), unless that run is already shown or on its way."""
        busy = self._task is not None and not self._task.ended
        if self.run is not None and self.run.uid == run.uid and (busy or self.shown_uid):
            return
        self.run = run
        uid, norm = run.uid, normalization(run)
        model, folder = self.state.model_of(uid), self.state.models_folder
        self.note.setText(f"Run: {run_label(run)}. Computing all test predictions…")

        def inspect(data: MnistData) -> Inspected:
            from kviz.store.run_models import load_model
            from trainer.inspect import conv_filters, map_layers, predict

            opened = model if model is not None else load_model(folder, uid)
            probs = predict(opened, data.test_images, norm)
            return uid, opened, probs, conv_filters(opened), map_layers(opened)

        def make(data: MnistData | None) -> CallWorker[Inspected]:
            assert data is not None
            return CallWorker(lambda: inspect(data))

        self.shown_uid = self.shown_maps = None
        self._task = self.state.workers.run_task(
            self.ui, make, data=self.state, on_done=self._on_inspected
        )

    def _on_inspected(self, out: Inspected) -> str | None:
        uid, model, probs, filters, layers = out
        if self.run is None or uid != self.run.uid:
            return None  # another run was picked meanwhile
        self.state.remember_model(uid, model)
        data = self.state.loaded_data()
        self.shown_uid = uid
        self._model, self._all_probs, self._filters = model, probs, filters
        n_test = len(data.test_images)
        note = f"Run: {run_label(self.run)}. Select a cell to see those digits."
        scored = self.run.metrics.get("n_test")
        if isinstance(scored, int) and scored != n_test:
            note += f" (It was scored on {scored:,} test digits; {n_test:,} are loaded now.)"
        self._show_first_five(data, probs)
        guesses = probs.argmax(axis=1)
        confusion = np.bincount(
            data.test_labels.astype(np.int64) * 10 + guesses, minlength=100
        ).reshape(10, 10)
        self._fill_confusion(confusion)
        self.layer.blockSignals(True)
        self.layer.clear()
        self.layer.addItems(layers)
        self.layer.blockSignals(False)
        self.digit.blockSignals(True)
        self.digit.setMaximum(n_test - 1)  # 999 on the offline sample
        self.digit.setEnabled(True)
        self.digit.blockSignals(False)
        truth, predicted = largest_mistake(confusion)
        if (self.confusion.currentRow(), self.confusion.currentColumn()) == (truth, predicted):
            self.show_cell(truth, predicted)
        else:
            self.confusion.setCurrentCell(truth, predicted)  # draws it
        self._digit_changed()
        return note

    # -- what it predicts --------------------------------------------------------------------

    def _show_first_five(self, data: MnistData, probs: np.ndarray) -> None:
        self.shown_predictions = draw_first_five(
            self.first_five, data.test_images, data.test_labels, probs
        )

    def _fill_confusion(self, confusion: np.ndarray) -> None:
        pal = self.palette()
        high = pal.color(QPalette.ColorRole.Highlight)
        peak = max(int(confusion[r][c]) for r in range(10) for c in range(10) if r != c) or 1
        self.confusion.blockSignals(True)
        for r in range(10):
            for c in range(10):
                n = int(confusion[r][c])
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
        self.confusion.blockSignals(False)

    def show_cell(self, truth: int, predicted: int) -> None:
        """Show up to 24 test digits of `truth` that the model called `predicted` (four rows,
        as many columns as fit: 3 in a minimum-size window, 6 in a wide one)."""
        if self._all_probs is None or truth < 0 or predicted < 0:
            return
        data = self.state.loaded_data()
        guesses = self._all_probs.argmax(axis=1)
        found = np.flatnonzero((data.test_labels == truth) & (guesses == predicted))
        cols = self._grid_columns()
        idx = found[: cols * GRID_ROWS]
        what = f"{truth} read as {predicted}" if truth != predicted else f"{truth} recognised"
        if not self._clicks:
            self.mistakes.canvas.mpl_connect("button_press_event", self._grid_clicked)
            self._clicks = True
        axes = show_digits(
            self.mistakes,
            data.test_images[idx],
            [f"#{i}" for i in idx],
            cols=cols,
            title=f"{what}: {len(found)} digits\n({len(idx)} shown; click one)",
        )
        self._grid = {ax: int(i) for ax, i in zip(axes, idx, strict=True)}
        self._mark = None
        self._mark_digit()
        self.shown_cell, self._shown_columns = (truth, predicted), cols

    def _grid_columns(self) -> int:
        return max(3, min(GRID_COLUMNS, self.mistakes.width() // 64))

    def _grid_resized(self) -> None:
        """Draw the cell's digits again when the window's size changes how many fit a row."""
        if self.shown_cell is not None and self._grid_columns() != self._shown_columns:
            self.show_cell(*self.shown_cell)

    def _grid_clicked(self, event: Event) -> None:
        index = self._grid.get(getattr(event, "inaxes", None))  # type: ignore[arg-type]
        if index is None:
            return
        if self.digit.value() == index:
            self._digit_changed()
        else:
            self.digit.setValue(index)
        self.ensureWidgetVisible(self.detail)

    # -- one digit -----------------------------------------------------------------------

    def _digit_changed(self) -> None:
        self._show_digit()
        self._feature_maps()

    def _show_digit(self) -> None:
        """The chosen test digit large, beside the model's ten probabilities for it."""
        if self._all_probs is None:
            return
        data = self.state.loaded_data()
        index = self.digit.value()
        probs, truth = self._all_probs[index], int(data.test_labels[index])
        draw_digit(self.detail, data.test_images[index], index, truth, probs)
        self.shown_digit = index
        self._mark_digit()

    def _mark_digit(self) -> None:
        """Frame the digit shown large in the cell's grid, when it is one of them."""
        from matplotlib.patches import Rectangle

        if self._mark is None and self.digit.value() not in self._grid.values():
            return  # nothing to frame or unframe: no redraw
        if self._mark is not None:
            self._mark.remove()
            self._mark = None
        for ax, index in self._grid.items():
            if index == self.digit.value():
                self._mark = ax.add_patch(
                    Rectangle(
                        (-0.5, -0.5),
                        28,
                        28,
                        fill=False,
                        edgecolor=self.mistakes.colors["accent"],
                        linewidth=3,
                        clip_on=False,
                    )
                )
        self.mistakes.redraw_now()

    def _feature_maps(self) -> None:
        uid, model = self.shown_uid, self._model
        if uid is None or self.run is None or self._filters is None:
            return
        image = self.state.loaded_data().test_images[self.digit.value()]
        norm, filters = normalization(self.run), self._filters
        layer = self.layer.currentText() or None

        def maps() -> tuple[str, np.ndarray, np.ndarray, np.ndarray]:
            from trainer.inspect import feature_maps

            return uid, image, filters, feature_maps(model, image, norm, layer)

        self.state.workers.run_task(
            self.maps_ui, lambda _data: CallWorker(maps), on_done=self._draw_maps
        )

    def _draw_maps(self, out: tuple[str, np.ndarray, np.ndarray, np.ndarray]) -> None:
        uid, image, filters, fm = out
        if uid != self.shown_uid:
            return
        layer = self.layer.currentText() or "first conv"
        draw_maps(self.maps, image, self.digit.value(), filters, fm, layer)
        self.shown_maps = (layer, fm.shape)
