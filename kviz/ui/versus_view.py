"""Keras vs PyTorch: both programs side by side, run and timed in the background, explained.

The code tab shows the two files the lab really runs (`trainer/keras_reference.py` and
`trainer/torch_reference.py`), padded by `trainer.versus.aligned_programs` so that the lines
doing the same job sit on the same rows; the panes scroll together. The run goes through
`trainer.versus` on a worker (each side in its own process, so Cancel ends it at once); the
result fills the table, the chart and the explanation of where the time goes. Without
PyTorch the screen still shows the code and says in one sentence how to install it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtGui import QColor, QFontDatabase, QTextCharFormat, QTextCursor, QTextFormat
from PySide6.QtWidgets import (
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPlainTextEdit,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QTextBrowser,
    QTextEdit,
    QVBoxLayout,
    QWidget,
)

from kviz.ui.charts import Chart
from kviz.ui.data_banner import DataBanner
from kviz.ui.state import AppState
from kviz.ui.tasks import Progress, Task, TaskControls
from kviz.ui.workers import Worker

if TYPE_CHECKING:
    from trainer.data import MnistData
    from trainer.versus import SideSummary, VersusProgress, VersusResult

INTRO = (
    "The same small CNN, the same shuffled MNIST arrays, the same batches of 32, the same "
    "loss and the same Adam settings, trained once with Keras and once with plain PyTorch "
    "from the same starting weights. Each side runs in a fresh process, in alternating "
    "order, for several rounds; the table shows the medians."
)
SET_THE_SAME = (
    "<b>Set the same on both sides:</b> the loss (Keras' model ends with a softmax and "
    "takes the cross-entropy of its probabilities; PyTorch's returns logits and "
    "<code>nn.CrossEntropyLoss</code> applies the softmax); Adam's epsilon (1e-7, Keras' "
    "default; PyTorch's is 1e-8); the starting weights (Keras' are copied into PyTorch, "
    "transposed: PyTorch keeps channels first and flattens (channel, row, column))."
)
# (metric, row label, format); the metrics are trainer.versus.METRICS.
ROWS = (
    ("import_s", "Import the framework (s)", "{:.2f}"),
    ("first_step_s", "First training step (s)", "{:.3f}"),
    ("step_ms", "Median step after it (ms)", "{:.2f}"),
    ("fit_seconds", "Whole training (s)", "{:.1f}"),
    ("test_accuracy", "Test accuracy", "{:.2%}"),
)


class VersusWorker(Worker["VersusProgress", "VersusResult"]):
    """Runs `trainer.versus.versus`; progress carries its VersusProgress events."""

    trains = True

    def __init__(self, data: MnistData, settings: dict[str, Any]) -> None:
        super().__init__()
        self.data = data
        self.settings = settings

    def _listener(self, event: VersusProgress) -> None:
        self.post_progress(event, force=event.phase != "train")

    def work(self) -> VersusResult:
        from trainer.versus import versus

        return versus(self.data, **self.settings, listener=self._listener, cancel=self.cancel)


def explain(result: VersusResult) -> str:
    """Where the time went in `result`, in a few paragraphs of HTML built from its figures."""
    from trainer.versus import step_multiply_adds

    sides = list(result.sides.values())
    if not sides:
        return "<p>No run finished.</p>"
    madds = step_multiply_adds()
    arithmetic_ms = madds / 10e9 * 1000
    steps = sides[0].runs[0].steps
    per_step = ", ".join(f"{s.label} {s.median('step_ms'):.2f} ms" for s in sides)
    parts = [
        "<h3>Where the time goes</h3>",
        f"<p>Each side made {steps:,} training steps of {result.batch_size} images. "
        f"Median time per step: {per_step}. One step of this model is about "
        f"{madds / 1e6:.1f} million multiply-adds (the forward pass, and about twice that "
        f"backwards); a core doing 10 billion a second, a modest pace, would need "
        f"{arithmetic_ms:.2f} ms for them.</p>",
        "<p>The rest of each step is round trips. For every batch, Python calls into the "
        "framework, which runs a few dozen small operations (convolution, pooling, the "
        "matrix product, the loss, the gradients, Adam's update of each of the four weight "
        "tensors), and each call and operation has a fixed cost. On a model this small the "
        "fixed costs are most of the step, so what sets the speed is how much work the "
        "framework does per batch around the arithmetic, not how fast it multiplies.</p>",
        "<p>PyTorch runs each operation as Python reaches it. Keras on TensorFlow traces its "
        "training step into a graph during the first step (hence its longer first step) and "
        "then makes one call per batch; <code>compile(steps_per_execution=8)</code>, which "
        "the other labs use, runs several batches per call and cuts the round trips again. "
        "Keras on its torch backend runs the Keras program op by op through PyTorch, with "
        "Keras' own Python on top.</p>",
    ]
    rows = []
    for s in sides:
        steady = (s.runs[0].steps - 1) * s.median("step_ms") / 1000
        other = s.median("fit_seconds") - s.median("first_step_s") - steady
        rows.append(
            f"<li>{s.label}: import {s.median('import_s'):.1f} s; training "
            f"{s.median('fit_seconds'):.1f} s = first step {s.median('first_step_s'):.2f} s "
            f"+ the other steps at the median pace about {steady:.1f} s + the rest about "
            f"{max(other, 0.0):.1f} s (steps slower than the median, pauses between "
            "epochs, setting up and ending the loop).</li>"
        )
    parts.append(f"<p>Per side (medians):</p><ul>{''.join(rows)}</ul>")
    threads = (
        f"{result.threads} CPU thread(s)" if result.threads else "its framework's default threads"
    )
    parts.append(
        f"<p>Each side used {threads}. On a model this small a second thread saves little, "
        "and on a machine busy with other work PyTorch's OpenMP threads wait for each other "
        "at every operation, so a step can take many times longer: set Threads to "
        "'default' to see what this machine does.</p>"
    )
    diff = result.same_init_max_abs_diff
    if diff is not None:
        parts.append(
            f"<p>Before training, the outputs of the copied models on the {result.n_test:,} "
            f"test images differed by at most {diff:.1e}: both started as the same "
            "function. Timings on a shared or busy machine vary from run to run; the table "
            "holds medians, and the chart's dots show every round.</p>"
        )
    return "".join(parts)


class VersusView(QWidget):
    """Settings and Run/Cancel over two tabs: the code side by side, and the measurements."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        from trainer.versus import INSTALL_HINT, torch_available

        self.state = state
        self.task: Task | None = None
        self.result: VersusResult | None = None
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Keras vs PyTorch, measured</h2>"))
        self.data_banner = DataBanner(state)
        layout.addWidget(self.data_banner)
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.hint = QLabel(f"<b>{INSTALL_HINT}.</b> The code below runs once it is installed.")
        self.hint.setWordWrap(True)
        self.hint.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.hint.setVisible(not torch_available())
        layout.addWidget(self.hint)

        controls = QHBoxLayout()
        self.epochs = self._spin(controls, "&Epochs:", 1, 20, 3)
        self.rounds = self._spin(controls, "&Rounds:", 1, 10, 2)
        self.train_limit = self._spin(controls, "Training &images:", 320, 60000, 60000)
        self.train_limit.setSingleStep(5000)
        self.threads = self._spin(controls, "&Threads:", 0, 64, 1)
        self.threads.setSpecialValueText("default")
        self.threads.setToolTip("CPU threads per side; 'default' leaves each framework its own")
        controls.addStretch(1)
        layout.addLayout(controls)
        # A second row: in one row the settings and buttons need about 920 px, so at the
        # window's minimum size they were squeezed below their text.
        controls = QHBoxLayout()
        self.keras_torch = QCheckBox("Also Keras on its &torch backend")
        controls.addWidget(self.keras_torch)
        task_controls = TaskControls.make("R&un", self.start, self.cancel)
        self.run_button, self.cancel_button = task_controls.start, task_controls.cancel
        self.progress, self.status = task_controls.progress, task_controls.status
        self.ui = task_controls.ui(self, "The comparison")
        self.run_button.setEnabled(torch_available())
        controls.addWidget(self.run_button)
        controls.addWidget(self.cancel_button)
        controls.addStretch(1)
        layout.addLayout(controls)
        status_row = QHBoxLayout()
        self.progress.setRange(0, 1000)
        self.status.setText("Not run yet.")
        status_row.addWidget(self.progress, 1)
        status_row.addWidget(self.status, 2)
        layout.addLayout(status_row)

        self.tabs = QTabWidget()
        self.tabs.addTab(self._code_tab(), "Code side by side")
        self.tabs.addTab(self._results_tab(), "Measured")
        layout.addWidget(self.tabs, 1)

    def _spin(self, row: QHBoxLayout, text: str, low: int, high: int, value: int) -> QSpinBox:
        spin = QSpinBox()
        spin.setRange(low, high)
        spin.setValue(value)
        label = QLabel(text)
        label.setBuddy(spin)
        row.addWidget(label)
        row.addWidget(spin)
        return spin

    def _code_tab(self) -> QWidget:
        from trainer.versus import aligned_programs

        keras_text, torch_text, self.sections = aligned_programs()
        tab = QWidget()
        grid = QGridLayout(tab)
        grid.setContentsMargins(0, 4, 0, 0)
        note = QLabel(SET_THE_SAME)
        note.setWordWrap(True)
        grid.addWidget(note, 0, 0, 1, 2)
        font = QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont)
        self.code: dict[str, QPlainTextEdit] = {}
        for column, (side, title, text) in enumerate(
            (
                ("keras", "Keras: trainer/keras_reference.py", keras_text),
                ("pytorch", "PyTorch: trainer/torch_reference.py", torch_text),
            )
        ):
            pane = QPlainTextEdit(text)
            pane.setReadOnly(True)
            pane.setFont(font)
            pane.setLineWrapMode(QPlainTextEdit.LineWrapMode.NoWrap)
            pane.setAccessibleName(title)
            self._shade_sections(pane)
            grid.addWidget(QLabel(f"<b>{title}</b>"), 1, column)
            grid.addWidget(pane, 2, column)
            self.code[side] = pane
        keras_pane, torch_pane = self.code["keras"], self.code["pytorch"]
        for bar in ("verticalScrollBar", "horizontalScrollBar"):
            left, right = getattr(keras_pane, bar)(), getattr(torch_pane, bar)()
            left.valueChanged.connect(right.setValue)
            right.valueChanged.connect(left.setValue)
        return tab

    def _shade_sections(self, pane: QPlainTextEdit) -> None:
        """Every other section on a tinted background, so the aligned stretches read as pairs."""
        tint = QColor(self.palette().color(self.palette().ColorRole.Highlight))
        tint.setAlpha(28)
        selections = []
        for index, section in enumerate(self.sections):
            if index % 2 == 0:
                continue
            for line in range(section.first_line, section.first_line + section.lines):
                selection = QTextEdit.ExtraSelection()
                fmt = QTextCharFormat()
                fmt.setBackground(tint)
                fmt.setProperty(QTextFormat.Property.FullWidthSelection, True)
                selection.format = fmt
                cursor = QTextCursor(pane.document().findBlockByLineNumber(line))
                selection.cursor = cursor
                selections.append(selection)
        pane.setExtraSelections(selections)

    def _results_tab(self) -> QWidget:
        splitter = QSplitter(Qt.Orientation.Vertical)
        top = QSplitter(Qt.Orientation.Horizontal)
        self.table = QTableWidget(len(ROWS), 0)
        self.table.setVerticalHeaderLabels([label for _, label, _ in ROWS])
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setAccessibleName("Measured figures")
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
        self.table.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        top.addWidget(self.table)
        self.explanation = QTextBrowser()
        self.explanation.setHtml(
            "<p>Run the comparison to fill the table and the chart. The explanation of "
            "where the time goes is written from the figures measured here.</p>"
        )
        top.addWidget(self.explanation)
        top.setSizes([460, 540])
        splitter.addWidget(top)
        self.chart = Chart(min_height=220)
        splitter.addWidget(self.chart)
        splitter.setSizes([330, 370])
        return splitter

    def activated(self) -> None:
        """Nothing to refresh: the screen keeps its last result for the session."""

    def main_control(self) -> QWidget | None:
        """Run; without PyTorch (Run disabled), the first setting."""
        return self.run_button if self.run_button.isEnabled() else self.epochs

    # -- running -------------------------------------------------------------------------

    def start(self) -> None:
        """Run the comparison with the chosen settings, loading MNIST first if needed."""
        if self.task is not None and not self.task.ended:
            return
        limit = self.train_limit.value()
        settings = {
            "epochs": self.epochs.value(),
            "rounds": self.rounds.value(),
            "train_limit": None if limit >= 60000 else limit,
            "keras_torch": self.keras_torch.isChecked(),
            "threads": self.threads.value(),
        }

        def make_worker(data: MnistData | None) -> VersusWorker:
            assert data is not None
            self.status.setText("Starting…")
            return VersusWorker(data, settings)

        self.task = self.state.workers.run_task(
            self.ui,
            make_worker,
            data=self.state,
            on_progress=self._on_progress,
            on_done=self._on_finished,
        )

    @property
    def worker(self) -> VersusWorker | None:
        """The running VersusWorker (None while idle or waiting for MNIST)."""
        worker = self.task.running_worker() if self.task is not None else None
        return worker if isinstance(worker, VersusWorker) else None

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _on_progress(self, event: VersusProgress) -> Progress:
        from trainer.versus import SIDE_LABELS

        doing = {
            "start": "starting a fresh process",
            "import": "importing the framework",
            "prepare": "building the model from the shared weights",
            "train": f"training, step {event.step:,} of {event.steps:,}",
            "test": "scoring the test set",
            "done": "finished",
        }.get(event.phase, event.phase)
        return (
            round(1000 * event.fraction),
            1000,
            f"Round {event.round} of {event.rounds}, {SIDE_LABELS[event.side]}: {doing}",
        )

    def _on_finished(self, result: VersusResult) -> str:
        runs = sum(len(s.runs) for s in result.sides.values())
        if result.sides:
            self.show_result(result)
        if result.cancelled:
            return f"Cancelled; {runs} run(s) had finished."
        return f"Done: {runs} runs, {result.epochs} epoch(s) on {result.n_train:,} images each."

    # -- showing a result ----------------------------------------------------------------

    def show_result(self, result: VersusResult) -> None:
        """Fill the table, the explanation and the chart from a VersusResult."""
        self.result = result
        sides = list(result.sides.values())
        self.table.setColumnCount(len(sides))
        self.table.setHorizontalHeaderLabels([s.label.replace(" (", "\n(") for s in sides])
        for column, side in enumerate(sides):
            for row, (metric, _, fmt) in enumerate(ROWS):
                item = QTableWidgetItem(fmt.format(side.median(metric)))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                each = ", ".join(fmt.format(getattr(run, metric)) for run in side.runs)
                item.setToolTip(f"Each round: {each}")
                self.table.setItem(row, column, item)
        self.explanation.setHtml(explain(result))
        self._plot(sides)
        self.tabs.setCurrentIndex(1)

    def _plot(self, sides: list[SideSummary]) -> None:
        """Seconds per phase (grouped bars) and the median step (ms); dots are the rounds."""
        fig = self.chart.figure
        fig.clear()
        seconds_ax, step_ax = fig.subplots(1, 2, width_ratios=[3, 1])
        phases = (
            ("import_s", "import"),
            ("first_step_s", "first step"),
            ("fit_seconds", "whole training"),
        )
        width = 0.8 / len(sides)
        c = self.chart.colors
        for i, side in enumerate(sides):
            xs = [p + (i - (len(sides) - 1) / 2) * width for p in range(len(phases))]
            bars = seconds_ax.bar(
                xs, [side.median(m) for m, _ in phases], width * 0.9, label=side.label
            )
            color = bars.patches[0].get_facecolor()
            step_ax.bar(i, side.median("step_ms"), 0.7, color=color)
            for run in side.runs:
                seconds_ax.plot(
                    xs, [getattr(run, m) for m, _ in phases], "o", color=c["text"], ms=3
                )
                step_ax.plot(i, run.step_ms, "o", color=c["text"], ms=3)
        seconds_ax.set_xticks(range(len(phases)), [label for _, label in phases])
        seconds_ax.set_ylabel("seconds (median; dots: each round)")
        seconds_ax.legend(fontsize=8)
        step_ax.set_xticks(range(len(sides)), [s.label.replace(" (", "\n(") for s in sides])
        step_ax.tick_params(axis="x", labelsize=8)
        step_ax.set_ylabel("ms per step")
        step_ax.set_title("median training step")
        seconds_ax.set_title("where the seconds go")
        for ax in (seconds_ax, step_ax):
            ax.grid(True, axis="y", color=c["grid"], alpha=0.4)
            self.chart.style_axes(ax)
        self.chart.redraw_now()
