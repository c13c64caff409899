"""The Quest's accuracy-cost chart: every run of every rung, the reference's and the
learner's, test accuracy against fit time or multiply-adds on a log axis."""

from __future__ import annotations

from collections.abc import Sequence

from kviz.ui.charts import Chart, zoom_accuracy

Point = tuple[str, str, float, float]  # who ("reference" or "you"), rung, cost, accuracy


def plot_costs(chart: Chart, points: Sequence[Point], rungs: Sequence[str], xlabel: str) -> None:
    """Draw the points, each rung's number at the middle of its reference points."""
    fig = chart.figure
    fig.clear()
    ax = fig.add_subplot(1, 1, 1)
    colors = chart.colors
    if not points:
        chart.show_message(ax, "No runs yet: run a rung.")
    else:
        for who, style in (("reference", "none"), ("you", colors["accent"])):
            pts = [p for p in points if p[0] == who]
            if pts:
                ax.scatter(
                    [p[2] for p in pts],
                    [100 * p[3] for p in pts],
                    facecolors=style,
                    edgecolors=colors["accent"] if who == "you" else colors["text"],
                    label=who,
                    zorder=3,
                )
        # Each rung's number at the middle of its reference points, so close rungs stay
        # readable; the table's first column carries the same numbers.
        for number, rung in enumerate(rungs, start=1):
            pts = [p for p in points if p[0] == "reference" and p[1] == rung]
            if pts:
                cost = sorted(p[2] for p in pts)[len(pts) // 2]
                acc = sum(p[3] for p in pts) / len(pts)
                ax.annotate(
                    str(number),
                    (cost, 100 * acc),
                    xytext=(-3, 6),
                    textcoords="offset points",
                    fontsize=8,
                    fontweight="bold",
                    color=colors["text"],
                )
        from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

        ax.set_xscale("log")
        ax.xaxis.set_major_locator(LogLocator(subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_major_formatter(FuncFormatter(lambda x, _pos: f"{x:,.0f}"))
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.legend(loc="lower right", fontsize=8)
        zoom_accuracy(ax, [100 * p[3] for p in points], scale=100)
    ax.set_xlabel(xlabel)
    ax.set_ylabel("test accuracy (%)")
    ax.grid(True, which="both", color=colors["grid"], alpha=0.3)
    chart.style_axes(ax)
    chart.redraw_now()
