"""A fresh PostgreSQL database per test on the server named by KVIZ_TEST_POSTGRES_URL.

.ci/start-postgres starts a throwaway server and exports the URL (see the README). Without
it these tests skip with that reason; under CI=true they fail instead.
"""

from __future__ import annotations

import functools
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


@functools.cache
def installed_bank() -> Any:
    """The installed question bank, read once for all the tests here."""
    from kviz.bank.loader import load_bank

    return load_bank()


def answer_quiz(db: Any, name: str, marks: list[bool], seed: int = 0) -> int:
    """One quiz by `name` on the installed bank: the i-th question right when marks[i]."""
    from kviz.quiz.engine import build_quiz
    from kviz.quiz.grading import Feedback
    from kviz.store.records import finish_quiz, get_or_create_learner, record_attempt, start_quiz

    learner = get_or_create_learner(db, name)
    quiz = start_quiz(db, learner.id, "quiz", [])
    items = build_quiz(installed_bank(), count=len(marks), seed=seed)
    for item, right in zip(items, marks, strict=True):
        feedback = Feedback(right, item.key.expected, "")
        record_attempt(db, quiz, item, "a" if right else "b", feedback, 2.0)
    finish_quiz(db, quiz)
    return quiz


def generate_class(db: Any, learners: int = 30, quizzes: int = 3, seed: int = 0) -> None:
    """A class whose learners differ in ability (a logistic model), with a few lab runs each.

    Stronger learners get more questions right, so the report's discrimination is positive
    for most questions; the data are random but fixed by `seed`.
    """
    import math
    import random

    from kviz.store.lab_runs import save_lab_run
    from kviz.store.records import get_or_create_learner

    rng = random.Random(seed)
    for i in range(learners):
        name = f"Learner {i + 1:02d}"
        ability = rng.gauss(0.0, 1.2)
        for q in range(quizzes):
            p = 1 / (1 + math.exp(-(ability + 0.3)))
            answer_quiz(db, name, [rng.random() < p for _ in range(8)], seed=q)
        learner_id = get_or_create_learner(db, name).id
        for filters in (8, 16)[: 1 + i % 2]:
            accuracy = round(0.9 + 0.02 * math.tanh(ability) + 0.01 * (filters == 16), 4)
            result = {"config": {"filters": filters}, "test_accuracy": accuracy}
            save_lab_run(db, learner_id, result)
