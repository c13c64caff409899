"""The banner above every screen that trains, shown while its data is not the full MNIST.

Without a folder and without a network the labs quietly trained on the 5,000-digit offline
sample (about 88% instead of 97%). The banner says so where the learner looks, says why
(`kviz.data_notice`, the CLI's words too), and offers the two ways out: choose a folder
holding the four MNIST files (checked, then remembered in `kviz.preferences`) or retry the
download. It also shows a load that failed outright (a remembered folder that is gone).
"""

from __future__ import annotations

import html
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from kviz.ui.state import AppState

SHOWN = 260  # characters in the banner at most; the tooltip holds all of it
# Fixed colours, light and dark themes alike: amber reads as "take note" (each text colour
# is >= 4.5:1 on the background, WCAG AA; a test checks it).
BACKGROUND, BORDER, TEXT, PROBLEM = "#fff4ce", "#b07d00", "#3d2e00", "#8a1c1c"
STYLE = (
    f"#dataBanner {{ background: {BACKGROUND}; border: 1px solid {BORDER}; border-radius: 4px; }}"
    f" #dataBanner QLabel {{ color: {TEXT}; }}"
    f" #dataBanner QLabel#dataBannerProblem {{ color: {PROBLEM}; font-weight: bold; }}"
)


class DataBanner(QFrame):
    """Hidden while real MNIST is loaded (or nothing is yet); else the notice and two buttons."""

    def __init__(self, state: AppState, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state = state
        self.setObjectName("dataBanner")
        self.setStyleSheet(STYLE)
        self.setAccessibleName("Data warning")
        # As tall as its text, never more: the screen below keeps the room.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        row = QHBoxLayout(self)
        row.setContentsMargins(10, 6, 10, 6)
        texts = QVBoxLayout()
        self.message = QLabel()
        self.message.setTextFormat(Qt.TextFormat.RichText)
        self.message.setWordWrap(True)
        self.message.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        texts.addWidget(self.message)
        self.problem = QLabel()
        self.problem.setObjectName("dataBannerProblem")
        self.problem.setWordWrap(True)
        self.problem.hide()
        texts.addWidget(self.problem)
        row.addLayout(texts, 1)
        buttons = QVBoxLayout()
        self.choose_button = QPushButton("Choose MNIST folder…")
        self.choose_button.setToolTip(
            "A folder holding train-images-idx3-ubyte.gz, train-labels-idx1-ubyte.gz, "
            "t10k-images-idx3-ubyte.gz and t10k-labels-idx1-ubyte.gz; Kviz remembers it"
        )
        self.choose_button.clicked.connect(self.choose)
        self.retry_button = QPushButton("Retry download")
        self.retry_button.clicked.connect(self.retry)
        buttons.addWidget(self.choose_button)
        buttons.addWidget(self.retry_button)
        buttons.addStretch()
        row.addLayout(buttons)
        state.data_loading.connect(self.update_banner)
        state.data_loaded.connect(self.update_banner)
        state.data_failed.connect(self.update_banner)
        self.update_banner()

    def update_banner(self) -> None:
        """Show the notice for the data the session holds now, or hide."""
        from kviz.data_notice import HEADLINE, sample_notice

        state = self.state
        if state.data_loading_now:
            # Only a banner already shown stays up, saying what happens: a first load is quiet.
            loading = "Loading MNIST again…"
            self._show(loading, loading, loading, enabled=False)
            return
        if state.data is not None:
            brief = sample_notice(state.data, brief=True)
            if brief is None:
                self.problem.hide()
                self.hide()
                return
            headline, text, full = HEADLINE, brief, sample_notice(state.data) or brief
        elif state.data_error is not None:
            headline = "MNIST could not be loaded"
            text = full = f"{headline}: {state.data_error}."
        else:
            self.hide()
            return
        if state.preferences_problem:
            full += f" The remembered folder was ignored: {state.preferences_problem}."
        self.retry_button.setText(self._retry_text())
        self._show(headline, text, full, enabled=True)
        self.setVisible(True)

    def _show(self, headline: str, text: str, full: str, *, enabled: bool) -> None:
        """`text` with `headline` (its start) in bold, cut to SHOWN characters; `full`, the
        whole story, in the tooltip and the accessible description."""
        shown = text if len(text) <= SHOWN else text[: SHOWN - 1] + "…"
        rest = html.escape(shown[len(headline) :], quote=False)
        self.message.setText(f"<b>{html.escape(headline, quote=False)}</b>{rest}")
        self.message.setToolTip(html.escape(full, quote=False) if full != shown else "")
        self.setAccessibleDescription(full)
        self.choose_button.setEnabled(enabled)
        self.retry_button.setEnabled(enabled)

    def choose(self) -> None:
        """Ask for a folder with the system's folder dialog, then use it."""
        start = self.state.mnist_dir or Path.home()
        folder = QFileDialog.getExistingDirectory(
            self, "Choose the folder holding the four MNIST files", str(start)
        )
        if folder:
            self.use_folder(folder)

    def use_folder(self, folder: str | Path) -> bool:
        """Check, remember and load the folder; on a problem, say which file, in the banner."""
        from kviz.preferences import PreferencesError
        from trainer.errors import DataError

        if self._training():
            return False
        try:
            self.state.choose_mnist_dir(folder)
        except (DataError, PreferencesError) as exc:
            self.problem.setText(f"That folder cannot be used: {exc}")
            self.problem.show()
            return False
        self.problem.hide()
        return True

    def _retry_text(self) -> str:
        """What the second button does: download again after a fallback; after a failed
        folder, forget it when it was only remembered (gone since), else read it again."""
        if self.state.data is not None:
            return "Retry download"
        return "Forget folder, download" if self._forgets() else "Try again"

    def _forgets(self) -> bool:
        """Whether the load failed on the remembered folder (not one given or in the
        environment, which Kviz does not own)."""
        return self.state.data is None and self.state.data_folder_origin == "remembered"

    def retry(self) -> None:
        """Try the usual sources again (the download, when no folder is set)."""
        from kviz.preferences import PreferencesError

        if self._training():
            return
        self.problem.hide()
        if not self._forgets():
            self.state.reload_data()
            return
        try:
            self.state.forget_mnist_dir()
        except PreferencesError as exc:
            self.problem.setText(str(exc))
            self.problem.show()

    def _training(self) -> bool:
        """A run keeps the data it started with, and its model must match the data Predict
        shows: while one trains, say so instead of swapping the data under it."""
        if not self.state.workers.busy():
            return False
        self.problem.setText(
            "A training run is going on: let it finish or cancel it, then load other data."
        )
        self.problem.show()
        return True
