"""Spaced repetition with FSRS: review state in and out of plain JSON-ready dicts.

A wrong answer (Rating.Again) brings the question back within minutes; a right one
(Rating.Good) pushes it out by days, further each time it is right again.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any, cast

from fsrs import Card, Rating, Scheduler, State

if TYPE_CHECKING:
    from fsrs.card import CardDict

RELEARN_AFTER = timedelta(minutes=10)
# One short step: a miss comes back in 10 minutes; a first right answer graduates to days.
SCHEDULER = Scheduler(
    learning_steps=(RELEARN_AFTER,), relearning_steps=(RELEARN_AFTER,), enable_fuzzing=False
)


def _utc(when: datetime | None) -> datetime:
    if when is None:
        return datetime.now(UTC)
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def review(
    card: Mapping[str, Any] | None, correct: bool, when: datetime | None = None
) -> tuple[dict[str, Any], datetime]:
    """The card state after one answer, and when the question is due next (aware, UTC)."""
    current = (
        Card.from_dict(cast("CardDict", dict(card))) if card else Card(card_id=1, due=_utc(when))
    )
    rating = Rating.Good if correct else Rating.Again
    new, _ = SCHEDULER.review_card(current, rating, _utc(when))
    return dict(new.to_dict()), new.due


def is_lapse(card: Mapping[str, Any] | None, correct: bool) -> bool:
    """A wrong answer to a question that had been learned (in review)."""
    return card is not None and not correct and card.get("state") == State.Review.value
