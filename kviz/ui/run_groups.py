"""How Compare reads saved runs: labels that never mix sample and MNIST runs, runs grouped
by config without the seed, the summary of a sweep, and a sweep's time left.

Plain functions over LabRun-like records and progress events, kept out of the view so they
can be tested without widgets.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kviz.store.views import LabRun
    from trainer.training import ProgressEvent


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
    from trainer.settings import describe

    return describe(run.config) + sample_mark(run)


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
