"""Compare: the saved lab runs side by side, their curves overlaid, and sweeps over one setting.

A sweep runs the trainer's `sweep` on a SweepWorker with the Labs' current settings as the
base, once per chosen seed; each run is saved like any lab run the moment it finishes, so a
sweep cancelled or closed halfway keeps the runs it completed. Runs that differ only in their
seed are drawn as one point with an error bar (mean +- standard deviation), because one seed
can move accuracy as much as a change of model.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
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

from kviz.ui.charts import Chart
from kviz.ui.data_banner import DataBanner
from kviz.ui.state import AppState
from kviz.ui.workers import Progress, SweepWorker, Task, TaskControls

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
    "Train-val gap",
    "Parameters",
    "MACs / image",
    "Size",
    "Fit time",
    "Train images/s",
    "Infer ms/image (1 | 1000)",
]
SEED_CHOICES = [("1 seed", [1]), ("3 seeds", [1, 2, 3])]


def config_text(config: Mapping[str, Any]) -> str:
    """A run's settings in a few words (runs saved before a setting existed show too)."""
    from trainer.settings import describe

    return describe(config)


def run_label(run: LabRun) -> str:
    """A run's settings, marked when it trained on the offline sample (never mixed up)."""
    from trainer.data import data_kind

    sample = " [sample]" if data_kind(run.source) == "sample" else ""
    return config_text(run.config) + sample


def seed_groups(runs: list[Any]) -> list[tuple[str, list[float]]]:
    """Finished runs grouped by config without the seed and by data (sample or MNIST):
    (label, test accuracies), oldest first."""
    from trainer.data import data_kind
    from trainer.settings import with_defaults

    groups: dict[str, tuple[str, list[float]]] = {}
    for run in runs:
        if run.cancelled or run.test_accuracy is None:
            continue
        config = with_defaults(run.config)
        config.pop("seed")
        key = json.dumps([config, data_kind(run.source)], sort_keys=True)
        label = run_label(run)
        groups.setdefault(key, (label, []))[1].append(float(run.test_accuracy))
    return list(groups.values())


class CompareView(QWidget):
    """The runs table (newest first) over an overlay of validation curves; a sweep panel."""

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
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._plot)
        layout.addWidget(self.table, 2)
        self.chart = Chart(min_height=170)  # room for the data banner at the minimum size
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
        self._fill_params()  # a sweep can start before the screen is first shown
        state.records_changed.connect(self._refresh_if_visible)

    def activated(self) -> None:
        self.refresh()

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
        from kviz.store.records import list_lab_runs
        from trainer.data import data_label

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
                config_text(run.config),
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

    def _plot(self) -> None:
        rows = sorted({i.row() for i in self.table.selectedItems()}) or range(
            min(len(self.runs), 5)
        )
        fig = self.chart.figure
        fig.clear()
        loss_ax, acc_ax, seeds_ax = fig.subplots(1, 3, width_ratios=[1, 1, 1.2])
        c = self.chart.colors
        for r in rows:
            run = self.runs[r]
            epochs = [h["epoch"] for h in run.history]
            label = run_label(run)
            (line,) = acc_ax.plot(
                epochs, [h["val_accuracy"] for h in run.history], "o-", label=label
            )
            acc_ax.plot(epochs, [h["accuracy"] for h in run.history], "--", color=line.get_color())
            loss_ax.plot(epochs, [h["val_loss"] for h in run.history], "o-", color=line.get_color())
            loss_ax.plot(epochs, [h["loss"] for h in run.history], "--", color=line.get_color())
        loss_ax.set_title("loss (solid: validation, dashed: training)")
        acc_ax.set_title("accuracy")
        from matplotlib.ticker import MaxNLocator

        for ax in (loss_ax, acc_ax):
            ax.set_xlabel("epoch")
            ax.xaxis.set_major_locator(MaxNLocator(integer=True))
            ax.grid(True, color=c["grid"], alpha=0.4)
        if rows:
            acc_ax.legend(loc="lower right", fontsize=8)
        else:
            self.chart.show_message(acc_ax, "No saved runs yet: train one in Labs.")
        self._plot_seeds(seeds_ax)
        for ax in (loss_ax, acc_ax, seeds_ax):
            self.chart.style_axes(ax)
        self.chart.redraw_now()

    def _plot_seeds(self, ax: Any) -> None:
        """Test accuracy per configuration: mean with a bar of +- one standard deviation."""
        from trainer.seeds import mean_spread

        groups = seed_groups(list(reversed(self.runs)))[-6:]
        self.error_bars = [(label, *mean_spread(accs), len(accs)) for label, accs in groups]
        ax.set_title("test accuracy, mean +- sd over seeds")
        if not groups:
            self.chart.show_message(ax, "No finished runs yet.")
            return
        ys = list(range(len(self.error_bars)))
        means = [100 * m for _, m, _, _ in self.error_bars]
        spreads = [100 * sd for _, _, sd, _ in self.error_bars]
        ax.errorbar(means, ys, xerr=spreads, fmt="o", capsize=4, color=self.chart.colors["accent"])
        ax.set_yticks(ys, [f"{label[:28]} (n={n})" for label, _, _, n in self.error_bars])
        ax.tick_params(axis="y", labelsize=7)
        ax.set_xlabel("test accuracy (%)")
        ax.grid(True, axis="x", color=self.chart.colors["grid"], alpha=0.4)

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

        def make_worker(data: MnistData | None) -> SweepWorker:
            from trainer.config import LabConfig

            assert data is not None
            base = self.config_source() if self.config_source else LabConfig()
            shown = ", ".join(str(v) for v in values)
            self.status.setText(f"Sweeping {param} over {shown}, seeds {seeds}…")
            return SweepWorker(base, param, values, data, seeds)

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
        return (
            done,
            self._count * event.epochs * event.batches,
            f"Run {index + 1} of {self._count}: epoch {event.epoch}/{event.epochs}, "
            f"accuracy {event.accuracy:.1%}, {event.images_per_s:,.0f} images/s",
        )

    def _save_run(self, result: RunResult) -> None:
        """Each run of the sweep is saved as it ends (a cancelled one is not)."""
        from kviz.store.records import save_lab_run

        if result.cancelled:
            return
        self.saved_run_ids.append(
            save_lab_run(self.state.db, self.state.learner_id, result.to_dict())
        )
        self.state.records_changed.emit()

    def _on_finished(self, results: list[RunResult]) -> str:
        finished = sum(not r.cancelled for r in results)
        cancelled = len(results) - finished
        return f"Sweep done: {finished} run(s) saved" + (
            f", {cancelled} cancelled (not saved)." if cancelled else "."
        )
