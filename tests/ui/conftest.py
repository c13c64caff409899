"""Fixtures for the Qt tests: app state over a fresh database with one learner chosen."""

from __future__ import annotations

import pytest


@pytest.fixture
def db_path(tmp_path):
    return str(tmp_path / "kviz.db")


@pytest.fixture
def state(qapp, db_path, request):
    """AppState over a fresh database, learner "Ana" chosen; workers stopped after the test.

    MNIST comes from the `mnist_dir` fixture when the test asks for it.
    """
    from kviz.store.records import get_or_create_learner
    from kviz.ui.state import AppState

    mnist = request.getfixturevalue("mnist_dir") if "mnist_dir" in request.fixturenames else None
    app_state = AppState(db_path, mnist)
    assert app_state.open_database()
    app_state.set_learner(get_or_create_learner(app_state.db, "Ana"))
    yield app_state
    app_state.close()


@pytest.fixture
def learner(state):
    return state.learner
