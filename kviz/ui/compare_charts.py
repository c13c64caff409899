"""Compare's third chart: a sweep's setting against test accuracy and fit time, or the runs
that differ only in their seed as one point with an error bar each."""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from kviz.ui.charts import Chart, zoom_accuracy
from kviz.ui.run_groups import SweepSummary, seed_groups

if TYPE_CHECKING:
    from kviz.store.views import LabRun

ErrorBar = tuple[str, float, float, int]  # label, mean, sd, runs


def plot_summary(chart: Chart, ax: Any, summary: SweepSummary) -> None:
    """The swept setting against test accuracy (dots, +- sd over seeds) and fit time."""
    c = chart.colors
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
    chart.style_axes(time_ax)
    lines = ax.get_legend_handles_labels()
    more = time_ax.get_legend_handles_labels()
    ax.legend(lines[0] + more[0], lines[1] + more[1], loc="lower right", fontsize=7)


def plot_seed_groups(chart: Chart, ax: Any, runs: Sequence[LabRun]) -> list[ErrorBar]:
    """Test accuracy per configuration (the six newest, from `runs` newest first): mean with a
    bar of +- one standard deviation; returns what it drew."""
    from trainer.seeds import mean_spread

    groups = seed_groups(list(reversed(runs)))[-6:]
    error_bars = [(label, *mean_spread(accs), len(accs)) for label, accs in groups]
    ax.set_title("over seeds: mean +- sd", fontsize=9)
    if not groups:
        chart.show_message(ax, "No runs yet.")
        return error_bars
    ys = list(range(len(error_bars)))
    means = [100 * m for _, m, _, _ in error_bars]
    spreads = [100 * sd for _, _, sd, _ in error_bars]
    ax.errorbar(means, ys, xerr=spreads, fmt="o", capsize=4, color=chart.colors["accent"])
    lows = [m - s for m, s in zip(means, spreads, strict=True)]
    zoom_accuracy(
        ax, lows + [m + s for m, s in zip(means, spreads, strict=True)], axis="x", scale=100
    )
    ax.set_yticks(
        ys,
        [
            textwrap.shorten(label, 40, placeholder="…").replace(", ", ",\n", 1) + f" (n={n})"
            for label, _, _, n in error_bars
        ],
    )
    ax.tick_params(axis="y", labelsize=7)
    ax.set_xlabel("test accuracy (%)")
    ax.grid(True, axis="x", color=chart.colors["grid"], alpha=0.4)
    return error_bars
