"""The main window: a side list to move between screens, the learner switcher, Help/About.

The window shows before the database is opened: the warm-up worker imports the records core
meanwhile, and the learner is chosen once it is open. Labs, Compare and Quest (numpy, the
trainer) are built the first time they are opened. Closing while a training run or sweep is going
asks first, then cancels the workers and waits for their threads, so the app exits cleanly.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QIcon, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMainWindow,
    QMessageBox,
    QPushButton,
    QStackedWidget,
    QWidget,
)

import kviz
from kviz.ui.learner_dialog import LearnerDialog
from kviz.ui.screens import FILE_ACTIONS, SCREENS, MainControl, View, shortcut
from kviz.ui.state import AppState

ICON = Path(__file__).with_name("icons") / "kviz.svg"
# The smallest window in which every screen keeps its rows and text whole (at 760x520 Home's
# mastery rows overlapped, Keras vs PyTorch squeezed its buttons and the Quest its rows);
# tests/ui/test_min_size.py checks it.
MINIMUM_SIZE = QSize(800, 640)
DEFAULT_SIZE = QSize(1100, 750)

SHORTCUTS_HELP = """<h3>Keyboard shortcuts</h3>
<table cellspacing="6">
{screens}
<tr><td><b>Enter</b></td><td>Press the screen's main button (it has the focus when the
screen opens: Ctrl+2 then Enter starts a quiz)</td></tr>
<tr><td><b>Tab / Shift+Tab</b></td><td>Move between controls</td></tr>
<tr><td colspan="2"><br><b>In a quiz or review</b></td></tr>
<tr><td><b>1-9 or A-E</b></td><td>Choose an option (toggles it when several are right)</td></tr>
<tr><td><b>T / F</b></td><td>True / False</td></tr>
<tr><td><b>Enter</b></td><td>Submit the answer; Enter again for the next question</td></tr>
<tr><td><b>Esc</b></td><td>Leave the quiz (answers given so far are kept)</td></tr>
<tr><td colspan="2"><br><b>In the labs</b></td></tr>
<tr><td><b>Ctrl+PgDown / Ctrl+PgUp</b></td><td>Next / previous step</td></tr>
<tr><td><b>Delete</b></td><td>Clear the drawing pad</td></tr>
<tr><td><b>Ctrl+Q</b></td><td>Quit</td></tr>
</table>"""


def shortcuts_help() -> str:
    """The shortcuts table, its first rows made from the screen registry and File menu."""
    rows = [(shortcut(i), s.title) for i, s in enumerate(SCREENS) if shortcut(i)]
    rows += [(a.shortcut, a.title.replace("&", "").rstrip("…")) for a in FILE_ACTIONS if a.shortcut]
    return SHORTCUTS_HELP.format(
        screens="\n".join(f"<tr><td><b>{k}</b></td><td>{t}</td></tr>" for k, t in rows)
    )


class MainWindow(QMainWindow):
    """Navigation over the registry's screens; `first_shown` fires once the window is on screen."""

    first_shown = Signal()

    def __init__(self, state: AppState) -> None:
        super().__init__()
        self.state = state
        self.setWindowTitle("Kviz")
        if ICON.exists():
            self.setWindowIcon(QIcon(str(ICON)))
        self.resize(DEFAULT_SIZE)
        self.setMinimumSize(MINIMUM_SIZE)
        self._shown_once = False
        self.learner_dialog: LearnerDialog | None = None  # while open (tests fill it in)

        self._views: dict[str, QWidget] = {}
        self._placeholders: dict[str, QWidget] = {}

        self.nav = QListWidget()
        self.nav.setAccessibleName("Screens")
        self.nav.setFixedWidth(150)
        self.stack = QStackedWidget()
        for screen in SCREENS:
            self.nav.addItem(QListWidgetItem(screen.title))
            self._placeholders[screen.id] = QWidget()
            self.stack.addWidget(self._placeholders[screen.id])
        self.nav.currentRowChanged.connect(self._show_row)

        central = QWidget()
        layout = QHBoxLayout(central)
        layout.addWidget(self.nav)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)
        self._build_menus()

        self.learner_label = QLabel()
        self.statusBar().addPermanentWidget(self.learner_label)
        state.learner_changed.connect(self._on_learner)
        state.warm.connect(self._on_warm)
        state.data_failed.connect(self._on_data_failed)
        state.db_ready.connect(self._on_db_ready)
        state.db_failed.connect(self._on_db_failed)
        self.nav.setCurrentRow(0)

    def _build_menus(self) -> None:
        file_menu = self.menuBar().addMenu("&File")
        for item in FILE_ACTIONS:
            action = QAction(item.title, self)
            if item.shortcut:
                action.setShortcut(QKeySequence(item.shortcut))
            action.triggered.connect(lambda _checked=False, run=item.run: run(self))
            file_menu.addAction(action)
        file_menu.addSeparator()
        quit_action = QAction("&Quit", self)
        quit_action.setShortcut(QKeySequence.StandardKey.Quit)
        quit_action.setShortcutContext(Qt.ShortcutContext.ApplicationShortcut)
        quit_action.triggered.connect(self.close)
        file_menu.addAction(quit_action)

        go_menu = self.menuBar().addMenu("&Go")
        for index, screen in enumerate(SCREENS):
            action = QAction(f"&{screen.title}", self)
            if shortcut(index):
                action.setShortcut(QKeySequence(shortcut(index)))
            action.triggered.connect(lambda _checked=False, sid=screen.id: self.go(sid))
            go_menu.addAction(action)

        help_menu = self.menuBar().addMenu("&Help")
        keys = QAction("&Keyboard shortcuts", self)
        keys.setShortcut(QKeySequence.StandardKey.HelpContents)
        keys.triggered.connect(self.show_shortcuts)
        help_menu.addAction(keys)
        about = QAction("&About Kviz", self)
        about.triggered.connect(self.show_about)
        help_menu.addAction(about)

    def view(self, screen_id: str) -> QWidget:
        """The screen `screen_id` (an id in SCREENS), built the first time it is asked for."""
        if screen_id not in self._views:
            (screen,) = [s for s in SCREENS if s.id == screen_id]
            widget = screen.factory(self.state, self)
            for protocol, method in ((View, "activated"), (MainControl, "main_control")):
                if not isinstance(widget, protocol):
                    raise TypeError(f"screen {screen_id!r} has no {method}() method")
            placeholder = self._placeholders.pop(screen_id)
            self.stack.insertWidget(self.stack.indexOf(placeholder), widget)
            self.stack.removeWidget(placeholder)
            placeholder.deleteLater()
            self._views[screen_id] = widget
        return self._views[screen_id]

    def go(self, screen_id: str) -> None:
        """Show screen `screen_id` (activated first) and focus its main control."""
        self.nav.setCurrentRow([s.id for s in SCREENS].index(screen_id))
        self.focus_main_control(self.view(screen_id))

    def focus_main_control(self, view: QWidget) -> None:
        """Focus what the screen names as its main control (the screen itself without one);
        a main button also answers Enter. Clicks in the side list do not call this, so arrow
        keys there keep moving through the list."""
        assert isinstance(view, MainControl)
        target = view.main_control()
        if target is None or not target.isEnabled() or not target.isVisibleTo(view):
            focused = QApplication.focusWidget()
            if focused is not None and view.isAncestorOf(focused):
                return  # a screen without a main control now keeps what activated() focused
            target = view
        if isinstance(target, QPushButton):
            target.setAutoDefault(True)
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def _show_row(self, row: int) -> None:
        view = self.view(SCREENS[row].id)
        self.stack.setCurrentWidget(view)
        if self.state.db_open:
            assert isinstance(view, View)
            view.activated()

    def _on_learner(self) -> None:
        learner = self.state.learner
        self.learner_label.setText(f"Learner: {learner.name}" if learner else "")
        self.setWindowTitle(f"Kviz - {learner.name}" if learner else "Kviz")
        self._show_row(self.nav.currentRow())
        self.focus_main_control(self.view(SCREENS[self.nav.currentRow()].id))

    def _on_warm(self, stage: str) -> None:
        if stage == "keras":
            self.statusBar().showMessage("Keras is ready for the labs.", 4000)

    def _on_data_failed(self, message: str) -> None:
        from kviz.ui.app import error_dialog

        error_dialog(
            self,
            "Kviz could not load MNIST",
            f"{message}\n\nPut the four MNIST files (train-images-idx3-ubyte.gz and the "
            'other three) in a folder and pick it with "Choose MNIST folder…" above the '
            "lab (Kviz remembers it), start Kviz with --mnist-dir FOLDER or set "
            "KVIZ_MNIST_DIR; or connect to the internet so Kviz can download them.",
        )

    def showEvent(self, event: QShowEvent) -> None:  # noqa: N802 - Qt override
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            QTimer.singleShot(0, self._after_first_show)

    def _after_first_show(self) -> None:
        self.first_shown.emit()
        if not self.state.db_open:
            self.statusBar().showMessage("Opening your records…")
            self.state.warm.connect(self._open_when_core_loaded)
        self.state.warm_up()
        if self.state.db_open:
            self._on_db_ready()

    def _open_when_core_loaded(self, stage: str) -> None:
        if stage == "core" and not self.state.db_open:
            self.state.open_database()

    def _on_db_failed(self, message: str) -> None:
        from kviz.ui.app import error_dialog

        error_dialog(
            self,
            "Kviz cannot open its database",
            f"{message}\n\nThe file was not changed. Start Kviz with --db FILE to use "
            "another database.",
        )
        self.state.workers.stop_all()
        QApplication.exit(2)

    def _on_db_ready(self) -> None:
        self.statusBar().clearMessage()
        if self.state.learner is None:
            from kviz.store.records import last_learner

            learner = last_learner(self.state.db)
            if learner is not None:
                self.state.set_learner(learner)
            else:
                self.choose_learner(first_start=True)

    def choose_learner(self, first_start: bool = False) -> None:
        """Open the learner dialog (window-modal); at first start, Quit closes the app."""
        from kviz.store.records import list_learners

        dialog = LearnerDialog(
            list_learners(self.state.db), self.state.learner, first_start=first_start, parent=self
        )
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.finished.connect(lambda code: self._on_learner_chosen(dialog, code, first_start))
        self.learner_dialog = dialog
        dialog.open()

    def _on_learner_chosen(self, dialog: LearnerDialog, code: int, first_start: bool) -> None:
        from kviz.store.records import get_or_create_learner

        self.learner_dialog = None
        if code == QDialog.DialogCode.Accepted and dialog.chosen_name():
            self.state.set_learner(get_or_create_learner(self.state.db, dialog.chosen_name()))
        elif first_start and self.state.learner is None:
            self.close()
        dialog.deleteLater()

    def show_shortcuts(self) -> None:
        QMessageBox.information(self, "Kviz keyboard shortcuts", shortcuts_help())

    def show_about(self) -> None:
        QMessageBox.about(
            self,
            "About Kviz",
            f"<h3>Kviz {kviz.__version__}</h3>"
            "<p>Learn the basics of convolutional networks by quiz and by experiment: "
            "a question bank with spaced-repetition review, and guided labs that train a "
            "small Keras CNN on MNIST, live.</p>"
            f"<p>Database: {self.state.db.url}</p>",
        )

    def closeEvent(self, event: QCloseEvent) -> None:  # noqa: N802 - Qt override
        if self.state.workers.busy():
            answer = QMessageBox.question(
                self,
                "Stop training?",
                "A training run is still going. Stop it and quit?\n\n"
                "Finished runs and quiz answers are already saved; the run in progress "
                "will be lost.",
                QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
                QMessageBox.StandardButton.No,
            )
            if answer != QMessageBox.StandardButton.Yes:
                event.ignore()
                return
        self.statusBar().showMessage("Stopping background work…")
        self.state.workers.stop_all()
        event.accept()
