"""The pydantic models of a topic file: what a question of each type must say.

Validation here is the single source of truth for `kviz bank check`; anything a question
writer can get wrong should fail here with a message that names the field.
"""

from __future__ import annotations

import random
import string
from typing import Annotated, Any, Literal, get_args

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictBool,
    StrictFloat,
    StrictInt,
    field_validator,
    model_validator,
)

from kviz.bank.generators import GENERATORS, GeneratorError, run_generator
from kviz.bank.templates import TemplateError, corner_draws, draw_params, render

LETTERS = string.ascii_lowercase
ID_PATTERN = r"^[a-z0-9][a-z0-9_.-]*$"
LAB_PATTERN = r"^(reference|sweep:[a-z_]+|experiment:[a-z_]+)$"
TRIAL_DRAWS = 8  # draws a computed question is tried with when the bank is checked

Number = StrictInt | StrictFloat
Text = Annotated[str, Field(min_length=1)]


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class _Question(_Model):
    id: Annotated[str, Field(pattern=ID_PATTERN)]
    difficulty: Annotated[StrictInt, Field(ge=1, le=3)]
    prompt: Text
    explanation: Text
    tags: tuple[Text, ...] = ()
    lab: Annotated[str, Field(pattern=LAB_PATTERN)] | None = None
    # Questions that test the same fact share a group name; a quiz draws at most one of them.
    same_fact: Annotated[str, Field(pattern=ID_PATTERN)] | None = None


def _letter_index(letter: Any, n_choices: int) -> int:
    if not isinstance(letter, str) or len(letter) != 1 or letter not in LETTERS[:n_choices]:
        raise ValueError(f"answer {letter!r} is not one of the letters a..{LETTERS[n_choices - 1]}")
    return LETTERS.index(letter)


class _ChoiceQuestion(_Question):
    choices: Annotated[tuple[Text, ...], Field(min_length=2, max_length=6)]
    shuffle: StrictBool = True

    @field_validator("choices")
    @classmethod
    def _distinct(cls, v: tuple[str, ...]) -> tuple[str, ...]:
        if len({c.strip().lower() for c in v}) != len(v):
            raise ValueError("two choices say the same thing")
        return v


class SingleQuestion(_ChoiceQuestion):
    type: Literal["single"]
    answer: str

    @model_validator(mode="after")
    def _one_letter(self) -> SingleQuestion:
        _letter_index(self.answer, len(self.choices))
        return self

    @property
    def correct(self) -> frozenset[int]:
        return frozenset({LETTERS.index(self.answer)})


class MultipleQuestion(_ChoiceQuestion):
    type: Literal["multiple"]
    answer: Annotated[tuple[str, ...], Field(min_length=1)]

    @field_validator("answer", mode="before")
    @classmethod
    def _as_list(cls, v: Any) -> Any:
        return [v] if isinstance(v, str) else v

    @model_validator(mode="after")
    def _letters(self) -> MultipleQuestion:
        indices = [_letter_index(a, len(self.choices)) for a in self.answer]
        if len(set(indices)) != len(indices):
            raise ValueError("answer lists a letter twice")
        return self

    @property
    def correct(self) -> frozenset[int]:
        return frozenset(LETTERS.index(a) for a in self.answer)


class TrueFalseQuestion(_Question):
    type: Literal["truefalse"]
    answer: StrictBool


class Check(_Model):
    generator: str
    params: dict[str, Any]


class NumericQuestion(_Question):
    type: Literal["numeric"]
    answer: Number
    tolerance: Annotated[Number, Field(ge=0)] = 0
    unit: Text | None = None
    # The generator that recomputes the answer. Every built-in numeric question has one (a
    # test keeps it so); questions imported from GIFT or Moodle may not.
    check: Check | None = None

    @model_validator(mode="after")
    def _check_agrees(self) -> NumericQuestion:
        if self.check is None:
            return self
        try:
            got = run_generator(self.check.generator, self.check.params)["answer"]
        except GeneratorError as e:
            raise ValueError(f"check: {e}") from e
        if abs(got - self.answer) > self.tolerance + 1e-9:
            raise ValueError(
                f"check: {self.check.generator} gives {got:.6g}, but answer is {self.answer}"
                f" (tolerance {self.tolerance})"
            )
        return self


class TextQuestion(_Question):
    type: Literal["text"]
    answer: Annotated[tuple[Text, ...], Field(min_length=1)]

    @field_validator("answer", mode="before")
    @classmethod
    def _as_texts(cls, v: Any) -> Any:
        items = v if isinstance(v, list) else [v]
        for item in items:
            if isinstance(item, bool) or item is None:
                raise ValueError(f"{item!r} is read by YAML as a non-text value; quote it")
        return [str(i) if isinstance(i, int | float) else i for i in items]


class IntRange(_Model):
    min: StrictInt
    max: StrictInt

    @model_validator(mode="after")
    def _ordered(self) -> IntRange:
        if self.min > self.max:
            raise ValueError(f"min {self.min} is above max {self.max}")
        return self


ParamSpec = Annotated[list[Any], Field(min_length=1)] | IntRange


class ComputedQuestion(_Question):
    type: Literal["computed"]
    generator: str
    params: dict[str, ParamSpec]
    tolerance: Annotated[Number, Field(ge=0)] = 0
    unit: Text | None = None

    @field_validator("generator")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in GENERATORS:
            raise ValueError(f"unknown generator {v!r} (known: {', '.join(sorted(GENERATORS))})")
        return v

    def spec(self) -> dict[str, Any]:
        """The parameters as plain lists and {min, max} mappings for drawing."""
        return {k: p.model_dump() if isinstance(p, IntRange) else p for k, p in self.params.items()}

    @model_validator(mode="after")
    def _draws_render(self) -> ComputedQuestion:
        rng = random.Random(self.id)
        draws = corner_draws(self.spec())
        draws += [draw_params(self.spec(), rng) for _ in range(TRIAL_DRAWS)]
        for drawn in draws:
            try:
                values = run_generator(self.generator, drawn, rng)
                render(self.prompt, values)
                render(self.explanation, values)
            except (GeneratorError, TemplateError) as e:
                raise ValueError(str(e)) from e
        if self.tolerance == 0 and not GENERATORS[self.generator].integer:
            raise ValueError(f"{self.generator} gives fractions: set a tolerance above 0")
        return self


Question = Annotated[
    SingleQuestion
    | MultipleQuestion
    | TrueFalseQuestion
    | NumericQuestion
    | TextQuestion
    | ComputedQuestion,
    Field(discriminator="type"),
]


# The type names, read off the union above (kviz.quiz.types holds a class for each).
QUESTION_TYPES: tuple[str, ...] = tuple(
    get_args(m.model_fields["type"].annotation)[0] for m in get_args(get_args(Question)[0])
)


def unknown_type_message(name: object) -> str:
    """The one wording for a type no class handles (bank check, quiz core, CLI and app)."""
    return f"unknown question type {name!r} (known: {', '.join(QUESTION_TYPES)})"


class TopicHeader(_Model):
    """A topic file with its questions still unchecked: each is validated on its own."""

    topic: Annotated[str, Field(pattern=r"^[a-z][a-z0-9_]*$")]
    title: Text
    questions: Annotated[list[Any], Field(min_length=1)]
