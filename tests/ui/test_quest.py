"""The registry-made Build form, the Quest view running a rung, and Compare's seed error bars."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.gui


def test_form_config_dict_saved_run_config_round_trip(qtbot, state, other_values):
    from kviz.store.lab_runs import list_lab_runs, save_lab_run
    from kviz.ui.lab_steps.build_step import BuildStep
    from trainer.config import LabConfig
    from trainer.settings import SETTINGS

    build = BuildStep()
    qtbot.addWidget(build)
    assert build.read_config() == LabConfig()  # the form opens on the seed's model
    assert set(build.widgets) == {s.name for s in SETTINGS}
    wanted = LabConfig(**other_values)
    build.set_config(wanted)
    assert build.read_config() == wanted
    assert build.config == wanted and not build.problem.text()
    assert build.table.rowCount() > 8  # shift, rotate, 3 conv blocks with BN and ReLU, ...
    save_lab_run(state.db, state.learner_id, {"config": wanted.to_dict(), "history": []})
    [run] = list_lab_runs(state.db, state.learner_id)
    assert LabConfig.from_dict(run.config) == wanted


def test_build_form_refuses_a_model_that_does_not_fit(qtbot):
    from kviz.ui.lab_steps.build_step import BuildStep

    build = BuildStep()
    qtbot.addWidget(build)
    build.blocks.setValue(3)
    build.kernel3.setValue(7)
    assert build.problem.text().startswith("This setting cannot be trained: kernel3: 7")
    assert build.filters3.isEnabled()
    build.blocks.setValue(1)
    assert not build.problem.text() and not build.filters3.isEnabled()


def test_preset_fills_the_form(qtbot):
    from kviz.ui.lab_steps.build_step import BuildStep
    from trainer.presets import preset_config

    build = BuildStep()
    qtbot.addWidget(build)
    build.preset.setCurrentIndex(build.preset.findData("top"))
    build.preset.activated.emit(build.preset.currentIndex())
    assert build.read_config() == preset_config("top")
    assert "RandomRotation(10 / 360" in build.code.toPlainText()
    assert "29,402" in build.total.text() and "826,560" in build.total.text()


def test_quest_view_runs_a_rung_saves_it_and_draws_the_point(qtbot, state, mnist_dir):
    from kviz.store.lab_runs import list_lab_runs
    from kviz.ui.quest_view import QuestView

    view = QuestView(state)
    qtbot.addWidget(view)
    view.show()
    view.activated()
    assert view.table.rowCount() == 8
    assert view.table.item(0, 2).text() == "13,610" and view.table.item(0, 3).text() == "62,192"
    assert view.table.item(0, 7).text() == "not run yet"
    reference_points = [p for p in view.points if p[0] == "reference"]
    assert len(reference_points) == sum(len(r["accuracies"]) for r in view.reference["rungs"])
    view.table.selectRow(1)  # relu
    assert "ReLU" in view.why.toPlainText() and "activation='relu'" in view.code.toPlainText()
    view.train_limit.setValue(1000)
    with qtbot.waitSignal(state.records_changed, timeout=180_000):
        view.start()
    assert view._live and view.progress.value() == view.progress.maximum()
    [run] = list_lab_runs(state.db, state.learner_id)
    assert run.metrics["preset"] == "relu" and run.config["train_limit"] == 1000
    assert view.table.item(1, 7).text().endswith("(1 seed)")
    qtbot.waitUntil(lambda: "run(s) saved" in view.status.text())
    assert " on MNIST, 1,000 train / 10,000 test; 1 run(s) saved." in view.status.text()
    mine = [p for p in view.points if p[0] == "you"]
    assert mine == [("you", "relu", run.duration_s, pytest.approx(run.test_accuracy))]
    view.cost.setCurrentIndex(1)  # against MACs
    assert [p[2] for p in view.points if p[0] == "you"] == [62192]
    ax = view.cost_chart.figure.axes[0]
    assert ax.get_xscale() == "log"
    assert state.result is not None and state.result.config.conv_activation == "relu"
    assert (state.models_folder / f"{run.uid}.keras").is_file()  # for Predict and Draw


def test_compare_draws_error_bars_over_seeds(qtbot, state):
    from kviz.store.lab_runs import save_lab_run
    from kviz.ui.compare_view import CompareView
    from trainer.config import LabConfig

    for seed, acc in ((1, 0.97), (2, 0.96), (3, 0.98)):
        config = LabConfig(seed=seed).to_dict()
        history = [{"epoch": 1, "loss": 1, "accuracy": acc, "val_loss": 1, "val_accuracy": acc}]
        save_lab_run(
            state.db,
            state.learner_id,
            {"config": config, "history": history, "test_accuracy": acc, "macs": 62192},
        )
    old = {"filters": 16, "kernel": 3, "pool": 2, "epochs": 3}  # saved before the registry
    save_lab_run(state.db, state.learner_id, {"config": old, "history": [], "test_accuracy": 0.9})
    view = CompareView(state)
    qtbot.addWidget(view)
    view.activated()
    assert view.table.rowCount() == 4
    newest_first = [view.table.item(0, c).text() for c in range(view.table.columnCount())]
    assert newest_first[1] == "conv 16x3/p2, 3 ep" and newest_first[7] == "n/a"  # old run
    assert newest_first[2] == "not recorded"
    assert view.table.item(1, 7).text() == "62,192"
    labels = {label: (mean, sd, n) for label, mean, sd, n in view.error_bars}
    mean, sd, n = labels["conv 8x3/p2, 3 ep"]
    assert n == 3 and mean == pytest.approx(0.97) and sd == pytest.approx(0.01)
    assert labels["conv 16x3/p2, 3 ep"][2] == 1
    view.param.setCurrentText("filters")
    view.values.setText("4, 1e9")
    view.start_sweep()
    assert view.status.text() == "filters: 1000000000 must be from 1 to 256"
    assert view.seeds.itemText(1) == "3 seeds"
