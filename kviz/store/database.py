"""Opening the learner database: WAL, foreign keys, backup + Alembic upgrade, refusals.

A database that is newer than this code, damaged, or not a Kviz database is refused with a
DatabaseError naming the file, and left byte-for-byte as it was: it is never replaced.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.orm import Session
from sqlalchemy.pool import StaticPool

from kviz.paths import database_target, default_database_path
from kviz.store.lock import InstanceLock
from kviz.store.postgres import PostgresError, is_postgres, open_postgres, with_driver

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_MAGIC = b"SQLite format 3\x00"
WAL_AUTOCHECKPOINT_PAGES = 10_000


class DatabaseError(Exception):
    """The database cannot be used; the message names the file and says what to do."""


def _alembic_config() -> Config:
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    return cfg


def _scripts() -> ScriptDirectory:
    return ScriptDirectory.from_config(_alembic_config())


def head_revision() -> str:
    """The newest schema revision this code knows."""
    head = _scripts().get_current_head()
    assert head is not None
    return head


def _resolve(target: str) -> tuple[URL, Path | None]:
    """The SQLAlchemy URL and, for an SQLite file, its path."""
    if "://" in target:
        try:
            url = make_url(target)
        except ArgumentError as e:
            raise DatabaseError(f"{target}: not a database URL ({e})") from None
        db = url.database
        is_file = url.get_backend_name() == "sqlite" and db not in (None, "", ":memory:")
        return url, Path(db).expanduser().resolve() if is_file else None
    path = Path(target).expanduser().resolve()
    if path == default_database_path().resolve():
        path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_dir():
        raise DatabaseError(f"{path}: is a folder; give a database file path")
    if not path.parent.is_dir():
        raise DatabaseError(f"{path}: folder {path.parent} does not exist")
    return URL.create("sqlite", database=str(path)), path


def _sqlite_revision(path: Path) -> str | None:
    """The file's schema revision, None for a new or empty file; refuses non-Kviz files."""
    if not path.exists() or path.stat().st_size == 0:
        return None
    with path.open("rb") as f:
        if f.read(16) != SQLITE_MAGIC:
            raise DatabaseError(f"{path}: not a SQLite database; left untouched (check --db)")
    wal = path.with_name(path.name + "-wal")
    # immutable=1 reads without creating -wal/-shm files beside a cleanly closed database.
    flags = "mode=ro" if wal.exists() and wal.stat().st_size else "mode=ro&immutable=1"
    try:
        con = sqlite3.connect(f"{path.as_uri()}?{flags}", uri=True)
    except sqlite3.Error as e:
        raise DatabaseError(f"{path}: cannot open ({e})") from None
    try:
        problems = [r[0] for r in con.execute("PRAGMA integrity_check").fetchall()]
        if problems != ["ok"]:
            raise DatabaseError(
                f"{path}: damaged ({problems[0]}); left untouched: restore a backup or move it"
            )
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "alembic_version" not in tables:
            if tables:
                raise DatabaseError(
                    f"{path}: an SQLite database, but not a Kviz one; left untouched"
                )
            return None
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        return row[0] if row else None
    except sqlite3.DatabaseError as e:
        raise DatabaseError(
            f"{path}: damaged ({e}); left untouched: restore a backup or move it"
        ) from None
    finally:
        con.close()


def _refuse_unknown(revision: str | None, where: str) -> None:
    if revision is None:
        return
    try:
        _scripts().get_revision(revision)
    except Exception:  # alembic raises several kinds for an unknown revision
        raise DatabaseError(
            f"{where}: made by a newer Kviz (schema {revision}); update Kviz to open it."
            " The file was left untouched."
        ) from None


def backup_sqlite(path: Path, revision: str) -> Path:
    """Copy the database (its WAL included) beside it, before an upgrade changes it."""
    stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
    dest = path.with_name(f"{path.stem}.backup-{stamp}-rev{revision}{path.suffix}")
    n = 1
    while dest.exists():
        n += 1
        dest = path.with_name(f"{path.stem}.backup-{stamp}-{n}-rev{revision}{path.suffix}")
    src = sqlite3.connect(path)
    try:
        src.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        dst = sqlite3.connect(dest)
        try:
            src.backup(dst)
        finally:
            dst.close()
    finally:
        src.close()
    return dest


