"""Where the data came from: a lab that fell back to the offline sample says so (and why) on
every screen that trains, offers a folder or another download, remembers the folder, and
every listed run shows its data, so a sample run never looks like a full one."""

from __future__ import annotations

import csv
import io

import pytest

pytestmark = pytest.mark.gui

FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)


@pytest.fixture
def offline(monkeypatch):
    """No folder (the isolated dirs unset $KVIZ_MNIST_DIR), an empty cache, no mirror."""
    monkeypatch.setattr("trainer.mirrors.MIRRORS", ())


@pytest.fixture
def fresh_state(qapp, tmp_path):
    """An AppState with no MNIST folder given, over a fresh database with a learner."""
    from kviz.store.records import get_or_create_learner
    from kviz.ui.state import AppState

    made: list[AppState] = []

    def make() -> AppState:
        state = AppState(str(tmp_path / f"kviz{len(made)}.db"))  # one app per database
        assert state.open_database()
        state.set_learner(get_or_create_learner(state.db, "Ana"))
        made.append(state)
        return state

    yield make
    for state in made:
        state.close()


@pytest.fixture
def views(qtbot, fresh_state, offline):
    """The screens that train, on one session that has fallen back to the sample."""
    from kviz.ui.compare_view import CompareView
    from kviz.ui.experiments_view import ExperimentsView
    from kviz.ui.lab_view import LabView
    from kviz.ui.quest_view import QuestView
    from kviz.ui.versus_view import VersusView

    state = fresh_state()
    shown = {
        "lab": LabView(state),
        "compare": CompareView(state),
        "quest": QuestView(state),
        "experiments": ExperimentsView(state),
        "versus": VersusView(state),
    }
    for view in shown.values():
        qtbot.addWidget(view)
    state.ensure_data()
    qtbot.waitUntil(lambda: state.data is not None, timeout=60_000)
    return state, shown


def mnist_copy(mnist_dir, folder, names=FILES):
    """A folder holding (links to) some of the real MNIST files: tmp, never the repo."""
    folder.mkdir()
    for name in names:
        (folder / name).symlink_to(mnist_dir / name)
    return folder


def test_sample_fallback_shows_the_banner_with_why_on_every_training_screen(views):
    state, shown = views
    assert state.data.source_kind == "sample" and state.data.fallback
    for name, view in shown.items():
        banner = view.data_banner
        assert not banner.isHidden(), name
        brief = (
            "Training on the offline sample, not MNIST: 4,000 training / 1,000 test digits "
            "instead of 60,000 / 10,000 (about 88% instead of 97% for the reference model), "
            "because no MNIST folder is set and the download failed"
        )
        assert banner.message.text() == (
            f"<b>Training on the offline sample, not MNIST</b>{brief[41:]}."
        )
        full = banner.accessibleDescription()  # the whole story, plain
        assert full.startswith(brief + ": ") and full == banner.message.toolTip()
        assert "no mirrors configured" in full  # the download's own reason
        assert banner.choose_button.isEnabled() and banner.retry_button.isEnabled()
    # the Data step's code comments show the shapes really loaded
    code = shown["lab"].data_step.code.toPlainText()
    assert "# uint8 (4000, 28, 28)" in code and "# uint8 (1000,)" in code
    assert "sample, 4,000 train / 1,000 test" in code
    source = shown["lab"].data_step.source.text()  # the step says why in full
    assert "because no MNIST folder is set and the download failed: " in source


def test_an_invalid_folder_names_the_missing_file_and_changes_nothing(views, mnist_dir, tmp_path):
    from kviz.preferences import preferences_path

    state, shown = views
    folder = mnist_copy(mnist_dir, tmp_path / "partial", FILES[:3])
    banner = shown["compare"].data_banner
    assert not banner.use_folder(folder)
    assert not banner.problem.isHidden()
    assert banner.problem.text() == (
        f"That folder cannot be used: {folder / 't10k-labels-idx1-ubyte.gz'}: missing"
    )
    assert not banner.isHidden() and state.data.source_kind == "sample"
    assert not preferences_path().exists()


