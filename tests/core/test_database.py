"""open_database: WAL + foreign keys, upgrade with backup, refusal of newer/corrupt files."""

from __future__ import annotations

import sqlite3
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

import kviz.store
from kviz.store.database import DatabaseError, head_revision, migrate, open_database
from kviz.store.records import learner_stats

# The newest migration file's revision ("0003_daily_counts.py" -> "0003"): the head a new or
# upgraded database must reach, whichever migrations are added later.
NEWEST = max(
    p.name.split("_")[0]
    for p in (Path(kviz.store.__file__).parent / "migrations" / "versions").glob("[0-9]*.py")
)


def test_new_database_is_at_head_with_wal_and_foreign_keys(tmp_path):
    db = open_database(str(tmp_path / "new.db"))
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        rev = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    assert rev == head_revision() == NEWEST and db.backup is None
    db.close()


def test_default_location_and_env_override(tmp_path, monkeypatch, isolated_user_dirs):
    from kviz.paths import default_database_path

    db = open_database()
    assert db.path == default_database_path().resolve() and db.path.exists()
    assert str(isolated_user_dirs) in str(db.path)
    db.close()
    monkeypatch.setenv("KVIZ_DB", f"sqlite:///{tmp_path / 'env.db'}")
    db = open_database()
    assert db.path == tmp_path / "env.db"
    db.close()


def test_schema_after_migrations_matches_the_models(tmp_path):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    from kviz.store.models import Base

    db = open_database(str(tmp_path / "k.db"))
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
    db.close()


def make_old_database(path):
    """A database at revision 0001 with a learner who answered two questions."""
    engine = create_engine(f"sqlite:///{path}")
    migrate(engine, "0001")
    now = datetime(2026, 1, 5, 9, 0)
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO learners (id, name, created_at, last_used_at)"
                " VALUES (1, 'ann', :t, :t)"
            ),
            {"t": now},
        )
        conn.execute(
            text(
                "INSERT INTO quiz_sessions (id, learner_id, mode, topics, started_at)"
                " VALUES (1, 1, 'quiz', '[]', :t)"
            ),
            {"t": now},
        )
        for i, correct in enumerate([1, 0], start=1):
            conn.execute(
                text(
                    "INSERT INTO attempts (id, quiz_id, question_id, topic, answer_given, correct,"
                    " seconds, answered_at) VALUES (:i, 1, :q, 'filters', 'a', :c, 2.0, :t)"
                ),
                {"i": i, "q": f"filters-00{i}", "c": correct, "t": now},
            )
    engine.dispose()


def test_upgrade_from_0001_keeps_data_and_makes_a_backup(tmp_path):
    path = tmp_path / "old.db"
    make_old_database(path)
    db = open_database(str(path))
    assert db.backup is not None and db.backup.exists() and db.backup.parent == tmp_path / "backups"
    assert "rev0001" in db.backup.name
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == NEWEST
        learners = conn.exec_driver_sql("SELECT DISTINCT learner_id FROM attempts").all()
    assert learners == [(1,)]  # 0002 filled in each attempt's learner, 0003 the day counts
    stats = learner_stats(db, 1)
    assert (stats.attempts, stats.correct, stats.learner.name) == (2, 1, "ann")
    db.close()
    backup = sqlite3.connect(db.backup)
    assert backup.execute("SELECT version_num FROM alembic_version").fetchone() == ("0001",)
    assert backup.execute("SELECT count(*) FROM attempts").fetchone() == (2,)
    backup.close()


def refused(path, match):
    before = path.read_bytes()
    with pytest.raises(DatabaseError, match=match) as err:
        open_database(str(path))
    assert str(path) in str(err.value)
    assert path.read_bytes() == before
    return str(err.value)


def test_newer_database_is_refused_and_untouched(tmp_path):
    path = tmp_path / "newer.db"
    open_database(str(path)).close()
    con = sqlite3.connect(path)
    con.execute("UPDATE alembic_version SET version_num = '0099'")
    con.commit()
    con.close()
    message = refused(path, "newer Kviz")
    assert "0099" in message
    assert not (tmp_path / "newer.db-wal").exists()


