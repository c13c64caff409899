"""Compare: a real sweep on a small slice of MNIST saves each run the moment it ends, lists
it, says the time left, then overlays its runs and sums them up (setting against test accuracy
and fit time); Cancel stops the sweep keeping the runs already finished."""

from __future__ import annotations

import re
from types import SimpleNamespace

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
    from kviz.store.lab_runs import list_lab_runs

    compare.param.setCurrentText("filters")
    compare.values.setText("2, 4")
    saved_while_running: list[bool] = []
    state.records_changed.connect(lambda: saved_while_running.append(state.workers.busy()))
    progress_texts: list[str] = []
    on_progress = compare._on_progress

    def spy(data):
        shown = on_progress(data)
        progress_texts.append(shown[2])
        return shown

    compare._on_progress = spy
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
    assert progress_texts and all(re.search(r"Sweep ETA \d+:\d\d$", t) for t in progress_texts)
    assert any(t.startswith("Run 2 of 2") for t in progress_texts)

    # The sweep's runs are selected: one test-set line (and one dashed training line) each,
    # and the third chart is the summary of the swept setting.
    assert {r.id for r in (compare.runs[i] for i in selected_rows(compare))} == {r.id for r in runs}
    loss_ax, acc_ax, summary_ax, time_ax = compare.chart.figure.axes
    assert [line.get_label() for line in acc_ax.get_lines() if line.get_linestyle() == "-"] == [
        "filters 4, seed 1",
        "filters 2, seed 1",
    ]
    assert compare.summary is not None and compare.summary.values == ["2", "4"]
    assert [t.get_text() for t in summary_ax.get_xticklabels()] == ["2", "4"]
    accuracies = [100 * r.test_accuracy for r in runs]
    assert summary_ax.get_ylim()[0] > 0 and summary_ax.get_ylim()[0] < min(accuracies)
    assert list(time_ax.get_lines()[0].get_ydata()) == [r.duration_s for r in runs]
    assert time_ax.get_ylabel() == "fit time (s)"


def selected_rows(compare) -> list[int]:
    return sorted({i.row() for i in compare.table.selectedItems()})


def test_cancel_keeps_the_runs_already_finished(qtbot, compare, state, learner):
    from kviz.store.lab_runs import list_lab_runs

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

    from kviz.store.lab_runs import list_lab_runs
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


def run(filters: int, seed: int, accuracy: float, seconds: float, source="folder /m", **config):
    """A LabRun-like saved run, as sweep_summary reads it."""
    return SimpleNamespace(
        config={"filters": filters, "seed": seed, **config},
        test_accuracy=accuracy,
        duration_s=seconds,
        cancelled=False,
        source=source,
    )


def test_summary_groups_seeds_per_value_and_sorts_numbers():
    from kviz.ui.run_groups import sweep_summary

    summary = sweep_summary(
        [run(16, 1, 0.97, 9.0), run(4, 1, 0.90, 3.0), run(4, 2, 0.92, 5.0), run(16, 2, 0.99, 11.0)]
    )
    assert summary is not None
    assert (summary.setting, summary.label, summary.values) == (
        "filters",
        "Filters (block 1)",
        ["4", "16"],
    )
    assert [(round(m, 4), n) for m, _sd, n in summary.accuracy] == [(0.91, 2), (0.98, 2)]
    assert summary.accuracy[0][1] == pytest.approx(0.01414, abs=1e-4)
    assert summary.fit_seconds == [4.0, 10.0]


def test_no_summary_unless_exactly_one_setting_differs():
    from kviz.ui.run_groups import sweep_summary

    assert sweep_summary([run(4, 1, 0.9, 1.0), run(4, 2, 0.91, 1.0)]) is None  # seeds only
    assert sweep_summary([run(4, 1, 0.9, 1.0), run(8, 1, 0.9, 1.0, kernel=5)]) is None
    assert sweep_summary([]) is None
    from trainer.sample import SOURCE

    # a run on the offline sample is never a point of a full-MNIST sweep
    assert sweep_summary([run(4, 1, 0.9, 1.0), run(8, 1, 0.88, 1.0, source=SOURCE)]) is None
    words = sweep_summary(
        [run(4, 1, 0.9, 1.0, optimizer="sgd"), run(4, 1, 0.95, 1.0, optimizer="adam")]
    )
    assert words is not None and words.values == ["sgd", "adam"]  # sweep order kept


def event(elapsed_s: float, eta_s: float):
    from trainer.training import ProgressEvent

    return ProgressEvent("batch", 1, 1, 5, 10, 0.5, 0.8, None, None, 1000.0, elapsed_s, eta_s)


def test_sweep_eta_uses_finished_runs_then_the_running_runs_estimate():
    from kviz.ui.run_groups import sweep_eta

    # First of 3 runs: 4 s in, 6 s to go: this run's 10 s for each of the 2 after it.
    assert sweep_eta(0, 3, event(4, 6), None) == 6 + 2 * 10
    # Third of 4 runs, the first two took 30 s together: 15 s for the last one.
    assert sweep_eta(2, 4, event(1, 2), 30.0) == 2 + 15
    assert sweep_eta(3, 4, event(1, 2), 45.0) == 2  # the last run: its own ETA
