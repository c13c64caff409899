"""Opening the learner database: WAL, foreign keys, backup + Alembic upgrade, refusals.

A database that is newer than this code, damaged, or not a Kviz database is refused with a
DatabaseError naming the file, and left byte-for-byte as it was: it is never replaced.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
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
from kviz.store import backups
from kviz.store.lock import PRIVATE_FILE, InstanceLock
from kviz.store.postgres import PostgresError, is_postgres, open_postgres, with_driver

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
SQLITE_MAGIC = b"SQLite format 3\x00"
WAL_AUTOCHECKPOINT_PAGES = 10_000
KVIZ_TABLES = frozenset({"learners", "quiz_sessions", "attempts"})  # since the first revision


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
        if url.get_backend_name() != "sqlite" or db is None or db in ("", ":memory:"):
            return url, None
        return url, Path(db).expanduser().resolve()
    path = Path(target).expanduser().resolve()
    if path == default_database_path().resolve():
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)  # records are private
    if path.is_dir():
        raise DatabaseError(f"{path}: is a folder; give a database file path")
    if not path.parent.is_dir():
        raise DatabaseError(f"{path}: folder {path.parent} does not exist")
    return URL.create("sqlite", database=str(path)), path


def _not_kviz(path: Path) -> DatabaseError:
    return DatabaseError(f"{path}: an SQLite database, but not a Kviz one; left untouched")


def _known_revision(revision: str) -> bool:
    try:
        return _scripts().get_revision(revision) is not None
    except Exception:  # alembic raises several kinds for an unknown revision
        return False


def _sqlite_revision(path: Path, *, full_check: bool = False) -> str | None:
    """The file's schema revision, None for a new file; refuses empty, damaged, non-Kviz files.

    The full integrity check reads every page (0.16 s on a 100k-answer file); it runs when it
    pays: when asked (before a backup) and after an unclean shutdown (a WAL left behind).
    Otherwise `quick_check`, which skips the index cross-checks, guards the open.
    """
    if not path.exists():
        return None
    if path.stat().st_size == 0:
        raise DatabaseError(
            f"{path}: an empty file (0 bytes), not a Kviz database; left untouched:"
            " delete it to start new records there, or give another --db"
        )
    with path.open("rb") as f:
        if f.read(16) != SQLITE_MAGIC:
            raise DatabaseError(f"{path}: not a SQLite database; left untouched (check --db)")
    wal = path.with_name(path.name + "-wal")
    unclean = wal.exists() and wal.stat().st_size > 0
    # immutable=1 reads without creating -wal/-shm files beside a cleanly closed database.
    flags = "mode=ro" if unclean else "mode=ro&immutable=1"
    try:
        con = sqlite3.connect(f"{path.as_uri()}?{flags}", uri=True)
    except sqlite3.Error as e:
        raise DatabaseError(f"{path}: cannot open ({e})") from None
    try:
        check = "integrity_check" if full_check or unclean else "quick_check"
        problems = [r[0] for r in con.execute(f"PRAGMA {check}").fetchall()]
        if problems != ["ok"]:
            raise DatabaseError(
                f"{path}: damaged ({problems[0]}); left untouched: restore a backup or move it"
            )
        tables = {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        if "alembic_version" not in tables:
            if tables:
                raise _not_kviz(path)
            return None
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        if row is None:  # Alembic's table with no revision: Kviz never leaves one so
            if tables - {"alembic_version"}:
                raise _not_kviz(path)
            return None
        if not _known_revision(row[0]) and not tables >= KVIZ_TABLES:
            raise _not_kviz(path)  # another Alembic-managed app's file
        return str(row[0])
    except sqlite3.DatabaseError as e:
        raise DatabaseError(
            f"{path}: damaged ({e}); left untouched: restore a backup or move it"
        ) from None
    finally:
        con.close()


def _refuse_unknown(revision: str | None, where: str) -> None:
    if revision is not None and not _known_revision(revision):
        raise DatabaseError(
            f"{where}: made by a newer Kviz (schema {revision}); update Kviz to open it."
            " The file was left untouched."
        ) from None


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
    backup: Path | None = None  # the copy this open made (daily, or before an upgrade)
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


def _take(lock: InstanceLock, *, blocking: bool) -> bool:
    """Acquire, turning an unopenable lock file into a DatabaseError that says what to do."""
    try:
        return lock.acquire(blocking=blocking)
    except OSError as e:
        why = "is a symbolic link" if os.path.islink(lock.path) else (e.strerror or str(e))
        raise DatabaseError(
            f"{lock.path}: cannot use this lock file ({why}); remove it, or give another --db"
        ) from None


def _lock(path: Path) -> InstanceLock:
    lock = InstanceLock(path.with_name(path.name + ".lock"))
    if not _take(lock, blocking=False):
        raise DatabaseError(f"{path}: already open in another Kviz window; close that one first")
    return lock


def _writable_folder(path: Path) -> None:
    """Kviz writes beside the database (WAL, locks, backups): say so before anything fails."""
    if not os.access(path.parent, os.W_OK | os.X_OK):
        raise DatabaseError(
            f"{path}: the folder {path.parent} is read-only; Kviz writes its records, locks and"
            " backups there: give a --db in a folder you can write to"
        )


def _migrated_engine(url: URL, where: str, head: str) -> Engine:
    """An engine on the database, upgraded to `head` (refusing a newer schema)."""
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
        if isinstance(e, NoSuchModuleError | ImportError):
            raise DatabaseError(f"{where}: no driver for this kind of database") from None
        if isinstance(e, SQLAlchemyError):
            raise DatabaseError(f"{where}: cannot open ({e.__class__.__name__}: {e})") from None
        raise
    return engine


def _open_sqlite_file(url: URL, path: Path, head: str, exclusive: bool) -> Database:
    """Check, back up, create or upgrade an SQLite file, one process at a time."""
    where = str(path)
    _writable_folder(path)
    setup = InstanceLock(path.with_name(path.name + ".setup-lock"))
    _take(setup, blocking=True)
    lock: InstanceLock | None = None
    created = False
    try:
        lock = _lock(path) if exclusive else None
        daily = backups.due(path)
        revision = _sqlite_revision(path, full_check=daily)
        _refuse_unknown(revision, where)
        backup = None
        if revision is not None and (daily or revision != head):
            if not daily:  # a backup of a damaged file is no backup: check every page first
                _sqlite_revision(path, full_check=True)
            try:
                backup = backups.make_backup(path, revision)
            except backups.BackupError as e:
                raise DatabaseError(f"{where}: not opened, {e}") from None
        if not path.exists():  # created private; SQLite gives its WAL and SHM the same mode
            os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE))
            created = True
        engine = _migrated_engine(url, where, head)
    except BaseException:
        if created:
            for leftover in ("", "-wal", "-shm", "-journal"):
                path.with_name(path.name + leftover).unlink(missing_ok=True)
        if lock is not None:
            lock.release()
        raise
    finally:
        setup.release()
    return Database(url.render_as_string(hide_password=False), engine, path, backup, lock)


def open_database(url_or_path: str | None = None, *, exclusive: bool = False) -> Database:
    """Open (creating or upgrading) the database: --db value, else $KVIZ_DB, else the default.

    exclusive=True (the app) also takes `<file>.lock`, so one app instance uses a database.
    """
    target = database_target(url_or_path)
    url, path = _resolve(target)
    if is_postgres(url):
        return _open_class_database(url)
    head = head_revision()
    if path is not None:
        return _open_sqlite_file(url, path, head, exclusive)
    where = url.render_as_string(hide_password=True)
    engine = _migrated_engine(url, where, head)
    return Database(url.render_as_string(hide_password=False), engine, None, None, None)


# ---- PostgreSQL (a class database): kept apart from the SQLite path above. ----


def _open_class_database(url: URL) -> Database:
    """Open a PostgreSQL class database, migrating it under an advisory lock if it is behind."""
    url = with_driver(url)
    where = url.render_as_string(hide_password=True)
    try:
        engine = open_postgres(url, _alembic_config(), head_revision())
    except PostgresError as e:
        raise DatabaseError(str(e)) from None
    except (NoSuchModuleError, ImportError):
        raise DatabaseError(f"{where}: no driver (pip install 'psycopg[binary]')") from None
    except SQLAlchemyError as e:
        raise DatabaseError(f"{where}: cannot open ({e.__class__.__name__}: {e})") from None
    return Database(url.render_as_string(hide_password=False), engine)
