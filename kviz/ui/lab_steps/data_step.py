"""Step 1: load MNIST, say where it came from, show shapes and a grid of sample digits.

The code's comments carry the shapes actually loaded, so a learner on the offline sample
reads (4000, 28, 28), not MNIST's (60000, 28, 28); the lab's banner says why.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QPushButton, QWidget

from kviz.ui.charts import Chart
from kviz.ui.lab_steps.common import Step, show_digits
from kviz.ui.state import AppState

if TYPE_CHECKING:
    import numpy as np

    from trainer.data import MnistData

EXPLANATION = (
    "MNIST holds 70,000 handwritten digits, each a 28x28 grid of grey levels (0 = background, "
    "255 = the pen stroke; Kviz shows them black on white), with the digit it shows as its "
    "label. 60,000 are for training, "
    "10,000 are kept apart to test the model on digits it has never seen. Kviz reads the four "
    "MNIST files from a folder, its download cache or a mirror; offline it falls back to a "
    "5,000-digit sample."
)

CODE = """import mnist                            # the four MNIST files, parsed
train_images = mnist.train_images()     # uint8 (60000, 28, 28)
train_labels = mnist.train_labels()     # uint8 (60000,)
test_images = mnist.test_images()       # uint8 (10000, 28, 28)
test_labels = mnist.test_labels()       # uint8 (10000,)"""


def loaded_code(data: MnistData) -> str:
    """CODE with the shapes and types of the data this session holds, and its source."""
    from trainer.data import data_label

    def shape(array: np.ndarray) -> str:
        return f"{array.dtype} {array.shape}"

    label = data_label(data.source, len(data.train_images), len(data.test_images))
    return "\n".join(
        [
            f"# {label}, from {data.source}",
            "import mnist                            # the four MNIST files, parsed",
            f"train_images = mnist.train_images()     # {shape(data.train_images)}",
            f"train_labels = mnist.train_labels()     # {shape(data.train_labels)}",
            f"test_images = mnist.test_images()       # {shape(data.test_images)}",
            f"test_labels = mnist.test_labels()       # {shape(data.test_labels)}",
        ]
    )


class DataStep(Step):
    """Shows the data set once the session's DataWorker has loaded it."""

    title = "1. Load the data"

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(EXPLANATION, CODE, parent)
        self.state = state
        row = QHBoxLayout()
        self.load_button = QPushButton("&Load MNIST")
        self.load_button.clicked.connect(self.state.ensure_data)
        row.addWidget(self.load_button)
        self.progress = QProgressBar()
        self.progress.setFormat("%p%")
        self.progress.hide()
        row.addWidget(self.progress, 1)
        row.addStretch()
        self.body.addLayout(row)
        self.source = QLabel("Not loaded yet.")
        self.source.setWordWrap(True)
        self.body.addWidget(self.source)
        self.chart = Chart(min_height=250)
        self.chart.setFixedHeight(250)  # two rows of digits, no empty bands between them
        self.body.addWidget(self.chart)
        self.body.addStretch()
        state.data_loading.connect(self._on_loading)
        state.data_progress.connect(self._on_progress)
        state.data_loaded.connect(self._on_loaded)
        state.data_failed.connect(self._on_failed)

    def main_control(self) -> QWidget | None:
        return self.load_button

    def activated(self) -> None:
        if self.state.ensure_data():
            self._on_loaded()
        else:
            self._on_loading()

    def _on_loading(self) -> None:
        self.source.setText("Loading MNIST…")
        self.load_button.setEnabled(False)

    def _on_progress(self, name: str, done: int, total: int) -> None:
        self.progress.show()
        self.progress.setMaximum(max(total, 1))
        self.progress.setValue(done)
        self.progress.setFormat(
            f"Downloading {name}: %p% ({done // 1024:,} of {total // 1024:,} KiB)"
        )

    def _on_failed(self, message: str) -> None:
        self.load_button.setEnabled(True)
        self.progress.hide()
        self.source.setText(f"Could not load MNIST: {message}")

    def _on_loaded(self) -> None:
        from kviz.data_notice import sample_reason

        data = self.state.loaded_data()
        self.load_button.setEnabled(False)
        self.load_button.setText("MNIST loaded")
        self.progress.hide()
        sample = ""
        if data.source_kind == "sample":
            why = html.escape(sample_reason(data), quote=False)
            sample = f" — <b>the offline sample, not MNIST</b>, because {why}"
        self.source.setText(
            f"<b>Source:</b> {html.escape(data.source)}{sample}<br>"
            f"<b>Training images:</b> {data.train_images.shape} {data.train_images.dtype}, "
            f"labels {data.train_labels.shape}<br>"
            f"<b>Test images:</b> {data.test_images.shape}, labels {data.test_labels.shape}"
        )
        self.code.set_code(loaded_code(data))
        # Drawn on every load: choosing a folder after the sample replaces the data.
        images = data.train_images[:24]
        labels = [f"label {int(v)}" for v in data.train_labels[:24]]
        show_digits(self.chart, images, labels, cols=12, title="The first 24 training digits")
