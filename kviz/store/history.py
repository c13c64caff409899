"""A learner's past answers: the answer history as shown, and the smart quiz built from it.

Read-only queries over the attempts that `records.record_attempt` wrote, apart from the
units of work that write them.
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select

from kviz.bank.loader import Bank
from kviz.quiz.items import QuizItem
from kviz.quiz.smart import Seen, build_smart_quiz
from kviz.store.convert import aware, utcnow
from kviz.store.database import Database
from kviz.store.models import AttemptRow, LearnerRow
from kviz.store.stats import learner_stats
from kviz.store.views import AttemptRecord


def smart_quiz(
    db: Database,
    bank: Bank,
    learner_id: int,
    topics: Sequence[str] | None = None,
    count: int = 10,
    seed: int | None = None,
) -> list[QuizItem]:
    """A smart quiz (kviz.quiz.smart) for this learner, from their last answers and mastery."""
    mastery = {t.topic: t.mastery for t in learner_stats(db, learner_id).topics}
    return build_smart_quiz(
        bank,
        last_answers(db, learner_id),
        mastery,
        now=aware(utcnow()),
        topics=topics,
        count=count,
        seed=seed,
    )


def last_answers(db: Database, learner_id: int) -> dict[str, Seen]:
    """Each question's last answer by this learner."""
    last_id = (
        select(func.max(AttemptRow.id))
        .where(AttemptRow.learner_id == learner_id)
        .group_by(AttemptRow.question_id)
    )
    query = select(AttemptRow.question_id, AttemptRow.answered_at, AttemptRow.correct).where(
        AttemptRow.id.in_(last_id)
    )
    with db.session() as s:
        return {qid: Seen(aware(at), bool(ok)) for qid, at, ok in s.execute(query)}


def attempt_history(
    db: Database, learner_id: int | None = None, limit: int | None = None
) -> list[AttemptRecord]:
    """Attempts, newest first (one learner's, or everyone's), with what each learner saw."""
    query = (
        select(AttemptRow, LearnerRow.name)
        .join(LearnerRow, LearnerRow.id == AttemptRow.learner_id)
        .order_by(AttemptRow.answered_at.desc(), AttemptRow.id.desc())
        .limit(limit)
    )
    if learner_id is not None:
        query = query.where(AttemptRow.learner_id == learner_id)
    with db.session() as s:
        return [
            AttemptRecord(
                uid=a.uid,
                learner=name,
                quiz_id=a.quiz_id,
                answered_at=aware(a.answered_at),
                topic=a.topic,
                question_id=a.question_id,
                answer_given=a.answer_given,
                correct=a.correct,
                seconds=a.seconds,
                prompt=a.prompt,
                choices=tuple(a.choices) if a.choices is not None else None,
                drawn_values=a.drawn_values,
                expected=a.expected,
            )
            for a, name in s.execute(query)
        ]
