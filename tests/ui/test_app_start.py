"""Start-up: nothing heavy before the window, first-start learner choice, database errors."""

from __future__ import annotations

import subprocess
import sys
import textwrap

import pytest

pytestmark = pytest.mark.gui


def test_window_shows_without_tensorflow_or_matplotlib(tmp_path):
    """The window comes up before Keras, matplotlib, numpy and the records core load."""
    script = textwrap.dedent(
        f"""
        import sys, time
        t0 = time.monotonic()
        from kviz.ui.app import application, create_window
        app = application()
        win = create_window({str(tmp_path / "s.db")!r}, None)
        win.show()
        heavy = [m for m in ("tensorflow", "keras", "matplotlib", "trainer.model",
                             "trainer.training", "sqlalchemy", "alembic", "numpy")
                 if m in sys.modules]
        print("HEAVY", heavy, "SECONDS", round(time.monotonic() - t0, 2), flush=True)
        win.state.close()
        """
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=120
    )
    assert "HEAVY [] SECONDS" in out.stdout, out.stdout + out.stderr


def test_first_start_asks_for_a_learner_then_remembers_it(qtbot, db_path):
    from kviz.ui.main_window import MainWindow
    from kviz.ui.state import AppState

    state = AppState(db_path)
    win = MainWindow(state)
    qtbot.addWidget(win)
    with qtbot.waitSignal(win.first_shown, timeout=5_000):
        win.show()
    qtbot.waitUntil(lambda: getattr(win, "learner_dialog", None) is not None, timeout=5_000)
    dialog = win.learner_dialog
    dialog.name.setText("Bea")
    dialog.accept()
    assert state.learner.name == "Bea"
    assert "Bea" in win.learner_label.text()
    assert "Hello, Bea" in win.view("home").greeting.text()
    state.close()

    again = MainWindow(AppState(db_path))
    qtbot.addWidget(again)
    with qtbot.waitSignal(again.first_shown, timeout=5_000):
        again.show()
    qtbot.waitUntil(lambda: again.state.learner is not None, timeout=5_000)
    assert again.state.learner.name == "Bea"
    again.state.close()


def test_corrupt_database_shows_a_dialog_and_exits_nonzero(qapp, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QMessageBox

    from kviz.ui import app

    path = tmp_path / "broken.db"
    garbage = b"this is not a database" * 100
    path.write_bytes(garbage)
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *a, **k: shown.append(a))
    assert app.main(db=str(path)) != 0
    assert shown and "Traceback" not in str(shown)
    assert path.read_bytes() == garbage


def test_warm_up_freezes_the_libraries_out_of_the_garbage_collector(qtbot, state):
    """Full collections over TensorFlow's objects stalled the window mid-training (0.1-0.5 s)."""
    import gc

    gc.unfreeze()
    state.warm_up()
    qtbot.waitUntil(lambda: "keras" in state.warmed, timeout=60_000)
    assert gc.get_freeze_count() > 100_000


def test_unusable_lock_file_is_a_dialog_that_says_what_to_do(qapp, tmp_path, monkeypatch):
    """A lock the app cannot take (here a planted symlink) names the file in the dialog."""
    from PySide6.QtWidgets import QMessageBox

    from kviz.ui import app

    target = tmp_path / "precious.txt"
    target.write_text("keep me\n")
    (tmp_path / "k.db.lock").symlink_to(target)
    shown = []
    monkeypatch.setattr(QMessageBox, "critical", lambda *a, **k: shown.append(a))
    assert app.main(db=str(tmp_path / "k.db")) != 0
    text = " ".join(str(a) for a in shown[0])
    assert "k.db.lock" in text and "symbolic link" in text and "remove it" in text
    assert target.read_text() == "keep me\n"
