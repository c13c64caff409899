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

SHOWN_REASON = 130  # characters of the reason in the banner; the tooltip holds all of it
STYLE = (
    "#dataBanner { background: #fff4ce; border: 1px solid #b07d00; border-radius: 4px; }"
    " #dataBanner QLabel { color: #3d2e00; }"
    " #dataBanner QLabel#dataBannerProblem { color: #8a1c1c; font-weight: bold; }"
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
        from kviz.data_notice import sample_cost, sample_reason

        state = self.state
        if state.data_loading_now:
            # Only a banner already shown stays up, saying what happens: a first load is quiet.
            self._show("Loading MNIST again…", "", "", enabled=False)
            return
        if state.data is not None:
            cost = sample_cost(state.data)
            if cost is None:
                self.problem.hide()
                self.hide()
                return
            headline, why = f"{cost}.", f"Why: {sample_reason(state.data)}."
        elif state.data_error is not None:
            headline, why = "MNIST could not be loaded.", f"{state.data_error}."
        else:
            self.hide()
            return
        if state.preferences_problem:
            why += f" The remembered folder was ignored: {state.preferences_problem}."
        self._show(headline, why, f"{headline} {why}", enabled=True)
        self.setVisible(True)

    def _show(self, headline: str, why: str, tooltip: str, *, enabled: bool) -> None:
        short = why if len(why) <= SHOWN_REASON else why[: SHOWN_REASON - 1] + "…"
        text = f"<b>{html.escape(headline, quote=False)}</b>"
        self.message.setText(text + (f"<br>{html.escape(short, quote=False)}" if short else ""))
        self.message.setToolTip(html.escape(tooltip, quote=False) if short != why else "")
        self.setAccessibleDescription(f"{headline} {why}".strip())  # all of it, plain
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

        try:
            self.state.choose_mnist_dir(folder)
        except (DataError, PreferencesError) as exc:
            self.problem.setText(f"That folder cannot be used: {exc}")
            self.problem.show()
            return False
        self.problem.hide()
        return True

    def retry(self) -> None:
        """Try the usual sources again (the download, when no folder is set)."""
        self.problem.hide()
        self.state.reload_data()
