"""Step 2: choose the model's settings and see its layers, output shapes, parameters and cost.

The form is made from the trainer's settings registry: one control per setting, grouped,
with its label, bounds and help text from the table, so a new setting appears here without
a change to this file. A preset of the quest's ladder fills the form in one step.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
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
    QVBoxLayout,
    QWidget,
)

from kviz.ui.lab_steps.common import Step

if TYPE_CHECKING:
    from trainer.config import LabConfig

EXPLANATION = (
    "The reference model is the classic small CNN: one Conv2D layer whose <i>filters</i> each "
    "learn a local pattern, a MaxPooling2D layer that keeps the strongest response in each "
    "2x2 block, a Flatten, and a Dense layer with softmax that turns the features into ten "
    "probabilities. Change a setting and watch the shapes, parameter counts and multiply-adds "
    "change: a Conv2D layer has kernel x kernel x channels x filters weights plus one bias per "
    "filter, and does that many multiply-adds for every pixel of its output. Start from a "
    "rung of the quest's ladder to see how the more accurate models are built."
)

NORMALIZE_CODE = {
    "center": "images = images / 255 - 0.5",
    "unit": "images = images / 255",
    "none": "images = images.astype('float32')  # raw 0-255",
}


def model_code(config: LabConfig) -> str:
    """The Keras code that builds `config`'s model, as a person would write it."""
    fill = "-0.5" if config.normalization == "center" else "0.0"
    lines = ["Input((28, 28, 1)),"]
    if config.shift:
        frac = f"{config.shift} / 28"
        lines.append(f"RandomTranslation({frac}, {frac}, fill_mode='constant', fill_value={fill}),")
    if config.rotation:
        lines.append(
            f"RandomRotation({config.rotation} / 360, fill_mode='constant', fill_value={fill}),"
        )
    for n, (filters, kernel, pool) in enumerate(config.conv_blocks(), start=1):
        stride = f", strides={config.stride}" if n == 1 and config.stride > 1 else ""
        if config.batch_norm:
            lines.append(f"Conv2D({filters}, {kernel}{stride}, use_bias=False),")
            lines.append("BatchNormalization(),")
            if config.conv_activation:
                lines.append(f"Activation('{config.conv_activation}'),")
        else:
            act = f", activation='{config.conv_activation}'" if config.conv_activation else ""
            lines.append(f"Conv2D({filters}, {kernel}{stride}{act}),")
        if pool > 1:
            lines.append(f"MaxPooling2D(pool_size={pool}),")
    lines.append("Flatten(),")
    if config.hidden:
        lines.append(f"Dense({config.hidden}, activation='relu'),")
    if config.dropout > 0:
        lines.append(f"Dropout({config.dropout}),")
    lines.append("Dense(10, activation='softmax'),")
    rate = f"{config.learning_rate:g}"
    if config.schedule != "constant":
        rate = f"{config.schedule.capitalize()}Schedule(peak={rate}, steps=...)"
    loss = "'categorical_crossentropy'"
    if config.label_smoothing:
        loss = f"CategoricalCrossentropy(label_smoothing={config.label_smoothing:g})"
    body = "\n".join(f"    {line}" for line in lines)
    return (
        f"{NORMALIZE_CODE[config.normalization]}\n"
        "images = np.expand_dims(images, axis=3)            # (N, 28, 28, 1)\n"
        f"model = Sequential([\n{body}\n])\n"
        f"model.compile({config.optimizer.capitalize()}(learning_rate={rate}),\n"
        f"              loss={loss}, metrics=['accuracy'])"
    )


def setting_widget(spec: Any) -> QWidget:
    """The control for one registry setting, bounded as the registry says."""
    widget: QWidget
    if spec.kind == "bool":
        widget = QCheckBox()
    elif spec.kind == "choice":
        widget = QComboBox()
        for choice in spec.choices:
            widget.addItem(spec.show(choice), choice)
    elif spec.kind == "int":
        low = int(spec.minimum) - (1 if spec.optional else 0)
        widget = QSpinBox(minimum=low, maximum=int(spec.maximum))
        if spec.optional:
            widget.setSpecialValueText(spec.none_label)
        if spec.maximum > 10_000:
            widget.setSingleStep(1000)
    else:
        top = spec.maximum - 0.01 if spec.below_maximum else spec.maximum
        small = spec.minimum is not None and 0 < spec.minimum < 0.001
        widget = QDoubleSpinBox(minimum=spec.minimum, maximum=top, decimals=5 if small else 2)
        widget.setSingleStep(0.0005 if small else 0.05)
    widget.setToolTip(spec.help)
    widget.setAccessibleName(spec.label)
    return widget


def widget_value(spec: Any, widget: Any) -> Any:
    """The setting's value as the control shows it."""
    if spec.kind == "bool":
        return widget.isChecked()
    if spec.kind == "choice":
        return widget.currentData()
    if spec.kind == "int":
        value = widget.value()
        return None if spec.optional and value < spec.minimum else value
    return round(widget.value(), widget.decimals())


def set_widget_value(spec: Any, widget: Any, value: Any) -> None:
    """Show `value` in the setting's control."""
    if spec.kind == "bool":
        widget.setChecked(bool(value))
    elif spec.kind == "choice":
        widget.setCurrentIndex(list(spec.choices).index(value))
    elif spec.kind == "int" and value is None:
        widget.setValue(widget.minimum())
    else:
        widget.setValue(value)


