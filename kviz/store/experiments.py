"""A learner's guided experiments in the records: their runs, and which experiments are done.

An experiment's runs are ordinary lab runs (so Compare, the class report and the exports
see them) whose metrics also name the experiment, the sitting they belong to (`sitting`,
one id per press of Run) and their label. An experiment counts as done once a sitting has
every planned run finished; a cancelled sitting keeps its finished runs but is not done.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kviz.store.database import Database
from kviz.store.lab_runs import list_lab_runs, save_lab_run
from kviz.store.views import LabRun


@dataclass(frozen=True)
class Sitting:
    """One press of Run on an experiment: its runs so far and how many were planned."""

    experiment: str
    sitting: str
    runs: tuple[LabRun, ...]
    planned: int

    @property
    def done(self) -> bool:
        return sum(not r.cancelled for r in self.runs) >= self.planned

    @property
    def finished_at(self) -> datetime:
        return self.runs[-1].created_at


def save_experiment_run(
    db: Database,
    learner_id: int | None,
    result: Mapping[str, Any],
    *,
    experiment: str,
    sitting: str,
    label: str,
    planned: int,
) -> int:
    """Keep one run of an experiment (a RunResult.to_dict()) as a lab run; returns its id."""
    tags = {"experiment": experiment, "sitting": sitting, "label": label, "planned": planned}
    return save_lab_run(db, learner_id, {**result, **tags})


def experiment_runs(db: Database, learner_id: int) -> list[LabRun]:
    """The learner's lab runs that belong to an experiment, oldest first."""
    return [r for r in list_lab_runs(db, learner_id) if r.metrics.get("experiment")]


def sittings(db: Database, learner_id: int) -> list[Sitting]:
    """Every experiment sitting of the learner, oldest first."""
    grouped: dict[str, list[LabRun]] = {}
    for run in experiment_runs(db, learner_id):
        grouped.setdefault(str(run.metrics.get("sitting", run.id)), []).append(run)
    return [
        Sitting(
            experiment=str(runs[0].metrics["experiment"]),
            sitting=key,
            runs=tuple(runs),
            planned=int(runs[0].metrics.get("planned", len(runs))),
        )
        for key, runs in grouped.items()
    ]


def done_experiments(db: Database, learner_id: int) -> dict[str, datetime]:
    """Experiment id -> when the learner last finished all of its runs."""
    done: dict[str, datetime] = {}
    for s in sittings(db, learner_id):
        if s.done:
            done[s.experiment] = max(done.get(s.experiment, s.finished_at), s.finished_at)
    return done
