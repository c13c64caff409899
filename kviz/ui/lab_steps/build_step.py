"""Step 2: choose the model's settings and see its layers, output shapes and parameters."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QDoubleSpinBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from kviz.ui.lab_steps.common import Step

if TYPE_CHECKING:
    from trainer.config import LabConfig

EXPLANATION = (
    "The reference model is the classic small CNN: one Conv2D layer whose <i>filters</i> each "
    "learn a local pattern, a MaxPooling2D layer that keeps the strongest response in each "
    "2x2 block, a Flatten, and a Dense layer with softmax that turns the features into ten "
    "probabilities. Change a setting and watch the shapes and parameter counts change: a "
    "Conv2D layer has kernel x kernel x channels x filters weights plus one bias per filter."
)

NORMALIZATIONS = [
    ("center", "centre: pixels / 255 - 0.5"),
    ("unit", "unit: pixels / 255"),
    ("none", "none: raw 0-255"),
]
NORMALIZE_CODE = {
    "center": "images = images / 255 - 0.5",
    "unit": "images = images / 255",
    "none": "images = images.astype('float32')  # raw 0-255",
}


def model_code(config: LabConfig) -> str:
    """The Keras code that builds `config`'s model, as a person would write it."""
    act = f", activation='{config.conv_activation}'" if config.conv_activation else ""
    dropout = f"\n    Dropout({config.dropout})," if config.dropout > 0 else ""
    return (
        f"{NORMALIZE_CODE[config.normalization]}\n"
        "images = np.expand_dims(images, axis=3)            # (N, 28, 28, 1)\n"
        "model = Sequential([\n"
        f"    Conv2D({config.filters}, {config.kernel}{act}, input_shape=(28, 28, 1)),\n"
        f"    MaxPooling2D(pool_size={config.pool}),\n"
        f"    Flatten(),{dropout}\n"
        "    Dense(10, activation='softmax'),\n"
        "])\n"
        f"model.compile('{config.optimizer}',\n"
        "              loss='categorical_crossentropy', metrics=['accuracy'])"
    )


class BuildStep(Step):
    """The configuration controls; `config_changed` carries each valid new LabConfig."""

    title = "2. Build the model"
    config_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        from trainer.config import LabConfig

        self._defaults = LabConfig()
        super().__init__(EXPLANATION, model_code(self._defaults), parent)
        row = QHBoxLayout()
        box = QGroupBox("Settings")
        form = QFormLayout(box)
        self.filters = QSpinBox(minimum=1, maximum=64, value=self._defaults.filters)
        self.kernel = QSpinBox(minimum=1, maximum=9, singleStep=2, value=self._defaults.kernel)
        self.activation = QComboBox()
        self.activation.addItem("none (linear, as in the seed)", None)
        self.activation.addItem("relu", "relu")
        self.dropout = QDoubleSpinBox(minimum=0.0, maximum=0.9, singleStep=0.1, decimals=2)
        self.dropout.setValue(self._defaults.dropout)
        self.normalization = QComboBox()
        for key, label in NORMALIZATIONS:
            self.normalization.addItem(label, key)
        self.normalization.setCurrentIndex(
            [k for k, _ in NORMALIZATIONS].index(self._defaults.normalization)
        )
        self.epochs = QSpinBox(minimum=1, maximum=30, value=self._defaults.epochs)
        self.train_limit = QSpinBox(minimum=0, maximum=60000, singleStep=1000)
        self.train_limit.setSpecialValueText("all")
        self.train_limit.setValue(self._defaults.train_limit or 0)
        self.train_limit.setToolTip("Train on the first N images only, for a quick run")
        for label, widget in (
            ("&Filters:", self.filters),
            ("&Kernel size:", self.kernel),
            ("Conv &activation:", self.activation),
            ("&Dropout:", self.dropout),
            ("&Normalization:", self.normalization),
            ("&Epochs:", self.epochs),
            ("&Training images:", self.train_limit),
        ):
            form.addRow(label, widget)
            if isinstance(widget, QComboBox):
                widget.currentIndexChanged.connect(self._changed)
            else:
                widget.valueChanged.connect(self._changed)
        row.addWidget(box)

        summary = QGroupBox("Model summary")
        summary_layout = QFormLayout(summary)
        self.table = QTableWidget(0, 4)
        self.table.setHorizontalHeaderLabels(["Layer", "Kind", "Output shape", "Parameters"])
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.setMinimumHeight(170)
        self.table.setTabKeyNavigation(False)
        summary_layout.addRow(self.table)
        self.total = QLabel()
        summary_layout.addRow(self.total)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        summary_layout.addRow(self.problem)
        row.addWidget(summary, 1)
        self.body.addLayout(row)
        self.body.addStretch()

    @property
    def config(self) -> LabConfig:
        """The settings on screen, checked: raises ConfigError (naming the setting) when the
        combination cannot be trained, so nothing trains an older valid one instead."""
        config = self.read_config()
        config.validate()
        return config

    def activated(self) -> None:
        self._changed()

    def read_config(self) -> LabConfig:
        """A LabConfig from the controls (not validated)."""
        from dataclasses import replace

        return replace(
            self._defaults,
            filters=self.filters.value(),
            kernel=self.kernel.value(),
            conv_activation=self.activation.currentData(),
            dropout=round(self.dropout.value(), 2),
            normalization=self.normalization.currentData(),
            epochs=self.epochs.value(),
            train_limit=self.train_limit.value() or None,
        )

    def _changed(self, *_args: object) -> None:
        from trainer.errors import ConfigError
        from trainer.model import layer_summary

        config = self.read_config()
        try:
            config.validate()
            layers = layer_summary(config)
        except ConfigError as exc:
            self.problem.setText(f"This setting cannot be trained: {exc}")
            return
        self.problem.clear()
        self.code.set_code(model_code(config))
        self.table.setRowCount(len(layers))
        for r, layer in enumerate(layers):
            values = [layer.name, layer.kind, str(tuple(layer.output_shape)), f"{layer.params:,}"]
            for c, text in enumerate(values):
                item = QTableWidgetItem(text)
                if c == 3:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(r, c, item)
        self.total.setText(f"<b>Total parameters:</b> {sum(x.params for x in layers):,}")
        self.config_changed.emit(config)
