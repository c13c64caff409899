"""The adaptive "smart quiz": what a learner most needs next, from their own history.

Order of preference, each a tie-breaker for the one before (so every rule is visible in a
drawn quiz, not lost in a weighted sum):
1. questions answered right in the last HOLD_BACK are held back (asked only if nothing else);
2. questions never seen come first;
3. then the weakest topics (mastery rounded to a tenth, so noise does not reorder topics);
4. then the least recently seen;
5. then the difficulty closest to the learner's level in that topic (1 at no mastery, 3 at
   full mastery), so difficulty rises as a topic is mastered;
6. then a seeded random draw.
At most one question of each `same_fact` group is drawn.
"""

from __future__ import annotations

import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from kviz.bank.loader import Bank, BankEntry
from kviz.quiz.engine import QuizError, one_per_fact
from kviz.quiz.items import QuizItem, make_item

HOLD_BACK = timedelta(days=3)
UNKNOWN_MASTERY = 0.5  # a topic with no attempts yet sits between weak and strong


@dataclass(frozen=True)
class Seen:
    """The learner's last answer to one question."""

    at: datetime  # aware UTC
    correct: bool


def target_difficulty(mastery: float | None) -> float:
    """The difficulty that fits a topic's mastery: 1 at 0%, 2 at 50%, 3 at 100%."""
    return 1 + 2 * (UNKNOWN_MASTERY if mastery is None else mastery)


def build_smart_quiz(
    bank: Bank,
    seen: Mapping[str, Seen],
    mastery: Mapping[str, float | None],
    *,
    now: datetime,
    topics: Sequence[str] | None = None,
    count: int = 10,
    seed: int | None = None,
) -> list[QuizItem]:
    """Up to `count` questions for this learner (see the module docstring for the order)."""
    if count < 1:
        raise QuizError("count must be at least 1")
    pool = [e for e in bank.entries if not topics or e.topic in topics]
    if not pool:
        raise QuizError("no question matches these topics")
    rng = random.Random(seed)
    jitter = {e.question.id: rng.random() for e in pool}
    oldest = datetime.min.replace(tzinfo=now.tzinfo)

    def key(e: BankEntry) -> tuple[bool, bool, float, datetime, float, float]:
        last = seen.get(e.question.id)
        topic_mastery = mastery.get(e.topic)
        held_back = last is not None and last.correct and now - last.at < HOLD_BACK
        weakness = round(UNKNOWN_MASTERY if topic_mastery is None else topic_mastery, 1)
        fit = abs(e.question.difficulty - target_difficulty(topic_mastery))
        return (
            held_back,
            last is not None,
            weakness,
            last.at if last else oldest,
            fit,
            jitter[e.question.id],
        )

    ordered = one_per_fact(sorted(pool, key=key))
    return [make_item(e, rng) for e in ordered[:count]]