class BuildStep(Step):
    """The configuration controls; `config_changed` carries each valid new LabConfig.

    Each setting's control is also an attribute named after it (`build.epochs`).
    """

    title = "2. Build the model"
    config_changed = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        from trainer.config import LabConfig
        from trainer.presets import LADDER
        from trainer.settings import SETTINGS

        self._defaults = LabConfig()
        super().__init__(EXPLANATION, model_code(self._defaults), parent)
        self.widgets: dict[str, Any] = {}
        self._filling = False
        top = QHBoxLayout()
        self.preset = QComboBox()
        self.preset.addItem("(keep the settings below)", None)
        for rung in LADDER:
            self.preset.addItem(f"{rung.title} ({rung.name})", rung.name)
        self.preset.setToolTip("Fill the form with a rung of the quest's ladder")
        self.preset.activated.connect(self._preset_chosen)
        label = QLabel("Start from a &preset:")
        label.setBuddy(self.preset)
        top.addWidget(label)
        top.addWidget(self.preset)
        top.addStretch()
        self.body.addLayout(top)

        row = QHBoxLayout()
        forms = QVBoxLayout()
        groups: dict[str, QFormLayout] = {}
        for spec in SETTINGS:
            if spec.group not in groups:
                box = QGroupBox(spec.group)
                groups[spec.group] = QFormLayout(box)
                forms.addWidget(box)
            widget: Any = setting_widget(spec)  # a spin box, combo box or check box
            set_widget_value(spec, widget, spec.default)
            groups[spec.group].addRow(f"{spec.label}:", widget)
            self.widgets[spec.name] = widget
            setattr(self, spec.name, widget)
            signal = (
                widget.toggled
                if spec.kind == "bool"
                else getattr(widget, "valueChanged", None) or widget.currentIndexChanged
            )
            signal.connect(self._changed)
        forms.addStretch()
        row.addLayout(forms)

        summary = QGroupBox("Model summary")
        summary_layout = QFormLayout(summary)
        self.table = QTableWidget(0, 5)
        self.table.setHorizontalHeaderLabels(
            ["Layer", "Kind", "Output shape", "Parameters", "MACs / image"]
        )
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        # Columns as wide as their text (stretched, a narrow window cut "Output shape" and
        # wrapped the shapes); the table scrolls sideways when the window is narrow.
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.setMinimumHeight(320)
        self.table.setTabKeyNavigation(False)
        summary_layout.addRow(self.table)
        self.total = QLabel()
        self.total.setWordWrap(True)  # on one line it made the step wider than the window
        summary_layout.addRow(self.total)
        self.problem = QLabel()
        self.problem.setWordWrap(True)
        summary_layout.addRow(self.problem)
        row.addWidget(summary, 1)
        self.body.addLayout(row)
        self.body.addStretch()
        self._enable_blocks()

    @property
    def config(self) -> LabConfig:
        """The settings on screen, checked: raises ConfigError (naming the setting) when the
        combination cannot be trained, so nothing trains an older valid one instead."""
        config = self.read_config()
        config.validate()
        return config

    def activated(self) -> None:
        self._changed()

    def main_control(self) -> QWidget | None:
        """The preset: the quickest way to a model worth training."""
        return self.preset

    def read_config(self) -> LabConfig:
        """A LabConfig from the controls (not validated)."""
        from trainer.config import LabConfig
        from trainer.settings import BY_NAME

        return LabConfig(
            **{name: widget_value(BY_NAME[name], w) for name, w in self.widgets.items()}
        )

    def set_config(self, config: Any) -> None:
        """Show every setting of `config` in the form (one update at the end)."""
        from trainer.settings import BY_NAME

        self._filling = True
        try:
            for name, widget in self.widgets.items():
                set_widget_value(BY_NAME[name], widget, getattr(config, name))
        finally:
            self._filling = False
        self._changed()

    def _preset_chosen(self) -> None:
        from trainer.presets import preset_config

        name = self.preset.currentData()
        if name:
            self.set_config(preset_config(name))

    def _enable_blocks(self) -> None:
        """Block 2 and 3's controls are live only when that many blocks are stacked."""
        blocks = self.widgets["blocks"].value()
        for n in (2, 3):
            for key in ("filters", "kernel", "pool"):
                self.widgets[f"{key}{n}"].setEnabled(blocks >= n)

    def _changed(self, *_args: object) -> None:
        from trainer.errors import ConfigError
        from trainer.model import layer_summary

        if self._filling:
            return
        self._enable_blocks()
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
            values = [
                layer.name,
                layer.kind,
                str(tuple(layer.output_shape)),
                f"{layer.params:,}",
                f"{layer.macs:,}" if layer.macs else "",
            ]
            for c, text in enumerate(values):
                item = QTableWidgetItem(text)
                if c >= 3:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                self.table.setItem(r, c, item)
        params = sum(x.params for x in layers)
        macs = sum(x.macs for x in layers)
        self.total.setText(
            f"<b>Total parameters:</b> {params:,} ({4 * params:,} bytes as float32)<br>"
            f"<b>Multiply-adds per image:</b> {macs:,}"
        )
        self.config_changed.emit(config)
