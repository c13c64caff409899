"""Row-level security: a learner's login sees and changes only its own rows; a teacher reads all."""

from __future__ import annotations

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.exc import DBAPIError

from kviz.classroom.roles import ClassError, add_login, init_class
from kviz.store.database import open_database
from kviz.store.lab_runs import save_lab_run
from kviz.store.records import get_or_create_learner
from tests.classroom.conftest import answer_quiz

TABLES = ("learners", "quiz_sessions", "attempts", "daily_counts", "review_states", "lab_runs")


def _answer_some(url: str, name: str, n: int) -> None:
    db = open_database(url)
    try:
        answer_quiz(db, name, [True, False] * (n // 2) + [True] * (n % 2), seed=n)
        save_lab_run(db, get_or_create_learner(db, name).id, {"config": {}, "test_accuracy": 0.9})
    finally:
        db.close()


@pytest.fixture
def two_learners(pg_url: str) -> tuple[str, str, str]:
    init_class(pg_url)
    a = add_login(pg_url, "Ana")
    b = add_login(pg_url, "Ben")
    _answer_some(a, "Ana", 3)
    _answer_some(b, "Ben", 4)
    init_class(pg_url)  # running init again (e.g. after an upgrade) keeps everything sealed
    return a, b, pg_url


def _counts(url: str) -> dict[str, int]:
    engine = create_engine(url)
    with engine.connect() as conn:
        out = {t: int(conn.scalar(text(f"SELECT count(*) FROM {t}")) or 0) for t in TABLES}
    engine.dispose()
    return out


def test_a_learner_sees_none_of_another_learners_rows(two_learners: tuple[str, str, str]) -> None:
    a, b, owner = two_learners
    everyone = _counts(owner)
    assert everyone["attempts"] == 7 and everyone["learners"] == 2
    engine = create_engine(a)
    with engine.connect() as conn:
        names = conn.execute(text("SELECT name FROM learners")).scalars().all()
        assert names == ["Ana"]
        ben_id = None
        for table in TABLES[1:]:
            rows = conn.execute(text(f"SELECT learner_id FROM {table}")).scalars().all()
            assert rows and set(rows) == {rows[0]}, table  # only Ana's own learner id
    with create_engine(owner).connect() as conn:
        ben_id = conn.scalar(text("SELECT id FROM learners WHERE name = 'Ben'"))
    with engine.begin() as conn:  # Ana tries to change and delete Ben's rows
        for table in TABLES[1:]:
            assert (
                conn.execute(text(f"DELETE FROM {table} WHERE learner_id = {ben_id}")).rowcount == 0
            )
        assert (
            conn.execute(
                text(f"UPDATE attempts SET correct = NOT correct WHERE learner_id = {ben_id}")
            ).rowcount
            == 0
        )
        assert conn.execute(text(f"DELETE FROM learners WHERE id = {ben_id}")).rowcount == 0
    engine.dispose()
    assert _counts(owner) == everyone


def test_a_learner_cannot_write_as_another_or_touch_the_schema(
    two_learners: tuple[str, str, str],
) -> None:
    a, _, owner = two_learners
    with create_engine(owner).connect() as conn:
        ben_quiz = conn.scalar(
            text(
                "SELECT q.id FROM quiz_sessions q JOIN learners l ON l.id = q.learner_id"
                " WHERE l.name = 'Ben'"
            )
        )
        ben_id = conn.scalar(text("SELECT id FROM learners WHERE name = 'Ben'"))
    engine = create_engine(a)
    forbidden = [
        f"INSERT INTO attempts (quiz_id, learner_id, question_id, topic, answer_given, correct,"
        f" seconds, answered_at, uid) VALUES ({ben_quiz}, {ben_id}, 'x', 'x', 'a', true, 1,"
        f" now(), 'forged')",
        "CREATE TABLE sneaky (id int)",
        "DROP TABLE attempts",
        "ALTER TABLE attempts DISABLE ROW LEVEL SECURITY",
        "UPDATE learners SET db_role = 'x'",  # would leave Ana's own row: refused by the check
    ]
    for sql in forbidden:
        with engine.connect() as conn, pytest.raises(DBAPIError):
            conn.execute(text(sql))
            conn.commit()
    engine.dispose()


def test_the_teacher_reads_everything_and_writes_nothing(
    two_learners: tuple[str, str, str],
) -> None:
    _, _, owner = two_learners
    teacher = add_login(owner, "Ms Tee", "teacher")
    assert _counts(teacher) == _counts(owner)
    engine = create_engine(teacher)
    with engine.connect() as conn, pytest.raises(DBAPIError):
        conn.execute(text("DELETE FROM attempts"))
    engine.dispose()


def test_a_second_login_of_the_same_name_is_refused(pg_url: str) -> None:
    init_class(pg_url)
    add_login(pg_url, "Ana")
    with pytest.raises(ClassError, match="already exists"):
        add_login(pg_url, "Ana")