def test_file_that_is_not_a_database_is_refused(tmp_path):
    path = tmp_path / "notes.db"
    path.write_text("my shopping list\n" * 100)
    refused(path, "not a SQLite database")


def test_damaged_database_is_refused_and_untouched(tmp_path):
    path = tmp_path / "damaged.db"
    make_old_database(path)
    data = bytearray(path.read_bytes())
    page = 4096
    for offset in range(page + 8, len(data), page):  # smash every page header after the first
        data[offset : offset + 16] = b"\xff" * 16
    path.write_bytes(bytes(data))
    refused(path, "damaged")


def test_foreign_sqlite_database_is_refused(tmp_path):
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE songs (title TEXT)")
    con.commit()
    con.close()
    refused(path, "not a Kviz one")


def test_bad_locations(tmp_path):
    with pytest.raises(DatabaseError, match="does not exist"):
        open_database(str(tmp_path / "missing" / "k.db"))
    with pytest.raises(DatabaseError, match="is a folder"):
        open_database(str(tmp_path))
    with pytest.raises(DatabaseError):
        open_database("nosuchdriver://x/y")


def test_in_memory_url_works(bank):
    from kviz.store.records import get_or_create_learner, last_learner

    db = open_database("sqlite://")
    get_or_create_learner(db, "ann")
    assert last_learner(db).name == "ann"
    db.close()


def test_one_app_instance_per_database(tmp_path):
    path = tmp_path / "k.db"
    app = open_database(str(path), exclusive=True)
    with pytest.raises(DatabaseError, match="already open in another Kviz window"):
        open_database(str(path), exclusive=True)
    open_database(str(path)).close()  # the terminal commands may still read and write
    app.close()
    open_database(str(path), exclusive=True).close()


def test_answers_never_wait_on_a_checkpoint_and_quiz_ends_fold_the_wal(tmp_path, bank):
    """Answers stay in the WAL (no fsync-heavy checkpoint inside one); finishing folds them in."""
    from kviz.quiz.engine import build_quiz
    from kviz.quiz.grading import Feedback
    from kviz.store.records import finish_quiz, get_or_create_learner, record_attempt, start_quiz

    path = tmp_path / "k.db"
    db = open_database(str(path))
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 10_000
    learner = get_or_create_learner(db, "ana")
    quiz = start_quiz(db, learner.id, "quiz", [])
    db.checkpoint()
    item = build_quiz(bank, count=1, seed=1)[0]

    def in_main_file() -> int:  # what the .db file holds, ignoring the WAL
        with sqlite3.connect(f"file:{path}?immutable=1", uri=True) as con:
            return con.execute("SELECT count(*) FROM attempts").fetchone()[0]

    for _ in range(300):  # well past SQLite's default autocheckpoint of 1,000 pages
        record_attempt(db, quiz, item, "a", Feedback(True, "a", ""), 1.0)
    assert in_main_file() == 0
    finish_quiz(db, quiz)
    assert in_main_file() == 300
    db.close()


# --- issue #15: foreign files refused, setup serialised, private files, rolling backups ---

import multiprocessing  # noqa: E402
import os  # noqa: E402
import signal  # noqa: E402
import stat  # noqa: E402
import sys  # noqa: E402

from kviz.store import backups  # noqa: E402


