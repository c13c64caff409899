"""Step 3: train on a worker thread with live curves, speed, ETA and a Cancel button."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QHBoxLayout, QWidget

from kviz.ui.charts import Chart, zoom_accuracy
from kviz.ui.lab_steps.common import Step
from kviz.ui.lab_workers import TrainWorker
from kviz.ui.state import AppState
from kviz.ui.tasks import Progress, Task, TaskControls
from kviz.wording import clock

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.lines import Line2D

    from trainer.config import LabConfig
    from trainer.data import MnistData
    from trainer.training import ProgressEvent, RunResult

EXPLANATION = (
    "Training shows the model the training images in batches. After each batch the optimizer "
    "nudges every weight to lower the <i>loss</i> (categorical cross-entropy: -log of the "
    "probability given to the right digit). After each epoch (one pass over the training "
    "images) the model is scored on the <i>test set</i>, 10,000 images it never trains on "
    "(the seed program hands them to Keras as <code>validation_data</code>, so Keras names "
    "these scores val_loss and val_accuracy). The training curve is Keras' running average "
    "over the epoch so far, so it jumps when an epoch begins. A training accuracy far above "
    "the test-set accuracy means the model is memorising (overfitting). The accuracy axis "
    "zooms to the range the curves use once an epoch is done."
)


# Cross-entropy over 10 classes starts near ln(10) = 2.3; the loss axis starts a bit above.
INITIAL_LOSS_TOP = 2.6


def train_code(config: LabConfig) -> str:
    """The Keras fit call for `config`."""
    return (
        "model.fit(\n"
        "    train_images, to_categorical(train_labels),\n"
        f"    epochs={config.epochs}, batch_size={config.batch_size},\n"
        "    validation_data=(test_images, to_categorical(test_labels)),\n"
        ")"
    )


class TrainStep(Step):
    """Starts a TrainWorker, plots its progress, and hands the finished run to the lab."""

    title = "3. Train"
    run_finished = Signal(object)  # the RunResult of a finished (not cancelled) run

    def __init__(
        self,
        state: AppState,
        config_source: Callable[[], LabConfig],
        parent: QWidget | None = None,
    ) -> None:
        from trainer.config import LabConfig

        super().__init__(EXPLANATION, train_code(LabConfig()), parent)
        self.state = state
        self.config_source = config_source  # raises ConfigError while Build's settings clash
        self.task: Task | None = None
        controls = TaskControls.make("&Start training", self.start, self.cancel)
        self.start_button, self.cancel_button = controls.start, controls.cancel
        self.progress, self.status = controls.progress, controls.status
        self.ui = controls.ui(self, "Training")
        row = QHBoxLayout()
        row.addWidget(self.start_button)
        row.addWidget(self.cancel_button)
        self.progress.setTextVisible(True)
        row.addWidget(self.progress, 1)
        self.body.addLayout(row)
        self.status.setText("Press Start to train the model from step 2.")
        # Two lines, always: a label that grows would resize the chart, forcing full redraws.
        self.status.setFixedHeight(self.status.fontMetrics().lineSpacing() * 2 + 4)
        self.body.addWidget(self.status)
        self.chart = Chart(min_height=360, constrained=False)
        self.chart.setFixedHeight(360)
        self.body.addWidget(self.chart)
        self.body.addStretch()
        self.updates = 0  # progress events handled (tests and the bench read it)
        self._lines: dict[str, Line2D] = {}
        self._axes: tuple[Axes, Axes]  # loss, accuracy: made with the lines
        self._series: dict[str, tuple[list[float], list[float]]] = {}

    @property
    def worker(self) -> TrainWorker | None:
        """The running TrainWorker (None while idle or waiting for MNIST)."""
        worker = self.task.running_worker() if self.task is not None else None
        return worker if isinstance(worker, TrainWorker) else None

    def main_control(self) -> QWidget | None:
        return self.start_button

    def activated(self) -> None:
        from trainer.config import LabConfig
        from trainer.errors import ConfigError

        try:
            config = self.config_source()
        except ConfigError:  # Build says what clashes; Start says it again
            config = LabConfig()
        self.code.set_code(train_code(config))
        if not self._lines:
            self._setup_plot(config)

    def start(self) -> None:
        """Train the current configuration (loading MNIST first if needed).

        Build's settings are read once MNIST is here; a combination that cannot be trained
        is reported and nothing is trained."""
        if self.task is not None and not self.task.ended:
            return
        self.task = self.state.workers.run_task(
            self.ui,
            self._make_worker,
            data=self.state,
            on_progress=self._on_progress,
            on_done=self._on_finished,
        )

    def _make_worker(self, data: MnistData | None) -> TrainWorker:
        assert data is not None
        config = self.config_source()
        self.code.set_code(train_code(config))
        self._reset_plot(config)
        self.status.setText("Starting… (the first run also loads Keras)")
        return TrainWorker(config, data, self.state.models_folder)

    def cancel(self) -> None:
        """Ask the run to stop after the current batch."""
        if self.task is not None:
            self.task.cancel()

    def _setup_plot(self, config: LabConfig) -> None:
        """Empty loss and accuracy axes for `config`; the curves are blitted as they grow."""
        fig = self.chart.figure
        fig.clear()
        fig.subplots_adjust(left=0.07, right=0.98, bottom=0.14, top=0.9, wspace=0.2)
        loss_ax, acc_ax = fig.subplots(1, 2)
        self._axes = (loss_ax, acc_ax)
        c = self.chart.colors
        self._lines.clear()
        self._series.clear()
        for ax, metric in ((loss_ax, "loss"), (acc_ax, "accuracy")):
            for split, style in (("train", "-"), ("val", "o-")):
                key = f"{split}_{metric}"
                label = "training" if split == "train" else "test set"
                (line,) = ax.plot([], [], style, label=label)
                self._lines[key] = line
                self._series[key] = ([], [])
            ax.set_xlim(0, config.epochs)
            ax.set_xlabel("epoch")
            ax.set_title(metric)
            ax.grid(True, color=c["grid"], alpha=0.4)
            ax.legend(loc="center right")
            self.chart.style_axes(ax)
        loss_ax.set_ylim(0, INITIAL_LOSS_TOP)
        acc_ax.set_ylim(0, 1.0)  # until an epoch ends, the whole range matters
        self.chart.animate(list(self._lines.values()))
        self.chart.redraw_now()

    def _reset_plot(self, config: LabConfig) -> None:
        """Empty the curves for a new run; a full draw only when the axes must change."""
        if not self._lines:
            self._setup_plot(config)
            return
        for key, line in self._lines.items():
            self._series[key] = ([], [])
            line.set_data([], [])
        loss_ax, acc_ax = self._axes
        if (
            loss_ax.get_xlim() != (0, config.epochs)
            or loss_ax.get_ylim() != (0, INITIAL_LOSS_TOP)
            or acc_ax.get_ylim() != (0, 1.0)
        ):
            for ax in (loss_ax, acc_ax):
                ax.set_xlim(0, config.epochs)
            loss_ax.set_ylim(0, INITIAL_LOSS_TOP)
            acc_ax.set_ylim(0, 1.0)
            self.chart.redraw_now()
        else:
            self.chart.redraw()

    def _add(self, key: str, x: float, y: float) -> None:
        xs, ys = self._series[key]
        xs.append(x)
        ys.append(y)
        self._lines[key].set_data(xs, ys)

    def _on_progress(self, event: ProgressEvent) -> Progress:
        """Cheap per event: append to the lines and ask for a throttled redraw."""
        self.updates += 1
        x = event.epoch - 1 + (event.batch / max(event.batches, 1))
        if event.kind == "epoch":
            x = float(event.epoch)
        self._add("train_loss", x, event.loss)
        self._add("train_accuracy", x, event.accuracy)
        if event.val_loss is not None and event.val_accuracy is not None:
            self._add("val_loss", x, event.val_loss)
            self._add("val_accuracy", x, event.val_accuracy)
        loss_ax = self._axes[0]
        full = False
        if event.loss > loss_ax.get_ylim()[1]:  # rare (raw 0-255 inputs): rescale, full draw
            loss_ax.set_ylim(0, event.loss * 1.2)
            full = True
        if event.kind == "epoch":  # zoom to the epochs done: rare, so a full draw is cheap
            full = self._zoom_accuracy() or full
        self.chart.redraw(full=full)
        return (
            (event.epoch - 1) * event.batches + event.batch,
            event.epochs * event.batches,
            f"Epoch {event.epoch} of {event.epochs}, batch {event.batch} of {event.batches} — "
            f"loss {event.loss:.3f}, accuracy {event.accuracy:.1%} — "
            f"{event.images_per_s:,.0f} images/s — elapsed {clock(event.elapsed_s)}, "
            f"ETA {clock(event.eta_s)}",
        )

    def _zoom_accuracy(self) -> bool:
        """Fit the accuracy axis to the test-set points and the training curve after its first
        epoch (the first epoch's climb from 10% would flatten the rest); True if it moved."""
        acc_ax = self._axes[1]
        before = acc_ax.get_ylim()
        xs, ys = self._series["train_accuracy"]
        values = [y for x, y in zip(xs, ys, strict=True) if x >= 1.0]
        zoom_accuracy(acc_ax, values + self._series["val_accuracy"][1])
        return acc_ax.get_ylim() != before

    def _on_finished(self, result: RunResult) -> str:
        from trainer.data import data_label

        self.chart.redraw()
        if result.cancelled:
            return "Cancelled. The partial run was not saved; press Start to train again."
        self.run_finished.emit(result)
        data = data_label(result.source, result.n_train, result.n_test)
        return (
            f"Done: test accuracy {result.test_accuracy:.2%} "
            f"(train-test gap {result.gap:+.2%}), {result.params:,} parameters, "
            f"{result.fit_seconds:.1f} s on {data}. "
            "Saved to your lab runs; see step 4 for its predictions."
        )
