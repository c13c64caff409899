"""The units of work on the learner records: each function is one short transaction.

Every answer is committed by `record_attempt` when it is given, so a killed process loses
no answered question. Callers get frozen dataclasses (kviz.store.views), never ORM rows.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from datetime import date, datetime, timedelta
from typing import Any, cast

from sqlalchemy import Integer, Table, bindparam, func, insert, select, update
from sqlalchemy.orm import Session

from kviz.quiz.grading import Feedback
from kviz.quiz.items import QuizItem
from kviz.quiz.scheduling import is_lapse, review
from kviz.quiz.scoring import TopicScore
from kviz.store import postgres
from kviz.store.convert import aware, learner_view, stored, utcnow
from kviz.store.database import Database
from kviz.store.models import (
    AttemptRow,
    DailyCountRow,
    LearnerRow,
    QuizSessionRow,
    ReviewStateRow,
    new_uid,
)
from kviz.store.names import MAX_NAME, clean_name, name_key
from kviz.store.stats import learner_stats
from kviz.store.views import Learner, QuizSummary

__all__ = [
    "attempts_per_day",
    "due_question_ids",
    "finish_quiz",
    "find_learner",
    "get_or_create_learner",
    "last_learner",
    "learner_stats",
    "list_learners",
    "next_due",
    "record_attempt",
    "recent_quizzes",
    "start_quiz",
]

MODES = ("quiz", "review", "experiment")


def _same_learner(s: Session, name: str) -> LearnerRow | None:
    row = s.scalar(select(LearnerRow).where(LearnerRow.name == name))
    if row is None:  # "Ann" and "ann", NFC and NFD, or a name stored before names were cleaned
        key = name_key(name)
        row = next((r for r in s.scalars(select(LearnerRow)) if name_key(r.name) == key), None)
    return row


def find_learner(db: Database, name: str) -> Learner | None:
    """The learner of that name (same letters, any case or Unicode form), or None."""
    wanted = name_key(name)
    return next((x for x in list_learners(db) if name_key(x.name) == wanted), None)


def get_or_create_learner(db: Database, name: str) -> Learner:
    """The learner of that name (created on first use), marked as the last one used."""
    name = clean_name(name)
    if not name or len(name) > MAX_NAME:
        raise ValueError(f"a learner name is 1 to {MAX_NAME} characters")
    now = utcnow()
    with db.session() as s:
        row = _same_learner(s, name)
        if row is None:
            row = LearnerRow(name=name, created_at=now, last_used_at=now)
            s.add(row)
        row.last_used_at = now
        s.flush()
        return learner_view(row)


def last_learner(db: Database) -> Learner | None:
    """The learner used most recently, if any."""
    with db.session() as s:
        row = s.scalar(select(LearnerRow).order_by(LearnerRow.last_used_at.desc()).limit(1))
        return learner_view(row) if row else None


def list_learners(db: Database) -> list[Learner]:
    with db.session() as s:
        return [learner_view(r) for r in s.scalars(select(LearnerRow).order_by(LearnerRow.name))]


def start_quiz(
    db: Database, learner_id: int, mode: str, topics: Sequence[str], planned: int | None = None
) -> int:
    """A new quiz session (mode "quiz" or "review") of `planned` questions; returns its id."""
    if mode not in MODES:
        raise ValueError(f"mode must be one of {MODES}")
    now = utcnow()
    with db.session() as s:
        learner = s.get(LearnerRow, learner_id)
        if learner is None:
            raise ValueError(f"no learner with id {learner_id}")
        learner.last_used_at = now
        row = QuizSessionRow(
            learner_id=learner_id, mode=mode, topics=list(topics), started_at=now, planned=planned
        )
        s.add(row)
        s.flush()
        return row.id


# record_attempt runs once per answer: its statements are built once, with bound parameters,
# so SQLAlchemy reuses their compiled form (a few milliseconds per answer at 100,000 rows).
# (Declarative classes type __table__ as any FromClause; these are plain Tables.)
_ATTEMPTS = cast(Table, AttemptRow.__table__)
_DAILY = cast(Table, DailyCountRow.__table__)
_REVIEW = cast(Table, ReviewStateRow.__table__)
_QUIZ_LEARNER = select(QuizSessionRow.__table__.c.learner_id).where(
    QuizSessionRow.__table__.c.id == bindparam("b_quiz")
)
_INSERT_ATTEMPT = insert(_ATTEMPTS)
_DAY_KEY = (
    (_DAILY.c.learner_id == bindparam("b_learner"))
    & (_DAILY.c.day == bindparam("b_day"))
    & (_DAILY.c.topic == bindparam("b_topic"))
)
_BUMP_DAY = (
    update(_DAILY)
    .where(_DAY_KEY)
    .values(attempts=_DAILY.c.attempts + 1, correct=_DAILY.c.correct + bindparam("b_correct"))
)
_INSERT_DAY = insert(_DAILY)
_REVIEW_KEY = (_REVIEW.c.learner_id == bindparam("b_learner")) & (
    _REVIEW.c.question_id == bindparam("b_question")
)
_GET_REVIEW = select(_REVIEW.c.card, _REVIEW.c.lapses).where(_REVIEW_KEY)
_INSERT_REVIEW = insert(_REVIEW)
_UPDATE_REVIEW = update(_REVIEW).where(_REVIEW_KEY).values(reps=_REVIEW.c.reps + 1)


def record_attempt(
    db: Database,
    quiz_id: int,
    item: QuizItem,
    answer_text: str,
    feedback: Feedback,
    seconds: float,
    when: datetime | None = None,
    uid: str | None = None,
    schedule: bool = True,
) -> None:
    """Store one answer with what was shown, count it for its day and move its FSRS state.

    All in one transaction, committed before returning: a crash right after loses nothing.
    `uid` is the attempt's stable id (a new one unless given, e.g. when copying records).
    `schedule=False` leaves review alone: a question about one set of lab runs is not
    asked again.
    """
    now = stored(when)
    correct = bool(feedback.correct)
    with db.session() as s:
        conn = s.connection()
        learner_id = conn.execute(_QUIZ_LEARNER, {"b_quiz": quiz_id}).scalar()
        if learner_id is None:
            raise ValueError(f"no quiz session with id {quiz_id}")
        conn.execute(
            _INSERT_ATTEMPT,
            {
                "quiz_id": quiz_id,
                "learner_id": learner_id,
                "question_id": item.question_id,
                "topic": item.topic,
                "answer_given": answer_text,
                "correct": correct,
                "seconds": max(0.0, float(seconds)),
                "answered_at": now,
                "uid": uid or new_uid(),
                "prompt": item.prompt,
                "choices": list(item.choices) or None,
                "drawn_values": _shown_values(item.values),
                "expected": item.key.expected,
            },
        )
        day = {"b_learner": learner_id, "b_day": aware(now).astimezone().date()}
        day |= {"b_topic": item.topic, "b_correct": int(correct)}
        if conn.dialect.name == "postgresql":  # a class database: upserts, no lost update
            postgres.bump_day(conn, learner_id, day["b_day"], item.topic, int(correct))
            if not schedule:
                return
            # FOR UPDATE: a second window answering the same question waits for this one.
            key = {"b_learner": learner_id, "b_question": item.question_id}
            prev = conn.execute(_GET_REVIEW.with_for_update(), key).first()
            card, due = review(prev.card if prev else None, correct, aware(now))
            values = {"topic": item.topic, "card": card, "due": stored(due), "updated_at": now}
            lapse = int(prev is not None and is_lapse(prev.card, correct))
            postgres.upsert_review(
                conn, {"learner_id": learner_id, "question_id": item.question_id, **values}, lapse
            )
            return
        if conn.execute(_BUMP_DAY, day).rowcount == 0:
            conn.execute(
                _INSERT_DAY,
                {
                    "learner_id": learner_id,
                    "day": day["b_day"],
                    "topic": item.topic,
                    "attempts": 1,
                    "correct": int(correct),
                },
            )
        if not schedule:
            return
        key = {"b_learner": learner_id, "b_question": item.question_id}
        old = conn.execute(_GET_REVIEW, key).first()
        card, due = review(old.card if old else None, correct, aware(now))
        values = {"topic": item.topic, "card": card, "due": stored(due), "updated_at": now}
        if old is None:
            conn.execute(
                _INSERT_REVIEW,
                {"learner_id": learner_id, "question_id": item.question_id, "reps": 1}
                | {"lapses": 0, **values},
            )
        else:
            lapses = old.lapses + int(is_lapse(old.card, correct))
            conn.execute(_UPDATE_REVIEW, key | {"lapses": lapses, **values})


def _summaries(s: Session, rows: Sequence[QuizSessionRow]) -> list[QuizSummary]:
    ids = [r.id for r in rows]
    grouped = s.execute(
        select(
            AttemptRow.quiz_id,
            AttemptRow.topic,
            func.count(),
            func.sum(AttemptRow.correct.cast(Integer)),  # PostgreSQL has no sum(boolean)
            func.sum(AttemptRow.seconds),
        )
        .where(AttemptRow.quiz_id.in_(ids))
        .group_by(AttemptRow.quiz_id, AttemptRow.topic)
        .order_by(AttemptRow.quiz_id, func.min(AttemptRow.id))
    ).all()
    per: dict[int, list[tuple[str, int, int, float]]] = {i: [] for i in ids}
    for quiz_id, topic, n, right, secs in grouped:
        per[quiz_id].append((topic, n, int(right or 0), float(secs or 0)))
    out = []
    for r in rows:
        parts = per[r.id]
        out.append(
            QuizSummary(
                quiz_id=r.id,
                learner_id=r.learner_id,
                mode=r.mode,
                topics=tuple(r.topics),
                started_at=aware(r.started_at),
                finished_at=aware(r.finished_at) if r.finished_at else None,
                correct=sum(p[2] for p in parts),
                total=sum(p[1] for p in parts),
                seconds=sum(p[3] for p in parts),
                per_topic=tuple(TopicScore(t, right, n) for t, n, right, _ in parts),
                planned=r.planned,
            )
        )
    return out


def finish_quiz(db: Database, quiz_id: int) -> QuizSummary:
    """Close the quiz; its score overall and per topic.

    A quiz closed with no answer is deleted, not kept as an empty session (its summary is
    still returned, with total 0); one closed with fewer answers than planned reads as left early.
    """
    with db.session() as s:
        row = s.get(QuizSessionRow, quiz_id)
        if row is None:
            raise ValueError(f"no quiz session with id {quiz_id}")
        answered = s.scalar(select(func.count()).where(AttemptRow.quiz_id == quiz_id))
        if not answered:
            row.finished_at = row.finished_at or utcnow()
            s.flush()
            summary = _summaries(s, [row])[0]
            s.delete(row)
            return summary
        if row.finished_at is None:
            row.finished_at = utcnow()
        s.flush()
        summary = _summaries(s, [row])[0]
    db.checkpoint()
    return summary


def recent_quizzes(db: Database, learner_id: int, limit: int = 10) -> list[QuizSummary]:
    """The learner's latest quiz sessions, newest first."""
    with db.session() as s:
        rows = s.scalars(
            select(QuizSessionRow)
            .where(QuizSessionRow.learner_id == learner_id)
            .order_by(QuizSessionRow.started_at.desc(), QuizSessionRow.id.desc())
            .limit(limit)
        ).all()
        return _summaries(s, rows)


