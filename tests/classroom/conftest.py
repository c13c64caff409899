"""A fresh PostgreSQL database per test on the server named by KVIZ_TEST_POSTGRES_URL.

.ci/start-postgres starts a throwaway server and exports the URL (see the README). Without
it these tests skip with that reason; under CI=true they fail instead.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

PG_ENV = "KVIZ_TEST_POSTGRES_URL"


@pytest.fixture(scope="session")
def pg_admin_url() -> str:
    """The test server's superuser URL."""
    url = os.environ.get(PG_ENV, "").strip()
    if url:
        return url
    reason = f"{PG_ENV} is not set: start a server with `. .ci/start-postgres` (see README)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"PostgreSQL is required under CI: {reason}")
    pytest.skip(reason)


@pytest.fixture
def pg_url(pg_admin_url: str) -> Iterator[str]:
    """An empty database of its own (and its class roles dropped afterwards)."""
    name = f"kviz_t{uuid.uuid4().hex[:10]}"
    admin = create_engine(pg_admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f"CREATE DATABASE {name}")
    try:
        yield make_url(pg_admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")
            roles = conn.execute(
                text("SELECT rolname FROM pg_roles WHERE rolname LIKE :p"), {"p": f"{name}\\_%"}
            ).scalars()
            for role in sorted(roles, key=len, reverse=True):  # logins before their groups
                conn.exec_driver_sql(f'DROP ROLE IF EXISTS "{role}"')
        admin.dispose()


def answer_quiz(db: Any, name: str, marks: list[bool], seed: int = 0) -> int:
    """One quiz by `name` on the installed bank: the i-th question right when marks[i]."""
    from kviz.bank.loader import load_bank
    from kviz.quiz.engine import build_quiz
    from kviz.quiz.grading import Feedback
    from kviz.store.records import finish_quiz, get_or_create_learner, record_attempt, start_quiz

    learner = get_or_create_learner(db, name)
    quiz = start_quiz(db, learner.id, "quiz", [])
    items = build_quiz(load_bank(), count=len(marks), seed=seed)
    for item, right in zip(items, marks, strict=True):
        feedback = Feedback(right, item.key.expected, "")
        record_attempt(db, quiz, item, "a" if right else "b", feedback, 2.0)
    finish_quiz(db, quiz)
    return quiz
