"""The Keras vs PyTorch screen: the code side by side, a real short run shown in the table,
the chart and the explanation, Cancel, and the install sentence when PyTorch is missing."""

from __future__ import annotations

import sys

import pytest
from PySide6.QtCore import Qt

pytestmark = pytest.mark.gui


@pytest.fixture
def window(qtbot, state):
    from kviz.ui.main_window import MainWindow

    win = MainWindow(state)
    qtbot.addWidget(win)
    win.show()
    qtbot.waitExposed(win)
    win.go("versus")
    return win


def test_code_panes_line_up_and_scroll_together(qtbot, window):
    view = window.view("versus")
    keras, torch = view.code["keras"], view.code["pytorch"]
    assert keras.blockCount() == torch.blockCount()
    for section in view.sections[1:]:
        marker = f"# --- {section.title} ---"
        for pane in (keras, torch):
            assert pane.document().findBlockByLineNumber(section.first_line).text() == marker
    keras.verticalScrollBar().setValue(40)
    assert torch.verticalScrollBar().value() == 40


def test_without_torch_the_screen_says_how_to_install_it(qtbot, state, monkeypatch):
    from kviz.ui.versus_view import VersusView

    monkeypatch.setitem(sys.modules, "torch", None)
    view = VersusView(state)
    qtbot.addWidget(view)
    view.show()
    assert view.hint.isVisible()
    assert "pip install 'kviz[pytorch]'" in view.hint.text()
    assert "download.pytorch.org/whl/cpu" in view.hint.text()
    assert not view.run_button.isEnabled()
    assert view.code["pytorch"].toPlainText().count("nn.Conv2d") == 1  # the code still shows


def _settings(view, limit):
    view.epochs.setValue(1)
    view.rounds.setValue(1)
    view.train_limit.setValue(limit)


def test_a_short_run_fills_the_table_chart_and_explanation(
    qtbot, window, mnist_dir, torch_required
):
    view = window.view("versus")
    assert not view.hint.isVisible() and view.run_button.isEnabled()
    _settings(view, 640)
    qtbot.mouseClick(view.run_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: view.worker is not None, timeout=60_000)
    with qtbot.waitSignal(view.worker.finished, timeout=240_000) as finished:
        pass
    result = finished.args[0]
    assert not result.cancelled
    assert result.same_init_max_abs_diff < 1e-5
    assert view.table.columnCount() == 2
    headers = [view.table.horizontalHeaderItem(c).text() for c in range(2)]
    assert headers == ["Keras\n(TensorFlow)", "PyTorch"]
    accuracy = result.sides["pytorch"].median("test_accuracy")
    assert view.table.item(4, 1).text() == f"{accuracy:.2%}"
    assert view.chart.draws >= 1
    text = view.explanation.toPlainText()
    assert "million multiply-adds" in text and "20 training steps" in text
    assert view.tabs.currentIndex() == 1
    assert view.run_button.isEnabled() and not view.cancel_button.isEnabled()


def test_cancel_ends_the_run_promptly(qtbot, window, mnist_dir, torch_required):
    import time

    view = window.view("versus")
    _settings(view, 60000)
    view.start()
    qtbot.waitUntil(lambda: "training, step" in view.status.text(), timeout=120_000)
    started = time.monotonic()
    with qtbot.waitSignal(view.worker.finished, timeout=10_000) as finished:
        qtbot.mouseClick(view.cancel_button, Qt.MouseButton.LeftButton)
    assert finished.args[0].cancelled
    assert time.monotonic() - started < 5
    assert view.status.text().startswith("Cancelled")
    assert view.run_button.isEnabled()
