"""The Quest: the ladder from the seed's model to 99.3%+, one measured change per rung.

The table puts each rung's committed reference figures (measured by bench/quest.py, with the
machine and the date) beside the learner's own runs; any rung runs in the background over
one or three seeds with live curves and cancel, and each finished run is saved with its
preset's name. The chart plots accuracy against cost (fit time or multiply-adds, log axis),
one point per run: hollow for the reference, filled for the learner's.
"""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QSpinBox,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from kviz.ui.charts import Chart, zoom_accuracy
from kviz.ui.data_banner import DataBanner
from kviz.ui.lab_steps.common import CodeBox
from kviz.ui.lab_workers import SeedsWorker
from kviz.ui.quest_chart import plot_costs
from kviz.ui.state import AppState
from kviz.ui.tasks import Progress, Task, TaskControls

if TYPE_CHECKING:
    from trainer.data import MnistData
    from trainer.seeds import SeedRuns
    from trainer.training import ProgressEvent

COLUMNS = [
    "Rung",
    "Change",
    "Parameters",
    "MACs / image",
    "Reference fit",
    "Reference accuracy",
    "Your fit",
    "Your accuracy",
]
SEED_CHOICES = [("1 seed", [1]), ("3 seeds", [1, 2, 3])]
# Small enough that the screen fits the window's minimum size; the splitter gives them more.
QUEST_CHART_MIN_HEIGHT = 150
COSTS = [("fit time (s)", "fit"), ("multiply-adds per image", "macs")]
INTRO = (
    "Each rung is the previous model plus one idea. Run a rung and compare your result with "
    "the reference measured when the lab was made. One seed can move accuracy by about a "
    "point on the reference model (seed 0: 95.95%, seed 1: 96.9%), as much as some rungs "
    "gain, so run 3 seeds before you believe a small difference."
)


def accuracy_text(accuracies: list[float]) -> str:
    """'97.12% +- 0.15 (3 seeds)' or '97.12% (1 seed)'; '' when there is none."""
    from trainer.seeds import mean_spread

    if not accuracies:
        return ""
    mean, spread = mean_spread(accuracies)
    n = len(accuracies)
    seeds = f"({n} seed{'s' if n > 1 else ''})"
    if n == 1:
        return f"{mean:.2%} {seeds}"
    return f"{mean:.2%} +- {100 * spread:.2f} {seeds}"


def sample_note(runs: list[Any]) -> str:
    """' [sample]' when the learner's runs trained on the offline sample, which the reference
    beside them did not (' [some on the sample]' for a mix); '' for MNIST runs."""
    from trainer.data import data_kind

    kinds = {data_kind(run.source) for run in runs}
    if "sample" not in kinds:
        return ""
    return " [sample]" if kinds == {"sample"} else " [some on the sample]"


