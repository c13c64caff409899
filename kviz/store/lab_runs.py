"""Saved lab runs: each training run's figures, kept as plain JSON beside its stable uid.

Apart from the quiz records (kviz.store.records) because every lab, the class report and
the exports read these and nothing here touches quizzes or review.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select

from kviz.store.convert import aware, utcnow
from kviz.store.database import Database
from kviz.store.models import LabRunRow, new_uid
from kviz.store.views import LabRun


def _json_ready(value: Any, what: str) -> Any:
    try:
        return json.loads(json.dumps(value))
    except (TypeError, ValueError) as e:
        raise ValueError(f"{what} is not JSON-ready: {e}") from None


def save_lab_run(db: Database, learner_id: int | None, result: Mapping[str, Any]) -> int:
    """Keep one lab run (trainer RunResult.to_dict()); returns its id.

    The run's `uid` (RunResult.uid, which also names its saved model file) becomes the
    record's stable id; a result without one gets a new one."""
    data = _json_ready(dict(result), "the lab result")
    if not isinstance(data.get("config"), dict):
        raise ValueError("the lab result needs a config mapping")
    uid = data.pop("uid", None) or new_uid()
    if not isinstance(uid, str) or len(uid) > 36:
        raise ValueError("the lab result's uid must be a text of at most 36 characters")
    history = data.pop("history", [])
    if not isinstance(history, list):
        raise ValueError("the lab result's history must be a list")
    row = LabRunRow(
        learner_id=learner_id,
        created_at=utcnow(),
        config=data.pop("config"),
        source=str(data.pop("source", "")),
        history=history,
        duration_s=float(data.pop("fit_seconds", 0.0) or 0.0),
        cancelled=bool(data.pop("cancelled", False)),
        metrics=data,
        uid=uid,
    )
    with db.session() as s:
        s.add(row)
        s.flush()
        return row.id


def list_lab_runs(db: Database, learner_id: int | None = None) -> list[LabRun]:
    """Saved lab runs, oldest first (all learners' when learner_id is None)."""
    query = select(LabRunRow).order_by(LabRunRow.created_at, LabRunRow.id)
    if learner_id is not None:
        query = query.where(LabRunRow.learner_id == learner_id)
    with db.session() as s:
        return [
            LabRun(
                id=r.id,
                learner_id=r.learner_id,
                created_at=aware(r.created_at),
                config=r.config,
                source=r.source,
                history=tuple(r.history),
                metrics=r.metrics,
                duration_s=r.duration_s,
                cancelled=r.cancelled,
                uid=r.uid,
            )
            for r in s.scalars(query)
        ]


def lab_run_uids(db: Database) -> list[str]:
    """Every saved lab run's uid (all learners), oldest first: what may keep a model file."""
    query = select(LabRunRow.uid).order_by(LabRunRow.created_at, LabRunRow.id)
    with db.session() as s:
        return list(s.scalars(query))
