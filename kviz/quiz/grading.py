"""Grading one answer against its item's key, with the explanation to show either way."""

from __future__ import annotations

from dataclasses import dataclass

from kviz.quiz.answers import Answer, normalize_text
from kviz.quiz.items import QuizItem


@dataclass(frozen=True)
class Feedback:
    correct: bool
    expected: str  # the right answer as shown to the learner
    explanation: str


def is_correct(item: QuizItem, answer: Answer) -> bool:
    """True when the answer matches the key (numbers within the tolerance)."""
    key = item.key
    if item.type in ("single", "multiple"):
        return answer.choices == key.correct
    if item.type == "truefalse":
        return answer.flag is key.flag
    if item.type in ("numeric", "computed"):
        if answer.number is None or key.number is None:
            return False
        slack = key.tolerance + 1e-9 * max(1.0, abs(key.number))
        return abs(answer.number - key.number) <= slack
    if item.type == "text":
        return answer.text in {normalize_text(t) for t in key.texts}
    raise ValueError(f"unknown question type {item.type!r}")


def grade(item: QuizItem, answer: Answer) -> Feedback:
    """Right or wrong, the right answer, and why."""
    return Feedback(is_correct(item, answer), item.key.expected, item.explanation)
