"""The charts of a guided experiment: live curves while it runs, the experiment's own chart after.

Each experiment's `chart` kind (trainer.experiments) picks the picture: "curves" plots the
test-set loss per epoch of every run (overfitting shows it turn back up; normalization shows
which runs never got going); "setting" plots test accuracy per value of the varied setting
beside what it costs (parameters, or images per second for the batch size); "seeds" plots
each seed's accuracy with the mean and its spread. Accuracy axes zoom to the range the runs
cover, so a half-point difference is visible.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kviz.ui.charts import Chart, accuracy_limits

if TYPE_CHECKING:
    from trainer.experiments import Experiment, PlannedRun
    from trainer.training import EpochMetrics, RunResult

COLORS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b", "#17becf")
STYLES = ("-", "--", ":", "-.")


def draw_live(chart: Chart, curves: Sequence[tuple[str, Sequence[EpochMetrics]]]) -> None:
    """Test-set loss per epoch for every run so far (the running one included)."""
    fig = chart.figure
    fig.clear()
    ax = fig.add_subplot(1, 1, 1)
    shown = [(label, h) for label, h in curves if h]
    if not shown:
        chart.show_message(ax, "The first epoch's figures appear here.")
    for n, (label, history) in enumerate(shown):
        ax.plot(
            [m.epoch for m in history],
            [m.val_loss if math.isfinite(m.val_loss) else math.nan for m in history],
            marker="o",
            markersize=3,
            color=COLORS[n % len(COLORS)],
            label=label,
        )
    if shown:
        ax.set_xlabel("epoch")
        ax.set_ylabel("test-set loss")
        ax.legend(fontsize="small")
    chart.style_axes(ax)
    chart.redraw_now()


def draw_result(
    chart: Chart, exp: Experiment, runs: Sequence[tuple[PlannedRun, RunResult]]
) -> None:
    """The experiment's own chart over its finished runs."""
    fig = chart.figure
    fig.clear()
    done = [(p, r) for p, r in runs if not r.cancelled]
    if not done:
        ax = fig.add_subplot(1, 1, 1)
        chart.show_message(ax, "No run finished.")
        chart.style_axes(ax)
    elif exp.chart == "curves":
        _curves(chart, done)
    elif exp.chart == "setting":
        _setting(chart, exp.setting, done)
    else:
        _seeds(chart, done)
    chart.redraw_now()


def _curves(chart: Chart, done: Sequence[tuple[PlannedRun, RunResult]]) -> None:
    fig = chart.figure
    loss_ax = fig.add_subplot(1, 2, 1)
    acc_ax = fig.add_subplot(1, 2, 2)
    groups = list(dict.fromkeys(p.group for p, _ in done))
    seen: dict[str, int] = {}
    accuracies: list[float] = []
    for p, r in done:
        color = COLORS[groups.index(p.group) % len(COLORS)]
        style = STYLES[seen.setdefault(p.group, 0) % len(STYLES)]
        seen[p.group] += 1
        epochs = [m.epoch for m in r.history]
        losses = [m.val_loss if math.isfinite(m.val_loss) else math.nan for m in r.history]
        loss_ax.plot(epochs, losses, style, color=color, label=p.label)
        finite = [v for v in losses if math.isfinite(v)]
        if finite:
            loss_ax.plot([epochs[losses.index(min(finite))]], [min(finite)], "v", color=color)
        train = [m.accuracy for m in r.history]
        test = [m.val_accuracy for m in r.history]
        acc_ax.plot(epochs, train, style, color=color, linewidth=0.8, alpha=0.6)
        acc_ax.plot(epochs, test, style, color=color, linewidth=2)
        accuracies += [a for a in train + test if a > 0.5]
    loss_ax.set_title("Test-set loss\n▼ lowest", fontsize="medium")
    loss_ax.set_xlabel("epoch")
    if max((r.history[0].val_loss for _, r in done if r.history), default=1.0) > 10:
        loss_ax.set_yscale("log")
    acc_ax.set_title("Accuracy\nthin: training, thick: test set", fontsize="medium")
    acc_ax.set_xlabel("epoch")
    acc_ax.set_ylim(*accuracy_limits(accuracies))
    loss_ax.legend(fontsize="x-small")
    for ax in (loss_ax, acc_ax):
        chart.style_axes(ax)


def _setting(chart: Chart, setting: str, done: Sequence[tuple[PlannedRun, RunResult]]) -> None:
    fig = chart.figure
    ax = fig.add_subplot(1, 1, 1)
    labels = [str(getattr(p.config, setting)) for p, _ in done]
    accuracies = [r.test_accuracy for _, r in done]
    positions = list(range(len(done)))
    bars = ax.bar(positions, accuracies, color=chart.colors["accent"], alpha=0.8)
    for bar, acc in zip(bars, accuracies, strict=False):
        ax.annotate(
            f"{acc:.1%}",
            (bar.get_x() + bar.get_width() / 2, acc),
            ha="center",
            va="bottom",
            fontsize="small",
            color=chart.colors["text"],
        )
    ax.set_xticks(positions, labels)
    ax.set_xlabel(setting.replace("_", " "))
    ax.set_ylabel("test accuracy")
    ax.set_ylim(*accuracy_limits(accuracies, margin=0.02))
    cost = ax.twinx()
    if setting == "batch_size":
        values: list[Any] = [r.train_images_per_s for _, r in done]
        cost.set_ylabel("training images / s")
    else:
        values = [r.params for _, r in done]
        cost.set_ylabel("parameters")
    cost.plot(positions, values, "o-", color=COLORS[1])
    cost.set_ylim(bottom=0)
    chart.style_axes(ax)
    chart.style_axes(cost)


def _seeds(chart: Chart, done: Sequence[tuple[PlannedRun, RunResult]]) -> None:
    from trainer.seeds import mean_spread

    fig = chart.figure
    ax = fig.add_subplot(1, 1, 1)
    seeds = [p.config.seed for p, _ in done]
    accuracies = [r.test_accuracy for _, r in done]
    mean, spread = mean_spread(accuracies)
    positions = list(range(len(done)))
    ax.axhspan(mean - spread, mean + spread, color=chart.colors["grid"], alpha=0.3)
    ax.axhline(mean, color=chart.colors["text"], linewidth=1)
    ax.plot(positions, accuracies, "o", markersize=9, color=chart.colors["accent"])
    for x, acc in zip(positions, accuracies, strict=False):
        ax.annotate(f"{acc:.2%}", (x, acc), xytext=(8, 0), textcoords="offset points")
    ax.set_xticks(positions, [f"seed {s}" for s in seeds])
    ax.set_ylabel("test accuracy (line: mean, band: ± 1 sd)")
    ax.set_ylim(*accuracy_limits(accuracies, margin=0.005))
    chart.style_axes(ax)
