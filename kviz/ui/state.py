"""What the views share for one app session: the database, the learner, MNIST, the last model.

Views never talk to each other; they read this object and listen to its signals. The
database is opened just after the window shows (its libraries import on the warm-up worker
meanwhile); MNIST is loaded once per session on a DataWorker, from `kviz.preferences.
mnist_source` (--mnist-dir, $KVIZ_MNIST_DIR, the remembered folder) or the trainer's cache,
mirrors and offline sample, and again when the learner chooses a folder or retries the
download (`choose_mnist_dir`, `reload_data`). Predict and Draw show one saved
run (`run_uid`: the last trained, or the one the learner picked); its model is the last
trained one in memory or a model file reopened from `models_folder`.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, Signal, Slot

from kviz.ui.workers import DataWorker, WarmupWorker, WorkerPool

if TYPE_CHECKING:
    from kviz.bank.loader import Bank, Problem
    from kviz.classroom.sync import ClassLink
    from kviz.preferences import FolderOrigin
    from kviz.store.database import Database
    from kviz.store.views import Learner
    from trainer.data import MnistData
    from trainer.training import RunResult


class AppState(QObject):
    """Session state plus the signals that tell views it changed."""

    learner_changed = Signal()
    records_changed = Signal()  # a quiz or a lab run was saved
    data_progress = Signal(str, int, int)  # file name, bytes done, bytes total
    data_loading = Signal()  # a load of MNIST has started (the first, or a reload)
    data_loaded = Signal()
    data_failed = Signal(str)
    warm = Signal(str)  # "core", "matplotlib", then "keras": what the warm-up has imported
    db_ready = Signal()
    db_failed = Signal(str)  # the database is corrupt or from a newer Kviz

    def __init__(self, db_target: str | None = None, mnist_dir: str | Path | None = None) -> None:
        super().__init__()
        self.db_target = db_target
        self._db: Database | None = None
        self.mnist_dir = mnist_dir  # --mnist-dir, or the folder chosen this session
        self.learner: Learner | None = None
        self.data: MnistData | None = None
        self.data_error: str | None = None  # why the last load failed
        self.preferences_problem: str | None = None  # a damaged settings file, ignored
        self.data_folder_origin: FolderOrigin | None = None  # where the folder was named
        self._reload_when_done = False  # a folder was chosen while a load was running
        self.result: RunResult | None = None  # the last finished run (with its model)
        self.run_uid: str | None = None  # the saved run Predict and Draw show
        self._opened: tuple[str, Any] | None = None  # the last model reopened from its file
        self.warmed: set[str] = set()
        self.workers = WorkerPool(self)
        self._data_worker: DataWorker | None = None
        self._data_waiters: list[tuple[Callable[[MnistData], None], Callable[[str], None]]] = []
        self._bank: Bank | None = None
        self.user_bank_problems: list[Problem] = []  # the learner's own files left out
        self.class_db: Database | None = None  # a class database opened as teacher (File > Connect)
        self.class_link: ClassLink | None = None  # a learner's kviz.classroom.sync.ClassLink

    @property
    def db(self) -> Database:
        """The open learner database (views are used only once it is open)."""
        if self._db is None:
            raise RuntimeError("the database is not open yet")
        return self._db

    @property
    def db_open(self) -> bool:
        return self._db is not None

    def bank(self) -> Bank:
        """The question bank, loaded on first use (raises kviz.bank.loader.BankError)."""
        if self._bank is None:
            from kviz.bank.loader import load_bank_and_user
            from kviz.paths import user_bank_dir

            self._bank, self.user_bank_problems = load_bank_and_user(user_bank_dir())
        return self._bank

    def reload_bank(self) -> None:
        """Read the bank again on next use (after an import into the learner's folder)."""
        self._bank = None

    def open_database(self) -> bool:
        """Open the learner database; False (and db_failed) when it is corrupt or too new."""
        from kviz.store.database import DatabaseError, open_database

        try:
            self._db = open_database(self.db_target, exclusive=True)  # one app per database
        except DatabaseError as exc:
            self.db_failed.emit(str(exc))
            return False
        self.prune_models()
        self.records_changed.connect(self.prune_models)
        self.db_ready.emit()
        return True

    @property
    def models_folder(self) -> Path:
        """Where the saved runs' model files live (kviz.store.run_models.folder_for)."""
        from kviz.store.run_models import folder_for

        return folder_for(self.db)

    @Slot()
    def prune_models(self) -> None:
        """Drop model files no saved run needs and keep the folder under its size cap."""
        from kviz.store.run_models import prune_for

        # Housekeeping only: on an OSError the files stay and the next save or start tries again.
        with contextlib.suppress(OSError):
            prune_for(self.db)

    def close(self) -> None:
        """Stop every worker and close the database (the app is ending)."""
        self.workers.stop_all()
        if self._db is not None:
            self._db.close()
            self._db = None

    @property
    def learner_id(self) -> int | None:
        return None if self.learner is None else self.learner.id

    def set_learner(self, learner: Learner) -> None:
        self.learner = learner
        self.learner_changed.emit()

    def warm_up(self) -> None:
        """Import the core, matplotlib and Keras in the background (once the window shows)."""
        worker = WarmupWorker()
        worker.progress.connect(self._on_warm)
        self.workers.start(worker)

    @Slot(object)
    def _on_warm(self, stage: str) -> None:
        self.warmed.add(stage)
        if stage == "keras":
            # TensorFlow and Keras leave millions of long-lived objects; a full collection
            # that scans them all holds the GIL 0.1-0.5 s, a visible stall mid-training.
            # Frozen, they are never scanned again (CPython's gc.freeze, made for this).
            gc.freeze()
        self.warm.emit(stage)

    def loaded_data(self) -> MnistData:
        """MNIST, for views that are used only once it is loaded (after a run, say)."""
        if self.data is None:
            raise RuntimeError("MNIST is not loaded yet")
        return self.data

    def with_data(self, ready: Callable[[MnistData], None], failed: Callable[[str], None]) -> bool:
        """Call `ready(data)` now when MNIST is loaded (and return True), else start loading it
        and call `ready` once it is here, or `failed(message)` if the load fails."""
        if self.data is not None:
            ready(self.data)
            return True
        self._data_waiters.append((ready, failed))
        self.ensure_data()
        return False

    def ensure_data(self) -> bool:
        """Start loading MNIST unless it is loaded or loading; True when it is already here."""
        if self.data is not None:
            return True
        if self._data_worker is None:
            from kviz.preferences import PreferencesError, mnist_source

            try:
                folder, self.data_folder_origin = mnist_source(self.mnist_dir)
                self.preferences_problem = None
            except PreferencesError as exc:
                folder, self.data_folder_origin, self.preferences_problem = None, None, str(exc)
            worker = DataWorker(folder)
            worker.progress.connect(self._on_data_progress)
            worker.finished.connect(self._on_data)
            worker.failed.connect(self._on_data_failed)
            self._data_worker = worker
            self.data_error = None
            self.workers.start(worker)
            self.data_loading.emit()
        return False

    @property
    def data_loading_now(self) -> bool:
        return self._data_worker is not None

    def reload_data(self) -> None:
        """Load MNIST again: after a folder is chosen, or to retry the download. A load that
        is running is let finish and then replaced, so the newest choice always wins."""
        if self._data_worker is not None:
            self._reload_when_done = True
            return
        self.data = None
        self.ensure_data()

    def choose_mnist_dir(self, folder: str | Path) -> Path:
        """Use (and remember for later sessions) a folder holding the four MNIST files, then
        reload. Raises trainer's DataError naming each missing or damaged file, or
        kviz.preferences.PreferencesError when the choice cannot be saved."""
        from kviz.preferences import remember_mnist_dir
        from trainer.data import check_folder

        path = check_folder(folder)
        remember_mnist_dir(path)
        self.mnist_dir = path
        self.reload_data()
        return path

    def forget_mnist_dir(self) -> None:
        """Drop the remembered folder (gone, say) and load from the usual sources again:
        the cache, a download, or the offline sample."""
        from kviz.preferences import remember_mnist_dir

        remember_mnist_dir(None)
        self.mnist_dir = None
        self.reload_data()

    def _load_again(self) -> bool:
        """Start the reload asked for while the last load ran; True if it did."""
        if not self._reload_when_done:
            return False
        self._reload_when_done = False
        self._data_worker = None
        self.reload_data()
        return True

    @Slot(object)
    def _on_data_progress(self, progress: tuple[str, int, int]) -> None:
        self.data_progress.emit(*progress)

    @Slot(object)
    def _on_data(self, data: MnistData) -> None:
        if self._load_again():
            return
        self._data_worker = None
        self.data = data
        waiters, self._data_waiters = self._data_waiters, []
        for ready, _failed in waiters:
            ready(data)
        self.data_loaded.emit()

    @Slot(str)
    def _on_data_failed(self, message: str) -> None:
        if self._load_again():
            return
        self._data_worker = None
        self.data_error = message
        waiters, self._data_waiters = self._data_waiters, []
        for _ready, failed in waiters:
            failed(message)
        self.data_failed.emit(message)

    def set_result(self, result: RunResult) -> None:
        """A run just finished (and was saved): Predict and Draw show it next."""
        self.result = result
        self.run_uid = result.uid

    def model_of(self, uid: str) -> Any:
        """Run `uid`'s Keras model if it is in memory (the last trained or opened), else None."""
        if self.result is not None and self.result.uid == uid and self.result.model is not None:
            return self.result.model
        if self._opened is not None and self._opened[0] == uid:
            return self._opened[1]
        return None

    def remember_model(self, uid: str, model: Any) -> None:
        """Keep the model just reopened from its file (one at a time: they can be large)."""
        if self.model_of(uid) is None:
            self._opened = (uid, model)
