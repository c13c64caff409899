"""The class database's roles and row-level security, enforced by PostgreSQL itself.

`init_class` (run as the database owner) migrates, then creates two group roles named after
the database, `<db>_teacher` (reads everything) and `<db>_learner` (reads and writes only
the rows of the learner whose `db_role` is its login), and turns row-level security on.
`add_login` makes one login in a group; a learner's login owns one `learners` row.
Everything here is idempotent: init may be run again after an upgrade.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass

from sqlalchemy import Connection, insert, select, text, update
from sqlalchemy.engine import URL, make_url

from kviz.store.convert import utcnow
from kviz.store.database import Database, DatabaseError, open_database
from kviz.store.models import LearnerRow

# The tables holding a learner's rows, and how a row names its learner.
OWNED = {
    "learners": "db_role = current_user",
    "quiz_sessions": "learner_id IN (SELECT id FROM learners WHERE db_role = current_user)",
    "attempts": "learner_id IN (SELECT id FROM learners WHERE db_role = current_user)",
    "daily_counts": "learner_id IN (SELECT id FROM learners WHERE db_role = current_user)",
    "review_states": "learner_id IN (SELECT id FROM learners WHERE db_role = current_user)",
    "lab_runs": "learner_id IN (SELECT id FROM learners WHERE db_role = current_user)",
}
KINDS = ("teacher", "learner")


class ClassError(Exception):
    """A class operation failed; the message is one line for the user."""


@dataclass(frozen=True)
class ClassRoles:
    teacher: str
    learner: str


def _ident(conn: Connection, name: str) -> str:
    return conn.dialect.identifier_preparer.quote(name)


def class_roles(url: URL) -> ClassRoles:
    """The two group roles of the class database at `url`."""
    base = _slug(url.database or "kviz")[:40]
    return ClassRoles(f"{base}_teacher", f"{base}_learner")


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9_]+", "_", name.strip().lower()).strip("_")
    return slug or "x"


def open_class(url: str) -> Database:
    db = open_database(url)
    if db.engine.dialect.name != "postgresql":
        db.close()
        raise ClassError(f"{url}: a class database is a PostgreSQL URL (postgresql+psycopg://...)")
    return db


def init_class(url: str) -> ClassRoles:
    """Migrate the class database and set up its roles and row-level security."""
    db = open_class(url)
    try:
        roles = class_roles(db.engine.url)
        with db.engine.begin() as conn:
            _create_group_roles(conn, roles)
            _grant_and_protect(conn, roles)
        return roles
    finally:
        db.close()


def _create_group_roles(conn: Connection, roles: ClassRoles) -> None:
    for role in (roles.teacher, roles.learner):
        exists = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": role})
        if exists.first() is None:
            conn.exec_driver_sql(f"CREATE ROLE {_ident(conn, role)} NOLOGIN")


def _grant_and_protect(conn: Connection, roles: ClassRoles) -> None:
    q = _ident(conn, roles.learner)
    t = _ident(conn, roles.teacher)
    dbname = _ident(conn, conn.engine.url.database or "")
    for role in (q, t):
        conn.exec_driver_sql(f"GRANT CONNECT ON DATABASE {dbname} TO {role}")
        conn.exec_driver_sql(f"GRANT USAGE ON SCHEMA public TO {role}")
        conn.exec_driver_sql(f"GRANT SELECT ON alembic_version TO {role}")
    # Nobody but the owner changes the schema (PostgreSQL 15 already denies CREATE to PUBLIC).
    conn.exec_driver_sql("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    conn.exec_driver_sql(f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO {q}")
    for table, owned in OWNED.items():
        conn.exec_driver_sql(f"GRANT SELECT, INSERT, UPDATE, DELETE ON {table} TO {q}")
        conn.exec_driver_sql(f"GRANT SELECT ON {table} TO {t}")
        conn.exec_driver_sql(f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY")
        conn.exec_driver_sql(f"DROP POLICY IF EXISTS kviz_learner_own ON {table}")
        conn.exec_driver_sql(
            f"CREATE POLICY kviz_learner_own ON {table} FOR ALL TO {q}"
            f" USING ({owned}) WITH CHECK ({owned})"
        )
        conn.exec_driver_sql(f"DROP POLICY IF EXISTS kviz_teacher_reads ON {table}")
        conn.exec_driver_sql(
            f"CREATE POLICY kviz_teacher_reads ON {table} FOR SELECT TO {t} USING (true)"
        )


def add_login(url: str, name: str, kind: str = "learner") -> str:
    """Create a login in the class's teacher or learner group; its URL (password inside).

    A learner's login also gets its `learners` row, so its first quiz is already its own.
    """
    if kind not in KINDS:
        raise ClassError(f"kind must be one of {KINDS}")
    name = name.strip()
    if not name or len(name) > 100:
        raise ClassError("a learner name is 1 to 100 characters")
    db = open_class(url)
    try:
        roles = class_roles(db.engine.url)
        login = f"{roles.learner if kind == 'learner' else roles.teacher}_{_slug(name)}"[:63]
        password = secrets.token_urlsafe(18)
        with db.engine.begin() as conn:
            group = conn.execute(
                text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": roles.learner}
            )
            if group.first() is None:
                raise ClassError(f"{db.engine.url.database}: run `kviz class init URL` first")
            taken = conn.execute(text("SELECT 1 FROM pg_roles WHERE rolname = :r"), {"r": login})
            if taken.first() is not None:
                raise ClassError(f"{name}: a login {login} already exists in this class")
            group_role = _ident(conn, roles.learner if kind == "learner" else roles.teacher)
            # DDL takes no bound parameters; token_urlsafe's letters need no quoting.
            conn.exec_driver_sql(
                f"CREATE ROLE {_ident(conn, login)} LOGIN PASSWORD '{password}'"
                f" IN ROLE {group_role}"
            )
            if kind == "learner":
                _own_learner_row(conn, name, login)
        return db.engine.url.set(username=login, password=password).render_as_string(
            hide_password=False
        )
    finally:
        db.close()


def _own_learner_row(conn: Connection, name: str, login: str) -> None:
    row = conn.execute(select(LearnerRow.id).where(LearnerRow.name == name)).first()
    now = utcnow()
    if row is None:
        conn.execute(
            insert(LearnerRow).values(name=name, created_at=now, last_used_at=now, db_role=login)
        )
    else:
        conn.execute(update(LearnerRow).where(LearnerRow.id == row.id).values(db_role=login))


def check_url(url: str) -> URL:
    """The URL parsed, or a one-line ClassError."""
    try:
        return make_url(url)
    except Exception:
        raise ClassError(f"{url}: not a database URL") from None


__all__ = ["ClassError", "ClassRoles", "DatabaseError", "add_login", "init_class"]