def test_choosing_a_folder_reloads_hides_the_banner_and_is_remembered(
    qtbot, views, mnist_dir, tmp_path, monkeypatch, fresh_state
):
    from PySide6.QtWidgets import QFileDialog

    state, shown = views
    folder = mnist_copy(mnist_dir, tmp_path / "mnist")
    monkeypatch.setattr(QFileDialog, "getExistingDirectory", lambda *a, **k: str(folder))
    shown["lab"].data_banner.choose_button.click()  # the button, the dialog, the check
    assert shown["quest"].data_banner.accessibleDescription() == "Loading MNIST again…"
    assert not shown["quest"].data_banner.choose_button.isEnabled()
    qtbot.waitUntil(lambda: state.data is not None, timeout=60_000)
    assert state.data.source_kind == "folder" and len(state.data.train_images) == 60000
    for name, view in shown.items():
        assert view.data_banner.isHidden(), name
    assert "# uint8 (60000, 28, 28)" in shown["lab"].data_step.code.toPlainText()

    # a new session (the app started again) reads the remembered folder
    again = fresh_state()
    again.ensure_data()
    qtbot.waitUntil(lambda: again.data is not None, timeout=60_000)
    assert again.data.source_kind == "folder"
    assert again.data.source == f"folder {folder.resolve()}"


def test_retry_download_tries_again_and_says_so(qtbot, views):
    state, shown = views
    banner = shown["lab"].data_banner
    loading: list[bool] = []
    state.data_loading.connect(lambda: loading.append(True))
    banner.retry_button.click()
    assert loading == [True] and state.data is None
    qtbot.waitUntil(lambda: state.data is not None, timeout=60_000)
    assert state.data.source_kind == "sample"  # still offline: the banner is back
    assert not banner.isHidden() and banner.retry_button.isEnabled()


def test_a_remembered_folder_that_is_gone_shows_the_failure_in_the_banner(
    qtbot, fresh_state, tmp_path, offline
):
    from kviz.preferences import remember_mnist_dir, saved_mnist_dir
    from kviz.ui.lab_view import LabView

    remember_mnist_dir(tmp_path / "gone")
    state = fresh_state()
    view = LabView(state)
    qtbot.addWidget(view)
    failures: list[str] = []
    state.data_failed.connect(failures.append)
    state.ensure_data()
    qtbot.waitUntil(lambda: bool(failures), timeout=60_000)
    assert not view.data_banner.isHidden()
    text = view.data_banner.accessibleDescription()
    assert text.startswith("MNIST could not be loaded: ")
    # the remembered folder is gone: the way out is to forget it and download (offline here)
    assert view.data_banner.retry_button.text() == "Forget folder, download"
    view.data_banner.retry_button.click()
    qtbot.waitUntil(lambda: state.data is not None, timeout=60_000)
    assert state.data.source_kind == "sample" and saved_mnist_dir() is None
    assert not view.data_banner.isHidden()
    assert view.data_banner.retry_button.text() == "Retry download"
    assert f"{tmp_path / 'gone'}: no such folder (it should hold the four MNIST files)" in text


def _save_runs(state):
    """One run on the sample and one on full MNIST, the same settings and accuracy shape."""
    from kviz.store.lab_runs import save_lab_run
    from trainer.config import LabConfig
    from trainer.sample import SOURCE

    history = [{"epoch": 1, "loss": 1, "accuracy": 0.9, "val_loss": 1, "val_accuracy": 0.9}]
    common = {"config": LabConfig().to_dict(), "history": history, "params": 13610}
    save_lab_run(
        state.db,
        state.learner_id,
        common | {"test_accuracy": 0.876, "source": SOURCE, "n_train": 4000, "n_test": 1000},
    )
    save_lab_run(
        state.db,
        state.learner_id,
        common | {"test_accuracy": 0.969, "source": "folder /m", "n_train": 60000, "n_test": 10000},
    )


