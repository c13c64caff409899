"""Choose a learner profile, or create one by typing a new name."""

from __future__ import annotations

import getpass
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

if TYPE_CHECKING:
    from kviz.store.views import Learner


def _default_name() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):  # no login name (some containers)
        return ""


class LearnerDialog(QDialog):
    """Lists the existing learners; `chosen_name()` is the selected or typed name."""

    def __init__(
        self,
        learners: list[Learner],
        current: Learner | None = None,
        first_start: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Choose a learner")
        layout = QVBoxLayout(self)
        intro = (
            "Welcome to Kviz. Who is learning? Your quiz answers, reviews and lab runs "
            "are kept under this name."
            if first_start
            else "Switch to another learner, or type a new name to create one."
        )
        text = QLabel(intro)
        text.setWordWrap(True)
        layout.addWidget(text)

        self.list = QListWidget()
        self.list.setAccessibleName("Learners")
        for learner in learners:
            item = QListWidgetItem(learner.name)
            self.list.addItem(item)
            if current is not None and learner.id == current.id:
                self.list.setCurrentItem(item)
        list_label = QLabel("&Existing learners:")
        list_label.setBuddy(self.list)
        if learners:
            layout.addWidget(list_label)
            layout.addWidget(self.list)
        else:
            self.list.hide()

        self.name = QLineEdit()
        self.name.setPlaceholderText("A name, e.g. Ana")
        self.name.setMaxLength(60)
        if not learners:
            self.name.setText(_default_name())
            self.name.selectAll()
        name_label = QLabel("&New learner:")
        name_label.setBuddy(self.name)
        layout.addWidget(name_label)
        layout.addWidget(self.name)

        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        if first_start:
            buttons.button(QDialogButtonBox.StandardButton.Cancel).setText("&Quit")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        self.ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        layout.addWidget(buttons)

        self.list.itemDoubleClicked.connect(lambda _item: self.accept())
        self.list.currentItemChanged.connect(self._on_pick)
        self.name.textEdited.connect(lambda _t: self.list.clearSelection())
        self.name.textChanged.connect(self._update_ok)
        self.list.itemSelectionChanged.connect(self._update_ok)
        self._update_ok()
        (self.list if learners else self.name).setFocus(Qt.FocusReason.OtherFocusReason)

    def _on_pick(self, item: QListWidgetItem | None) -> None:
        if item is not None:
            self.name.clear()

    def _update_ok(self) -> None:
        self.ok.setEnabled(bool(self.chosen_name()))

    def chosen_name(self) -> str:
        """The typed name when there is one, else the selected learner's name."""
        typed = self.name.text().strip()
        if typed:
            return typed
        item = self.list.currentItem()
        return item.text() if item is not None and item.isSelected() else ""
