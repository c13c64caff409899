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

import json
import textwrap
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
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
from kviz.ui.data_banner import DataBanner
from kviz.ui.state import AppState
from kviz.ui.workers import Progress, SweepWorker, Task, TaskControls
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


def config_text(config: Mapping[str, Any]) -> str:
    """A run's settings in a few words (runs saved before a setting existed show too)."""
    from trainer.settings import describe

    return describe(config)


@dataclass(frozen=True)
class SweepSummary:
    """Finished runs that differ in one setting (the seed aside), one entry per value."""

    setting: str  # the setting's name in trainer.settings
    label: str  # its label, as Build shows it
    values: list[str]  # each value as shown, in sweep order
    accuracy: list[tuple[float, float, int]]  # per value: mean, sd over seeds, runs
    fit_seconds: list[float]  # per value: mean fit time


def sweep_summary(runs: Sequence[Any]) -> SweepSummary | None:
    """The summary of `runs` (LabRun-like) when they differ in exactly one setting besides the
    seed and in at least two values of it; None otherwise. Numbers sort by value, words keep
    the order in which they first appear."""
    from trainer.data import data_kind
    from trainer.seeds import mean_spread
    from trainer.settings import BY_NAME, with_defaults

    finished = [r for r in runs if not r.cancelled and r.test_accuracy is not None]
    if len({data_kind(r.source) for r in finished}) > 1:
        return None  # a sample run and a full run are never one sweep's points
    configs = [with_defaults(r.config) for r in finished]
    for config in configs:
        config.pop("seed")
    differing = [k for k in BY_NAME if k != "seed" and len({repr(c[k]) for c in configs}) > 1]
    if len(differing) != 1:
        return None
    (name,) = differing
    by_value: dict[str, tuple[Any, list[float], list[float]]] = {}
    for run, config in zip(finished, configs, strict=True):
        entry = by_value.setdefault(repr(config[name]), (config[name], [], []))
        entry[1].append(float(run.test_accuracy))
        entry[2].append(float(run.duration_s))
    groups = list(by_value.values())
    if all(isinstance(v, int | float) and not isinstance(v, bool) for v, _, _ in groups):
        groups.sort(key=lambda g: g[0])
    setting = BY_NAME[name]
    return SweepSummary(
        setting=name,
        label=setting.label,
        values=[setting.show(v) for v, _, _ in groups],
        accuracy=[(*mean_spread(accs), len(accs)) for _, accs, _ in groups],
        fit_seconds=[sum(times) / len(times) for _, _, times in groups],
    )


def sweep_eta(index: int, runs: int, event: ProgressEvent, finished_s: float | None) -> float:
    """Seconds until a sweep ends: the running run's own ETA plus, for each run after it, the
    average wall time of the `index` runs finished before it (`finished_s` together; None
    before the first ends: then the running run's elapsed time plus its ETA)."""
    per_run = finished_s / index if finished_s is not None and index else None
    if per_run is None:
        per_run = event.elapsed_s + event.eta_s
    return event.eta_s + per_run * (runs - index - 1)


def run_label(run: LabRun) -> str:
    """A run's settings, marked when it trained on the offline sample (never mixed up)."""
    return config_text(run.config) + sample_mark(run)


def sample_mark(run: LabRun) -> str:
    """ " [sample]" for a run on the offline sample, else ""."""
    from trainer.data import data_kind

    return " [sample]" if data_kind(run.source) == "sample" else ""


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
            self._plot_summary(third_ax, self.summary)
        else:
            self._plot_seeds(third_ax)
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

    def _plot_summary(self, ax: Any, summary: SweepSummary) -> None:
        """The swept setting against test accuracy (dots, +- sd over seeds) and fit time."""
        c = self.chart.colors
        xs = list(range(len(summary.values)))
        means = [100 * m for m, _, _ in summary.accuracy]
        spreads = [100 * sd for _, sd, _ in summary.accuracy]
        ax.errorbar(
            xs, means, yerr=spreads, fmt="o-", capsize=4, color=c["accent"], label="test accuracy"
        )
        zoom_accuracy(
            ax,
            [m + s for m, s in zip(means, spreads, strict=True)]
            + [m - s for m, s in zip(means, spreads, strict=True)],
            scale=100,
        )
        ax.set_ylabel("test accuracy (%)")
        ax.set_xticks(xs, summary.values)
        ax.set_xlabel(summary.label)
        ax.set_title("the sweep", fontsize=9)
        ax.grid(True, axis="y", color=c["grid"], alpha=0.4)
        time_ax = ax.twinx()
        time_ax.plot(xs, summary.fit_seconds, "s--", color=c["text"], label="fit time")
        time_ax.set_ylim(bottom=0)
        time_ax.set_ylabel("fit time (s)")
        self.chart.style_axes(time_ax)
        lines = ax.get_legend_handles_labels()
        more = time_ax.get_legend_handles_labels()
        ax.legend(lines[0] + more[0], lines[1] + more[1], loc="lower right", fontsize=7)

    def _plot_seeds(self, ax: Any) -> None:
        """Test accuracy per configuration: mean with a bar of +- one standard deviation."""
        from trainer.seeds import mean_spread

        groups = seed_groups(list(reversed(self.runs)))[-6:]
        self.error_bars = [(label, *mean_spread(accs), len(accs)) for label, accs in groups]
        ax.set_title("over seeds: mean +- sd", fontsize=9)
        if not groups:
            self.chart.show_message(ax, "No runs yet.")
            return
        ys = list(range(len(self.error_bars)))
        means = [100 * m for _, m, _, _ in self.error_bars]
        spreads = [100 * sd for _, _, sd, _ in self.error_bars]
        ax.errorbar(means, ys, xerr=spreads, fmt="o", capsize=4, color=self.chart.colors["accent"])
        lows = [m - s for m, s in zip(means, spreads, strict=True)]
        zoom_accuracy(
            ax, lows + [m + s for m, s in zip(means, spreads, strict=True)], axis="x", scale=100
        )
        ax.set_yticks(
            ys,
            [
                textwrap.shorten(label, 40, placeholder="…").replace(", ", ",\n", 1) + f" (n={n})"
                for label, _, _, n in self.error_bars
            ],
        )
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
