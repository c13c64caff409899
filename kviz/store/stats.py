"""A learner's mastery, trend, due counts and streaks, computed with index-only queries.

Kept fast (tens of milliseconds at 100,000 attempts, see bench/records.py) because the app
redraws its stats page after every quiz.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import and_, func, select
from sqlalchemy.orm import Session

from kviz.store.convert import aware, learner_view, stored
from kviz.store.database import Database
from kviz.store.models import AttemptRow, DailyCountRow, LearnerRow, ReviewStateRow
from kviz.store.views import LearnerStats, TopicStats

MASTERY_WINDOW = 20  # the last attempts per topic that mastery and trend look at


def _trend(recent_first: list[bool]) -> float | None:
    if len(recent_first) < 4:
        return None
    half = len(recent_first) // 2
    newer, older = recent_first[:half], recent_first[half:]
    return sum(newer) / len(newer) - sum(older) / len(older)


def _day_streak(s: Session, learner_id: int) -> int:
    """Consecutive local days with an answer, ending today (or yesterday, if not yet today)."""
    days = s.scalars(
        select(DailyCountRow.day)
        .where(DailyCountRow.learner_id == learner_id)
        .group_by(DailyCountRow.day)
        .order_by(DailyCountRow.day.desc())
    )
    today = datetime.now().astimezone().date()
    expected, streak = today, 0
    for day in days:
        if day == expected or (streak == 0 and day == today - timedelta(days=1)):
            streak += 1
            expected = day - timedelta(days=1)
        elif day < expected:
            break
    return streak


def _right_streak(s: Session, learner_id: int) -> int:
    last_wrong = s.scalar(
        select(func.max(AttemptRow.id)).where(
            AttemptRow.learner_id == learner_id, AttemptRow.correct.is_(False)
        )
    )
    return (
        s.scalar(
            select(func.count()).where(
                AttemptRow.learner_id == learner_id,
                AttemptRow.correct.is_(True),
                AttemptRow.id > (last_wrong or 0),
            )
        )
        or 0
    )


def learner_stats(db: Database, learner_id: int, now: datetime | None = None) -> LearnerStats:
    """Mastery and trend per topic, due counts, streaks and totals for one learner."""
    with db.session() as s:
        learner = s.get(LearnerRow, learner_id)
        if learner is None:
            raise ValueError(f"no learner with id {learner_id}")
        totals = s.execute(
            select(
                DailyCountRow.topic,
                func.sum(DailyCountRow.attempts),
                func.sum(DailyCountRow.correct),
            )
            .where(DailyCountRow.learner_id == learner_id)
            .group_by(DailyCountRow.topic)
        ).all()
        due = dict(
            s.execute(
                select(ReviewStateRow.topic, func.count())
                .where(
                    and_(ReviewStateRow.learner_id == learner_id, ReviewStateRow.due <= stored(now))
                )
                .group_by(ReviewStateRow.topic)
            ).all()
        )
        topics = []
        for topic in sorted({t for t, _, _ in totals} | set(due)):
            n, right = next(((n, int(r or 0)) for t, n, r in totals if t == topic), (0, 0))
            recent = list(
                s.scalars(
                    select(AttemptRow.correct)
                    .where(AttemptRow.learner_id == learner_id, AttemptRow.topic == topic)
                    .order_by(AttemptRow.id.desc())
                    .limit(MASTERY_WINDOW)
                )
            )
            mastery = sum(recent) / len(recent) if recent else None
            topics.append(
                TopicStats(topic, n, right, len(recent), mastery, _trend(recent), due.get(topic, 0))
            )
        last = s.scalar(
            select(func.max(AttemptRow.answered_at)).where(AttemptRow.learner_id == learner_id)
        )
        return LearnerStats(
            learner=learner_view(learner),
            attempts=sum(t.attempts for t in topics),
            correct=sum(t.correct for t in topics),
            topics=tuple(topics),
            due=sum(due.values()),
            day_streak=_day_streak(s, learner_id),
            right_streak=_right_streak(s, learner_id),
            last_active=aware(last) if last else None,
        )
