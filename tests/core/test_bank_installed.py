"""The installed bank (questions/*.yaml) passes `kviz bank check`: the loader and schema
enforce the rest (unique ids, recomputed numeric answers, answer letters, topic = file)."""

from __future__ import annotations

import pytest

from kviz.bank.loader import check_files, load_bank
from questions import bank_files

FILES = bank_files()


def test_the_bank_has_files():
    assert FILES, "questions/ holds no topic file"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_file_is_valid(path):
    assert [str(p) for p in check_files([path])] == []


def test_every_topic_file_becomes_a_topic_with_a_title():
    bank = load_bank()
    assert bank.topics == [p.stem for p in FILES]
    assert all(bank.titles[t].strip() for t in bank.topics)