def due_question_ids(db: Database, learner_id: int, now: datetime | None = None) -> list[str]:
    """Questions due for review now, most overdue first."""
    with db.session() as s:
        return list(
            s.scalars(
                select(ReviewStateRow.question_id)
                .where(ReviewStateRow.learner_id == learner_id, ReviewStateRow.due <= stored(now))
                .order_by(ReviewStateRow.due)
            )
        )


def next_due(db: Database, learner_id: int) -> datetime | None:
    """When the next review question falls due (aware UTC), None if nothing was answered."""
    with db.session() as s:
        t = s.scalar(
            select(func.min(ReviewStateRow.due)).where(ReviewStateRow.learner_id == learner_id)
        )
        return aware(t) if t else None


def attempts_per_day(db: Database, learner_id: int, days: int = 30) -> list[tuple[date, int, int]]:
    """(local day, attempts, correct) for each of the last `days` days, oldest first."""
    today = datetime.now().astimezone().date()
    first = today - timedelta(days=days - 1)
    counts = {first + timedelta(days=i): (0, 0) for i in range(days)}
    with db.session() as s:
        rows = s.execute(
            select(
                DailyCountRow.day, func.sum(DailyCountRow.attempts), func.sum(DailyCountRow.correct)
            )
            .where(DailyCountRow.learner_id == learner_id, DailyCountRow.day >= first)
            .group_by(DailyCountRow.day)
        )
        for day, n, right in rows:
            if day in counts:
                counts[day] = (int(n), int(right))
    return [(d, n, right) for d, (n, right) in counts.items()]


def _shown_values(values: Mapping[str, Any]) -> dict[str, Any] | None:
    """A computed question's drawn numbers as plain JSON (numpy scalars become text)."""
    return json.loads(json.dumps(dict(values), default=str)) if values else None
