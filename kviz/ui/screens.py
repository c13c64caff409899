"""The app's screens, in one registry: adding a screen is one `Screen` entry in `SCREENS`.

The main window builds its side list, Go menu, Ctrl+N shortcuts and the shortcuts help from
`SCREENS`, and creates each screen the first time it is shown (Labs, Compare and Quest import
numpy and the trainer). Home offers a button for every screen that has a `home_button` label.
`FILE_ACTIONS` is the same idea for the File menu's items above Quit. Every screen names its
main control (`MainControl`), which the window focuses whenever it shows the screen, so Ctrl+N
then Enter does the screen's main thing (Ctrl+2, Enter starts a quiz).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget

    from kviz.ui.main_window import MainWindow
    from kviz.ui.state import AppState
    from trainer.config import LabConfig


@runtime_checkable
class View(Protocol):
    """What the window asks of a screen (and a lab step of its tabs)."""

    def activated(self) -> None:
        """The screen was just shown, or the learner changed while it is shown: refresh it."""


@runtime_checkable
class MainControl(Protocol):
    """What the window asks of a screen (and Labs of a step) to put the focus in it."""

    def main_control(self) -> QWidget | None:
        """The control that should have the focus now (the screen's main button); None: the
        screen's own focus. A disabled or hidden one is skipped the same way."""


class Navigator(Protocol):
    """What a screen's factory may ask of the window: another screen, built if need be."""

    def view(self, screen_id: str) -> QWidget: ...

    def go(self, screen_id: str) -> None: ...


@dataclass(frozen=True)
class Screen:
    """One screen: `factory` builds its widget, which must also be a `View` and a
    `MainControl`."""

    id: str
    title: str
    factory: Callable[[AppState, Navigator], QWidget]
    home_button: str | None = None  # the label of Home's button for it; None: no button


@dataclass(frozen=True)
class FileAction:
    """One File-menu item (above Quit): `run` is called with the window when it is chosen."""

    title: str
    shortcut: str | None
    run: Callable[[MainWindow], None]


def _home(state: AppState, nav: Navigator) -> QWidget:
    from kviz.ui.home_view import HomeView

    home = HomeView(state, [(s.id, s.home_button) for s in SCREENS if s.home_button])
    home.go.connect(nav.go)
    return home


def lab_link(lab: str | None) -> tuple[str, str] | None:
    """The screen id and button label for a question's `lab:` field, None without one.

    "reference" is the guided lab (Labs); "sweep:<setting>" is a sweep, run on Compare;
    "experiment:<id>" is a guided experiment (Experiments).
    """
    if not lab:
        return None
    if lab.startswith("sweep:"):
        return "compare", f"Sweep {lab.removeprefix('sweep:')} on Compare"
    if lab.startswith("experiment:"):
        return "experiments", "Try the experiment"
    return "labs", "Open the lab"


def _quiz(state: AppState, nav: Navigator) -> QWidget:
    from kviz.ui.quiz_view import QuizView

    view = QuizView(state, mode="quiz")
    view.open_screen.connect(nav.go)
    return view


def _review(state: AppState, nav: Navigator) -> QWidget:
    from kviz.ui.quiz_view import QuizView

    view = QuizView(state, mode="review")
    view.open_screen.connect(nav.go)
    return view


def _labs(state: AppState, nav: Navigator) -> QWidget:
    from kviz.ui.lab_view import LabView

    return LabView(state)


def _experiments(state: AppState, nav: Navigator) -> QWidget:
    from kviz.ui.experiments_view import ExperimentsView

    return ExperimentsView(state)


def _compare(state: AppState, nav: Navigator) -> QWidget:
    from kviz.ui.compare_view import CompareView
    from kviz.ui.lab_view import LabView

    def lab_config() -> LabConfig:
        """The Labs' Build settings (a fresh Labs screen has the defaults)."""
        labs = nav.view("labs")
        assert isinstance(labs, LabView)
        return labs.build_step.config

    return CompareView(state, lab_config)


def _quest(state: AppState, nav: Navigator) -> QWidget:
    from kviz.ui.quest_view import QuestView

    return QuestView(state)


def _versus(state: AppState, nav: Navigator) -> QWidget:
    from kviz.ui.versus_view import VersusView

    return VersusView(state)


def _class(state: AppState, nav: Navigator) -> QWidget:
    from kviz.ui.class_view import ClassView
    from kviz.ui.main_window import MainWindow

    view = ClassView(state)

    def connect() -> None:
        window = view.window()
        assert isinstance(window, MainWindow)
        _connect_class(window)

    view.connect_button.clicked.connect(connect)
    return view


def _connect_class(window: MainWindow) -> None:
    from kviz.ui.class_view import connect_class

    connect_class(window)


SCREENS: tuple[Screen, ...] = (
    Screen("home", "Home", _home),
    Screen("quiz", "Quiz", _quiz, home_button="Take a &quiz"),
    Screen("review", "Review", _review, home_button="Start &review"),
    Screen("labs", "Labs", _labs, home_button="Open the &labs"),
    Screen("experiments", "Experiments", _experiments, home_button="E&xperiments"),
    Screen("compare", "Compare", _compare),
    Screen("quest", "Quest", _quest),
    Screen("versus", "Keras vs PyTorch", _versus),
    Screen("class", "Class", _class),
)


def _import(window: MainWindow) -> None:
    from kviz.ui.exchange_dialogs import import_questions_dialog

    import_questions_dialog(window, window.state)


def _export(window: MainWindow) -> None:
    from kviz.ui.exchange_dialogs import export_dialog

    export_dialog(window, window.state)


FILE_ACTIONS: tuple[FileAction, ...] = (
    FileAction("Switch &learner…", "Ctrl+L", lambda window: window.choose_learner()),
    FileAction("&Import questions…", "Ctrl+I", lambda window: _import(window)),
    FileAction("&Export…", "Ctrl+E", lambda window: _export(window)),
    FileAction("&Connect to a class database…", None, _connect_class),
)


def shortcut(index: int) -> str:
    """The Go shortcut of the screen at `index` in SCREENS: Ctrl+1 .. Ctrl+9 by position, so
    a new screen never has to pick a free key ("" after the ninth)."""
    return f"Ctrl+{index + 1}" if index < 9 else ""
