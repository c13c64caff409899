"""open_database: WAL + foreign keys, upgrade with backup, refusal of newer/corrupt files."""

from __future__ import annotations

import sqlite3
from datetime import datetime

import pytest
from sqlalchemy import create_engine, text

from kviz.store.database import DatabaseError, head_revision, migrate, open_database
from kviz.store.records import learner_stats


def test_new_database_is_at_head_with_wal_and_foreign_keys(tmp_path):
    db = open_database(str(tmp_path / "new.db"))
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        rev = conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar()
    assert rev == head_revision() == "0005" and db.backup is None
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
    assert db.backup is not None and db.backup.exists() and db.backup.parent == tmp_path
    assert "rev0001" in db.backup.name
    with db.engine.connect() as conn:
        assert conn.exec_driver_sql("SELECT version_num FROM alembic_version").scalar() == "0005"
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