def test_compare_home_and_exports_show_each_runs_data(qtbot, state, tmp_path):
    import matplotlib.figure  # noqa: F401  (Home plots only once matplotlib is loaded)

    from kviz.exchange.records_csv import write_runs_csv
    from kviz.ui.compare_view import CompareView
    from kviz.ui.home_view import HomeView

    _save_runs(state)
    compare = CompareView(state)
    qtbot.addWidget(compare)
    compare.activated()
    header = [compare.table.horizontalHeaderItem(c).text() for c in range(3)]
    assert header == ["When", "Config", "Data (train / test)"]
    assert [compare.table.item(r, 2).text() for r in range(2)] == [
        "MNIST, 60,000 / 10,000",
        "sample, 4,000 / 1,000",
    ]
    assert compare.table.item(1, 2).toolTip() == (
        "sample, 4,000 train / 1,000 test (offline sample (5,000 digits))"
    )
    # same settings, different data: two groups, never one mean over both
    assert sorted(label for label, *_ in compare.error_bars) == [
        "conv 8x3/p2, 3 ep",
        "conv 8x3/p2, 3 ep [sample]",
    ]

    home = HomeView(state, [])
    qtbot.addWidget(home)
    home.refresh()
    items = [home.runs.item(i).text() for i in range(home.runs.count())]
    assert items[0].endswith("test accuracy 96.90% (MNIST, 60,000 train / 10,000 test)")
    assert items[1].endswith("test accuracy 87.60% (sample, 4,000 train / 1,000 test)")

    path = tmp_path / "runs.csv"
    assert write_runs_csv(state.db, path, state.learner_id) == 2
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert [(r["data"], r["n_train"], r["n_test"]) for r in rows] == [
        ("sample", "4000", "1000"),
        ("MNIST", "60000", "10000"),
    ]


def test_quest_marks_the_learners_sample_runs(qtbot, state):
    from kviz.store.lab_runs import save_lab_run
    from kviz.ui.quest_view import QuestView, sample_note
    from trainer.presets import preset_config
    from trainer.sample import SOURCE

    run = {
        "config": preset_config("reference").to_dict(),
        "history": [],
        "test_accuracy": 0.876,
        "source": SOURCE,
        "preset": "reference",
    }
    save_lab_run(state.db, state.learner_id, run)
    view = QuestView(state)
    qtbot.addWidget(view)
    view.refresh()
    yours = view.table.item(0, view.table.columnCount() - 1).text()
    assert yours == "87.60% (1 seed) [sample]"
    assert sample_note([]) == ""


def test_no_data_swap_under_a_training_run(views, mnist_dir, tmp_path, monkeypatch):
    state, shown = views
    banner = shown["compare"].data_banner
    monkeypatch.setattr(state.workers, "busy", lambda kinds=None: True)
    assert not banner.use_folder(mnist_copy(mnist_dir, tmp_path / "mnist"))
    banner.retry()
    assert banner.problem.text().startswith("A training run is going on: ")
    assert state.data is not None and state.data.source_kind == "sample"


def test_a_folder_chosen_mid_load_wins_over_that_load(
    qtbot, fresh_state, offline, mnist_dir, tmp_path
):
    """The first load (falling back to the sample) is still running when a folder is chosen:
    its result is dropped, and whoever waited for data gets the folder's."""
    state = fresh_state()
    got: list[str] = []
    state.with_data(lambda data: got.append(data.source_kind), lambda message: None)
    assert state.data_loading_now
    state.choose_mnist_dir(mnist_copy(mnist_dir, tmp_path / "mnist"))
    qtbot.waitUntil(lambda: bool(got), timeout=60_000)
    assert got == ["folder"] and state.data.source_kind == "folder"


def test_a_given_folder_that_fails_is_read_again_not_forgotten(qtbot, qapp, tmp_path):
    from kviz.ui.data_banner import DataBanner
    from kviz.ui.state import AppState

    state = AppState(str(tmp_path / "kviz.db"), tmp_path / "nothing here")  # --mnist-dir
    banner = DataBanner(state)
    qtbot.addWidget(banner)
    failures: list[str] = []
    state.data_failed.connect(failures.append)
    try:
        state.ensure_data()
        qtbot.waitUntil(lambda: bool(failures), timeout=60_000)
        assert state.data_folder_origin == "given"
        assert banner.retry_button.text() == "Try again"
    finally:
        state.close()


def test_banner_text_is_readable_on_its_background():
    from PySide6.QtGui import QColor

    from kviz.ui.data_banner import BACKGROUND, PROBLEM, TEXT
    from kviz.ui.verdict_style import contrast

    for colour in (TEXT, PROBLEM):
        assert contrast(QColor(colour), QColor(BACKGROUND)) >= 4.5, colour
