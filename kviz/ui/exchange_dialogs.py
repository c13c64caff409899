"""File > Import questions… and File > Export…: thin dialogs over kviz.exchange."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QFormLayout,
    QLabel,
    QMessageBox,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from kviz.exchange.questions import ImportSummary
    from kviz.ui.state import AppState

# What Export… offers: label -> (kind, format, file suffix)
EXPORTS: dict[str, tuple[str, str, str]] = {
    "Questions as GIFT (Moodle)": ("questions", "gift", ".gift"),
    "Questions as Moodle XML": ("questions", "moodle", ".xml"),
    "Questions as an Anki deck": ("questions", "anki", ".apkg"),
    "Answers as CSV (spreadsheet)": ("attempts", "csv", ".csv"),
    "Lab runs as CSV (spreadsheet)": ("runs", "csv", ".csv"),
}


class ImportSummaryDialog(QDialog):
    """What was imported into which topic files, and what was skipped with its line."""

    def __init__(self, summary: ImportSummary, into: Path, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Questions imported")
        self.resize(640, 380)
        layout = QVBoxLayout(self)
        head = QLabel(
            f"<b>{summary.total} question{'s' if summary.total != 1 else ''}</b> imported from "
            f"{summary.file.name} into your own topics (marked “(yours)” in the quiz)."
        )
        head.setWordWrap(True)
        layout.addWidget(head)
        self.details = QPlainTextEdit("\n".join(summary.lines()[1:]) or "Nothing was skipped.")
        self.details.setReadOnly(True)
        layout.addWidget(self.details, 1)
        where = QLabel(f"Saved in {into}")
        where.setWordWrap(True)
        layout.addWidget(where)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok)
        buttons.accepted.connect(self.accept)
        layout.addWidget(buttons)


def import_questions_dialog(parent: QWidget, state: AppState, path: str | None = None) -> None:
    """Ask for a GIFT or Moodle XML file, import it, show the summary (or the one error)."""
    from kviz.bank.loader import BankError
    from kviz.exchange.common import ExchangeError
    from kviz.exchange.questions import import_questions
    from kviz.paths import user_bank_dir

    if path is None:
        path, _ = QFileDialog.getOpenFileName(
            parent, "Import questions", "", "GIFT or Moodle XML (*.gift *.txt *.xml);;All (*)"
        )
        if not path:
            return
    into = user_bank_dir()
    try:
        summary = import_questions(Path(path), into)
    except (ExchangeError, BankError) as e:
        QMessageBox.warning(parent, "Nothing imported", f"{e}\n\nNo question was imported.")
        return
    state.reload_bank()
    ImportSummaryDialog(summary, into, parent).exec()


class ExportDialog(QDialog):
    """Choose what to export; the file is asked for next."""

    def __init__(self, parent: QWidget | None = None):
        super().__init__(parent)
        self.setWindowTitle("Export")
        form = QFormLayout(self)
        self.what = QComboBox()
        self.what.addItems(list(EXPORTS))
        form.addRow("&Export:", self.what)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        form.addRow(buttons)


def export(state: AppState, label: str, path: Path) -> str:
    """Write `label`'s export (see EXPORTS) to `path`; the summary line to show."""
    from kviz.exchange.questions import export_questions
    from kviz.exchange.records_csv import write_attempts_csv, write_runs_csv

    kind, fmt, _ = EXPORTS[label]
    if kind == "questions":
        return export_questions(state.bank(), path, fmt)
    if kind == "attempts":
        n = write_attempts_csv(state.db, path, state.bank())
        return f"Wrote {n} answer{'s' if n != 1 else ''} of every learner to {path}."
    n = write_runs_csv(state.db, path)
    return f"Wrote {n} lab run{'s' if n != 1 else ''} of every learner to {path}."


def export_dialog(parent: QWidget, state: AppState) -> None:
    """Ask what and where, write it, and say what was written (or the one error)."""
    from kviz.bank.loader import BankError
    from kviz.exchange.common import ExchangeError

    choose = ExportDialog(parent)
    if choose.exec() != QDialog.DialogCode.Accepted:
        return
    label = choose.what.currentText()
    suffix = EXPORTS[label][2]
    path, _ = QFileDialog.getSaveFileName(parent, label, f"kviz{suffix}", f"*{suffix}")
    if not path:
        return
    try:
        message = export(state, label, Path(path))
    except (ExchangeError, BankError) as e:
        QMessageBox.warning(parent, "Not exported", str(e))
        return
    QMessageBox.information(parent, "Exported", message)
