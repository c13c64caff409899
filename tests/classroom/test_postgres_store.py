"""The store on a real PostgreSQL server: migrations, concurrent starts and writers, kill -9."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.engine import make_url

from kviz.classroom.roles import add_login, init_class
from kviz.store.database import DatabaseError, head_revision, migrate, open_database
from kviz.store.models import AttemptRow, DailyCountRow
from kviz.store.postgres import pg_engine

ROOT = Path(__file__).resolve().parents[2]
REVISIONS = ["0001", "0002", "0003", "0004", "0005", "0006"]
ANSWERS = "a\n1\ntrue\n" * 40  # every kind of question takes one of these lines


def _env() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(ROOT), "PYTHONUNBUFFERED": "1"}


def test_the_revisions_list_is_complete() -> None:
    assert REVISIONS[-1] == head_revision()


@pytest.mark.parametrize("start", [None, *REVISIONS[:-1]])
def test_every_migration_upgrades_on_postgres(pg_url: str, start: str | None) -> None:
    """From empty, and from each earlier revision holding an answer, up to head."""
    if start is not None:
        engine = pg_engine(make_url(pg_url))
        migrate(engine, start)
        with engine.begin() as conn:
            conn.exec_driver_sql(
                "INSERT INTO learners (id, name, created_at, last_used_at)"
                " VALUES (1, 'ann', now(), now())"
            )
            conn.exec_driver_sql(
                "INSERT INTO quiz_sessions (id, learner_id, mode, topics, started_at"
                + (", uid" if start >= "0004" else "")
                + ") VALUES (1, 1, 'quiz', '[]', now()"
                + (", 'q-uid'" if start >= "0004" else "")
                + ")"
            )
            cols = "id, quiz_id, question_id, topic, answer_given, correct, seconds, answered_at"
            vals = "1, 1, 'dropout-001', 'dropout', 'a', true, 1.5, now()"
            if start >= "0002":
                cols, vals = cols + ", learner_id", vals + ", 1"
            if start >= "0004":
                cols, vals = cols + ", uid", vals + ", 'a-uid'"
            conn.exec_driver_sql(f"INSERT INTO attempts ({cols}) VALUES ({vals})")
        engine.dispose()
    db = open_database(pg_url)
    try:
        with db.engine.connect() as conn:
            assert conn.scalar(text("SELECT version_num FROM alembic_version")) == head_revision()
            n = conn.scalar(select(func.count()).select_from(AttemptRow))
            assert n == (0 if start is None else 1)
            if start is not None:
                uid = conn.scalar(select(AttemptRow.uid))
                assert uid and len(uid) >= 5
                if start < "0003":  # 0003 counted the existing answer
                    assert conn.scalar(select(func.sum(DailyCountRow.attempts))) == 1
    finally:
        db.close()


def test_ten_concurrent_first_starts_migrate_once(pg_url: str) -> None:
    code = "import sys; from kviz.store.database import open_database; open_database(sys.argv[1])"
    procs = [
        subprocess.Popen(
            [sys.executable, "-c", code, pg_url], env=_env(), stderr=subprocess.PIPE, text=True
        )
        for _ in range(10)
    ]
    errors = [p.communicate(timeout=120)[1] for p in procs]
    assert [p.returncode for p in procs] == [0] * 10, errors
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [
            head_revision()
        ]
    engine.dispose()


def _quiz(url: str, seed: int, count: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "kviz", "--db", url, "quiz", "--count", str(count)]
        + ["--seed", str(seed)],
        env=_env(),
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def test_thirty_concurrent_quiz_processes_lose_no_answer(pg_url: str) -> None:
    """Twenty-eight learners and one learner in two windows (same questions), at once."""
    init_class(pg_url)
    logins = [add_login(pg_url, f"learner {i:02d}") for i in range(29)]
    urls = logins[:28] + [logins[28], logins[28]]  # the last learner has two windows
    count = 4
    procs = [_quiz(url, seed=7 if i >= 28 else i, count=count) for i, url in enumerate(urls)]
    outs = [p.communicate(ANSWERS, timeout=170) for p in procs]
    assert [p.returncode for p in procs] == [0] * 30, [o[1] for o in outs if o[1]]
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(AttemptRow)) == 30 * count
        assert conn.scalar(select(func.sum(DailyCountRow.attempts))) == 30 * count
        per = dict(
            conn.execute(
                text(
                    "SELECT l.name, count(*) FROM attempts a JOIN learners l"
                    " ON l.id = a.learner_id GROUP BY l.name"
                )
            ).all()
        )
        assert per["learner 28"] == 2 * count and len(per) == 29
        # Both windows answered the same questions: each review state counts both answers.
        reps = conn.execute(
            text(
                "SELECT r.reps FROM review_states r JOIN learners l ON l.id = r.learner_id"
                " WHERE l.name = 'learner 28'"
            )
        ).scalars()
        assert sorted(set(reps)) == [2]
    engine.dispose()


def test_kill_9_mid_quiz_loses_no_answered_question(pg_url: str) -> None:
    open_database(pg_url).close()
    proc = _quiz(pg_url, seed=5, count=6)
    assert proc.stdin is not None and proc.stdout is not None
    answered = 0
    prompts = 0
    lines = iter(["a", "1", "true"] * 40)
    buf = ""
    while answered < 3:
        ch = proc.stdout.read(1)
        assert ch, "the quiz ended early"
        buf += ch
        if buf.endswith("answer> "):
            prompts += 1
            if "right" in buf or "wrong" in buf:
                answered += buf.count("\n  right") + buf.count("\n  wrong")
                buf = ""
                if answered >= 3:
                    break
            proc.stdin.write(next(lines) + "\n")
            proc.stdin.flush()
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(AttemptRow)) == answered
    engine.dispose()


def test_unreachable_server_is_one_clear_error() -> None:
    with pytest.raises(DatabaseError, match="cannot reach the class database"):
        open_database("postgresql+psycopg://nobody@127.0.0.1:1/nothing")


def test_kviz_db_url_reaches_every_command(pg_url: str) -> None:
    env = _env() | {"KVIZ_DB_URL": pg_url}
    quiz = subprocess.run(
        [sys.executable, "-m", "kviz", "quiz", "--learner", "Eve", "--count", "2", "--seed", "1"],
        input=ANSWERS,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert quiz.returncode == 0, quiz.stderr
    stats = subprocess.run(
        [sys.executable, "-m", "kviz", "stats", "--json"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert stats.returncode == 0, stats.stderr
    assert json.loads(stats.stdout)["attempts"] == 2
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(AttemptRow)) == 2
    engine.dispose()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["class", "report", "postgresql+psycopg://x@127.0.0.1:1/none"], "cannot reach"),
        (["class", "init", "not a url://"], "not a database URL"),
        (["class", "add-learner", "sqlite:///:memory:", "Ann"], "a class database is a"),
    ],
)
def test_class_commands_fail_in_one_line(args: list[str], message: str) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "kviz", *args], env=_env(), capture_output=True, text=True
    )
    assert out.returncode == 2
    assert message in out.stderr and len(out.stderr.strip().splitlines()) == 1, out.stderr
