"""Fixtures of the core tests: a small valid bank and a fresh database per test."""

from __future__ import annotations

from pathlib import Path

import pytest

DATA = Path(__file__).resolve().parent / "data"


@pytest.fixture
def good_dir() -> Path:
    return DATA / "good"


@pytest.fixture
def bank(good_dir):
    from kviz.bank.loader import load_bank

    return load_bank([good_dir])


@pytest.fixture
def db(tmp_path):
    from kviz.store.database import open_database

    database = open_database(str(tmp_path / "kviz.db"))
    yield database
    database.close()
