"""The question-type registry: everything about one type of question in one class.

Each class holds its bank schema (the pydantic model in kviz.bank.schema), how its key is
drawn for one showing, how a typed answer is read, how it is graded, the hint shown when the
input does not fit, and the kind of input widget the Qt layer builds for it (kviz.ui looks
the widget class up by `widget`). The quiz core (make_item, parse_answer, grading), the CLI
and the Qt layer dispatch through `question_type(name)`, so an unknown type fails the same
way everywhere. Adding a type: one schema model, one class here, and its widget kind.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

from kviz.bank.generators import run_generator
from kviz.bank.schema import (
    LETTERS,
    ComputedQuestion,
    MultipleQuestion,
    NumericQuestion,
    SingleQuestion,
    TextQuestion,
    TrueFalseQuestion,
    unknown_type_message,
)
from kviz.bank.templates import draw_params, format_number, render
from kviz.quiz.answers import (
    FALSE_WORDS,
    MAX_TEXT,
    TRUE_WORDS,
    Answer,
    AnswerFormatError,
    normalize_text,
    read_letters,
    read_number,
)
from kviz.quiz.items import AnswerKey, QuizItem

Widget = Literal["choices", "truefalse", "number", "text"]


class UnknownQuestionType(ValueError):
    """A type name no class in TYPES answers to."""


@dataclass(frozen=True)
class Drawn:
    """One showing of a question: its key, choices in display order and rendered texts."""

    key: AnswerKey
    prompt: str
    explanation: str
    choices: tuple[str, ...] = ()
    values: Mapping[str, Any] = field(default_factory=dict)


class QuestionType:
    """The interface every type implements (see the module docstring)."""

    name: ClassVar[str]
    schema: ClassVar[type[Any]]
    widget: ClassVar[Widget]
    instructions: ClassVar[str]  # the app's line under the question: what to do, which keys

    def draw(self, q: Any, rng: random.Random) -> Drawn:
        raise NotImplementedError

    def parse(self, item: QuizItem, text: str) -> Answer:
        raise NotImplementedError

    def is_correct(self, item: QuizItem, answer: Answer) -> bool:
        raise NotImplementedError

    def hint(self, item: QuizItem) -> str:
        """What to type, in a few words (the CLI shows it under each question)."""
        raise NotImplementedError

    def pick_hint(self) -> str:
        """What to do when nothing was picked or typed yet."""
        return "type an answer"


class _Choices(QuestionType):
    widget = "choices"
    multiple: ClassVar[bool]

    def draw(self, q: Any, rng: random.Random) -> Drawn:
        order = list(range(len(q.choices)))
        if q.shuffle:
            rng.shuffle(order)
        correct = frozenset(order.index(i) for i in q.correct)
        expected = "; ".join(f"{LETTERS[d]}) {q.choices[order[d]]}" for d in sorted(correct))
        key = AnswerKey(correct=correct, choice_order=tuple(order), expected=expected)
        choices = tuple(q.choices[i] for i in order)
        return Drawn(key, q.prompt, q.explanation, choices)

    def parse(self, item: QuizItem, text: str) -> Answer:
        picked = read_letters(item, text)
        if not self.multiple and len(picked) != 1:
            raise AnswerFormatError("pick exactly one letter")
        chosen = frozenset(picked)
        bank = sorted(item.key.choice_order[d] for d in chosen)
        return Answer(text, ",".join(LETTERS[i] for i in bank), choices=chosen)

    def is_correct(self, item: QuizItem, answer: Answer) -> bool:
        return answer.choices == item.key.correct

    def pick_hint(self) -> str:
        return "pick an option first" if not self.multiple else "pick at least one option"


class Single(_Choices):
    name = "single"
    schema = SingleQuestion
    instructions = "Choose one answer (keys 1-9 or A-E), then Enter."
    multiple = False

    def hint(self, item: QuizItem) -> str:
        return "one letter"


class Multiple(_Choices):
    name = "multiple"
    schema = MultipleQuestion
    instructions = "Choose every right answer (keys toggle), then Enter."
    multiple = True

    def hint(self, item: QuizItem) -> str:
        return "letters, e.g. a,c"


class TrueFalse(QuestionType):
    name = "truefalse"
    schema = TrueFalseQuestion
    instructions = "True or false? (T / F, or 1 / 2), then Enter."
    widget = "truefalse"

    def draw(self, q: Any, rng: random.Random) -> Drawn:
        key = AnswerKey(flag=q.answer, expected=str(q.answer).lower())
        return Drawn(key, q.prompt, q.explanation)

    def parse(self, item: QuizItem, text: str) -> Answer:
        word = text.lower()
        if word not in TRUE_WORDS | FALSE_WORDS:
            raise AnswerFormatError("answer true or false (t/f, yes/no)")
        flag = word in TRUE_WORDS
        return Answer(text, str(flag).lower(), flag=flag)

    def is_correct(self, item: QuizItem, answer: Answer) -> bool:
        return answer.flag is item.key.flag

    def hint(self, item: QuizItem) -> str:
        return "true or false"

    def pick_hint(self) -> str:
        return "pick true or false first"


class _Number(QuestionType):
    widget = "number"

    def _key(self, number: float, tolerance: float, unit: str | None) -> AnswerKey:
        shown = format_number(number)
        expected = f"{shown} {unit}" if unit else shown
        return AnswerKey(number=number, tolerance=tolerance, expected=expected)

    def parse(self, item: QuizItem, text: str) -> Answer:
        value = read_number(item, text)
        canonical = format_number(value) if value.is_integer() else repr(value)
        return Answer(text, canonical, number=value)

    def is_correct(self, item: QuizItem, answer: Answer) -> bool:
        key = item.key
        if answer.number is None or key.number is None:
            return False
        slack = key.tolerance + 1e-9 * max(1.0, abs(key.number))
        return abs(answer.number - key.number) <= slack

    def hint(self, item: QuizItem) -> str:
        return "a number" + (f" ({item.unit})" if item.unit else "")


class Numeric(_Number):
    name = "numeric"
    schema = NumericQuestion
    instructions = "Type a number, then Enter."

    def draw(self, q: Any, rng: random.Random) -> Drawn:
        key = self._key(float(q.answer), float(q.tolerance), q.unit)
        return Drawn(key, q.prompt, q.explanation)


class Computed(_Number):
    name = "computed"
    schema = ComputedQuestion
    instructions = "Work it out with these numbers, type the result, then Enter."

    def draw(self, q: Any, rng: random.Random) -> Drawn:
        values = run_generator(q.generator, draw_params(q.spec(), rng), rng)
        key = self._key(float(values["answer"]), float(q.tolerance), q.unit)
        return Drawn(key, render(q.prompt, values), render(q.explanation, values), (), values)


class Text(QuestionType):
    name = "text"
    schema = TextQuestion
    instructions = "Type a word or two, then Enter."
    widget = "text"

    def draw(self, q: Any, rng: random.Random) -> Drawn:
        return Drawn(AnswerKey(texts=q.answer, expected=q.answer[0]), q.prompt, q.explanation)

    def parse(self, item: QuizItem, text: str) -> Answer:
        if len(text) > MAX_TEXT:
            raise AnswerFormatError(f"keep the answer under {MAX_TEXT} characters")
        norm = normalize_text(text)
        if not norm:
            raise AnswerFormatError("type a word or phrase")
        return Answer(text, text, text=norm)

    def is_correct(self, item: QuizItem, answer: Answer) -> bool:
        return answer.text in {normalize_text(t) for t in item.key.texts}

    def hint(self, item: QuizItem) -> str:
        return "a word or short phrase"


TYPES: dict[str, QuestionType] = {
    t.name: t for t in (Single(), Multiple(), TrueFalse(), Numeric(), Text(), Computed())
}


def question_type(name: str) -> QuestionType:
    """The class of type `name`; UnknownQuestionType (the bank's wording) for any other."""
    try:
        return TYPES[name]
    except KeyError:
        raise UnknownQuestionType(unknown_type_message(name)) from None
