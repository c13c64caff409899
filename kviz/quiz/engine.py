"""Building a quiz or a review from the bank, and the state of one quiz being answered.

QuizRun knows nothing of the database or the screen: the caller records each answer
(kviz.store.records.record_attempt) right after `submit`, so it is kept if the app dies.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from kviz.bank.loader import Bank, BankEntry
from kviz.quiz.answers import Answer
from kviz.quiz.grading import Feedback, grade
from kviz.quiz.items import QuizItem, make_item
from kviz.quiz.scoring import Score, score


class QuizError(ValueError):
    """The asked-for quiz cannot be built (unknown topic, nothing matches)."""


def build_quiz(
    bank: Bank,
    *,
    topics: Sequence[str] | None = None,
    difficulties: Iterable[int] | None = None,
    count: int = 10,
    seed: int | None = None,
) -> list[QuizItem]:
    """Up to `count` random questions of the given topics and difficulties."""
    if count < 1:
        raise QuizError("count must be at least 1")
    unknown = sorted(set(topics or ()) - set(bank.topics))
    if unknown:
        known = ", ".join(bank.topics) or "none"
        raise QuizError(f"unknown topic {', '.join(unknown)} (known: {known})")
    levels = set(difficulties) if difficulties else {1, 2, 3}
    pool = [
        e
        for e in bank.entries
        if (not topics or e.topic in topics) and e.question.difficulty in levels
    ]
    if not pool:
        raise QuizError("no question matches these topics and difficulties")
    rng = random.Random(seed)
    return [make_item(e, rng) for e in one_per_fact(rng.sample(pool, len(pool)))[:count]]


def one_per_fact(entries: Iterable[BankEntry]) -> list[BankEntry]:
    """The entries in order, less any whose `same_fact` group already came earlier."""
    seen: set[str] = set()
    kept = []
    for e in entries:
        group = e.question.same_fact
        if group is None or group not in seen:
            kept.append(e)
            if group is not None:
                seen.add(group)
    return kept


def build_review(
    bank: Bank, question_ids: Sequence[str], *, count: int | None = None, seed: int | None = None
) -> list[QuizItem]:
    """Items for the due questions, most overdue first; ids no longer in the bank are skipped."""
    rng = random.Random(seed)
    entries = [e for e in (bank.get(q) for q in question_ids) if e is not None]
    return [make_item(e, rng) for e in entries[:count]]


@dataclass(frozen=True)
class Result:
    item: QuizItem
    answer: Answer
    feedback: Feedback
    seconds: float


class QuizRun:
    """The items of one quiz, the current position and the answers so far."""

    def __init__(self, items: Sequence[QuizItem]) -> None:
        self.items = tuple(items)
        self.results: list[Result] = []

    @property
    def current(self) -> QuizItem | None:
        """The next item to answer, None when every item has been answered."""
        i = len(self.results)
        return self.items[i] if i < len(self.items) else None

    @property
    def done(self) -> bool:
        return self.current is None

    def submit(self, answer: Answer, seconds: float) -> Feedback:
        """Grade the answer to the current item and move on."""
        item = self.current
        if item is None:
            raise QuizError("the quiz is already finished")
        feedback = grade(item, answer)
        self.results.append(Result(item, answer, feedback, seconds))
        return feedback

    def score(self) -> Score:
        """Right answers so far, overall and per topic."""
        return score((r.item.topic, r.feedback.correct) for r in self.results)
