"""Compare: a real sweep on a small slice of MNIST saves each run the moment it ends, lists
it, and Cancel stops the sweep keeping the runs already finished."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui

SLICE = 500


@pytest.fixture
def compare(qtbot, state, mnist_dir):
    from kviz.ui.compare_view import CompareView
    from trainer.config import LabConfig

    view = CompareView(state, lambda: LabConfig(epochs=1, train_limit=SLICE))
    qtbot.addWidget(view)
    view.show()
    view.activated()
    return view


def test_a_sweep_saves_each_run_as_it_finishes(qtbot, compare, state, learner):
    from kviz.store.records import list_lab_runs

    compare.param.setCurrentText("filters")
    compare.values.setText("2, 4")
    saved_while_running: list[bool] = []
    state.records_changed.connect(lambda: saved_while_running.append(state.workers.busy()))
    compare.start_sweep()
    assert not compare.sweep_button.isEnabled() and compare.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: compare.sweep_button.isEnabled(), timeout=240_000)
    assert compare.status.text() == "Sweep done: 2 run(s) saved."
    runs = list_lab_runs(state.db, learner.id)
    assert [r.config["filters"] for r in runs] == [2, 4]
    assert all(r.config["train_limit"] == SLICE for r in runs)
    assert saved_while_running[0] is True  # the first run was saved mid-sweep
    assert compare.table.rowCount() == 2
    assert compare.table.item(0, 4).text().endswith("%")  # the accuracy column
    assert compare.table.item(0, 2).text() == f"MNIST, {SLICE} / 10,000"


def test_cancel_keeps_the_runs_already_finished(qtbot, compare, state, learner):
    from kviz.store.records import list_lab_runs

    compare.param.setCurrentText("filters")
    compare.values.setText("2, 4, 8")
    compare.start_sweep()
    qtbot.waitUntil(lambda: len(compare.saved_run_ids) == 1, timeout=240_000)
    compare.cancel()
    assert compare.status.text() == "Cancelling…"
    qtbot.waitUntil(lambda: compare.sweep_button.isEnabled(), timeout=60_000)
    assert compare.status.text() == "Sweep done: 1 run(s) saved, 1 cancelled (not saved)."
    assert [r.config["filters"] for r in list_lab_runs(state.db, learner.id)] == [2]


def test_closing_the_window_mid_sweep_keeps_the_finished_runs(
    qtbot, mnist_dir, state, learner, monkeypatch
):
    """The close dialog says finished runs are saved: the first run of a sweep that is still
    going when the window closes is in the records afterwards."""
    from PySide6.QtWidgets import QMessageBox

    from kviz.store.records import list_lab_runs
    from kviz.ui.main_window import MainWindow

    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.Yes)
    window = MainWindow(state)
    qtbot.addWidget(window)
    build = window.view("labs").build_step
    build.epochs.setValue(1)
    build.train_limit.setValue(SLICE)
    window.go("compare")
    compare = window.view("compare")
    compare.param.setCurrentText("filters")
    compare.values.setText("2, 4, 8")
    compare.start_sweep()
    qtbot.waitUntil(lambda: len(compare.saved_run_ids) == 1, timeout=240_000)
    assert window.close()
    assert not state.workers.busy()
    assert [r.config["filters"] for r in list_lab_runs(state.db, learner.id)][:1] == [2]
