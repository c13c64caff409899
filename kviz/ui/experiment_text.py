"""The text blocks of an experiment's result page: the learner's runs and the reference runs."""

from __future__ import annotations

import html
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from trainer.experiments import PlannedRun
    from trainer.training import RunResult


def runs_table(runs: Sequence[tuple[PlannedRun, RunResult]]) -> str:
    """The finished runs as a small HTML table: accuracy, gap, size and time."""
    head = (
        "<tr><th align=left>Run</th><th>Test acc.</th><th>Training acc.</th><th>Gap (points)"
        "</th><th>Parameters</th><th>Fit</th><th>Images/s</th></tr>"
    )
    rows = []
    for p, r in runs:
        train = r.history[-1].accuracy if r.history else float("nan")
        rows.append(
            f"<tr><td>{html.escape(p.label)}</td><td align=right>{r.test_accuracy:.2%}</td>"
            f"<td align=right>{train:.2%}</td><td align=right>{100 * r.gap:+.1f}</td>"
            f"<td align=right>{r.params:,}</td><td align=right>{r.fit_seconds:.1f} s</td>"
            f"<td align=right>{r.train_images_per_s:,.0f}</td></tr>"
        )
    source = ""
    if runs:
        first = runs[0][1]
        source = (
            f"<p>Data: {html.escape(first.source)}, {first.n_train:,} training and "
            f"{first.n_test:,} test images per run.</p>"
        )
    return f"<table cellspacing=6>{head}{''.join(rows)}</table>{source}"


def reference_text(experiment_id: str, quick: bool) -> str:
    """The runs measured and committed with the app, so an odd run can be told from a normal one."""
    from trainer.experiments import reference

    ref = reference()
    entry = ref["experiments"].get(experiment_id)
    if entry is None:
        return ""
    runs = ", ".join(
        f"{run['label']} {run['test_accuracy']:.1%}"
        for run in entry["runs"]
        if run["test_accuracy"]
    )
    text = (
        f"Reference, measured on {ref['machine']} on {ref['date']} (full version, "
        f"{entry['seconds']:.0f} s in all): {runs}. A run far from these is worth a second "
        "look: another seed, the 5,000-digit offline sample, or a busy machine."
    )
    if quick:
        text += (
            " You ran the quick version (fewer images and epochs), so expect lower accuracies "
            "than these."
        )
    return text


def duration_text(experiment_id: str) -> str:
    """How long the full version took when the reference was measured."""
    from trainer.experiments import reference

    entry = reference()["experiments"].get(experiment_id)
    if entry is None:
        return ""
    return (
        f"The full version took {entry['seconds']:.0f} s on the 2-core machine the reference was "
        "measured on; the quick version takes a few seconds."
    )
