"""Grading one answer against its item's key, with the explanation to show either way."""

from __future__ import annotations

from dataclasses import dataclass

from kviz.quiz.answers import Answer
from kviz.quiz.items import QuizItem
from kviz.quiz.types import question_type


@dataclass(frozen=True)
class Feedback:
    correct: bool
    expected: str  # the right answer as shown to the learner
    explanation: str


def is_correct(item: QuizItem, answer: Answer) -> bool:
    """True when the answer matches the key (numbers within the tolerance)."""
    return question_type(item.type).is_correct(item, answer)


def grade(item: QuizItem, answer: Answer) -> Feedback:
    """Right or wrong, the right answer, and why."""
    return Feedback(is_correct(item, answer), item.key.expected, item.explanation)
