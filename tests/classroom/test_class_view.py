"""The Class screen on a real class database, and File > Connect for a learner."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, func, select

from kviz.classroom.roles import add_login, init_class
from kviz.store.database import open_database
from kviz.store.models import AttemptRow
from tests.classroom.conftest import answer_quiz, generate_class


def test_class_screen_shows_the_report(qtbot, pg_url: str) -> None:
    from kviz.ui.class_view import ClassView
    from kviz.ui.state import AppState

    init_class(pg_url)
    owner = open_database(pg_url)
    generate_class(owner, learners=6, quizzes=2)
    owner.close()
    state = AppState()
    state.class_db = open_database(add_login(pg_url, "Ms Tee", "teacher"))
    view = ClassView(state)
    qtbot.addWidget(view)
    view.activated()
    assert "6 learners, 96 answers" in view.title.text()
    assert view.mastery.rowCount() == 6
    assert view.mastery.item(0, 0).text() == "Learner 01"
    rights = [float(view.questions.item(r, 3).text().rstrip("%")) for r in range(8)]
    assert rights == sorted(rights)  # most missed first
    assert view.labs.rowCount() == 9  # 6 reference runs, 3 learners also ran filters=16
    state.class_db.close()


def test_a_learner_connecting_pushes_local_answers(qtbot, pg_url: str, tmp_path: Path) -> None:
    from kviz.store.records import get_or_create_learner
    from kviz.ui.class_view import link_class
    from kviz.ui.main_window import MainWindow
    from kviz.ui.state import AppState

    init_class(pg_url)
    login = add_login(pg_url, "Ana")
    state = AppState(str(tmp_path / "ana.db"))
    assert state.open_database()
    answer_quiz(state.db, "Ana", [True, False], seed=4)
    state.learner = get_or_create_learner(state.db, "Ana")
    window = MainWindow(state)
    qtbot.addWidget(window)
    link_class(window, login)
    assert "connected, 2 new records" in window.statusBar().currentMessage()
    engine = create_engine(pg_url)
    with engine.connect() as conn:
        assert conn.scalar(select(func.count()).select_from(AttemptRow)) == 2
    engine.dispose()
    state.class_link.close()
    state.close()
