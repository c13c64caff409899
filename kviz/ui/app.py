"""Start the desktop app: open the learner database, show the window, then warm up.

Only Qt and the database layer load before the window shows; matplotlib and Keras are
imported on a worker afterwards (see AppState.warm_up), so the window appears quickly.
"""

from __future__ import annotations

import sys
import traceback
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

if TYPE_CHECKING:
    from kviz.ui.main_window import MainWindow


def error_dialog(parent: QWidget | None, title: str, message: str) -> None:
    """A readable error with what to do, never a traceback."""
    QMessageBox.critical(parent, title, message)


def _report_unexpected(
    kind: type[BaseException], exc: BaseException, tb: TracebackType | None
) -> None:
    """Last resort for an error no view handled: a dialog for people, the trace on stderr."""
    traceback.print_exception(kind, exc, tb)
    if issubclass(kind, KeyboardInterrupt):
        QApplication.quit()
        return
    error_dialog(
        QApplication.activeWindow(),
        "Kviz ran into a problem",
        f"{exc or kind.__name__}\n\nYour quiz answers and finished lab runs are saved. "
        "If this happens again, restart Kviz; start it from a terminal to see the details.",
    )


def application() -> QApplication:
    """The QApplication, made once with Kviz's names."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("Kviz")
    app.setApplicationDisplayName("Kviz")
    app.setOrganizationName("kviz")
    app.setDesktopFileName("io.github.kviz.Kviz")
    return app


def create_window(db: str | None = None, mnist_dir: str | Path | None = None) -> MainWindow:
    """The main window over database `db` (path or URL; None: $KVIZ_DB or the default).

    The database is opened once the window shows; when it is corrupt or from a newer Kviz,
    a dialog says so and the event loop ends with status 2, leaving the file untouched.
    """
    from kviz.ui.main_window import MainWindow
    from kviz.ui.state import AppState

    return MainWindow(AppState(db, mnist_dir))


def main(db: str | None = None, mnist_dir: str | Path | None = None) -> int:
    """Run the app until its window closes; the exit status is non-zero when it cannot start."""
    app = application()
    sys.excepthook = _report_unexpected
    window = create_window(db, mnist_dir)
    window.show()
    status = app.exec()
    window.state.close()
    return status
