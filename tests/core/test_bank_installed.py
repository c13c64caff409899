"""The installed bank (questions/*.yaml): valid, unique ids, and every numeric answer proven."""

from __future__ import annotations

import pytest

from kviz.bank.generators import run_generator
from kviz.bank.loader import check_files, load_bank
from kviz.bank.schema import LETTERS
from questions import bank_files

FILES = bank_files()
TOPICS = {
    "filters",
    "kernel_size",
    "cross_entropy",
    "dropout",
    "normalization",
    "pooling_shapes",
    "keras_api",
    "keras_vs_pytorch",
    "accuracy_efficiency",
}


def test_the_bank_has_files():
    assert FILES, "questions/ holds no topic file"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_file_is_valid(path):
    assert [str(p) for p in check_files([path])] == []
    assert path.stem in TOPICS


@pytest.fixture(scope="module")
def bank():
    return load_bank()


def test_ids_are_unique_over_the_bank(bank):
    ids = [e.question.id for e in bank.entries]
    assert len(ids) == len(set(ids))


def test_numeric_checks_recompute_the_answers(bank):
    numeric = [e.question for e in bank.entries if e.question.type == "numeric"]
    for q in numeric:
        got = run_generator(q.check.generator, q.check.params)["answer"]
        assert abs(got - q.answer) <= q.tolerance + 1e-9, q.id


def test_choice_questions_have_the_right_number_of_answers(bank):
    for e in bank.entries:
        q = e.question
        if q.type == "single":
            assert isinstance(q.answer, str) and q.answer in LETTERS[: len(q.choices)], q.id
        elif q.type == "multiple":
            assert 1 <= len(set(q.answer)) == len(q.answer), q.id
            assert all(a in LETTERS[: len(q.choices)] for a in q.answer), q.id
