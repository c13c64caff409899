"""QuizItem: one question ready to show, with this draw's numbers and display order fixed.

The item also carries its answer key (in display terms), so grading needs nothing else and
a GUI can show, grade and record a question from the item alone.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kviz.bank.loader import BankEntry


@dataclass(frozen=True)
class AnswerKey:
    """What counts as right, in the item's display order."""

    correct: frozenset[int] = frozenset()  # single/multiple: display indices
    flag: bool | None = None  # truefalse
    number: float | None = None  # numeric/computed
    tolerance: float = 0.0
    texts: tuple[str, ...] = ()  # text: accepted answers as written in the bank
    choice_order: tuple[int, ...] = ()  # display index -> index in the bank's list
    expected: str = ""  # the right answer as shown to the learner


@dataclass(frozen=True)
class QuizItem:
    question_id: str
    topic: str
    type: str  # single|multiple|truefalse|numeric|text|computed
    difficulty: int
    prompt: str  # computed: with this draw's numbers filled in
    choices: tuple[str, ...]  # single/multiple, in display order; () otherwise
    unit: str | None  # numeric/computed
    values: Mapping[str, Any] = field(hash=False)  # computed: drawn and derived numbers
    lab: str | None  # the lab that demonstrates it, e.g. "reference", "sweep:filters"
    explanation: str  # shown after answering (computed: numbers filled in)
    key: AnswerKey = field(repr=False)


def make_item(entry: BankEntry, rng: random.Random) -> QuizItem:
    """Draw a computed question's numbers and shuffle choices, once, for one showing."""
    # The registry builds on AnswerKey and QuizItem, so it is imported here, not at the top.
    from kviz.quiz.types import question_type

    q = entry.question
    drawn = question_type(q.type).draw(q, rng)
    return QuizItem(
        question_id=q.id,
        topic=entry.topic,
        type=q.type,
        difficulty=q.difficulty,
        prompt=drawn.prompt,
        choices=drawn.choices,
        unit=getattr(q, "unit", None),
        values=dict(drawn.values),
        lab=q.lab,
        explanation=drawn.explanation,
        key=drawn.key,
    )
