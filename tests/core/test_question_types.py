"""The question-type registry: one class per type, and one way to fail on an unknown type."""

from __future__ import annotations

import dataclasses
import random

import pytest

from kviz.bank.schema import QUESTION_TYPES, unknown_type_message
from kviz.quiz.answers import AnswerFormatError, parse_answer
from kviz.quiz.grading import grade
from kviz.quiz.items import make_item
from kviz.quiz.types import TYPES, UnknownQuestionType, question_type


def test_every_bank_type_has_one_class_whose_schema_is_that_type():
    assert set(TYPES) == set(QUESTION_TYPES) and len(TYPES) == len(QUESTION_TYPES)
    for name, kind in TYPES.items():
        assert kind.name == name
        assert kind.schema.model_fields["type"].annotation.__args__ == (name,)
        assert kind.widget in ("choices", "truefalse", "number", "text")
        assert kind.instructions.endswith("Enter.")


def test_unknown_type_fails_the_same_way_in_core_and_bank(bank):
    with pytest.raises(UnknownQuestionType) as raised:
        question_type("essay")
    assert str(raised.value) == unknown_type_message("essay")
    item = make_item(bank.entries[0], random.Random(0))
    odd = dataclasses.replace(item, type="essay")
    for call in (lambda: parse_answer(odd, "a"), lambda: grade(odd, parse_answer(item, "a"))):
        with pytest.raises(UnknownQuestionType, match="unknown question type 'essay'"):
            call()


@pytest.mark.parametrize(
    ("kind", "hint"),
    [("single", "pick an option first"), ("truefalse", "pick true or false first")],
)
def test_enter_with_nothing_picked_says_pick(bank, kind, hint):
    entry = next(e for e in bank.entries if e.question.type == kind)
    with pytest.raises(AnswerFormatError, match=hint):
        parse_answer(make_item(entry, random.Random(0)), "  ")


def test_each_type_draws_parses_and_grades_its_own_key(bank):
    right = {"single": None, "multiple": None, "truefalse": None, "numeric": None, "text": None}
    for entry in bank.entries:
        item = make_item(entry, random.Random(1))
        kind = question_type(item.type)
        if item.type in ("single", "multiple"):
            raw = ",".join("abcdef"[i] for i in sorted(item.key.correct))
        elif item.type == "truefalse":
            raw = str(item.key.flag).lower()
        elif item.type == "text":
            raw = item.key.texts[0]
        else:
            raw = item.key.expected
        assert kind.is_correct(item, kind.parse(item, raw)), (item.question_id, raw)
        right.pop(item.type, None)
    assert right == {}