def mode(path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_another_alembic_apps_file_is_not_a_kviz_database(tmp_path):
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    con.execute("INSERT INTO alembic_version VALUES ('ae1027a6acf')")
    con.execute("CREATE TABLE invoices (id INTEGER)")
    con.commit()
    con.close()
    assert "newer Kviz" not in refused(path, "not a Kviz one")


def test_empty_alembic_version_beside_foreign_tables_is_refused(tmp_path):
    path = tmp_path / "other.db"
    con = sqlite3.connect(path)
    con.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
    con.execute("CREATE TABLE songs (title TEXT)")
    con.commit()
    con.close()
    refused(path, "not a Kviz one")
    tables = sqlite3.connect(path).execute("SELECT name FROM sqlite_master").fetchall()
    assert ("learners",) not in tables


def test_zero_byte_file_is_refused_not_taken_for_new(tmp_path):
    path = tmp_path / "empty.db"
    path.touch()
    refused(path, "empty file")
    assert path.stat().st_size == 0


def _open_and_report(path: str, queue) -> None:  # type: ignore[no-untyped-def]
    try:
        open_database(path).close()
        queue.put("ok")
    except BaseException as e:  # noqa: BLE001 - the test wants to see any failure
        queue.put(f"{type(e).__name__}: {e}")


@pytest.mark.skipif(sys.platform == "win32", reason="fork start method is POSIX-only")
def test_twenty_first_opens_at_once_all_succeed(tmp_path):
    path = str(tmp_path / "new.db")
    ctx = multiprocessing.get_context("fork")
    queue = ctx.Queue()
    procs = [ctx.Process(target=_open_and_report, args=(path, queue)) for _ in range(20)]
    for p in procs:
        p.start()
    results = [queue.get(timeout=120) for _ in procs]
    for p in procs:
        p.join(timeout=30)
    assert results == ["ok"] * 20


def test_new_database_and_its_files_are_private(tmp_path, isolated_user_dirs):
    from kviz.paths import default_database_path

    previous = os.umask(0o022)  # the usual umask, which leaves new files readable by all
    try:
        db = open_database()
    finally:
        os.umask(previous)
    path = db.path
    assert mode(path.parent) == 0o700
    with db.engine.connect() as conn:
        conn.exec_driver_sql("CREATE TABLE IF NOT EXISTS t (x)")  # makes sure WAL/SHM exist
        for suffix in ("", "-wal", "-shm"):
            assert mode(path.with_name(path.name + suffix)) == 0o600, suffix
    db.close()
    app = open_database(exclusive=True)
    assert mode(path.with_name(path.name + ".lock")) == 0o600
    assert mode(path.with_name(path.name + ".setup-lock")) == 0o600
    app.close()
    assert path == default_database_path().resolve()


def test_upgrade_backup_keeps_the_database_mode_and_goes_to_backups(tmp_path):
    path = tmp_path / "old.db"
    make_old_database(path)
    path.chmod(0o640)
    db = open_database(str(path))
    assert db.backup is not None and db.backup.parent == tmp_path / "backups"
    assert mode(db.backup) == 0o640
    db.close()


def test_daily_rolling_backups_keep_the_last_seven(tmp_path):
    path = tmp_path / "k.db"
    open_database(str(path)).close()  # new: nothing to back up
    assert backups.existing(path) == []
    db = open_database(str(path))
    assert db.backup is not None  # first open of the day with records: a copy
    db.close()
    db = open_database(str(path))
    assert db.backup is None  # the same day: no second copy
    db.close()
    for _ in range(10):  # ten more days
        for old in backups.existing(path):
            t = old.stat().st_mtime - 86_400
            os.utime(old, (t, t))
        db = open_database(str(path))
        assert db.backup is not None
        db.close()
    assert len(backups.existing(path)) == backups.KEEP == 7


def test_full_integrity_check_only_where_it_pays(tmp_path, monkeypatch):
    import kviz.store.database as database

    checks: list[str] = []
    real_connect = sqlite3.connect

    class Spy:
        def __init__(self, con):  # type: ignore[no-untyped-def]
            self.con = con

        def execute(self, sql, *a):  # type: ignore[no-untyped-def]
            if "check" in sql:
                checks.append(sql.split()[-1])
            return self.con.execute(sql, *a)

        def __getattr__(self, name):  # type: ignore[no-untyped-def]
            return getattr(self.con, name)

    def spy_connect(*a, **k):  # type: ignore[no-untyped-def]
        con = real_connect(*a, **k)
        return Spy(con) if k.get("uri") else con  # only the read-only look before opening

    monkeypatch.setattr(database.sqlite3, "connect", spy_connect)
    path = tmp_path / "k.db"
    monkeypatch.setattr(backups, "due", lambda p, now=None: False)
    open_database(str(path)).close()
    open_database(str(path)).close()
    assert checks == ["quick_check"]  # an ordinary open
    monkeypatch.setattr(backups, "due", lambda p, now=None: p.exists())
    checks.clear()
    open_database(str(path)).close()
    assert checks == ["integrity_check"]  # before a backup


def test_unclean_shutdown_gets_the_full_check(tmp_path, monkeypatch):
    import kviz.store.database as database

    path = tmp_path / "k.db"
    open_database(str(path)).close()
    monkeypatch.setattr(backups, "due", lambda p, now=None: False)
    keeper = sqlite3.connect(path)  # an open writer leaves a WAL, as a killed process does
    keeper.execute("PRAGMA journal_mode=WAL")
    keeper.execute("INSERT INTO learners (name, created_at, last_used_at) VALUES ('a', 0, 0)")
    keeper.commit()
    assert path.with_name("k.db-wal").stat().st_size > 0
    checks: list[str] = []
    real_connect = sqlite3.connect

    def spy_connect(*a, **k):  # type: ignore[no-untyped-def]
        con = real_connect(*a, **k)
        if k.get("uri"):
            con.set_trace_callback(lambda sql: checks.append(sql) if "check" in sql else None)
        return con

    monkeypatch.setattr(database.sqlite3, "connect", spy_connect)
    open_database(str(path)).close()
    keeper.close()
    assert checks == ["PRAGMA integrity_check"]


def _fill_limit(limit: int) -> None:
    import resource

    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
    resource.setrlimit(resource.RLIMIT_FSIZE, (limit, resource.RLIM_INFINITY))


@pytest.mark.skipif(sys.platform == "win32", reason="RLIMIT_FSIZE is POSIX-only")
def test_no_room_for_the_upgrade_backup_is_one_line_and_leaves_no_partial_copy(tmp_path):
    import subprocess

    path = tmp_path / "old.db"
    make_old_database(path)
    before = path.read_bytes()
    proc = subprocess.run(
        [sys.executable, "-m", "kviz", "stats", "--db", str(path)],
        capture_output=True,
        text=True,
        preexec_fn=lambda: _fill_limit(len(before) // 3),  # the disk "fills" mid-copy
        timeout=60,
    )
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1
    assert "backup" in proc.stderr and str(path) in proc.stderr
    assert backups.existing(path) == [] and path.read_bytes() == before


@pytest.fixture
def shared_tmp(tmp_path):
    """A folder an unprivileged child can reach."""
    import tempfile

    folder = tempfile.mkdtemp(prefix="kviz-ro-")
    os.chmod(folder, 0o755)
    from pathlib import Path

    yield Path(folder)
    import shutil

    for p in Path(folder).rglob("*"):
        if p.is_dir():
            p.chmod(0o755)
    shutil.rmtree(folder)


def _open_exclusive(db: Path) -> str:
    """Open as the app does; as_nobody turns a DatabaseError into "DatabaseError: ..."."""
    open_database(str(db), exclusive=True).close()
    return "opened"


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_read_only_folder_is_one_clear_message(shared_tmp, as_nobody):
    folder = shared_tmp / "ro"
    folder.mkdir()
    db = folder / "k.db"
    open_database(str(db)).close()
    for p in folder.iterdir():
        p.chmod(0o644)
    folder.chmod(0o555)

    message = as_nobody(lambda: _open_exclusive(db))
    assert message.startswith("DatabaseError:") and "read-only" in message, message
    assert "--db" in message


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX file modes")
def test_unwritable_lock_file_is_a_database_error(shared_tmp, as_nobody):
    folder = shared_tmp / "w"
    folder.mkdir()
    folder.chmod(0o777)
    db = folder / "k.db"
    open_database(str(db)).close()
    for p in folder.iterdir():
        p.chmod(0o666)
    lock = folder / "k.db.lock"
    lock.touch()
    lock.chmod(0o444)

    message = as_nobody(lambda: _open_exclusive(db))
    assert message.startswith("DatabaseError:") and "k.db.lock" in message, message


def test_lock_file_symlink_is_not_followed(tmp_path):
    target = tmp_path / "precious.txt"
    target.write_text("keep me\n")
    db = tmp_path / "k.db"
    (tmp_path / "k.db.lock").symlink_to(target)
    with pytest.raises(DatabaseError, match="symbolic link"):
        open_database(str(db), exclusive=True)
    assert target.read_text() == "keep me\n"
