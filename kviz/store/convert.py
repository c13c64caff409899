"""Times and rows converted between their stored form (naive UTC, ORM) and what callers get."""

from __future__ import annotations

from datetime import UTC, datetime

from kviz.store.models import LearnerRow
from kviz.store.names import clean_name
from kviz.store.views import Learner


def utcnow() -> datetime:
    """Naive UTC, the way times are stored."""
    return datetime.now(UTC).replace(tzinfo=None)


def aware(t: datetime) -> datetime:
    """A stored (naive UTC) time as an aware UTC datetime."""
    return t.replace(tzinfo=UTC)


def stored(t: datetime | None) -> datetime:
    """An aware or naive-UTC time as stored (naive UTC); None means now."""
    if t is None:
        return utcnow()
    return t.astimezone(UTC).replace(tzinfo=None) if t.tzinfo else t


def learner_view(row: LearnerRow) -> Learner:
    # clean_name: a name stored by an older Kviz may hold escapes; never hand them to a printer
    return Learner(row.id, clean_name(row.name), aware(row.created_at), aware(row.last_used_at))
