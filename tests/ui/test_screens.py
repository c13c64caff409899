"""The screen registry drives the window: side list, Go menu, shortcuts help, Home's buttons,
lazy creation; a new screen is one entry in SCREENS."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QLabel, QMenu, QWidget

from kviz.ui import screens
from kviz.ui.screens import SCREENS, Screen, View

pytestmark = pytest.mark.gui


class Hello(QLabel):
    """A minimal screen for the test: counts its activations."""

    def __init__(self) -> None:
        super().__init__("hello")
        self.activations = 0

    def activated(self) -> None:
        self.activations += 1

    def main_control(self) -> None:
        """No control: the window focuses the screen itself."""


def _window(qtbot, state):
    from kviz.ui.main_window import MainWindow

    win = MainWindow(state)
    qtbot.addWidget(win)
    return win


def test_every_screen_is_listed_in_the_side_list_go_menu_and_help(qtbot, state):
    from kviz.ui.main_window import shortcuts_help

    win = _window(qtbot, state)
    titles = [s.title for s in SCREENS]
    assert [win.nav.item(r).text() for r in range(win.nav.count())] == titles
    [go_menu] = [m for m in win.menuBar().findChildren(QMenu) if m.title() == "&Go"]
    actions = go_menu.actions()
    assert [a.text().replace("&", "") for a in actions] == titles
    assert [a.shortcut().toString() for a in actions] == [
        f"Ctrl+{i + 1}" for i in range(len(SCREENS))
    ]
    help_text = shortcuts_help()
    for i, s in enumerate(SCREENS):
        assert f"<b>Ctrl+{i + 1}</b></td><td>{s.title}<" in help_text
    assert "<b>Ctrl+L</b></td><td>Switch learner<" in help_text


def test_screens_are_built_when_first_shown_and_are_views(qtbot, state):
    win = _window(qtbot, state)
    assert set(win._views) == {"home"}  # only the first screen is built at start
    for screen in SCREENS:
        win.go(screen.id)
        view = win.view(screen.id)
        assert isinstance(view, View)
        assert win.stack.currentWidget() is view
    assert set(win._views) == {s.id for s in SCREENS}
    assert win.stack.count() == len(SCREENS)


def test_homes_buttons_open_their_screens(qtbot, state):
    win = _window(qtbot, state)
    home = win.view("home")
    expected = {s.id for s in SCREENS if s.home_button}
    assert set(home.buttons) == expected
    for screen_id, button in home.buttons.items():
        button.setEnabled(True)
        button.click()
        assert win.stack.currentWidget() is win.view(screen_id)


def test_a_new_screen_is_one_registry_entry(qtbot, state, monkeypatch):
    extra = Screen("hello", "Hello", lambda _state, _nav: Hello(), home_button="Say &hello")
    monkeypatch.setattr(screens, "SCREENS", (*SCREENS, extra))
    import kviz.ui.main_window as main_window

    monkeypatch.setattr(main_window, "SCREENS", screens.SCREENS)
    win = _window(qtbot, state)
    assert win.nav.item(len(SCREENS)).text() == "Hello"
    win.view("home").buttons["hello"].click()
    hello = win.view("hello")
    assert win.stack.currentWidget() is hello and hello.activations == 1
    # Ctrl+1..Ctrl+9 by position: a tenth screen is in the Go menu without a shortcut
    key = screens.shortcut(len(SCREENS))
    assert (f"<b>{key}</b></td><td>Hello<" in main_window.shortcuts_help()) == bool(key)


def test_a_screen_without_activated_is_refused(qtbot, state, monkeypatch):
    import kviz.ui.main_window as main_window

    bad = Screen("bad", "Bad", lambda _state, _nav: QWidget())
    monkeypatch.setattr(main_window, "SCREENS", (*SCREENS, bad))
    win = _window(qtbot, state)
    with pytest.raises(TypeError, match="bad"):
        win.view("bad")
