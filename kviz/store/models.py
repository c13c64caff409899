"""The learner records as SQLAlchemy 2.0 typed ORM tables (the head of the migrations).

These classes never leave kviz.store: records.py turns rows into frozen dataclasses.
Times are stored as naive UTC. Schema changes go through a new Alembic revision.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Named constraints, so batch migrations on SQLite can find and change them.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def new_uid() -> str:
    """A fresh stable id for a record (a UUID4 string)."""
    return str(uuid.uuid4())


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class LearnerRow(Base):
    __tablename__ = "learners"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime)
    last_used_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    # Revision 0005: the PostgreSQL login owning this learner's rows in a class database.
    db_role: Mapped[str | None] = mapped_column(String(63), index=True)


class QuizSessionRow(Base):
    __tablename__ = "quiz_sessions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    mode: Mapped[str] = mapped_column(String(20))  # quiz | review
    topics: Mapped[list[str]] = mapped_column(JSON)
    started_at: Mapped[datetime] = mapped_column(DateTime)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime)
    # Revision 0004: a stable id, so copying records to a class database is idempotent.
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    # Revision 0006: how many questions the quiz had; fewer answers means it was left early.
    planned: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (Index("ix_quiz_sessions_learner_started", "learner_id", "started_at"),)


class AttemptRow(Base):
    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    quiz_id: Mapped[int] = mapped_column(ForeignKey("quiz_sessions.id", ondelete="CASCADE"))
    # Revision 0002: copied from the quiz session so stats need no join.
    learner_id: Mapped[int] = mapped_column(ForeignKey("learners.id", ondelete="CASCADE"))
    question_id: Mapped[str] = mapped_column(String(100))
    topic: Mapped[str] = mapped_column(String(100))
    answer_given: Mapped[str] = mapped_column(Text)
    correct: Mapped[bool] = mapped_column(Boolean)
    seconds: Mapped[float] = mapped_column(Float)
    answered_at: Mapped[datetime] = mapped_column(DateTime)
    # Revision 0004: a stable id, so copying records to a class database is idempotent.
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
    # Revision 0004: what the learner saw (NULL for older attempts).
    prompt: Mapped[str | None] = mapped_column(Text)
    choices: Mapped[list[str] | None] = mapped_column(JSON)  # in the order shown
    drawn_values: Mapped[dict[str, Any] | None] = mapped_column(JSON)  # computed questions
    expected: Mapped[str | None] = mapped_column(Text)  # the right answer as shown

    __table_args__ = (
        Index("ix_attempts_quiz", "quiz_id"),
        Index("ix_attempts_learner_topic", "learner_id", "topic", "id", "correct"),
        Index("ix_attempts_learner_correct", "learner_id", "correct", "id"),
        Index("ix_attempts_learner_time", "learner_id", "answered_at"),
    )


class DailyCountRow(Base):
    """Revision 0003: answers per learner, local day and topic (kept by record_attempt)."""

    __tablename__ = "daily_counts"

    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True
    )
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    topic: Mapped[str] = mapped_column(String(100), primary_key=True)
    attempts: Mapped[int] = mapped_column(Integer)
    correct: Mapped[int] = mapped_column(Integer)


class ReviewStateRow(Base):
    __tablename__ = "review_states"

    learner_id: Mapped[int] = mapped_column(
        ForeignKey("learners.id", ondelete="CASCADE"), primary_key=True
    )
    question_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    topic: Mapped[str] = mapped_column(String(100))
    card: Mapped[dict[str, Any]] = mapped_column(JSON)  # fsrs Card.to_dict()
    due: Mapped[datetime] = mapped_column(DateTime)
    reps: Mapped[int] = mapped_column(Integer, default=0)
    lapses: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime)

    __table_args__ = (Index("ix_review_states_learner_due", "learner_id", "due"),)


class LabRunRow(Base):
    __tablename__ = "lab_runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    learner_id: Mapped[int | None] = mapped_column(ForeignKey("learners.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, index=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSON)
    source: Mapped[str] = mapped_column(Text)
    metrics: Mapped[dict[str, Any]] = mapped_column(JSON)
    history: Mapped[list[Any]] = mapped_column(JSON)
    duration_s: Mapped[float] = mapped_column(Float)
    cancelled: Mapped[bool] = mapped_column(Boolean)
    # Revision 0004: a stable id, so copying records to a class database is idempotent.
    uid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uid)
