"""Sending a learner's local records to the class database, idempotently.

Every quiz, attempt and lab run has a stable `uid` (migration 0004), so the copy is one
`INSERT ... ON CONFLICT (uid) DO NOTHING` per table: pushing twice, or after a dropped
connection half-way, adds each record exactly once. Day counts grow only for attempts that
were really added. Review states stay local (the class database builds its own from the
answers given while connected).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, insert, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert

from kviz.store import postgres
from kviz.store.convert import aware, utcnow
from kviz.store.database import Database
from kviz.store.models import AttemptRow, LabRunRow, LearnerRow, QuizSessionRow


class PushError(Exception):
    """Nothing to push from, or nobody to push to; one line for the user."""


@dataclass(frozen=True)
class PushResult:
    learner: str
    quizzes: int  # newly added to the class database
    attempts: int
    lab_runs: int


def _rows(db: Database, model: Any, learner_id: int) -> list[dict[str, Any]]:
    table = model.__table__
    with db.session() as s:
        result = s.execute(select(table).where(table.c.learner_id == learner_id))
        return [dict(r._mapping) for r in result]


def _local_learner(local: Database, name: str | None) -> tuple[int, str]:
    with local.session() as s:
        query = select(LearnerRow.id, LearnerRow.name)
        if name is None:
            query = query.order_by(LearnerRow.last_used_at.desc())
        else:
            query = query.where(LearnerRow.name == name)
        row = s.execute(query.limit(1)).first()
    if row is None:
        raise PushError(f"{local.path or local.url}: no learner {name or ''} to push".strip())
    return int(row.id), str(row.name)


def _class_learner(conn: Connection, name: str) -> int:
    """A learner login's own row; for the owner, the learner of that name (made if new)."""
    own = conn.execute(select(LearnerRow.id).where(LearnerRow.db_role == text("current_user")))
    row = own.first()
    if row is not None:
        return int(row.id)
    found = conn.execute(select(LearnerRow.id).where(LearnerRow.name == name)).first()
    if found is not None:
        return int(found.id)
    now = utcnow()
    new = conn.execute(
        insert(LearnerRow)
        .values(name=name, created_at=now, last_used_at=now)
        .returning(LearnerRow.id)
    )
    return int(new.scalar_one())


def _insert_new(conn: Connection, table: Any, values: dict[str, Any]) -> int:
    """1 if the row was added, 0 if a row with its uid was already there."""
    stmt = pg_insert(table).values(values).on_conflict_do_nothing(index_elements=["uid"])
    return int(conn.execute(stmt.returning(table.c.id)).first() is not None)


def push(local: Database, remote: Database, learner: str | None = None) -> PushResult:
    """Copy one local learner's quizzes, attempts and lab runs into the class database."""
    if remote.engine.dialect.name != "postgresql":
        raise PushError(f"{remote.url}: push goes to a class database (postgresql+psycopg://...)")
    local_id, name = _local_learner(local, learner)
    quizzes = _rows(local, QuizSessionRow, local_id)
    attempts = _rows(local, AttemptRow, local_id)
    runs = _rows(local, LabRunRow, local_id)
    with remote.engine.begin() as conn:
        class_id = _class_learner(conn, name)
        q_table, a_table, r_table = (
            QuizSessionRow.__table__,
            AttemptRow.__table__,
            LabRunRow.__table__,
        )
        added_quizzes = 0
        for q in quizzes:
            values = {k: v for k, v in q.items() if k != "id"} | {"learner_id": class_id}
            added_quizzes += _insert_new(conn, q_table, values)
        quiz_ids = dict(
            conn.execute(
                select(q_table.c.uid, q_table.c.id).where(
                    q_table.c.uid.in_([q["uid"] for q in quizzes])
                )
            ).all()
        )
        local_quiz_uid = {q["id"]: q["uid"] for q in quizzes}
        added_attempts = 0
        for a in sorted(attempts, key=lambda a: a["id"]):
            values = {k: v for k, v in a.items() if k != "id"}
            values |= {"learner_id": class_id, "quiz_id": quiz_ids[local_quiz_uid[a["quiz_id"]]]}
            if _insert_new(conn, a_table, values):
                added_attempts += 1
                day = aware(a["answered_at"]).astimezone().date()
                postgres.bump_day(conn, class_id, day, a["topic"], int(bool(a["correct"])))
        added_runs = 0
        for r in runs:
            values = {k: v for k, v in r.items() if k != "id"} | {"learner_id": class_id}
            added_runs += _insert_new(conn, r_table, values)
    return PushResult(name, added_quizzes, added_attempts, added_runs)
