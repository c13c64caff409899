"""QuizItem: one question ready to show, with this draw's numbers and display order fixed.

The item also carries its answer key (in display terms), so grading needs nothing else and
a GUI can show, grade and record a question from the item alone.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kviz.bank.generators import run_generator
from kviz.bank.loader import BankEntry
from kviz.bank.schema import LETTERS, MultipleQuestion, SingleQuestion
from kviz.bank.templates import draw_params, format_number, render


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


def _choice_key(q: SingleQuestion | MultipleQuestion, rng: random.Random) -> AnswerKey:
    order = list(range(len(q.choices)))
    if q.shuffle:
        rng.shuffle(order)
    correct = frozenset(order.index(i) for i in q.correct)
    expected = "; ".join(f"{LETTERS[d]}) {q.choices[order[d]]}" for d in sorted(correct))
    return AnswerKey(correct=correct, choice_order=tuple(order), expected=expected)


def make_item(entry: BankEntry, rng: random.Random) -> QuizItem:
    """Draw a computed question's numbers and shuffle choices, once, for one showing."""
    q = entry.question
    prompt, explanation = q.prompt, q.explanation
    choices: tuple[str, ...] = ()
    unit = getattr(q, "unit", None)
    values: dict[str, Any] = {}
    if isinstance(q, SingleQuestion | MultipleQuestion):
        key = _choice_key(q, rng)
        choices = tuple(q.choices[i] for i in key.choice_order)
    elif q.type == "truefalse":
        key = AnswerKey(flag=q.answer, expected=str(q.answer).lower())
    elif q.type == "numeric":
        key = AnswerKey(number=float(q.answer), tolerance=float(q.tolerance))
    elif q.type == "text":
        key = AnswerKey(texts=q.answer, expected=q.answer[0])
    else:
        values = run_generator(q.generator, draw_params(q.spec(), rng), rng)
        prompt, explanation = render(prompt, values), render(explanation, values)
        key = AnswerKey(number=float(values["answer"]), tolerance=float(q.tolerance))
    if key.number is not None:
        shown = format_number(key.number)
        key = AnswerKey(
            number=key.number,
            tolerance=key.tolerance,
            expected=f"{shown} {unit}" if unit else shown,
        )
    return QuizItem(
        question_id=q.id,
        topic=entry.topic,
        type=q.type,
        difficulty=q.difficulty,
        prompt=prompt,
        choices=choices,
        unit=unit,
        values=values,
        lab=q.lab,
        explanation=explanation,
        key=key,
    )