def _set_pragmas(dbapi_con: Any, _record: Any) -> None:
    cur = dbapi_con.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")  # WAL + NORMAL: a killed process loses nothing
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA busy_timeout=5000")
    # Copying the WAL back into the database costs an fsync; at SQLite's default (every 1,000
    # pages, about 150 answers) it lands inside an answer and sets the p99 of recording one.
    # Kviz checkpoints itself at quiz ends and on close (`Database.checkpoint`); this bound
    # only caps the WAL (about 40 MB) for a session that never reaches either.
    cur.execute(f"PRAGMA wal_autocheckpoint={WAL_AUTOCHECKPOINT_PAGES}")
    cur.close()


def _engine(url: URL) -> Engine:
    if url.get_backend_name() != "sqlite":
        return create_engine(url)
    if url.database in (None, "", ":memory:"):
        eng = create_engine(url, poolclass=StaticPool, connect_args={"check_same_thread": False})
    else:
        eng = create_engine(url)
    event.listen(eng, "connect", _set_pragmas)
    return eng


def migrate(engine: Engine, revision: str = "head") -> None:
    """Run the Alembic upgrades up to `revision` (foreign keys off while tables are rebuilt)."""
    cfg = _alembic_config()
    sqlite = engine.dialect.name == "sqlite"
    with engine.connect() as conn:
        if sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=OFF")  # batch mode rebuilds tables
            conn.commit()
        with conn.begin():
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, revision)
        if sqlite:
            conn.exec_driver_sql("PRAGMA foreign_keys=ON")
            conn.commit()


@dataclass
class Database:
    """An open, up-to-date database; `session()` is one unit of work."""

    url: str
    engine: Engine
    path: Path | None = None  # the SQLite file, if it is one
    backup: Path | None = None  # the copy made before this open upgraded the file
    lock: InstanceLock | None = None  # held when opened with exclusive=True

    @contextmanager
    def session(self) -> Iterator[Session]:
        """Commits on exit, rolls back on any exception."""
        with Session(self.engine, expire_on_commit=False) as s, s.begin():
            yield s

    def checkpoint(self) -> None:
        """Fold the WAL into the database file, at a moment when nobody waits on an answer."""
        if self.engine.dialect.name == "sqlite":
            with self.engine.connect() as conn:
                conn.exec_driver_sql("PRAGMA wal_checkpoint(PASSIVE)")

    def close(self) -> None:
        self.checkpoint()
        self.engine.dispose()
        if self.lock is not None:
            self.lock.release()


def _lock(path: Path) -> InstanceLock:
    lock = InstanceLock(path.with_name(path.name + ".lock"))
    if not lock.acquire():
        raise DatabaseError(f"{path}: already open in another Kviz window; close that one first")
    return lock


def open_database(url_or_path: str | None = None, *, exclusive: bool = False) -> Database:
    """Open (creating or upgrading) the database: --db value, else $KVIZ_DB, else the default.

    exclusive=True (the app) also takes `<file>.lock`, so one app instance uses a database.
    """
    target = database_target(url_or_path)
    url, path = _resolve(target)
    if is_postgres(url):
        return _open_class_database(url)
    where = str(path) if path else url.render_as_string(hide_password=True)
    head = head_revision()
    backup = lock = None
    if path is not None:
        revision = _sqlite_revision(path)
        _refuse_unknown(revision, where)
        lock = _lock(path) if exclusive else None
        if revision is not None and revision != head:
            backup = backup_sqlite(path, revision)
    engine = None
    try:
        engine = _engine(url)
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
        _refuse_unknown(current, where)
        if current != head:
            migrate(engine)
    except BaseException as e:
        if engine is not None:
            engine.dispose()
        if lock is not None:
            lock.release()
        if isinstance(e, NoSuchModuleError | ImportError):
            raise DatabaseError(f"{where}: no driver for this kind of database") from None
        if isinstance(e, SQLAlchemyError):
            raise DatabaseError(f"{where}: cannot open ({e.__class__.__name__}: {e})") from None
        raise
    return Database(url.render_as_string(hide_password=False), engine, path, backup, lock)


# ---- PostgreSQL (a class database): kept apart from the SQLite path above. ----


def _open_class_database(url: URL) -> Database:
    """Open a PostgreSQL class database, migrating it under an advisory lock if it is behind."""
    url = with_driver(url)
    try:
        engine = open_postgres(url, _alembic_config(), head_revision())
    except PostgresError as e:
        raise DatabaseError(str(e)) from None
    except (NoSuchModuleError, ImportError):
        raise DatabaseError(
            f"{url.render_as_string(hide_password=True)}: no driver (pip install 'psycopg[binary]')"
        ) from None
    except SQLAlchemyError as e:
        where = url.render_as_string(hide_password=True)
        raise DatabaseError(f"{where}: cannot open ({e.__class__.__name__}: {e})") from None
    return Database(url.render_as_string(hide_password=False), engine)
