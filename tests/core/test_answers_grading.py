"""Parsing and grading each question type, including shuffled choices and bad input."""

from __future__ import annotations

import random

import pytest

from kviz.quiz.answers import AnswerFormatError, normalize_text, parse_answer
from kviz.quiz.grading import grade
from kviz.quiz.items import make_item


def item_of(bank, qid, seed=0):
    return make_item(bank.get(qid), random.Random(seed))


def graded(item, raw):
    return grade(item, parse_answer(item, raw))


@pytest.mark.parametrize("seed", range(6))
def test_single_choice_letters_refer_to_the_displayed_order(bank, seed):
    item = item_of(bank, "filters-001", seed)
    right = item.choices.index("One kind of local pattern anywhere in the input")
    letter = "abc"[right]
    fb = graded(item, letter)
    assert fb.correct and fb.expected.startswith(f"{letter}) One kind")
    assert parse_answer(item, letter).canonical == "a"  # stored in the bank's letters
    wrong = "abc"[(right + 1) % 3]
    assert not graded(item, wrong).correct
    assert graded(item, letter.upper() + ")").correct


def test_single_choice_rejects_letters_not_shown_and_two_letters(bank):
    item = item_of(bank, "filters-001")
    for raw in ("d", "a,b", "", "  ", "1", "ab"):
        with pytest.raises(AnswerFormatError):
            parse_answer(item, raw)


def test_multiple_select_needs_exactly_the_right_set(bank):
    item = item_of(bank, "filters-004")  # shuffle: false, answer [a, b]
    assert item.choices[0] == "The parameters of that layer"
    for raw in ("a,b", "b, a", "a b", "ab"):
        assert graded(item, raw).correct
    assert not graded(item, "a").correct
    assert not graded(item, "a,b,c").correct
    assert parse_answer(item, "b,a").canonical == "a,b"
    with pytest.raises(AnswerFormatError):
        parse_answer(item, "a,d")


def test_true_false(bank):
    item = item_of(bank, "filters-002")  # answer false
    for raw in ("false", "F", "no", " n "):
        assert graded(item, raw).correct
    for raw in ("true", "t", "YES"):
        assert not graded(item, raw).correct
    with pytest.raises(AnswerFormatError):
        parse_answer(item, "maybe")


def test_numeric_with_tolerance_unit_and_decimal_comma(bank):
    item = item_of(bank, "filters-003")  # 80 parameters, tolerance 0
    for raw in ("80", "80.0", " 80 parameters", "8e1"):
        assert graded(item, raw).correct
    assert not graded(item, "81").correct
    assert graded(item, "80").expected == "80 parameters"
    for raw in ("eighty", "80 params", "nan", "inf", "1/2"):
        with pytest.raises(AnswerFormatError):
            parse_answer(item, raw)
    ce = item_of(bank, "filters-007")  # computed, tolerance 0.01
    exact = ce.key.number
    assert graded(ce, f"{exact + 0.009:.6f}").correct
    assert not graded(ce, f"{exact + 0.02:.6f}").correct
    assert parse_answer(ce, "0,5").number == 0.5


def test_thousands_separators_where_clear_and_asked_again_where_not(bank):
    item = item_of(bank, "filters-003")
    cases = {
        "18,496": 18496,
        "1,000": 1000,
        "1,000,000": 1_000_000,
        "-12,345.5": -12345.5,
        "0,25": 0.25,
        "2,5": 2.5,
        "0,123": 0.123,
        "3,14159": 3.14159,
    }
    for raw, value in cases.items():
        assert parse_answer(item, raw).number == value, raw
    for raw in ("1,00,0", "1.000,5", "18,49,6", "1,0000,000", ","):
        with pytest.raises(AnswerFormatError):
            parse_answer(item, raw)


def test_text_ignores_case_spaces_and_accents(bank):
    item = item_of(bank, "filters-005")  # [ReLU, rectified linear unit]
    for raw in ("relu", "ReLU", " R e L U ", "Rectified Linear Unit", "rectified-linear unit."):
        assert graded(item, raw).correct, raw
    assert not graded(item, "sigmoid").correct
    assert normalize_text("Sóftmàx") == normalize_text("soft max") == "softmax"
    with pytest.raises(AnswerFormatError):
        parse_answer(item, "---")


def test_computed_draws_fresh_numbers_and_fills_the_text(bank):
    items = [item_of(bank, "filters-006", seed) for seed in range(20)]
    assert len({i.prompt for i in items}) > 1
    for i in items:
        v = i.values
        assert f"{v['size']}x{v['size']}" in i.prompt and "{" not in i.prompt
        assert i.explanation.endswith(f"Here: {v['answer']}.")
        assert graded(i, str(v["answer"])).correct


def test_items_are_hashable_plain_data(bank):
    items = {item_of(bank, e.question.id) for e in bank.entries}
    assert len(items) == len(bank.entries)