class QuestView(QWidget):
    """The ladder table, the rung's why and code, a run panel and the accuracy-cost chart."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        from trainer.presets import LADDER, ladder_rows, reference_table

        super().__init__(parent)
        self.state = state
        self.rungs = list(LADDER)
        self.rows = ladder_rows()
        self.reference = reference_table()
        self.task: Task | None = None
        self.running = ""
        self._count = 1
        self.mine: dict[str, list[Any]] = {}  # preset -> the learner's saved runs
        self.points: list[tuple[str, str, float, float]] = []  # (who, rung, cost, accuracy)

        layout = QVBoxLayout(self)
        layout.addWidget(QLabel("<h2>The quest for higher accuracy</h2>"))
        self.data_banner = DataBanner(state)
        layout.addWidget(self.data_banner)
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.reference_note = QLabel(self._reference_note())
        self.reference_note.setWordWrap(True)
        layout.addWidget(self.reference_note)

        self.table = QTableWidget(len(self.rungs), len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.verticalHeader().hide()
        self.table.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        self.table.setSelectionBehavior(QTableWidget.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QTableWidget.SelectionMode.SingleSelection)
        self.table.setTabKeyNavigation(False)
        self.table.setAccessibleName("The quest's ladder")
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.table.itemSelectionChanged.connect(self._rung_selected)

        # A text view, not a label: a long "why" scrolls at small window sizes instead of
        # being cut off at the height the code beside it leaves.
        self.why = QTextBrowser()
        self.why.setFrameShape(QTextBrowser.Shape.NoFrame)
        self.why.setMaximumHeight(130)
        self.why.viewport().setAutoFillBackground(False)
        self.code = CodeBox()
        self.code.setMaximumHeight(130)
        top = QWidget()
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.addWidget(self.table, 3)
        details = QHBoxLayout()
        details.addWidget(self.why, 1)
        details.addWidget(self.code, 1)
        top_layout.addLayout(details)

        run_row = QHBoxLayout()
        self.seeds = QComboBox()
        for text, seeds in SEED_CHOICES:
            self.seeds.addItem(text, seeds)
        self.seeds.setAccessibleName("Seeds per run")
        self.train_limit = QSpinBox(minimum=0, maximum=60000, singleStep=1000)
        self.train_limit.setSpecialValueText("all images")
        self.train_limit.setToolTip(
            "Train on the first N images only: a quick look, not comparable with the reference"
        )
        controls = TaskControls.make("&Run this rung", self.start, self.cancel)
        self.run_button, self.cancel_button = controls.start, controls.cancel
        self.progress, self.status = controls.progress, controls.status
        self.ui = controls.ui(self, "The run")
        for widget in (QLabel("Seeds:"), self.seeds, QLabel("Training:"), self.train_limit):
            run_row.addWidget(widget)
        run_row.addWidget(self.run_button)
        run_row.addWidget(self.cancel_button)
        run_row.addWidget(self.progress, 1)
        top_layout.addLayout(run_row)
        top_layout.addWidget(self.status)

        bottom = QWidget()
        bottom_layout = QHBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        self.live = Chart(min_height=QUEST_CHART_MIN_HEIGHT)
        bottom_layout.addWidget(self.live, 2)
        cost_box = QVBoxLayout()
        self.cost = QComboBox()
        for text, key in COSTS:
            self.cost.addItem(f"Accuracy against {text}", key)
        self.cost.currentIndexChanged.connect(self.draw_costs)
        cost_box.addWidget(self.cost)
        self.cost_chart = Chart(min_height=QUEST_CHART_MIN_HEIGHT)
        cost_box.addWidget(self.cost_chart, 1)
        bottom_layout.addLayout(cost_box, 3)

        splitter = QSplitter(Qt.Orientation.Vertical)
        splitter.addWidget(top)
        splitter.addWidget(bottom)
        splitter.setStretchFactor(0, 3)
        splitter.setStretchFactor(1, 2)
        layout.addWidget(splitter, 1)
        self._live: dict[str, tuple[list[float], list[float]]] = {}
        state.records_changed.connect(self._refresh_if_visible)
        self.fill_table()
        self.table.selectRow(0)

    # -- the table ---------------------------------------------------------------------

    def activated(self) -> None:
        self.refresh()

    def main_control(self) -> QWidget | None:
        return self.run_button

    def _refresh_if_visible(self) -> None:
        if self.isVisible():
            self.refresh()

    def _reference_note(self) -> str:
        ref = self.reference
        if ref is None:
            return "No reference measurements are installed (run bench/quest.py --write)."
        seed_fit = sum(ref["seed_script_fit_seconds"]) / len(ref["seed_script_fit_seconds"])
        return (
            f"Reference: measured {ref['date']} on {ref['machine']}; the seed's own script "
            f"took {seed_fit:.1f} s for its 3 epochs in the same run. {ref.get('note', '')}"
        )

    def _reference_row(self, name: str) -> dict[str, Any] | None:
        if self.reference is None:
            return None
        return next((r for r in self.reference["rungs"] if r["name"] == name), None)

    def refresh(self) -> None:
        """Reload the learner's quest runs and redraw the table and the chart."""
        from kviz.store.lab_runs import list_lab_runs

        self.mine = {}
        if self.state.db is not None:
            for run in list_lab_runs(self.state.db, self.state.learner_id):
                preset = run.metrics.get("preset")
                if preset and not run.cancelled and run.test_accuracy is not None:
                    self.mine.setdefault(preset, []).append(run)
        self.fill_table()
        self.draw_costs()

    def fill_table(self) -> None:
        for r, (rung, row) in enumerate(zip(self.rungs, self.rows, strict=True)):
            ref = self._reference_row(rung.name)
            mine = self.mine.get(rung.name, [])
            cells = [
                f"{r + 1}. {rung.title}",
                rung.change,
                f"{row['params']:,}",
                f"{row['macs']:,}",
                f"{_mean(ref['fit_seconds']):.1f} s" if ref else "n/a",
                accuracy_text(ref["accuracies"]) if ref else "n/a",
                f"{_mean([m.duration_s for m in mine]):.1f} s" if mine else "",
                (accuracy_text([float(m.test_accuracy) for m in mine]) or "not run yet")
                + sample_note(mine),
            ]
            for c, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if c >= 2:
                    item.setTextAlignment(
                        Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter
                    )
                if c <= 1:
                    item.setToolTip(f"{rung.name}: {rung.change}")
                self.table.setItem(r, c, item)

    def selected_rung(self) -> Any:
        rows = {i.row() for i in self.table.selectedItems()}
        return self.rungs[min(rows)] if rows else self.rungs[0]

    def _rung_selected(self) -> None:
        rung = self.selected_rung()
        self.why.setHtml(f"<b>{rung.title}</b> ({rung.name}): {rung.why}")
        self.code.set_code(f"# what changed in Keras\n{rung.keras}")

    # -- the accuracy-cost chart -------------------------------------------------------

    def draw_costs(self) -> None:
        """One point per run: accuracy against fit time or MACs (log axis)."""
        key = self.cost.currentData()
        macs = {row["name"]: row["macs"] for row in self.rows}
        self.points = []
        for rung in self.rungs:
            ref = self._reference_row(rung.name)
            if ref:
                for fit, acc in zip(ref["fit_seconds"], ref["accuracies"], strict=True):
                    cost = fit if key == "fit" else macs[rung.name]
                    self.points.append(("reference", rung.name, cost, acc))
            for run in self.mine.get(rung.name, []):
                cost = run.duration_s if key == "fit" else macs[rung.name]
                self.points.append(("you", rung.name, cost, float(run.test_accuracy)))
        xlabel = self.cost.currentText().removeprefix("Accuracy against ") + " (log)"
        plot_costs(self.cost_chart, self.points, [r.name for r in self.rungs], xlabel)

    # -- running a rung ----------------------------------------------------------------

    def start(self) -> None:
        """Train the selected rung over the chosen seeds (loading MNIST first if needed)."""
        from trainer.presets import preset_config

        if self.task is not None and not self.task.ended:
            return
        if self.state.workers.busy():
            self.status.setText("A lab is already training: wait for it or cancel it.")
            return
        name, seeds = self.selected_rung().name, list(self.seeds.currentData())
        limit = self.train_limit.value()
        self.running = name
        self._count = len(seeds)
        self._live = {}

        def make_worker(data: MnistData | None) -> SeedsWorker:
            assert data is not None
            config = preset_config(name)
            if limit:
                config = dataclasses.replace(config, train_limit=limit)
            self.status.setText(f"Training {name} with seed(s) {', '.join(map(str, seeds))}…")
            return SeedsWorker(config, seeds, data, self.state.models_folder)

        self.task = self.state.workers.run_task(
            self.ui,
            make_worker,
            data=self.state,
            on_progress=self._on_progress,
            on_done=self._on_finished,
        )

    def cancel(self) -> None:
        if self.task is not None:
            self.task.cancel()

    def _on_progress(self, data: tuple[int, ProgressEvent]) -> Progress:
        index, event = data
        per_run = event.epochs * event.batches
        x = event.epoch - 1 + event.batch / event.batches
        train, val = self._live.setdefault(f"seed {index + 1}", ([], []))
        train.append(x)
        val.append(event.accuracy)
        if event.kind == "epoch" and event.val_accuracy is not None:
            self._live.setdefault(f"seed {index + 1} test", ([], []))
            self._live[f"seed {index + 1} test"][0].append(float(event.epoch))
            self._live[f"seed {index + 1} test"][1].append(event.val_accuracy)
        self._draw_live(event.epochs)
        return (
            index * per_run + (event.epoch - 1) * event.batches + event.batch,
            self._count * per_run,
            f"{self.running}: run {index + 1} of {self._count}, epoch {event.epoch}/"
            f"{event.epochs}, accuracy {event.accuracy:.1%}, {event.images_per_s:,.0f} images/s",
        )

    def _draw_live(self, epochs: int) -> None:
        fig = self.live.figure
        fig.clear()
        ax = fig.add_subplot(1, 1, 1)
        for label, (xs, ys) in self._live.items():
            style = "o-" if label.endswith("test") else "-"
            ax.plot(xs, [100 * y for y in ys], style, label=label, linewidth=1)
        ax.set_xlim(0, epochs)
        zoom_accuracy(ax, [100 * y for _xs, ys in self._live.values() for y in ys], scale=100)
        ax.set_xlabel("epoch")
        ax.set_ylabel("accuracy (%)")
        ax.set_title("live: training (lines), test after each epoch (dots)", fontsize=9)
        if self._live:
            ax.legend(loc="lower right", fontsize=7)
        self.live.style_axes(ax)
        self.live.redraw()

    def _on_finished(self, runs: SeedRuns) -> str:
        from kviz.store.lab_runs import save_lab_run
        from trainer.data import data_label

        finished = [r for r in runs.runs if not r.cancelled]
        for result in finished:
            record = {**result.to_dict(), "preset": self.running}
            save_lab_run(self.state.db, self.state.learner_id, record)
        if finished:
            self.state.set_result(finished[-1])  # Predict and Draw show the last model
        cancelled = len(runs.runs) - len(finished)
        self.state.records_changed.emit()
        self.refresh()
        data = (
            f" on {data_label(finished[0].source, finished[0].n_train, finished[0].n_test)}"
            if finished
            else ""
        )
        return (
            f"{self.running}: {accuracy_text(runs.accuracies) or 'no finished run'}{data}; "
            f"{len(finished)} run(s) saved" + (", 1 cancelled (not saved)." if cancelled else ".")
        )


def _mean(values: list[float]) -> float:
    return sum(values) / len(values) if values else 0.0
