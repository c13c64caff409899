"""Fixtures for the Qt tests: a fresh database with one learner, and the app state over it."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


@pytest.fixture
def db(tmp_path):
    """A fresh learner database in the test's folder."""
    from kviz.store.database import open_database

    database = open_database(str(tmp_path / "kviz.db"))
    yield database
    database.close()


@pytest.fixture
def learner(db):
    from kviz.store.records import get_or_create_learner

    return get_or_create_learner(db, "Ana")


@pytest.fixture
def state(qapp, db, learner, mnist_dir_or_none):
    """AppState with the learner chosen; its workers are stopped after the test."""
    from kviz.ui.state import AppState

    app_state = AppState(db, mnist_dir_or_none)
    app_state.set_learner(learner)
    yield app_state
    app_state.workers.stop_all()


@pytest.fixture
def mnist_dir_or_none(request):
    """The real MNIST folder when a test asks for it through `mnist_dir`, else None."""
    if "mnist_dir" in request.fixturenames:
        return request.getfixturevalue("mnist_dir")
    return None
