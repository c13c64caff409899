"""The PostgreSQL side of the store: a class database shared by many learners at once.

Kept apart from the SQLite path in kviz.store.database. Opening migrates under a session
advisory lock, so ten clients starting together migrate once and the other nine wait, then
find the schema current. Recording an answer uses `INSERT ... ON CONFLICT` for the day's
count and the review state, so two windows or thirty learners lose no answer or count.
"""

from __future__ import annotations

from typing import Any

from alembic import command
from alembic.runtime.migration import MigrationContext
from sqlalchemy import Connection, Engine, create_engine, func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.engine import URL
from sqlalchemy.exc import OperationalError, ProgrammingError

from kviz.store.models import DailyCountRow, ReviewStateRow

# pg_advisory_lock key: "kviz" as a number, shared by every Kviz client of the database.
MIGRATION_LOCK = 0x6B76697A
CONNECT_TIMEOUT_S = 5


class PostgresError(Exception):
    """The class database cannot be used; the message says where and what to do."""


def is_postgres(url: URL) -> bool:
    return url.get_backend_name() == "postgresql"


def with_driver(url: URL) -> URL:
    """`postgresql://` means psycopg 3 here (SQLAlchemy would default to psycopg2)."""
    return url.set(drivername="postgresql+psycopg") if url.drivername == "postgresql" else url


def where(url: URL) -> str:
    """The database as shown to people: no password."""
    return url.render_as_string(hide_password=True)


def pg_engine(url: URL) -> Engine:
    return create_engine(
        with_driver(url),
        pool_pre_ping=True,
        connect_args={"connect_timeout": CONNECT_TIMEOUT_S},
    )


def _upgrade(conn: Connection, config: Any) -> None:
    config.attributes["connection"] = conn
    command.upgrade(config, "head")


def open_postgres(url: URL, config: Any, head: str) -> Engine:
    """An engine on an up-to-date class database (migrated here if it was behind)."""
    engine = pg_engine(url)
    try:
        with engine.connect() as conn:
            if MigrationContext.configure(conn).get_current_revision() == head:
                return engine
            conn.rollback()
            conn.execute(select(func.pg_advisory_lock(MIGRATION_LOCK)))
            conn.commit()
            try:
                # Another client may have migrated while this one waited for the lock.
                if MigrationContext.configure(conn).get_current_revision() != head:
                    conn.rollback()
                    with conn.begin():
                        _upgrade(conn, config)
                else:
                    conn.rollback()
            finally:
                conn.execute(select(func.pg_advisory_unlock(MIGRATION_LOCK)))
                conn.commit()
    except OperationalError as e:
        engine.dispose()
        reason = " ".join(str(e.orig or e).split())[:200]
        raise PostgresError(f"{where(url)}: cannot reach the class database ({reason})") from None
    except ProgrammingError as e:
        engine.dispose()
        if "permission denied" in str(e) or "must be owner" in str(e):
            raise PostgresError(
                f"{where(url)}: the class database's schema is older than this Kviz;"
                " the teacher runs `kviz class init URL` to upgrade it"
            ) from None
        raise
    except BaseException:
        engine.dispose()
        raise
    return engine


def bump_day(conn: Connection, learner_id: int, day: Any, topic: str, correct: int) -> None:
    """Count one answer for its day and topic in one statement (no lost update)."""
    stmt = pg_insert(DailyCountRow).values(
        learner_id=learner_id, day=day, topic=topic, attempts=1, correct=correct
    )
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[DailyCountRow.learner_id, DailyCountRow.day, DailyCountRow.topic],
            set_={
                "attempts": DailyCountRow.attempts + 1,
                "correct": DailyCountRow.correct + stmt.excluded.correct,
            },
        )
    )


def upsert_review(conn: Connection, values: dict[str, Any], new_lapse: int) -> None:
    """Write the review state in one statement: reps and lapses grow atomically."""
    stmt = pg_insert(ReviewStateRow).values(**values, reps=1, lapses=new_lapse)
    conn.execute(
        stmt.on_conflict_do_update(
            index_elements=[ReviewStateRow.learner_id, ReviewStateRow.question_id],
            set_={
                "topic": stmt.excluded.topic,
                "card": stmt.excluded.card,
                "due": stmt.excluded.due,
                "updated_at": stmt.excluded.updated_at,
                "reps": ReviewStateRow.reps + 1,
                "lapses": ReviewStateRow.lapses + stmt.excluded.lapses,
            },
        )
    )
