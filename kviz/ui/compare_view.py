"""Compare: the saved lab runs side by side, their curves overlaid, and sweeps over one setting.

A sweep runs the trainer's `sweep` on a SweepWorker with the Labs' current settings as the
base, once per chosen seed; each run is saved like any lab run the moment it finishes, so a
sweep cancelled or closed halfway keeps the runs it completed, and its status line gives the
time left (the time per finished run times the runs to go, plus the running run's own ETA).
When the runs shown differ in one setting only (a sweep's runs are selected as it goes), the
third chart plots that setting against test accuracy and fit time; otherwise runs that differ
only in their seed are drawn as one point with an error bar (mean +- standard deviation),
because one seed can move accuracy as much as a change of model. "Test" is MNIST's test set,
which the seed program also hands to Keras as its validation data.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QItemSelection, QItemSelectionModel, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from kviz.ui.charts import Chart, zoom_accuracy
from kviz.ui.compare_charts import plot_seed_groups, plot_summary
from kviz.ui.data_banner import DataBanner
from kviz.ui.lab_workers import SweepWorker
from kviz.ui.run_groups import (
    SweepSummary,
    run_label,
    sample_mark,
    sweep_eta,
    sweep_summary,
)
from kviz.ui.state import AppState
from kviz.ui.tasks import Progress, Task, TaskControls
from kviz.wording import clock

if TYPE_CHECKING:
    from kviz.store.views import LabRun
    from trainer.config import LabConfig
    from trainer.data import MnistData
    from trainer.training import ProgressEvent, RunResult

COLUMNS = [
    "When",
    "Config",
    "Data (train / test)",
    "Seed",
    "Test accuracy",
    "Train-test gap",
    "Parameters",
    "MACs / image",
    "Size",
    "Fit time",
    "Train images/s",
    "Infer ms/image (1 | 1000)",
]
SEED_CHOICES = [("1 seed", [1]), ("3 seeds", [1, 2, 3])]


class CompareView(QWidget):
    """The runs table (newest first) over an overlay of their curves; a sweep panel."""

    def __init__(
        self,
        state: AppState,
        config_source: Callable[[], LabConfig] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.state = state
        self.config_source = config_source  # the sweep's base (may raise ConfigError)
        self.task: Task | None = None
        self.saved_run_ids: list[int] = []  # this session's sweep runs (tests read it)
        self.runs: list[LabRun] = []
        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>Compare lab runs</h2>"))
        self.data_banner = DataBanner(state)
        layout.addWidget(self.data_banner)
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setTabKeyNavigation(False)
        self.table.setAccessibleName("Saved lab runs")
        header = self.table.horizontalHeader()
        # Every column as wide as its text (Config too: stretched, it was squeezed to "c…"
        # by the cost columns); a narrow window scrolls the table sideways instead.
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._plot)
        layout.addWidget(self.table, 2)
        self.chart = Chart(min_height=240)
        layout.addWidget(self.chart, 3)

        box = QGroupBox("Sweep one setting (uses the settings of Labs > Build as the base)")
        row = QHBoxLayout(box)
        self.param = QComboBox()
        self.param.currentIndexChanged.connect(self._suggest_values)
        label = QLabel("&Setting:")
        label.setBuddy(self.param)
        row.addWidget(label)
        row.addWidget(self.param)
        self.values = QLineEdit()
        self.values.setPlaceholderText("values, e.g. 4, 8, 16")
        values_label = QLabel("&Values:")
        values_label.setBuddy(self.values)
        row.addWidget(values_label)
        row.addWidget(self.values, 1)
        self.seeds = QComboBox()
        for label_text, seeds in SEED_CHOICES:
            self.seeds.addItem(label_text, seeds)
        self.seeds.setToolTip(
            "Run every value with several seeds: the chart then shows mean +- spread"
        )
        self.seeds.setAccessibleName("Seeds per value")
        row.addWidget(self.seeds)
        controls = TaskControls.make("Run s&weep", self.start_sweep, self.cancel)
        self.sweep_button, self.cancel_button = controls.start, controls.cancel
        self.progress, self.status = controls.progress, controls.status
        self.ui = controls.ui(self, "The sweep")
        row.addWidget(self.sweep_button)
        row.addWidget(self.cancel_button)
        layout.addWidget(box)
        status_row = QHBoxLayout()
        status_row.addWidget(self.progress)
        status_row.addWidget(self.status, 2)
        layout.addLayout(status_row)
        self._params: dict[str, list[Any]] = {}
        self._count = 0
        self.sweep_run_ids: list[int] = []  # the runs of the latest sweep, selected as it goes
        self._sweep_started = 0.0  # time.monotonic() when its first run started
        self._finished_s: float | None = None  # wall time of its finished runs together
        self.summary: SweepSummary | None = None  # what the third chart shows, when it fits
        self._fill_params()  # a sweep can start before the screen is first shown
        state.records_changed.connect(self._refresh_if_visible)

    def activated(self) -> None:
        self.refresh()

    def main_control(self) -> QWidget | None:
        return self.sweep_button

    def _fill_params(self) -> None:
        from trainer.config import SWEEPABLE

        self._params = {name: list(values) for name, values in SWEEPABLE.items()}
        self.param.addItems(list(self._params))

    def _suggest_values(self) -> None:
        values = self._params.get(self.param.currentText()) or []
        self.values.setText(", ".join(str(v) for v in values))

    def _refresh_if_visible(self) -> None:
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        """Reload the learner's saved runs, newest first."""
        from kviz.store.lab_runs import list_lab_runs
        from trainer.data import data_label
        from trainer.settings import describe

        runs = list_lab_runs(self.state.db, self.state.learner_id)
        self.runs = sorted(runs, key=lambda r: r.created_at, reverse=True)
        self.table.setRowCount(len(self.runs))
        for r, run in enumerate(self.runs):
            gap = run.gap
            acc = run.test_accuracy
            m = run.metrics
            infer = m.get("infer_ms") or {}
            cells = [
                run.created_at.astimezone().strftime("%d %b %H:%M"),
                describe(run.config),
                data_label(run.source, m.get("n_train"), m.get("n_test"), short=True),
                str(run.config.get("seed", "")),
                "n/a" if acc is None else f"{acc:.2%}",
                "n/a" if gap is None else f"{gap:+.2%}",
                f"{m.get('params', 0):,}",
                f"{m['macs']:,}" if "macs" in m else "n/a",
                f"{m['size_bytes'] / 1024:,.1f} KB" if "size_bytes" in m else "n/a",
                f"{run.duration_s:.1f} s",
                f"{m['train_images_per_s']:,.0f}" if "train_images_per_s" in m else "n/a",
                f"{infer['batch1']:.2f} | {infer['batch1000']:.3f}" if infer else "n/a",
            ]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c >= 3:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                elif c == 2:
                    data = data_label(run.source, m.get("n_train"), m.get("n_test"))
                    item.setToolTip(f"{data} ({run.source})" if run.source else data)
                self.table.setItem(r, c, item)
        if self.runs and not self.table.selectedItems():
            self.table.selectRow(0)
        self._plot()

    def select_runs(self, run_ids: Sequence[int]) -> None:
        """Select the table's rows of these saved runs (the chart then overlays them)."""
        wanted = set(run_ids)
        selection = QItemSelection()
        for row, run in enumerate(self.runs):
            if run.id in wanted:
                left = self.table.model().index(row, 0)
                selection.select(left, left)
        flags = QItemSelectionModel.SelectionFlag
        self.table.selectionModel().select(selection, flags.ClearAndSelect | flags.Rows)

    def _plot(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedItems()}) or range(
            min(len(self.runs), 5)
        )
        shown = [self.runs[r] for r in rows]
        self.summary = sweep_summary(shown)
        fig = self.chart.figure
        fig.clear()
        loss_ax, acc_ax, third_ax = fig.subplots(1, 3, width_ratios=[1, 1, 1.2])
        c = self.chart.colors
        accuracies: list[float] = []
        last_epoch = 1
        for run in shown:
            epochs = [h["epoch"] for h in run.history]
            label = self._run_label(run)
            test = [h["val_accuracy"] for h in run.history]
            train = [h["accuracy"] for h in run.history]
            accuracies += test + train
            last_epoch = max([last_epoch, *epochs])
            (line,) = acc_ax.plot(epochs, test, "o-", label=label)
            acc_ax.plot(epochs, train, "x--", color=line.get_color())
            loss_ax.plot(epochs, [h["val_loss"] for h in run.history], "o-", color=line.get_color())
            loss_ax.plot(epochs, [h["loss"] for h in run.history], "x--", color=line.get_color())
        loss_ax.set_title("loss", fontsize=9)
        acc_ax.set_title("accuracy", fontsize=9)
        zoom_accuracy(acc_ax, accuracies)
        from matplotlib.lines import Line2D
        from matplotlib.ticker import MaxNLocator

        for ax in (loss_ax, acc_ax):
            ax.set_xlabel("epoch")
            ax.set_xlim(0.5, last_epoch + 0.5)  # one-epoch runs get one tick, not 0.95..1.05
            ax.xaxis.set_major_locator(MaxNLocator(integer=True, min_n_ticks=1))
            ax.grid(True, color=c["grid"], alpha=0.4)
        if shown:
            acc_ax.legend(loc="best", fontsize=7)
            styles = [
                Line2D([], [], color=c["text"], marker="o", label="test set"),
                Line2D([], [], color=c["text"], marker="x", linestyle="--", label="training"),
            ]
            loss_ax.legend(handles=styles, loc="upper right", fontsize=7)
        else:
            self.chart.show_message(acc_ax, "No saved runs yet:\ntrain one in Labs.")
        if self.summary is not None:
            plot_summary(self.chart, third_ax, self.summary)
        else:
            self.error_bars = plot_seed_groups(self.chart, third_ax, self.runs)
        for ax in fig.axes:
            self.chart.style_axes(ax)
        self.chart.redraw_now()

    def _run_label(self, run: LabRun) -> str:
        """The legend's name for a run: the swept value when the runs shown are a sweep."""
        if self.summary is None:
            return run_label(run)
        from trainer.settings import BY_NAME, with_defaults

        value = BY_NAME[self.summary.setting].show(with_defaults(run.config)[self.summary.setting])
        seed = run.config.get("seed", "")
        return f"{self.summary.setting} {value}, seed {seed}{sample_mark(run)}"

    # -- sweeps ------------------------------------------------------------------------

    def start_sweep(self) -> None:
        """Run the trainer's sweep over the chosen setting (loading MNIST first if needed)."""
        from trainer.errors import ConfigError
        from trainer.settings import parse_values

        param = self.param.currentText()
        try:
            values = parse_values(param, self.values.text())
        except ConfigError as exc:
            self.status.setText(str(exc))
            return
        if len(values) < 2:
            self.status.setText("Give at least two values, separated by commas.")
            return
        if self.task is not None and not self.task.ended:
            return
        seeds: list[int] = self.seeds.currentData()
        self._count = len(values) * len(seeds)
        self.sweep_run_ids = []
        self._finished_s = None

        def make_worker(data: MnistData | None) -> SweepWorker:
            from trainer.config import LabConfig

            assert data is not None
            base = self.config_source() if self.config_source else LabConfig()
            shown = ", ".join(str(v) for v in values)
            self.status.setText(f"Sweeping {param} over {shown}, seeds {seeds}…")
            self._sweep_started = time.monotonic()
            return SweepWorker(base, param, values, data, seeds, self.state.models_folder)

        self.task = self.state.workers.run_task(
            self.ui,
            make_worker,
            data=self.state,
            on_progress=self._on_progress,
            on_item=self._save_run,
            on_done=self._on_finished,
        )

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _on_progress(self, data: tuple[int, ProgressEvent]) -> Progress:
        index, event = data
        done = (
            index * event.epochs * event.batches + (event.epoch - 1) * event.batches + event.batch
        )
        eta = sweep_eta(index, self._count, event, self._finished_s)
        return (
            done,
            self._count * event.epochs * event.batches,
            f"Run {index + 1} of {self._count}: epoch {event.epoch}/{event.epochs}, "
            f"accuracy {event.accuracy:.1%}, {event.images_per_s:,.0f} images/s. "
            f"Sweep ETA {clock(eta)}",
        )

    def _save_run(self, result: RunResult) -> None:
        """Each run of the sweep is saved as it ends (a cancelled one is not), and the runs of
        the sweep so far are selected, so their curves and summary grow as it goes."""
        from kviz.store.lab_runs import save_lab_run

        self._finished_s = time.monotonic() - self._sweep_started
        if result.cancelled:
            return
        run_id = save_lab_run(self.state.db, self.state.learner_id, result.to_dict())
        self.saved_run_ids.append(run_id)
        self.sweep_run_ids.append(run_id)
        self.state.records_changed.emit()
        if self.isVisible():
            self.select_runs(self.sweep_run_ids)

    def _on_finished(self, results: list[RunResult]) -> str:
        self.refresh()
        self.select_runs(self.sweep_run_ids)
        finished = sum(not r.cancelled for r in results)
        cancelled = len(results) - finished
        return f"Sweep done: {finished} run(s) saved" + (
            f", {cancelled} cancelled (not saved)." if cancelled else "."
        )
