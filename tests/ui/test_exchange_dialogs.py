"""File > Import questions… and Export…: the summary, the refusal, and the written files."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

pytestmark = pytest.mark.gui

DATA = Path(__file__).resolve().parent.parent / "core" / "data" / "exchange"


def test_import_shows_a_summary_and_the_topics_join_the_quiz(qtbot, state, monkeypatch):
    from kviz.ui.exchange_dialogs import ImportSummaryDialog, import_questions_dialog
    from kviz.ui.quiz_view import QuizView

    shown: list[ImportSummaryDialog] = []
    monkeypatch.setattr(ImportSummaryDialog, "exec", lambda self: shown.append(self) or 0)
    parent = QuizView(state, mode="quiz")
    qtbot.addWidget(parent)
    state.bank()  # loaded before the import: the import must make it read again
    import_questions_dialog(parent, state, str(DATA / "constructs.gift"))
    (dialog,) = shown
    text = dialog.details.toPlainText()
    assert "cnn_basics.yaml: 9" in text and ":35: matching question" in text
    parent.activated()
    titles = [parent.topics.item(i).text() for i in range(parent.topics.count())]
    assert "CNN basics (yours)" in titles and "Second topic (yours)" in titles


def test_a_broken_file_is_refused_with_its_line(qtbot, state, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QMessageBox, QWidget

    from kviz.ui.exchange_dialogs import import_questions_dialog

    bad = tmp_path / "bad.gift"
    bad.write_text("::T::Q?{~a ~b}\n", encoding="utf-8")
    warned: list[str] = []
    monkeypatch.setattr(QMessageBox, "warning", lambda parent, title, text: warned.append(text))
    parent = QWidget()
    qtbot.addWidget(parent)
    import_questions_dialog(parent, state, str(bad))
    assert warned and warned[0].startswith(f"{bad}:1: no choice is marked right")
    assert "No question was imported." in warned[0]


@pytest.mark.parametrize("label", ["Questions as an Anki deck", "Answers as CSV (spreadsheet)"])
def test_export_writes_what_was_chosen(qtbot, state, tmp_path, label):
    from kviz.ui.exchange_dialogs import EXPORTS, export

    path = tmp_path / f"out{EXPORTS[label][2]}"
    message = export(state, label, path)
    assert path.exists() and str(path) in message
    if path.suffix == ".csv":
        header = next(csv.reader(path.open(encoding="utf-8")))
        assert header[:4] == ["learner", "time", "topic", "question_id"]
