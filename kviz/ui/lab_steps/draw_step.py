"""Step 5: draw a digit and see what the trained model makes of it."""

from __future__ import annotations

from typing import Any

import numpy as np
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from kviz.ui.charts import Chart
from kviz.ui.draw_pad import DrawPad
from kviz.ui.lab_steps.common import Step, probability_bars
from kviz.ui.lab_steps.run_picker import RunPicker, normalization
from kviz.ui.state import AppState
from kviz.ui.tasks import TaskUi
from kviz.ui.workers import CallWorker

EXPLANATION = (
    "MNIST digits were centred and scaled in a particular way: the digit's bounding box fits "
    "in 20x20 pixels and its centre of mass sits in the middle of the 28x28 image. Your "
    "drawing is prepared the same way before the model sees it (shown on the right), so the "
    "model judges your digit as it judged the test set. Draw with the mouse; Delete clears."
)

CODE = """from trainer.drawing import to_mnist
digit = to_mnist(ink)     # 20x20 box, centred by mass, 28x28
probs = predict(model, digit[None], normalization)[0]
print(probs.argmax(), probs.max())"""


TRAIN_FIRST = "train a model in step 3, then draw a digit."


class DrawStep(Step):
    """Predicts after each stroke on a worker, with the model of the run picked above
    (AppState.run_uid: the last trained unless another is picked, here or in Predict)."""

    title = "5. Draw a digit"

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(EXPLANATION, CODE, parent)
        self.state = state
        self.picker = RunPicker()
        self.picker.picked.connect(self._picked)
        self.body.addWidget(self.picker)
        row = QHBoxLayout()
        left = QVBoxLayout()
        self.pad = DrawPad()
        self.pad.setMinimumSize(280, 280)
        self.pad.stroke_finished.connect(self.predict)
        self.pad.cleared.connect(self._cleared)
        left.addWidget(self.pad)
        self.clear_button = QPushButton("C&lear")
        self.clear_button.clicked.connect(self.pad.clear)
        left.addWidget(self.clear_button)
        row.addLayout(left)
        right = QVBoxLayout()
        self.answer = QLabel(self.picker.missing(TRAIN_FIRST))
        font = self.answer.font()
        font.setPointSizeF(font.pointSizeF() * 1.5)
        self.answer.setFont(font)
        self.answer.setWordWrap(True)
        right.addWidget(self.answer)
        self.chart = Chart(min_height=280)
        self.chart.setFixedHeight(300)
        right.addWidget(self.chart)
        right.addStretch()
        row.addLayout(right, 1)
        self.body.addLayout(row)
        self._request = 0
        self.last_probabilities: list[float] | None = None  # tests read it
        self.ui = TaskUi(self, "Reading the drawing", self.answer, errors="status")

    def activated(self) -> None:
        shown = self.picker.current_run()
        run = self.picker.refresh(self.state)
        if run is None:
            self.answer.setText(self.picker.missing(TRAIN_FIRST))
        elif self.pad.is_empty():
            self.answer.setText("Draw a digit on the pad.")
        elif shown is None or shown.uid != run.uid:
            self.predict()  # the drawing, read again by the run now chosen

    def _picked(self, uid: str) -> None:
        self.state.run_uid = uid
        if self.pad.is_empty():
            self.answer.setText("Draw a digit on the pad.")
        else:
            self.predict()

    def _cleared(self) -> None:
        self._request += 1
        self.answer.setText(
            "Draw a digit on the pad." if self.picker.runs else self.picker.missing(TRAIN_FIRST)
        )

    def predict(self) -> None:
        """Prepare the drawing the MNIST way and ask the model (off the main thread), reopening
        the run's model file first when it is not in memory."""
        run = self.picker.current_run()
        if run is None:
            self.answer.setText(self.picker.missing(TRAIN_FIRST))
            return
        ink = self.pad.ink()
        uid, norm = run.uid, normalization(run)
        model, folder = self.state.model_of(uid), self.state.models_folder
        self._request += 1
        request = self._request

        def read() -> tuple[int, str, Any, np.ndarray, np.ndarray]:
            from kviz.store.run_models import load_model
            from trainer.drawing import to_mnist
            from trainer.inspect import predict

            opened = model if model is not None else load_model(folder, uid)
            digit = to_mnist(ink)
            return request, uid, opened, digit, predict(opened, digit[None], norm)[0]

        self.state.workers.run_task(self.ui, lambda _data: CallWorker(read), on_done=self._show)

    def _show(self, out: tuple[int, str, Any, np.ndarray, np.ndarray]) -> None:
        request, uid, model, digit, probs = out
        self.state.remember_model(uid, model)
        if request != self._request:
            return  # a newer stroke, a clear or another run came in meanwhile
        probs = np.asarray(probs, dtype=float)
        guess = int(probs.argmax())
        self.last_probabilities = probs.tolist()
        self.answer.setText(f"The model reads a <b>{guess}</b> ({probs[guess]:.0%} sure).")
        fig = self.chart.figure
        fig.clear()
        img_ax, bar_ax = fig.subplots(1, 2, width_ratios=[1, 2])
        img_ax.imshow(digit, cmap="gray_r", vmin=0, vmax=255)
        img_ax.set_title("what the model sees (28x28)", fontsize=9, color=self.chart.colors["text"])
        img_ax.set_axis_off()
        probability_bars(self.chart, bar_ax, probs, None)
        bar_ax.set_title("probabilities", fontsize=9)
        self.chart.style_axes(bar_ax)
        self.chart.redraw_now()
